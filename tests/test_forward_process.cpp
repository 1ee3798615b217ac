// The forward process, statistically (literal seeds; bounds of STYLE.md): samples of the kernels,
// the chain simulated step by step against the marginal, variance preservation, conditional versus
// marginal variance, the limits β = 0 and β → 1, and the 1-D mixture of Understanding Deep Learning,
// chapter 18, through the chain against its exact marginal CDF.
#include <diffuse/kernels.hpp>
#include <diffuse/normal.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "catch.hpp"
#include "support/kernels_reference.hpp"
#include "support/statistics.hpp"

namespace {

using kernels_reference::ld;
using test_support::normal_cdf;

template <class S>
using Matrix = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;
using Row = Eigen::Matrix<double, 1, Eigen::Dynamic>;

template <class Derived>
std::vector<double> values_of(const Eigen::MatrixBase<Derived>& row) {
  std::vector<double> out(static_cast<std::size_t>(row.size()));
  for (Eigen::Index j = 0; j < row.size(); ++j) out[static_cast<std::size_t>(j)] = static_cast<double>(row(j));
  return out;
}

/// Checks that the samples have mean mu and variance sigma² (STYLE.md bounds) and, after
/// standardising, a standard-normal shape (KS).
void check_normal(const std::vector<double>& samples, ld mu, ld sigma) {
  const double n = static_cast<double>(samples.size());
  const test_support::Moments m = test_support::moments(samples);
  CHECK(std::fabs(m.mean - mu) < test_support::mean_bound(sigma, n));
  CHECK(std::fabs(m.variance - sigma * sigma) < test_support::variance_bound(sigma, n));
  const double md = static_cast<double>(mu), sd = static_cast<double>(sigma);
  CHECK(test_support::ks_statistic(samples, [&](double x) { return normal_cdf((x - md) / sd); }) <
        test_support::ks_critical(n));
}

/// Every row i of `samples` (one draw per column) against N(mean(i), variance), and the sample
/// covariance of each pair of rows against 0 (independent coordinates).
template <class S>
void check_coordinates(const Matrix<S>& samples, const Eigen::Matrix<ld, 3, 1>& mean, ld variance) {
  const ld sigma = std::sqrt(variance);
  const double n = static_cast<double>(samples.cols());
  for (Eigen::Index i = 0; i < samples.rows(); ++i) {
    INFO("coordinate " << i);
    check_normal(values_of(samples.row(i)), mean(i), sigma);
  }
  const Eigen::Matrix<ld, Eigen::Dynamic, Eigen::Dynamic> centred =
      samples.template cast<ld>().colwise() - samples.template cast<ld>().rowwise().mean();
  const Eigen::Matrix<ld, Eigen::Dynamic, Eigen::Dynamic> covariance = centred * centred.transpose() / (n - 1);
  for (Eigen::Index i = 0; i < samples.rows(); ++i) {
    for (Eigen::Index k = i + 1; k < samples.rows(); ++k) {
      INFO("covariance of coordinates " << i << " and " << k);
      CHECK(std::fabs(covariance(i, k)) < test_support::covariance_bound(sigma, sigma, n));
    }
  }
}

/// n copies of x side by side: a batch whose every column is x.
template <class S>
Matrix<S> replicate(const Eigen::Matrix<S, 3, 1>& x, Eigen::Index n) {
  return x.rowwise().replicate(n);
}

}  // namespace

