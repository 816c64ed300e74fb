"""Every framework claim of the registry, checked against what the real frameworks computed.

tests/data/framework_reference.json was written by tools/make_framework_reference.py with
PyTorch 2.13, TensorFlow 2.21 with Keras 3.15 on its TensorFlow, JAX and NumPy backends,
JAX with optax 0.2.8, and scikit-learn 1.9.1 (``make framework-reference``); none of them
is needed here. Each stored case is one call that a registry entry or a docstring's
"Equivalents" line names, its value, and its autograd gradient where the framework has
one. Each case names a *claim*; :data:`CLAIMS` says what that claim means in ``crossent``
terms, with the registry's reduction and options, and the framework's documented clip,
clamp or quirk emulated in a few lines of NumPy where the registry records one.

Then: every runnable registry implementation has a case; every framework function that an
"Equivalents" line names was called; and each of the five corrections of issue 14 is both
in the registry's text and in the stored numbers.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

import crossent
import crossent.binary
import crossent.categorical
import crossent.multilabel
from crossent import names

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "framework_reference.json"
SCRIPT = ROOT / "tools" / "make_framework_reference.py"

_spec = importlib.util.spec_from_file_location("make_framework_reference", SCRIPT)
generator = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = generator  # dataclasses look their module up there
_spec.loader.exec_module(generator)

REFERENCE = json.loads(DATA.read_text())
RECORDS = REFERENCE["cases"]
F32_CLIP = (float(np.float32(1e-7)), float(np.float32(1 - 1e-7)))
F64_CLIP = (1e-7, 1 - 1e-7)

# Any warning (a RuntimeWarning above all) raised in a test of this module is an error.
pytestmark = pytest.mark.usefixtures("warnings_are_errors")


def record_id(record: dict) -> str:
    return f"{record['name']}[{record['worker']},{record['dtype']}]"


def find(name: str, worker: str | None = None, dtype: str = "float64") -> dict:
    hits = [
        record
        for record in RECORDS
        if record["name"] == name
        and (worker is None or record["worker"] == worker)
        and record["dtype"] == dtype
    ]
    assert len(hits) == 1, (name, worker, dtype, len(hits))
    return hits[0]


def stored(values) -> np.ndarray | None:
    return None if values is None else np.asarray(values, dtype=np.float64)


def inputs(record: dict) -> dict[str, np.ndarray]:
    out = {}
    for name, entry in REFERENCE["inputs"][record["inputs"]].items():
        if entry["dtype"] == "int":
            out[name] = np.asarray(entry["data"], dtype=np.int64)
        else:
            out[name] = np.asarray(entry["data"], dtype=record["dtype"])
    return out


# --------------------------------------------------------------------------------------
# Reductions and the framework quirks the registry records, written with crossent.
# --------------------------------------------------------------------------------------


def reduce(value, grad, reduction, rows_last=False):
    """Reduce per-entry (or per-example) values; ``grad`` is the gradient of their sum."""
    value = np.asarray(value, dtype=np.float64)
    grad = None if grad is None else np.asarray(grad, dtype=np.float64)
    if reduction == "none":
        return value, grad
    if reduction == "mean_last":  # Keras: the mean over the last axis, per example
        scale = value.shape[-1]
        return value.mean(axis=-1), None if grad is None else grad / scale
    if reduction == "sum":
        return value.sum(), grad
    if reduction == "sum_last":  # Keras's binary losses: the sum of the per-example means
        scale = value.shape[-1]
        return value.mean(axis=-1).sum(), None if grad is None else grad / scale
    if reduction == "mean":
        return value.mean(), None if grad is None else grad / value.size
    raise ValueError(reduction)


def weigh(value, grad, weights, mode, per_example_grad_axis=True):
    """Keras's and TensorFlow 1's reductions of per-example values with sample weights."""
    weights = np.asarray(weights, dtype=np.float64)
    divisor = {
        "sum_over_batch_size": value.size,
        "mean": value.size,
        "mean_with_sample_weight": weights.sum(),
        "sum": 1.0,
        "nonzero": np.count_nonzero(weights),
    }[mode]
    total = (weights * value).sum() / divisor
    if grad is None:
        return total, None
    shaped = weights.reshape(weights.shape + (1,) * (grad.ndim - weights.ndim))
    return total, shaped * grad / divisor


def one_hot(labels, classes):
    return np.eye(classes)[labels]


def renormalise_then_clip(p, t, clip):
    """Keras's categorical loss on probabilities: p / sum(p), then clip; value and grad."""
    s = p.sum(axis=-1, keepdims=True)
    r = p / s
    c = np.clip(r, *clip)
    inside = (r >= clip[0]) & (r <= clip[1])
    value = crossent.cross_entropy(c, t, reduction="none")
    g = crossent.cross_entropy_grad(c, t, reduction="none") * inside
    return value, g / s - (g * p).sum(axis=-1, keepdims=True) / s**2


