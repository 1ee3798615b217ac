/// Noise variants for training, through the counter-based noise of noise.hpp: offset noise (one extra normal per channel), input perturbation (a second noise for x_t only) and pyramid noise.
///
/// Each variant fills ε-shaped batches (one sample per column) from the noise contract, so sample
/// j's values are a pure function of (seed, ids(j)) as for fill_noise; they feed batch.hpp's
/// add_noise with given noise. The auxiliary normals are elements of the same sample's noise far
/// above any data element (the data's elements stay below 2^61):
///   offset noise       δ_c  = element 2^62 + c of the sample (c = 0..C−1, its channel);
///   input perturbation ξ_i  = element 2^62 + 2^61 + i of the sample;
///   pyramid level l     element k of its small noise = element 2^61 + l·2^56 + k of the sample,
///                       its ratio r_l from draw 1 + l of the sample (draws.hpp).
///
/// Layout of a column. A column of R = C·S elements holds C channels of S spatial positions:
/// channels first (ChannelLayout::channels_first, the default) is PyTorch's contiguous (B, C, H, W),
/// element i in channel ⌊i/S⌋; channels last is (B, H, W, C), element i in channel i mod C.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

#include <Eigen/Core>

#include "detail/checks.hpp"
#include "detail/scaled_sum.hpp"
#include "draws.hpp"
#include "noise.hpp"

