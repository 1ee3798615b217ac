// training_time.hpp: every transform and loss weight against 40-digit mpmath references
// (tests/reference/training_time.txt, made by gen_training_time_reference.py) in float, double and
// long double, tails included; the discrete steps exactly (never out of range, strata covered,
// antithetic pairs); the weights at SNR = 0 and SNR = inf; monotonicity and end points of the
// inverse CDFs; every argument rule with its message.
#include <diffuse/training_time.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "catch.hpp"
#include "support/continuous_reference.hpp"
#include "support/messages.hpp"
#include "support/references.hpp"
#include "support/ulps.hpp"

namespace {

using diffuse::Prediction;
using diffuse::detail::Wide;
using test_support::exact;
using test_support::judge;
using test_support::Verdict;

const char* const reference_file = "training_time.txt";

/// A transform's record (gen_training_time_reference.py lists them): `<kind> <u or z> <parameters …>
/// <result>`.
struct Transform {
  std::string input;
  std::vector<std::string> parameters;
  std::string result;
};
std::vector<Transform> transforms_of(const std::string& kind) {
  std::vector<Transform> records =
      test_support::load_into<Transform>(reference_file, kind, &Transform::parameters, &Transform::input);
  for (Transform& r : records) {
    r.result = r.parameters.at(r.parameters.size() - 1);
    r.parameters.pop_back();
  }
  return records;
}

/// `weight <scheme> <p1> <p2> <x> <epsilon> <x0> <v> <flow_velocity>`: a loss weight for each
/// prediction (an unused parameter is '-', a weight without a finite limit "none").
struct Weight {
  std::string scheme, p1, p2, x, epsilon, x0, v, flow_velocity;
};

/// The contract of training_time.hpp: the Wide value within 2⁻¹¹⁸(1 + E) relative, E the size of the
/// arguments and logarithms involved. Here E is taken generously from the record: Σ (|v| + |ln|v||)
/// over its finite non-zero numbers (inputs and parameters) and |ln|x|| of the result.
double size_of(const std::vector<std::string>& numbers, const Wide& x) {
  double e = 0;
  for (const std::string& number : numbers) {
    const Wide v = exact(number == "-" ? "0" : number);
    if (!v.is_finite() || v.is_zero()) continue;
    const double d = std::fabs(static_cast<double>(v));
    e += d + std::fabs(std::log(d));
  }
  if (x.is_finite() && !x.is_zero()) e += std::fabs(std::log(std::fabs(static_cast<double>(x))));
  return e;
}

/// got against x: ½ ulp + 2⁻¹¹⁸(1 + E)|x| + the reference's own error (test_support::judge).
template <class T>
Verdict against(T got, const Wide& x, double e) {
  return judge(got, x, ldexp(Wide(1 + e), -118) * abs(x), x.is_zero() ? Wide(1) : abs(x));
}

/// The input text as T, or false when T cannot hold it (the double-only tail inputs in float). The
/// text is a binary value written exactly, up to 52 digits, which Wide reads within a few units of
/// 2⁻¹²⁸ (ulp_support.hpp): T holds it when T's value lies that close.
template <class T>
bool input(const std::string& text, T& out) {
  const Wide w = exact(text);
  out = static_cast<T>(w);
  return !w.is_finite() ? Wide(out) == w : abs(Wide(out) - w) <= ldexp(abs(w), -120);
}

double parameter(const std::string& text) { return test_support::parse<double>(text); }

/// The worst error of each quantity, and the values outside the contract.
struct Findings {
  std::map<std::string, double> worst;
  std::map<std::string, std::string> worst_where;
  std::vector<std::string> violations;
  long checked = 0;