def clip_then_renormalise(p, t, clip):
    """Keras's sparse loss on TensorFlow: clip, then log-softmax of the log."""
    c = np.clip(p, *clip)
    inside = (p >= clip[0]) & (p <= clip[1])
    s = c.sum(axis=-1, keepdims=True)
    n = c / s
    value = crossent.cross_entropy(n, t, reduction="none")
    g = crossent.cross_entropy_grad(n, t, reduction="none")
    return value, (g / s - (g * c).sum(axis=-1, keepdims=True) / s**2) * inside


def softmax_chain(z, grad_p):
    """The gradient with respect to the logits of a function of p = softmax(z)."""
    return np.einsum("...i,...ij->...j", grad_p, crossent.softmax_jacobian(z))


# --------------------------------------------------------------------------------------
# The claims. Each returns a list of alternatives (value, grad); grad None is not compared.
# --------------------------------------------------------------------------------------


def claim_cross_entropy(record, a, P):
    p = a[P.get("prob", "p")].astype(np.float64)
    target = P["target"]
    t = one_hot(a[target], p.shape[-1]) if target == "y" else a[target].astype(np.float64)
    if P.get("smoothing"):
        t = (1 - P["smoothing"]) * t + P["smoothing"] / t.shape[-1]
    alternatives = []
    if P.get("keras_clip"):
        tf_sparse = target == "y" and record["worker"] == "tensorflow"
        for clip in (F64_CLIP, F32_CLIP):
            emulate = clip_then_renormalise if tf_sparse else renormalise_then_clip
            alternatives.append(emulate(p, t, clip))
    elif P.get("sklearn_clip"):
        eps = np.finfo(np.float64).eps
        alternatives.append((crossent.cross_entropy(np.clip(p, eps, 1 - eps), t,
                                                    reduction="none"), None))
    else:
        value, grad = crossent.cross_entropy_value_and_grad(p, t, reduction="none")
        if P.get("nan_grad_at_zero"):
            # Autograd multiplies the zero upstream gradient by 1 / p = inf: NaN.
            grad = np.where(p == 0, np.nan, grad)
        alternatives.append((value, grad))
    return [reduce(v, g, P["reduction"]) for v, g in alternatives]


def claim_kl_divergence(record, a, P):
    p, t = a["p"], a[P["target"]]
    value, grad = crossent.cross_entropy_value_and_grad(p, t, reduction="none")
    entropy = crossent.cross_entropy(t, t, reduction="none")
    # t * (log t - log p) with t = 0 and p = 0 is 0 * inf: NaN, not the 0 of the KL divergence.
    value = np.where(((p == 0) & (t == 0)).any(axis=-1), np.nan, value - entropy)
    return [(value, np.where(p == 0, np.nan, grad))]


def claim_softmax(record, a, P):
    z = a["z"]
    target = P["target"]
    options = {
        "weight": a[P["weight"]] if "weight" in P else None,
        "label_smoothing": P.get("smoothing", 0.0),
    }
    mode = P.get("keras_reduction")
    sample_weight = P.get("sample_weight")
    reduction = "none" if sample_weight else P["reduction"]
    if a[target].dtype.kind == "i":
        value, grad = crossent.softmax_cross_entropy_with_integer_labels_value_and_grad(
            z, a[target], ignore_index=P.get("ignore_index"), reduction=reduction, **options
        )
    else:
        value, grad = crossent.softmax_cross_entropy_value_and_grad(
            z, a[target], reduction=reduction, **options
        )
        if P.get("fused_grad"):
            # TensorFlow's fused kernel returns softmax(z) - t whatever the sum of t.
            grad = crossent.softmax(z) - a[target]
    if sample_weight:
        value, grad = weigh(value, grad, a[sample_weight],
                            "nonzero" if P.get("nonzero_weights") else mode)
    return [(value, grad)]


