"""Tests of the losses in crossent.symbolic, and of crossent's NumPy losses against them.

Two kinds of checks. First, for C = 2, 3 and 5 classes and in indexed form, the gradient
that ``sympy.diff`` derives from each loss simplifies to its typed closed form. Second,
every NumPy loss and gradient of the package agrees, on seeded random inputs, with the
lambdified SymPy loss and derived gradient, for every option that has a symbolic
counterpart (class weights, label smoothing, pos_weight).
"""

from __future__ import annotations

import functools

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import crossent
from crossent import symbolic
from crossent.binary import (
    sigmoid_binary_cross_entropy_value_and_grad,
)
from crossent.categorical import (
    softmax_cross_entropy,
    softmax_cross_entropy_with_integer_labels_value_and_grad,
)
from crossent.symbolic import C, evaluate_sums, j, softmax, softmax_symbols

CLASS_COUNTS = (2, 3, 5)
EPSILON = sympy.Symbol("epsilon", real=True)
POS_WEIGHT = sympy.Symbol("pos_weight", positive=True)
WEIGHT = sympy.Symbol("weight", positive=True)
Q, T = sympy.symbols("q t", real=True)  # a probability q = sigma(z) and a target
Z = symbolic.z_scalar  # one logit, printed z

# Lambdified expressions evaluate the formulas as written; on the moderate inputs below
# they are accurate to a few ulps, so crossent must agree to about 1e-12. The absolute
# tolerance only covers gradient entries that are themselves a cancellation near 0.
RTOL = 1e-12
ATOL = 1e-14


def is_zero(expression):
    """Whether SymPy simplifies ``expression`` (an expression or a matrix) to 0."""
    simplified = sympy.simplify(expression)
    if isinstance(simplified, sympy.MatrixBase):
        return simplified.is_zero_matrix
    return simplified == 0


@functools.cache
def class_symbols(num_classes):
    """Logit, target and weight symbols ``z_k``, ``t_k``, ``w_k`` for ``num_classes``."""
    return (
        softmax_symbols(num_classes, "z"),
        softmax_symbols(num_classes, "t"),
        softmax_symbols(num_classes, "w"),
    )


# --- derived gradients equal the closed forms, C = 2, 3, 5 --------------------------------


@pytest.mark.parametrize("num_classes", CLASS_COUNTS)
def test_cross_entropy_gradient_equals_closed_form(num_classes):
    t = softmax_symbols(num_classes, "t")
    p = softmax_symbols(num_classes, "p")
    derived = symbolic.cross_entropy_gradient(t, p)
    assert is_zero(derived - symbolic.cross_entropy_gradient_closed_form(t, p))
    assert derived[0] == -t[0] / p[0]


@pytest.mark.parametrize("num_classes", CLASS_COUNTS)
def test_softmax_cross_entropy_gradient_equals_closed_form(num_classes):
    logits, targets, _ = class_symbols(num_classes)
    derived = symbolic.softmax_cross_entropy_gradient(logits, targets)
    closed = symbolic.softmax_cross_entropy_gradient_closed_form(logits, targets)
    assert is_zero(derived - closed)


@pytest.mark.parametrize("num_classes", CLASS_COUNTS)
def test_softmax_cross_entropy_gradient_is_softmax_minus_targets_for_a_distribution(
    num_classes,
):
    logits, targets, _ = class_symbols(num_classes)
    # Targets that sum to 1: the last one is 1 minus the others.
    distribution = [*targets[:-1], 1 - sum(targets[:-1])]
    derived = symbolic.softmax_cross_entropy_gradient(logits, distribution)
    assert is_zero(derived - (softmax(logits) - sympy.Matrix(distribution)))


@pytest.mark.parametrize("num_classes", CLASS_COUNTS)
def test_weighted_smoothed_softmax_cross_entropy_gradient_equals_closed_form(num_classes):
    logits, targets, weights = class_symbols(num_classes)
    options = {"weight": weights, "label_smoothing": EPSILON}
    derived = symbolic.softmax_cross_entropy_gradient(logits, targets, **options)
    closed = symbolic.softmax_cross_entropy_gradient_closed_form(logits, targets, **options)
    assert is_zero(derived - closed)


