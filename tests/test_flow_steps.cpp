// FlowMatchEulerDiscreteScheduler's steps (flow_steps.hpp) against tests/reference/flow_steps_reference.txt
// (gen_flow_steps_reference.py: mpmath, and diffusers' float64/float32 arithmetic done by numpy): the
// exact σ and timesteps correctly rounded, the float32 emulation bit for bit; the two conventions;
// N = 1; the beta quantile (detail/beta_quantile.hpp) against mpmath; every argument rule.
#include <diffuse/flow_steps.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "catch.hpp"
#include "support/messages.hpp"
#include "support/references.hpp"
#include "support/ulps.hpp"

namespace {

using diffuse::FlowBaseSigmas;
using diffuse::FlowMatchConfig;
using diffuse::FlowPrecision;
using diffuse::FlowShiftConvention;
using diffuse::FlowSigmaRamp;
using test_support::exact;
using test_support::throws_with;

const char* const reference_file = "flow_steps_reference.txt";

/// A case of the reference script: the scheduler's settings and how set_timesteps is called.
struct Case {
  FlowMatchConfig config;
  FlowBaseSigmas base = FlowBaseSigmas::scheduler;
  FlowShiftConvention convention = FlowShiftConvention::diffusers;
  std::optional<double> image_seq_len;
  bool custom = false;  ///< numpy's linspace(1, 1/N, N) doubles passed as custom sigmas
};

/// The CASES of gen_flow_steps_reference.py.
const std::map<std::string, Case>& cases() {
  static const std::map<std::string, Case> table = [] {
    std::map<std::string, Case> t;
    FlowMatchConfig sd3;
    sd3.shift = 3.0;
    FlowMatchConfig flux;
    flux.shift = 3.0;
    flux.use_dynamic_shifting = true;
    FlowMatchConfig ltx;
    ltx.use_dynamic_shifting = true;
    ltx.base_shift = 0.95;
    ltx.max_shift = 2.05;
    ltx.base_image_seq_len = 1024;
    ltx.max_image_seq_len = 4096;
    ltx.shift_terminal = 0.1;
    t["sd3"] = {sd3, FlowBaseSigmas::scheduler, FlowShiftConvention::diffusers, std::nullopt, false};
    t["sd3_single"] = {sd3, FlowBaseSigmas::scheduler, FlowShiftConvention::single, std::nullopt, false};
    t["flux_scheduler"] = {flux, FlowBaseSigmas::scheduler, FlowShiftConvention::diffusers, 4096.0, false};
    t["flux_pipeline"] = {flux, FlowBaseSigmas::flux_pipeline, FlowShiftConvention::diffusers, 4096.0, false};
    t["flux_pipeline_512"] = {flux, FlowBaseSigmas::flux_pipeline, FlowShiftConvention::diffusers, 1024.0, false};
    FlowMatchConfig linear = flux;
    linear.time_shift_type = diffuse::FlowTimeShift::linear;
    t["linear_shift"] = {linear, FlowBaseSigmas::flux_pipeline, FlowShiftConvention::diffusers, 4096.0, false};
    t["ltx_terminal"] = {ltx, FlowBaseSigmas::flux_pipeline, FlowShiftConvention::diffusers, 4096.0, false};
    FlowMatchConfig c = sd3;
    c.shift_terminal = 0.1;
    t["sd3_terminal"] = {c, FlowBaseSigmas::scheduler, FlowShiftConvention::diffusers, std::nullopt, false};
    const std::pair<const char*, FlowSigmaRamp> ramps[] = {{"sd3_karras", FlowSigmaRamp::karras},
                                                           {"sd3_exponential", FlowSigmaRamp::exponential},
                                                           {"sd3_beta", FlowSigmaRamp::beta}};
    for (const auto& ramp : ramps) {
      c = sd3;
      c.sigma_ramp = ramp.second;
      t[ramp.first] = {c, FlowBaseSigmas::scheduler, FlowShiftConvention::diffusers, std::nullopt, false};
    }
    c = sd3;
    c.invert_sigmas = true;
    t["sd3_invert"] = {c, FlowBaseSigmas::scheduler, FlowShiftConvention::diffusers, std::nullopt, false};
    t["custom_static"] = {sd3, FlowBaseSigmas::flux_pipeline, FlowShiftConvention::diffusers, std::nullopt, true};
    FlowMatchConfig aura;
    aura.shift = 1.73;  // not a float32
    t["auraflow"] = {aura, FlowBaseSigmas::scheduler, FlowShiftConvention::diffusers, std::nullopt, false};
    t["auraflow_custom"] = {aura, FlowBaseSigmas::flux_pipeline, FlowShiftConvention::diffusers, std::nullopt, true};
    return t;
  }();
  return table;
}

template <class T>
diffuse::FlowSteps<T> steps_of(const std::string& name, int n, FlowPrecision precision) {
  const Case& c = cases().at(name);
  const std::optional<double> mu =
      c.image_seq_len ? std::optional<double>(c.config.mu(*c.image_seq_len, precision)) : std::nullopt;
  if (c.custom)
    return diffuse::flow_match_steps<T>(c.config, diffuse::detail::numpy_linspace(1, 1.0 / n, n), precision, mu);
  return diffuse::flow_match_steps<T>(c.config, n, {c.base, c.convention, precision}, mu);
}

/// The stated bound of the exact mode in ulps of T: ½ ulp plus the Wide error (below 1000 units of
/// 2⁻¹²⁸ relative: 2⁻¹¹⁸, so 2⁻⁶⁵ ulp of double and x87 long double, 0.016 ulp of binary128) and
/// the reference's 40 digits; the beta σ within 2 ulp of double (the quantile is a double).
template <class T>
double exact_bound(const std::string& name) {
  constexpr int digits = std::numeric_limits<T>::digits;
  const double slack = digits > 64 ? 0.02 : 1e-6;
  if (name != "sd3_beta") return 0.5 + slack;
  return digits > 53 ? 2 * std::ldexp(1.0, digits - 53) + slack : 0.5 + 2 * std::ldexp(1.0, digits - 53) + slack;
}

}  // namespace

