// Fuzz target: io::parse_scheduler_config on arbitrary bytes. It must return a config or throw
// std::invalid_argument with the documented message; strict mode must throw exactly when report
// mode lists a finding; a config read must give a schedule satisfying check_schedule and
// timesteps equal to diffusers_timesteps with its settings (or the documented exception), or, for a
// flow-matching config, steps equal to flow_match_steps with its settings.
//
// Input: the text of a scheduler_config.json (seeds: tests/reference/configs and make_seeds.py).
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include <diffuse/io/scheduler_config.hpp>

#include "fuzz_support.hpp"

namespace {

using diffuse_fuzz::documented;
using diffuse_fuzz::require;

/// Files asking for more steps are skipped: the reader builds the schedule, which is O(T) in time
/// and memory by design, and the rules do not depend on T's size.
constexpr long long max_steps = 4096;

bool too_many_steps(const std::string& text) {
  const nlohmann::json j = nlohmann::json::parse(diffuse::io::detail::quote_python_constants(text), nullptr, false);
  if (!j.is_object()) return false;
  const auto it = j.find("num_train_timesteps");
  return it != j.end() && it->is_number_integer() && it->get<long long>() > max_steps;
}

/// A flow-matching config has no betas; its steps are flow_match_steps with its settings, and with
/// use_dynamic_shifting they need the image sequence length.
void check_flow(const diffuse::io::SchedulerConfig& config) {
  diffuse_fuzz::rejected([&] { config.schedule<double>(); }, "schedule() of a flow-matching config");
  diffuse_fuzz::rejected([&] { config.timesteps(10); }, "timesteps() of a flow-matching config");
  const diffuse::FlowMatchConfig& flow = *config.flow;
  for (int N : {1, 2, 28, 0}) {
    for (const std::optional<double> length : {std::optional<double>(), std::optional<double>(4096.0)}) {
      std::optional<diffuse::FlowSteps<double>> steps;
      if (!documented([&] { steps = config.flow_steps(N, length); })) continue;
      require(length || !flow.use_dynamic_shifting, "use_dynamic_shifting without the image sequence length");
      const std::optional<double> mu =
          flow.use_dynamic_shifting ? std::optional<double>(flow.mu(*length)) : std::nullopt;
      const diffuse::FlowSteps<double> same = diffuse::flow_match_steps(flow, N, {}, mu);
      require(steps->sigmas.size() == N + 1 && steps->timesteps.size() == N, "N + 1 sigmas and N timesteps");
      require(steps->sigmas == same.sigmas && steps->timesteps == same.timesteps,
              "flow_steps(N) is flow_match_steps with the config's settings");
    }
  }
}

void run(const std::string& text) {
  using diffuse::io::ConfigPolicy;
  std::optional<diffuse::io::SchedulerConfig> config;
  const bool read = documented([&] { config = diffuse::io::parse_scheduler_config(text, ConfigPolicy::report); });
  std::optional<diffuse::io::SchedulerConfig> strict;
  std::string strict_message;
  try {
    strict = diffuse::io::parse_scheduler_config(text, ConfigPolicy::strict);
  } catch (const std::invalid_argument& e) {
    diffuse_fuzz::check_message(e);
    strict_message = e.what();
  }
  if (!read) {
    require(!strict, "strict mode accepts what report mode rejects");
    return;
  }
  require(strict.has_value() == config->warnings.empty(), "strict mode throws exactly when there is a finding");
  if (!strict) {
    require(strict_message.find(config->warnings.front()) != std::string::npos &&
                strict_message.find("[strict]") != std::string::npos,
            "strict mode throws the first finding");
  }

  if (config->flow) {
    check_flow(*config);
    return;
  }
  const int T = config->betas.num_train_timesteps;
  require(T >= 1 && config->steps_offset >= 0, "T >= 1 and steps_offset >= 0");
  const std::string& p = config->prediction_type;
  require(p == "epsilon" || p == "v_prediction" || p == "sample", "a known prediction_type");
  diffuse_fuzz::check_schedule(config->schedule<double>(), T);
  diffuse_fuzz::check_schedule(config->schedule<float>(), T);
  for (int N : {1, 2, T / 3, T - 1, T, T + 1, 0}) {
    std::optional<diffuse::Timesteps> ts;
    if (!documented([&] { ts = config->timesteps(N); })) continue;
    diffuse_fuzz::check_timesteps(*ts, T);
    const diffuse::Timesteps same = diffuse::diffusers_timesteps(T, N, config->timestep_spacing, config->steps_offset);
    require(ts->t() == same.t(), "timesteps(N) is diffusers_timesteps with the config's settings");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (too_many_steps(text)) return 0;
  run(text);
  return 0;
}
