/// Beta schedules of the discrete forward process: β_t, ᾱ_t and everything derived from log ᾱ_t.
#pragma once

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "detail/checks.hpp"
#include "detail/log_snr_shift.hpp"
#include "detail/wide.hpp"
#include "detail/wide_math.hpp"
#include "process.hpp"

namespace diffuse {

namespace detail {

/// A prefix sum Σ log α_s: `fixed`, the exact sum of the terms each truncated toward zero to a
/// multiple of 2⁻¹⁹² (64.192 fixed point), and `residual`, the sum in Wide of what the truncation
/// dropped — zero unless a term is below 2⁻⁶⁴ in magnitude (a β_s below 5e-20), where it keeps
/// such terms from vanishing. The residuals all have the sign of their terms, so their sum loses no
/// bits to cancellation: relative error within (n − 1)·2⁻¹²⁸ of it for n such terms.
struct LogSum {
  U256 fixed{{0, 0, 0, 0}};
  Wide residual;

  /// This sum plus the finite term x.
  LogSum plus(const Wide& x) const {
    const U256 truncated = wide_fixed::from_wide(x);
    LogSum next{wide_fixed::add(fixed, truncated), residual};
    if (!x.is_zero() && x.exponent() < -64) next.residual += x - wide_fixed::to_wide(truncated);  // exact: x's low bits
    return next;
  }
  /// The sum, rounded to Wide (twice: the fixed part, then the residual added).
  Wide value() const { return wide_fixed::to_wide(fixed) + residual; }
  /// This sum minus an earlier one: the exact difference of the fixed parts, rounded once, plus
  /// the difference of the residuals.
  Wide minus(const LogSum& earlier) const {
    return wide_fixed::to_wide(wide_fixed::subtract(fixed, earlier.fixed)) + (residual - earlier.residual);
  }
};

/// A schedule in extended precision: the single source of the numbers of every Schedule<Scalar>.
/// Index t runs over 0..T; entry 0 is the data (β_0 = 0, α_0 = 1, log ᾱ_0 = 0).
struct WideSchedule {
  int steps = 0;
  std::vector<Wide> beta;       ///< β_t
  std::vector<Wide> alpha;      ///< α_t = 1 − β_t
  std::vector<Wide> log_alpha;  ///< log α_t
  /// L_t = log ᾱ_t = Σ_{s ≤ t} log α_s as a LogSum, so that a difference L_t − L_s is the exact
  /// sum of the terms between however close s and t are (each term's bits above 2⁻¹⁹² exactly, the
  /// rest in the residual); the last step's −∞ (β_T = 1) is held apart.
  std::vector<LogSum> log_alpha_bar_sums;
  bool zero_at_end = false;  ///< ᾱ_T = 0: L_T = −∞
  std::vector<int> source;   ///< the step of the schedule this one was respaced from (t itself otherwise)

