#!/usr/bin/python3
"""High-precision references for include/diffuse/trigflow.hpp (TrigFlow and its training time).

Run from the repository root:  /usr/bin/python3 tests/reference/gen_trigflow_reference.py
Writes tests/reference/trigflow_reference.txt.

Everything is computed with mpmath at 100 significant digits from the textbook definitions of
Lu & Song 2025 (sCM) -- a = cos t, b = sigma_d sin t, lambda = log(a^2/b^2), sigma = b/a; the
transition as b_t^2 - m^2 b_s^2 (a plain difference); the posterior as a Bayes product of
precisions; t(lambda) and t(sigma) as arctan(e^(-lambda/2)/sigma_d) and arctan(sigma/sigma_d); the
training time as arctan(exp(P_mean + P_std z)/sigma_d) -- NOT from the rearranged formulas of the
C++ code, and printed with 40 significant digits.

Times are binary floating-point numbers written as their exact decimal expansion, or 'end', which
stands for pi/2 exactly (TrigFlowTime::end()). sigma_d, P_mean and P_std are the decimals they spell.
The second word of each record says which types can take the inputs exactly:
  f  every binary input is a float32 value: the float, double and long double tests
  d  a binary input is a double that is not a float32 value: the double and long double tests
  l  a binary input has 64 significant bits, not a double: the long double tests (x87 and binary128)

Record formats (one per line, whitespace separated; '#' starts a comment):
  marginal <tag> <sigma_d> <t> <a> <b> <a2> <b2> <lambda> <snr> <sigma>
  transition <tag> <sigma_d> <s> <t> <mean> <variance> <stddev>
  posterior <tag> <sigma_d> <s> <t> <c0> <ct> <variance> <stddev>
  time_of_log_snr <tag> <sigma_d> <lambda> <t>
  time_of_sigma <tag> <sigma_d> <sigma> <t>
  training_time <tag> <z> <sigma_d> <p_mean> <p_std> <t>
"""
import decimal
import math
import os
import struct

import mpmath as mp

from reference_digits import fmt

mp.mp.dps = 100
HERE = os.path.dirname(os.path.abspath(__file__))
D = mp.mpf
END = 'end'


def f32(x):
    """x rounded to the nearest float32, as a Python float (exact)."""
    return struct.unpack('f', struct.pack('f', float(x)))[0]


def next_f32(x, direction):
    bits = struct.unpack('I', struct.pack('f', x))[0]
    return struct.unpack('f', struct.pack('I', bits + direction))[0]


def inp(x):
    """An input: 'end', or its exact decimal expansion."""
    if x is END:
        return END
    if isinstance(x, mp.mpf):  # a binary number of a few bits more than a double, exactly
        sign, man, exp, _ = x._mpf_
        with decimal.localcontext() as c:
            c.prec = 200
            return str((-1 if sign else 1) * decimal.Decimal(man) * decimal.Decimal(2) ** exp)
    if math.isinf(x):
        return 'inf' if x > 0 else '-inf'
    return str(decimal.Decimal(float(x)))


def tag(*xs):
    if any(isinstance(x, mp.mpf) for x in xs):
        return 'l'
    return 'f' if all(x is END or math.isinf(x) or f32(x) == x for x in xs) else 'd'


def value(t):
    return mp.pi / 2 if t is END else D(t)


# --- the process, from its definition ------------------------------------------------------------
def a(t):
    return D(0) if t is END else mp.cos(value(t))


def b(sd, t):
    return D(sd) * (D(1) if t is END else mp.sin(value(t)))


def lam(sd, t):
    if value(t) == 0:
        return mp.inf
    if t is END:
        return -mp.inf
    return mp.log(a(t) ** 2 / b(sd, t) ** 2)


def transition(sd, s, t):
    m = a(t) / a(s)
    return m, b(sd, t) ** 2 - m ** 2 * b(sd, s) ** 2


def posterior(sd, s, t):
    if b(sd, s) == 0:
        return D(1), D(0), D(0)
    m, v = transition(sd, s, t)
    var = 1 / (1 / b(sd, s) ** 2 + m ** 2 / v)
    return var * a(s) / b(sd, s) ** 2, var * m / v, var


