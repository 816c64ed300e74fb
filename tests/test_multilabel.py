"""Tests of crossent.multilabel: values, identities, gradients, errors and accuracy.

The accuracy tests run the adversarial rows of test_activations_accuracy.py with k-hot
targets against mpmath at 60 digits.
"""

from __future__ import annotations

import doctest
import functools
import importlib
import math

import hypothesis.extra.numpy as hnp
import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_activations_accuracy import CASES as ADVERSARIAL_CASES
from test_activations_accuracy import adversarial_rows

from crossent.categorical import (
    softmax_cross_entropy_value_and_grad,
    softmax_cross_entropy_with_integer_labels_value_and_grad,
)
from crossent.gradcheck import check_gradient
from crossent.multilabel import (
    multilabel_softmax_cross_entropy,
    multilabel_softmax_cross_entropy_grad,
    multilabel_softmax_cross_entropy_value_and_grad,
)

FUNCTIONS = [
    multilabel_softmax_cross_entropy,
    multilabel_softmax_cross_entropy_grad,
    multilabel_softmax_cross_entropy_value_and_grad,
]
REDUCTIONS = ["mean", "sum", "none"]
EPS64 = float(np.finfo(np.float64).eps)
LN2 = math.log(2.0)


# Any warning (a RuntimeWarning above all) raised in a test of this module is an error.
pytestmark = pytest.mark.usefixtures("warnings_are_errors")


def read_only(array) -> np.ndarray:
    array = np.array(array)
    array.flags.writeable = False
    return array


@st.composite
def logits_and_k_hot(draw, *, max_rows=4, max_classes=6, dtype=np.float64):
    """A (rows, classes) logit array and k-hot targets with at least one positive per row."""
    rows = draw(st.integers(1, max_rows))
    classes = draw(st.integers(1, max_classes))
    x = draw(hnp.arrays(dtype, (rows, classes), elements=st.floats(-50, 50, width=32)))
    t = draw(hnp.arrays(np.float64, (rows, classes), elements=st.sampled_from([0.0, 1.0])))
    positive = draw(hnp.arrays(np.intp, rows, elements=st.integers(0, classes - 1)))
    t[np.arange(rows), positive] = 1.0
    return x, t


# ---------------------------------------------------------------------------------------
# Values computed by hand
# ---------------------------------------------------------------------------------------


def test_hand_values():
    # x = log(1, 1, 2): softmax (1/4, 1/4, 1/2). Positives {0, 2}: -(log 1/4 + log 1/2)/2
    # = 1.5 log 2; positive {1}: 2 log 2; all three: -(2 log 1/4 + log 1/2)/3 = 5/3 log 2.
    x = np.log(np.array([[1.0, 1.0, 2.0]] * 3))
    t = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 1.0, 1.0]])
    expected = [1.5 * LN2, 2 * LN2, 5 / 3 * LN2]
    loss, grad = multilabel_softmax_cross_entropy_value_and_grad(x, t, reduction="none")
    np.testing.assert_allclose(loss, expected, rtol=2 * EPS64)
    # softmax - t / M.
    expected_grad = [[-0.25, 0.25, 0.0], [0.25, -0.75, 0.5], [1 / 4 - 1 / 3, 1 / 4 - 1 / 3, 1 / 6]]
    np.testing.assert_allclose(grad, expected_grad, rtol=4 * EPS64, atol=4 * EPS64)
    np.testing.assert_allclose(multilabel_softmax_cross_entropy(x, t), np.mean(expected))
    np.testing.assert_allclose(
        multilabel_softmax_cross_entropy_grad(x, t), np.array(expected_grad) / 3, atol=2 * EPS64
    )


