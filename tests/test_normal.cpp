// The library's standard-normal transform: accuracy against a long-double evaluation of the same
// uniforms, extreme words, the word assembly from any URBG, StandardNormal's order, moments and KS.
#include <diffuse/detail/wide.hpp>
#include <diffuse/detail/wide_constants.hpp>
#include <diffuse/detail/wide_math.hpp>
#include <diffuse/normal.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include <Eigen/Core>

#include "catch.hpp"
#include "support/statistics.hpp"

template class diffuse::StandardNormal<float>;
template class diffuse::StandardNormal<double>;

namespace {

using diffuse::detail::normal_pair;
using diffuse::detail::NormalConstants;

constexpr long double pi = 3.141592653589793238462643383279502884L;

/// The exact (long double) Box–Muller value of the uniforms the specification of normal_pair
/// derives from the words, decoded here independently of the library.
template <class Scalar>
struct ExactPair {
  long double r, z0, z1;
};

ExactPair<float> exact_pair(const std::uint32_t* w, float) {
  const float n = static_cast<float>(static_cast<std::int32_t>(2 * (w[0] / 4) + 1));  // rounded to float
  const long double u = std::ldexp(static_cast<long double>(n), -31);
  const std::uint32_t t = w[1] + (1u << 29);
  const std::uint32_t q = t >> 30;
  const std::uint32_t g = t & ((1u << 30) - 1);
  const long double v = std::ldexp(static_cast<long double>(2 * (g >> 8) + 1), -23) - 0.5L;
  const long double theta = pi / 2 * (static_cast<long double>(q) + v);
  const long double r = std::sqrt(-2 * std::log(u));
  return {r, r * std::cos(theta), r * std::sin(theta)};
}

ExactPair<double> exact_pair(const std::uint32_t* w, double) {
  const std::uint64_t x = w[0] | (std::uint64_t{w[1]} << 32);
  const long double u = std::ldexp(static_cast<long double>(2 * (x >> 13) + 1), -52);
  const std::uint64_t a = w[2] | (std::uint64_t{w[3]} << 32);
  const std::uint64_t t = a + (std::uint64_t{1} << 61);
  const std::uint64_t q = t >> 62;
  const std::uint64_t g = t & ((std::uint64_t{1} << 62) - 1);
  const long double v = std::ldexp(static_cast<long double>(2 * (g >> 11) + 1), -52) - 0.5L;
  const long double theta = pi / 2 * (static_cast<long double>(q) + v);
  const long double r = std::sqrt(-2 * std::log(u));
  return {r, r * std::cos(theta), r * std::sin(theta)};
}

/// |z − z*| / (r* ε) for both normals of the pair made from w (0 when r* = 0 and z = 0).
template <class Scalar>
long double scaled_error(const std::uint32_t* w) {
  Scalar z0, z1;
  normal_pair(w, z0, z1);
  const ExactPair<Scalar> e = exact_pair(w, Scalar());
  const long double err = std::max(std::fabs(z0 - e.z0), std::fabs(z1 - e.z1));
  if (e.r == 0) return err == 0 ? 0 : std::numeric_limits<long double>::infinity();
  return err / (e.r * std::numeric_limits<Scalar>::epsilon());
}

/// The words that make the extreme uniforms: radius words at both ends (u = 2^-31 or 2^-52, and
/// u = 1) and angle words at every quarter boundary.
std::vector<std::uint32_t> extreme_words() {
  return {0u,          1u,          2u,          3u,          4u,          0x7fu,       0x80u,
          0xffu,       0x100u,      0x1fffffffu, 0x20000000u, 0x3fffffffu, 0x40000000u, 0x5fffffffu,
          0x60000000u, 0x7fffffffu, 0x80000000u, 0x9fffffffu, 0xa0000000u, 0xdfffffffu, 0xe0000000u,
          0xfffffeffu, 0xffffff00u, 0xfffffffeu, 0xffffffffu};
}

/// A URBG that returns a scripted sequence, with the range of the template arguments.
template <class Result, Result Min, Result Max>
struct ScriptedBits {
  using result_type = Result;
  static constexpr Result min() { return Min; }
  static constexpr Result max() { return Max; }
  std::vector<Result> values;
  std::size_t next = 0;
  Result operator()() { return values.at(next++); }
};

/// STYLE.md's bounds for a sample of N(0, 1): mean, variance and the Kolmogorov–Smirnov statistic,
/// computed in long double.
template <class Scalar>
void check_standard_normal(const std::vector<Scalar>& z) {
  const test_support::Moments m = test_support::moments(z);
  const double n = static_cast<double>(z.size());
  CHECK(std::fabs(m.mean) < test_support::mean_bound(1, n));
  CHECK(std::fabs(m.variance - 1) < test_support::variance_bound(1, n));
  const std::vector<long double> wide(z.begin(), z.end());
  CHECK(test_support::ks_statistic(wide, test_support::normal_cdf<long double>) < test_support::ks_critical(n));
}

}  // namespace

