/// Continuous-time forward processes q(x_t|x_0) = N(a(t) x_0, b(t)² I), t ∈ [0, 1]: VP, sub-VP and VE families, their kernels and conversions.
///
/// One class, ContinuousProcess<Scalar>, holds any of the families below; every one is defined by
/// its marginal and everything else is derived from it:
///
///   family               definition (B(t) = ∫₀ᵗ β = β_min t + ½ β_d t², β_d = β_max − β_min)
///   vp_linear            a² = e^{−B}, b² = 1 − a² (score_sde VP SDE; Song et al. 2021, eq. 11, 29)
///   sub_vp               a² = e^{−B}, b = 1 − a² (score_sde sub-VP SDE; Song et al. 2021, eq. 12, 29)
///   cosine               λ = −2 log tan(πt/2), a² = sigmoid(λ), b² = sigmoid(−λ) (a = cos(πt/2))
///   shifted_cosine       λ = −2 log tan(θ_min + t(θ_max − θ_min)) + 2 log(d_ref/d), θ_min = atan e^{−λ_max/2},
///                        θ_max = atan e^{−λ_min/2} (Hoogeboom et al. 2023, Simple Diffusion, §3.1)
///   interpolated_cosine  λ = t·λ_shift(d_low)(t) + (1 − t)·λ_shift(d_high)(t) (Simple Diffusion, §3.1)
///   vdm_linear           λ = −γ(t), γ = γ_min + t(γ_max − γ_min) (Kingma et al. 2021, VDM, §3.4)
///   ve                   a = 1, b = σ(t) = σ_min (σ_max/σ_min)^t (score_sde VE SDE; Song et al. 2021, eq. 9, 30)
///
/// The VP families have a² + b² = 1 and are given by the log-SNR λ = log(a²/b²); sub-VP and VE are
/// not variance preserving. λ, the noise level σ = b/a = e^{−λ/2} and t are connected for every
/// family: log_snr(t), noise_level(t), time(LogSnr), time(NoiseLevel) (closed-form inverses, a
/// safeguarded Newton iteration for the interpolated cosine, which has none). Each family is one
/// type of detail/continuous_families.hpp (the three cosines share one) with every formula written
/// on it; the process holds a std::variant of them, so a family that lacks a quantity does not compile.
///
/// Precision: every value is evaluated in detail::Wide (128-bit significand, integer arithmetic)
/// from the exact definition (decimal parameters taken as the decimals they spell) and rounded
/// once to Scalar. The formulas never subtract nearly equal quantities; each is written in its comment.
/// Bound: the Wide value is within 2⁻¹¹⁸(1 + Σ|λ|) relative, Σ|λ| over the finite log-SNRs at the
/// times involved and the parameters that enter as log-SNRs (|γ_min| + |γ_max|; 2|log σ_min| +
/// 2|log σ_max|; 2|log d| per resolution d); λ, which crosses zero, relative to max(1, |λ|); the
/// inverses time(·) absolute, times t + (1 + |λ|)/|λ'(t)| (docs/precision.md: the bound in ulps and
/// its derivation). Measured against 40-digit references (tests/test_continuous.cpp): correctly
/// rounded in all three types, the Wide values within 6 units of 2⁻¹²⁸ per unit of 1 + Σ|λ|.
///
/// Times, log-SNRs and noise levels are the strong types of time_coordinates.hpp.
#pragma once

#include <cmath>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include <Eigen/Core>

#include "detail/checks.hpp"
#include "detail/continuous_families.hpp"
#include "detail/time_process_traits.hpp"
#include "detail/wide.hpp"
#include "gaussian.hpp"
#include "kernels.hpp"
#include "process.hpp"
#include "schedule.hpp"
#include "time_coordinates.hpp"

