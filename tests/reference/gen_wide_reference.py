#!/usr/bin/python3
"""Writes tests/reference/wide_functions.txt: reference values of diffuse's extended arithmetic
(include/diffuse/detail/wide.hpp, wide_math.hpp) for tests/test_wide.cpp, from mpmath.

Every input is a Wide given exactly by its parts, one token:
  sign,exponent,hi,lo   the value (hi*2^64 + lo) * 2^(exponent - 127), bit 63 of hi set
                        (e.g. +,-1,b17217f7d1cf79ab,c9e3b39803f2f6af is ln 2 rounded);
  0  -0  inf  -inf  nan.
Every result is given three times:
  decimal   the exact value with 45 significant digits (or inf, -inf, nan, 0, -0);
  nearest   the exact value rounded to nearest, ties to even, to a 128-bit significand, as parts;
            inf or 0 (signed) beyond the exponent range +-2^30, as Wide::from_magnitude rounds;
  residual  (exact - nearest) in units of nearest's last bit, 2^(exponent - 127), 6 decimals:
            the test measures an error as |(got - nearest)/ulp - residual| without reading decimals.

Lines (after '#' comments):
  <function> <x> <decimal> <nearest> <residual>       exp expm1 log log1p sqrt sin cos atan sinh
                                                      tanh asinh softplus sigmoid
  <operation> <x> <y> <decimal> <nearest> <residual>  pow add sub mul div
  decimal <text> <decimal> <nearest> <residual>       the value of a decimal numeral
  complement <text> <decimal> <nearest> <residual>    1 - that value (decimal_complement)

Values of functions are computed twice, at 640 and 1280 bits, and must agree to the last bit of
nearest and to 1e-9 of residual; +, -, *, / and the decimals are exact rationals rounded exactly
(so ties are ties). Inputs are drawn with a fixed seed from the documented domains (the comment at
the top of wide_math.hpp) and their hard places: tiny arguments near 2^-120, arguments near 1 for
log, near 0 for log1p, expm1, sin, atan, the Wide nearest k*pi/2 for sin and cos, the table
boundaries (j +- 1/2)/256 of exp and (j +- 1/2)/64 of sin, cos and atan, the switches between
methods (|x| = 1/4, ln 2/2, 2^-9, 2^-7, 2^-6, 1, sqrt 2, 2^60), results near the exponent range +-2^30, exact ties of + and
* (and near-ties of * and / with odd significands, off by a few units of 2^-255), and a power of two
minus a term whose last bits fall outside the sum's window. Inputs whose result lies within 2^-80 of the edge of the exponent range are left out
(the rounding to inf or 0 would be within the error bound).

Run:   /usr/bin/python3 tests/reference/gen_wide_reference.py          (rewrites the table)
       /usr/bin/python3 tests/reference/gen_wide_reference.py --check  (exit 1 if it differs)
"""

import os
import random
import sys
from fractions import Fraction

from mpmath import mp, mpf
from mpmath.libmp import to_str

SEED = 20240611
COUNT = 200  # inputs per function (about; the hand-picked ones come on top of the random ones)
MAX_EXPONENT = 1 << 30
MASK = (1 << 64) - 1
PRECISIONS = (640, 1280)
HERE = os.path.dirname(os.path.abspath(__file__))
OUTPUT = os.path.join(HERE, "wide_functions.txt")


# ---- Wide values: (negative, exponent, S) with 2^127 <= S < 2^128, or a special string ----------

