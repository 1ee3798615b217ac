/// Exact conversion between forward processes at equal log-SNR: the coordinate of one process where another's log-SNR is reached, and the factor that carries x_t across.
///
/// Two processes x_c = a(c) x_0 + b(c) ε with the same log-SNR λ = log(a²/b²) hold the same
/// information about x_0: at equal λ, x_Q = (a_Q/a_P) x_P (= (b_Q/b_P) x_P) is exactly a sample of Q.
/// So a model trained on one process serves another (a DDPM-trained ε-model as a flow model, a
/// TrigFlow model's x_t handed to a flow sampler and back): convert_coordinate(P, c, Q) returns Q's
/// coordinate at P's λ(c) and the scale a_Q/a_P (Kingma et al. 2021, VDM, §3 and Appendix; Karras
/// et al. 2022, EDM, eq. 4: every process is x_σ = x/a of noise level σ = b/a = e^{−λ/2}). For a VP
/// process at t and the rectified flow this is the flow time b/(a + b) with x_flow = x_vp/(a + b).
///
/// The processes, each with its coordinate:
///   Schedule<S>              FractionalStep<S> (an integer u is step u; between steps, log σ is
///                            interpolated as sigma_schedules.hpp's noise_level and fractional_step do)
///   ContinuousProcess<S>     ContinuousTime<S> (every family: VP, sub-VP, VE, VDM, the cosines)
///   RectifiedFlow<S>         ContinuousTime<S>
///   TrigFlow<S>              TrigFlowTime<S>
///   EdmNoiseLevels<S>        NoiseLevel<S>: EDM's x_σ = x_0 + σ ε itself (a = 1, b = σ)
///   UserDefinedProcess<S>    ContinuousTime<S> (its time(σ) bisects the callables' λ; its a is the
///                            callable's at that time, so its scale is only as good as that time)
///
/// Method: the conversion goes through P's noise level σ = b/a (correctly rounded, process.hpp):
/// Q's coordinate is Q's inverse at σ (time(NoiseLevel), fractional_step) and the scale is
/// a_Q(σ)/a_P(σ), each a in closed form in σ, evaluated in detail::Wide and rounded once:
///   VP (a² + b² = 1: Schedule, vp_linear, the cosines, vdm_linear)   a = 1/√(1 + σ²)
///   sub-VP (b = 1 − a²)                                              a = 2/(σ + √(σ² + 4))
///   VE, EDM                                                          a = 1
///   rectified flow (a + b = 1)                                       a = 1/(1 + σ)
///   TrigFlow (a = cos t, b = σ_d sin t)                              a = σ_d/√(σ_d² + σ²)
/// so the coordinate and the scale describe the same λ, and no a is taken at a rounded coordinate
/// (where a = 1 − t near pure noise would have lost its digits). P's σ is within ½ ulp of its exact
/// value, so Q's coordinate is within ½ ulp + ½ ulp·κ of the exact one at P's exact λ(c), κ the
/// relative condition number of Q's t(σ) (at most 1 for the flow and TrigFlow, 2 for the VP families
/// near their data end, but unbounded for VE near t = 0, where t ∝ ln(σ/σ_min)), and the scale
/// within 1½ ulps (each a(σ) has condition number at most 1). Measured against mpmath
/// (tests/test_process_conversion.cpp, 13 pairs in double): coordinates within 1.03 ulps, scales
/// within 0.85 ulp.
///
/// The ends are exact: λ = +∞ (σ = 0, the data) maps to Q's data end with scale 1; λ = −∞ (σ = ∞,
/// pure noise: the end of a flow, a TrigFlow, a cosine or a zero-terminal-SNR schedule) to Q's
/// pure-noise end with scale b_Q/b_P (σ_d for TrigFlow, 1 for the others). A λ outside Q's range
/// (a VE process's [λ(1), λ(0)], a schedule's λ between step 0 and step 1, pure noise for a process
/// that never reaches it) throws std::out_of_range naming the range and the λ.
#pragma once

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "continuous.hpp"
#include "detail/error.hpp"
#include "detail/float_class.hpp"
#include "detail/shape.hpp"
#include "detail/wide.hpp"
#include "detail/wide_math.hpp"
#include "flow.hpp"
#include "schedule.hpp"
#include "sigma_schedules.hpp"
#include "time_coordinates.hpp"
#include "trigflow.hpp"
#include "user_process.hpp"

