#!/usr/bin/python3
"""High-precision references for include/diffuse/training_time.hpp.

Run from the repository root:  /usr/bin/python3 tests/reference/gen_training_time_reference.py
Writes tests/reference/training_time.txt.

Every value is computed with mpmath at 100 significant digits from the textbook definition, as the
sources write it (SD3 / diffusers compute_density_for_timestep_sampling and
compute_loss_weighting_for_sd3, k-diffusion k_diffusion/utils.py, Min-SNR, P2, EDM), NOT from the
rearranged forms of the C++ code, and printed with 40 significant digits. The cancellations of the
textbook forms in the tails (u within 1e-12 of 0 or 1) cost at most 13 of the 100 digits.
Parameters are exact decimals (-1.2 is -6/5), as the C++ code reads them. Inputs (u, z, snr, sigma,
t) are binary numbers written exactly: float32 values, and a few doubles (1 - 2^-40, 1 - 1e-12)
that the float tests skip. The loss weights at SNR = 0 and SNR = inf are found numerically, at
SNR = 1e-100 and 1e100: a value below 1e-30 is written 0, above 1e30 'none' (no finite limit),
otherwise its 40 digits (the neglected terms are below 1e-45).

Record formats (one per line, whitespace separated; '#' starts a comment):
  low_discrepancy <u> <j> <B> <t>
  logit_normal <z> <mean> <std> <t>
  mode <u> <scale> <t>
  cosmap <u> <t>
  log_normal <z> <mean> <std> <sigma>
  log_normal_uniform <u> <loc> <scale> <tail> <sigma>     (k-diffusion rand_log_normal: p = tail + u(1 - 2 tail))
  log_logistic <u> <loc> <scale> <min_value> <max_value> <sigma>
  log_uniform <u> <min_value> <max_value> <sigma>
  v_diffusion <u> <sigma_data> <min_value> <max_value> <sigma>
  cosine_interpolated <u> <image_d> <noise_d_low> <noise_d_high> <sigma_data> <min_value> <max_value> <sigma>
  weight <scheme> <p1> <p2> <x> <epsilon> <x0> <v> <flow_velocity>
     scheme: min_snr (p1 = gamma), soft_min_snr (gamma), p2 (k, gamma), truncated_snr, with x = SNR;
     edm (sigma_data) with x = sigma; sigma_sqrt, cosmap with x = the flow time t; unused p = '-'.
"""
import decimal
import fractions
import os
import struct

import mpmath as mp

from reference_digits import fmt

mp.mp.dps = 100
HERE = os.path.dirname(os.path.abspath(__file__))
D = mp.mpf
INF = mp.inf


def f32(x):
    """x rounded to the nearest float32, as an exact mpf."""
    return D(struct.unpack('f', struct.pack('f', float(x)))[0])


def inp(x):
    """An input (a binary value): its exact decimal expansion."""
    if x == INF:
        return 'inf'
    return str(decimal.Decimal(float(x))) if float(x) == x else mp.nstr(x, 60)


def par(text):
    """A parameter: the decimal as written, and its value."""
    return text, (INF if text == 'inf' else D(text))


def sigmoid(x):
    return 1 / (1 + mp.exp(-x))


def logit(p):
    return mp.log(p / (1 - p))


# Inputs: u in [0, 1] (float32 values; the doubles 1 - 2^-40 and 1 - 1e-12 for the tails), z normal.
U_FLOAT = [D(0), f32(1e-12), D(2) ** -40, f32(1e-6), f32(0.1), D('0.25'), D('0.5'), f32(0.7), D('0.75'), f32(0.9),
           1 - D(2) ** -24, D(1)]
U_DOUBLE = [1 - D(2) ** -40, D(1 - 1e-12)]  # exact doubles, not floats
U = sorted(U_FLOAT + U_DOUBLE)
Z = [D(-8), D('-3.5'), D(-1), D(0), D('0.5'), D(1), D('2.25'), D(8)]


def low_discrepancy(records):
    for u in U:
        for j, b in [(0, 1), (0, 4), (1, 4), (3, 4), (2, 3), (6, 7), (999, 1000)]:
            if u == 1 and j != 0:
                continue
            t = (fractions.Fraction(float(u)) + fractions.Fraction(j, b)) % 1
            records.append(f'low_discrepancy {inp(u)} {j} {b} {fmt(D(t.numerator) / t.denominator)}')


def logit_normal(records):
    for m_text, s_text in [('0', '1'), ('1.5', '2'), ('-0.5', '0.8')]:
        _, m = par(m_text)
        _, s = par(s_text)
        for z in Z:
            records.append(f'logit_normal {inp(z)} {m_text} {s_text} {fmt(sigmoid(m + s * z))}')


