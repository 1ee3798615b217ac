// noise_variants.hpp: offset noise and input perturbation are their definitions over the noise
// contract, bit for bit, in both channel layouts; their moments (variance 1 + c², covariance c²
// within a channel and 0 across; ξ of variance γ² uncorrelated with ε) within 5 standard errors
// with fixed seeds; every argument rule.
#include <diffuse/noise_variants.hpp>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "catch.hpp"
#include "support/messages.hpp"
#include "support/statistics.hpp"

namespace {

using Ids = Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1>;
constexpr std::uint64_t two62 = std::uint64_t{1} << 62;

}  // namespace

TEMPLATE_TEST_CASE("offset noise is eps + c delta with one delta per channel, in both layouts", "[noise_variants]",
                   float, double) {
  using Matrix = Eigen::Matrix<TestType, Eigen::Dynamic, Eigen::Dynamic>;
  const Ids ids = (Ids(3) << 5, 0, 77).finished();
  for (bool first : {true, false}) {
    const diffuse::ChannelLayout layout{3, first};
    Matrix out(12, 3), eps(12, 3);
    diffuse::offset_noise(9, ids, layout, out, 0.25);
    diffuse::fill_noise(9, ids, eps);
    for (Eigen::Index j = 0; j < 3; ++j) {
      for (Eigen::Index i = 0; i < 12; ++i) {
        const Eigen::Index ch = first ? i / 4 : i % 3;
        const TestType delta = diffuse::noise_value<TestType>(9, static_cast<std::uint64_t>(ids(j)),
                                                              two62 + static_cast<std::uint64_t>(ch));
        CHECK(out(i, j) == diffuse::detail::scaled_sum(TestType(1), eps(i, j), TestType(0.25), delta));
      }
    }
  }
}

// 2^14 samples of 2 channels × 2 positions, c = 0.5: var 1.25, cov(same channel) 0.25, cov(across) 0.
TEST_CASE("offset noise has variance 1 + c^2 and covariance c^2 within a channel, 0 across",
          "[noise_variants][statistical]") {
  const Eigen::Index n = 1 << 14;
  const Ids ids = Ids::LinSpaced(n, 0, n - 1);
  Eigen::MatrixXd out(4, n);
  diffuse::offset_noise(2023, ids, diffuse::ChannelLayout{2, true}, out, 0.5);
  const long double samples = static_cast<long double>(n), sd = std::sqrt(1.25L);
  for (Eigen::Index i = 0; i < 4; ++i) {
    std::vector<double> row(static_cast<std::size_t>(n));
    for (Eigen::Index j = 0; j < n; ++j) row[static_cast<std::size_t>(j)] = out(i, j);
    const test_support::Moments m = test_support::moments(row);
    CHECK(std::fabs(m.mean) <= test_support::mean_bound(sd, samples));
    CHECK(std::fabs(m.variance - 1.25L) <= test_support::variance_bound(sd, samples));
  }
  auto covariance = [&](Eigen::Index a, Eigen::Index b) {
    long double s = 0;
    for (Eigen::Index j = 0; j < n; ++j) s += static_cast<long double>(out(a, j)) * out(b, j);
    return s / samples;
  };
  // The standard error of a covariance estimate: √(var(XY)/n), var(XY) ≤ 1.25² + 0.25² here.
  const long double bound = 5 * std::sqrt((1.25L * 1.25L + 0.0625L) / samples);
  CHECK(std::fabs(covariance(0, 1) - 0.25L) <= bound);
  CHECK(std::fabs(covariance(2, 3) - 0.25L) <= bound);
  CHECK(std::fabs(covariance(0, 2)) <= bound);
  CHECK(std::fabs(covariance(1, 3)) <= bound);
}

TEMPLATE_TEST_CASE("input perturbation: the target is the noise, x_t's noise is eps + gamma xi", "[noise_variants]",
                   float, double) {
  using Matrix = Eigen::Matrix<TestType, Eigen::Dynamic, Eigen::Dynamic>;
  const Ids ids = (Ids(2) << 3, 1000).finished();
  Matrix eps(6, 2), perturbed(6, 2), expected_eps(6, 2), xi(6, 2);
  diffuse::perturbed_noise(4, ids, eps, perturbed, 0.1);
  diffuse::fill_noise(4, ids, expected_eps);
  diffuse::fill_noise(4, ids, xi, two62 + (std::uint64_t{1} << 61));
  CHECK(eps == expected_eps);
  for (Eigen::Index j = 0; j < 2; ++j) {
    for (Eigen::Index i = 0; i < 6; ++i)
      CHECK(perturbed(i, j) == diffuse::detail::scaled_sum(TestType(1), eps(i, j), TestType(0.1), xi(i, j)));
  }
}

