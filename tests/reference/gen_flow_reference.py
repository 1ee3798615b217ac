#!/usr/bin/python3
"""High-precision references for include/diffuse/flow.hpp (the rectified flow and the time shifts).

Run from the repository root:  /usr/bin/python3 tests/reference/gen_flow_reference.py
Writes tests/reference/flow_reference.txt.

Everything is computed with mpmath at 100 significant digits from the textbook definitions — the
marginal a = 1 - t, b = t; lambda = 2 log((1 - t)/t); the transition as b_t^2 - m^2 b_s^2 (a plain
difference); the posterior as a Bayes product of precisions; the shifts exactly as diffusers writes
them (1/t - 1, calculate_shift's slope and intercept, stretch_shift_to_terminal's scale factor) —
NOT from the rearranged formulas of the C++ code, and printed with 40 significant digits.

Every input is a binary floating-point number written as its exact decimal expansion. The second
word of each record says which types can take the inputs exactly:
  f  every input (the time arguments) is a float32 value: the float, double and long double tests
  d  a time argument is a double that is not a float32 value: the double and long double tests
Parameters of the shifts (shift, mu, power, sequence lengths, shift_terminal) are doubles in every
record (the C++ functions take them as double) and the values are those of the doubles, not of the
decimals they were written from (1.15 is 1.149999999999999911182158029987...).

Record formats (one per line, whitespace separated; '#' starts a comment):
  marginal <tag> <t> <a> <b> <a2> <b2> <lambda> <snr> <sigma>
  transition <tag> <s> <t> <mean> <variance> <stddev>
  posterior <tag> <s> <t> <c0> <ct> <variance> <stddev>
  time_of_log_snr <tag> <lambda> <t>
  time_of_sigma <tag> <sigma> <t>
  static_shift <tag> <t> <shift> <t'>
  exponential_shift <tag> <t> <mu> <power> <t'> <|log((1 - t)/t)|>
  linear_shift <tag> <t> <mu> <power> <t'> <|log((1 - t)/t)|>
  resolution_mu <L> <L_base> <L_max> <base_shift> <max_shift> <mu> <W>
    (W = (|base_shift| |L_max - L| + |max_shift| |L - L_base|)/(L_max - L_base), the size of the terms)
  flux2_mu <L> <N> <mu> <W> <tool>
    (Flux.2's compute_empirical_mu, written as diffusers/ComfyUI write it (slope a, intercept b) in
    exact rational arithmetic from the doubles of its decimal constants; W = |m200| + (N + 200)|m200 - m10|/190
    bounds the terms of both our evaluation and the tools' (a N and b = m200 - 200 a);
    <tool> is the same function run in Python double arithmetic, i.e. what the tools return)
  stretch <tag> <t> <last> <shift_terminal> <t'>
"""
import decimal
import math
from fractions import Fraction as F
import os
import struct

import mpmath as mp

from reference_digits import fmt

mp.mp.dps = 100
HERE = os.path.dirname(os.path.abspath(__file__))
D = mp.mpf


def f32(x):
    """x rounded to the nearest float32, as a Python float (exact)."""
    return struct.unpack('f', struct.pack('f', float(x)))[0]


def next_f32(x, direction):
    """The float32 next to the float32 x towards +inf (direction 1) or -inf (-1)."""
    bits = struct.unpack('I', struct.pack('f', x))[0]
    if x == 0:
        return struct.unpack('f', struct.pack('I', 1))[0] if direction > 0 else -next_f32(0.0, 1)
    bits += direction if x > 0 else -direction
    return struct.unpack('f', struct.pack('I', bits))[0]


def inp(x):
    """An input (a float or double value): its exact decimal expansion."""
    if math.isinf(x):
        return 'inf' if x > 0 else '-inf'
    return str(decimal.Decimal(float(x)))


def is_f32(x):
    return math.isinf(x) or f32(x) == x


def tag(*xs):
    return 'f' if all(is_f32(x) for x in xs) else 'd'


# --- the process, from its definition -------------------------------------------------------------
def a(t):
    return 1 - t


def b(t):
    return t


def lam(t):
    if t == 0:
        return mp.inf
    if t == 1:
        return -mp.inf
    return 2 * mp.log(a(t) / b(t))


def sigma(t):
    return mp.inf if t == 1 else b(t) / a(t)


def snr(t):
    return mp.inf if t == 0 else (a(t) / b(t)) ** 2


def transition(s, t):
    m = a(t) / a(s)
    v = b(t) ** 2 - m ** 2 * b(s) ** 2
    return m, v


def posterior(s, t):
    """q(x_s|x_t, x_0) as the Bayes product of N(a_s x_0, b_s^2) and N(x_t; m x_s, v)."""
    if b(s) == 0:
        return D(1), D(0), D(0)
    m, v = transition(s, t)
    precision = 1 / b(s) ** 2 + m ** 2 / v
    var = 1 / precision
    return var * a(s) / b(s) ** 2, var * m / v, var


