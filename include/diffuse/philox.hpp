/// Philox4x32-10, the counter-based random function of Salmon et al. (SC'11), bit-exact with Random123.
#pragma once

#include <array>
#include <cstdint>

#include "detail/host_device.hpp"

namespace diffuse {

/// The Philox4x32 constants and round function (Salmon, Moraes, Dror, Shaw, "Parallel random
/// numbers: as easy as 1, 2, 3", SC'11, section 3.3 and table 2; Random123's philox.h).
struct Philox4x32 {
  using Counter = std::array<std::uint32_t, 4>;
  using Key = std::array<std::uint32_t, 2>;

  static constexpr std::uint32_t multiplier0 = 0xD2511F53u;  ///< M0
  static constexpr std::uint32_t multiplier1 = 0xCD9E8D57u;  ///< M1
  static constexpr std::uint32_t weyl0 = 0x9E3779B9u;        ///< key increment W0 (golden ratio)
  static constexpr std::uint32_t weyl1 = 0xBB67AE85u;        ///< key increment W1 (√3 − 1)
  static constexpr int default_rounds = 10;

  /// One round: (hi0, lo0) = M0·c0, (hi1, lo1) = M1·c2 as 64-bit products;
  /// c ← (hi1 ⊕ c1 ⊕ k0, lo1, hi0 ⊕ c3 ⊕ k1, lo0) (SC'11 eq. 4 with Random123's word order).
  DIFFUSE_HOST_DEVICE static constexpr Counter round(const Counter& c, const Key& k) {
    const std::uint64_t p0 = std::uint64_t{multiplier0} * c[0];
    const std::uint64_t p1 = std::uint64_t{multiplier1} * c[2];
    return {static_cast<std::uint32_t>(p1 >> 32) ^ c[1] ^ k[0], static_cast<std::uint32_t>(p1),
            static_cast<std::uint32_t>(p0 >> 32) ^ c[3] ^ k[1], static_cast<std::uint32_t>(p0)};
  }

  /// The key schedule: k ← (k0 + W0, k1 + W1) mod 2^32 between rounds.
  DIFFUSE_HOST_DEVICE static constexpr Key bump(const Key& k) {
    return {static_cast<std::uint32_t>(k[0] + weyl0), static_cast<std::uint32_t>(k[1] + weyl1)};
  }
};

/// Philox4x32-R: the four 32-bit words that `Rounds` rounds (10 by default, the Crush-resistant
/// choice of SC'11) make of `counter` under `key`; a bijection of the counter for each key.
/// Bit-exact with Random123's philox4x32_R(Rounds, counter, key) (kat_vectors, "philox4x32 10").
/// (Not named philox4x32: Random123's philox.h defines a macro of that name.)
template <int Rounds = Philox4x32::default_rounds>
DIFFUSE_HOST_DEVICE constexpr Philox4x32::Counter philox(Philox4x32::Counter counter, Philox4x32::Key key) {
  static_assert(Rounds >= 1, "diffuse::philox: at least one round");
  for (int r = 0; r < Rounds; ++r) {
    if (r > 0) key = Philox4x32::bump(key);
    counter = Philox4x32::round(counter, key);
  }
  return counter;
}

}  // namespace diffuse
