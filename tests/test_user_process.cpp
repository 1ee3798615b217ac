// UserDefinedProcess: the rectified flow given as callables is RectifiedFlow bit for bit (whose
// values tests/test_flow.cpp checks against mpmath), the kernels and batches take it, and every rule
// of the grid check names the first time that breaks it.
#include <diffuse/batch.hpp>
#include <diffuse/flow.hpp>
#include <diffuse/kernels.hpp>
#include <diffuse/user_process.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "catch.hpp"
#include "support/messages.hpp"

template class diffuse::UserDefinedProcess<float>;
template class diffuse::UserDefinedProcess<double>;
template class diffuse::UserDefinedProcess<long double>;

namespace {

using test_support::error_message;
using test_support::throws_with;

template <class S>
diffuse::UserDefinedProcess<S> flow_as_callables() {
  return diffuse::UserDefinedProcess<S>([](S t) { return 1 - t; }, [](S t) { return t; });
}

}  // namespace

TEMPLATE_TEST_CASE("the rectified flow given as a(t), b(t) is RectifiedFlow bit for bit", "[user_process][ieee]", float,
                   double, long double) {
  using S = TestType;
  using Time = diffuse::ContinuousTime<S>;
  const auto user = flow_as_callables<S>();
  const diffuse::RectifiedFlow<S> flow;
  // Dyadic times, where 1 − t is exact: the callables' a and b are the flow's exact values, and
  // every derived value is rounded once from them, as RectifiedFlow's (correctly rounded) are.
  const std::vector<S> times = {S(0), S(0x1p-20), S(0.125), S(0.375), S(0.5), S(0.75), S(1 - 0x1p-10), S(1)};
  for (std::size_t i = 0; i < times.size(); ++i) {
    const Time t(times[i]);
    INFO("t = " << times[i]);
    CHECK(user.noise_variance(t) == flow.noise_variance(t));
    CHECK(user.noise_level(t).value() == flow.noise_level(t).value());
    CHECK(user.log_snr(t).value() == flow.log_snr(t).value());
    for (std::size_t k = i + 1; k < times.size(); ++k) {
      const Time u(times[k]);
      INFO("to t = " << times[k]);
      const auto a = user.transition_coefficients(t, u), b = flow.transition_coefficients(t, u);
      CHECK(a.mean == b.mean);
      CHECK(a.variance == b.variance);
      CHECK(a.stddev == b.stddev);
      const auto p = user.posterior_coefficients(t, u), q = flow.posterior_coefficients(t, u);
      CHECK(p.x0 == q.x0);
      CHECK(p.xt == q.xt);
      CHECK(p.variance == q.variance);
      CHECK(p.stddev == q.stddev);
    }
  }
  // The batches and prior_kl take it: the same x_t as the flow, KL 0 at a(1) = 0, b(1) = 1.
  Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic> x0(2, 3), eps(2, 3);
  x0 << 1, 2, 3, 4, 5, 6;
  eps << S(0.5), -1, 2, S(0.25), 0, -3;
  const std::vector<S> batch_times = {S(0), S(0.3), S(1)};
  CHECK(diffuse::add_noise(user, x0, eps, batch_times) == diffuse::add_noise(flow, x0, eps, batch_times));
  CHECK(diffuse::prior_kl(user, x0) == 0);
}

TEST_CASE("a user process's prior is N(0, b(1)^2 I): prior_kl is sum a(1)^2 x0^2 / (2 b(1)^2)", "[user_process]") {
  // VE-like: a = 1, b = 0.5 + t: KL = ½ Σ x0²/b(1)² = ½ (1 + 4)/2.25.
  const diffuse::UserDefinedProcess<double> ve([](double) { return 1.0; },
                                               [](double t) { return t == 0 ? 0.0 : 0.5 + t; });
  Eigen::Matrix<double, 2, 1> x0(1, 2);
  CHECK(diffuse::prior_kl(ve, x0) == static_cast<double>(0.5L * 5 / 2.25L));
}

