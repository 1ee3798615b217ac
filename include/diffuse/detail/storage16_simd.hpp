/// The 16-bit conversions on AVX2 (+F16C) and AVX-512F, chosen at run time: the bits of the scalar conversions.
///
/// half: F16C's vcvtph2ps (exact) and vcvtps2ph with round to nearest, ties to even (immediate 0,
/// not MXCSR). They agree with Eigen's scalar conversion for every number, subnormals, zeros and
/// infinities included; for a NaN Eigen's portable conversion gives a canonical quiet NaN where
/// F16C keeps the payload, so a group of lanes holding a NaN goes through the scalar conversion
/// (rare: a NaN in a batch). bfloat16: the integer operations of storage16.hpp's scalar loops,
/// lane by lane (widening: the 16 bits become the high half of the float; narrowing: add 0x7fff
/// plus the kept low bit, keep the high half; a NaN becomes the quiet NaN 0x7fc0 with its sign).
/// Each function converts whole registers from the start of the arrays and returns how many
/// elements it did; the caller does the rest one by one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include <Eigen/Core>

#include "simd.hpp"

#if DIFFUSE_SIMD
#include <cpuid.h>
#endif

namespace diffuse {
namespace detail {

/// The bits of a bfloat16 narrowed from float bits (storage16.hpp's rule, shared by every path).
inline std::uint16_t bfloat16_bits(std::uint32_t bits) {
  const bool nan = (bits & 0x7fffffffu) > 0x7f800000u;
  const std::uint32_t rounded = (bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16;
  return static_cast<std::uint16_t>(nan ? ((bits >> 16) & 0x8000u) | 0x7fc0u : rounded);
}

/// to[k] = static_cast<float>(from[k]) for k in [begin, end): the scalar half conversion.
inline void widen_half_scalar(const Eigen::half* from, std::size_t begin, std::size_t end, float* to) {
  for (std::size_t k = begin; k < end; ++k) to[k] = static_cast<float>(from[k]);
}

/// to[k] = Eigen::half(from[k]) for k in [begin, end): the scalar half conversion.
inline void narrow_half_scalar(const float* from, std::size_t begin, std::size_t end, Eigen::half* to) {
  for (std::size_t k = begin; k < end; ++k) to[k] = Eigen::half(from[k]);
}

#if DIFFUSE_SIMD

/// Whether this CPU runs F16C (vcvtph2ps, vcvtps2ph) besides AVX2 and FMA: CPUID leaf 1, ECX bit 29
/// (clang's __builtin_cpu_supports does not know "f16c"; AVX2's check covers the OS's YMM state).
inline bool cpu_has_f16c() {
  unsigned int eax = 0, ebx = 0, ecx = 0, edx = 0;
  return cpu_has_avx2_fma() && __get_cpuid(1, &eax, &ebx, &ecx, &edx) != 0 && (ecx & (1u << 29)) != 0;
}

#define DIFFUSE_F16C_TARGET __attribute__((target("avx2,fma,f16c")))
namespace avx2 {

/// Eight halves widened per register (F16C); a group holding a NaN goes through the scalar conversion.
DIFFUSE_F16C_TARGET inline std::size_t widen_halves(const Eigen::half* from, std::size_t n, float* to) {
  std::size_t k = 0;
  for (; k + 8 <= n; k += 8) {
    const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(from + k));
    const __m128i magnitude = _mm_and_si128(h, _mm_set1_epi16(0x7fff));
    if (_mm_movemask_epi8(_mm_cmpgt_epi16(magnitude, _mm_set1_epi16(0x7c00))) != 0) {
      widen_half_scalar(from, k, k + 8, to);
    } else {
      _mm256_storeu_ps(to + k, _mm256_cvtph_ps(h));
    }
  }
  return k;
}

/// Eight floats rounded to halves per register (F16C, to nearest, ties to even); a group holding a
/// NaN goes through the scalar conversion.
DIFFUSE_F16C_TARGET inline std::size_t narrow_halves(const float* from, std::size_t n, Eigen::half* to) {
  std::size_t k = 0;
  for (; k + 8 <= n; k += 8) {
    const __m256 f = _mm256_loadu_ps(from + k);
    if (_mm256_movemask_ps(_mm256_cmp_ps(f, f, _CMP_UNORD_Q)) != 0) {
      narrow_half_scalar(from, k, k + 8, to);
    } else {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(to + k), _mm256_cvtps_ph(f, _MM_FROUND_TO_NEAREST_INT));
    }
  }
  return k;
}

/// Eight bfloat16 widened per register: the 16 bits shifted into the high half.
DIFFUSE_AVX2_TARGET inline std::size_t widen_bfloat16s(const Eigen::bfloat16* from, std::size_t n, float* to) {
  std::size_t k = 0;
  for (; k + 8 <= n; k += 8) {
    const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(from + k));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(to + k), _mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
  }
  return k;
}

/// Eight floats narrowed to bfloat16 per register: bfloat16_bits lane by lane.
DIFFUSE_AVX2_TARGET inline std::size_t narrow_bfloat16s(const float* from, std::size_t n, Eigen::bfloat16* to) {
  std::size_t k = 0;
  const __m256i one = _mm256_set1_epi32(1), bias = _mm256_set1_epi32(0x7fff);
  const __m256i magnitude_mask = _mm256_set1_epi32(0x7fffffff), infinity = _mm256_set1_epi32(0x7f800000);
  const __m256i sign = _mm256_set1_epi32(0x8000), quiet = _mm256_set1_epi32(0x7fc0);
  for (; k + 8 <= n; k += 8) {
    const __m256i bits = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(from + k));
    const __m256i high = _mm256_srli_epi32(bits, 16);
    const __m256i rounded =
        _mm256_srli_epi32(_mm256_add_epi32(_mm256_add_epi32(bits, bias), _mm256_and_si256(high, one)), 16);
    const __m256i nan = _mm256_cmpgt_epi32(_mm256_and_si256(bits, magnitude_mask), infinity);
    const __m256i nan_bits = _mm256_or_si256(_mm256_and_si256(high, sign), quiet);
    const __m256i out = _mm256_blendv_epi8(rounded, nan_bits, nan);  // each lane below 2^16
    const __m256i packed = _mm256_permute4x64_epi64(_mm256_packus_epi32(out, out), 0xD8);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(to + k), _mm256_castsi256_si128(packed));
  }
  return k;
}

}  // namespace avx2
#undef DIFFUSE_F16C_TARGET

