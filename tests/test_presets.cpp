// Named presets against the 40-digit tables of tests/reference/gen_presets_reference.py, and every error rule.
#include <diffuse/detail/wide_math.hpp>
#include <diffuse/presets.hpp>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "catch.hpp"
#include "support/messages.hpp"
#include "support/references.hpp"
#include "support/ulps.hpp"

namespace {

using test_support::throws_with;

struct Row {
  int t;
  std::string beta, alpha_bar, one_minus_alpha_bar;
};

/// One `case` block of presets_reference.txt.
struct Case {
  std::string family, name, p1, p2, p3, trained;
  int steps = 0;
  bool rescale = false;
  std::vector<Row> rows;
  std::string label() const {
    return family + " " + name + " T=" + std::to_string(steps) + " " + p1 + " " + p2 + " " + p3 +
           (rescale ? " rescaled" : "");
  }
};

std::vector<Case> read_cases() {
  std::ifstream in(std::string(DIFFUSE_TEST_REFERENCE_DIR) + "/presets_reference.txt");
  REQUIRE(in.good());
  std::vector<Case> cases;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    if (line.compare(0, 5, "case ") == 0) {
      Case c;
      std::string word, rescale;
      fields >> word >> c.family >> c.name >> c.steps >> c.p1 >> c.p2 >> c.p3 >> rescale >> c.trained;
      c.rescale = rescale == "1";
      cases.push_back(c);
    } else {
      Row r;
      fields >> r.t >> r.beta >> r.alpha_bar >> r.one_minus_alpha_bar;
      REQUIRE(!cases.empty());
      cases.back().rows.push_back(r);
    }
  }
  return cases;
}

double number(const std::string& text) { return std::strtod(text.c_str(), nullptr); }

template <class Scalar>
diffuse::Schedule<Scalar> build(const Case& c) {
  namespace presets = diffuse::presets;
  if (c.family == "diffusers") {
    presets::DiffusersBetas betas;
    betas.num_train_timesteps = c.steps;
    betas.rescale_betas_zero_snr = c.rescale;
    if (c.p3 != "-") betas.snr_shift_scale = number(c.p3);  // CogVideoX's SNR shift, before the rescale
    if (c.name == "trained") {
      std::stringstream items(c.trained);
      for (std::string item; std::getline(items, item, ',');) betas.trained_betas.push_back(number(item));
    } else {
      betas.beta_schedule = c.name;
      betas.beta_start = number(c.p1);
      betas.beta_end = number(c.p2);
    }
    return presets::diffusers<Scalar>(betas);
  }
  if (c.family == "improved") return presets::improved_diffusion<Scalar>(c.name, c.steps);
  if (c.family == "ldm") return presets::ldm<Scalar>(c.name, c.steps, number(c.p1), number(c.p2), number(c.p3));
  return presets::chen_sigmoid<Scalar>(c.steps, number(c.p1), number(c.p2), number(c.p3));
}

}  // namespace

// The precision contract of schedule.hpp (tests/schedule_reference.hpp): every value rounded once
// from one within 2⁻¹¹⁸(1 + |log ᾱ_t|) relative, so float, double and x87 long double are correctly
// rounded; long double is checked too, since it sees errors far below a double ulp, such as an end
// rounded to a 17-digit decimal.
TEMPLATE_TEST_CASE("every preset matches its high-precision table", "[presets][ieee]", float, double, long double) {
  using T = TestType;
  const auto cases = read_cases();
  REQUIRE(cases.size() == 26);
  int checked = 0;
  for (const auto& c : cases) {
    INFO(c.label());
    const auto s = build<T>(c);
    REQUIRE(s.steps() == c.steps);
    for (const auto& r : c.rows) {
      const diffuse::detail::Wide abar = test_support::exact(r.alpha_bar);
      const long double L = abar.is_zero() ? 0.0L : static_cast<long double>(log(abar));
      const std::pair<T, std::string> values[] = {
          {s.beta(r.t), r.beta}, {s.alpha_bar(r.t), r.alpha_bar}, {s.one_minus_alpha_bar(r.t), r.one_minus_alpha_bar}};
      for (const auto& v : values) {
        const diffuse::detail::Wide x = test_support::exact(v.second);
        INFO("t = " << r.t << ": got " << test_support::digits(v.first) << ", expected " << v.second);
        CHECK(test_support::ulp_error(v.first, x) <= test_support::schedule_contract_ulps<T>(x, L, abs(x)));
        ++checked;
      }
    }
  }
  CHECK(checked > 1000);
}

TEST_CASE("presets name the schedules the factories build", "[presets]") {
  namespace presets = diffuse::presets;
  using S = diffuse::Schedule<double>;
  // Same factory, same arguments: the same numbers bit for bit.
  CHECK(presets::diffusers<double>({}).betas() == S::linear(1000).betas());
  presets::DiffusersBetas sd;
  sd.beta_schedule = "scaled_linear";
  sd.beta_start = 0.00085;
  sd.beta_end = 0.012;
  CHECK(presets::diffusers<double>(sd).alpha_bars() ==
        presets::ldm<double>("linear", 1000, 0.00085, 0.012).alpha_bars());
  CHECK(presets::ldm<double>("sqrt_linear", 1000).one_minus_alpha_bars() == S::linear(1000).one_minus_alpha_bars());
  CHECK(presets::improved_diffusion<double>("cosine", 1000).betas() == S::cosine(1000).betas());
  sd.rescale_betas_zero_snr = true;
  const auto zsnr = presets::diffusers<double>(sd);
  CHECK(zsnr.alpha_bar(1000) == 0.0);
  CHECK(zsnr.beta(1000) == 1.0);
  CHECK(zsnr.alpha_bar(1) == S::scaled_linear(1000).alpha_bar(1));
}

