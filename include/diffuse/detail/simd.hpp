/// The vectorised layers (AVX2+FMA, AVX-512F chosen at run time from the CPU's features; NEON on aarch64), and the batch combination on them.
///
/// Each instruction set gets a thin layer of primitives in its own namespace (one IEEE operation
/// each), and the kernels written once over those primitives (simd_scaled_sum_body.hpp here, the
/// noise engine's noise_simd_body.hpp in noise_simd.hpp) are compiled for each of them. Every path
/// therefore performs the same operations on the same values and gives the same bits as the
/// portable path. No compiler flag is needed: on x86-64 the path is chosen when the program runs;
/// on aarch64, where NEON (Advanced SIMD, with fused multiply-add and division in both precisions)
/// is part of the architecture, it is the default path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <type_traits>

#include "error.hpp"
#include "scaled_sum.hpp"

#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
#define DIFFUSE_SIMD 1
#include <immintrin.h>
#else
#define DIFFUSE_SIMD 0
#endif
#if (defined(__GNUC__) || defined(__clang__)) && defined(__aarch64__) && defined(__ARM_NEON) && \
    !defined(DIFFUSE_NO_NEON)
#define DIFFUSE_NEON 1
#include <arm_neon.h>
#else
#define DIFFUSE_NEON 0
#endif

namespace diffuse {
namespace detail {

#if DIFFUSE_SIMD

/// Whether this CPU (and its operating system) runs AVX2 and FMA instructions.
inline bool cpu_has_avx2_fma() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

/// Whether this CPU (and its operating system) runs AVX-512F instructions.
inline bool cpu_has_avx512f() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && cpu_has_avx2_fma();
}

#define DIFFUSE_AVX2_TARGET __attribute__((target("avx2,fma")))
#define DIFFUSE_SIMD_TARGET DIFFUSE_AVX2_TARGET
/// AVX2+FMA: eight 32-bit lanes, eight floats, four doubles per register.
namespace avx2 {

using Int = __m256i;
using Float = __m256;
using Double = __m256d;
inline constexpr int lanes = 8;
/// Counter sets in flight at once (enough independent work to hide the multiplications' latency).
inline constexpr int sets = 4;
/// Two registers of 32-bit words: the high and the low halves of 64-bit values.
struct Product {
  Int hi, lo;
};

DIFFUSE_SIMD_TARGET inline Int splat32(std::uint32_t x) { return _mm256_set1_epi32(static_cast<int>(x)); }
DIFFUSE_SIMD_TARGET inline Int splat64(std::uint64_t x) { return _mm256_set1_epi64x(static_cast<long long>(x)); }
DIFFUSE_SIMD_TARGET inline Int add32(Int a, Int b) { return _mm256_add_epi32(a, b); }
DIFFUSE_SIMD_TARGET inline Int sub32(Int a, Int b) { return _mm256_sub_epi32(a, b); }
DIFFUSE_SIMD_TARGET inline Int add64(Int a, Int b) { return _mm256_add_epi64(a, b); }
DIFFUSE_SIMD_TARGET inline Int sub64(Int a, Int b) { return _mm256_sub_epi64(a, b); }
DIFFUSE_SIMD_TARGET inline Int bit_and(Int a, Int b) { return _mm256_and_si256(a, b); }
DIFFUSE_SIMD_TARGET inline Int bit_or(Int a, Int b) { return _mm256_or_si256(a, b); }
DIFFUSE_SIMD_TARGET inline Int bit_xor(Int a, Int b) { return _mm256_xor_si256(a, b); }
DIFFUSE_SIMD_TARGET inline Int xor3(Int a, Int b, Int c) { return _mm256_xor_si256(_mm256_xor_si256(a, b), c); }
/// (x & a) | b and (x ^ a) & b.
DIFFUSE_SIMD_TARGET inline Int and_or(Int x, Int a, Int b) { return _mm256_or_si256(_mm256_and_si256(x, a), b); }
DIFFUSE_SIMD_TARGET inline Int xor_and(Int x, Int a, Int b) { return _mm256_and_si256(_mm256_xor_si256(x, a), b); }
// clang-format off
template <int N> DIFFUSE_SIMD_TARGET inline Int shr32(Int a) { return _mm256_srli_epi32(a, N); }
template <int N> DIFFUSE_SIMD_TARGET inline Int shl32(Int a) { return _mm256_slli_epi32(a, N); }
template <int N> DIFFUSE_SIMD_TARGET inline Int shr64(Int a) { return _mm256_srli_epi64(a, N); }
template <int N> DIFFUSE_SIMD_TARGET inline Int shl64(Int a) { return _mm256_slli_epi64(a, N); }
// clang-format on

/// The high and low words of the 64-bit products x·m, lane by lane.
DIFFUSE_SIMD_TARGET inline Product mulhilo(Int x, Int m) {
  const Int even = _mm256_mul_epu32(x, m);
  const Int odd = _mm256_mul_epu32(_mm256_srli_epi64(x, 32), m);
  return {_mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA),
          _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA)};
}

