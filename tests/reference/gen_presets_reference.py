#!/usr/bin/env python3
"""High-precision tables of the named presets of include/diffuse/presets.hpp, for tests/test_presets.cpp.

Every schedule is computed with mpmath at 60 significant digits (written with DIGITS = 40: a
relative error of at most 5e-40, below 2^-17 of an ulp of IEEE binary128) straight from the published
definition, decimal constants taken as the decimals they spell (beta_start = 0.0001 is one
ten-thousandth):
  diffusers  (schedulers/scheduling_ddpm.py): linear, scaled_linear, squaredcos_cap_v2
             (betas_for_alpha_bar, s = 0.008, max_beta = 0.999), sigmoid (GeoDiff), trained_betas,
             rescale_zero_terminal_snr (Lin et al. 2023, Alg. 1), and CogVideoX's SNR shift
             (schedulers/scheduling_ddim_cogvideox.py @58eb52c0: alphas_cumprod / (s + (1 - s) alphas_cumprod),
             before the rescale);
  improved-diffusion (gaussian_diffusion.get_named_beta_schedule): linear with both ends x 1000/T, cosine;
  LDM        (ldm/modules/diffusionmodules/util.make_beta_schedule): linear = sqrt-spaced,
             sqrt_linear = plain linear, sqrt, cosine (np.clip(betas, 0, 0.999));
  Chen 2023  (lucidrains' sigmoid_beta_schedule, "On the Importance of Noise Scheduling"):
             alpha_bar(u) = (v(e/tau) - v((u (e - s) + s)/tau)) / (v(e/tau) - v(s/tau)), beta clipped to 0.999.

Output: presets_reference.txt beside this script:
  case <family> <name> <T> <p1> <p2> <p3> <rescale> [<trained betas, comma separated>]
  <t> <beta_t> <alpha_bar_t> <one_minus_alpha_bar_t>     (one line per sampled step t)
p1..p3: diffusers beta_start beta_end snr_shift_scale (- for none); improved - - -; ldm linear_start linear_end cosine_s;
chen start end tau. Steps sampled: all for T <= 100, else 1..20, every T/50-th and the last 20.

Run: /usr/bin/python3 tests/reference/gen_presets_reference.py
"""
import os
from fractions import Fraction

import mpmath as mp

mp.mp.dps = 60  # working precision: 20 digits to spare over DIGITS
DIGITS = 40  # significant digits written
HERE = os.path.dirname(os.path.abspath(__file__))


def D(text):
    return mp.mpf(str(text))


def exact(q):
    """The rational q (a Fraction) rounded once to the working precision: exact where q is binary."""
    return mp.mpf(q.numerator) / q.denominator


def linspace(a, b, T):
    """As numpy.linspace: the last point is b itself (a + (b - a) rounded need not give back b, and an
    exact b = 1 must give alpha = 0 exactly, not a few ulps of the working precision)."""
    if T == 1:
        return [a]
    return [a + (b - a) * mp.mpf(i) / (T - 1) for i in range(T - 1)] + [b]


def cosine_betas(T, s, max_beta):
    f = lambda u: mp.cos((u + s) / (1 + s) * mp.pi / 2) ** 2
    return [min(1 - f(mp.mpf(i + 1) / T) / f(mp.mpf(i) / T), max_beta) for i in range(T)]


def sigmoid(x):
    return 1 / (1 + mp.exp(-x))


def chen_betas(T, start, end, tau):
    v_start, v_end = sigmoid(start / tau), sigmoid(end / tau)
    abar = lambda u: (v_end - sigmoid((u * (end - start) + start) / tau)) / (v_end - v_start)
    return [min(max(1 - abar(mp.mpf(i + 1) / T) / abar(mp.mpf(i) / T), 0), D("0.999")) for i in range(T)]


def alpha_bars(betas):
    out, prod = [], mp.mpf(1)
    for b in betas:
        prod *= 1 - b
        out.append(prod)
    return out


def rescale_zero_terminal_snr(betas):
    s = [mp.sqrt(a) for a in alpha_bars(betas)]
    s1, sT = s[0], s[-1]
    abar = [((x - sT) * s1 / (s1 - sT)) ** 2 for x in s]
    prev, out = mp.mpf(1), []
    for a in abar:
        out.append(1 - a / prev)
        prev = a
    return out


def snr_shift(betas, s):
    """CogVideoXDDIMScheduler: alphas_cumprod / (s + (1 - s) * alphas_cumprod), back to betas."""
    prev, out = mp.mpf(1), []
    for a in alpha_bars(betas):
        shifted = a / (s + (1 - s) * a)
        out.append(1 - shifted / prev)
        prev = shifted
    return out


