"""Unit and property tests of crossent.categorical.

Values worked out by hand, the identities every correct implementation satisfies
(one-hot = integer labels, shift invariance, axis moves, reductions), gradients against
finite differences, the conventions (dtypes, read-only inputs, NaN, masks, ignored
examples) and every error message. Accuracy against mpmath lives in
test_categorical_accuracy.py, agreement with PyTorch in test_pytorch_reference.py.
"""

from __future__ import annotations

import math

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from crossent import _paths, categorical
from crossent.activations import log_softmax, softmax
from crossent.categorical import (
    cross_entropy,
    cross_entropy_grad,
    cross_entropy_value_and_grad,
    softmax_cross_entropy,
    softmax_cross_entropy_grad,
    softmax_cross_entropy_value_and_grad,
    softmax_cross_entropy_with_integer_labels,
    softmax_cross_entropy_with_integer_labels_grad,
    softmax_cross_entropy_with_integer_labels_value_and_grad,
)
from crossent.gradcheck import check_gradient

REDUCTIONS = ["mean", "sum", "none"]

INTEGER_TRIO = (
    softmax_cross_entropy_with_integer_labels,
    softmax_cross_entropy_with_integer_labels_grad,
    softmax_cross_entropy_with_integer_labels_value_and_grad,
)
SOFT_TRIO = (
    softmax_cross_entropy,
    softmax_cross_entropy_grad,
    softmax_cross_entropy_value_and_grad,
)
PROBABILITY_TRIO = (cross_entropy, cross_entropy_grad, cross_entropy_value_and_grad)
ALL_FUNCTIONS = INTEGER_TRIO + SOFT_TRIO + PROBABILITY_TRIO


def onehot(labels: np.ndarray, num_classes: int, axis: int = -1) -> np.ndarray:
    return np.moveaxis(np.eye(num_classes)[labels], -1, axis)


# ---------------------------------------------------------------------------------------
# Strategies
# ---------------------------------------------------------------------------------------


@st.composite
def labelled_batches(draw, dtypes=(np.float64,), max_classes=6, elements=None):
    """Logits of 1 to 3 dimensions, a class axis, and valid integer labels."""
    ndim = draw(st.integers(1, 3))
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=ndim, max_size=ndim)))
    axis = draw(st.integers(-ndim, ndim - 1))
    num_classes = draw(st.integers(1, max_classes))
    shape = list(shape)
    shape[axis] = num_classes
    shape = tuple(shape)
    dtype = draw(st.sampled_from(dtypes))
    if elements is None:
        elements = st.floats(-20, 20, width=32)
    logits = draw(hnp.arrays(dtype, shape, elements=elements))
    label_shape = shape[: axis % ndim] + shape[axis % ndim + 1 :]
    labels = draw(hnp.arrays(np.int64, label_shape, elements=st.integers(0, num_classes - 1)))
    return logits, labels, axis


def class_weights(num_classes: int):
    return hnp.arrays(np.float64, num_classes, elements=st.floats(0.25, 4.0))


# ---------------------------------------------------------------------------------------
# Values worked out by hand
# ---------------------------------------------------------------------------------------

CAT_DOG_BIRD = np.array([1.0, 2.0, 0.5])
DOG = 1


def _cat_dog_bird_by_hand():
    # softmax: exp(x_i) / sum_j exp(x_j); the loss is -log of the dog's probability and
    # the gradient with respect to the logits is softmax - onehot.
    exps = [math.exp(v) for v in CAT_DOG_BIRD]
    total = sum(exps)
    probs = [e / total for e in exps]
    loss = -math.log(probs[DOG])
    grad = [p - (1.0 if i == DOG else 0.0) for i, p in enumerate(probs)]
    return probs, loss, grad


def test_cat_dog_bird_by_hand():
    probs, loss, grad = _cat_dog_bird_by_hand()
    assert probs[DOG] == pytest.approx(0.63, abs=0.005)  # the article's 0.63
    assert loss == pytest.approx(0.464, abs=0.0005)

    value, gradient = softmax_cross_entropy_with_integer_labels_value_and_grad(
        CAT_DOG_BIRD, np.array(DOG)
    )
    np.testing.assert_allclose(value, loss, rtol=1e-15)
    np.testing.assert_allclose(gradient, grad, rtol=1e-15, atol=1e-16)
    # As a batch of one, with a one-hot target, and from the probabilities.
    batch = CAT_DOG_BIRD[np.newaxis]
    np.testing.assert_allclose(
        softmax_cross_entropy_with_integer_labels(batch, np.array([DOG])), loss, rtol=1e-15
    )
    target = np.array([0.0, 1.0, 0.0])
    np.testing.assert_allclose(softmax_cross_entropy(CAT_DOG_BIRD, target), loss, rtol=1e-15)
    np.testing.assert_allclose(
        softmax_cross_entropy_grad(CAT_DOG_BIRD, target), grad, rtol=1e-15, atol=1e-16
    )
    np.testing.assert_allclose(cross_entropy(np.array(probs), target), loss, rtol=1e-15)
    # With respect to the probabilities the gradient is -t/p: -1/p_dog at the dog.
    np.testing.assert_allclose(
        cross_entropy_grad(np.array(probs), target), [0.0, -1.0 / probs[DOG], 0.0], rtol=1e-15
    )


