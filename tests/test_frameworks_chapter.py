"""The frameworks chapter's emulations against what the real frameworks returned.

``book/practice/frameworks.ipynb`` states how PyTorch, TensorFlow/Keras and JAX/optax
behave, and reproduces each behaviour with a small function in a cell tagged
``emulation``. ``tests/data/frameworks_chapter.json`` holds what the real libraries
returned for the same inputs (values, autograd gradients, error messages), written by
``tools/make_frameworks_chapter_reference.py``. This test runs the chapter's imports cell
and its emulation cells, exactly as they are in the notebook, and compares. No framework
is needed to run it. Every stored case must be checked here, so a case added to the
script without a check fails.
"""

from __future__ import annotations

import json
import pathlib
import re

import numpy as np
import pytest

import crossent

ROOT = pathlib.Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "frameworks_chapter.json"
NOTEBOOK = ROOT / "book" / "practice" / "frameworks.ipynb"

REFERENCE = json.loads(DATA.read_text(encoding="utf-8"))
CASES = REFERENCE["cases"]
KERAS_BACKENDS = ("tensorflow", "jax", "numpy")


def _source(cell: dict) -> str:
    source = cell["source"]
    return "".join(source) if isinstance(source, list) else source


def _emulations() -> dict:
    """Execute the notebook's imports cell and its emulation cells; return the names."""
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    code = [cell for cell in cells if cell["cell_type"] == "code"]
    namespace: dict = {}
    exec(compile(_source(code[1]), "imports cell", "exec"), namespace)
    emulation_cells = [cell for cell in code if "emulation" in cell["metadata"].get("tags", [])]
    for index, cell in enumerate(emulation_cells):
        exec(compile(_source(cell), f"emulation cell {index}", "exec"), namespace)
    return namespace


EM = _emulations()


def _inputs() -> dict:
    arrays = {}
    for name, value in REFERENCE["inputs"].items():
        array = np.array(value)
        arrays[name] = array.astype(np.int64) if array.dtype.kind == "i" else array
    return arrays


IN = _inputs()
ONE_HOT = np.eye(4)[IN["y"]]


def _losses_none():
    return crossent.softmax_cross_entropy_with_integer_labels(IN["z"], IN["y"], reduction="none")


def _fd(function, x, step=None):
    return crossent.numerical_gradient(lambda v: np.sum(function(v)), x, step=step)


# ---------------------------------------------------------------------------------------
# One check per stored case: it returns (value, grad) from the emulation (grad None where
# the case has no gradient), or the name of the exception the framework must have raised.
# ---------------------------------------------------------------------------------------


def _value(function):
    return lambda: (function(), None)


def _smoothed_categorical():
    t = EM["smooth_categorical"](ONE_HOT, IN["eps"])
    return crossent.softmax_cross_entropy(IN["z"], t, reduction="none")


def _torch_weighted(labels, smoothing):
    def check():
        def f(v):
            return EM["torch_cross_entropy"](v, IN[labels], IN["weight"], smoothing)

        return f(IN["z"]), _fd(f, IN["z"])

    return check


def _keras_default_weighted():
    def f(v):
        losses = crossent.softmax_cross_entropy_with_integer_labels(v, IN["y"], reduction="none")
        return EM["keras_reduce"](losses, IN["weight"][IN["y"]])

    return f(IN["z"]), _fd(f, IN["z"])


def _binary_mean():
    value = crossent.sigmoid_binary_cross_entropy(IN["z"], IN["multi_hot"])
    return value, crossent.sigmoid_binary_cross_entropy_grad(IN["z"], IN["multi_hot"])


def _keras_probs(clip_first):
    def check():
        def f(p):
            return EM["keras_probs"](p, np.eye(4)[IN["y_probs"]], clip_first=clip_first)

        return f(IN["probs"]), _fd(f, IN["probs"], step=1e-8)

    return check


