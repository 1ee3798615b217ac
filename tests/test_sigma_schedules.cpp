// Sampler noise-level ramps (Karras, exponential, polyexponential, VP) against 40-digit references
// within the precision contract, and the map σ ↔ (fractional) step of a Schedule in our numbering
// and k-diffusion's.
#include <diffuse/sigma_schedules.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "catch.hpp"
#include "support/continuous_reference.hpp"
#include "support/messages.hpp"
#include "support/references.hpp"
#include "support/ulps.hpp"

namespace {

using diffuse::detail::Wide;
using test_support::exact;
using test_support::input;
using test_support::judge;
using test_support::judge_relative;
using test_support::throws_with;

template <class T>
using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;

template <class T>
Vector<T> ramp(const std::string& kind, int n, const std::vector<std::string>& p) {
  if (kind == "karras") return diffuse::karras_sigmas<T>(n, std::stod(p[0]), std::stod(p[1]), std::stod(p[2]));
  if (kind == "exponential") return diffuse::exponential_sigmas<T>(n, std::stod(p[0]), std::stod(p[1]));
  if (kind == "polyexponential")
    return diffuse::polyexponential_sigmas<T>(n, std::stod(p[0]), std::stod(p[1]), std::stod(p[2]));
  return diffuse::vp_sigmas<T>(n, std::stod(p[0]), std::stod(p[1]), std::stod(p[2]));
}

}  // namespace