@pytest.mark.parametrize("num_classes", CLASS_COUNTS)
def test_integer_label_gradient_is_softmax_minus_one_hot(num_classes):
    logits, _, _ = class_symbols(num_classes)
    probabilities = softmax(logits)
    for label in range(num_classes):
        derived = symbolic.softmax_cross_entropy_with_integer_labels_gradient(logits, label)
        closed = symbolic.softmax_cross_entropy_with_integer_labels_gradient_closed_form(
            logits, label
        )
        assert is_zero(derived - closed)
        # Without options the closed form is literally softmax minus the one-hot target.
        assert closed == probabilities - symbolic.one_hot(label, num_classes)


@pytest.mark.parametrize("num_classes", CLASS_COUNTS)
def test_weighted_smoothed_integer_label_gradient_equals_closed_form(num_classes):
    logits, _, weights = class_symbols(num_classes)
    label = num_classes - 1
    options = {"weight": weights, "label_smoothing": EPSILON}
    derived = symbolic.softmax_cross_entropy_with_integer_labels_gradient(logits, label, **options)
    closed = symbolic.softmax_cross_entropy_with_integer_labels_gradient_closed_form(
        logits, label, **options
    )
    assert is_zero(derived - closed)


@pytest.mark.parametrize("num_classes", CLASS_COUNTS)
def test_integer_label_loss_is_the_loss_of_the_smoothed_one_hot_target(num_classes):
    logits, _, weights = class_symbols(num_classes)
    label = 1
    smoothed = [(1 - EPSILON) * int(c == label) + EPSILON / num_classes for c in range(num_classes)]
    by_label = symbolic.softmax_cross_entropy_with_integer_labels(
        logits, label, weight=weights, label_smoothing=EPSILON
    )
    by_hand = -sum(
        w_k * s_k * sympy.log(p_k)
        for w_k, s_k, p_k in zip(weights, smoothed, softmax(logits), strict=True)
    )
    assert is_zero(by_label - by_hand)


@pytest.mark.parametrize("num_classes", CLASS_COUNTS)
def test_multilabel_gradient_equals_closed_form(num_classes):
    logits, targets, _ = class_symbols(num_classes)
    derived = symbolic.multilabel_softmax_cross_entropy_gradient(logits, targets)
    closed = symbolic.multilabel_softmax_cross_entropy_gradient_closed_form(logits, targets)
    assert is_zero(derived - closed)


@pytest.mark.parametrize("num_classes", CLASS_COUNTS)
def test_multilabel_loss_is_the_mean_over_the_positives(num_classes):
    logits, _, _ = class_symbols(num_classes)
    for positives in ([0], [num_classes - 1], [0, num_classes - 1], list(range(num_classes))):
        k_hot = [int(c in positives) for c in range(num_classes)]
        by_targets = symbolic.multilabel_softmax_cross_entropy(logits, k_hot)
        by_positives = symbolic.multilabel_softmax_cross_entropy_over_positives(logits, positives)
        assert is_zero(by_targets - by_positives)


def test_multilabel_loss_with_one_positive_is_the_integer_label_loss():
    logits, _, _ = class_symbols(3)
    multilabel = symbolic.multilabel_softmax_cross_entropy(logits, [0, 0, 1])
    assert multilabel == symbolic.softmax_cross_entropy_with_integer_labels(logits, 2)


def test_binary_cross_entropy_gradient_equals_closed_form():
    derived = symbolic.binary_cross_entropy_gradient(Q, T, weight=WEIGHT)
    closed = symbolic.binary_cross_entropy_gradient_closed_form(Q, T, weight=WEIGHT)
    assert is_zero(derived - closed)


def test_sigmoid_binary_cross_entropy_gradient_equals_closed_form():
    derived = symbolic.sigmoid_binary_cross_entropy_gradient(Z, T, POS_WEIGHT, weight=WEIGHT)
    closed = symbolic.sigmoid_binary_cross_entropy_gradient_closed_form(
        Z, T, POS_WEIGHT, weight=WEIGHT
    )
    assert is_zero(derived - closed)


def test_sigmoid_binary_cross_entropy_gradient_follows_from_the_sigmoid_derivative():
    # The chain rule through log: d log sigma(z)/dz = sigma'(z) / sigma(z), with sigma'
    # the derivative derived (not typed) by crossent.symbolic.sigmoid_derivative.
    sigma, dsigma = symbolic.sigmoid, symbolic.sigmoid_derivative(Z)
    dlog_sigma = dsigma / sigma(Z)
    dlog_sigma_of_minus_z = -dsigma.subs(Z, -Z) / sigma(-Z)
    by_chain_rule = -WEIGHT * (POS_WEIGHT * T * dlog_sigma + (1 - T) * dlog_sigma_of_minus_z)
    derived = symbolic.sigmoid_binary_cross_entropy_gradient(Z, T, POS_WEIGHT, weight=WEIGHT)
    assert is_zero(derived - by_chain_rule)


