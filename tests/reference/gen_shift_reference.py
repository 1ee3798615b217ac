#!/usr/bin/python3
"""High-precision references for include/diffuse/shift.hpp (the log-SNR shift in every coordinate).

Run from the repository root:  /usr/bin/python3 tests/reference/gen_shift_reference.py
Writes tests/reference/shift.txt.

Every value is computed with mpmath at 50 significant digits from each tool's own formula, NOT from
the log-SNR form the C++ code evaluates (the test then proves the two agree):
  SD3 `shift` s                 t' = s t/(1 + (s - 1) t)               (diffusers, ComfyUI)
  Flux / exponential (mu, p)    t' = e^mu/(e^mu + (1/t - 1)^p)          (ComfyUI flux_time_shift, diffusers)
  diffusers linear (mu, p)      t' = mu/(mu + (1/t - 1)^p)
  Stable Cascade k              sigma' = k sigma
  CogVideoX snr_shift_scale s   abar' = abar/(s + (1 - s) abar)
  raw (mu, p)                   lambda' = p lambda - 2 mu, with lambda the coordinate's definition:
                                2 log((1 - t)/t), -2 log sigma, log(abar/(1 - abar)); then back.
and for the other tools in the coordinates where they are not written, through the definitions:
SD3 s on sigma is s sigma and on abar SNR/s^2; CogVideoX s on t is the SD3 shift sqrt(s), on sigma
sqrt(s) sigma; Flux.2's and Flux's resolution mu are their formulas (flow.hpp) rounded to double, as
the C++ functions return them, then the exponential shift with that mu.

Inputs are binary floating-point numbers written as their exact decimal expansions; the second word
of a record says which types take them exactly: f (float32 values: float, double and long double
tests) or d (doubles: double and long double). Parameters are doubles in every record (their exact
values). Values are printed with 40 significant digits (reference_digits.fmt).

Record formats ('#' starts a comment):
  log_snr <tag> <kind> <a> <b> <lambda> <lambda'>
  flow <tag> <kind> <a> <b> <t> <t'> <|log((1 - t)/t)|>
  sigma <tag> <kind> <a> <b> <sigma> <sigma'> <|log sigma|>
  alpha_bar <tag> <kind> <a> <b> <abar> <abar'> <1 - abar'> <|lambda|>
  alpha_bar_pair <tag> <kind> <a> <b> <abar> <1 - abar> <abar'> <1 - abar'> <|lambda|>
    (the level is exactly 1 - <1 - abar>; <abar> is its rounding, as a caller holds it)
  schedule <kind> <a> <b> <t> <abar'_t> <1 - abar'_t>
    (Schedule::scaled_linear(1000): beta_t = (sqrt(0.00085) + (sqrt(0.012) - sqrt(0.00085))(t - 1)/999)^2,
    the decimals exact, abar_t the product of 1 - beta_s)
<kind> <a> <b>: sd3 s 1, flux mu p, exponential mu p, linear mu p, stable_cascade k 1, cogvideox s 1,
raw mu p, flux2 L N, flux_resolution L 1.
"""
import decimal
import math
import os
import struct
from fractions import Fraction as F

import mpmath as mp

from reference_digits import fmt

mp.mp.dps = 50
HERE = os.path.dirname(os.path.abspath(__file__))
D = mp.mpf


def f32(x):
    return struct.unpack('f', struct.pack('f', float(x)))[0]


def inp(x):
    if math.isinf(x):
        return 'inf' if x > 0 else '-inf'
    return str(decimal.Decimal(float(x)))


def tag(x):
    return 'f' if f32(x) == x or math.isinf(x) else 'd'


# --- the tools' mu formulas (flow.hpp), rounded to double as the C++ functions return them ---------
FLUX2 = (8.73809524e-05, 1.89833333, 0.00016927, 0.45666666)


def flux2_mu(L, N):
    a1, b1, a2, b2 = (F(c) for c in FLUX2)
    m_200 = a2 * F(L) + b2
    if L > 4300:
        return float(m_200)
    m_10 = a1 * F(L) + b1
    return float(m_200 + (N - 200) * (m_200 - m_10) / 190)


def resolution_mu(L, Lb=256, Lm=4096, base=0.5, top=1.15):
    m = (F(top) - F(base)) / (F(Lm) - F(Lb))
    return float(F(L) * m + F(base) - m * F(Lb))


