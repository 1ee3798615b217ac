#!/usr/bin/python3
"""40-digit reference tables of diffuse::Schedule, from the published definitions (mpmath).

Written from /work/shared/REFERENCES.md and the doc comments of include/diffuse/schedule.hpp, not
from the C++ code. Every decimal constant means the decimal it spells (beta_start = 0.0001 is one
ten-thousandth); arrays given to from_betas / from_alpha_bars / from_alpha_bar_function are binary
doubles, written to schedules/inputs/ in hex so that the C++ test reads exactly the same values.

Output (tests/reference/schedules/):
  index.txt         one line per case: `name factory arguments...` (how the C++ test rebuilds it)
  <name>.csv        t, beta, alpha, alpha_bar, ... for t = 0..T (a subset of rows when T = 100000)
  pairs.csv         alpha_bar_ratio(s, t) and friends, posterior_coefficients(s, t), for some pairs
  inputs/<name>.txt the binary inputs of the array-based factories

Every value is computed with mpmath at WORK_DPS = 60 significant digits and written with DIGITS = 40
significant digits, i.e. within half a unit of the 40th digit: a relative error of at most 5e-40
(about 2^-130.9), below 2^-17 of an ulp of IEEE binary128 (113-bit significand, ulp >= 2^-113
relative), so enough to round correctly to float, double, x87 long double and binary128 except
within that distance of a halfway point. Note that 40 digits do not spell every exact value: a
binary number that lies exactly halfway between two doubles (1 - beta for a double beta given to
from_betas; 1 - alpha_bar of from_alpha_bars and from_alpha_bar_function, where alpha_bar is a given
double) generally needs more digits, and its 40 written digits lie up to 5e-40 (relative) to one side
of it, so that strtod may round them to either neighbour. Parsed into a wider format (a double tie
into x87 long double or binary128, an x87 tie into binary128) they give the halfway value exactly.

Run: /usr/bin/python3 tests/reference/gen_schedule_reference.py [--self-check]
(About 20 s on one core, the T = 100000 cases included; with --self-check about 40 s.)
--self-check recomputes every value with CHECK_DPS = 100 digits and reports the largest relative
change of a value (it must be far below 1e-40, the precision of the 40 written digits; the script
fails above 1e-50) and how many written 40-digit strings would change.
"""

import math
import os
import sys

from mpmath import mp, mpf

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "schedules")
COLUMNS = ("t,beta,alpha,alpha_bar,one_minus_alpha_bar,sqrt_alpha_bar,sqrt_one_minus_alpha_bar,"
           "log_alpha_bar,snr,log_snr,sigma,posterior_variance")
DIGITS = 40     # significant digits written
WORK_DPS = 60   # working precision (decimal digits): 20 digits to spare over DIGITS
CHECK_DPS = 100  # the precision of --self-check
CHECK_LIMIT = "1e-50"  # the largest relative change --self-check accepts


class Sched:
    """beta[t], alpha[t] for t = 1..T (index 0 unused) and alpha_bar[t] for t = 0..T, exact."""

    def __init__(self, beta, alpha, alpha_bar):
        self.T = len(beta) - 1
        self.beta, self.alpha, self.alpha_bar = beta, alpha, alpha_bar


def from_beta_values(betas):
    """beta_1..beta_T -> schedule; alpha_t = 1 - beta_t, alpha_bar_t = prod alpha."""
    beta = [None] + list(betas)
    alpha = [None] + [1 - b for b in betas]
    alpha_bar = [mpf(1)]
    for a in alpha[1:]:
        alpha_bar.append(alpha_bar[-1] * a)
    return Sched(beta, alpha, alpha_bar)


def from_alpha_bar_values(alpha_bars):
    """alpha_bar_1..alpha_bar_T (alpha_bar_0 = 1) -> beta_t = 1 - alpha_bar_t / alpha_bar_{t-1}."""
    alpha_bar = [mpf(1)] + list(alpha_bars)
    alpha = [None] + [alpha_bar[t] / alpha_bar[t - 1] for t in range(1, len(alpha_bar))]
    beta = [None] + [1 - a for a in alpha[1:]]
    return Sched(beta, alpha, alpha_bar)


def u_linear(t, T):
    """(t - 1)/(T - 1), and 0 when T = 1."""
    return mpf(0) if T == 1 else mpf(t - 1) / (T - 1)