def test_sigmoid_binary_cross_entropy_gradient_is_sigmoid_minus_target_without_pos_weight():
    derived = symbolic.sigmoid_binary_cross_entropy_gradient(Z, T)
    assert is_zero(derived - (symbolic.sigmoid(Z) - T))


def test_sigmoid_binary_cross_entropy_is_binary_cross_entropy_of_the_sigmoid():
    on_logit = symbolic.sigmoid_binary_cross_entropy(Z, T, weight=WEIGHT)
    on_probability = symbolic.binary_cross_entropy(Q, T, weight=WEIGHT).subs(Q, symbolic.sigmoid(Z))
    assert is_zero(on_logit - on_probability)


def test_two_class_softmax_cross_entropy_is_the_sigmoid_binary_cross_entropy():
    z0, z1 = class_symbols(2)[0]
    categorical = symbolic.softmax_cross_entropy([z0, z1], [T, 1 - T])
    binary = symbolic.sigmoid_binary_cross_entropy(z0 - z1, T)
    difference = categorical - binary
    # simplify cannot merge the logarithms, so argue as one would by hand: the difference
    # does not change with either logit, and it is 0 where both logits are 0.
    assert is_zero(sympy.diff(difference, z0))
    assert is_zero(sympy.diff(difference, z1))
    assert is_zero(difference.subs({z0: 0, z1: 0}))


# --- the checks can fail ---------------------------------------------------------------------


def test_a_wrong_closed_form_does_not_simplify_to_zero():
    logits, targets, _ = class_symbols(2)
    derived = symbolic.softmax_cross_entropy_gradient(logits, targets)
    # p - t is right only for targets that sum to 1, which free symbols need not.
    assert not is_zero(derived - (softmax(logits) - sympy.Matrix(targets)))
    assert not is_zero(
        symbolic.sigmoid_binary_cross_entropy_gradient(Z, T, POS_WEIGHT) - (symbolic.sigmoid(Z) - T)
    )
    multilabel = symbolic.multilabel_softmax_cross_entropy_gradient(logits, targets)
    assert not is_zero(multilabel - (softmax(logits) - sympy.Matrix(targets)))


# --- indexed form: C symbolic -----------------------------------------------------------------


@functools.cache
def evaluated(derivative_name, **options):
    # evaluate_sums asks SymPy's assumption system, which takes about a second: once each.
    return evaluate_sums(getattr(symbolic, derivative_name)(**options))


# The examples in the docstrings of cross_entropy_indexed_derivative,
# softmax_cross_entropy_indexed_derivative, multilabel_softmax_cross_entropy_indexed_derivative
# and softmax_cross_entropy_with_integer_labels_indexed_derivative show their derivatives
# simplify to the closed forms; test_docstring_examples_run runs them. evaluate_sums takes
# about a second per call, so the tests here do not repeat them.


def test_indexed_weighted_smoothed_derivative_equals_closed_form():
    options = {"weight": symbolic.w, "label_smoothing": EPSILON}
    derived = evaluated("softmax_cross_entropy_indexed_derivative", **options)
    closed = symbolic.softmax_cross_entropy_indexed_derivative_closed_form(**options)
    assert not derived.has(sympy.Piecewise)
    assert is_zero(derived - closed)


def concrete_from_indexed(expression, num_classes):
    """Set ``C = num_classes``, evaluate the sums and rename ``z[c]`` etc. to ``z_c``."""
    logits, targets, weights = class_symbols(num_classes)
    renamed = {}
    for base, symbols in ((symbolic.z, logits), (symbolic.t, targets), (symbolic.w, weights)):
        renamed.update({base[c]: symbols[c] for c in range(num_classes)})
    return expression.subs(C, num_classes).doit().subs(renamed)


def test_indexed_softmax_cross_entropy_agrees_with_the_concrete_loss():
    num_classes = 3
    logits, targets, weights = class_symbols(num_classes)
    indexed = symbolic.softmax_cross_entropy_indexed(weight=symbolic.w, label_smoothing=EPSILON)
    concrete = symbolic.softmax_cross_entropy(
        logits, targets, weight=weights, label_smoothing=EPSILON
    )
    assert is_zero(concrete_from_indexed(indexed, num_classes) - concrete)


