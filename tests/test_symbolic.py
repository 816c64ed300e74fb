"""Tests of crossent.symbolic: derived derivatives against closed forms, and against NumPy."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import crossent
from crossent import symbolic
from crossent.gradcheck import numerical_gradient, numerical_jacobian
from crossent.symbolic import (
    C,
    evaluate_sums,
    i,
    j,
    k,
    sigmoid,
    sigmoid_derivative,
    sigmoid_derivative_closed_form,
    softmax,
    softmax_indexed,
    softmax_indexed_derivative,
    softmax_indexed_derivative_closed_form,
    softmax_jacobian,
    softmax_jacobian_closed_form,
    softmax_symbols,
    z,
    z_scalar,
)

# --- sigmoid ---------------------------------------------------------------------------


def test_symbols_follow_the_book_notation():
    # The scalar logit prints as z, like the indexed logits z[i]; x and q are gone.
    assert str(z_scalar) == "z" and z_scalar.is_real
    assert str(z[i]) == "z[i]"
    assert str(symbolic.p[i]) == "p[i]" and symbolic.p[i].is_positive
    assert "z_scalar" in symbolic.__all__
    for retired in ("x", "q"):
        assert retired not in symbolic.__all__
        assert not hasattr(symbolic, retired)


def test_sigmoid_is_the_logistic_function():
    assert sigmoid(z_scalar) == 1 / (1 + sympy.exp(-z_scalar))
    assert sigmoid(0) == sympy.Rational(1, 2)


def test_sigmoid_derivative_simplifies_to_closed_form():
    difference = sigmoid_derivative(z_scalar) - sigmoid_derivative_closed_form(z_scalar)
    assert sympy.simplify(difference) == 0


def test_sigmoid_derivative_works_for_any_symbol():
    t = sympy.Symbol("t", real=True)
    assert sympy.simplify(sigmoid_derivative(t) - sigmoid(t) * (1 - sigmoid(t))) == 0
    assert not sigmoid_derivative(t).has(z_scalar)


def test_sigmoid_derivative_check_can_fail():
    # A wrong closed form must not simplify to zero against the derived derivative, or
    # the check above would prove nothing.
    wrong = sigmoid(z_scalar) * (1 + sigmoid(z_scalar))
    assert sympy.simplify(sigmoid_derivative(z_scalar) - wrong) != 0


def test_sigmoid_symmetry():
    assert sympy.simplify(sigmoid(-z_scalar) - (1 - sigmoid(z_scalar))) == 0


def test_sigmoid_derivative_is_even():
    derivative = sigmoid_derivative(z_scalar)
    assert sympy.simplify(derivative.subs(z_scalar, -z_scalar) - derivative) == 0


def test_sigmoid_derivative_at_zero_is_a_quarter():
    assert sigmoid_derivative(z_scalar).subs(z_scalar, 0) == sympy.Rational(1, 4)


# --- softmax, concrete number of classes -----------------------------------------------


def test_softmax_symbols_are_real_and_named():
    logits = softmax_symbols(3)
    assert [symbol.name for symbol in logits] == ["z_0", "z_1", "z_2"]
    assert all(symbol.is_real for symbol in logits)
    assert [symbol.name for symbol in softmax_symbols(2, name="s")] == ["s_0", "s_1"]


@pytest.mark.parametrize("num_classes", [1, 2, 3, 5])
def test_softmax_sums_to_one(num_classes):
    p = softmax(softmax_symbols(num_classes))
    assert p.shape == (num_classes, 1)
    assert sympy.simplify(sum(p) - 1) == 0


def test_softmax_of_two_classes_is_sigmoid_of_the_difference():
    z0, z1 = softmax_symbols(2)
    p = softmax([z0, z1])
    assert sympy.simplify(p[0] - sigmoid(z0 - z1)) == 0
    assert sympy.simplify(p[1] - sigmoid(z1 - z0)) == 0


def test_softmax_is_invariant_to_a_shift():
    logits = softmax_symbols(3)
    shift = sympy.Symbol("c", real=True)
    shifted = softmax([logit + shift for logit in logits])
    assert sympy.simplify(shifted - softmax(logits)) == sympy.zeros(3, 1)


@pytest.mark.parametrize("num_classes", [2, 3, 5])
def test_softmax_jacobian_simplifies_to_closed_form(num_classes):
    logits = softmax_symbols(num_classes)
    difference = softmax_jacobian(logits) - softmax_jacobian_closed_form(logits)
    assert sympy.simplify(difference) == sympy.zeros(num_classes, num_classes)


@pytest.mark.parametrize("num_classes", [2, 3, 5])
def test_softmax_jacobian_rows_sum_to_zero_and_it_is_symmetric(num_classes):
    jacobian = softmax_jacobian(softmax_symbols(num_classes))
    assert sympy.simplify(jacobian * sympy.ones(num_classes, 1)) == sympy.zeros(num_classes, 1)
    assert sympy.simplify(jacobian - jacobian.T) == sympy.zeros(num_classes, num_classes)


def test_softmax_jacobian_entries_are_the_derivatives():
    logits = softmax_symbols(3)
    p = softmax(logits)
    jacobian = softmax_jacobian(logits)
    for row in range(3):
        for col in range(3):
            assert jacobian[row, col] == sympy.diff(p[row], logits[col])


def test_softmax_jacobian_check_can_fail():
    # Without its diagonal term the closed form is wrong, and the comparison must say so.
    logits = softmax_symbols(3)
    p = softmax(logits)
    difference = softmax_jacobian(logits) - (-p * p.T)
    assert sympy.simplify(difference) != sympy.zeros(3, 3)


# --- softmax, symbolic number of classes -----------------------------------------------


def test_softmax_indexed_expression():
    expected = sympy.exp(z[i]) / sympy.Sum(sympy.exp(z[k]), (k, 0, C - 1))
    assert softmax_indexed() == expected


def test_softmax_indexed_derivative_is_written_with_kronecker_delta():
    assert softmax_indexed_derivative().has(sympy.KroneckerDelta(i, j))


def test_evaluate_sums_picks_the_in_range_branch():
    picked = sympy.Sum(sympy.KroneckerDelta(j, k) * sympy.exp(z[k]), (k, 0, C - 1))
    assert isinstance(picked.doit(), sympy.Piecewise)
    assert evaluate_sums(picked) == sympy.exp(z[j])


@pytest.fixture(scope="module")
def evaluated_indexed_derivative():
    # Computed once: evaluate_sums asks SymPy's assumption system, which takes a second.
    return evaluate_sums(softmax_indexed_derivative())


def test_softmax_indexed_derivative_equals_closed_form(evaluated_indexed_derivative):
    closed = softmax_indexed_derivative_closed_form()
    assert sympy.simplify(evaluated_indexed_derivative - closed) == 0


def test_softmax_indexed_derivative_on_the_diagonal(evaluated_indexed_derivative):
    p_i = softmax_indexed()
    derived = evaluated_indexed_derivative.subs(j, i)
    assert sympy.simplify(derived - p_i * (1 - p_i)) == 0


def test_softmax_indexed_derivative_off_the_diagonal(evaluated_indexed_derivative):
    # j = i + 1 is a different class whatever i is, so the Kronecker delta vanishes.
    p_i = softmax_indexed()
    p_next = p_i.subs(i, i + 1)
    derived = evaluated_indexed_derivative.subs(j, i + 1)
    assert sympy.simplify(derived - (-p_i * p_next)) == 0


@pytest.mark.parametrize(("row", "col"), [(1, 3), (2, 2), (0, 1)])
def test_indexed_derivative_agrees_with_concrete_jacobian(evaluated_indexed_derivative, row, col):
    num_classes = 4
    logits = softmax_symbols(num_classes)
    concrete = evaluated_indexed_derivative.subs({i: row, j: col, C: num_classes}).doit()
    concrete = concrete.subs({z[c]: logits[c] for c in range(num_classes)})
    assert sympy.simplify(concrete - softmax_jacobian(logits)[row, col]) == 0


# --- input checks ----------------------------------------------------------------------


def test_sigmoid_derivative_of_a_non_symbol_is_a_type_error():
    with pytest.raises(TypeError, match="z must be a SymPy Symbol"):
        sigmoid_derivative(z_scalar**2)


def test_sigmoid_of_an_unconvertible_object_is_a_type_error():
    with pytest.raises(TypeError, match="z must be a SymPy expression or a number"):
        sigmoid(object())


@pytest.mark.parametrize("bad_count", [0, -2])
def test_softmax_symbols_with_no_classes_is_a_value_error(bad_count):
    with pytest.raises(ValueError, match="num_classes must be at least 1"):
        softmax_symbols(bad_count)


@pytest.mark.parametrize("bad_count", [2.0, "3", True])
def test_softmax_symbols_with_non_int_count_is_a_type_error(bad_count):
    with pytest.raises(TypeError, match="num_classes must be an int"):
        softmax_symbols(bad_count)


def test_softmax_of_an_empty_sequence_is_a_value_error():
    with pytest.raises(ValueError, match="at least one logit"):
        softmax([])


@pytest.mark.parametrize("bad_logits", ["z0 z1", z_scalar, 3])
def test_softmax_of_a_non_sequence_is_a_type_error(bad_logits):
    with pytest.raises(TypeError, match="z must be a sequence of SymPy expressions"):
        softmax(bad_logits)


def test_softmax_jacobian_needs_distinct_symbols():
    z0, z1 = softmax_symbols(2)
    with pytest.raises(ValueError, match="distinct symbols"):
        softmax_jacobian([z0, z0])
    with pytest.raises(TypeError, match=r"z\[1\] must be a SymPy Symbol"):
        softmax_jacobian([z0, z1 + 1])


# --- numerical agreement with crossent's NumPy functions -------------------------------

EPS = np.finfo(np.float64).eps
SIGMOID_POINTS = np.array([-30.0, -5.0, -1.0, -1e-3, 0.0, 0.5, 3.0, 30.0])
LOGIT_ROWS = np.array(
    [
        [1.0, 2.0, 0.5],
        [0.0, 0.0, 0.0],
        [-3.0, 4.0, 0.25],
        [10.0, -10.0, 1.0],
    ]
)


def lambdified_sigmoid():
    return sympy.lambdify(z_scalar, sigmoid(z_scalar), modules="numpy")


def lambdified_sigmoid_derivative():
    return sympy.lambdify(z_scalar, sigmoid_derivative(z_scalar), modules="numpy")


def lambdified_softmax(num_classes):
    logits = softmax_symbols(num_classes)
    return sympy.lambdify([logits], softmax(logits), modules="numpy")


def lambdified_softmax_jacobian(num_classes):
    logits = softmax_symbols(num_classes)
    return sympy.lambdify([logits], softmax_jacobian(logits), modules="numpy")


def test_lambdified_sigmoid_matches_crossent():
    np.testing.assert_allclose(
        crossent.sigmoid(SIGMOID_POINTS), lambdified_sigmoid()(SIGMOID_POINTS), rtol=1e-13
    )


def test_lambdified_sigmoid_derivative_matches_crossent_and_finite_differences():
    derived = lambdified_sigmoid_derivative()(SIGMOID_POINTS)
    np.testing.assert_allclose(crossent.sigmoid_grad(SIGMOID_POINTS), derived, rtol=1e-12)
    sigma = lambdified_sigmoid()
    estimated = np.array([numerical_gradient(sigma, point) for point in SIGMOID_POINTS])
    np.testing.assert_allclose(estimated, derived, rtol=1e-8, atol=1e-12)


@settings(deadline=None, max_examples=50)
@given(point=st.floats(min_value=-35.0, max_value=35.0))
def test_lambdified_sigmoid_and_derivative_match_crossent_everywhere(point):
    value = np.array([point])
    np.testing.assert_allclose(crossent.sigmoid(value), lambdified_sigmoid()(value), rtol=1e-13)
    np.testing.assert_allclose(
        crossent.sigmoid_grad(value), lambdified_sigmoid_derivative()(value), rtol=1e-12
    )


@pytest.mark.parametrize("row", LOGIT_ROWS, ids=lambda row: str(list(row)))
def test_lambdified_softmax_matches_crossent(row):
    expected = np.asarray(lambdified_softmax(3)(row), dtype=np.float64).reshape(3)
    np.testing.assert_allclose(crossent.softmax(row), expected, rtol=1e-13, atol=1e-300)


@pytest.mark.parametrize("row", LOGIT_ROWS, ids=lambda row: str(list(row)))
def test_lambdified_softmax_jacobian_matches_crossent_and_finite_differences(row):
    derived = np.asarray(lambdified_softmax_jacobian(3)(row), dtype=np.float64)
    # The lambdified diagonal p - p**2 cancels when p is near 1, leaving an absolute error
    # of a few eps * p; crossent avoids the cancellation (see the high-precision test).
    np.testing.assert_allclose(crossent.softmax_jacobian(row), derived, rtol=1e-12, atol=1e-15)
    softmax_numpy = lambdified_softmax(3)
    estimated = numerical_jacobian(lambda v: np.asarray(softmax_numpy(v)).reshape(3), row)
    np.testing.assert_allclose(estimated, derived, rtol=1e-7, atol=1e-10)


def test_lambdified_softmax_jacobian_of_five_classes_matches_crossent():
    rng = np.random.default_rng(5)
    rows = rng.normal(scale=3.0, size=(4, 5))
    jacobian = lambdified_softmax_jacobian(5)
    derived = np.stack([np.asarray(jacobian(row), dtype=np.float64) for row in rows])
    np.testing.assert_allclose(crossent.softmax_jacobian(rows), derived, rtol=1e-12, atol=1e-15)


def precisely(expression, values, digits=40):
    """Evaluate a SymPy expression or matrix at high precision and round to float64."""
    exact = {symbol: sympy.Float(value, digits) for symbol, value in values.items()}
    evaluated = expression.evalf(digits, subs=exact)
    if isinstance(evaluated, sympy.MatrixBase):
        return np.array(evaluated.tolist(), dtype=np.float64)
    return float(evaluated)


def test_crossent_sigmoid_and_derivative_match_high_precision_sympy():
    # Wider than the lambdified tests can go: at -700 the lambdified derivative is 0.
    points = np.array([-745.0, -700.0, -40.0, -1e-8, 0.0, 2.5, 40.0, 700.0])
    value = np.array([precisely(sigmoid(z_scalar), {z_scalar: point}) for point in points])
    slope = np.array(
        [precisely(sigmoid_derivative(z_scalar), {z_scalar: point}) for point in points]
    )
    np.testing.assert_allclose(crossent.sigmoid(points), value, rtol=4 * EPS, atol=0)
    np.testing.assert_allclose(crossent.sigmoid_grad(points), slope, rtol=8 * EPS, atol=1e-320)


@pytest.mark.parametrize("row", [*LOGIT_ROWS, np.array([50.0, -40.0, 12.0])], ids=str)
def test_crossent_softmax_jacobian_matches_high_precision_sympy(row):
    logits = softmax_symbols(3)
    values = dict(zip(logits, row, strict=True))
    expected_p = precisely(softmax(logits), values).reshape(3)
    expected_jacobian = precisely(softmax_jacobian(logits), values)
    np.testing.assert_allclose(crossent.softmax(row), expected_p, rtol=4 * EPS, atol=0)
    np.testing.assert_allclose(
        crossent.softmax_jacobian(row), expected_jacobian, rtol=8 * EPS, atol=0
    )


# --- packaging -------------------------------------------------------------------------


def run_python(code):
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.strip()


def test_import_crossent_does_not_import_sympy_or_matplotlib():
    code = (
        "import sys, crossent\n"
        "heavy = sorted(name for name in sys.modules\n"
        "               if name.split('.')[0] in {'sympy', 'matplotlib', 'mpmath'})\n"
        "print(heavy)"
    )
    assert run_python(code) == "[]"


def test_symbolic_is_reachable_as_an_attribute():
    code = (
        "import sys, crossent\n"
        "module = crossent.symbolic\n"
        "print(module.__name__, 'sympy' in sys.modules, callable(module.softmax_jacobian))"
    )
    assert run_python(code) == "crossent.symbolic True True"
    assert crossent.symbolic is symbolic
