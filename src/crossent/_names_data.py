"""The registry's data: one ``Loss`` per canonical loss, and why each shared name is shared.

This module is private and holds data only. ``crossent.names`` re-exports ``LOSSES`` and
builds ``crossent.names.ALIASES`` from the entries' aliases and ``AMBIGUITY_NOTES``. The
types come from ``crossent._names_schema``, and check every field as an entry is created.
"""

from __future__ import annotations

from crossent._names_schema import FrameworkSupport, Implementation, Loss

__all__ = ["AMBIGUITY_NOTES", "LOSSES"]

# --------------------------------------------------------------------------------------
# The entries. Every framework fact below was checked against that framework's
# documentation or source; what could not be checked was left out. Every layer and recipe
# that runs on a CPU (all but Caffe's) was also run with the real framework:
# tests/test_framework_reference.py checks these entries against the stored results.
# --------------------------------------------------------------------------------------

_KERAS_REDUCTION = (
    "'sum_over_batch_size' (default), or its synonym 'mean': the sum of the "
    "(sample-weighted) per-example losses divided by their number; "
    "'mean_with_sample_weight': divided by the sum of the sample weights instead; 'sum'; "
    "'none' or None: one loss per example"
)
_KERAS_LOGITS_WARNING = (
    "from_logits defaults to False: called on logits without from_logits=True, it treats "
    "them as probabilities and computes something else"
)
_TF1_REDUCTION = (
    "SUM_BY_NONZERO_WEIGHTS (default): the sum divided by the number of non-zero weights"
)
_TF1_FLOAT32 = (
    "It casts the losses to float32 before it reduces them, so even float64 input gives a "
    "float32-rounded value."
)
_KERAS_TRACES_LOGITS = (
    "On the TensorFlow backend, a prediction that comes straight from "
    "keras.activations.softmax or keras.activations.sigmoid (or from a softmax or sigmoid "
    "op in a graph) is traced back to its logits: the loss is then computed from them, "
    "without the clip, and its gradient does not vanish where the clip would cut it."
)
_KERAS_BAD_LABELS = (
    "An out-of-range label (C or -1) raises an error on the TensorFlow backend; on the JAX "
    "backend it silently gives a loss of 0 (an all-zero one-hot row); on the NumPy backend "
    "C raises an IndexError and -1 gives 0."
)
_PYTORCH_MEAN = "'mean' (default) over every element; 'sum'; 'none'"

