// RectifiedFlow and the flow-matching time shifts: every reference value (40 digits from mpmath,
// tests/reference/gen_flow_reference.py) correctly rounded in float, double and long double, the
// exact ends, the straight line x_t − x_s = (t − s)(ε − x_0), Chapman–Kolmogorov, the kernels and
// batches with given and drawn noise (moments and a KS test), and every argument check.
#include <diffuse/batch.hpp>
#include <diffuse/detail/wide_math.hpp>
#include <diffuse/flow.hpp>
#include <diffuse/noise.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "catch.hpp"
#include "support/continuous_reference.hpp"
#include "support/messages.hpp"
#include "support/references.hpp"
#include "support/statistics.hpp"
#include "support/ulps.hpp"

template class diffuse::RectifiedFlow<float>;
template class diffuse::RectifiedFlow<double>;
template class diffuse::RectifiedFlow<long double>;

namespace {

using diffuse::detail::Wide;
using test_support::error_message;
using test_support::exact;
using test_support::input;

const char* const reference_file = "flow_reference.txt";

template <class T>
using Flow = diffuse::RectifiedFlow<T>;

template <class T>
diffuse::ContinuousTime<T> at(T t) {
  return diffuse::ContinuousTime<T>(t);
}

/// k units of 2⁻¹²⁸.
Wide units(double k) { return ldexp(Wide(k), -128); }

/// A value against "correctly rounded": within ½ ulp of the exact x, plus the stated bound on the
/// Wide evaluation (absolute) and the reference's own error, all in ulps of T at x, and an exact tie
/// rounded to even. Zeros and infinities (the exact ends) must be matched exactly, a result beyond
/// T's range must be ±∞.
struct Verdict {
  double ulps = 0;
  double bound = 0;
  bool ok() const { return ulps <= bound; }
};

template <class T>
Verdict judge(T got, const Wide& x, const Wide& evaluation) {
  Verdict v;
  if (x.is_zero() || !x.is_finite() || std::isinf(got) || std::isnan(got)) {
    v.ulps = test_support::ulp_error(got, x);
    return v;
  }
  const Wide unit = test_support::ulp_at<T>(x), error = abs(Wide(got) - x) / unit;
  const Wide margin = (evaluation + test_support::wide_reference_error(x)) / unit;
  v.ulps = static_cast<double>(error);
  v.bound = static_cast<double>(ldexp(Wide(1), -1) + margin);
  // An exact tie (1 − t of a float t can be one) must round to even: a value within the margin
  // (2⁻¹²³ relative, 2⁻⁷⁰ ulp of a double) of halfway is taken for the tie itself. Only where Wide
  // has 64 bits beyond T; in Wide, as a double cannot tell 0.5 from 0.5 − 2⁻⁵⁵.
  if (std::numeric_limits<T>::digits <= 64 && abs(error - ldexp(Wide(1), -1)) <= margin &&
      test_support::magnitude_ordinal(got) % 2 != 0) {
    v.bound = -1;
  }
  return v;
}

/// The same with the evaluation bound relative to |x|: k units of 2⁻¹²⁸.
template <class T>
Verdict judge_relative(T got, const Wide& x, double k) {
  return judge(got, x, units(k) * abs(x));
}

/// The bounds the header states, in units of 2⁻¹²⁸ relative: 32 for every process value (the
/// largest stated is 19 for λ), 64 for t(λ) (a sigmoid), 3 for the static shift, 5 for the stretch.
constexpr double process_units = 32, time_of_log_snr_units = 64, static_shift_units = 3, stretch_units = 5;

/// The worst error of one quantity, and where.
struct Worst {
  double ulps = -1;
  std::string where;
};

/// What comparing with the reference found: per quantity the worst error, the values outside the
/// bound (as text) and how many values were checked.
struct Findings {
  std::map<std::string, Worst> worst;
  std::vector<std::string> violations;
  long checked = 0;

