// training_samplers.hpp: each sampler is its transform of the sample's draw, bit for bit, whatever
// the split of the batch; the draws of each pass KS (continuous) or chi-square (steps) against the
// sampler's law with fixed seeds; stratified, antithetic and low-discrepancy batches have their
// properties exactly; the argument rules.
#include <diffuse/training_samplers.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <stdexcept>
#include <vector>

#include <Eigen/Core>

#include "catch.hpp"
#include "support/messages.hpp"
#include "support/statistics.hpp"

namespace {

using Ids = Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1>;

constexpr double pi = 3.14159265358979323846;

/// Whole batch == two pieces (the second first) == an IdRange, element by element, and the
/// per-sample value is transform(seed, id).
template <class Sampler, class Transform>
void check_split(const Sampler& sampler, Transform transform) {
  const std::uint64_t seed = 0xC0FFEE;
  const Ids ids = Ids::LinSpaced(37, 5000, 5036);
  const auto whole = diffuse::sample_coordinates(sampler, seed, ids);
  const auto tail = diffuse::sample_coordinates(sampler, seed, Ids(ids.tail(15)));
  const auto head = diffuse::sample_coordinates(sampler, seed, Ids(ids.head(22)));
  const auto range = diffuse::sample_coordinates(sampler, seed, diffuse::IdRange{5000, 37});
  REQUIRE(whole.size() == 37);
  for (std::size_t p = 0; p < 37; ++p) {
    const auto piece = p < 22 ? head[p] : tail[p - 22];
    CHECK(whole[p] == piece);
    CHECK(whole[p] == range[p]);
    CHECK(whole[p] == transform(seed, static_cast<std::uint64_t>(ids(static_cast<Eigen::Index>(p)))));
    CHECK(whole[p] == sampler(seed, static_cast<std::uint64_t>(ids(static_cast<Eigen::Index>(p)))));
  }
}

/// n draws of a double sampler (ids 0..n−1 under `seed`) pass KS against `cdf` at α = 1e-3.
template <class Sampler, class Cdf>
void check_ks(const Sampler& sampler, std::uint64_t seed, std::uint64_t n, Cdf cdf) {
  const std::vector<double> x = diffuse::sample_coordinates(sampler, seed, diffuse::IdRange{0, n});
  CHECK(test_support::ks_statistic(x, cdf) <= test_support::ks_critical(static_cast<double>(n)));
}

/// Pearson's chi-square of counts against equal expected counts.
double chi_square(const std::vector<long>& counts, double expected) {
  double x = 0;
  for (long c : counts) x += (static_cast<double>(c) - expected) * (static_cast<double>(c) - expected) / expected;
  return x;
}

/// The chi-square critical value at alpha = 1e-3 with 9 degrees of freedom (10 categories).
constexpr double chi_square_9 = 27.877;

}  // namespace

TEST_CASE("every sampler is its transform of the sample's draw, and a split batch gives the same values",
          "[training_samplers]") {
  using namespace diffuse;
  check_split(uniform_step_sampler(1000),
              [](std::uint64_t k, std::uint64_t id) { return uniform_step(draw_uniform(k, id), 1000); });
  check_split(uniform_step_sampler({10, 20, 999}, 1000), [](std::uint64_t k, std::uint64_t id) {
    const int i = uniform_step(draw_uniform(k, id), 3);
    return i == 1 ? 10 : i == 2 ? 20 : 999;
  });
  check_split(uniform_time_sampler(), [](std::uint64_t k, std::uint64_t id) { return draw_uniform(k, id); });
  check_split(logit_normal_time_sampler(0.5, 2),
              [](std::uint64_t k, std::uint64_t id) { return logit_normal_time(draw_normal(k, id), 0.5, 2).value(); });
  check_split(mode_time_sampler(),
              [](std::uint64_t k, std::uint64_t id) { return mode_time(draw_uniform(k, id)).value(); });
  check_split(cosmap_time_sampler(),
              [](std::uint64_t k, std::uint64_t id) { return cosmap_time(draw_uniform(k, id)).value(); });
  check_split(log_normal_sigma_sampler(),
              [](std::uint64_t k, std::uint64_t id) { return log_normal_sigma(draw_normal(k, id)).value(); });
  check_split(log_normal_sigma_of_uniform_sampler(-1.2, 1.2), [](std::uint64_t k, std::uint64_t id) {
    return log_normal_sigma_of_uniform(draw_uniform(k, id), -1.2, 1.2).value();
  });
  check_split(log_logistic_sigma_sampler(-0.5, 0.7, 0.01, 80), [](std::uint64_t k, std::uint64_t id) {
    return log_logistic_sigma(draw_uniform(k, id), -0.5, 0.7, 0.01, 80).value();
  });
  check_split(log_uniform_sigma_sampler(0.002, 80), [](std::uint64_t k, std::uint64_t id) {
    return log_uniform_sigma(draw_uniform(k, id), 0.002, 80).value();
  });
  check_split(v_diffusion_sigma_sampler(0.5, 0.002, 80), [](std::uint64_t k, std::uint64_t id) {
    return v_diffusion_sigma(draw_uniform(k, id), 0.5, 0.002, 80).value();
  });
  check_split(cosine_interpolated_sigma_sampler(64, 32, 64), [](std::uint64_t k, std::uint64_t id) {
    return cosine_interpolated_sigma(draw_uniform(k, id), 64, 32, 64).value();
  });
}

