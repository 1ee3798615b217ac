// The kernels against their definitions (50-digit references of tests/reference/kernels_*.txt), the
// composition of single steps, Chapman–Kolmogorov, the posterior as a Bayes product, prior_kl and
// the argument checks. Every tolerance is the error bound stated in kernels.hpp, derived from the
// schedule's precision contract (k ulp per coefficient), plus the reference's own error.
#include <diffuse/kernels.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "catch.hpp"
#include "support/kernels_reference.hpp"
#include "support/messages.hpp"
#include "support/ulps.hpp"

namespace {

using kernels_reference::compound;
using kernels_reference::ld;
using kernels_reference::reference_error;
using kernels_reference::relative_error;

const char* const schedule_names[] = {"linear", "cosine"};

template <class S>
using Vector3 = Eigen::Matrix<S, 3, 1>;

template <class S>
Vector3<S> x0_vector() {
  return Vector3<S>(S(0.5), S(-1.25), S(2));
}
template <class S>
Vector3<S> xt_vector() {
  return Vector3<S>(S(-0.75), S(0.3), S(1.1));
}

/// The largest relative error of the coefficients of `actual` against factor·x, over `bound`
/// (a value <= 1 is within the bound).
template <class A, class X>
ld worst_scaled(const Eigen::MatrixBase<A>& actual, ld factor, const Eigen::MatrixBase<X>& x, ld bound) {
  ld worst = 0;
  for (Eigen::Index i = 0; i < actual.size(); ++i) {
    const ld exact = factor * static_cast<ld>(x(i));
    worst = std::max(worst, relative_error(actual(i), exact) / bound);
  }
  return worst;
}

}  // namespace

TEMPLATE_TEST_CASE("transition has mean sqrt(alpha_t) x and variance beta_t at every step", "[kernels][ieee]", float,
                   double) {
  using S = TestType;
  const ld k = test_support::coefficient_contract_ulps<S>(), e = kernels_reference::eps<S>();
  const Vector3<S> x = x0_vector<S>();
  for (const char* name : schedule_names) {
    const diffuse::Schedule<S> schedule = kernels_reference::named_schedule<S>(name);
    const auto& reference = kernels_reference::reference_schedule(name);
    ld worst = 0;
    for (int t = 1; t <= schedule.steps(); ++t) {
      const auto& row = reference[static_cast<std::size_t>(t)];
      const diffuse::Gaussian<Vector3<S>> g = diffuse::transition(schedule, t, x);
      worst = std::max(worst,
                       worst_scaled(g.mean(), std::sqrt(row.alpha), x, compound(1, (k + 0.5L) * e) + reference_error));
      worst = std::max(worst, relative_error(g.variance(), row.beta) / (k * e + reference_error));
      worst = std::max(
          worst, relative_error(g.stddev(), std::sqrt(row.beta)) / (compound(1, (k / 2 + 0.5L) * e) + reference_error));
    }
    INFO(name << ": worst error / bound = " << static_cast<double>(worst));
    CHECK(worst <= 1);
  }
  SECTION("the zero-terminal-SNR step T is N(0, I)") {
    const auto zero_terminal = diffuse::Schedule<S>::linear(1000).zero_terminal_snr();
    const auto g = diffuse::transition(zero_terminal, 1000, x);
    CHECK(g.mean() == Vector3<S>::Zero());
    CHECK(g.variance() == S(1));
  }
}

