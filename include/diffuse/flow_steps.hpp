/// The sampling steps of diffusers' FlowMatchEulerDiscreteScheduler: the σ and model timesteps its set_timesteps(N) produces, exactly or as diffusers rounds them.
///
/// A flow-matching sampler integrates the rectified flow (flow.hpp) from σ = 1 (noise) towards
/// σ = 0 (data) through N noise levels σ_0 > … > σ_{N−1} and then σ_N = 0 (diffusers appends the 0;
/// with `invert_sigmas` it appends 1). σ is the flow time t of RectifiedFlow; the model is fed the
/// timestep σ·num_train_timesteps. Index convention: diffusers' `sigmas[i]`, i = 0..N, is the i-th
/// level visited, from the noise end; it is our time t = σ_i, and diffusers' training index i of the
/// constructor's 1000-entry table holds our step i + 1 (σ = (i + 1)/T before the shift).
///
/// What set_timesteps(N, sigmas, mu) computes (diffusers src/diffusers/schedulers/
/// scheduling_flow_match_euler_discrete.py, read at 58eb52c0):
///  1. base σ: linspace(σ_max, σ_min, N) from the constructor's table (σ = timestep/T, where the
///     constructor has already applied the static shift when use_dynamic_shifting is false), or the
///     caller's custom sigmas (FluxPipeline passes linspace(1, 1/N, N));
///  2. the shift: the exponential or linear time shift with μ (use_dynamic_shifting), otherwise the
///     static shift s t/(1 + (s − 1) t) — applied a second time to the constructor's shifted σ_min;
///  3. the stretch to `shift_terminal` (if set);
///  4. Karras (ρ = 7), exponential or beta (α = β = 0.6) σ between the shifted ends (if set);
///  5. timesteps = σ·T; append the final 0 (or invert: σ → 1 − σ, append 1).
///
/// Two places where diffusers is not what its authors intended, offered both ways, named:
///  - FlowShiftConvention: with a static shift diffusers' lowest default σ is the shift of the
///    constructor's already shifted 1/T. For SD3 (s = 3, T = 1000) its last non-zero σ is
///    shift(shift(0.001)) = 0.0089 where a single shift gives 0.0030 (`single`).
///  - FlowBaseSigmas: FluxPipeline passes its own base sigmas linspace(1, 1/N, N); the scheduler's
///    default spans [1/T, 1]. At N = 28 and μ = 1.15 (1024² images) the last σ is 0.105 with the
///    pipeline's sigmas and 0.0032 with the scheduler's.
///
/// Precision. FlowPrecision::exact takes the double inputs exactly (custom sigmas, shift, μ,
/// shift_terminal are the doubles' values; the ramps use ρ = 7, α = β = 0.6 and r_i = i/(N − 1)
/// exactly) and evaluates the chain in detail::Wide (128-bit significand): the linspace point (2u),
/// the shift (flow.hpp's bounds, at most 64 + 20(|μ| + |log(1/t − 1)|) units u = 2⁻¹²⁸), the
/// stretch (5u, relative condition ≤ 1/(1 − t_last)), the Karras power ((16·7|log σ| + 12)u),
/// exp/log (16u) — far below 2⁻⁶⁴ — and rounds each σ and timestep once: float, double and x87
/// long double are correctly rounded unless within 2⁻¹⁰⁰ relative of a tie. The beta σ use the
/// quantile of detail/beta_quantile.hpp (1 ulp in double) and are within 2 ulp in double.
///
/// FlowPrecision::diffusers_float32 reproduces diffusers' arithmetic operation by operation (numpy
/// float64 and float32, torch float32, numpy ≥ 2 promotion rules), each IEEE operation emulated by
/// Wide and rounded once to its format, libm's exp/log/pow by Wide rounded once (glibc's are within
/// 1 ulp, so a σ could differ from diffusers' in the last float32 bit only where a float64 value lies
/// within 1 ulp of a float32 rounding tie). How far diffusers' σ are from the exact ones, in ulps of
/// float32 at the exact σ, largest over N ∈ {1, 2, 4, 10, 20, 28, 50} (measured by
/// tests/reference/gen_flow_steps_reference.py, recorded in flow_steps_reference.txt):
///  - the scheduler's default schedule, static (SD3, s = 3; AuraFlow, s = 1.73) or dynamic (Flux,
///    μ = 1.15), with or without shift_terminal: 0.51 — the float64 chain rounded once to float32;
///    the constructor's float32 σ_min = shift(1/T) (torch), shifted again, stays inside that;
///  - Karras, exponential, beta σ on SD3's shifted ends: 1.01, 0.90, 0.66;
///  - custom sigmas (FluxPipeline's linspace(1, 1/N, N), and the same passed by hand) are rounded to
///    float32 and then shifted in float32 (numpy): 1.39 (Flux, μ = 1.15), 1.77 (μ = 0.63, 512²),
///    2.29 (linear time shift), 1.85 and 1.74 (static s = 3 and 1.73), and 4.80 with LTX-Video's
///    stretch to shift_terminal = 0.1 (float32 1 − σ divided by a float32 scale factor);
///  - invert_sigmas: 1 − σ is exact in float32 but carries σ's rounding into a smaller number: 31.7
///    (σ_0 = 0.987 of SD3 at N = 50 becomes 0.0126);
///  - timesteps = float32(σ)·T is rounded once more in float32 (½ ulp of the timestep).
/// tests/test_flow_steps.cpp checks this mode bit for bit against the reference's numpy replay, and
/// tests/reference/spot_check_diffusers.py against diffusers' own scheduling_flow_match_euler_discrete.py
/// (58eb52c0, torch 1.13, numpy 1.24.2): all 1610 σ/timestep pairs of the reference equal, but the
/// two documented NaN of N = 1 with shift_terminal.
/// Under numpy 1.x (value-based casting) one float32 operation differs: the stretch's scale factor
/// (1 − σ_last)/(1 − τ) is a float32 scalar divided by a Python float, which numpy 1.x computes in
/// float64 and numpy 2 in float32; this mode follows numpy 2 (no σ of the LTX case differs under
/// numpy 1.24.2).
///
/// Corner cases: N = 1 gives [σ_0, 0] (linspace of one point is its start: σ_0 = shift(1) = 1 for
/// the default schedule). With shift_terminal the stretch divides by 1 − σ_{N−1}, which is 0 when the
/// last σ is 1 (N = 1 with the default or Flux sigmas): diffusers returns NaN there; diffuse leaves
/// the σ as they are (every σ is then 1 and the stretch maps 1 to 1), in both modes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "detail/beta_quantile.hpp"
#include "detail/checks.hpp"
#include "detail/error.hpp"
#include "detail/log_snr_shift.hpp"
#include "detail/wide.hpp"
#include "detail/wide_math.hpp"
#include "flow.hpp"

