/// Per-sample draws keyed by (seed, sample id, draw number): the uniforms that training-time samplers turn into steps, times and noise levels.
///
/// The draw contract (normative text: docs/noise_contract.md §5). Under seed k, draw r
/// (0 ≤ r < 2^63) of the sample with id j is Philox4x32-10 block 2^63 + r of that sample, with the
/// noise contract's key and counter; a sample's noise uses blocks below 2^63 only, so its draws
/// never reuse a word of its noise. The block gives the uniform u = (m + ½)·2⁻⁵² (m the top 52 bits
/// of w1·2^32 + w0; never 0 or 1) or, read instead as a normal, z0 of the double Box–Muller pair of
/// its words (|z| ≤ 8.49); a sampler reads each draw one way only. So the draw of sample j is a pure
/// function of (k, j, r): it does not depend on the batch, its order, its split across threads or
/// processes, or the machine.
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