  template <class T>
  void add(const std::string& quantity, const std::string& at, T got, const std::string& expected, const Verdict& v) {
    ++checked;
    const auto it = worst.find(quantity);
    char figures[96];
    std::snprintf(figures, sizeof figures, ", %.4g ulp (allowed %.4g)", v.ulps, v.bound);
    const std::string where =
        quantity + "(" + at + "): got " + test_support::digits(got) + ", expected " + expected + figures;
    if (it == worst.end() || v.ulps > it->second) {
      worst[quantity] = v.ulps;
      worst_where[quantity] = where;
    }
    if (!v.ok()) violations.push_back(where);
  }
};

const Prediction predictions[] = {Prediction::epsilon, Prediction::x0, Prediction::v, Prediction::flow_velocity};
const char* const prediction_names[] = {"epsilon", "x0", "v", "flow_velocity"};

/// The weight of one reference record for prediction p, as T (throws where the weight has no limit).
template <class T>
T weight_of(const Weight& r, T x, Prediction p) {
  const std::string& scheme = r.scheme;
  if (scheme == "min_snr") return diffuse::min_snr_weight(x, p, parameter(r.p1));
  if (scheme == "soft_min_snr") return diffuse::soft_min_snr_weight(x, p, parameter(r.p1));
  if (scheme == "p2") return diffuse::p2_weight(x, p, parameter(r.p1), parameter(r.p2));
  if (scheme == "truncated_snr") return diffuse::truncated_snr_weight(x, p);
  if (scheme == "edm") return diffuse::edm_weight(diffuse::NoiseLevel<T>(x), p, parameter(r.p1));
  if (scheme == "sigma_sqrt") return diffuse::sigma_sqrt_weight(diffuse::ContinuousTime<T>(x), p);
  if (scheme == "cosmap") return diffuse::cosmap_weight(diffuse::ContinuousTime<T>(x), p);
  throw std::runtime_error("unknown weight scheme " + scheme);
}

/// Every record of training_time.txt against training_time.hpp in T.
template <class T>
Findings compare_with_reference() {
  Findings out;
  // The transforms: kind, the number of fields before the result, and the call.
  using Call = std::function<T(const Transform&, T)>;
  const std::vector<std::pair<std::string, Call>> transforms = {
      {"low_discrepancy",
       [](const auto& r, T u) {
         return diffuse::low_discrepancy_time(u, std::stoi(r.parameters[0]), std::stoi(r.parameters[1])).value();
       }},
      {"logit_normal",
       [](const auto& r, T z) {
         return diffuse::logit_normal_time(z, parameter(r.parameters[0]), parameter(r.parameters[1])).value();
       }},
      {"mode", [](const auto& r, T u) { return diffuse::mode_time(u, parameter(r.parameters[0])).value(); }},
      {"cosmap", [](const auto&, T u) { return diffuse::cosmap_time(u).value(); }},
      {"log_normal",
       [](const auto& r, T z) {
         return diffuse::log_normal_sigma(z, parameter(r.parameters[0]), parameter(r.parameters[1])).value();
       }},
      {"log_normal_uniform",
       [](const auto& r, T u) {
         return diffuse::log_normal_sigma_of_uniform(u, parameter(r.parameters[0]), parameter(r.parameters[1]),
                                                     parameter(r.parameters[2]))
             .value();
       }},
      {"log_logistic",
       [](const auto& r, T u) {
         return diffuse::log_logistic_sigma(u, parameter(r.parameters[0]), parameter(r.parameters[1]),
                                            parameter(r.parameters[2]), parameter(r.parameters[3]))
             .value();
       }},
      {"log_uniform",
       [](const auto& r, T u) {
         return diffuse::log_uniform_sigma(u, parameter(r.parameters[0]), parameter(r.parameters[1])).value();
       }},
      {"v_diffusion",
       [](const auto& r, T u) {
         return diffuse::v_diffusion_sigma(u, parameter(r.parameters[0]), parameter(r.parameters[1]),
                                           parameter(r.parameters[2]))
             .value();
       }},
      {"cosine_interpolated",
       [](const auto& r, T u) {
         return diffuse::cosine_interpolated_sigma(u, parameter(r.parameters[0]), parameter(r.parameters[1]),
                                                   parameter(r.parameters[2]), parameter(r.parameters[3]),
                                                   parameter(r.parameters[4]), parameter(r.parameters[5]))
             .value();
       }},
  };
  for (const auto& kind : transforms) {
    for (const auto& r : transforms_of(kind.first)) {
      T u;
      if (!input(r.input, u)) continue;
      const std::string& expected = r.result;
      const Wide x = exact(expected);
      const T got = kind.second(r, u);
      std::vector<std::string> arguments{r.input};
      arguments.insert(arguments.end(), r.parameters.begin(), r.parameters.end());
      std::string at;
      for (std::size_t i = 0; i < arguments.size(); ++i) at += (i ? ", " : "") + arguments[i];
      out.add(kind.first, at, got, expected, against(got, x, size_of(arguments, x)));
    }
  }
  using W = Weight;
  for (const auto& r : test_support::load<W>(reference_file, "weight", &W::scheme, &W::p1, &W::p2, &W::x, &W::epsilon,
                                             &W::x0, &W::v, &W::flow_velocity)) {
    T x;
    if (!input(r.x, x)) continue;
    const std::string* const weights[] = {&r.epsilon, &r.x0, &r.v, &r.flow_velocity};  // as `predictions`
    for (std::size_t k = 0; k < 4; ++k) {
      const std::string quantity = r.scheme + " weight " + prediction_names[k];
      const std::string at = r.x + "; " + r.p1 + ", " + r.p2;
      const std::string& expected = *weights[k];
      if (expected == "none") {
        const bool thrown = test_support::throws_with<std::domain_error>([&] { weight_of(r, x, predictions[k]); },
                                                                         {"has no finite limit at"});
        out.add(quantity, at, T(0), "a std::domain_error", Verdict{thrown ? 0.0 : 1e9, 0});
        continue;
      }
      const Wide value = exact(expected);
      const T got = weight_of(r, x, predictions[k]);
      out.add(quantity, at, got, expected, against(got, value, size_of({r.p1, r.p2, r.x}, value)));
    }
  }
  return out;
}

}  // namespace

TEMPLATE_TEST_CASE("every transform and weight is within half an ulp plus the Wide bound of its 40-digit reference",
                   "[training_time][reference][ieee]", float, double, long double) {
  using T = TestType;
  if (!continuous_reference::contract_tested<T>()) return;
  const Findings f = compare_with_reference<T>();
  CHECK(f.checked > (std::numeric_limits<T>::digits == 24 ? 900 : 1000));
  for (const auto& v : f.violations) INFO(v);
  INFO(f.violations.size() << " of " << f.checked << " values outside the contract in "
                           << continuous_reference::type_name<T>());
  CHECK(f.violations.empty());
}

// The worst error of each quantity, for the record (run on purpose: ./test_training_time "[.report]").
TEMPLATE_TEST_CASE("report the worst error of each transform and weight", "[.report]", float, double, long double) {
  using T = TestType;
  const Findings f = compare_with_reference<T>();
  for (const auto& w : f.worst)
    std::printf("%-6s %-36s %.3g ulp   %s\n", continuous_reference::type_name<T>(), w.first.c_str(), w.second,
                f.worst_where.at(w.first).c_str());
  CHECK(f.violations.empty());
}

// ---- discrete steps ----------------------------------------------------------------------------------

