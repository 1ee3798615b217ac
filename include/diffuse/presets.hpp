/// Named schedules of diffusers, improved-diffusion, LDM and Chen 2023, rebuilt in diffuse's precise arithmetic.
#pragma once

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "detail/checks.hpp"
#include "detail/wide.hpp"
#include "schedule.hpp"

namespace diffuse {
namespace presets {

namespace detail {

using diffuse::detail::Wide;
/// β_t = g(u_t), u_t = (t − 1)/(T − 1) (0 when T = 1), evaluated in extended precision; element i is β_{i+1}.
template <class Function>
std::vector<Wide> betas_over_unit_interval(int steps, Function g) {
  std::vector<Wide> beta(static_cast<std::size_t>(steps));
  for (int t = 1; t <= steps; ++t) {
    const Wide u = steps == 1 ? Wide() : Wide(t - 1) / Wide(steps - 1);
    beta[static_cast<std::size_t>(t - 1)] = g(u);
  }
  return beta;
}

}  // namespace detail

/// The arguments of a diffusers scheduler that define its β (`DDPMScheduler.__init__`, shared by
/// DDIM, PNDM, Euler, DPM-Solver, …), with diffusers' defaults.
struct DiffusersBetas {
  int num_train_timesteps = 1000;
  double beta_start = 0.0001;
  double beta_end = 0.02;
  /// "linear", "scaled_linear", "squaredcos_cap_v2" or "sigmoid".
  std::string beta_schedule = "linear";
  /// β_1..β_T given directly (element i is β_{i+1}); when non-empty the three fields above are
  /// not used, and its length must equal num_train_timesteps.
  std::vector<double> trained_betas;
  /// Lin et al. 2023 zero terminal SNR (diffusers `rescale_zero_terminal_snr`), endpoint exact.
  bool rescale_betas_zero_snr = false;
  /// CogVideoXDDIMScheduler's `snr_shift_scale` s: SNR/s (Schedule::snr_shifted), applied before the
  /// zero-terminal-SNR rescale as diffusers does; 1 (the default here) is no shift. CogVideoX's hub
  /// configs: 3.0 (the 2B model, the scheduler's default), 1.0 (5B).
  double snr_shift_scale = 1;
};

/// The schedule a diffusers scheduler builds from `betas`, computed exactly from its decimal
/// constants rather than in diffusers' float32: "linear" = Schedule::linear(T, β_start, β_end),
/// "scaled_linear" = Schedule::scaled_linear, "squaredcos_cap_v2" = Schedule::cosine(T, 0.008, 0.999)
/// (`betas_for_alpha_bar`), "sigmoid" = Schedule::sigmoid (GeoDiff); trained_betas = Schedule::from_betas;
/// then snr_shifted(snr_shift_scale) unless it is 1, then zero_terminal_snr() if rescale_betas_zero_snr.
/// @throws std::invalid_argument naming an unknown beta_schedule, if trained_betas does not have
/// num_train_timesteps values, and as the factories it calls.
template <class Scalar>
Schedule<Scalar> diffusers(const DiffusersBetas& betas) {
  const char* fn = "presets::diffusers";
  const int steps = betas.num_train_timesteps;
  diffuse::detail::check_steps(fn, steps);
  auto rescaled = [&](const Schedule<Scalar>& s) {
    const Schedule<Scalar> shifted = betas.snr_shift_scale == 1 ? s : s.snr_shifted(betas.snr_shift_scale);
    return betas.rescale_betas_zero_snr ? shifted.zero_terminal_snr() : shifted;
  };
  if (!betas.trained_betas.empty()) {
    if (static_cast<long long>(betas.trained_betas.size()) != steps) {
      diffuse::detail::fail<std::invalid_argument>(
          fn, "trained_betas must have num_train_timesteps = " + std::to_string(steps) + " values",
          betas.trained_betas.size());
    }
    return rescaled(Schedule<Scalar>::from_betas(betas.trained_betas));
  }
  const std::string& name = betas.beta_schedule;
  if (name == "linear") return rescaled(Schedule<Scalar>::linear(steps, betas.beta_start, betas.beta_end));
  if (name == "scaled_linear")
    return rescaled(Schedule<Scalar>::scaled_linear(steps, betas.beta_start, betas.beta_end));
  if (name == "squaredcos_cap_v2") return rescaled(Schedule<Scalar>::cosine(steps, 0.008, default_max_beta));
  if (name == "sigmoid") return rescaled(Schedule<Scalar>::sigmoid(steps, betas.beta_start, betas.beta_end));
  diffuse::detail::fail<std::invalid_argument>(
      fn, "unknown beta_schedule; known: linear, scaled_linear, squaredcos_cap_v2, sigmoid", name);
}

/// improved-diffusion's `get_named_beta_schedule(name, T)` (Nichol & Dhariwal 2021):
/// "linear" is Ho et al.'s with both ends scaled by 1000/T, β from 0.1/T to 20/T exactly (so it
/// needs T ≥ 20; at T = 20 the last β is 1); "cosine" is Schedule::cosine(T, 0.008, 0.999).
/// @throws std::invalid_argument naming an unknown name, if T < 1, or "linear" with T < 20.
template <class Scalar>
Schedule<Scalar> improved_diffusion(const std::string& name, int steps) {
  const char* fn = "presets::improved_diffusion";
  diffuse::detail::check_steps(fn, steps);
  if (name == "linear") {
    if (steps < 20)
      diffuse::detail::fail<std::invalid_argument>(fn, "\"linear\" needs T >= 20 so that beta_end = 20/T is at most 1",
                                                   steps);
    using detail::Wide;
    const Wide b0 = Wide(1) / Wide(10 * steps);  // 1000/T · 0.0001
    const Wide b1 = Wide(20) / Wide(steps);      // 1000/T · 0.02
    return diffuse::detail::schedule_from_betas<Scalar>(
        "Schedule::from_betas", detail::betas_over_unit_interval(steps, [&](Wide u) { return b0 + (b1 - b0) * u; }));
  }
  if (name == "cosine") return Schedule<Scalar>::cosine(steps, 0.008, default_max_beta);
  diffuse::detail::fail<std::invalid_argument>(fn, "unknown schedule name; known: linear, cosine", name);
}

/// LDM's `make_beta_schedule(name, T, linear_start, linear_end, cosine_s)` (Rombach et al. 2022)
/// with LDM's defaults. Mind the names: LDM's "linear" is Schedule::scaled_linear(T, linear_start,
/// linear_end) (Stable Diffusion's configs pass 0.00085, 0.012); "sqrt_linear" is the plain
/// Schedule::linear; "sqrt" is β_t = √(linear_start + (linear_end − linear_start)(t − 1)/(T − 1));
/// "cosine" is Schedule::cosine(T, cosine_s, 0.999) (LDM clips β to [0, 0.999]).
/// @throws std::invalid_argument naming an unknown name, and for T < 1 or an end outside (0, 1].
template <class Scalar>
Schedule<Scalar> ldm(const std::string& name, int steps, double linear_start = 1e-4, double linear_end = 2e-2,
                     double cosine_s = 8e-3) {
  const char* fn = "presets::ldm";
  diffuse::detail::check_steps(fn, steps);
  if (name == "linear") return Schedule<Scalar>::scaled_linear(steps, linear_start, linear_end);
  if (name == "sqrt_linear") return Schedule<Scalar>::linear(steps, linear_start, linear_end);
  if (name == "cosine") return Schedule<Scalar>::cosine(steps, cosine_s, default_max_beta);
  if (name == "sqrt") {
    diffuse::detail::check_in_half_open_unit_interval(fn, "linear_start", linear_start);
    diffuse::detail::check_in_half_open_unit_interval(fn, "linear_end", linear_end);
    using detail::Wide;
    const Wide b0 = diffuse::detail::decimal_value(linear_start);
    const Wide b1 = diffuse::detail::decimal_value(linear_end);
    return diffuse::detail::schedule_from_betas<Scalar>(
        "Schedule::from_betas",
        detail::betas_over_unit_interval(steps, [&](Wide u) { return sqrt(b0 + (b1 - b0) * u); }));
  }
  diffuse::detail::fail<std::invalid_argument>(fn, "unknown schedule name; known: linear, sqrt_linear, sqrt, cosine",
                                               name);
}

/// The sigmoid schedule of Chen 2023 ("On the Importance of Noise Scheduling for Diffusion
/// Models", Alg. 1; lucidrains' `sigmoid_beta_schedule`): with v = sigmoid,
/// ᾱ(u) = (v(e/τ) − v((u(e − s) + s)/τ)) / (v(e/τ) − v(s/τ)), β_t = min(1 − ᾱ(t/T)/ᾱ((t − 1)/T), 0.999),
/// so only the last β (exactly 1 before the clip) is capped. Evaluated without cancellation as
/// β_t = [expm1(−h)/(1 + e^{−x_t})] / [expm1(−(T − t + 1)h)/(1 + e^{−e/τ})], h = (e − s)/(τT),
/// x_t = (t/T·(e − s) + s)/τ, in extended precision.
/// @throws std::invalid_argument if T < 1, start ≥ end, τ ≤ 0 or a parameter is not finite.
template <class Scalar>
Schedule<Scalar> chen_sigmoid(int steps, double start = -3, double end = 3, double tau = 1) {
  const char* fn = "presets::chen_sigmoid";
  diffuse::detail::check_steps(fn, steps);
  if (!diffuse::detail::is_finite(start) || !diffuse::detail::is_finite(end) || !(start < end)) {
    diffuse::detail::fail<std::invalid_argument>(
        fn, "start must be below end, both finite; start = " + diffuse::detail::shortest_decimal(start) + ", end", end);
  }
  diffuse::detail::check_finite_positive(fn, "tau", tau);
  using detail::Wide;
  const Wide s = diffuse::detail::decimal_value(start);
  const Wide e = diffuse::detail::decimal_value(end);
  const Wide scale = diffuse::detail::decimal_value(tau);
  const Wide big_t = Wide(steps);
  const Wide h = (e - s) / (scale * big_t);
  const Wide cap = diffuse::detail::decimal_value(default_max_beta);
  const Wide end_term = 1 + exp(-e / scale);
  std::vector<Wide> beta(static_cast<std::size_t>(steps));
  for (int t = 1; t <= steps; ++t) {
    const Wide x = (Wide(t) / big_t * (e - s) + s) / scale;
    const Wide numerator = expm1(-h) / (1 + exp(-x));
    const Wide denominator = expm1(-Wide(steps - t + 1) * h) / end_term;
    beta[static_cast<std::size_t>(t - 1)] = diffuse::detail::min(numerator / denominator, cap);
  }
  return diffuse::detail::schedule_from_betas<Scalar>("Schedule::from_betas", beta);
}

}  // namespace presets
}  // namespace diffuse
