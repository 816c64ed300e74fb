r"""The multi-label softmax loss: one softmax over the classes, shared by every positive.

A multi-label example can belong to several classes at once. The usual loss for that task
is a sigmoid binary cross-entropy per class (:mod:`crossent.binary`). Mahajan et al. (2018)
found that a softmax over the classes works better for their weakly supervised
pretraining, with a target that spreads one unit of probability evenly over the
:math:`M` positive classes: each positive weighs :math:`1/M`, so the loss does not grow
with the number of labels. More generally the targets may be any non-negative weights
:math:`t_i`, normalized to the distribution :math:`t_i / M` with :math:`M = \sum_i t_i`.

The loss is then the softmax cross-entropy against that distribution; it is computed
from the row maximum :math:`m` and the tail sum :math:`S`, in a form where every term
is non-negative, by
:func:`crossent.reference.multilabel_softmax_cross_entropy_rows`: in float64, a block
of rows at a time, rounded once to the dtype of the logits.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from crossent import reference
from crossent._drivers import row_losses
from crossent._reduction import as_result, check_reduction, mean_divisor, reduce_losses
from crossent._validation import (
    as_float_array,
    check_choice,
    check_flag,
    class_axis,
    first_index,
    require_finite_nonnegative,
    require_same_shape,
    spell_entry,
)

__all__ = [
    "multilabel_softmax_cross_entropy",
    "multilabel_softmax_cross_entropy_grad",
    "multilabel_softmax_cross_entropy_value_and_grad",
]

EMPTY_POLICIES = ("raise", "ignore")


def multilabel_softmax_cross_entropy(
    logits: Any,
    targets: Any,
    *,
    axis: Any = -1,
    empty: str = "raise",
    reduction: str = "mean",
    validate: bool = True,
) -> Any:
    r"""Softmax cross-entropy against multi-hot targets, each of the M positives weighing 1/M.

    Parameters
    ----------
    logits : array_like
        Logits :math:`z` of shape ``(..., C, ...)`` with at least one class along
        ``axis``; real dtype. ``-inf`` marks a masked class.
    targets : array_like
        Non-negative, finite target weights :math:`t` of the shape of ``logits``:
        multi-hot rows (1 for each positive class, 0 elsewhere), or any non-negative
        weights. Each row is normalized to sum to 1, so only the proportions matter.
    axis : int, optional
        The class axis (default the last).
    empty : str, optional
        What to do with a row whose targets are all 0 (no positive class): ``"raise"``
        (the default) raises ``ValueError`` naming the row; ``"ignore"`` gives it loss 0
        and zero gradient and leaves it out of the mean.
    reduction : str, optional
        ``"mean"`` (the default: the mean over the counted rows; NaN if there are none,
        as PyTorch's mean over nothing), ``"sum"`` or ``"none"`` (one loss per row).
    validate : bool, optional
        If True (the default), check that every target is finite and non-negative (a
        pass over the data). Shapes, empty rows and infinite row maxima are always
        checked: they cost nothing extra.

    Returns
    -------
    float or ndarray
        The loss in the dtype of ``logits`` (float64 for integer or bool input): a NumPy
        scalar for ``"mean"`` and ``"sum"``; for ``"none"`` an array shaped like
        ``logits`` without ``axis`` (a NumPy scalar for a single row). It is ``inf`` if a
        positive class is masked (logit ``-inf``); NaN logits give NaN.

    Raises
    ------
    TypeError
        If an argument is not real, ``axis`` is not an int, or ``empty`` or
        ``reduction`` is not a str.
    ValueError
        If ``logits`` is 0-d or has no class, ``axis`` is out of range, ``targets`` does
        not have the shape of ``logits``, ``empty`` or ``reduction`` is unknown, a row has
        no positive target and ``empty="raise"``, a counted row of ``logits`` has an
        infinite maximum (all ``-inf``, or a ``+inf``), or (with ``validate``) a target
        is negative or not finite. The message names the first offending row or entry.

    See Also
    --------
    multilabel_softmax_cross_entropy_grad : the gradient with respect to the logits.
    multilabel_softmax_cross_entropy_value_and_grad : both in one pass.
    crossent.binary.sigmoid_binary_cross_entropy : the usual multi-label loss, one
        independent sigmoid per class.

    Notes
    -----
    For a row with targets :math:`t` summing to :math:`M > 0`,

    .. math::

        L = -\sum_i \frac{t_i}{M} \log \operatorname{softmax}(z)_i
          = \sum_i \frac{t_i}{M}\,(m - z_i) + \operatorname{log1p}(S),
        \qquad S = \sum_{j \ne r} e^{z_j - m},

    where :math:`m = z_r` is the row maximum, reached at index :math:`r`; for a
    multi-hot row with :math:`M` positives,
    :math:`L = -\frac{1}{M} \sum_{i : t_i = 1} \log \operatorname{softmax}(z)_i`. Both
    terms of the second form are non-negative, so they never cancel, and a confident
    row (every positive at the maximum, the rest far below) keeps its small loss
    :math:`\operatorname{log1p}(S) \approx S` to full precision. Everything is computed
    in float64, a block of rows at a time (float16 and float32 logits are widened, so
    their shifts :math:`z_i - m` are exact), and rounded once. On the adversarial rows of
    the test suite (logits spread over :math:`\pm 10^4`, one class ahead by 30 or
    :math:`10^4`, ties, :math:`10^5` classes, masked classes) the loss is within 0.9 ulp
    in float64 and half an ulp (correctly rounded) in float32. With one positive the loss
    is the softmax cross-entropy with an integer label; with one row per example it is
    the categorical cross-entropy against the probability targets :math:`t / M`.

    Equivalents: no framework has it under a name; it is
    ``torch.nn.functional.cross_entropy(logits, t / t.sum(-1, keepdim=True))``,
    ``tf.nn.softmax_cross_entropy_with_logits(labels=t / M, logits=logits)`` or
    ``optax.softmax_cross_entropy(logits, t / M)``, which divide by zero for a row with
    no positive where this function raises or ignores it.

    References
    ----------
    Mahajan, D., Girshick, R., Ramanathan, V., He, K., Paluri, M., Li, Y., Bharambe, A.
    and van der Maaten, L. (2018). Exploring the limits of weakly supervised
    pretraining. In Computer Vision -- ECCV 2018, pages 185-201. Springer.

    Examples
    --------
    >>> import numpy as np
    >>> from crossent.multilabel import multilabel_softmax_cross_entropy
    >>> z = np.log(np.array([[1.0, 1.0, 2.0]]))  # softmax (1/4, 1/4, 1/2)
    >>> t = np.array([[1.0, 0.0, 1.0]])  # two positives, 1/2 each
    >>> multilabel_softmax_cross_entropy(z, t)  # -(log(1/4) + log(1/2)) / 2 = 1.5 log 2
    np.float64(1.0397207708399179)

    Scaling the targets changes nothing; a row with no positive needs a decision:

    >>> multilabel_softmax_cross_entropy(z, 5.0 * t)
    np.float64(1.0397207708399179)
    >>> multilabel_softmax_cross_entropy(np.zeros((2, 3)), np.array([[0, 0, 1], [0, 0, 0]]),
    ...                                  empty="ignore", reduction="none")
    array([1.09861229, 0.        ])
    """
    loss, _ = _multilabel(logits, targets, axis, empty, reduction, validate, value=True, grad=False)
    return loss


def multilabel_softmax_cross_entropy_grad(
    logits: Any,
    targets: Any,
    *,
    axis: Any = -1,
    empty: str = "raise",
    reduction: str = "mean",
    validate: bool = True,
) -> np.ndarray:
    r"""The gradient of :func:`multilabel_softmax_cross_entropy` with respect to the logits.

    Parameters and Raises: as for :func:`multilabel_softmax_cross_entropy`.

    Returns
    -------
    ndarray
        :math:`\partial L / \partial z`, shaped like ``logits``, in its dtype (float64
        for integer or bool logits); 0 in the rows with no positive that
        ``empty="ignore"`` leaves out. With ``reduction="none"`` it is the gradient of the
        sum of the per-row losses.

    See Also
    --------
    multilabel_softmax_cross_entropy : the loss.

    Notes
    -----
    For a counted row,

    .. math::

        \frac{\partial L}{\partial z_i} = \operatorname{softmax}(z)_i - \frac{t_i}{M},

    divided by the number of counted rows for ``"mean"``; the entries of a row sum to 0.
    At the row maximum :math:`r`, where :math:`\operatorname{softmax}(z)_r = 1/(1 + S)`,
    it is computed as

    .. math::

        \frac{\partial L}{\partial z_r} = \frac{M - t_r}{M} - \frac{S}{1 + S}

    when :math:`1/(1 + S) + t_r/M > 1`: for a confident row whose positive is at the
    maximum, :math:`1/(1 + S) - t_r/M` would subtract two numbers near 1 and round the
    small gradient away. Every entry is then within about one unit roundoff of the
    larger of :math:`\operatorname{softmax}(z)_i` and :math:`t_i/M` over the row, which is
    the row's largest entry unless the row is near its optimum (softmax close to
    :math:`t/M`), where the gradient is small compared with its two parts and no method
    that first rounds the softmax can do better. float32 and float16 input is computed
    in float64 and rounded once (measured: 0.3 eps of the row's scale in float32).

    Examples
    --------
    >>> import numpy as np
    >>> from crossent.multilabel import multilabel_softmax_cross_entropy_grad
    >>> z = np.log(np.array([[1.0, 1.0, 2.0]]))
    >>> multilabel_softmax_cross_entropy_grad(z, np.array([[1.0, 0.0, 1.0]]))
    array([[-0.25,  0.25,  0.  ]])
    """
    _, grad = _multilabel(logits, targets, axis, empty, reduction, validate, value=False, grad=True)
    return grad


def multilabel_softmax_cross_entropy_value_and_grad(
    logits: Any,
    targets: Any,
    *,
    axis: Any = -1,
    empty: str = "raise",
    reduction: str = "mean",
    validate: bool = True,
) -> tuple[Any, np.ndarray]:
    r""":func:`multilabel_softmax_cross_entropy` and its gradient, from one softmax pass.

    Parameters and Raises: as for :func:`multilabel_softmax_cross_entropy`.

    Returns
    -------
    loss : float or ndarray
        As returned by :func:`multilabel_softmax_cross_entropy`.
    grad : ndarray
        As returned by :func:`multilabel_softmax_cross_entropy_grad`.

    See Also
    --------
    multilabel_softmax_cross_entropy, multilabel_softmax_cross_entropy_grad

    Notes
    -----
    The row maximum :math:`m`, the tail sum :math:`S` and the exponentials
    :math:`e^{z - m}` are computed once and serve both results:

    .. math::

        L = \sum_i \frac{t_i}{M}(m - z_i) + \operatorname{log1p}(S), \qquad
        \frac{\partial L}{\partial z_i} = \frac{e^{z_i - m}}{1 + S} - \frac{t_i}{M}.

    Examples
    --------
    >>> import numpy as np
    >>> from crossent.multilabel import multilabel_softmax_cross_entropy_value_and_grad
    >>> loss, grad = multilabel_softmax_cross_entropy_value_and_grad(
    ...     np.zeros((1, 4)), np.array([[1.0, 1.0, 0.0, 0.0]]))
    >>> float(loss), grad  # log 4, and 1/4 - 1/2 for the positives
    (1.3862943611198906, array([[-0.25, -0.25,  0.25,  0.25]]))
    """
    return _multilabel(logits, targets, axis, empty, reduction, validate, value=True, grad=True)


# ---------------------------------------------------------------------------------------
# The machinery
# ---------------------------------------------------------------------------------------


def _multilabel(
    logits: Any,
    targets: Any,
    axis: Any,
    empty: Any,
    reduction: Any,
    validate: bool,
    *,
    value: bool,
    grad: bool,
) -> tuple[Any, Any]:
    x = as_float_array(logits, "logits")
    axis = class_axis(x, axis, "logits")
    t = as_float_array(targets, "targets")
    require_same_shape(t, "targets", x.shape, "logits")
    empty = check_choice(empty, "empty", EMPTY_POLICIES)
    reduction = check_reduction(reduction)
    if check_flag(validate, "validate"):
        require_finite_nonnegative(t, "targets")

    is_empty = np.sum(t, axis=axis, keepdims=True, dtype=np.float64) == 0.0
    if empty == "raise" and is_empty.any():
        row = spell_entry("targets", first_index(is_empty), axis=axis)
        raise ValueError(
            f"{row} has no positive class (its targets sum to 0); every row needs a "
            'positive target, or pass empty="ignore" to leave such rows out'
        )
    count = int(is_empty.size - np.count_nonzero(is_empty))
    losses, gradient = row_losses(
        reference.multilabel_softmax_cross_entropy_rows, x, t, axis,
        function="multilabel_softmax_cross_entropy", counted=~is_empty, say_row=False,
        value=value, grad=grad, divisor=mean_divisor(reduction, count),
    )  # fmt: skip
    loss = None
    if value:
        loss = as_result(reduce_losses(losses, reduction, denominator=count), x.dtype)
    return loss, gradient
