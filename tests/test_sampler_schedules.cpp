// The sampler σ-schedules (sampler_schedules.hpp) against the golden sequences of
// gen_sampler_schedules_reference.py (ComfyUI's definitions, mpmath) for N ∈ {1, 2, 4, 10, 20, 28, 50}
// on SD 1.5 (= SDXL), SD3 (flow, shift 3), Flux (μ 1.15), EDM, continuous V, AuraFlow and discrete
// EDM; their lengths and final zeros; every argument rule.
#include <diffuse/sampler_schedules.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include <Eigen/Core>

#include "catch.hpp"
#include "support/continuous_reference.hpp"
#include "support/messages.hpp"
#include "support/model_sampling_reference.hpp"
#include "support/references.hpp"
#include "support/ulps.hpp"

namespace {

using model_sampling_reference::file;
using model_sampling_reference::judge;
using model_sampling_reference::with_family;
using test_support::throws_with;

template <class T>
using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;

}  // namespace

TEMPLATE_TEST_CASE("every schedule on every model sampling matches its golden sequence within the contract",
                   "[sampler_schedules]", float, double, long double) {
  using T = TestType;
  if (!continuous_reference::contract_tested<T>()) return;
  int sequences = 0;
  for (const auto& r : model_sampling_reference::sequences(file, "schedule")) {
    const std::string &family = r.family, &name = r.name;
    const int n = std::stoi(r.steps);
    REQUIRE(r.separator == ":");
    with_family<T>(family, [&](const auto& ms) {
      const Vector<T> sigmas = diffuse::sampler_sigmas(ms, name, n);
      INFO(family << " " << name << " N = " << n);
      REQUIRE(static_cast<std::size_t>(sigmas.size()) == r.sigmas.size());
      for (Eigen::Index i = 0; i < sigmas.size(); ++i) {
        const std::string& expected = r.sigmas[static_cast<std::size_t>(i)];
        INFO("i = " << i << ": got " << test_support::digits(sigmas(i)) << ", expected " << expected);
        CHECK(judge(sigmas(i), expected).ok());
      }
      ++sequences;
    });
  }
  // ComfyUI's names on 7 families; sd.cpp's, SD-Turbo; beta at N = 400 (repeated indices dropped)
  CHECK(sequences == 7 * 10 * 7 + (5 * 2 + 7 * 2 + 1) * 7 + 1);
}

TEMPLATE_TEST_CASE("lengths, final zeros and N = 1 are each tool's", "[sampler_schedules]", float, double) {
  using T = TestType;
  const diffuse::DiscreteVpSampling<T> sd15(diffuse::Schedule<T>::scaled_linear(1000));
  for (const std::string& name : diffuse::sampler_schedule_names()) {
    INFO(name);
    const Vector<T> one = diffuse::sampler_sigmas(sd15, name, 1);
    if (name == "laplace") {
      REQUIRE(one.size() == 1);           // no final zero
      CHECK(one(0) == sd15.sigma_max());  // e^{−½ log 10⁻⁵} = 316 is clamped
    } else if (name == "bong_tangent") {
      REQUIRE(one.size() == 2);  // its first stage is one value, dropped: the middle, then 0
      CHECK_THAT(static_cast<double>(one(0)),
                 Catch::Matchers::WithinRel(0.5 * static_cast<double>(sd15.sigma_min() + sd15.sigma_max()), 1e-6));
      CHECK(one(1) == 0);
    } else if (name == "logit_normal") {
      REQUIRE(one.size() == 2);  // sigmoid(λ_max/2) = sigmoid(9), a flow σ whatever the model
      CHECK_THAT(static_cast<double>(one(0)), Catch::Matchers::WithinRel(1 / (1 + std::exp(-9.0)), 1e-6));
      CHECK(one(1) == 0);
    } else if (name == "ddim_uniform") {
      REQUIRE(one.size() == 2);
      CHECK(one(0) == sd15.table_sigma(1));  // starts at index 1 (our step 2), not at σ_max
      CHECK(one(1) == 0);
    } else {
      REQUIRE(one.size() == 2);
      CHECK(one(0) == sd15.sigma_max());  // kl_optimal: ComfyUI gives NaN here (0/0)
      CHECK(one(1) == 0);
    }
    const Vector<T> ten = diffuse::sampler_sigmas(sd15, name, 10);
    CHECK(ten.size() == (name == "laplace" ? 10 : 11));
    for (Eigen::Index i = 1; i < ten.size(); ++i) CHECK(ten(i) <= ten(i - 1));
  }
  // ddim_uniform's stride ⌊1000/7⌋ = 142 keeps 8 table entries: 9 values for N = 7.
  const Vector<T> ddim = diffuse::ddim_uniform_sigmas(sd15, 7);
  REQUIRE(ddim.size() == 9);
  CHECK(ddim(0) == sd15.table_sigma(995));
  CHECK(ddim(7) == sd15.table_sigma(1));
  // simple picks table entries: index L − 1 − ⌊iL/N⌋.
  const Vector<T> simple = diffuse::simple_sigmas(sd15, 3);
  CHECK(simple(1) == sd15.table_sigma(1000 - 1 - 333));
  CHECK(simple(2) == sd15.table_sigma(1000 - 1 - 666));
  // linear_quadratic ends on σ_max·(1 − 1) = 0 after the quadratic part.
  const diffuse::FlowSampling<T> sd3(3);
  const Vector<T> lq = diffuse::linear_quadratic_sigmas(sd3, 4);
  CHECK(lq(0) == 1);
  CHECK(lq(1) == T(0.9875));  // 1 − τ/L with τ = 0.025, L = 2: exactly 0.9875 rounded
  CHECK(lq(4) == 0);
}