@pytest.mark.parametrize("classes", [1, 2, 5, 1000])
def test_equal_logits_cost_log_c_whatever_the_positives(classes):
    x = np.full((3, classes), 7.5)
    t = np.zeros((3, classes))
    t[0, 0] = 1.0
    t[1, :] = 1.0
    t[2, ::2] = 1.0
    loss = multilabel_softmax_cross_entropy(x, t, reduction="none")
    np.testing.assert_allclose(loss, math.log(classes), rtol=2 * EPS64, atol=0)
    grad = multilabel_softmax_cross_entropy_grad(x, t, reduction="sum")
    np.testing.assert_allclose(grad[1], 0.0, atol=2 * EPS64)


def test_real_valued_targets_are_weights():
    # Targets (3, 1) on x = log(1, 1, 2): -(3/4 log 1/4 + 1/4 log 1/4) = log 4.
    x = np.log(np.array([1.0, 1.0, 2.0]))
    t = np.array([3.0, 1.0, 0.0])
    assert multilabel_softmax_cross_entropy(x, t, reduction="none") == pytest.approx(
        2 * LN2, rel=2 * EPS64
    )
    np.testing.assert_allclose(
        multilabel_softmax_cross_entropy_grad(x, t), [0.25 - 0.75, 0.25 - 0.25, 0.5], atol=EPS64
    )


def test_a_confident_row_keeps_its_small_loss_and_gradient():
    # x = (0, -30, -30) with the positive at the maximum: loss log1p(2 e^-30) ~ 1.9e-13,
    # and the gradient at the maximum is -S / (1 + S), not 1/(1 + S) - 1 = 0 or noise.
    x = np.array([[0.0, -30.0, -30.0], [1e4, 1e4 - 30.0, 1e4 - 30.0]])
    t = np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    s = 2 * math.exp(-30.0)
    loss, grad = multilabel_softmax_cross_entropy_value_and_grad(x, t, reduction="none")
    np.testing.assert_allclose(loss, math.log1p(s), rtol=2 * EPS64)
    np.testing.assert_allclose(grad[:, 0], -s / (1 + s), rtol=2 * EPS64)
    np.testing.assert_allclose(grad[:, 1:], math.exp(-30.0) / (1 + s), rtol=2 * EPS64)


# ---------------------------------------------------------------------------------------
# Identities (hypothesis)
# ---------------------------------------------------------------------------------------


@settings(deadline=None, max_examples=60)
@given(st.data())
def test_one_positive_is_the_softmax_loss(data):
    x = data.draw(hnp.arrays(np.float64, (3, 5), elements=st.floats(-1e4, 1e4)))
    labels = data.draw(hnp.arrays(np.intp, 3, elements=st.integers(0, 4)))
    t = np.zeros_like(x)
    t[np.arange(3), labels] = 1.0
    for reduction in REDUCTIONS:
        loss, grad = multilabel_softmax_cross_entropy_value_and_grad(x, t, reduction=reduction)
        expected_loss, expected_grad = softmax_cross_entropy_with_integer_labels_value_and_grad(
            x, labels, reduction=reduction
        )
        np.testing.assert_allclose(loss, expected_loss, rtol=4 * EPS64, atol=1e-300)
        np.testing.assert_allclose(grad, expected_grad, rtol=4 * EPS64, atol=2 * EPS64)


@settings(deadline=None, max_examples=60)
@given(st.data())
def test_it_is_the_softmax_loss_against_the_normalized_targets(data):
    x, t = data.draw(logits_and_k_hot())
    expected_loss, expected_grad = softmax_cross_entropy_value_and_grad(
        x, t / t.sum(axis=-1, keepdims=True), reduction="none"
    )
    loss, grad = multilabel_softmax_cross_entropy_value_and_grad(x, t, reduction="none")
    np.testing.assert_allclose(loss, expected_loss, rtol=8 * EPS64, atol=1e-300)
    np.testing.assert_allclose(grad, expected_grad, rtol=8 * EPS64, atol=4 * EPS64)