def test_indexed_softmax_cross_entropy_derivative_agrees_with_the_concrete_gradient():
    num_classes = 3
    logits, targets, weights = class_symbols(num_classes)
    options = {"weight": weights, "label_smoothing": EPSILON}
    gradient = symbolic.softmax_cross_entropy_gradient(logits, targets, **options)
    derived = evaluated(
        "softmax_cross_entropy_indexed_derivative", weight=symbolic.w, label_smoothing=EPSILON
    )
    for column in range(num_classes):
        entry = concrete_from_indexed(derived.subs(j, column), num_classes)
        assert is_zero(entry - gradient[column])


def test_indexed_multilabel_loss_agrees_with_the_concrete_loss():
    logits, targets, _ = class_symbols(3)
    indexed = concrete_from_indexed(symbolic.multilabel_softmax_cross_entropy_indexed(), 3)
    assert is_zero(indexed - symbolic.multilabel_softmax_cross_entropy(logits, targets))


def test_indexed_integer_label_loss_agrees_with_the_concrete_loss():
    logits, _, _ = class_symbols(4)
    indexed = symbolic.softmax_cross_entropy_with_integer_labels_indexed().subs(symbolic.y, 2)
    concrete = symbolic.softmax_cross_entropy_with_integer_labels(logits, 2)
    assert is_zero(concrete_from_indexed(indexed, 4) - concrete)


# --- input checks ----------------------------------------------------------------------------


def test_mismatched_lengths_are_value_errors():
    logits, targets, weights = class_symbols(3)
    with pytest.raises(ValueError, match=r"t must hold one target per class: expected 3"):
        symbolic.softmax_cross_entropy(logits, targets[:2])
    with pytest.raises(ValueError, match=r"weight must hold one weight per class: expected 3"):
        symbolic.softmax_cross_entropy(logits, targets, weight=weights[:2])
    with pytest.raises(ValueError, match=r"p must hold one probability per class: expected 2"):
        symbolic.cross_entropy([1, 0], [0.5, 0.25, 0.25])
    with pytest.raises(ValueError, match=r"t must hold one target per class"):
        symbolic.multilabel_softmax_cross_entropy(logits, [1, 0])


@pytest.mark.parametrize("label", [-1, 3, 10])
def test_integer_label_out_of_range_is_a_value_error(label):
    with pytest.raises(ValueError, match=rf"y must be a class index in \[0, 2\].*got {label}"):
        symbolic.softmax_cross_entropy_with_integer_labels(class_symbols(3)[0], label)


@pytest.mark.parametrize("label", [1.0, "1", True, sympy.Integer(1)])
def test_non_int_label_is_a_type_error(label):
    with pytest.raises(TypeError, match="y must be an int class index"):
        symbolic.one_hot(label, 3)


@pytest.mark.parametrize("smoothing", [-0.1, 1.5, sympy.oo, sympy.I])
def test_label_smoothing_outside_the_unit_interval_is_a_value_error(smoothing):
    logits, targets, _ = class_symbols(2)
    with pytest.raises(ValueError, match=r"label_smoothing must be a number in \[0, 1\]"):
        symbolic.softmax_cross_entropy(logits, targets, label_smoothing=smoothing)


def test_label_smoothing_of_an_unconvertible_object_is_a_type_error():
    with pytest.raises(TypeError, match="label_smoothing must be a SymPy expression"):
        symbolic.smooth_labels([1, 0], object())


@pytest.mark.parametrize("probability", [0, 1, -0.5, 2])
def test_binary_probability_outside_the_open_interval_is_a_value_error(probability):
    with pytest.raises(ValueError, match=r"q must be a probability in \(0, 1\)"):
        symbolic.binary_cross_entropy(probability, T)


@pytest.mark.parametrize("probability", [0, -0.5, 1.5])
def test_cross_entropy_prediction_outside_the_probabilities_is_a_value_error(probability):
    with pytest.raises(ValueError, match=r"p\[1\] must be a probability in \(0, 1\]"):
        symbolic.cross_entropy([0, 1], [1, probability])


def test_multilabel_row_with_no_positive_is_a_value_error():
    with pytest.raises(ValueError, match="t must have a positive total"):
        symbolic.multilabel_softmax_cross_entropy(class_symbols(3)[0], [0, 0, 0])


