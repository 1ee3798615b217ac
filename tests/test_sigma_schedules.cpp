// Sampler noise-level ramps (Karras, exponential, polyexponential, VP) against 60-digit references,
// and the map σ ↔ (fractional) step of a Schedule in our numbering and k-diffusion's.
#include <diffuse/sigma_schedules.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "catch.hpp"
#include "continuous_reference.hpp"

namespace {

using continuous_reference::close;
using continuous_reference::exact;
using continuous_reference::input;
using continuous_reference::load;
using continuous_reference::throws_with;

const char* const sigmas_file = "continuous_sigmas.txt";

template <class T>
using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;

template <class T>
Vector<T> ramp(const std::string& kind, int n, const std::vector<std::string>& p) {
  if (kind == "karras") return diffuse::karras_sigmas<T>(n, std::stod(p[0]), std::stod(p[1]), std::stod(p[2]));
  if (kind == "exponential") return diffuse::exponential_sigmas<T>(n, std::stod(p[0]), std::stod(p[1]));
  if (kind == "polyexponential") return diffuse::polyexponential_sigmas<T>(n, std::stod(p[0]), std::stod(p[1]), std::stod(p[2]));
  return diffuse::vp_sigmas<T>(n, std::stod(p[0]), std::stod(p[1]), std::stod(p[2]));
}

}  // namespace

TEMPLATE_TEST_CASE("Karras and exponential and polyexponential and VP ramps match the 60-digit reference", "[sigma_schedules]", float,
                   double) {
  using T = TestType;
  // Each value is one expression in long double rounded once: Karras ((1 − r)σ_max^{1/ρ} + rσ_min^{1/ρ})^ρ
  // (pow with condition ρ ≤ 7 applied to a sum within 4 units: ≤ 7·4 + 2 units), exp of a sum of two
  // logs each ≤ 11 in size (≤ 2·11·2 + 2 units), VP e^{B/2}√(−expm1(−B)) with B ≤ 10.05
  // (≤ 10·2 + 6 units): all within 64 units of 2⁻⁶⁴ (+1 for the reference's rounding).
  for (const auto& r : load(sigmas_file, "ramp")) {
    const std::string kind = r[0];
    const int n = std::stoi(r[1]);
    const Vector<T> sigmas = ramp<T>(kind, n, {r[2], r[3], r[4]});
    INFO(kind << " N = " << n);
    REQUIRE(sigmas.size() == n + 1);
    REQUIRE(r[5] == ":");
    for (int i = 0; i <= n; ++i) {
      INFO("i = " << i);
      CHECK(close(sigmas(i), exact(r[static_cast<std::size_t>(6 + i)]), 65));
    }
    CHECK(sigmas(n) == 0);  // the appended zero
    for (int i = 1; i < n; ++i) CHECK(sigmas(i) < sigmas(i - 1));
  }
}

TEMPLATE_TEST_CASE("N = 1 gives sigma_max then 0 without dividing by zero", "[sigma_schedules]", float, double) {
  using T = TestType;
  const Vector<T> karras = diffuse::karras_sigmas<T>(1), exponential = diffuse::exponential_sigmas<T>(1),
                  poly = diffuse::polyexponential_sigmas<T>(1, 0.002, 80, 3), vp = diffuse::vp_sigmas<T>(1);
  for (const Vector<T>* v : {&karras, &exponential, &poly}) {
    REQUIRE(v->size() == 2);
    CHECK((*v)(0) == T(80));  // σ_max^{ρ·1/ρ} and e^{log σ_max} round back to 80
    CHECK((*v)(1) == 0);
  }
  REQUIRE(vp.size() == 2);
  CHECK(std::isfinite(vp(0)));
  CHECK(vp(1) == 0);
  // the VP ramp starts at σ(1) of ContinuousProcess::vp_linear(0.1, 20): the same formula, β_d given
  // as 19.9 here and as 20 − 0.1 there (equal to 1 unit of 2⁻⁶⁴): within 1 ulp
  const T sigma_one = diffuse::ContinuousProcess<T>::vp_linear(0.1, 20).noise_level(diffuse::ContinuousTime<T>(1)).value();
  CHECK_THAT(vp(0), Catch::Matchers::WithinULP(sigma_one, 1));
}

TEMPLATE_TEST_CASE("polyexponential with rho = 1 is the exponential ramp", "[sigma_schedules]", float, double) {
  using T = TestType;
  const Vector<T> a = diffuse::polyexponential_sigmas<T>(25, 0.03, 14.6, 1), b = diffuse::exponential_sigmas<T>(25, 0.03, 14.6);
  // the same exact values; each rounded once after ≤ 64 units of 2⁻⁶⁴: equal or 1 ulp apart
  for (Eigen::Index i = 0; i < a.size(); ++i) CHECK_THAT(a(i), Catch::Matchers::WithinULP(b(i), 1));
}

