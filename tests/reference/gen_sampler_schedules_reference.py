#!/usr/bin/python3
"""High-precision references for include/diffuse/model_sampling.hpp and sampler_schedules.hpp.

Run from the repository root:  /usr/bin/python3 tests/reference/gen_sampler_schedules_reference.py
Writes tests/reference/sampler_schedules.txt.

Written from the tools' published formulas, with mpmath at 60 significant digits, independent of
the C++ code and without ComfyUI or torch: ComfyUI (Comfy-Org/ComfyUI @a125cd84)
comfy/model_sampling.py (ModelSamplingDiscrete, ModelSamplingDiscreteEDM, ModelSamplingContinuousEDM,
ModelSamplingContinuousV, ModelSamplingDiscreteFlow, ModelSamplingFlux), comfy/samplers.py
(simple_scheduler, ddim_scheduler, normal_scheduler, linear_quadratic_schedule, kl_optimal_scheduler,
calculate_sigmas), comfy/k_diffusion/sampling.py (get_sigmas_karras, get_sigmas_exponential,
get_sigmas_laplace), beta_scheduler (scipy.stats.beta.ppf here by bisection of mpmath's betainc); stable-diffusion.cpp @97d29908 src/runtime/denoiser.hpp (CompVisDenoiser
sigma_to_t, EDMVDenoiser t_to_sigma, DiscreteFlowDenoiser and FluxFlowDenoiser t_to_sigma). Each is
followed step by step as the tool writes it (the argmin of |log sigma - log sigma_i|, the counting
loop of sd.cpp's sigma_to_t, Python's int(x * (L / N)), the ddim while-loop), in exact arithmetic
where the tool uses float32 or float64: the references are the exact values of the tools' formulas.

Parameters (beta ends, shift, mu, sigma_min, sigma_max) are the decimals they are written as; the
sigma_min and sigma_max that calculate_sigmas hands to karras, exponential, kl_optimal and laplace
are the model sampling's table ends rounded to double (the decimal Python's repr prints).
Arguments (timesteps, sigmas, percents) are float32 values written exactly.

Our numbering: a tool's table index i holds our step t = i + 1.

Record formats (one per line, whitespace separated; '#' starts a comment):
  table <family> <index> <sigma>
  sigma <family> <convention> <timestep> <sigma>
  timestep <family> <convention> <sigma> <timestep>
  percent <family> <p> <sigma>
  schedule <family> <name> <N> : <sigma_0> ... (the schedule's values, its final 0 included)
  sigma32 <family> <timestep> <sigma> (ComfyUI's float32 sigma(timestep), every operation rounded to float32)
  tabled <ays|oss|gits> <model type or coeff> <N> : <sigma_0> ... (Align Your Steps, OptimalSteps, GITS)
Families: sd15 (discrete VP, scaled_linear 0.00085..0.012, T = 1000; SDXL has the same table),
dedm (sd15's table with EDM's timestep), edm (sigma 0.002..120), v (sigma 0.03..500),
sd3 (flow, shift 3, multiplier 1000, T = 1000), aura (flow, shift 1.73, multiplier 1),
flux (flow, mu 1.15, multiplier 1, T = 10000). Conventions: comfyui, sdcpp.
"""
import os
from fractions import Fraction

import mpmath as mp
import numpy

from gits_tables import GITS
from reference_digits import fmt

mp.mp.dps = 60
D = mp.mpf  # a decimal parameter, exactly as written


def f32(x):
    """x rounded to float32 (24 bits, to nearest even; the values here are normal)."""
    with mp.workprec(24):
        return +x


def dec(x):
    """The decimal a Python float prints as (what C++'s detail::decimal_value reads)."""
    return mp.mpf(repr(float(x)))