// Each law's CDF in closed form, written from its definition (not from the transform), except the
// mode and interpolated-cosine laws, whose CDF is the inverse of the transform, found by bisection.
TEST_CASE("the draws of each continuous sampler pass KS against its CDF", "[training_samplers][statistical]") {
  using namespace diffuse;
  const std::uint64_t n = 1 << 14;
  const auto phi = test_support::normal_cdf<double>;
  check_ks(uniform_time_sampler(), 11, n, [](double t) { return t; });
  check_ks(logit_normal_time_sampler(0.5, 2), 12, n, [&](double t) { return phi((std::log(t / (1 - t)) - 0.5) / 2); });
  check_ks(cosmap_time_sampler(), 13, n, [](double t) { return 2 / pi * std::atan(t / (1 - t)); });
  check_ks(log_normal_sigma_sampler(), 14, n, [&](double s) { return phi((std::log(s) + 1.2) / 1.2); });
  check_ks(log_normal_sigma_of_uniform_sampler(-1.2, 1.2), 15, 1 << 11,
           [&](double s) { return phi((std::log(s) + 1.2) / 1.2); });
  const double lo = 0.01, hi = 80;
  auto logistic = [](double x) { return 1 / (1 + std::exp(-x)); };
  check_ks(log_logistic_sigma_sampler(-0.5, 0.7, lo, hi), 16, n, [&](double s) {
    const double f_lo = logistic((std::log(lo) + 0.5) / 0.7), f_hi = logistic((std::log(hi) + 0.5) / 0.7);
    return (logistic((std::log(s) + 0.5) / 0.7) - f_lo) / (f_hi - f_lo);
  });
  check_ks(log_uniform_sigma_sampler(lo, hi), 17, n, [&](double s) { return std::log(s / lo) / std::log(hi / lo); });
  check_ks(v_diffusion_sigma_sampler(0.5, lo, hi), 18, n, [&](double s) {
    const double a = std::atan(lo / 0.5), b = std::atan(hi / 0.5);
    return (std::atan(s / 0.5) - a) / (b - a);
  });
  // Decreasing in u: F(t) = 1 − u(t); increasing: F(x) = u(x).
  auto inverse = [](auto transform, double x, bool decreasing) {
    double a = 0, b = 1;
    for (int i = 0; i < 40; ++i) {
      const double m = (a + b) / 2;
      ((transform(m) < x) != decreasing ? a : b) = m;
    }
    return decreasing ? 1 - (a + b) / 2 : (a + b) / 2;
  };
  // The bisection costs 40 transforms per CDF value: 2^10 draws.
  check_ks(mode_time_sampler(), 19, 1 << 10,
           [&](double t) { return inverse([](double u) { return mode_time(u).value(); }, t, true); });
  check_ks(cosine_interpolated_sigma_sampler(64, 32, 64), 20, 1 << 10, [&](double s) {
    return inverse([](double u) { return cosine_interpolated_sigma(u, 64, 32, 64).value(); }, s, true);
  });
}

TEST_CASE("uniform steps, on 1..T and on a respaced subset, pass chi-square", "[training_samplers][statistical]") {
  const std::uint64_t n = 1 << 15;
  const std::vector<int> t = diffuse::sample_coordinates(diffuse::uniform_step_sampler(10), 21, diffuse::IdRange{0, n});
  std::vector<long> counts(10, 0);
  for (int s : t) {
    REQUIRE(s >= 1);
    REQUIRE(s <= 10);
    ++counts[static_cast<std::size_t>(s - 1)];
  }
  CHECK(chi_square(counts, static_cast<double>(n) / 10) <= chi_square_9);
  std::vector<int> kept(10);
  for (int k = 0; k < 10; ++k) kept[static_cast<std::size_t>(k)] = 100 * k + 1;
  const std::vector<int> r =
      diffuse::sample_coordinates(diffuse::uniform_step_sampler(kept, 1000), 22, diffuse::IdRange{0, n});
  std::fill(counts.begin(), counts.end(), 0);
  for (int s : r) {
    REQUIRE((s - 1) % 100 == 0);
    ++counts[static_cast<std::size_t>((s - 1) / 100)];
  }
  CHECK(chi_square(counts, static_cast<double>(n) / 10) <= chi_square_9);
}