namespace diffuse {

/// How a static shift meets the low end of the scheduler's default schedule (see the file comment).
enum class FlowShiftConvention {
  diffusers,  ///< linspace(1, shift(1/T), N), shifted: the constructor's shifted σ_min shifted again
  single,     ///< linspace(1, 1/T, N), shifted once: the schedule the shift is meant to give
};

/// Where the unshifted σ come from.
enum class FlowBaseSigmas {
  scheduler,      ///< set_timesteps(N): linspace(σ_max, σ_min, N) of the constructor's table
  flux_pipeline,  ///< FluxPipeline (and LTX's, Sana's…): set_timesteps(sigmas = linspace(1, 1/N, N))
};

/// Exact from the double inputs, or diffusers' own float64/float32 arithmetic.
enum class FlowPrecision { exact, diffusers_float32 };

/// diffusers' `time_shift_type`: the shift used with use_dynamic_shifting.
enum class FlowTimeShift {
  exponential,  ///< e^μ/(e^μ + (1/t − 1)), exponential_time_shift
  linear,       ///< μ/(μ + (1/t − 1)), linear_time_shift
};

/// diffusers' use_karras_sigmas / use_exponential_sigmas / use_beta_sigmas (at most one is true).
enum class FlowSigmaRamp { none, karras, exponential, beta };

/// FlowMatchEulerDiscreteScheduler's constructor settings that place its steps, with diffusers'
/// defaults (scheduler_config.json's keys of the same names).
struct FlowMatchConfig {
  int num_train_timesteps = 1000;
  double shift = 1.0;                 ///< the static shift s (ignored with use_dynamic_shifting)
  bool use_dynamic_shifting = false;  ///< shift by μ given at set_timesteps (Flux: from the image size)
  double base_shift = 0.5;            ///< μ at base_image_seq_len (resolution_shift_mu)
  double max_shift = 1.15;            ///< μ at max_image_seq_len
  double base_image_seq_len = 256;
  double max_image_seq_len = 4096;
  bool invert_sigmas = false;            ///< σ → 1 − σ after everything, final 1 instead of 0 (Mochi)
  std::optional<double> shift_terminal;  ///< the last σ after the stretch (LTX-Video: 0.1); none by default
  FlowSigmaRamp sigma_ramp = FlowSigmaRamp::none;
  FlowTimeShift time_shift_type = FlowTimeShift::exponential;