def mode(records):
    for s_text in ['1.29', '0', '-1', '0.5', '1.75']:
        _, s = par(s_text)
        for u in U:
            if u == 0:
                t = D(1)
            elif u == 1:
                t = D(0)
            else:
                t = 1 - u - s * (mp.cos(mp.pi * u / 2) ** 2 - 1 + u)
            records.append(f'mode {inp(u)} {s_text} {fmt(t)}')


def cosmap(records):
    for u in U:
        t = D(1) if u == 1 else 1 - 1 / (mp.tan(mp.pi * u / 2) + 1)
        records.append(f'cosmap {inp(u)} {fmt(t)}')


def log_normal(records):
    for m_text, s_text in [('-1.2', '1.2'), ('0', '1'), ('2.5', '0.25')]:
        _, m = par(m_text)
        _, s = par(s_text)
        for z in Z:
            records.append(f'log_normal {inp(z)} {m_text} {s_text} {fmt(mp.exp(m + s * z))}')


def log_normal_uniform(records):
    for texts in [('0', '1', '1e-7'), ('-1.2', '1.2', '1e-7'), ('0.5', '0.8', '0')]:
        (loc_t, loc), (scale_t, scale), (tail_t, tail) = [par(t) for t in texts]
        for u in U:
            p = u * (1 - 2 * tail) + tail
            if p == 0:
                sigma = D(0)
            elif p == 1:
                sigma = INF
            else:
                sigma = mp.exp(loc + scale * mp.sqrt(2) * mp.erfinv(2 * p - 1))  # Phi^-1(p)
            records.append(f'log_normal_uniform {inp(u)} {loc_t} {scale_t} {tail_t} {fmt(sigma)}')


def log_logistic(records):
    for texts in [('0', '1', '0', 'inf'), ('-1.2', '0.5', '0.002', '80'), ('1', '2', '0.01', 'inf'), ('0.5', '0.25', '0', '1000')]:
        (loc_t, loc), (scale_t, scale), (lo_t, lo), (hi_t, hi) = [par(t) for t in texts]
        min_cdf = D(0) if lo == 0 else sigmoid((mp.log(lo) - loc) / scale)
        max_cdf = D(1) if hi == INF else sigmoid((mp.log(hi) - loc) / scale)
        for u in U:
            p = u * (max_cdf - min_cdf) + min_cdf
            if p == 0:
                sigma = D(0)
            elif p == 1:
                sigma = INF
            else:
                sigma = mp.exp(logit(p) * scale + loc)
            records.append(f'log_logistic {inp(u)} {loc_t} {scale_t} {lo_t} {hi_t} {fmt(sigma)}')


def log_uniform(records):
    for texts in [('0.002', '80'), ('0.001', '1000'), ('0.5', '2')]:
        (lo_t, lo), (hi_t, hi) = [par(t) for t in texts]
        for u in U:
            sigma = mp.exp(u * (mp.log(hi) - mp.log(lo)) + mp.log(lo))
            records.append(f'log_uniform {inp(u)} {lo_t} {hi_t} {fmt(sigma)}')


def v_diffusion(records):
    for texts in [('1', '0', 'inf'), ('0.5', '0.002', '80'), ('1', '0.001', '1000')]:
        (sd_t, sd), (lo_t, lo), (hi_t, hi) = [par(t) for t in texts]
        min_cdf = mp.atan(lo / sd) * 2 / mp.pi
        max_cdf = D(1) if hi == INF else mp.atan(hi / sd) * 2 / mp.pi
        for u in U:
            p = u * (max_cdf - min_cdf) + min_cdf
            sigma = INF if p == 1 else mp.tan(p * mp.pi / 2) * sd
            records.append(f'v_diffusion {inp(u)} {sd_t} {lo_t} {hi_t} {fmt(sigma)}')


def cosine_interpolated(records):
    def cosine(t, logsnr_min, logsnr_max):
        t_min = mp.atan(mp.exp(-logsnr_max / 2))
        t_max = mp.atan(mp.exp(-logsnr_min / 2))
        return -2 * mp.log(mp.tan(t_min + t * (t_max - t_min)))

    def shifted(t, image_d, noise_d, logsnr_min, logsnr_max):
        shift = 2 * mp.log(noise_d / image_d)
        return cosine(t, logsnr_min - shift, logsnr_max - shift) + shift

    for texts in [('64', '32', '64', '1', '0.001', '1000'), ('256', '32', '256', '0.5', '0.002', '80'), ('64', '64', '64', '1', '0.001', '1000')]:
        (im_t, im), (dl_t, dl), (dh_t, dh), (sd_t, sd), (lo_t, lo), (hi_t, hi) = [par(t) for t in texts]
        logsnr_min = -2 * mp.log(lo / sd)  # k-diffusion's names: this is the largest log-SNR
        logsnr_max = -2 * mp.log(hi / sd)
        for u in U:
            low = shifted(u, im, dl, logsnr_min, logsnr_max)
            high = shifted(u, im, dh, logsnr_min, logsnr_max)
            logsnr = low + u * (high - low)  # torch.lerp(low, high, u)
            sigma = mp.exp(-logsnr / 2) * sd
            records.append(f'cosine_interpolated {inp(u)} {im_t} {dl_t} {dh_t} {sd_t} {lo_t} {hi_t} {fmt(sigma)}')