TEMPLATE_TEST_CASE("marginal has mean sqrt(alpha_bar_t) x0 and variance 1 - alpha_bar_t at every step", "[kernels]",
                   float, double) {
  using S = TestType;
  const ld k = test_support::coefficient_contract_ulps<S>(), e = kernels_reference::eps<S>();
  const Vector3<S> x0 = x0_vector<S>();
  for (const char* name : schedule_names) {
    const diffuse::Schedule<S> schedule = kernels_reference::named_schedule<S>(name);
    const auto& reference = kernels_reference::reference_schedule(name);
    ld worst = 0;
    for (int t = 1; t <= schedule.steps(); ++t) {
      const auto& row = reference[static_cast<std::size_t>(t)];
      const auto g = diffuse::marginal(schedule, t, x0);
      worst = std::max(
          worst, worst_scaled(g.mean(), std::sqrt(row.alpha_bar), x0, compound(1, (k + 0.5L) * e) + reference_error));
      worst = std::max(worst, relative_error(g.variance(), row.one_minus_alpha_bar) / (k * e + reference_error));
      worst =
          std::max(worst, relative_error(g.stddev(), std::sqrt(row.one_minus_alpha_bar)) / (k * e + reference_error));
    }
    INFO(name << ": worst error / bound = " << static_cast<double>(worst));
    CHECK(worst <= 1);
    const auto data = diffuse::marginal(schedule, 0, x0);
    CHECK(data.mean() == x0);
    CHECK(data.variance() == S(0));
  }
}

TEMPLATE_TEST_CASE(
    "marginal(s, t) has mean sqrt(alpha_bar_t / alpha_bar_s) x_s and variance 1 - alpha_bar_t / alpha_bar_s",
    "[kernels][ieee]", float, double) {
  using S = TestType;
  const ld k = test_support::coefficient_contract_ulps<S>(), e = kernels_reference::eps<S>();
  const Vector3<S> x = xt_vector<S>();
  for (const char* name : schedule_names) {
    const diffuse::Schedule<S> schedule = kernels_reference::named_schedule<S>(name);
    ld worst = 0;
    for (const kernels_reference::PairRow& pair : kernels_reference::reference_pairs(name)) {
      const auto g = diffuse::transition(schedule, pair.s, pair.t, x);
      worst = std::max(worst,
                       worst_scaled(g.mean(), std::sqrt(pair.ratio), x, compound(1, (k + 0.5L) * e) + reference_error));
      worst = std::max(worst, relative_error(g.variance(), pair.one_minus_ratio) / (k * e + reference_error));
      worst = std::max(worst, relative_error(g.stddev(), std::sqrt(pair.one_minus_ratio)) / (k * e + reference_error));
    }
    INFO(name << ": worst error / bound = " << static_cast<double>(worst));
    CHECK(worst <= 1);
  }
}

// Single steps m <- sqrt(alpha_t) m (transition's mean) and v <- alpha_t v + beta_t, in Scalar.
// Per step the mean picks up at most (k + ½)ε of relative error (the coefficient, one product);
// the variance at most (k + 1)ε (α and β within kε, a product and a sum each rounded once: with
// v_t = α v_{t−1} + β, relative errors of both terms are bounded by the larger one). So after t
// steps the recursion is within e^{t(k+½)ε} − 1 and e^{t(k+1)ε} − 1 of exact; the marginal within
// (k + ½)ε and kε. The difference is bounded by the sum (relative to the exact value).
TEMPLATE_TEST_CASE("t single steps reproduce the closed-form marginal for every t (T = 1000)", "[kernels]", float,
                   double) {
  using S = TestType;
  const ld k = test_support::coefficient_contract_ulps<S>(), e = kernels_reference::eps<S>();
  const Vector3<S> x0 = x0_vector<S>();
  for (const char* name : schedule_names) {
    const diffuse::Schedule<S> schedule = kernels_reference::named_schedule<S>(name);
    Vector3<S> m = x0;
    S v = 0;
    ld worst_mean = 0, worst_variance = 0;
    int worst_t = 0;
    for (int t = 1; t <= schedule.steps(); ++t) {
      m = diffuse::transition(schedule, t, m).mean();
      v = schedule.alpha(t) * v + schedule.beta(t);
      const auto g = diffuse::marginal(schedule, t, x0);
      const ld marginal_mean = compound(1, (k + 0.5L) * e), marginal_variance = k * e;
      const ld mean_bound = (compound(t, (k + 0.5L) * e) + marginal_mean) / (1 - marginal_mean);
      const ld variance_bound = (compound(t, (k + 1) * e) + marginal_variance) / (1 - marginal_variance);
      for (int i = 0; i < 3; ++i) {
        const ld ratio = relative_error(m(i), g.mean()(i)) / mean_bound;
        if (ratio > worst_mean) worst_t = t;
        worst_mean = std::max(worst_mean, ratio);
      }
      worst_variance = std::max(worst_variance, relative_error(v, g.variance()) / variance_bound);
    }
    INFO(name << ": worst mean error / bound = " << static_cast<double>(worst_mean) << " (t = " << worst_t
              << "), worst variance error / bound = " << static_cast<double>(worst_variance));
    CHECK(worst_mean <= 1);
    CHECK(worst_variance <= 1);
  }
}

