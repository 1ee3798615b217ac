// img2img strength and denoise (strength.hpp) against gen_strength_reference.py: the step counts of
// diffusers, ComfyUI and stable-diffusion.cpp, the kept σ of ComfyUI's denoise on SD 1.5, σ* of a
// noise level, √ᾱ_T of SD 1.5 (what strength 1 keeps), the start latent; every argument rule.
#include <diffuse/strength.hpp>

#include <cmath>
#include <stdexcept>
#include <string>

#include <Eigen/Core>

#include "catch.hpp"
#include "support/messages.hpp"
#include "support/references.hpp"
#include "support/strength_reference.hpp"
#include "support/ulps.hpp"

namespace {

using diffuse::detail::Wide;
using test_support::throws_with;
using test_support::ulp_error;

template <class T>
using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;

diffuse::DiscreteVpSampling<double> sd15() {
  return diffuse::DiscreteVpSampling<double>(diffuse::Schedule<double>::scaled_linear(1000));
}

}  // namespace

TEST_CASE("diffusers and stable-diffusion.cpp strength give the tools' first step", "[strength]") {
  for (const auto& r : strength_reference::starts()) {
    const int n = std::stoi(r.steps);
    const double s = std::stod(r.strength);
    INFO("N = " << n << ", strength = " << s);
    CHECK(diffuse::diffusers_strength_start(n, s, diffuse::DiffusersStrength::stable_diffusion) ==
          std::stoi(r.diffusers_start));
    CHECK(diffuse::diffusers_strength_start(n, s, diffuse::DiffusersStrength::flow) == std::stoi(r.flow_start));
    CHECK(diffuse::sdcpp_strength_start(n, s) == std::stoi(r.sdcpp_start));
  }
  // The largest float below 1 at the largest N: t_enc = fl(2²⁴(1 − 2⁻²⁴)) = 2²⁴ − 1, so nothing is skipped.
  CHECK(diffuse::sdcpp_strength_start(16777216, 1 - 0x1p-24) == 0);
}

TEST_CASE("strength steps are the tail of the full schedule from the first step", "[strength]") {
  const auto ms = sd15();
  const Vector<double> sigmas = diffuse::sampler_sigmas(ms, "karras", 10);
  Vector<double> timesteps(10);
  for (int i = 0; i < 10; ++i) timesteps(i) = ms.timestep(sigmas(i), diffuse::Convention::stable_diffusion_cpp);
  const auto a =
      diffuse::diffusers_strength_steps(sigmas, timesteps, 0.55, diffuse::DiffusersStrength::stable_diffusion);
  CHECK(a.skipped == 5);
  CHECK(a.sigmas == sigmas.tail(6));
  CHECK(a.timesteps == timesteps.tail(5));
  CHECK(a.start_sigma() == sigmas(5));
  const auto zero = diffuse::diffusers_strength_steps(sigmas, timesteps, 0.0, diffuse::DiffusersStrength::flow);
  CHECK(zero.sigmas.size() == 1);
  CHECK(zero.timesteps.size() == 0);
  const auto b = diffuse::sdcpp_strength_steps(sigmas, timesteps, 0.55);
  CHECK(b.skipped == 4);
  CHECK(b.sigmas.size() == 7);
}

