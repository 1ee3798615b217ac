// Re-noising steps (renoise.hpp) against gen_strength_reference.py (k-diffusion's ancestral split,
// ComfyUI's RF ancestral step, diffusers' TCD step, mpmath), their marginal property, and their
// drawn forms under the noise contract (moments within STYLE.md's bounds and a KS test); every rule.
#include <diffuse/renoise.hpp>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "catch.hpp"
#include "support/messages.hpp"
#include "support/references.hpp"
#include "support/statistics.hpp"
#include "support/strength_reference.hpp"
#include "support/ulps.hpp"

namespace {

using diffuse::detail::Wide;
using test_support::exact;
using test_support::throws_with;
using test_support::ulp_error;

template <class T>
using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;

/// The coefficients a, b of a step's mean a·x + b·y, read back from unit inputs (x = e₁, y = e₂).
template <class G>
std::pair<double, double> coefficients(const G& g) {
  return {static_cast<double>(g.mean()(0)), static_cast<double>(g.mean()(1))};
}

}  // namespace

TEMPLATE_TEST_CASE("the VE ancestral split and step match k-diffusion's definition", "[renoise]", float, double) {
  using T = TestType;
  const Vector<T> x = Vector<T>::Unit(2, 0), d = Vector<T>::Unit(2, 1);
  for (const auto& r : strength_reference::ve_ancestral()) {
    const T from = test_support::input<T>(r.from), to = test_support::input<T>(r.to);
    const T eta = static_cast<T>(std::stod(r.eta));
    INFO(r.from << " -> " << r.to << ", eta " << r.eta);
    REQUIRE((Wide(from) == exact(r.from) && Wide(to) == exact(r.to)));  // the reference's inputs are exact in float
    const auto split = diffuse::ancestral_split(from, to, eta);
    CHECK(ulp_error(split.sigma_up, exact(r.sigma_up)) <= 0.5);
    CHECK(ulp_error(split.sigma_down, exact(r.sigma_down)) <= 0.5);
    const auto g = diffuse::ve_ancestral_step(from, to, x, d, eta);
    CHECK(ulp_error(g.mean()(0), exact(r.mean_x)) <= 0.5);
    CHECK(ulp_error(g.mean()(1), exact(r.mean_d)) <= 0.5);
    CHECK(ulp_error(g.stddev(), exact(r.sigma_up)) <= 0.5);
  }
  const auto none = diffuse::ancestral_split(T(2), T(1), T(0));
  CHECK(none.sigma_up == 0);
  CHECK(none.sigma_down == 1);
}

TEMPLATE_TEST_CASE("the RF ancestral step matches ComfyUI's definition", "[renoise]", float, double) {
  using T = TestType;
  const Vector<T> x = Vector<T>::Unit(2, 0), d = Vector<T>::Unit(2, 1);
  for (const auto& r : strength_reference::rf_ancestral()) {
    const T from = test_support::input<T>(r.from), to = test_support::input<T>(r.to);
    REQUIRE((Wide(from) == exact(r.from) && Wide(to) == exact(r.to)));
    INFO(r.from << " -> " << r.to << ", eta " << r.eta);
    const auto g = diffuse::flow_ancestral_step(from, to, x, d, static_cast<T>(std::stod(r.eta)));
    CHECK(ulp_error(g.mean()(0), exact(r.mean_x)) <= 0.5);
    CHECK(ulp_error(g.mean()(1), exact(r.mean_d)) <= 0.5);
    CHECK(ulp_error(g.stddev(), exact(r.stddev)) <= 0.5);
  }
  const auto last = diffuse::flow_ancestral_step(T(0.5), T(0), x, d);
  CHECK(last.mean() == d);
  CHECK(last.variance() == 0);
}

TEST_CASE("the RF ancestral step keeps the flow's marginal when the prediction is exact", "[renoise]") {
  // x = (1 − σ)x₀ + σε, x̂₀ = x₀: the mean is (1 − σ')x₀ + aσε and a²σ² + v = σ'².
  for (double eta : {0.0, 0.3, 1.0}) {
    const double s = 0.8, t = 0.35;
    const auto g = diffuse::flow_ancestral_step(s, t, Vector<double>::Unit(2, 0), Vector<double>::Unit(2, 1), eta);
    const auto [a, b] = coefficients(g);
    CHECK(std::fabs(a * (1 - s) + b - (1 - t)) < 4e-16);
    CHECK(std::fabs(a * a * s * s + g.variance() - t * t) < 4e-16);
  }
}