def _keras_sigmoid(from_logits):
    def check():
        s, t = IN["s_sigmoid"], IN["t_sigmoid"]
        if from_logits:
            def f(v):
                return EM["keras_binary"](v, t)
        else:
            def f(v):
                return EM["keras_bce_probs"](crossent.sigmoid(v), t)
        return f(s), _fd(f, s)

    return check


def _unnormalised(fused):
    def check():
        z, t = IN["z"], IN["t_unnormalised"]
        value = crossent.softmax_cross_entropy(z, t, reduction="none")
        grad = EM["tf_fused_grad"](z, t) if fused else crossent.softmax_cross_entropy_grad(
            z, t, reduction="sum")
        return value, grad

    return check


def _no_grad(check):
    return lambda: (check()[0], None)


def _true_log_grad():
    # The stored inputs name the prediction q_onehot and the target p_onehot; the chapter
    # writes them p and t.
    p, t = IN["q_onehot"], IN["p_onehot"]
    with np.errstate(divide="ignore"):
        value = crossent.cross_entropy(p, t, reduction="none")
    return value, EM["autograd_log_grad"](t, p)


def _sigmoid_loss(x_name, t_name, pos_weight=None, tf_grad=False):
    def check():
        x, t = IN[x_name], IN[t_name]
        if t_name == "soft_margin_label":
            t = (t + 1) / 2
        options = {} if pos_weight is None else {"pos_weight": IN[pos_weight]}
        value = crossent.sigmoid_binary_cross_entropy(x, t, reduction="none", **options)
        if tf_grad:
            grad = EM["tf_weighted_grad"](x, t, IN[pos_weight])
        else:
            grad = crossent.sigmoid_binary_cross_entropy_grad(x, t, reduction="sum", **options)
        return value, grad

    return check


def _soft_margin(dtype):
    def check():
        name = "soft_margin_x32" if dtype == np.float32 else "soft_margin_x64"
        x, label = IN[name].astype(dtype), IN["soft_margin_label"].astype(dtype)
        value = EM["soft_margin"](x, label)
        # Where the loss overflows, PyTorch's gradient is inf / inf = NaN; elsewhere it is
        # the sigmoid loss's.
        right = crossent.sigmoid_binary_cross_entropy_grad(x, (label + 1) / 2, reduction="sum")
        return value, np.where(np.isinf(value), np.nan, right)

    return check


def _naive_cross_entropy():
    p, t = IN["q_onehot"], IN["p_onehot"]
    return np.array([np.nan, crossent.cross_entropy(p[1], t[1])]), None


