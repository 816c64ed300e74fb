"""crossent's categorical losses against PyTorch's ``torch.nn.functional.cross_entropy``.

``tests/data/pytorch_categorical.npz`` holds PyTorch 2.13.0's float64 values and autograd
gradients for every combination of the options (written by
``tools/make_pytorch_reference.py``, which documents the grid). PyTorch is an independent
implementation, so agreement to float64 round-off pins the semantics: how a weighted
mean is normalized, how label smoothing combines with weights and ignored labels, the NaN
of a mean over nothing. torch itself is not needed to run these tests.
"""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

from crossent import _paths
from crossent.categorical import (
    softmax_cross_entropy,
    softmax_cross_entropy_grad,
    softmax_cross_entropy_value_and_grad,
    softmax_cross_entropy_with_integer_labels,
    softmax_cross_entropy_with_integer_labels_grad,
    softmax_cross_entropy_with_integer_labels_value_and_grad,
)

DATA = pathlib.Path(__file__).parent / "data" / "pytorch_categorical.npz"
REDUCTIONS = ("mean", "sum", "none")
RTOL = 1e-12
EPS = float(np.finfo(np.float64).eps)


def _load() -> dict[str, np.ndarray]:
    with np.load(DATA) as data:
        return {key: data[key] for key in data.files}


REFERENCE = _load()
LAYOUTS = sorted({key.split("/")[0] for key in REFERENCE if "/" in key})
LABEL_VARIANTS = [str(v) for v in REFERENCE["label_variants"]]


def _cases():
    for layout in LAYOUTS:
        for reduction in REDUCTIONS:
            options = REFERENCE[f"{layout}/{reduction}/options"]
            for case, (probability, weighted, variant, smoothing) in enumerate(options):
                kind = "probabilities" if probability else LABEL_VARIANTS[int(variant)]
                name = f"{layout}-{reduction}-{kind}-w{int(weighted)}-ls{smoothing:g}"
                yield pytest.param(layout, reduction, case, id=name)


def _call(layout: str, reduction: str, case: int):
    """Run crossent on one stored case; return (loss, grad, expected loss, expected grad)."""
    probability, weighted, variant, smoothing = REFERENCE[f"{layout}/{reduction}/options"][case]
    logits = REFERENCE[f"{layout}/logits"]
    kwargs = {
        "axis": int(REFERENCE[f"{layout}/axis"]),
        "weight": REFERENCE[f"{layout}/weight"] if weighted else None,
        "label_smoothing": float(smoothing),
        "reduction": reduction,
    }
    if probability:
        targets = REFERENCE[f"{layout}/targets"]
        functions = (
            softmax_cross_entropy,
            softmax_cross_entropy_grad,
            softmax_cross_entropy_value_and_grad,
        )
    else:
        name = LABEL_VARIANTS[int(variant)]
        targets = REFERENCE[f"{layout}/labels/{name}"]
        ignore_index = str(REFERENCE[f"{layout}/ignore_index/{name}"])
        kwargs["ignore_index"] = None if ignore_index == "none" else int(ignore_index)
        functions = (
            softmax_cross_entropy_with_integer_labels,
            softmax_cross_entropy_with_integer_labels_grad,
            softmax_cross_entropy_with_integer_labels_value_and_grad,
        )
    expected_loss = REFERENCE[f"{layout}/{reduction}/loss"][case]
    expected_grad = REFERENCE[f"{layout}/{reduction}/grad"][case]
    return logits, targets, kwargs, functions, expected_loss, expected_grad


@pytest.fixture(params=["class-major", "row-major"])
def exact_pass(request):
    """Rows of a few classes have their own class-major pass; run every case through the
    general row-major pass (the reference path alone) as well."""
    if request.param == "row-major":
        with _paths.only("reference"):
            yield request.param
    else:
        yield request.param


