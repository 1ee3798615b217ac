/// The families of ContinuousProcess in extended precision: one type per family, each with the formula of every quantity.
///
/// ContinuousProcess holds a std::variant of these types and calls them through std::visit, so a
/// family that lacks a quantity does not compile. Each implements, on Wide: log_snr, the marginal
/// (log_signal_variance, noise_variance, noise_scale, noise_level), log_snr_derivative,
/// diffusion_squared, drift, transition(s, t), time_of_log_snr (unclamped; ContinuousProcess
/// clamps to [0, 1]) and `static constexpr bool variance_preserving`. Shared formulas are opted
/// into explicitly: IntegratedBeta (held by vp_linear and sub_vp) and GivenByLogSnr (the CRTP base
/// of the families given by their log-SNR). Times s, t are in [0, 1] (exact copies of the caller's
/// Scalar values). The formulas, the precision contract and their sources: continuous.hpp.
#pragma once

#include "wide.hpp"
#include "wide_constants.hpp"
#include "wide_math.hpp"

namespace diffuse {
namespace detail {

/// q(x_t|x_s) = N(e^{log_scale} x_s, variance I) in extended precision.
struct Transition {
  Wide log_scale;  ///< log(a_t/a_s)
  Wide variance;   ///< b_t² − (a_t/a_s)² b_s²
};

/// β(t) = β_min + β_d t and its integral B(t) = ∫₀ᵗ β = β_min t + ½β_d t², shared by vp_linear and sub_vp.
struct IntegratedBeta {
  Wide beta_min = 0, beta_slope = 0;  ///< β_min and β_d = β_max − β_min

  /// β(t) = β_min + β_d t.
  Wide at(Wide t) const { return beta_min + beta_slope * t; }
  /// B(t) = t(β_min + ½β_d t); all terms non-negative.
  Wide integral(Wide t) const { return t * (beta_min + beta_slope * t / 2); }
  /// B(t) − B(s) = (t − s)(β_min + ½β_d(t + s)), without subtracting B(s) from B(t).
  Wide integral_difference(Wide s, Wide t) const { return (t - s) * (beta_min + beta_slope * (t + s) / 2); }
  /// t with B(t) = B: the positive root 2B/(β_min + √(β_min² + 2β_d B)) of ½β_d t² + β_min t − B,
  /// written without the cancellation of (√(β_min² + 2β_d B) − β_min)/β_d (and valid for β_d = 0).
  Wide time_of_integral(Wide integral_value) const {
    if (integral_value == 0) return 0;
    return 2 * integral_value / (beta_min + sqrt(beta_min * beta_min + 2 * beta_slope * integral_value));
  }
};

/// vp_linear, the VP SDE with linear β (Song et al. 2021, eq. 11, 29): a² = e^{−B}, b² = 1 − a² = −expm1(−B).
struct VpLinearFamily {
  static constexpr bool variance_preserving = true;
  IntegratedBeta beta;

  /// σ_p² of the prior N(0, σ_p² I) at t = 1 (score_sde's prior_sampling): 1.
  Wide prior_variance() const { return 1; }

  /// λ = log(e^{−B}/(1 − e^{−B})) = −B − log(−expm1(−B)).
  Wide log_snr(Wide t) const {
    const Wide b = beta.integral(t);
    return -b - log(-expm1(-b));
  }
  /// log a² = −B.
  Wide log_signal_variance(Wide t) const { return -beta.integral(t); }
  /// b² = −expm1(−B).
  Wide noise_variance(Wide t) const { return -expm1(-beta.integral(t)); }
  /// b = √b².
  Wide noise_scale(Wide t) const { return sqrt(noise_variance(t)); }
  /// σ = b/a = e^{B/2}√(−expm1(−B)).
  Wide noise_level(Wide t) const {
    const Wide b = beta.integral(t);
    return exp(b / 2) * sqrt(-expm1(-b));
  }
  /// dλ/dt = −β/(−expm1(−B)), −∞ at t = 0 (b² ~ B → 0 faster than β).
  Wide log_snr_derivative(Wide t) const {
    const Wide b = beta.integral(t);
    if (b == 0) return -Wide::infinity();
    return -beta.at(t) / -expm1(-b);
  }
  /// g² = β.
  Wide diffusion_squared(Wide t) const { return beta.at(t); }
  /// f = ½ d log a²/dt = −½β.
  Wide drift(Wide t) const { return -beta.at(t) / 2; }
  /// log(a_t/a_s) = −½ΔB, v = −expm1(−ΔB) (ΔB = B(t) − B(s) factored).
  Transition transition(Wide s, Wide t) const {
    const Wide d = beta.integral_difference(s, t);
    return {-d / 2, -expm1(-d)};
  }
  /// B = softplus(−λ), t = 2B/(β_min + √(β_min² + 2β_d B)).
  Wide time_of_log_snr(Wide lambda) const { return beta.time_of_integral(softplus(-lambda)); }
};

/// sub_vp, the sub-VP SDE (Song et al. 2021, eq. 12, 29): a² = e^{−B}, b = 1 − a² = −expm1(−B);
/// not variance preserving.
struct SubVpFamily {
  static constexpr bool variance_preserving = false;
  IntegratedBeta beta;