CHECKS: dict = {
    "torch/smoothing/none": _value(_smoothed_categorical),
    "optax/smoothing": _value(_smoothed_categorical),
    "optax/smooth-labels-multi-hot": _value(
        lambda: EM["smooth_categorical"](IN["multi_hot"], IN["eps"])),
    "torch/weighted-mean/one-hot": _keras_default_weighted,
    "torch/binary-mean/bce-with-logits": _binary_mean,
    "torch/binary-mean/multilabel-soft-margin": _no_grad(_binary_mean),
    "optax/sigmoid-mean": _no_grad(_binary_mean),
    "tf/compat-v1-default-reduction": _value(
        lambda: EM["tf1_reduce"](_losses_none(), IN["sample_weight_tf1"])),
    "torch/bce-clamp": lambda: (EM["torch_bce"](IN["q_bce"], IN["t_bce"]),
                                EM["torch_bce_grad"](IN["q_bce"], IN["t_bce"])),
    "torch/unnormalised": _unnormalised(fused=False),
    "optax/unnormalised": _unnormalised(fused=False),
    "tf/softmax-xent/unnormalised": _unnormalised(fused=True),
    "torch/invalid/y_too_large": "IndexError: Target 4 is out of bounds.",
    "torch/invalid/y_negative": "IndexError: Target -1 is out of bounds.",
    "tf/sparse/y_too_large": "InvalidArgumentError",
    "tf/sparse/y_negative": "InvalidArgumentError",
    "tf/sparse/y_ignored": "InvalidArgumentError",
    "torch/ignore-index-default": _value(
        lambda: EM["torch_cross_entropy"](IN["z"], IN["y_ignored"], np.ones(4))),
    "torch/channels-first": _value(
        lambda: EM["torch_channels_first"](IN["x_channels_first"], IN["y_channels_first"])),
    "torch/label-dtype/int64": _value(_losses_none),
    "torch/label-dtype/uint8": _value(_losses_none),
    "torch/label-dtype/int32": "RuntimeError: expected target dtype to be Long or Byte",
    "torch/label-dtype/float32": "RuntimeError: expected target dtype to be Long or Byte",
    "optax/float-labels": "TypeError",
    "torch/soft-margin/float32": _soft_margin(np.float32),
    "torch/soft-margin/float64": _soft_margin(np.float64),
    "torch/bce-with-logits/float32": _sigmoid_loss("soft_margin_x32", "soft_margin_label"),
    "torch/bce-with-logits/float64": _sigmoid_loss("soft_margin_x64", "soft_margin_label"),
    "torch/pos-weight/z0": _sigmoid_loss("weighted_z0", "weighted_t", "pos_weight"),
    "torch/pos-weight/soft-z0": _sigmoid_loss("weighted_z0", "weighted_t_soft", "pos_weight"),
    "jax/bce-log-recipe": _value(lambda: EM["log_recipe"](IN["q_perfect"], IN["t_perfect"])),
    "jax/bce-xlogy-recipe": _value(lambda: crossent.binary_cross_entropy(
        IN["q_perfect"], IN["t_perfect"], reduction="none")),
    "torch/naive-cross-entropy": _naive_cross_entropy,
    "jax/naive-cross-entropy": _naive_cross_entropy,
    "torch/xlogy-cross-entropy": _true_log_grad,
    "jax/xlogy-cross-entropy": _true_log_grad,
    "torch/nll-of-log": _true_log_grad,
}
for _labels in ("y", "y_ignored"):
    for _smoothing in (0.0, 0.1):
        CHECKS[f"torch/weighted-mean/{_labels}/ls{_smoothing:g}"] = _torch_weighted(
            _labels, _smoothing)
for _labels in ("y", "y_too_large", "y_negative", "y_ignored"):
    CHECKS[f"optax/integer-labels/{_labels}"] = _value(
        lambda labels=_labels: EM["optax_integer_labels"](IN["z"], IN[labels]))
for _dtype in ("float32", "float64"):
    CHECKS[f"tf/weighted/weighted_z0/{_dtype}"] = _sigmoid_loss(
        "weighted_z0", "weighted_t", "pos_weight", tf_grad=True)
    CHECKS[f"tf/weighted/weighted_z1/{_dtype}"] = _sigmoid_loss(
        "weighted_z1", "weighted_t", "pos_weight", tf_grad=True)
    CHECKS[f"tf/sigmoid-xent/weighted_z0/{_dtype}"] = _sigmoid_loss("weighted_z0", "weighted_t")
    # Fractional targets: the weighted loss still gives 1 - t at 0, the unweighted one the
    # true gradient.
    for _logits in ("weighted_z0", "weighted_z1"):
        CHECKS[f"tf/weighted-soft/{_logits}/{_dtype}"] = _sigmoid_loss(
            _logits, "weighted_t_soft", "pos_weight", tf_grad=True)
    CHECKS[f"tf/sigmoid-xent-soft/weighted_z0/{_dtype}"] = _sigmoid_loss(
        "weighted_z0", "weighted_t_soft")

