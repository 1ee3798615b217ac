/// The standard normal quantile Φ⁻¹(p) in Wide, with the scaled complementary error function it needs.
///
/// erfcx(x) = e^{x²} erfc(x) for x ≥ 0: below 2.5 as e^{x²} − (2/√π) Σ 2ⁿ x^{2n+1}/(2n + 1)!! (all
/// terms positive; the difference cancels at most 12 bits there), from 2.5 up by Laplace's continued
/// fraction √π erfcx(x) = 1/(x + (1/2)/(x + (2/2)/(x + (3/2)/(x + …)))) (modified Lentz, until a
/// factor is within 2⁻¹³⁰ of 1; about 160 terms at 2.5, fewer above). Relative error below 2⁻¹¹².
/// Φ⁻¹(p) for 0 < p ≤ ½ by Newton's method on log Φ(z) = log p, which is concave in z: from
/// z₀ = −√(−2 log p), where Φ(z₀) ≤ p/2, the iterates rise monotonically to the root; the step uses
/// log Φ(z) = −ln 2 − x² + log erfcx(x) and Φ/φ = √(π/2) erfcx(x), x = −z/√2. Integer arithmetic
/// throughout, so the same bits on every machine. Result within about 2⁻¹¹⁰(1 + |z|) relative.
#pragma once

#include "wide.hpp"
#include "wide_constants.hpp"
#include "wide_math.hpp"

namespace diffuse {
namespace detail {

/// Safety caps on the iterations below, far above what they need: the series stops after at most
/// 64 terms for x < 2.5 (its terms 2ⁿx^{2n+1}/(2n + 1)!! fall below 2⁻¹³⁶ of the sum, worst at 2.5),
/// the continued fraction after about 160 at x = 2.5 and fewer above, and Newton's method, monotone
/// and then quadratic, after a few tens of steps.
constexpr int erfcx_series_term_limit = 400;
constexpr int erfcx_fraction_term_limit = 100000;
constexpr int normal_quantile_step_limit = 200;

/// e^{x²} erfc(x) for x ≥ −½ (see the file comment).
inline Wide erfcx(const Wide& x) {
  const Wide sqrt_pi = sqrt(wide_constants::pi);
  if (x < Wide(5) / Wide(2)) {
    const Wide x2 = x * x, two_x2 = ldexp(x2, 1);
    Wide term = x, sum = x;
    for (int n = 0; n < erfcx_series_term_limit; ++n) {
      term = term * two_x2 / Wide(2 * n + 3);
      sum += term;
      if (term.is_zero() || term < ldexp(abs(sum), -136)) break;
    }
    return exp(x2) - ldexp(sum, 1) / sqrt_pi;
  }
  // Modified Lentz for x + a₁/(x + a₂/(x + …)), aₙ = n/2.
  const Wide tiny = ldexp(Wide(1), -1000);
  Wide f = x, c = x, d = Wide();
  for (int n = 1; n < erfcx_fraction_term_limit; ++n) {
    const Wide a = ldexp(Wide(n), -1);
    d = x + a * d;
    if (d.is_zero()) d = tiny;
    d = Wide(1) / d;
    c = x + a / c;
    if (c.is_zero()) c = tiny;
    const Wide delta = c * d;
    f *= delta;
    if (abs(delta - Wide(1)) < ldexp(Wide(1), -130)) break;
  }
  return Wide(1) / (sqrt_pi * f);
}

/// Φ⁻¹(p) for 0 ≤ p ≤ ½ (−∞ at 0; see the file comment).
inline Wide normal_quantile_lower(const Wide& p) {
  if (p.is_zero()) return Wide::infinity(true);
  const Wide log_p = log(p);
  const Wide sqrt_half = sqrt(ldexp(Wide(1), -1));
  const Wide sqrt_half_pi = sqrt(ldexp(wide_constants::pi, -1));
  Wide z = -sqrt(-ldexp(log_p, 1));
  bool last = false;
  for (int k = 0; k < normal_quantile_step_limit; ++k) {
    const Wide x = -z * sqrt_half;
    const Wide e = erfcx(x);
    const Wide log_phi = -wide_constants::ln2 - x * x + log(e);  // log Φ(z)
    const Wide step = (log_p - log_phi) * sqrt_half_pi * e;      // (log p − log Φ)·Φ/φ
    z += step;
    if (last) break;
    last = abs(step) <= ldexp(max(Wide(1), abs(z)), -64);  // quadratic: one more step reaches 2⁻¹²⁸
  }
  return z;
}

}  // namespace detail
}  // namespace diffuse