  /// The μ of an image of image_seq_len latent tokens (Flux: (H/16)(W/16)), as the Flux pipeline's
  /// calculate_shift gives it from these settings: resolution_shift_mu, exact; or, for
  /// diffusers_float32, calculate_shift's own float64 steps m = (max_shift − base_shift)/(L_max −
  /// L_base), b = base_shift − m L_base, μ = L m + b.
  /// @throws std::invalid_argument as resolution_shift_mu.
  double mu(double image_seq_len, FlowPrecision precision = FlowPrecision::exact) const {
    const double exact =
        resolution_shift_mu(image_seq_len, base_image_seq_len, max_image_seq_len, base_shift, max_shift);
    if (precision == FlowPrecision::exact) return exact;
    using detail::Wide;
    const auto f64 = [](const Wide& x) { return static_cast<double>(x); };
    const double m = f64(Wide(f64(Wide(max_shift) - Wide(base_shift))) /
                         Wide(f64(Wide(max_image_seq_len) - Wide(base_image_seq_len))));
    const double b = f64(Wide(base_shift) - Wide(f64(Wide(m) * Wide(base_image_seq_len))));
    return f64(Wide(f64(Wide(image_seq_len) * Wide(m))) + Wide(b));
  }
};

/// The result of set_timesteps: N + 1 σ (the N levels, then 0, or 1 with invert_sigmas) and the N
/// model timesteps σ_i·num_train_timesteps (of the inverted σ with invert_sigmas, as diffusers).
template <class Scalar>
struct FlowSteps {
  Eigen::Matrix<Scalar, Eigen::Dynamic, 1> sigmas;
  Eigen::Matrix<Scalar, Eigen::Dynamic, 1> timesteps;
};

/// How flow_match_steps builds the schedule: the base σ, the shift convention, the arithmetic.
struct FlowStepOptions {
  FlowBaseSigmas base = FlowBaseSigmas::scheduler;
  FlowShiftConvention convention = FlowShiftConvention::diffusers;
  FlowPrecision precision = FlowPrecision::exact;
};

namespace detail {

/// One IEEE binary64 or binary32 operation: the Wide result (exact, or within 2⁻¹²⁸ relative for a
/// quotient) rounded once, which is the correctly rounded operation (128 ≥ 2·53 + 2 bits).
inline double f64(const Wide& x) { return static_cast<double>(x); }
inline float f32(const Wide& x) { return static_cast<float>(x); }

/// numpy.linspace(start, stop, n) in float64: step = (stop − start)/(n − 1), y_i = i·step + start,
/// the last value stop itself; [start] for n = 1 (numpy function_base.py).
inline std::vector<double> numpy_linspace(double start, double stop, int n) {
  std::vector<double> y(static_cast<std::size_t>(n), start);
  if (n == 1) return y;
  const double delta = f64(Wide(stop) - Wide(start)), step = f64(Wide(delta) / Wide(n - 1));
  for (int i = 0; i < n; ++i) {
    // numpy's special case for a zero (underflowed) step: i/(n − 1)·delta instead of i·step.
    const double offset = step == 0 ? f64(Wide(f64(Wide(i) / Wide(n - 1))) * Wide(delta)) : f64(Wide(i) * Wide(step));
    y[static_cast<std::size_t>(i)] = f64(Wide(offset) + Wide(start));
  }
  y.back() = stop;
  return y;
}

/// The σ of a schedule in Wide: exact values, or the float32/float64 values diffusers holds.
using WideSigmas = std::vector<Wide>;

/// diffusers `_convert_to_karras`, `_convert_to_exponential`, `_convert_to_beta` between the ends
/// lo = σ[N−1] and hi = σ[0] (fn: the public function, for its errors): exactly (r_i = i/(N − 1)) or in diffusers' float64 steps.
inline WideSigmas flow_sigma_ramp(const char* fn, FlowSigmaRamp ramp, const Wide& lo, const Wide& hi, int n,
                                  bool emulate) {
  if (ramp == FlowSigmaRamp::exponential && lo.is_zero()) {
    fail<std::invalid_argument>(fn, "exponential sigmas need the last sigma before the ramp > 0", 0.0);
  }
  WideSigmas out(static_cast<std::size_t>(n));
  const Wide one(1);
  const std::vector<double> ramp64 = numpy_linspace(0, 1, n);
  const std::vector<double> log_ramp64 = ramp == FlowSigmaRamp::exponential && emulate
                                             ? numpy_linspace(f64(log(hi)), f64(log(lo)), n)
                                             : std::vector<double>();
  const Wide rho(7);
  const auto root = [&](const Wide& x, const Wide& y) { return x.is_zero() ? x : pow(x, y); };
  for (int i = 0; i < n; ++i) {
    const std::size_t k = static_cast<std::size_t>(i);
    const Wide r = emulate ? Wide(ramp64[k]) : (n == 1 ? Wide() : Wide(i) / Wide(n - 1));
    Wide sigma;
    if (ramp == FlowSigmaRamp::karras) {  // (hi^{1/ρ} + r(lo^{1/ρ} − hi^{1/ρ}))^ρ
      if (emulate) {
        const Wide inv_rho(f64(one / rho));
        const double low = f64(root(lo, inv_rho)), high = f64(root(hi, inv_rho));
        const double span = f64(Wide(low) - Wide(high)), x = f64(Wide(high) + Wide(f64(r * Wide(span))));
        sigma = Wide(f64(pow(Wide(x), rho)));
      } else {
        sigma = pow((one - r) * root(hi, one / rho) + r * root(lo, one / rho), rho);
      }
    } else if (ramp == FlowSigmaRamp::exponential) {  // exp(linspace(log hi, log lo, N))
      if (emulate) {
        sigma = Wide(f64(exp(Wide(log_ramp64[k]))));
      } else {
        sigma = exp((one - r) * log(hi) + r * log(lo));
      }
    } else {  // lo + Q(1 − r; 0.6, 0.6)(hi − lo)
      const double q = beta_quantile(f64(one - r), 0.6, 0.6);
      sigma = emulate ? Wide(f64(lo + Wide(f64(Wide(q) * Wide(f64(hi - lo)))))) : lo + Wide(q) * (hi - lo);
    }
    out[k] = sigma;
  }
  return out;
}

/// The rules on the settings every call uses: T ≥ 1, shift finite and > 0, shift_terminal in (0, 1).
inline void check_flow_config(const char* fn, const FlowMatchConfig& config) {
  check_at_least(fn, "num_train_timesteps", config.num_train_timesteps, 1);
  check_finite_positive(fn, "shift", config.shift);
  if (config.shift_terminal) check_in_open_unit_interval(fn, "shift_terminal", *config.shift_terminal);
}

/// Steps 2–5 of set_timesteps on the base σ (exact Wide values, or diffusers' values with
/// `float32_base` telling whether they are a float32 array: custom sigmas).
template <class Scalar>
FlowSteps<Scalar> finish_flow_steps(const FlowMatchConfig& config, WideSigmas sigmas, std::optional<double> mu,
                                    bool emulate, bool float32_base) {
  const int n = static_cast<int>(sigmas.size());
  const Wide one(1);
  // 2. The shift. In float32 (numpy, custom sigmas) a Python float operand is rounded to float32 first.
  const auto op = [&](const Wide& x) { return emulate ? Wide(float32_base ? double(f32(x)) : f64(x)) : x; };
  if (config.use_dynamic_shifting) {
    const double m = *mu;
    const bool linear = config.time_shift_type == FlowTimeShift::linear;
    const Wide e = linear ? Wide(m) : (emulate ? Wide(f64(exp(Wide(m)))) : exp(Wide(m)));  // math.exp(mu): a double
    const WideShift shift = linear ? WideShift::of_scale(Wide(m), one) : WideShift::of_offset(Wide(m), one);
    for (Wide& t : sigmas) {
      if (!emulate) {
        t = shift_flow_time(t, shift);
      } else if (t.is_zero()) {
        t = Wide();  // 1/0 − 1 = ∞ in numpy: e/(e + ∞) = 0
      } else {
        const Wide ew = op(e);
        t = op(ew / op(ew + op(op(one / t) - one)));
      }
    }
  } else {
    const Wide s(config.shift);
    const WideShift shift = WideShift::of_static_scale(s);
    for (Wide& t : sigmas)
      t = emulate ? op(op(op(s) * t) / op(one + op(op(Wide(config.shift - 1)) * t))) : shift_flow_time(t, shift);
  }
  // 3. The stretch to shift_terminal (the identity when the last σ is 1, where diffusers divides 0 by 0).
  if (config.shift_terminal && !(sigmas.back() == one)) {
    const Wide tau(*config.shift_terminal), last = sigmas.back();
    if (emulate) {
      const Wide scale = op(op(one - last) / op(Wide(f64(one - tau))));
      for (Wide& t : sigmas) t = op(one - op(op(one - t) / scale));
    } else {
      for (Wide& t : sigmas) t = stretch_to_terminal(t, last, tau);
    }
  }
  // 4. Karras / exponential / beta σ between the ends (float64 in diffusers).
  if (config.sigma_ramp != FlowSigmaRamp::none)
    sigmas = flow_sigma_ramp("flow_match_steps", config.sigma_ramp, sigmas.back(), sigmas.front(), n, emulate);
  // 5. Timesteps σ·T, the final σ; torch float32 from here in diffusers.
  FlowSteps<Scalar> steps;
  steps.sigmas.resize(n + 1);
  steps.timesteps.resize(n);
  const Wide big_t(config.num_train_timesteps);
  for (int i = 0; i < n; ++i) {
    Wide sigma = sigmas[static_cast<std::size_t>(i)];
    if (emulate) sigma = Wide(f32(sigma));
    if (config.invert_sigmas) sigma = emulate ? Wide(f32(one - sigma)) : one - sigma;
    steps.sigmas(i) = static_cast<Scalar>(sigma);
    steps.timesteps(i) = static_cast<Scalar>(emulate ? Wide(f32(sigma * Wide(f32(big_t)))) : sigma * big_t);
  }
  steps.sigmas(n) = config.invert_sigmas ? Scalar(1) : Scalar(0);
  return steps;
}

/// With use_dynamic_shifting, μ must be given and finite (and > 0 for the linear time shift).
inline void check_mu(const char* fn, const FlowMatchConfig& config, std::optional<double> mu) {
  if (!config.use_dynamic_shifting) return;
  if (!mu)
    fail<std::invalid_argument>(fn, "mu (or the image sequence length) must be given when use_dynamic_shifting is true",
                                "none");
  if (config.time_shift_type == FlowTimeShift::linear) {
    check_finite_positive(fn, "mu", *mu);
  } else {
    check_finite(fn, "mu", *mu);
  }
}

}  // namespace detail

/// The σ and timesteps of FlowMatchEulerDiscreteScheduler(config).set_timesteps(N, mu=mu), or, with
/// options.base = flux_pipeline, of set_timesteps(sigmas = linspace(1, 1/N, N), mu=mu) as FluxPipeline
/// calls it; see the file comment for the steps, the two conventions and the precision. σ_i for
/// the default base: shift(1 + i/(N − 1)(σ_min − 1)), σ_min = shift(1/T) (diffusers convention, static
/// shift) or 1/T; for the Flux base: shift(1 − i/N). mu is needed (and used) only with
/// use_dynamic_shifting; config.mu(image_seq_len) gives Flux's.
/// @throws std::invalid_argument if N < 1, num_train_timesteps < 1, shift is not finite and > 0,
/// shift_terminal is set outside (0, 1), use_dynamic_shifting without mu or with mu not finite (not
/// > 0 for the linear shift), or exponential sigmas from a last σ of 0.
template <class Scalar = double>
FlowSteps<Scalar> flow_match_steps(const FlowMatchConfig& config, int n, FlowStepOptions options = {},
                                   std::optional<double> mu = std::nullopt) {
  const char* fn = "flow_match_steps";
  detail::check_at_least(fn, "the number of inference steps N", n, 1);
  detail::check_flow_config(fn, config);
  detail::check_mu(fn, config, mu);
  using detail::Wide;
  const bool emulate = options.precision == FlowPrecision::diffusers_float32;
  const bool flux = options.base == FlowBaseSigmas::flux_pipeline;
  detail::WideSigmas base(static_cast<std::size_t>(n));
  if (flux) {
    if (emulate) {
      const std::vector<double> grid = detail::numpy_linspace(1, detail::f64(Wide(1) / Wide(n)), n);
      for (std::size_t i = 0; i < base.size(); ++i) base[i] = Wide(static_cast<float>(grid[i]));  // astype(float32)
    } else {
      for (int i = 0; i < n; ++i) base[static_cast<std::size_t>(i)] = Wide(n - i) / Wide(n);
    }
  } else {
    // The constructor's σ_min = 1/T, statically shifted unless use_dynamic_shifting (torch float32);
    // σ_max = shift(1) = 1 exactly in exact arithmetic.
    const Wide one(1), big_t(config.num_train_timesteps);
    const bool shifted_min = !config.use_dynamic_shifting && options.convention == FlowShiftConvention::diffusers;
    Wide low = one / big_t, high = one;
    if (emulate) {
      const auto table = [&](const Wide& t) {  // torch float32: shift·t/(1 + (shift − 1)·t)
        const Wide s32(detail::f32(Wide(config.shift))), s1(detail::f32(Wide(config.shift - 1)));
        return Wide(detail::f32(Wide(detail::f32(s32 * t)) / Wide(detail::f32(one + Wide(detail::f32(s1 * t))))));
      };
      low = Wide(detail::f32(low));
      if (!config.use_dynamic_shifting) high = table(high);
      if (shifted_min) low = table(low);
      const std::vector<double> grid = detail::numpy_linspace(detail::f64(high * big_t), detail::f64(low * big_t), n);
      for (std::size_t i = 0; i < base.size(); ++i) base[i] = Wide(detail::f64(Wide(grid[i]) / big_t));
    } else {
      if (shifted_min) low = detail::shift_flow_time(low, detail::WideShift::of_static_scale(Wide(config.shift)));
      for (int i = 0; i < n; ++i) {
        base[static_cast<std::size_t>(i)] = n == 1 ? high : (Wide(n - 1 - i) * high + Wide(i) * low) / Wide(n - 1);
      }
    }
  }
  return detail::finish_flow_steps<Scalar>(config, std::move(base), mu, emulate, emulate && flux);
}

/// The σ and timesteps of set_timesteps(sigmas = custom, mu=mu): the caller's N base σ (the doubles
/// exactly, or rounded to float32 first as diffusers does), shifted, stretched, ramped as above.
/// @throws std::invalid_argument as flow_match_steps, if sigmas is empty, if a σ is outside [0, 1],
/// or if they increase somewhere.
template <class Scalar = double>
FlowSteps<Scalar> flow_match_steps(const FlowMatchConfig& config, const std::vector<double>& sigmas,
                                   FlowPrecision precision = FlowPrecision::exact,
                                   std::optional<double> mu = std::nullopt) {
  const char* fn = "flow_match_steps";
  detail::check_at_least(fn, "the number of custom sigmas", sigmas.size(), 1);
  for (std::size_t i = 0; i < sigmas.size(); ++i) {
    const auto name = [&] { return "sigmas(" + std::to_string(i) + ")"; };
    detail::check_in_closed_unit_interval(fn, name, sigmas[i]);
    if (i > 0 && sigmas[i] > sigmas[i - 1]) {
      detail::fail<std::invalid_argument>(
          fn, name() + " must be <= the sigma before it = " + detail::to_message_value(sigmas[i - 1]), sigmas[i]);
    }
  }
  detail::check_flow_config(fn, config);
  detail::check_mu(fn, config, mu);
  const bool emulate = precision == FlowPrecision::diffusers_float32;
  detail::WideSigmas base;
  for (double s : sigmas) base.push_back(emulate ? detail::Wide(static_cast<float>(s)) : detail::Wide(s));
  return detail::finish_flow_steps<Scalar>(config, std::move(base), mu, emulate, emulate);
}

}  // namespace diffuse
