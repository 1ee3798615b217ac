/// Elementary functions of Wide: exp, expm1, log, log1p, sqrt, sin, cos, atan, pow and those built
/// from them, in integer arithmetic only (so the same bits everywhere, as Wide itself).
///
/// Method (each function): reduce the argument exactly in 64.192-bit fixed point (by ln 2 or π/2
/// held to 192 bits, and by a table point j/256 or j/64), evaluate a short series in 128-bit fixed
/// point (Horner; the terms whose weight is below 2⁻⁶⁴ in 64 bits), and combine with the tabled
/// values in fixed point; one rounding to Wide at the end. Near the zero of a function (expm1 and
/// log1p near 0, log near 1, sin near 0, atan near 0) the result is the argument times a series
/// near 1, so the relative precision holds however small the result. The tables and coefficients
/// come from tests/reference/gen_wide_constants.py (mpmath).
///
/// Error bounds, relative, in units of u = 2⁻¹²⁸ (derived from the method: tables and constants
/// ½ ulp of their format, each fixed-point product ½ unit of 2⁻¹²⁷ or 2⁻¹⁹², the neglected series
/// terms below 2⁻¹³⁰, the final rounding ½ ulp; tests/test_wide.cpp measures them against mpmath):
///   exp 12u;  expm1 24u;  log, log1p 16u;  sqrt 8u;  sin, cos 24u for |x| ≤ 2²⁰ (and absolute
///   2⁻¹⁶⁰|x| more from the reduction);  atan 24u;  pow(x, y) (16|y log x| + 12)u;  sinh, tanh,
///   asinh, softplus, sigmoid 64u. Arguments must fit the reductions: |x| < 2³⁰ for exp, expm1,
///   sin and cos (exp and expm1 saturate beyond it).
#pragma once

#include <cstddef>
#include <cstdint>

#include "uint128.hpp"
#include "wide.hpp"
#include "wide_constants.hpp"
#include "wide_decimal.hpp"

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

/// j·2^shift for a small signed integer j (|j| < 2⁶³, shift < 192).
inline U256 integer_at(long long j, int shift) {
  const std::uint64_t m = j < 0 ? std::uint64_t(0) - static_cast<std::uint64_t>(j) : static_cast<std::uint64_t>(j);
  U256 r{{0, 0, 0, 0}};
  const int word = shift >> 6, bit = shift & 63;
  r.w[word] = m << bit;
  if (bit != 0) r.w[word + 1] = m >> (64 - bit);
  return j < 0 ? negate(r) : r;
}

/// The nearest integer to x·2^(bits − 192) (ties upward), 0 < bits < 64, for a fixed-point x
/// whose result fits in 63 bits: the floor of x + ½, by an arithmetic shift.
inline long long nearest_at(const U256& x, int bits) {
  const U256 r = add(x, integer_at(1, 191 - bits));
  const int shift = 192 - bits;  // in (128, 192): the result lies in words 2 and 3
  const std::uint64_t low = (r.w[2] >> (shift - 128)) | (r.w[3] << (192 - shift));
  return static_cast<long long>(low);  // two's complement: the floor, also for negative x
}

/// The significand S of a finite x placed at bit `shift` (S·2^shift; bits below 0 are dropped).
inline U256 place(std::uint64_t hi, std::uint64_t lo, int shift) {
  U256 r{{0, 0, 0, 0}};
  if (shift >= 0) {
    const int word = shift >> 6, bit = shift & 63;
    r.w[word] = lo << bit;
    if (word + 1 < 4) r.w[word + 1] = bit == 0 ? hi : (hi << bit) | (lo >> (64 - bit));
    if (bit != 0 && word + 2 < 4) r.w[word + 2] = hi >> (64 - bit);
    return r;
  }
  r.w[0] = lo;
  r.w[1] = hi;
  shift_right(r, -shift);
  return r;
}

/// x·2¹⁹² truncated toward zero, for |x| < 2⁶².
inline U256 from_wide(const Wide& x) {
  if (x.is_zero() || !x.is_finite()) return U256{{0, 0, 0, 0}};
  const U256 m = place(x.significand_high(), x.significand_low(), x.exponent() + 65);  // S·2^(e − 127 + 192)
  return x.negative() ? negate(m) : m;
}

