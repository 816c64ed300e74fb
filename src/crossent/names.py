r"""The registry of names: which loss is which, and where each framework keeps it.

"Softmax loss", "categorical cross-entropy", "log loss", "NLL", "BCEWithLogits", "sigmoid
cross-entropy"... This module answers, as data, which of these names denote the same
function. Every canonical loss is one :class:`Loss` entry in :data:`LOSSES`: its formula and
gradient, the task and activation it belongs to, the ``crossent`` functions that compute it,
the book chapter that derives it, and the layers that compute it in PyTorch,
TensorFlow/Keras, JAX/optax and Caffe, with the differences between them that change a
number (logits or probabilities, class axis, label smoothing, clipping, reduction).

Some names are ambiguous: "log loss" is binary cross-entropy to scikit-learn but accepts
any number of classes there, "multinomial logistic loss" is the softmax loss in statistics
but Caffe's layer of that name takes probabilities. Such a name maps to several entries, and
:data:`ALIASES` records why.

The registry is written in three files, so that its data can be read apart from its code.
This module holds the queries (:func:`lookup`, :func:`search`, :func:`table`, ...) and
builds :data:`ALIASES`. It re-exports, and documents here, the public names of two private
modules:

- ``crossent/_names_schema.py``, the schema: :class:`Loss`, :class:`Alias`,
  :class:`FrameworkSupport`, :class:`Implementation`, :data:`FRAMEWORKS` and
  :data:`CHAPTERS`, with the checks every entry passes when it is created;
- ``crossent/_names_data.py``, the data: the entries of :data:`LOSSES`, and the note that
  explains each ambiguous name.

The data module imports the schema module, and this module imports both; neither imports
this one.

Notes
-----
The sigmoid and the softmax losses are one loss in two shapes: a sigmoid output is the
second component (index 1) of a softmax over the two logits :math:`(0, z)`,

.. math::

    \operatorname{softmax}(0, z)_1 = \frac{e^{z}}{e^{0} + e^{z}}
    = \frac{1}{1 + e^{-z}} = \sigma(z),

so sigmoid cross-entropy on one logit is the softmax loss on two.

Examples
--------
>>> from crossent.names import lookup
>>> [loss.key for loss in lookup("Softmax Loss")]
['softmax_cross_entropy']
>>> [loss.key for loss in lookup("log-loss")]
['cross_entropy', 'binary_cross_entropy']
"""

from __future__ import annotations

import difflib
import textwrap

import crossent._names_data as _names_data
import crossent._names_schema as _names_schema
from crossent._names_schema import (
    Alias,
    FrameworkSupport,
    Implementation,
    Loss,
    normalize,
    require_str,
)

__all__ = [
    "ALIASES",
    "CHAPTERS",
    "FRAMEWORKS",
    "LOSSES",
    "TABLE_COLUMNS",
    "Alias",
    "FrameworkSupport",
    "Implementation",
    "Loss",
    "describe",
    "get",
    "get_alias",
    "lookup",
    "search",
    "suggest",
    "table",
]

FRAMEWORKS = _names_schema.FRAMEWORKS
"""The frameworks every entry describes, in the order it describes them."""

CHAPTERS = _names_schema.CHAPTERS
"""The book chapters (Sphinx docnames) that derive the losses."""

_FRAMEWORK_COLUMNS = {
    "PyTorch": "pytorch",
    "TensorFlow/Keras": "tensorflow",
    "JAX/optax": "jax",
    "Caffe": "caffe",
}

TABLE_COLUMNS = (
    "key",
    "name",
    "is",
    "aliases",
    "task",
    "activation",
    "prediction",
    "target",
    "formula",
    "gradient",
    "crossent",
    "chapter",
    *_FRAMEWORK_COLUMNS.values(),
)
"""The columns :func:`table` can return, in their default order."""

LOSSES: tuple[Loss, ...] = _names_data.LOSSES
"""Every canonical loss, in the order the book introduces them."""


