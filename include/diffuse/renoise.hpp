/// Re-noising steps of samplers as Gaussians over the next latent: the VE ancestral split, the rectified-flow ancestral step, full re-noise to the next level (flow, LCM) and TCD's γ step, each with a drawn-noise form.
///
/// Each step takes the current latent x (where it matters) and the model's prediction x̂₀ (and ε̂ for
/// TCD) and returns the Gaussian N(a·x + b·x̂₀, v I) of the next latent; `sample_from_noise(ε)` gives
/// the step with the caller's noise, `sample_drawn(g, drawn_noise(seed, ids))` with the noise of the
/// noise contract (noise.hpp: column j is sample ids(j)).
///
/// Sources (NOISE_LEVELS.md #45–47 summarises them): k-diffusion / ComfyUI `get_ancestral_step` and
/// `sample_euler_ancestral` (comfy/k_diffusion/sampling.py @a125cd84): σ_up = min(σ', η√(σ'²(σ² −
/// σ'²)/σ²)), σ_down = √(σ'² − σ_up²), x ← x + (x − x̂₀)/σ·(σ_down − σ) + s_noise σ_up ε; ComfyUI
/// `sample_euler_ancestral_RF`: σ_d = σ'(1 + (σ'/σ − 1)η), x ← (σ_d/σ)x + (1 − σ_d/σ)x̂₀, then
/// x ← ((1 − σ')/(1 − σ_d))x + s_noise √(σ'² − σ_d²(1 − σ')²/(1 − σ_d)²) ε, and x ← x̂₀ when σ' = 0;
/// diffusers FlowMatchEulerDiscreteScheduler stochastic_sampling and FlowMatchLCMScheduler: x' =
/// (1 − σ')x̂₀ + σ'ε; LCMScheduler: x' = √ᾱ' x̂₀ + √(1 − ᾱ') ε (marginal of kernels.hpp); diffusers
/// TCDScheduler.step (58eb52c0): s = ⌊(1 − γ)τ'⌋, x_s = √ᾱ_s x̂₀ + √(1 − ᾱ_s) ε̂, x' = √(ᾱ'/ᾱ_s)
/// x_s + √(1 − ᾱ'/ᾱ_s) z, and x' = x_s at the last step.
///
/// Precision: each coefficient (a, b, v and √v) is evaluated in detail::Wide from the arguments'
/// exact values (a few operations of relative error 2⁻¹²⁴ each, well conditioned away from
/// σ' = σ and σ_d → 1) and rounded once: within ½ ulp + 2⁻¹⁰⁰ relative. The mean is then
/// fl(fl(a·x) + fl(b·x̂₀)) per coefficient (detail::scaled_sum): within 1½ ulp of |a·x| + |b·x̂₀|.
/// The tools round each of their operations in float32 (and the RF step twice over x): they
/// differ from these by a few float ulps.
#pragma once

#include <cstdint>

#include <Eigen/Core>

#include "detail/checks.hpp"
#include "detail/scaled_sum.hpp"
#include "detail/shape.hpp"
#include "detail/wide.hpp"
#include "detail/wide_math.hpp"
#include "gaussian.hpp"
#include "noise.hpp"
#include "schedule.hpp"