  template <class T>
  void add(const std::string& quantity, const std::string& at, T got, const std::string& expected, const Verdict& v) {
    ++checked;
    Worst& w = worst[quantity];
    if (v.ok() && v.ulps <= w.ulps) return;
    char figures[96];
    std::snprintf(figures, sizeof figures, ", %.4g ulp (allowed %.4g)", v.ulps, v.bound);
    const std::string where =
        quantity + "(" + at + "): got " + test_support::digits(got) + ", expected " + expected + figures;
    if (v.ulps > w.ulps) w = {v.ulps, where};
    if (!v.ok()) violations.push_back(where);
  }
};

/// Whether the record's inputs are values of T ("f": float values, for every type; "d": doubles).
template <class T>
bool takes(const std::string& tag) {
  return tag == "f" || std::numeric_limits<T>::digits > 24;
}

/// Short text for an input in messages.
std::string shown(const std::string& text) { return text.size() > 24 ? text.substr(0, 24) + "..." : text; }

// The records of flow_reference.txt (gen_flow_reference.py lists their formats); `tag` says which
// types take the inputs (takes<T>).
struct Marginal {
  std::string tag, t, signal_scale, noise_scale, signal_variance, noise_variance, log_snr, snr, noise_level;
};
struct Transition {
  std::string tag, s, t, mean, variance, stddev;
};
struct Posterior {
  std::string tag, s, t, x0, xt, variance, stddev;
};
struct TimeOf {  // time_of_log_snr <tag> <lambda> <t>, time_of_sigma <tag> <sigma> <t>
  std::string tag, argument, t;
};
struct StaticShift {
  std::string tag, t, shift, shifted;
};
struct Shift {  // exponential_shift and linear_shift
  std::string tag, t, mu, power, shifted, log_ratio;
};
struct ResolutionMu {
  std::string length, base_length, max_length, base_shift, max_shift, mu, size;
};
struct Flux2Mu {  // flux2_mu <L> <N> <exact μ> <size W of its terms> <the tools' double μ>
  std::string length, steps, mu, size, tool;
};
struct Stretch {
  std::string tag, t, last, shift_terminal, stretched;
};

/// Every record of flow_reference.txt against RectifiedFlow<T> and the shifts in T.
template <class T>
Findings compare_with_reference() {
  using test_support::load;
  Findings out;
  const Flow<T> flow;
  for (const auto& r : load<Marginal>(reference_file, "marginal", &Marginal::tag, &Marginal::t, &Marginal::signal_scale,
                                      &Marginal::noise_scale, &Marginal::signal_variance, &Marginal::noise_variance,
                                      &Marginal::log_snr, &Marginal::snr, &Marginal::noise_level)) {
    if (!takes<T>(r.tag)) continue;
    const auto t = at(input<T>(r.t));
    const std::pair<const char*, std::pair<T, const std::string*>> values[] = {
        {"signal_scale", {flow.signal_scale(t), &r.signal_scale}},
        {"noise_scale", {flow.noise_scale(t), &r.noise_scale}},
        {"signal_variance", {flow.signal_variance(t), &r.signal_variance}},
        {"noise_variance", {flow.noise_variance(t), &r.noise_variance}},
        {"log_snr", {flow.log_snr(t).value(), &r.log_snr}},
        {"snr", {flow.snr(t), &r.snr}},
        {"noise_level", {flow.noise_level(t).value(), &r.noise_level}}};
    for (const auto& [name, value] : values) {
      const auto& [got, expected] = value;
      out.add(name, shown(r.t), got, *expected, judge_relative(got, exact(*expected), process_units));
    }
  }
  for (const auto& r : load<Transition>(reference_file, "transition", &Transition::tag, &Transition::s, &Transition::t,
                                        &Transition::mean, &Transition::variance, &Transition::stddev)) {
    if (!takes<T>(r.tag)) continue;
    const auto k = flow.transition_coefficients(at(input<T>(r.s)), at(input<T>(r.t)));
    const std::string where = shown(r.s) + ", " + shown(r.t);
    out.add("transition mean", where, k.mean, r.mean, judge_relative(k.mean, exact(r.mean), process_units));
    out.add("transition variance", where, k.variance, r.variance,
            judge_relative(k.variance, exact(r.variance), process_units));
    out.add("transition stddev", where, k.stddev, r.stddev, judge_relative(k.stddev, exact(r.stddev), process_units));
  }
  for (const auto& r : load<Posterior>(reference_file, "posterior", &Posterior::tag, &Posterior::s, &Posterior::t,
                                       &Posterior::x0, &Posterior::xt, &Posterior::variance, &Posterior::stddev)) {
    if (!takes<T>(r.tag)) continue;
    const auto c = flow.posterior_coefficients(at(input<T>(r.s)), at(input<T>(r.t)));
    const std::string where = shown(r.s) + ", " + shown(r.t);
    out.add("posterior x0", where, c.x0, r.x0, judge_relative(c.x0, exact(r.x0), process_units));
    out.add("posterior xt", where, c.xt, r.xt, judge_relative(c.xt, exact(r.xt), process_units));
    out.add("posterior variance", where, c.variance, r.variance,
            judge_relative(c.variance, exact(r.variance), process_units));
    out.add("posterior stddev", where, c.stddev, r.stddev, judge_relative(c.stddev, exact(r.stddev), process_units));
  }
  for (const auto& r : load<TimeOf>(reference_file, "time_of_log_snr", &TimeOf::tag, &TimeOf::argument, &TimeOf::t)) {
    if (!takes<T>(r.tag)) continue;
    const T got = flow.time(diffuse::LogSnr<T>(input<T>(r.argument))).value();
    out.add("time_of_log_snr", shown(r.argument), got, r.t, judge_relative(got, exact(r.t), time_of_log_snr_units));
  }
  for (const auto& r : load<TimeOf>(reference_file, "time_of_sigma", &TimeOf::tag, &TimeOf::argument, &TimeOf::t)) {
    if (!takes<T>(r.tag)) continue;
    const T got = flow.time(diffuse::NoiseLevel<T>(input<T>(r.argument))).value();
    out.add("time_of_sigma", shown(r.argument), got, r.t, judge_relative(got, exact(r.t), process_units));
  }
  for (const auto& r : load<StaticShift>(reference_file, "static_shift", &StaticShift::tag, &StaticShift::t,
                                         &StaticShift::shift, &StaticShift::shifted)) {
    if (!takes<T>(r.tag)) continue;
    const T got = diffuse::static_time_shift(input<T>(r.t), input<double>(r.shift));
    out.add("static_time_shift", shown(r.t) + ", " + r.shift, got, r.shifted,
            judge_relative(got, exact(r.shifted), static_shift_units));
  }
  for (const std::string kind : {"exponential_shift", "linear_shift"}) {
    for (const auto& r : load<Shift>(reference_file, kind, &Shift::tag, &Shift::t, &Shift::mu, &Shift::power,
                                     &Shift::shifted, &Shift::log_ratio)) {
      if (!takes<T>(r.tag)) continue;
      const double mu = input<double>(r.mu), power = input<double>(r.power), log_ratio = input<double>(r.log_ratio);
      const bool linear = kind == "linear_shift";
      const T t = input<T>(r.t);
      const T got = linear ? diffuse::linear_time_shift(t, mu, power) : diffuse::exponential_time_shift(t, mu, power);
      // (64 + 20(|μ| + p|log((1 − t)/t)|))u, and 80 + 20(|log μ| + …) for the linear shift.
      const double k =
          (linear ? 80 : 64) + 20 * ((linear ? std::fabs(std::log(mu)) : std::fabs(mu)) + power * log_ratio) + 1;
      out.add(kind, shown(r.t) + ", " + r.mu + ", " + r.power, got, r.shifted,
              judge_relative(got, exact(r.shifted), k));
    }
  }
  if (std::numeric_limits<T>::digits == 53) {  // μ is a double
    using R = ResolutionMu;
    for (const auto& r : load<R>(reference_file, "resolution_mu", &R::length, &R::base_length, &R::max_length,
                                 &R::base_shift, &R::max_shift, &R::mu, &R::size)) {
      const double got = diffuse::resolution_shift_mu(input<double>(r.length), input<double>(r.base_length),
                                                      input<double>(r.max_length), input<double>(r.base_shift),
                                                      input<double>(r.max_shift));
      const Wide mu = exact(r.mu), size = exact(r.size);
      // u(2|μ| + 2W) absolute (+1u for the reading of W).
      out.add("resolution_shift_mu",
              r.length + ", " + r.base_length + ", " + r.max_length + ", " + r.base_shift + ", " + r.max_shift, got,
              r.mu, judge(got, mu, units(3) * (abs(mu) + size)));
    }
    using F = Flux2Mu;
    for (const auto& r : load<F>(reference_file, "flux2_mu", &F::length, &F::steps, &F::mu, &F::size, &F::tool)) {
      const double got = diffuse::flux2_empirical_mu(input<double>(r.length), std::stoi(r.steps));
      // 3u·W, W ≥ |m₂₀₀| + |N − 200||m₂₀₀ − m₁₀|/190 the terms' size (only the division rounds for integer L).
      out.add("flux2_empirical_mu", r.length + ", " + r.steps, got, r.mu,
              judge(got, exact(r.mu), units(3) * exact(r.size)));
    }
  }
  for (const auto& r : load<Stretch>(reference_file, "stretch", &Stretch::tag, &Stretch::t, &Stretch::last,
                                     &Stretch::shift_terminal, &Stretch::stretched)) {
    if (!takes<T>(r.tag)) continue;
    const T got = diffuse::stretch_shift_to_terminal(input<T>(r.t), input<T>(r.last), input<double>(r.shift_terminal));
    out.add("stretch_shift_to_terminal", shown(r.t) + ", " + shown(r.last) + ", " + r.shift_terminal, got, r.stretched,
            judge_relative(got, exact(r.stretched), stretch_units));
  }
  return out;
}

}  // namespace

