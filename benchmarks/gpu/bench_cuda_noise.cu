// cuda_add_noise and cuda_fill_noise timed with CUDA events, float32, one step per sample, against a
// device-to-device copy of the batch (one read and one write per element, what x_t alone must move):
// ns per element and the fraction of the copy's bandwidth. Prints a digest of each output.
// Usage: bench_cuda_noise [repetitions]   (exits 77 without a GPU)
#include <diffuse/cuda/noise.cuh>
#include <diffuse/diffuse.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "device_support.cuh"

namespace {

using diffuse_cuda_support::check;
using diffuse_cuda_support::DeviceArray;

/// The fastest of `repetitions` timed runs of `run` (after one warm-up), in milliseconds.
float best_ms(int repetitions, const std::function<void()>& run) {
  cudaEvent_t start, stop;
  check(cudaEventCreate(&start), "cudaEventCreate");
  check(cudaEventCreate(&stop), "cudaEventCreate");
  run();
  float best = 1e30f;
  for (int r = 0; r < repetitions; ++r) {
    check(cudaEventRecord(start), "cudaEventRecord");
    run();
    check(cudaEventRecord(stop), "cudaEventRecord");
    check(cudaEventSynchronize(stop), "cudaEventSynchronize");
    float ms = 0;
    check(cudaEventElapsedTime(&ms, start, stop), "cudaEventElapsedTime");
    best = std::min(best, ms);
  }
  check(cudaEventDestroy(start), "cudaEventDestroy");
  check(cudaEventDestroy(stop), "cudaEventDestroy");
  return best;
}

void bench(std::size_t samples, std::size_t elements, const char* shape, int repetitions) {
  const auto schedule = diffuse::Schedule<float>::linear(1000);
  const std::size_t n = samples * elements;
  std::vector<float> x0(n);
  for (std::size_t k = 0; k < n; ++k) x0[k] = static_cast<float>(static_cast<int>(k % 2001) - 1000) / 512;
  Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1> ids(static_cast<Eigen::Index>(samples));
  std::vector<int> steps(samples);
  for (std::size_t j = 0; j < samples; ++j) {
    ids(static_cast<Eigen::Index>(j)) = static_cast<std::int64_t>(j);
    steps[j] = static_cast<int>(1 + (j * 397) % 1000);
  }
  DeviceArray<float> x0_d(n), xt_d(n), eps_d(n);
  x0_d.upload(x0.data());
  const std::uint64_t seed = 2024;

  const double copy = best_ms(repetitions, [&] {
    check(cudaMemcpyAsync(xt_d.data(), x0_d.data(), n * sizeof(float), cudaMemcpyDeviceToDevice), "cudaMemcpyAsync");
  });
  const double noise =
      best_ms(repetitions, [&] { diffuse::cuda_fill_noise(seed, ids, eps_d.data(), elements, samples, nullptr); });
  const double xt = best_ms(repetitions, [&] {
    diffuse::cuda_add_noise(schedule, x0_d.data(), elements, samples, seed, ids, steps, xt_d.data(), nullptr);
  });
  const std::vector<float> xt_host = xt_d.download();
  const double xt_eps = best_ms(repetitions, [&] {
    diffuse::cuda_add_noise(schedule, x0_d.data(), elements, samples, seed, ids, steps, xt_d.data(),
                            diffuse::Prediction::epsilon, eps_d.data(), nullptr);
  });
  const std::vector<float> eps_host = eps_d.download();
  check(cudaGetLastError(), "the benchmark");

  const double per = 1e6 / static_cast<double>(n);  // ms to ns per element
  // Bytes moved: the copy 8 per element; x_t 8 (read x_0, write x_t); noise alone 4; x_t and ε 12.
  const auto line = [&](const char* what, double ms, double bytes_per_element) {
    const double fraction = (copy / 8.0 * bytes_per_element) / ms;
    std::printf("%-10s %-26s %8.4f ns/element  %7.1f GB/s  %.2f of copy bandwidth\n", shape, what, ms * per,
                bytes_per_element * static_cast<double>(n) / (ms * 1e6), fraction);
  };
  line("device-to-device copy", copy, 8);
  line("cuda_fill_noise", noise, 4);
  line("cuda_add_noise x_t", xt, 8);
  line("cuda_add_noise x_t + eps", xt_eps, 12);
  std::printf("%-10s digest x_t %016llx eps %016llx\n", shape,
              static_cast<unsigned long long>(diffuse_cuda_support::digest(xt_host.data(), n)),
              static_cast<unsigned long long>(diffuse_cuda_support::digest(eps_host.data(), n)));
}

}  // namespace

int main(int argc, char** argv) {
  if (!diffuse_cuda_support::device_present()) return diffuse_cuda_support::skip_code;
  const int repetitions = argc > 1 ? std::max(1, std::atoi(argv[1])) : 20;
  try {
    cudaDeviceProp prop{};
    check(cudaGetDeviceProperties(&prop, 0), "cudaGetDeviceProperties");
    std::printf("device: %s\n", prop.name);
    bench(64, 4 * 64 * 64, "64x4x64x64", repetitions);
    bench(256, 4 * 128 * 128, "256x4x128x128", repetitions);
  } catch (const std::exception& e) {
    std::printf("FAILED: %s\n", e.what());
    return 1;
  }
  return 0;
}