/// 0, 1, …, 7.
DIFFUSE_SIMD_TARGET inline Int lane_index() { return _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7); }

/// The low and high words of blocks base + l, l = 0..7, with the carry into the high word.
DIFFUSE_SIMD_TARGET inline Product block_words(std::uint64_t base) {
  const Int sign = splat32(0x80000000u);
  const Int low_base = splat32(static_cast<std::uint32_t>(base));
  const Int low = _mm256_add_epi32(low_base, _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  const Int carry = _mm256_cmpgt_epi32(_mm256_xor_si256(low_base, sign), _mm256_xor_si256(low, sign));
  return {_mm256_sub_epi32(splat32(static_cast<std::uint32_t>(base >> 32)), carry), low};
}

DIFFUSE_SIMD_TARGET inline Float splat(float x) { return _mm256_set1_ps(x); }
DIFFUSE_SIMD_TARGET inline Float add(Float a, Float b) { return _mm256_add_ps(a, b); }
DIFFUSE_SIMD_TARGET inline Float sub(Float a, Float b) { return _mm256_sub_ps(a, b); }
DIFFUSE_SIMD_TARGET inline Float mul(Float a, Float b) { return _mm256_mul_ps(a, b); }
DIFFUSE_SIMD_TARGET inline Float div(Float a, Float b) { return _mm256_div_ps(a, b); }
DIFFUSE_SIMD_TARGET inline Float fmadd(Float a, Float b, Float c) { return _mm256_fmadd_ps(a, b, c); }
DIFFUSE_SIMD_TARGET inline Float fnmadd(Float a, Float b, Float c) { return _mm256_fnmadd_ps(a, b, c); }
DIFFUSE_SIMD_TARGET inline Float sqrt(Float a) { return _mm256_sqrt_ps(a); }
DIFFUSE_SIMD_TARGET inline Float to_float(Int a) { return _mm256_cvtepi32_ps(a); }
DIFFUSE_SIMD_TARGET inline Float as_float(Int a) { return _mm256_castsi256_ps(a); }
DIFFUSE_SIMD_TARGET inline Int as_int(Float a) { return _mm256_castps_si256(a); }
/// Lane by lane: `negative` where the sign bit of `selector` is set, else `positive`.
DIFFUSE_SIMD_TARGET inline Float select_sign(Int selector, Float positive, Float negative) {
  return _mm256_blendv_ps(positive, negative, _mm256_castsi256_ps(selector));
}
DIFFUSE_SIMD_TARGET inline Float flip_sign(Float a, Int sign) { return _mm256_xor_ps(a, _mm256_castsi256_ps(sign)); }
DIFFUSE_SIMD_TARGET inline Float load(const float* p) { return _mm256_loadu_ps(p); }
DIFFUSE_SIMD_TARGET inline void store(float* p, Float a) { _mm256_storeu_ps(p, a); }

DIFFUSE_SIMD_TARGET inline Double splat(double x) { return _mm256_set1_pd(x); }
DIFFUSE_SIMD_TARGET inline Double add(Double a, Double b) { return _mm256_add_pd(a, b); }
DIFFUSE_SIMD_TARGET inline Double sub(Double a, Double b) { return _mm256_sub_pd(a, b); }
DIFFUSE_SIMD_TARGET inline Double mul(Double a, Double b) { return _mm256_mul_pd(a, b); }
DIFFUSE_SIMD_TARGET inline Double div(Double a, Double b) { return _mm256_div_pd(a, b); }
DIFFUSE_SIMD_TARGET inline Double fmadd(Double a, Double b, Double c) { return _mm256_fmadd_pd(a, b, c); }
DIFFUSE_SIMD_TARGET inline Double fnmadd(Double a, Double b, Double c) { return _mm256_fnmadd_pd(a, b, c); }
DIFFUSE_SIMD_TARGET inline Double sqrt(Double a) { return _mm256_sqrt_pd(a); }
DIFFUSE_SIMD_TARGET inline Double as_double(Int a) { return _mm256_castsi256_pd(a); }
DIFFUSE_SIMD_TARGET inline Int as_int(Double a) { return _mm256_castpd_si256(a); }
/// Lane by lane (64-bit lanes): `negative` where the sign bit of `selector` is set, else `positive`.
DIFFUSE_SIMD_TARGET inline Double select_sign(Int selector, Double positive, Double negative) {
  return _mm256_blendv_pd(positive, negative, _mm256_castsi256_pd(selector));
}
DIFFUSE_SIMD_TARGET inline Double flip_sign(Double a, Int sign) { return _mm256_xor_pd(a, _mm256_castsi256_pd(sign)); }
DIFFUSE_SIMD_TARGET inline Double load(const double* p) { return _mm256_loadu_pd(p); }
DIFFUSE_SIMD_TARGET inline void store(double* p, Double a) { _mm256_storeu_pd(p, a); }

DIFFUSE_SIMD_TARGET inline Int load_words(const void* p) { return _mm256_loadu_si256(static_cast<const Int*>(p)); }

/// The value itself, opaque to the compiler (no contraction into a fused multiply-add across it).
template <class Vector>
DIFFUSE_SIMD_TARGET inline Vector opaque(Vector a) {
  __asm__("" : "+x"(a));
  return a;
}

/// 64-bit lanes w_lo + 2^32 w_hi of blocks 0, 1, 4, 5 (first) and 2, 3, 6, 7 (second).
DIFFUSE_SIMD_TARGET inline Int join_first(Int lo, Int hi) { return _mm256_unpacklo_epi32(lo, hi); }
DIFFUSE_SIMD_TARGET inline Int join_second(Int lo, Int hi) { return _mm256_unpackhi_epi32(lo, hi); }

/// Stores, in element order, the float normals of blocks 0..7 (lane l: block l; a0, a1 its
/// elements 0, 1 and b0, b1 its elements 2, 3).
DIFFUSE_SIMD_TARGET inline void store_block_normals(Float a0, Float a1, Float b0, Float b1, float* out) {
  const Float t0 = _mm256_unpacklo_ps(a0, a1);
  const Float t1 = _mm256_unpackhi_ps(a0, a1);
  const Float t2 = _mm256_unpacklo_ps(b0, b1);
  const Float t3 = _mm256_unpackhi_ps(b0, b1);
  const Float u0 = _mm256_shuffle_ps(t0, t2, 0x44);  // blocks 0 and 4
  const Float u1 = _mm256_shuffle_ps(t0, t2, 0xEE);  // blocks 1 and 5
  const Float u2 = _mm256_shuffle_ps(t1, t3, 0x44);  // blocks 2 and 6
  const Float u3 = _mm256_shuffle_ps(t1, t3, 0xEE);  // blocks 3 and 7
  _mm256_store_ps(out, _mm256_permute2f128_ps(u0, u1, 0x20));
  _mm256_store_ps(out + 8, _mm256_permute2f128_ps(u2, u3, 0x20));
  _mm256_store_ps(out + 16, _mm256_permute2f128_ps(u0, u1, 0x31));
  _mm256_store_ps(out + 24, _mm256_permute2f128_ps(u2, u3, 0x31));
}

/// Stores, in element order, the double normals of blocks 0..7: a0, a1 the elements 0, 1 of
/// blocks 0, 1, 4, 5 and b0, b1 those of blocks 2, 3, 6, 7 (join_first, join_second).
DIFFUSE_SIMD_TARGET inline void store_block_normals(Double a0, Double a1, Double b0, Double b1, double* out) {
  const Double a_even = _mm256_unpacklo_pd(a0, a1);  // blocks 0 and 4
  const Double a_odd = _mm256_unpackhi_pd(a0, a1);   // blocks 1 and 5
  const Double b_even = _mm256_unpacklo_pd(b0, b1);  // blocks 2 and 6
  const Double b_odd = _mm256_unpackhi_pd(b0, b1);   // blocks 3 and 7
  _mm256_store_pd(out, _mm256_permute2f128_pd(a_even, a_odd, 0x20));
  _mm256_store_pd(out + 4, _mm256_permute2f128_pd(b_even, b_odd, 0x20));
  _mm256_store_pd(out + 8, _mm256_permute2f128_pd(a_even, a_odd, 0x31));
  _mm256_store_pd(out + 12, _mm256_permute2f128_pd(b_even, b_odd, 0x31));
}

#include "simd_scaled_sum_body.hpp"

}  // namespace avx2
#undef DIFFUSE_SIMD_TARGET

