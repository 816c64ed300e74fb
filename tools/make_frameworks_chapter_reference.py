"""Write what the real frameworks do to tests/data/frameworks_chapter.json.

The frameworks chapter (``book/practice/frameworks.ipynb``) shows how PyTorch,
TensorFlow/Keras and JAX/optax differ on one loss, and reproduces each behaviour with a
short emulation in ``crossent`` and NumPy. ``tests/test_frameworks_chapter.py`` runs the
chapter's emulation cells on the inputs stored here and compares them with what the real
libraries returned, so neither the chapter nor the test needs a framework installed.

Run it from the repository root with a Python that has torch 2.13, tensorflow-cpu 2.21,
keras 3.15, jax and optax 0.2.8 (the scratch venv of ``make framework-reference``)::

    .venv/frameworks/bin/python tools/make_frameworks_chapter_reference.py

It starts one subprocess per library (``--part torch``, ``--part jax``) and one per Keras
backend (``--part keras-tensorflow``, ``keras-jax``, ``keras-numpy``), because Keras picks
its backend from ``KERAS_BACKEND`` when it is first imported. TensorFlow's own functions
(``tf.nn``, ``tf.compat.v1``) run in the ``keras-tensorflow`` part. Everything runs on the
CPU; GPU behaviour is cited in the chapter, not checked.

The file holds ``versions`` (every library's version), ``inputs`` (the arrays, as lists),
and ``cases``: one record per call, with the exact call that ran (``call``), the inputs it
read, its dtype, and either ``value`` (and ``grad``, the autograd gradient of the sum of
the values with respect to ``grad_wrt``, where the framework has autograd) or ``error``
(the exception's type and message). NaN and infinities are written as JSON's ``NaN``
and ``Infinity``, which Python's ``json`` reads back.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import numpy as np

OUTPUT = pathlib.Path(__file__).resolve().parents[1] / "tests" / "data" / "frameworks_chapter.json"
PARTS = ("torch", "jax", "keras-tensorflow", "keras-jax", "keras-numpy")

# The chapter's running example and the inputs of every demonstration (float64 unless the
# name says float32). Classes are on the last axis except in "x_channels_first".
INPUTS = {
    "z": [[1.0, 2.0, 0.5, -1.0], [0.0, -1.0, 3.0, 0.5], [2.0, 0.0, 0.0, 1.0]],
    "y": [1, 2, 0],
    "weight": [1.0, 2.0, 0.5, 4.0],
    "eps": 0.1,
    "y_ignored": [1, -100, 0],
    "multi_hot": [[0.0, 1.0, 0.0, 1.0], [0.0, 0.0, 1.0, 0.0], [1.0, 0.0, 0.0, 1.0]],
    "t_unnormalised": [[0.5, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.25, 0.25, 0.25, 0.0]],
    "probs": [[0.1, 0.6, 0.2, 0.1], [0.0, 0.5, 0.3, 0.0], [0.3, 0.3, 0.3, 0.3]],
    "y_probs": [1, 0, 2],
    "sample_weight_tf1": [1.0, 0.0, 2.0],
    "q_bce": [0.0, 1e-60, 0.3, 1.0],
    "t_bce": [1.0, 1.0, 0.0, 0.0],
    "s_sigmoid": [[-20.0]],
    "t_sigmoid": [[1.0]],
    "y_too_large": [1, 4, 0],
    "y_negative": [1, -1, 0],
    "y_float": [1.0, 2.9, 0.0],
    "x_channels_first": [
        [[0.3, -1.2, 2.0], [1.5, 0.0, -0.5], [-0.7, 0.8, 0.1], [0.0, 2.5, -1.0]],
        [[2.2, 0.4, -0.3], [-1.0, 1.1, 0.6], [0.5, -0.2, 1.7], [1.0, 0.0, 0.0]],
    ],
    "y_channels_first": [[3, 3, 0], [0, 1, 2]],
    "soft_margin_x32": [-80.0, -90.0, -100.0],
    "soft_margin_x64": [-700.0, -710.0, -750.0],
    "soft_margin_label": [1.0, 1.0, 1.0],
    "weighted_z0": [0.0, 0.0, 0.0, 0.0],
    "weighted_z1": [0.5, -0.5, 2.0, -2.0],
    "weighted_t": [1.0, 0.0, 1.0, 0.0],
    "weighted_t_soft": [0.5, 0.25, 0.5, 0.75],
    "pos_weight": [1.0, 1.0, 3.0, 3.0],
    "q_perfect": [1.0, 0.0, 0.3],
    "t_perfect": [1.0, 0.0, 1.0],
    "q_onehot": [[1.0, 0.0, 0.0], [0.2, 0.5, 0.3]],
    "p_onehot": [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]],
    "y_onehot": [0, 1],
}


def arr(name: str, dtype: str = "float64") -> np.ndarray:
    return np.array(INPUTS[name], dtype=dtype)


def onehot(name: str, classes: int = 4) -> np.ndarray:
    return np.eye(classes)[np.array(INPUTS[name])]


def plain(value):
    """A JSON-ready copy of an array or scalar (floats, NaN and infinities kept)."""
    array = np.asarray(value, dtype=np.float64)
    return array.tolist()


class Recorder:
    """Collects one record per call, under a unique name."""

    def __init__(self, framework: str) -> None:
        self.framework = framework
        self.cases: dict[str, dict] = {}

    def run(self, name, call, function, *, inputs, dtype="float64", grad_wrt=None):
        if name in self.cases:
            raise ValueError(f"two cases are named {name!r}")
        record = {"framework": self.framework, "call": call, "inputs": list(inputs),
                  "dtype": dtype}
        try:
            result = function()
        except Exception as error:  # the error is the result
            message = " ".join(str(error).split())
            record["error"] = f"{type(error).__name__}: {message}"[:400]
        else:
            value, grad = result if isinstance(result, tuple) else (result, None)
            record["value"] = plain(value)
            if grad is not None:
                record["grad"] = plain(grad)
                record["grad_wrt"] = grad_wrt
        self.cases[name] = record


# --------------------------------------------------------------------------------------
# PyTorch
# --------------------------------------------------------------------------------------


def part_torch() -> tuple[dict, dict]:
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(1)
    r = Recorder("PyTorch")

    def t(name, dtype=torch.float64, grad=False):
        tensor = torch.tensor(INPUTS[name], dtype=dtype)
        return tensor.requires_grad_(grad)

    def value_and_grad(loss, leaf):
        loss.sum().backward()
        return loss.detach(), leaf.grad

    y = torch.tensor(INPUTS["y"])
    weight = t("weight")
    eps = INPUTS["eps"]

    r.run("torch/smoothing/none",
          "F.cross_entropy(z, y, label_smoothing=eps, reduction='none')",
          lambda: F.cross_entropy(t("z"), y, label_smoothing=eps, reduction="none"),
          inputs=["z", "y", "eps"])
    for labels in ("y", "y_ignored"):
        for smoothing in (0.0, eps):
            def weighted(labels=labels, smoothing=smoothing):
                z = t("z", grad=True)
                loss = F.cross_entropy(z, torch.tensor(INPUTS[labels]), weight=weight,
                                       label_smoothing=smoothing)
                return value_and_grad(loss, z)

            r.run(f"torch/weighted-mean/{labels}/ls{smoothing:g}",
                  f"F.cross_entropy(z, {labels}, weight=weight, label_smoothing={smoothing:g})",
                  weighted, inputs=["z", labels, "weight"], grad_wrt="z")

    def probability_targets():
        z = t("z", grad=True)
        loss = F.cross_entropy(z, torch.tensor(onehot("y")), weight=weight)
        return value_and_grad(loss, z)

    r.run("torch/weighted-mean/one-hot",
          "F.cross_entropy(z, F.one_hot(y, 4).double(), weight=weight)",
          probability_targets, inputs=["z", "y", "weight"], grad_wrt="z")

    def bce_with_logits():
        z = t("z", grad=True)
        return value_and_grad(F.binary_cross_entropy_with_logits(z, t("multi_hot")), z)

    r.run("torch/binary-mean/bce-with-logits",
          "F.binary_cross_entropy_with_logits(z, multi_hot)",
          bce_with_logits, inputs=["z", "multi_hot"], grad_wrt="z")
    r.run("torch/binary-mean/multilabel-soft-margin",
          "F.multilabel_soft_margin_loss(z, multi_hot)",
          lambda: F.multilabel_soft_margin_loss(t("z"), t("multi_hot")),
          inputs=["z", "multi_hot"])

    def bce_clamp():
        q = t("q_bce", grad=True)
        loss = F.binary_cross_entropy(q, t("t_bce"), reduction="none")
        return value_and_grad(loss, q)

    r.run("torch/bce-clamp", "F.binary_cross_entropy(q, t, reduction='none')",
          bce_clamp, inputs=["q_bce", "t_bce"], grad_wrt="q_bce")

    def unnormalised():
        z = t("z", grad=True)
        return value_and_grad(F.cross_entropy(z, t("t_unnormalised"), reduction="none"), z)

    r.run("torch/unnormalised", "F.cross_entropy(z, t_unnormalised, reduction='none')",
          unnormalised, inputs=["z", "t_unnormalised"], grad_wrt="z")

    for labels in ("y_too_large", "y_negative"):
        r.run(f"torch/invalid/{labels}", f"F.cross_entropy(z, {labels})",
              lambda labels=labels: F.cross_entropy(t("z"), torch.tensor(INPUTS[labels])),
              inputs=["z", labels])
    r.run("torch/ignore-index-default", "F.cross_entropy(z, y_ignored)",
          lambda: F.cross_entropy(t("z"), torch.tensor(INPUTS["y_ignored"])),
          inputs=["z", "y_ignored"])
    r.run("torch/channels-first",
          "F.cross_entropy(x_channels_first, y_channels_first, reduction='none')",
          lambda: F.cross_entropy(t("x_channels_first"), torch.tensor(INPUTS["y_channels_first"]),
                                  reduction="none"),
          inputs=["x_channels_first", "y_channels_first"])
    for dtype_name, dtype in (("int64", torch.int64), ("int32", torch.int32),
                              ("uint8", torch.uint8), ("float32", torch.float32)):
        r.run(f"torch/label-dtype/{dtype_name}",
              f"F.cross_entropy(z, y.to(torch.{dtype_name}), reduction='none')",
              lambda dtype=dtype: F.cross_entropy(t("z"), y.to(dtype), reduction="none"),
              inputs=["z", "y"])

    # Finding 1: SoftMarginLoss overflows where BCEWithLogitsLoss does not.
    for name, dtype, label in (("soft_margin_x32", torch.float32, "float32"),
                               ("soft_margin_x64", torch.float64, "float64")):
        def soft_margin(name=name, dtype=dtype):
            x = t(name, dtype=dtype, grad=True)
            loss = F.soft_margin_loss(x, t("soft_margin_label", dtype=dtype), reduction="none")
            return value_and_grad(loss, x)

        def bce_logits(name=name, dtype=dtype):
            x = t(name, dtype=dtype, grad=True)
            loss = F.binary_cross_entropy_with_logits(x, t("soft_margin_label", dtype=dtype),
                                                      reduction="none")
            return value_and_grad(loss, x)

        r.run(f"torch/soft-margin/{label}",
              f"F.soft_margin_loss(x, y, reduction='none'), {label}",
              soft_margin, inputs=[name, "soft_margin_label"], dtype=label, grad_wrt=name)
        r.run(f"torch/bce-with-logits/{label}",
              f"F.binary_cross_entropy_with_logits(x, (y + 1) / 2, reduction='none'), {label}",
              bce_logits, inputs=[name, "soft_margin_label"], dtype=label, grad_wrt=name)

    # Finding 2, PyTorch's side: the right gradient at z = 0 with pos_weight, for 0/1
    # targets and at fractional targets, where the gradient at 0 is l / 2 - w_+ t.
    for case, target, name in (("z0", "weighted_t", "t"), ("soft-z0", "weighted_t_soft", "t_soft")):
        def pos_weight_at_zero(target=target):
            z = t("weighted_z0", grad=True)
            loss = F.binary_cross_entropy_with_logits(z, t(target),
                                                      pos_weight=t("pos_weight"), reduction="none")
            return value_and_grad(loss, z)

        r.run(f"torch/pos-weight/{case}",
              f"F.binary_cross_entropy_with_logits(z, {name}, pos_weight=pos_weight, "
              "reduction='none')",
              pos_weight_at_zero, inputs=["weighted_z0", target, "pos_weight"],
              grad_wrt="weighted_z0")

    # Finding 4: -(p * log q).sum() is NaN at p = q = e_0; the gradients with respect to q.
    r.run("torch/naive-cross-entropy", "-(p * torch.log(q)).sum(dim=1)",
          lambda: -(t("p_onehot") * torch.log(t("q_onehot"))).sum(dim=1),
          inputs=["p_onehot", "q_onehot"])

    def xlogy_form():
        q = t("q_onehot", grad=True)
        return value_and_grad(-torch.xlogy(t("p_onehot"), q).sum(dim=1), q)

    def nll_of_log():
        q = t("q_onehot", grad=True)
        loss = F.nll_loss(torch.log(q), torch.tensor(INPUTS["y_onehot"]), reduction="none")
        return value_and_grad(loss, q)

    r.run("torch/xlogy-cross-entropy", "-torch.xlogy(p, q).sum(dim=1)", xlogy_form,
          inputs=["p_onehot", "q_onehot"], grad_wrt="q_onehot")
    r.run("torch/nll-of-log", "F.nll_loss(torch.log(q), y, reduction='none')", nll_of_log,
          inputs=["q_onehot", "y_onehot"], grad_wrt="q_onehot")
    return r.cases, {"torch": torch.__version__}


# --------------------------------------------------------------------------------------
# JAX and optax
# --------------------------------------------------------------------------------------


def part_jax() -> tuple[dict, dict]:
    import jax

    jax.config.update("jax_enable_x64", True)
    jax.config.update("jax_platforms", "cpu")
    import jax.numpy as jnp
    import optax
    from jax.scipy.special import xlog1py, xlogy

    r = Recorder("JAX/optax")

    def j(name, dtype=jnp.float64):
        return jnp.array(INPUTS[name], dtype=dtype)

    z, eps = j("z"), INPUTS["eps"]
    r.run("optax/smoothing",
          "optax.softmax_cross_entropy(z, optax.smooth_labels(jax.nn.one_hot(y, 4), eps))",
          lambda: optax.softmax_cross_entropy(
              z, optax.smooth_labels(jax.nn.one_hot(j("y", jnp.int32), 4), eps)),
          inputs=["z", "y", "eps"])
    r.run("optax/smooth-labels-multi-hot", "optax.smooth_labels(multi_hot, eps)",
          lambda: optax.smooth_labels(j("multi_hot"), eps), inputs=["multi_hot", "eps"])

    def unnormalised():
        loss = optax.softmax_cross_entropy(z, j("t_unnormalised"))
        grad = jax.grad(lambda v: optax.softmax_cross_entropy(v, j("t_unnormalised")).sum())(z)
        return loss, grad

    r.run("optax/unnormalised", "optax.softmax_cross_entropy(z, t_unnormalised)",
          unnormalised, inputs=["z", "t_unnormalised"], grad_wrt="z")
    for labels in ("y", "y_too_large", "y_negative", "y_ignored"):
        r.run(f"optax/integer-labels/{labels}",
              f"optax.softmax_cross_entropy_with_integer_labels(z, {labels})",
              lambda labels=labels: optax.softmax_cross_entropy_with_integer_labels(
                  z, j(labels, jnp.int32)),
              inputs=["z", labels])
    r.run("optax/sigmoid-mean", "optax.sigmoid_binary_cross_entropy(z, multi_hot).mean()",
          lambda: optax.sigmoid_binary_cross_entropy(z, j("multi_hot")).mean(),
          inputs=["z", "multi_hot"])
    r.run("optax/float-labels", "optax.softmax_cross_entropy_with_integer_labels(z, y_float)",
          lambda: optax.softmax_cross_entropy_with_integer_labels(z, j("y_float")),
          inputs=["z", "y_float"])

    # Finding 3: the log / log1p recipe is NaN for a perfect prediction; xlogy is not.
    q, t = j("q_perfect"), j("t_perfect")
    r.run("jax/bce-log-recipe", "-(t * jnp.log(q) + (1 - t) * jnp.log1p(-q))",
          lambda: -(t * jnp.log(q) + (1 - t) * jnp.log1p(-q)), inputs=["q_perfect", "t_perfect"])
    r.run("jax/bce-xlogy-recipe", "-(xlogy(t, q) + xlog1py(1 - t, -q))",
          lambda: -(xlogy(t, q) + xlog1py(1 - t, -q)), inputs=["q_perfect", "t_perfect"])

    # Finding 4, JAX's side: the gradient of -xlogy(p, q) with respect to q.
    p, q1 = j("p_onehot"), j("q_onehot")

    def xlogy_grad():
        value = -xlogy(p, q1).sum(axis=1)
        return value, jax.grad(lambda v: -xlogy(p, v).sum())(q1)

    r.run("jax/xlogy-cross-entropy", "-xlogy(p, q).sum(axis=1)", xlogy_grad,
          inputs=["p_onehot", "q_onehot"], grad_wrt="q_onehot")
    r.run("jax/naive-cross-entropy", "-(p * jnp.log(q)).sum(axis=1)",
          lambda: -(p * jnp.log(q1)).sum(axis=1), inputs=["p_onehot", "q_onehot"])
    return r.cases, {"jax": jax.__version__, "optax": optax.__version__}


# --------------------------------------------------------------------------------------
# Keras 3 on one backend, and TensorFlow's own functions on the TensorFlow backend
# --------------------------------------------------------------------------------------


def part_keras(backend: str) -> tuple[dict, dict]:
    import keras

    assert keras.backend.backend() == backend, keras.backend.backend()
    r = Recorder(f"Keras ({backend} backend)")
    losses = keras.losses
    f64 = {"dtype": "float64"}
    eps = INPUTS["eps"]
    z, y, t_y = arr("z"), arr("y", "int64"), onehot("y")

    if backend == "tensorflow":
        import tensorflow as tf

        def value_and_grad(function, x):
            x = tf.Variable(x)
            with tf.GradientTape() as tape:
                loss = function(x)
                total = tf.reduce_sum(loss)
            return loss.numpy(), tape.gradient(total, x).numpy()
    elif backend == "jax":
        import jax

        def value_and_grad(function, x):
            return function(x), jax.grad(lambda v: function(v).sum())(x)
    else:
        value_and_grad = None

    def with_grad(function, x):
        if value_and_grad is None:
            return function(x)
        return value_and_grad(function, x)

    prefix = f"keras-{backend}"
    r.run(f"{prefix}/smoothing-categorical",
          "CategoricalCrossentropy(from_logits=True, label_smoothing=eps, reduction='none')"
          "(one_hot(y), z)",
          lambda: losses.CategoricalCrossentropy(from_logits=True, label_smoothing=eps,
                                                 reduction="none", **f64)(t_y, z),
          inputs=["z", "y", "eps"])
    r.run(f"{prefix}/smoothing-binary",
          "BinaryCrossentropy(from_logits=True, label_smoothing=eps, reduction='none')"
          "(multi_hot, z)",
          lambda: losses.BinaryCrossentropy(from_logits=True, label_smoothing=eps,
                                            reduction="none", **f64)(arr("multi_hot"), z),
          inputs=["z", "multi_hot", "eps"])
    sample_weight = np.array(INPUTS["weight"])[y]
    for reduction in ("sum_over_batch_size", "mean", "sum", "mean_with_sample_weight", "none"):
        r.run(f"{prefix}/reduction/{reduction}",
              f"CategoricalCrossentropy(from_logits=True, reduction={reduction!r})"
              "(one_hot(y), z, sample_weight=weight[y])",
              lambda reduction=reduction: losses.CategoricalCrossentropy(
                  from_logits=True, reduction=reduction, **f64)(t_y, z, sample_weight=sample_weight),
              inputs=["z", "y", "weight"])
    r.run(f"{prefix}/binary-mean", "BinaryCrossentropy(from_logits=True)(multi_hot, z)",
          lambda: losses.BinaryCrossentropy(from_logits=True, **f64)(arr("multi_hot"), z),
          inputs=["z", "multi_hot"])

    # Probabilities: renormalised and clipped, in an order that depends on the backend.
    probs, y_probs = arr("probs"), arr("y_probs", "int64")
    r.run(f"{prefix}/probs-categorical",
          "CategoricalCrossentropy(reduction='none')(one_hot(y_probs), probs)",
          lambda: with_grad(lambda p: losses.CategoricalCrossentropy(reduction="none", **f64)(
              onehot("y_probs"), p), probs),
          inputs=["probs", "y_probs"], grad_wrt="probs")
    r.run(f"{prefix}/probs-sparse",
          "SparseCategoricalCrossentropy(reduction='none')(y_probs, probs)",
          lambda: with_grad(lambda p: losses.SparseCategoricalCrossentropy(
              reduction="none", **f64)(y_probs, p), probs),
          inputs=["probs", "y_probs"], grad_wrt="probs")

    # The clip's gradient at s = -20, and the TensorFlow backend's trace back to the logits.
    s, t_s = arr("s_sigmoid", "float32"), arr("t_sigmoid", "float32")
    r.run(f"{prefix}/sigmoid-keras",
          "BinaryCrossentropy(reduction='none')(t, keras.activations.sigmoid(s)), float32",
          lambda: with_grad(lambda v: losses.BinaryCrossentropy(reduction="none")(
              t_s, keras.activations.sigmoid(v)), s),
          inputs=["s_sigmoid", "t_sigmoid"], dtype="float32", grad_wrt="s_sigmoid")
    if backend != "numpy":
        if backend == "tensorflow":
            other, other_call = tf.math.sigmoid, "tf.math.sigmoid"
        else:
            other, other_call = jax.nn.sigmoid, "jax.nn.sigmoid"
        r.run(f"{prefix}/sigmoid-other",
              f"BinaryCrossentropy(reduction='none')(t, {other_call}(s)), float32",
              lambda: with_grad(lambda v: losses.BinaryCrossentropy(reduction="none")(
                  t_s, other(v)), s),
              inputs=["s_sigmoid", "t_sigmoid"], dtype="float32", grad_wrt="s_sigmoid")

    r.run(f"{prefix}/unnormalised",
          "CategoricalCrossentropy(from_logits=True, reduction='none')(t_unnormalised, z)",
          lambda: with_grad(lambda v: losses.CategoricalCrossentropy(
              from_logits=True, reduction="none", **f64)(arr("t_unnormalised"), v), z),
          inputs=["z", "t_unnormalised"], grad_wrt="z")
    for labels in ("y_too_large", "y_negative", "y_ignored"):
        r.run(f"{prefix}/invalid/{labels}",
              f"SparseCategoricalCrossentropy(from_logits=True, reduction='none')({labels}, z)",
              lambda labels=labels: losses.SparseCategoricalCrossentropy(
                  from_logits=True, reduction="none", **f64)(arr(labels, "int64"), z),
              inputs=["z", labels])
    r.run(f"{prefix}/from-logits-default",
          "CategoricalCrossentropy(reduction='none')(one_hot(y), z)",
          lambda: losses.CategoricalCrossentropy(reduction="none", **f64)(t_y, z),
          inputs=["z", "y"])
    r.run(f"{prefix}/float-labels",
          "SparseCategoricalCrossentropy(from_logits=True, reduction='none')(y_float, z)",
          lambda: losses.SparseCategoricalCrossentropy(from_logits=True, reduction="none",
                                                       **f64)(arr("y_float"), z),
          inputs=["z", "y_float"])
    x_cf = arr("x_channels_first")
    t_cf = np.moveaxis(np.eye(4)[np.array(INPUTS["y_channels_first"])], -1, 1)
    r.run(f"{prefix}/channels-first-axis1",
          "CategoricalCrossentropy(from_logits=True, axis=1, reduction='none')"
          "(one_hot(y_channels_first) on axis 1, x_channels_first)",
          lambda: losses.CategoricalCrossentropy(from_logits=True, axis=1, reduction="none",
                                                 **f64)(t_cf, x_cf),
          inputs=["x_channels_first", "y_channels_first"])

    versions = {"keras": keras.__version__}
    if backend != "tensorflow":
        return r.cases, versions

    # TensorFlow's own functions.
    versions["tensorflow"] = tf.__version__
    tfr = Recorder("TensorFlow")
    tfr.run("tf/softmax-xent/unnormalised",
            "tf.nn.softmax_cross_entropy_with_logits(labels=t_unnormalised, logits=z)",
            lambda: value_and_grad(lambda v: tf.nn.softmax_cross_entropy_with_logits(
                labels=arr("t_unnormalised"), logits=v), z),
            inputs=["z", "t_unnormalised"], grad_wrt="z")
    for labels in ("y_too_large", "y_negative", "y_ignored"):
        tfr.run(f"tf/sparse/{labels}",
                f"tf.nn.sparse_softmax_cross_entropy_with_logits(labels={labels}, logits=z)",
                lambda labels=labels: tf.nn.sparse_softmax_cross_entropy_with_logits(
                    labels=arr(labels, "int64"), logits=z),
                inputs=["z", labels])
    tfr.run("tf/compat-v1-default-reduction",
            "tf.compat.v1.losses.softmax_cross_entropy(one_hot(y), z, weights=sample_weight_tf1)",
            lambda: tf.compat.v1.losses.softmax_cross_entropy(
                t_y, z, weights=arr("sample_weight_tf1")),
            inputs=["z", "y", "sample_weight_tf1"])
    for dtype in ("float32", "float64"):
        for logits in ("weighted_z0", "weighted_z1"):
            tfr.run(f"tf/weighted/{logits}/{dtype}",
                    "tf.nn.weighted_cross_entropy_with_logits(t, z, pos_weight), " + dtype,
                    lambda logits=logits, dtype=dtype: value_and_grad(
                        lambda v: tf.nn.weighted_cross_entropy_with_logits(
                            arr("weighted_t", dtype), v, arr("pos_weight", dtype)),
                        arr(logits, dtype)),
                    inputs=[logits, "weighted_t", "pos_weight"], dtype=dtype, grad_wrt=logits)
        tfr.run(f"tf/sigmoid-xent/weighted_z0/{dtype}",
                "tf.nn.sigmoid_cross_entropy_with_logits(t, z), " + dtype,
                lambda dtype=dtype: value_and_grad(
                    lambda v: tf.nn.sigmoid_cross_entropy_with_logits(
                        arr("weighted_t", dtype), v), arr("weighted_z0", dtype)),
                inputs=["weighted_z0", "weighted_t"], dtype=dtype, grad_wrt="weighted_z0")
        # Fractional targets: the weighted loss still gives 1 - t at 0; the unweighted one,
        # built with where(z >= 0, ...), the true gradient 1/2 - t.
        for logits in ("weighted_z0", "weighted_z1"):
            tfr.run(f"tf/weighted-soft/{logits}/{dtype}",
                    "tf.nn.weighted_cross_entropy_with_logits(t_soft, z, pos_weight), " + dtype,
                    lambda logits=logits, dtype=dtype: value_and_grad(
                        lambda v: tf.nn.weighted_cross_entropy_with_logits(
                            arr("weighted_t_soft", dtype), v, arr("pos_weight", dtype)),
                        arr(logits, dtype)),
                    inputs=[logits, "weighted_t_soft", "pos_weight"], dtype=dtype,
                    grad_wrt=logits)
        tfr.run(f"tf/sigmoid-xent-soft/weighted_z0/{dtype}",
                "tf.nn.sigmoid_cross_entropy_with_logits(t_soft, z), " + dtype,
                lambda dtype=dtype: value_and_grad(
                    lambda v: tf.nn.sigmoid_cross_entropy_with_logits(
                        arr("weighted_t_soft", dtype), v), arr("weighted_z0", dtype)),
                inputs=["weighted_z0", "weighted_t_soft"], dtype=dtype,
                grad_wrt="weighted_z0")
    r.cases.update(tfr.cases)
    return r.cases, versions


def run_part(part: str) -> None:
    if part == "torch":
        cases, versions = part_torch()
    elif part == "jax":
        cases, versions = part_jax()
    else:
        cases, versions = part_keras(part.removeprefix("keras-"))
    versions["numpy"] = np.__version__
    json.dump({"cases": cases, "versions": versions}, sys.stdout)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--part":
        run_part(sys.argv[2])
        return
    cases: dict[str, dict] = {}
    versions: dict[str, str] = {"python": sys.version.split()[0]}
    for part in PARTS:
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="",
                   JAX_PLATFORMS="cpu", JAX_ENABLE_X64="1", OMP_NUM_THREADS="1")
        if part.startswith("keras-"):
            env["KERAS_BACKEND"] = part.removeprefix("keras-")
        done = subprocess.run([sys.executable, __file__, "--part", part], env=env,
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.exit(f"part {part} failed:\n{done.stderr}")
        result = json.loads(done.stdout)
        overlap = set(cases) & set(result["cases"])
        if overlap:
            sys.exit(f"part {part} repeats the cases {sorted(overlap)}")
        cases.update(result["cases"])
        for name, version in result["versions"].items():
            if versions.setdefault(name, version) != version:
                sys.exit(f"{name} {version} in part {part}, {versions[name]} before")
        print(f"{part}: {len(result['cases'])} cases", file=sys.stderr)
    payload = {"versions": versions, "inputs": INPUTS, "cases": dict(sorted(cases.items()))}
    OUTPUT.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size // 1024} KB, {len(cases)} cases)",
          file=sys.stderr)


if __name__ == "__main__":
    main()
