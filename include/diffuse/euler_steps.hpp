/// The sampling steps of diffusers' EulerDiscreteScheduler on a discrete VP schedule: the σ and model timesteps of set_timesteps(N), exactly or as diffusers rounds them.
///
/// What EulerDiscreteScheduler(config).set_timesteps(N) computes (diffusers src/diffusers/schedulers/
/// scheduling_euler_discrete.py, read at 58eb52c0), with u the model timestep (diffusers' 0-based
/// table index: u = i is our step t = i + 1; t = 0 is the data):
///  1. the table σ_u = √((1 − ᾱ_{u+1})/ᾱ_{u+1}), u = 0..T − 1, from the β of presets::diffusers
///     (beta_schedule, trained_betas, rescale_betas_zero_snr); with zero terminal SNR diffusers sets
///     ᾱ_T = 2⁻²⁴, so σ_{T−1} = √(2²⁴ − 1) = 4096.0 (not ∞), and so does this function;
///  2. N timesteps by timestep_spacing: "linspace" u_j = (T − 1)(N − 1 − j)/(N − 1), fractional (no
///     rounding, unlike DDPM/DDIM; N = 1: u = 0); "leading" u_j = (N − 1 − j)(T // N) + steps_offset;
///     "trailing" round(T − jT/N) − 1 (diffusers_timesteps); steps_offset acts on "leading" only;
///  3. interpolation_type "linear": σ_j = the table's σ linearly interpolated at u_j (np.interp, in σ,
///     not log σ); "log_linear": N + 1 σ, exp of linspace(log σ_{T−1}, log σ_0, N + 1) (so, as in
///     diffusers, N + 2 σ with the final one and N timesteps);
///  4. use_karras_sigmas (ρ = 7), use_exponential_sigmas, use_beta_sigmas (α = β = 0.6): N σ in σ
///     space between σ_min = config.sigma_min or the last σ of step 3 and σ_max = config.sigma_max or
///     the first (the interpolated inference σ, not the table's σ_0 and σ_{T−1}), the same ramps as
///     flow_steps.hpp's; then each timestep is `_sigma_to_t(σ)`: u = lo + (log σ − log σ_lo)/(log
///     σ_{lo+1} − log σ_lo) for the table entry lo below, clamped to [0, T − 1];
///  5. the final σ: 0 ("zero") or the table's σ_0 ("sigma_min").
/// prediction_type does not change σ or the timesteps (only timestep_type "continuous" with
/// v_prediction does, timesteps ¼ log σ; not offered here).
///
/// Not ComfyUI's: ComfyUI's "karras" (sampler_schedules.hpp, karras_sigmas) spans the model's table
/// ends σ_0 … σ_{T−1} and its "beta" (beta_sigmas) picks table timesteps by beta quantiles; diffusers'
/// ramps here span the interpolated inference σ (for SD 1.5 at "linspace" the same ends; at
/// "leading" with steps_offset = 1 and N = 28 σ_max = σ_{946}), and its timesteps are fractional.
///
/// Precision: the table's log σ (½ log expm1(−log ᾱ), schedule.hpp's Wide core), the interpolation,
/// the ramp (flow_steps.hpp's bounds: the Karras power within (16·7|log σ| + 12)u, exp/log 16u,
/// u = 2⁻¹²⁸) and the log-σ interpolation of step 4 are evaluated in detail::Wide from the decimal
/// parameters and rounded once: every σ is within 2⁻¹⁰⁰ relative and every timestep within 2⁻¹⁰⁰
/// relative or 2⁻¹¹⁰ absolute of the exact value before that rounding (docs/precision.md), but for
/// the beta ramp, whose quantile (detail/beta_quantile.hpp) is a double within 2⁻⁵¹ relative: its σ
/// within 4 ulp of double, its timesteps within 2⁻⁵¹ over the table's smallest log σ step
/// (1.4·10⁻¹³ for SD 1.5). A ramp's ends are its ends exactly, and a σ whose log is within 2⁻¹¹⁰ of
/// a table entry's gets that entry's integer timestep (exp and log in Wide return it within 2⁻¹²⁰).
/// diffusers computes the table in torch float32 and the rest in numpy float64/float32 (np.log of the
/// float32 table). Its float32 σ are within ½·2⁻²⁵·max_t t/(1 − ᾱ_t)/(1 − β_T) relative of the exact
/// ones (each α_t = 1 − β_t rounded to float32): 1.8·10⁻⁵, 304 float32 ulps, for SD 1.5 (measured:
/// 203 on SD 1.5 and its zero-terminal-SNR rescale, N ≤ 50); its timesteps within 2⁻⁶ absolute
/// (measured: 0.0016), that over the smallest step 0.00327 of SD 1.5's log σ.
///
/// FlowPrecision::diffusers_float32 replays diffusers' arithmetic operation by operation, each IEEE
/// operation emulated in Wide and rounded once: the table as torch 1.13 builds it on an AVX2 CPU
/// (torch.linspace's 8-lane blocks, see torch_linspace_float32; the cumprod accumulated in double),
/// np.interp, the ramps in float64 (flow_steps.hpp's), `_sigma_to_t` with numpy 1.x's value-based
/// casting (the float64 log σ meets the float32 table as float32: numpy 2 would keep float64), the
/// float32 results. libm's and numpy's functions are taken correctly rounded, and there it can differ
/// from diffusers: numpy's SIMD float32 log of the table (within 3.83 ulps) moves a ramp's fractional
/// timesteps by up to 2.6·10⁻³, torch's float32 exp (Sleef, 1 ulp) log_linear's σ by an ulp.
/// Against diffusers' own output (58eb52c0, torch 1.13 running its AVX2 kernels, numpy 1.24.2; 20
/// cases, N ≤ 50, tests/reference/euler_diffusers.txt) every σ but 8 of log_linear's and every
/// timestep without a ramp are equal bit for bit, 4629 of 4747 values in all, the rest within those
/// bounds; and every ramp timestep equals diffusers' own `_sigma_to_t` given the correctly rounded
/// float32 log table (tests/test_euler_steps.cpp). A torch that ran 16-lane AVX-512 kernels would
/// round torch.linspace differently (157 of SD 1.5's 1000 β in this model of it).
#pragma once

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "detail/checks.hpp"
#include "detail/error.hpp"
#include "detail/wide.hpp"
#include "detail/wide_math.hpp"
#include "flow_steps.hpp"
#include "presets.hpp"
#include "sigma_schedules.hpp"
#include "spacing.hpp"

