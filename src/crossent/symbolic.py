r"""SymPy expressions of the activations and the losses, and their derivatives derived by SymPy.

Every derivative in this module is computed by ``sympy.diff`` from the expression of
the function itself; none is typed in. Each one has a partner, named ``..._closed_form``,
that states the textbook result, so that a notebook or a test can show the two agree:
``sympy.simplify(derived - closed_form) == 0``.

Two forms of softmax are provided. The *concrete* form works on a given number of
classes, with one symbol per logit (:func:`softmax_symbols`), and gives matrices that can
be printed, simplified and turned into NumPy functions. The *indexed* form keeps the
number of classes ``C`` symbolic, writing the logits as ``z[k]`` and the normalizer as a
``sympy.Sum``, so the derivative holds for every ``C`` at once.

The losses come in the same two forms. A concrete loss such as
:func:`softmax_cross_entropy` returns one expression, its ``..._gradient`` the column of
its partial derivatives by ``sympy.diff``, and its ``..._gradient_closed_form`` the
textbook gradient. An indexed loss such as :func:`softmax_cross_entropy_indexed` returns
a ``sympy.Sum`` over the classes, its ``..._indexed_derivative`` the partial derivative by
``z[j]`` (evaluate its sums with :func:`evaluate_sums`), and its
``..._indexed_derivative_closed_form`` the textbook result. The binary losses act on one
probability or logit at a time, so they have only the concrete form.

The module defines the symbols these expressions are written in, in the book's
notation (logits :math:`z`, prediction :math:`p`, target :math:`t`, label :math:`y`):

z_scalar
    A real symbol printed ``z``: one logit, the default argument of the sigmoid
    functions. The binary losses take it too; their predicted probability is
    :math:`q = \sigma(z)`. It is the same SymPy symbol as the label of the indexed
    base ``z``, so an expression should use one or the other, not both.
z
    An indexed base of real logits, ``z[i]``, for the indexed form of softmax and of
    the losses.
t, w
    Indexed bases of real targets ``t[k]`` and real class weights ``w[k]``, for the
    indexed losses.
p
    An indexed base of a (positive) predicted distribution ``p[k]``, for the indexed
    cross-entropy :math:`H(t, p)`.
i, j, k
    Integer class indices: ``i`` the output, ``j`` the logit differentiated by, ``k`` the
    summation index of the indexed sums (a dummy that SymPy prints, not the :math:`k` of
    top-:math:`k`).
m
    A second integer summation index, used by the softmax normalizer inside a loss that
    already sums over ``k`` (a dummy, not the row maximum :math:`m` of the numerical
    code).
y
    An integer class index, the label of the indexed integer-label loss.
C
    The number of classes, a positive integer symbol.

Examples
--------
An expression becomes a NumPy function with ``sympy.lambdify``: pass the symbols the
function takes and the expression.

>>> import numpy as np
>>> import sympy
>>> from crossent.symbolic import sigmoid_derivative, z_scalar as z
>>> sigmoid_derivative(z)
exp(-z)/(1 + exp(-z))**2
>>> dsigma = sympy.lambdify(z, sigmoid_derivative(z), modules="numpy")
>>> dsigma(np.array([0.0, 2.0]))
array([0.25      , 0.10499359])

For the concrete softmax, pass the tuple of logit symbols as one argument; the function
then takes one array of logits:

>>> from crossent.symbolic import softmax_jacobian, softmax_symbols
>>> logits = softmax_symbols(3)
>>> jacobian = sympy.lambdify([logits], softmax_jacobian(logits), modules="numpy")
>>> v = np.array([1.0, 2.0, 0.5])
>>> jacobian(v).shape
(3, 3)
>>> p = np.exp(v) / np.sum(np.exp(v))
>>> np.allclose(jacobian(v), np.diag(p) - np.outer(p, p))
True

A lambdified expression computes the formula exactly as written, so it inherits the
formula's numerical weaknesses. Here the square in the denominator overflows for ``z``
below about -355, which turns the derivative into 0, and below about -709 ``exp(-z)``
overflows too, giving ``inf / inf``; ``crossent.sigmoid_grad`` keeps its digits:

>>> import crossent
>>> points = np.array([-710.0, -700.0, 0.0])
>>> with np.errstate(over="ignore", invalid="ignore"):
...     dsigma(points)
array([ nan, 0.  , 0.25])
>>> crossent.sigmoid_grad(points)
array([4.47628623e-309, 9.85967654e-305, 2.50000000e-001])

So use lambdified expressions to check ``crossent``'s NumPy functions on moderate
inputs, not to replace them. For a reference value at any input, evaluate the expression
at high precision instead: ``sigmoid_derivative(z).evalf(30, subs={z: -700})``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy

__all__ = [
    "C",
    "binary_cross_entropy",
    "binary_cross_entropy_gradient",
    "binary_cross_entropy_gradient_closed_form",
    "cross_entropy",
    "cross_entropy_gradient",
    "cross_entropy_gradient_closed_form",
    "cross_entropy_indexed",
    "cross_entropy_indexed_derivative",
    "cross_entropy_indexed_derivative_closed_form",
    "evaluate_sums",
    "i",
    "j",
    "k",
    "m",
    "multilabel_softmax_cross_entropy",
    "multilabel_softmax_cross_entropy_gradient",
    "multilabel_softmax_cross_entropy_gradient_closed_form",
    "multilabel_softmax_cross_entropy_indexed",
    "multilabel_softmax_cross_entropy_indexed_derivative",
    "multilabel_softmax_cross_entropy_indexed_derivative_closed_form",
    "multilabel_softmax_cross_entropy_over_positives",
    "one_hot",
    "p",
    "sigmoid",
    "sigmoid_binary_cross_entropy",
    "sigmoid_binary_cross_entropy_gradient",
    "sigmoid_binary_cross_entropy_gradient_closed_form",
    "sigmoid_derivative",
    "sigmoid_derivative_closed_form",
    "smooth_labels",
    "softmax",
    "softmax_cross_entropy",
    "softmax_cross_entropy_gradient",
    "softmax_cross_entropy_gradient_closed_form",
    "softmax_cross_entropy_indexed",
    "softmax_cross_entropy_indexed_derivative",
    "softmax_cross_entropy_indexed_derivative_closed_form",
    "softmax_cross_entropy_with_integer_labels",
    "softmax_cross_entropy_with_integer_labels_gradient",
    "softmax_cross_entropy_with_integer_labels_gradient_closed_form",
    "softmax_cross_entropy_with_integer_labels_indexed",
    "softmax_cross_entropy_with_integer_labels_indexed_derivative",
    "softmax_cross_entropy_with_integer_labels_indexed_derivative_closed_form",
    "softmax_indexed",
    "softmax_indexed_derivative",
    "softmax_indexed_derivative_closed_form",
    "softmax_jacobian",
    "softmax_jacobian_closed_form",
    "softmax_symbols",
    "t",
    "w",
    "y",
    "z",
    "z_scalar",
]

z_scalar = sympy.Symbol("z", real=True)
z = sympy.IndexedBase("z", real=True)
i, j, k = sympy.symbols("i j k", integer=True)
C = sympy.Symbol("C", integer=True, positive=True)
t = sympy.IndexedBase("t", real=True)
w = sympy.IndexedBase("w", real=True)
p = sympy.IndexedBase("p", positive=True)
m = sympy.Symbol("m", integer=True)
y = sympy.Symbol("y", integer=True)


# --- sigmoid -------------------------------------------------------------------------


def sigmoid(z: Any = z_scalar) -> sympy.Expr:
    r"""Return the logistic sigmoid of ``z`` as a SymPy expression.

    Parameters
    ----------
    z : sympy expression, optional
        The argument, a logit; the module symbol ``z_scalar`` (printed ``z``) by default.
        Numbers are converted with ``sympy.sympify``.

    Returns
    -------
    sympy expression
        :math:`1 / (1 + e^{-z})`.

    Raises
    ------
    TypeError
        If ``z`` cannot be converted to a SymPy expression.

    Notes
    -----
    .. math::

        \sigma(z) = \frac{1}{1 + e^{-z}}

    Examples
    --------
    >>> from crossent.symbolic import sigmoid, z_scalar as z
    >>> sigmoid(z)
    1/(1 + exp(-z))
    >>> sigmoid(0)
    1/2
    """
    return 1 / (1 + sympy.exp(-_expression(z, "z")))


def sigmoid_derivative(z: Any = z_scalar) -> sympy.Expr:
    r"""Return :math:`d\sigma/dz`, derived by ``sympy.diff``.

    Parameters
    ----------
    z : sympy Symbol, optional
        The variable to differentiate by; the module symbol ``z_scalar`` (printed ``z``)
        by default.

    Returns
    -------
    sympy expression
        The derivative as SymPy computes it, :math:`e^{-z} / (1 + e^{-z})^2`.

    Raises
    ------
    TypeError
        If ``z`` is not a SymPy symbol.

    See Also
    --------
    sigmoid_derivative_closed_form : the same derivative written through the sigmoid.

    Notes
    -----
    By the chain rule,

    .. math::

        \frac{d\sigma}{dz} = \frac{e^{-z}}{(1 + e^{-z})^2}
        = \sigma(z)\,\bigl(1 - \sigma(z)\bigr).

    Examples
    --------
    >>> import sympy
    >>> from crossent.symbolic import (
    ...     sigmoid_derivative, sigmoid_derivative_closed_form, z_scalar as z)
    >>> sigmoid_derivative(z)
    exp(-z)/(1 + exp(-z))**2
    >>> sympy.simplify(sigmoid_derivative(z) - sigmoid_derivative_closed_form(z))
    0
    """
    return sympy.diff(sigmoid(z), _symbol(z, "z"))


def sigmoid_derivative_closed_form(z: Any = z_scalar) -> sympy.Expr:
    r"""Return the closed form :math:`\sigma(z)\,(1 - \sigma(z))` of the sigmoid's derivative.

    Parameters
    ----------
    z : sympy expression, optional
        The argument; the module symbol ``z_scalar`` (printed ``z``) by default.

    Returns
    -------
    sympy expression
        :math:`\sigma(z)\,(1 - \sigma(z))`, written with :func:`sigmoid`.

    Raises
    ------
    TypeError
        If ``z`` cannot be converted to a SymPy expression.

    See Also
    --------
    sigmoid_derivative : the derivative as ``sympy.diff`` finds it.

    Examples
    --------
    >>> from crossent.symbolic import sigmoid_derivative_closed_form
    >>> sigmoid_derivative_closed_form(0)
    1/4
    """
    sigma = sigmoid(z)
    return sigma * (1 - sigma)


# --- softmax over a concrete number of classes ---------------------------------------


def softmax_symbols(num_classes: int, name: str = "z") -> tuple[sympy.Symbol, ...]:
    """Return real logit symbols ``z_0, ..., z_{C-1}`` for ``C = num_classes`` classes.

    Parameters
    ----------
    num_classes : int
        The number of classes, at least 1.
    name : str, optional
        The stem of the symbols' names.

    Returns
    -------
    tuple of sympy Symbol
        ``num_classes`` real symbols named ``{name}_0``, ``{name}_1``, ...

    Raises
    ------
    TypeError
        If ``num_classes`` is not an int or ``name`` is not a str.
    ValueError
        If ``num_classes`` is less than 1.

    Examples
    --------
    >>> from crossent.symbolic import softmax_symbols
    >>> softmax_symbols(3)
    (z_0, z_1, z_2)
    """
    _class_count(num_classes)
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__} {name!r}")
    return tuple(sympy.Symbol(f"{name}_{c}", real=True) for c in range(num_classes))


def softmax(z: Sequence[Any]) -> sympy.Matrix:
    r"""Return the softmax of the logits ``z`` as a column of SymPy expressions.

    Parameters
    ----------
    z : sequence of sympy expressions
        The logits :math:`z_0, \dots, z_{C-1}`, for example from :func:`softmax_symbols`.

    Returns
    -------
    sympy Matrix
        The ``C x 1`` column whose entry :math:`i` is :math:`p_i` below.

    Raises
    ------
    TypeError
        If ``z`` is not a sequence of SymPy expressions.
    ValueError
        If ``z`` is empty.

    Notes
    -----
    .. math::

        p_i = \frac{e^{z_i}}{\sum_{j=0}^{C-1} e^{z_j}}

    Examples
    --------
    With two classes, softmax is the sigmoid of the difference of the logits:

    >>> import sympy
    >>> from crossent.symbolic import sigmoid, softmax, softmax_symbols
    >>> z0, z1 = softmax_symbols(2)
    >>> p = softmax([z0, z1])
    >>> p
    Matrix([
    [exp(z_0)/(exp(z_0) + exp(z_1))],
    [exp(z_1)/(exp(z_0) + exp(z_1))]])
    >>> sympy.simplify(p[0] - sigmoid(z0 - z1))
    0
    """
    logits = _logits(z, "z")
    normalizer = sum((sympy.exp(logit) for logit in logits), sympy.Integer(0))
    return sympy.Matrix([sympy.exp(logit) / normalizer for logit in logits])


def softmax_jacobian(z: Sequence[sympy.Symbol]) -> sympy.Matrix:
    r"""Return the Jacobian of softmax, each entry derived by ``sympy.diff``.

    Parameters
    ----------
    z : sequence of sympy Symbol
        Distinct logit symbols, for example from :func:`softmax_symbols`.

    Returns
    -------
    sympy Matrix
        The ``C x C`` matrix with entry ``(i, j)`` equal to
        ``sympy.diff(softmax(z)[i], z[j])``.

    Raises
    ------
    TypeError
        If ``z`` is not a sequence of SymPy symbols.
    ValueError
        If ``z`` is empty or has a repeated symbol.

    See Also
    --------
    softmax_jacobian_closed_form : the textbook form :math:`\operatorname{diag}(p) - p p^T`.

    Notes
    -----
    .. math::

        J_{ij} = \frac{\partial p_i}{\partial z_j} = p_i\,(\delta_{ij} - p_j)

    Examples
    --------
    >>> import sympy
    >>> from crossent.symbolic import (
    ...     softmax_jacobian, softmax_jacobian_closed_form, softmax_symbols)
    >>> logits = softmax_symbols(3)
    >>> difference = softmax_jacobian(logits) - softmax_jacobian_closed_form(logits)
    >>> sympy.simplify(difference)
    Matrix([
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0]])
    """
    symbols = _distinct_symbols(z, "z")
    p = softmax(symbols)
    size = len(symbols)
    return sympy.Matrix(size, size, lambda row, col: sympy.diff(p[row], symbols[col]))


def softmax_jacobian_closed_form(z: Sequence[Any]) -> sympy.Matrix:
    r"""Return the closed form :math:`\operatorname{diag}(p) - p\,p^T` of softmax's Jacobian.

    Parameters
    ----------
    z : sequence of sympy expressions
        The logits.

    Returns
    -------
    sympy Matrix
        The ``C x C`` matrix with entry ``(i, j)`` equal to :math:`p_i (\delta_{ij} - p_j)`,
        with :math:`p` = ``softmax(z)``.

    Raises
    ------
    TypeError
        If ``z`` is not a sequence of SymPy expressions.
    ValueError
        If ``z`` is empty.

    See Also
    --------
    softmax_jacobian : the same matrix derived by ``sympy.diff``.

    Examples
    --------
    Each row sums to zero, since the probabilities always sum to one:

    >>> import sympy
    >>> from crossent.symbolic import softmax_jacobian_closed_form, softmax_symbols
    >>> J = softmax_jacobian_closed_form(softmax_symbols(3))
    >>> sympy.simplify(J * sympy.ones(3, 1))
    Matrix([
    [0],
    [0],
    [0]])
    """
    p = softmax(z)
    return sympy.diag(*p) - p * p.T


# --- softmax over a symbolic number of classes ---------------------------------------


def softmax_indexed() -> sympy.Expr:
    r"""Return softmax entry ``i`` over ``C`` classes, with ``C`` left symbolic.

    Returns
    -------
    sympy expression
        ``exp(z[i]) / Sum(exp(z[k]), (k, 0, C - 1))`` in the module symbols ``z``, ``i``,
        ``k`` and ``C``.

    Notes
    -----
    .. math::

        p_i = \frac{e^{z_i}}{\sum_{k=0}^{C-1} e^{z_k}}

    Examples
    --------
    >>> from crossent.symbolic import softmax_indexed
    >>> softmax_indexed()
    exp(z[i])/Sum(exp(z[k]), (k, 0, C - 1))
    """
    return sympy.exp(z[i]) / sympy.Sum(sympy.exp(z[k]), (k, 0, C - 1))


def softmax_indexed_derivative() -> sympy.Expr:
    r"""Return :math:`\partial p_i / \partial z_j` as ``sympy.diff`` derives it.

    Returns
    -------
    sympy expression
        ``sympy.diff(softmax_indexed(), z[j])``. SymPy writes
        :math:`\partial z_i / \partial z_j` as ``KroneckerDelta(i, j)`` and leaves the
        derivative of the normalizer as a sum over ``k`` of
        ``KroneckerDelta(j, k) * exp(z[k])``; :func:`evaluate_sums` collapses that sum.

    See Also
    --------
    softmax_indexed_derivative_closed_form : the textbook form :math:`p_i(\delta_{ij} - p_j)`.
    evaluate_sums : evaluate the sum, for indices known to be valid classes.

    Notes
    -----
    By the quotient rule, with :math:`S = \sum_k e^{z_k}`,

    .. math::

        \frac{\partial p_i}{\partial z_j}
        = \frac{\delta_{ij} e^{z_i}}{S} - \frac{e^{z_i} e^{z_j}}{S^2}
        = p_i\,(\delta_{ij} - p_j).

    Examples
    --------
    >>> import sympy
    >>> from crossent.symbolic import (
    ...     evaluate_sums, softmax_indexed_derivative, softmax_indexed_derivative_closed_form)
    >>> derived = evaluate_sums(softmax_indexed_derivative())
    >>> sympy.simplify(derived - softmax_indexed_derivative_closed_form())
    0
    """
    return sympy.diff(softmax_indexed(), z[j])


def softmax_indexed_derivative_closed_form() -> sympy.Expr:
    r"""Return the closed form :math:`p_i\,(\delta_{ij} - p_j)` of softmax's derivative.

    Returns
    -------
    sympy expression
        ``p_i * (KroneckerDelta(i, j) - p_j)`` with ``p_i = softmax_indexed()`` and
        ``p_j`` the same expression at index ``j``.

    See Also
    --------
    softmax_indexed_derivative : the derivative as ``sympy.diff`` finds it.

    Examples
    --------
    On the diagonal the Kronecker delta is 1:

    >>> from crossent.symbolic import i, j, softmax_indexed_derivative_closed_form
    >>> softmax_indexed_derivative_closed_form().subs(j, i)
    (-exp(z[i])/Sum(exp(z[k]), (k, 0, C - 1)) + 1)*exp(z[i])/Sum(exp(z[k]), (k, 0, C - 1))
    """
    p_i = softmax_indexed()
    p_j = p_i.subs(i, j)
    return p_i * (sympy.KroneckerDelta(i, j) - p_j)


def evaluate_sums(expression: Any) -> sympy.Expr:
    r"""Evaluate the sums in an indexed expression, taking ``i`` and ``j`` to be classes.

    ``sympy.Sum(...).doit()`` cannot tell whether the index ``j`` lies in the summation
    range, so a sum such as :math:`\sum_{k=0}^{C-1} \delta_{jk} e^{z_k}` becomes a
    ``Piecewise`` that is :math:`e^{z_j}` when :math:`0 \le j \le C - 1` and 0 otherwise.
    This function evaluates the sums and then refines the result under the assumption
    that ``i`` and ``j`` are valid class indices, :math:`0 \le i, j \le C - 1`, which
    keeps the first branch.

    Parameters
    ----------
    expression : sympy expression
        An expression in the module symbols ``z``, ``i``, ``j``, ``k`` and ``C``.

    Returns
    -------
    sympy expression
        The expression with its sums evaluated where they can be and every
        ``Piecewise`` that the assumption decides reduced to its branch.

    Raises
    ------
    TypeError
        If ``expression`` cannot be converted to a SymPy expression.

    Examples
    --------
    >>> import sympy
    >>> from crossent.symbolic import C, evaluate_sums, j, k, z
    >>> picked = sympy.Sum(sympy.KroneckerDelta(j, k) * sympy.exp(z[k]), (k, 0, C - 1))
    >>> picked.doit()
    Piecewise((exp(z[j]), (j >= 0) & (j <= C - 1)), (0, True))
    >>> evaluate_sums(picked)
    exp(z[j])
    """
    valid_classes = (
        sympy.Q.nonnegative(i)
        & sympy.Q.nonnegative(C - 1 - i)
        & sympy.Q.nonnegative(j)
        & sympy.Q.nonnegative(C - 1 - j)
    )
    return sympy.refine(_expression(expression, "expression").doit(), valid_classes)


# --- cross-entropy between two distributions ----------------------------------------


def cross_entropy(t: Sequence[Any], p: Sequence[Any]) -> sympy.Expr:
    r"""Return the cross-entropy :math:`H(t, p)` of a prediction ``p`` against a target ``t``.

    The arguments come in the mathematical order, target first. The NumPy function
    ``crossent.cross_entropy`` takes the prediction first, like every loss of the
    package: ``crossent.cross_entropy(probs, targets)`` computes this expression.

    Parameters
    ----------
    t : sequence of sympy expressions
        The target distribution :math:`t_0, \dots, t_{C-1}`.
    p : sequence of sympy expressions
        The predicted distribution, one entry per class. A number must lie in
        :math:`(0, 1]`, where its logarithm is finite.

    Returns
    -------
    sympy expression
        :math:`-\sum_i t_i \log p_i`.

    Raises
    ------
    TypeError
        If ``t`` or ``p`` is not a sequence of SymPy expressions.
    ValueError
        If ``t`` is empty, ``p`` has a different length, or a number in ``p`` lies
        outside :math:`(0, 1]`.

    See Also
    --------
    cross_entropy_gradient : its gradient with respect to ``p``.
    cross_entropy_indexed : the same sum over a symbolic number of classes.

    Notes
    -----
    .. math::

        H(t, p) = -\sum_{i=0}^{C-1} t_i \log p_i

    It is the average code length, in nats, of events drawn from :math:`t` and encoded
    with a code that is optimal for :math:`p`.

    References
    ----------
    Cover, T. M. and Thomas, J. A. (2006). Elements of Information Theory, 2nd ed.
    Wiley, section 2.3.

    Examples
    --------
    >>> import sympy
    >>> from crossent.symbolic import cross_entropy, softmax_symbols
    >>> cross_entropy(softmax_symbols(2, "t"), softmax_symbols(2, "p"))
    -t_0*log(p_0) - t_1*log(p_1)

    Against a one-hot target only the true class counts:

    >>> cross_entropy([0, 1, 0], [sympy.Rational(1, 2), sympy.Rational(1, 4), sympy.Rational(1, 4)])
    log(4)
    """
    target = _vector(t, "t", "probability")
    predicted = _probabilities(p, "p", len(target), "t")
    return -sympy.Add(*(t_i * sympy.log(p_i) for t_i, p_i in zip(target, predicted, strict=True)))


def cross_entropy_gradient(t: Sequence[Any], p: Sequence[sympy.Symbol]) -> sympy.Matrix:
    r"""Return the gradient of :math:`H(t, p)` with respect to ``p``, derived by ``sympy.diff``.

    Parameters
    ----------
    t : sequence of sympy expressions
        The target distribution.
    p : sequence of sympy Symbol
        Distinct symbols for the predicted distribution, one per class.

    Returns
    -------
    sympy Matrix
        The ``C x 1`` column with entry ``i`` equal to
        ``sympy.diff(cross_entropy(t, p), p[i])``.

    Raises
    ------
    TypeError
        If ``t`` is not a sequence of SymPy expressions or ``p`` not one of SymPy symbols.
    ValueError
        If ``t`` is empty, ``p`` has a different length or a repeated symbol.

    See Also
    --------
    cross_entropy_gradient_closed_form : the textbook form :math:`-t_i / p_i`.

    Notes
    -----
    .. math::

        \frac{\partial H(t, p)}{\partial p_i} = -\frac{t_i}{p_i}

    The entries of ``p`` are treated as free variables; the constraint
    :math:`\sum_i p_i = 1` is not imposed. A model that produces ``p`` by a softmax
    passes this gradient through the softmax Jacobian, which
    :func:`softmax_cross_entropy_gradient` does in one step.

    Examples
    --------
    >>> from crossent.symbolic import cross_entropy_gradient, softmax_symbols
    >>> cross_entropy_gradient(softmax_symbols(2, "t"), softmax_symbols(2, "p"))
    Matrix([
    [-t_0/p_0],
    [-t_1/p_1]])
    """
    predicted = _distinct_symbols(p, "p")
    return _gradient(cross_entropy(t, predicted), predicted)


def cross_entropy_gradient_closed_form(t: Sequence[Any], p: Sequence[Any]) -> sympy.Matrix:
    r"""Return the closed form :math:`-t / p` (entry by entry) of the cross-entropy's gradient.

    Parameters
    ----------
    t : sequence of sympy expressions
        The target distribution.
    p : sequence of sympy expressions
        The predicted distribution, one entry per class, numbers in :math:`(0, 1]`.

    Returns
    -------
    sympy Matrix
        The ``C x 1`` column with entry ``i`` equal to :math:`-t_i / p_i`.

    Raises
    ------
    TypeError
        If ``t`` or ``p`` is not a sequence of SymPy expressions.
    ValueError
        If ``t`` is empty, ``p`` has a different length, or a number in ``p`` lies
        outside :math:`(0, 1]`.

    See Also
    --------
    cross_entropy_gradient : the gradient as ``sympy.diff`` finds it.

    Examples
    --------
    >>> from crossent.symbolic import cross_entropy_gradient_closed_form
    >>> cross_entropy_gradient_closed_form([1, 0], [0.8, 0.2]).T
    Matrix([[-1.25, 0]])
    """
    target = _vector(t, "t", "probability")
    predicted = _probabilities(p, "p", len(target), "t")
    return sympy.Matrix([-t_i / p_i for t_i, p_i in zip(target, predicted, strict=True)])


def cross_entropy_indexed() -> sympy.Expr:
    r"""Return :math:`H(t, p)` over ``C`` classes, with ``C`` left symbolic.

    Returns
    -------
    sympy expression
        ``-Sum(t[k] * log(p[k]), (k, 0, C - 1))`` in the module symbols ``t``, ``p``,
        ``k`` and ``C``.

    See Also
    --------
    cross_entropy : the same loss for a given number of classes.

    Notes
    -----
    .. math::

        H(t, p) = -\sum_{k=0}^{C-1} t_k \log p_k,

    with :math:`k` the summation index that SymPy prints.

    Examples
    --------
    >>> from crossent.symbolic import C, cross_entropy_indexed
    >>> cross_entropy_indexed()
    -Sum(log(p[k])*t[k], (k, 0, C - 1))
    >>> cross_entropy_indexed().subs(C, 2).doit()
    -log(p[0])*t[0] - log(p[1])*t[1]
    """
    return -sympy.Sum(t[k] * sympy.log(p[k]), (k, 0, C - 1))


def cross_entropy_indexed_derivative() -> sympy.Expr:
    r"""Return :math:`\partial H(t, p) / \partial p_j` as ``sympy.diff`` derives it.

    Returns
    -------
    sympy expression
        ``sympy.diff(cross_entropy_indexed(), p[j])``: a sum over ``k`` of
        ``KroneckerDelta(j, k)`` terms, which :func:`evaluate_sums` collapses.

    See Also
    --------
    cross_entropy_indexed_derivative_closed_form : the textbook form :math:`-t_j / p_j`.

    Examples
    --------
    >>> import sympy
    >>> from crossent.symbolic import (
    ...     cross_entropy_indexed_derivative, cross_entropy_indexed_derivative_closed_form,
    ...     evaluate_sums)
    >>> derived = evaluate_sums(cross_entropy_indexed_derivative())
    >>> derived
    -t[j]/p[j]
    >>> sympy.simplify(derived - cross_entropy_indexed_derivative_closed_form())
    0
    """
    return sympy.diff(cross_entropy_indexed(), p[j])


def cross_entropy_indexed_derivative_closed_form() -> sympy.Expr:
    r"""Return the closed form :math:`-t_j / p_j` of the indexed cross-entropy's derivative.

    Returns
    -------
    sympy expression
        ``-t[j] / p[j]``.

    See Also
    --------
    cross_entropy_indexed_derivative : the derivative as ``sympy.diff`` finds it.

    Examples
    --------
    >>> from crossent.symbolic import cross_entropy_indexed_derivative_closed_form
    >>> cross_entropy_indexed_derivative_closed_form()
    -t[j]/p[j]
    """
    return -t[j] / p[j]


# --- softmax cross-entropy (categorical cross-entropy, "softmax loss") ------------------


def one_hot(y: int, num_classes: int) -> sympy.Matrix:
    r"""Return the one-hot column :math:`e_y` of length ``num_classes``.

    Parameters
    ----------
    y : int
        The class index, in ``[0, num_classes - 1]``.
    num_classes : int
        The number of classes, at least 1.

    Returns
    -------
    sympy Matrix
        The ``num_classes x 1`` column that is 1 in row ``y`` and 0 elsewhere.

    Raises
    ------
    TypeError
        If ``y`` or ``num_classes`` is not an int.
    ValueError
        If ``num_classes`` is less than 1 or ``y`` is not a valid class index.

    Examples
    --------
    >>> from crossent.symbolic import one_hot
    >>> one_hot(1, 3).T
    Matrix([[0, 1, 0]])
    """
    _class_count(num_classes)
    label = _label(y, num_classes)
    return sympy.Matrix([1 if c == label else 0 for c in range(num_classes)])


def smooth_labels(t: Sequence[Any], label_smoothing: Any) -> sympy.Matrix:
    r"""Return the label-smoothed targets :math:`(1 - \varepsilon)\,t + \varepsilon / C`.

    Parameters
    ----------
    t : sequence of sympy expressions
        The targets, one per class.
    label_smoothing : sympy expression or float
        The smoothing :math:`\varepsilon`: a symbol, or a number in :math:`[0, 1]`.

    Returns
    -------
    sympy Matrix
        The ``C x 1`` column of smoothed targets.

    Raises
    ------
    TypeError
        If ``t`` is not a sequence of SymPy expressions or ``label_smoothing`` is not a
        SymPy expression or a number.
    ValueError
        If ``t`` is empty or ``label_smoothing`` is a number outside :math:`[0, 1]`.

    Notes
    -----
    .. math::

        t'_i = (1 - \varepsilon)\,t_i + \frac{\varepsilon}{C}

    A one-hot target keeps :math:`1 - \varepsilon + \varepsilon / C` on its class and
    spreads :math:`\varepsilon / C` over every class, so the smoothed targets still sum
    to 1. This is PyTorch's ``label_smoothing``.

    References
    ----------
    Szegedy, C., Vanhoucke, V., Ioffe, S., Shlens, J. and Wojna, Z. (2016). Rethinking the
    Inception architecture for computer vision. CVPR, 2818-2826, section 7.

    Examples
    --------
    >>> import sympy
    >>> from crossent.symbolic import one_hot, smooth_labels
    >>> smooth_labels(one_hot(0, 4), sympy.Rational(1, 10)).T
    Matrix([[37/40, 1/40, 1/40, 1/40]])
    """
    targets = _vector(t, "t", "target")
    epsilon = _label_smoothing(label_smoothing)
    size = len(targets)
    return sympy.Matrix([(1 - epsilon) * t_k + epsilon / size for t_k in targets])


def softmax_cross_entropy(
    z: Sequence[Any],
    t: Sequence[Any],
    *,
    weight: Sequence[Any] | None = None,
    label_smoothing: Any = 0,
) -> sympy.Expr:
    r"""Return the softmax cross-entropy of the logits ``z`` against the targets ``t``.

    Parameters
    ----------
    z : sequence of sympy expressions
        The logits :math:`z_0, \dots, z_{C-1}`.
    t : sequence of sympy expressions
        The targets, one per class: a one-hot vector, a probability distribution, or
        symbols.
    weight : sequence of sympy expressions, optional
        The class weights :math:`w_i`, one per class; all 1 by default.
    label_smoothing : sympy expression or float, optional
        The smoothing :math:`\varepsilon` (see :func:`smooth_labels`): a symbol, or a
        number in :math:`[0, 1]`; 0 by default.

    Returns
    -------
    sympy expression
        :math:`L` below, with the log-probabilities written as ``log(softmax(z)[k])``.

    Raises
    ------
    TypeError
        If ``z``, ``t`` or ``weight`` is not a sequence of SymPy expressions, or
        ``label_smoothing`` is not a SymPy expression or a number.
    ValueError
        If ``z`` is empty, ``t`` or ``weight`` has a different length, or
        ``label_smoothing`` is a number outside :math:`[0, 1]`.

    See Also
    --------
    softmax_cross_entropy_gradient : its gradient with respect to the logits.
    softmax_cross_entropy_with_integer_labels : the same loss with a class index as target.
    softmax_cross_entropy_indexed : the same loss over a symbolic number of classes.

    Notes
    -----
    With :math:`p = \operatorname{softmax}(z)` and the smoothed targets
    :math:`t'_i = (1 - \varepsilon)\,t_i + \varepsilon / C`,

    .. math::

        L = -\sum_{i=0}^{C-1} w_i\, t'_i \log p_i,

    which is :math:`H(t, p)` when there are no weights and no smoothing. The weights
    multiply each class's term, as PyTorch's ``cross_entropy`` does for probability
    targets and (per example, before any mean) for class indices.

    References
    ----------
    Goodfellow, I., Bengio, Y. and Courville, A. (2016). Deep Learning. MIT Press,
    section 6.2.2.3.

    Examples
    --------
    >>> from crossent.symbolic import softmax_cross_entropy, softmax_symbols
    >>> softmax_cross_entropy(softmax_symbols(2), softmax_symbols(2, "t"))
    -t_0*log(exp(z_0)/(exp(z_0) + exp(z_1))) - t_1*log(exp(z_1)/(exp(z_0) + exp(z_1)))

    The worked example of the cat/dog/bird classifier, logits 1, 2 and 0.5, true class
    "dog":

    >>> loss = softmax_cross_entropy([1, 2, 0.5], [0, 1, 0])
    >>> round(float(loss), 4)
    0.4644
    """
    logits = _logits(z, "z")
    targets = _matching_vector(t, "t", "target", len(logits), "z")
    weighted = _weighted_targets(targets, weight, label_smoothing)
    log_probabilities = [sympy.log(p_k) for p_k in softmax(logits)]
    return -sympy.Add(
        *(v_k * log_p_k for v_k, log_p_k in zip(weighted, log_probabilities, strict=True))
    )


def softmax_cross_entropy_gradient(
    z: Sequence[sympy.Symbol],
    t: Sequence[Any],
    *,
    weight: Sequence[Any] | None = None,
    label_smoothing: Any = 0,
) -> sympy.Matrix:
    r"""Return the gradient of :func:`softmax_cross_entropy` by the logits, derived by ``sympy.diff``.

    Parameters
    ----------
    z : sequence of sympy Symbol
        Distinct logit symbols, for example from :func:`softmax_symbols`.
    t : sequence of sympy expressions
        The targets, one per class.
    weight : sequence of sympy expressions, optional
        The class weights; all 1 by default.
    label_smoothing : sympy expression or float, optional
        The smoothing :math:`\varepsilon`; 0 by default.

    Returns
    -------
    sympy Matrix
        The ``C x 1`` column with entry ``j`` equal to
        ``sympy.diff(softmax_cross_entropy(z, t, ...), z[j])``.

    Raises
    ------
    TypeError
        As :func:`softmax_cross_entropy`, and if an entry of ``z`` is not a SymPy symbol.
    ValueError
        As :func:`softmax_cross_entropy`, and if ``z`` has a repeated symbol.

    See Also
    --------
    softmax_cross_entropy_gradient_closed_form : the textbook form.

    Notes
    -----
    With :math:`v_i = w_i t'_i` and :math:`\partial \log p_i / \partial z_j =
    \delta_{ij} - p_j`,

    .. math::

        \frac{\partial L}{\partial z_j} = -\sum_i v_i (\delta_{ij} - p_j)
        = p_j \sum_i v_i - v_j,

    which is :math:`p_j - t_j` when the targets sum to 1 and there are no weights.

    Examples
    --------
    >>> import sympy
    >>> from crossent.symbolic import (
    ...     softmax_cross_entropy_gradient, softmax_cross_entropy_gradient_closed_form,
    ...     softmax_symbols)
    >>> logits, targets = softmax_symbols(3), softmax_symbols(3, "t")
    >>> derived = softmax_cross_entropy_gradient(logits, targets)
    >>> closed = softmax_cross_entropy_gradient_closed_form(logits, targets)
    >>> sympy.simplify(derived - closed).T
    Matrix([[0, 0, 0]])
    """
    logits = _distinct_symbols(z, "z")
    loss = softmax_cross_entropy(logits, t, weight=weight, label_smoothing=label_smoothing)
    return _gradient(loss, logits)


def softmax_cross_entropy_gradient_closed_form(
    z: Sequence[Any],
    t: Sequence[Any],
    *,
    weight: Sequence[Any] | None = None,
    label_smoothing: Any = 0,
) -> sympy.Matrix:
    r"""Return the closed form :math:`p \sum_i v_i - v` of the softmax cross-entropy's gradient.

    Parameters
    ----------
    z : sequence of sympy expressions
        The logits.
    t : sequence of sympy expressions
        The targets, one per class.
    weight : sequence of sympy expressions, optional
        The class weights; all 1 by default.
    label_smoothing : sympy expression or float, optional
        The smoothing :math:`\varepsilon`; 0 by default.

    Returns
    -------
    sympy Matrix
        The ``C x 1`` column :math:`p \sum_i v_i - v`, with :math:`p` = ``softmax(z)``
        and :math:`v_i = w_i t'_i` the weighted, smoothed targets.

    Raises
    ------
    TypeError
        As :func:`softmax_cross_entropy`.
    ValueError
        As :func:`softmax_cross_entropy`.

    See Also
    --------
    softmax_cross_entropy_gradient : the gradient as ``sympy.diff`` finds it.

    Notes
    -----
    .. math::

        \nabla_z L = p \sum_{i=0}^{C-1} w_i t'_i - w \odot t'

    Without weights or smoothing this is :math:`p \sum_i t_i - t`, which is
    :math:`p - t` for targets that sum to 1: the prediction minus the target.

    Examples
    --------
    >>> from crossent.symbolic import softmax_cross_entropy_gradient_closed_form
    >>> softmax_cross_entropy_gradient_closed_form([0, 0], [0, 1]).T
    Matrix([[1/2, -1/2]])
    """
    logits = _logits(z, "z")
    targets = _matching_vector(t, "t", "target", len(logits), "z")
    weighted = _weighted_targets(targets, weight, label_smoothing)
    return softmax(logits) * sympy.Add(*weighted) - weighted


def softmax_cross_entropy_with_integer_labels(
    z: Sequence[Any],
    y: int,
    *,
    weight: Sequence[Any] | None = None,
    label_smoothing: Any = 0,
) -> sympy.Expr:
    r"""Return the softmax cross-entropy of the logits ``z`` for the true class ``y``.

    Parameters
    ----------
    z : sequence of sympy expressions
        The logits :math:`z_0, \dots, z_{C-1}`.
    y : int
        The index of the true class, in ``[0, C - 1]``.
    weight : sequence of sympy expressions, optional
        The class weights, one per class; all 1 by default.
    label_smoothing : sympy expression or float, optional
        The smoothing :math:`\varepsilon`: a symbol, or a number in :math:`[0, 1]`; 0 by
        default.

    Returns
    -------
    sympy expression
        :math:`-\log p_y` without options; in general :func:`softmax_cross_entropy` of the
        one-hot target :math:`e_y`.

    Raises
    ------
    TypeError
        If ``z`` or ``weight`` is not a sequence of SymPy expressions, ``y`` is not an
        int, or ``label_smoothing`` is not a SymPy expression or a number.
    ValueError
        If ``z`` is empty, ``y`` is not a class index, ``weight`` has a different length,
        or ``label_smoothing`` is a number outside :math:`[0, 1]`.

    See Also
    --------
    softmax_cross_entropy_with_integer_labels_gradient : its gradient by the logits.
    softmax_cross_entropy_with_integer_labels_indexed : the same loss with ``y`` symbolic.

    Notes
    -----
    With the one-hot target :math:`e_y` every term but one of the cross-entropy vanishes:

    .. math::

        L = -\log p_y = -z_y + \log \sum_{i=0}^{C-1} e^{z_i}.

    With weights and smoothing,
    :math:`L = -(1 - \varepsilon)\, w_y \log p_y - \frac{\varepsilon}{C} \sum_i w_i \log p_i`,
    PyTorch's per-example loss for class indices.

    Examples
    --------
    >>> import sympy
    >>> from crossent.symbolic import softmax_cross_entropy_with_integer_labels, softmax_symbols
    >>> softmax_cross_entropy_with_integer_labels(softmax_symbols(3), 1)
    -log(exp(z_1)/(exp(z_0) + exp(z_1) + exp(z_2)))
    >>> epsilon = sympy.Symbol("epsilon")
    >>> softmax_cross_entropy_with_integer_labels(softmax_symbols(2), 0, label_smoothing=epsilon)
    -epsilon*log(exp(z_1)/(exp(z_0) + exp(z_1)))/2 - (1 - epsilon/2)*log(exp(z_0)/(exp(z_0) + exp(z_1)))
    """
    logits = _logits(z, "z")
    return softmax_cross_entropy(
        logits, one_hot(y, len(logits)), weight=weight, label_smoothing=label_smoothing
    )


def softmax_cross_entropy_with_integer_labels_gradient(
    z: Sequence[sympy.Symbol],
    y: int,
    *,
    weight: Sequence[Any] | None = None,
    label_smoothing: Any = 0,
) -> sympy.Matrix:
    r"""Return the gradient of the integer-label loss by the logits, derived by ``sympy.diff``.

    Parameters
    ----------
    z : sequence of sympy Symbol
        Distinct logit symbols.
    y : int
        The index of the true class.
    weight : sequence of sympy expressions, optional
        The class weights; all 1 by default.
    label_smoothing : sympy expression or float, optional
        The smoothing :math:`\varepsilon`; 0 by default.

    Returns
    -------
    sympy Matrix
        The ``C x 1`` column with entry ``j`` equal to
        ``sympy.diff(softmax_cross_entropy_with_integer_labels(z, y, ...), z[j])``.

    Raises
    ------
    TypeError
        As :func:`softmax_cross_entropy_with_integer_labels`, and if an entry of ``z`` is
        not a SymPy symbol.
    ValueError
        As :func:`softmax_cross_entropy_with_integer_labels`, and if ``z`` has a repeated
        symbol.

    See Also
    --------
    softmax_cross_entropy_with_integer_labels_gradient_closed_form : the textbook form
        :math:`p - e_y`.

    Examples
    --------
    >>> import sympy
    >>> from crossent.symbolic import (
    ...     softmax, softmax_cross_entropy_with_integer_labels_gradient, softmax_symbols)
    >>> logits = softmax_symbols(3)
    >>> derived = softmax_cross_entropy_with_integer_labels_gradient(logits, 2)
    >>> sympy.simplify(derived - softmax(logits)).T
    Matrix([[0, 0, -1]])
    """
    logits = _distinct_symbols(z, "z")
    loss = softmax_cross_entropy_with_integer_labels(
        logits, y, weight=weight, label_smoothing=label_smoothing
    )
    return _gradient(loss, logits)


def softmax_cross_entropy_with_integer_labels_gradient_closed_form(
    z: Sequence[Any],
    y: int,
    *,
    weight: Sequence[Any] | None = None,
    label_smoothing: Any = 0,
) -> sympy.Matrix:
    r"""Return the closed form :math:`p - e_y` of the integer-label loss's gradient.

    Parameters
    ----------
    z : sequence of sympy expressions
        The logits.
    y : int
        The index of the true class.
    weight : sequence of sympy expressions, optional
        The class weights; all 1 by default.
    label_smoothing : sympy expression or float, optional
        The smoothing :math:`\varepsilon`; 0 by default.

    Returns
    -------
    sympy Matrix
        :math:`p - e_y` without options; in general
        :func:`softmax_cross_entropy_gradient_closed_form` of the one-hot target.

    Raises
    ------
    TypeError
        As :func:`softmax_cross_entropy_with_integer_labels`.
    ValueError
        As :func:`softmax_cross_entropy_with_integer_labels`.

    See Also
    --------
    softmax_cross_entropy_with_integer_labels_gradient : the gradient as ``sympy.diff``
        finds it.

    Notes
    -----
    .. math::

        \frac{\partial L}{\partial z_j} = p_j - [j = y]

    The true class is pushed up by :math:`1 - p_y`, every other class down by its
    probability.

    Examples
    --------
    >>> from crossent.symbolic import (
    ...     softmax_cross_entropy_with_integer_labels_gradient_closed_form)
    >>> softmax_cross_entropy_with_integer_labels_gradient_closed_form([0, 0, 0, 0], 3).T
    Matrix([[1/4, 1/4, 1/4, -3/4]])
    """
    logits = _logits(z, "z")
    return softmax_cross_entropy_gradient_closed_form(
        logits, one_hot(y, len(logits)), weight=weight, label_smoothing=label_smoothing
    )


def softmax_cross_entropy_indexed(*, weight: Any = None, label_smoothing: Any = 0) -> sympy.Expr:
    r"""Return the softmax cross-entropy over ``C`` classes, with ``C`` left symbolic.

    Parameters
    ----------
    weight : sympy IndexedBase, optional
        The class weights, for example the module symbol ``w``; none by default.
    label_smoothing : sympy expression or float, optional
        The smoothing :math:`\varepsilon`; 0 by default.

    Returns
    -------
    sympy expression
        ``-Sum(weight[k] * t'[k] * log(p[k]), (k, 0, C - 1))`` with
        ``t'[k] = (1 - label_smoothing) * t[k] + label_smoothing / C`` and
        ``p[k] = exp(z[k]) / Sum(exp(z[m]), (m, 0, C - 1))``.

    Raises
    ------
    TypeError
        If ``weight`` is neither None nor a SymPy IndexedBase, or ``label_smoothing`` is
        not a SymPy expression or a number.
    ValueError
        If ``label_smoothing`` is a number outside :math:`[0, 1]`.

    See Also
    --------
    softmax_cross_entropy : the same loss for a given number of classes.

    Notes
    -----
    .. math::

        L = -\sum_{k=0}^{C-1} w_k\, t'_k \log \frac{e^{z_k}}{\sum_{m=0}^{C-1} e^{z_m}}

    Examples
    --------
    >>> from crossent.symbolic import softmax_cross_entropy_indexed
    >>> softmax_cross_entropy_indexed()
    -Sum(log(exp(z[k])/Sum(exp(z[m]), (m, 0, C - 1)))*t[k], (k, 0, C - 1))
    """
    weighted = _indexed_weighted_target(weight, label_smoothing)
    return -sympy.Sum(weighted * sympy.log(_softmax_indexed_at(k)), (k, 0, C - 1))


def softmax_cross_entropy_indexed_derivative(
    *, weight: Any = None, label_smoothing: Any = 0
) -> sympy.Expr:
    r"""Return :math:`\partial L / \partial z_j` of the indexed softmax cross-entropy, by ``sympy.diff``.

    Parameters
    ----------
    weight : sympy IndexedBase, optional
        The class weights, for example the module symbol ``w``; none by default.
    label_smoothing : sympy expression or float, optional
        The smoothing :math:`\varepsilon`; 0 by default.

    Returns
    -------
    sympy expression
        ``sympy.diff(softmax_cross_entropy_indexed(...), z[j])``, with the Kronecker-delta
        sums left for :func:`evaluate_sums`.

    Raises
    ------
    TypeError
        As :func:`softmax_cross_entropy_indexed`.
    ValueError
        As :func:`softmax_cross_entropy_indexed`.

    See Also
    --------
    softmax_cross_entropy_indexed_derivative_closed_form : the textbook form.

    Examples
    --------
    >>> import sympy
    >>> from crossent.symbolic import (
    ...     evaluate_sums, softmax_cross_entropy_indexed_derivative,
    ...     softmax_cross_entropy_indexed_derivative_closed_form)
    >>> derived = evaluate_sums(softmax_cross_entropy_indexed_derivative())
    >>> derived
    -t[j] - Sum(-exp(z[j])*t[k]/Sum(exp(z[m]), (m, 0, C - 1)), (k, 0, C - 1))
    >>> sympy.simplify(derived - softmax_cross_entropy_indexed_derivative_closed_form())
    0
    """
    loss = softmax_cross_entropy_indexed(weight=weight, label_smoothing=label_smoothing)
    return sympy.diff(loss, z[j])


def softmax_cross_entropy_indexed_derivative_closed_form(
    *, weight: Any = None, label_smoothing: Any = 0
) -> sympy.Expr:
    r"""Return the closed form :math:`p_j \sum_k w_k t'_k - w_j t'_j` of the indexed derivative.

    Parameters
    ----------
    weight : sympy IndexedBase, optional
        The class weights, for example the module symbol ``w``; none by default.
    label_smoothing : sympy expression or float, optional
        The smoothing :math:`\varepsilon`; 0 by default.

    Returns
    -------
    sympy expression
        The closed form, with :math:`p_j` written with the summation index ``m``.

    Raises
    ------
    TypeError
        As :func:`softmax_cross_entropy_indexed`.
    ValueError
        As :func:`softmax_cross_entropy_indexed`.

    See Also
    --------
    softmax_cross_entropy_indexed_derivative : the derivative as ``sympy.diff`` finds it.

    Examples
    --------
    >>> from crossent.symbolic import softmax_cross_entropy_indexed_derivative_closed_form
    >>> softmax_cross_entropy_indexed_derivative_closed_form()
    exp(z[j])*Sum(t[k], (k, 0, C - 1))/Sum(exp(z[m]), (m, 0, C - 1)) - t[j]
    """
    weighted = _indexed_weighted_target(weight, label_smoothing)
    total = sympy.Sum(weighted, (k, 0, C - 1))
    return _softmax_indexed_at(j) * total - weighted.subs(k, j)


def softmax_cross_entropy_with_integer_labels_indexed() -> sympy.Expr:
    r"""Return :math:`-\log p_y` over ``C`` classes, with the label ``y`` and ``C`` symbolic.

    Returns
    -------
    sympy expression
        ``-log(exp(z[y]) / Sum(exp(z[m]), (m, 0, C - 1)))``.

    See Also
    --------
    softmax_cross_entropy_with_integer_labels : the same loss for a given label.

    Examples
    --------
    >>> from crossent.symbolic import softmax_cross_entropy_with_integer_labels_indexed
    >>> softmax_cross_entropy_with_integer_labels_indexed()
    -log(exp(z[y])/Sum(exp(z[m]), (m, 0, C - 1)))
    """
    return -sympy.log(_softmax_indexed_at(y))


def softmax_cross_entropy_with_integer_labels_indexed_derivative() -> sympy.Expr:
    r"""Return :math:`\partial (-\log p_y) / \partial z_j` as ``sympy.diff`` derives it.

    Returns
    -------
    sympy expression
        ``sympy.diff(softmax_cross_entropy_with_integer_labels_indexed(), z[j])``; SymPy
        writes :math:`\partial z_y / \partial z_j` as ``KroneckerDelta(j, y)``.

    See Also
    --------
    softmax_cross_entropy_with_integer_labels_indexed_derivative_closed_form : the
        textbook form :math:`p_j - \delta_{jy}`.

    Examples
    --------
    >>> import sympy
    >>> from crossent.symbolic import (
    ...     evaluate_sums, softmax_cross_entropy_with_integer_labels_indexed_derivative,
    ...     softmax_cross_entropy_with_integer_labels_indexed_derivative_closed_form)
    >>> derived = evaluate_sums(softmax_cross_entropy_with_integer_labels_indexed_derivative())
    >>> closed = softmax_cross_entropy_with_integer_labels_indexed_derivative_closed_form()
    >>> sympy.simplify(derived - closed)
    0
    """
    return sympy.diff(softmax_cross_entropy_with_integer_labels_indexed(), z[j])


def softmax_cross_entropy_with_integer_labels_indexed_derivative_closed_form() -> sympy.Expr:
    r"""Return the closed form :math:`p_j - \delta_{jy}` of the indexed integer-label derivative.

    Returns
    -------
    sympy expression
        ``exp(z[j]) / Sum(exp(z[m]), (m, 0, C - 1)) - KroneckerDelta(j, y)``.

    See Also
    --------
    softmax_cross_entropy_with_integer_labels_indexed_derivative : the derivative as
        ``sympy.diff`` finds it.

    Examples
    --------
    On the true class the derivative is :math:`p_y - 1`:

    >>> from crossent.symbolic import (
    ...     j, softmax_cross_entropy_with_integer_labels_indexed_derivative_closed_form, y)
    >>> softmax_cross_entropy_with_integer_labels_indexed_derivative_closed_form().subs(j, y)
    exp(z[y])/Sum(exp(z[m]), (m, 0, C - 1)) - 1
    """
    return _softmax_indexed_at(j) - sympy.KroneckerDelta(j, y)


# --- binary cross-entropy ------------------------------------------------------------


def binary_cross_entropy(q: Any, t: Any, *, weight: Any = 1) -> sympy.Expr:
    r"""Return the binary cross-entropy of the probability ``q`` against the target ``t``.

    Parameters
    ----------
    q : sympy expression or float
        The predicted probability of the positive class. A number must lie in
        :math:`(0, 1)`, where both logarithms are finite.
    t : sympy expression or float
        The target, 1 for positive and 0 for negative, or a probability in between.
    weight : sympy expression or float, optional
        A factor :math:`w` that scales the loss; 1 by default.

    Returns
    -------
    sympy expression
        :math:`-w\,\bigl(t \log q + (1 - t) \log(1 - q)\bigr)`.

    Raises
    ------
    TypeError
        If an argument is not a SymPy expression or a number.
    ValueError
        If ``q`` is a number outside :math:`(0, 1)`.

    See Also
    --------
    binary_cross_entropy_gradient : its derivative by ``q``.
    sigmoid_binary_cross_entropy : the same loss on a logit.

    Notes
    -----
    .. math::

        L(q, t) = -t \log q - (1 - t) \log(1 - q)

    It is the cross-entropy :math:`H(t, p)` of the two-class distributions
    :math:`t = (t, 1 - t)` and :math:`p = (q, 1 - q)`.

    Examples
    --------
    >>> import sympy
    >>> from crossent.symbolic import binary_cross_entropy
    >>> q, t = sympy.symbols("q t", real=True)
    >>> binary_cross_entropy(q, t)
    -t*log(q) - (1 - t)*log(1 - q)
    >>> binary_cross_entropy(sympy.Rational(1, 4), 0)
    -log(3/4)
    """
    probability = _open_probability(q, "q")
    target = _expression(t, "t")
    scale = _expression(weight, "weight")
    return -scale * (target * sympy.log(probability) + (1 - target) * sympy.log(1 - probability))


def binary_cross_entropy_gradient(q: sympy.Symbol, t: Any, *, weight: Any = 1) -> sympy.Expr:
    r"""Return :math:`\partial L / \partial q` of the binary cross-entropy, derived by ``sympy.diff``.

    Parameters
    ----------
    q : sympy Symbol
        The probability symbol to differentiate by.
    t : sympy expression or float
        The target.
    weight : sympy expression or float, optional
        A factor that scales the loss; 1 by default.

    Returns
    -------
    sympy expression
        ``sympy.diff(binary_cross_entropy(q, t, weight=weight), q)``.

    Raises
    ------
    TypeError
        If ``q`` is not a SymPy symbol, or ``t`` or ``weight`` is not a SymPy expression
        or a number.

    See Also
    --------
    binary_cross_entropy_gradient_closed_form : the textbook form
        :math:`(q - t) / (q (1 - q))`.

    Examples
    --------
    >>> import sympy
    >>> from crossent.symbolic import binary_cross_entropy_gradient
    >>> q, t = sympy.symbols("q t", real=True)
    >>> binary_cross_entropy_gradient(q, t)
    (1 - t)/(1 - q) - t/q
    """
    probability = _symbol(q, "q")
    return sympy.diff(binary_cross_entropy(probability, t, weight=weight), probability)


def binary_cross_entropy_gradient_closed_form(q: Any, t: Any, *, weight: Any = 1) -> sympy.Expr:
    r"""Return the closed form :math:`w (q - t) / (q (1 - q))` of the binary cross-entropy's derivative.

    Parameters
    ----------
    q : sympy expression or float
        The predicted probability, a number in :math:`(0, 1)` if it is a number.
    t : sympy expression or float
        The target.
    weight : sympy expression or float, optional
        A factor :math:`w` that scales the loss; 1 by default.

    Returns
    -------
    sympy expression
        :math:`w\,(q - t) / (q\,(1 - q))`.

    Raises
    ------
    TypeError
        If an argument is not a SymPy expression or a number.
    ValueError
        If ``q`` is a number outside :math:`(0, 1)`.

    See Also
    --------
    binary_cross_entropy_gradient : the derivative as ``sympy.diff`` finds it.

    Notes
    -----
    .. math::

        \frac{\partial L}{\partial q} = -\frac{t}{q} + \frac{1 - t}{1 - q}
        = \frac{q - t}{q\,(1 - q)}

    The denominator :math:`q (1 - q)` is the sigmoid's derivative at the logit
    :math:`z` with :math:`q = \sigma(z)`, so the chain rule through a sigmoid cancels
    it (see :func:`sigmoid_binary_cross_entropy_gradient_closed_form`).

    Examples
    --------
    >>> import sympy
    >>> from crossent.symbolic import binary_cross_entropy_gradient_closed_form
    >>> binary_cross_entropy_gradient_closed_form(sympy.Rational(1, 4), 1)
    -4
    """
    probability = _open_probability(q, "q")
    target = _expression(t, "t")
    scale = _expression(weight, "weight")
    return scale * (probability - target) / (probability * (1 - probability))


def sigmoid_binary_cross_entropy(
    z: Any, t: Any, pos_weight: Any = 1, *, weight: Any = 1
) -> sympy.Expr:
    r"""Return the binary cross-entropy of the logit ``z`` against the target ``t``.

    Parameters
    ----------
    z : sympy expression
        The logit, for example the module symbol ``z_scalar`` (printed ``z``).
    t : sympy expression or float
        The target, 1 for positive and 0 for negative, or a probability in between.
    pos_weight : sympy expression or float, optional
        The weight :math:`w_+` of the positive term, PyTorch's ``pos_weight``; 1 by
        default.
    weight : sympy expression or float, optional
        A factor :math:`w` that scales the loss; 1 by default.

    Returns
    -------
    sympy expression
        :math:`-w\,\bigl(w_+ t \log \sigma(z) + (1 - t) \log \sigma(-z)\bigr)`, written
        with :func:`sigmoid`.

    Raises
    ------
    TypeError
        If an argument is not a SymPy expression or a number.

    See Also
    --------
    sigmoid_binary_cross_entropy_gradient : its derivative by the logit.
    binary_cross_entropy : the same loss on the probability :math:`q = \sigma(z)`.

    Notes
    -----
    Since :math:`1 - \sigma(z) = \sigma(-z)`, this is :func:`binary_cross_entropy` of
    :math:`q = \sigma(z)` when :math:`w_+ = 1`:

    .. math::

        L = -w_+ t \log \sigma(z) - (1 - t) \log \sigma(-z).

    A :math:`w_+ > 1` makes missing a positive cost more, which trades precision for
    recall on a class with few positives.

    References
    ----------
    PyTorch documentation, ``torch.nn.BCEWithLogitsLoss``.

    Examples
    --------
    >>> import sympy
    >>> from crossent.symbolic import sigmoid_binary_cross_entropy, z_scalar as z
    >>> t = sympy.Symbol("t", real=True)
    >>> sigmoid_binary_cross_entropy(z, t)
    -t*log(1/(1 + exp(-z))) - (1 - t)*log(1/(exp(z) + 1))
    >>> sigmoid_binary_cross_entropy(0, 1, 3)
    3*log(2)
    """
    logit = _expression(z, "z")
    target = _expression(t, "t")
    positive_scale = _expression(pos_weight, "pos_weight")
    scale = _expression(weight, "weight")
    positive_term = positive_scale * target * sympy.log(sigmoid(logit))
    negative_term = (1 - target) * sympy.log(sigmoid(-logit))
    return -scale * (positive_term + negative_term)


def sigmoid_binary_cross_entropy_gradient(
    z: sympy.Symbol, t: Any, pos_weight: Any = 1, *, weight: Any = 1
) -> sympy.Expr:
    r"""Return :math:`\partial L / \partial z` of the sigmoid binary cross-entropy, by ``sympy.diff``.

    Parameters
    ----------
    z : sympy Symbol
        The logit symbol to differentiate by.
    t : sympy expression or float
        The target.
    pos_weight : sympy expression or float, optional
        The weight of the positive term; 1 by default.
    weight : sympy expression or float, optional
        A factor that scales the loss; 1 by default.

    Returns
    -------
    sympy expression
        ``sympy.diff(sigmoid_binary_cross_entropy(z, t, pos_weight, weight=weight), z)``.

    Raises
    ------
    TypeError
        If ``z`` is not a SymPy symbol, or another argument is not a SymPy expression or
        a number.

    See Also
    --------
    sigmoid_binary_cross_entropy_gradient_closed_form : the textbook form
        :math:`(1 - t)\,\sigma(z) - w_+ t\, \sigma(-z)`.

    Notes
    -----
    By the chain rule, with :math:`\sigma' = \sigma (1 - \sigma)`,

    .. math::

        \frac{d \log \sigma(z)}{dz} = \frac{\sigma'(z)}{\sigma(z)} = \sigma(-z), \qquad
        \frac{d \log \sigma(-z)}{dz} = -\frac{\sigma'(-z)}{\sigma(-z)} = -\sigma(z).

    Examples
    --------
    With :math:`w_+ = 1` the derivative is the prediction minus the target:

    >>> import sympy
    >>> from crossent.symbolic import (
    ...     sigmoid, sigmoid_binary_cross_entropy_gradient, z_scalar as z)
    >>> t = sympy.Symbol("t", real=True)
    >>> sympy.simplify(sigmoid_binary_cross_entropy_gradient(z, t) - (sigmoid(z) - t))
    0
    """
    logit = _symbol(z, "z")
    loss = sigmoid_binary_cross_entropy(logit, t, pos_weight, weight=weight)
    return sympy.diff(loss, logit)


def sigmoid_binary_cross_entropy_gradient_closed_form(
    z: Any, t: Any, pos_weight: Any = 1, *, weight: Any = 1
) -> sympy.Expr:
    r"""Return the closed form :math:`w\,((1 - t)\,\sigma(z) - w_+ t\, \sigma(-z))` of the derivative.

    Parameters
    ----------
    z : sympy expression
        The logit.
    t : sympy expression or float
        The target, 1 for positive and 0 for negative, or a probability in between.
    pos_weight : sympy expression or float, optional
        The weight :math:`w_+` of the positive term; 1 by default.
    weight : sympy expression or float, optional
        A factor :math:`w` that scales the loss; 1 by default.

    Returns
    -------
    sympy expression
        The closed form, written with :func:`sigmoid`.

    Raises
    ------
    TypeError
        If an argument is not a SymPy expression or a number.

    See Also
    --------
    sigmoid_binary_cross_entropy_gradient : the derivative as ``sympy.diff`` finds it.

    Notes
    -----
    .. math::

        \frac{\partial L}{\partial z} = (1 - t)\,\sigma(z) - w_+ t\, \sigma(-z)

    With :math:`w_+ = 1`, :math:`\sigma(-z) = 1 - \sigma(z)` turns this into
    :math:`\sigma(z) - t`.

    Examples
    --------
    >>> from crossent.symbolic import sigmoid_binary_cross_entropy_gradient_closed_form
    >>> sigmoid_binary_cross_entropy_gradient_closed_form(0, 1)
    -1/2
    >>> sigmoid_binary_cross_entropy_gradient_closed_form(0, 1, 3)
    -3/2
    """
    logit = _expression(z, "z")
    target = _expression(t, "t")
    positive_scale = _expression(pos_weight, "pos_weight")
    scale = _expression(weight, "weight")
    return scale * ((1 - target) * sigmoid(logit) - positive_scale * target * sigmoid(-logit))


# --- multi-label softmax cross-entropy -----------------------------------------------


def multilabel_softmax_cross_entropy(z: Sequence[Any], t: Sequence[Any]) -> sympy.Expr:
    r"""Return the multi-label softmax cross-entropy of the logits ``z`` against ``t``.

    Parameters
    ----------
    z : sequence of sympy expressions
        The logits :math:`z_0, \dots, z_{C-1}`.
    t : sequence of sympy expressions
        The targets, one per class: a multi-hot vector of the positive classes, or
        non-negative symbols. If every entry is a number, they must not sum to 0.

    Returns
    -------
    sympy expression
        :math:`-\sum_i (t_i / M) \log p_i` with :math:`M = \sum_i t_i`.

    Raises
    ------
    TypeError
        If ``z`` or ``t`` is not a sequence of SymPy expressions.
    ValueError
        If ``z`` is empty, ``t`` has a different length, or ``t`` sums to the number 0
        (a row with no positive class).

    See Also
    --------
    multilabel_softmax_cross_entropy_gradient : its gradient by the logits.
    multilabel_softmax_cross_entropy_over_positives : the same loss written as a mean over
        the positive classes.

    Notes
    -----
    The targets are normalized into a distribution, then scored with the softmax
    cross-entropy:

    .. math::

        L = -\sum_{i=0}^{C-1} \frac{t_i}{M} \log p_i,
        \qquad M = \sum_{i=0}^{C-1} t_i, \qquad p = \operatorname{softmax}(z).

    For a multi-hot target with :math:`M` positives each positive has weight :math:`1/M`, and
    :math:`L` is the mean of :math:`-\log p_i` over the positives.

    References
    ----------
    Mahajan, D. et al. (2018). Exploring the limits of weakly supervised pretraining.
    ECCV, 185-201.

    Examples
    --------
    >>> from crossent.symbolic import multilabel_softmax_cross_entropy, softmax_symbols
    >>> multilabel_softmax_cross_entropy(softmax_symbols(3), [1, 0, 1])
    -log(exp(z_0)/(exp(z_0) + exp(z_1) + exp(z_2)))/2 - log(exp(z_2)/(exp(z_0) + exp(z_1) + exp(z_2)))/2
    """
    logits = _logits(z, "z")
    targets = _matching_vector(t, "t", "target", len(logits), "z")
    total = _positive_total(targets)
    probabilities = softmax(logits)
    return -sympy.Add(
        *(t_k / total * sympy.log(p_k) for t_k, p_k in zip(targets, probabilities, strict=True))
    )


def multilabel_softmax_cross_entropy_gradient(
    z: Sequence[sympy.Symbol], t: Sequence[Any]
) -> sympy.Matrix:
    r"""Return the gradient of the multi-label softmax loss by the logits, by ``sympy.diff``.

    Parameters
    ----------
    z : sequence of sympy Symbol
        Distinct logit symbols.
    t : sequence of sympy expressions
        The targets, one per class.

    Returns
    -------
    sympy Matrix
        The ``C x 1`` column with entry ``j`` equal to
        ``sympy.diff(multilabel_softmax_cross_entropy(z, t), z[j])``.

    Raises
    ------
    TypeError
        As :func:`multilabel_softmax_cross_entropy`, and if an entry of ``z`` is not a
        SymPy symbol.
    ValueError
        As :func:`multilabel_softmax_cross_entropy`, and if ``z`` has a repeated symbol.

    See Also
    --------
    multilabel_softmax_cross_entropy_gradient_closed_form : the textbook form
        :math:`p - t / M`.

    Examples
    --------
    >>> import sympy
    >>> from crossent.symbolic import (
    ...     multilabel_softmax_cross_entropy_gradient,
    ...     multilabel_softmax_cross_entropy_gradient_closed_form, softmax_symbols)
    >>> logits, targets = softmax_symbols(3), softmax_symbols(3, "t")
    >>> derived = multilabel_softmax_cross_entropy_gradient(logits, targets)
    >>> closed = multilabel_softmax_cross_entropy_gradient_closed_form(logits, targets)
    >>> sympy.simplify(derived - closed).T
    Matrix([[0, 0, 0]])
    """
    logits = _distinct_symbols(z, "z")
    return _gradient(multilabel_softmax_cross_entropy(logits, t), logits)


def multilabel_softmax_cross_entropy_gradient_closed_form(
    z: Sequence[Any], t: Sequence[Any]
) -> sympy.Matrix:
    r"""Return the closed form :math:`p - t / M` of the multi-label loss's gradient.

    Parameters
    ----------
    z : sequence of sympy expressions
        The logits.
    t : sequence of sympy expressions
        The targets, one per class.

    Returns
    -------
    sympy Matrix
        The ``C x 1`` column :math:`p - t / M`, with :math:`p` = ``softmax(z)`` and
        :math:`M = \sum_i t_i`.

    Raises
    ------
    TypeError
        As :func:`multilabel_softmax_cross_entropy`.
    ValueError
        As :func:`multilabel_softmax_cross_entropy`.

    See Also
    --------
    multilabel_softmax_cross_entropy_gradient : the gradient as ``sympy.diff`` finds it.

    Notes
    -----
    This is :func:`softmax_cross_entropy_gradient_closed_form` for the normalized
    targets, which sum to 1:

    .. math::

        \frac{\partial L}{\partial z_j} = p_j - \frac{t_j}{M}, \qquad M = \sum_i t_i

    Examples
    --------
    >>> from crossent.symbolic import multilabel_softmax_cross_entropy_gradient_closed_form
    >>> multilabel_softmax_cross_entropy_gradient_closed_form([0, 0, 0, 0], [1, 1, 0, 0]).T
    Matrix([[-1/4, -1/4, 1/4, 1/4]])
    """
    logits = _logits(z, "z")
    targets = _matching_vector(t, "t", "target", len(logits), "z")
    total = _positive_total(targets)
    return softmax(logits) - sympy.Matrix([t_k / total for t_k in targets])


def multilabel_softmax_cross_entropy_over_positives(
    z: Sequence[Any], positives: Sequence[int]
) -> sympy.Expr:
    r"""Return the mean of :math:`-\log p_i` over the positive classes ``positives``.

    Parameters
    ----------
    z : sequence of sympy expressions
        The logits :math:`z_0, \dots, z_{C-1}`.
    positives : sequence of int
        The distinct indices of the :math:`M \ge 1` positive classes.

    Returns
    -------
    sympy expression
        :math:`\frac{1}{M} \sum_{i \in \text{positives}} -\log p_i`.

    Raises
    ------
    TypeError
        If ``z`` is not a sequence of SymPy expressions, or ``positives`` is not a
        sequence of ints.
    ValueError
        If ``z`` is empty, ``positives`` is empty, has a repeated index, or an index
        outside ``[0, C - 1]``.

    See Also
    --------
    multilabel_softmax_cross_entropy : the same loss for the multi-hot target of
        ``positives``.

    Notes
    -----
    .. math::

        L = \frac{1}{M} \sum_{i \in \text{positives}} -\log p_i

    is the form in which Mahajan et al. (2018) state the loss: each of the :math:`M`
    positives of an image is a softmax target with weight :math:`1/M`.

    Examples
    --------
    >>> import sympy
    >>> from crossent.symbolic import (
    ...     multilabel_softmax_cross_entropy, multilabel_softmax_cross_entropy_over_positives,
    ...     softmax_symbols)
    >>> logits = softmax_symbols(4)
    >>> mean_over_positives = multilabel_softmax_cross_entropy_over_positives(logits, [0, 3])
    >>> multi_hot = multilabel_softmax_cross_entropy(logits, [1, 0, 0, 1])
    >>> sympy.simplify(mean_over_positives - multi_hot)
    0
    """
    logits = _logits(z, "z")
    indices = _positive_indices(positives, len(logits))
    probabilities = softmax(logits)
    return -sympy.Add(*(sympy.log(probabilities[index]) for index in indices)) / len(indices)


def multilabel_softmax_cross_entropy_indexed() -> sympy.Expr:
    r"""Return the multi-label softmax cross-entropy over ``C`` classes, with ``C`` symbolic.

    Returns
    -------
    sympy expression
        ``-Sum(t[k] * log(p[k]), (k, 0, C - 1)) / Sum(t[k], (k, 0, C - 1))`` with
        ``p[k] = exp(z[k]) / Sum(exp(z[m]), (m, 0, C - 1))``.

    See Also
    --------
    multilabel_softmax_cross_entropy : the same loss for a given number of classes.

    Notes
    -----
    The normalizer :math:`\sum_k t_k` is taken out of the sum over the classes, which
    changes nothing mathematically and lets SymPy cancel it in the derivative.

    Examples
    --------
    >>> from crossent.symbolic import multilabel_softmax_cross_entropy_indexed
    >>> multilabel_softmax_cross_entropy_indexed()
    -Sum(log(exp(z[k])/Sum(exp(z[m]), (m, 0, C - 1)))*t[k], (k, 0, C - 1))/Sum(t[k], (k, 0, C - 1))
    """
    total = sympy.Sum(t[k], (k, 0, C - 1))
    return -sympy.Sum(t[k] * sympy.log(_softmax_indexed_at(k)), (k, 0, C - 1)) / total


def multilabel_softmax_cross_entropy_indexed_derivative() -> sympy.Expr:
    r"""Return :math:`\partial L / \partial z_j` of the indexed multi-label loss, by ``sympy.diff``.

    Returns
    -------
    sympy expression
        ``sympy.diff(multilabel_softmax_cross_entropy_indexed(), z[j])``, with the
        Kronecker-delta sums left for :func:`evaluate_sums`.

    See Also
    --------
    multilabel_softmax_cross_entropy_indexed_derivative_closed_form : the textbook form.

    Examples
    --------
    >>> import sympy
    >>> from crossent.symbolic import (
    ...     evaluate_sums, multilabel_softmax_cross_entropy_indexed_derivative,
    ...     multilabel_softmax_cross_entropy_indexed_derivative_closed_form)
    >>> derived = evaluate_sums(multilabel_softmax_cross_entropy_indexed_derivative())
    >>> closed = multilabel_softmax_cross_entropy_indexed_derivative_closed_form()
    >>> sympy.simplify(derived - closed)
    0
    """
    return sympy.diff(multilabel_softmax_cross_entropy_indexed(), z[j])


def multilabel_softmax_cross_entropy_indexed_derivative_closed_form() -> sympy.Expr:
    r"""Return the closed form :math:`p_j - t_j / \sum_k t_k` of the indexed multi-label derivative.

    Returns
    -------
    sympy expression
        ``exp(z[j]) / Sum(exp(z[m]), (m, 0, C - 1)) - t[j] / Sum(t[k], (k, 0, C - 1))``.

    See Also
    --------
    multilabel_softmax_cross_entropy_indexed_derivative : the derivative as ``sympy.diff``
        finds it.

    Examples
    --------
    >>> from crossent.symbolic import multilabel_softmax_cross_entropy_indexed_derivative_closed_form
    >>> multilabel_softmax_cross_entropy_indexed_derivative_closed_form()
    exp(z[j])/Sum(exp(z[m]), (m, 0, C - 1)) - t[j]/Sum(t[k], (k, 0, C - 1))
    """
    return _softmax_indexed_at(j) - t[j] / sympy.Sum(t[k], (k, 0, C - 1))


# --- shared pieces of the losses -----------------------------------------------------


def _gradient(expression: sympy.Expr, variables: Sequence[sympy.Symbol]) -> sympy.Matrix:
    return sympy.Matrix([sympy.diff(expression, variable) for variable in variables])


def _softmax_indexed_at(index: Any) -> sympy.Expr:
    # The normalizer sums over m, so that a loss can sum over k around it.
    return sympy.exp(z[index]) / sympy.Sum(sympy.exp(z[m]), (m, 0, C - 1))


def _weighted_targets(
    targets: Sequence[sympy.Expr], weight: Any, label_smoothing: Any
) -> sympy.Matrix:
    """Return the column :math:`w_i t'_i` of smoothed targets times class weights."""
    smoothed = smooth_labels(targets, label_smoothing)
    if weight is None:
        return smoothed
    weights = _matching_vector(weight, "weight", "weight", len(targets), "z")
    return sympy.Matrix([w_k * s_k for w_k, s_k in zip(weights, smoothed, strict=True)])


def _indexed_weighted_target(weight: Any, label_smoothing: Any) -> sympy.Expr:
    """Return :math:`w_k t'_k` at the summation index ``k``, for the indexed losses."""
    epsilon = _label_smoothing(label_smoothing)
    smoothed = (1 - epsilon) * t[k] + epsilon / C
    if weight is None:
        return smoothed
    if not isinstance(weight, sympy.IndexedBase):
        raise TypeError(
            "weight must be None or a SymPy IndexedBase of class weights (such as "
            f"crossent.symbolic.w), got {type(weight).__name__} {weight!r}"
        )
    return weight[k] * smoothed


# --- input checks --------------------------------------------------------------------


def _expression(value: Any, name: str) -> sympy.Expr:
    try:
        return sympy.sympify(value, strict=True)
    except sympy.SympifyError:
        raise TypeError(
            f"{name} must be a SymPy expression or a number, got {type(value).__name__} {value!r}"
        ) from None


def _symbol(value: Any, name: str) -> sympy.Symbol:
    if not isinstance(value, sympy.Symbol):
        raise TypeError(
            f"{name} must be a SymPy Symbol to differentiate by, got "
            f"{type(value).__name__} {value!r}"
        )
    return value


def _logits(z: Any, name: str) -> tuple[sympy.Expr, ...]:
    return _vector(z, name, "logit")


def _vector(value: Any, name: str, what: str) -> tuple[sympy.Expr, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, sympy.MatrixBase)):
        raise TypeError(
            f"{name} must be a sequence of SymPy expressions (one {what} per class), "
            f"got {type(value).__name__} {value!r}"
        )
    entries = tuple(_expression(entry, f"{name}[{index}]") for index, entry in enumerate(value))
    if not entries:
        raise ValueError(f"{name} must hold at least one {what}, got an empty sequence")
    return entries


def _distinct_symbols(z: Any, name: str) -> tuple[sympy.Symbol, ...]:
    logits = _logits(z, name)
    symbols = tuple(_symbol(entry, f"{name}[{index}]") for index, entry in enumerate(logits))
    if len(set(symbols)) != len(symbols):
        raise ValueError(f"{name} must hold distinct symbols, got {symbols}")
    return symbols


def _class_count(num_classes: Any) -> int:
    if isinstance(num_classes, bool) or not isinstance(num_classes, int):
        raise TypeError(
            f"num_classes must be an int, got {type(num_classes).__name__} {num_classes!r}"
        )
    if num_classes < 1:
        raise ValueError(f"num_classes must be at least 1, got {num_classes}")
    return num_classes


def _label(y: Any, num_classes: int) -> int:
    if isinstance(y, bool) or not isinstance(y, int):
        raise TypeError(f"y must be an int class index, got {type(y).__name__} {y!r}")
    if not 0 <= y < num_classes:
        raise ValueError(
            f"y must be a class index in [0, {num_classes - 1}] for {num_classes} classes, got {y}"
        )
    return y


def _matching_vector(
    value: Any, name: str, what: str, num_classes: int, reference_name: str
) -> tuple[sympy.Expr, ...]:
    entries = _vector(value, name, what)
    if len(entries) != num_classes:
        raise ValueError(
            f"{name} must hold one {what} per class: expected {num_classes} entries (the "
            f"length of {reference_name}), got {len(entries)}"
        )
    return entries


def _probabilities(
    value: Any, name: str, num_classes: int, reference_name: str
) -> tuple[sympy.Expr, ...]:
    # log(0) is -oo and 0 * log(0) is nan, so a numeric probability must be positive.
    entries = _matching_vector(value, name, "probability", num_classes, reference_name)
    for index, entry in enumerate(entries):
        if entry.is_number and not (entry.is_real and 0 < entry <= 1):
            raise ValueError(
                f"{name}[{index}] must be a probability in (0, 1] (its logarithm must be "
                f"finite), got {entry}"
            )
    return entries


def _open_probability(value: Any, name: str) -> sympy.Expr:
    # Both log(q) and log(1 - q) must be finite, so a numeric q excludes 0 and 1.
    probability = _expression(value, name)
    if probability.is_number and not (probability.is_real and 0 < probability < 1):
        raise ValueError(
            f"{name} must be a probability in (0, 1) (both log({name}) and log(1 - {name}) "
            f"must be finite), got {probability}"
        )
    return probability


def _label_smoothing(value: Any) -> sympy.Expr:
    epsilon = _expression(value, "label_smoothing")
    if epsilon.is_number and not (epsilon.is_real and 0 <= epsilon <= 1):
        raise ValueError(f"label_smoothing must be a number in [0, 1] or a symbol, got {epsilon}")
    return epsilon


def _positive_total(targets: Sequence[sympy.Expr]) -> sympy.Expr:
    total = sympy.Add(*targets)
    if total.is_zero:
        raise ValueError(
            "t must have a positive total (at least one positive class), got targets "
            f"{tuple(targets)} summing to 0"
        )
    return total


def _positive_indices(positives: Any, num_classes: int) -> tuple[int, ...]:
    if isinstance(positives, (str, bytes)) or not isinstance(positives, Sequence):
        raise TypeError(
            "positives must be a sequence of int class indices, got "
            f"{type(positives).__name__} {positives!r}"
        )
    indices = tuple(positives)
    if not indices:
        raise ValueError("positives must hold at least one class index, got an empty sequence")
    for index in indices:
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(
                f"positives must hold int class indices, got {type(index).__name__} {index!r}"
            )
        if not 0 <= index < num_classes:
            raise ValueError(
                f"positives must hold class indices in [0, {num_classes - 1}] for "
                f"{num_classes} classes, got {index}"
            )
    if len(set(indices)) != len(indices):
        raise ValueError(f"positives must hold distinct class indices, got {indices}")
    return indices