// The expected moments are computed here from the schedule's β_t, α_t and ᾱ_t by the textbook
// formulas (Ho et al. 2020, eq. 2, 4, 6–7; VDM for q(x_s|x_t, x_0)), not taken from the Gaussian.
TEMPLATE_TEST_CASE("samples of transition, marginal and posterior have the stated moments and shape",
                   "[forward][statistical]", float, double) {
  using S = TestType;
  using V = Eigen::Matrix<ld, 3, 1>;
  const auto schedule = diffuse::Schedule<S>::linear(1000);
  auto alpha_bar = [&](int t) { return static_cast<ld>(schedule.alpha_bar(t)); };
  const Eigen::Index n = 50000;
  const Eigen::Matrix<S, 3, 1> x0(S(1), S(-2), S(0.5)), x_t(S(0.25), S(-1), S(1.5));
  const V x0_ld = x0.template cast<ld>(), xt_ld = x_t.template cast<ld>();
  std::mt19937_64 rng(20251121);
  SECTION("transition at t = 500: sample covariance beta_t I") {
    const auto g = diffuse::transition(schedule, 500, replicate(x0, n));
    check_coordinates<S>(g.sample(rng), std::sqrt(1 - static_cast<ld>(schedule.beta(500))) * x0_ld, schedule.beta(500));
  }
  SECTION("marginal at t = 300") {
    const auto g = diffuse::marginal(schedule, 300, replicate(x0, n));
    check_coordinates<S>(g.sample(rng), std::sqrt(alpha_bar(300)) * x0_ld, 1 - alpha_bar(300));
  }
  SECTION("transition from s = 200 to t = 600") {
    const auto g = diffuse::transition(schedule, 200, 600, replicate(x0, n));
    const ld a = alpha_bar(600) / alpha_bar(200);
    check_coordinates<S>(g.sample(rng), std::sqrt(a) * x0_ld, 1 - a);
  }
  SECTION("posterior at t = 300 (Ho et al. eq. 7)") {
    const auto g = diffuse::posterior(schedule, 300, replicate(x_t, n), replicate(x0, n));
    const ld beta = schedule.beta(300), one_minus = 1 - alpha_bar(300);
    const V mean = std::sqrt(alpha_bar(299)) * beta / one_minus * x0_ld +
                   std::sqrt(1 - beta) * (1 - alpha_bar(299)) / one_minus * xt_ld;
    check_coordinates<S>(g.sample(rng), mean, beta * (1 - alpha_bar(299)) / one_minus);
  }
  SECTION("posterior from t = 600 back to s = 200") {
    const auto g = diffuse::posterior(schedule, 200, 600, replicate(x_t, n), replicate(x0, n));
    const ld a = alpha_bar(600) / alpha_bar(200), one_minus = 1 - alpha_bar(600);
    const V mean = (1 - a) * std::sqrt(alpha_bar(200)) / one_minus * x0_ld +
                   (1 - alpha_bar(200)) * std::sqrt(a) / one_minus * xt_ld;
    check_coordinates<S>(g.sample(rng), mean, (1 - a) * (1 - alpha_bar(200)) / one_minus);
  }
}

namespace {

// The chain x_t = transition(t, x_{t−1}).sample(rng) from a fixed x_0, n chains side by side,
// against the marginal q(x_t|x_0) at some steps. A normal of diffuse::StandardNormal costs about
// 0.2 µs here in a default build (std::fma without -mfma is a library call), so the default run
// keeps n small: it detects a spread error of about 20 % in variance, "[.long]" one of about 2 %.
void check_chain(Eigen::Index n, std::uint64_t seed) {
  const std::vector<int> checkpoints{1, 10, 100, 500, 999, 1000};
  for (const auto& schedule : {diffuse::Schedule<double>::linear(1000), diffuse::Schedule<double>::cosine(1000)}) {
    std::mt19937_64 rng(seed);
    Eigen::Vector2d x0(1.5, -0.5);
    Matrix<double> x = x0.rowwise().replicate(n);
    for (int t = 1; t <= schedule.steps(); ++t) {
      x = diffuse::transition(schedule, t, x).sample(rng);
      if (std::find(checkpoints.begin(), checkpoints.end(), t) == checkpoints.end()) continue;
      const auto g = diffuse::marginal(schedule, t, x0);
      for (Eigen::Index i = 0; i < 2; ++i) {
        INFO("t = " << t << ", coordinate " << i << ", beta_1 = " << schedule.beta(1));
        check_normal(values_of(x.row(i)), g.mean()(i), g.stddev());
      }
    }
  }
}

// Data of unit variance (±1 with probability ½: not Gaussian, kurtosis 1) keeps unit variance at
// every step along the chain, and through the marginal at every `marginal_stride`-th step. The
// variance bound of STYLE.md assumes a normal distribution (kurtosis 3); x_t here has a smaller
// kurtosis, so the bound is conservative.
void check_variance_preservation(Eigen::Index n, int marginal_stride, std::uint64_t seed) {
  auto unit_variance = [&](const Row& x) {
    const test_support::Moments m = test_support::moments(values_of(x));
    return std::fabs(m.mean) < test_support::mean_bound(1, n) &&
           std::fabs(m.variance - 1) < test_support::variance_bound(1, n);
  };
  for (const auto& schedule : {diffuse::Schedule<double>::linear(1000), diffuse::Schedule<double>::cosine(1000)}) {
    std::mt19937_64 rng(seed);
    Row data(n);
    for (Eigen::Index j = 0; j < n; ++j) data(j) = (rng() >> 63) ? 1.0 : -1.0;
    Row chain = data;
    int bad_chain = 0, bad_marginal = 0, marginal_checks = 0;
    for (int t = 1; t <= schedule.steps(); ++t) {
      chain = diffuse::transition(schedule, t, chain).sample(rng);
      if (!unit_variance(chain)) ++bad_chain;
      if (t % marginal_stride != 0) continue;
      ++marginal_checks;
      if (!unit_variance(diffuse::marginal(schedule, t, data).sample(rng))) ++bad_marginal;
    }
    CHECK(bad_chain == 0);
    CHECK(bad_marginal == 0);
    CHECK(marginal_checks == schedule.steps() / marginal_stride);
  }
}

}  // namespace

