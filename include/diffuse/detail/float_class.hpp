/// Is a value NaN, is it finite: read from its bits, so that the argument checks and the −∞
/// sentinels still work in code compiled with -ffast-math (-ffinite-math-only lets the compiler
/// fold std::isnan and std::isfinite to constants, and drop the NaN case of every comparison).
#pragma once

#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace diffuse {
namespace detail {

/// The bits of x as the unsigned integer of its size.
template <class Bits, class Float>
Bits bits_of(Float x) {
  static_assert(sizeof(Bits) == sizeof(Float), "bits_of needs an integer of the float's size");
  Bits bits;
  std::memcpy(&bits, &x, sizeof bits);
  return bits;
}

/// IEEE 754 binary32 and binary64: the exponent field all ones is ±∞ (fraction 0) or NaN.
inline bool is_nan(float x) { return (bits_of<std::uint32_t>(x) & 0x7fffffffu) > 0x7f800000u; }
inline bool is_finite(float x) { return (bits_of<std::uint32_t>(x) & 0x7f800000u) != 0x7f800000u; }
inline bool is_nan(double x) { return (bits_of<std::uint64_t>(x) & 0x7fffffffffffffffu) > 0x7ff0000000000000u; }
inline bool is_finite(double x) { return (bits_of<std::uint64_t>(x) & 0x7ff0000000000000u) != 0x7ff0000000000000u; }

/// long double: a plain double (MSVC, Apple arm64), the x87 80-bit format (64-bit significand
/// with an explicit integer bit, 15-bit exponent in bytes 8–9) or IEEE binary128 (exponent in
/// bytes 14–15), little-endian. Any other format falls back to <cmath>, which -ffast-math may fold.
#if LDBL_MANT_DIG == 53
inline bool is_nan(long double x) { return is_nan(static_cast<double>(x)); }
inline bool is_finite(long double x) { return is_finite(static_cast<double>(x)); }
#elif (LDBL_MANT_DIG == 64 || LDBL_MANT_DIG == 113) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/// The exponent field is all ones (±∞ or NaN); the fraction (without x87's integer bit) is not 0.
inline bool long_double_exponent_all_ones(long double x, bool& fraction_nonzero) {
  constexpr std::size_t top = LDBL_MANT_DIG == 64 ? 8 : 14;  // the sign-and-exponent half-word
  unsigned char bytes[sizeof(long double)];
  std::memcpy(bytes, &x, sizeof bytes);
  std::uint64_t low;
  std::memcpy(&low, bytes, sizeof low);
  fraction_nonzero = (LDBL_MANT_DIG == 64 ? low & 0x7fffffffffffffffu : low) != 0;
  for (std::size_t i = 8; i < top; ++i) fraction_nonzero = fraction_nonzero || bytes[i] != 0;
  return ((static_cast<unsigned>(bytes[top + 1]) << 8 | bytes[top]) & 0x7fffu) == 0x7fffu;
}
inline bool is_nan(long double x) {
  bool fraction_nonzero = false;
  return long_double_exponent_all_ones(x, fraction_nonzero) && fraction_nonzero;
}
inline bool is_finite(long double x) {
  bool fraction_nonzero = false;
  return !long_double_exponent_all_ones(x, fraction_nonzero);
}
#else
inline bool is_nan(long double x) { return std::isnan(x); }
inline bool is_finite(long double x) { return std::isfinite(x); }
#endif

}  // namespace detail
}  // namespace diffuse
