// EulerDiscreteScheduler's steps on a discrete VP table (euler_steps.hpp) against
// tests/reference/euler_steps.txt (gen_euler_steps_reference.py, mpmath) and against diffusers' own
// float32 output (euler_diffusers.txt, spot_check_euler_diffusers.py); the names and every rule.
#include <diffuse/euler_steps.hpp>

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "catch.hpp"
#include "support/messages.hpp"
#include "support/references.hpp"
#include "support/ulps.hpp"

namespace {

using diffuse::EulerDiscreteConfig;
using diffuse::FlowSigmaRamp;
using diffuse::TimestepSpacing;
using test_support::exact;
using test_support::throws_with;

/// The CASES of euler_cases.py.
const std::map<std::string, EulerDiscreteConfig>& cases() {
  static const std::map<std::string, EulerDiscreteConfig> table = [] {
    std::map<std::string, EulerDiscreteConfig> t;
    EulerDiscreteConfig sd15;
    sd15.betas.beta_start = 0.00085;
    sd15.betas.beta_end = 0.012;
    sd15.betas.beta_schedule = "scaled_linear";
    EulerDiscreteConfig zsnr = sd15;
    zsnr.timestep_spacing = TimestepSpacing::trailing;
    zsnr.betas.rescale_betas_zero_snr = true;
    const auto with = [](EulerDiscreteConfig c, auto change) {
      change(c);
      return c;
    };
    t["sd15"] = sd15;
    t["sd15_leading"] = with(sd15, [](EulerDiscreteConfig& c) {
      c.timestep_spacing = TimestepSpacing::leading;
      c.steps_offset = 1;
    });
    t["sd15_leading_no_offset"] =
        with(sd15, [](EulerDiscreteConfig& c) { c.timestep_spacing = TimestepSpacing::leading; });
    t["sd15_trailing"] = with(sd15, [](EulerDiscreteConfig& c) { c.timestep_spacing = TimestepSpacing::trailing; });
    t["sd15_sigma_min"] =
        with(sd15, [](EulerDiscreteConfig& c) { c.final_sigmas_type = diffuse::FinalSigma::sigma_min; });
    t["sd15_karras"] = with(sd15, [](EulerDiscreteConfig& c) { c.sigma_ramp = FlowSigmaRamp::karras; });
    t["sd15_karras_leading"] =
        with(t["sd15_leading"], [](EulerDiscreteConfig& c) { c.sigma_ramp = FlowSigmaRamp::karras; });
    t["sd15_karras_trailing_sigma_min"] = with(t["sd15_trailing"], [](EulerDiscreteConfig& c) {
      c.sigma_ramp = FlowSigmaRamp::karras;
      c.final_sigmas_type = diffuse::FinalSigma::sigma_min;
    });
    t["sd15_karras_range"] = with(t["sd15_karras"], [](EulerDiscreteConfig& c) {
      c.sigma_min = 0.03;
      c.sigma_max = 14.6;
    });
    t["sd15_exponential"] = with(sd15, [](EulerDiscreteConfig& c) { c.sigma_ramp = FlowSigmaRamp::exponential; });
    t["sd15_exponential_leading"] =
        with(t["sd15_leading"], [](EulerDiscreteConfig& c) { c.sigma_ramp = FlowSigmaRamp::exponential; });
    t["sd15_beta"] = with(sd15, [](EulerDiscreteConfig& c) { c.sigma_ramp = FlowSigmaRamp::beta; });
    t["sd15_beta_trailing"] =
        with(t["sd15_trailing"], [](EulerDiscreteConfig& c) { c.sigma_ramp = FlowSigmaRamp::beta; });
    t["sd15_log_linear"] =
        with(sd15, [](EulerDiscreteConfig& c) { c.interpolation_type = diffuse::EulerInterpolation::log_linear; });
    t["sd15_log_linear_karras"] =
        with(t["sd15_log_linear"], [](EulerDiscreteConfig& c) { c.sigma_ramp = FlowSigmaRamp::karras; });
    t["zsnr"] = zsnr;
    t["zsnr_linspace_sigma_min"] = with(zsnr, [](EulerDiscreteConfig& c) {
      c.timestep_spacing = TimestepSpacing::linspace;
      c.final_sigmas_type = diffuse::FinalSigma::sigma_min;
    });
    t["zsnr_karras"] = with(zsnr, [](EulerDiscreteConfig& c) { c.sigma_ramp = FlowSigmaRamp::karras; });
    t["zsnr_exponential"] = with(zsnr, [](EulerDiscreteConfig& c) { c.sigma_ramp = FlowSigmaRamp::exponential; });
    t["zsnr_beta"] = with(zsnr, [](EulerDiscreteConfig& c) {
      c.sigma_ramp = FlowSigmaRamp::beta;
      c.final_sigmas_type = diffuse::FinalSigma::sigma_min;
    });
    return t;
  }();
  return table;
}

/// The stated bound of the exact mode in ulps of T: ½ ulp plus the Wide error (2⁻¹⁰⁰ relative: 2⁻⁴⁷
/// ulp of double, 2⁻³⁶ of x87 long double, 0.0002 of binary128) and the reference's 40 digits
/// (10⁻⁴⁰ relative). The beta σ carry the quantile's error (detail/beta_quantile.hpp, a double
/// within 2⁻⁵¹ relative), so 4 ulp of double beyond that.
template <class T>
double exact_bound(const std::string& name) {
  constexpr int digits = std::numeric_limits<T>::digits;
  const double slack = digits > 64 ? 0.001 : 1e-6;
  if (name.find("beta") == std::string::npos) return 0.5 + slack;
  return 0.5 + 4 * std::ldexp(1.0, digits - 53) + slack;
}

/// The beta ramp's timesteps: the σ's 2⁻⁵¹ relative over the smallest step of the table's log σ
/// (0.00327 for SD 1.5, at u = 421), as an absolute error in u, beyond ½ ulp of T.
template <class T>
bool beta_timestep_within(T got, const std::string& reference) {
  const double error = static_cast<double>(abs(diffuse::detail::Wide(got) - exact(reference)));
  return error <=
         std::ldexp(1.0, -51) / 0.00327 + 0.5 * static_cast<double>(test_support::ulp_at<T>(exact(reference))) + 1e-30;
}

/// `sigma|timestep <case> <N> <i> <value>` (euler_steps.txt) and `diffusers <case> <N> sigma|timestep
/// <i> <float32 value>` (euler_diffusers.txt).
struct Value {
  std::string name, steps, i, value;
};
struct Diffusers {
  std::string name, steps, kind, i, value;
};

template <class T>
const diffuse::FlowSteps<T>& steps_of(std::map<std::pair<std::string, int>, diffuse::FlowSteps<T>>& computed,
                                      const std::string& name, int n,
                                      diffuse::FlowPrecision precision = diffuse::FlowPrecision::exact) {
  const auto key = std::make_pair(name, n);
  if (!computed.count(key)) computed[key] = diffuse::euler_discrete_steps<T>(cases().at(name), n, precision);
  return computed[key];
}

std::vector<Diffusers> diffusers_records() {
  return test_support::load<Diffusers>("euler_diffusers.txt", "diffusers", &Diffusers::name, &Diffusers::steps,
                                       &Diffusers::kind, &Diffusers::i, &Diffusers::value);
}

}  // namespace

