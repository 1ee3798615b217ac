// TrigFlow and its training time: every reference value (40 digits from mpmath,
// tests/reference/gen_trigflow_reference.py) correctly rounded in float, double and long double, t
// near 0 and near π/2 included; the end as π/2 exactly; the velocity target and its inverses; every
// argument check.
#include <diffuse/batch.hpp>
#include <diffuse/kernels.hpp>
#include <diffuse/noise.hpp>
#include <diffuse/trigflow.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "catch.hpp"
#include "support/continuous_reference.hpp"
#include "support/messages.hpp"
#include "support/references.hpp"
#include "support/ulps.hpp"

template class diffuse::TrigFlow<float>;
template class diffuse::TrigFlow<double>;
template class diffuse::TrigFlow<long double>;
template class diffuse::TrigFlowTime<float>;
template class diffuse::TrigFlowTime<double>;

namespace {

using diffuse::detail::Wide;
using test_support::error_message;
using test_support::exact;
using test_support::input;
using test_support::Verdict;

const char* const reference_file = "trigflow_reference.txt";

template <class T>
using Trig = diffuse::TrigFlow<T>;
template <class T>
using Time = diffuse::TrigFlowTime<T>;

/// A reference time as T: 'end' is π/2, anything else the exact binary value.
template <class T>
Time<T> time_of(const std::string& text) {
  return text == "end" ? Time<T>::end() : Time<T>(input<T>(text));
}

/// Whether the record's inputs are values of T ("f": float values, for every type; "d": doubles;
/// "l": 64-bit significands, long double only).
template <class T>
bool takes(const std::string& tag) {
  return tag == "f" || (tag == "d" && std::numeric_limits<T>::digits > 24) || std::numeric_limits<T>::digits >= 64;
}

/// The header's bound: 64 units of 2⁻¹²⁸ relative (96 for the times of λ, σ and z), λ within
/// 64u(1 + |λ| + 2|ln σ_d|) absolute. Written in units of 2⁻¹¹⁸ (test_support::contract).
constexpr double value_weight = 64.0 / 1024, time_weight = 96.0 / 1024;

template <class T>
Verdict judge_value(T got, const std::string& expected) {
  return test_support::judge_relative(got, exact(expected), value_weight);
}

template <class T>
Verdict judge_log_snr(T got, const std::string& expected, double sigma_data) {
  const Wide x = exact(expected);
  if (!x.is_finite()) return test_support::judge(got, x, Wide(), Wide(1));
  const double weight = value_weight * (1 + std::fabs(static_cast<double>(x)) + 2 * std::fabs(std::log(sigma_data)));
  return test_support::judge(got, x, test_support::contract(weight), x.is_zero() ? Wide(1) : abs(x));
}

/// A time the library returned against the exact t: the end where t rounds to T's end (π/2 itself
/// or within ½ ulp of it), else correctly rounded.
template <class T>
Verdict judge_time(Time<T> got, const std::string& expected) {
  const Wide x = exact(expected);
  const T end = Time<T>::end().value();
  if (static_cast<T>(x) >= end) return {got.is_end() ? 0.0 : 1e9, 0};
  return test_support::judge_relative(got.value(), x, time_weight);
}

/// The worst error per quantity, in ulps, and the values outside the bound.
struct Findings {
  std::map<std::string, double> worst;
  std::vector<std::string> violations;
  long checked = 0;

