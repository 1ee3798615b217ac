// convert_coordinate: the coordinate and scale of every pair of processes at equal log-SNR against
// 40-digit mpmath references (tests/reference/gen_process_conversion_reference.py), the exact ends,
// round trips, x_Q = scale · x_P on noised batches, the schedules' fractional steps, and the range rule.
#include <diffuse/batch.hpp>
#include <diffuse/process_conversion.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "catch.hpp"
#include "support/messages.hpp"
#include "support/references.hpp"
#include "support/ulps.hpp"

namespace {

using diffuse::detail::Wide;
using test_support::error_message;
using test_support::exact;

using Cp = diffuse::ContinuousProcess<double>;
using Flow = diffuse::RectifiedFlow<double>;
using Trig = diffuse::TrigFlow<double>;
using Edm = diffuse::EdmNoiseLevels<double>;
using TTime = diffuse::TrigFlowTime<double>;
using CTime = diffuse::ContinuousTime<double>;

/// |got − x| in ulps of double at x (0 for equal zeros or infinities).
double ulps(double got, const std::string& expected) { return test_support::ulp_error(got, exact(expected)); }

/// The coordinate of a result as a number and whether it is TrigFlow's end.
double number(const CTime& t) { return t.value(); }
double number(const TTime& t) { return t.value(); }
double number(const diffuse::NoiseLevel<double>& s) { return s.value(); }
bool is_end(const TTime& t) { return t.is_end(); }
template <class C>
bool is_end(const C&) {
  return false;
}

/// A reference coordinate of the source process.
template <class From>
typename diffuse::detail::ConversionView<From>::coordinate_type source(const std::string& text) {
  using C = typename diffuse::detail::ConversionView<From>::coordinate_type;
  if constexpr (std::is_same<C, TTime>::value) {
    return text == "end" ? TTime::end() : TTime(std::stod(text));
  } else {
    return C(static_cast<double>(exact(text)));
  }
}

Cp continuous(const std::string& name) {
  if (name == "cosine") return Cp::cosine();
  if (name == "vp_linear") return Cp::vp_linear();
  if (name == "sub_vp") return Cp::sub_vp();
  return Cp::ve();
}

struct Worst {
  double coordinate = 0, scale = 0;
};

/// The header's bound, ½ ulp + ½ ulp·κ with κ ≤ 2, plus the rounding of the Wide scale: 1.5 ulps
/// and a margin of 2⁻²⁰ ulp for the Wide evaluation and the reference.
constexpr double bound_ulps = 1.5 + 0x1p-20;

/// `convert <source> <target> <coordinate> <target coordinate> <scale>` (gen_process_conversion_reference.py).
struct Conversion {
  std::string source, target, coordinate, target_coordinate, scale;
};

template <class From, class To>
void check_record(const From& from, const To& to, const Conversion& r, std::map<std::string, Worst>& worst) {
  const auto result = diffuse::convert_coordinate(from, source<From>(r.coordinate), to);
  const std::string pair = r.source + " -> " + r.target;
  INFO(pair << " at " << r.coordinate);
  if (r.target_coordinate == "end") {
    CHECK(is_end(result.coordinate));
  } else {
    const double e = ulps(number(result.coordinate), r.target_coordinate);
    CHECK(e <= bound_ulps);
    worst[pair].coordinate = std::max(worst[pair].coordinate, e);
  }
  const double e = ulps(result.scale, r.scale);
  CHECK(e <= bound_ulps);
  worst[pair].scale = std::max(worst[pair].scale, e);
}

template <class From>
void check_with_target(const From& from, const Conversion& r, std::map<std::string, Worst>& worst) {
  const std::string& target = r.target;
  if (target == "flow") return check_record(from, Flow(), r, worst);
  if (target == "trigflow") return check_record(from, Trig(0.5), r, worst);
  if (target == "edm") return check_record(from, Edm(), r, worst);
  check_record(from, continuous(target), r, worst);
}

std::map<std::string, Worst> compare_with_reference() {
  std::map<std::string, Worst> worst;
  using C = Conversion;
  for (const auto& r : test_support::load<C>("process_conversion_reference.txt", "convert", &C::source, &C::target,
                                             &C::coordinate, &C::target_coordinate, &C::scale)) {
    const std::string& from = r.source;
    if (from == "flow") {
      check_with_target(Flow(), r, worst);
    } else if (from == "trigflow") {
      check_with_target(Trig(0.5), r, worst);
    } else if (from == "edm") {
      check_with_target(Edm(), r, worst);
    } else {
      check_with_target(continuous(from), r, worst);
    }
  }
  return worst;
}

template <class S>
using Matrix = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;

}  // namespace

