"""The binary and multi-label losses are their reference paths, block by block.

:mod:`crossent.binary` and :mod:`crossent.multilabel` have no fast path: their drivers
validate, split the input into blocks, call :mod:`crossent.reference` and reduce. So
every public result must be the reference result on the whole array, rounded once to
the input's dtype, however the blocks fall: these tests compare the two exactly, on
random and extreme inputs, with tiny blocks too.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossent import _paths, reference
from crossent._core import ELEMENT_BLOCK_ENTRIES
from crossent.binary import (
    binary_cross_entropy_value_and_grad,
    sigmoid_binary_cross_entropy_value_and_grad,
)
from crossent.multilabel import multilabel_softmax_cross_entropy_value_and_grad

DTYPES = [np.float16, np.float32, np.float64]
REDUCTIONS = ("mean", "sum", "none")


def rounded(value, dtype):
    """A float64 value or array rounded once to ``dtype``, quietly (overflow is right)."""
    with np.errstate(over="ignore"):
        return np.asarray(value).astype(dtype)


def assert_identical(actual, expected):
    """Same dtype, same values bit for bit (NaN where NaN)."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    np.testing.assert_array_equal(actual, expected)


def reduced(losses: np.ndarray, reduction: str, count: int, dtype):
    """The reduction of float64 losses, as the reduction policy documents it."""
    if reduction == "none":
        return rounded(losses, dtype)
    total = np.sum(losses, dtype=np.float64)
    if reduction == "mean":
        total = total / count if count else np.nan
    return rounded(total, dtype)


# --- multi-label softmax -----------------------------------------------------------------


@st.composite
def multilabel_problems(draw):
    """Logits and targets with confident rows, ties, masked classes and empty rows."""
    rows = draw(st.integers(1, 20))
    classes = draw(st.sampled_from([1, 2, 3, 10, 17, 200]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    spread = draw(st.sampled_from([0.1, 1.0, 10.0, 1e3]))
    x = spread * rng.standard_normal((rows, classes))
    t = (rng.random((rows, classes)) < 0.3) * draw(st.sampled_from([1.0, 0.5, 3.0]))
    t[np.arange(rows), rng.integers(0, classes, rows)] = 1.0  # at least one positive
    if draw(st.booleans()):  # confident rows: a positive far ahead
        x[t > 0] += draw(st.sampled_from([30.0, 1e4]))
    if classes > 1 and draw(st.booleans()):  # ties at the maximum
        x[:, 1] = x[:, 0] = x.max(axis=1)
    if draw(st.booleans()):  # masked classes, never a positive
        masked = (rng.random((rows, classes)) < 0.2) & (t == 0)
        x[masked] = -np.inf
    empty = "raise"
    if draw(st.booleans()):  # rows with no positive, left out of the mean
        t[rng.random(rows) < 0.3] = 0.0
        empty = "ignore"
    dtype = draw(st.sampled_from(DTYPES))
    return x.astype(dtype), t.astype(dtype), empty, draw(st.sampled_from(REDUCTIONS))


@settings(deadline=None, max_examples=100)
@given(multilabel_problems(), st.sampled_from([None, 8, 64]))
def test_multilabel_is_its_reference_path(problem, block_entries):
    x, t, empty, reduction = problem
    with _paths.only("reference", block_entries=block_entries):
        loss, grad = multilabel_softmax_cross_entropy_value_and_grad(
            x, t, empty=empty, reduction=reduction
        )
    count = int(np.count_nonzero(np.sum(t, axis=1, dtype=np.float64)))
    divisor = (count if count else np.nan) if reduction == "mean" else 1.0
    expected_grad = np.empty(x.shape)
    losses, _ = reference.multilabel_softmax_cross_entropy_rows(
        x, t, axis=1, divisor=divisor, grad=expected_grad
    )
    assert_identical(loss, reduced(losses[:, 0], reduction, count, x.dtype))
    assert_identical(grad, rounded(expected_grad, x.dtype))


def test_multilabel_of_one_row_and_of_a_leading_class_axis():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 4))
    t = (rng.random((5, 4)) < 0.5).astype(float)
    t[0] = 1.0
    expected = multilabel_softmax_cross_entropy_value_and_grad(x.T, t.T, axis=0, reduction="none")
    loss, grad = multilabel_softmax_cross_entropy_value_and_grad(x, t, reduction="none")
    assert_identical(expected[0], loss)
    assert_identical(expected[1], grad.T)
    one_loss, one_grad = multilabel_softmax_cross_entropy_value_and_grad(x[0], t[0])
    assert_identical(one_loss, loss[0])
    assert_identical(one_grad, grad[0])


