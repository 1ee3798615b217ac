// A batch noised on the GPU with the library's noise: x_t and the ε target in one pass, the same
// bits as add_noise on the CPU. Without a GPU it says so and exits 77 (CTest: skipped).
#include <diffuse/cuda/noise.cuh>
#include <diffuse/diffuse.hpp>

#include <cstdio>
#include <cstring>
#include <vector>

#include <cuda_runtime.h>

int main() {
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
    std::printf("no CUDA device: skipped\n");
    return 77;
  }
  const auto schedule = diffuse::Schedule<float>::linear(1000);
  const Eigen::Index elements = 4 * 32 * 32, samples = 8;  // a contiguous (8, 4, 32, 32) batch
  const Eigen::MatrixXf x0 = Eigen::MatrixXf::Random(elements, samples);
  const Eigen::VectorXi ids = Eigen::VectorXi::LinSpaced(samples, 100, 107);  // data-set indices
  const std::vector<int> steps{1, 100, 250, 400, 550, 700, 850, 1000};
  const std::size_t bytes = static_cast<std::size_t>(x0.size()) * sizeof(float);

  float *x0_d = nullptr, *xt_d = nullptr, *eps_d = nullptr;
  cudaMalloc(&x0_d, bytes);
  cudaMalloc(&xt_d, bytes);
  cudaMalloc(&eps_d, bytes);
  cudaMemcpy(x0_d, x0.data(), bytes, cudaMemcpyHostToDevice);
  diffuse::cuda_add_noise(schedule, x0_d, static_cast<std::size_t>(elements), static_cast<std::size_t>(samples),
                          /*seed=*/2024u, ids, steps, xt_d, diffuse::Prediction::epsilon, eps_d, /*stream=*/nullptr);
  Eigen::MatrixXf xt_gpu(elements, samples), eps_gpu(elements, samples);
  cudaMemcpy(xt_gpu.data(), xt_d, bytes, cudaMemcpyDeviceToHost);  // waits for the kernel
  cudaMemcpy(eps_gpu.data(), eps_d, bytes, cudaMemcpyDeviceToHost);
  const cudaError_t status = cudaGetLastError();
  cudaFree(x0_d);
  cudaFree(xt_d);
  cudaFree(eps_d);
  if (status != cudaSuccess) {
    std::printf("CUDA error %s: %s\n", cudaGetErrorName(status), cudaGetErrorString(status));
    return 1;
  }

  Eigen::MatrixXf xt_cpu(elements, samples), eps_cpu(elements, samples);
  diffuse::add_noise(schedule, x0, diffuse::drawn_noise(2024u, ids), steps, xt_cpu, eps_cpu);
  const bool same =
      std::memcmp(xt_gpu.data(), xt_cpu.data(), bytes) == 0 && std::memcmp(eps_gpu.data(), eps_cpu.data(), bytes) == 0;
  std::printf("x_t(0, 0) = %.9g at t = %d; GPU and CPU: %s\n", static_cast<double>(xt_gpu(0, 0)), steps[0],
              same ? "same bits" : "DIFFERENT bits");
  return same ? 0 : 1;
}
