// Gaussian<Mean>: construction, log_prob, entropy and kl against closed forms and 50-digit
// references (tests/reference/kernels_values.txt), the point mass, sampling, argument checks.
#include <diffuse/gaussian.hpp>
#include <diffuse/normal.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <type_traits>
#include <vector>

#include "catch.hpp"
#include "support/kernels_reference.hpp"
#include "support/messages.hpp"
#include "support/statistics.hpp"

template class diffuse::Gaussian<Eigen::VectorXd>;
template class diffuse::Gaussian<Eigen::Vector3f>;
template class diffuse::Gaussian<Eigen::MatrixXf>;
template class diffuse::Gaussian<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
template class diffuse::Gaussian<Eigen::Matrix<long double, Eigen::Dynamic, 1>>;

namespace {

using kernels_reference::ld;

template <class S>
using Vector3 = Eigen::Matrix<S, 3, 1>;

template <class S>
Vector3<S> m_vector() {
  return Vector3<S>(S(0.5), S(-1.25), S(2));
}
template <class S>
Vector3<S> x_vector() {
  return Vector3<S>(S(0.125), S(-1), S(2.5));
}

/// The documented bound of log_prob, entropy and kl for n coefficients (no cancellation), plus the
/// reference's own error.
template <class S>
ld closed_form_bound(ld n) {
  return kernels_reference::eps<S>() / 2 + (n + 16) * kernels_reference::wide_unit + kernels_reference::reference_error;
}

}  // namespace

TEMPLATE_TEST_CASE("a Gaussian evaluates its mean and reports its moments", "[gaussian]", float, double) {
  using S = TestType;
  std::vector<S> buffer{S(1), S(2), S(3), S(4)};
  const Eigen::Map<const Eigen::Matrix<S, 4, 1>> view(buffer.data());
  diffuse::Gaussian g(S(2) * view.template head<3>(), S(0.25));
  static_assert(std::is_same<typename decltype(g)::Mean, Vector3<S>>::value, "the mean is the evaluated plain type");
  buffer[0] = S(100);  // the Gaussian holds its own copy
  CHECK(g.mean() == Vector3<S>(S(2), S(4), S(6)));
  CHECK(g.variance() == S(0.25));
  CHECK(g.stddev() == S(0.5));
  CHECK(g.log_variance() == std::log(S(0.25)));
  CHECK(g.dimension() == 3);
  CHECK(g.covariance() == (S(0.25) * Eigen::Matrix<S, 3, 3>::Identity()).eval());

  // A matrix of stacked samples is one Gaussian over all of its coefficients.
  const Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic> stacked = Eigen::Matrix<S, 4, 5>::Constant(S(1.5));
  const diffuse::Gaussian batch(stacked, S(2));
  CHECK(batch.dimension() == 20);
  CHECK(batch.covariance().rows() == 20);
  CHECK(batch.covariance().trace() == S(40));
}

TEMPLATE_TEST_CASE("log_prob and entropy match the closed forms to the stated bound", "[gaussian]", float, double) {
  using S = TestType;
  const diffuse::Gaussian g(m_vector<S>(), S(0.375));
  const ld bound = closed_form_bound<S>(3);
  CHECK(kernels_reference::relative_error(g.log_prob(x_vector<S>()),
                                          kernels_reference::reference_value("log_prob_x")) <= bound);
  CHECK(kernels_reference::relative_error(g.log_prob(m_vector<S>()),
                                          kernels_reference::reference_value("log_prob_mean")) <= bound);
  CHECK(kernels_reference::relative_error(g.entropy(), kernels_reference::reference_value("entropy")) <= bound);

  SECTION("a matrix of stacked samples sums the samples' values, in either storage order") {
    Eigen::Matrix<S, 3, 2> means, points;
    means << m_vector<S>(), m_vector<S>();
    points << x_vector<S>(), m_vector<S>();
    const ld expected =
        kernels_reference::reference_value("log_prob_x") + kernels_reference::reference_value("log_prob_mean");
    const diffuse::Gaussian column_major(means, S(0.375));
    CHECK(kernels_reference::relative_error(column_major.log_prob(points), expected) <= closed_form_bound<S>(6));
    const Eigen::Matrix<S, 3, 2, Eigen::RowMajor> row_means = means, row_points = points;
    const diffuse::Gaussian row_major(row_means, S(0.375));
    CHECK(row_major.log_prob(row_points) == column_major.log_prob(points));
    CHECK(kernels_reference::relative_error(
              column_major.entropy(), 2 * kernels_reference::reference_value("entropy")) <= closed_form_bound<S>(6));
  }
  SECTION("a squared distance beyond the range of Scalar does not overflow when the result is finite") {
    const int distance_exponent = sizeof(S) == sizeof(float) ? 70 : 600;
    const int variance_exponent = sizeof(S) == sizeof(float) ? 60 : 500;
    const S variance = std::ldexp(S(1), variance_exponent);
    const diffuse::Gaussian broad(Vector3<S>::Zero(), variance);
    const Vector3<S> far(std::ldexp(S(1), distance_exponent), S(0), S(0));
    const ld v = variance, d = far(0);
    const ld expected = -(3 * std::log(2 * 3.14159265358979323846264338327950288L * v) + d * d / v) / 2;
    CHECK(kernels_reference::relative_error(broad.log_prob(far), expected) <= closed_form_bound<S>(3));
  }
}

