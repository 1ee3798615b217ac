/// Training-time coordinates and loss weights: the deterministic transforms that turn a uniform u (or a standard normal z) into a training step, time or noise level, and the loss weights of each prediction type.
///
/// A training step draws, per sample, a coordinate of the forward process and weights the loss
/// there. Each rule below is a pure function of its uniform u ∈ [0, 1] (or standard normal z) and
/// its parameters, so it can be fed with reproducible draws and tested without randomness:
///
///   discrete steps        uniform_step, stratified_step, antithetic_step
///   continuous time       low_discrepancy_time, logit_normal_time, mode_time, cosmap_time
///   noise level σ         log_normal_sigma (EDM), log_normal_sigma_of_uniform, log_logistic_sigma, log_uniform_sigma,
///                         v_diffusion_sigma, cosine_interpolated_sigma (k-diffusion)
///   loss weights          min_snr_weight, soft_min_snr_weight, p2_weight, truncated_snr_weight,
///                         edm_weight, sigma_sqrt_weight, cosmap_weight
///
/// Steps are diffuse's: 1..T, t = 0 the data. The Python libraries index a step by i = 0..T−1,
/// which is our t = i + 1 (diffusers' `timesteps`, k-diffusion's and improved-diffusion's indices).
///
/// **Loss weights and prediction types.** With x_t = a x_0 + b ε and SNR = a²/b², a model that
/// predicts ε, x_0, v = a ε − b x_0 (VP: a² + b² = 1) or the flow velocity u = ε − x_0 (rectified
/// flow: a = 1 − t, b = t) makes errors that are multiples of one another:
///   ‖ε̂ − ε‖² = SNR ‖x̂_0 − x_0‖²,  ‖v̂ − v‖² = (1 + SNR) ‖x̂_0 − x_0‖²,  ‖û − u‖² = (1 + √SNR)² ‖x̂_0 − x_0‖².
/// So a loss on x_0 with weight W equals a loss on ε with weight W/SNR, on v with weight
/// W/(1 + SNR) and on u with weight W/(1 + √SNR)²; a loss on ε with weight w equals one on x_0 with
/// weight w·SNR. Every weight function here takes the prediction type and returns the weight of that
/// type's loss, W/f with f = SNR, 1, 1 + SNR, (1 + √SNR)²; W is stated on each function.
/// At SNR = 0 (pure noise, zero terminal SNR) and SNR = ∞ (the data end) each returns the limit of
/// W/f, and throws std::domain_error where that limit is infinite (the weight grows without bound);
/// Python's versions return NaN or ∞ there. A finite SNR so close to 0 or ∞ that the weight exceeds
/// Scalar's range rounds to +∞, as any correctly rounded value would.
///
/// **Precision.** Every value is evaluated in detail::Wide (128-bit significand, integer arithmetic,
/// the same bits on every machine) from the exact inputs, parameters taken as the decimals they
/// spell (−1.2 is −6/5), and rounded once to Scalar. The formulas avoid cancellation in the tails
/// (each is written on its function): the Wide value is within 2⁻¹¹⁸(1 + E) relative, E the size
/// of the logarithms and arguments the formula forms (|m| + |s z| for the logit- and log-normal,
/// |ln σ| and |ln| of the parameters for the σ samplers, γ|ln(k + SNR)| for P2; the normal quantile
/// of log_normal_sigma_of_uniform adds 2⁻¹¹⁰(1 + |z|) scale, measured below 2⁻¹²⁰), so float and double
/// are correctly rounded unless the exact value lies that close to a tie (docs/precision.md). The discrete steps are
/// exact. tests/test_training_time.cpp measures every transform and weight against 40-digit mpmath
/// references (tests/reference/gen_training_time_reference.py), u within 1e-12 of 0 and 1 included.
#pragma once

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "detail/error.hpp"
#include "detail/float_class.hpp"
#include "detail/wide.hpp"
#include "detail/wide_decimal.hpp"
#include "detail/wide_math.hpp"
#include "detail/wide_normal_quantile.hpp"
#include "time_coordinates.hpp"

