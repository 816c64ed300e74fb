"""Unit and property tests of crossent.binary.

Accuracy against mpmath lives in test_binary_accuracy.py and agreement with PyTorch in
test_pytorch_reference_binary.py; here are hand-computed values, the identities the two
losses must satisfy, their gradients against finite differences, and every error path.
"""

from __future__ import annotations

import doctest
import importlib
import math

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossent import binary
from crossent.activations import log_sigmoid, sigmoid
from crossent.binary import (
    binary_cross_entropy,
    binary_cross_entropy_grad,
    binary_cross_entropy_value_and_grad,
    sigmoid_binary_cross_entropy,
    sigmoid_binary_cross_entropy_grad,
    sigmoid_binary_cross_entropy_value_and_grad,
)
from crossent.categorical import (
    softmax_cross_entropy_value_and_grad,
    softmax_cross_entropy_with_integer_labels,
)
from crossent.gradcheck import check_gradient

LN3 = math.log(3.0)
REDUCTIONS = ["mean", "sum", "none"]
EPS64 = float(np.finfo(np.float64).eps)
LOSSES = {
    "binary_cross_entropy": (
        binary_cross_entropy,
        binary_cross_entropy_grad,
        binary_cross_entropy_value_and_grad,
    ),
    "sigmoid_binary_cross_entropy": (
        sigmoid_binary_cross_entropy,
        sigmoid_binary_cross_entropy_grad,
        sigmoid_binary_cross_entropy_value_and_grad,
    ),
}


# Any warning (a RuntimeWarning above all) raised in a test of this module is an error.
pytestmark = pytest.mark.usefixtures("warnings_are_errors")


def read_only(array) -> np.ndarray:
    array = np.array(array)
    array.flags.writeable = False
    return array


def dyadic_targets(shape):
    """Soft and hard targets that are multiples of 1/8, so 1 - t is exact."""
    return hnp.arrays(np.float64, shape, elements=st.integers(0, 8).map(lambda n: n / 8))


# ---------------------------------------------------------------------------------------
# Values computed by hand
# ---------------------------------------------------------------------------------------


def test_binary_cross_entropy_hand_values():
    q = np.array([0.75, 0.25, 0.5, 0.75])
    t = np.array([1.0, 0.0, 0.3, 0.0])
    # -log(3/4), -log(3/4), log 2 whatever the target, -log(1/4).
    expected = [math.log(4 / 3), math.log(4 / 3), math.log(2.0), math.log(4.0)]
    np.testing.assert_allclose(binary_cross_entropy(q, t, reduction="none"), expected, rtol=1e-15)
    np.testing.assert_allclose(binary_cross_entropy(q, t, reduction="sum"), sum(expected))
    np.testing.assert_allclose(binary_cross_entropy(q, t), sum(expected) / 4, rtol=1e-15)
    # dl/dq = (q - t) / (q (1 - q)): (3/4 - 1) / (3/16) = -4/3, (1/4) / (3/16) = 4/3,
    # 0.2 / 0.25 = 0.8 and (3/4) / (3/16) = 4.
    np.testing.assert_allclose(
        binary_cross_entropy_grad(q, t, reduction="sum"), [-4 / 3, 4 / 3, 0.8, 4.0], rtol=1e-15
    )
    np.testing.assert_allclose(
        binary_cross_entropy_grad(q, t), [-1 / 3, 1 / 3, 0.2, 1.0], rtol=1e-15
    )


def test_sigmoid_binary_cross_entropy_hand_values():
    # sigma(ln 3) = 3/4: the loss is log(4/3) for t = 1 and log 4 for t = 0; sigma(0) = 1/2.
    x = np.array([LN3, LN3, 0.0, 0.0])
    t = np.array([1.0, 0.0, 0.25, 1.0])
    expected = [math.log(4 / 3), math.log(4.0), math.log(2.0), math.log(2.0)]
    np.testing.assert_allclose(
        sigmoid_binary_cross_entropy(x, t, reduction="none"), expected, rtol=1e-15
    )
    # sigma(x) - t: -1/4, 3/4, 1/4, -1/2.
    np.testing.assert_allclose(
        sigmoid_binary_cross_entropy_grad(x, t, reduction="sum"),
        [-0.25, 0.75, 0.25, -0.5],
        rtol=1e-15,
    )