  template <class T>
  void add(const std::string& quantity, const std::string& at, T got, const std::string& expected, const Verdict& v) {
    ++checked;
    double& w = worst[quantity];
    w = std::max(w, v.ulps);
    if (!v.ok()) {
      char figures[96];
      std::snprintf(figures, sizeof figures, ", %.4g ulp (allowed %.4g)", v.ulps, v.bound);
      violations.push_back(quantity + "(" + at + "): got " + test_support::digits(got) + ", expected " + expected +
                           figures);
    }
  }
};

std::string shown(const std::string& text) { return text.size() > 24 ? text.substr(0, 24) + "..." : text; }

// The records of trigflow_reference.txt (gen_trigflow_reference.py lists their formats); `tag` says
// which types take the inputs (takes<T>).
struct Marginal {
  std::string tag, sigma_d, t, signal_scale, noise_scale, signal_variance, noise_variance, log_snr, snr, noise_level;
};
struct Transition {
  std::string tag, sigma_d, s, t, mean, variance, stddev;
};
struct Posterior {
  std::string tag, sigma_d, s, t, x0, xt, variance, stddev;
};
struct TimeOf {  // time_of_log_snr <tag> <sigma_d> <lambda> <t>, time_of_sigma <tag> <sigma_d> <sigma> <t>
  std::string tag, sigma_d, argument, t;
};
struct TrainingTime {
  std::string tag, z, sigma_d, p_mean, p_std, t;
};

template <class T>
Findings compare_with_reference() {
  using test_support::load;
  Findings out;
  using M = Marginal;
  for (const auto& r :
       load<M>(reference_file, "marginal", &M::tag, &M::sigma_d, &M::t, &M::signal_scale, &M::noise_scale,
               &M::signal_variance, &M::noise_variance, &M::log_snr, &M::snr, &M::noise_level)) {
    if (!takes<T>(r.tag)) continue;
    const Trig<T> p(std::stod(r.sigma_d));
    const Time<T> t = time_of<T>(r.t);
    const std::string at = r.sigma_d + ", " + shown(r.t);
    const std::pair<const char*, std::pair<T, const std::string*>> values[] = {
        {"signal_scale", {p.signal_scale(t), &r.signal_scale}},
        {"noise_scale", {p.noise_scale(t), &r.noise_scale}},
        {"signal_variance", {p.signal_variance(t), &r.signal_variance}},
        {"noise_variance", {p.noise_variance(t), &r.noise_variance}},
        {"snr", {p.snr(t), &r.snr}},
        {"noise_level", {p.noise_level(t).value(), &r.noise_level}}};
    for (const auto& [name, value] : values) {
      const auto& [got, expected] = value;
      out.add(name, at, got, *expected, judge_value(got, *expected));
    }
    const T lambda = p.log_snr(t).value();
    out.add("log_snr", at, lambda, r.log_snr, judge_log_snr(lambda, r.log_snr, std::stod(r.sigma_d)));
  }
  using Tr = Transition;
  for (const auto& r : load<Tr>(reference_file, "transition", &Tr::tag, &Tr::sigma_d, &Tr::s, &Tr::t, &Tr::mean,
                                &Tr::variance, &Tr::stddev)) {
    if (!takes<T>(r.tag)) continue;
    const Trig<T> p(std::stod(r.sigma_d));
    const auto k = p.transition_coefficients(time_of<T>(r.s), time_of<T>(r.t));
    const std::string at = r.sigma_d + ", " + shown(r.s) + ", " + shown(r.t);
    out.add("transition.mean", at, k.mean, r.mean, judge_value(k.mean, r.mean));
    out.add("transition.variance", at, k.variance, r.variance, judge_value(k.variance, r.variance));
    out.add("transition.stddev", at, k.stddev, r.stddev, judge_value(k.stddev, r.stddev));
  }
  using Po = Posterior;
  for (const auto& r : load<Po>(reference_file, "posterior", &Po::tag, &Po::sigma_d, &Po::s, &Po::t, &Po::x0, &Po::xt,
                                &Po::variance, &Po::stddev)) {
    if (!takes<T>(r.tag)) continue;
    const Trig<T> p(std::stod(r.sigma_d));
    const auto k = p.posterior_coefficients(time_of<T>(r.s), time_of<T>(r.t));
    const std::string at = r.sigma_d + ", " + shown(r.s) + ", " + shown(r.t);
    out.add("posterior.x0", at, k.x0, r.x0, judge_value(k.x0, r.x0));
    out.add("posterior.xt", at, k.xt, r.xt, judge_value(k.xt, r.xt));
    out.add("posterior.variance", at, k.variance, r.variance, judge_value(k.variance, r.variance));
    out.add("posterior.stddev", at, k.stddev, r.stddev, judge_value(k.stddev, r.stddev));
  }
  const auto times_of = [](const char* kind) {
    return load<TimeOf>(reference_file, kind, &TimeOf::tag, &TimeOf::sigma_d, &TimeOf::argument, &TimeOf::t);
  };
  for (const auto& r : times_of("time_of_log_snr")) {
    if (!takes<T>(r.tag)) continue;
    const Time<T> t = Trig<T>(std::stod(r.sigma_d)).time(diffuse::LogSnr<T>(input<T>(r.argument)));
    out.add("time(LogSnr)", r.sigma_d + ", " + shown(r.argument), t.value(), r.t, judge_time(t, r.t));
  }
  for (const auto& r : times_of("time_of_sigma")) {
    if (!takes<T>(r.tag)) continue;
    const Time<T> t = Trig<T>(std::stod(r.sigma_d)).time(diffuse::NoiseLevel<T>(input<T>(r.argument)));
    out.add("time(NoiseLevel)", r.sigma_d + ", " + shown(r.argument), t.value(), r.t, judge_time(t, r.t));
  }
  using Tt = TrainingTime;
  for (const auto& r :
       load<Tt>(reference_file, "training_time", &Tt::tag, &Tt::z, &Tt::sigma_d, &Tt::p_mean, &Tt::p_std, &Tt::t)) {
    if (!takes<T>(r.tag)) continue;
    const Time<T> t =
        diffuse::trigflow_training_time(input<T>(r.z), std::stod(r.sigma_d), std::stod(r.p_mean), std::stod(r.p_std));
    out.add("trigflow_training_time", shown(r.z) + ", " + r.sigma_d + ", " + r.p_mean + ", " + r.p_std, t.value(), r.t,
            judge_time(t, r.t));
  }
  return out;
}

template <class T>
void check_against_reference() {
  if (!continuous_reference::contract_tested<T>()) return;
  const Findings f = compare_with_reference<T>();
  INFO(continuous_reference::type_name<T>() << ": " << f.checked << " values");
  for (const std::string& v : f.violations) FAIL_CHECK(v);
  CHECK(f.checked > 500);
}

template <class S>
using Matrix = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;

}  // namespace