namespace diffuse {

/// The split of a VE ancestral step from σ to σ' (k-diffusion get_ancestral_step).
template <class Scalar>
struct AncestralSplit {
  Scalar sigma_down;  ///< √(σ'² − σ_up²), the level the deterministic step goes to
  Scalar sigma_up;    ///< min(σ', η√(σ'²(σ² − σ'²)/σ²)), the noise added
};

namespace detail {

/// N(a x + b y, v I) with a, b, v rounded once from Wide (σ = √v rounded once too).
template <class DerivedX, class DerivedY>
Gaussian<typename DerivedX::PlainObject> two_term_gaussian(const char* function, const Wide& a,
                                                           const Eigen::MatrixBase<DerivedX>& x, const Wide& b,
                                                           const Eigen::MatrixBase<DerivedY>& y, const Wide& variance) {
  using Scalar = typename DerivedX::Scalar;
  check_same_scalar<Scalar, typename DerivedY::Scalar>();
  check_shape(function, "the second input", y, x.rows(), x.cols());
  const Scalar ca = static_cast<Scalar>(a), cb = static_cast<Scalar>(b);
  const Wide v = variance < Wide() ? Wide() : variance;
  return {x.derived().binaryExpr(y.derived(), [ca, cb](Scalar p, Scalar q) { return scaled_sum(ca, p, cb, q); }),
          static_cast<Scalar>(v), static_cast<Scalar>(sqrt(v))};
}

/// σ_up and σ_down in Wide (σ_up = 0 when η = 0 or σ = 0).
inline void ancestral_split(const Wide& from, const Wide& to, const Wide& eta, Wide& up, Wide& down) {
  up = Wide();
  if (!eta.is_zero() && !from.is_zero()) {
    const Wide term = to * to * (from - to) * (from + to) / (from * from);
    const Wide candidate = eta * sqrt(term < Wide() ? Wide() : term);
    up = candidate < to ? candidate : to;
  }
  down = sqrt((to - up) * (to + up));
}

}  // namespace detail

/// k-diffusion's get_ancestral_step(σ, σ', η): σ_up = min(σ', η√(σ'²(σ² − σ'²)/σ²)), σ_down =
/// √(σ'² − σ_up²); σ_up = 0, σ_down = σ' when η = 0. Each rounded once from Wide.
/// @throws std::invalid_argument unless σ ≥ σ' ≥ 0 (finite) and η ≥ 0 (finite).
template <class Scalar>
AncestralSplit<Scalar> ancestral_split(Scalar sigma_from, Scalar sigma_to, Scalar eta = 1) {
  const char* fn = "ancestral_split";
  detail::check_finite_non_negative(fn, "sigma_to", sigma_to);
  detail::check_finite_at_least(fn, "sigma_from", sigma_from, "sigma_to", sigma_to);
  detail::check_finite_non_negative(fn, "eta", eta);
  detail::Wide up, down;
  detail::ancestral_split(detail::Wide(sigma_from), detail::Wide(sigma_to), detail::Wide(eta), up, down);
  return {static_cast<Scalar>(down), static_cast<Scalar>(up)};
}

/// One VE ancestral Euler step (k-diffusion sample_euler_ancestral) from x at σ with prediction x̂₀ to
/// σ': N((σ_down/σ) x + (1 − σ_down/σ) x̂₀, (s_noise σ_up)² I).
/// @throws as ancestral_split, std::invalid_argument unless σ > 0 and s_noise ≥ 0 (finite), or if
/// x̂₀ does not have the shape of x.
template <class DerivedX, class DerivedD>
Gaussian<typename DerivedX::PlainObject> ve_ancestral_step(typename DerivedX::Scalar sigma_from,
                                                           typename DerivedX::Scalar sigma_to,
                                                           const Eigen::MatrixBase<DerivedX>& x,
                                                           const Eigen::MatrixBase<DerivedD>& denoised,
                                                           typename DerivedX::Scalar eta = 1,
                                                           typename DerivedX::Scalar s_noise = 1) {
  const char* fn = "ve_ancestral_step";
  detail::check_finite_positive(fn, "sigma_from", sigma_from);
  detail::check_finite_non_negative(fn, "s_noise", s_noise);
  ancestral_split(sigma_from, sigma_to, eta);  // the checks
  using detail::Wide;
  Wide up, down;
  detail::ancestral_split(Wide(sigma_from), Wide(sigma_to), Wide(eta), up, down);
  const Wide ratio = down / Wide(sigma_from), noise = Wide(s_noise) * up;
  return detail::two_term_gaussian(fn, ratio, x, 1 - ratio, denoised, noise * noise);
}

/// One rectified-flow ancestral Euler step (ComfyUI sample_euler_ancestral_RF) from x at σ with
/// prediction x̂₀ to σ': σ_d = σ'(1 + (σ'/σ − 1)η), k = (1 − σ')/(1 − σ_d), N(k(σ_d/σ) x + k(1 − σ_d/σ)
/// x̂₀, s_noise²(σ'² − σ_d²(1 − σ')²/(1 − σ_d)²) I), which at σ' = 0 is the point mass at x̂₀ (ComfyUI's
/// x ← x̂₀ there). If x = (1 − σ)x₀
/// + σε and x̂₀ = x₀, the result is N((1 − σ')x₀, σ'² I) for s_noise = 1: the flow's marginal.
/// @throws std::invalid_argument unless 0 < σ ≤ 1, 0 ≤ σ' ≤ σ, 0 ≤ η ≤ 1 (stable-diffusion.cpp
/// clamps η there), s_noise ≥ 0 (finite), or if x̂₀ does not have the shape of x.
template <class DerivedX, class DerivedD>
Gaussian<typename DerivedX::PlainObject> flow_ancestral_step(typename DerivedX::Scalar sigma_from,
                                                             typename DerivedX::Scalar sigma_to,
                                                             const Eigen::MatrixBase<DerivedX>& x,
                                                             const Eigen::MatrixBase<DerivedD>& denoised,
                                                             typename DerivedX::Scalar eta = 1,
                                                             typename DerivedX::Scalar s_noise = 1) {
  const char* fn = "flow_ancestral_step";
  detail::check_in_half_open_unit_interval(fn, "sigma_from", sigma_from);
  detail::check_finite_non_negative(fn, "sigma_to", sigma_to);
  if (!(sigma_to <= sigma_from))
    detail::fail<std::invalid_argument>(fn, "sigma_to must be at most sigma_from", sigma_to);
  detail::check_in_closed_unit_interval(fn, "eta", eta);
  detail::check_finite_non_negative(fn, "s_noise", s_noise);
  using detail::Wide;
  const Wide s(sigma_from), t(sigma_to), e(eta);
  const Wide down = t * (1 + (t / s - 1) * e);
  const Wide keep = (1 - t) / (1 - down), ratio = down / s;
  const Wide variance = Wide(s_noise) * Wide(s_noise) * (t * t - down * down * keep * keep);
  return detail::two_term_gaussian(fn, keep * ratio, x, keep * (1 - ratio), denoised, variance);
}

/// Full re-noise of a flow prediction to the next level σ' (diffusers FlowMatchEulerDiscrete
/// stochastic_sampling, FlowMatchLCM): N((1 − σ') x̂₀, σ'² I). (LCM's VP re-noise is
/// marginal(schedule, τ' + 1, x̂₀) of kernels.hpp.)
/// @throws std::invalid_argument unless 0 ≤ σ' ≤ 1.
template <class DerivedD>
Gaussian<typename DerivedD::PlainObject> flow_renoise(typename DerivedD::Scalar sigma_to,
                                                      const Eigen::MatrixBase<DerivedD>& denoised) {
  using Scalar = typename DerivedD::Scalar;
  detail::check_in_closed_unit_interval("flow_renoise", "sigma_to", sigma_to);
  const Scalar keep = static_cast<Scalar>(detail::Wide(1) - detail::Wide(sigma_to));
  return {keep * denoised.derived(), static_cast<Scalar>(detail::Wide(sigma_to) * detail::Wide(sigma_to)), sigma_to};
}

/// TCD's γ step (diffusers TCDScheduler.step) to the 0-based timestep τ' (our step τ' + 1): s =
/// ⌊(1 − γ)τ'⌋, N(√ᾱ' x̂₀ + √(ᾱ'/ᾱ_s)√(1 − ᾱ_s) ε̂, (1 − ᾱ'/ᾱ_s) I) with ᾱ' = ᾱ_{τ'+1}, ᾱ_s = ᾱ_{s+1};
/// at the last step (`last_step`) diffusers adds no noise: the point mass at x_s = √ᾱ_s x̂₀ +
/// √(1 − ᾱ_s) ε̂. γ = 0 is deterministic (s = τ').
/// @throws std::out_of_range unless 0 ≤ τ' ≤ T − 1; std::invalid_argument unless 0 ≤ γ ≤ 1, or if
/// ε̂ does not have the shape of x̂₀.
template <class Scalar, class DerivedD, class DerivedE>
Gaussian<typename DerivedD::PlainObject> tcd_step(const Schedule<Scalar>& schedule, int prev_timestep, double gamma,
                                                  const Eigen::MatrixBase<DerivedD>& denoised,
                                                  const Eigen::MatrixBase<DerivedE>& noise_pred,
                                                  bool last_step = false) {
  const char* fn = "tcd_step";
  detail::check_step(fn, "prev_timestep", prev_timestep, 0, schedule.steps() - 1);
  detail::check_in_closed_unit_interval(fn, "gamma", gamma);
  using detail::Wide;
  const int s = static_cast<int>(floor_to_integer((1 - Wide(gamma)) * Wide(prev_timestep)));
  const detail::WideSchedule& w = detail::wide_schedule(schedule);
  const Wide log_s = w.log_alpha_bar(s + 1);
  const Wide alpha_s = exp(log_s), one_minus_s = -expm1(log_s);
  if (last_step) return detail::two_term_gaussian(fn, sqrt(alpha_s), denoised, sqrt(one_minus_s), noise_pred, Wide());
  const Wide log_ratio = w.log_alpha_bar_difference(s + 1, prev_timestep + 1);  // log ᾱ' − log ᾱ_s, exact
  const Wide ratio = exp(log_ratio);
  return detail::two_term_gaussian(fn, sqrt(ratio * alpha_s), denoised, sqrt(ratio * one_minus_s), noise_pred,
                                   -expm1(log_ratio));
}

/// A sample of g with the noise of the noise contract: g.sample_from_noise(ε), ε filled by
/// fill_noise(seed, ids) (column j is sample ids(j), element i its element i).
/// @throws as fill_noise.
template <class Mean, class DerivedIds>
Mean sample_drawn(const Gaussian<Mean>& g, const DrawnNoise<DerivedIds>& noise) {
  Mean eps(g.mean().rows(), g.mean().cols());
  fill_noise(noise.seed, noise.ids, eps);
  return g.sample_from_noise(eps);
}

}  // namespace diffuse