def test_pos_weight_scales_the_positive_term_only():
    # x = ln 3, t = 1/2: -[p/2 log(3/4) + 1/2 log(1/4)]; gradient (1/2)(3/4) - p (1/2)(1/4).
    x = np.full((2, 2), LN3)
    t = np.full((2, 2), 0.5)
    pos_weight = np.array([1.0, 3.0])
    expected_loss = [
        [-(p / 2 * math.log(0.75) + 0.5 * math.log(0.25)) for p in pos_weight] for _ in range(2)
    ]
    expected_grad = [[0.375 - p * 0.125 for p in pos_weight] for _ in range(2)]
    loss, grad = sigmoid_binary_cross_entropy_value_and_grad(
        x, t, pos_weight=pos_weight, reduction="none"
    )
    np.testing.assert_allclose(loss, expected_loss, rtol=1e-15)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-15, atol=1e-16)


def test_weight_multiplies_each_loss_and_the_mean_counts_every_entry():
    # PyTorch's mean divides by the number of entries, not by the sum of the weights.
    q = np.array([[0.5, 0.25], [0.75, 0.5]])
    t = np.array([[1.0, 0.0], [1.0, 0.0]])
    weight = np.array([2.0, 0.0])
    unweighted = binary_cross_entropy(q, t, reduction="none")
    np.testing.assert_array_equal(
        binary_cross_entropy(q, t, weight=weight, reduction="none"), unweighted * weight
    )
    np.testing.assert_allclose(
        binary_cross_entropy(q, t, weight=weight), np.sum(unweighted * weight) / 4, rtol=1e-15
    )
    np.testing.assert_array_equal(
        binary_cross_entropy_grad(q, t, weight=weight, reduction="sum"),
        binary_cross_entropy_grad(q, t, reduction="sum") * weight,
    )


# ---------------------------------------------------------------------------------------
# The ends of the probability range
# ---------------------------------------------------------------------------------------


def test_certain_predictions_cost_nothing_when_right_and_everything_when_wrong():
    q = np.array([0.0, 1.0, 0.0, 1.0, 0.0])
    t = np.array([0.0, 1.0, 1.0, 0.0, 0.5])
    loss = binary_cross_entropy(q, t, reduction="none")
    np.testing.assert_array_equal(loss, [0.0, 0.0, np.inf, np.inf, np.inf])
    assert not np.any(np.signbit(loss)), "a perfect prediction costs +0, not -0"
    assert binary_cross_entropy(q, t) == np.inf


def test_exact_logs_go_beyond_pytorchs_clamp_at_100():
    # PyTorch clamps log q at -100, so any q below e^-100 costs it 100.
    q = np.array([1e-50, 1e-300])
    loss = binary_cross_entropy(q, np.ones(2), reduction="none")
    np.testing.assert_allclose(loss, [50 * math.log(10), 300 * math.log(10)], rtol=1e-15)


def test_gradient_at_the_ends():
    q = np.array([0.0, 1.0, 0.0, 1.0, 0.0, 1.0])
    t = np.array([0.0, 1.0, 1.0, 0.0, 0.5, 0.5])
    weight = np.array([2.0, 2.0, 1.0, 1.0, 1.0, 1.0])
    grad = binary_cross_entropy_grad(q, t, weight=weight, reduction="sum")
    # At a perfect certain prediction the derivative of -log(1 - q) (at 0) or -log q (at
    # 1), times the weight; elsewhere at the ends the derivative is infinite.
    np.testing.assert_array_equal(grad, [2.0, -2.0, -np.inf, np.inf, -np.inf, np.inf])


