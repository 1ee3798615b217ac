#!/usr/bin/python3
"""Where a flow-matching sampler puts its steps: the σ of diffusers' FlowMatchEulerDiscreteScheduler
for SD3 (static shift 3) and Flux (μ from the resolution), and the density of those steps over σ,
from the output of the example program flow_matching.

Usage: /usr/bin/python3 docs/plot_flow_steps.py BUILD_DIR docs/flow_steps.png
       (BUILD_DIR holds examples/flow_matching)
"""
import csv
import io
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def sigmas(build, steps, size):
    """The columns of flow_matching's sampling table (the part after its '# Flux' line)."""
    out = subprocess.run([f"{build}/examples/flow_matching", "--steps", str(steps), "--width", str(size), "--height",
                          str(size), "--batch", "1"], check=True, capture_output=True, text=True).stdout
    head, table = out.split("# Flux", 1)
    title, rest = table.split("\n", 1)
    rows = list(csv.DictReader(io.StringIO(rest)))
    return title.strip(), {k: [float(r[k]) for r in rows] for k in rows[0] if k != "i"}


def density(sigma):
    """Steps per unit σ between neighbouring σ_i, at the midpoints: 1/(N Δσ)."""
    n = len(sigma) - 1
    mids = [(a + b) / 2 for a, b in zip(sigma, sigma[1:])]
    return mids, [1 / (n * (a - b)) for a, b in zip(sigma, sigma[1:])]


def main():
    build, png = sys.argv[1], sys.argv[2]
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5.5))
    curves = []
    _, sd3 = sigmas(build, 400, 1024)
    curves.append(("SD3: static shift 3 (diffusers)", sd3["sd3"], "-"))
    curves.append(("no shift: linspace(1, 1/N, N)", [1 - i / 400 for i in range(400)] + [0.0], ":"))
    for size in (256, 512, 1024, 2048):
        title, table = sigmas(build, 400, size)
        curves.append((f"Flux pipeline, {size}² ({title.split(': ', 1)[1]})", table["flux_pipeline"], "--"))
    for label, sigma, style in curves:
        n = len(sigma) - 1
        left.plot([i / n for i in range(n + 1)], sigma, style, label=label)
        mids, d = density(sigma[:-1])  # the N levels, without the last jump to 0
        right.plot(mids, d, style, label=label)
    left.set(xlabel="i/N (fraction of the sampling steps done)", ylabel="σ_i = t", title="σ of step i (N = 400)")
    right.set(xlabel="σ", ylabel="steps per unit σ, 1/(N Δσ)", yscale="log",
              title="steps per unit σ (a larger shift: more steps at high noise)")
    for ax in (left, right):
        ax.grid(alpha=0.3)
    left.legend(fontsize=8)
    fig.suptitle("diffusers FlowMatchEulerDiscreteScheduler steps (flow_steps.hpp, exact); the last step goes to σ = 0")
    fig.tight_layout()
    fig.savefig(png, dpi=100)


if __name__ == "__main__":
    main()