  Wide log_alpha_bar(int t) const {
    return t == steps && zero_at_end ? Wide::infinity(true) : log_alpha_bar_sums[at(t)].value();
  }
  /// L_t − L_s = log(ᾱ_t / ᾱ_s), 0 ≤ s ≤ t ≤ T, rounded once from the exact difference of the sums.
  Wide log_alpha_bar_difference(int s, int t) const {
    if (s == t) return Wide();  // also where ᾱ_s = 0 (−∞ − −∞)
    if (t == steps && zero_at_end) return Wide::infinity(true);
    return log_alpha_bar_sums[at(t)].minus(log_alpha_bar_sums[at(s)]);
  }
  /// The vector index of step t (checked by the callers).
  static std::size_t at(int t) { return static_cast<std::size_t>(t); }
};

/// r = e^d, √r and 1 − r for a log ratio d ≤ 0 (d = log ᾱ_t for the marginal, log(ᾱ_t/ᾱ_s) for
/// q(x_t|x_s)), the one way every table and every query computes them, so that a quantity asked
/// twice gives the same bits: √r = exp(d/2), r = (√r)², 1 − r = −expm1(d), or 1 − r when d ≤ −¼
/// (then r ≤ e^{−¼} and 1 − r cancels at most two bits). Relative error within 40 units of 2⁻¹²⁸
/// plus |d|'s own relative error times max(1, |d|/(1 − r)).
struct RatioTerms {
  Wide sqrt_ratio, ratio, one_minus_ratio;
  explicit RatioTerms(const Wide& d)
      : sqrt_ratio(exp(ldexp(d, -1))),
        ratio(sqrt_ratio * sqrt_ratio),
        one_minus_ratio(-d >= ldexp(Wide(1), -2) ? Wide(1) - ratio : one_minus_exp(d)) {}
};

/// The posterior q(x_s|x_t, x_0) = N(c_0 x_0 + c_t x_t, v I) of a WideSchedule in Wide, 0 ≤ s < t
/// (Schedule::posterior_coefficients states the formulas): rounded once by each caller, so that the
/// coefficients, v and √v are each correctly rounded.
struct WidePosterior {
  Wide x0, xt, variance;
  WidePosterior(const WideSchedule& w, int s, int t) {
    const RatioTerms a(w.log_alpha_bar_difference(s, t)), marginal_s(w.log_alpha_bar(s)),
        marginal_t(w.log_alpha_bar(t));
    const Wide& one_minus_abar_t = marginal_t.one_minus_ratio;
    x0 = a.one_minus_ratio * marginal_s.sqrt_ratio / one_minus_abar_t;
    xt = marginal_s.one_minus_ratio * a.sqrt_ratio / one_minus_abar_t;
    variance = a.one_minus_ratio * marginal_s.one_minus_ratio / one_minus_abar_t;
  }
};

/// Builds a WideSchedule from β_t and α_t (index 0 unused), checking 0 < β_t < 1 (β_T = 1 allowed).
/// L_t is the exact prefix sum of log α_t, unless `given` holds the first L_0..L_k (k < T; all of
/// them for a respaced schedule) and the sum goes on from L_k.
inline std::shared_ptr<const WideSchedule> build_wide_schedule(const char* function, std::vector<Wide> beta,
                                                               std::vector<Wide> alpha, std::vector<int> source,
                                                               std::vector<LogSum> given = {}) {
  const std::size_t steps = beta.size() - 1;
  auto w = std::make_shared<WideSchedule>();
  w->steps = static_cast<int>(steps);
  beta[0] = Wide();
  alpha[0] = Wide(1);
  w->log_alpha.assign(beta.size(), Wide());
  for (std::size_t t = 1; t <= steps; ++t) {
    // β may round to 1 while α is tiny but positive (ᾱ_T ≈ 1e-33): α decides.
    const Wide b = beta[t];
    const Wide a = alpha[t];
    const bool finite = b.is_finite() && a.is_finite();
    const bool inside = b > Wide() && b <= Wide(1) && a > Wide();
    const bool last_is_one = t == steps && b == Wide(1) && a.is_zero();
    if (!finite || (!inside && !last_is_one)) {
      fail<std::invalid_argument>(function,
                                  "beta_" + std::to_string(t) + " must be in (0, 1), or 1 at the last step only", b);
    }
    w->zero_at_end = last_is_one;
    w->log_alpha[t] = a.is_zero() ? Wide::infinity(true) : log_alpha(b, a);
  }
  if (given.empty()) given.push_back(LogSum());
  for (std::size_t t = given.size(); t <= steps; ++t) {
    // The −∞ of a last β = 1 stays out of the sum (zero_at_end says it).
    given.push_back(w->log_alpha[t].is_finite() ? given.back().plus(w->log_alpha[t]) : given.back());
  }
  w->beta = std::move(beta);
  w->alpha = std::move(alpha);
  w->log_alpha_bar_sums = std::move(given);
  w->source = std::move(source);
  return w;
}

inline std::vector<int> identity_steps(int steps) {
  std::vector<int> s(static_cast<std::size_t>(steps) + 1);
  for (int t = 0; t <= steps; ++t) s[static_cast<std::size_t>(t)] = t;
  return s;
}

}  // namespace detail

template <class Scalar>
class Schedule;

namespace detail {
/// The extended-precision table behind a schedule (for the other headers of the library).
template <class Scalar>
const WideSchedule& wide_schedule(const Schedule<Scalar>& schedule);
/// The schedule with β_1..β_T given in Wide (element i is β_{i+1}), checked as from_betas does.
template <class Scalar>
Schedule<Scalar> schedule_from_betas(const char* function, const std::vector<Wide>& betas);
/// The schedule with every log-SNR shifted, λ'_t = pλ_t − 2μ (Schedule::snr_shifted states how).
template <class Scalar>
Schedule<Scalar> log_snr_shifted_schedule(const char* function, const Schedule<Scalar>& schedule,
                                          const WideShift& shift);
}  // namespace detail

/// A discrete noise schedule: β_1..β_T and everything derived from them, t = 0 being the data.
///
/// Immutable; copies share one read-only table, so a Schedule is cheap to copy and safe to read
/// from many threads. Every value is computed once in diffuse's own 128-bit arithmetic
/// (detail::Wide, integer-based: the same bits on every machine and under any floating-point
/// flags) from the exact definition (decimal constants taken as the decimals they spell) and
/// rounded once to Scalar. Precision contract, T ≤ 100000: each value is rounded from one within
/// 2⁻¹¹⁸(1 + |log ᾱ_t|) relative of the exact value, so float, double and x87 long double are
/// correctly rounded unless the exact value lies that close to a tie (docs/precision.md: the
/// log-SNR and the pairwise quantities, the bound in ulps, the derivation).
///
/// Step queries take t in [0, T] (β, α and the posterior variance in [1, T]) and throw
/// std::out_of_range otherwise. The whole-schedule vectors (`betas()`, `alpha_bars()`, …) have
/// length T and hold at 0-based index i the value of step t = i + 1: the layout of diffusers'
/// `betas` and `alphas_cumprod` and of improved-diffusion's arrays.
/// The cap β_t ≤ 0.999 of improved-diffusion's `betas_for_alpha_bar` (Nichol & Dhariwal 2021, §3.2:
/// "to prevent singularities at the end of the diffusion process near t = T"), which diffusers'
/// `squaredcos_cap_v2`, LDM's "cosine" and lucidrains' sigmoid schedule (presets::chen_sigmoid) keep.
inline constexpr double default_max_beta = 0.999;

template <class Scalar>
class Schedule {
  static_assert(std::is_floating_point<Scalar>::value, "diffuse::Schedule needs float, double or long double");

 public:
  using scalar_type = Scalar;
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

  /// Linear β (Ho et al. 2020): β_t = β_start + (β_end − β_start)(t − 1)/(T − 1); T = 1 gives β_start.
  /// @throws std::invalid_argument if T < 1 or an end is outside (0, 1].
  static Schedule linear(int steps, double beta_start = 1e-4, double beta_end = 0.02) {
    const char* fn = "Schedule::linear";
    detail::check_steps(fn, steps);
    detail::check_in_half_open_unit_interval(fn, "beta_start", beta_start);
    detail::check_in_half_open_unit_interval(fn, "beta_end", beta_end);
    const detail::Wide b0 = detail::decimal_value(beta_start);
    const detail::Wide b1 = detail::decimal_value(beta_end);
    return from_beta_function(fn, steps, [&](detail::Wide u) { return b0 + (b1 - b0) * u; });
  }

  /// Scaled linear (Stable Diffusion; LDM's "linear"): β_t = (√β_start + (√β_end − √β_start)(t − 1)/(T − 1))².
  /// @throws std::invalid_argument if T < 1 or an end is outside (0, 1].
  static Schedule scaled_linear(int steps, double beta_start = 0.00085, double beta_end = 0.012) {
    const char* fn = "Schedule::scaled_linear";
    detail::check_steps(fn, steps);
    detail::check_in_half_open_unit_interval(fn, "beta_start", beta_start);
    detail::check_in_half_open_unit_interval(fn, "beta_end", beta_end);
    const detail::Wide r0 = sqrt(detail::decimal_value(beta_start));
    const detail::Wide r1 = sqrt(detail::decimal_value(beta_end));
    return from_beta_function(fn, steps, [&](detail::Wide u) {
      const detail::Wide r = r0 + (r1 - r0) * u;
      return r * r;
    });
  }

