#!/usr/bin/python3
"""The evaluation-error bound of include/diffuse/continuous.hpp and sigma_schedules.hpp, derived.

Run from the repository root:  /usr/bin/python3 tests/reference/continuous_error_bound.py
(about half a minute). It prints, per process and ramp, the worst bound found in units of 2^-128
per unit of the contract's weight, and fails unless every one is below 1024 (the 2^-118 that the
file comments state and tests/test_continuous.cpp and test_sigma_schedules.cpp check).

Method: a first-order running-error analysis. Each formula of the C++ code is written again below
with numbers that carry a bound on the absolute error of their Wide evaluation: every +, -, *, /
adds 2^-128 of its result (exact by a power of two), every function the bound of wide_math.hpp
(exp 12, expm1 24, log and log1p 16, sqrt 8, sin and atan 24, sinh, tanh, asinh, softplus and
sigmoid 64 units of 2^-128) and its derivative times its argument's error; decimal parameters are
within 2 units, constants within 1. The bounds are evaluated at 60-digit values over a grid of
times (and of pairs of times), for the reference processes and for extreme parameters. The weight
is 1 + the finite |lambda| at the times involved + the parameters that enter as log-SNRs (|gamma_min|
+ |gamma_max|; 2|log sigma_min| + 2|log sigma_max|; 2|log d| per resolution d); lambda is measured
relative to max(1, |lambda|), the inverses time() relative to t + (1 + |lambda|)/|lambda'(t)|. For
the ramps the weight is (1 + rho)(1 + |log sigma_min| + |log sigma_max|).

Keep the formulas in step with the C++ code (class Definition mirrors the family types of
include/diffuse/detail/continuous_families.hpp).
"""
import mpmath as mp

mp.mp.dps = 60
D = mp.mpf
inf = mp.inf

# wide_math.hpp's bounds, relative, in units of u = 2^-128; + - * / are correctly rounded (1).
F = dict(arith=1, exp=12, expm1=24, log=16, log1p=16, sqrt=8, sin=24, atan=24, sinh=64, tanh=64, asinh=64,
         softplus=64, sigmoid=64, decimal=2, const=1)


class E:
    """A value and a bound on the absolute error of its Wide evaluation, in units of u."""
    def __init__(self, v, e=0.0):
        self.v = D(v)
        self.e = D(e)

    def __add__(s, o):
        o = lift(o); r = s.v + o.v
        return E(r, s.e + o.e + (F['arith'] * abs(r) if mp.isfinite(r) else 0))
    __radd__ = __add__

    def __sub__(s, o):
        o = lift(o); r = s.v - o.v
        return E(r, s.e + o.e + (F['arith'] * abs(r) if mp.isfinite(r) else 0))

    def __rsub__(s, o):
        return lift(o) - s

    def __neg__(s):
        return E(-s.v, s.e)

    def __mul__(s, o):
        o = lift(o); r = s.v * o.v
        exact = (o.e == 0 and o.v != 0 and is_pow2(o.v)) or (s.e == 0 and s.v != 0 and is_pow2(s.v))
        return E(r, abs(o.v) * s.e + abs(s.v) * o.e + (0 if exact else F['arith'] * abs(r)))
    __rmul__ = __mul__

    def __truediv__(s, o):
        o = lift(o)
        if o.v == 0:
            return E(inf if s.v >= 0 else -inf, 0)
        r = s.v / o.v
        exact = o.e == 0 and is_pow2(o.v)
        return E(r, s.e / abs(o.v) + abs(s.v) / o.v ** 2 * o.e + (0 if exact else F['arith'] * abs(r)))

    def __rtruediv__(s, o):
        return lift(o) / s


def is_pow2(x):
    x = abs(x)
    if x == 0 or not mp.isfinite(x):
        return False
    m, e = mp.frexp(x)
    return m == D(1) / 2


def lift(x):
    return x if isinstance(x, E) else E(x, 0)


def fn(name, f, df):
    def g(x):
        x = lift(x)
        r = f(x.v)
        prop = D(0) if x.e == 0 else abs(df(x.v)) * x.e
        own = D(0) if (r == 0 or not mp.isfinite(r)) else F[name] * abs(r)
        return E(r, prop + own)
    return g