_CROSS_ENTROPY = Loss(
    key="cross_entropy",
    title="Cross-entropy H(t, p)",
    summary=(
        "The cross-entropy of a predicted distribution p against a target distribution t, "
        "on probabilities, with no activation."
    ),
    aliases=(
        "cross-entropy",
        "H(t, p)",
        "H(p, q)",
        "categorical cross-entropy",
        "categorical cross-entropy loss",
        "sparse categorical cross-entropy",
        "cross-entropy loss",
        "multinomial logistic loss",
        "log loss",
        "negative log-likelihood",
        "negative log-likelihood loss",
        "NLL",
        "NLL loss",
    ),
    task="multi-class",
    activation="none (takes probabilities)",
    prediction="probabilities p (each row sums to 1)",
    target="a distribution t over the C classes: one-hot (a class index) or soft",
    formula=r"H(t, p) = -\sum_{i=0}^{C-1} t_i \log p_i",
    gradient=r"\frac{\partial H}{\partial p_i} = -\frac{t_i}{p_i}",
    functions=("cross_entropy",),
    chapter="book/foundations/cross_entropy",
    notes=(
        "H(t, p) = H(t) + KL(t || p): for a fixed target, minimising the cross-entropy "
        "minimises the Kullback-Leibler divergence.",
        "Information theory writes the target first, H(t, p); crossent.cross_entropy takes "
        "the prediction first, (probs, targets), as PyTorch and optax do.",
        "The softmax loss is this function applied to p = softmax(z); computing it from the "
        "logits avoids taking the log of a probability that has rounded to 0.",
    ),
    frameworks=(
        FrameworkSupport(
            "PyTorch",
            None,
            note=(
                "No PyTorch loss takes C-class probabilities. For class indices use "
                "torch.nn.functional.nll_loss(torch.log(p), y); for target distributions "
                "use -torch.xlogy(t, p).sum(dim=1), which takes 0 log 0 as 0 (with "
                "torch.log in place of xlogy, a perfect prediction p = t = e_0 gives "
                "0 * (-inf) = NaN). Autograd's gradient of both with respect to p is NaN "
                "wherever p_i = t_i = 0, where the true gradient is 0. Do not pass "
                "probabilities to CrossEntropyLoss: it applies log_softmax to them again."
            ),
        ),
        FrameworkSupport(
            "TensorFlow/Keras",
            (
                Implementation(
                    api=(
                        "keras.losses.CategoricalCrossentropy()",
                        "keras.losses.categorical_crossentropy(y_true, y_pred)",
                    ),
                    prediction="probabilities (the default, from_logits=False)",
                    target="one-hot or soft targets, the same shape as the prediction",
                    class_axis="axis=-1 (last)",
                    reduction=_KERAS_REDUCTION,
                    label_smoothing=(
                        "label_smoothing=eps: t = (1 - eps) t + eps / C, the true class included"
                    ),
                    clipping=(
                        "rescales each row of p to sum to 1, then clips it to "
                        "[1e-7, 1 - 1e-7] (keras epsilon)"
                    ),
                    notes=(
                        "Also tf.keras.losses.CategoricalCrossentropy in TensorFlow.",
                        _KERAS_TRACES_LOGITS,
                    ),
                ),
                Implementation(
                    api=(
                        "keras.losses.SparseCategoricalCrossentropy()",
                        "keras.losses.sparse_categorical_crossentropy(y_true, y_pred)",
                    ),
                    prediction="probabilities (the default, from_logits=False)",
                    target="integer class indices",
                    class_axis="last axis",
                    reduction=_KERAS_REDUCTION,
                    label_smoothing="none (no label_smoothing argument)",
                    clipping=(
                        "clips p to [1e-7, 1 - 1e-7] (keras epsilon) and renormalises each "
                        "row: the TensorFlow backend clips first (it takes log-softmax of "
                        "log p), the JAX and NumPy backends renormalise first"
                    ),
                    notes=(
                        "ignore_class= leaves out one class index.",
                        _KERAS_TRACES_LOGITS,
                        _KERAS_BAD_LABELS,
                    ),
                ),
            ),
        ),
        FrameworkSupport(
            "JAX/optax",
            None,
            note=(
                "optax has no cross-entropy on probabilities: use "
                "-jnp.sum(jax.scipy.special.xlogy(t, p), axis=-1), whose gradient is NaN "
                "wherever p_i = t_i = 0, as in PyTorch. "
                "optax.kl_divergence(jnp.log(p), t) differs from it by the entropy H(t), "
                "a constant for a fixed target, but it is NaN wherever p_i = t_i = 0: it "
                "multiplies t_i = 0 by -log p_i = inf."
            ),
        ),
        FrameworkSupport(
            "Caffe",
            (
                Implementation(
                    api=("MultinomialLogisticLoss",),
                    prediction="probabilities (the output of a Softmax layer)",
                    target="integer class indices (a one-hot t)",
                    class_axis="every axis after the batch axis, flattened into one",
                    reduction="divides the sum by the batch size N",
                    clipping="clamps the probability of the true class to at least 1e-20",
                ),
            ),
            note="MultinomialLogisticLoss takes integer labels only, so t must be one-hot.",
        ),
    ),
)