  /// Sigmoid (diffusers, GeoDiff): β_t = sigmoid(−6 + 12(t − 1)/(T − 1))·(β_end − β_start) + β_start.
  /// @throws std::invalid_argument if T < 1 or an end is outside (0, 1].
  static Schedule sigmoid(int steps, double beta_start = 1e-4, double beta_end = 0.02) {
    const char* fn = "Schedule::sigmoid";
    detail::check_steps(fn, steps);
    detail::check_in_half_open_unit_interval(fn, "beta_start", beta_start);
    detail::check_in_half_open_unit_interval(fn, "beta_end", beta_end);
    const detail::Wide b0 = detail::decimal_value(beta_start);
    const detail::Wide b1 = detail::decimal_value(beta_end);
    return from_beta_function(fn, steps, [&](detail::Wide u) { return (b1 - b0) / (1 + exp(6 - 12 * u)) + b0; });
  }

  /// Constant β_t = β (Understanding Deep Learning, ch. 18: β = 0.01511, T = 100).
  /// @throws std::invalid_argument if T < 1 or β is outside (0, 1) (β = 1 only when T = 1).
  static Schedule constant(int steps, double beta) {
    const char* fn = "Schedule::constant";
    detail::check_steps(fn, steps);
    const detail::Wide b = detail::decimal_value(beta);
    return from_beta_function(fn, steps, [&](detail::Wide) { return b; });
  }

  /// Cosine (Nichol & Dhariwal 2021, eq. 17; diffusers `squaredcos_cap_v2`):
  /// f(u) = cos²((u + s)/(1 + s)·π/2), β_t = min(1 − f(t/T)/f((t − 1)/T), max_beta).
  /// β is evaluated as sin(b − a)·sin(b + a)/cos²a (a, b the angles at t − 1 and t), which does not
  /// cancel for small t, with every sine and cosine taken of an integer multiple of π/(2T(1 + s))
  /// (no cancellation near t = T either).
  /// @throws std::invalid_argument if T < 1, s < 0 or not finite, or max_beta is outside (0, 1].
  static Schedule cosine(int steps, double s = 0.008, double max_beta = default_max_beta) {
    const char* fn = "Schedule::cosine";
    detail::check_steps(fn, steps);
    detail::check_finite_non_negative(fn, "s", s);
    detail::check_in_half_open_unit_interval(fn, "max_beta", max_beta);
    using detail::Wide;
    const Wide offset = detail::decimal_value(s);
    const Wide cap = detail::decimal_value(max_beta);
    const Wide one_minus_cap = detail::decimal_complement(max_beta);
    // With h = π/(2T(1 + s)), θ(k/T) = (k + sT)h and π/2 − θ(k/T) = (T − k)h. sin θ and cos θ
    // come from the smaller of the angle and its complement, so that no argument carries a
    // rounding error larger than itself, and sin(θ_{t−1} + θ_t) = sin(2θ_t − h) from them:
    // 2 sin θ cos θ cos h − (cos θ − sin θ)(cos θ + sin θ) sin h, whose two terms cancel at most one
    // bit (near θ = 0 the sum is at least θ_t, near π/2 both terms are positive).
    const Wide h = detail::wide_constants::pi / (2 * Wide(steps) * (1 + offset));
    const Wide shift = offset * Wide(steps);
    auto angle = [&](int k) {  // sin θ(k/T) and cos θ(k/T)
      const Wide theta = (Wide(k) + shift) * h;
      if (theta <= ldexp(detail::wide_constants::pi, -2)) return detail::sin_cos(theta);
      const detail::SinCos complement = detail::sin_cos(Wide(steps - k) * h);
      return detail::SinCos{complement.cos, complement.sin};
    };
    std::vector<Wide> beta(static_cast<std::size_t>(steps) + 1), alpha(beta.size());
    const detail::SinCos small = detail::sin_cos(h);
    Wide cos_a = angle(0).cos;
    for (int t = 1; t <= steps; ++t) {
      const detail::SinCos b = angle(t);
      const Wide& cos_b = b.cos;
      const Wide sin_sum = ldexp(b.sin * cos_b, 1) * small.cos - (cos_b - b.sin) * (cos_b + b.sin) * small.sin;
      const Wide inverse = Wide(1) / (cos_a * cos_a);
      Wide beta_t = small.sin * sin_sum * inverse;
      Wide alpha_t = cos_b * cos_b * inverse;
      cos_a = cos_b;
      if (t == steps) beta_t = 1;  // f(1) = 0 exactly
      if (beta_t > cap) {
        beta_t = cap;
        alpha_t = one_minus_cap;
      }
      beta[static_cast<std::size_t>(t)] = beta_t;
      alpha[static_cast<std::size_t>(t)] = alpha_t;
    }
    return Schedule(detail::build_wide_schedule(fn, std::move(beta), std::move(alpha), detail::identity_steps(steps)));
  }