TEST_CASE("TrigFlow values are correctly rounded against mpmath, t near 0 and near pi/2 included", "[trigflow][ieee]") {
  check_against_reference<float>();
  check_against_reference<double>();
  check_against_reference<long double>();
}

// The measured figures quoted in the header and CHANGELOG: run on purpose with "[.report]".
TEST_CASE("TrigFlow worst errors against mpmath, per quantity and type", "[.report]") {
  auto report = [](const char* type, const Findings& f) {
    for (const auto& w : f.worst) std::printf("%-12s %-24s %.6f ulp\n", type, w.first.c_str(), w.second);
  };
  report("float", compare_with_reference<float>());
  report("double", compare_with_reference<double>());
  report("long double", compare_with_reference<long double>());
}

TEMPLATE_TEST_CASE("TrigFlow's end is pi/2 exactly: pure noise, the prior itself", "[trigflow][ieee]", float, double,
                   long double) {
  using T = TestType;
  const Trig<T> p;  // σ_d = 0.5
  const Time<T> end = Time<T>::end();
  CHECK(end.is_end());
  CHECK(p.signal_scale(end) == 0);
  CHECK(p.noise_scale(end) == T(0.5));
  CHECK(p.noise_variance(end) == T(0.25));
  CHECK(p.snr(end) == 0);
  CHECK(p.log_snr(end).value() == -std::numeric_limits<T>::infinity());
  CHECK(p.noise_level(end).value() == std::numeric_limits<T>::infinity());
  CHECK(p.time(diffuse::LogSnr<T>(-std::numeric_limits<T>::infinity())).is_end());
  CHECK(p.time(diffuse::NoiseLevel<T>(std::numeric_limits<T>::infinity())).is_end());
  // The data end.
  const Time<T> zero(T(0));
  CHECK(p.signal_scale(zero) == 1);
  CHECK(p.noise_scale(zero) == 0);
  CHECK(p.log_snr(zero).value() == std::numeric_limits<T>::infinity());
  CHECK(p.time(diffuse::LogSnr<T>(std::numeric_limits<T>::infinity())).value() == 0);
  // q(x_end|x_s) = N(0, σ_d²) from every s, and the posterior there is q(x_s|x_0).
  for (const T s : {T(0), T(0.25), T(1.5), std::nextafter(end.value(), T(0))}) {
    INFO("s = " << s);
    const auto k = p.transition_coefficients(Time<T>(s), end);
    CHECK(k.mean == 0);
    CHECK(k.variance == T(0.25));
    CHECK(k.stddev == T(0.5));
    const auto post = p.posterior_coefficients(Time<T>(s), end);
    CHECK(post.x0 == p.signal_scale(Time<T>(s)));
    CHECK(post.xt == 0);
    CHECK(post.variance == p.noise_variance(Time<T>(s)));
  }
  // prior_kl against N(0, σ_d² I) is 0 for any data.
  Matrix<T> x0(3, 2);
  x0 << 1, -2, 3, 0.5, -0.25, 7;
  CHECK(diffuse::prior_kl(p, x0) == 0);
  // The value nearest π/2 is the end; nothing above it is a time.
  CHECK_THROWS_AS(Time<T>(std::nextafter(end.value(), T(2))), std::out_of_range);
}

