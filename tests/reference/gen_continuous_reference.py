#!/usr/bin/python3
"""High-precision references for include/diffuse/continuous.hpp and sigma_schedules.hpp.

Run from the repository root:  /usr/bin/python3 tests/reference/gen_continuous_reference.py
Writes tests/reference/continuous_processes.txt and tests/reference/continuous_sigmas.txt.

Everything is computed with mpmath at 60 significant digits from the textbook definitions
(plain differences, numerical derivatives, root finding), NOT from the rearranged formulas of the
C++ code, and printed with 40 significant digits. Parameters are exact decimals (0.1 is one
tenth). Every input (t, s, lambda, sigma, fractional step) is a binary number exactly representable
as a float, so one file serves the float and the double tests.

Record formats (one per line, whitespace separated; '#' starts a comment):
  marginal <family> <t> <a> <b> <a2> <b2> <log_a2> <lambda> <snr> <sigma>
  derivative <family> <t> <dlambda_dt> <drift f> <diffusion g^2>
  transition <family> <s> <t> <mean a_t/a_s> <variance> <stddev>
  posterior <family> <s> <t> <c0> <ct> <variance> <stddev>
  time_of_log_snr <family> <lambda> <t> <dlambda_dt at t>
  time_of_sigma <family> <sigma> <t> <dlambda_dt at t>
  discretized <family> <N> <t> <alpha_bar_t> <one_minus_alpha_bar_t>
  prior_kl <family> <a(1)^2/sp^2> <(r - 1 - ln r)/2, r = b(1)^2/sp^2>   (prior N(0, sp^2 I): sp = 1, sigma_max for ve)
and in continuous_sigmas.txt:
  ramp <kind> <N> <p1> <p2> <p3> : <sigma_0> ... <sigma_N>   (the last is 0)
  fractional_step <sigma> <u> <nearest step>      (Schedule::linear(1000), our step numbering)
  noise_level <u> <sigma>                         (Schedule::linear(1000))
  log_snr_of_sigma <sigma> <lambda = -2 log sigma>   (time_coordinates.hpp, no process)
  sigma_of_log_snr <lambda> <sigma = exp(-lambda/2)>
"""
import decimal
import os
import struct

import mpmath as mp

from reference_digits import fmt

mp.mp.dps = 60
HERE = os.path.dirname(os.path.abspath(__file__))


def f32(x):
    """x rounded to the nearest float32, as an exact mpf."""
    return mp.mpf(struct.unpack('f', struct.pack('f', float(x)))[0])


def inp(x):
    """An input (a float32 value): its exact decimal expansion."""
    return str(decimal.Decimal(float(x)))


D = mp.mpf
HALF_PI = mp.pi / 2


def sigmoid(x):
    if x == mp.inf:
        return D(1)
    if x == -mp.inf:
        return D(0)
    return 1 / (1 + mp.exp(-x))


# --- the families, from their definitions ---------------------------------------------------------
class VPLinear:
    name = 'vp_linear'

    def __init__(self, beta_min='0.1', beta_max='20'):
        self.b0, self.b1 = D(beta_min), D(beta_max)

    def B(self, t):
        return self.b0 * t + (self.b1 - self.b0) * t * t / 2

    def a2(self, t):
        return mp.exp(-self.B(t))

    def b2(self, t):
        return 1 - self.a2(t)

    def b(self, t):
        return mp.sqrt(self.b2(t))

    def t_of_sigma(self, sigma):  # the closed form of Karras et al. 2022, Table 1
        bd = self.b1 - self.b0
        return (mp.sqrt(self.b0 ** 2 + 2 * bd * mp.log(1 + sigma ** 2)) - self.b0) / bd


class SubVP(VPLinear):
    name = 'sub_vp'

    def b(self, t):
        return 1 - self.a2(t)

    def b2(self, t):
        return self.b(t) ** 2

    def t_of_sigma(self, sigma):
        return None  # root finding


class Cosine:
    name = 'cosine'

    def a2(self, t):  # cos(πt/2) written as sin(π(1 − t)/2), exactly 0 at t = 1
        return mp.sin(HALF_PI * (1 - t)) ** 2

    def b2(self, t):
        return mp.sin(HALF_PI * t) ** 2

    def b(self, t):
        return mp.sin(HALF_PI * t)

    def lam(self, t):
        if t == 0:
            return mp.inf
        if t == 1:
            return -mp.inf
        # −2 log tan(πt/2) as 2 log(cos(πt/2)/sin(πt/2)), cos written as sin(π(1 − t)/2): exactly 0 at
        # t = ½, where tan(πt/2) of the rounded π/2 lies just above 1 and would give λ ≈ 1.6e-61
        return 2 * (mp.log(mp.sin(HALF_PI * (1 - t))) - mp.log(mp.sin(HALF_PI * t)))

    def t_of_sigma(self, sigma):  # tan(πt/2) = σ
        return 2 * mp.atan(sigma) / mp.pi