TEST_CASE("convert_coordinate against mpmath: coordinate and scale within 1.5 ulps for every pair",
          "[conversion][ieee]") {
  compare_with_reference();
}

// The measured figures quoted in the header and CHANGELOG: run on purpose with "[.report]".
TEST_CASE("convert_coordinate worst errors against mpmath, per pair", "[.report]") {
  for (const auto& w : compare_with_reference()) {
    std::printf("%-22s coordinate %.4f ulp, scale %.4f ulp\n", w.first.c_str(), w.second.coordinate, w.second.scale);
  }
}

TEST_CASE("the ends convert exactly: data to data with scale 1, pure noise to pure noise with scale b_Q/b_P",
          "[conversion][ieee]") {
  const Trig trig(0.5);
  const Flow flow;
  // TrigFlow's π/2 is the flow's 1, x_flow = ε = z/σ_d: scale 2; and back, scale ½.
  const auto to_flow = diffuse::convert_coordinate(trig, TTime::end(), flow);
  CHECK(to_flow.coordinate.value() == 1);
  CHECK(to_flow.scale == 2);
  const auto to_trig = diffuse::convert_coordinate(flow, CTime(1), trig);
  CHECK(to_trig.coordinate.is_end());
  CHECK(to_trig.scale == 0.5);
  CHECK(diffuse::convert_coordinate(Cp::cosine(), CTime(1), trig).coordinate.is_end());
  // The data end.
  const auto data = diffuse::convert_coordinate(trig, TTime(0), Cp::vp_linear());
  CHECK(data.coordinate.value() == 0);
  CHECK(data.scale == 1);
  CHECK(diffuse::convert_coordinate(Edm(), diffuse::NoiseLevel<double>(0), trig).coordinate.value() == 0);
  // A zero-terminal-SNR schedule's last step is pure noise too.
  const auto ztsnr = diffuse::Schedule<double>::linear(1000).zero_terminal_snr();
  const auto from_schedule = diffuse::convert_coordinate(ztsnr, diffuse::FractionalStep<double>(1000), trig);
  CHECK(from_schedule.coordinate.is_end());
  CHECK(from_schedule.scale == 0.5);
  CHECK(diffuse::convert_coordinate(trig, TTime::end(), ztsnr).coordinate.value() == 1000);
}

TEST_CASE("VP at t to flow is b/(a + b) with x_flow = x_vp/(a + b), and x_Q = scale x_P on a noised batch",
          "[conversion]") {
  const Cp vp = Cp::vp_linear();
  const Flow flow;
  const Trig trig(0.5);
  for (const double t : {1e-6, 0.01, 0.2, 0.5, 0.8, 0.99}) {
    INFO("t = " << t);
    const double a = vp.signal_scale(CTime(t)), b = vp.noise_scale(CTime(t));
    const auto r = diffuse::convert_coordinate(vp, CTime(t), flow);
    CHECK(std::fabs(r.coordinate.value() - b / (a + b)) <= 4e-16 * (b / (a + b)));
    CHECK(std::fabs(r.scale - 1 / (a + b)) <= 4e-16 / (a + b));
    // Same x_0 and ε: the flow's x at the converted time is scale · the VP's x_t.
    Matrix<double> x0(3, 1), eps(3, 1);
    x0 << 0.7, -1.2, 2.5;
    eps << -0.3, 1.1, 0.4;
    const Matrix<double> x_vp = diffuse::add_noise(vp, x0, eps, std::vector<double>{t});
    const Matrix<double> x_flow = diffuse::add_noise(flow, x0, eps, std::vector<double>{r.coordinate.value()});
    CHECK((x_flow - r.scale * x_vp).cwiseAbs().maxCoeff() <= 1e-15 * x0.cwiseAbs().maxCoeff());
  }
  // A TrigFlow model's x_t handed to a flow sampler and back (README).
  for (const double t : {1e-3, 0.4, 1.1, 1.55}) {
    INFO("TrigFlow t = " << t);
    const auto there = diffuse::convert_coordinate(trig, TTime(t), flow);
    const auto back = diffuse::convert_coordinate(flow, there.coordinate, trig);
    CHECK(std::fabs(back.coordinate.value() - t) <= 4 * std::numeric_limits<double>::epsilon() * t);
    CHECK(std::fabs(back.scale * there.scale - 1) <= 4 * std::numeric_limits<double>::epsilon());
  }
}

