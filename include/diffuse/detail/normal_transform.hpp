/// The library's specified standard-normal transform: 32-bit words to pairs of N(0, 1), scalar.
#pragma once

#include <cstdint>
#include <type_traits>

#include "host_device.hpp"

namespace diffuse {
namespace detail {

/// The constants of the normal transform for one floating-point type: the integer layout of the
/// type, and the coefficients, each the exact value rounded to nearest:
/// sin((π/2)v) = v·Σ sin_k v^{2k} with sin_k = (−1)^k (π/2)^{2k+1}/(2k+1)! (Taylor, to v^9 or v^19),
/// cos((π/2)v) = Σ cos_k v^{2k} with cos_k = (−1)^k (π/2)^{2k}/(2k)! (to v^12 or v^20),
/// log(1+f) = f − f²/2 + s(f²/2 + Σ log_k s^{2k}), s = f/(2+f), log_k = 2/(2k+1) (the series of
/// 2 atanh s, arranged as in fdlibm's log), ln 2 = ln2_high + ln2_low.
template <class Scalar>
struct NormalConstants;

template <>
struct NormalConstants<float> {
  using Bits = std::uint32_t;
  static constexpr int words = 2;          ///< 32-bit words per pair of normals
  static constexpr int uniform_bits = 31;  ///< u = n · 2^-31
  static constexpr Bits sqrt_half_bits = 0x3f3504f3u;
  static constexpr int mantissa_bits = 23;
  static constexpr float ln2_high = 0x1.62e430p-1f;
  static constexpr float ln2_low = -0x1.05c610p-29f;
  static constexpr int log_terms = 4;
  // clang-format off
  static constexpr float log_k[log_terms] = {0x1.555556p-1f, 0x1.99999ap-2f, 0x1.24924ap-2f,
                                             0x1.c71c72p-3f};
  static constexpr int sin_terms = 5;
  static constexpr float sin_k[sin_terms] = {0x1.921fb6p+0f, -0x1.4abbcep-1f, 0x1.466bc6p-4f,
                                             -0x1.32d2ccp-8f, 0x1.507834p-13f};
  static constexpr int cos_terms = 7;
  static constexpr float cos_k[cos_terms] = {0x1p+0f,         -0x1.3bd3ccp+0f, 0x1.03c1f0p-2f,
                                             -0x1.55d3c8p-6f, 0x1.e1f506p-11f, -0x1.a6d1f2p-16f,
                                             0x1.f9d38ap-22f};
  // clang-format on
};

template <>
struct NormalConstants<double> {
  using Bits = std::uint64_t;
  static constexpr int words = 4;
  static constexpr int uniform_bits = 52;  ///< u = n · 2^-52
  static constexpr Bits sqrt_half_bits = 0x3fe6a09e667f3bcdull;
  static constexpr int mantissa_bits = 52;
  static constexpr double ln2_high = 0x1.62e42fefa39efp-1;
  static constexpr double ln2_low = 0x1.abc9e3b39803fp-56;
  static constexpr int log_terms = 10;
  // clang-format off
  static constexpr double log_k[log_terms] = {
      0x1.5555555555555p-1, 0x1.999999999999ap-2, 0x1.2492492492492p-2, 0x1.c71c71c71c71cp-3,
      0x1.745d1745d1746p-3, 0x1.3b13b13b13b14p-3, 0x1.1111111111111p-3, 0x1.e1e1e1e1e1e1ep-4,
      0x1.af286bca1af28p-4, 0x1.8618618618618p-4};
  static constexpr int sin_terms = 10;
  static constexpr double sin_k[sin_terms] = {
      0x1.921fb54442d18p+0,  -0x1.4abbce625be53p-1, 0x1.466bc6775aae2p-4, -0x1.32d2cce62bd86p-8,
      0x1.50783487ee782p-13, -0x1.e3074fde8871fp-19, 0x1.e8f434d018d63p-25, -0x1.6fadb9f155744p-31,
      0x1.aaec32af93359p-38, -0x1.8a404211f9547p-45};
  static constexpr int cos_terms = 11;
  static constexpr double cos_k[cos_terms] = {
      0x1p+0,                -0x1.3bd3cc9be45dep+0, 0x1.03c1f081b5ac4p-2,  -0x1.55d3c7e3cbffap-6,
      0x1.e1f506891babbp-11, -0x1.a6d1f2a204a8cp-16, 0x1.f9d38a3763cc3p-22, -0x1.b6e24f44b128fp-28,
      0x1.20c62c2f2d7f5p-34, -0x1.2a0c591af8314p-41, 0x1.ef6e308d6d1c4p-49};
  // clang-format on
};

/// Horner's rule with fused multiply-adds: c[K] + x(c[K + 1] + x(… + x c[N − 1])), from the innermost
/// term out: y = c[N − 1], then y = fma(y, x, c[k]) for k = N − 2 down to K. Unrolled at compile
/// time so that each coefficient is read in a constant expression: CUDA device code may use the
/// elements of a constexpr array member there, but may not refer to the array itself.
template <class Scalar, int N, const Scalar (&c)[N], int K = 0>
DIFFUSE_HOST_DEVICE inline Scalar horner(Scalar x) {
  constexpr Scalar coefficient = c[K];
  if constexpr (K == N - 1) {
    return coefficient;
  } else {
    return fused_multiply_add(horner<Scalar, N, c, K + 1>(x), x, coefficient);
  }
}

/// ln(n · 2^-uniform_bits) for a positive finite n ≥ 1 (the steps of docs/noise_contract.md §4, "ln u").
template <class Scalar>
DIFFUSE_HOST_DEVICE inline Scalar log_uniform(Scalar n) {
  using C = NormalConstants<Scalar>;
  using Bits = typename C::Bits;
  using Signed = std::make_signed_t<Bits>;
  const Bits bits = bits_as<Bits>(n);
  // n = 2^k m with m in [√½, √2): k from the exponent of n/√½ (n ≥ 1, so the difference is positive).
  const Bits k = (bits - C::sqrt_half_bits) >> C::mantissa_bits;
  const Scalar m = bits_as<Scalar>(static_cast<Bits>(bits - (k << C::mantissa_bits)));
  const Scalar e = static_cast<Scalar>(static_cast<Signed>(k) - C::uniform_bits);
  const Scalar f = m - Scalar(1);
  const Scalar s = f / (Scalar(2) + f);
  const Scalar z = s * s;
  const Scalar r = z * horner<Scalar, C::log_terms, C::log_k>(z);
  const Scalar half_f = Scalar(0.5) * f;
  Scalar y = fused_multiply_add(s, fused_multiply_add(half_f, f, r), e * C::ln2_low);
  y = fused_multiply_add(-half_f, f, y);
  y = y + f;
  return fused_multiply_add(e, C::ln2_high, y);
}

/// The pair of standard normals the library's transform makes from 32-bit words w[0..words): the
/// steps of docs/noise_contract.md §4 (its normative text). Box–Muller (Box & Muller 1958),
/// z0 = r cos θ, z1 = r sin θ, r = √(−2 ln u), from u = n·2^−31 (float: n = fl(2⌊w0/4⌋ + 1)) or
/// n·2^−52 (double: n = 2⌊(w0 + 2^32 w1)/2^13⌋ + 1), never 0, and θ = (π/2)(q + v) from the quarter
/// q and offset v ∈ (−½, ½) of the angle word, with polynomial ln, sin and cos. Every step is one
/// IEEE operation, so the result is the same with every compiler, standard library and code path;
/// |z − z*| ≤ 2 r ε with z* the exact Box–Muller value of the same u and θ.
template <class Scalar>
DIFFUSE_HOST_DEVICE inline void normal_pair(const std::uint32_t* w, Scalar& z0, Scalar& z1);

template <>
DIFFUSE_HOST_DEVICE inline void normal_pair<float>(const std::uint32_t* w, float& z0, float& z1) {
  using C = NormalConstants<float>;
  const float n = static_cast<float>(static_cast<std::int32_t>((w[0] >> 1) | 1u));
  const float r = square_root(-2.0f * log_uniform(n));
  const std::uint32_t t = w[1] + 0x20000000u;
  const std::uint32_t q = t >> 30;
  const float v = bits_as<float>(((t & 0x3fffffffu) >> 7) | 1u | 0x3f800000u) - 1.5f;
  const float v2 = v * v;
  const float s = v * horner<float, C::sin_terms, C::sin_k>(v2);
  const float c = horner<float, C::cos_terms, C::cos_k>(v2);
  const float cos_theta = (q & 1u) ? s : c;
  const float sin_theta = (q & 1u) ? c : s;
  const bool negate_cos = ((q >> 1) ^ q) & 1u;
  const bool negate_sin = (q >> 1) & 1u;
  z0 = r * (negate_cos ? -cos_theta : cos_theta);
  z1 = r * (negate_sin ? -sin_theta : sin_theta);
}

template <>
DIFFUSE_HOST_DEVICE inline void normal_pair<double>(const std::uint32_t* w, double& z0, double& z1) {
  using C = NormalConstants<double>;
  const std::uint64_t x = w[0] | (static_cast<std::uint64_t>(w[1]) << 32);
  const double n = static_cast<double>((x >> 12) | 1u);  // exact: an odd integer below 2^52
  const double r = square_root(-2.0 * log_uniform(n));
  const std::uint64_t a = w[2] | (static_cast<std::uint64_t>(w[3]) << 32);
  const std::uint64_t t = a + (std::uint64_t{1} << 61);
  const std::uint64_t q = t >> 62;
  const double v = bits_as<double>(((t & 0x3fffffffffffffffull) >> 10) | 1u | 0x3ff0000000000000ull) - 1.5;
  const double v2 = v * v;
  const double s = v * horner<double, C::sin_terms, C::sin_k>(v2);
  const double c = horner<double, C::cos_terms, C::cos_k>(v2);
  const double cos_theta = (q & 1u) ? s : c;
  const double sin_theta = (q & 1u) ? c : s;
  const bool negate_cos = ((q >> 1) ^ q) & 1u;
  const bool negate_sin = (q >> 1) & 1u;
  z0 = r * (negate_cos ? -cos_theta : cos_theta);
  z1 = r * (negate_sin ? -sin_theta : sin_theta);
}

}  // namespace detail
}  // namespace diffuse