TEMPLATE_TEST_CASE("Align Your Steps and OptimalSteps and GITS match their golden sequences within the contract",
                   "[sampler_schedules]", float, double, long double) {
  using T = TestType;
  if (!continuous_reference::contract_tested<T>()) return;
  int sequences = 0;
  for (const auto& r : model_sampling_reference::sequences(file, "tabled")) {
    const std::string &kind = r.family, &table = r.name;
    const int n = std::stoi(r.steps);
    REQUIRE(r.separator == ":");
    const Vector<T> sigmas = kind == "ays"   ? diffuse::align_your_steps_sigmas<T>(table, n)
                             : kind == "oss" ? diffuse::optimal_steps_sigmas<T>(table, n)
                                             : diffuse::gits_sigmas<T>(std::stod(table), n);
    INFO(kind << " " << table << " N = " << n);
    REQUIRE(static_cast<std::size_t>(sigmas.size()) == r.sigmas.size());
    for (Eigen::Index i = 0; i < sigmas.size(); ++i) {
      const std::string& expected = r.sigmas[static_cast<std::size_t>(i)];
      INFO("i = " << i << ": got " << test_support::digits(sigmas(i)) << ", expected " << expected);
      CHECK(judge(sigmas(i), expected).ok());
    }
    CHECK(sigmas(n) == 0);  // the tools set the last level to 0
    ++sequences;
  }
  CHECK(sequences == 2 * 3 * 7 + 15 * 6);
}

TEST_CASE("the tabled schedules keep the published levels where N + 1 is the table length", "[sampler_schedules]") {
  // ComfyUI comfy_extras/nodes_align_your_steps.py "SD1" and nodes_gits.py coefficient 1.20, 10 steps,
  // as printed there.
  const Eigen::VectorXd ays = diffuse::align_your_steps_sigmas<double>("SD1", 10);
  CHECK(ays(0) == 14.6146412293);
  CHECK(ays(5) == 1.3943805092);
  CHECK(ays(9) == 0.1515232662);
  const Eigen::VectorXd gits = diffuse::gits_sigmas<double>(1.20, 10);
  CHECK(gits(1) == 5.85520077);
  CHECK(gits(9) == 0.09824532);
  CHECK(diffuse::gits_sigmas<double>(1.2049, 10) == gits);  // round(coeff, 2)
  CHECK(diffuse::optimal_steps_sigmas<double>("Wan", 20)(19) == 0.208);
}

TEST_CASE(
    "SD-Turbo's denoise picks the tail of its grid, and logit-normal's resolution shift moves mu by half log(L/1024)",
    "[sampler_schedules]") {
  const diffuse::DiscreteVpSampling<double> sd15(diffuse::Schedule<double>::scaled_linear(1000));
  const Eigen::VectorXd half = diffuse::sd_turbo_sigmas(sd15, 10, 0.5);  // start at 10 − 5: 499, 399, …, 99
  REQUIRE(half.size() == 6);
  CHECK(half(0) == sd15.table_sigma(499));
  CHECK(half(4) == sd15.table_sigma(99));
  CHECK(diffuse::sd_turbo_sigmas(sd15, 2, 0.3)(0) == sd15.table_sigma(299));  // int(10·0.3) = 3
  CHECK(diffuse::sd_turbo_sigmas(sd15, 3, 0).size() == 1);
  // μ + ½ log(4096/1024) = log 2 at the middle step (Φ⁻¹(½) = 0): sigmoid(log 2) = 2/3.
  CHECK_THAT(diffuse::logit_normal_sigmas<double>(2, 0, 1.75, -15, 18, 4096)(1),
             Catch::Matchers::WithinULP(2.0 / 3.0, 1));
}