TEST_CASE("the chain simulated step by step has the marginal's moments and shape", "[forward][statistical]") {
  check_chain(1500, 8128);
}
TEST_CASE("the chain simulated step by step, 10^5 chains", "[forward][statistical][.long]") {
  check_chain(100000, 81280);
}

TEST_CASE("data of unit variance keeps unit variance at every step", "[forward][statistical]") {
  check_variance_preservation(3000, 50, 4242);
}
TEST_CASE("data of unit variance keeps unit variance at every step, 5 10^4 samples", "[forward][statistical][.long]") {
  check_variance_preservation(50000, 1, 42420);
}

// Data of variance 4 (±2): over the data Var[x_t] = 4ᾱ_t + 1 − ᾱ_t; for one fixed x_0 = 2,
// Var[x_t | x_0] = 1 − ᾱ_t around the mean 2√ᾱ_t. At these steps the two differ by 3ᾱ_t, far more
// than the sampling bounds, so the check also tells them apart.
TEST_CASE("conditional and marginal variance differ as predicted", "[forward][statistical]") {
  const auto schedule = diffuse::Schedule<double>::linear(1000);
  const Eigen::Index n = 50000;
  std::mt19937_64 rng(99);
  Row data(n);
  for (Eigen::Index j = 0; j < n; ++j) data(j) = (rng() >> 63) ? 2.0 : -2.0;
  const Row fixed = Row::Constant(n, 2.0);
  for (int t : {10, 100, 300, 600}) {
    INFO("t = " << t);
    const ld alpha_bar = schedule.alpha_bar(t);
    const ld marginal_variance = 4 * alpha_bar + 1 - alpha_bar, conditional_variance = 1 - alpha_bar;
    const test_support::Moments over_data =
        test_support::moments(values_of(diffuse::marginal(schedule, t, data).sample(rng)));
    CHECK(std::fabs(over_data.mean) < test_support::mean_bound(std::sqrt(marginal_variance), n));
    CHECK(std::fabs(over_data.variance - marginal_variance) <
          test_support::variance_bound(std::sqrt(marginal_variance), n));
    const std::vector<double> given = values_of(diffuse::marginal(schedule, t, fixed).sample(rng));
    check_normal(given, 2 * std::sqrt(alpha_bar), std::sqrt(conditional_variance));
    CHECK(marginal_variance - conditional_variance >
          test_support::variance_bound(std::sqrt(marginal_variance), n) +
              test_support::variance_bound(std::sqrt(conditional_variance), n));
  }
}

TEST_CASE("beta = 0 leaves x unchanged and beta -> 1 forgets x", "[forward][statistical]") {
  const Eigen::Index n = 100000;
  std::mt19937_64 rng(271828);
  Row data(n);
  diffuse::StandardNormal<double>().fill(rng, data);
  data = 3 * data.array() + 10;
  SECTION("beta = 0: samples equal x exactly") {
    const auto g = diffuse::transition(0.0, data);
    CHECK(g.sample(rng) == data);
    CHECK(g.variance() == 0);
  }
  SECTION("beta -> 1: the mean goes to 0 and the variance to 1") {
    double previous_scale = 1;
    for (double beta : {0.5, 0.9, 0.99, 0.9999, 0.999999, 1.0}) {
      const auto g = diffuse::transition(beta, data);
      const double scale = std::fabs(g.mean()(0) / data(0));
      CHECK(scale < previous_scale);
      CHECK(g.variance() == beta);
      previous_scale = scale;
    }
    CHECK(previous_scale == 0);
  }
  SECTION("beta = 1 - 1e-6: samples are N(1e-3 x, beta); beta = 1: N(0, 1), uncorrelated with x") {
    const double beta = 1 - 1e-6;
    const auto g = diffuse::transition(beta, data);
    const Row x = g.sample(rng);
    std::vector<double> z = values_of(((x - g.mean()) / g.stddev()).eval());
    check_normal(z, 0, 1);
    const Row y = diffuse::transition(1.0, data).sample(rng);
    check_normal(values_of(y), 0, 1);
    const test_support::Moments d = test_support::moments(values_of(data));
    const double covariance =
        ((data.array() - static_cast<double>(d.mean)) * y.array()).sum() / static_cast<double>(n - 1);
    CHECK(std::fabs(covariance) < test_support::covariance_bound(std::sqrt(d.variance), 1, static_cast<double>(n)));
  }
}

