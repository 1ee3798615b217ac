// Prints the steps a sampler visits, as diffusers, improved-diffusion or LDM choose them: CSV `index,t`.
//
// The program is this header's run(), which examples/timesteps.cpp calls from main and the fuzz target
// tests/fuzz/fuzz_example_timesteps.cpp calls as a function.
#pragma once

#include <diffuse/spacing.hpp>

#if __has_include(<nlohmann/json.hpp>)
#include <diffuse/io/scheduler_config.hpp>
#define DIFFUSE_EXAMPLE_HAS_CONFIG 1
#endif

#include <algorithm>
#include <exception>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli.hpp"

namespace diffuse_examples::timesteps {

inline const char* const usage = R"(timesteps: the steps a sampler visits, printed as CSV `index,t`

  timesteps --train-steps T --inference-steps N --spacing linspace|leading|trailing [--steps-offset K]
  timesteps --train-steps T --respace ddimN|C1,C2,...
  timesteps --train-steps T --inference-steps N --ldm uniform|quad
  timesteps --config path/to/scheduler_config.json --inference-steps N

--spacing   diffusers' set_timesteps(N) with timestep_spacing (steps_offset acts on leading only)
--respace   improved-diffusion's space_timesteps: the kept steps, ascending
--ldm       LDM's DDIM discretization (make_ddim_timesteps)
--config    a diffusers scheduler_config.json: its num_train_timesteps, timestep_spacing and
            steps_offset; what the reader reports goes to standard error
Rows are in sampler order (descending), ascending for --respace. `index` is the 0-based step a
model trained with those tools is conditioned on; `t` = index + 1 is diffuse's step (t = 0 is
the data). Bad arguments exit with status 1 and the library's message.
)";

inline void print(const diffuse::Timesteps& steps, std::ostream& out) {
  out << "index,t\n";
  for (std::size_t k = 0; k < steps.size(); ++k) out << steps.index()[k] << ',' << steps.t()[k] << '\n';
}

/// Throws unless exactly the options in `allowed` (among those that select or tune a mode) are given.
inline void only(const diffuse_examples::Arguments& args, const std::string& mode,
                 const std::vector<std::string>& required, const std::vector<std::string>& allowed) {
  for (const auto& name : required) {
    if (!args.has(name)) throw std::invalid_argument(name + " is required with " + mode);
  }
  for (const char* name :
       {"--train-steps", "--inference-steps", "--spacing", "--steps-offset", "--respace", "--ldm", "--config"}) {
    const bool listed = name == mode || std::find(required.begin(), required.end(), name) != required.end() ||
                        std::find(allowed.begin(), allowed.end(), name) != allowed.end();
    if (args.has(name) && !listed) throw std::invalid_argument(std::string(name) + " cannot be combined with " + mode);
  }
}

/// The program: parses argv (argv[0] is the program name), prints to `out`, and on bad input prints
/// "timesteps: <message>" to `err` and returns 1.
inline int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  try {
    const diffuse_examples::Arguments args(
        argc, argv,
        {"--train-steps", "--inference-steps", "--spacing", "--steps-offset", "--respace", "--ldm", "--config"},
        {"--help"});
    if (args.has("--help")) {
      out << usage;
      return 0;
    }
    const int train_steps = args.integer("--train-steps", 0);
    const int inference_steps = args.integer("--inference-steps", 0);
    if (args.has("--config")) {
      only(args, "--config", {"--inference-steps"}, {});
#ifdef DIFFUSE_EXAMPLE_HAS_CONFIG
      const auto config = diffuse::io::read_scheduler_config(args.text("--config", ""));
      for (const auto& warning : config.warnings) err << "timesteps: note: " << warning << '\n';
      print(config.timesteps(inference_steps), out);
      return 0;
#else
      throw std::invalid_argument("--config needs diffuse built with nlohmann-json (Debian: nlohmann-json3-dev)");
#endif
    }
    if (args.has("--respace")) {
      only(args, "--respace", {"--train-steps"}, {});
      print(diffuse::space_timesteps(train_steps, args.text("--respace", "")), out);
    } else if (args.has("--ldm")) {
      only(args, "--ldm", {"--train-steps", "--inference-steps"}, {});
      print(diffuse::ldm_ddim_timesteps(train_steps, inference_steps,
                                        diffuse::ldm_discretization_from_name(args.text("--ldm", ""))),
            out);
    } else if (args.has("--spacing")) {
      only(args, "--spacing", {"--train-steps", "--inference-steps"}, {"--steps-offset"});
      const auto spacing = diffuse::timestep_spacing_from_name(args.text("--spacing", ""));
      print(diffuse::diffusers_timesteps(train_steps, inference_steps, spacing, args.integer("--steps-offset", 0)),
            out);
    } else {
      throw std::invalid_argument("choose one of --spacing, --respace, --ldm or --config (see --help)");
    }
    return 0;
  } catch (const std::exception& e) {
    err << "timesteps: " << e.what() << '\n';
    return 1;
  }
}

}  // namespace diffuse_examples::timesteps