class DiscreteVP:
    """ModelSamplingDiscrete: sigmas = ((1 - abar)/abar)^0.5 of LDM's "linear" betas."""
    def __init__(self, b0='0.00085', b1='0.012', T=1000):
        r0, r1 = mp.sqrt(D(b0)), mp.sqrt(D(b1))
        abar, self.sig = mp.mpf(1), []
        for i in range(T):
            beta = (r0 + (r1 - r0) * i / (T - 1)) ** 2  # torch.linspace(sqrt b0, sqrt b1, T) ** 2
            abar *= 1 - beta
            self.sig.append(mp.sqrt((1 - abar) / abar))
        self.logs = [mp.log(s) for s in self.sig]
        self.T = T
        self.flow = False

    def table(self, i):
        return self.sig[i]

    def size(self):
        return self.T

    def sigma(self, t, conv='comfyui'):
        t = min(max(t, 0), self.T - 1)  # torch.clamp
        lo, hi = int(mp.floor(t)), int(mp.ceil(t))
        w = t - lo  # t.frac()
        return mp.exp((1 - w) * self.logs[lo] + w * self.logs[hi])

    def timestep(self, s, conv='comfyui'):
        if conv == 'comfyui':  # dists.abs().argmin(): the first minimum
            if s == 0:
                return mp.mpf(0)  # |-inf - log sigma_i| is inf for every i: argmin 0
            ls = mp.log(s)
            d = [abs(ls - l) for l in self.logs]
            return mp.mpf(d.index(min(d)))
        # stable-diffusion.cpp CompVisDenoiser::sigma_to_t
        if s == 0:
            return mp.mpf(0)
        ls = mp.log(s)
        low = sum(1 for l in self.logs if ls - l >= 0)
        low = min(max(low - 1, 0), self.T - 2)
        lo, hi = self.logs[low], self.logs[low + 1]
        w = min(max((lo - ls) / (lo - hi), 0), 1)
        return mp.mpf((1 - w) * low + w * (low + 1))

    def percent(self, p):
        return self.sigma((1 - p) * 999)

    def sigma_float32(self, t):
        """ComfyUI ModelSamplingDiscrete.sigma in float32: log_sigmas = sigmas.log().float(), then float32 ops."""
        t = min(max(t, 0), self.T - 1)
        lo, hi = int(mp.floor(t)), int(mp.ceil(t))
        w = t - lo
        low = f32(f32(1 - w) * f32(self.logs[lo]))
        high = f32(w * f32(self.logs[hi]))
        return f32(mp.exp(f32(low + high)))


class DiscreteEDM(DiscreteVP):
    """ModelSamplingDiscreteEDM: the VP table, timestep 0.25 log sigma, sigma exp(timestep / 0.25)."""
    def sigma(self, t, conv='comfyui'):
        return mp.exp(t / D('0.25'))

    def timestep(self, s, conv='comfyui'):
        return D('0.25') * mp.log(s)

    def percent(self, p):  # diffuse keeps the table's sigma (ComfyUI: exp(4 * 999 (1 - p)))
        return DiscreteVP.sigma(self, (1 - p) * 999)


class ContinuousEDM:
    """ModelSamplingContinuousEDM: exp(linspace(log sigma_min, log sigma_max, 1000))."""
    def __init__(self, smin='0.002', smax='120'):
        self.lmin, self.lmax = mp.log(D(smin)), mp.log(D(smax))
        self.flow = False

    def size(self):
        return 1000

    def table(self, i):
        return mp.exp(self.lmin + (self.lmax - self.lmin) * i / 999)

    def sigma(self, t, conv='comfyui'):
        return mp.exp(t / D('0.25')) if conv == 'comfyui' else mp.exp(t * 4 / 1000)

    def timestep(self, s, conv='comfyui'):
        return D('0.25') * mp.log(s)

    def percent(self, p):
        return mp.exp((self.lmax - self.lmin) * (1 - p) + self.lmin)


class ContinuousV(ContinuousEDM):
    """ModelSamplingContinuousV: timestep = atan(sigma) / pi * 2, sigma = tan(timestep * pi / 2)."""
    def sigma(self, t, conv='comfyui'):
        return mp.tan(t * mp.pi / 2)

    def timestep(self, s, conv='comfyui'):
        return mp.atan(s) / mp.pi * 2


class Flow:
    """ModelSamplingDiscreteFlow (time_snr_shift) and ModelSamplingFlux (flux_time_shift)."""
    def __init__(self, shift=None, mu=None, multiplier='1000', T=1000):
        self.shift, self.mu, self.m, self.T = shift and D(shift), mu and D(mu), D(multiplier), T
        self.flow = True

    def shifted(self, u):
        if self.mu is not None:  # flux_time_shift(mu, 1, t) = e^mu / (e^mu + (1/t - 1))
            return mp.mpf(0) if u == 0 else mp.exp(self.mu) / (mp.exp(self.mu) + (1 / u - 1))
        return self.shift * u / (1 + (self.shift - 1) * u)  # time_snr_shift

    def size(self):
        return self.T

    def table(self, i):  # sigma(arange(1, T + 1) / T * m)
        return self.shifted(mp.mpf(i + 1) / self.T)

    def sigma(self, t, conv='comfyui'):
        return self.shifted(t / self.m) if conv == 'comfyui' else self.shifted((t + 1) / 1000)

    def timestep(self, s, conv='comfyui'):
        return s * self.m

    def percent(self, p):
        return self.shifted(1 - p)


