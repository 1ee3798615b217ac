/// Optional LibTorch bridge (not in the umbrella; needs find_package(Torch)): add_noise on at::Tensor batches, zero-copy.
///
/// A contiguous float32 CPU tensor [B, C, H, W] (any [B, ...]) is, over its own memory, the
/// column-major (C·H·W) × B matrix of batch.hpp: column j is sample j. float16 and bfloat16 tensors
/// (PyTorch's half and bfloat16, the layouts of Eigen::half and Eigen::bfloat16) are 16-bit storage
/// (detail/storage16.hpp): computed in float and rounded once, as PyTorch's
/// (a·x0.float() + b·ε.float()).to(dtype). Timesteps are diffusers'
/// int64 tensor of 0-based steps: diffusers timestep s is our step t = s + 1 (README, "Coming from
/// diffusers"), read in place. The results are the bits of batch.hpp's and noise.hpp's add_noise,
/// so those of PyTorch's a·x0 + b·ε with the same gathered coefficients (fl(fl(a x0) + fl(b ε))).
/// Every tensor is checked before anything is written.
#pragma once

#include <cstdint>
#include <sstream>
#include <string>

#include <ATen/core/Tensor.h>
#include <Eigen/Core>

#include "../batch.hpp"
#include "../detail/error.hpp"
#include "../detail/shape.hpp"
#include "../noise.hpp"
#include "../schedule.hpp"