for _backend in KERAS_BACKENDS:
    _k = f"keras-{_backend}"
    CHECKS[f"{_k}/smoothing-categorical"] = _value(_smoothed_categorical)
    CHECKS[f"{_k}/smoothing-binary"] = _value(
        lambda: EM["keras_binary"](IN["z"], IN["multi_hot"], IN["eps"]))
    for _reduction in ("sum_over_batch_size", "mean", "sum", "mean_with_sample_weight", "none"):
        CHECKS[f"{_k}/reduction/{_reduction}"] = _value(
            lambda reduction=_reduction: EM["keras_reduce"](
                _losses_none(), IN["weight"][IN["y"]], reduction))
    CHECKS[f"{_k}/binary-mean"] = _value(
        lambda: EM["keras_binary"](IN["z"], IN["multi_hot"]).mean())
    _has_grad = _backend != "numpy"
    _probs = _keras_probs(clip_first=False)
    _sparse = _keras_probs(clip_first=_backend == "tensorflow")
    CHECKS[f"{_k}/probs-categorical"] = _probs if _has_grad else _no_grad(_probs)
    CHECKS[f"{_k}/probs-sparse"] = _sparse if _has_grad else _no_grad(_sparse)
    # Only the TensorFlow backend traces keras.activations.sigmoid back to its logits.
    _sigmoid = _keras_sigmoid(from_logits=_backend == "tensorflow")
    CHECKS[f"{_k}/sigmoid-keras"] = _sigmoid if _has_grad else _no_grad(_sigmoid)
    if _has_grad:
        CHECKS[f"{_k}/sigmoid-other"] = _keras_sigmoid(from_logits=False)
    _soft = _unnormalised(fused=_backend == "tensorflow")
    CHECKS[f"{_k}/unnormalised"] = _soft if _has_grad else _no_grad(_soft)
    CHECKS[f"{_k}/from-logits-default"] = _value(lambda: EM["keras_probs"](IN["z"], ONE_HOT))
    CHECKS[f"{_k}/float-labels"] = _value(
        lambda: EM["keras_float_labels"](IN["z"], IN["y_float"]))
    CHECKS[f"{_k}/channels-first-axis1"] = _value(
        lambda: EM["torch_channels_first"](IN["x_channels_first"], IN["y_channels_first"]))
    for _labels in ("y_too_large", "y_negative", "y_ignored"):
        if _backend == "tensorflow":
            CHECKS[f"{_k}/invalid/{_labels}"] = "InvalidArgumentError"
        elif _backend == "numpy" and _labels == "y_too_large":
            CHECKS[f"{_k}/invalid/{_labels}"] = "IndexError"
        else:
            CHECKS[f"{_k}/invalid/{_labels}"] = _value(
                lambda labels=_labels: EM["keras_jax_sparse"](IN["z"], IN[labels]))


def _tolerance(record: dict) -> dict:
    # Some backends compute in float32 whatever dtype was asked for (Keras's NumPy backend,
    # its JAX backend's binary loss, tf.compat.v1): their results are float32 numbers.
    values = np.array(record["value"], dtype=np.float64)
    if record["framework"] == "Keras (numpy backend)":
        return {"rtol": 2e-6, "atol": 1e-6}
    if record["dtype"] == "float32" or np.array_equal(values.astype(np.float32), values,
                                                      equal_nan=True):
        return {"rtol": 2e-6, "atol": 1e-6}
    return {"rtol": 1e-10, "atol": 1e-12}


def test_every_case_is_checked():
    assert sorted(CASES) == sorted(CHECKS)


def test_versions_are_recorded():
    versions = REFERENCE["versions"]
    for library in ("torch", "tensorflow", "keras", "jax", "optax", "numpy", "python"):
        assert re.match(r"\d+\.\d+", versions.get(library, "")), library
    assert versions["torch"].startswith("2.13")
    assert versions["keras"].startswith("3.15")
    assert versions["optax"] == "0.2.8"


def test_the_chapter_defines_its_emulations():
    for name in ("smooth_categorical", "keras_binary", "torch_cross_entropy", "keras_reduce",
                 "caffe_normalizer", "keras_probs", "torch_bce", "tf_fused_grad",
                 "optax_integer_labels", "keras_jax_sparse", "soft_margin", "tf_weighted_grad",
                 "log_recipe", "autograd_log_grad"):
        assert callable(EM.get(name)), name


