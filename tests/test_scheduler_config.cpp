// diffusers scheduler_config.json files (tests/reference/configs) read into schedules and settings; every error rule.
#include <diffuse/io/scheduler_config.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "catch.hpp"
#include "support/messages.hpp"

namespace {

using diffuse::io::ConfigPolicy;
using diffuse::io::parse_scheduler_config;
using diffuse::io::SchedulerConfig;
using S = diffuse::Schedule<double>;

using test_support::throws_with;

SchedulerConfig read(const std::string& name, ConfigPolicy policy = ConfigPolicy::report) {
  return diffuse::io::read_scheduler_config(std::string(DIFFUSE_TEST_REFERENCE_DIR) + "/configs/" + name, policy);
}

bool has(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

/// True if some warning contains every fragment.
bool warned(const SchedulerConfig& c, const std::vector<std::string>& fragments) {
  return std::any_of(c.warnings.begin(), c.warnings.end(), [&](const std::string& w) {
    return std::all_of(fragments.begin(), fragments.end(),
                       [&](const std::string& f) { return w.find(f) != std::string::npos; });
  });
}

}  // namespace

TEST_CASE("Stable Diffusion 1.5 (PNDMScheduler)", "[config]") {
  const auto c = read("sd15_pndm.json");
  CHECK(c.class_name == "PNDMScheduler");
  CHECK(c.betas.num_train_timesteps == 1000);
  CHECK(c.betas.beta_schedule == "scaled_linear");
  CHECK(c.betas.beta_start == 0.00085);
  CHECK(c.betas.beta_end == 0.012);
  CHECK(c.betas.trained_betas.empty());
  CHECK_FALSE(c.betas.rescale_betas_zero_snr);
  CHECK(c.timestep_spacing == diffuse::TimestepSpacing::leading);  // PNDM's default: the file has no timestep_spacing
  CHECK(c.steps_offset == 1);
  CHECK_FALSE(c.set_alpha_to_one);
  CHECK_FALSE(c.clip_sample);
  CHECK(c.prediction_type == "epsilon");
  CHECK(has(c.defaulted_keys, "timestep_spacing"));
  CHECK(has(c.defaulted_keys, "prediction_type"));
  CHECK(has(c.ignored_keys, "skip_prk_steps"));
  CHECK(has(c.ignored_keys, "_diffusers_version"));
  REQUIRE(c.warnings.size() == 1);
  CHECK(warned(c, {"PNDMScheduler adds warm-up steps", "(got \"PNDMScheduler\")"}));
  CHECK(c.schedule<double>().alpha_bars() == S::scaled_linear(1000, 0.00085, 0.012).alpha_bars());
  CHECK(c.schedule<float>().betas() == diffuse::Schedule<float>::scaled_linear(1000, 0.00085, 0.012).betas());
  const auto steps = c.timesteps(50);
  CHECK(steps.index().front() == 981);
  CHECK(steps.index().back() == 1);
  CHECK(steps.previous_t(49, c.set_alpha_to_one) == 1);
  CHECK_THROWS_AS(read("sd15_pndm.json", ConfigPolicy::strict), std::invalid_argument);
}

TEST_CASE("Stable Diffusion 2.1 (DDIMScheduler, v-prediction)", "[config]") {
  const auto c = read("sd21_ddim_v.json", ConfigPolicy::strict);
  CHECK(c.warnings.empty());
  CHECK(c.class_name == "DDIMScheduler");
  CHECK(c.prediction_type == "v_prediction");
  CHECK(c.timestep_spacing == diffuse::TimestepSpacing::leading);
  CHECK(c.steps_offset == 1);
  CHECK_FALSE(c.set_alpha_to_one);
  CHECK(c.timesteps(25).index() ==
        diffuse::diffusers_timesteps(1000, 25, diffuse::TimestepSpacing::leading, 1).index());
}

TEST_CASE("SDXL (EulerDiscreteScheduler with leading spacing)", "[config]") {
  const auto c = read("sdxl_euler.json", ConfigPolicy::strict);
  CHECK(c.warnings.empty());  // explicit "leading": Euler's steps are DDIM's; use_karras_sigmas is false
  CHECK(c.timestep_spacing == diffuse::TimestepSpacing::leading);
  CHECK(has(c.ignored_keys, "use_karras_sigmas"));
  CHECK(has(c.ignored_keys, "interpolation_type"));
  CHECK(has(c.ignored_keys, "sample_max_value"));
  CHECK(c.schedule<double>().one_minus_alpha_bars() == S::scaled_linear(1000, 0.00085, 0.012).one_minus_alpha_bars());
}

TEST_CASE("DDPM CIFAR-10: the defaults of a minimal file", "[config]") {
  const auto c = read("ddpm_cifar10.json", ConfigPolicy::strict);
  CHECK(c.betas.beta_schedule == "linear");
  CHECK(c.clip_sample);
  CHECK(c.set_alpha_to_one);
  CHECK(c.steps_offset == 0);
  CHECK(c.prediction_type == "epsilon");
  for (const char* key :
       {"prediction_type", "steps_offset", "timestep_spacing", "set_alpha_to_one", "rescale_betas_zero_snr"}) {
    INFO(key);
    CHECK(has(c.defaulted_keys, key));
  }
  CHECK(has(c.ignored_keys, "variance_type"));
  CHECK(c.schedule<double>().betas() == S::linear(1000).betas());
  CHECK(c.timesteps(1000).t().front() == 1000);
  CHECK(c.timesteps(1000).t().back() == 1);
}

TEST_CASE("DeepFloyd IF (squaredcos_cap_v2, thresholding)", "[config]") {
  const auto c = read("if_ddpm_cosine.json", ConfigPolicy::strict);
  CHECK(c.schedule<double>().betas() == S::cosine(1000, 0.008, 0.999).betas());
  for (const char* key :
       {"thresholding", "dynamic_thresholding_ratio", "sample_max_value", "clip_sample_range", "variance_type"}) {
    INFO(key);
    CHECK(has(c.ignored_keys, key));
  }
}

TEST_CASE("zero terminal SNR with trailing spacing", "[config]") {
  const auto c = read("zero_snr_trailing.json", ConfigPolicy::strict);
  CHECK(c.betas.rescale_betas_zero_snr);
  const auto s = c.schedule<double>();
  CHECK(s.alpha_bars() == S::scaled_linear(1000, 0.00085, 0.012).zero_terminal_snr().alpha_bars());
  CHECK(s.alpha_bar(1000) == 0.0);
  CHECK(c.timesteps(10).index() == std::vector<int>{999, 899, 799, 699, 599, 499, 399, 299, 199, 99});
}

TEST_CASE("DPM-Solver++ with Karras sigmas: Python's -Infinity and three findings", "[config]") {
  const auto c = read("dpmsolver_karras.json");
  CHECK(has(c.ignored_keys, "lambda_min_clipped"));
  CHECK(c.timestep_spacing == diffuse::TimestepSpacing::linspace);
  REQUIRE(c.warnings.size() == 3);
  CHECK(warned(c, {"\"use_karras_sigmas\": the scheduler places its steps by these sigmas", "(got true)"}));
  CHECK(warned(c, {"DPMSolverMultistepScheduler spaces N + 1 points", "timestep_spacing \"linspace\""}));
  CHECK(warned(c, {"\"steps_offset\" has no effect with timestep_spacing \"linspace\"", "(got 1)"}));
  CHECK(throws_with<std::invalid_argument>([] { read("dpmsolver_karras.json", ConfigPolicy::strict); },
                                           {"diffuse::io::parse_scheduler_config: ", "[strict]"}));
}

TEST_CASE("trained_betas overrides the beta_* keys, and says so", "[config]") {
  const auto c = read("trained_betas_ddpm.json");
  CHECK(c.betas.trained_betas.size() == 10);
  const auto s = c.schedule<double>();
  CHECK(s.steps() == 10);
  CHECK(s.beta(3) == 0.0009);
  CHECK(s.betas() ==
        S::from_betas(std::vector<double>{0.0001, 0.0004, 0.0009, 0.0016, 0.0025, 0.0036, 0.0049, 0.0064, 0.0081, 0.01})
            .betas());
  REQUIRE(c.warnings.size() == 3);
  CHECK(warned(c, {"\"beta_schedule\" is not used: \"trained_betas\" gives the betas", "(got \"linear\")"}));
  CHECK(warned(c, {"\"beta_start\" is not used", "(got 0.0001)"}));
  CHECK(warned(c, {"\"beta_end\" is not used", "(got 0.02)"}));
  CHECK(c.timesteps(5).index() == std::vector<int>{9, 7, 5, 3, 1});
}

TEST_CASE("findings: unknown keys and classes, deprecated keys", "[config]") {
  const auto unknown_key = parse_scheduler_config(R"({"_class_name": "DDIMScheduler", "beta_shedule": "linear"})");
  CHECK(warned(unknown_key, {"unknown key \"beta_shedule\"", "(got \"linear\")"}));
  CHECK(throws_with<std::invalid_argument>(
      [] {
        parse_scheduler_config(R"({"_class_name": "DDIMScheduler", "beta_shedule": "linear"})", ConfigPolicy::strict);
      },
      {"diffuse::io::parse_scheduler_config: unknown key \"beta_shedule\" (got \"linear\") [strict]"}));
  const auto unknown_class = parse_scheduler_config(R"({"_class_name": "MyScheduler"})");
  CHECK(warned(unknown_class, {"unknown \"_class_name\"", "(got \"MyScheduler\")"}));
  CHECK(unknown_class.timestep_spacing == diffuse::TimestepSpacing::leading);
  const auto no_class = parse_scheduler_config("{}");
  CHECK(warned(no_class, {"no \"_class_name\"", "(got null)"}));
  CHECK(no_class.defaulted_keys == std::vector<std::string>{"num_train_timesteps", "beta_start", "beta_end",
                                                            "beta_schedule", "rescale_betas_zero_snr",
                                                            "timestep_spacing", "steps_offset", "prediction_type",
                                                            "set_alpha_to_one", "clip_sample"});
  const auto euler = parse_scheduler_config(R"({"_class_name": "EulerDiscreteScheduler"})");
  CHECK(euler.timestep_spacing == diffuse::TimestepSpacing::linspace);  // the class default
  CHECK(warned(euler, {"EulerDiscreteScheduler uses fractional linspace timesteps"}));
  const auto deprecated = parse_scheduler_config(
      R"({"_class_name": "DDPMScheduler", "predict_epsilon": false, "prediction_type": "epsilon"})");
  CHECK(deprecated.prediction_type == "sample");
  CHECK(
      warned(deprecated, {"deprecated \"predict_epsilon\" overrides \"prediction_type\" \"epsilon\"", "(got false)"}));
  CHECK(parse_scheduler_config(R"({"_class_name": "DDPMScheduler", "predict_epsilon": true})", ConfigPolicy::strict)
            .prediction_type == "epsilon");
}

TEST_CASE("every error rule of the reader", "[config]") {
  auto rejects = [](const std::string& text, const std::vector<std::string>& fragments) {
    INFO(text);
    CHECK(throws_with<std::invalid_argument>([&] { parse_scheduler_config(text); }, fragments));
  };
  const std::string fn = "diffuse::io::parse_scheduler_config: ";
  rejects("{\"beta_start\": 0.001,", {fn + "the text is not valid JSON"});
  rejects("[1, 2]", {fn + "a scheduler config must be a JSON object (got [1,2])"});
  rejects(R"({"beta_start": 0.001, "beta_start": 0.002})", {fn + "a key must not be given twice (got \"beta_start\")"});
  rejects(R"({"num_train_timesteps": "1000"})", {fn + "\"num_train_timesteps\" must be an integer (got \"1000\")"});
  rejects(R"({"num_train_timesteps": 1000.5})", {"must be an integer (got 1000.5)"});
  rejects(R"({"num_train_timesteps": 0})", {fn + "\"num_train_timesteps\" must be a positive int (got 0)"});
  rejects(R"({"num_train_timesteps": 3000000000})", {"must be a positive int (got 3000000000)"});
  rejects(R"({"beta_start": "0.001"})", {fn + "\"beta_start\" must be a number (got \"0.001\")"});
  rejects(R"({"beta_end": NaN})", {fn + "\"beta_end\" must be a number (got \"NaN\")"});
  rejects(R"({"beta_schedule": 3})", {fn + "\"beta_schedule\" must be a string (got 3)"});
  rejects(R"({"beta_schedule": "cosine"})", {"diffuse::presets::diffusers: unknown beta_schedule", "(got \"cosine\")"});
  rejects(R"({"beta_start": 1.5})", {"diffuse::Schedule::linear: beta_start must be in (0, 1] (got 1.5)"});
  rejects(R"({"rescale_betas_zero_snr": "yes"})",
          {fn + "\"rescale_betas_zero_snr\" must be true or false (got \"yes\")"});
  rejects(R"({"trained_betas": [0.1, "x"]})",
          {fn + "\"trained_betas\" must be null or a non-empty array of numbers (got [0.1,\"x\"])"});
  rejects(R"({"trained_betas": []})", {"must be null or a non-empty array of numbers (got [])"});
  rejects(R"({"trained_betas": [0.1, 0.2]})",
          {"diffuse::presets::diffusers: trained_betas must have num_train_timesteps = 1000 values (got 2)"});
  rejects(R"({"num_train_timesteps": 2, "trained_betas": [0.1, 1.5]})",
          {"diffuse::Schedule::from_betas: beta_2 must be in (0, 1)"});
  rejects(R"({"timestep_spacing": "trailling"})",
          {"diffuse::timestep_spacing_from_name: unknown timestep spacing", "(got \"trailling\")"});
  rejects(R"({"timestep_spacing": null, "steps_offset": -1})",
          {fn + "\"steps_offset\" must be a non-negative int (got -1)"});
  rejects(R"({"steps_offset": 1.0})", {fn + "\"steps_offset\" must be an integer (got 1.0)"});
  rejects(R"({"prediction_type": "flow_prediction"})",
          {fn + "unknown \"prediction_type\"; known: epsilon, v_prediction, sample (got \"flow_prediction\")"});
  rejects(R"({"predict_epsilon": 1})", {fn + "\"predict_epsilon\" must be true or false (got 1)"});
  rejects(R"({"set_alpha_to_one": 0})", {fn + "\"set_alpha_to_one\" must be true or false (got 0)"});
  rejects(R"({"clip_sample": "false"})", {fn + "\"clip_sample\" must be true or false (got \"false\")"});
  rejects(R"({"_class_name": 5})", {fn + "\"_class_name\" must be a string (got 5)"});
  CHECK(throws_with<std::invalid_argument>(
      [] { read("no_such_file.json"); },
      {"diffuse::io::read_scheduler_config: cannot open the file", "no_such_file.json"}));
  // A string that merely contains a Python constant is left alone.
  CHECK(parse_scheduler_config(R"({"_class_name": "DDIMScheduler", "_diffusers_version": "NaN-Infinity \"x\""})",
                               ConfigPolicy::strict)
            .warnings.empty());
}