  /// From a function ᾱ(u) on [0, 1] (diffusers `betas_for_alpha_bar`):
  /// β_t = min(1 − f(t/T)/f((t − 1)/T), max_beta), with u = t/T rounded to double.
  /// @throws std::invalid_argument if T < 1, max_beta is outside (0, 1], f is not finite, or
  /// f does not decrease strictly from a positive f(0).
  template <class Function>
  static Schedule from_alpha_bar_function(int steps, Function f, double max_beta = default_max_beta) {
    const char* fn = "Schedule::from_alpha_bar_function";
    detail::check_steps(fn, steps);
    detail::check_in_half_open_unit_interval(fn, "max_beta", max_beta);
    using detail::Wide;
    const Wide cap = detail::decimal_value(max_beta);
    const Wide one_minus_cap = detail::decimal_complement(max_beta);
    std::vector<Wide> beta(static_cast<std::size_t>(steps) + 1), alpha(beta.size());
    auto value = [&](int t) {
      const double u = static_cast<double>(Wide(t) / Wide(steps));  // t/T rounded once, whatever the flags
      const double v = static_cast<double>(f(u));
      detail::check_finite(
          fn, [u] { return "f(" + detail::shortest_decimal(u) + ")"; }, v);
      return Wide(v);
    };
    Wide previous = value(0);
    if (!(previous > 0)) detail::fail<std::invalid_argument>(fn, "f(0) must be positive", previous);
    for (int t = 1; t <= steps; ++t) {
      const Wide current = value(t);
      if (!(previous > 0)) {
        detail::fail<std::invalid_argument>(fn, "f must stay positive before u = 1; f(" + std::to_string(t - 1) + "/T)",
                                            previous);
      }
      if (current < 0)
        detail::fail<std::invalid_argument>(fn, "f(" + std::to_string(t) + "/T) must not be negative", current);
      Wide beta_t = (previous - current) / previous;
      Wide alpha_t = current / previous;
      if (beta_t > cap) {
        beta_t = cap;
        alpha_t = one_minus_cap;
      }
      beta[static_cast<std::size_t>(t)] = beta_t;
      alpha[static_cast<std::size_t>(t)] = alpha_t;
      previous = current;
    }
    return Schedule(detail::build_wide_schedule(fn, std::move(beta), std::move(alpha), detail::identity_steps(steps)));
  }

  /// From β_1..β_T given as binary values (diffusers `trained_betas`); element i is β_{i+1}.
  /// @throws std::invalid_argument if empty, or a β is outside (0, 1) (β_T = 1 allowed) or not finite.
  template <class Derived>
  static Schedule from_betas(const Eigen::DenseBase<Derived>& betas) {
    std::vector<detail::Wide> values(static_cast<std::size_t>(betas.size()));
    for (Eigen::Index i = 0; i < betas.size(); ++i)
      values[static_cast<std::size_t>(i)] = detail::Wide(betas.derived().coeff(i));
    return detail::schedule_from_betas<Scalar>("Schedule::from_betas", values);
  }
  static Schedule from_betas(const std::vector<double>& betas) {
    return from_betas(Eigen::Map<const Eigen::VectorXd>(betas.data(), static_cast<Eigen::Index>(betas.size())));
  }

  /// From ᾱ_1..ᾱ_T given as binary values (k-diffusion style); element i is ᾱ_{i+1}, ᾱ_0 = 1.
  /// β_t = (ᾱ_{t−1} − ᾱ_t)/ᾱ_{t−1}, evaluated without cancellation.
  /// @throws std::invalid_argument if empty, not finite, not strictly decreasing from 1, outside
  /// [0, 1], or 0 before the last step.
  template <class Derived>
  static Schedule from_alpha_bars(const Eigen::DenseBase<Derived>& alpha_bars) {
    const char* fn = "Schedule::from_alpha_bars";
    const int steps = static_cast<int>(alpha_bars.size());
    detail::check_steps(fn, steps);
    using detail::Wide;
    std::vector<Wide> beta(static_cast<std::size_t>(steps) + 1), alpha(beta.size());
    Wide previous = 1;
    for (int t = 1; t <= steps; ++t) {
      const Wide current = Wide(alpha_bars.derived().coeff(t - 1));
      const std::string name = "alpha_bar_" + std::to_string(t);
      detail::check_in_closed_unit_interval(fn, name, current);
      if (!(current < previous)) {
        detail::fail<std::invalid_argument>(
            fn, name + " must be less than alpha_bar_" + std::to_string(t - 1) + " (strictly decreasing)", current);
      }
      if (current == 0 && t < steps)
        detail::fail<std::invalid_argument>(fn, name + " must be positive before the last step", current);
      beta[static_cast<std::size_t>(t)] = (previous - current) / previous;
      alpha[static_cast<std::size_t>(t)] = current / previous;
      previous = current;
    }
    return Schedule(detail::build_wide_schedule(fn, std::move(beta), std::move(alpha), detail::identity_steps(steps)));
  }
  static Schedule from_alpha_bars(const std::vector<double>& alpha_bars) {
    return from_alpha_bars(
        Eigen::Map<const Eigen::VectorXd>(alpha_bars.data(), static_cast<Eigen::Index>(alpha_bars.size())));
  }

  /// The same schedule in another scalar type, rounded once from the extended-precision values.
  template <class Other>
  Schedule<Other> cast() const {
    return Schedule<Other>(wide_);
  }

  /// Zero terminal SNR (Lin et al. 2023, Alg. 1): √ᾱ'_t = (√ᾱ_t − √ᾱ_T)·√ᾱ_1/(√ᾱ_1 − √ᾱ_T), so
  /// ᾱ'_1 = ᾱ_1 and ᾱ'_T = 0 exactly (β'_T = 1, SNR_T = 0, log-SNR_T = −∞, σ_T = +∞).
  /// Evaluated step by step as log α'_t = log α_t + 2 log1p(r_t expm1(log α_t/2)/(1 − r_{t−1})),
  /// r_t = √(ᾱ_T/ᾱ_t), which subtracts no nearby numbers.
  /// @throws std::invalid_argument if T < 2.
  Schedule zero_terminal_snr() const {
    const char* fn = "Schedule::zero_terminal_snr";
    const detail::WideSchedule& w = *wide_;
    const int steps = w.steps;
    detail::check_steps(fn, steps, 2);
    using detail::Wide;
    std::vector<Wide> beta(static_cast<std::size_t>(steps) + 1), alpha(beta.size());
    beta[1] = w.beta[1];
    alpha[1] = w.alpha[1];
    for (int t = 2; t <= steps; ++t) {
      const std::size_t i = static_cast<std::size_t>(t);
      if (t == steps) {
        beta[i] = 1;
        alpha[i] = 0;
        break;
      }
      // α'_t = α_t ((1 − r_t)/(1 − r_{t−1}))² with r_t = √(ᾱ_T/ᾱ_t), and
      // r_{t−1} − r_t = r_t expm1(log α_t / 2): no subtraction of nearby numbers anywhere.
      const Wide r_t = exp(ldexp(w.log_alpha_bar_difference(t, steps), -1));
      const Wide one_minus_r_previous = detail::one_minus_exp(ldexp(w.log_alpha_bar_difference(t - 1, steps), -1));
      const Wide log_alpha_t =
          w.log_alpha[i] + ldexp(log1p(r_t * expm1(ldexp(w.log_alpha[i], -1)) / one_minus_r_previous), 1);
      const detail::RatioTerms step(log_alpha_t);
      beta[i] = step.one_minus_ratio;
      alpha[i] = step.ratio;
    }
    // ᾱ'_1 = ᾱ_1 by construction: the sum of log α' starts from this schedule's L_1 itself.
    return Schedule(detail::build_wide_schedule(fn, std::move(beta), std::move(alpha), w.source,
                                                {w.log_alpha_bar_sums[0], w.log_alpha_bar_sums[1]}));
  }

