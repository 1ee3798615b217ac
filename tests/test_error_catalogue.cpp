// The rules of docs/errors.md that no other test file proves: each throws its documented type with
// the message "diffuse::<function>: <rule> (got <value>)".
#include <diffuse/detail/checks.hpp>
#include <diffuse/noise.hpp>
#include <diffuse/spacing.hpp>

#include <limits>
#include <string>

#if __has_include(<nlohmann/json.hpp>)
#include <diffuse/io/scheduler_config.hpp>
#define DIFFUSE_TEST_HAS_CONFIG 1
#endif

#include "catch.hpp"
#include "support/messages.hpp"

TEST_CASE("set_simd_path rejects a path this CPU does not run", "[errors][noise]") {
  using diffuse::detail::SimdPath;
  const SimdPath before = diffuse::detail::simd_path_in_use();
  for (SimdPath path : diffuse::detail::all_simd_paths) {
    const std::string got =
        test_support::error_message<std::invalid_argument>([&] { diffuse::detail::set_simd_path(path); });
    if (diffuse::detail::cpu_runs(path)) {
      CHECK(got == "<no exception>");
    } else {  // only on a CPU without AVX2+FMA or AVX-512F (or a build without the SIMD paths)
      CHECK(got == "diffuse::detail::set_simd_path: this CPU does not run that code path (got " +
                       std::to_string(static_cast<int>(path)) + ")");
      CHECK(diffuse::detail::simd_path_in_use() == before);
    }
    diffuse::detail::set_simd_path(before);
  }
  CHECK(diffuse::detail::cpu_runs(SimdPath::portable));
}

// The rules of detail/checks.hpp, each written once and used by many functions: NaN and the
// infinities their rules exclude are rejected from the bits (detail::is_nan, detail::is_finite), so
// also in the -ffast-math builds of CI, where std::isnan and std::isfinite may be folded to false
// and true.
TEMPLATE_TEST_CASE("the checks of detail/checks.hpp reject NaN and the infinities their rules exclude",
                   "[errors][checks]", float, double, long double) {
  namespace d = diffuse::detail;
  using T = TestType;
  using test_support::error_message;
  const T nan = std::numeric_limits<T>::quiet_NaN(), inf = std::numeric_limits<T>::infinity();
  const T one = 1, zero = 0;
  for (const T x : {nan, inf, -inf}) {
    const std::string got = " (got " + d::to_message_value(x) + ")";
    CHECK(error_message<std::invalid_argument>([&] { d::check_finite("f", "x", x); }) ==
          "diffuse::f: x must be finite" + got);
    CHECK(error_message<std::invalid_argument>([&] { d::check_finite_positive("f", "x", x); }) ==
          "diffuse::f: x must be finite and > 0" + got);
    CHECK(error_message<std::out_of_range>([&] { d::check_finite_non_negative<std::out_of_range>("f", "x", x); }) ==
          "diffuse::f: x must be finite and >= 0" + got);
    CHECK(error_message<std::invalid_argument>([&] { d::check_finite_above("f", "x", x, "y", zero); }) ==
          "diffuse::f: x must be finite and greater than y" + got);
    CHECK(error_message<std::invalid_argument>([&] { d::check_finite_at_least("f", "x", x, "y", zero); }) ==
          "diffuse::f: x must be finite and >= y" + got);
    CHECK(error_message<std::out_of_range>([&] { d::check_in_closed_unit_interval<std::out_of_range>("f", "x", x); }) ==
          "diffuse::f: x must be in [0, 1]" + got);
    CHECK(error_message<std::invalid_argument>([&] { d::check_in_half_open_unit_interval("f", "x", x); }) ==
          "diffuse::f: x must be in (0, 1]" + got);
    CHECK(error_message<std::invalid_argument>([&] { d::check_in_open_unit_interval("f", "x", x); }) ==
          "diffuse::f: x must be in (0, 1)" + got);
  }
  // NaN is rejected where ±∞ may be allowed.
  CHECK(error_message<std::invalid_argument>([&] { d::check_above("f", "x", nan, "y", zero); }) ==
        "diffuse::f: x must be greater than y (got nan)");
  CHECK(error_message<std::invalid_argument>([&] { d::check_below("f", "x", nan, "y", one); }) ==
        "diffuse::f: x must be less than y = 1 (got nan)");
  CHECK(error_message<std::invalid_argument>([&] { d::check_positive("f", "x", nan); }) ==
        "diffuse::f: x must be > 0 (got nan)");
  CHECK(error_message<std::invalid_argument>([&] { d::check_non_negative("f", "x", nan); }) ==
        "diffuse::f: x must be >= 0 (got nan)");
  CHECK(error_message<std::invalid_argument>([&] { d::check_above("f", "x", inf, "y", zero); }) == "<no exception>");
  CHECK(error_message<std::invalid_argument>([&] { d::check_positive("f", "x", inf); }) == "<no exception>");
  CHECK(error_message<std::invalid_argument>([&] { d::check_non_negative("f", "x", inf); }) == "<no exception>");
  // The ends of each rule.
  CHECK(error_message<std::invalid_argument>([&] { d::check_finite_positive("f", "x", zero); }) ==
        "diffuse::f: x must be finite and > 0 (got 0)");
  CHECK(error_message<std::invalid_argument>([&] { d::check_finite_non_negative("f", "x", zero); }) ==
        "<no exception>");
  CHECK(error_message<std::invalid_argument>([&] { d::check_finite_above("f", "x", one, "y", one); }) ==
        "diffuse::f: x must be finite and greater than y (got 1)");
  CHECK(error_message<std::invalid_argument>([&] { d::check_finite_at_least("f", "x", one, "y", one); }) ==
        "<no exception>");
  CHECK(error_message<std::invalid_argument>([&] { d::check_below("f", "x", one, "y", one); }) ==
        "diffuse::f: x must be less than y = 1 (got 1)");
  CHECK(error_message<std::invalid_argument>([&] { d::check_in_closed_unit_interval("f", "x", zero); }) ==
        "<no exception>");
  CHECK(error_message<std::invalid_argument>([&] { d::check_in_closed_unit_interval("f", "x", one); }) ==
        "<no exception>");
  CHECK(error_message<std::invalid_argument>([&] { d::check_in_half_open_unit_interval("f", "x", one); }) ==
        "<no exception>");
  CHECK(error_message<std::invalid_argument>([&] { d::check_in_half_open_unit_interval("f", "x", zero); }) ==
        "diffuse::f: x must be in (0, 1] (got 0)");
  CHECK(error_message<std::invalid_argument>([&] { d::check_in_open_unit_interval("f", "x", one); }) ==
        "diffuse::f: x must be in (0, 1) (got 1)");
}