TEMPLATE_TEST_CASE("sigma -> fractional step and nearest step and back on the DDPM schedule", "[sigma_schedules]", float, double) {
  using T = TestType;
  const auto schedule = diffuse::Schedule<T>::linear(1000);
  // log σ_t from the long double schedule: within 2⁻⁵⁸ (its contract, ≤ 20 units of 2⁻⁶⁴ in log ᾱ,
  // times the condition |L/(2(1 − ᾱ))| ≤ 6 of ½ log expm1(−L)); neighbouring log σ differ by
  // ≥ 0.01 (≈ β/2 at the top), so the weight w is within 2⁻⁵⁸·2/0.01 < 2⁻⁵¹ absolute.
  const long double weight_error = std::ldexp(1.0L, -51);
  for (const auto& r : load(sigmas_file, "fractional_step")) {
    const T sigma = input<T>(r[0]);
    const long double u = exact(r[1]);
    INFO("sigma = " << r[0]);
    const auto step = diffuse::fractional_step(schedule, diffuse::NoiseLevel<T>(sigma));
    CHECK(std::fabs(static_cast<long double>(step.value()) - u) <= continuous_reference::ulp(step.value()) / 2 + weight_error);
    CHECK(diffuse::nearest_step(schedule, diffuse::NoiseLevel<T>(sigma)) == std::stoi(r[2]));
  }
  for (const auto& r : load(sigmas_file, "noise_level")) {
    const T u = input<T>(r[0]);
    INFO("u = " << r[0]);
    // exp of an interpolation of values within 2⁻⁵⁸ absolute (|log σ| ≤ 5.1): relative ≤ 2⁻⁵⁸ + 2 units
    CHECK(close(diffuse::noise_level(schedule, diffuse::FractionalStep<T>(u)).value(), exact(r[1]), 66));
  }
}

TEMPLATE_TEST_CASE("every step's own sigma maps back to that step", "[sigma_schedules]", float, double) {
  using T = TestType;
  using W = long double;
  const W u = std::numeric_limits<T>::epsilon() / 2;
  for (const auto& schedule : {diffuse::Schedule<T>::linear(1000), diffuse::Schedule<T>::cosine(50)}) {
    const int steps = schedule.steps();
    for (int t = 1; t <= steps; ++t) {
      const diffuse::NoiseLevel<T> sigma(schedule.sigma(t));
      INFO("T = " << steps << " t = " << t);
      CHECK(diffuse::nearest_step(schedule, sigma) == t);
      CHECK(diffuse::noise_level(schedule, diffuse::FractionalStep<T>(static_cast<T>(t))).value() == schedule.sigma(t));
      // σ_t rounded to T moves log σ by ≤ u, the step by ≤ u over the smaller neighbouring log-σ gap
      W gap = std::numeric_limits<W>::infinity();
      if (t > 1) gap = std::min(gap, std::log(static_cast<W>(schedule.sigma(t)) / schedule.sigma(t - 1)));
      if (t < steps) gap = std::min(gap, std::log(static_cast<W>(schedule.sigma(t + 1)) / schedule.sigma(t)));
      const T back = diffuse::fractional_step(schedule, sigma).value();
      CHECK(std::fabs(static_cast<W>(back) - t) <= continuous_reference::ulp(back) / 2 + 1.01L * u / gap);
      // k-diffusion's index of the same σ is t − 1
      CHECK(std::fabs(static_cast<W>(diffuse::fractional_step(schedule, sigma).model_index()) - (t - 1)) <=
            continuous_reference::ulp(back) + 1.01L * u / gap);
      CHECK(diffuse::noise_level(schedule, diffuse::FractionalStep<T>::from_model_index(static_cast<T>(t - 1))).value() ==
            schedule.sigma(t));
    }
  }
}

TEMPLATE_TEST_CASE("the ends: sigma 0 and below sigma_1 and above sigma_T and one-step and zero-terminal-SNR schedules", "[sigma_schedules][ieee]",
                   float, double) {
  using T = TestType;
  const T inf = std::numeric_limits<T>::infinity();
  const auto schedule = diffuse::Schedule<T>::linear(1000);
  CHECK(diffuse::fractional_step(schedule, diffuse::NoiseLevel<T>(0)).value() == 0);
  CHECK(diffuse::nearest_step(schedule, diffuse::NoiseLevel<T>(0)) == 0);
  CHECK(diffuse::noise_level(schedule, diffuse::FractionalStep<T>(0)).value() == 0);
  CHECK(diffuse::fractional_step(schedule, diffuse::NoiseLevel<T>(T(1e-5))).value() == 1);  // clamped as k-diffusion
  CHECK(diffuse::nearest_step(schedule, diffuse::NoiseLevel<T>(T(1e-5))) == 1);
  CHECK(diffuse::fractional_step(schedule, diffuse::NoiseLevel<T>(T(1e6))).value() == 1000);
  CHECK(diffuse::nearest_step(schedule, diffuse::NoiseLevel<T>(inf)) == 1000);
  const auto one = diffuse::Schedule<T>::linear(1);
  CHECK(diffuse::fractional_step(one, diffuse::NoiseLevel<T>(T(0.5))).value() == 1);
  CHECK(diffuse::fractional_step(one, diffuse::NoiseLevel<T>(T(1e-9))).value() == 1);
  CHECK(diffuse::nearest_step(one, diffuse::NoiseLevel<T>(T(3))) == 1);
  const auto zero_snr = schedule.zero_terminal_snr();  // σ_T = ∞
  CHECK(diffuse::noise_level(zero_snr, diffuse::FractionalStep<T>(1000)).value() == inf);
  CHECK(diffuse::noise_level(zero_snr, diffuse::FractionalStep<T>(T(999.5))).value() == inf);
  CHECK(diffuse::fractional_step(zero_snr, diffuse::NoiseLevel<T>(T(1e6))).value() == 999);
  CHECK(diffuse::fractional_step(zero_snr, diffuse::NoiseLevel<T>(inf)).value() == 1000);
  CHECK(diffuse::nearest_step(zero_snr, diffuse::NoiseLevel<T>(T(1e6))) == 999);
  CHECK(diffuse::nearest_step(zero_snr, diffuse::NoiseLevel<T>(inf)) == 1000);
}