def test_weighted_smoothed_ignored_mean_by_hand():
    # Two examples of three classes, weights (1, 2, 3), smoothing 0.3, one ignored.
    x = np.array([[0.0, 1.0, 2.0], [5.0, 5.0, 5.0], [1.0, 0.0, 0.0]])
    labels = np.array([2, -1, 0])
    weight = np.array([1.0, 2.0, 3.0])
    eps = 0.3
    expected_sum = 0.0
    for row, label in ((x[0], 2), (x[2], 0)):
        log_p = [v - math.log(sum(math.exp(u) for u in row)) for v in row]
        expected_sum += (1 - eps) * weight[label] * -log_p[label]
        expected_sum += eps / 3 * sum(-w * lp for w, lp in zip(weight, log_p, strict=True))
    denominator = weight[2] + weight[0]  # the ignored example leaves the denominator
    loss = softmax_cross_entropy_with_integer_labels(
        x, labels, weight=weight, ignore_index=-1, label_smoothing=eps
    )
    np.testing.assert_allclose(loss, expected_sum / denominator, rtol=1e-14)


def test_cross_entropy_by_hand():
    p = np.array([[0.5, 0.25, 0.25], [0.1, 0.0, 0.9]])
    t = np.array([[0.0, 0.5, 0.5], [0.0, 0.0, 1.0]])
    expected = np.array([math.log(4.0), -math.log(0.9)])
    np.testing.assert_allclose(cross_entropy(p, t, reduction="none"), expected, rtol=1e-15)
    np.testing.assert_allclose(cross_entropy(p, t), expected.mean(), rtol=1e-15)
    # 0 log 0 = 0, also where p = 0; the gradient there is 0, elsewhere -t/p / N.
    grad = cross_entropy_grad(p, t)
    np.testing.assert_allclose(grad, [[0.0, -1.0, -1.0], [0.0, 0.0, -1.0 / 0.9 / 2]], rtol=1e-15)


def test_cross_entropy_takes_probs_then_targets_by_keyword():
    # 0.2.0 renamed the arguments (q, p) to (probs, targets); the order is unchanged.
    p = np.array([[0.5, 0.25, 0.25], [0.1, 0.0, 0.9]])
    t = np.array([[0.0, 0.5, 0.5], [0.0, 0.0, 1.0]])
    for function in PROBABILITY_TRIO:
        by_position = function(p, t, reduction="sum")
        by_keyword = function(targets=t, probs=p, reduction="sum")
        if not isinstance(by_position, tuple):  # the value_and_grad partner returns two
            by_position, by_keyword = (by_position,), (by_keyword,)
        for got, expected in zip(by_keyword, by_position, strict=True):
            np.testing.assert_array_equal(got, expected)
        with pytest.raises(TypeError, match="unexpected keyword argument 'q'"):
            function(q=p, p=t)


# ---------------------------------------------------------------------------------------
# Identities
# ---------------------------------------------------------------------------------------


@settings(deadline=None, max_examples=60)
@given(labelled_batches(dtypes=(np.float32, np.float64)), st.sampled_from(REDUCTIONS))
def test_onehot_targets_equal_integer_labels(batch, reduction):
    logits, labels, axis = batch
    num_classes = logits.shape[axis]
    targets = onehot(labels, num_classes, axis).astype(logits.dtype)
    loss_i, grad_i = softmax_cross_entropy_with_integer_labels_value_and_grad(
        logits, labels, axis=axis, reduction=reduction
    )
    loss_s, grad_s = softmax_cross_entropy_value_and_grad(
        logits, targets, axis=axis, reduction=reduction
    )
    rtol = 4 * np.finfo(logits.dtype).eps
    np.testing.assert_allclose(loss_s, loss_i, rtol=rtol, atol=rtol)
    np.testing.assert_allclose(grad_s, grad_i, rtol=rtol, atol=rtol * np.max(np.abs(grad_i)))


@settings(deadline=None, max_examples=40)
@given(labelled_batches(), st.data())
def test_onehot_equals_integer_labels_with_weight_and_smoothing(batch, data):
    # Smoothing a one-hot target, (1 - eps) onehot + eps / C, is the index formula; the
    # means differ in their denominators (sum of w_y vs N), so compare sums and rows.
    logits, labels, axis = batch
    num_classes = logits.shape[axis]
    weight = data.draw(class_weights(num_classes))
    eps = data.draw(st.sampled_from([0.0, 0.1, 0.5, 1.0]))
    targets = onehot(labels, num_classes, axis)
    for reduction in ("sum", "none"):
        kwargs = {"axis": axis, "weight": weight, "label_smoothing": eps, "reduction": reduction}
        loss_i, grad_i = softmax_cross_entropy_with_integer_labels_value_and_grad(
            logits, labels, **kwargs
        )
        loss_s, grad_s = softmax_cross_entropy_value_and_grad(logits, targets, **kwargs)
        np.testing.assert_allclose(loss_s, loss_i, rtol=1e-13, atol=1e-13)
        np.testing.assert_allclose(grad_s, grad_i, rtol=1e-12, atol=1e-14)


@settings(deadline=None, max_examples=50)
@given(labelled_batches(), st.sampled_from([-1e3, -7.5, 0.25, 64.0, 1e3]))
def test_adding_a_constant_to_a_row_changes_nothing(batch, shift):
    logits, labels, axis = batch
    loss, grad = softmax_cross_entropy_with_integer_labels_value_and_grad(
        logits, labels, axis=axis, reduction="none"
    )
    shifted_loss, shifted_grad = softmax_cross_entropy_with_integer_labels_value_and_grad(
        logits + shift, labels, axis=axis, reduction="none"
    )
    # x + c rounds each logit by up to half an ulp of |x + c|; that much moves the result.
    tolerance = 8 * np.finfo(np.float64).eps * (np.max(np.abs(logits)) + abs(shift))
    np.testing.assert_allclose(shifted_loss, loss, rtol=0, atol=tolerance)
    np.testing.assert_allclose(shifted_grad, grad, rtol=0, atol=tolerance)


