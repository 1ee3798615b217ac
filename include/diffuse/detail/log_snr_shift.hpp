/// The one implementation of the log-SNR shift λ' = pλ − 2μ in detail::Wide, for every coordinate (shift.hpp states the formulas, sources and bounds).
#pragma once

#include "wide.hpp"
#include "wide_math.hpp"

namespace diffuse {
namespace detail {

/// log(a/b) for a, b ≥ 0 not both 0 (+∞ at b = 0, −∞ at a = 0), by log1p of a non-negative
/// argument: log1p((a − b)/b) for a ≥ b, −log1p((b − a)/a) below (a − b is exact in Wide for
/// b ≤ a ≤ 2b, and loses nothing above): 19u relative (u = 2⁻¹²⁸), whatever a/b.
inline Wide log_ratio(const Wide& a, const Wide& b) {
  if (b.is_zero()) return Wide::infinity();
  if (a.is_zero()) return Wide::infinity(true);
  if (a >= b) return log1p((a - b) / b);
  return -log1p((b - a) / a);
}

/// λ/2 = log((1 − t)/t) of a flow time t ∈ [0, 1] (+∞ at 0, −∞ at 1): log1p((1 − 2t)/t) for t ≤ ½,
/// −log1p((2t − 1)/(1 − t)) above (log1p of a non-negative argument; 1 − 2t and 2t − 1 exact in Wide
/// for float and double t ≥ 2⁻⁷⁵): 19u relative. RectifiedFlow's λ and the Flux shift share it.
inline Wide flow_half_log_snr(const Wide& t) {
  const Wide one(1);
  if (t.is_zero()) return Wide::infinity();
  if (t == one) return Wide::infinity(true);
  if (t <= ldexp(one, -1)) return log1p((one - ldexp(t, 1)) / t);
  return -log1p((ldexp(t, 1) - one) / (one - t));
}

/// The shift λ' = pλ − 2μ in Wide: μ, p, and the factors e^μ (the flow and VE scale) and e^{2μ}
/// (the SNR divisor), each held exactly where a tool gives it (SD3's s is e^μ, CogVideoX's s is
/// e^{2μ}, Flux's μ is μ) and computed from it otherwise; and which form a flow time takes, the
/// tool's own: SD3's rational s t/((1 − t) + s t) or Flux's sigmoid (so that each tool's function
/// keeps its bits).
struct WideShift {
  Wide offset;                 ///< μ
  Wide power;                  ///< p
  Wide scale;                  ///< e^μ
  Wide scale_squared;          ///< e^{2μ}
  bool rational_time = false;  ///< p = 1 and a flow time by the rational form

  /// From e^μ = s: μ = log s (16u), e^{2μ} = s² (exact for a double s); a flow time by the sigmoid
  /// (diffusers' linear time shift).
  static WideShift of_scale(const Wide& s, const Wide& p) { return {log(s), p, s, s * s, false}; }
  /// SD3's shift s = e^μ, p = 1, a flow time by the rational form.
  static WideShift of_static_scale(const Wide& s) { return {log(s), Wide(1), s, s * s, true}; }
  /// From e^{2μ} = c, p = 1 (CogVideoX): μ = ½ log c (16u), e^μ = √c (8u); a flow time by the
  /// rational form.
  static WideShift of_snr_divisor(const Wide& c) { return {ldexp(log(c), -1), Wide(1), sqrt(c), c, true}; }
  /// From μ: e^μ and e^{2μ} by exp (12u each); a flow time by the sigmoid (Flux).
  static WideShift of_offset(const Wide& mu, const Wide& p) { return {mu, p, exp(mu), exp(ldexp(mu, 1)), false}; }

  bool unit_power() const { return power == Wide(1); }
  /// Whether the rational forms apply: p = 1 and e^{2μ} finite and non-zero (exp saturates for
  /// |2μ| ≥ 2³⁰, where the sigmoid forms give the limits 0 and 1).
  bool rational() const { return unit_power() && scale_squared.is_finite() && !scale_squared.is_zero(); }