TEST_CASE("Stable Diffusion 3 (FlowMatchEulerDiscreteScheduler, static shift)", "[config][flow]") {
  const auto c = read("sd3_flow_match.json", ConfigPolicy::strict);
  REQUIRE(c.flow);
  CHECK(c.flow->shift == 3.0);
  CHECK_FALSE(c.flow->use_dynamic_shifting);
  CHECK(c.flow->num_train_timesteps == 1000);
  CHECK(has(c.defaulted_keys, "shift_terminal"));
  CHECK(has(c.defaulted_keys, "time_shift_type"));
  CHECK(has(c.ignored_keys, "_diffusers_version"));
  diffuse::FlowMatchConfig sd3;
  sd3.shift = 3.0;
  const auto steps = c.flow_steps(28);  // the length is not needed without dynamic shifting
  CHECK(steps.sigmas == diffuse::flow_match_steps(sd3, 28).sigmas);
  CHECK(steps.timesteps == diffuse::flow_match_steps(sd3, 28).timesteps);
  CHECK(c.flow_steps(28, 4096.0).sigmas == steps.sigmas);
  CHECK(throws_with<std::invalid_argument>(
      [&] { c.schedule<double>(); },
      {"diffuse::io::SchedulerConfig::schedule: a flow-matching config has no betas: use flow_steps() (got \"FlowMatchEulerDiscreteScheduler\")"}));
  CHECK(throws_with<std::invalid_argument>(
      [&] { c.timesteps(10); }, {"diffuse::io::SchedulerConfig::timesteps: a flow-matching config has no betas"}));
}

