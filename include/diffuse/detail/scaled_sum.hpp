/// The one formula every batch function rounds by: a·x + b·y as fl(fl(a·x) + fl(b·y)), as PyTorch and NumPy round it.
///
/// x_t = a x_0 + b ε in diffusers (`sqrt_alpha_prod * original_samples + sqrt_one_minus_alpha_prod
/// * noise`) is two PyTorch multiplications and one addition, three roundings; NumPy's `a*x + b*e`
/// is the same. A C++ compiler may contract a·x + b·y into fma(a, x, b·y) (g++ does so by default
/// wherever FMA instructions are enabled: -mfma, -march=native, a target attribute), which changes
/// the last bit of about one result in six. scaled_sum hides each product from contraction, so its
/// bits are the same with every compiler, flag and code path, and those of PyTorch and NumPy.
/// Error: within ε(|a x| + |b y|) + ½ε|a x + b y|, i.e. ≤ 1½ ε(|a x| + |b y|) (ε = machine epsilon).
///
/// DIFFUSE_HOST_DEVICE (host_device.hpp) marks what a CUDA kernel may call: there the products are
/// __fmul_rn / __dmul_rn, which nvcc never contracts.
#pragma once

#include <type_traits>

#include "host_device.hpp"

namespace diffuse {
namespace detail {

/// a·b rounded once to T, opaque to the compiler so that it cannot be fused into a later addition.
/// On x86-64 and aarch64 an empty asm statement keeps the value in its register (no cost); x87
/// long double and software binary128 have no fused multiply-add to fear; elsewhere a volatile.
template <class T>
DIFFUSE_HOST_DEVICE inline T rounded_product(T a, T b) {
#if defined(__CUDA_ARCH__)
  if constexpr (std::is_same<T, float>::value) {
    return __fmul_rn(a, b);
  } else {
    return __dmul_rn(a, b);
  }
#else
  T p = a * b;
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__aarch64__))
  if constexpr (std::is_same<T, float>::value || std::is_same<T, double>::value) {
#if defined(__x86_64__)
    __asm__("" : "+x"(p));
#else
    __asm__("" : "+w"(p));
#endif
  }
#else
  volatile T kept = p;
  p = kept;
#endif
  return p;
#endif
}

/// a·x + b·y with three roundings, fl(fl(a·x) + fl(b·y)): the noising x_t = a x_0 + b ε and every
/// other two-term combination of the batch functions.
template <class T>
DIFFUSE_HOST_DEVICE inline T scaled_sum(T a, T x, T b, T y) {
  return rounded_product(a, x) + rounded_product(b, y);
}

}  // namespace detail
}  // namespace diffuse