namespace diffuse {
namespace detail {

/// The β(t) = β_min + t(β_max − β_min) of vp_linear and sub_vp, checked and taken in wide.
inline IntegratedBeta checked_integrated_beta(const char* function, double beta_min, double beta_max) {
  check_finite_non_negative(function, "beta_min", beta_min);
  if (!(beta_max >= beta_min && beta_max > 0 && detail::is_finite(beta_max))) {
    fail<std::invalid_argument>(function, "beta_max must be finite, >= beta_min and > 0", beta_max);
  }
  const Wide low = decimal_value(beta_min);
  return {low, decimal_value(beta_max) - low};
}

/// The clipped, shifted cosine: clip angles θ_min = atan e^{−λ_max/2}, φ_end = atan e^{λ_min/2}
/// (= π/2 − θ_max), shift 2 log(d_high/d) at t = 0 moving linearly to 2 log(d_low/d) at t = 1.
inline CosineFamily cosine_family(const char* function, double image_d, double noise_d_low, double noise_d_high,
                                  double log_snr_min, double log_snr_max) {
  check_finite_positive(function, "image_d", image_d);
  check_finite_positive(function, "noise_d", noise_d_low);
  check_finite_at_least(function, "noise_d_high", noise_d_high, "noise_d_low", noise_d_low);
  if (detail::is_nan(log_snr_min) || (!detail::is_finite(log_snr_min) && !std::signbit(log_snr_min))) {
    fail<std::invalid_argument>(function, "log_snr_min must be a number below +inf", log_snr_min);
  }
  check_above(function, "log_snr_max", log_snr_max, "log_snr_min", log_snr_min);
  CosineFamily d;
  const Wide lambda_max = decimal_value(log_snr_max), lambda_min = decimal_value(log_snr_min);
  d.theta_min = atan(exp(-lambda_max / 2));
  d.phi_end = atan(exp(lambda_min / 2));
  d.width = wide_constants::half_pi - d.theta_min - d.phi_end;
  const Wide log_d = log(decimal_value(image_d));
  d.shift_start = 2 * (log(decimal_value(noise_d_high)) - log_d);
  d.shift_slope = 2 * (log(decimal_value(noise_d_low)) - log(decimal_value(noise_d_high)));
  return d;
}

}  // namespace detail

/// A continuous-time forward process q(x_t|x_0) = N(a(t) x_0, b(t)² I), t ∈ [0, 1] (see the file
/// comment for the families, their formulas and the precision contract).
///
/// An immutable value (a few extended-precision parameters); cheap to copy, safe to share between
/// threads. Times are ContinuousTime<Scalar>, log-SNRs LogSnr<Scalar>, noise levels
/// NoiseLevel<Scalar>: a time cannot be passed where a σ or λ is meant. It is a forward process
/// (process.hpp): the kernels marginal, transition and posterior of kernels.hpp, and the batch
/// functions of batch.hpp and noise.hpp, take it with times as its coordinates.
template <class Scalar>
class ContinuousProcess {
  static_assert(std::is_floating_point<Scalar>::value, "diffuse::ContinuousProcess needs float, double or long double");

 public:
  using scalar_type = Scalar;
  using Time = ContinuousTime<Scalar>;

