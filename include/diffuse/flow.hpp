/// The rectified-flow forward process x_t = (1 − t) x_0 + t ε and the time shifts of flow-matching samplers (SD3, Flux, LTX).
///
/// RectifiedFlow<Scalar> is the straight line between the data (t = 0) and the noise (t = 1) of
/// Liu et al. 2022 ("Flow Straight and Fast", §2, with time reversed: there t = 1 is the data) and
/// Esser et al. 2024 (SD3, §3, a = 1 − t, b = t): a(t) = 1 − t, b(t) = t, σ = t/(1 − t),
/// λ = 2 log((1 − t)/t). It is a forward process (process.hpp) over times ContinuousTime<Scalar>: the
/// kernels marginal, transition and posterior (kernels.hpp) and the batch functions of batch.hpp and
/// noise.hpp take it. Its transition and posterior are those of the Markov Gaussian process with these
/// marginals (as for every process of the library), not the deterministic coupling of one ε along
/// the line: q(x_1|x_s) = N(0, I).
///
/// The time shifts are the maps of t ∈ [0, 1] onto itself that diffusers'
/// FlowMatchEulerDiscreteScheduler applies to its σ (which is t for this process): SD3's static
/// shift, the exponential and linear time shifts with Flux's resolution-dependent μ, and the stretch
/// to `shift_terminal`.
///
/// Precision: every value is evaluated in detail::Wide (128-bit significand) from the exact values of
/// its floating-point arguments and rounded once. The formulas, each stated at its function, never
/// subtract nearly equal quantities: 1 − t, 2t − 1, t − s are exact in Wide for float and double
/// arguments (down to t ≈ 2⁻⁷⁵, below which 1 − t rounds to 1 anyway), and every other step
/// combines non-negative terms. Each function states its bound in units of u = 2⁻¹²⁸ relative to the
/// Wide value: at most 19u for the process's values, 64u for t(λ), (64 + 20(|μ| + p|log(1/t − 1)|))u
/// for the exponential time shift (80 and log μ for the linear one). So float, double and x87 long double are correctly
/// rounded unless the exact value lies within that distance of a tie (an exact tie, such as 1 − t
/// for some float t, is exact in Wide and rounds to even), and IEEE binary128 long double is within
/// ½ ulp + 2⁻¹⁶ ulp per unit of u. Measured against 40-digit mpmath references
/// (tests/test_flow.cpp): correctly rounded in float, double and x87 long double, within 0.5 ulp in
/// binary128 (aarch64, under qemu).
#pragma once

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "detail/checks.hpp"
#include "detail/error.hpp"
#include "detail/float_class.hpp"
#include "detail/log_snr_shift.hpp"
#include "detail/time_process_traits.hpp"
#include "detail/wide.hpp"
#include "detail/wide_math.hpp"
#include "kernels.hpp"
#include "process.hpp"
#include "time_coordinates.hpp"

namespace diffuse {

/// The rectified-flow (flow-matching) forward process q(x_t|x_0) = N((1 − t) x_0, t² I), t ∈ [0, 1]
/// (Liu et al. 2022; Lipman et al. 2023; Esser et al. 2024, §3): t = 0 is the data (a = 1, b = 0),
/// t = 1 pure noise (a = 0, b = 1, λ = −∞). Not variance preserving (a² + b² = 1 − 2t(1 − t)).
///
/// A stateless value; every member is a function of the time, evaluated in detail::Wide and rounded
/// once (see the file comment for the bound).
template <class Scalar>
class RectifiedFlow {
  static_assert(std::is_floating_point<Scalar>::value, "diffuse::RectifiedFlow needs float, double or long double");

 public:
  using scalar_type = Scalar;
  using Time = ContinuousTime<Scalar>;

  /// "rectified_flow".
  const char* name() const { return "rectified_flow"; }
  /// false: a² + b² = (1 − t)² + t² < 1 inside (0, 1).
  bool variance_preserving() const { return false; }