class W:
    """A Wide: kind is 'finite', 'zero', 'inf' or 'nan'."""

    def __init__(self, kind, negative=False, exponent=0, significand=0):
        self.kind, self.negative, self.exponent, self.significand = kind, negative, exponent, significand
        if kind == "finite":
            assert (1 << 127) <= significand < (1 << 128), significand
            assert -MAX_EXPONENT <= exponent <= MAX_EXPONENT

    def token(self):
        if self.kind == "nan":
            return "nan"
        sign = "-" if self.negative else ""
        if self.kind == "zero":
            return sign + "0"
        if self.kind == "inf":
            return sign + "inf"
        return "%s,%d,%016x,%016x" % ("-" if self.negative else "+", self.exponent, self.significand >> 64,
                                      self.significand & MASK)

    def fraction(self):
        """The exact value (finite only) as (n, e2): n * 2^e2."""
        n = -self.significand if self.negative else self.significand
        return n, self.exponent - 127

    def mpf(self):
        if self.kind == "zero":
            return mpf(0)
        if self.kind == "inf":
            return mpf("-inf") if self.negative else mpf("inf")
        if self.kind == "nan":
            return mpf("nan")
        n, e2 = self.fraction()
        return mp.ldexp(mpf(n), e2)

    def neg(self):
        return W(self.kind, not self.negative if self.kind != "nan" else False, self.exponent, self.significand)

    def step(self, ulps):
        """The Wide `ulps` significand units away (towards +inf for ulps > 0), same sign, exact."""
        assert self.kind == "finite"
        n = self.significand + (-ulps if self.negative else ulps)
        return from_scaled(self.negative, n, self.exponent - 127)[0]


ZERO, NEGATIVE_ZERO, INF, NAN = W("zero"), W("zero", True), W("inf"), W("nan")


def from_scaled(negative, n, e2, d=1):
    """(n/d)*2^e2, n, d > 0 integers, rounded to nearest, ties to even, to a Wide (inf or 0 beyond
    the exponent range); returns (W, residual) with residual = (exact - nearest)/ulp as a Fraction."""
    assert n > 0 and d > 0
    # s with 2^127 <= n*2^s/d < 2^128
    s = 128 - (n.bit_length() - d.bit_length())
    while True:
        num, den = (n << s, d) if s >= 0 else (n, d << -s)
        q, r = divmod(num, den)
        if q >= (1 << 128):
            s -= 1
        elif q < (1 << 127):
            s += 1
        else:
            break
    exponent = e2 - s + 127  # value = (q + r/den)*2^(exponent - 127)
    residual = Fraction(r, den)
    if 2 * r > den or (2 * r == den and q & 1):
        q += 1
        residual -= 1
    if q == 1 << 128:
        q >>= 1
        exponent += 1
        residual /= 2
    if exponent > MAX_EXPONENT:
        return W("inf", negative), Fraction(0)
    if exponent < -MAX_EXPONENT:
        return W("zero", negative), Fraction(0)
    return W("finite", negative, exponent, q), residual


def nearest_of_mpf(x):
    """The Wide nearest to an mpf (exact binary value), with the residual."""
    if mp.isnan(x):
        return NAN, Fraction(0)
    if mp.isinf(x):
        return (W("inf", True) if x < 0 else INF), Fraction(0)
    if x == 0:
        return ZERO, Fraction(0)
    sign, man, exp, _ = x._mpf_
    return from_scaled(sign == 1, int(man), int(exp))


def wide(x):
    return nearest_of_mpf(mpf(x))[0]


def random_wide(rng, exponent_low, exponent_high, negative=None):
    e = rng.randint(exponent_low, exponent_high)
    s = (1 << 127) | rng.getrandbits(127)
    if negative is None:
        negative = rng.random() < 0.5
    return W("finite", negative, e, s)


def decimal_text(x):
    if mp.isnan(x):
        return "nan"
    if mp.isinf(x):
        return "-inf" if x < 0 else "inf"
    if x == 0:
        return "-0" if x._mpf_[0] == 1 else "0"
    return to_str(x._mpf_, 45, strip_zeros=False, min_fixed=0, max_fixed=0)


def residual_text(residual):
    return "%.6f" % float(residual) if residual != 0 else "0"


def near_edge(x):
    """Whether |x| lies within 2^-80 (relative) of the edges of Wide's range, 2^(2^30 + 1) and 2^(-2^30)."""
    if x == 0 or not mp.isfinite(x):
        return False
    e = mp.log(abs(x), 2)
    return abs(e - (MAX_EXPONENT + 1)) < mpf(2) ** -79 or abs(e + MAX_EXPONENT) < mpf(2) ** -79