TEST_CASE("ComfyUI denoise keeps the last N + 1 sigmas of int(N / denoise) steps", "[strength]") {
  const auto ms = sd15();
  for (const auto& r : strength_reference::comfy()) {
    const int n = std::stoi(r.steps);
    const double d = std::stod(r.denoise);
    const auto node = r.node == "ksampler" ? diffuse::ComfyDenoise::ksampler : diffuse::ComfyDenoise::basic_scheduler;
    INFO("N = " << n << ", denoise = " << d << ", node " << r.node);
    const auto steps = diffuse::comfyui_denoise_steps(ms, "simple", n, d, node);
    CHECK(steps.skipped == std::stoi(r.skipped));
    REQUIRE(steps.sigmas.size() == static_cast<Eigen::Index>(r.sigmas.size()));
    for (Eigen::Index i = 0; i < steps.sigmas.size(); ++i) {
      CHECK(ulp_error(steps.sigmas(i), test_support::exact(r.sigmas[static_cast<std::size_t>(i)])) <= 0.5);
    }
    REQUIRE(steps.timesteps.size() == steps.sigmas.size() - 1);
    for (Eigen::Index i = 0; i < steps.timesteps.size(); ++i) CHECK(steps.timesteps(i) == ms.timestep(steps.sigmas(i)));
  }
  CHECK(diffuse::comfyui_denoise_steps(ms, "simple", 10, 0.0).sigmas.size() == 0);
  // The nodes' thresholds: int(20000/0.99995) = 20001 steps for BasicScheduler, 20000 for KSampler.
  CHECK(diffuse::comfyui_denoise_steps(ms, "simple", 20000, 0.99995, diffuse::ComfyDenoise::basic_scheduler).skipped ==
        1);
  CHECK(diffuse::comfyui_denoise_steps(ms, "simple", 20000, 0.99995, diffuse::ComfyDenoise::ksampler).skipped == 0);
}

TEST_CASE("a noise level gives sigma* = n over 1 - n and the first sigma at or below it", "[strength]") {
  const auto ms = sd15();
  for (const auto& r : strength_reference::noise_levels()) {
    CHECK(ulp_error(diffuse::sdcpp_noise_level_sigma(ms, std::stod(r.level)), test_support::exact(r.sigma)) <= 0.5);
  }
  CHECK(diffuse::sdcpp_noise_level_sigma(diffuse::FlowSampling<double>(3), 0.25) == 0.25);
  const Vector<double> sigmas = diffuse::sampler_sigmas(ms, "karras", 10);
  const Vector<double> timesteps = Vector<double>::LinSpaced(10, 999, 0);
  const auto steps = diffuse::sdcpp_noise_level_steps(ms, sigmas, timesteps, 0.5);
  Eigen::Index first = 0;
  while (sigmas(first) > 1.0) ++first;
  CHECK(steps.skipped == first);
  CHECK(steps.sigmas(0) == sigmas(first));
  const auto forced = diffuse::sdcpp_noise_level_steps(ms, sigmas, timesteps, 0.5, true);
  CHECK(forced.sigmas(0) == 1.0);
  CHECK(forced.timesteps(0) == ms.timestep(1.0));
  CHECK(diffuse::sdcpp_noise_level_steps(ms, sigmas, timesteps, 0.0).skipped == 9);  // at least one step
  CHECK(diffuse::sdcpp_noise_level_steps(ms, sigmas, timesteps, 1.0).skipped == 0);
}

TEST_CASE("strength 1 on SD 1.5 keeps sqrt of alpha-bar_T = 0.068 of the image", "[strength]") {
  const auto r = strength_reference::sqrt_alpha_bar_T();
  const diffuse::Schedule<double> schedule = diffuse::Schedule<double>::scaled_linear(1000);
  CHECK(ulp_error(schedule.sqrt_alpha_bar(1000), test_support::exact(r.value)) <= 1);
  CHECK(std::fabs(schedule.sqrt_alpha_bar(1000) - 0.068265) < 5e-7);
}

TEST_CASE("the start latent is the model sampling's noise scaling at the start sigma", "[strength]") {
  const auto ms = sd15();
  const auto steps = diffuse::comfyui_denoise_steps(ms, "simple", 10, 0.6);
  const Eigen::VectorXd x0 = Eigen::VectorXd::LinSpaced(5, -1, 1), eps = Eigen::VectorXd::LinSpaced(5, 2, -2);
  const Eigen::VectorXd x = diffuse::img2img_start_latent(ms, steps, eps, x0);
  for (Eigen::Index i = 0; i < 5; ++i) CHECK(x(i) == x0(i) + steps.start_sigma() * eps(i));
  const diffuse::FlowSampling<double> flow(3);
  const auto fsteps = diffuse::comfyui_denoise_steps(flow, "simple", 10, 0.5);
  const Eigen::VectorXd y = diffuse::img2img_start_latent(flow, fsteps, eps, x0);
  const double s = fsteps.start_sigma();
  for (Eigen::Index i = 0; i < 5; ++i) CHECK(y(i) == (1 - s) * x0(i) + s * eps(i));
  CHECK(diffuse::img2img_start_latent(ms, diffuse::comfyui_denoise_steps(ms, "simple", 10, 0.0), eps, x0) == x0);
}

