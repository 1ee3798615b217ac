#!/usr/bin/python3
"""Golden step sequences for include/diffuse/flow_steps.hpp and quantiles for detail/beta_quantile.hpp.

Run from the repository root:  /usr/bin/python3 tests/reference/gen_flow_steps_reference.py
Writes tests/reference/flow_steps_reference.txt. Needs numpy and mpmath only (never diffusers).

For each case (a FlowMatchEulerDiscreteScheduler configuration and how set_timesteps is called) and
N in {1, 2, 4, 10, 20, 28, 50} it writes the N sigmas and timesteps of set_timesteps twice:
  exact    mpmath at 60 digits, from diffusers' published formulas as diffusers writes them
           (src/diffusers/schedulers/scheduling_flow_match_euler_discrete.py at 58eb52c0: the
           constructor's table, linspace, shift * s / (1 + (shift - 1) * s), exp(mu) / (exp(mu) +
           (1 / t - 1)), 1 - (1 - t) / ((1 - t_last) / (1 - tau)), the Karras, exponential and beta
           conversions, sigma * T), every input taken as the double it is;
  float32  diffusers' own arithmetic, step by step, with numpy: float64 where diffusers computes in
           float64 (numpy arrays of Python floats), float32 where it computes in float32 (torch
           float32 tensors, numpy float32 arrays; a Python float operand is rounded to float32 first,
           numpy >= 2's rule, written out explicitly so that numpy 1.x gives the same). The beta
           quantile (scipy.stats.beta.ppf in diffusers) is mpmath's, rounded to double.
The C++ function is not consulted. The exact values are printed with 40 digits (reference_digits.fmt),
the float32 ones as the shortest decimal of the float32 value (repr of a Python float).

Records (whitespace separated; '#' starts a comment):
  step <case> <N> <i> <sigma exact> <timestep exact> <sigma float32> <timestep float32>
  beta_quantile <p> <a> <b> <x>      (x with I_x(a, b) = p; p, a, b doubles written exactly)
Each case's comment line gives the largest |float32 - exact| sigma in float32 ulps over its N.
"""
import math
import os

import mpmath as mp
import numpy as np

from reference_digits import fmt

mp.mp.dps = 60
HERE = os.path.dirname(os.path.abspath(__file__))
T = 1000
NS = [1, 2, 4, 10, 20, 28, 50]
F32 = np.float32


def calculate_shift(image_seq_len, base_seq_len, max_seq_len, base_shift, max_shift):
    """FluxPipeline's calculate_shift, float64 as Python evaluates it."""
    m = (max_shift - base_shift) / (max_seq_len - base_seq_len)
    b = base_shift - m * base_seq_len
    return image_seq_len * m + b


def exact_mu(image_seq_len, base_seq_len, max_seq_len, base_shift, max_shift):
    """The same line through the doubles' exact values (what resolution_shift_mu rounds once); the
    exact mode takes mu as this double."""
    L, L0, L1, b0, b1 = (mp.mpf(x) for x in (image_seq_len, base_seq_len, max_seq_len, base_shift, max_shift))
    return float(b0 + (b1 - b0) * (L - L0) / (L1 - L0))


# name: config (diffusers' constructor keys) and call: the base sigmas ('scheduler': set_timesteps(N);
# 'flux_pipeline': sigmas=linspace(1, 1/N, N), exactly 1 - i/N in the exact mode; 'custom': the same
# numpy doubles passed as custom sigmas, taken as they are), the convention, the image_seq_len of mu.
LTX = dict(use_dynamic_shifting=True, base_shift=0.95, max_shift=2.05, base_image_seq_len=1024, max_image_seq_len=4096,
           shift_terminal=0.1)
FLUX = dict(use_dynamic_shifting=True, shift=3.0)
CASES = [
    ('sd3', dict(shift=3.0), 'scheduler', 'diffusers', None),
    ('sd3_single', dict(shift=3.0), 'scheduler', 'single', None),
    ('flux_scheduler', FLUX, 'scheduler', 'diffusers', 4096),
    ('flux_pipeline', FLUX, 'flux_pipeline', 'diffusers', 4096),
    ('flux_pipeline_512', FLUX, 'flux_pipeline', 'diffusers', 1024),
    ('linear_shift', dict(FLUX, time_shift_type='linear'), 'flux_pipeline', 'diffusers', 4096),
    ('ltx_terminal', LTX, 'flux_pipeline', 'diffusers', 4096),
    ('sd3_terminal', dict(shift=3.0, shift_terminal=0.1), 'scheduler', 'diffusers', None),
    ('sd3_karras', dict(shift=3.0, use_karras_sigmas=True), 'scheduler', 'diffusers', None),
    ('sd3_exponential', dict(shift=3.0, use_exponential_sigmas=True), 'scheduler', 'diffusers', None),
    ('sd3_beta', dict(shift=3.0, use_beta_sigmas=True), 'scheduler', 'diffusers', None),
    ('sd3_invert', dict(shift=3.0, invert_sigmas=True), 'scheduler', 'diffusers', None),
    ('custom_static', dict(shift=3.0), 'custom', 'diffusers', None),
    ('auraflow', dict(shift=1.73), 'scheduler', 'diffusers', None),  # a shift that is no float32
    ('auraflow_custom', dict(shift=1.73), 'custom', 'diffusers', None),
]
DEFAULTS = dict(shift=1.0, use_dynamic_shifting=False, base_shift=0.5, max_shift=1.15, base_image_seq_len=256,
                max_image_seq_len=4096, invert_sigmas=False, shift_terminal=None, use_karras_sigmas=False,
                use_exponential_sigmas=False, use_beta_sigmas=False, time_shift_type='exponential')