@pytest.mark.parametrize(
    ("positives", "error", "message"),
    [
        ([], ValueError, "at least one class index"),
        ([0, 0], ValueError, "distinct class indices"),
        ([3], ValueError, r"class indices in \[0, 2\]"),
        ([0.0], TypeError, "int class indices"),
        ("01", TypeError, "positives must be a sequence"),
    ],
)
def test_bad_positives_are_rejected(positives, error, message):
    with pytest.raises(error, match=message):
        symbolic.multilabel_softmax_cross_entropy_over_positives(class_symbols(3)[0], positives)


def test_gradients_need_distinct_symbols_to_differentiate_by():
    z0, z1 = class_symbols(2)[0]
    with pytest.raises(ValueError, match="z must hold distinct symbols"):
        symbolic.softmax_cross_entropy_gradient([z0, z0], [1, 0])
    with pytest.raises(TypeError, match=r"z\[1\] must be a SymPy Symbol"):
        symbolic.multilabel_softmax_cross_entropy_gradient([z0, 2 * z1], [1, 0])
    with pytest.raises(TypeError, match=r"p\[0\] must be a SymPy Symbol"):
        symbolic.cross_entropy_gradient([1, 0], [0.5, 0.5])
    with pytest.raises(TypeError, match="q must be a SymPy Symbol"):
        symbolic.binary_cross_entropy_gradient(Q**2, T)
    with pytest.raises(TypeError, match="z must be a SymPy Symbol"):
        symbolic.sigmoid_binary_cross_entropy_gradient(2 * Z, T)


def test_indexed_weight_must_be_an_indexed_base():
    with pytest.raises(TypeError, match="weight must be None or a SymPy IndexedBase"):
        symbolic.softmax_cross_entropy_indexed(weight=[1, 2])


@pytest.mark.parametrize("bad_targets", ["t0 t1", T, 3])
def test_targets_that_are_not_a_sequence_are_a_type_error(bad_targets):
    with pytest.raises(TypeError, match="t must be a sequence of SymPy expressions"):
        symbolic.softmax_cross_entropy(class_symbols(2)[0], bad_targets)


def test_arguments_are_not_modified():
    logits, targets, weights = (list(symbols) for symbols in class_symbols(3))
    saved = [list(logits), list(targets), list(weights)]
    symbolic.softmax_cross_entropy_gradient(logits, targets, weight=weights)
    symbolic.softmax_cross_entropy_gradient_closed_form(logits, targets, weight=weights)
    symbolic.multilabel_softmax_cross_entropy_gradient(logits, targets)
    assert [logits, targets, weights] == saved


# --- crossent's NumPy losses agree with the lambdified SymPy expressions ------------------------


def lambdified(arguments, expression):
    """A NumPy function of ``arguments`` evaluating an expression or a column of them."""
    if isinstance(expression, sympy.MatrixBase):
        entries = sympy.lambdify(arguments, list(expression), modules="numpy")
        return lambda *values: np.array(entries(*values), dtype=np.float64)
    return sympy.lambdify(arguments, expression, modules="numpy")


@functools.cache
def softmax_cross_entropy_reference(num_classes):
    """The lambdified loss and derived gradient, with weights and smoothing as arguments."""
    logits, targets, weights = class_symbols(num_classes)
    options = {"weight": weights, "label_smoothing": EPSILON}
    arguments = [logits, targets, weights, EPSILON]
    loss = symbolic.softmax_cross_entropy(logits, targets, **options)
    gradient = symbolic.softmax_cross_entropy_gradient(logits, targets, **options)
    return lambdified(arguments, loss), lambdified(arguments, gradient)


@functools.cache
def integer_label_reference(num_classes, label):
    logits, _, weights = class_symbols(num_classes)
    options = {"weight": weights, "label_smoothing": EPSILON}
    arguments = [logits, weights, EPSILON]
    loss = symbolic.softmax_cross_entropy_with_integer_labels(logits, label, **options)
    gradient = symbolic.softmax_cross_entropy_with_integer_labels_gradient(logits, label, **options)
    return lambdified(arguments, loss), lambdified(arguments, gradient)


@functools.cache
def cross_entropy_reference(num_classes):
    t = softmax_symbols(num_classes, "t")
    p = softmax_symbols(num_classes, "p")
    loss = symbolic.cross_entropy(t, p)
    return lambdified([t, p], loss), lambdified([t, p], symbolic.cross_entropy_gradient(t, p))


