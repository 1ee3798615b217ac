/// TrigFlow, the forward process x_t = cos(t) x_0 + sin(t) z, z ~ N(0, σ_d² I), t ∈ [0, π/2], of continuous-time consistency models (sCM), its velocity target and its training-time density.
///
/// TrigFlow<Scalar> is the process of Lu & Song 2025 ("Simplifying, Stabilizing and Scaling
/// Continuous-Time Consistency Models", §3, eq. 3): a(t) = cos t, b(t) = σ_d sin t, so
/// SNR = cot²t/σ_d², λ = −2 log(σ_d tan t), σ = b/a = σ_d tan t (EDM's noise level: t = arctan(σ/σ_d)),
/// and the velocity dx_t/dt = cos(t) z − sin(t) x_0 = σ_d cos(t) ε − sin(t) x_0 (ε = z/σ_d standard),
/// which sCM's network predicts (σ_d F_θ, eq. 6): x_0 = cos(t) x_t − sin(t) v. With σ_d = 1 it is
/// the VP process of the cosine schedule with v its Salimans–Ho velocity. It is a forward process
/// (process.hpp) over times TrigFlowTime<Scalar>: the kernels, the batch functions of batch.hpp
/// and noise.hpp take it, and its prior is N(0, σ_d² I), which x_{π/2} = z is exactly.
///
/// **Times are radians, and the end is snapped.** A time is t in radians, as sCM's code computes it
/// (t = arctan(e^τ/σ_d)) and hands it to cos, sin and the network: cos and sin of every time are
/// those of the exact binary value given, so a user's t means what it means in PyTorch. π/2 itself
/// is not a floating-point number: the double nearest it lies 6.1·10⁻¹⁷ below (cos of it is
/// 6.1·10⁻¹⁷, not 0) and the float nearest it 4.4·10⁻⁸ above (cos of it is negative). So the value of
/// Scalar nearest π/2, TrigFlowTime<Scalar>::end(), stands for π/2 exactly: a = 0, b = σ_d, λ = −∞,
/// σ = +∞, pure noise, as sCM's sampler means when it starts at t = π/2 (numpy's float π/2).
/// Every other value is itself; larger ones are out of range. The alternative, a fraction u ∈ [0, 1]
/// of π/2, would make the end exact without a snap but would put a rounding between the user's
/// radians and our cos t (u = 2t/π loses the relative precision of π/2 − t near the end, where sCM
/// samples), and every sCM code base speaks radians; the snap costs only the one point cos t ≈ 6·10⁻¹⁷.
///
/// Precision: every value is evaluated in detail::Wide (128-bit significand) from the exact times
/// and σ_d (taken as the decimal it spells, 0.5 or 0.1, as the other processes' parameters) and
/// rounded once. Angles above π/4 are carried as φ = π/2 − t, formed from π/2 to 192 bits
/// (detail::wide_fixed), so cos t = sin φ keeps its relative precision up to the end; the transition
/// variance is the product σ_d² sin(t − s) sin(t + s)/cos²s (the difference of squares
/// b_t² − m² b_s² factored), with sin(t + s) = sin(φ_s + φ_t) past π/2. Each Wide value chains a few
/// operations of 1u and functions of 16u to 24u (sin, cos, atan, log, exp; wide_math.hpp, u = 2⁻¹²⁸),
/// so it lies within a small multiple of u; the tests allow 64u relative (λ, which crosses 0,
/// 64u(1 + |λ| + 2|ln σ_d|) absolute; the times of λ, σ and z 96u): float, double and x87 long
/// double are then correctly rounded unless the exact value lies that close to a tie. Measured
/// against 40-digit mpmath references (tests/test_trigflow.cpp, tests/reference/gen_trigflow_reference.py;
/// about 700 values, t near 0 and near π/2, s and t one ulp apart): correctly rounded in float,
/// double and x87 long double (worst 0.5000 ulp).
#pragma once

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include <Eigen/Core>

#include "batch.hpp"
#include "detail/checks.hpp"
#include "detail/error.hpp"
#include "detail/float_class.hpp"
#include "detail/time_process_traits.hpp"
#include "detail/wide.hpp"
#include "detail/wide_constants.hpp"
#include "detail/wide_decimal.hpp"
#include "detail/wide_math.hpp"
#include "kernels.hpp"
#include "process.hpp"
#include "time_coordinates.hpp"

