r"""Errors in units in the last place (ulps) of a floating-point format.

An error is in ulps when it is divided by the spacing of the format's numbers at the
true value. For a format with :math:`p` significant bits (``nmant + 1``) and smallest
normal exponent :math:`e_{\min}` (``minexp``), the ulp of a real :math:`x \ne 0` is

.. math::

    \operatorname{ulp}(x) = 2^{\max(e, e_{\min}) - p + 1},
    \qquad e = \lfloor \log_2 |x| \rfloor,

the gap between the two numbers of the format around :math:`x`, and
:math:`\operatorname{ulp}(0) = 2^{e_{\min} - p + 1}`, the smallest subnormal. Rounding to
nearest is within half an ulp; an error of :math:`2^{p}` ulps or so means that not one
digit is right. The format is any NumPy floating dtype, or any object with NumPy's
``finfo`` attributes ``nmant`` and ``minexp`` (``ml_dtypes.finfo(ml_dtypes.bfloat16)``
for bfloat16). This module needs NumPy only; ``import crossent`` does not import it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["ulp", "ulp_error"]


def _format_bits(fmt: Any) -> tuple[int, int]:
    """``(nmant, minexp)`` of a dtype or of a finfo-like object."""
    if hasattr(fmt, "nmant") and hasattr(fmt, "minexp"):
        return int(fmt.nmant), int(fmt.minexp)
    try:
        info = np.finfo(fmt)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"fmt must be a floating dtype or have finfo's nmant and minexp; got {fmt!r}"
        ) from error
    return int(info.nmant), int(info.minexp)


def ulp(x: Any, fmt: Any) -> np.ndarray:
    r"""The spacing of the format ``fmt`` at the real numbers ``x``, as float64.

    Parameters
    ----------
    x : array_like
        Real numbers, finite. Their binade is taken from their float64 values.
    fmt : dtype or finfo-like
        The format: a NumPy floating dtype (``np.float16``, ``np.float32``,
        ``np.float64``), or an object with attributes ``nmant`` and ``minexp`` such as
        ``ml_dtypes.finfo(ml_dtypes.bfloat16)``.

    Returns
    -------
    ndarray
        :math:`2^{\max(e, e_{\min}) - p + 1}` with :math:`e = \lfloor \log_2 |x| \rfloor`,
        and the smallest subnormal where :math:`x = 0`. The exponent is not capped at
        the format's largest: ``ulp`` of a number above the largest finite value is the
        spacing the format would have there with more exponent bits.

    Examples
    --------
    >>> import numpy as np
    >>> from crossent.ulp import ulp
    >>> ulp([1.0, 1.5, 2.0], np.float32) / np.finfo(np.float32).eps
    array([1., 1., 2.])
    >>> float(ulp(0.0, np.float16))  # the smallest float16 subnormal, 2**-24
    5.960464477539063e-08
    """
    nmant, minexp = _format_bits(fmt)
    magnitude = np.abs(np.asarray(x, dtype=np.float64))
    with np.errstate(divide="ignore"):
        _, exponent = np.frexp(magnitude)  # magnitude = f 2**exponent, 0.5 <= f < 1
    binade = np.where(magnitude == 0, minexp, np.maximum(exponent.astype(np.int64) - 1, minexp))
    return np.ldexp(1.0, binade - nmant)


def ulp_error(computed: Any, exact: Any, fmt: Any) -> np.ndarray:
    r""":math:`|\text{computed} - \text{exact}|` in ulps of ``exact`` in the format ``fmt``.

    Parameters
    ----------
    computed : array_like
        The values to judge, in any floating dtype (bfloat16 included); they are
        widened to float64, which holds every float16, bfloat16 and float32 exactly.
    exact : array_like
        The true values: float64 numbers, or an object array of numbers with more
        digits, such as ``mpmath.mpf`` or ``decimal.Decimal``, whose type converts a
        Python float exactly. float64 truth is enough for formats narrower than
        float64; to judge float64 results, pass values with more digits.
    fmt : dtype or finfo-like
        The format whose ulps measure the error, as for :func:`ulp`.

    Returns
    -------
    ndarray of float64
        The error in ulps. It is 0 where ``computed`` equals ``exact`` (infinities of the
        same sign included), ``inf`` where ``computed`` is infinite and ``exact`` is not,
        and NaN where ``computed`` is NaN.

    Examples
    --------
    >>> import numpy as np
    >>> from crossent.ulp import ulp_error
    >>> exact = 1 / 3
    >>> round(float(ulp_error(np.float32(exact), exact, np.float32)), 4)  # to nearest
    0.3333
    >>> round(float(ulp_error(np.float32(0.3333), exact, np.float32)))  # four digits
    1119
    """
    widened, truth = np.broadcast_arrays(np.asarray(computed).astype(np.float64),
                                         np.asarray(exact))
    if truth.dtype == object:
        truth_float = np.array([float(t) for t in truth.ravel()]).reshape(truth.shape)
        # Each computed value is converted exactly to the type of its true value.
        pairs = zip(widened.ravel(), truth.ravel(), strict=True)
        difference = np.array([float(abs(t - type(t)(float(c)))) for c, t in pairs])
        difference = difference.reshape(truth.shape)
    else:
        truth_float = truth.astype(np.float64)
        with np.errstate(invalid="ignore"):
            difference = np.abs(widened - truth_float)
    # Equal infinities: inf - inf would give NaN.
    same_infinity = (widened == truth_float) & np.isinf(truth_float)
    difference = np.where(same_infinity, 0.0, difference)
    finite_truth = np.where(np.isfinite(truth_float), truth_float, 0.0)
    return difference / ulp(finite_truth, fmt)