TEST_CASE("s_noise scales the standard deviation of both ancestral steps", "[renoise]") {
  const Vector<double> x = Vector<double>::Zero(2);
  const auto ve = diffuse::ve_ancestral_step(3.0, 1.25, x, x, 0.5, 1.5),
             ve1 = diffuse::ve_ancestral_step(3.0, 1.25, x, x, 0.5);
  CHECK(std::fabs(ve.variance() - 2.25 * ve1.variance()) <= 4e-16 * ve.variance());
  CHECK(std::fabs(ve.stddev() - 1.5 * ve1.stddev()) <= 4e-16 * ve.stddev());
  const auto rf = diffuse::flow_ancestral_step(0.875, 0.5, x, x, 0.5, 0.5),
             rf1 = diffuse::flow_ancestral_step(0.875, 0.5, x, x, 0.5);
  CHECK(std::fabs(rf.variance() - 0.25 * rf1.variance()) <= 4e-16 * rf.variance());
  CHECK(std::fabs(rf.stddev() - 0.5 * rf1.stddev()) <= 4e-16 * rf.stddev());
}

TEST_CASE("TCD's gamma step matches diffusers' definition on SD 1.5", "[renoise]") {
  const auto schedule = diffuse::Schedule<double>::scaled_linear(1000);
  const Vector<double> x0 = Vector<double>::Unit(2, 0), eps = Vector<double>::Unit(2, 1);
  for (const auto& r : strength_reference::tcd()) {
    INFO("prev " << r.previous << ", gamma " << r.gamma);
    const auto g = diffuse::tcd_step(schedule, std::stoi(r.previous), std::stod(r.gamma), x0, eps);
    CHECK(ulp_error(g.mean()(0), exact(r.mean_x0)) <= 1);
    CHECK(ulp_error(g.mean()(1), exact(r.mean_eps)) <= 1);
    CHECK(ulp_error(g.variance(), exact(r.variance)) <= 1);
  }
  const auto last = diffuse::tcd_step(schedule, 499, 0.3, x0, eps, true);
  CHECK(last.variance() == 0);
  CHECK(std::fabs(last.mean()(0) - schedule.sqrt_alpha_bar(350)) < 1e-16);
}

TEST_CASE("flow re-noise is N of (1 - sigma') x0-hat and sigma' squared", "[renoise]") {
  const Vector<float> d = Vector<float>::LinSpaced(4, -1, 1);
  const auto g = diffuse::flow_renoise(0.25f, d);
  CHECK(g.mean() == (0.75f * d).eval());
  CHECK(g.variance() == 0.0625f);
  CHECK(g.stddev() == 0.25f);
}

TEST_CASE("drawn re-noise has the step's mean and variance and passes a KS test", "[renoise]") {
  using test_support::ks_critical;
  using test_support::mean_bound;
  using test_support::normal_cdf;
  using test_support::variance_bound;
  const int n = 20000;
  const Eigen::MatrixXd x = Eigen::MatrixXd::Constant(n, 1, 0.7), d = Eigen::MatrixXd::Constant(n, 1, -0.2);
  const Eigen::Matrix<std::int64_t, 1, 1> ids = Eigen::Matrix<std::int64_t, 1, 1>::Constant(7);
  const auto schedule = diffuse::Schedule<double>::scaled_linear(1000);
  const std::vector<diffuse::Gaussian<Eigen::MatrixXd>> steps{
      diffuse::ve_ancestral_step(3.0, 1.2, x, d, 0.5), diffuse::flow_ancestral_step(0.9, 0.5, x, d, 0.5),
      diffuse::flow_renoise(0.4, d), diffuse::tcd_step(schedule, 499, 0.3, d, x)};
  for (const auto& g : steps) {
    const Eigen::MatrixXd y = diffuse::sample_drawn(g, diffuse::drawn_noise(20261205, ids));
    const double mu = g.mean()(0), sigma = g.stddev();
    const double mean = y.mean(), var = (y.array() - mean).square().sum() / (n - 1);
    CHECK(std::fabs(mean - mu) < static_cast<double>(mean_bound(sigma, n)));
    CHECK(std::fabs(var - sigma * sigma) < static_cast<double>(variance_bound(sigma, n)));
    std::vector<double> z(y.data(), y.data() + n);
    CHECK(test_support::ks_statistic(z, [&](double v) { return normal_cdf((v - mu) / sigma); }) < ks_critical(n));
    Eigen::MatrixXd eps(n, 1);
    diffuse::fill_noise(20261205, ids, eps);
    CHECK(y == g.sample_from_noise(eps));  // the noise of the contract, bit for bit
  }
}