@settings(deadline=None, max_examples=60)
@given(st.data(), st.sampled_from([np.float32, np.float64]))
def test_scaling_a_target_row_changes_nothing(data, dtype):
    x, t = data.draw(logits_and_k_hot(dtype=dtype))
    scale = data.draw(st.floats(1e-3, 1e3))
    rows = np.arange(x.shape[0])[:, None] + 1.0  # a different factor for every row
    loss, grad = multilabel_softmax_cross_entropy_value_and_grad(x, t, reduction="none")
    # By a power of 2 nothing is rounded differently: the results are the same bits.
    power = multilabel_softmax_cross_entropy_value_and_grad(x, t * 2.0**rows, reduction="none")
    np.testing.assert_array_equal(power[0], loss)
    np.testing.assert_array_equal(power[1], grad)
    eps = float(np.finfo(dtype).eps)
    scaled = multilabel_softmax_cross_entropy_value_and_grad(x, t * scale * rows, reduction="none")
    np.testing.assert_allclose(scaled[0], loss, rtol=4 * eps)
    np.testing.assert_allclose(scaled[1], grad, rtol=4 * eps, atol=4 * eps)


@settings(deadline=None, max_examples=60)
@given(
    hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=2, max_dims=2, max_side=6),
        elements=st.integers(-8000, 8000).map(lambda n: n / 8),
    ),
    st.integers(-1000, 1000),
    st.sampled_from([np.float32, np.float64]),
    st.data(),
)
def test_adding_a_constant_to_a_row_changes_nothing(x, constant, dtype, data):
    # Eighths below 2**11 plus an integer stay exact in float32: every shift x - max(x)
    # is the same, and so is every result, bit for bit.
    x = x.astype(dtype)
    t = data.draw(hnp.arrays(np.float64, x.shape, elements=st.sampled_from([0.0, 1.0])))
    t[:, 0] = 1.0
    loss, grad = multilabel_softmax_cross_entropy_value_and_grad(x, t, reduction="none")
    shifted = multilabel_softmax_cross_entropy_value_and_grad(
        x + dtype(constant), t, reduction="none"
    )
    np.testing.assert_array_equal(shifted[0], loss)
    np.testing.assert_array_equal(shifted[1], grad)


@settings(deadline=None, max_examples=40)
@given(st.data(), st.sampled_from(REDUCTIONS), st.sampled_from(["raise", "ignore"]))
def test_value_and_grad_is_value_and_grad(data, reduction, empty):
    dtype = data.draw(st.sampled_from([np.float32, np.float64]))
    x, t = data.draw(logits_and_k_hot(dtype=dtype))
    if empty == "ignore":
        t[data.draw(st.integers(0, t.shape[0] - 1))] = 0.0
    options = {"reduction": reduction, "empty": empty}
    loss, grad = multilabel_softmax_cross_entropy_value_and_grad(x, t, **options)
    np.testing.assert_array_equal(loss, multilabel_softmax_cross_entropy(x, t, **options))
    np.testing.assert_array_equal(grad, multilabel_softmax_cross_entropy_grad(x, t, **options))


@settings(deadline=None, max_examples=40)
@given(st.data())
def test_gradient_rows_sum_to_zero(data):
    x, t = data.draw(logits_and_k_hot(max_classes=30))
    grad = multilabel_softmax_cross_entropy_grad(x, t, reduction="sum")
    np.testing.assert_allclose(np.sum(grad, axis=-1), 0.0, atol=x.shape[-1] * EPS64)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_class_axis_can_be_anywhere(dtype):
    rng = np.random.default_rng(5)
    x = rng.normal(0, 3, size=(2, 6, 3)).astype(dtype)
    t = (rng.random(x.shape) < 0.4).astype(dtype)
    t[:, 0, :] = 1.0
    loss, grad = multilabel_softmax_cross_entropy_value_and_grad(x, t, axis=1, reduction="none")
    moved = multilabel_softmax_cross_entropy_value_and_grad(
        np.moveaxis(x, 1, -1), np.moveaxis(t, 1, -1), reduction="none"
    )
    assert loss.shape == (2, 3)
    np.testing.assert_array_equal(loss, moved[0])
    np.testing.assert_array_equal(grad, np.moveaxis(moved[1], -1, 1))


