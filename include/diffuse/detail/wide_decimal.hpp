/// Decimal numerals in Wide: powers of ten, the value of a numeral, the decimal a double constant spells.
#pragma once

#include <cstdlib>
#include <string>

#include "error.hpp"
#include "float_class.hpp"
#include "uint128.hpp"
#include "wide.hpp"
#include "wide_constants.hpp"

namespace diffuse {
namespace detail {

/// 10ⁿ, 0 ≤ n < 2¹⁷: exact for n ≤ 55 (5ⁿ < 2¹²⁸); above, the product of the tabled 10^(2ᵏ) of
/// n's bits (each correctly rounded), within (1 + the number of bits set in n) units of 2⁻¹²⁸.
inline Wide power_of_ten(int n) {
  if (n <= 55) {
    U256 five{{1, 0, 0, 0}};
    for (int i = 0; i < n; ++i) {  // five *= 5, two words suffice
      const U128 low = multiply_full(five.w[0], 5);
      five.w[1] = five.w[1] * 5 + low.hi;
      five.w[0] = low.lo;
    }
    return ldexp(Wide::from_magnitude(false, 255, five, false), n);
  }
  Wide power(1);
  for (int k = 0; n != 0; ++k, n >>= 1) {
    if ((n & 1) != 0) power *= wide_constants::powers_of_ten[k];
  }
  return power;
}

/// The value of a decimal numeral: [−]digits[.digits][e[±]digits], any number of digits (the first
/// 38 exactly, each further one within a unit of 2⁻¹²⁸: two roundings), a decimal exponent of at
/// most 100000 in magnitude, scaled by power_of_ten with one more rounding (exact up to 10⁵⁵).
/// "inf", "-inf" and "nan" are recognised. Returns false on anything else.
inline bool parse_decimal(const std::string& text, Wide& out) {
  std::size_t i = 0;
  const bool negative = !text.empty() && (text[0] == '-' || text[0] == '+') ? text[i++] == '-' : false;
  const std::string rest = text.substr(i);
  if (rest == "inf" || rest == "infinity") {
    out = Wide::infinity(negative);
    return true;
  }
  if (rest == "nan") {
    out = Wide::nan();
    return true;
  }
  U256 digits{{0, 0, 0, 0}};
  Wide tail;  // the value once more than 38 digits are read
  int count = 0, scale = 0;
  bool any = false, point = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.' && !point) {
      point = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    any = true;
    if (point) --scale;
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (count == 0 && d == 0) continue;  // leading zeros
    if (++count <= 38) {
      const U128 low = multiply_full(digits.w[0], 10);
      digits.w[1] = digits.w[1] * 10 + low.hi;
      std::uint64_t carry = 0;
      digits.w[0] = add_with_carry(low.lo, d, carry);
      digits.w[1] += carry;
      if (count == 38) tail = Wide::from_magnitude(false, 255, digits, false);
    } else {
      tail = tail * Wide(10) + Wide(static_cast<int>(d));
    }
  }
  if (!any) return false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    const bool exponent_negative = i < text.size() && (text[i] == '-' || text[i] == '+') ? text[i++] == '-' : false;
    long exponent = 0;
    bool exponent_digits = false;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      exponent = exponent * 10 + (text[i] - '0');
      exponent_digits = true;
      if (exponent > 100000) return false;
    }
    if (!exponent_digits) return false;
    scale += static_cast<int>(exponent_negative ? -exponent : exponent);
  }
  if (i != text.size()) return false;
  Wide value = count > 38 ? tail : Wide::from_magnitude(false, 255, digits, false);
  if (value.is_zero()) {
    out = negative ? -value : value;
    return true;
  }
  value = scale >= 0 ? value * power_of_ten(scale) : value / power_of_ten(-scale);
  out = negative ? -value : value;
  return true;
}

/// The decimal a double constant stands for: the shortest decimal that reads back as x, parsed
/// exactly and rounded once (see parse_decimal). So 1e-4 means one ten-thousandth, not the double
/// nearest to it.
inline Wide decimal_value(double x) {
  if (!detail::is_finite(x)) return Wide(x);
  Wide w;
  parse_decimal(shortest_decimal(x), w);
  return w;
}

/// 1 − d for the decimal d that x spells (see decimal_value), rounded once: d = m·10^−k with
/// 10^k < 2¹²⁸ gives (10^k − m)/10^k, exact integers divided once; otherwise 1 − decimal_value(x).
/// So 1 − 0.999 is 0.001 to the last bit.
inline Wide decimal_complement(double x) {
  if (!detail::is_finite(x) || x < 0) return Wide(1) - decimal_value(x);
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
  if (places < 0 || places > 38) return Wide(1) - decimal_value(x);
  Wide m;
  parse_decimal(digits, m);  // an integer below 10^17: exact
  const Wide power = power_of_ten(places);
  if (m > power) return Wide(1) - decimal_value(x);
  return (power - m) / power;  // both exact integers below 2^128: one rounding
}

}  // namespace detail
}  // namespace diffuse
