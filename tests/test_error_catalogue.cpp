// The rules of docs/errors.md that no other test file proves: each throws its documented type with
// the message "diffuse::<function>: <rule> (got <value>)".
#include <diffuse/noise.hpp>

#include <string>

#if __has_include(<nlohmann/json.hpp>)
#include <diffuse/io/scheduler_config.hpp>
#define DIFFUSE_TEST_HAS_CONFIG 1
#endif

#include "catch.hpp"
#include "kernels_support.hpp"

TEST_CASE("set_noise_path rejects a path this CPU does not run", "[errors][noise]") {
  using diffuse::detail::NoisePath;
  const NoisePath before = diffuse::detail::noise_path_in_use();
  for (NoisePath path : {NoisePath::portable, NoisePath::avx2, NoisePath::avx512}) {
    const std::string got = kernels_test::error_message<std::invalid_argument>([&] { diffuse::detail::set_noise_path(path); });
    if (diffuse::detail::cpu_runs(path)) {
      CHECK(got == "<no exception>");
    } else {  // only on a CPU without AVX2+FMA or AVX-512F (or a build without the SIMD paths)
      CHECK(got == "diffuse::detail::set_noise_path: this CPU does not run that code path (got " +
                       std::to_string(static_cast<int>(path)) + ")");
      CHECK(diffuse::detail::noise_path_in_use() == before);
    }
    diffuse::detail::set_noise_path(before);
  }
  CHECK(diffuse::detail::cpu_runs(NoisePath::portable));
}

#if defined(DIFFUSE_TEST_HAS_CONFIG)
TEST_CASE("the reader wants strings for timestep_spacing and prediction_type", "[errors][config]") {
  using diffuse::io::parse_scheduler_config;
  CHECK(kernels_test::error_message<std::invalid_argument>([] { parse_scheduler_config(R"({"timestep_spacing": 5})"); }) ==
        "diffuse::io::parse_scheduler_config: \"timestep_spacing\" must be a string (got 5)");
  CHECK(kernels_test::error_message<std::invalid_argument>([] { parse_scheduler_config(R"({"prediction_type": true})"); }) ==
        "diffuse::io::parse_scheduler_config: \"prediction_type\" must be a string (got true)");
}
#endif
