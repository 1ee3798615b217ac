/// The sampler σ-schedules of ComfyUI by name (simple, normal, sgm_uniform, ddim_uniform, karras, exponential, laplace, kl_optimal, linear_quadratic, beta) for any model sampling of model_sampling.hpp.
///
/// Each function returns the noise levels a sampler steps through, from the largest down, exactly
/// as its tool builds them: whether a final 0 is appended, whether the length can differ from N + 1,
/// and what N = 1 gives are stated per function. Sources: Comfy-Org/ComfyUI @a125cd84
/// `comfy/samplers.py` (simple, normal, sgm_uniform, ddim_uniform, linear_quadratic, kl_optimal,
/// `calculate_sigmas`), `comfy/k_diffusion/sampling.py` (karras, exponential, laplace);
/// stable-diffusion.cpp @97d29908 `src/runtime/denoiser.hpp` (same definitions for the names it shares).
///
/// The schedules that read a model sampling (simple, ddim_uniform: its σ table; normal,
/// sgm_uniform: its σ(τ) and τ(σ); linear_quadratic: its σ_max) take it as `ms`, any type of
/// model_sampling.hpp; karras, exponential, laplace and kl_optimal take σ_min and σ_max, which
/// sampler_sigmas reads from the model sampling as ComfyUI's `calculate_sigmas` does (rounded to
/// double; ComfyUI passes its float32 table ends).
///
/// The ramps of sigma_schedules.hpp (karras, exponential, polyexponential, vp), checked against
/// ComfyUI's k_diffusion/sampling.py: the same formulas, and the same N = 1 ([σ_max, 0]: torch.linspace
/// with one point returns its start). stable-diffusion.cpp's KarrasScheduler and ExponentialScheduler
/// divide by N − 1 = 0 there and return [NaN, 0]; its karras also raises σ_min to 10⁻⁶ if below.
///
/// Precision: as model_sampling.hpp, every value is evaluated in detail::Wide from the exact
/// decimals of the parameters and rounded once, within 2⁻¹⁰⁰ relative before that rounding.
/// ComfyUI computes in float32 (torch.linspace, its float32 tables, a FloatTensor result): its
/// values differ from these by a few float32 ulps.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "detail/beta_quantile.hpp"
#include "detail/checks.hpp"
#include "detail/error.hpp"
#include "detail/gits_tables.hpp"
#include "detail/round_half_even.hpp"
#include "detail/scaled_sum.hpp"
#include "detail/wide.hpp"
#include "detail/wide_decimal.hpp"
#include "detail/wide_math.hpp"
#include "detail/wide_normal_quantile.hpp"
#include "model_sampling.hpp"
#include "sigma_schedules.hpp"