def test_gradient_at_a_perfect_prediction_is_the_one_sided_derivative():
    # The loss for t = 0 is -log(1 - q), defined on [0, 1): its slope from the right at 0
    # is 1, and the forward difference agrees. PyTorch's backward returns 0 there.
    h = 1e-7
    for q0, t0, sign in ((0.0, 0.0, 1.0), (1.0, 1.0, -1.0)):
        target = np.array([t0])
        at = binary_cross_entropy(np.array([q0]), target)
        inside = binary_cross_entropy(np.array([q0 + sign * h]), target)
        slope = sign * (inside - at) / h
        grad = binary_cross_entropy_grad(np.array([q0]), target)[0]
        assert grad == pytest.approx(slope, rel=1e-6)
        assert grad == 1.0 - 2.0 * q0


def test_gradient_below_pytorchs_denominator_clamp_is_exact():
    # PyTorch divides by max(q (1 - q), 1e-12) and returns 0.1 here; the derivative of
    # -log(1 - q) at q = 1e-13 is 1 / (1 - 1e-13).
    grad = binary_cross_entropy_grad(np.array([1e-13]), np.array([0.0]), reduction="sum")
    assert grad[0] == pytest.approx(1.0 / (1.0 - 1e-13), rel=EPS64)


def test_zero_weight_removes_an_infinite_loss():
    q = np.array([0.0, 0.5])
    t = np.array([1.0, 1.0])
    weight = np.array([0.0, 1.0])
    loss, grad = binary_cross_entropy_value_and_grad(q, t, weight=weight, reduction="none")
    np.testing.assert_array_equal(loss, [0.0, math.log(2.0)])
    np.testing.assert_array_equal(grad, [0.0, -2.0])


def test_log1p_keeps_the_loss_of_a_tiny_probability_of_a_negative():
    # -log(1 - q) = q + q^2/2 + ...: log(1 - 1e-17) would round 1 - q to 1 and give 0.
    loss = binary_cross_entropy(np.array([1e-17]), np.array([0.0]), reduction="sum")
    assert loss == pytest.approx(1e-17, rel=EPS64)


# ---------------------------------------------------------------------------------------
# Extreme and non-finite logits
# ---------------------------------------------------------------------------------------


def test_extreme_logits_stay_finite_and_keep_their_digits():
    x = np.array([1e4, 1e4, -1e4, -1e4, 40.0, -40.0, 800.0, -800.0])
    t = np.array([1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0])
    loss, grad = sigmoid_binary_cross_entropy_value_and_grad(x, t, reduction="none")
    tiny = math.exp(-40.0)
    np.testing.assert_allclose(
        loss, [0.0, 1e4, 1e4, 0.0, tiny, tiny, 800.0, 800.0], rtol=2 * EPS64, atol=0
    )
    np.testing.assert_allclose(
        grad, [0.0, 1.0, -1.0, 0.0, -tiny, tiny, 1.0, -1.0], rtol=2 * EPS64, atol=0
    )


def test_infinite_logits_that_agree_with_their_label_cost_nothing():
    # PyTorch returns NaN for these: (1 - t) x is 0 * inf.
    x = np.array([np.inf, -np.inf, np.inf, -np.inf])
    t = np.array([1.0, 0.0, 0.0, 1.0])
    loss, grad = sigmoid_binary_cross_entropy_value_and_grad(x, t, reduction="none")
    np.testing.assert_array_equal(loss, [0.0, 0.0, np.inf, np.inf])
    np.testing.assert_array_equal(grad, [0.0, 0.0, 1.0, -1.0])


def test_nan_logits_propagate():
    x = np.array([0.0, np.nan, 1.0])
    t = np.array([1.0, 0.0, 1.0])
    loss, grad = sigmoid_binary_cross_entropy_value_and_grad(x, t, reduction="none")
    np.testing.assert_array_equal(np.isnan(loss), [False, True, False])
    np.testing.assert_array_equal(np.isnan(grad), [False, True, False])
    assert np.isnan(sigmoid_binary_cross_entropy(x, t))