TEST_CASE("Flux (use_dynamic_shifting): the image sequence length is needed, and its shift is not used",
          "[config][flow]") {
  const auto c = read("flux_dev_flow_match.json");
  REQUIRE(c.flow);
  CHECK(c.flow->use_dynamic_shifting);
  REQUIRE(c.warnings.size() == 1);
  CHECK(warned(c, {"\"shift\" is not used: \"use_dynamic_shifting\" shifts by mu from the image size", "(got 3.0)"}));
  CHECK_THROWS_AS(read("flux_dev_flow_match.json", ConfigPolicy::strict), std::invalid_argument);
  CHECK(throws_with<std::invalid_argument>(
      [&] { c.flow_steps(28); },
      {"diffuse::io::SchedulerConfig::flow_steps: a config with use_dynamic_shifting needs the image sequence length"}));
  // 1024² with Flux's VAE (/8) and 2×2 patches: 64·64 = 4096 tokens, μ = max_shift = 1.15.
  const auto steps = c.flow_steps(28, 4096.0, {diffuse::FlowBaseSigmas::flux_pipeline});
  CHECK(steps.sigmas == diffuse::flow_match_steps(*c.flow, 28, {diffuse::FlowBaseSigmas::flux_pipeline}, 1.15).sigmas);
  CHECK(throws_with<std::invalid_argument>(
      [&] { c.flow_steps(28, 0.0); }, {"diffuse::resolution_shift_mu: image_seq_len must be finite and > 0 (got 0)"}));
  const auto ddim = read("sd21_ddim_v.json");
  CHECK(throws_with<std::invalid_argument>(
      [&] { ddim.flow_steps(28); },
      {"diffuse::io::SchedulerConfig::flow_steps: needs a FlowMatchEulerDiscreteScheduler config (got \"DDIMScheduler\")"}));
}

