/// Model sampling as the tools define it: the map between a model's timestep and its noise level σ, percent → σ and the noise scaling, one type per parameterisation.
///
/// A sampler (ComfyUI's KSampler, stable-diffusion.cpp's denoiser, diffusers' schedulers) moves
/// through noise levels σ and feeds the model a timestep τ computed from σ. Each type here gives,
/// for one parameterisation, exactly as ComfyUI `comfy/model_sampling.py` (Comfy-Org/ComfyUI
/// @a125cd84) and stable-diffusion.cpp `src/runtime/denoiser.hpp` (@97d29908) define them:
/// - `sigma(τ)` and `timestep(σ)`, and a `Convention` argument where the tools disagree;
/// - the tool's σ table (`table_size()`, `table_sigma(i)`), whose ends are `sigma_min()` and
///   `sigma_max()` (the sampler σ-schedules of sampler_schedules.hpp read them);
/// - `percent_to_sigma(p)`, ComfyUI's start/end-percent → σ;
/// - `noise_scaling(σ, ε, x₀)` = x_σ and `inverse_noise_scaling(σ, x)`.
///
/// Forms of the noise: the VE types (DiscreteVpSampling, DiscreteEdmSampling, EdmSampling,
/// ContinuousVSampling, StableCascadeSampling, CosmosRFlowSampling) noise as x = x₀ + σε, the flow type (FlowSampling) as x = (1 − σ)x₀ + σε.
///
/// Indices: a tool's σ table holds at 0-based index i the noise level of OUR step t = i + 1 (t = 0
/// is the data, ᾱ₀ = 1). The timestep of DiscreteVpSampling is that 0-based index τ ∈ [0, T − 1]
/// (ComfyUI and stable-diffusion.cpp feed it to the UNet as is); FractionalStep (time_coordinates.hpp)
/// converts to our numbering.
///
/// Where the tools differ (each function says by how much):
/// - discrete VP σ → τ: ComfyUI returns the integer argmin |log σ − log σ_i| (so σ → τ → σ is not the
///   identity between table entries), stable-diffusion.cpp, diffusers and k-diffusion a fractional τ
///   by linear interpolation in log σ;
/// - EDM τ → σ: ComfyUI σ = e^{4τ}, the inverse of τ = ¼ log σ; stable-diffusion.cpp's EDMVDenoiser
///   σ = e^{4τ/1000}, which is not (σ → τ → σ gives σ^{1/1000});
/// - flow τ → σ: ComfyUI shift(τ/m); stable-diffusion.cpp shift((τ + 1)/1000) for its 0-based table
///   index τ, while its σ → τ is 1000σ (SD3) or σ (Flux): τ → σ → τ gives τ + 1 at shift 1;
/// - ComfyUI stores its tables in float32 and computes σ(τ) in float32: its values differ from the
///   exact ones here by a few float ulps (a discrete VP σ(τ) by up to 2.6·10⁻⁷ relative, about 4 ulps:
///   log σ in float32); DiscreteVpSampling::comfyui_float32_sigma reproduces that rounding.
///
/// Precision: every value is evaluated in detail::Wide from the exact values of the arguments and the
/// decimals the parameters spell, and rounded once. Each evaluation is a short chain (at most ~30
/// operations, each within 2⁻¹²⁴ relative in Wide) of well-conditioned steps, so every result is
/// within 2⁻¹⁰⁰ relative of the exact value before the final rounding: float, double and x87 long
/// double are correctly rounded unless the exact value lies that close to a tie.
#pragma once

#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include <Eigen/Core>

#include "detail/checks.hpp"
#include "detail/error.hpp"
#include "detail/log_snr_shift.hpp"
#include "detail/wide.hpp"
#include "detail/wide_constants.hpp"
#include "detail/wide_decimal.hpp"
#include "detail/wide_math.hpp"
#include "schedule.hpp"
#include "sigma_schedules.hpp"

namespace diffuse {

/// Which tool's definition a function follows where the tools disagree (see the file comment).
enum class Convention {
  comfyui,               ///< ComfyUI comfy/model_sampling.py
  stable_diffusion_cpp,  ///< stable-diffusion.cpp src/runtime/denoiser.hpp (and, for VP σ → τ, diffusers)
};

namespace detail {

/// The two forms of the noising x = f(x₀, σ, ε).
enum class NoiseForm { variance_exploding, flow };

/// tan x for 0 ≤ x < π/2, in wide.
inline Wide tan_of(const Wide& x) {
  const SinCos sc = sin_cos(x);
  return sc.sin / sc.cos;
}

/// The members every model sampling has, written once over Derived's wide functions
/// (wide_table_sigma(i), table_size(), wide_sigma(τ, …), wide_timestep(σ, …), wide_percent_sigma(1 − p)).
template <class Derived, class Scalar, NoiseForm form>
class ModelSamplingBase {
  static_assert(std::is_floating_point<Scalar>::value, "diffuse: a model sampling needs float, double or long double");