// docs/noise_contract.md §4 defines each constant of the transform: the Taylor coefficients
// (−1)^k (π/2)^{2k+1}/(2k + 1)! and (−1)^k (π/2)^{2k}/(2k)!, the log series' 2/(2k + 3), the bits of
// √½ and ln 2 = ln2_high + ln2_low, each rounded to nearest. Computed here in Wide (128 bits) from
// π and ln 2 of wide_constants.hpp, independently of the table.
TEMPLATE_TEST_CASE("the transform's constants are their definitions rounded to nearest", "[normal][ieee]", float,
                   double) {
  using S = TestType;
  using C = NormalConstants<S>;
  using diffuse::detail::Wide;
  const Wide half_pi = ldexp(diffuse::detail::wide_constants::pi, -1);
  Wide power = half_pi, factorial = Wide(1);  // (π/2)^{2k+1} and (2k + 1)!
  for (int k = 0; k < C::sin_terms; ++k) {
    if (k > 0) {
      power = power * half_pi * half_pi;
      factorial = factorial * Wide(2 * k) * Wide(2 * k + 1);
    }
    const Wide term = power / factorial;
    CHECK(C::sin_k[k] == static_cast<S>(k % 2 == 0 ? term : -term));
  }
  power = Wide(1);
  factorial = Wide(1);
  for (int k = 0; k < C::cos_terms; ++k) {
    if (k > 0) {
      power = power * half_pi * half_pi;
      factorial = factorial * Wide(2 * k - 1) * Wide(2 * k);
    }
    const Wide term = power / factorial;
    CHECK(C::cos_k[k] == static_cast<S>(k % 2 == 0 ? term : -term));
  }
  for (int k = 0; k < C::log_terms; ++k) CHECK(C::log_k[k] == static_cast<S>(Wide(2) / Wide(2 * k + 3)));
  CHECK(diffuse::detail::bits_as<S>(C::sqrt_half_bits) == static_cast<S>(sqrt(ldexp(Wide(1), -1))));
  // ln2_high carries the leading bits of ln 2 (fdlibm's split, low bits zero so that e·ln2_high is
  // exact); ln2_low is the rest, rounded to nearest.
  CHECK(static_cast<S>(diffuse::detail::wide_constants::ln2 - Wide(C::ln2_high)) == C::ln2_low);
}

TEMPLATE_TEST_CASE("normal_pair is within 2 r eps of Box-Muller evaluated exactly", "[normal][ieee]", float, double) {
  // Bound: ln u within 1.5 ulp, ½ ulp more for √, the polynomial cos/sin within 1 ulp, ½ ulp for
  // the product: 2 ε relative to the exact radius r (measured worst: 1.44 in float, 1.39 in double).
  constexpr int words = NormalConstants<TestType>::words;
  std::mt19937 bits(314159u);
  long double worst = 0;
  for (int i = 0; i < 1000000; ++i) {
    std::uint32_t w[words];
    for (std::uint32_t& x : w) x = static_cast<std::uint32_t>(bits());
    worst = std::max(worst, scaled_error<TestType>(w));
  }
  CHECK(worst <= 2);
  CHECK(worst > 0.25);  // the comparison is sensitive: a random million does see rounding
}

