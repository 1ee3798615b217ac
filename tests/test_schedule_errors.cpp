// Every rule Schedule enforces: the exception type and a message naming the function, the rule and the value.
#include <diffuse/schedule.hpp>

#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "catch.hpp"

namespace {

/// what() of the Exception f throws, or a description of what happened instead.
template <class Exception>
std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Exception& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("another exception type: ") + e.what();
  }
  return "no exception";
}

/// f throws Exception with the message "diffuse::<function>: <…rule…> (got <value>)".
template <class Exception>
void check_error(const std::function<void()>& f, const std::string& function, const std::string& rule,
                 const std::string& value) {
  CHECK_THROWS_AS(f(), Exception);
  const std::string what = message_of<Exception>(f);
  const std::string head = "diffuse::" + function + ": ";
  const std::string tail = " (got " + value + ")";
  INFO("message: " << what);
  CHECK(what.compare(0, head.size(), head) == 0);
  CHECK(what.find(rule) != std::string::npos);
  CHECK(what.size() >= tail.size());
  CHECK(what.compare(what.size() - std::min(what.size(), tail.size()), tail.size(), tail) == 0);
}

void check_invalid(const std::function<void()>& f, const std::string& function, const std::string& rule,
                   const std::string& value) {
  check_error<std::invalid_argument>(f, function, rule, value);
}

/// f throws nothing (a valid edge case next to the rule).
void check_accepted(const std::function<void()>& f) {
  std::string what = "no exception";
  try {
    f();
  } catch (const std::exception& e) {
    what = e.what();
  }
  CHECK(what == "no exception");
}

const double not_a_number = std::numeric_limits<double>::quiet_NaN();
const double infinity = std::numeric_limits<double>::infinity();

}  // namespace

TEMPLATE_TEST_CASE("T = 0 is rejected by every factory", "[schedule][errors]", float, double) {
  using S = diffuse::Schedule<TestType>;
  const std::string rule = "the number of steps T must be at least 1";
  check_invalid([] { S::linear(0); }, "Schedule::linear", rule, "0");
  check_invalid([] { S::linear(-3); }, "Schedule::linear", rule, "-3");
  check_invalid([] { S::scaled_linear(0); }, "Schedule::scaled_linear", rule, "0");
  check_invalid([] { S::cosine(0); }, "Schedule::cosine", rule, "0");
  check_invalid([] { S::sigmoid(0); }, "Schedule::sigmoid", rule, "0");
  check_invalid([] { S::constant(0, 0.01); }, "Schedule::constant", rule, "0");
  check_invalid([] { S::from_betas(std::vector<double>{}); }, "Schedule::from_betas", rule, "0");
  check_invalid([] { S::from_betas(Eigen::VectorXd()); }, "Schedule::from_betas", rule, "0");
  check_invalid([] { S::from_alpha_bars(std::vector<double>{}); }, "Schedule::from_alpha_bars", rule, "0");
  check_invalid([] { S::from_alpha_bar_function(0, [](double u) { return 1 - u; }); },
                "Schedule::from_alpha_bar_function", rule, "0");
}

TEMPLATE_TEST_CASE("beta must be in (0, 1), and 1 only at the last step", "[schedule][errors]", float, double) {
  using S = diffuse::Schedule<TestType>;
  const std::string rule = "must be in (0, 1), or 1 at the last step only";
  check_invalid([] { S::from_betas(std::vector<double>{0.5, 0.0}); }, "Schedule::from_betas", "beta_2 " + rule, "0");
  check_invalid([] { S::from_betas(std::vector<double>{-0.1}); }, "Schedule::from_betas", "beta_1 " + rule, "-0.1");
  check_invalid([] { S::from_betas(std::vector<double>{1.5}); }, "Schedule::from_betas", "beta_1 " + rule, "1.5");
  check_invalid([] { S::from_betas(std::vector<double>{1.0, 0.5}); }, "Schedule::from_betas", "beta_1 " + rule, "1");
  check_invalid([] { S::constant(10, 1.0); }, "Schedule::constant", "beta_1 " + rule, "1");
  check_invalid([] { S::constant(10, 0.0); }, "Schedule::constant", "beta_1 " + rule, "0");
  check_invalid([] { S::constant(10, -0.5); }, "Schedule::constant", "beta_1 " + rule, "-0.5");
  // The ends of the linear families: each in (0, 1], and β = 1 only where it is the last step.
  check_invalid([] { S::linear(10, 0.0, 0.02); }, "Schedule::linear", "beta_start must be in (0, 1]", "0");
  check_invalid([] { S::linear(10, 1e-4, 1.5); }, "Schedule::linear", "beta_end must be in (0, 1]", "1.5");
  check_invalid([] { S::linear(10, 1.0, 0.5); }, "Schedule::linear", "beta_1 " + rule, "1");
  check_invalid([] { S::scaled_linear(10, -1.0, 0.012); }, "Schedule::scaled_linear", "beta_start must be in (0, 1]",
                "-1");
  check_invalid([] { S::sigmoid(10, 1e-4, 2.0); }, "Schedule::sigmoid", "beta_end must be in (0, 1]", "2");
  // β = 1 at the last step is a zero-terminal-SNR schedule, and allowed.
  check_accepted([] { S::from_betas(std::vector<double>{0.5, 1.0}); });
  check_accepted([] { S::constant(1, 1.0); });
  check_accepted([] { S::linear(10, 0.5, 1.0); });
}

