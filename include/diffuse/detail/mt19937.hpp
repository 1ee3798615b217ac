/// MT19937, the 32-bit Mersenne Twister (Matsumoto and Nishimura, ACM TOMACS 8(1), 1998), seeded as
/// its authors' init_genrand does; the same sequence as the C++ standard's std::mt19937 ([rand.predef]:
/// the 10000th draw after the default seed 5489 is 4123659995) without including <random>.
#pragma once

#include <cstdint>

namespace diffuse {
namespace detail {

class Mt19937 {
 public:
  explicit Mt19937(std::uint32_t seed = 5489u) { this->seed(seed); }

  /// x_0 = seed, x_i = 1812433253·(x_{i−1} ⊕ (x_{i−1} >> 30)) + i mod 2^32, i = 1..623.
  void seed(std::uint32_t value) {
    state_[0] = value;
    for (std::uint32_t i = 1; i < size; ++i) state_[i] = 1812433253u * (state_[i - 1] ^ (state_[i - 1] >> 30)) + i;
    next_ = size;
  }

  /// The next draw: the twisted state word, tempered.
  std::uint32_t operator()() {
    if (next_ == size) twist();
    std::uint32_t y = state_[next_++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    return y ^ (y >> 18);
  }

 private:
  static constexpr std::uint32_t size = 624, shift = 397;

  /// x_{k+n} = x_{k+m} ⊕ ((upper bit of x_k | lower 31 bits of x_{k+1}) A), A's last row 0x9908b0df.
  void twist() {
    for (std::uint32_t k = 0; k < size; ++k) {
      const std::uint32_t y = (state_[k] & 0x80000000u) | (state_[(k + 1) % size] & 0x7fffffffu);
      state_[k] = state_[(k + shift) % size] ^ (y >> 1) ^ ((y & 1u) != 0 ? 0x9908b0dfu : 0u);
    }
    next_ = 0;
  }

  std::uint32_t state_[size];
  std::uint32_t next_;
};

}  // namespace detail
}  // namespace diffuse
