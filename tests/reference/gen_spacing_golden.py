#!/usr/bin/env python3
"""Golden timestep sequences for tests/test_spacing.cpp, computed the way the Python tools compute them.

Each family is re-stated from its published definition with the same NumPy / Python float64
calls, independently of diffuse's C++ code:
  - diffusers DDPMScheduler/DDIMScheduler.set_timesteps (timestep_spacing linspace, leading,
    trailing; steps_offset);
  - LDM ldm/models/diffusion/ddim.py make_ddim_timesteps (uniform, quad);
  - improved-diffusion improved_diffusion/respace.py space_timesteps (section counts, "ddimN").
The raw output of each tool is then judged by the rules diffuse documents (include/diffuse/spacing.hpp):
every model index must lie in [0, T - 1] and the sequence must be strictly monotone, otherwise the
case is an error; trailing keeps the first N values where NumPy's arange gives N + 1 (float drift);
improved-diffusion's "ddimN" also accepts the stride T (its loop stops at T - 1).

Output: spacing_golden.txt beside this script, one case per line:
  diffusers <spacing> <T> <N> <steps_offset> <status> <index...>   (sampler order, descending)
  ldm <uniform|quad> <T> <N> 0 <status> <index...>                  (descending)
  respace <spec> <T> - 0 <status> <index...>                        (ascending kept indices)
status: ok, drift (trailing: NumPy made N + 1 values, the first N are expected) or error.
Indices are 0-based model indices; diffuse's step is t = index + 1.

Run: /usr/bin/python3 tests/reference/gen_spacing_golden.py
"""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

TRAIN_STEPS = [1, 2, 3, 5, 10, 16, 50, 100, 999, 1000, 1001]
BASE_N = [1, 2, 3, 4, 5, 7, 10, 13, 16, 20, 25, 50, 100, 333, 999, 1000]