TEST_CASE("every argument rule of the sampler schedules throws with the function, the rule and the value",
          "[sampler_schedules]") {
  const diffuse::FlowSampling<double> sd3(3);
  CHECK(throws_with<std::invalid_argument>(
      [&] { diffuse::sampler_sigmas(sd3, "beta ", 10); },
      {"diffuse::sampler_sigmas: unknown schedule; known: simple, sgm_uniform, karras, exponential, "
       "ddim_uniform, normal, linear_quadratic, kl_optimal, laplace, beta, smoothstep, lcm, bong_tangent, logit_normal, "
       "sd_turbo",
       "(got \"beta \")"}));
  for (const std::string& name : diffuse::sampler_schedule_names()) {
    INFO(name);
    CHECK(throws_with<std::invalid_argument>([&] { diffuse::sampler_sigmas(sd3, name, 0); },
                                             {"_sigmas: the number of noise levels N must be at least 1", "(got 0)"}));
  }
  CHECK(throws_with<std::invalid_argument>(
      [] { diffuse::simple_sigmas(diffuse::FlowSampling<float>(3), -1); },
      {"diffuse::simple_sigmas: the number of noise levels N must be at least 1", "(got -1)"}));
  CHECK(throws_with<std::invalid_argument>(
      [] { diffuse::laplace_sigmas<double>(4, 1, 1); },
      {"diffuse::laplace_sigmas: sigma_max must be finite and greater than sigma_min", "(got 1)"}));
  CHECK(throws_with<std::invalid_argument>([] { diffuse::laplace_sigmas<double>(4, 0, 1); },
                                           {"diffuse::laplace_sigmas: sigma_min must be finite and > 0", "(got 0)"}));
  CHECK(throws_with<std::invalid_argument>(
      [] { diffuse::laplace_sigmas<double>(4, 0.1, 10, std::numeric_limits<double>::infinity()); },
      {"diffuse::laplace_sigmas: mu must be finite", "(got inf)"}));
  CHECK(throws_with<std::invalid_argument>([] { diffuse::laplace_sigmas<double>(4, 0.1, 10, 0, 0); },
                                           {"diffuse::laplace_sigmas: beta must be finite and > 0", "(got 0)"}));
  CHECK(throws_with<std::invalid_argument>([&] { diffuse::beta_sigmas(sd3, 4, 0); },
                                           {"diffuse::beta_sigmas: alpha must be finite and > 0", "(got 0)"}));
  CHECK(throws_with<std::invalid_argument>(
      [&] { diffuse::beta_sigmas(sd3, 4, 0.6, std::numeric_limits<double>::quiet_NaN()); },
      {"diffuse::beta_sigmas: beta must be finite and > 0", "(got nan)"}));
  CHECK(throws_with<std::invalid_argument>(
      [] { diffuse::align_your_steps_sigmas<double>("Flux", 10); },
      {"diffuse::align_your_steps_sigmas: no table for this model type; known: SD1, SDXL, SVD", "(got \"Flux\")"}));
  CHECK(throws_with<std::invalid_argument>(
      [] { diffuse::optimal_steps_sigmas<double>("SD1", 10); },
      {"diffuse::optimal_steps_sigmas: no table for this model type; known: FLUX, Wan, Chroma", "(got \"SD1\")"}));
  CHECK(throws_with<std::invalid_argument>(
      [] { diffuse::align_your_steps_sigmas<double>("SD1", 0); },
      {"diffuse::align_your_steps_sigmas: the number of noise levels N must be at least 1", "(got 0)"}));
  CHECK(throws_with<std::invalid_argument>(
      [] { diffuse::optimal_steps_sigmas<double>("FLUX", -2); },
      {"diffuse::optimal_steps_sigmas: the number of noise levels N must be at least 1", "(got -2)"}));
  CHECK(throws_with<std::invalid_argument>(
      [] { diffuse::gits_sigmas<double>(1.2, 1); },
      {"diffuse::gits_sigmas: the number of steps N must be at least 2", "(got 1)"}));
  CHECK(throws_with<std::invalid_argument>(
      [] { diffuse::gits_sigmas<double>(1.21, 10); },
      {"diffuse::gits_sigmas: coeff rounded to 2 decimals must be one of 0.80, 0.85, ..., 1.50", "(got 1.21)"}));
  CHECK(throws_with<std::invalid_argument>([] { diffuse::gits_sigmas<double>(1.55, 10); },
                                           {"must be one of 0.80", "(got 1.55)"}));
  CHECK(throws_with<std::invalid_argument>(
      [] { diffuse::gits_sigmas<double>(std::numeric_limits<double>::quiet_NaN(), 10); },
      {"must be one of 0.80", "(got nan)"}));
  CHECK(throws_with<std::invalid_argument>([] { diffuse::logit_normal_sigmas<double>(4, std::nan("")); },
                                           {"diffuse::logit_normal_sigmas: mean must be finite", "(got nan)"}));
  CHECK(throws_with<std::invalid_argument>([] { diffuse::logit_normal_sigmas<double>(4, 0, -1); },
                                           {"diffuse::logit_normal_sigmas: std must be finite and >= 0", "(got -1)"}));
  CHECK(throws_with<std::invalid_argument>(
      [] { diffuse::logit_normal_sigmas<double>(4, 0, 1, -std::numeric_limits<double>::infinity()); },
      {"diffuse::logit_normal_sigmas: logsnr_min must be finite", "(got -inf)"}));
  CHECK(throws_with<std::invalid_argument>(
      [] { diffuse::logit_normal_sigmas<double>(4, 0, 1, 5, 5); },
      {"diffuse::logit_normal_sigmas: logsnr_max must be finite and greater than logsnr_min", "(got 5)"}));
  CHECK(throws_with<std::invalid_argument>(
      [] { diffuse::logit_normal_sigmas<double>(4, 0, 1, -15, 18, -1); },
      {"diffuse::logit_normal_sigmas: image_seq_len must be at least 0", "(got -1)"}));
  const diffuse::DiscreteVpSampling<double> sd15(diffuse::Schedule<double>::scaled_linear(1000));
  CHECK(throws_with<std::invalid_argument>([&] { diffuse::sd_turbo_sigmas(sd15, 1, 1.5); },
                                           {"diffuse::sd_turbo_sigmas: denoise must be in [0, 1]", "(got 1.5)"}));
  CHECK(throws_with<std::out_of_range>(
      [&] { diffuse::sampler_sigmas(diffuse::FlowSampling<double>(1.73, 1), "sd_turbo", 2); },
      {"diffuse::FlowSampling::sigma: timestep / multiplier must be in [0, 1]", "(got 999)"}));
  CHECK(throws_with<std::invalid_argument>(
      [] { diffuse::kl_optimal_sigmas<double>(4, 10, 1); },
      {"diffuse::kl_optimal_sigmas: sigma_max must be finite and greater than sigma_min", "(got 1)"}));
}

