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
from dataclasses import dataclass
from typing import Any

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

FRAMEWORKS = ("PyTorch", "TensorFlow/Keras", "JAX/optax", "Caffe")
"""The frameworks every entry describes, in the order it describes them."""

CHAPTERS = (
    "book/foundations/cross_entropy",
    "book/losses/categorical_cross_entropy",
    "book/losses/binary_cross_entropy",
    "book/losses/multilabel_softmax",
)
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

# Lookups ignore case and these characters, so "Log-Loss", "log_loss" and "logloss" agree.
_IGNORED_IN_NAMES = str.maketrans("", "", " \t\n-_")


def _normalize(name: str) -> str:
    return name.lower().translate(_IGNORED_IN_NAMES)


def _require_str(value: Any, name: str) -> str:
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
    if not _require_str(value, name).strip():
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
        _require_str(self.note, "FrameworkSupport.note")
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
        wanted = _require_str(framework, "framework").lower()
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


# --------------------------------------------------------------------------------------
# The entries. Every framework fact below was checked against that framework's
# documentation or source; what could not be checked was left out.
# --------------------------------------------------------------------------------------

_KERAS_REDUCTION = (
    "'sum_over_batch_size' (default): the sum of the (sample-weighted) per-example losses "
    "divided by their number; also 'sum', 'mean_with_sample_weight', None"
)
_KERAS_LOGITS_WARNING = (
    "from_logits defaults to False: called on logits without from_logits=True, it treats "
    "them as probabilities and computes something else"
)
_TF1_REDUCTION = (
    "SUM_BY_NONZERO_WEIGHTS (default): the sum divided by the number of non-zero weights"
)
_PYTORCH_MEAN = "'mean' (default) over every element; 'sum'; 'none'"

_CROSS_ENTROPY = Loss(
    key="cross_entropy",
    title="Cross-entropy H(t, p)",
    summary=(
        "The cross-entropy of a predicted distribution p against a target distribution t, "
        "on probabilities, with no activation."
    ),
    aliases=(
        "cross-entropy",
        "H(t, p)",
        "H(p, q)",
        "categorical cross-entropy",
        "categorical cross-entropy loss",
        "sparse categorical cross-entropy",
        "cross-entropy loss",
        "multinomial logistic loss",
        "log loss",
        "negative log-likelihood",
        "negative log-likelihood loss",
        "NLL",
        "NLL loss",
    ),
    task="multi-class",
    activation="none (takes probabilities)",
    prediction="probabilities p (each row sums to 1)",
    target="a distribution t over the C classes: one-hot (a class index) or soft",
    formula=r"H(t, p) = -\sum_{i=0}^{C-1} t_i \log p_i",
    gradient=r"\frac{\partial H}{\partial p_i} = -\frac{t_i}{p_i}",
    functions=("cross_entropy",),
    chapter="book/foundations/cross_entropy",
    notes=(
        "H(t, p) = H(t) + KL(t || p): for a fixed target, minimising the cross-entropy "
        "minimises the Kullback-Leibler divergence.",
        "Information theory writes the target first, H(t, p); crossent.cross_entropy takes "
        "the prediction first, (probs, targets), as PyTorch and optax do.",
        "The softmax loss is this function applied to p = softmax(z); computing it from the "
        "logits avoids taking the log of a probability that has rounded to 0.",
    ),
    frameworks=(
        FrameworkSupport(
            "PyTorch",
            None,
            note=(
                "No PyTorch loss takes C-class probabilities. For class indices use "
                "torch.nn.functional.nll_loss(torch.log(p), y); for target distributions "
                "use -torch.xlogy(t, p).sum(dim=1), which takes 0 log 0 as 0. Do not pass "
                "probabilities to CrossEntropyLoss: it applies log_softmax to them again."
            ),
        ),
        FrameworkSupport(
            "TensorFlow/Keras",
            (
                Implementation(
                    api=(
                        "keras.losses.CategoricalCrossentropy()",
                        "keras.losses.categorical_crossentropy(y_true, y_pred)",
                    ),
                    prediction="probabilities (the default, from_logits=False)",
                    target="one-hot or soft targets, the same shape as the prediction",
                    class_axis="axis=-1 (last)",
                    reduction=_KERAS_REDUCTION,
                    label_smoothing=(
                        "label_smoothing=eps: t = (1 - eps) t + eps / C, the true class included"
                    ),
                    clipping=(
                        "rescales each row of p to sum to 1, then clips it to "
                        "[1e-7, 1 - 1e-7] (keras epsilon)"
                    ),
                    notes=("Also tf.keras.losses.CategoricalCrossentropy in TensorFlow.",),
                ),
                Implementation(
                    api=(
                        "keras.losses.SparseCategoricalCrossentropy()",
                        "keras.losses.sparse_categorical_crossentropy(y_true, y_pred)",
                    ),
                    prediction="probabilities (the default, from_logits=False)",
                    target="integer class indices",
                    class_axis="last axis",
                    reduction=_KERAS_REDUCTION,
                    label_smoothing="none (no label_smoothing argument)",
                    clipping=(
                        "clips p to [1e-7, 1 - 1e-7] (keras epsilon) and renormalises each row "
                        "(in an order that depends on the backend)"
                    ),
                    notes=("ignore_class= leaves out one class index.",),
                ),
            ),
        ),
        FrameworkSupport(
            "JAX/optax",
            None,
            note=(
                "optax has no cross-entropy on probabilities: use "
                "-jnp.sum(jax.scipy.special.xlogy(t, p), axis=-1). "
                "optax.kl_divergence(jnp.log(p), t) differs from it by the entropy H(t), "
                "a constant for a fixed target."
            ),
        ),
        FrameworkSupport(
            "Caffe",
            (
                Implementation(
                    api=("MultinomialLogisticLoss",),
                    prediction="probabilities (the output of a Softmax layer)",
                    target="integer class indices (a one-hot t)",
                    class_axis="every axis after the batch axis, flattened into one",
                    reduction="divides the sum by the batch size N",
                    clipping="clamps the probability of the true class to at least 1e-20",
                ),
            ),
            note="MultinomialLogisticLoss takes integer labels only, so t must be one-hot.",
        ),
    ),
)

