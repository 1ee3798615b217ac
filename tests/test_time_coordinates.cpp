// The strong types ContinuousTime, LogSnr, NoiseLevel and FractionalStep: checks, no implicit
// conversions, k-diffusion's 0-based index, and the process-free conversions λ = −2 log σ, σ = e^{−λ/2}.
#include <diffuse/continuous.hpp>
#include <diffuse/flow.hpp>
#include <diffuse/time_coordinates.hpp>

#include <cmath>
#include <limits>
#include <type_traits>
#include <utility>

#include "catch.hpp"
#include "support/continuous_reference.hpp"
#include "support/messages.hpp"
#include "support/references.hpp"
#include "support/ulps.hpp"

template class diffuse::ContinuousTime<float>;
template class diffuse::LogSnr<double>;
template class diffuse::NoiseLevel<long double>;
template class diffuse::FractionalStep<double>;

namespace {

template <class Process, class Argument, class = void>
struct can_call_time : std::false_type {};
template <class Process, class Argument>
struct can_call_time<Process, Argument, decltype(void(std::declval<const Process&>().time(std::declval<Argument>())))>
    : std::true_type {};

}  // namespace

// A number is none of the coordinates, and no coordinate is another: each of these would compile
// (and silently mean something else) if a constructor lost its `explicit`.
using D = double;
static_assert(!std::is_convertible<D, diffuse::ContinuousTime<D>>::value, "t must be constructed explicitly");
static_assert(!std::is_convertible<D, diffuse::LogSnr<D>>::value, "lambda must be constructed explicitly");
static_assert(!std::is_convertible<D, diffuse::NoiseLevel<D>>::value, "sigma must be constructed explicitly");
static_assert(!std::is_convertible<D, diffuse::FractionalStep<D>>::value, "a step must be constructed explicitly");
static_assert(!std::is_constructible<diffuse::LogSnr<D>, diffuse::NoiseLevel<D>>::value, "sigma is not lambda");
static_assert(!std::is_constructible<diffuse::NoiseLevel<D>, diffuse::ContinuousTime<D>>::value, "t is not sigma");
static_assert(!std::is_constructible<diffuse::ContinuousTime<D>, diffuse::LogSnr<D>>::value, "lambda is not t");
static_assert(!std::is_constructible<diffuse::ContinuousTime<D>, diffuse::FractionalStep<D>>::value, "a step is not t");
static_assert(!can_call_time<diffuse::ContinuousProcess<D>, D>::value, "process.time(0.5) must not compile");
static_assert(can_call_time<diffuse::ContinuousProcess<D>, diffuse::LogSnr<D>>::value, "process.time(LogSnr) compiles");
static_assert(can_call_time<diffuse::ContinuousProcess<D>, diffuse::NoiseLevel<D>>::value,
              "process.time(NoiseLevel) compiles");

TEMPLATE_TEST_CASE("the coordinates keep their values and accept their end points", "[time_coordinates]", float,
                   double) {
  using T = TestType;
  const T inf = std::numeric_limits<T>::infinity();
  CHECK(diffuse::ContinuousTime<T>(0).value() == 0);
  CHECK(diffuse::ContinuousTime<T>(1).value() == 1);
  CHECK(diffuse::ContinuousTime<T>(T(0.3)).value() == T(0.3));
  CHECK(diffuse::LogSnr<T>(inf).value() == inf);
  CHECK(diffuse::LogSnr<T>(-inf).value() == -inf);
  CHECK(diffuse::NoiseLevel<T>(0).value() == 0);
  CHECK(diffuse::NoiseLevel<T>(inf).value() == inf);
  CHECK(diffuse::FractionalStep<T>(0).value() == 0);
  CHECK(diffuse::FractionalStep<T>(T(999.5)).value() == T(999.5));
}

