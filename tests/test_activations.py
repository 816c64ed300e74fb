"""Unit and property tests of crossent.activations.

Accuracy against a high-precision reference lives in test_activations_accuracy.py; here
are the hand-computed values, the identities every implementation must satisfy, the
conventions (dtypes, axes, masks, errors) and the shared private pass.
"""

from __future__ import annotations

import math

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossent import _core
from crossent.activations import (
    log_sigmoid,
    log_softmax,
    logsumexp,
    sigmoid,
    sigmoid_grad,
    softmax,
    softmax_jacobian,
)

ELEMENTWISE = [sigmoid, log_sigmoid, sigmoid_grad]
ROWWISE = [softmax, log_softmax, logsumexp, softmax_jacobian]
ALL_FUNCTIONS = ELEMENTWISE + ROWWISE
FLOAT_DTYPES = [np.float16, np.float32, np.float64]

LN3 = math.log(3.0)
FINITE = st.floats(-1e4, 1e4, width=32)


def eps(dtype) -> float:
    return float(np.finfo(dtype).eps)


def logit_arrays(min_dims: int = 1, max_dims: int = 3, max_side: int = 6, elements=FINITE):
    return hnp.arrays(
        dtype=st.sampled_from([np.float32, np.float64]),
        shape=hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, max_side=max_side),
        elements=elements,
    )


# Any warning (a RuntimeWarning above all) raised in a test of this module is an error.
pytestmark = pytest.mark.usefixtures("warnings_are_errors")


# ---------------------------------------------------------------------------------------
# Values computed by hand
# ---------------------------------------------------------------------------------------


def test_sigmoid_hand_values():
    # sigma(ln 3) = 1 / (1 + 1/3) = 3/4, and sigma(-ln 3) = 1/4.
    assert sigmoid(0.0) == 0.5
    np.testing.assert_allclose(sigmoid(np.array([LN3, -LN3])), [0.75, 0.25], rtol=1e-15)
    np.testing.assert_allclose(
        log_sigmoid(np.array([0.0, LN3])), [-math.log(2), math.log(0.75)], rtol=1e-15
    )
    # sigma'(x) = sigma(x) sigma(-x): 1/4 at 0, 3/16 at +-ln 3.
    assert sigmoid_grad(0.0) == 0.25
    np.testing.assert_allclose(sigmoid_grad(np.array([LN3, -LN3])), [3 / 16, 3 / 16], rtol=1e-15)


def test_sigmoid_saturates_without_losing_its_logarithm():
    x = np.array([-800.0, -40.0, 40.0, 800.0])
    np.testing.assert_array_equal(sigmoid(np.array([-800.0, 800.0])), [0.0, 1.0])
    # log sigma(x) = x - log1p(e^x) ~ x - e^x for very negative x, and -e^-x for large x.
    np.testing.assert_allclose(
        log_sigmoid(x), [-800.0, -40.0 - math.exp(-40.0), -math.exp(-40.0), 0.0], rtol=1e-15
    )
    np.testing.assert_allclose(
        sigmoid_grad(x), [0.0, math.exp(-40.0), math.exp(-40.0), 0.0], rtol=1e-15, atol=0.0
    )


@pytest.mark.parametrize("classes", [1, 2, 3, 7, 1000])
@pytest.mark.parametrize("value", [0.0, 1.0, -1e4, 1e4])
def test_softmax_of_equal_logits_is_uniform(classes, value):
    x = np.full((2, classes), value)
    np.testing.assert_allclose(softmax(x), 1.0 / classes, rtol=2 * eps(np.float64))
    np.testing.assert_allclose(log_softmax(x), -math.log(classes), rtol=2 * eps(np.float64))
    np.testing.assert_allclose(logsumexp(x), value + math.log(classes), rtol=2 * eps(np.float64))


def test_two_class_closed_forms():
    # With x = (0, ln 3): e^x = (1, 3), so p = (1/4, 3/4) and logsumexp = ln 4.
    x = np.array([0.0, LN3])
    np.testing.assert_allclose(softmax(x), [0.25, 0.75], rtol=1e-15)
    np.testing.assert_allclose(log_softmax(x), [math.log(0.25), math.log(0.75)], rtol=1e-15)
    np.testing.assert_allclose(logsumexp(x), math.log(4.0), rtol=1e-15)
    # J = diag(p) - p p^T = 3/16 * [[1, -1], [-1, 1]].
    np.testing.assert_allclose(
        softmax_jacobian(x), [[3 / 16, -3 / 16], [-3 / 16, 3 / 16]], rtol=1e-15
    )