template struct diffuse::FlowSteps<float>;
template struct diffuse::FlowSteps<double>;
template struct diffuse::FlowSteps<long double>;

namespace {

/// `step <case> <N> <i> <sigma exact> <timestep exact> <sigma float32> <timestep float32>`
struct Step {
  std::string name, steps, i, sigma, timestep, sigma_float32, timestep_float32;
};
std::vector<Step> reference_steps() {
  return test_support::load<Step>(reference_file, "step", &Step::name, &Step::steps, &Step::i, &Step::sigma,
                                  &Step::timestep, &Step::sigma_float32, &Step::timestep_float32);
}

/// `beta_quantile <p> <a> <b> <x>`: x with I_x(a, b) = p (p, a, b doubles written exactly).
struct BetaQuantile {
  std::string p, a, b, x;
};

}  // namespace

TEMPLATE_TEST_CASE("exact flow-matching steps are correctly rounded against mpmath", "[flow_steps]", float, double,
                   long double) {
  using T = TestType;
  std::map<std::pair<std::string, int>, diffuse::FlowSteps<T>> computed;
  int checked = 0;
  for (const auto& r : reference_steps()) {
    const std::string& name = r.name;
    const int n = std::stoi(r.steps), i = std::stoi(r.i);
    const auto key = std::make_pair(name, n);
    if (!computed.count(key)) computed[key] = steps_of<T>(name, n, FlowPrecision::exact);
    const auto& s = computed[key];
    REQUIRE(s.sigmas.size() == n + 1);
    REQUIRE(s.timesteps.size() == n);
    INFO(name << " N = " << n << " i = " << i << " sigma " << test_support::digits(s.sigmas(i)) << " reference "
              << r.sigma);
    CHECK(test_support::ulp_error(s.sigmas(i), exact(r.sigma)) <= exact_bound<T>(name));
    CHECK(test_support::ulp_error(s.timesteps(i), exact(r.timestep)) <= exact_bound<T>(name));
    CHECK(s.sigmas(n) == (name == "sd3_invert" ? T(1) : T(0)));  // diffusers' appended σ
    ++checked;
  }
  CHECK(checked == 15 * (1 + 2 + 4 + 10 + 20 + 28 + 50));
}

TEMPLATE_TEST_CASE("diffusers_float32 steps equal diffusers' arithmetic bit for bit", "[flow_steps]", float, double) {
  using T = TestType;
  std::map<std::pair<std::string, int>, diffuse::FlowSteps<T>> computed;
  for (const auto& r : reference_steps()) {
    const std::string& name = r.name;
    const int n = std::stoi(r.steps), i = std::stoi(r.i);
    const auto key = std::make_pair(name, n);
    if (!computed.count(key)) computed[key] = steps_of<T>(name, n, FlowPrecision::diffusers_float32);
    const auto& s = computed[key];
    INFO(name << " N = " << n << " i = " << i);
    CHECK(s.sigmas(i) == static_cast<T>(std::stof(r.sigma_float32)));
    CHECK(s.timesteps(i) == static_cast<T>(std::stof(r.timestep_float32)));
  }
}

