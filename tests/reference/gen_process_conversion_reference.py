#!/usr/bin/python3
"""High-precision references for include/diffuse/process_conversion.hpp (conversion at equal log-SNR).

Run from the repository root:  /usr/bin/python3 tests/reference/gen_process_conversion_reference.py
Writes tests/reference/process_conversion_reference.txt.

With mpmath at 500 significant digits, from each process's own definition: the source's a and b at
its coordinate, its noise level sigma = b/a; the target's coordinate as the solution of the
target's sigma(c) = sigma (closed forms: the flow's t = sigma/(1 + sigma), TrigFlow's
arctan(sigma/sigma_d), the VP SDE's t from B(t) = log(1 + sigma^2), the VE process's
log(sigma/sigma_min)/log(sigma_max/sigma_min), the cosine's (2/pi) arctan(sigma)); the scale as
a_target/a_source with the target's a taken at that coordinate (b_target/b_source at pure noise).
Printed with 40 significant digits. Times are doubles written exactly, or 'end' (TrigFlow's pi/2).

Record format (one per line):
  convert <source> <target> <coordinate> <target coordinate> <scale>
Processes: cosine, vp_linear, sub_vp, ve (ContinuousProcess with its default parameters),
flow (RectifiedFlow), trigflow (TrigFlow, sigma_d = 0.5), edm (EdmNoiseLevels, the coordinate is sigma).
"""
import decimal
import os

import mpmath as mp

from reference_digits import fmt

mp.mp.dps = 500  # 1e200 noise levels: 1 − σ/(1 + σ) and π/2 − atan(σ/σ_d) keep 300 digits
HERE = os.path.dirname(os.path.abspath(__file__))
D = mp.mpf
SD = D('0.5')
BMIN, BMAX = D('0.1'), D('20')
SMIN, SMAX = D('0.01'), D('50')


def B(t):
    return BMIN * t + (BMAX - BMIN) * t * t / 2


def value(c):
    return mp.pi / 2 if c == 'end' else D(c)


# (a, b) of each process at its coordinate
def ab(process, c):
    t = value(c)
    if process == 'cosine':
        return (D(0), D(1)) if t == 1 else (mp.cos(mp.pi * t / 2), mp.sin(mp.pi * t / 2))
    if process == 'vp_linear':
        return mp.exp(-B(t) / 2), mp.sqrt(-mp.expm1(-B(t)))
    if process == 'sub_vp':
        return mp.exp(-B(t) / 2), -mp.expm1(-B(t))
    if process == 've':
        return D(1), SMIN * (SMAX / SMIN) ** t
    if process == 'flow':
        return 1 - t, t
    if process == 'trigflow':
        return (D(0), SD) if c == 'end' else (mp.cos(t), SD * mp.sin(t))
    if process == 'edm':
        return D(1), t
    raise ValueError(process)


def coordinate_of_sigma(process, s):
    """The target coordinate with sigma(c) = s (s = inf: pure noise)."""
    if process == 'flow':
        return D(1) if mp.isinf(s) else s / (1 + s)
    if process == 'trigflow':
        return mp.pi / 2 if mp.isinf(s) else mp.atan(s / SD)
    if process == 'cosine':
        return D(1) if mp.isinf(s) else 2 * mp.atan(s) / mp.pi
    if process == 'vp_linear':
        b = mp.log1p(s * s)
        return 2 * b / (BMIN + mp.sqrt(BMIN ** 2 + 2 * (BMAX - BMIN) * b))
    if process == 've':
        return mp.log(s / SMIN) / mp.log(SMAX / SMIN)
    if process == 'edm':
        return s
    raise ValueError(process)


def main():
    records = ['# made by tests/reference/gen_process_conversion_reference.py (mpmath %s, %d digits)' % (mp.__version__, mp.mp.dps)]
    unit_times = ['0', '1e-8', '0.0001', '0.1', '0.3', '0.5', '0.7', '0.9', '0.999', str(decimal.Decimal(1 - 2.0 ** -20)), '1']
    trig_times = ['0', '1e-8', '0.001', '0.3', '0.785', '1.2', '1.5', '1.57', '1.5707963267', 'end']
    pairs = [('cosine', 'flow', unit_times), ('flow', 'cosine', unit_times), ('flow', 'trigflow', unit_times),
             ('trigflow', 'flow', trig_times), ('trigflow', 'cosine', trig_times),
             ('trigflow', 'vp_linear', trig_times[:6]), ('vp_linear', 'trigflow', unit_times),
             ('sub_vp', 'flow', unit_times), ('vp_linear', 'flow', unit_times), ('trigflow', 'edm', trig_times[:-1]),
             ('edm', 'trigflow', ['0', '1e-300', '0.002', '0.5', '1', '80', '1e200']), ('ve', 'trigflow', unit_times),
             ('edm', 'flow', ['0', '1e-300', '0.002', '0.5', '1', '80', '1e200'])]
    for source, target, coordinates in pairs:
        for c in coordinates:
            # c as the binary double the C++ test reads: the exact decimal of the double nearest c.
            c = c if c == 'end' else str(decimal.Decimal(float(c)))
            a, b = ab(source, c)
            s = mp.inf if a == 0 else b / a
            q = coordinate_of_sigma(target, s)
            if mp.isinf(s):
                scale = ab(target, 'end' if target == 'trigflow' else q)[1] / b
                q_text = 'end' if target == 'trigflow' else fmt(q)
            else:
                scale = ab(target, q)[0] / a
                q_text = fmt(q)
            records.append(' '.join(['convert', source, target, c, q_text, fmt(scale)]))
    with open(os.path.join(HERE, 'process_conversion_reference.txt'), 'w') as f:
        f.write('\n'.join(records) + '\n')


if __name__ == '__main__':
    main()
