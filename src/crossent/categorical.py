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

from typing import Any

import numpy as np

from crossent._core import working_dtype
from crossent._drivers import integer_label_loss, soft_target_loss
from crossent._reduction import as_result, check_reduction, mean_divisor, reduce_losses
from crossent._validation import (
    as_float_array,
    check_flag,
    class_axis,
    require_same_shape,
    require_unit_interval,
)

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

    Equivalents: in PyTorch, with ``p = probs``, ``t = targets`` and the classes on
    dim 1, ``-torch.xlogy(t, p).sum(dim=1)``, as :mod:`crossent.names` writes it.
    ``xlogy`` takes :math:`0 \log 0` as 0, as this function does; with ``torch.log``
    instead, a perfect prediction :math:`p = t = e_0` gives :math:`0 \cdot (-\infty)` =
    NaN. Autograd's gradient of it, and of ``torch.nn.NLLLoss()(torch.log(p), y)``, is NaN
    wherever :math:`p_i = t_i = 0`, where :func:`cross_entropy_grad` gives the true 0.
    PyTorch has no loss on probabilities for more than two classes (``torch.nn.NLLLoss``
    takes log-probabilities). ``tf.keras.losses.categorical_crossentropy(t, p)`` (target
    first) rescales each row of ``p`` to sum to 1 and clips it to
    :math:`[10^{-7}, 1 - 10^{-7}]`, so its loss never exceeds about 16.1.

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
        probs, targets, axis, reduction, validate, value=True, grad=False
    )
    return loss


def cross_entropy_grad(
    probs: Any, targets: Any, *, axis: Any = -1, reduction: str = "mean", validate: bool = True
) -> np.ndarray:
    r"""The gradient of :func:`cross_entropy` with respect to the probabilities ``probs``.

    Parameters and Raises: as for :func:`cross_entropy`.

    Returns
    -------
    ndarray
        :math:`\partial L / \partial p`, the shape of ``probs``, in the dtype of the loss.
        With ``reduction="none"`` each example's own gradient (the gradient of the sum of
        the per-example losses).

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
        probs, targets, axis, reduction, validate, value=False, grad=True
    )
    return grad


def cross_entropy_value_and_grad(
    probs: Any, targets: Any, *, axis: Any = -1, reduction: str = "mean", validate: bool = True
) -> tuple[Any, np.ndarray]:
    r""":func:`cross_entropy` and :func:`cross_entropy_grad` together.

    Parameters and Raises: as for :func:`cross_entropy`.

    Returns
    -------
    loss : float or ndarray
        As returned by :func:`cross_entropy`.
    grad : ndarray
        As returned by :func:`cross_entropy_grad`.

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
    return _probability_cross_entropy(
        probs, targets, axis, reduction, validate, value=True, grad=True
    )


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
    loss, _ = soft_target_loss(
        logits, targets, axis, weight, label_smoothing, reduction, validate, value=True, grad=False
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

    Parameters and Raises: as for :func:`softmax_cross_entropy`.

    Returns
    -------
    ndarray
        :math:`\partial L / \partial z`, the shape and dtype of ``logits`` (float64 for
        integer or bool logits). With ``reduction="none"`` each example's own gradient
        (the gradient of the sum of the per-example losses).

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
    _, grad = soft_target_loss(
        logits, targets, axis, weight, label_smoothing, reduction, validate, value=False, grad=True
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

    Parameters and Raises: as for :func:`softmax_cross_entropy`.

    Returns
    -------
    loss : float or ndarray
        As returned by :func:`softmax_cross_entropy`.
    grad : ndarray
        As returned by :func:`softmax_cross_entropy_grad`.

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
    return soft_target_loss(
        logits, targets, axis, weight, label_smoothing, reduction, validate, value=True, grad=True
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
    float64, 1.2 to 1.5 times slower. Neither makes a copy of the logits: the only
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
    loss, _ = integer_label_loss(
        logits, labels, axis, weight, ignore_index, label_smoothing, reduction, validate, value=True, grad=False
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

    Parameters and Raises: as for :func:`softmax_cross_entropy_with_integer_labels`.

    Returns
    -------
    ndarray
        :math:`\partial L / \partial z`, the shape and dtype of ``logits`` (float64 for
        integer or bool logits); 0 for the examples whose label is ``ignore_index``. With
        ``reduction="none"`` each example's own gradient (the gradient of the sum of the
        per-example losses).

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
    _, grad = integer_label_loss(
        logits, labels, axis, weight, ignore_index, label_smoothing, reduction, validate, value=False, grad=True
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

    Parameters and Raises: as for :func:`softmax_cross_entropy_with_integer_labels`.

    Returns
    -------
    loss : float or ndarray
        As returned by :func:`softmax_cross_entropy_with_integer_labels`.
    grad : ndarray
        As returned by :func:`softmax_cross_entropy_with_integer_labels_grad`.

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
    return integer_label_loss(
        logits, labels, axis, weight, ignore_index, label_smoothing, reduction, validate, value=True, grad=True
    )


# ---------------------------------------------------------------------------------------
# Cross-entropy of probabilities
# ---------------------------------------------------------------------------------------


def _probability_cross_entropy(
    probs: Any, targets: Any, axis: Any, reduction: Any, validate: Any, *, value: bool, grad: bool
) -> tuple[Any, np.ndarray | None]:
    # p the prediction, t the target, as in H(t, p).
    p = as_float_array(probs, "probs")
    t = as_float_array(targets, "targets")
    require_same_shape(t, "targets", p.shape, "probs")
    axis = class_axis(p, axis, "probs")
    reduction = check_reduction(reduction)
    if check_flag(validate, "validate"):
        require_unit_interval(p, "probs")
        require_unit_interval(t, "targets")
    dtype = np.result_type(p.dtype, t.dtype)
    working = working_dtype(dtype)
    p = p.astype(working, copy=False)
    t = t.astype(working, copy=False)
    absent = t == 0
    loss = gradient = None
    if value:
        with np.errstate(divide="ignore", invalid="ignore"):
            # 0 log 0 = 0: a class with no target mass contributes nothing, even where p = 0.
            terms = np.where(absent, 0.0, t * np.log(p))
        # 0.0 - sum turns the -0.0 of a perfect prediction into +0.0.
        losses = 0.0 - np.sum(terms, axis=axis)
        loss = as_result(reduce_losses(losses, reduction), dtype)
    if grad:
        divisor = mean_divisor(reduction, p.size // p.shape[axis])
        with np.errstate(divide="ignore", invalid="ignore"):
            gradient = as_result(np.where(absent, 0.0, -t / p) / divisor, dtype)
    return loss, gradient