// GCC 12's AVX-512 intrinsics start from _mm512_undefined_*(), which its -Wmaybe-uninitialized
// mistakes for a use of an uninitialised value (GCC bug 105593) wherever they are inlined.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#define DIFFUSE_AVX512_TARGET __attribute__((target("avx512f,avx2,fma")))
#define DIFFUSE_SIMD_TARGET DIFFUSE_AVX512_TARGET
/// AVX-512F: sixteen 32-bit lanes, sixteen floats, eight doubles per register.
namespace avx512 {

using Int = __m512i;
using Float = __m512;
using Double = __m512d;
inline constexpr int lanes = 16;
/// Counter sets in flight at once (enough independent work to hide the multiplications' latency).
inline constexpr int sets = 4;
/// Two registers of 32-bit words: the high and the low halves of 64-bit values.
struct Product {
  Int hi, lo;
};

DIFFUSE_SIMD_TARGET inline Int splat32(std::uint32_t x) { return _mm512_set1_epi32(static_cast<int>(x)); }
DIFFUSE_SIMD_TARGET inline Int splat64(std::uint64_t x) { return _mm512_set1_epi64(static_cast<long long>(x)); }
DIFFUSE_SIMD_TARGET inline Int add32(Int a, Int b) { return _mm512_add_epi32(a, b); }
DIFFUSE_SIMD_TARGET inline Int sub32(Int a, Int b) { return _mm512_sub_epi32(a, b); }
DIFFUSE_SIMD_TARGET inline Int add64(Int a, Int b) { return _mm512_add_epi64(a, b); }
DIFFUSE_SIMD_TARGET inline Int sub64(Int a, Int b) { return _mm512_sub_epi64(a, b); }
DIFFUSE_SIMD_TARGET inline Int bit_and(Int a, Int b) { return _mm512_and_si512(a, b); }
DIFFUSE_SIMD_TARGET inline Int bit_or(Int a, Int b) { return _mm512_or_si512(a, b); }
DIFFUSE_SIMD_TARGET inline Int bit_xor(Int a, Int b) { return _mm512_xor_si512(a, b); }
DIFFUSE_SIMD_TARGET inline Int xor3(Int a, Int b, Int c) { return _mm512_ternarylogic_epi32(a, b, c, 0x96); }
/// (x & a) | b and (x ^ a) & b.
DIFFUSE_SIMD_TARGET inline Int and_or(Int x, Int a, Int b) { return _mm512_ternarylogic_epi32(x, a, b, 0xEA); }
DIFFUSE_SIMD_TARGET inline Int xor_and(Int x, Int a, Int b) { return _mm512_ternarylogic_epi32(x, a, b, 0x28); }
// clang-format off
template <int N> DIFFUSE_SIMD_TARGET inline Int shr32(Int a) { return _mm512_srli_epi32(a, N); }
template <int N> DIFFUSE_SIMD_TARGET inline Int shl32(Int a) { return _mm512_slli_epi32(a, N); }
template <int N> DIFFUSE_SIMD_TARGET inline Int shr64(Int a) { return _mm512_srli_epi64(a, N); }
template <int N> DIFFUSE_SIMD_TARGET inline Int shl64(Int a) { return _mm512_slli_epi64(a, N); }
// clang-format on

/// The high and low words of the 64-bit products x·m, lane by lane.
DIFFUSE_SIMD_TARGET inline Product mulhilo(Int x, Int m) {
  const Int even = _mm512_mul_epu32(x, m);
  const Int odd = _mm512_mul_epu32(_mm512_srli_epi64(x, 32), m);
  return {_mm512_permutex2var_epi32(even, _mm512_setr_epi32(1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31),
                                    odd),
          _mm512_permutex2var_epi32(even, _mm512_setr_epi32(0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30),
                                    odd)};
}

/// 0, 1, …, 15.
DIFFUSE_SIMD_TARGET inline Int lane_index() {
  return _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}

/// The low and high words of blocks base + l, l = 0..15, with the carry into the high word.
DIFFUSE_SIMD_TARGET inline Product block_words(std::uint64_t base) {
  const Int low_base = splat32(static_cast<std::uint32_t>(base));
  const Int low = _mm512_add_epi32(low_base, _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
  const __mmask16 carry = _mm512_cmplt_epu32_mask(low, low_base);
  const Int high_base = splat32(static_cast<std::uint32_t>(base >> 32));
  return {_mm512_mask_add_epi32(high_base, carry, high_base, splat32(1)), low};
}

DIFFUSE_SIMD_TARGET inline Float splat(float x) { return _mm512_set1_ps(x); }
DIFFUSE_SIMD_TARGET inline Float add(Float a, Float b) { return _mm512_add_ps(a, b); }
DIFFUSE_SIMD_TARGET inline Float sub(Float a, Float b) { return _mm512_sub_ps(a, b); }
DIFFUSE_SIMD_TARGET inline Float mul(Float a, Float b) { return _mm512_mul_ps(a, b); }
DIFFUSE_SIMD_TARGET inline Float div(Float a, Float b) { return _mm512_div_ps(a, b); }
DIFFUSE_SIMD_TARGET inline Float fmadd(Float a, Float b, Float c) { return _mm512_fmadd_ps(a, b, c); }
DIFFUSE_SIMD_TARGET inline Float fnmadd(Float a, Float b, Float c) { return _mm512_fnmadd_ps(a, b, c); }
DIFFUSE_SIMD_TARGET inline Float sqrt(Float a) { return _mm512_sqrt_ps(a); }
DIFFUSE_SIMD_TARGET inline Float to_float(Int a) { return _mm512_cvtepi32_ps(a); }
DIFFUSE_SIMD_TARGET inline Float as_float(Int a) { return _mm512_castsi512_ps(a); }
DIFFUSE_SIMD_TARGET inline Int as_int(Float a) { return _mm512_castps_si512(a); }
/// Lane by lane: `negative` where the sign bit of `selector` is set, else `positive`.
DIFFUSE_SIMD_TARGET inline Float select_sign(Int selector, Float positive, Float negative) {
  return _mm512_mask_blend_ps(_mm512_cmplt_epi32_mask(selector, _mm512_setzero_si512()), positive, negative);
}
DIFFUSE_SIMD_TARGET inline Float flip_sign(Float a, Int sign) {
  return _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(a), sign));
}
DIFFUSE_SIMD_TARGET inline Float load(const float* p) { return _mm512_loadu_ps(p); }
DIFFUSE_SIMD_TARGET inline void store(float* p, Float a) { _mm512_storeu_ps(p, a); }