_SOFTMAX_CROSS_ENTROPY = Loss(
    key="softmax_cross_entropy",
    title="Softmax cross-entropy (categorical cross-entropy, softmax loss)",
    summary=(
        "A softmax over the C logits followed by cross-entropy against the target, "
        "computed from the logits in one step."
    ),
    aliases=(
        "softmax cross-entropy",
        "softmax cross-entropy loss",
        "softmax cross-entropy with logits",
        "sparse softmax cross-entropy",
        "softmax loss",
        "softmax classifier",
        "multi-class logistic loss",
        "categorical cross-entropy",
        "categorical cross-entropy loss",
        "sparse categorical cross-entropy",
        "cross-entropy loss",
        "multinomial logistic loss",
        "negative log-likelihood",
        "negative log-likelihood loss",
        "NLL",
        "NLL loss",
    ),
    task="multi-class",
    activation="softmax",
    prediction="logits z (unnormalized scores)",
    target=(
        "a class index y, or a distribution t over the C classes that sums to 1 "
        "(one-hot, label-smoothed or soft)"
    ),
    formula=(
        r"L(z, t) = -\sum_{i=0}^{C-1} t_i \log \frac{e^{z_i}}{\sum_{j=0}^{C-1} e^{z_j}},"
        r" \qquad L(z, y) = \log \sum_{j=0}^{C-1} e^{z_j} - z_y"
    ),
    gradient=r"\frac{\partial L}{\partial z_i} = \operatorname{softmax}(z)_i - t_i",
    functions=("softmax_cross_entropy", "softmax_cross_entropy_with_integer_labels"),
    chapter="book/losses/categorical_cross_entropy",
    notes=(
        "With a one-hot target only the true class's term survives: L = -log softmax(z)_y. "
        "Integer labels are that one-hot target stored as an index, so one entry covers "
        "both; crossent has a function for each.",
        "It is the cross-entropy H(t, softmax(z)); taking the logits lets it use "
        "log-sum-exp instead of the log of a rounded probability.",
    ),
    frameworks=(
        FrameworkSupport(
            "PyTorch",
            (
                Implementation(
                    api=("torch.nn.CrossEntropyLoss", "torch.nn.functional.cross_entropy"),
                    prediction="logits",
                    target=(
                        "class indices, or class probabilities of the same shape as the logits"
                    ),
                    class_axis="dim 1 (dim 0 for an unbatched input of shape (C,))",
                    reduction=(
                        "'mean' (default): for class indices, the weighted mean over the "
                        "targets that are not ignored; for probabilities, the mean over the "
                        "N examples. Also 'sum', 'none'"
                    ),
                    label_smoothing=(
                        "label_smoothing=eps mixes eps / C into every class, the true class "
                        "included: t = (1 - eps) t + eps / C"
                    ),
                    notes=(
                        "weight= rescales each class; ignore_index (default -100) applies "
                        "to class indices only.",
                        "Documented as LogSoftmax followed by NLLLoss.",
                    ),
                ),
                Implementation(
                    api=(
                        "torch.nn.LogSoftmax(dim=1) + torch.nn.NLLLoss",
                        "torch.nn.functional.log_softmax + torch.nn.functional.nll_loss",
                    ),
                    prediction="log-probabilities (the output of log_softmax)",
                    target="class indices",
                    class_axis="dim 1",
                    reduction="'mean' (default), weighted by weight[y]; 'sum'; 'none'",
                    notes=(
                        "NLLLoss only picks -input[y]: it is the softmax loss when its input "
                        "is log_softmax of the logits, and something else otherwise.",
                    ),
                ),
            ),
        ),
        FrameworkSupport(
            "TensorFlow/Keras",
            (
                Implementation(
                    api=(
                        "keras.losses.CategoricalCrossentropy(from_logits=True)",
                        "keras.losses.categorical_crossentropy(y_true, y_pred, from_logits=True)",
                    ),
                    prediction="logits, only with from_logits=True",
                    target="one-hot or soft targets, the same shape as the logits",
                    class_axis="axis=-1 (last)",
                    reduction=_KERAS_REDUCTION,
                    label_smoothing=(
                        "label_smoothing=eps: t = (1 - eps) t + eps / C, the true class included"
                    ),
                    notes=(_KERAS_LOGITS_WARNING,),
                ),
                Implementation(
                    api=(
                        "keras.losses.SparseCategoricalCrossentropy(from_logits=True)",
                        "keras.losses.sparse_categorical_crossentropy(y_true, y_pred, "
                        "from_logits=True)",
                    ),
                    prediction="logits, only with from_logits=True",
                    target="integer class indices",
                    class_axis="last axis",
                    reduction=_KERAS_REDUCTION,
                    label_smoothing="none (no label_smoothing argument)",
                    notes=(
                        _KERAS_LOGITS_WARNING,
                        "ignore_class= leaves out one class index; the mean is then over "
                        "the examples that are kept.",
                        _KERAS_BAD_LABELS,
                    ),
                ),
                Implementation(
                    api=("tf.nn.softmax_cross_entropy_with_logits",),
                    prediction="logits",
                    target="a probability distribution per example",
                    class_axis="axis=-1 (last)",
                    reduction="none: one loss per example",
                    notes=(
                        "Its documentation warns that the gradient is incorrect if a row of "
                        "labels is not a valid probability distribution: it returns "
                        "softmax(z) - t, where the gradient of the value it returns is "
                        "(sum of t) softmax(z) - t.",
                    ),
                ),
                Implementation(
                    api=("tf.nn.sparse_softmax_cross_entropy_with_logits",),
                    prediction="logits",
                    target="integer class indices in [0, C)",
                    class_axis="last axis",
                    reduction="none: one loss per example",
                    notes=("An out-of-range label raises an error on CPU and gives NaN on GPU.",),
                ),
                Implementation(
                    api=("tf.compat.v1.losses.softmax_cross_entropy",),
                    prediction="logits",
                    target="one-hot labels, the same shape as the logits",
                    class_axis="last axis",
                    reduction=_TF1_REDUCTION,
                    label_smoothing="label_smoothing=eps: t = (1 - eps) t + eps / C",
                    notes=("TensorFlow 1's tf.losses.softmax_cross_entropy.", _TF1_FLOAT32),
                ),
            ),
        ),
        FrameworkSupport(
            "JAX/optax",
            (
                Implementation(
                    api=("optax.softmax_cross_entropy", "optax.losses.softmax_cross_entropy"),
                    prediction="logits",
                    target="one-hot or soft targets, the same shape as the logits",
                    class_axis="axis=-1 (last)",
                    reduction="none: one loss per example; average it yourself",
                    label_smoothing=(
                        "no argument: smooth first with optax.smooth_labels(labels, alpha), "
                        "which gives (1 - alpha) t + alpha / C"
                    ),
                ),
                Implementation(
                    api=(
                        "optax.softmax_cross_entropy_with_integer_labels",
                        "optax.losses.softmax_cross_entropy_with_integer_labels",
                    ),
                    prediction="logits",
                    target="integer class indices",
                    class_axis="axis=-1 (last)",
                    reduction="none: one loss per example; average it yourself",
                    label_smoothing="none (optax.smooth_labels needs one-hot labels)",
                    notes=(
                        "Computes logsumexp(z) - z_y, a difference of two nearly equal "
                        "numbers when the true class leads by far, so a tiny loss rounds "
                        "to 0.",
                        "Labels are not checked: a label of C gives NaN, and a label of -1 "
                        "silently selects the last class (JAX's indexing wraps negative "
                        "indices).",
                    ),
                ),
            ),
        ),
        FrameworkSupport(
            "Caffe",
            (
                Implementation(
                    api=("SoftmaxWithLoss",),
                    prediction="logits",
                    target="integer class indices",
                    class_axis="softmax_param axis=1 (the channel axis) by default",
                    reduction=(
                        "loss_param normalization: VALID (default), the number of labels "
                        "that are not ignored; also FULL, BATCH_SIZE, NONE"
                    ),
                    clipping=(
                        "computes the softmax, then -log(max(p_y, FLT_MIN)): the loss of "
                        "one example saturates near 87.3"
                    ),
                    notes=("ignore_label= leaves out one label value.",),
                ),
            ),
            note="SoftmaxWithLoss takes integer labels only: no soft targets, no label smoothing.",
        ),
    ),
)