# ---------------------------------------------------------------------------------------
# Identities (hypothesis)
# ---------------------------------------------------------------------------------------


@settings(deadline=None, max_examples=60)
@given(st.data())
def test_probabilities_of_sigmoid_give_the_logit_loss(data):
    # Where sigma(x) and 1 - sigma(x) keep their digits (|x| <= 10), the two functions are
    # the same loss: the rounding of q = sigma(x) costs a relative e^|x| u at most.
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=2, max_side=5))
    x = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-10, 10)))
    t = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(0, 1)))
    np.testing.assert_allclose(
        binary_cross_entropy(sigmoid(x), t, reduction="none"),
        sigmoid_binary_cross_entropy(x, t, reduction="none"),
        rtol=1e-11,
        atol=1e-15,
    )


@settings(deadline=None, max_examples=60)
@given(st.data())
def test_sigmoid_loss_is_the_two_class_softmax_loss_of_x_and_0(data):
    # softmax([x, 0]) = [sigma(x), sigma(-x)]: the target t on class 0, 1 - t on class 1.
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=2, max_side=5))
    x = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-1e4, 1e4)))
    t = data.draw(dyadic_targets(shape))
    loss, grad = sigmoid_binary_cross_entropy_value_and_grad(x, t, reduction="none")
    pair = np.stack([x, np.zeros_like(x)], axis=-1)
    softmax_loss, softmax_grad = softmax_cross_entropy_value_and_grad(
        pair, np.stack([t, 1 - t], axis=-1), reduction="none"
    )
    np.testing.assert_allclose(loss, softmax_loss, rtol=4 * EPS64, atol=1e-300)
    # The derivative with respect to x is the first component of the softmax gradient.
    np.testing.assert_allclose(grad, softmax_grad[..., 0], rtol=4 * EPS64, atol=2 * EPS64)
    # Hard labels: t = 1 is class 0, t = 0 is class 1.
    hard = np.round(t)
    labels = np.where(hard == 1.0, 0, 1)
    np.testing.assert_allclose(
        sigmoid_binary_cross_entropy(x, hard, reduction="none"),
        softmax_cross_entropy_with_integer_labels(pair, labels, reduction="none"),
        rtol=4 * EPS64,
        atol=1e-300,
    )


@settings(deadline=None, max_examples=60)
@given(st.data())
def test_logit_loss_is_minus_weighted_log_sigmoids(data):
    # The definition, with log_sigmoid computing each logarithm.
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=2, max_side=5))
    x = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-50, 50)))
    t = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(0, 1)))
    pos_weight = data.draw(hnp.arrays(np.float64, shape[-1:], elements=st.floats(0, 5)))
    expected = -(pos_weight * t * log_sigmoid(x) + (1 - t) * log_sigmoid(-x))
    got = sigmoid_binary_cross_entropy(x, t, pos_weight=pos_weight, reduction="none")
    np.testing.assert_allclose(got, expected, rtol=8 * EPS64, atol=1e-300)


@settings(deadline=None, max_examples=60)
@given(st.data())
def test_flipping_the_logit_and_the_label_changes_nothing(data):
    # l(-x, 1 - t) = l(x, t) and the gradient changes sign, exactly.
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=2, max_side=5))
    x = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-1e4, 1e4)))
    t = data.draw(dyadic_targets(shape))
    loss, grad = sigmoid_binary_cross_entropy_value_and_grad(x, t, reduction="none")
    flipped_loss, flipped_grad = sigmoid_binary_cross_entropy_value_and_grad(
        -x, 1 - t, reduction="none"
    )
    np.testing.assert_array_equal(flipped_loss, loss)
    np.testing.assert_array_equal(flipped_grad, -grad)