  /// The SNR divided by `scale` (CogVideoX: diffusers CogVideoXDDIMScheduler `snr_shift_scale`, an
  /// "SNR shift following SD3", schedulers/scheduling_ddim_cogvideox.py @58eb52c0): ᾱ'_t = ᾱ_t/(s +
  /// (1 − s)ᾱ_t), so SNR'_t = SNR_t/s (the flow shift √s of SD3) and ᾱ'_T = 0 stays 0; s is the
  /// double's exact value. It is the log-SNR shift λ' = λ − log s (shift.hpp's
  /// LogSnrShift::cogvideox(s).shifted_schedule, the same code). diffusers applies it before the
  /// zero-terminal-SNR rescale: `snr_shifted(s).zero_terminal_snr()` (presets::DiffusersBetas::snr_shift_scale
  /// does both, in that order); the other order gives another schedule. Evaluated step by step, for
  /// any shift λ' = pλ − 2μ, as log α'_t = −log1p((1 − ᾱ'_{t−1})·expm1(p(λ_{t−1} − λ_t))) (from
  /// SNR'_{t−1}/SNR'_t = e^{p(λ_{t−1} − λ_t)}), with 1 − ᾱ'_{t−1} from the shifted level of
  /// ᾱ_{t−1}, 1 − ᾱ_{t−1} (detail/log_snr_shift.hpp) and λ_{t−1} − λ_t = log α_t − log1p(ᾱ_{t−1}β_t/(1 −
  /// ᾱ_{t−1})), a sum of two non-positive terms; log α'_1 = −log1p((1 − ᾱ'_1)/ᾱ'_1). No subtraction of
  /// nearby numbers for any s: each log α'_t is within (150 + 60(|μ| + p|λ_{t−1}| + p|λ_t|))·2⁻¹²⁸
  /// relative (the shifted level 64 + 40|μ| + 20p|λ|, λ's difference 40, expm1 24 and its
  /// argument's error times 1 + p|λ_{t−1} − λ_t|, log1p 16), log ᾱ'_t, their exact sum (LogSum),
  /// within the same, and ᾱ'_t, 1 − ᾱ'_t (RatioTerms) within 2⁻¹¹⁸(1 + |log ᾱ'_t|)(1 + |μ| +
  /// 2p·max_{s≤t}|λ_s|) relative.
  /// @throws std::invalid_argument unless scale is finite and > 0.
  Schedule snr_shifted(double scale) const {
    const char* fn = "Schedule::snr_shifted";
    detail::check_finite_positive(fn, "scale", scale);
    return detail::log_snr_shifted_schedule(fn, *this, detail::WideShift::of_snr_divisor(detail::Wide(scale)));
  }

  /// The schedule over the kept steps t_1 < … < t_K (improved-diffusion `respace.py`):
  /// β'_k = 1 − ᾱ_{t_k}/ᾱ_{t_{k−1}} (ᾱ_{t_0} = 1). Its ᾱ'_k equal this schedule's ᾱ_{t_k} bit for
  /// bit; `source_step(k)` gives t_k (in the original numbering if this one was respaced too).
  /// @throws std::invalid_argument if `kept` is empty, not strictly increasing, or outside [1, T].
  Schedule respaced(const std::vector<int>& kept) const {
    const char* fn = "Schedule::respaced";
    const detail::WideSchedule& w = *wide_;
    if (kept.empty()) detail::fail<std::invalid_argument>(fn, "the kept steps must not be empty", 0);
    using detail::Wide;
    const std::size_t n = kept.size() + 1;
    std::vector<Wide> beta(n), alpha(n);
    std::vector<detail::LogSum> log_alpha_bar(n);
    std::vector<int> source(n, 0);
    int previous = 0;
    for (std::size_t k = 1; k < n; ++k) {
      const int t = kept[k - 1];
      if (t < 1 || t > w.steps) {
        detail::fail<std::invalid_argument>(
            fn, "kept step " + std::to_string(k) + " must be in [1, " + std::to_string(w.steps) + "]", t);
      }
      if (t <= previous) {
        detail::fail<std::invalid_argument>(
            fn, "kept steps must be strictly increasing; kept step " + std::to_string(k), t);
      }
      const std::size_t i = static_cast<std::size_t>(t);
      if (t == previous + 1) {
        beta[k] = w.beta[i];
        alpha[k] = w.alpha[i];
      } else {
        const detail::RatioTerms step(w.log_alpha_bar_difference(previous, t));
        beta[k] = step.one_minus_ratio;
        alpha[k] = step.ratio;
      }
      log_alpha_bar[k] = w.log_alpha_bar_sums[i];
      source[k] = w.source[i];
      previous = t;
    }
    return Schedule(detail::build_wide_schedule(fn, std::move(beta), std::move(alpha), std::move(source),
                                                std::move(log_alpha_bar)));
  }

  /// T, the number of noising steps.
  int steps() const { return wide_->steps; }

