#!/usr/bin/python3
"""Plots the densities of the training-time samplers on t ∈ (0, 1): histograms of diffuse's draws
(examples/training_batch --times N) with the exact density of each law as a line.

Usage: plot_training_times.py BUILD_DIR OUT.png   (BUILD_DIR holds examples/training_batch)
EDM's log-normal σ (ln σ ~ N(−1.2, 1.2²)) is shown at the flow time t = σ/(1 + σ) of equal SNR.
"""
import csv
import io
import math
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

N = 200000


def phi(x):
    return math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def mode_u(t, s=1.29):
    """u with mode_time(u) = t, by bisection (t decreases in u)."""
    lo, hi = 0.0, 1.0
    for _ in range(60):
        u = (lo + hi) / 2
        f = 1 - u - s * (math.cos(math.pi * u / 2) ** 2 - 1 + u)
        lo, hi = (u, hi) if f > t else (lo, u)
    return (lo + hi) / 2


def densities():
    """The exact density of each law at t (from its definition in SD3 / EDM)."""
    def mode(t, h=1e-6):
        return abs(mode_u(t + h) - mode_u(t - h)) / (2 * h)
    return {
        "uniform": lambda t: 1.0,
        "logit-normal": lambda t: phi(math.log(t / (1 - t))) / (t * (1 - t)),
        "mode": mode,
        "cosmap": lambda t: 2 / math.pi / (t * t + (1 - t) ** 2),
        "EDM": lambda t: phi((math.log(t / (1 - t)) + 1.2) / 1.2) / (1.2 * t * (1 - t)),
    }


def main():
    build, out = sys.argv[1], sys.argv[2]
    text = subprocess.run([f"{build}/examples/training_batch", "--times", str(N)], check=True, capture_output=True,
                          text=True).stdout
    draws = {}
    for row in csv.DictReader(io.StringIO(text)):
        draws.setdefault(row["sampler"], []).append(float(row["t"]))
    grid = [(k + 0.5) / 400 for k in range(400)]
    fig, ax = plt.subplots(figsize=(7, 4))
    for (name, density), colour in zip(densities().items(), ["C0", "C1", "C2", "C3", "C4"]):
        ax.hist(draws[name], bins=100, range=(0, 1), density=True, histtype="step", color=colour, alpha=0.6)
        ax.plot(grid, [density(t) for t in grid], color=colour, label=name)
    ax.set_xlabel("t (flow time; 0 = data, 1 = noise)")
    ax.set_ylabel("density")
    ax.set_ylim(0, 3)
    ax.set_title("Training-time samplers: diffuse's draws (steps) and the exact densities (lines)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=110)


if __name__ == "__main__":
    main()
