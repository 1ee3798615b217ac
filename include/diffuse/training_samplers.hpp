/// Batched training-time samplers: the steps, times and noise levels of a batch of samples, each a pure function of (seed, sample id) through the draw contract.
///
/// Every sampler here applies one transform of training_time.hpp to draw 0 of a sample
/// (draws.hpp): read as a uniform u = draw_uniform(seed, id, 0), or, for the logit-normal time and
/// EDM's log-normal σ, as a standard normal z = draw_normal(seed, id, 0) (Box–Muller, no Φ⁻¹). So
/// the coordinate of sample `id` under `seed` does not depend on the batch size, the order of the
/// ids, threads or shards: `sample_coordinates(s, seed, ids)` equals, element by element, the
/// concatenation of the calls on any split of ids.
///
/// Three samplers are batch-relative by definition, and depend on the batch exactly so (position
/// p = 0..B−1 is the index of a sample in the ids given to the call, B their count):
///   stratified_step_sampler   t_p = stratified_step(u_p, p, B, T): stratum p of B, u_p the draw of ids(p);
///   antithetic_step_sampler   positions 2i and 2i + 1 are a pair: t_{2i} = uniform_step(u_{2i}, T)
///                             and t_{2i+1} = T + 1 − t_{2i} (u_{2i+1} unused); with B odd the last
///                             sample is t_{B−1} = uniform_step(u_{B−1}, T);
///   low_discrepancy_time_sampler  one uniform for the batch, u = the draw of ids(0):
///                             t_p = low_discrepancy_time(u, p, B) = (u + p/B) mod 1 (VDM).
/// A shard of such a batch is not the batch: pass all B ids.
///
/// Steps are `int` in 1..T; times and σ are double (the batch functions round a time to the
/// process's scalar type). Each factory checks its parameters once, by the rules of its transform,
/// and throws as that transform does; the samplers then never throw.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "detail/checks.hpp"
#include "draws.hpp"
#include "noise.hpp"
#include "training_time.hpp"

namespace diffuse {

/// The sample ids first, first + 1, …, first + count − 1.
struct IdRange {
  std::uint64_t first = 0;
  std::uint64_t count = 0;
};

/// A sampler of one coordinate per sample from that sample's draw alone: value(seed, id) =
/// transform(seed, id). Made by the factories below.
template <class Value, class Transform>
class PerSampleSampler {
 public:
  using value_type = Value;
  explicit PerSampleSampler(Transform transform) : transform_(std::move(transform)) {}
  /// The coordinate of sample `id` under `seed`.
  Value operator()(std::uint64_t seed, std::uint64_t id) const { return transform_(seed, id); }
  /// out[p] = (*this)(seed, ids[p]) for every position p.
  void fill(std::uint64_t seed, const std::vector<std::uint64_t>& ids, Value* out) const {
    for (std::size_t p = 0; p < ids.size(); ++p) out[p] = transform_(seed, ids[p]);
  }

 private:
  Transform transform_;
};

/// A batch-relative sampler (the file comment says how each depends on the batch): fill(seed, ids,
/// out) = transform(seed, ids, out).
template <class Value, class Transform>
class BatchSampler {
 public:
  using value_type = Value;
  explicit BatchSampler(Transform transform) : transform_(std::move(transform)) {}
  void fill(std::uint64_t seed, const std::vector<std::uint64_t>& ids, Value* out) const { transform_(seed, ids, out); }