  /// β_t, t in [1, T].
  Scalar beta(int t) const { return at(tables_->beta, t, 1, "Schedule::beta"); }
  /// α_t = 1 − β_t, t in [1, T].
  Scalar alpha(int t) const { return at(tables_->alpha, t, 1, "Schedule::alpha"); }
  /// ᾱ_t = ∏_{s ≤ t} α_s = exp(L_t); ᾱ_0 = 1.
  Scalar alpha_bar(int t) const { return at(tables_->alpha_bar, t, 0, "Schedule::alpha_bar"); }
  /// 1 − ᾱ_t = −expm1(L_t), without cancellation; 0 at t = 0.
  Scalar one_minus_alpha_bar(int t) const {
    return at(tables_->one_minus_alpha_bar, t, 0, "Schedule::one_minus_alpha_bar");
  }
  /// √ᾱ_t = exp(L_t/2), the signal coefficient of q(x_t|x_0) (Ho et al. eq. 4).
  Scalar sqrt_alpha_bar(int t) const { return at(tables_->sqrt_alpha_bar, t, 0, "Schedule::sqrt_alpha_bar"); }
  /// √(1 − ᾱ_t), the noise coefficient of q(x_t|x_0).
  Scalar sqrt_one_minus_alpha_bar(int t) const {
    return at(tables_->sqrt_one_minus_alpha_bar, t, 0, "Schedule::sqrt_one_minus_alpha_bar");
  }
  /// L_t = log ᾱ_t (compensated sum of log α_s); −∞ at a zero-terminal-SNR endpoint.
  Scalar log_alpha_bar(int t) const { return at(tables_->log_alpha_bar, t, 0, "Schedule::log_alpha_bar"); }
  /// SNR_t = ᾱ_t/(1 − ᾱ_t) = 1/expm1(−L_t); +∞ at t = 0, 0 at a zero-terminal-SNR endpoint.
  Scalar snr(int t) const { return at(tables_->snr, t, 0, "Schedule::snr"); }
  /// λ_t = log SNR_t = L_t − log(−expm1(L_t)); +∞ at t = 0, −∞ at a zero-terminal-SNR endpoint.
  Scalar log_snr(int t) const { return at(tables_->log_snr, t, 0, "Schedule::log_snr"); }
  /// σ_t = √((1 − ᾱ_t)/ᾱ_t) = √expm1(−L_t), the VE noise level (Karras et al. 2022); 0 at t = 0,
  /// +∞ at a zero-terminal-SNR endpoint.
  Scalar sigma(int t) const { return at(tables_->sigma, t, 0, "Schedule::sigma"); }
  /// β̃_t = β_t (1 − ᾱ_{t−1})/(1 − ᾱ_t) (Ho et al. eq. 7), t in [1, T]; β̃_1 = 0.
  Scalar posterior_variance(int t) const {
    return at(tables_->posterior_variance, t, 1, "Schedule::posterior_variance");
  }
  /// The step of the original schedule that step t stands for (t itself unless respaced).
  int source_step(int t) const {
    detail::check_step("Schedule::source_step", "t", t, 0, steps());
    return wide_->source[static_cast<std::size_t>(t)];
  }

  /// ᾱ_t/ᾱ_s = exp(L_t − L_s), the signal variance of q(x_t|x_s), 0 ≤ s ≤ t ≤ T.
  Scalar alpha_bar_ratio(int s, int t) const {
    return static_cast<Scalar>(ratio_terms(s, t, "Schedule::alpha_bar_ratio").ratio);
  }
  /// √(ᾱ_t/ᾱ_s) = exp((L_t − L_s)/2), the mean coefficient of q(x_t|x_s).
  Scalar sqrt_alpha_bar_ratio(int s, int t) const {
    return static_cast<Scalar>(ratio_terms(s, t, "Schedule::sqrt_alpha_bar_ratio").sqrt_ratio);
  }
  /// 1 − ᾱ_t/ᾱ_s = −expm1(L_t − L_s), the variance of q(x_t|x_s), without cancellation.
  Scalar one_minus_alpha_bar_ratio(int s, int t) const {
    return static_cast<Scalar>(ratio_terms(s, t, "Schedule::one_minus_alpha_bar_ratio").one_minus_ratio);
  }

  /// The coefficients of the posterior q(x_s|x_t, x_0) = N(c_0 x_0 + c_t x_t, v I), 0 ≤ s < t ≤ T
  /// (Ho et al. eq. 6–7 for s = t − 1; Kingma et al. 2021, VDM, for any s): with a = ᾱ_t/ᾱ_s,
  /// c_0 = (1 − a)√ᾱ_s/(1 − ᾱ_t), c_t = (1 − ᾱ_s)√a/(1 − ᾱ_t), v = (1 − a)(1 − ᾱ_s)/(1 − ᾱ_t).
  struct PosteriorCoefficients {
    Scalar x0;        ///< c_0
    Scalar xt;        ///< c_t
    Scalar variance;  ///< v
  };
  PosteriorCoefficients posterior_coefficients(int s, int t) const {
    const char* fn = "Schedule::posterior_coefficients";
    detail::check_step(fn, "t", t, 1, steps());
    detail::check_step(fn, "s", s, 0, t - 1);
    const detail::WidePosterior c(*wide_, s, t);
    return {static_cast<Scalar>(c.x0), static_cast<Scalar>(c.xt), static_cast<Scalar>(c.variance)};
  }

  /// Whole-schedule vectors of length T: element i holds step t = i + 1 (diffusers' layout).
  Vector betas() const { return tables_->beta.tail(steps()); }
  Vector alphas() const { return tables_->alpha.tail(steps()); }
  Vector alpha_bars() const { return tables_->alpha_bar.tail(steps()); }
  Vector one_minus_alpha_bars() const { return tables_->one_minus_alpha_bar.tail(steps()); }
  Vector sqrt_alpha_bars() const { return tables_->sqrt_alpha_bar.tail(steps()); }
  Vector sqrt_one_minus_alpha_bars() const { return tables_->sqrt_one_minus_alpha_bar.tail(steps()); }
  Vector log_alpha_bars() const { return tables_->log_alpha_bar.tail(steps()); }
  Vector snrs() const { return tables_->snr.tail(steps()); }
  Vector log_snrs() const { return tables_->log_snr.tail(steps()); }
  Vector sigmas() const { return tables_->sigma.tail(steps()); }
  Vector posterior_variances() const { return tables_->posterior_variance.tail(steps()); }