/// N·2⁻¹⁹², rounded once to Wide.
inline Wide to_wide(const U256& x) {
  const bool negative = is_negative(x);
  return Wide::from_magnitude(negative, 63, negative ? negate(x) : x, false);
}

// ---- Q127: an unsigned 128-bit integer A meaning A·2⁻¹²⁷, values in [0, 2). ----------------------

/// 1 in Q127.
inline constexpr U128 one{std::uint64_t(1) << 63, 0};

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

/// Σ_{k < n} c_k (σ r)^k by Horner's rule, σ = −1 when `alternate`, for a small r ≥ 0 (Q127) whose
/// partial sums stay positive (true for every series here: r ≤ 2⁻⁶ and c_{k+1} ≤ c_k). The terms
/// k ≥ `full` — those whose weight rᵏ is below 2⁻⁶⁷, so that 64 bits of their partial sum suffice
/// for 2⁻¹³⁰ — are summed in 64 bits (Q63: the high words), the rest in 128.
inline U128 series(const U128* c, std::size_t n, const U128& r, bool alternate, std::size_t full) {
  std::uint64_t tail = c[n - 1].hi;
  for (std::size_t k = n - 1; k-- > full;) {
    const U128 p = multiply_full(r.hi, tail);  // Q63·Q63
    const std::uint64_t term = (p.hi << 1) | (p.lo >> 63);
    tail = alternate ? c[k].hi - term : c[k].hi + term;
  }
  U128 sum{tail, 0};
  for (std::size_t k = full; k-- > 0;) {
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
  const U256 a = absolute(x);
  std::uint64_t carry = a.w[1] & 1;  // bit 64, the one below the result: round half up
  const std::uint64_t lo = add_with_carry((a.w[1] >> 1) | (a.w[2] << 63), 0, carry);
  return {((a.w[2] >> 1) | (a.w[3] << 63)) + carry, lo};
}

/// A Q127 value as Wide, exactly.
inline Wide to_wide(const U128& q) { return Wide::from_magnitude(false, 128, U256{{q.lo, q.hi, 0, 0}}, false); }

/// q·2^k for a Q127 q in [½, 2), exactly (the significand is q, or 2q below 1).
inline Wide scaled(const U128& q, long long k) {
  if ((q.hi >> 63) != 0) return ldexp(Wide::from_parts(false, 0, q.hi, q.lo), k);
  return ldexp(Wide::from_parts(false, -1, (q.hi << 1) | (q.lo >> 63), q.lo << 1), k);
}

/// f·q·2⁻¹²⁷ for a non-negative 64.192 f below 4 and a Q127 q: the product in 64.192, rounded to
/// nearest.
inline U256 multiply(const U256& f, const U128& q) {
  std::uint64_t p[6] = {0, 0, 0, 0, 0, 0};
  for (int i = 0; i < 4; ++i) {
    const U128 low = multiply_full(f.w[i], q.lo), high = multiply_full(f.w[i], q.hi);
    std::uint64_t carry = 0;
    p[i] = add_with_carry(p[i], low.lo, carry);
    p[i + 1] = add_with_carry(p[i + 1], low.hi, carry);
    if (i + 2 < 6) p[i + 2] += carry;
    carry = 0;
    p[i + 1] = add_with_carry(p[i + 1], high.lo, carry);
    if (i + 2 < 6) p[i + 2] = add_with_carry(p[i + 2], high.hi, carry);
    if (i + 3 < 6) p[i + 3] += carry;
  }
  // (p + 2¹²⁶) >> 127: bit 126 is bit 62 of p[1].
  std::uint64_t carry = 0;
  p[1] = add_with_carry(p[1], std::uint64_t(1) << 62, carry);
  for (int i = 2; i < 6; ++i) p[i] = add_with_carry(p[i], 0, carry);
  return U256{
      {(p[1] >> 63) | (p[2] << 1), (p[2] >> 63) | (p[3] << 1), (p[3] >> 63) | (p[4] << 1), (p[4] >> 63) | (p[5] << 1)}};
}

/// The same for a signed f: the sign carried through.
inline U256 multiply_signed(const U256& f, const U128& q) {
  const U256 m = multiply(absolute(f), q);
  return is_negative(f) ? negate(m) : m;
}

/// The reduction of exp's argument: x = k ln 2 + j/256 + r, |r| ≤ 2⁻⁹ (plus 2⁻¹⁶⁰), r in 64.192.
struct ExpReduction {
  long long k;
  int j;
  U256 r;
};

/// The integer nearest to x/ln 2 for |x| < 2³⁰, from the top 64 bits of x's significand and
/// 1/ln 2 to 64 bits (so within one of it near a half-integer: the reduced argument then stays
/// within ln 2/2 + 2⁻⁵⁰, inside the table).
inline long long nearest_multiple_of_ln2(const Wide& x) {
  const int e = x.exponent();
  if (e < -2) return 0;  // |x| < ¼
  if (e == -2) return abs(x) > ldexp(wide_constants::ln2, -1) ? (x.negative() ? -1 : 1) : 0;
  // |x|/ln 2 ≈ hi(S)·(2⁶³/ln 2)·2^(e − 126); the rounded quotient is bits (126 − e)... of that.
  const U128 p = multiply_full(x.significand_high(), 0xb8aa3b295c17f0bcu);
  const int t = 62 - e;  // 126 − e − 64, in [33, 63]
  std::uint64_t carry = 0;
  const std::uint64_t sum = add_with_carry(p.hi, std::uint64_t(1) << (t - 1), carry);
  const auto k = static_cast<long long>((sum >> t) | (carry << (64 - t)));
  return x.negative() ? -k : k;
}

inline ExpReduction reduce_exp(const Wide& x) {
  namespace c = wide_constants;
  const long long k = nearest_multiple_of_ln2(x);
  const U256 reduced = subtract(from_wide(x), multiply_signed(c::ln2_fixed192, k));
  const long long j = nearest_at(reduced, 8);
  return {k, static_cast<int>(j), subtract(reduced, integer_at(j, 184))};
}

/// expm1(r)/r for |r| ≤ 2⁻⁹ (Q127), σ the sign of r: 12 terms, 8 of them in 128 bits.
inline U128 expm1_series(const U128& magnitude, bool negative) {
  return series(wide_constants::exp_polynomial, 12, magnitude, negative, 8);
}

/// log1p(z)/z for |z| ≤ 2⁻⁸·⁴⁹ (Q127): 15 terms, 8 in 128 bits.
inline U128 log1p_series(const U128& magnitude, bool negative) {
  return series(wide_constants::log_polynomial, 15, magnitude, !negative, 8);
}

/// log1p(z)/z for |z| < 2⁻⁶ (Q127): 22 terms, 12 in 128 bits.
inline U128 log1p_series_wide(const U128& magnitude, bool negative) {
  return series(wide_constants::log_polynomial, 22, magnitude, !negative, 12);
}

/// log m + e ln 2 for m in [1/√2, √2) given exactly in 64.192 (m = (1 + j/256)(1 + z)/c_j, the
/// reciprocal c_j short enough that z = m c_j − 1 is exact).
inline Wide log_kernel(const U256& m, long long e) {
  namespace c = wide_constants;
  const U256 one192 = integer_at(1, 192);
  const long long j = nearest_at(subtract(m, one192), 8);
  U256 scaled_m = multiply(m, c::log_reciprocal[j + c::log_table_offset]);
  shift_right(scaled_m, 16);                  // exact: the callers' m are multiples of 2¹⁶
  const U256 z = subtract(scaled_m, one192);  // |z| ≤ 2⁻⁸·⁴⁹
  const bool negative = is_negative(z);
  const U128 series_value = log1p_series(q127_of(z), negative);
  if (e == 0 && j == 0) return to_wide(z) * to_wide(series_value);  // near 1: relative precision
  U256 sum = add(c::log_table[j + c::log_table_offset], multiply_signed(z, series_value));
  if (e != 0) sum = add(sum, multiply_signed(c::ln2_fixed192, e));
  return to_wide(sum);
}

}  // namespace wide_fixed