@settings(deadline=None, max_examples=40)
@given(labelled_batches(), st.sampled_from(REDUCTIONS))
def test_zero_label_smoothing_is_the_plain_loss(batch, reduction):
    logits, labels, axis = batch
    plain = softmax_cross_entropy_with_integer_labels_value_and_grad(
        logits, labels, axis=axis, reduction=reduction
    )
    zero = softmax_cross_entropy_with_integer_labels_value_and_grad(
        logits, labels, axis=axis, reduction=reduction, label_smoothing=0.0
    )
    np.testing.assert_array_equal(zero[0], plain[0])
    np.testing.assert_array_equal(zero[1], plain[1])
    targets = onehot(labels, logits.shape[axis], axis)
    np.testing.assert_array_equal(
        softmax_cross_entropy(logits, targets, axis=axis, reduction=reduction),
        softmax_cross_entropy(logits, targets, axis=axis, reduction=reduction, label_smoothing=0),
    )


def test_label_smoothing_changes_the_loss():
    x = np.array([[3.0, 0.0, -1.0]])
    plain = softmax_cross_entropy_with_integer_labels(x, np.array([0]))
    smoothed = softmax_cross_entropy_with_integer_labels(x, np.array([0]), label_smoothing=0.2)
    assert smoothed > plain
    # With smoothing 1 the target is uniform: the loss is -mean(log softmax(x)).
    uniform = softmax_cross_entropy_with_integer_labels(x, np.array([0]), label_smoothing=1.0)
    np.testing.assert_allclose(uniform, -np.mean(log_softmax(x)), rtol=1e-15)


@settings(deadline=None, max_examples=40)
@given(labelled_batches(), st.data())
def test_ignored_examples_get_zero_loss_and_gradient(batch, data):
    logits, labels, axis = batch
    ignored = data.draw(hnp.arrays(np.bool_, labels.shape))
    assume(not ignored.all())
    marked = np.where(ignored, -100, labels)
    loss, grad = softmax_cross_entropy_with_integer_labels_value_and_grad(
        logits, marked, axis=axis, ignore_index=-100, reduction="none"
    )
    assert np.all(np.asarray(loss)[ignored] == 0)
    grad_rows = np.moveaxis(grad, axis, -1)
    assert np.all(grad_rows[ignored] == 0)
    # The others are untouched, and the mean is over them only.
    full_loss, full_grad = softmax_cross_entropy_with_integer_labels_value_and_grad(
        logits, labels, axis=axis, reduction="none"
    )
    np.testing.assert_array_equal(np.asarray(loss)[~ignored], np.asarray(full_loss)[~ignored])
    np.testing.assert_array_equal(grad_rows[~ignored], np.moveaxis(full_grad, axis, -1)[~ignored])
    mean = softmax_cross_entropy_with_integer_labels(logits, marked, axis=axis, ignore_index=-100)
    np.testing.assert_allclose(mean, np.mean(np.asarray(full_loss)[~ignored]), rtol=1e-14)


def test_an_ignored_row_is_ignored_whatever_its_logits():
    x = np.array([[np.nan, 0.0, 1.0], [-np.inf, -np.inf, -np.inf], [0.0, 1.0, 2.0]])
    labels = np.array([7, 7, 2])
    loss, grad = softmax_cross_entropy_with_integer_labels_value_and_grad(x, labels, ignore_index=7)
    expected = softmax_cross_entropy_with_integer_labels_value_and_grad(x[2:], labels[2:])
    np.testing.assert_array_equal(loss, expected[0])
    np.testing.assert_array_equal(grad[:2], 0.0)
    np.testing.assert_array_equal(grad[2:], expected[1])


@settings(deadline=None, max_examples=30)
@given(labelled_batches(dtypes=(np.float32, np.float64)), st.data())
def test_value_and_grad_is_value_and_grad(batch, data):
    logits, labels, axis = batch
    num_classes = logits.shape[axis]
    kwargs = {
        "axis": axis,
        "reduction": data.draw(st.sampled_from(REDUCTIONS)),
        "weight": data.draw(st.none() | class_weights(num_classes)),
        "label_smoothing": data.draw(st.sampled_from([0.0, 0.2])),
    }
    targets = softmax(data.draw(hnp.arrays(np.float64, logits.shape, elements=st.floats(-3, 3))))
    for function, target in ((INTEGER_TRIO, labels), (SOFT_TRIO, targets)):
        loss, grad = function[2](logits, target, **kwargs)
        np.testing.assert_array_equal(loss, function[0](logits, target, **kwargs))
        np.testing.assert_array_equal(grad, function[1](logits, target, **kwargs))
    p = softmax(logits.astype(np.float64), axis=axis)
    loss, grad = cross_entropy_value_and_grad(p, targets, axis=axis, reduction=kwargs["reduction"])
    np.testing.assert_array_equal(
        loss, cross_entropy(p, targets, axis=axis, reduction=kwargs["reduction"])
    )
    np.testing.assert_array_equal(
        grad, cross_entropy_grad(p, targets, axis=axis, reduction=kwargs["reduction"])
    )


