/// A forward process defined by the user's own a(t) and b(t), checked on a grid, with every kernel, batch and noise path of the library.
///
/// UserDefinedProcess<Scalar> wraps two callables a(t), b(t) over t ∈ [0, 1] (t = 0 the data end):
/// q(x_t|x_0) = N(a(t) x_0, b(t)² I). The constructor checks them on a grid of n + 1 equally spaced
/// times (1024 intervals unless told): a and b finite and ≥ 0, b > 0 for t > 0, and the log-SNR
/// λ = log(a²/b²) strictly decreasing (+∞ at t = 0 where b(0) = 0; −∞ at t = 1 where a(1) = 0), each
/// rule naming the first time that breaks it. It is then a forward process (process.hpp) over
/// ContinuousTime<Scalar>: marginal, transition, posterior and prior_kl (kernels.hpp), the batch
/// functions (batch.hpp) and add_noise with drawn noise (noise.hpp) take it.
///
/// Precision: a(t) and b(t) are the callables' values; every derived value (b², σ = b/a, λ, the
/// transition m = a_t/a_s and v = b_t² − m² b_s², the posterior as the Bayes product) is formed from
/// them in detail::Wide and rounded once. The difference b_t² − m² b_s² is exact in Wide for float and
/// double values of a and b but amplifies their own errors as t − s → 0: a closed form without that
/// cancellation (flow.hpp, trigflow.hpp) needs a type of its own. Between grid points the rules are
/// not checked; a transition whose variance comes out negative there throws std::domain_error.
/// The process is not taken for variance preserving (the v conversions of batch.hpp refuse it), and its
/// prior is N(0, b(1)² I) (prior_kl = ½ Σ a(1)² x_0²/b(1)²).
#pragma once

#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "detail/checks.hpp"
#include "detail/error.hpp"
#include "detail/float_class.hpp"
#include "detail/time_process_traits.hpp"
#include "detail/wide.hpp"
#include "detail/wide_math.hpp"
#include "kernels.hpp"
#include "process.hpp"
#include "time_coordinates.hpp"

namespace diffuse {

/// A forward process q(x_t|x_0) = N(a(t) x_0, b(t)² I), t ∈ [0, 1], from the user's a and b (see the
/// file comment). Copies share the callables; calls are const and thread-safe if the callables are.
template <class Scalar>
class UserDefinedProcess {
  static_assert(std::is_floating_point<Scalar>::value,
                "diffuse::UserDefinedProcess needs float, double or long double");

 public:
  using scalar_type = Scalar;
  using Time = ContinuousTime<Scalar>;
  using Function = std::function<Scalar(Scalar)>;

  /// The process of a and b, checked at t_k = k/n, k = 0..n.
  /// @throws std::invalid_argument if n < 1, a or b is empty, or at the first grid time t that breaks
  /// a rule: "a(t) must be finite and >= 0 at t = <t>", "b(t) must be finite and >= 0 at t = <t>",
  /// "b(t) must be > 0 at t = <t> (only b(0) may be 0)", "the log-SNR must be strictly decreasing,
  /// but lambda(<t_prev>) <= lambda(<t>)" (the value: a(t) or b(t), or λ(t)).
  UserDefinedProcess(Function a, Function b, int grid_intervals = 1024) : a_(std::move(a)), b_(std::move(b)) {
    const char* fn = "UserDefinedProcess";
    detail::check_at_least(fn, "the number of grid intervals n", grid_intervals, 1);
    if (!a_ || !b_) detail::fail<std::invalid_argument>(fn, "a and b must be callables", "an empty std::function");
    detail::Wide previous;
    for (int k = 0; k <= grid_intervals; ++k) {
      const Scalar t = static_cast<Scalar>(detail::Wide(k) / detail::Wide(grid_intervals));
      const Scalar signal = a_(t), noise = b_(t);
      const std::string at = " at t = " + detail::to_message_value(t);
      if (!(detail::is_finite(signal) && signal >= 0)) {
        detail::fail<std::invalid_argument>(fn, "a(t) must be finite and >= 0" + at, signal);
      }
      if (!(detail::is_finite(noise) && noise >= 0)) {
        detail::fail<std::invalid_argument>(fn, "b(t) must be finite and >= 0" + at, noise);
      }
      if (k > 0 && !(noise > 0))
        detail::fail<std::invalid_argument>(fn, "b(t) must be > 0" + at + " (only b(0) may be 0)", noise);
      const detail::Wide lambda = log_snr_of(signal, noise);
      if (k > 0 && !(lambda < previous)) {
        const Scalar t_previous = static_cast<Scalar>(detail::Wide(k - 1) / detail::Wide(grid_intervals));
        detail::fail<std::invalid_argument>(fn,
                                            "the log-SNR must be strictly decreasing, but lambda(" +
                                                detail::to_message_value(t_previous) + ") <= lambda(" +
                                                detail::to_message_value(t) + ")",
                                            static_cast<Scalar>(lambda));
      }
      previous = lambda;
    }
  }