def beta_ppf(p, a, b):
    """The x with I_x(a, b) = p (mpmath betainc, regularized), by bisection in log x: 0 and 1 exact."""
    p, a, b = mp.mpf(p), mp.mpf(a), mp.mpf(b)
    if p == 0:
        return mp.mpf(0)
    if p == 1:
        return mp.mpf(1)
    if p > 0.5:  # the upper tail by symmetry, so that 1 - x keeps its digits
        return 1 - beta_ppf(1 - p, b, a)
    lo, hi = mp.mpf(-2000), mp.mpf(0)
    for _ in range(45):  # bisection to a width of 6e-11 in u = log x ...
        mid = (lo + hi) / 2
        if mp.betainc(a, b, 0, mp.exp(mid), regularized=True) < p:
            lo = mid
        else:
            hi = mid
    u = (lo + hi) / 2
    log_beta = mp.log(mp.beta(a, b))
    for _ in range(8):  # ... then Newton on log I_x - log p, d log I/du = x^a (1 - x)^(b - 1)/(B I): 60 digits
        x = mp.exp(u)
        i = mp.betainc(a, b, 0, x, regularized=True)
        u -= (mp.log(i) - mp.log(p)) / mp.exp(a * u + (b - 1) * mp.log1p(-x) - log_beta - mp.log(i))
    return mp.exp(u)


def exact_steps(cfg, base, convention, n, mu):
    """The N sigmas and timesteps at 60 digits."""
    one = mp.mpf(1)
    shift = mp.mpf(cfg['shift'])
    if base == 'flux_pipeline':
        s = [mp.mpf(n - i) / n for i in range(n)]  # linspace(1, 1/N, N) exactly
    elif base == 'custom':
        s = [mp.mpf(float(x)) for x in np.linspace(1.0, 1 / n, n)]
    else:
        sigma_min = one / T
        if not cfg['use_dynamic_shifting'] and convention == 'diffusers':
            sigma_min = shift * sigma_min / (1 + (shift - 1) * sigma_min)
        s = [one if n == 1 else one + (sigma_min - one) * i / (n - 1) for i in range(n)]
    if cfg['use_dynamic_shifting']:
        m = mp.mpf(mu)
        e = mp.exp(m) if cfg['time_shift_type'] == 'exponential' else m
        s = [x if x == 0 else e / (e + (1 / x - 1)) for x in s]
    else:
        s = [shift * x / (1 + (shift - 1) * x) for x in s]
    if cfg['shift_terminal'] and s[-1] != 1:
        scale = (1 - s[-1]) / (1 - mp.mpf(cfg['shift_terminal']))
        s = [1 - (1 - x) / scale for x in s]
    lo, hi = s[-1], s[0]
    r = [mp.mpf(0) if n == 1 else mp.mpf(i) / (n - 1) for i in range(n)]
    if cfg['use_karras_sigmas']:
        rho = mp.mpf(7)
        s = [(hi ** (1 / rho) + x * (lo ** (1 / rho) - hi ** (1 / rho))) ** rho for x in r]
    elif cfg['use_exponential_sigmas']:
        s = [mp.exp(mp.log(hi) + x * (mp.log(lo) - mp.log(hi))) for x in r]
    elif cfg['use_beta_sigmas']:
        s = [lo + beta_ppf(1 - x, mp.mpf(0.6), mp.mpf(0.6)) * (hi - lo) for x in r]
    if cfg['invert_sigmas']:
        s = [1 - x for x in s]
    return s, [x * T for x in s]


