/// The shifts of the tools as one family: the log-SNR shift λ' = pλ − 2μ (SD3, Flux, Flux.2, Stable Cascade, CogVideoX), applied to a log-SNR, a flow time, a VE σ, a VP ᾱ or a whole Schedule.
///
/// With λ = log(α²/σ²) the log signal-to-noise ratio, LogSnrShift is the map λ' = pλ − 2μ (p > 0
/// the power, μ the offset), so SNR' = e^{−2μ} SNR^p. In each coordinate:
/// - flow time t (α = 1 − t, σ = t, λ = 2 log((1 − t)/t)): t' = e^μ/(e^μ + ((1 − t)/t)^p);
/// - VE noise level σ (λ = −2 log σ): σ' = e^μ σ^p;
/// - VP ᾱ (λ = log(ᾱ/(1 − ᾱ))): SNR' = e^{−2μ} SNR^p, ᾱ' = SNR'/(1 + SNR').
/// The tools' parameters (docs/shifts.md has the table): SD3's `shift` s is μ = ln s, p = 1;
/// Flux's μ (ComfyUI's ModelSamplingFlux calls it "shift") and diffusers' exponential time shift
/// (μ, `sigma` = p) are (μ, p); diffusers' linear time shift (μ_lin, p) is μ = ln μ_lin; Stable
/// Cascade's k (σ → kσ) is μ = ln k; CogVideoX's `snr_shift_scale` s (SNR/s) is μ = ½ ln s. Shifts
/// compose (a shift after a shift is a shift) and invert. diffusers' `shift_terminal` stretch is
/// an affine map of t, not a log-SNR shift: it stays stretch_shift_to_terminal (flow.hpp).
///
/// Precision: the value holds μ, p, e^μ and e^{2μ} in detail::Wide (128-bit significand), each the
/// exact value of the double a tool gives (SD3's s is e^μ, CogVideoX's s is e^{2μ}, Flux's μ is μ)
/// or computed from it (log 16u, exp 12u, √ 8u; u = 2⁻¹²⁸ relative). Each application is evaluated in
/// Wide from the exact value of its argument without subtracting nearly equal numbers and rounded
/// once to Scalar (float, double, long double); its `///` comment states its bound in u relative to
/// the Wide value for the held parameters. Every bound is below 2⁻¹⁰⁰ relative for |μ|, p|λ| up to
/// 10⁶, so float, double and x87 long double are correctly rounded unless the exact value lies that
/// close to a tie (docs/precision.md); tests/test_shift.cpp measures them against 50-digit mpmath.
#pragma once

#include <stdexcept>
#include <type_traits>

#include "detail/checks.hpp"
#include "detail/error.hpp"
#include "detail/float_class.hpp"
#include "detail/log_snr_shift.hpp"
#include "detail/wide.hpp"
#include "detail/wide_math.hpp"
#include "flow.hpp"
#include "schedule.hpp"

namespace diffuse {

/// A VP level: ᾱ and 1 − ᾱ, each accurate (neither computed from the other by a subtraction).
template <class Scalar>
struct AlphaBarLevel {
  Scalar alpha_bar;            ///< ᾱ
  Scalar one_minus_alpha_bar;  ///< 1 − ᾱ
};

/// The log-SNR shift λ' = pλ − 2μ (p > 0), one value for every tool's shift. Immutable; the default
/// is the identity (μ = 0, p = 1).
class LogSnrShift {
 public:
  /// The identity λ' = λ.
  LogSnrShift() : shift_(detail::WideShift::of_static_scale(detail::Wide(1))) {}
  /// The identity λ' = λ.
  static LogSnrShift identity() { return LogSnrShift(); }

  /// The raw shift λ' = pλ − 2μ, μ and p the doubles' exact values.
  /// @throws std::invalid_argument unless mu is finite and power finite and > 0.
  static LogSnrShift from_mu_power(double mu, double power = 1) {
    const char* fn = "LogSnrShift::from_mu_power";
    detail::check_finite(fn, "mu", mu);
    detail::check_finite_positive(fn, "power", power);
    return LogSnrShift(detail::WideShift::of_offset(detail::Wide(mu), detail::Wide(power)));
  }