namespace {

// Understanding Deep Learning (Prince 2023), chapter 18, figure 18.2: a mixture of four Gaussians.
const double udl_means[] = {1.5, -0.216, 0.45, -1.875};
const double udl_sds[] = {0.3, 0.15, 0.525, 0.075};
const double udl_weights[] = {0.2, 0.3, 0.35, 0.15};

/// The exact marginal q(x_t) = Σ w_k N(√ᾱ_t μ_k, ᾱ_t σ_k² + 1 − ᾱ_t) as a CDF.
struct MixtureCdf {
  double alpha_bar;
  double operator()(double x) const {
    double f = 0;
    for (int k = 0; k < 4; ++k) {
      const double sd = std::sqrt(alpha_bar * udl_sds[k] * udl_sds[k] + 1 - alpha_bar);
      f += udl_weights[k] * normal_cdf((x - std::sqrt(alpha_bar) * udl_means[k]) / sd);
    }
    return f;
  }
};

/// sup_x |F_t − F_u| on a grid of step 1e-3 over [−6, 6] (a lower bound of the true supremum).
double cdf_distance(const MixtureCdf& f, const MixtureCdf& g) {
  double d = 0;
  for (int i = -6000; i <= 6000; ++i) d = std::max(d, std::fabs(f(i * 1e-3) - g(i * 1e-3)));
  return d;
}

// Samples from the mixture pushed through the chain pass KS against F_t at t = 5, 20, 100. Against
// a neighbour u the test must fail, and it fails for certain when the two CDFs are more than twice
// the critical value c/√n apart: D(F_u) ≥ sup|F_t − F_u| − D(F_t) > 2c/√n − c/√n, because D(F_t) < c/√n
// has just been checked. So for each t the neighbour is the nearest u on each side whose distance
// from F_t exceeds 2c/√n (the test finds it; t = 100 has none above T). With the default n = 2^16
// that is u = 2 and 9 for t = 5, 12 and 38 for t = 20, 57 for t = 100 (the mixture barely changes
// near T); with n = 2^23 ("[.long]") the nearest steps 4 and 6, 19 and 21, and 95.
void check_udl_mixture(std::size_t n, std::uint64_t seed) {
  const auto schedule = diffuse::Schedule<double>::constant(100, 0.01511);
  std::mt19937_64 rng(seed);
  diffuse::StandardNormal<double> normal;
  Row x(static_cast<Eigen::Index>(n));
  for (Eigen::Index j = 0; j < x.size(); ++j) {
    const double u = test_support::uniform01(rng);
    int k = 0;
    for (double cumulative = udl_weights[0]; k < 3 && u >= cumulative; cumulative += udl_weights[++k]) {
    }
    x(j) = udl_means[k] + udl_sds[k] * normal(rng);
  }
  const double critical = test_support::ks_critical(static_cast<double>(n));
  for (int t = 1; t <= schedule.steps(); ++t) {
    x = diffuse::transition(schedule, t, x).sample(rng);
    if (t != 5 && t != 20 && t != 100) continue;
    std::vector<double> sorted = values_of(x);
    std::sort(sorted.begin(), sorted.end());
    const MixtureCdf exact{schedule.alpha_bar(t)};
    const double d = test_support::ks_statistic_sorted(sorted, exact);
    INFO("t = " << t << ": D_n = " << d << ", critical value " << critical);
    CHECK(d < critical);
    for (int direction : {-1, 1}) {
      int u = t + direction;
      while (u >= 0 && u <= schedule.steps() &&
             cdf_distance(exact, MixtureCdf{schedule.alpha_bar(u)}) <= 2 * critical) {
        u += direction;
      }
      if (u < 0 || u > schedule.steps()) continue;
      const double d_neighbour = test_support::ks_statistic_sorted(sorted, MixtureCdf{schedule.alpha_bar(u)});
      INFO("neighbour u = " << u << ": D_n = " << d_neighbour);
      CHECK(d_neighbour > critical);
    }
  }
}

}  // namespace

TEST_CASE("the UDL chapter 18 mixture through the chain matches its exact marginal at t = 5, 20, 100",
          "[forward][statistical]") {
  check_udl_mixture(std::size_t{1} << 16, 16);
}

TEST_CASE("the UDL chapter 18 mixture, 2^23 samples, nearest neighbours", "[forward][statistical][.long]") {
  check_udl_mixture(std::size_t{1} << 23, 1802);
}