namespace diffuse {
namespace detail {

/// The value of Scalar nearest π/2: TrigFlow's end, which stands for π/2.
template <class Scalar>
Scalar trigflow_end() {
  return static_cast<Scalar>(wide_constants::half_pi);
}

/// Rule "<name> must be in [0, pi/2]" (std::out_of_range): 0 ≤ t ≤ the value of t's type nearest
/// π/2 (which stands for π/2), NaN not.
template <class Name, class Real>
void check_trigflow_time(const char* function, const Name& name, Real t) {
  if (is_nan(t) || !(t >= 0 && t <= trigflow_end<Real>())) {
    fail<std::out_of_range>(function, name_text(name) + " must be in [0, pi/2]", t);
  }
}

/// The angle t with log tan t = y, t = arctan(e^y): atan(e^y) for y ≤ 0 and π/2 − atan(e^{−y})
/// above, so e^y never overflows and each tail keeps its precision (±∞ give 0 and π/2).
inline Wide angle_of_log_tan(const Wide& y) {
  if (y.is_infinite()) return y.negative() ? Wide() : wide_constants::half_pi;
  if (!y.negative()) return wide_constants::half_pi - atan(exp(-y));
  return atan(exp(y));
}

}  // namespace detail

/// A time of TrigFlow, t ∈ [0, π/2] in radians, t = 0 the data; end(), the value of Scalar nearest
/// π/2, stands for π/2 (see the file comment).
template <class Scalar>
class TrigFlowTime {
  static_assert(std::is_floating_point<Scalar>::value, "diffuse::TrigFlowTime needs a floating-point type");

 public:
  using scalar_type = Scalar;
  /// Wraps t.
  /// @throws std::out_of_range unless 0 ≤ t ≤ end().value() (NaN included).
  explicit TrigFlowTime(Scalar t) : value_(t) { detail::check_trigflow_time("TrigFlowTime", "t", t); }
  /// π/2, pure noise: the value of Scalar nearest π/2.
  static TrigFlowTime end() { return TrigFlowTime(detail::trigflow_end<Scalar>()); }
  /// t (end().value() for π/2).
  Scalar value() const { return value_; }
  /// Whether t is the end, π/2.
  bool is_end() const { return value_ == detail::trigflow_end<Scalar>(); }

 private:
  Scalar value_;
};

namespace detail {

/// A batch's raw time for TrigFlow: raw ∈ [0, π/2] (the end of raw's type is π/2), rounded to
/// Scalar; the end of any type is the end of Scalar.
template <class Scalar>
struct TimeCoordinate<TrigFlowTime<Scalar>> {
  template <class Name, class Raw>
  static TrigFlowTime<Scalar> from(const char* function, const Name& name, Raw raw) {
    check_trigflow_time(function, name, raw);
    // Any other raw ≤ π/2 rounds to at most Scalar's end (the value of Scalar nearest π/2).
    return raw == trigflow_end<Raw>() ? TrigFlowTime<Scalar>::end() : TrigFlowTime<Scalar>(static_cast<Scalar>(raw));
  }
};

}  // namespace detail

/// The TrigFlow forward process q(x_t|x_0) = N(cos(t) x_0, σ_d² sin²(t) I), t ∈ [0, π/2] (Lu & Song
/// 2025, eq. 3): t = 0 is the data (a = 1, b = 0), t = π/2 pure noise (a = 0, b = σ_d, λ = −∞).
/// Variance preserving only for σ_d = 1. An immutable value holding σ_d; every member is evaluated in
/// detail::Wide and rounded once (see the file comment for the bound).
template <class Scalar>
class TrigFlow {
  static_assert(std::is_floating_point<Scalar>::value, "diffuse::TrigFlow needs float, double or long double");

 public:
  using scalar_type = Scalar;
  using Time = TrigFlowTime<Scalar>;

  /// TrigFlow with data standard deviation σ_d (sCM: 0.5).
  /// @throws std::invalid_argument unless sigma_data is finite and > 0.
  explicit TrigFlow(double sigma_data = 0.5) : sigma_data_(sigma_data) {
    detail::check_finite_positive("TrigFlow", "sigma_data", sigma_data);
    sigma_ = detail::decimal_value(sigma_data);
  }

