/// Strong types for the coordinates of the forward process: continuous time t, log-SNR λ, noise level σ, fractional step.
///
/// The same forward process is indexed four ways: a continuous time t ∈ [0, 1] (score_sde, VDM),
/// a log-SNR λ = log(a²/b²) (VDM, Simple Diffusion), a noise level σ = b/a (EDM, k-diffusion) and
/// a discrete step of a Schedule (DDPM). All four are plain numbers, and passing one where another
/// is meant compiles silently and gives wrong answers — the commonest bug in sampler ports. So each
/// continuous coordinate has its own type with an explicit, checking constructor:
///
///     ContinuousTime<S>   t ∈ [0, 1]                    (std::out_of_range otherwise)
///     LogSnr<S>           λ ∈ [−∞, +∞], not NaN         (std::invalid_argument otherwise)
///     NoiseLevel<S>       σ ∈ [0, +∞], not NaN          (std::invalid_argument otherwise)
///     FractionalStep<S>   u ∈ [0, +∞), our step numbering (std::out_of_range otherwise)
///
/// There is no implicit conversion from a number or between the types: `process.time(LogSnr(x))`
/// says what x is, and `process.time(x)` does not compile. Integer steps stay `int`, as in
/// Schedule. The types carry no arithmetic; `value()` gives the number back. The conversions that do
/// not depend on a process (λ = −2 log σ, σ = e^{−λ/2}) are the free functions below.
#pragma once

#include <cmath>
#include <stdexcept>
#include <type_traits>

#include "detail/checks.hpp"
#include "detail/wide.hpp"
#include "detail/wide_math.hpp"

namespace diffuse {

/// A time of a continuous-time forward process, t ∈ [0, 1]; t = 0 is the data end.
template <class Scalar>
class ContinuousTime {
  static_assert(std::is_floating_point<Scalar>::value, "diffuse::ContinuousTime needs a floating-point type");

 public:
  using scalar_type = Scalar;
  /// Wraps t; −0 is stored as +0 (the data end has one representation, so b(0) = +0 in every process).
  /// @throws std::out_of_range unless 0 ≤ t ≤ 1 (NaN included).
  explicit ContinuousTime(Scalar t) : value_(t == 0 ? Scalar(0) : t) {
    detail::check_in_closed_unit_interval<std::out_of_range>("ContinuousTime", "t", t);
  }
  /// t.
  Scalar value() const { return value_; }

 private:
  Scalar value_;
};

/// A log signal-to-noise ratio λ = log(a²/b²) (Kingma et al. 2021, VDM, eq. 3: λ = −γ).
template <class Scalar>
class LogSnr {
  static_assert(std::is_floating_point<Scalar>::value, "diffuse::LogSnr needs a floating-point type");

 public:
  using scalar_type = Scalar;
  /// Wraps λ; ±∞ are allowed (the data end, pure noise).
  /// @throws std::invalid_argument if λ is NaN.
  explicit LogSnr(Scalar lambda) : value_(lambda) {
    if (detail::is_nan(lambda)) detail::fail<std::invalid_argument>("LogSnr", "log-SNR must not be NaN", lambda);
  }
  /// λ.
  Scalar value() const { return value_; }

 private:
  Scalar value_;
};

/// A noise level σ = b/a, the standard deviation of x_σ = x_0 + σ ε (Karras et al. 2022, EDM, eq. 1).
template <class Scalar>
class NoiseLevel {
  static_assert(std::is_floating_point<Scalar>::value, "diffuse::NoiseLevel needs a floating-point type");

 public:
  using scalar_type = Scalar;
  /// Wraps σ; 0 (the data) and +∞ (pure noise) are allowed, and −0 is stored as +0.
  /// @throws std::invalid_argument unless σ ≥ 0 (NaN included).
  explicit NoiseLevel(Scalar sigma) : value_(sigma == 0 ? Scalar(0) : sigma) {
    detail::check_non_negative("NoiseLevel", "sigma", sigma);
  }
  /// σ.
  Scalar value() const { return value_; }

 private:
  Scalar value_;
};

/// A fractional step of a discrete Schedule in diffuse's numbering: u = t is step t (t = 0 the
/// data, 1..T the noising steps), u = t + w lies between steps t and t + 1.
/// k-diffusion and stable-diffusion.cpp number their sigmas 0..T−1 (index i holds our step i + 1):
/// `model_index()` and `from_model_index()` convert, and are the only functions that shift by one.
template <class Scalar>
class FractionalStep {
  static_assert(std::is_floating_point<Scalar>::value, "diffuse::FractionalStep needs a floating-point type");

 public:
  using scalar_type = Scalar;
  /// Wraps u, our step numbering.
  /// @throws std::out_of_range unless u is finite and ≥ 0.
  explicit FractionalStep(Scalar u) : value_(u) {
    detail::check_finite_non_negative<std::out_of_range>("FractionalStep", "step", u);
  }
  /// The step u + 1 of k-diffusion's 0-based fractional index i (`DiscreteSchedule.sigma_to_t`).
  /// @throws std::out_of_range unless i is finite and ≥ 0.
  static FractionalStep from_model_index(Scalar index) {
    detail::check_finite_non_negative<std::out_of_range>("FractionalStep::from_model_index", "index", index);
    return FractionalStep(index + 1);
  }
  /// u, our step numbering (step 0 is the data).
  Scalar value() const { return value_; }
  /// u − 1, the 0-based index of k-diffusion and stable-diffusion.cpp.
  /// @throws std::out_of_range if u < 1 (step 0, the data, has no model index).
  Scalar model_index() const {
    if (!(value_ >= 1)) {
      detail::fail<std::out_of_range>("FractionalStep::model_index", "step must be >= 1 to have a 0-based index",
                                      value_);
    }
    return value_ - 1;
  }

 private:
  Scalar value_;
};

/// λ = −2 log σ, the log-SNR of a noise level (σ² = b²/a² = e^{−λ}), for every process: evaluated
/// in detail::Wide and rounded once, from within 2⁻¹²⁴ relative (wide_math.hpp's log: 16 units of
/// 2⁻¹²⁸, also near σ = 1, where λ = 0 exactly): float, double and x87 long double correctly rounded
/// unless that close to a tie; ±∞ at σ = 0 and σ = ∞.
template <class Scalar>
LogSnr<Scalar> log_snr(NoiseLevel<Scalar> sigma) {
  return LogSnr<Scalar>(static_cast<Scalar>(-ldexp(log(detail::Wide(sigma.value())), 1)));
}

/// σ = e^{−λ/2}, the noise level of a log-SNR, in detail::Wide and rounded once, from within 2⁻¹²⁴
/// relative (exp: 12 units of 2⁻¹²⁸; λ/2 is exact).
template <class Scalar>
NoiseLevel<Scalar> noise_level(LogSnr<Scalar> lambda) {
  return NoiseLevel<Scalar>(static_cast<Scalar>(exp(-ldexp(detail::Wide(lambda.value()), -1))));
}

}  // namespace diffuse