# ---------------------------------------------------------------------------------------
# Rows with no positive
# ---------------------------------------------------------------------------------------


def test_empty_rows_are_an_error_by_default():
    x = np.zeros((3, 4))
    t = np.eye(3, 4)
    t[1] = 0.0
    for function in FUNCTIONS:
        with pytest.raises(ValueError, match=r"targets\[1, :\] has no positive class"):
            function(x, t)
    with pytest.raises(ValueError, match=r"targets\[:, 1\] has no positive class"):
        multilabel_softmax_cross_entropy(x.T, t.T, axis=0)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_ignored_rows_cost_nothing_and_leave_the_count(reduction):
    rng = np.random.default_rng(11)
    x = rng.normal(size=(4, 5))
    t = (rng.random((4, 5)) < 0.5).astype(float)
    t[:, 2] = 1.0
    t[[1, 3]] = 0.0
    kept = [0, 2]
    loss, grad = multilabel_softmax_cross_entropy_value_and_grad(
        x, t, empty="ignore", reduction=reduction
    )
    alone, alone_grad = multilabel_softmax_cross_entropy_value_and_grad(
        x[kept], t[kept], reduction=reduction
    )
    np.testing.assert_array_equal(grad[[1, 3]], 0.0)
    np.testing.assert_array_equal(grad[kept], alone_grad)
    if reduction == "none":
        np.testing.assert_array_equal(loss[[1, 3]], 0.0)
        np.testing.assert_array_equal(loss[kept], alone)
    else:
        assert loss == alone


def test_ignored_rows_need_no_finite_logits():
    x = np.array([[0.0, 1.0], [-np.inf, -np.inf], [np.nan, 0.0]])
    t = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 0.0]])
    loss, grad = multilabel_softmax_cross_entropy_value_and_grad(
        x, t, empty="ignore", reduction="none"
    )
    np.testing.assert_array_equal(loss[1:], 0.0)
    np.testing.assert_array_equal(grad[1:], 0.0)


def test_a_mean_over_no_counted_row_is_nan_like_pytorch():
    x = np.zeros((2, 3))
    t = np.zeros((2, 3))
    loss, grad = multilabel_softmax_cross_entropy_value_and_grad(x, t, empty="ignore")
    assert np.isnan(loss)
    np.testing.assert_array_equal(grad, 0.0)
    assert multilabel_softmax_cross_entropy(x, t, empty="ignore", reduction="sum") == 0.0


# ---------------------------------------------------------------------------------------
# Masked classes and non-finite logits
# ---------------------------------------------------------------------------------------


def test_a_masked_negative_class_changes_nothing():
    x = np.array([[1.0, -np.inf, 0.5, -2.0]])
    t = np.array([[1.0, 0.0, 1.0, 0.0]])
    loss, grad = multilabel_softmax_cross_entropy_value_and_grad(x, t, reduction="none")
    live = [0, 2, 3]
    expected, expected_grad = multilabel_softmax_cross_entropy_value_and_grad(
        x[:, live], t[:, live], reduction="none"
    )
    np.testing.assert_array_equal(loss, expected)
    np.testing.assert_array_equal(grad[:, live], expected_grad)
    assert grad[0, 1] == 0.0


def test_a_masked_positive_class_costs_everything():
    x = np.array([[1.0, -np.inf, 0.5]])
    t = np.array([[1.0, 1.0, 0.0]])
    loss, grad = multilabel_softmax_cross_entropy_value_and_grad(x, t, reduction="none")
    assert loss[0] == np.inf
    assert np.all(np.isfinite(grad))


@pytest.mark.parametrize(
    ("row", "reason"),
    [([-np.inf, -np.inf], "every class is masked"), ([0.0, np.inf], r"a \+inf logit")],
)
def test_a_counted_row_needs_a_finite_maximum(row, reason):
    x = np.array([[0.0, 1.0], row])
    t = np.ones((2, 2))
    for function in FUNCTIONS:
        with pytest.raises(ValueError, match=rf"; logits\[1, :\] has maximum .*{reason}"):
            function(x, t)