_BINARY_CROSS_ENTROPY = Loss(
    key="binary_cross_entropy",
    title="Binary cross-entropy (on probabilities)",
    summary=(
        "The cross-entropy of a Bernoulli prediction q against a target t, on "
        "probabilities, with no activation; one independent binary problem per output."
    ),
    aliases=(
        "binary cross-entropy",
        "binary cross-entropy loss",
        "BCE",
        "BCE loss",
        "log loss",
        "logistic loss",
    ),
    task="binary / multi-label",
    activation="none (takes probabilities)",
    prediction="probabilities q in [0, 1], one per output",
    target="t in [0, 1] per output: 0/1 labels or soft targets",
    formula=r"L(q, t) = -t \log q - (1 - t) \log(1 - q)",
    gradient=r"\frac{\partial L}{\partial q} = \frac{q - t}{q (1 - q)}",
    functions=("binary_cross_entropy",),
    chapter="book/losses/binary_cross_entropy",
    notes=(
        "The cross-entropy H(t, p) over two classes: the target (t, 1 - t) against the "
        "prediction (q, 1 - q).",
        "A probability rounded to exactly 0 or 1 makes the loss infinite, which is why the "
        "frameworks' versions on probabilities clamp or clip it; starting from the logits "
        "avoids the problem.",
    ),
    frameworks=(
        FrameworkSupport(
            "PyTorch",
            (
                Implementation(
                    api=("torch.nn.BCELoss", "torch.nn.functional.binary_cross_entropy"),
                    prediction="probabilities",
                    target="numbers in [0, 1], the same shape as the input",
                    class_axis="elementwise",
                    reduction=_PYTORCH_MEAN,
                    clipping="clamps each log to at least -100, so one term is at most 100",
                    notes=("weight= rescales the loss of each batch element.",),
                ),
            ),
        ),
        FrameworkSupport(
            "TensorFlow/Keras",
            (
                Implementation(
                    api=(
                        "keras.losses.BinaryCrossentropy()",
                        "keras.losses.binary_crossentropy(y_true, y_pred)",
                    ),
                    prediction="probabilities (the default, from_logits=False)",
                    target="0/1 or soft targets, the same shape as the prediction",
                    class_axis="elementwise, then the mean over axis=-1 (last)",
                    reduction=_KERAS_REDUCTION,
                    label_smoothing=(
                        "label_smoothing=eps squeezes toward 0.5: t = (1 - eps) t + eps / 2"
                    ),
                    clipping="clips q to [1e-7, 1 - 1e-7] (keras epsilon)",
                    notes=(
                        "Also tf.keras.losses.BinaryCrossentropy in TensorFlow.",
                        _KERAS_TRACES_LOGITS,
                    ),
                ),
                Implementation(
                    api=("tf.compat.v1.losses.log_loss",),
                    prediction="probabilities",
                    target="labels, the same shape as the predictions",
                    class_axis="elementwise",
                    reduction=_TF1_REDUCTION,
                    clipping="adds epsilon (default 1e-7) inside the logs",
                    notes=("TensorFlow 1's tf.losses.log_loss.", _TF1_FLOAT32),
                ),
            ),
        ),
        FrameworkSupport(
            "JAX/optax",
            None,
            note=(
                "optax has no binary cross-entropy on probabilities: write "
                "-(jax.scipy.special.xlogy(t, q) + jax.scipy.special.xlog1py(1 - t, -q)), "
                "which is 0 for a perfect prediction (q = t = 0 or 1), where the plain "
                "logarithms give 0 * (-inf) = NaN. Its gradient there is still NaN "
                "(the true one is -1 at q = t = 1 and 1 at q = t = 0): better keep the "
                "logits and call optax.sigmoid_binary_cross_entropy."
            ),
        ),
        FrameworkSupport(
            "Caffe",
            None,
            note=(
                "No Caffe layer computes it from one probability per output: feed the logits "
                "to SigmoidCrossEntropyLoss instead. For hard labels, MultinomialLogisticLoss "
                "on the two channels (1 - q, q) gives the same value."
            ),
        ),
    ),
)