def _build_aliases(losses: tuple[Loss, ...], notes: dict[str, str]) -> tuple[Alias, ...]:
    spelled: dict[str, str] = {}
    owners: dict[str, list[Loss]] = {}
    for loss in losses:
        for name in loss.aliases:
            normalized = normalize(name)
            if loss in owners.get(normalized, ()):
                raise ValueError(
                    f"{loss.key} lists the name {name!r} twice (as "
                    f"{spelled[normalized]!r} and {name!r}); names compare without case, "
                    "spaces, hyphens and underscores"
                )
            spelled.setdefault(normalized, name)
            owners.setdefault(normalized, []).append(loss)
    normalized_notes = {normalize(name): note for name, note in notes.items()}
    stray = [name for name in notes if len(owners.get(normalize(name), ())) < 2]
    if stray:
        raise ValueError(f"ambiguity notes for names that are not ambiguous: {stray}")
    return tuple(
        Alias(spelled[normalized], tuple(entries), normalized_notes.get(normalized, ""))
        for normalized, entries in owners.items()
    )


ALIASES: tuple[Alias, ...] = _build_aliases(LOSSES, _names_data.AMBIGUITY_NOTES)
"""Every name in the registry and the entries it denotes, ambiguous names with a note."""

_ALIAS_INDEX = {normalize(alias.name): alias for alias in ALIASES}
_KEY_INDEX = {loss.key: loss for loss in LOSSES}


def suggest(name: str) -> list[str]:
    """Return up to three known names (or keys) close to ``name``, closest first.

    Parameters
    ----------
    name : str
        A name that may be misspelt.

    Returns
    -------
    list of str
        The close names, compared without case, spaces, hyphens and underscores; empty
        if none is close.

    Raises
    ------
    TypeError
        If ``name`` is not a str.

    Examples
    --------
    >>> from crossent.names import suggest
    >>> suggest("sofmax loss")[0]
    'softmax loss'
    """
    candidates = {normalize(alias.name): alias.name for alias in ALIASES}
    candidates.update({normalize(loss.key): loss.key for loss in LOSSES})
    wanted = normalize(require_str(name, "name"))
    close = difflib.get_close_matches(wanted, list(candidates), n=3, cutoff=0.6)
    return [candidates[match] for match in close]


def get(key: str) -> Loss:
    """Return the entry whose :attr:`Loss.key` is exactly ``key``.

    Parameters
    ----------
    key : str
        An entry key, e.g. ``"binary_cross_entropy"``.

    Returns
    -------
    Loss
        The entry.

    Raises
    ------
    TypeError
        If ``key`` is not a str.
    KeyError
        If no entry has that key; the message lists the keys.

    Examples
    --------
    >>> from crossent.names import get
    >>> get("binary_cross_entropy").title
    'Binary cross-entropy (on probabilities)'
    """
    require_str(key, "key")
    try:
        return _KEY_INDEX[key]
    except KeyError:
        raise KeyError(f"no loss has the key {key!r}; the keys are {tuple(_KEY_INDEX)}") from None


def get_alias(name: str) -> Alias | None:
    """Return the :class:`Alias` for ``name``, or None if the registry does not know it.

    Matching ignores case, spaces, hyphens and underscores, as :func:`lookup` does.

    Parameters
    ----------
    name : str
        A name such as ``"log loss"``.

    Returns
    -------
    Alias or None
        The alias, with the entries it denotes and, if ambiguous, why.

    Raises
    ------
    TypeError
        If ``name`` is not a str.

    Examples
    --------
    >>> from crossent.names import get_alias
    >>> get_alias("BCE").ambiguous
    True
    >>> get_alias("no such loss") is None
    True
    """
    return _ALIAS_INDEX.get(normalize(require_str(name, "name")))