// 2^16 elements (2^12 samples of 16), γ = 0.3: (perturbed − ε)/γ has mean 0 and variance 1 and is uncorrelated with ε.
TEST_CASE("input perturbation's xi is standard normal and independent of eps", "[noise_variants][statistical]") {
  const Eigen::Index n = 1 << 12;
  Eigen::MatrixXd eps(16, n), perturbed(16, n);
  diffuse::perturbed_noise(77, Ids::LinSpaced(n, 0, n - 1), eps, perturbed, 0.3);
  std::vector<double> xi;
  long double cov = 0;
  for (Eigen::Index j = 0; j < n; ++j) {
    for (Eigen::Index i = 0; i < 16; ++i) {
      xi.push_back((perturbed(i, j) - eps(i, j)) / 0.3);
      cov += static_cast<long double>(xi.back()) * eps(i, j);
    }
  }
  const long double samples = static_cast<long double>(xi.size());
  const test_support::Moments m = test_support::moments(xi);
  // (ε + γξ) − ε is γξ to within a few ulps of ε: 1e-14 relative slack, far inside the bounds.
  CHECK(std::fabs(m.mean) <= test_support::mean_bound(1, samples));
  CHECK(std::fabs(m.variance - 1) <= test_support::variance_bound(1, samples));
  CHECK(std::fabs(cov / samples) <= test_support::covariance_bound(1, 1, samples));
}

// Pyramid noise: a sample does not depend on its batch, to the bit. Under -ffast-math a row-major
// batch (EIGEN_DEFAULT_TO_ROW_MAJOR) takes another fill_noise path than a one-column one, whose
// bits may differ (README, "What -ffast-math costs"), so this claim is [ieee].
namespace {

/// The side of the pyramid-noise images of these tests.
constexpr Eigen::Index pyramid_side = 32;

/// The ids of n samples: 40, 41, …
Ids pyramid_ids(Eigen::Index n) { return Ids::LinSpaced(n, 40, 40 + n - 1); }

/// Pyramid noise of 8 levels for the samples `ids`, each 2 × 32 × 32 with channels first or last.
Eigen::MatrixXd pyramid_batch(const Ids& ids, bool channels_first) {
  Eigen::MatrixXd out(2 * pyramid_side * pyramid_side, ids.size());
  diffuse::pyramid_noise(8, ids, diffuse::ChannelLayout{2, channels_first}, pyramid_side, pyramid_side, out);
  return out;
}

}  // namespace

TEST_CASE("pyramid noise: per-sample purity", "[noise_variants][ieee]") {
  const Ids ids = pyramid_ids(64);
  for (bool first : {true, false}) {
    const Eigen::MatrixXd out = pyramid_batch(ids, first);
    const Eigen::MatrixXd alone = pyramid_batch(Ids::Constant(1, ids(7)), first);
    CHECK(alone.col(0) == out.col(7));
  }
}

// Pyramid noise: each column has unit sample variance; the low-resolution levels make neighbours
// correlated (256 samples of 1 × 32 × 32: the mean product of horizontal neighbours, standard error
// below 1/√(256·32·31)), and with d = 0 they are not.
TEST_CASE("pyramid noise: unit variance per sample, correlated neighbours", "[noise_variants][statistical]") {
  const Eigen::Index n = 256, side = pyramid_side;
  const Ids ids = pyramid_ids(n);
  for (bool first : {true, false}) {
    const Eigen::MatrixXd out = pyramid_batch(ids, first);
    for (Eigen::Index j = 0; j < n; j += 51) {
      const double mean = out.col(j).mean();
      CHECK(std::fabs((out.col(j).array() - mean).square().sum() / static_cast<double>(out.rows() - 1) - 1) < 1e-12);
    }
  }
  auto neighbour_product = [&](double discount) {
    Eigen::MatrixXd out(side * side, n);
    diffuse::pyramid_noise(9, ids, diffuse::ChannelLayout{1, true}, side, side, out, 6, discount);
    long double s = 0, count = 0;
    for (Eigen::Index j = 0; j < n; ++j) {
      for (Eigen::Index y = 0; y < side; ++y) {
        for (Eigen::Index x = 0; x + 1 < side; ++x) {
          s += static_cast<long double>(out(y * side + x, j)) * out(y * side + x + 1, j);
          count += 1;
        }
      }
    }
    return std::pair<long double, long double>(s / count,
                                               1 / std::sqrt(count));  // the mean and its standard error (white)
  };
  const auto pyramid = neighbour_product(0.4), white = neighbour_product(0);
  CHECK(pyramid.first > 10 * pyramid.second);        // about 0.04: 20 standard errors
  CHECK(std::fabs(white.first) < 5 * white.second);  // neighbours share nothing (the per-sample scaling adds ~1/(HW))
}

