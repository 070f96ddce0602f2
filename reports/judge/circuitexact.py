"""The exact arithmetic of a circuit: rationals where the operation allows, 60-digit decimals otherwise.

+ - * /, whole powers, max, relu and the other piecewise-linear gates stay rational (a hand's 0.1 is
exactly 1/10); exp, log, sqrt, tanh, sigmoid, erf (for gelu) and powers that are not whole are
decimals to 60 digits. A gate outside its domain (log of 0, division by 0) is a CircuitMathError.
"""

from __future__ import annotations

import math
from decimal import Context, Decimal, InvalidOperation
from fractions import Fraction
from typing import Union

from gradverify.judge.circuitmath import Arith, CircuitMathError

DIGITS = 60
MAX_EXACT_POWER = 20_000  # digits a rational power may have before it is taken in decimals
CTX = Context(prec=DIGITS, Emax=10**7, Emin=-10**7)
Exact = Union[Fraction, Decimal]


def _kept(q: Fraction) -> Exact:
    """A rational, or its 60-digit decimal once its digits grow past what a hand could check."""
    return q if q.numerator.bit_length() + q.denominator.bit_length() <= 4 * MAX_EXACT_POWER else _dec(q)


def _dec(a: Exact) -> Decimal:
    return CTX.divide(Decimal(a.numerator), Decimal(a.denominator)) if isinstance(a, Fraction) else a


def _pi() -> Decimal:
    """pi to the working precision: 16 atan(1/5) - 4 atan(1/239) (Machin), each a series."""
    def atan_inv(k: int) -> Decimal:
        total, term, n, sign = Decimal(0), CTX.divide(Decimal(1), Decimal(k)), 1, 1
        while term.adjusted() > -DIGITS - 5:
            total = CTX.add(total, CTX.divide(term, Decimal(sign * n)))
            term, n, sign = CTX.divide(term, Decimal(k * k)), n + 2, -sign
        return total
    return CTX.subtract(CTX.multiply(Decimal(16), atan_inv(5)), CTX.multiply(Decimal(4), atan_inv(239)))


PI = _pi()


