/// Elementary functions of Wide: exp, expm1, log, log1p, sqrt, sin, cos, atan, pow and those built
/// from them, in integer arithmetic only (so the same bits everywhere, as Wide itself).
///
/// Method (each function): reduce the argument exactly in 64.192-bit fixed point (by ln 2 or π/2
/// held to 192 bits, and by a table point j/256 or j/64), evaluate a short series in 128-bit fixed
/// point (Horner, coefficients and tables from tests/reference/gen_wide_constants.py, mpmath), and
/// combine with a few correctly rounded Wide operations. Near the zero of a function (expm1 and
/// log1p near 0, log near 1, sin near 0, atan near 0) the result is the argument times a series
/// near 1, so the relative precision holds however small the result.
///
/// Error bounds, relative, in units of u = 2⁻¹²⁸ (derived from the method: table entries and
/// constants ½u, each Wide operation ½u, each series evaluation within 8u absolute of a value near
/// 1, the neglected series terms below 2⁻¹³⁰; tests/test_wide.cpp measures them against mpmath):
///   exp 12u;  expm1 24u;  log, log1p 16u (absolute 16u·|log x| where that is larger);
///   sqrt 2u;  sin, cos 24u for |x| ≤ 2²⁰ (absolute 2⁻¹⁶⁰|x| more from the reduction);
///   atan 24u;  pow(x, y) (16|y log x| + 12)u;  sinh, tanh, asinh, softplus, sigmoid 64u.
/// The tables assume the arguments fit their reductions: exp, expm1, sin, cos of |x| < 2³⁰.
#pragma once

#include <cstdint>

#include "uint128.hpp"
#include "wide.hpp"
#include "wide_constants.hpp"