# --- binary --------------------------------------------------------------------------


EXTREME_LOGITS = [0.0, -0.0, 1e-30, 1.0, 30.0, 40.0, 800.0, 1e300, np.inf, np.nan]


@st.composite
def binary_problems(draw, probabilities: bool):
    """Predictions, targets and weights, with extreme values and broadcast weights."""
    shape = draw(st.sampled_from([(), (7,), (5, 3), (2, 3, 4)]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if probabilities:
        extremes = np.array([0.0, 1.0, 1e-300, 1e-8, 0.5, 1.0 - 1e-16])
        prediction = rng.random(shape)
    else:
        extremes = np.array(EXTREME_LOGITS + [-v for v in EXTREME_LOGITS])
        prediction = draw(st.sampled_from([1.0, 30.0])) * rng.standard_normal(shape)
    prediction = np.where(rng.random(shape) < 0.4, rng.choice(extremes, shape), prediction)
    targets = np.where(rng.random(shape) < 0.5, rng.integers(0, 2, shape), rng.random(shape))
    options = {"reduction": draw(st.sampled_from(REDUCTIONS))}
    weights_shape = shape[-1:] if shape else ()
    if draw(st.booleans()):
        options["weight"] = rng.choice([0.0, 0.5, 2.0], weights_shape)
    if not probabilities and draw(st.booleans()):
        options["pos_weight"] = rng.choice([0.0, 1.0, 2.5], weights_shape)
    dtype = draw(st.sampled_from(DTYPES))
    return rounded(prediction, dtype), targets.astype(dtype), options


def check_binary(public, entries, prediction, targets, options, names=("weight",)):
    """Compare a public binary loss with its reference on the whole array.

    ``names`` are the options that ``entries`` takes after the targets, in order.
    """
    options = dict(options)
    reduction = options.pop("reduction")
    loss, grad = public(prediction, targets, reduction=reduction, **options)
    shape, wide = prediction.shape, np.float64
    operands = [
        None if options.get(name) is None else np.broadcast_to(np.asarray(options[name], wide), shape)
        for name in names
    ]
    # The reference takes arrays of at least one dimension, as the driver passes them.
    at_least_1d = [None if a is None else np.reshape(a, (-1,)) for a in operands]
    with np.errstate(all="ignore"):
        losses, gradient = entries(
            prediction.astype(wide).reshape(-1), targets.astype(wide).reshape(-1), *at_least_1d
        )
        losses, gradient = losses.reshape(shape), gradient.reshape(shape)
        if reduction == "mean":
            gradient = gradient / prediction.size
    expected = reduced(losses, reduction, prediction.size, prediction.dtype)
    if reduction != "none" and prediction.size > ELEMENT_BLOCK_ENTRIES:
        # The sum of the block sums rounds in another order than one sum.
        eps = np.finfo(prediction.dtype).eps
        np.testing.assert_allclose(loss, expected, rtol=4 * eps, atol=0)
        assert np.asarray(loss).dtype == expected.dtype
    else:
        assert_identical(loss, expected)
    assert_identical(grad, rounded(gradient, prediction.dtype))


@settings(deadline=None, max_examples=100)
@given(binary_problems(probabilities=False))
def test_sigmoid_binary_cross_entropy_is_its_reference_path(problem):
    check_binary(
        sigmoid_binary_cross_entropy_value_and_grad,
        reference.sigmoid_binary_cross_entropy_entries,
        *problem,
        names=("weight", "pos_weight"),
    )


@settings(deadline=None, max_examples=100)
@given(binary_problems(probabilities=True))
def test_binary_cross_entropy_is_its_reference_path(problem):
    check_binary(
        binary_cross_entropy_value_and_grad, reference.binary_cross_entropy_entries, *problem
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_binary_losses_over_many_blocks(dtype):
    # More entries than one block of an elementwise loss: the blocks must not show.
    rng = np.random.default_rng(5)
    x = (20.0 * rng.standard_normal((300, 301))).astype(dtype)
    t = rng.random(x.shape).astype(dtype)
    for reduction in REDUCTIONS:
        check_binary(
            sigmoid_binary_cross_entropy_value_and_grad,
            reference.sigmoid_binary_cross_entropy_entries,
            x, t, {"reduction": reduction},
        )  # fmt: skip