TEST_CASE("the end of each type: above pi/2 in float, below it in double, and a batch takes either for either",
          "[trigflow]") {
  CHECK(static_cast<double>(Time<float>::end().value()) > Time<double>::end().value());
  CHECK(Wide(Time<float>::end().value()) > diffuse::detail::wide_constants::half_pi);
  CHECK(Wide(Time<double>::end().value()) < diffuse::detail::wide_constants::half_pi);
  using Traits = diffuse::ProcessTraits<Trig<double>>;
  const Trig<double> p;
  CHECK(Traits::coordinate("f", p, 0, Time<float>::end().value()).is_end());
  CHECK(diffuse::ProcessTraits<Trig<float>>::coordinate("f", Trig<float>(), 0, Time<double>::end().value()).is_end());
  // A double just below π/2 that rounds to the float end is the end of a float process.
  CHECK(diffuse::ProcessTraits<Trig<float>>::coordinate("f", Trig<float>(), 0, 1.5707963267).is_end());
  CHECK_FALSE(Traits::coordinate("f", p, 0, 1.5707963267).is_end());
  // x_t at the end is σ_d ε exactly, in a batch too.
  Matrix<double> x0(2, 2), eps(2, 2);
  x0 << 1, 2, 3, 4;
  eps << 0.5, -1, 0.25, 2;
  const Matrix<double> x = diffuse::add_noise(p, x0, eps, std::vector<double>{Time<double>::end().value(), 0.0});
  CHECK(x(0, 0) == 0.25);
  CHECK(x(1, 0) == 0.125);
  CHECK(x(0, 1) == 2);
  CHECK(x(1, 1) == 4);
}

TEMPLATE_TEST_CASE("TrigFlow time(lambda(t)) and time(sigma(t)) come back to t", "[trigflow]", float, double) {
  using T = TestType;
  for (const double sd : {0.5, 0.1, 2.0}) {
    const Trig<T> p(sd);
    for (const T t : {T(1e-20), T(1e-6), T(0.1), T(0.7), T(1), T(1.2), T(1.5), T(1.57)}) {
      INFO("sigma_d = " << sd << ", t = " << t);
      const T back = p.time(p.log_snr(Time<T>(t))).value();
      CHECK(std::fabs(back - t) <= 4 * std::numeric_limits<T>::epsilon() * std::max(t, T(1)));
      const T back_sigma = p.time(p.noise_level(Time<T>(t))).value();
      CHECK(std::fabs(back_sigma - t) <= 4 * std::numeric_limits<T>::epsilon() * t);
    }
  }
}