TEMPLATE_TEST_CASE("non-finite values are rejected", "[schedule][errors]", float, double) {
  using S = diffuse::Schedule<TestType>;
  check_invalid(
      [] {
        S::from_betas(std::vector<double>{0.1, not_a_number});
      },
      "Schedule::from_betas", "beta_2 must be in (0, 1)", "nan");
  Eigen::VectorXd betas(2);
  betas << infinity, 0.1;
  check_invalid([&] { S::from_betas(betas); }, "Schedule::from_betas", "beta_1 must be in (0, 1)", "inf");
  check_invalid(
      [] {
        S::from_alpha_bars(std::vector<double>{0.5, not_a_number});
      },
      "Schedule::from_alpha_bars", "alpha_bar_2 must be in [0, 1]", "nan");
  check_invalid([] { S::linear(10, not_a_number, 0.02); }, "Schedule::linear", "beta_start must be in (0, 1]", "nan");
  check_invalid([] { S::constant(10, not_a_number); }, "Schedule::constant", "beta_1 must be in (0, 1)", "nan");
  check_invalid([] { S::cosine(10, infinity); }, "Schedule::cosine", "s must be finite and >= 0", "inf");
  check_invalid([] { S::cosine(10, 0.008, not_a_number); }, "Schedule::cosine", "max_beta must be in (0, 1]", "nan");
  check_invalid([] { S::from_alpha_bar_function(10, [](double u) { return u == 0.5 ? not_a_number : 1 - u; }); },
                "Schedule::from_alpha_bar_function", "f(0.5) must be finite", "nan");
  check_invalid([] { S::from_alpha_bar_function(10, [](double u) { return u == 0 ? infinity : 1 - u; }); },
                "Schedule::from_alpha_bar_function", "f(0) must be finite", "inf");
}

TEMPLATE_TEST_CASE("cosine's s must not be negative", "[schedule][errors]", float, double) {
  using S = diffuse::Schedule<TestType>;
  check_invalid([] { S::cosine(10, -0.1); }, "Schedule::cosine", "s must be finite and >= 0", "-0.1");
  check_accepted([] { S::cosine(10, 0.0); });
}

TEMPLATE_TEST_CASE("max_beta must be above 0 and at most 1", "[schedule][errors]", float, double) {
  using S = diffuse::Schedule<TestType>;
  const std::string rule = "max_beta must be in (0, 1]";
  const auto f = [](double u) { return 1 - u; };
  check_invalid([] { S::cosine(10, 0.008, 0.0); }, "Schedule::cosine", rule, "0");
  check_invalid([] { S::cosine(10, 0.008, -0.2); }, "Schedule::cosine", rule, "-0.2");
  check_invalid([] { S::cosine(10, 0.008, 1.5); }, "Schedule::cosine", rule, "1.5");
  check_invalid([&] { S::from_alpha_bar_function(10, f, 0.0); }, "Schedule::from_alpha_bar_function", rule, "0");
  check_invalid([&] { S::from_alpha_bar_function(10, f, 1.01); }, "Schedule::from_alpha_bar_function", rule, "1.01");
  check_accepted([] { S::cosine(10, 0.008, 1.0); });
}