@functools.cache
def multilabel_reference(num_classes):
    logits, targets, _ = class_symbols(num_classes)
    loss = symbolic.multilabel_softmax_cross_entropy(logits, targets)
    gradient = symbolic.multilabel_softmax_cross_entropy_gradient(logits, targets)
    return lambdified([logits, targets], loss), lambdified([logits, targets], gradient)


@functools.cache
def binary_reference():
    arguments = [Q, T, WEIGHT]
    loss = symbolic.binary_cross_entropy(Q, T, weight=WEIGHT)
    gradient = symbolic.binary_cross_entropy_gradient(Q, T, weight=WEIGHT)
    return lambdified(arguments, loss), lambdified(arguments, gradient)


@functools.cache
def sigmoid_binary_reference():
    arguments = [Z, T, POS_WEIGHT, WEIGHT]
    loss = symbolic.sigmoid_binary_cross_entropy(Z, T, POS_WEIGHT, weight=WEIGHT)
    gradient = symbolic.sigmoid_binary_cross_entropy_gradient(Z, T, POS_WEIGHT, weight=WEIGHT)
    return lambdified(arguments, loss), lambdified(arguments, gradient)


NUM_ROWS = 6


def random_inputs(num_classes, seed):
    """Seeded moderate logits, probability targets, k-hot targets, labels and weights."""
    rng = np.random.default_rng([seed, num_classes])
    logits = rng.normal(scale=2.0, size=(NUM_ROWS, num_classes))
    distributions = rng.dirichlet(np.ones(num_classes), size=NUM_ROWS)
    k_hot = (rng.random((NUM_ROWS, num_classes)) < 0.5).astype(np.float64)
    k_hot[np.arange(NUM_ROWS), rng.integers(num_classes, size=NUM_ROWS)] = 1.0
    labels = rng.integers(num_classes, size=NUM_ROWS)
    class_weights = rng.uniform(0.25, 3.0, size=num_classes)
    return logits, distributions, k_hot, labels, class_weights


def assert_unchanged(arrays, saved):
    for array, copy in zip(arrays, saved, strict=True):
        np.testing.assert_array_equal(array, copy)


def assert_family_matches(name, args, kwargs, expected_loss, expected_grad):
    """``L``, ``L_grad`` and ``L_value_and_grad`` all agree with the SymPy reference.

    ``L`` is checked per example and summed; the gradient is that of the sum, alone and
    from ``L_value_and_grad``.
    """
    loss_fn, grad_fn, both_fn = (
        getattr(crossent, name + suffix) for suffix in ("", "_grad", "_value_and_grad")
    )
    loss = loss_fn(*args, reduction="none", **kwargs)
    total = loss_fn(*args, reduction="sum", **kwargs)
    grad = grad_fn(*args, reduction="sum", **kwargs)
    both = both_fn(*args, reduction="none", **kwargs)
    np.testing.assert_allclose(loss, expected_loss, rtol=RTOL)
    np.testing.assert_allclose(total, expected_loss.sum(), rtol=RTOL)
    np.testing.assert_allclose(grad, expected_grad, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(both[0], expected_loss, rtol=RTOL)
    np.testing.assert_allclose(both[1], expected_grad, rtol=RTOL, atol=ATOL)


CATEGORICAL_OPTIONS = [
    {},
    {"weight": True},
    {"label_smoothing": 0.2},
    {"weight": True, "label_smoothing": 0.05},
]


def option_id(options):
    return "-".join(options) or "plain"


@pytest.mark.parametrize("options", CATEGORICAL_OPTIONS, ids=option_id)
@pytest.mark.parametrize("num_classes", CLASS_COUNTS)
def test_softmax_cross_entropy_matches_sympy(num_classes, options):
    logits, distributions, _, _, class_weights = random_inputs(num_classes, seed=1)
    kwargs = dict(options)
    if options.get("weight"):
        kwargs["weight"] = class_weights
    weights = class_weights if options.get("weight") else np.ones(num_classes)
    epsilon = options.get("label_smoothing", 0.0)
    saved = [logits.copy(), distributions.copy(), class_weights.copy()]

    loss_of, gradient_of = softmax_cross_entropy_reference(num_classes)
    rows = list(zip(logits, distributions, strict=True))
    expected_loss = np.array([loss_of(z, t, weights, epsilon) for z, t in rows])
    expected_grad = np.stack([gradient_of(z, t, weights, epsilon) for z, t in rows])

    assert_family_matches(
        "softmax_cross_entropy", (logits, distributions), kwargs, expected_loss, expected_grad
    )
    assert_unchanged([logits, distributions, class_weights], saved)


@pytest.mark.parametrize("options", CATEGORICAL_OPTIONS, ids=option_id)
@pytest.mark.parametrize("num_classes", CLASS_COUNTS)
def test_softmax_cross_entropy_with_integer_labels_matches_sympy(num_classes, options):
    logits, _, _, labels, class_weights = random_inputs(num_classes, seed=2)
    kwargs = dict(options)
    if options.get("weight"):
        kwargs["weight"] = class_weights
    weights = class_weights if options.get("weight") else np.ones(num_classes)
    epsilon = options.get("label_smoothing", 0.0)
    saved = [logits.copy(), labels.copy(), class_weights.copy()]

    expected_loss, expected_grad = [], []
    for z, label in zip(logits, labels, strict=True):
        loss_of, gradient_of = integer_label_reference(num_classes, int(label))
        expected_loss.append(loss_of(z, weights, epsilon))
        expected_grad.append(gradient_of(z, weights, epsilon))
    expected_loss, expected_grad = np.array(expected_loss), np.stack(expected_grad)

    assert_family_matches(
        "softmax_cross_entropy_with_integer_labels",
        (logits, labels),
        kwargs,
        expected_loss,
        expected_grad,
    )
    assert_unchanged([logits, labels, class_weights], saved)


@pytest.mark.parametrize("num_classes", CLASS_COUNTS)
def test_cross_entropy_matches_sympy(num_classes):
    logits, distributions, _, _, _ = random_inputs(num_classes, seed=3)
    predictions = np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)
    saved = [predictions.copy(), distributions.copy()]

    loss_of, gradient_of = cross_entropy_reference(num_classes)
    rows = list(zip(distributions, predictions, strict=True))
    expected_loss = np.array([loss_of(t, p) for t, p in rows])
    expected_grad = np.stack([gradient_of(t, p) for t, p in rows])

    # crossent.cross_entropy takes the prediction first; symbolic.cross_entropy the target.
    assert_family_matches(
        "cross_entropy", (predictions, distributions), {}, expected_loss, expected_grad
    )
    assert_unchanged([predictions, distributions], saved)