TEMPLATE_TEST_CASE("exact Euler steps are correctly rounded against mpmath", "[euler_steps]", float, double,
                   long double) {
  using T = TestType;
  std::map<std::pair<std::string, int>, diffuse::FlowSteps<T>> computed;
  int checked = 0;
  for (const char* kind : {"sigma", "timestep"}) {
    const std::string sigma = "sigma";
    for (const auto& r :
         test_support::load<Value>("euler_steps.txt", kind, &Value::name, &Value::steps, &Value::i, &Value::value)) {
      const int n = std::stoi(r.steps), i = std::stoi(r.i);
      const auto& s = steps_of<T>(computed, r.name, n);
      REQUIRE(s.sigmas.size() == (r.name == "sd15_log_linear" ? n + 2 : n + 1));
      REQUIRE(s.timesteps.size() == n);
      const T got = kind == sigma ? s.sigmas(i) : s.timesteps(i);
      INFO(kind << " " << r.name << " N = " << n << " i = " << i << " got " << test_support::digits(got)
                << " reference " << r.value);
      if (kind != sigma && r.name.find("beta") != std::string::npos) {
        CHECK(beta_timestep_within(got, r.value));
      } else {
        CHECK(test_support::ulp_error(got, exact(r.value)) <= exact_bound<T>(r.name));
      }
      ++checked;
    }
  }
  CHECK(checked == 20 * (2 * (1 + 2 + 4 + 10 + 20 + 28 + 50) + 7) + 7);
}