def test_softmax_matches_the_definition_on_small_logits():
    x = np.array([1.0, 2.0, 0.5])  # the cat / dog / bird example
    expected = np.exp(x) / np.sum(np.exp(x))
    np.testing.assert_allclose(softmax(x), expected, rtol=4 * eps(np.float64))
    np.testing.assert_allclose(log_softmax(x), np.log(expected), rtol=4 * eps(np.float64))


def test_confident_row_log_probability_closed_form():
    # log softmax(0, -30, -30)_0 = -log1p(2 e^-30), about -1.87e-13: the frameworks give 0.
    expected = -math.log1p(2.0 * math.exp(-30.0))
    for shift in (0.0, 1e4):
        got = log_softmax(np.array([0.0, -30.0, -30.0]) + shift)[0]
        assert got == pytest.approx(expected, rel=4 * eps(np.float64))


def test_single_class_is_certain():
    x = np.array([[3.0], [-7.5]])
    np.testing.assert_array_equal(softmax(x), [[1.0], [1.0]])
    np.testing.assert_array_equal(log_softmax(x), [[0.0], [0.0]])
    np.testing.assert_array_equal(logsumexp(x), [3.0, -7.5])
    np.testing.assert_array_equal(softmax_jacobian(x), [[[0.0]], [[0.0]]])


# ---------------------------------------------------------------------------------------
# Identities (hypothesis)
# ---------------------------------------------------------------------------------------


@settings(deadline=None, max_examples=60)
@given(logit_arrays())
def test_softmax_sums_to_one(x):
    p = softmax(x)
    assert np.all((p >= 0) & (p <= 1))
    classes = x.shape[-1]
    np.testing.assert_allclose(
        np.sum(p, axis=-1, dtype=np.float64), 1.0, atol=classes * eps(x.dtype)
    )


@settings(deadline=None, max_examples=60)
@given(
    hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=1, max_dims=2, max_side=6),
        elements=st.integers(-8000, 8000).map(lambda n: n / 8),
    ),
    st.integers(-1000, 1000),
    st.sampled_from([np.float32, np.float64]),
)
def test_adding_a_constant_to_a_row_changes_nothing(x, constant, dtype):
    # Eighths below 2**11 plus an integer stay exact in float32, so x + c is the exact
    # shift: the row maximum moves by c, x - m is bitwise the same, and so are the results.
    x = x.astype(dtype)
    shifted = x + dtype(constant)
    np.testing.assert_array_equal(softmax(shifted), softmax(x))
    np.testing.assert_array_equal(log_softmax(shifted), log_softmax(x))
    np.testing.assert_array_equal(softmax_jacobian(shifted), softmax_jacobian(x))
    # logsumexp itself moves by c; each of the two results is rounded to its own magnitude.
    before = logsumexp(x).astype(np.float64)
    after = logsumexp(shifted).astype(np.float64)
    allowed = eps(dtype) * (np.abs(before) + np.abs(after))
    assert np.all(np.abs(after - (before + constant)) <= allowed)


@settings(deadline=None, max_examples=60)
@given(logit_arrays())
def test_log_softmax_is_log_of_softmax_where_that_is_finite(x):
    p = softmax(x)
    # log(p) is only as good as p: it carries p's relative rounding (< 1 ulp) as an
    # absolute error; where p is subnormal or 0, log(p) has lost the digits.
    kept = p > 1e4 * np.finfo(x.dtype).tiny
    np.testing.assert_allclose(
        np.log(p[kept]), log_softmax(x)[kept], rtol=2 * eps(x.dtype), atol=2 * eps(x.dtype)
    )