TEST_CASE("strength and denoise outside 0 to 1, NaN or N below 1 throw the rule and the value", "[strength]") {
  using diffuse::DiffusersStrength;
  const auto ms = sd15();
  const double nan = std::nan("");
  CHECK(
      throws_with<std::invalid_argument>([] { diffuse::diffusers_strength_start(10, 1.5, DiffusersStrength::flow); },
                                         {"diffuse::diffusers_strength_start: strength must be in [0, 1] (got 1.5)"}));
  CHECK(throws_with<std::invalid_argument>([&] { diffuse::diffusers_strength_start(10, nan, DiffusersStrength::flow); },
                                           {"strength must be in [0, 1] (got nan)"}));
  CHECK(throws_with<std::invalid_argument>(
      [] { diffuse::diffusers_strength_start(0, 0.5, DiffusersStrength::flow); },
      {"diffuse::diffusers_strength_start: the number of inference steps N must be at least 1 (got 0)"}));
  CHECK(throws_with<std::invalid_argument>([&] { diffuse::comfyui_denoise_steps(ms, "simple", 10, -0.1); },
                                           {"diffuse::comfyui_denoise_steps: denoise must be in [0, 1] (got -0.1)"}));
  CHECK(throws_with<std::invalid_argument>(
      [&] { diffuse::comfyui_denoise_steps(ms, "simple", 0, 0.5); },
      {"diffuse::comfyui_denoise_steps: the number of steps N must be at least 1 (got 0)"}));
  CHECK(throws_with<std::invalid_argument>(
      [&] { diffuse::comfyui_denoise_steps(ms, "simple", 10, 1e-300); },
      {"diffuse::comfyui_denoise_steps: int(N / denoise) must be at most 2147483647"}));
  CHECK(throws_with<std::invalid_argument>([] { diffuse::sdcpp_strength_start(10, 2.0); },
                                           {"diffuse::sdcpp_strength_start: strength must be in [0, 1] (got 2)"}));
  CHECK(throws_with<std::invalid_argument>(
      [] { diffuse::sdcpp_strength_start(0, 0.5); },
      {"diffuse::sdcpp_strength_start: the number of sample steps N must be at least 1 (got 0)"}));
  CHECK(throws_with<std::invalid_argument>(
      [] { diffuse::sdcpp_strength_start(16777217, 0.5); },
      {"diffuse::sdcpp_strength_start: the number of sample steps N must be at most 16777216 (got 16777217)"}));
  CHECK(throws_with<std::invalid_argument>(
      [&] { diffuse::sdcpp_noise_level_sigma(ms, nan); },
      {"diffuse::sdcpp_noise_level_sigma: noise_level must be in [0, 1] (got nan)"}));
  const Vector<double> one = Vector<double>::Ones(1), none(0);
  CHECK(throws_with<std::invalid_argument>(
      [&] { diffuse::sdcpp_strength_steps(one, none, 0.5); },
      {"diffuse::sdcpp_strength_steps: the number of sigmas N + 1 must be at least 2 (got 1)"}));
  const Vector<double> two = Vector<double>::Ones(2);
  CHECK(throws_with<std::invalid_argument>(
      [&] { diffuse::diffusers_strength_steps(two, two, 0.5, DiffusersStrength::flow); },
      {"diffuse::diffusers_strength_steps: timesteps must have one entry per column, 1 (got 2)"}));
}
