/// The noise contract on an NVIDIA GPU: drawn noise, and forward noising fused with it (x_t and optionally the training target in one pass), on device memory and a CUDA stream.
///
/// Optional (not in diffuse.hpp): include it from a .cu file compiled by nvcc with
/// `--expt-relaxed-constexpr -fmad=false` (the CMake target of tests/cuda, examples and
/// benchmarks/gpu shows the flags). What it computes is defined by docs/noise_contract.md and by
/// noise.hpp's add_noise with drawn noise, bit for bit:
///
///   ε_{j,i} = noise_value(seed, ids(j), i)                              (noise_element.hpp)
///   x_t     = noised_value(a_j, x0_{j,i}, b_j, ε_{j,i}) = fl(fl(a_j x0) + fl(b_j ε))
///   target  ε, x_0 (a copy), v = fl(fl(−b_j x0) + fl(a_j ε)) or u = fl(ε − x_0) (= scaled_sum(−1, x0, 1, ε),
///           multiplying by ±1 being exact): training_batch.hpp's targets, with its rounding.
///
/// (a_j, b_j) are the process's signal_scale and noise_scale at sample j's coordinate
/// (ProcessTraits, process.hpp), formed on the host by the very code of the CPU path
/// (detail::with_drawn_noise_tasks of noise.hpp: the same checks, the same coefficients) and
/// uploaded with the ids as one small array per call; so every process the CPU takes, the GPU takes.
///
/// Layout: a batch on the device is `samples` columns of `elements` contiguous values, sample j at
/// pointer + j·elements: a contiguous (B, C, H, W) tensor with elements = C·H·W and samples = B (the
/// column-major Eigen view of noise.hpp). Each thread makes whole Philox blocks (4 floats or 2
/// doubles, one call of noise_block_values), loads x_0 and stores its outputs 16 bytes at a time when
/// every pointer is 16-byte aligned and `elements` is a multiple of the block, one value at a time
/// otherwise (any size), in grid-stride loops over blocks (x) and samples (y).
///
/// Device bits equal host bits: the kernel calls only the DIFFUSE_HOST_DEVICE functions of
/// noise_element.hpp, whose products that the CPU rounds apart are __fmul_rn/__dmul_rn (never
/// contracted) and whose fused multiply-adds are __fmaf_rn/__fma_rn; `-fmad=false` additionally keeps
/// nvcc from contracting anything else. Not under --use_fast_math's other options (-ftz, -prec-div,
/// -prec-sqrt): the contract needs IEEE division and square root without flushing subnormals.
///
/// Checked on the host before anything is launched (std::invalid_argument unless said otherwise,
/// "diffuse::cuda_add_noise: <rule> (got <value>)"): a null pointer or one not aligned to its
/// scalar; elements × samples values beyond what a std::ptrdiff_t counts in bytes
/// (std::out_of_range); ids or coordinates with another count than samples, a negative id
/// (std::out_of_range), a coordinate outside the process (std::out_of_range); x_t and target the
/// same memory; the v target of a process that is not variance preserving. A CUDA error (allocation,
/// copy, launch) throws std::runtime_error with cudaGetErrorName and cudaGetErrorString.
/// The calls are asynchronous on `stream` (the per-sample array is copied from pageable memory,
/// which CUDA stages before the call returns); synchronise before reading the outputs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <cuda_runtime.h>

#include <Eigen/Core>

#include "../noise.hpp"
#include "../noise_element.hpp"
#include "../training_time.hpp"

