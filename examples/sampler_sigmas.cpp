// Prints the noise levels σ a sampler steps through and the model timestep fed at each, for a model
// sampling, a schedule name, N and a ComfyUI denoise value, as CSV `i,sigma,timestep`: hold it against
// ComfyUI or stable-diffusion.cpp.
#include <diffuse/model_sampling.hpp>
#include <diffuse/sampler_schedules.hpp>
#include <diffuse/strength.hpp>

#include <exception>
#include <iomanip>
#include <iostream>
#include <string>

#include <Eigen/Core>

#include "cli.hpp"

namespace {

const char* const usage =
    R"(sampler_sigmas: the sampler's noise levels and model timesteps, printed as CSV `i,sigma,timestep`

  sampler_sigmas --model sd15|sd3|flux|edm|stable_audio [--shift S] [--mu M] --schedule NAME --steps N [--denoise D]

--model     sd15: discrete VP, SD 1.5 / SDXL table (scaled_linear 0.00085..0.012, T = 1000);
            sd3: flow, shift S (3), timestep multiplier 1000; flux: flow, mu M (1.15), multiplier 1;
            edm: EDM, sigma 0.002..120; stable_audio: continuous V, sigma 0.03..500
--schedule  simple, sgm_uniform, karras, exponential, ddim_uniform, normal, linear_quadratic,
            kl_optimal, laplace, smoothstep, lcm, bong_tangent, logit_normal, sd_turbo
--denoise   ComfyUI's KSampler denoise D in [0, 1] (1): int(N/D) steps, the last N + 1 sigmas printed
The timestep is the model sampling's timestep(sigma) as ComfyUI computes it (sd15: the integer
0-based index of the nearest table entry; our step t is that index + 1). Values are exact
(double, 17 digits). Bad arguments exit with status 1 and the library's message.
)";

template <class ModelSampling>
void print(const ModelSampling& ms, const std::string& schedule, int steps, double denoise) {
  const Eigen::VectorXd sigmas = diffuse::comfyui_denoise_steps(ms, schedule, steps, denoise).sigmas;
  std::cout << "i,sigma,timestep\n" << std::setprecision(17);
  for (Eigen::Index i = 0; i < sigmas.size(); ++i)
    std::cout << i << ',' << sigmas(i) << ',' << ms.timestep(sigmas(i)) << '\n';
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const diffuse_examples::Arguments args(
        argc, argv, {"--model", "--shift", "--mu", "--schedule", "--steps", "--denoise"}, {"--help"});
    if (args.has("--help")) {
      std::cout << usage;
      return 0;
    }
    const std::string model = args.text("--model", "sd15"), schedule = args.text("--schedule", "normal");
    const int steps = args.integer("--steps", 20);
    const double denoise = args.number("--denoise", 1);
    if (args.has("--shift") && model != "sd3") throw std::invalid_argument("--shift goes with --model sd3");
    if (args.has("--mu") && model != "flux") throw std::invalid_argument("--mu goes with --model flux");
    if (model == "sd15") {
      print(diffuse::DiscreteVpSampling<double>(diffuse::Schedule<double>::scaled_linear(1000)), schedule, steps,
            denoise);
    } else if (model == "sd3") {
      print(diffuse::FlowSampling<double>(args.number("--shift", 3), 1000), schedule, steps, denoise);
    } else if (model == "flux") {
      print(diffuse::FlowSampling<double>::flux(args.number("--mu", 1.15)), schedule, steps, denoise);
    } else if (model == "edm") {
      print(diffuse::EdmSampling<double>(0.002, 120), schedule, steps, denoise);
    } else if (model == "stable_audio") {
      print(diffuse::ContinuousVSampling<double>(0.03, 500), schedule, steps, denoise);
    } else {
      throw std::invalid_argument("unknown --model '" + model + "' (see --help)");
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "sampler_sigmas: " << e.what() << '\n';
    return 1;
  }
}