 private:
  template <class>
  friend class Schedule;
  template <class S>
  friend const detail::WideSchedule& detail::wide_schedule(const Schedule<S>& schedule);
  template <class S>
  friend Schedule<S> detail::schedule_from_betas(const char* function, const std::vector<detail::Wide>& betas);
  template <class S>
  friend Schedule<S> detail::log_snr_shifted_schedule(const char* function, const Schedule<S>& schedule,
                                                      const detail::WideShift& shift);

  /// The tables of every per-step quantity, t = 0..T, rounded once from the wide schedule.
  struct Tables {
    Vector beta, alpha, alpha_bar, one_minus_alpha_bar, sqrt_alpha_bar, sqrt_one_minus_alpha_bar, log_alpha_bar, snr,
        log_snr, sigma, posterior_variance;
  };

  explicit Schedule(std::shared_ptr<const detail::WideSchedule> w) : wide_(std::move(w)) {
    using detail::Wide;
    const detail::WideSchedule& s = *wide_;
    auto tables = std::make_shared<Tables>();
    Tables& d = *tables;
    const Eigen::Index n = s.steps + 1;
    for (Vector* v :
         {&d.beta, &d.alpha, &d.alpha_bar, &d.one_minus_alpha_bar, &d.sqrt_alpha_bar, &d.sqrt_one_minus_alpha_bar,
          &d.log_alpha_bar, &d.snr, &d.log_snr, &d.sigma, &d.posterior_variance}) {
      v->resize(n);
    }
    // From L_t = log ᾱ_t every quantity with a few correctly rounded Wide operations: √ᾱ, ᾱ and
    // 1 − ᾱ as RatioTerms(L_t), G = log(1 − ᾱ), √(1 − ᾱ), λ = L − G,
    // SNR = ᾱ/(1 − ᾱ), σ = √(1 − ᾱ)/√ᾱ, β̃ = β(1 − ᾱ_{t−1})/(1 − ᾱ) (one reciprocal for both). The
    // ends follow from the operations' infinities: at t = 0 1 − ᾱ = 0, λ = SNR = +∞, σ = 0; at a
    // zero-terminal-SNR end ᾱ = 0, λ = −∞, SNR = 0, σ = +∞.
    Wide previous_one_minus;
    for (int t = 0; t <= s.steps; ++t) {
      const std::size_t i = static_cast<std::size_t>(t);
      const Wide L = s.log_alpha_bar(t);
      const detail::RatioTerms marginal(L);
      const Wide& one_minus = marginal.one_minus_ratio;
      const Wide log_one_minus = log(one_minus);
      const Wide sqrt_one_minus = sqrt(one_minus);
      const Wide inverse_one_minus = Wide(1) / one_minus;
      d.beta(t) = static_cast<Scalar>(s.beta[i]);
      d.alpha(t) = static_cast<Scalar>(s.alpha[i]);
      d.alpha_bar(t) = static_cast<Scalar>(marginal.ratio);
      d.one_minus_alpha_bar(t) = static_cast<Scalar>(one_minus);
      d.sqrt_alpha_bar(t) = static_cast<Scalar>(marginal.sqrt_ratio);
      d.sqrt_one_minus_alpha_bar(t) = static_cast<Scalar>(sqrt_one_minus);
      d.log_alpha_bar(t) = static_cast<Scalar>(L);
      d.snr(t) = static_cast<Scalar>(marginal.ratio * inverse_one_minus);
      d.log_snr(t) = static_cast<Scalar>(L - log_one_minus);
      d.sigma(t) = static_cast<Scalar>(sqrt_one_minus / marginal.sqrt_ratio);
      d.posterior_variance(t) =
          static_cast<Scalar>(t == 0 ? Wide() : s.beta[i] * previous_one_minus * inverse_one_minus);
      previous_one_minus = one_minus;
    }
    tables_ = std::move(tables);
  }

  /// The terms of ᾱ_t/ᾱ_s after checking 0 ≤ s ≤ t ≤ T.
  detail::RatioTerms ratio_terms(int s, int t, const char* function) const {
    detail::check_step(function, "t", t, 0, steps());
    detail::check_step(function, "s", s, 0, t);
    return detail::RatioTerms(wide_->log_alpha_bar_difference(s, t));
  }

  Scalar at(const Vector& table, int t, int first, const char* function) const {
    detail::check_step(function, "t", t, first, steps());
    return table(t);
  }

  std::shared_ptr<const detail::WideSchedule> wide_;
  std::shared_ptr<const Tables> tables_;