DIFFUSE_SIMD_TARGET inline Double splat(double x) { return _mm512_set1_pd(x); }
DIFFUSE_SIMD_TARGET inline Double add(Double a, Double b) { return _mm512_add_pd(a, b); }
DIFFUSE_SIMD_TARGET inline Double sub(Double a, Double b) { return _mm512_sub_pd(a, b); }
DIFFUSE_SIMD_TARGET inline Double mul(Double a, Double b) { return _mm512_mul_pd(a, b); }
DIFFUSE_SIMD_TARGET inline Double div(Double a, Double b) { return _mm512_div_pd(a, b); }
DIFFUSE_SIMD_TARGET inline Double fmadd(Double a, Double b, Double c) { return _mm512_fmadd_pd(a, b, c); }
DIFFUSE_SIMD_TARGET inline Double fnmadd(Double a, Double b, Double c) { return _mm512_fnmadd_pd(a, b, c); }
DIFFUSE_SIMD_TARGET inline Double sqrt(Double a) { return _mm512_sqrt_pd(a); }
DIFFUSE_SIMD_TARGET inline Double as_double(Int a) { return _mm512_castsi512_pd(a); }
DIFFUSE_SIMD_TARGET inline Int as_int(Double a) { return _mm512_castpd_si512(a); }
/// Lane by lane (64-bit lanes): `negative` where the sign bit of `selector` is set, else `positive`.
DIFFUSE_SIMD_TARGET inline Double select_sign(Int selector, Double positive, Double negative) {
  return _mm512_mask_blend_pd(_mm512_cmplt_epi64_mask(selector, _mm512_setzero_si512()), positive, negative);
}
DIFFUSE_SIMD_TARGET inline Double flip_sign(Double a, Int sign) {
  return _mm512_castsi512_pd(_mm512_xor_si512(_mm512_castpd_si512(a), sign));
}
DIFFUSE_SIMD_TARGET inline Double load(const double* p) { return _mm512_loadu_pd(p); }
DIFFUSE_SIMD_TARGET inline void store(double* p, Double a) { _mm512_storeu_pd(p, a); }

