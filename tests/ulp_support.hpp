// Test support shared by the precision tests: ulp distances between values of float, double and
// long double (x87 or IEEE binary128), and reference values read exactly into diffuse's Wide.
#pragma once

#include <diffuse/detail/wide_decimal.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <string>

namespace reference {

/// Wide enough to number every long double (x87: 2^79 values).
__extension__ typedef __int128 Ordinal;

/// An integer-valued v in [0, 2^p) of T (p = T's digits, up to 113) as an Ordinal, in two pieces of
/// at most 64 bits each (a single conversion to unsigned long long would overflow for p > 64).
template <class T>
Ordinal integer_below_two_to_p(T v) {
  constexpr int p = std::numeric_limits<T>::digits;
  if (p <= 64) return static_cast<Ordinal>(static_cast<unsigned long long>(v));
  const T top = std::floor(std::ldexp(v, 64 - p));  // the high 64 bits
  const T low = v - std::ldexp(top, p - 64);        // exact: the low p − 64 bits
  return (static_cast<Ordinal>(static_cast<unsigned long long>(top)) << (p > 64 ? p - 64 : 0)) +
         static_cast<Ordinal>(static_cast<unsigned long long>(low));
}

/// The position of |x| among the non-negative values of T (0 for 0, 1 for the smallest subnormal,
/// the largest finite value + 1 for infinity), the same order as IEEE bit patterns.
template <class T>
Ordinal magnitude_ordinal(T x) {
  using limits = std::numeric_limits<T>;
  constexpr int p = limits::digits;
  constexpr int emin = limits::min_exponent;  // the smallest normal is 2^(emin − 1)
  x = std::fabs(x);
  if (std::isinf(x)) return magnitude_ordinal(limits::max()) + 1;
  if (x == 0) return 0;
  int e = 0;
  const T f = std::frexp(x, &e);                                            // x = f·2^e, f in [1/2, 1)
  if (e < emin) return integer_below_two_to_p<T>(std::ldexp(x, p - emin));  // subnormal: k·2^(emin − p)
  const Ordinal m = integer_below_two_to_p<T>(std::ldexp(f, p));            // in [2^(p−1), 2^p)
  return (static_cast<Ordinal>(e - emin) << (p - 1)) + m;
}

/// The number of values of T between a and b (bit-pattern distance across zero; +0 and −0 are
/// the same value, inf to inf of the same sign is 0); +∞ if either is NaN.
template <class T>
double ulp_distance(T a, T b) {
  if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<double>::infinity();
  const Ordinal oa = std::signbit(a) ? -magnitude_ordinal(a) : magnitude_ordinal(a);
  const Ordinal ob = std::signbit(b) ? -magnitude_ordinal(b) : magnitude_ordinal(b);
  return static_cast<double>(oa > ob ? oa - ob : ob - oa);
}

/// A decimal (or "inf", "-inf", a C99 hex float) rounded correctly to T.
template <class T>
T parse(const std::string& text);
template <>
inline float parse<float>(const std::string& text) {
  return std::strtof(text.c_str(), nullptr);
}
template <>
inline double parse<double>(const std::string& text) {
  return std::strtod(text.c_str(), nullptr);
}
template <>
inline long double parse<long double>(const std::string& text) {
  return std::strtold(text.c_str(), nullptr);
}

/// The exact value of a reference number (40 significant digits, "inf", "-inf"), read into
/// diffuse's 128-bit Wide: within 4 units of 2⁻¹²⁸ relative of the decimal (parse_decimal takes 38
/// digits exactly and rounds the rest and the scaling; 3.2 units measured on 40-digit decimals), so
/// a value that lies exactly halfway between two values of T (1 − β for a double β, say) reads as
/// within that of halfway, and a contract's slack must cover it.
inline diffuse::detail::Wide exact(const std::string& text) {
  diffuse::detail::Wide w;
  if (!diffuse::detail::parse_decimal(text, w)) throw std::runtime_error("not a number: " + text);
  return w;
}

/// The ulp of T at a finite non-zero x: 2^(e − p + 1) for 2^e ≤ |x| < 2^(e+1), p = T's digits
/// (the subnormal spacing below T's smallest normal).
template <class T>
diffuse::detail::Wide ulp_at(const diffuse::detail::Wide& x) {
  const int e = std::max<int>(x.exponent(), std::numeric_limits<T>::min_exponent - 1);
  return ldexp(diffuse::detail::Wide(1), e - std::numeric_limits<T>::digits + 1);
}

/// |got − x| in ulps of T at the exact value x (0 if both are the same infinity or zero; +∞ when
/// only one of them is, or got is NaN).
template <class T>
double ulp_error(T got, const diffuse::detail::Wide& x) {
  using diffuse::detail::Wide;
  const double inf = std::numeric_limits<double>::infinity();
  if (std::isnan(got)) return inf;
  if (std::isinf(got) && x.is_finite() && x.negative() == std::signbit(got)) {
    // T's largest value plus half its ulp: at or beyond it, x rounds to ±∞.
    const Wide largest(std::numeric_limits<T>::max());
    return abs(x) >= largest + ldexp(ulp_at<T>(largest), -1) ? 0 : inf;
  }
  if (x.is_infinite() || std::isinf(got) || x.is_zero()) return Wide(got) == x ? 0 : inf;
  return static_cast<double>(abs(Wide(got) - x) / ulp_at<T>(x));
}

/// A value with all the digits of its type, for failure messages.
inline std::string digits(long double x) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.21Lg", x);
  return buffer;
}

}  // namespace reference