def claim_multilabel(record, a, P):
    return [crossent.multilabel_softmax_cross_entropy_value_and_grad(
        a["z"], a["tm"], reduction=P["reduction"])]


def claim_sigmoid(record, a, P):
    z = a["z"]
    t = a[P["target"]].astype(z.dtype)
    if P.get("smoothing"):
        t = (1 - P["smoothing"]) * t + P["smoothing"] / 2
    weight = a[P["weight"]] if "weight" in P else None
    pos_weight = a[P["pos_weight"]] if "pos_weight" in P else None
    value, grad = crossent.sigmoid_binary_cross_entropy_value_and_grad(
        z, t, weight=None if P.get("nonzero_weights") else weight, pos_weight=pos_weight,
        reduction="none",
    )
    if P.get("tf_weighted_grad_at_zero"):
        # TensorFlow differentiates |z| and max(-z, 0) as 0 at z = 0: its gradient there is
        # 1 - t, not sigmoid(0) (1 + (w - 1) t) - w t.
        grad = np.where(z == 0, 1 - t, grad)
    alternatives = []
    if P.get("nonzero_weights"):
        alternatives.append(weigh(value, grad, weight, "nonzero"))
    elif P.get("sample_weight"):
        value, grad = reduce(value, grad, "mean_last") if value.ndim > 1 else (value, grad)
        alternatives.append(weigh(value, grad, a[P["sample_weight"]], P["keras_reduction"]))
    else:
        alternatives.append(reduce(value, grad, P["reduction"]))
    if P.get("keras_numpy_clip") and record["worker"] == "numpy":
        # Keras's NumPy backend applies the sigmoid and clips, as for probabilities.
        q = np.clip(crossent.sigmoid(z), *F32_CLIP)
        per_entry = crossent.binary_cross_entropy(q, t, reduction="none")
        if P.get("sample_weight"):
            alternatives = [weigh(per_entry.mean(axis=-1), None, a[P["sample_weight"]],
                                  P["keras_reduction"])]
        else:
            alternatives = [reduce(per_entry, None, P["reduction"])]
    return alternatives


def claim_softmargin(record, a, P):
    z, y = a["z"], a[P["label"]]
    value, grad = crossent.sigmoid_binary_cross_entropy_value_and_grad(
        z, (y + 1) / 2, reduction="none"
    )
    # SoftMarginLoss computes log(1 + exp(-y z)): exp overflows below -log(max float).
    overflow = -y * z > np.log(np.finfo(z.dtype).max)
    value = np.where(overflow, np.inf, value)
    grad = np.where(overflow, np.nan, grad)
    return [reduce(value, grad, P.get("reduction", "none"))]