TEMPLATE_TEST_CASE("kl matches the closed form, also for variances that almost agree", "[gaussian]", float, double) {
  using S = TestType;
  const ld bound = closed_form_bound<S>(3);
  const diffuse::Gaussian g(m_vector<S>(), S(0.375));
  const diffuse::Gaussian standard(Vector3<S>::Zero(), S(1));
  CHECK(kernels_reference::relative_error(g.kl(standard), kernels_reference::reference_value("kl_to_standard")) <=
        bound);

  const diffuse::Gaussian unit(m_vector<S>(), S(1));
  const diffuse::Gaussian close(m_vector<S>(), S(1) + std::ldexp(S(1), -20));
  CHECK(kernels_reference::relative_error(unit.kl(close), kernels_reference::reference_value("kl_close_variances")) <=
        bound);

  const diffuse::Gaussian tiny(x_vector<S>(), std::ldexp(S(1), -30));
  const diffuse::Gaussian wide(m_vector<S>(), S(4));
  CHECK(kernels_reference::relative_error(tiny.kl(wide), kernels_reference::reference_value("kl_far_variances")) <=
        bound);

  // Known values: KL to itself is 0, a unit shift of the mean at unit variance is exactly ½.
  CHECK(g.kl(g) == S(0));
  const diffuse::Gaussian shifted(Vector3<S>(m_vector<S>() + Vector3<S>::UnitX()), S(1));
  CHECK(unit.kl(shifted) == S(0.5));
  CHECK(shifted.kl(unit) == S(0.5));
  // KL is not symmetric in the variances.
  CHECK(tiny.kl(wide) != wide.kl(tiny));
  // Means of different compile-time types but the same shape.
  const Eigen::Matrix<S, Eigen::Dynamic, 1> dynamic_zero = Eigen::Matrix<S, Eigen::Dynamic, 1>::Zero(3);
  CHECK(g.kl(diffuse::Gaussian(dynamic_zero, S(1))) == g.kl(standard));
}

TEST_CASE("kl does not cancel when the variances differ in the 40th bit", "[gaussian]") {
  const diffuse::Gaussian unit(m_vector<double>(), 1.0);
  const diffuse::Gaussian closer(m_vector<double>(), 1.0 + std::ldexp(1.0, -40));
  CHECK(kernels_reference::relative_error(unit.kl(closer), kernels_reference::reference_value("kl_closer_variances")) <=
        closed_form_bound<double>(3));
}

TEMPLATE_TEST_CASE("variance 0 is the point mass at the mean", "[gaussian][ieee]", float, double) {
  using S = TestType;
  const S inf = std::numeric_limits<S>::infinity();
  const diffuse::Gaussian point(m_vector<S>(), S(0));
  CHECK(point.stddev() == S(0));
  CHECK(point.log_variance() == -inf);
  CHECK(point.log_prob(m_vector<S>()) == inf);
  CHECK(point.log_prob(x_vector<S>()) == -inf);
  CHECK(point.entropy() == -inf);
  const diffuse::Gaussian standard(Vector3<S>::Zero(), S(1));
  CHECK(point.kl(point) == S(0));
  CHECK(point.kl(diffuse::Gaussian(x_vector<S>(), S(0))) == inf);
  CHECK(point.kl(standard) == inf);
  CHECK(standard.kl(point) == inf);
  CHECK(point.sample_from_noise(x_vector<S>()) == m_vector<S>());
  std::mt19937_64 rng(20261122);
  CHECK(point.sample(rng) == m_vector<S>());
  const Eigen::Matrix<S, 0, 1> empty;
  CHECK(diffuse::Gaussian(empty, S(0)).log_prob(empty) == S(0));
  CHECK(diffuse::Gaussian(empty, S(0)).entropy() == S(0));
}

TEMPLATE_TEST_CASE("sample_from_noise is mean + stddev * eps, coefficient by coefficient", "[gaussian]", float,
                   double) {
  using S = TestType;
  Eigen::Matrix<S, 3, 4, Eigen::RowMajor> mean, eps;
  mean << 1, -2, 3, 0.25, 5, 6, -7, 8, 0.125, 10, 11, -12;
  eps << 0.5, -0.25, 1.5, 2, -3, 0.75, 0, 1, -1, 0.3f, 0.7f, -1.9f;
  const diffuse::Gaussian g(mean, S(0.3));
  const auto sample = g.sample_from_noise(eps);
  for (Eigen::Index i = 0; i < 3; ++i) {
    for (Eigen::Index j = 0; j < 4; ++j) CHECK(sample(i, j) == mean(i, j) + g.stddev() * eps(i, j));
  }
}

