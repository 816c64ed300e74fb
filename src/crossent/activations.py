r"""Sigmoid, softmax, their logarithms and their derivatives, computed accurately.

Every function here takes any finite input without overflow, NaN or RuntimeWarning: a
result is infinite only where the true value lies beyond the floating-point range (the
log-probability of a class ``2 * max`` below the best one is below ``-max``). Two ideas
make that possible.

*Split the sigmoid by sign.* Both branches of

.. math::

    \sigma(z) = \frac{1}{1 + e^{-z}} = \frac{e^{z}}{1 + e^{z}}

are exact, but only one of them is safe for a given sign: the exponent is always
:math:`-|z| \le 0`, so :math:`e^{-|z|}` lies in :math:`[0, 1]` and never overflows.

*Shift the softmax by the row maximum, then leave the maximum out of the sum.* With
:math:`m = \max_j z_j` reached at index :math:`r`,

.. math::

    \operatorname{logsumexp}(z) = m + \mathop{\mathrm{log1p}}(S), \qquad
    S = \sum_{j \ne r} e^{z_j - m}.

Subtracting :math:`m` keeps every exponent at most 0; leaving out the term
:math:`e^{z_r - m} = 1` keeps :math:`S` intact when it is tiny, where
:math:`\log(1 + S)` would first round :math:`1 + S` to 1 and lose every digit of a
confident prediction (Blanchard, Higham and Higham, 2021).

float16, float32 and float64 results keep the input's dtype; integer and bool input
becomes float64. Internally float16 and float32 are computed in float64 and rounded once
at the end, which makes their results correctly rounded in practice.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from crossent._core import (
    ShiftedExp,
    require_finite_row_max,
    shifted_exp_and_tail_sum,
    working_dtype,
)
from crossent._reduction import as_result
from crossent._validation import as_float_array, check_flag, class_axis

__all__ = [
    "log_sigmoid",
    "log_softmax",
    "logsumexp",
    "sigmoid",
    "sigmoid_grad",
    "softmax",
    "softmax_jacobian",
]


# ---------------------------------------------------------------------------------------
# Shared machinery
# ---------------------------------------------------------------------------------------


def _working_copy(x: Any, name: str = "x") -> tuple[np.ndarray, np.dtype]:
    """Return ``x`` as an array in the working precision, and the dtype of the result.

    The working precision is float64 for float16, float32, float64, integer and bool
    input (long double stays long double). The input array itself is returned when it
    is already in that precision; nothing here ever writes to it.
    """
    array = as_float_array(x, name)
    working = array.astype(working_dtype(array.dtype), copy=False)
    return working, array.dtype


def _softmax_pass(x: Any, axis: Any) -> tuple[np.ndarray, int, np.dtype, ShiftedExp]:
    """Validate the input of the softmax family and run the shared pass.

    Returns the working array, the normalized axis, the dtype of the result and the pass.
    Input widened to float64 needs no accurate tail sum: the plain float64 sum is already
    far more accurate than a float32 result can show.
    """
    working, dtype = _working_copy(x)
    axis = class_axis(working, axis, "x")
    accurate_sum = working.dtype == dtype
    return working, axis, dtype, shifted_exp_and_tail_sum(working, axis, accurate_sum=accurate_sum)


# ---------------------------------------------------------------------------------------
# The sigmoid family
# ---------------------------------------------------------------------------------------


def _exp_minus_abs(x: np.ndarray) -> np.ndarray:
    """Return :math:`e^{-|z|}`, in [0, 1] for every input, so it cannot overflow."""
    tail = np.abs(x, out=np.empty_like(x))  # an array even for 0-d x, to work in place
    np.negative(tail, out=tail)
    with np.errstate(under="ignore"):
        return np.exp(tail, out=tail)


def sigmoid(x: Any) -> Any:
    r"""The logistic sigmoid, elementwise, without overflow.

    Parameters
    ----------
    x : array_like
        Logits :math:`z`, of any shape (0-d too), real dtype.

    Returns
    -------
    ndarray
        :math:`\sigma(z)` in :math:`[0, 1]`, same shape as ``x``, dtype of ``x`` (float64
        for integer or bool input). A 0-d input gives a NumPy scalar.

    Raises
    ------
    TypeError
        If ``x`` is not real (complex, object, string).

    See Also
    --------
    log_sigmoid : :math:`\log \sigma(z)`, accurate where :math:`\sigma(z)` underflows.
    sigmoid_grad : the derivative :math:`\sigma(z)\,\sigma(-z)`.

    Notes
    -----
    .. math::

        \sigma(z) = \frac{1}{1 + e^{-z}} = \frac{e^{z}}{1 + e^{z}}.

    The first form is used for :math:`z \ge 0` and the second for :math:`z < 0`, so the
    exponential is always :math:`e^{-|z|} \le 1`. Writing :math:`1 / (1 + e^{-z})` for
    every :math:`z` overflows :math:`e^{-z}` for :math:`z < -709` in float64 (and
    :math:`z < -88` in float32), with a RuntimeWarning, even though the result, 0, is
    harmless. Very negative logits underflow to exactly 0 here, and very positive ones
    round to 1; :func:`log_sigmoid` keeps the information that rounding discards.
    float64 results are within about 2 ulps (two roundings after ``exp``); float16 and
    float32, computed in float64 and rounded once, are correctly rounded in practice. NaN
    propagates.

    Examples
    --------
    >>> from crossent import sigmoid
    >>> sigmoid(0.0)
    np.float64(0.5)
    >>> sigmoid(np.array([-1000.0, -1.0, 1.0, 1000.0]))
    array([0.        , 0.26894142, 0.73105858, 1.        ])
    >>> sigmoid(np.float32(2.0)).dtype
    dtype('float32')
    """
    working, dtype = _working_copy(x)
    tail = _exp_minus_abs(working)
    numerator = np.where(working < 0, tail, 1.0)  # e^x for x < 0, else 1
    tail += 1.0
    numerator /= tail
    return as_result(numerator, dtype)


def log_sigmoid(x: Any) -> Any:
    r"""The logarithm of the logistic sigmoid, elementwise, accurate for every finite input.

    Parameters
    ----------
    x : array_like
        Logits :math:`z`, of any shape (0-d too), real dtype.

    Returns
    -------
    ndarray
        :math:`\log \sigma(z) \le 0`, same shape as ``x``, dtype of ``x`` (float64 for
        integer or bool input). A 0-d input gives a NumPy scalar.

    Raises
    ------
    TypeError
        If ``x`` is not real (complex, object, string).

    See Also
    --------
    sigmoid : :math:`\sigma(z)` itself.
    log_softmax : the same idea for more than two classes.

    Notes
    -----
    .. math::

        \log \sigma(z) = -\mathop{\mathrm{log1p}}(e^{-z}) \quad (z \ge 0), \qquad
        \log \sigma(z) = z - \mathop{\mathrm{log1p}}(e^{z}) \quad (z < 0),

    both written at once as :math:`\min(z, 0) - \mathop{\mathrm{log1p}}(e^{-|z|})`. For
    :math:`z \ge 0` the naive :math:`\log(\sigma(z))` rounds :math:`\sigma(z)` to 1 as
    soon as :math:`e^{-z}` is below half an ulp of 1 (:math:`z > 37` in float64) and
    returns 0 instead of :math:`-e^{-z}`; for :math:`z < 0` it returns
    :math:`\log 0 = -\infty` once :math:`\sigma(z)` underflows (:math:`z < -745`).
    Both branches add two terms of the same sign, so nothing cancels: float64 results
    are within 2 ulps (1.4 measured), and float16 and float32, computed in float64 and
    rounded once, are correctly rounded in practice. At :math:`z = +\infty` it is 0, at
    :math:`-\infty` it is :math:`-\infty`; NaN propagates.

    This is the softplus identity :math:`\log \sigma(z) = -\operatorname{softplus}(-z)`
    written for accuracy (Mächler, 2012).

    References
    ----------
    Mächler, M. (2012). Accurately computing ``log(1 - exp(-|a|))``, assessed by the Rmpfr
    package. Vignette of the R package Rmpfr.

    Examples
    --------
    >>> from crossent import log_sigmoid
    >>> log_sigmoid(np.array([-1000.0, 0.0, 40.0, 1000.0]))
    array([-1.00000000e+03, -6.93147181e-01, -4.24835426e-18,  0.00000000e+00])
    >>> np.log(1.0 / (1.0 + np.exp(-40.0)))  # the naive form loses the whole answer
    np.float64(0.0)
    """
    working, dtype = _working_copy(x)
    softplus_tail = _exp_minus_abs(working)
    np.log1p(softplus_tail, out=softplus_tail)
    result = np.minimum(working, 0.0, out=np.empty_like(working))
    result -= softplus_tail
    return as_result(result, dtype)


def sigmoid_grad(x: Any) -> Any:
    r"""The derivative of the logistic sigmoid, evaluated at the logits ``x``.

    Parameters
    ----------
    x : array_like
        Logits :math:`z` (not probabilities), of any shape (0-d too), real dtype.

    Returns
    -------
    ndarray
        :math:`\sigma'(z) = \sigma(z)\,\sigma(-z)` in :math:`[0, 1/4]`, same shape as
        ``x``, dtype of ``x`` (float64 for integer or bool input). A 0-d input gives a
        NumPy scalar.

    Raises
    ------
    TypeError
        If ``x`` is not real (complex, object, string).

    See Also
    --------
    sigmoid : the function being differentiated.

    Notes
    -----
    .. math::

        \frac{d\sigma}{dz} = \sigma(z)\,(1 - \sigma(z)) = \sigma(z)\,\sigma(-z)
        = \frac{e^{-|z|}}{(1 + e^{-|z|})^2}.

    The last form is symmetric in :math:`z` and computed as written, within about 4 ulps
    in float64 (3.6 measured: ``exp`` and three operations each round; float16 and
    float32, computed in float64, are correctly rounded in practice). The textbook form
    :math:`\sigma(z)(1 - \sigma(z))` cancels for large :math:`z`: :math:`1 - \sigma(z)`
    rounds to 0 once :math:`\sigma(z)` rounds to 1 (:math:`z > 37` in float64), and the
    derivative, about :math:`e^{-z}`, is lost. The argument is the logit: a function that
    takes :math:`q = \sigma(z)` and returns :math:`q(1 - q)` computes the same number
    only while :math:`q` still holds it.

    Examples
    --------
    >>> from crossent import sigmoid_grad
    >>> sigmoid_grad(0.0)
    np.float64(0.25)
    >>> sigmoid_grad(np.array([-40.0, 40.0]))
    array([4.24835426e-18, 4.24835426e-18])
    >>> q = 1.0 / (1.0 + np.exp(-40.0))
    >>> q * (1.0 - q)  # the textbook form
    np.float64(0.0)
    """
    working, dtype = _working_copy(x)
    tail = _exp_minus_abs(working)
    denominator = 1.0 + tail
    denominator *= denominator
    tail /= denominator
    return as_result(tail, dtype)


# ---------------------------------------------------------------------------------------
# The softmax family
# ---------------------------------------------------------------------------------------


def logsumexp(x: Any, axis: Any = -1, keepdims: Any = False) -> Any:
    r"""The log-sum-exp of ``x`` along the class axis, without overflow or lost digits.

    Parameters
    ----------
    x : array_like
        Logits :math:`z` of shape ``(..., C, ...)`` with at least one class along
        ``axis``; real dtype. Entries may be ``-inf`` (masked classes).
    axis : int, optional
        The class axis (default the last). Negative values count from the end.
    keepdims : bool, optional
        If True, ``axis`` is kept with length 1, so the result broadcasts against ``x``.

    Returns
    -------
    ndarray
        :math:`\log \sum_j e^{z_j}` for every row, dtype of ``x`` (float64 for integer
        or bool input); the shape of ``x`` without ``axis`` (or with it as length 1 if
        ``keepdims``). A 0-d result is a NumPy scalar.

    Raises
    ------
    TypeError
        If ``x`` is not real, ``axis`` is not an int, or ``keepdims`` is not a bool.
    ValueError
        If ``x`` is 0-d, ``axis`` is out of range, or the class axis is empty.

    See Also
    --------
    log_softmax : :math:`z - \operatorname{logsumexp}(z)`, computed without
        cancellation.
    softmax : the gradient of log-sum-exp.

    Notes
    -----
    With :math:`m = \max_j z_j` reached at index :math:`r`,

    .. math::

        \operatorname{logsumexp}(z) = m + \mathop{\mathrm{log1p}}(S), \qquad
        S = \sum_{j \ne r} e^{z_j - m}, \qquad 0 \le S \le C - 1.

    Every exponent is at most 0, so nothing overflows, and the largest term,
    :math:`e^0 = 1`, is left out of the sum and added back exactly by ``log1p``; this
    is the algorithm of Blanchard, Higham and Higham (2021). A row of all ``-inf`` gives
    ``-inf`` (the log of an empty sum), a row containing ``+inf`` gives ``+inf``, and a
    row containing NaN gives NaN.

    Accuracy: with :math:`p = \operatorname{softmax}(z)` and :math:`u` the unit roundoff
    of float64 (the working precision), the error is at most about

    .. math::

        2\,\mathrm{ulp}(\operatorname{logsumexp}(z))
        + 2u \Bigl(\sum_j p_j |z_j - m| + 2 \mathop{\mathrm{log1p}}(S)\Bigr).

    The second term, from rounding the shifts :math:`z_j - m` and from ``log1p``, is
    below an ulp of the result unless the result is small compared with its parts,
    that is, unless :math:`m < 0` and :math:`\mathop{\mathrm{log1p}}(S)` nearly cancel.
    There the problem itself is ill-conditioned and no method working in float64 can do
    better: for :math:`z = (-a, -a)` with :math:`a` the float64 nearest to :math:`\ln 2`
    the exact result is :math:`\ln 2 - a \approx 2.3 \times 10^{-17}`, and this function
    returns 0. Well-conditioned rows (all the adversarial cases in the test suite) are
    within 2 ulps in float64, and float16 and float32 results, computed in float64 and
    rounded once, are correctly rounded in practice.

    References
    ----------
    Blanchard, P., Higham, D. J. and Higham, N. J. (2021). Accurately computing the
    log-sum-exp and softmax functions. IMA Journal of Numerical Analysis 41(4),
    2311-2330.

    Examples
    --------
    >>> from crossent import logsumexp
    >>> logsumexp(np.array([1000.0, 1000.0]))  # log(2 e^1000) = 1000 + log 2
    np.float64(1000.6931471805599)
    >>> logsumexp(np.array([[0.0, -np.inf], [-np.inf, -np.inf]]))
    array([  0., -inf])
    >>> logsumexp(np.array([[1.0, 2.0], [3.0, 4.0]]), axis=0, keepdims=True)
    array([[3.12692801, 4.12692801]])
    """
    check_flag(keepdims, "keepdims")
    _, axis, dtype, (_, m, s, _) = _softmax_pass(x, axis)
    # An infinite maximum decides the row alone: -inf for an all-masked row, +inf otherwise.
    result = np.where(np.isinf(m), m, m + np.log1p(s))
    if not keepdims:
        result = np.squeeze(result, axis=axis)
    return as_result(result, dtype)


def log_softmax(x: Any, axis: Any = -1) -> np.ndarray:
    r"""The log-probabilities of the softmax distribution, accurate for confident rows too.

    Parameters
    ----------
    x : array_like
        Logits :math:`z` of shape ``(..., C, ...)`` with at least one class along
        ``axis``; real dtype. ``-inf`` entries mark masked classes, which get log-probability ``-inf``.
    axis : int, optional
        The class axis (default the last). Negative values count from the end.

    Returns
    -------
    ndarray
        :math:`\log \operatorname{softmax}(z)`, same shape as ``x``, dtype of ``x``
        (float64 for integer or bool input); every entry :math:`\le 0`.

    Raises
    ------
    TypeError
        If ``x`` is not real or ``axis`` is not an int.
    ValueError
        If ``x`` is 0-d, ``axis`` is out of range, the class axis is empty, or a row's
        maximum is infinite: all ``-inf`` (every class masked) or containing ``+inf``.
        The message names the first such row.

    See Also
    --------
    softmax : the probabilities themselves.
    logsumexp : the normalizer.

    Notes
    -----
    With :math:`m = \max_j z_j` reached at index :math:`r` and
    :math:`S = \sum_{j \ne r} e^{z_j - m}`,

    .. math::

        \log \operatorname{softmax}(z)_i = (z_i - m) - \mathop{\mathrm{log1p}}(S).

    Both terms are at most 0, so they never cancel, and at the maximum the first one is
    exactly 0. For a confident row such as :math:`z = (0, -30, -30)` the log-probability
    of the first class is :math:`-\mathop{\mathrm{log1p}}(2e^{-30}) \approx -1.87 \times
    10^{-13}` and comes out to full precision. The usual
    :math:`z_i - \operatorname{logsumexp}(z)` with
    :math:`\operatorname{logsumexp}(z) = m + \log \sum_j e^{z_j - m}` keeps only about
    three digits of it, because :math:`1 + 2e^{-30}` is rounded before the logarithm,
    and none at all once the row is shifted, :math:`z = (10^4, 9970, 9970)`, where
    :math:`10^4 + 1.87 \times 10^{-13}` rounds to :math:`10^4` and the difference is exactly 0.
    The result is within 2 ulps for every row whose shifts :math:`z_i - m` are exact in
    float64 (float16 and float32 input: correctly rounded in practice, being computed in
    float64). Otherwise the rounding of the shifts adds up to
    :math:`2u \sum_j p_j |z_j - m|` with :math:`u` the float64 unit roundoff, the
    conditioning of the problem, as for :func:`logsumexp`. NaN propagates.

    References
    ----------
    Blanchard, P., Higham, D. J. and Higham, N. J. (2021). Accurately computing the
    log-sum-exp and softmax functions. IMA Journal of Numerical Analysis 41(4),
    2311-2330.

    Examples
    --------
    >>> from crossent import log_softmax
    >>> log_softmax(np.array([0.0, -30.0, -30.0]))
    array([-1.87152459e-13, -3.00000000e+01, -3.00000000e+01])
    >>> log_softmax(np.array([10000.0, 9970.0, 9970.0]))[0]
    np.float64(-1.8715245937678598e-13)
    >>> z = np.array([10000.0, 9970.0, 9970.0])
    >>> (z - (10000.0 + np.log(np.sum(np.exp(z - 10000.0)))))[0]  # the usual form
    np.float64(0.0)
    >>> log_softmax(np.array([[0.0, np.log(3.0)], [0.0, -np.inf]]))
    array([[-1.38629436, -0.28768207],
           [ 0.        ,        -inf]])
    """
    working, axis, dtype, (exp_shifted, m, s, _) = _softmax_pass(x, axis)
    require_finite_row_max(m, axis, function="log_softmax", name="x")
    # The exponentials are no longer needed; their memory takes x - m.
    result = exp_shifted
    with np.errstate(over="ignore"):  # x - m below -max rounds to -inf, the nearest value
        np.subtract(working, m, out=result)
    result -= np.log1p(s)
    return as_result(result, dtype)


def softmax(x: Any, axis: Any = -1) -> np.ndarray:
    r"""The softmax distribution over the class axis, without overflow.

    Parameters
    ----------
    x : array_like
        Logits :math:`z` of shape ``(..., C, ...)`` with at least one class along
        ``axis``; real dtype. ``-inf`` entries mark masked classes, which get probability 0.
    axis : int, optional
        The class axis (default the last). Negative values count from the end.

    Returns
    -------
    ndarray
        Probabilities in :math:`[0, 1]` summing to 1 along ``axis``, same shape as
        ``x``, dtype of ``x`` (float64 for integer or bool input).

    Raises
    ------
    TypeError
        If ``x`` is not real or ``axis`` is not an int.
    ValueError
        If ``x`` is 0-d, ``axis`` is out of range, the class axis is empty, or a row's
        maximum is infinite: all ``-inf`` (every class masked) or containing ``+inf``.
        The message names the first such row.

    See Also
    --------
    log_softmax : the log-probabilities, accurate where these round to 0 or 1.
    softmax_jacobian : the derivative.

    Notes
    -----
    With :math:`m = \max_j z_j` reached at index :math:`r` and
    :math:`S = \sum_{j \ne r} e^{z_j - m}`,

    .. math::

        \operatorname{softmax}(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}}
        = \frac{e^{z_i - m}}{1 + S}.

    Shifting by :math:`m` changes nothing mathematically and keeps every exponent at
    most 0, so ``softmax([1000, 0])`` is ``[1, e^-1000]`` rounded, not ``inf / inf``.
    Probabilities near 1 are rounded to the nearest float; when you need
    :math:`\log p` or :math:`1 - p` of a confident prediction, use :func:`log_softmax`,
    which keeps them (Blanchard, Higham and Higham, 2021). NaN propagates.

    References
    ----------
    Blanchard, P., Higham, D. J. and Higham, N. J. (2021). Accurately computing the
    log-sum-exp and softmax functions. IMA Journal of Numerical Analysis 41(4),
    2311-2330.

    Examples
    --------
    >>> from crossent import softmax
    >>> softmax(np.array([1.0, 2.0, 0.5]))
    array([0.2312239 , 0.62853172, 0.14024438])
    >>> softmax(np.array([1000.0, 0.0]))
    array([1., 0.])
    >>> softmax(np.array([2.0, 2.0, -np.inf, 2.0], dtype=np.float32))
    array([0.33333334, 0.33333334, 0.        , 0.33333334], dtype=float32)
    """
    _, axis, dtype, (exp_shifted, m, s, _) = _softmax_pass(x, axis)
    require_finite_row_max(m, axis, function="softmax", name="x")
    result = exp_shifted
    result /= 1.0 + s
    return as_result(result, dtype)


def softmax_jacobian(x: Any, axis: Any = -1) -> np.ndarray:
    r"""The Jacobian of the softmax with respect to the logits, one matrix per row.

    Parameters
    ----------
    x : array_like
        Logits :math:`z` of shape ``(..., C, ...)`` with at least one class along
        ``axis``; real dtype. ``-inf`` entries (masked classes) get zero rows and columns.
    axis : int, optional
        The class axis (default the last). Negative values count from the end.

    Returns
    -------
    ndarray
        Shape ``(..., C, C)``: the shape of ``x`` with ``axis`` removed, then two class
        axes. ``J[..., i, j]`` is :math:`\partial p_i / \partial z_j`. Dtype of ``x``
        (float64 for integer or bool input).

    Raises
    ------
    TypeError
        If ``x`` is not real or ``axis`` is not an int.
    ValueError
        If ``x`` is 0-d, ``axis`` is out of range, the class axis is empty, or a row's
        maximum is infinite: all ``-inf`` (every class masked) or containing ``+inf``.
        The message names the first such row.

    See Also
    --------
    softmax : the function being differentiated.

    Notes
    -----
    With :math:`p = \operatorname{softmax}(z)`,

    .. math::

        J_{ij} = \frac{\partial p_i}{\partial z_j} = p_i (\delta_{ij} - p_j),

    that is :math:`J = \operatorname{diag}(p) - p p^\top`: symmetric (exactly so here,
    since :math:`p_i p_j` and :math:`p_j p_i` round alike), with rows and columns that sum
    to 0 because the probabilities always sum to 1. The diagonal
    :math:`p_i (1 - p_i)` is computed without cancellation: at the maximal entry
    :math:`1 - p_r = S / (1 + S)` with :math:`S = \sum_{j \ne r} e^{z_j - m}`, and every
    other :math:`p_i` is at most 1/2, so :math:`1 - p_i` is exact enough as it stands.
    The matrix takes :math:`C^2` numbers per row; a loss's gradient never needs it
    (:math:`J^\top v` is :math:`p \odot (v - p^\top v)`).

    Examples
    --------
    >>> from crossent import softmax_jacobian
    >>> softmax_jacobian(np.array([0.0, 0.0]))
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    >>> J = softmax_jacobian(np.array([[1.0, 2.0, 0.5]]))
    >>> J.shape
    (1, 3, 3)
    >>> bool(np.allclose(J.sum(axis=-1), 0.0)), bool(np.array_equal(J, J.swapaxes(-1, -2)))
    (True, True)
    """
    _, axis, dtype, (exp_shifted, m, s, k) = _softmax_pass(x, axis)
    require_finite_row_max(m, axis, function="softmax_jacobian", name="x")
    p = exp_shifted
    p /= 1.0 + s
    complement = 1.0 - p
    np.put_along_axis(complement, k, s / (1.0 + s), axis=axis)
    p = np.moveaxis(p, axis, -1)
    complement = np.moveaxis(complement, axis, -1)
    jacobian = -(p[..., :, np.newaxis] * p[..., np.newaxis, :])
    diagonal = np.arange(p.shape[-1])
    jacobian[..., diagonal, diagonal] = p * complement
    return as_result(jacobian, dtype)