# --- the shifts, as diffusers writes them -------------------------------------------------------
def static_shift(t, shift):
    return shift * t / (1 + (shift - 1) * t)


def one_over_t_minus_one(t):
    return mp.inf if t == 0 else 1 / t - 1


def power(x, p):
    if x == mp.inf:
        return mp.inf
    if x == 0:
        return D(0)
    return x ** p


def exponential_shift(t, mu, p):
    e = mp.exp(mu)
    r = power(one_over_t_minus_one(t), p)
    return D(0) if r == mp.inf else e / (e + r)


def linear_shift(t, mu, p):
    r = power(one_over_t_minus_one(t), p)
    return D(0) if r == mp.inf else mu / (mu + r)


def calculate_shift(L, Lb, Lm, base, top):
    """diffusers' slope and intercept, in exact rational arithmetic (the arguments are Fractions)."""
    m = (top - base) / (Lm - Lb)
    intercept = base - m * Lb
    return L * m + intercept


FLUX2 = (8.73809524e-05, 1.89833333, 0.00016927, 0.45666666)  # a1, b1, a2, b2 as the tools write them


def flux2_mu(L, N):
    """compute_empirical_mu (diffusers pipelines/flux2/pipeline_flux2.py @58eb52c0) in exact rationals: (mu, W)."""
    a1, b1, a2, b2 = (F(c) for c in FLUX2)
    m_200 = a2 * L + b2
    if L > 4300:
        return m_200, abs(m_200)
    m_10 = a1 * L + b1
    a = (m_200 - m_10) / 190
    b = m_200 - 200 * a
    return a * N + b, abs(m_200) + (N + 200) * abs(m_200 - m_10) / 190


def flux2_mu_tool(image_seq_len, num_steps):
    """The tools' function, verbatim (Python doubles): what diffusers and ComfyUI return."""
    a1, b1 = 8.73809524e-05, 1.89833333
    a2, b2 = 0.00016927, 0.45666666
    if image_seq_len > 4300:
        mu = a2 * image_seq_len + b2
        return float(mu)
    m_200 = a2 * image_seq_len + b2
    m_10 = a1 * image_seq_len + b1
    a = (m_200 - m_10) / 190.0
    b = m_200 - 200.0 * a
    mu = a * num_steps + b
    return float(mu)


def rational(x):
    return D(x.numerator) / D(x.denominator)


def stretch(t, last, tau):
    one_minus_z = 1 - t
    scale = (1 - last) / (1 - tau)
    return 1 - one_minus_z / scale


def abs_half_lambda(t):
    return D(0) if t in (0, 1) else abs(mp.log((1 - t) / t))


# --- the inputs -----------------------------------------------------------------------------------
NOMINAL = [1e-12, 1e-6, 2.0 ** -20, 0.001, 0.1, 0.25, 1 / 3, 0.5, 2 / 3, 0.75, 0.9, 0.999, 1 - 1e-6]


def times():
    """The times of the marginal records: the nominal ones in float and in double, the ends, the
    values one ulp from 0, ½ and 1 in each type."""
    out = {0.0, 1.0}
    for x in NOMINAL:
        out.add(f32(x))
        out.add(x)
    half_f = [next_f32(0.5, -1), next_f32(0.5, 1)]
    half_d = [math.nextafter(0.5, 0), math.nextafter(0.5, 1)]
    out.update(half_f + half_d)
    out.update([next_f32(1.0, -1), math.nextafter(1.0, 0), next_f32(0.0, 1), math.nextafter(0.0, 1)])
    out.add(f32(1e-30))
    return sorted(out)


def pairs():
    """(s, t) pairs of the transition and posterior records, s < t."""
    out = [(0.0, 0.5), (0.0, 1.0), (0.0, f32(1e-12)), (0.0, 1e-12), (0.25, 0.5), (0.5, 1.0), (0.1, 0.9),
           (f32(0.1), f32(0.9)), (f32(1e-6), f32(1 - 1e-6)), (1e-6, 1 - 1e-6), (f32(1e-12), f32(2e-12)),
           (1e-12, 2e-12), (0.75, 0.875), (f32(1 / 3), f32(2 / 3)), (1 / 3, 2 / 3), (0.999, 1.0)]
    for x in [f32(1e-12), 0.3, f32(0.3), 0.5, f32(1 - 1e-6)]:  # one float ulp apart
        if is_f32(x):
            out.append((x, next_f32(x, 1)))
    for x in [1e-12, 0.3, 0.5, 1 - 1e-6]:  # one double ulp apart
        out.append((x, math.nextafter(x, 1)))
    out += [(next_f32(1.0, -1), 1.0), (math.nextafter(1.0, 0), 1.0),
            (next_f32(next_f32(1.0, -1), -1), next_f32(1.0, -1)),
            (math.nextafter(math.nextafter(1.0, 0), 0), math.nextafter(1.0, 0))]
    return out


SHIFT_TIMES = [0.0, 1e-12, 1e-6, 0.01, 0.25, 0.5, 0.75, 0.99, 1 - 1e-6, 1.0]


