"""crossent.ulp: the spacing of a format, and errors counted in it."""

from __future__ import annotations

import math
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction

import ml_dtypes
import mpmath
import numpy as np
import pytest

from crossent.ulp import ulp, ulp_error

NATIVE = (np.float16, np.float32, np.float64)


@pytest.mark.parametrize("dtype", NATIVE)
def test_ulp_is_numpy_spacing_on_the_format_numbers(dtype) -> None:
    # For a number x of the format, ulp(x) is the gap to the next one up, np.spacing(x),
    # except at a power of 2, where the gap below is half the gap above; ulp is the one
    # above, as for every x in [2^e, 2^(e+1)).
    info = np.finfo(dtype)
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(2000) * 10.0 ** rng.integers(-4, 4, 2000)).astype(dtype)
    x = np.concatenate([x, [info.smallest_subnormal, info.smallest_normal]]).astype(dtype)
    x = x[x != 0]
    assert np.array_equal(ulp(x, dtype), np.spacing(np.abs(x)).astype(np.float64))
    # At the largest number the spacing above is infinite; ulp gives the one below it.
    largest = float(info.max)
    assert ulp(largest, dtype) == largest - float(np.nextafter(info.max, dtype(0)))


@pytest.mark.parametrize("dtype", NATIVE)
def test_ulp_at_one_is_machine_epsilon_and_at_zero_the_smallest_subnormal(dtype) -> None:
    info = np.finfo(dtype)
    assert ulp(1.0, dtype) == float(info.eps)
    assert ulp(-1.5, dtype) == float(info.eps)
    assert ulp(2.0, dtype) == 2 * float(info.eps)
    assert ulp(0.0, dtype) == float(info.smallest_subnormal)
    # Below the smallest normal number the spacing stays at the smallest subnormal.
    assert ulp(float(info.smallest_normal) / 3, dtype) == float(info.smallest_subnormal)


def test_ulp_of_reals_between_format_numbers() -> None:
    # 1/3 lies in [2^-2, 2^-1): float32 numbers there are 2^-25 apart.
    assert ulp(1 / 3, np.float32) == 2.0**-25
    assert ulp(1000.0, np.float16) == 0.5  # [512, 1024) with 11 significant bits


def test_bfloat16_through_ml_dtypes() -> None:
    bf16 = ml_dtypes.bfloat16
    info = ml_dtypes.finfo(bf16)
    assert ulp(1.0, info) == 2.0**-7
    assert ulp(88.5, info) == 0.5
    assert ulp(0.0, info) == float(info.smallest_subnormal)
    # Computed bfloat16 values are widened exactly.
    assert ulp_error(np.asarray(1.0 + 2.0**-7, dtype=bf16), 1.0, info) == 1.0
    # np.finfo knows bfloat16 where ml_dtypes registers it; the dtype works then too.
    try:
        np.finfo(bf16)
    except (TypeError, ValueError):
        pass
    else:
        assert ulp(1.0, bf16) == 2.0**-7


def test_ulp_error_against_float64_truth() -> None:
    exact = 1 / 3
    assert math.isclose(float(ulp_error(np.float32(exact), exact, np.float32)),
                        abs(float(np.float32(exact)) - exact) / 2.0**-25)
    assert float(ulp_error(np.float32(exact), exact, np.float32)) <= 0.5
    errors = ulp_error([1.0, 1.0 + 2**-23, 1.0 + 2**-21], [1.0, 1.0, 1.0], np.float32)
    assert errors.tolist() == [0.0, 1.0, 4.0]


@pytest.mark.parametrize("kind", ["mpmath", "decimal", "fraction"])
def test_ulp_error_against_high_precision_truth(kind) -> None:
    # A float64 result of log(3) judged against 50-digit truth: within half an ulp.
    mpmath.mp.dps = 50
    truth = {"mpmath": mpmath.log(3), "decimal": Decimal(3).ln(),
             "fraction": Fraction(mpmath.nstr(mpmath.log(3), 40))}[kind]
    computed = math.log(3)
    error = ulp_error(computed, np.array([truth], dtype=object), np.float64)
    assert error.shape == (1,) and 0 < error[0] <= 0.5
    # One float64 ulp away from the correctly rounded value: between 0.5 and 1.5 ulps.
    neighbor = np.nextafter(computed, 4.0)
    error = ulp_error(neighbor, np.array([truth], dtype=object), np.float64)[0]
    assert 0.5 <= error <= 1.5


def test_ulp_error_broadcasts_and_keeps_shape() -> None:
    computed = np.ones((2, 3), dtype=np.float32)
    errors = ulp_error(computed, np.float64(1.0), np.float32)
    assert errors.shape == (2, 3) and np.all(errors == 0)
    truth = np.array([[mpmath.mpf(1)] * 3] * 2, dtype=object)
    assert ulp_error(computed, truth, np.float32).shape == (2, 3)


def test_ulp_error_special_values() -> None:
    with np.errstate(invalid="ignore"):
        errors = ulp_error([np.inf, np.inf, np.nan, 0.0, -np.inf],
                           [np.inf, 1.0, 1.0, 0.0, -np.inf], np.float64)
    assert errors[0] == 0 and np.isposinf(errors[1]) and np.isnan(errors[2])
    assert errors[3] == 0 and errors[4] == 0
    truth = np.array([mpmath.mpf(1), mpmath.mpf(1)], dtype=object)
    errors = ulp_error([np.inf, np.nan], truth, np.float32)
    assert np.isposinf(errors[0]) and np.isnan(errors[1])


def test_a_result_with_no_digit_right_is_about_2_to_the_p_ulps() -> None:
    # log(1 + S) rounded to 0 for S = 2^-30 in float32: about 2^24 ulps off.
    s = 2.0**-30
    error = float(ulp_error(np.float32(0.0), math.log1p(s), np.float32))
    assert 2.0**23 <= error <= 2.0**24


def test_unknown_format_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="fmt must be a floating dtype"):
        ulp(1.0, np.int32)
    with pytest.raises(TypeError, match="fmt must be a floating dtype"):
        ulp(1.0, "no such format")


def test_importing_crossent_does_not_import_the_module_or_ml_dtypes() -> None:
    code = (
        "import sys, crossent; "
        "assert 'crossent.ulp' not in sys.modules; "
        "assert not any(m.startswith('ml_dtypes') for m in sys.modules); "
        "import crossent.ulp; "
        "assert not any(m.startswith(('ml_dtypes', 'mpmath', 'sympy')) for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