@pytest.mark.parametrize("target_kind", ["k-hot", "soft"])
@pytest.mark.parametrize("num_classes", CLASS_COUNTS)
def test_multilabel_softmax_cross_entropy_matches_sympy(num_classes, target_kind):
    logits, distributions, k_hot, _, _ = random_inputs(num_classes, seed=4)
    # Soft targets need not sum to 1: the loss normalizes them.
    targets = k_hot if target_kind == "k-hot" else 3.0 * distributions
    saved = [logits.copy(), targets.copy()]

    loss_of, gradient_of = multilabel_reference(num_classes)
    rows = list(zip(logits, targets, strict=True))
    expected_loss = np.array([loss_of(z, t) for z, t in rows])
    expected_grad = np.stack([gradient_of(z, t) for z, t in rows])

    assert_family_matches(
        "multilabel_softmax_cross_entropy", (logits, targets), {}, expected_loss, expected_grad
    )
    assert_unchanged([logits, targets], saved)


def binary_inputs(num_classes, seed):
    """Entries of shape (rows, classes): moderate logits, their sigmoids, soft targets."""
    rng = np.random.default_rng([seed, num_classes])
    logits = rng.normal(scale=2.0, size=(NUM_ROWS, num_classes))
    probabilities = 1.0 / (1.0 + np.exp(-logits))
    targets = rng.random((NUM_ROWS, num_classes))
    targets[0] = np.round(targets[0])  # one row of hard labels
    weights = rng.uniform(0.25, 3.0, size=(NUM_ROWS, num_classes))
    pos_weight = rng.uniform(0.5, 4.0, size=num_classes)
    return logits, probabilities, targets, weights, pos_weight


@pytest.mark.parametrize("weighted", [False, True], ids=["plain", "weight"])
@pytest.mark.parametrize("num_classes", CLASS_COUNTS)
def test_binary_cross_entropy_matches_sympy(num_classes, weighted):
    _, probabilities, targets, weights, _ = binary_inputs(num_classes, seed=5)
    kwargs = {"weight": weights} if weighted else {}
    scale = weights if weighted else np.ones_like(weights)
    saved = [probabilities.copy(), targets.copy(), weights.copy()]

    loss_of, gradient_of = binary_reference()
    expected_loss = loss_of(probabilities, targets, scale)
    expected_grad = gradient_of(probabilities, targets, scale)

    assert_family_matches(
        "binary_cross_entropy", (probabilities, targets), kwargs, expected_loss, expected_grad
    )
    assert_unchanged([probabilities, targets, weights], saved)