TEMPLATE_TEST_CASE("every flow reference value is correctly rounded", "[flow][ieee]", float, double, long double) {
  using T = TestType;
  if (!continuous_reference::contract_tested<T>()) {
    WARN("long double has " << std::numeric_limits<T>::digits
                            << " significand bits: neither x87 nor binary128, not checked");
    return;
  }
  const Findings found = compare_with_reference<T>();
  // Every record of the file for the type: a forgotten kind or a lost file shows here.
  CHECK(found.checked >= (std::numeric_limits<T>::digits == 24   ? 556
                          : std::numeric_limits<T>::digits == 53 ? 1148
                                                                 : 983));
  std::string first;
  for (std::size_t i = 0; i < std::min<std::size_t>(found.violations.size(), 20); ++i)
    first += "\n" + found.violations[i];
  INFO(found.violations.size() << " values outside the bound; the first ones:" << first);
  CHECK(found.violations.empty());
}

// The worst error per quantity, with where it occurs (ulps of T at the exact value).
// Run: build/tests/test_flow "[.report]"
TEMPLATE_TEST_CASE("worst error per flow quantity (precision report)", "[.report]", float, double, long double) {
  const Findings found = compare_with_reference<TestType>();
  std::printf("%s: %ld values, %zu outside the bound\n", continuous_reference::type_name<TestType>(), found.checked,
              found.violations.size());
  for (const auto& entry : found.worst)
    std::printf("  %-28s %9.3g  %s\n", entry.first.c_str(), entry.second.ulps, entry.second.where.c_str());
  CHECK(found.checked > 0);
}

