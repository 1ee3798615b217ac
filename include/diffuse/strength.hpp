/// img2img strength and denoise in the three meanings the tools give them: truncate a fixed N (diffusers, stable-diffusion.cpp), build N/d steps and keep the tail (ComfyUI), start at a noise level (stable-diffusion.cpp).
///
/// Each function returns Img2ImgSteps: the noise levels σ the sampler visits from its start (the
/// last one the final level, 0 for the usual schedules), the model timestep of each level but the
/// last, and the number of levels dropped from the front. The input image x₀ is then noised at the
/// first level by `img2img_start_latent`, the model sampling's own noise_scaling (model_sampling.hpp:
/// x₀ + σε for the VE types, (1 − σ)x₀ + σε for flow; diffusers' DDIM/PNDM add_noise at a model
/// timestep τ is the VP form √ᾱ x₀ + √(1 − ᾱ) ε = marginal(schedule, τ + 1, x₀), which is the VE
/// form divided by √(1 + σ²)).
///
/// Sources (read at the commits named; ../shared/NOISE_LEVELS.md #44 summarises them):
/// - diffusers 58eb52c0 `StableDiffusionImg2ImgPipeline.get_timesteps` (also SDXL):
///   init = min(int(N·s), N), start = max(N − init, 0); `StableDiffusion3Img2ImgPipeline` and
///   `FluxImg2ImgPipeline.get_timesteps`: init = min(N·s, N), start = int(max(N − init, 0)). Both
///   form N·s in double: SD keeps ⌊N·s⌋ steps, SD3/Flux keep N − ⌊N − N·s⌋ (one more when N·s is
///   not an integer; N = 10, s = 0.55: SD keeps 5 steps, SD3 6).
/// - ComfyUI a125cd84 `KSampler.set_steps` (comfy/samplers.py) and `BasicScheduler.get_sigmas`
///   (comfy_extras/nodes_custom_sampler.py): denoise d ≤ 0 gives no σ; otherwise, unless d > 0.9999
///   (KSampler) or d ≥ 1 (BasicScheduler), build int(N/d) steps and keep the last N + 1 σ
///   (all of them when the schedule is shorter).
/// - stable-diffusion.cpp 97d29908 `src/stable-diffusion.cpp` (img2img): for strength s < 1,
///   t_enc = (size_t)(N·s) in float32 (N − 1 if that is N, which cannot happen), and the σ from index N − t_enc − 1 on:
///   t_enc + 1 steps. With `strength_as_noise_level`: σ* = noise_level_to_sigma(s) (VE: s/(1 − s),
///   flow: s), start at the first σ_i ≤ σ* (index 0 if none, at most N − 1), and with
///   `force_first_sigma` that first σ replaced by σ*.
///
/// Strength 1 with a VP schedule without zero terminal SNR is not pure noise: the start latent
/// keeps √ᾱ_T of the image (SD 1.5's scaled_linear 1000-step schedule: √ᾱ_T = 0.068265, README).
///
/// Precision: the σ and timesteps are those of the schedule given (exact as their functions state);
/// the step counts are the tools' own double (diffusers, ComfyUI) or float32 (stable-diffusion.cpp)
/// arithmetic, reproduced exactly; σ* = s/(1 − s) is evaluated in detail::Wide from the float s and
/// rounded once (sd.cpp rounds it in float32: within 1 float ulp of this).
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>

#include <Eigen/Core>

#include "detail/checks.hpp"
#include "detail/error.hpp"
#include "detail/shape.hpp"
#include "detail/wide.hpp"
#include "model_sampling.hpp"
#include "sampler_schedules.hpp"