/// diffusers' float32 σ against the exact ones, the bound of euler_steps.hpp: its torch float32
/// table rounds each α_t = 1 − β_t to float32 (2⁻²⁵ absolute), so ᾱ_t is off by up to t·2⁻²⁵/(1 −
/// β_T) relative and σ by ½ of that over 1 − ᾱ_t: ½·2⁻²⁵·max_t t/(1 − ᾱ_t)/(1 − β_T) = 1.78·10⁻⁵ for
/// SD 1.5 (max_t t/(1 − ᾱ_t) = 1/β_1 = 1176.5; the other float32 roundings add < 3·10⁻⁷), at most
/// 1.81·10⁻⁵·2²⁴ + ½ = 304 float32 ulps: 310 here. The timesteps move by δ log σ (twice the table's
/// 1.8·10⁻⁵ plus numpy's float32 log, within 4 ulps of |log σ| ≤ 8.4: 3.8·10⁻⁶) over the smallest
/// step of the table's log σ (0.00327, at u = 421): 2⁻⁶, plus the float32 rounding of u.
TEST_CASE("diffusers' own Euler steps are within the stated bound of the exact ones", "[euler_steps]") {
  std::map<std::pair<std::string, int>, diffuse::FlowSteps<float>> computed;
  std::map<std::pair<std::string, int>, diffuse::FlowSteps<double>> exact;
  double worst_sigma = 0, worst_timestep = 0;
  int checked = 0;
  for (const auto& r : diffusers_records()) {
    const int n = std::stoi(r.steps), i = std::stoi(r.i);
    const auto& s = steps_of<float>(computed, r.name, n);
    const double theirs = std::stod(r.value);
    INFO(r.kind << " " << r.name << " N = " << n << " i = " << i << " diffusers " << r.value);
    if (r.kind == "sigma") {
      REQUIRE(i < s.sigmas.size());
      const diffuse::detail::Wide ours(steps_of<double>(exact, r.name, n).sigmas(i));
      const double ulps = test_support::ulp_error(static_cast<float>(theirs), ours);
      INFO("ours " << test_support::digits(s.sigmas(i)) << " ulps " << ulps);
      CHECK(ulps <= 310);
      worst_sigma = std::max(worst_sigma, ulps);
    } else {
      REQUIRE(i < s.timesteps.size());
      const double error = std::abs(theirs - static_cast<double>(s.timesteps(i)));
      CHECK(error <= std::ldexp(1.0, -6) + std::abs(theirs) * std::ldexp(1.0, -24));
      worst_timestep = std::max(worst_timestep, error);
    }
    ++checked;
  }
  CHECK(checked == 20 * (2 * (1 + 2 + 4 + 10 + 20 + 28 + 50) + 7) + 7);
  WARN("largest sigma error " << worst_sigma << " float32 ulps, timestep " << worst_timestep);
}

