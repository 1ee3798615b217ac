/// Products and quotients of 64-bit words: the integer primitives under diffuse's extended arithmetic.
///
/// With GCC and Clang on 64-bit targets they use `unsigned __int128`; elsewhere (or when
/// DIFFUSE_PORTABLE_UINT128 is defined, which the tests do to prove the two agree) plain 64-bit
/// code. Both are exact integer arithmetic, so they give the same bits on every machine and under
/// every floating-point flag.
#pragma once

#include <cstdint>

namespace diffuse {
namespace detail {

/// An unsigned 128-bit integer hi·2⁶⁴ + lo.
struct U128 {
  std::uint64_t hi;
  std::uint64_t lo;
};

/// The number of leading zero bits of x ≠ 0.
inline int leading_zeros(std::uint64_t x) {
#if defined(__GNUC__) || defined(__clang__)
  return __builtin_clzll(x);
#else
  int n = 0;
  for (std::uint64_t bit = std::uint64_t(1) << 63; (x & bit) == 0; bit >>= 1) ++n;
  return n;
#endif
}

#if defined(__SIZEOF_INT128__) && !defined(DIFFUSE_PORTABLE_UINT128)
__extension__ typedef unsigned __int128 native_u128;

/// a·b exactly.
inline U128 multiply_full(std::uint64_t a, std::uint64_t b) {
  const native_u128 p = static_cast<native_u128>(a) * b;
  return {static_cast<std::uint64_t>(p >> 64), static_cast<std::uint64_t>(p)};
}

/// ⌊(hi·2⁶⁴ + lo)/d⌋ and the remainder, for hi < d (so that the quotient fits in 64 bits).
inline std::uint64_t divide_128_by_64(std::uint64_t hi, std::uint64_t lo, std::uint64_t d, std::uint64_t& remainder) {
  const native_u128 n = (static_cast<native_u128>(hi) << 64) | lo;
  remainder = static_cast<std::uint64_t>(n % d);
  return static_cast<std::uint64_t>(n / d);
}
#else
/// a·b exactly, from four 32 × 32-bit products.
inline U128 multiply_full(std::uint64_t a, std::uint64_t b) {
  const std::uint64_t mask = 0xffffffffu;
  const std::uint64_t a0 = a & mask, a1 = a >> 32, b0 = b & mask, b1 = b >> 32;
  const std::uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const std::uint64_t middle = (p00 >> 32) + (p01 & mask) + (p10 & mask);  // < 3·2³²: no overflow
  return {p11 + (p01 >> 32) + (p10 >> 32) + (middle >> 32), (middle << 32) | (p00 & mask)};
}

/// ⌊(hi·2⁶⁴ + lo)/d⌋ and the remainder, for hi < d: Knuth's algorithm D with 32-bit digits
/// (Warren, Hacker's Delight, 2nd ed., §9-4, divlu).
inline std::uint64_t divide_128_by_64(std::uint64_t hi, std::uint64_t lo, std::uint64_t d, std::uint64_t& remainder) {
  const std::uint64_t base = std::uint64_t(1) << 32, mask = base - 1;
  const int s = leading_zeros(d);
  d <<= s;
  const std::uint64_t d1 = d >> 32, d0 = d & mask;
  const std::uint64_t n32 = s == 0 ? hi : (hi << s) | (lo >> (64 - s));
  const std::uint64_t n10 = lo << s;
  const std::uint64_t n1 = n10 >> 32, n0 = n10 & mask;
  std::uint64_t q1 = n32 / d1, r = n32 - q1 * d1;
  while (q1 >= base || q1 * d0 > ((r << 32) | n1)) {
    --q1;
    r += d1;
    if (r >= base) break;
  }
  const std::uint64_t n21 = (n32 << 32) + n1 - q1 * d;  // modulo 2⁶⁴: the true value fits
  std::uint64_t q0 = n21 / d1;
  r = n21 - q0 * d1;
  while (q0 >= base || q0 * d0 > ((r << 32) | n0)) {
    --q0;
    r += d1;
    if (r >= base) break;
  }
  remainder = ((n21 << 32) + n0 - q0 * d) >> s;
  return (q1 << 32) | q0;
}

#endif

/// a + b + carry (carry < 2⁶⁴), the carry out in `carry`.
inline std::uint64_t add_with_carry(std::uint64_t a, std::uint64_t b, std::uint64_t& carry) {
  const std::uint64_t s = a + b;
  const std::uint64_t t = s + carry;
  carry = (s < a ? 1 : 0) + (t < s ? 1 : 0);
  return t;
}

/// a − b − borrow (borrow 0 or 1), the borrow out in `borrow`.
inline std::uint64_t subtract_with_borrow(std::uint64_t a, std::uint64_t b, std::uint64_t& borrow) {
  const std::uint64_t d = a - b;
  const std::uint64_t e = d - borrow;
  borrow = (a < b ? 1 : 0) + (d < borrow ? 1 : 0);
  return e;
}

}  // namespace detail
}  // namespace diffuse
