#!/usr/bin/python3
"""40-digit reference values for the tests of gaussian.hpp, kernels.hpp and batch.hpp (mpmath).

Written from the definitions (Ho et al. 2020; Nichol & Dhariwal 2021; the closed forms of the
isotropic Gaussian), not from the C++ code. Decimal constants mean the decimals they spell.

Output, next to this script:
  kernels_schedules.txt  `name t beta alpha alpha_bar one_minus_alpha_bar` for t = 0..T of
                         linear(1000) (DDPM: beta from 1e-4 to 0.02) and cosine(1000) (s = 0.008,
                         beta capped at 0.999); at t = 0 beta = 0, alpha = 1.
  kernels_pairs.txt      `name s t one_minus_ratio ratio` with ratio = alpha_bar_t / alpha_bar_s,
                         for every s < t of a grid of steps.
  kernels_values.txt     `key value`: log_prob, entropy, kl and prior_kl of the cases named in the
                         comments below (every input is a dyadic number, exact in float and double).

Every value is computed with mpmath at 60 significant digits (the worst cancellation, 1 - ratio for
neighbouring steps, costs about 5 of them) and written with DIGITS = 40 significant digits: a
relative error of at most 5e-40, below 2^-17 of an ulp of IEEE binary128 (113-bit significand).

Run: /usr/bin/python3 tests/reference/kernels_reference.py
"""

import os

from mpmath import mp, mpf

mp.dps = 60  # working precision: 20 digits to spare over DIGITS
HERE = os.path.dirname(os.path.abspath(__file__))
DIGITS = 40  # significant digits written
T = 1000


def fmt(x):
    return mp.nstr(mpf(x), DIGITS, strip_zeros=False, min_fixed=0, max_fixed=0)


def linear_betas(steps, start="1e-4", end="0.02"):
    b0, b1 = mpf(start), mpf(end)
    if steps == 1:
        return [b0]
    return [b0 + (b1 - b0) * mpf(t - 1) / (steps - 1) for t in range(1, steps + 1)]


def cosine_betas(steps, s="0.008", max_beta="0.999"):
    s, cap = mpf(s), mpf(max_beta)

    def f(u):
        return mp.cos((u + s) / (1 + s) * mp.pi / 2) ** 2

    out = []
    for t in range(1, steps + 1):
        beta = 1 - f(mpf(t) / steps) / f(mpf(t - 1) / steps)
        out.append(min(beta, cap))
    return out


def table(betas):
    """Rows (t, beta, alpha, alpha_bar, 1 - alpha_bar) for t = 0..T, to 60 digits."""
    rows = [(0, mpf(0), mpf(1), mpf(1), mpf(0))]
    alpha_bar = mpf(1)
    for t, beta in enumerate(betas, start=1):
        alpha = 1 - beta
        alpha_bar *= alpha
        rows.append((t, beta, alpha, alpha_bar, 1 - alpha_bar))
    return rows


SCHEDULES = {"linear": table(linear_betas(T)), "cosine": table(cosine_betas(T))}
GRID = [0, 1, 2, 3, 10, 50, 123, 250, 499, 500, 750, 900, 998, 999, 1000]


def squared_norm(v):
    return sum(mpf(x) ** 2 for x in v)


def log_prob(mean, var, x):
    n = len(mean)
    d2 = sum((mpf(a) - mpf(b)) ** 2 for a, b in zip(x, mean))
    return -(n * mp.log(2 * mp.pi * var) + d2 / var) / 2


def entropy(n, var):
    return n * (1 + mp.log(2 * mp.pi * var)) / 2


def kl(m1, v1, m2, v2):
    n = len(m1)
    r = mpf(v1) / mpf(v2)
    d2 = sum((mpf(a) - mpf(b)) ** 2 for a, b in zip(m1, m2))
    return (n * (r - 1 - mp.log(r)) + d2 / mpf(v2)) / 2


def prior_kl(alpha_bar_T, x0):
    a = alpha_bar_T
    return (a * squared_norm(x0) + len(x0) * (-mp.log(1 - a) - a)) / 2


def main():
    with open(os.path.join(HERE, "kernels_schedules.txt"), "w") as out:
        out.write("# name t beta alpha alpha_bar one_minus_alpha_bar (kernels_reference.py)\n")
        for name, rows in SCHEDULES.items():
            for t, beta, alpha, alpha_bar, one_minus in rows:
                out.write(f"{name} {t} {fmt(beta)} {fmt(alpha)} {fmt(alpha_bar)} {fmt(one_minus)}\n")

    with open(os.path.join(HERE, "kernels_pairs.txt"), "w") as out:
        out.write("# name s t one_minus_ratio ratio, ratio = alpha_bar_t/alpha_bar_s (kernels_reference.py)\n")
        for name, rows in SCHEDULES.items():
            for s in GRID:
                for t in GRID:
                    if s < t:
                        ratio = rows[t][3] / rows[s][3]
                        out.write(f"{name} {s} {t} {fmt(1 - ratio)} {fmt(ratio)}\n")

    m = [mpf("0.5"), mpf("-1.25"), mpf(2)]
    x = [mpf("0.125"), mpf(-1), mpf("2.5")]
    zero = [mpf(0)] * 3
    values = {
        # N(m, 0.375 I) at x and at its mean; its entropy.
        "log_prob_x": log_prob(m, mpf("0.375"), x),
        "log_prob_mean": log_prob(m, mpf("0.375"), m),
        "entropy": entropy(3, mpf("0.375")),
        # KL(N(m, 0.375 I) || N(0, I)).
        "kl_to_standard": kl(m, mpf("0.375"), zero, 1),
        # Variances that differ in the 20th bit: r - 1 - log r cancels in a naive evaluation.
        "kl_close_variances": kl(m, 1, m, 1 + mpf(2) ** -20),
        # ... in the 40th bit (double only): there even r - 1 - log r in long double cancels.
        "kl_closer_variances": kl(m, 1, m, 1 + mpf(2) ** -40),
        # A tiny variance against a large one, different means.
        "kl_far_variances": kl(x, mpf(2) ** -30, m, 4),
    }
    for name, rows in SCHEDULES.items():
        alpha_bar_T = rows[T][3]
        values[f"prior_kl_{name}_x"] = prior_kl(alpha_bar_T, m)
        values[f"prior_kl_{name}_zero"] = prior_kl(alpha_bar_T, zero)
    # One step of beta = 1e-4 (linear(1)): a small variance 1 - alpha_bar_T.
    values["prior_kl_linear1_x"] = prior_kl(1 - mpf("1e-4"), m)
    with open(os.path.join(HERE, "kernels_values.txt"), "w") as out:
        out.write("# key value (kernels_reference.py)\n")
        for key, value in values.items():
            out.write(f"{key} {fmt(value)}\n")


if __name__ == "__main__":
    main()