# ---- the functions: mpmath at two precisions -----------------------------------------------------

def softplus(x):
    return mp.log1p(mp.exp(x))


def sigmoid(x):
    return 1 / (1 + mp.exp(-x))


FUNCTIONS = {
    "exp": mp.exp, "expm1": mp.expm1, "log": mp.log, "log1p": mp.log1p, "sqrt": mp.sqrt,
    "sin": mp.sin, "cos": mp.cos, "atan": mp.atan, "sinh": mp.sinh, "tanh": mp.tanh,
    "asinh": mp.asinh, "softplus": softplus, "sigmoid": sigmoid,
}


def evaluate(name, args):
    """(decimal, nearest, residual) of a function at Wide arguments, or None near the range's edge."""
    results = []
    for prec in PRECISIONS:
        mp.prec = prec
        values = [a.mpf() for a in args]
        if name == "pow":
            x, y = values
            value = mpf(0) if x == 0 and y > 0 else mp.power(x, y)
        else:
            value = FUNCTIONS[name](values[0])
        if near_edge(value):
            return None
        results.append((decimal_text(value), nearest_of_mpf(value)))
    (decimal, (nearest, residual)), (_, (nearest2, residual2)) = results
    assert nearest.token() == nearest2.token(), (name, [a.token() for a in args])
    assert abs(residual - residual2) < Fraction(1, 10 ** 9), (name, [a.token() for a in args])
    mp.prec = PRECISIONS[0]
    return decimal, nearest, residual


def exact_arithmetic(op, a, b):
    """a op b for finite non-zero a, b: the exact value as (negative, n, e2, d), n/d*2^e2, or None for 0."""
    (na, ea), (nb, eb) = a.fraction(), b.fraction()
    if op == "mul":
        n, e2, d = na * nb, ea + eb, 1
    elif op == "div":
        n, e2, d = na, ea - eb, nb
        if d < 0:
            n, d = -n, -d
    else:
        if op == "sub":
            nb = -nb
        # A term more than 400 bits below the other only decides the rounding by its sign: keep it
        # there (exactly as far as the rounding is concerned) rather than build huge integers.
        if ea > eb + 400:
            nb, eb = (1 if nb > 0 else -1), ea - 400
        elif eb > ea + 400:
            na, ea = (1 if na > 0 else -1), eb - 400
        e2 = min(ea, eb)
        n, d = (na << (ea - e2)) + (nb << (eb - e2)), 1
    if n == 0:
        return None
    return n < 0, abs(n), e2, d


def arithmetic(op, a, b):
    exact = exact_arithmetic(op, a, b)
    if exact is None:
        return "0", ZERO, Fraction(0)
    negative, n, e2, d = exact
    nearest, residual = from_scaled(negative, n, e2, d)
    mp.prec = PRECISIONS[1]
    value = mp.ldexp(mpf(n), e2) / d
    if negative:
        value = -value
    if near_edge(value):
        return None
    decimal = decimal_text(value)
    mp.prec = PRECISIONS[0]
    return decimal, nearest, residual


# ---- inputs ----------------------------------------------------------------------------------------

def near(rng, value, spread=3):
    """The Wide nearest to an mpf value, and a few neighbours (a random number of ulps away)."""
    w = wide(value)
    return [w, w.step(rng.randint(1, spread)), w.step(-rng.randint(1, spread))]


def offsets(rng, value):
    """value + 2^-k and value - 2^-k, k one of 100, 110, 120: just either side of a boundary."""
    return [value + sign * mpf(2) ** -rng.choice((100, 110, 120)) for sign in (1, -1)]


def tiny_offsets(rng, value):
    return [wide(v) for v in offsets(rng, value)]


def random_mix(rng, count, exponent_low, exponent_high, negative=None):
    return [random_wide(rng, exponent_low, exponent_high, negative) for _ in range(count)]