namespace {

/// t − 1 ≤ u T < t, exactly (u T is exact in Wide for float and double).
template <class T>
bool step_holds(int t, T u, int steps) {
  const Wide product = Wide(u) * Wide(steps);
  return t >= 1 && t <= steps && Wide(t - 1) <= product && product < Wide(t);
}

/// B(t − 1) ≤ T(j + u) < B t, exactly.
template <class T>
bool stratum_holds(int t, T u, int j, int batch, int steps) {
  const Wide scaled = (Wide(j) + Wide(u)) * Wide(steps);
  return t >= 1 && t <= steps && Wide(batch) * Wide(t - 1) <= scaled && scaled < Wide(batch) * Wide(t);
}

template <class T>
std::vector<T> unit_samples() {
  std::vector<T> u = {T(0),    std::nextafter(T(1), T(0)),           T(0.5),
                      T(0.25), std::numeric_limits<T>::denorm_min(), std::numeric_limits<T>::min()};
  for (int k = 1; k < 64; ++k) u.push_back(static_cast<T>(k) / 64);
  std::mt19937_64 rng(20261205);
  std::uniform_real_distribution<double> uniform(0, 1);
  for (int k = 0; k < 200; ++k) {
    const T x = static_cast<T>(uniform(rng));
    if (x < 1) u.push_back(x);
  }
  return u;
}

}  // namespace

TEMPLATE_TEST_CASE("uniform_step is 1 + floor(u T) exactly and never leaves 1..T", "[training_time][discrete]", float,
                   double) {
  using T = TestType;
  for (const int steps : {1, 2, 3, 7, 10, 999, 1000, 4096, 100000, 16777217, 2147483647}) {
    for (const T u : unit_samples<T>()) {
      const int t = diffuse::uniform_step(u, steps);
      INFO("T = " << steps << ", u = " << test_support::digits(u) << ", t = " << t);
      CHECK(step_holds(t, u, steps));
    }
    // u = k/T just below a boundary and at it (the step changes exactly there).
    for (const int k : {1, steps / 2, steps - 1}) {
      if (k < 1 || k >= steps) continue;
      const T at = static_cast<T>(static_cast<double>(k) / steps);
      if (!(at < 1)) continue;  // float: (T − 1)/T rounds to 1 for T above 2^24
      const T below = std::nextafter(at, T(0));
      CHECK(step_holds(diffuse::uniform_step(at, steps), at, steps));
      CHECK(step_holds(diffuse::uniform_step(below, steps), below, steps));
    }
    CHECK(diffuse::uniform_step(T(0), steps) == 1);
    // The largest u below 1 reaches step T where T·(1 − u) < 1 (float: T up to 2^24).
    if (steps * static_cast<double>(std::numeric_limits<T>::epsilon()) / 2 < 1) {
      CHECK(diffuse::uniform_step(std::nextafter(T(1), T(0)), steps) == steps);
    }
  }
}

TEST_CASE("uniform_step stays at T where u T rounds up to T in floating point", "[training_time][discrete]") {
  // A double u just below 1 multiplied in float (PyTorch: a float64 draw used with float32
  // timesteps) gives u T = T: 1 + floor(u T) would be step T + 1, index T, out of range.
  const double u = 1 - std::ldexp(1.0, -40);
  const int steps = 1000;
  CHECK(std::floor(static_cast<float>(u) * static_cast<float>(steps)) == steps);
  CHECK(diffuse::uniform_step(u, steps) == steps);
  CHECK(diffuse::uniform_step(std::nextafter(1.0, 0.0), 2147483647) == 2147483647);
  // float: the largest float below 1 times 2^24 + 1 (not a float) rounds to 2^24 in float arithmetic.
  const float uf = std::nextafter(1.0f, 0.0f);
  CHECK(diffuse::uniform_step(uf, 16777217) == 16777216);
  CHECK(diffuse::uniform_step(uf, 16777218) == 16777217);
}

TEMPLATE_TEST_CASE("stratified_step puts sample j in stratum j and the strata cover 1..T", "[training_time][discrete]",
                   float, double) {
  using T = TestType;
  const T top = std::nextafter(T(1), T(0));
  for (const auto& bt : std::vector<std::pair<int, int>>{
           {1, 1000}, {4, 1000}, {3, 1000}, {7, 10}, {10, 10}, {16, 10}, {1000, 1000}, {5, 1}, {64, 2147483647}}) {
    const int batch = bt.first, steps = bt.second;
    for (int j = 0; j < batch; ++j) {
      for (const T u : unit_samples<T>()) {
        const int t = diffuse::stratified_step(u, j, batch, steps);
        INFO("B = " << batch << ", T = " << steps << ", j = " << j << ", u = " << test_support::digits(u)
                    << ", t = " << t);
        REQUIRE(stratum_holds(t, u, j, batch, steps));
      }
    }
    // Coverage: the first stratum starts at 1, the last ends at T, no gap between neighbours; when B
    // divides T the strata are the disjoint blocks [jT/B + 1, (j + 1)T/B].
    CHECK(diffuse::stratified_step(T(0), 0, batch, steps) == 1);
    // The largest u below 1 reaches the last step of its stratum where (T/B)(1 − u) < 1 (float:
    // strata up to 2^24 steps).
    if (static_cast<double>(steps) / batch * static_cast<double>(std::numeric_limits<T>::epsilon()) / 2 >= 1) continue;
    CHECK(diffuse::stratified_step(top, batch - 1, batch, steps) == steps);
    for (int j = 0; j + 1 < batch; ++j) {
      const int last = diffuse::stratified_step(top, j, batch, steps),
                next = diffuse::stratified_step(T(0), j + 1, batch, steps);
      CHECK(next >= last);
      CHECK(next <= last + 1);
      if (steps % batch == 0) {
        CHECK(diffuse::stratified_step(T(0), j, batch, steps) == static_cast<long long>(j) * (steps / batch) + 1);
        CHECK(last == static_cast<long long>(j + 1) * (steps / batch));
        CHECK(next == last + 1);
      }
    }
  }
  // B = T: each sample its own step, whatever u.
  for (int j = 0; j < 50; ++j) {
    CHECK(diffuse::stratified_step(T(0), j, 50, 50) == j + 1);
    CHECK(diffuse::stratified_step(top, j, 50, 50) == j + 1);
  }
}

