// The preset table of model_presets.hpp against an independent copy of ComfyUI's values
// (gen_model_presets_reference.py, typed from comfy/supported_models.py, model_base.py and
// model_sampling.py @a125cd84, with the σ tables in mpmath); each preset against the object built by
// hand from the literal parameters; lookup, overrides and every error rule.
#include <diffuse/model_presets.hpp>

#include <cmath>
#include <cstddef>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <variant>

#include <Eigen/Core>
#include <diffuse/flow.hpp>

#include "catch.hpp"
#include "support/continuous_reference.hpp"
#include "support/messages.hpp"
#include "support/model_sampling_reference.hpp"
#include "support/references.hpp"
#include "support/ulps.hpp"

namespace {

using diffuse::ModelFamily;
using diffuse::ModelPreset;
using diffuse::ModelSamplingKind;
using diffuse::Prediction;
using model_sampling_reference::judge;
using test_support::input;
using test_support::throws_with;

const char* const file = "model_presets.txt";

const char* kind_name(ModelSamplingKind kind) {
  switch (kind) {
    case ModelSamplingKind::discrete_vp: return "discrete_vp";
    case ModelSamplingKind::continuous_edm: return "continuous_edm";
    case ModelSamplingKind::continuous_v: return "continuous_v";
    case ModelSamplingKind::discrete_flow: return "discrete_flow";
    case ModelSamplingKind::flux: return "flux";
    case ModelSamplingKind::stable_cascade: return "stable_cascade";
    case ModelSamplingKind::cosmos_rflow: return "cosmos_rflow";
  }
  return "?";
}

/// The enumerator's spelling, as the reference file writes it.
const char* prediction_token(Prediction prediction) {
  switch (prediction) {
    case Prediction::epsilon: return "epsilon";
    case Prediction::x0: return "x0";
    case Prediction::v: return "v";
    case Prediction::flow_velocity: return "flow_velocity";
  }
  return "?";
}

/// The variant alternative each kind must build.
std::size_t alternative_of(ModelSamplingKind kind) {
  switch (kind) {
    case ModelSamplingKind::discrete_vp: return 0;
    case ModelSamplingKind::continuous_edm: return 1;
    case ModelSamplingKind::continuous_v: return 2;
    case ModelSamplingKind::discrete_flow:
    case ModelSamplingKind::flux: return 3;
    case ModelSamplingKind::stable_cascade: return 4;
    case ModelSamplingKind::cosmos_rflow: return 5;
  }
  return 99;
}

/// Every table entry, σ(τ) and τ(σ) of a and b at a few points are the same bits.
template <class A, class B>
bool same_sampling(const A& a, const B& b) {
  using T = typename A::scalar_type;
  if (a.table_size() != b.table_size()) return false;
  for (int i = 0; i < a.table_size(); ++i) {
    if (a.table_sigma(i) != b.table_sigma(i)) return false;
  }
  for (const double p : {0.0, 0.25, 0.5, 0.75, 1.0}) {
    if (a.percent_to_sigma(p) != b.percent_to_sigma(p)) return false;
    const T sigma = a.percent_to_sigma(p);
    if (a.timestep(sigma) != b.timestep(sigma)) return false;
  }
  return a.sigma(a.timestep(T(0.5))) == b.sigma(b.timestep(T(0.5)));
}

/// `row NAME KIND PREDICTION TABLE_SIZE`
struct Row {
  std::string name, kind, prediction, table_size;
};
/// `sigma_data NAME SIGMA_DATA` (the continuous classes)
struct SigmaData {
  std::string name, sigma_data;
};
/// `boundary NAME B` (the two experts' boundary; 0 for a single model)
struct Boundary {
  std::string name, boundary;
};
/// `table NAME INDEX SIGMA`, `sigma NAME TIMESTEP SIGMA` and `timestep NAME SIGMA TIMESTEP`: a value
/// of the preset's model sampling at an argument.
struct Value {
  std::string name, argument, value;
};
std::vector<Value> values(const std::string& kind) {
  return test_support::load<Value>(file, kind, &Value::name, &Value::argument, &Value::value);
}

}  // namespace