 public:
  using scalar_type = Scalar;

  /// The noise level σ of the 0-based table index i (our step i + 1).
  /// @throws std::out_of_range unless 0 ≤ i < table_size().
  Scalar table_sigma(int index) const {
    check_step("ModelSampling::table_sigma", "index", index, 0, derived().table_size() - 1);
    return static_cast<Scalar>(derived().wide_table_sigma(index));
  }
  /// The first table entry, the tool's `sigma_min`.
  Scalar sigma_min() const { return static_cast<Scalar>(wide_sigma_min()); }
  /// The last table entry, the tool's `sigma_max`.
  Scalar sigma_max() const { return static_cast<Scalar>(wide_sigma_max()); }
  Wide wide_sigma_min() const { return derived().wide_table_sigma(0); }
  Wide wide_sigma_max() const { return derived().wide_table_sigma(derived().table_size() - 1); }

  /// σ(τ), the noise level of the model timestep τ (the Derived type states the map).
  /// @throws std::invalid_argument unless τ is finite; the Derived type may restrict its range.
  template <class... Options>
  Scalar sigma(Scalar timestep, Options... options) const {
    check_finite("ModelSampling::sigma", "timestep", timestep);
    return static_cast<Scalar>(derived().wide_sigma(Wide(timestep), options...));
  }
  /// τ(σ), the model timestep of the noise level σ (the Derived type states the map).
  /// @throws std::invalid_argument unless σ ≥ 0.
  template <class... Options>
  Scalar timestep(Scalar sigma, Options... options) const {
    check_non_negative("ModelSampling::timestep", "sigma", sigma);
    return static_cast<Scalar>(derived().wide_timestep(Wide(sigma), options...));
  }

  /// ComfyUI's `percent_to_sigma`: the σ at which a fraction p of the sampling is done. p ≤ 0 gives
  /// 999999999.9 (VE) or 1 (flow), p ≥ 1 gives 0, and in between the Derived type's σ at 1 − p
  /// (formed exactly in wide). ComfyUI ≥ PR #16156 then rounds the result to float32.
  /// @throws std::invalid_argument unless p is finite.
  Scalar percent_to_sigma(double percent) const {
    check_finite("ModelSampling::percent_to_sigma", "percent", percent);
    if (percent <= 0) return form == NoiseForm::flow ? Scalar(1) : static_cast<Scalar>(999999999.9);
    if (percent >= 1) return 0;
    return static_cast<Scalar>(derived().wide_percent_sigma(Wide(1) - Wide(percent)));
  }

  /// The noised latent (ComfyUI and stable-diffusion.cpp `noise_scaling`): VE x₀ + σε, or
  /// x₀ + √(1 + σ²)ε with max_denoise (ComfyUI, when the first σ reaches σ_max: the variance of a VP
  /// model's pure-noise input); flow (1 − σ)x₀ + σε (max_denoise has no effect). The factors are
  /// rounded once to Scalar, each element then costs one product and one sum (within 1½ ulp of the
  /// larger term, plus ½ ulp of (1 − σ) for flow).
  /// @throws std::invalid_argument unless σ ≥ 0 (and σ ≤ 1 for flow).
  template <class DerivedNoise, class DerivedLatent>
  typename DerivedLatent::PlainObject noise_scaling(Scalar sigma, const Eigen::MatrixBase<DerivedNoise>& noise,
                                                    const Eigen::MatrixBase<DerivedLatent>& latent,
                                                    bool max_denoise = false) const {
    check_same_scalar<Scalar, typename DerivedNoise::Scalar>();
    check_same_scalar<Scalar, typename DerivedLatent::Scalar>();
    check_sigma("ModelSampling::noise_scaling", sigma);
    eigen_assert(noise.rows() == latent.rows() && noise.cols() == latent.cols());
    if constexpr (form == NoiseForm::flow) {
      const Scalar keep = static_cast<Scalar>(Wide(1) - Wide(sigma));
      return (keep * latent.array() + sigma * noise.array()).matrix();
    } else {
      const Scalar scale = max_denoise ? static_cast<Scalar>(sqrt(1 + Wide(sigma) * Wide(sigma))) : sigma;
      return (latent.array() + scale * noise.array()).matrix();
    }
  }

  /// The inverse noise scaling a sampler applies to its final latent: VE the identity; flow
  /// x/(1 − σ) (ComfyUI CONST and stable-diffusion.cpp; 1/(1 − σ) is rounded once, then one product).
  /// @throws std::invalid_argument unless σ ≥ 0 (and, for flow, σ < 1).
  template <class DerivedLatent>
  typename DerivedLatent::PlainObject inverse_noise_scaling(Scalar sigma,
                                                            const Eigen::MatrixBase<DerivedLatent>& latent) const {
    check_same_scalar<Scalar, typename DerivedLatent::Scalar>();
    check_sigma("ModelSampling::inverse_noise_scaling", sigma);
    if constexpr (form == NoiseForm::flow) {
      check_below("ModelSampling::inverse_noise_scaling", "sigma", sigma, "the pure-noise level", Scalar(1));
      const Scalar scale = static_cast<Scalar>(1 / (Wide(1) - Wide(sigma)));
      return (scale * latent.array()).matrix();
    } else {
      return latent;
    }
  }

