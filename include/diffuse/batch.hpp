/// Batches with a timestep per sample: add_noise, the velocity target and the x_0 / ε / v conversions.
#pragma once

#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "detail/error.hpp"
#include "detail/shape.hpp"
#include "schedule.hpp"

// Conventions of every function here: one sample per column of x0, eps, x_t, v and out; the
// timesteps are an Eigen integer vector or a std::vector of an integer type with one entry per
// column, each in [0, T]. Every argument is checked before anything is written: on an exception
// `out` is untouched. `out` is any writable Eigen matrix expression of the right shape (a Matrix,
// a Block, an Eigen::Map over another library's buffer, row- or column-major, with strides): it is
// written in place, never resized or copied. It may be one of the inputs itself (the same object
// or the same memory with the same layout); any other overlap is undefined.
//
// Each output coefficient is p_j a + q_j b for two per-column coefficients p_j, q_j taken from
// the schedule (each within kε relative, k = ½ + 2⁻¹⁰⁰·2^p: correctly rounded, the schedule's
// contract; (k + ½)ε where a reciprocal is taken), with two roundings for the products and one for
// the sum: error within (k + 1)ε(|p_j a| + |q_j b|), (k + 1½)ε(…) for the two conversions with
// reciprocals.

namespace diffuse {
namespace detail {

/// The timesteps argument: an Eigen integer vector or a std::vector of integers.
template <class Derived>
Eigen::Index step_count(const Eigen::DenseBase<Derived>& timesteps) {
  static_assert(std::is_integral<typename Derived::Scalar>::value,
                "diffuse: timesteps must be an Eigen vector of an integer type");
  return timesteps.size();
}
template <class Derived>
long long step_at(const Eigen::DenseBase<Derived>& timesteps, Eigen::Index j) {
  return static_cast<long long>(timesteps.derived().coeff(j));
}
template <class Integer>
Eigen::Index step_count(const std::vector<Integer>& timesteps) {
  static_assert(std::is_integral<Integer>::value, "diffuse: timesteps must be a std::vector of an integer type");
  return static_cast<Eigen::Index>(timesteps.size());
}
template <class Integer>
long long step_at(const std::vector<Integer>& timesteps, Eigen::Index j) {
  return static_cast<long long>(timesteps[static_cast<std::size_t>(j)]);
}

/// out_j = p(t_j) a_j + q(t_j) b_j for every column j, where coefficients(t, j) returns the pair
/// (p, q) for step t (and may throw for a step it cannot serve). Checks shapes, the timesteps and
/// every coefficient first, then writes out.
template <class Scalar, class A, class B, class Steps, class Out, class Coefficients>
void combine_columns(const char* function, const char* b_name, const Schedule<Scalar>& schedule,
                     const Eigen::MatrixBase<A>& a, const Eigen::MatrixBase<B>& b, const Steps& timesteps,
                     const Eigen::MatrixBase<Out>& out, Coefficients coefficients) {
  static_assert(std::is_same<typename A::Scalar, Scalar>::value && std::is_same<typename B::Scalar, Scalar>::value &&
                    std::is_same<typename Out::Scalar, Scalar>::value,
                "diffuse: the batch arguments must have the scalar type of the schedule");
  const Eigen::Index rows = a.rows(), cols = a.cols();
  check_shape(function, b_name, b, rows, cols);
  check_shape(function, "out", out, rows, cols);
  if (step_count(timesteps) != cols) {
    fail<std::invalid_argument>(function,
                                "timesteps must have one entry per column (" + std::to_string(cols) + " columns)",
                                static_cast<long long>(step_count(timesteps)));
  }
  Eigen::Matrix<Scalar, 1, Eigen::Dynamic> p(cols), q(cols);
  for (Eigen::Index j = 0; j < cols; ++j) {
    const long long t = step_at(timesteps, j);
    if (t < 0 || t > schedule.steps()) {
      fail<std::out_of_range>(function, "timesteps(" + std::to_string(j) + ") must be in [0, " +
                                            std::to_string(schedule.steps()) + "]", t);
    }
    const std::pair<Scalar, Scalar> c = coefficients(static_cast<int>(t), j);
    p(j) = c.first;
    q(j) = c.second;
  }
  const_cast<Out&>(out.derived()) = a.derived() * p.asDiagonal() + b.derived() * q.asDiagonal();
}

/// The same into a new matrix of the shape and storage order of `a`.
template <class Scalar, class A, class B, class Steps, class Coefficients>
typename A::PlainObject combined_columns(const char* function, const char* b_name, const Schedule<Scalar>& schedule,
                                         const Eigen::MatrixBase<A>& a, const Eigen::MatrixBase<B>& b,
                                         const Steps& timesteps, Coefficients coefficients) {
  typename A::PlainObject out;
  out.resize(a.rows(), a.cols());
  combine_columns(function, b_name, schedule, a, b, timesteps, out, coefficients);
  return out;
}

/// The coefficients of each function, for step t of `schedule` (j names the column in messages).
template <class Scalar>
struct BatchCoefficients {
  const Schedule<Scalar>& schedule;
  using Pair = std::pair<Scalar, Scalar>;

