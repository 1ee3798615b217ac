/// Importance sampling of training steps from the running second moment of the per-step loss (improved-diffusion's LossSecondMomentResampler), as a state object that can be saved and restored.
///
/// Nichol & Dhariwal 2021 (Improved DDPM, §3.3, eq. 17): sample t with p_t ∝ √E[L_t²] and weight
/// the loss by 1/(T p_t), which keeps the loss unbiased and lowers its variance. improved-diffusion's
/// resample.py keeps the last H losses of every step (H = `history_per_term` = 10) and, once every
/// step has H of them ("warmed up"), uses w_t = √(mean of the H squared losses), p = (1 − ρ) w/Σw
/// + ρ/T with ρ = `uniform_prob` = 0.001; before that p is uniform. Its index i = 0..T−1 is our
/// step t = i + 1. Here: the same rule, with the draws of the draw contract (draws.hpp), so the
/// step of sample `id` under `seed` is a pure function of (state, seed, id); and two choices where
/// resample.py divides by zero: when every w_t is 0 (all recorded losses 0) p is uniform.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "detail/checks.hpp"
#include "draws.hpp"

namespace diffuse {

/// The whole state of a LossSecondMomentSampler, plain data to save and restore: the parameters,
/// and per step t = 1..T the count of recorded losses (0..H) and the last H of them, oldest first,
/// at history[(t − 1)·H + k], k < count (the rest 0).
struct LossSecondMomentState {
  int steps = 0;                       ///< T
  int history_length = 10;             ///< H
  double uniform_probability = 0.001;  ///< ρ
  std::vector<int> counts;             ///< T entries
  std::vector<double> history;         ///< T·H entries
};

/// A step drawn by importance sampling and its importance weight 1/(T p_t).
struct ImportanceDraw {
  int step;
  double weight;
};

/// improved-diffusion's LossSecondMomentResampler over steps 1..T (see the file comment).
class LossSecondMomentSampler {
 public:
  /// An empty history for T steps, history length H and uniform mixing probability ρ.
  /// @throws std::invalid_argument if T < 1, H < 1 or ρ is outside [0, 1] (NaN included).
  explicit LossSecondMomentSampler(int steps, int history_length = 10, double uniform_probability = 0.001)
      : LossSecondMomentSampler(LossSecondMomentState{
            steps, history_length, uniform_probability,
            std::vector<int>(steps > 0 ? static_cast<std::size_t>(steps) : 0, 0),
            std::vector<double>(steps > 0 && history_length > 0
                                    ? static_cast<std::size_t>(steps) * static_cast<std::size_t>(history_length)
                                    : 0,
                                0.0)}) {}

  /// A sampler restored from a saved state, checked.
  /// @throws std::invalid_argument if T < 1, H < 1, ρ is outside [0, 1], counts does not have T
  /// entries in [0, H], or history does not have T·H finite entries.
  explicit LossSecondMomentSampler(LossSecondMomentState state) : state_(std::move(state)) {
    const char* fn = "LossSecondMomentSampler";
    detail::check_steps(fn, state_.steps);
    detail::check_at_least(fn, "the history length H", state_.history_length, 1);
    detail::check_in_closed_unit_interval(fn, "uniform_probability", state_.uniform_probability);
    const std::size_t steps = static_cast<std::size_t>(state_.steps),
                      length = static_cast<std::size_t>(state_.history_length);
    if (state_.counts.size() != steps) {
      detail::fail<std::invalid_argument>(fn, "counts must have T = " + std::to_string(steps) + " entries",
                                          state_.counts.size());
    }
    if (state_.history.size() != steps * length) {
      detail::fail<std::invalid_argument>(fn, "history must have T·H = " + std::to_string(steps * length) + " entries",
                                          state_.history.size());
    }
    for (std::size_t i = 0; i < steps; ++i) {
      detail::check_step(
          fn, [&] { return "counts(" + std::to_string(i) + ")"; }, state_.counts[i], 0, state_.history_length);
    }
    for (std::size_t i = 0; i < state_.history.size(); ++i) {
      detail::check_finite(
          fn, [&] { return "history(" + std::to_string(i) + ")"; }, state_.history[i]);
    }
  }

  /// The state, to save (restore it with the constructor above).
  const LossSecondMomentState& state() const { return state_; }

  /// Whether every step has H recorded losses (resample.py's `_warmed_up`).
  bool warmed_up() const {
    for (int c : state_.counts) {
      if (c < state_.history_length) return false;
    }
    return true;
  }

