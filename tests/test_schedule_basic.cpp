// Structural properties of Schedule that hold for every family: ᾱ_0 = 1, ᾱ decreasing, checks.
#include <diffuse/schedule.hpp>

#include <cmath>

#include "catch.hpp"

template class diffuse::Schedule<float>;
template class diffuse::Schedule<double>;
template class diffuse::Schedule<long double>;

TEMPLATE_TEST_CASE("alpha_bar starts at 1 and decreases strictly", "[schedule]", float, double) {
  const auto s = diffuse::Schedule<TestType>::linear(1000);
  CHECK(s.alpha_bar(0) == TestType(1));
  for (int t = 1; t <= s.steps(); ++t) CHECK(s.alpha_bar(t) < s.alpha_bar(t - 1));
}

TEMPLATE_TEST_CASE("the data step has +0 noise, not -0", "[schedule][ieee]", float, double, long double) {
  const auto s = diffuse::Schedule<TestType>::cosine(10);
  CHECK(s.one_minus_alpha_bar(0) == TestType(0));
  CHECK_FALSE(std::signbit(s.one_minus_alpha_bar(0)));
  CHECK_FALSE(std::signbit(s.sqrt_one_minus_alpha_bar(0)));
  CHECK_FALSE(std::signbit(s.sigma(0)));
  CHECK_FALSE(std::signbit(s.posterior_variance(1)));
  CHECK_FALSE(std::signbit(s.one_minus_alpha_bar_ratio(3, 3)));
}