@settings(deadline=None, max_examples=40)
@given(labelled_batches(), st.sampled_from(REDUCTIONS), st.data())
def test_moving_the_class_axis_is_moveaxis(batch, reduction, data):
    logits, labels, axis = batch
    last = np.moveaxis(logits, axis, -1)
    targets = softmax(data.draw(hnp.arrays(np.float64, last.shape, elements=st.floats(-3, 3))))
    loss, grad = softmax_cross_entropy_with_integer_labels_value_and_grad(
        logits, labels, axis=axis, reduction=reduction
    )
    loss_last, grad_last = softmax_cross_entropy_with_integer_labels_value_and_grad(
        last, labels, reduction=reduction
    )
    np.testing.assert_array_equal(loss, loss_last)
    np.testing.assert_array_equal(grad, np.moveaxis(grad_last, -1, axis))
    loss, grad = softmax_cross_entropy_value_and_grad(
        logits, np.moveaxis(targets, -1, axis), axis=axis, reduction=reduction
    )
    loss_last, grad_last = softmax_cross_entropy_value_and_grad(last, targets, reduction=reduction)
    np.testing.assert_array_equal(loss, loss_last)
    np.testing.assert_array_equal(grad, np.moveaxis(grad_last, -1, axis))


@settings(deadline=None, max_examples=40)
@given(labelled_batches(), st.data())
def test_reductions_are_related(batch, data):
    logits, labels, axis = batch
    num_classes = logits.shape[axis]
    weight = data.draw(st.none() | class_weights(num_classes))
    ignored = data.draw(hnp.arrays(np.bool_, labels.shape))
    labels = np.where(ignored, -1, labels)
    kwargs = {"axis": axis, "weight": weight, "ignore_index": -1, "label_smoothing": 0.1}
    none, grad_none = softmax_cross_entropy_with_integer_labels_value_and_grad(
        logits, labels, reduction="none", **kwargs
    )
    total, grad_sum = softmax_cross_entropy_with_integer_labels_value_and_grad(
        logits, labels, reduction="sum", **kwargs
    )
    mean, grad_mean = softmax_cross_entropy_with_integer_labels_value_and_grad(
        logits, labels, reduction="mean", **kwargs
    )
    label_weight = np.ones(labels.shape) if weight is None else weight[np.maximum(labels, 0)]
    denominator = np.sum(np.where(ignored, 0.0, label_weight))
    np.testing.assert_allclose(np.sum(none), total, rtol=1e-13)
    np.testing.assert_array_equal(grad_none, grad_sum)
    if denominator == 0:
        assert np.isnan(mean)
    else:
        np.testing.assert_allclose(mean * denominator, total, rtol=1e-13)
        np.testing.assert_allclose(grad_mean * denominator, grad_sum, rtol=1e-12, atol=1e-15)


@settings(deadline=None, max_examples=40)
@given(labelled_batches(elements=st.floats(-30, 30)), st.sampled_from(REDUCTIONS))
def test_cross_entropy_of_the_softmax_is_the_integer_label_loss(batch, reduction):
    logits, labels, axis = batch
    targets = onehot(labels, logits.shape[axis], axis)
    expected = softmax_cross_entropy_with_integer_labels(
        logits, labels, axis=axis, reduction=reduction
    )
    from_probs = cross_entropy(softmax(logits, axis=axis), targets, axis=axis, reduction=reduction)
    finite = np.isfinite(from_probs)
    # softmax rounds each probability once; -log q_y has then an absolute error about eps.
    np.testing.assert_allclose(
        np.asarray(from_probs)[finite], np.asarray(expected)[finite], rtol=1e-13, atol=1e-14
    )


# ---------------------------------------------------------------------------------------
# Gradients against finite differences
# ---------------------------------------------------------------------------------------


def _summed(function, reduction, *args, **kwargs):
    """The function of the first argument whose gradient L_grad returns."""

    def f(x):
        return np.sum(function(x, *args, reduction=reduction, **kwargs))

    return f