def lookup(name: str) -> tuple[Loss, ...]:
    """Return the entries that ``name`` denotes.

    Parameters
    ----------
    name : str
        A name of a loss, e.g. ``"softmax loss"``, ``"BCEWithLogits"`` or ``"NLL"``.

    Returns
    -------
    tuple of Loss
        The entries the name denotes, in book order. An ambiguous name returns several;
        :func:`get_alias` says why.

    Raises
    ------
    TypeError
        If ``name`` is not a str.
    ValueError
        If ``name`` is empty or only whitespace.
    KeyError
        If the registry does not know the name; the message suggests close matches.

    Notes
    -----
    Names are compared after lowering the case and removing spaces, hyphens and
    underscores, so ``"Log-Loss"``, ``"log_loss"`` and ``"logloss"`` are one name. Each
    entry's key is also one of its names.

    Examples
    --------
    >>> from crossent.names import lookup
    >>> [loss.key for loss in lookup("BCEWithLogits")]
    ['sigmoid_binary_cross_entropy']
    >>> [loss.key for loss in lookup("logistic loss")]
    ['binary_cross_entropy', 'sigmoid_binary_cross_entropy']
    """
    if not require_str(name, "name").strip():
        raise ValueError(f"name must be a non-empty loss name, got {name!r}")
    alias = get_alias(name)
    if alias is not None:
        return alias.losses
    suggestions = suggest(name)
    hint = (
        f"; did you mean {', '.join(repr(s) for s in suggestions)}?"
        if suggestions
        else "; crossent.names.ALIASES lists every known name"
    )
    raise KeyError(f"unknown loss name {name!r}{hint}")


def _searchable(loss: Loss) -> list[str]:
    texts = [loss.key, loss.title, *loss.aliases, *loss.functions]
    for support in loss.frameworks:
        for implementation in support.implementations or ():
            texts.extend(implementation.api)
    return [normalize(text) for text in texts]


def search(query: str) -> tuple[Loss, ...]:
    """Return the entries whose names, aliases, functions or layers contain ``query``.

    Parameters
    ----------
    query : str
        Any part of a name, e.g. ``"logistic"`` or ``"SoftmaxWithLoss"``. Case, spaces, hyphens
        and underscores are ignored. An empty query matches every entry.

    Returns
    -------
    tuple of Loss
        The matching entries, in book order; empty if none matches.

    Raises
    ------
    TypeError
        If ``query`` is not a str.

    Examples
    --------
    >>> from crossent.names import search
    >>> [loss.key for loss in search("BCEWithLogitsLoss")]
    ['sigmoid_binary_cross_entropy']
    >>> [loss.key for loss in search("SoftmaxWithLoss")]
    ['softmax_cross_entropy']
    """
    wanted = normalize(require_str(query, "query"))
    return tuple(loss for loss in LOSSES if any(wanted in text for text in _searchable(loss)))


def _framework_cell(support: FrameworkSupport) -> str:
    if support.implementations is None:
        return "no built-in"
    return "; ".join(implementation.api[0] for implementation in support.implementations)


def _row(loss: Loss) -> dict[str, str]:
    row = {
        "key": loss.key,
        "name": loss.title,
        "is": loss.summary,
        "aliases": ", ".join(loss.aliases),
        "task": loss.task,
        "activation": loss.activation,
        "prediction": loss.prediction,
        "target": loss.target,
        "formula": loss.formula,
        "gradient": loss.gradient,
        "crossent": ", ".join(loss.functions),
        "chapter": loss.chapter,
    }
    for support in loss.frameworks:
        row[_FRAMEWORK_COLUMNS[support.framework]] = _framework_cell(support)
    return row