TEST_CASE("noise variants check their arguments and write nothing on a bad one", "[noise_variants][errors]") {
  using test_support::error_message;
  Eigen::MatrixXf eps = Eigen::MatrixXf::Constant(6, 2, 7), perturbed = Eigen::MatrixXf::Constant(6, 2, 7);
  const Ids ids = Ids::LinSpaced(2, 0, 1);
  CHECK(error_message<std::invalid_argument>([&] {
          diffuse::offset_noise(1, ids, diffuse::ChannelLayout{0, true}, eps);
        }) == "diffuse::offset_noise: the number of channels C must be at least 1 (got 0)");
  CHECK(error_message<std::invalid_argument>([&] {
          diffuse::offset_noise(1, ids, diffuse::ChannelLayout{4, true}, eps);
        }) == "diffuse::offset_noise: the rows of a column must be a multiple of the channels C = 4 (got 6)");
  CHECK(error_message<std::invalid_argument>([&] {
          diffuse::offset_noise(1, ids, diffuse::ChannelLayout{3, true}, eps, std::nan(""));
        }) == "diffuse::offset_noise: strength must be finite (got nan)");
  CHECK(error_message<std::out_of_range>([&] {
          diffuse::offset_noise(1, Ids::Constant(2, -1), diffuse::ChannelLayout{3, true}, eps);
        }) == "diffuse::offset_noise: ids must be non-negative (got -1)");
  CHECK(error_message<std::invalid_argument>([&] { diffuse::perturbed_noise(1, ids, eps, perturbed, -0.1); }) ==
        "diffuse::perturbed_noise: gamma must be finite and >= 0 (got -0.1)");
  CHECK(error_message<std::invalid_argument>([&] {
          Eigen::MatrixXf small(3, 2);
          diffuse::perturbed_noise(1, ids, eps, small);
        }) == "diffuse::perturbed_noise: perturbed must have the shape 6 x 2 (got \"3 x 2\")");
  CHECK(error_message<std::invalid_argument>([&] {
          diffuse::perturbed_noise(1, Ids::LinSpaced(3, 0, 2), eps, perturbed);
        }) == "diffuse::perturbed_noise: ids must have one entry per column, 2 (got 3)");
  CHECK(error_message<std::invalid_argument>([&] {
          diffuse::pyramid_noise(1, ids, diffuse::ChannelLayout{1, true}, 2, 2, eps);
        }) == "diffuse::pyramid_noise: the rows of a column must be C·H·W = 4 (got 6)");
  CHECK(error_message<std::invalid_argument>([&] {
          diffuse::pyramid_noise(1, ids, diffuse::ChannelLayout{1, true}, 0, 6, eps);
        }) == "diffuse::pyramid_noise: height must be at least 1 (got 0)");
  CHECK(error_message<std::invalid_argument>([&] {
          diffuse::pyramid_noise(1, ids, diffuse::ChannelLayout{1, true}, 6, 0, eps);
        }) == "diffuse::pyramid_noise: width must be at least 1 (got 0)");
  CHECK(error_message<std::invalid_argument>([&] {
          diffuse::pyramid_noise(1, ids, diffuse::ChannelLayout{1, true}, 2, 3, eps, 0);
        }) == "diffuse::pyramid_noise: levels must be at least 1 (got 0)");
  CHECK(error_message<std::invalid_argument>([&] {
          diffuse::pyramid_noise(1, ids, diffuse::ChannelLayout{1, true}, 2, 3, eps, 6, -1);
        }) == "diffuse::pyramid_noise: discount must be finite and >= 0 (got -1)");
  CHECK((eps.array() == 7).all());
  CHECK((perturbed.array() == 7).all());
}
