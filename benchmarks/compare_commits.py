#!/usr/bin/python3
"""bench_noise at two commits, interleaved: did a change make noising slower?

Builds bench_noise (Release, Google Benchmark from Debian libbenchmark-dev) of each commit in a
scratch git worktree, at the compiler's default target and with -march=native, then runs the four
binaries in alternating rounds, one thread, on add_noise with drawn noise (e2e/noise_batch, both
workloads), and prints for each the best and the median ns per element over all rounds and the
ratios after/before (< 1: faster after). The best is what the other work of a shared machine
disturbs least; alternating rounds let drift hit both sides alike.

Usage (from the repository root):
    /usr/bin/python3 benchmarks/compare_commits.py BEFORE [AFTER] [--rounds 6] [--scratch DIR]
AFTER defaults to HEAD. The worktrees stay in the scratch directory (default
$TMPDIR/diffuse-compare-commits) for the next run; `rm -rf` it and `git worktree prune` to drop them.
Issue 14's check, the noising before the process concept against now:
    /usr/bin/python3 benchmarks/compare_commits.py 75d05fb^
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FLAGS = {"default": [], "native": ["-DCMAKE_CXX_FLAGS=-march=native"]}


def build(commit, scratch):
    """{flags label: bench_noise path} of one commit, built in a worktree under scratch (named by its hash)."""
    sha = subprocess.run(["git", "-C", ROOT, "rev-parse", "--verify", commit + "^{commit}"], check=True,
                         capture_output=True, text=True).stdout.strip()
    source = os.path.join(scratch, sha)
    if not os.path.isdir(source):
        subprocess.run(["git", "-C", ROOT, "worktree", "add", "--detach", source, sha], check=True,
                       capture_output=True)
    binaries = {}
    for label, flags in FLAGS.items():
        binary_dir = os.path.join(source, "build-" + label)
        subprocess.run(["cmake", "-S", source, "-B", binary_dir, "-DCMAKE_BUILD_TYPE=Release",
                        "-DDIFFUSE_BUILD_BENCHMARKS=ON", "-DDIFFUSE_BUILD_TESTS=OFF",
                        "-DDIFFUSE_BUILD_EXAMPLES=OFF", "--no-warn-unused-cli", "-DDIFFUSE_CUDA=OFF"] + flags,
                       check=True, capture_output=True)
        subprocess.run(["cmake", "--build", binary_dir, "--target", "bench_noise", "-j2"], check=True,
                       capture_output=True)
        binaries[label] = os.path.join(binary_dir, "benchmarks", "bench_noise")
    return binaries


def run(binary):
    """{workload: [ns per element of each repetition]} of e2e/noise_batch/<workload>/t1."""
    env = dict(os.environ, OMP_NUM_THREADS="1", OMP_PROC_BIND="true")
    out = subprocess.run([binary, "--benchmark_filter=^e2e/noise_batch/.*/t1", "--benchmark_repetitions=5",
                          "--benchmark_min_time=0.2", "--benchmark_format=json"],
                         check=True, capture_output=True, text=True, env=env).stdout
    result = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("run_type") == "iteration":
            result.setdefault(b["run_name"].split("/")[2], []).append(1e9 / b["items_per_second"])
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after", nargs="?", default="HEAD")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--scratch", default=os.path.join(tempfile.gettempdir(), "diffuse-compare-commits"))
    args = parser.parse_args()
    os.makedirs(args.scratch, exist_ok=True)
    sides = {"before": build(args.before, args.scratch), "after": build(args.after, args.scratch)}
    times = {}
    for _ in range(args.rounds):
        for side, binaries in sides.items():
            for label, binary in binaries.items():
                for workload, values in run(binary).items():
                    times.setdefault((workload, label, side), []).extend(values)
    print(f"e2e/noise_batch, 1 thread, ns per element: {args.before} (before) against {args.after} (after)")
    for workload in sorted({key[0] for key in times}):
        for label in FLAGS:
            before, after = times[(workload, label, "before")], times[(workload, label, "after")]
            print(f"{workload:>14} {label:>7}: before best {min(before):.3f} median {statistics.median(before):.3f}, "
                  f"after best {min(after):.3f} median {statistics.median(after):.3f}; after/before best "
                  f"{min(after) / min(before):.3f}, median {statistics.median(after) / statistics.median(before):.3f}")


if __name__ == "__main__":
    main()