def betas_of(family, name, T, p):
    if family == "diffusers":
        b0, b1 = D(p[0]), D(p[1])
        if name == "linear":
            return linspace(b0, b1, T)
        if name == "scaled_linear":
            return [x * x for x in linspace(mp.sqrt(b0), mp.sqrt(b1), T)]
        if name == "squaredcos_cap_v2":
            return cosine_betas(T, D("0.008"), D("0.999"))
        if name == "sigmoid":
            return [sigmoid(x) * (b1 - b0) + b0 for x in linspace(mp.mpf(-6), mp.mpf(6), T)]
    if family == "improved":
        if name == "linear":  # both ends x 1000/T, each rounded once (exactly 1 for T = 20)
            return linspace(exact(Fraction("0.0001") * 1000 / T), exact(Fraction("0.02") * 1000 / T), T)
        if name == "cosine":
            return cosine_betas(T, D("0.008"), D("0.999"))
    if family == "ldm":
        b0, b1, s = D(p[0]), D(p[1]), D(p[2])
        if name == "linear":
            return [x * x for x in linspace(mp.sqrt(b0), mp.sqrt(b1), T)]
        if name == "sqrt_linear":
            return linspace(b0, b1, T)
        if name == "sqrt":
            return [mp.sqrt(x) for x in linspace(b0, b1, T)]
        if name == "cosine":
            return cosine_betas(T, s, D("0.999"))
    if family == "chen":
        return chen_betas(T, D(p[0]), D(p[1]), D(p[2]))
    raise ValueError((family, name))


TRAINED = [0.0001 * (i + 1) ** 2 for i in range(10)]  # binary doubles, written with repr()

CASES = [
    ("diffusers", "linear", 1000, ("0.0001", "0.02", "-"), False),
    ("diffusers", "scaled_linear", 1000, ("0.00085", "0.012", "-"), False),
    ("diffusers", "squaredcos_cap_v2", 1000, ("0.0001", "0.02", "-"), False),
    ("diffusers", "sigmoid", 1000, ("0.0001", "0.02", "-"), False),
    ("diffusers", "sigmoid", 7, ("0.001", "0.5", "-"), False),
    ("diffusers", "scaled_linear", 1000, ("0.00085", "0.012", "-"), True),
    ("diffusers", "trained", 10, ("-", "-", "-"), False),
    ("diffusers", "trained", 10, ("-", "-", "-"), True),
    ("diffusers", "scaled_linear", 1000, ("0.00085", "0.012", "3.0"), True),  # CogVideoX 2B's scheduler
    ("diffusers", "scaled_linear", 1000, ("0.00085", "0.012", "3.0"), False),
    ("diffusers", "trained", 10, ("-", "-", "0.5"), False),
    ("improved", "linear", 4000, ("-", "-", "-"), False),
    ("improved", "linear", 3000, ("-", "-", "-"), False),  # 0.1/T is no short decimal
    ("improved", "linear", 50, ("-", "-", "-"), False),
    ("improved", "linear", 20, ("-", "-", "-"), False),
    ("improved", "cosine", 4000, ("-", "-", "-"), False),
    ("ldm", "linear", 1000, ("0.0001", "0.02", "0.008"), False),
    ("ldm", "linear", 1000, ("0.00085", "0.012", "0.008"), False),
    ("ldm", "sqrt_linear", 1000, ("0.0001", "0.02", "0.008"), False),
    ("ldm", "sqrt", 1000, ("0.0001", "0.02", "0.008"), False),
    ("ldm", "cosine", 1000, ("0.0001", "0.02", "0.008"), False),
    ("ldm", "cosine", 100, ("0.0001", "0.02", "0.02"), False),
    ("chen", "sigmoid", 1000, ("-3", "3", "1"), False),
    ("chen", "sigmoid", 10, ("-3", "3", "1"), False),
    ("chen", "sigmoid", 1000, ("0", "3", "0.3"), False),
    ("chen", "sigmoid", 256, ("-3", "3", "1.1"), False),
]


def sampled(T):
    if T <= 100:
        return range(1, T + 1)
    return sorted(set(range(1, 21)) | set(range(T // 50, T + 1, T // 50)) | set(range(T - 19, T + 1)))


def main():
    out = ["# Generated by gen_presets_reference.py (mpmath %s, %d digits, %d written); see the script for the format."
           % (mp.__version__, mp.mp.dps, DIGITS)]
    for family, name, T, p, rescale in CASES:
        betas = [mp.mpf(b) for b in TRAINED] if name == "trained" else betas_of(family, name, T, p)
        if family == "diffusers" and p[2] != "-":
            betas = snr_shift(betas, D(p[2]))
        if rescale:
            betas = rescale_zero_terminal_snr(betas)
        abar = alpha_bars(betas)
        head = ["case", family, name, str(T), p[0], p[1], p[2], "1" if rescale else "0"]
        if name == "trained":
            head.append(",".join(repr(b) for b in TRAINED))
        out.append(" ".join(head))
        # 1 - alpha_bar from the product of alphas directly: 1 - alpha_bar_1 = beta_1 >= about 1e-5 cancels
        # at most 5 or 6 of the 60 digits, leaving more than 50 exact ones.
        for t in sampled(T):
            b, a = betas[t - 1], abar[t - 1]
            out.append("%d %s %s %s" % (t, mp.nstr(b, DIGITS), mp.nstr(a, DIGITS), mp.nstr(1 - a, DIGITS)))
    path = os.path.join(HERE, "presets_reference.txt")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    print("wrote %s: %d cases" % (path, len(CASES)))


if __name__ == "__main__":
    main()