  /// The VP SDE with linear β(t) = β_min + t(β_max − β_min) (Song et al. 2021, eq. 11 and 29;
  /// score_sde `VPSDE`): a² = e^{−B(t)}, B(t) = β_min t + ½(β_max − β_min) t², b² = 1 − a².
  /// @throws std::invalid_argument unless 0 ≤ β_min ≤ β_max, 0 < β_max, both finite.
  static ContinuousProcess vp_linear(double beta_min = 0.1, double beta_max = 20) {
    const char* fn = "ContinuousProcess::vp_linear";
    return ContinuousProcess(detail::VpLinearFamily{detail::checked_integrated_beta(fn, beta_min, beta_max)},
                             "vp_linear");
  }
  /// The sub-VP SDE (Song et al. 2021, eq. 12 and 29; score_sde `subVPSDE`): the mean of vp_linear,
  /// a = e^{−B/2}, and standard deviation b = 1 − e^{−B}.
  /// @throws std::invalid_argument unless 0 ≤ β_min ≤ β_max, 0 < β_max, both finite.
  static ContinuousProcess sub_vp(double beta_min = 0.1, double beta_max = 20) {
    const char* fn = "ContinuousProcess::sub_vp";
    return ContinuousProcess(detail::SubVpFamily{detail::checked_integrated_beta(fn, beta_min, beta_max)}, "sub_vp");
  }
  /// The cosine schedule in log-SNR form, λ(t) = −2 log tan(πt/2): a = cos(πt/2), b = sin(πt/2)
  /// (Nichol & Dhariwal 2021 with s = 0; Hoogeboom et al. 2023, eq. 4). λ(0) = +∞, λ(1) = −∞.
  static ContinuousProcess cosine() {
    const double inf = std::numeric_limits<double>::infinity();
    return ContinuousProcess(detail::cosine_family("ContinuousProcess::cosine", 1, 1, 1, -inf, inf), "cosine");
  }
  /// Simple Diffusion's shifted cosine (Hoogeboom et al. 2023, §3.1, `logsnr_schedule_cosine_shifted`):
  /// λ(t) = −2 log tan(θ_min + t(θ_max − θ_min)) + 2 log(noise_d/image_d), θ_min = atan e^{−λ_max/2},
  /// θ_max = atan e^{−λ_min/2} (the base cosine clipped to [λ_min, λ_max] before the shift; ±∞
  /// switch the clip off).
  /// @throws std::invalid_argument unless image_d, noise_d are finite and > 0, λ_min < λ_max, λ_min < +∞.
  static ContinuousProcess shifted_cosine(double image_d, double noise_d = 64, double log_snr_min = -15,
                                          double log_snr_max = 15) {
    return ContinuousProcess(
        detail::cosine_family("ContinuousProcess::shifted_cosine", image_d, noise_d, noise_d, log_snr_min, log_snr_max),
        "shifted_cosine");
  }
  /// Simple Diffusion's interpolated cosine (Hoogeboom et al. 2023, §3.1,
  /// `logsnr_schedule_cosine_interpolated`): λ(t) = t λ_low(t) + (1 − t) λ_high(t), λ_low and λ_high
  /// the shifted cosines for noise_d_low and noise_d_high; high resolution shift at t = 0.
  /// @throws std::invalid_argument unless the resolutions are finite and > 0, noise_d_low ≤
  /// noise_d_high (λ then decreases strictly), λ_min < λ_max, λ_min < +∞.
  static ContinuousProcess interpolated_cosine(double image_d, double noise_d_low, double noise_d_high,
                                               double log_snr_min = -15, double log_snr_max = 15) {
    return ContinuousProcess(detail::cosine_family("ContinuousProcess::interpolated_cosine", image_d, noise_d_low,
                                                   noise_d_high, log_snr_min, log_snr_max),
                             "interpolated_cosine");
  }
  /// VDM's linear log-SNR (Kingma et al. 2021, §3.4 and appendix): λ(t) = −γ(t),
  /// γ(t) = γ_min + t(γ_max − γ_min); a² = sigmoid(−γ), b² = sigmoid(γ). a(0) < 1: the data end is
  /// slightly noisy (b(0)² = sigmoid(γ_min)).
  /// @throws std::invalid_argument unless γ_min < γ_max, both finite.
  static ContinuousProcess vdm_linear(double gamma_min = -13.3, double gamma_max = 5) {
    const char* fn = "ContinuousProcess::vdm_linear";
    detail::check_finite(fn, "gamma_min", gamma_min);
    detail::check_finite_above(fn, "gamma_max", gamma_max, "gamma_min", gamma_min);
    detail::VdmLinearFamily d;
    d.gamma_min = detail::decimal_value(gamma_min);
    d.gamma_slope = detail::decimal_value(gamma_max) - d.gamma_min;
    return ContinuousProcess(d, "vdm_linear");
  }
  /// The VE SDE (Song et al. 2021, eq. 9 and 30; score_sde `VESDE`): a = 1, b = σ(t) =
  /// σ_min (σ_max/σ_min)^t. b(0) = σ_min: the data end carries noise σ_min.
  /// @throws std::invalid_argument unless 0 < σ_min < σ_max, both finite.
  static ContinuousProcess ve(double sigma_min = 0.01, double sigma_max = 50) {
    const char* fn = "ContinuousProcess::ve";
    detail::check_finite_positive(fn, "sigma_min", sigma_min);
    detail::check_finite_above(fn, "sigma_max", sigma_max, "sigma_min", sigma_min);
    detail::VeFamily d;
    d.log_sigma_min = log(detail::decimal_value(sigma_min));
    d.log_sigma_slope = log(detail::decimal_value(sigma_max) / detail::decimal_value(sigma_min));
    return ContinuousProcess(d, "ve");
  }

