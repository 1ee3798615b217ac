// One battery of checks for every forward process (process.hpp), written once as templates over a
// small "case" (a process and the coordinates to test it at) and run for every case of ProcessCases:
// each Schedule and ContinuousProcess family in float and double. Chapman–Kolmogorov and the
// marginal as a transition, the posterior as the exact Bayes product, the moments and shape of
// add_noise with drawn noise, batch against single sample, drawn against given noise, and the
// ε / x_0 / v conversions. A new process: write its case below and add it to ProcessCases.
// The checks that rest on the precision contract (1, 2, 6) are [ieee]: -ffast-math gives it up
// (README), and with it the infinite σ at a zero-terminal-SNR end.
#include <diffuse/batch.hpp>
#include <diffuse/continuous.hpp>
#include <diffuse/kernels.hpp>
#include <diffuse/noise.hpp>
#include <diffuse/schedule.hpp>
#include <diffuse/trigflow.hpp>
#include <diffuse/user_process.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include "catch.hpp"
#include "support/statistics.hpp"
#include "support/ulps.hpp"

namespace {

using ld = long double;

// ---------------------------------------------------------------------------------------------
// The cases. Each names its process (name, process()), the raw coordinates a batch takes
// (coordinates(): integer steps or float/double times, the first at the data end, several near
// either end), and whether the process starts at the data: a = 1 and b = 0 at the first one.

template <class S>
struct ScheduleCase {
  using Process = diffuse::Schedule<S>;
  static std::vector<int> coordinates() { return {0, 1, 2, 10, 250, 500, 998, 999, 1000}; }
  static constexpr bool starts_at_data = true;
};
template <class S>
struct DdpmLinear : ScheduleCase<S> {
  static constexpr const char* name = "Schedule::linear(1000)";
  static diffuse::Schedule<S> process() { return diffuse::Schedule<S>::linear(1000); }
};
template <class S>
struct DdpmCosine : ScheduleCase<S> {
  static constexpr const char* name = "Schedule::cosine(1000)";
  static diffuse::Schedule<S> process() { return diffuse::Schedule<S>::cosine(1000); }
};
template <class S>
struct ZeroTerminalSnr : ScheduleCase<S> {
  static constexpr const char* name = "Schedule::linear(1000).zero_terminal_snr(), a(T) = 0";
  static diffuse::Schedule<S> process() { return diffuse::Schedule<S>::linear(1000).zero_terminal_snr(); }
};

template <class S>
struct ContinuousCase {
  using Process = diffuse::ContinuousProcess<S>;
  static std::vector<S> coordinates() {
    return {S(0), S(0x1p-20), S(0x1p-10), S(0.125), S(0.5), S(0.5009765625), S(0.96875), S(1 - 0x1p-10), S(1)};
  }
};
template <class S>
struct VpLinear : ContinuousCase<S> {
  static constexpr const char* name = "ContinuousProcess::vp_linear()";
  static diffuse::ContinuousProcess<S> process() { return diffuse::ContinuousProcess<S>::vp_linear(); }
  static constexpr bool starts_at_data = true;
};
template <class S>
struct SubVp : ContinuousCase<S> {
  static constexpr const char* name = "ContinuousProcess::sub_vp()";
  static diffuse::ContinuousProcess<S> process() { return diffuse::ContinuousProcess<S>::sub_vp(); }
  static constexpr bool starts_at_data = true;
};
template <class S>
struct Cosine : ContinuousCase<S> {
  static constexpr const char* name = "ContinuousProcess::cosine(), a(1) = 0";
  static diffuse::ContinuousProcess<S> process() { return diffuse::ContinuousProcess<S>::cosine(); }
  static constexpr bool starts_at_data = true;
};
template <class S>
struct ShiftedCosine : ContinuousCase<S> {
  static constexpr const char* name = "ContinuousProcess::shifted_cosine(512)";
  static diffuse::ContinuousProcess<S> process() { return diffuse::ContinuousProcess<S>::shifted_cosine(512); }
  static constexpr bool starts_at_data = false;  // clipped at λ_max = 15
};
template <class S>
struct InterpolatedCosine : ContinuousCase<S> {
  static constexpr const char* name = "ContinuousProcess::interpolated_cosine(512, 32, 256)";
  static diffuse::ContinuousProcess<S> process() {
    return diffuse::ContinuousProcess<S>::interpolated_cosine(512, 32, 256);
  }
  static constexpr bool starts_at_data = false;
};
template <class S>
struct VdmLinear : ContinuousCase<S> {
  static constexpr const char* name = "ContinuousProcess::vdm_linear()";
  static diffuse::ContinuousProcess<S> process() { return diffuse::ContinuousProcess<S>::vdm_linear(); }
  static constexpr bool starts_at_data = false;  // b(0)² = sigmoid(γ_min)
};
template <class S>
struct Ve : ContinuousCase<S> {
  static constexpr const char* name = "ContinuousProcess::ve()";
  static diffuse::ContinuousProcess<S> process() { return diffuse::ContinuousProcess<S>::ve(); }
  static constexpr bool starts_at_data = false;  // b(0) = σ_min
};

template <class S>
struct TrigFlowCase {
  using Process = diffuse::TrigFlow<S>;
  static constexpr const char* name = "TrigFlow(0.5), t in radians, a(pi/2) = 0";
  static diffuse::TrigFlow<S> process() { return diffuse::TrigFlow<S>(0.5); }
  static std::vector<S> coordinates() {
    const S end = diffuse::TrigFlowTime<S>::end().value();
    return {S(0), S(0x1p-20), S(0x1p-10), S(0.125), S(0.78125), S(1), S(1.5), std::nextafter(end, S(0)), end};
  }
  static constexpr bool starts_at_data = true;
};

template <class S>
struct CosineSquared : ContinuousCase<S> {
  using Process = diffuse::UserDefinedProcess<S>;
  static constexpr const char* name = "UserDefinedProcess a = cos^2(pi t/2), b = sin^2(pi t/2)";
  static diffuse::UserDefinedProcess<S> process() {
    const S half_pi = S(1.5707963267948966192L);
    return diffuse::UserDefinedProcess<S>(
        [=](S t) { return t == 1 ? S(0) : std::cos(half_pi * t) * std::cos(half_pi * t); },
        [=](S t) { return t == 1 ? S(1) : std::sin(half_pi * t) * std::sin(half_pi * t); });
  }
  static constexpr bool starts_at_data = true;
};

/// Every case in float and in double.
template <template <class> class... Case>
using InFloatAndDouble = std::tuple<Case<float>..., Case<double>...>;

/// The processes the battery runs over: one line per process.
using ProcessCases = InFloatAndDouble<  //
    DdpmLinear,                         //
    DdpmCosine,                         //
    ZeroTerminalSnr,                    //
    VpLinear,                           //
    SubVp,                              //
    Cosine,                             //
    ShiftedCosine,                      //
    InterpolatedCosine,                 //
    VdmLinear,                          //
    Ve,                                 //
    TrigFlowCase,                       //
    CosineSquared>;

// ---------------------------------------------------------------------------------------------
// What a case gives the checks.

template <class Case>
using Process = typename Case::Process;
template <class Case>
using Traits = diffuse::ProcessTraits<Process<Case>>;
template <class Case>
using Scalar = typename Traits<Case>::scalar_type;
template <class Case>
using Coordinate = typename Traits<Case>::coordinate_type;
/// The raw coordinates of a batch: int steps or float/double times.
template <class Case>
using Raw = typename decltype(Case::coordinates())::value_type;
template <class S>
using Matrix =
    Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;  // even under EIGEN_DEFAULT_TO_ROW_MAJOR

/// What a failure names: the case and its scalar type.
template <class Case>
std::string case_name() {
  return std::string(Case::name) + (std::is_same<Scalar<Case>, float>::value ? " in float" : " in double");
}

/// The case's coordinates as the process's coordinate type (checked by its traits).
template <class Case>
std::vector<Coordinate<Case>> coordinates_of(const Process<Case>& process) {
  const auto raw = Case::coordinates();
  std::vector<Coordinate<Case>> out;
  for (std::size_t j = 0; j < raw.size(); ++j) {
    out.push_back(Traits<Case>::coordinate("test_process_battery", process, static_cast<long long>(j), raw[j]));
  }
  return out;
}

/// One id per column: the samples whose noise the seed draws.
inline Eigen::VectorXi ids_for(Eigen::Index columns, int first) {
  return Eigen::VectorXi::LinSpaced(columns, first, first + static_cast<int>(columns) - 1);
}

/// Data x_0 = 1.5 + ½ N(0, 1), drawn under its own seed: a non-zero mean, so that add_noise's a
/// shows in the mean of the standardised noise and a wrong a cannot hide.
template <class S>
Matrix<S> data(Eigen::Index rows, Eigen::Index columns) {
  Matrix<S> x0(rows, columns);
  diffuse::fill_noise(20261205u, ids_for(columns, 0), x0);
  x0 = (x0.array() * S(0.5) + S(1.5)).matrix();
  return x0;
}

// ---------------------------------------------------------------------------------------------
// Tolerances. Every coefficient of a process is correctly rounded (process.hpp; schedule.hpp: "correctly
// rounded unless the exact value lies within 2⁻⁴⁰ ulp of a tie"; continuous.hpp: rounded once from a
// value within 2⁻¹¹⁸(1 + Σ|λ|) relative, below 2⁻¹⁰⁰ for every value here, 2⁻⁷⁶ ulp of a float):
// a value x̃ of the library stands for the exact x with |x − x̃| ≤ (½ + 2⁻³²) ulp(x̃), which covers
// both. (½ ulp of x is at most ½ ulp of x̃: rounding never leaves x's binade downwards.) The checks
// combine such values in long double and carry a bound on the error with every intermediate result
// (Bounded): the inputs' bounds propagated exactly (not to first order) plus each long double
// rounding. A derived value d then stands for the same exact value as the library's ỹ, so
// |ỹ − d| ≤ d.error + (½ + 2⁻³²) ulp(ỹ): that is the tolerance, reported in ulps of ỹ. It is
// about 1½ to 3 ulps where three or four coefficients combine: a coefficient one ulp off is not
// caught where the other roundings hide it, but it is at several of the 84 triples or 36 pairs of
// nearly every case (tried by breaking the library on purpose: a transition mean, variance or
// standard deviation, a posterior coefficient or variance, one ulp off).

using test_support::ulp;

/// The contract's bound on |x − x̃| for a value x̃ of the process, in ulps of x̃.
constexpr ld contract_ulps = 0.5L + 0x1p-32L;

/// A long double value and a bound on its distance from the exact value it stands for (midpoint–radius
/// interval arithmetic). Each operation bounds the propagated errors exactly and adds its own
/// rounding, at most ε_ld·|result| (ε_ld = the long double epsilon, twice the unit roundoff). The
/// bounds' own long double roundings are below 2⁻⁶⁰ of them.
struct Bounded {
  ld value;
  ld error;
};
inline ld rounding(ld v) { return std::numeric_limits<ld>::epsilon() * std::fabs(v); }
inline Bounded operator+(Bounded x, Bounded y) {
  const ld v = x.value + y.value;
  return {v, x.error + y.error + rounding(v)};
}
inline Bounded operator*(Bounded x, Bounded y) {
  const ld v = x.value * y.value;
  return {v, x.error * std::fabs(y.value) + std::fabs(x.value) * y.error + x.error * y.error + rounding(v)};
}
/// x/y − x̂/ŷ = ((x − x̂)ŷ − x̂(y − ŷ))/(y ŷ), |y| ≥ |ŷ| − e_y > 0.
inline Bounded operator/(Bounded x, Bounded y) {
  const ld v = x.value / y.value, d = std::fabs(y.value);
  REQUIRE(y.error < d);
  return {v, (x.error * d + std::fabs(x.value) * y.error) / (d * (d - y.error)) + rounding(v)};
}
/// |√x − √x̂| = |x − x̂|/(√x + √x̂) ≤ e/√x̂ (≤ √e at x̂ = 0).
inline Bounded sqrt(Bounded x) {
  const ld v = std::sqrt(x.value);
  return {v, (v > 0 ? x.error / v : std::sqrt(x.error)) + rounding(v)};
}

/// A value of the process as the contract describes it.
template <class S>
Bounded coefficient(S x) {
  return {static_cast<ld>(x), contract_ulps * ulp(x)};
}
inline Bounded exactly(ld x) { return {x, 0}; }

/// The library's value ỹ against a derived d: the distance and the tolerance, both in ulps of ỹ.
struct Agreement {
  double ulps;
  double allowed;
};
template <class S>
Agreement agreement(S library, Bounded derived) {
  const ld unit = ulp(library);
  return {static_cast<double>(std::fabs(static_cast<ld>(library) - derived.value) / unit),
          static_cast<double>((derived.error + coefficient(library).error) / unit)};
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// 1. Chapman–Kolmogorov. For s < u < t, q(x_t|x_s) is q(x_u|x_s) followed by q(x_t|x_u):
// m_st = m_ut·m_su and v_st = m_ut²·v_su + v_ut. The marginal is the same composition from the data:
// a_t = m_st·a_s and b_t² = m_st²·b_s² + v_st for every s < t (the start included), and where the
// process starts at the data (a = 1, b = 0 there; not vdm_linear, ve or the clipped cosines, whose
// data end is noisy) the transition from the start is the marginal itself. Each standard deviation
// is the square root of its variance (for a Schedule's transition fl(√ṽ), within ½ ulp of √ṽ; for
// the others correctly rounded √v: both inside the same bound).
TEMPLATE_LIST_TEST_CASE("Chapman-Kolmogorov and the marginal as a transition", "[battery][ieee]", ProcessCases) {
  using Case = TestType;
  using T = Traits<Case>;
  INFO(case_name<Case>());
  const Process<Case> p = Case::process();
  const auto c = coordinates_of<Case>(p);
  const auto raw = Case::coordinates();
  const std::size_t n = c.size();

  // The flag agrees with the process: a = 1, b = 0 at the first coordinate or not.
  CHECK(Case::starts_at_data == (T::signal_scale(p, c[0]) == 1 && T::noise_variance(p, c[0]) == 0));

  for (std::size_t j = 0; j < n; ++j) {
    INFO("t = " << raw[j]);
    const auto b = agreement(T::noise_scale(p, c[j]), sqrt(coefficient(T::noise_variance(p, c[j]))));
    CHECK(b.ulps <= b.allowed);
  }
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = i + 1; k < n; ++k) {
      INFO("s = " << raw[i] << ", t = " << raw[k]);
      const auto st = T::transition_coefficients(p, c[i], c[k]);
      const Bounded m = coefficient(st.mean), v = coefficient(st.variance);
      const auto stddev = agreement(st.stddev, sqrt(v));
      CHECK(stddev.ulps <= stddev.allowed);
      const auto a_t = agreement(T::signal_scale(p, c[k]), m * coefficient(T::signal_scale(p, c[i])));
      CHECK(a_t.ulps <= a_t.allowed);
      const auto b2_t = agreement(T::noise_variance(p, c[k]), m * m * coefficient(T::noise_variance(p, c[i])) + v);
      CHECK(b2_t.ulps <= b2_t.allowed);
      if (Case::starts_at_data && i == 0) {
        const auto mean_is_a = agreement(st.mean, coefficient(T::signal_scale(p, c[k])));
        const auto variance_is_b2 = agreement(st.variance, coefficient(T::noise_variance(p, c[k])));
        const auto stddev_is_b = agreement(st.stddev, coefficient(T::noise_scale(p, c[k])));
        CHECK(mean_is_a.ulps <= mean_is_a.allowed);
        CHECK(variance_is_b2.ulps <= variance_is_b2.allowed);
        CHECK(stddev_is_b.ulps <= stddev_is_b.allowed);
      }
      for (std::size_t j = i + 1; j < k; ++j) {
        INFO("u = " << raw[j]);
        const auto su = T::transition_coefficients(p, c[i], c[j]);
        const auto ut = T::transition_coefficients(p, c[j], c[k]);
        const Bounded m_ut = coefficient(ut.mean);
        const auto mean = agreement(st.mean, m_ut * coefficient(su.mean));
        CHECK(mean.ulps <= mean.allowed);
        const auto variance = agreement(st.variance, m_ut * m_ut * coefficient(su.variance) + coefficient(ut.variance));
        CHECK(variance.ulps <= variance.allowed);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 2. The posterior q(x_s|x_t, x_0) is the Bayes product of q(x_s|x_0) = N(a_s x_0, b_s²) and
// q(x_t|x_s) = N(m x_s, v): precisions add, P = 1/v_post = 1/b_s² + m²/v, and c_0 = v_post a_s/b_s²
// = a_s/(1 + b_s² m²/v), c_t = v_post m/v = m/(v/b_s² + m²), from the process's own a_s, b_s², m, v.
// Written so that each input appears once (m twice in c_t), so that the propagated bounds are
// tight; tolerance as above. Where b_s = 0 (the data end of a process that starts there) the
// posterior is the point mass x_s = a_s x_0: c_0 = a_s, c_t = 0, v_post = 0.
TEMPLATE_LIST_TEST_CASE("the posterior is the Bayes product of q(x_s|x_0) and q(x_t|x_s)", "[battery][ieee]",
                        ProcessCases) {
  using Case = TestType;
  using T = Traits<Case>;
  INFO(case_name<Case>());
  const Process<Case> p = Case::process();
  const auto c = coordinates_of<Case>(p);
  const auto raw = Case::coordinates();
  for (std::size_t i = 0; i < c.size(); ++i) {
    for (std::size_t k = i + 1; k < c.size(); ++k) {
      INFO("s = " << raw[i] << ", t = " << raw[k]);
      const auto transition = T::transition_coefficients(p, c[i], c[k]);
      const auto posterior = T::posterior_coefficients(p, c[i], c[k]);
      const Bounded a_s = coefficient(T::signal_scale(p, c[i])), b2_s = coefficient(T::noise_variance(p, c[i]));
      const Bounded m = coefficient(transition.mean), v = coefficient(transition.variance);
      const Bounded one = exactly(1);
      const auto stddev = agreement(posterior.stddev, sqrt(coefficient(posterior.variance)));
      CHECK(stddev.ulps <= stddev.allowed);
      if (b2_s.value == 0) {
        const auto x0 = agreement(posterior.x0, a_s);
        CHECK(x0.ulps <= x0.allowed);
        CHECK(posterior.xt == 0);
        CHECK(posterior.variance == 0);
        continue;
      }
      const Bounded precision = one / b2_s + m * m / v;
      const auto variance = agreement(posterior.variance, one / precision);
      const auto x0 = agreement(posterior.x0, a_s / (one + b2_s * m * m / v));
      const auto xt = agreement(posterior.xt, m / (v / b2_s + m * m));
      CHECK(variance.ulps <= variance.allowed);
      CHECK(x0.ulps <= x0.allowed);
      CHECK(xt.ulps <= xt.allowed);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Moments and shape by simulation. add_noise with drawn noise at a fixed seed, n samples per
// coordinate (column); z = (x_t − a x_0)/b (long double, the process's a and b) should be N(0, 1).
// STYLE.md's 5σ bounds per column: |mean| < 5/√n, |s² − 1| < 5√(2/(n − 1)), and a
// Kolmogorov–Smirnov test of all columns pooled, D < 1.9495/√N (α = 10⁻³). The rounding of x_t moves
// z by at most δ = γ₂(|a x_0| + |b ε|)/b (γ₂ = 2u/(1 − 2u), u the unit roundoff): the bounds are
// widened by it (mean by δ, s² by 2δ + δ² as s ≈ 1, D by δ/√(2π), the largest slope of Φ). Columns
// with b = 0 carry no noise (x_t = x_0 there), and columns with δ > 10⁻³ (float next to the data end,
// where b ε is a few ulps of a x_0) are left out, so the widening stays below 10⁻³. With n = 8192
// a spread off by 4% (variance by 8%) or a mean off by 0.06 fails; a wrong shape with the right
// moments fails the KS test (D ≈ 0.12 for sign(ε)√(√(π/2)|ε|), against 0.0076).
TEMPLATE_LIST_TEST_CASE("add_noise with drawn noise: (x_t - a x_0)/b has the moments and the shape of N(0 1)",
                        "[battery][random]", ProcessCases) {
  using Case = TestType;
  using T = Traits<Case>;
  using S = Scalar<Case>;
  INFO(case_name<Case>());
  const Process<Case> p = Case::process();
  const auto c = coordinates_of<Case>(p);
  const auto raw = Case::coordinates();
  const Eigen::Index n = 8192, columns = static_cast<Eigen::Index>(c.size());
  const Matrix<S> x0 = data<S>(n, columns);
  Matrix<S> x_t(n, columns), eps(n, columns);
  const Eigen::VectorXi ids = ids_for(columns, 1000);
  diffuse::add_noise(p, x0, diffuse::drawn_noise(4242u, ids), raw, x_t, eps);

  const ld u = std::numeric_limits<S>::epsilon() / 2, gamma2 = 2 * u / (1 - 2 * u);
  std::vector<double> pooled;
  ld pooled_shift = 0;
  int tested = 0;
  for (Eigen::Index j = 0; j < columns; ++j) {
    INFO("t = " << raw[static_cast<std::size_t>(j)]);
    const ld a = T::signal_scale(p, c[static_cast<std::size_t>(j)]),
             b = T::noise_scale(p, c[static_cast<std::size_t>(j)]);
    if (b == 0) {
      CHECK(x_t.col(j) == x0.col(j));  // a = 1 there: x_t is x_0 itself
      continue;
    }
    ld shift = 0;
    std::vector<double> z(static_cast<std::size_t>(n));
    for (Eigen::Index i = 0; i < n; ++i) {
      shift = std::max(shift, gamma2 * (std::fabs(a * x0(i, j)) + std::fabs(b * eps(i, j))) / b);
      z[static_cast<std::size_t>(i)] = static_cast<double>((x_t(i, j) - a * x0(i, j)) / b);
    }
    if (shift > 1e-3L) continue;
    ++tested;
    pooled_shift = std::max(pooled_shift, shift);
    pooled.insert(pooled.end(), z.begin(), z.end());
    const test_support::Moments m = test_support::moments(z);
    const ld count = static_cast<ld>(n);
    const ld mean_bound = test_support::mean_bound(1, count) + shift;
    const ld variance_bound = test_support::variance_bound(1, count) + 2 * shift + shift * shift;
    CHECK(std::fabs(m.mean) < mean_bound);
    CHECK(std::fabs(m.variance - 1) < variance_bound);
  }
  CHECK(tested >= 6);
  const double ks = test_support::ks_statistic(pooled, test_support::normal_cdf<double>);
  const double ks_bound = test_support::ks_critical(static_cast<double>(pooled.size())) +
                          static_cast<double>(pooled_shift) / std::sqrt(2 * 3.14159265358979323846);
  CHECK(ks < ks_bound);
}

// ---------------------------------------------------------------------------------------------
// 4. Batch against single sample: column j of add_noise with given noise is
// marginal(process, c_j, x_0,j).sample_from_noise(ε_j), bit for bit (one rounding rule: fl(fl(a x_0) + fl(b ε))).
// 37 rows: the vectorised paths and their tails.
TEMPLATE_LIST_TEST_CASE("add_noise column j is marginal(c_j x0_j).sample_from_noise(eps_j) bit for bit", "[battery]",
                        ProcessCases) {
  using Case = TestType;
  using S = Scalar<Case>;
  INFO(case_name<Case>());
  const Process<Case> p = Case::process();
  const auto c = coordinates_of<Case>(p);
  const auto raw = Case::coordinates();
  const Eigen::Index rows = 37, columns = static_cast<Eigen::Index>(c.size());
  const Matrix<S> x0 = data<S>(rows, columns);
  Matrix<S> eps(rows, columns);
  diffuse::fill_noise(7u, ids_for(columns, 0), eps);
  const Matrix<S> x_t = diffuse::add_noise(p, x0, eps, raw);
  for (Eigen::Index j = 0; j < columns; ++j) {
    INFO("t = " << raw[static_cast<std::size_t>(j)]);
    CHECK(x_t.col(j) == diffuse::marginal(p, c[static_cast<std::size_t>(j)], x0.col(j)).sample_from_noise(eps.col(j)));
  }
}

// ---------------------------------------------------------------------------------------------
// 5. Drawn against given noise: add_noise with drawn noise writes the ε it drew (the noise of
// fill_noise for the same seed and ids) and an x_t equal bit for bit to add_noise given that ε;
// without the ε output, the same x_t.
TEMPLATE_LIST_TEST_CASE("add_noise with drawn noise is add_noise given the noise it drew bit for bit", "[battery]",
                        ProcessCases) {
  using Case = TestType;
  using S = Scalar<Case>;
  INFO(case_name<Case>());
  const Process<Case> p = Case::process();
  const auto raw = Case::coordinates();
  const Eigen::Index rows = 37, columns = static_cast<Eigen::Index>(raw.size());
  const Matrix<S> x0 = data<S>(rows, columns);
  const Eigen::VectorXi ids = ids_for(columns, 300);
  Matrix<S> x_t(rows, columns), eps(rows, columns), x_t_alone(rows, columns), noise(rows, columns);
  diffuse::add_noise(p, x0, diffuse::drawn_noise(99u, ids), raw, x_t, eps);
  diffuse::add_noise(p, x0, diffuse::drawn_noise(99u, ids), raw, x_t_alone);
  diffuse::fill_noise(99u, ids, noise);
  CHECK(eps == noise);
  CHECK(x_t == diffuse::add_noise(p, x0, eps, raw));
  CHECK(x_t_alone == x_t);
}

// ---------------------------------------------------------------------------------------------
// 6. The conversions undo add_noise and the velocity, within batch.hpp's stated bounds. Every
// coefficient within κ = (½ + 2⁻³²)ε relative (the contract above, ε the machine epsilon). batch.hpp:
// add_noise and the velocity within E = (κ + 1½ε)(|p u| + |q w|) of p u + q w with the exact
// coefficients; x0_from_eps and eps_from_x0 within (κ + 2ε)(…) of their exact formulas; the
// velocity conversions within (κ + 1½ε)(…). A round trip adds the forward error seen through the
// inverse: x0_from_eps(x̂_t, ε) − x_0 = (x̂_t − a x_0 − b ε)/a, so |…| ≤ (κ + 2ε)(|x̂_t/a| + |σ ε|) + E_t/a;
// eps_from_x0 the same with b and 1/σ; for a variance-preserving process (a² + b² = 1),
// a x̂_t − b v̂ = x_0 + a e_t − b e_v and b x̂_t + a v̂ = ε + b e_t + a e_v. The exact a, b, σ are
// bounded by the process's values times 1 + κ, and the bounds (first order in ε, as batch.hpp
// states them) are widened by 1 + 2ε for the second-order terms. Skipped: x0_from_eps where a = 0,
// eps_from_x0 where b = 0, the velocity for sub_vp and ve.
TEMPLATE_LIST_TEST_CASE("the eps and x0 and velocity conversions undo add_noise within the bounds of batch.hpp",
                        "[battery][ieee]", ProcessCases) {
  using Case = TestType;
  using T = Traits<Case>;
  using S = Scalar<Case>;
  INFO(case_name<Case>());
  const Process<Case> p = Case::process();
  const auto c = coordinates_of<Case>(p);
  const auto raw = Case::coordinates();
  const Eigen::Index rows = 37, columns = static_cast<Eigen::Index>(c.size());
  const Matrix<S> x0 = data<S>(rows, columns);
  Matrix<S> eps(rows, columns);
  diffuse::fill_noise(11u, ids_for(columns, 0), eps);
  const Matrix<S> x_t = diffuse::add_noise(p, x0, eps, raw);
  const bool vp = T::variance_preserving(p);
  Matrix<S> v(rows, columns);
  if (vp) diffuse::velocity(p, x0, eps, raw, v);

  const ld e = std::numeric_limits<S>::epsilon(), kappa = contract_ulps * e, widen = 1 + 2 * e;
  const ld plain = kappa + 1.5L * e, divided = kappa + 2 * e;
  for (Eigen::Index j = 0; j < columns; ++j) {
    const std::size_t jj = static_cast<std::size_t>(j);
    INFO("t = " << raw[jj]);
    const std::vector<Raw<Case>> one{raw[jj]};
    const ld a = (1 + kappa) * T::signal_scale(p, c[jj]), b = (1 + kappa) * T::noise_scale(p, c[jj]);
    ld worst = 0;  // the largest error / bound of the column
    if (a > 0) {
      const ld sigma = (1 + kappa) * T::noise_level(p, c[jj]);
      const Matrix<S> back = diffuse::x0_from_eps(p, x_t.col(j), eps.col(j), one);
      for (Eigen::Index i = 0; i < rows; ++i) {
        const ld forward = plain * (a * std::fabs(x0(i, j)) + b * std::fabs(eps(i, j)));
        const ld bound = widen * (divided * (std::fabs(x_t(i, j)) / a + sigma * std::fabs(eps(i, j))) + forward / a);
        worst = std::max(worst, std::fabs(back(i, 0) - static_cast<ld>(x0(i, j))) / bound);
      }
    }
    if (b > 0) {
      const ld inverse_sigma = (1 + kappa) / T::noise_level(p, c[jj]);
      const Matrix<S> back = diffuse::eps_from_x0(p, x_t.col(j), x0.col(j), one);
      for (Eigen::Index i = 0; i < rows; ++i) {
        const ld forward = plain * (a * std::fabs(x0(i, j)) + b * std::fabs(eps(i, j)));
        const ld bound =
            widen * (divided * (std::fabs(x_t(i, j)) / b + inverse_sigma * std::fabs(x0(i, j))) + forward / b);
        worst = std::max(worst, std::fabs(back(i, 0) - static_cast<ld>(eps(i, j))) / bound);
      }
    }
    if (vp) {
      const Matrix<S> x0_back = diffuse::x0_from_velocity(p, x_t.col(j), v.col(j), one);
      const Matrix<S> eps_back = diffuse::eps_from_velocity(p, x_t.col(j), v.col(j), one);
      for (Eigen::Index i = 0; i < rows; ++i) {
        const ld x = std::fabs(x0(i, j)), z = std::fabs(eps(i, j)), xt = std::fabs(x_t(i, j)), vt = std::fabs(v(i, j));
        const ld forward_t = plain * (a * x + b * z), forward_v = plain * (a * z + b * x);
        const ld x0_bound = widen * (plain * (a * xt + b * vt) + a * forward_t + b * forward_v);
        const ld eps_bound = widen * (plain * (b * xt + a * vt) + b * forward_t + a * forward_v);
        worst = std::max(worst, std::fabs(x0_back(i, 0) - static_cast<ld>(x0(i, j))) / x0_bound);
        worst = std::max(worst, std::fabs(eps_back(i, 0) - static_cast<ld>(eps(i, j))) / eps_bound);
      }
    }
    INFO("worst error / bound = " << static_cast<double>(worst));
    CHECK(worst <= 1);
  }
}
