#!/usr/bin/python3
"""Reference normals of PyTorch's CPU generator, for include/diffuse/torch_generator.hpp.

Run from the repository root:  /usr/bin/python3 tests/reference/gen_torch_randn.py
Writes tests/reference/torch_randn.txt. Needs Debian's python3-torch (1.13); the values are what
torch itself returns, never computed here.

Record format (one per line, whitespace separated; '#' starts a comment):
  randn <case> <dtype> <seed> <shape> : <value> ...
shape is the dimensions joined by 'x'; values are exact hex floats (float.hex of the float32 or
float64 element), row-major. Lines with the same <case> are consecutive calls on one generator
(torch.Generator().manual_seed(seed)), in file order; the first call of a case comes right after
seeding. Cases named 'global*' use torch.manual_seed(seed) and the default generator instead.
dtype f32 is torch's float32 on a CPU with AVX2 (its log256_ps/sincos256_ps blocks); f32portable is
float32 again from a child process run with ATEN_CPU_CAPABILITY=default (the C library's logf, cosf,
sinf blocks: TorchFloat32Path::portable); f64 is float64.
"""
import os
import re
import subprocess
import sys

import torch

SIZES = [1, 7, 15, 16, 17, 31, 100, 1000]
SEEDS = [0, 42, 2**32 + 7, 123456789]
# Consecutive calls on one generator: the scalar path's cached second normal crosses calls, the
# 16-block path leaves it alone.
SEQUENCES = {
    "seq_a": [(3,), (1,), (16,), (1,), (5,), (20,), (2, 3)],
    "seq_b": [(17,), (4, 4), (1, 4, 8, 8), (7,), (33,)],
}


def cpu_capability():
    """The SIMD kernels torch dispatches to (float32 normals of 16 or more differ between them)."""
    found = re.search(r"CPU capability usage: ([^\n]+)", torch.__config__.show())
    return "CPU capability " + (found.group(1) if found else "unknown")


def fmt(tensor):
    return " ".join(float(v).hex() for v in tensor.flatten().tolist())


def shape_name(shape):
    return "x".join(str(d) for d in shape)


def records(dtypes):
    lines = []
    for dtype, name in dtypes:
        for seed in SEEDS:
            for n in SIZES:
                g = torch.Generator().manual_seed(seed)
                case = f"{name}_s{seed}_n{n}"
                x = torch.randn((n,), generator=g, dtype=dtype)
                lines.append(f"randn {case} {name} {seed} {n} : {fmt(x)}")
        for case, shapes in SEQUENCES.items():
            g = torch.Generator().manual_seed(7)
            for shape in shapes:
                x = torch.randn(shape, generator=g, dtype=dtype)
                lines.append(f"randn {name}_{case} {name} 7 {shape_name(shape)} : {fmt(x)}")
        torch.manual_seed(2024)
        for shape in [(4,), (1, 4, 8, 8)]:
            x = torch.randn(shape, dtype=dtype)
            lines.append(f"randn global_{name} {name} 2024 {shape_name(shape)} : {fmt(x)}")
    return lines


def main():
    if sys.argv[1:] == ["--portable"]:  # the child: float32 without the AVX2 kernels
        print(cpu_capability())
        print("\n".join(records([(torch.float32, "f32portable")])))
        return
    if cpu_capability() != "CPU capability AVX2":
        sys.exit("run this on an x86-64 CPU with AVX2 (torch reports " + cpu_capability() + ")")
    child = subprocess.run([sys.executable, __file__, "--portable"], check=True, capture_output=True, text=True,
                           env=dict(os.environ, ATEN_CPU_CAPABILITY="default")).stdout.splitlines()
    if child[0] != "CPU capability NO AVX":
        sys.exit("ATEN_CPU_CAPABILITY=default was not honoured: " + child[0])
    lines = [
        "# torch.randn on the CPU, torch " + torch.__version__ + ", " + cpu_capability()
        + " (f32portable: " + child[0] + "); written by tests/reference/gen_torch_randn.py"
    ]
    lines += records([(torch.float32, "f32"), (torch.float64, "f64")]) + child[1:]
    with open("tests/reference/torch_randn.txt", "w") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