def test_nan_logits_propagate_to_their_row():
    x = np.array([[0.0, np.nan], [0.0, 1.0]])
    t = np.array([[1.0, 0.0], [1.0, 0.0]])
    loss, grad = multilabel_softmax_cross_entropy_value_and_grad(x, t, reduction="none")
    assert np.isnan(loss[0]) and np.isfinite(loss[1])
    assert np.all(np.isnan(grad[0])) and np.all(np.isfinite(grad[1]))


# ---------------------------------------------------------------------------------------
# Gradients against finite differences
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("empty", ["raise", "ignore"])
@pytest.mark.parametrize("axis", [-1, 0])
@pytest.mark.parametrize("targets", ["k-hot", "weights"])
def test_gradient_matches_finite_differences(reduction, empty, axis, targets):
    rng = np.random.default_rng(17)
    x = rng.normal(0, 2, size=(4, 5))
    if targets == "k-hot":
        t = (rng.random((4, 5)) < 0.4).astype(float)
        t[:, 1] = 1.0
    else:
        t = rng.uniform(0, 3, size=(4, 5))
    if empty == "ignore":
        t[2] = 0.0
    if axis == 0:
        x, t = x.T.copy(), t.T.copy()
    options = {"axis": axis, "empty": empty, "reduction": reduction}

    def total(logits):
        return np.sum(multilabel_softmax_cross_entropy(logits, t, **options))

    def grad(logits):
        return multilabel_softmax_cross_entropy_grad(logits, t, **options)

    check_gradient(total, grad, x, rtol=1e-6, atol=1e-9).raise_if_failed()


# ---------------------------------------------------------------------------------------
# Conventions
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_dtype_is_kept(dtype):
    x = np.array([[0.5, -1.0, 2.0]], dtype=dtype)
    t = np.array([[1, 0, 1]])  # integer targets do not promote the result
    for reduction in REDUCTIONS:
        loss, grad = multilabel_softmax_cross_entropy_value_and_grad(x, t, reduction=reduction)
        assert loss.dtype == dtype and grad.dtype == dtype


def test_integer_logits_and_bool_targets():
    loss = multilabel_softmax_cross_entropy(np.array([[1, 2, 3]]), np.array([[True, False, True]]))
    assert loss.dtype == np.float64
    expected = multilabel_softmax_cross_entropy(
        np.array([[1.0, 2.0, 3.0]]), np.array([[1.0, 0.0, 1.0]])
    )
    assert loss == expected


def test_shapes():
    x = np.zeros((2, 3, 4))
    t = np.ones((2, 3, 4))
    assert multilabel_softmax_cross_entropy(x, t, reduction="none").shape == (2, 3)
    assert multilabel_softmax_cross_entropy(x, t, axis=1, reduction="none").shape == (2, 4)
    assert multilabel_softmax_cross_entropy_grad(x, t).shape == (2, 3, 4)
    single = multilabel_softmax_cross_entropy(np.zeros(4), np.ones(4), reduction="none")
    assert isinstance(single, np.float64) and single == pytest.approx(math.log(4.0))


def test_inputs_are_never_modified():
    x = read_only([[0.0, 1.0, -np.inf], [2.0, 2.0, 2.0], [5.0, 1.0, 0.0]])
    t = read_only([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [1.0, 1.0, 0.0]])
    copies = x.copy(), t.copy()
    for reduction in REDUCTIONS:
        multilabel_softmax_cross_entropy_value_and_grad(x, t, empty="ignore", reduction=reduction)
    np.testing.assert_array_equal(x, copies[0])
    np.testing.assert_array_equal(t, copies[1])


# ---------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        (
            [[1.0, -1.0, 0.0]],
            r"targets must be finite and non-negative; got targets\[0, 1\] = -1.0",
        ),
        ([[1.0, 0.0, np.nan]], r"got targets\[0, 2\] = nan"),
        ([[np.inf, 0.0, 0.0]], r"got targets\[0, 0\] = inf"),
    ],
)
def test_targets_must_be_finite_and_non_negative(targets, message):
    for function in FUNCTIONS:
        with pytest.raises(ValueError, match=message):
            function(np.zeros((1, 3)), np.array(targets))