@pytest.mark.parametrize("name", sorted(CASES))
def test_emulation_matches_the_framework(name: str):
    record, check = CASES[name], CHECKS[name]
    assert record["call"]
    if isinstance(check, str):
        assert "error" in record, f"{name}: the framework returned {record.get('value')}"
        assert record["error"].startswith(check), record["error"]
        return
    assert "error" not in record, record["error"]
    value, grad = check()
    tolerance = _tolerance(record)
    np.testing.assert_allclose(np.asarray(value, dtype=np.float64),
                               np.array(record["value"], dtype=np.float64), **tolerance)
    if "grad" in record:
        assert grad is not None, f"{name}: the framework has a gradient; check it"
        np.testing.assert_allclose(np.asarray(grad, dtype=np.float64),
                                   np.array(record["grad"], dtype=np.float64),
                                   rtol=max(tolerance["rtol"], 1e-6),
                                   atol=max(tolerance["atol"], 1e-7))
    else:
        assert grad is None, f"{name}: no stored gradient to compare with"


@pytest.mark.parametrize("labels", ["y_too_large", "y_negative"])
def test_crossent_rejects_what_the_frameworks_disagree_on(labels: str):
    with pytest.raises(ValueError, match=r"labels must be class indices in \[0, 4\)"):
        crossent.softmax_cross_entropy_with_integer_labels(IN["z"], IN[labels])
    with pytest.raises(TypeError, match="labels must be an array of integers"):
        crossent.softmax_cross_entropy_with_integer_labels(IN["z"], IN["y_float"])


def test_the_findings_hold_in_the_stored_data():
    # SoftMarginLoss: inf with a NaN gradient where BCEWithLogitsLoss gives |yx| and -1.
    for dtype in ("float32", "float64"):
        soft = CASES[f"torch/soft-margin/{dtype}"]
        assert np.isinf(soft["value"][1:]).all() and np.isnan(soft["grad"][1:]).all()
        assert CASES[f"torch/bce-with-logits/{dtype}"]["grad"] == [-1.0, -1.0, -1.0]
    # weighted_cross_entropy_with_logits at 0: [0, 1, 0, 1] against [-0.5, 0.5, -1.5, 0.5].
    assert CASES["tf/weighted/weighted_z0/float32"]["grad"] == [0.0, 1.0, 0.0, 1.0]
    assert CASES["torch/pos-weight/z0"]["grad"] == [-0.5, 0.5, -1.5, 0.5]
    # At fractional targets: 1 - t from TensorFlow, l / 2 - w_+ t with l = 1 + (w_+ - 1) t
    # from PyTorch, and 1/2 - t from sigmoid_cross_entropy_with_logits.
    t_soft, w_plus = np.array(IN["weighted_t_soft"]), np.array(IN["pos_weight"])
    ell = 1 + (w_plus - 1) * t_soft
    for dtype in ("float32", "float64"):
        assert CASES[f"tf/weighted-soft/weighted_z0/{dtype}"]["grad"] == list(1 - t_soft)
        assert CASES[f"tf/sigmoid-xent-soft/weighted_z0/{dtype}"]["grad"] == list(0.5 - t_soft)
    assert CASES["torch/pos-weight/soft-z0"]["grad"] == list(ell / 2 - w_plus * t_soft)
    # The log recipe is NaN for a perfect prediction; xlogy is 0.
    assert np.isnan(CASES["jax/bce-log-recipe"]["value"][:2]).all()
    assert CASES["jax/bce-xlogy-recipe"]["value"][:2] == [0.0, 0.0]
    # Keras on JAX and NumPy returns 0 for the label -100; TensorFlow raises.
    for backend in ("jax", "numpy"):
        assert CASES[f"keras-{backend}/invalid/y_ignored"]["value"][1] == 0.0
    assert CASES["tf/sparse/y_ignored"]["error"].startswith("InvalidArgumentError")
    # Keras 3 accepts "mean" and "none".
    for backend in KERAS_BACKENDS:
        assert "value" in CASES[f"keras-{backend}/reduction/mean"]
        assert len(CASES[f"keras-{backend}/reduction/none"]["value"]) == 3
