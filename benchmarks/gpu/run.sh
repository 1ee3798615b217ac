#!/usr/bin/env bash
# On a machine with an NVIDIA GPU, nvcc and PyTorch (JAX if importable): builds and runs the CUDA
# test (device bits equal to the CPU's, digests printed) and benchmark, then times PyTorch CUDA the
# diffusers way (randn_like + a·x0 + b·ε with gathered coefficients) and in place (normal_ + mul_ +
# addcmul_), and JAX (jit: normal + a·x0 + b·ε), float32, one step per sample, on the same GPU in the
# same run: ns per element and fraction of the device-to-device copy bandwidth.
# Run from anywhere: `bash benchmarks/gpu/run.sh`; outputs go to $OUT (default build-gpu/results).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=build-gpu
out=${OUT:-$build/results}
mkdir -p "$out"
python=${PYTHON:-python3}

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DDIFFUSE_BUILD_TESTS=OFF -DDIFFUSE_BUILD_EXAMPLES=OFF \
  -DDIFFUSE_INSTALL=OFF -DDIFFUSE_WERROR=ON -DDIFFUSE_CUDA=ON ${CMAKE_CUDA_ARCHITECTURES:+-DCMAKE_CUDA_ARCHITECTURES=$CMAKE_CUDA_ARCHITECTURES} \
  | tee "$out/configure.txt"
grep -q "the CUDA test, example and benchmark are built" "$out/configure.txt" || { echo "no CUDA compiler found" >&2; exit 1; }
cmake --build "$build" --target test_cuda_noise bench_cuda_noise -j"$(nproc)" > "$out/build.txt"

echo "== test: device bits against the CPU's"
"$build/tests/cuda/test_cuda_noise" | tee "$out/test_cuda_noise.txt"
echo "== diffuse on the GPU"
"$build/benchmarks/gpu/bench_cuda_noise" 20 | tee "$out/bench_cuda_noise.txt"

echo "== PyTorch and JAX on the same GPU"
"$python" - <<'PY' | tee "$out/frameworks.txt"
import importlib.util
import torch

assert torch.cuda.is_available(), "PyTorch sees no CUDA device"
dev = torch.device("cuda")
print(f"torch {torch.__version__} on {torch.cuda.get_device_name(0)}")


def best_ms(fn, reps=20):
    fn()
    torch.cuda.synchronize()
    best = float("inf")
    for _ in range(reps):
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        stop.record()
        stop.synchronize()
        best = min(best, start.elapsed_time(stop))
    return best


betas = torch.linspace(1e-4, 0.02, 1000, dtype=torch.float64)
alphas_cumprod = torch.cumprod(1 - betas, 0).to(torch.float32).to(dev)
sqrt_ab, sqrt_1m_ab = alphas_cumprod.sqrt(), (1 - alphas_cumprod).sqrt()
for batch, shape in ((64, (4, 64, 64)), (256, (4, 128, 128))):
    x0 = torch.randn(batch, *shape, device=dev)
    n = x0.numel()
    t = torch.randint(0, 1000, (batch,), device=dev)
    xt = torch.empty_like(x0)
    copy = best_ms(lambda: xt.copy_(x0))

    def diffusers_way():  # diffusers DDPMScheduler.add_noise after randn_like
        eps = torch.randn_like(x0)
        a = sqrt_ab[t].flatten().view(batch, 1, 1, 1)
        b = sqrt_1m_ab[t].flatten().view(batch, 1, 1, 1)
        return a * x0 + b * eps

    def in_place():
        a = sqrt_ab[t].view(batch, 1, 1, 1)
        b = sqrt_1m_ab[t].view(batch, 1, 1, 1)
        xt.normal_()
        xt.mul_(b)
        xt.addcmul_(x0, a)

    label = f"{batch}x" + "x".join(map(str, shape))
    for name, ms in (("torch copy_", copy), ("torch diffusers way", best_ms(diffusers_way)), ("torch in place", best_ms(in_place))):
        print(f"{label:14s} {name:26s} {ms * 1e6 / n:8.4f} ns/element  {copy / ms:.2f} of copy bandwidth")

if importlib.util.find_spec("jax"):
    import time

    import jax
    import jax.numpy as jnp

    print(f"jax {jax.__version__} on {jax.devices()[0]}")

    @jax.jit
    def noised(key, x0, a, b):
        return a * x0 + b * jax.random.normal(key, x0.shape, x0.dtype)

    for batch, shape in ((64, (4, 64, 64)), (256, (4, 128, 128))):
        x0 = jnp.ones((batch, *shape), jnp.float32)
        a = jnp.full((batch, 1, 1, 1), 0.7, jnp.float32)
        b = jnp.full((batch, 1, 1, 1), 0.7, jnp.float32)
        key = jax.random.PRNGKey(0)
        noised(key, x0, a, b).block_until_ready()
        best = float("inf")
        for _ in range(20):
            start = time.perf_counter()
            noised(key, x0, a, b).block_until_ready()
            best = min(best, time.perf_counter() - start)
        label = f"{batch}x" + "x".join(map(str, shape))
        print(f"{label:14s} {'jax normal + a*x0 + b*eps':26s} {best * 1e9 / x0.size:8.4f} ns/element  (wall clock, includes dispatch)")
else:
    print("jax not importable: skipped")
PY
echo "results in $out"