TEST_CASE("antithetic pairs sum to T + 1 and the pairing is an involution", "[training_time][discrete]") {
  for (const int steps : {1, 2, 7, 1000}) {
    for (int t = 1; t <= steps; ++t) {
      const int partner = diffuse::antithetic_step(t, steps);
      CHECK(partner + t == steps + 1);
      CHECK(diffuse::antithetic_step(partner, steps) == t);
    }
  }
  CHECK(diffuse::antithetic_step(1, 1000) == 1000);
  CHECK(diffuse::antithetic_step(500, 1000) == 501);
  // With a uniform step: u and its mirror give partner steps (t of u, T + 1 − t).
  CHECK(diffuse::antithetic_step(diffuse::uniform_step(0.0, 1000), 1000) ==
        diffuse::uniform_step(std::nextafter(1.0, 0.0), 1000));
}

// ---- inverse CDFs: monotone in u, exact ends ---------------------------------------------------------

TEMPLATE_TEST_CASE("the inverse CDFs are monotone in u and reach their ends exactly", "[training_time][transforms]",
                   float, double) {
  using T = TestType;
  const T inf = std::numeric_limits<T>::infinity();
  std::vector<T> u;
  for (int k = 0; k <= 4096; ++k) u.push_back(static_cast<T>(k) / 4096);
  u.push_back(T(0.5) -
              std::numeric_limits<T>::epsilon() / 4);  // both sides of the switch at ½ (mode) and π/4 (v-diffusion)
  u.push_back(std::nextafter(T(0.5), T(1)));
  std::sort(u.begin(), u.end());
  struct Monotone {
    const char* name;
    std::function<T(T)> f;
    int direction;  // +1 non-decreasing, −1 non-increasing
  };
  const std::vector<Monotone> transforms = {
      {"mode 1.29", [](T x) { return diffuse::mode_time(x).value(); }, -1},
      {"mode 1.75", [](T x) { return diffuse::mode_time(x, 1.75).value(); }, -1},
      {"mode -1", [](T x) { return diffuse::mode_time(x, -1).value(); }, -1},
      {"cosmap", [](T x) { return diffuse::cosmap_time(x).value(); }, 1},
      {"log_normal_of_uniform", [](T x) { return diffuse::log_normal_sigma_of_uniform(x).value(); }, 1},
      {"log_normal_of_uniform untruncated",
       [](T x) { return diffuse::log_normal_sigma_of_uniform(x, -1.2, 1.2, 0).value(); }, 1},
      {"log_logistic", [](T x) { return diffuse::log_logistic_sigma(x, -1.2, 0.5, 0.002, 80).value(); }, 1},
      {"log_uniform", [](T x) { return diffuse::log_uniform_sigma(x, 0.002, 80).value(); }, 1},
      {"v_diffusion", [](T x) { return diffuse::v_diffusion_sigma(x).value(); }, 1},
      {"v_diffusion truncated", [](T x) { return diffuse::v_diffusion_sigma(x, 0.5, 0.002, 80).value(); }, 1},
      {"cosine_interpolated", [](T x) { return diffuse::cosine_interpolated_sigma(x, 64, 32, 64).value(); }, -1},
  };
  for (const auto& m : transforms) {
    INFO(m.name);
    int broken = 0;
    for (std::size_t k = 1; k < u.size(); ++k) {
      const T a = m.f(u[k - 1]), b = m.f(u[k]);
      if (m.direction > 0 ? !(b >= a) : !(b <= a)) ++broken;
    }
    CHECK(broken == 0);
  }
  CHECK(diffuse::mode_time(T(0)).value() == 1);
  CHECK(diffuse::mode_time(T(1)).value() == 0);
  CHECK(diffuse::mode_time(T(0.5)).value() == T(0.5));
  CHECK(diffuse::cosmap_time(T(0)).value() == 0);
  CHECK(diffuse::cosmap_time(T(1)).value() == 1);
  CHECK(diffuse::cosmap_time(T(0.5)).value() == T(0.5));
  CHECK(diffuse::log_uniform_sigma(T(0), 0.002, 80).value() == T(0.002));
  CHECK(diffuse::log_uniform_sigma(T(1), 0.002, 80).value() == T(80));
  CHECK(diffuse::log_logistic_sigma(T(0), -1.2, 0.5, 0.002, 80).value() == T(0.002));
  CHECK(diffuse::log_logistic_sigma(T(1), -1.2, 0.5, 0.002, 80).value() == T(80));
  CHECK(diffuse::log_normal_sigma_of_uniform(T(0.5)).value() == 1);
  CHECK(diffuse::log_normal_sigma_of_uniform(T(0), 0, 1, 0).value() == 0);
  CHECK(diffuse::log_normal_sigma_of_uniform(T(1), 0, 1, 0).value() == inf);
  CHECK(diffuse::log_normal_sigma_of_uniform(T(0.25), 0.5, 0).value() ==
        static_cast<T>(exp(diffuse::detail::decimal_value(0.5))));
  CHECK(diffuse::log_logistic_sigma(T(0)).value() == 0);
  CHECK(diffuse::log_logistic_sigma(T(1)).value() == inf);
  CHECK(diffuse::v_diffusion_sigma(T(0)).value() == 0);
  CHECK(diffuse::v_diffusion_sigma(T(1)).value() == inf);
  CHECK(diffuse::v_diffusion_sigma(T(0.5)).value() == 1);
  CHECK(diffuse::v_diffusion_sigma(T(0), 0.5, 0.002, 80).value() == T(0.002));
  CHECK(diffuse::v_diffusion_sigma(T(1), 0.5, 0.002, 80).value() == T(80));
  CHECK(diffuse::cosine_interpolated_sigma(T(0), 64, 32, 64).value() == T(1000));
  CHECK(diffuse::cosine_interpolated_sigma(T(1), 64, 32, 64).value() == T(0.001));
  CHECK(diffuse::logit_normal_time(T(0)).value() == T(0.5));
  CHECK(diffuse::logit_normal_time(inf).value() == 1);
  CHECK(diffuse::logit_normal_time(-inf).value() == 0);
  CHECK(diffuse::logit_normal_time(inf, 0.25, 0).value() ==
        static_cast<T>(sigmoid(diffuse::detail::decimal_value(0.25))));
  CHECK(diffuse::log_normal_sigma(T(1)).value() == 1);  // −1.2 + 1.2·1 = 0 exactly (decimal parameters)
  CHECK(diffuse::log_normal_sigma(inf).value() == inf);
  CHECK(diffuse::log_normal_sigma(-inf).value() == 0);
  CHECK(diffuse::low_discrepancy_time(T(1), 0, 4).value() == 0);  // (1 + 0) mod 1
  CHECK(diffuse::low_discrepancy_time(T(0.75), 3, 4).value() == T(0.5));
}