def claim_bce(record, a, P):
    q = a["q"]
    t = a[P["target"]]
    if P.get("smoothing"):
        t = (1 - P["smoothing"]) * t + P["smoothing"] / 2
    weight = a[P["weight"]] if "weight" in P else np.ones_like(q)
    alternatives = []
    if P.get("keras_clip"):
        for clip in (F64_CLIP, F32_CLIP):
            c = np.clip(q, *clip)
            inside = (q >= clip[0]) & (q <= clip[1])
            value, grad = crossent.binary_cross_entropy_value_and_grad(c, t, reduction="none")
            alternatives.append((value, grad * inside))
    elif P.get("sklearn_clip"):
        eps = np.finfo(np.float64).eps
        alternatives.append((crossent.binary_cross_entropy(np.clip(q, eps, 1 - eps), t,
                                                           reduction="none"), None))
    elif P.get("epsilon_inside"):
        # tf.compat.v1.losses.log_loss: -t log(q + eps) - (1 - t) log(1 - q + eps).
        eps = P["epsilon_inside"]
        value = -(t * np.log(q + eps) + (1 - t) * np.log(1 - q + eps))
        grad = -(t / (q + eps) - (1 - t) / (1 - q + eps))
        alternatives.append((value, grad))
    else:
        value, grad = crossent.binary_cross_entropy_value_and_grad(
            q, t, weight=weight, reduction="none"
        )
        if P.get("torch_clamp"):
            # PyTorch clamps each log at -100 and divides by max(q (1 - q), 1e-12).
            with np.errstate(divide="ignore"):
                clamped = weight * (t * np.minimum(-np.log(q), 100)
                                    + (1 - t) * np.minimum(-np.log1p(-q), 100))
            value = np.where(np.isfinite(value) & (value == clamped), value, clamped)
            denominator = q * (1 - q)
            small = denominator < np.float32(1e-12)
            grad = np.where(small, weight * (q - t) / np.float32(1e-12), grad)
        if P.get("nan_grad_at_certain"):
            grad = np.where((q == 0) | (q == 1), np.nan, grad)
        alternatives.append((value, grad))
    return [reduce(v, g, P["reduction"]) for v, g in alternatives]


def claim_keras_activation_output(record, a, P):
    z, t = a["z"], a[P["target"]]
    softmax = P["activation"] == "softmax"
    if record["worker"] == "tensorflow":
        # Keras on TensorFlow finds the logits behind a softmax or sigmoid output.
        if softmax:
            return [crossent.softmax_cross_entropy_value_and_grad(z, t, reduction="none")]
        value, grad = crossent.sigmoid_binary_cross_entropy_value_and_grad(
            z, t, reduction="none")
        return [reduce(value, grad, "mean_last")]
    alternatives = []
    for clip in (F64_CLIP, F32_CLIP):
        if softmax:
            value, grad_p = renormalise_then_clip(crossent.softmax(z), t, clip)
            alternatives.append((value, softmax_chain(z, grad_p)))
        else:
            q = crossent.sigmoid(z)
            c = np.clip(q, *clip)
            inside = (q >= clip[0]) & (q <= clip[1])
            value, grad = crossent.binary_cross_entropy_value_and_grad(c, t, reduction="none")
            grad = grad * inside * crossent.sigmoid_grad(z)
            alternatives.append(reduce(value, grad, "mean_last"))
    return alternatives


def claim_finding3_naive(record, a, P):
    q, t = a["q"], a["ts"]
    value, grad = crossent.binary_cross_entropy_value_and_grad(q, t, reduction="none")
    certain = (q == 0) | (q == 1)
    return [(np.where(certain, np.nan, value), np.where(certain, np.nan, grad))]


def claim_finding4_naive(record, a, P):
    p, t = a["p"], a["ts"]
    value, grad = crossent.cross_entropy_value_and_grad(p, t, reduction="none")
    zero_times_log_zero = ((p == 0) & (t == 0)).any(axis=-1)
    return [(np.where(zero_times_log_zero, np.nan, value), np.where(p == 0, np.nan, grad))]


CLAIMS = {
    "cross_entropy": claim_cross_entropy,
    "kl_divergence": claim_kl_divergence,
    "softmax": claim_softmax,
    "multilabel": claim_multilabel,
    "sigmoid": claim_sigmoid,
    "softmargin": claim_softmargin,
    "bce": claim_bce,
    "keras_activation_output": claim_keras_activation_output,
    "finding3_naive": claim_finding3_naive,
    "finding4_naive": claim_finding4_naive,
}


def tolerance(record: dict) -> float:
    """float64 round-off, or float32's where the framework computes in float32."""
    float32 = (
        record["dtype"] == "float32"
        # Keras's NumPy backend converts float64 input to float32, and on JAX its
        # reductions run in float32; tf.compat.v1 reduces in float32.
        or (record["worker"] in ("jax", "numpy") and "keras." in record["call"])
        or "tf.compat.v1" in record["call"]
    )
    return 4e-6 if float32 else 1e-12


