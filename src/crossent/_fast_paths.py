r"""Fast paths of the integer-label softmax loss, beside its reference path.

Each is used only where it applies and, for :func:`float32_rows`, only where an error
bound proves that it meets the accuracy targets of the reference path
(:func:`crossent.reference.softmax_cross_entropy_with_integer_labels_rows`); otherwise
the reference path runs. ``crossent._paths.only`` selects the paths for tests, which
check every fast path against the reference.

Why the float32 path stays (measured on NumPy 2.4 with AVX-512, one thread, loss and
gradient): on standard-normal float32 logits, where its proof holds, the reference path
alone takes 1.2 times as long at 4096 x 1000 and 1.5 times at 1024 x 32768. On the
benchmark's logits (3 times standard normal) its proof fails on the first block (the tail
sums are small, about 3, and a float32 ``exp`` of up to 3.6u error cannot then give every
gradient entry within one epsilon of its row's largest: that needs roughly S >= 13), and
the reference path runs; the attempt costs one block.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from crossent._core import require_finite_row_max
from crossent._reduction import as_result, mean_divisor, reduce_losses
from crossent.reference import LabelCoefficients, gradient_at_label, integer_label_losses

__all__ = [
    "EXP32_RELATIVE_ERROR",
    "FAST_MIN_CLASSES",
    "SHORT_EXACT_TAIL",
    "U32",
    "exact_tail",
    "float32_proof_holds",
    "float32_rows",
    "short_float32_rows",
]

# The float32 fast path is tried only for rows of at least this many classes; below
# that, the exponentials are cheap and the reference path costs about the same.
FAST_MIN_CLASSES = 128

# Below this S, a short float32 row's S is summed again without the maximal entry: the
# sum of all terms less 1 would lose the digits of a confident row's tiny S.
SHORT_EXACT_TAIL = 2.0**-20

# Unit roundoff of float32.
U32 = 2.0**-24

# NumPy's own accuracy tests allow 3 ulp for float32 exp; an ulp is at most 2u relative.
EXP32_RELATIVE_ERROR = 6.0 * U32


def float32_rows(
    x: np.ndarray,
    labels: np.ndarray,
    coef: LabelCoefficients,
    *,
    axis: int,
    grad: np.ndarray | None,
    work: np.ndarray | None,
    value: bool = True,
) -> tuple[np.ndarray | None, np.ndarray] | None:
    r"""The reference path's results for float32 rows, from float32 exponentials, or None.

    The arguments and results are those of
    :func:`crossent.reference.softmax_cross_entropy_with_integer_labels_rows` without
    label smoothing (``work`` is float32 memory here, used when ``grad`` is None). The
    exponentials :math:`e^{z_j}` are computed in float32, in the gradient's own memory;
    if :func:`float32_proof_holds` cannot prove that the result meets the accuracy
    targets for every row, nothing is returned (the gradient's memory is then scratch)
    and the caller runs the reference path.
    """
    num_classes = x.shape[axis]
    with np.errstate(all="ignore"):  # NaN propagates; a row that fails is redone
        k = np.argmax(x, axis=axis, keepdims=True)
        m = np.take_along_axis(x, k, axis=axis).astype(np.float64)
        exps = grad if grad is not None else work
        # e^{x_j} itself, not e^{x_j - m}: the argument is the exact logit, and the proof
        # checks that m keeps every term in float32's normal range.
        np.exp(x, out=exps)
        np.put_along_axis(exps, k, 0.0, axis=axis)
        s = np.sum(exps, axis=axis, keepdims=True, dtype=np.float64)
        exp_minus_m = np.exp(-m)
        s *= exp_minus_m  # S = sum_{j != k} e^{x_j - m}
        # m - x_y >= 0, exact in float64, exactly 0 when the label is maximal.
        gap = np.subtract(m, np.take_along_axis(x, labels, axis=axis), dtype=np.float64)
        one_plus_s = 1.0 + s
        scale = coef.a * exp_minus_m / one_plus_s
        if not float32_proof_holds(s, gap, m, scale, coef.a, num_classes):
            return None
        if grad is not None:
            grad *= scale.astype(np.float32)
            np.put_along_axis(grad, k, coef.a / one_plus_s, axis=axis)
            gradient_at_label(grad, labels, coef, gap, s, axis, None, 0.0)
    losses = integer_label_losses(coef, gap, s, None, None, 0.0, num_classes) if value else None
    return losses, m


def float32_proof_holds(
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
    delta = EXP32_RELATIVE_ERROR + (2 * num_classes + 4) * 2.0**-53
    one_plus_s = 1.0 + s
    loss_ok = delta * (s / one_plus_s) <= (1.45 / 1.001) * U32 * (gap + np.log1p(s))
    # The row's largest gradient entry, times (1 + S): 1 + S - e^-(m - x_y) off the
    # maximum, S at it; with a margin of 1%.
    largest = np.where(gap == 0, s, one_plus_s - np.exp(-gap)) * (0.99 * U32)
    needed = max((EXP32_RELATIVE_ERROR + 2 * U32 + delta) / 1.9, delta / 0.9) * 1.01
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


def short_float32_rows(
    x: np.ndarray, labels: np.ndarray, reduction: str, *, value: bool, grad: bool
) -> tuple[Any, np.ndarray | None]:
    r"""The integer-label loss of a batch of float32 rows of a few classes, no options.

    The general pass, for ``(N, C)`` float32 logits with :math:`C \le` :data:`SHORT_ROWS`
    and neither weights, ignored labels nor smoothing, computed class-major in float64
    as the reference path does: the shifts :math:`z_j - m` are exact in
    float64, and every entry at the maximum is exactly :math:`e^0 = 1`. What differs is
    the cost: a NumPy reduction over a short axis pays per row (a maximum over 10
    classes costs as much as 40 exponentials per row), so the maximum is taken one class
    at a time, a vector operation of length :math:`N` each, and :math:`S` is the sum of
    all terms less 1, one matrix-vector product. That difference has relative error at
    most :math:`2^{-49} (1 + S) / S`, below :math:`2^{-29}` for :math:`S \ge
    2^{-20}`; a row with a smaller :math:`S` (a confident one) is summed again without
    its maximal entry by :func:`exact_tail`. Either way :math:`S` is far more accurate
    than float32 needs, and every result is rounded to float32 once.
    """
    num_rows, num_classes = x.shape
    # Classes first, widened: every step below is a vector operation over the rows.
    terms = np.array(x.T, dtype=np.float64, order="C")
    m = terms[0].copy()
    for logits_of_class in terms[1:]:
        np.maximum(m, logits_of_class, out=m)  # propagates NaN, like np.max
    require_finite_row_max(
        m[:, np.newaxis], 1, function="softmax_cross_entropy_with_integer_labels"
    )
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
        confident = np.flatnonzero(s < SHORT_EXACT_TAIL)
        if confident.size:
            s[confident] = exact_tail(terms[:, confident])
        losses = gap + np.log1p(s)
    divisor = mean_divisor(reduction, num_rows)
    loss = as_result(reduce_losses(losses, reduction), x.dtype) if value else None
    if not grad:
        return loss, None
    with np.errstate(invalid="ignore"):
        scale = (1.0 / divisor) / (1.0 + s)
        gradient = np.empty_like(x)
        # Scale and round to float32 in one pass, written back in the rows' own order.
        np.multiply(terms, scale, out=gradient.T, casting="same_kind")
        # p_y - 1 = ((e^{x_y - m} - 1) - S) / (1 + S): the first difference is exact or
        # one rounding, and exactly 0 at a maximal label, where -S / (1 + S) keeps every
        # digit of a confident row; both parts are then <= 0, so nothing cancels.
        label_grad = ((flat_terms[at_label] - 1.0) - s) * scale
    gradient.reshape(-1)[labels + num_classes * np.arange(num_rows)] = label_grad
    return loss, gradient


def exact_tail(terms: np.ndarray) -> np.ndarray:
    """:math:`S` from class-major terms :math:`e^{z_j - m}`, leaving out one maximal entry.

    The entries at the maximum are exactly 1: the sum of the others, plus one for every
    tie beyond the first, is exact to a rounding however small :math:`S` is.
    """
    at_max = terms == 1.0
    below = np.where(at_max, 0.0, terms)
    return np.sum(below, axis=0) + (np.sum(at_max, axis=0) - 1.0)
