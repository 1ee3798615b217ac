/// One training batch in one call: per-sample coordinates from a sampler, x_t with the drawn noise, the target of a prediction type and the loss weight, in one pass over memory.
///
/// training_batch(process, sampler, prediction, x0, seed, ids, x_t, target, weights, weight) does,
/// for every column j (sample ids(j)):
///   c_j      = the sampler's coordinate of the batch ids under seed (training_samplers.hpp; draw 0
///              of the draw contract, Philox blocks from 2^63 on);
///   ε_j      = the noise of sample ids(j) under seed (noise.hpp's contract, blocks below 2^63);
///   x_t      = scaled_sum(a, x_0, b, ε) — noise.hpp's add_noise with drawn noise, bit for bit;
///   target   ε (Prediction::epsilon, add_noise's eps output), x_0 (a copy), v = scaled_sum(−b, x_0,
///            a, ε) (batch.hpp's velocity; a variance-preserving process) or u = fl(ε − x_0)
///            (batch.hpp's flow_velocity), bit for bit;
///   weights_j = weight(SNR(c_j)), SNR = exp(λ(c_j)) from the process's log-SNR, rounded once
///            (within |λ|ε + ½ε relative of a²/b²); by default 1. The weight functions of
///            training_time.hpp fit: `[](float snr) { return min_snr_weight(snr, Prediction::v); }`.
/// The target is formed in the noise kernel's own pass, from each normal as it is made (the x_0
/// target is copied chunk by chunk, 16384 elements of a column, while in cache), so x_0 is read and
/// x_t and target written once. Everything is checked, the coordinates drawn and
/// the weights evaluated before anything is written: on an exception the outputs are untouched.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include "batch.hpp"
#include "detail/storage16.hpp"
#include "detail/wide_math.hpp"
#include "noise.hpp"
#include "training_samplers.hpp"
#include "training_time.hpp"

namespace diffuse {

/// The loss weight 1 at every coordinate (no weighting).
struct UnitWeight {
  template <class Scalar>
  Scalar operator()(Scalar) const {
    return Scalar(1);
  }
};

namespace detail {

/// One column's (or chunk's) work of training_batch: for ε, v and u, the noise task alone, the
/// target written in the noise's own pass (NoiseTask's eps, or its target = scaled_sum(target_a,
/// x_0, target_b, z) with (−b, a) for v = scaled_sum(−b, x_0, a, ε) and (−1, 1) for u = fl(ε − x_0),
/// multiplying by ±1 being exact); for x_0, the noise task and then x_0 copied to the target. The
/// arrays hold Stored values: Scalar, or 16-bit storage of a float Scalar (storage16.hpp).
template <class Scalar, class Stored = Scalar>
struct TrainingTask {
  NoiseTask<Scalar, Stored> noise;
  Stored* copy = nullptr;  ///< the x_0 target, or null
  std::ptrdiff_t copy_stride = 1;
  std::size_t count = 0;