  /// Records the loss of each step in turn, in order: losses(k) for step steps[k], as resample.py's
  /// `update_with_all_losses` (a full history drops its oldest loss). All or nothing: every
  /// argument is checked first, and on an exception the state is unchanged.
  /// @throws std::invalid_argument if the lengths differ or a loss is not finite (NaN, ±∞);
  /// std::out_of_range for a step outside [1, T].
  void update(const std::vector<int>& steps, const std::vector<double>& losses) {
    const char* fn = "LossSecondMomentSampler::update";
    if (losses.size() != steps.size()) {
      detail::fail<std::invalid_argument>(fn, "losses must have one entry per step, " + std::to_string(steps.size()),
                                          losses.size());
    }
    for (std::size_t k = 0; k < steps.size(); ++k) {
      detail::check_step(
          fn, [&] { return "steps(" + std::to_string(k) + ")"; }, steps[k], 1, state_.steps);
      detail::check_finite(
          fn, [&] { return "losses(" + std::to_string(k) + ")"; }, losses[k]);
    }
    const std::size_t length = static_cast<std::size_t>(state_.history_length);
    for (std::size_t k = 0; k < steps.size(); ++k) {
      const std::size_t i = static_cast<std::size_t>(steps[k] - 1);
      double* h = state_.history.data() + i * length;
      int& count = state_.counts[i];
      if (static_cast<std::size_t>(count) == length) {
        for (std::size_t m = 0; m + 1 < length; ++m) h[m] = h[m + 1];
        h[length - 1] = losses[k];
      } else {
        h[count++] = losses[k];
      }
    }
  }

  /// The probabilities p_1..p_T (index t − 1): uniform 1/T before warm-up (or when every w_t = 0),
  /// else p_t = (1 − ρ) w_t/Σw + ρ/T with w_t = √((1/H) Σ_k h_{t,k}²) (resample.py's `weights`,
  /// evaluated in double in that order).
  std::vector<double> probabilities() const {
    const std::size_t steps = static_cast<std::size_t>(state_.steps),
                      length = static_cast<std::size_t>(state_.history_length);
    std::vector<double> p(steps, 1.0 / static_cast<double>(steps));
    if (!warmed_up()) return p;
    double total = 0;
    for (std::size_t i = 0; i < steps; ++i) {
      double squares = 0;
      for (std::size_t k = 0; k < length; ++k)
        squares += state_.history[i * length + k] * state_.history[i * length + k];
      p[i] = std::sqrt(squares / static_cast<double>(length));
      total += p[i];
    }
    if (!(total > 0)) {
      std::fill(p.begin(), p.end(), 1.0 / static_cast<double>(steps));
      return p;
    }
    const double rho = state_.uniform_probability;
    for (double& x : p) x = x / total * (1 - rho) + rho / static_cast<double>(steps);
    return p;
  }

  /// The step of sample `id` under `seed` and its importance weight 1/(T p_t): t is the first step
  /// with u < c_t, c_t = p_1 + … + p_t (summed in double), u = draw_uniform(seed, id); where rounding
  /// leaves u ≥ c_T, the last step with p_t > 0. A step with p_t = 0 is never drawn.
  ImportanceDraw draw(std::uint64_t seed, std::uint64_t id) const { return draw_from(probabilities(), seed, id); }

  /// draw() for every id of `ids` (one evaluation of the probabilities for the batch).
  std::vector<ImportanceDraw> draw(std::uint64_t seed, const std::vector<std::uint64_t>& ids) const {
    const std::vector<double> p = probabilities();
    std::vector<ImportanceDraw> out;
    out.reserve(ids.size());
    for (std::uint64_t id : ids) out.push_back(draw_from(p, seed, id));
    return out;
  }

 private:
  ImportanceDraw draw_from(const std::vector<double>& p, std::uint64_t seed, std::uint64_t id) const {
    const double u = draw_uniform(seed, id);
    double c = 0;
    std::size_t chosen = p.size();
    std::size_t last_positive = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
      if (p[i] > 0) last_positive = i;
      c += p[i];
      if (chosen == p.size() && p[i] > 0 && u < c) chosen = i;
    }
    if (chosen == p.size()) chosen = last_positive;
    return {static_cast<int>(chosen + 1), 1 / (static_cast<double>(p.size()) * p[chosen])};
  }

  LossSecondMomentState state_;
};

}  // namespace diffuse