TEMPLATE_TEST_CASE("normal_pair stays finite and accurate at the extreme uniforms", "[normal]", float, double) {
  constexpr int words = NormalConstants<TestType>::words;
  const std::vector<std::uint32_t> edge = extreme_words();
  // The largest radius: u = 2^-31 in float, 2^-52 in double.
  const long double r_max = std::sqrt(-2 * std::log(std::ldexp(1.0L, words == 2 ? -31 : -52)));
  long double worst = 0;
  int non_finite = 0;
  for (std::uint32_t radius : edge) {
    for (std::uint32_t angle : edge) {
      std::uint32_t w[words];
      for (std::uint32_t& x : w) x = radius;
      if (words == 2) {
        w[1] = angle;
      } else {
        w[2] = angle;
        w[3] = angle;
      }
      TestType z0, z1;
      normal_pair(w, z0, z1);
      non_finite += !std::isfinite(z0) || !std::isfinite(z1);
      CHECK(std::hypot(static_cast<long double>(z0), static_cast<long double>(z1)) <=
            r_max * (1 + 4 * std::numeric_limits<TestType>::epsilon()));
      worst = std::max(worst, scaled_error<TestType>(w));
    }
  }
  CHECK(non_finite == 0);
  CHECK(worst <= 2);
  // All-ones radius words give the largest u: 1 in float (2^31 − 1 rounds up), so no noise at all,
  // and 1 − 2^-52 in double, so r = √(−2 ln u) ≈ 2^-25.5.
  std::uint32_t ones[words];
  for (std::uint32_t& x : ones) x = 0xffffffffu;
  TestType z0, z1;
  normal_pair(ones, z0, z1);
  const long double r_min = words == 2 ? 0 : std::sqrt(-2 * std::log1p(-std::ldexp(1.0L, -52)));
  CHECK(std::hypot(static_cast<long double>(z0), static_cast<long double>(z1)) <=
        r_min * (1 + 4 * std::numeric_limits<TestType>::epsilon()));
}

TEST_CASE("WordSource assembles 32-bit words from any generator range", "[normal]") {
  diffuse::detail::WordSource source;
  SECTION("32-bit generators: one draw per word") {
    ScriptedBits<std::uint32_t, 0u, 0xffffffffu> g{{7u, 0xdeadbeefu}};
    CHECK(source.next(g) == 7u);
    CHECK(source.next(g) == 0xdeadbeefu);
  }
  SECTION("64-bit generators: the low half first, then the high half") {
    ScriptedBits<std::uint64_t, 0u, ~std::uint64_t{0}> g{{0x0123456789abcdefull, 0x1111111122222222ull}};
    CHECK(source.next(g) == 0x89abcdefu);
    CHECK(source.next(g) == 0x01234567u);
    CHECK(source.next(g) == 0x22222222u);
    source.reset();  // drops the held high half
    CHECK_THROWS_AS(source.next(g), std::out_of_range);
  }
  SECTION("ranges of 2^k with 32 < k < 64: the low 32 bits of each draw") {
    ScriptedBits<std::uint64_t, 0u, (std::uint64_t{1} << 40) - 1> g{{0xab12345678ull, 0x1ull}};
    CHECK(source.next(g) == 0x12345678u);
    CHECK(source.next(g) == 1u);
  }
  SECTION("small ranges: k-bit chunks, low first; draws beyond 2^k rejected") {
    // min 5, 2^16 + 3 values: k = 16; 5 + 65536 and above are rejected.
    ScriptedBits<std::uint32_t, 5u, 5u + 65536u + 2u> g{{5u + 0x1234u, 5u + 65536u, 5u + 65537u, 5u + 0xabcdu}};
    CHECK(source.next(g) == 0xabcd1234u);
    CHECK(g.next == 4);
  }
  SECTION("std::minstd_rand: 30-bit chunks above its minimum of 1") {
    std::minstd_rand engine(12345u);
    std::minstd_rand copy = engine;
    std::uint64_t chunks[2];
    for (std::uint64_t& c : chunks) {
      do {
        c = copy() - 1;
      } while (c >= (std::uint64_t{1} << 30));
    }
    CHECK(source.next(engine) == static_cast<std::uint32_t>(chunks[0] | (chunks[1] << 30)));
  }
}

TEMPLATE_TEST_CASE("StandardNormal returns both normals of each pair in order", "[normal]", float, double) {
  constexpr int words = NormalConstants<TestType>::words;
  std::mt19937 engine(2718u);
  std::mt19937 copy = engine;
  diffuse::StandardNormal<TestType> normal;
  for (int pair = 0; pair < 100; ++pair) {
    std::uint32_t w[words];
    for (std::uint32_t& x : w) x = static_cast<std::uint32_t>(copy());
    TestType z0, z1;
    normal_pair(w, z0, z1);
    CHECK(normal(engine) == z0);
    CHECK(normal(engine) == z1);
  }
}