_SOFTMAX_CROSS_ENTROPY = Loss(
    key="softmax_cross_entropy",
    title="Softmax cross-entropy (categorical cross-entropy, softmax loss)",
    summary=(
        "A softmax over the C logits followed by cross-entropy against the target, "
        "computed from the logits in one step."
    ),
    aliases=(
        "softmax cross-entropy",
        "softmax cross-entropy loss",
        "softmax cross-entropy with logits",
        "sparse softmax cross-entropy",
        "softmax loss",
        "softmax classifier",
        "multi-class logistic loss",
        "categorical cross-entropy",
        "categorical cross-entropy loss",
        "sparse categorical cross-entropy",
        "cross-entropy loss",
        "multinomial logistic loss",
        "negative log-likelihood",
        "negative log-likelihood loss",
        "NLL",
        "NLL loss",
    ),
    task="multi-class",
    activation="softmax",
    prediction="logits z (unnormalized scores)",
    target=(
        "a class index y, or a distribution t over the C classes that sums to 1 "
        "(one-hot, label-smoothed or soft)"
    ),
    formula=(
        r"L(z, t) = -\sum_{i=0}^{C-1} t_i \log \frac{e^{z_i}}{\sum_{j=0}^{C-1} e^{z_j}},"
        r" \qquad L(z, y) = \log \sum_{j=0}^{C-1} e^{z_j} - z_y"
    ),
    gradient=r"\frac{\partial L}{\partial z_i} = \operatorname{softmax}(z)_i - t_i",
    functions=("softmax_cross_entropy", "softmax_cross_entropy_with_integer_labels"),
    chapter="book/losses/categorical_cross_entropy",
    notes=(
        "With a one-hot target only the true class's term survives: L = -log softmax(z)_y. "
        "Integer labels are that one-hot target stored as an index, so one entry covers "
        "both; crossent has a function for each.",
        "It is the cross-entropy H(t, softmax(z)); taking the logits lets it use "
        "log-sum-exp instead of the log of a rounded probability.",
    ),
    frameworks=(
        FrameworkSupport(
            "PyTorch",
            (
                Implementation(
                    api=("torch.nn.CrossEntropyLoss", "torch.nn.functional.cross_entropy"),
                    prediction="logits",
                    target=(
                        "class indices, or class probabilities of the same shape as the logits"
                    ),
                    class_axis="dim 1 (dim 0 for an unbatched input of shape (C,))",
                    reduction=(
                        "'mean' (default): for class indices, the weighted mean over the "
                        "targets that are not ignored; for probabilities, the mean over the "
                        "N examples. Also 'sum', 'none'"
                    ),
                    label_smoothing=(
                        "label_smoothing=eps mixes eps / C into every class, the true class "
                        "included: t = (1 - eps) t + eps / C"
                    ),
                    notes=(
                        "weight= rescales each class; ignore_index (default -100) applies "
                        "to class indices only.",
                        "Documented as LogSoftmax followed by NLLLoss.",
                    ),
                ),
                Implementation(
                    api=(
                        "torch.nn.LogSoftmax(dim=1) + torch.nn.NLLLoss",
                        "torch.nn.functional.log_softmax + torch.nn.functional.nll_loss",
                    ),
                    prediction="log-probabilities (the output of log_softmax)",
                    target="class indices",
                    class_axis="dim 1",
                    reduction="'mean' (default), weighted by weight[y]; 'sum'; 'none'",
                    notes=(
                        "NLLLoss only picks -input[y]: it is the softmax loss when its input "
                        "is log_softmax of the logits, and something else otherwise.",
                    ),
                ),
            ),
        ),
        FrameworkSupport(
            "TensorFlow/Keras",
            (
                Implementation(
                    api=(
                        "keras.losses.CategoricalCrossentropy(from_logits=True)",
                        "keras.losses.categorical_crossentropy(y_true, y_pred, from_logits=True)",
                    ),
                    prediction="logits, only with from_logits=True",
                    target="one-hot or soft targets, the same shape as the logits",
                    class_axis="axis=-1 (last)",
                    reduction=_KERAS_REDUCTION,
                    label_smoothing=(
                        "label_smoothing=eps: t = (1 - eps) t + eps / C, the true class included"
                    ),
                    notes=(_KERAS_LOGITS_WARNING,),
                ),
                Implementation(
                    api=(
                        "keras.losses.SparseCategoricalCrossentropy(from_logits=True)",
                        "keras.losses.sparse_categorical_crossentropy(y_true, y_pred, "
                        "from_logits=True)",
                    ),
                    prediction="logits, only with from_logits=True",
                    target="integer class indices",
                    class_axis="last axis",
                    reduction=_KERAS_REDUCTION,
                    label_smoothing="none (no label_smoothing argument)",
                    notes=(_KERAS_LOGITS_WARNING, "ignore_class= leaves out one class index."),
                ),
                Implementation(
                    api=("tf.nn.softmax_cross_entropy_with_logits",),
                    prediction="logits",
                    target="a probability distribution per example",
                    class_axis="axis=-1 (last)",
                    reduction="none: one loss per example",
                    notes=(
                        "Its documentation warns that the gradient is incorrect if a row of "
                        "labels is not a valid probability distribution.",
                    ),
                ),
                Implementation(
                    api=("tf.nn.sparse_softmax_cross_entropy_with_logits",),
                    prediction="logits",
                    target="integer class indices in [0, C)",
                    class_axis="last axis",
                    reduction="none: one loss per example",
                    notes=("An out-of-range label raises an error on CPU and gives NaN on GPU.",),
                ),
                Implementation(
                    api=("tf.compat.v1.losses.softmax_cross_entropy",),
                    prediction="logits",
                    target="one-hot labels, the same shape as the logits",
                    class_axis="last axis",
                    reduction=_TF1_REDUCTION,
                    label_smoothing="label_smoothing=eps: t = (1 - eps) t + eps / C",
                    notes=("TensorFlow 1's tf.losses.softmax_cross_entropy.",),
                ),
            ),
        ),
        FrameworkSupport(
            "JAX/optax",
            (
                Implementation(
                    api=("optax.softmax_cross_entropy", "optax.losses.softmax_cross_entropy"),
                    prediction="logits",
                    target="one-hot or soft targets, the same shape as the logits",
                    class_axis="axis=-1 (last)",
                    reduction="none: one loss per example; average it yourself",
                    label_smoothing=(
                        "no argument: smooth first with optax.smooth_labels(labels, alpha), "
                        "which gives (1 - alpha) t + alpha / C"
                    ),
                ),
                Implementation(
                    api=(
                        "optax.softmax_cross_entropy_with_integer_labels",
                        "optax.losses.softmax_cross_entropy_with_integer_labels",
                    ),
                    prediction="logits",
                    target="integer class indices",
                    class_axis="axis=-1 (last)",
                    reduction="none: one loss per example; average it yourself",
                    label_smoothing="none (optax.smooth_labels needs one-hot labels)",
                    notes=(
                        "Computes logsumexp(z) - z_y, a difference of two nearly equal "
                        "numbers when the true class leads by far, so a tiny loss rounds "
                        "to 0.",
                    ),
                ),
            ),
        ),
        FrameworkSupport(
            "Caffe",
            (
                Implementation(
                    api=("SoftmaxWithLoss",),
                    prediction="logits",
                    target="integer class indices",
                    class_axis="softmax_param axis=1 (the channel axis) by default",
                    reduction=(
                        "loss_param normalization: VALID (default), the number of labels "
                        "that are not ignored; also FULL, BATCH_SIZE, NONE"
                    ),
                    clipping=(
                        "computes the softmax, then -log(max(p_y, FLT_MIN)): the loss of "
                        "one example saturates near 87.3"
                    ),
                    notes=("ignore_label= leaves out one label value.",),
                ),
            ),
            note="SoftmaxWithLoss takes integer labels only: no soft targets, no label smoothing.",
        ),
    ),
)