  /// The family's name: "vp_linear", "sub_vp", "cosine", "shifted_cosine", "interpolated_cosine",
  /// "vdm_linear" or "ve".
  const char* name() const { return name_; }
  /// True for the VP families (a² + b² = 1): all but sub_vp and ve.
  bool variance_preserving() const {
    return with_family([](const auto& f) { return std::decay_t<decltype(f)>::variance_preserving; });
  }

  /// a(t), the signal coefficient of q(x_t|x_0): exp(½ log a²).
  Scalar signal_scale(Time t) const {
    return round(exp(with_family([&](const auto& f) { return f.log_signal_variance(wide(t)); }) / 2));
  }
  /// b(t), the noise coefficient of q(x_t|x_0).
  Scalar noise_scale(Time t) const {
    return round(with_family([&](const auto& f) { return f.noise_scale(wide(t)); }));
  }
  /// a(t)²: exp(log a²).
  Scalar signal_variance(Time t) const {
    return round(exp(with_family([&](const auto& f) { return f.log_signal_variance(wide(t)); })));
  }
  /// b(t)², without cancellation (see the family types of detail/continuous_families.hpp).
  Scalar noise_variance(Time t) const {
    return round(with_family([&](const auto& f) { return f.noise_variance(wide(t)); }));
  }
  /// log a(t)² (−∞ where a = 0, the cosine at t = 1).
  Scalar log_signal_variance(Time t) const {
    return round(with_family([&](const auto& f) { return f.log_signal_variance(wide(t)); }));
  }
  /// λ(t) = log(a²/b²) (+∞ where b = 0, the data end of vp_linear, sub_vp and cosine).
  LogSnr<Scalar> log_snr(Time t) const {
    return LogSnr<Scalar>(round(with_family([&](const auto& f) { return f.log_snr(wide(t)); })));
  }
  /// SNR(t) = a²/b² = e^λ.
  Scalar snr(Time t) const {
    return round(exp(with_family([&](const auto& f) { return f.log_snr(wide(t)); })));
  }
  /// σ(t) = b/a, the noise level of the equivalent VE process x_t/a(t) = x_0 + σ ε (Karras et al.
  /// 2022, eq. 4 with s(t) = a(t)).
  NoiseLevel<Scalar> noise_level(Time t) const {
    return NoiseLevel<Scalar>(round(with_family([&](const auto& f) { return f.noise_level(wide(t)); })));
  }

  /// The time t with λ(t) = λ (closed forms and Newton's method: see time_of_log_snr of the
  /// families in detail/continuous_families.hpp). Round trip t → λ → t: |Δt| ≤ u t + u|λ|/|λ'(t)|
  /// (u = ε/2, the rounding of λ seen through the condition number) + the evaluation error.
  /// @throws std::out_of_range unless λ lies in [λ(1), λ(0)] (each rounded to Scalar).
  Time time(LogSnr<Scalar> lambda) const {
    const Scalar lo = log_snr(Time(1)).value(), hi = log_snr(Time(0)).value();
    if (!(lambda.value() >= lo && lambda.value() <= hi)) {
      detail::fail<std::out_of_range>(
          "ContinuousProcess::time",
          "log-SNR must be in [" + detail::to_message_value(lo) + ", " + detail::to_message_value(hi) + "]",
          lambda.value());
    }
    return Time(round(time_of_log_snr(detail::Wide(lambda.value()))));
  }
  /// The time t with σ(t) = σ: the inverse for λ = −2 log σ. The VP SDE gives the closed form
  /// t = (√(β_min² + 2β_d log(1 + σ²)) − β_min)/β_d of Karras et al. 2022, Table 1, here evaluated
  /// as 2B/(β_min + √(β_min² + 2β_d B)), B = log(1 + σ²). Round trip t → σ → t: |Δt| ≤ u t +
  /// 2u/|λ'(t)| (u = ε/2; σ/σ' = −2/λ') + the evaluation error.
  /// @throws std::out_of_range unless σ lies in [σ(0), σ(1)] (each rounded to Scalar).
  Time time(NoiseLevel<Scalar> sigma) const {
    const Scalar lo = noise_level(Time(0)).value(), hi = noise_level(Time(1)).value();
    if (!(sigma.value() >= lo && sigma.value() <= hi)) {
      detail::fail<std::out_of_range>(
          "ContinuousProcess::time",
          "noise level must be in [" + detail::to_message_value(lo) + ", " + detail::to_message_value(hi) + "]",
          sigma.value());
    }
    const detail::Wide s(sigma.value());
    return Time(round(time_of_log_snr(-2 * log(s))));
  }