TEMPLATE_TEST_CASE("the flow ends are exact: t = 0 is the data and t = 1 pure noise", "[flow][ieee]", float, double,
                   long double) {
  using T = TestType;
  const T inf = std::numeric_limits<T>::infinity();
  const Flow<T> flow;
  const auto zero = at(T(0)), half = at(T(0.5)), one = at(T(1));
  CHECK(flow.signal_scale(zero) == 1);
  CHECK(flow.noise_scale(zero) == 0);
  CHECK(flow.noise_variance(zero) == 0);
  CHECK(flow.noise_level(zero).value() == 0);
  CHECK(flow.log_snr(zero).value() == inf);
  CHECK(flow.snr(zero) == inf);
  CHECK(flow.signal_scale(one) == 0);
  CHECK(flow.noise_scale(one) == 1);
  CHECK(flow.noise_variance(one) == 1);
  CHECK(flow.signal_variance(one) == 0);
  CHECK(flow.noise_level(one).value() == inf);
  CHECK(flow.log_snr(one).value() == -inf);
  CHECK(flow.snr(one) == 0);
  CHECK(flow.log_snr(half).value() == 0);
  CHECK(flow.noise_level(half).value() == 1);
  CHECK(flow.time(diffuse::LogSnr<T>(inf)).value() == 0);
  CHECK(flow.time(diffuse::LogSnr<T>(-inf)).value() == 1);
  CHECK(flow.time(diffuse::LogSnr<T>(0)).value() == T(0.5));
  CHECK(flow.time(diffuse::NoiseLevel<T>(0)).value() == 0);
  CHECK(flow.time(diffuse::NoiseLevel<T>(inf)).value() == 1);
  CHECK_FALSE(flow.variance_preserving());
  CHECK(std::string(flow.name()) == "rectified_flow");
  for (const T s : {T(0), T(0.25), T(0.5), T(0.875)}) {
    INFO("s = " << static_cast<double>(s));
    const auto to_noise = flow.transition_coefficients(at(s), one);  // x_1 forgets x_s
    CHECK(to_noise.mean == 0);
    CHECK(to_noise.variance == 1);
    CHECK(to_noise.stddev == 1);
    const auto c = flow.posterior_coefficients(at(s), one);  // x_s | x_0, x_1 is the marginal
    CHECK(c.x0 == 1 - s);
    CHECK(c.xt == 0);
    CHECK(c.variance == s * s);
    CHECK(c.stddev == s);
  }
  for (const T t : {T(0.25), T(0.5), T(1)}) {
    INFO("t = " << static_cast<double>(t));
    const auto from_data = flow.transition_coefficients(zero, at(t));  // the marginal
    CHECK(from_data.mean == 1 - t);
    CHECK(from_data.variance == t * t);
    CHECK(from_data.stddev == t);
    const auto c = flow.posterior_coefficients(zero, at(t));  // the point mass at x_0
    CHECK(c.x0 == 1);
    CHECK(c.xt == 0);
    CHECK(c.variance == 0);
    CHECK(c.stddev == 0);
  }
  // Every shift fixes the ends; the stretch sends last to shift_terminal and 1 to 1; shift 1 is the identity.
  for (const T end : {T(0), T(1)}) {
    CHECK(diffuse::static_time_shift(end, 3.0) == end);
    CHECK(diffuse::exponential_time_shift(end, 1.15) == end);
    CHECK(diffuse::exponential_time_shift(end, -0.7, 2.0) == end);
    CHECK(diffuse::linear_time_shift(end, 0.3, 0.5) == end);
  }
  for (const T t : {T(1e-30), T(0.1), T(0.5), T(0.999)}) CHECK(diffuse::static_time_shift(t, 1.0) == t);
  CHECK(diffuse::exponential_time_shift(T(0.5), 0.0) == T(0.5));
  CHECK(diffuse::linear_time_shift(T(0.5), 1.0, 3.0) == T(0.5));
  for (const T last : {T(0), T(0.05), T(0.3)}) {
    CHECK(diffuse::stretch_shift_to_terminal(last, last, 0.1) == T(0.1));
    CHECK(diffuse::stretch_shift_to_terminal(T(1), last, 0.1) == 1);
  }
  // t = −0 (a valid time) is the data end too, with +0 where the value is 0.
  const auto minus_zero = at(-T(0));
  CHECK(flow.signal_scale(minus_zero) == 1);
  CHECK_FALSE(std::signbit(flow.noise_scale(minus_zero)));
  CHECK_FALSE(std::signbit(flow.noise_level(minus_zero).value()));
  CHECK(flow.log_snr(minus_zero).value() == inf);
  CHECK_FALSE(std::signbit(diffuse::static_time_shift(-T(0), 3.0)));
  CHECK_FALSE(std::signbit(diffuse::exponential_time_shift(-T(0), 1.15)));
  CHECK_FALSE(std::signbit(diffuse::linear_time_shift(-T(0), 1.15)));
  CHECK(diffuse::resolution_shift_mu(256) == 0.5);
  CHECK(diffuse::resolution_shift_mu(4096) == 1.15);
  CHECK(diffuse::resolution_shift_mu(200, 100, 300, -1, 1) == 0);                        // where μ is 0, exactly 0
  CHECK(diffuse::resolution_shift_mu(2176, 256, 4096, -1, 1) == 0);                      // (slope and intercept: 6e-39)
  CHECK(diffuse::flux2_empirical_mu(8192, 1) == diffuse::flux2_empirical_mu(8192, 50));  // N ignored above 4300
}

TEST_CASE("flux2_empirical_mu agrees with the tools' double arithmetic within a few ulps", "[flow]") {
  // The last field of each flux2_mu record is compute_empirical_mu run in Python doubles (as
  // diffusers and ComfyUI run it): five roundings (a = (m₂₀₀ − m₁₀)/190, b = m₂₀₀ − 200a, aN + b,
  // after the two lines' two) of terms no larger than W = |m₂₀₀| + (N + 200)|m₂₀₀ − m₁₀|/190 (the
  // record's fourth field), so within 5u·W of the exact μ, u = ε/2; ours is within ½ ulp(μ) ≤ u·W.
  int compared = 0;
  using F = Flux2Mu;
  for (const auto& r :
       test_support::load<F>(reference_file, "flux2_mu", &F::length, &F::steps, &F::mu, &F::size, &F::tool)) {
    const double got = diffuse::flux2_empirical_mu(std::stod(r.length), std::stoi(r.steps));
    const double tool = std::stod(r.tool), size = std::stod(r.size);
    INFO("L = " << r.length << ", N = " << r.steps << ": ours " << test_support::digits(got) << ", the tools' "
                << r.tool);
    CHECK(std::abs(got - tool) <= 3 * std::numeric_limits<double>::epsilon() * size);
    ++compared;
  }
  CHECK(compared == 110);
}

