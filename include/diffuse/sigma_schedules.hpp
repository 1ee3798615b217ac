/// Noise-level (σ) schedules for samplers, k-diffusion style, and the map between a σ and the steps of a discrete Schedule.
///
/// Ramps: karras_sigmas, exponential_sigmas, polyexponential_sigmas, vp_sigmas return N + 1 values,
/// the N noise levels from the largest down, then a final 0 appended (k-diffusion's `append_zero`:
/// the sampler's last step goes to the data). N = 1 is allowed and gives [σ_max, 0] (the VP ramp:
/// [σ(1), 0]); the ramp parameter r_i = i/(N − 1) is taken as 0 there instead of 0/0. Each value is
/// evaluated in detail::Wide from the decimal parameters and rounded once, from within
/// 2⁻¹¹⁸(1 + ρ)(1 + |log σ_min| + |log σ_max|) relative (ρ = 1 for the exponential and VP ramps,
/// whose σ_min and σ_max are the ramp's ends): float, double and x87 long double are correctly
/// rounded unless the exact value lies that close to a tie (docs/precision.md, with the derivation).
///
/// Steps: a Schedule's σ_t = Schedule::sigma(t) for our steps t = 0..T (σ_0 = 0). k-diffusion's
/// `DiscreteSchedule` and stable-diffusion.cpp hold the same σ at 0-based index t − 1. Every
/// function here takes and returns steps in OUR numbering: int steps 0..T, and FractionalStep,
/// whose model_index() is the 0-based fractional index of k-diffusion (`sigma_to_t`'s result) and
/// whose from_model_index() takes one. They work in Wide on log σ_t = ½ log expm1(−log ᾱ_t) of the
/// schedule's Wide log ᾱ_t (within its contract, 2⁻¹¹⁸(1 + |log ᾱ_t|) relative), which puts log σ_t
/// within 2⁻¹¹⁷(1 + Λ_t)² absolute, Λ_t = |log ᾱ_t| + |log σ_t|; each result is rounded once, from
/// within 2⁻¹¹⁶(1 + Λ)² relative for noise_level(schedule, u) and 2⁻¹¹⁴(1 + Λ)²/Δ + 2⁻¹²⁵u absolute
/// for fractional_step (Λ the larger Λ_t of the two steps around u, Δ their gap in log σ).
#pragma once

#include <cmath>
#include <string>

#include <Eigen/Core>

#include "continuous.hpp"
#include "detail/checks.hpp"
#include "detail/wide.hpp"
#include "schedule.hpp"
#include "time_coordinates.hpp"