/// The diffusers_float32 mode against diffusers' own output: every σ and every timestep without a
/// ramp bit for bit, but log_linear's σ, torch's float32 exp (Sleef's, within 1 ulp; this mode
/// rounds correctly), within 1 ulp; a ramp's fractional timesteps read the float32 log σ table, which numpy computes
/// with its SIMD log (within 3.83 ulps, numpy's stated bound; this mode rounds correctly), so they
/// move by up to 2·(3.83 + ½)·2⁻²⁰ (|log σ| < 8.4) over the table's smallest log σ step 0.00327,
/// 2.6·10⁻³: 2⁻⁸ with the float32 rounding of u.
TEST_CASE("diffusers_float32 Euler steps equal diffusers' own float32 output", "[euler_steps][ieee]") {
  std::map<std::pair<std::string, int>, diffuse::FlowSteps<float>> computed;
  int equal = 0, checked = 0;
  for (const auto& r : diffusers_records()) {
    const int n = std::stoi(r.steps), i = std::stoi(r.i);
    const auto& s = steps_of<float>(computed, r.name, n, diffuse::FlowPrecision::diffusers_float32);
    const float theirs = static_cast<float>(std::stod(r.value));
    INFO(r.kind << " " << r.name << " N = " << n << " i = " << i << " diffusers " << r.value);
    ++checked;
    if (r.kind == "sigma" && r.name == "sd15_log_linear") {  // torch's float32 exp: within 1 ulp
      REQUIRE(i < s.sigmas.size());
      const float ours = s.sigmas(i);
      CHECK((ours == theirs || std::nextafter(ours, 0.0f) == theirs || std::nextafter(ours, 1e9f) == theirs));
      equal += ours == theirs;
    } else if (r.kind == "sigma") {
      REQUIRE(i < s.sigmas.size());
      CHECK(s.sigmas(i) == theirs);
      equal += s.sigmas(i) == theirs;
    } else if (cases().at(r.name).sigma_ramp == FlowSigmaRamp::none) {
      CHECK(s.timesteps(i) == theirs);
      equal += s.timesteps(i) == theirs;
    } else {
      INFO("ours " << test_support::digits(s.timesteps(i)));
      CHECK(std::abs(s.timesteps(i) - theirs) <= std::ldexp(1.0f, -8));
      equal += s.timesteps(i) == theirs;
    }
  }
  CHECK(checked == 4747);
  WARN(equal << " of " << checked << " values equal diffusers' bit for bit");
}

TEST_CASE("diffusers_float32 ramp timesteps equal diffusers' with a correctly rounded float32 log table",
          "[euler_steps][ieee]") {
  std::map<std::pair<std::string, int>, diffuse::FlowSteps<float>> computed;
  int checked = 0;
  for (const auto& r :
       test_support::load<Diffusers>("euler_diffusers.txt", "rounded_log", &Diffusers::name, &Diffusers::steps,
                                     &Diffusers::kind, &Diffusers::i, &Diffusers::value)) {
    const int n = std::stoi(r.steps), i = std::stoi(r.i);
    const auto& s = steps_of<float>(computed, r.name, n, diffuse::FlowPrecision::diffusers_float32);
    INFO(r.name << " N = " << n << " i = " << i << " diffusers " << r.value << " ours "
                << test_support::digits(s.timesteps(i)));
    CHECK(s.timesteps(i) == static_cast<float>(std::stod(r.value)));
    ++checked;
  }
  CHECK(checked == 12 * (1 + 2 + 4 + 10 + 20 + 28 + 50));
}

