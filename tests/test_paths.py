"""Every fast path of the softmax losses agrees with the reference path.

``crossent._paths.only`` runs the reference path alone, or lets the fast paths run
wherever they apply (even on rows too small for them to pay off) and counts which path
computed each block. The fast paths must give the reference path's results within the
documented accuracy: the loss within 2 ulps, each gradient entry within one machine
epsilon of its row's largest entry.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossent import _paths
from crossent.categorical import softmax_cross_entropy_with_integer_labels_value_and_grad

REDUCTIONS = ("mean", "sum", "none")
IGNORED = -100


@st.composite
def label_problems(draw):
    """Logits, labels and options, with confident rows, ties and ignored labels."""
    rows = draw(st.integers(1, 24))
    classes = draw(st.sampled_from([1, 2, 3, 10, 16, 17, 130, 300]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    spread = draw(st.sampled_from([0.1, 1.0, 3.0, 10.0]))
    x = spread * rng.standard_normal((rows, classes)) + draw(st.sampled_from([0.0, -30.0, 50.0]))
    labels = rng.integers(0, classes, size=rows)
    if draw(st.booleans()):  # confident rows: the label far ahead
        confident = rng.random(rows) < 0.5
        x[confident, labels[confident]] += draw(st.sampled_from([20.0, 40.0]))
    if classes > 1 and draw(st.booleans()):  # ties at the maximum
        tied = rng.random(rows) < 0.5
        x[tied, (labels[tied] + 1) % classes] = x[tied].max(axis=1)
        x[tied, labels[tied]] = x[tied].max(axis=1)
    dtype = draw(st.sampled_from([np.float32, np.float32, np.float64, np.float16]))
    options = {"reduction": draw(st.sampled_from(REDUCTIONS))}
    if draw(st.booleans()):
        options["weight"] = rng.uniform(0.0, 2.0, size=classes)
    if draw(st.booleans()):
        labels[rng.random(rows) < 0.3] = IGNORED
        options["ignore_index"] = IGNORED
    if draw(st.booleans()):
        options["label_smoothing"] = draw(st.sampled_from([0.1, 0.5]))
    return x.astype(dtype), labels, options


def check_fast_paths_agree(x, labels, options) -> Counter:
    """Compare the fast paths with the reference path; return the paths that ran."""
    with _paths.only("reference") as ran_reference:
        loss, grad = softmax_cross_entropy_with_integer_labels_value_and_grad(x, labels, **options)
    assert not set(ran_reference) - {"reference"}
    with _paths.only(*_paths.FAST_PATHS) as ran:
        fast_loss, fast_grad = softmax_cross_entropy_with_integer_labels_value_and_grad(
            x, labels, **options
        )
    assert fast_grad.dtype == grad.dtype and np.shape(fast_loss) == np.shape(loss)
    # Within 2 ulps of the reference (each is within 2 ulps of the exact loss; the
    # reference is in practice correctly rounded). A mean over no example is NaN in both.
    loss = np.asarray(loss)
    assert_within(fast_loss, loss, 2 * np.spacing(np.abs(np.nan_to_num(loss))))
    # Each gradient entry within one epsilon of its row's largest entry.
    eps = np.finfo(x.dtype).eps
    largest = np.max(np.abs(grad.astype(np.float64)), axis=-1, keepdims=True)
    assert_within(fast_grad, grad, eps * largest)
    return ran


def assert_within(actual, expected, bound):
    """``|actual - expected| <= bound`` entrywise (broadcast), NaN where both are NaN."""
    actual, expected = np.asarray(actual, np.float64), np.asarray(expected, np.float64)
    both_nan = np.isnan(actual) & np.isnan(expected)
    with np.errstate(invalid="ignore"):
        ok = (np.abs(actual - expected) <= bound) | both_nan | (actual == expected)
    assert np.all(ok), (
        actual[~ok] if actual.ndim else actual,
        expected[~ok] if expected.ndim else expected,
    )


@settings(deadline=None, max_examples=150)
@given(label_problems())
def test_fast_paths_agree_with_the_reference(problem):
    check_fast_paths_agree(*problem)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("path", _paths.FAST_PATHS)
def test_each_fast_path_runs_and_agrees(path, reduction):
    # Inputs on which each fast path applies and proves its accuracy, so that the
    # comparison above can fail: "short" for a few float32 classes without options,
    # "float32" for wide rows whose tail sums are large.
    rng = np.random.default_rng(7)
    classes = 10 if path == "short" else 256
    x = rng.normal(0, 1, size=(40, classes)).astype(np.float32)
    labels = rng.integers(0, classes, size=40)
    ran = check_fast_paths_agree(x, labels, {"reduction": reduction})
    assert ran[path] and not ran["reference"]