def inference_grid(T):
    return sorted({n for n in BASE_N + [T - 1, T, T // 2, T // 3] if 1 <= n <= T})


def diffusers_raw(spacing, T, N, steps_offset):
    """The timesteps array diffusers' DDIMScheduler.set_timesteps builds (DDPMScheduler's is the same)."""
    if spacing == "linspace":
        return np.linspace(0, T - 1, N).round()[::-1].copy().astype(np.int64)
    if spacing == "leading":
        step_ratio = T // N
        timesteps = (np.arange(0, N) * step_ratio).round()[::-1].copy().astype(np.int64)
        return timesteps + steps_offset
    if spacing == "trailing":
        step_ratio = T / N
        timesteps = np.round(np.arange(T, 0, -step_ratio)).astype(np.int64)
        return timesteps - 1
    raise ValueError(spacing)


def ldm_raw(method, T, N):
    """LDM's make_ddim_timesteps(method, N, T), flipped to the order its sampler visits."""
    if method == "uniform":
        c = T // N
        ddim_timesteps = np.asarray(list(range(0, T, c)))
    else:
        ddim_timesteps = ((np.linspace(0, np.sqrt(T * .8), N)) ** 2).astype(int)
    steps_out = ddim_timesteps + 1
    return np.flip(steps_out)


def space_timesteps(T, section_counts):
    """improved-diffusion's space_timesteps, as a sorted list; the ddim stride may also be T."""
    if isinstance(section_counts, str):
        if section_counts.startswith("ddim"):
            desired_count = int(section_counts[len("ddim"):])
            for i in range(1, T + 1):  # improved-diffusion: range(1, T)
                if len(range(0, T, i)) == desired_count:
                    return sorted(set(range(0, T, i)))
            raise ValueError("no stride")
        section_counts = [int(x) for x in section_counts.split(",")]
    size_per = T // len(section_counts)
    extra = T % len(section_counts)
    start_idx = 0
    all_steps = []
    for i, section_count in enumerate(section_counts):
        size = size_per + (1 if i < extra else 0)
        if size < section_count:
            raise ValueError("cannot divide section of %d steps into %d" % (size, section_count))
        if section_count <= 1:
            frac_stride = 1
        else:
            frac_stride = (size - 1) / (section_count - 1)
        cur_idx = 0.0
        taken_steps = []
        for _ in range(section_count):
            taken_steps.append(start_idx + round(cur_idx))
            cur_idx += frac_stride
        all_steps += taken_steps
        start_idx += size
    if not all_steps:
        raise ValueError("no step kept")  # improved-diffusion returns an empty set; diffuse rejects it
    return sorted(set(all_steps))


def judge(values, T, descending):
    values = [int(v) for v in values]
    if any(v < 0 or v > T - 1 for v in values):
        return "error", []
    pairs = zip(values, values[1:])
    if not all((a > b) if descending else (a < b) for a, b in pairs):
        return "error", []
    return "ok", values


def diffusers_case(spacing, T, N, offset):
    raw = diffusers_raw(spacing, T, N, offset)
    status = "ok"
    if spacing == "trailing" and len(raw) == N + 1:
        raw = raw[:N]
        status = "drift"
    assert len(raw) == N, (spacing, T, N, len(raw))
    judged, values = judge(raw, T, descending=True)
    return (status if judged == "ok" else "error"), values


def line(*fields):
    return " ".join(str(f) for f in fields)


def main():
    lines = []
    drift_pairs = [(T, N) for T in range(1, 1001) for N in range(1, T + 1)
                   if len(np.arange(T, 0, -(T / N))) == N + 1]
    for T in TRAIN_STEPS:
        for N in inference_grid(T):
            for spacing in ("linspace", "leading", "trailing"):
                # steps_offset acts on leading only: offset 1 is checked to change nothing elsewhere
                # on the small T, and offsets -1 and 2 probe leading's range check.
                offsets = (0, 1) if spacing == "leading" or T <= 100 else (0,)
                offsets += (-1, 2) if spacing == "leading" and (T <= 100 or N <= 100) else ()
                for offset in offsets:
                    status, values = diffusers_case(spacing, T, N, offset)
                    lines.append(line("diffusers", spacing, T, N, offset, status, *values))
            for method in ("uniform", "quad"):
                status, values = judge(ldm_raw(method, T, N), T, descending=True)
                lines.append(line("ldm", method, T, N, 0, status, *values))
    for T, N in drift_pairs[:12] + [(999, 13)]:
        status, values = diffusers_case("trailing", T, N, 0)
        lines.append(line("diffusers", "trailing", T, N, 0, status, *values))

    for T in [1, 2, 3, 10, 50, 100, 300, 999, 1000, 4000]:
        specs = ["ddim%d" % n for n in inference_grid(T)] + ["ddim0"]
        specs += [str(n) for n in inference_grid(T)] + [str(T + 1), "0"]
        specs += ["10,15,20", "1,2,3", "0,5", "5,0", "3,3,3,3", "7,1,0,2", "%d,%d" % (T // 2, T - T // 2)]
        for spec in specs:
            try:
                values = space_timesteps(T, spec)
                status, values = judge(values, T, descending=False)
            except ValueError:
                status, values = "error", []
            lines.append(line("respace", spec, T, "-", 0, status, *values))

    path = os.path.join(HERE, "spacing_golden.txt")
    with open(path, "w") as f:
        f.write("# Generated by gen_spacing_golden.py (NumPy %s); see the script for the format.\n" % np.__version__)
        f.write("# trailing spacing: %d of the %d pairs (T, N), 1 <= N <= T <= 1000, give N + 1 values in NumPy\n"
                % (len(drift_pairs), 1000 * 1001 // 2))
        f.write("\n".join(lines) + "\n")
    print("wrote %s: %d cases; trailing drift pairs (T <= 1000): %d, first %s"
          % (path, len(lines), len(drift_pairs), drift_pairs[:5]))


if __name__ == "__main__":
    main()