/// eˣ: 2^k·exp(j/256)·(1 + r·Σ rᵏ/(k + 1)!) in Q127, one rounding.
inline Wide exp(const Wide& x) {
  if (x.is_nan()) return x;
  if (x.is_infinite()) return x.negative() ? Wide() : x;
  if (x.is_zero()) return Wide(1);
  if (x.exponent() >= 30) return x.negative() ? Wide() : Wide::infinity();
  const wide_fixed::ExpReduction r = wide_fixed::reduce_exp(x);
  const bool negative = wide_fixed::is_negative(r.r);
  const U128 magnitude = wide_fixed::q127_of(r.r);
  const U128 em1 = wide_fixed::multiply(magnitude, wide_fixed::expm1_series(magnitude, negative));
  const U128 factor = negative ? wide_fixed::subtract(wide_fixed::one, em1) : wide_fixed::add(wide_fixed::one, em1);
  const U128 significand =
      wide_fixed::multiply(wide_constants::exp_table[r.j + wide_constants::exp_table_offset], factor);
  return wide_fixed::scaled(significand, r.k);  // exp(j/256)(1 + em1) lies in [0.7, 1.42]
}

/// eˣ − 1, without cancellation near 0.
inline Wide expm1(const Wide& x) {
  namespace c = wide_constants;
  if (x.is_nan() || x.is_zero()) return x;
  if (x.is_infinite()) return x.negative() ? Wide(-1) : x;
  if (x.exponent() >= 30) return x.negative() ? Wide(-1) : Wide::infinity();
  if (x.exponent() <= -10) {  // |x| < 2⁻⁹: x·Σ xᵏ/(k + 1)!
    return x * wide_fixed::to_wide(wide_fixed::expm1_series(wide_fixed::q127_of(x), x.negative()));
  }
  const wide_fixed::ExpReduction r = wide_fixed::reduce_exp(x);
  if (r.k != 0) return exp(x) - Wide(1);  // |eˣ − 1| ≥ 0.29: at most two bits cancel
  // expm1(j/256) + exp(j/256)·expm1(r), all in 64.192 (|result| ≥ 2⁻⁹: absolute is relative).
  const bool negative = wide_fixed::is_negative(r.r);
  const U256 em1 = wide_fixed::multiply_signed(r.r, wide_fixed::expm1_series(wide_fixed::q127_of(r.r), negative));
  const int index = r.j + c::exp_table_offset;
  return wide_fixed::to_wide(
      wide_fixed::add(c::expm1_table[index], wide_fixed::multiply_signed(em1, c::exp_table[index])));
}