@settings(deadline=None, max_examples=60)
@given(st.data())
def test_gradient_is_sigmoid_minus_target(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=2, max_side=5))
    x = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-60, 60)))
    t = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(0, 1)))
    grad = sigmoid_binary_cross_entropy_grad(x, t, reduction="sum")
    np.testing.assert_allclose(grad, sigmoid(x) - t, rtol=0, atol=2 * EPS64)


@settings(deadline=None, max_examples=40)
@given(st.data())
def test_pos_weight_of_one_is_no_pos_weight(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
    x = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-100, 100)))
    t = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(0, 1)))
    ones = np.ones(shape[-1])
    for function in LOSSES["sigmoid_binary_cross_entropy"][:2]:
        np.testing.assert_array_equal(
            function(x, t, pos_weight=ones, reduction="none"), function(x, t, reduction="none")
        )


@settings(deadline=None, max_examples=40)
@given(st.data(), st.sampled_from(REDUCTIONS), st.sampled_from(sorted(LOSSES)))
def test_value_and_grad_is_value_and_grad(data, reduction, name):
    loss_function, grad_function, both = LOSSES[name]
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=4))
    dtype = data.draw(st.sampled_from([np.float32, np.float64]))
    if name == "binary_cross_entropy":
        first = data.draw(hnp.arrays(dtype, shape, elements=st.floats(0, 1, width=32)))
        options = {}
    else:
        first = data.draw(hnp.arrays(dtype, shape, elements=st.floats(-1e4, 1e4, width=32)))
        options = {"pos_weight": data.draw(hnp.arrays(dtype, shape[-1:], elements=st.floats(0, 4)))}
    t = data.draw(hnp.arrays(dtype, shape, elements=st.floats(0, 1, width=32)))
    options["weight"] = data.draw(hnp.arrays(dtype, shape[-1:], elements=st.floats(0, 2)))
    loss, grad = both(first, t, reduction=reduction, **options)
    np.testing.assert_array_equal(loss, loss_function(first, t, reduction=reduction, **options))
    np.testing.assert_array_equal(grad, grad_function(first, t, reduction=reduction, **options))


@settings(deadline=None, max_examples=40)
@given(st.data(), st.sampled_from(sorted(LOSSES)))
def test_reductions_agree(data, name):
    loss_function, grad_function, _ = LOSSES[name]
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=5))
    low = 0.0 if name == "binary_cross_entropy" else -30.0
    first = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(low, 1.0)))
    t = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(0, 1)))
    per_entry = loss_function(first, t, reduction="none")
    total = loss_function(first, t, reduction="sum")
    assert per_entry.shape == shape
    np.testing.assert_allclose(total, np.sum(per_entry), rtol=4 * EPS64)
    # Within a few ulps, which near the subnormal range means absolutely: a loss of one
    # subnormal (probs = [5e-324], t = [0]) may come out of the mean as 0.
    np.testing.assert_allclose(
        loss_function(first, t, reduction="mean"), total / first.size, rtol=4 * EPS64,
        atol=4 * np.finfo(np.float64).smallest_subnormal,
    )
    np.testing.assert_array_equal(
        grad_function(first, t, reduction="none"), grad_function(first, t, reduction="sum")
    )
    np.testing.assert_allclose(
        grad_function(first, t, reduction="mean"),
        grad_function(first, t, reduction="sum") / first.size,
        rtol=2 * EPS64,
    )


def test_the_blocks_of_a_large_input_join_seamlessly():
    # More entries than one block of float64 work: each row alone must give the same.
    rng = np.random.default_rng(7)
    x = rng.normal(0, 5, size=(5, 40_000)).astype(np.float32)
    t = (rng.random(x.shape) < 0.5).astype(np.float32)
    weight = rng.random(x.shape[-1]).astype(np.float32)
    loss, grad = sigmoid_binary_cross_entropy_value_and_grad(x, t, weight=weight, reduction="none")
    for row in range(x.shape[0]):
        row_loss, row_grad = sigmoid_binary_cross_entropy_value_and_grad(
            x[row], t[row], weight=weight, reduction="none"
        )
        np.testing.assert_array_equal(loss[row], row_loss)
        np.testing.assert_array_equal(grad[row], row_grad)
    mean = sigmoid_binary_cross_entropy(x, t, weight=weight)
    assert mean == pytest.approx(np.mean(loss, dtype=np.float64), rel=1e-6)