TEMPLATE_TEST_CASE("x_t - x_s = (t - s)(eps - x_0) for the same eps within rounding", "[flow][ieee]", float, double) {
  using T = TestType;
  using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
  const Flow<T> flow;
  std::mt19937_64 rng(20251205);
  std::normal_distribution<double> normal;
  const Eigen::Index n = 2048;
  Matrix x0(n, 1), eps(n, 1);
  for (Eigen::Index i = 0; i < n; ++i) {
    x0(i) = static_cast<T>(3 * normal(rng));
    eps(i) = static_cast<T>(normal(rng));
  }
  const T up = std::numeric_limits<T>::infinity();
  const T ulp_half = std::nextafter(T(0.5), up), ulp_one = std::nextafter(T(1), T(0));
  const std::vector<std::pair<T, T>> pairs = {
      {T(0), T(1)},       {T(0), T(0.5)},        {T(0.25), T(0.75)},
      {T(0.5), ulp_half}, {ulp_one, T(1)},       {T(1e-6), T(2e-6)},
      {T(0.1), T(0.9)},   {T(0.3), T(0.300001)}, {T(0), std::nextafter(T(0), up)}};
  const long double u = std::numeric_limits<T>::epsilon() / 2;  // unit roundoff
  for (const auto& st : pairs) {
    const T s = st.first, t = st.second;
    INFO("s = " << static_cast<double>(s) << " t = " << static_cast<double>(t));
    const Matrix xs = diffuse::add_noise(flow, x0, eps, std::vector<T>{s}),
                 xt = diffuse::add_noise(flow, x0, eps, std::vector<T>{t});
    long double worst = 0;
    for (Eigen::Index i = 0; i < n; ++i) {
      const T d = xt(i) - xs(i);
      const Wide exact_d = (Wide(t) - Wide(s)) * (Wide(eps(i)) - Wide(x0(i)));
      // x̂_c = fl(fl(a_c x_0) + fl(c ε)) with a_c = 1 − c correctly rounded: within
      // 3u(|(1 − c) x_0| + |c ε|) of (1 − c) x_0 + c ε; then one rounding of the difference.
      const long double term_t = std::fabs((1.0L - t) * x0(i)) + std::fabs(static_cast<long double>(t) * eps(i));
      const long double term_s = std::fabs((1.0L - s) * x0(i)) + std::fabs(static_cast<long double>(s) * eps(i));
      const long double bound = 3 * u * (term_t + term_s) + u * std::fabs(static_cast<long double>(d));
      const long double error = std::fabs(static_cast<long double>(Wide(d) - exact_d));
      worst = std::max(worst, bound > 0 ? error / bound : error);
    }
    CHECK(worst <= 1.0L);
  }
  // The ends: x_0 at t = 0 and ε at t = 1, bit for bit.
  CHECK(diffuse::add_noise(flow, x0, eps, std::vector<T>{T(0)}) == x0);
  CHECK(diffuse::add_noise(flow, x0, eps, std::vector<T>{T(1)}) == eps);
}

TEMPLATE_TEST_CASE("flow Chapman-Kolmogorov: q(x_t|x_s) is q(x_u|x_s) followed by q(x_t|x_u)", "[flow][ieee]", float,
                   double) {
  using T = TestType;
  using W = long double;
  const W eps = std::numeric_limits<T>::epsilon();
  const Flow<T> flow;
  const std::vector<T> grid = {T(0),     T(1e-6),    T(0.125),
                               T(0.375), T(0.5),     std::nextafter(T(0.5), T(1)),
                               T(0.75),  T(0.96875), std::nextafter(T(1), T(0)),
                               T(1)};
  for (std::size_t i = 0; i < grid.size(); ++i) {
    for (std::size_t j = i + 1; j < grid.size(); ++j) {
      for (std::size_t k = j + 1; k < grid.size(); ++k) {
        const auto s = at(grid[i]), mid = at(grid[j]), t = at(grid[k]);
        const auto st = flow.transition_coefficients(s, t), su = flow.transition_coefficients(s, mid),
                   ut = flow.transition_coefficients(mid, t);
        INFO("s = " << static_cast<double>(grid[i]) << " u = " << static_cast<double>(grid[j])
                    << " t = " << static_cast<double>(grid[k]));
        // Each coefficient correctly rounded (within ε/2 relative): the composed mean, one more
        // rounding, within 2ε of m(s, t); the composed variance m(u,t)² v(s,u) + v(u,t) (positive
        // terms, long double) within 2ε of v(s, t).
        const T composed_mean = ut.mean * su.mean;
        CHECK(std::fabs(static_cast<W>(composed_mean) - st.mean) <= 2 * eps * st.mean);
        const W composed_variance = static_cast<W>(ut.mean) * ut.mean * su.variance + static_cast<W>(ut.variance);
        CHECK(std::fabs(composed_variance - st.variance) <= 2 * eps * st.variance);
      }
    }
  }
}