OPTION_SETS = [
    {},
    {"weight": np.array([0.5, 2.0, 1.0, 3.0])},
    {"label_smoothing": 0.15},
    {"weight": np.array([0.5, 2.0, 1.0, 3.0]), "label_smoothing": 0.3},
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", OPTION_SETS, ids=["plain", "weight", "smoothing", "both"])
@pytest.mark.parametrize("axis", [-1, 1])
def test_integer_label_gradient_matches_finite_differences(reduction, options, axis):
    rng = np.random.default_rng(1)
    logits = rng.normal(0, 2, size=(3, 4, 2))
    logits = np.moveaxis(logits, 1, axis)
    label_shape = logits.shape[: axis % 3] + logits.shape[axis % 3 + 1 :]
    labels = rng.integers(0, 4, size=label_shape)
    labels.reshape(-1)[::3] = -5  # some examples ignored
    kwargs = {"axis": axis, "ignore_index": -5, **options}
    f = _summed(softmax_cross_entropy_with_integer_labels, reduction, labels, **kwargs)
    grad = softmax_cross_entropy_with_integer_labels_grad(
        logits, labels, reduction=reduction, **kwargs
    )
    check_gradient(f, grad, logits).raise_if_failed()


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", OPTION_SETS, ids=["plain", "weight", "smoothing", "both"])
@pytest.mark.parametrize("axis", [-1, 0])
def test_soft_target_gradient_matches_finite_differences(reduction, options, axis):
    rng = np.random.default_rng(2)
    logits = np.moveaxis(rng.normal(0, 2, size=(5, 4)), 1, axis)
    targets = rng.random(logits.shape)  # rows need not sum to 1
    kwargs = {"axis": axis, **options}
    f = _summed(softmax_cross_entropy, reduction, targets, **kwargs)
    grad = softmax_cross_entropy_grad(logits, targets, reduction=reduction, **kwargs)
    check_gradient(f, grad, logits).raise_if_failed()


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("axis", [-1, 0])
def test_cross_entropy_gradient_matches_finite_differences(reduction, axis):
    rng = np.random.default_rng(3)
    p = rng.uniform(0.05, 0.9, size=(4, 3))
    t = rng.random((4, 3))
    t[0, 1] = 0.0  # a class with no target mass
    p, t = np.moveaxis(p, 1, axis), np.moveaxis(t, 1, axis)
    f = _summed(cross_entropy, reduction, t, axis=axis)
    grad = cross_entropy_grad(p, t, axis=axis, reduction=reduction)
    check_gradient(f, grad, p).raise_if_failed()


def test_confident_gradient_matches_finite_differences():
    # The leading class's entry -S/(1 + S) of a confident row, and a masked class.
    x = np.array([[6.0, -3.0, -np.inf, -4.0], [0.0, 1.0, -2.0, 0.5]])
    labels = np.array([0, 3])
    finite = np.isfinite(x)

    def f(values):
        full = x.copy()
        full[finite] = values
        return softmax_cross_entropy_with_integer_labels(full, labels, reduction="sum")

    grad = softmax_cross_entropy_with_integer_labels_grad(x, labels, reduction="sum")
    assert grad[0, 2] == 0.0
    check_gradient(f, grad[finite], x[finite]).raise_if_failed()


# ---------------------------------------------------------------------------------------
# Conventions
# ---------------------------------------------------------------------------------------


def _call_all(dtype):
    """Every function on small valid input of ``dtype``; yields (name, result)."""
    logits = np.array([[0.5, -1.0, 2.0], [0.0, 0.0, 1.0]], dtype=dtype)
    labels = np.array([2, 0])
    targets = np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]], dtype=dtype)
    probs = np.array([[0.2, 0.3, 0.5], [0.5, 0.25, 0.25]], dtype=dtype)
    for function in INTEGER_TRIO:
        yield function.__name__, function(logits, labels)
    for function in SOFT_TRIO:
        yield function.__name__, function(logits, targets)
    for function in PROBABILITY_TRIO:
        yield function.__name__, function(probs, targets)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_dtype_is_kept(dtype):
    for name, result in _call_all(dtype):
        for part in result if isinstance(result, tuple) else (result,):
            assert part.dtype == dtype, name


def test_integer_logits_become_float64():
    result = softmax_cross_entropy_with_integer_labels_value_and_grad(
        np.array([[1, 2, 3]]), np.array([0])
    )
    assert result[0].dtype == result[1].dtype == np.float64
    assert softmax_cross_entropy(np.array([[1, 2]]), np.array([[1, 0]])).dtype == np.float64


def test_float32_results_are_float64_results_rounded():
    rng = np.random.default_rng(4)
    x = rng.normal(0, 3, size=(20, 7)).astype(np.float32)
    labels = rng.integers(0, 7, size=20)
    loss32, grad32 = softmax_cross_entropy_with_integer_labels_value_and_grad(
        x, labels, reduction="none"
    )
    loss64, grad64 = softmax_cross_entropy_with_integer_labels_value_and_grad(
        x.astype(np.float64), labels, reduction="none"
    )
    np.testing.assert_allclose(loss32, loss64, rtol=2 * np.finfo(np.float32).eps)
    np.testing.assert_allclose(grad32, grad64, rtol=0, atol=np.finfo(np.float32).eps)