/// log x (−∞ at 0, NaN below 0).
inline Wide log(const Wide& x) {
  namespace c = wide_constants;
  if (x.is_nan() || (x.negative() && !x.is_zero())) return Wide::nan();
  if (x.is_zero()) return Wide::infinity(true);
  if (x.is_infinite()) return x;
  // x = 2^e·m with m in [1/√2, √2): the significand, halved when above √2 (exact in 64.192).
  const std::uint64_t hi = x.significand_high(), lo = x.significand_low();
  const bool above = hi > c::sqrt2_q127.hi || (hi == c::sqrt2_q127.hi && lo > c::sqrt2_q127.lo);
  return wide_fixed::log_kernel(wide_fixed::place(hi, lo, above ? 64 : 65), x.exponent() + (above ? 1 : 0));
}

/// log(1 + x), without cancellation near 0.
inline Wide log1p(const Wide& x) {
  if (x.is_nan()) return x;
  if (x < Wide(-1)) return Wide::nan();
  if (x == Wide(-1)) return Wide::infinity(true);
  if (x.is_zero() || x.is_infinite()) return x;
  if (x.exponent() <= -7) {  // |x| < 2⁻⁶: x·Σ (−x)ᵏ/(k + 1)
    return x * wide_fixed::to_wide(wide_fixed::log1p_series_wide(wide_fixed::q127_of(x), x.negative()));
  }
  const Wide one(1);
  if (x < -ldexp(one, -1) || x.exponent() >= 60) return log(one + x);  // 1 + x exact below −½
  // 1 + x exactly in 64.192 (x's last bit is at least 2⁻¹³⁶), then scaled into [1/√2, √2) by 2^e,
  // which drops no bit (the last bit of 1 + x is at least 2^(e − 128)).
  U256 m = wide_fixed::add(wide_fixed::integer_at(1, 192), wide_fixed::from_wide(x));
  const int top = 255 - leading_zeros(m);  // 1 + x in [2^(top − 192), 2^(top − 191))
  long long e = top - 192;
  U256 shifted = m;
  shift_right(shifted, top - 127);  // the top bit and the 127 below it: the significand
  const bool above = shifted.w[1] > wide_constants::sqrt2_q127.hi ||
                     (shifted.w[1] == wide_constants::sqrt2_q127.hi && shifted.w[0] > wide_constants::sqrt2_q127.lo);
  if (above) ++e;
  if (e > 0) {
    shift_right(m, static_cast<int>(e));
  } else if (e < 0) {
    shift_left(m, static_cast<int>(-e));
  }
  return wide_fixed::log_kernel(m, e);
}