def close(actual, expected, rtol) -> bool:
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.broadcast_to(np.asarray(expected, dtype=np.float64), actual.shape)
    atol = 1e-15
    finite = np.abs(expected[np.isfinite(expected)])
    if rtol > 1e-9 and finite.size:
        # float32 arithmetic: an error relative to the largest term, not to each entry
        atol = rtol * float(finite.max())
    same_specials = np.array_equal(np.isnan(actual), np.isnan(expected)) and np.array_equal(
        np.where(np.isinf(actual), actual, 0), np.where(np.isinf(expected), expected, 0))
    return same_specials and bool(np.allclose(actual, expected, rtol=rtol, atol=atol,
                                              equal_nan=True))


VALUE_RECORDS = [record for record in RECORDS if record["claim"] in CLAIMS]


@pytest.mark.parametrize("record", VALUE_RECORDS, ids=record_id)
def test_the_framework_computes_what_the_registry_says(record: dict) -> None:
    assert record["error"] is None, record["error"]
    alternatives = CLAIMS[record["claim"]](record, inputs(record), record["params"])
    value, grad = stored(record["value"]), stored(record["grad"])
    rtol = tolerance(record)
    matches = [
        close(value, expected_value, rtol)
        and (grad is None or expected_grad is None or close(grad, expected_grad, rtol))
        for expected_value, expected_grad in alternatives
    ]
    assert any(matches), (record["call"], value, alternatives[0][0], grad, alternatives[0][1])
    if record["wrt"] is not None:  # a framework with autograd stored its gradient
        assert grad is not None


def test_every_claim_is_defined_and_used() -> None:
    used = {record["claim"] for record in RECORDS}
    assert used == set(CLAIMS) | {"error", "bad_label"}


# --------------------------------------------------------------------------------------
# Out-of-range labels: an error, a NaN, a silent 0 or a wrap, as the registry says.
# --------------------------------------------------------------------------------------


def test_out_of_range_labels_are_errors_in_pytorch_and_tensorflow() -> None:
    errors = [record for record in RECORDS if record["claim"] == "error"]
    assert {record["name"] for record in errors} == {
        "torch-ce-label-C", "torch-ce-label-minus-1",
        "tf-sparse-softmax-xent-label-yC", "tf-sparse-softmax-xent-label-ym",
    }
    for record in errors:
        assert record["error"] is not None and record["value"] is None, record["call"]
    sparse = names.get("softmax_cross_entropy").support("TensorFlow/Keras").implementations[3]
    assert sparse.api == ("tf.nn.sparse_softmax_cross_entropy_with_logits",)
    assert "raises an error on CPU" in " ".join(sparse.notes)


def test_optax_gives_nan_for_label_c_and_wraps_label_minus_one() -> None:
    z = np.asarray(REFERENCE["inputs"]["bad"]["z"]["data"])
    label_c = find("optax-integer-label-yC", "jax")
    assert np.isnan(stored(label_c["value"])).all()
    wrapped = find("optax-integer-label-ym", "jax")
    last = crossent.softmax_cross_entropy_with_integer_labels(z, [2], reduction="none")
    assert close(stored(wrapped["value"]), last, 1e-12)
    optax_int = names.get("softmax_cross_entropy").support("JAX/optax").implementations[1]
    text = " ".join(optax_int.notes)
    assert "NaN" in text and "-1" in text and "last class" in text


def test_keras_out_of_range_labels_depend_on_the_backend() -> None:
    for label in ("yC", "ym"):
        assert find(f"keras-scce-label-{label}", "tensorflow")["error"]
        assert stored(find(f"keras-scce-label-{label}", "jax")["value"]).tolist() == [0.0]
    assert "IndexError" in find("keras-scce-label-yC", "numpy")["error"]
    assert stored(find("keras-scce-label-ym", "numpy")["value"]).tolist() == [0.0]
    keras_sparse = names.get("softmax_cross_entropy").support(
        "TensorFlow/Keras").implementations[1]
    text = " ".join(keras_sparse.notes)
    assert "error on the TensorFlow backend" in text and "loss of 0" in text
    with pytest.raises(ValueError):
        crossent.softmax_cross_entropy_with_integer_labels(
            np.asarray(REFERENCE["inputs"]["bad"]["z"]["data"]), [3])