_BINARY_CROSS_ENTROPY = Loss(
    key="binary_cross_entropy",
    title="Binary cross-entropy (on probabilities)",
    summary=(
        "The cross-entropy of a Bernoulli prediction q against a target t, on "
        "probabilities, with no activation; one independent binary problem per output."
    ),
    aliases=(
        "binary cross-entropy",
        "binary cross-entropy loss",
        "BCE",
        "BCE loss",
        "log loss",
        "logistic loss",
    ),
    task="binary / multi-label",
    activation="none (takes probabilities)",
    prediction="probabilities q in [0, 1], one per output",
    target="t in [0, 1] per output: 0/1 labels or soft targets",
    formula=r"L(q, t) = -t \log q - (1 - t) \log(1 - q)",
    gradient=r"\frac{\partial L}{\partial q} = \frac{q - t}{q (1 - q)}",
    functions=("binary_cross_entropy",),
    chapter="book/losses/binary_cross_entropy",
    notes=(
        "The cross-entropy H(t, p) over two classes: the target (t, 1 - t) against the "
        "prediction (q, 1 - q).",
        "A probability rounded to exactly 0 or 1 makes the loss infinite, which is why the "
        "frameworks' versions on probabilities clamp or clip it; starting from the logits "
        "avoids the problem.",
    ),
    frameworks=(
        FrameworkSupport(
            "PyTorch",
            (
                Implementation(
                    api=("torch.nn.BCELoss", "torch.nn.functional.binary_cross_entropy"),
                    prediction="probabilities",
                    target="numbers in [0, 1], the same shape as the input",
                    class_axis="elementwise",
                    reduction=_PYTORCH_MEAN,
                    clipping="clamps each log to at least -100, so one term is at most 100",
                    notes=("weight= rescales the loss of each batch element.",),
                ),
            ),
        ),
        FrameworkSupport(
            "TensorFlow/Keras",
            (
                Implementation(
                    api=(
                        "keras.losses.BinaryCrossentropy()",
                        "keras.losses.binary_crossentropy(y_true, y_pred)",
                    ),
                    prediction="probabilities (the default, from_logits=False)",
                    target="0/1 or soft targets, the same shape as the prediction",
                    class_axis="elementwise, then the mean over axis=-1 (last)",
                    reduction=_KERAS_REDUCTION,
                    label_smoothing=(
                        "label_smoothing=eps squeezes toward 0.5: t = (1 - eps) t + eps / 2"
                    ),
                    clipping="clips q to [1e-7, 1 - 1e-7] (keras epsilon)",
                    notes=("Also tf.keras.losses.BinaryCrossentropy in TensorFlow.",),
                ),
                Implementation(
                    api=("tf.compat.v1.losses.log_loss",),
                    prediction="probabilities",
                    target="labels, the same shape as the predictions",
                    class_axis="elementwise",
                    reduction=_TF1_REDUCTION,
                    clipping="adds epsilon (default 1e-7) inside the logs",
                    notes=("TensorFlow 1's tf.losses.log_loss.",),
                ),
            ),
        ),
        FrameworkSupport(
            "JAX/optax",
            None,
            note=(
                "optax has no binary cross-entropy on probabilities: write "
                "-(t * jnp.log(q) + (1 - t) * jnp.log1p(-q)), or better keep the logits and "
                "call optax.sigmoid_binary_cross_entropy."
            ),
        ),
        FrameworkSupport(
            "Caffe",
            None,
            note=(
                "No Caffe layer computes it from one probability per output: feed the logits "
                "to SigmoidCrossEntropyLoss instead. For hard labels, MultinomialLogisticLoss "
                "on the two channels (1 - q, q) gives the same value."
            ),
        ),
    ),
)