namespace diffuse {

/// EDM's view of any process, x_σ = x_0 + σ ε over noise levels σ ∈ [0, ∞) (Karras et al. 2022,
/// eq. 1): a = 1, b = σ. A stateless tag for convert_coordinate, whose coordinate is NoiseLevel<Scalar>.
template <class Scalar>
struct EdmNoiseLevels {
  static_assert(std::is_floating_point<Scalar>::value, "diffuse::EdmNoiseLevels needs float, double or long double");
  using scalar_type = Scalar;
};

namespace detail {

/// What convert_coordinate needs of a process P (one specialization per kind):
///   coordinate_type                  P's coordinate
///   sigma(p, c)                      σ = b/a at c, Scalar (+∞ at pure noise)
///   signal(p, σ)                     a as a function of σ, in Wide (0 < σ < ∞)
///   noise_at_end(p)                  b where σ = ∞ (pure noise)
///   range(p)                         the σ of P's two ends, [σ_first, σ_last]
///   in_range(p, σ)                   whether σ is a noise level of P
///   coordinate(p, σ)                 P's coordinate at σ (σ in range)
template <class P>
struct ConversionView;

/// a = 1/√(1 + σ²), the signal of a variance-preserving process at noise level σ.
inline Wide vp_signal(const Wide& sigma) { return Wide(1) / sqrt(Wide(1) + sigma * sigma); }

template <class Scalar>
struct ConversionView<Schedule<Scalar>> {
  using coordinate_type = FractionalStep<Scalar>;
  static Scalar sigma(const Schedule<Scalar>& p, FractionalStep<Scalar> u) { return noise_level(p, u).value(); }
  static Wide signal(const Schedule<Scalar>&, const Wide& sigma) { return vp_signal(sigma); }
  static Wide noise_at_end(const Schedule<Scalar>&) { return Wide(1); }
  static std::pair<Scalar, Scalar> range(const Schedule<Scalar>& p) { return {Scalar(0), p.sigma(p.steps())}; }
  /// 0, or [σ_1, σ_T]: log σ_0 = −∞ leaves nothing to interpolate between steps 0 and 1.
  static bool in_range(const Schedule<Scalar>& p, Scalar sigma) {
    return sigma == 0 || (sigma >= p.sigma(1) && sigma <= p.sigma(p.steps()));
  }
  static FractionalStep<Scalar> coordinate(const Schedule<Scalar>& p, Scalar sigma) {
    return fractional_step(p, NoiseLevel<Scalar>(sigma));
  }
};

/// A process over times with noise_level(t) and its inverse time(NoiseLevel).
template <class Process, class Scalar>
struct TimeView {
  using coordinate_type = typename Process::Time;
  static Scalar sigma(const Process& p, coordinate_type c) { return p.noise_level(c).value(); }
  static coordinate_type coordinate(const Process& p, Scalar s) { return p.time(NoiseLevel<Scalar>(s)); }
};

/// Times t ∈ [0, 1] reaching the noise levels [σ(0), σ(1)]: ContinuousProcess, UserDefinedProcess.
template <class Process, class Scalar>
struct UnitTimeView : TimeView<Process, Scalar> {
  static std::pair<Scalar, Scalar> range(const Process& p) {
    return {p.noise_level(ContinuousTime<Scalar>(0)).value(), p.noise_level(ContinuousTime<Scalar>(1)).value()};
  }
  static bool in_range(const Process& p, Scalar s) { return s >= range(p).first && s <= range(p).second; }
};

/// The whole range σ ∈ [0, ∞]: RectifiedFlow, TrigFlow.
template <class Process, class Scalar>
struct FullRangeView : TimeView<Process, Scalar> {
  static std::pair<Scalar, Scalar> range(const Process&) {
    return {Scalar(0), std::numeric_limits<Scalar>::infinity()};
  }
  static bool in_range(const Process&, Scalar s) { return s >= 0; }
};

template <class Scalar>
struct ConversionView<ContinuousProcess<Scalar>> : UnitTimeView<ContinuousProcess<Scalar>, Scalar> {
  static Wide signal(const ContinuousProcess<Scalar>& p, const Wide& sigma) {
    const std::string family = p.name();
    if (family == "ve") return Wide(1);
    if (family == "sub_vp") return Wide(2) / (sigma + sqrt(sigma * sigma + Wide(4)));
    return vp_signal(sigma);
  }
  static Wide noise_at_end(const ContinuousProcess<Scalar>&) { return Wide(1); }
};

template <class Scalar>
struct ConversionView<RectifiedFlow<Scalar>> : FullRangeView<RectifiedFlow<Scalar>, Scalar> {
  static Wide signal(const RectifiedFlow<Scalar>&, const Wide& sigma) { return Wide(1) / (Wide(1) + sigma); }
  static Wide noise_at_end(const RectifiedFlow<Scalar>&) { return Wide(1); }
};

template <class Scalar>
struct ConversionView<TrigFlow<Scalar>> : FullRangeView<TrigFlow<Scalar>, Scalar> {
  static Wide signal(const TrigFlow<Scalar>& p, const Wide& sigma) {
    const Wide d = decimal_value(p.sigma_data());
    return d / sqrt(d * d + sigma * sigma);
  }
  static Wide noise_at_end(const TrigFlow<Scalar>& p) { return decimal_value(p.sigma_data()); }
};

template <class Scalar>
struct ConversionView<UserDefinedProcess<Scalar>> : UnitTimeView<UserDefinedProcess<Scalar>, Scalar> {
  /// No closed form: a at the time of σ.
  static Wide signal(const UserDefinedProcess<Scalar>& p, const Wide& s) {
    return Wide(p.signal_scale(p.time(NoiseLevel<Scalar>(static_cast<Scalar>(s)))));
  }
  static Wide noise_at_end(const UserDefinedProcess<Scalar>& p) {
    return Wide(p.noise_scale(ContinuousTime<Scalar>(1)));
  }
};

template <class Scalar>
struct ConversionView<EdmNoiseLevels<Scalar>> {
  using coordinate_type = NoiseLevel<Scalar>;
  static Scalar sigma(const EdmNoiseLevels<Scalar>&, NoiseLevel<Scalar> s) { return s.value(); }
  static Wide signal(const EdmNoiseLevels<Scalar>&, const Wide&) { return Wide(1); }
  static Wide noise_at_end(const EdmNoiseLevels<Scalar>&) { return Wide(1); }  // never used: σ = ∞ is out of range
  static std::pair<Scalar, Scalar> range(const EdmNoiseLevels<Scalar>&) {
    return {Scalar(0), std::numeric_limits<Scalar>::max()};
  }
  /// σ finite: x_0 + ∞ ε is no sample.
  static bool in_range(const EdmNoiseLevels<Scalar>&, Scalar s) { return s >= 0 && is_finite(s); }
  static NoiseLevel<Scalar> coordinate(const EdmNoiseLevels<Scalar>&, Scalar s) { return NoiseLevel<Scalar>(s); }
};

}  // namespace detail

/// The result of convert_coordinate: the target's coordinate and the factor x_Q = scale · x_P.
template <class Coordinate, class Scalar>
struct ProcessConversion {
  Coordinate coordinate;
  Scalar scale;
};

/// The coordinate of process `to` with the log-SNR that `from` has at c, and the scale a_Q/a_P
/// (= b_Q/b_P) that carries x_c of `from` to x of `to` (see the file comment: through σ = b/a, each
/// a in closed form in σ). λ = +∞ gives Q's data end and scale 1; λ = −∞ Q's pure-noise end and
/// scale b_Q/b_P.
/// @throws std::out_of_range unless Q reaches P's log-SNR at c: "log-SNR must be in the target's
/// range [λ_last, λ_first]" with the λ of c.
template <class From, class To>
ProcessConversion<typename detail::ConversionView<To>::coordinate_type, typename From::scalar_type> convert_coordinate(
    const From& from, typename detail::ConversionView<From>::coordinate_type c, const To& to) {
  using Scalar = typename From::scalar_type;
  static_assert(std::is_same<Scalar, typename To::scalar_type>::value,
                "diffuse::convert_coordinate: both processes must have one scalar type (convert one with cast<>())");
  using P = detail::ConversionView<From>;
  using Q = detail::ConversionView<To>;
  using detail::Wide;
  const Scalar sigma = P::sigma(from, c);
  if (!Q::in_range(to, sigma)) {
    const auto range = Q::range(to);
    const Scalar low = log_snr(NoiseLevel<Scalar>(range.second)).value(),
                 high = log_snr(NoiseLevel<Scalar>(range.first)).value();
    detail::fail<std::out_of_range>("convert_coordinate",
                                    "log-SNR must be in the target's range [" + detail::to_message_value(low) + ", " +
                                        detail::to_message_value(high) + "]",
                                    log_snr(NoiseLevel<Scalar>(sigma)).value());
  }
  const auto coordinate = Q::coordinate(to, sigma);
  if (sigma == 0) return {coordinate, Scalar(1)};
  if (!detail::is_finite(sigma)) return {coordinate, static_cast<Scalar>(Q::noise_at_end(to) / P::noise_at_end(from))};
  const Wide s(sigma);
  return {coordinate, static_cast<Scalar>(Q::signal(to, s) / P::signal(from, s))};
}

/// A batch carried from `from` to `to`: column j of x, at from's coordinate coordinates[j], becomes
/// column j of `out`, scale_j · x_j at the returned coordinate j of `to` (convert_coordinate per
/// column; one rounding per element, fl(scale_j x)). `out` may be x itself; any writable Eigen object
/// with x's shape (a Map over another library's buffer included), never resized. Every column is
/// converted before anything is written: on an exception `out` is untouched.
/// @throws std::invalid_argument unless out has x's shape and there is one coordinate per column;
/// as convert_coordinate for each column.
template <class From, class To, class X, class Out>
std::vector<typename detail::ConversionView<To>::coordinate_type> convert_batch(
    const From& from, const Eigen::MatrixBase<X>& x,
    const std::vector<typename detail::ConversionView<From>::coordinate_type>& coordinates, const To& to,
    const Eigen::MatrixBase<Out>& out) {
  using Scalar = typename From::scalar_type;
  static_assert(std::is_same<Scalar, typename X::Scalar>::value && std::is_same<Scalar, typename Out::Scalar>::value,
                "diffuse::convert_batch: x and out must have the scalar type of the processes");
  detail::check_shape("convert_batch", "out", out, x.rows(), x.cols());
  detail::check_count("convert_batch", "coordinates", static_cast<Eigen::Index>(coordinates.size()), x.cols());
  std::vector<typename detail::ConversionView<To>::coordinate_type> converted;
  std::vector<Scalar> scales;
  converted.reserve(coordinates.size());
  scales.reserve(coordinates.size());
  for (const auto& c : coordinates) {
    const auto r = convert_coordinate(from, c, to);
    converted.push_back(r.coordinate);
    scales.push_back(r.scale);
  }
  Out& o = const_cast<Out&>(out.derived());
  for (Eigen::Index j = 0; j < x.cols(); ++j) o.col(j) = scales[static_cast<std::size_t>(j)] * x.derived().col(j);
  return converted;
}

}  // namespace diffuse