exp = fn('exp', mp.exp, mp.exp)
expm1 = fn('expm1', mp.expm1, mp.exp)
log = fn('log', mp.log, lambda x: 1 / x)
log1p = fn('log1p', mp.log1p, lambda x: 1 / (1 + x))
sqrt = fn('sqrt', mp.sqrt, lambda x: 1 / (2 * mp.sqrt(x)) if x != 0 else 0)
sin = fn('sin', mp.sin, mp.cos)
atan = fn('atan', mp.atan, lambda x: 1 / (1 + x * x))
sinh = fn('sinh', mp.sinh, mp.cosh)
tanh = fn('tanh', mp.tanh, lambda x: 1 / mp.cosh(x) ** 2)
asinh = fn('asinh', mp.asinh, lambda x: 1 / mp.sqrt(1 + x * x))
sig = lambda x: 1 / (1 + mp.exp(-x))
softplus = fn('softplus', lambda x: mp.log1p(mp.exp(x)), sig)
sigmoid = fn('sigmoid', sig, lambda x: sig(x) * (1 - sig(x)))


def decimal(text):
    v = D(text)
    return E(v, 0 if v == int(v) else F['decimal'] * abs(v))


HALF_PI = E(mp.pi / 2, F['const'] * mp.pi / 2)  # wide_constants::half_pi


class Definition:
    """The family types of detail/continuous_families.hpp (one class for all, by family), in E arithmetic."""
    def __init__(self, family, **k):
        self.family = family
        self.__dict__.update(k)

    def integral_beta(self, t):
        return t * (self.beta_min + self.beta_slope * t / 2)

    def integral_beta_difference(self, s, t):
        return (t - s) * (self.beta_min + self.beta_slope * (t + s) / 2)

    def beta(self, t):
        return self.beta_min + self.beta_slope * t

    def time_of_integral_beta(self, b):
        if b.v == 0:
            return E(0)
        return 2 * b / (self.beta_min + sqrt(self.beta_min * self.beta_min + 2 * self.beta_slope * b))

    def angles(self, t):
        if t.v <= D(1) / 2:
            theta = self.theta_min + t * self.width
            return theta, HALF_PI - theta
        phi = self.phi_end + (1 - t) * self.width
        return HALF_PI - phi, phi

    def log_snr(self, t):
        f = self.family
        if f == 'vp_linear':
            b = self.integral_beta(t)
            return -b - log(-expm1(-b))
        if f == 'sub_vp':
            b = self.integral_beta(t)
            return -b - 2 * log(-expm1(-b))
        if f == 'cosine':
            th, ph = self.angles(t)
            return 2 * (log(sin(ph)) - log(sin(th))) + self.shift_start + t * self.shift_slope
        if f == 'vdm_linear':
            return -(self.gamma_min + t * self.gamma_slope)
        return -2 * (self.log_sigma_min + t * self.log_sigma_slope)

    def log_signal_variance(self, t):
        if self.family in ('vp_linear', 'sub_vp'):
            return -self.integral_beta(t)
        if self.family == 've':
            return E(0)
        return -softplus(-self.log_snr(t))

    def noise_variance(self, t):
        f = self.family
        if f == 'vp_linear':
            return -expm1(-self.integral_beta(t))
        if f == 'sub_vp':
            e = expm1(-self.integral_beta(t))
            return e * e
        if f == 've':
            return exp(2 * (self.log_sigma_min + t * self.log_sigma_slope))
        return sigmoid(-self.log_snr(t))

    def noise_scale(self, t):
        if self.family == 'sub_vp':
            return -expm1(-self.integral_beta(t))
        if self.family == 've':
            return exp(self.log_sigma_min + t * self.log_sigma_slope)
        return sqrt(self.noise_variance(t))

    def noise_level(self, t):
        f = self.family
        if f == 'vp_linear':
            b = self.integral_beta(t)
            return exp(b / 2) * sqrt(-expm1(-b))
        if f == 'sub_vp':
            return 2 * sinh(self.integral_beta(t) / 2)
        if f == 've':
            return exp(self.log_sigma_min + t * self.log_sigma_slope)
        return exp(-self.log_snr(t) / 2)

    def log_snr_derivative(self, t):
        f = self.family
        if f in ('vp_linear', 'sub_vp'):
            b = self.integral_beta(t)
            return -self.beta(t) / -expm1(-b) if f == 'vp_linear' else -self.beta(t) / tanh(b / 2)
        if f == 'cosine':
            th, ph = self.angles(t)
            return -2 * self.width / (sin(th) * sin(ph)) + self.shift_slope
        if f == 'vdm_linear':
            return -self.gamma_slope
        return -2 * self.log_sigma_slope

    def diffusion_squared(self, t):
        f = self.family
        if f == 'vp_linear':
            return self.beta(t)
        if f == 'sub_vp':
            return self.beta(t) * -expm1(-2 * self.integral_beta(t))
        if f == 'cosine':
            th, ph = self.angles(t)
            st, sp = sin(th), sin(ph)
            return (2 * self.width * st / sp - self.shift_slope * st * st) / (st * st + exp(self.shift_start + t * self.shift_slope) * sp * sp)
        if f == 'vdm_linear':
            return self.gamma_slope * sigmoid(self.gamma_min + t * self.gamma_slope)
        return 2 * self.log_sigma_slope * self.noise_variance(t)

    def drift(self, t):
        if self.family in ('vp_linear', 'sub_vp'):
            return -self.beta(t) / 2
        if self.family == 've':
            return E(0)
        return -self.diffusion_squared(t) / 2

    def log_snr_decrease(self, s, t):
        if self.family == 'vdm_linear':
            return (t - s) * self.gamma_slope
        ths, phs = self.angles(s)
        tht, pht = self.angles(t)
        return 2 * log1p(sin((t - s) * self.width) / (sin(pht) * sin(ths))) - (t - s) * self.shift_slope

    def transition(self, s, t):
        f = self.family
        if f == 'vp_linear':
            d = self.integral_beta_difference(s, t)
            return -d / 2, -expm1(-d)
        if f == 'sub_vp':
            d = self.integral_beta_difference(s, t)
            return -d / 2, expm1(-d) * expm1(-(self.integral_beta(t) + self.integral_beta(s)))
        if f == 've':
            return E(0), self.noise_variance(t) * -expm1(-2 * (t - s) * self.log_sigma_slope)
        ls = self.log_snr(s)
        if ls.v == inf:
            return self.log_signal_variance(t) / 2, self.noise_variance(t)
        r = sigmoid(-ls) * expm1(self.log_snr_decrease(s, t))
        if not mp.isfinite(r.v):
            return E(-inf), E(1)
        return -log1p(r) / 2, r / (1 + r)

    def time_of_log_snr(self, lam):
        f = self.family
        if f == 'vp_linear':
            return self.time_of_integral_beta(softplus(-lam))
        if f == 'sub_vp':
            return self.time_of_integral_beta(2 * asinh(exp(-lam / 2) / 2))
        if f == 'cosine':
            if self.shift_slope.v == 0:
                return self.cosine_time(lam - self.shift_start)
            return None  # Newton: separately
        if f == 'vdm_linear':
            return (-lam - self.gamma_min) / self.gamma_slope
        return (-lam / 2 - self.log_sigma_min) / self.log_sigma_slope

    def cosine_time(self, lc):
        if lc.v >= 0:
            return (atan(exp(-lc / 2)) - self.theta_min) / self.width
        return 1 - (atan(exp(lc / 2)) - self.phi_end) / self.width


