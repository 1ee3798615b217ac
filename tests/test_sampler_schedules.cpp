// The sampler σ-schedules (sampler_schedules.hpp) against the golden sequences of
// gen_sampler_schedules_reference.py (ComfyUI's definitions, mpmath) for N ∈ {1, 2, 4, 10, 20, 28, 50}
// on SD 1.5 (= SDXL), SD3 (flow, shift 3), Flux (μ 1.15), EDM, continuous V, AuraFlow and discrete
// EDM; their lengths and final zeros; every argument rule.
#include <diffuse/sampler_schedules.hpp>

#include <cmath>
#include <limits>
#include <string>

#include <Eigen/Core>

#include "catch.hpp"
#include "model_sampling_reference.hpp"

namespace {

using continuous_reference::load;
using continuous_reference::throws_with;
using model_sampling_reference::file;
using model_sampling_reference::judge;
using model_sampling_reference::with_family;

template <class T>
using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;

}  // namespace

TEMPLATE_TEST_CASE("every schedule on every model sampling matches its golden sequence within the contract", "[sampler_schedules]",
                   float, double, long double) {
  using T = TestType;
  if (!continuous_reference::contract_tested<T>()) return;
  int sequences = 0;
  for (const auto& r : load(file, "schedule")) {
    const std::string family = r[0], name = r[1];
    const int n = std::stoi(r[2]);
    REQUIRE(r[3] == ":");
    with_family<T>(family, [&](const auto& ms) {
      const Vector<T> sigmas = diffuse::sampler_sigmas(ms, name, n);
      INFO(family << " " << name << " N = " << n);
      REQUIRE(static_cast<std::size_t>(sigmas.size()) == r.size() - 4);
      for (Eigen::Index i = 0; i < sigmas.size(); ++i) {
        const std::string& expected = r[static_cast<std::size_t>(4 + i)];
        INFO("i = " << i << ": got " << reference::digits(sigmas(i)) << ", expected " << expected);
        CHECK(judge(sigmas(i), expected).ok());
      }
      ++sequences;
    });
  }
  CHECK(sequences == 7 * 9 * 7);
}

TEMPLATE_TEST_CASE("lengths, final zeros and N = 1 are each tool's", "[sampler_schedules]", float, double) {
  using T = TestType;
  const diffuse::DiscreteVpSampling<T> sd15(diffuse::Schedule<T>::scaled_linear(1000));
  for (const std::string& name : diffuse::sampler_schedule_names()) {
    INFO(name);
    const Vector<T> one = diffuse::sampler_sigmas(sd15, name, 1);
    if (name == "laplace") {
      REQUIRE(one.size() == 1);  // no final zero
      CHECK(one(0) == sd15.sigma_max());  // e^{−½ log 10⁻⁵} = 316 is clamped
    } else if (name == "ddim_uniform") {
      REQUIRE(one.size() == 2);
      CHECK(one(0) == sd15.table_sigma(1));  // starts at index 1 (our step 2), not at σ_max
      CHECK(one(1) == 0);
    } else {
      REQUIRE(one.size() == 2);
      CHECK(one(0) == sd15.sigma_max());  // kl_optimal: ComfyUI gives NaN here (0/0)
      CHECK(one(1) == 0);
    }
    const Vector<T> ten = diffuse::sampler_sigmas(sd15, name, 10);
    CHECK(ten.size() == (name == "laplace" ? 10 : 11));
    for (Eigen::Index i = 1; i < ten.size(); ++i) CHECK(ten(i) <= ten(i - 1));
  }
  // ddim_uniform's stride ⌊1000/7⌋ = 142 keeps 8 table entries: 9 values for N = 7.
  const Vector<T> ddim = diffuse::ddim_uniform_sigmas(sd15, 7);
  REQUIRE(ddim.size() == 9);
  CHECK(ddim(0) == sd15.table_sigma(995));
  CHECK(ddim(7) == sd15.table_sigma(1));
  // simple picks table entries: index L − 1 − ⌊iL/N⌋.
  const Vector<T> simple = diffuse::simple_sigmas(sd15, 3);
  CHECK(simple(1) == sd15.table_sigma(1000 - 1 - 333));
  CHECK(simple(2) == sd15.table_sigma(1000 - 1 - 666));
  // linear_quadratic ends on σ_max·(1 − 1) = 0 after the quadratic part.
  const diffuse::FlowSampling<T> sd3(3);
  const Vector<T> lq = diffuse::linear_quadratic_sigmas(sd3, 4);
  CHECK(lq(0) == 1);
  CHECK(lq(1) == T(0.9875));  // 1 − τ/L with τ = 0.025, L = 2: exactly 0.9875 rounded
  CHECK(lq(4) == 0);
}

TEST_CASE("every argument rule of the sampler schedules throws with the function, the rule and the value", "[sampler_schedules]") {
  const diffuse::FlowSampling<double> sd3(3);
  CHECK(throws_with<std::invalid_argument>([&] { diffuse::sampler_sigmas(sd3, "beta ", 10); },
                                           {"diffuse::sampler_sigmas: unknown schedule; known: simple, sgm_uniform, karras, exponential, "
                                            "ddim_uniform, normal, linear_quadratic, kl_optimal, laplace",
                                            "(got \"beta \")"}));
  for (const std::string& name : diffuse::sampler_schedule_names()) {
    INFO(name);
    CHECK(throws_with<std::invalid_argument>([&] { diffuse::sampler_sigmas(sd3, name, 0); },
                                             {"_sigmas: the number of noise levels N must be at least 1", "(got 0)"}));
  }
  CHECK(throws_with<std::invalid_argument>([] { diffuse::simple_sigmas(diffuse::FlowSampling<float>(3), -1); },
                                           {"diffuse::simple_sigmas: the number of noise levels N must be at least 1", "(got -1)"}));
  CHECK(throws_with<std::invalid_argument>([] { diffuse::laplace_sigmas<double>(4, 1, 1); },
                                           {"diffuse::laplace_sigmas: sigma_max must be finite and greater than sigma_min", "(got 1)"}));
  CHECK(throws_with<std::invalid_argument>([] { diffuse::laplace_sigmas<double>(4, 0, 1); },
                                           {"diffuse::laplace_sigmas: sigma_min must be finite and > 0", "(got 0)"}));
  CHECK(throws_with<std::invalid_argument>([] { diffuse::laplace_sigmas<double>(4, 0.1, 10, std::numeric_limits<double>::infinity()); },
                                           {"diffuse::laplace_sigmas: mu must be finite", "(got inf)"}));
  CHECK(throws_with<std::invalid_argument>([] { diffuse::laplace_sigmas<double>(4, 0.1, 10, 0, 0); },
                                           {"diffuse::laplace_sigmas: beta must be finite and > 0", "(got 0)"}));
  CHECK(throws_with<std::invalid_argument>([] { diffuse::kl_optimal_sigmas<double>(4, 10, 1); },
                                           {"diffuse::kl_optimal_sigmas: sigma_max must be finite and greater than sigma_min", "(got 1)"}));
}
