/// The ProcessTraits of a process over times t ∈ [0, 1] that answers each quantity itself (ContinuousProcess, RectifiedFlow).
#pragma once

#include <string>
#include <type_traits>

#include "../process.hpp"
#include "../time_coordinates.hpp"
#include "checks.hpp"

namespace diffuse {
namespace detail {

/// Every member of ProcessTraits (process.hpp) for a Process whose members signal_scale,
/// noise_scale, noise_variance, noise_level, log_snr, variance_preserving, transition_coefficients,
/// posterior_coefficients and (private, befriending this) prior_terms take ContinuousTime<Scalar>.
/// A specialization derives from it: ProcessTraits<P> : TimeProcessTraits<P, Scalar> {}.
template <class Process, class Scalar>
struct TimeProcessTraits {
  static constexpr bool is_process = true;
  using scalar_type = Scalar;
  using coordinate_type = ContinuousTime<Scalar>;
  static constexpr const char* coordinates_name = "times";

  /// The time `raw` (float, double or long double) of column j, checked to lie in [0, 1] (NaN
  /// fails) and rounded to Scalar.
  template <class Raw>
  static ContinuousTime<Scalar> coordinate(const char* function, const Process&, long long j, Raw raw) {
    static_assert(std::is_floating_point<Raw>::value,
                  "diffuse: the times of a continuous-time process are floating-point numbers in [0, 1] (an integer step "
                  "needs a Schedule)");
    check_in_closed_unit_interval<std::out_of_range>(function, [j] { return "times(" + std::to_string(j) + ")"; }, raw);
    return ContinuousTime<Scalar>(static_cast<Scalar>(raw));
  }
  static Scalar signal_scale(const Process& p, ContinuousTime<Scalar> t) { return p.signal_scale(t); }
  static Scalar noise_scale(const Process& p, ContinuousTime<Scalar> t) { return p.noise_scale(t); }
  static Scalar noise_variance(const Process& p, ContinuousTime<Scalar> t) { return p.noise_variance(t); }
  static Scalar noise_level(const Process& p, ContinuousTime<Scalar> t) { return p.noise_level(t).value(); }
  static Scalar log_snr(const Process& p, ContinuousTime<Scalar> t) { return p.log_snr(t).value(); }
  static bool variance_preserving(const Process& p) { return p.variance_preserving(); }
  /// Nothing to check: a ContinuousTime lies in [0, 1] by construction.
  static void check(const char*, const Process&, ContinuousTime<Scalar>) {}
  /// s < t.
  static void check_order(const char* function, const Process&, ContinuousTime<Scalar> s, ContinuousTime<Scalar> t) {
    check_below(function, "s", s.value(), "t", t.value());
  }
  static TransitionCoefficients<Scalar> transition_coefficients(const Process& p, ContinuousTime<Scalar> s,
                                                                ContinuousTime<Scalar> t) {
    return p.transition_coefficients(s, t);
  }
  static PosteriorCoefficients<Scalar> posterior_coefficients(const Process& p, ContinuousTime<Scalar> s,
                                                              ContinuousTime<Scalar> t) {
    return p.posterior_coefficients(s, t);
  }
  static PriorTerms prior_terms(const Process& p) { return p.prior_terms(); }
};

}  // namespace detail
}  // namespace diffuse