TEST_CASE("bad user processes throw naming the rule and the first offending t", "[user_process][errors]") {
  using P = diffuse::UserDefinedProcess<double>;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto one_minus = [](double t) { return 1 - t; };
  auto identity = [](double t) { return t; };
  CHECK(error_message<std::invalid_argument>([&] { P(one_minus, identity, 0); }) ==
        "diffuse::UserDefinedProcess: the number of grid intervals n must be at least 1 (got 0)");
  CHECK(throws_with<std::invalid_argument>([&] { P(P::Function(), identity); }, {"a and b must be callables"}));
  CHECK(error_message<std::invalid_argument>([&] {
          P([&](double t) { return t >= 0.5 ? nan : 1 - t; }, identity, 4);
        }) == "diffuse::UserDefinedProcess: a(t) must be finite and >= 0 at t = 0.5 (got nan)");
  CHECK(throws_with<std::invalid_argument>([&] { P([](double t) { return 0.5 - t; }, identity, 4); },
                                           {"a(t) must be finite and >= 0 at t = 0.75", "-0.25"}));
  CHECK(throws_with<std::invalid_argument>(
      [&] {
        P(
            one_minus, [](double t) { return t - 0.25; }, 4);
      },
      {"b(t) must be finite and >= 0 at t = 0", "-0.25"}));
  CHECK(error_message<std::invalid_argument>([&] {
          P(
              one_minus, [](double t) { return t == 0.25 ? 0.0 : t; }, 4);
        }) == "diffuse::UserDefinedProcess: b(t) must be > 0 at t = 0.25 (only b(0) may be 0) (got 0)");
  // λ rises from t = 0.5 to 0.75 (b drops).
  CHECK(
      error_message<std::invalid_argument>([&] {
        P(
            one_minus, [](double t) { return t == 0.75 ? 0.125 : t; }, 4);
      }) ==
      "diffuse::UserDefinedProcess: the log-SNR must be strictly decreasing, but lambda(0.5) <= lambda(0.75) (got 1.3862943611198906)");
  // Off the grid: a bump between 0.5 and 1 that a 2-interval grid does not see.
  const P coarse(
      one_minus, [](double t) { return t > 0.6 && t < 0.9 ? t / 4 : t; }, 2);
  CHECK(throws_with<std::domain_error>(
      [&] {
        coarse.transition_coefficients(diffuse::ContinuousTime<double>(0.5), diffuse::ContinuousTime<double>(0.7));
      },
      {"UserDefinedProcess::transition_coefficients: the log-SNR must not increase between s and t = 0.7", "0.5"}));
  CHECK(throws_with<std::invalid_argument>(
      [&] { coarse.posterior_coefficients(diffuse::ContinuousTime<double>(1), diffuse::ContinuousTime<double>(1)); },
      {"UserDefinedProcess::posterior_coefficients: s must be less than t = 1"}));
  // A transition from a time where the signal is gone.
  const P ends_early([](double t) { return t >= 0.9 ? 0.0 : 1 - t; }, identity, 2);
  CHECK(throws_with<std::domain_error>(
      [&] {
        ends_early.transition_coefficients(diffuse::ContinuousTime<double>(0.95), diffuse::ContinuousTime<double>(1));
      },
      {"a(s) must be > 0 for a transition from s", "0.95"}));
}

TEST_CASE("a user process's time(lambda) and time(sigma) invert it and refuse what it never reaches",
          "[user_process][ieee]") {
  using Time = diffuse::ContinuousTime<double>;
  const auto user = flow_as_callables<double>();
  const diffuse::RectifiedFlow<double> flow;
  for (const double t : {0.0, 1e-300, 1e-9, 0.1, 0.5, 0.9, 1 - 1e-12, 1.0}) {
    INFO("t = " << t);
    // The flow's time(σ) is correctly rounded; the bisection picks the neighbour nearer in λ, the
    // same double here.
    const double sigma = flow.noise_level(Time(t)).value();
    CHECK(user.time(diffuse::NoiseLevel<double>(sigma)).value() ==
          flow.time(diffuse::NoiseLevel<double>(sigma)).value());
  }
  CHECK(user.time(diffuse::LogSnr<double>(0)).value() == 0.5);
  CHECK(user.time(diffuse::LogSnr<double>(-std::numeric_limits<double>::infinity())).value() == 1);
  const diffuse::UserDefinedProcess<double> noisy_start([](double t) { return 1 - t / 2; },
                                                        [](double t) { return 0.1 + t; });
  CHECK(error_message<std::out_of_range>([&] { noisy_start.time(diffuse::NoiseLevel<double>(0.05)); }) ==
        "diffuse::UserDefinedProcess::time: noise level must be in [0.1, 2.2] (got 0.05)");
  CHECK(throws_with<std::out_of_range>([&] { noisy_start.time(diffuse::LogSnr<double>(10)); },
                                       {"UserDefinedProcess::time: log-SNR must be in [", "(got 10)"}));
}
