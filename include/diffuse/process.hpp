/// The forward-process concept: what every process q(x_c|x_0) = N(a(c) x_0, b(c)² I) provides to the functions written once for all.
///
/// A forward process is a type P with a specialization of ProcessTraits<P> that has:
///
///   is_process = true
///   scalar_type                  the working type of P's values (float, double, long double)
///   coordinate_type              where along the process: `int` steps of a Schedule,
///                                ContinuousTime<scalar_type> of a ContinuousProcess
///   coordinates_name             what a batch calls its per-sample coordinates ("timesteps", "times")
///   coordinate(fn, p, j, raw)    the j-th per-sample coordinate of a batch, given as a number `raw`
///                                (an integer step, a float or double time), checked: throws
///                                std::out_of_range, naming fn and j, outside its range or for NaN;
///                                a wrong kind of number (a time for a Schedule) does not compile
///   signal_scale(p, c)           a(c)
///   noise_scale(p, c)            b(c)
///   noise_variance(p, c)         b(c)², without cancellation
///   noise_level(p, c)            σ(c) = b/a (+∞ where a = 0)
///   log_snr(p, c)                λ(c) = log(a²/b²)
///   variance_preserving(p)       whether a² + b² = 1 at every c (the velocity v = a ε − b x_0 of
///                                Salimans & Ho 2022 and its conversions need it)
///   check(fn, p, c)              throws std::out_of_range, naming fn, unless c is a coordinate of p
///   check_order(fn, p, s, t)     throws, naming fn, unless s comes before t (the s → t kernels)
///   transition_coefficients(p, s, t)   q(x_t|x_s) = N(m x_s, v I): TransitionCoefficients {m, v, √v}
///   posterior_coefficients(p, s, t)    q(x_s|x_t, x_0) = N(c_0 x_0 + c_t x_t, v I):
///                                      PosteriorCoefficients {c_0, c_t, v, √v}
///   prior_terms(p)               the prior N(0, σ_p² I) the process ends in (σ_p = 1, or σ_max of a
///                                VE process) against q(x_end|x_0) = N(a x_0, b² I), in detail::Wide:
///                                detail::PriorTerms {a²/σ_p², r − 1, ln r} with r = b²/σ_p², each
///                                without cancellation (prior_kl in kernels.hpp uses them)
///
/// each value correctly rounded from the process's extended-precision definition (the contracts of
/// schedule.hpp and continuous.hpp). The batch functions (batch.hpp: add_noise with given noise, the
/// velocity and the ε / x_0 / v conversions; noise.hpp: add_noise with drawn noise) use nothing
/// else, so they serve every process, and each new process that specializes ProcessTraits gets
/// them all. docs/processes.md says how to add one.
#pragma once

#include <type_traits>

#include "detail/checks.hpp"
#include "detail/wide.hpp"

namespace diffuse {

/// The coefficients of q(x_t|x_s) = N(m x_s, v I), s before t.
template <class Scalar>
struct TransitionCoefficients {
  Scalar mean;      ///< m = a_t/a_s
  Scalar variance;  ///< v = b_t² − m² b_s²
  Scalar stddev;    ///< √v
};

/// The coefficients of the posterior q(x_s|x_t, x_0) = N(c_0 x_0 + c_t x_t, v I), s before t.
template <class Scalar>
struct PosteriorCoefficients {
  Scalar x0;        ///< c_0
  Scalar xt;        ///< c_t
  Scalar variance;  ///< v
  Scalar stddev;    ///< √v
};

/// The traits of a forward process (see the file comment). Not a process: is_process = false.
template <class Process>
struct ProcessTraits {
  static constexpr bool is_process = false;
};

/// Whether P is a forward process (ProcessTraits<P> is specialized).
template <class P>
inline constexpr bool is_forward_process_v = ProcessTraits<std::remove_cv_t<std::remove_reference_t<P>>>::is_process;

namespace detail {

/// KL(q(x_end|x_0) ‖ N(0, σ_p² I)) = ½ Σ_i [signal x_{0,i}² + (r − 1 − ln r)], r = b²/σ_p², as a
/// process gives it (ProcessTraits::prior_terms): r − 1 and ln r separately, so that
/// r − 1 − ln r ≈ (r − 1)²/2 keeps its digits when r is near 1.
struct PriorTerms {
  Wide signal;       ///< a²/σ_p² at the end coordinate
  Wide r_minus_one;  ///< r − 1
  Wide log_r;        ///< ln r
};

/// A compile-time check that P is a process of the scalar type of an Eigen argument.
template <class Process, class Derived>
constexpr void check_process_argument() {
  static_assert(is_forward_process_v<Process>,
                "diffuse: the first argument must be a forward process (a Schedule, a ContinuousProcess, or a type "
                "with a ProcessTraits specialization)");
  check_same_scalar<typename ProcessTraits<Process>::scalar_type, typename Derived::Scalar>();
}

}  // namespace detail
}  // namespace diffuse