  /// a(t) = 1 − t (Wide: exact for float and double t ≥ 2⁻⁷⁵, 1u otherwise).
  Scalar signal_scale(Time t) const { return round(one_minus(t)); }
  /// b(t) = t, exactly (+0 at t = −0).
  Scalar noise_scale(Time t) const { return value(t); }
  /// a(t)² = (1 − t)² (3u).
  Scalar signal_variance(Time t) const {
    const detail::Wide a = one_minus(t);
    return round(a * a);
  }
  /// b(t)² = t² (1u; exact in Wide for float, double and x87 long double).
  Scalar noise_variance(Time t) const {
    const detail::Wide b = wide(t);
    return round(b * b);
  }
  /// σ(t) = b/a = t/(1 − t), the noise level of the VE form x_t/(1 − t) = x_0 + σ ε (Karras et al.
  /// 2022, eq. 4 with s(t) = 1 − t); +∞ at t = 1 (2u).
  NoiseLevel<Scalar> noise_level(Time t) const {
    if (t.value() == 1) return NoiseLevel<Scalar>(std::numeric_limits<Scalar>::infinity());
    return NoiseLevel<Scalar>(round(wide(t) / one_minus(t)));
  }
  /// λ(t) = log(a²/b²) = 2 log((1 − t)/t): +∞ at t = 0, −∞ at t = 1, 0 at t = ½. Evaluated as
  /// 2 log1p((1 − 2t)/t) for t ≤ ½ and −2 log1p((2t − 1)/(1 − t)) above (log1p of a non-negative
  /// argument, condition number ≤ 1): 19u relative.
  LogSnr<Scalar> log_snr(Time t) const { return LogSnr<Scalar>(round(ldexp(half_log_snr(wide(t)), 1))); }
  /// SNR(t) = a²/b² = ((1 − t)/t)², +∞ at t = 0 (5u).
  Scalar snr(Time t) const {
    if (t.value() == 0) return std::numeric_limits<Scalar>::infinity();
    const detail::Wide r = one_minus(t) / wide(t);
    return round(r * r);
  }

  /// The time t with λ(t) = λ: t = 1/(1 + e^{λ/2}) = sigmoid(−λ/2) (0 at λ = +∞, 1 at λ = −∞; 64u).
  Time time(LogSnr<Scalar> lambda) const {
    const Scalar l = lambda.value();
    if (!detail::is_finite(l)) return Time(l > 0 ? Scalar(0) : Scalar(1));
    return Time(round(sigmoid(-ldexp(detail::Wide(l), -1))));
  }
  /// The time t with σ(t) = σ: t = σ/(1 + σ) (1 at σ = +∞; the map of Cosmos' RFlow; 2u).
  Time time(NoiseLevel<Scalar> sigma) const {
    const Scalar s = sigma.value();
    if (!detail::is_finite(s)) return Time(Scalar(1));
    const detail::Wide w(s);
    return Time(round(w / (detail::Wide(1) + w)));
  }

  /// The coefficients of q(x_t|x_s) = N(m x_s, v I), 0 ≤ s < t ≤ 1 (process.hpp).
  using TransitionCoefficients = diffuse::TransitionCoefficients<Scalar>;
  /// m = a_t/a_s = (1 − t)/(1 − s) (3u) and v = b_t² − m² b_s² = (t − s)(t(1 − s) + s(1 − t))/(1 − s)²
  /// (the difference of squares t²(1 − s)² − s²(1 − t)² factored; both factors are sums of
  /// non-negative terms: 9u), √v (13u). v(0, t) = t², and at t = 1: m = 0, v = 1 exactly.
  /// @throws std::invalid_argument unless s < t.
  TransitionCoefficients transition_coefficients(Time s, Time t) const {
    check_order("RectifiedFlow::transition_coefficients", s, t);
    const Transition k = transition(s, t);
    return {round(k.mean), round(k.variance), round(sqrt(k.variance))};
  }

  /// The coefficients of the posterior q(x_s|x_t, x_0) = N(c_0 x_0 + c_t x_t, v I), 0 ≤ s < t ≤ 1.
  using PosteriorCoefficients = diffuse::PosteriorCoefficients<Scalar>;
  /// The Bayes product of q(x_s|x_0) and q(x_t|x_s) (continuous.hpp's derivation): c_0 = a_s v_{t|s}/b_t²
  /// = (1 − s) v_{t|s}/t² (13u), c_t = m b_s²/b_t² = m s²/t² (7u), v = v_{t|s} s²/t² (13u), √v (15u);
  /// products and quotients only. s = 0 gives the point mass at x_0 (c_0 = 1, c_t = 0, v = 0).
  /// @throws std::invalid_argument unless s < t.
  PosteriorCoefficients posterior_coefficients(Time s, Time t) const {
    check_order("RectifiedFlow::posterior_coefficients", s, t);
    using detail::Wide;
    const Transition k = transition(s, t);
    const Wide ws = wide(s), wt = wide(t);
    const Wide ratio = (ws * ws) / (wt * wt);  // b_s²/b_t²
    const Wide variance = k.variance * ratio;
    return {round(one_minus(s) * k.variance / (wt * wt)), round(k.mean * ratio), round(variance),
            round(sqrt(variance))};
  }

