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
/// elements it did; the caller does the rest one by one. The loops are written once, in
/// storage16_simd_body.hpp, over the primitives defined here for each instruction set.
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

namespace avx2 {
#define DIFFUSE_SIMD_TARGET DIFFUSE_AVX2_TARGET
#define DIFFUSE_HALF_TARGET __attribute__((target("avx2,fma,f16c")))

/// The 16-bit words of eight elements.
using Halves = __m128i;
DIFFUSE_SIMD_TARGET inline Halves load_halves(const void* p) { return _mm_loadu_si128(static_cast<const Halves*>(p)); }
DIFFUSE_SIMD_TARGET inline void store_halves(void* p, Halves h) { _mm_storeu_si128(static_cast<Halves*>(p), h); }
/// Whether a lane holds a half NaN: its magnitude, a non-negative 16-bit integer, above 0x7c00.
DIFFUSE_SIMD_TARGET inline bool any_half_nan(Halves h) {
  return _mm_movemask_epi8(_mm_cmpgt_epi16(_mm_and_si128(h, _mm_set1_epi16(0x7fff)), _mm_set1_epi16(0x7c00))) != 0;
}
/// F16C's vcvtph2ps and vcvtps2ph (immediate 0: to nearest, ties to even, not MXCSR).
DIFFUSE_HALF_TARGET inline Float half_to_float(Halves h) { return _mm256_cvtph_ps(h); }
DIFFUSE_HALF_TARGET inline Halves float_to_half(Float f) { return _mm256_cvtps_ph(f, _MM_FROUND_TO_NEAREST_INT); }
DIFFUSE_SIMD_TARGET inline bool any_nan(Float f) { return _mm256_movemask_ps(_mm256_cmp_ps(f, f, _CMP_UNORD_Q)) != 0; }
/// The words zero-extended to 32-bit lanes, and back (each lane below 2^16), in order.
DIFFUSE_SIMD_TARGET inline Int widen16(Halves h) { return _mm256_cvtepu16_epi32(h); }
DIFFUSE_SIMD_TARGET inline Halves narrow16(Int a) {
  return _mm256_castsi256_si128(_mm256_permute4x64_epi64(_mm256_packus_epi32(a, a), 0xD8));
}
/// Lane by lane: `above` where x > bound, else `otherwise` (x and bound in [0, 2^31)).
DIFFUSE_SIMD_TARGET inline Int select_above(Int x, Int bound, Int above, Int otherwise) {
  return _mm256_blendv_epi8(otherwise, above, _mm256_cmpgt_epi32(x, bound));
}

#include "storage16_simd_body.hpp"

#undef DIFFUSE_HALF_TARGET
#undef DIFFUSE_SIMD_TARGET
}  // namespace avx2

// GCC 12's AVX-512 intrinsics and -Wmaybe-uninitialized: see simd.hpp.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
namespace avx512 {
#define DIFFUSE_SIMD_TARGET DIFFUSE_AVX512_TARGET
#define DIFFUSE_HALF_TARGET DIFFUSE_AVX512_TARGET

/// The 16-bit words of sixteen elements.
using Halves = __m256i;
DIFFUSE_SIMD_TARGET inline Halves load_halves(const void* p) {
  return _mm256_loadu_si256(static_cast<const Halves*>(p));
}
DIFFUSE_SIMD_TARGET inline void store_halves(void* p, Halves h) { _mm256_storeu_si256(static_cast<Halves*>(p), h); }
/// Whether a lane holds a half NaN: its magnitude, a non-negative 16-bit integer, above 0x7c00.
DIFFUSE_SIMD_TARGET inline bool any_half_nan(Halves h) {
  return _mm256_movemask_epi8(
             _mm256_cmpgt_epi16(_mm256_and_si256(h, _mm256_set1_epi16(0x7fff)), _mm256_set1_epi16(0x7c00))) != 0;
}
/// AVX-512F's vcvtph2ps and vcvtps2ph (to nearest, ties to even, not MXCSR).
DIFFUSE_HALF_TARGET inline Float half_to_float(Halves h) { return _mm512_cvtph_ps(h); }
DIFFUSE_HALF_TARGET inline Halves float_to_half(Float f) { return _mm512_cvtps_ph(f, _MM_FROUND_TO_NEAREST_INT); }
DIFFUSE_SIMD_TARGET inline bool any_nan(Float f) { return _mm512_cmp_ps_mask(f, f, _CMP_UNORD_Q) != 0; }
/// The words zero-extended to 32-bit lanes, and back (each lane below 2^16), in order.
DIFFUSE_SIMD_TARGET inline Int widen16(Halves h) { return _mm512_cvtepu16_epi32(h); }
DIFFUSE_SIMD_TARGET inline Halves narrow16(Int a) { return _mm512_cvtepi32_epi16(a); }
/// Lane by lane: `above` where x > bound, else `otherwise` (x and bound in [0, 2^31)).
DIFFUSE_SIMD_TARGET inline Int select_above(Int x, Int bound, Int above, Int otherwise) {
  return _mm512_mask_blend_epi32(_mm512_cmpgt_epu32_mask(x, bound), otherwise, above);
}

#include "storage16_simd_body.hpp"

#undef DIFFUSE_HALF_TARGET
#undef DIFFUSE_SIMD_TARGET
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