TEMPLATE_TEST_CASE("marginal and transition and posterior and add_noise take a RectifiedFlow", "[flow][batch]", float,
                   double) {
  using T = TestType;
  using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
  using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;
  const Flow<T> flow;
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal;
  const auto random_matrix = [&](Eigen::Index r, Eigen::Index c) {
    Matrix m(r, c);
    for (Eigen::Index i = 0; i < m.size(); ++i) m(i) = static_cast<T>(normal(rng));
    return m;
  };
  const Matrix x0 = random_matrix(33, 6), eps = random_matrix(33, 6);
  const Vector x = x0.col(0), y = eps.col(0);
  const auto s = at(T(0.25)), t = at(T(0.625));
  const auto m = diffuse::marginal(flow, t, x);
  CHECK(m.mean() == (T(0.375) * x).eval());
  CHECK(m.variance() == T(0.390625));
  CHECK(m.stddev() == T(0.625));
  const auto k = flow.transition_coefficients(s, t);
  const auto tr = diffuse::transition(flow, s, t, x);
  CHECK(tr.mean() == (k.mean * x).eval());
  CHECK(tr.variance() == k.variance);
  CHECK(tr.stddev() == k.stddev);
  const auto c = flow.posterior_coefficients(s, t);
  const auto post = diffuse::posterior(flow, s, t, y, x);
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    volatile T a = c.x0 * x(i), b = c.xt * y(i);
    CHECK(post.mean()(i) == a + b);
  }
  CHECK(post.variance() == c.variance);
  CHECK(post.stddev() == c.stddev);
  // A batch with a time per column: each column is the marginal's sample from its noise, x_0 at
  // t = 0 and ε at t = 1 exactly; double times for a float flow are rounded to float.
  const std::vector<T> times{T(0), T(0.125), T(0.5), T(0.75), std::nextafter(T(1), T(0)), T(1)};
  const Matrix x_t = diffuse::add_noise(flow, x0, eps, times);
  for (Eigen::Index j = 0; j < 6; ++j) {
    CHECK(x_t.col(j) == diffuse::marginal(flow, at(times[static_cast<std::size_t>(j)]), Vector(x0.col(j)))
                            .sample_from_noise(Vector(eps.col(j))));
  }
  CHECK(x_t.col(0) == x0.col(0));
  CHECK(x_t.col(5) == eps.col(5));
  const Eigen::VectorXd double_times = Eigen::Map<const Vector>(times.data(), 6).template cast<double>();
  CHECK(diffuse::add_noise(flow, x0, eps, double_times) == x_t);
  // Drawn noise: the bits of the given-noise path for the ε it drew, per-sample times.
  const Eigen::VectorXi ids = Eigen::VectorXi::LinSpaced(6, 100, 105);
  Matrix drawn(33, 6), drawn_eps(33, 6), drawn_only(33, 6);
  diffuse::add_noise(flow, x0, diffuse::drawn_noise(11u, ids), times, drawn, drawn_eps);
  CHECK(drawn == diffuse::add_noise(flow, x0, drawn_eps, times));
  diffuse::add_noise(flow, x0, diffuse::drawn_noise(11u, ids), times, drawn_only);
  CHECK(drawn_only == drawn);
  CHECK(drawn.col(5) == drawn_eps.col(5));
  // ε back from x_t and x_0 where b > 0, x_0 from x_t and ε where a > 0 (within rounding).
  const std::vector<T> inner{T(0.125), T(0.25), T(0.5), T(0.75), T(0.875), T(0.9375)};
  const Matrix x_inner = diffuse::add_noise(flow, x0, eps, inner);
  const Matrix x0_back = diffuse::x0_from_eps(flow, x_inner, eps, inner);
  CHECK(((x0_back - x0).cwiseAbs().maxCoeff()) <=
        64 * std::numeric_limits<T>::epsilon() * (x0.cwiseAbs().maxCoeff() + 16 * eps.cwiseAbs().maxCoeff()));
}

namespace {

/// STYLE.md's bounds for a standardised sample of n values of N(0, 1): |mean| < 5/√n,
/// |s² − 1| < 5√(2/(n − 1)), KS D_n < 1.9495/√n (α = 1e-3).
void check_standard_normal(const std::vector<double>& z) {
  const double n = static_cast<double>(z.size());
  const test_support::Moments m = test_support::moments(z);
  CHECK(std::fabs(m.mean) < test_support::mean_bound(1, n));
  CHECK(std::fabs(m.variance - 1) < test_support::variance_bound(1, n));
  CHECK(test_support::ks_statistic(z, test_support::normal_cdf<double>) < test_support::ks_critical(n));
}

}  // namespace

TEST_CASE("a flow batch noised with drawn noise has the marginal's moments and distribution", "[flow][random]") {
  using Matrix = Eigen::MatrixXd;
  const Flow<double> flow;
  // 200000 values per check: the moment bounds are ±1.1% on the mean of z and ±1.6% on its variance,
  // so a 1% error in b is seen, and D_n < 0.0044. One time for all: x_0 = 0.7, t = 0.3:
  // x_t ~ N(0.49, 0.09).
  {
    const Eigen::Index rows = 2000, cols = 100;
    const Matrix x0 = Matrix::Constant(rows, cols, 0.7);
    Matrix x_t(rows, cols);
    const Eigen::VectorXi ids = Eigen::VectorXi::LinSpaced(cols, 0, static_cast<int>(cols) - 1);
    diffuse::add_noise(flow, x0, diffuse::drawn_noise(20251205u, ids),
                       std::vector<double>(static_cast<std::size_t>(cols), 0.3), x_t);
    std::vector<double> z;
    for (Eigen::Index i = 0; i < x_t.size(); ++i) z.push_back((x_t(i) - 0.49) / 0.3);
    check_standard_normal(z);
  }
  // A time per sample and x_0 per element: (x_t − (1 − t) x_0)/t ~ N(0, 1) for every column.
  {
    const Eigen::Index rows = 2000, cols = 100;
    std::mt19937_64 rng(99);
    std::normal_distribution<double> normal;
    Matrix x0(rows, cols);
    for (Eigen::Index i = 0; i < x0.size(); ++i) x0(i) = 2 * normal(rng);
    std::vector<double> times;
    for (Eigen::Index j = 0; j < cols; ++j)
      times.push_back(0.02 + 0.96 * static_cast<double>(j) / static_cast<double>(cols - 1));
    Matrix x_t(rows, cols);
    const Eigen::VectorXi ids = Eigen::VectorXi::LinSpaced(cols, 1000, 1000 + static_cast<int>(cols) - 1);
    diffuse::add_noise(flow, x0, diffuse::drawn_noise(7u, ids), times, x_t);
    std::vector<double> z;
    for (Eigen::Index j = 0; j < cols; ++j) {
      const double t = times[static_cast<std::size_t>(j)];
      for (Eigen::Index i = 0; i < rows; ++i) z.push_back((x_t(i, j) - (1 - t) * x0(i, j)) / t);
    }
    check_standard_normal(z);
  }
}