# --------------------------------------------------------------------------------------
# Coverage: every runnable registry implementation and every docstring equivalent.
# --------------------------------------------------------------------------------------


def test_every_runnable_registry_implementation_has_stored_framework_results() -> None:
    covered = {item for record in RECORDS for item in record["covers"]}
    missing = [target for target in generator.registry_targets() if target not in covered]
    assert not missing, f"no stored case for {missing}: run make framework-reference"


def test_the_data_was_made_from_this_registry() -> None:
    assert REFERENCE["targets"] == generator.registry_targets()
    valid = set(generator.registry_targets()) | {"ambiguity note | log loss"}
    for record in RECORDS:
        assert set(record["covers"]) <= valid, (record["name"], record["covers"])


def test_only_caffe_is_left_out_and_every_case_was_run() -> None:
    assert set(REFERENCE["not_runnable"]) == {"Caffe"}
    stored_runs = {(r["name"], r["worker"], r["dtype"]) for r in RECORDS}
    expected_runs = {
        (case.name, worker, dtype)
        for case in generator.CASES for worker in case.workers for dtype in case.dtypes
    }
    assert stored_runs == expected_runs
    for record in RECORDS:
        case = next(case for case in generator.CASES if case.name == record["name"])
        assert record["call"] == case.call and record["params"] == case.params


def test_the_versions_are_the_ones_the_makefile_pins() -> None:
    versions = REFERENCE["versions"]
    for name, prefix in generator.VERSIONS.items():
        assert versions[name].startswith(prefix), (name, versions[name])
    makefile = (ROOT / "Makefile").read_text()
    for pin in ("tensorflow-cpu==2.21", "keras==3.15", "optax==0.2.8", "scikit-learn==1.9.1"):
        assert pin in makefile, pin


DOCSTRING_FUNCTIONS = [
    crossent.categorical.cross_entropy,
    crossent.categorical.softmax_cross_entropy,
    crossent.categorical.softmax_cross_entropy_with_integer_labels,
    crossent.binary.binary_cross_entropy,
    crossent.binary.sigmoid_binary_cross_entropy,
    crossent.multilabel.multilabel_softmax_cross_entropy,
]


def equivalents(function) -> str:
    doc = function.__doc__
    start = doc.index("Equivalents:")
    return " ".join(doc[start:doc.index("\n\n", start)].split())


@pytest.mark.parametrize("function", DOCSTRING_FUNCTIONS, ids=lambda f: f.__name__)
def test_every_framework_call_a_docstring_names_was_run(function) -> None:
    dotted = set(re.findall(r"\b(?:torch|tf|keras|optax|jax|jnp)\.[\w.]*\w", equivalents(function)))
    assert dotted
    target = f"docstring | {function.__module__}.{function.__name__}"
    calls = " ".join(record["call"] for record in RECORDS if target in record["covers"])
    missing = sorted(name for name in dotted if name not in calls)
    assert not missing, f"{function.__name__}: no stored call of {missing}"


# --------------------------------------------------------------------------------------
# The five corrections of issue 14, in the registry's text and in the stored numbers.
# --------------------------------------------------------------------------------------


def implementation(key: str, framework: str, api: str) -> names.Implementation:
    for impl in names.get(key).support(framework).implementations:
        if impl.api[0] == api:
            return impl
    raise AssertionError(api)


def test_finding_1_softmarginloss_overflows_to_inf() -> None:
    notes = " ".join(implementation("sigmoid_binary_cross_entropy", "PyTorch",
                                    "torch.nn.SoftMarginLoss").notes)
    assert "inf" in notes and "NaN gradient" in notes and "-88.7" in notes and "-709.8" in notes
    for dtype, first_inf in (("float32", 2), ("float64", 5)):
        record = find("torch-soft-margin-extreme", "torch", dtype)
        a = inputs(record)
        value, grad = stored(record["value"]), stored(record["grad"])
        ours = crossent.sigmoid_binary_cross_entropy(a["z"], (a["y"] + 1) / 2, reduction="none")
        assert np.isfinite(ours).all()
        assert np.isinf(value[first_inf:7]).all() and np.isnan(grad[first_inf:7]).all()
        assert np.isfinite(value[:first_inf]).all()
        # where PyTorch overflows, the true loss is |y z|
        assert close(ours[first_inf:7], -a["z"][first_inf:7], 1e-6)