TEMPLATE_TEST_CASE("snr_shifted divides the SNR, keeps a zero terminal SNR, and comes before the rescale", "[presets]",
                   float, double) {
  using T = TestType;
  using Catch::Matchers::WithinRel;
  const T eps = std::numeric_limits<T>::epsilon();
  const auto sd = diffuse::Schedule<T>::scaled_linear(1000);
  const auto shifted = sd.snr_shifted(3.0);
  // SNR'_t = SNR_t/3: each side correctly rounded, so within 1½ ulp (one more for the product by ⅓)
  for (const int t : {1, 10, 500, 999, 1000}) CHECK_THAT(shifted.snr(t), WithinRel(sd.snr(t) / T(3), 3 * eps));
  const auto zero = sd.zero_terminal_snr();
  CHECK(zero.snr_shifted(3.0).alpha_bar(1000) == 0);  // SNR_T = 0 stays 0
  // diffusers' order (shift, then rescale) is not the other one: the two differ at every inner step
  CHECK(sd.snr_shifted(3.0).zero_terminal_snr().alpha_bar(500) != zero.snr_shifted(3.0).alpha_bar(500));
  CHECK(shifted.snr_shifted(1.0 / 3.0).alpha_bar(500) == sd.alpha_bar(500));  // 3 then ⅓: the inverse
  CHECK(throws_with<std::invalid_argument>(
      [&] { sd.snr_shifted(0.0); }, {"diffuse::Schedule::snr_shifted: scale must be finite and > 0", "(got 0)"}));
  CHECK(throws_with<std::invalid_argument>(
      [&] { sd.snr_shifted(std::numeric_limits<double>::infinity()); },
      {"diffuse::Schedule::snr_shifted: scale must be finite and > 0", "(got inf)"}));
}

TEST_CASE("every error rule of the presets", "[presets]") {
  namespace presets = diffuse::presets;
  presets::DiffusersBetas bad;
  bad.beta_schedule = "cosine";
  CHECK(throws_with<std::invalid_argument>(
      [&] { presets::diffusers<double>(bad); },
      {"diffuse::presets::diffusers: unknown beta_schedule; known: linear, scaled_linear, squaredcos_cap_v2, sigmoid",
       "(got \"cosine\")"}));
  bad.beta_schedule = "linear";
  bad.trained_betas = {0.1, 0.2};
  CHECK(throws_with<std::invalid_argument>(
      [&] { presets::diffusers<double>(bad); },
      {"diffuse::presets::diffusers: trained_betas must have num_train_timesteps = 1000 values", "(got 2)"}));
  bad.trained_betas.clear();
  bad.num_train_timesteps = 0;
  CHECK(throws_with<std::invalid_argument>(
      [&] { presets::diffusers<double>(bad); },
      {"diffuse::presets::diffusers: the number of steps T must be at least 1", "(got 0)"}));
  CHECK(throws_with<std::invalid_argument>(
      [] { presets::improved_diffusion<double>("squaredcos_cap_v2", 1000); },
      {"diffuse::presets::improved_diffusion: unknown schedule name; known: linear, cosine",
       "(got \"squaredcos_cap_v2\")"}));
  CHECK(throws_with<std::invalid_argument>(
      [] { presets::improved_diffusion<double>("linear", 19); },
      {"diffuse::presets::improved_diffusion: \"linear\" needs T >= 20", "(got 19)"}));
  CHECK(throws_with<std::invalid_argument>(
      [] { presets::improved_diffusion<float>("cosine", 0); },
      {"diffuse::presets::improved_diffusion: the number of steps T must be at least 1", "(got 0)"}));
  CHECK(throws_with<std::invalid_argument>(
      [] { presets::ldm<double>("scaled_linear", 1000); },
      {"diffuse::presets::ldm: unknown schedule name; known: linear, sqrt_linear, sqrt, cosine",
       "(got \"scaled_linear\")"}));
  CHECK(throws_with<std::invalid_argument>([] { presets::ldm<double>("sqrt", 1000, 0.0, 0.02); },
                                           {"diffuse::presets::ldm: linear_start must be in (0, 1]", "(got 0)"}));
  CHECK(throws_with<std::invalid_argument>([] { presets::ldm<double>("sqrt", 1000, 1e-4, 1.5); },
                                           {"diffuse::presets::ldm: linear_end must be in (0, 1]", "(got 1.5)"}));
  CHECK(throws_with<std::invalid_argument>(
      [] { presets::ldm<double>("cosine", -1); },
      {"diffuse::presets::ldm: the number of steps T must be at least 1", "(got -1)"}));
  CHECK(throws_with<std::invalid_argument>(
      [] { presets::chen_sigmoid<double>(1000, 3, -3); },
      {"diffuse::presets::chen_sigmoid: start must be below end, both finite; start = 3, end", "(got -3)"}));
  CHECK(throws_with<std::invalid_argument>([] { presets::chen_sigmoid<double>(1000, -3, 3, 0); },
                                           {"diffuse::presets::chen_sigmoid: tau must be finite and > 0", "(got 0)"}));
  CHECK(throws_with<std::invalid_argument>(
      [] { presets::chen_sigmoid<double>(0); },
      {"diffuse::presets::chen_sigmoid: the number of steps T must be at least 1", "(got 0)"}));
}