namespace diffuse {
namespace detail {

/// A batch of Scalar (float, Eigen::half or Eigen::bfloat16) over a tensor's memory: column-major
/// whatever Eigen's default, as a [B, ...] tensor is.
template <class Scalar>
using TensorBatch = Eigen::Map<Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>>;

/// "[2, 4, 8, 8]": the sizes of a tensor, for messages.
inline std::string tensor_sizes_text(const at::Tensor& tensor) {
  std::ostringstream text;
  text << tensor.sizes();
  return text.str();
}

/// Throws std::invalid_argument unless `tensor` is a contiguous CPU tensor of `dtype`.
inline void check_tensor(const char* function, const std::string& name, const at::Tensor& tensor,
                         at::ScalarType dtype) {
  if (!tensor.defined())
    fail<std::invalid_argument>(function, name + " must be a defined tensor", std::string("undefined"));
  if (tensor.scalar_type() != dtype) {
    fail<std::invalid_argument>(function, name + " must have dtype " + c10::toString(dtype),
                                std::string(c10::toString(tensor.scalar_type())));
  }
  if (!tensor.device().is_cpu())
    fail<std::invalid_argument>(function, name + " must be on the CPU", tensor.device().str());
  if (!tensor.is_contiguous()) {
    std::ostringstream strides;
    strides << tensor.strides();
    fail<std::invalid_argument>(function, name + " must be contiguous", "strides " + strides.str());
  }
}

/// The checked batch tensors of add_noise: x0 a contiguous float32, float16 or bfloat16 CPU
/// [B, ...] tensor with B ≥ 1, every other one its dtype and sizes; timesteps a contiguous int64 CPU
/// [B] tensor.
inline void check_batch_tensors(const char* function, const at::Tensor& x0, const at::Tensor& other,
                                const char* other_name, const at::Tensor& timesteps, const at::Tensor& out) {
  if (!x0.defined()) fail<std::invalid_argument>(function, "x0 must be a defined tensor", std::string("undefined"));
  const at::ScalarType dtype = x0.scalar_type();
  if (dtype != at::kFloat && dtype != at::kHalf && dtype != at::kBFloat16) {
    fail<std::invalid_argument>(function, "x0 must have dtype Float, Half or BFloat16",
                                std::string(c10::toString(dtype)));
  }
  check_tensor(function, "x0", x0, dtype);
  if (x0.dim() < 1)
    fail<std::invalid_argument>(function, "x0 must have a batch dimension, [B, ...]", static_cast<long long>(x0.dim()));
  const auto check_like_x0 = [&](const at::Tensor& tensor, const std::string& name) {
    check_tensor(function, name, tensor, dtype);
    if (tensor.sizes() != x0.sizes()) {
      fail<std::invalid_argument>(function, name + " must have the sizes of x0, " + tensor_sizes_text(x0),
                                  tensor_sizes_text(tensor));
    }
  };
  if (other_name != nullptr) check_like_x0(other, other_name);
  check_like_x0(out, "out");
  check_tensor(function, "timesteps", timesteps, at::kLong);
  if (timesteps.dim() != 1)
    fail<std::invalid_argument>(function, "timesteps must be one-dimensional, [B]", tensor_sizes_text(timesteps));
  check_count(function, "timesteps", timesteps.size(0), x0.size(0));
}

/// A checked batch tensor of Scalar's layout as the (numel / B) × B column-major matrix over its memory.
template <class Scalar>
TensorBatch<Scalar> batch_matrix(const at::Tensor& tensor) {
  const Eigen::Index samples = tensor.size(0);
  return TensorBatch<Scalar>(static_cast<Scalar*>(tensor.data_ptr()), samples == 0 ? 0 : tensor.numel() / samples,
                             samples);
}

/// Calls f with a value of the Eigen type of a checked batch dtype: float, Eigen::half (Half) or
/// Eigen::bfloat16 (BFloat16).
template <class F>
void with_batch_scalar(at::ScalarType dtype, F f) {
  if (dtype == at::kHalf) {
    f(Eigen::half());
  } else if (dtype == at::kBFloat16) {
    f(Eigen::bfloat16());
  } else {
    f(0.0f);
  }
}

/// diffusers' 0-based timesteps, in place, as our steps t = s + 1, checked against the schedule's
/// range 0 ≤ s ≤ T − 1.
inline Eigen::Map<const Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1>> diffusers_timesteps(const char* function,
                                                                                            const at::Tensor& timesteps,
                                                                                            int schedule_steps) {
  const Eigen::Map<const Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1>> s(timesteps.data_ptr<std::int64_t>(),
                                                                           timesteps.size(0));
  for (Eigen::Index j = 0; j < s.size(); ++j) {
    if (s(j) < 0 || s(j) > schedule_steps - 1) {
      fail<std::out_of_range>(function,
                              "timesteps(" + std::to_string(j) +
                                  ") must be a diffusers timestep in [0, T - 1], T = " + std::to_string(schedule_steps),
                              static_cast<long long>(s(j)));
    }
  }
  return s;
}

}  // namespace detail

/// diffusers' add_noise on tensors with given noise: out[j] = √ᾱ_t x0[j] + √(1 − ᾱ_t) eps[j] with
/// t = timesteps[j] + 1 (Ho et al. 2020, eq. 4), the bits of batch.hpp's add_noise. out may be x0.
/// float16 and bfloat16 tensors (all of one dtype) are computed in float and rounded once.
/// @throws std::invalid_argument for a tensor that is not contiguous float32, float16 or bfloat16 (all
/// of x0's dtype; int64 for timesteps) on the CPU, sizes that differ from x0's, or a timestep count other than B; std::out_of_range for
/// a timestep outside [0, T − 1]. Nothing is written then.
inline void add_noise_tensors(const Schedule<float>& schedule, const at::Tensor& x0, const at::Tensor& eps,
                              const at::Tensor& timesteps, const at::Tensor& out) {
  detail::check_batch_tensors("add_noise_tensors", x0, eps, "eps", timesteps, out);
  const auto s = detail::diffusers_timesteps("add_noise_tensors", timesteps, schedule.steps());
  detail::with_batch_scalar(x0.scalar_type(), [&](auto scalar) {
    using Scalar = decltype(scalar);
    detail::TensorBatch<Scalar> out_matrix = detail::batch_matrix<Scalar>(out);
    add_noise(schedule, detail::batch_matrix<Scalar>(x0), detail::batch_matrix<Scalar>(eps), (s.array() + 1).matrix(),
              out_matrix);
  });
}

/// diffusers' add_noise on tensors with the noise drawn in the same pass: ε of sample j is the noise
/// of sample id ids[j] under `seed` (docs/noise_contract.md), as noise.hpp's add_noise (16-bit
/// tensors: the float result rounded once). out may be x0.
/// @throws as above (ids: contiguous int64 CPU [B], non-negative). Nothing is written then.
inline void add_noise_tensors(const Schedule<float>& schedule, const at::Tensor& x0, std::uint64_t seed,
                              const at::Tensor& ids, const at::Tensor& timesteps, const at::Tensor& out) {
  detail::check_batch_tensors("add_noise_tensors", x0, at::Tensor(), nullptr, timesteps, out);
  detail::check_tensor("add_noise_tensors", "ids", ids, at::kLong);
  if (ids.dim() != 1)
    detail::fail<std::invalid_argument>("add_noise_tensors", "ids must be one-dimensional, [B]",
                                        detail::tensor_sizes_text(ids));
  const auto s = detail::diffusers_timesteps("add_noise_tensors", timesteps, schedule.steps());
  const Eigen::Map<const Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1>> id_vector(ids.data_ptr<std::int64_t>(),
                                                                                   ids.size(0));
  detail::with_batch_scalar(x0.scalar_type(), [&](auto scalar) {
    using Scalar = decltype(scalar);
    detail::TensorBatch<Scalar> out_matrix = detail::batch_matrix<Scalar>(out);
    add_noise(schedule, detail::batch_matrix<Scalar>(x0), drawn_noise(seed, id_vector), (s.array() + 1).matrix(),
              out_matrix);
  });
}

}  // namespace diffuse