def exp_inputs(rng, name):
    ln2 = mp.log(2)
    xs = random_mix(rng, 70, -8, 5)
    xs += random_mix(rng, 25, 6, 29)
    xs += random_mix(rng, 20, -130, -9)
    for _ in range(12):  # table boundaries: k ln 2 + (j + 1/2)/256 +- tiny, and the table points
        k, j = rng.randint(-40, 40), rng.randint(-89, 88)
        xs += tiny_offsets(rng, k * ln2 + (j + mpf(1) / 2) / 256)
        xs.append(wide(k * ln2 + mpf(j) / 256))
    for _ in range(6):  # where k changes: (k + 1/2) ln 2 +- tiny
        xs += tiny_offsets(rng, (rng.randint(-40, 40) + mpf(1) / 2) * ln2)
    for edge in (ln2 / 2, -ln2 / 2):  # where k leaves 0, and |x| = 1/4 (below it k = 0 at once)
        xs += tiny_offsets(rng, edge)
    for negative in (False, True):
        quarter = W("finite", negative, -2, 1 << 127)
        xs += [quarter, quarter.step(1), quarter.step(-1)]
    # Results near the top and bottom of the exponent range: e^x = 2^(2^30 + 1) at x = (2^30 + 1) ln 2.
    for edge in ((MAX_EXPONENT + 1) * ln2, -MAX_EXPONENT * ln2):
        for offset in (-1, -mpf(2) ** -20, mpf(2) ** -20, 1):
            xs.append(wide(edge + offset))
    xs += [W("finite", False, 29, (1 << 128) - 1), W("finite", True, 29, (1 << 128) - 1)]  # just below 2^30
    if name == "expm1":  # the series below 2^-9, the table from 2^-9; near ln 2/2 where k turns 1
        for e in (-10, -9):
            for negative in (False, True):
                w = W("finite", negative, e, 1 << 127 if e == -9 else (1 << 128) - 1)
                xs += [w, w.step(-1) if e == -9 else w.step(1 if negative else -1)]
        for edge in (ln2 / 2, -ln2 / 2):
            xs += tiny_offsets(rng, edge)
            xs += [wide(edge + rng.choice((-1, 1)) * mpf(rng.random()) / 64) for _ in range(8)]
        xs += random_mix(rng, 20, -140, -125)
    return xs


def log_inputs(rng, name):
    xs = []
    if name == "log":
        xs += random_mix(rng, 40, -MAX_EXPONENT, MAX_EXPONENT, False)
        xs += random_mix(rng, 50, -300, 300, False)
        xs += random_mix(rng, 20, -2, 1, False)
        for _ in range(30):  # near 1: 1 +- 2^-k * random
            k = rng.randint(1, 126)
            xs.append(wide(1 + rng.choice((-1, 1)) * mp.ldexp(mpf(rng.random()) + 1, -k)))
        xs += [W("finite", False, 0, (1 << 127) + 1), W("finite", False, -1, (1 << 128) - 1)]
        for _ in range(10):  # table boundaries 1 + (j + 1/2)/256 of m = 2^-e x in [1/sqrt 2, sqrt 2)
            j, e = rng.randint(-75, 105), rng.randint(-1000, 1000)
            xs += [wide(mp.ldexp(v, e)) for v in offsets(rng, 1 + (j + mpf(1) / 2) / 256)]
        for _ in range(5):  # where the significand passes sqrt 2
            e = rng.randint(-50, 50)
            xs += [wide(mp.ldexp(v, e)) for v in offsets(rng, mp.sqrt(2))]
            xs += near(rng, mp.ldexp(mp.sqrt(2), e), 1)
        xs += [wide(mpf(2) ** e) for e in (1, -1, 100, -100, MAX_EXPONENT, -MAX_EXPONENT)]
        xs += [wide(mp.e), wide(10)]
    else:
        xs += random_mix(rng, 40, -130, -10)
        xs += random_mix(rng, 40, -9, 0, False)
        xs += random_mix(rng, 15, -9, -2, True)
        xs += random_mix(rng, 20, 1, 300, False)
        xs += random_mix(rng, 8, 300, MAX_EXPONENT, False)
        for k in sorted(rng.sample(range(1, 127), 15)):  # near -1
            xs.append(wide(-1 + mp.ldexp(mpf(rng.random()) + 1, -k - 1)))
        xs += [W("finite", True, -1, 1 << 127), W("finite", True, -1, 1 << 127).step(1),
               W("finite", True, -1, 1 << 127).step(-1), W("finite", False, 0, 1 << 127),
               W("finite", False, 0, 1 << 127).step(1), W("finite", False, 0, 1 << 127).step(-1)]
        for e in (-10, -9, -7, -6, -5):  # switches between series and table: 2^-9, 2^-6
            for negative in (False, True):
                w = W("finite", negative, e, 1 << 127)
                xs += [w, w.step(1), w.step(-1)]
        for e in (59, 60):  # log(1 + x) as log of the rounded sum from 2^60
            w = W("finite", False, e, 1 << 127)
            xs += [w, w.step(1), w.step(-1)]
        for _ in range(8):  # 1 + x near table boundaries
            j = rng.randint(-75, 105)
            xs += [wide(v - 1) for v in offsets(rng, 1 + (j + mpf(1) / 2) / 256)]
    return xs