TEMPLATE_TEST_CASE("StandardNormal::fill is the sequence of draws in storage order", "[normal][ieee]", float, double) {
  using Col = Eigen::Matrix<TestType, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;
  using Row = Eigen::Matrix<TestType, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  std::mt19937_64 a(99u), b(99u), c(99u);
  diffuse::StandardNormal<TestType> na, nb, nc;
  std::vector<TestType> sequence(35);
  for (TestType& z : sequence) z = na(a);
  Col col(5, 7);
  nb.fill(b, col);
  Row row(5, 7);
  nc.fill(c, row);
  for (int i = 0; i < 35; ++i) {
    CHECK(col(i % 5, i / 5) == sequence[static_cast<std::size_t>(i)]);
    CHECK(row(i / 7, i % 7) == sequence[static_cast<std::size_t>(i)]);
  }
  // An odd count keeps the second normal of the last pair for the next draw.
  CHECK(nb(b) == na(a));
  // A block of a larger matrix: only its coefficients, column by column.
  std::mt19937_64 d(99u);
  diffuse::StandardNormal<TestType> nd;
  Col big = Col::Zero(6, 9);
  nd.fill(d, big.block(1, 2, 5, 7));
  CHECK(big.block(1, 2, 5, 7) == col);
  CHECK(big.col(0).isZero());
  CHECK(big.row(0).isZero());
}

TEMPLATE_TEST_CASE("StandardNormal::fill gives the same bits on every code path", "[normal][ieee]", float, double) {
  using diffuse::detail::SimdPath;
  const SimdPath before = diffuse::detail::simd_path_in_use();
  std::vector<TestType> sequence(2001);
  std::mt19937 reference(77u);
  diffuse::StandardNormal<TestType> normal;
  for (TestType& z : sequence) z = normal(reference);
  for (SimdPath path : diffuse::detail::all_simd_paths) {
    if (!diffuse::detail::cpu_runs(path)) continue;
    diffuse::detail::set_simd_path(path);
    std::mt19937 engine(77u);
    diffuse::StandardNormal<TestType> n;
    Eigen::Matrix<TestType, Eigen::Dynamic, 1> first(1), rest(2000);
    n.fill(engine, first);  // leaves the second normal of a pair kept
    n.fill(engine, rest);
    INFO("path " << static_cast<int>(path));
    CHECK(first(0) == sequence[0]);
    CHECK(std::equal(rest.data(), rest.data() + rest.size(), sequence.begin() + 1));
  }
  diffuse::detail::set_simd_path(before);
}

TEMPLATE_TEST_CASE("StandardNormal::reset starts a fresh pair", "[normal]", float, double) {
  std::mt19937 a(5u), b(5u);
  diffuse::StandardNormal<TestType> na, nb;
  const TestType first = na(a);
  na.reset();
  const TestType next = na(a);  // the first normal of the second pair
  nb(b);
  nb(b);
  CHECK(nb(b) == next);
  CHECK(first != next);
}

TEMPLATE_TEST_CASE("StandardNormal has the moments and distribution of N(0, 1)", "[normal]", float, double) {
  const std::size_t n = 400000;
  SECTION("std::mt19937") {
    std::mt19937 engine(8675309u);
    diffuse::StandardNormal<TestType> normal;
    std::vector<TestType> z(n);
    for (TestType& x : z) x = normal(engine);
    check_standard_normal(z);
  }
  SECTION("std::mt19937_64") {
    std::mt19937_64 engine(424242u);
    diffuse::StandardNormal<TestType> normal;
    std::vector<TestType> z(n);
    for (TestType& x : z) x = normal(engine);
    check_standard_normal(z);
  }
  SECTION("std::minstd_rand (range not a power of two)") {
    std::minstd_rand engine(1234567u);
    diffuse::StandardNormal<TestType> normal;
    std::vector<TestType> z(n);
    for (TestType& x : z) x = normal(engine);
    check_standard_normal(z);
  }
}