namespace diffuse {

/// What a model predicts, and so which loss a weight multiplies: ε (the noise), x_0 (the data),
/// v = a ε − b x_0 (Salimans & Ho 2022, VP processes) or the flow velocity u = ε − x_0 (rectified
/// flow; Liu et al. 2022, Esser et al. 2024).
enum class Prediction { epsilon, x0, v, flow_velocity };

namespace detail {
namespace training_time {

template <class Scalar>
void check_scalar() {
  static_assert(std::is_floating_point<Scalar>::value,
                "diffuse: the training-time transforms need float, double or long double");
}

inline void check_steps(const char* fn, int steps) {
  if (steps < 1) fail<std::invalid_argument>(fn, "the number of steps T must be at least 1", steps);
}

inline void check_batch(const char* fn, int batch, int j) {
  if (batch < 1) fail<std::invalid_argument>(fn, "the batch size B must be at least 1", batch);
  if (j < 0 || j >= batch)
    fail<std::out_of_range>(fn, "sample j must be in [0, B) = [0, " + std::to_string(batch) + ")", j);
}

/// u ∈ [0, 1) for the discrete steps (NaN rejected).
template <class Scalar>
void check_half_open(const char* fn, Scalar u) {
  if (is_nan(u) || !(u >= 0 && u < 1)) fail<std::out_of_range>(fn, "u must be in [0, 1)", u);
}

/// u ∈ [0, 1] for the continuous transforms, inverse CDFs whose ends are the ends of their range.
template <class Scalar>
void check_unit(const char* fn, Scalar u) {
  if (is_nan(u) || !(u >= 0 && u <= 1)) fail<std::out_of_range>(fn, "u must be in [0, 1]", u);
}

template <class Scalar>
void check_normal(const char* fn, Scalar z) {
  if (is_nan(z)) fail<std::invalid_argument>(fn, "z must not be NaN", z);
}

inline Wide finite_parameter(const char* fn, const char* name, double x) {
  if (!is_finite(x)) fail<std::invalid_argument>(fn, std::string(name) + " must be finite", x);
  return decimal_value(x);
}

inline Wide non_negative_parameter(const char* fn, const char* name, double x) {
  if (!(x >= 0 && is_finite(x))) fail<std::invalid_argument>(fn, std::string(name) + " must be finite and >= 0", x);
  return decimal_value(x);
}

inline Wide positive_parameter(const char* fn, const char* name, double x) {
  if (!(x > 0 && is_finite(x))) fail<std::invalid_argument>(fn, std::string(name) + " must be finite and > 0", x);
  return decimal_value(x);
}

/// σ_max > σ_min (σ_max may be +∞ where `infinite_allowed`).
inline Wide upper_bound_parameter(const char* fn, double lower, double upper, bool infinite_allowed) {
  if (infinite_allowed) {
    if (is_nan(upper) || !(upper > lower))
      fail<std::invalid_argument>(fn, "max_value must be greater than min_value", upper);
  } else if (!(upper > lower && is_finite(upper))) {
    fail<std::invalid_argument>(fn, "max_value must be finite and greater than min_value", upper);
  }
  return decimal_value(upper);
}

/// ⌊T u⌋ exactly, for 0 ≤ u < 1 of any floating type: u = S·2^(e − 127) with the 128-bit
/// significand S of Wide(u) (exact), so ⌊T u⌋ = (T·S) >> (127 − e) in integers.
template <class Scalar>
long long floor_product(Scalar u, int steps) {
  const Wide w(u);
  if (w.is_zero()) return 0;
  const U256 s{{w.significand_low(), w.significand_high(), 0, 0}};
  U256 product = wide_fixed::multiply(s, static_cast<std::uint64_t>(steps));
  shift_right(product, 127 - w.exponent());  // e < 0: a shift of at least 128; the result is below T
  return static_cast<long long>(product.w[0]);
}

/// log tan θ from θ and φ = π/2 − θ, each given accurately: log(sin θ/cos θ) for θ ≤ π/4,
/// −log(sin φ/cos φ) above (tan never taken beyond 1, so no cancellation near π/2).
inline Wide log_tan(const Wide& theta, const Wide& phi) {
  if (theta <= phi) {
    const SinCos sc = sin_cos(theta);
    return log(sc.sin / sc.cos);
  }
  const SinCos sc = sin_cos(phi);
  return -log(sc.sin / sc.cos);
}

/// A coordinate as SNR and √SNR (each possibly 0 or +∞), and how to name its two ends in a message.
struct SnrPoint {
  Wide snr;
  Wide root;
  double value;         // the coordinate as the caller gave it
  const char* at_zero;  // "snr = 0", "sigma = inf (SNR = 0)", "t = 1 (SNR = 0)"
  const char* at_infinity;
};

/// W ~ coefficient·SNR^power at one end.
struct Asymptote {
  Wide power;
  Wide coefficient;
};

inline const char* prediction_name(Prediction p) {
  switch (p) {
    case Prediction::epsilon: return "epsilon";
    case Prediction::x0: return "x0";
    case Prediction::v: return "v";
    default: return "flow velocity";
  }
}

/// The weight of prediction p's loss, W/f (see the file comment), from the x_0-equivalent weight W:
/// at finite SNR > 0 W(SNR)/f(SNR); at SNR = 0 and ∞ the limit of c·SNR^(a − e) with W ~ c·SNR^a and
/// f ~ SNR^e there (e = 1 for ε at 0; e = 0 for x_0 at ∞ and 1 for the others), std::domain_error
/// when it is infinite.
template <class Scalar, class Weight>
Scalar prediction_weight(const char* fn, const SnrPoint& x, Prediction p, const Weight& weight,
                         const Asymptote& at_zero, const Asymptote& at_infinity) {
  if (x.snr.is_zero() || x.snr.is_infinite()) {
    const bool zero = x.snr.is_zero();
    const Asymptote& a = zero ? at_zero : at_infinity;
    const int e = zero ? (p == Prediction::epsilon ? 1 : 0) : (p == Prediction::x0 ? 0 : 1);
    const Wide d = a.power - Wide(e);  // W/f ~ c·SNR^d
    if (d.is_zero()) return static_cast<Scalar>(a.coefficient);
    if (zero ? d > Wide(0) : d < Wide(0)) return Scalar(0);
    fail<std::domain_error>(fn,
                            std::string("the ") + prediction_name(p) + " weight has no finite limit at " +
                                (zero ? x.at_zero : x.at_infinity),
                            x.value);
  }
  Wide f(1);
  switch (p) {
    case Prediction::epsilon: f = x.snr; break;
    case Prediction::x0: break;
    case Prediction::v: f = Wide(1) + x.snr; break;
    default: {
      const Wide r = Wide(1) + x.root;
      f = r * r;
    }
  }
  return static_cast<Scalar>(weight(x) / f);
}

template <class Scalar>
SnrPoint snr_point(const char* fn, Scalar snr) {
  if (is_nan(snr) || !(snr >= 0)) fail<std::invalid_argument>(fn, "snr must be >= 0", snr);
  const Wide s(snr);
  return {s, sqrt(s), static_cast<double>(snr), "snr = 0", "snr = inf"};
}

}  // namespace training_time
}  // namespace detail

// ---- discrete steps --------------------------------------------------------------------------------

/// The step t = 1 + ⌊u T⌋ ∈ [1, T] of a uniform u ∈ [0, 1): uniform over 1..T (DDPM, Ho et al. 2020,
/// Algorithm 1). Exact: ⌊u T⌋ is taken in integers from u's bits, so it never reaches T (in
/// floating point u·T can round up to T; SD3's reference code then indexes step T + 1). Python's
/// 0-based index i = ⌊u T⌋ is our t − 1.
/// @throws std::invalid_argument if T < 1; std::out_of_range unless 0 ≤ u < 1 (NaN included).
template <class Scalar>
int uniform_step(Scalar u, int steps) {
  detail::training_time::check_scalar<Scalar>();
  const char* fn = "uniform_step";
  detail::training_time::check_steps(fn, steps);
  detail::training_time::check_half_open(fn, u);
  return static_cast<int>(1 + detail::training_time::floor_product(u, steps));
}

/// The step of sample j of a batch of B under stratified sampling, one draw per stratum:
/// t = 1 + ⌊T (j + u)/B⌋, so sample j lands in the j-th of B equal parts of [0, T) (k-diffusion
/// `stratified_uniform`; Kingma et al. 2021, VDM, §3.5, in discrete form). Exact in integers:
/// ⌊T(j + u)/B⌋ = q + ⌊(r + ⌊T u⌋)/B⌋ with T j = q B + r. With B = T each sample gets its own step.
/// @throws std::invalid_argument if T < 1 or B < 1; std::out_of_range unless 0 ≤ j < B and 0 ≤ u < 1.
template <class Scalar>
int stratified_step(Scalar u, int j, int batch, int steps) {
  detail::training_time::check_scalar<Scalar>();
  const char* fn = "stratified_step";
  detail::training_time::check_steps(fn, steps);
  detail::training_time::check_batch(fn, batch, j);
  detail::training_time::check_half_open(fn, u);
  const long long tj = static_cast<long long>(steps) * j;
  const long long q = tj / batch, r = tj % batch;
  return static_cast<int>(1 + q + (r + detail::training_time::floor_product(u, steps)) / batch);
}

/// The antithetic partner T + 1 − t of step t (pairs t, T + 1 − t sum to T + 1; Python's 0-based
/// i ↦ T − 1 − i is the same pairing).
/// @throws std::invalid_argument if T < 1; std::out_of_range unless 1 ≤ t ≤ T.
inline int antithetic_step(int t, int steps) {
  detail::training_time::check_steps("antithetic_step", steps);
  detail::check_step("antithetic_step", "t", t, 1, steps);
  return steps + 1 - t;
}

// ---- continuous time -------------------------------------------------------------------------------

/// VDM's low-discrepancy time of sample j of B from one shared uniform u: t_j = (u + j/B) mod 1
/// (Kingma et al. 2021, VDM, §3.5 and appendix), evaluated as ((B u + j) mod B)/B: one rounding in
/// Wide. The exact value lies in [0, 1); rounded to Scalar it may be 1.
/// @throws std::invalid_argument if B < 1; std::out_of_range unless 0 ≤ j < B and 0 ≤ u ≤ 1.
template <class Scalar>
ContinuousTime<Scalar> low_discrepancy_time(Scalar u, int j, int batch) {
  detail::training_time::check_scalar<Scalar>();
  const char* fn = "low_discrepancy_time";
  detail::training_time::check_batch(fn, batch, j);
  detail::training_time::check_unit(fn, u);
  using detail::Wide;
  Wide x = Wide(u) * Wide(batch) + Wide(j);
  if (x >= Wide(batch)) x -= Wide(batch);
  return ContinuousTime<Scalar>(static_cast<Scalar>(x / Wide(batch)));
}

/// The logit-normal time t = sigmoid(m + s z) of a standard normal z (Esser et al. 2024, SD3, §3.1,
/// "lognorm(m, s)"; diffusers `compute_density_for_timestep_sampling`, "logit_normal", defaults
/// m = 0, s = 1). sigmoid without overflow: 1/(1 + e^{−x}) for x ≥ 0, eˣ/(1 + eˣ) below. float32
/// code saturates to t = 1 for m + s z > 16.6; here t rounds to 1 only where the exact value does.
/// z = ±∞ gives t = 1 or 0 (t = sigmoid(m) when s = 0).
/// @throws std::invalid_argument if z is NaN, m is not finite, or s is negative or not finite.
template <class Scalar>
ContinuousTime<Scalar> logit_normal_time(Scalar z, double mean = 0, double std = 1) {
  detail::training_time::check_scalar<Scalar>();
  const char* fn = "logit_normal_time";
  const detail::Wide m = detail::training_time::finite_parameter(fn, "mean", mean);
  const detail::Wide s = detail::training_time::non_negative_parameter(fn, "std", std);
  detail::training_time::check_normal(fn, z);
  const detail::Wide x = s.is_zero() ? m : m + s * detail::Wide(z);
  return ContinuousTime<Scalar>(static_cast<Scalar>(sigmoid(x)));
}

/// SD3's "mode" time t = 1 − u − s(cos²(πu/2) − 1 + u) (Esser et al. 2024, SD3, §3.1, eq. 20;
/// diffusers `compute_density_for_timestep_sampling`, "mode", whose training scripts default to
/// s = 1.29). Since cos²(πu/2) − 1 = −sin²(πu/2): t = 1 − u − s(u − sin²(πu/2)) for u ≤ ½ and, with
/// v = 1 − u (exact), t = v(1 + s) − s sin²(πv/2) above, which keeps its relative precision as
/// u → 1 (the textbook form subtracts numbers near 1 and loses it all in float). t(0) = 1,
/// t(1) = 0; the paper's range −1 ≤ s ≤ 2/(π − 2) keeps t monotone in u and inside [0, 1].
/// @throws std::invalid_argument unless −1 ≤ s ≤ 2/(π − 2) (NaN included); std::out_of_range unless 0 ≤ u ≤ 1.
template <class Scalar>
ContinuousTime<Scalar> mode_time(Scalar u, double scale = 1.29) {
  detail::training_time::check_scalar<Scalar>();
  const char* fn = "mode_time";
  using detail::Wide;
  const Wide s = detail::decimal_value(scale);
  if (detail::is_nan(scale) || !(s >= Wide(-1) && s <= Wide(2) / (detail::wide_constants::pi - Wide(2)))) {
    detail::fail<std::invalid_argument>(fn, "scale must be in [-1, 2/(pi - 2)]", scale);
  }
  detail::training_time::check_unit(fn, u);
  const Wide w(u);
  Wide t;
  if (w <= ldexp(Wide(1), -1)) {
    const Wide sine = sin(detail::wide_constants::half_pi * w);
    t = Wide(1) - w - s * (w - sine * sine);
  } else {
    const Wide v = Wide(1) - w;
    const Wide sine = sin(detail::wide_constants::half_pi * v);
    t = v * (Wide(1) + s) - s * (sine * sine);
  }
  return ContinuousTime<Scalar>(static_cast<Scalar>(t));
}

/// SD3's "cosmap" time t = 1 − 1/(tan(πu/2) + 1) (Esser et al. 2024, SD3, §3.1, eq. 21), evaluated
/// as sin θ/(sin θ + cos θ), θ = πu/2: no cancellation at either end (the textbook form subtracts
/// from 1 near u = 0, and tan overflows near u = 1). t(0) = 0, t(1) = 1.
/// @throws std::out_of_range unless 0 ≤ u ≤ 1 (NaN included).
template <class Scalar>
ContinuousTime<Scalar> cosmap_time(Scalar u) {
  detail::training_time::check_scalar<Scalar>();
  detail::training_time::check_unit("cosmap_time", u);
  if (u == 1) return ContinuousTime<Scalar>(1);
  const detail::SinCos sc = detail::sin_cos(detail::wide_constants::half_pi * detail::Wide(u));
  return ContinuousTime<Scalar>(static_cast<Scalar>(sc.sin / (sc.sin + sc.cos)));
}

// ---- noise levels ----------------------------------------------------------------------------------

/// The log-normal noise level σ = exp(P_mean + P_std z) of a standard normal z (Karras et al. 2022,
/// EDM, Table 1 and training/loss.py: ln σ ~ N(−1.2, 1.2²); k-diffusion `rand_log_normal`, which
/// calls them loc and scale). z = ±∞ gives σ = ∞ or 0. k-diffusion's current `rand_log_normal`
/// takes z = Φ⁻¹(10⁻⁷ + u(1 − 2·10⁻⁷)) from a uniform u, so |z| ≤ 5.2; pass that z to match it.
/// @throws std::invalid_argument if z is NaN, the mean is not finite, or the std is negative or not finite.
template <class Scalar>
NoiseLevel<Scalar> log_normal_sigma(Scalar z, double mean = -1.2, double std = 1.2) {
  detail::training_time::check_scalar<Scalar>();
  const char* fn = "log_normal_sigma";
  const detail::Wide m = detail::training_time::finite_parameter(fn, "mean", mean);
  const detail::Wide s = detail::training_time::non_negative_parameter(fn, "std", std);
  detail::training_time::check_normal(fn, z);
  return NoiseLevel<Scalar>(static_cast<Scalar>(exp(s.is_zero() ? m : m + s * detail::Wide(z))));
}

/// k-diffusion's log-normal noise level from a uniform u (`rand_log_normal`): σ = exp(loc + scale·Φ⁻¹(p))
/// with p = ε + u(1 − 2ε), ε = `tail` = 10⁻⁷ as k-diffusion squeezes u (so |Φ⁻¹(p)| ≤ 5.2; ε = 0
/// gives the plain log-normal, σ = 0 at u = 0 and ∞ at u = 1). Φ⁻¹ is evaluated in Wide
/// (detail/wide_normal_quantile.hpp: Newton's method on log Φ, tens of microseconds a call) on the
/// smaller of p and 1 − p = ε + (1 − u)(1 − 2ε), so the upper tail keeps its precision.
/// @throws std::invalid_argument unless loc is finite, scale finite and ≥ 0, 0 ≤ ε < ½;
/// std::out_of_range unless 0 ≤ u ≤ 1.
template <class Scalar>
NoiseLevel<Scalar> log_normal_sigma_of_uniform(Scalar u, double loc = 0, double scale = 1, double tail = 1e-7) {
  detail::training_time::check_scalar<Scalar>();
  const char* fn = "log_normal_sigma_of_uniform";
  using detail::Wide;
  const Wide l = detail::training_time::finite_parameter(fn, "loc", loc);
  const Wide s = detail::training_time::non_negative_parameter(fn, "scale", scale);
  const Wide e = detail::decimal_value(tail);
  if (detail::is_nan(tail) || !(tail >= 0 && e < ldexp(Wide(1), -1)))
    detail::fail<std::invalid_argument>(fn, "tail must be in [0, 0.5)", tail);
  detail::training_time::check_unit(fn, u);
  if (s.is_zero()) return NoiseLevel<Scalar>(static_cast<Scalar>(exp(l)));
  const Wide w(u), width = Wide(1) - ldexp(e, 1);
  const Wide p = e + w * width, q = e + (Wide(1) - w) * width;
  const Wide z = p <= q ? detail::normal_quantile_lower(p) : -detail::normal_quantile_lower(q);
  return NoiseLevel<Scalar>(static_cast<Scalar>(exp(l + s * z)));
}

/// k-diffusion's truncated log-logistic noise level (`rand_log_logistic`): ln σ is logistic with
/// location `loc` and scale `scale`, truncated to [σ_min, σ_max] through its CDF
/// F(σ) = sigmoid((ln σ − loc)/scale): p = F_min + u(F_max − F_min), σ = exp(loc + scale·logit p).
/// Evaluated as p = (1 − u)F_min + u F_max and 1 − p = (1 − u)(1 − F_min) + u(1 − F_max), sums of
/// positive terms with 1 − F = sigmoid(−·), so logit p = ln p − ln(1 − p) keeps its precision as
/// p → 1 (k-diffusion forms 1 − p by subtraction in float64). u = 0 gives σ_min, u = 1 gives σ_max
/// (0 and ∞ for the defaults σ_min = 0, σ_max = ∞).
/// @throws std::invalid_argument unless loc is finite, scale finite and > 0, σ_min finite and ≥ 0,
/// σ_max > σ_min (∞ allowed); std::out_of_range unless 0 ≤ u ≤ 1.
template <class Scalar>
NoiseLevel<Scalar> log_logistic_sigma(Scalar u, double loc = 0, double scale = 1, double min_value = 0,
                                      double max_value = std::numeric_limits<double>::infinity()) {
  detail::training_time::check_scalar<Scalar>();
  const char* fn = "log_logistic_sigma";
  using detail::Wide;
  const Wide l = detail::training_time::finite_parameter(fn, "loc", loc);
  const Wide s = detail::training_time::positive_parameter(fn, "scale", scale);
  const Wide lo = detail::training_time::non_negative_parameter(fn, "min_value", min_value);
  const Wide hi = detail::training_time::upper_bound_parameter(fn, min_value, max_value, true);
  detail::training_time::check_unit(fn, u);
  // F and 1 − F at the bounds (F(0) = 0, F(∞) = 1).
  const Wide x_lo = lo.is_zero() ? Wide::infinity(true) : (log(lo) - l) / s;
  const Wide x_hi = hi.is_infinite() ? Wide::infinity() : (log(hi) - l) / s;
  const Wide w(u), v = Wide(1) - Wide(u);
  const Wide p = v * sigmoid(x_lo) + w * sigmoid(x_hi);
  const Wide q = v * sigmoid(-x_lo) + w * sigmoid(-x_hi);
  if (p.is_zero()) return NoiseLevel<Scalar>(0);
  if (q.is_zero()) return NoiseLevel<Scalar>(std::numeric_limits<Scalar>::infinity());
  return NoiseLevel<Scalar>(static_cast<Scalar>(exp(l + s * (log(p) - log(q)))));
}

/// k-diffusion's log-uniform noise level (`rand_log_uniform`): ln σ uniform on [ln σ_min, ln σ_max],
/// σ = exp((1 − u) ln σ_min + u ln σ_max) = σ_min^(1−u) σ_max^u. u = 0 gives σ_min, u = 1 σ_max.
/// @throws std::invalid_argument unless 0 < σ_min < σ_max, both finite; std::out_of_range unless 0 ≤ u ≤ 1.
template <class Scalar>
NoiseLevel<Scalar> log_uniform_sigma(Scalar u, double min_value, double max_value) {
  detail::training_time::check_scalar<Scalar>();
  const char* fn = "log_uniform_sigma";
  using detail::Wide;
  const Wide lo = detail::training_time::positive_parameter(fn, "min_value", min_value);
  const Wide hi = detail::training_time::upper_bound_parameter(fn, min_value, max_value, false);
  detail::training_time::check_unit(fn, u);
  const Wide w(u);
  return NoiseLevel<Scalar>(static_cast<Scalar>(exp((Wide(1) - w) * log(lo) + w * log(hi))));
}

/// k-diffusion's truncated v-diffusion noise level (`rand_v_diffusion`): the angle θ = atan(σ/σ_d) is
/// uniform between θ_min = atan(σ_min/σ_d) and θ_max = atan(σ_max/σ_d), σ = σ_d tan θ (the cosine
/// schedule of v-diffusion, Salimans & Ho 2022, in σ). Evaluated with θ = (1 − u)θ_min + u θ_max
/// and its complement φ = π/2 − θ = (1 − u) atan(σ_d/σ_min) + u atan(σ_d/σ_max), σ = σ_d tan θ for
/// θ ≤ π/4 and σ_d/tan φ above: tan is never taken near π/2 (in float32 k-diffusion's tan(u·π/2)
/// is negative at the rounded π/2). u = 0 gives σ_min, u = 1 σ_max (defaults 0 and ∞).
/// @throws std::invalid_argument unless σ_d is finite and > 0, σ_min finite and ≥ 0, σ_max > σ_min
/// (∞ allowed); std::out_of_range unless 0 ≤ u ≤ 1.
template <class Scalar>
NoiseLevel<Scalar> v_diffusion_sigma(Scalar u, double sigma_data = 1, double min_value = 0,
                                     double max_value = std::numeric_limits<double>::infinity()) {
  detail::training_time::check_scalar<Scalar>();
  const char* fn = "v_diffusion_sigma";
  using detail::Wide;
  const Wide d = detail::training_time::positive_parameter(fn, "sigma_data", sigma_data);
  const Wide lo = detail::training_time::non_negative_parameter(fn, "min_value", min_value);
  const Wide hi = detail::training_time::upper_bound_parameter(fn, min_value, max_value, true);
  detail::training_time::check_unit(fn, u);
  const Wide w(u), v = Wide(1) - Wide(u);
  const Wide theta = v * atan(lo / d) + w * atan(hi / d);  // atan(∞) = π/2
  const Wide phi = v * atan(d / lo) + w * atan(d / hi);    // d/0 = ∞, d/∞ = 0
  if (theta <= phi) {
    const detail::SinCos sc = detail::sin_cos(theta);
    return NoiseLevel<Scalar>(static_cast<Scalar>(d * sc.sin / sc.cos));
  }
  if (phi.is_zero()) return NoiseLevel<Scalar>(std::numeric_limits<Scalar>::infinity());
  const detail::SinCos sc = detail::sin_cos(phi);
  return NoiseLevel<Scalar>(static_cast<Scalar>(d * sc.cos / sc.sin));
}

/// k-diffusion's interpolated-cosine noise level (`rand_cosine_interpolated`, Simple Diffusion's
/// interpolated cosine, Hoogeboom et al. 2023, §3.1). With r_k = noise_d_k/image_d (k = low, high)
/// and the angles θ_k(u) = (1 − u) atan(r_k σ_max/σ_d) + u atan(r_k σ_min/σ_d), the log-SNR is
/// λ_k = −2 ln tan θ_k + 2 ln r_k and λ = (1 − u) λ_low + u λ_high; σ = σ_d e^{−λ/2}. So u = 0 gives
/// σ_max and u = 1 gives σ_min (k-diffusion's u runs from noise to data). k-diffusion's names are
/// swapped: its `logsnr_min` = −2 ln(σ_min/σ_d) is the largest log-SNR. ln tan θ is taken as
/// −ln tan φ with φ = π/2 − θ (formed like θ from atan(σ_d/(r_k σ))) above π/4.
/// @throws std::invalid_argument unless image_d, noise_d_low, noise_d_high and σ_d are finite and > 0
/// and 0 < σ_min < σ_max, both finite; std::out_of_range unless 0 ≤ u ≤ 1.
template <class Scalar>
NoiseLevel<Scalar> cosine_interpolated_sigma(Scalar u, double image_d, double noise_d_low, double noise_d_high,
                                             double sigma_data = 1, double min_value = 1e-3, double max_value = 1e3) {
  detail::training_time::check_scalar<Scalar>();
  const char* fn = "cosine_interpolated_sigma";
  using detail::Wide;
  const Wide image = detail::training_time::positive_parameter(fn, "image_d", image_d);
  const Wide low = detail::training_time::positive_parameter(fn, "noise_d_low", noise_d_low);
  const Wide high = detail::training_time::positive_parameter(fn, "noise_d_high", noise_d_high);
  const Wide d = detail::training_time::positive_parameter(fn, "sigma_data", sigma_data);
  const Wide lo = detail::training_time::positive_parameter(fn, "min_value", min_value);
  const Wide hi = detail::training_time::upper_bound_parameter(fn, min_value, max_value, false);
  detail::training_time::check_unit(fn, u);
  const Wide w(u), v = Wide(1) - Wide(u);
  // ln(σ_k/σ_d) = ln tan θ_k − ln r_k.
  auto log_sigma = [&](const Wide& noise_d) {
    const Wide r = noise_d / image;
    const Wide big = r * hi / d, small = r * lo / d;
    const Wide theta = v * atan(big) + w * atan(small);
    const Wide phi = v * atan(Wide(1) / big) + w * atan(Wide(1) / small);
    return detail::training_time::log_tan(theta, phi) - log(r);
  };
  return NoiseLevel<Scalar>(static_cast<Scalar>(d * exp(v * log_sigma(low) + w * log_sigma(high))));
}

// ---- loss weights ----------------------------------------------------------------------------------

/// Min-SNR-γ (Hang et al. 2023, eq. 9 and §3.4): W = min(SNR, γ) on x_0, so ε: min(SNR, γ)/SNR,
/// x_0: min(SNR, γ), v: min(SNR, γ)/(SNR + 1), u: min(SNR, γ)/(1 + √SNR)² (see the file comment).
/// Limits: SNR = 0: ε 1, the others 0; SNR = ∞: x_0 γ, the others 0. (diffusers' ε weight is 0/0 =
/// NaN at zero terminal SNR.)
/// @throws std::invalid_argument unless SNR ≥ 0 (NaN included) and γ is finite and > 0.
template <class Scalar>
Scalar min_snr_weight(Scalar snr, Prediction prediction, double gamma = 5) {
  detail::training_time::check_scalar<Scalar>();
  const char* fn = "min_snr_weight";
  using detail::Wide;
  const Wide g = detail::training_time::positive_parameter(fn, "gamma", gamma);
  const auto x = detail::training_time::snr_point(fn, snr);
  return detail::training_time::prediction_weight<Scalar>(
      fn, x, prediction, [&](const detail::training_time::SnrPoint& p) { return min(p.snr, g); }, {Wide(1), Wide(1)},
      {Wide(0), g});
}

/// Soft-min-SNR-γ (Crowson et al. 2024, HDiT): W = 1/(1/SNR + 1/γ) = SNR γ/(SNR + γ) on x_0, so
/// ε: γ/(SNR + γ). k-diffusion's `Denoiser` weighting "soft-min-snr", (σ σ_d)²/(σ² + σ_d²)² on its
/// preconditioned target F = (x_0 − c_skip x_σ)/c_out, is W = 1/(σ² + σ_d²) on x_0: this with
/// SNR = 1/σ² and γ = 1/σ_d².
/// Limits as min_snr_weight: SNR = 0: ε 1, the others 0; SNR = ∞: x_0 γ, the others 0.
/// @throws std::invalid_argument unless SNR ≥ 0 (NaN included) and γ is finite and > 0.
template <class Scalar>
Scalar soft_min_snr_weight(Scalar snr, Prediction prediction, double gamma = 5) {
  detail::training_time::check_scalar<Scalar>();
  const char* fn = "soft_min_snr_weight";
  using detail::Wide;
  const Wide g = detail::training_time::positive_parameter(fn, "gamma", gamma);
  const auto x = detail::training_time::snr_point(fn, snr);
  return detail::training_time::prediction_weight<Scalar>(
      fn, x, prediction, [&](const detail::training_time::SnrPoint& p) { return p.snr * g / (p.snr + g); },
      {Wide(1), Wide(1)}, {Wide(0), g});
}

/// P2 weighting (Choi et al. 2022, eq. 8): 1/(k + SNR)^γ on the ε loss, so W = SNR/(k + SNR)^γ on
/// x_0. Limits: SNR = 0: ε k^−γ (no finite limit when k = 0), x_0, v, u 0 (when k = 0: x_0, v, u
/// SNR^(1−γ): 0 for γ < 1, 1 for γ = 1, none for γ > 1); SNR = ∞: ε, v, u 0, x_0 SNR^(1−γ): none
/// for γ < 1, 1 for γ = 1, 0 for γ > 1.
/// @throws std::invalid_argument unless SNR ≥ 0, k finite and ≥ 0, γ finite and > 0;
/// std::domain_error where the limit is infinite.
template <class Scalar>
Scalar p2_weight(Scalar snr, Prediction prediction, double k = 1, double gamma = 1) {
  detail::training_time::check_scalar<Scalar>();
  const char* fn = "p2_weight";
  using detail::Wide;
  const Wide kk = detail::training_time::non_negative_parameter(fn, "k", k);
  const Wide g = detail::training_time::positive_parameter(fn, "gamma", gamma);
  const auto x = detail::training_time::snr_point(fn, snr);
  const detail::training_time::Asymptote at_zero = kk.is_zero()
                                                       ? detail::training_time::Asymptote{Wide(1) - g, Wide(1)}
                                                       : detail::training_time::Asymptote{Wide(1), exp(-g * log(kk))};
  return detail::training_time::prediction_weight<Scalar>(
      fn, x, prediction, [&](const detail::training_time::SnrPoint& p) { return p.snr * exp(-g * log(kk + p.snr)); },
      at_zero, {Wide(1) - g, Wide(1)});
}

/// The truncated-SNR weight (Salimans & Ho 2022, progressive distillation, §4: "truncated SNR",
/// max(‖x̂_0 − x_0‖² SNR, ‖x̂_0 − x_0‖²)): W = max(SNR, 1) on x_0, so ε: max(1, 1/SNR).
/// Limits: SNR = 0: x_0, v, u 1, ε none; SNR = ∞: ε, v, u 1, x_0 none.
/// @throws std::invalid_argument unless SNR ≥ 0 (NaN included); std::domain_error where the limit is infinite.
template <class Scalar>
Scalar truncated_snr_weight(Scalar snr, Prediction prediction) {
  detail::training_time::check_scalar<Scalar>();
  const char* fn = "truncated_snr_weight";
  using detail::Wide;
  const auto x = detail::training_time::snr_point(fn, snr);
  return detail::training_time::prediction_weight<Scalar>(
      fn, x, prediction, [](const detail::training_time::SnrPoint& p) { return max(p.snr, Wide(1)); },
      {Wide(0), Wide(1)}, {Wide(1), Wide(1)});
}

/// EDM's weight λ(σ) = (σ² + σ_d²)/(σ σ_d)² on the denoiser's x_0 loss (Karras et al. 2022, EDM,
/// Table 1 and training/loss.py, σ_d = 0.5), as a function of the noise level σ = b/a; with
/// SNR = 1/σ², W = SNR + σ_d⁻², so ε: 1 + σ²/σ_d², v: (SNR + σ_d⁻²)/(SNR + 1) (1 when σ_d = 1).
/// Limits: σ = ∞ (SNR = 0): x_0, v, u σ_d⁻², ε none; σ = 0 (SNR = ∞): ε, v, u 1, x_0 none.
/// @throws std::invalid_argument unless σ_d is finite and > 0; std::domain_error where the limit is infinite.
template <class Scalar>
Scalar edm_weight(NoiseLevel<Scalar> sigma, Prediction prediction, double sigma_data = 0.5) {
  detail::training_time::check_scalar<Scalar>();
  const char* fn = "edm_weight";
  using detail::Wide;
  const Wide d = detail::training_time::positive_parameter(fn, "sigma_data", sigma_data);
  const Wide c = Wide(1) / (d * d);
  const Wide root = Wide(1) / Wide(sigma.value());
  const detail::training_time::SnrPoint x{root * root, root, static_cast<double>(sigma.value()),
                                          "sigma = inf (SNR = 0)", "sigma = 0 (SNR = inf)"};
  return detail::training_time::prediction_weight<Scalar>(
      fn, x, prediction, [&](const detail::training_time::SnrPoint& p) { return p.snr + c; }, {Wide(0), c},
      {Wide(1), Wide(1)});
}

/// SD3's "sigma_sqrt" weight σ⁻² on the flow-velocity loss, σ the flow time t of
/// x_t = (1 − t) x_0 + t ε (Esser et al. 2024, SD3; diffusers `compute_loss_weighting_for_sd3`):
/// u: 1/t²; with √SNR = (1 − t)/t, W = (1 + √SNR)⁴ = t⁻⁴ on x_0. Limits: t = 1 (SNR = 0): x_0, v, u 1,
/// ε none; t = 0 (SNR = ∞): none for any prediction.
/// @throws std::domain_error where the limit is infinite.
template <class Scalar>
Scalar sigma_sqrt_weight(ContinuousTime<Scalar> t, Prediction prediction) {
  detail::training_time::check_scalar<Scalar>();
  using detail::Wide;
  const Wide tt(t.value());
  const Wide root = (Wide(1) - tt) / tt;
  const detail::training_time::SnrPoint x{root * root, root, static_cast<double>(t.value()), "t = 1 (SNR = 0)",
                                          "t = 0 (SNR = inf)"};
  return detail::training_time::prediction_weight<Scalar>("sigma_sqrt_weight", x, prediction,
                                                          [](const detail::training_time::SnrPoint& p) {
                                                            const Wide r = Wide(1) + p.root;
                                                            return (r * r) * (r * r);
                                                          },
                                                          {Wide(0), Wide(1)}, {Wide(2), Wide(1)});
}

/// SD3's "cosmap" weight 2/(π(1 − 2t + 2t²)) on the flow-velocity loss, t the flow time (Esser et
/// al. 2024, SD3; diffusers `compute_loss_weighting_for_sd3`), evaluated with 1 − 2t + 2t² =
/// t² + (1 − t)²; W = 2(1 + √SNR)⁴/(π(1 + SNR)) on x_0, so v: 2(1 + √SNR)⁴/(π(1 + SNR)²).
/// Limits: t = 1 (SNR = 0): x_0, v, u 2/π, ε none; t = 0 (SNR = ∞): ε, v, u 2/π, x_0 none.
/// @throws std::domain_error where the limit is infinite.
template <class Scalar>
Scalar cosmap_weight(ContinuousTime<Scalar> t, Prediction prediction) {
  detail::training_time::check_scalar<Scalar>();
  using detail::Wide;
  const Wide tt(t.value());
  const Wide root = (Wide(1) - tt) / tt;
  const Wide two_over_pi = detail::wide_constants::two_over_pi;
  const detail::training_time::SnrPoint x{root * root, root, static_cast<double>(t.value()), "t = 1 (SNR = 0)",
                                          "t = 0 (SNR = inf)"};
  return detail::training_time::prediction_weight<Scalar>("cosmap_weight", x, prediction,
                                                          [&](const detail::training_time::SnrPoint& p) {
                                                            const Wide r = Wide(1) + p.root;
                                                            return two_over_pi * ((r * r) * (r * r)) /
                                                                   (Wide(1) + p.snr);
                                                          },
                                                          {Wide(0), two_over_pi}, {Wide(1), two_over_pi});
}

}  // namespace diffuse
