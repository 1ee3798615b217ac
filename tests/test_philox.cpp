// Philox4x32-R: Random123's published known-answer vectors and agreement with Random123's own code.
#include <diffuse/philox.hpp>

#include <cstdint>
#include <random>

// Random123 (Debian librandom123-dev), where installed, is used by this test only, as an
// independent implementation.
#if __has_include(<Random123/philox.h>)
#include <Random123/philox.h>
#define DIFFUSE_TEST_RANDOM123 1
#endif

#include "catch.hpp"

namespace {

using diffuse::Philox4x32;

struct KnownAnswer {
  Philox4x32::Counter counter;
  Philox4x32::Key key;
  Philox4x32::Counter expected;
};

// Random123 1.14, tests/kat_vectors, the "philox4x32 10" and "philox4x32 7" lines
// (columns: counter[4], key[2], expected[4]).
// clang-format off
constexpr KnownAnswer kat10[] = {
    {{0x00000000, 0x00000000, 0x00000000, 0x00000000}, {0x00000000, 0x00000000},
     {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
    {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff},
     {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
    {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0},
     {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
};
constexpr KnownAnswer kat7[] = {
    {{0x00000000, 0x00000000, 0x00000000, 0x00000000}, {0x00000000, 0x00000000},
     {0x5f6fb709, 0x0d893f64, 0x4f121f81, 0x4f730a48}},
    {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff},
     {0x5207ddc2, 0x45165e59, 0x4d8ee751, 0x8c52f662}},
    {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0},
     {0x4dfccaba, 0x190a87f0, 0xc47362ba, 0xb6b5242a}},
};
// clang-format on

// The known answers hold at compile time too.
static_assert(diffuse::philox(kat10[2].counter, kat10[2].key)[0] == 0xd16cfe09u, "philox is constexpr and right");

}  // namespace

TEST_CASE("Philox4x32-10 reproduces Random123's known-answer vectors", "[philox]") {
  for (const KnownAnswer& k : kat10) CHECK(diffuse::philox(k.counter, k.key) == k.expected);
  for (const KnownAnswer& k : kat10) CHECK(diffuse::philox<10>(k.counter, k.key) == k.expected);
}

TEST_CASE("Philox4x32-7 reproduces Random123's known-answer vectors", "[philox]") {
  for (const KnownAnswer& k : kat7) CHECK(diffuse::philox<7>(k.counter, k.key) == k.expected);
}

#if defined(DIFFUSE_TEST_RANDOM123)
TEST_CASE("Philox4x32-R agrees with Random123's implementation on random inputs", "[philox]") {
  std::mt19937 words(20240611u);
  int mismatches = 0;
  for (int i = 0; i < 100000; ++i) {
    const Philox4x32::Counter c = {static_cast<std::uint32_t>(words()), static_cast<std::uint32_t>(words()),
                                   static_cast<std::uint32_t>(words()), static_cast<std::uint32_t>(words())};
    const Philox4x32::Key k = {static_cast<std::uint32_t>(words()), static_cast<std::uint32_t>(words())};
    const r123::Philox4x32::ctr_type rc = {{c[0], c[1], c[2], c[3]}};
    const r123::Philox4x32::key_type rk = {{k[0], k[1]}};
    const r123::Philox4x32::ctr_type r10 = r123::Philox4x32()(rc, rk);
    const r123::Philox4x32::ctr_type r1 = philox4x32_R(1, rc, rk);
    const r123::Philox4x32::ctr_type r7 = philox4x32_R(7, rc, rk);
    const Philox4x32::Counter d10 = diffuse::philox(c, k);
    const Philox4x32::Counter d1 = diffuse::philox<1>(c, k);
    const Philox4x32::Counter d7 = diffuse::philox<7>(c, k);
    for (int w = 0; w < 4; ++w) {
      mismatches += d10[static_cast<std::size_t>(w)] != r10[static_cast<std::size_t>(w)];
      mismatches += d1[static_cast<std::size_t>(w)] != r1[static_cast<std::size_t>(w)];
      mismatches += d7[static_cast<std::size_t>(w)] != r7[static_cast<std::size_t>(w)];
    }
  }
  CHECK(mismatches == 0);
}
#endif

TEST_CASE("Philox4x32 round and key schedule match the SC'11 definition", "[philox]") {
  // One round by hand: 64-bit products of the published multipliers.
  const Philox4x32::Counter c = {0x01234567u, 0x89abcdefu, 0xfedcba98u, 0x76543210u};
  const Philox4x32::Key k = {0x0f0f0f0fu, 0xf0f0f0f0u};
  const std::uint64_t p0 = std::uint64_t{0xD2511F53u} * c[0];
  const std::uint64_t p1 = std::uint64_t{0xCD9E8D57u} * c[2];
  const Philox4x32::Counter expected = {
      static_cast<std::uint32_t>(p1 >> 32) ^ c[1] ^ k[0], static_cast<std::uint32_t>(p1),
      static_cast<std::uint32_t>(p0 >> 32) ^ c[3] ^ k[1], static_cast<std::uint32_t>(p0)};
  CHECK(Philox4x32::round(c, k) == expected);
  const Philox4x32::Key bumped = Philox4x32::bump(k);
  CHECK(bumped[0] == static_cast<std::uint32_t>(0x0f0f0f0fu + 0x9E3779B9u));
  CHECK(bumped[1] == static_cast<std::uint32_t>(0xf0f0f0f0u + 0xBB67AE85u));
}
