r"""The shared row core of the softmax family: shift, exponentials, tail sum, blocks.

Every loss and activation of the softmax family computes, for each row :math:`z` along
the class axis, the maximum :math:`m = z_r` (reached first at index :math:`r`), the
exponentials :math:`e^{z_j - m}` and the tail sum :math:`S = \sum_{j \ne r} e^{z_j -
m}`, from which

.. math::

    \operatorname{logsumexp}(z) = m + \operatorname{log1p}(S).

This module does that work once for all of them (:mod:`crossent.activations`,
:mod:`crossent.categorical`, :mod:`crossent.multilabel` and :mod:`crossent.reference`),
together with the blocking that keeps the temporaries small and the check that every row
has a finite maximum.
"""

from __future__ import annotations

import functools
import math
from typing import Any, NamedTuple

import numpy as np

from crossent import _paths
from crossent._validation import require_finite_row_max

__all__ = [
    "BLOCK_ENTRIES",
    "BLOCK_FRACTION",
    "ELEMENT_BLOCK_ENTRIES",
    "MIN_BLOCK_ENTRIES",
    "SHORT_ROWS",
    "Scratch",
    "ShiftedExp",
    "along",
    "block_shape",
    "classes_first",
    "element_blocks",
    "exp_in_place",
    "extracted_sum",
    "require_finite_row_max",
    "row_blocks",
    "row_tail_sum",
    "shift",
    "shifted_exp_and_tail_sum",
    "tail_sum",
    "working_dtype",
]

# The working precision. float16 and float32 input is computed in float64 and rounded
# once at the end: the shift z - m of two float32 numbers is then exact, and the float64
# exponentials and sums leave a float32 result correctly rounded in practice. Long double
# stays long double.
def working_dtype(dtype: Any) -> np.dtype:
    """float64 for float16, float32 and float64; long double stays long double."""
    return np.promote_types(dtype, np.float64)


# Entries per block of rows. A row pass works on a block at a time, so that its float64
# temporaries stay in the cache and none of them is the size of the logits: the peak
# extra memory of a loss is its gradient, not a multiple of it. A block has at most
# BLOCK_ENTRIES entries (a 4 MiB float64 scratch) and at most 1/BLOCK_FRACTION of the
# array, so that the float64 scratch of float32 logits stays within 1/32 of their size
# (for 4096 x 1000 logits: 64 rows, 512 KiB); but at least MIN_BLOCK_ENTRIES, below
# which NumPy's cost per call outweighs the work of a block.
BLOCK_ENTRIES = 1 << 19
BLOCK_FRACTION = 64
MIN_BLOCK_ENTRIES = 1 << 14

# Entries per block of an elementwise loss (binary.py). Its formulas take several
# temporaries per entry, so the block is smaller: eight 512 KiB arrays fit in L2.
ELEMENT_BLOCK_ENTRIES = 1 << 16

# Rows of at most this many classes are reduced class-major: NumPy reduces a short last
# axis row by row, at a cost per row; over a leading axis it needs one vectorized
# operation per class (two to three times faster for 10 classes).
SHORT_ROWS = 16


