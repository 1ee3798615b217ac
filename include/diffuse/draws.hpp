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
#pragma once

#include <cstdint>
#include <stdexcept>

#include "detail/error.hpp"
#include "detail/noise_task.hpp"
#include "philox.hpp"

namespace diffuse {

/// The uniform u ∈ (0, 1) of draw `draw` of sample `id` under `seed` (the draw contract above).
/// @throws std::out_of_range if draw ≥ 2^63.
inline double draw_uniform(std::uint64_t seed, std::uint64_t id, std::uint64_t draw = 0) {
  constexpr std::uint64_t first_block = std::uint64_t{1} << 63;
  if (draw >= first_block) detail::fail<std::out_of_range>("draw_uniform", "draw must be below 2^63", draw);
  const Philox4x32::Counter w = philox(detail::noise_counter(id, first_block + draw), detail::noise_key(seed));
  const std::uint64_t m = ((std::uint64_t{w[1]} << 32) | w[0]) >> 12;
  return (static_cast<double>(m) + 0.5) * 0x1p-52;
}

}  // namespace diffuse