# --- the factories, each with the weight of its parameters ---------------------------------------
def vp(family, bmin='0.1', bmax='20'):
    lo = decimal(bmin)
    return Definition(family, beta_min=lo, beta_slope=decimal(bmax) - lo), D(0)


def cosine(image_d, d_low, d_high, lmin, lmax):
    """The clipped, shifted cosine of detail::cosine_family (a log of equal resolutions cancels
    exactly: the same input gives the same output)."""
    d = Definition('cosine')
    d.theta_min = atan(exp(-decimal(lmax) / 2)) if lmax != inf else E(0)
    d.phi_end = atan(exp(decimal(lmin) / 2)) if lmin != -inf else E(0)
    d.width = HALF_PI - d.theta_min - d.phi_end
    log_d = log(decimal(image_d))
    d.shift_start = 2 * (log(decimal(d_high)) - log_d)
    d.shift_slope = 2 * (log(decimal(d_low)) - log(decimal(d_high)))
    if image_d == d_high:
        d.shift_start = E(0)
    if d_low == d_high:
        d.shift_slope = E(0)
    resolutions = [image_d, d_low] + ([d_high] if D(d_high) != D(d_low) else [])
    parameters = 2 * sum(abs(mp.log(D(x))) for x in resolutions)
    return d, parameters


def vdm(gmin='-13.3', gmax='5'):
    g = decimal(gmin)
    return Definition('vdm_linear', gamma_min=g, gamma_slope=decimal(gmax) - g), abs(D(gmin)) + abs(D(gmax))