TEST_CASE("bad Euler step arguments throw with the function, the rule and the value", "[euler_steps]") {
  using diffuse::euler_discrete_steps;
  const auto ia = [](auto f, std::vector<std::string> fragments) {
    return throws_with<std::invalid_argument>(f, fragments);
  };
  const EulerDiscreteConfig plain;
  CHECK(ia([&] { euler_discrete_steps(plain, 0); },
           {"diffuse::euler_discrete_steps: the number of inference steps N must be at least 1 (got 0)"}));
  CHECK(euler_discrete_steps(plain, 1500).sigmas.size() == 1501);  // linspace: diffusers takes N > T
  EulerDiscreteConfig c = plain;
  c.timestep_spacing = TimestepSpacing::trailing;
  CHECK(ia([&] { euler_discrete_steps(c, 1001); },
           {"euler_discrete_steps: the number of inference steps N must be in [1, T] = [1, 1000] (got 1001)"}));
  c.timestep_spacing = TimestepSpacing::leading;
  c.steps_offset = 1;
  CHECK(ia(
      [&] { euler_discrete_steps(c, 1000); },
      {"euler_discrete_steps: leading spacing needs steps_offset in [0, 0] to keep every timestep in [0, T - 1] (got 1)"}));
  c = plain;
  c.sigma_ramp = FlowSigmaRamp::exponential;
  c.sigma_min = 0.0;
  CHECK(ia([&] { euler_discrete_steps(c, 4); },
           {"euler_discrete_steps: the exponential ramp needs sigma_min > 0 (it takes its log) (got 0)"}));
  c.sigma_ramp = FlowSigmaRamp::karras;
  CHECK(euler_discrete_steps(c, 4).sigmas(3) == 0);  // Karras and beta take σ_min = 0
  c.sigma_min = -1.0;
  CHECK(ia([&] { euler_discrete_steps(c, 4); }, {"euler_discrete_steps: sigma_min must be finite and >= 0 (got -1)"}));
  c.sigma_min = 200.0;
  CHECK(ia([&] { euler_discrete_steps(c, 4); }, {"the ramp's sigma_min must be <= its sigma_max = 157.4"}));
  CHECK(ia([&] { euler_discrete_steps(c, 4, diffuse::FlowPrecision::diffusers_float32); },
           {"euler_discrete_steps: the ramp's sigma_min must be <= its sigma_max = 157.4"}));
  c.sigma_min = std::nullopt;
  c.sigma_max = 0.0;
  CHECK(ia([&] { euler_discrete_steps(c, 4); }, {"euler_discrete_steps: sigma_max must be finite and > 0 (got 0)"}));
  c = plain;
  c.betas.beta_schedule = "cosine";
  CHECK(ia([&] { euler_discrete_steps(c, 4); }, {"presets::diffusers: unknown beta_schedule"}));
  CHECK(ia([&] { euler_discrete_steps(c, 4, diffuse::FlowPrecision::diffusers_float32); },
           {"diffuse::euler_discrete_steps: diffusers_float32 knows the beta_schedule linear and scaled_linear (or "
            "trained_betas) (got \"cosine\")"}));
  c.betas.beta_schedule = "squaredcos_cap_v2";
  CHECK(ia([&] { euler_discrete_steps(c, 4, diffuse::FlowPrecision::diffusers_float32); },
           {"diffusers_float32 knows the beta_schedule linear and scaled_linear (or trained_betas) (got "
            "\"squaredcos_cap_v2\")"}));
  c.betas.trained_betas = {0.1, 0.2};
  CHECK(ia([&] { euler_discrete_steps(c, 4, diffuse::FlowPrecision::diffusers_float32); },
           {"diffuse::euler_discrete_steps: trained_betas must have num_train_timesteps = 1000 values (got 2)"}));
  CHECK(ia(
      [] { diffuse::euler_interpolation_from_name("log"); },
      {"diffuse::euler_interpolation_from_name: unknown interpolation_type; known: linear, log_linear (got \"log\")"}));
  CHECK(ia([] { diffuse::final_sigma_from_name("one"); },
           {"diffuse::final_sigma_from_name: unknown final_sigmas_type; known: zero, sigma_min (got \"one\")"}));
  CHECK(ia([] { diffuse::sigma_ramp_from_flags(true, false, true); },
           {"diffuse::sigma_ramp_from_flags: at most one of use_karras_sigmas, use_exponential_sigmas, use_beta_sigmas "
            "may be true; number true (got 2)"}));
  CHECK(diffuse::sigma_ramp_from_flags(false, false, true) == FlowSigmaRamp::beta);
  CHECK(diffuse::euler_interpolation_from_name("log_linear") == diffuse::EulerInterpolation::log_linear);
  CHECK(diffuse::final_sigma_from_name("sigma_min") == diffuse::FinalSigma::sigma_min);
}

TEST_CASE("log_linear gives N + 1 inference sigmas between the table's ends, as diffusers", "[euler_steps]") {
  EulerDiscreteConfig c = cases().at("sd15");
  c.interpolation_type = diffuse::EulerInterpolation::log_linear;
  const auto s = diffuse::euler_discrete_steps(c, 4);
  const auto table = diffuse::euler_discrete_steps(cases().at("sd15_sigma_min"), 1);  // N = 1: [σ_0, σ_0]
  REQUIRE(s.sigmas.size() == 6);
  CHECK(s.timesteps.size() == 4);
  CHECK(s.sigmas(4) == table.sigmas(1));                                                 // exp(log σ_0)
  CHECK(s.sigmas(0) == diffuse::euler_discrete_steps(cases().at("sd15"), 2).sigmas(0));  // σ_{T−1}
  CHECK(s.sigmas(5) == 0);
}

template struct diffuse::FlowSteps<float>;
