// flow_matching: one training batch of a rectified flow (x_t and the velocity target u = ε − x_0 at
// a reproducible logit-normal t per sample), then the σ a sampler visits for SD3 and Flux at a
// given resolution.
//
//   flow_matching --width 1024 --height 1024 --steps 28
//   flow_matching --width 512 --height 512 --steps 4 --batch 3 --seed 7
#include <diffuse/batch.hpp>
#include <diffuse/draws.hpp>
#include <diffuse/flow.hpp>
#include <diffuse/flow_steps.hpp>
#include <diffuse/noise.hpp>
#include <diffuse/training_time.hpp>

#include <cmath>
#include <cstdint>
#include <exception>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "cli.hpp"

namespace {

const char* const usage =
    "usage: flow_matching [--width W] [--height H] [--steps N] [--batch B] [--seed S]\n"
    "\n"
    "Part 1, training: B samples (default 4) of 8 values each are noised along the rectified flow\n"
    "x_t = (1 - t) x_0 + t eps at a logit-normal t per sample (SD3's default density), and the target\n"
    "u = eps - x_0 is printed next to x_t; t and eps depend only on (seed, sample id).\n"
    "Part 2, sampling: the N + 1 sigmas (default N = 28) of diffusers' FlowMatchEulerDiscreteScheduler\n"
    "for SD3 (static shift 3; as diffusers computes it, and with the shift applied once) and for Flux\n"
    "at W x H pixels (default 1024 x 1024; mu from (W/16)(H/16) latent tokens; with the Flux pipeline's\n"
    "sigmas, and with the scheduler's default ones).\n";

/// Part 1: x_t and the target u for a batch whose times and noise are pure functions of (seed, id).
void training_batch(int batch, std::uint64_t seed) {
  const diffuse::RectifiedFlow<double> flow;
  // The data: any x_0 would do; one column per sample.
  Eigen::MatrixXd x0(8, batch);
  for (int j = 0; j < batch; ++j) {
    for (int r = 0; r < 8; ++r) x0(r, j) = std::sin(0.7 * r + 1.3 * j);
  }
  Eigen::VectorXi ids(batch);
  std::vector<double> times(static_cast<std::size_t>(batch));
  for (int j = 0; j < batch; ++j) {
    ids(j) = j;  // in real training: the sample's index in the data set, so its draws never repeat
    // Two uniform draws of this sample, a standard normal z from them (Box–Muller), and SD3's
    // logit-normal time t = sigmoid(z) (Esser et al. 2024, §3.1).
    const double u1 = diffuse::draw_uniform(seed, static_cast<std::uint64_t>(j), 0);
    const double u2 = diffuse::draw_uniform(seed, static_cast<std::uint64_t>(j), 1);
    const double z = std::sqrt(-2 * std::log(u1)) * std::cos(2 * 3.14159265358979323846 * u2);
    times[static_cast<std::size_t>(j)] = diffuse::logit_normal_time(z).value();
  }
  // x_t = (1 − t) x_0 + t ε with ε drawn for each sample id (the noise contract of noise.hpp) ...
  Eigen::MatrixXd x_t(8, batch), eps(8, batch);
  diffuse::add_noise(flow, x0, diffuse::drawn_noise(seed, ids), times, x_t, eps);
  // ... and the network's regression target, the velocity dx_t/dt = ε − x_0.
  const Eigen::MatrixXd u = diffuse::flow_velocity(x0, eps);
  std::cout << "sample,t,x_t[0],u[0]\n" << std::setprecision(6);
  for (int j = 0; j < batch; ++j)
    std::cout << j << ',' << times[static_cast<std::size_t>(j)] << ',' << x_t(0, j) << ',' << u(0, j) << '\n';
}

/// Part 2: the σ of SD3's and Flux's schedulers for N steps at width × height pixels.
void sampling_sigmas(int width, int height, int steps) {
  diffuse::FlowMatchConfig sd3;  // stabilityai/stable-diffusion-3-medium: shift 3
  sd3.shift = 3.0;
  diffuse::FlowMatchConfig flux;  // black-forest-labs/FLUX.1-dev: μ from the image size
  flux.use_dynamic_shifting = true;
  // Flux's latents are 1/8 of the pixels, packed 2 × 2 into tokens: (W/16)(H/16) tokens.
  const double tokens = std::floor(width / 16.0) * std::floor(height / 16.0);
  const double mu = flux.mu(tokens);
  using diffuse::FlowBaseSigmas;
  using diffuse::FlowShiftConvention;
  const auto sd3_diffusers = diffuse::flow_match_steps(sd3, steps);
  const auto sd3_once = diffuse::flow_match_steps(sd3, steps, {FlowBaseSigmas::scheduler, FlowShiftConvention::single});
  const auto flux_pipeline = diffuse::flow_match_steps(flux, steps, {FlowBaseSigmas::flux_pipeline}, mu);
  const auto flux_default = diffuse::flow_match_steps(flux, steps, {}, mu);
  std::cout << "\n# Flux at " << width << "x" << height << ": " << tokens << " tokens, mu = " << mu << "\n"
            << "i,sd3,sd3_single_shift,flux_pipeline,flux_scheduler_default\n";
  for (int i = 0; i <= steps; ++i) {
    std::cout << i << ',' << sd3_diffusers.sigmas(i) << ',' << sd3_once.sigmas(i) << ',' << flux_pipeline.sigmas(i)
              << ',' << flux_default.sigmas(i) << '\n';
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const diffuse_examples::Arguments args(argc, argv, {"--width", "--height", "--steps", "--batch", "--seed"},
                                           {"--help"});
    if (args.has("--help")) {
      std::cout << usage;
      return 0;
    }
    const int batch = args.integer("--batch", 4);
    if (batch < 1) throw std::invalid_argument("--batch must be at least 1 (got " + std::to_string(batch) + ")");
    const int seed = args.integer("--seed", 0);
    if (seed < 0) throw std::invalid_argument("--seed must be >= 0 (got " + std::to_string(seed) + ")");
    training_batch(batch, static_cast<std::uint64_t>(seed));
    sampling_sigmas(args.integer("--width", 1024), args.integer("--height", 1024), args.integer("--steps", 28));
  } catch (const std::exception& e) {
    std::cerr << "flow_matching: " << e.what() << '\n';
    return 2;
  }
  return 0;
}