TEST_CASE("LTX-Video (every FlowMatchEulerDiscreteScheduler key, shift_terminal)", "[config][flow]") {
  const auto c = read("ltx_video_flow_match.json", ConfigPolicy::strict);
  REQUIRE(c.flow);
  CHECK(c.flow->shift_terminal == 0.1);
  CHECK(c.flow->base_shift == 0.95);
  CHECK(c.flow->max_shift == 2.05);
  CHECK(c.flow->base_image_seq_len == 1024);
  CHECK(c.flow->max_image_seq_len == 4096);
  CHECK(c.flow->sigma_ramp == diffuse::FlowSigmaRamp::none);
  CHECK_FALSE(c.flow->invert_sigmas);
  const auto steps = c.flow_steps(50, 4096.0, {diffuse::FlowBaseSigmas::flux_pipeline});
  CHECK(steps.sigmas(49) == 0.1);  // the stretch ends at shift_terminal (exact in Wide, then rounded)
}

TEST_CASE("every error rule of the FlowMatchEulerDiscreteScheduler keys", "[config][flow]") {
  auto rejects = [](const std::string& keys, const std::vector<std::string>& fragments) {
    const std::string text = R"({"_class_name": "FlowMatchEulerDiscreteScheduler", )" + keys + "}";
    INFO(text);
    CHECK(throws_with<std::invalid_argument>([&] { parse_scheduler_config(text); }, fragments));
  };
  const std::string fn = "diffuse::io::parse_scheduler_config: ";
  rejects(R"("shift": 0)", {fn + "\"shift\" must be > 0 (got 0)"});
  rejects(R"("shift": -3.0)", {fn + "\"shift\" must be > 0 (got -3.0)"});
  rejects(R"("shift": Infinity)", {fn + "\"shift\" must be a number (got \"Infinity\")"});
  rejects(R"("shift_terminal": 1.0)", {fn + "\"shift_terminal\" must be null or in (0, 1) (got 1.0)"});
  rejects(R"("shift_terminal": 0)", {fn + "\"shift_terminal\" must be null or in (0, 1) (got 0)"});
  rejects(R"("shift_terminal": "0.1")", {fn + "\"shift_terminal\" must be null or a number (got \"0.1\")"});
  rejects(
      R"("use_karras_sigmas": true, "use_beta_sigmas": true)",
      {fn +
       "only one of \"use_karras_sigmas\", \"use_exponential_sigmas\", \"use_beta_sigmas\" may be true (got true)"});
  rejects(R"("time_shift_type": "quadratic")",
          {fn + "unknown \"time_shift_type\"; known: exponential, linear (got \"quadratic\")"});
  rejects(R"("use_dynamic_shifting": "yes")", {fn + "\"use_dynamic_shifting\" must be true or false (got \"yes\")"});
  rejects(R"("num_train_timesteps": 0)", {fn + "\"num_train_timesteps\" must be a positive int (got 0)"});
  rejects(R"("use_dynamic_shifting": true, "base_image_seq_len": 0)",
          {"diffuse::resolution_shift_mu: base_image_seq_len must be finite and > 0 (got 0)"});
  rejects(
      R"("use_dynamic_shifting": true, "base_image_seq_len": 4096)",
      {"diffuse::resolution_shift_mu: max_image_seq_len must be finite and greater than base_image_seq_len = 4096 (got 4096)"});
  // Without dynamic shifting the sequence keys are not used, and not checked.
  CHECK(parse_scheduler_config(R"({"_class_name": "FlowMatchEulerDiscreteScheduler", "base_image_seq_len": 4096})",
                               ConfigPolicy::strict)
            .flow);
  const auto unknown = parse_scheduler_config(
      R"({"_class_name": "FlowMatchEulerDiscreteScheduler", "beta_start": 0.001, "stochastic_sampling": false})");
  CHECK(warned(unknown, {"unknown key \"beta_start\" for FlowMatchEulerDiscreteScheduler", "(got 0.001)"}));
  CHECK(has(unknown.ignored_keys, "stochastic_sampling"));
}