  /// σ_p² of the prior N(0, σ_p² I) at t = 1 (score_sde's prior_sampling): 1.
  Wide prior_variance() const { return 1; }

  /// λ = −2 log(2 sinh(B/2)) = −B − 2 log(−expm1(−B)).
  Wide log_snr(Wide t) const {
    const Wide b = beta.integral(t);
    return -b - 2 * log(-expm1(-b));
  }
  /// log a² = −B.
  Wide log_signal_variance(Wide t) const { return -beta.integral(t); }
  /// b² = expm1(−B)².
  Wide noise_variance(Wide t) const {
    const Wide e = expm1(-beta.integral(t));
    return e * e;
  }
  /// b = −expm1(−B) (the standard deviation is 1 − a²).
  Wide noise_scale(Wide t) const { return -expm1(-beta.integral(t)); }
  /// σ = b/a = 2 sinh(B/2).
  Wide noise_level(Wide t) const { return 2 * sinh(beta.integral(t) / 2); }
  /// dλ/dt = −β/tanh(B/2), −∞ at t = 0.
  Wide log_snr_derivative(Wide t) const {
    const Wide b = beta.integral(t);
    if (b == 0) return -Wide::infinity();
    return -beta.at(t) / tanh(b / 2);
  }
  /// g² = β(−expm1(−2B)).
  Wide diffusion_squared(Wide t) const { return beta.at(t) * -expm1(-2 * beta.integral(t)); }
  /// f = ½ d log a²/dt = −½β.
  Wide drift(Wide t) const { return -beta.at(t) / 2; }
  /// log(a_t/a_s) = −½ΔB, v = expm1(−ΔB)·expm1(−(B(t) + B(s)))
  /// (from (1 − ρA)² − ρ(1 − A)² = (1 − ρ)(1 − ρA²), A = a_s², ρ = a_t²/a_s²).
  Transition transition(Wide s, Wide t) const {
    const Wide d = beta.integral_difference(s, t);
    return {-d / 2, expm1(-d) * expm1(-(beta.integral(t) + beta.integral(s)))};
  }
  /// B = 2 asinh(e^{−λ/2}/2), t = 2B/(β_min + √(β_min² + 2β_d B)).
  Wide time_of_log_snr(Wide lambda) const { return beta.time_of_integral(2 * asinh(exp(-lambda / 2) / 2)); }
};

/// The formulas shared by the families given by their log-SNR λ (a² = sigmoid(λ), b² = sigmoid(−λ),
/// so a² + b² = 1): an explicit CRTP base. Derived provides log_snr(t), log_snr_derivative(t),
/// diffusion_squared(t) (−λ'b², written per family without cancellation), log_snr_decrease(s, t)
/// (λ(s) − λ(t) ≥ 0 without subtracting λ(t) from λ(s)) and time_of_log_snr(λ).
template <class Derived>
struct GivenByLogSnr {
  static constexpr bool variance_preserving = true;

  /// σ_p² of the prior N(0, σ_p² I) at t = 1: 1.
  Wide prior_variance() const { return 1; }

  /// log a² = −softplus(−λ).
  Wide log_signal_variance(Wide t) const { return -softplus(-derived().log_snr(t)); }
  /// b² = sigmoid(−λ).
  Wide noise_variance(Wide t) const { return sigmoid(-derived().log_snr(t)); }
  /// b = √b².
  Wide noise_scale(Wide t) const { return sqrt(noise_variance(t)); }
  /// σ = b/a = e^{−λ/2}.
  Wide noise_level(Wide t) const { return exp(-derived().log_snr(t) / 2); }
  /// f = ½ d log a²/dt = −½g² (the VP β being g²).
  Wide drift(Wide t) const { return -derived().diffusion_squared(t) / 2; }
  /// r = b_s²·expm1(Δλ): a_t²/a_s² = 1/(1 + r), v = r/(1 + r)
  /// (from softplus(−λ_t) − softplus(−λ_s) = log1p(sigmoid(−λ_s) expm1(λ_s − λ_t))); s with
  /// b_s = 0 (λ_s = +∞, the data) gives the marginal.
  Transition transition(Wide s, Wide t) const {
    const Wide lambda_s = derived().log_snr(s);
    if (lambda_s == Wide::infinity()) return {log_signal_variance(t) / 2, noise_variance(t)};
    const Wide r = sigmoid(-lambda_s) * expm1(derived().log_snr_decrease(s, t));
    if (!detail::is_finite(r)) return {-Wide::infinity(), 1};
    return {-log1p(r) / 2, r / (1 + r)};
  }

