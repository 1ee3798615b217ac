/// The Gaussian kernels of any forward process, q(x_t|x_0), q(x_t|x_s) and the posterior, and a Schedule's one step q(x_t|x_{t−1}) and prior KL.
#pragma once

#include <cmath>
#include <type_traits>

#include <Eigen/Core>

#include "detail/checks.hpp"
#include "detail/scaled_sum.hpp"
#include "detail/shape.hpp"
#include "detail/wide.hpp"
#include "gaussian.hpp"
#include "process.hpp"
#include "schedule.hpp"

// Precision: every coefficient is one value of the process, correctly rounded (k = ½ ulp + 2⁻¹⁰⁰·2^p:
// the contract of schedule.hpp and continuous.hpp), so within kε relative (ε = machine epsilon). A
// mean coefficient c·x is rounded once more: within (k + ½)ε relative. Each bound below is
// first order in ε.

namespace diffuse {

/// The single step q(x_t|x_{t−1}) = N(√α_t x_{t−1}, β_t I) (Ho et al. 2020, eq. 2), t in [1, T].
/// √α_t is the schedule's sqrt_alpha_bar_ratio(t − 1, t). Mean within (k + ½)ε relative per
/// coefficient, variance β_t within kε, σ = √β_t within (k/2 + ½)ε. A step with β_T = 1 (zero
/// terminal SNR) gives N(0, I).
/// @throws std::out_of_range if t is outside [1, T].
template <class Scalar, class Derived>
Gaussian<typename Derived::PlainObject> transition(const Schedule<Scalar>& schedule, int t,
                                                   const Eigen::MatrixBase<Derived>& x_prev) {
  detail::check_process_argument<Schedule<Scalar>, Derived>();
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
  detail::check_in_closed_unit_interval("transition", "beta", beta);
  return {static_cast<Scalar>(sqrt(detail::Wide(1) - detail::Wide(beta))) * x_prev.derived(), beta};
}

/// The marginal q(x_t|x_0) = N(a(t) x_0, b(t)² I) of any forward process (process.hpp): for a
/// Schedule N(√ᾱ_t x_0, (1 − ᾱ_t) I) (Ho et al. 2020, eq. 4), t in [0, T], t = 0 the point mass at
/// x_0; for a ContinuousProcess the same with a(t), b(t) (Song et al. 2021, eq. 29; Kingma et al.
/// 2021, eq. 1). Mean within (k + ½)ε relative per coefficient; variance and σ are the process's
/// b² and b, within kε.
/// @throws std::out_of_range if t is not a coordinate of the process (a step outside [0, T]).
template <class Process, class Derived>
Gaussian<typename Derived::PlainObject> marginal(const Process& process,
                                                 typename ProcessTraits<Process>::coordinate_type t,
                                                 const Eigen::MatrixBase<Derived>& x0) {
  detail::check_process_argument<Process, Derived>();
  using Traits = ProcessTraits<Process>;
  Traits::check("marginal", process, t);
  return {Traits::signal_scale(process, t) * x0.derived(), Traits::noise_variance(process, t),
          Traits::noise_scale(process, t)};
}

/// The transition q(x_t|x_s) = N(m x_s, v I), s before t, of any forward process: m = a_t/a_s,
/// v = b_t² − m² b_s², without cancellation (Kingma et al. 2021, VDM, eq. 33). For a Schedule
/// m = √(ᾱ_t/ᾱ_s), v = −expm1(log ᾱ_t − log ᾱ_s), 0 ≤ s < t ≤ T; s = 0 is marginal(t, x_s).
/// Chapman–Kolmogorov holds: transition(u, t) after transition(s, u) is transition(s, t). Mean
/// within (k + ½)ε relative, variance within kε, σ within (k/2 + ½)ε (kε for a ContinuousProcess).
/// @throws std::out_of_range for a Schedule unless 0 ≤ s < t ≤ T; std::invalid_argument for a
/// ContinuousProcess unless s < t.
template <class Process, class Derived>
Gaussian<typename Derived::PlainObject> transition(const Process& process,
                                                   typename ProcessTraits<Process>::coordinate_type s,
                                                   typename ProcessTraits<Process>::coordinate_type t,
                                                   const Eigen::MatrixBase<Derived>& x_s) {
  detail::check_process_argument<Process, Derived>();
  using Traits = ProcessTraits<Process>;
  Traits::check_order("transition", process, s, t);
  const TransitionCoefficients<typename Traits::scalar_type> k = Traits::transition_coefficients(process, s, t);
  return {k.mean * x_s.derived(), k.variance, k.stddev};
}

/// The posterior q(x_s|x_t, x_0) = N(c_0 x_0 + c_t x_t, v I), s before t, of any forward process:
/// the Bayes product of q(x_s|x_0) and q(x_t|x_s) (Kingma et al. 2021, VDM, eq. 34; Ho et al. 2020,
/// eq. 6–7 for a Schedule with s = t − 1). The mean is fl(fl(c_0 x_0) + fl(c_t x_t)) per coefficient
/// (batch.hpp's rounding), within (k + 1)ε(|c_0 x_0| + |c_t x_t|); v and √v within kε. At a data end
/// (s = 0 of a Schedule) it is the point mass at x_0.
/// @throws as transition; std::invalid_argument if x_t and x0 do not have the same shape.
template <class Process, class DerivedT, class Derived0>
Gaussian<typename DerivedT::PlainObject> posterior(const Process& process,
                                                   typename ProcessTraits<Process>::coordinate_type s,
                                                   typename ProcessTraits<Process>::coordinate_type t,
                                                   const Eigen::MatrixBase<DerivedT>& x_t,
                                                   const Eigen::MatrixBase<Derived0>& x0) {
  detail::check_process_argument<Process, DerivedT>();
  detail::check_process_argument<Process, Derived0>();
  using Traits = ProcessTraits<Process>;
  using Scalar = typename Traits::scalar_type;
  Traits::check_order("posterior", process, s, t);
  detail::check_shape("posterior", "x0", x0, x_t.rows(), x_t.cols());
  const PosteriorCoefficients<Scalar> c = Traits::posterior_coefficients(process, s, t);
  const Scalar c0 = c.x0, ct = c.xt;
  return {
      x0.derived().binaryExpr(x_t.derived(), [c0, ct](Scalar a, Scalar b) { return detail::scaled_sum(c0, a, ct, b); }),
      c.variance, c.stddev};
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

/// The constant per coefficient of prior_kl, ½ (r − 1 − ln r) (ratio_divergence: no cancellation
/// near r = 1).
inline Wide prior_constant(const PriorTerms& terms) {
  return ldexp(ratio_divergence(terms.r_minus_one, terms.log_r), -1);
}

}  // namespace detail

/// The prior term KL(q(x_end|x_0) ‖ N(0, σ_p² I)) = Σ_i ½ [a² x_{0,i}²/σ_p² + r − 1 − ln r],
/// r = b²/σ_p², in nats, summed over every coefficient of x0, for any forward process at its last
/// coordinate (a Schedule: t = T and N(0, I), Ho et al. 2020, eq. 5, L_T, where it is
/// Σ ½ [ᾱ_T x_0² − ln(1 − ᾱ_T) − ᾱ_T] and improved-diffusion's `normal_kl` is the per-coefficient
/// term; a ContinuousProcess: t = 1 and N(0, I), or N(0, σ_max² I) for VE as in score_sde). 0 where
/// the process ends in its prior exactly (zero terminal SNR). Evaluated in detail::Wide from the
/// process's own terms (ProcessTraits::prior_terms), without cancellation even for tiny a² or
/// r − 1: relative error within ½ ulp + (n + 64) units of 2⁻¹²⁸ beyond the terms' own (the result's
/// relative condition number in a² and r − 1, whichever is smaller, is at most 2.6).
template <class Process, class Derived>
typename ProcessTraits<Process>::scalar_type prior_kl(const Process& process, const Eigen::MatrixBase<Derived>& x0) {
  detail::check_process_argument<Process, Derived>();
  using Scalar = typename ProcessTraits<Process>::scalar_type;
  const detail::PriorTerms terms = ProcessTraits<Process>::prior_terms(process);
  const detail::Wide squares = detail::squared_norm(x0);
  return static_cast<Scalar>(ldexp(terms.signal * squares, -1) +
                             detail::Wide(static_cast<long long>(x0.size())) * detail::prior_constant(terms));
}

/// The prior term per sample, one sample per column of x0: element j is prior_kl of column j (in
/// nats; divide by rows·ln 2 for improved-diffusion's per-sample `prior_bpd`). Same precision.
template <class Process, class Derived>
Eigen::Matrix<typename ProcessTraits<Process>::scalar_type, 1, Eigen::Dynamic> prior_kl_per_sample(
    const Process& process, const Eigen::MatrixBase<Derived>& x0) {
  detail::check_process_argument<Process, Derived>();
  using Scalar = typename ProcessTraits<Process>::scalar_type;
  const detail::PriorTerms terms = ProcessTraits<Process>::prior_terms(process);
  const detail::Wide rows_constant = detail::Wide(static_cast<long long>(x0.rows())) * detail::prior_constant(terms);
  Eigen::Matrix<Scalar, 1, Eigen::Dynamic> result(x0.cols());
  for (Eigen::Index j = 0; j < x0.cols(); ++j) {
    result(j) = static_cast<Scalar>(ldexp(terms.signal * detail::squared_norm(x0, j), -1) + rows_constant);
  }
  return result;
}

}  // namespace diffuse