TEST_CASE("low_discrepancy_time spreads one u over the batch with gaps of exactly 1/B", "[training_time][transforms]") {
  const double u = 0.3125;  // exact, as are the sums below
  std::vector<double> t;
  for (int j = 0; j < 8; ++j) t.push_back(diffuse::low_discrepancy_time(u, j, 8).value());
  std::sort(t.begin(), t.end());
  CHECK(t.front() == 0.0625);
  for (std::size_t k = 1; k < t.size(); ++k) CHECK(t[k] - t[k - 1] == 0.125);
}

// ---- loss weights ----------------------------------------------------------------------------------------

TEMPLATE_TEST_CASE("the weights at SNR = 0 and SNR = inf are the limits or a domain_error", "[training_time][weights]",
                   float, double) {
  using T = TestType;
  const T inf = std::numeric_limits<T>::infinity();
  using P = Prediction;
  // Min-SNR-γ: ε min(SNR, γ)/SNR is 0/0 in Python at SNR = 0; its limit is 1.
  CHECK(diffuse::min_snr_weight(T(0), P::epsilon) == 1);
  CHECK(diffuse::min_snr_weight(T(0), P::x0) == 0);
  CHECK(diffuse::min_snr_weight(T(0), P::v) == 0);
  CHECK(diffuse::min_snr_weight(T(0), P::flow_velocity) == 0);
  CHECK(diffuse::min_snr_weight(inf, P::epsilon) == 0);
  CHECK(diffuse::min_snr_weight(inf, P::x0) == 5);
  CHECK(diffuse::min_snr_weight(inf, P::v) == 0);
  CHECK(diffuse::soft_min_snr_weight(T(0), P::epsilon) == 1);
  CHECK(diffuse::soft_min_snr_weight(inf, P::x0) == 5);
  CHECK(diffuse::p2_weight(T(0), P::epsilon, 0.25, 1.5) == 8);  // k^−γ
  CHECK(diffuse::p2_weight(inf, P::x0, 0, 1) == 1);
  CHECK(diffuse::p2_weight(T(0), P::x0, 0, 0.5) == 0);
  CHECK(diffuse::truncated_snr_weight(T(0), P::v) == 1);
  CHECK(diffuse::truncated_snr_weight(inf, P::epsilon) == 1);
  CHECK(diffuse::edm_weight(diffuse::NoiseLevel<T>(inf), P::x0) == 4);  // σ_d⁻², σ_d = 0.5
  CHECK(diffuse::edm_weight(diffuse::NoiseLevel<T>(0), P::v) == 1);
  CHECK(diffuse::sigma_sqrt_weight(diffuse::ContinuousTime<T>(1), P::flow_velocity) == 1);
  CHECK(diffuse::cosmap_weight(diffuse::ContinuousTime<T>(0), P::v) ==
        static_cast<T>(diffuse::detail::wide_constants::two_over_pi));
  // No finite limit: a domain_error naming the prediction and the end.
  using test_support::throws_with;
  using DE = std::domain_error;
  CHECK(throws_with<DE>([] { diffuse::truncated_snr_weight(T(0), P::epsilon); },
                        {"diffuse::truncated_snr_weight: the epsilon weight has no finite limit at snr = 0 (got 0)"}));
  CHECK(throws_with<DE>([&] { diffuse::truncated_snr_weight(inf, P::x0); },
                        {"diffuse::truncated_snr_weight: the x0 weight has no finite limit at snr = inf (got inf)"}));
  CHECK(throws_with<DE>([] { diffuse::p2_weight(T(0), P::epsilon, 0, 1); },
                        {"diffuse::p2_weight: the epsilon weight has no finite limit at snr = 0 (got 0)"}));
  CHECK(throws_with<DE>([&] { diffuse::p2_weight(inf, P::x0, 1, 0.5); },
                        {"diffuse::p2_weight: the x0 weight has no finite limit at snr = inf (got inf)"}));
  CHECK(throws_with<DE>(
      [&] { diffuse::edm_weight(diffuse::NoiseLevel<T>(inf), P::epsilon); },
      {"diffuse::edm_weight: the epsilon weight has no finite limit at sigma = inf (SNR = 0) (got inf)"}));
  CHECK(throws_with<DE>([] { diffuse::edm_weight(diffuse::NoiseLevel<T>(0), P::x0); },
                        {"diffuse::edm_weight: the x0 weight has no finite limit at sigma = 0 (SNR = inf) (got 0)"}));
  CHECK(throws_with<DE>(
      [] { diffuse::sigma_sqrt_weight(diffuse::ContinuousTime<T>(0), P::flow_velocity); },
      {"diffuse::sigma_sqrt_weight: the flow velocity weight has no finite limit at t = 0 (SNR = inf) (got 0)"}));
  CHECK(throws_with<DE>([] { diffuse::cosmap_weight(diffuse::ContinuousTime<T>(1), P::epsilon); },
                        {"diffuse::cosmap_weight: the epsilon weight has no finite limit at t = 1 (SNR = 0) (got 1)"}));
}