_SIGMOID_BINARY_CROSS_ENTROPY = Loss(
    key="sigmoid_binary_cross_entropy",
    title="Sigmoid cross-entropy (binary cross-entropy with logits)",
    summary=(
        "A sigmoid on each logit followed by binary cross-entropy, computed from the logits "
        "in one step; one independent binary problem per output."
    ),
    aliases=(
        "sigmoid binary cross-entropy",
        "sigmoid cross-entropy",
        "sigmoid cross-entropy loss",
        "sigmoid cross-entropy with logits",
        "sigmoid loss",
        "binary cross-entropy with logits",
        "BCEWithLogits",
        "binary logistic loss",
        "binary cross-entropy",
        "binary cross-entropy loss",
        "BCE",
        "BCE loss",
        "logistic loss",
    ),
    task="binary / multi-label",
    activation="sigmoid",
    prediction="logits z, one per output",
    target="t in [0, 1] per output: 0/1 labels or soft targets",
    formula=(
        r"L(z, t) = -t \log \sigma(z) - (1 - t) \log\bigl(1 - \sigma(z)\bigr)"
        r" = \max(z, 0) - t z + \log\bigl(1 + e^{-|z|}\bigr),"
        r" \qquad q = \sigma(z) = \frac{1}{1 + e^{-z}}"
    ),
    gradient=r"\frac{\partial L}{\partial z} = \sigma(z) - t",
    functions=("sigmoid_binary_cross_entropy",),
    chapter="book/losses/binary_cross_entropy",
    notes=(
        "Binary cross-entropy applied to q = sigmoid(z).",
        "For one output it equals the softmax loss on the two logits (0, z).",
        "With labels written as +1 and -1 (2t - 1 for a 0/1 target t) it is "
        "log(1 + exp(-(2t - 1) z)), the loss of logistic regression.",
        "Summed or averaged over C outputs it is the usual multi-label loss: each class is "
        "decided independently of the others.",
    ),
    frameworks=(
        FrameworkSupport(
            "PyTorch",
            (
                Implementation(
                    api=(
                        "torch.nn.BCEWithLogitsLoss",
                        "torch.nn.functional.binary_cross_entropy_with_logits",
                    ),
                    prediction="logits",
                    target="numbers in [0, 1], the same shape as the input",
                    class_axis="elementwise",
                    reduction=_PYTORCH_MEAN,
                    notes=(
                        "pos_weight= multiplies the positive term (broadcast against the "
                        "target, per class); weight= rescales the loss of each batch element.",
                    ),
                ),
                Implementation(
                    api=(
                        "torch.nn.MultiLabelSoftMarginLoss",
                        "torch.nn.functional.multilabel_soft_margin_loss",
                    ),
                    prediction="logits",
                    target="0/1 labels of shape (N, C)",
                    class_axis="dim 1, averaged over the C classes of each example",
                    reduction="'mean' (default) over the N examples; 'sum'; 'none'",
                    notes=("Without weights it equals BCEWithLogitsLoss with reduction='mean'.",),
                ),
                Implementation(
                    api=("torch.nn.SoftMarginLoss", "torch.nn.functional.soft_margin_loss"),
                    prediction="logits",
                    target="labels -1 or +1",
                    class_axis="elementwise",
                    reduction=_PYTORCH_MEAN,
                    notes=(
                        "Computes log(1 + exp(-y z)) with PyTorch's label y = -1 or +1: the "
                        "sigmoid loss with t = (y + 1) / 2.",
                    ),
                ),
            ),
        ),
        FrameworkSupport(
            "TensorFlow/Keras",
            (
                Implementation(
                    api=(
                        "keras.losses.BinaryCrossentropy(from_logits=True)",
                        "keras.losses.binary_crossentropy(y_true, y_pred, from_logits=True)",
                    ),
                    prediction="logits, only with from_logits=True",
                    target="0/1 or soft targets, the same shape as the logits",
                    class_axis="elementwise, then the mean over axis=-1 (last)",
                    reduction=_KERAS_REDUCTION,
                    label_smoothing=(
                        "label_smoothing=eps squeezes toward 0.5: t = (1 - eps) t + eps / 2"
                    ),
                    notes=(
                        _KERAS_LOGITS_WARNING,
                        "The stable form on logits depends on the backend: TensorFlow "
                        "and JAX compute it from the logits, but Keras 3's NumPy backend "
                        "applies the sigmoid and then clips to [1e-7, 1 - 1e-7], as for "
                        "probabilities",
                    ),
                ),
                Implementation(
                    api=("tf.nn.sigmoid_cross_entropy_with_logits",),
                    prediction="logits",
                    target="labels in [0, 1], the same shape as the logits",
                    class_axis="elementwise",
                    reduction="none: one loss per element",
                    notes=("Its documentation calls this the logistic loss.",),
                ),
                Implementation(
                    api=("tf.nn.weighted_cross_entropy_with_logits",),
                    prediction="logits",
                    target="labels in [0, 1], the same shape as the logits",
                    class_axis="elementwise",
                    reduction="none: one loss per element",
                    notes=("pos_weight multiplies the positive term.",),
                ),
                Implementation(
                    api=("tf.compat.v1.losses.sigmoid_cross_entropy",),
                    prediction="logits",
                    target="multi_class_labels in {0, 1}, the same shape as the logits",
                    class_axis="elementwise",
                    reduction=_TF1_REDUCTION,
                    label_smoothing=(
                        "label_smoothing=eps squeezes toward 1/2: t = (1 - eps) t + eps / 2"
                    ),
                    notes=("TensorFlow 1's tf.losses.sigmoid_cross_entropy.",),
                ),
            ),
        ),
        FrameworkSupport(
            "JAX/optax",
            (
                Implementation(
                    api=(
                        "optax.sigmoid_binary_cross_entropy",
                        "optax.losses.sigmoid_binary_cross_entropy",
                    ),
                    prediction="logits",
                    target="labels in [0, 1] (0/1 or soft), the same shape as the logits",
                    class_axis="elementwise",
                    reduction="none: one loss per element; average it yourself",
                    label_smoothing="none: smooth the labels yourself",
                ),
            ),
        ),
        FrameworkSupport(
            "Caffe",
            (
                Implementation(
                    api=("SigmoidCrossEntropyLoss",),
                    prediction="logits",
                    target="targets in [0, 1], as many as the logits",
                    class_axis="elementwise",
                    reduction=(
                        "loss_param normalization: BATCH_SIZE by default (for historical "
                        "reasons; SoftmaxWithLoss defaults to VALID), the sum over every "
                        "element divided by N"
                    ),
                ),
            ),
        ),
    ),
)