def ve(smin='0.01', smax='50'):
    d = Definition('ve', log_sigma_min=log(decimal(smin)), log_sigma_slope=log(decimal(smax) / decimal(smin)))
    return d, 2 * (abs(mp.log(D(smin))) + abs(mp.log(D(smax))))


# --- what ContinuousProcess returns, and the worst ratio bound/(scale·weight) --------------------
def lambda_size(d, t):
    lam = d.log_snr(E(t)).v
    return abs(lam) if mp.isfinite(lam) else D(0)


def marginal(d, t):
    T = E(t)
    lsv = d.log_signal_variance(T)
    out = {'signal_scale': exp(lsv / 2), 'noise_scale': d.noise_scale(T), 'signal_variance': exp(lsv),
           'noise_variance': d.noise_variance(T), 'log_signal_variance': lsv, 'log_snr': d.log_snr(T),
           'snr': exp(d.log_snr(T)), 'noise_level': d.noise_level(T)}
    if 0 < t < 1:
        out.update({'log_snr_derivative': d.log_snr_derivative(T), 'drift': d.drift(T), 'diffusion_squared': d.diffusion_squared(T)})
    return out


def pair(d, s, t):
    S, T = E(s), E(t)
    log_scale, v = d.transition(S, T)
    bs2, bt2 = d.noise_variance(S), d.noise_variance(T)
    variance = v * bs2 / bt2
    return {'transition mean': exp(log_scale), 'transition variance': v, 'transition stddev': sqrt(v),
            'posterior x0': exp(d.log_signal_variance(S) / 2) * v / bt2, 'posterior xt': exp(log_scale) * bs2 / bt2,
            'posterior variance': variance, 'posterior stddev': sqrt(variance)}


def ratio(q, weight, crosses_zero=False):
    if not mp.isfinite(q.v) or q.v == 0:
        return D(0)  # the exact ends (0, ±inf) and the exact zero of a log-SNR
    return q.e / (max(D(1), abs(q.v)) if crosses_zero else abs(q.v)) / weight


TIMES = sorted(set([D(0), D(1)] + [D(2) ** -k for k in range(1, 31)] + [1 - D(2) ** -k for k in range(1, 31)] +
                   [D(i) / 64 for i in range(1, 64)]))
PAIR_TIMES = sorted(set([D(0), D(1)] + [D(2) ** -k for k in (1, 2, 3, 5, 10, 20, 30)] +
                        [1 - D(2) ** -k for k in (2, 3, 5, 10, 20, 30)] + [D(i) / 16 for i in range(1, 16)]))


def analyse(d, parameters):
    worst = {}

    def note(key, value, where):
        if value > worst.get(key, (D(-1), ''))[0]:
            worst[key] = (value, where)
    for t in TIMES:
        w = 1 + lambda_size(d, t) + parameters
        for key, q in marginal(d, t).items():
            note(key, ratio(q, w, key == 'log_snr'), 't = ' + mp.nstr(t, 8))
    for i, s in enumerate(PAIR_TIMES):
        for t in PAIR_TIMES[i + 1:]:
            w = 1 + lambda_size(d, s) + lambda_size(d, t) + parameters
            for key, q in pair(d, s, t).items():
                note(key, ratio(q, w), 's, t = %s, %s' % (mp.nstr(s, 8), mp.nstr(t, 8)))
    for t in TIMES[1:-1]:  # the inverses at λ = λ(t), given exactly, and at σ = e^{-λ/2}
        lam = d.log_snr(E(t)).v
        slope = abs(d.log_snr_derivative(E(t)).v)
        w = 1 + abs(lam) + parameters
        scale = t + (1 + abs(lam)) / slope
        for kind in ('time(LogSnr)', 'time(NoiseLevel)'):
            argument = E(lam) if kind == 'time(LogSnr)' else -2 * log(E(mp.exp(-lam / 2)))
            got = d.time_of_log_snr(argument)
            if got is None:  # Newton's method: λ's error at the root over |λ'|, its stop (2⁻¹²⁰t), a rounding
                error = (d.log_snr(E(t)).e + argument.e) / slope + 257 * t
            else:
                error = got.e
            note(kind, error / scale / w, 't = ' + mp.nstr(t, 8))
    return worst


# --- sigma_schedules.hpp's ramps ----------------------------------------------------------------
def power(x, y):
    x, y = lift(x), lift(y)
    r = x.v ** y.v
    propagated = abs(y.v * x.v ** (y.v - 1)) * x.e + abs(r * mp.log(x.v)) * y.e
    return E(r, propagated + (16 * abs(y.v * mp.log(x.v)) + 12) * abs(r))