  /// "user_defined".
  const char* name() const { return "user_defined"; }
  /// false (see the file comment).
  bool variance_preserving() const { return false; }

  /// a(t), the callable's value.
  Scalar signal_scale(Time t) const { return a_(t.value()); }
  /// b(t), the callable's value.
  Scalar noise_scale(Time t) const { return b_(t.value()); }
  /// b(t)², rounded once.
  Scalar noise_variance(Time t) const {
    const detail::Wide b(b_(t.value()));
    return round(b * b);
  }
  /// σ = b/a, rounded once (+∞ where a = 0).
  NoiseLevel<Scalar> noise_level(Time t) const {
    const Scalar a = a_(t.value());
    if (a == 0) return NoiseLevel<Scalar>(std::numeric_limits<Scalar>::infinity());
    return NoiseLevel<Scalar>(round(detail::Wide(b_(t.value())) / detail::Wide(a)));
  }
  /// λ = 2(log a − log b), rounded once (+∞ where b = 0, −∞ where a = 0).
  LogSnr<Scalar> log_snr(Time t) const { return LogSnr<Scalar>(round(log_snr_of(a_(t.value()), b_(t.value())))); }

  /// The time with λ(t) = λ, by bisection over the values of Scalar in [0, 1] on the callables'
  /// λ in Wide (monotone on the check grid): of the two neighbours that bracket λ, the one whose λ is
  /// nearer; 0 at λ(0) and 1 at λ(1) (the ends, ±∞ included).
  /// @throws std::out_of_range unless λ(1) ≤ λ ≤ λ(0) (each rounded to Scalar).
  Time time(LogSnr<Scalar> lambda) const {
    const Scalar lo = log_snr(Time(1)).value(), hi = log_snr(Time(0)).value();
    if (!(lambda.value() >= lo && lambda.value() <= hi)) {
      detail::fail<std::out_of_range>(
          "UserDefinedProcess::time",
          "log-SNR must be in [" + detail::to_message_value(lo) + ", " + detail::to_message_value(hi) + "]",
          lambda.value());
    }
    return time_of_log_snr(detail::Wide(lambda.value()));
  }
  /// The time with σ(t) = σ: the bisection above at λ = −2 log σ (in Wide, not rounded first).
  /// @throws std::out_of_range unless σ(0) ≤ σ ≤ σ(1) (each rounded to Scalar).
  Time time(NoiseLevel<Scalar> sigma) const {
    const Scalar lo = noise_level(Time(0)).value(), hi = noise_level(Time(1)).value();
    if (!(sigma.value() >= lo && sigma.value() <= hi)) {
      detail::fail<std::out_of_range>(
          "UserDefinedProcess::time",
          "noise level must be in [" + detail::to_message_value(lo) + ", " + detail::to_message_value(hi) + "]",
          sigma.value());
    }
    return time_of_log_snr(-ldexp(log(detail::Wide(sigma.value())), 1));
  }