# ---------------------------------------------------------------------------------------
# Gradients against finite differences
# ---------------------------------------------------------------------------------------


def _weights(shape, rng):
    return {
        "no weight": None,
        "per class": rng.uniform(0.5, 2.0, size=shape[-1:]),
        "per entry": rng.uniform(0.0, 2.0, size=shape),
    }


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight_name", ["no weight", "per class", "per entry"])
@pytest.mark.parametrize("shape", [(), (5,), (3, 4), (2, 3, 2)], ids=str)
def test_binary_cross_entropy_gradient_matches_finite_differences(shape, weight_name, reduction):
    rng = np.random.default_rng(len(shape))
    q = rng.uniform(0.05, 0.95, size=shape)
    t = np.where(rng.random(shape) < 0.5, rng.integers(0, 2, size=shape), rng.random(shape))
    weight = _weights(shape, rng)[weight_name]

    def total(probs):
        return np.sum(binary_cross_entropy(probs, t, weight=weight, reduction=reduction))

    def grad(probs):
        return binary_cross_entropy_grad(probs, t, weight=weight, reduction=reduction)

    check_gradient(total, grad, q, rtol=1e-6, atol=1e-9).raise_if_failed()


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("pos_weight_name", ["no pos_weight", "pos_weight"])
@pytest.mark.parametrize("weight_name", ["no weight", "per class", "per entry"])
@pytest.mark.parametrize("shape", [(), (5,), (3, 4), (2, 3, 2)], ids=str)
def test_sigmoid_binary_cross_entropy_gradient_matches_finite_differences(
    shape, weight_name, pos_weight_name, reduction
):
    rng = np.random.default_rng(len(shape) + 10)
    x = rng.normal(0.0, 4.0, size=shape)
    t = np.where(rng.random(shape) < 0.5, rng.integers(0, 2, size=shape), rng.random(shape))
    weight = _weights(shape, rng)[weight_name]
    pos_weight = rng.uniform(0.2, 5.0, size=shape[-1:]) if pos_weight_name == "pos_weight" else None
    options = {"weight": weight, "pos_weight": pos_weight, "reduction": reduction}

    def total(logits):
        return np.sum(sigmoid_binary_cross_entropy(logits, t, **options))

    def grad(logits):
        return sigmoid_binary_cross_entropy_grad(logits, t, **options)

    check_gradient(total, grad, x, rtol=1e-6, atol=1e-9).raise_if_failed()


# ---------------------------------------------------------------------------------------
# Conventions: shapes, dtypes, inputs left alone
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(LOSSES))
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_dtype_is_kept(name, dtype):
    loss_function, grad_function, both = LOSSES[name]
    first = np.array([[0.25, 0.5], [0.75, 1.0]], dtype=dtype)
    t = np.array([[0.0, 1.0], [1.0, 1.0]])  # float64 targets do not promote the result
    for reduction in REDUCTIONS:
        loss, grad = both(first, t, reduction=reduction)
        assert loss.dtype == dtype and grad.dtype == dtype
        assert loss_function(first, t, reduction=reduction).dtype == dtype
        assert grad_function(first, t, reduction=reduction).dtype == dtype


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_integer_and_bool_input_becomes_float64(name):
    loss_function, grad_function, _ = LOSSES[name]
    first = np.array([0, 1, 1])
    t = np.array([False, True, True])
    assert loss_function(first, t).dtype == np.float64
    assert grad_function(first, t).dtype == np.float64


