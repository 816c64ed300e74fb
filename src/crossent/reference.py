r"""The reference paths of the losses, written as their Notes derive them.

Each function here computes one loss family, in plain NumPy and in float64, exactly as
the Notes of its public loss derive it; the caller rounds each result once to the dtype
of the input. The public losses validate their arguments, split the input into blocks
and call these functions, and reduce what they return. For the softmax losses of
:mod:`crossent.categorical` a fast path may replace a block's reference computation
only when it can prove the same accuracy (see the Notes of
:func:`crossent.categorical.softmax_cross_entropy_with_integer_labels`), and the test
suite checks every fast path against these. The binary losses of :mod:`crossent.binary`
and the multi-label loss of :mod:`crossent.multilabel` have no other path.

The softmax family. For a row :math:`z` with maximum :math:`m = z_r` (at index
:math:`r`) and tail sum :math:`S = \sum_{j \ne r} e^{z_j - m}`,

.. math::

    -\log \operatorname{softmax}(z)_i = (m - z_i) + \operatorname{log1p}(S), \qquad
    \operatorname{softmax}(z)_i = \frac{e^{z_i - m}}{1 + S},

two non-negative terms that never cancel, and :math:`1 - \operatorname{softmax}(z)_r =
S / (1 + S)` at the maximum, which keeps the digits of a confident row. float16 and
float32 logits are widened to float64, so the shifts :math:`z_j - m` are exact.

The binary family. Entry by entry, with :math:`\operatorname{softplus}(z) = \log(1 +
e^z)`, the loss of a logit is a sum of non-negative terms whose exponential
:math:`e^{-|z|}` never overflows; the loss of a probability is two logarithms, the
second taken as ``log1p(-q)``.

Wherever a coefficient is 0 its term is absent, even where the term is infinite (0
times an infinity is 0 here): a class of target 0 at a masked logit, :math:`0 \log 0` at
a certain prediction, an entry of weight 0.

These functions check nothing: their arguments come from the public losses, which do.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from crossent._core import along, exp_in_place, row_tail_sum, shift, working_dtype
from crossent._reduction import mean_divisor, times

__all__ = [
    "LabelCoefficients",
    "binary_cross_entropy_entries",
    "gradient_at_label",
    "integer_label_losses",
    "label_coefficients",
    "multilabel_softmax_cross_entropy_rows",
    "sigmoid_binary_cross_entropy_entries",
    "softmax_cross_entropy_rows",
    "softmax_cross_entropy_with_integer_labels_rows",
    "total_class_weight",
    "weighted_distance",
]


class LabelCoefficients(NamedTuple):
    r"""The per-row coefficients of the integer-label loss and its gradient.

    With :math:`\varepsilon` the label smoothing, :math:`w_y` the weight of the row's
    label (0 for an ignored row), :math:`W = \sum_c w_c` and :math:`D` the divisor of
    the reduction (for ``"mean"``, :math:`\sum w_y` over the rows, as in PyTorch), the
    gradient of a row is :math:`a\,p_j - b\,[j = y] - c\,w_j`. Each is a float when it
    is the same for every row, else an array with the class axis kept as length 1.
    """

    kept: np.ndarray | None  # False for an ignored row; None when no row is ignored
    w_y: Any  # w_y, 0 for an ignored row
    a: Any  # ((1 - eps) w_y + (eps / C) W) / D, which multiplies p_j
    b: Any  # (1 - eps) w_y / D, subtracted at the label
    c: Any  # (eps / C) / D, times w_j, subtracted from every class
    denominator: float  # sum of w_y over the rows, what "mean" divides by

    def block(self, index: tuple[slice, ...]) -> LabelCoefficients:
        """The coefficients of the rows of one block."""
        return LabelCoefficients(
            *(v if v is None or np.ndim(v) == 0 else v[index] for v in self[:-1]),
            self.denominator,
        )


def label_coefficients(
    labels: np.ndarray,
    kept: np.ndarray | None,
    weight: np.ndarray | None,
    num_classes: int,
    label_smoothing: float,
    reduction: str,
) -> LabelCoefficients:
    """The :class:`LabelCoefficients` of rows with ``labels`` (``kept`` False if ignored).

    ``labels`` and ``kept`` have the class axis as length 1; ignored labels are 0.
    """
    eps, total_weight = label_smoothing, total_class_weight(weight, num_classes)
    w_y: Any = 1.0
    denominator = float(labels.size)
    if weight is not None or kept is not None:
        w_y = np.ones(labels.shape) if weight is None else weight[labels]
        if kept is not None:
            w_y = np.where(kept, w_y, 0.0)
        denominator = float(np.sum(w_y))
    divisor = mean_divisor(reduction, denominator)
    smooth = eps / num_classes
    a = ((1.0 - eps) * w_y + smooth * total_weight) / divisor
    b = (1.0 - eps) * w_y / divisor
    c: Any = smooth / divisor
    if kept is not None:
        # Written as a choice, not a product: 0 * NaN (a mean over nothing) would be NaN.
        a, b, c = (np.where(kept, v, 0.0) for v in (a, b, c))
    return LabelCoefficients(kept, w_y, a, b, c, denominator)


def total_class_weight(weight: np.ndarray | None, num_classes: int) -> float:
    """:math:`W = \\sum_c w_c`, or :math:`C` without weights."""
    return float(num_classes) if weight is None else float(np.sum(weight))


def softmax_cross_entropy_with_integer_labels_rows(
    z: np.ndarray,
    labels: np.ndarray,
    coef: LabelCoefficients,
    *,
    axis: int,
    weight: np.ndarray | None = None,
    label_smoothing: float = 0.0,
    grad: np.ndarray | None = None,
    work: np.ndarray | None = None,
    value: bool = True,
) -> tuple[np.ndarray | None, np.ndarray]:
    r"""The integer-label loss of a block of rows, and its gradient.

    ``z`` holds the logits with the classes along ``axis``; ``labels`` (ignored labels
    replaced by 0), ``coef`` (from :func:`label_coefficients`) and the results have that
    axis as length 1, ``weight`` (if any) is shaped to broadcast along it. Returns the
    float64 losses, before the reduction (None unless ``value``), and the row maxima
    :math:`m` (the caller checks that they are finite). If ``grad`` is given, :math:`\partial L / \partial z`
    divided by :math:`D` is written into it. ``work``, float64 memory of the shape of
    ``z``, saves an allocation.
    """
    working = working_dtype(z.dtype)
    k = np.argmax(z, axis=axis, keepdims=True)
    at_max = along(k, axis)
    m = z[at_max]
    if grad is not None and grad.dtype == working:
        work = grad
    e = np.empty(z.shape, working) if work is None else work
    with np.errstate(all="ignore"):  # NaN propagates; far-behind classes underflow to 0
        gap = np.subtract(m, z[along(labels, axis)], dtype=working)  # m - z_y
        shift(z, m.astype(working), e)  # z - m <= 0, exact for float32 logits
        distance = weighted_distance(e, axis, weight) if value and label_smoothing else None
        np.exp(e, out=e)
        # S leaves out the maximal entry exactly, rather than subtracting 1 from the sum.
        e[at_max] = 0.0
        s = row_tail_sum(e, axis, accurate=working == z.dtype)
        e[at_max] = 1.0
        if grad is not None:
            e *= coef.a / (1.0 + s)  # a p_j = a e^{z_j - m} / (1 + S)
            if label_smoothing:
                e -= coef.c * (1.0 if weight is None else weight)
            if e is not grad:  # round once to the gradient's dtype
                np.copyto(grad, e, casting="same_kind")
            gradient_at_label(grad, labels, coef, gap, s, axis, weight, label_smoothing)
    if not value:
        return None, m
    return integer_label_losses(coef, gap, s, distance, weight, label_smoothing, z.shape[axis]), m


def gradient_at_label(
    grad: np.ndarray,
    labels: np.ndarray,
    coef: LabelCoefficients,
    gap: np.ndarray,
    s: np.ndarray,
    axis: int,
    weight: np.ndarray | None,
    label_smoothing: float,
) -> None:
    r"""Write :math:`a p_y - b - c w_y` at each row's label; zero the ignored rows.

    If the label is a maximal class (``gap`` :math:`= m - z_y = 0`), :math:`p_y - 1`
    would round :math:`p_y` to 1 in a confident row: there it is :math:`-b S / (1 + S)
    + c (W / (1 + S) - w_y)`, which keeps every digit.
    """
    num_classes = grad.shape[axis]
    with np.errstate(invalid="ignore", over="ignore"):
        one_plus_s = 1.0 + s
        off_max = coef.a * np.exp(-gap) / one_plus_s - coef.b
        on_max = -coef.b * s / one_plus_s
        if label_smoothing:
            w_label = 1.0 if weight is None else np.take_along_axis(weight, labels, axis)
            off_max = off_max - coef.c * w_label
            total_weight = total_class_weight(weight, num_classes)
            on_max = on_max + coef.c * (total_weight / one_plus_s - w_label)
        at_label = np.where(gap == 0, on_max, off_max)
    grad[along(labels, axis)] = at_label
    if coef.kept is not None:
        # An ignored example has gradient 0 whatever its logits (NaN included).
        np.moveaxis(grad, axis, -1)[~np.squeeze(coef.kept, axis=axis)] = 0.0


def integer_label_losses(
    coef: LabelCoefficients,
    gap: np.ndarray,
    s: np.ndarray,
    distance: np.ndarray | None,
    weight: np.ndarray | None,
    label_smoothing: float,
    num_classes: int,
) -> np.ndarray:
    r"""Per-row losses, float64: :math:`(1-\varepsilon)\,w_y (-\log p_y) +
    \frac{\varepsilon}{C} \sum_i w_i (-\log p_i)`, with :math:`-\log p_i = (m - z_i) +
    \operatorname{log1p}(S)` and ``distance`` :math:`= \sum_i w_i (m - z_i)`.
    """
    eps = label_smoothing
    log1p_s = np.log1p(s)
    with np.errstate(invalid="ignore"):
        losses = gap + log1p_s
    if np.ndim(coef.w_y) or eps:
        losses = times((1.0 - eps) * coef.w_y, losses)
    if eps:
        total_weight = total_class_weight(weight, num_classes)
        losses += eps / num_classes * (distance + total_weight * log1p_s)
    if coef.kept is not None:
        losses = np.where(coef.kept, losses, 0.0)
    return losses


def softmax_cross_entropy_rows(
    x: np.ndarray,
    targets: np.ndarray,
    *,
    axis: int,
    weight: np.ndarray | None = None,
    label_smoothing: float = 0.0,
    divisor: float = 1.0,
    grad: np.ndarray | None = None,
    work: np.ndarray | None = None,
    value: bool = True,
) -> tuple[np.ndarray | None, np.ndarray]:
    r"""The loss of a block of rows against target distributions, and its gradient.

    With :math:`b = w \odot ((1 - \varepsilon)\,t + \varepsilon / C)`, the weighted
    smoothed target, a row's loss is

    .. math::

        L = \sum_c b_c (m - z_c) + \Bigl(\sum_c b_c\Bigr) \operatorname{log1p}(S),

    and its gradient :math:`(\sum_c b_c)\,p_j - b_j`, written at the maximum :math:`r` as
    :math:`(\sum_{c \ne r} b_c - b_r S) / (1 + S)`, with no cancellation when the target
    sits on the predicted class. Returns the float64 losses (class axis kept as length 1)
    and the row maxima :math:`m` (the caller checks that they are finite); the gradient
    divided by ``divisor`` is written into ``grad`` if given. ``weight`` is shaped to
    broadcast along ``axis``; ``work``, float64 memory of the shape of ``x``, saves an
    allocation.
    """
    smoothing = label_smoothing
    num_classes = x.shape[axis]
    working = working_dtype(x.dtype)
    k = np.argmax(x, axis=axis, keepdims=True)
    m = np.take_along_axis(x, k, axis=axis)

    # b, the weighted smoothed target, and its sums with and without the entry at k.
    b = np.multiply(targets, 1.0 - smoothing, dtype=working)
    if smoothing:
        b += smoothing / num_classes
    if weight is not None:
        b *= weight
    b_at_max = np.take_along_axis(b, k, axis=axis)
    np.put_along_axis(b, k, 0.0, axis=axis)
    # An accurate sum (b >= 0): its rounding scales the whole gradient, and NumPy's
    # pairwise sum is off by up to 3 ulp on some versions (2.0 to 2.2) on 1e5 classes.
    b_tail = row_tail_sum(b, axis, accurate=True)
    np.put_along_axis(b, k, b_at_max, axis=axis)
    b_total = b_tail + b_at_max

    if grad is not None and grad.dtype == working:
        work = grad
    shifted = np.empty(x.shape, working) if work is None else work
    shift(x, m, shifted)  # x - m <= 0, exact in float64 for float32 logits
    if value:
        with np.errstate(invalid="ignore"):
            cross = b * shifted
        # A class with no (weighted) target mass contributes nothing, even if x_c = -inf.
        np.copyto(cross, 0.0, where=b == 0)
        distance = 0.0 - np.sum(cross, axis=axis, keepdims=True)  # sum_c b_c (m - x_c) >= 0
        del cross

    exp_in_place(shifted)
    np.put_along_axis(shifted, k, 0.0, axis=axis)
    s = row_tail_sum(shifted, axis, accurate=working == x.dtype)
    losses = distance + times(b_total, np.log1p(s)) if value else None

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
    return losses, m


def weighted_distance(shifted: np.ndarray, axis: int, weight: np.ndarray | None) -> np.ndarray:
    r""":math:`\sum_i w_i (m - z_i) \ge 0` from the shifts :math:`z_i - m`; 0 where :math:`w_i = 0`."""
    if weight is None:
        return 0.0 - np.sum(shifted, axis=axis, keepdims=True)
    with np.errstate(invalid="ignore"):
        products = shifted * weight
    np.copyto(products, 0.0, where=weight == 0)  # a class of weight 0 counts for nothing
    return 0.0 - np.sum(products, axis=axis, keepdims=True)


def multilabel_softmax_cross_entropy_rows(
    x: np.ndarray,
    targets: np.ndarray,
    *,
    axis: int,
    divisor: float = 1.0,
    grad: np.ndarray | None = None,
    work: np.ndarray | None = None,
    value: bool = True,
) -> tuple[np.ndarray | None, np.ndarray]:
    r"""The multi-label softmax loss of a block of rows, and its gradient.

    With :math:`M = \sum_i t_i` a row's total target, so that each of :math:`M` positives
    weighs :math:`1/M`, the loss is the cross-entropy of the softmax against :math:`t/M`,

    .. math::

        L = \sum_i \frac{t_i}{M}\,(m - z_i) + \operatorname{log1p}(S), \qquad
        \frac{\partial L}{\partial z_i} = \frac{e^{z_i - m}}{1 + S} - \frac{t_i}{M},

    with the gradient at the maximum :math:`r` written as :math:`(M - t_r)/M - S/(1 + S)`
    when :math:`p_r + t_r/M > 1`: in a confident row whose positive is at the maximum,
    :math:`p_r - t_r/M` would subtract two numbers near 1. A row with :math:`M = 0` (no
    positive: the caller has raised, unless such rows are ignored) has loss 0 and
    gradient 0. Returns the float64 losses (class axis kept as length 1; None unless
    ``value``) and the row maxima :math:`m` (the caller checks that they are finite); the
    gradient divided by ``divisor`` is written into ``grad`` if given. ``work``, float64
    memory of the shape of ``x``, saves an allocation.
    """
    working = working_dtype(x.dtype)
    t = targets.astype(working, copy=False)
    total = np.sum(t, axis=axis, keepdims=True)  # M
    empty = total == 0.0
    at_max = along(np.argmax(x, axis=axis, keepdims=True), axis)
    m = x[at_max]
    if grad is not None and grad.dtype == working:
        work = grad
    e = np.empty(x.shape, working) if work is None else work
    shift(x, m, e)  # z - m <= 0, exact for float32 logits
    losses = None
    with np.errstate(divide="ignore", invalid="ignore"):  # 0/0 in the rows with M = 0
        if value:  # sum_i t_i (m - z_i) >= 0; a masked class of target 0 counts for nothing
            distance = 0.0 - np.sum(times(t, e), axis=axis, keepdims=True)
        exp_in_place(e)
        e[at_max] = 0.0  # S leaves out the maximal entry exactly
        s = row_tail_sum(e, axis, accurate=working == x.dtype)
        if value:
            losses = np.where(empty, 0.0, distance / total + np.log1p(s))
        if grad is not None:
            e[at_max] = 1.0
            e /= 1.0 + s  # the softmax p
            e -= t / total
            p_r, share_r = 1.0 / (1.0 + s), t[at_max] / total
            # (M - t_r)/M - S/(1 + S) is p_r - t_r/M without subtracting two numbers near 1.
            confident = (total - t[at_max]) / total - s / (1.0 + s)
            e[at_max] = np.where(p_r + share_r > 1.0, confident, p_r - share_r)
            e /= divisor  # NaN for a mean over nothing: every row is then empty
            np.copyto(e, 0.0, where=empty)
            if e is not grad:  # round once to the gradient's dtype
                np.copyto(grad, e, casting="same_kind")
    return losses, m


def sigmoid_binary_cross_entropy_entries(
    z: np.ndarray,
    targets: np.ndarray,
    weight: np.ndarray | None = None,
    pos_weight: np.ndarray | None = None,
    *,
    value: bool = True,
    grad: bool = True,
) -> tuple[np.ndarray | None, np.ndarray | None]:
    r"""The binary cross-entropy of logits, entry by entry, and its derivative.

    With :math:`t` the target, :math:`w` the weight and :math:`w_+` the positive weight
    (PyTorch's ``pos_weight``: it scales the term of the positive outcome),
    :math:`L = w\,[w_+ t \operatorname{softplus}(-z) + (1 - t) \operatorname{softplus}(z)]`.
    Split by the sign of :math:`z`, so that the exponential never overflows,

    .. math::

        L / w = \begin{cases}
            (1 - t)\,z + (w_+ t + 1 - t) \operatorname{log1p}(e^{-z}) & z \ge 0, \\
            -w_+ t\,z + (w_+ t + 1 - t) \operatorname{log1p}(e^{z}) & z < 0,
        \end{cases}

    a sum of two non-negative terms, and :math:`\partial L / \partial z = w\,[(1 - t)
    \sigma(z) - w_+ t\,\sigma(-z)]`, with both sigmoids taken from :math:`e^{-|z|}`, so
    that :math:`\sigma(-z)` keeps its digits where :math:`1 - \sigma(z)` would not. The
    arguments are float64 arrays of one shape, at least 1-d (``weight`` and ``pos_weight``
    None for 1);
    the results are fresh float64 arrays (None where not asked for).
    """
    positive = targets if pos_weight is None else pos_weight * targets  # w+ t
    negative = 1.0 - targets  # 1 - t
    nonnegative = z >= 0.0
    e = np.exp(-np.abs(z))  # e^{-|z|} in [0, 1]
    losses = gradient = None
    if value:
        # (1 - t) z for z >= 0 and -w+ t z for z < 0, both non-negative.
        linear = times(np.where(nonnegative, negative, positive), np.abs(z))
        losses = linear + (positive + negative) * np.log1p(e)
        if weight is not None:
            losses = times(weight, losses)
    if grad:
        sigmoid = np.where(nonnegative, 1.0, e)  # sigma(z) = 1 / (1 + e^-z) for z >= 0
        sigmoid /= 1.0 + e
        sigmoid_of_negative = np.where(nonnegative, e, 1.0)  # sigma(-z)
        sigmoid_of_negative /= 1.0 + e
        gradient = negative * sigmoid
        gradient -= positive * sigmoid_of_negative
        if weight is not None:
            gradient *= weight  # every term is finite: no 0 * inf
    return losses, gradient


def binary_cross_entropy_entries(
    q: np.ndarray,
    targets: np.ndarray,
    weight: np.ndarray | None = None,
    *,
    value: bool = True,
    grad: bool = True,
) -> tuple[np.ndarray | None, np.ndarray | None]:
    r"""The binary cross-entropy of probabilities, entry by entry, and its derivative.

    With :math:`t` the target and :math:`w` the weight,

    .. math::

        L = w\,[t\,(-\log q) + (1 - t)\,(-\operatorname{log1p}(-q))], \qquad
        \frac{\partial L}{\partial q} = w\,\frac{q - t}{q (1 - q)},

    with :math:`0 \log 0 = 0`. At a perfect certain prediction (:math:`q = t \in \{0,
    1\}`) the quotient is :math:`0/0`; the derivative there is that of the one term that
    remains, :math:`1 - 2q`. The arguments are float64 arrays of one shape, at least
    1-d (``weight`` None for 1); the results are fresh float64 arrays (None where not asked for).
    """
    losses = gradient = None
    # log 0 = -inf is exact; a probability outside [0, 1] (not validated) gives NaN.
    with np.errstate(divide="ignore", invalid="ignore"):
        if value:
            losses = times(targets, -np.log(q)) + times(1.0 - targets, -np.log1p(-q))
            if weight is not None:
                losses = times(weight, losses)
        if grad:
            gradient = (q - targets) / (q * (1.0 - q))
            perfect = (q == targets) & ((q == 0.0) | (q == 1.0))
            np.copyto(gradient, 1.0 - 2.0 * q, where=perfect)
            if weight is not None:
                gradient = times(weight, gradient)
    return losses, gradient