TEST_CASE("bad flow arguments throw with the function and the rule and the value", "[flow][errors]") {
  using IA = std::invalid_argument;
  using OR = std::out_of_range;
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  const Flow<double> flow;
  const auto quarter = at(0.25), half = at(0.5);
  const Eigen::VectorXd x = Eigen::VectorXd::Ones(3);
  CHECK(error_message<IA>([&] { flow.transition_coefficients(half, quarter); }) ==
        "diffuse::RectifiedFlow::transition_coefficients: s must be less than t = 0.25 (got 0.5)");
  CHECK(error_message<IA>([&] { flow.posterior_coefficients(half, half); }) ==
        "diffuse::RectifiedFlow::posterior_coefficients: s must be less than t = 0.5 (got 0.5)");
  CHECK(error_message<IA>([&] { diffuse::transition(flow, half, quarter, x); }) ==
        "diffuse::transition: s must be less than t = 0.25 (got 0.5)");
  CHECK(error_message<IA>([&] { diffuse::posterior(flow, half, half, x, x); }) ==
        "diffuse::posterior: s must be less than t = 0.5 (got 0.5)");
  CHECK(error_message<OR>([&] { flow.signal_scale(at(1.5)); }) ==
        "diffuse::ContinuousTime: t must be in [0, 1] (got 1.5)");
  const Eigen::MatrixXd x0 = Eigen::MatrixXd::Ones(3, 2);
  Eigen::MatrixXd out = Eigen::MatrixXd::Constant(3, 2, -7);
  CHECK(error_message<OR>([&] {
          diffuse::add_noise(flow, x0, x0, std::vector<double>{0.5, nan}, out);
        }) == "diffuse::add_noise: times(1) must be in [0, 1] (got nan)");
  CHECK(error_message<OR>([&] {
          diffuse::add_noise(flow, x0, diffuse::drawn_noise(1u, Eigen::Vector2i(0, 1)), std::vector<double>{-0.5, 1},
                             out);
        }) == "diffuse::add_noise: times(0) must be in [0, 1] (got -0.5)");
  CHECK(
      error_message<IA>([&] {
        diffuse::velocity(flow, x0, x0, std::vector<double>{0.5, 0.5}, out);
      }) ==
      "diffuse::velocity: needs a variance-preserving process (a² + b² = 1: v = a eps − b x_0) (got \"a process with a² + b² != 1\")");
  CHECK((out.array() == -7).all());  // nothing written
  // The shifts.
  CHECK(error_message<IA>([&] { diffuse::static_time_shift(0.5, 0.0); }) ==
        "diffuse::static_time_shift: shift must be finite and > 0 (got 0)");
  CHECK(error_message<IA>([&] { diffuse::static_time_shift(0.5, -3.0); }) ==
        "diffuse::static_time_shift: shift must be finite and > 0 (got -3)");
  CHECK(error_message<IA>([&] { diffuse::static_time_shift(0.5, inf); }) ==
        "diffuse::static_time_shift: shift must be finite and > 0 (got inf)");
  CHECK(error_message<IA>([&] { diffuse::static_time_shift(0.5, nan); }) ==
        "diffuse::static_time_shift: shift must be finite and > 0 (got nan)");
  CHECK(error_message<OR>([&] { diffuse::static_time_shift(1.5, 3.0); }) ==
        "diffuse::static_time_shift: t must be in [0, 1] (got 1.5)");
  CHECK(error_message<OR>([&] { diffuse::static_time_shift(nan, 3.0); }) ==
        "diffuse::static_time_shift: t must be in [0, 1] (got nan)");
  CHECK(error_message<OR>([&] { diffuse::static_time_shift(-0.0f - 1e-30f, 3.0); }) ==
        "diffuse::static_time_shift: t must be in [0, 1] (got -1.0000000031710769e-30)");
  CHECK(error_message<IA>([&] { diffuse::exponential_time_shift(0.5, inf); }) ==
        "diffuse::exponential_time_shift: mu must be finite (got inf)");
  CHECK(error_message<IA>([&] { diffuse::exponential_time_shift(0.5, nan); }) ==
        "diffuse::exponential_time_shift: mu must be finite (got nan)");
  CHECK(error_message<IA>([&] { diffuse::exponential_time_shift(0.5, 1.15, 0.0); }) ==
        "diffuse::exponential_time_shift: power must be finite and > 0 (got 0)");
  CHECK(error_message<IA>([&] { diffuse::exponential_time_shift(0.5, 1.15, -inf); }) ==
        "diffuse::exponential_time_shift: power must be finite and > 0 (got -inf)");
  CHECK(error_message<OR>([&] { diffuse::exponential_time_shift(-0.25, 1.15); }) ==
        "diffuse::exponential_time_shift: t must be in [0, 1] (got -0.25)");
  CHECK(error_message<IA>([&] { diffuse::linear_time_shift(0.5, 0.0); }) ==
        "diffuse::linear_time_shift: mu must be finite and > 0 (got 0)");
  CHECK(error_message<IA>([&] { diffuse::linear_time_shift(0.5, -1.15); }) ==
        "diffuse::linear_time_shift: mu must be finite and > 0 (got -1.15)");
  CHECK(error_message<IA>([&] { diffuse::linear_time_shift(0.5, 1.15, nan); }) ==
        "diffuse::linear_time_shift: power must be finite and > 0 (got nan)");
  CHECK(error_message<OR>([&] { diffuse::linear_time_shift(2.0, 1.15); }) ==
        "diffuse::linear_time_shift: t must be in [0, 1] (got 2)");
  CHECK(error_message<IA>([&] { diffuse::flux2_empirical_mu(0, 20); }) ==
        "diffuse::flux2_empirical_mu: image_seq_len must be finite and > 0 (got 0)");
  CHECK(error_message<IA>([&] { diffuse::flux2_empirical_mu(std::nan(""), 20); }) ==
        "diffuse::flux2_empirical_mu: image_seq_len must be finite and > 0 (got nan)");
  CHECK(error_message<IA>([&] { diffuse::flux2_empirical_mu(inf, 20); }) ==
        "diffuse::flux2_empirical_mu: image_seq_len must be finite and > 0 (got inf)");
  CHECK(error_message<IA>([&] { diffuse::flux2_empirical_mu(4096, 0); }) ==
        "diffuse::flux2_empirical_mu: num_steps must be at least 1 (got 0)");
  CHECK(error_message<IA>([&] { diffuse::flux2_empirical_mu(4096, -3); }) ==
        "diffuse::flux2_empirical_mu: num_steps must be at least 1 (got -3)");
  CHECK(error_message<IA>([&] { diffuse::resolution_shift_mu(0); }) ==
        "diffuse::resolution_shift_mu: image_seq_len must be finite and > 0 (got 0)");
  CHECK(error_message<IA>([&] { diffuse::resolution_shift_mu(-4096); }) ==
        "diffuse::resolution_shift_mu: image_seq_len must be finite and > 0 (got -4096)");
  CHECK(error_message<IA>([&] { diffuse::resolution_shift_mu(inf); }) ==
        "diffuse::resolution_shift_mu: image_seq_len must be finite and > 0 (got inf)");
  CHECK(error_message<IA>([&] { diffuse::resolution_shift_mu(1024, 0); }) ==
        "diffuse::resolution_shift_mu: base_image_seq_len must be finite and > 0 (got 0)");
  CHECK(
      error_message<IA>([&] { diffuse::resolution_shift_mu(1024, 4096, 4096); }) ==
      "diffuse::resolution_shift_mu: max_image_seq_len must be finite and greater than base_image_seq_len = 4096 (got 4096)");
  CHECK(
      error_message<IA>([&] { diffuse::resolution_shift_mu(1024, 4096, 256); }) ==
      "diffuse::resolution_shift_mu: max_image_seq_len must be finite and greater than base_image_seq_len = 4096 (got 256)");
  CHECK(
      error_message<IA>([&] { diffuse::resolution_shift_mu(1024, 256, inf); }) ==
      "diffuse::resolution_shift_mu: max_image_seq_len must be finite and greater than base_image_seq_len = 256 (got inf)");
  CHECK(error_message<IA>([&] { diffuse::resolution_shift_mu(1024, 256, 4096, nan); }) ==
        "diffuse::resolution_shift_mu: base_shift must be finite (got nan)");
  CHECK(error_message<IA>([&] { diffuse::resolution_shift_mu(1024, 256, 4096, 0.5, -inf); }) ==
        "diffuse::resolution_shift_mu: max_shift must be finite (got -inf)");
  CHECK(error_message<IA>([&] { diffuse::stretch_shift_to_terminal(0.5, 0.25, 0.0); }) ==
        "diffuse::stretch_shift_to_terminal: shift_terminal must be in (0, 1) (got 0)");
  CHECK(error_message<IA>([&] { diffuse::stretch_shift_to_terminal(0.5, 0.25, 1.0); }) ==
        "diffuse::stretch_shift_to_terminal: shift_terminal must be in (0, 1) (got 1)");
  CHECK(error_message<IA>([&] { diffuse::stretch_shift_to_terminal(0.5, 0.25, nan); }) ==
        "diffuse::stretch_shift_to_terminal: shift_terminal must be in (0, 1) (got nan)");
  CHECK(error_message<OR>([&] { diffuse::stretch_shift_to_terminal(1.0, 1.0, 0.1); }) ==
        "diffuse::stretch_shift_to_terminal: last must be in [0, 1) (got 1)");
  CHECK(error_message<OR>([&] { diffuse::stretch_shift_to_terminal(0.5, -0.25, 0.1); }) ==
        "diffuse::stretch_shift_to_terminal: last must be in [0, 1) (got -0.25)");
  CHECK(error_message<OR>([&] { diffuse::stretch_shift_to_terminal(0.125, 0.25, 0.1); }) ==
        "diffuse::stretch_shift_to_terminal: t must be in [last, 1] = [0.25, 1] (got 0.125)");
  CHECK(error_message<OR>([&] { diffuse::stretch_shift_to_terminal(1.5, 0.25, 0.1); }) ==
        "diffuse::stretch_shift_to_terminal: t must be in [last, 1] = [0.25, 1] (got 1.5)");
  CHECK(error_message<OR>([&] { diffuse::stretch_shift_to_terminal(nan, 0.25, 0.1); }) ==
        "diffuse::stretch_shift_to_terminal: t must be in [last, 1] = [0.25, 1] (got nan)");
}