def sqrt_inputs(rng, name):
    xs = random_mix(rng, 90, -300, 300, False)
    xs += random_mix(rng, 20, -MAX_EXPONENT, MAX_EXPONENT, False)
    xs += random_mix(rng, 20, -3, 3, False)
    for _ in range(25):  # perfect squares: exact roots
        r = rng.getrandbits(rng.randint(1, 64)) | 1
        xs.append(wide(mp.ldexp(mpf(r) ** 2, 2 * rng.randint(-100, 100))))
    xs += [wide(v) for v in (1, 2, 3, 4, 0.25, 0.5)]
    xs += [W("finite", False, e, s) for e in (-MAX_EXPONENT, MAX_EXPONENT - 1, MAX_EXPONENT)
           for s in (1 << 127, (1 << 128) - 1)]
    xs += [W("finite", False, e, (1 << 128) - 1) for e in (-1, 0, 1, 2)]
    return xs


def trig_inputs(rng, name):
    pi = mp.pi
    xs = random_mix(rng, 50, -7, 2)
    xs += random_mix(rng, 30, 3, 20)
    xs += random_mix(rng, 12, 21, 29)
    xs += random_mix(rng, 20, -130, -8)
    for _ in range(10):  # the Wide nearest k*pi/2, |k| small and large
        k = rng.choice((rng.randint(1, 40), rng.randint(41, 1 << 20), rng.randint(1 << 20, 683565275)))
        xs += near(rng, rng.choice((-1, 1)) * k * pi / 2, 2)[:2]
    for _ in range(10):  # table boundaries k*pi/2 +- (j + 1/2)/64
        k, j = rng.randint(-30, 30), rng.randint(0, 50)
        xs += tiny_offsets(rng, k * pi / 2 + rng.choice((-1, 1)) * (j + mpf(1) / 2) / 64)
    for _ in range(6):  # where k changes: (k + 1/2)*pi/2
        xs += tiny_offsets(rng, (rng.randint(-30, 30) + mpf(1) / 2) * pi / 2)
    for negative in (False, True):  # the kernel alone below 2^-7
        w = W("finite", negative, -8, (1 << 128) - 1)
        xs += [w, w.step(1 if negative else -1), W("finite", negative, -7, 1 << 127)]
    return xs


def atan_inputs(rng, name):
    xs = random_mix(rng, 50, -7, 0)
    xs += random_mix(rng, 30, 1, 130)
    xs += random_mix(rng, 15, -130, -8)
    xs += random_mix(rng, 8, 131, MAX_EXPONENT)
    for _ in range(15):  # table boundaries (j + 1/2)/64, and their reciprocals
        j = rng.randint(0, 63)
        xs += tiny_offsets(rng, (j + mpf(1) / 2) / 64)
        xs.append(wide(64 / (j + mpf(1) / 2)))
    one = W("finite", False, 0, 1 << 127)
    xs += [one, one.step(1), one.step(-1), one.neg(), one.step(1).neg()]
    for negative in (False, True):
        w = W("finite", negative, -8, (1 << 128) - 1)
        xs += [w, W("finite", negative, -7, 1 << 127)]
    return xs


