"""Printed precision: the digits a person wrote decide the tolerance, never fixed decimals."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

from gradverify.judge import numbers
from gradverify.judge.numbers import NumberError, format_sig, parse


@pytest.mark.parametrize("text,value,tol,sig", [
    ("0.210", 0.21, 0.0005, 3),
    ("-0.29", -0.29, 0.005, 2),
    ("7.2e-3", 7.2e-3, 0.05e-3, 2),
    ("7.2 x 10^-3", 7.2e-3, 0.05e-3, 2),
    ("7.2 \u00d7 10^{-3}", 7.2e-3, 0.05e-3, 2),
    ("7.2 \\times 10^{-3}", 7.2e-3, 0.05e-3, 2),  # LaTeX, as a write-up prints it
    ("-2.4 \\cdot 10^{-3}", -2.4e-3, 0.05e-3, 2),
    ("9e-4", 9e-4, 0.5e-4, 1),
    ("-3 x 10^-4", -3e-4, 0.5e-4, 1),
    ("\u22120.117", -0.117, 0.0005, 3),
    ("1", 1.0, 0.5, 1),
    ("0.1903", 0.1903, 0.00005, 4),
    ("1.5E+2", 150.0, 5.0, 2),
])
def test_parse(text, value, tol, sig):
    p = parse(text)
    assert p.value == pytest.approx(value, rel=1e-15)
    assert p.tolerance == pytest.approx(tol, rel=1e-12)
    assert p.sig_digits == sig


@pytest.mark.parametrize("text", ["", "abc", "0.2.1", "1e", "x 10^3", "--1", "nan", "inf"])
def test_parse_rejects(text):
    with pytest.raises(NumberError):
        parse(text)


def test_matching_is_half_a_unit_in_the_last_digit():
    p = parse("0.210")
    assert p.matches(0.2105) and p.matches(0.2095) and not p.matches(0.21051) and not p.matches(0.2094)
    tiny = parse("7.2e-6")  # tiny gradients stay meaningful
    assert tiny.matches(7.24e-6) and not tiny.matches(7.26e-6) and not tiny.matches(0.0)


def test_float_noise_does_not_break_an_exact_boundary():
    # (0.9 - 0.42)^2 = 0.2304 exactly in decimal, not in binary
    assert parse("0.2304").matches((0.9 - 0.42) ** 2)
    assert parse("0.3").matches(0.1 + 0.2)


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=1e-9, max_value=1e9, allow_nan=False, allow_infinity=False),
       st.integers(min_value=1, max_value=8), st.booleans())
def test_format_then_parse_round_trips(v, digits, negative):
    v = -v if negative else v
    n = format_sig(v, digits)
    p = parse(n.plain())
    # the printed text is v rounded at its last digit (checked with exact rationals)
    assert abs(Fraction(v) - Fraction(p.value)) <= Fraction(p.tolerance) * (1 + Fraction(1, 10**9))
    assert p.sig_digits == digits or float(n.mantissa) == 0
    assert p.matches(v)


def test_format_sig_structure():
    n = format_sig(-0.00072, 2)
    assert (n.sign, n.mantissa, n.exponent, n.scientific) == ("-", "7.2", -4, True)
    assert n.plain() == "-7.2e-4"
    assert format_sig(-0.0072, 2).plain() == "-0.0072"
    assert format_sig(0.21, 3).plain() == "0.210" and format_sig(0.21, 3).exponent is None
    assert format_sig(123456789.0, 3).plain() == "1.23e8"
    assert format_sig(0.0, 3).plain() == "0.00"


def test_format_like_follows_the_claims_style():
    assert numbers.format_like(-0.20868, parse("-0.29"), 1).plain() == "-0.209"
    assert numbers.format_like(0.00694, parse("7.2 x 10^-3"), 0).plain() == "6.9e-3"


def test_shown_strips_trailing_zeros():
    assert numbers.shown(0.21) == "0.21" and numbers.shown(None) == "-" and numbers.shown(-0.2339) == "-0.2339"


@pytest.mark.parametrize("text", ["1.1e-347", "2.3 x 10^-400", "-9.9e-647", "1e309", "2 x 10^400"])
def test_parse_refuses_numbers_outside_float64_with_the_reason(text):
    """float() would make them 0 or inf and the tolerance 0: an underflowed claim would match anything
    that underflows too (a fuzz finding). '0.0' and the smallest denormal stay readable."""
    with pytest.raises(NumberError, match="float64"):
        parse(text)
    assert parse("0.0").value == 0.0 and parse("4.9e-324").value == 5e-324


@pytest.mark.parametrize("value", [5e-324, -5e-324, 1e-320, 2.2250738585072014e-308, 1.7e308])
def test_denormals_and_the_float_limits_print_and_read_back(value):
    """A from-your-values of 5e-324 once crashed the judge's sentence (10.0 ** -324 is 0; the fuzz)."""
    text = format_sig(value, 5).plain()
    assert parse(text).matches(value), (value, text)