  /// This shift, then `next`: p = p₂p₁, μ = p₂μ₁ + μ₂ (λ'' = p₂(p₁λ − 2μ₁) − 2μ₂); for p₂ = 1 the
  /// factors multiply (one rounding each).
  WideShift then(const WideShift& next) const {
    if (next.unit_power()) {
      return {offset + next.offset, power, scale * next.scale, scale_squared * next.scale_squared,
              rational_time && next.rational_time};
    }
    return of_offset(next.power * offset + next.offset, next.power * power);
  }
  /// The inverse: λ = (λ' + 2μ)/p, so p' = 1/p, μ' = −μ/p; for p = 1 the factors are reciprocals.
  WideShift inverse() const {
    const Wide one(1);
    if (unit_power()) return {-offset, power, one / scale, one / scale_squared, rational_time};
    return of_offset(-offset / power, one / power);
  }
};

/// λ' = pλ − 2μ (±∞ stay ±∞).
inline Wide shift_log_snr(const Wide& lambda, const WideShift& s) {
  if (!lambda.is_finite()) return lambda;
  return s.power * lambda - ldexp(s.offset, 1);
}

/// The flow time t' = e^μ/(e^μ + ((1 − t)/t)^p) for t ∈ [0, 1] (exact ends): in SD3's form the
/// rational s t/((1 − t) + s t), s = e^μ (non-negative terms: 3u plus the error of s), else
/// sigmoid(μ − p log((1 − t)/t)) with the logarithm by flow_half_log_snr (19u), so the argument z is within
/// u(|z| + 20p|log((1 − t)/t)| + |μ|) absolute and the result, whose relative sensitivity to z is
/// 1 − t' ≤ 1, within (64 + 20(|μ| + p|log((1 − t)/t)|))u relative.
inline Wide shift_flow_time(const Wide& t, const WideShift& s) {
  const Wide one(1);
  if (t.is_zero() || t == one) return t;
  if (s.rational_time && s.rational()) {
    const Wide st = s.scale * t;
    return st / ((one - t) + st);
  }
  return sigmoid(s.offset - s.power * flow_half_log_snr(t));
}

/// The VE noise level σ' = e^μ σ^p for σ ∈ [0, ∞] (0 → 0, ∞ → ∞): for p = 1 the product s σ (1u
/// plus the error of s), else exp(μ + p log σ): (16 + 20(|μ| + p|log σ|))u relative.
inline Wide shift_sigma(const Wide& sigma, const WideShift& s) {
  if (sigma.is_zero() || !sigma.is_finite()) return sigma;
  if (s.rational()) return s.scale * sigma;
  return exp(s.offset + s.power * log(sigma));
}

/// ᾱ' and 1 − ᾱ' of a VP level.
struct WideVpLevel {
  Wide alpha_bar, one_minus_alpha_bar;
};

/// The VP level with SNR' = e^{−2μ} SNR^p from a = ᾱ and b = 1 − ᾱ (both ≥ 0, not both 0, each
/// accurate): for p = 1 ᾱ' = a/(a + c b) and 1 − ᾱ' = c b/(a + c b), c = e^{2μ} (non-negative terms:
/// 3u plus the error of c), else sigmoid(±(pλ − 2μ)) with λ = log(a/b) by log_ratio (19u):
/// (64 + 20(2|μ| + p|λ|))u relative, as the flow time.
inline WideVpLevel shift_vp_level(const Wide& a, const Wide& b, const WideShift& s) {
  if (b.is_zero() || a.is_zero()) return {a, b};  // SNR = ∞ or 0 stays
  if (s.rational()) {
    const Wide cb = s.scale_squared * b, d = a + cb;
    return {a / d, cb / d};
  }
  const Wide z = s.power * log_ratio(a, b) - ldexp(s.offset, 1);
  return {sigmoid(z), sigmoid(-z)};
}

}  // namespace detail
}  // namespace diffuse
