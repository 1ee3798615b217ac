// Fuzz target: examples/sampler_sigmas.hpp's run() on arbitrary arguments (the bytes split at NUL
// bytes). It must print its CSV and status 0, or status 1 and one documented message. Printed σ
// must be finite, non-negative and non-increasing, and every timestep finite (but EDM's ¼ ln σ at
// the final σ = 0, which is −∞): a preset, a schedule, a denoise value or a shift override never
// yields NaN.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "../../examples/sampler_sigmas.hpp"

#include "fuzz_examples.hpp"

namespace {

/// True if the run would build more than 4096 σ: --steps N, or int(N/D) for --denoise D (a schedule
/// of 10^9 steps takes its time and memory by design, not by a bug).
bool asks_too_much(const std::vector<std::string>& args) {
  double steps = 20, denoise = 1;
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--steps") steps = std::fmax(steps, std::strtod(args[i + 1].c_str(), nullptr));
    if (args[i] == "--denoise") denoise = std::fmin(denoise, std::strtod(args[i + 1].c_str(), nullptr));
  }
  return !(steps <= 4096) || (denoise > 0 && !(steps / denoise <= 4096));
}

/// The CSV sampler_sigmas printed: σ finite, ≥ 0 and non-increasing, timesteps finite (or −∞ at σ = 0).
void check_table(const std::string& csv) {
  std::istringstream lines(csv);
  std::string line;
  std::getline(lines, line);
  if (line != "i,sigma,timestep") return;  // --help or --list
  double previous = INFINITY;
  while (std::getline(lines, line)) {
    const std::size_t a = line.find(','), b = line.rfind(',');
    diffuse_fuzz::require(a != std::string::npos && b > a, "sampler_sigmas printed a malformed row: " + line);
    const double sigma = std::strtod(line.c_str() + a + 1, nullptr);
    const double timestep = std::strtod(line.c_str() + b + 1, nullptr);
    diffuse_fuzz::require(std::isfinite(sigma) && sigma >= 0 && sigma <= previous,
                          "sampler_sigmas printed a sigma that is not finite, >= 0 and non-increasing: " + line);
    diffuse_fuzz::require(std::isfinite(timestep) || (sigma == 0 && timestep == -INFINITY),
                          "sampler_sigmas printed a timestep that is not finite: " + line);
    previous = sigma;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::string> args = diffuse_fuzz::split_arguments(data, size);
  if (asks_too_much(args)) return 0;
  check_table(diffuse_fuzz::run_example("sampler_sigmas", diffuse_examples::sampler_sigmas::run, args, 1));
  return 0;
}