def clipped_cosine_log_snr(t, lmin, lmax):
    t_min = mp.atan(mp.exp(-lmax / 2))
    t_max = mp.atan(mp.exp(-lmin / 2))
    return -2 * mp.log(mp.tan(t_min + t * (t_max - t_min)))


class ShiftedCosine:
    name = 'shifted_cosine'

    def __init__(self, image_d=512, noise_d=64, lmin=-15, lmax=15):
        self.shift = 2 * mp.log(D(noise_d) / D(image_d))
        self.lmin, self.lmax = D(lmin), D(lmax)

    def lam(self, t):
        return clipped_cosine_log_snr(t, self.lmin, self.lmax) + self.shift

    def a2(self, t):
        return sigmoid(self.lam(t))

    def b2(self, t):
        return sigmoid(-self.lam(t))

    def b(self, t):
        return mp.sqrt(self.b2(t))

    def t_of_sigma(self, sigma):
        return None


class InterpolatedCosine(ShiftedCosine):
    name = 'interpolated_cosine'

    def __init__(self, image_d=512, d_low=32, d_high=256, lmin=-15, lmax=15):
        self.low = ShiftedCosine(image_d, d_low, lmin, lmax)
        self.high = ShiftedCosine(image_d, d_high, lmin, lmax)

    def lam(self, t):
        return t * self.low.lam(t) + (1 - t) * self.high.lam(t)


class VDMLinear(ShiftedCosine):
    name = 'vdm_linear'

    def __init__(self, gmin='-13.3', gmax='5'):
        self.g0, self.g1 = D(gmin), D(gmax)

    def lam(self, t):
        return -(self.g0 + (self.g1 - self.g0) * t)


class VE:
    name = 've'

    def __init__(self, smin='0.01', smax='50'):
        self.s0, self.s1 = D(smin), D(smax)

    def a2(self, t):
        return D(1)

    def b(self, t):
        return self.s0 * (self.s1 / self.s0) ** t

    def b2(self, t):
        return self.b(t) ** 2

    def t_of_sigma(self, sigma):
        return mp.log(sigma / self.s0) / mp.log(self.s1 / self.s0)


def log_snr(p, t):
    if hasattr(p, 'lam'):
        return p.lam(t)
    b2 = p.b2(t)
    if b2 == 0:
        return mp.inf
    return mp.log(p.a2(t) / b2)


def sigma_of(p, t):
    a2 = p.a2(t)
    if a2 == 0:
        return mp.inf
    return p.b(t) / mp.sqrt(a2)


def log_a2(p, t):
    a2 = p.a2(t)
    return -mp.inf if a2 == 0 else mp.log(a2)


FAMILIES = [VPLinear(), SubVP(), Cosine(), ShiftedCosine(), InterpolatedCosine(), VDMLinear(), VE()]
TIMES = [D(0), D(2) ** -20, D(2) ** -10, D(1) / 64, D(1) / 8, D(1) / 4, D(3) / 8, D(1) / 2, D(5) / 8, D(3) / 4,
         D(7) / 8, D(63) / 64, 1 - D(2) ** -10, 1 - D(2) ** -20, D(1)]
PAIRS = [(D(0), D(1) / 4), (D(0), D(1)), (D(2) ** -20, D(2) ** -19), (D(1) / 8, D(3) / 4), (D(1) / 2, D(1) / 2 + D(2) ** -20),
         (D(1) / 4, D(1)), (D(3) / 4, 1 - D(2) ** -20), (D(63) / 64, 1 - D(2) ** -10), (D(2) ** -10, D(1) / 2)]


def derivative(f, t):
    """f'(t) by a central difference with h = 2^-150 at 150 digits: truncation error about h^2 times
    the third derivative (~1e-90), rounding error ~1e-150/h ~ 1e-105, both far below the 40 digits
    printed (t is at least 2^-20 from the ends of [0, 1], where some families are singular)."""
    with mp.workdps(150):
        h = mp.mpf(2) ** -150
        return (f(t + h) - f(t - h)) / (2 * h)