  template <class BetaOfU>
  static Schedule from_beta_function(const char* function, int steps, BetaOfU beta_of_u) {
    std::vector<detail::Wide> beta(static_cast<std::size_t>(steps) + 1), alpha(beta.size());
    const detail::Wide step = steps == 1 ? detail::Wide() : detail::Wide(1) / detail::Wide(steps - 1);
    for (int t = 1; t <= steps; ++t) {
      const detail::Wide u = detail::Wide(t - 1) * step;  // (t − 1)/(T − 1) within 1½ units of 2⁻¹²⁸
      beta[static_cast<std::size_t>(t)] = beta_of_u(u);
      alpha[static_cast<std::size_t>(t)] = 1 - beta[static_cast<std::size_t>(t)];
    }
    return Schedule(
        detail::build_wide_schedule(function, std::move(beta), std::move(alpha), detail::identity_steps(steps)));
  }
};

namespace detail {
template <class Scalar>
const WideSchedule& wide_schedule(const Schedule<Scalar>& schedule) {
  return *schedule.wide_;
}

template <class Scalar>
Schedule<Scalar> schedule_from_betas(const char* function, const std::vector<Wide>& betas) {
  const int steps = static_cast<int>(betas.size());
  check_steps(function, steps);
  std::vector<Wide> beta(betas.size() + 1), alpha(beta.size());
  for (std::size_t t = 1; t < beta.size(); ++t) {
    beta[t] = betas[t - 1];
    alpha[t] = Wide(1) - beta[t];
  }
  return Schedule<Scalar>(build_wide_schedule(function, std::move(beta), std::move(alpha), identity_steps(steps)));
}

template <class Scalar>
Schedule<Scalar> log_snr_shifted_schedule(const char* function, const Schedule<Scalar>& schedule,
                                          const WideShift& shift) {
  const WideSchedule& w = *schedule.wide_;
  std::vector<Wide> beta(static_cast<std::size_t>(w.steps) + 1), alpha(beta.size());
  const Wide one(1);
  WideVpLevel previous{one, Wide()};  // the shifted level of step t − 1
  Wide previous_alpha_bar = one, previous_one_minus = Wide();
  for (int t = 1; t <= w.steps; ++t) {
    const std::size_t i = static_cast<std::size_t>(t);
    if (w.alpha[i].is_zero()) {  // β_T = 1 (ᾱ_T = 0): SNR'_T = 0
      beta[i] = 1;
      alpha[i] = 0;
      break;
    }
    const RatioTerms marginal(w.log_alpha_bar(t));
    const WideVpLevel level = shift_vp_level(marginal.ratio, marginal.one_minus_ratio, shift);
    Wide log_alpha_t;
    if (t == 1) {
      log_alpha_t = -log1p(level.one_minus_alpha_bar / level.alpha_bar);
    } else {
      // λ_{t−1} − λ_t ≥ 0 as −(log α_t − log((1 − ᾱ_t)/(1 − ᾱ_{t−1}))): two terms of one sign.
      const Wide drop = log1p(previous_alpha_bar * w.beta[i] / previous_one_minus) - w.log_alpha[i];
      log_alpha_t = -log1p(previous.one_minus_alpha_bar * expm1(shift.power * drop));
    }
    const RatioTerms step(log_alpha_t);
    beta[i] = step.one_minus_ratio;
    alpha[i] = step.ratio;
    previous = level;
    previous_alpha_bar = marginal.ratio;
    previous_one_minus = marginal.one_minus_ratio;
  }
  return Schedule<Scalar>(build_wide_schedule(function, std::move(beta), std::move(alpha), w.source));
}
}  // namespace detail

/// A Schedule is a forward process over the steps t = 0..T: a = √ᾱ_t, b = √(1 − ᾱ_t), σ_t, λ_t.
template <class Scalar>
struct ProcessTraits<Schedule<Scalar>> {
  static constexpr bool is_process = true;
  using scalar_type = Scalar;
  using coordinate_type = int;
  static constexpr const char* coordinates_name = "timesteps";

  /// Step `raw` (any integer type) of column j, checked to lie in [0, T].
  template <class Raw>
  static int coordinate(const char* function, const Schedule<Scalar>& schedule, long long j, Raw raw) {
    static_assert(std::is_integral<Raw>::value && !std::is_same<Raw, bool>::value,
                  "diffuse: the timesteps of a Schedule are integers (a continuous time needs a ContinuousProcess)");
    detail::check_step(
        function, [j] { return "timesteps(" + std::to_string(j) + ")"; }, raw, 0, schedule.steps());
    return static_cast<int>(raw);
  }
  static Scalar signal_scale(const Schedule<Scalar>& schedule, int t) { return schedule.sqrt_alpha_bar(t); }
  static Scalar noise_scale(const Schedule<Scalar>& schedule, int t) { return schedule.sqrt_one_minus_alpha_bar(t); }
  static Scalar noise_variance(const Schedule<Scalar>& schedule, int t) { return schedule.one_minus_alpha_bar(t); }
  static Scalar noise_level(const Schedule<Scalar>& schedule, int t) { return schedule.sigma(t); }
  static Scalar log_snr(const Schedule<Scalar>& schedule, int t) { return schedule.log_snr(t); }
  static bool variance_preserving(const Schedule<Scalar>&) { return true; }
  /// t in [0, T].
  static void check(const char* function, const Schedule<Scalar>& schedule, int t) {
    detail::check_step(function, "t", t, 0, schedule.steps());
  }
  /// 0 ≤ s < t ≤ T.
  static void check_order(const char* function, const Schedule<Scalar>& schedule, int s, int t) {
    detail::check_step(function, "t", t, 1, schedule.steps());
    detail::check_step(function, "s", s, 0, t - 1);
  }
  /// √(ᾱ_t/ᾱ_s), 1 − ᾱ_t/ᾱ_s and its square root, each rounded once from Wide (the marginal's own
  /// values at s = 0).
  static TransitionCoefficients<Scalar> transition_coefficients(const Schedule<Scalar>& schedule, int s, int t) {
    if (s == 0)
      return {schedule.sqrt_alpha_bar(t), schedule.one_minus_alpha_bar(t), schedule.sqrt_one_minus_alpha_bar(t)};
    const detail::RatioTerms r(detail::wide_schedule(schedule).log_alpha_bar_difference(s, t));
    return {static_cast<Scalar>(r.sqrt_ratio), static_cast<Scalar>(r.one_minus_ratio),
            static_cast<Scalar>(sqrt(r.one_minus_ratio))};
  }
  /// Schedule::posterior_coefficients and √v, each rounded once from Wide.
  static PosteriorCoefficients<Scalar> posterior_coefficients(const Schedule<Scalar>& schedule, int s, int t) {
    const detail::WidePosterior c(detail::wide_schedule(schedule), s, t);
    return {static_cast<Scalar>(c.x0), static_cast<Scalar>(c.xt), static_cast<Scalar>(c.variance),
            static_cast<Scalar>(sqrt(c.variance))};
  }
  /// The prior N(0, I) at t = T, from L = log ᾱ_T of the Wide schedule: {ᾱ_T, −ᾱ_T, ln(−expm1 L)},
  /// which cancel neither for tiny ᾱ_T nor for tiny 1 − ᾱ_T.
  static detail::PriorTerms prior_terms(const Schedule<Scalar>& schedule) {
    const detail::Wide log_alpha_bar = detail::wide_schedule(schedule).log_alpha_bar(schedule.steps());
    const detail::Wide alpha_bar = exp(log_alpha_bar);
    return {alpha_bar, -alpha_bar, log(detail::one_minus_exp(log_alpha_bar))};
  }
};

}  // namespace diffuse