DIFFUSE_SIMD_TARGET inline Int load_words(const void* p) { return _mm512_loadu_si512(p); }

/// The value itself, opaque to the compiler (no contraction into a fused multiply-add across it).
template <class Vector>
DIFFUSE_SIMD_TARGET inline Vector opaque(Vector a) {
  __asm__("" : "+v"(a));
  return a;
}

/// 64-bit lanes w_lo + 2^32 w_hi of blocks 0, 1, 4, 5, 8, 9, 12, 13 (first) and 2, 3, 6, 7,
/// 10, 11, 14, 15 (second).
DIFFUSE_SIMD_TARGET inline Int join_first(Int lo, Int hi) { return _mm512_unpacklo_epi32(lo, hi); }
DIFFUSE_SIMD_TARGET inline Int join_second(Int lo, Int hi) { return _mm512_unpackhi_epi32(lo, hi); }

/// Stores, in element order, the float normals of blocks 0..15 (lane l: block l; a0, a1 its
/// elements 0, 1 and b0, b1 its elements 2, 3): register k gets blocks 4k .. 4k + 3, its a-values
/// and b-values gathered by one two-source permutation each and merged.
DIFFUSE_SIMD_TARGET inline void store_block_normals(Float a0, Float a1, Float b0, Float b1, float* out) {
  for (int k = 0; k < 4; ++k) {
    // Position 4m + j (j = 0, 1) takes lane 4k + m of a_j: index 4k + m + 16j; b likewise at 4m + 2 + j.
    const Int index = _mm512_add_epi32(_mm512_setr_epi32(0, 16, 0, 16, 1, 17, 1, 17, 2, 18, 2, 18, 3, 19, 3, 19),
                                       _mm512_set1_epi32(4 * k));
    const Float a = _mm512_permutex2var_ps(a0, index, a1);
    const Float b = _mm512_permutex2var_ps(b0, index, b1);
    _mm512_store_ps(out + 16 * k, _mm512_mask_blend_ps(0xCCCC, a, b));
  }
}