  using TransitionCoefficients = diffuse::TransitionCoefficients<Scalar>;
  /// m = a_t/a_s, v = b_t² − m² b_s² (in Wide from the callables' values), √v.
  /// @throws std::invalid_argument unless s < t; std::domain_error if v < 0 (λ increases between s
  /// and t, off the check grid) or a_s = 0.
  TransitionCoefficients transition_coefficients(Time s, Time t) const {
    const Transition k = transition("UserDefinedProcess::transition_coefficients", s, t);
    return {round(k.mean), round(k.variance), round(sqrt(k.variance))};
  }

  using PosteriorCoefficients = diffuse::PosteriorCoefficients<Scalar>;
  /// The Bayes product of q(x_s|x_0) and q(x_t|x_s) (detail::bayes_posterior): c_0 = a_s v/b_t²,
  /// c_t = m b_s²/b_t², v_post = v b_s²/b_t², √v_post (s = 0 with b(0) = 0: the point mass at a(0) x_0).
  /// @throws as transition_coefficients.
  PosteriorCoefficients posterior_coefficients(Time s, Time t) const {
    using detail::Wide;
    const Transition k = transition("UserDefinedProcess::posterior_coefficients", s, t);
    const Wide bs(b_(s.value())), bt(b_(t.value()));
    return detail::bayes_posterior<Scalar>(Wide(a_(s.value())), (bs * bs) / (bt * bt), bt * bt, k.mean, k.variance);
  }

 private:
  Function a_, b_;

  struct Transition {
    detail::Wide mean, variance;
  };

  Time time_of_log_snr(const detail::Wide& target) const {
    auto at = [&](Scalar t) { return log_snr_of(a_(t), b_(t)); };
    if (target >= at(0)) return Time(Scalar(0));
    if (target <= at(1)) return Time(Scalar(1));
    Scalar low = 0, high = 1;  // λ(low) > target > λ(high)
    while (true) {
      const Scalar middle = low + (high - low) / 2;
      if (!(middle > low && middle < high)) break;
      (at(middle) >= target ? low : high) = middle;
    }
    return Time(abs(at(low) - target) <= abs(at(high) - target) ? low : high);
  }

  static detail::Wide log_snr_of(Scalar a, Scalar b) {
    if (b == 0) return detail::Wide::infinity();
    if (a == 0) return detail::Wide::infinity(true);
    return ldexp(log(detail::Wide(a)) - log(detail::Wide(b)), 1);
  }

  Transition transition(const char* function, Time s, Time t) const {
    using detail::Wide;
    detail::check_below(function, "s", s.value(), "t", t.value());
    const Scalar a_s = a_(s.value());
    if (!(a_s > 0)) detail::fail<std::domain_error>(function, "a(s) must be > 0 for a transition from s", s.value());
    const Wide as(a_s), bs(b_(s.value())), at(a_(t.value())), bt(b_(t.value()));
    const Wide m = at / as, variance = bt * bt - m * m * bs * bs;
    if (variance.negative()) {
      detail::fail<std::domain_error>(
          function, "the log-SNR must not increase between s and t = " + detail::to_message_value(t.value()),
          s.value());
    }
    return {m, variance};
  }

  static Scalar round(const detail::Wide& x) { return static_cast<Scalar>(x); }

  friend struct detail::TimeProcessTraits<UserDefinedProcess, Scalar>;
  /// The prior N(0, b(1)² I): a²/σ_p² = a(1)²/b(1)², r = 1.
  detail::PriorTerms prior_terms() const {
    const detail::Wide a(a_(Scalar(1))), b(b_(Scalar(1)));
    return {(a * a) / (b * b), detail::Wide(), detail::Wide()};
  }
};

/// A UserDefinedProcess is a forward process over times t ∈ [0, 1].
template <class Scalar>
struct ProcessTraits<UserDefinedProcess<Scalar>> : detail::TimeProcessTraits<UserDefinedProcess<Scalar>, Scalar> {};

}  // namespace diffuse