 private:
  const Derived& derived() const { return static_cast<const Derived&>(*this); }
  static void check_sigma(const char* function, Scalar sigma) {
    check_non_negative(function, "sigma", sigma);
    if (form == NoiseForm::flow) check_in_closed_unit_interval(function, "sigma", sigma);
  }
};

/// σ = exp(log σ_min + r (log σ_max − log σ_min)), r ∈ [0, 1]: the log-uniform table of ComfyUI's
/// continuous models, exp(linspace(log σ_min, log σ_max, 1000)).
class LogUniformTable {
 public:
  LogUniformTable(const char* function, double sigma_min, double sigma_max, double sigma_data)
      : sigma_data_(sigma_data) {
    check_sigma_range(function, sigma_min, sigma_max);
    check_finite_positive(function, "sigma_data", sigma_data);
    log_min_ = log(decimal_value(sigma_min));
    log_max_ = log(decimal_value(sigma_max));
  }
  /// 1000, ComfyUI's table length.
  int table_size() const { return 1000; }
  /// exp(log σ_min + i/999 (log σ_max − log σ_min)).
  Wide wide_table_sigma(int index) const { return wide_percent_sigma(Wide(index) / Wide(999)); }
  /// exp(log σ_min + r (log σ_max − log σ_min)) (ComfyUI `percent_to_sigma` at r = 1 − p).
  Wide wide_percent_sigma(const Wide& r) const { return exp((1 - r) * log_min_ + r * log_max_); }
  /// σ_data, the data's standard deviation the model was trained with (its input scaling).
  double sigma_data() const { return sigma_data_; }