namespace diffuse {

/// Where the channels lie in a column (see the file comment).
struct ChannelLayout {
  Eigen::Index channels = 1;   ///< C
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
    fail<std::invalid_argument>(
        function, "the rows of a column must be a multiple of the channels C = " + std::to_string(layout.channels),
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
      delta[static_cast<std::size_t>(ch)] = noise_value<Scalar>(
          seed, id[static_cast<std::size_t>(j)], detail::offset_noise_element + static_cast<std::uint64_t>(ch));
    }
    for (Eigen::Index i = 0; i < eps.rows(); ++i) {
      out(i, j) = detail::scaled_sum(Scalar(1), out(i, j), c,
                                     delta[static_cast<std::size_t>(layout.channel_of(i, eps.rows()))]);
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
void perturbed_noise(std::uint64_t seed, const Eigen::MatrixBase<DerivedIds>& ids,
                     const Eigen::MatrixBase<DerivedEps>& eps, const Eigen::MatrixBase<DerivedPerturbed>& perturbed,
                     double gamma = 0.1) {
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
    for (Eigen::Index i = 0; i < eps.rows(); ++i)
      out(i, j) = detail::scaled_sum(Scalar(1), eps.derived().coeff(i, j), g, out(i, j));
  }
}

/// Pyramid (multi-resolution) noise, as kohya-ss's `pyramid_noise_like` (NOISE_LEVELS.md row 54):
/// for levels l = 0..L−1, with r_l = 2 + 2u_l (u_l = draw_uniform(seed, id, 1 + l)) and the sizes
/// h_l = max(1, ⌊H/r_l^l⌋), w_l = max(1, ⌊W/r_l^l⌋), add d^l times the bilinear upsampling (PyTorch's
/// align_corners = False: source coordinate (x + ½)·(w_l/W) − ½, clamped at 0) of an h_l × w_l
/// standard normal per channel to ε, stopping after the first level with h_l = 1 or w_l = 1; then
/// divide the column by its standard deviation (unbiased, as torch's std). kohya-ss draws r_l once
/// for the batch and divides by the std of the whole batch; here both are per sample, so sample j
/// stays a pure function of (seed, ids(j)). Level 0 adds a second full-resolution noise, as there.
/// Each column has C·H·W rows, spatial positions row-major (W fastest) within a channel (channels
/// first) or with the C channels of a position together (channels last). Defaults L = 6, d = 0.4.
/// Computed in double, rounded once to the batch's scalar.
/// @throws std::invalid_argument unless C, H, W ≥ 1 with C·H·W the rows, L ≥ 1, d finite and ≥ 0,
/// and ids has one entry per column; std::out_of_range for a negative id. Nothing is written then.
template <class DerivedIds, class DerivedEps>
void pyramid_noise(std::uint64_t seed, const Eigen::MatrixBase<DerivedIds>& ids, const ChannelLayout& layout,
                   Eigen::Index height, Eigen::Index width, const Eigen::MatrixBase<DerivedEps>& eps, int levels = 6,
                   double discount = 0.4) {
  using Scalar = typename DerivedEps::Scalar;
  const char* fn = "pyramid_noise";
  detail::check_layout(fn, layout, eps.rows());
  detail::check_at_least(fn, "height", height, 1);
  detail::check_at_least(fn, "width", width, 1);
  if (layout.channels * height * width != eps.rows()) {
    detail::fail<std::invalid_argument>(
        fn, "the rows of a column must be C·H·W = " + std::to_string(layout.channels * height * width),
        static_cast<long long>(eps.rows()));
  }
  detail::check_at_least(fn, "levels", levels, 1);
  detail::check_finite_non_negative(fn, "discount", discount);
  const std::vector<std::uint64_t> id = detail::checked_ids(fn, ids, eps.cols());
  const Eigen::Index channels = layout.channels, plane = height * width;
  auto at = [&](Eigen::Index c, Eigen::Index y, Eigen::Index x) {
    return layout.channels_first ? c * plane + y * width + x : (y * width + x) * channels + c;
  };
  Eigen::MatrixXd out(eps.rows(), eps.cols());
  fill_noise(seed, ids, out);
  for (Eigen::Index j = 0; j < eps.cols(); ++j) {
    const std::uint64_t sample = id[static_cast<std::size_t>(j)];
    for (int l = 0; l < levels; ++l) {
      const double r = 2 + 2 * draw_uniform(seed, sample, 1 + static_cast<std::uint64_t>(l));
      const double shrink = std::pow(r, l);
      const Eigen::Index h = std::max<Eigen::Index>(1, static_cast<Eigen::Index>(static_cast<double>(height) / shrink));
      const Eigen::Index w = std::max<Eigen::Index>(1, static_cast<Eigen::Index>(static_cast<double>(width) / shrink));
      Eigen::MatrixXd small(h * w * channels, 1);
      fill_noise(seed, Eigen::Matrix<std::uint64_t, 1, 1>::Constant(sample), small,
                 (std::uint64_t{1} << 61) + (static_cast<std::uint64_t>(l) << 56));
      const double weight = std::pow(discount, l);
      // Bilinear, align_corners = False: source (x + ½)(in/out) − ½, clamped below at 0.
      auto source = [](Eigen::Index x, Eigen::Index in, Eigen::Index size, Eigen::Index& lo, Eigen::Index& hi,
                       double& frac) {
        const double s =
            std::max(0.0, (static_cast<double>(x) + 0.5) * static_cast<double>(in) / static_cast<double>(size) - 0.5);
        lo = std::min(static_cast<Eigen::Index>(s), in - 1);
        hi = std::min(lo + 1, in - 1);
        frac = s - static_cast<double>(lo);
      };
      for (Eigen::Index y = 0; y < height; ++y) {
        Eigen::Index y0 = 0, y1 = 0;
        double fy = 0;
        source(y, h, height, y0, y1, fy);
        for (Eigen::Index x = 0; x < width; ++x) {
          Eigen::Index x0 = 0, x1 = 0;
          double fx = 0;
          source(x, w, width, x0, x1, fx);
          for (Eigen::Index c = 0; c < channels; ++c) {
            const double* v = small.data() + c * h * w;
            const double top = (1 - fx) * v[y0 * w + x0] + fx * v[y0 * w + x1];
            const double bottom = (1 - fx) * v[y1 * w + x0] + fx * v[y1 * w + x1];
            out(at(c, y, x), j) += weight * ((1 - fy) * top + fy * bottom);
          }
        }
      }
      if (h == 1 || w == 1) break;
    }
    const double mean = out.col(j).mean();
    const double sd = eps.rows() > 1
                          ? std::sqrt((out.col(j).array() - mean).square().sum() / static_cast<double>(eps.rows() - 1))
                          : 1.0;
    out.col(j) /= sd;
  }
  const_cast<DerivedEps&>(eps.derived()) = out.cast<Scalar>();
}

}  // namespace diffuse