// Chapman–Kolmogorov: x_s ~ N(a_s x0, v_s) then x_t|x_s ~ N(c x_s, w) gives N(c a_s x0, c² v_s + w).
// Composed mean: two coefficients and two products, within e^{2(k+½)ε} − 1; composed variance:
// c·c·v_s + w with c, v_s, w within kε and three roundings, within e^{3(k+½)ε} − 1.
TEMPLATE_TEST_CASE("q(x_t|x_s) composed with q(x_s|x_0) is q(x_t|x_0)", "[kernels][ieee]", float, double) {
  using S = TestType;
  const ld k = test_support::coefficient_contract_ulps<S>(), e = kernels_reference::eps<S>();
  const Vector3<S> x0 = x0_vector<S>();
  const ld marginal_mean = compound(1, (k + 0.5L) * e), marginal_variance = k * e;
  const ld mean_bound = (compound(2, (k + 0.5L) * e) + marginal_mean) / (1 - marginal_mean);
  const ld variance_bound = (compound(3, (k + 0.5L) * e) + marginal_variance) / (1 - marginal_variance);
  const std::vector<diffuse::Schedule<S>> schedules{diffuse::Schedule<S>::linear(1000),
                                                    diffuse::Schedule<S>::cosine(1000),
                                                    diffuse::Schedule<S>::linear(1000).zero_terminal_snr()};
  for (const auto& schedule : schedules) {
    const int T = schedule.steps();
    ld worst = 0;
    int pairs = 0;
    for (int s = 1; s < T; ++s) {
      for (int t = s + 1; t <= T; t = t + 61 > T && t < T ? T : t + 61) {
        const auto at_s = diffuse::marginal(schedule, s, x0);
        const auto s_to_t = diffuse::transition(schedule, s, t, at_s.mean());
        const auto at_t = diffuse::marginal(schedule, t, x0);
        const S c = schedule.sqrt_alpha_bar_ratio(s, t);
        const S composed_variance = c * c * at_s.variance() + s_to_t.variance();
        for (int i = 0; i < 3; ++i)
          worst = std::max(worst, relative_error(s_to_t.mean()(i), at_t.mean()(i)) / mean_bound);
        worst = std::max(worst, relative_error(composed_variance, at_t.variance()) / variance_bound);
        ++pairs;
      }
    }
    INFO(pairs << " pairs: worst error / bound = " << static_cast<double>(worst));
    CHECK(pairs > 8000);
    CHECK(worst <= 1);
  }
}