 private:
  Wide log_min_, log_max_;
  double sigma_data_;
};

}  // namespace detail

/// A discrete VP model (SD 1.x, SD 2.x, SDXL; ComfyUI ModelSamplingDiscrete with EPS or
/// V_PREDICTION, stable-diffusion.cpp CompVisDenoiser, CompVisVDenoiser): the table σ_i =
/// √((1 − ᾱ)/ᾱ) of our step t = i + 1 of a Schedule, i = 0..T − 1, and the timestep τ ∈ [0, T − 1]
/// is that 0-based index.
template <class Scalar>
class DiscreteVpSampling
    : public detail::ModelSamplingBase<DiscreteVpSampling<Scalar>, Scalar, detail::NoiseForm::variance_exploding> {
 public:
  /// The model sampling of `schedule` (e.g. presets or Schedule::scaled_linear(1000) for SD 1.5 and
  /// SDXL). ε- and v-prediction models share it: ComfyUI's EPS and V_PREDICTION differ only in the
  /// denoiser, not in σ(τ), τ(σ) or the noising.
  explicit DiscreteVpSampling(Schedule<Scalar> schedule) : schedule_(std::move(schedule)) {}

  const Schedule<Scalar>& schedule() const { return schedule_; }
  int table_size() const { return schedule_.steps(); }
  /// σ_{i+1} of the schedule.
  detail::Wide wide_table_sigma(int index) const { return exp(detail::schedule_log_sigma(schedule_, index + 1)); }

  /// σ(τ): τ clamped to [0, T − 1], then log σ linear between the table entries ⌊τ⌋ and ⌈τ⌉ (ComfyUI
  /// `sigma`, stable-diffusion.cpp `t_to_sigma`, which does not clamp; k-diffusion `t_to_sigma`):
  /// noise_level(schedule, FractionalStep::from_model_index(τ)).
  detail::Wide wide_sigma(const detail::Wide& timestep) const {
    using detail::Wide;
    const int last = table_size() - 1;
    const Wide tau = timestep < Wide() ? Wide() : timestep > Wide(last) ? Wide(last) : timestep;
    const int lo = static_cast<int>(floor_to_integer(tau));
    const Wide w = tau - Wide(lo);
    if (w.is_zero()) return wide_table_sigma(lo);
    return exp(detail::log_sigma_between(schedule_, lo + 1, w));
  }
  /// τ(σ). comfyui: the integer argmin_i |log σ − log σ_i| (ties to the lower index; σ = 0 gives 0),
  /// nearest_step − 1. stable_diffusion_cpp (also diffusers `_sigma_to_t`, k-diffusion
  /// `sigma_to_t`): fractional by linear interpolation in log σ, clamped to [0, T − 1],
  /// fractional_step(…).model_index(). They differ by up to ½ between table entries.
  detail::Wide wide_timestep(const detail::Wide& sigma, Convention convention = Convention::comfyui) const {
    using detail::Wide;
    if (sigma.is_zero()) return Wide();
    const Wide x = log(sigma);
    if (convention == Convention::comfyui) return Wide(detail::nearest_step_of_log_sigma(schedule_, x) - 1);
    return detail::fractional_step_of_log_sigma(schedule_, x) - 1;
  }
  /// σ(τ) rounded as ComfyUI computes it in float32: its table log σ_i = fl(log σ_i) (float32, from
  /// the float64 table), τ clamped, w = τ − ⌊τ⌋, then fl(fl(fl(1 − w)·log σ_lo) + fl(w·log σ_hi)) and
  /// fl(exp(…)), each operation here rounded once to float32 from its exact value (torch's float32
  /// exp and log are within an ulp, so ComfyUI may differ from this in the last bit). It differs
  /// from the exact σ(τ) by up to 2.6·10⁻⁷ relative, about 4 float ulps, for SD 1.5 over τ = k/4
  /// (gen_sampler_schedules_reference.py; the rounding of log σ up to 2.7, amplified by exp).
  /// @throws std::invalid_argument unless τ is finite.
  float comfyui_float32_sigma(float timestep) const {
    using detail::Wide;
    detail::check_finite("DiscreteVpSampling::comfyui_float32_sigma", "timestep", timestep);
    const int last = table_size() - 1;
    const float tau = timestep < 0 ? 0.0f : timestep > static_cast<float>(last) ? static_cast<float>(last) : timestep;
    const int lo = static_cast<int>(std::floor(tau));
    const float w = tau - static_cast<float>(lo);  // exact
    const auto log_sigma = [&](int index) {
      return static_cast<float>(detail::schedule_log_sigma(schedule_, index + 1));
    };
    const float low = static_cast<float>(Wide(static_cast<float>(Wide(1) - Wide(w))) * Wide(log_sigma(lo)));
    const float high = w == 0 ? 0.0f : static_cast<float>(Wide(w) * Wide(log_sigma(lo + 1)));
    return static_cast<float>(exp(Wide(static_cast<float>(Wide(low) + Wide(high)))));
  }
  /// ComfyUI: σ((1 − p)·999), with its literal 999 (= T − 1 for T = 1000; ComfyUI rounds (1 − p)·999
  /// to float32 before interpolating).
  detail::Wide wide_percent_sigma(const detail::Wide& remaining) const {
    return wide_sigma(remaining * detail::Wide(999));
  }

 private:
  Schedule<Scalar> schedule_;
};

/// A VP table with EDM's timestep (ComfyUI ModelSamplingDiscreteEDM, used for v-prediction
/// SDXL-derived models such as Playground 2.5): the σ table of DiscreteVpSampling, τ = ¼ log σ,
/// σ = e^{4τ}.
template <class Scalar>
class DiscreteEdmSampling
    : public detail::ModelSamplingBase<DiscreteEdmSampling<Scalar>, Scalar, detail::NoiseForm::variance_exploding> {
 public:
  explicit DiscreteEdmSampling(Schedule<Scalar> schedule) : table_(std::move(schedule)) {}

  int table_size() const { return table_.table_size(); }
  detail::Wide wide_table_sigma(int index) const { return table_.wide_table_sigma(index); }
  /// σ = e^{4τ} (ComfyUI `sigma`).
  detail::Wide wide_sigma(const detail::Wide& timestep) const { return exp(ldexp(timestep, 2)); }
  /// τ = ¼ log σ (ComfyUI `timestep`; −∞ at σ = 0).
  detail::Wide wide_timestep(const detail::Wide& sigma) const { return ldexp(log(sigma), -2); }
  /// The VP table's σ((1 − p)·999), as for DiscreteVpSampling. ComfyUI inherits that method but its
  /// `sigma` is now e^{4τ}: it returns e^{3996(1 − p)} (+∞ in float32 for p < 0.978), which is not a
  /// noise level of the model; we keep the table's.
  detail::Wide wide_percent_sigma(const detail::Wide& remaining) const { return table_.wide_percent_sigma(remaining); }

 private:
  DiscreteVpSampling<Scalar> table_;
};

/// EDM (Karras et al. 2022) as ComfyUI ModelSamplingContinuousEDM and stable-diffusion.cpp
/// EDMVDenoiser define it: τ = ¼ log σ, σ = e^{4τ}; the table exp(linspace(log σ_min, log σ_max,
/// 1000)) (ComfyUI defaults σ_min = 0.002, σ_max = 120, σ_data = 1; Cosmos 0.002/80/0.5, SVD σ_max 700).
/// ComfyUI builds that table in float32, so its sigma_min and sigma_max are float32 values near the
/// decimals (0.002 becomes 0.00199999986 and 120 becomes 119.99968, 2.7·10⁻⁶ relative: ComfyUI's
/// karras or kl_optimal start there); here they are the decimals.
template <class Scalar>
class EdmSampling
    : public detail::ModelSamplingBase<EdmSampling<Scalar>, Scalar, detail::NoiseForm::variance_exploding> {
 public:
  /// @throws std::invalid_argument unless 0 < σ_min < σ_max and σ_data > 0 (finite).
  explicit EdmSampling(double sigma_min = 0.002, double sigma_max = 120, double sigma_data = 1)
      : table_("EdmSampling", sigma_min, sigma_max, sigma_data) {}

  double sigma_data() const { return table_.sigma_data(); }
  int table_size() const { return table_.table_size(); }
  detail::Wide wide_table_sigma(int index) const { return table_.wide_table_sigma(index); }
  /// comfyui: σ = e^{4τ}. stable_diffusion_cpp (EDMVDenoiser `t_to_sigma`): σ = e^{4τ/1000}, not
  /// the inverse of its own τ = ¼ log σ (σ → τ → σ gives σ^{1/1000}).
  detail::Wide wide_sigma(const detail::Wide& timestep, Convention convention = Convention::comfyui) const {
    return exp(convention == Convention::comfyui ? ldexp(timestep, 2) : ldexp(timestep, 2) / detail::Wide(1000));
  }
  /// τ = ¼ log σ (both tools; −∞ at σ = 0).
  detail::Wide wide_timestep(const detail::Wide& sigma) const { return ldexp(log(sigma), -2); }
  /// ComfyUI: exp(log σ_min + (1 − p)(log σ_max − log σ_min)).
  detail::Wide wide_percent_sigma(const detail::Wide& remaining) const { return table_.wide_percent_sigma(remaining); }

 private:
  detail::LogUniformTable table_;
};

/// Continuous v-prediction (Stable Audio; ComfyUI ModelSamplingContinuousV): τ = (2/π) atan σ,
/// σ = tan(πτ/2), τ ∈ [0, 1); the log-uniform table of EdmSampling (Stable Audio: σ_min 0.03, σ_max 500).
template <class Scalar>
class ContinuousVSampling
    : public detail::ModelSamplingBase<ContinuousVSampling<Scalar>, Scalar, detail::NoiseForm::variance_exploding> {
 public:
  /// @throws std::invalid_argument unless 0 < σ_min < σ_max and σ_data > 0 (finite).
  explicit ContinuousVSampling(double sigma_min = 0.03, double sigma_max = 500, double sigma_data = 1)
      : table_("ContinuousVSampling", sigma_min, sigma_max, sigma_data) {}

  double sigma_data() const { return table_.sigma_data(); }
  int table_size() const { return table_.table_size(); }
  detail::Wide wide_table_sigma(int index) const { return table_.wide_table_sigma(index); }
  /// σ = tan(πτ/2) (relative condition number πτ/sin(πτ) ≤ πτ/(2 cos(πτ/2)), ≈ σ for large σ).
  /// @throws std::out_of_range unless 0 ≤ τ < 1.
  detail::Wide wide_sigma(const detail::Wide& timestep) const {
    if (!(timestep >= detail::Wide() && timestep < detail::Wide(1))) {
      detail::fail<std::out_of_range>("ContinuousVSampling::sigma", "timestep must be in [0, 1)",
                                      static_cast<double>(timestep));
    }
    return detail::tan_of(timestep * detail::wide_constants::half_pi);
  }
  /// τ = (2/π) atan σ (1 at σ = ∞).
  detail::Wide wide_timestep(const detail::Wide& sigma) const {
    return atan(sigma) * detail::wide_constants::two_over_pi;
  }
  /// ComfyUI: exp(log σ_min + (1 − p)(log σ_max − log σ_min)).
  detail::Wide wide_percent_sigma(const detail::Wide& remaining) const { return table_.wide_percent_sigma(remaining); }

 private:
  detail::LogUniformTable table_;
};

/// Rectified flow with a static time shift (ComfyUI ModelSamplingDiscreteFlow and ModelSamplingFlux,
/// stable-diffusion.cpp DiscreteFlowDenoiser and FluxFlowDenoiser): σ(τ) = shift_s(τ/m),
/// shift_s(u) = s·u/(1 + (s − 1)u), evaluated as s·u/((1 − u) + s·u) (shift.hpp's SD3 shift, the
/// same code); τ(σ) = m·σ. The table holds
/// σ((i + 1)m/T), i = 0..T − 1. SD3/3.5: s = 3, m = 1000; AuraFlow s = 1.73, Lumina 2 s = 6, both
/// m = 1; Flux: flux(μ), s = e^μ (μ = 1.15 in ComfyUI's node, which calls μ "shift"), m = 1,
/// T = 10000 (tshift(μ, 1, u) = e^μ/(e^μ + 1/u − 1) is shift_{e^μ}(u)).
template <class Scalar>
class FlowSampling : public detail::ModelSamplingBase<FlowSampling<Scalar>, Scalar, detail::NoiseForm::flow> {
 public:
  /// SD3-style: shift s, timestep multiplier m, a table of T entries.
  /// @throws std::invalid_argument unless s > 0 and m > 0 (finite) and T ≥ 1.
  explicit FlowSampling(double shift = 1, double multiplier = 1000, int steps = 1000)
      : FlowSampling("FlowSampling", detail::decimal_value(check_shift(shift)), multiplier, steps) {}