# --- loss weights ------------------------------------------------------------------------------------
def conversions(snr):
    """The weight on each prediction's loss from the weight W on the x0 loss (eps-hat − eps = ...):
    eps W/SNR, x0 W, v W/(1 + SNR), flow velocity W/(1 + sqrt SNR)^2."""
    return [snr, D(1), 1 + snr, (1 + mp.sqrt(snr)) ** 2]


def weights_at(x0_weight, snr):
    w = x0_weight(snr)
    return [w / f for f in conversions(snr)]


def limit_text(value):
    if abs(value) > D('1e30'):
        return 'none'
    if abs(value) < D('1e-30'):
        return '0'
    return fmt(value)


def weight_records(records, scheme, p1, p2, coordinate_values, snr_of, x0_weight):
    tiny, huge = D('1e-100'), D('1e100')
    for x in coordinate_values:
        snr = snr_of(x)
        if snr == 0 or snr == INF:
            values = [limit_text(v) for v in weights_at(x0_weight, tiny if snr == 0 else huge)]
        else:
            values = [fmt(v) for v in weights_at(x0_weight, snr)]
        records.append(f'weight {scheme} {p1} {p2} {inp(x)} ' + ' '.join(values))


def weights(records):
    snrs = [D(0), f32(1e-12), D(2) ** -30, f32(0.01), D('0.5'), D(1), D(3), D(5), D('7.25'), D(10000), D(2) ** 40, f32(1e12), INF]
    identity = lambda s: s
    for g_text in ['5', '1']:
        g = D(g_text)
        weight_records(records, 'min_snr', g_text, '-', snrs, identity, lambda s, g=g: min(s, g))
    weight_records(records, 'soft_min_snr', '5', '-', snrs, identity, lambda s: s * 5 / (s + 5))
    for k_text, g_text in [('1', '1'), ('1', '0.5'), ('1', '2'), ('0', '1'), ('0', '0.5'), ('0', '2'), ('0.25', '1.5')]:
        k, g = D(k_text), D(g_text)
        # P2 is defined on the eps loss, 1/(k + SNR)^gamma: W = SNR/(k + SNR)^gamma on x0.
        weight_records(records, 'p2', k_text, g_text, snrs, identity, lambda s, k=k, g=g: s / (k + s) ** g)
    weight_records(records, 'truncated_snr', '-', '-', snrs, identity, lambda s: max(s, D(1)))
    sigmas = [D(0), f32(1e-12), D('0.002'), D('0.25'), D('0.5'), D(1), D('2.5'), D(80), f32(1e12), INF]
    sigmas = [f32(s) if s != INF else s for s in sigmas]
    for sd_text in ['0.5', '1']:
        sd = D(sd_text)
        # EDM: lambda(sigma) = (sigma^2 + sd^2)/(sigma sd)^2 on the x0 (denoiser) loss; SNR = 1/sigma^2.
        weight_records(records, 'edm', sd_text, '-', sigmas,
                       lambda s: INF if s == 0 else (D(0) if s == INF else 1 / s ** 2),
                       lambda snr, sd=sd: (1 / snr + sd ** 2) / ((1 / mp.sqrt(snr)) * sd) ** 2)
    ts = [D(0), f32(1e-12), D(2) ** -24, f32(0.1), D('0.25'), D('0.5'), D('0.75'), 1 - D(2) ** -24, 1 - D(2) ** -40, D(1)]

    def snr_of_t(t):
        return INF if t == 0 else ((1 - t) / t) ** 2

    def t_of_snr(snr):
        return 1 / (1 + mp.sqrt(snr))

    # SD3 weights on the flow-velocity loss, as diffusers writes them in the flow sigma = t; W = w_u (1 + sqrt SNR)^2.
    weight_records(records, 'sigma_sqrt', '-', '-', ts, snr_of_t, lambda snr: t_of_snr(snr) ** -2 * (1 + mp.sqrt(snr)) ** 2)

    def cosmap_x0(snr):
        t = t_of_snr(snr)
        return 2 / (mp.pi * (1 - 2 * t + 2 * t ** 2)) * (1 + mp.sqrt(snr)) ** 2

    weight_records(records, 'cosmap', '-', '-', ts, snr_of_t, cosmap_x0)


def main():
    records = ['# Made by tests/reference/gen_training_time_reference.py; see its docstring for the formats.']
    for make in [low_discrepancy, logit_normal, mode, cosmap, log_normal, log_normal_uniform, log_logistic, log_uniform, v_diffusion,
                 cosine_interpolated, weights]:
        make(records)
    with open(os.path.join(HERE, 'training_time.txt'), 'w') as f:
        f.write('\n'.join(records) + '\n')


if __name__ == '__main__':
    main()
