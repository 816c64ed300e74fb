"""The drivers of the softmax losses: check, split into blocks, pick a path, reduce.

Each public loss of :mod:`crossent.categorical` is one call to a driver here, and
:mod:`crossent.multilabel` runs its reference path through :func:`row_losses`. A driver
validates the arguments (:mod:`crossent._validation`), runs the rows a block at a time
(:func:`crossent._core.row_blocks`) through a fast path where one applies
(:mod:`crossent._fast_paths`) or else the reference path (:mod:`crossent.reference`),
checks that every counted row has a finite maximum, and reduces
(:mod:`crossent._reduction`). ``value`` and ``grad`` say which results to compute.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from crossent import _paths, reference
from crossent._core import (
    SHORT_ROWS,
    Scratch,
    block_shape,
    require_finite_row_max,
    row_blocks,
    working_dtype,
)
from crossent._fast_paths import FAST_MIN_CLASSES, float32_rows, short_float32_rows
from crossent._reduction import as_result, check_reduction, mean_divisor, reduce_losses
from crossent._validation import (
    as_float_array,
    check_flag,
    class_axis,
    class_weights,
    ignore_index_value,
    integer_labels,
    label_smoothing_value,
    require_labels_in_range,
    require_same_shape,
    require_unit_interval,
)

__all__ = ["integer_label_loss", "row_losses", "soft_target_loss"]

INTEGER = "softmax_cross_entropy_with_integer_labels"


def integer_label_loss(
    logits: Any,
    labels: Any,
    axis: Any,
    weight: Any,
    ignore_index: Any,
    label_smoothing: Any,
    reduction: Any,
    validate: Any,
    *,
    value: bool,
    grad: bool,
) -> tuple[Any, np.ndarray | None]:
    """The driver of ``softmax_cross_entropy_with_integer_labels`` and its partners."""
    x = as_float_array(logits, "logits")
    axis = class_axis(x, axis, "logits")
    num_classes = x.shape[axis]
    labels = integer_labels(labels, x.shape, axis)
    ignore_index = ignore_index_value(ignore_index)
    weight = class_weights(weight, num_classes)
    smoothing = label_smoothing_value(label_smoothing)
    reduction = check_reduction(reduction)
    check_flag(validate, "validate")
    kept = require_labels_in_range(labels, num_classes, ignore_index)
    plain = kept is None and weight is None and smoothing == 0.0
    if plain and _short_rows_apply(x, axis) and _paths.allowed("short"):
        _paths.record("short")
        return short_float32_rows(x, labels, reduction, value=value, grad=grad)

    squeeze = x.ndim == 1
    if squeeze:  # one example: work on a batch of one
        x, labels, axis = x[np.newaxis], labels[np.newaxis], 1
        kept = None if kept is None else kept[np.newaxis]
    if kept is not None:
        labels = np.where(kept, labels, 0)  # a safe index for the ignored rows
        kept = np.expand_dims(kept, axis)
    labels = np.expand_dims(labels, axis)
    coef = reference.label_coefficients(labels, kept, weight, num_classes, smoothing, reduction)
    losses, gradient = _label_blocks(x, labels, coef, axis, weight, smoothing, value, grad)
    if squeeze:
        losses = None if losses is None else losses[0]
        gradient = None if gradient is None else gradient[0]
    loss = None
    if value:
        loss = as_result(reduce_losses(losses, reduction, coef.denominator), x.dtype)
    return loss, gradient


def _short_rows_apply(x: np.ndarray, axis: int) -> bool:
    """Whether the class-major fast path for a few float32 classes applies."""
    shape_ok = x.ndim == 2 and axis == 1 and x.shape[0] > 0
    return x.dtype == np.float32 and shape_ok and 0 < x.shape[1] <= SHORT_ROWS


def _label_blocks(x, labels, coef, axis, weight, smoothing, value, grad):
    """Run the rows of ``x`` a block at a time; return the per-row losses and the gradient."""
    num_classes = x.shape[axis]
    weight_b = None if weight is None else _along(weight, axis, x.ndim)
    losses = np.zeros(labels.shape) if value else None
    gradient = np.empty_like(x) if grad else None
    working = working_dtype(x.dtype)
    scratch = Scratch(block_shape(x.shape, axis))
    try_fast = x.dtype == np.float32 and smoothing == 0.0 and _paths.allowed("float32")
    try_fast &= num_classes >= FAST_MIN_CLASSES or _paths.named("float32")
    for index, _, offset in row_blocks(x.shape, axis):
        x_b, g_b, c_b = x[index], None if gradient is None else gradient[index], coef.block(index)
        result = None
        if try_fast:
            work = scratch.like(x_b, x.dtype) if g_b is None else None
            result = float32_rows(x_b, labels[index], c_b, axis=axis, grad=g_b, work=work, value=value)
            # Neighbouring rows of a batch are alike: once the proof fails, the next
            # blocks go straight to the reference path.
            try_fast = result is not None
        _paths.record("float32" if result is not None else "reference")
        if result is None:
            work = None if g_b is not None and g_b.dtype == working else scratch.like(x_b, working)
            result = reference.softmax_cross_entropy_with_integer_labels_rows(
                x_b, labels[index], c_b, axis=axis, weight=weight_b,
                label_smoothing=smoothing, grad=g_b, work=work, value=value,
            )  # fmt: skip
        block_losses, m = result
        require_finite_row_max(m, axis, function=INTEGER, counted=c_b.kept, offset=offset)
        if value:
            losses[index] = block_losses
    if value:
        losses = np.squeeze(losses, axis=axis)
    return losses, gradient


def soft_target_loss(
    logits: Any,
    targets: Any,
    axis: Any,
    weight: Any,
    label_smoothing: Any,
    reduction: Any,
    validate: Any,
    *,
    value: bool,
    grad: bool,
) -> tuple[Any, np.ndarray | None]:
    """The driver of ``softmax_cross_entropy`` and its partners."""
    x = as_float_array(logits, "logits")
    targets = as_float_array(targets, "targets")
    require_same_shape(targets, "targets", x.shape, "logits")
    axis = class_axis(x, axis, "logits")
    weight = class_weights(weight, x.shape[axis])
    smoothing = label_smoothing_value(label_smoothing)
    reduction = check_reduction(reduction)
    if check_flag(validate, "validate"):
        require_unit_interval(targets, "targets")

    divisor = mean_divisor(reduction, x.size // x.shape[axis])
    weight_b = None if weight is None else _along(weight, axis, x.ndim)
    losses, gradient = row_losses(
        reference.softmax_cross_entropy_rows, x, targets, axis, function="softmax_cross_entropy",
        value=value, grad=grad, weight=weight_b, label_smoothing=smoothing, divisor=divisor,
    )  # fmt: skip
    loss = as_result(reduce_losses(losses, reduction), x.dtype) if value else None
    return loss, gradient


def row_losses(
    rows_function: Callable[..., tuple[np.ndarray | None, np.ndarray]],
    x: np.ndarray,
    targets: np.ndarray,
    axis: int,
    *,
    function: str,
    value: bool,
    grad: bool,
    counted: np.ndarray | None = None,
    say_row: bool = True,
    **options: Any,
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Run a reference path of target rows over ``x`` a block of rows at a time.

    ``rows_function(x_block, targets_block, axis=..., grad=..., work=..., value=...,
    **options)`` returns the block's float64 losses and row maxima. Returns the per-row
    losses (float64, ``axis`` removed; None unless ``value``) and the gradient (dtype of
    ``x``; None unless ``grad``), after checking that every ``counted`` row (all rows by
    default; keepdims shape) has a finite maximum; ``function`` names the loss in the
    error.
    """
    squeeze = x.ndim == 1
    if squeeze:  # one example: work on a batch of one
        x, targets, axis = x[np.newaxis], targets[np.newaxis], 1
        counted = None if counted is None else counted[np.newaxis]
    losses = np.zeros(x.shape[:axis] + x.shape[axis + 1 :]) if value else None
    gradient = np.empty_like(x) if grad else None
    working = working_dtype(x.dtype)
    scratch = Scratch(block_shape(x.shape, axis))
    for index, rows, offset in row_blocks(x.shape, axis):
        g_b = None if gradient is None else gradient[index]
        work = None if g_b is not None and g_b.dtype == working else scratch.like(x[index], working)
        block_losses, m = rows_function(
            x[index], targets[index], axis=axis, grad=g_b, work=work, value=value, **options
        )
        require_finite_row_max(
            m, axis, function=function, counted=None if counted is None else counted[index],
            offset=offset, say_row=say_row,
        )  # fmt: skip
        if value:
            losses[rows] = np.squeeze(block_losses, axis=axis)
    if squeeze:
        losses = None if losses is None else losses[0]
        gradient = None if gradient is None else gradient[0]
    return losses, gradient


def _along(vector: np.ndarray, axis: int, ndim: int) -> np.ndarray:
    """Reshape a per-class vector to broadcast along ``axis`` of an ``ndim``-d array."""
    shape = [1] * ndim
    shape[axis] = vector.size
    return vector.reshape(shape)