def float32_steps(cfg, base, convention, n, mu):
    """diffusers' arithmetic, float64 and float32 as it is in diffusers."""
    shift = cfg['shift']
    custom = base != 'scheduler'
    if custom:
        sigmas = np.array(np.linspace(1.0, 1 / n, n)).astype(np.float32)
    else:
        # The constructor, in torch float32.
        table = np.linspace(1, T, T, dtype=np.float32)[::-1].copy() / F32(T)
        if not cfg['use_dynamic_shifting'] and convention == 'diffusers':
            table = F32(shift) * table / (F32(1) + F32(shift - 1) * table)
        elif not cfg['use_dynamic_shifting']:  # 'single': only sigma_max shifted
            table[0] = F32(shift) * table[0] / (F32(1) + F32(shift - 1) * table[0])
        sigma_min, sigma_max = float(table[-1]), float(table[0])
        timesteps = np.linspace(sigma_max * T, sigma_min * T, n)
        sigmas = timesteps / T
    if cfg['use_dynamic_shifting']:
        if custom:
            e = F32(math.exp(mu)) if cfg['time_shift_type'] == 'exponential' else F32(mu)
            with np.errstate(divide='ignore'):
                sigmas = e / (e + (F32(1) / sigmas - F32(1)))
        else:
            e = math.exp(mu) if cfg['time_shift_type'] == 'exponential' else mu
            sigmas = e / (e + (1 / sigmas - 1))
    elif custom:
        sigmas = F32(shift) * sigmas / (F32(1) + F32(shift - 1) * sigmas)
    else:
        sigmas = shift * sigmas / (1 + (shift - 1) * sigmas)
    if cfg['shift_terminal'] and sigmas[-1] != 1:
        one_minus_z = (F32(1) if custom else 1.0) - sigmas
        denominator = 1 - cfg['shift_terminal']
        scale_factor = one_minus_z[-1] / (F32(denominator) if custom else denominator)
        sigmas = (F32(1) if custom else 1.0) - (one_minus_z / scale_factor)
    sigma_min, sigma_max = float(sigmas[-1]), float(sigmas[0])
    if cfg['use_karras_sigmas']:
        rho = 7.0
        ramp = np.linspace(0, 1, n)
        min_inv_rho = sigma_min ** (1 / rho)
        max_inv_rho = sigma_max ** (1 / rho)
        sigmas = (max_inv_rho + ramp * (min_inv_rho - max_inv_rho)) ** rho
    elif cfg['use_exponential_sigmas']:
        sigmas = np.exp(np.linspace(math.log(sigma_max), math.log(sigma_min), n))
    elif cfg['use_beta_sigmas']:
        ppf = [float(beta_ppf(float(p), 0.6, 0.6)) for p in 1 - np.linspace(0, 1, n)]
        sigmas = np.array([sigma_min + (q * (sigma_max - sigma_min)) for q in ppf])
    sigmas = np.asarray(sigmas).astype(np.float32)  # torch.from_numpy(...).to(float32)
    if cfg['invert_sigmas']:
        sigmas = F32(1) - sigmas
    return sigmas, sigmas * F32(T)


def f32_ulp(x):
    x = abs(float(x))
    if x == 0:
        return 2.0 ** -149
    return 2.0 ** (math.frexp(x)[1] - 24)


def main():
    lines = [l.rstrip() for l in __doc__.splitlines()]
    out = ['# ' + l if l else '#' for l in lines[:1]]
    out.append('# Generated by tests/reference/gen_flow_steps_reference.py; see that script for the formats.')
    for name, overrides, base, convention, seq_len in CASES:
        cfg = dict(DEFAULTS, **overrides)
        mu_exact = mu_f64 = None
        if seq_len is not None:
            args = (seq_len, cfg['base_image_seq_len'], cfg['max_image_seq_len'], cfg['base_shift'], cfg['max_shift'])
            mu_exact, mu_f64 = exact_mu(*args), calculate_shift(*args)
        records, worst = [], 0.0
        for n in NS:
            es, et = exact_steps(cfg, base, convention, n, mu_exact)
            fs, ft = float32_steps(cfg, base, convention, n, mu_f64)
            for i in range(n):
                worst = max(worst, float(abs(mp.mpf(float(fs[i])) - es[i]) / f32_ulp(es[i])))
                records.append('step %s %d %d %s %s %r %r' % (name, n, i, fmt(es[i]), fmt(et[i]), float(fs[i]), float(ft[i])))
        out.append('# %s: %s; base %s, convention %s, image_seq_len %s (mu exact %r, diffusers %r); '
                   'largest |float32 - exact| sigma %.2f float32 ulp'
                   % (name, overrides, base, convention, seq_len, mu_exact, mu_f64, worst))
        out.extend(records)
        print('%-18s largest float32 - exact: %.2f ulp of float32' % (name, worst))
    for a, b in [(0.6, 0.6), (0.5, 0.5), (2.0, 5.0), (0.3, 3.0), (5.0, 0.3)]:
        for p in [1e-300, 1e-30, 1e-10, 1e-4, 0.01, 0.02040816326530612, 0.1, 0.25, 0.3, 0.5, 0.6, 0.75, 0.9,
                  0.98, 0.999, 1 - 2.0 ** -30, 1 - 2.0 ** -53]:
            out.append('beta_quantile %r %r %r %s' % (p, a, b, fmt(beta_ppf(p, a, b))))
    with open(os.path.join(HERE, 'flow_steps_reference.txt'), 'w') as f:
        f.write('\n'.join(out) + '\n')


if __name__ == '__main__':
    main()