namespace diffuse {
namespace detail {
namespace wide_fixed {

// ---- 64.192 signed fixed point: a 256-bit two's-complement integer N meaning N·2⁻¹⁹². ----------

inline bool is_negative(const U256& x) { return (x.w[3] >> 63) != 0; }

inline U256 add(const U256& a, const U256& b) {
  U256 r{{0, 0, 0, 0}};
  std::uint64_t carry = 0;
  for (int i = 0; i < 4; ++i) r.w[i] = add_with_carry(a.w[i], b.w[i], carry);
  return r;
}

inline U256 subtract(const U256& a, const U256& b) {
  U256 r{{0, 0, 0, 0}};
  std::uint64_t borrow = 0;
  for (int i = 0; i < 4; ++i) r.w[i] = subtract_with_borrow(a.w[i], b.w[i], borrow);
  return r;
}

inline U256 negate(const U256& x) { return subtract(U256{{0, 0, 0, 0}}, x); }

inline U256 absolute(const U256& x) { return is_negative(x) ? negate(x) : x; }

/// a·m for a non-negative a and m < 2⁶⁴ (modulo 2²⁵⁶; the callers' products fit).
inline U256 multiply(const U256& a, std::uint64_t m) {
  U256 r{{0, 0, 0, 0}};
  std::uint64_t carry = 0;
  for (int i = 0; i < 4; ++i) {
    const U128 p = multiply_full(a.w[i], m);
    std::uint64_t c = 0;
    r.w[i] = add_with_carry(p.lo, carry, c);
    carry = p.hi + c;
  }
  return r;
}

/// a·k for a non-negative a and a signed k.
inline U256 multiply_signed(const U256& a, long long k) {
  const U256 m = multiply(a, k < 0 ? std::uint64_t(0) - static_cast<std::uint64_t>(k) : static_cast<std::uint64_t>(k));
  return k < 0 ? negate(m) : m;
}

/// j·2^shift for a small signed integer j.
inline U256 integer_at(long long j, int shift) {
  U256 r{{j < 0 ? std::uint64_t(0) - static_cast<std::uint64_t>(j) : static_cast<std::uint64_t>(j), 0, 0, 0}};
  shift_left(r, shift);
  return j < 0 ? negate(r) : r;
}

/// The nearest integer to x·2^(bits − 192) (ties upward) for a fixed-point x.
inline long long nearest_at(const U256& x, int bits) {
  U256 r = add(x, integer_at(1, 191 - bits));
  const bool negative = is_negative(r);
  if (negative) r = negate(r);
  // ⌊r/2^(192 − bits)⌋ of the magnitude, then the floor of a negative value rounds down.
  U256 m = r;
  const bool fraction = shift_right(m, 192 - bits);
  const auto magnitude = static_cast<long long>(m.w[0]);
  return negative ? -magnitude - (fraction ? 1 : 0) : magnitude;
}

/// x·2¹⁹² truncated toward zero, for |x| < 2⁶².
inline U256 from_wide(const Wide& x) {
  if (x.is_zero() || !x.is_finite()) return U256{{0, 0, 0, 0}};
  U256 m{{x.significand_low(), x.significand_high(), 0, 0}};  // S·2⁰
  const int shift = x.exponent() + 65;  // x·2¹⁹² = S·2^(e − 127 + 192)
  if (shift >= 0) {
    shift_left(m, shift);
  } else {
    shift_right(m, -shift);
  }
  return x.negative() ? negate(m) : m;
}

/// N·2⁻¹⁹², rounded once to Wide.
inline Wide to_wide(const U256& x) {
  const bool negative = is_negative(x);
  return Wide::from_magnitude(negative, 63, negative ? negate(x) : x, false);
}

// ---- Q127: an unsigned 128-bit integer A meaning A·2⁻¹²⁷, values in [0, 2). ----------------------

/// a·b·2⁻¹²⁷, rounded to nearest (the product of two Q127 values below 2): bits 127..254 of the
/// 256-bit product plus 2¹²⁶ (the lowest word cannot carry into them).
inline U128 multiply(const U128& a, const U128& b) {
  const U128 hh = multiply_full(a.hi, b.hi), hl = multiply_full(a.hi, b.lo);
  const U128 lh = multiply_full(a.lo, b.hi), ll = multiply_full(a.lo, b.lo);
  std::uint64_t c1 = 0, c2 = 0, c3 = 0;
  std::uint64_t w1 = add_with_carry(ll.hi, hl.lo, c1);
  w1 = add_with_carry(w1, lh.lo, c2);
  w1 = add_with_carry(w1, std::uint64_t(1) << 62, c3);
  std::uint64_t c4 = c1 + c2 + c3, c5 = 0;
  std::uint64_t w2 = add_with_carry(hh.lo, hl.hi, c4);
  w2 = add_with_carry(w2, lh.hi, c5);
  const std::uint64_t w3 = hh.hi + c4 + c5;
  return {(w3 << 1) | (w2 >> 63), (w2 << 1) | (w1 >> 63)};
}

inline U128 add(const U128& a, const U128& b) {
  std::uint64_t carry = 0;
  const std::uint64_t lo = add_with_carry(a.lo, b.lo, carry);
  return {a.hi + b.hi + carry, lo};
}

inline U128 subtract(const U128& a, const U128& b) {
  std::uint64_t borrow = 0;
  const std::uint64_t lo = subtract_with_borrow(a.lo, b.lo, borrow);
  return {a.hi - b.hi - borrow, lo};
}

/// 1 in Q127.
inline constexpr U128 one{std::uint64_t(1) << 63, 0};

/// Σ c_k (σ r)^k by Horner's rule, σ = −1 when `alternate`, for a small r ≥ 0 whose partial sums
/// stay positive (true for every series here: |r| ≤ 2⁻⁸ and c_{k+1} ≤ c_k).
template <std::size_t N>
U128 series(const U128 (&c)[N], const U128& r, bool alternate) {
  U128 sum = c[N - 1];
  for (std::size_t k = N - 1; k-- > 0;) {
    const U128 term = multiply(r, sum);
    sum = alternate ? subtract(c[k], term) : add(c[k], term);
  }
  return sum;
}

/// |x| in Q127 (rounded to nearest), for |x| < 2.
inline U128 q127_of(const Wide& x) {
  if (x.is_zero()) return {0, 0};
  U256 m{{x.significand_low(), x.significand_high(), 0, 0}};
  const int shift = -x.exponent();  // |x|·2¹²⁷ = S·2^e, e ≤ 0
  if (shift > 128) return {0, 0};
  if (shift > 0) m = add(m, integer_at(1, shift - 1));
  shift_right(m, shift);
  return {m.w[1], m.w[0]};
}

/// The magnitude of a 64.192 fixed-point value in Q127 (rounded to nearest), for |x| < 2.
inline U128 q127_of(const U256& x) {
  U256 m = add(absolute(x), integer_at(1, 64));
  shift_right(m, 65);
  return {m.w[1], m.w[0]};
}

/// A Q127 value as Wide (exact).
inline Wide to_wide(const U128& q) { return Wide::from_magnitude(false, 128, U256{{q.lo, q.hi, 0, 0}}, false); }

/// The reduction of exp's argument: x = k ln 2 + j/256 + r, |r| ≤ 2⁻⁹, and expm1(r) as Wide.
struct ExpReduction {
  long long k;
  int j;
  Wide expm1_r;
};

inline ExpReduction reduce_exp(const Wide& x) {
  namespace c = wide_constants;
  const long long k = nearest_integer(x * c::inverse_ln2);
  const U256 reduced = subtract(from_wide(x), multiply_signed(c::ln2_fixed192, k));  // |·| ≤ ln 2/2 + 2⁻¹⁶⁰
  const long long j = nearest_at(reduced, 8);
  const U256 r = subtract(reduced, integer_at(j, 184));
  const Wide series_value = to_wide(series(c::exp_polynomial, q127_of(r), is_negative(r)));
  return {k, static_cast<int>(j), to_wide(r) * series_value};  // r·Σ rᵏ/(k + 1)!, relative precision
}

}  // namespace wide_fixed

/// eˣ.
inline Wide exp(const Wide& x) {
  if (x.is_nan()) return x;
  if (x.is_infinite()) return x.negative() ? Wide() : x;
  if (x.is_zero()) return Wide(1);
  if (x.exponent() >= 30) return x.negative() ? Wide() : Wide::infinity();
  const wide_fixed::ExpReduction r = wide_fixed::reduce_exp(x);
  const Wide& table = wide_constants::exp_table[r.j + wide_constants::exp_table_offset];
  return ldexp(table + table * r.expm1_r, r.k);
}

/// eˣ − 1, without cancellation near 0.
inline Wide expm1(const Wide& x) {
  if (x.is_nan() || x.is_zero()) return x;
  if (x.is_infinite()) return x.negative() ? Wide(-1) : x;
  if (x.exponent() >= 30) return x.negative() ? Wide(-1) : Wide::infinity();
  if (x.exponent() <= -10) {  // |x| < 2⁻⁹: x·Σ xᵏ/(k + 1)!
    const U128 magnitude = wide_fixed::q127_of(x);
    return x * wide_fixed::to_wide(wide_fixed::series(wide_constants::exp_polynomial, magnitude, x.negative()));
  }
  const wide_fixed::ExpReduction r = wide_fixed::reduce_exp(x);
  const int index = r.j + wide_constants::exp_table_offset;
  const Wide& table = wide_constants::exp_table[index];
  if (r.k == 0) return wide_constants::expm1_table[index] + table * r.expm1_r;  // expm1(j/256) + e^{j/256} expm1(r)
  return ldexp(table + table * r.expm1_r, r.k) - Wide(1);
}

/// log x (−∞ at 0, NaN below 0).
inline Wide log(const Wide& x) {
  namespace c = wide_constants;
  if (x.is_nan() || (x.negative() && !x.is_zero())) return Wide::nan();
  if (x.is_zero()) return Wide::infinity(true);
  if (x.is_infinite()) return x;
  // x = 2^e·m, m in [1/√2, √2) as 64.192 fixed point (exact), m = (1 + j/256)(1 + z)/c_j.
  const U128 s{x.significand_high(), x.significand_low()};
  const bool above = s.hi > c::sqrt2_q127.hi || (s.hi == c::sqrt2_q127.hi && s.lo > c::sqrt2_q127.lo);
  const long long e = x.exponent() + (above ? 1 : 0);
  U256 m{{s.lo, s.hi, 0, 0}};
  shift_left(m, above ? 64 : 65);
  const U256 one192 = wide_fixed::integer_at(1, 192);
  const long long j = wide_fixed::nearest_at(wide_fixed::subtract(m, one192), 8);
  const std::uint32_t reciprocal = c::log_reciprocal[j + c::log_table_offset];
  U256 scaled = wide_fixed::multiply(m, reciprocal);
  shift_right(scaled, 16);  // exact: m is a multiple of 2⁶⁴
  const U256 z = wide_fixed::subtract(scaled, one192);  // |z| ≤ 2⁻⁸·⁴⁹
  const U128 magnitude = wide_fixed::q127_of(z);
  const Wide log1p_z =
      wide_fixed::to_wide(z) * wide_fixed::to_wide(wide_fixed::series(c::log_polynomial, magnitude, !wide_fixed::is_negative(z)));
  const Wide& table = c::log_table[j + c::log_table_offset];
  return e == 0 ? table + log1p_z : (Wide(e) * c::ln2 + table) + log1p_z;
}

/// log(1 + x), without cancellation near 0.
inline Wide log1p(const Wide& x) {
  if (x.is_nan()) return x;
  if (x < Wide(-1)) return Wide::nan();
  if (x == Wide(-1)) return Wide::infinity(true);
  if (x.is_zero() || x.is_infinite()) return x;
  if (x.exponent() <= -10) {  // |x| < 2⁻⁹: x·Σ (−x)ᵏ/(k + 1)
    const U128 magnitude = wide_fixed::q127_of(x);
    return x * wide_fixed::to_wide(wide_fixed::series(wide_constants::log_polynomial, magnitude, !x.negative()));
  }
  const Wide one(1);
  if (x > one || x < -ldexp(one, -1)) return log(one + x);  // 1 + x exact below −½; large above 1
  const Wide high = one + x;
  const Wide low = x - (high - one);  // the rounding error of 1 + x, exactly (Fast2Sum, |x| ≤ 1)
  return low.is_zero() ? log(high) : log(high) + low / high;
}

/// √x (NaN below 0): Newton's iteration y ← (y + x/y)/2 from a 32-bit integer square root.
inline Wide sqrt(const Wide& x) {
  if (x.is_nan() || (x.negative() && !x.is_zero())) return Wide::nan();
  if (x.is_zero() || x.is_infinite()) return x;
  // x = (t/2⁶²)·2^(e') with t the top bits and e' even, t/2⁶² in [1, 4).
  const bool odd = (x.exponent() % 2) != 0;
  const std::uint64_t t = odd ? x.significand_high() : x.significand_high() >> 1;
  const long long half_exponent = (x.exponent() - (odd ? 1 : 0)) / 2;
  std::uint64_t root = 0, rest = t;
  for (std::uint64_t bit = std::uint64_t(1) << 62; bit != 0; bit >>= 2) {  // ⌊√t⌋, digit by digit
    if (rest >= root + bit) {
      rest -= root + bit;
      root = (root >> 1) + bit;
    } else {
      root >>= 1;
    }
  }
  Wide y = ldexp(Wide(root), half_exponent - 31);  // 32 correct bits
  for (int i = 0; i < 3; ++i) y = ldexp(y + x / y, -1);  // 64, 128, then within 2u
  return y;
}

/// sin x and cos x together.
struct SinCos {
  Wide sin;
  Wide cos;
};

/// sin x and cos x, |x| < 2³⁰ (NaN otherwise): x = kπ/2 + j/64 + r with |r| ≤ 2⁻⁷, then the
/// addition formulas with sin(j/64), cos(j/64) from the table.
inline SinCos sin_cos(const Wide& x) {
  namespace c = wide_constants;
  if (!x.is_finite() || (!x.is_zero() && x.exponent() >= 30)) return {Wide::nan(), Wide::nan()};
  if (x.is_zero()) return {x, Wide(1)};
  // sin r = r·S(r²), cos r = 1 − r²·C(r²), for a fixed-point r.
  auto kernel = [](const Wide& r, const U128& magnitude) -> SinCos {
    const U128 square = wide_fixed::multiply(magnitude, magnitude);
    const Wide sin_r = r * wide_fixed::to_wide(wide_fixed::series(c::sin_polynomial, square, true));
    const U128 cos_r = wide_fixed::subtract(wide_fixed::one, wide_fixed::multiply(square, wide_fixed::series(c::cos_polynomial, square, true)));
    return {sin_r, wide_fixed::to_wide(cos_r)};
  };
  if (x.exponent() <= -8) return kernel(x, wide_fixed::q127_of(x));  // |x| < 2⁻⁷
  const long long k = nearest_integer(x * c::two_over_pi);
  const U256 reduced = wide_fixed::subtract(wide_fixed::from_wide(x), wide_fixed::multiply_signed(c::half_pi_fixed192, k));
  const bool negative = wide_fixed::is_negative(reduced);
  const U256 magnitude = wide_fixed::absolute(reduced);  // ≤ π/4 + 2⁻¹⁶⁰
  const long long j = wide_fixed::nearest_at(magnitude, 6);
  const U256 r = wide_fixed::subtract(magnitude, wide_fixed::integer_at(j, 186));
  const SinCos small = kernel(wide_fixed::to_wide(r), wide_fixed::q127_of(r));
  const Wide& sj = c::sin_table[j];
  const Wide& cj = c::cos_table[j];
  Wide s = sj * small.cos + cj * small.sin;  // sin(j/64 + r)
  const Wide co = cj * small.cos - sj * small.sin;
  if (negative) s = -s;
  switch (((k % 4) + 4) % 4) {
    case 0:
      return {s, co};
    case 1:
      return {co, -s};
    case 2:
      return {-s, -co};
    default:
      return {-co, s};
  }
}
inline Wide sin(const Wide& x) { return sin_cos(x).sin; }
inline Wide cos(const Wide& x) { return sin_cos(x).cos; }

/// atan x: atan(j/64) + atan((x − j/64)/(1 + x j/64)) for 0 ≤ x ≤ 1, π/2 − atan(1/x) above.
inline Wide atan(const Wide& x) {
  namespace c = wide_constants;
  if (x.is_nan() || x.is_zero()) return x;
  if (x.negative()) return -atan(-x);
  if (x.is_infinite()) return c::half_pi;
  if (x > Wide(1)) return c::half_pi - atan(Wide(1) / x);
  auto kernel = [](const Wide& y) {  // y·Σ (−y²)ᵏ/(2k + 1), |y| ≤ 2⁻⁷
    const U128 magnitude = wide_fixed::q127_of(y);
    return y * wide_fixed::to_wide(wide_fixed::series(c::atan_polynomial, wide_fixed::multiply(magnitude, magnitude), true));
  };
  if (x.exponent() <= -8) return kernel(x);
  const long long j = nearest_integer(ldexp(x, 6));
  const Wide point = ldexp(Wide(j), -6);
  return c::atan_table[j] + kernel((x - point) / (Wide(1) + x * point));
}

/// xʸ = exp(y log x) for x > 0; 0^y = 0 for y > 0.
inline Wide pow(const Wide& x, const Wide& y) {
  if (x.is_zero() && y > Wide(0)) return Wide();
  return exp(y * log(x));
}

/// sinh x = (E + E/(E + 1))/2 with E = expm1(|x|), the sign of x.
inline Wide sinh(const Wide& x) {
  const Wide e = expm1(abs(x));
  const Wide value = ldexp(e + e / (e + Wide(1)), -1);
  return x.negative() ? -value : value;
}

/// tanh x = −E/(2 + E) with E = expm1(−2|x|), the sign of x.
inline Wide tanh(const Wide& x) {
  const Wide e = expm1(ldexp(-abs(x), 1));
  const Wide value = -e / (Wide(2) + e);
  return x.negative() ? -value : value;
}

/// asinh x = log1p(|x| + x²/(1 + √(1 + x²))), the sign of x.
inline Wide asinh(const Wide& x) {
  const Wide a = abs(x), square = a * a;
  const Wide value = log1p(a + square / (Wide(1) + sqrt(Wide(1) + square)));
  return x.negative() ? -value : value;
}

/// log(1 + eˣ), without overflow for large x and without cancellation for very negative x.
inline Wide softplus(const Wide& x) { return x > Wide(0) ? x + log1p(exp(-x)) : log1p(exp(x)); }

/// 1/(1 + e^{−x}), without overflow.
inline Wide sigmoid(const Wide& x) {
  if (x >= Wide(0)) return Wide(1) / (Wide(1) + exp(-x));
  const Wide e = exp(x);
  return e / (Wide(1) + e);
}

/// 1 − eˣ = −expm1(x) without cancellation, and +0 (not −0) at x = 0.
inline Wide one_minus_exp(const Wide& x) { return Wide() - expm1(x); }

/// log α from β and α = 1 − β, each given accurately: log1p(−β) for small β, log α otherwise.
inline Wide log_alpha(const Wide& beta, const Wide& alpha) { return beta < ldexp(Wide(1), -1) ? log1p(-beta) : log(alpha); }

}  // namespace detail
}  // namespace diffuse
