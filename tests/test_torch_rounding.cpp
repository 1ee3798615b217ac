// torch_rounding.hpp: values as a bfloat16 PyTorch pipeline holds them, against known answers
// derived by hand and an independent bit-level model of torch's two roundings.
#include <diffuse/model_presets.hpp>
#include <diffuse/strength.hpp>
#include <diffuse/torch_rounding.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <variant>

#include <Eigen/Core>

#include "catch.hpp"
#include "support/messages.hpp"

namespace {

using test_support::throws_with;

/// float32 → bfloat16 → float32 on the bits: add 0x7FFF plus the lowest kept bit, drop 16 bits
/// (round to nearest, ties to even; the inputs here are finite and below the overflow threshold).
float bfloat16_by_bits(float x) {
  std::uint32_t bits = 0;
  std::memcpy(&bits, &x, sizeof bits);
  bits = (bits + 0x7FFFu + ((bits >> 16) & 1u)) & 0xFFFF0000u;
  float out = 0;
  std::memcpy(&out, &bits, sizeof out);
  return out;
}

}  // namespace

TEST_CASE("torch_bfloat16 rounds to float32 and then to bfloat16, ties to even", "[torch_rounding][ieee]") {
  using diffuse::torch_bfloat16;
  CHECK(torch_bfloat16(750.0) == 752.0f);   // diffusers #9405: spacing 4 on [512, 1024), 187.5 → 188
  CHECK(torch_bfloat16(998.0) == 1000.0f);  // 249.5 → 250 (even)
  CHECK(torch_bfloat16(994.0) == 992.0f);   // 248.5 → 248 (even)
  CHECK(torch_bfloat16(999.0) == 1000.0f);
  CHECK(torch_bfloat16(1000.0) == 1000.0f);
  CHECK(torch_bfloat16(0.5) == 0.5f);
  CHECK(torch_bfloat16(0.0) == 0.0f);
  CHECK(std::signbit(torch_bfloat16(-0.0)));
  // Two roundings, not one: 1 + 2⁻⁸ + 2⁻³⁰ is 1 + 2⁻⁸ in float32, a tie that goes to even (1);
  // straight to bfloat16 it would be 1 + 2⁻⁷.
  CHECK(torch_bfloat16(1 + std::ldexp(1.0, -8) + std::ldexp(1.0, -30)) == 1.0f);
  CHECK(torch_bfloat16(1 + std::ldexp(1.0, -8) + std::ldexp(1.0, -20)) == 1 + std::ldexp(1.0f, -7));
  // The largest bfloat16, and the overflow threshold, moved down by the first rounding: (2 − 2⁻⁸)·2¹²⁷
  // is a float32 and a bfloat16 tie that goes to ∞, so every double from the float32 midpoint below
  // it, (2 − 2⁻⁸ − 2⁻²⁴)·2¹²⁷, overflows; the double just under that midpoint does not.
  const double largest = std::ldexp(2 - std::ldexp(1.0, -7), 127);
  CHECK(torch_bfloat16(largest) == static_cast<float>(largest));
  const double midpoint = std::ldexp(2 - std::ldexp(1.0, -8) - std::ldexp(1.0, -24), 127);
  CHECK(torch_bfloat16(std::nextafter(midpoint, 0.0)) == static_cast<float>(largest));
}

TEST_CASE("torch_bfloat16 equals the bit-level model of torch's roundings on every float32 grid",
          "[torch_rounding][ieee]") {
  // Every integer timestep 0..1000, every σ = i/1000, and doubles spread over 2⁻¹²⁰ .. 2¹²⁰.
  int checked = 0;
  for (int i = 0; i <= 1000; ++i) {
    for (double x : {double(i), i / 1000.0, -i / 7.0}) {
      CHECK(diffuse::torch_bfloat16(x) == bfloat16_by_bits(static_cast<float>(x)));
      ++checked;
    }
  }
  std::uint64_t state = 0x9E3779B97F4A7C15u;
  for (int i = 0; i < 200000; ++i) {
    state = state * 6364136223846793005u + 1442695040888963407u;
    const double x = std::ldexp(1 + static_cast<double>(state >> 11) * 0x1p-53, static_cast<int>(state % 241) - 120);
    if (diffuse::torch_bfloat16(x) != bfloat16_by_bits(static_cast<float>(x))) {
      FAIL_CHECK("x = " << x);
    }
    ++checked;
  }
  CHECK(checked == 3 * 1001 + 200000);
}

TEST_CASE("torch_bfloat16_collisions counts the neighbouring levels bfloat16 merges", "[torch_rounding]") {
  const Eigen::VectorXd levels = (Eigen::VectorXd(6) << 1000, 999, 998, 996, 996, 750).finished();
  // 1000, 1000, 1000, 996, 996, 752: 999 and 998 merge with 1000; the repeated 996 was equal before.
  CHECK(diffuse::torch_bfloat16_collisions(levels) == 2);
  const Eigen::VectorXf rounded = diffuse::torch_bfloat16(levels);
  CHECK(rounded == (Eigen::VectorXf(6) << 1000, 1000, 1000, 996, 996, 752).finished());
  // SD3 (shift 3, timestep 1000σ) at 1000 "simple" steps, every table entry: near σ = 1 neighbouring
  // timesteps are 1000·(1/3)/1000 apart, bfloat16's spacing there is 4, so most of them merge. The
  // count equals the bit-level model's on the same timesteps.
  const auto sd3 = diffuse::make_model_sampling<double>(diffuse::model_preset("sd3"));
  const Eigen::VectorXd timesteps =
      std::visit([](const auto& ms) { return diffuse::comfyui_denoise_steps(ms, "simple", 1000, 1.0).timesteps; }, sd3);
  int by_bits = 0;
  for (Eigen::Index i = 1; i < timesteps.size(); ++i) {
    by_bits += timesteps(i) != timesteps(i - 1) && bfloat16_by_bits(static_cast<float>(timesteps(i))) ==
                                                       bfloat16_by_bits(static_cast<float>(timesteps(i - 1)));
  }
  CHECK(by_bits > 500);
  CHECK(diffuse::torch_bfloat16_collisions(timesteps) == by_bits);
  CHECK(diffuse::torch_bfloat16_collisions(Eigen::VectorXd::LinSpaced(257, 0, 256)) == 0);  // integers ≤ 256 are exact
}

TEST_CASE("torch_bfloat16 refuses values without a finite bfloat16", "[torch_rounding]") {
  const auto ia = [](auto f, const char* fragment) { return throws_with<std::invalid_argument>(f, {fragment}); };
  CHECK(ia([] { diffuse::torch_bfloat16(std::numeric_limits<double>::quiet_NaN()); },
           "diffuse::torch_bfloat16: the value must round to a finite bfloat16 (got nan)"));
  CHECK(ia([] { diffuse::torch_bfloat16(-std::numeric_limits<double>::infinity()); }, "(got -inf)"));
  CHECK(ia([] { diffuse::torch_bfloat16(std::ldexp(2 - std::ldexp(1.0, -8) - std::ldexp(1.0, -24), 127)); },
           "the value must round to a finite bfloat16 (got 3.396177427818412e+38)"));
  const Eigen::VectorXd bad = (Eigen::VectorXd(3) << 1, 1e39, 2).finished();
  CHECK(ia([&] { diffuse::torch_bfloat16_collisions(bad); }, "(got 1e+39)"));
}