// GCC 12's AVX-512 intrinsics and -Wmaybe-uninitialized: see simd.hpp.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
namespace avx512 {

/// Sixteen halves widened per register (AVX-512F's vcvtph2ps); a group holding a NaN goes through
/// the scalar conversion.
DIFFUSE_AVX512_TARGET inline std::size_t widen_halves(const Eigen::half* from, std::size_t n, float* to) {
  std::size_t k = 0;
  for (; k + 16 <= n; k += 16) {
    const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(from + k));
    const __m256i magnitude = _mm256_and_si256(h, _mm256_set1_epi16(0x7fff));
    if (_mm256_movemask_epi8(_mm256_cmpgt_epi16(magnitude, _mm256_set1_epi16(0x7c00))) != 0) {
      widen_half_scalar(from, k, k + 16, to);
    } else {
      _mm512_storeu_ps(to + k, _mm512_cvtph_ps(h));
    }
  }
  return k;
}

/// Sixteen floats rounded to halves per register (to nearest, ties to even); a group holding a NaN
/// goes through the scalar conversion.
DIFFUSE_AVX512_TARGET inline std::size_t narrow_halves(const float* from, std::size_t n, Eigen::half* to) {
  std::size_t k = 0;
  for (; k + 16 <= n; k += 16) {
    const __m512 f = _mm512_loadu_ps(from + k);
    if (_mm512_cmp_ps_mask(f, f, _CMP_UNORD_Q) != 0) {
      narrow_half_scalar(from, k, k + 16, to);
    } else {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(to + k), _mm512_cvtps_ph(f, _MM_FROUND_TO_NEAREST_INT));
    }
  }
  return k;
}