TEMPLATE_TEST_CASE("round trips through every process come back within a few ulps", "[conversion]", float, double) {
  using S = TestType;
  const diffuse::TrigFlow<S> trig(0.5);
  const diffuse::RectifiedFlow<S> flow;
  const auto cosine = diffuse::ContinuousProcess<S>::cosine();
  const auto sub_vp = diffuse::ContinuousProcess<S>::sub_vp();
  const auto schedule = diffuse::Schedule<S>::cosine(1000);
  const S eps = std::numeric_limits<S>::epsilon();
  for (const S t : {S(0.01), S(0.3), S(0.9), S(1.3), S(1.5)}) {
    INFO("t = " << t);
    const diffuse::TrigFlowTime<S> start(t);
    const auto c = diffuse::convert_coordinate(trig, start, cosine);
    const auto f = diffuse::convert_coordinate(cosine, c.coordinate, flow);
    const auto v = diffuse::convert_coordinate(flow, f.coordinate, sub_vp);
    const auto back = diffuse::convert_coordinate(sub_vp, v.coordinate, trig);
    CHECK(std::fabs(back.coordinate.value() - t) <= 16 * eps * t);
    CHECK(std::fabs(c.scale * f.scale * v.scale * back.scale - 1) <= 16 * eps);
    // Through a discrete schedule's fractional steps where its range reaches.
    const S sigma = trig.noise_level(start).value();
    if (sigma >= schedule.sigma(1) && sigma <= schedule.sigma(1000)) {
      const auto u = diffuse::convert_coordinate(trig, start, schedule);
      CHECK(std::fabs(diffuse::noise_level(schedule, u.coordinate).value() - sigma) <= 64 * eps * sigma);
      const auto home = diffuse::convert_coordinate(schedule, u.coordinate, trig);
      CHECK(std::fabs(home.coordinate.value() - t) <= 64 * eps * t);
    }
  }
}

TEST_CASE("a conversion outside the target's log-SNR range throws with the range and the log-SNR",
          "[conversion][errors][ieee]") {
  const Trig trig(0.5);
  // VE never reaches the data (σ_min = 0.01) nor pure noise.
  CHECK(
      error_message<std::out_of_range>([&] { diffuse::convert_coordinate(trig, TTime(0), Cp::ve()); }) ==
      "diffuse::convert_coordinate: log-SNR must be in the target's range [-7.824046010856292, 9.210340371976182] (got inf)");
  CHECK(test_support::throws_with<std::out_of_range>([&] { diffuse::convert_coordinate(trig, TTime::end(), Cp::ve()); },
                                                     {"log-SNR must be in the target's range", "(got -inf)"}));
  // EDM's x_0 + σ ε has no pure-noise end.
  CHECK(test_support::throws_with<std::out_of_range>(
      [&] { diffuse::convert_coordinate(trig, TTime::end(), Edm()); },
      {"convert_coordinate: log-SNR must be in the target's range", "(got -inf)"}));
  // A schedule has no fractional step between step 0 (the data) and step 1.
  const auto schedule = diffuse::Schedule<double>::linear(1000);
  CHECK(test_support::throws_with<std::out_of_range>([&] { diffuse::convert_coordinate(trig, TTime(1e-6), schedule); },
                                                     {"convert_coordinate: log-SNR must be in the target's range"}));
  // Nor beyond its last step (not zero terminal SNR).
  CHECK(test_support::throws_with<std::out_of_range>([&] { diffuse::convert_coordinate(trig, TTime(1.57), schedule); },
                                                     {"log-SNR must be in the target's range"}));
}