TEST_CASE("the TrigFlow velocity is dx_t/dt, its coefficients correctly rounded, and x0 and eps come back from it",
          "[trigflow]") {
  const Trig<double> p;  // σ_d = 0.5: sin t = 2b, exact
  const std::vector<double> times = {0.0, 1e-8, 0.3, 0.785, 1.2, 1.5707, Time<double>::end().value()};
  const Eigen::Index n = static_cast<Eigen::Index>(times.size());
  Matrix<double> x0(4, n), eps(4, n);
  diffuse::fill_noise(2026u, Eigen::VectorXi::LinSpaced(n, 0, static_cast<int>(n) - 1), eps);
  diffuse::fill_noise(2027u, Eigen::VectorXi::LinSpaced(n, 0, static_cast<int>(n) - 1), x0);
  const Matrix<double> v = diffuse::trigflow_velocity(p, x0, eps, times);
  const Matrix<double> x_t = diffuse::add_noise(p, x0, eps, times);
  for (Eigen::Index j = 0; j < n; ++j) {
    const Time<double> t(times[static_cast<std::size_t>(j)]);
    INFO("t = " << t.value());
    // The coefficients: v for x0 = 1, eps = 0 is −sin t; for x0 = 0, eps = 1 it is σ_d cos t.
    const Matrix<double> one = Matrix<double>::Ones(1, 1), zero = Matrix<double>::Zero(1, 1);
    const std::vector<double> at = {t.value()};
    CHECK(diffuse::trigflow_velocity(p, one, zero, at)(0, 0) == -2 * p.noise_scale(t));
    CHECK(diffuse::trigflow_velocity(p, zero, one, at)(0, 0) == 0.5 * p.signal_scale(t));
    // dx_t/dt by central differences in long double (h = 1e-5: error ~h²/6 ≈ 2e-11 relative).
    if (t.value() > 1e-4 && !t.is_end()) {
      const long double h = 1e-5L, tl = t.value();
      for (Eigen::Index i = 0; i < 4; ++i) {
        const long double plus = std::cos(tl + h) * x0(i, j) + 0.5L * std::sin(tl + h) * eps(i, j);
        const long double minus = std::cos(tl - h) * x0(i, j) + 0.5L * std::sin(tl - h) * eps(i, j);
        CHECK(std::fabs(static_cast<long double>(v(i, j)) - (plus - minus) / (2 * h)) < 1e-9L);
      }
    }
  }
  // The rotation back: x0 = cos t x_t − sin t v, eps = (sin t x_t + cos t v)/σ_d, within a few ulps.
  const Matrix<double> x0_back = diffuse::x0_from_trigflow_velocity(p, x_t, v, times);
  const Matrix<double> eps_back = diffuse::eps_from_trigflow_velocity(p, x_t, v, times);
  CHECK((x0_back - x0).cwiseAbs().maxCoeff() <= 8 * std::numeric_limits<double>::epsilon() * 4);
  CHECK((eps_back - eps).cwiseAbs().maxCoeff() <= 8 * std::numeric_limits<double>::epsilon() * 8);
  // σ_d = 1 is variance preserving, and its velocity is Salimans & Ho's v bit for bit.
  const Trig<double> unit(1.0);
  CHECK(unit.variance_preserving());
  CHECK_FALSE(p.variance_preserving());
  CHECK(diffuse::trigflow_velocity(unit, x0, eps, times) == diffuse::velocity(unit, x0, eps, times));
}

