"""Run every registry entry with the real frameworks; write tests/data/framework_reference.json.

``crossent.names`` says which layer of which framework computes which loss, and with what
options, clipping and reduction; the "Equivalents" paragraphs of the loss docstrings say
the same in short. This script runs each of those claims with the real libraries, on small
fixed inputs that include confident and extreme rows, and stores the values and the
autograd gradients together with the exact call it ran. ``tests/test_framework_reference.py``
then checks every claim against ``crossent`` from the stored numbers, without any framework
installed.

Run it with ``make framework-reference``, which makes a scratch venv ``.venv/frameworks``
(inside ``.venv``, so that git and ruff ignore it, and never part of ``make test``) with the
versions pinned in the Makefile: PyTorch from a CPU wheel (``TORCH_WHEEL=...``, as for
``make bench``), tensorflow-cpu 2.21, keras 3.15, jax with optax 0.2.8 and scikit-learn 1.9.1,
and runs this script there. By hand, with those libraries installed:

    .venv/frameworks/bin/python tools/make_framework_reference.py

Each framework runs in a subprocess of its own (a *worker*), because Keras chooses its
backend when it is first imported: ``torch``; ``tensorflow`` (``tf.nn``, ``tf.compat.v1``
and Keras on the TensorFlow backend); ``jax`` (``jax``, ``optax`` and Keras on the JAX
backend); ``numpy`` (Keras on the NumPy backend, and scikit-learn). Every Keras case runs
on the three backends. Everything runs in float64 (Keras with ``floatx`` float64, JAX with
``jax_enable_x64``), except the cases that show a float32 threshold.

A case is a Python expression (``call``) evaluated with the inputs bound to short names
(``z`` logits, ``p``/``q`` probabilities, ``t`` targets, ``y`` labels, ...), and the
framework modules bound as ``torch``, ``tf``, ``keras``, ``jax``, ``jnp``, ``optax`` and
``sklearn``. The worker stores the value of that expression and, where the framework has
autograd (PyTorch, TensorFlow, JAX; not Keras's NumPy backend or scikit-learn), the
gradient of its sum with respect to the input named by ``wrt``. An exception is stored as
``error`` instead. Each case names the registry implementations and docstrings it
``covers`` and the ``claim`` it tests; the test file says what each claim means in
``crossent`` terms.

Caffe cannot be installed from the package index and is not run (:data:`NOT_RUNNABLE`);
per-device behaviour (GPU) is not run either. Every other implementation that the
registry lists, and every framework recipe in a note of the registry, is *runnable*:
:func:`registry_targets` lists them, and the test fails if one has no stored case.

The JSON file holds ``versions``, ``inputs`` (each input set: name -> {"dtype", "data"}),
``targets`` (what :func:`registry_targets` returned when it was written) and ``cases``.
Non-finite numbers are stored as the strings "nan", "inf" and "-inf", so the file is
strict JSON; ``numpy.asarray(data, dtype=float)`` reads them back.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "tests" / "data" / "framework_reference.json"

# The versions the Makefile pins; the script refuses others (the stored numbers depend on them).
VERSIONS = {
    "torch": "2.13.0",
    "tensorflow": "2.21.",
    "keras": "3.15.",
    "optax": "0.2.8",
    "sklearn": "1.9.1",
}

WORKERS = ("torch", "tensorflow", "jax", "numpy")
KERAS = ("tensorflow", "jax", "numpy")

# Frameworks of the registry that no case runs, and why.
NOT_RUNNABLE = {
    "Caffe": "Caffe is not on the package index and is unmaintained; its layers are cited, "
    "not run.",
}

# --------------------------------------------------------------------------------------
# The inputs. Each set is small and fixed; the extreme rows are chosen so that each
# framework's clip, clamp, cancellation or overflow shows.
# --------------------------------------------------------------------------------------

_T_BIN = [[1, 0, 1], [0, 0, 1], [1, 0, 0], [1, 0, 1]]
_TS_BIN = [[0.2, 0.9, 1.0], [0.5, 0.0, 0.3], [0.75, 0.1, 0.5], [0.0, 1.0, 0.6]]
_W_BIN = [[1.0, 0.5, 2.0], [0.0, 1.0, 1.5], [1.0, 1.0, 1.0], [0.3, 2.0, 1.0]]
_Y_CAT = [1, 0, 0, 2]
_Y_CE = [1, 0, 2, 1]


def _one_hot(labels: list[int], classes: int) -> list[list[float]]:
    return np.eye(classes)[labels].tolist()


INPUTS: dict[str, dict[str, tuple[str, Any]]] = {
    # Logits for the sigmoid losses: a zero logit, a confident right and wrong pair (+-40,
    # where PyTorch's formula cancels), and +-800, beyond float64's exp range.
    "sig": {
        "z": ("float", [[-3.0, 0.0, 2.5], [0.7, -1.2, 4.0], [40.0, -40.0, 0.5],
                        [-800.0, 800.0, 20.0]]),
        "t": ("float", _T_BIN),
        "ts": ("float", _TS_BIN),
        "ypm": ("float", (2 * np.array(_T_BIN) - 1).tolist()),
        "w": ("float", _W_BIN),
        "pw": ("float", [1.0, 3.0, 0.5]),
        "sw": ("float", [1.0, 0.0, 2.0, 0.5]),
    },
    # Finding 2: every logit exactly 0 (a zero-initialised output layer).
    "sig0": {
        "z": ("float", [0.0, 0.0, 0.0, 0.0]),
        "t": ("float", [1.0, 0.0, 1.0, 0.0]),
        "pw": ("float", [1.0, 1.0, 3.0, 3.0]),
    },
    # Finding 1: y z below -88.7 (float32) and -709.8 (float64).
    "softmargin": {
        "z": ("float", [-80.0, -88.0, -89.0, -100.0, -709.0, -710.0, -1000.0, 3.0]),
        "y": ("float", [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, -1.0]),
    },
    # Probabilities for binary cross-entropy: row 1 is a perfect prediction (q = t in {0, 1}).
    "bce": {
        "q": ("float", [[0.3, 0.9, 0.05], [1.0, 0.0, 0.5], [0.999, 1e-4, 0.6],
                        [0.25, 0.5, 0.75]]),
        "t": ("float", [[1, 0, 0], [1, 0, 1], [1, 0, 1], [0, 1, 1]]),
        "ts": ("float", [[0.2, 0.9, 1.0], [1.0, 0.0, 0.3], [0.75, 0.1, 0.5], [0.0, 1.0, 0.6]]),
        "w": ("float", _W_BIN),
    },
    # Confidently wrong probabilities: where the clamps and clips decide the value.
    "bce_wrong": {
        "q": ("float", [[0.0], [1.0], [1e-50], [1e-30]]),
        "t": ("float", [[1.0], [0.0], [1.0], [1.0]]),
    },
    # Logits for the softmax losses: a confident right row (40, 0, 0), whose loss is 8.5e-18,
    # and a confident wrong row (+-1000).
    "cat": {
        "z": ("float", [[1.0, 2.0, 0.5], [-0.3, 0.2, 0.1], [40.0, 0.0, 0.0],
                        [1000.0, 0.0, -1000.0]]),
        "y": ("int", _Y_CAT),
        "yi": ("int", [1, -100, 0, 2]),
        "t": ("float", _one_hot(_Y_CAT, 3)),
        "ts": ("float", [[0.1, 0.8, 0.1], [0.5, 0.25, 0.25], [1.0, 0.0, 0.0], [0.0, 0.3, 0.7]]),
        # Rows that do not sum to 1 (the fused TensorFlow gradient is wrong for them).
        "tu": ("float", [[0.2, 0.8, 0.4], [1.0, 1.0, 0.0], [0.5, 0.0, 0.0], [0.0, 0.3, 0.2]]),
        "tm": ("float", [[1, 1, 0], [0, 0, 1], [1, 0, 1], [1, 1, 1]]),
        "cw": ("float", [0.5, 2.0, 1.0]),
        "sw": ("float", [1.0, 0.0, 2.0, 0.5]),
    },
    # Probabilities for the cross-entropy: row 1 is p = t = e_0 (finding 4); row 3 has a
    # zero probability where the target is 0.
    "ce": {
        "p": ("float", [[0.2, 0.7, 0.1], [1.0, 0.0, 0.0], [0.5, 0.25, 0.25], [0.0, 0.4, 0.6]]),
        "pu": ("float", [[0.2, 0.7, 0.3], [2.0, 0.0, 0.0], [0.5, 0.25, 0.75], [0.0, 0.1, 0.1]]),
        "y": ("int", _Y_CE),
        "t": ("float", _one_hot(_Y_CE, 3)),
        "ts": ("float", [[0.1, 0.8, 0.1], [1.0, 0.0, 0.0], [0.5, 0.5, 0.0], [0.0, 0.5, 0.5]]),
    },
    # A zero (and a tiny) probability on the true class.
    "ce_wrong": {
        "p": ("float", [[0.0, 0.5, 0.5], [1e-12, 0.5, 0.5]]),
        "y": ("int", [0, 0]),
        "t": ("float", _one_hot([0, 0], 3)),
    },
    # Out-of-range labels: C and -1.
    "bad": {
        "z": ("float", [[1.0, 2.0, 0.5]]),
        "yC": ("int", [3]),
        "ym": ("int", [-1]),
        "tC": ("float", [[0.0, 0.0, 0.0]]),
    },
}


# --------------------------------------------------------------------------------------
# The registry implementations this script runs.
# --------------------------------------------------------------------------------------


def registry_targets() -> list[str]:
    """Every registry implementation or recipe that a case must cover, as an id.

    An :class:`~crossent.names.Implementation` is ``"<loss key> | <api[0]>"``; a
    framework without a built-in, whose note gives a recipe, is ``"<loss key> | <framework>
    note"``. The frameworks in :data:`NOT_RUNNABLE` are left out. The docstrings'
    "Equivalents" lines are ``"docstring | <module>.<function>"``.
    """
    from crossent.names import LOSSES

    targets = []
    for loss in LOSSES:
        for support in loss.frameworks:
            if support.framework in NOT_RUNNABLE:
                continue
            if support.implementations is None:
                targets.append(f"{loss.key} | {support.framework} note")
            else:
                targets.extend(f"{loss.key} | {impl.api[0]}" for impl in support.implementations)
    return targets + [f"docstring | {name}" for name in DOCSTRINGS]


DOCSTRINGS = (
    "crossent.categorical.cross_entropy",
    "crossent.categorical.softmax_cross_entropy",
    "crossent.categorical.softmax_cross_entropy_with_integer_labels",
    "crossent.binary.binary_cross_entropy",
    "crossent.binary.sigmoid_binary_cross_entropy",
    "crossent.multilabel.multilabel_softmax_cross_entropy",
)


@dataclass
class Case:
    """One call of a framework: what it runs, where, and the claim it tests."""

    name: str
    covers: tuple[str, ...]
    call: str
    inputs: str
    wrt: str | None
    workers: tuple[str, ...]
    claim: str
    params: dict[str, Any] = field(default_factory=dict)
    dtypes: tuple[str, ...] = ("float64",)


def _cases() -> list[Case]:
    cases: list[Case] = []

    def add(name, covers, call, inputs, wrt, workers, claim, dtypes=("float64",), **params):
        if isinstance(covers, str):
            covers = (covers,)
        if isinstance(workers, str):
            workers = (workers,)
        cases.append(Case(name, tuple(covers), call, inputs, wrt, workers, claim, params, dtypes))

    K = KERAS
    CE, SCE = "cross_entropy", "softmax_cross_entropy"
    BCE, SIG = "binary_cross_entropy", "sigmoid_binary_cross_entropy"
    MLS = "multilabel_softmax_cross_entropy"
    doc_ce = "docstring | crossent.categorical.cross_entropy"
    doc_sce = "docstring | crossent.categorical.softmax_cross_entropy"
    doc_int = "docstring | crossent.categorical.softmax_cross_entropy_with_integer_labels"
    doc_bce = "docstring | crossent.binary.binary_cross_entropy"
    doc_sig = "docstring | crossent.binary.sigmoid_binary_cross_entropy"
    doc_mls = "docstring | crossent.multilabel.multilabel_softmax_cross_entropy"

    # ---- cross_entropy: H(t, p) on probabilities ------------------------------------
    add("torch-nll-log", f"{CE} | PyTorch note",
        "torch.nn.functional.nll_loss(torch.log(p), y)", "ce", "p", "torch",
        "cross_entropy", target="y", reduction="mean", nan_grad_at_zero=True)
    add("torch-NLLLoss-log", doc_ce, "torch.nn.NLLLoss()(torch.log(p), y)", "ce", "p",
        "torch", "cross_entropy", target="y", reduction="mean", nan_grad_at_zero=True)
    add("torch-xlogy", (f"{CE} | PyTorch note", doc_ce), "-torch.xlogy(ts, p).sum(dim=1)",
        "ce", "p", "torch", "cross_entropy", target="ts", reduction="none",
        nan_grad_at_zero=True)
    add("torch-log-naive", doc_ce, "-(ts * torch.log(p)).sum(dim=1)", "ce", "p", "torch",
        "finding4_naive")
    add("torch-nll-log-wrong", f"{CE} | PyTorch note",
        "torch.nn.functional.nll_loss(torch.log(p), y, reduction='none')", "ce_wrong", "p",
        "torch", "cross_entropy", target="y", reduction="none")
    add("keras-cce", f"{CE} | {_KCCE}", "keras.losses.CategoricalCrossentropy()(t, p)", "ce",
        "p", K, "cross_entropy", target="t", reduction="mean", keras_clip=True)
    add("keras-cce-fn-unnormalised", f"{CE} | {_KCCE}",
        "keras.losses.categorical_crossentropy(ts, pu)", "ce", "pu", K, "cross_entropy",
        target="ts", prob="pu", reduction="none", keras_clip=True)
    add("keras-cce-smoothing", f"{CE} | {_KCCE}",
        "keras.losses.CategoricalCrossentropy(label_smoothing=0.1)(t, p)", "ce", "p", K,
        "cross_entropy", target="t", reduction="mean", keras_clip=True, smoothing=0.1)
    add("keras-cce-wrong", f"{CE} | {_KCCE}",
        "keras.losses.CategoricalCrossentropy(reduction='none')(t, p)", "ce_wrong", "p", K,
        "cross_entropy", target="t", reduction="none", keras_clip=True)
    add("tf-keras-cce-wrong", doc_ce, "tf.keras.losses.categorical_crossentropy(t, p)",
        "ce_wrong", "p", "tensorflow", "cross_entropy", target="t", reduction="none",
        keras_clip=True)
    add("tf-keras-cce", doc_ce, "tf.keras.losses.categorical_crossentropy(ts, pu)", "ce", "pu",
        "tensorflow", "cross_entropy", target="ts", prob="pu", reduction="none",
        keras_clip=True)
    add("keras-cce-softmax-output", (f"{CE} | {_KCCE}", f"{SCE} | {_KCCE}(from_logits=True)"),
        "keras.losses.categorical_crossentropy(t, keras.activations.softmax(z))", "cat", "z",
        K, "keras_activation_output", activation="softmax", target="t")
    add("keras-scce", f"{CE} | {_KSCCE}", "keras.losses.SparseCategoricalCrossentropy()(y, pu)",
        "ce", "pu", K, "cross_entropy", target="y", prob="pu", reduction="mean",
        keras_clip=True)
    add("keras-scce-fn", f"{CE} | {_KSCCE}", "keras.losses.sparse_categorical_crossentropy(y, p)",
        "ce", "p", K, "cross_entropy", target="y", reduction="none", keras_clip=True)
    add("keras-scce-wrong", f"{CE} | {_KSCCE}",
        "keras.losses.sparse_categorical_crossentropy(y, p)", "ce_wrong", "p", K,
        "cross_entropy", target="y", reduction="none", keras_clip=True)
    add("jax-xlogy", f"{CE} | JAX/optax note",
        "-jnp.sum(jax.scipy.special.xlogy(ts, p), axis=-1)", "ce", "p", "jax",
        "cross_entropy", target="ts", reduction="none", nan_grad_at_zero=True)
    add("optax-kl", f"{CE} | JAX/optax note", "optax.kl_divergence(jnp.log(p), ts)", "ce", "p",
        "jax", "kl_divergence", target="ts")
    add("sklearn-log-loss-multiclass", "ambiguity note | log loss",
        "sklearn.metrics.log_loss(y, y_proba=p, labels=[0, 1, 2])", "ce", None, "numpy",
        "cross_entropy", target="y", reduction="mean", sklearn_clip=True)
    add("sklearn-log-loss-wrong", "ambiguity note | log loss",
        "sklearn.metrics.log_loss(y, y_proba=p, labels=[0, 1, 2], normalize=False)",
        "ce_wrong", None, "numpy", "cross_entropy", target="y", reduction="sum",
        sklearn_clip=True)

    # ---- softmax_cross_entropy on logits ----------------------------------------------
    add("torch-CrossEntropyLoss", (f"{SCE} | torch.nn.CrossEntropyLoss", doc_int),
        "torch.nn.CrossEntropyLoss()(z, y)", "cat", "z", "torch", "softmax",
        target="y", reduction="mean")
    add("torch-ce-options", (f"{SCE} | torch.nn.CrossEntropyLoss", doc_int),
        "torch.nn.functional.cross_entropy(z, yi, weight=cw, ignore_index=-100, "
        "label_smoothing=0.1)", "cat", "z", "torch", "softmax", target="yi", weight="cw",
        ignore_index=-100, smoothing=0.1, reduction="mean")
    add("torch-ce-probs-weight", (f"{SCE} | torch.nn.CrossEntropyLoss", doc_sce),
        "torch.nn.functional.cross_entropy(z, ts, weight=cw)", "cat", "z", "torch",
        "softmax", target="ts", weight="cw", reduction="mean")
    add("torch-CrossEntropyLoss-probs", (f"{SCE} | torch.nn.CrossEntropyLoss", doc_sce),
        "torch.nn.CrossEntropyLoss(label_smoothing=0.1, reduction='sum')(z, ts)", "cat", "z",
        "torch", "softmax", target="ts", smoothing=0.1, reduction="sum")
    add("torch-ce-probs-smoothing", (f"{SCE} | torch.nn.CrossEntropyLoss", doc_sce),
        "torch.nn.functional.cross_entropy(z, ts, label_smoothing=0.1, reduction='none')",
        "cat", "z", "torch", "softmax", target="ts", smoothing=0.1, reduction="none")
    add("torch-LogSoftmax-NLLLoss", f"{SCE} | {_TORCH_NLL}",
        "torch.nn.NLLLoss()(torch.nn.LogSoftmax(dim=1)(z), y)", "cat", "z", "torch",
        "softmax", target="y", reduction="mean")
    add("torch-log_softmax-nll_loss", f"{SCE} | {_TORCH_NLL}",
        "torch.nn.functional.nll_loss(torch.nn.functional.log_softmax(z, dim=1), y, "
        "weight=cw)", "cat", "z", "torch", "softmax", target="y", weight="cw",
        reduction="mean")
    add("torch-ce-label-C", f"{SCE} | torch.nn.CrossEntropyLoss",
        "torch.nn.functional.cross_entropy(z, yC)", "bad", "z", "torch", "error")
    add("torch-ce-label-minus-1", f"{SCE} | torch.nn.CrossEntropyLoss",
        "torch.nn.functional.cross_entropy(z, ym)", "bad", "z", "torch", "error")
    kcce = f"{SCE} | {_KCCE}(from_logits=True)"
    add("keras-cce-logits", (kcce, doc_sce),
        "keras.losses.CategoricalCrossentropy(from_logits=True)(t, z)", "cat", "z", K,
        "softmax", target="t", reduction="mean")
    add("keras-cce-logits-smoothing", kcce,
        "keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)(ts, z)",
        "cat", "z", K, "softmax", target="ts", smoothing=0.1, reduction="mean")
    add("keras-cce-logits-fn", kcce,
        "keras.losses.categorical_crossentropy(ts, z, from_logits=True)", "cat", "z", K,
        "softmax", target="ts", reduction="none")
    for reduction, expected in (("'sum_over_batch_size'", "mean"), ("'mean'", "mean"),
                                ("'sum'", "sum"), ("'none'", "none"), ("None", "none")):
        add(f"keras-cce-reduction-{reduction.strip(chr(39))}", kcce,
            f"keras.losses.CategoricalCrossentropy(from_logits=True, reduction={reduction})"
            "(t, z)", "cat", "z", K, "softmax", target="t", reduction=expected,
            keras_reduction=reduction.strip("'"))
    for reduction in ("sum_over_batch_size", "mean", "mean_with_sample_weight", "sum"):
        add(f"keras-cce-sample-weight-{reduction}", kcce,
            f"keras.losses.CategoricalCrossentropy(from_logits=True, reduction='{reduction}')"
            "(t, z, sample_weight=sw)", "cat", "z", K, "softmax", target="t",
            reduction="none", sample_weight="sw", keras_reduction=reduction)
    add("tf-keras-cce-logits", doc_sce,
        "tf.keras.losses.CategoricalCrossentropy(from_logits=True)(ts, z)", "cat", "z",
        "tensorflow", "softmax", target="ts", reduction="mean")
    kscce = f"{SCE} | {_KSCCE}(from_logits=True)"
    add("keras-scce-logits", (kscce, doc_int),
        "keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, z)", "cat", "z", K,
        "softmax", target="y", reduction="mean")
    add("keras-scce-logits-fn", kscce,
        "keras.losses.sparse_categorical_crossentropy(y, z, from_logits=True)", "cat", "z",
        K, "softmax", target="y", reduction="none")
    add("keras-scce-ignore-class", (kscce, f"{CE} | {_KSCCE}"),
        "keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0)(y, z)",
        "cat", "z", K, "softmax", target="y", ignore_index=0, reduction="mean")
    add("tf-keras-scce-logits", doc_int,
        "tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, z)", "cat", "z",
        "tensorflow", "softmax", target="y", reduction="mean")
    for label in ("yC", "ym"):
        add(f"keras-scce-label-{label}", kscce,
            f"keras.losses.sparse_categorical_crossentropy({label}, z, from_logits=True)",
            "bad", "z", K, "bad_label", label=label)
    tfsce = f"{SCE} | tf.nn.softmax_cross_entropy_with_logits"
    add("tf-softmax-xent", (tfsce, doc_mls),
        "tf.nn.softmax_cross_entropy_with_logits(labels=ts, logits=z)", "cat", "z",
        "tensorflow", "softmax", target="ts", reduction="none")
    add("tf-softmax-xent-unnormalised", tfsce,
        "tf.nn.softmax_cross_entropy_with_logits(labels=tu, logits=z)", "cat", "z",
        "tensorflow", "softmax", target="tu", reduction="none", fused_grad=True)
    tfsparse = f"{SCE} | tf.nn.sparse_softmax_cross_entropy_with_logits"
    add("tf-sparse-softmax-xent", (tfsparse, doc_int),
        "tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=z)", "cat", "z",
        "tensorflow", "softmax", target="y", reduction="none")
    for label in ("yC", "ym"):
        add(f"tf-sparse-softmax-xent-label-{label}", tfsparse,
            f"tf.nn.sparse_softmax_cross_entropy_with_logits(labels={label}, logits=z)",
            "bad", "z", "tensorflow", "error")
    tf1sce = f"{SCE} | tf.compat.v1.losses.softmax_cross_entropy"
    add("tf1-softmax", tf1sce, "tf.compat.v1.losses.softmax_cross_entropy(t, z)", "cat",
        "z", "tensorflow", "softmax", target="t", reduction="mean")
    add("tf1-softmax-weights", tf1sce,
        "tf.compat.v1.losses.softmax_cross_entropy(t, z, weights=sw)", "cat", "z",
        "tensorflow", "softmax", target="t", reduction="none", sample_weight="sw",
        nonzero_weights=True)
    add("tf1-softmax-smoothing", tf1sce,
        "tf.compat.v1.losses.softmax_cross_entropy(t, z, label_smoothing=0.1)", "cat", "z",
        "tensorflow", "softmax", target="t", smoothing=0.1, reduction="mean")
    osce = f"{SCE} | optax.softmax_cross_entropy"
    add("optax-softmax", (osce, doc_sce), "optax.softmax_cross_entropy(z, ts)", "cat", "z",
        "jax", "softmax", target="ts", reduction="none")
    add("optax-softmax-smooth-labels", osce,
        "optax.losses.softmax_cross_entropy(z, optax.smooth_labels(t, 0.1))", "cat", "z",
        "jax", "softmax", target="t", smoothing=0.1, reduction="none")
    oint = f"{SCE} | optax.softmax_cross_entropy_with_integer_labels"
    add("optax-integer", (oint, doc_int),
        "optax.softmax_cross_entropy_with_integer_labels(z, y)", "cat", "z", "jax",
        "softmax", target="y", reduction="none", tiny_loss_rounds_to_zero=True)
    for label in ("yC", "ym"):
        add(f"optax-integer-label-{label}", oint,
            f"optax.losses.softmax_cross_entropy_with_integer_labels(z, {label})", "bad", "z",
            "jax", "bad_label", label=label)

    # ---- binary_cross_entropy on probabilities ----------------------------------------
    tbce = f"{BCE} | torch.nn.BCELoss"
    add("torch-BCELoss", (tbce, doc_bce), "torch.nn.BCELoss()(q, t)", "bce", "q", "torch",
        "bce", target="t", reduction="mean", torch_clamp=True)
    add("torch-bce-weight-sum", (tbce, doc_bce),
        "torch.nn.functional.binary_cross_entropy(q, ts, weight=w, reduction='sum')", "bce",
        "q", "torch", "bce", target="ts", weight="w", reduction="sum", torch_clamp=True)
    add("torch-bce-wrong", tbce,
        "torch.nn.functional.binary_cross_entropy(q, t, reduction='none')", "bce_wrong", "q",
        "torch", "bce", target="t", reduction="none", torch_clamp=True)
    kbce = f"{BCE} | {_KBCE}"
    add("keras-bce", kbce, "keras.losses.BinaryCrossentropy()(t, q)", "bce", "q", K, "bce",
        target="t", reduction="mean", keras_clip=True)
    add("keras-bce-fn", kbce, "keras.losses.binary_crossentropy(ts, q)", "bce", "q", K, "bce",
        target="ts", reduction="mean_last", keras_clip=True)
    add("keras-bce-smoothing", kbce,
        "keras.losses.BinaryCrossentropy(label_smoothing=0.1)(t, q)", "bce", "q", K, "bce",
        target="t", reduction="mean", keras_clip=True, smoothing=0.1)
    add("keras-bce-wrong", kbce, "keras.losses.binary_crossentropy(t, q)", "bce_wrong", "q",
        K, "bce", target="t", reduction="mean_last", keras_clip=True)
    add("tf-keras-bce", doc_bce, "tf.keras.losses.binary_crossentropy(ts, q)", "bce", "q",
        "tensorflow", "bce", target="ts", reduction="mean_last", keras_clip=True)
    add("keras-bce-sigmoid-output", (kbce, f"{SIG} | {_KBCE}(from_logits=True)"),
        "keras.losses.binary_crossentropy(t, keras.activations.sigmoid(z))", "sig", "z", K,
        "keras_activation_output", activation="sigmoid", target="t")
    tf1log = f"{BCE} | tf.compat.v1.losses.log_loss"
    add("tf1-log-loss", tf1log, "tf.compat.v1.losses.log_loss(ts, q)", "bce", "q",
        "tensorflow", "bce", target="ts", reduction="mean", epsilon_inside=1e-7)
    add("tf1-log-loss-wrong", tf1log,
        "tf.compat.v1.losses.log_loss(t, q, reduction=tf.compat.v1.losses.Reduction.NONE)",
        "bce_wrong", "q", "tensorflow", "bce", target="t", reduction="none",
        epsilon_inside=1e-7)
    add("jax-bce-xlogy", (f"{BCE} | JAX/optax note", doc_bce),
        "-(jax.scipy.special.xlogy(ts, q) + jax.scipy.special.xlog1py(1 - ts, -q))", "bce",
        "q", "jax", "bce", target="ts", reduction="none", nan_grad_at_certain=True)
    add("jax-bce-log-naive", f"{BCE} | JAX/optax note",
        "-(ts * jnp.log(q) + (1 - ts) * jnp.log1p(-q))", "bce", "q", "jax", "finding3_naive")
    add("sklearn-log-loss-binary", "ambiguity note | log loss",
        "sklearn.metrics.log_loss(t.ravel(), y_proba=q.ravel())", "bce", None, "numpy", "bce",
        target="t", reduction="mean", sklearn_clip=True)
    add("sklearn-log-loss-binary-wrong", "ambiguity note | log loss",
        "sklearn.metrics.log_loss(t.ravel(), y_proba=q.ravel(), labels=[0, 1], "
        "normalize=False)", "bce_wrong", None, "numpy", "bce", target="t", reduction="sum",
        sklearn_clip=True)

    # ---- sigmoid_binary_cross_entropy on logits ------------------------------------------
    tbcel = f"{SIG} | torch.nn.BCEWithLogitsLoss"
    add("torch-BCEWithLogitsLoss", (tbcel, doc_sig), "torch.nn.BCEWithLogitsLoss()(z, t)",
        "sig", "z", "torch", "sigmoid", target="t", reduction="mean")
    add("torch-bcel-options", (tbcel, doc_sig),
        "torch.nn.functional.binary_cross_entropy_with_logits(z, ts, weight=w, pos_weight=pw, "
        "reduction='none')", "sig", "z", "torch", "sigmoid", target="ts", weight="w",
        pos_weight="pw", reduction="none")
    add("torch-bcel-zero", (tbcel, doc_sig),
        "torch.nn.functional.binary_cross_entropy_with_logits(z, t, pos_weight=pw, "
        "reduction='none')", "sig0", "z", "torch", "sigmoid", target="t", pos_weight="pw",
        reduction="none", dtypes=("float32", "float64"))
    tml = f"{SIG} | torch.nn.MultiLabelSoftMarginLoss"
    add("torch-MultiLabelSoftMarginLoss", tml, "torch.nn.MultiLabelSoftMarginLoss()(z, t)",
        "sig", "z", "torch", "sigmoid", target="t", reduction="mean")
    add("torch-multilabel-soft-margin-none", tml,
        "torch.nn.functional.multilabel_soft_margin_loss(z, ts, reduction='none')", "sig",
        "z", "torch", "sigmoid", target="ts", reduction="mean_last")
    tsm = f"{SIG} | torch.nn.SoftMarginLoss"
    add("torch-SoftMarginLoss", tsm, "torch.nn.SoftMarginLoss(reduction='none')(z, ypm)", "sig",
        "z", "torch", "softmargin", label="ypm")
    add("torch-soft-margin-extreme", tsm,
        "torch.nn.functional.soft_margin_loss(z, y, reduction='none')", "softmargin", "z",
        "torch", "softmargin", label="y", dtypes=("float32", "float64"))
    add("torch-soft-margin-mean", tsm, "torch.nn.functional.soft_margin_loss(z, ypm)", "sig",
        "z", "torch", "softmargin", label="ypm", reduction="mean")
    kbcel = f"{SIG} | {_KBCE}(from_logits=True)"
    add("keras-bce-logits", (kbcel, doc_sig),
        "keras.losses.BinaryCrossentropy(from_logits=True)(t, z)", "sig", "z", K, "sigmoid",
        target="t", reduction="mean", keras_numpy_clip=True)
    add("keras-bce-logits-fn", kbcel,
        "keras.losses.binary_crossentropy(ts, z, from_logits=True)", "sig", "z", K, "sigmoid",
        target="ts", reduction="mean_last", keras_numpy_clip=True)
    add("keras-bce-logits-smoothing", kbcel,
        "keras.losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1)(t, z)", "sig",
        "z", K, "sigmoid", target="t", smoothing=0.1, reduction="mean", keras_numpy_clip=True)
    for reduction, expected in (("'mean'", "mean"), ("'sum'", "sum_last"), ("'none'", "mean_last"),
                                ("None", "mean_last")):
        add(f"keras-bce-logits-reduction-{reduction.strip(chr(39))}", kbcel,
            f"keras.losses.BinaryCrossentropy(from_logits=True, reduction={reduction})(t, z)",
            "sig", "z", K, "sigmoid", target="t", reduction=expected, keras_numpy_clip=True,
            keras_reduction=reduction.strip("'"))
    add("keras-bce-logits-mean-with-sample-weight", kbcel,
        "keras.losses.BinaryCrossentropy(from_logits=True, reduction='mean_with_sample_weight')"
        "(t, z, sample_weight=sw)", "sig", "z", K, "sigmoid", target="t", reduction="mean_last",
        sample_weight="sw", keras_reduction="mean_with_sample_weight", keras_numpy_clip=True)
    add("tf-keras-bce-logits", doc_sig,
        "tf.keras.losses.BinaryCrossentropy(from_logits=True)(ts, z)", "sig", "z",
        "tensorflow", "sigmoid", target="ts", reduction="mean")
    tfsig = f"{SIG} | tf.nn.sigmoid_cross_entropy_with_logits"
    add("tf-sigmoid-xent", (tfsig, doc_sig),
        "tf.nn.sigmoid_cross_entropy_with_logits(labels=ts, logits=z)", "sig", "z",
        "tensorflow", "sigmoid", target="ts", reduction="none")
    add("tf-sigmoid-xent-zero", (tfsig, doc_sig),
        "tf.nn.sigmoid_cross_entropy_with_logits(labels=t, logits=z)", "sig0", "z",
        "tensorflow", "sigmoid", target="t", reduction="none", dtypes=("float32", "float64"))
    tfw = f"{SIG} | tf.nn.weighted_cross_entropy_with_logits"
    add("tf-weighted-xent", (tfw, doc_sig),
        "tf.nn.weighted_cross_entropy_with_logits(labels=ts, logits=z, pos_weight=pw)", "sig",
        "z", "tensorflow", "sigmoid", target="ts", pos_weight="pw", reduction="none",
        tf_weighted_grad_at_zero=True)
    add("tf-weighted-xent-zero", (tfw, doc_sig),
        "tf.nn.weighted_cross_entropy_with_logits(labels=t, logits=z, pos_weight=pw)", "sig0",
        "z", "tensorflow", "sigmoid", target="t", pos_weight="pw", reduction="none",
        tf_weighted_grad_at_zero=True, dtypes=("float32", "float64"))
    tf1sig = f"{SIG} | tf.compat.v1.losses.sigmoid_cross_entropy"
    add("tf1-sigmoid", tf1sig, "tf.compat.v1.losses.sigmoid_cross_entropy(t, z)", "sig", "z",
        "tensorflow", "sigmoid", target="t", reduction="mean")
    add("tf1-sigmoid-weights-smoothing", tf1sig,
        "tf.compat.v1.losses.sigmoid_cross_entropy(t, z, weights=w, label_smoothing=0.1)",
        "sig", "z", "tensorflow", "sigmoid", target="t", weight="w", smoothing=0.1,
        reduction="sum", nonzero_weights=True)
    osig = f"{SIG} | optax.sigmoid_binary_cross_entropy"
    add("optax-sigmoid", (osig, doc_sig), "optax.sigmoid_binary_cross_entropy(z, ts)", "sig",
        "z", "jax", "sigmoid", target="ts", reduction="none")
    add("optax-losses-sigmoid", (osig, doc_sig),
        "optax.losses.sigmoid_binary_cross_entropy(z, t)", "sig", "z", "jax", "sigmoid",
        target="t", reduction="none")

    # ---- multilabel_softmax_cross_entropy ------------------------------------------------
    add("torch-multilabel-softmax", (f"{MLS} | PyTorch note", doc_mls),
        "torch.nn.functional.cross_entropy(z, tm / tm.sum(dim=1, keepdim=True))", "cat", "z",
        "torch", "multilabel", reduction="mean")
    add("keras-multilabel-softmax", f"{MLS} | TensorFlow/Keras note",
        "keras.losses.CategoricalCrossentropy(from_logits=True)"
        "(tm / keras.ops.sum(tm, axis=-1, keepdims=True), z)", "cat", "z", K, "multilabel",
        reduction="mean")
    add("tf-multilabel-softmax", doc_mls,
        "tf.nn.softmax_cross_entropy_with_logits(labels=tm / tf.reduce_sum(tm, axis=-1, "
        "keepdims=True), logits=z)", "cat", "z", "tensorflow", "multilabel", reduction="none")
    add("optax-multilabel-softmax", (f"{MLS} | JAX/optax note", doc_mls),
        "optax.softmax_cross_entropy(z, tm / tm.sum(axis=-1, keepdims=True))", "cat", "z",
        "jax", "multilabel", reduction="none")
    return cases


_KCCE = "keras.losses.CategoricalCrossentropy"
_KSCCE = "keras.losses.SparseCategoricalCrossentropy"
_KBCE = "keras.losses.BinaryCrossentropy"
_TORCH_NLL = "torch.nn.LogSoftmax(dim=1) + torch.nn.NLLLoss"


def _api_id(covers: str) -> str:
    """The registry spells the Keras classes with their call, as ``api[0]``: add the ``()``."""
    if covers.endswith((f"| {_KCCE}", f"| {_KSCCE}", f"| {_KBCE}")):
        return covers + "()"
    return covers


CASES = _cases()
for _case in CASES:
    _case.covers = tuple(_api_id(item) for item in _case.covers)


# --------------------------------------------------------------------------------------
# The workers.
# --------------------------------------------------------------------------------------


def _encode(array: Any) -> Any:
    array = np.asarray(array, dtype=np.float64)
    if array.ndim == 0:
        value = float(array)
        return value if np.isfinite(value) else str(value)
    return [_encode(item) for item in array]


def _setup(worker: str) -> dict[str, Any]:
    """Import the worker's frameworks and return the namespace the calls run in."""
    namespace: dict[str, Any] = {"np": np}
    if worker == "torch":
        import torch

        torch.set_num_threads(1)
        namespace["torch"] = torch
        return namespace
    os.environ["KERAS_BACKEND"] = worker
    if worker == "jax":
        import jax

        jax.config.update("jax_enable_x64", True)
        jax.config.update("jax_platforms", "cpu")
        import jax.numpy as jnp
        import jax.scipy.special
        import optax

        namespace.update(jax=jax, jnp=jnp, optax=optax)
    if worker == "tensorflow":
        import tensorflow as tf

        tf.config.set_visible_devices([], "GPU")
        namespace["tf"] = tf
    if worker == "numpy":
        import sklearn.metrics

        namespace["sklearn"] = sklearn
    import keras

    keras.config.set_floatx("float64")
    namespace["keras"] = keras
    return namespace