TEST_CASE("every row's model sampling, prediction, table size and sigma_data are ComfyUI's", "[model_presets]") {
  int checked = 0;
  for (const auto& r :
       test_support::load<Row>(file, "row", &Row::name, &Row::kind, &Row::prediction, &Row::table_size)) {
    const ModelPreset preset = diffuse::model_preset(r.name);
    INFO(r.name);
    CHECK(preset.name == r.name);
    CHECK(kind_name(preset.kind) == r.kind);
    CHECK(prediction_token(preset.prediction) == r.prediction);
    const auto ms = diffuse::make_model_sampling<double>(preset);
    CHECK(ms.index() == alternative_of(preset.kind));
    CHECK(std::visit([](const auto& m) { return m.table_size(); }, ms) == std::stoi(r.table_size));
    CHECK(!preset.source.empty());
    ++checked;
  }
  CHECK(checked == static_cast<int>(diffuse::model_presets().size()));  // the reference names every row
  for (const auto& r : test_support::load<SigmaData>(file, "sigma_data", &SigmaData::name, &SigmaData::sigma_data)) {
    const auto ms = diffuse::make_model_sampling<double>(diffuse::model_preset(r.name));
    INFO(r.name);
    CHECK(std::visit(
              [](const auto& m) -> double {
                if constexpr (std::is_same<std::decay_t<decltype(m)>, diffuse::EdmSampling<double>>::value ||
                              std::is_same<std::decay_t<decltype(m)>, diffuse::ContinuousVSampling<double>>::value ||
                              std::is_same<std::decay_t<decltype(m)>, diffuse::CosmosRFlowSampling<double>>::value) {
                  return m.sigma_data();
                } else {
                  return std::numeric_limits<double>::quiet_NaN();
                }
              },
              ms) == std::stod(r.sigma_data));
  }
}

TEST_CASE("every row's expert boundary is the reference's: Wan 2.2 A14B's 0.875 and 0.900, 0 elsewhere",
          "[model_presets]") {
  int checked = 0;
  for (const auto& r : test_support::load<Boundary>(file, "boundary", &Boundary::name, &Boundary::boundary)) {
    INFO(r.name);
    CHECK(diffuse::model_preset(r.name).expert_boundary == std::stod(r.boundary));
    ++checked;
  }
  CHECK(checked == static_cast<int>(diffuse::model_presets().size()));
}

TEST_CASE("high_noise_expert_steps counts the leading steps with timestep at least b T, as diffusers' WanPipeline",
          "[model_presets]") {
  using diffuse::high_noise_expert_steps;
  Eigen::VectorXd tau(7);
  tau << 999, 950, 900, 875.5, 875, 874, 3;  // b T = 875 and 900 exactly
  CHECK(high_noise_expert_steps(tau, 0.875) == 5);
  CHECK(high_noise_expert_steps(tau, 0.9) == 3);
  CHECK(high_noise_expert_steps(tau, 0.875, 2000) == 0);  // b T = 1750: no step reaches it
  CHECK(high_noise_expert_steps(tau, 0.0) == 7);          // every step, 3 >= 0
  CHECK(high_noise_expert_steps(tau, 1.0) == 0);          // 999 < 1000
  CHECK(high_noise_expert_steps(Eigen::VectorXd(0), 0.5) == 0);
  Eigen::VectorXi integer_tau(4);  // the int64 timesteps of diffusers' UniPC flow scheduler
  integer_tau << 1000, 900, 899, 0;
  CHECK(high_noise_expert_steps(integer_tau, 0.9) == 2);
  CHECK(high_noise_expert_steps(integer_tau, diffuse::model_preset("wan22-t2v-a14b").expert_boundary) == 3);
  CHECK(high_noise_expert_steps(integer_tau, diffuse::model_preset("wan22-i2v-a14b").expert_boundary) == 2);
}