def karras(n, smin, smax, rho=7):
    ramp = [mp.mpf(0)] if n == 1 else [mp.mpf(i) / (n - 1) for i in range(n)]
    lo, hi = smin ** (1 / mp.mpf(rho)), smax ** (1 / mp.mpf(rho))
    return [(hi + r * (lo - hi)) ** rho for r in ramp] + [mp.mpf(0)]


def exponential(n, smin, smax):
    a, b = mp.log(smax), mp.log(smin)  # exp(linspace(log sigma_max, log sigma_min, n))
    ramp = [mp.mpf(0)] if n == 1 else [mp.mpf(i) / (n - 1) for i in range(n)]
    return [mp.exp(a + (b - a) * r) for r in ramp] + [mp.mpf(0)]


def laplace(n, smin, smax, mu=0, beta=D('0.5')):
    out = []
    for i in range(n):
        x = mp.mpf(i) / (n - 1) if n > 1 else mp.mpf(0)  # torch.linspace(0, 1, n)
        d = mp.mpf(0.5) - x
        lmb = mu - beta * mp.sign(d) * mp.log(1 - 2 * abs(d) + D('1e-5'))
        out.append(min(max(mp.exp(lmb), smin), smax))
    return out  # no final zero


def kl_optimal(n, smin, smax):
    a = [mp.mpf(i) / (n - 1) if n > 1 else mp.mpf(0) for i in range(n)]  # ComfyUI: 0/0 = nan at n = 1
    return [mp.tan(x * mp.atan(smin) + (1 - x) * mp.atan(smax)) for x in a] + [mp.mpf(0)]


def simple(ms, n):
    ss = ms.size() / n  # Python float, as ComfyUI
    return [ms.table(ms.size() - 1 - int(x * ss)) for x in range(n)] + [mp.mpf(0)]