TEST_CASE("the integer checks of detail/checks.hpp compare any integer type without overflow", "[errors][checks]") {
  namespace d = diffuse::detail;
  using test_support::error_message;
  const unsigned long long huge = std::numeric_limits<unsigned long long>::max();
  CHECK(error_message<std::out_of_range>([&] { d::check_step("f", "t", huge, 0, 10); }) ==
        "diffuse::f: t must be in [0, 10] (got 18446744073709551615)");
  CHECK(error_message<std::out_of_range>([&] { d::check_step("f", "t", 0u, 0, -1); }) ==
        "diffuse::f: t must be in [0, -1] (got 0)");
  CHECK(error_message<std::out_of_range>([&] { d::check_step("f", "t", -1, 0, 10); }) ==
        "diffuse::f: t must be in [0, 10] (got -1)");
  CHECK(error_message<std::out_of_range>([&] { d::check_step("f", "t", 10u, 0, 10); }) == "<no exception>");
  CHECK(error_message<std::invalid_argument>([&] { d::check_at_least("f", "n", 0u, 1); }) ==
        "diffuse::f: n must be at least 1 (got 0)");
  CHECK(error_message<std::invalid_argument>([&] { d::check_steps("f", 1, 2); }) ==
        "diffuse::f: the number of steps T must be at least 2 (got 1)");
}

TEST_CASE("a name given as a callable is made only when its rule is broken", "[errors][checks]") {
  namespace d = diffuse::detail;
  int made = 0;
  const auto name = [&made] {
    ++made;
    return std::string("times(3)");
  };
  d::check_in_closed_unit_interval("f", name, 0.5);
  d::check_step("f", name, 2, 0, 3);
  CHECK(made == 0);
  CHECK(test_support::error_message<std::invalid_argument>([&] { d::check_in_closed_unit_interval("f", name, 2.0); }) ==
        "diffuse::f: times(3) must be in [0, 1] (got 2)");
  CHECK(made == 1);
}

TEST_CASE("a string in a message is quoted with its quotes, backslashes and control bytes escaped", "[errors]") {
  // Unescaped, the NUL byte would end what() and hide the rest of the message.
  const std::string spec("ddim\0\"\\\x7f\t\n", 10);
  CHECK(test_support::error_message<std::invalid_argument>([&] { diffuse::space_timesteps(1000, spec); }) ==
        R"msg(diffuse::space_timesteps: the count after "ddim" must be a non-negative decimal integer in )msg"
        R"msg("ddim\u0000\"\\\u007f\t\n" (got "\u0000\"\\\u007f\t\n"))msg");
}

#if defined(DIFFUSE_TEST_HAS_CONFIG)
TEST_CASE("the reader quotes an unknown key with its control bytes escaped", "[errors][config]") {
  CHECK(test_support::error_message<std::invalid_argument>([] {
          diffuse::io::parse_scheduler_config(R"({"_class_name": "DDIMScheduler", "a\u0000b": 1})",
                                              diffuse::io::ConfigPolicy::strict);
        }) == R"msg(diffuse::io::parse_scheduler_config: unknown key "a\u0000b" (got 1) [strict])msg");
}

TEST_CASE("the reader wants strings for timestep_spacing and prediction_type", "[errors][config]") {
  using diffuse::io::parse_scheduler_config;
  CHECK(test_support::error_message<std::invalid_argument>([] {
          parse_scheduler_config(R"({"timestep_spacing": 5})");
        }) == "diffuse::io::parse_scheduler_config: \"timestep_spacing\" must be a string (got 5)");
  CHECK(test_support::error_message<std::invalid_argument>([] {
          parse_scheduler_config(R"({"prediction_type": true})");
        }) == "diffuse::io::parse_scheduler_config: \"prediction_type\" must be a string (got true)");
}
#endif