def linear(T, beta_start, beta_end):
    b0, b1 = mpf(beta_start), mpf(beta_end)
    return from_beta_values([b0 + (b1 - b0) * u_linear(t, T) for t in range(1, T + 1)])


def scaled_linear(T, beta_start, beta_end):
    r0, r1 = mp.sqrt(mpf(beta_start)), mp.sqrt(mpf(beta_end))
    return from_beta_values([(r0 + (r1 - r0) * u_linear(t, T)) ** 2 for t in range(1, T + 1)])


def sigmoid(T, beta_start, beta_end):
    b0, b1 = mpf(beta_start), mpf(beta_end)

    def sig(x):
        return 1 / (1 + mp.exp(-x))

    return from_beta_values([sig(-6 + 12 * u_linear(t, T)) * (b1 - b0) + b0 for t in range(1, T + 1)])


def constant(T, beta):
    return from_beta_values([mpf(beta)] * T)


def cosine(T, s, max_beta):
    """Nichol & Dhariwal: f(u) = cos^2((u + s)/(1 + s) pi/2), beta_t = min(1 - f(t/T)/f((t-1)/T), max_beta)."""
    s, cap = mpf(s), mpf(max_beta)

    def f(t):
        x = (mpf(t) / T + s) / (1 + s)  # exactly 1 at t = T, so cospi gives f(1) = 0 exactly
        return mp.cospi(x / 2) ** 2

    fs = [f(t) for t in range(T + 1)]
    return from_beta_values([min(1 - fs[t] / fs[t - 1], cap) for t in range(1, T + 1)])


def from_alpha_bar_function(values, max_beta):
    """values[t] = f(t/T) as doubles; beta_t = min(1 - f(t/T)/f((t-1)/T), max_beta)."""
    cap = mpf(max_beta)
    f = [mpf(v) for v in values]
    return from_beta_values([min(1 - f[t] / f[t - 1], cap) for t in range(1, len(f))])


def zero_terminal_snr(base):
    """Lin et al. 2023, Alg. 1 on sqrt(alpha_bar): s'_t = (s_t - s_T) s_1/(s_1 - s_T)."""
    T = base.T
    r = [mp.sqrt(a) for a in base.alpha_bar]
    s1, sT = r[1], r[T]
    rescaled = [(r[t] - sT) * s1 / (s1 - sT) for t in range(1, T)]
    return from_alpha_bar_values([x * x for x in rescaled] + [mpf(0)])


def respaced(base, kept):
    """improved-diffusion respace.py: alpha_bar'_k = alpha_bar_{t_k}."""
    return from_alpha_bar_values([base.alpha_bar[t] for t in kept])


def quantities(sc, t):
    """The CSV row of step t; None where undefined (beta, alpha, posterior variance at t = 0)."""
    ab = sc.alpha_bar[t]
    om = 1 - ab
    inf = mp.inf
    if t == 0:
        return [None, None, ab, om, mpf(1), mpf(0), mpf(0), inf, inf, mpf(0), None]
    beta = sc.beta[t]
    if ab == 0:
        log_ab, snr, log_snr, sigma = -inf, mpf(0), -inf, inf
    else:
        log_ab = mp.log(ab)
        snr = ab / om
        log_snr = mp.log(snr)
        sigma = mp.sqrt(om / ab)
    post = beta * (1 - sc.alpha_bar[t - 1]) / om
    return [beta, sc.alpha[t], ab, om, mp.sqrt(ab), mp.sqrt(om), log_ab, snr, log_snr, sigma, post]


def pair_quantities(sc, s, t):
    """alpha_bar_ratio, its sqrt, 1 - ratio, and the posterior q(x_s | x_t, x_0) coefficients (s < t).

    s = t gives the identity kernel q(x_t | x_t): ratio 1, also where alpha_bar_t = 0.
    """
    a = mpf(1) if s == t else sc.alpha_bar[t] / sc.alpha_bar[s]
    values = [a, mp.sqrt(a), 1 - a]
    if s < t:
        om_s, om_t = 1 - sc.alpha_bar[s], 1 - sc.alpha_bar[t]
        values += [(1 - a) * mp.sqrt(sc.alpha_bar[s]) / om_t, om_s * mp.sqrt(a) / om_t, (1 - a) * om_s / om_t]
    else:
        values += [None, None, None]
    return values


def fmt(x):
    if x is None:
        return ""
    if mp.isinf(x):
        return "inf" if x > 0 else "-inf"
    return mp.nstr(x, DIGITS)