TEMPLATE_TEST_CASE("minus zero is stored as plus zero, so the data end has one representation",
                   "[time_coordinates][ieee]", float, double) {
  using T = TestType;
  CHECK_FALSE(std::signbit(diffuse::ContinuousTime<T>(-T(0)).value()));
  CHECK_FALSE(std::signbit(diffuse::NoiseLevel<T>(-T(0)).value()));
  // Where the sign would have gone: the flow's b(t) = t and σ(t) = t/(1 − t).
  const diffuse::RectifiedFlow<T> flow;
  CHECK_FALSE(std::signbit(flow.noise_scale(diffuse::ContinuousTime<T>(-T(0)))));
  CHECK_FALSE(std::signbit(flow.noise_level(diffuse::ContinuousTime<T>(-T(0))).value()));
  for (const auto& process : {diffuse::ContinuousProcess<T>::vp_linear(), diffuse::ContinuousProcess<T>::sub_vp(),
                              diffuse::ContinuousProcess<T>::cosine(), diffuse::ContinuousProcess<T>::vdm_linear()}) {
    CHECK_FALSE(std::signbit(process.noise_scale(diffuse::ContinuousTime<T>(-T(0)))));
    CHECK_FALSE(std::signbit(process.noise_level(diffuse::ContinuousTime<T>(-T(0))).value()));
  }
}

TEMPLATE_TEST_CASE("FractionalStep converts to and from k-diffusion's 0-based index by exactly one",
                   "[time_coordinates]", float, double) {
  using T = TestType;
  CHECK(diffuse::FractionalStep<T>(T(1.5)).model_index() == T(0.5));
  CHECK(diffuse::FractionalStep<T>(1).model_index() == 0);
  CHECK(diffuse::FractionalStep<T>(1000).model_index() == 999);
  CHECK(diffuse::FractionalStep<T>::from_model_index(T(0.25)).value() == T(1.25));
  CHECK(diffuse::FractionalStep<T>::from_model_index(0).value() == 1);
  CHECK(diffuse::FractionalStep<T>::from_model_index(999).value() == 1000);
}

TEMPLATE_TEST_CASE("lambda = -2 log sigma and sigma = exp(-lambda/2) at known values and round trip",
                   "[time_coordinates][ieee]", float, double, long double) {
  using T = TestType;
  using W = long double;
  if (!continuous_reference::contract_tested<T>()) return;
  const T inf = std::numeric_limits<T>::infinity();
  CHECK(diffuse::log_snr(diffuse::NoiseLevel<T>(1)).value() == 0);
  CHECK(diffuse::log_snr(diffuse::NoiseLevel<T>(0)).value() == inf);
  CHECK(diffuse::log_snr(diffuse::NoiseLevel<T>(inf)).value() == -inf);
  CHECK(diffuse::noise_level(diffuse::LogSnr<T>(0)).value() == 1);
  CHECK(diffuse::noise_level(diffuse::LogSnr<T>(inf)).value() == 0);
  CHECK(diffuse::noise_level(diffuse::LogSnr<T>(-inf)).value() == inf);
  // Against the 40-digit references: each rounded once from a Wide value within 2⁻¹²⁴ relative
  // (time_coordinates.hpp), so within ½ ulp + that (λ = 0 at σ = 1 exactly; beyond T's range σ
  // rounds to 0 or to ∞).
  using diffuse::detail::Wide;
  for (const auto& r : continuous_reference::mappings("log_snr_of_sigma")) {
    const T got = diffuse::log_snr(diffuse::NoiseLevel<T>(test_support::input<T>(r.argument))).value();
    const Wide x = test_support::exact(r.value);
    INFO("sigma = " << r.argument << ": got " << test_support::digits(got) << ", expected " << r.value);
    CHECK(test_support::judge(got, x, ldexp(abs(x), -124), x.is_zero() ? Wide(1) : abs(x)).ok());
  }
  for (const auto& r : continuous_reference::mappings("sigma_of_log_snr")) {
    const T got = diffuse::noise_level(diffuse::LogSnr<T>(test_support::input<T>(r.argument))).value();
    const Wide x = test_support::exact(r.value);
    INFO("lambda = " << r.argument << ": got " << test_support::digits(got) << ", expected " << r.value);
    CHECK(test_support::judge(got, x, ldexp(abs(x), -124), abs(x)).ok());
  }
  // σ → λ → σ: λ̂ = −2 log σ (1 + e₁)(1 + e₂), |e₁| ≤ 2⁻¹²⁴ (Wide), |e₂| ≤ u (the rounding to T);
  // then e^{−λ̂/2} = σ e^x, x = λ(e₁ + e₂ + e₁e₂)/2, is within 2⁻¹²⁴ in Wide and rounded once:
  // relative error ≤ |x| + x² + u + 2⁻¹²⁴ ≤ (1 + |λ|/2)(u + 2⁻¹²³) + λ²u².
  const W u = std::numeric_limits<T>::epsilon() / 2;
  for (int k = -40; k <= 40; ++k) {
    for (const W mantissa : {1.0L, 1.375L, 1.9375L}) {
      const T sigma = static_cast<T>(std::ldexp(mantissa, k));
      const T lambda = diffuse::log_snr(diffuse::NoiseLevel<T>(sigma)).value();
      const T back = diffuse::noise_level(diffuse::LogSnr<T>(lambda)).value();
      INFO("sigma = " << static_cast<double>(sigma));
      const W size = std::fabs(static_cast<W>(lambda));
      CHECK(std::fabs(static_cast<W>(back) - sigma) <=
            ((1 + size / 2) * (u + std::ldexp(1.0L, -123)) + size * size * u * u) * sigma);
    }
  }
}