TEST_CASE("the two conventions and the two base schedules differ as documented", "[flow_steps]") {
  using Catch::Matchers::WithinAbs;
  FlowMatchConfig sd3;
  sd3.shift = 3.0;
  for (int n : {1, 28, 50}) {
    const auto twice = diffuse::flow_match_steps(sd3, n);
    const auto once = diffuse::flow_match_steps(sd3, n, {FlowBaseSigmas::scheduler, FlowShiftConvention::single});
    CHECK(twice.sigmas(0) == 1);
    CHECK(once.sigmas(0) == 1);
    if (n == 1) continue;
    CHECK_THAT(twice.sigmas(n - 1), WithinAbs(0.0089, 5e-5));  // shift(shift(1/1000))
    CHECK_THAT(once.sigmas(n - 1), WithinAbs(0.0030, 5e-5));   // shift(1/1000)
  }
  FlowMatchConfig flux;
  flux.shift = 3.0;
  flux.use_dynamic_shifting = true;
  const double mu = flux.mu(4096);
  CHECK(mu == 1.15);
  const auto pipeline = diffuse::flow_match_steps(flux, 28, {FlowBaseSigmas::flux_pipeline}, mu);
  const auto scheduler = diffuse::flow_match_steps(flux, 28, {}, mu);
  CHECK_THAT(pipeline.sigmas(27), WithinAbs(0.105, 5e-4));
  CHECK_THAT(scheduler.sigmas(27), WithinAbs(0.0032, 5e-5));
  // The static shift ignores the convention when it is 1 or dynamic shifting is on.
  CHECK(diffuse::flow_match_steps(flux, 10, {}, mu).sigmas ==
        diffuse::flow_match_steps(flux, 10, {FlowBaseSigmas::scheduler, FlowShiftConvention::single}, mu).sigmas);
}

TEST_CASE("N = 1 gives one step from pure noise, also with shift_terminal where diffusers divides 0 by 0",
          "[flow_steps]") {
  FlowMatchConfig c;
  c.shift = 3.0;
  c.shift_terminal = 0.1;
  for (FlowPrecision p : {FlowPrecision::exact, FlowPrecision::diffusers_float32}) {
    for (FlowBaseSigmas base : {FlowBaseSigmas::scheduler, FlowBaseSigmas::flux_pipeline}) {
      const auto s = diffuse::flow_match_steps(c, 1, {base, FlowShiftConvention::diffusers, p});
      REQUIRE(s.sigmas.size() == 2);
      CHECK(s.sigmas(0) == 1);
      CHECK(s.sigmas(1) == 0);
      CHECK(s.timesteps(0) == 1000);
    }
  }
}

namespace {

/// Checks beta_quantile in long double and in double against the mpmath rows of the reference file
/// whose quantile is a normal double (subnormal_rows false) or below DBL_MIN (true).
void check_beta_quantile_rows(bool subnormal_rows) {
  int rows = 0;
  using B = BetaQuantile;
  for (const auto& r : test_support::load<B>(reference_file, "beta_quantile", &B::p, &B::a, &B::b, &B::x)) {
    const double p = std::stod(r.p), a = std::stod(r.a), b = std::stod(r.b);
    const auto x = exact(r.x);
    if ((static_cast<double>(x) < std::numeric_limits<double>::min()) != subnormal_rows) continue;
    ++rows;
    const double with_long = diffuse::detail::beta_quantile(p, a, b);
    const double with_double = diffuse::detail::beta_quantile<double>(p, a, b);
    INFO("p = " << r.p << " a = " << a << " b = " << b << " x = " << r.x);
    // The stated bound ½ + 4(|log p'| + 16)/a' · 2^(53 − w) ulp, p' = min(p, 1 − p), a' its tail's parameter.
    const double tail = std::min(p, 1 - p), a_tail = p <= 0.5 ? a : b;
    const auto bound = [&](int bits) {
      return 0.5 + 4 * (std::fabs(std::log(tail)) + 16) / a_tail * std::ldexp(1.0, 53 - bits);
    };
    CHECK(test_support::ulp_error(with_long, x) <= bound(std::numeric_limits<long double>::digits));
    CHECK(test_support::ulp_error(with_double, x) <= bound(53));
  }
  CHECK(rows > 0);
}

}  // namespace

