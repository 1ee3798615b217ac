/// 16-bit storage (Eigen::half, Eigen::bfloat16): widened to float, computed by the float path, rounded once.
///
/// A batch stored in 16 bits (the layout of PyTorch's half and bfloat16) is widened to float
/// (exact), the float kernels run on it with the float process (a Schedule<float>; there is no
/// Schedule<Eigen::half>), and each result is rounded once to the storage type by Eigen's
/// conversion (round to nearest, ties to even). So a 16-bit result is, bit for bit,
/// `(float result on x0.cast<float>()).cast<Storage>()`. The work goes by blocks of
/// `storage_block` elements through float buffers on the stack: no batch-sized copies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include <Eigen/Core>

#include "../process.hpp"
#include "storage16_simd.hpp"

namespace diffuse {
namespace detail {

/// Whether T is a 16-bit storage type: Eigen::half or Eigen::bfloat16.
template <class T>
inline constexpr bool is_storage16_v = std::is_same<T, Eigen::half>::value || std::is_same<T, Eigen::bfloat16>::value;

/// The elements of one block of 16-bit work (three float buffers of it: 12 KiB of stack).
inline constexpr std::size_t storage_block = 1024;

/// Compile-time rules of the Eigen arguments of a batch function: the process's scalar type
/// (check_process_argument), or all one 16-bit storage type with a float process.
template <class Process, class First, class... Others>
constexpr void check_stored_arguments() {
  using Stored = typename First::Scalar;
  if constexpr (is_storage16_v<Stored>) {
    static_assert(std::is_same<typename ProcessTraits<Process>::scalar_type, float>::value,
                  "diffuse: Eigen::half and Eigen::bfloat16 batches go with a float process (a Schedule<float>; "
                  "there is no Schedule<Eigen::half>)");
    static_assert((std::is_same<Stored, typename Others::Scalar>::value && ...),
                  "diffuse: the Eigen arguments of a 16-bit call must all have the same storage type "
                  "(Eigen::half or Eigen::bfloat16)");
  } else {
    check_process_argument<Process, First>();
    (check_process_argument<Process, Others>(), ...);
  }
}

/// One value widened to float (exact): Eigen's conversion for half; for bfloat16 the 16 bits are the
/// high half of the float.
inline float widen_one(Eigen::half x) { return static_cast<float>(x); }
inline float widen_one(Eigen::bfloat16 x) {
  std::uint16_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  const std::uint32_t wide = static_cast<std::uint32_t>(bits) << 16;
  float out;
  std::memcpy(&out, &wide, sizeof out);
  return out;
}

/// One float rounded to Stored (to nearest, ties to even): Eigen's conversion for half; for
/// bfloat16 the bits of Eigen's float_to_bfloat16_rtne (bfloat16_bits: add 0x7fff plus the kept low
/// bit; a NaN becomes the quiet NaN 0x7fc0 with its sign).
template <class Stored>
Stored narrow_one(float x) {
  if constexpr (std::is_same<Stored, Eigen::bfloat16>::value) {
    std::uint32_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    return Eigen::numext::bit_cast<Eigen::bfloat16>(bfloat16_bits(bits));
  } else {
    return static_cast<Stored>(x);
  }
}

/// to[k] = from[k·stride] widened to float (exact), k < n; contiguous input by whole registers on
/// the path in use (storage16_simd.hpp: the same bits), the rest one by one.
template <class Stored>
void widen(const Stored* from, std::ptrdiff_t stride, std::size_t n, float* to) {
  const std::size_t done = stride == 1 ? convert16_simd(from, n, to) : 0;
  for (std::size_t k = done; k < n; ++k) to[k] = widen_one(from[static_cast<std::ptrdiff_t>(k) * stride]);
}

/// to[k·stride] = from[k] rounded once to Stored (to nearest, ties to even), k < n; contiguous
/// output by whole registers on the path in use (the same bits), the rest one by one.
template <class Stored>
void narrow(const float* from, std::size_t n, Stored* to, std::ptrdiff_t stride) {
  const std::size_t done = stride == 1 ? convert16_simd(from, n, to) : 0;
  for (std::size_t k = done; k < n; ++k) to[static_cast<std::ptrdiff_t>(k) * stride] = narrow_one<Stored>(from[k]);
}

}  // namespace detail
}  // namespace diffuse
