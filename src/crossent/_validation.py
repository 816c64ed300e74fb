"""Input checks shared by every public function.

Each check raises a ``TypeError`` or ``ValueError`` that names the argument, what was
expected and what was received. Checks never modify their input.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "as_float_array",
    "broadcast_operand",
    "check_choice",
    "check_flag",
    "class_axis",
    "class_weights",
    "first_index",
    "ignore_index_value",
    "integer_labels",
    "label_smoothing_value",
    "normalize_axis",
    "require_finite_nonnegative",
    "require_finite_row_max",
    "require_labels_in_range",
    "require_same_shape",
    "require_unit_interval",
    "spell_entry",
]


def as_float_array(value: Any, name: str) -> np.ndarray:
    """Return ``value`` as a floating-point array without copying when possible.

    float16, float32 and float64 arrays are returned as they are (their dtype is kept);
    integers and booleans become float64. Complex, object, string and other dtypes raise
    ``TypeError`` naming ``name``.
    """
    array = np.asarray(value)
    if array.dtype.kind == "f":
        return array
    if array.dtype.kind in "iub":
        return array.astype(np.float64)
    raise TypeError(
        f"{name} must be an array of real numbers (a float, integer or bool dtype), "
        f"got dtype {array.dtype}"
    )


def normalize_axis(axis: Any, ndim: int, name: str = "axis") -> int:
    """Return ``axis`` as a non-negative index into an array of ``ndim`` dimensions."""
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(axis).__name__} {axis!r}")
    if not -ndim <= axis < ndim:
        raise ValueError(
            f"{name}={axis} is out of bounds for an array of {ndim} dimension(s); "
            f"expected an integer in [{-ndim}, {ndim - 1}]"
        )
    return int(axis) % ndim


def class_axis(array: np.ndarray, axis: Any, name: str = "x") -> int:
    """Return ``axis`` of ``array`` as a non-negative index, requiring at least one class.

    A function that normalizes over classes (softmax, log-softmax, log-sum-exp) needs a
    class axis, so a 0-d ``array`` is a ``ValueError``, and so is an empty class axis: with
    no class there is no row maximum to shift by and no distribution to return.
    """
    if array.ndim == 0:
        raise ValueError(
            f"{name} must have at least one dimension (the class axis), got a 0-d array"
        )
    normalized = normalize_axis(axis, array.ndim)
    if array.shape[normalized] == 0:
        raise ValueError(
            f"{name} has no classes: axis={axis} has length 0 in shape {array.shape}; "
            "expected at least one class"
        )
    return normalized


def require_same_shape(
    array: np.ndarray, name: str, shape: tuple[int, ...], reference: str
) -> None:
    """Raise ``ValueError`` unless ``array`` has ``shape``, the shape of argument ``reference``."""
    if array.shape != tuple(shape):
        raise ValueError(
            f"{name} must have the shape of {reference}, {tuple(shape)}; got shape {array.shape}"
        )


def broadcast_operand(value: Any, name: str, shape: tuple[int, ...], reference: str) -> np.ndarray:
    """Return ``value`` as a float array broadcast to ``shape`` (a read-only view).

    ``value`` must broadcast to ``shape`` by NumPy's rules (trailing axes aligned) without
    enlarging it: a weight may repeat along axes, never add them. Otherwise ``ValueError``
    names both shapes.
    """
    array = as_float_array(value, name)
    try:
        broadcast = np.broadcast_shapes(array.shape, tuple(shape))
    except ValueError:
        broadcast = None
    if broadcast != tuple(shape):
        raise ValueError(
            f"{name} of shape {array.shape} does not broadcast to the shape of {reference}, "
            f"{tuple(shape)} (NumPy rules: trailing axes aligned, each of length 1 or equal)"
        )
    return np.broadcast_to(array, shape)


def require_unit_interval(array: np.ndarray, name: str) -> None:
    """Raise ``ValueError`` naming the first entry of ``array`` outside [0, 1] (NaN too)."""
    # min and max need no temporary array; NaN makes one of them fail and takes the slow path.
    if array.size == 0 or (np.min(array) >= 0 and np.max(array) <= 1):
        return
    index = first_index(~((array >= 0) & (array <= 1)))
    raise ValueError(f"{name} must lie in [0, 1]; got {spell_entry(name, index)} = {array[index]}")


def require_finite_nonnegative(array: np.ndarray, name: str) -> None:
    """Raise ``ValueError`` naming the first entry of ``array`` that is negative, inf or NaN."""
    if array.size == 0 or (np.min(array) >= 0 and np.isfinite(np.max(array))):
        return
    index = first_index(~(np.isfinite(array) & (array >= 0)))
    raise ValueError(
        f"{name} must be finite and non-negative; got {spell_entry(name, index)} = {array[index]}"
    )


def check_flag(value: Any, name: str) -> bool:
    """Return ``value`` as a bool if it is one (``np.bool_`` too), else raise ``TypeError``.

    ``validate=\"no\"`` is a mistake, not a true value: a flag must be a bool.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__} {value!r}")
    return bool(value)