  /// The same process in another scalar type.
  template <class Other>
  RectifiedFlow<Other> cast() const {
    return RectifiedFlow<Other>();
  }

 private:
  struct Transition {
    detail::Wide mean, variance;
  };

  static Transition transition(Time s, Time t) {
    using detail::Wide;
    const Wide ws = wide(s), wt = wide(t), as = one_minus(s), at = one_minus(t);
    return {at / as, (wt - ws) * (wt * as + ws * at) / (as * as)};
  }

  /// log((1 − t)/t) = λ/2 (±∞ at the ends), shared with the shifts (detail/log_snr_shift.hpp).
  static detail::Wide half_log_snr(const detail::Wide& t) { return detail::flow_half_log_snr(t); }

  static detail::Wide one_minus(Time t) { return detail::Wide(1) - wide(t); }
  static Scalar round(const detail::Wide& x) { return static_cast<Scalar>(x); }
  /// t, with −0 (a valid ContinuousTime) read as +0: b, σ and the shifts are +0 there, not −0.
  static Scalar value(Time t) { return t.value() == 0 ? Scalar(0) : t.value(); }
  static detail::Wide wide(Time t) { return detail::Wide(value(t)); }

  static void check_order(const char* function, Time s, Time t) {
    detail::check_below(function, "s", s.value(), "t", t.value());
  }