@settings(deadline=None, max_examples=60)
@given(logit_arrays(min_dims=0, max_dims=2, elements=st.floats(-200, 200, width=32)))
def test_log_sigmoid_is_log_of_sigmoid(x):
    s = sigmoid(x).astype(np.float64)
    log_s = log_sigmoid(x).astype(np.float64)
    # exp turns the rounding of log_s, half an ulp of |log_s|, into a relative error;
    # a subnormal sigmoid has lost relative precision of its own.
    allowed = 2 * eps(x.dtype) * (1 + np.abs(log_s)) * s
    normal = s >= np.finfo(x.dtype).tiny
    assert np.all((np.abs(np.exp(log_s) - s) <= allowed)[normal])


@settings(deadline=None, max_examples=60)
@given(logit_arrays(min_dims=0, max_dims=2))
def test_sigmoid_is_symmetric(x):
    np.testing.assert_allclose(sigmoid(-x), 1 - sigmoid(x), rtol=0, atol=eps(x.dtype))
    np.testing.assert_array_equal(sigmoid_grad(-x), sigmoid_grad(x))
    np.testing.assert_allclose(
        sigmoid_grad(x), sigmoid(x) * sigmoid(-x), rtol=4 * eps(x.dtype), atol=1e-30
    )


@settings(deadline=None, max_examples=60)
@given(logit_arrays(max_dims=2, elements=st.floats(-30, 30, width=32)))
def test_jacobian_is_symmetric_with_rows_summing_to_zero(x):
    jacobian = softmax_jacobian(x)
    assert jacobian.shape == (*x.shape, x.shape[-1])
    np.testing.assert_array_equal(jacobian, np.swapaxes(jacobian, -1, -2))
    # Entries are at most 1/4; the sum of C of them carries at most C roundings.
    tolerance = 4 * x.shape[-1] * eps(x.dtype)
    np.testing.assert_allclose(np.sum(jacobian, axis=-1, dtype=np.float64), 0.0, atol=tolerance)
    # The diagonal p_i (1 - p_i), with 1 - p_i summed from the other classes (no cancellation).
    p = softmax(x.astype(np.float64))
    others = np.stack(
        [np.sum(np.delete(p, i, axis=-1), axis=-1) for i in range(p.shape[-1])], axis=-1
    )
    np.testing.assert_allclose(
        np.diagonal(jacobian, axis1=-2, axis2=-1), p * others, rtol=4 * eps(x.dtype), atol=1e-300
    )


@settings(deadline=None, max_examples=40)
@given(st.data())
def test_logsumexp_keepdims_shapes(data):
    x = data.draw(logit_arrays(min_dims=1, max_dims=3))
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    kept = logsumexp(x, axis=axis, keepdims=True)
    dropped = logsumexp(x, axis=axis)
    expected_kept = list(x.shape)
    expected_kept[axis] = 1
    assert np.shape(kept) == tuple(expected_kept)
    assert np.shape(dropped) == tuple(np.delete(x.shape, axis))
    np.testing.assert_array_equal(np.squeeze(kept, axis=axis), dropped)
    # keepdims is for broadcasting: x - logsumexp is the log-softmax up to rounding.
    np.testing.assert_allclose(x - kept, log_softmax(x, axis=axis), rtol=1e-5, atol=1e-2)


@settings(deadline=None, max_examples=40)
@given(st.data())
def test_any_axis_equals_moving_it_last(data):
    x = data.draw(logit_arrays(min_dims=1, max_dims=3))
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    moved = np.moveaxis(x, axis, -1)
    tolerance = {"rtol": 2 * eps(x.dtype), "atol": 2 * eps(x.dtype)}
    np.testing.assert_allclose(
        softmax(x, axis=axis), np.moveaxis(softmax(moved), -1, axis), **tolerance
    )
    np.testing.assert_allclose(
        log_softmax(x, axis=axis), np.moveaxis(log_softmax(moved), -1, axis), **tolerance
    )
    np.testing.assert_allclose(logsumexp(x, axis=axis), logsumexp(moved), **tolerance)
    np.testing.assert_allclose(softmax_jacobian(x, axis=axis), softmax_jacobian(moved), **tolerance)


# ---------------------------------------------------------------------------------------
# Derivatives against central finite differences
# ---------------------------------------------------------------------------------------


