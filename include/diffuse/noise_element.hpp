/// The element path of the noise contract: one normal, one Philox block of normals, and the noising rounding, as plain functions that host and device code both call.
///
/// These are the functions of docs/noise_contract.md (its normative text) one element at a time:
/// noise_value(seed, id, element) is the standard normal of element `element` of sample `id` under
/// `seed`; noise_block_values gives the 4 (float) or 2 (double) normals of one Philox block at once;
/// noised_value(a, x0, b, z) = fl(fl(a·x0) + fl(b·z)) is the noising x_t = a x_0 + b ε with the one
/// rounding of every batch function (detail/scaled_sum.hpp). The batch functions of noise.hpp give,
/// on every code path and thread count, exactly these values (tests/test_noise_element.cpp checks
/// every element of large batches).
///
/// For kernels of their own (CUDA, HIP, or a CPU engine): no Eigen, no C library math, no SIMD and
/// nothing that throws; every function is marked DIFFUSE_HOST_DEVICE (`__host__ __device__` under a
/// CUDA or HIP compiler; see detail/host_device.hpp), uses only correctly rounded IEEE operations
/// and guards its products against contraction, so device bits equal host bits.
#pragma once

#include <cstdint>
#include <type_traits>

#include "detail/host_device.hpp"
#include "detail/normal_transform.hpp"
#include "detail/scaled_sum.hpp"
#include "philox.hpp"

namespace diffuse {
namespace detail {

/// Normals per Philox block: 4 in float (two pairs), 2 in double (one pair).
template <class Scalar>
inline constexpr int normals_per_block = 8 / NormalConstants<Scalar>::words;

/// The Philox key of a seed: (seed mod 2^32, ⌊seed/2^32⌋).
DIFFUSE_HOST_DEVICE inline Philox4x32::Key noise_key(std::uint64_t seed) {
  return {static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)};
}

/// The Philox counter of block b of sample id: (b mod 2^32, ⌊b/2^32⌋, id mod 2^32, ⌊id/2^32⌋).
DIFFUSE_HOST_DEVICE inline Philox4x32::Counter noise_counter(std::uint64_t id, std::uint64_t block) {
  return {static_cast<std::uint32_t>(block), static_cast<std::uint32_t>(block >> 32), static_cast<std::uint32_t>(id),
          static_cast<std::uint32_t>(id >> 32)};
}

/// The normals of one block: pairs from words (w0, w1) and (w2, w3) in float, (w0..w3) in double.
template <class Scalar>
DIFFUSE_HOST_DEVICE inline void noise_block(const Philox4x32::Key& key, std::uint64_t id, std::uint64_t block,
                                            Scalar* z) {
  const Philox4x32::Counter w = philox(noise_counter(id, block), key);
  for (int pair = 0; pair < normals_per_block<Scalar> / 2; ++pair) {
    normal_pair(w.data() + pair * NormalConstants<Scalar>::words, z[2 * pair], z[2 * pair + 1]);
  }
}

}  // namespace detail

/// The number of normals one Philox block gives: 4 for float, 2 for double (elements
/// k·n .. k·n + n − 1 of a sample come from its block k).
template <class Scalar>
inline constexpr int noise_values_per_block = detail::normals_per_block<Scalar>;

/// The normals of block `block` of sample `id` under `seed`, elements block·n .. block·n + n − 1
/// (n = noise_values_per_block<Scalar>), into z[0..n). A kernel that produces whole blocks calls
/// Philox once per block instead of once per element.
template <class Scalar>
DIFFUSE_HOST_DEVICE inline void noise_block_values(std::uint64_t seed, std::uint64_t id, std::uint64_t block,
                                                   Scalar* z) {
  static_assert(std::is_same<Scalar, float>::value || std::is_same<Scalar, double>::value,
                "diffuse::noise_block_values: the noise is defined for float and double");
  detail::noise_block(detail::noise_key(seed), id, block, z);
}

/// The standard normal of element `element` of sample `id` under `seed`: the noise contract, one
/// value at a time (fill_noise of noise.hpp fills whole batches far faster). Scalar is float or double.
template <class Scalar>
DIFFUSE_HOST_DEVICE inline Scalar noise_value(std::uint64_t seed, std::uint64_t id, std::uint64_t element) {
  constexpr int per_block = noise_values_per_block<Scalar>;
  Scalar z[per_block];
  noise_block_values(seed, id, element / per_block, z);
  return z[element % per_block];
}

/// The noised value x_t = fl(fl(a·x0) + fl(b·z)) of one element: a and b the process's coefficients
/// at the sample's coordinate (ProcessTraits' signal_scale and noise_scale), z its noise. The one
/// rounding of every batch function (three roundings, never fused: PyTorch's and NumPy's bits).
template <class Scalar>
DIFFUSE_HOST_DEVICE inline Scalar noised_value(Scalar a, Scalar x0, Scalar b, Scalar z) {
  return detail::scaled_sum(a, x0, b, z);
}

}  // namespace diffuse