def shift_times():
    out = set()
    for x in SHIFT_TIMES:
        out.add(f32(x))
        out.add(x)
    out.update([next_f32(1.0, -1), math.nextafter(1.0, 0)])
    return sorted(out)


def main():
    records = ['# made by tests/reference/gen_flow_reference.py (mpmath %s, %d digits)' % (mp.__version__, mp.mp.dps)]
    for t in times():
        T = D(t)
        records.append(' '.join(['marginal', tag(t), inp(t), fmt(a(T)), fmt(b(T)), fmt(a(T) ** 2), fmt(b(T) ** 2),
                                 fmt(lam(T)), fmt(snr(T)), fmt(sigma(T))]))
    for s, t in pairs():
        assert s < t
        S, T = D(s), D(t)
        m, v = transition(S, T)
        records.append(' '.join(['transition', tag(s, t), inp(s), inp(t), fmt(m), fmt(v), fmt(mp.sqrt(v))]))
        c0, ct, var = posterior(S, T)
        records.append(' '.join(['posterior', tag(s, t), inp(s), inp(t), fmt(c0), fmt(ct), fmt(var), fmt(mp.sqrt(var))]))
    inf = float('inf')
    for x in [inf, -inf, 0.0, 1.0, -1.0, 20.0, -20.0, 55.262042231857095, -27.631021115928547, 1e-20, -100.5, 1500.0,
              -1500.0]:
        t = D(0) if x == inf else D(1) if x == -inf else 1 / (1 + mp.exp(D(x) / 2))
        records.append(' '.join(['time_of_log_snr', tag(x), inp(x), fmt(t)]))
    for x in [0.0, inf, 1e-12, 1.0, 3.0, 1e6, 0.1, 1e300]:
        t = D(1) if x == inf else D(x) / (1 + D(x))
        records.append(' '.join(['time_of_sigma', tag(x), inp(x), fmt(t)]))
    for t in shift_times():
        T = D(t)
        for s in [3.0, 1.0, 0.5, 1.73, 6.0]:
            records.append(' '.join(['static_shift', tag(t), inp(t), inp(s), fmt(static_shift(T, D(s)))]))
        for mu in [0.5, 1.15, -0.7, 2.5]:
            for p in [1.0, 0.5, 2.0]:
                records.append(' '.join(['exponential_shift', tag(t), inp(t), inp(mu), inp(p),
                                         fmt(exponential_shift(T, D(mu), D(p))), fmt(abs_half_lambda(T))]))
        for mu in [1.15, 0.3, 3.0]:
            for p in [1.0, 2.0]:
                records.append(' '.join(['linear_shift', tag(t), inp(t), inp(mu), inp(p),
                                         fmt(linear_shift(T, D(mu), D(p))), fmt(abs_half_lambda(T))]))
    settings = [(256.0, 4096.0, 0.5, 1.15), (1024.0, 4096.0, 0.95, 2.05), (256.0, 8192.0, 1.15, 0.5),
                (100.0, 300.0, -1.0, 1.0), (256.0, 4096.0, -1.0, 1.0)]
    for Lb, Lm, base, top in settings:
        for L in [1.0, 64.0, 255.0, 256.0, 1024.0, 4080.5, 4096.0, 8192.0, 1e6, 200.0, 2176.0]:
            mu = rational(calculate_shift(F(L), F(Lb), F(Lm), F(base), F(top)))
            size = rational((abs(F(base)) * abs(F(Lm) - F(L)) + abs(F(top)) * abs(F(L) - F(Lb))) / (F(Lm) - F(Lb)))
            records.append(' '.join(['resolution_mu', inp(L), inp(Lb), inp(Lm), inp(base), inp(top), fmt(mu), fmt(size)]))
    for L in [1.0, 256.0, 1024.0, 4096.0, 4300.0, 4301.0, 16384.0, 1048576.0, 1234.5, 4299.75, 3.0e15]:
        for N in [1, 2, 4, 10, 20, 28, 50, 200, 1000, 100000]:
            mu, size = flux2_mu(F(L), N)
            records.append(' '.join(['flux2_mu', inp(L), str(N), fmt(rational(mu)), fmt(rational(size)),
                                     repr(flux2_mu_tool(L, N))]))
    for last in [0.0, 0.05, f32(0.05), 0.3, 1e-12, f32(1e-12), 0.999]:
        for tau in [0.1, 0.5, 0.02]:
            for t in sorted({last, (last + 1) / 2, f32((last + 1) / 2), 0.9999, math.nextafter(1.0, 0), next_f32(1.0, -1),
                             1.0}):
                if t < last:
                    continue
                records.append(' '.join(['stretch', tag(t, last), inp(t), inp(last), inp(tau),
                                         fmt(stretch(D(t), D(last), D(tau)))]))
    with open(os.path.join(HERE, 'flow_reference.txt'), 'w') as f:
        f.write('\n'.join(records) + '\n')


if __name__ == '__main__':
    main()