def central_difference_jacobian(f, x: np.ndarray, step: float) -> np.ndarray:
    """J[i, j] = d f_i / d x_j by central differences (f maps a 1-d array to a 1-d array)."""
    columns = []
    for j in range(x.size):
        bump = np.zeros_like(x)
        bump[j] = step
        columns.append((f(x + bump) - f(x - bump)) / (2 * step))
    return np.stack(columns, axis=-1)


@pytest.mark.parametrize("x", [-30.0, -3.0, -0.5, 0.0, 1e-3, 2.0, 12.0])
def test_sigmoid_grad_matches_finite_differences(x):
    step = 1e-5 * max(1.0, abs(x))
    numerical = (sigmoid(x + step) - sigmoid(x - step)) / (2 * step)
    # Central differences are O(step**2) off (sigma''' <= 1/8) plus eps / step of rounding.
    assert sigmoid_grad(x) == pytest.approx(numerical, rel=1e-8, abs=1e-11)


@pytest.mark.parametrize(
    "x",
    [
        np.array([1.0, 2.0, 0.5]),
        np.array([0.0, 0.0, 0.0, 0.0]),
        np.array([5.0, -3.0, 0.25, 1.0, -np.inf]),
        np.array([40.0, 0.0, -2.0]),
    ],
    ids=["cat-dog-bird", "uniform", "masked", "confident"],
)
def test_softmax_jacobian_matches_finite_differences(x):
    finite = np.isfinite(x)
    numerical = np.zeros((x.size, x.size))
    # Masked classes do not move: differentiate with respect to the finite logits only.
    numerical[np.ix_(finite, finite)] = central_difference_jacobian(
        lambda z: softmax(_scatter(z, finite))[finite], x[finite], 1e-6
    )
    np.testing.assert_allclose(softmax_jacobian(x), numerical, rtol=1e-6, atol=1e-9)


def _scatter(finite_values: np.ndarray, finite: np.ndarray) -> np.ndarray:
    """A row with ``finite_values`` where ``finite`` and -inf elsewhere."""
    row = np.full(finite.shape, -np.inf)
    row[finite] = finite_values
    return row


# ---------------------------------------------------------------------------------------
# Conventions: dtypes, read-only inputs, extremes, masks, NaN
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("function", ALL_FUNCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    ("dtype", "expected"),
    [
        (np.float16, np.float16),
        (np.float32, np.float32),
        (np.float64, np.float64),
        (np.int64, np.float64),
        (np.uint8, np.float64),
        (np.bool_, np.float64),
    ],
)
def test_dtype_is_kept_or_made_float64(function, dtype, expected):
    x = np.array([[1, 0, 1], [0, 1, 1]], dtype=dtype)
    assert function(x).dtype == expected


@pytest.mark.parametrize("function", ELEMENTWISE, ids=lambda f: f.__name__)
def test_elementwise_functions_accept_scalars(function):
    assert isinstance(function(0.5), np.float64)
    assert isinstance(function(np.float32(0.5)), np.float32)
    assert function(np.array([[0.5]])).shape == (1, 1)


def test_logsumexp_of_a_vector_is_a_scalar():
    assert isinstance(logsumexp([1.0, 2.0]), np.float64)
    assert isinstance(logsumexp(np.array([1.0, 2.0], dtype=np.float32)), np.float32)