  Pair add_noise(int t, Eigen::Index) const { return {schedule.sqrt_alpha_bar(t), schedule.sqrt_one_minus_alpha_bar(t)}; }
  Pair velocity(int t, Eigen::Index) const { return {-schedule.sqrt_one_minus_alpha_bar(t), schedule.sqrt_alpha_bar(t)}; }
  Pair x0_from_velocity(int t, Eigen::Index) const {
    return {schedule.sqrt_alpha_bar(t), -schedule.sqrt_one_minus_alpha_bar(t)};
  }
  Pair eps_from_velocity(int t, Eigen::Index) const {
    return {schedule.sqrt_one_minus_alpha_bar(t), schedule.sqrt_alpha_bar(t)};
  }
  Pair x0_from_eps(int t, Eigen::Index j) const {
    const Scalar a = schedule.sqrt_alpha_bar(t);
    if (!(a > 0)) {
      fail<std::domain_error>("x0_from_eps",
                              "alpha_bar must be positive at timesteps(" + std::to_string(j) +
                                  "): x_0 cannot be recovered from eps at a zero-terminal-SNR step",
                              t);
    }
    return {Scalar(1) / a, -schedule.sigma(t)};
  }
  Pair eps_from_x0(int t, Eigen::Index j) const {
    if (t == 0) {
      fail<std::domain_error>("eps_from_x0",
                              "timesteps(" + std::to_string(j) + ") must be at least 1: x_0 carries no noise", t);
    }
    return {Scalar(1) / schedule.sqrt_one_minus_alpha_bar(t), -Scalar(1) / schedule.sigma(t)};
  }
};

}  // namespace detail

/// Forward noising of a batch, x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε column by column (Ho et al. 2020,
/// eq. 4; diffusers `add_noise`), written into `out`. Column j is exactly
/// marginal(schedule, t_j, x0.col(j)).sample_from_noise(eps.col(j)). Error within
/// (k + 1)ε(|√ᾱ x_0| + |√(1 − ᾱ) ε|) per coefficient.
/// @throws std::invalid_argument if eps or out does not have the shape of x0, or timesteps does
/// not have one entry per column; std::out_of_range if a timestep is outside [0, T].
template <class Scalar, class X0, class Eps, class Steps, class Out>
void add_noise(const Schedule<Scalar>& schedule, const Eigen::MatrixBase<X0>& x0, const Eigen::MatrixBase<Eps>& eps,
               const Steps& timesteps, const Eigen::MatrixBase<Out>& out) {
  const detail::BatchCoefficients<Scalar> c{schedule};
  detail::combine_columns("add_noise", "eps", schedule, x0, eps, timesteps, out,
                          [&](int t, Eigen::Index j) { return c.add_noise(t, j); });
}

/// add_noise into a new matrix of the shape and storage order of x0.
template <class Scalar, class X0, class Eps, class Steps>
typename X0::PlainObject add_noise(const Schedule<Scalar>& schedule, const Eigen::MatrixBase<X0>& x0,
                                   const Eigen::MatrixBase<Eps>& eps, const Steps& timesteps) {
  const detail::BatchCoefficients<Scalar> c{schedule};
  return detail::combined_columns("add_noise", "eps", schedule, x0, eps, timesteps,
                                  [&](int t, Eigen::Index j) { return c.add_noise(t, j); });
}

/// The velocity target v = √ᾱ_t ε − √(1 − ᾱ_t) x_0 per column (Salimans & Ho 2022, §4; diffusers
/// `get_velocity`), written into `out`. Error within (k + 1)ε(|√ᾱ ε| + |√(1 − ᾱ) x_0|).
/// @throws as add_noise.
template <class Scalar, class X0, class Eps, class Steps, class Out>
void velocity(const Schedule<Scalar>& schedule, const Eigen::MatrixBase<X0>& x0, const Eigen::MatrixBase<Eps>& eps,
              const Steps& timesteps, const Eigen::MatrixBase<Out>& out) {
  const detail::BatchCoefficients<Scalar> c{schedule};
  detail::combine_columns("velocity", "eps", schedule, x0, eps, timesteps, out,
                          [&](int t, Eigen::Index j) { return c.velocity(t, j); });
}

/// velocity into a new matrix of the shape and storage order of x0.
template <class Scalar, class X0, class Eps, class Steps>
typename X0::PlainObject velocity(const Schedule<Scalar>& schedule, const Eigen::MatrixBase<X0>& x0,
                                  const Eigen::MatrixBase<Eps>& eps, const Steps& timesteps) {
  const detail::BatchCoefficients<Scalar> c{schedule};
  return detail::combined_columns("velocity", "eps", schedule, x0, eps, timesteps,
                                  [&](int t, Eigen::Index j) { return c.velocity(t, j); });
}

/// x_0 from x_t and the noise: x_0 = (x_t − √(1 − ᾱ_t) ε)/√ᾱ_t = x_t/√ᾱ_t − σ_t ε (Ho et al. 2020,
/// eq. 15; σ_t = √((1 − ᾱ_t)/ᾱ_t)), written into `out`. Error within (k + 1½)ε(|x_t/√ᾱ| + |σ ε|).
/// @throws as add_noise; std::domain_error at a step with ᾱ_t = 0 (zero terminal SNR), where x_t
/// carries nothing of x_0.
template <class Scalar, class Xt, class Eps, class Steps, class Out>
void x0_from_eps(const Schedule<Scalar>& schedule, const Eigen::MatrixBase<Xt>& x_t, const Eigen::MatrixBase<Eps>& eps,
                 const Steps& timesteps, const Eigen::MatrixBase<Out>& out) {
  const detail::BatchCoefficients<Scalar> c{schedule};
  detail::combine_columns("x0_from_eps", "eps", schedule, x_t, eps, timesteps, out,
                          [&](int t, Eigen::Index j) { return c.x0_from_eps(t, j); });
}

/// x0_from_eps into a new matrix of the shape and storage order of x_t.
template <class Scalar, class Xt, class Eps, class Steps>
typename Xt::PlainObject x0_from_eps(const Schedule<Scalar>& schedule, const Eigen::MatrixBase<Xt>& x_t,
                                     const Eigen::MatrixBase<Eps>& eps, const Steps& timesteps) {
  const detail::BatchCoefficients<Scalar> c{schedule};
  return detail::combined_columns("x0_from_eps", "eps", schedule, x_t, eps, timesteps,
                                  [&](int t, Eigen::Index j) { return c.x0_from_eps(t, j); });
}

/// The noise from x_t and x_0: ε = (x_t − √ᾱ_t x_0)/√(1 − ᾱ_t) = x_t/√(1 − ᾱ_t) − x_0/σ_t, written
/// into `out`. Error within (k + 1½)ε(|x_t/√(1 − ᾱ)| + |x_0/σ|).
/// @throws as add_noise; std::domain_error at t = 0, where x_t = x_0 carries no noise.
template <class Scalar, class Xt, class X0, class Steps, class Out>
void eps_from_x0(const Schedule<Scalar>& schedule, const Eigen::MatrixBase<Xt>& x_t, const Eigen::MatrixBase<X0>& x0,
                 const Steps& timesteps, const Eigen::MatrixBase<Out>& out) {
  const detail::BatchCoefficients<Scalar> c{schedule};
  detail::combine_columns("eps_from_x0", "x0", schedule, x_t, x0, timesteps, out,
                          [&](int t, Eigen::Index j) { return c.eps_from_x0(t, j); });
}

/// eps_from_x0 into a new matrix of the shape and storage order of x_t.
template <class Scalar, class Xt, class X0, class Steps>
typename Xt::PlainObject eps_from_x0(const Schedule<Scalar>& schedule, const Eigen::MatrixBase<Xt>& x_t,
                                     const Eigen::MatrixBase<X0>& x0, const Steps& timesteps) {
  const detail::BatchCoefficients<Scalar> c{schedule};
  return detail::combined_columns("eps_from_x0", "x0", schedule, x_t, x0, timesteps,
                                  [&](int t, Eigen::Index j) { return c.eps_from_x0(t, j); });
}

/// x_0 from x_t and the velocity: x_0 = √ᾱ_t x_t − √(1 − ᾱ_t) v (Salimans & Ho 2022, §4), written into
/// `out`; valid at every t. Error within (k + 1)ε(|√ᾱ x_t| + |√(1 − ᾱ) v|).
/// @throws as add_noise.
template <class Scalar, class Xt, class V, class Steps, class Out>
void x0_from_velocity(const Schedule<Scalar>& schedule, const Eigen::MatrixBase<Xt>& x_t, const Eigen::MatrixBase<V>& v,
                      const Steps& timesteps, const Eigen::MatrixBase<Out>& out) {
  const detail::BatchCoefficients<Scalar> c{schedule};
  detail::combine_columns("x0_from_velocity", "v", schedule, x_t, v, timesteps, out,
                          [&](int t, Eigen::Index j) { return c.x0_from_velocity(t, j); });
}

/// x0_from_velocity into a new matrix of the shape and storage order of x_t.
template <class Scalar, class Xt, class V, class Steps>
typename Xt::PlainObject x0_from_velocity(const Schedule<Scalar>& schedule, const Eigen::MatrixBase<Xt>& x_t,
                                          const Eigen::MatrixBase<V>& v, const Steps& timesteps) {
  const detail::BatchCoefficients<Scalar> c{schedule};
  return detail::combined_columns("x0_from_velocity", "v", schedule, x_t, v, timesteps,
                                  [&](int t, Eigen::Index j) { return c.x0_from_velocity(t, j); });
}

/// The noise from x_t and the velocity: ε = √(1 − ᾱ_t) x_t + √ᾱ_t v (Salimans & Ho 2022, §4), written
/// into `out`; valid at every t. Error within (k + 1)ε(|√(1 − ᾱ) x_t| + |√ᾱ v|).
/// @throws as add_noise.
template <class Scalar, class Xt, class V, class Steps, class Out>
void eps_from_velocity(const Schedule<Scalar>& schedule, const Eigen::MatrixBase<Xt>& x_t, const Eigen::MatrixBase<V>& v,
                       const Steps& timesteps, const Eigen::MatrixBase<Out>& out) {
  const detail::BatchCoefficients<Scalar> c{schedule};
  detail::combine_columns("eps_from_velocity", "v", schedule, x_t, v, timesteps, out,
                          [&](int t, Eigen::Index j) { return c.eps_from_velocity(t, j); });
}

/// eps_from_velocity into a new matrix of the shape and storage order of x_t.
template <class Scalar, class Xt, class V, class Steps>
typename Xt::PlainObject eps_from_velocity(const Schedule<Scalar>& schedule, const Eigen::MatrixBase<Xt>& x_t,
                                           const Eigen::MatrixBase<V>& v, const Steps& timesteps) {
  const detail::BatchCoefficients<Scalar> c{schedule};
  return detail::combined_columns("eps_from_velocity", "v", schedule, x_t, v, timesteps,
                                  [&](int t, Eigen::Index j) { return c.eps_from_velocity(t, j); });
}

}  // namespace diffuse
