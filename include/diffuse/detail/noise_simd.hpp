/// The vectorised noise engine (Philox and the normal transform on AVX2+FMA and AVX-512F, chosen at run time, and on NEON).
///
/// noise_simd_body.hpp, written once over the primitives of simd.hpp, is compiled inside each
/// instruction-set namespace. Every function there mirrors the scalar code of normal.hpp and
/// noise_task.hpp operation for operation, so every path gives the same bits.
#pragma once

#include <cstddef>
#include <cstdint>

#include "noise_task.hpp"
#include "simd.hpp"

namespace diffuse {
namespace detail {

#if DIFFUSE_SIMD
namespace avx2 {
#define DIFFUSE_SIMD_TARGET DIFFUSE_AVX2_TARGET
#include "noise_simd_body.hpp"
#undef DIFFUSE_SIMD_TARGET
}  // namespace avx2

// GCC 12's AVX-512 intrinsics and -Wmaybe-uninitialized: see simd.hpp.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
namespace avx512 {
#define DIFFUSE_SIMD_TARGET DIFFUSE_AVX512_TARGET
#include "noise_simd_body.hpp"
#undef DIFFUSE_SIMD_TARGET
}  // namespace avx512
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#endif  // DIFFUSE_SIMD

#if DIFFUSE_NEON
namespace neon {
#define DIFFUSE_SIMD_TARGET DIFFUSE_NEON_TARGET
#include "noise_simd_body.hpp"
#undef DIFFUSE_SIMD_TARGET
}  // namespace neon
#endif  // DIFFUSE_NEON

/// normal_pair for n pairs given as arrays of radius and angle words (32-bit for float, the 64-bit
/// x and a of normal_pair for double), on the path in use: z0[p], z1[p] for pair p.
template <class Word, class Scalar>
inline void normal_pairs_of(const Word* radius, const Word* angle, std::size_t n, Scalar* z0, Scalar* z1) {
  std::size_t done = 0;
  switch (simd_path_in_use()) {
#if DIFFUSE_SIMD
    case SimdPath::avx512: done = avx512::normal_pairs_of(radius, angle, n, z0, z1); break;
    case SimdPath::avx2: done = avx2::normal_pairs_of(radius, angle, n, z0, z1); break;
#endif
#if DIFFUSE_NEON
    case SimdPath::neon: done = neon::normal_pairs_of(radius, angle, n, z0, z1); break;
#endif
    default: break;
  }
  for (std::size_t p = done; p < n; ++p) {
    std::uint32_t w[NormalConstants<Scalar>::words];
    constexpr int half = NormalConstants<Scalar>::words / 2;
    for (int k = 0; k < half; ++k) {
      w[k] = static_cast<std::uint32_t>(static_cast<std::uint64_t>(radius[p]) >> (32 * k));
      w[half + k] = static_cast<std::uint32_t>(static_cast<std::uint64_t>(angle[p]) >> (32 * k));
    }
    normal_pair(w, z0[p], z1[p]);
  }
}

/// Runs one task on the path in use.
template <class Scalar>
inline void run_noise_task(const NoiseTask<Scalar>& task) {
  switch (simd_path_in_use()) {
#if DIFFUSE_SIMD
    case SimdPath::avx512: avx512::run_noise_task(task); return;
    case SimdPath::avx2: avx2::run_noise_task(task); return;
#endif
#if DIFFUSE_NEON
    case SimdPath::neon: neon::run_noise_task(task); return;
#endif
    default: break;
  }
  run_noise_task_portable(task);
}

}  // namespace detail
}  // namespace diffuse
