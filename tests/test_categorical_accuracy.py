"""Accuracy of the softmax cross-entropy losses against mpmath at 60 significant digits.

The rows are the adversarial suite of ``test_activations_accuracy.py`` (spreads of 1e4,
all entries equal, a leader ahead by 30 or by 1e4, gaps of 1e-8, 1e5 classes, -inf
masks), each with labels on and off the leading class, in float32 and float64. Their
values are float32 numbers, so every shift x_j - max(x) is exact in float64 and the
problem is well conditioned: these are the rows where the targets are meaningful.

Targets, for integer labels (``reduction="none"``):

- the loss within 2 ulps of the true value rounded to the dtype;
- every gradient entry within one machine epsilon of the row's largest entry,
  ``|g - g_true| <= eps * max|g_true|`` (plus the dtype's smallest subnormal, for a row
  whose gradient is too small for the dtype to hold at all);
- at a label on the leading class, the entry -S/(1 + S) within 4 ulps.

float32 logits take one of two paths (float32 exponentials when a per-row error bound
allows it, float64 otherwise); every test runs with the fast path offered for all
row lengths as well as with the default threshold, so both paths are held to the
targets.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import hypothesis.extra.numpy as hnp
import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_activations_accuracy import CASES, adversarial_rows

from crossent import _paths
from crossent.categorical import (
    softmax_cross_entropy_value_and_grad,
    softmax_cross_entropy_with_integer_labels,
    softmax_cross_entropy_with_integer_labels_value_and_grad,
)

DIGITS = 60
DTYPES = [np.float32, np.float64]
LOSS_ULPS = 2.0
LEADING_ENTRY_ULPS = 4.0


@pytest.fixture(params=["default", "fast-offered-always"])
def fast_path_threshold(request):
    """Run with the default threshold, and with the float32 fast path offered for any C."""
    if request.param == "fast-offered-always":
        with _paths.only(*_paths.FAST_PATHS):
            yield request.param
    else:
        yield request.param


# ---------------------------------------------------------------------------------------
# The reference
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """Exact quantities of one row, as mpmath numbers or float64 (hi, lo) pairs."""

    values: tuple  # the row, exactly
    k: int  # the first maximal entry
    tail: mpmath.mpf  # S = sum_{j != k} exp(x_j - m)
    probs: tuple[np.ndarray, np.ndarray]  # softmax, as hi + lo

    def loss(self, label: int) -> mpmath.mpf:
        """-log softmax(x)_label = (m - x_label) + log1p(S), exact at 60 digits."""
        with mpmath.workdps(DIGITS):
            return (self.values[self.k] - self.values[label]) + mpmath.log1p(self.tail)

    def grad(self, label: int) -> tuple[np.ndarray, np.ndarray]:
        """softmax(x) - onehot(label), as hi + lo; at label == k, -S / (1 + S)."""
        hi, lo = self.probs[0].copy(), self.probs[1].copy()
        with mpmath.workdps(DIGITS):
            if label == self.k:
                value = -self.tail / (1 + self.tail)
            else:
                value = mpmath.mpf(float(hi[label])) + mpmath.mpf(float(lo[label])) - 1
            hi[label] = float(value)
            lo[label] = float(value - mpmath.mpf(hi[label]))
        return hi, lo


@functools.cache
def _reference(row: tuple[float, ...]) -> Reference:
    with mpmath.workdps(DIGITS):
        values = tuple(mpmath.mpf(v) for v in row)
        k = max(range(len(values)), key=lambda j: values[j])
        m = values[k]
        terms = [mpmath.exp(v - m) for v in values]
        tail = mpmath.fsum(t for j, t in enumerate(terms) if j != k)
        probs = [t / (1 + tail) for t in terms]
        hi = np.array([float(p) for p in probs])
        lo = np.array([float(p - mpmath.mpf(h)) for p, h in zip(probs, hi, strict=True)])
    return Reference(values, k, tail, (hi, lo))


def reference(row: np.ndarray) -> Reference:
    return _reference(tuple(float(v) for v in row))


def loss_ulps(computed, true: mpmath.mpf, dtype) -> float:
    if mpmath.isinf(true):
        assert np.isinf(computed) and computed > 0
        return 0.0
    spacing = float(np.spacing(np.abs(np.asarray(float(true), dtype=dtype))))
    with mpmath.workdps(DIGITS):
        return float(abs(mpmath.mpf(float(computed)) - true)) / spacing


def grad_errors(computed: np.ndarray, true: tuple[np.ndarray, np.ndarray], dtype):
    """|g - g_true| in units of eps * max|g_true| (plus the smallest subnormal)."""
    hi, lo = true
    difference = np.abs((computed.astype(np.float64) - hi) - lo)
    finfo = np.finfo(dtype)
    allowed = float(finfo.eps) * float(np.max(np.abs(hi))) + float(finfo.smallest_subnormal)
    return difference / allowed


def labels_for(row: np.ndarray) -> list[int]:
    """The leading class, and two finite entries off it: the smallest and one in between."""
    k = int(np.argmax(row))
    finite = np.flatnonzero(np.isfinite(row))
    others = [int(j) for j in finite if j != k]
    if not others:
        return [k]
    by_value = sorted(others, key=lambda j: row[j])
    return [k, by_value[0], by_value[len(by_value) // 2]]


def rows_of(case: str, dtype) -> list[np.ndarray]:
    return [row.astype(dtype) for row in adversarial_rows(case)]


# ---------------------------------------------------------------------------------------
# Integer labels
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("case", CASES)
def test_integer_labels_meet_the_targets(case, dtype, fast_path_threshold):
    worst = {"loss": 0.0, "grad": 0.0, "leading": 0.0}
    for row in rows_of(case, dtype):
        ref = reference(row)
        labels = labels_for(row)
        # All labels of a row at once, as a batch: one call, one block.
        batch = np.repeat(row[np.newaxis], len(labels), axis=0)
        losses, grads = softmax_cross_entropy_with_integer_labels_value_and_grad(
            batch, np.array(labels), reduction="none"
        )
        assert losses.dtype == grads.dtype == dtype
        for label, loss, grad in zip(labels, losses, grads, strict=True):
            worst["loss"] = max(worst["loss"], loss_ulps(loss, ref.loss(label), dtype))
            true_grad = ref.grad(label)
            worst["grad"] = max(worst["grad"], float(np.max(grad_errors(grad, true_grad, dtype))))
            if label == ref.k:
                leading = loss_ulps(grad[label], mpmath.mpf(true_grad[0][label]), dtype)
                worst["leading"] = max(worst["leading"], leading)
    name = f"{case} {np.dtype(dtype).name}"
    assert worst["loss"] <= LOSS_ULPS, f"{name}: loss {worst['loss']:.3g} ulps"
    assert worst["grad"] <= 1.0, f"{name}: gradient {worst['grad']:.3g} eps of the row max"
    assert worst["leading"] <= LEADING_ENTRY_ULPS, f"{name}: -S/(1+S) {worst['leading']:.3g} ulps"


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_confident_row_keeps_its_digits(dtype):
    # The headline: x = (0, -30, -30) with label 0 costs log1p(2 e^-30) ~ 1.87e-13.
    x = np.array([0.0, -30.0, -30.0], dtype=dtype)
    loss, grad = softmax_cross_entropy_with_integer_labels_value_and_grad(x, np.array(0))
    ref = reference(x)
    assert loss_ulps(loss, ref.loss(0), dtype) <= LOSS_ULPS
    assert loss_ulps(grad[0], -ref.tail / (1 + ref.tail), dtype) <= LEADING_ENTRY_ULPS
    assert 1.8e-13 < loss < 1.9e-13

    # The framework form logsumexp(x) - x[y] in the same dtype: all digits gone in float32
    # (1 + 1.9e-13 rounds to 1), all but three in float64; and p_y - 1 for the gradient.
    m = np.max(x)
    naive = (m + np.log(np.sum(np.exp(x - m)))) - x[0]
    assert naive == 0.0 or loss_ulps(naive, ref.loss(0), dtype) > 1e6
    naive_grad = np.exp(x[0] - m) / np.sum(np.exp(x - m)) - 1
    assert naive_grad == 0.0 or loss_ulps(naive_grad, -ref.tail / (1 + ref.tail), dtype) > 1e6


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_confident_shifted_row_keeps_its_digits(dtype):
    # Shifted to 1e4, the framework form returns exactly 0 in both dtypes.
    x = np.array([[1e4, 1e4 - 30.0, 1e4 - 30.0]], dtype=dtype)
    loss = softmax_cross_entropy_with_integer_labels(x, np.array([0]), reduction="none")[0]
    assert loss_ulps(loss, reference(x[0]).loss(0), dtype) <= LOSS_ULPS


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_masked_label_costs_inf_with_a_finite_gradient(dtype):
    x = np.array([0.0, -np.inf, 1.0], dtype=dtype)
    loss, grad = softmax_cross_entropy_with_integer_labels_value_and_grad(x, np.array(1))
    assert loss == np.inf
    ref = reference(x)
    assert np.max(grad_errors(grad, ref.grad(1), dtype)) <= 1.0
    assert grad[1] == -1.0


# The float32 fast path proves, row by row, that float32 exponentials are accurate enough;
# random rows of many classes are where it is taken. Check the proof against mpmath.
float32_rows = hnp.arrays(
    np.float32,
    st.integers(128, 400),
    elements=st.floats(-8, 8, width=32),
)


@settings(deadline=None, max_examples=40)
@given(float32_rows, st.integers(0, 2**32 - 1), st.sampled_from([1.0, 4.0]))
def test_float32_fast_path_meets_the_targets_on_random_rows(row, seed, scale):
    row = (row * np.float32(scale)).astype(np.float32)
    rng = np.random.default_rng(seed)
    labels = [int(np.argmax(row)), int(rng.integers(row.size))]
    losses, grads = softmax_cross_entropy_with_integer_labels_value_and_grad(
        np.stack([row, row]), np.array(labels), reduction="none"
    )
    ref = reference(row)
    for label, loss, grad in zip(labels, losses, grads, strict=True):
        assert loss_ulps(loss, ref.loss(label), np.float32) <= LOSS_ULPS
        assert np.max(grad_errors(grad, ref.grad(label), np.float32)) <= 1.0


def test_fast_path_is_taken_for_typical_rows():
    """The speed claim needs the float32 path on ordinary rows; the proof must allow it."""
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((64, 4096)).astype(np.float32)
    labels = rng.integers(0, 4096, size=64)
    with _paths.only(*_paths.FAST_PATHS) as ran:  # the default paths, counted
        softmax_cross_entropy_with_integer_labels_value_and_grad(logits, labels)
    assert ran["float32"] and not ran["reference"]

    # Confident rows (label far ahead) are recomputed in float64.
    logits[np.arange(64), labels] += 40.0
    with _paths.only(*_paths.FAST_PATHS) as ran:
        softmax_cross_entropy_with_integer_labels_value_and_grad(logits, labels)
    assert ran["reference"] and not ran["float32"]


# ---------------------------------------------------------------------------------------
# Target distributions
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("case", CASES)
def test_one_hot_targets_meet_the_integer_label_targets(case, dtype):
    # A one-hot target takes the target-distribution path, which handles the leading
    # class with (sum_{c != k} b_c - b_k S) / (1 + S): the same accuracy.
    for row in rows_of(case, dtype):
        ref = reference(row)
        for label in labels_for(row):
            onehot = np.zeros_like(row)
            onehot[label] = 1
            loss, grad = softmax_cross_entropy_value_and_grad(row, onehot, reduction="none")
            assert loss_ulps(loss, ref.loss(label), dtype) <= LOSS_ULPS, (case, label)
            assert np.max(grad_errors(grad, ref.grad(label), dtype)) <= 1.0, (case, label)


# Soft targets: the loss sum_c t_c (m - x_c) + (sum_c t_c) log1p(S) adds non-negative
# terms, so it stays within a few ulps; measured worst 0.5 (float32) and 1.8 (float64).
SOFT_LOSS_ULPS = 3.0


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("case", CASES)
def test_soft_targets_accuracy(case, dtype):
    rng = np.random.default_rng(sum(map(ord, case)))
    for row in rows_of(case, dtype):
        ref = reference(row)
        targets = rng.dirichlet(np.full(row.size, 0.5)).astype(dtype)
        targets[~np.isfinite(row)] = 0  # a masked class gets no target mass
        loss, grad = softmax_cross_entropy_value_and_grad(row, targets, reduction="none")
        t = [mpmath.mpf(float(v)) for v in targets]
        with mpmath.workdps(DIGITS):
            m = ref.values[ref.k]
            log1p_s = mpmath.log1p(ref.tail)
            true_loss = mpmath.fsum(
                tc * ((m - v) + log1p_s) for tc, v in zip(t, ref.values, strict=True) if tc
            )
            a = mpmath.fsum(t)
        assert loss_ulps(loss, true_loss, dtype) <= SOFT_LOSS_ULPS, case
        # The gradient a p_j - t_j cancels where the prediction matches the target, so it
        # is held to eps relative to the larger of its two parts, the row's scale
        # (measured worst: 0.31 eps in float32, 0.65 eps in float64 on NumPy 2.0 to 2.4:
        # the exponential, the scale, the product and the difference each round once).
        hi, lo = ref.probs
        with mpmath.workdps(DIGITS):
            true_grad = [
                a * (mpmath.mpf(float(h)) + mpmath.mpf(float(low))) - tc
                for h, low, tc in zip(hi, lo, t, strict=True)
            ]
            error = [abs(mpmath.mpf(float(g)) - tg) for g, tg in zip(grad, true_grad, strict=True)]
        scale = np.max(np.maximum(float(a) * hi, targets.astype(np.float64)))
        assert float(max(error)) <= 2 * np.finfo(dtype).eps * scale, case