/// Stores, in element order, the double normals of blocks 0..15: a0, a1 the elements 0, 1 of
/// the blocks of join_first (0, 1, 4, 5, …) and b0, b1 those of join_second (2, 3, 6, 7, …).
DIFFUSE_SIMD_TARGET inline void store_block_normals(Double a0, Double a1, Double b0, Double b1, double* out) {
  for (int k = 0; k < 4; ++k) {
    // Blocks 4k, 4k + 1 are lanes 2k, 2k + 1 of a; blocks 4k + 2, 4k + 3 the same lanes of b.
    const Int index = _mm512_add_epi64(_mm512_setr_epi64(0, 8, 1, 9, 0, 8, 1, 9), _mm512_set1_epi64(2 * k));
    const Double a = _mm512_permutex2var_pd(a0, index, a1);
    const Double b = _mm512_permutex2var_pd(b0, index, b1);
    _mm512_store_pd(out + 8 * k, _mm512_mask_blend_pd(0xF0, a, b));
  }
}

#include "simd_scaled_sum_body.hpp"

}  // namespace avx512
#undef DIFFUSE_SIMD_TARGET
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#else

inline bool cpu_has_avx2_fma() { return false; }
inline bool cpu_has_avx512f() { return false; }

#endif  // DIFFUSE_SIMD

