r"""Categorical cross-entropy: one class out of :math:`C`.

A multi-class classifier answers one question per example, "which of the :math:`C`
classes is it?", with a probability distribution :math:`p` over the classes. Against a
target distribution :math:`t` (one-hot for a hard label, anything on the simplex for a
soft one) its loss is the cross-entropy

.. math::

    H(t, p) = -\sum_{i=0}^{C-1} t_i \log p_i,

which for a one-hot target on class :math:`y` is just :math:`-\log p_y`. Three functions
compute it, by what the caller holds:

- :func:`cross_entropy` takes the probabilities :math:`p` themselves;
- :func:`softmax_cross_entropy` takes logits :math:`z`, with :math:`p =
  \operatorname{softmax}(z)`, and target distributions;
- :func:`softmax_cross_entropy_with_integer_labels` takes logits and class indices, the
  common case, without ever building a one-hot matrix.

The two logit losses never form :math:`p`. With :math:`m = \max_j z_j` the row maximum,
reached at index :math:`r`, and :math:`S = \sum_{j \ne r} e^{z_j - m}`,

.. math::

    -\log \operatorname{softmax}(z)_i = (m - z_i) + \operatorname{log1p}(S),

a sum of two non-negative numbers: no overflow for any finite logit, no cancellation, and
a confident correct prediction (label :math:`y = r`) costs exactly
:math:`\operatorname{log1p}(S)`, to full precision, where ``logsumexp(z) - z[y]`` returns
0. The gradient with respect to the logits is :math:`\operatorname{softmax}(z) - t`;
at a correct confident label it is :math:`-S / (1 + S)`, again computed without
cancellation.

Each loss ``L`` has two partners with the same parameters: ``L_grad``, the gradient of
``L`` with respect to its first argument (probabilities for :func:`cross_entropy`,
logits for the others), and ``L_value_and_grad``, both in one pass. The options and
their semantics are those of PyTorch's ``torch.nn.functional.cross_entropy``; the few
deliberate differences are listed in each function's Notes.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from crossent._reduction import check_reduction, reduce_losses
from crossent._validation import (
    as_float_array,
    class_axis,
    require_finite_nonnegative,
    require_same_shape,
    require_unit_interval,
)
from crossent.activations import _tail_sum

__all__ = [
    "cross_entropy",
    "cross_entropy_grad",
    "cross_entropy_value_and_grad",
    "softmax_cross_entropy",
    "softmax_cross_entropy_grad",
    "softmax_cross_entropy_value_and_grad",
    "softmax_cross_entropy_with_integer_labels",
    "softmax_cross_entropy_with_integer_labels_grad",
    "softmax_cross_entropy_with_integer_labels_value_and_grad",
]

# Entries per block of rows: the logits are processed a block at a time, so that the
# temporaries of a block stay in cache and none of them is the size of the logits.
_BLOCK_ENTRIES = 1 << 19

# The float32 fast path for integer labels is tried only for rows of at least this many
# classes; below that, the exponentials are cheap and the exact path costs about the same.
_FAST_MIN_CLASSES = 128

# Rows of at most this many classes are computed class-major: NumPy reduces a short
# last axis row by row, at a cost per row (see _LabelPass._exact_short_rows).
_SHORT_ROWS = 16

# Below this S, a short float32 row's S is summed again without the maximal entry: the
# sum of all terms less 1 would lose the digits of a confident row's tiny S.
_SHORT_EXACT_TAIL = 2.0**-20

# Unit roundoff of float32.
_U32 = 2.0**-24

# NumPy's own accuracy tests allow 3 ulp for float32 exp; an ulp is at most 2u relative.
_EXP32_RELATIVE_ERROR = 6.0 * _U32


# ---------------------------------------------------------------------------------------
# Cross-entropy of probability distributions
# ---------------------------------------------------------------------------------------


def cross_entropy(
    probs: Any, targets: Any, *, axis: Any = -1, reduction: str = "mean", validate: bool = True
) -> Any:
    r"""The cross-entropy :math:`H(t, p)` of predicted probabilities ``probs`` against ``targets``.

    Parameters
    ----------
    probs : array_like
        Predicted probabilities :math:`p`, shape ``(..., C, ...)`` with the classes along
        ``axis``; real dtype, every entry in :math:`[0, 1]`.
    targets : array_like
        Target probabilities :math:`t` (one-hot or soft), the shape of ``probs``, every
        entry in :math:`[0, 1]`.
    axis : int, optional
        The class axis (default the last).
    reduction : str, optional
        ``"mean"`` (the default: the mean over examples), ``"sum"``, or ``"none"`` (one
        loss per example, the shape of ``probs`` without ``axis``).
    validate : bool, optional
        If True (the default), check that every entry of ``probs`` and ``targets`` lies in
        :math:`[0, 1]` (a pass over each). Shapes and types are always checked.

    Returns
    -------
    float or ndarray
        The loss, in the dtype NumPy promotes ``probs`` and ``targets`` to (float32 if
        both are float32; float64 for integer or bool input): a NumPy scalar for
        ``"mean"`` and ``"sum"``, an array for ``"none"`` (a NumPy scalar if ``probs`` is
        1-d).

    Raises
    ------
    TypeError
        If ``probs`` or ``targets`` is not real, or ``axis``, ``reduction`` or
        ``validate`` has the wrong type.
    ValueError
        If ``targets`` does not have the shape of ``probs``, ``probs`` is 0-d or has no
        classes, ``axis`` is out of range, ``reduction`` is unknown, or (with
        ``validate``) an entry of ``probs`` or ``targets`` is outside :math:`[0, 1]` (NaN
        included); the message names the first such entry.

    See Also
    --------
    cross_entropy_grad : the gradient with respect to ``probs``.
    softmax_cross_entropy : the same loss from logits, which a model should use.

    Notes
    -----
    For each example (each row along ``axis``), with :math:`p` the row of ``probs`` and
    :math:`t` the row of ``targets``,

    .. math::

        H(t, p) = -\sum_{i=0}^{C-1} t_i \log p_i,

    with the convention :math:`0 \log 0 = 0` of information theory: a class with
    :math:`t_i = 0` contributes nothing, even where :math:`p_i = 0`. The logarithm is
    exact, with no epsilon added: a class with :math:`t_i > 0` and :math:`p_i = 0` costs
    ``inf``, which is the true value. float16 and float32 input is computed in float64
    and rounded once. The target comes first in :math:`H(t, p)`, as in information
    theory; the arguments come prediction first, as in PyTorch and optax.

    The rows of ``probs`` and ``targets`` are not required to sum to 1. :math:`H(t, p)`
    and its gradient are well defined for any non-negative :math:`p` and :math:`t`, and
    the gradient of :func:`cross_entropy_grad` is the derivative with respect to every
    :math:`p_i` independently; a check that rows sum to 1 would reject every step of a
    finite difference, and reject float32 softmax outputs whose sums differ from 1 by
    rounding. Entries outside :math:`[0, 1]` are rejected because they are never
    probabilities.

    Equivalents: ``-torch.special.xlogy(targets, probs).sum(dim)`` in PyTorch (``xlogy``
    takes :math:`0 \log 0` as 0, as this function does; PyTorch has no loss on
    probabilities for more than two classes, and ``torch.nn.NLLLoss`` takes
    log-probabilities); ``tf.keras.losses.categorical_crossentropy(targets, probs)``
    (target first; it rescales each row of ``probs`` to sum to 1 and clips it to
    :math:`[10^{-7}, 1 - 10^{-7}]`, so its loss never exceeds about 16.1).

    References
    ----------
    Cover, T. M. and Thomas, J. A. (2006). Elements of Information Theory, 2nd ed.
    Wiley. (Relative entropy, and the expected code length under the wrong
    distribution, which is the cross-entropy.)

    Examples
    --------
    >>> import numpy as np
    >>> from crossent.categorical import cross_entropy
    >>> p = np.array([0.23, 0.63, 0.14])  # cat, dog, bird
    >>> t = np.array([0.0, 1.0, 0.0])  # it is a dog
    >>> cross_entropy(p, t)  # -log 0.63
    np.float64(0.4620354595965587)
    >>> cross_entropy(np.array([[0.5, 0.5], [1.0, 0.0]]), np.array([[1.0, 0.0], [0.0, 1.0]]),
    ...               reduction="none")
    array([0.69314718,        inf])
    """
    loss, _ = _probability_cross_entropy(
        probs, targets, axis, reduction, validate, want_grad=False
    )
    return loss


def cross_entropy_grad(
    probs: Any, targets: Any, *, axis: Any = -1, reduction: str = "mean", validate: bool = True
) -> np.ndarray:
    r"""The gradient of :func:`cross_entropy` with respect to the probabilities ``probs``.

    Parameters
    ----------
    probs : array_like
        Predicted probabilities :math:`p` in :math:`[0, 1]`, classes along ``axis``.
    targets : array_like
        Target probabilities :math:`t` in :math:`[0, 1]`, the shape of ``probs``.
    axis : int, optional
        The class axis (default the last).
    reduction : str, optional
        ``"mean"``, ``"sum"`` or ``"none"``, as for :func:`cross_entropy`; with
        ``"none"`` each example's own gradient (the gradient of the sum of the losses).
    validate : bool, optional
        If True (the default), check that ``probs`` and ``targets`` lie in
        :math:`[0, 1]`.

    Returns
    -------
    ndarray
        :math:`\partial L / \partial p`, the shape of ``probs``, in the dtype of the loss.

    Raises
    ------
    TypeError
        As for :func:`cross_entropy`.
    ValueError
        As for :func:`cross_entropy`.

    See Also
    --------
    cross_entropy : the loss.
    softmax_cross_entropy_grad : the gradient with respect to logits.

    Notes
    -----
    .. math::

        \frac{\partial H(t, p)}{\partial p_i} = -\frac{t_i}{p_i},

    times :math:`1/N` for ``"mean"`` over :math:`N` examples. This is the derivative
    with respect to the probabilities, not the logits: it is :math:`-\infty` where
    :math:`p_i = 0 < t_i`, and 0 wherever :math:`t_i = 0` (the convention
    :math:`0 \log 0 = 0` makes those terms constant). Composed with the softmax Jacobian
    it gives :math:`\operatorname{softmax}(z) - t`, the gradient with respect to the
    logits :math:`z` that :func:`softmax_cross_entropy_grad` computes directly; writing
    :math:`p - t` for the gradient with respect to :math:`p` is a common mistake.

    Examples
    --------
    >>> import numpy as np
    >>> from crossent.categorical import cross_entropy_grad
    >>> cross_entropy_grad(np.array([0.25, 0.5, 0.25]), np.array([0.0, 1.0, 0.0]))
    array([ 0., -2.,  0.])
    """
    _, grad = _probability_cross_entropy(
        probs, targets, axis, reduction, validate, want_grad=True
    )
    return grad


def cross_entropy_value_and_grad(
    probs: Any, targets: Any, *, axis: Any = -1, reduction: str = "mean", validate: bool = True
) -> tuple[Any, np.ndarray]:
    r""":func:`cross_entropy` and :func:`cross_entropy_grad` together.

    Parameters
    ----------
    probs : array_like
        Predicted probabilities :math:`p` in :math:`[0, 1]`, classes along ``axis``.
    targets : array_like
        Target probabilities :math:`t` in :math:`[0, 1]`, the shape of ``probs``.
    axis : int, optional
        The class axis (default the last).
    reduction : str, optional
        ``"mean"``, ``"sum"`` or ``"none"``.
    validate : bool, optional
        If True (the default), check that ``probs`` and ``targets`` lie in
        :math:`[0, 1]`.

    Returns
    -------
    loss : float or ndarray
        As returned by :func:`cross_entropy`.
    grad : ndarray
        As returned by :func:`cross_entropy_grad`.

    Raises
    ------
    TypeError
        As for :func:`cross_entropy`.
    ValueError
        As for :func:`cross_entropy`.

    See Also
    --------
    cross_entropy : the loss alone.
    cross_entropy_grad : the gradient alone.

    Examples
    --------
    >>> import numpy as np
    >>> from crossent.categorical import cross_entropy_value_and_grad
    >>> loss, grad = cross_entropy_value_and_grad(np.array([0.5, 0.5]), np.array([1.0, 0.0]))
    >>> loss, grad
    (np.float64(0.6931471805599453), array([-2.,  0.]))
    """
    return _probability_cross_entropy(probs, targets, axis, reduction, validate, want_grad=True)


# ---------------------------------------------------------------------------------------
# Softmax cross-entropy with target distributions
# ---------------------------------------------------------------------------------------


def softmax_cross_entropy(
    logits: Any,
    targets: Any,
    *,
    axis: Any = -1,
    weight: Any = None,
    label_smoothing: float = 0.0,
    reduction: str = "mean",
    validate: bool = True,
) -> Any:
    r"""Cross-entropy of ``softmax(logits)`` against target distributions.

    Parameters
    ----------
    logits : array_like
        Logits :math:`z`, shape ``(..., C, ...)`` with the classes along ``axis``; real
        dtype. ``-inf`` marks a masked class.
    targets : array_like
        Target probabilities :math:`t` (one-hot or soft), the shape of ``logits``, every
        entry in :math:`[0, 1]`. Rows need not sum to 1.
    axis : int, optional
        The class axis (default the last).
    weight : array_like, optional
        One finite, non-negative weight per class, a 1-d array of length :math:`C`:
        class :math:`i`'s term is multiplied by :math:`w_i`.
    label_smoothing : float, optional
        :math:`\varepsilon \in [0, 1]`: the targets become
        :math:`(1 - \varepsilon)\,t + \varepsilon / C`.
    reduction : str, optional
        ``"mean"`` (the default: the sum of the losses divided by the number of examples,
        whatever the weights), ``"sum"``, or ``"none"`` (one loss per example, the shape
        of ``logits`` without ``axis``).
    validate : bool, optional
        If True (the default), check that every target lies in :math:`[0, 1]`, a pass
        over ``targets`` that ``validate=False`` skips. Shapes, types, ``weight`` and
        ``label_smoothing`` are always checked.

    Returns
    -------
    float or ndarray
        The loss in the dtype of ``logits`` (float64 for integer or bool logits): a NumPy
        scalar for ``"mean"`` and ``"sum"``, an array for ``"none"`` (a NumPy scalar if
        ``logits`` is 1-d).

    Raises
    ------
    TypeError
        If ``logits``, ``targets`` or ``weight`` is not real, or ``axis``,
        ``label_smoothing``, ``reduction`` or ``validate`` has the wrong type.
    ValueError
        If ``targets`` does not have the shape of ``logits``; ``logits`` is 0-d or has
        no classes; ``axis`` is out of range; ``weight`` is not 1-d of length :math:`C`
        or has a negative or non-finite entry; ``label_smoothing`` is outside
        :math:`[0, 1]`; ``reduction`` is unknown; a row of logits has an infinite
        maximum (all ``-inf``, or a ``+inf``); or (with ``validate``) a target is outside
        :math:`[0, 1]` (NaN included). The message names the first offending entry.

    See Also
    --------
    softmax_cross_entropy_with_integer_labels : the same loss with class indices.
    softmax_cross_entropy_grad : the gradient with respect to the logits.
    crossent.activations.log_softmax : the log-probabilities this loss is built on.

    Notes
    -----
    With :math:`b_i = w_i \bigl((1 - \varepsilon)\,t_i + \varepsilon / C\bigr)`, the
    weighted smoothed target, each example's loss is

    .. math::

        L = -\sum_i b_i \log \operatorname{softmax}(z)_i
          = \sum_i b_i\,(m - z_i) + \Bigl(\sum_i b_i\Bigr) \operatorname{log1p}(S),

    with :math:`m = \max_j z_j` reached at index :math:`r` and :math:`S = \sum_{j \ne r}
    e^{z_j - m}`. Every term is non-negative, so the sum has no cancellation and the
    loss is accurate to a few ulps; float32 logits are shifted and exponentiated in
    float64, a block of rows at a time, and the results rounded once. A class with
    :math:`b_i = 0` contributes nothing, even where its logit is ``-inf``.

    Equivalents: ``torch.nn.functional.cross_entropy(logits, targets, weight,
    reduction=reduction, label_smoothing=label_smoothing)`` with probability targets,
    class dimension 1 (``torch.nn.CrossEntropyLoss``); the values and gradients agree
    to float64 round-off for every combination of options (a test checks it against
    stored PyTorch results). ``optax.softmax_cross_entropy(logits, targets)`` is the
    ``"none"`` reduction without weights or smoothing;
    ``tf.keras.losses.CategoricalCrossentropy(from_logits=True)``.

    Deliberate differences from PyTorch: a masked class (logit ``-inf``) with target 0
    contributes 0 here, where PyTorch computes :math:`0 \cdot (-\infty)` and returns
    NaN; likewise a class with weight 0. PyTorch accepts negative weights; here they
    are an error. ``ignore_index`` does not exist for target distributions, as in
    PyTorch (a row of zeros does the same).

    References
    ----------
    Goodfellow, I., Bengio, Y. and Courville, A. (2016). Deep Learning, section 6.2.2.3.
    MIT Press.

    Szegedy, C., Vanhoucke, V., Ioffe, S., Shlens, J. and Wojna, Z. (2016). Rethinking
    the Inception architecture for computer vision. CVPR, section 7 (label smoothing).

    Examples
    --------
    >>> import numpy as np
    >>> from crossent.categorical import softmax_cross_entropy
    >>> logits = np.array([[1.0, 2.0, 0.5]])  # cat, dog, bird
    >>> softmax_cross_entropy(logits, np.array([[0.0, 1.0, 0.0]]))  # -log softmax(z)_dog
    np.float64(0.4643687841079448)
    >>> softmax_cross_entropy(logits, np.array([[0.1, 0.8, 0.1]]), reduction="none")
    array([0.71436878])

    A masked class with target 0 costs nothing:

    >>> softmax_cross_entropy(np.array([0.0, -np.inf]), np.array([1.0, 0.0]))
    np.float64(0.0)
    """
    loss, _ = _soft_target_loss(
        logits, targets, axis, weight, label_smoothing, reduction, validate, want_grad=False
    )
    return loss


def softmax_cross_entropy_grad(
    logits: Any,
    targets: Any,
    *,
    axis: Any = -1,
    weight: Any = None,
    label_smoothing: float = 0.0,
    reduction: str = "mean",
    validate: bool = True,
) -> np.ndarray:
    r"""The gradient of :func:`softmax_cross_entropy` with respect to the logits.

    Parameters
    ----------
    logits : array_like
        Logits, classes along ``axis``.
    targets : array_like
        Target probabilities in :math:`[0, 1]`, the shape of ``logits``.
    axis : int, optional
        The class axis (default the last).
    weight : array_like, optional
        One finite, non-negative weight per class.
    label_smoothing : float, optional
        :math:`\varepsilon \in [0, 1]`.
    reduction : str, optional
        ``"mean"``, ``"sum"`` or ``"none"``; with ``"none"``, each example's own
        gradient (the gradient of the sum of the per-example losses).
    validate : bool, optional
        If True (the default), check that the targets lie in :math:`[0, 1]`.

    Returns
    -------
    ndarray
        :math:`\partial L / \partial z`, the shape and dtype of ``logits`` (float64 for
        integer or bool logits).

    Raises
    ------
    TypeError
        As for :func:`softmax_cross_entropy`.
    ValueError
        As for :func:`softmax_cross_entropy`.

    See Also
    --------
    softmax_cross_entropy : the loss.
    softmax_cross_entropy_value_and_grad : the loss and the gradient in one pass.

    Notes
    -----
    With :math:`b` the weighted smoothed target and :math:`a = \sum_i b_i`,

    .. math::

        \frac{\partial L}{\partial z_j} = a \operatorname{softmax}(z)_j - b_j,

    divided by the number of examples for ``"mean"``. At the maximal entry :math:`r`
    it is computed as :math:`\bigl(\sum_{i \ne r} b_i - b_r S\bigr) / (1 + S)`, which
    keeps the digits of a confident correct row, where :math:`a\,p_r` and :math:`b_r`
    nearly cancel. Elsewhere :math:`a\,p_j - b_j` cancels only when the prediction
    matches the target, where the gradient is small and ill-conditioned: its absolute
    error stays within a few ulps of :math:`\max(a\,p_j, b_j)`.

    Examples
    --------
    >>> import numpy as np
    >>> from crossent.categorical import softmax_cross_entropy_grad
    >>> softmax_cross_entropy_grad(np.array([1.0, 2.0, 0.5]), np.array([0.0, 1.0, 0.0]))
    array([ 0.2312239 , -0.37146828,  0.14024438])
    """
    _, grad = _soft_target_loss(
        logits, targets, axis, weight, label_smoothing, reduction, validate, want_grad=True
    )
    return grad


def softmax_cross_entropy_value_and_grad(
    logits: Any,
    targets: Any,
    *,
    axis: Any = -1,
    weight: Any = None,
    label_smoothing: float = 0.0,
    reduction: str = "mean",
    validate: bool = True,
) -> tuple[Any, np.ndarray]:
    r""":func:`softmax_cross_entropy` and its gradient in one pass over the logits.

    Parameters
    ----------
    logits : array_like
        Logits, classes along ``axis``.
    targets : array_like
        Target probabilities in :math:`[0, 1]`, the shape of ``logits``.
    axis : int, optional
        The class axis (default the last).
    weight : array_like, optional
        One finite, non-negative weight per class.
    label_smoothing : float, optional
        :math:`\varepsilon \in [0, 1]`.
    reduction : str, optional
        ``"mean"``, ``"sum"`` or ``"none"``.
    validate : bool, optional
        If True (the default), check that the targets lie in :math:`[0, 1]`.

    Returns
    -------
    loss : float or ndarray
        As returned by :func:`softmax_cross_entropy`.
    grad : ndarray
        As returned by :func:`softmax_cross_entropy_grad`.

    Raises
    ------
    TypeError
        As for :func:`softmax_cross_entropy`.
    ValueError
        As for :func:`softmax_cross_entropy`.

    See Also
    --------
    softmax_cross_entropy : the loss alone.
    softmax_cross_entropy_grad : the gradient alone.

    Examples
    --------
    >>> import numpy as np
    >>> from crossent.categorical import softmax_cross_entropy_value_and_grad
    >>> loss, grad = softmax_cross_entropy_value_and_grad(
    ...     np.array([[0.0, 0.0]]), np.array([[1.0, 0.0]]))
    >>> loss, grad
    (np.float64(0.6931471805599453), array([[-0.5,  0.5]]))
    """
    return _soft_target_loss(
        logits, targets, axis, weight, label_smoothing, reduction, validate, want_grad=True
    )


# ---------------------------------------------------------------------------------------
# Softmax cross-entropy with integer labels
# ---------------------------------------------------------------------------------------


def softmax_cross_entropy_with_integer_labels(
    logits: Any,
    labels: Any,
    *,
    axis: Any = -1,
    weight: Any = None,
    ignore_index: Any = None,
    label_smoothing: float = 0.0,
    reduction: str = "mean",
    validate: bool = True,
) -> Any:
    r"""Cross-entropy of ``softmax(logits)`` against class indices: the softmax loss.

    Parameters
    ----------
    logits : array_like
        Logits :math:`z`, shape ``(..., C, ...)`` with the classes along ``axis``; real
        dtype. ``-inf`` marks a masked class.
    labels : array_like
        Class indices :math:`y \in \{0, \dots, C - 1\}`, an integer array with the shape
        of ``logits`` without ``axis``.
    axis : int, optional
        The class axis (default the last).
    weight : array_like, optional
        One finite, non-negative weight per class, a 1-d array of length :math:`C`.
    ignore_index : int, optional
        A label value that marks an example to ignore: it gets loss 0 and gradient 0
        and does not count in the mean. It may lie outside :math:`[0, C)` (PyTorch uses
        -100).
    label_smoothing : float, optional
        :math:`\varepsilon \in [0, 1]`: the one-hot target becomes
        :math:`(1 - \varepsilon)\,e_y + \varepsilon / C`.
    reduction : str, optional
        ``"mean"`` (the default: the sum of the losses divided by the sum of
        :math:`w_{y}` over the examples not ignored, as in PyTorch; NaN if that sum is
        0), ``"sum"``, or ``"none"`` (one loss per example, the shape of ``labels``).
    validate : bool, optional
        Accepted for the same signature as the other losses. Every check here costs at
        most a pass over ``labels`` (not over the logits), so all of them always run.

    Returns
    -------
    float or ndarray
        The loss in the dtype of ``logits`` (float64 for integer or bool logits): a NumPy
        scalar for ``"mean"`` and ``"sum"``, an array shaped like ``labels`` for
        ``"none"`` (a NumPy scalar if ``logits`` is 1-d).

    Raises
    ------
    TypeError
        If ``labels`` is not of an integer dtype (float labels included), ``logits`` or
        ``weight`` is not real, or ``axis``, ``ignore_index``, ``label_smoothing``,
        ``reduction`` or ``validate`` has the wrong type.
    ValueError
        If ``labels`` does not have the shape of ``logits`` without ``axis``; a label is
        outside :math:`[0, C)` and is not ``ignore_index``; ``logits`` is 0-d or has no
        classes; ``axis`` is out of range; ``weight`` is not 1-d of length :math:`C` or
        has a negative or non-finite entry; ``label_smoothing`` is outside
        :math:`[0, 1]`; ``reduction`` is unknown; or a row of logits that is not ignored
        has an infinite maximum (all ``-inf``, or a ``+inf``). The message names the
        first offending entry.

    See Also
    --------
    softmax_cross_entropy : the same loss with target distributions.
    softmax_cross_entropy_with_integer_labels_grad : the gradient.
    softmax_cross_entropy_with_integer_labels_value_and_grad : both in one pass.

    Notes
    -----
    With :math:`m = \max_j z_j` reached at index :math:`r` and
    :math:`S = \sum_{j \ne r} e^{z_j - m}`, the loss of an example with label :math:`y`
    and no smoothing is

    .. math::

        L = -w_y \log \operatorname{softmax}(z)_y
          = w_y \bigl[(m - z_y) + \operatorname{log1p}(S)\bigr].

    Both terms are non-negative. When the label is the maximal class, :math:`m - z_y`
    is exactly 0 and the loss is :math:`w_y \operatorname{log1p}(S)` to full precision:
    for :math:`z = (0, -30, -30)` and :math:`y = 0` it is
    :math:`\operatorname{log1p}(2e^{-30}) \approx 1.87 \times 10^{-13}`, where
    ``logsumexp(z) - z[y]`` keeps three digits in float64 and returns 0 in float32. With
    smoothing,

    .. math::

        L = (1 - \varepsilon)\,w_y\,(-\log p_y)
          + \frac{\varepsilon}{C} \sum_i w_i\,(-\log p_i),

    and ``"mean"`` still divides by :math:`\sum w_y` over the examples kept, exactly as
    PyTorch does.

    Accuracy: the loss is within 2 ulps and each gradient entry within one machine
    epsilon of the row's largest gradient entry, for float32 and float64, on rows from
    spreads of :math:`10^4` to gaps of :math:`10^{-8}` and :math:`10^5` classes (the
    test suite checks it against 50-digit mpmath). That holds whenever the shifts
    :math:`z_j - m` are exact, as they always are for float32 logits (computed in
    float64) and for float64 logits that are float32 numbers; for other float64 logits
    the rounding of the shifts adds up to :math:`2u \sum_j p_j |z_j - m|` relative
    (:math:`u = 2^{-53}`), which is the conditioning of the loss, as for
    :func:`crossent.activations.log_softmax`.

    float32 logits are computed a block of rows at a time in one of two ways. Where a
    bound on the rounding errors of float32 arithmetic proves that the result still
    meets the targets (rows whose loss is not tiny and whose maximum lies in
    :math:`[-20, 88]`, typical of many classes), the exponentials :math:`e^{z_j}` are
    computed in float32, directly into the gradient array; otherwise (confident rows,
    where the loss is about :math:`S`) the shifts and exponentials are computed in
    float64, about 1.5 times slower. Neither makes a copy of the logits: the only
    array the size of the logits is the gradient itself.

    Equivalents: ``torch.nn.functional.cross_entropy(logits, labels, weight,
    ignore_index=ignore_index, reduction=reduction, label_smoothing=label_smoothing)``
    with class dimension 1 (``torch.nn.CrossEntropyLoss``, "softmax loss"); values and
    gradients agree with PyTorch 2.13 to float64 round-off for every combination of
    options, a mean over no example included (NaN, and a zero gradient), which a test
    checks against stored PyTorch results. ``optax.softmax_cross_entropy_with_integer_labels``
    is the ``"none"`` reduction without options; ``tf.nn.sparse_softmax_cross_entropy_with_logits``
    and ``tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)``; Caffe's
    ``SoftmaxWithLoss`` layer.

    Deliberate differences from PyTorch: an ignored example gets loss 0 and gradient 0
    whatever its logits (PyTorch's gradient is NaN in an ignored row that holds a NaN,
    and a row of ``-inf`` logits is an error here only if it is not ignored); a class
    with weight 0 contributes 0 even where its log-probability is ``-inf`` (PyTorch:
    NaN); negative weights are an error (PyTorch accepts them); ``ignore_index=None``
    means no label is ignored (PyTorch's default is -100); and the confident case keeps
    its digits.

    References
    ----------
    Bridle, J. S. (1990). Probabilistic interpretation of feedforward classification
    network outputs, with relationships to statistical pattern recognition.
    Neurocomputing, NATO ASI Series F68, 227-236.

    Blanchard, P., Higham, D. J. and Higham, N. J. (2021). Accurately computing the
    log-sum-exp and softmax functions. IMA Journal of Numerical Analysis 41(4),
    2311-2330.

    Examples
    --------
    >>> import numpy as np
    >>> from crossent.categorical import softmax_cross_entropy_with_integer_labels
    >>> logits = np.array([[1.0, 2.0, 0.5]])  # cat, dog, bird
    >>> softmax_cross_entropy_with_integer_labels(logits, np.array([1]))  # a dog
    np.float64(0.4643687841079448)

    A confident correct prediction keeps its digits; the usual formula loses them:

    >>> z = np.array([0.0, -30.0, -30.0])
    >>> softmax_cross_entropy_with_integer_labels(z, np.array(0))
    np.float64(1.8715245937678598e-13)
    >>> float(np.log(np.sum(np.exp(z))) - z[0])  # three digits right
    1.869615573468589e-13

    Ignored examples leave the mean:

    >>> softmax_cross_entropy_with_integer_labels(
    ...     np.zeros((3, 4)), np.array([1, -100, 2]), ignore_index=-100)  # log 4
    np.float64(1.3862943611198906)
    """
    loss, _ = _integer_label_loss(
        logits,
        labels,
        axis,
        weight,
        ignore_index,
        label_smoothing,
        reduction,
        validate,
        want_grad=False,
    )
    return loss


def softmax_cross_entropy_with_integer_labels_grad(
    logits: Any,
    labels: Any,
    *,
    axis: Any = -1,
    weight: Any = None,
    ignore_index: Any = None,
    label_smoothing: float = 0.0,
    reduction: str = "mean",
    validate: bool = True,
) -> np.ndarray:
    r"""The gradient of :func:`softmax_cross_entropy_with_integer_labels` w.r.t. the logits.

    Parameters
    ----------
    logits : array_like
        Logits, classes along ``axis``.
    labels : array_like
        Class indices, an integer array with the shape of ``logits`` without ``axis``.
    axis : int, optional
        The class axis (default the last).
    weight : array_like, optional
        One finite, non-negative weight per class.
    ignore_index : int, optional
        A label value whose examples get gradient 0 and leave the mean.
    label_smoothing : float, optional
        :math:`\varepsilon \in [0, 1]`.
    reduction : str, optional
        ``"mean"``, ``"sum"`` or ``"none"``; with ``"none"``, each example's own
        gradient (the gradient of the sum of the per-example losses).
    validate : bool, optional
        Accepted for the same signature as the other losses; every check always runs.

    Returns
    -------
    ndarray
        :math:`\partial L / \partial z`, the shape and dtype of ``logits`` (float64 for
        integer or bool logits).

    Raises
    ------
    TypeError
        As for :func:`softmax_cross_entropy_with_integer_labels`.
    ValueError
        As for :func:`softmax_cross_entropy_with_integer_labels`.

    See Also
    --------
    softmax_cross_entropy_with_integer_labels : the loss.
    softmax_cross_entropy_with_integer_labels_value_and_grad : both in one pass.

    Notes
    -----
    Without smoothing, an example's gradient is

    .. math::

        \frac{\partial L}{\partial z_j} = w_y \bigl(\operatorname{softmax}(z)_j -
        [j = y]\bigr),

    divided by :math:`\sum w_y` over the examples kept for ``"mean"``. At the label,
    if it is the maximal class, the entry is :math:`-w_y S / (1 + S)`, not
    :math:`w_y (p_y - 1)`, which would round :math:`p_y` to 1 and return 0 for a
    confident row. With smoothing the target is :math:`(1 - \varepsilon) e_y +
    \varepsilon / C` weighted per class, and the gradient is :math:`a p - b` with
    :math:`b` that weighted target and :math:`a = \sum_i b_i`.

    Examples
    --------
    >>> import numpy as np
    >>> from crossent.categorical import softmax_cross_entropy_with_integer_labels_grad
    >>> softmax_cross_entropy_with_integer_labels_grad(np.array([1.0, 2.0, 0.5]), np.array(1))
    array([ 0.2312239 , -0.37146828,  0.14024438])
    >>> softmax_cross_entropy_with_integer_labels_grad(np.array([0.0, -30.0]), np.array(0))
    array([-9.35762297e-14,  9.35762297e-14])
    """
    _, grad = _integer_label_loss(
        logits,
        labels,
        axis,
        weight,
        ignore_index,
        label_smoothing,
        reduction,
        validate,
        want_grad=True,
    )
    return grad


def softmax_cross_entropy_with_integer_labels_value_and_grad(
    logits: Any,
    labels: Any,
    *,
    axis: Any = -1,
    weight: Any = None,
    ignore_index: Any = None,
    label_smoothing: float = 0.0,
    reduction: str = "mean",
    validate: bool = True,
) -> tuple[Any, np.ndarray]:
    r""":func:`softmax_cross_entropy_with_integer_labels` and its gradient in one pass.

    Parameters
    ----------
    logits : array_like
        Logits, classes along ``axis``.
    labels : array_like
        Class indices, an integer array with the shape of ``logits`` without ``axis``.
    axis : int, optional
        The class axis (default the last).
    weight : array_like, optional
        One finite, non-negative weight per class.
    ignore_index : int, optional
        A label value whose examples are ignored.
    label_smoothing : float, optional
        :math:`\varepsilon \in [0, 1]`.
    reduction : str, optional
        ``"mean"``, ``"sum"`` or ``"none"``.
    validate : bool, optional
        Accepted for the same signature as the other losses; every check always runs.

    Returns
    -------
    loss : float or ndarray
        As returned by :func:`softmax_cross_entropy_with_integer_labels`.
    grad : ndarray
        As returned by :func:`softmax_cross_entropy_with_integer_labels_grad`.

    Raises
    ------
    TypeError
        As for :func:`softmax_cross_entropy_with_integer_labels`.
    ValueError
        As for :func:`softmax_cross_entropy_with_integer_labels`.

    See Also
    --------
    softmax_cross_entropy_with_integer_labels : the loss alone.
    softmax_cross_entropy_with_integer_labels_grad : the gradient alone.

    Notes
    -----
    One pass computes the row maxima, the exponentials (written into the array that
    becomes the gradient, so the only array the size of the logits is the gradient
    itself: peak extra memory is 1.01 times the logits), the tail sums :math:`S`, the
    losses and the gradient. For float32 logits of shape (1024, 32768) it takes about
    3 times as long as a row maximum plus one copy of the logits on typical rows, and
    about 4.5 times on confident ones, which need float64 exponentials; the float32
    exponentials alone take about as long as that maximum and copy.

    Examples
    --------
    >>> import numpy as np
    >>> from crossent.categorical import (
    ...     softmax_cross_entropy_with_integer_labels_value_and_grad)
    >>> loss, grad = softmax_cross_entropy_with_integer_labels_value_and_grad(
    ...     np.array([[0.0, 0.0], [0.0, 0.0]], dtype=np.float32), np.array([0, 1]))
    >>> loss
    np.float32(0.6931472)
    >>> grad
    array([[-0.25,  0.25],
           [ 0.25, -0.25]], dtype=float32)
    """
    return _integer_label_loss(
        logits,
        labels,
        axis,
        weight,
        ignore_index,
        label_smoothing,
        reduction,
        validate,
        want_grad=True,
    )


# ---------------------------------------------------------------------------------------
# Argument checks
# ---------------------------------------------------------------------------------------


def _check_flag(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__} {value!r}")
    return bool(value)


def _label_smoothing(value: Any) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(
        value, (int, float, np.integer, np.floating)
    ):
        raise TypeError(
            f"label_smoothing must be a real number in [0, 1], got {type(value).__name__} {value!r}"
        )
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"label_smoothing must lie in [0, 1], got {value!r}")
    return value


def _class_weights(weight: Any, num_classes: int) -> np.ndarray | None:
    """Return ``weight`` as a fresh float64 array of shape ``(C,)``, or None."""
    if weight is None:
        return None
    array = as_float_array(weight, "weight")
    if array.shape != (num_classes,):
        raise ValueError(
            f"weight must be a 1-d array with one entry per class, shape ({num_classes},); "
            f"got shape {array.shape}"
        )
    require_finite_nonnegative(array, "weight")
    return array.astype(np.float64)


def _ignore_index(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(
            f"ignore_index must be an int or None, got {type(value).__name__} {value!r}"
        )
    return int(value)


def _integer_labels(labels: Any, logits_shape: tuple[int, ...], axis: int) -> np.ndarray:
    array = np.asarray(labels)
    if array.dtype.kind not in "iu":
        hint = " (class indices; cast with .astype(int) if they are whole numbers)"
        raise TypeError(
            f"labels must be an array of integers{hint if array.dtype.kind == 'f' else ''}, "
            f"got dtype {array.dtype}"
        )
    expected = logits_shape[:axis] + logits_shape[axis + 1 :]
    if array.shape != expected:
        raise ValueError(
            f"labels must have the shape of logits without the class axis: logits shape "
            f"{logits_shape} with axis={axis} needs labels of shape {expected}; got shape "
            f"{array.shape}"
        )
    return array


def _require_labels_in_range(
    labels: np.ndarray, num_classes: int, ignore_index: int | None
) -> np.ndarray | None:
    """Raise unless every label is a class index or ``ignore_index``; return the kept mask.

    The mask is None when no label is ignored, so the common case builds no mask.
    """
    kept = None if ignore_index is None else labels != ignore_index
    if kept is not None and kept.all():
        kept = None
    checked = labels if kept is None else labels[kept]
    if checked.size == 0 or (checked.min() >= 0 and checked.max() < num_classes):
        return kept
    outside = (labels < 0) | (labels >= num_classes)
    if kept is not None:
        outside &= kept
    index = tuple(int(i) for i in np.argwhere(outside)[0])
    where = f"labels[{', '.join(map(str, index))}]" if index else "labels"
    also = "" if ignore_index is None else f", or ignore_index={ignore_index}"
    raise ValueError(
        f"labels must be class indices in [0, {num_classes}){also}; got {where} = {labels[index]}"
    )


def _require_finite_maximum(
    m: np.ndarray, kept: np.ndarray | None, axis: int, offset: tuple[int, ...] | None = None
) -> None:
    """Raise ``ValueError`` naming the first row (not ignored) whose maximum is infinite.

    ``m`` holds the row maxima, with the class axis kept as length 1; ``offset`` is the
    position of its first row in the logits, if ``m`` belongs to a block.
    """
    infinite = np.isinf(m)
    if kept is not None:
        infinite &= kept
    if not infinite.any():
        return
    row = np.argwhere(infinite)[0]
    maximum = m[tuple(row)]
    start = offset or (0,) * m.ndim
    index = ", ".join(
        ":" if dim == axis else str(int(i) + first)
        for dim, (i, first) in enumerate(zip(row, start, strict=True))
    )
    reason = (
        "every logit is -inf, so every class is masked"
        if maximum < 0
        else "a +inf logit makes the softmax undefined"
    )
    raise ValueError(
        f"every row of logits needs a finite maximum along axis={axis}; row "
        f"logits[{index}] has maximum {maximum} ({reason})"
    )


# ---------------------------------------------------------------------------------------
# Shared machinery
# ---------------------------------------------------------------------------------------


def _as_result(values: Any, dtype: np.dtype) -> Any:
    """Round ``values`` once to ``dtype``; 0-d results become NumPy scalars."""
    with np.errstate(over="ignore"):
        values = np.asarray(values).astype(dtype, copy=False)
    return values[()] if values.ndim == 0 else values


def _times(coefficient: Any, value: Any) -> Any:
    """``coefficient * value``, but 0 wherever the coefficient is 0 (even if value is inf)."""
    with np.errstate(invalid="ignore"):
        return np.where(coefficient == 0, 0.0, coefficient * value)


def _mean_denominator(reduction: str, denominator: float) -> float:
    """The divisor of the per-example coefficients: NaN for a mean over nothing, 1 if no mean."""
    if reduction != "mean":
        return 1.0
    return float(denominator) if denominator > 0 else math.nan


def _row_blocks(shape: tuple[int, ...], axis: int):
    """Split the rows of an array of ``shape`` (at least 2-d) into blocks.

    Yields ``(index, rows, offset)``: ``index`` selects a block of the array, ``rows``
    the same rows in an array of per-row values (the shape without ``axis``), and
    ``offset`` is the block's first index along every axis (for error messages). Blocks
    are slices along the first axis that is not the class axis.
    """
    batch_axis = 1 if axis == 0 else 0
    length = shape[batch_axis]
    if length == 0 or math.prod(shape) == 0:
        return
    entries_per_slice = math.prod(shape) // length
    step = max(1, _BLOCK_ENTRIES // entries_per_slice)
    for start in range(0, length, step):
        rows = slice(start, start + step)
        index = (slice(None),) * batch_axis + (rows,)
        offset = tuple(start if dim == batch_axis else 0 for dim in range(len(shape)))
        yield index, rows, offset


def _working_dtype(dtype: np.dtype) -> np.dtype:
    """float64 for float16, float32 and float64; long double stays long double."""
    return np.promote_types(dtype, np.float64)


class _Scratch:
    """One block-sized buffer per dtype, allocated on first use and reused."""

    def __init__(self, block_shape: tuple[int, ...]):
        self._block_shape = block_shape
        self._buffers: dict[np.dtype, np.ndarray] = {}

    def like(self, array: np.ndarray, dtype: np.dtype) -> np.ndarray:
        """A buffer of ``dtype`` shaped like ``array`` (a block, possibly the last, smaller one)."""
        buffer = self._buffers.get(np.dtype(dtype))
        if buffer is None:
            buffer = np.empty(math.prod(self._block_shape), dtype=dtype)
            self._buffers[np.dtype(dtype)] = buffer
        return buffer[: array.size].reshape(array.shape)


def _block_shape(shape: tuple[int, ...], axis: int) -> tuple[int, ...]:
    """The shape of the first (largest) block that :func:`_row_blocks` yields for ``shape``."""
    for index, _, _ in _row_blocks(shape, axis):
        sliced = list(shape)
        for dim, part in enumerate(index):
            sliced[dim] = len(range(*part.indices(shape[dim])))
        return tuple(sliced)
    return (0,)


def _shift(x_block: np.ndarray, m: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Write :math:`z - m` into ``out``; exact when ``out`` is float64 and ``x`` float32."""
    # A row with maximum +inf or all -inf gives NaN here (inf - inf); such rows are either
    # an error or ignored, and an extremely negative logit overflows to -inf, which is right.
    with np.errstate(invalid="ignore", over="ignore"):
        if out.dtype == x_block.dtype:
            return np.subtract(x_block, m, out=out)
        # Widening first and subtracting in place is faster than a mixed-dtype subtract.
        np.copyto(out, x_block)
        return np.subtract(out, m, out=out)


def _classes_first(values: Any, axis: int) -> Any:
    """Move the class axis of a per-row array to the front; a float stays a float."""
    return values if np.ndim(values) == 0 else np.moveaxis(values, axis, 0)


def _row_tail_sum(terms: np.ndarray, axis: int, *, accurate: bool) -> np.ndarray:
    """``_tail_sum`` of the activations, computed class-major when rows are short.

    NumPy reduces a short last axis row by row, with a cost per row; over a leading
    axis it needs one vectorized operation per class. Below :data:`_SHORT_ROWS` classes
    a class-major copy of the block is the cheaper of the two (twice to three times, for
    10 classes). The sums are the same.
    """
    if terms.shape[axis] > _SHORT_ROWS:
        return _tail_sum(terms, axis, accurate=accurate)
    class_major = np.moveaxis(terms, axis, 0).copy()
    return np.moveaxis(_tail_sum(class_major, 0, accurate=accurate), 0, axis)


def _exp_in_place(values: np.ndarray) -> None:
    with np.errstate(invalid="ignore", under="ignore"):
        np.exp(values, out=values)


# ---------------------------------------------------------------------------------------
# Cross-entropy of probabilities
# ---------------------------------------------------------------------------------------


def _probability_cross_entropy(
    probs: Any, targets: Any, axis: Any, reduction: Any, validate: Any, *, want_grad: bool
) -> tuple[Any, np.ndarray | None]:
    # p the prediction, t the target, as in H(t, p).
    p = as_float_array(probs, "probs")
    t = as_float_array(targets, "targets")
    require_same_shape(t, "targets", p.shape, "probs")
    axis = class_axis(p, axis, "probs")
    reduction = check_reduction(reduction)
    if _check_flag(validate, "validate"):
        require_unit_interval(p, "probs")
        require_unit_interval(t, "targets")
    dtype = np.result_type(p.dtype, t.dtype)
    working = _working_dtype(dtype)
    p = p.astype(working, copy=False)
    t = t.astype(working, copy=False)
    absent = t == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        # 0 log 0 = 0: a class with no target mass contributes nothing, even where p = 0.
        terms = np.where(absent, 0.0, t * np.log(p))
    # 0.0 - sum turns the -0.0 of a perfect prediction into +0.0.
    losses = 0.0 - np.sum(terms, axis=axis)
    loss = _as_result(reduce_losses(losses, reduction), dtype)
    if not want_grad:
        return loss, None
    divisor = _mean_denominator(reduction, losses.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        grad = np.where(absent, 0.0, -t / p) / divisor
    return loss, _as_result(grad, dtype)


# ---------------------------------------------------------------------------------------
# Softmax cross-entropy with target distributions
# ---------------------------------------------------------------------------------------


def _soft_target_loss(
    logits: Any,
    targets: Any,
    axis: Any,
    weight: Any,
    label_smoothing: Any,
    reduction: Any,
    validate: Any,
    *,
    want_grad: bool,
) -> tuple[Any, np.ndarray | None]:
    x = as_float_array(logits, "logits")
    targets = as_float_array(targets, "targets")
    require_same_shape(targets, "targets", x.shape, "logits")
    axis = class_axis(x, axis, "logits")
    num_classes = x.shape[axis]
    weight = _class_weights(weight, num_classes)
    smoothing = _label_smoothing(label_smoothing)
    reduction = check_reduction(reduction)
    if _check_flag(validate, "validate"):
        require_unit_interval(targets, "targets")

    squeeze = x.ndim == 1
    if squeeze:  # one example: work on a batch of one
        x, targets, axis = x[np.newaxis], targets[np.newaxis], 1
    losses = np.zeros(x.shape[:axis] + x.shape[axis + 1 :])
    grad = np.empty_like(x) if want_grad else None
    divisor = _mean_denominator(reduction, losses.size)
    weight_b = None if weight is None else _along(weight, axis, x.ndim)
    scratch = _Scratch(_block_shape(x.shape, axis))

    for index, rows, offset in _row_blocks(x.shape, axis):
        block_losses = _soft_target_block(
            x[index],
            targets[index],
            axis,
            weight_b,
            smoothing,
            divisor,
            None if grad is None else grad[index],
            scratch,
            offset,
        )
        losses[rows] = np.squeeze(block_losses, axis=axis)

    if squeeze:
        losses = losses[0]
        grad = None if grad is None else grad[0]
    loss = _as_result(reduce_losses(losses, reduction), x.dtype)
    return loss, grad


def _along(vector: np.ndarray, axis: int, ndim: int) -> np.ndarray:
    """Reshape a per-class vector to broadcast along ``axis`` of an ``ndim``-d array."""
    shape = [1] * ndim
    shape[axis] = vector.size
    return vector.reshape(shape)


def _soft_target_block(
    x: np.ndarray,
    targets: np.ndarray,
    axis: int,
    weight: np.ndarray | None,
    smoothing: float,
    divisor: float,
    grad: np.ndarray | None,
    scratch: _Scratch,
    offset: tuple[int, ...],
) -> np.ndarray:
    """Losses (class axis kept, float64) of one block; writes its gradient into ``grad``.

    ``divisor`` is the number of examples for a mean, else 1.
    """
    num_classes = x.shape[axis]
    working = _working_dtype(x.dtype)
    k = np.argmax(x, axis=axis, keepdims=True)
    m = np.take_along_axis(x, k, axis=axis)
    _require_finite_maximum(m, None, axis, offset)

    # b, the weighted smoothed target, and its sums with and without the entry at k.
    b = np.multiply(targets, 1.0 - smoothing, dtype=working)
    if smoothing:
        b += smoothing / num_classes
    if weight is not None:
        b *= weight
    b_at_max = np.take_along_axis(b, k, axis=axis)
    np.put_along_axis(b, k, 0.0, axis=axis)
    b_tail = np.sum(b, axis=axis, keepdims=True)
    np.put_along_axis(b, k, b_at_max, axis=axis)
    b_total = b_tail + b_at_max

    shifted = grad if grad is not None and grad.dtype == working else scratch.like(x, working)
    _shift(x, m, shifted)  # x - m <= 0, exact in float64 for float32 logits
    with np.errstate(invalid="ignore"):
        cross = b * shifted
    # A class with no (weighted) target mass contributes nothing, even if x_c = -inf.
    np.copyto(cross, 0.0, where=b == 0)
    distance = 0.0 - np.sum(cross, axis=axis, keepdims=True)  # sum_c b_c (m - x_c) >= 0
    del cross

    _exp_in_place(shifted)
    np.put_along_axis(shifted, k, 0.0, axis=axis)
    s = _row_tail_sum(shifted, axis, accurate=working == x.dtype)
    losses = distance + _times(b_total, np.log1p(s))

    if grad is not None:
        with np.errstate(invalid="ignore"):
            shifted *= b_total / (divisor * (1.0 + s))
            b /= divisor
            shifted -= b
            # At the maximal entry a p_k - b_k = (sum_{c != k} b_c - b_k S) / (1 + S): no
            # cancellation when the target sits on the predicted class.
            at_max = (b_tail - b_at_max * s) / (divisor * (1.0 + s))
        np.put_along_axis(shifted, k, at_max, axis=axis)
        if shifted is not grad:
            np.copyto(grad, shifted, casting="same_kind")
    return losses


# ---------------------------------------------------------------------------------------
# Softmax cross-entropy with integer labels
# ---------------------------------------------------------------------------------------


class _LabelRows(NamedTuple):
    """Per-example values for integer labels.

    Each is an array of the shape of the labels (or, after :meth:`with_class_axis`, with
    the class axis inserted as length 1) or, when it is the same for every example (no
    weight, nothing ignored), a float, which saves a pass per value.
    """

    labels: np.ndarray  # the labels, with ignored ones replaced by 0 (a safe index)
    kept: np.ndarray | None  # False for ignored examples; None when none is ignored
    label_weight: Any  # w_y (0 for ignored examples)
    coef_all: Any  # a / D with a = (1 - eps) w_y + (eps / C) W: multiplies p
    coef_label: Any  # (1 - eps) w_y / D: subtracted at the label
    coef_smooth: Any  # (eps / C) / D: times w_c, subtracted from every class

    def with_class_axis(self, axis: int) -> _LabelRows:
        """The same values with the class axis inserted as length 1, to broadcast."""
        return _LabelRows(
            *(v if v is None or np.ndim(v) == 0 else np.expand_dims(v, axis) for v in self)
        )

    def block(self, index: tuple[slice, ...]) -> _LabelRows:
        """The rows of one block (after :meth:`with_class_axis`)."""
        return _LabelRows(*(v if v is None or np.ndim(v) == 0 else v[index] for v in self))


def _integer_label_loss(
    logits: Any,
    labels: Any,
    axis: Any,
    weight: Any,
    ignore_index: Any,
    label_smoothing: Any,
    reduction: Any,
    validate: Any,
    *,
    want_grad: bool,
) -> tuple[Any, np.ndarray | None]:
    x = as_float_array(logits, "logits")
    axis = class_axis(x, axis, "logits")
    num_classes = x.shape[axis]
    labels = _integer_labels(labels, x.shape, axis)
    ignore_index = _ignore_index(ignore_index)
    weight = _class_weights(weight, num_classes)
    smoothing = _label_smoothing(label_smoothing)
    reduction = check_reduction(reduction)
    _check_flag(validate, "validate")
    kept = _require_labels_in_range(labels, num_classes, ignore_index)

    if (
        x.dtype == np.float32
        and x.ndim == 2
        and axis == 1
        and x.shape[0] > 0
        and 0 < num_classes <= _SHORT_ROWS
        and kept is None
        and weight is None
        and smoothing == 0.0
    ):
        return _short_float32_rows(x, labels, reduction, want_grad=want_grad)

    squeeze = x.ndim == 1
    if squeeze:  # one example: work on a batch of one
        x, labels, axis = x[np.newaxis], labels[np.newaxis], 1
        kept = None if kept is None else kept[np.newaxis]

    rows, denominator = _label_rows(labels, kept, weight, num_classes, smoothing, reduction)
    rows = rows.with_class_axis(axis)
    pass_ = _LabelPass(
        axis=axis,
        weight=None if weight is None else _along(weight, axis, x.ndim),
        total_weight=float(num_classes) if weight is None else float(np.sum(weight)),
        smoothing=smoothing,
        judge_float32=(
            x.dtype == np.float32 and smoothing == 0.0 and num_classes >= _FAST_MIN_CLASSES
        ),
        scratch=_Scratch(_block_shape(x.shape, axis)),
    )
    # Per-row results of the pass, with the class axis kept as length 1.
    working = _working_dtype(x.dtype)
    row_shape = (*x.shape[:axis], 1, *x.shape[axis + 1 :])
    found = _RowResults(
        m=np.zeros(row_shape, dtype=x.dtype),
        gap=np.zeros(row_shape, dtype=working),
        s=np.zeros(row_shape, dtype=working),
        distance=np.zeros(row_shape, dtype=working) if smoothing else None,
    )
    label_logits = np.take_along_axis(x, rows.labels, axis=axis)
    grad = np.empty_like(x) if want_grad else None
    try_fast = pass_.judge_float32
    for index, _, _ in _row_blocks(x.shape, axis):
        # Neighbouring rows of a batch are alike: a block on which float32 arithmetic was
        # (or would have been) accurate enough predicts the next one.
        try_fast = pass_.block(
            x[index],
            label_logits[index],
            rows.block(index),
            None if grad is None else grad[index],
            found.block(index),
            try_fast=try_fast,
        )

    _require_finite_maximum(found.m, rows.kept, axis)
    if grad is not None:
        pass_.finish_gradient(grad, found, rows)
    losses = np.squeeze(pass_.losses(found, rows, num_classes), axis=axis)
    if squeeze:
        losses = losses[0]
        grad = None if grad is None else grad[0]
    loss = _as_result(reduce_losses(losses, reduction, denominator), x.dtype)
    return loss, grad


def _short_float32_rows(
    x: np.ndarray, labels: np.ndarray, reduction: str, *, want_grad: bool
) -> tuple[Any, np.ndarray | None]:
    r"""The integer-label loss of a batch of float32 rows of a few classes, no options.

    The general pass, for ``(N, C)`` float32 logits with :math:`C \le` :data:`_SHORT_ROWS`
    and neither weights, ignored labels nor smoothing, computed class-major in float64
    as in :meth:`_LabelPass._exact_short_rows`: the shifts :math:`z_j - m` are exact in
    float64, and every entry at the maximum is exactly :math:`e^0 = 1`. What differs is
    the cost: a NumPy reduction over a short axis pays per row (a maximum over 10
    classes costs as much as 40 exponentials per row), so the maximum is taken one class
    at a time, a vector operation of length :math:`N` each, and :math:`S` is the sum of
    all terms less 1, one matrix-vector product. That difference has relative error at
    most :math:`2^{-49} (1 + S) / S`, below :math:`2^{-29}` for :math:`S \ge
    2^{-20}`; a row with a smaller :math:`S` (a confident one) is summed again without
    its maximal entry by :func:`_exact_tail`. Either way :math:`S` is far more accurate
    than float32 needs, and every result is rounded to float32 once.
    """
    num_rows, num_classes = x.shape
    # Classes first, widened: every step below is a vector operation over the rows.
    terms = np.array(x.T, dtype=np.float64, order="C")
    m = terms[0].copy()
    for logits_of_class in terms[1:]:
        np.maximum(m, logits_of_class, out=m)  # propagates NaN, like np.max
    _require_finite_maximum(m[:, np.newaxis], None, 1)
    # The label's entry in the flattened class-major terms.
    at_label = labels * num_rows + np.arange(num_rows)
    flat_terms = terms.reshape(-1)
    with np.errstate(invalid="ignore"):
        terms -= m  # exact: float32 logits, float64 differences
        gap = 0.0 - flat_terms[at_label]  # m - x_y >= 0, exact
        np.exp(terms, out=terms)  # exactly 1 at every maximal entry
        # The sum of all terms less the one maximal entry. Summing C <= 16 non-negative
        # terms costs at most 15 roundings of 2^-53 relative to the sum 1 + S, so S
        # has relative error at most 2^-49 (1 + S) / S: below 2^-29 when S >= 2^-20.
        s = np.ones(num_classes) @ terms - 1.0
        confident = np.flatnonzero(s < _SHORT_EXACT_TAIL)
        if confident.size:
            s[confident] = _exact_tail(terms[:, confident])
        losses = gap + np.log1p(s)
    divisor = _mean_denominator(reduction, num_rows)
    loss = _as_result(reduce_losses(losses, reduction), x.dtype)
    if not want_grad:
        return loss, None
    with np.errstate(invalid="ignore"):
        scale = (1.0 / divisor) / (1.0 + s)
        grad = np.empty_like(x)
        # Scale and round to float32 in one pass, written back in the rows' own order.
        np.multiply(terms, scale, out=grad.T, casting="same_kind")
        # p_y - 1 = ((e^{x_y - m} - 1) - S) / (1 + S): the first difference is exact or
        # one rounding, and exactly 0 at a maximal label, where -S / (1 + S) keeps every
        # digit of a confident row; both parts are then <= 0, so nothing cancels.
        label_grad = ((flat_terms[at_label] - 1.0) - s) * scale
    grad.reshape(-1)[labels + num_classes * np.arange(num_rows)] = label_grad
    return loss, grad


def _exact_tail(terms: np.ndarray) -> np.ndarray:
    """:math:`S` from class-major terms :math:`e^{z_j - m}`, leaving out one maximal entry.

    The entries at the maximum are exactly 1: the sum of the others, plus one for every
    tie beyond the first, is exact to a rounding however small :math:`S` is.
    """
    at_max = terms == 1.0
    below = np.where(at_max, 0.0, terms)
    return np.sum(below, axis=0) + (np.sum(at_max, axis=0) - 1.0)


class _RowResults(NamedTuple):
    """What the pass finds for each row (arrays with the class axis kept as length 1)."""

    m: np.ndarray  # the maximum logit
    gap: np.ndarray  # m - x_y, in the working precision
    s: np.ndarray  # S = sum_{j != k} exp(x_j - m)
    distance: np.ndarray | None  # sum_c w_c (m - x_c), with smoothing only

    def block(self, index: tuple[slice, ...]) -> _RowResults:
        """Views of the rows of one block, to be filled in."""
        return _RowResults(*(None if v is None else v[index] for v in self))


def _label_rows(
    labels: np.ndarray,
    kept: np.ndarray | None,
    weight: np.ndarray | None,
    num_classes: int,
    smoothing: float,
    reduction: str,
) -> tuple[_LabelRows, float]:
    """The per-example coefficients of the loss and gradient, and the mean's denominator."""
    if weight is None and kept is None:
        label_weight: Any = 1.0
        denominator = float(labels.size)
        safe_labels = labels
    else:
        safe_labels = labels if kept is None else np.where(kept, labels, 0)
        label_weight = np.ones(labels.shape) if weight is None else weight[safe_labels]
        if kept is not None:
            label_weight = np.where(kept, label_weight, 0.0)
        denominator = float(np.sum(label_weight))
    divisor = _mean_denominator(reduction, denominator)
    total_weight = float(num_classes) if weight is None else float(np.sum(weight))
    smooth = smoothing / num_classes
    coef_all = ((1.0 - smoothing) * label_weight + smooth * total_weight) / divisor
    coef_label = (1.0 - smoothing) * label_weight / divisor
    coef_smooth: Any = smooth / divisor
    if kept is not None:
        # Written as a choice, not a product: 0 * NaN (a mean over nothing) would be NaN.
        coef_all = np.where(kept, coef_all, 0.0)
        coef_label = np.where(kept, coef_label, 0.0)
        coef_smooth = np.where(kept, coef_smooth, 0.0)
    rows = _LabelRows(safe_labels, kept, label_weight, coef_all, coef_label, coef_smooth)
    return rows, denominator


class _LabelPass(NamedTuple):
    """What every block of one call to an integer-label loss shares, and its steps."""

    axis: int
    weight: np.ndarray | None  # per class, shaped to broadcast along the class axis
    total_weight: float  # W = sum_c w_c (C without weights)
    smoothing: float
    judge_float32: bool  # float32 logits, no smoothing, enough classes for the fast path
    scratch: _Scratch

    def block(
        self,
        x: np.ndarray,
        label_logits: np.ndarray,
        rows: _LabelRows,
        grad: np.ndarray | None,
        found: _RowResults,
        *,
        try_fast: bool,
    ) -> bool:
        r"""Run the pass over one block of rows; return whether float32 sufficed.

        Fills ``found`` for these rows and, if ``grad`` is given, writes
        :math:`(a/D)\,p_j - (\varepsilon/C)\,w_j/D` into it, except at the label,
        which :meth:`finish_gradient` writes for all rows at once. With ``try_fast``, the
        exponentials are first computed in float32, in the gradient's own memory; if
        :func:`_float32_pass_is_accurate` cannot prove that the result meets the accuracy
        targets for every row of the block, the block is recomputed with float64 shifts
        and exponentials. The result says whether float32 was (or, after a float64 pass,
        would have been) accurate enough: the next block tries it only then.

        Floating-point warnings are off: NaN logits propagate by design, an infinite row
        maximum is reported afterwards, and exp underflows to 0 for far-behind classes.
        """
        axis = self.axis
        num_classes = x.shape[axis]
        with np.errstate(all="ignore"):
            if try_fast:
                k = np.argmax(x, axis=axis, keepdims=True)
                m = np.take_along_axis(x, k, axis=axis).astype(np.float64)
                exps = grad if grad is not None else self.scratch.like(x, x.dtype)
                # e^{x_j} itself, not e^{x_j - m}: the argument is the exact logit, and a
                # proof below checks that m keeps every term in float32's normal range.
                np.exp(x, out=exps)
                np.put_along_axis(exps, k, 0.0, axis=axis)
                s = np.sum(exps, axis=axis, keepdims=True, dtype=np.float64)
                exp_minus_m = np.exp(-m)
                s *= exp_minus_m  # S = sum_{j != k} e^{x_j - m}
                # m - x_y >= 0, exact in float64, exactly 0 when the label is maximal.
                gap = np.subtract(m, label_logits, dtype=np.float64)
                one_plus_s = 1.0 + s
                scale = rows.coef_all * exp_minus_m / one_plus_s
                if _float32_pass_is_accurate(s, gap, m, scale, rows.coef_all, num_classes):
                    if grad is not None:
                        grad *= scale.astype(np.float32)
                        np.put_along_axis(grad, k, rows.coef_all / one_plus_s, axis=axis)
                    self._store(found, m, gap, s)
                    return True
            if num_classes <= _SHORT_ROWS:
                self._exact_short_rows(x, label_logits, rows, grad, found)
            else:
                self._exact_block(x, label_logits, rows, grad, found)
            if not self.judge_float32:
                return False
            m = found.m.astype(np.float64)
            scale = rows.coef_all * np.exp(-m) / (1.0 + found.s)
            return _float32_pass_is_accurate(
                found.s, found.gap, m, scale, rows.coef_all, num_classes
            )

    def _exact_block(
        self,
        x: np.ndarray,
        label_logits: np.ndarray,
        rows: _LabelRows,
        grad: np.ndarray | None,
        found: _RowResults,
    ) -> None:
        """The pass over one block with the shifts and exponentials in float64."""
        axis = self.axis
        working = _working_dtype(x.dtype)
        k = np.argmax(x, axis=axis, keepdims=True)
        m = np.take_along_axis(x, k, axis=axis)
        gap = np.subtract(m, label_logits, dtype=working)
        exps = grad if grad is not None and grad.dtype == working else self.scratch.like(x, working)
        _shift(x, m.astype(working), exps)
        distance = _weighted_distance(exps, axis, self.weight) if self.smoothing else None
        np.exp(exps, out=exps)
        # S leaves out the maximal entry exactly, rather than subtracting 1 from the sum,
        # so that a confident row's tiny S keeps its digits.
        np.put_along_axis(exps, k, 0.0, axis=axis)
        s = _row_tail_sum(exps, axis, accurate=working == x.dtype)
        np.put_along_axis(exps, k, 1.0, axis=axis)
        if grad is not None:
            scale = rows.coef_all / (1.0 + s)
            if self.smoothing:
                exps *= scale
                exps -= rows.coef_smooth * (1.0 if self.weight is None else self.weight)
                if exps is not grad:
                    np.copyto(grad, exps, casting="same_kind")
            else:  # scale and round to the gradient's dtype in one pass
                np.multiply(exps, scale, out=grad, casting="same_kind")
        self._store(found, m, gap, s, distance)

    def _exact_short_rows(
        self,
        x: np.ndarray,
        label_logits: np.ndarray,
        rows: _LabelRows,
        grad: np.ndarray | None,
        found: _RowResults,
    ) -> None:
        """:meth:`_exact_block` for rows of a few classes, computed class-major.

        NumPy reduces a short last axis row by row, at a cost per row; with the classes
        first, each reduction is one vectorized operation per class. No maximal index is
        needed either: every entry equal to the row maximum has :math:`e^0 = 1`, so
        :math:`S` is the sum over the entries below the maximum plus the number of ties
        beyond the first.
        """
        axis = self.axis
        working = _working_dtype(x.dtype)
        # Always a copy (np.ascontiguousarray could return x itself), classes first.
        shifted = np.array(np.moveaxis(x, axis, 0), dtype=working, order="C", copy=True)
        m = np.max(shifted, axis=0, keepdims=True)
        shifted -= m  # exact for float32 logits
        at_max = shifted == 0
        ties = np.sum(at_max, axis=0, keepdims=True, dtype=working)
        weight = None if self.weight is None else np.moveaxis(self.weight, axis, 0)
        distance = _weighted_distance(shifted, 0, weight) if self.smoothing else None
        np.exp(shifted, out=shifted)
        # Every entry at the maximum is exactly e^0 = 1: subtracting them one by one is
        # exact, and leaves the terms below the maximum whatever their size.
        s = _tail_sum(shifted - at_max, 0, accurate=working == x.dtype)
        s += ties - 1.0
        # A row of NaN or with an infinite maximum has no entry below or at the maximum
        # (x - m is NaN): its S is NaN, as in the row-major pass.
        s[~np.isfinite(m)] = np.nan
        if grad is not None:
            scale = _classes_first(rows.coef_all, axis) / (1.0 + s)
            grad_class_major = np.moveaxis(grad, axis, 0)
            if self.smoothing:
                shifted *= scale
                smooth = _classes_first(rows.coef_smooth, axis)
                shifted -= smooth * (1.0 if weight is None else weight)
                np.copyto(grad_class_major, shifted, casting="same_kind")
            else:  # scale and round to the gradient's dtype in one pass
                np.multiply(shifted, scale, out=grad_class_major, casting="same_kind")
        m = np.moveaxis(m, 0, axis)
        gap = np.subtract(m, label_logits, dtype=working)
        distance = None if distance is None else np.moveaxis(distance, 0, axis)
        self._store(found, m, gap, np.moveaxis(s, 0, axis), distance)

    @staticmethod
    def _store(found: _RowResults, m, gap, s, distance=None) -> None:
        found.m[...] = m
        found.gap[...] = gap
        found.s[...] = s
        if distance is not None:
            found.distance[...] = distance

    def finish_gradient(self, grad: np.ndarray, found: _RowResults, rows: _LabelRows) -> None:
        """Write the entry at the label of every row, and zero the ignored rows."""
        s, gap = found.s, found.gap
        with np.errstate(invalid="ignore", over="ignore"):
            one_plus_s = 1.0 + s
            # a p_y - b_y. If the label is a maximal class, p_y - 1 would round p_y to 1
            # in a confident row: there it is -S / (1 + S), which keeps every digit.
            off_max = rows.coef_all * np.exp(-gap) / one_plus_s - rows.coef_label
            on_max = -rows.coef_label * s / one_plus_s
            if self.smoothing:
                weight = self.weight
                weight_at_label = (
                    1.0 if weight is None else np.take_along_axis(weight, rows.labels, self.axis)
                )
                off_max = off_max - rows.coef_smooth * weight_at_label
                on_max = on_max + rows.coef_smooth * (
                    self.total_weight / one_plus_s - weight_at_label
                )
            at_label = np.where(gap == 0, on_max, off_max)
        np.put_along_axis(grad, rows.labels, at_label, axis=self.axis)
        if rows.kept is not None:
            # An ignored example has gradient 0 whatever its logits (NaN included).
            ignored = ~np.squeeze(rows.kept, axis=self.axis)
            np.moveaxis(grad, self.axis, -1)[ignored] = 0.0

    def losses(self, found: _RowResults, rows: _LabelRows, num_classes: int) -> np.ndarray:
        r"""Per-example losses (class axis kept), float64:
        :math:`(1-\varepsilon)\,w_y (-\log p_y) + \frac{\varepsilon}{C} \sum_i w_i
        (-\log p_i)`, with :math:`-\log p_i = (m - z_i) + \operatorname{log1p}(S)`.
        """
        log1p_s = np.log1p(found.s)
        with np.errstate(invalid="ignore"):
            losses = found.gap + log1p_s
        if np.ndim(rows.label_weight) or self.smoothing:
            losses = _times((1.0 - self.smoothing) * rows.label_weight, losses)
        if self.smoothing:
            losses += self.smoothing / num_classes * (found.distance + self.total_weight * log1p_s)
        if rows.kept is not None:
            losses = np.where(rows.kept, losses, 0.0)
        return losses


def _weighted_distance(shifted: np.ndarray, axis: int, weight: np.ndarray | None) -> np.ndarray:
    r""":math:`\sum_i w_i (m - z_i) \ge 0` from the shifts :math:`z_i - m`; 0 where :math:`w_i = 0`."""
    if weight is None:
        return 0.0 - np.sum(shifted, axis=axis, keepdims=True)
    with np.errstate(invalid="ignore"):
        products = shifted * weight
    np.copyto(products, 0.0, where=weight == 0)  # a class of weight 0 counts for nothing
    return 0.0 - np.sum(products, axis=axis, keepdims=True)


def _float32_pass_is_accurate(
    s: np.ndarray,
    gap: np.ndarray,
    m: np.ndarray,
    scale: np.ndarray,
    coef_all: Any,
    num_classes: int,
) -> bool:
    r"""Whether float32 exponentials give every row of a block the accuracy targets.

    The float32 pass computes :math:`E_j = \operatorname{fl}(e^{z_j})` for every logit,
    :math:`S = e^{-m} \sum_{j \ne r} E_j` with the sum and the row scalars in float64,
    and the gradient entries :math:`\operatorname{fl}(E_j \cdot \operatorname{fl}(c))`
    with :math:`c = (a/D)\,e^{-m} / (1 + S)`. The targets: a loss within 2 ulps, every
    gradient entry within :math:`\epsilon = 2u` of the row's largest entry, and the
    entry :math:`-S/(1 + S)` within 4 ulps, where :math:`u = 2^{-24}`. This function
    proves them row by row from quantities the pass has already computed, or says no;
    ignored rows and rows of weight 0 are exact either way.

    The argument of each exponential is the logit itself, exact, so each :math:`E_j`
    has relative error at most :math:`\gamma = 6u` (NumPy's accuracy tests allow 3 ulps
    for float32 ``exp``; an ulp is at most :math:`2u` relative; the worst measured over
    every float32 in :math:`[-87.3, 88.7]` is :math:`3.6u`), provided no term overflows
    or leaves the normal range where it matters: :math:`-20 \le m \le 88` ensures
    that (a subnormal term is at most :math:`2^{-126}`, below :math:`u e^{m} S \cdot
    10^{-16}` when :math:`S \ge 1`). Summing :math:`C` terms in float64 and the row
    scalars add at most :math:`(2C + 4)\,2^{-53}`. So :math:`S` has relative error at
    most

    .. math::

        \delta = 6u + (2C + 4)\,2^{-53}.

    The loss :math:`(m - z_y) + \operatorname{log1p}(S)` then moves by at most
    :math:`\delta S / (1 + S)`; it is accurate if that is below :math:`1.45 u` times
    the loss (with the final rounding, under 2 ulps; also for a sum or mean of such
    losses). A gradient entry off the label has error at most :math:`(\gamma + 2u +
    \delta)/(1 + S)` relative to the row's scale :math:`a/D` (the exponential, the
    rounding of :math:`c` and of the product, and :math:`S`), and the entries at the
    label and at :math:`r`, computed in float64 from :math:`S`, at most
    :math:`\delta/(1 + S)`; both must stay below :math:`2u` times the row's largest
    entry (:math:`1 - p_y \ge 1/2` off the maximum, :math:`S/(1 + S)` at it), with
    room for their own rounding. Finally :math:`c` must be a normal float32 number,
    so that rounding it costs at most :math:`u`, and :math:`S \ge 1`.
    """
    # Called with floating-point warnings off (S may be NaN, 0 or inf in rows that fail).
    delta = _EXP32_RELATIVE_ERROR + (2 * num_classes + 4) * 2.0**-53
    one_plus_s = 1.0 + s
    loss_ok = delta * (s / one_plus_s) <= (1.45 / 1.001) * _U32 * (gap + np.log1p(s))
    # The row's largest gradient entry, times (1 + S): 1 + S - e^-(m - x_y) off the
    # maximum, S at it; with a margin of 1%.
    largest = np.where(gap == 0, s, one_plus_s - np.exp(-gap)) * (0.99 * _U32)
    needed = max((_EXP32_RELATIVE_ERROR + 2 * _U32 + delta) / 1.9, delta / 0.9) * 1.01
    accurate = (
        (s >= 1.0)
        & (m >= -20.0)
        & (m <= 88.0)
        & loss_ok
        & (needed <= largest)
        & (scale >= 2.0**-125)
        & (scale <= 2.0**125)
    )
    exact_anyway = coef_all == 0  # ignored, or weight 0: loss and gradient are 0
    return bool(np.all(accurate | exact_anyway))