def test_float32_results_are_float64_results_rounded():
    # Computed in float64 and rounded once: float32 input gives the float64 answer for the
    # same values, rounded.
    rng = np.random.default_rng(3)
    x = rng.normal(0, 20, size=200).astype(np.float32)
    t = rng.random(200).astype(np.float32)
    pos_weight = np.float32(2.5)
    loss32, grad32 = sigmoid_binary_cross_entropy_value_and_grad(
        x, t, pos_weight=pos_weight, reduction="none"
    )
    loss64, grad64 = sigmoid_binary_cross_entropy_value_and_grad(
        x.astype(np.float64), t.astype(np.float64), pos_weight=2.5, reduction="none"
    )
    np.testing.assert_array_equal(loss32, loss64.astype(np.float32))
    np.testing.assert_array_equal(grad32, grad64.astype(np.float32))


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_0d_input_gives_numpy_scalars(name):
    loss_function, grad_function, both = LOSSES[name]
    loss = loss_function(np.float32(0.5), np.float32(1.0), reduction="none")
    grad = grad_function(np.float32(0.5), np.float32(1.0))
    assert isinstance(loss, np.float32) and isinstance(grad, np.float32)
    assert both(0.5, 1.0, reduction="sum")[0] == loss_function(0.5, 1.0, reduction="none")


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_empty_input_like_pytorch(name):
    # The mean over nothing is NaN, the sum 0.
    loss_function, grad_function, _ = LOSSES[name]
    empty = np.zeros((0, 3))
    assert np.isnan(loss_function(empty, empty))
    assert loss_function(empty, empty, reduction="sum") == 0.0
    assert loss_function(empty, empty, reduction="none").shape == (0, 3)
    assert grad_function(empty, empty).shape == (0, 3)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_inputs_are_never_modified(name):
    _, _, both = LOSSES[name]
    first = read_only([[0.0, 0.5], [1.0, 0.25]])
    t = read_only([[0.0, 1.0], [1.0, 0.5]])
    weight = read_only([0.0, 2.0])
    options = {"weight": weight}
    if name == "sigmoid_binary_cross_entropy":
        options["pos_weight"] = read_only([1.5, 0.5])
    copies = [first.copy(), t.copy(), weight.copy()]
    for reduction in REDUCTIONS:
        both(first, t, reduction=reduction, **options)  # read-only: writing would raise
    for original, copy in zip((first, t, weight), copies, strict=True):
        np.testing.assert_array_equal(original, copy)


# ---------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("probs", "targets", "message"),
    [
        ([0.5, 1.5], [0.0, 1.0], r"probs must lie in \[0, 1\]; got probs\[1\] = 1.5"),
        ([0.5, -0.0, -1e-300], [0.0, 1.0, 1.0], r"got probs\[2\] = -1e-300"),
        ([[0.5, np.nan]], [[0.0, 1.0]], r"got probs\[0, 1\] = nan"),
        ([0.5, 0.5], [0.0, 2.0], r"targets must lie in \[0, 1\]; got targets\[1\] = 2.0"),
        (0.5, -1.0, r"got targets = -1.0"),
    ],
)
def test_values_outside_the_unit_interval_are_rejected(probs, targets, message):
    for function in LOSSES["binary_cross_entropy"]:
        with pytest.raises(ValueError, match=message):
            function(np.array(probs), np.array(targets))


def test_logit_loss_rejects_targets_outside_the_unit_interval():
    for function in LOSSES["sigmoid_binary_cross_entropy"]:
        with pytest.raises(ValueError, match=r"targets must lie in \[0, 1\]; got targets\[0, 2\]"):
            function(np.zeros((1, 3)), np.array([[0.0, 1.0, np.nan]]))


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_targets_must_have_the_shape_of_the_prediction(name):
    first_name = "probs" if name == "binary_cross_entropy" else "logits"
    for function in LOSSES[name]:
        with pytest.raises(
            ValueError,
            match=rf"targets must have the shape of {first_name}, \(4, 3\); got shape \(4,\)",
        ):
            function(np.full((4, 3), 0.5), np.ones(4))