def test_validate_false_skips_the_target_check_only():
    # Negative weights pass unchecked (the formula gives what it gives)...
    loss = multilabel_softmax_cross_entropy(
        np.zeros((1, 3)), np.array([[2.0, -1.0, 0.0]]), validate=False
    )
    assert loss == pytest.approx(math.log(3.0))
    # ...while the checks that cost nothing still run.
    with pytest.raises(ValueError, match="no positive class"):
        multilabel_softmax_cross_entropy(np.zeros((1, 3)), np.zeros((1, 3)), validate=False)
    with pytest.raises(ValueError, match="targets must have the shape"):
        multilabel_softmax_cross_entropy(np.zeros((1, 3)), np.ones(3), validate=False)


def test_targets_must_have_the_shape_of_the_logits():
    for function in FUNCTIONS:
        with pytest.raises(
            ValueError, match=r"targets must have the shape of logits, \(2, 3\); got shape \(3,\)"
        ):
            function(np.zeros((2, 3)), np.ones(3))


def test_empty_must_be_known():
    for function in FUNCTIONS:
        with pytest.raises(
            ValueError, match=r"empty must be one of \('raise', 'ignore'\), got 'skip'"
        ):
            function(np.zeros((1, 2)), np.ones((1, 2)), empty="skip")
        with pytest.raises(TypeError, match="empty must be a str"):
            function(np.zeros((1, 2)), np.ones((1, 2)), empty=False)


def test_reduction_must_be_known():
    for function in FUNCTIONS:
        with pytest.raises(ValueError, match="reduction must be one of"):
            function(np.zeros((1, 2)), np.ones((1, 2)), reduction="batchmean")


def test_logits_need_a_class_axis():
    for function in FUNCTIONS:
        with pytest.raises(ValueError, match="logits must have at least one dimension"):
            function(np.float64(1.0), np.float64(1.0))
        with pytest.raises(ValueError, match="logits has no classes"):
            function(np.zeros((2, 0)), np.zeros((2, 0)))
        with pytest.raises(ValueError, match="axis=2 is out of bounds"):
            function(np.zeros((2, 3)), np.ones((2, 3)), axis=2)


def test_non_real_input_is_a_type_error():
    for function in FUNCTIONS:
        with pytest.raises(TypeError, match="logits must be an array of real numbers"):
            function(np.zeros((1, 2), dtype=complex), np.ones((1, 2)))
        with pytest.raises(TypeError, match="targets must be an array of real numbers"):
            function(np.zeros((1, 2)), np.array([["a", "b"]]))


def test_the_docstring_examples_run():
    module = importlib.import_module("crossent.multilabel")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 5 and result.failed == 0


# ---------------------------------------------------------------------------------------
# Accuracy against mpmath on the adversarial rows of the activations
# ---------------------------------------------------------------------------------------

DIGITS = 60
# Bounds on the loss, in ulps, and on the gradient, in units of eps times the row's
# scale (below). Measured on these rows (float32 / float64): loss 0.50 / 0.85 ulps,
# gradient 0.28 / 1.01. float64: a few roundings of exact shifts. float32 is computed in
# float64 and rounded once, hence its half ulp; the bounds are those of the design.
LOSS_ULPS = {"float32": 4.0, "float64": 2.0}
GRAD_EPS = {"float32": 4.0, "float64": 1.5}


@functools.cache
def row_reference(row: tuple[float, ...]):
    """The positive-independent part of the reference for one row, at 60 digits.

    Returns the index k of the maximum, S = sum_{j != k} e^(x_j - m) (an mpmath number)
    and the softmax as a double-double pair of float64 arrays (hi, lo).
    """
    with mpmath.workdps(DIGITS):
        values = [mpmath.mpf(v) for v in row]
        k = max(range(len(values)), key=lambda j: values[j])
        terms = [mpmath.exp(v - values[k]) for v in values]
        tail = mpmath.fsum(term for j, term in enumerate(terms) if j != k)
        p = [term / (1 + tail) for term in terms]
        hi = np.array([float(pc) for pc in p])
        lo = np.array([float(pc - mpmath.mpf(h)) for pc, h in zip(p, hi, strict=True)])
    return k, tail, hi, lo