namespace diffuse {
namespace detail {
namespace cuda {

/// What one sample needs on the device: its id and the coefficients of x_t and of the target.
template <class Scalar>
struct SampleNoise {
  std::uint64_t id;
  Scalar a;         ///< signal scale a_j
  Scalar b;         ///< noise scale b_j
  Scalar target_a;  ///< target = scaled_sum(target_a, x0, target_b, ε) when Output::combination
  Scalar target_b;
};

/// What the second output receives: nothing, ε, a copy of x_0, or scaled_sum(target_a, x0, target_b, ε).
enum class Output { none, noise, x0, combination };

/// The arguments of one launch (device pointers; x0 and xt null when only noise is drawn).
template <class Scalar>
struct Launch {
  std::uint64_t seed;
  std::uint64_t elements;  ///< values per sample
  std::uint64_t samples;
  std::uint64_t blocks_per_sample;  ///< ⌈elements / n⌉, n = noise_values_per_block<Scalar>
  const SampleNoise<Scalar>* per_sample;
  const Scalar* x0;
  Scalar* xt;
  Scalar* out;
  Output output;
};

/// Throws std::runtime_error "diffuse::<fn>: CUDA error <name>: <string> (in <what>)" unless status is cudaSuccess.
inline void check_cuda(const char* fn, cudaError_t status, const char* what) {
  if (status != cudaSuccess) {
    throw std::runtime_error(std::string("diffuse::") + fn + ": CUDA error " + cudaGetErrorName(status) + ": " +
                             cudaGetErrorString(status) + " (in " + what + ")");
  }
}

/// Throws std::invalid_argument for a pointer not aligned to its scalar type, or null where the batch
/// has values (`values` = elements × samples; an empty batch may come with a null pointer).
template <class Scalar>
void check_device_pointer(const char* fn, const char* name, const Scalar* p, std::size_t values) {
  if (p == nullptr && values > 0)
    fail<std::invalid_argument>(fn, std::string(name) + " must not be null", "a null pointer");
  const auto address = reinterpret_cast<std::uintptr_t>(p);
  if (address % alignof(Scalar) != 0) {
    fail<std::invalid_argument>(fn,
                                std::string(name) + " must be aligned to its scalar type (address mod " +
                                    std::to_string(alignof(Scalar)) + " = 0)",
                                static_cast<unsigned long long>(address % alignof(Scalar)));
  }
}

/// Throws std::out_of_range unless elements × samples values have a byte size a std::ptrdiff_t holds
/// (so every element index j·elements + i, and so every Philox block number, fits the counter layout).
template <class Scalar>
void check_batch_size(const char* fn, std::size_t elements, std::size_t samples) {
  const std::size_t limit = static_cast<std::size_t>(std::numeric_limits<std::ptrdiff_t>::max()) / sizeof(Scalar);
  if (samples > 0 && elements > limit / samples) {
    fail<std::out_of_range>(fn, "elements × samples × the scalar's size must fit in a std::ptrdiff_t; elements",
                            static_cast<unsigned long long>(elements));
  }
}

/// Whether every pointer the launch touches is 16-byte aligned and each sample a whole number of
/// blocks, so that one block is one 16-byte vector of each array.
template <class Scalar>
bool vectorisable(const Launch<Scalar>& p) {
  const auto aligned = [](const void* q) { return q == nullptr || reinterpret_cast<std::uintptr_t>(q) % 16 == 0; };
  return p.elements % static_cast<std::uint64_t>(noise_values_per_block<Scalar>) == 0 && aligned(p.x0) &&
         aligned(p.xt) && aligned(p.out);
}

/// The 16-byte vector of one block: float4 or double2.
__device__ inline void load_block(const float* p, float (&v)[4]) {
  const float4 q = *reinterpret_cast<const float4*>(p);
  v[0] = q.x;
  v[1] = q.y;
  v[2] = q.z;
  v[3] = q.w;
}
__device__ inline void load_block(const double* p, double (&v)[2]) {
  const double2 q = *reinterpret_cast<const double2*>(p);
  v[0] = q.x;
  v[1] = q.y;
}
__device__ inline void store_block(float* p, const float (&v)[4]) {
  *reinterpret_cast<float4*>(p) = make_float4(v[0], v[1], v[2], v[3]);
}
__device__ inline void store_block(double* p, const double (&v)[2]) {
  *reinterpret_cast<double2*>(p) = make_double2(v[0], v[1]);
}

/// The second output of one element from its x_0 and its normal z (Output::none is never asked).
template <class Scalar>
__device__ inline Scalar second_output(Output output, const SampleNoise<Scalar>& s, Scalar x0, Scalar z) {
  if (output == Output::noise) return z;
  if (output == Output::x0) return x0;
  return noised_value(s.target_a, x0, s.target_b, z);
}

/// The kernel: thread k of the x grid makes block k of sample j (elements n·k .. n·k + n − 1), for
/// every j of the y grid, in grid-stride loops; Vectorised: 16-byte loads and stores (vectorisable()).
template <class Scalar, bool Vectorised>
__global__ void noise_kernel(const Launch<Scalar> p) {
  constexpr int n = noise_values_per_block<Scalar>;
  const std::uint64_t stride = static_cast<std::uint64_t>(gridDim.x) * blockDim.x;
  for (std::uint64_t j = blockIdx.y; j < p.samples; j += gridDim.y) {
    const SampleNoise<Scalar> s = p.per_sample[j];
    const std::uint64_t column = j * p.elements;
    for (std::uint64_t k = static_cast<std::uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; k < p.blocks_per_sample;
         k += stride) {
      Scalar z[n];
      noise_block_values(p.seed, s.id, k, z);
      const std::uint64_t at = column + k * n;
      if constexpr (Vectorised) {
        Scalar x0[n] = {};
        if (p.x0) load_block(p.x0 + at, x0);
        if (p.xt) {
          Scalar xt[n];
          for (int i = 0; i < n; ++i) xt[i] = noised_value(s.a, x0[i], s.b, z[i]);
          store_block(p.xt + at, xt);
        }
        if (p.output != Output::none) {
          Scalar out[n];
          for (int i = 0; i < n; ++i) out[i] = second_output(p.output, s, x0[i], z[i]);
          store_block(p.out + at, out);
        }
      } else {
        const std::uint64_t count = p.elements - k * n < n ? p.elements - k * n : n;
        for (std::uint64_t i = 0; i < count; ++i) {
          const Scalar x0 = p.x0 ? p.x0[at + i] : Scalar(0);
          if (p.xt) p.xt[at + i] = noised_value(s.a, x0, s.b, z[i]);
          if (p.output != Output::none) p.out[at + i] = second_output(p.output, s, x0, z[i]);
        }
      }
    }
  }
}

/// Uploads the per-sample array and launches the kernel on `stream`: 256 threads a block, x blocks
/// enough for one Philox block per thread (at most 65535, then grid-stride), y one per sample (at
/// most 65535). The device array is allocated and freed stream-ordered (cudaMallocAsync).
template <class Scalar>
void launch(const char* fn, Launch<Scalar> p, const std::vector<SampleNoise<Scalar>>& per_sample, cudaStream_t stream) {
  if (p.samples == 0 || p.elements == 0) return;
  constexpr unsigned threads = 256;
  constexpr std::uint64_t grid_limit = 65535;
  const std::size_t bytes = per_sample.size() * sizeof(SampleNoise<Scalar>);
  void* device = nullptr;
  check_cuda(fn, cudaMallocAsync(&device, bytes, stream), "cudaMallocAsync of the per-sample array");
  const auto fail_freeing = [&](cudaError_t status, const char* what) {
    if (status == cudaSuccess) return;
    static_cast<void>(cudaFreeAsync(device, stream));  // the first error is the one reported
    check_cuda(fn, status, what);
  };
  fail_freeing(cudaMemcpyAsync(device, per_sample.data(), bytes, cudaMemcpyHostToDevice, stream),
               "cudaMemcpyAsync of the per-sample array");
  p.per_sample = static_cast<const SampleNoise<Scalar>*>(device);
  const std::uint64_t x_blocks = (p.blocks_per_sample + threads - 1) / threads;
  const dim3 grid(static_cast<unsigned>(x_blocks < grid_limit ? x_blocks : grid_limit),
                  static_cast<unsigned>(p.samples < grid_limit ? p.samples : grid_limit));
  if (vectorisable(p)) {
    noise_kernel<Scalar, true><<<grid, threads, 0, stream>>>(p);
  } else {
    noise_kernel<Scalar, false><<<grid, threads, 0, stream>>>(p);
  }
  fail_freeing(cudaGetLastError(), "the kernel launch");
  check_cuda(fn, cudaFreeAsync(device, stream), "cudaFreeAsync of the per-sample array");
}

/// The Launch of a batch of `elements` × `samples` values (blocks per sample ⌈elements/n⌉).
template <class Scalar>
Launch<Scalar> batch_launch(std::uint64_t seed, std::size_t elements, std::size_t samples) {
  constexpr std::uint64_t n = noise_values_per_block<Scalar>;
  Launch<Scalar> p{};
  p.seed = seed;
  p.elements = elements;
  p.samples = samples;
  p.blocks_per_sample = (p.elements + n - 1) / n;
  return p;
}

/// The body of cuda_add_noise: checks, per-sample coefficients from noise.hpp's own path, launch.
template <class Process, class Ids, class Coordinates>
void add_noise(const Process& process, const typename ProcessTraits<Process>::scalar_type* x0, std::size_t elements,
               std::size_t samples, std::uint64_t seed, const Eigen::MatrixBase<Ids>& ids,
               const Coordinates& coordinates, typename ProcessTraits<Process>::scalar_type* x_t, Output output,
               Prediction prediction, typename ProcessTraits<Process>::scalar_type* target, cudaStream_t stream) {
  using Scalar = typename ProcessTraits<Process>::scalar_type;
  using Batch = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;
  const char* fn = "cuda_add_noise";
  check_float_or_double<Scalar>();
  check_batch_size<Scalar>(fn, elements, samples);
  check_device_pointer(fn, "x0", x0, elements * samples);
  check_device_pointer(fn, "x_t", x_t, elements * samples);
  if (output != Output::none) check_device_pointer(fn, "target", target, elements * samples);
  if (prediction == Prediction::v && output == Output::combination) check_variance_preserving(fn, process);
  // Eigen maps over the device memory only describe its layout to noise.hpp's checks: none reads it.
  const auto rows = static_cast<Eigen::Index>(elements), cols = static_cast<Eigen::Index>(samples);
  const Eigen::Map<const Batch> x0_map(x0, rows, cols);
  const Eigen::Map<Batch> xt_map(x_t, rows, cols);
  const Eigen::Map<Batch> target_map(target, rows, output == Output::none ? 0 : cols);
  const Eigen::Map<Batch>* checked_target = output == Output::none ? nullptr : &target_map;
  with_drawn_noise_tasks(
      fn, process, x0_map, drawn_noise(seed, ids), coordinates, xt_map, checked_target,
      [&](const auto& tasks, const auto&) {
        std::vector<SampleNoise<Scalar>> per_sample(tasks.size());
        const bool v = prediction == Prediction::v;
        for (std::size_t j = 0; j < tasks.size(); ++j) {
          const auto& task = tasks[j];
          // training_batch.hpp's target coefficients: v (−b, a), u (−1, 1).
          per_sample[j] = {task.id, task.a, task.b, v ? -task.b : Scalar(-1), v ? task.a : Scalar(1)};
        }
        Launch<Scalar> p = batch_launch<Scalar>(seed, elements, samples);
        p.x0 = x0;
        p.xt = x_t;
        p.out = output == Output::none ? nullptr : target;
        p.output = output;
        launch(fn, p, per_sample, stream);
      });
}

}  // namespace cuda
}  // namespace detail

/// Fills eps (device memory, `samples` columns of `elements` values) with the noise of the samples:
/// eps[j·elements + i] = noise_value(seed, ids(j), i), the noise contract (docs/noise_contract.md),
/// the bits of noise.hpp's fill_noise. ids: a host Eigen vector of non-negative integers, one per
/// sample. Asynchronous on `stream`.
/// @throws std::invalid_argument for a null or misaligned eps or ids of another count than samples;
/// std::out_of_range for a negative id or a batch too large to index; std::runtime_error for a CUDA
/// error. Nothing is launched then.
template <class Scalar, class Ids>
void cuda_fill_noise(std::uint64_t seed, const Eigen::MatrixBase<Ids>& ids, Scalar* eps, std::size_t elements,
                     std::size_t samples, cudaStream_t stream) {
  const char* fn = "cuda_fill_noise";
  detail::check_float_or_double<Scalar>();
  detail::cuda::check_batch_size<Scalar>(fn, elements, samples);
  detail::cuda::check_device_pointer(fn, "eps", eps, elements * samples);
  const std::vector<std::uint64_t> id = detail::checked_ids(fn, ids, static_cast<Eigen::Index>(samples));
  std::vector<detail::cuda::SampleNoise<Scalar>> per_sample(id.size());
  for (std::size_t j = 0; j < id.size(); ++j) per_sample[j] = {id[j], Scalar(0), Scalar(0), Scalar(0), Scalar(0)};
  detail::cuda::Launch<Scalar> p = detail::cuda::batch_launch<Scalar>(seed, elements, samples);
  p.out = eps;
  p.output = detail::cuda::Output::noise;
  detail::cuda::launch(fn, p, per_sample, stream);
}

/// Forward noising on the device with the noise drawn in the same pass:
/// x_t[j·elements + i] = noised_value(a_j, x0[j·elements + i], b_j, ε_{j,i}), a_j and b_j the
/// process's a(c_j) and b(c_j) (for a Schedule √ᾱ_t and √(1 − ᾱ_t), Ho et al. 2020, eq. 4), ε the
/// noise of sample ids(j) under seed: the bits of noise.hpp's add_noise(process, x0,
/// drawn_noise(seed, ids), coordinates, x_t). x0 and x_t are device memory of `samples` columns of
/// `elements` values (x_t may be x0: in place); ids and coordinates are on the host (an Eigen vector
/// or std::vector of coordinates, as for add_noise). Asynchronous on `stream`.
/// @throws as the file comment says; nothing is launched then.
template <class Process, class Ids, class Coordinates>
void cuda_add_noise(const Process& process, const typename ProcessTraits<Process>::scalar_type* x0,
                    std::size_t elements, std::size_t samples, std::uint64_t seed, const Eigen::MatrixBase<Ids>& ids,
                    const Coordinates& coordinates, typename ProcessTraits<Process>::scalar_type* x_t,
                    cudaStream_t stream) {
  detail::cuda::add_noise(process, x0, elements, samples, seed, ids, coordinates, x_t, detail::cuda::Output::none,
                          Prediction::epsilon, nullptr, stream);
}

/// cuda_add_noise that also writes the training target of `prediction` into `target` (device memory
/// shaped like x0, not x_t) in the same pass, with training_batch.hpp's bits: ε; x_0 (a copy);
/// v = scaled_sum(−b_j, x_0, a_j, ε) (Salimans & Ho 2022; a variance-preserving process); the flow
/// velocity u = fl(ε − x_0) (Lipman et al. 2023, Liu et al. 2023).
/// @throws as cuda_add_noise, and std::invalid_argument if target is x_t or is null, or for
/// Prediction::v with a process that is not variance preserving.
template <class Process, class Ids, class Coordinates>
void cuda_add_noise(const Process& process, const typename ProcessTraits<Process>::scalar_type* x0,
                    std::size_t elements, std::size_t samples, std::uint64_t seed, const Eigen::MatrixBase<Ids>& ids,
                    const Coordinates& coordinates, typename ProcessTraits<Process>::scalar_type* x_t,
                    Prediction prediction, typename ProcessTraits<Process>::scalar_type* target, cudaStream_t stream) {
  using detail::cuda::Output;
  const Output output = prediction == Prediction::epsilon ? Output::noise
                        : prediction == Prediction::x0    ? Output::x0
                                                          : Output::combination;
  detail::cuda::add_noise(process, x0, elements, samples, seed, ids, coordinates, x_t, output, prediction, target,
                          stream);
}

}  // namespace diffuse