def ddim_uniform(ms, n):
    x, steps = 1, n
    if abs(ms.table(1)) <= D('1e-5'):  # math.isclose(sigmas[1], 0, abs_tol=0.00001)
        steps += 1
        sigs = []
    else:
        sigs = [mp.mpf(0)]
    ss = max(ms.size() // steps, 1)
    while x < ms.size():
        sigs.append(ms.table(x))
        x += ss
    return sigs[::-1]


def normal(ms, n, sgm=False):
    start, end = ms.timestep(ms.table(ms.size() - 1)), ms.timestep(ms.table(0))
    append_zero = True
    if sgm:
        count = n + 1
    else:
        count = n
        if abs(ms.sigma(end)) <= D('1e-5'):
            count += 1
            append_zero = False
    ts = [start] if count == 1 else [start + (end - start) * mp.mpf(i) / (count - 1) for i in range(count)]
    if sgm:
        ts = ts[:-1]
    return [ms.sigma(t) for t in ts] + ([mp.mpf(0)] if append_zero else [])


def linear_quadratic(ms, n, tau=D('0.025')):
    if n == 1:
        sched = [mp.mpf(1), mp.mpf(0)]
    else:
        ls = n // 2
        lin = [i * tau / ls for i in range(ls)]
        diff = ls - tau * n
        qs = n - ls
        qc = diff / (ls * qs ** 2)
        lc = tau / ls - 2 * diff / (qs ** 2)
        const = qc * ls ** 2
        quad = [qc * i ** 2 + lc * i + const for i in range(ls, n)]
        sched = [1 - x for x in lin + quad + [mp.mpf(1)]]
    return [x * ms.table(ms.size() - 1) for x in sched]


# comfy_extras/nodes_align_your_steps.py and nodes_optimalsteps.py NOISE_LEVELS, as published.
AYS = {'SD1': '14.6146412293 6.4745760956 3.8636745985 2.6946151520 1.8841921177 1.3943805092 0.9642583904 0.6523686016 0.3977456272 0.1515232662 0.0291671582',
       'SDXL': '14.6146412293 6.3184485287 3.7681790315 2.1811480769 1.3405244945 0.8620721141 0.5550693289 0.3798540708 0.2332364134 0.1114188177 0.0291671582',
       'SVD': '700.00 54.5 15.886 7.977 4.248 1.789 0.981 0.403 0.173 0.034 0.002'}
OSS = {'FLUX': '0.9968 0.9886 0.9819 0.975 0.966 0.9471 0.9158 0.8287 0.5512 0.2808 0.001',
       'Wan': '1.0 0.997 0.995 0.993 0.991 0.989 0.987 0.985 0.98 0.975 0.973 0.968 0.96 0.946 0.927 0.902 0.864 0.776 0.539 0.208 0.001',
       'Chroma': '0.992 0.99 0.988 0.985 0.982 0.978 0.973 0.968 0.961 0.953 0.943 0.931 0.917 0.9 0.881 0.858 0.832 0.802 0.769 0.731 0.69 0.646 0.599 0.55 0.501 0.451 0.402 0.355 0.311 0.27 0.232 0.199 0.169 0.143 0.12 0.101 0.084 0.07 0.058 0.048 0.001'}


def loglinear_interp(t_steps, num_steps):
    """ComfyUI loglinear_interp: np.interp of log(reversed) over linspace(0, 1, L) at linspace(0, 1, num_steps)."""
    L = len(t_steps)
    xs = [mp.mpf(k) / (L - 1) for k in range(L)]
    ys = [mp.log(v) for v in t_steps[::-1]]
    out = []
    for j in range(num_steps):
        x = mp.mpf(j) / (num_steps - 1)
        k = min(max(i for i in range(L) if xs[i] <= x), L - 2)
        out.append(mp.exp(ys[k] + (x - xs[k]) * (ys[k + 1] - ys[k]) / (xs[k + 1] - xs[k])))
    return out[::-1]


def tabled(levels, n):
    """AlignYourStepsScheduler / OptimalStepsScheduler.execute with denoise 1."""
    sigmas = [D(v) for v in levels.split()]
    if n + 1 != len(sigmas):
        sigmas = loglinear_interp(sigmas, n + 1)
    sigmas[-1] = mp.mpf(0)
    return sigmas


def gits(coeff, n):
    """GITSScheduler.execute with denoise 1."""
    if n <= 20:
        sigmas = [D(v) for v in GITS[coeff][n - 2]]
    else:
        sigmas = loglinear_interp([D(v) for v in GITS[coeff][-1]], n + 1)
    sigmas[-1] = mp.mpf(0)
    return sigmas


def smoothstep(ms, n):
    """stable-diffusion.cpp SmoothStepScheduler: t_to_sigma(round(smoothstep(1 - i/n) * 999)), exact."""
    out = []
    for i in range(n):
        u = 1 - Fraction(i, n)
        x = u * u * (3 - 2 * u) * 999
        t = int(x + Fraction(1, 2))  # std::round, half away from zero (x >= 0)
        out.append(ms.sigma(mp.mpf(t), 'sdcpp'))
    return out + [mp.mpf(0)]


def lcm(ms, n):
    """stable-diffusion.cpp LCMScheduler."""
    k = 1000 // 50
    return [ms.sigma(mp.mpf((50 - (i * 50) // n) * k - 1), 'sdcpp') for i in range(n)] + [mp.mpf(0)]


def bong_stage(steps, slope, pivot, start, end):
    """stable-diffusion.cpp get_bong_tangent_sigmas."""
    def v(x):
        return ((2 / mp.pi) * mp.atan(-slope * (x - pivot)) + 1) * D('0.5')
    smax, smin = v(0), v(steps - 1)
    srange, sscale = smax - smin, start - end
    if abs(srange) < D('1e-8'):
        if steps == 1:
            return [start]
        return [start + (end - start) * mp.mpf(i) / (steps - 1) for i in range(steps)]
    return [((v(x) - smin) / srange) * sscale + end for x in range(steps)]


def bong_tangent(ms, n):
    """stable-diffusion.cpp BongTangentScheduler (its 0.6f, 0.2f taken as the decimals)."""
    start, end = ms.table(ms.size() - 1), ms.table(0)
    middle = end + (start - end) * D('0.5')
    steps = n + 2
    midpoint = int((steps * Fraction(3, 5) + steps * Fraction(3, 5)) / 2)
    pivot = int(steps * Fraction(3, 5))
    slope = D('0.2') / (mp.mpf(steps) / 40)
    first = bong_stage(midpoint, slope, mp.mpf(pivot), start, middle)[:-1]
    second = bong_stage(steps - midpoint, slope, mp.mpf(pivot - midpoint), middle, end)
    result = (first + second)[:n + 1]
    result += [end] * (n + 1 - len(result))
    result[n] = mp.mpf(0)
    return result


def logit_normal(n, mean=0, std=D('1.75'), logsnr_min=-15, logsnr_max=18):
    """stable-diffusion.cpp LogitNormalScheduler with an exact normal quantile."""
    def sigmoid(x):
        return 1 / (1 + mp.exp(-x))
    high, low = sigmoid(mp.mpf(logsnr_max) / 2), sigmoid(mp.mpf(logsnr_min) / 2)
    out = []
    for i in range(n + 1):
        if i == 0:
            timestep = mp.mpf(1)  # -ndtri(0) = +inf
        else:
            z = -mp.sqrt(2) * mp.erfinv(2 * mp.mpf(i) / n - 1)
            timestep = sigmoid(mean + std * z)
        out.append(min(max(timestep, low), high))
    out[n] = mp.mpf(0)
    return out


_beta_quantiles = {}


def beta_quantile(p, a=D('0.6'), b=D('0.6')):
    """scipy.stats.beta.ppf(p, a, b) exactly: the x with I_x(a, b) = p (bisection to 60 digits)."""
    if p not in _beta_quantiles:
        lo, hi = mp.mpf(0), mp.mpf(1)
        for _ in range(210):  # 2^-210 < 10^-63
            mid = (lo + hi) / 2
            if mp.betainc(a, b, 0, mid, regularized=True) < p:
                lo = mid
            else:
                hi = mid
        _beta_quantiles[p] = (lo + hi) / 2
    return _beta_quantiles[p]


def beta(ms, n):
    """ComfyUI beta_scheduler (alpha = beta = 0.6): ts = 1 - numpy.linspace(0, 1, n, endpoint=False),
    numpy.rint(scipy.stats.beta.ppf(ts) * (L - 1)) in float64 (ppf correctly rounded), consecutive
    duplicates dropped, sigmas[t], then 0."""
    step = 1.0 / n  # numpy.linspace: step = delta / div, y = arange(n) * step
    last, sigs = -1, []
    for i in range(n):
        ts = 1.0 - i * step  # float64, as NumPy
        q = float(beta_quantile(mp.mpf(ts))) if ts < 1 else 1.0  # ppf(1) = 1
        t = round(q * (ms.size() - 1))  # float64 product; Python's round is numpy.rint (ties to even)
        if t != last:
            sigs.append(ms.table(t))
        last = t
    return sigs + [mp.mpf(0)]


def sd_turbo(ms, n, denoise=1.0):
    """ComfyUI SDTurboScheduler."""
    start = 10 - int(10 * denoise)
    timesteps = [t * 100 - 1 for t in range(10, 0, -1)][start:start + n]
    return [ms.sigma(mp.mpf(t)) for t in timesteps] + [mp.mpf(0)]


def schedule(ms, name, n):
    smin, smax = dec(ms.table(0)), dec(ms.table(ms.size() - 1))
    return {
        'simple': lambda: simple(ms, n),
        'sgm_uniform': lambda: normal(ms, n, sgm=True),
        'karras': lambda: karras(n, smin, smax),
        'exponential': lambda: exponential(n, smin, smax),
        'ddim_uniform': lambda: ddim_uniform(ms, n),
        'normal': lambda: normal(ms, n),
        'linear_quadratic': lambda: linear_quadratic(ms, n),
        'kl_optimal': lambda: kl_optimal(n, smin, smax),
        'laplace': lambda: laplace(n, smin, smax),
        'beta': lambda: beta(ms, n),
        'smoothstep': lambda: smoothstep(ms, n),
        'lcm': lambda: lcm(ms, n),
        'bong_tangent': lambda: bong_tangent(ms, n),
        'logit_normal': lambda: logit_normal(n),
        'sd_turbo': lambda: sd_turbo(ms, n),
    }[name]()


def exact(text):
    """A float32 argument written as a decimal that it holds exactly."""
    x = mp.mpf(text)
    assert mp.mpf(float(numpy.float32(text))) == x, text
    return x


def main():
    families = {
        'sd15': DiscreteVP(), 'dedm': DiscreteEDM(), 'edm': ContinuousEDM(), 'v': ContinuousV('0.03', '500'),
        'sd3': Flow(shift='3'), 'aura': Flow(shift='1.73', multiplier='1'), 'flux': Flow(mu='1.15', multiplier='1', T=10000),
    }
    lines = ['# Made by tests/reference/gen_sampler_schedules_reference.py (mpmath, 60 digits); do not edit.']
    for name, ms in families.items():
        for i in sorted({0, 1, 499, ms.size() - 1}):
            lines.append(f'table {name} {i} {fmt(ms.table(i))}')
    args = {
        'sd15': (['0', '0.5', '123.25', '500.5', '998.75', '999', '-3', '1200'], ['0', '0.0291671', '0.5', '1', '1.62098', '14.6146', '20']),
        'dedm': (['-0.875', '0', '0.5', '0.671875'], ['0.0291671', '1', '14.6146']),
        'edm': (['-1.5', '0', '0.5', '1.25'], ['0.002', '1', '120']),
        'v': (['0', '0.25', '0.5', '0.9990234375'], ['0', '0.03', '1', '500']),
        'sd3': (['0', '1', '250.5', '999', '1000'], ['0', '0.25', '1']),
        'aura': (['0', '0.5', '1'], ['0', '0.25', '1']),
        'flux': (['0', '0.0001220703125', '0.5', '1'], ['0.5', '1']),
    }
    sdcpp = {'sd15': ['0', '123.25', '998.75'], 'edm': ['0', '250', '1000'], 'sd3': ['-1', '0', '499.5', '999'],
             'flux': ['0', '499.5', '999']}
    for name, (ts, ss) in args.items():
        ms = families[name]
        for t in ts:
            lines.append(f'sigma {name} comfyui {t} {fmt(ms.sigma(exact(t)))}')
        for t in sdcpp.get(name, []):
            lines.append(f'sigma {name} sdcpp {t} {fmt(ms.sigma(exact(t), "sdcpp"))}')
        for s in ss:
            s32 = mp.mpf(float(numpy.float32(s)))  # the float32 nearest the decimal
            text = mp.nstr(s32, 30, strip_zeros=True) if s32 != 0 else '0'
            assert mp.mpf(text) == s32
            lines.append(f'timestep {name} comfyui {text} {fmt(ms.timestep(s32))}')
            if name == 'sd15':
                lines.append(f'timestep {name} sdcpp {text} {fmt(ms.timestep(s32, "sdcpp"))}')
        for p in ['0.25', '0.5', '0.75', '0.9375']:
            lines.append(f'percent {name} {p} {fmt(ms.percent(exact(p)))}')
    names = ['simple', 'sgm_uniform', 'karras', 'exponential', 'ddim_uniform', 'normal', 'linear_quadratic',
             'kl_optimal', 'laplace', 'beta']
    # stable-diffusion.cpp's index schedules where its t_to_sigma exists; SD-Turbo's grid for its model.
    sdcpp_families = {'sd15', 'sd3', 'flux', 'edm', 'aura'}
    for family in ['sd15', 'sd3', 'flux', 'edm', 'v', 'aura', 'dedm']:
        ms = families[family]
        extra = ['bong_tangent', 'logit_normal'] + (['smoothstep', 'lcm'] if family in sdcpp_families else [])
        for sched in names + extra + (['sd_turbo'] if family == 'sd15' else []):
            for n in [1, 2, 4, 10, 20, 28, 50]:
                values = schedule(ms, sched, n)
                lines.append(f'schedule {family} {sched} {n} : ' + ' '.join(fmt(v) for v in values))
    # ComfyUI's beta drops repeated table indices: near both ends at N = 400 on a 1000-entry table.
    lines.append('schedule sd15 beta 400 : ' + ' '.join(fmt(v) for v in beta(families['sd15'], 400)))
    worst = 0
    for k in range(0, 3997):
        t = mp.mpf(k) / 4
        exact_value, rounded = families['sd15'].sigma(t), families['sd15'].sigma_float32(t)
        worst = max(worst, abs(rounded - exact_value) / exact_value)
        if k % 97 == 0 or k in (1, 3995, 3996):
            lines.append(f'sigma32 sd15 {mp.nstr(t, 10)} {float(rounded)!r}')
    lines.append(f'# largest relative difference float32 vs exact over timesteps k/4, k = 0..3996: {mp.nstr(worst, 3)}')
    for kind, tables in [('ays', AYS), ('oss', OSS)]:
        for model_type, levels in tables.items():
            for n in [1, 2, 4, 10, 20, 28, 50]:
                lines.append(f'tabled {kind} {model_type} {n} : ' + ' '.join(fmt(v) for v in tabled(levels, n)))
    for coeff in GITS:
        for n in [2, 4, 10, 20, 28, 50]:
            lines.append(f'tabled gits {coeff} {n} : ' + ' '.join(fmt(v) for v in gits(coeff, n)))
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'sampler_schedules.txt')
    with open(out, 'w') as f:
        f.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
    main()