// The posterior by precision weighting, in long double from the 50-digit references:
// q(x_s|x_t, x_0) ∝ N(x_t; √a x_s, (1 − a)) · N(x_s; √ᾱ_s x_0, 1 − ᾱ_s) with a = ᾱ_t/ᾱ_s, so
// precision P = a/(1 − a) + 1/(1 − ᾱ_s), mean = (√a x_t/(1 − a) + √ᾱ_s x_0/(1 − ᾱ_s))/P.
// The library's mean is within (k + 1)ε(|c_0 x_0| + |c_t x_t|), c_0 and c_t the two weights.
template <class S>
ld posterior_worst(const diffuse::Schedule<S>& schedule, int s, int t, ld a, ld one_minus_a, ld alpha_bar_s,
                   ld one_minus_alpha_bar_s) {
  const ld k = test_support::coefficient_contract_ulps<S>(), e = kernels_reference::eps<S>();
  const Vector3<S> x0 = x0_vector<S>(), x_t = xt_vector<S>();
  const auto g = diffuse::posterior(schedule, s, t, x_t, x0);
  const ld precision = a / one_minus_a + 1 / one_minus_alpha_bar_s;
  const ld c_t = std::sqrt(a) / one_minus_a / precision;
  const ld c_0 = std::sqrt(alpha_bar_s) / one_minus_alpha_bar_s / precision;
  ld worst = 0;
  for (int i = 0; i < 3; ++i) {
    const ld terms = std::fabs(c_0 * x0(i)) + std::fabs(c_t * x_t(i));
    const ld exact = c_0 * x0(i) + c_t * x_t(i);
    worst = std::max(worst, std::fabs(g.mean()(i) - exact) / ((compound(1, (k + 1) * e) + reference_error) * terms));
  }
  worst = std::max(worst, relative_error(g.variance(), 1 / precision) / (k * e + reference_error));
  worst = std::max(worst, relative_error(g.stddev(), std::sqrt(1 / precision)) / (k * e + reference_error));
  return worst;
}

TEMPLATE_TEST_CASE("the posterior is the Bayes product of the transition and the marginal", "[kernels][ieee]", float,
                   double) {
  using S = TestType;
  const Vector3<S> x0 = x0_vector<S>(), x_t = xt_vector<S>();
  for (const char* name : schedule_names) {
    const diffuse::Schedule<S> schedule = kernels_reference::named_schedule<S>(name);
    const auto& reference = kernels_reference::reference_schedule(name);
    ld worst = 0;
    for (int t = 2; t <= schedule.steps(); ++t) {
      const auto& step = reference[static_cast<std::size_t>(t)];
      const auto& before = reference[static_cast<std::size_t>(t - 1)];
      worst = std::max(worst, posterior_worst(schedule, t - 1, t, step.alpha, step.beta, before.alpha_bar,
                                              before.one_minus_alpha_bar));
      CHECK(diffuse::posterior(schedule, t, x_t, x0).mean() == diffuse::posterior(schedule, t - 1, t, x_t, x0).mean());
    }
    for (const kernels_reference::PairRow& pair : kernels_reference::reference_pairs(name)) {
      if (pair.s == 0) continue;
      const auto& at_s = reference[static_cast<std::size_t>(pair.s)];
      worst = std::max(worst, posterior_worst(schedule, pair.s, pair.t, pair.ratio, pair.one_minus_ratio,
                                              at_s.alpha_bar, at_s.one_minus_alpha_bar));
    }
    INFO(name << ": worst error / bound = " << static_cast<double>(worst));
    CHECK(worst <= 1);
    // s = 0: the posterior of the data given the data is the point mass at x_0 (β̃_1 = 0).
    const auto first = diffuse::posterior(schedule, 1, x_t, x0);
    CHECK(first.mean() == x0);
    CHECK(first.variance() == S(0));
    CHECK(diffuse::posterior(schedule, 0, 700, x_t, x0).mean() == x0);
  }
}