class ExactArith:
    """Rationals where the operation allows, 60-digit decimals otherwise; errors outside a domain."""

    def num(self, q: Fraction) -> Exact:
        return q

    def named(self, name: str) -> Exact:
        return CTX.exp(Decimal(1)) if name == "e" else PI

    def add(self, a: Exact, b: Exact) -> Exact:
        return _kept(a + b) if isinstance(a, Fraction) and isinstance(b, Fraction) else CTX.add(_dec(a), _dec(b))

    def mul(self, a: Exact, b: Exact) -> Exact:
        return _kept(a * b) if isinstance(a, Fraction) and isinstance(b, Fraction) else CTX.multiply(_dec(a), _dec(b))

    def div(self, a: Exact, b: Exact) -> Exact:
        if b == 0:
            raise CircuitMathError("a division by 0")
        return _kept(a / b) if isinstance(a, Fraction) and isinstance(b, Fraction) else CTX.divide(_dec(a), _dec(b))

    def pow(self, a: Exact, b: Exact) -> Exact:
        if a == 0 and b < 0:
            raise CircuitMathError("0 raised to a negative power (a division by 0)")
        if isinstance(a, Fraction) and isinstance(b, Fraction) and b.denominator == 1:
            size = max(len(str(abs(a.numerator))), len(str(a.denominator))) * abs(b.numerator)
            if size <= MAX_EXACT_POWER:
                return _kept(a ** b.numerator)
        if a < 0 and not (isinstance(b, Fraction) and b.denominator == 1):
            raise CircuitMathError(f"a negative number ({float(a):.6g}) raised to a power that is not whole")
        if a == 0:
            return Fraction(0)
        try:
            return CTX.power(_dec(a), _dec(b))
        except InvalidOperation:
            raise CircuitMathError("a power outside its domain") from None

    def less(self, a: Exact, b: Exact) -> bool:
        return a < b

    def _exp(self, x: Exact) -> Exact:
        return Fraction(1) if x == 0 else CTX.exp(_dec(x))

    def _sigmoid(self, x: Exact) -> Exact:
        return Fraction(1, 2) if x == 0 else self.div(Fraction(1), self.add(Fraction(1), self._exp(self.mul(Fraction(-1), x))))

    def _erf(self, x: Exact) -> Exact:
        """erf by its Taylor series, summed at enough extra digits to absorb its large terms."""
        if x == 0:
            return Fraction(0)
        d = _dec(x)
        if abs(d) > 12:
            return Fraction(1 if d > 0 else -1)  # 1 - erf(12) is below 1e-64
        ctx = Context(prec=DIGITS + 70)
        total, term, n, x2 = Decimal(0), d, 0, ctx.multiply(d, d)
        while n < 2000:
            part = ctx.divide(term, Decimal(2 * n + 1))
            total = ctx.add(total, part)
            if part == 0 or (abs(part).adjusted() < total.adjusted() - DIGITS - 5):
                break
            n += 1
            term = ctx.divide(ctx.multiply(ctx.minus(term), x2), Decimal(n))
        return CTX.multiply(total, CTX.divide(Decimal(2), CTX.sqrt(PI)))

    def _phi(self, x: Exact) -> Exact:  # the standard normal distribution function
        return self.mul(Fraction(1, 2), self.add(Fraction(1), self._erf(self.div(x, CTX.sqrt(Decimal(2))))))

    def fn(self, name: str, x: Exact, p: Fraction | None) -> Exact:
        if name == "exp":
            return self._exp(x)
        if name == "log":
            if x <= 0:
                raise CircuitMathError(f"the log of {float(x):.6g} (log needs a positive number)")
            return Fraction(0) if x == 1 else CTX.ln(_dec(x))
        if name == "sqrt":
            if x < 0:
                raise CircuitMathError(f"the square root of {float(x):.6g} (a negative number)")
            if isinstance(x, Fraction):
                r = (math.isqrt(x.numerator), math.isqrt(x.denominator))
                if r[0] ** 2 == x.numerator and r[1] ** 2 == x.denominator:
                    return Fraction(*r)
            return CTX.sqrt(_dec(x))
        if name == "abs":
            return abs(x) if isinstance(x, Fraction) else CTX.abs(x)
        if name == "sigmoid":
            return self._sigmoid(x)
        if name == "tanh":
            return Fraction(0) if x == 0 else self.sub(Fraction(1), self.div(Fraction(2), self.add(self._exp(self.mul(Fraction(2), x)), Fraction(1))))
        if name in ("relu", "leaky_relu", "prelu"):
            return x if x > 0 else (Fraction(0) if name == "relu" else self.mul(p or Fraction(0), x))
        if name == "elu":
            return x if x > 0 else self.mul(p or Fraction(0), self.sub(self._exp(x), Fraction(1)))
        if name == "softplus":
            return self.fn("log", self.add(Fraction(1), self._exp(x)), None)
        if name == "gelu":
            return self.mul(x, self._phi(x))
        if name == "silu":
            return self.mul(x, self._sigmoid(x))
        return x  # identity

    def dfn(self, name: str, x: Exact, p: Fraction | None) -> Exact:
        if name == "exp":
            return self._exp(x)
        if name == "log":
            return self.div(Fraction(1), x)
        if name == "sqrt":
            return self.div(Fraction(1), self.mul(Fraction(2), self.fn("sqrt", x, None)))
        if name == "abs":
            return Fraction((x > 0) - (x < 0))
        if name in ("sigmoid", "silu", "softplus"):
            s = self._sigmoid(x)
            if name == "softplus":
                return s
            ds = self.mul(s, self.sub(Fraction(1), s))
            return ds if name == "sigmoid" else self.add(s, self.mul(x, ds))
        if name == "tanh":
            t = self.fn("tanh", x, None)
            return self.sub(Fraction(1), self.mul(t, t))
        if name in ("relu", "leaky_relu", "prelu"):
            return Fraction(1) if x > 0 else (Fraction(0) if name == "relu" else p or Fraction(0))
        if name == "elu":
            return Fraction(1) if x > 0 else self.mul(p or Fraction(0), self._exp(x))
        if name == "gelu":
            density = self.div(self._exp(self.mul(Fraction(-1, 2), self.mul(x, x))), CTX.sqrt(CTX.multiply(Decimal(2), PI)))
            return self.add(self._phi(x), self.mul(x, density))
        return Fraction(1)  # identity

    def sub(self, a: Exact, b: Exact) -> Exact:
        return self.add(a, self.mul(Fraction(-1), b))


EXACT: Arith[Exact] = ExactArith()


def to_float(v: Exact) -> float:
    """An exact number as the nearest float64 (inf beyond its range)."""
    try:
        return float(v)
    except OverflowError:
        return math.inf if v > 0 else -math.inf