namespace diffuse {
namespace detail {

inline void check_ramp_length(const char* function, int n) {
  check_at_least(function, "the number of noise levels N", n, 1);
}

inline void check_sigma_range(const char* function, double sigma_min, double sigma_max) {
  check_finite_positive(function, "sigma_min", sigma_min);
  check_finite_above(function, "sigma_max", sigma_max, "sigma_min", sigma_min);
}

/// The N values σ(r_i), r_i = i/(N − 1) from 0 to 1 (r_0 = 0 when N = 1), passed as the exact pair
/// (r_i, 1 − r_i) so that neither is formed by a subtraction, then a final 0.
template <class Scalar, class SigmaOfRamp>
Eigen::Matrix<Scalar, Eigen::Dynamic, 1> sigma_ramp(int n, SigmaOfRamp sigma_of_ramp) {
  Eigen::Matrix<Scalar, Eigen::Dynamic, 1> sigmas(n + 1);
  if (n == 1) {
    sigmas(0) = static_cast<Scalar>(sigma_of_ramp(Wide(), Wide(1)));
  } else {
    const Wide last = Wide(n - 1);
    for (int i = 0; i < n; ++i) {
      sigmas(i) = static_cast<Scalar>(sigma_of_ramp(Wide(i) / last, Wide(n - 1 - i) / last));
    }
  }
  sigmas(n) = 0;
  return sigmas;
}

/// log σ_t of a schedule in wide: ½ log expm1(−L_t) (−∞ at t = 0, +∞ at a zero-terminal-SNR end).
template <class Scalar>
Wide schedule_log_sigma(const Schedule<Scalar>& schedule, int t) {
  return ldexp(log(expm1(-wide_schedule(schedule).log_alpha_bar(t))), -1);
}

/// The step lo in [1, T − 1] with log σ_lo ≤ x < log σ_{lo+1}, for log σ_1 < x < log σ_T (bisection).
template <class Scalar>
int bracketing_step(const Schedule<Scalar>& schedule, Wide log_sigma) {
  int lo = 1, hi = schedule.steps();
  while (hi - lo > 1) {
    const int mid = lo + (hi - lo) / 2;
    if (schedule_log_sigma(schedule, mid) <= log_sigma) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return lo;
}

/// nearest_step for log σ = x (σ > 0), in wide: the step of [1, T] nearest in log σ, ties to the lower.
template <class Scalar>
int nearest_step_of_log_sigma(const Schedule<Scalar>& schedule, const Wide& x) {
  const int steps = schedule.steps();
  if (x <= schedule_log_sigma(schedule, 1)) return 1;
  if (x >= schedule_log_sigma(schedule, steps)) return steps;
  const int lo = bracketing_step(schedule, x);
  return x - schedule_log_sigma(schedule, lo) <= schedule_log_sigma(schedule, lo + 1) - x ? lo : lo + 1;
}

/// fractional_step for log σ = x (σ > 0), in wide: u in [1, T] by linear interpolation in log σ.
template <class Scalar>
Wide fractional_step_of_log_sigma(const Schedule<Scalar>& schedule, const Wide& x) {
  const int steps = schedule.steps();
  if (x <= schedule_log_sigma(schedule, 1)) return Wide(1);
  if (x >= schedule_log_sigma(schedule, steps)) return Wide(steps);
  const int lo = bracketing_step(schedule, x);
  const Wide low = schedule_log_sigma(schedule, lo), high = schedule_log_sigma(schedule, lo + 1);
  return Wide(lo) + (x - low) / (high - low);
}

/// (1 − w) log σ_lo + w log σ_{lo+1}, 0 < w < 1, 1 ≤ lo < T: log σ at the fractional step lo + w.
template <class Scalar>
Wide log_sigma_between(const Schedule<Scalar>& schedule, int lo, const Wide& w) {
  return (1 - w) * schedule_log_sigma(schedule, lo) + w * schedule_log_sigma(schedule, lo + 1);
}

}  // namespace detail

/// Karras et al. 2022 (EDM, eq. 5; k-diffusion `get_sigmas_karras`): σ_i = (σ_max^{1/ρ} +
/// r_i(σ_min^{1/ρ} − σ_max^{1/ρ}))^ρ, r_i = i/(N − 1), i = 0..N − 1, then 0. Evaluated as
/// ((1 − r_i)σ_max^{1/ρ} + r_i σ_min^{1/ρ})^ρ (two positive terms; relative condition number ρ).
/// @throws std::invalid_argument if N < 1, unless 0 < σ_min < σ_max (finite), or unless ρ > 0 (finite).
template <class Scalar>
Eigen::Matrix<Scalar, Eigen::Dynamic, 1> karras_sigmas(int n, double sigma_min = 0.002, double sigma_max = 80,
                                                       double rho = 7) {
  const char* fn = "karras_sigmas";
  detail::check_ramp_length(fn, n);
  detail::check_sigma_range(fn, sigma_min, sigma_max);
  detail::check_finite_positive(fn, "rho", rho);
  using detail::Wide;
  const Wide p = detail::decimal_value(rho);
  const Wide low = pow(detail::decimal_value(sigma_min), 1 / p), high = pow(detail::decimal_value(sigma_max), 1 / p);
  return detail::sigma_ramp<Scalar>(n, [&](Wide r, Wide one_minus_r) { return pow(one_minus_r * high + r * low, p); });
}

/// Uniform in log σ (k-diffusion `get_sigmas_exponential`): σ_i = exp((1 − r_i) log σ_max +
/// r_i log σ_min), r_i = i/(N − 1), then 0.
/// @throws std::invalid_argument if N < 1 or unless 0 < σ_min < σ_max (finite).
template <class Scalar>
Eigen::Matrix<Scalar, Eigen::Dynamic, 1> exponential_sigmas(int n, double sigma_min = 0.002, double sigma_max = 80) {
  const char* fn = "exponential_sigmas";
  detail::check_ramp_length(fn, n);
  detail::check_sigma_range(fn, sigma_min, sigma_max);
  using detail::Wide;
  const Wide low = log(detail::decimal_value(sigma_min)), high = log(detail::decimal_value(sigma_max));
  return detail::sigma_ramp<Scalar>(n, [&](Wide r, Wide one_minus_r) { return exp(one_minus_r * high + r * low); });
}

/// Polynomial in log σ (k-diffusion `get_sigmas_polyexponential`): σ_i = exp(q_i^ρ (log σ_max −
/// log σ_min) + log σ_min), q_i = 1 − i/(N − 1) from 1 to 0, then 0; ρ = 1 is exponential_sigmas.
/// @throws std::invalid_argument if N < 1, unless 0 < σ_min < σ_max (finite), or unless ρ > 0 (finite).
template <class Scalar>
Eigen::Matrix<Scalar, Eigen::Dynamic, 1> polyexponential_sigmas(int n, double sigma_min = 0.002, double sigma_max = 80,
                                                                double rho = 1) {
  const char* fn = "polyexponential_sigmas";
  detail::check_ramp_length(fn, n);
  detail::check_sigma_range(fn, sigma_min, sigma_max);
  detail::check_finite_positive(fn, "rho", rho);
  using detail::Wide;
  const Wide p = detail::decimal_value(rho);
  const Wide low = log(detail::decimal_value(sigma_min));
  const Wide span = log(detail::decimal_value(sigma_max) / detail::decimal_value(sigma_min));
  return detail::sigma_ramp<Scalar>(n, [&](Wide, Wide q) { return exp(pow(q, p) * span + low); });
}

/// The VP noise levels of EDM (Karras et al. 2022, Table 1; k-diffusion `get_sigmas_vp`):
/// σ(t) = √(e^{½β_d t² + β_min t} − 1) at t_i = 1 + r_i(ε_s − 1), r_i = i/(N − 1) (linspace(1, ε_s,
/// N)), then 0. σ(t) is ContinuousProcess::vp_linear(β_min, β_min + β_d)'s noise level,
/// evaluated as e^{B/2}√(−expm1(−B)) (no cancellation at small t).
/// @throws std::invalid_argument if N < 1, unless β_d ≥ 0 and β_min ≥ 0 (finite, not both 0), or
/// unless 0 < ε_s ≤ 1.
template <class Scalar>
Eigen::Matrix<Scalar, Eigen::Dynamic, 1> vp_sigmas(int n, double beta_d = 19.9, double beta_min = 0.1,
                                                   double eps_s = 1e-3) {
  const char* fn = "vp_sigmas";
  detail::check_ramp_length(fn, n);
  detail::check_finite_non_negative(fn, "beta_d", beta_d);
  detail::check_finite_non_negative(fn, "beta_min", beta_min);
  detail::check_positive(fn, "beta_d + beta_min", beta_d + beta_min);
  detail::check_in_half_open_unit_interval(fn, "eps_s", eps_s);
  using detail::Wide;
  const detail::VpLinearFamily vp{{detail::decimal_value(beta_min), detail::decimal_value(beta_d)}};
  const Wide eps = detail::decimal_value(eps_s);
  return detail::sigma_ramp<Scalar>(n, [&](Wide r, Wide one_minus_r) { return vp.noise_level(one_minus_r + r * eps); });
}

/// The step t in [0, T] whose σ_t is nearest to σ in log σ (k-diffusion `DiscreteSchedule.sigma_to_t`
/// with quantize=True: argmin |log σ − log σ_t|, ties to the lower step). σ = 0 gives step 0;
/// σ below σ_1 gives 1 and above σ_T gives T, as in k-diffusion (with σ_T = ∞, zero terminal SNR:
/// T − 1 for every finite σ, T for σ = ∞). Our numbering: subtract 1 for k-diffusion's index.
template <class Scalar>
int nearest_step(const Schedule<Scalar>& schedule, NoiseLevel<Scalar> sigma) {
  if (sigma.value() == 0) return 0;
  return detail::nearest_step_of_log_sigma(schedule, log(static_cast<detail::Wide>(sigma.value())));
}

/// The fractional step u of σ by linear interpolation in log σ between neighbouring steps
/// (k-diffusion `DiscreteSchedule.sigma_to_t`, stable-diffusion.cpp `sigma_to_t`): with
/// log σ_t ≤ log σ < log σ_{t+1}, u = t + (log σ − log σ_t)/(log σ_{t+1} − log σ_t). σ = 0 gives 0
/// (the data); σ ≤ σ_1 gives 1 and σ ≥ σ_T gives T (k-diffusion clamps its weight to [0, 1] the
/// same way). With a zero-terminal-SNR schedule (σ_T = ∞) every finite σ ≥ σ_{T−1} gives T − 1 (the
/// weight of an infinite log σ_T is 0) and σ = ∞ gives T. Our numbering: result.model_index() is
/// k-diffusion's t. Evaluated in Wide from the schedule's log ᾱ and rounded once.
template <class Scalar>
FractionalStep<Scalar> fractional_step(const Schedule<Scalar>& schedule, NoiseLevel<Scalar> sigma) {
  using detail::Wide;
  if (sigma.value() == 0) return FractionalStep<Scalar>(0);
  return FractionalStep<Scalar>(
      static_cast<Scalar>(detail::fractional_step_of_log_sigma(schedule, log(Wide(sigma.value())))));
}

/// The noise level at a fractional step (k-diffusion `DiscreteSchedule.t_to_sigma`): at u = t + w,
/// t integer, w ∈ [0, 1), log σ = (1 − w) log σ_t + w log σ_{t+1}; an integer u gives
/// Schedule::sigma(u) exactly and u = 0 gives 0. Between T − 1 and T of a zero-terminal-SNR
/// schedule (σ_T = ∞) the result is +∞. Our numbering: use FractionalStep::from_model_index for
/// k-diffusion's t.
/// @throws std::out_of_range unless u = 0 or 1 ≤ u ≤ T (log σ_0 = −∞: nothing to interpolate).
template <class Scalar>
NoiseLevel<Scalar> noise_level(const Schedule<Scalar>& schedule, FractionalStep<Scalar> step) {
  using detail::Wide;
  const Scalar u = step.value();
  const int steps = schedule.steps();
  if (!(u == 0 || (u >= 1 && u <= static_cast<Scalar>(steps)))) {
    detail::fail<std::out_of_range>("noise_level", "fractional step must be 0 or in [1, " + std::to_string(steps) + "]",
                                    u);
  }
  using std::floor;
  const int lo = static_cast<int>(floor(u));
  const Scalar w = u - static_cast<Scalar>(lo);  // exact: u and lo share the exponent range
  if (w == 0) return NoiseLevel<Scalar>(schedule.sigma(lo));
  return NoiseLevel<Scalar>(static_cast<Scalar>(exp(detail::log_sigma_between(schedule, lo, Wide(w)))));
}

}  // namespace diffuse