TEST_CASE("the real ComfyUI functions, run with torch in float32, agree with the exact values to a few float ulps",
          "[sampler_schedules]") {
  // tests/reference/comfyui_spot_checks.txt: printed by comfyui_spot_check.py, which runs ComfyUI's own
  // definitions (a125cd84) with torch 1.13 on the CPU. ComfyUI computes in float32; EDM's σ table is
  // exp(float32 linspace of log σ), so its σ_max is 119.99968, not 120 (2.7e-6 relative, ~45 float ulps):
  // the EDM schedules that start from it inherit that difference (measured: 42 ulps). Elsewhere the
  // largest is karras (a float32 ramp raised to ρ = 7: 12 ulps) and kl_optimal's tan(atan σ_max) (9).
  const auto ulps = [](float a, float b) { return test_support::ulp_distance(a, b); };
  double worst_vp_flow = 0, worst_edm = 0;
  const char* const spot_checks = "comfyui_spot_checks.txt";
  for (const auto& r : model_sampling_reference::sequences(spot_checks, "comfy_schedule")) {
    const std::string &family = r.family, &name = r.name;
    const int n = std::stoi(r.steps);
    with_family<float>(family, [&](const auto& ms) {
      const Vector<float> sigmas = diffuse::sampler_sigmas(ms, name, n);
      INFO(family << " " << name << " N = " << n);
      REQUIRE(static_cast<std::size_t>(sigmas.size()) == r.sigmas.size());
      for (Eigen::Index i = 0; i < sigmas.size(); ++i) {
        const double d = ulps(sigmas(i), std::stof(r.sigmas[static_cast<std::size_t>(i)]));
        (family == "edm" ? worst_edm : worst_vp_flow) = std::max(family == "edm" ? worst_edm : worst_vp_flow, d);
      }
    });
  }
  for (const auto& r : model_sampling_reference::values(spot_checks, "comfy_sigma")) {
    with_family<float>(r.family, [&](const auto& ms) {
      worst_vp_flow = std::max(worst_vp_flow, ulps(ms.sigma(std::stof(r.argument)), std::stof(r.value)));
    });
  }
  const diffuse::DiscreteVpSampling<float> sd15(diffuse::Schedule<float>::scaled_linear(1000));
  for (const auto& r : model_sampling_reference::values(spot_checks, "comfy_timestep"))
    CHECK(sd15.timestep(std::stof(r.argument)) == std::stof(r.value));
  INFO("largest distance from ComfyUI: " << worst_vp_flow << " float ulps (SD 1.5, SD3, Flux), " << worst_edm
                                         << " (EDM)");
  CHECK(worst_vp_flow <= 16);
  CHECK(worst_edm <= 64);
}
