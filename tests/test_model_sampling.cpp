// Model samplings (model_sampling.hpp) against the 40-digit references of
// gen_sampler_schedules_reference.py, written from ComfyUI's and stable-diffusion.cpp's formulas:
// tables, σ(τ) and τ(σ) in both conventions, percent → σ; the noise scaling; where the tools differ;
// every argument rule.
#include <diffuse/model_sampling.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <type_traits>

#include <Eigen/Core>

#include "catch.hpp"
#include "support/continuous_reference.hpp"
#include "support/messages.hpp"
#include "support/model_sampling_reference.hpp"
#include "support/references.hpp"
#include "support/ulps.hpp"

template class diffuse::DiscreteVpSampling<double>;
template class diffuse::DiscreteEdmSampling<float>;
template class diffuse::EdmSampling<long double>;
template class diffuse::ContinuousVSampling<double>;
template class diffuse::FlowSampling<float>;
template class diffuse::StableCascadeSampling<double>;
template class diffuse::CosmosRFlowSampling<float>;

namespace {

using diffuse::Convention;
using model_sampling_reference::file;
using model_sampling_reference::judge;
using model_sampling_reference::with_family;
using test_support::input;
using test_support::throws_with;

Convention convention(const std::string& name) {
  return name == "comfyui" ? Convention::comfyui : Convention::stable_diffusion_cpp;
}

template <class MS, class T>
T sigma_with(const MS& ms, T timestep, Convention c) {
  using Scalar = typename MS::scalar_type;
  if constexpr (std::is_same<MS, diffuse::FlowSampling<Scalar>>::value ||
                std::is_same<MS, diffuse::EdmSampling<Scalar>>::value) {
    return ms.sigma(timestep, c);
  } else {
    return ms.sigma(timestep);  // one definition in both tools
  }
}

template <class MS, class T>
T timestep_with(const MS& ms, T sigma, Convention c) {
  if constexpr (std::is_same<MS, diffuse::DiscreteVpSampling<typename MS::scalar_type>>::value) {
    return ms.timestep(sigma, c);
  } else {
    return ms.timestep(sigma);
  }
}

}  // namespace

TEMPLATE_TEST_CASE("tables and sigma(timestep) and timestep(sigma) and percent_to_sigma are within the contract",
                   "[model_sampling]", float, double, long double) {
  using T = TestType;
  if (!continuous_reference::contract_tested<T>()) return;
  int checked = 0;
  for (const auto& r : model_sampling_reference::values(file, "table")) {
    with_family<T>(r.family, [&](const auto& ms) {
      const T got = ms.table_sigma(std::stoi(r.argument));
      INFO(r.family << " table " << r.argument << ": got " << test_support::digits(got) << ", expected " << r.value);
      CHECK(judge(got, r.value).ok());
      ++checked;
    });
  }
  for (const auto& r : model_sampling_reference::convention_values("sigma")) {
    with_family<T>(r.family, [&](const auto& ms) {
      const T got = sigma_with(ms, input<T>(r.argument), convention(r.convention));
      INFO(r.family << " " << r.convention << " sigma(" << r.argument << "): got " << test_support::digits(got)
                    << ", expected " << r.value);
      CHECK(judge(got, r.value).ok());
      ++checked;
    });
  }
  for (const auto& r : model_sampling_reference::convention_values("timestep")) {
    with_family<T>(r.family, [&](const auto& ms) {
      const T got = timestep_with(ms, input<T>(r.argument), convention(r.convention));
      INFO(r.family << " " << r.convention << " timestep(" << r.argument << "): got " << test_support::digits(got)
                    << ", expected " << r.value);
      CHECK(judge(got, r.value).ok());
      ++checked;
    });
  }
  for (const auto& r : model_sampling_reference::values(file, "percent")) {
    with_family<T>(r.family, [&](const auto& ms) {
      const T got = ms.percent_to_sigma(std::stod(r.argument));
      INFO(r.family << " percent_to_sigma(" << r.argument << "): got " << test_support::digits(got) << ", expected "
                    << r.value);
      CHECK(judge(got, r.value).ok());
      ++checked;
    });
  }
  CHECK(checked > 100);
}