@pytest.mark.parametrize(("layout", "reduction", "case"), list(_cases()))
def test_matches_pytorch(layout, reduction, case, exact_pass):
    logits, targets, kwargs, functions, expected_loss, expected_grad = _call(
        layout, reduction, case
    )
    loss_fn, grad_fn, value_and_grad_fn = functions
    loss = loss_fn(logits, targets, **kwargs)
    grad = grad_fn(logits, targets, **kwargs)
    both = value_and_grad_fn(logits, targets, **kwargs)

    assert np.shape(loss) == expected_loss.shape
    assert grad.shape == expected_grad.shape == logits.shape
    # PyTorch computes -log_softmax(x)_y = logsumexp(x) - x_y, whose absolute error is a few
    # eps times |x|: a confident example's tiny loss keeps none of its digits there (see
    # test_pytorch_loses_the_confident_digits). Its gradient entries, softmax(x) - t, are
    # accurate to a few eps absolute.
    weight = kwargs["weight"]
    largest_weight = 1.0 if weight is None else float(np.max(weight))
    loss_atol = 8 * EPS * (float(np.max(np.abs(logits))) + 1.0) * largest_weight
    grad_atol = 8 * EPS * float(np.nanmax(np.abs(expected_grad), initial=0.0))
    np.testing.assert_allclose(loss, expected_loss, rtol=RTOL, atol=loss_atol, equal_nan=True)
    np.testing.assert_allclose(grad, expected_grad, rtol=RTOL, atol=grad_atol, equal_nan=True)
    np.testing.assert_array_equal(both[0], loss)
    np.testing.assert_array_equal(both[1], grad)


def test_reference_covers_the_grid():
    # The grid the generator promises: every layout and reduction, both target kinds,
    # weighted and not, every label variant, smoothing 0 and 0.1, C = 1, and a NaN
    # (a mean over nothing) somewhere.
    assert {"NC", "NCd", "NdC", "CN", "C", "C1", "confident"} <= set(LAYOUTS)
    assert str(REFERENCE["torch_version"]).startswith("2.13.0")
    for layout in LAYOUTS:
        for reduction in REDUCTIONS:
            options = REFERENCE[f"{layout}/{reduction}/options"]
            index_cases = options[options[:, 0] == 0]
            assert set(map(tuple, index_cases[:, 1:])) == {
                (w, v, s) for w in (0, 1) for v in range(len(LABEL_VARIANTS)) for s in (0, 0.1)
            }
            probability_cases = options[options[:, 0] == 1]
            assert set(map(tuple, probability_cases[:, [1, 3]])) == {
                (w, s) for w in (0, 1) for s in (0, 0.1)
            }
    all_ignored_mean = REFERENCE["NC/mean/loss"][REFERENCE["NC/mean/options"][:, 2] == 2]
    assert np.isnan(all_ignored_mean).all()
    assert DATA.stat().st_size < 300_000


def test_pytorch_loses_the_confident_digits():
    """The one place crossent and PyTorch differ beyond round-off, by design.

    In the "confident" layout (logits of scale 30) some examples have their label at a
    far-ahead maximum, with losses near 1e-14 or 1e-5. Against a 50-digit evaluation,
    crossent is within its error bound: 2 ulps, plus, because these float64 logits are
    not float32 numbers and their shifts x_j - m round, 2u sum_j p_j |x_j - m| (the
    conditioning of the loss, as for log_softmax). PyTorch is off by billions of ulps.
    """
    mpmath = pytest.importorskip("mpmath")
    logits = REFERENCE["confident/logits"]
    labels = REFERENCE["confident/labels/kept"]
    options = REFERENCE["confident/none/options"]
    plain = np.flatnonzero(np.all(options == [0, 0, 0, 0], axis=1))[0]
    pytorch = REFERENCE["confident/none/loss"][plain]
    ours = softmax_cross_entropy_with_integer_labels(logits, labels, reduction="none")
    worst_pytorch_ulps = 0.0
    with mpmath.workdps(50):
        for row, label, our_loss, pytorch_loss in zip(logits, labels, ours, pytorch, strict=True):
            values = [mpmath.mpf(float(v)) for v in row]
            normalizer = mpmath.log(mpmath.fsum(mpmath.exp(v) for v in values))
            true = normalizer - values[label]
            m = max(values)
            spread = mpmath.fsum(mpmath.exp(v - normalizer) * abs(v - m) for v in values)
            ulp = np.spacing(float(true))
            bound = 2 * ulp + 2 * (EPS / 2) * float(spread)
            assert abs(mpmath.mpf(float(our_loss)) - true) <= bound
            worst_pytorch_ulps = max(
                worst_pytorch_ulps, float(abs(mpmath.mpf(float(pytorch_loss)) - true) / ulp)
            )
    assert worst_pytorch_ulps > 1e9