TEST_CASE("high_noise_expert_steps checks its boundary, T and timesteps", "[model_presets][errors]") {
  using diffuse::high_noise_expert_steps;
  const Eigen::VectorXd tau = Eigen::VectorXd::LinSpaced(5, 1000, 0);
  CHECK(throws_with<std::invalid_argument>(
      [&] { high_noise_expert_steps(tau, 1.5); },
      {"diffuse::high_noise_expert_steps: boundary must be in [0, 1]", "(got 1.5)"}));
  CHECK(throws_with<std::invalid_argument>([&] { high_noise_expert_steps(tau, std::nan("")); },
                                           {"boundary must be in [0, 1]", "(got nan)"}));
  CHECK(throws_with<std::invalid_argument>([&] { high_noise_expert_steps(tau, 0.5, 0); },
                                           {"the number of steps T must be at least 1", "(got 0)"}));
  Eigen::VectorXd rising = tau;
  rising(3) = 600;
  CHECK(throws_with<std::out_of_range>(
      [&] { high_noise_expert_steps(rising, 0.5); },
      {"diffuse::high_noise_expert_steps: timesteps must be non-increasing (sampling order)", "(got 600)"}));
  Eigen::VectorXd infinite = tau;
  infinite(0) = std::numeric_limits<double>::infinity();
  CHECK(throws_with<std::out_of_range>([&] { high_noise_expert_steps(infinite, 0.5); },
                                       {"timesteps must be finite", "(got inf)"}));
}

TEMPLATE_TEST_CASE("every preset's sigma table, sigma(timestep) and timestep(sigma) match the mpmath references",
                   "[model_presets]", float, double, long double) {
  using T = TestType;
  if (!continuous_reference::contract_tested<T>()) return;
  std::map<std::string, diffuse::AnyModelSampling<T>> built;
  for (const ModelPreset& preset : diffuse::model_presets())
    built.emplace(preset.name, diffuse::make_model_sampling<T>(preset));
  int checked = 0;
  const auto check = [&](const std::string& what, const std::string& name, T got, const std::string& expected) {
    INFO(name << " " << what << ": got " << test_support::digits(got) << ", expected " << expected);
    CHECK(judge(got, expected).ok());
    ++checked;
  };
  for (const auto& r : values("table")) {
    const int index = std::stoi(r.argument);
    check("table " + r.argument, r.name,
          std::visit([&](const auto& m) { return m.table_sigma(index); }, built.at(r.name)), r.value);
  }
  for (const auto& r : values("sigma")) {
    const T tau = input<T>(r.argument);
    check("sigma(" + r.argument + ")", r.name,
          std::visit([&](const auto& m) { return m.sigma(tau); }, built.at(r.name)), r.value);
  }
  for (const auto& r : values("timestep")) {
    const T sigma = input<T>(r.argument);
    check("timestep(" + r.argument + ")", r.name,
          std::visit([&](const auto& m) { return m.timestep(sigma); }, built.at(r.name)), r.value);
  }
  CHECK(checked == 156);  // every table, sigma and timestep record of the reference
}