TEMPLATE_TEST_CASE("table ends and percent ends are the tools' (index i is our step i + 1)", "[model_sampling]", float,
                   double) {
  using T = TestType;
  const diffuse::Schedule<T> schedule = diffuse::Schedule<T>::scaled_linear(1000);
  const diffuse::DiscreteVpSampling<T> sd15(schedule);
  CHECK(sd15.table_size() == 1000);
  CHECK(sd15.sigma_min() == schedule.sigma(1));  // index 0 is our step 1
  CHECK(sd15.sigma_max() == schedule.sigma(1000));
  CHECK(sd15.table_sigma(499) == schedule.sigma(500));
  CHECK(sd15.sigma(T(499)) == schedule.sigma(500));
  CHECK(sd15.percent_to_sigma(0) == T(999999999.9));  // ComfyUI's "pure noise" for VE
  CHECK(sd15.percent_to_sigma(-1) == T(999999999.9));
  CHECK(sd15.percent_to_sigma(1) == 0);
  const diffuse::FlowSampling<T> sd3(3);
  CHECK(sd3.sigma_max() == 1);
  CHECK(sd3.percent_to_sigma(0) == 1);
  CHECK(sd3.percent_to_sigma(1.5) == 0);
  CHECK(diffuse::FlowSampling<T>::flux().table_size() == 10000);
  CHECK(sd3.multiplier() == 1000);
}

TEMPLATE_TEST_CASE(
    "Stable Cascade: the clamp's ends, the VE noising, and sigma -> timestep -> sigma scales by the shift",
    "[model_sampling]", float, double) {
  using T = TestType;
  using Catch::Matchers::WithinRel;
  const T eps = std::numeric_limits<T>::epsilon();
  const diffuse::StableCascadeSampling<T> stage_c(2.0), stage_b;
  CHECK(stage_c.table_size() == 10000);
  CHECK(stage_c.shift() == 2.0);
  // ᾱ clamped to [10⁻⁴, 0.9999]: σ from 1/√9999 to √9999 (each correctly rounded: within ½ ulp).
  const long double root = std::sqrt(9999.0L);
  for (const auto* ms : {&stage_c, &stage_b}) {
    CHECK_THAT(ms->sigma_min(), WithinRel(static_cast<T>(1 / root), eps));
    CHECK_THAT(ms->sigma_max(), WithinRel(static_cast<T>(root), eps));
    CHECK(ms->sigma(T(0)) == ms->sigma_min());
    CHECK(ms->sigma(T(1)) == ms->sigma_max());
    CHECK(ms->percent_to_sigma(0) == T(999999999.9));  // StableCascadeSampling.percent_to_sigma's own ends
    CHECK(ms->percent_to_sigma(1) == 0);
    CHECK(ms->percent_to_sigma(0.25) == ms->sigma(T(0.75)));
  }
  // The shift divides the SNR by k²: σ_C(τ) = 2σ_B(τ) inside the clamp (each within ½ ulp).
  for (const T tau : {T(0.0625), T(0.25), T(0.5), T(0.75), T(0.875)})
    CHECK_THAT(stage_c.sigma(tau), WithinRel(2 * stage_b.sigma(tau), 2 * eps));
  // timestep(σ) ignores the shift (ComfyUI): σ → τ → σ gives 2σ for stage C, σ for stage B. The
  // rounding of τ to T moves σ by c/2 ulp, c = θ(tan θ + cot θ) ≤ 15 the condition number of
  // σ(τ) for σ ≤ 20 (θ = atan(σ/k) roughly), plus ½ ulp for each σ: within 16 ulp.
  for (const T sigma : {T(0.05), T(0.5), T(1), T(3), T(10)}) {
    INFO("sigma = " << sigma);
    CHECK_THAT(stage_c.sigma(stage_c.timestep(sigma)), WithinRel(2 * sigma, 16 * eps));
    CHECK_THAT(stage_b.sigma(stage_b.timestep(sigma)), WithinRel(sigma, 16 * eps));
  }
  CHECK(stage_b.sigma(stage_b.timestep(T(0.005))) == stage_b.sigma_min());  // below the clamp
  CHECK(stage_c.timestep(T(0)) == 0);
  CHECK(stage_c.timestep(std::numeric_limits<T>::infinity()) == 1);
  // The VE noising of ComfyUI's EPS: x₀ + σε.
  Eigen::Matrix<T, 2, 1> x0, noise;
  x0 << T(1), T(-2);
  noise << T(0.5), T(0.25);
  const Eigen::Matrix<T, 2, 1> x = stage_c.noise_scaling(T(2), noise, x0);
  CHECK(x(0) == T(2));
  CHECK(x(1) == T(-1.5));
  CHECK(stage_c.inverse_noise_scaling(T(2), x) == x);
}

