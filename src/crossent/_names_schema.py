"""The schema of the registry of names: the types of its entries and the checks they make.

This module is private. :mod:`crossent.names` re-exports and documents every name in
``__all__`` here; the entries themselves are written in :mod:`crossent._names_data` with
these types. Each type checks its fields when it is created, so a malformed entry fails when
the registry is imported, not when it is queried.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "CHAPTERS",
    "FRAMEWORKS",
    "Alias",
    "FrameworkSupport",
    "Implementation",
    "Loss",
    "normalize",
    "require_str",
]

# The frameworks every entry describes, in the order it describes them.
FRAMEWORKS = ("PyTorch", "TensorFlow/Keras", "JAX/optax", "Caffe")

# The book chapters (Sphinx docnames) that derive the losses.
CHAPTERS = (
    "book/foundations/cross_entropy",
    "book/losses/categorical_cross_entropy",
    "book/losses/binary_cross_entropy",
    "book/losses/multilabel_softmax",
)

# Lookups ignore case and these characters, so "Log-Loss", "log_loss" and "logloss" agree.
_IGNORED_IN_NAMES = str.maketrans("", "", " \t\n-_")


def normalize(name: str) -> str:
    return name.lower().translate(_IGNORED_IN_NAMES)


def require_str(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__} {value!r}")
    return value


def _require_tuple_of_str(value: Any, name: str, *, allow_empty: bool = False) -> None:
    # Lists would make a frozen entry mutable after all; only tuples are accepted.
    if not isinstance(value, tuple) or not all(isinstance(item, str) for item in value):
        raise TypeError(f"{name} must be a tuple of str, got {type(value).__name__} {value!r}")
    if not allow_empty and not value:
        raise ValueError(f"{name} must not be empty, got {value!r}")


def _require_text(value: Any, name: str) -> None:
    if not require_str(value, name).strip():
        raise ValueError(f"{name} must be a non-empty str, got {value!r}")


@dataclass(frozen=True)
class Implementation:
    """One layer or function of a framework that computes a loss.

    Attributes
    ----------
    api : tuple
        The names to call, as str: the class (layer) form first, then the functional
        form when the framework has one, e.g. ``("torch.nn.BCELoss",
        "torch.nn.functional.binary_cross_entropy")``.
    prediction : str
        What it expects as the prediction: logits, probabilities or log-probabilities.
    target : str
        What it expects as the target.
    class_axis : str
        The axis that holds the classes, or "elementwise" for per-output losses.
    reduction : str
        How the per-example losses are combined by default, and the alternatives.
    label_smoothing : str
        The label-smoothing convention, or "none" when it has no such option.
    clipping : str
        What it clips or clamps to avoid ``log(0)``, or "none".
    notes : tuple
        Further differences that change a result, as str.
    """

    api: tuple[str, ...]
    prediction: str
    target: str
    class_axis: str
    reduction: str
    label_smoothing: str = "none"
    clipping: str = "none"
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _require_tuple_of_str(self.api, "Implementation.api")
        for field in (
            "prediction",
            "target",
            "class_axis",
            "reduction",
            "label_smoothing",
            "clipping",
        ):
            _require_text(getattr(self, field), f"Implementation.{field}")
        _require_tuple_of_str(self.notes, "Implementation.notes", allow_empty=True)


@dataclass(frozen=True)
class FrameworkSupport:
    """What one framework offers for one loss.

    Attributes
    ----------
    framework : str
        One of :data:`FRAMEWORKS`.
    implementations : tuple or None
        The :class:`Implementation` objects that compute the loss, or None when the
        framework has no built-in for it.
    note : str
        Required when ``implementations`` is None: how to build the loss from what the
        framework does have. Optional otherwise.
    """

    framework: str
    implementations: tuple[Implementation, ...] | None
    note: str = ""

    def __post_init__(self) -> None:
        if self.framework not in FRAMEWORKS:
            raise ValueError(
                f"FrameworkSupport.framework must be one of {FRAMEWORKS}, got {self.framework!r}"
            )
        require_str(self.note, "FrameworkSupport.note")
        if self.implementations is None:
            if not self.note.strip():
                raise ValueError(
                    f"FrameworkSupport for {self.framework} has no built-in "
                    "(implementations=None), so its note must say how to build the loss; "
                    "got an empty note"
                )
            return
        if not isinstance(self.implementations, tuple) or not all(
            isinstance(item, Implementation) for item in self.implementations
        ):
            raise TypeError(
                "FrameworkSupport.implementations must be a tuple of Implementation or None, "
                f"got {type(self.implementations).__name__} {self.implementations!r}"
            )
        if not self.implementations:
            raise ValueError(
                f"FrameworkSupport for {self.framework} got an empty tuple of "
                "implementations; use None (with a note) for no built-in"
            )

    @property
    def builtin(self) -> bool:
        """Whether the framework computes the loss with a built-in layer or function."""
        return self.implementations is not None


@dataclass(frozen=True)
class Loss:
    """One canonical loss, with every name and implementation it goes by.

    Attributes
    ----------
    key : str
        A stable identifier, e.g. ``"softmax_cross_entropy"``.
    title : str
        The canonical name used in the book.
    summary : str
        What the loss is, in one sentence.
    aliases : tuple
        Every name (str) that denotes this loss. A name shared with another entry is
        ambiguous, and :data:`ALIASES` explains it.
    task : str
        The classification task: multi-class, multi-label, binary.
    activation : str
        The output activation folded into the loss, or "none (takes probabilities)".
    prediction : str
        What the loss takes as its prediction: logits or probabilities.
    target : str
        What the loss takes as its target.
    formula : str
        The loss of one example, in LaTeX (without ``$`` delimiters).
    gradient : str
        The gradient of :attr:`formula` with respect to the prediction (the logits for the
        losses that take logits), in LaTeX (without ``$`` delimiters).
    functions : tuple
        The names (str) of the ``crossent`` functions that compute the loss.
    chapter : str
        The docname of the book chapter that derives it, one of :data:`CHAPTERS`.
    frameworks : tuple
        One :class:`FrameworkSupport` per framework, in the order of :data:`FRAMEWORKS`.
    notes : tuple
        Facts (str) that relate this loss to the others.
    """

    key: str
    title: str
    summary: str
    aliases: tuple[str, ...]
    task: str
    activation: str
    prediction: str
    target: str
    formula: str
    gradient: str
    functions: tuple[str, ...]
    chapter: str
    frameworks: tuple[FrameworkSupport, ...]
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for field in (
            "key",
            "title",
            "summary",
            "task",
            "activation",
            "prediction",
            "target",
            "formula",
            "gradient",
        ):
            _require_text(getattr(self, field), f"Loss.{field}")
        _require_tuple_of_str(self.aliases, "Loss.aliases")
        _require_tuple_of_str(self.functions, "Loss.functions")
        _require_tuple_of_str(self.notes, "Loss.notes", allow_empty=True)
        if self.chapter not in CHAPTERS:
            raise ValueError(f"Loss.chapter must be one of {CHAPTERS}, got {self.chapter!r}")
        if not isinstance(self.frameworks, tuple) or not all(
            isinstance(item, FrameworkSupport) for item in self.frameworks
        ):
            raise TypeError(
                "Loss.frameworks must be a tuple of FrameworkSupport, "
                f"got {type(self.frameworks).__name__} {self.frameworks!r}"
            )
        covered = tuple(support.framework for support in self.frameworks)
        if covered != FRAMEWORKS:
            raise ValueError(
                f"Loss.frameworks must describe {FRAMEWORKS} in that order, got {covered}"
            )

    def support(self, framework: str) -> FrameworkSupport:
        """Return what ``framework`` (one of :data:`FRAMEWORKS`) offers for this loss.

        Parameters
        ----------
        framework : str
            A framework name, e.g. ``"PyTorch"``; case-insensitive.

        Returns
        -------
        FrameworkSupport
            The entry for that framework.

        Raises
        ------
        TypeError
            If ``framework`` is not a str.
        ValueError
            If ``framework`` is not one of :data:`FRAMEWORKS`.

        Examples
        --------
        >>> from crossent.names import get
        >>> get("sigmoid_binary_cross_entropy").support("pytorch").implementations[0].api[0]
        'torch.nn.BCEWithLogitsLoss'
        """
        wanted = require_str(framework, "framework").lower()
        for support in self.frameworks:
            if support.framework.lower() == wanted:
                return support
        raise ValueError(f"framework must be one of {FRAMEWORKS}, got {framework!r}")


@dataclass(frozen=True)
class Alias:
    """A name and the entries it denotes.

    Attributes
    ----------
    name : str
        The name, spelled as the registry spells it.
    losses : tuple
        The :class:`Loss` entries it denotes, in book order. More than one means the
        name is ambiguous.
    note : str
        Why the name means more than one loss; empty for an unambiguous name.
    """

    name: str
    losses: tuple[Loss, ...]
    note: str = ""

    def __post_init__(self) -> None:
        _require_text(self.name, "Alias.name")
        if not isinstance(self.losses, tuple) or not self.losses:
            raise ValueError(f"Alias.losses must be a non-empty tuple, got {self.losses!r}")
        if self.ambiguous and not self.note.strip():
            keys = [loss.key for loss in self.losses]
            raise ValueError(
                f"the name {self.name!r} denotes {len(keys)} losses {keys}, so it needs a "
                "note explaining the ambiguity; got an empty note"
            )

    @property
    def ambiguous(self) -> bool:
        """Whether the name denotes more than one loss."""
        return len(self.losses) > 1