TEMPLATE_TEST_CASE("sample draws diffuse::StandardNormal noise in storage order", "[gaussian]", float, double) {
  using S = TestType;
  const Eigen::Matrix<S, 2, 3, Eigen::RowMajor> mean = Eigen::Matrix<S, 2, 3, Eigen::RowMajor>::Constant(S(-1));
  const diffuse::Gaussian g(mean, S(4));
  std::mt19937_64 rng(7);
  std::mt19937_64 copy = rng;
  Eigen::Matrix<S, 2, 3, Eigen::RowMajor> noise = Eigen::Matrix<S, 2, 3, Eigen::RowMajor>::Zero();
  diffuse::StandardNormal<S>().fill(copy, noise);
  CHECK(g.sample(rng) == g.sample_from_noise(noise));
  CHECK(rng == copy);
}

TEMPLATE_TEST_CASE("samples have the stated mean, variance and normal shape", "[gaussian][statistical]", float,
                   double) {
  using S = TestType;
  const int n = 200000;
  const S mu = S(1.5), variance = S(0.49);
  const diffuse::Gaussian g(Eigen::Matrix<S, Eigen::Dynamic, 1>::Constant(n, mu), variance);
  std::mt19937_64 rng(314159);
  const Eigen::Matrix<S, Eigen::Dynamic, 1> x = g.sample(rng);
  const test_support::Moments m = test_support::moments(x);
  const ld sigma = std::sqrt(static_cast<ld>(variance));
  CHECK(std::fabs(m.mean - mu) < test_support::mean_bound(sigma, n));
  CHECK(std::fabs(m.variance - variance) < test_support::variance_bound(sigma, n));
  std::vector<double> z(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) z[static_cast<std::size_t>(i)] = static_cast<double>((x(i) - mu) / static_cast<S>(sigma));
  CHECK(test_support::ks_statistic(z, test_support::normal_cdf<double>) < test_support::ks_critical(n));
}

TEMPLATE_TEST_CASE("a Gaussian rejects a bad variance and arguments of the wrong shape", "[gaussian][checks]", float,
                   double) {
  using S = TestType;
  using test_support::error_message;
  const Vector3<S> m = m_vector<S>();
  CHECK(error_message<std::invalid_argument>([&] { (void)diffuse::Gaussian(m, S(-0.5)); }) ==
        "diffuse::Gaussian: variance must be finite and >= 0 (got -0.5)");
  CHECK(error_message<std::invalid_argument>([&] {
          (void)diffuse::Gaussian(m, std::numeric_limits<S>::quiet_NaN());
        }) == "diffuse::Gaussian: variance must be finite and >= 0 (got nan)");
  CHECK(error_message<std::invalid_argument>([&] { (void)diffuse::Gaussian(m, std::numeric_limits<S>::infinity()); }) ==
        "diffuse::Gaussian: variance must be finite and >= 0 (got inf)");
  CHECK(error_message<std::invalid_argument>([&] { (void)diffuse::Gaussian(m, S(0.25), S(0.25)); }) ==
        "diffuse::Gaussian: stddev must be the square root of the variance 0.25 (got 0.25)");
  CHECK(error_message<std::invalid_argument>([&] { (void)diffuse::Gaussian(m, S(0.25), S(-0.5)); }) ==
        "diffuse::Gaussian: stddev must be the square root of the variance 0.25 (got -0.5)");
  CHECK_NOTHROW(diffuse::Gaussian(m, S(0.25), S(0.5)));

  const diffuse::Gaussian g(m, S(1));
  const Eigen::Matrix<S, Eigen::Dynamic, 1> four = Eigen::Matrix<S, Eigen::Dynamic, 1>::Zero(4);
  const Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic> row =
      Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>::Zero(1, 3);
  CHECK(error_message<std::invalid_argument>([&] { g.log_prob(four); }) ==
        "diffuse::Gaussian::log_prob: x must have the shape 3 x 1 (got \"4 x 1\")");
  CHECK(error_message<std::invalid_argument>([&] { g.log_prob(row); }) ==
        "diffuse::Gaussian::log_prob: x must have the shape 3 x 1 (got \"1 x 3\")");
  CHECK(error_message<std::invalid_argument>([&] { g.sample_from_noise(four); }) ==
        "diffuse::Gaussian::sample_from_noise: eps must have the shape 3 x 1 (got \"4 x 1\")");
  CHECK(error_message<std::invalid_argument>([&] { g.kl(diffuse::Gaussian(four, S(1))); }) ==
        "diffuse::Gaussian::kl: the other mean must have the shape 3 x 1 (got \"4 x 1\")");
}