  /// dλ/dt (−∞ at the data end of vp_linear, sub_vp and cosine; −∞ at t = 1 for the cosine).
  Scalar log_snr_derivative(Time t) const {
    return round(with_family([&](const auto& f) { return f.log_snr_derivative(wide(t)); }));
  }
  /// f(t) of the SDE dx = f(t) x dt + g(t) dW with these marginals: f = ½ d log a²/dt
  /// (−½β(t) for vp_linear and sub_vp, 0 for ve; Song et al. 2021, eq. 11, 12, 9).
  Scalar drift(Time t) const {
    return round(with_family([&](const auto& f) { return f.drift(wide(t)); }));
  }
  /// g(t)² of that SDE: g² = db²/dt − 2f b² (β(t) for vp_linear, β(t)(1 − e^{−2B(t)}) for sub_vp,
  /// dσ²/dt for ve; Song et al. 2021, eq. 11, 12, 9; −λ'(t) b(t)² for the families given by λ).
  Scalar diffusion_squared(Time t) const {
    return round(with_family([&](const auto& f) { return f.diffusion_squared(wide(t)); }));
  }

  /// The coefficients of q(x_t|x_s) = N(m x_s, v I), 0 ≤ s < t ≤ 1 (process.hpp).
  using TransitionCoefficients = diffuse::TransitionCoefficients<Scalar>;
  /// m = a_t/a_s and v = b_t² − (a_t/a_s)² b_s², without cancellation (formulas at the families'
  /// transition, detail/continuous_families.hpp). Chapman–Kolmogorov holds: m(s,t) = m(u,t) m(s,u)
  /// and v(s,t) = m(u,t)² v(s,u) + v(u,t) for s < u < t.
  /// @throws std::invalid_argument unless s < t.
  TransitionCoefficients transition_coefficients(Time s, Time t) const {
    detail::check_below("ContinuousProcess::transition_coefficients", "s", s.value(), "t", t.value());
    const detail::Transition k = with_family([&](const auto& f) { return f.transition(wide(s), wide(t)); });
    return {round(exp(k.log_scale)), round(k.variance), round(sqrt(k.variance))};
  }

  /// The coefficients of the posterior q(x_s|x_t, x_0) = N(c_0 x_0 + c_t x_t, v I), 0 ≤ s < t ≤ 1
  /// (process.hpp): c_0 = a_s v_{t|s}/b_t², c_t = (a_t/a_s) b_s²/b_t², v = v_{t|s} b_s²/b_t².
  using PosteriorCoefficients = diffuse::PosteriorCoefficients<Scalar>;
  /// The Bayes product of q(x_s|x_0) = N(a_s x_0, b_s²) and q(x_t|x_s) = N(m x_s, v_{t|s}):
  /// precision 1/b_s² + m²/v_{t|s} = b_t²/(b_s² v_{t|s}) (as b_t² = v_{t|s} + m² b_s²), hence
  /// c_0 = a_s v_{t|s}/b_t², c_t = m b_s²/b_t², v = v_{t|s} b_s²/b_t² (Kingma et al. 2021, VDM,
  /// eq. 34 for the VP case) — products of non-negative factors, no cancellation. s at a data end
  /// with b_s = 0 gives c_0 = 1, c_t = 0, v = 0.
  /// @throws std::invalid_argument unless s < t.
  PosteriorCoefficients posterior_coefficients(Time s, Time t) const {
    detail::check_below("ContinuousProcess::posterior_coefficients", "s", s.value(), "t", t.value());
    using detail::Wide;
    return with_family([&](const auto& f) -> PosteriorCoefficients {
      const detail::Transition k = f.transition(wide(s), wide(t));
      const Wide bs2 = f.noise_variance(wide(s)), bt2 = f.noise_variance(wide(t));
      const Wide as = exp(f.log_signal_variance(wide(s)) / 2);
      const Wide variance = k.variance * bs2 / bt2;
      return {round(as * k.variance / bt2), round(exp(k.log_scale) * bs2 / bt2), round(variance),
              round(sqrt(variance))};
    });
  }