TEST_CASE("stratified steps: position p lands in stratum p, and B = 2T covers every step twice",
          "[training_samplers]") {
  const int steps = 50, batch = 100;
  const Ids ids = Ids::LinSpaced(batch, 7, 7 + batch - 1);
  const std::vector<int> t = diffuse::sample_coordinates(diffuse::stratified_step_sampler(steps), 3, ids);
  std::vector<int> counts(steps + 1, 0);
  for (int p = 0; p < batch; ++p) {
    const int s = t[static_cast<std::size_t>(p)];
    CHECK(s == diffuse::stratified_step(diffuse::draw_uniform(3, static_cast<std::uint64_t>(7 + p)), p, batch, steps));
    CHECK(s == 1 + p / 2);
    ++counts[static_cast<std::size_t>(s)];
  }
  CHECK(std::count(counts.begin() + 1, counts.end(), 2) == steps);
}

TEST_CASE("antithetic steps: positions 2i, 2i + 1 sum to T + 1, the first of each pair is uniform, an odd last one too",
          "[training_samplers]") {
  const int steps = 10;
  const std::uint64_t n = (1 << 15) + 1;
  const std::vector<int> t =
      diffuse::sample_coordinates(diffuse::antithetic_step_sampler(steps), 31, diffuse::IdRange{0, n});
  std::vector<long> counts(10, 0);
  for (std::size_t p = 0; p < n; p += 2) {
    CHECK(t[p] == diffuse::uniform_step(diffuse::draw_uniform(31, p), steps));
    if (p + 1 < n) CHECK(t[p] + t[p + 1] == steps + 1);
    ++counts[static_cast<std::size_t>(t[p] - 1)];
  }
  CHECK(chi_square(counts, static_cast<double>(n / 2 + 1) / 10) <= chi_square_9);
}

TEST_CASE("low-discrepancy times: one shared uniform, one time in each interval from k/B to (k + 1)/B",
          "[training_samplers]") {
  const int batch = 64;
  const Ids ids = Ids::LinSpaced(batch, 900, 900 + batch - 1);
  const std::vector<double> t = diffuse::sample_coordinates(diffuse::low_discrepancy_time_sampler(), 5, ids);
  const double u = diffuse::draw_uniform(5, 900);
  std::vector<int> per_bin(batch, 0);
  for (int p = 0; p < batch; ++p) {
    CHECK(t[static_cast<std::size_t>(p)] == diffuse::low_discrepancy_time(u, p, batch).value());
    ++per_bin[static_cast<std::size_t>(std::floor(t[static_cast<std::size_t>(p)] * batch))];
  }
  CHECK(std::count(per_bin.begin(), per_bin.end(), 1) == batch);
  CHECK(diffuse::sample_coordinates(diffuse::low_discrepancy_time_sampler(), 5, diffuse::IdRange{0, 0}).empty());
}

TEST_CASE("sampler arguments are checked when the sampler is made", "[training_samplers][errors]") {
  using test_support::error_message;
  CHECK(error_message<std::invalid_argument>([] { diffuse::uniform_step_sampler(0); }) ==
        "diffuse::uniform_step: the number of steps T must be at least 1 (got 0)");
  CHECK(error_message<std::invalid_argument>([] { diffuse::uniform_step_sampler(std::vector<int>{}, 10); }) ==
        "diffuse::uniform_step_sampler: the number of kept steps must be at least 1 (got 0)");
  CHECK(error_message<std::out_of_range>([] {
          diffuse::uniform_step_sampler({1, 11}, 10);
        }) == "diffuse::uniform_step_sampler: kept step 1 must be in [1, 10] (got 11)");
  CHECK(error_message<std::invalid_argument>([] { diffuse::uniform_step_sampler({1}, 0); }) ==
        "diffuse::uniform_step_sampler: the number of steps T must be at least 1 (got 0)");
  CHECK(error_message<std::invalid_argument>([] { diffuse::logit_normal_time_sampler(0, -1); }) ==
        "diffuse::logit_normal_time: std must be finite and >= 0 (got -1)");
  CHECK(error_message<std::invalid_argument>([] { diffuse::log_uniform_sigma_sampler(2, 1); }) ==
        "diffuse::log_uniform_sigma: max_value must be finite and greater than min_value (got 1)");
  CHECK(
      error_message<std::out_of_range>([] {
        diffuse::sample_coordinates(diffuse::uniform_time_sampler(), 1, diffuse::IdRange{~std::uint64_t{0}, 2});
      }) ==
      "diffuse::sample_coordinates: the last id, first + count − 1, must be below 2^64; first (got 18446744073709551615)");
  CHECK(error_message<std::out_of_range>([] {
          diffuse::sample_coordinates(diffuse::uniform_time_sampler(), 1, Ids::Constant(2, -3));
        }) == "diffuse::sample_coordinates: ids must be non-negative (got -3)");
  CHECK_NOTHROW(
      diffuse::sample_coordinates(diffuse::uniform_time_sampler(), 1, diffuse::IdRange{~std::uint64_t{0}, 1}));
}