# --- each tool's own formula ------------------------------------------------------------------------
def power(x, p):
    if x == mp.inf:
        return mp.inf
    return D(0) if x == 0 else x ** p


def exponential_t(t, mu, p):
    if t == 0:
        return D(0)
    e = mp.exp(mu)
    return e / (e + power(1 / t - 1, p))


def flow(kind, a, b, t):
    t = D(t)
    if kind in ('sd3', 'stable_cascade'):
        s = D(a)
        return s * t / (1 + (s - 1) * t)
    if kind == 'cogvideox':
        s = mp.sqrt(D(a))
        return s * t / (1 + (s - 1) * t)
    if kind == 'linear':
        return D(0) if t == 0 else D(a) / (D(a) + power(1 / t - 1, D(b)))
    if kind in ('flux', 'exponential'):
        return exponential_t(t, D(a), D(b))
    if kind == 'flux2':
        return exponential_t(t, D(flux2_mu(a, b)), D(1))
    if kind == 'flux_resolution':
        return exponential_t(t, D(resolution_mu(a)), D(1))
    assert kind == 'raw'
    if t in (0, 1):
        return t
    lam = 2 * mp.log((1 - t) / t)
    lam2 = D(b) * lam - 2 * D(a)
    return 1 / (1 + mp.exp(lam2 / 2))


def sigma(kind, a, b, s):
    s = D(s)
    if kind in ('sd3', 'stable_cascade'):
        return D(a) * s
    if kind == 'cogvideox':
        return mp.sqrt(D(a)) * s
    assert kind in ('raw', 'flux', 'exponential')
    if s == 0 or s == mp.inf:
        return s
    lam2 = D(b) * (-2 * mp.log(s)) - 2 * D(a)
    return mp.exp(-lam2 / 2)


def vp(kind, a, b, abar, one_minus):
    """(abar', 1 - abar') of the level abar = 1 - one_minus."""
    if kind == 'cogvideox':
        s = D(a)
        d = s + (1 - s) * abar
        return abar / d, s * one_minus / d
    if kind == 'sd3':
        s2 = D(a) ** 2
        d = s2 + (1 - s2) * abar
        return abar / d, s2 * one_minus / d
    assert kind in ('raw', 'exponential', 'flux')
    if one_minus == 0 or abar == 0:
        return abar, one_minus
    snr = (abar / one_minus) ** D(b) * mp.exp(-2 * D(a))
    return snr / (1 + snr), 1 / (1 + snr)


def abs_lambda_vp(abar, one_minus):
    return D(0) if abar == 0 or one_minus == 0 else abs(mp.log(abar / one_minus))


def scaled_linear_alpha_bars(steps=1000):
    r0, r1 = mp.sqrt(mp.mpf('0.00085')), mp.sqrt(mp.mpf('0.012'))
    out, product = [D(1)], D(1)
    for t in range(1, steps + 1):
        beta = (r0 + (r1 - r0) * D(t - 1) / (steps - 1)) ** 2
        product *= 1 - beta
        out.append(product)
    return out


# --- the inputs ---------------------------------------------------------------------------------------
def both(values):
    out = set()
    for x in values:
        out.add(float(x))
        out.add(f32(x))
    return sorted(out)


TIMES = both([0.0, 1e-30, 1e-12, 1e-6, 0.01, 0.25, 1 / 3, 0.5, 0.75, 0.99, 1 - 1e-6, 1.0]) + \
    [math.nextafter(1.0, 0), struct.unpack('f', struct.pack('I', 0x3f7fffff))[0]]
SIGMAS = both([0.0, 1e-30, 1e-6, 0.0292, 0.5, 1.0, 3.7, 14.6, 80.0, 1e6, 1e30]) + [math.inf]
ALPHA_BARS = both([0.0, 1e-30, 1e-6, 0.0047, 0.25, 0.5, 0.9, 0.999, 1.0])
ONE_MINUS = both([1e-30, 1e-12, 1e-6, 0.001, 0.1])  # levels near abar = 1, given by 1 - abar
LOG_SNRS = both([-40.0, -7.5, -1.0, -1e-6, 0.0, 2.5, 15.0]) + [math.inf, -math.inf]

