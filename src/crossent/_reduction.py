"""The reduction policy shared by every loss: ``"mean"``, ``"sum"`` and ``"none"``.

A loss computes one value per example in its working precision, then reduces and rounds
once to the output dtype. Its gradient is divided by the same divisor the mean applies,
so ``L_grad`` is always the gradient of exactly what ``L`` returns. Everything a loss
needs for that lives here:

- :func:`check_reduction`, the one check of the argument;
- :func:`mean_divisor`, the divisor of the mean (NaN for a mean over nothing, as in
  PyTorch; 1 for ``"sum"`` and ``"none"``), for the value and the gradient alike;
- :func:`reduce_losses`, the value's sum or mean, accumulated in float64;
- :func:`times`, the product in which 0 times an infinity is 0;
- :func:`as_result`, the one rounding to the output dtype.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from crossent._validation import check_choice

__all__ = [
    "REDUCTIONS",
    "as_result",
    "check_reduction",
    "mean_divisor",
    "reduce_losses",
    "times",
]

REDUCTIONS = ("mean", "sum", "none")


def check_reduction(reduction: Any) -> str:
    """Return ``reduction`` if it is one of ``"mean"``, ``"sum"``, ``"none"``, else raise."""
    return check_choice(reduction, "reduction", REDUCTIONS)


def mean_divisor(reduction: str, denominator: float) -> float:
    """What the per-example losses and gradients are divided by.

    ``"mean"`` divides by ``denominator`` (the number of examples, or the sum of their
    weights); a mean over nothing (``denominator == 0``) is NaN, as in PyTorch. ``"sum"``
    and ``"none"`` divide by 1.
    """
    if reduction != "mean":
        return 1.0
    return float(denominator) if denominator > 0 else math.nan


def reduce_losses(losses: np.ndarray, reduction: str, denominator: float | None = None):
    """Reduce per-example ``losses`` (keeping their dtype).

    ``denominator`` defaults to the number of examples; a weighted mean passes the sum of
    the weights instead. ``"mean"`` and ``"sum"`` return a NumPy scalar of the losses'
    dtype, accumulated in float64 and rounded once.
    """
    if reduction == "none":
        return losses
    # Accumulate in float64 (cheap: one value per example) and round once at the end.
    total = np.sum(losses, dtype=np.float64)
    if reduction == "sum":
        return losses.dtype.type(total)
    count = losses.size if denominator is None else denominator
    return losses.dtype.type(total / mean_divisor(reduction, count))


def times(coefficient: Any, value: Any) -> Any:
    """``coefficient * value``, where 0 times an infinity is 0 (NaN times 0 stays NaN).

    A term whose coefficient is 0 is absent, even where its value is infinite: a class of
    target 0 at a masked logit, ``0 log 0`` at a certain prediction, an example of weight
    0 with an infinite loss.
    """
    with np.errstate(invalid="ignore"):
        product = np.multiply(coefficient, value)
    nan = np.isnan(product)
    if not nan.any():  # 0 times an infinity is NaN: without a NaN there is nothing to do
        return product
    absent = nan & (np.asarray(coefficient) == 0) & np.isinf(value)
    if np.ndim(product) == 0:
        return product.dtype.type(0.0) if absent else product
    np.copyto(product, 0.0, where=absent)
    return product


def as_result(values: Any, dtype: np.dtype) -> Any:
    """Round ``values`` once to ``dtype``; a 0-d result becomes a NumPy scalar, as from a ufunc."""
    # A float64 value beyond the float32 range (log_softmax([max, -max]) has -2 max) rounds
    # to -inf, which is the correctly rounded result, not an accident to warn about.
    with np.errstate(over="ignore"):
        values = np.asarray(values).astype(dtype, copy=False)
    return values[()] if values.ndim == 0 else values
