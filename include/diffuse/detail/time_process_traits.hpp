/// The ProcessTraits of a process over times that answers each quantity itself (ContinuousProcess, RectifiedFlow over t ∈ [0, 1]; TrigFlow over t ∈ [0, π/2]).
#pragma once

#include <string>
#include <type_traits>

#include "../process.hpp"
#include "../time_coordinates.hpp"
#include "checks.hpp"
#include "wide.hpp"
#include "wide_math.hpp"

namespace diffuse {
namespace detail {

/// How a batch's raw time (a float, double or long double) becomes a checked time of type Time:
/// from(function, name, raw) throws std::out_of_range, naming function and name, outside Time's
/// range or for NaN. A time type other than ContinuousTime specializes it beside its definition.
template <class Time>
struct TimeCoordinate;

/// ContinuousTime: raw ∈ [0, 1], rounded to Scalar.
template <class Scalar>
struct TimeCoordinate<ContinuousTime<Scalar>> {
  template <class Name, class Raw>
  static ContinuousTime<Scalar> from(const char* function, const Name& name, Raw raw) {
    check_in_closed_unit_interval<std::out_of_range>(function, name, raw);
    return ContinuousTime<Scalar>(static_cast<Scalar>(raw));
  }
};

/// The posterior q(x_s|x_t, x_0) = N(c_0 x_0 + c_t x_t, v_post I) as the Bayes product of
/// q(x_s|x_0) = N(a_s x_0, b_s² I) and q(x_t|x_s) = N(m x_s, v I) (continuous.hpp's derivation), from
/// a_s, the ratio r = b_s²/b_t² (in whatever form the process keeps it exact), b_t², m and v:
/// c_0 = a_s v/b_t², c_t = m r, v_post = v r, √v_post; products and quotients only, each rounded once.
template <class Scalar>
PosteriorCoefficients<Scalar> bayes_posterior(const Wide& a_s, const Wide& ratio, const Wide& b_t2, const Wide& m,
                                              const Wide& v) {
  const Wide variance = v * ratio;
  return {static_cast<Scalar>(a_s * v / b_t2), static_cast<Scalar>(m * ratio), static_cast<Scalar>(variance),
          static_cast<Scalar>(sqrt(variance))};
}

/// Every member of ProcessTraits (process.hpp) for a Process whose members signal_scale,
/// noise_scale, noise_variance, noise_level, log_snr, variance_preserving, transition_coefficients,
/// posterior_coefficients and (private, befriending this) prior_terms take a Time (ContinuousTime<Scalar>
/// unless said otherwise). A specialization derives from it: ProcessTraits<P> : TimeProcessTraits<P, Scalar> {}.
template <class Process, class Scalar, class Time = ContinuousTime<Scalar>>
struct TimeProcessTraits {
  static constexpr bool is_process = true;
  using scalar_type = Scalar;
  using coordinate_type = Time;
  static constexpr const char* coordinates_name = "times";

  /// The time `raw` (float, double or long double) of column j, checked to lie in Time's range
  /// ([0, 1] for ContinuousTime; NaN fails) and rounded to Scalar (TimeCoordinate).
  template <class Raw>
  static Time coordinate(const char* function, const Process&, long long j, Raw raw) {
    static_assert(std::is_floating_point<Raw>::value,
                  "diffuse: the times of a continuous-time process are floating-point numbers (an integer step "
                  "needs a Schedule)");
    return TimeCoordinate<Time>::from(
        function, [j] { return "times(" + std::to_string(j) + ")"; }, raw);
  }
  static Scalar signal_scale(const Process& p, Time t) { return p.signal_scale(t); }
  static Scalar noise_scale(const Process& p, Time t) { return p.noise_scale(t); }
  static Scalar noise_variance(const Process& p, Time t) { return p.noise_variance(t); }
  static Scalar noise_level(const Process& p, Time t) { return p.noise_level(t).value(); }
  static Scalar log_snr(const Process& p, Time t) { return p.log_snr(t).value(); }
  static bool variance_preserving(const Process& p) { return p.variance_preserving(); }
  /// Nothing to check: a time lies in its range by construction.
  static void check(const char*, const Process&, Time) {}
  /// s < t.
  static void check_order(const char* function, const Process&, Time s, Time t) {
    check_below(function, "s", s.value(), "t", t.value());
  }
  static TransitionCoefficients<Scalar> transition_coefficients(const Process& p, Time s, Time t) {
    return p.transition_coefficients(s, t);
  }
  static PosteriorCoefficients<Scalar> posterior_coefficients(const Process& p, Time s, Time t) {
    return p.posterior_coefficients(s, t);
  }
  static PriorTerms prior_terms(const Process& p) { return p.prior_terms(); }
};

}  // namespace detail
}  // namespace diffuse
