/// Sampling values as a PyTorch pipeline holds them in bfloat16: the float32 value rounded again.
///
/// diffusers' pipelines hand the model `t.expand(B).to(latents.dtype)`: with bfloat16 latents the
/// float32 timestep is rounded to bfloat16, whose 8 significant bits space the values 4 apart on
/// [512, 1024) (diffusers issue #9405: timestep 750 reaches the model as 752). A model trained on
/// bfloat16-rounded σ (MageFlow; ComfyUI PR #15081) must be fed σ rounded the same way. From an exact
/// value that is two roundings, as torch does them: to float32, then to bfloat16, each to nearest
/// with ties to even. They can differ from one rounding straight to bfloat16: 1 + 2⁻⁸ + 2⁻³⁰ is
/// 1 + 2⁻⁸ in float32, a tie that bfloat16 rounds to even, 1; rounded once it would be 1 + 2⁻⁷.
/// Neighbouring levels can collide (999 and 998 both become 1000): torch_bfloat16_collisions counts
/// them. The results are exact in float (bfloat16 is float32 with 16 fewer significand bits).
/// ComfyUI keeps its model-sampling tables in float32 (model_sampling.hpp's float32 modes).
#pragma once

#include <stdexcept>

#include <Eigen/Core>

#include "detail/error.hpp"
#include "detail/float_class.hpp"

namespace diffuse {

/// x as torch holds `torch.tensor(x, dtype=float64).float().bfloat16()`: rounded to float32, then
/// to bfloat16 (nearest, ties to even), returned as the float of the same value.
/// @throws std::invalid_argument unless the result is finite: x NaN, ±∞, or |x| ≥ (2 − 2⁻⁸ − 2⁻²⁴)·2¹²⁷,
/// which rounds to the float32 (2 − 2⁻⁸)·2¹²⁷, a bfloat16 tie that goes to ∞.
inline float torch_bfloat16(double x) {
  const float rounded = static_cast<float>(Eigen::bfloat16(static_cast<float>(x)));
  if (!detail::is_finite(rounded))
    detail::fail<std::invalid_argument>("torch_bfloat16", "the value must round to a finite bfloat16", x);
  return rounded;
}

/// torch_bfloat16 of every value of a vector (σ, model timesteps), in their order.
/// @throws std::invalid_argument as torch_bfloat16, for the first value that breaks it.
template <class Derived>
Eigen::Matrix<float, Eigen::Dynamic, 1> torch_bfloat16(const Eigen::MatrixBase<Derived>& values) {
  EIGEN_STATIC_ASSERT_VECTOR_ONLY(Derived)
  Eigen::Matrix<float, Eigen::Dynamic, 1> out(values.size());
  for (Eigen::Index i = 0; i < values.size(); ++i) out(i) = torch_bfloat16(static_cast<double>(values(i)));
  return out;
}

/// How many neighbours of a sequence (σ or timesteps) differ but are equal after torch_bfloat16: the
/// levels a bfloat16 pipeline cannot tell apart.
/// @throws std::invalid_argument as torch_bfloat16.
template <class Derived>
int torch_bfloat16_collisions(const Eigen::MatrixBase<Derived>& values) {
  const Eigen::Matrix<float, Eigen::Dynamic, 1> rounded = torch_bfloat16(values);
  int collisions = 0;
  for (Eigen::Index i = 1; i < values.size(); ++i) {
    if (values(i) != values(i - 1) && rounded(i) == rounded(i - 1)) ++collisions;
  }
  return collisions;
}

}  // namespace diffuse