def hyperbolic_inputs(rng, name):
    xs = random_mix(rng, 80, -8, 5)
    xs += random_mix(rng, 30, -130, -9)
    if name == "asinh":
        xs += random_mix(rng, 50, 6, 2000)
        xs += random_mix(rng, 10, 2001, 1 << 28)
    elif name in ("softplus", "sigmoid"):
        xs += random_mix(rng, 45, 6, 29)
        xs += random_mix(rng, 10, 30, 200)
        for edge in (-MAX_EXPONENT * mp.log(2),):  # results near the bottom of the range
            xs += [wide(edge + offset) for offset in (-1, 1)]
    else:
        xs += random_mix(rng, 40, 6, 28)
        if name == "tanh":
            xs += random_mix(rng, 10, 29, 300)
    for negative in (False, True):
        xs += [W("finite", negative, -9, 1 << 127), W("finite", negative, -10, (1 << 128) - 1)]
    return xs


def pow_inputs(rng, name):
    pairs = []
    for _ in range(90):  # moderate x and y
        x = random_wide(rng, -20, 20, False)
        y = random_wide(rng, -12, 6)
        pairs.append((x, y))
    for _ in range(40):  # x near 1, y large
        x = wide(1 + rng.choice((-1, 1)) * mp.ldexp(mpf(rng.random()) + 1, -rng.randint(10, 120)))
        pairs.append((x, random_wide(rng, 5, 100)))
    for _ in range(30):  # results over a wide range, up to the edges of the exponent range
        x = random_wide(rng, -300, 300, False)
        lx = mp.log(x.mpf())
        limit = (MAX_EXPONENT - 2) * mp.log(2) / abs(lx) if lx != 0 else mpf(1)
        y = wide(limit * (2 * mpf(rng.random()) - 1))
        pairs.append((x, y))
    for _ in range(15):  # integer and half-integer exponents
        x = random_wide(rng, -10, 10, False)
        pairs.append((x, wide(mpf(rng.randint(-40, 40)) / rng.choice((1, 2)))))
    pairs += [(ZERO, wide(v)) for v in (1, 0.5, 3)]
    pairs += [(wide(1), random_wide(rng, -5, 30)) for _ in range(3)]
    pairs += [(random_wide(rng, -100, 100, False), ZERO) for _ in range(3)]
    return pairs