def rows_of(T):
    """All steps, or for large T the steps t <= 200, every 499th and the last 200."""
    if T <= 1000:
        return list(range(T + 1))
    return [t for t in range(T + 1) if t <= 200 or t % 499 == 0 or t > T - 200]


def hex_double(x):
    return float.hex(x) + " " + repr(x)


def inputs():
    """The binary inputs of the array factories (plain Python doubles)."""
    # diffusers trained_betas / numpy.linspace(1e-4, 0.02, 1000) in float64
    step = (0.02 - 0.0001) / 999
    betas_1000 = [0.0001 + i * step for i in range(999)] + [0.02]
    betas_10 = [0.1 * k for k in range(1, 10)] + [1.0]  # last step beta = 1
    # improved-diffusion's float64 cosine alphas_cumprod (cos evaluated in double), T = 1000
    theta0 = 0.008 / 1.008 * math.pi / 2
    abars_1000 = [math.cos((t / 1000 + 0.008) / 1.008 * math.pi / 2) ** 2 / math.cos(theta0) ** 2
                  for t in range(1, 1001)]
    abars_10 = [0.95, 0.9, 0.8, 0.7, 0.55, 0.4, 0.25, 0.1, 0.01, 0.0]  # ends at 0
    for seq in (abars_1000, abars_10):
        assert all(b < a for a, b in zip([1.0] + seq, seq)), "alpha_bar inputs must decrease strictly"
    # diffusers betas_for_alpha_bar(..., "exp"): f(u) = exp(-12 u), u = t/T in double
    exp_1000 = [(t / 1000, math.exp(-12 * (t / 1000))) for t in range(1001)]
    return {"betas_1000": betas_1000, "betas_10": betas_10, "abars_1000": abars_1000,
            "abars_10": abars_10, "exp_1000": exp_1000}


def cases(data):
    """(name, index line arguments, builder) in an order where bases come first."""
    c = []
    kept = list(range(1, 1000, 20)) + [1000]
    for T in (1, 2, 10, 1000, 100000):
        c.append(("linear_%d" % T, "linear %d 0.0001 0.02" % T, lambda b, T=T: linear(T, "0.0001", "0.02")))
    for T in (1000, 100000):
        c.append(("scaled_linear_%d" % T, "scaled_linear %d 0.00085 0.012" % T,
                  lambda b, T=T: scaled_linear(T, "0.00085", "0.012")))
    for T in (1, 2, 10, 1000, 100000):
        c.append(("cosine_%d" % T, "cosine %d 0.008 0.999" % T, lambda b, T=T: cosine(T, "0.008", "0.999")))
    c.append(("cosine_50_cap_0.5", "cosine 50 0.008 0.5", lambda b: cosine(50, "0.008", "0.5")))
    c.append(("cosine_1000_cap_1", "cosine 1000 0.008 1", lambda b: cosine(1000, "0.008", "1")))
    for T in (1000, 100000):
        c.append(("sigmoid_%d" % T, "sigmoid %d 0.0001 0.02" % T, lambda b, T=T: sigmoid(T, "0.0001", "0.02")))
    c.append(("constant_100", "constant 100 0.01511", lambda b: constant(100, "0.01511")))
    for base in ("linear_1000", "scaled_linear_1000", "cosine_1000", "linear_100000"):
        c.append(("zero_terminal_" + base, "zero_terminal_snr " + base,
                  lambda b, base=base: zero_terminal_snr(b[base])))
    kept_text = ",".join(str(k) for k in kept)
    for base in ("linear_1000", "zero_terminal_linear_1000"):
        c.append(("respaced_" + base, "respaced %s %s" % (base, kept_text),
                  lambda b, base=base: respaced(b[base], kept)))
    for name in ("betas_1000", "betas_10"):
        c.append(("from_" + name, "from_betas inputs/%s.txt" % name,
                  lambda b, name=name: from_beta_values([mpf(x) for x in data[name]])))
    for name in ("abars_1000", "abars_10"):
        c.append(("from_" + name, "from_alpha_bars inputs/%s.txt" % name,
                  lambda b, name=name: from_alpha_bar_values([mpf(x) for x in data[name]])))
    c.append(("from_function_exp_1000", "from_alpha_bar_function 1000 0.999 inputs/exp_1000.txt",
              lambda b: from_alpha_bar_function([v for _, v in data["exp_1000"]], "0.999")))
    return c