TEST_CASE("every argument rule of the re-noising steps throws with the function, the rule and the value", "[renoise]") {
  const Vector<double> x = Vector<double>::Zero(2), wrong = Vector<double>::Zero(3);
  CHECK(throws_with<std::invalid_argument>(
      [] { diffuse::ancestral_split(1.0, 2.0); },
      {"diffuse::ancestral_split: sigma_from must be finite and >= sigma_to (got 1)"}));
  CHECK(throws_with<std::invalid_argument>([] { diffuse::ancestral_split(2.0, -1.0); },
                                           {"diffuse::ancestral_split: sigma_to must be finite and >= 0 (got -1)"}));
  CHECK(throws_with<std::invalid_argument>([] { diffuse::ancestral_split(2.0, 1.0, std::nan("")); },
                                           {"diffuse::ancestral_split: eta must be finite and >= 0 (got nan)"}));
  CHECK(throws_with<std::invalid_argument>([&] { diffuse::ve_ancestral_step(0.0, 0.0, x, x); },
                                           {"diffuse::ve_ancestral_step: sigma_from must be finite and > 0 (got 0)"}));
  CHECK(throws_with<std::invalid_argument>([&] { diffuse::ve_ancestral_step(2.0, 1.0, x, x, 1.0, -1.0); },
                                           {"diffuse::ve_ancestral_step: s_noise must be finite and >= 0 (got -1)"}));
  CHECK(throws_with<std::invalid_argument>([&] { diffuse::ve_ancestral_step(2.0, 1.0, x, wrong); },
                                           {"diffuse::ve_ancestral_step: the second input"}));
  CHECK(throws_with<std::invalid_argument>([&] { diffuse::flow_ancestral_step(1.5, 0.5, x, x); },
                                           {"diffuse::flow_ancestral_step: sigma_from must be in (0, 1] (got 1.5)"}));
  CHECK(throws_with<std::invalid_argument>(
      [&] { diffuse::flow_ancestral_step(0.5, 0.7, x, x); },
      {"diffuse::flow_ancestral_step: sigma_to must be at most sigma_from (got 0.7)"}));
  CHECK(throws_with<std::invalid_argument>(
      [&] { diffuse::flow_ancestral_step(0.5, -0.1, x, x); },
      {"diffuse::flow_ancestral_step: sigma_to must be finite and >= 0 (got -0.1)"}));
  CHECK(throws_with<std::invalid_argument>([&] { diffuse::flow_ancestral_step(0.5, 0.1, x, x, 1.5); },
                                           {"diffuse::flow_ancestral_step: eta must be in [0, 1] (got 1.5)"}));
  CHECK(throws_with<std::invalid_argument>([&] { diffuse::flow_ancestral_step(0.5, 0.1, x, x, 1.0, -2.0); },
                                           {"diffuse::flow_ancestral_step: s_noise must be finite and >= 0 (got -2)"}));
  CHECK(throws_with<std::invalid_argument>([&] { diffuse::flow_renoise(1.5, x); },
                                           {"diffuse::flow_renoise: sigma_to must be in [0, 1] (got 1.5)"}));
  const auto schedule = diffuse::Schedule<double>::scaled_linear(1000);
  CHECK(throws_with<std::out_of_range>([&] { diffuse::tcd_step(schedule, 1000, 0.3, x, x); },
                                       {"diffuse::tcd_step: prev_timestep must be in [0, 999] (got 1000)"}));
  CHECK(throws_with<std::invalid_argument>([&] { diffuse::tcd_step(schedule, 500, 1.3, x, x); },
                                           {"diffuse::tcd_step: gamma must be in [0, 1] (got 1.3)"}));
}