TEMPLATE_TEST_CASE(
    "Cosmos RFlow: VE noising, flow time sigma/(1 + sigma), the cap at sigma_max, the model's input scale",
    "[model_sampling]", float, double) {
  using T = TestType;
  using Catch::Matchers::WithinRel;
  const T eps = std::numeric_limits<T>::epsilon();
  const diffuse::CosmosRFlowSampling<T> cosmos;  // Predict2: 0.002, 80, σ_data 1
  CHECK(cosmos.sigma_max() == T(80));
  CHECK(cosmos.sigma_min() == T(0.002));
  CHECK(cosmos.sigma_data() == 1);
  CHECK(cosmos.timestep(T(1)) == T(0.5));
  CHECK(cosmos.timestep(std::numeric_limits<T>::infinity()) == 1);
  CHECK(cosmos.sigma(T(0.5)) == T(1));
  CHECK(cosmos.sigma(T(0)) == 0);
  // the cap: τ ≥ 80/81 gives σ_max; just below it, τ/(1 − τ) < 80 (each within ½ ulp)
  const T threshold = T(80) / T(81);
  CHECK(cosmos.sigma(std::nextafter(threshold, T(2))) == T(80));
  CHECK(cosmos.sigma(T(1)) == T(80));
  CHECK(cosmos.sigma(T(3)) == T(80));
  CHECK(cosmos.sigma(T(0.875)) == T(7));
  // σ → τ → σ is the identity up to the two roundings (condition number of τ/(1 − τ) is 1/(1 − τ) = 1 + σ)
  for (const T sigma : {T(0.01), T(0.5), T(3), T(20)})
    CHECK_THAT(cosmos.sigma(cosmos.timestep(sigma)), WithinRel(sigma, (2 + sigma) * eps));
  // the model's flow latent (1 − τ)(x₀ + σε) = (1 − τ)x₀ + τε, 1 − τ = 1/(1 + σ)
  CHECK(cosmos.input_scale(T(1)) == T(0.5));
  CHECK(cosmos.input_scale(T(3)) == T(0.25));
  CHECK(cosmos.input_scale(std::numeric_limits<T>::infinity()) == 0);
  // COSMOS_RFLOW's noise_scaling is x₀ + σε even with max_denoise (no √(1 + σ²))
  Eigen::Matrix<T, 2, 1> x0, noise;
  x0 << T(1), T(-2);
  noise << T(0.5), T(0.25);
  const Eigen::Matrix<T, 2, 1> x = cosmos.noise_scaling(T(80), noise, x0, true);
  CHECK(x(0) == T(41));
  CHECK(x(1) == T(18));
  CHECK(cosmos.percent_to_sigma(0) == T(999999999.9));
  CHECK(cosmos.percent_to_sigma(1) == 0);
}