  /// Flux (ComfyUI ModelSamplingFlux): s = e^μ, m = 1, T = 10000 (stable-diffusion.cpp's
  /// FluxFlowDenoiser has T = 1000: its σ_min is shift(1/1000), ComfyUI's shift(1/10⁴)).
  /// @throws std::invalid_argument unless μ is finite, or if T < 1.
  static FlowSampling flux(double mu = 1.15, int steps = 10000) {
    detail::check_finite("FlowSampling::flux", "mu", mu);
    return FlowSampling("FlowSampling::flux", exp(detail::decimal_value(mu)), 1, steps);
  }

  double multiplier() const { return multiplier_; }
  int table_size() const { return steps_; }
  /// σ((i + 1)m/T) = shift_s((i + 1)/T).
  detail::Wide wide_table_sigma(int index) const { return shifted(detail::Wide(index + 1) / detail::Wide(steps_)); }
  /// comfyui: shift_s(τ/m). stable_diffusion_cpp: shift_s((τ + 1)/1000) for its 0-based index τ
  /// (`t_to_sigma`; it is σ of the 1000-entry table at index τ, whatever m).
  /// @throws std::out_of_range unless the argument of shift_s is in [0, 1].
  detail::Wide wide_sigma(const detail::Wide& timestep, Convention convention = Convention::comfyui) const {
    using detail::Wide;
    const bool comfy = convention == Convention::comfyui;
    const Wide u = comfy ? timestep / multiplier_wide_ : (timestep + 1) / Wide(1000);
    if (!(u >= Wide() && u <= Wide(1))) {
      detail::fail<std::out_of_range>(
          "FlowSampling::sigma",
          comfy ? "timestep / multiplier must be in [0, 1]" : "(timestep + 1) / 1000 must be in [0, 1]",
          static_cast<double>(timestep));
    }
    return shifted(u);
  }
  /// τ = m·σ (both tools; stable-diffusion.cpp: 1000σ for SD3, σ for Flux).
  detail::Wide wide_timestep(const detail::Wide& sigma) const { return sigma * multiplier_wide_; }
  /// ComfyUI: shift_s(1 − p).
  detail::Wide wide_percent_sigma(const detail::Wide& remaining) const { return shifted(remaining); }