_SIGMOID_BINARY_CROSS_ENTROPY = Loss(
    key="sigmoid_binary_cross_entropy",
    title="Sigmoid cross-entropy (binary cross-entropy with logits)",
    summary=(
        "A sigmoid on each logit followed by binary cross-entropy, computed from the logits "
        "in one step; one independent binary problem per output."
    ),
    aliases=(
        "sigmoid binary cross-entropy",
        "sigmoid cross-entropy",
        "sigmoid cross-entropy loss",
        "sigmoid cross-entropy with logits",
        "sigmoid loss",
        "binary cross-entropy with logits",
        "BCEWithLogits",
        "binary logistic loss",
        "binary cross-entropy",
        "binary cross-entropy loss",
        "BCE",
        "BCE loss",
        "logistic loss",
    ),
    task="binary / multi-label",
    activation="sigmoid",
    prediction="logits z, one per output",
    target="t in [0, 1] per output: 0/1 labels or soft targets",
    formula=(
        r"L(z, t) = -t \log \sigma(z) - (1 - t) \log\bigl(1 - \sigma(z)\bigr)"
        r" = \max(z, 0) - t z + \log\bigl(1 + e^{-|z|}\bigr),"
        r" \qquad q = \sigma(z) = \frac{1}{1 + e^{-z}}"
    ),
    gradient=r"\frac{\partial L}{\partial z} = \sigma(z) - t",
    functions=("sigmoid_binary_cross_entropy",),
    chapter="book/losses/binary_cross_entropy",
    notes=(
        "Binary cross-entropy applied to q = sigmoid(z).",
        "For one output it equals the softmax loss on the two logits (0, z).",
        "With labels written as +1 and -1 (2t - 1 for a 0/1 target t) it is "
        "log(1 + exp(-(2t - 1) z)), the loss of logistic regression.",
        "Summed or averaged over C outputs it is the usual multi-label loss: each class is "
        "decided independently of the others.",
    ),
    frameworks=(
        FrameworkSupport(
            "PyTorch",
            (
                Implementation(
                    api=(
                        "torch.nn.BCEWithLogitsLoss",
                        "torch.nn.functional.binary_cross_entropy_with_logits",
                    ),
                    prediction="logits",
                    target="numbers in [0, 1], the same shape as the input",
                    class_axis="elementwise",
                    reduction=_PYTORCH_MEAN,
                    notes=(
                        "pos_weight= multiplies the positive term (broadcast against the "
                        "target, per class); weight= rescales the loss of each batch element.",
                    ),
                ),
                Implementation(
                    api=(
                        "torch.nn.MultiLabelSoftMarginLoss",
                        "torch.nn.functional.multilabel_soft_margin_loss",
                    ),
                    prediction="logits",
                    target="0/1 labels of shape (N, C)",
                    class_axis="dim 1, averaged over the C classes of each example",
                    reduction="'mean' (default) over the N examples; 'sum'; 'none'",
                    notes=("Without weights it equals BCEWithLogitsLoss with reduction='mean'.",),
                ),
                Implementation(
                    api=("torch.nn.SoftMarginLoss", "torch.nn.functional.soft_margin_loss"),
                    prediction="logits",
                    target="labels -1 or +1",
                    class_axis="elementwise",
                    reduction=_PYTORCH_MEAN,
                    notes=(
                        "Computes log(1 + exp(-y z)) with PyTorch's label y = -1 or +1: the "
                        "sigmoid loss with t = (y + 1) / 2.",
                        "It computes that formula as written, so exp(-y z) overflows: for "
                        "y z below -88.7 in float32 (-709.8 in float64) it returns inf with a "
                        "NaN gradient, where the loss is |y z| and its gradient -y. "
                        "BCEWithLogitsLoss on t = (y + 1) / 2 stays finite.",
                    ),
                ),
            ),
        ),
        FrameworkSupport(
            "TensorFlow/Keras",
            (
                Implementation(
                    api=(
                        "keras.losses.BinaryCrossentropy(from_logits=True)",
                        "keras.losses.binary_crossentropy(y_true, y_pred, from_logits=True)",
                    ),
                    prediction="logits, only with from_logits=True",
                    target="0/1 or soft targets, the same shape as the logits",
                    class_axis="elementwise, then the mean over axis=-1 (last)",
                    reduction=_KERAS_REDUCTION,
                    label_smoothing=(
                        "label_smoothing=eps squeezes toward 0.5: t = (1 - eps) t + eps / 2"
                    ),
                    notes=(
                        _KERAS_LOGITS_WARNING,
                        "The stable form on logits depends on the backend: TensorFlow "
                        "and JAX compute it from the logits, but Keras 3's NumPy backend "
                        "applies the sigmoid and then clips to [1e-7, 1 - 1e-7], as for "
                        "probabilities, so no entry costs more than about 16.1. That "
                        "backend also converts float64 input to float32, where 1 - 1e-7 "
                        "rounds to 1 - 1.19e-7.",
                    ),
                ),
                Implementation(
                    api=("tf.nn.sigmoid_cross_entropy_with_logits",),
                    prediction="logits",
                    target="labels in [0, 1], the same shape as the logits",
                    class_axis="elementwise",
                    reduction="none: one loss per element",
                    notes=("Its documentation calls this the logistic loss.",),
                ),
                Implementation(
                    api=("tf.nn.weighted_cross_entropy_with_logits",),
                    prediction="logits",
                    target="labels in [0, 1], the same shape as the logits",
                    class_axis="elementwise",
                    reduction="none: one loss per element",
                    notes=(
                        "pos_weight multiplies the positive term.",
                        "Its values are right, but its gradient at z = 0 exactly is wrong, "
                        "in float32 and float64: it gives 1 - t, where the gradient is "
                        "(1 + (w_+ - 1) t) / 2 - w_+ t (for t = 1, 0, 1, 0 and pos_weight "
                        "1, 1, 3, 3: 0, 1, 0, 1 instead of -0.5, 0.5, -1.5, 0.5). A "
                        "zero-initialised output layer starts exactly there; "
                        "sigmoid_cross_entropy_with_logits is right at 0.",
                    ),
                ),
                Implementation(
                    api=("tf.compat.v1.losses.sigmoid_cross_entropy",),
                    prediction="logits",
                    target="multi_class_labels in {0, 1}, the same shape as the logits",
                    class_axis="elementwise",
                    reduction=_TF1_REDUCTION,
                    label_smoothing=(
                        "label_smoothing=eps squeezes toward 1/2: t = (1 - eps) t + eps / 2"
                    ),
                    notes=("TensorFlow 1's tf.losses.sigmoid_cross_entropy.", _TF1_FLOAT32),
                ),
            ),
        ),
        FrameworkSupport(
            "JAX/optax",
            (
                Implementation(
                    api=(
                        "optax.sigmoid_binary_cross_entropy",
                        "optax.losses.sigmoid_binary_cross_entropy",
                    ),
                    prediction="logits",
                    target="labels in [0, 1] (0/1 or soft), the same shape as the logits",
                    class_axis="elementwise",
                    reduction="none: one loss per element; average it yourself",
                    label_smoothing="none: smooth the labels yourself",
                ),
            ),
        ),
        FrameworkSupport(
            "Caffe",
            (
                Implementation(
                    api=("SigmoidCrossEntropyLoss",),
                    prediction="logits",
                    target="targets in [0, 1], as many as the logits",
                    class_axis="elementwise",
                    reduction=(
                        "loss_param normalization: BATCH_SIZE by default (for historical "
                        "reasons; SoftmaxWithLoss defaults to VALID), the sum over every "
                        "element divided by N"
                    ),
                ),
            ),
        ),
    ),
)

