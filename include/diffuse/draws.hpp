/// Per-sample draws keyed by (seed, sample id, draw number): the uniforms that training-time samplers turn into steps, times and noise levels.
///
/// The draw contract. Under seed k (64 bits), draw r (0 ≤ r < 2^63) of the sample with id j is made
/// from Philox4x32-10 block 2^63 + r of that sample, with the noise contract's key and counter
/// (noise.hpp): key (k mod 2^32, ⌊k/2^32⌋), counter (r mod 2^32, 2^31 + ⌊r/2^32⌋, j mod 2^32,
/// ⌊j/2^32⌋). A sample's noise uses blocks below 2^63 only (its elements are numbered below 2^64,
/// two or four to a block), so its draws never reuse a word of its noise. From the block's words
/// w0..w3 the uniform is u = (m + ½)·2⁻⁵², m the top 52 bits of w1·2^32 + w0: a double on the grid
/// of odd multiples of 2⁻⁵³ in [2⁻⁵³, 1 − 2⁻⁵³], each point equally likely, never 0 or 1. So the
/// draw of sample j is a pure function of (k, j, r): it does not depend on the batch, its order,
/// its split across threads or processes, or the machine.
///
/// A draw as a standard normal. Draw r of sample j may instead be read as the normal
/// z = z0 of detail::normal_pair<double>(w0..w3) of the same block: the Box–Muller transform of
/// normal.hpp, specified to the bit (radius from w0 + 2^32 w1, angle from w2 + 2^32 w3; never
/// infinite, |z| ≤ 8.49), the transform the double noise uses. A sampler reads each of its draws
/// either as a uniform or as a normal, never both (the two share the block's words w0, w1).
#pragma once

#include <cstdint>
#include <stdexcept>

#include "detail/error.hpp"
#include "detail/noise_task.hpp"
#include "detail/normal_transform.hpp"
#include "philox.hpp"

namespace diffuse {

namespace detail {

/// The Philox words of draw `draw` of sample `id` under `seed` (block 2^63 + draw).
inline Philox4x32::Counter draw_block(const char* function, std::uint64_t seed, std::uint64_t id, std::uint64_t draw) {
  constexpr std::uint64_t first_block = std::uint64_t{1} << 63;
  if (draw >= first_block) fail<std::out_of_range>(function, "draw must be below 2^63", draw);
  return philox(noise_counter(id, first_block + draw), noise_key(seed));
}

}  // namespace detail

/// The uniform u ∈ (0, 1) of draw `draw` of sample `id` under `seed` (the draw contract above).
/// @throws std::out_of_range if draw ≥ 2^63.
inline double draw_uniform(std::uint64_t seed, std::uint64_t id, std::uint64_t draw = 0) {
  const Philox4x32::Counter w = detail::draw_block("draw_uniform", seed, id, draw);
  const std::uint64_t m = ((std::uint64_t{w[1]} << 32) | w[0]) >> 12;
  return (static_cast<double>(m) + 0.5) * 0x1p-52;
}

/// The standard normal z of draw `draw` of sample `id` under `seed`: z0 of the double Box–Muller
/// pair of its block (Box & Muller 1958; the draw contract above, normal.hpp's transform), without
/// the slow Φ⁻¹. Exact to the bit on every machine; |z| ≤ 8.49.
/// @throws std::out_of_range if draw ≥ 2^63.
inline double draw_normal(std::uint64_t seed, std::uint64_t id, std::uint64_t draw = 0) {
  const Philox4x32::Counter w = detail::draw_block("draw_normal", seed, id, draw);
  double z0 = 0, z1 = 0;
  detail::normal_pair<double>(w.data(), z0, z1);
  return z0;
}

}  // namespace diffuse