/// √x (NaN below 0): x = m·4^k with m in [1, 4); y ≈ 1/√m by Newton's iteration
/// y ← y(3 − m y²)/2, from a chord of 1/√m (within 4%) through four 64-bit steps (62 bits) and one
/// 128-bit step; then √m ≈ m·y with one correction s ← s + y(m − s²)/2 (Karp & Markstein); within 8u.
inline Wide sqrt(const Wide& x) {
  namespace f = wide_fixed;
  if (x.is_nan() || (x.negative() && !x.is_zero())) return Wide::nan();
  if (x.is_zero() || x.is_infinite()) return x;
  const bool odd = (x.exponent() % 2) != 0;  // then m = 2S/2¹²⁷ in [2, 4), else S/2¹²⁷ in [1, 2)
  const long long k = (x.exponent() - (odd ? 1 : 0)) / 2;
  const std::uint64_t hi = x.significand_high(), lo = x.significand_low();
  // m/4 in Q127 (in [¼, 1), exact), and m·2⁶¹ (its high word, truncated).
  const U128 quarter = odd ? U128{hi >> 1, (lo >> 1) | (hi << 63)} : U128{hi >> 2, (lo >> 2) | (hi << 62)};
  const std::uint64_t m61 = quarter.hi;
  // Seed: the chord of 1/√m on [1, 2] or [2, 4] (above 1/√m, by at most 4%), in Q63.
  const std::uint64_t two61 = std::uint64_t(1) << 62;  // 2 in Q61
  std::uint64_t y;
  if (m61 < two61) {  // 1 − 0.29289(m − 1)
    y = (std::uint64_t(1) << 63) - (multiply_full(m61 - (std::uint64_t(1) << 61), 0x257d86660d5ba2a2u).hi << 3);
  } else {  // 0.70711 − 0.10355(m − 2)
    y = 0x5a827999fcef3242u - (multiply_full(m61 - two61, 0x0d413cccfe779921u).hi << 3);
  }
  const std::uint64_t three62 = std::uint64_t(3) << 62;
  for (int i = 0; i < 4; ++i) {  // 4% → 0.24% → 9e-6 → 1e-10 → 2e-20 (64 bits hold 2⁻⁶²)
    const std::uint64_t y2 = multiply_full(y, y).hi;         // y²·2⁶²
    const U128 my2 = multiply_full(m61, y2);                 // m y²·2¹²³
    const std::uint64_t t = (my2.hi << 3) | (my2.lo >> 61);  // m y²·2⁶²
    const U128 next = multiply_full(y, three62 - t);         // y(3 − m y²)·2¹²⁵
    y = (next.hi << 1) | (next.lo >> 63);                    // y(3 − m y²)/2·2⁶³
  }
  // One 128-bit step: y ← 2y(3/4 − (m/4)y²).
  const U128 y63{y, 0};
  const U128 c = f::subtract(U128{std::uint64_t(3) << 61, 0}, f::multiply(quarter, f::multiply(y63, y63)));
  const U128 half_y = f::multiply(y63, c);  // y_next/2
  const U128 y_next{(half_y.hi << 1) | (half_y.lo >> 63), half_y.lo << 1};
  // h = √m/2 = 2(m/4)y, then h ← h + y(m/4 − h²).
  const U128 half_h = f::multiply(quarter, y_next);
  const U128 h{(half_h.hi << 1) | (half_h.lo >> 63), half_h.lo << 1};
  const U128 square = f::multiply(h, h);
  const bool below = square.hi < quarter.hi || (square.hi == quarter.hi && square.lo < quarter.lo);
  const U128 fix = f::multiply(y_next, below ? f::subtract(quarter, square) : f::subtract(square, quarter));
  const U128 root = below ? f::add(h, fix) : f::subtract(h, fix);  // √m/2 in [½, 1)
  return f::scaled(U128{(root.hi << 1) | (root.lo >> 63), root.lo << 1}, k);
}

/// sin x and cos x together.
struct SinCos {
  Wide sin;
  Wide cos;
};