 private:
  FlowSampling(const char* function, const detail::Wide& shift, double multiplier, int steps)
      : shift_(detail::WideShift::of_static_scale(shift)), multiplier_(multiplier), steps_(steps) {
    detail::check_finite_positive(function, "multiplier", multiplier);
    detail::check_steps(function, steps);
    multiplier_wide_ = detail::decimal_value(multiplier);
  }
  static double check_shift(double shift) {
    detail::check_finite_positive("FlowSampling", "shift", shift);
    return shift;
  }
  /// shift_s(u) = s·u/((1 − u) + s·u), u ∈ [0, 1]: two non-negative terms (the log-SNR shift with
  /// e^μ = s, p = 1: detail/log_snr_shift.hpp).
  detail::Wide shifted(const detail::Wide& u) const { return detail::shift_flow_time(u, shift_); }

  detail::WideShift shift_;
  double multiplier_;
  int steps_;
  detail::Wide multiplier_wide_;
};

/// Stable Cascade (ComfyUI StableCascadeSampling, comfy/model_sampling.py @a125cd84; Würstchen's
/// cosine schedule, Pernias et al. 2024): ᾱ(τ) = cos²θ(τ)/cos²θ(0), θ(τ) = (τ + s)/(1 + s)·π/2,
/// s = 0.008, τ ∈ [0, 1]; the shift k divides the SNR by k² (ComfyUI: logit ᾱ += 2 log(1/k), then
/// the sigmoid); ᾱ is clamped to [10⁻⁴, 0.9999] and σ = √((1 − ᾱ)/ᾱ), so σ ∈ [1/√9999, √9999] =
/// [0.0100005, 99.995]. The table holds σ((i + 1)/10000), i = 0..9999 (ComfyUI builds it for its
/// schedulers), the noise form is VE (ComfyUI pairs the class with EPS). ComfyUI presets: stage C
/// k = 2, stage B k = 1 (comfy/supported_models.py Stable_Cascade_C and _B).
///
/// τ(σ) inverts the unshifted, unclamped ᾱ, as ComfyUI's `timestep` does: with k ≠ 1, σ → τ → σ
/// gives k·σ (then clamped), e.g. 2σ for stage C, and at k = 1 the identity only inside the clamp
/// range. ComfyUI computes in float32 with s = float32(0.008) = 0.00800000038; here s is the
/// decimal 0.008 (σ moves by less than 10⁻⁹ relative, far below float32's rounding). Its float32
/// values differ from the exact ones (its class run on the reference inputs of
/// tests/reference/model_presets.txt): σ_min by 8.3·10⁻⁵ relative (0.0100013, from float32's
/// 1 − 0.9999), σ(τ) by up to 3.6·10⁻⁶ at τ = 1/16 (1 − ᾱ cancels) and 1.4·10⁻⁷ at τ = ½, and
/// τ(σ) by 3.5% at σ = 2⁻¹⁰ (acos(…) − s cancels near τ = 0), 1.3·10⁻⁷ at σ = ½.
///
/// Evaluated without cancellation: with φ = π/(2(1 + s)), ᾱ ∝ cos²θ = sin²((1 − τ)φ) and
/// 1 − ᾱ ∝ cos²θ(0) − cos²θ = sin(τφ)·sin((τ + 2s)φ), so σ = k·√(sin(τφ) sin((τ + 2s)φ))/sin((1 − τ)φ)
/// inside the clamp; τ(σ) = (ψ − θ(0))/φ with tan(ψ − θ(0)) = c₀σ²/((R + s₀)(c₀² + s₀R)),
/// c₀ = cos θ(0), s₀ = sin θ(0), R = √(s₀² + σ²).
template <class Scalar>
class StableCascadeSampling
    : public detail::ModelSamplingBase<StableCascadeSampling<Scalar>, Scalar, detail::NoiseForm::variance_exploding> {
 public:
  /// @throws std::invalid_argument unless the shift is finite and > 0.
  explicit StableCascadeSampling(double shift = 1) : shift_(shift) {
    using detail::Wide;
    detail::check_finite_positive("StableCascadeSampling", "shift", shift);
    const Wide k = detail::decimal_value(shift), s = detail::decimal_value(0.008);
    shift_squared_ = k * k;
    phi_ = detail::wide_constants::half_pi / (Wide(1) + s);
    two_s_ = ldexp(s, 1);
    const detail::SinCos start = detail::sin_cos(s * phi_);
    sin0_ = start.sin;
    cos0_ = start.cos;
  }

  /// k, the shift of the SNR (σ scales by k).
  double shift() const { return shift_; }
  /// 10000, ComfyUI's table length.
  int table_size() const { return 10000; }
  /// σ((i + 1)/10000).
  detail::Wide wide_table_sigma(int index) const { return sigma_of(detail::Wide(index + 1) / detail::Wide(10000.0)); }
  /// σ(τ) (ComfyUI `sigma`), see the class comment.
  /// @throws std::out_of_range unless 0 ≤ τ ≤ 1.
  detail::Wide wide_sigma(const detail::Wide& timestep) const {
    if (!(timestep >= detail::Wide() && timestep <= detail::Wide(1))) {
      detail::fail<std::out_of_range>("StableCascadeSampling::sigma", "timestep must be in [0, 1]",
                                      static_cast<double>(timestep));
    }
    return sigma_of(timestep);
  }
  /// τ(σ) of the unshifted cosine ᾱ (ComfyUI `timestep`): 0 at σ = 0, 1 at σ = ∞.
  detail::Wide wide_timestep(const detail::Wide& sigma) const {
    using detail::Wide;
    if (sigma.is_zero()) return Wide();
    if (!sigma.is_finite()) return Wide(1);
    const Wide r = sqrt(sin0_ * sin0_ + sigma * sigma);
    return atan(cos0_ * sigma * sigma / ((r + sin0_) * (cos0_ * cos0_ + sin0_ * r))) / phi_;
  }
  /// ComfyUI: σ(1 − p).
  detail::Wide wide_percent_sigma(const detail::Wide& remaining) const { return sigma_of(remaining); }

 private:
  /// σ of τ ∈ [0, 1]: a ∝ ᾱ and b ∝ 1 − ᾱ (shifted), both ≥ 0 and never both 0.
  detail::Wide sigma_of(const detail::Wide& tau) const {
    using detail::Wide;
    const Wide a = square(sin((Wide(1) - tau) * phi_));
    const Wide b = shift_squared_ * sin(tau * phi_) * sin((tau + two_s_) * phi_);
    const Wide most(9999.0);  // ᾱ < 10⁻⁴ ⟺ 9999a < b; ᾱ > 0.9999 ⟺ a > 9999b
    if (most * a < b) return sqrt(most);
    if (a > most * b) return 1 / sqrt(most);
    return sqrt(b / a);
  }
  static detail::Wide square(const detail::Wide& x) { return x * x; }

  double shift_;
  detail::Wide shift_squared_, phi_, two_s_, sin0_, cos0_;
};

/// Cosmos Predict2's rectified flow on a VE σ (ComfyUI ModelSamplingCosmosRFlow with COSMOS_RFLOW,
/// comfy/model_sampling.py @a125cd84): the sampler works in the VE noise level σ (x = x₀ + σε, the
/// noising of COSMOS_RFLOW, which ignores max_denoise), the model sees the flow time τ = σ/(1 + σ)
/// and the flow latent (1 − τ)x = (1 − τ)x₀ + τε (`input_scale`), and σ(τ) = τ/(1 − τ) capped at
/// σ_max (σ_max for τ ≥ σ_max/(1 + σ_max), i.e. min(τ/(1 − τ), σ_max)). The table and percent → σ
/// are ModelSamplingContinuousEDM's, which the class inherits: exp(linspace(log σ_min, log σ_max,
/// 1000)). ComfyUI's Cosmos Predict2 rows: σ_min 0.002, σ_max 80, σ_data 1 (CosmosT2IPredict2). Its
/// x̂₀ = (1 − τ)x − τ·v makes the model a flow-velocity predictor. ComfyUI computes in float32: its
/// class, run on the reference inputs of tests/reference/model_presets.txt, is within 2.4·10⁻⁷
/// relative of these exact values (its table; σ_max comes out as 80 exactly), and its noise_scaling
/// and calculate_input agree with noise_scaling and input_scale here.
/// (stable-diffusion.cpp's `noise_level_to_sigma` maps a strength n to the VE σ = n/(1 − n), the same
/// map without the cap.)
template <class Scalar>
class CosmosRFlowSampling
    : public detail::ModelSamplingBase<CosmosRFlowSampling<Scalar>, Scalar, detail::NoiseForm::variance_exploding> {
  using Base = detail::ModelSamplingBase<CosmosRFlowSampling<Scalar>, Scalar, detail::NoiseForm::variance_exploding>;

 public:
  /// @throws std::invalid_argument unless 0 < σ_min < σ_max and σ_data > 0 (finite).
  explicit CosmosRFlowSampling(double sigma_min = 0.002, double sigma_max = 80, double sigma_data = 1)
      : table_("CosmosRFlowSampling", sigma_min, sigma_max, sigma_data) {}

  double sigma_data() const { return table_.sigma_data(); }
  int table_size() const { return table_.table_size(); }
  detail::Wide wide_table_sigma(int index) const { return table_.wide_table_sigma(index); }
  /// σ = min(τ/(1 − τ), σ_max) (σ_max for τ ≥ 1).
  /// @throws std::out_of_range unless τ ≥ 0.
  detail::Wide wide_sigma(const detail::Wide& timestep) const {
    using detail::Wide;
    if (!(timestep >= Wide())) {
      detail::fail<std::out_of_range>("CosmosRFlowSampling::sigma", "timestep must be >= 0",
                                      static_cast<double>(timestep));
    }
    const Wide top = this->wide_sigma_max(), rest = Wide(1) - timestep;
    if (!(rest > Wide()) || timestep >= top * rest) return top;  // τ/(1 − τ) ≥ σ_max
    return timestep / rest;
  }
  /// τ = σ/(1 + σ) (1 at σ = ∞).
  detail::Wide wide_timestep(const detail::Wide& sigma) const {
    if (!sigma.is_finite()) return detail::Wide(1);
    return sigma / (detail::Wide(1) + sigma);
  }
  /// ComfyUI (ModelSamplingContinuousEDM's): exp(log σ_min + (1 − p)(log σ_max − log σ_min)).
  detail::Wide wide_percent_sigma(const detail::Wide& remaining) const { return table_.wide_percent_sigma(remaining); }

  /// 1 − τ = 1/(1 + σ), the factor COSMOS_RFLOW's `calculate_input` applies to the VE latent to give
  /// the model its flow latent (1 − τ)x₀ + τε (0 at σ = ∞).
  /// @throws std::invalid_argument unless σ ≥ 0.
  Scalar input_scale(Scalar sigma) const {
    detail::check_non_negative("CosmosRFlowSampling::input_scale", "sigma", sigma);
    if (!detail::is_finite(sigma)) return Scalar(0);
    return static_cast<Scalar>(1 / (detail::Wide(1) + detail::Wide(sigma)));
  }
  /// x₀ + σε, as COSMOS_RFLOW's `noise_scaling`, which has no max_denoise branch: the flag is ignored.
  template <class DerivedNoise, class DerivedLatent>
  typename DerivedLatent::PlainObject noise_scaling(Scalar sigma, const Eigen::MatrixBase<DerivedNoise>& noise,
                                                    const Eigen::MatrixBase<DerivedLatent>& latent,
                                                    bool /*max_denoise*/ = false) const {
    return Base::noise_scaling(sigma, noise, latent, false);
  }

 private:
  detail::LogUniformTable table_;
};

}  // namespace diffuse
