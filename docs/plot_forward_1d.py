#!/usr/bin/python3
"""The 1-D forward process of Understanding Deep Learning ch. 18: the exact q(x_t) as an image over
(t, x) with sampled trajectories on top.

Usage: plot_forward_1d.py DIR OUT.png   (DIR holds forward_1d_density.csv and forward_1d_trajectories.csv)
"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def main():
    directory, png = sys.argv[1], sys.argv[2]
    with open(f"{directory}/forward_1d_density.csv") as f:
        rows = [(int(r["t"]), float(r["x"]), float(r["density"])) for r in csv.DictReader(f)]
    ts = sorted({t for t, _, _ in rows})
    xs = sorted({x for _, x, _ in rows})
    grid = np.zeros((len(xs), len(ts)))
    x_index = {x: i for i, x in enumerate(xs)}
    for t, x, p in rows:
        grid[x_index[x], t] = p
    with open(f"{directory}/forward_1d_trajectories.csv") as f:
        reader = csv.reader(f)
        next(reader)
        traj = np.array([[float(v) for v in row] for row in reader])

    fig, (ax_img, ax_cut) = plt.subplots(1, 2, figsize=(12, 4.5), gridspec_kw={"width_ratios": [2, 1]})
    ax_img.imshow(grid, origin="lower", aspect="auto", cmap="Blues",
                  extent=(ts[0] - 0.5, ts[-1] + 0.5, xs[0], xs[-1]))
    for j in range(1, traj.shape[1]):
        ax_img.plot(traj[:, 0], traj[:, j], linewidth=1)
    ax_img.set(xlabel="step t", ylabel="x_t",
               title="exact q(x_t) (β = 0.01511, T = 100) and sampled trajectories")
    for t in (0, 5, 20, 100):
        ax_cut.plot(xs, grid[:, t], label=f"t = {t}")
    ax_cut.set(xlabel="x", ylabel="q(x_t)", title="q(x_t) at a few steps")
    ax_cut.legend()
    ax_cut.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(png, dpi=110)


if __name__ == "__main__":
    main()