def element_blocks(shape: tuple[int, ...]):
    """Slices of the first axis that cover an array of ``shape`` (at least 1-d) in blocks
    of about :data:`ELEMENT_BLOCK_ENTRIES` entries, for an elementwise loss."""
    rows_per_block = max(1, ELEMENT_BLOCK_ENTRIES // max(1, math.prod(shape[1:])))
    for start in range(0, shape[0], rows_per_block):
        yield slice(start, start + rows_per_block)


def exp_in_place(values: np.ndarray) -> None:
    """``np.exp(values, out=values)``, quietly: NaN propagates and far terms underflow to 0."""
    with np.errstate(invalid="ignore", under="ignore"):
        np.exp(values, out=values)


class ShiftedExp(NamedTuple):
    """The pieces of one softmax pass; see :func:`shifted_exp_and_tail_sum`."""

    exp_shifted: np.ndarray
    m: np.ndarray
    s: np.ndarray
    k: np.ndarray


def shifted_exp_and_tail_sum(
    x: np.ndarray, axis: int, *, accurate_sum: bool = True
) -> ShiftedExp:
    r"""Compute the shared first pass of softmax, log-softmax, log-sum-exp and their losses.

    Parameters
    ----------
    x : ndarray
        Real floating-point array (float32 or float64; float16 and long double work too),
        at least 1-d, with at least one entry along ``axis``. It is not validated here
        (the public callers have done that) and is never modified.
    axis : int
        The class axis, a valid index into ``x.shape`` (negative allowed).
    accurate_sum : bool, optional
        If True (the default), :math:`S` is the sum of the computed terms with an error of
        about one rounding, however many classes there are: float16 and float32 terms are
        accumulated in float64, float64 and long double terms are split so that most of
        the sum is exact (see ``extracted_sum``). If False, :math:`S` is ``np.sum`` in
        the dtype of ``x``: NumPy's pairwise sum, with a relative error of up to a few
        ulps, which a confident row's log-probability :math:`-\mathop{\mathrm{log1p}}(S)
        \approx -S` inherits. That is cheaper (float32: about 1.3 times less time for the
        whole pass; float64: a few times less) and enough where :math:`S` only scales a
        result, as in a gradient, or where ``x`` was widened from a lower precision.

    Returns
    -------
    exp_shifted : ndarray
        :math:`e^{z - m}`, same shape and dtype as ``x``: a fresh array that the caller
        owns and may overwrite in place (for instance to turn it into a gradient). It is 1
        at every maximal entry (at ``k`` exactly), in :math:`[0, 1]` elsewhere, and 0 at
        ``-inf`` entries.
    m : ndarray
        The row maximum :math:`m = z_r`, dtype of ``x``, with ``axis`` kept as length 1
        (``keepdims=True``).
    s : ndarray
        The tail sum :math:`S = \sum_{j \ne r} e^{z_j - m}`, with ``axis`` kept as length
        1. Its dtype is float64 when ``x`` is float16 or float32 and ``accurate_sum`` is
        True, else the dtype of ``x``. :math:`0 \le S \le C - 1`; ties with the maximum
        each contribute exactly 1.
    k : ndarray
        The index :math:`r` of the one maximal entry left out of :math:`S`, as from
        ``np.argmax(x, axis=axis, keepdims=True)`` (the first maximal entry); integer
        dtype, ready for ``np.take_along_axis`` and ``np.put_along_axis``.

    Notes
    -----
    Rows whose maximum is not finite need the caller's decision, so they are not errors
    here and raise no warning: in a row that contains NaN, ``k`` points at the first NaN
    and ``m`` and ``s`` are NaN; in a row whose maximum is :math:`\pm\infty` (all entries
    ``-inf``, or some ``+inf``) ``m`` is that infinity and ``s`` and ``exp_shifted`` are
    meaningless (NaN or 0). ``logsumexp`` returns ``m`` for such rows; ``softmax``
    raises.

    The excluded entry is handled without a subtraction: it is set to 0 for the sum and
    then restored to :math:`e^0 = 1`. Summing everything and subtracting 1 afterwards
    would round a tiny :math:`S` away (:math:`1 + 10^{-17} = 1` in float64).

    Accuracy: each term :math:`e^{z_j - m}` is as accurate as ``np.exp`` in the dtype of
    ``x`` (float64: about 0.6 ulp; float32: up to about 1.8 ulp measured) on top of the
    rounding of :math:`z_j - m`, which is exact whenever :math:`z_j` and :math:`m` are
    within a factor of 2 of each other and otherwise perturbs the term by a relative
    :math:`|z_j - m|` times half an ulp. The public functions therefore compute float16
    and float32 input in float64.

    Peak memory is one array the size of ``x`` (``exp_shifted``, which is returned) plus
    row-sized pieces; the accurate sum of float64 terms needs one more, briefly.

    Examples
    --------
    A confident row: the tail sum keeps the :math:`2 e^{-30}` that :math:`1 + S` would
    lose.

    >>> x = np.array([[0.0, -30.0, -30.0]])
    >>> exp_shifted, m, s, k = shifted_exp_and_tail_sum(x, axis=-1)
    >>> m, k, s
    (array([[0.]]), array([[0]]), array([[1.87152459e-13]]))
    >>> exp_shifted / (1.0 + s)  # the softmax
    array([[1.00000000e+00, 9.35762297e-14, 9.35762297e-14]])
    """
    k = np.argmax(x, axis=axis, keepdims=True)
    m = np.take_along_axis(x, k, axis=axis)
    # inf - inf = NaN in a row whose maximum is infinite (the caller decides from m), and
    # x - m overflows to -inf when x is near -max and m near +max: exp(-inf) = 0 is right.
    with np.errstate(invalid="ignore", over="ignore", under="ignore"):
        exp_shifted = np.subtract(x, m)
        np.exp(exp_shifted, out=exp_shifted)
    np.put_along_axis(exp_shifted, k, 0.0, axis=axis)
    s = tail_sum(exp_shifted, axis, accurate=accurate_sum)
    np.put_along_axis(exp_shifted, k, 1.0, axis=axis)
    return ShiftedExp(exp_shifted, m, s, k)


def tail_sum(terms: np.ndarray, axis: int, *, accurate: bool) -> np.ndarray:
    """Sum the non-negative ``terms`` along ``axis`` (keepdims), accurately if asked."""
    if not accurate:
        return np.sum(terms, axis=axis, keepdims=True)
    if np.finfo(terms.dtype).bits < 64:
        # float64 accumulation leaves a float32 sum with ~1e-9 ulp of summation error.
        return np.sum(terms, axis=axis, keepdims=True, dtype=np.float64)
    return extracted_sum(terms, axis)


def extracted_sum(terms: np.ndarray, axis: int) -> np.ndarray:
    """Sum the non-negative ``terms`` along ``axis`` (keepdims), nearly correctly rounded.

    NumPy's pairwise sum adds up to 16 terms in sequence and can be off by several ulps,
    which a confident row's ``log1p(S)`` would pass on unchanged. Here each term is split
    exactly into a high part, a multiple of a quantum common to the whole row, and a small
    low part (Rump, Ogita and Oishi's ExtractVector). The quantum is chosen so that every
    partial sum of high parts is a representable multiple of it: the high parts sum
    without any rounding, in any order. The low parts are below half a quantum, so their
    own rounding errors are far below an ulp of the total. One rounding remains, when the
    two sums are added.
    """
    count = terms.shape[axis]
    largest = np.max(terms, axis=axis, keepdims=True)
    # sigma is a power of 2 with sigma >= 2 * count * largest: (sigma + t) - sigma then
    # rounds t to a multiple of ulp(sigma), exactly, and the high parts of a row sum to at
    # most sigma / 2, so all their partial sums stay representable.
    _, exponent = np.frexp(count * largest)
    sigma = np.ldexp(np.ones_like(largest), exponent + 1)
    parts = terms + sigma
    parts -= sigma
    high_sum = np.sum(parts, axis=axis, keepdims=True)
    np.subtract(terms, parts, out=parts)  # the low parts, exact
    return high_sum + np.sum(parts, axis=axis, keepdims=True)


def row_blocks(shape: tuple[int, ...], axis: int):
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
    entries = math.prod(shape)
    default = min(BLOCK_ENTRIES, max(MIN_BLOCK_ENTRIES, entries // BLOCK_FRACTION))
    step = max(1, _paths.block_entries(default) // (entries // length))
    for start in range(0, length, step):
        rows = slice(start, start + step)
        index = (slice(None),) * batch_axis + (rows,)
        offset = tuple(start if dim == batch_axis else 0 for dim in range(len(shape)))
        yield index, rows, offset


class Scratch:
    """One block-sized buffer per dtype, allocated on first use and reused."""

    def __init__(self, block_shape: tuple[int, ...]):
        self.block_shape = block_shape
        self._buffers: dict[np.dtype, np.ndarray] = {}

    def like(self, array: np.ndarray, dtype: np.dtype) -> np.ndarray:
        """A buffer of ``dtype`` shaped like ``array`` (a block, possibly the last, smaller one)."""
        buffer = self._buffers.get(np.dtype(dtype))
        if buffer is None:
            buffer = np.empty(math.prod(self.block_shape), dtype=dtype)
            self._buffers[np.dtype(dtype)] = buffer
        return buffer[: array.size].reshape(array.shape)


def block_shape(shape: tuple[int, ...], axis: int) -> tuple[int, ...]:
    """The shape of the first (largest) block that :func:`row_blocks` yields for ``shape``."""
    for index, _, _ in row_blocks(shape, axis):
        sliced = list(shape)
        for dim, part in enumerate(index):
            sliced[dim] = len(range(*part.indices(shape[dim])))
        return tuple(sliced)
    return (0,)


def shift(x_block: np.ndarray, m: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Write :math:`z - m` into ``out``; exact when ``out`` is float64 and ``x`` float32."""
    # A row with maximum +inf or all -inf gives NaN here (inf - inf); such rows are either
    # an error or ignored, and an extremely negative logit overflows to -inf, which is right.
    with np.errstate(invalid="ignore", over="ignore"):
        if out.dtype == x_block.dtype:
            return np.subtract(x_block, m, out=out)
        # Widening first and subtracting in place is faster than a mixed-dtype subtract.
        np.copyto(out, x_block)
        return np.subtract(out, m, out=out)


def classes_first(values: Any, axis: int) -> Any:
    """Move the class axis of a per-row array to the front; a float stays a float."""
    return values if np.ndim(values) == 0 else np.moveaxis(values, axis, 0)


def row_tail_sum(terms: np.ndarray, axis: int, *, accurate: bool) -> np.ndarray:
    """``tail_sum`` of the activations, computed class-major when rows are short.

    NumPy reduces a short last axis row by row, with a cost per row; over a leading
    axis it needs one vectorized operation per class. Below :data:`SHORT_ROWS` classes
    a class-major copy of the block is the cheaper of the two (twice to three times, for
    10 classes). The sums are the same.
    """
    if terms.shape[axis] > SHORT_ROWS:
        return tail_sum(terms, axis, accurate=accurate)
    class_major = np.moveaxis(terms, axis, 0).copy()
    return np.moveaxis(tail_sum(class_major, 0, accurate=accurate), 0, axis)


def along(index: np.ndarray, axis: int) -> tuple[np.ndarray, ...]:
    """The entries at ``index`` along ``axis``: ``a[along(k, axis)]`` is
    ``np.take_along_axis(a, k, axis)``, and assigning to it is ``np.put_along_axis``.

    ``index`` has the shape of ``a`` with ``axis`` of length 1 (as from ``keepdims``).
    The same, but without NumPy's checks and index building at every call, which cost
    several times the work on a block of rows.
    """
    grids = _grids(index.shape, axis)
    return (*grids[:axis], index, *grids[axis + 1 :])


@functools.lru_cache(maxsize=16)
def _grids(shape: tuple[int, ...], axis: int) -> tuple[np.ndarray | None, ...]:
    """``np.arange`` along every axis of ``shape`` but ``axis``, shaped to broadcast."""
    grids: list[np.ndarray | None] = []
    for dim, length in enumerate(shape):
        if dim == axis:
            grids.append(None)
            continue
        grid = np.arange(length).reshape([length if d == dim else 1 for d in range(len(shape))])
        grid.flags.writeable = False
        grids.append(grid)
    return tuple(grids)