TEMPLATE_TEST_CASE("transition(beta, x) honours the limits beta = 0 and beta = 1", "[kernels][ieee]", float, double) {
  using S = TestType;
  const Vector3<S> x = x0_vector<S>();
  const auto still = diffuse::transition(S(0), x);
  CHECK(still.mean() == x);
  CHECK(still.variance() == S(0));
  CHECK(still.stddev() == S(0));
  const auto noise = diffuse::transition(S(1), x);
  CHECK(noise.mean() == Vector3<S>::Zero());
  CHECK(noise.variance() == S(1));
  // 1 − β exact, √(2^−20) = 2^−10: the mean is exactly 2^−10 x.
  CHECK(diffuse::transition(S(1) - std::ldexp(S(1), -20), x).mean() == (std::ldexp(S(1), -10) * x).eval());
  // β = 0.36 (rounded to Scalar): mean √(1 − β) x within 1¼ε.
  const S beta = S(0.36);
  const auto g = diffuse::transition(beta, x);
  const ld bound = compound(1, 1.25L * kernels_reference::eps<S>());
  CHECK(worst_scaled(g.mean(), std::sqrt(1 - static_cast<ld>(beta)), x, bound) <= 1);
  CHECK(g.variance() == beta);
}

// prior_kl: ½ ulp + 12 ε_double + (n + 16)·2^−64 relative, as documented (2.6 × 4½ ε_double < 12 ε_double).
TEMPLATE_TEST_CASE("prior_kl matches the closed form, without cancellation for tiny alpha_bar_T", "[kernels]", float,
                   double) {
  using S = TestType;
  auto bound = [](const diffuse::Schedule<S>&, ld n) {
    return kernels_reference::eps<S>() / 2 + 12 * kernels_reference::eps<double>() +
           (n + 16) * kernels_reference::wide_unit + reference_error;
  };
  const Vector3<S> x0 = x0_vector<S>(), zero = Vector3<S>::Zero();
  for (const char* name : schedule_names) {
    const diffuse::Schedule<S> schedule = kernels_reference::named_schedule<S>(name);
    const std::string key = std::string("prior_kl_") + name;
    INFO(name);
    CHECK(relative_error(diffuse::prior_kl(schedule, x0), kernels_reference::reference_value(key + "_x")) <=
          bound(schedule, 3));
    CHECK(relative_error(diffuse::prior_kl(schedule, zero), kernels_reference::reference_value(key + "_zero")) <=
          bound(schedule, 3));
    Eigen::Matrix<S, 3, 2> batch;
    batch << x0, zero;
    const Eigen::Matrix<S, 1, Eigen::Dynamic> per_sample = diffuse::prior_kl_per_sample(schedule, batch);
    REQUIRE(per_sample.size() == 2);
    CHECK(relative_error(per_sample(0), kernels_reference::reference_value(key + "_x")) <= bound(schedule, 3));
    CHECK(relative_error(per_sample(1), kernels_reference::reference_value(key + "_zero")) <= bound(schedule, 3));
  }
  const auto one_step = diffuse::Schedule<S>::linear(1);  // 1 − ᾱ_T = 1e-4: a small variance
  CHECK(relative_error(diffuse::prior_kl(one_step, x0), kernels_reference::reference_value("prior_kl_linear1_x")) <=
        bound(one_step, 3));
  CHECK(diffuse::prior_kl(diffuse::Schedule<S>::linear(1000).zero_terminal_snr(), x0) == S(0));
}

TEST_CASE("kernels take any Eigen expression and return the Gaussian of its plain type", "[kernels]") {
  const auto schedule = diffuse::Schedule<float>::linear(1000);
  std::vector<float> buffer{1, 2, 3, 4, 5, 6};
  const Eigen::Map<const Eigen::Matrix<float, 2, 3, Eigen::RowMajor>> view(buffer.data());
  const auto g = diffuse::marginal(schedule, 10, view);
  static_assert(std::is_same<decltype(g), const diffuse::Gaussian<Eigen::Matrix<float, 2, 3, Eigen::RowMajor>>>::value,
                "a row-major Map gives a row-major mean");
  CHECK(g.mean() == (schedule.sqrt_alpha_bar(10) * view).eval());
  const Eigen::Vector3f x(1, 2, 3);
  const auto h = diffuse::transition(schedule, 5, (2 * x).head<2>());
  static_assert(std::is_same<decltype(h), const diffuse::Gaussian<Eigen::Vector2f>>::value,
                "an expression is evaluated");
  CHECK(h.mean() == (schedule.sqrt_alpha_bar_ratio(4, 5) * Eigen::Vector2f(2, 4)).eval());
  const Eigen::MatrixXf batch = Eigen::MatrixXf::Ones(4, 8);
  CHECK(diffuse::posterior(schedule, 3, batch, batch).dimension() == 32);
}