  /// "trigflow".
  const char* name() const { return "trigflow"; }
  /// σ_d as given.
  double sigma_data() const { return sigma_data_; }
  /// Whether a² + b² = cos²t + σ_d² sin²t = 1 at every t: σ_d = 1.
  bool variance_preserving() const { return sigma_data_ == 1; }

  /// a(t) = cos t (sin φ above π/4; 0 at the end).
  Scalar signal_scale(Time t) const { return round(angle(t).cos); }
  /// b(t) = σ_d sin t (σ_d at the end).
  Scalar noise_scale(Time t) const { return round(sigma_ * angle(t).sin); }
  /// a(t)² = cos²t.
  Scalar signal_variance(Time t) const {
    const detail::Wide c = angle(t).cos;
    return round(c * c);
  }
  /// b(t)² = σ_d² sin²t.
  Scalar noise_variance(Time t) const {
    const detail::Wide b = sigma_ * angle(t).sin;
    return round(b * b);
  }
  /// σ(t) = b/a = σ_d tan t = σ_d sin t/cos t, the EDM noise level of x_t/cos t (Lu & Song 2025, §3);
  /// +∞ at the end.
  NoiseLevel<Scalar> noise_level(Time t) const {
    if (t.is_end()) return NoiseLevel<Scalar>(std::numeric_limits<Scalar>::infinity());
    const detail::SinCos sc = angle(t);
    return NoiseLevel<Scalar>(round(sigma_ * sc.sin / sc.cos));
  }
  /// λ(t) = log(a²/b²) = 2 log(cos t/(σ_d sin t)): +∞ at t = 0, −∞ at the end.
  LogSnr<Scalar> log_snr(Time t) const {
    if (t.value() == 0) return LogSnr<Scalar>(std::numeric_limits<Scalar>::infinity());
    if (t.is_end()) return LogSnr<Scalar>(-std::numeric_limits<Scalar>::infinity());
    const detail::SinCos sc = angle(t);
    return LogSnr<Scalar>(round(ldexp(log(sc.cos / (sigma_ * sc.sin)), 1)));
  }
  /// SNR(t) = a²/b² = cot²t/σ_d²: +∞ at t = 0, 0 at the end.
  Scalar snr(Time t) const {
    if (t.value() == 0) return std::numeric_limits<Scalar>::infinity();
    const detail::SinCos sc = angle(t);
    const detail::Wide r = sc.cos / (sigma_ * sc.sin);
    return round(r * r);
  }

  /// The time with λ(t) = λ: t = arctan(e^{−λ/2}/σ_d) (0 at λ = +∞, the end at λ = −∞, and at every
  /// λ so low that t rounds to it).
  Time time(LogSnr<Scalar> lambda) const {
    const Scalar l = lambda.value();
    if (!detail::is_finite(l)) return l > 0 ? Time(Scalar(0)) : Time::end();
    return time_of_angle(detail::angle_of_log_tan(-ldexp(detail::Wide(l), -1) - log(sigma_)));
  }
  /// The time with σ(t) = σ: t = arctan(σ/σ_d) (sCM's map from EDM; the end at σ = +∞).
  Time time(NoiseLevel<Scalar> sigma) const {
    const Scalar s = sigma.value();
    if (!detail::is_finite(s)) return Time::end();
    return time_of_angle(atan(detail::Wide(s) / sigma_));
  }

  /// The coefficients of q(x_t|x_s) = N(m x_s, v I), 0 ≤ s < t ≤ π/2 (process.hpp).
  using TransitionCoefficients = diffuse::TransitionCoefficients<Scalar>;
  /// m = a_t/a_s = cos t/cos s and v = b_t² − m² b_s² = σ_d² sin(t − s) sin(t + s)/cos²s (the
  /// difference of squares σ_d²(sin²t cos²s − cos²t sin²s)/cos²s factored), √v. At the end m = 0 and
  /// v = σ_d² exactly; from s = 0 they are a_t and b_t².
  /// @throws std::invalid_argument unless s < t.
  TransitionCoefficients transition_coefficients(Time s, Time t) const {
    check_order("TrigFlow::transition_coefficients", s, t);
    const Transition k = transition(s, t);
    return {round(k.mean), round(k.variance), round(sqrt(k.variance))};
  }