TEMPLATE_TEST_CASE("alpha_bar must be at least 0 and at most 1, decrease strictly from 1 and reach 0 only at the end",
                   "[schedule][errors]", float, double) {
  using S = diffuse::Schedule<TestType>;
  const std::string fn = "Schedule::from_alpha_bars";
  check_invalid(
      [] {
        S::from_alpha_bars(std::vector<double>{0.9, 0.9});
      },
      fn, "alpha_bar_2 must be less than alpha_bar_1 (strictly decreasing)", "0.9");
  check_invalid(
      [] {
        S::from_alpha_bars(std::vector<double>{0.5, 0.7});
      },
      fn, "alpha_bar_2 must be less than alpha_bar_1 (strictly decreasing)", "0.7");
  check_invalid([] { S::from_alpha_bars(std::vector<double>{1.0}); }, fn, "alpha_bar_1 must be less than alpha_bar_0",
                "1");
  check_invalid([] { S::from_alpha_bars(std::vector<double>{1.5}); }, fn, "alpha_bar_1 must be in [0, 1]", "1.5");
  check_invalid([] { S::from_alpha_bars(std::vector<double>{-0.1}); }, fn, "alpha_bar_1 must be in [0, 1]", "-0.1");
  check_invalid(
      [] {
        S::from_alpha_bars(std::vector<double>{0.5, 0.0, 0.0});
      },
      fn, "alpha_bar_2 must be positive before the last step", "0");
  check_accepted([] { S::from_alpha_bars(std::vector<double>{0.5, 0.0}); });
}

TEMPLATE_TEST_CASE("from_alpha_bar_function needs f positive at 0, never negative, and decreasing",
                   "[schedule][errors]", float, double) {
  using S = diffuse::Schedule<TestType>;
  const std::string fn = "Schedule::from_alpha_bar_function";
  check_invalid([] { S::from_alpha_bar_function(4, [](double) { return -1.0; }); }, fn, "f(0) must be positive", "-1");
  check_invalid([] { S::from_alpha_bar_function(4, [](double u) { return u == 0 ? 0.0 : 1.0; }); }, fn,
                "f(0) must be positive", "0");
  check_invalid([] { S::from_alpha_bar_function(4, [](double u) { return u < 0.5 ? 1 - u : -0.25; }); }, fn,
                "f(2/T) must not be negative", "-0.25");
  check_invalid([] { S::from_alpha_bar_function(4, [](double u) { return std::fmax(0.0, 0.5 - u); }); }, fn,
                "f must stay positive before u = 1; f(2/T)", "0");
  // An increasing (or constant) f gives β ≤ 0.
  check_invalid([] { S::from_alpha_bar_function(4, [](double u) { return 1 + u; }); }, fn,
                "beta_1 must be in (0, 1), or 1 at the last step only", "-0.25");
  check_invalid([] { S::from_alpha_bar_function(4, [](double) { return 1.0; }); }, fn,
                "beta_1 must be in (0, 1), or 1 at the last step only", "0");
  // f reaching 0 exactly at u = 1 is the cosine shape: allowed.
  check_accepted([] { S::from_alpha_bar_function(4, [](double u) { return 1 - u; }); });
}

TEMPLATE_TEST_CASE("kept steps must be non-empty, strictly increasing and from 1 to T", "[schedule][errors]", float,
                   double) {
  using S = diffuse::Schedule<TestType>;
  const S s = S::linear(10);
  const std::string fn = "Schedule::respaced";
  check_invalid([&] { s.respaced({}); }, fn, "the kept steps must not be empty", "0");
  check_invalid([&] { s.respaced({3, 3}); }, fn, "kept steps must be strictly increasing; kept step 2", "3");
  check_invalid([&] { s.respaced({5, 3}); }, fn, "kept steps must be strictly increasing; kept step 2", "3");
  check_invalid([&] { s.respaced({0, 5}); }, fn, "kept step 1 must be in [1, 10]", "0");
  check_invalid([&] { s.respaced({5, 11}); }, fn, "kept step 2 must be in [1, 10]", "11");
  check_invalid([&] { s.respaced({-2}); }, fn, "kept step 1 must be in [1, 10]", "-2");
  check_accepted([&] { s.respaced({1, 10}); });
}