TEST_CASE("bad coordinates throw with the type and the rule and the value", "[time_coordinates][errors]") {
  using test_support::throws_with;
  using OR = std::out_of_range;
  using IA = std::invalid_argument;
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  CHECK(throws_with<OR>([] { diffuse::ContinuousTime<double>(-0.5); },
                        {"diffuse::ContinuousTime: t must be in [0, 1] (got -0.5)"}));
  CHECK(throws_with<OR>([] { diffuse::ContinuousTime<float>(1.25f); },
                        {"diffuse::ContinuousTime: t must be in [0, 1] (got 1.25)"}));
  CHECK(throws_with<OR>([&] { diffuse::ContinuousTime<double>{nan}; }, {"t must be in [0, 1] (got nan)"}));
  CHECK(throws_with<IA>([&] { diffuse::LogSnr<double>{nan}; }, {"diffuse::LogSnr: log-SNR must not be NaN (got nan)"}));
  CHECK(throws_with<IA>([] { diffuse::NoiseLevel<double>(-0.5); },
                        {"diffuse::NoiseLevel: sigma must be >= 0 (got -0.5)"}));
  CHECK(throws_with<IA>([&] { diffuse::NoiseLevel<double>{nan}; },
                        {"diffuse::NoiseLevel: sigma must be >= 0 (got nan)"}));
  CHECK(throws_with<OR>([] { diffuse::FractionalStep<double>(-1); },
                        {"diffuse::FractionalStep: step must be finite and >= 0 (got -1)"}));
  CHECK(throws_with<OR>([&] { diffuse::FractionalStep<double>{inf}; }, {"step must be finite and >= 0 (got inf)"}));
  CHECK(throws_with<OR>([] { diffuse::FractionalStep<double>(0.5).model_index(); },
                        {"diffuse::FractionalStep::model_index: step must be >= 1 to have a 0-based index (got 0.5)"}));
  CHECK(throws_with<OR>([] { diffuse::FractionalStep<double>::from_model_index(-0.25); },
                        {"diffuse::FractionalStep::from_model_index: index must be finite and >= 0 (got -0.25)"}));
}