  /// The coefficients of the posterior q(x_s|x_t, x_0) = N(c_0 x_0 + c_t x_t, v I), 0 ≤ s < t ≤ π/2.
  using PosteriorCoefficients = diffuse::PosteriorCoefficients<Scalar>;
  /// The Bayes product of q(x_s|x_0) and q(x_t|x_s) (detail::bayes_posterior): c_0 = a_s v_{t|s}/b_t²,
  /// c_t = m b_s²/b_t², v = v_{t|s} b_s²/b_t² with b_s²/b_t² = sin²s/sin²t, √v; products and
  /// quotients only. s = 0 gives the point mass at x_0 (c_0 = 1, c_t = 0, v = 0).
  /// @throws std::invalid_argument unless s < t.
  PosteriorCoefficients posterior_coefficients(Time s, Time t) const {
    check_order("TrigFlow::posterior_coefficients", s, t);
    const Transition k = transition(s, t);
    const detail::SinCos as = angle(s), at = angle(t);
    return detail::bayes_posterior<Scalar>(as.cos, (as.sin * as.sin) / (at.sin * at.sin),
                                           sigma_ * sigma_ * at.sin * at.sin, k.mean, k.variance);
  }

  /// The same process in another scalar type.
  template <class Other>
  TrigFlow<Other> cast() const {
    return TrigFlow<Other>(sigma_data_);
  }

 private:
  double sigma_data_;
  detail::Wide sigma_;

  struct Transition {
    detail::Wide mean, variance;
  };

  /// sin t and cos t: directly up to π/4, as cos φ and sin φ with φ = π/2 − t (from π/2 to 192
  /// bits, so exact to 2⁻¹⁹² absolute) above it; (1, 0) at the end.
  static detail::SinCos angle(Time t) {
    const detail::Wide w = wide(t);
    if (t.is_end()) return {detail::Wide(1), detail::Wide()};
    if (w <= ldexp(detail::wide_constants::half_pi, -1)) return detail::sin_cos(w);
    const detail::SinCos c = detail::sin_cos(complement(t));
    return {c.cos, c.sin};
  }
  /// φ = π/2 − t, from π/2 held to 192 bits (0 at the end).
  static detail::Wide complement(Time t) {
    namespace f = detail::wide_fixed;
    if (t.is_end()) return detail::Wide();
    return f::to_wide(f::subtract(detail::wide_constants::half_pi_fixed192, f::from_wide(wide(t))));
  }

  Transition transition(Time s, Time t) const {
    using detail::Wide;
    const Wide sigma2 = sigma_ * sigma_;
    if (t.is_end()) return {Wide(), sigma2};
    const detail::SinCos as = angle(s), at = angle(t);
    const Wide ws = wide(s), wt = wide(t), sum = ws + wt;
    // sin(t + s) = sin(φ_s + φ_t) where t + s > π/2: no angle near π is formed.
    const Wide sine_sum = sum <= detail::wide_constants::half_pi ? sin(sum) : sin(complement(s) + complement(t));
    return {at.cos / as.cos, sigma2 * sin(wt - ws) * sine_sum / (as.cos * as.cos)};
  }

  static Time time_of_angle(const detail::Wide& t) {
    const Scalar rounded = round(t);
    return rounded >= detail::trigflow_end<Scalar>() ? Time::end() : Time(rounded);
  }

  static Scalar round(const detail::Wide& x) { return static_cast<Scalar>(x); }
  /// t, with −0 (a valid time) read as +0.
  static detail::Wide wide(Time t) { return detail::Wide(t.value() == 0 ? Scalar(0) : t.value()); }

  static void check_order(const char* function, Time s, Time t) {
    detail::check_below(function, "s", s.value(), "t", t.value());
  }

