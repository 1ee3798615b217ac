#!/usr/bin/python3
"""The sampler σ-schedules a user picks by name, for one discrete VP model (SDXL) and one flow model
(Flux.1 dev), at N = 20 steps, from the output of the example program sampler_sigmas.

Usage: /usr/bin/python3 docs/plot_sampler_sigmas.py BUILD_DIR docs/sampler_sigmas.png
       (BUILD_DIR holds examples/sampler_sigmas)
"""
import csv
import io
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

SCHEDULES = ["simple", "sgm_uniform", "normal", "karras", "exponential", "beta", "kl_optimal"]
STEPS = 20


def sigmas(build, preset, schedule):
    """sampler_sigmas' σ column for a preset and a schedule name."""
    out = subprocess.run([f"{build}/examples/sampler_sigmas", "--preset", preset, "--schedule", schedule, "--steps",
                          str(STEPS)], check=True, capture_output=True, text=True).stdout
    return [float(row["sigma"]) for row in csv.DictReader(io.StringIO(out))]


def main():
    build, png = sys.argv[1], sys.argv[2]
    fig, axes = plt.subplots(1, 2, figsize=(13, 5.5))
    panels = [("sdxl", "SDXL (discrete VP, σ from 0.029 to 14.6): log scale", "log"),
              ("flux-dev", "Flux.1 dev (flow, μ = 1.15): σ = t", "linear")]
    for ax, (preset, title, scale) in zip(axes, panels):
        for k, name in enumerate(SCHEDULES):
            sigma = sigmas(build, preset, name)
            levels = sigma[:-1] if sigma[-1] == 0 else sigma  # the final 0 has no place on a log axis
            # simple is drawn wide underneath: sgm_uniform nearly coincides with it
            ax.plot(range(len(levels)), levels, "-" if k == 0 else "-o", linewidth=6 if k == 0 else 1.5,
                    alpha=0.35 if k == 0 else 1, markersize=3, label=name)
        ax.set(xlabel="sampling step i", ylabel="σ_i", yscale=scale, title=title)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle(f"ComfyUI's sampler schedules by name, N = {STEPS} (sampler_schedules.hpp, exact; the final σ = 0 "
                 "not drawn)")
    fig.tight_layout()
    fig.savefig(png, dpi=100)


if __name__ == "__main__":
    main()