_MULTILABEL_SOFTMAX_CROSS_ENTROPY = Loss(
    key="multilabel_softmax_cross_entropy",
    title="Multi-label softmax cross-entropy (Mahajan et al. 2018)",
    summary=(
        "A softmax over the C logits, with the target spread evenly over the M positive "
        "classes: each positive's -log softmax weighted 1/M."
    ),
    aliases=(
        "multi-label softmax cross-entropy",
        "multi-label softmax loss",
        "multi-label softmax",
    ),
    task="multi-label",
    activation="softmax",
    prediction="logits z (unnormalized scores)",
    target="a 0/1 vector t with at least one positive; M = the number of positives",
    formula=(
        r"L(z, t) = -\frac{1}{M} \sum_{i=0}^{C-1} t_i \log \frac{e^{z_i}}{\sum_{j=0}^{C-1} e^{z_j}},"
        r" \qquad M = \sum_{i=0}^{C-1} t_i"
    ),
    gradient=r"\frac{\partial L}{\partial z_i} = \operatorname{softmax}(z)_i - \frac{t_i}{M}",
    functions=("multilabel_softmax_cross_entropy",),
    chapter="book/losses/multilabel_softmax",
    notes=(
        "It is the softmax loss with the soft target t / M, so any framework's soft-target "
        "softmax loss computes it.",
        "Mahajan et al. (2018) report that, for their multi-label problem, it worked better "
        "than the sigmoid loss; the 1/M makes the loss invariant to the number of positives.",
    ),
    frameworks=(
        FrameworkSupport(
            "PyTorch",
            None,
            note=(
                "torch.nn.functional.cross_entropy(logits, t / t.sum(dim=1, "
                "keepdim=True)), with probability targets. MultiLabelSoftMarginLoss is the "
                "sigmoid loss, not this one."
            ),
        ),
        FrameworkSupport(
            "TensorFlow/Keras",
            None,
            note=(
                "keras.losses.CategoricalCrossentropy(from_logits=True) on the targets "
                "t / keras.ops.sum(t, axis=-1, keepdims=True)."
            ),
        ),
        FrameworkSupport(
            "JAX/optax",
            None,
            note=("optax.softmax_cross_entropy(logits, t / t.sum(axis=-1, keepdims=True))."),
        ),
        FrameworkSupport(
            "Caffe",
            None,
            note=(
                "SoftmaxWithLoss and MultinomialLogisticLoss take one integer label per "
                "example, so it needs a custom layer, such as a Python layer computing "
                "softmax(z) - t / M as its gradient."
            ),
        ),
    ),
)