  /// SD3's static shift s (Esser et al. 2024, §5.3.2; diffusers FlowMatchEulerDiscreteScheduler
  /// `shift`, schedulers/scheduling_flow_match_euler_discrete.py @58eb52c0; ComfyUI
  /// ModelSamplingDiscreteFlow `shift`, comfy/model_sampling.py @a125cd84): t' = s t/(1 + (s − 1)t),
  /// μ = ln s, p = 1; s is the double's exact value (FlowSampling reads it as the decimal it spells).
  /// @throws std::invalid_argument unless shift is finite and > 0.
  static LogSnrShift sd3(double shift) {
    detail::check_finite_positive("LogSnrShift::sd3", "shift", shift);
    return LogSnrShift(detail::WideShift::of_static_scale(detail::Wide(shift)));
  }

  /// Flux's time shift with μ (ComfyUI ModelSamplingFlux, whose "shift" is μ, and `flux_time_shift(mu,
  /// sigma, t)`, comfy/model_sampling.py @a125cd84; Black Forest Labs flux `time_shift`):
  /// t' = e^μ/(e^μ + (1/t − 1)^p), p = `exponent` (1 in ComfyUI's node); μ and p exact.
  /// @throws std::invalid_argument unless mu is finite and exponent finite and > 0.
  static LogSnrShift flux(double mu, double exponent = 1) {
    const char* fn = "LogSnrShift::flux";
    detail::check_finite(fn, "mu", mu);
    detail::check_finite_positive(fn, "exponent", exponent);
    return LogSnrShift(detail::WideShift::of_offset(detail::Wide(mu), detail::Wide(exponent)));
  }

  /// diffusers' `time_shift` with time_shift_type "exponential" (FlowMatchEulerDiscreteScheduler
  /// `_time_shift_exponential`, @58eb52c0): e^μ/(e^μ + (1/t − 1)^σ), its `sigma` the power p.
  /// @throws std::invalid_argument unless mu is finite and sigma finite and > 0.
  static LogSnrShift diffusers_exponential(double mu, double sigma = 1) {
    const char* fn = "LogSnrShift::diffusers_exponential";
    detail::check_finite(fn, "mu", mu);
    detail::check_finite_positive(fn, "sigma", sigma);
    return LogSnrShift(detail::WideShift::of_offset(detail::Wide(mu), detail::Wide(sigma)));
  }

  /// diffusers' `time_shift` with time_shift_type "linear" (`_time_shift_linear`, @58eb52c0):
  /// μ_lin/(μ_lin + (1/t − 1)^σ), so μ = ln μ_lin (μ_lin exact, the scale e^μ), p = σ.
  /// @throws std::invalid_argument unless mu and sigma are finite and > 0.
  static LogSnrShift diffusers_linear(double mu, double sigma = 1) {
    const char* fn = "LogSnrShift::diffusers_linear";
    detail::check_finite_positive(fn, "mu", mu);
    detail::check_finite_positive(fn, "sigma", sigma);
    return LogSnrShift(detail::WideShift::of_scale(detail::Wide(mu), detail::Wide(sigma)));
  }

  /// Stable Cascade's shift k (ComfyUI StableCascadeSampling, comfy/model_sampling.py @a125cd84:
  /// logit ᾱ += 2 log(1/k), the SNR divided by k²): σ' = kσ, μ = ln k, p = 1; k exact.
  /// @throws std::invalid_argument unless shift is finite and > 0.
  static LogSnrShift stable_cascade(double shift) {
    detail::check_finite_positive("LogSnrShift::stable_cascade", "shift", shift);
    return LogSnrShift(detail::WideShift::of_static_scale(detail::Wide(shift)));
  }

  /// CogVideoX's `snr_shift_scale` s (diffusers CogVideoXDDIMScheduler,
  /// schedulers/scheduling_ddim_cogvideox.py @58eb52c0): ᾱ' = ᾱ/(s + (1 − s)ᾱ), SNR' = SNR/s,
  /// μ = ½ ln s, p = 1; s exact (the SNR divisor e^{2μ}). Schedule::snr_shifted(s) is this shift.
  /// @throws std::invalid_argument unless snr_shift_scale is finite and > 0.
  static LogSnrShift cogvideox(double snr_shift_scale) {
    detail::check_finite_positive("LogSnrShift::cogvideox", "snr_shift_scale", snr_shift_scale);
    return LogSnrShift(detail::WideShift::of_snr_divisor(detail::Wide(snr_shift_scale)));
  }