_MULTILABEL_SOFTMAX_CROSS_ENTROPY = Loss(
    key="multilabel_softmax_cross_entropy",
    title="Multi-label softmax cross-entropy (Mahajan et al. 2018)",
    summary=(
        "A softmax over the C logits, with the target spread evenly over the M positive "
        "classes: each positive's -log softmax weighted 1/M."
    ),
    aliases=(
        "multi-label softmax cross-entropy",
        "multi-label softmax loss",
        "multi-label softmax",
    ),
    task="multi-label",
    activation="softmax",
    prediction="logits z (unnormalized scores)",
    target="a 0/1 vector t with at least one positive; M = the number of positives",
    formula=(
        r"L(z, t) = -\frac{1}{M} \sum_{i=0}^{C-1} t_i \log \frac{e^{z_i}}{\sum_{j=0}^{C-1} e^{z_j}},"
        r" \qquad M = \sum_{i=0}^{C-1} t_i"
    ),
    gradient=r"\frac{\partial L}{\partial z_i} = \operatorname{softmax}(z)_i - \frac{t_i}{M}",
    functions=("multilabel_softmax_cross_entropy",),
    chapter="book/losses/multilabel_softmax",
    notes=(
        "It is the softmax loss with the soft target t / M, so any framework's soft-target "
        "softmax loss computes it.",
        "Mahajan et al. (2018) report that, for their multi-label problem, it worked better "
        "than the sigmoid loss; the 1/M makes the loss invariant to the number of positives.",
    ),
    frameworks=(
        FrameworkSupport(
            "PyTorch",
            None,
            note=(
                "torch.nn.functional.cross_entropy(logits, t / t.sum(dim=1, "
                "keepdim=True)), with probability targets. MultiLabelSoftMarginLoss is the "
                "sigmoid loss, not this one."
            ),
        ),
        FrameworkSupport(
            "TensorFlow/Keras",
            None,
            note=(
                "keras.losses.CategoricalCrossentropy(from_logits=True) on the targets "
                "t / keras.ops.sum(t, axis=-1, keepdims=True)."
            ),
        ),
        FrameworkSupport(
            "JAX/optax",
            None,
            note=("optax.softmax_cross_entropy(logits, t / t.sum(axis=-1, keepdims=True))."),
        ),
        FrameworkSupport(
            "Caffe",
            None,
            note=(
                "SoftmaxWithLoss and MultinomialLogisticLoss take one integer label per "
                "example, so it needs a custom layer, such as a Python layer computing "
                "softmax(z) - t / M as its gradient."
            ),
        ),
    ),
)