def test_finding_2_weighted_cross_entropy_gradient_is_wrong_at_zero() -> None:
    notes = " ".join(implementation("sigmoid_binary_cross_entropy", "TensorFlow/Keras",
                                    "tf.nn.weighted_cross_entropy_with_logits").notes)
    assert "gradient" in notes and "z = 0" in notes and "1 - t" in notes
    for dtype in ("float32", "float64"):
        tf_grad = stored(find("tf-weighted-xent-zero", "tensorflow", dtype)["grad"])
        torch_grad = stored(find("torch-bcel-zero", "torch", dtype)["grad"])
        a = inputs(find("tf-weighted-xent-zero", "tensorflow", dtype))
        ours = crossent.sigmoid_binary_cross_entropy_grad(a["z"], a["t"], pos_weight=a["pw"],
                                                          reduction="sum")
        assert tf_grad.tolist() == [0.0, 1.0, 0.0, 1.0]
        assert ours.tolist() == torch_grad.tolist() == [-0.5, 0.5, -1.5, 0.5]
        # the unweighted TensorFlow loss is right at 0
        sig = stored(find("tf-sigmoid-xent-zero", "tensorflow", dtype)["grad"])
        assert sig.tolist() == [-0.5, 0.5, -0.5, 0.5]


def test_finding_3_the_jax_binary_recipe_uses_xlogy() -> None:
    note = names.get("binary_cross_entropy").support("JAX/optax").note
    assert "xlogy(t, q)" in note and "xlog1py(1 - t, -q)" in note
    assert "jnp.log(q)" not in note and "NaN" in note
    naive = stored(find("jax-bce-log-naive", "jax")["value"])
    fixed = stored(find("jax-bce-xlogy", "jax")["value"])
    assert np.isnan(naive[1, :2]).all() and fixed[1, :2].tolist() == [0.0, 0.0]
    assert np.isnan(stored(find("jax-bce-xlogy", "jax")["grad"])[1, :2]).all()


def test_finding_4_the_cross_entropy_equivalents_agree_and_warn_of_nan_gradients() -> None:
    note = names.get("cross_entropy").support("PyTorch").note
    doc = equivalents(crossent.categorical.cross_entropy)
    assert "-torch.xlogy(t, p).sum(dim=1)" in note and "-torch.xlogy(t, p).sum(dim=1)" in doc
    assert "torch.log(p)).sum" not in doc
    for text in (note, doc):
        assert "NaN" in text and "gradient" in text
    jax_note = names.get("cross_entropy").support("JAX/optax").note
    assert "xlogy(t, p)" in jax_note and "NaN" in jax_note
    naive = stored(find("torch-log-naive", "torch")["value"])
    fixed = stored(find("torch-xlogy", "torch")["value"])
    assert np.isnan(naive[1]) and fixed[1] == 0.0
    for name, worker in (("torch-xlogy", "torch"), ("torch-nll-log", "torch"),
                         ("jax-xlogy", "jax")):
        grad = stored(find(name, worker)["grad"])
        assert np.isnan(grad[1, 1:]).all(), name


def test_finding_5_keras_reductions_include_mean_and_none() -> None:
    for key, api in (("softmax_cross_entropy", "keras.losses.CategoricalCrossentropy("
                      "from_logits=True)"),
                     ("sigmoid_binary_cross_entropy", "keras.losses.BinaryCrossentropy("
                      "from_logits=True)")):
        reduction = implementation(key, "TensorFlow/Keras", api).reduction
        for word in ("'sum_over_batch_size'", "'mean'", "'none'", "None", "'sum'",
                     "'mean_with_sample_weight'"):
            assert word in reduction, (api, word)
    for worker in generator.KERAS:
        default = find("keras-cce-reduction-sum_over_batch_size", worker)["value"]
        assert find("keras-cce-reduction-mean", worker)["value"] == default
        none = find("keras-cce-reduction-none", worker)["value"]
        assert find("keras-cce-reduction-None", worker)["value"] == none
        assert len(none) == 4