  TrainingTask part(std::size_t k, std::size_t n) const {
    TrainingTask t = *this;
    t.noise = noise.part(k, n);
    if (copy) t.copy += static_cast<std::ptrdiff_t>(k) * copy_stride;
    t.count = n;
    return t;
  }
};

/// Runs a TrainingTask. In 16-bit storage the x_0 target is x_0 widened and rounded once, as every
/// other output (the same bits as a copy, but for the payload of a NaN, which becomes quiet).
template <class Scalar, class Stored>
void run_training_task(const TrainingTask<Scalar, Stored>& t) {
  run_stored_noise_task(t.noise);
  if (!t.copy) return;
  if constexpr (std::is_same<Scalar, Stored>::value) {
    for (std::size_t k = 0; k < t.count; ++k) {
      t.copy[static_cast<std::ptrdiff_t>(k) * t.copy_stride] =
          t.noise.x0[static_cast<std::ptrdiff_t>(k) * t.noise.x0_stride];
    }
  } else {
    float block[storage_block];
    for (std::size_t k = 0; k < t.count; k += storage_block) {
      const TrainingTask part = t.part(k, std::min(storage_block, t.count - k));
      widen(part.noise.x0, part.noise.x0_stride, part.count, block);
      narrow(block, part.count, part.copy, part.copy_stride);
    }
  }
}

}  // namespace detail

/// One training batch (see the file comment): writes x_t, the target of `prediction` and one loss
/// weight per column, and returns the coordinates. x0 has one sample per column; ids one
/// non-negative integer per column; x_t and target the shape of x0, writable with direct access,
/// different memory from each other and from x0; weights a vector with one entry per column.
/// x0, x_t and target may be Eigen::half or Eigen::bfloat16 storage (all three the same) with a float
/// process and float weights: each output is the float result rounded once (detail/storage16.hpp).
/// The sampler's coordinates must fit the process (steps 1..T of a Schedule's T; times for a
/// ContinuousProcess or RectifiedFlow).
/// @throws std::invalid_argument on a shape or count mismatch, outputs sharing memory, or
/// Prediction::v with a process that is not variance preserving; std::out_of_range on a negative
/// id or a coordinate outside the process; what `weight` throws (a weight with no finite limit
/// there). Nothing is written then.
template <class Process, class Sampler, class X0, class Ids, class Xt, class Target, class Weights,
          class Weight = UnitWeight>
std::vector<typename Sampler::value_type> training_batch(const Process& process, const Sampler& sampler,
                                                         Prediction prediction, const Eigen::MatrixBase<X0>& x0,
                                                         std::uint64_t seed, const Eigen::MatrixBase<Ids>& ids,
                                                         const Eigen::MatrixBase<Xt>& x_t,
                                                         const Eigen::MatrixBase<Target>& target,
                                                         const Eigen::MatrixBase<Weights>& weights,
                                                         const Weight& weight = Weight{}) {
  detail::check_process_argument<Process, Weights>();
  using Scalar = typename ProcessTraits<Process>::scalar_type;
  using Stored = typename X0::Scalar;  // Scalar, or 16-bit storage of a float process (checked below)
  const char* fn = "training_batch";
  if (prediction == Prediction::v) detail::check_variance_preserving(fn, process);
  detail::check_count(fn, "weights", weights.size(), x0.cols());
  static_cast<void>(detail::checked_ids(fn, ids, x0.cols()));
  if (x0.size() > 0 &&
      (static_cast<const void*>(detail::strided_output(x_t).data) == static_cast<const void*>(x0.derived().data()) ||
       static_cast<const void*>(detail::strided_output(target).data) ==
           static_cast<const void*>(x0.derived().data()))) {
    detail::fail<std::invalid_argument>(fn, "x_t and target must be different memory from x0", "the same pointer");
  }
  const std::vector<typename Sampler::value_type> coordinates = sample_coordinates(sampler, seed, ids);
  detail::with_drawn_noise_tasks(
      fn, process, x0, drawn_noise(seed, ids), coordinates, x_t, &target, [&](const auto& tasks, const auto& c) {
        std::vector<Scalar> w(c.size());
        for (std::size_t j = 0; j < c.size(); ++j) {
          const Scalar lambda = ProcessTraits<Process>::log_snr(process, c[j]);
          w[j] = weight(static_cast<Scalar>(exp(detail::Wide(lambda))));
        }
        std::vector<detail::TrainingTask<Scalar, Stored>> parts(tasks.size());
        for (std::size_t j = 0; j < tasks.size(); ++j) {
          detail::TrainingTask<Scalar, Stored>& t = parts[j];
          t.noise = tasks[j];
          t.count = tasks[j].count;
          if (prediction == Prediction::epsilon) continue;
          t.noise.eps = nullptr;
          if (prediction == Prediction::x0) {
            t.copy = tasks[j].eps;
            t.copy_stride = tasks[j].eps_stride;
          } else {
            t.noise.target = tasks[j].eps;
            t.noise.target_stride = tasks[j].eps_stride;
            const bool v = prediction == Prediction::v;
            t.noise.target_a = v ? -tasks[j].b : Scalar(-1);
            t.noise.target_b = v ? tasks[j].a : Scalar(1);
          }
        }
        detail::run_in_chunks(parts,
                              [](const detail::TrainingTask<Scalar, Stored>& t) { detail::run_training_task(t); });
        auto& out = const_cast<Weights&>(weights.derived());
        for (std::size_t j = 0; j < w.size(); ++j) out(static_cast<Eigen::Index>(j)) = w[j];
      });
  return coordinates;
}

}  // namespace diffuse
