#!/usr/bin/python3
"""Plots a(t), b(t), log-SNR λ(t) and noise level σ(t) of every continuous-time family side by side,
from the CSV of the example program continuous_processes.

Usage: /usr/bin/python3 docs/plot_continuous.py BUILD_DIR docs/continuous_processes.png
       (BUILD_DIR holds examples/continuous_processes)
"""
import csv
import io
import math
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

FAMILIES = [
    ("vp_linear", "VP SDE, β 0.1..20"),
    ("sub_vp", "sub-VP SDE, β 0.1..20 (a as VP)"),
    ("cosine", "cosine"),
    ("shifted_cosine", "shifted cosine (512, ref 64)"),
    ("interpolated_cosine", "interpolated cosine (512, 32..256)"),
    ("vdm_linear", "VDM linear γ −13.3..5"),
    ("ve", "VE SDE, σ 0.01..50"),
    ("rectified_flow", "rectified flow, a = 1 − t, b = t"),
]
PANELS = [
    ("a", "a(t): signal coefficient", "linear"),
    ("b", "b(t): noise coefficient (VE's b = σ leaves the panel: see σ)", "linear"),
    ("log_snr", "λ(t) = log(a²/b²)", "linear"),
    ("sigma", "σ(t) = b/a (log scale)", "log"),
]


def table(build):
    out = subprocess.run([f"{build}/examples/continuous_processes", "--points", "401"], check=True, capture_output=True,
                         text=True).stdout
    return list(csv.DictReader(io.StringIO(out)))


def main():
    build, png = sys.argv[1], sys.argv[2]
    rows = table(build)
    t = [float(r["t"]) for r in rows]
    fig, grid = plt.subplots(2, 2, figsize=(13, 9))
    axes = grid.flatten()
    for ax, (column, title, scale) in zip(axes, PANELS):
        for name, label in FAMILIES:
            y = [float(r[f"{name}.{column}"]) for r in rows]
            points = [(x, v) for x, v in zip(t, y) if math.isfinite(v) and (scale != "log" or v > 0)]
            style = "--" if name in ("sub_vp", "ve", "rectified_flow") else "-"  # the processes that are not variance preserving
            ax.plot([x for x, _ in points], [v for _, v in points], style, label=label)
        ax.set(xlabel="t", title=title, yscale=scale)
        ax.grid(alpha=0.3)
    axes[1].set_ylim(0, 1.05)  # VE's b = σ grows to 50: it is in the σ panel
    axes[2].set_ylim(-25, 30)
    axes[3].set_ylim(1e-4, 1e5)
    axes[0].legend(fontsize=9, loc="lower left")
    fig.suptitle("Continuous-time forward processes q(x_t|x_0) = N(a(t) x_0, b(t)² I)\n"
                 "dashed: not variance preserving; λ = ±∞ and σ = 0, ∞ at the ends are not drawn", fontsize=12)
    fig.tight_layout()
    fig.savefig(png, dpi=100)


if __name__ == "__main__":
    main()
