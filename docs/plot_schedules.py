#!/usr/bin/python3
"""Plots ᾱ_t and log-SNR against t/T for every schedule family, with their zero-terminal-SNR variants.

Usage: plot_schedules.py BUILD_DIR OUT.png   (BUILD_DIR holds examples/schedule_table)
"""
import csv
import io
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

T = 1000
FAMILIES = [
    ("linear", []),
    ("scaled_linear", []),
    ("cosine", []),
    ("sigmoid", []),
    ("constant", ["--beta", "0.004"]),
]


def table(build, name, extra):
    out = subprocess.run([f"{build}/examples/schedule_table", "--schedule", name, "--steps", str(T), *extra],
                         check=True, capture_output=True, text=True).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    u = [int(r["t"]) / T for r in rows]
    return u, [float(r["alpha_bar"]) for r in rows], [float(r["log_snr"]) for r in rows]


def main():
    build, png = sys.argv[1], sys.argv[2]
    fig, (ax_abar, ax_lsnr) = plt.subplots(1, 2, figsize=(12, 4.5))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for (name, extra), color in zip(FAMILIES, colors):
        label = name + (" β=0.004" if name == "constant" else "")
        u, abar, lsnr = table(build, name, extra)
        ax_abar.plot(u, abar, color=color, label=label)
        ax_lsnr.plot(u, lsnr, color=color, label=label)
        u, abar, lsnr = table(build, name, [*extra, "--zero-terminal-snr"])
        ax_abar.plot(u, abar, color=color, linestyle="--")
        finite = [(x, y) for x, y in zip(u, lsnr) if y != float("-inf")]
        ax_lsnr.plot([x for x, _ in finite], [y for _, y in finite], color=color, linestyle="--")
    ax_abar.set(xlabel="t / T", ylabel="ᾱ_t", title=f"ᾱ_t (T = {T}); dashed: zero terminal SNR")
    ax_lsnr.set(xlabel="t / T", ylabel="log SNR_t", title="log-SNR λ_t (zero terminal SNR ends at −∞)")
    for ax in (ax_abar, ax_lsnr):
        ax.grid(alpha=0.3)
    ax_abar.legend()
    fig.tight_layout()
    fig.savefig(png, dpi=110)


if __name__ == "__main__":
    main()