TEMPLATE_TEST_CASE("Karras and exponential and polyexponential and VP ramps are within the precision contract",
                   "[sigma_schedules]", float, double, long double) {
  using T = TestType;
  if (!continuous_reference::contract_tested<T>()) return;
  // Each value is rounded once from a Wide value within 2⁻¹¹⁸(1 + ρ)(1 + |log σ_min| + |log σ_max|)
  // relative (sigma_schedules.hpp), ρ = 1 for the exponential and VP ramps, whose σ_min and σ_max
  // are the ramp's ends σ(ε_s) and σ(1).
  for (const auto& r : continuous_reference::ramps()) {
    const std::string& kind = r.kind;
    const int n = std::stoi(r.steps);
    const Vector<T> sigmas = ramp<T>(kind, n, {r.first, r.second, r.third});
    INFO(kind << " N = " << n);
    REQUIRE(sigmas.size() == n + 1);
    REQUIRE(r.separator == ":");
    const bool vp = kind == "vp";
    const double rho = kind == "karras" || kind == "polyexponential" ? std::stod(r.third) : 1;
    const double log_min =
        std::log(vp ? static_cast<double>(exact(r.sigmas.at(static_cast<std::size_t>(n - 1)))) : std::stod(r.first));
    const double log_max = std::log(vp ? static_cast<double>(exact(r.sigmas.at(0))) : std::stod(r.second));
    const double weight = (1 + rho) * (1 + std::fabs(log_min) + std::fabs(log_max));
    for (int i = 0; i <= n; ++i) {
      const std::string& expected = r.sigmas.at(static_cast<std::size_t>(i));
      INFO("i = " << i << ": got " << test_support::digits(sigmas(i)) << ", expected " << expected);
      CHECK(judge_relative(sigmas(i), exact(expected), weight).ok());
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
  // as 19.9 here and as 20 − 0.1 there (equal within 2⁻¹²⁷): within 1 ulp
  const T sigma_one =
      diffuse::ContinuousProcess<T>::vp_linear(0.1, 20).noise_level(diffuse::ContinuousTime<T>(1)).value();
  CHECK_THAT(vp(0), Catch::Matchers::WithinULP(sigma_one, 1));
}

TEMPLATE_TEST_CASE("polyexponential with rho = 1 is the exponential ramp", "[sigma_schedules]", float, double) {
  using T = TestType;
  const Vector<T> a = diffuse::polyexponential_sigmas<T>(25, 0.03, 14.6, 1),
                  b = diffuse::exponential_sigmas<T>(25, 0.03, 14.6);
  // the same exact values; each rounded once from within 2⁻¹¹⁸·2(1 + |log σ_min| + |log σ_max|) of
  // it: equal or 1 ulp apart
  for (Eigen::Index i = 0; i < a.size(); ++i) CHECK_THAT(a(i), Catch::Matchers::WithinULP(b(i), 1));
}

namespace {

/// |log ᾱ_t| + |log σ_t| of a step (the size the σ ↔ step maps' bound grows with), from the rounded values.
template <class T>
double step_size(const diffuse::Schedule<T>& schedule, int t) {
  return std::fabs(static_cast<double>(schedule.log_alpha_bar(t))) +
         std::fabs(std::log(static_cast<double>(schedule.sigma(t))));
}

}  // namespace

TEMPLATE_TEST_CASE("sigma -> fractional step and nearest step and back on the DDPM schedule", "[sigma_schedules]",
                   float, double, long double) {
  using T = TestType;
  if (!continuous_reference::contract_tested<T>()) return;
  const auto schedule = diffuse::Schedule<T>::linear(1000);
  // The contract of sigma_schedules.hpp: with Λ the larger |log ᾱ_t| + |log σ_t| of the two steps
  // around u and Δ = log σ_{t+1} − log σ_t their gap, fractional_step is rounded once from within
  // 2⁻¹¹⁴(1 + Λ)²/Δ + 2⁻¹²⁵u absolute, noise_level from within 2⁻¹¹⁶(1 + Λ)² relative.
  for (const auto& r : continuous_reference::fractional_steps()) {
    const T sigma = input<T>(r.sigma);
    const Wide u = exact(r.u);
    const int lo = std::min(static_cast<int>(static_cast<double>(u)), schedule.steps() - 1);
    const double size = std::max(step_size(schedule, lo), step_size(schedule, lo + 1));
    const double gap = std::log(static_cast<double>(schedule.sigma(lo + 1)) / static_cast<double>(schedule.sigma(lo)));
    const Wide evaluation = Wide(std::ldexp((1 + size) * (1 + size) / gap, -114)) + ldexp(u, -125);
    const T got = diffuse::fractional_step(schedule, diffuse::NoiseLevel<T>(sigma)).value();
    INFO("sigma = " << r.sigma << ": got " << test_support::digits(got) << ", expected " << r.u);
    CHECK(judge(got, u, evaluation, u).ok());
    CHECK(diffuse::nearest_step(schedule, diffuse::NoiseLevel<T>(sigma)) == std::stoi(r.nearest_step));
  }
  for (const auto& r : continuous_reference::mappings("noise_level")) {
    const T u = input<T>(r.argument);
    const int lo = std::min(static_cast<int>(u), schedule.steps() - 1);
    const double size = std::max(step_size(schedule, lo), step_size(schedule, lo + 1));
    const T got = diffuse::noise_level(schedule, diffuse::FractionalStep<T>(u)).value();
    INFO("u = " << r.argument << ": got " << test_support::digits(got) << ", expected " << r.value);
    CHECK(judge_relative(got, exact(r.value), 4 * (1 + size) * (1 + size)).ok());
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
      CHECK(std::fabs(static_cast<W>(back) - t) <= test_support::ulp(back) / 2 + 1.01L * u / gap);
      // k-diffusion's index of the same σ is t − 1
      CHECK(std::fabs(static_cast<W>(diffuse::fractional_step(schedule, sigma).model_index()) - (t - 1)) <=
            test_support::ulp(back) + 1.01L * u / gap);
      CHECK(
          diffuse::noise_level(schedule, diffuse::FractionalStep<T>::from_model_index(static_cast<T>(t - 1))).value() ==
          schedule.sigma(t));
    }
  }
}

TEMPLATE_TEST_CASE("the ends: sigma 0 and below sigma_1 and above sigma_T and one-step and zero-terminal-SNR schedules",
                   "[sigma_schedules][ieee]", float, double) {
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

TEST_CASE("bad ramp parameters and fractional steps throw with the function and the rule and the value",
          "[sigma_schedules][errors]") {
  using IA = std::invalid_argument;
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  CHECK(throws_with<IA>([] { diffuse::karras_sigmas<double>(0); },
                        {"diffuse::karras_sigmas: the number of noise levels N must be at least 1 (got 0)"}));
  CHECK(throws_with<IA>([] { diffuse::exponential_sigmas<float>(-2); },
                        {"diffuse::exponential_sigmas: the number of noise levels N"}));
  CHECK(throws_with<IA>([] { diffuse::polyexponential_sigmas<double>(0); },
                        {"diffuse::polyexponential_sigmas: the number"}));
  CHECK(throws_with<IA>([] { diffuse::vp_sigmas<double>(0); },
                        {"diffuse::vp_sigmas: the number of noise levels N must be at least 1 (got 0)"}));
  CHECK(throws_with<IA>([] { diffuse::karras_sigmas<double>(10, 0); },
                        {"diffuse::karras_sigmas: sigma_min must be finite and > 0 (got 0)"}));
  CHECK(throws_with<IA>([] { diffuse::karras_sigmas<double>(10, -1, 80); },
                        {"sigma_min must be finite and > 0 (got -1)"}));
  CHECK(throws_with<IA>([] { diffuse::karras_sigmas<double>(10, 80, 80); },
                        {"diffuse::karras_sigmas: sigma_max must be finite and greater than sigma_min (got 80)"}));
  CHECK(throws_with<IA>([&] { diffuse::exponential_sigmas<double>(10, 0.1, inf); },
                        {"diffuse::exponential_sigmas: sigma_max", "(got inf)"}));
  CHECK(throws_with<IA>([&] { diffuse::polyexponential_sigmas<double>(10, nan, 1); },
                        {"sigma_min must be finite and > 0 (got nan)"}));
  CHECK(throws_with<IA>([] { diffuse::karras_sigmas<double>(10, 0.002, 80, 0); },
                        {"diffuse::karras_sigmas: rho must be finite and > 0 (got 0)"}));
  CHECK(throws_with<IA>([] { diffuse::polyexponential_sigmas<double>(10, 0.002, 80, -1); },
                        {"diffuse::polyexponential_sigmas: rho must be finite and > 0 (got -1)"}));
  CHECK(throws_with<IA>([] { diffuse::vp_sigmas<double>(10, -1); },
                        {"diffuse::vp_sigmas: beta_d must be finite and >= 0 (got -1)"}));
  CHECK(throws_with<IA>([&] { diffuse::vp_sigmas<double>(10, 19.9, nan); },
                        {"diffuse::vp_sigmas: beta_min must be finite and >= 0 (got nan)"}));
  CHECK(throws_with<IA>([] { diffuse::vp_sigmas<double>(10, 0, 0); },
                        {"diffuse::vp_sigmas: beta_d + beta_min must be > 0 (got 0)"}));
  CHECK(throws_with<IA>([] { diffuse::vp_sigmas<double>(10, 19.9, 0.1, 0); },
                        {"diffuse::vp_sigmas: eps_s must be in (0, 1] (got 0)"}));
  CHECK(throws_with<IA>([] { diffuse::vp_sigmas<double>(10, 19.9, 0.1, 1.5); }, {"eps_s must be in (0, 1] (got 1.5)"}));
  const auto schedule = diffuse::Schedule<double>::linear(1000);
  CHECK(throws_with<std::out_of_range>([&] { diffuse::noise_level(schedule, diffuse::FractionalStep<double>(0.5)); },
                                       {"diffuse::noise_level: fractional step must be 0 or in [1, 1000] (got 0.5)"}));
  CHECK(
      throws_with<std::out_of_range>([&] { diffuse::noise_level(schedule, diffuse::FractionalStep<double>(1000.25)); },
                                     {"fractional step must be 0 or in [1, 1000] (got 1000.25)"}));
}