# Every canonical loss, in the order the book introduces them.
LOSSES: tuple[Loss, ...] = (
    _CROSS_ENTROPY,
    _SOFTMAX_CROSS_ENTROPY,
    _BINARY_CROSS_ENTROPY,
    _SIGMOID_BINARY_CROSS_ENTROPY,
    _MULTILABEL_SOFTMAX_CROSS_ENTROPY,
)

_NLL_NOTE = (
    "Every loss here is a negative log-likelihood; as a loss name it means the "
    "categorical one. PyTorch's NLLLoss takes log-probabilities and returns -input[y]: "
    "after log_softmax of the logits that is the softmax loss, after the log of given "
    "probabilities it is H(t, p) with a one-hot t."
)
_BCE_NOTE = (
    "Strictly, binary cross-entropy takes probabilities (PyTorch's BCELoss, Keras's "
    "BinaryCrossentropy by default, crossent.binary_cross_entropy). The name is just as "
    "often used for the sigmoid loss on logits, as in 'binary cross-entropy, also called "
    "sigmoid cross-entropy'."
)
_CATEGORICAL_NOTE = (
    "Most texts mean the softmax loss, on logits. Keras's CategoricalCrossentropy and "
    "SparseCategoricalCrossentropy compute H(t, p) on probabilities by default "
    "(from_logits=False); with from_logits=True they take logits and compute the softmax "
    "loss."
)