def decreasing_root(f, lo=D(0), hi=D(1)):
    """The root of a decreasing function f on [lo, hi] by bisection to 2^-230 (far below 60 digits at the
    times that occur, the smallest being about 1e-6)."""
    for _ in range(230):
        mid = (lo + hi) / 2
        if f(mid) > 0:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def transition(p, s, t):
    m = mp.sqrt(p.a2(t) / p.a2(s))
    v = p.b2(t) - m ** 2 * p.b2(s)
    return m, v


def marginal_records(out):
    times = sorted(set(TIMES) | {x for pair in PAIRS for x in pair})  # every time a transition uses
    for p in FAMILIES:
        for t in times:
            a2, b2 = p.a2(t), p.b2(t)
            lam = log_snr(p, t)
            snr = mp.inf if lam == mp.inf else (D(0) if lam == -mp.inf else mp.exp(lam))
            out.append(' '.join(['marginal', p.name, inp(t)] + [fmt(x) for x in (
                mp.sqrt(a2), p.b(t), a2, b2, log_a2(p, t), lam, snr, sigma_of(p, t))]))
        for t in TIMES[1:-1]:
            dlam = derivative(lambda u: log_snr(p, u), t)
            f = derivative(lambda u: mp.log(p.a2(u)), t) / 2
            g2 = derivative(p.b2, t) - 2 * f * p.b2(t)
            out.append(' '.join(['derivative', p.name, inp(t), fmt(dlam), fmt(f), fmt(g2)]))
        for s, t in PAIRS:
            m, v = transition(p, s, t)
            out.append(' '.join(['transition', p.name, inp(s), inp(t), fmt(m), fmt(v), fmt(mp.sqrt(v))]))
            # the posterior as the Bayes product of q(x_s|x_0) and q(x_t|x_s): precisions add
            bs2, a_s = p.b2(s), mp.sqrt(p.a2(s))
            if bs2 == 0:
                c0, ct, var = D(1), D(0), D(0)
            else:
                var = 1 / (1 / bs2 + m ** 2 / v)
                c0, ct = var * a_s / bs2, var * m / v
            out.append(' '.join(['posterior', p.name, inp(s), inp(t), fmt(c0), fmt(ct), fmt(var), fmt(mp.sqrt(var))]))
        # inverses at float-representable targets inside the range
        for t in TIMES[1:-1]:
            lam = f32(log_snr(p, t))
            root = decreasing_root(lambda u: log_snr(p, u) - lam)
            slope = derivative(lambda u: log_snr(p, u), root)
            out.append(' '.join(['time_of_log_snr', p.name, inp(lam), fmt(root), fmt(slope)]))
            sigma = f32(sigma_of(p, t))
            closed = p.t_of_sigma(sigma)
            root = closed if closed is not None else decreasing_root(lambda u: mp.log(sigma) - mp.log(sigma_of(p, u)))
            slope = derivative(lambda u: log_snr(p, u), root)
            out.append(' '.join(['time_of_sigma', p.name, inp(sigma), fmt(root), fmt(slope)]))


def discretized_records(out):
    for p, n in ((VPLinear(), 10), (Cosine(), 8), (VDMLinear(), 10), (ShiftedCosine(), 16)):
        for t in range(1, n + 1):
            ab = p.a2(D(t) / n)
            out.append(' '.join(['discretized', p.name, str(n), str(t), fmt(ab), fmt(1 - ab)]))


# --- sampler ramps -------------------------------------------------------------------------------
def linspace(a, b, n):
    if n == 1:
        return [a]
    return [a + (b - a) * D(i) / (n - 1) for i in range(n)]


def karras(n, smin='0.002', smax='80', rho='7'):
    smin, smax, rho = D(smin), D(smax), D(rho)
    return [(smax ** (1 / rho) + r * (smin ** (1 / rho) - smax ** (1 / rho))) ** rho for r in linspace(D(0), D(1), n)]


def exponential(n, smin='0.002', smax='80'):
    return [mp.exp(x) for x in linspace(mp.log(D(smax)), mp.log(D(smin)), n)]


def polyexponential(n, smin='0.002', smax='80', rho='1'):
    smin, smax, rho = D(smin), D(smax), D(rho)
    return [mp.exp(r ** rho * (mp.log(smax) - mp.log(smin)) + mp.log(smin)) for r in linspace(D(1), D(0), n)]


def vp(n, beta_d='19.9', beta_min='0.1', eps_s='1e-3'):
    bd, bm = D(beta_d), D(beta_min)
    return [mp.sqrt(mp.exp(bd * t ** 2 / 2 + bm * t) - 1) for t in linspace(D(1), D(eps_s), n)]