namespace diffuse {

/// The steps of an img2img run: σ from the start level down to the final level, the model timestep of
/// each σ but the last, and how many levels of the full schedule were dropped from its front.
template <class Scalar>
struct Img2ImgSteps {
  Eigen::Matrix<Scalar, Eigen::Dynamic, 1> sigmas;
  Eigen::Matrix<Scalar, Eigen::Dynamic, 1> timesteps;
  int skipped = 0;
  /// The level the input image is noised to: sigmas(0), or 0 when there is no step.
  Scalar start_sigma() const { return sigmas.size() > 0 ? sigmas(0) : Scalar(0); }
};

/// How a diffusers pipeline turns strength s into the first step (file comment).
enum class DiffusersStrength {
  stable_diffusion,  ///< StableDiffusion(XL)Img2ImgPipeline: keep min(int(N·s), N) steps
  flow,              ///< StableDiffusion3Img2ImgPipeline, FluxImg2ImgPipeline: skip int(max(N − N·s, 0)) steps
};

/// Which ComfyUI node applies the denoise value (file comment).
enum class ComfyDenoise {
  ksampler,         ///< KSampler / KSamplerAdvanced: the full schedule when denoise > 0.9999
  basic_scheduler,  ///< BasicScheduler: the full schedule when denoise ≥ 1
};

namespace detail {

/// The σ from index `first` on and the timesteps from `first` on (timesteps has one fewer entry).
template <class Scalar>
Img2ImgSteps<Scalar> tail_steps(const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>& sigmas,
                                const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>& timesteps, Eigen::Index first) {
  Img2ImgSteps<Scalar> steps;
  steps.sigmas = sigmas.tail(sigmas.size() - first);
  steps.timesteps = timesteps.tail(timesteps.size() > first ? timesteps.size() - first : 0);
  steps.skipped = static_cast<int>(first);
  return steps;
}

/// Checks a full schedule: N + 1 σ (N ≥ 1) and N timesteps.
template <class Scalar>
void check_full_schedule(const char* function, const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>& sigmas,
                         const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>& timesteps) {
  check_at_least(function, "the number of sigmas N + 1", sigmas.size(), 2);
  check_count(function, "timesteps", timesteps.size(), sigmas.size() - 1);
}

/// Whether a model sampling noises in flow form, (1 − σ)x₀ + σε.
template <class ModelSampling>
struct is_flow_sampling : std::false_type {};
template <class Scalar>
struct is_flow_sampling<FlowSampling<Scalar>> : std::true_type {};

/// The model timesteps ms.timestep(σ_i) of all σ but the last.
template <class ModelSampling>
Eigen::Matrix<typename ModelSampling::scalar_type, Eigen::Dynamic, 1> timesteps_of(
    const ModelSampling& ms, const Eigen::Matrix<typename ModelSampling::scalar_type, Eigen::Dynamic, 1>& sigmas) {
  Eigen::Matrix<typename ModelSampling::scalar_type, Eigen::Dynamic, 1> timesteps(sigmas.size() > 0 ? sigmas.size() - 1
                                                                                                    : 0);
  for (Eigen::Index i = 0; i < timesteps.size(); ++i) timesteps(i) = ms.timestep(sigmas(i));
  return timesteps;
}

}  // namespace detail

/// diffusers' t_start for N inference steps and strength s: N − min(⌊N·s⌋, N) (stable_diffusion) or
/// ⌊max(N − N·s, 0)⌋ (flow), N·s and N − N·s rounded in double as Python does.
/// @throws std::invalid_argument if N < 1 or unless 0 ≤ s ≤ 1.
inline int diffusers_strength_start(int n, double strength, DiffusersStrength rule) {
  const char* fn = "diffusers_strength_start";
  detail::check_at_least(fn, "the number of inference steps N", n, 1);
  detail::check_in_closed_unit_interval(fn, "strength", strength);
  const double product = static_cast<double>(n) * strength;
  if (rule == DiffusersStrength::stable_diffusion) {
    const int init = std::min(static_cast<int>(product), n);
    return std::max(n - init, 0);
  }
  const double init = std::min(product, static_cast<double>(n));
  return static_cast<int>(std::max(static_cast<double>(n) - init, 0.0));
}

/// diffusers img2img: the N + 1 σ and N timesteps of the scheduler's set_timesteps(N) (e.g.
/// flow_match_steps, or a sampler_sigmas with the model timesteps), from t_start =
/// diffusers_strength_start(N, s, rule) on. Strength 0 leaves only the final σ.
/// @throws std::invalid_argument unless sigmas has N + 1 ≥ 2 entries and timesteps N, or unless 0 ≤ s ≤ 1.
template <class Scalar>
Img2ImgSteps<Scalar> diffusers_strength_steps(const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>& sigmas,
                                              const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>& timesteps,
                                              double strength, DiffusersStrength rule) {
  detail::check_full_schedule("diffusers_strength_steps", sigmas, timesteps);
  return detail::tail_steps(sigmas, timesteps,
                            diffusers_strength_start(static_cast<int>(timesteps.size()), strength, rule));
}

/// ComfyUI's denoise d: the schedule `name` (sampler_sigmas) of int(N/d) steps (N/d in double),
/// its last N + 1 σ, and ms.timestep of each but the last; d ≤ 0 gives no σ at all (ComfyUI's empty
/// tensor), d above the node's threshold the schedule of N steps. `skipped` counts the σ dropped.
/// @throws std::invalid_argument if N < 1, unless 0 ≤ d ≤ 1, if int(N/d) exceeds 2³¹ − 1, or as
/// sampler_sigmas throws.
template <class ModelSampling>
Img2ImgSteps<typename ModelSampling::scalar_type> comfyui_denoise_steps(const ModelSampling& ms,
                                                                        const std::string& name, int n, double denoise,
                                                                        ComfyDenoise node = ComfyDenoise::ksampler) {
  using Scalar = typename ModelSampling::scalar_type;
  const char* fn = "comfyui_denoise_steps";
  detail::check_at_least(fn, "the number of steps N", n, 1);
  detail::check_in_closed_unit_interval(fn, "denoise", denoise);
  Img2ImgSteps<Scalar> steps;
  if (denoise <= 0) return steps;
  const bool full = node == ComfyDenoise::ksampler ? denoise > 0.9999 : denoise >= 1;
  const double total = full ? static_cast<double>(n) : std::floor(static_cast<double>(n) / denoise);
  if (!(total <= 2147483647.0))
    detail::fail<std::invalid_argument>(fn, "int(N / denoise) must be at most 2147483647", total);
  const Eigen::Matrix<Scalar, Eigen::Dynamic, 1> all = sampler_sigmas(ms, name, static_cast<int>(total));
  const Eigen::Index first = all.size() > n + 1 ? all.size() - (n + 1) : 0;
  steps.sigmas = all.tail(all.size() - first);
  steps.timesteps = detail::timesteps_of(ms, steps.sigmas);
  steps.skipped = static_cast<int>(first);
  return steps;
}

/// stable-diffusion.cpp's default img2img strength s: the first index N − t_enc − 1 of its σ,
/// t_enc = (size_t)(N·s) in float32 (s rounded to float, as its API takes it); 0 (the whole
/// schedule) for s = 1, which sd.cpp does not truncate. sd.cpp lowers a t_enc of N to N − 1, which
/// cannot happen: for s < 1 and N exact in float, fl(N·s) < N.
/// @throws std::invalid_argument unless 1 ≤ N ≤ 2²⁴ (beyond, float(N) is not N) or 0 ≤ s ≤ 1.
inline int sdcpp_strength_start(int n, double strength) {
  const char* fn = "sdcpp_strength_start";
  detail::check_at_least(fn, "the number of sample steps N", n, 1);
  if (n > (1 << 24))
    detail::fail<std::invalid_argument>(fn, "the number of sample steps N must be at most 16777216", n);
  detail::check_in_closed_unit_interval(fn, "strength", strength);
  const float s = static_cast<float>(strength);
  if (!(s < 1.0f)) return 0;
  const int t_enc = static_cast<int>(static_cast<float>(n) * s);  // < N: fl(N·s) < N for s < 1, N ≤ 2²⁴
  return n - t_enc - 1;
}

/// stable-diffusion.cpp img2img with its default strength: the σ and timesteps from
/// sdcpp_strength_start(N, s) on (t_enc + 1 steps).
/// @throws std::invalid_argument unless sigmas has N + 1 ≥ 2 entries and timesteps N, or unless 0 ≤ s ≤ 1.
template <class Scalar>
Img2ImgSteps<Scalar> sdcpp_strength_steps(const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>& sigmas,
                                          const Eigen::Matrix<Scalar, Eigen::Dynamic, 1>& timesteps, double strength) {
  detail::check_full_schedule("sdcpp_strength_steps", sigmas, timesteps);
  return detail::tail_steps(sigmas, timesteps, sdcpp_strength_start(static_cast<int>(timesteps.size()), strength));
}

/// stable-diffusion.cpp's `noise_level_to_sigma` for a model sampling: flow σ* = n, the VE types
/// σ* = n/(1 − n) (+∞ at n = 1), n rounded to float first (sd.cpp's float argument).
/// @throws std::invalid_argument unless 0 ≤ n ≤ 1.
template <class ModelSampling>
typename ModelSampling::scalar_type sdcpp_noise_level_sigma(const ModelSampling&, double noise_level) {
  using Scalar = typename ModelSampling::scalar_type;
  detail::check_in_closed_unit_interval("sdcpp_noise_level_sigma", "noise_level", noise_level);
  const detail::Wide level(static_cast<float>(noise_level));
  if (detail::is_flow_sampling<ModelSampling>::value) return static_cast<Scalar>(level);
  if (level == detail::Wide(1)) return std::numeric_limits<Scalar>::infinity();
  return static_cast<Scalar>(level / (1 - level));
}

/// stable-diffusion.cpp img2img with `strength_as_noise_level` (strength = noise level n < 1): start
/// at the first σ_i ≤ σ* = sdcpp_noise_level_sigma(ms, n) (0 if none, at most N − 1: at least one
/// step), and with force_first_sigma replace that first σ by σ* (its timestep is then
/// ms.timestep(σ*)); n = 1 keeps the whole schedule, as sd.cpp (which truncates only below 1).
/// @throws std::invalid_argument unless sigmas has N + 1 ≥ 2 entries and timesteps N, or unless 0 ≤ n ≤ 1.
template <class ModelSampling>
Img2ImgSteps<typename ModelSampling::scalar_type> sdcpp_noise_level_steps(
    const ModelSampling& ms, const Eigen::Matrix<typename ModelSampling::scalar_type, Eigen::Dynamic, 1>& sigmas,
    const Eigen::Matrix<typename ModelSampling::scalar_type, Eigen::Dynamic, 1>& timesteps, double noise_level,
    bool force_first_sigma = false) {
  using Scalar = typename ModelSampling::scalar_type;
  detail::check_full_schedule("sdcpp_noise_level_steps", sigmas, timesteps);
  const Scalar target = sdcpp_noise_level_sigma(ms, noise_level);
  if (!(static_cast<float>(noise_level) < 1.0f)) return detail::tail_steps(sigmas, timesteps, 0);
  Eigen::Index start = 0;
  for (Eigen::Index i = 0; i < sigmas.size(); ++i) {
    if (sigmas(i) <= target) {
      start = i;
      break;
    }
  }
  if (start >= sigmas.size() - 1) start = sigmas.size() - 2;
  Img2ImgSteps<Scalar> steps = detail::tail_steps(sigmas, timesteps, start);
  if (force_first_sigma && target > 0) {
    steps.sigmas(0) = target;
    steps.timesteps(0) = ms.timestep(target);
  }
  return steps;
}

/// The img2img start latent: the input x₀ noised to steps.start_sigma() by the model sampling's
/// noise_scaling (VE x₀ + σε, flow (1 − σ)x₀ + σε; max_denoise: √(1 + σ²)ε, which ComfyUI's KSampler
/// uses when σ ≥ σ_max within 10⁻⁵ relative). No step (denoise 0) returns x₀.
/// @throws as noise_scaling.
template <class ModelSampling, class DerivedNoise, class DerivedLatent>
typename DerivedLatent::PlainObject img2img_start_latent(const ModelSampling& ms,
                                                         const Img2ImgSteps<typename ModelSampling::scalar_type>& steps,
                                                         const Eigen::MatrixBase<DerivedNoise>& noise,
                                                         const Eigen::MatrixBase<DerivedLatent>& latent,
                                                         bool max_denoise = false) {
  if (steps.sigmas.size() == 0) return latent;
  return ms.noise_scaling(steps.start_sigma(), noise, latent, max_denoise);
}

}  // namespace diffuse