/// sin x and cos x, |x| < 2³⁰ (NaN otherwise): x = kπ/2 ± (j/64 + r) with |r| ≤ 2⁻⁷, then the
/// addition formulas with sin(j/64), cos(j/64) from the table, in 64.192.
inline SinCos sin_cos(const Wide& x) {
  namespace c = wide_constants;
  namespace f = wide_fixed;
  if (!x.is_finite() || (!x.is_zero() && x.exponent() >= 30)) return {Wide::nan(), Wide::nan()};
  if (x.is_zero()) return {x, Wide(1)};
  // sin r = r·S(r²), cos r = 1 − r²·C(r²), S and C in Q127.
  struct Kernel {
    U128 sin_over_r, cos_r;
  };
  auto kernel = [](const U128& magnitude) -> Kernel {
    const U128 square = f::multiply(magnitude, magnitude);
    return {f::series(c::sin_polynomial, 7, square, true, 5),
            f::subtract(f::one, f::multiply(square, f::series(c::cos_polynomial, 7, square, true, 5)))};
  };
  if (x.exponent() <= -8) {  // |x| < 2⁻⁷: relative precision from x itself
    const Kernel small = kernel(f::q127_of(x));
    return {x * f::to_wide(small.sin_over_r), f::scaled(small.cos_r, 0)};
  }
  const long long k = nearest_integer(x * c::two_over_pi);
  const U256 reduced = f::subtract(f::from_wide(x), f::multiply_signed(c::half_pi_fixed192, k));
  const bool negative = f::is_negative(reduced);
  const U256 magnitude = f::absolute(reduced);  // ≤ π/4 + 2⁻¹⁶⁰
  const long long j = f::nearest_at(magnitude, 6);
  const U256 r = f::subtract(magnitude, f::integer_at(j, 186));
  const Kernel small = kernel(f::q127_of(r));
  const U256 sin_r = f::multiply_signed(r, small.sin_over_r);  // 64.192, |·| ≤ 2⁻⁷
  const U256& sj = c::sin_table[j];
  const U256& cj = c::cos_table[j];
  // sin(j/64 + r) = sin(j/64) cos r + cos(j/64) sin r; cos(j/64 + r) = cos(j/64) cos r − sin(j/64) sin r.
  U256 s = f::add(f::multiply(sj, small.cos_r), f::multiply_signed(sin_r, f::q127_of(cj)));
  const U256 co = f::subtract(f::multiply(cj, small.cos_r), f::multiply_signed(sin_r, f::q127_of(sj)));
  if (negative) s = f::negate(s);
  const Wide sin_value = f::to_wide(s), cos_value = f::to_wide(co);
  switch (((k % 4) + 4) % 4) {
    case 0: return {sin_value, cos_value};
    case 1: return {cos_value, -sin_value};
    case 2: return {-sin_value, -cos_value};
    default: return {-cos_value, sin_value};
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
    return y * wide_fixed::to_wide(
                   wide_fixed::series(c::atan_polynomial, 10, wide_fixed::multiply(magnitude, magnitude), true, 5));
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
  const Wide value = e.is_infinite() ? e : ldexp(e + e / (e + Wide(1)), -1);
  return x.negative() ? -value : value;
}

/// tanh x = −E/(2 + E) with E = expm1(−2|x|), the sign of x.
inline Wide tanh(const Wide& x) {
  const Wide e = expm1(ldexp(-abs(x), 1));
  const Wide value = -e / (Wide(2) + e);
  return x.negative() ? -value : value;
}

/// asinh x = log1p(|x| + x²/(1 + √(1 + x²))), the sign of x; log|x| + ln 2 above 2⁶⁴ (where the
/// rest, 1/(4x²), is below 2⁻¹³⁰) and for ±∞.
inline Wide asinh(const Wide& x) {
  const Wide a = abs(x);
  if (x.is_nan()) return x;
  const Wide value = a.is_infinite() || a.exponent() >= 64 ? log(a) + wide_constants::ln2
                                                           : log1p(a + a * a / (Wide(1) + sqrt(Wide(1) + a * a)));
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
inline Wide log_alpha(const Wide& beta, const Wide& alpha) {
  return beta < ldexp(Wide(1), -1) ? log1p(-beta) : log(alpha);
}

}  // namespace detail
}  // namespace diffuse
