/// StandardNormal: N(0, 1) from any C++ random bit generator by the library's specified Box–Muller transform.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <Eigen/Core>

#include "detail/checks.hpp"
#include "detail/noise_simd.hpp"
#include "detail/normal_transform.hpp"

namespace diffuse {
namespace detail {

/// Turns the output of a UniformRandomBitGenerator into uniform 32-bit words.
///
/// With R = max() − min() + 1 values and k = ⌊log2 R⌋, a draw x is accepted when x − min() < 2^k
/// (always when R is a power of two; std::minstd_rand, R = 2^31 − 2, keeps about half) and gives
/// k uniform bits c = x − min(). k = 64: one draw gives two words, the low 32 bits of c first.
/// 32 ≤ k < 64: a word is the low 32 bits of c. k < 32: a word is c_0 + 2^k c_1 + 2^(2k) c_2 + …
/// (⌈32/k⌉ accepted draws, bits above 32 dropped).
class WordSource {
 public:
  template <class URBG>
  std::uint32_t next(URBG& rng) {
    using Result = typename URBG::result_type;
    static_assert(std::is_unsigned<Result>::value && sizeof(Result) <= 8,
                  "diffuse::StandardNormal: the generator must return an unsigned integer of at "
                  "most 64 bits");
    constexpr std::uint64_t lo = static_cast<std::uint64_t>(URBG::min());
    constexpr std::uint64_t hi = static_cast<std::uint64_t>(URBG::max());
    static_assert(hi > lo, "diffuse::StandardNormal: the generator must have at least two values");
    constexpr std::uint64_t span = hi - lo;  // R − 1
    constexpr int k = bits_of(span);
    if (held_) {
      held_ = false;
      return held_word_;
    }
    if constexpr (k == 64) {
      const std::uint64_t c = static_cast<std::uint64_t>(rng()) - lo;
      held_word_ = static_cast<std::uint32_t>(c >> 32);
      held_ = true;
      return static_cast<std::uint32_t>(c);
    } else if constexpr (k >= 32) {
      return static_cast<std::uint32_t>(draw<k>(rng, lo));
    } else {
      std::uint64_t word = 0;
      for (int shift = 0; shift < 32; shift += k) word |= draw<k>(rng, lo) << shift;
      return static_cast<std::uint32_t>(word);
    }
  }

  /// Forgets a held word.
  void reset() { held_ = false; }

 private:
  /// ⌊log2(span + 1)⌋ for span = R − 1 ≥ 1 (64 when R = 2^64).
  static constexpr int bits_of(std::uint64_t span) {
    if (span == ~std::uint64_t{0}) return 64;
    int k = 0;
    while (k < 63 && (std::uint64_t{1} << (k + 1)) <= span + 1) ++k;
    return k;
  }

  template <int K, class URBG>
  static std::uint64_t draw(URBG& rng, std::uint64_t lo) {
    constexpr std::uint64_t limit = std::uint64_t{1} << K;
    for (;;) {
      const std::uint64_t c = static_cast<std::uint64_t>(rng()) - lo;
      if (c < limit) return c;
    }
  }

  std::uint32_t held_word_ = 0;
  bool held_ = false;
};

}  // namespace detail

/// Standard normals N(0, 1) by the library's own transform, driven by any C++ UniformRandomBitGenerator.
///
/// Each pair of normals takes 2 words (float) or 4 words (double) of 32 bits from the generator
/// (detail::WordSource: the draws' bits as they come, low half first for 64-bit generators,
/// rejection for ranges that are not a power of two, e.g. std::minstd_rand) and maps them by
/// detail::normal_pair (docs/noise_contract.md §4 and §6 specify every operation): u ∈ (0, 1] from
/// 31 bits (float, rounded to float) or 51 bits plus ½ (double), never 0; then Box–Muller (Box &
/// Muller 1958) with polynomial sin, cos and log, within 2 r ε of the exact value of the same u
/// and angle. The first normal of a pair is returned and the second kept for the next call,
/// so a sequence of calls, or fill, or any mix of them, yields the same numbers in the same order.
/// Unlike std::normal_distribution, the same engine in the same state gives the same numbers with
/// every compiler and standard library. Scalar is float or double.
template <class Scalar>
class StandardNormal {
  static_assert(detail::check_float_or_double<Scalar>());

 public:
  /// One N(0, 1) draw: the next normal of the sequence described above.
  template <class URBG>
  Scalar operator()(URBG& rng) {
    if (has_cached_) {
      has_cached_ = false;
      return cached_;
    }
    std::uint32_t w[detail::NormalConstants<Scalar>::words];
    for (std::uint32_t& word : w) word = words_.next(rng);
    Scalar first;
    detail::normal_pair(w, first, cached_);
    has_cached_ = true;
    return first;
  }

  /// Fills every coefficient of `out` with the next normals, in memory (storage) order; the
  /// same as calling operator() once per coefficient in that order, but the pairs are made in
  /// batches on the vectorised path of noise.hpp (same bits).
  template <class URBG, class Derived>
  void fill(URBG& rng, const Eigen::MatrixBase<Derived>& out) {
    Derived& target = const_cast<Derived&>(out.derived());
    constexpr bool row_major = static_cast<bool>(Derived::IsRowMajor);
    const Eigen::Index outer = row_major ? target.rows() : target.cols();
    const Eigen::Index inner = row_major ? target.cols() : target.rows();
    Eigen::Index o = 0, i = 0;
    const auto next = [&]() -> Scalar& {
      Scalar& coefficient = row_major ? target.coeffRef(o, i) : target.coeffRef(i, o);
      if (++i == inner) {
        i = 0;
        ++o;
      }
      return coefficient;
    };
    Eigen::Index left = outer * inner;
    if (left > 0 && has_cached_) {
      next() = (*this)(rng);
      --left;
    }
    // Pairs converted per call of the vectorised Box–Muller: 256 keeps the four arrays below (8 KiB for
    // double) in L1 and amortises the call; any size gives the same bits.
    constexpr std::size_t batch = 256;
    constexpr int half = detail::NormalConstants<Scalar>::words / 2;
    using Word = std::conditional_t<half == 1, std::uint32_t, std::uint64_t>;
    Word radius[batch], angle[batch];
    Scalar z0[batch], z1[batch];
    while (left >= 2) {
      const std::size_t pairs = std::min<std::size_t>(batch, static_cast<std::size_t>(left / 2));
      for (std::size_t p = 0; p < pairs; ++p) {
        radius[p] = angle[p] = 0;
        for (int k = 0; k < half; ++k) radius[p] |= static_cast<Word>(words_.next(rng)) << (32 * k);
        for (int k = 0; k < half; ++k) angle[p] |= static_cast<Word>(words_.next(rng)) << (32 * k);
      }
      detail::normal_pairs_of(radius, angle, pairs, z0, z1);
      for (std::size_t p = 0; p < pairs; ++p) {
        next() = z0[p];
        next() = z1[p];
      }
      left -= static_cast<Eigen::Index>(2 * pairs);
    }
    if (left == 1) next() = (*this)(rng);
  }

  /// Forgets the kept normal and any held word, so the next draw starts a fresh pair.
  void reset() {
    has_cached_ = false;
    words_.reset();
  }

 private:
  detail::WordSource words_;
  Scalar cached_ = 0;
  bool has_cached_ = false;
};

}  // namespace diffuse