def arithmetic_inputs(rng, op):
    pairs = []
    for _ in range(90):  # random operands, exponent differences from 0 to large
        a = random_wide(rng, -300, 300)
        b = random_wide(rng, -300, 300) if rng.random() < 0.3 else random_wide(rng, a.exponent - 140,
                                                                              a.exponent + 140)
        pairs.append((a, b))
    for _ in range(30):  # equal exponents, low bits only: cancellation
        a = random_wide(rng, -50, 50)
        b = W("finite", rng.random() < 0.5, a.exponent, a.significand ^ rng.getrandbits(rng.randint(1, 127)))
        pairs.append((a, b))
    for _ in range(20):  # a term just beyond, at and just inside the rounding position
        a = random_wide(rng, -50, 50)
        pairs.append((a, random_wide(rng, a.exponent - rng.randint(126, 132), a.exponent - 126)))
    for _ in range(10):  # near the edges of the exponent range
        e = MAX_EXPONENT - rng.randint(0, 3) if rng.random() < 0.5 else -MAX_EXPONENT + rng.randint(0, 3)
        pairs.append((random_wide(rng, e, e), random_wide(rng, -3, 3)))
    # Exact ties: 1 + 2^-128 (halfway), its neighbours, both parities of the last bit; (2^127 + 2^x)
    # times (2^127 + 2^(126 - x)), whose product's dropped bits are exactly one half.
    one = W("finite", False, 0, 1 << 127)
    for s in (1 << 127, (1 << 127) + 1, (1 << 128) - 1, (1 << 127) + 2):
        a = W("finite", rng.random() < 0.5, rng.randint(-10, 10), s)
        half = W("finite", a.negative, a.exponent - 128, 1 << 127)
        pairs += [(a, half), (a, half.neg()), (a, half.step(1)), (a, half.step(-1))]
    for x in rng.sample(range(0, 64), 8):
        pairs.append((W("finite", False, 0, (1 << 127) + (1 << x)), W("finite", rng.random() < 0.5, -3,
                                                                      (1 << 127) + (1 << (126 - x)))))
    # A power of two minus a term whose bits reach below the 256-bit window: the lost bits decide
    # the rounding across the power of two (add's extra borrow), e.g. 1 - 2^-129 (1 + 2^-127).
    for diff in (128, 129, 130, 200):
        for s in ((1 << 127) + 1, (1 << 128) - 1, (1 << 127) | rng.getrandbits(127) | 1):
            a = W("finite", rng.random() < 0.5, rng.randint(-20, 20), 1 << 127)
            b = W("finite", a.negative != (op == "add"), a.exponent - diff, s)
            pairs += [(a, b), (a, b.neg())]
    if op == "mul":  # near-ties with odd significands: the dropped bits 2^126 + r, r small
        for r in (0, 1, -1, 2, -2, 3, -5, 1 << 40, -(1 << 40), 1 << 63, -(1 << 63), (1 << 64) + 1):
            while True:
                sa = (1 << 127) | rng.getrandbits(127) | 1
                sb = ((1 << 126) + r) * pow(sa, -1, 1 << 127) % (1 << 127) + (1 << 127)
                if sa * sb < (1 << 255):  # 255 bits: 127 are dropped, and they are 2^126 + r
                    break
            pairs.append((W("finite", rng.random() < 0.5, rng.randint(-20, 20), sa),
                          W("finite", rng.random() < 0.5, rng.randint(-20, 20), sb)))
    if op == "div":  # near-ties: A*2^129 = (2q + 1) B + r, r small and odd: A/B is r/(B 2^129) off a tie
        for r in (1, -1, 3, -3, 5, -7, 1001, -1001, (1 << 61) + 1, -(1 << 61) - 1):
            while True:
                sb = (1 << 127) | rng.getrandbits(127) | 1
                m = (-r * pow(sb, -1, 1 << 129)) % (1 << 129)  # 2q + 1 modulo 2^129
                n = m * sb + r
                if n % (1 << 129) == 0 and (1 << 127) <= n >> 129 < (1 << 128):
                    break
            pairs.append((W("finite", rng.random() < 0.5, rng.randint(-20, 20), n >> 129),
                          W("finite", rng.random() < 0.5, rng.randint(-20, 20), sb)))
    for _ in range(8):  # powers of two (division's exact path) and 1
        pairs.append((random_wide(rng, -100, 100), W("finite", rng.random() < 0.5, rng.randint(-100, 100), 1 << 127)))
    pairs += [(one, one), (one, one.neg()), (random_wide(rng, 0, 3), one)]
    return pairs


DECIMALS = [
    "0.0001", "0.00085", "0.012", "0.999", "0.008", "0.02", "0.5", "0.1", "1", "17", "-17", "2.5e-7",
    "-2.5e-7", "6.02214076e23", "1.7976931348623157e308", "4.9406564584124654e-324", "1e55", "1e-55",
    "1e56", "1e-56", "1e100", "1e-100", "1.5e300", "123456789012345678901234567890",
    "12345678901234567890123456789012345678", "99999999999999999999999999999999999999",
    "99999999999999999999999999999999999999999999", "123456789012345678901234567890123456789e-20",
    "3.141592653589793238462643383279502884197169399375105820974944592307816",
    "0.000000000000000000000000000000000000000000000000000000000001234567890123456789012345678901234567",
    "2.718281828459045235360287471352662497757247093699959574966967627724077e-300",
    "1" + "0" * 60, "1" + "0" * 60 + "1", "0.1" + "0" * 50 + "1", "-0.333333333333333333333333333333333333333333",
    "7e22", "8e-3", "1e-4", "5e-324", "1e1000", "-1e-1000", "1e3000", "1e-3000", "3e30000", "1e-99999",
]
COMPLEMENTS = ["0.999", "0.9999", "0.99999999", "0.5", "0.0001", "0.00085", "0.012", "0.008", "1e-20",
               "0.98", "0.123456789", "1", "0"]