@pytest.mark.parametrize(
    "shape",
    [(6, 300), (5, 4), (1, 4), (4,)],
    ids=["wide-float32-path", "short-rows", "one-row", "one-example"],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_inputs_are_never_modified(shape, dtype):
    # Each pass has its own layout of temporaries (float32 in the gradient's memory,
    # float64 blocks, class-major copies of short rows); none may write to its input.
    rng = np.random.default_rng(5)
    num_classes = shape[-1]
    logits = rng.normal(size=shape).astype(dtype)
    labels = rng.integers(0, num_classes, size=shape[:-1])
    targets = softmax(rng.normal(size=shape))
    weight = rng.uniform(0.5, 2, size=num_classes)
    q = softmax(logits.astype(np.float64))
    arrays = [logits, labels, targets, weight, q]
    copies = [a.copy() for a in arrays]
    for a in arrays:
        a.flags.writeable = False  # writing to a read-only array raises
    for function in INTEGER_TRIO:
        function(logits, labels)
        function(logits, labels, weight=weight)
        function(logits, labels, label_smoothing=0.1, ignore_index=0)
    for function in SOFT_TRIO:
        function(logits, targets, weight=weight, label_smoothing=0.1)
    for function in PROBABILITY_TRIO:
        function(q, targets)
    for a, copy in zip(arrays, copies, strict=True):
        np.testing.assert_array_equal(a, copy)
    # Writable inputs are left alone too (a read-only array could only hide a view).
    writable = rng.normal(size=shape).astype(dtype)
    before = writable.copy()
    for function in INTEGER_TRIO:
        function(writable, labels)
    np.testing.assert_array_equal(writable, before)


def test_nan_propagates_to_its_row_only():
    x = np.array([[0.0, np.nan, 1.0], [0.0, 1.0, 2.0]])
    loss, grad = softmax_cross_entropy_with_integer_labels_value_and_grad(
        x, np.array([0, 1]), reduction="none"
    )
    assert np.isnan(loss[0]) and np.isfinite(loss[1])
    assert np.all(np.isnan(grad[0])) and np.all(np.isfinite(grad[1]))
    loss, grad = softmax_cross_entropy_value_and_grad(x, np.eye(3)[[0, 1]], reduction="none")
    assert np.isnan(loss[0]) and np.isfinite(loss[1])
    assert np.all(np.isnan(grad[0])) and np.all(np.isfinite(grad[1]))


def test_mean_over_nothing_is_nan_with_zero_gradient():
    # PyTorch's behaviour: every label ignored gives a NaN mean, a zero gradient.
    x = np.array([[1.0, 2.0], [0.0, 3.0]])
    labels = np.array([-100, -100])
    loss, grad = softmax_cross_entropy_with_integer_labels_value_and_grad(
        x, labels, ignore_index=-100
    )
    assert np.isnan(loss)
    np.testing.assert_array_equal(grad, 0.0)
    loss, grad = softmax_cross_entropy_with_integer_labels_value_and_grad(
        x, labels, ignore_index=-100, reduction="sum"
    )
    assert loss == 0.0
    np.testing.assert_array_equal(grad, 0.0)
    # Weight 0 on every label kept: NaN loss and NaN gradient in the kept rows (PyTorch).
    loss, grad = softmax_cross_entropy_with_integer_labels_value_and_grad(
        x, np.array([0, -100]), weight=np.array([0.0, 1.0]), ignore_index=-100
    )
    assert np.isnan(loss) and np.all(np.isnan(grad[0])) and np.all(grad[1] == 0)


def test_empty_batch():
    x = np.zeros((0, 3))
    labels = np.zeros(0, dtype=int)
    assert np.isnan(softmax_cross_entropy_with_integer_labels(x, labels))
    assert softmax_cross_entropy_with_integer_labels(x, labels, reduction="sum") == 0.0
    assert softmax_cross_entropy_with_integer_labels(x, labels, reduction="none").shape == (0,)
    assert softmax_cross_entropy_with_integer_labels_grad(x, labels).shape == (0, 3)
    assert np.isnan(softmax_cross_entropy(x, np.zeros((0, 3))))
    assert np.isnan(cross_entropy(x, x))


def test_single_class_costs_nothing():
    x = np.array([[3.0], [-2.0]])
    for function, target in ((INTEGER_TRIO, np.array([0, 0])), (SOFT_TRIO, np.ones((2, 1)))):
        loss, grad = function[2](x, target, label_smoothing=0.2)
        assert loss == 0.0
        np.testing.assert_array_equal(grad, 0.0)


def test_masked_classes():
    x = np.array([[0.0, -np.inf, 1.0]])
    # A masked class with target 0 (or weight 0) contributes nothing; PyTorch says NaN.
    assert np.isfinite(softmax_cross_entropy(x, np.array([[0.5, 0.0, 0.5]])))
    assert np.isfinite(
        softmax_cross_entropy_with_integer_labels(
            x, np.array([0]), weight=np.array([1.0, 0.0, 1.0]), label_smoothing=0.1
        )
    )
    # Target mass on a masked class costs inf, with a finite gradient.
    loss, grad = softmax_cross_entropy_with_integer_labels_value_and_grad(
        x, np.array([0]), label_smoothing=0.1
    )
    assert loss == np.inf and np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad[0, 1], -0.1 / 3)


def test_cross_entropy_conventions():
    # p = 0 where t > 0 is an infinite loss (no epsilon) with an infinite gradient entry.
    p = np.array([[0.0, 1.0]])
    t = np.array([[0.5, 0.5]])
    loss, grad = cross_entropy_value_and_grad(p, t)
    assert loss == np.inf
    assert grad[0, 0] == -np.inf and grad[0, 1] == -0.5
    # A perfect prediction costs +0.0, and rows need not sum to 1.
    assert str(cross_entropy(np.array([1.0, 0.0]), np.array([1.0, 0.0]))) == "0.0"
    np.testing.assert_allclose(
        cross_entropy(np.array([0.5, 0.5]), np.array([1.0, 1.0])), 2 * math.log(2), rtol=1e-15
    )


@pytest.mark.parametrize("shape", [(300, 1000), (1000, 300)])
def test_many_blocks_and_both_float32_paths(shape):
    # More rows than one block holds, with runs of confident rows (float64 path) between
    # ordinary ones (float32 path), against log_softmax computed independently.
    rng = np.random.default_rng(6)
    num_classes = shape[1]
    x = rng.normal(0, 2, size=shape).astype(np.float32)
    labels = rng.integers(0, num_classes, size=shape[0])
    confident = (np.arange(shape[0]) // 50) % 2 == 1
    x[confident, labels[confident]] += 40
    loss, grad = softmax_cross_entropy_with_integer_labels_value_and_grad(
        x, labels, reduction="none"
    )
    expected_loss = -np.take_along_axis(
        log_softmax(x.astype(np.float64)), labels[:, np.newaxis], axis=1
    )[:, 0]
    np.testing.assert_allclose(loss, expected_loss, rtol=2 * np.finfo(np.float32).eps)
    expected_grad = softmax(x.astype(np.float64))
    expected_grad[np.arange(shape[0]), labels] -= 1.0
    np.testing.assert_allclose(grad, expected_grad, rtol=0, atol=np.finfo(np.float32).eps)
    # The class axis first: blocks are then columns.
    loss_t = softmax_cross_entropy_with_integer_labels(x.T, labels, axis=0, reduction="none")
    np.testing.assert_array_equal(loss_t, loss)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "options",
    [{}, {"weight": True}, {"ignore": True}, {"weight": True, "ignore": True}],
    ids=["plain", "weight", "ignore", "both"],
)
def test_float32_fast_path_with_options(reduction, options):
    # Wide float32 rows take the float32 pass; its results must be the float64 pass's,
    # rounded, with weights and ignored labels too.
    rng = np.random.default_rng(7)
    x = rng.normal(0, 1, size=(40, 256)).astype(np.float32)
    labels = rng.integers(0, 256, size=40)
    kwargs = {"reduction": reduction}
    if options.get("weight"):
        kwargs["weight"] = rng.uniform(0.5, 2.0, size=256)
    if options.get("ignore"):
        labels[::4] = -1
        kwargs["ignore_index"] = -1
    with _paths.only("float32") as ran:
        loss32, grad32 = softmax_cross_entropy_with_integer_labels_value_and_grad(
            x, labels, **kwargs
        )
    assert ran["float32"] and not ran["reference"]
    loss64, grad64 = softmax_cross_entropy_with_integer_labels_value_and_grad(
        x.astype(np.float64), labels, **kwargs
    )
    eps32 = np.finfo(np.float32).eps
    np.testing.assert_allclose(loss32, loss64, rtol=2 * eps32)
    np.testing.assert_allclose(grad32, grad64, rtol=0, atol=eps32 * np.max(np.abs(grad64)))
    if options.get("ignore"):
        assert np.all(grad32[::4] == 0)