TEMPLATE_TEST_CASE("the TrigFlow training time is monotone in z and reaches 0 and the end", "[trigflow][ieee]", float,
                   double) {
  using T = TestType;
  T previous = -1;
  for (int k = -400; k <= 400; ++k) {
    const T t = diffuse::trigflow_training_time(T(k) / 10).value();
    CHECK(t >= previous);
    previous = t;
  }
  CHECK(diffuse::trigflow_training_time(-std::numeric_limits<T>::infinity()).value() == 0);
  CHECK(diffuse::trigflow_training_time(std::numeric_limits<T>::infinity()).is_end());
  CHECK(diffuse::trigflow_training_time(T(1e30)).is_end());
  // z = 0 with the defaults: arctan(e^{−1}/0.5).
  CHECK(diffuse::trigflow_training_time(T(0)).value() == static_cast<T>(std::atan(std::exp(-1.0L) / 0.5L)));
}

TEST_CASE("bad TrigFlow arguments throw with the function and the rule and the value", "[trigflow][errors]") {
  using test_support::throws_with;
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  CHECK(error_message<std::invalid_argument>([] { Trig<double>(0.0); }) ==
        "diffuse::TrigFlow: sigma_data must be finite and > 0 (got 0)");
  CHECK(throws_with<std::invalid_argument>([] { Trig<double>(-0.5); }, {"sigma_data must be finite and > 0", "-0.5"}));
  CHECK(throws_with<std::invalid_argument>([&] { Trig<double>{nan}; }, {"sigma_data", "nan"}));
  CHECK(throws_with<std::invalid_argument>([&] { Trig<double>{inf}; }, {"sigma_data", "inf"}));
  CHECK(error_message<std::out_of_range>([] { Time<double>(1.6); }) ==
        "diffuse::TrigFlowTime: t must be in [0, pi/2] (got 1.6)");
  CHECK(throws_with<std::out_of_range>([] { Time<double>(-1e-300); }, {"t must be in [0, pi/2]", "-1e-300"}));
  CHECK(throws_with<std::out_of_range>([&] { Time<double>{nan}; }, {"t must be in [0, pi/2]", "nan"}));
  CHECK(throws_with<std::out_of_range>([] { Time<float>(1.5707965f); }, {"t must be in [0, pi/2]"}));
  const Trig<double> p;
  CHECK(error_message<std::invalid_argument>([&] { p.transition_coefficients(Time<double>(1), Time<double>(1)); }) ==
        "diffuse::TrigFlow::transition_coefficients: s must be less than t = 1 (got 1)");
  CHECK(throws_with<std::invalid_argument>([&] { p.posterior_coefficients(Time<double>(1.5), Time<double>(1)); },
                                           {"TrigFlow::posterior_coefficients", "s must be less than t = 1", "1.5"}));
  Matrix<double> x(2, 2), out(2, 2);
  x.setOnes();
  out.setZero();
  CHECK(error_message<std::out_of_range>([&] {
          diffuse::add_noise(p, x, x, std::vector<double>{0.5, 1.6}, out);
        }) == "diffuse::add_noise: times(1) must be in [0, pi/2] (got 1.6)");
  CHECK(throws_with<std::out_of_range>(
      [&] {
        diffuse::trigflow_velocity(p, x, x, std::vector<double>{nan, 0.5}, out);
      },
      {"trigflow_velocity: times(0) must be in [0, pi/2]", "nan"}));
  CHECK(out.isZero());
  // The training time.
  CHECK(error_message<std::invalid_argument>([] { diffuse::trigflow_training_time(0.0, 0.0); }) ==
        "diffuse::trigflow_training_time: sigma_data must be finite and > 0 (got 0)");
  CHECK(throws_with<std::invalid_argument>([&] { diffuse::trigflow_training_time(0.0, 0.5, inf); },
                                           {"p_mean must be finite", "inf"}));
  CHECK(throws_with<std::invalid_argument>([] { diffuse::trigflow_training_time(0.0, 0.5, -1.0, -1.6); },
                                           {"p_std must be finite and >= 0", "-1.6"}));
  CHECK(
      throws_with<std::invalid_argument>([&] { diffuse::trigflow_training_time(nan); }, {"z must not be NaN", "nan"}));
}