def main():
    records = ['# made by tests/reference/gen_trigflow_reference.py (mpmath %s, %d digits)' % (mp.__version__, mp.mp.dps)]
    end_d = float(mp.pi / 2)          # the double nearest pi/2 (below it)
    end_f = f32(end_d)                # the float nearest pi/2 (above it)
    below_f = next_f32(end_f, -1)
    times = [0.0, 5e-324, 1e-300, f32(1e-30), f32(1e-12), 1e-12, f32(1e-6), 1e-6, 0.001, f32(0.1), 0.1, f32(0.5),
             float(mp.pi / 8), f32(mp.pi / 4), math.nextafter(float(mp.pi / 4), 0), float(mp.pi / 4),
             math.nextafter(float(mp.pi / 4), 2), 1.0, float(mp.atan(2)), f32(mp.atan(2)), f32(mp.atan(10)), 1.5,
             next_f32(below_f, -1), below_f, 1.5707963, 1.5707963267, math.nextafter(end_d, 0) - 2e-16 * 1000,
             math.nextafter(math.nextafter(end_d, 0), 0), math.nextafter(end_d, 0), END]
    sigmas = ['0.5', '0.1', '1', '2.5']
    for sd in sigmas:
        for t in times:
            bt = b(sd, t)
            sig = mp.inf if t is END else bt / a(t)
            snr = mp.inf if value(t) == 0 else a(t) ** 2 / bt ** 2
            records.append(' '.join(['marginal', tag(t), sd, inp(t)] + [fmt(x) for x in (
                a(t), bt, a(t) ** 2, bt ** 2, lam(sd, t), snr, sig)]))
    pair_times = [0.0, 1e-300, f32(1e-6), 1e-6, math.nextafter(1e-6, 1), 0.1, f32(0.5), float(mp.pi / 4),
                  math.nextafter(float(mp.pi / 4), 2), 1.0, 1.5, below_f, math.nextafter(math.nextafter(end_d, 0), 0),
                  math.nextafter(end_d, 0), END]
    # s and t one step of a 64-bit significand apart: where b_t^2 - m^2 b_s^2 cancels 63 bits.
    near = [(D(1e-6), D(1e-6) + mp.ldexp(1, -83)), (D(1.0), D(1.0) + mp.ldexp(1, -63)), (D(1.5), D(1.5) + mp.ldexp(1, -63))]
    for sd in ['0.5', '0.1']:
        for s, t in near:
            m, v = transition(sd, s, t)
            records.append(' '.join(['transition', tag(s, t), sd, inp(s), inp(t)] + [fmt(x) for x in (m, v, mp.sqrt(v))]))
            c0, ct, pv = posterior(sd, s, t)
            records.append(' '.join(['posterior', tag(s, t), sd, inp(s), inp(t)] + [fmt(x) for x in (c0, ct, pv, mp.sqrt(pv))]))
        for i, s in enumerate(pair_times):
            for t in pair_times[i + 1:]:
                m, v = transition(sd, s, t)
                records.append(' '.join(['transition', tag(s, t), sd, inp(s), inp(t)] + [fmt(x) for x in (m, v, mp.sqrt(v))]))
                c0, ct, pv = posterior(sd, s, t)
                records.append(' '.join(['posterior', tag(s, t), sd, inp(s), inp(t)] + [fmt(x) for x in (c0, ct, pv, mp.sqrt(pv))]))
    for sd in ['0.5', '0.1']:
        for lam_value in [math.inf, 1000.0, 60.0, 10.0, 1.0, 1e-10, 0.0, -1e-10, f32(-0.1), -1.0, -10.0, -60.0, -80.0,
                          -1000.0, -math.inf]:
            if math.isinf(lam_value):
                t = D(0) if lam_value > 0 else mp.pi / 2
            else:
                t = mp.atan(mp.exp(-D(lam_value) / 2) / D(sd))
            records.append(' '.join(['time_of_log_snr', tag(lam_value), sd, inp(lam_value), fmt(t)]))
        for sigma in [0.0, 1e-300, f32(1e-5), 0.1, 0.5, 1.0, 80.0, 1e10, 1e300, math.inf]:
            t = mp.pi / 2 if math.isinf(sigma) else mp.atan(D(sigma) / D(sd))
            records.append(' '.join(['time_of_sigma', tag(sigma), sd, inp(sigma), fmt(t)]))
    for sd, pm, ps in [('0.5', '-1.0', '1.6'), ('0.5', '-0.8', '1.6'), ('0.1', '0.2', '1.4'), ('0.5', '-1.0', '0')]:
        for z in [-40.0, -10.0, -3.0, f32(-1.1), -1.0, 0.0, 0.5, 1.0, f32(2.2), 3.0, 10.0, 40.0]:
            tau = D(pm) + D(ps) * D(z)
            t = mp.atan(mp.exp(tau) / D(sd))
            records.append(' '.join(['training_time', tag(z), inp(z), sd, pm, ps, fmt(t)]))
    with open(os.path.join(HERE, 'trigflow_reference.txt'), 'w') as f:
        f.write('\n'.join(records) + '\n')


if __name__ == '__main__':
    main()