@pytest.mark.parametrize("function", ALL_FUNCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_inputs_are_never_modified(function, dtype):
    rng = np.random.default_rng(7)
    x = (rng.standard_normal((3, 4, 5)) * 5).astype(dtype)
    x[0, 1, 2] = -np.inf
    original = x.copy()
    x.flags.writeable = False  # any in-place write now raises
    for axis in (-1, 0, 1):
        if function in ELEMENTWISE:
            function(x)
        else:
            function(x, axis=axis)
    np.testing.assert_array_equal(x, original)


@pytest.mark.parametrize("function", ALL_FUNCTIONS, ids=lambda f: f.__name__)
def test_results_do_not_share_memory_with_the_input(function):
    x = np.array([[0.5, -1.0, 2.0]])
    result = function(x)
    assert not np.shares_memory(result, x)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_no_overflow_or_nan_at_extreme_logits(dtype):
    big = np.finfo(dtype).max
    x = np.array([-big, -1e4, -1.0, 0.0, 1.0, 1e4, big], dtype=dtype)
    np.testing.assert_array_equal(sigmoid(x[[0, 1, 5, 6]]), [0.0, 0.0, 1.0, 1.0])
    assert np.all(np.isfinite(log_sigmoid(x)))
    assert log_sigmoid(x)[0] == -big
    np.testing.assert_array_equal(sigmoid_grad(x[[0, 1, 5, 6]]), [0.0, 0.0, 0.0, 0.0])

    p = softmax(x)
    assert np.all(np.isfinite(p))
    np.testing.assert_array_equal(p, [0, 0, 0, 0, 0, 0, 1])
    assert logsumexp(x) == big
    log_p = log_softmax(x)
    assert not np.any(np.isnan(log_p))
    assert log_p[-1] == 0.0
    # x - m for x = -max is -2 max: beyond the range, so -inf is the correctly rounded value.
    assert log_p[0] == -np.inf
    np.testing.assert_array_equal(log_p[1:-1], x[1:-1] - big)

    pair = np.array([[1e4, -1e4], [big, big]], dtype=dtype)
    np.testing.assert_array_equal(softmax(pair), [[1, 0], [0.5, 0.5]])
    np.testing.assert_allclose(logsumexp(pair), [1e4, big], rtol=eps(dtype))
    assert np.all(np.isfinite(softmax_jacobian(pair)))


def test_masked_classes_get_probability_zero():
    x = np.array([[0.0, -np.inf, 0.0], [-np.inf, 2.0, -np.inf]])
    np.testing.assert_array_equal(softmax(x), [[0.5, 0.0, 0.5], [0.0, 1.0, 0.0]])
    np.testing.assert_allclose(
        log_softmax(x), [[-math.log(2), -np.inf, -math.log(2)], [-np.inf, 0.0, -np.inf]]
    )
    np.testing.assert_allclose(logsumexp(x), [math.log(2), 2.0])
    jacobian = softmax_jacobian(x)
    np.testing.assert_array_equal(jacobian[0, 1, :], 0.0)
    np.testing.assert_array_equal(jacobian[0, :, 1], 0.0)
    np.testing.assert_array_equal(jacobian[1], 0.0)


@settings(deadline=None, max_examples=40)
@given(
    logit_arrays(min_dims=1, max_dims=1, max_side=8, elements=st.floats(-50, 50, width=32)),
    st.data(),
)
def test_masking_equals_dropping_the_class(x, data):
    masked = data.draw(hnp.arrays(np.bool_, x.shape))
    if masked.all():
        masked[0] = False
    row = np.where(masked, -np.inf, x)
    kept = x[~masked]
    tolerance = {"rtol": 4 * eps(x.dtype), "atol": 4 * eps(x.dtype)}
    p = softmax(row)
    np.testing.assert_array_equal(p[masked], 0.0)
    np.testing.assert_allclose(p[~masked], softmax(kept), **tolerance)
    log_p = log_softmax(row)
    np.testing.assert_array_equal(log_p[masked], -np.inf)
    np.testing.assert_allclose(log_p[~masked], log_softmax(kept), **tolerance)
    np.testing.assert_allclose(logsumexp(row), logsumexp(kept), **tolerance)


def test_logsumexp_of_infinite_rows():
    x = np.array(
        [
            [-np.inf, -np.inf, -np.inf],  # log of an empty sum
            [np.inf, 0.0, -np.inf],
            [np.inf, np.inf, 1.0],
            [np.nan, np.inf, 1.0],
            [np.inf, np.nan, 1.0],
        ]
    )
    np.testing.assert_array_equal(logsumexp(x), [-np.inf, np.inf, np.inf, np.nan, np.nan])


def test_nan_propagates_to_its_row_only():
    x = np.array([[1.0, np.nan, 0.0], [1.0, 2.0, 0.0]])
    for function in (softmax, log_softmax):
        result = function(x)
        assert np.all(np.isnan(result[0]))
        assert not np.any(np.isnan(result[1]))
    assert np.isnan(logsumexp(x)[0]) and np.isfinite(logsumexp(x)[1])
    jacobian = softmax_jacobian(x)
    assert np.all(np.isnan(jacobian[0])) and not np.any(np.isnan(jacobian[1]))
    for function in ELEMENTWISE:
        result = function(np.array([np.nan, 1.0]))
        assert np.isnan(result[0]) and np.isfinite(result[1])


# ---------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("function", ALL_FUNCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    "bad",
    [np.array([1 + 2j, 0j]), np.array(["a", "b"]), np.array([1.0, None], dtype=object)],
    ids=["complex", "str", "object"],
)
def test_non_real_input_is_a_type_error(function, bad):
    with pytest.raises(TypeError, match=r"x must be an array of real numbers.*got dtype"):
        function(bad)