def ramp_records(out):
    cases = [('karras', n, ('0.002', '80', '7')) for n in (1, 2, 5, 10, 100)]
    cases += [('karras', 7, ('0.03', '14.6', '3.5'))]
    cases += [('exponential', n, ('0.002', '80')) for n in (1, 2, 7, 50)]
    cases += [('polyexponential', n, ('0.002', '80', rho)) for n in (1, 6) for rho in ('1', '2', '0.5')]
    cases += [('vp', n, ('19.9', '0.1', '1e-3')) for n in (1, 2, 4, 50)]
    fns = {'karras': karras, 'exponential': exponential, 'polyexponential': polyexponential, 'vp': vp}
    for kind, n, params in cases:
        values = fns[kind](n, *params) + [D(0)]
        padded = list(params) + ['-'] * (3 - len(params))
        out.append(' '.join(['ramp', kind, str(n)] + padded + [':'] + [fmt(x) for x in values]))


def linear_schedule_log_sigmas(T=1000, start='1e-4', end='0.02'):
    b0, b1 = D(start), D(end)
    log_ab = D(0)
    out = [None]
    for t in range(1, T + 1):
        beta = b0 + (b1 - b0) * D(t - 1) / (T - 1)
        log_ab += mp.log(1 - beta)
        out.append(mp.log(-mp.expm1(log_ab) / mp.exp(log_ab)) / 2)
    return out


def step_records(out):
    ls = linear_schedule_log_sigmas()
    T = len(ls) - 1
    for sigma in [D(2) ** -14, D(1) / 64, D(1) / 4, D(1), f32('3.3'), D(10), D(150), D(157), D(200)]:
        x = mp.log(sigma)
        if x <= ls[1]:
            u, nearest = D(1), 1
        elif x >= ls[T]:
            u, nearest = D(T), T
        else:
            lo = max(t for t in range(1, T) if ls[t] <= x)
            u = lo + (x - ls[lo]) / (ls[lo + 1] - ls[lo])
            nearest = lo if x - ls[lo] <= ls[lo + 1] - x else lo + 1
        out.append(' '.join(['fractional_step', inp(sigma), fmt(u), str(nearest)]))
    for u in [D(1), D(3) / 2, D(41) / 4, D(500), D(1999) / 4, D(999) + D(1) / 2, D(1000)]:
        lo = int(mp.floor(u))
        w = u - lo
        x = ls[lo] if w == 0 else (1 - w) * ls[lo] + w * ls[lo + 1]
        out.append(' '.join(['noise_level', inp(u), fmt(mp.exp(x))]))


def coordinate_records(out):
    sigmas = [D(m) * D(2) ** k for k in (-40, -20, -8, -1, 0, 1, 8, 20, 40) for m in ('1', '1.375', '1.9375')]
    sigmas += [f32(x) for x in ('0.002', '0.1', '3.3', '80')] + [1 + D(2) ** -23, 1 - D(2) ** -24]
    for sigma in sigmas:
        out.append(' '.join(['log_snr_of_sigma', inp(sigma), fmt(-2 * mp.log(sigma))]))
    lambdas = [D(x) for x in (-1400, -700, -40, -15, -2, -1, '-0.5', 0, '0.5', 1, 2, '5.5', 15, 40, 700, 1400)]
    lambdas += [-D(2) ** -30, D(2) ** -30, f32('0.1')]
    for lam in lambdas:
        out.append(' '.join(['sigma_of_log_snr', inp(lam), fmt(mp.exp(-lam / 2))]))


def prior_kl_records(out):
    """KL(q(x_1|x_0) || N(0, sp^2 I)) = sum_i [signal x_i^2 + r - 1 - ln r]/2: the two terms, the prior
    being score_sde's prior_sampling (N(0, I); N(0, sigma_max^2 I) for the VE SDE)."""
    for p in FAMILIES:
        sp2 = p.s1 ** 2 if isinstance(p, VE) else D(1)
        r = p.b2(D(1)) / sp2
        out.append(' '.join(['prior_kl', p.name, fmt(p.a2(D(1)) / sp2), fmt((r - 1 - mp.log(r)) / 2)]))


def main():
    header = ['# Made by tests/reference/gen_continuous_reference.py (mpmath, 60 digits); do not edit.']
    records = list(header)
    marginal_records(records)
    discretized_records(records)
    prior_kl_records(records)
    with open(os.path.join(HERE, 'continuous_processes.txt'), 'w') as f:
        f.write('\n'.join(records) + '\n')
    records = list(header)
    ramp_records(records)
    step_records(records)
    coordinate_records(records)
    with open(os.path.join(HERE, 'continuous_sigmas.txt'), 'w') as f:
        f.write('\n'.join(records) + '\n')


if __name__ == '__main__':
    main()