 private:
  const Derived& derived() const { return static_cast<const Derived&>(*this); }
};

/// cosine, shifted_cosine and interpolated_cosine: θ(t) = θ_min + t·w, φ(t) = π/2 − θ(t) =
/// φ_end + (1 − t)·w, λ(t) = −2 log tan θ(t) + shift_start + t·shift_slope (Hoogeboom et al.
/// 2023, Simple Diffusion, §3.1; the plain cosine has θ_min = φ_end = 0 and no shift).
struct CosineFamily : GivenByLogSnr<CosineFamily> {
  Wide theta_min = 0, phi_end = 0, width = 0, shift_start = 0, shift_slope = 0;

  struct Angles {
    Wide theta, phi;  ///< θ(t) and φ(t) = π/2 − θ(t), each to full relative precision
  };
  /// θ from θ_min + t·width when t ≤ ½ (then φ ≥ π/4 − |shift of the clip| and π/2 − θ does not
  /// cancel), φ from phi_end + (1 − t)·width otherwise (1 − t is exact for t ≥ ½).
  Angles angles(Wide t) const {
    if (t <= ldexp(Wide(1), -1)) {
      const Wide theta = theta_min + t * width;
      return {theta, wide_constants::half_pi - theta};
    }
    const Wide phi = phi_end + (1 - t) * width;
    return {wide_constants::half_pi - phi, phi};
  }

  /// λ = −2 log tan θ + shift = 2 (log sin φ − log sin θ) + shift_start + t·shift_slope.
  Wide log_snr(Wide t) const {
    const Angles g = angles(t);
    return 2 * (log(sin(g.phi)) - log(sin(g.theta))) + shift_start + t * shift_slope;
  }
  /// dλ/dt = −2w/(sin θ sin φ) + shift_slope (−∞ at θ = 0 and at φ = 0).
  Wide log_snr_derivative(Wide t) const {
    const Angles g = angles(t);
    return -2 * width / (sin(g.theta) * sin(g.phi)) + shift_slope;
  }
  /// g² = −λ'b² = (2w sin θ/sin φ − shift_slope·sin²θ)/(sin²θ + e^{shift} sin²φ), 0 at θ = 0.
  Wide diffusion_squared(Wide t) const {
    const Angles g = angles(t);
    const Wide st = sin(g.theta), sp = sin(g.phi);
    return (2 * width * st / sp - shift_slope * st * st) / (st * st + exp(shift_start + t * shift_slope) * sp * sp);
  }
  /// Δλ = λ(s) − λ(t) ≥ 0: tan θ_t/tan θ_s = 1 + sin(θ_t − θ_s)/(cos θ_t sin θ_s), θ_t − θ_s =
  /// (t − s)w, so Δλ = 2 log1p(sin((t − s)w)/(sin φ_t sin θ_s)) − (t − s)·shift_slope (both terms ≥ 0).
  Wide log_snr_decrease(Wide s, Wide t) const {
    const Angles gs = angles(s), gt = angles(t);
    return 2 * log1p(sin((t - s) * width) / (sin(gt.phi) * sin(gs.theta))) - (t - s) * shift_slope;
  }
  /// λ_c = λ − shift: θ = atan e^{−λ_c/2}, t = (θ − θ_min)/w for λ_c ≥ 0, else φ = atan e^{λ_c/2},
  /// t = 1 − (φ − φ_end)/w; the interpolated cosine (shift_slope ≠ 0) by Newton's method.
  Wide time_of_log_snr(Wide lambda) const {
    return shift_slope == 0 ? cosine_time(lambda - shift_start) : interpolated_cosine_time(lambda);
  }
  /// The closed-form inverse of the (clipped) cosine with a constant shift; λ_c = λ − shift.
  Wide cosine_time(Wide lambda_c) const {
    if (lambda_c >= 0) return (atan(exp(-lambda_c / 2)) - theta_min) / width;
    return 1 - (atan(exp(lambda_c / 2)) - phi_end) / width;
  }
  /// The interpolated cosine has no closed-form inverse: Newton's method on λ(t) − λ, kept inside
  /// the bracket [lo, hi] that every evaluation narrows (λ decreases strictly), bisecting whenever a
  /// Newton step would leave it; stops when a step changes t by at most 2⁻¹²⁰ t (or after 400
  /// evaluations, which the bisection bounds: the bracket then is below 2⁻³⁰⁰ Wide). The step is
  /// tested first: at the root the rounding of λ can point a tiny step just outside the bracket,
  /// which must end the iteration (bisecting the bracket, often still wider than 2⁻¹⁰⁰, down to
  /// 2⁻¹²⁰ t instead cost some 20 more evaluations and an error of up to 2⁻¹²⁰ t).
  Wide interpolated_cosine_time(Wide lambda) const {
    constexpr int evaluation_limit = 400;  // each bisection halves [lo, hi]: 400 of them leave it below 2⁻³⁰⁰
    Wide lo = 0, hi = 1;
    Wide t = cosine_time(lambda - shift_start - shift_slope / 2);  // the inverse at the mid shift
    for (int i = 0; i < evaluation_limit; ++i) {
      const Wide f = log_snr(t) - lambda;
      if (f == 0) return t;
      if (f > 0) {
        lo = t;
      } else {
        hi = t;
      }
      Wide next = t - f / log_snr_derivative(t);
      if (abs(next - t) <= ldexp(t, -120)) return next;
      if (!(next > lo && next < hi)) next = lo + (hi - lo) / 2;
      if (next == lo || next == hi) return next;
      t = next;
    }
    return t;
  }
};

/// vdm_linear, VDM's linear log-SNR (Kingma et al. 2021, §3.4): λ(t) = −γ(t), γ = γ_min + t·γ_slope,
/// γ_slope = γ_max − γ_min.
struct VdmLinearFamily : GivenByLogSnr<VdmLinearFamily> {
  Wide gamma_min = 0, gamma_slope = 0;