@pytest.mark.parametrize("function", ROWWISE, ids=lambda f: f.__name__)
def test_axis_out_of_range(function):
    with pytest.raises(ValueError, match=r"axis=2 is out of bounds for an array of 2 dim"):
        function(np.zeros((2, 3)), axis=2)
    with pytest.raises(ValueError, match=r"axis=-3 is out of bounds"):
        function(np.zeros((2, 3)), axis=-3)


@pytest.mark.parametrize("function", ROWWISE, ids=lambda f: f.__name__)
@pytest.mark.parametrize("axis", [1.0, "0", None, True, [0]])
def test_axis_must_be_an_int(function, axis):
    with pytest.raises(TypeError, match=r"axis must be an int, got"):
        function(np.zeros((2, 3)), axis=axis)


@pytest.mark.parametrize("function", ROWWISE, ids=lambda f: f.__name__)
def test_numpy_integer_axis_is_accepted(function):
    x = np.array([[0.0, 1.0], [2.0, 3.0]])
    np.testing.assert_array_equal(function(x, axis=np.int64(0)), function(x, axis=0))


@pytest.mark.parametrize("function", ROWWISE, ids=lambda f: f.__name__)
def test_empty_class_axis(function):
    with pytest.raises(
        ValueError, match=r"x has no classes: axis=-1 has length 0 in shape \(3, 0\)"
    ):
        function(np.zeros((3, 0)))
    with pytest.raises(ValueError, match=r"x has no classes: axis=0 has length 0"):
        function(np.zeros((0, 3)), axis=0)


@pytest.mark.parametrize("function", ROWWISE, ids=lambda f: f.__name__)
def test_empty_batch_is_fine(function):
    result = function(np.zeros((0, 3)))
    assert result.size == 0


@pytest.mark.parametrize("function", ROWWISE, ids=lambda f: f.__name__)
def test_zero_dimensional_input_has_no_class_axis(function):
    with pytest.raises(ValueError, match=r"x must have at least one dimension \(the class axis\)"):
        function(np.float64(1.0))


@pytest.mark.parametrize(
    "function", [softmax, log_softmax, softmax_jacobian], ids=lambda f: f.__name__
)
def test_all_masked_row_is_named(function):
    x = np.array([[0.0, 1.0], [-np.inf, -np.inf], [2.0, 3.0]])
    with pytest.raises(ValueError, match=r"row x\[1, :\] has maximum -inf \(every entry is -inf"):
        function(x)
    with pytest.raises(
        ValueError, match=rf"{function.__name__} needs a finite maximum .* axis=0; row x\[:, 1\]"
    ):
        function(x.T, axis=0)


@pytest.mark.parametrize(
    "function", [softmax, log_softmax, softmax_jacobian], ids=lambda f: f.__name__
)
def test_row_with_plus_inf_is_named(function):
    x = np.array([[[0.0, 1.0], [2.0, np.inf]]])
    with pytest.raises(ValueError, match=r"row x\[0, 1, :\] has maximum inf \(a \+inf logit"):
        function(x)


@pytest.mark.parametrize("keepdims", [1, "yes", None])
def test_keepdims_must_be_a_bool(keepdims):
    with pytest.raises(TypeError, match=r"keepdims must be a bool"):
        logsumexp(np.zeros(3), keepdims=keepdims)