namespace diffuse {

/// diffusers' `interpolation_type`: how the N inference σ are read off the table.
enum class EulerInterpolation {
  linear,      ///< np.interp of σ at the timesteps
  log_linear,  ///< exp(linspace(log σ_{T−1}, log σ_0, N + 1)), whatever the timesteps
};

/// diffusers' `final_sigmas_type`: the σ appended after the N steps.
enum class FinalSigma {
  zero,       ///< 0
  sigma_min,  ///< the table's σ_0 (our step 1)
};

/// The interpolation named "linear" or "log_linear".
/// @throws std::invalid_argument naming any other string.
inline EulerInterpolation euler_interpolation_from_name(const std::string& name) {
  if (name == "linear") return EulerInterpolation::linear;
  if (name == "log_linear") return EulerInterpolation::log_linear;
  detail::fail<std::invalid_argument>("euler_interpolation_from_name",
                                      "unknown interpolation_type; known: linear, log_linear", name);
}

/// The final σ type named "zero" or "sigma_min".
/// @throws std::invalid_argument naming any other string.
inline FinalSigma final_sigma_from_name(const std::string& name) {
  if (name == "zero") return FinalSigma::zero;
  if (name == "sigma_min") return FinalSigma::sigma_min;
  detail::fail<std::invalid_argument>("final_sigma_from_name", "unknown final_sigmas_type; known: zero, sigma_min",
                                      name);
}

/// The ramp of a scheduler_config.json's use_karras_sigmas, use_exponential_sigmas, use_beta_sigmas.
/// @throws std::invalid_argument if more than one is true (diffusers refuses that too).
inline FlowSigmaRamp sigma_ramp_from_flags(bool use_karras_sigmas, bool use_exponential_sigmas, bool use_beta_sigmas) {
  const int count = int(use_karras_sigmas) + int(use_exponential_sigmas) + int(use_beta_sigmas);
  if (count > 1) {
    detail::fail<std::invalid_argument>(
        "sigma_ramp_from_flags",
        "at most one of use_karras_sigmas, use_exponential_sigmas, use_beta_sigmas may be true; number true", count);
  }
  if (use_karras_sigmas) return FlowSigmaRamp::karras;
  if (use_exponential_sigmas) return FlowSigmaRamp::exponential;
  return use_beta_sigmas ? FlowSigmaRamp::beta : FlowSigmaRamp::none;
}

/// EulerDiscreteScheduler's constructor settings that place its steps, with diffusers' defaults
/// (scheduler_config.json's keys; the β keys are presets::DiffusersBetas', whose defaults are the
/// same: T = 1000, "linear" 0.0001 to 0.02).
struct EulerDiscreteConfig {
  presets::DiffusersBetas
      betas;  ///< num_train_timesteps, beta_start/end, beta_schedule, trained_betas, rescale_betas_zero_snr
  TimestepSpacing timestep_spacing = TimestepSpacing::linspace;
  int steps_offset = 0;  ///< added to "leading" timesteps only
  EulerInterpolation interpolation_type = EulerInterpolation::linear;
  FlowSigmaRamp sigma_ramp = FlowSigmaRamp::none;  ///< sigma_ramp_from_flags(use_karras_sigmas, …)
  FinalSigma final_sigmas_type = FinalSigma::zero;
  std::optional<double> sigma_min;  ///< the ramp's low end instead of the last inference σ
  std::optional<double> sigma_max;  ///< the ramp's high end instead of the first inference σ
};

namespace detail {

/// log σ_u of diffusers' table, u = 0..T − 1 (our t = u + 1), with ᾱ_T = 2⁻²⁴ at zero terminal SNR.
inline std::vector<Wide> euler_log_sigma_table(const Schedule<double>& schedule) {
  std::vector<Wide> table;
  for (int t = 1; t <= schedule.steps(); ++t) {
    const Wide log_sigma = schedule_log_sigma(schedule, t);
    table.push_back(log_sigma.is_infinite() ? ldexp(log(ldexp(Wide(1), 24) - Wide(1)), -1) : log_sigma);
  }
  return table;
}

/// diffusers `_sigma_to_t`: u = lo + (log σ − L_lo)/(L_{lo+1} − L_lo), lo the last entry with L_lo ≤
/// log σ (at most T − 2), clamped to [0, T − 1]; 0 for σ = 0 (diffusers' max(σ, 1e-10)). A log σ
/// within 2⁻¹¹⁰ (relative, or absolute below 1) of a table entry gives that entry's integer u.
inline Wide euler_sigma_to_t(const std::vector<Wide>& table, const Wide& sigma) {
  const int last = static_cast<int>(table.size()) - 1;
  if (sigma.is_zero() || last == 0) return Wide();
  const Wide x = log(sigma);
  if (x <= table.front() + ldexp(max(abs(x), Wide(1)), -110)) return Wide();
  if (x >= table.back()) return Wide(last);
  int lo = 0, hi = last;
  while (hi - lo > 1) {
    const int mid = lo + (hi - lo) / 2;
    (table[static_cast<std::size_t>(mid)] <= x ? lo : hi) = mid;
  }
  const Wide &low = table[static_cast<std::size_t>(lo)], &high = table[static_cast<std::size_t>(lo + 1)];
  // A table σ (a ramp's end) comes back through exp and log within 2⁻¹²⁰: snap it to its step.
  const Wide near = ldexp(max(abs(x), Wide(1)), -110);
  if (abs(x - low) <= near) return Wide(lo);
  if (abs(high - x) <= near) return Wide(lo + 1);
  return Wide(lo) + (x - low) / (high - low);
}

/// The ramp runs from its σ_max down to its σ_min: sigma_min ≤ sigma_max.
inline void check_ramp_ends(const char* fn, const Wide& low, const Wide& high) {
  if (low > high) {
    fail<std::invalid_argument>(
        fn, "the ramp's sigma_min must be <= its sigma_max = " + to_message_value(static_cast<double>(high)),
        static_cast<double>(low));
  }
}

/// torch.linspace(start, end, count, dtype=float32) as torch 1.13's CPU kernel computes it on an AVX2
/// machine: step = (end − start)/(count − 1) in float32; in blocks of 8 (the vectorised loop, while
/// 16 values remain) the block's first value fma(step, i, start) (or end − step·(count − 1 − i)
/// from the second half on, fused: the scalar code is contracted) and then base + k·step (two
/// roundings); the rest one by one, fused. start and end are float32 values.
inline std::vector<float> torch_linspace_float32(float start, float end, int count) {
  std::vector<float> out(static_cast<std::size_t>(count), start);
  if (count == 1) return out;
  const float step = f32(Wide(f32(Wide(end) - Wide(start))) / Wide(count - 1));
  const int halfway = count / 2, lanes = 8, vectorised = count / (2 * lanes) * (2 * lanes);
  const auto fused = [&](int i) {
    return i < halfway ? f32(Wide(step) * Wide(i) + Wide(start)) : f32(Wide(end) - Wide(step) * Wide(count - 1 - i));
  };
  for (int i = 0; i < count; ++i) {
    const int block = i < vectorised ? i - i % lanes : i;
    const float base = fused(block);
    out[static_cast<std::size_t>(i)] = i == block ? base : f32(Wide(base) + Wide(f32(Wide(i - block) * Wide(step))));
  }
  return out;
}

/// diffusers' float32 table σ_u, u = 0..T − 1: β in torch float32 (linear: torch.linspace of the
/// ends; scaled_linear: of their square roots, squared; trained_betas rounded), the zero-terminal-SNR
/// rescale in float32 (rescale_zero_terminal_snr), ᾱ = torch.cumprod of the float32 α (accumulated
/// in double, each ᾱ rounded to float32), ᾱ_T = 2⁻²⁴ with the rescale, σ = √((1 − ᾱ)/ᾱ) in float32.
inline std::vector<float> euler_float32_sigma_table(const char* fn, const presets::DiffusersBetas& config) {
  const int steps = config.num_train_timesteps;
  std::vector<float> beta;
  if (!config.trained_betas.empty()) {
    if (static_cast<long long>(config.trained_betas.size()) != steps)
      fail<std::invalid_argument>(fn,
                                  "trained_betas must have num_train_timesteps = " + std::to_string(steps) + " values",
                                  config.trained_betas.size());
    for (double b : config.trained_betas) beta.push_back(static_cast<float>(b));
  } else if (config.beta_schedule == "linear") {
    beta = torch_linspace_float32(static_cast<float>(config.beta_start), static_cast<float>(config.beta_end), steps);
  } else if (config.beta_schedule == "scaled_linear") {  // beta_start**0.5 in double, then float32
    beta = torch_linspace_float32(f32(Wide(f64(sqrt(Wide(config.beta_start))))),
                                  f32(Wide(f64(sqrt(Wide(config.beta_end))))), steps);
    for (float& b : beta) b = f32(Wide(b) * Wide(b));
  } else {
    fail<std::invalid_argument>(fn,
                                "diffusers_float32 knows the beta_schedule linear and scaled_linear (or trained_betas)",
                                config.beta_schedule);
  }
  const auto cumprod = [](const std::vector<float>& alpha) {
    std::vector<float> out;
    double product = 1;
    for (float a : alpha) {
      product = f64(Wide(product) * Wide(a));
      out.push_back(static_cast<float>(product));
    }
    return out;
  };
  const auto one_minus = [](std::vector<float> x) {
    for (float& v : x) v = f32(Wide(1) - Wide(v));
    return x;
  };
  if (config.rescale_betas_zero_snr) {
    std::vector<float> root = cumprod(one_minus(beta));
    for (float& r : root) r = f32(sqrt(Wide(r)));
    const float first = root.front(), last = root.back();
    const float scale = f32(Wide(first) / Wide(f32(Wide(first) - Wide(last))));
    std::vector<float> alpha_bar;
    for (float r : root) {
      const float shifted = f32(Wide(f32(Wide(r) - Wide(last))) * Wide(scale));
      alpha_bar.push_back(f32(Wide(shifted) * Wide(shifted)));
    }
    std::vector<float> alpha{alpha_bar.front()};
    for (std::size_t i = 1; i < alpha_bar.size(); ++i)
      alpha.push_back(f32(Wide(alpha_bar[i]) / Wide(alpha_bar[i - 1])));
    beta = one_minus(alpha);
  }
  std::vector<float> alpha_bar = cumprod(one_minus(beta));
  if (config.rescale_betas_zero_snr) alpha_bar.back() = std::ldexp(1.0f, -24);
  std::vector<float> sigma;
  for (float a : alpha_bar) sigma.push_back(f32(sqrt(Wide(f32(Wide(f32(Wide(1) - Wide(a))) / Wide(a))))));
  return sigma;
}

/// diffusers `_sigma_to_t` in numpy 1.x (value-based casting: a float64 scalar meets the float32
/// log σ table as float32): x = log max(σ, 1e-10) in float64, lo the last entry with L_lo ≤
/// float32(x) (0 if none, at most T − 2), w = (L_lo − x)/(L_lo − L_{lo+1}) in float32, clipped to
/// [0, 1], u = (1 − w)·lo + w·(lo + 1) in float64. L = float32 log of the float32 σ table.
inline double euler_float32_sigma_to_t(const std::vector<float>& log_table, double sigma) {
  const int last = static_cast<int>(log_table.size()) - 1;
  const float x = static_cast<float>(f64(log(Wide(sigma < 1e-10 ? 1e-10 : sigma))));
  int lo = 0;
  for (int i = 0; i <= last; ++i)
    if (log_table[static_cast<std::size_t>(i)] <= x) lo = i;
  if (lo > last - 1) lo = last - 1;
  if (lo < 0) return 0;  // T = 1
  const float low = log_table[static_cast<std::size_t>(lo)], high = log_table[static_cast<std::size_t>(lo + 1)];
  float w = f32(Wide(f32(Wide(low) - Wide(x))) / Wide(f32(Wide(low) - Wide(high))));
  w = w < 0 ? 0.0f : (w > 1 ? 1.0f : w);
  return f64(Wide(f64(Wide(f32(Wide(1) - Wide(w))) * Wide(lo))) + Wide(f64(Wide(w) * Wide(lo + 1))));
}

/// set_timesteps in diffusers' arithmetic (see euler_discrete_steps), from the checked config and the
/// integer timesteps of "leading" and "trailing" spacing (`whole`).
template <class Scalar>
FlowSteps<Scalar> euler_float32_steps(const char* fn, const EulerDiscreteConfig& config, int n,
                                      const std::vector<long long>& whole) {
  const int big_t = config.betas.num_train_timesteps;
  const std::vector<float> table = euler_float32_sigma_table(fn, config.betas);
  std::vector<float> log_table;  // np.log of the float32 table: float32
  for (float sigma : table) log_table.push_back(f32(log(Wide(sigma))));
  // The timesteps, float32: np.linspace(0, T − 1, N, dtype=float32)[::-1], or the integers.
  std::vector<float> timesteps(static_cast<std::size_t>(n));
  const std::vector<double> grid = numpy_linspace(0, big_t - 1, n);
  for (int j = 0; j < n; ++j) {
    const std::size_t k = static_cast<std::size_t>(j);
    timesteps[k] = config.timestep_spacing == TimestepSpacing::linspace
                       ? static_cast<float>(grid[static_cast<std::size_t>(n - 1 - j)])
                       : static_cast<float>(whole[k]);
  }
  WideSigmas sigmas;  // float64 values (np.interp), or float32 (log_linear)
  if (config.interpolation_type == EulerInterpolation::linear) {
    for (float u : timesteps) {  // np.interp(u, arange(T), σ): slope·(u − j) + σ_j in float64
      const double x = static_cast<double>(u);
      if (x >= big_t - 1) {
        sigmas.push_back(Wide(table.back()));
        continue;
      }
      const int j = static_cast<int>(std::floor(x));
      const Wide low(table[static_cast<std::size_t>(j)]), high(table[static_cast<std::size_t>(j + 1)]);
      const double slope = f64(high - low);
      sigmas.push_back(Wide(f64(Wide(f64(Wide(slope) * Wide(f64(Wide(x) - Wide(j))))) + low)));
    }
  } else {  // torch.linspace(log σ_{T−1}, log σ_0, N + 1).exp(), float32
    for (float v : torch_linspace_float32(log_table.back(), log_table.front(), n + 1))
      sigmas.push_back(Wide(f32(exp(Wide(v)))));
  }
  std::vector<double> ramp_timesteps;
  if (config.sigma_ramp != FlowSigmaRamp::none) {  // .item() of the ends: doubles
    const Wide low = config.sigma_min ? Wide(*config.sigma_min) : sigmas.back();
    const Wide high = config.sigma_max ? Wide(*config.sigma_max) : sigmas.front();
    check_ramp_ends(fn, low, high);
    sigmas = flow_sigma_ramp(fn, config.sigma_ramp, low, high, n, true);
    for (const Wide& sigma : sigmas) ramp_timesteps.push_back(euler_float32_sigma_to_t(log_table, f64(sigma)));
  }
  FlowSteps<Scalar> steps;
  const Eigen::Index count = static_cast<Eigen::Index>(sigmas.size());
  steps.sigmas.resize(count + 1);
  for (Eigen::Index i = 0; i < count; ++i)
    steps.sigmas(i) = static_cast<Scalar>(f32(sigmas[static_cast<std::size_t>(i)]));
  steps.sigmas(count) = config.final_sigmas_type == FinalSigma::zero ? Scalar(0) : static_cast<Scalar>(table.front());
  steps.timesteps.resize(n);
  for (int j = 0; j < n; ++j) {
    const std::size_t k = static_cast<std::size_t>(j);
    steps.timesteps(j) =
        static_cast<Scalar>(ramp_timesteps.empty() ? timesteps[k] : static_cast<float>(ramp_timesteps[k]));
  }
  return steps;
}

}  // namespace detail

/// The σ and model timesteps of EulerDiscreteScheduler(config).set_timesteps(N), exactly (see the
/// file comment for the steps and the precision): N + 1 σ (N + 2 with log_linear and no ramp), the
/// inference levels from the noise end then the final σ, and N timesteps u in diffusers' numbering
/// (0-based table index: our step t = u + 1), fractional with "linspace" spacing or a ramp.
/// precision: exact (Wide, rounded once) or diffusers_float32 (diffusers' own float32 values, see the
/// file comment; linear, scaled_linear or trained_betas only).
/// @throws std::invalid_argument if N < 1, N > T with "leading" or "trailing" spacing (diffusers
/// repeats or drops timesteps there), steps_offset puts a "leading" timestep outside [0, T − 1],
/// sigma_min or sigma_max is set and not finite and ≥ 0 (> 0 for sigma_max), sigma_min is 0 with the
/// exponential ramp, the ramp's low end is above its high end, diffusers_float32 with another
/// beta_schedule, and as presets::diffusers.
template <class Scalar = double>
FlowSteps<Scalar> euler_discrete_steps(const EulerDiscreteConfig& config, int n,
                                       FlowPrecision precision = FlowPrecision::exact) {
  const char* fn = "euler_discrete_steps";
  using detail::Wide;
  detail::check_at_least(fn, "the number of inference steps N", n, 1);
  const int big_t = config.betas.num_train_timesteps;
  detail::check_train_steps(fn, big_t);
  if (config.timestep_spacing != TimestepSpacing::linspace) detail::check_inference_steps(fn, n, big_t);
  if (config.sigma_min) detail::check_finite_non_negative(fn, "sigma_min", *config.sigma_min);
  if (config.sigma_max) detail::check_finite_positive(fn, "sigma_max", *config.sigma_max);
  if (config.sigma_ramp == FlowSigmaRamp::exponential && config.sigma_min && *config.sigma_min == 0) {
    detail::fail<std::invalid_argument>(fn, "the exponential ramp needs sigma_min > 0 (it takes its log)",
                                        *config.sigma_min);
  }
  // 2. The timesteps u_j, as numerator/denominator: u_j = whole_j + part_j/(N − 1).
  std::vector<Wide> timesteps(static_cast<std::size_t>(n));
  std::vector<long long> whole(static_cast<std::size_t>(n)), part(static_cast<std::size_t>(n), 0);
  const long long denominator = n > 1 ? n - 1 : 1;
  if (config.timestep_spacing == TimestepSpacing::linspace) {
    for (int j = 0; j < n; ++j) {
      const long long numerator = n > 1 ? static_cast<long long>(big_t - 1) * (n - 1 - j) : 0;
      whole[static_cast<std::size_t>(j)] = numerator / denominator;
      part[static_cast<std::size_t>(j)] = numerator % denominator;
    }
  } else if (config.timestep_spacing == TimestepSpacing::leading) {
    const long long ratio = big_t / n, highest = (n - 1) * ratio + config.steps_offset;
    if (config.steps_offset < 0 || highest > big_t - 1) {
      detail::fail<std::invalid_argument>(fn,
                                          "leading spacing needs steps_offset in [0, " +
                                              std::to_string(big_t - 1 - (n - 1) * ratio) +
                                              "] to keep every timestep in [0, T - 1]",
                                          config.steps_offset);
    }
    for (int j = 0; j < n; ++j) whole[static_cast<std::size_t>(j)] = (n - 1 - j) * ratio + config.steps_offset;
  } else {
    const Timesteps trailing = diffusers_timesteps(big_t, n, TimestepSpacing::trailing);
    for (int j = 0; j < n; ++j) whole[static_cast<std::size_t>(j)] = trailing.index()[static_cast<std::size_t>(j)];
  }
  for (int j = 0; j < n; ++j) {
    const std::size_t k = static_cast<std::size_t>(j);
    timesteps[k] = Wide(whole[k]) + Wide(part[k]) / Wide(denominator);
  }
  if (precision == FlowPrecision::diffusers_float32) return detail::euler_float32_steps<Scalar>(fn, config, n, whole);
  // 1. The table, 3. the inference σ.
  const Schedule<double> schedule = presets::diffusers<double>(config.betas);
  const std::vector<Wide> table = detail::euler_log_sigma_table(schedule);
  const auto table_sigma = [&](long long u) { return exp(table[static_cast<std::size_t>(u)]); };
  detail::WideSigmas sigmas;
  if (config.interpolation_type == EulerInterpolation::linear) {
    for (int j = 0; j < n; ++j) {
      const std::size_t k = static_cast<std::size_t>(j);
      const Wide low = table_sigma(whole[k]);
      sigmas.push_back(part[k] == 0 ? low
                                    : low + Wide(part[k]) / Wide(denominator) * (table_sigma(whole[k] + 1) - low));
    }
  } else {
    const Wide first = table.back(), last = table.front();
    for (int k = 0; k <= n; ++k) sigmas.push_back(exp((Wide(n - k) * first + Wide(k) * last) / Wide(n)));
  }
  // 4. The ramp between the inference σ's ends (or the configured ones), and its timesteps.
  if (config.sigma_ramp != FlowSigmaRamp::none) {
    const Wide low = config.sigma_min ? Wide(*config.sigma_min) : sigmas.back();
    const Wide high = config.sigma_max ? Wide(*config.sigma_max) : sigmas.front();
    detail::check_ramp_ends(fn, low, high);
    sigmas = detail::flow_sigma_ramp(fn, config.sigma_ramp, low, high, n, false);
    sigmas.front() = high;  // the ends exactly (r = 0 and 1; (σ^{1/ρ})^ρ in Wide is σ within 2⁻¹²⁰)
    if (n > 1) sigmas.back() = low;
    for (int j = 0; j < n; ++j) {
      const std::size_t k = static_cast<std::size_t>(j);
      timesteps[k] = detail::euler_sigma_to_t(table, sigmas[k]);
    }
  }
  // 5. The final σ.
  FlowSteps<Scalar> steps;
  const Eigen::Index count = static_cast<Eigen::Index>(sigmas.size());
  steps.sigmas.resize(count + 1);
  for (Eigen::Index i = 0; i < count; ++i) steps.sigmas(i) = static_cast<Scalar>(sigmas[static_cast<std::size_t>(i)]);
  steps.sigmas(count) = config.final_sigmas_type == FinalSigma::zero ? Scalar(0) : static_cast<Scalar>(table_sigma(0));
  steps.timesteps.resize(n);
  for (int j = 0; j < n; ++j) steps.timesteps(j) = static_cast<Scalar>(timesteps[static_cast<std::size_t>(j)]);
  return steps;
}

}  // namespace diffuse
