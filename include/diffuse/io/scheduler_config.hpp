/// Reading a diffusers scheduler_config.json into a diffuse schedule and its sampling settings (needs nlohmann-json 3).
#pragma once

#include <algorithm>
#include <fstream>
#include <limits>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../detail/error.hpp"
#include "../flow_steps.hpp"
#include "../presets.hpp"
#include "../schedule.hpp"
#include "../spacing.hpp"

namespace diffuse {
namespace io {

/// What the reader does with a finding that does not make the file unreadable (an unknown key, a
/// key that is overridden, a scheduler whose own sampler differs): list it in
/// SchedulerConfig::warnings (`report`) or throw it (`strict`).
enum class ConfigPolicy { report, strict };

/// The forward process and the sampling settings a diffusers `scheduler_config.json` describes.
/// Keys absent from the file take diffusers' defaults (DDPMScheduler's, and the class-dependent
/// defaults of `timestep_spacing` and `set_alpha_to_one`) and are listed in `defaulted_keys`.
struct SchedulerConfig {
  std::string class_name;  ///< `_class_name` ("" when absent)
  presets::DiffusersBetas
      betas;  ///< num_train_timesteps, beta_start, beta_end, beta_schedule, trained_betas, rescale_betas_zero_snr
  TimestepSpacing timestep_spacing = TimestepSpacing::leading;
  int steps_offset = 0;
  std::string prediction_type = "epsilon";  ///< "epsilon", "v_prediction" or "sample"
  bool set_alpha_to_one =
      true;  ///< the last sampling step goes to t = 0 (true) or t = 1 (false): Timesteps::previous_t
  bool clip_sample = true;
  std::vector<std::string> ignored_keys;    ///< recognised keys that do not affect the schedule or the timesteps
  std::vector<std::string> defaulted_keys;  ///< keys absent from the file, given their default
  std::vector<std::string> warnings;        ///< findings under ConfigPolicy::report, each "<what> (got <value>)"
  /// A FlowMatchEulerDiscreteScheduler's settings (flow matching: no betas); empty for the other classes.
  std::optional<FlowMatchConfig> flow;

  /// The schedule: presets::diffusers(betas), exact rather than diffusers' float32.
  /// @throws std::invalid_argument for a flow-matching config (it has no betas).
  template <class Scalar>
  Schedule<Scalar> schedule() const {
    check_not_flow("io::SchedulerConfig::schedule");
    return presets::diffusers<Scalar>(betas);
  }
  /// The N steps DDPMScheduler/DDIMScheduler.set_timesteps(N) would select with these settings.
  /// @throws std::invalid_argument as diffusers_timesteps, and for a flow-matching config.
  Timesteps timesteps(int inference_steps) const {
    check_not_flow("io::SchedulerConfig::timesteps");
    return diffusers_timesteps(betas.num_train_timesteps, inference_steps, timestep_spacing, steps_offset);
  }
  /// The σ and timesteps of a FlowMatchEulerDiscreteScheduler config's set_timesteps(N) (flow_match_steps).
  /// With use_dynamic_shifting, μ comes from the image's sequence length (latent tokens; Flux: (H/16)(W/16))
  /// as the Flux pipeline computes it (FlowMatchConfig::mu), and the length must be given, as diffusers'
  /// set_timesteps needs μ; without it the length is not used.
  /// @throws std::invalid_argument for another class's config, without image_seq_len under
  /// use_dynamic_shifting, and as FlowMatchConfig::mu and flow_match_steps.
  template <class Scalar = double>
  FlowSteps<Scalar> flow_steps(int inference_steps, std::optional<double> image_seq_len = std::nullopt,
                               FlowStepOptions options = {}) const {
    const char* fn = "io::SchedulerConfig::flow_steps";
    if (!flow)
      diffuse::detail::fail<std::invalid_argument>(fn, "needs a FlowMatchEulerDiscreteScheduler config", class_name);
    std::optional<double> mu;
    if (flow->use_dynamic_shifting) {
      if (!image_seq_len) {
        diffuse::detail::fail<std::invalid_argument>(
            fn,
            "a config with use_dynamic_shifting needs the image sequence length (diffusers' set_timesteps needs mu)",
            "none");
      }
      mu = flow->mu(*image_seq_len, options.precision);
    }
    return flow_match_steps<Scalar>(*flow, inference_steps, options, mu);
  }

