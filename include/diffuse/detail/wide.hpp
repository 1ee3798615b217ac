/// The extended-precision arithmetic the schedules are built in: decimal constants, compensated sums.
#pragma once

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>

#include "error.hpp"

namespace diffuse {
namespace detail {

/// The type every schedule is computed in before it is rounded once to its scalar type.
/// On x86-64 (and on aarch64 Linux) it has at least 64 significand bits; where long double is
/// only a double (MSVC, Apple arm64) the precision contract of README.md does not hold.
using wide = long double;

/// True where `wide` is wide enough for diffuse's precision contract.
inline constexpr bool wide_is_extended = std::numeric_limits<wide>::digits >= 64;

/// π to the precision of `wide`.
inline constexpr wide pi_wide = 3.14159265358979323846264338327950288L;

/// The decimal a double constant stands for: the shortest decimal that reads back as x, parsed in
/// `wide`. So 1e-4 means one ten-thousandth, not the double nearest to it.
inline wide decimal_value(double x) {
  if (!detail::is_finite(x)) return static_cast<wide>(x);
  return std::strtold(shortest_decimal(x).c_str(), nullptr);
}

/// 1 − d for the decimal d that x spells (see decimal_value), rounded once: d = m·10^−k with
/// integers m < 10^k ≤ 10^19 gives (10^k − m)/10^k, exact integers divided once; otherwise
/// 1 − decimal_value(x). So 1 − 0.999 is 0.001 to the last bit of `wide`.
inline wide decimal_complement(double x) {
  const std::string text = shortest_decimal(x);  // digits, an optional '.', an optional e±NN
  const std::size_t e = text.find('e');
  const std::string mantissa = text.substr(0, e);
  const std::size_t point = mantissa.find('.');
  std::string digits = mantissa;
  int places = 0;
  if (point != std::string::npos) {
    digits.erase(point, 1);
    places = static_cast<int>(mantissa.size() - point - 1);
  }
  if (e != std::string::npos) places -= std::atoi(text.c_str() + e + 1);
  if (!detail::is_finite(x) || x < 0 || places < 0 || places > 19) return 1 - decimal_value(x);
  unsigned long long power = 1;
  for (int k = 0; k < places; ++k) power *= 10;
  const unsigned long long m = std::stoull(digits);
  if (m > power) return 1 - decimal_value(x);
  return static_cast<wide>(power - m) / static_cast<wide>(power);
}

/// Neumaier's compensated sum: error about one rounding of the total, whatever the count.
class CompensatedSum {
 public:
  void add(wide x) {
    const wide t = sum_ + x;
    if (!detail::is_finite(t)) {  // −∞ (a step with β = 1) absorbs everything after it
      sum_ = t;
      compensation_ = 0;
      return;
    }
    if (std::fabs(sum_) >= std::fabs(x)) {
      compensation_ += (sum_ - t) + x;
    } else {
      compensation_ += (x - t) + sum_;
    }
    sum_ = t;
  }
  /// The sum rounded to `wide`.
  wide value() const { return sum_ + compensation_; }
  /// The running sum and its correction, whose exact sum is the compensated total.
  wide high() const { return sum_; }
  wide low() const { return compensation_; }

 private:
  wide sum_ = 0;
  wide compensation_ = 0;
};

/// 1 − eˣ = −expm1(x) without cancellation, and +0 (not −0) at x = 0.
inline wide one_minus_exp(wide x) { return wide(0) - std::expm1(x); }

/// log α from β and α = 1 − β, each given accurately: log1p(−β) for small β, log α otherwise.
inline wide log_alpha(wide beta, wide alpha) {
  return beta < 0.5L ? std::log1p(-beta) : std::log(alpha);
}

}  // namespace detail
}  // namespace diffuse