def decimal_fraction(text):
    return Fraction(text)


def exact_rational_line(tag, text, q):
    if q == 0:
        return "%s %s 0 0 0" % (tag, text)
    nearest, residual = from_scaled(q < 0, abs(q.numerator), 0, q.denominator)
    mp.prec = PRECISIONS[1]
    value = mpf(q.numerator) / q.denominator
    mp.prec = PRECISIONS[0]
    return "%s %s %s %s %s" % (tag, text, decimal_text(value), nearest.token(), residual_text(residual))


def main():
    rng = random.Random(SEED)
    mp.prec = PRECISIONS[0]
    lines = [
        "# Reference values of diffuse's Wide arithmetic and elementary functions (tests/test_wide.cpp),",
        "# written by tests/reference/gen_wide_reference.py (mpmath, %d and %d bits; seed %d): do not edit." % (
            PRECISIONS + (SEED,)),
        "# <function> <x> [<y>] <exact, 45 digits> <nearest Wide> <(exact - nearest)/ulp>; Wide: sign,exponent,hi,lo",
        "# meaning (hi*2^64 + lo)*2^(exponent - 127), or 0, -0, inf, -inf, nan. See the script for the details.",
    ]
    unary = [("exp", exp_inputs), ("expm1", exp_inputs), ("log", log_inputs), ("log1p", log_inputs),
             ("sqrt", sqrt_inputs), ("sin", trig_inputs), ("cos", trig_inputs), ("atan", atan_inputs),
             ("sinh", hyperbolic_inputs), ("tanh", hyperbolic_inputs), ("asinh", hyperbolic_inputs),
             ("softplus", hyperbolic_inputs), ("sigmoid", hyperbolic_inputs)]
    for name, inputs in unary:
        xs = inputs(rng, name)
        seen = set()
        for x in xs:
            if x.token() in seen:
                continue
            seen.add(x.token())
            result = evaluate(name, [x])
            if result is None:
                continue
            decimal, nearest, residual = result
            lines.append("%s %s %s %s %s" % (name, x.token(), decimal, nearest.token(), residual_text(residual)))
    for x, y in pow_inputs(rng, "pow"):
        result = evaluate("pow", [x, y])
        if result is None:
            continue
        decimal, nearest, residual = result
        lines.append("pow %s %s %s %s %s" % (x.token(), y.token(), decimal, nearest.token(), residual_text(residual)))
    for op in ("add", "sub", "mul", "div"):
        for a, b in arithmetic_inputs(rng, op):
            result = arithmetic(op, a, b)
            if result is None:
                continue
            decimal, nearest, residual = result
            lines.append("%s %s %s %s %s %s" % (op, a.token(), b.token(), decimal, nearest.token(),
                                               residual_text(residual)))
    for text in DECIMALS:
        lines.append(exact_rational_line("decimal", text, decimal_fraction(text)))
    for text in COMPLEMENTS:
        lines.append(exact_rational_line("complement", text, 1 - decimal_fraction(text)))
    text = "\n".join(lines) + "\n"
    if "--check" in sys.argv[1:]:
        with open(OUTPUT, encoding="utf-8") as f:
            if f.read() != text:
                print("wide_functions.txt differs from what gen_wide_reference.py writes")
                sys.exit(1)
        print("wide_functions.txt is up to date")
        return
    with open(OUTPUT, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