  /// The discrete Schedule with ᾱ_t = a(t/N)² for t = 1..N (the exact marginals at the grid t/N;
  /// ᾱ_0 = 1 by definition of a Schedule): β_t = −expm1(log a²(t/N) − log a²((t−1)/N)) from the
  /// kernel of q(x_{t/N}|x_{(t−1)/N}) without cancellation (β_1 = b(1/N)², β_N = 1 where a(1) = 0).
  /// Not the DDPM linear schedule for vp_linear: see discretize_betas.
  /// @throws std::invalid_argument if the process is not variance preserving or N < 1.
  Schedule<Scalar> discretize_marginals(int steps) const {
    const char* fn = "ContinuousProcess::discretize_marginals";
    check_discretization(fn, steps);
    using detail::Wide;
    std::vector<Wide> betas(static_cast<std::size_t>(steps));
    const Wide n = steps;
    with_family([&](const auto& f) {
      for (int t = 1; t <= steps; ++t) {
        const Wide now = t / n;
        betas[static_cast<std::size_t>(t - 1)] =
            t == 1 ? f.noise_variance(now) : f.transition((t - 1) / n, now).variance;
      }
    });
    return detail::schedule_from_betas<Scalar>(fn, betas);
  }

  /// The discrete Schedule β_t = β((t − 1)/(N − 1))/N, t = 1..N (N = 1: β_1 = β(0)), β(t) = g(t)²
  /// the VP SDE's β: the definition of score_sde's `VPSDE.discrete_betas` (linspace(β_min/N,
  /// β_max/N, N)), i.e. Ho et al.'s DDPM schedule read as β(t)Δt with Δt = 1/N at the grid
  /// (t − 1)/(N − 1). For vp_linear it is β_t = β_min/N + (t − 1)(β_max − β_min)/(N(N − 1)), exactly
  /// Schedule::linear(N, β_min/N, β_max/N): vp_linear().discretize_betas(1000) is DDPM's
  /// 1e-4..0.02. Each β_t is formed in Wide and rounded once (Schedule::from_betas on Wide values).
  /// @throws std::invalid_argument if the process is not variance preserving, N < 1, or a β_t falls
  /// outside (0, 1) (the cosine has β(0) = 0 and β(1) = ∞: use discretize_marginals).
  Schedule<Scalar> discretize_betas(int steps) const {
    const char* fn = "ContinuousProcess::discretize_betas";
    check_discretization(fn, steps);
    using detail::Wide;
    std::vector<Wide> betas(static_cast<std::size_t>(steps));
    with_family([&](const auto& f) {
      for (int t = 1; t <= steps; ++t) {
        const Wide u = steps == 1 ? Wide() : Wide(t - 1) / Wide(steps - 1);
        const Wide beta = f.diffusion_squared(u) / Wide(steps);
        detail::check_in_open_unit_interval(
            fn, [&u] { return "beta(" + detail::shortest_decimal(static_cast<double>(u)) + ")/N"; }, beta);
        betas[static_cast<std::size_t>(t - 1)] = beta;
      }
    });
    return detail::schedule_from_betas<Scalar>(fn, betas);
  }