  /// Flux.2's shift at image sequence length L and N steps: μ = flux2_empirical_mu(L, N) (flow.hpp
  /// states its source and bound), p = 1.
  /// @throws std::invalid_argument as flux2_empirical_mu.
  static LogSnrShift flux2(double image_seq_len, int num_steps) {
    return LogSnrShift(
        detail::WideShift::of_offset(detail::Wide(flux2_empirical_mu(image_seq_len, num_steps)), detail::Wide(1)));
  }

  /// Flux's resolution-dependent shift: μ = resolution_shift_mu(L, …) (diffusers `calculate_shift`
  /// of pipeline_flux.py; flow.hpp states its source and bound), p = 1.
  /// @throws std::invalid_argument as resolution_shift_mu.
  static LogSnrShift flux_resolution(double image_seq_len, double base_image_seq_len = 256,
                                     double max_image_seq_len = 4096, double base_shift = 0.5,
                                     double max_shift = 1.15) {
    const double mu = resolution_shift_mu(image_seq_len, base_image_seq_len, max_image_seq_len, base_shift, max_shift);
    return LogSnrShift(detail::WideShift::of_offset(detail::Wide(mu), detail::Wide(1)));
  }

  /// μ, the offset (λ' = pλ − 2μ), rounded to double.
  double mu() const { return static_cast<double>(shift_.offset); }
  /// p, the power, rounded to double.
  double power() const { return static_cast<double>(shift_.power); }
  /// e^μ, the factor of a VE σ and SD3's s, rounded to double.
  double scale() const { return static_cast<double>(shift_.scale); }

  /// This shift, then `next`: λ'' = p₂(p₁λ − 2μ₁) − 2μ₂, so p = p₂p₁ and μ = p₂μ₁ + μ₂. With p₂ = 1
  /// the factors e^μ and e^{2μ} multiply (SD3 s₁ then s₂ is s₁s₂).
  LogSnrShift then(const LogSnrShift& next) const { return LogSnrShift(shift_.then(next.shift_)); }
  /// The inverse λ = (λ' + 2μ)/p: p' = 1/p, μ' = −μ/p (s → 1/s for p = 1).
  LogSnrShift inverse() const { return LogSnrShift(shift_.inverse()); }

  /// λ' = pλ − 2μ for a log-SNR λ (±∞ stay): within u(2|pλ| + 4|μ|) absolute of it for the held μ
  /// and p (the product and the difference each rounded once in Wide); μ held as ln s (SD3, Stable
  /// Cascade, diffusers' linear) or ½ ln s (CogVideoX) is itself within 16u|μ|.
  /// @throws std::invalid_argument if λ is NaN.
  template <class Scalar>
  Scalar shifted_log_snr(Scalar lambda) const {
    check_scalar<Scalar>();
    if (detail::is_nan(lambda))
      detail::fail<std::invalid_argument>("LogSnrShift::shifted_log_snr", "lambda must not be NaN", lambda);
    return static_cast<Scalar>(detail::shift_log_snr(detail::Wide(lambda), shift_));
  }

  /// t' = e^μ/(e^μ + ((1 − t)/t)^p) for a flow time t ∈ [0, 1] (0 → 0, 1 → 1 exactly, +0 at −0), in
  /// the form of the tool the shift came from, so that static_time_shift, exponential_time_shift,
  /// linear_time_shift and FlowSampling give the same bits: SD3's, Stable Cascade's and CogVideoX's
  /// shifts (and their compositions and inverses) as s t/((1 − t) + s t), s = e^μ: 3u, plus 8u for
  /// CogVideoX's √s, 1u per factor composed; the others as sigmoid(μ − p log((1 − t)/t)):
  /// (64 + 20(|μ| + p|log((1 − t)/t)|))u, 80 + … for diffusers' linear shift (μ = ln μ_lin, 16u).
  /// @throws std::out_of_range unless t ∈ [0, 1].
  template <class Scalar>
  Scalar shifted_flow_time(Scalar t) const {
    check_scalar<Scalar>();
    detail::check_in_closed_unit_interval<std::out_of_range>("LogSnrShift::shifted_flow_time", "t", t);
    return detail::shift_time(t, shift_);
  }

