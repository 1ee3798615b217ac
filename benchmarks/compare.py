#!/usr/bin/python3
"""Runs diffuse's bench_noise and the PyTorch / NumPy baselines in one go; prints ns per element.

Usage (from the repository root, after building the benchmarks in one or two build directories):
    /usr/bin/python3 benchmarks/compare.py                 # build-bench and build-bench-native
    /usr/bin/python3 benchmarks/compare.py --ours default=build-bench/benchmarks/bench_noise

Ours run before and after the baselines (the better median of the two rounds counts), so that the
drift of a shared machine hits both sides alike. Ratios > 1 mean diffuse is faster. Both sides run
with OMP_PROC_BIND=true (unless --no-bind): unbound OpenMP threads were seen sharing one CPU of a
two-CPU virtual machine, so that 2 threads ran slower than 1 (for PyTorch as well).
"""
import argparse
import csv
import io
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_BASELINES = os.path.normpath(os.path.join(ROOT, "..", "shared", "bench", "baselines.py"))
WORKLOADS = ("64x4x64x64", "16x3x256x256")


def run_ours(binary, repetitions, min_time, env):
    """{benchmark name: median ns per element} from one run of bench_noise."""
    out = subprocess.run(
        [binary, "--benchmark_format=json", f"--benchmark_repetitions={repetitions}",
         "--benchmark_report_aggregates_only=true", f"--benchmark_min_time={min_time}"],
        check=True, capture_output=True, text=True, env=env)
    sys.stderr.write(out.stderr)
    result = {}
    for b in json.loads(out.stdout)["benchmarks"]:
        if b.get("aggregate_name") != "median" or "items_per_second" not in b:
            continue
        name = b["run_name"].replace("/real_time", "")
        result[name] = 1e9 / b["items_per_second"]
    return result


def run_baselines(script, python, env):
    """{(group, name, dtype, threads): median ns per element} from baselines.py."""
    env = dict(env, PERF_TAIL="0")
    out = subprocess.run([python, script, "all"], check=True, capture_output=True, text=True, env=env)
    rows = csv.DictReader(io.StringIO(out.stdout))
    return {(r["group"], r["name"], r["dtype"], int(r["threads"])): float(r["ns_per_elem_med"]) for r in rows}


def fmt(x):
    return "—" if x is None else f"{x:.3f}"