/// Sixteen bfloat16 widened per register: the 16 bits shifted into the high half.
DIFFUSE_AVX512_TARGET inline std::size_t widen_bfloat16s(const Eigen::bfloat16* from, std::size_t n, float* to) {
  std::size_t k = 0;
  for (; k + 16 <= n; k += 16) {
    const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(from + k));
    _mm512_storeu_si512(to + k, _mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
  }
  return k;
}

/// Sixteen floats narrowed to bfloat16 per register: bfloat16_bits lane by lane.
DIFFUSE_AVX512_TARGET inline std::size_t narrow_bfloat16s(const float* from, std::size_t n, Eigen::bfloat16* to) {
  std::size_t k = 0;
  const __m512i one = _mm512_set1_epi32(1), bias = _mm512_set1_epi32(0x7fff);
  const __m512i magnitude_mask = _mm512_set1_epi32(0x7fffffff), infinity = _mm512_set1_epi32(0x7f800000);
  const __m512i sign = _mm512_set1_epi32(0x8000), quiet = _mm512_set1_epi32(0x7fc0);
  for (; k + 16 <= n; k += 16) {
    const __m512i bits = _mm512_loadu_si512(from + k);
    const __m512i high = _mm512_srli_epi32(bits, 16);
    const __m512i rounded =
        _mm512_srli_epi32(_mm512_add_epi32(_mm512_add_epi32(bits, bias), _mm512_and_si512(high, one)), 16);
    const __mmask16 nan = _mm512_cmpgt_epu32_mask(_mm512_and_si512(bits, magnitude_mask), infinity);
    const __m512i out = _mm512_mask_blend_epi32(nan, rounded, _mm512_or_si512(_mm512_and_si512(high, sign), quiet));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(to + k), _mm512_cvtepi32_epi16(out));
  }
  return k;
}

}  // namespace avx512
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#else

inline bool cpu_has_f16c() { return false; }

#endif  // DIFFUSE_SIMD

/// The vectorised conversions of a contiguous array on the path in use (half also needs F16C on
/// the AVX2 path): how many leading elements were converted (0 on the portable and NEON paths).
template <class From, class To>
inline std::size_t convert16_simd(const From* from, std::size_t n, To* to) {
#if DIFFUSE_SIMD
  const SimdPath path = simd_path_in_use();
  if (path == SimdPath::avx512) {
    if constexpr (std::is_same<From, Eigen::half>::value) return avx512::widen_halves(from, n, to);
    if constexpr (std::is_same<To, Eigen::half>::value) return avx512::narrow_halves(from, n, to);
    if constexpr (std::is_same<From, Eigen::bfloat16>::value) return avx512::widen_bfloat16s(from, n, to);
    if constexpr (std::is_same<To, Eigen::bfloat16>::value) return avx512::narrow_bfloat16s(from, n, to);
  } else if (path == SimdPath::avx2) {
    static const bool f16c = cpu_has_f16c();
    if constexpr (std::is_same<From, Eigen::half>::value) return f16c ? avx2::widen_halves(from, n, to) : 0;
    if constexpr (std::is_same<To, Eigen::half>::value) return f16c ? avx2::narrow_halves(from, n, to) : 0;
    if constexpr (std::is_same<From, Eigen::bfloat16>::value) return avx2::widen_bfloat16s(from, n, to);
    if constexpr (std::is_same<To, Eigen::bfloat16>::value) return avx2::narrow_bfloat16s(from, n, to);
  }
#else
  static_cast<void>(from);
  static_cast<void>(n);
  static_cast<void>(to);
#endif
  return 0;
}

}  // namespace detail
}  // namespace diffuse
