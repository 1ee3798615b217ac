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
#include <utility>
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

/// The text as a JSON object, each of its keys given once.
/// @throws std::invalid_argument for text that is not JSON, not an object, or gives a key twice.
inline json parse_object(const std::string& text) {
  const char* fn = parse_function;
  std::set<std::string> seen;
  std::string duplicate;
  const json::parser_callback_t callback = [&](int depth, json::parse_event_t event, json& parsed) {
    if (depth == 1 && event == json::parse_event_t::key && !seen.insert(parsed.get<std::string>()).second &&
        duplicate.empty()) {
      duplicate = parsed.get<std::string>();
    }
    return true;
  };
  json root = json::parse(quote_python_constants(text), callback, /*allow_exceptions=*/false);
  if (root.is_discarded())
    diffuse::detail::fail<std::invalid_argument>(fn, "the text is not valid JSON; its first characters",
                                                 text.substr(0, 40));
  if (!root.is_object()) reject("a scheduler config must be a JSON object", root);
  if (!duplicate.empty()) diffuse::detail::fail<std::invalid_argument>(fn, "a key must not be given twice", duplicate);
  return root;
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

/// One reading of a file: the JSON object and the config it fills.
struct Reading {
  const json& root;
  SchedulerConfig config;

  // A constructor, not aggregate initialisation with {}: g++ 12 -O2 then warns that the config's
  // vectors may be used uninitialised (a false -Wmaybe-uninitialized).
  explicit Reading(const json& file) : root(file) {}

  /// The key is in the file with a value other than null.
  bool present(const char* key) const { return root.contains(key) && !root.at(key).is_null(); }
  /// Lists a finding in config.warnings as "<what> (got <value>)".
  void finding(const std::string& what, const json& value) {
    config.warnings.push_back(what + " (got " + value.dump() + ")");
  }
  /// The flow-matching settings being read (read_flow_match creates them).
  FlowMatchConfig& flow() { return *config.flow; }
};

/// What a key's value must be: `accepts` tells, `kind` names it in the error `"<key>" must be <kind>`.
struct Check {
  bool (*accepts)(const json& value);
  const char* kind;
};
inline Check an_integer() {
  return {[](const json& v) { return v.is_number_integer(); }, "an integer"};
}
inline Check a_number() {
  return {[](const json& v) { return v.is_number(); }, "a number"};
}
inline Check null_or_a_number() {
  return {[](const json& v) { return v.is_number(); }, "null or a number"};
}
inline Check a_string() {
  return {[](const json& v) { return v.is_string(); }, "a string"};
}
inline Check true_or_false() {
  return {[](const json& v) { return v.is_boolean(); }, "true or false"};
}
inline Check null_or_numbers() {
  return {[](const json& v) {
            return v.is_array() && !v.empty() &&
                   std::all_of(v.begin(), v.end(), [](const json& x) { return x.is_number(); });
          },
          "null or a non-empty array of numbers"};
}

/// What an absent (or null) key means: its default, listed in defaulted_keys; or none (_class_name,
/// trained_betas, the deprecated predict_epsilon), not listed.
enum class IfAbsent { defaulted, none };

/// A row of a key table: the key, what its value must be, and what a value that passes sets (after
/// the key's own rules).
struct Key {
  const char* name;
  Check check;
  void (*set)(const json& value, Reading& r);
  IfAbsent if_absent = IfAbsent::defaulted;
};

/// Reads one key of the file by its row.
/// @throws std::invalid_argument for a value that fails the row's check, and as the row's setter.
inline void read_key(const Key& key, Reading& r) {
  if (!r.present(key.name)) {
    if (key.if_absent == IfAbsent::defaulted) r.config.defaulted_keys.push_back(key.name);
    return;
  }
  const json& value = r.root.at(key.name);
  if (!key.check.accepts(value)) reject(std::string("\"") + key.name + "\" must be " + key.check.kind, value);
  key.set(value, r);
}

/// Calls other(key, value) for each key of the file (in nlohmann's sorted order) that is neither
/// `_class_name` nor in `keys`.
template <class Other>
void for_other_keys(const std::vector<Key>& keys, const json& root, Other other) {
  for (const auto& item : root.items()) {
    const auto in_table = [&](const Key& key) { return item.key() == key.name; };
    if (item.key() != "_class_name" && std::none_of(keys.begin(), keys.end(), in_table))
      other(item.key(), item.value());
  }
}

/// An integer value as an int, rejected with `rule` below `least` or above the largest int.
inline int int_at_least(const json& value, long long least, const char* rule) {
  if (value.get<long long>() < least || value.get<long long>() > std::numeric_limits<int>::max()) reject(rule, value);
  return value.get<int>();
}

/// num_train_timesteps, of every class: a positive int.
inline int num_train_timesteps(const json& value) {
  return int_at_least(value, 1, "\"num_train_timesteps\" must be a positive int");
}

/// `_class_name`, read first: it picks the table of the other keys.
inline const Key& class_name_key() {
  static const Key key{"_class_name", a_string(),
                       [](const json& v, Reading& r) { r.config.class_name = v.get<std::string>(); }, IfAbsent::none};
  return key;
}

/// The keys of the DDPM family of schedulers: the schedule (presets::DiffusersBetas) and the timestep
/// settings, in the order they are read (steps_offset's finding needs timestep_spacing,
/// predict_epsilon needs prediction_type).
inline const std::vector<Key>& diffusers_keys() {
  static const std::vector<Key> keys = {
      {"num_train_timesteps", an_integer(),
       [](const json& v, Reading& r) { r.config.betas.num_train_timesteps = num_train_timesteps(v); }},
      {"beta_start", a_number(), [](const json& v, Reading& r) { r.config.betas.beta_start = v.get<double>(); }},
      {"beta_end", a_number(), [](const json& v, Reading& r) { r.config.betas.beta_end = v.get<double>(); }},
      {"beta_schedule", a_string(),
       [](const json& v, Reading& r) { r.config.betas.beta_schedule = v.get<std::string>(); }},
      {"rescale_betas_zero_snr", true_or_false(),
       [](const json& v, Reading& r) { r.config.betas.rescale_betas_zero_snr = v.get<bool>(); }},
      {"trained_betas", null_or_numbers(),
       [](const json& v, Reading& r) {
         for (const json& x : v) r.config.betas.trained_betas.push_back(x.get<double>());
         for (const char* key : {"beta_schedule", "beta_start", "beta_end"}) {
           if (r.present(key))
             r.finding(std::string("\"") + key + "\" is not used: \"trained_betas\" gives the betas", r.root.at(key));
         }
       },
       IfAbsent::none},
      {"timestep_spacing", a_string(),
       [](const json& v, Reading& r) { r.config.timestep_spacing = timestep_spacing_from_name(v.get<std::string>()); }},
      {"steps_offset", an_integer(),
       [](const json& v, Reading& r) {
         r.config.steps_offset = int_at_least(v, 0, "\"steps_offset\" must be a non-negative int");
         if (r.config.steps_offset != 0 && r.config.timestep_spacing != TimestepSpacing::leading) {
           r.finding(std::string("\"steps_offset\" has no effect with timestep_spacing \"") +
                         timestep_spacing_name(r.config.timestep_spacing) + "\" (as in diffusers)",
                     v);
         }
       }},
      {"prediction_type", a_string(),
       [](const json& v, Reading& r) {
         const std::string name = v.get<std::string>();
         if (name != "epsilon" && name != "v_prediction" && name != "sample")
           reject("unknown \"prediction_type\"; known: epsilon, v_prediction, sample", v);
         r.config.prediction_type = name;
       }},
      {"predict_epsilon", true_or_false(),
       [](const json& v, Reading& r) {
         const std::string implied = v.get<bool>() ? "epsilon" : "sample";
         if (r.present("prediction_type") && implied != r.config.prediction_type) {
           r.finding("deprecated \"predict_epsilon\" overrides \"prediction_type\" \"" + r.config.prediction_type +
                         "\", as in diffusers",
                     v);
         }
         r.config.prediction_type = implied;
       },
       IfAbsent::none},
      {"set_alpha_to_one", true_or_false(),
       [](const json& v, Reading& r) { r.config.set_alpha_to_one = v.get<bool>(); }},
      {"clip_sample", true_or_false(), [](const json& v, Reading& r) { r.config.clip_sample = v.get<bool>(); }},
  };
  return keys;
}

/// A finding if the class's own sampler visits other steps than DDIMScheduler's spacing with the
/// file's timestep_spacing.
inline void note_class_difference(const SchedulerClass& known_class, Reading& r) {
  const TimestepSpacing spacing = r.config.timestep_spacing;
  const bool same = *known_class.difference == '\0' ||
                    (known_class.same_when_trailing && spacing == TimestepSpacing::trailing) ||
                    (known_class.same_unless_linspace && spacing != TimestepSpacing::linspace);
  if (!same) {
    r.finding(r.config.class_name + " " + known_class.difference +
                  "; timesteps() gives DDIMScheduler's steps for timestep_spacing \"" + timestep_spacing_name(spacing) +
                  "\"",
              r.config.class_name);
  }
}

/// A file of the DDPM family (every class but FlowMatchEulerDiscreteScheduler) into config.betas and
/// the timestep settings, with the findings parse_scheduler_config lists.
inline void read_diffusers(Reading& r) {
  SchedulerConfig& config = r.config;
  const SchedulerClass* known_class = find_scheduler_class(config.class_name);
  if (config.class_name.empty()) {
    r.finding("no \"_class_name\": defaults are DDPMScheduler's (timestep_spacing \"leading\")", json());
  } else if (known_class == nullptr) {
    r.finding(
        "unknown \"_class_name\": defaults are DDPMScheduler's (timestep_spacing \"leading\") and its timesteps are not checked against DDIMScheduler's",
        config.class_name);
  } else {
    config.timestep_spacing = known_class->default_spacing;
    config.set_alpha_to_one = known_class->default_set_alpha_to_one;
  }
  for (const Key& key : diffusers_keys()) read_key(key, r);
  for_other_keys(diffusers_keys(), r.root, [&](const std::string& key, const json& value) {
    if (!is_ignored_key(key)) {
      r.finding("unknown key " + diffuse::detail::to_message_value(key), value);
      return;
    }
    config.ignored_keys.push_back(key);
    const bool other_sigmas = key == "use_karras_sigmas" || key == "use_exponential_sigmas" || key == "use_beta_sigmas";
    if (other_sigmas && value.is_boolean() && value.get<bool>()) {
      r.finding(
          diffuse::detail::to_message_value(key) +
              ": the scheduler places its steps by these sigmas, not by timestep_spacing; timesteps() does not reproduce them",
          value);
    }
  });
  if (known_class != nullptr) note_class_difference(*known_class, r);
  // An unknown beta_schedule or an invalid schedule is an error now, not later.
  presets::diffusers<double>(config.betas);
}

/// A use_*_sigmas key of a flow-matching config: at most one of them may be true.
inline void set_sigma_ramp(const json& value, Reading& r, FlowSigmaRamp ramp) {
  if (!value.get<bool>()) return;
  if (r.flow().sigma_ramp != FlowSigmaRamp::none)
    reject("only one of \"use_karras_sigmas\", \"use_exponential_sigmas\", \"use_beta_sigmas\" may be true", value);
  r.flow().sigma_ramp = ramp;
}

/// FlowMatchEulerDiscreteScheduler's keys (its constructor's arguments, diffusers 58eb52c0), in the
/// order they are read (the use_*_sigmas exclude each other in this order).
inline const std::vector<Key>& flow_match_keys() {
  static const std::vector<Key> keys = {
      {"num_train_timesteps", an_integer(),
       [](const json& v, Reading& r) {
         r.config.betas.num_train_timesteps = r.flow().num_train_timesteps = num_train_timesteps(v);
       }},
      {"shift", a_number(),
       [](const json& v, Reading& r) {
         if (!(v.get<double>() > 0)) reject("\"shift\" must be > 0", v);
         r.flow().shift = v.get<double>();
       }},
      {"use_dynamic_shifting", true_or_false(),
       [](const json& v, Reading& r) { r.flow().use_dynamic_shifting = v.get<bool>(); }},
      {"base_shift", a_number(), [](const json& v, Reading& r) { r.flow().base_shift = v.get<double>(); }},
      {"max_shift", a_number(), [](const json& v, Reading& r) { r.flow().max_shift = v.get<double>(); }},
      {"base_image_seq_len", a_number(),
       [](const json& v, Reading& r) { r.flow().base_image_seq_len = v.get<double>(); }},
      {"max_image_seq_len", a_number(),
       [](const json& v, Reading& r) { r.flow().max_image_seq_len = v.get<double>(); }},
      {"invert_sigmas", true_or_false(), [](const json& v, Reading& r) { r.flow().invert_sigmas = v.get<bool>(); }},
      {"shift_terminal", null_or_a_number(),
       [](const json& v, Reading& r) {
         if (!(v.get<double>() > 0 && v.get<double>() < 1)) reject("\"shift_terminal\" must be null or in (0, 1)", v);
         r.flow().shift_terminal = v.get<double>();
       }},
      {"use_karras_sigmas", true_or_false(),
       [](const json& v, Reading& r) { set_sigma_ramp(v, r, FlowSigmaRamp::karras); }},
      {"use_exponential_sigmas", true_or_false(),
       [](const json& v, Reading& r) { set_sigma_ramp(v, r, FlowSigmaRamp::exponential); }},
      {"use_beta_sigmas", true_or_false(),
       [](const json& v, Reading& r) { set_sigma_ramp(v, r, FlowSigmaRamp::beta); }},
      {"time_shift_type", a_string(),
       [](const json& v, Reading& r) {
         const std::string name = v.get<std::string>();
         if (name != "exponential" && name != "linear")
           reject("unknown \"time_shift_type\"; known: exponential, linear", v);
         r.flow().time_shift_type = name == "linear" ? FlowTimeShift::linear : FlowTimeShift::exponential;
       }},
      // A sampler option (re-noising steps): the σ are the same. Listed in ignored_keys by read_flow_match.
      {"stochastic_sampling", true_or_false(), [](const json&, Reading&) {}},
  };
  return keys;
}

/// A FlowMatchEulerDiscreteScheduler file into config.flow. Keys of other classes are unknown keys
/// (diffusers ignores them with a warning).
inline void read_flow_match(Reading& r) {
  r.config.flow.emplace();
  for (const Key& key : flow_match_keys()) read_key(key, r);
  if (r.root.contains("stochastic_sampling")) r.config.ignored_keys.push_back("stochastic_sampling");
  const FlowMatchConfig& flow = r.flow();
  if (flow.use_dynamic_shifting) {
    resolution_shift_mu(1, flow.base_image_seq_len, flow.max_image_seq_len, flow.base_shift,
                        flow.max_shift);  // its rules, now
    if (r.present("shift") && flow.shift != 1) {
      r.finding("\"shift\" is not used: \"use_dynamic_shifting\" shifts by mu from the image size (as in diffusers)",
                r.root.at("shift"));
    }
  }
  for_other_keys(flow_match_keys(), r.root, [&](const std::string& key, const json& value) {
    if (key == "_diffusers_version" || key == "_name_or_path") {
      r.config.ignored_keys.push_back(key);
    } else {
      r.finding("unknown key " + diffuse::detail::to_message_value(key) + " for FlowMatchEulerDiscreteScheduler",
                value);
    }
  });
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
  const detail::json root = detail::parse_object(text);
  detail::Reading r(root);
  detail::read_key(detail::class_name_key(), r);
  if (r.config.class_name == "FlowMatchEulerDiscreteScheduler") {
    detail::read_flow_match(r);
  } else {
    detail::read_diffusers(r);
  }
  if (policy == ConfigPolicy::strict && !r.config.warnings.empty()) {
    diffuse::detail::raise<std::invalid_argument>(std::string("diffuse::") + detail::parse_function + ": " +
                                                  r.config.warnings.front() + " [strict]");
  }
  return std::move(r.config);
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