def reference(row: np.ndarray, positives: list[int]):
    """The exact loss, the gradient (double-double) and the gradient's scale for k-hot t.

    The gradient is softmax - t / M, at the maximum (1 - t_k / M) - S / (1 + S). The
    scale of an entry is the larger of its two parts there, what a rounding error is
    measured against: the row's largest entry, unless the row is near its optimum and
    the gradient small compared with its parts.
    """
    k, tail, p_hi, p_lo = row_reference(tuple(float(v) for v in row))
    count = len(positives)
    share = np.zeros(row.size)
    share[positives] = 1.0 / count
    grad_hi, grad_lo = p_hi.copy(), p_lo.copy()
    with mpmath.workdps(DIGITS):
        loss = mpmath.fsum(mpmath.mpf(float(row[k])) - mpmath.mpf(float(row[c])) for c in positives)
        loss = loss / count + mpmath.log1p(tail)
        exact_share = mpmath.mpf(1) / count
        for c in {*positives, k}:
            if c == k:
                value = (1 - (exact_share if c in positives else 0)) - tail / (1 + tail)
            else:
                value = mpmath.mpf(float(p_hi[c])) + mpmath.mpf(float(p_lo[c])) - exact_share
            grad_hi[c] = float(value)
            grad_lo[c] = float(value - mpmath.mpf(grad_hi[c]))
        scale = np.maximum(p_hi, share)
        scale[k] = min(max(p_hi[k], share[k]), max(1 - share[k], float(tail / (1 + tail))))
    return loss, (grad_hi, grad_lo), float(np.max(scale))


def positive_sets(row: np.ndarray, rng: np.random.Generator) -> list[list[int]]:
    """At the maximum, at the minimum, both, three at random, and every live class."""
    live = np.flatnonzero(np.isfinite(row))
    k = int(np.argmax(row))
    low = int(live[np.argmin(row[live])])
    sets = [[k], [low], sorted({k, low})]
    sets.append(sorted(int(c) for c in rng.choice(live, size=min(3, live.size), replace=False)))
    if live.size <= 50:
        sets.append([int(c) for c in live])
    return sets


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("case", ADVERSARIAL_CASES)
def test_accuracy_on_adversarial_rows(case, dtype):
    name = np.dtype(dtype).name
    eps = float(np.finfo(dtype).eps)
    smallest = float(np.finfo(dtype).smallest_subnormal)
    rng = np.random.default_rng(1)
    worst_loss = worst_grad = 0.0
    for row in adversarial_rows(case):
        row = row.astype(dtype)
        for positives in positive_sets(row.astype(np.float64), rng):
            t = np.zeros(row.shape)
            t[positives] = 1.0
            loss, grad = multilabel_softmax_cross_entropy_value_and_grad(
                row[np.newaxis], t[np.newaxis], reduction="sum"
            )
            true_loss, (grad_hi, grad_lo), scale = reference(row, positives)
            spacing = float(np.spacing(np.abs(dtype(float(true_loss)))))
            worst_loss = max(worst_loss, float(abs(mpmath.mpf(float(loss)) - true_loss)) / spacing)
            error = np.abs((grad[0].astype(np.float64) - grad_hi) - grad_lo)
            # A true value below the dtype's range rounds to 0 or the smallest subnormal.
            worst_grad = max(worst_grad, float(np.max(error)) / (eps * scale + smallest))
    assert worst_loss <= LOSS_ULPS[name], f"loss: {worst_loss} ulps"
    assert worst_grad <= GRAD_EPS[name], f"gradient: {worst_grad} eps of the row's scale"