TEST_CASE("bad ramp parameters and fractional steps throw with the function and the rule and the value", "[sigma_schedules][errors]") {
  using IA = std::invalid_argument;
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  CHECK(throws_with<IA>([] { diffuse::karras_sigmas<double>(0); },
                        {"diffuse::karras_sigmas: the number of noise levels N must be at least 1 (got 0)"}));
  CHECK(throws_with<IA>([] { diffuse::exponential_sigmas<float>(-2); }, {"diffuse::exponential_sigmas: the number of noise levels N"}));
  CHECK(throws_with<IA>([] { diffuse::polyexponential_sigmas<double>(0); }, {"diffuse::polyexponential_sigmas: the number"}));
  CHECK(throws_with<IA>([] { diffuse::vp_sigmas<double>(0); }, {"diffuse::vp_sigmas: the number of noise levels N must be at least 1 (got 0)"}));
  CHECK(throws_with<IA>([] { diffuse::karras_sigmas<double>(10, 0); }, {"diffuse::karras_sigmas: sigma_min must be finite and > 0 (got 0)"}));
  CHECK(throws_with<IA>([] { diffuse::karras_sigmas<double>(10, -1, 80); }, {"sigma_min must be finite and > 0 (got -1)"}));
  CHECK(throws_with<IA>([] { diffuse::karras_sigmas<double>(10, 80, 80); },
                        {"diffuse::karras_sigmas: sigma_max must be finite and greater than sigma_min (got 80)"}));
  CHECK(throws_with<IA>([&] { diffuse::exponential_sigmas<double>(10, 0.1, inf); }, {"diffuse::exponential_sigmas: sigma_max", "(got inf)"}));
  CHECK(throws_with<IA>([&] { diffuse::polyexponential_sigmas<double>(10, nan, 1); }, {"sigma_min must be finite and > 0 (got nan)"}));
  CHECK(throws_with<IA>([] { diffuse::karras_sigmas<double>(10, 0.002, 80, 0); }, {"diffuse::karras_sigmas: rho must be finite and > 0 (got 0)"}));
  CHECK(throws_with<IA>([] { diffuse::polyexponential_sigmas<double>(10, 0.002, 80, -1); },
                        {"diffuse::polyexponential_sigmas: rho must be finite and > 0 (got -1)"}));
  CHECK(throws_with<IA>([] { diffuse::vp_sigmas<double>(10, -1); }, {"diffuse::vp_sigmas: beta_d must be finite and >= 0 (got -1)"}));
  CHECK(throws_with<IA>([&] { diffuse::vp_sigmas<double>(10, 19.9, nan); }, {"diffuse::vp_sigmas: beta_min must be finite and >= 0 (got nan)"}));
  CHECK(throws_with<IA>([] { diffuse::vp_sigmas<double>(10, 0, 0); }, {"diffuse::vp_sigmas: beta_d + beta_min must be > 0 (got 0)"}));
  CHECK(throws_with<IA>([] { diffuse::vp_sigmas<double>(10, 19.9, 0.1, 0); }, {"diffuse::vp_sigmas: eps_s must be in (0, 1] (got 0)"}));
  CHECK(throws_with<IA>([] { diffuse::vp_sigmas<double>(10, 19.9, 0.1, 1.5); }, {"eps_s must be in (0, 1] (got 1.5)"}));
  const auto schedule = diffuse::Schedule<double>::linear(1000);
  CHECK(throws_with<std::out_of_range>([&] { diffuse::noise_level(schedule, diffuse::FractionalStep<double>(0.5)); },
                                       {"diffuse::noise_level: fractional step must be 0 or in [1, 1000] (got 0.5)"}));
  CHECK(throws_with<std::out_of_range>([&] { diffuse::noise_level(schedule, diffuse::FractionalStep<double>(1000.25)); },
                                       {"fractional step must be 0 or in [1, 1000] (got 1000.25)"}));
}