@pytest.mark.parametrize("name", sorted(LOSSES))
@pytest.mark.parametrize("weight_shape", [(4,), (2, 4, 3), (3, 1)], ids=str)
def test_weight_must_broadcast_to_the_prediction(name, weight_shape):
    for function in LOSSES[name]:
        with pytest.raises(ValueError, match=r"weight of shape .* does not broadcast .* \(4, 3\)"):
            function(np.full((4, 3), 0.5), np.ones((4, 3)), weight=np.ones(weight_shape))


def test_pos_weight_needs_one_entry_per_class_along_the_last_axis():
    for function in LOSSES["sigmoid_binary_cross_entropy"]:
        with pytest.raises(
            ValueError, match=r"pos_weight of shape \(4,\) does not broadcast .* \(4, 3\)"
        ):
            function(np.zeros((4, 3)), np.ones((4, 3)), pos_weight=np.ones(4))


@pytest.mark.parametrize("bad", [-1.0, np.nan, np.inf])
@pytest.mark.parametrize("argument", ["weight", "pos_weight"])
def test_weights_must_be_finite_and_non_negative(argument, bad):
    value = np.array([1.0, bad])
    for function in LOSSES["sigmoid_binary_cross_entropy"]:
        with pytest.raises(
            ValueError, match=rf"{argument} must be finite and non-negative; got {argument}\[1\]"
        ):
            function(np.zeros((2, 2)), np.ones((2, 2)), **{argument: value})
    if argument == "weight":
        for function in LOSSES["binary_cross_entropy"]:
            with pytest.raises(ValueError, match="weight must be finite and non-negative"):
                function(np.full(2, 0.5), np.ones(2), weight=value)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_reduction_must_be_known(name):
    for function in LOSSES[name]:
        with pytest.raises(ValueError, match="reduction must be one of"):
            function(np.full(2, 0.5), np.ones(2), reduction="avg")
        with pytest.raises(TypeError, match="reduction must be a str"):
            function(np.full(2, 0.5), np.ones(2), reduction=None)


@pytest.mark.parametrize("name", sorted(LOSSES))
@pytest.mark.parametrize("argument", ["first", "targets", "weight"])
def test_non_real_input_is_a_type_error(name, argument):
    first_name = "probs" if name == "binary_cross_entropy" else "logits"
    arguments = {"first": np.full(2, 0.5), "targets": np.ones(2), "weight": np.ones(2)}
    arguments[argument] = np.array([0.5 + 1j, 0.5])
    expected = first_name if argument == "first" else argument
    for function in LOSSES[name]:
        with pytest.raises(TypeError, match=rf"{expected} must be an array of real numbers"):
            function(arguments["first"], arguments["targets"], weight=arguments["weight"])


def test_validate_false_skips_the_range_checks_only():
    # Out-of-range values go through unchecked (the formula gives what it gives)...
    q = np.array([1.5])
    assert np.isnan(binary_cross_entropy(q, np.array([1.0]), validate=False))
    # At x = 0 both softplus terms are log 2: t log 2 + (1 - t) log 2 = log 2 for any t.
    loss = sigmoid_binary_cross_entropy(np.array([0.0]), np.array([2.0]), validate=False)
    assert loss == pytest.approx(math.log(2.0), rel=2 * EPS64)
    assert binary_cross_entropy(np.array([0.5]), np.array([0.5]), weight=-1.0, validate=False) < 0
    # ...but shapes and types are still checked.
    with pytest.raises(ValueError, match="targets must have the shape"):
        binary_cross_entropy(np.full(2, 0.5), np.ones(3), validate=False)
    with pytest.raises(ValueError, match="reduction must be one of"):
        sigmoid_binary_cross_entropy(np.zeros(2), np.ones(2), reduction="avg", validate=False)


def test_the_docstring_examples_run():
    module = importlib.import_module("crossent.binary")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 10 and result.failed == 0


def test_public_names():
    assert sorted(binary.__all__) == sorted(
        name for functions in LOSSES.values() for name in (f.__name__ for f in functions)
    )