# Why each shared name is shared. The keys are compared after normalisation.
AMBIGUITY_NOTES = {
    "categorical cross-entropy": _CATEGORICAL_NOTE,
    "categorical cross-entropy loss": _CATEGORICAL_NOTE,
    "sparse categorical cross-entropy": _CATEGORICAL_NOTE,
    "cross-entropy loss": (
        "PyTorch's CrossEntropyLoss is log_softmax followed by NLLLoss, on logits: the "
        "softmax loss. scikit-learn's log_loss ('aka logistic loss or cross-entropy loss') "
        "and the textbook cross-entropy loss, -sum t_i log p_i on scores p that have "
        "already been through an activation, take probabilities: H(t, p)."
    ),
    "multinomial logistic loss": (
        "In statistics it is the loss of multinomial logistic regression, on the linear "
        "scores: the softmax loss. Caffe's MultinomialLogisticLoss layer takes probabilities "
        "(the output of a Softmax layer), so it computes H(t, p) with a one-hot t; Caffe's "
        "fused softmax version is SoftmaxWithLoss."
    ),
    "log loss": (
        "scikit-learn's log_loss and TensorFlow 1's tf.compat.v1.losses.log_loss take "
        "probabilities. For 0/1 targets it is binary cross-entropy; scikit-learn's also "
        "accepts probabilities over C classes, which makes it H(t, p) with a one-hot t. "
        "scikit-learn clips the probabilities to [eps, 1 - eps], eps the machine epsilon "
        "of their dtype (2.2e-16 in float64), so one example costs at most about 36.0."
    ),
    "logistic loss": (
        "On a logit z with labels written as +1 and -1 (2t - 1 for a 0/1 target t), the "
        "logistic loss log(1 + exp(-(2t - 1) z)) is the sigmoid cross-entropy, and "
        "TensorFlow's documentation calls "
        "sigmoid_cross_entropy_with_logits the logistic loss. scikit-learn uses it as "
        "another name for log loss, which takes probabilities."
    ),
    "binary cross-entropy": _BCE_NOTE,
    "binary cross-entropy loss": _BCE_NOTE,
    "BCE": _BCE_NOTE,
    "BCE loss": _BCE_NOTE,
    "negative log-likelihood": _NLL_NOTE,
    "negative log-likelihood loss": _NLL_NOTE,
    "NLL": _NLL_NOTE,
    "NLL loss": _NLL_NOTE,
}