TEMPLATE_TEST_CASE("where the tools differ: the convention argument chooses", "[model_sampling]", float, double) {
  using T = TestType;
  // ComfyUI's σ → τ is the integer argmin, so σ → τ → σ lands on a table entry, not on σ.
  const diffuse::DiscreteVpSampling<T> sd15(diffuse::Schedule<T>::scaled_linear(1000));
  const T between = sd15.sigma(T(500.25));
  CHECK(sd15.timestep(between) == 500);
  CHECK(sd15.sigma(sd15.timestep(between)) == sd15.table_sigma(500));
  CHECK(sd15.sigma(sd15.timestep(between)) != between);
  // stable-diffusion.cpp's (and diffusers') fractional τ goes back to σ.
  const T fractional = sd15.timestep(between, Convention::stable_diffusion_cpp);
  CHECK_THAT(static_cast<double>(fractional), Catch::Matchers::WithinRel(500.25, 1e-4));
  // stable-diffusion.cpp's flow: t_to_sigma takes the 0-based index, sigma_to_t gives 1000σ: off by one.
  const diffuse::FlowSampling<T> plain(1);
  CHECK(plain.timestep(plain.sigma(T(499), Convention::stable_diffusion_cpp)) == 500);
  CHECK(plain.timestep(plain.sigma(T(499))) == 499);
  // stable-diffusion.cpp's EDM t_to_sigma is e^{4τ/1000}: σ → τ → σ gives σ^{1/1000}.
  const diffuse::EdmSampling<T> edm;
  const T tau = edm.timestep(T(16));
  CHECK_THAT(static_cast<double>(edm.sigma(tau, Convention::stable_diffusion_cpp)),
             Catch::Matchers::WithinRel(std::pow(16.0, 1e-3), 1e-6));
  CHECK_THAT(static_cast<double>(edm.sigma(tau)), Catch::Matchers::WithinRel(16.0, 1e-6));
  // stable-diffusion.cpp's Flux table has 1000 entries, ComfyUI's 10⁴: their σ_min differ.
  const diffuse::FlowSampling<T> comfy_flux = diffuse::FlowSampling<T>::flux(1.15),
                                 sdcpp_flux = diffuse::FlowSampling<T>::flux(1.15, 1000);
  CHECK(sdcpp_flux.sigma_min() == comfy_flux.sigma(T(0), Convention::stable_diffusion_cpp));  // shift(1/1000)
  CHECK(comfy_flux.sigma_min() < sdcpp_flux.sigma_min() / 5);                                 // shift(1/10⁴)
  // Flux's μ is ComfyUI's "shift": tshift(μ, 1, u) = shift_{e^μ}(u).
  const diffuse::FlowSampling<double> flux = diffuse::FlowSampling<double>::flux(std::log(3.0)), shifted(3, 1);
  CHECK_THAT(flux.sigma(0.3), Catch::Matchers::WithinULP(shifted.sigma(0.3), 2));
}

TEMPLATE_TEST_CASE("noise scaling and its inverse", "[model_sampling]", float, double) {
  using T = TestType;
  using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;
  Vector eps(3), x0(3);
  eps << 1, -2, 0.5;
  x0 << 3, 4, -1;
  const diffuse::DiscreteVpSampling<T> sd15(diffuse::Schedule<T>::scaled_linear(10));
  const Vector ve = sd15.noise_scaling(T(0.25), eps, x0);  // x0 + σε, exact here
  CHECK(ve(0) == T(3.25));
  CHECK(ve(1) == T(3.5));
  CHECK(ve(2) == T(-0.875));
  const Vector full = sd15.noise_scaling(T(2), eps, x0, true);  // x0 + √(1 + σ²)ε = x0 + √5 ε
  for (int i = 0; i < 3; ++i) {
    CHECK_THAT(static_cast<double>(full(i)),
               Catch::Matchers::WithinRel(static_cast<double>(x0(i)) + std::sqrt(5.0) * static_cast<double>(eps(i)),
                                          3 * static_cast<double>(std::numeric_limits<T>::epsilon())));
  }
  CHECK(sd15.inverse_noise_scaling(T(2), x0) == x0);
  const diffuse::FlowSampling<T> sd3(3);
  const Vector flow = sd3.noise_scaling(T(0.25), eps, x0);  // (1 − σ)x0 + σε, exact here
  CHECK(flow(0) == T(2.5));
  CHECK(flow(1) == T(2.5));
  CHECK(flow(2) == T(-0.625));
  CHECK(sd3.noise_scaling(T(0.25), eps, x0, true) == flow);   // max_denoise is for VE only
  const Vector back = sd3.inverse_noise_scaling(T(0.5), x0);  // x/(1 − σ)
  CHECK(back == (2 * x0).eval());
  CHECK(sd3.noise_scaling(T(1), eps, x0) == eps);
}