TEMPLATE_TEST_CASE("zero_terminal_snr needs T >= 2", "[schedule][errors]", float, double) {
  using S = diffuse::Schedule<TestType>;
  check_invalid([] { S::linear(1).zero_terminal_snr(); }, "Schedule::zero_terminal_snr",
                "the number of steps T must be at least 2", "1");
  check_accepted([] { S::linear(2).zero_terminal_snr(); });
}

TEMPLATE_TEST_CASE("every accessor rejects a t out of range with std::out_of_range", "[schedule][errors]", float,
                   double) {
  using T = TestType;
  using S = diffuse::Schedule<T>;
  const S s = S::linear(10);
  struct Step {
    const char* name;
    std::function<void(int)> call;
    int first;
  };
  const std::vector<Step> steps = {
      {"beta", [&](int t) { s.beta(t); }, 1},
      {"alpha", [&](int t) { s.alpha(t); }, 1},
      {"alpha_bar", [&](int t) { s.alpha_bar(t); }, 0},
      {"one_minus_alpha_bar", [&](int t) { s.one_minus_alpha_bar(t); }, 0},
      {"sqrt_alpha_bar", [&](int t) { s.sqrt_alpha_bar(t); }, 0},
      {"sqrt_one_minus_alpha_bar", [&](int t) { s.sqrt_one_minus_alpha_bar(t); }, 0},
      {"log_alpha_bar", [&](int t) { s.log_alpha_bar(t); }, 0},
      {"snr", [&](int t) { s.snr(t); }, 0},
      {"log_snr", [&](int t) { s.log_snr(t); }, 0},
      {"sigma", [&](int t) { s.sigma(t); }, 0},
      {"posterior_variance", [&](int t) { s.posterior_variance(t); }, 1},
      {"source_step", [&](int t) { s.source_step(t); }, 0},
  };
  for (const Step& step : steps) {
    const std::string fn = std::string("Schedule::") + step.name;
    const std::string rule = "t must be in [" + std::to_string(step.first) + ", 10]";
    check_error<std::out_of_range>([&] { step.call(step.first - 1); }, fn, rule, std::to_string(step.first - 1));
    check_error<std::out_of_range>([&] { step.call(11); }, fn, rule, "11");
    check_accepted([&] { step.call(step.first); });
    check_accepted([&] { step.call(10); });
  }
  // Pairs 0 <= s <= t <= T (the posterior: 0 <= s < t, 1 <= t <= T).
  struct Pair {
    const char* name;
    std::function<void(int, int)> call;
  };
  const std::vector<Pair> pairs = {
      {"alpha_bar_ratio", [&](int a, int b) { s.alpha_bar_ratio(a, b); }},
      {"sqrt_alpha_bar_ratio", [&](int a, int b) { s.sqrt_alpha_bar_ratio(a, b); }},
      {"one_minus_alpha_bar_ratio", [&](int a, int b) { s.one_minus_alpha_bar_ratio(a, b); }},
  };
  for (const Pair& pair : pairs) {
    const std::string fn = std::string("Schedule::") + pair.name;
    check_error<std::out_of_range>([&] { pair.call(0, 11); }, fn, "t must be in [0, 10]", "11");
    check_error<std::out_of_range>([&] { pair.call(0, -1); }, fn, "t must be in [0, 10]", "-1");
    check_error<std::out_of_range>([&] { pair.call(6, 5); }, fn, "s must be in [0, 5]", "6");
    check_error<std::out_of_range>([&] { pair.call(-1, 5); }, fn, "s must be in [0, 5]", "-1");
    check_accepted([&] { pair.call(5, 5); });
  }
  const std::string fn = "Schedule::posterior_coefficients";
  check_error<std::out_of_range>([&] { s.posterior_coefficients(0, 0); }, fn, "t must be in [1, 10]", "0");
  check_error<std::out_of_range>([&] { s.posterior_coefficients(0, 11); }, fn, "t must be in [1, 10]", "11");
  check_error<std::out_of_range>([&] { s.posterior_coefficients(5, 5); }, fn, "s must be in [0, 4]", "5");
  check_error<std::out_of_range>([&] { s.posterior_coefficients(-1, 5); }, fn, "s must be in [0, 4]", "-1");
  check_accepted([&] { s.posterior_coefficients(4, 5); });
}
