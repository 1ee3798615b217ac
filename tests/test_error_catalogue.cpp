// The rules of docs/errors.md that no other test file proves: each throws its documented type with
// the message "diffuse::<function>: <rule> (got <value>)".
#include <diffuse/noise.hpp>
#include <diffuse/spacing.hpp>

#include <string>

#if __has_include(<nlohmann/json.hpp>)
#include <diffuse/io/scheduler_config.hpp>
#define DIFFUSE_TEST_HAS_CONFIG 1
#endif

#include "catch.hpp"
#include "kernels_support.hpp"

TEST_CASE("set_simd_path rejects a path this CPU does not run", "[errors][noise]") {
  using diffuse::detail::SimdPath;
  const SimdPath before = diffuse::detail::simd_path_in_use();
  for (SimdPath path : {SimdPath::portable, SimdPath::avx2, SimdPath::avx512}) {
    const std::string got = kernels_test::error_message<std::invalid_argument>([&] { diffuse::detail::set_simd_path(path); });
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

TEST_CASE("a string in a message is quoted with its quotes, backslashes and control bytes escaped", "[errors]") {
  // Unescaped, the NUL byte would end what() and hide the rest of the message.
  const std::string spec("ddim\0\"\\\x7f\t\n", 10);
  CHECK(kernels_test::error_message<std::invalid_argument>([&] { diffuse::space_timesteps(1000, spec); }) ==
        R"msg(diffuse::space_timesteps: the count after "ddim" must be a non-negative decimal integer in )msg"
        R"msg("ddim\u0000\"\\\u007f\t\n" (got "\u0000\"\\\u007f\t\n"))msg");
}

#if defined(DIFFUSE_TEST_HAS_CONFIG)
TEST_CASE("the reader quotes an unknown key with its control bytes escaped", "[errors][config]") {
  CHECK(kernels_test::error_message<std::invalid_argument>([] {
          diffuse::io::parse_scheduler_config(R"({"_class_name": "DDIMScheduler", "a\u0000b": 1})",
                                              diffuse::io::ConfigPolicy::strict);
        }) == R"msg(diffuse::io::parse_scheduler_config: unknown key "a\u0000b" (got 1) [strict])msg");
}

TEST_CASE("the reader wants strings for timestep_spacing and prediction_type", "[errors][config]") {
  using diffuse::io::parse_scheduler_config;
  CHECK(kernels_test::error_message<std::invalid_argument>([] { parse_scheduler_config(R"({"timestep_spacing": 5})"); }) ==
        "diffuse::io::parse_scheduler_config: \"timestep_spacing\" must be a string (got 5)");
  CHECK(kernels_test::error_message<std::invalid_argument>([] { parse_scheduler_config(R"({"prediction_type": true})"); }) ==
        "diffuse::io::parse_scheduler_config: \"prediction_type\" must be a string (got true)");
}
#endif