def test_validate_false_skips_the_range_checks():
    x = np.array([[0.0, 1.0]])
    with pytest.raises(ValueError, match="targets"):
        softmax_cross_entropy(x, np.array([[1.5, 0.0]]))
    assert np.isfinite(softmax_cross_entropy(x, np.array([[1.5, 0.0]]), validate=False))
    with pytest.raises(ValueError, match="probs must lie in"):
        cross_entropy(np.array([2.0, 0.5]), np.array([1.0, 0.0]))
    assert np.isfinite(cross_entropy(np.array([2.0, 0.5]), np.array([1.0, 0.0]), validate=False))


# ---------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------

X = np.array([[0.0, 1.0, 2.0], [1.0, 0.0, -1.0]])
Y = np.array([2, 0])
T = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])


@pytest.mark.parametrize(
    ("call", "error", "pattern"),
    [
        # labels
        (lambda f: f(X, np.array([2, 3])), ValueError, r"in \[0, 3\); got labels\[1\] = 3"),
        (lambda f: f(X, np.array([-1, 0])), ValueError, r"got labels\[0\] = -1"),
        (
            lambda f: f(X, np.array([-100, 5]), ignore_index=-100),
            ValueError,
            r"or ignore_index=-100; got labels\[1\] = 5",
        ),
        (lambda f: f(X, np.array([2.0, 0.0])), TypeError, "integers.*got dtype float64"),
        (lambda f: f(X, np.array([True, False])), TypeError, "integers, got dtype bool"),
        (lambda f: f(X, np.array([0, 1, 2])), ValueError, r"shape \(2,\); got shape \(3,\)"),
        (lambda f: f(X, np.array(1)), ValueError, r"logits shape \(2, 3\)"),
        (lambda f: f(X, Y, ignore_index=1.5), TypeError, "ignore_index must be an int"),
        (lambda f: f(X, Y, ignore_index=True), TypeError, "ignore_index must be an int"),
        # weight
        (lambda f: f(X, Y, weight=[1.0, 2.0]), ValueError, r"shape \(3,\); got shape \(2,\)"),
        (lambda f: f(X, Y, weight=np.ones((1, 3))), ValueError, r"got shape \(1, 3\)"),
        (lambda f: f(X, Y, weight=[1.0, -2.0, 1.0]), ValueError, r"weight\[1\] = -2"),
        (lambda f: f(X, Y, weight=[1.0, np.nan, 1.0]), ValueError, r"weight\[1\] = nan"),
        (lambda f: f(X, Y, weight=["a", "b", "c"]), TypeError, "weight must be an array of real"),
        # label_smoothing, reduction, validate, axis
        (lambda f: f(X, Y, label_smoothing=-0.1), ValueError, r"\[0, 1\], got -0.1"),
        (lambda f: f(X, Y, label_smoothing=1.5), ValueError, r"\[0, 1\], got 1.5"),
        (lambda f: f(X, Y, label_smoothing=np.nan), ValueError, r"\[0, 1\], got nan"),
        (lambda f: f(X, Y, label_smoothing="0.1"), TypeError, "label_smoothing must be a real"),
        (lambda f: f(X, Y, label_smoothing=True), TypeError, "label_smoothing must be a real"),
        (lambda f: f(X, Y, reduction="avg"), ValueError, "reduction must be one of"),
        (lambda f: f(X, Y, reduction=None), TypeError, "reduction must be a str"),
        (lambda f: f(X, Y, validate="yes"), TypeError, "validate must be a bool"),
        (lambda f: f(X, Y, axis=2), ValueError, "axis=2 is out of bounds"),
        (lambda f: f(X, Y, axis=1.0), TypeError, "axis must be an int"),
        # logits
        (lambda f: f(X + 0j, Y), TypeError, "logits must be an array of real numbers"),
        (lambda f: f(np.array(1.0), np.array(0)), ValueError, "at least one dimension"),
        (lambda f: f(np.zeros((2, 0)), Y), ValueError, "no classes"),
        (
            lambda f: f(np.array([[0.0, np.inf], [0.0, 1.0]]), Y - Y),
            ValueError,
            r"row logits\[0, :\] has maximum inf",
        ),
        (
            lambda f: f(np.array([[0.0, 1.0], [-np.inf, -np.inf]]), Y - Y),
            ValueError,
            r"row logits\[1, :\] has maximum -inf \(every logit is -inf",
        ),
    ],
)
@pytest.mark.parametrize("function", INTEGER_TRIO, ids=lambda f: f.__name__)
def test_integer_label_errors(function, call, error, pattern):
    with pytest.raises(error, match=pattern):
        call(function)


