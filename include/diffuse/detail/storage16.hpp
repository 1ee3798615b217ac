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

/// to[k] = from[k·stride] widened to float (exact), k < n.
template <class Stored>
void widen(const Stored* from, std::ptrdiff_t stride, std::size_t n, float* to) {
  for (std::size_t k = 0; k < n; ++k) to[k] = static_cast<float>(from[static_cast<std::ptrdiff_t>(k) * stride]);
}

/// to[k·stride] = from[k] rounded once to Stored (to nearest, ties to even), k < n.
template <class Stored>
void narrow(const float* from, std::size_t n, Stored* to, std::ptrdiff_t stride) {
  for (std::size_t k = 0; k < n; ++k) to[static_cast<std::ptrdiff_t>(k) * stride] = static_cast<Stored>(from[k]);
}

/// widen for bfloat16: the 16 bits are the high half of the float (exact; a loop compilers vectorise).
inline void widen(const Eigen::bfloat16* from, std::ptrdiff_t stride, std::size_t n, float* to) {
  for (std::size_t k = 0; k < n; ++k) {
    std::uint16_t bits;
    std::memcpy(&bits, from + static_cast<std::ptrdiff_t>(k) * stride, sizeof bits);
    const std::uint32_t wide = static_cast<std::uint32_t>(bits) << 16;
    std::memcpy(to + k, &wide, sizeof wide);
  }
}

/// narrow for bfloat16, the bits of Eigen's conversion (float_to_bfloat16_rtne) in a loop compilers
/// vectorise: to nearest, ties to even, by adding 0x7fff plus the kept low bit; a NaN becomes the
/// quiet NaN 0x7fc0 with its sign.
inline void narrow(const float* from, std::size_t n, Eigen::bfloat16* to, std::ptrdiff_t stride) {
  for (std::size_t k = 0; k < n; ++k) {
    std::uint32_t bits;
    std::memcpy(&bits, from + k, sizeof bits);
    const bool nan = (bits & 0x7fffffffu) > 0x7f800000u;
    const std::uint32_t rounded = (bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16;
    const std::uint16_t out = static_cast<std::uint16_t>(nan ? ((bits >> 16) & 0x8000u) | 0x7fc0u : rounded);
    std::memcpy(static_cast<void*>(to + static_cast<std::ptrdiff_t>(k) * stride), &out,
                sizeof out);  // trivially copyable
  }
}

}  // namespace detail
}  // namespace diffuse