TEST_CASE("the exponential shift with power 1 is the static shift with s = e^mu", "[flow]") {
  // Both correctly rounded from exact inputs that differ only by the rounding of e^μ to double (u
  // relative, u = 2⁻⁵³), which moves t' by at most u t' (d log t'/d log s = 1 − t' ≤ 1), less than
  // one spacing of t': the two results are at most one double apart.
  for (const double mu : {0.5, 1.15, 2.0, -0.3}) {
    const double s = static_cast<double>(exp(Wide(mu)));
    for (int i = 1; i < 64; ++i) {
      const double t = i / 64.0;
      const double a = diffuse::exponential_time_shift(t, mu), b = diffuse::static_time_shift(t, s);
      INFO("mu = " << mu << " t = " << t);
      CHECK(test_support::ulp_distance(a, b) <= 1);
    }
  }
}

TEST_CASE("the rectified flow ends in its prior N(0, I) exactly: prior_kl is 0", "[flow]") {
  const Eigen::Vector3d x0(0.5, -1.25, 2.0);
  CHECK(diffuse::prior_kl(diffuse::RectifiedFlow<double>(), x0) == 0.0);
  CHECK(diffuse::prior_kl_per_sample(diffuse::RectifiedFlow<float>(), Eigen::Matrix3f::Ones()).isZero(0.0f));
}