@pytest.mark.parametrize(
    ("call", "error", "pattern"),
    [
        (lambda f: f(X, T[:, :2]), ValueError, r"targets must have the shape of logits, \(2, 3\)"),
        (
            lambda f: f(X, T + 0.5),
            ValueError,
            r"targets must lie in \[0, 1\]; got targets\[0, 2\] = 1.5",
        ),
        (lambda f: f(X, T - 0.5), ValueError, r"got targets\[0, 0\] = -0.5"),
        (lambda f: f(X, np.where(T == 1, np.nan, T)), ValueError, r"targets\[0, 2\] = nan"),
        (lambda f: f(X, T.astype(complex)), TypeError, "targets must be an array of real"),
        (lambda f: f(X, T, weight=[1.0, 1.0]), ValueError, "weight must be a 1-d array"),
        (lambda f: f(X, T, label_smoothing=2.0), ValueError, "label_smoothing must lie in"),
        (lambda f: f(X, T, reduction="mean "), ValueError, "reduction must be one of"),
        (lambda f: f(X, T, ignore_index=-100), TypeError, "unexpected keyword argument"),
        (
            lambda f: f(np.array([[-np.inf, -np.inf]]), np.array([[0.5, 0.5]])),
            ValueError,
            "maximum -inf",
        ),
    ],
)
@pytest.mark.parametrize("function", SOFT_TRIO, ids=lambda f: f.__name__)
def test_soft_target_errors(function, call, error, pattern):
    with pytest.raises(error, match=pattern):
        call(function)


Q = np.array([[0.2, 0.8], [0.5, 0.5]])


@pytest.mark.parametrize(
    ("call", "error", "pattern"),
    [
        (
            lambda f: f(Q, Q[:1]),
            ValueError,
            r"targets must have the shape of probs, \(2, 2\); got shape",
        ),
        (
            lambda f: f(Q * 2, Q),
            ValueError,
            r"probs must lie in \[0, 1\]; got probs\[0, 1\] = 1.6",
        ),
        (
            lambda f: f(Q, -Q),
            ValueError,
            r"targets must lie in \[0, 1\]; got targets\[0, 0\] = -0.2",
        ),
        (lambda f: f(Q, Q, reduction="batchmean"), ValueError, "reduction must be one of"),
        (lambda f: f(Q, Q, axis=-3), ValueError, "out of bounds"),
        (lambda f: f(Q.astype(object), Q), TypeError, "probs must be an array of real"),
        (lambda f: f(Q, Q.astype(object)), TypeError, "targets must be an array of real"),
        (lambda f: f(Q, Q, validate=1), TypeError, "validate must be a bool"),
    ],
)
@pytest.mark.parametrize("function", PROBABILITY_TRIO, ids=lambda f: f.__name__)
def test_cross_entropy_errors(function, call, error, pattern):
    with pytest.raises(error, match=pattern):
        call(function)


def test_error_names_the_row_in_a_later_block():
    # The row index in the message is the row's index in the logits, not in its block.
    x = np.zeros((10, 4))
    x[7] = -np.inf
    with _paths.only("reference", block_entries=8), pytest.raises(
        ValueError, match=r"row logits\[7, :\]"
    ):
        softmax_cross_entropy_with_integer_labels(x, np.zeros(10, dtype=int))
    x3 = np.zeros((3, 4, 5))
    x3[2, :, 3] = -np.inf
    with _paths.only("reference", block_entries=8), pytest.raises(
        ValueError, match=r"row logits\[2, :, 3\]"
    ):
        softmax_cross_entropy(x3, np.full(x3.shape, 0.25), axis=1)


# The short-row float32 path (2-d, at most 16 classes, no options) is a separate
# implementation, chosen for speed; a weight of ones takes the general path with exactly
# the same semantics, so the two must agree.
@pytest.mark.parametrize("num_classes", [1, 2, 3, 10, 16])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_short_float32_rows_agree_with_the_general_path(num_classes, reduction) -> None:
    rng = np.random.default_rng(num_classes)
    logits = (5.0 * rng.standard_normal((257, num_classes))).astype(np.float32)
    logits[0] = 0.0  # a row of ties
    if num_classes > 1:
        logits[1] = -30.0
        logits[1, 0] = 0.0  # a confident row, label at the maximum below
        logits[2, :] = -1e4
        logits[2, -1] = 1e4  # one class far ahead, labelled below
    labels = rng.integers(0, num_classes, size=257)
    labels[1] = 0
    labels[2] = 0
    with _paths.only("short") as ran:
        short = categorical.softmax_cross_entropy_with_integer_labels_value_and_grad(
            logits, labels, reduction=reduction
        )
    with _paths.only("short") as ran_general:
        general = categorical.softmax_cross_entropy_with_integer_labels_value_and_grad(
            logits, labels, reduction=reduction, weight=np.ones(num_classes, np.float32)
        )
    # the first call took the short path, the second did not
    assert ran == {"short": 1} and "short" not in ran_general
    for ours, reference in zip(short, general, strict=True):
        assert np.asarray(ours).dtype == np.float32
        np.testing.assert_array_max_ulp(np.asarray(ours), np.asarray(reference), maxulp=1)