PAIR_CASES = ("linear_1000", "cosine_1000", "linear_100000", "cosine_100000",
              "zero_terminal_linear_1000", "cosine_1000_cap_1", "from_abars_10")


def pairs_of(T):
    ps = {(0, 1), (0, T), (1, T), (T // 2, T), (3, 3), (T, T), (0, 0)}
    for t in (2, 3, 10, 500, 1000, T // 2, T - 1, T):
        if 1 <= t <= T:
            ps.add((t - 1, t))
    for s, t in ((5, 17), (100, 900), (10, T - 10)):
        if 0 <= s <= t <= T:
            ps.add((s, t))
    return sorted(ps, key=lambda p: (p[1], p[0]))


def compute(data):
    built, tables, pair_rows = {}, {}, []
    for name, _, build in cases(data):
        sc = build(built)
        built[name] = sc
        tables[name] = [[t] + quantities(sc, t) for t in rows_of(sc.T)]
    for name in PAIR_CASES:
        sc = built[name]
        for s, t in pairs_of(sc.T):
            pair_rows.append([name, s, t] + pair_quantities(sc, s, t))
    return tables, pair_rows


def write_all(data, tables, pair_rows):
    os.makedirs(os.path.join(OUT, "inputs"), exist_ok=True)
    for name in ("betas_1000", "betas_10", "abars_1000", "abars_10"):
        with open(os.path.join(OUT, "inputs", name + ".txt"), "w") as out:
            out.write("# one double per line: C99 hex (exact), then Python repr\n")
            out.writelines(hex_double(x) + "\n" for x in data[name])
    with open(os.path.join(OUT, "inputs", "exp_1000.txt"), "w") as out:
        out.write("# u = t/T (double) and f(u) = exp(-12 u) (double), t = 0..T, each as hex then repr\n")
        out.writelines(hex_double(u) + " " + hex_double(v) + "\n" for u, v in data["exp_1000"])
    with open(os.path.join(OUT, "index.txt"), "w") as out:
        out.write("# Reference schedules: name factory arguments (decimal constants, base case names,\n"
                  "# kept steps, input files relative to this directory). Made by gen_schedule_reference.py.\n")
        for name, line, _ in cases(data):
            out.write("%s %s\n" % (name, line))
    for name, rows in tables.items():
        with open(os.path.join(OUT, name + ".csv"), "w") as out:
            out.write(COLUMNS + "\n")
            for row in rows:
                out.write(str(row[0]) + "," + ",".join(fmt(x) for x in row[1:]) + "\n")
    with open(os.path.join(OUT, "pairs.csv"), "w") as out:
        out.write("case,s,t,alpha_bar_ratio,sqrt_alpha_bar_ratio,one_minus_alpha_bar_ratio,"
                  "posterior_x0,posterior_xt,posterior_variance\n")
        for row in pair_rows:
            out.write("%s,%d,%d," % tuple(row[:3]) + ",".join(fmt(x) for x in row[3:]) + "\n")


def largest_change(low, high):
    """Largest relative difference between two computations of the same values."""
    worst = mpf(0)
    for a, b in zip(low, high):
        if isinstance(a, mpf) and isinstance(b, mpf) and not mp.isinf(a):
            if a != b:
                worst = max(worst, abs(a - b) / abs(b))
        elif a != b:
            return mp.inf
    return worst


def main():
    data = inputs()
    mp.dps = WORK_DPS
    tables, pair_rows = compute(data)
    write_all(data, tables, pair_rows)
    if "--self-check" in sys.argv:
        mp.dps = CHECK_DPS
        tables_hi, pairs_hi = compute(data)
        worst, changed, written = mpf(0), 0, 0
        for low, high in [(a, b) for name in tables for a, b in zip(tables[name], tables_hi[name])] + \
                list(zip(pair_rows, pairs_hi)):
            worst = max(worst, largest_change(low, high))
            for a, b in zip(low, high):
                if isinstance(a, mpf):
                    written += 1
                    changed += fmt(a) != fmt(b)
        mp.dps = WORK_DPS
        print("largest relative change %d -> %d digits: %s; written %d-digit values that change: %d of %d"
              % (WORK_DPS, CHECK_DPS, mp.nstr(worst, 3), DIGITS, changed, written))
        if worst > mpf(CHECK_LIMIT) or changed:
            sys.exit("reference values are not accurate to %s (relative), or a written value changes" % CHECK_LIMIT)

if __name__ == "__main__":
    main()