def check_choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of the strings ``choices``, else raise naming ``name``."""
    if not isinstance(value, str):
        raise TypeError(
            f"{name} must be a str, one of {choices}, got {type(value).__name__} {value!r}"
        )
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")
    return value


def label_smoothing_value(value: Any) -> float:
    """Return ``label_smoothing`` as a float in [0, 1], else raise."""
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


def class_weights(weight: Any, num_classes: int) -> np.ndarray | None:
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


def ignore_index_value(value: Any) -> int | None:
    """Return ``ignore_index`` as an int, or None."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(
            f"ignore_index must be an int or None, got {type(value).__name__} {value!r}"
        )
    return int(value)


def integer_labels(labels: Any, logits_shape: tuple[int, ...], axis: int) -> np.ndarray:
    """Return ``labels`` as an integer array of the shape of the logits without ``axis``."""
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


def require_labels_in_range(
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
    index = first_index(outside)
    also = "" if ignore_index is None else f", or ignore_index={ignore_index}"
    raise ValueError(
        f"labels must be class indices in [0, {num_classes}){also}; "
        f"got {spell_entry('labels', index)} = {labels[index]}"
    )


def require_finite_row_max(
    m: np.ndarray,
    axis: int,
    *,
    function: str,
    name: str = "logits",
    counted: np.ndarray | None = None,
    offset: tuple[int, ...] | None = None,
    say_row: bool = True,
) -> None:
    """Raise ``ValueError`` naming the first counted row whose maximum ``m`` is infinite.

    ``m`` holds the row maxima with the class axis kept as length 1; ``counted`` (the
    same shape) leaves out ignored rows; ``offset`` is the position of the first row of
    ``m`` in the whole array, when ``m`` belongs to a block of it.
    """
    infinite = np.isinf(m)
    if counted is not None:
        infinite &= counted
    if not infinite.any():
        return
    index = first_index(infinite)
    maximum = m[index]
    noun = "logit" if name == "logits" else "entry"
    reason = (
        f"every {noun} is -inf, so every class is masked"
        if maximum < 0
        else "a +inf logit makes the softmax undefined"
    )
    row = spell_entry(name, index, axis=axis, offset=offset)
    raise ValueError(
        f"{function} needs a finite maximum in every row of {name} along axis={axis}; "
        f"{'row ' if say_row else ''}{row} has maximum {maximum} ({reason})"
    )


def first_index(mask: np.ndarray) -> tuple[int, ...]:
    """The index of the first True entry of ``mask`` (which has one), in C order."""
    return tuple(int(i) for i in np.unravel_index(int(np.argmax(mask)), mask.shape))


def spell_entry(
    name: str,
    index: tuple[int, ...],
    *,
    axis: int | None = None,
    offset: tuple[int, ...] | None = None,
) -> str:
    """Spell entry ``index`` of argument ``name``: ``probs[1, 2]``, or ``probs`` if 0-d.

    With ``axis``, the index is a row and that axis is spelled ``:`` (``logits[2, :]``);
    ``offset`` is added to the index (the first row of a block).
    """
    if offset is not None:
        index = tuple(i + first for i, first in zip(index, offset, strict=True))
    parts = [":" if dim == axis else str(i) for dim, i in enumerate(index)]
    return f"{name}[{', '.join(parts)}]" if index else name