LOSSES: tuple[Loss, ...] = (
    _CROSS_ENTROPY,
    _SOFTMAX_CROSS_ENTROPY,
    _BINARY_CROSS_ENTROPY,
    _SIGMOID_BINARY_CROSS_ENTROPY,
    _MULTILABEL_SOFTMAX_CROSS_ENTROPY,
)
"""Every canonical loss, in the order the book introduces them."""

_NLL_NOTE = (
    "Every loss here is a negative log-likelihood; as a loss name it means the "
    "categorical one. PyTorch's NLLLoss takes log-probabilities and returns -input[y]: "
    "after log_softmax of the logits that is the softmax loss, after the log of given "
    "probabilities it is H(t, p) with a one-hot t."
)
_BCE_NOTE = (
    "Strictly, binary cross-entropy takes probabilities (PyTorch's BCELoss, Keras's "
    "BinaryCrossentropy by default, crossent.binary_cross_entropy). The name is just as "
    "often used for the sigmoid loss on logits, as in 'binary cross-entropy, also called "
    "sigmoid cross-entropy'."
)
_CATEGORICAL_NOTE = (
    "Most texts mean the softmax loss, on logits. Keras's CategoricalCrossentropy and "
    "SparseCategoricalCrossentropy compute H(t, p) on probabilities by default "
    "(from_logits=False); with from_logits=True they take logits and compute the softmax "
    "loss."
)