FLOW_KINDS = [('sd3', 3.0, 1), ('sd3', 0.3, 1), ('flux', 1.15, 1), ('flux', -0.7, 2.0), ('exponential', 0.5, 0.5),
              ('linear', 1.73, 1), ('linear', 0.3, 2.5), ('stable_cascade', 2.0, 1), ('cogvideox', 3.0, 1),
              ('raw', 0.25, 1.5), ('raw', -1.5, 0.75), ('flux2', 4096.0, 28), ('flux2', 1024.0, 50),
              ('flux_resolution', 1024.0, 1)]
SIGMA_KINDS = [('stable_cascade', 2.0, 1), ('sd3', 3.0, 1), ('cogvideox', 3.0, 1), ('raw', 0.25, 1.5),
               ('exponential', -0.7, 0.5)]
VP_KINDS = [('cogvideox', 3.0, 1), ('cogvideox', 0.5, 1), ('sd3', 3.0, 1), ('raw', 0.4, 1.5), ('raw', -0.3, 0.6)]
LAMBDA_KINDS = [('raw', 0.4, 1.5), ('raw', -0.3, 0.6), ('sd3', 3.0, 1), ('cogvideox', 3.0, 1), ('flux', 1.15, 1)]
SCHEDULE_KINDS = [('cogvideox', 3.0, 1), ('cogvideox', 0.5, 1), ('raw', 0.4, 1.5), ('raw', -0.3, 0.6)]
SCHEDULE_STEPS = [1, 2, 10, 100, 500, 999, 1000]


def log_snr(kind, a, b, lam):
    lam = D(lam)
    if mp.isinf(lam):
        return lam
    if kind == 'sd3':
        return lam - 2 * mp.log(D(a))
    if kind == 'cogvideox':
        return lam - mp.log(D(a))
    return D(b) * lam - 2 * D(a)


def main():
    records = ['# made by tests/reference/gen_shift_reference.py (mpmath %s, %d digits)' % (mp.__version__, mp.mp.dps)]
    for kind, a, b in LAMBDA_KINDS:
        for lam in LOG_SNRS:
            records.append(' '.join(['log_snr', tag(lam), kind, repr(a), repr(b), inp(lam),
                                     fmt(log_snr(kind, a, b, lam))]))
    for kind, a, b in FLOW_KINDS:
        for t in TIMES:
            h = D(0) if t in (0.0, 1.0) else abs(mp.log((1 - D(t)) / D(t)))
            records.append(' '.join(['flow', tag(t), kind, repr(a), repr(b), inp(t), fmt(flow(kind, a, b, t)), fmt(h)]))
    for kind, a, b in SIGMA_KINDS:
        for s in SIGMAS:
            h = D(0) if s in (0.0, math.inf) else abs(mp.log(D(s)))
            records.append(' '.join(['sigma', tag(s), kind, repr(a), repr(b), inp(s), fmt(sigma(kind, a, b, s)), fmt(h)]))
    for kind, a, b in VP_KINDS:
        for x in ALPHA_BARS:
            abar, rest = D(x), 1 - D(x)
            shifted = vp(kind, a, b, abar, rest)
            records.append(' '.join(['alpha_bar', tag(x), kind, repr(a), repr(b), inp(x), fmt(shifted[0]),
                                     fmt(shifted[1]), fmt(abs_lambda_vp(abar, rest))]))
        for y in ONE_MINUS:
            rest = D(y)
            abar = 1 - rest
            held = f32(float(abar)) if tag(y) == 'f' else float(abar)
            shifted = vp(kind, a, b, abar, rest)
            records.append(' '.join(['alpha_bar_pair', tag(y), kind, repr(a), repr(b), inp(held), inp(y),
                                     fmt(shifted[0]), fmt(shifted[1]), fmt(abs_lambda_vp(abar, rest))]))
    bars = scaled_linear_alpha_bars()
    for kind, a, b in SCHEDULE_KINDS:
        for t in SCHEDULE_STEPS:
            shifted = vp(kind, a, b, bars[t], 1 - bars[t])
            records.append(' '.join(['schedule', kind, repr(a), repr(b), str(t), fmt(shifted[0]), fmt(shifted[1])]))
    with open(os.path.join(HERE, 'shift.txt'), 'w') as f:
        f.write('\n'.join(records) + '\n')


if __name__ == '__main__':
    main()