  /// The same process in another scalar type (the definition is kept in extended precision).
  template <class Other>
  ContinuousProcess<Other> cast() const {
    return ContinuousProcess<Other>(family_, name_);
  }

 private:
  template <class>
  friend class ContinuousProcess;
  friend struct detail::TimeProcessTraits<ContinuousProcess, Scalar>;

  /// The prior terms at t = 1 (ProcessTraits::prior_terms) against the family's prior N(0, σ_p² I):
  /// a²/σ_p², r − 1, ln r with r = b²/σ_p²; r − 1 = −a² exactly where a² + b² = 1 = σ_p².
  detail::PriorTerms prior_terms() const {
    using detail::Wide;
    return with_family([](const auto& f) -> detail::PriorTerms {
      const Wide one(1), prior = f.prior_variance();
      const Wide a2 = exp(f.log_signal_variance(one)), r = f.noise_variance(one) / prior;
      if constexpr (std::decay_t<decltype(f)>::variance_preserving) {
        return {a2, -a2, log(r)};
      } else {
        return {a2 / prior, r - one, log(r)};
      }
    });
  }

  /// One type per family (detail/continuous_families.hpp): a family that lacks a quantity does not compile.
  using Family = std::variant<detail::VpLinearFamily, detail::SubVpFamily, detail::CosineFamily,
                              detail::VdmLinearFamily, detail::VeFamily>;

  ContinuousProcess(const Family& family, const char* name) : family_(family), name_(name) {}

  /// f(family) for the family this process holds: the one std::visit of each public function.
  template <class F>
  decltype(auto) with_family(F&& f) const {
    return std::visit(std::forward<F>(f), family_);
  }

  /// t with λ(t) = λ: the family's inverse, clamped to [0, 1].
  detail::Wide time_of_log_snr(const detail::Wide& lambda) const {
    using detail::Wide;
    const Wide t = with_family([&](const auto& f) { return f.time_of_log_snr(lambda); });
    return t < Wide() ? Wide() : (t > Wide(1) ? Wide(1) : t);
  }

  static Scalar round(const detail::Wide& x) { return static_cast<Scalar>(x); }
  static detail::Wide wide(Time t) { return detail::Wide(t.value()); }

  void check_discretization(const char* function, int steps) const {
    if (!variance_preserving()) {
      detail::fail<std::invalid_argument>(function, "needs a variance-preserving process (a Schedule has a² + b² = 1)",
                                          name_);
    }
    detail::check_steps(function, steps);
  }

  Family family_;
  const char* name_;
};

/// x_σ = x_t/a(t): a sample of q(x_t|x_0) rescaled to the VE form x_0 + σ(t) ε (Karras et al. 2022,
/// eq. 4 with s(t) = a(t); for a VP process x_t/√ᾱ_t). One rounding per coefficient after a(t).
/// @throws std::domain_error if a(t) = 0 (the cosine at t = 1).
template <class Scalar, class Derived>
typename Derived::PlainObject to_ve(const ContinuousProcess<Scalar>& process, ContinuousTime<Scalar> t,
                                    const Eigen::MatrixBase<Derived>& x_t) {
  detail::check_process_argument<ContinuousProcess<Scalar>, Derived>();
  const Scalar a = process.signal_scale(t);
  if (!(a > 0)) detail::fail<std::domain_error>("to_ve", "a(t) must be positive, which fails at t", t.value());
  return x_t.derived() / a;
}

/// x_t = a(t) x_σ, the inverse of to_ve.
template <class Scalar, class Derived>
typename Derived::PlainObject from_ve(const ContinuousProcess<Scalar>& process, ContinuousTime<Scalar> t,
                                      const Eigen::MatrixBase<Derived>& x_sigma) {
  detail::check_process_argument<ContinuousProcess<Scalar>, Derived>();
  return process.signal_scale(t) * x_sigma.derived();
}

/// A ContinuousProcess is a forward process over times t ∈ [0, 1]: a(t), b(t), b(t)², σ(t), λ(t).
template <class Scalar>
struct ProcessTraits<ContinuousProcess<Scalar>> : detail::TimeProcessTraits<ContinuousProcess<Scalar>, Scalar> {};

}  // namespace diffuse