#if DIFFUSE_NEON
#define DIFFUSE_NEON_TARGET
#define DIFFUSE_SIMD_TARGET DIFFUSE_NEON_TARGET
/// NEON (aarch64 Advanced SIMD): four 32-bit lanes, four floats, two doubles per register. Its
/// 32×32 → 64-bit multiplies (vmull_u32, vmull_high_u32) give Philox's products, vfmaq its fused
/// multiply-adds.
namespace neon {

using Int = uint32x4_t;
using Float = float32x4_t;
using Double = float64x2_t;
inline constexpr int lanes = 4;
/// Counter sets in flight at once (enough independent work to hide the multiplications' latency).
inline constexpr int sets = 4;
/// Two registers of 32-bit words: the high and the low halves of 64-bit values.
struct Product {
  Int hi, lo;
};

inline uint64x2_t wide_lanes(Int a) { return vreinterpretq_u64_u32(a); }
inline Int word_lanes(uint64x2_t a) { return vreinterpretq_u32_u64(a); }

inline Int splat32(std::uint32_t x) { return vdupq_n_u32(x); }
inline Int splat64(std::uint64_t x) { return word_lanes(vdupq_n_u64(x)); }
inline Int add32(Int a, Int b) { return vaddq_u32(a, b); }
inline Int sub32(Int a, Int b) { return vsubq_u32(a, b); }
inline Int add64(Int a, Int b) { return word_lanes(vaddq_u64(wide_lanes(a), wide_lanes(b))); }
inline Int sub64(Int a, Int b) { return word_lanes(vsubq_u64(wide_lanes(a), wide_lanes(b))); }
inline Int bit_and(Int a, Int b) { return vandq_u32(a, b); }
inline Int bit_or(Int a, Int b) { return vorrq_u32(a, b); }
inline Int bit_xor(Int a, Int b) { return veorq_u32(a, b); }
inline Int xor3(Int a, Int b, Int c) { return veorq_u32(veorq_u32(a, b), c); }
/// (x & a) | b and (x ^ a) & b.
inline Int and_or(Int x, Int a, Int b) { return vorrq_u32(vandq_u32(x, a), b); }
inline Int xor_and(Int x, Int a, Int b) { return vandq_u32(veorq_u32(x, a), b); }
// clang-format off
template <int N> inline Int shr32(Int a) { return vshrq_n_u32(a, N); }
template <int N> inline Int shl32(Int a) { return vshlq_n_u32(a, N); }
template <int N> inline Int shr64(Int a) { return word_lanes(vshrq_n_u64(wide_lanes(a), N)); }
template <int N> inline Int shl64(Int a) { return word_lanes(vshlq_n_u64(wide_lanes(a), N)); }
// clang-format on

/// The high and low words of the 64-bit products x·m, lane by lane.
inline Product mulhilo(Int x, Int m) {
  const Int low_lanes = word_lanes(vmull_u32(vget_low_u32(x), vget_low_u32(m)));  // lo0 hi0 lo1 hi1
  const Int high_lanes = word_lanes(vmull_high_u32(x, m));                        // lo2 hi2 lo3 hi3
  return {vuzp2q_u32(low_lanes, high_lanes), vuzp1q_u32(low_lanes, high_lanes)};
}

/// 0, 1, 2, 3.
inline Int lane_index() {
  const std::uint32_t index[4] = {0, 1, 2, 3};
  return vld1q_u32(index);
}

/// The low and high words of blocks base + l, l = 0..3, with the carry into the high word.
inline Product block_words(std::uint64_t base) {
  const Int low_base = splat32(static_cast<std::uint32_t>(base));
  const Int low = vaddq_u32(low_base, lane_index());
  const Int carry = vcltq_u32(low, low_base);  // all ones (−1) where the low word wrapped
  return {vsubq_u32(splat32(static_cast<std::uint32_t>(base >> 32)), carry), low};
}

inline Float splat(float x) { return vdupq_n_f32(x); }
inline Float add(Float a, Float b) { return vaddq_f32(a, b); }
inline Float sub(Float a, Float b) { return vsubq_f32(a, b); }
inline Float mul(Float a, Float b) { return vmulq_f32(a, b); }
inline Float div(Float a, Float b) { return vdivq_f32(a, b); }
/// a·b + c and c − a·b, each rounded once.
inline Float fmadd(Float a, Float b, Float c) { return vfmaq_f32(c, a, b); }
inline Float fnmadd(Float a, Float b, Float c) { return vfmsq_f32(c, a, b); }
inline Float sqrt(Float a) { return vsqrtq_f32(a); }
inline Float to_float(Int a) { return vcvtq_f32_s32(vreinterpretq_s32_u32(a)); }
inline Float as_float(Int a) { return vreinterpretq_f32_u32(a); }
inline Int as_int(Float a) { return vreinterpretq_u32_f32(a); }
/// Lane by lane: `negative` where the sign bit of `selector` is set, else `positive`.
inline Float select_sign(Int selector, Float positive, Float negative) {
  return vbslq_f32(vreinterpretq_u32_s32(vshrq_n_s32(vreinterpretq_s32_u32(selector), 31)), negative, positive);
}
inline Float flip_sign(Float a, Int sign) { return vreinterpretq_f32_u32(veorq_u32(vreinterpretq_u32_f32(a), sign)); }
inline Float load(const float* p) { return vld1q_f32(p); }
inline void store(float* p, Float a) { vst1q_f32(p, a); }

inline Double splat(double x) { return vdupq_n_f64(x); }
inline Double add(Double a, Double b) { return vaddq_f64(a, b); }
inline Double sub(Double a, Double b) { return vsubq_f64(a, b); }
inline Double mul(Double a, Double b) { return vmulq_f64(a, b); }
inline Double div(Double a, Double b) { return vdivq_f64(a, b); }
inline Double fmadd(Double a, Double b, Double c) { return vfmaq_f64(c, a, b); }
inline Double fnmadd(Double a, Double b, Double c) { return vfmsq_f64(c, a, b); }
inline Double sqrt(Double a) { return vsqrtq_f64(a); }
inline Double as_double(Int a) { return vreinterpretq_f64_u32(a); }
inline Int as_int(Double a) { return vreinterpretq_u32_f64(a); }
/// Lane by lane (64-bit lanes): `negative` where the sign bit of `selector` is set, else `positive`.
inline Double select_sign(Int selector, Double positive, Double negative) {
  return vbslq_f64(vreinterpretq_u64_s64(vshrq_n_s64(vreinterpretq_s64_u32(selector), 63)), negative, positive);
}
inline Double flip_sign(Double a, Int sign) { return vreinterpretq_f64_u32(veorq_u32(vreinterpretq_u32_f64(a), sign)); }
inline Double load(const double* p) { return vld1q_f64(p); }
inline void store(double* p, Double a) { vst1q_f64(p, a); }

inline Int load_words(const void* p) { return vld1q_u32(static_cast<const std::uint32_t*>(p)); }

/// The value itself, opaque to the compiler (no contraction into a fused multiply-add across it).
template <class Vector>
inline Vector opaque(Vector a) {
  __asm__("" : "+w"(a));
  return a;
}

/// 64-bit lanes w_lo + 2^32 w_hi of blocks 0, 1 (first) and 2, 3 (second).
inline Int join_first(Int lo, Int hi) { return vzip1q_u32(lo, hi); }
inline Int join_second(Int lo, Int hi) { return vzip2q_u32(lo, hi); }

/// Stores, in element order, the float normals of blocks 0..3 (lane l: block l; a0, a1 its
/// elements 0, 1 and b0, b1 its elements 2, 3): a 4 × 4 transpose, one interleaving store.
inline void store_block_normals(Float a0, Float a1, Float b0, Float b1, float* out) {
  vst4q_f32(out, (float32x4x4_t{{a0, a1, b0, b1}}));
}

/// Stores, in element order, the double normals of blocks 0..3: a0, a1 the elements 0, 1 of
/// blocks 0, 1 and b0, b1 those of blocks 2, 3 (join_first, join_second).
inline void store_block_normals(Double a0, Double a1, Double b0, Double b1, double* out) {
  vst2q_f64(out, (float64x2x2_t{{a0, a1}}));
  vst2q_f64(out + 4, (float64x2x2_t{{b0, b1}}));
}

#include "simd_scaled_sum_body.hpp"

}  // namespace neon
#undef DIFFUSE_SIMD_TARGET
#endif  // DIFFUSE_NEON