def ramp(n, sigma_of_ramp):
    if n == 1:
        return [sigma_of_ramp(E(0), E(1))]
    last = E(n - 1)
    return [sigma_of_ramp(E(i) / last, E(n - 1 - i) / last) for i in range(n)]


def karras(n, smin, smax, rho):
    p = decimal(rho)
    low, high = power(decimal(smin), 1 / p), power(decimal(smax), 1 / p)
    return ramp(n, lambda r, q: power(q * high + r * low, p))


def exponential(n, smin, smax):
    low, high = log(decimal(smin)), log(decimal(smax))
    return ramp(n, lambda r, q: exp(q * high + r * low))


def polyexponential(n, smin, smax, rho):
    p, low = decimal(rho), log(decimal(smin))
    span = log(decimal(smax) / decimal(smin))
    return ramp(n, lambda r, q: exp(power(q, p) * span + low) if q.v > 0 else exp(low))


def vp_ramp(n, beta_d, beta_min, eps_s):
    d = Definition('vp_linear', beta_min=decimal(beta_min), beta_slope=decimal(beta_d))
    eps = decimal(eps_s)
    return ramp(n, lambda r, q: d.noise_level(q + r * eps))


def ramp_weight(rho, values):
    return (1 + D(rho)) * (1 + abs(mp.log(values[0].v)) + abs(mp.log(values[-1].v)))


def ramps():
    worst = {}
    for n in (2, 10, 100):
        for smin, smax in (('0.002', '80'), ('0.03', '14.6'), ('1e-20', '1e20'), ('1e-5', '1e-4'), ('100', '1000')):
            for rho in ('7', '3.5', '1', '0.5', '30'):
                cases = [('karras', karras(n, smin, smax, rho), rho), ('polyexponential', polyexponential(n, smin, smax, rho), rho)]
                for kind, values, r in cases:
                    yield kind, (n, smin, smax, rho), max(v.e / abs(v.v) for v in values) / ramp_weight(r, values)
            values = exponential(n, smin, smax)
            yield 'exponential', (n, smin, smax), max(v.e / abs(v.v) for v in values) / ramp_weight(1, values)
        for beta_d, beta_min, eps_s in (('19.9', '0.1', '1e-3'), ('100', '0', '1e-5'), ('0', '1', '0.5')):
            values = vp_ramp(n, beta_d, beta_min, eps_s)
            yield 'vp', (n, beta_d, beta_min, eps_s), max(v.e / abs(v.v) for v in values) / ramp_weight(1, values)


PROCESSES = [
    ('vp_linear()', vp('vp_linear')), ('sub_vp()', vp('sub_vp')), ('cosine()', cosine(1, 1, 1, -inf, inf)),
    ('shifted_cosine(512)', cosine(512, 64, 64, -15, 15)), ('interpolated_cosine(512, 32, 256)', cosine(512, 32, 256, -15, 15)),
    ('vdm_linear()', vdm()), ('ve()', ve()),
    ('vp_linear(0.001, 100)', vp('vp_linear', '0.001', '100')), ('sub_vp(0, 50)', vp('sub_vp', '0', '50')),
    ('shifted_cosine(64, 4096, -30, 30)', cosine(64, 4096, 4096, -30, 30)),
    ('interpolated_cosine(1e6, 1, 1e6)', cosine('1e6', 1, '1e6', -15, 15)),
    ('vdm_linear(-1000, 1000)', vdm('-1000', '1000')), ('ve(1e-20, 1e20)', ve('1e-20', '1e20')),
]


def main():
    overall = D(0)
    for name, (d, parameters) in PROCESSES:
        worst = analyse(d, parameters)
        key, (value, where) = max(worst.items(), key=lambda item: item[1][0])
        print('%-36s %6.1f  (%s at %s)' % (name, value, key, where))
        overall = max(overall, value)
    ramp_worst = {}
    for kind, parameters, value in ramps():
        if value > ramp_worst.get(kind, (D(-1), None))[0]:
            ramp_worst[kind] = (value, parameters)
    for kind, (value, parameters) in ramp_worst.items():
        print('%-36s %6.1f  (at %s)' % (kind + '_sigmas', value, parameters))
        overall = max(overall, value)
    print('largest: %.1f units of 2^-128 per unit of weight; the contract allows 1024 (2^-118)' % overall)
    if overall >= 1024:
        raise SystemExit('the bound exceeds the contract')


if __name__ == '__main__':
    main()