TEST_CASE("comfyui_float32_sigma rounds as ComfyUI's float32 sigma(timestep) does", "[model_sampling]") {
  // The references emulate ComfyUI's float32 steps in mpmath, each rounded to 24 bits.
  const diffuse::DiscreteVpSampling<double> sd15(diffuse::Schedule<double>::scaled_linear(1000));
  int checked = 0;
  for (const auto& r : model_sampling_reference::values(file, "sigma32")) {
    const float tau = input<float>(r.argument);
    const float got = sd15.comfyui_float32_sigma(tau);
    INFO("sigma32(" << r.argument << "): got " << test_support::digits(got) << ", expected " << r.value);
    CHECK(got == input<float>(r.value));
    // and within 2.6e-7 relative (the largest difference over k/4) of the exact value
    CHECK_THAT(static_cast<double>(got), Catch::Matchers::WithinRel(sd15.sigma(static_cast<double>(tau)), 2.7e-7));
    ++checked;
  }
  CHECK(checked == 45);
  CHECK(sd15.comfyui_float32_sigma(2000.0f) == sd15.comfyui_float32_sigma(999.0f));  // clamped
  CHECK(throws_with<std::invalid_argument>(
      [&] { sd15.comfyui_float32_sigma(std::numeric_limits<float>::infinity()); },
      {"diffuse::DiscreteVpSampling::comfyui_float32_sigma: timestep must be finite", "(got inf)"}));
}

