// Prints the noise levels σ a sampler steps through and the model timestep fed at each, for a model
// family of the preset table (model_presets.hpp), a schedule name, N and a ComfyUI denoise value, as
// CSV `i,sigma,timestep`: hold it against ComfyUI or stable-diffusion.cpp.
//
// The program is this header's run(), which examples/sampler_sigmas.cpp calls from main and the fuzz
// target tests/fuzz/fuzz_example_sampler_sigmas.cpp calls as a function.
#pragma once

#include <diffuse/model_presets.hpp>
#include <diffuse/model_sampling.hpp>
#include <diffuse/sampler_schedules.hpp>
#include <diffuse/strength.hpp>

#include <exception>
#include <iomanip>
#include <ostream>
#include <stdexcept>
#include <string>
#include <variant>

#include <Eigen/Core>

#include "cli.hpp"

namespace diffuse_examples::sampler_sigmas {

inline const char* const usage =
    R"(sampler_sigmas: the sampler's noise levels and model timesteps, printed as CSV `i,sigma,timestep`

  sampler_sigmas [--preset NAME] [--shift S | --mu M] [--schedule NAME] [--steps N] [--denoise D]

--preset    a model family of the preset table (default sd15): sd15, sd2-v, sdxl, sd3, auraflow,
            flux-dev, flux-schnell, flux2, wan21, wan22-t2v-a14b, wan22-i2v-a14b, hunyuan-video,
            ltxv, mochi, lumina2, stable-cascade-c, stable-cascade-b, cosmos-predict2, svd,
            stable-audio
            (--list prints the table with the source of each row)
--shift     override the static shift s of a discrete-flow preset (sd3, auraflow, wan21, ...), or
            the SNR shift k of stable-cascade-c/b (SNR/k^2; ComfyUI's StableCascadeSampling "shift")
--mu        override the mu of a Flux-type preset (flux-dev, flux2, ltxv), e.g. resolution_shift_mu(W*H/256)
--schedule  simple, sgm_uniform, karras, exponential, ddim_uniform, normal, linear_quadratic, beta,
            kl_optimal, laplace, smoothstep, lcm, bong_tangent, logit_normal, sd_turbo (default normal)
--steps     N (default 20)
--denoise   ComfyUI's KSampler denoise D in [0, 1] (1): int(N/D) steps, the last N + 1 sigmas printed
The timestep is the model sampling's timestep(sigma) as ComfyUI computes it (discrete VP: the integer
0-based index of the nearest table entry; our step t is that index + 1). Values are exact
(double, 17 digits). Bad arguments exit with status 1 and the library's message.
)";

/// The preset named on the command line, with the override it allows.
inline diffuse::ModelPreset chosen_preset(const diffuse_examples::Arguments& args) {
  diffuse::ModelPreset preset = diffuse::model_preset(args.text("--preset", "sd15"));
  if (args.has("--shift")) {
    if (preset.kind != diffuse::ModelSamplingKind::discrete_flow &&
        preset.kind != diffuse::ModelSamplingKind::stable_cascade)
      throw std::invalid_argument(
          "--shift goes with a discrete-flow preset (sd3, auraflow, wan21, ...) or stable-cascade-c/b, not " +
          preset.name);
    preset.shift = args.number("--shift", preset.shift);
  }
  if (args.has("--mu")) {
    if (preset.kind != diffuse::ModelSamplingKind::flux)
      throw std::invalid_argument("--mu goes with a Flux-type preset (flux-dev, flux2, ltxv), not " + preset.name);
    preset.mu = args.number("--mu", preset.mu);
  }
  return preset;
}

template <class ModelSampling>
void print(const ModelSampling& ms, const std::string& schedule, int steps, double denoise, std::ostream& out) {
  const Eigen::VectorXd sigmas = diffuse::comfyui_denoise_steps(ms, schedule, steps, denoise).sigmas;
  out << "i,sigma,timestep\n" << std::setprecision(17);
  for (Eigen::Index i = 0; i < sigmas.size(); ++i)
    out << i << ',' << sigmas(i) << ',' << ms.timestep(sigmas(i)) << '\n';
}

/// The preset table as CSV: each row's name and where its values come from.
inline void list_presets(std::ostream& out) {
  out << "name,source\n";
  for (const diffuse::ModelPreset& row : diffuse::model_presets()) out << row.name << ",\"" << row.source << "\"\n";
}

/// The program: parses argv (argv[0] is the program name), prints to `out`, and on bad input prints
/// "sampler_sigmas: <message>" to `err` and returns 1.
inline int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  try {
    const diffuse_examples::Arguments args(
        argc, argv, {"--preset", "--shift", "--mu", "--schedule", "--steps", "--denoise"}, {"--help", "--list"});
    if (args.has("--help")) {
      out << usage;
      return 0;
    }
    if (args.has("--list")) {
      list_presets(out);
      return 0;
    }
    const std::string schedule = args.text("--schedule", "normal");
    const int steps = args.integer("--steps", 20);
    const double denoise = args.number("--denoise", 1);
    const diffuse::AnyModelSampling<double> sampling = diffuse::make_model_sampling<double>(chosen_preset(args));
    std::visit([&](const auto& ms) { print(ms, schedule, steps, denoise, out); }, sampling);
    return 0;
  } catch (const std::exception& e) {
    err << "sampler_sigmas: " << e.what() << '\n';
    return 1;
  }
}

}  // namespace diffuse_examples::sampler_sigmas