def table(
    losses: tuple[Loss, ...] | list[Loss] | None = None,
    columns: tuple[str, ...] | list[str] | None = None,
) -> list[dict[str, str]]:
    """Return one row per entry, ready to render as a table.

    Parameters
    ----------
    losses : tuple or list of Loss, optional
        The entries to include, in the order given. Defaults to every entry of
        :data:`LOSSES`.
    columns : tuple or list of str, optional
        The columns to include, in the order given, from :data:`TABLE_COLUMNS`. Defaults
        to all of them.

    Returns
    -------
    list of dict
        One dict per entry mapping each column name to a str. ``formula`` and
        ``gradient`` hold LaTeX without ``$`` delimiters; each framework column lists the
        first name of every built-in, or says "no built-in". The rows are new objects:
        changing them does not change the registry.

    Raises
    ------
    TypeError
        If ``losses`` holds something other than :class:`Loss` entries, or ``columns``
        something other than str.
    ValueError
        If a column is not one of :data:`TABLE_COLUMNS`.

    Examples
    --------
    >>> from crossent.names import table
    >>> table(columns=["name", "pytorch"])[3]
    {'name': 'Sigmoid cross-entropy (binary cross-entropy with logits)', 'pytorch': 'torch.nn.BCEWithLogitsLoss; torch.nn.MultiLabelSoftMarginLoss; torch.nn.SoftMarginLoss'}
    """
    chosen_losses = LOSSES if losses is None else tuple(losses)
    for loss in chosen_losses:
        if not isinstance(loss, Loss):
            raise TypeError(f"losses must hold Loss entries, got {type(loss).__name__} {loss!r}")
    chosen_columns = TABLE_COLUMNS if columns is None else tuple(columns)
    for column in chosen_columns:
        if require_str(column, "each column") not in TABLE_COLUMNS:
            raise ValueError(f"columns must be taken from {TABLE_COLUMNS}, got {column!r}")
    rows = []
    for loss in chosen_losses:
        full = _row(loss)
        rows.append({column: full[column] for column in chosen_columns})
    return rows


_WIDTH = 88


def _field(label: str, text: str, indent: int = 2) -> list[str]:
    head = " " * indent + f"{label:<12}"
    return textwrap.wrap(
        text,
        width=_WIDTH,
        initial_indent=head,
        subsequent_indent=" " * len(head),
        break_on_hyphens=False,
    )


def _implementation_lines(implementation: Implementation) -> list[str]:
    lines = ["    " + " / ".join(implementation.api)]
    details = [
        ("prediction", implementation.prediction),
        ("target", implementation.target),
        ("class axis", implementation.class_axis),
        ("reduction", implementation.reduction),
        ("smoothing", implementation.label_smoothing),
        ("clipping", implementation.clipping),
    ]
    details.extend(("note", note) for note in implementation.notes)
    for label, text in details:
        lines.extend(_field(label, text, indent=6))
    return lines


def describe(loss: Loss) -> str:
    """Return a plain-text description of ``loss``: what it is, its names, its layers.

    Parameters
    ----------
    loss : Loss
        An entry of :data:`LOSSES`.

    Returns
    -------
    str
        Several lines of text, no wider than 88 characters except for long API names.

    Raises
    ------
    TypeError
        If ``loss`` is not a :class:`Loss`.

    Examples
    --------
    >>> from crossent.names import describe, get
    >>> print(describe(get("softmax_cross_entropy")).splitlines()[0])
    Softmax cross-entropy (categorical cross-entropy, softmax loss)  [softmax_cross_entropy]
    """
    if not isinstance(loss, Loss):
        raise TypeError(f"loss must be a Loss, got {type(loss).__name__} {loss!r}")
    lines = [f"{loss.title}  [{loss.key}]"]
    for label, text in (
        ("is", loss.summary),
        ("also called", ", ".join(loss.aliases)),
        ("task", loss.task),
        ("activation", loss.activation),
        ("prediction", loss.prediction),
        ("target", loss.target),
        ("formula", loss.formula),
        ("gradient", loss.gradient),
        ("crossent", ", ".join(f"crossent.{name}" for name in loss.functions)),
        ("chapter", loss.chapter),
    ):
        lines.extend(_field(label, text))
    for note in loss.notes:
        lines.extend(_field("note", note))
    for support in loss.frameworks:
        lines.append(f"  {support.framework}:")
        if support.implementations is None:
            lines.extend(_field("no built-in", support.note, indent=4))
            continue
        for implementation in support.implementations:
            lines.extend(_implementation_lines(implementation))
        if support.note:
            lines.extend(_field("note", support.note, indent=4))
    return "\n".join(lines)