TEST_CASE("beta_quantile is within its stated bound of mpmath", "[flow_steps][beta_quantile]") {
  check_beta_quantile_rows(false);
  CHECK(diffuse::detail::beta_quantile(0, 0.6, 0.6) == 0);
  CHECK(diffuse::detail::beta_quantile(1, 0.6, 0.6) == 1);
  CHECK(diffuse::detail::beta_quantile(0.5, 0.6, 0.6) == 0.5);  // the median of a symmetric beta
}

// A quantile below DBL_MIN needs subnormals in the double working type, which -ffast-math flushes
// to zero (README, "What -ffast-math costs").
TEST_CASE("beta_quantile keeps its bound where the quantile is subnormal or underflows",
          "[flow_steps][beta_quantile][ieee]") {
  check_beta_quantile_rows(true);
}

TEST_CASE("bad flow-matching step arguments throw with the function, the rule and the value", "[flow_steps]") {
  using diffuse::flow_match_steps;
  const FlowMatchConfig plain;
  const auto ia = [](auto f, std::vector<std::string> fragments) {
    return throws_with<std::invalid_argument>(f, fragments);
  };
  CHECK(ia([&] { flow_match_steps(plain, 0); },
           {"diffuse::flow_match_steps: the number of inference steps N must be at least 1 (got 0)"}));
  CHECK(ia([&] { flow_match_steps(plain, std::vector<double>{}); },
           {"the number of custom sigmas must be at least 1 (got 0)"}));
  CHECK(ia([&] { flow_match_steps(plain, std::vector<double>{1, 1.5}); }, {"sigmas(1) must be in [0, 1] (got 1.5)"}));
  CHECK(ia([&] { flow_match_steps(plain, std::vector<double>{1, NAN}); }, {"sigmas(1) must be in [0, 1] (got nan)"}));
  CHECK(ia(
      [&] {
        flow_match_steps(plain, std::vector<double>{0.5, 0.7});
      },
      {"sigmas(1) must be <= the sigma before it = 0.5 (got 0.7)"}));
  FlowMatchConfig c;
  c.num_train_timesteps = 0;
  CHECK(ia([&] { flow_match_steps(c, 4); }, {"num_train_timesteps must be at least 1 (got 0)"}));
  for (double shift : {0.0, -1.0, double(INFINITY), double(NAN)}) {
    c = plain;
    c.shift = shift;
    CHECK(ia([&] { flow_match_steps(c, 4); }, {"diffuse::flow_match_steps: shift must be finite and > 0 (got"}));
  }
  for (double tau : {0.0, 1.0, -0.1, double(NAN)}) {
    c = plain;
    c.shift_terminal = tau;
    CHECK(ia([&] { flow_match_steps(c, 4); }, {"shift_terminal must be in (0, 1) (got"}));
  }
  c = plain;
  c.use_dynamic_shifting = true;
  CHECK(ia([&] { flow_match_steps(c, 4); },
           {"mu (or the image sequence length) must be given when use_dynamic_shifting is true (got \"none\")"}));
  CHECK(ia([&] { flow_match_steps(c, 4, {}, double(INFINITY)); }, {"mu must be finite (got inf)"}));
  c.time_shift_type = diffuse::FlowTimeShift::linear;
  CHECK(ia([&] { flow_match_steps(c, 4, {}, 0.0); }, {"mu must be finite and > 0 (got 0)"}));
  c = plain;
  c.sigma_ramp = FlowSigmaRamp::exponential;
  CHECK(ia(
      [&] {
        flow_match_steps(c, std::vector<double>{1, 0.5, 0});
      },
      {"exponential sigmas need the last sigma before the ramp > 0 (got 0)"}));
  // Flux's μ from a sequence length: resolution_shift_mu's rules.
  CHECK(ia([&] { plain.mu(0); }, {"diffuse::resolution_shift_mu: image_seq_len must be finite and > 0 (got 0)"}));
  c = plain;
  c.base_image_seq_len = -1;
  CHECK(ia([&] { c.mu(1024); }, {"base_image_seq_len must be finite and > 0 (got -1)"}));
  c = plain;
  c.max_image_seq_len = 256;
  CHECK(ia([&] { c.mu(1024); },
           {"max_image_seq_len must be finite and greater than base_image_seq_len = 256 (got 256)"}));
}