TEST_CASE(
    "the weights of the four predictions are one loss: W on x0 is W/SNR on eps and W/(1 + SNR) on v and W/(1 + sqrt SNR)^2 on u",
    "[training_time][weights]") {
  const auto check = [](double snr, const std::function<double(Prediction)>& w) {
    INFO("SNR = " << snr);
    const double root = std::sqrt(snr);
    const double x0 = w(Prediction::x0);
    CHECK_THAT(w(Prediction::epsilon) * snr, Catch::Matchers::WithinRel(x0, 4e-16));
    CHECK_THAT(w(Prediction::v) * (1 + snr), Catch::Matchers::WithinRel(x0, 4e-16));
    CHECK_THAT(w(Prediction::flow_velocity) * (1 + root) * (1 + root), Catch::Matchers::WithinRel(x0, 8e-16));
  };
  for (const double snr : {1e-6, 0.04, 0.5, 1.0, 2.25, 9.0, 1e6}) {
    check(snr, [&](Prediction p) { return diffuse::min_snr_weight(snr, p); });
    check(snr, [&](Prediction p) { return diffuse::soft_min_snr_weight(snr, p, 2); });
    check(snr, [&](Prediction p) { return diffuse::p2_weight(snr, p, 1, 0.5); });
    check(snr, [&](Prediction p) { return diffuse::truncated_snr_weight(snr, p); });
  }
  // EDM at σ with SNR = 1/σ² exact; the SD3 weights at flow times t with ((1 − t)/t)² exact.
  for (const double sigma : {0.125, 0.5, 2.0, 8.0}) {
    check(1 / (sigma * sigma),
          [&](Prediction p) { return diffuse::edm_weight(diffuse::NoiseLevel<double>(sigma), p); });
  }
  for (const double t : {0.0625, 0.125, 0.25, 0.5}) {
    const double snr = ((1 - t) / t) * ((1 - t) / t);
    check(snr, [&](Prediction p) { return diffuse::cosmap_weight(diffuse::ContinuousTime<double>(t), p); });
    check(snr, [&](Prediction p) { return diffuse::sigma_sqrt_weight(diffuse::ContinuousTime<double>(t), p); });
  }
  // Min-SNR's own statement (Hang et al. 2023): ε min(SNR, γ)/SNR, x0 min(SNR, γ), v min(SNR, γ)/(SNR + 1).
  CHECK(diffuse::min_snr_weight(10.0, Prediction::epsilon) == 0.5);
  CHECK(diffuse::min_snr_weight(10.0, Prediction::x0) == 5);
  CHECK(diffuse::min_snr_weight(4.0, Prediction::v) == 0.8);
  CHECK(diffuse::min_snr_weight(4.0, Prediction::flow_velocity) == 4.0 / 9);
  CHECK(diffuse::edm_weight(diffuse::NoiseLevel<double>(0.5), Prediction::x0) == 8);  // (0.25 + 0.25)/(0.25·0.25)
  CHECK(diffuse::cosmap_weight(diffuse::ContinuousTime<double>(0.5), Prediction::flow_velocity) ==
        static_cast<double>(ldexp(diffuse::detail::wide_constants::two_over_pi, 1)));  // 2/(π·½)
  CHECK(diffuse::sigma_sqrt_weight(diffuse::ContinuousTime<double>(0.25), Prediction::flow_velocity) == 16);
}

// ---- argument rules ----------------------------------------------------------------------------------------