def _versions(namespace: dict[str, Any]) -> dict[str, str]:
    versions = {}
    for name in ("torch", "tf", "keras", "jax", "optax", "sklearn"):
        if name in namespace:
            key = "tensorflow" if name == "tf" else name
            versions[key] = namespace[name].__version__
            wanted = VERSIONS.get(key)
            if wanted and not versions[key].startswith(wanted):
                raise SystemExit(f"{key} {versions[key]} found; this script wants {wanted}")
    return versions


def _convert(worker: str, namespace: dict[str, Any], kind: str, data: Any, dtype: str):
    array = np.asarray(data, dtype=dtype if kind == "float" else np.int64)
    if worker == "torch":
        return namespace["torch"].tensor(array)
    if worker == "tensorflow":
        return namespace["tf"].constant(array)
    if worker == "jax":
        return namespace["jnp"].asarray(array)
    return array


def _run_case(worker: str, namespace: dict[str, Any], case: Case, dtype: str) -> dict:
    bound = {
        name: _convert(worker, namespace, kind, data, dtype)
        for name, (kind, data) in INPUTS[case.inputs].items()
    }
    wrt = case.wrt if worker != "numpy" else None
    value = grad = error = None
    try:
        if worker == "torch":
            if wrt:
                bound[wrt].requires_grad_(True)
            out = eval(case.call, {**namespace, **bound})
            value = out.detach().numpy()
            if wrt:
                out.sum().backward()
                grad = bound[wrt].grad.numpy()
        elif worker == "tensorflow":
            tf = namespace["tf"]
            with tf.GradientTape() as tape:
                if wrt:
                    tape.watch(bound[wrt])
                out = eval(case.call, {**namespace, **bound})
                total = tf.reduce_sum(out)
            value = out.numpy()
            if wrt:
                grad = tape.gradient(total, bound[wrt]).numpy()
        elif worker == "jax":
            jax, jnp = namespace["jax"], namespace["jnp"]
            out = eval(case.call, {**namespace, **bound})
            value = np.asarray(out)
            if wrt:

                def total(x):
                    return jnp.sum(eval(case.call, {**namespace, **bound, wrt: x}))

                grad = np.asarray(jax.grad(total)(bound[wrt]))
        else:
            value = np.asarray(eval(case.call, {**namespace, **bound}))
    except Exception as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        error = f"{type(exc).__name__}: {message[:160]}"
        value = grad = None
    return {
        "name": case.name,
        "worker": worker,
        "dtype": dtype,
        "covers": list(case.covers),
        "call": case.call,
        "inputs": case.inputs,
        "wrt": wrt,
        "claim": case.claim,
        "params": case.params,
        "value": None if value is None else _encode(value),
        "grad": None if grad is None else _encode(grad),
        "error": error,
    }