/// The code paths of the vectorised kernels; every path gives the same bits.
enum class SimdPath { portable, avx2, avx512, neon };

/// Every path, for the tests that run each one this machine runs.
inline constexpr SimdPath all_simd_paths[] = {SimdPath::portable, SimdPath::avx2, SimdPath::avx512, SimdPath::neon};

/// Whether this CPU runs a path.
inline bool cpu_runs(SimdPath path) {
  switch (path) {
    case SimdPath::avx2: return cpu_has_avx2_fma();
    case SimdPath::avx512: return cpu_has_avx512f();
    case SimdPath::neon: return DIFFUSE_NEON != 0;
    default: return true;
  }
}

/// The path in use: the fastest this CPU runs, unless set_simd_path chose another.
inline SimdPath& simd_path_in_use() {
  static SimdPath path = cpu_runs(SimdPath::avx512) ? SimdPath::avx512
                         : cpu_runs(SimdPath::avx2) ? SimdPath::avx2
                         : cpu_runs(SimdPath::neon) ? SimdPath::neon
                                                    : SimdPath::portable;
  return path;
}

/// Chooses the code path (for tests and benchmarks; not thread-safe against running kernels).
/// @throws std::invalid_argument if this CPU cannot run it.
inline void set_simd_path(SimdPath path) {
  if (!cpu_runs(path)) {
    fail<std::invalid_argument>("detail::set_simd_path", "this CPU does not run that code path",
                                static_cast<int>(path));
  }
  simd_path_in_use() = path;
}

/// out[k·out_stride] = scaled_sum(a, x[k·x_stride], b, y[k·y_stride]) for k < n, on the path in use
/// (whole registers where all three are contiguous, then the rest one by one: the same bits). out
/// may be x or y (the same memory and stride); other overlaps are undefined.
template <class Scalar>
inline void scaled_sum_array(Scalar a, const Scalar* x, std::ptrdiff_t x_stride, Scalar b, const Scalar* y,
                             std::ptrdiff_t y_stride, Scalar* out, std::ptrdiff_t out_stride, std::size_t n) {
  std::size_t done = 0;
#if DIFFUSE_SIMD || DIFFUSE_NEON
  if constexpr (std::is_same<Scalar, float>::value || std::is_same<Scalar, double>::value) {
    if (x_stride == 1 && y_stride == 1 && out_stride == 1) {
      switch (simd_path_in_use()) {
#if DIFFUSE_SIMD
        case SimdPath::avx512: done = avx512::scaled_sum_of(a, x, b, y, out, n); break;
        case SimdPath::avx2: done = avx2::scaled_sum_of(a, x, b, y, out, n); break;
#endif
#if DIFFUSE_NEON
        case SimdPath::neon: done = neon::scaled_sum_of(a, x, b, y, out, n); break;
#endif
        default: break;
      }
    }
  }
#endif
  for (std::size_t k = done; k < n; ++k) {
    const std::ptrdiff_t at = static_cast<std::ptrdiff_t>(k);
    out[at * out_stride] = scaled_sum(a, x[at * x_stride], b, y[at * y_stride]);
  }
}

}  // namespace detail
}  // namespace diffuse