namespace diffuse {
namespace detail {

/// The Wide values rounded to Scalar, then a final 0 if `append_zero`.
template <class Scalar>
Eigen::Matrix<Scalar, Eigen::Dynamic, 1> rounded_sigmas(const std::vector<Wide>& values, bool append_zero) {
  const Eigen::Index n = static_cast<Eigen::Index>(values.size());
  Eigen::Matrix<Scalar, Eigen::Dynamic, 1> sigmas(n + (append_zero ? 1 : 0));
  for (Eigen::Index i = 0; i < n; ++i) sigmas(i) = static_cast<Scalar>(values[static_cast<std::size_t>(i)]);
  if (append_zero) sigmas(n) = 0;
  return sigmas;
}

/// torch.linspace(start, end, count): start + i(end − start)/(count − 1), formed as
/// ((count − 1 − i)·start + i·end)/(count − 1); [start] when count = 1.
inline std::vector<Wide> linspace(const Wide& start, const Wide& end, int count) {
  std::vector<Wide> values;
  if (count == 1) return {start};
  const Wide last = Wide(count - 1);
  for (int i = 0; i < count; ++i) values.push_back((Wide(count - 1 - i) * start + Wide(i) * end) / last);
  return values;
}

/// The schedules that are σ(τ) over a torch.linspace of timesteps (normal, sgm_uniform).
template <class ModelSampling>
Eigen::Matrix<typename ModelSampling::scalar_type, Eigen::Dynamic, 1> timestep_linspace_sigmas(const ModelSampling& ms,
                                                                                               int n, bool sgm) {
  const Wide start = ms.wide_timestep(ms.wide_sigma_max()), end = ms.wide_timestep(ms.wide_sigma_min());
  bool append_zero = true;
  int count = n;
  if (sgm) {
    ++count;
  } else if (abs(ms.wide_sigma(end)) <= decimal_value(1e-5)) {  // math.isclose(σ(end), 0, abs_tol=1e-5)
    ++count;
    append_zero = false;
  }
  std::vector<Wide> timesteps = linspace(start, end, count);
  if (sgm) timesteps.pop_back();
  std::vector<Wide> sigmas;
  for (const Wide& t : timesteps) sigmas.push_back(ms.wide_sigma(t));
  return rounded_sigmas<typename ModelSampling::scalar_type>(sigmas, append_zero);
}

/// A published table of decreasing noise levels, by the model type it was made for.
struct NoiseLevelTable {
  const char* model_type;
  const double* levels;  // decimals as published
  int size;
};

/// The table of `model_type` among `tables`.
/// @throws std::invalid_argument if none has that name (the message lists the known ones).
template <std::size_t Count>
const NoiseLevelTable& find_table(const char* function, const NoiseLevelTable (&tables)[Count],
                                  const std::string& model_type) {
  std::string known;
  for (const NoiseLevelTable& table : tables) {
    if (model_type == table.model_type) return table;
    known += (known.empty() ? "" : ", ") + std::string(table.model_type);
  }
  fail<std::invalid_argument>(function, "no table for this model type; known: " + known, model_type);
}

/// ComfyUI's and stable-diffusion.cpp's `loglinear_interp` of a table of L levels to N + 1 points,
/// then the last set to 0: value i (i < N) at table position p = i(L − 1)/N, k = ⌊p⌋, f = p − k,
/// log σ = (1 − f) log σ_k + f log σ_{k+1} (np.interp of log σ over linspace(0, 1, L) at
/// linspace(0, 1, N + 1), on the table reversed and back: the same points); f = 0 gives σ_k, so
/// N + 1 = L gives the table itself, as the tools (which skip the interpolation then).
template <class Scalar>
Eigen::Matrix<Scalar, Eigen::Dynamic, 1> log_linear_table_sigmas(const double* levels, int size, int n) {
  std::vector<Wide> values;
  for (long long i = 0; i < n; ++i) {
    const long long position = i * (size - 1);
    const int k = static_cast<int>(position / n);
    const long long remainder = position % n;
    const Wide low = decimal_value(levels[k]);
    if (remainder == 0) {
      values.push_back(low);
    } else {
      const Wide f = Wide(remainder) / Wide(n);
      values.push_back(exp((1 - f) * log(low) + f * log(decimal_value(levels[k + 1]))));
    }
  }
  return rounded_sigmas<Scalar>(values, true);
}

/// Whether a model sampling's wide_sigma takes a Convention (EdmSampling, FlowSampling).
template <class ModelSampling, class = void>
struct takes_convention : std::false_type {};
template <class ModelSampling>
struct takes_convention<ModelSampling, std::void_t<decltype(std::declval<const ModelSampling&>().wide_sigma(
                                           std::declval<const Wide&>(), Convention::comfyui))>> : std::true_type {};

/// stable-diffusion.cpp's `t_to_sigma(τ)` for its 0-based index τ ∈ [0, 999]: the Convention::
/// stable_diffusion_cpp σ where the type has one, otherwise its only σ(τ) (a discrete VP model's
/// is the same in both tools).
template <class ModelSampling>
Wide sdcpp_sigma(const ModelSampling& ms, const Wide& timestep) {
  if constexpr (takes_convention<ModelSampling>::value) {
    return ms.wide_sigma(timestep, Convention::stable_diffusion_cpp);
  } else {
    return ms.wide_sigma(timestep);
  }
}

/// stable-diffusion.cpp `get_bong_tangent_sigmas`: `count` values from `start` to `end` along
/// v(x) = ((2/π) atan(−slope(x − pivot)) + 1)/2, rescaled so that v(0) ↦ start, v(count − 1) ↦ end;
/// linear from start to end (only [start] for count = 1) where v(0) − v(count − 1) < 10⁻⁸.
inline std::vector<Wide> bong_tangent_stage(int count, const Wide& slope, const Wide& pivot, const Wide& start,
                                            const Wide& end) {
  const auto v = [&](const Wide& x) { return ldexp(atan(-slope * (x - pivot)) * wide_constants::two_over_pi + 1, -1); };
  const Wide high = v(Wide()), low = v(Wide(count - 1)), range = high - low;
  std::vector<Wide> sigmas;
  if (abs(range) < decimal_value(1e-8)) {
    if (count == 1) return {start};
    for (int i = 0; i < count; ++i) sigmas.push_back(start + (end - start) * Wide(i) / Wide(count - 1));
    return sigmas;
  }
  for (int x = 0; x < count; ++x) sigmas.push_back((v(Wide(x)) - low) / range * (start - end) + end);
  return sigmas;
}

}  // namespace detail

/// ComfyUI `simple_scheduler`: σ_i = table[L − 1 − ⌊iL/N⌋], i = 0..N − 1, L = ms.table_size(), then
/// 0 (N + 1 values; N = 1 gives [σ_max, 0]). ComfyUI forms ⌊i·(L/N)⌋ in double; for L ≤ 10⁴ that
/// equals the exact ⌊iL/N⌋ used here. Our numbering: entry i of the table is step i + 1.
/// @throws std::invalid_argument if N < 1.
template <class ModelSampling>
Eigen::Matrix<typename ModelSampling::scalar_type, Eigen::Dynamic, 1> simple_sigmas(const ModelSampling& ms, int n) {
  detail::check_ramp_length("simple_sigmas", n);
  const long long size = ms.table_size();
  std::vector<detail::Wide> sigmas;
  for (long long i = 0; i < n; ++i) sigmas.push_back(ms.wide_table_sigma(static_cast<int>(size - 1 - i * size / n)));
  return detail::rounded_sigmas<typename ModelSampling::scalar_type>(sigmas, true);
}

/// ComfyUI `normal_scheduler`: τ_i = linspace(τ(σ_max), τ(σ_min), N), σ_i = σ(τ_i), then 0
/// (N + 1 values; N = 1 gives [σ(τ(σ_max)), 0]). If σ(τ(σ_min)) ≤ 10⁻⁵ (ComfyUI's isclose to 0)
/// it takes N + 1 timesteps and appends no 0. A discrete VP model's τ(σ_max) = T − 1, τ(σ_min) = 0
/// (integer, either convention). stable-diffusion.cpp's "discrete" schedule is the same ramp over its
/// own t_to_sigma.
/// @throws std::invalid_argument if N < 1.
template <class ModelSampling>
Eigen::Matrix<typename ModelSampling::scalar_type, Eigen::Dynamic, 1> normal_sigmas(const ModelSampling& ms, int n) {
  detail::check_ramp_length("normal_sigmas", n);
  return detail::timestep_linspace_sigmas(ms, n, false);
}

/// ComfyUI `normal_scheduler(sgm=True)` ("sgm_uniform"): τ_i = linspace(τ(σ_max), τ(σ_min), N + 1)
/// without its last point, σ_i = σ(τ_i), then 0 (N + 1 values; N = 1 gives [σ_max, 0]).
/// @throws std::invalid_argument if N < 1.
template <class ModelSampling>
Eigen::Matrix<typename ModelSampling::scalar_type, Eigen::Dynamic, 1> sgm_uniform_sigmas(const ModelSampling& ms,
                                                                                         int n) {
  detail::check_ramp_length("sgm_uniform_sigmas", n);
  return detail::timestep_linspace_sigmas(ms, n, true);
}

/// ComfyUI `ddim_scheduler` ("ddim_uniform"): with k = max(⌊L/N⌋, 1), the table entries 1, 1 + k,
/// 1 + 2k, … below L, largest first, then 0 (prepended before reversing). Its length is
/// ⌈(L − 1)/k⌉ + 1, which can exceed N + 1 (L = 1000, N = 3: k = 333, entries 1, 334, 667, 1000 is
/// out, so 3 + 1; N = 7: k = 142, 8 entries and 0, 9 values). If table[1] ≤ 10⁻⁵, k = max(⌊L/(N + 1)⌋, 1) and no 0.
/// Table entry i is our step i + 1: the schedule starts at step 2, not 1 (LDM's DDIM "uniform" offset).
/// @throws std::invalid_argument if N < 1.
template <class ModelSampling>
Eigen::Matrix<typename ModelSampling::scalar_type, Eigen::Dynamic, 1> ddim_uniform_sigmas(const ModelSampling& ms,
                                                                                          int n) {
  detail::check_ramp_length("ddim_uniform_sigmas", n);
  const int size = ms.table_size();
  const bool first_is_zero = size > 1 && ms.wide_table_sigma(1) <= detail::decimal_value(1e-5);
  const int stride = std::max(size / (first_is_zero ? n + 1 : n), 1);
  std::vector<detail::Wide> sigmas;
  for (int x = 1; x < size; x += stride) sigmas.insert(sigmas.begin(), ms.wide_table_sigma(x));
  return detail::rounded_sigmas<typename ModelSampling::scalar_type>(sigmas, !first_is_zero);
}

/// ComfyUI `beta_scheduler` and stable-diffusion.cpp's "beta" (Lee et al. 2024, "Beta Sampling is All
/// You Need"), with L table entries: t_i = rint(F⁻¹(1 − i/N; α, β)·(L − 1)) for i = 0 … N − 1, where
/// F⁻¹ is the beta distribution's quantile (scipy.stats.beta.ppf), each in double as NumPy evaluates it
/// (1 − i·(1/N), the quantile, the product, then rint, ties to even); a t_i equal to the one before is
/// dropped; σ_i = table[t_i], then 0 (at most N + 1 values; N = 1 gives [σ_max, 0]). Table entry i is
/// our step i + 1. This is the index-space "beta"; diffusers' use_beta_sigmas is another schedule
/// under the same name, σ_min + F⁻¹(1 − i/(N − 1))·(σ_max − σ_min) in σ space (flow_steps.hpp).
/// Exactness: every σ_i is a table entry, so it is exact once t_i is; t_i is ComfyUI's unless the
/// double product lies within an ulp or so of a half-integer, where an error of detail::beta_quantile
/// (≤ 0.7 ulp here) or of scipy's own ppf could move it (none of the references' N ≤ 50 comes close).
/// @throws std::invalid_argument if N < 1, or α or β is not finite and > 0.
template <class ModelSampling>
Eigen::Matrix<typename ModelSampling::scalar_type, Eigen::Dynamic, 1> beta_sigmas(const ModelSampling& ms, int n,
                                                                                  double alpha = 0.6,
                                                                                  double beta = 0.6) {
  constexpr const char* fn = "beta_sigmas";
  detail::check_ramp_length(fn, n);
  detail::check_finite_positive(fn, "alpha", alpha);
  detail::check_finite_positive(fn, "beta", beta);
  const double last = static_cast<double>(ms.table_size() - 1), step = 1.0 / n;
  std::vector<detail::Wide> sigmas;
  double previous = -1;
  for (int i = 0; i < n; ++i) {
    // NumPy: ts = 1 − i·step (the product rounded first), rint(ppf(ts)·(L − 1)).
    const double ts = 1.0 - detail::rounded_product(static_cast<double>(i), step);
    const double t = detail::round_half_even(detail::rounded_product(detail::beta_quantile(ts, alpha, beta), last));
    if (t != previous) sigmas.push_back(ms.wide_table_sigma(static_cast<int>(t)));
    previous = t;
  }
  return detail::rounded_sigmas<typename ModelSampling::scalar_type>(sigmas, true);
}

/// ComfyUI `linear_quadratic_schedule` (Mochi, genmoai `infer.py`), threshold τ = 0.025,
/// L = ⌊N/2⌋ linear steps: x_i = iτ/L for i < L, x_i = a i² + b i + c for L ≤ i < N with
/// a = (L − τN)/(L(N − L)²), b = τ/L − 2(L − τN)/(N − L)², c = aL², then x_N = 1; σ_i = (1 − x_i)·σ_max.
/// N + 1 values ending in 0; N = 1 gives [σ_max, 0].
/// @throws std::invalid_argument if N < 1.
template <class ModelSampling>
Eigen::Matrix<typename ModelSampling::scalar_type, Eigen::Dynamic, 1> linear_quadratic_sigmas(const ModelSampling& ms,
                                                                                              int n) {
  detail::check_ramp_length("linear_quadratic_sigmas", n);
  using detail::Wide;
  const Wide sigma_max = ms.wide_sigma_max();
  std::vector<Wide> sigmas{sigma_max};
  if (n > 1) {
    const Wide tau = detail::decimal_value(0.025);
    const int linear = n / 2, quadratic = n - linear;
    const Wide l = Wide(linear), q2 = Wide(quadratic) * Wide(quadratic);
    const Wide diff = l - tau * Wide(n);
    const Wide a = diff / (l * q2), b = tau / l - 2 * diff / q2, c = a * l * l;
    for (int i = 1; i < n; ++i) {
      const Wide k = Wide(i);
      const Wide x = i < linear ? k * tau / l : a * k * k + b * k + c;
      sigmas.push_back((1 - x) * sigma_max);
    }
  }
  return detail::rounded_sigmas<typename ModelSampling::scalar_type>(sigmas, true);
}

/// The Laplace schedule of Tiankai et al. 2024 (k-diffusion in ComfyUI `get_sigmas_laplace`):
/// x_i = linspace(0, 1, N) (x = 0 when N = 1), λ_i = μ − β·sgn(½ − x_i)·log(1 − 2|½ − x_i| + 10⁻⁵),
/// σ_i = clamp(e^{λ_i}, σ_min, σ_max). N values and NO final 0 (ComfyUI's node returns it so);
/// N = 1 gives [σ_max] for the defaults (e^{−β log 10⁻⁵} = 17.8 > σ_max is clamped). ComfyUI's
/// LaplaceScheduler node defaults: σ_min 0.0291675, σ_max 14.614642, μ 0, β 0.5.
/// @throws std::invalid_argument if N < 1, unless 0 < σ_min < σ_max (finite), unless μ is finite,
/// or unless β > 0 (finite).
template <class Scalar>
Eigen::Matrix<Scalar, Eigen::Dynamic, 1> laplace_sigmas(int n, double sigma_min = 0.0291675,
                                                        double sigma_max = 14.614642, double mu = 0,
                                                        double beta = 0.5) {
  const char* fn = "laplace_sigmas";
  detail::check_ramp_length(fn, n);
  detail::check_sigma_range(fn, sigma_min, sigma_max);
  detail::check_finite(fn, "mu", mu);
  detail::check_finite_positive(fn, "beta", beta);
  using detail::Wide;
  const Wide low = detail::decimal_value(sigma_min), high = detail::decimal_value(sigma_max);
  const Wide m = detail::decimal_value(mu), b = detail::decimal_value(beta), eps = detail::decimal_value(1e-5);
  const int k = n == 1 ? 1 : n - 1;  // x_i = i/k
  std::vector<Wide> sigmas;
  for (int i = 0; i < n; ++i) {
    const int twice_distance = k - 2 * i;  // 2k(½ − x_i), exact
    const Wide inner = Wide(k - std::abs(twice_distance)) / Wide(k) + eps;
    const Wide lambda = twice_distance == 0 ? m : twice_distance > 0 ? m - b * log(inner) : m + b * log(inner);
    const Wide sigma = exp(lambda);
    sigmas.push_back(sigma < low ? low : sigma > high ? high : sigma);
  }
  return detail::rounded_sigmas<Scalar>(sigmas, false);
}

/// The KL-optimal schedule (Sabour et al. 2024, "Align Your Steps", eq. 7; ComfyUI
/// `kl_optimal_scheduler`, stable-diffusion.cpp KLOptimalScheduler): σ_i = tan((1 − a_i) atan σ_max
/// + a_i atan σ_min), a_i = i/(N − 1), then 0. N = 1 gives [σ_max, 0]; ComfyUI divides 0 by 0 there
/// and returns [NaN, 0].
/// @throws std::invalid_argument if N < 1 or unless 0 < σ_min < σ_max (finite).
template <class Scalar>
Eigen::Matrix<Scalar, Eigen::Dynamic, 1> kl_optimal_sigmas(int n, double sigma_min, double sigma_max) {
  const char* fn = "kl_optimal_sigmas";
  detail::check_ramp_length(fn, n);
  detail::check_sigma_range(fn, sigma_min, sigma_max);
  using detail::Wide;
  const Wide low = atan(detail::decimal_value(sigma_min)), high = atan(detail::decimal_value(sigma_max));
  return detail::sigma_ramp<Scalar>(
      n, [&](Wide r, Wide one_minus_r) { return detail::tan_of(one_minus_r * high + r * low); });
}

/// stable-diffusion.cpp SmoothStepScheduler: τ_i = round(s(1 − i/N)·999), s(x) = x²(3 − 2x), rounded
/// half away from zero (exactly, from the rational (N − i)²(N + 2i)·999/N³; sd.cpp forms it in float32),
/// σ_i = its t_to_sigma(τ_i) (detail::sdcpp_sigma: the 0-based index), then 0. N + 1 values;
/// N = 1 gives [σ(999), 0]. The τ_i may repeat for large N (not dropped).
/// @throws std::invalid_argument if N < 1; std::out_of_range from a continuous-V σ (its τ is in [0, 1)).
template <class ModelSampling>
Eigen::Matrix<typename ModelSampling::scalar_type, Eigen::Dynamic, 1> smoothstep_sigmas(const ModelSampling& ms,
                                                                                        int n) {
  detail::check_ramp_length("smoothstep_sigmas", n);
  std::vector<detail::Wide> sigmas;
  const long long cube = static_cast<long long>(n) * n * n;
  for (long long i = 0; i < n; ++i) {
    const long long numerator = (n - i) * (n - i) * (n + 2 * i) * 999;  // s(1 − i/N)·999·N³ < 2⁶³ for N ≤ 10⁵
    const long long timestep = (2 * numerator + cube) / (2 * cube);     // ⌊x + ½⌋: half away from zero for x ≥ 0
    sigmas.push_back(detail::sdcpp_sigma(ms, detail::Wide(timestep)));
  }
  return detail::rounded_sigmas<typename ModelSampling::scalar_type>(sigmas, true);
}

/// stable-diffusion.cpp LCMScheduler (the LCM training grid, Luo et al. 2023; as diffusers'
/// LCMScheduler with 50 original steps): k = 1000/50 = 20, τ_i = (50 − ⌊50i/N⌋)·k − 1, σ_i =
/// t_to_sigma(τ_i) (the 0-based index: 999, …), then 0. N + 1 values; for N > 50 τ repeats.
/// @throws std::invalid_argument if N < 1; std::out_of_range from a continuous-V σ.
template <class ModelSampling>
Eigen::Matrix<typename ModelSampling::scalar_type, Eigen::Dynamic, 1> lcm_sigmas(const ModelSampling& ms, int n) {
  detail::check_ramp_length("lcm_sigmas", n);
  std::vector<detail::Wide> sigmas;
  for (long long i = 0; i < n; ++i) sigmas.push_back(detail::sdcpp_sigma(ms, detail::Wide((50 - i * 50 / n) * 20 - 1)));
  return detail::rounded_sigmas<typename ModelSampling::scalar_type>(sigmas, true);
}

/// stable-diffusion.cpp BongTangentScheduler, in σ space between ms.sigma_min() and
/// ms.sigma_max(): with S = N + 2, M = ⌊0.6 S⌋ and slope 0.2/(S/40) = 8/S, the first M values from
/// σ_max to the middle (σ_min + σ_max)/2 around pivot M (detail::bong_tangent_stage), its last
/// dropped, then S − M values from the middle to σ_min around pivot 0: N + 1 values, the last set to
/// 0. N = 1 gives [(σ_min + σ_max)/2, 0] (the first stage is one value and is dropped). sd.cpp computes
/// in float32 (0.6f, 0.2f); here the decimals, exactly.
/// @throws std::invalid_argument if N < 1.
template <class ModelSampling>
Eigen::Matrix<typename ModelSampling::scalar_type, Eigen::Dynamic, 1> bong_tangent_sigmas(const ModelSampling& ms,
                                                                                          int n) {
  detail::check_ramp_length("bong_tangent_sigmas", n);
  using detail::Wide;
  const Wide start = ms.wide_sigma_max(), end = ms.wide_sigma_min(), middle = end + ldexp(start - end, -1);
  const long long steps = static_cast<long long>(n) + 2;
  const int midpoint = static_cast<int>(steps * 3 / 5);  // ⌊0.6 S⌋, also the first pivot
  const Wide slope = Wide(8) / Wide(steps);
  std::vector<Wide> sigmas = detail::bong_tangent_stage(midpoint, slope, Wide(midpoint), start, middle);
  sigmas.pop_back();
  const std::vector<Wide> second =
      detail::bong_tangent_stage(static_cast<int>(steps) - midpoint, slope, Wide(), middle, end);
  sigmas.insert(sigmas.end(), second.begin(), second.end() - 1);
  return detail::rounded_sigmas<typename ModelSampling::scalar_type>(sigmas, true);
}

/// stable-diffusion.cpp LogitNormalScheduler (Ideogram-style flow schedule): for i = 0..N − 1,
/// σ_i = clamp(sigmoid(μ + s·Φ⁻¹(1 − i/N)), sigmoid(λ_min/2), sigmoid(λ_max/2)), then 0; with
/// image_seq_len L > 0 (resolution aware) μ += ½ log(L/1024). N + 1 values; σ_0 = sigmoid(λ_max/2)
/// (Φ⁻¹(1) = ∞ is clamped). Defaults as sd.cpp's (image_seq_len, args) constructor, the one it uses:
/// μ 0, s 1.75, λ ∈ [−15, 18] (its other constructor defaults to [−18, 15]). sd.cpp evaluates Φ⁻¹ by
/// Acklam's approximation (relative error 1.2·10⁻⁹) and the rest in float32; here Φ⁻¹ is exact.
/// @throws std::invalid_argument if N < 1, unless μ is finite, s ≥ 0 (finite), λ_min < λ_max
/// (finite), or image_seq_len ≥ 0.
template <class Scalar>
Eigen::Matrix<Scalar, Eigen::Dynamic, 1> logit_normal_sigmas(int n, double mean = 0, double std = 1.75,
                                                             double logsnr_min = -15, double logsnr_max = 18,
                                                             int image_seq_len = 0) {
  const char* fn = "logit_normal_sigmas";
  detail::check_ramp_length(fn, n);
  detail::check_finite(fn, "mean", mean);
  detail::check_finite_non_negative(fn, "std", std);
  detail::check_finite(fn, "logsnr_min", logsnr_min);
  detail::check_finite_above(fn, "logsnr_max", logsnr_max, "logsnr_min", logsnr_min);
  detail::check_at_least(fn, "image_seq_len", image_seq_len, 0);
  using detail::Wide;
  Wide mu = detail::decimal_value(mean);
  if (image_seq_len > 0) mu = mu + ldexp(log(Wide(image_seq_len) / Wide(1024)), -1);
  const Wide s = detail::decimal_value(std);
  const Wide low = detail::sigmoid(ldexp(detail::decimal_value(logsnr_min), -1));
  const Wide high = detail::sigmoid(ldexp(detail::decimal_value(logsnr_max), -1));
  std::vector<Wide> sigmas{high};
  for (int i = 1; i < n; ++i) {
    const int twice = 2 * i;  // Φ⁻¹(1 − i/N) = −Φ⁻¹(i/N) for i/N ≤ ½, Φ⁻¹((N − i)/N) above
    const Wide z = twice <= n ? -detail::normal_quantile_lower(Wide(i) / Wide(n))
                              : detail::normal_quantile_lower(Wide(n - i) / Wide(n));
    const Wide sigma = detail::sigmoid(mu + s * z);
    sigmas.push_back(sigma < low ? low : sigma > high ? high : sigma);
  }
  return detail::rounded_sigmas<Scalar>(sigmas, true);
}

/// ComfyUI SDTurboScheduler: the timesteps 999, 899, …, 99 from position 10 − ⌊10·denoise⌋ (10·denoise
/// in double, as Python), at most N of them, σ = ms.sigma(τ) each, then 0: min(N, 10 − start) + 1
/// values (the node allows N ≤ 10). denoise 0 gives [0].
/// @throws std::invalid_argument if N < 1 or unless 0 ≤ denoise ≤ 1.
template <class ModelSampling>
Eigen::Matrix<typename ModelSampling::scalar_type, Eigen::Dynamic, 1> sd_turbo_sigmas(const ModelSampling& ms, int n,
                                                                                      double denoise = 1) {
  const char* fn = "sd_turbo_sigmas";
  detail::check_ramp_length(fn, n);
  detail::check_in_closed_unit_interval(fn, "denoise", denoise);
  std::vector<detail::Wide> sigmas;
  for (int position = 10 - static_cast<int>(10 * denoise), taken = 0; position < 10 && taken < n; ++position, ++taken) {
    sigmas.push_back(ms.wide_sigma(detail::Wide((10 - position) * 100 - 1)));
  }
  return detail::rounded_sigmas<typename ModelSampling::scalar_type>(sigmas, true);
}

/// Align Your Steps (Sabour et al. 2024; ComfyUI AlignYourStepsScheduler, stable-diffusion.cpp
/// AYSScheduler): the published 10-step noise levels of "SD1", "SDXL" or "SVD", stretched to N steps
/// by log-linear interpolation (detail::log_linear_table_sigmas), the last set to 0: N + 1 values
/// (N = 1: [σ_max, 0]). ComfyUI's denoise < 1 keeps the last round(N·denoise) + 1 (not here).
/// @throws std::invalid_argument for another model type (the message lists the known ones), or if N < 1.
template <class Scalar>
Eigen::Matrix<Scalar, Eigen::Dynamic, 1> align_your_steps_sigmas(const std::string& model_type, int n) {
  static constexpr double sd1[] = {14.6146412293, 6.4745760956, 3.8636745985, 2.6946151520, 1.8841921177, 1.3943805092,
                                   0.9642583904,  0.6523686016, 0.3977456272, 0.1515232662, 0.0291671582};
  static constexpr double sdxl[] = {14.6146412293, 6.3184485287, 3.7681790315, 2.1811480769, 1.3405244945, 0.8620721141,
                                    0.5550693289,  0.3798540708, 0.2332364134, 0.1114188177, 0.0291671582};
  static constexpr double svd[] = {700.00, 54.5, 15.886, 7.977, 4.248, 1.789, 0.981, 0.403, 0.173, 0.034, 0.002};
  static const detail::NoiseLevelTable tables[] = {{"SD1", sd1, 11}, {"SDXL", sdxl, 11}, {"SVD", svd, 11}};
  const char* fn = "align_your_steps_sigmas";
  const detail::NoiseLevelTable& table = detail::find_table(fn, tables, model_type);
  detail::check_ramp_length(fn, n);
  return detail::log_linear_table_sigmas<Scalar>(table.levels, table.size, n);
}

/// OptimalSteps (Pei et al. 2025, "Optimal Stepsize for Diffusion Sampling"; ComfyUI
/// OptimalStepsScheduler): the published flow noise levels of "FLUX" (10 steps), "Wan" (20) or
/// "Chroma" (40), stretched to N steps by log-linear interpolation, the last set to 0 (the table's
/// own last level is 0.001: a final 0.0 there gave black images, ComfyUI PR #7801). N + 1 values;
/// ComfyUI's node asks for N ≥ 3, N = 1 and 2 are defined the same way here.
/// @throws std::invalid_argument for another model type (the message lists the known ones), or if N < 1.
template <class Scalar>
Eigen::Matrix<Scalar, Eigen::Dynamic, 1> optimal_steps_sigmas(const std::string& model_type, int n) {
  static constexpr double flux[] = {0.9968, 0.9886, 0.9819, 0.975,  0.966, 0.9471,
                                    0.9158, 0.8287, 0.5512, 0.2808, 0.001};
  static constexpr double wan[] = {1.0,   0.997, 0.995, 0.993, 0.991, 0.989, 0.987, 0.985, 0.98,  0.975, 0.973,
                                   0.968, 0.96,  0.946, 0.927, 0.902, 0.864, 0.776, 0.539, 0.208, 0.001};
  static constexpr double chroma[] = {0.992, 0.99,  0.988, 0.985, 0.982, 0.978, 0.973, 0.968, 0.961, 0.953, 0.943,
                                      0.931, 0.917, 0.9,   0.881, 0.858, 0.832, 0.802, 0.769, 0.731, 0.69,  0.646,
                                      0.599, 0.55,  0.501, 0.451, 0.402, 0.355, 0.311, 0.27,  0.232, 0.199, 0.169,
                                      0.143, 0.12,  0.101, 0.084, 0.07,  0.058, 0.048, 0.001};
  static const detail::NoiseLevelTable tables[] = {{"FLUX", flux, 11}, {"Wan", wan, 21}, {"Chroma", chroma, 41}};
  const char* fn = "optimal_steps_sigmas";
  const detail::NoiseLevelTable& table = detail::find_table(fn, tables, model_type);
  detail::check_ramp_length(fn, n);
  return detail::log_linear_table_sigmas<Scalar>(table.levels, table.size, n);
}

/// GITS (Chen et al. 2024, "On the Trajectory Regularity of ODE-based Diffusion Sampling"; ComfyUI
/// GITSScheduler), for SD 1.5-like VP models: the published row of coefficient `coeff` for N steps,
/// 2 ≤ N ≤ 20, as is; for N > 20 the 20-step row stretched by log-linear interpolation; the last set
/// to 0. N + 1 values. `coeff` is rounded to two decimals (Python's round(coeff, 2)) and must then
/// be one of 0.80, 0.85, …, 1.50 (ComfyUI's default 1.20; stable-diffusion.cpp uses only 1.20).
/// Tables: detail/gits_tables.hpp, copied from ComfyUI by tests/reference/extract_gits_tables.py.
/// @throws std::invalid_argument if N < 2 (no table; ComfyUI's node asks for N ≥ 2) or for another coeff.
template <class Scalar>
Eigen::Matrix<Scalar, Eigen::Dynamic, 1> gits_sigmas(double coeff, int n = 10) {
  const char* fn = "gits_sigmas";
  detail::check_at_least(fn, "the number of steps N", n, 2);
  const double hundredths = std::round(coeff * 100);
  if (!(hundredths >= 80 && hundredths <= 150 && std::fmod(hundredths, 5) == 0)) {
    detail::fail<std::invalid_argument>(fn, "coeff rounded to 2 decimals must be one of 0.80, 0.85, ..., 1.50", coeff);
  }
  const auto& rows = detail::gits_table[static_cast<int>(hundredths - 80) / 5];
  if (n > 20) return detail::log_linear_table_sigmas<Scalar>(rows[18], 21, n);
  return detail::log_linear_table_sigmas<Scalar>(rows[n - 2], n + 1, n);
}

/// The schedule names sampler_sigmas knows: ComfyUI's KSampler ones in its order, then laplace, then
/// stable-diffusion.cpp's smoothstep, lcm, bong_tangent, logit_normal, then ComfyUI's sd_turbo.
inline const std::vector<std::string>& sampler_schedule_names() {
  static const std::vector<std::string> names{"simple",       "sgm_uniform",  "karras",           "exponential",
                                              "ddim_uniform", "normal",       "linear_quadratic", "kl_optimal",
                                              "laplace",      "beta",         "smoothstep",       "lcm",
                                              "bong_tangent", "logit_normal", "sd_turbo"};
  return names;
}

/// The schedule ComfyUI's `calculate_sigmas(model_sampling, name, N)` builds: karras (ρ = 7),
/// exponential, kl_optimal and laplace (μ = 0, β = 0.5; a separate node in ComfyUI, given the
/// model's range here) over [ms.sigma_min(), ms.sigma_max()] rounded to double, the others from ms
/// itself; smoothstep, lcm, bong_tangent and logit_normal (its defaults, not resolution aware) as
/// stable-diffusion.cpp builds them, sd_turbo with denoise 1; "beta" is ComfyUI's (α = β = 0.6; see
/// beta_sigmas for diffusers' other "beta").
/// @throws std::invalid_argument for an unknown name (the message lists the known ones), or as the
/// schedule itself throws.
template <class ModelSampling>
Eigen::Matrix<typename ModelSampling::scalar_type, Eigen::Dynamic, 1> sampler_sigmas(const ModelSampling& ms,
                                                                                     const std::string& name, int n) {
  using Scalar = typename ModelSampling::scalar_type;
  const double low = static_cast<double>(ms.wide_sigma_min()), high = static_cast<double>(ms.wide_sigma_max());
  if (name == "simple") return simple_sigmas(ms, n);
  if (name == "sgm_uniform") return sgm_uniform_sigmas(ms, n);
  if (name == "karras") return karras_sigmas<Scalar>(n, low, high, 7);
  if (name == "exponential") return exponential_sigmas<Scalar>(n, low, high);
  if (name == "ddim_uniform") return ddim_uniform_sigmas(ms, n);
  if (name == "normal") return normal_sigmas(ms, n);
  if (name == "linear_quadratic") return linear_quadratic_sigmas(ms, n);
  if (name == "kl_optimal") return kl_optimal_sigmas<Scalar>(n, low, high);
  if (name == "laplace") return laplace_sigmas<Scalar>(n, low, high);
  if (name == "beta") return beta_sigmas(ms, n);
  if (name == "smoothstep") return smoothstep_sigmas(ms, n);
  if (name == "lcm") return lcm_sigmas(ms, n);
  if (name == "bong_tangent") return bong_tangent_sigmas(ms, n);
  if (name == "logit_normal") return logit_normal_sigmas<Scalar>(n);
  if (name == "sd_turbo") return sd_turbo_sigmas(ms, n);
  std::string known;
  for (const std::string& k : sampler_schedule_names()) known += (known.empty() ? "" : ", ") + k;
  detail::fail<std::invalid_argument>("sampler_sigmas", "unknown schedule; known: " + known, name);
}

}  // namespace diffuse