def worker_main(worker: str, output: pathlib.Path) -> None:
    namespace = _setup(worker)
    records = [
        _run_case(worker, namespace, case, dtype)
        for case in CASES
        if worker in case.workers
        for dtype in case.dtypes
    ]
    output.write_text(json.dumps({"versions": _versions(namespace), "cases": records}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", choices=WORKERS, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=pathlib.Path, default=OUTPUT)
    args = parser.parse_args()
    if args.worker:
        worker_main(args.worker, args.output)
        return
    start = time.perf_counter()
    sys.path.insert(0, str(ROOT / "src"))  # crossent, for registry_targets
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="-1",
               JAX_PLATFORMS="cpu", PYTHONPATH=str(ROOT / "src"))
    versions: dict[str, str] = {}
    records: list[dict] = []
    with tempfile.TemporaryDirectory() as scratch:
        for worker in WORKERS:
            part = pathlib.Path(scratch) / f"{worker}.json"
            done = subprocess.run(
                [sys.executable, __file__, "--worker", worker, "--output", str(part)],
                env=env, capture_output=True, text=True, check=False,
            )
            if done.returncode != 0:
                sys.stderr.write(done.stdout + done.stderr)
                raise SystemExit(f"worker {worker} failed with status {done.returncode}")
            result = json.loads(part.read_text())
            versions.update(result["versions"])
            records.extend(result["cases"])
            print(f"{worker}: {len(result['cases'])} calls")
    inputs = {
        name: {var: {"dtype": kind, "data": data} for var, (kind, data) in variables.items()}
        for name, variables in INPUTS.items()
    }
    document = {
        "generated_by": "tools/make_framework_reference.py",
        "versions": dict(sorted(versions.items())),
        "not_runnable": NOT_RUNNABLE,
        "targets": registry_targets(),
        "inputs": inputs,
        "cases": records,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(document, indent=1) + "\n")
    elapsed = time.perf_counter() - start
    print(f"wrote {args.output} ({args.output.stat().st_size} bytes, {len(records)} calls) "
          f"in {elapsed:.0f} s")


if __name__ == "__main__":
    main()