def ratio(slow, fast):
    return None if slow is None or fast is None or fast == 0 else slow / fast


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ours", action="append", default=[],
                        help="LABEL=PATH of a bench_noise binary (repeatable); default: build-bench "
                             "(label default) and build-bench-native (label native) if built")
    parser.add_argument("--baselines", default=DEFAULT_BASELINES, help="path of baselines.py")
    parser.add_argument("--python", default="/usr/bin/python3", help="Python with NumPy and PyTorch")
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--min-time", type=float, default=0.2)
    parser.add_argument("--no-bind", action="store_true", help="do not set OMP_PROC_BIND=true")
    args = parser.parse_args()
    env = dict(os.environ)
    if not args.no_bind:
        env["OMP_PROC_BIND"] = "true"

    builds = [tuple(o.split("=", 1)) for o in args.ours]
    if not builds:
        for label, directory in (("default", "build-bench"), ("native", "build-bench-native")):
            path = os.path.join(ROOT, directory, "benchmarks", "bench_noise")
            if os.path.exists(path):
                builds.append((label, path))
    if not builds:
        sys.exit("no bench_noise found: build it (see benchmarks/CMakeLists.txt) or pass --ours")

    print(f"# machine: {cpu_name()}, {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}; "
          f"OMP_PROC_BIND={env.get('OMP_PROC_BIND', 'unset')}", flush=True)
    first = {label: run_ours(path, args.repetitions, args.min_time, env) for label, path in builds}
    base = run_baselines(args.baselines, args.python, env)
    second = {label: run_ours(path, args.repetitions, args.min_time, env) for label, path in builds}
    ours = {label: {k: min(first[label][k], second[label].get(k, first[label][k])) for k in first[label]}
            for label, _ in builds}
    labels = [label for label, _ in builds]
    fastest = labels[-1]

    def b(group, name, dtype="f32", threads=1):
        return base.get((group, name, dtype, threads))

    print("\n## Forward noising with noise drawn, float32, ns per element (lower is better)")
    head = ["workload", "threads"] + [f"diffuse {l}" for l in labels] + [
        "torch diffusers", "torch in place", "numpy", "numpy in place",
        f"torch/{fastest}", f"numpy/{fastest}", f"numpy in place/{fastest}"]
    print("| " + " | ".join(head) + " |\n|" + "---|" * len(head))
    for w in WORKLOADS:
        for t in (1, 2):
            mine = [ours[l].get(f"e2e/noise_batch/{w}/t{t}") for l in labels]
            torch_d = b("e2e", f"torch_diffusers_add_noise_{w}", threads=t)
            torch_i = b("e2e", f"torch_inplace_{w}", threads=t)
            np_a = b("e2e", f"numpy_alloc_{w}") if t == 1 else None
            np_i = b("e2e", f"numpy_inplace_{w}") if t == 1 else None
            row = [w, str(t)] + [fmt(m) for m in mine] + [fmt(torch_d), fmt(torch_i), fmt(np_a), fmt(np_i),
                                                          fmt(ratio(torch_d, mine[-1])), fmt(ratio(np_a, mine[-1])),
                                                          fmt(ratio(np_i, mine[-1]))]
            print("| " + " | ".join(row) + " |")
    print("\ndiffuse also writing eps (the training target):",
          ", ".join(f"{l} {w} t{t} {fmt(ours[l].get(f'e2e/noise_batch_eps/{w}/t{t}'))}"
                    for l in labels for w in WORKLOADS for t in (1, 2)))

    print("\n## Noise given, float32, ns per element")
    head = ["workload", "threads"] + [f"diffuse add_noise {l}" for l in labels] + [
        f"triad {l}" for l in labels] + ["torch add_noise", "torch in place", "numpy", "numpy in place"]
    print("| " + " | ".join(head) + " |\n|" + "---|" * len(head))
    for w in WORKLOADS:
        for t in (1, 2):
            row = [w, str(t)] + [fmt(ours[l].get(f"given/add_noise/{w}/t{t}")) for l in labels] + [
                fmt(ours[l].get(f"given/triad/{w}/t1")) for l in labels] + [
                fmt(b("given", f"torch_diffusers_add_noise_{w}", threads=t)),
                fmt(b("given", f"torch_inplace_{w}", threads=t)),
                fmt(b("given", f"numpy_alloc_{w}") if t == 1 else None),
                fmt(b("given", f"numpy_inplace_{w}") if t == 1 else None)]
            print("| " + " | ".join(row) + " |")

    print("\n## Standard normals alone (2^20), ns per element")
    head = ["dtype", "threads"] + [f"diffuse {l}" for l in labels] + [
        "numpy default_rng", "torch randn", "torch normal_"]
    print("| " + " | ".join(head) + " |\n|" + "---|" * len(head))
    for dtype in ("f32", "f64"):
        for t in (1, 2):
            row = [dtype, str(t)] + [fmt(ours[l].get(f"gauss/fill_noise/{dtype}/t{t}")) for l in labels] + [
                fmt(b("gauss", "numpy_default_rng_standard_normal_out", dtype) if t == 1 else None),
                fmt(b("gauss", "torch_randn", dtype, t)), fmt(b("gauss", "torch_normal_inplace", dtype, t))]
            print("| " + " | ".join(row) + " |")
    print("\ndiffuse code paths, one thread (every path gives the same bits):",
          ", ".join(f"{k.split('/')[1].replace('fill_noise_', '')} {k.split('/')[2]} {fmt(v)}"
                    for k, v in ours[fastest].items() if k.startswith("path/")))

    print("\n## Targets (one thread, 64x4x64x64, noise drawn, unless stated)")
    w = "64x4x64x64"
    torch_d = b("e2e", f"torch_diffusers_add_noise_{w}")
    np_a, np_i = b("e2e", f"numpy_alloc_{w}"), b("e2e", f"numpy_inplace_{w}")
    checks = []
    if "native" in ours:
        n = ours["native"].get(f"e2e/noise_batch/{w}/t1")
        checks.append(("-march=native >= 5x faster than PyTorch diffusers-style", ratio(torch_d, n), 5))
        checks.append(("-march=native >= 10x faster than NumPy (allocating, as users write it)", ratio(np_a, n), 10))
        checks.append(("-march=native >= 10x faster than NumPy in place", ratio(np_i, n), 10))
    if "default" in ours:
        d = ours["default"].get(f"e2e/noise_batch/{w}/t1")
        checks.append(("default target >= 2x faster than PyTorch diffusers-style", ratio(torch_d, d), 2))
    for l in labels:
        given, tri = ours[l].get(f"given/add_noise/{w}/t1"), ours[l].get(f"given/triad/{w}/t1")
        checks.append((f"{l}: noise given within 1.2x of the triad (triad/ours >= 1/1.2)", ratio(tri, given), 1 / 1.2))
        one, two = ours[l].get(f"e2e/noise_batch/{w}/t1"), ours[l].get(f"e2e/noise_batch/{w}/t2")
        checks.append((f"{l}: 2 threads >= 1.7x faster than 1 (same bits: see bench_noise's first line)",
                       ratio(one, two), 1.7))
    for text, value, target in checks:
        status = "n/a" if value is None else ("met" if value >= target else "MISSED")
        print(f"- {text}: {fmt(value)} (target {target:.3g}) {status}")


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


if __name__ == "__main__":
    main()