  /// σ' = e^μ σ^p for a VE noise level σ ∈ [0, ∞] (0 → 0, ∞ → ∞): for p = 1 the product e^μ σ (1u,
  /// plus the error of e^μ: 12u from μ, 8u from CogVideoX's s), otherwise exp(μ + p log σ):
  /// (16 + 20(|μ| + p|log σ|))u.
  /// @throws std::out_of_range unless σ ≥ 0 (NaN too).
  template <class Scalar>
  Scalar shifted_sigma(Scalar sigma) const {
    check_scalar<Scalar>();
    if (detail::is_nan(sigma) || !(sigma >= 0))
      detail::fail<std::out_of_range>("LogSnrShift::shifted_sigma", "sigma must be >= 0", sigma);
    return static_cast<Scalar>(detail::shift_sigma(detail::Wide(sigma == 0 ? Scalar(0) : sigma), shift_));
  }

  /// The VP level with SNR' = e^{−2μ} SNR^p of ᾱ ∈ [0, 1] (1 − ᾱ formed exactly in Wide for float and
  /// double ᾱ): see the two-argument form. ᾱ = 1 and ᾱ = 0 stay.
  /// @throws std::out_of_range unless ᾱ ∈ [0, 1].
  template <class Scalar>
  AlphaBarLevel<Scalar> shifted_alpha_bar(Scalar alpha_bar) const {
    check_scalar<Scalar>();
    detail::check_in_closed_unit_interval<std::out_of_range>("LogSnrShift::shifted_alpha_bar", "alpha_bar", alpha_bar);
    const detail::Wide a(alpha_bar);
    return rounded<Scalar>(detail::shift_vp_level(a, detail::Wide(1) - a, shift_));
  }
  /// The VP level with SNR' = e^{−2μ} SNR^p, ᾱ' = SNR'/(1 + SNR'), from ᾱ and 1 − ᾱ given apart (as a
  /// Schedule carries them), so that neither ᾱ' nor 1 − ᾱ' cancels: the smaller of the two is taken
  /// as given and the other formed from it exactly in Wide. For p = 1 ᾱ' = ᾱ/(ᾱ + c(1 − ᾱ)), 1 − ᾱ' =
  /// c(1 − ᾱ)/(ᾱ + c(1 − ᾱ)), c = e^{2μ}: 3u, plus the error of c (exact for CogVideoX's s and SD3's
  /// s, 12u from μ); otherwise sigmoid(±(pλ − 2μ)), λ = log(ᾱ/(1 − ᾱ)): (64 + 20(2|μ| + p|λ|))u.
  /// @throws std::out_of_range unless both are in [0, 1].
  template <class Scalar>
  AlphaBarLevel<Scalar> shifted_alpha_bar(Scalar alpha_bar, Scalar one_minus_alpha_bar) const {
    check_scalar<Scalar>();
    const char* fn = "LogSnrShift::shifted_alpha_bar";
    detail::check_in_closed_unit_interval<std::out_of_range>(fn, "alpha_bar", alpha_bar);
    detail::check_in_closed_unit_interval<std::out_of_range>(fn, "one_minus_alpha_bar", one_minus_alpha_bar);
    const detail::Wide one(1);
    const bool small = alpha_bar <= one_minus_alpha_bar;
    const detail::Wide a = small ? detail::Wide(alpha_bar) : one - detail::Wide(one_minus_alpha_bar);
    const detail::Wide b = small ? one - detail::Wide(alpha_bar) : detail::Wide(one_minus_alpha_bar);
    return rounded<Scalar>(detail::shift_vp_level(a, b, shift_));
  }

  /// The VP schedule with every λ_t shifted, SNR'_t = e^{−2μ} SNR_t^p (ᾱ'_0 = 1 and a zero terminal
  /// SNR stay): for p = 1 and CogVideoX's s exactly Schedule::snr_shifted(s) (the same code,
  /// schedule.hpp states how it avoids cancellation and its bound). Copies the respacing sources.
  template <class Scalar>
  Schedule<Scalar> shifted_schedule(const Schedule<Scalar>& schedule) const {
    return detail::log_snr_shifted_schedule("LogSnrShift::shifted_schedule", schedule, shift_);
  }

 private:
  explicit LogSnrShift(const detail::WideShift& shift) : shift_(shift) {}

  template <class Scalar>
  static void check_scalar() {
    static_assert(std::is_floating_point<Scalar>::value,
                  "diffuse::LogSnrShift applies to float, double or long double");
  }
  template <class Scalar>
  static AlphaBarLevel<Scalar> rounded(const detail::WideVpLevel& level) {
    return {static_cast<Scalar>(level.alpha_bar), static_cast<Scalar>(level.one_minus_alpha_bar)};
  }

  detail::WideShift shift_;
};

}  // namespace diffuse