  /// λ = −(γ_min + t·γ_slope).
  Wide log_snr(Wide t) const { return -(gamma_min + t * gamma_slope); }
  /// dλ/dt = −(γ_max − γ_min).
  Wide log_snr_derivative(Wide) const { return -gamma_slope; }
  /// g² = −λ'b² = γ_slope·sigmoid(γ).
  Wide diffusion_squared(Wide t) const { return gamma_slope * sigmoid(gamma_min + t * gamma_slope); }
  /// Δλ = λ(s) − λ(t) = (t − s)(γ_max − γ_min).
  Wide log_snr_decrease(Wide s, Wide t) const { return (t - s) * gamma_slope; }
  /// t = (−λ − γ_min)/(γ_max − γ_min).
  Wide time_of_log_snr(Wide lambda) const { return (-lambda - gamma_min) / gamma_slope; }
};

/// ve, the VE SDE (Song et al. 2021, eq. 9, 30): a = 1, b = σ(t), log σ(t) = log σ_min + t·log(σ_max/σ_min);
/// not variance preserving.
struct VeFamily {
  static constexpr bool variance_preserving = false;
  Wide log_sigma_min = 0, log_sigma_slope = 0;  ///< log σ_min and log(σ_max/σ_min)

  /// σ_p² of the prior N(0, σ_max² I) at t = 1 (score_sde's VESDE.prior_sampling): b(1)².
  Wide prior_variance() const { return noise_variance(1); }

  /// λ = −2 log σ.
  Wide log_snr(Wide t) const { return -2 * (log_sigma_min + t * log_sigma_slope); }
  /// log a² = 0.
  Wide log_signal_variance(Wide) const { return 0; }
  /// b² = σ² = e^{2 log σ}.
  Wide noise_variance(Wide t) const { return exp(2 * (log_sigma_min + t * log_sigma_slope)); }
  /// b = σ.
  Wide noise_scale(Wide t) const { return exp(log_sigma_min + t * log_sigma_slope); }
  /// σ = σ_min e^{t log(σ_max/σ_min)}.
  Wide noise_level(Wide t) const { return exp(log_sigma_min + t * log_sigma_slope); }
  /// dλ/dt = −2 log(σ_max/σ_min).
  Wide log_snr_derivative(Wide) const { return -2 * log_sigma_slope; }
  /// g² = dσ²/dt = 2 log(σ_max/σ_min) σ².
  Wide diffusion_squared(Wide t) const { return 2 * log_sigma_slope * noise_variance(t); }
  /// f = 0.
  Wide drift(Wide) const { return 0; }
  /// log(a_t/a_s) = 0, v = σ_t²·(−expm1(−2(t − s) log(σ_max/σ_min))).
  Transition transition(Wide s, Wide t) const {
    return {0, noise_variance(t) * -expm1(-2 * (t - s) * log_sigma_slope)};
  }
  /// t = (−λ/2 − log σ_min)/log(σ_max/σ_min).
  Wide time_of_log_snr(Wide lambda) const { return (-lambda / 2 - log_sigma_min) / log_sigma_slope; }
};

}  // namespace detail
}  // namespace diffuse