  friend struct detail::TimeProcessTraits<RectifiedFlow, Scalar>;
  /// The prior N(0, I) at t = 1, where x_1 = ε exactly: a² = 0 and r = b² = 1, so prior_kl is 0.
  detail::PriorTerms prior_terms() const { return {detail::Wide(), detail::Wide(), detail::Wide()}; }
};

/// A RectifiedFlow is a forward process over times t ∈ [0, 1]: a = 1 − t, b = t, b², σ, λ.
template <class Scalar>
struct ProcessTraits<RectifiedFlow<Scalar>> : detail::TimeProcessTraits<RectifiedFlow<Scalar>, Scalar> {};

// ---- Time shifts ---------------------------------------------------------------------------------
//
// Each maps t ∈ [0, 1] to [0, 1] with 0 → 0 and 1 → 1 exactly (the stretch: last → shift_terminal,
// 1 → 1), increasing; t is a float, double or long double (diffusers' σ of a flow schedule), the
// parameters doubles, all taken exactly; one rounding to t's type at the end.
// The three shifts are log-SNR shifts λ' = pλ − 2μ (shift.hpp's LogSnrShift, docs/shifts.md) and
// call its one Wide core, detail/log_snr_shift.hpp; the stretch is an affine map of t, not one.

namespace detail {

template <class Scalar>
void check_shift_time(const char* function, Scalar t) {
  static_assert(std::is_floating_point<Scalar>::value,
                "diffuse: a time to shift is a float, double or long double in [0, 1]");
  if (is_nan(t) || !(t >= 0 && t <= 1)) fail<std::out_of_range>(function, "t must be in [0, 1]", t);
}

/// A flow time t of a float, double or long double shifted by the Wide core (detail/log_snr_shift.hpp),
/// with the ends kept exactly (+0 at t = −0) and one rounding to Scalar.
template <class Scalar>
Scalar shift_time(Scalar t, const WideShift& shift) {
  if (t == 0 || t == 1) return t == 0 ? Scalar(0) : t;
  return static_cast<Scalar>(shift_flow_time(Wide(t), shift));
}

/// The stretch to shift_terminal τ, ((t − t_last) + τ(1 − t))/(1 − t_last), in Wide (5u), unrounded.
inline Wide stretch_to_terminal(const Wide& t, const Wide& last, const Wide& shift_terminal) {
  const Wide one(1);
  return ((t - last) + shift_terminal * (one - t)) / (one - last);
}

}  // namespace detail

/// SD3's static time shift t' = s t/(1 + (s − 1) t) (Esser et al. 2024, §5.3.2, with s = √(m/n);
/// diffusers FlowMatchEulerDiscreteScheduler `shift`), evaluated as s t/((1 − t) + s t):
/// non-negative terms, 3u. s = 1 is the identity; t' = 0 at t = 0 and 1 at t = 1.
/// @throws std::invalid_argument unless shift is finite and > 0; std::out_of_range unless t ∈ [0, 1].
template <class Scalar>
Scalar static_time_shift(Scalar t, double shift) {
  const char* fn = "static_time_shift";
  detail::check_finite_positive(fn, "shift", shift);
  detail::check_shift_time(fn, t);
  return detail::shift_time(t, detail::WideShift::of_static_scale(detail::Wide(shift)));
}

/// The exponential time shift e^μ/(e^μ + (1/t − 1)^p) (diffusers `time_shift` with
/// time_shift_type "exponential", its `sigma` is p; Flux's `time_shift`), evaluated as
/// sigmoid(μ − p log((1 − t)/t)): within (64 + 20(|μ| + p|log((1 − t)/t)|))u relative. It is the
/// static shift with s = e^μ when p = 1. The ends are exact: 0 at t = 0 (where (1/t − 1)^p = ∞) and
/// 1 at t = 1 (where it is 0).
/// @throws std::invalid_argument unless mu is finite and power finite and > 0; std::out_of_range
/// unless t ∈ [0, 1].
template <class Scalar>
Scalar exponential_time_shift(Scalar t, double mu, double power = 1) {
  const char* fn = "exponential_time_shift";
  detail::check_finite(fn, "mu", mu);
  detail::check_finite_positive(fn, "power", power);
  detail::check_shift_time(fn, t);
  return detail::shift_time(t, detail::WideShift::of_offset(detail::Wide(mu), detail::Wide(power)));
}

/// The linear time shift μ/(μ + (1/t − 1)^p) (diffusers `time_shift` with time_shift_type
/// "linear"): the exponential shift with log μ for μ, so μ must be positive; within
/// (80 + 20(|log μ| + p|log((1 − t)/t)|))u relative. 0 at t = 0, 1 at t = 1.
/// @throws std::invalid_argument unless mu and power are finite and > 0; std::out_of_range unless
/// t ∈ [0, 1].
template <class Scalar>
Scalar linear_time_shift(Scalar t, double mu, double power = 1) {
  const char* fn = "linear_time_shift";
  detail::check_finite_positive(fn, "mu", mu);
  detail::check_finite_positive(fn, "power", power);
  detail::check_shift_time(fn, t);
  return detail::shift_time(t, detail::WideShift::of_scale(detail::Wide(mu), detail::Wide(power)));
}

/// Flux's resolution-dependent μ (diffusers `calculate_shift` of pipeline_flux.py, used with
/// `use_dynamic_shifting`): linear in the image sequence length L (latent tokens), through
/// (base_image_seq_len, base_shift) and (max_image_seq_len, max_shift), extrapolated beyond them,
/// from the doubles exactly (1.15 is the double nearest 1.15, as in Python). Evaluated as the
/// weighted mean μ = (base_shift (L_max − L) + max_shift (L − L_base))/(L_max − L_base): within
/// u(2|μ| + 2W) absolute, W = (|base_shift| |L_max − L| + |max_shift| |L − L_base|)/(L_max − L_base)
/// (each difference and product within 1u, one sum, one quotient); for integer lengths below 2⁵³
/// the differences and products are exact and μ is within 2u relative (so 0 where μ is 0).
/// @throws std::invalid_argument unless the lengths are finite and > 0, max_image_seq_len >
/// base_image_seq_len, and the shifts finite.
inline double resolution_shift_mu(double image_seq_len, double base_image_seq_len = 256,
                                  double max_image_seq_len = 4096, double base_shift = 0.5, double max_shift = 1.15) {
  const char* fn = "resolution_shift_mu";
  detail::check_finite_positive(fn, "image_seq_len", image_seq_len);
  detail::check_finite_positive(fn, "base_image_seq_len", base_image_seq_len);
  if (!(max_image_seq_len > base_image_seq_len && detail::is_finite(max_image_seq_len))) {
    detail::fail<std::invalid_argument>(fn,
                                        "max_image_seq_len must be finite and greater than base_image_seq_len = " +
                                            detail::to_message_value(base_image_seq_len),
                                        max_image_seq_len);
  }
  detail::check_finite(fn, "base_shift", base_shift);
  detail::check_finite(fn, "max_shift", max_shift);
  using detail::Wide;
  const Wide length(image_seq_len), low(base_image_seq_len), high(max_image_seq_len);
  return static_cast<double>((Wide(base_shift) * (high - length) + Wide(max_shift) * (length - low)) / (high - low));
}

/// Flux.2's empirical μ(L, N) for the exponential time shift (Black Forest Labs flux2
/// `src/flux2/sampling.py` `compute_empirical_mu`, copied verbatim into diffusers
/// `pipelines/flux2/pipeline_flux2.py` @58eb52c0 and ComfyUI `comfy_extras/nodes_flux.py`
/// (Flux2Scheduler, L = round(W·H/256); read in a stored copy of unknown commit)): two lines in the image sequence length L fitted at
/// N = 10 and N = 200 steps, m₁₀ = a₁L + b₁ and m₂₀₀ = a₂L + b₂, interpolated linearly in N,
/// μ = m₂₀₀ + (N − 200)(m₂₀₀ − m₁₀)/190; above L = 4300 only m₂₀₀ = a₂L + b₂ (N ignored). The
/// constants are the doubles of the decimals the tools write (a₁ = 8.73809524e-05, b₁ = 1.89833333,
/// a₂ = 0.00016927, b₂ = 0.45666666), taken exactly. Evaluated in Wide as
/// (190 m₂₀₀ + (N − 200)(m₂₀₀ − m₁₀))/190: for an integer L below 2⁵³ every product and sum is
/// exact in Wide (at most 110 significant bits) and only the division rounds (1u), so μ is
/// correctly rounded unless it lies within 2u of a tie; for another L within 3u(|190 m₂₀₀| +
/// |N − 200||m₂₀₀ − m₁₀|)/190 absolute. The tools evaluate the same expression in double with five
/// roundings (a − 200a + aN): they differ from the exact value by a few double ulps of the terms.
/// Feed the result to exponential_time_shift(t, μ) over t = linspace(1, 0, N + 1) (ComfyUI, the
/// reference code) or diffusers' sigmas linspace(1, 1/N, N).
/// @throws std::invalid_argument unless image_seq_len is finite and > 0 and num_steps ≥ 1.
inline double flux2_empirical_mu(double image_seq_len, int num_steps) {
  const char* fn = "flux2_empirical_mu";
  detail::check_finite_positive(fn, "image_seq_len", image_seq_len);
  detail::check_at_least(fn, "num_steps", num_steps, 1);
  using detail::Wide;
  const Wide length(image_seq_len);
  const Wide m200 = Wide(0.00016927) * length + Wide(0.45666666);
  if (image_seq_len > 4300) return static_cast<double>(m200);
  const Wide m10 = Wide(8.73809524e-05) * length + Wide(1.89833333);
  const Wide steps_from_200 = Wide(static_cast<double>(num_steps)) - Wide(200.0);
  return static_cast<double>((Wide(190.0) * m200 + steps_from_200 * (m200 - m10)) / Wide(190.0));
}

/// The stretch that makes a decreasing schedule end at shift_terminal (diffusers
/// `stretch_shift_to_terminal`, from LTX-Video's rf.py): 1 − (1 − t)(1 − τ)/(1 − t_last), t_last the
/// schedule's last (smallest) value, τ = shift_terminal; it maps t_last to τ and 1 to 1. Evaluated as
/// ((t − t_last) + τ(1 − t))/(1 − t_last): non-negative terms, 5u.
/// @throws std::invalid_argument unless shift_terminal ∈ (0, 1); std::out_of_range unless
/// 0 ≤ last < 1 (1 − t_last is divided by) and last ≤ t ≤ 1.
template <class Scalar>
Scalar stretch_shift_to_terminal(Scalar t, Scalar last, double shift_terminal) {
  static_assert(std::is_floating_point<Scalar>::value,
                "diffuse: a time to stretch is a float, double or long double in [0, 1]");
  const char* fn = "stretch_shift_to_terminal";
  if (detail::is_nan(shift_terminal) || !(shift_terminal > 0 && shift_terminal < 1)) {  // is_nan: -ffast-math
    detail::fail<std::invalid_argument>(fn, "shift_terminal must be in (0, 1)", shift_terminal);
  }
  if (detail::is_nan(last) || !(last >= 0 && last < 1))
    detail::fail<std::out_of_range>(fn, "last must be in [0, 1)", last);
  if (detail::is_nan(t) || !(t >= last && t <= 1)) {
    detail::fail<std::out_of_range>(fn, "t must be in [last, 1] = [" + detail::to_message_value(last) + ", 1]", t);
  }
  return static_cast<Scalar>(
      detail::stretch_to_terminal(detail::Wide(t), detail::Wide(last), detail::Wide(shift_terminal)));
}

}  // namespace diffuse