# Why each shared name is shared. The keys are compared after normalisation.
_AMBIGUITY_NOTES = {
    "categorical cross-entropy": _CATEGORICAL_NOTE,
    "categorical cross-entropy loss": _CATEGORICAL_NOTE,
    "sparse categorical cross-entropy": _CATEGORICAL_NOTE,
    "cross-entropy loss": (
        "PyTorch's CrossEntropyLoss is log_softmax followed by NLLLoss, on logits: the "
        "softmax loss. scikit-learn's log_loss ('aka logistic loss or cross-entropy loss') "
        "and the textbook cross-entropy loss, -sum t_i log p_i on scores p that have "
        "already been through an activation, take probabilities: H(t, p)."
    ),
    "multinomial logistic loss": (
        "In statistics it is the loss of multinomial logistic regression, on the linear "
        "scores: the softmax loss. Caffe's MultinomialLogisticLoss layer takes probabilities "
        "(the output of a Softmax layer), so it computes H(t, p) with a one-hot t; Caffe's "
        "fused softmax version is SoftmaxWithLoss."
    ),
    "log loss": (
        "scikit-learn's log_loss and TensorFlow 1's tf.compat.v1.losses.log_loss take "
        "probabilities. For 0/1 targets it is binary cross-entropy; scikit-learn's also "
        "accepts probabilities over C classes, which makes it H(t, p) with a one-hot t."
    ),
    "logistic loss": (
        "On a logit z with labels written as +1 and -1 (2t - 1 for a 0/1 target t), the "
        "logistic loss log(1 + exp(-(2t - 1) z)) is the sigmoid cross-entropy, and "
        "TensorFlow's documentation calls "
        "sigmoid_cross_entropy_with_logits the logistic loss. scikit-learn uses it as "
        "another name for log loss, which takes probabilities."
    ),
    "binary cross-entropy": _BCE_NOTE,
    "binary cross-entropy loss": _BCE_NOTE,
    "BCE": _BCE_NOTE,
    "BCE loss": _BCE_NOTE,
    "negative log-likelihood": _NLL_NOTE,
    "negative log-likelihood loss": _NLL_NOTE,
    "NLL": _NLL_NOTE,
    "NLL loss": _NLL_NOTE,
}