TEMPLATE_TEST_CASE("each preset is the model sampling built by hand from the source's literal parameters",
                   "[model_presets]", float, double) {
  using T = TestType;
  using diffuse::ContinuousVSampling;
  using diffuse::DiscreteVpSampling;
  using diffuse::EdmSampling;
  using diffuse::FlowSampling;
  const auto preset = [](ModelFamily family) { return diffuse::make_model_sampling<T>(diffuse::model_preset(family)); };
  // ModelSamplingDiscrete's defaults: LDM "linear" = scaled_linear, 0.00085 to 0.012, 1000 steps.
  const DiscreteVpSampling<T> vp(diffuse::Schedule<T>::scaled_linear(1000, 0.00085, 0.012));
  for (const ModelFamily family : {ModelFamily::sd15, ModelFamily::sd2_v, ModelFamily::sdxl}) {
    CHECK(same_sampling(std::get<DiscreteVpSampling<T>>(preset(family)), vp));
  }
  CHECK(same_sampling(std::get<FlowSampling<T>>(preset(ModelFamily::sd3)), FlowSampling<T>(3.0, 1000)));
  CHECK(same_sampling(std::get<FlowSampling<T>>(preset(ModelFamily::auraflow)), FlowSampling<T>(1.73, 1.0)));
  CHECK(same_sampling(std::get<FlowSampling<T>>(preset(ModelFamily::flux_dev)), FlowSampling<T>::flux(1.15, 10000)));
  CHECK(same_sampling(std::get<FlowSampling<T>>(preset(ModelFamily::flux_schnell)), FlowSampling<T>(1.0, 1.0)));
  CHECK(same_sampling(std::get<FlowSampling<T>>(preset(ModelFamily::flux2)), FlowSampling<T>::flux(2.02, 10000)));
  CHECK(same_sampling(std::get<FlowSampling<T>>(preset(ModelFamily::wan21)), FlowSampling<T>(8.0, 1000)));
  CHECK(same_sampling(std::get<FlowSampling<T>>(preset(ModelFamily::hunyuan_video)), FlowSampling<T>(7.0, 1000)));
  CHECK(same_sampling(std::get<FlowSampling<T>>(preset(ModelFamily::ltxv)), FlowSampling<T>::flux(2.37, 10000)));
  CHECK(same_sampling(std::get<FlowSampling<T>>(preset(ModelFamily::mochi)), FlowSampling<T>(6.0, 1.0)));
  CHECK(same_sampling(std::get<FlowSampling<T>>(preset(ModelFamily::lumina2)), FlowSampling<T>(6.0, 1.0)));
  CHECK(same_sampling(std::get<diffuse::StableCascadeSampling<T>>(preset(ModelFamily::stable_cascade_c)),
                      diffuse::StableCascadeSampling<T>(2.0)));
  CHECK(same_sampling(std::get<diffuse::StableCascadeSampling<T>>(preset(ModelFamily::stable_cascade_b)),
                      diffuse::StableCascadeSampling<T>(1.0)));
  CHECK(same_sampling(std::get<diffuse::CosmosRFlowSampling<T>>(preset(ModelFamily::cosmos_predict2)),
                      diffuse::CosmosRFlowSampling<T>(0.002, 80.0, 1.0)));
  CHECK(same_sampling(std::get<EdmSampling<T>>(preset(ModelFamily::svd)), EdmSampling<T>(0.002, 700.0, 1.0)));
  CHECK(same_sampling(std::get<ContinuousVSampling<T>>(preset(ModelFamily::stable_audio)),
                      ContinuousVSampling<T>(0.03, 500.0, 1.0)));
  // and they differ from a neighbour's: same_sampling can tell two presets apart
  CHECK_FALSE(same_sampling(std::get<FlowSampling<T>>(preset(ModelFamily::mochi)), FlowSampling<T>(6.0, 1000)));
  CHECK_FALSE(
      same_sampling(std::get<FlowSampling<T>>(preset(ModelFamily::flux_dev)), FlowSampling<T>::flux(1.15, 1000)));
}

TEST_CASE("lookup by family and by name give the same row, in ModelFamily order, with unique names",
          "[model_presets]") {
  const auto& table = diffuse::model_presets();
  CHECK(table.size() == 20);
  std::set<std::string> names;
  for (std::size_t i = 0; i < table.size(); ++i) {
    const auto family = static_cast<ModelFamily>(i);
    INFO(table[i].name);
    CHECK(table[i].family == family);
    CHECK(diffuse::model_preset(family).name == table[i].name);
    CHECK(diffuse::model_preset(table[i].name).family == family);
    names.insert(table[i].name);
  }
  CHECK(names.size() == table.size());
  CHECK(diffuse::model_preset("sd15").family == ModelFamily::sd15);
  CHECK(diffuse::model_preset("sdxl").family == ModelFamily::sdxl);
  CHECK(diffuse::model_preset("sd3").family == ModelFamily::sd3);
  CHECK(diffuse::model_preset("flux-dev").family == ModelFamily::flux_dev);
}