TEST_CASE("every argument rule of the model samplings throws with the function, the rule and the value",
          "[model_sampling]") {
  using diffuse::ContinuousVSampling;
  using diffuse::EdmSampling;
  using diffuse::FlowSampling;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const diffuse::DiscreteVpSampling<double> sd15(diffuse::Schedule<double>::scaled_linear(1000));
  CHECK(
      throws_with<std::out_of_range>([&] { sd15.table_sigma(1000); },
                                     {"diffuse::ModelSampling::table_sigma: index must be in [0, 999]", "(got 1000)"}));
  CHECK(throws_with<std::out_of_range>([&] { sd15.table_sigma(-1); }, {"index must be in [0, 999]", "(got -1)"}));
  CHECK(throws_with<std::invalid_argument>([&] { sd15.sigma(nan); },
                                           {"diffuse::ModelSampling::sigma: timestep must be finite", "(got nan)"}));
  CHECK(throws_with<std::invalid_argument>([&] { sd15.timestep(-0.5); },
                                           {"diffuse::ModelSampling::timestep: sigma must be >= 0", "(got -0.5)"}));
  CHECK(throws_with<std::invalid_argument>(
      [&] { sd15.percent_to_sigma(nan); },
      {"diffuse::ModelSampling::percent_to_sigma: percent must be finite", "(got nan)"}));
  const Eigen::VectorXd v = Eigen::VectorXd::Ones(2);
  CHECK(throws_with<std::invalid_argument>([&] { sd15.noise_scaling(-1, v, v); },
                                           {"diffuse::ModelSampling::noise_scaling: sigma must be >= 0", "(got -1)"}));
  const FlowSampling<double> sd3(3);
  CHECK(throws_with<std::invalid_argument>(
      [&] { sd3.noise_scaling(1.5, v, v); },
      {"diffuse::ModelSampling::noise_scaling: sigma must be in [0, 1]", "(got 1.5)"}));
  CHECK(throws_with<std::invalid_argument>(
      [&] { sd3.inverse_noise_scaling(-0.5, v); },
      {"diffuse::ModelSampling::inverse_noise_scaling: sigma must be >= 0", "(got -0.5)"}));
  CHECK(throws_with<std::invalid_argument>(
      [&] { sd3.inverse_noise_scaling(1, v); },
      {"diffuse::ModelSampling::inverse_noise_scaling: sigma must be less than the pure-noise level = 1", "(got 1)"}));
  CHECK(throws_with<std::out_of_range>(
      [&] { sd3.sigma(1000.5); },
      {"diffuse::FlowSampling::sigma: timestep / multiplier must be in [0, 1]", "(got 1000.5)"}));
  CHECK(throws_with<std::out_of_range>(
      [&] { sd3.sigma(-2, Convention::stable_diffusion_cpp); },
      {"diffuse::FlowSampling::sigma: (timestep + 1) / 1000 must be in [0, 1]", "(got -2)"}));
  CHECK(throws_with<std::invalid_argument>([] { FlowSampling<double>(0); },
                                           {"diffuse::FlowSampling: shift must be finite and > 0", "(got 0)"}));
  CHECK(throws_with<std::invalid_argument>([] { FlowSampling<double>(3, -1); },
                                           {"diffuse::FlowSampling: multiplier must be finite and > 0", "(got -1)"}));
  CHECK(throws_with<std::invalid_argument>(
      [] { FlowSampling<double>(3, 1000, 0); },
      {"diffuse::FlowSampling: the number of steps T must be at least 1", "(got 0)"}));
  CHECK(throws_with<std::invalid_argument>([&] { FlowSampling<double>::flux(nan); },
                                           {"diffuse::FlowSampling::flux: mu must be finite", "(got nan)"}));
  CHECK(throws_with<std::invalid_argument>([] { EdmSampling<double>(0, 120); },
                                           {"diffuse::EdmSampling: sigma_min must be finite and > 0", "(got 0)"}));
  CHECK(throws_with<std::invalid_argument>(
      [] { EdmSampling<double>(2, 2); },
      {"diffuse::EdmSampling: sigma_max must be finite and greater than sigma_min", "(got 2)"}));
  CHECK(throws_with<std::invalid_argument>(
      [] { ContinuousVSampling<double>(0.03, 500, 0); },
      {"diffuse::ContinuousVSampling: sigma_data must be finite and > 0", "(got 0)"}));
  CHECK(
      throws_with<std::invalid_argument>([] { diffuse::StableCascadeSampling<double>(0); },
                                         {"diffuse::StableCascadeSampling: shift must be finite and > 0", "(got 0)"}));
  CHECK(throws_with<std::invalid_argument>(
      [&] { diffuse::StableCascadeSampling<double>{nan}; },
      {"diffuse::StableCascadeSampling: shift must be finite and > 0", "(got nan)"}));
  const diffuse::StableCascadeSampling<double> cascade(2.0);
  CHECK(throws_with<std::out_of_range>(
      [&] { cascade.sigma(1.5); }, {"diffuse::StableCascadeSampling::sigma: timestep must be in [0, 1]", "(got 1.5)"}));
  CHECK(throws_with<std::out_of_range>(
      [&] { cascade.sigma(-0.25); },
      {"diffuse::StableCascadeSampling::sigma: timestep must be in [0, 1]", "(got -0.25)"}));
  const diffuse::CosmosRFlowSampling<double> cosmos;
  CHECK(throws_with<std::out_of_range>([&] { cosmos.sigma(-0.5); },
                                       {"diffuse::CosmosRFlowSampling::sigma: timestep must be >= 0", "(got -0.5)"}));
  CHECK(throws_with<std::invalid_argument>(
      [&] { cosmos.input_scale(-1); }, {"diffuse::CosmosRFlowSampling::input_scale: sigma must be >= 0", "(got -1)"}));
  CHECK(throws_with<std::invalid_argument>(
      [] { diffuse::CosmosRFlowSampling<double>(0.002, 0.001); },
      {"diffuse::CosmosRFlowSampling: sigma_max must be finite and greater than sigma_min", "(got 0.001)"}));
  const ContinuousVSampling<double> v_model;
  CHECK(throws_with<std::out_of_range>([&] { v_model.sigma(1); },
                                       {"diffuse::ContinuousVSampling::sigma: timestep must be in [0, 1)", "(got 1)"}));
}