TEST_CASE("convert_batch carries a TrigFlow batch to the flow and back, in place, and checks before writing",
          "[conversion][ieee]") {
  const Trig trig(0.5);
  const Flow flow;
  const std::vector<double> raw = {0.0, 0.2, 0.9, 1.4, TTime::end().value()};
  std::vector<TTime> times;
  for (const double t : raw) times.push_back(TTime(t));
  Matrix<double> x0(3, 5), eps(3, 5);
  x0.setConstant(0.75);
  eps << 1, -1, 0.5, 2, -0.25, 0.1, 0.2, 0.3, 0.4, 0.5, -2, 1.5, 0, 1, 3;
  const Matrix<double> x_trig = diffuse::add_noise(trig, x0, eps, raw);
  Matrix<double> x_flow(3, 5);
  const std::vector<CTime> flow_times = diffuse::convert_batch(trig, x_trig, times, flow, x_flow);
  std::vector<double> flow_raw;
  for (const CTime& t : flow_times) flow_raw.push_back(t.value());
  CHECK(flow_raw.front() == 0);
  CHECK(flow_raw.back() == 1);
  // What the flow process gives for the same x_0 and ε at the converted times.
  CHECK((x_flow - diffuse::add_noise(flow, x0, eps, flow_raw)).cwiseAbs().maxCoeff() <= 8e-16 * 3);
  // Back, in place.
  Matrix<double> y = x_flow;
  const std::vector<TTime> back = diffuse::convert_batch(flow, y, flow_times, trig, y);
  for (std::size_t j = 0; j < back.size(); ++j) CHECK(std::fabs(back[j].value() - raw[j]) <= 4e-16 * raw[j]);
  CHECK(back.back().is_end());
  CHECK((y - x_trig).cwiseAbs().maxCoeff() <= 8e-16 * 3);
  // Bad shapes and counts, and a column out of range: nothing written.
  Matrix<double> out = Matrix<double>::Zero(3, 5), small(2, 5);
  CHECK(error_message<std::invalid_argument>([&] { diffuse::convert_batch(trig, x_trig, times, flow, small); }) ==
        "diffuse::convert_batch: out must have the shape 3 x 5 (got \"2 x 5\")");
  CHECK(error_message<std::invalid_argument>([&] {
          diffuse::convert_batch(trig, x_trig, std::vector<TTime>(times.begin(), times.end() - 1), flow, out);
        }) == "diffuse::convert_batch: coordinates must have one entry per column, 5 (got 4)");
  // Columns 0 to 3 inside VE's range, column 4 (pure noise) outside it.
  const std::vector<TTime> last_bad = {TTime(0.2), TTime(0.9), TTime(1.4), TTime(1.0), TTime::end()};
  CHECK(test_support::throws_with<std::out_of_range>(
      [&] { diffuse::convert_batch(trig, x_trig, last_bad, Cp::ve(), out); },
      {"convert_coordinate: log-SNR must be in the target's range", "(got -inf)"}));
  CHECK(out.isZero());
}

TEST_CASE("a user-defined process converts too: the flow as callables is the flow", "[conversion]") {
  const diffuse::UserDefinedProcess<double> user([](double t) { return 1 - t; }, [](double t) { return t; });
  const Trig trig(0.5);
  const Flow flow;
  for (const double t : {0.0, 1e-9, 0.2, 0.5, 0.77, 0.999, 1.0}) {
    INFO("t = " << t);
    // Its own times: the bisection finds t back from σ(t) = t/(1 − t) (condition number 1 − t).
    CHECK(std::fabs(user.time(user.noise_level(CTime(t))).value() - t) <=
          2 * std::numeric_limits<double>::epsilon() * t);
    // To and from TrigFlow as the flow does.
    const auto as_user = diffuse::convert_coordinate(user, CTime(t), trig);
    const auto as_flow = diffuse::convert_coordinate(flow, CTime(t), trig);
    CHECK(as_user.coordinate.value() == as_flow.coordinate.value());
    CHECK(std::fabs(as_user.scale - as_flow.scale) <= 2 * std::numeric_limits<double>::epsilon() * as_flow.scale);
    const auto back = diffuse::convert_coordinate(trig, as_flow.coordinate, user);
    CHECK(std::fabs(back.coordinate.value() - t) <= 4 * std::numeric_limits<double>::epsilon() * t);
  }
  CHECK(test_support::throws_with<std::out_of_range>(
      [&] {
        diffuse::convert_coordinate(
            trig, TTime(1.5),
            diffuse::UserDefinedProcess<double>([](double t) { return 1 - t / 2; }, [](double t) { return 0.1 + t; }));
      },
      {"convert_coordinate: log-SNR must be in the target's range"}));
}