# --------------------------------------------------------------------------------------
# Further registry notes, in its text and in the numbers.
# --------------------------------------------------------------------------------------


def test_tensorflow_fused_gradient_is_p_minus_t_for_unnormalised_labels() -> None:
    record = find("tf-softmax-xent-unnormalised", "tensorflow")
    a = inputs(record)
    true_grad = crossent.softmax_cross_entropy_grad(a["z"], a["tu"], reduction="sum")
    assert not close(stored(record["grad"]), true_grad, 1e-6)
    notes = " ".join(implementation("softmax_cross_entropy", "TensorFlow/Keras",
                                    "tf.nn.softmax_cross_entropy_with_logits").notes)
    assert "softmax(z) - t" in notes


def test_optax_integer_labels_round_a_tiny_loss_to_zero() -> None:
    record = find("optax-integer", "jax")
    a = inputs(record)
    ours = crossent.softmax_cross_entropy_with_integer_labels(a["z"], a["y"], reduction="none")
    assert stored(record["value"])[2] == 0.0 and 8e-18 < ours[2] < 9e-18


def test_keras_numpy_backend_clips_the_sigmoid_of_logits() -> None:
    tf_value = stored(find("keras-bce-logits-reduction-none", "tensorflow")["value"])
    np_value = stored(find("keras-bce-logits-reduction-none", "numpy")["value"])
    assert tf_value[3] > 500 and np_value[3] < 17  # 800 per entry, against the clip's 16.1
    notes = " ".join(implementation("sigmoid_binary_cross_entropy", "TensorFlow/Keras",
                                    "keras.losses.BinaryCrossentropy(from_logits=True)").notes)
    assert "NumPy backend" in notes and "float32" in notes


def test_keras_tensorflow_backend_finds_the_logits_behind_an_activation() -> None:
    tf_record = find("keras-bce-sigmoid-output", "tensorflow")
    jax_record = find("keras-bce-sigmoid-output", "jax")
    # z = -800 with t = 1: the gradient of the mean over 3 entries is -1/3 on TensorFlow,
    # and 0 under the clip on JAX.
    assert stored(tf_record["grad"])[3, 0] == pytest.approx(-1 / 3, rel=1e-12)
    assert stored(jax_record["grad"])[3, 0] == 0.0
    for key, api in (("binary_cross_entropy", "keras.losses.BinaryCrossentropy()"),
                     ("cross_entropy", "keras.losses.CategoricalCrossentropy()")):
        notes = " ".join(implementation(key, "TensorFlow/Keras", api).notes)
        assert "keras.activations" in notes and "TensorFlow backend" in notes


def test_tensorflow_1_losses_reduce_in_float32() -> None:
    value = find("tf1-softmax", "tensorflow")["value"]
    assert value == float(np.float32(value)) and value != find("keras-cce-logits",
                                                               "tensorflow")["value"]
    for key, api in (("softmax_cross_entropy", "tf.compat.v1.losses.softmax_cross_entropy"),
                     ("binary_cross_entropy", "tf.compat.v1.losses.log_loss"),
                     ("sigmoid_binary_cross_entropy",
                      "tf.compat.v1.losses.sigmoid_cross_entropy")):
        impl = implementation(key, "TensorFlow/Keras", api)
        assert impl.reduction.startswith("SUM_BY_NONZERO_WEIGHTS (default)")
        assert "float32" in " ".join(impl.notes)


def test_pytorch_clamp_and_keras_and_sklearn_clips_cap_the_loss() -> None:
    torch_wrong = stored(find("torch-bce-wrong", "torch")["value"]).ravel()
    assert torch_wrong[:3].tolist() == [100.0, 100.0, 100.0]
    keras_wrong = stored(find("keras-cce-wrong", "tensorflow")["value"])
    assert close(keras_wrong, -np.log(1e-7), 1e-12)  # "never exceeds about 16.1"
    sklearn_wrong = find("sklearn-log-loss-wrong", "numpy")["value"]
    eps = np.finfo(np.float64).eps
    assert close(sklearn_wrong, -np.log(eps) - np.log(1e-12), 1e-12)
    assert "2.2e-16" in names.get_alias("log loss").note
