#!/usr/bin/python3
"""Golden σ and timesteps of diffusers' EulerDiscreteScheduler.set_timesteps(N) for include/diffuse/euler_steps.hpp.

Usage:  /usr/bin/python3 tests/reference/gen_euler_steps_reference.py > tests/reference/euler_steps.txt

Written from the definitions of scheduling_euler_discrete.py (diffusers 58eb52c0) in mpmath at 60
digits, not from diffusers' code: the β of the config (scaled_linear: (√β_start + (√β_end −
√β_start)·i/(T − 1))²), ᾱ = Π(1 − β), Lin et al. 2023's zero-terminal-SNR rescale of √ᾱ with
diffusers' ᾱ_T = 2⁻²⁴, σ_u = √((1 − ᾱ)/ᾱ) for the 0-based index u (our t = u + 1), the timesteps of
the spacing (the integer ones in numpy's own float64 arithmetic, as diffusers forms them), σ linearly
interpolated at them, Karras (ρ = 7), exponential and beta (α = β = 0.6; the quantile by bisection on
mpmath's regularized incomplete beta) ramps between the interpolated ends (or the config's
sigma_min/sigma_max), `_sigma_to_t` by linear interpolation in log σ, and the final σ (0 or σ_0).
interpolation_type "log_linear" gives N + 1 σ, exp of a linspace of the table's log σ_{T-1} to log σ_0.
Cases: euler_cases.py. Records: `sigma <case> <N> <i> <σ_i>` for i = 0..N (the last is the final σ;
i = 0..N + 1 with log_linear and no ramp)
and `timestep <case> <N> <i> <u_i>` for i = 0..N − 1, 40 significant digits.
"""
import os
import sys

import mpmath as mp
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from euler_cases import CASES, STEPS  # noqa: E402
from reference_digits import fmt  # noqa: E402

mp.mp.dps = 60


def table(config):
    """log σ_u, u = 0..T − 1."""
    steps = config['num_train_timesteps']
    b0, b1 = mp.mpf(str(config['beta_start'])), mp.mpf(str(config['beta_end']))
    assert config['beta_schedule'] == 'scaled_linear'
    r0, r1 = mp.sqrt(b0), mp.sqrt(b1)
    alpha_bar, product = [], mp.mpf(1)
    for i in range(steps):
        product *= 1 - (r0 + (r1 - r0) * i / (steps - 1)) ** 2
        alpha_bar.append(product)
    if config.get('rescale_betas_zero_snr'):
        root = [mp.sqrt(a) for a in alpha_bar]
        first, last = root[0], root[-1]
        alpha_bar = [((s - last) * first / (first - last)) ** 2 for s in root]
        alpha_bar[-1] = mp.mpf(2) ** -24
    return [mp.log((1 - a) / a) / 2 for a in alpha_bar]


def beta_ppf(p, a=mp.mpf('0.6'), b=mp.mpf('0.6')):
    """The quantile of Beta(a, b) at p, by bisection on the regularized incomplete beta."""
    if p <= 0:
        return mp.mpf(0)
    if p >= 1:
        return mp.mpf(1)
    lo, hi = mp.mpf(0), mp.mpf(1)
    for _ in range(210):
        mid = (lo + hi) / 2
        if mp.betainc(a, b, 0, mid, regularized=True) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def sigma_to_t(log_table, sigma):
    if sigma == 0 or mp.log(sigma) <= log_table[0]:
        return mp.mpf(0)
    x = mp.log(sigma)
    if x >= log_table[-1]:
        return mp.mpf(len(log_table) - 1)
    lo = max(i for i in range(len(log_table)) if log_table[i] <= x)
    return lo + (x - log_table[lo]) / (log_table[lo + 1] - log_table[lo])


def steps_of(config, n, log_table):
    steps = config['num_train_timesteps']
    spacing = config.get('timestep_spacing', 'linspace')
    if spacing == 'linspace':
        u = [mp.mpf(0)] if n == 1 else [mp.mpf((steps - 1) * (n - 1 - j)) / (n - 1) for j in range(n)]
    elif spacing == 'leading':
        ratio = steps // n
        u = [mp.mpf(int(v)) + config.get('steps_offset', 0) for v in (np.arange(0, n) * ratio).round()[::-1]]
    else:
        u = [mp.mpf(int(v)) - 1 for v in np.arange(steps, 0, -steps / n).round()]
    sigma_table = [mp.exp(v) for v in log_table]
    sigmas = []
    for v in ([] if config.get('interpolation_type') == 'log_linear' else u):
        lo = int(mp.floor(v))
        w = v - lo
        sigmas.append(sigma_table[lo] if w == 0 else sigma_table[lo] + w * (sigma_table[lo + 1] - sigma_table[lo]))
    if config.get('interpolation_type') == 'log_linear':  # N + 1 σ from the table's σ_{T-1} to σ_0
        sigmas = [mp.exp(log_table[-1] + mp.mpf(k) / n * (log_table[0] - log_table[-1])) for k in range(n + 1)]
    ramp = [k for k in ('karras', 'exponential', 'beta') if config.get('use_%s_sigmas' % k)]
    if ramp:
        low = mp.mpf(config['sigma_min']) if config.get('sigma_min') is not None else sigmas[-1]
        high = mp.mpf(config['sigma_max']) if config.get('sigma_max') is not None else sigmas[0]
        r = [mp.mpf(0)] if n == 1 else [mp.mpf(i) / (n - 1) for i in range(n)]
        if ramp[0] == 'karras':
            rho = 7
            sigmas = [(high ** (mp.mpf(1) / rho) + x * (low ** (mp.mpf(1) / rho) - high ** (mp.mpf(1) / rho))) ** rho
                      for x in r]
        elif ramp[0] == 'exponential':
            sigmas = [mp.exp(mp.log(high) + x * (mp.log(low) - mp.log(high))) for x in r]
        else:
            sigmas = [low + beta_ppf(1 - x) * (high - low) for x in r]
        sigmas[0], sigmas[-1] = high, (low if n > 1 else high)  # the ramp's ends are its ends exactly
        u = [sigma_to_t(log_table, s) for s in sigmas]
    final = sigma_table[0] if config.get('final_sigmas_type') == 'sigma_min' else mp.mpf(0)
    return sigmas + [final], u


def main():
    print('# Golden EulerDiscreteScheduler steps for include/diffuse/euler_steps.hpp (diffusers 58eb52c0).')
    print('# Generated by tests/reference/gen_euler_steps_reference.py (mpmath, 60 digits); cases in euler_cases.py.')
    for name, config in CASES.items():
        log_table = table(config)
        print('# %s: %s' % (name, config))
        for n in STEPS:
            sigmas, u = steps_of(config, n, log_table)
            for i, s in enumerate(sigmas):
                print('sigma %s %d %d %s' % (name, n, i, fmt(s)))
            for i, v in enumerate(u):
                print('timestep %s %d %d %s' % (name, n, i, fmt(v)))


if __name__ == '__main__':
    main()