def _build_aliases(losses: tuple[Loss, ...], notes: dict[str, str]) -> tuple[Alias, ...]:
    spelled: dict[str, str] = {}
    owners: dict[str, list[Loss]] = {}
    for loss in losses:
        for name in loss.aliases:
            normalized = _normalize(name)
            if loss in owners.get(normalized, ()):
                raise ValueError(
                    f"{loss.key} lists the name {name!r} twice (as "
                    f"{spelled[normalized]!r} and {name!r}); names compare without case, "
                    "spaces, hyphens and underscores"
                )
            spelled.setdefault(normalized, name)
            owners.setdefault(normalized, []).append(loss)
    normalized_notes = {_normalize(name): note for name, note in notes.items()}
    stray = [name for name in notes if len(owners.get(_normalize(name), ())) < 2]
    if stray:
        raise ValueError(f"ambiguity notes for names that are not ambiguous: {stray}")
    return tuple(
        Alias(spelled[normalized], tuple(entries), normalized_notes.get(normalized, ""))
        for normalized, entries in owners.items()
    )


ALIASES: tuple[Alias, ...] = _build_aliases(LOSSES, _AMBIGUITY_NOTES)
"""Every name in the registry and the entries it denotes, ambiguous names with a note."""

_ALIAS_INDEX = {_normalize(alias.name): alias for alias in ALIASES}
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
    candidates = {_normalize(alias.name): alias.name for alias in ALIASES}
    candidates.update({_normalize(loss.key): loss.key for loss in LOSSES})
    wanted = _normalize(_require_str(name, "name"))
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
    _require_str(key, "key")
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
    return _ALIAS_INDEX.get(_normalize(_require_str(name, "name")))


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
    if not _require_str(name, "name").strip():
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
    return [_normalize(text) for text in texts]


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
    wanted = _normalize(_require_str(query, "query"))
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
        if _require_str(column, "each column") not in TABLE_COLUMNS:
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