  friend struct detail::TimeProcessTraits<TrigFlow, Scalar, TrigFlowTime<Scalar>>;
  /// The prior N(0, σ_d² I) at the end, where x_{π/2} = σ_d ε exactly: a² = 0 and r = b²/σ_d² = 1,
  /// so prior_kl is 0.
  detail::PriorTerms prior_terms() const { return {detail::Wide(), detail::Wide(), detail::Wide()}; }
};

/// A TrigFlow is a forward process over times t ∈ [0, π/2]: a = cos t, b = σ_d sin t, b², σ, λ.
template <class Scalar>
struct ProcessTraits<TrigFlow<Scalar>> : detail::TimeProcessTraits<TrigFlow<Scalar>, Scalar, TrigFlowTime<Scalar>> {};

// ---- the velocity target ---------------------------------------------------------------------------
//
// v = dx_t/dt = cos(t) z − sin(t) x_0 = σ_d cos(t) ε − sin(t) x_0 per column, and x_0, ε back from
// x_t and v by the rotation x_0 = cos(t) x_t − sin(t) v, σ_d ε = sin(t) x_t + cos(t) v. Conventions
// and rounding of batch.hpp: each coefficient formed in Wide from the process's rounded a = cos t
// and b = σ_d sin t (so sin t = b/σ_d, exact for σ_d a power of 2) and rounded once, then
// fl(fl(p u) + fl(q w)) element by element.

namespace detail {

/// The per-column coefficients (p, q) of the three TrigFlow velocity functions.
template <class Scalar>
struct TrigFlowVelocityCoefficients {
  using Pair = std::pair<Scalar, Scalar>;
  const TrigFlow<Scalar>& process;
  Wide sigma = decimal_value(process.sigma_data());

  Wide cos_t(TrigFlowTime<Scalar> t) const { return Wide(process.signal_scale(t)); }
  Wide sin_t(TrigFlowTime<Scalar> t) const { return Wide(process.noise_scale(t)) / sigma; }

  /// (−sin t, σ_d cos t) on (x_0, ε).
  Pair velocity(TrigFlowTime<Scalar> t) const { return {rounded(-sin_t(t)), rounded(sigma * cos_t(t))}; }
  /// (cos t, −sin t) on (x_t, v).
  Pair x0_from_velocity(TrigFlowTime<Scalar> t) const { return {rounded(cos_t(t)), rounded(-sin_t(t))}; }
  /// (sin t/σ_d, cos t/σ_d) on (x_t, v).
  Pair eps_from_velocity(TrigFlowTime<Scalar> t) const {
    return {rounded(sin_t(t) / sigma), rounded(cos_t(t) / sigma)};
  }

