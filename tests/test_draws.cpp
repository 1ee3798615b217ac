// draws.hpp: the draw contract (the uniform from the Philox block it names, on its grid, never 0 or
// 1), its distribution (moments, KS, two draws of one sample uncorrelated) and its argument check.
#include <diffuse/draws.hpp>
#include <diffuse/philox.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

#include "catch.hpp"
#include "support/messages.hpp"
#include "support/statistics.hpp"

namespace {

/// The contract's uniform, written from its text: Philox4x32-10 with key (k lo, k hi) and counter
/// (r lo, 2^31 + r hi, j lo, j hi); u = (top 52 bits of w1·2^32 + w0 + ½)·2⁻⁵².
double contract_uniform(std::uint64_t k, std::uint64_t j, std::uint64_t r) {
  const diffuse::Philox4x32::Counter counter{static_cast<std::uint32_t>(r),
                                             0x80000000u + static_cast<std::uint32_t>(r >> 32),
                                             static_cast<std::uint32_t>(j), static_cast<std::uint32_t>(j >> 32)};
  const diffuse::Philox4x32::Key key{static_cast<std::uint32_t>(k), static_cast<std::uint32_t>(k >> 32)};
  const diffuse::Philox4x32::Counter w = diffuse::philox(counter, key);
  const double top52 =
      std::ldexp(static_cast<double>(w[1]), 20) + std::floor(std::ldexp(static_cast<double>(w[0]), -12));
  return std::ldexp(top52 + 0.5, -52);
}

}  // namespace

TEST_CASE("a draw is the uniform its Philox block gives, on the grid of odd multiples of 2^-53", "[draws]") {
  const std::uint64_t seeds[] = {0, 1, 2024, 0xFFFFFFFFFFFFFFFFull, 0x123456789ABCDEF0ull};
  const std::uint64_t ids[] = {0, 7, 0xFFFFFFFFull, 0x100000000ull, 0xFFFFFFFFFFFFFFFFull};
  const std::uint64_t draws[] = {0, 1, 0xFFFFFFFFull, 0x100000001ull, (std::uint64_t{1} << 63) - 1};
  for (std::uint64_t k : seeds) {
    for (std::uint64_t j : ids) {
      for (std::uint64_t r : draws) {
        const double u = diffuse::draw_uniform(k, j, r);
        CHECK(u == contract_uniform(k, j, r));
        CHECK(u >= 0x1p-53);
        CHECK(u <= 1 - 0x1p-53);
        const double scaled = std::ldexp(u, 53);  // an odd integer
        CHECK(scaled == std::floor(scaled));
        CHECK(std::fmod(scaled, 2.0) == 1.0);
      }
    }
  }
  CHECK(diffuse::draw_uniform(5, 9) == diffuse::draw_uniform(5, 9, 0));
}

// 2^17 samples (ids 0, 1, …) under one seed: mean ½ and variance 1/12 within the bounds of STYLE.md
// (5 standard errors), KS against U(0, 1) at α = 1e-3, and draws 0 and 1 of each sample uncorrelated
// (their covariance within 5 standard errors, 1/12/√n).
TEST_CASE("draws are uniform and two draws of one sample are uncorrelated", "[draws][statistical]") {
  const std::size_t n = std::size_t{1} << 17;
  std::vector<double> first(n), second(n);
  for (std::size_t j = 0; j < n; ++j) {
    first[j] = diffuse::draw_uniform(20251205, j, 0);
    second[j] = diffuse::draw_uniform(20251205, j, 1);
  }
  const test_support::Moments m = test_support::moments(first);
  const long double sigma = std::sqrt(1.0L / 12), samples = static_cast<long double>(n);
  CHECK(std::fabs(m.mean - 0.5L) <= test_support::mean_bound(sigma, samples));
  CHECK(std::fabs(m.variance - 1.0L / 12) <= test_support::variance_bound(sigma, samples));
  CHECK(test_support::ks_statistic(first, [](double u) { return u; }) <=
        test_support::ks_critical(static_cast<double>(n)));
  CHECK(test_support::ks_statistic(second, [](double u) { return u; }) <=
        test_support::ks_critical(static_cast<double>(n)));
  long double covariance = 0;
  for (std::size_t j = 0; j < n; ++j) covariance += (first[j] - 0.5L) * (second[j] - 0.5L);
  covariance /= samples;
  CHECK(std::fabs(covariance) <= test_support::covariance_bound(sigma, sigma, samples));
}

TEST_CASE("a draw number of 2^63 or more is refused", "[draws][errors]") {
  CHECK(test_support::error_message<std::out_of_range>([] { diffuse::draw_uniform(1, 2, std::uint64_t{1} << 63); }) ==
        "diffuse::draw_uniform: draw must be below 2^63 (got 9223372036854775808)");
  CHECK_NOTHROW(diffuse::draw_uniform(1, 2, (std::uint64_t{1} << 63) - 1));
}

// draw_normal: z0 of the double Box–Muller pair of the draw's block, written from the contract's
// text; 2^17 samples under one seed: mean 0 and variance 1 within 5 standard errors, KS against Φ.
TEST_CASE("a normal draw is the Box-Muller z0 of its block and is standard normal", "[draws][statistical]") {
  for (std::uint64_t r : {std::uint64_t{0}, std::uint64_t{3}, (std::uint64_t{1} << 63) - 1}) {
    const diffuse::Philox4x32::Counter counter{static_cast<std::uint32_t>(r),
                                               0x80000000u + static_cast<std::uint32_t>(r >> 32), 42u, 0u};
    const diffuse::Philox4x32::Counter w = diffuse::philox(counter, diffuse::Philox4x32::Key{99u, 0u});
    double z0 = 0, z1 = 0;
    diffuse::detail::normal_pair<double>(w.data(), z0, z1);
    CHECK(diffuse::draw_normal(99, 42, r) == z0);
  }
  const std::size_t n = std::size_t{1} << 17;
  std::vector<double> z(n);
  for (std::size_t j = 0; j < n; ++j) z[j] = diffuse::draw_normal(20251206, j, 2);
  const test_support::Moments m = test_support::moments(z);
  const long double samples = static_cast<long double>(n);
  CHECK(std::fabs(m.mean) <= test_support::mean_bound(1, samples));
  CHECK(std::fabs(m.variance - 1) <= test_support::variance_bound(1, samples));
  CHECK(test_support::ks_statistic(z, test_support::normal_cdf<double>) <=
        test_support::ks_critical(static_cast<double>(n)));
  CHECK(test_support::error_message<std::out_of_range>([] { diffuse::draw_normal(1, 2, std::uint64_t{1} << 63); }) ==
        "diffuse::draw_normal: draw must be below 2^63 (got 9223372036854775808)");
}