 private:
  Transform transform_;
};

namespace detail {

template <class Value, class Transform>
PerSampleSampler<Value, Transform> per_sample(Transform transform) {
  return PerSampleSampler<Value, Transform>(std::move(transform));
}

template <class Value, class Transform>
BatchSampler<Value, Transform> batch_sampler(Transform transform) {
  return BatchSampler<Value, Transform>(std::move(transform));
}

/// The ids of an IdRange, checked to stay below 2^64.
inline std::vector<std::uint64_t> id_list(const char* function, const IdRange& ids) {
  if (ids.count > 0 && ids.count - 1 > ~std::uint64_t{0} - ids.first) {
    fail<std::out_of_range>(function, "the last id, first + count − 1, must be below 2^64; first", ids.first);
  }
  std::vector<std::uint64_t> out(ids.count);
  for (std::uint64_t k = 0; k < ids.count; ++k) out[k] = ids.first + k;
  return out;
}

/// The ids of an Eigen vector of non-negative integers.
template <class Derived>
std::vector<std::uint64_t> id_list(const char* function, const Eigen::MatrixBase<Derived>& ids) {
  return checked_ids(function, ids, ids.size());
}

}  // namespace detail

/// The coordinates of the samples `ids` (an IdRange, or an Eigen vector of non-negative integer
/// ids) under `seed`, one per id in the order of ids.
/// @throws std::out_of_range for a negative id or an IdRange past 2^64 − 1.
template <class Sampler, class Ids>
std::vector<typename Sampler::value_type> sample_coordinates(const Sampler& sampler, std::uint64_t seed,
                                                             const Ids& ids) {
  const std::vector<std::uint64_t> list = detail::id_list("sample_coordinates", ids);
  std::vector<typename Sampler::value_type> out(list.size());
  sampler.fill(seed, list, out.data());
  return out;
}

// ---- discrete steps --------------------------------------------------------------------------------

/// Uniform steps over 1..T: t = uniform_step(u, T) = 1 + ⌊u T⌋ (DDPM, Ho et al. 2020, Algorithm 1).
/// @throws std::invalid_argument if T < 1.
inline auto uniform_step_sampler(int steps) {
  static_cast<void>(uniform_step(0.5, steps));
  return detail::per_sample<int>(
      [steps](std::uint64_t seed, std::uint64_t id) { return uniform_step(draw_uniform(seed, id), steps); });
}

/// Uniform steps over a respaced subset: t = kept[uniform_step(u, n) − 1], n = kept.size(), each
/// kept step with probability 1/n (improved-diffusion's respaced training, Nichol & Dhariwal 2021).
/// @throws std::invalid_argument if kept is empty; std::out_of_range unless every kept step is in [1, T].
inline auto uniform_step_sampler(std::vector<int> kept, int steps) {
  const char* fn = "uniform_step_sampler";
  detail::check_steps(fn, steps);
  detail::check_at_least(fn, "the number of kept steps", kept.size(), 1);
  for (std::size_t k = 0; k < kept.size(); ++k) {
    detail::check_step(
        fn, [&] { return "kept step " + std::to_string(k); }, kept[k], 1, steps);
  }
  return detail::per_sample<int>([kept = std::move(kept)](std::uint64_t seed, std::uint64_t id) {
    return kept[static_cast<std::size_t>(uniform_step(draw_uniform(seed, id), static_cast<int>(kept.size())) - 1)];
  });
}

/// Stratified steps, stratum = position in the batch: t_p = stratified_step(u_p, p, B, T) = 1 +
/// ⌊T (p + u_p)/B⌋ (k-diffusion `stratified_uniform`). With B a multiple of T every step occurs
/// B/T times.
/// @throws std::invalid_argument if T < 1.
inline auto stratified_step_sampler(int steps) {
  static_cast<void>(uniform_step(0.5, steps));
  return detail::batch_sampler<int>([steps](std::uint64_t seed, const std::vector<std::uint64_t>& ids, int* out) {
    const int batch = static_cast<int>(ids.size());
    for (int p = 0; p < batch; ++p)
      out[p] = stratified_step(draw_uniform(seed, ids[static_cast<std::size_t>(p)]), p, batch, steps);
  });
}

/// Antithetic pairs, positions 2i and 2i + 1: t_{2i} = uniform_step(u_{2i}, T), t_{2i+1} = T + 1 − t_{2i}
/// (antithetic_step); an odd last sample is uniform. Each t is uniform over 1..T, and every pair sums to T + 1.
/// @throws std::invalid_argument if T < 1.
inline auto antithetic_step_sampler(int steps) {
  static_cast<void>(uniform_step(0.5, steps));
  return detail::batch_sampler<int>([steps](std::uint64_t seed, const std::vector<std::uint64_t>& ids, int* out) {
    for (std::size_t p = 0; p < ids.size(); ++p) {
      out[p] = p % 2 == 0 ? uniform_step(draw_uniform(seed, ids[p]), steps) : antithetic_step(out[p - 1], steps);
    }
  });
}

// ---- continuous time -------------------------------------------------------------------------------

/// Uniform times t = u ∈ (0, 1), on the draw's grid of odd multiples of 2⁻⁵³.
inline auto uniform_time_sampler() {
  return detail::per_sample<double>([](std::uint64_t seed, std::uint64_t id) { return draw_uniform(seed, id); });
}

/// VDM's low-discrepancy times, one uniform u (the draw of ids(0)) for the batch:
/// t_p = ((u + p/B) mod 1) (Kingma et al. 2021, §3.5). Exactly one t in each [p/B, (p + 1)/B).
inline auto low_discrepancy_time_sampler() {
  return detail::batch_sampler<double>([](std::uint64_t seed, const std::vector<std::uint64_t>& ids, double* out) {
    if (ids.empty()) return;
    const double u = draw_uniform(seed, ids[0]);
    const int batch = static_cast<int>(ids.size());
    for (int p = 0; p < batch; ++p) out[p] = low_discrepancy_time(u, p, batch).value();
  });
}

/// SD3's logit-normal times t = sigmoid(m + s z), z = draw_normal(seed, id) (logit_normal_time).
/// @throws as logit_normal_time for m and s.
inline auto logit_normal_time_sampler(double mean = 0, double std = 1) {
  static_cast<void>(logit_normal_time(0.0, mean, std));
  return detail::per_sample<double>([mean, std](std::uint64_t seed, std::uint64_t id) {
    return logit_normal_time(draw_normal(seed, id), mean, std).value();
  });
}

/// SD3's "mode" times t = mode_time(u, s) (default s = 1.29).
/// @throws as mode_time for s.
inline auto mode_time_sampler(double scale = 1.29) {
  static_cast<void>(mode_time(0.5, scale));
  return detail::per_sample<double>(
      [scale](std::uint64_t seed, std::uint64_t id) { return mode_time(draw_uniform(seed, id), scale).value(); });
}

/// SD3's cosmap times t = cosmap_time(u) = 1 − 1/(tan(πu/2) + 1).
inline auto cosmap_time_sampler() {
  return detail::per_sample<double>(
      [](std::uint64_t seed, std::uint64_t id) { return cosmap_time(draw_uniform(seed, id)).value(); });
}

// ---- noise levels ----------------------------------------------------------------------------------

/// EDM's log-normal σ = exp(P_mean + P_std z), z = draw_normal(seed, id) (log_normal_sigma;
/// defaults −1.2, 1.2).
/// @throws as log_normal_sigma for the mean and std.
inline auto log_normal_sigma_sampler(double mean = -1.2, double std = 1.2) {
  static_cast<void>(log_normal_sigma(0.0, mean, std));
  return detail::per_sample<double>([mean, std](std::uint64_t seed, std::uint64_t id) {
    return log_normal_sigma(draw_normal(seed, id), mean, std).value();
  });
}

/// k-diffusion's log-normal σ from a uniform, through Φ⁻¹ (log_normal_sigma_of_uniform: tens of
/// microseconds a sample; log_normal_sigma_sampler draws the same law without Φ⁻¹).
/// @throws as log_normal_sigma_of_uniform for its parameters.
inline auto log_normal_sigma_of_uniform_sampler(double loc = 0, double scale = 1, double tail = 1e-7) {
  static_cast<void>(log_normal_sigma_of_uniform(0.5, loc, scale, tail));
  return detail::per_sample<double>([loc, scale, tail](std::uint64_t seed, std::uint64_t id) {
    return log_normal_sigma_of_uniform(draw_uniform(seed, id), loc, scale, tail).value();
  });
}

/// k-diffusion's truncated log-logistic σ (log_logistic_sigma).
/// @throws as log_logistic_sigma for its parameters.
inline auto log_logistic_sigma_sampler(double loc = 0, double scale = 1, double min_value = 0,
                                       double max_value = std::numeric_limits<double>::infinity()) {
  static_cast<void>(log_logistic_sigma(0.5, loc, scale, min_value, max_value));
  return detail::per_sample<double>([=](std::uint64_t seed, std::uint64_t id) {
    return log_logistic_sigma(draw_uniform(seed, id), loc, scale, min_value, max_value).value();
  });
}

/// k-diffusion's log-uniform σ on [σ_min, σ_max] (log_uniform_sigma).
/// @throws as log_uniform_sigma for its parameters.
inline auto log_uniform_sigma_sampler(double min_value, double max_value) {
  static_cast<void>(log_uniform_sigma(0.5, min_value, max_value));
  return detail::per_sample<double>([=](std::uint64_t seed, std::uint64_t id) {
    return log_uniform_sigma(draw_uniform(seed, id), min_value, max_value).value();
  });
}

/// k-diffusion's truncated v-diffusion σ (v_diffusion_sigma).
/// @throws as v_diffusion_sigma for its parameters.
inline auto v_diffusion_sigma_sampler(double sigma_data = 1, double min_value = 0,
                                      double max_value = std::numeric_limits<double>::infinity()) {
  static_cast<void>(v_diffusion_sigma(0.5, sigma_data, min_value, max_value));
  return detail::per_sample<double>([=](std::uint64_t seed, std::uint64_t id) {
    return v_diffusion_sigma(draw_uniform(seed, id), sigma_data, min_value, max_value).value();
  });
}

/// k-diffusion's interpolated-cosine σ (cosine_interpolated_sigma).
/// @throws as cosine_interpolated_sigma for its parameters.
inline auto cosine_interpolated_sigma_sampler(double image_d, double noise_d_low, double noise_d_high,
                                              double sigma_data = 1, double min_value = 1e-3, double max_value = 1e3) {
  static_cast<void>(
      cosine_interpolated_sigma(0.5, image_d, noise_d_low, noise_d_high, sigma_data, min_value, max_value));
  return detail::per_sample<double>([=](std::uint64_t seed, std::uint64_t id) {
    return cosine_interpolated_sigma(draw_uniform(seed, id), image_d, noise_d_low, noise_d_high, sigma_data, min_value,
                                     max_value)
        .value();
  });
}

}  // namespace diffuse