SIGMOID_OPTIONS = [{}, {"weight": True}, {"pos_weight": True}, {"weight": True, "pos_weight": True}]


@pytest.mark.parametrize("options", SIGMOID_OPTIONS, ids=option_id)
@pytest.mark.parametrize("num_classes", CLASS_COUNTS)
def test_sigmoid_binary_cross_entropy_matches_sympy(num_classes, options):
    logits, _, targets, weights, pos_weight = binary_inputs(num_classes, seed=6)
    kwargs = {}
    if options.get("weight"):
        kwargs["weight"] = weights
    if options.get("pos_weight"):
        kwargs["pos_weight"] = pos_weight
    scale = weights if options.get("weight") else np.ones_like(weights)
    positive_scale = pos_weight if options.get("pos_weight") else np.ones(num_classes)
    saved = [logits.copy(), targets.copy(), weights.copy(), pos_weight.copy()]

    loss_of, gradient_of = sigmoid_binary_reference()
    expected_loss = loss_of(logits, targets, positive_scale, scale)
    expected_grad = gradient_of(logits, targets, positive_scale, scale)

    assert_family_matches(
        "sigmoid_binary_cross_entropy", (logits, targets), kwargs, expected_loss, expected_grad
    )
    assert_unchanged([logits, targets, weights, pos_weight], saved)


# Moderate values only: the lambdified formulas lose relative accuracy in the tails
# (log(1 / (1 + exp(-x))) for large x), which crossent does not, so a wider range would
# test SymPy's formulas rather than crossent.
MODERATE = st.floats(-6.0, 6.0)
UNIT = st.floats(0.0, 1.0)


@settings(deadline=None, max_examples=30)
@given(
    logits=hnp.arrays(np.float64, 3, elements=MODERATE),
    label=st.integers(0, 2),
    class_weights=hnp.arrays(np.float64, 3, elements=st.floats(0.0, 4.0)),
    epsilon=UNIT,
)
def test_integer_label_loss_and_gradient_match_sympy_on_moderate_inputs(
    logits, label, class_weights, epsilon
):
    loss_of, gradient_of = integer_label_reference(3, label)
    options = {"weight": class_weights, "label_smoothing": epsilon, "reduction": "sum"}
    loss, grad = softmax_cross_entropy_with_integer_labels_value_and_grad(
        logits[np.newaxis], np.array([label]), **options
    )
    np.testing.assert_allclose(
        loss, loss_of(logits, class_weights, epsilon), rtol=RTOL, atol=1e-300
    )
    np.testing.assert_allclose(
        grad[0], gradient_of(logits, class_weights, epsilon), rtol=RTOL, atol=ATOL
    )


@settings(deadline=None, max_examples=30)
@given(logit=MODERATE, target=UNIT, pos_weight=st.floats(0.0, 8.0), weight=st.floats(0.0, 4.0))
def test_sigmoid_binary_loss_and_gradient_match_sympy_on_moderate_inputs(
    logit, target, pos_weight, weight
):
    loss_of, gradient_of = sigmoid_binary_reference()
    loss, grad = sigmoid_binary_cross_entropy_value_and_grad(
        np.array(logit), np.array(target), weight=weight, pos_weight=pos_weight, reduction="sum"
    )
    expected_loss = loss_of(logit, target, pos_weight, weight)
    np.testing.assert_allclose(loss, expected_loss, rtol=RTOL, atol=1e-300)
    np.testing.assert_allclose(
        grad, gradient_of(logit, target, pos_weight, weight), rtol=RTOL, atol=10 * ATOL
    )


def test_the_numeric_comparison_can_fail():
    # A loss that forgets the label smoothing must not pass for a smoothed one.
    logits, distributions, _, _, _ = random_inputs(3, seed=1)
    loss_of, _ = softmax_cross_entropy_reference(3)
    smoothed = np.array(
        [loss_of(z, t, np.ones(3), 0.2) for z, t in zip(logits, distributions, strict=True)]
    )
    unsmoothed = softmax_cross_entropy(logits, distributions, reduction="none")
    assert not np.allclose(unsmoothed, smoothed, rtol=RTOL)