  static Scalar rounded(const Wide& x) { return static_cast<Scalar>(x); }
};

}  // namespace detail

/// The TrigFlow velocity target v = dx_t/dt = cos(t) z − sin(t) x_0 = σ_d cos(t) ε − sin(t) x_0 per
/// column (Lu & Song 2025, eq. 3 differentiated; sCM trains σ_d F_θ on it), written into `out`, for
/// the standard noise ε of x_t = cos(t) x_0 + σ_d sin(t) ε. Error within (k + 1½)ε(|sin t x_0| +
/// σ_d|cos t ε|) (batch.hpp's k).
/// @throws as add_noise (times in [0, π/2]).
template <class Scalar, class X0, class Eps, class Times, class Out>
void trigflow_velocity(const TrigFlow<Scalar>& process, const Eigen::MatrixBase<X0>& x0,
                       const Eigen::MatrixBase<Eps>& eps, const Times& times, const Eigen::MatrixBase<Out>& out) {
  const detail::TrigFlowVelocityCoefficients<Scalar> k{process};
  detail::combine_columns("trigflow_velocity", "eps", process, x0, eps, times, out,
                          [&](TrigFlowTime<Scalar> t, Eigen::Index) { return k.velocity(t); });
}

/// trigflow_velocity into a new matrix of the shape and storage order of x0.
template <class Scalar, class X0, class Eps, class Times>
typename X0::PlainObject trigflow_velocity(const TrigFlow<Scalar>& process, const Eigen::MatrixBase<X0>& x0,
                                           const Eigen::MatrixBase<Eps>& eps, const Times& times) {
  typename X0::PlainObject out(x0.rows(), x0.cols());
  trigflow_velocity(process, x0, eps, times, out);
  return out;
}

/// x_0 from x_t and a TrigFlow velocity: x_0 = cos(t) x_t − sin(t) v (sCM's f_θ = cos(t) x_t −
/// sin(t) σ_d F_θ, Lu & Song 2025, eq. 6), written into `out`; valid at every time.
/// @throws as add_noise.
template <class Scalar, class Xt, class V, class Times, class Out>
void x0_from_trigflow_velocity(const TrigFlow<Scalar>& process, const Eigen::MatrixBase<Xt>& x_t,
                               const Eigen::MatrixBase<V>& v, const Times& times, const Eigen::MatrixBase<Out>& out) {
  const detail::TrigFlowVelocityCoefficients<Scalar> k{process};
  detail::combine_columns("x0_from_trigflow_velocity", "v", process, x_t, v, times, out,
                          [&](TrigFlowTime<Scalar> t, Eigen::Index) { return k.x0_from_velocity(t); });
}

/// x0_from_trigflow_velocity into a new matrix of the shape and storage order of x_t.
template <class Scalar, class Xt, class V, class Times>
typename Xt::PlainObject x0_from_trigflow_velocity(const TrigFlow<Scalar>& process, const Eigen::MatrixBase<Xt>& x_t,
                                                   const Eigen::MatrixBase<V>& v, const Times& times) {
  typename Xt::PlainObject out(x_t.rows(), x_t.cols());
  x0_from_trigflow_velocity(process, x_t, v, times, out);
  return out;
}

/// The standard noise from x_t and a TrigFlow velocity: ε = (sin(t) x_t + cos(t) v)/σ_d, written
/// into `out`; valid at every time.
/// @throws as add_noise.
template <class Scalar, class Xt, class V, class Times, class Out>
void eps_from_trigflow_velocity(const TrigFlow<Scalar>& process, const Eigen::MatrixBase<Xt>& x_t,
                                const Eigen::MatrixBase<V>& v, const Times& times, const Eigen::MatrixBase<Out>& out) {
  const detail::TrigFlowVelocityCoefficients<Scalar> k{process};
  detail::combine_columns("eps_from_trigflow_velocity", "v", process, x_t, v, times, out,
                          [&](TrigFlowTime<Scalar> t, Eigen::Index) { return k.eps_from_velocity(t); });
}

/// eps_from_trigflow_velocity into a new matrix of the shape and storage order of x_t.
template <class Scalar, class Xt, class V, class Times>
typename Xt::PlainObject eps_from_trigflow_velocity(const TrigFlow<Scalar>& process, const Eigen::MatrixBase<Xt>& x_t,
                                                    const Eigen::MatrixBase<V>& v, const Times& times) {
  typename Xt::PlainObject out(x_t.rows(), x_t.cols());
  eps_from_trigflow_velocity(process, x_t, v, times, out);
  return out;
}

// ---- the training-time density ---------------------------------------------------------------------

/// sCM's training time from a standard normal z: τ = P_mean + P_std z (EDM's log-normal σ = e^τ),
/// t = arctan(e^τ/σ_d) (Lu & Song 2025, §4.1 and Appendix; the TrigFlow time of the EDM noise level
/// e^τ). Evaluated as arctan(e^y), y = τ − ln σ_d, by atan(e^y) for y ≤ 0 and π/2 − atan(e^{−y})
/// above, so neither tail overflows or cancels; rounded once (correctly rounded on every reference
/// value, tests/test_trigflow.cpp), the end (π/2) where t rounds to it. Parameters as the decimals
/// they spell. Defaults P_mean = −1.0, P_std = 1.6, σ_d = 0.5; sCM sets P_mean and P_std per dataset
/// (its appendix; −0.8 and 1.6 for ImageNet 64×64, EDM2's), so pass those of your model.
/// @throws std::invalid_argument unless sigma_data is finite and > 0, p_mean finite, p_std finite
/// and ≥ 0, and z not NaN (z = ±∞ give the end and 0).
template <class Scalar>
TrigFlowTime<Scalar> trigflow_training_time(Scalar z, double sigma_data = 0.5, double p_mean = -1.0,
                                            double p_std = 1.6) {
  static_assert(std::is_floating_point<Scalar>::value,
                "diffuse::trigflow_training_time needs float, double or long double");
  const char* fn = "trigflow_training_time";
  detail::check_finite_positive(fn, "sigma_data", sigma_data);
  detail::check_finite(fn, "p_mean", p_mean);
  detail::check_finite_non_negative(fn, "p_std", p_std);
  if (detail::is_nan(z)) detail::fail<std::invalid_argument>(fn, "z must not be NaN", z);
  using detail::Wide;
  const Wide s = detail::decimal_value(p_std);
  const Wide tau = s.is_zero() ? detail::decimal_value(p_mean) : detail::decimal_value(p_mean) + s * Wide(z);
  const Scalar t = static_cast<Scalar>(detail::angle_of_log_tan(tau - log(detail::decimal_value(sigma_data))));
  return t >= detail::trigflow_end<Scalar>() ? TrigFlowTime<Scalar>::end() : TrigFlowTime<Scalar>(t);
}

}  // namespace diffuse