TEST_CASE("an override is a field of the copied preset, and the table keeps its value", "[model_presets]") {
  using diffuse::FlowSampling;
  ModelPreset wan = diffuse::model_preset(ModelFamily::wan21);
  wan.shift = 3.0;  // diffusers' flow_shift for Wan 2.1
  CHECK(same_sampling(std::get<FlowSampling<double>>(diffuse::make_model_sampling<double>(wan)),
                      FlowSampling<double>(3.0, 1000)));
  CHECK(diffuse::model_preset(ModelFamily::wan21).shift == 8.0);
  // Flux dev at ComfyUI's ModelSamplingFlux node resolution: μ linear in W·H/256 between (256, 0.5) and (4096, 1.15).
  ModelPreset flux = diffuse::model_preset("flux-dev");
  flux.mu = diffuse::resolution_shift_mu(512.0 * 512.0 / 256.0);
  CHECK_THAT(flux.mu, Catch::Matchers::WithinRel(0.5 + 0.65 * 768.0 / 3840.0, 1e-15));
  CHECK(same_sampling(std::get<FlowSampling<double>>(diffuse::make_model_sampling<double>(flux)),
                      FlowSampling<double>::flux(flux.mu, 10000)));
  // Flux.2 as ComfyUI's Flux2Scheduler and diffusers' Flux2Pipeline run it: μ(L, N) for 1024², 50 steps.
  ModelPreset flux2 = diffuse::model_preset("flux2");
  flux2.mu = diffuse::flux2_empirical_mu(1024.0 * 1024.0 / 256.0, 50);
  CHECK_THAT(flux2.mu, Catch::Matchers::WithinAbs(2.02, 0.004));  // the row's 2.02 is this μ, rounded
  ModelPreset sd = diffuse::model_preset("sd15");
  sd.beta_schedule = "linear";
  sd.beta_start = 0.0001;
  sd.beta_end = 0.02;  // PixArt's ComfyUI "sqrt_linear" = diffusers "linear"
  CHECK(same_sampling(std::get<diffuse::DiscreteVpSampling<double>>(diffuse::make_model_sampling<double>(sd)),
                      diffuse::DiscreteVpSampling<double>(diffuse::Schedule<double>::linear(1000, 0.0001, 0.02))));
}

TEST_CASE("every error rule of the presets throws with the function, the rule and the value", "[model_presets]") {
  CHECK(throws_with<std::invalid_argument>(
      [] { diffuse::model_preset("sd1.5"); },
      {"diffuse::model_preset: unknown model family; known: sd15, sd2-v, sdxl", "(got \"sd1.5\")"}));
  const std::string message = test_support::error_message<std::invalid_argument>([] { diffuse::model_preset(""); });
  for (const ModelPreset& row : diffuse::model_presets()) {
    INFO(row.name);
    CHECK(message.find(" " + row.name + (row.family == ModelFamily::stable_audio ? " (got" : ",")) !=
          std::string::npos);
  }
  CHECK(throws_with<std::invalid_argument>([] { diffuse::model_preset(static_cast<ModelFamily>(20)); },
                                           {"diffuse::model_preset: family must be a ModelFamily", "(got 20)"}));
  ModelPreset bad = diffuse::model_preset("sd3");
  bad.kind = static_cast<ModelSamplingKind>(7);
  CHECK(throws_with<std::invalid_argument>(
      [&] { diffuse::make_model_sampling<double>(bad); },
      {"diffuse::make_model_sampling: kind must be a ModelSamplingKind", "(got 7)"}));
  // An override the model sampling rejects throws its constructor's rule.
  ModelPreset zero_shift = diffuse::model_preset("sd3");
  zero_shift.shift = 0;
  CHECK(throws_with<std::invalid_argument>([&] { diffuse::make_model_sampling<double>(zero_shift); },
                                           {"diffuse::FlowSampling: shift must be finite and > 0", "(got 0)"}));
  ModelPreset unknown_betas = diffuse::model_preset("sd15");
  unknown_betas.beta_schedule = "cosine";
  CHECK(throws_with<std::invalid_argument>([&] { diffuse::make_model_sampling<float>(unknown_betas); },
                                           {"diffuse::presets::diffusers: unknown beta_schedule", "(got \"cosine\")"}));
}

TEST_CASE("README's model-preset example", "[model_presets]") {
  diffuse::ModelPreset preset = diffuse::model_preset("flux-dev");  // flow_velocity, ModelSamplingFlux, μ = 1.15
  preset.mu = diffuse::resolution_shift_mu(512.0 * 512.0 / 256.0);  // ComfyUI's ModelSamplingFlux node at 512²
  const diffuse::AnyModelSampling<double> ms = diffuse::make_model_sampling<double>(preset);
  const double top = std::visit([](const auto& m) { return m.sigma_max(); }, ms);
  CHECK(top == 1);
  CHECK(preset.prediction == Prediction::flow_velocity);
  CHECK(std::get<diffuse::FlowSampling<double>>(ms).sigma_min() <
        diffuse::FlowSampling<double>::flux(1.15).sigma_min());  // a smaller μ, less shift
}
