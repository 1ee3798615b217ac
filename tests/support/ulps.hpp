// Distances in ulps between values of float, double and long double (x87 or IEEE binary128), the
// ulp of a value, and the precision contracts of the library as bounds in ulps.
#pragma once

#include <diffuse/detail/wide_decimal.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

namespace test_support {

using diffuse::detail::Wide;

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

/// ulp(x) of a finite T as a long double: 2^(e − p + 1) for 2^e ≤ |x| < 2^(e+1) (p = T's digits),
/// the subnormal spacing below T's smallest normal.
template <class T>
long double ulp(T x) {
  using limits = std::numeric_limits<T>;
  if (!(std::fabs(x) >= limits::min())) return limits::denorm_min();
  int e = 0;
  static_cast<void>(std::frexp(x, &e));  // |x| = f·2^e, f in [½, 1)
  return std::ldexp(1.0L, e - limits::digits);
}

/// The ulp of T at a finite non-zero exact x: 2^(e − p + 1) for 2^e ≤ |x| < 2^(e+1), p = T's digits
/// (the subnormal spacing below T's smallest normal).
template <class T>
Wide ulp_at(const Wide& x) {
  const int e = std::max<int>(x.exponent(), std::numeric_limits<T>::min_exponent - 1);
  return ldexp(Wide(1), e - std::numeric_limits<T>::digits + 1);
}

/// |got − x| in ulps of T at the exact value x (0 if both are the same infinity or zero; +∞ when
/// only one of them is, or got is NaN).
template <class T>
double ulp_error(T got, const Wide& x) {
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

// The contracts. README "Precision" promises every coefficient correctly rounded from a value
// within 2⁻¹⁰⁰ relative of the exact one; schedule.hpp, continuous.hpp and the others keep a
// tighter bound of their own, 2⁻¹¹⁸ relative per unit of a weight that each header states.

/// README's contract for any coefficient, in ulps of Scalar before the exact value is known: ½ ulp
/// (the rounding) + 2⁻¹⁰⁰ relative = 2⁻¹⁰⁰·2^p ulp (p = Scalar's digits); k·ε relative.
template <class Scalar>
long double coefficient_contract_ulps() {
  return 0.5L + std::ldexp(1.0L, std::numeric_limits<Scalar>::digits - 100);
}

/// schedule.hpp's contract, in ulps of T at the exact value x: the value is rounded once from a
/// Wide one within 2⁻¹¹⁸(1 + |log ᾱ_t|)·scale of x (scale = |x|, or for the log-SNR
/// |log ᾱ_t| + |log(1 − ᾱ_t)|: see Schedule's comment), so it is within ½ ulp + that; plus the
/// reference's own precision as read into Wide, 2⁻¹²⁶|x|. For float, double and x87 long double
/// this is ½ ulp and a tiny fraction: correctly rounded unless x lies that close to a tie.
template <class T>
double schedule_contract_ulps(const Wide& x, long double log_alpha_bar, const Wide& scale) {
  if (x.is_zero() || !x.is_finite()) return 0;
  const Wide unit = ulp_at<T>(x);
  const Wide evaluation = ldexp(Wide(1) + Wide(std::fabs(log_alpha_bar)), -118) * scale;
  return 0.5 + static_cast<double>((evaluation + ldexp(abs(x), -126)) / unit);
}

/// The same with scale = |x|, in relative terms: ½ + 2⁻¹¹⁸(1 + |log ᾱ_t|)·2^p + 2⁻¹²⁶·2^p ulp
/// (|x| < 2^(e+1) = 2^p ulp), the bound a test can use before it knows the exact value.
template <class T>
double schedule_contract_ulps(long double log_alpha_bar) {
  const double p = std::numeric_limits<T>::digits;
  return 0.5 + std::ldexp(1.0 + static_cast<double>(std::fabs(log_alpha_bar)), static_cast<int>(p) - 118) +
         std::ldexp(1.0, static_cast<int>(p) - 126);
}

/// The evaluation bound of continuous.hpp, sigma_schedules.hpp and the headers that follow them:
/// 2⁻¹¹⁸ relative per unit of weight (1 + Σ|λ| and its like; see the file comments).
inline Wide contract(double weight) { return ldexp(Wide(weight), -118); }

/// The error of a 40-digit reference value read into Wide: its digits (2⁻¹³⁰·⁵ relative) plus a
/// few units of 2⁻¹²⁸ (the digits after the 38th and the scaling are rounded), 2⁻¹²⁴ with margin.
inline Wide wide_reference_error(const Wide& x) { return ldexp(abs(x), -124); }

/// A value against a contract: its error and the allowed error, both in ulps of T at `scale`.
struct Verdict {
  double ulps = 0;
  double bound = 0;
  bool ok() const { return ulps <= bound; }
};

/// got, a Wide value rounded once to T, against the exact x: allowed ½ ulp at x (the rounding)
/// + `evaluation` (the bound on the Wide value's error, absolute) + the reference's own error.
/// Both figures in ulps of T at `scale` (|x| itself, or max(1, |λ|) for a log-SNR, which crosses
/// zero). An infinite x or got must be matched exactly (ulp_error).
template <class T>
Verdict judge(T got, const Wide& x, const Wide& evaluation, const Wide& scale) {
  Verdict v;
  if (!x.is_finite() || std::isinf(got) || std::isnan(got)) {
    v.ulps = ulp_error(got, x);
    return v;
  }
  const Wide unit = ulp_at<T>(scale);
  const Wide half_ulp = x.is_zero() ? Wide() : ldexp(ulp_at<T>(x), -1);
  v.ulps = static_cast<double>(abs(Wide(got) - x) / unit);
  v.bound = static_cast<double>((half_ulp + evaluation + wide_reference_error(x)) / unit);
  return v;
}

/// The same with the error relative to |x|: within ½ ulp + 2⁻¹¹⁸·weight·|x| (+ the reference's).
template <class T>
Verdict judge_relative(T got, const Wide& x, double weight) {
  return judge(got, x, contract(weight) * abs(x), x.is_zero() ? Wide(1) : abs(x));
}

}  // namespace test_support