 private:
  void check_not_flow(const char* fn) const {
    if (flow)
      diffuse::detail::fail<std::invalid_argument>(fn, "a flow-matching config has no betas: use flow_steps()",
                                                   class_name);
  }
};

namespace detail {

using nlohmann::json;

constexpr const char* parse_function = "io::parse_scheduler_config";

/// Throws std::invalid_argument "diffuse::io::parse_scheduler_config: <rule> (got <JSON value>)".
[[noreturn]] inline void reject(const std::string& rule, const json& value) {
  diffuse::detail::raise<std::invalid_argument>(std::string("diffuse::") + parse_function + ": " + rule + " (got " +
                                                value.dump() + ")");
}

/// The text with Python's json constants NaN, Infinity and -Infinity (which diffusers writes, e.g.
/// `"lambda_min_clipped": -Infinity`, and strict JSON lacks) turned into the strings "NaN",
/// "Infinity" and "-Infinity" outside string literals, so that the file parses and a key that
/// needs a number reports the constant as a wrong type.
inline std::string quote_python_constants(const std::string& text) {
  std::string out;
  out.reserve(text.size() + 16);
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) {
        out += text[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    bool replaced = false;
    for (const char* constant : {"-Infinity", "Infinity", "NaN"}) {
      const std::string word = constant;
      if (text.compare(i, word.size(), word) == 0) {
        out += '"' + word + '"';
        i += word.size() - 1;
        replaced = true;
        break;
      }
    }
    if (!replaced) out += c;
  }
  return out;
}

/// How a diffusers scheduler class picks its timesteps, as far as the reader needs to know.
struct SchedulerClass {
  const char* name;
  TimestepSpacing default_spacing;
  bool default_set_alpha_to_one;
  /// Where the class's own set_timesteps/step differs from DDIMScheduler's spacing ("" if it does
  /// not), and the spacing that avoids the difference (or none).
  const char* difference;
  bool same_when_trailing;
  bool same_unless_linspace;
};

inline const SchedulerClass* find_scheduler_class(const std::string& name) {
  static const SchedulerClass classes[] = {
      {"DDPMScheduler", TimestepSpacing::leading, true, "", false, false},
      {"DDIMScheduler", TimestepSpacing::leading, true, "", false, false},
      {"DDPMParallelScheduler", TimestepSpacing::leading, true, "", false, false},
      {"DDIMParallelScheduler", TimestepSpacing::leading, true, "", false, false},
      {"PNDMScheduler", TimestepSpacing::leading, false,
       "adds warm-up steps to this sequence (PRK steps, or one PLMS step visited twice)", false, false},
      {"EulerDiscreteScheduler", TimestepSpacing::linspace, true,
       "uses fractional linspace timesteps (np.linspace, not rounded) and interpolates its sigmas", false, true},
      {"EulerAncestralDiscreteScheduler", TimestepSpacing::linspace, true,
       "uses fractional linspace timesteps (np.linspace, not rounded) and interpolates its sigmas", false, true},
      {"LMSDiscreteScheduler", TimestepSpacing::linspace, true,
       "uses fractional linspace timesteps (np.linspace, not rounded) and interpolates its sigmas", false, true},
      {"HeunDiscreteScheduler", TimestepSpacing::linspace, true,
       "visits each step twice (second order) and uses fractional linspace timesteps", false, false},
      {"KDPM2DiscreteScheduler", TimestepSpacing::linspace, true,
       "visits interpolated steps between these (second order)", false, false},
      {"KDPM2AncestralDiscreteScheduler", TimestepSpacing::linspace, true,
       "visits interpolated steps between these (second order)", false, false},
      {"DPMSolverMultistepScheduler", TimestepSpacing::linspace, true,
       "spaces N + 1 points and drops the last for linspace and leading", true, false},
      {"DPMSolverSinglestepScheduler", TimestepSpacing::linspace, true,
       "spaces N + 1 points and drops the last for linspace and leading", true, false},
      {"DEISMultistepScheduler", TimestepSpacing::linspace, true,
       "spaces N + 1 points and drops the last for linspace and leading", true, false},
      {"UniPCMultistepScheduler", TimestepSpacing::linspace, true,
       "spaces N + 1 points and drops the last for linspace and leading", true, false},
  };
  for (const auto& c : classes) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

/// Keys a diffusers scheduler config may carry that change neither the schedule nor the timesteps
/// diffuse computes (sampler options, bookkeeping).
inline bool is_ignored_key(const std::string& key) {
  static const std::set<std::string> keys = {"_diffusers_version",
                                             "skip_prk_steps",
                                             "clip_sample_range",
                                             "thresholding",
                                             "dynamic_thresholding_ratio",
                                             "sample_max_value",
                                             "variance_type",
                                             "interpolation_type",
                                             "timestep_type",
                                             "sigma_min",
                                             "sigma_max",
                                             "final_sigmas_type",
                                             "solver_order",
                                             "solver_type",
                                             "algorithm_type",
                                             "lower_order_final",
                                             "euler_at_final",
                                             "lambda_min_clipped",
                                             "use_lu_lambdas",
                                             "predict_x0",
                                             "solver_p",
                                             "disable_corrector",
                                             "noise_sampler_seed",
                                             "original_inference_steps",
                                             "timestep_scaling",
                                             "use_karras_sigmas",
                                             "use_exponential_sigmas",
                                             "use_beta_sigmas",
                                             "_name_or_path"};
  return keys.count(key) != 0;
}

/// FlowMatchEulerDiscreteScheduler's keys (its constructor's arguments, diffusers 58eb52c0) into
/// config.flow; `value_of(key, check, kind)` and `finding(what, value)` are the reader's. Keys of
/// other classes are unknown keys (diffusers ignores them with a warning).
template <class ValueOf, class Finding>
void parse_flow_match(const json& root, SchedulerConfig& config, ValueOf value_of, Finding finding) {
  const auto is_integer = [](const json& v) { return v.is_number_integer(); };
  const auto is_number = [](const json& v) { return v.is_number(); };
  const auto is_bool = [](const json& v) { return v.is_boolean(); };
  const auto is_string = [](const json& v) { return v.is_string(); };
  FlowMatchConfig flow;
  if (const json* v = value_of("num_train_timesteps", is_integer, "an integer")) {
    if (v->get<long long>() < 1 || v->get<long long>() > std::numeric_limits<int>::max())
      reject("\"num_train_timesteps\" must be a positive int", *v);
    flow.num_train_timesteps = v->get<int>();
  }
  config.betas.num_train_timesteps = flow.num_train_timesteps;
  const auto number = [&](const char* key, double& out) {
    if (const json* v = value_of(key, is_number, "a number")) out = v->get<double>();
  };
  const auto flag = [&](const char* key, bool& out) {
    if (const json* v = value_of(key, is_bool, "true or false")) out = v->get<bool>();
  };
  number("shift", flow.shift);
  if (!(flow.shift > 0)) reject("\"shift\" must be > 0", root.at("shift"));
  flag("use_dynamic_shifting", flow.use_dynamic_shifting);
  number("base_shift", flow.base_shift);
  number("max_shift", flow.max_shift);
  number("base_image_seq_len", flow.base_image_seq_len);
  number("max_image_seq_len", flow.max_image_seq_len);
  flag("invert_sigmas", flow.invert_sigmas);
  if (const json* v = value_of("shift_terminal", is_number, "null or a number")) {
    if (!(v->get<double>() > 0 && v->get<double>() < 1)) reject("\"shift_terminal\" must be null or in (0, 1)", *v);
    flow.shift_terminal = v->get<double>();
  }
  const std::pair<const char*, FlowSigmaRamp> ramps[] = {{"use_karras_sigmas", FlowSigmaRamp::karras},
                                                         {"use_exponential_sigmas", FlowSigmaRamp::exponential},
                                                         {"use_beta_sigmas", FlowSigmaRamp::beta}};
  for (const auto& ramp : ramps) {
    bool on = false;
    flag(ramp.first, on);
    if (!on) continue;
    if (flow.sigma_ramp != FlowSigmaRamp::none) {
      reject("only one of \"use_karras_sigmas\", \"use_exponential_sigmas\", \"use_beta_sigmas\" may be true",
             root.at(ramp.first));
    }
    flow.sigma_ramp = ramp.second;
  }
  if (const json* v = value_of("time_shift_type", is_string, "a string")) {
    const std::string name = v->get<std::string>();
    if (name != "exponential" && name != "linear")
      reject("unknown \"time_shift_type\"; known: exponential, linear", *v);
    flow.time_shift_type = name == "linear" ? FlowTimeShift::linear : FlowTimeShift::exponential;
  }
  bool stochastic = false;  // a sampler option (re-noising steps): the σ are the same
  flag("stochastic_sampling", stochastic);
  if (root.contains("stochastic_sampling")) config.ignored_keys.push_back("stochastic_sampling");
  if (flow.use_dynamic_shifting) {
    resolution_shift_mu(1, flow.base_image_seq_len, flow.max_image_seq_len, flow.base_shift,
                        flow.max_shift);  // its rules, now
    if (root.contains("shift") && !root.at("shift").is_null() && flow.shift != 1) {
      finding("\"shift\" is not used: \"use_dynamic_shifting\" shifts by mu from the image size (as in diffusers)",
              root.at("shift"));
    }
  }
  static const std::set<std::string> keys = {"_class_name",          "num_train_timesteps", "shift",
                                             "use_dynamic_shifting", "base_shift",          "max_shift",
                                             "base_image_seq_len",   "max_image_seq_len",   "invert_sigmas",
                                             "shift_terminal",       "use_karras_sigmas",   "use_exponential_sigmas",
                                             "use_beta_sigmas",      "time_shift_type",     "stochastic_sampling"};
  for (const auto& item : root.items()) {
    const std::string& key = item.key();
    if (keys.count(key)) continue;
    if (key == "_diffusers_version" || key == "_name_or_path") {
      config.ignored_keys.push_back(key);
    } else {
      finding("unknown key " + diffuse::detail::to_message_value(key) + " for FlowMatchEulerDiscreteScheduler",
              item.value());
    }
  }
  config.flow = flow;
}

}  // namespace detail

/// Reads the text of a diffusers scheduler_config.json (JSON, plus Python's NaN, Infinity and
/// -Infinity, which diffusers writes): num_train_timesteps, beta_start, beta_end,
/// beta_schedule, trained_betas, rescale_betas_zero_snr (the schedule, presets::diffusers),
/// timestep_spacing, steps_offset, prediction_type, set_alpha_to_one, clip_sample (the settings).
/// Keys that do not matter here (`_diffusers_version`, `skip_prk_steps`, `thresholding`,
/// `use_karras_sigmas`, …) go to `ignored_keys`. Findings, listed in `warnings` under
/// ConfigPolicy::report and thrown under ConfigPolicy::strict: an unknown key; beta_* keys that
/// trained_betas overrides; steps_offset with a spacing it does not act on; the deprecated
/// `predict_epsilon` overriding prediction_type; Karras/exponential/beta sigmas; no or an unknown
/// `_class_name` (timestep_spacing then defaults to "leading"); a class whose own sampler visits
/// other steps than DDIMScheduler's spacing (PNDM, Euler with linspace, DPM-Solver, …).
/// @throws std::invalid_argument for text that is not a JSON object, a key given twice, a value of
/// the wrong type, an unknown beta_schedule, timestep_spacing (from timestep_spacing_from_name) or
/// prediction_type, a negative steps_offset, trained_betas
/// whose length is not num_train_timesteps, a schedule the factories reject, and under
/// ConfigPolicy::strict for the first finding.
///
/// A FlowMatchEulerDiscreteScheduler file (SD3, Flux, LTX-Video, …) is read into `flow` instead
/// (its keys: num_train_timesteps, shift, use_dynamic_shifting, base_shift, max_shift,
/// base_image_seq_len, max_image_seq_len, invert_sigmas, shift_terminal, use_karras_sigmas,
/// use_exponential_sigmas, use_beta_sigmas, time_shift_type; stochastic_sampling is ignored) and
/// its steps come from SchedulerConfig::flow_steps. Findings: an unknown key (any other, the beta_*
/// keys included), a `shift` other than 1 that use_dynamic_shifting overrides. Errors, besides the
/// wrong types: shift ≤ 0, shift_terminal outside (0, 1), more than one of the use_*_sigmas true,
/// an unknown time_shift_type, and with use_dynamic_shifting the rules of resolution_shift_mu
/// (sequence lengths > 0, max_image_seq_len > base_image_seq_len).
inline SchedulerConfig parse_scheduler_config(const std::string& text, ConfigPolicy policy = ConfigPolicy::report) {
  using detail::json;
  using detail::reject;
  const char* fn = detail::parse_function;
  std::set<std::string> seen;
  std::string duplicate;
  const json::parser_callback_t callback = [&](int depth, json::parse_event_t event, json& parsed) {
    if (depth == 1 && event == json::parse_event_t::key && !seen.insert(parsed.get<std::string>()).second &&
        duplicate.empty()) {
      duplicate = parsed.get<std::string>();
    }
    return true;
  };
  const json root = json::parse(detail::quote_python_constants(text), callback, /*allow_exceptions=*/false);
  if (root.is_discarded())
    diffuse::detail::fail<std::invalid_argument>(fn, "the text is not valid JSON; its first characters",
                                                 text.substr(0, 40));
  if (!root.is_object()) reject("a scheduler config must be a JSON object", root);
  if (!duplicate.empty()) diffuse::detail::fail<std::invalid_argument>(fn, "a key must not be given twice", duplicate);

  SchedulerConfig config;
  auto finding = [&](const std::string& what, const json& value) {
    config.warnings.push_back(what + " (got " + value.dump() + ")");
  };
  auto present = [&](const char* key) { return root.contains(key) && !root.at(key).is_null(); };
  auto value_of = [&](const char* key, auto check, const char* kind) -> const json* {
    if (!present(key)) {
      config.defaulted_keys.push_back(key);
      return nullptr;
    }
    const json& v = root.at(key);
    if (!check(v)) reject(std::string("\"") + key + "\" must be " + kind, v);
    return &v;
  };
  const auto is_integer = [](const json& v) { return v.is_number_integer(); };
  const auto is_number = [](const json& v) { return v.is_number(); };
  const auto is_string = [](const json& v) { return v.is_string(); };
  const auto is_bool = [](const json& v) { return v.is_boolean(); };
  const long long max_int = std::numeric_limits<int>::max();

  if (present("_class_name")) {
    if (!root.at("_class_name").is_string()) reject("\"_class_name\" must be a string", root.at("_class_name"));
    config.class_name = root.at("_class_name").get<std::string>();
  }
  if (config.class_name == "FlowMatchEulerDiscreteScheduler") {
    detail::parse_flow_match(root, config, value_of, finding);
    if (policy == ConfigPolicy::strict && !config.warnings.empty()) {
      diffuse::detail::raise<std::invalid_argument>(std::string("diffuse::") + fn + ": " + config.warnings.front() +
                                                    " [strict]");
    }
    return config;
  }
  const detail::SchedulerClass* known_class = detail::find_scheduler_class(config.class_name);
  if (config.class_name.empty()) {
    finding("no \"_class_name\": defaults are DDPMScheduler's (timestep_spacing \"leading\")", json());
  } else if (known_class == nullptr) {
    finding(
        "unknown \"_class_name\": defaults are DDPMScheduler's (timestep_spacing \"leading\") and its timesteps are not checked against DDIMScheduler's",
        config.class_name);
  }

  presets::DiffusersBetas& betas = config.betas;
  if (const json* v = value_of("num_train_timesteps", is_integer, "an integer")) {
    if (v->get<long long>() < 1 || v->get<long long>() > max_int)
      reject("\"num_train_timesteps\" must be a positive int", *v);
    betas.num_train_timesteps = v->get<int>();
  }
  if (const json* v = value_of("beta_start", is_number, "a number")) betas.beta_start = v->get<double>();
  if (const json* v = value_of("beta_end", is_number, "a number")) betas.beta_end = v->get<double>();
  if (const json* v = value_of("beta_schedule", is_string, "a string")) betas.beta_schedule = v->get<std::string>();
  if (const json* v = value_of("rescale_betas_zero_snr", is_bool, "true or false"))
    betas.rescale_betas_zero_snr = v->get<bool>();
  if (present("trained_betas")) {
    const json& v = root.at("trained_betas");
    const bool numbers = v.is_array() && std::all_of(v.begin(), v.end(), [](const json& x) { return x.is_number(); });
    if (!numbers || v.empty()) reject("\"trained_betas\" must be null or a non-empty array of numbers", v);
    for (const json& x : v) betas.trained_betas.push_back(x.get<double>());
    for (const char* key : {"beta_schedule", "beta_start", "beta_end"}) {
      if (present(key))
        finding(std::string("\"") + key + "\" is not used: \"trained_betas\" gives the betas", root.at(key));
    }
  }

  if (const json* v = value_of("timestep_spacing", is_string, "a string")) {
    config.timestep_spacing = timestep_spacing_from_name(v->get<std::string>());
  } else if (known_class != nullptr) {
    config.timestep_spacing = known_class->default_spacing;
  }
  if (const json* v = value_of("steps_offset", is_integer, "an integer")) {
    if (v->get<long long>() < 0 || v->get<long long>() > max_int)
      reject("\"steps_offset\" must be a non-negative int", *v);
    config.steps_offset = v->get<int>();
    if (config.steps_offset != 0 && config.timestep_spacing != TimestepSpacing::leading) {
      finding(std::string("\"steps_offset\" has no effect with timestep_spacing \"") +
                  timestep_spacing_name(config.timestep_spacing) + "\" (as in diffusers)",
              *v);
    }
  }
  if (const json* v = value_of("prediction_type", is_string, "a string")) {
    const std::string name = v->get<std::string>();
    if (name != "epsilon" && name != "v_prediction" && name != "sample")
      reject("unknown \"prediction_type\"; known: epsilon, v_prediction, sample", *v);
    config.prediction_type = name;
  }
  if (present("predict_epsilon")) {
    const json& v = root.at("predict_epsilon");
    if (!v.is_boolean()) reject("\"predict_epsilon\" must be true or false", v);
    const std::string implied = v.get<bool>() ? "epsilon" : "sample";
    if (present("prediction_type") && implied != config.prediction_type) {
      finding("deprecated \"predict_epsilon\" overrides \"prediction_type\" \"" + config.prediction_type +
                  "\", as in diffusers",
              v);
    }
    config.prediction_type = implied;
  }
  if (const json* v = value_of("set_alpha_to_one", is_bool, "true or false")) {
    config.set_alpha_to_one = v->get<bool>();
  } else if (known_class != nullptr) {
    config.set_alpha_to_one = known_class->default_set_alpha_to_one;
  }
  if (const json* v = value_of("clip_sample", is_bool, "true or false")) config.clip_sample = v->get<bool>();

  static const std::set<std::string> used = {
      "_class_name",     "num_train_timesteps",    "beta_start",       "beta_end",     "beta_schedule",
      "trained_betas",   "rescale_betas_zero_snr", "timestep_spacing", "steps_offset", "prediction_type",
      "predict_epsilon", "set_alpha_to_one",       "clip_sample"};
  for (const auto& item : root.items()) {
    const std::string& key = item.key();
    if (used.count(key)) continue;
    if (!detail::is_ignored_key(key)) {
      finding("unknown key " + diffuse::detail::to_message_value(key), item.value());
      continue;
    }
    config.ignored_keys.push_back(key);
    const bool other_sigmas = key == "use_karras_sigmas" || key == "use_exponential_sigmas" || key == "use_beta_sigmas";
    if (other_sigmas && item.value().is_boolean() && item.value().get<bool>()) {
      finding(
          diffuse::detail::to_message_value(key) +
              ": the scheduler places its steps by these sigmas, not by timestep_spacing; timesteps() does not reproduce them",
          item.value());
    }
  }
  if (known_class != nullptr && *known_class->difference != '\0') {
    const bool same = (known_class->same_when_trailing && config.timestep_spacing == TimestepSpacing::trailing) ||
                      (known_class->same_unless_linspace && config.timestep_spacing != TimestepSpacing::linspace);
    if (!same) {
      finding(config.class_name + " " + known_class->difference +
                  "; timesteps() gives DDIMScheduler's steps for timestep_spacing \"" +
                  timestep_spacing_name(config.timestep_spacing) + "\"",
              config.class_name);
    }
  }

  presets::diffusers<double>(betas);  // an unknown beta_schedule or an invalid schedule is an error now, not later
  if (policy == ConfigPolicy::strict && !config.warnings.empty()) {
    diffuse::detail::raise<std::invalid_argument>(std::string("diffuse::") + fn + ": " + config.warnings.front() +
                                                  " [strict]");
  }
  return config;
}

/// parse_scheduler_config on the contents of the file at `path`.
/// @throws std::invalid_argument if the file cannot be read, and as parse_scheduler_config.
inline SchedulerConfig read_scheduler_config(const std::string& path, ConfigPolicy policy = ConfigPolicy::report) {
  std::ifstream in(path, std::ios::binary);
  if (!in) diffuse::detail::fail<std::invalid_argument>("io::read_scheduler_config", "cannot open the file", path);
  std::ostringstream text;
  text << in.rdbuf();
  return parse_scheduler_config(text.str(), policy);
}

}  // namespace io
}  // namespace diffuse
