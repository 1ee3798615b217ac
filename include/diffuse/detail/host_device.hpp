/// DIFFUSE_HOST_DEVICE and the IEEE operations that host and device code of the noise contract share.
///
/// DIFFUSE_HOST_DEVICE is `__host__ __device__` under a CUDA or HIP compiler and empty otherwise; it
/// marks the functions of the noise contract's element path (noise_element.hpp) that a kernel may
/// call. The operations below are each one correctly rounded IEEE operation on both sides (on the
/// device the `_rn` intrinsics, which the compiler never fuses or approximates, even under
/// --use_fast_math), so device bits equal host bits. nvcc needs --expt-relaxed-constexpr for the
/// constexpr std::array members the Philox counters use.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__CUDACC__) || defined(__HIPCC__)
#define DIFFUSE_HOST_DEVICE __host__ __device__
#else
#define DIFFUSE_HOST_DEVICE
#endif

namespace diffuse {
namespace detail {

/// Reinterprets the bits of `from` as a To of the same size (std::bit_cast of C++20).
template <class To, class From>
DIFFUSE_HOST_DEVICE inline To bits_as(const From& from) {
  static_assert(sizeof(To) == sizeof(From), "bits_as needs types of the same size");
  To to;
#if defined(__CUDA_ARCH__)
  memcpy(&to, &from, sizeof(To));
#else
  std::memcpy(&to, &from, sizeof(To));
#endif
  return to;
}

/// a·b + c rounded once.
DIFFUSE_HOST_DEVICE inline float fused_multiply_add(float a, float b, float c) {
#if defined(__CUDA_ARCH__)
  return __fmaf_rn(a, b, c);
#else
  return std::fma(a, b, c);
#endif
}
DIFFUSE_HOST_DEVICE inline double fused_multiply_add(double a, double b, double c) {
#if defined(__CUDA_ARCH__)
  return __fma_rn(a, b, c);
#else
  return std::fma(a, b, c);
#endif
}

/// √a rounded once.
DIFFUSE_HOST_DEVICE inline float square_root(float a) {
#if defined(__CUDA_ARCH__)
  return __fsqrt_rn(a);
#else
  return std::sqrt(a);
#endif
}
DIFFUSE_HOST_DEVICE inline double square_root(double a) {
#if defined(__CUDA_ARCH__)
  return __dsqrt_rn(a);
#else
  return std::sqrt(a);
#endif
}

}  // namespace detail
}  // namespace diffuse