TEMPLATE_TEST_CASE("kernels reject steps out of range and shapes that disagree", "[kernels][checks]", float, double) {
  using S = TestType;
  using test_support::error_message;
  const auto schedule = diffuse::Schedule<S>::linear(1000);
  const Vector3<S> x = x0_vector<S>();
  CHECK(error_message<std::out_of_range>([&] { diffuse::transition(schedule, 0, x); }) ==
        "diffuse::transition: t must be in [1, 1000] (got 0)");
  CHECK(error_message<std::out_of_range>([&] { diffuse::transition(schedule, 1001, x); }) ==
        "diffuse::transition: t must be in [1, 1000] (got 1001)");
  CHECK(error_message<std::out_of_range>([&] { diffuse::marginal(schedule, -1, x); }) ==
        "diffuse::marginal: t must be in [0, 1000] (got -1)");
  CHECK(error_message<std::out_of_range>([&] { diffuse::marginal(schedule, 1001, x); }) ==
        "diffuse::marginal: t must be in [0, 1000] (got 1001)");
  CHECK(error_message<std::out_of_range>([&] { diffuse::transition(schedule, 5, 5, x); }) ==
        "diffuse::transition: s must be in [0, 4] (got 5)");
  CHECK(error_message<std::out_of_range>([&] { diffuse::transition(schedule, 7, 5, x); }) ==
        "diffuse::transition: s must be in [0, 4] (got 7)");
  CHECK(error_message<std::out_of_range>([&] { diffuse::transition(schedule, -1, 5, x); }) ==
        "diffuse::transition: s must be in [0, 4] (got -1)");
  CHECK(error_message<std::out_of_range>([&] { diffuse::transition(schedule, 0, 1001, x); }) ==
        "diffuse::transition: t must be in [1, 1000] (got 1001)");
  CHECK(error_message<std::out_of_range>([&] { diffuse::posterior(schedule, 0, x, x); }) ==
        "diffuse::posterior: t must be in [1, 1000] (got 0)");
  CHECK(error_message<std::out_of_range>([&] { diffuse::posterior(schedule, 1001, x, x); }) ==
        "diffuse::posterior: t must be in [1, 1000] (got 1001)");
  CHECK(error_message<std::out_of_range>([&] { diffuse::posterior(schedule, 9, 9, x, x); }) ==
        "diffuse::posterior: s must be in [0, 8] (got 9)");
  CHECK(error_message<std::out_of_range>([&] { diffuse::posterior(schedule, -2, 9, x, x); }) ==
        "diffuse::posterior: s must be in [0, 8] (got -2)");
  const Eigen::Matrix<S, Eigen::Dynamic, 1> four = Eigen::Matrix<S, Eigen::Dynamic, 1>::Zero(4);
  CHECK(error_message<std::invalid_argument>([&] { diffuse::posterior(schedule, 9, x, four); }) ==
        "diffuse::posterior: x0 must have the shape 3 x 1 (got \"4 x 1\")");
  CHECK(error_message<std::invalid_argument>([&] { diffuse::transition(S(-0.25), x); }) ==
        "diffuse::transition: beta must be in [0, 1] (got -0.25)");
  CHECK(error_message<std::invalid_argument>([&] { diffuse::transition(S(1.5), x); }) ==
        "diffuse::transition: beta must be in [0, 1] (got 1.5)");
  CHECK(error_message<std::invalid_argument>([&] { diffuse::transition(std::numeric_limits<S>::quiet_NaN(), x); }) ==
        "diffuse::transition: beta must be in [0, 1] (got nan)");
}