TEST_CASE("bad arguments throw with the function and the rule and the value", "[training_time][errors]") {
  using test_support::error_message;
  using IA = std::invalid_argument;
  using OR = std::out_of_range;
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  using P = Prediction;
  // Discrete steps.
  CHECK(error_message<IA>([] { diffuse::uniform_step(0.5, 0); }) ==
        "diffuse::uniform_step: the number of steps T must be at least 1 (got 0)");
  CHECK(error_message<OR>([] { diffuse::uniform_step(1.0, 10); }) ==
        "diffuse::uniform_step: u must be in [0, 1) (got 1)");
  CHECK(error_message<OR>([] { diffuse::uniform_step(-0.25f, 10); }) ==
        "diffuse::uniform_step: u must be in [0, 1) (got -0.25)");
  CHECK(error_message<OR>([&] { diffuse::uniform_step(nan, 10); }) ==
        "diffuse::uniform_step: u must be in [0, 1) (got nan)");
  CHECK(error_message<IA>([] { diffuse::stratified_step(0.5, 0, 0, 10); }) ==
        "diffuse::stratified_step: the batch size B must be at least 1 (got 0)");
  CHECK(error_message<OR>([] { diffuse::stratified_step(0.5, 4, 4, 10); }) ==
        "diffuse::stratified_step: sample j must be in [0, B) = [0, 4) (got 4)");
  CHECK(error_message<OR>([] { diffuse::stratified_step(0.5, -1, 4, 10); }) ==
        "diffuse::stratified_step: sample j must be in [0, B) = [0, 4) (got -1)");
  CHECK(error_message<IA>([] { diffuse::stratified_step(0.5, 0, 4, -3); }) ==
        "diffuse::stratified_step: the number of steps T must be at least 1 (got -3)");
  CHECK(error_message<OR>([] { diffuse::stratified_step(1.5, 0, 4, 10); }) ==
        "diffuse::stratified_step: u must be in [0, 1) (got 1.5)");
  CHECK(error_message<OR>([] { diffuse::antithetic_step(0, 10); }) ==
        "diffuse::antithetic_step: t must be in [1, 10] (got 0)");
  CHECK(error_message<OR>([] { diffuse::antithetic_step(11, 10); }) ==
        "diffuse::antithetic_step: t must be in [1, 10] (got 11)");
  CHECK(error_message<IA>([] { diffuse::antithetic_step(1, 0); }) ==
        "diffuse::antithetic_step: the number of steps T must be at least 1 (got 0)");
  // Continuous time.
  CHECK(error_message<IA>([] { diffuse::low_discrepancy_time(0.5, 0, 0); }) ==
        "diffuse::low_discrepancy_time: the batch size B must be at least 1 (got 0)");
  CHECK(error_message<OR>([] { diffuse::low_discrepancy_time(0.5, 2, 2); }) ==
        "diffuse::low_discrepancy_time: sample j must be in [0, B) = [0, 2) (got 2)");
  CHECK(error_message<OR>([] { diffuse::low_discrepancy_time(1.25, 0, 2); }) ==
        "diffuse::low_discrepancy_time: u must be in [0, 1] (got 1.25)");
  CHECK(error_message<IA>([&] { diffuse::logit_normal_time(nan); }) ==
        "diffuse::logit_normal_time: z must not be NaN (got nan)");
  CHECK(error_message<IA>([&] { diffuse::logit_normal_time(0.0, inf); }) ==
        "diffuse::logit_normal_time: mean must be finite (got inf)");
  CHECK(error_message<IA>([] { diffuse::logit_normal_time(0.0, 0, -1); }) ==
        "diffuse::logit_normal_time: std must be finite and >= 0 (got -1)");
  CHECK(error_message<IA>([&] { diffuse::logit_normal_time(0.0, 0, nan); }) ==
        "diffuse::logit_normal_time: std must be finite and >= 0 (got nan)");
  CHECK(error_message<IA>([] { diffuse::mode_time(0.5, 1.76); }) ==
        "diffuse::mode_time: scale must be in [-1, 2/(pi - 2)] (got 1.76)");
  CHECK(error_message<IA>([] { diffuse::mode_time(0.5, -1.5); }) ==
        "diffuse::mode_time: scale must be in [-1, 2/(pi - 2)] (got -1.5)");
  CHECK(error_message<IA>([&] { diffuse::mode_time(0.5, nan); }) ==
        "diffuse::mode_time: scale must be in [-1, 2/(pi - 2)] (got nan)");
  CHECK(error_message<OR>([] { diffuse::mode_time(-0.5); }) == "diffuse::mode_time: u must be in [0, 1] (got -0.5)");
  CHECK(error_message<OR>([&] { diffuse::cosmap_time(nan); }) == "diffuse::cosmap_time: u must be in [0, 1] (got nan)");
  // Noise levels.
  CHECK(error_message<IA>([&] { diffuse::log_normal_sigma(nan); }) ==
        "diffuse::log_normal_sigma: z must not be NaN (got nan)");
  CHECK(error_message<IA>([&] { diffuse::log_normal_sigma(0.0, nan); }) ==
        "diffuse::log_normal_sigma: mean must be finite (got nan)");
  CHECK(error_message<IA>([&] { diffuse::log_normal_sigma(0.0, -1.2, inf); }) ==
        "diffuse::log_normal_sigma: std must be finite and >= 0 (got inf)");
  CHECK(error_message<IA>([&] { diffuse::log_normal_sigma_of_uniform(0.5, nan); }) ==
        "diffuse::log_normal_sigma_of_uniform: loc must be finite (got nan)");
  CHECK(error_message<IA>([] { diffuse::log_normal_sigma_of_uniform(0.5, 0, -1); }) ==
        "diffuse::log_normal_sigma_of_uniform: scale must be finite and >= 0 (got -1)");
  CHECK(error_message<IA>([] { diffuse::log_normal_sigma_of_uniform(0.5, 0, 1, 0.5); }) ==
        "diffuse::log_normal_sigma_of_uniform: tail must be in [0, 0.5) (got 0.5)");
  CHECK(error_message<IA>([] { diffuse::log_normal_sigma_of_uniform(0.5, 0, 1, -1e-7); }) ==
        "diffuse::log_normal_sigma_of_uniform: tail must be in [0, 0.5) (got -1e-07)");
  CHECK(error_message<OR>([] { diffuse::log_normal_sigma_of_uniform(1.5); }) ==
        "diffuse::log_normal_sigma_of_uniform: u must be in [0, 1] (got 1.5)");
  CHECK(error_message<IA>([] { diffuse::log_logistic_sigma(0.5, 0, 0); }) ==
        "diffuse::log_logistic_sigma: scale must be finite and > 0 (got 0)");
  CHECK(error_message<IA>([&] { diffuse::log_logistic_sigma(0.5, inf); }) ==
        "diffuse::log_logistic_sigma: loc must be finite (got inf)");
  CHECK(error_message<IA>([] { diffuse::log_logistic_sigma(0.5, 0, 1, -1); }) ==
        "diffuse::log_logistic_sigma: min_value must be finite and >= 0 (got -1)");
  CHECK(error_message<IA>([] { diffuse::log_logistic_sigma(0.5, 0, 1, 80, 80); }) ==
        "diffuse::log_logistic_sigma: max_value must be greater than min_value (got 80)");
  CHECK(error_message<IA>([&] { diffuse::log_logistic_sigma(0.5, 0, 1, 0, nan); }) ==
        "diffuse::log_logistic_sigma: max_value must be greater than min_value (got nan)");
  CHECK(error_message<OR>([] { diffuse::log_logistic_sigma(2.0); }) ==
        "diffuse::log_logistic_sigma: u must be in [0, 1] (got 2)");
  CHECK(error_message<IA>([] { diffuse::log_uniform_sigma(0.5, 0, 80); }) ==
        "diffuse::log_uniform_sigma: min_value must be finite and > 0 (got 0)");
  CHECK(error_message<IA>([] { diffuse::log_uniform_sigma(0.5, 80, 0.002); }) ==
        "diffuse::log_uniform_sigma: max_value must be finite and greater than min_value (got 0.002)");
  CHECK(error_message<IA>([&] { diffuse::log_uniform_sigma(0.5, 0.002, inf); }) ==
        "diffuse::log_uniform_sigma: max_value must be finite and greater than min_value (got inf)");
  CHECK(error_message<OR>([] { diffuse::log_uniform_sigma(-0.0625, 0.002, 80); }) ==
        "diffuse::log_uniform_sigma: u must be in [0, 1] (got -0.0625)");
  CHECK(error_message<IA>([] { diffuse::v_diffusion_sigma(0.5, 0); }) ==
        "diffuse::v_diffusion_sigma: sigma_data must be finite and > 0 (got 0)");
  CHECK(error_message<IA>([] { diffuse::v_diffusion_sigma(0.5, 1, 2, 1); }) ==
        "diffuse::v_diffusion_sigma: max_value must be greater than min_value (got 1)");
  CHECK(error_message<IA>([&] { diffuse::v_diffusion_sigma(0.5, 1, inf); }) ==
        "diffuse::v_diffusion_sigma: min_value must be finite and >= 0 (got inf)");
  CHECK(error_message<OR>([] { diffuse::v_diffusion_sigma(1.5); }) ==
        "diffuse::v_diffusion_sigma: u must be in [0, 1] (got 1.5)");
  CHECK(error_message<IA>([] { diffuse::cosine_interpolated_sigma(0.5, 0, 32, 64); }) ==
        "diffuse::cosine_interpolated_sigma: image_d must be finite and > 0 (got 0)");
  CHECK(error_message<IA>([] { diffuse::cosine_interpolated_sigma(0.5, 64, -32, 64); }) ==
        "diffuse::cosine_interpolated_sigma: noise_d_low must be finite and > 0 (got -32)");
  CHECK(error_message<IA>([&] { diffuse::cosine_interpolated_sigma(0.5, 64, 32, inf); }) ==
        "diffuse::cosine_interpolated_sigma: noise_d_high must be finite and > 0 (got inf)");
  CHECK(error_message<IA>([] { diffuse::cosine_interpolated_sigma(0.5, 64, 32, 64, 0); }) ==
        "diffuse::cosine_interpolated_sigma: sigma_data must be finite and > 0 (got 0)");
  CHECK(error_message<IA>([] { diffuse::cosine_interpolated_sigma(0.5, 64, 32, 64, 1, 0); }) ==
        "diffuse::cosine_interpolated_sigma: min_value must be finite and > 0 (got 0)");
  CHECK(error_message<IA>([] { diffuse::cosine_interpolated_sigma(0.5, 64, 32, 64, 1, 1e3, 1e-3); }) ==
        "diffuse::cosine_interpolated_sigma: max_value must be finite and greater than min_value (got 0.001)");
  CHECK(error_message<OR>([] { diffuse::cosine_interpolated_sigma(1.0625, 64, 32, 64); }) ==
        "diffuse::cosine_interpolated_sigma: u must be in [0, 1] (got 1.0625)");
  // Weights.
  CHECK(error_message<IA>([] { diffuse::min_snr_weight(1.0, P::epsilon, 0); }) ==
        "diffuse::min_snr_weight: gamma must be finite and > 0 (got 0)");
  CHECK(error_message<IA>([] { diffuse::min_snr_weight(-1.0, P::epsilon); }) ==
        "diffuse::min_snr_weight: snr must be >= 0 (got -1)");
  CHECK(error_message<IA>([&] { diffuse::min_snr_weight(nan, P::x0); }) ==
        "diffuse::min_snr_weight: snr must be >= 0 (got nan)");
  CHECK(error_message<IA>([&] { diffuse::soft_min_snr_weight(1.0, P::v, inf); }) ==
        "diffuse::soft_min_snr_weight: gamma must be finite and > 0 (got inf)");
  CHECK(error_message<IA>([] { diffuse::soft_min_snr_weight(-0.5f, P::v); }) ==
        "diffuse::soft_min_snr_weight: snr must be >= 0 (got -0.5)");
  CHECK(error_message<IA>([] { diffuse::p2_weight(1.0, P::epsilon, -1); }) ==
        "diffuse::p2_weight: k must be finite and >= 0 (got -1)");
  CHECK(error_message<IA>([] { diffuse::p2_weight(1.0, P::epsilon, 1, -0.5); }) ==
        "diffuse::p2_weight: gamma must be finite and > 0 (got -0.5)");
  CHECK(error_message<IA>([&] { diffuse::p2_weight(nan, P::epsilon); }) ==
        "diffuse::p2_weight: snr must be >= 0 (got nan)");
  CHECK(error_message<IA>([] { diffuse::truncated_snr_weight(-2.0, P::x0); }) ==
        "diffuse::truncated_snr_weight: snr must be >= 0 (got -2)");
  CHECK(error_message<IA>([] { diffuse::edm_weight(diffuse::NoiseLevel<double>(1), P::x0, 0); }) ==
        "diffuse::edm_weight: sigma_data must be finite and > 0 (got 0)");
}
