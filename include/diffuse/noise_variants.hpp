/// Noise variants for training, through the counter-based noise of noise.hpp: offset noise (one extra normal per channel) and input perturbation (a second noise for x_t only).
///
/// Each variant fills ε-shaped batches (one sample per column) from the noise contract, so sample
/// j's values are a pure function of (seed, ids(j)) as for fill_noise; they feed batch.hpp's
/// add_noise with given noise. The auxiliary normals are elements of the same sample's noise far
/// above any data element (the data's elements stay below 2^61):
///   offset noise       δ_c  = element 2^62 + c of the sample (c = 0..C−1, its channel);
///   input perturbation ξ_i  = element 2^62 + 2^61 + i of the sample.
///
/// Layout of a column. A column of R = C·S elements holds C channels of S spatial positions:
/// channels first (ChannelLayout::channels_first, the default) is PyTorch's contiguous (B, C, H, W),
/// element i in channel ⌊i/S⌋; channels last is (B, H, W, C), element i in channel i mod C.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include <Eigen/Core>

#include "detail/checks.hpp"
#include "detail/scaled_sum.hpp"
#include "noise.hpp"

namespace diffuse {

/// Where the channels lie in a column (see the file comment).
struct ChannelLayout {
  Eigen::Index channels = 1;  ///< C
  bool channels_first = true;  ///< (C, H, W) per column; false: (H, W, C)

  /// The channel of element i of a column of `rows` elements.
  Eigen::Index channel_of(Eigen::Index i, Eigen::Index rows) const {
    return channels_first ? i / (rows / channels) : i % channels;
  }
};

namespace detail {

/// The first auxiliary element of offset noise and of input perturbation (the file comment).
inline constexpr std::uint64_t offset_noise_element = std::uint64_t{1} << 62;
inline constexpr std::uint64_t perturbation_noise_element = (std::uint64_t{1} << 62) + (std::uint64_t{1} << 61);

/// Throws unless C ≥ 1 divides the number of rows.
inline void check_layout(const char* function, const ChannelLayout& layout, Eigen::Index rows) {
  check_at_least(function, "the number of channels C", layout.channels, 1);
  if (rows % layout.channels != 0) {
    fail<std::invalid_argument>(function, "the rows of a column must be a multiple of the channels C = " + std::to_string(layout.channels),
                                static_cast<long long>(rows));
  }
}

}  // namespace detail

/// Offset noise (Guttenberg 2023, "Diffusion with offset noise"; diffusers' `noise_offset`):
/// ε'_i = ε_i + c·δ_{ch(i)}, with ε the sample's noise (fill_noise) and δ one standard normal per
/// channel (element 2^62 + ch of the sample), rounded as fl(ε + fl(c δ)); c = 0.1 by default.
/// Each element has variance 1 + c², two elements of one channel covariance c², of two channels 0.
/// @throws std::invalid_argument unless the strength c is finite, C ≥ 1 divides the rows, and ids
/// has one entry per column; std::out_of_range for a negative id. Nothing is written then.
template <class DerivedIds, class DerivedEps>
void offset_noise(std::uint64_t seed, const Eigen::MatrixBase<DerivedIds>& ids, const ChannelLayout& layout,
                  const Eigen::MatrixBase<DerivedEps>& eps, double strength = 0.1) {
  using Scalar = typename DerivedEps::Scalar;
  const char* fn = "offset_noise";
  detail::check_finite(fn, "strength", strength);
  detail::check_layout(fn, layout, eps.rows());
  const std::vector<std::uint64_t> id = detail::checked_ids(fn, ids, eps.cols());
  fill_noise(seed, ids, eps);
  auto& out = const_cast<DerivedEps&>(eps.derived());
  const Scalar c = static_cast<Scalar>(strength);
  std::vector<Scalar> delta(static_cast<std::size_t>(layout.channels));
  for (Eigen::Index j = 0; j < eps.cols(); ++j) {
    for (Eigen::Index ch = 0; ch < layout.channels; ++ch) {
      delta[static_cast<std::size_t>(ch)] =
          noise_value<Scalar>(seed, id[static_cast<std::size_t>(j)], detail::offset_noise_element + static_cast<std::uint64_t>(ch));
    }
    for (Eigen::Index i = 0; i < eps.rows(); ++i) {
      out(i, j) = detail::scaled_sum(Scalar(1), out(i, j), c, delta[static_cast<std::size_t>(layout.channel_of(i, eps.rows()))]);
    }
  }
}

/// Input perturbation (Ning et al. 2023, "Input Perturbation Reduces Exposure Bias in Diffusion
/// Models", eq. 9; default γ = 0.1): the target stays ε (written into `eps`, as fill_noise) while
/// x_t is made from ε + γ ξ (written into `perturbed`, rounded as fl(ε + fl(γ ξ))), ξ a second
/// standard normal per element (element 2^62 + 2^61 + i of the sample). Use `perturbed` as the noise
/// of add_noise and `eps` as the target.
/// @throws std::invalid_argument unless γ is finite and ≥ 0, perturbed has the shape of eps, and ids
/// has one entry per column; std::out_of_range for a negative id. Nothing is written then.
template <class DerivedIds, class DerivedEps, class DerivedPerturbed>
void perturbed_noise(std::uint64_t seed, const Eigen::MatrixBase<DerivedIds>& ids, const Eigen::MatrixBase<DerivedEps>& eps,
                     const Eigen::MatrixBase<DerivedPerturbed>& perturbed, double gamma = 0.1) {
  using Scalar = typename DerivedEps::Scalar;
  const char* fn = "perturbed_noise";
  detail::check_same_scalar<Scalar, typename DerivedPerturbed::Scalar>();
  detail::check_finite_non_negative(fn, "gamma", gamma);
  detail::check_shape(fn, "perturbed", perturbed, eps.rows(), eps.cols());
  static_cast<void>(detail::checked_ids(fn, ids, eps.cols()));
  fill_noise(seed, ids, eps);
  fill_noise(seed, ids, perturbed, detail::perturbation_noise_element);
  auto& out = const_cast<DerivedPerturbed&>(perturbed.derived());
  const Scalar g = static_cast<Scalar>(gamma);
  for (Eigen::Index j = 0; j < eps.cols(); ++j) {
    for (Eigen::Index i = 0; i < eps.rows(); ++i) out(i, j) = detail::scaled_sum(Scalar(1), eps.derived().coeff(i, j), g, out(i, j));
  }
}

}  // namespace diffuse
