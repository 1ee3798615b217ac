/// The Gaussian kernels of the forward process: q(x_t|x_{t−1}), q(x_t|x_0), q(x_t|x_s), the posterior, the prior KL.
#pragma once

#include <cmath>
#include <type_traits>

#include <Eigen/Core>

#include "detail/error.hpp"
#include "detail/wide.hpp"
#include "gaussian.hpp"
#include "schedule.hpp"

// Precision: every coefficient is one value of the Schedule, correctly rounded (k = ½ ulp + 2⁻¹⁰⁰·2^p:
// the schedule's contract), so within kε relative (ε = machine epsilon). A
// mean coefficient c·x is rounded once more: within (k + ½)ε relative. Each bound below is
// first order in ε.

namespace diffuse {
namespace detail {

template <class Scalar, class Derived>
constexpr void check_kernel_scalar() {
  static_assert(std::is_same<typename Derived::Scalar, Scalar>::value,
                "diffuse: the Eigen argument must have the scalar type of the schedule");
}

}  // namespace detail

/// The single step q(x_t|x_{t−1}) = N(√α_t x_{t−1}, β_t I) (Ho et al. 2020, eq. 2), t in [1, T].
/// √α_t is the schedule's sqrt_alpha_bar_ratio(t − 1, t). Mean within (k + ½)ε relative per
/// coefficient, variance β_t within kε, σ = √β_t within (k/2 + ½)ε. A step with β_T = 1 (zero
/// terminal SNR) gives N(0, I).
/// @throws std::out_of_range if t is outside [1, T].
template <class Scalar, class Derived>
Gaussian<typename Derived::PlainObject> transition(const Schedule<Scalar>& schedule, int t,
                                                   const Eigen::MatrixBase<Derived>& x_prev) {
  detail::check_kernel_scalar<Scalar, Derived>();
  detail::check_step("transition", "t", t, 1, schedule.steps());
  return {schedule.sqrt_alpha_bar_ratio(t - 1, t) * x_prev.derived(), schedule.beta(t)};
}

/// One step of a given β outside any schedule: N(√(1 − β) x_prev, β I) (Ho et al. 2020, eq. 2).
/// β = 0 returns x_prev exactly with variance 0; β = 1 gives N(0, I). Mean within 1ε relative
/// (√(1 − β) rounded once in detail::Wide, then the product).
/// @throws std::invalid_argument if β is outside [0, 1] or NaN.
template <class Derived>
Gaussian<typename Derived::PlainObject> transition(typename Derived::Scalar beta,
                                                   const Eigen::MatrixBase<Derived>& x_prev) {
  using Scalar = typename Derived::Scalar;
  if (detail::is_nan(beta) || !(beta >= 0 && beta <= 1)) detail::fail<std::invalid_argument>("transition", "beta must be in [0, 1]", beta);
  return {static_cast<Scalar>(sqrt(detail::Wide(1) - detail::Wide(beta))) * x_prev.derived(), beta};
}

/// The marginal q(x_t|x_0) = N(√ᾱ_t x_0, (1 − ᾱ_t) I) (Ho et al. 2020, eq. 4), t in [0, T]; t = 0
/// gives the point mass at x_0. Mean within (k + ½)ε relative per coefficient; variance and σ are
/// the schedule's one_minus_alpha_bar(t) and sqrt_one_minus_alpha_bar(t), within kε.
/// @throws std::out_of_range if t is outside [0, T].
template <class Scalar, class Derived>
Gaussian<typename Derived::PlainObject> marginal(const Schedule<Scalar>& schedule, int t,
                                                 const Eigen::MatrixBase<Derived>& x0) {
  detail::check_kernel_scalar<Scalar, Derived>();
  detail::check_step("marginal", "t", t, 0, schedule.steps());
  return {schedule.sqrt_alpha_bar(t) * x0.derived(), schedule.one_minus_alpha_bar(t),
          schedule.sqrt_one_minus_alpha_bar(t)};
}

/// q(x_t|x_s) = N(√(ᾱ_t/ᾱ_s) x_s, (1 − ᾱ_t/ᾱ_s) I) for 0 ≤ s < t ≤ T (Kingma et al. 2021, VDM),
/// the variance −expm1(log ᾱ_t − log ᾱ_s) without cancellation. s = 0 is marginal(t, x_s).
/// Mean within (k + ½)ε relative, variance within kε, σ within (k/2 + ½)ε (kε when s = 0).
/// @throws std::out_of_range if t is outside [1, T] or s outside [0, t − 1].
template <class Scalar, class Derived>
Gaussian<typename Derived::PlainObject> marginal(const Schedule<Scalar>& schedule, int s, int t,
                                                 const Eigen::MatrixBase<Derived>& x_s) {
  detail::check_kernel_scalar<Scalar, Derived>();
  detail::check_step("marginal", "t", t, 1, schedule.steps());
  detail::check_step("marginal", "s", s, 0, t - 1);
  if (s == 0) return marginal(schedule, t, x_s);
  return {schedule.sqrt_alpha_bar_ratio(s, t) * x_s.derived(), schedule.one_minus_alpha_bar_ratio(s, t)};
}

/// The posterior q(x_s|x_t, x_0) = N(c_0 x_0 + c_t x_t, v I) for 0 ≤ s < t ≤ T (Kingma et al.
/// 2021, VDM; Ho et al. 2020, eq. 6–7 for s = t − 1), with c_0, c_t, v the schedule's
/// posterior_coefficients(s, t). Mean within (k + 1)ε(|c_0 x_0| + |c_t x_t|) per coefficient,
/// v within kε, σ within (k/2 + ½)ε relative. s = 0 gives the point mass at x_0.
/// @throws std::out_of_range if t is outside [1, T] or s outside [0, t − 1];
/// std::invalid_argument if x_t and x0 do not have the same shape.
template <class Scalar, class DerivedT, class Derived0>
Gaussian<typename DerivedT::PlainObject> posterior(const Schedule<Scalar>& schedule, int s, int t,
                                                   const Eigen::MatrixBase<DerivedT>& x_t,
                                                   const Eigen::MatrixBase<Derived0>& x0) {
  detail::check_kernel_scalar<Scalar, DerivedT>();
  detail::check_kernel_scalar<Scalar, Derived0>();
  detail::check_step("posterior", "t", t, 1, schedule.steps());
  detail::check_step("posterior", "s", s, 0, t - 1);
  detail::check_shape("posterior", "x0", x0, x_t.rows(), x_t.cols());
  const typename Schedule<Scalar>::PosteriorCoefficients c = schedule.posterior_coefficients(s, t);
  return {c.x0 * x0.derived() + c.xt * x_t.derived(), c.variance};
}

/// The posterior q(x_{t−1}|x_t, x_0) = N(μ̃_t, β̃_t I) (Ho et al. 2020, eq. 6–7), t in [1, T]:
/// posterior(schedule, t − 1, t, x_t, x0). β̃_1 = 0: at t = 1 it is the point mass at x_0.
/// @throws as the general posterior.
template <class Scalar, class DerivedT, class Derived0>
Gaussian<typename DerivedT::PlainObject> posterior(const Schedule<Scalar>& schedule, int t,
                                                   const Eigen::MatrixBase<DerivedT>& x_t,
                                                   const Eigen::MatrixBase<Derived0>& x0) {
  detail::check_step("posterior", "t", t, 1, schedule.steps());
  return posterior(schedule, t - 1, t, x_t, x0);
}

namespace detail {

/// ᾱ_T and the per-coefficient constant ½ (−ln(1 − ᾱ_T) − ᾱ_T) of KL(q(x_T|x_0) ‖ N(0, I)), in
/// Wide from L_T = log ᾱ_T: ratio_divergence with u = −ᾱ_T and ln r = ln(−expm1 L_T), which
/// neither cancels for tiny ᾱ_T (the constant is ≈ ᾱ_T²/4) nor for tiny 1 − ᾱ_T.
template <class Scalar>
void prior_kl_terms(const Schedule<Scalar>& schedule, Wide& alpha_bar, Wide& constant) {
  const Wide log_alpha_bar = wide_schedule(schedule).log_alpha_bar(schedule.steps());
  alpha_bar = exp(log_alpha_bar);
  constant = ldexp(ratio_divergence(-alpha_bar, log(one_minus_exp(log_alpha_bar))), -1);
}

}  // namespace detail

/// The prior term KL(q(x_T|x_0) ‖ N(0, I)) = Σ_i ½ [ᾱ_T x_{0,i}² − ln(1 − ᾱ_T) − ᾱ_T] in nats,
/// summed over every coefficient of x0 (Ho et al. 2020, eq. 5, L_T; improved-diffusion's
/// `normal_kl` is the per-coefficient term). 0 at a zero-terminal-SNR schedule. Evaluated in
/// detail::Wide from log ᾱ_T without cancellation, even for tiny ᾱ_T or tiny 1 − ᾱ_T: relative
/// error within ½ ulp + (n + 64) units of 2⁻¹²⁸ (the result's relative condition number in ᾱ_T and
/// 1 − ᾱ_T, whichever is smaller, is at most 2.6).
template <class Scalar, class Derived>
Scalar prior_kl(const Schedule<Scalar>& schedule, const Eigen::MatrixBase<Derived>& x0) {
  detail::check_kernel_scalar<Scalar, Derived>();
  detail::Wide alpha_bar, constant;
  detail::prior_kl_terms(schedule, alpha_bar, constant);
  const detail::Wide squares = detail::squared_norm(x0);
  return static_cast<Scalar>(ldexp(alpha_bar * squares, -1) + detail::Wide(static_cast<long long>(x0.size())) * constant);
}

/// The prior term per sample, one sample per column of x0: element j is prior_kl of column j (in
/// nats; divide by rows·ln 2 for improved-diffusion's per-sample `prior_bpd`). Same precision.
template <class Scalar, class Derived>
Eigen::Matrix<Scalar, 1, Eigen::Dynamic> prior_kl_per_sample(const Schedule<Scalar>& schedule,
                                                             const Eigen::MatrixBase<Derived>& x0) {
  detail::check_kernel_scalar<Scalar, Derived>();
  detail::Wide alpha_bar, constant;
  detail::prior_kl_terms(schedule, alpha_bar, constant);
  const detail::Wide rows_constant = detail::Wide(static_cast<long long>(x0.rows())) * constant;
  Eigen::Matrix<Scalar, 1, Eigen::Dynamic> result(x0.cols());
  for (Eigen::Index j = 0; j < x0.cols(); ++j) {
    result(j) = static_cast<Scalar>(ldexp(alpha_bar * detail::squared_norm(x0, j), -1) + rows_constant);
  }
  return result;
}

}  // namespace diffuse