# ---------------------------------------------------------------------------------------
# The shared pass that the losses reuse
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("accurate_sum", [True, False])
def test_shifted_exp_contract(dtype, axis, accurate_sum):
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((4, 5, 6)) * 4).astype(dtype)
    x[1, 2, 3] = -np.inf
    x[2, 0, :] = 1.5  # ties everywhere along the last axis
    x.flags.writeable = False
    exp_shifted, m, s, k = _core.shifted_exp_and_tail_sum(x, axis, accurate_sum=accurate_sum)
    np.testing.assert_array_equal(m, np.max(x, axis=axis, keepdims=True))
    np.testing.assert_array_equal(k, np.argmax(x, axis=axis, keepdims=True))
    np.testing.assert_array_equal(np.take_along_axis(exp_shifted, k, axis=axis), 1.0)
    assert exp_shifted.dtype == dtype and exp_shifted.shape == x.shape
    assert exp_shifted.flags.writeable and not np.shares_memory(exp_shifted, x)
    # Each term carries np.exp's error plus the rounding of x - m, magnified by |x - m|.
    shift = x.astype(np.float64) - m
    with np.errstate(invalid="ignore"):  # -inf - (-inf) does not occur; -inf * 0 might
        allowed = eps(dtype) * (2 + np.abs(shift)) * np.exp(shift)
    assert np.all(np.abs(exp_shifted - np.exp(shift)) <= np.nan_to_num(allowed))
    assert s.dtype == (np.float64 if accurate_sum else dtype)
    # S sums the computed terms, every one but the one at k (a tie elsewhere counts 1).
    tail = exp_shifted.astype(np.float64)
    np.put_along_axis(tail, k, 0.0, axis=axis)
    exact = np.apply_along_axis(math.fsum, axis, tail)
    summation_error = eps(np.float64) if accurate_sum else x.shape[axis] * eps(dtype)
    np.testing.assert_allclose(np.squeeze(s, axis=axis), exact, rtol=2 * summation_error)


def test_shifted_exp_is_owned_by_the_caller():
    x = np.array([[0.0, -1.0, -2.0]])
    first = _core.shifted_exp_and_tail_sum(x, -1)
    first.exp_shifted[...] = -5.0  # e.g. turning it into a gradient in place
    second = _core.shifted_exp_and_tail_sum(x, -1)
    np.testing.assert_allclose(second.exp_shifted, np.exp([[0.0, -1.0, -2.0]]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tiny_tail_sum_is_not_rounded_away(dtype):
    # Regression for "sum everything, then subtract the 1": 1 + 2e-40 - 1 == 0.
    x = np.array([0.0, -40.0, -40.0], dtype=dtype)
    _, _, s, _ = _core.shifted_exp_and_tail_sum(x, 0)
    term = np.exp(dtype(-40.0)).astype(np.float64)
    assert s[0] == pytest.approx(2 * term, rel=eps(dtype))
    assert np.sum(np.exp(x - x.max())) - 1 == 0  # what the shortcut would give


def test_shifted_exp_leaves_infinite_rows_to_the_caller():
    x = np.array([[-np.inf, -np.inf], [np.inf, 1.0], [np.inf, np.inf], [np.nan, 0.0]])
    _, m, s, k = _core.shifted_exp_and_tail_sum(x, -1)
    np.testing.assert_array_equal(m[:, 0], [-np.inf, np.inf, np.inf, np.nan])
    np.testing.assert_array_equal(k[:, 0], [0, 0, 0, 0])
    assert np.isnan(s[0, 0]) and np.isnan(s[3, 0])


@pytest.mark.parametrize("count", [1, 2, 3, 17, 128, 1000, 4099])
def test_extracted_sum_is_nearly_correctly_rounded(count):
    rng = np.random.default_rng(count)
    # Positive terms over 40 orders of magnitude, the shape of a tail sum.
    terms = np.exp(-rng.uniform(0, 90, size=(3, count)))
    terms[1] = np.exp(-30.0)  # many equal terms: the case that trips sequential sums
    got = _core.extracted_sum(terms, -1)[:, 0]
    exact = np.array([math.fsum(row) for row in terms])
    assert np.all(np.abs(got - exact) <= np.spacing(exact))
    column = _core.extracted_sum(terms.T, 0)[0]
    assert np.all(np.abs(column - exact) <= np.spacing(exact))


def test_extracted_sum_handles_zero_and_nan_rows():
    terms = np.array([[0.0, 0.0], [np.nan, 1.0], [0.5, 0.25]])
    np.testing.assert_array_equal(_core.extracted_sum(terms, 1)[:, 0], [0.0, np.nan, 0.75])
