// Timestep selection against the golden sequences of tests/reference/gen_spacing_golden.py, and every error rule.
#include <diffuse/spacing.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "catch.hpp"
#include "support/messages.hpp"

namespace {

using test_support::throws_with;

/// One line of spacing_golden.txt.
struct GoldenCase {
  std::string family, mode, n, status;
  int train_steps = 0, offset = 0;
  std::vector<int> index;
  std::string label() const {
    return family + " " + mode + " T=" + std::to_string(train_steps) + " N=" + n + " offset=" + std::to_string(offset);
  }
};

std::vector<GoldenCase> read_golden() {
  std::ifstream in(std::string(DIFFUSE_TEST_REFERENCE_DIR) + "/spacing_golden.txt");
  REQUIRE(in.good());
  std::vector<GoldenCase> cases;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    GoldenCase c;
    fields >> c.family >> c.mode >> c.train_steps >> c.n >> c.offset >> c.status;
    for (int v; fields >> v;) c.index.push_back(v);
    cases.push_back(c);
  }
  return cases;
}

diffuse::Timesteps run(const GoldenCase& c) {
  if (c.family == "diffusers") {
    return diffuse::diffusers_timesteps(c.train_steps, std::stoi(c.n), diffuse::timestep_spacing_from_name(c.mode),
                                        c.offset);
  }
  if (c.family == "ldm") {
    return diffuse::ldm_ddim_timesteps(c.train_steps, std::stoi(c.n), diffuse::ldm_discretization_from_name(c.mode));
  }
  return diffuse::space_timesteps(c.train_steps, c.mode);
}

std::vector<int> plus_one(std::vector<int> v) {
  for (int& x : v) ++x;
  return v;
}

}  // namespace

TEST_CASE("every golden sequence is reproduced, as model indices and as steps t = index + 1", "[spacing][ieee]") {
  const auto cases = read_golden();
  REQUIRE(cases.size() > 1000);
  int checked = 0, errors = 0, drifts = 0;
  for (const auto& c : cases) {
    INFO(c.label());
    if (c.status == "error") {
      CHECK_THROWS_AS(run(c), std::invalid_argument);
      ++errors;
      continue;
    }
    const diffuse::Timesteps got = run(c);
    CHECK(got.index() == c.index);
    CHECK(got.t() == plus_one(c.index));
    CHECK(got.size() == c.index.size());
    CHECK(got.train_steps() == c.train_steps);
    CHECK(got.order() == (c.family == "respace" ? diffuse::StepOrder::ascending : diffuse::StepOrder::descending));
    if (c.status == "drift") ++drifts;
    ++checked;
  }
  CHECK(errors > 100);
  CHECK(drifts > 10);
  CHECK(checked > 900);
}

TEST_CASE("space_timesteps: the list overload agrees with the comma string", "[spacing]") {
  for (const auto& c : read_golden()) {
    if (c.family != "respace" || c.mode.compare(0, 4, "ddim") == 0) continue;
    INFO(c.label());
    std::vector<int> counts;
    std::stringstream items(c.mode);
    for (std::string item; std::getline(items, item, ',');) counts.push_back(std::stoi(item));
    if (c.status == "error") {
      CHECK_THROWS_AS(diffuse::space_timesteps(c.train_steps, counts), std::invalid_argument);
    } else {
      CHECK(diffuse::space_timesteps(c.train_steps, counts).index() == c.index);
    }
  }
}

TEST_CASE("known sequences from the tools' documentation and issue trackers", "[spacing]") {
  using diffuse::TimestepSpacing;
  // Lin et al. 2023, Table 2 (T = 1000, N = 10).
  CHECK(diffuse::diffusers_timesteps(1000, 10, TimestepSpacing::linspace).index() ==
        std::vector<int>{999, 888, 777, 666, 555, 444, 333, 222, 111, 0});
  CHECK(diffuse::diffusers_timesteps(1000, 10, TimestepSpacing::leading).index() ==
        std::vector<int>{900, 800, 700, 600, 500, 400, 300, 200, 100, 0});
  CHECK(diffuse::diffusers_timesteps(1000, 10, TimestepSpacing::trailing).index() ==
        std::vector<int>{999, 899, 799, 699, 599, 499, 399, 299, 199, 99});
  // Stable Diffusion 1.x: leading with steps_offset = 1 starts at index 981 for N = 50.
  const auto sd = diffuse::diffusers_timesteps(1000, 50, TimestepSpacing::leading, 1);
  CHECK(sd.index().front() == 981);
  CHECK(sd.t().front() == 982);
  CHECK(sd.index().back() == 1);
  // The float-drift case: NumPy's arange gives 14 values ending with index −1; the first 13 are kept.
  const auto drift = diffuse::diffusers_timesteps(999, 13, TimestepSpacing::trailing);
  CHECK(drift.size() == 13);
  CHECK(drift.index().back() == 76);
  // LDM uniform with T = 1000, N = 7 gives 8 steps (c = 142), the model indices g + 1.
  const auto ldm = diffuse::ldm_ddim_timesteps(1000, 7, diffuse::LdmDiscretization::uniform);
  CHECK(ldm.index() == std::vector<int>{995, 853, 711, 569, 427, 285, 143, 1});
  CHECK(ldm.t().back() == 2);
  // improved-diffusion's docstring example: 300 steps, sections [10, 15, 20].
  const auto kept = diffuse::space_timesteps(300, {10, 15, 20});
  CHECK(kept.size() == 45);
  CHECK(kept.index().front() == 0);
  CHECK(kept.index().back() == 299);
  CHECK(diffuse::space_timesteps(1000, "ddim50").index()[1] == 20);
  CHECK(diffuse::space_timesteps(10, " 3 , 2 ").index() == diffuse::space_timesteps(10, "3,2").index());
}

TEST_CASE("the previous step a sampler moves to", "[spacing]") {
  const auto steps =
      diffuse::diffusers_timesteps(1000, 4, diffuse::TimestepSpacing::leading, 1);  // indices 751 501 251 1
  CHECK(steps.t() == std::vector<int>{752, 502, 252, 2});
  CHECK(steps.previous_t(0) == 502);
  CHECK(steps.previous_t(2) == 2);
  CHECK(steps.previous_t(3) == 0);         // set_alpha_to_one = true: ᾱ_0 = 1
  CHECK(steps.previous_t(3, false) == 1);  // set_alpha_to_one = false: ᾱ_1 (alphas_cumprod[0])
  const auto ending_at_one = diffuse::diffusers_timesteps(1000, 4, diffuse::TimestepSpacing::leading);
  CHECK(ending_at_one.previous_t(3, false) == 1);  // from t = 1 to t = 1, as diffusers does
  CHECK(throws_with<std::out_of_range>([&] { steps.previous_t(4); },
                                       {"diffuse::Timesteps::previous_t: k must be in [0, 3]", "(got 4)"}));
  const auto kept = diffuse::space_timesteps(100, "ddim10");
  CHECK(throws_with<std::invalid_argument>([&] { kept.previous_t(0); },
                                           {"diffuse::Timesteps::previous_t: needs a descending"}));
}

TEST_CASE("Timesteps from steps or indices", "[spacing]") {
  using diffuse::StepOrder;
  using diffuse::Timesteps;
  const auto a = Timesteps::from_steps({1000, 500, 1}, 1000, StepOrder::descending);
  CHECK(a.index() == std::vector<int>{999, 499, 0});
  const auto b = Timesteps::from_indices({0, 10, 999}, 1000, StepOrder::ascending);
  CHECK(b.t() == std::vector<int>{1, 11, 1000});
  CHECK(throws_with<std::invalid_argument>(
      [] {
        Timesteps::from_steps({0, 5}, 10, StepOrder::ascending);
      },
      {"diffuse::Timesteps::from_steps: entry 0 must be a step t in [1, 10]", "(got 0)"}));
  CHECK(throws_with<std::invalid_argument>(
      [] {
        Timesteps::from_indices({3, 10}, 10, StepOrder::ascending);
      },
      {"diffuse::Timesteps::from_indices: entry 1 must be an index in [0, 9]", "(got 10)"}));
  CHECK(throws_with<std::invalid_argument>(
      [] {
        Timesteps::from_steps({5, 5}, 10, StepOrder::descending);
      },
      {"entry 1 must be below entry 0 = 5 (strictly descending)", "(got 5)"}));
  CHECK(throws_with<std::invalid_argument>(
      [] {
        Timesteps::from_steps({5, 4}, 10, StepOrder::ascending);
      },
      {"entry 1 must be above entry 0 = 5 (strictly ascending)", "(got 4)"}));
  CHECK(throws_with<std::invalid_argument>([] { Timesteps::from_steps({}, 10, StepOrder::ascending); },
                                           {"diffuse::Timesteps::from_steps: the sequence must not be empty"}));
  CHECK(throws_with<std::invalid_argument>([] { Timesteps::from_steps({1}, 0, StepOrder::ascending); },
                                           {"the number of training steps T must be at least 1", "(got 0)"}));
}

TEST_CASE("every error rule of the spacing functions", "[spacing]") {
  using diffuse::TimestepSpacing;
  SECTION("T < 1") {
    CHECK(throws_with<std::invalid_argument>(
        [] { diffuse::diffusers_timesteps(0, 1, TimestepSpacing::linspace); },
        {"diffuse::diffusers_timesteps: the number of training steps T must be at least 1", "(got 0)"}));
    CHECK(
        throws_with<std::invalid_argument>([] { diffuse::ldm_ddim_timesteps(-3, 1, diffuse::LdmDiscretization::quad); },
                                           {"diffuse::ldm_ddim_timesteps: the number of training steps", "(got -3)"}));
    CHECK(throws_with<std::invalid_argument>([] { diffuse::space_timesteps(0, "ddim1"); },
                                             {"diffuse::space_timesteps: the number of training steps", "(got 0)"}));
  }
  SECTION("N outside [1, T]") {
    for (auto spacing : {TimestepSpacing::linspace, TimestepSpacing::leading, TimestepSpacing::trailing}) {
      CHECK(throws_with<std::invalid_argument>(
          [&] { diffuse::diffusers_timesteps(1000, 0, spacing); },
          {"diffuse::diffusers_timesteps: the number of inference steps N must be in [1, T] = [1, 1000]", "(got 0)"}));
      CHECK(throws_with<std::invalid_argument>([&] { diffuse::diffusers_timesteps(1000, 1001, spacing); },
                                               {"(got 1001)"}));
    }
    CHECK(throws_with<std::invalid_argument>(
        [] { diffuse::ldm_ddim_timesteps(50, 51, diffuse::LdmDiscretization::uniform); },
        {"diffuse::ldm_ddim_timesteps: the number of inference steps N must be in [1, T] = [1, 50]", "(got 51)"}));
    CHECK(throws_with<std::invalid_argument>(
        [] { diffuse::space_timesteps(50, "ddim51"); },
        {"diffuse::space_timesteps: the number of inference steps N must be in [1, T] = [1, 50]", "(got 51)"}));
    CHECK(throws_with<std::invalid_argument>([] { diffuse::space_timesteps(50, "ddim0"); }, {"(got 0)"}));
  }
  SECTION("leading: steps_offset must keep every index in [0, T - 1]") {
    CHECK(throws_with<std::invalid_argument>(
        [] { diffuse::diffusers_timesteps(1000, 1000, TimestepSpacing::leading, 1); },
        {"diffuse::diffusers_timesteps: leading spacing with T = 1000, N = 1000 needs steps_offset in [0, 0]",
         "diffusers would use index 1000", "(got 1)"}));
    CHECK(
        throws_with<std::invalid_argument>([] { diffuse::diffusers_timesteps(1000, 10, TimestepSpacing::leading, -1); },
                                           {"needs steps_offset in [0, 99]", "(got -1)"}));
    CHECK(diffuse::diffusers_timesteps(1000, 10, TimestepSpacing::leading, 99).index().front() == 999);
    // steps_offset does not act on linspace and trailing (as in diffusers), so it cannot break them.
    CHECK(diffuse::diffusers_timesteps(1000, 1000, TimestepSpacing::trailing, 5).index().front() == 999);
  }
  SECTION("custom lists") {
    CHECK(diffuse::diffusers_custom_timesteps(1000, {999, 500, 0}).t() == std::vector<int>{1000, 501, 1});
    CHECK(throws_with<std::invalid_argument>([] { diffuse::diffusers_custom_timesteps(1000, {}); },
                                             {"diffuse::diffusers_custom_timesteps: the sequence must not be empty"}));
    CHECK(throws_with<std::invalid_argument>(
        [] {
          diffuse::diffusers_custom_timesteps(1000, {999, -1});
        },
        {"diffuse::diffusers_custom_timesteps: entry 1 must be an index in [0, 999]", "(got -1)"}));
    CHECK(
        throws_with<std::invalid_argument>([] { diffuse::diffusers_custom_timesteps(1000, {1000}); }, {"(got 1000)"}));
    CHECK(throws_with<std::invalid_argument>(
        [] {
          diffuse::diffusers_custom_timesteps(1000, {10, 20});
        },
        {"entry 1 must be below entry 0 = 10 (strictly descending)", "(got 20)"}));
  }
  SECTION("LDM: index g + 1 past T - 1, repeated quad steps") {
    CHECK(throws_with<std::invalid_argument>(
        [] { diffuse::ldm_ddim_timesteps(1000, 1000, diffuse::LdmDiscretization::uniform); },
        {"diffuse::ldm_ddim_timesteps: LDM's grid value + 1 is the model index and must be at most T - 1 = 999",
         "(got 1000)"}));
    CHECK(throws_with<std::invalid_argument>(
        [] { diffuse::ldm_ddim_timesteps(1000, 500, diffuse::LdmDiscretization::quad); },
        {"diffuse::ldm_ddim_timesteps: quad discretization repeats index", "N = 500"}));
  }
  SECTION("space_timesteps: counts and strings") {
    CHECK(throws_with<std::invalid_argument>([] { diffuse::space_timesteps(100, std::vector<int>{}); },
                                             {"diffuse::space_timesteps: needs at least one section count"}));
    CHECK(throws_with<std::invalid_argument>(
        [] {
          diffuse::space_timesteps(100, std::vector<int>{5, -1});
        },
        {"section 1 (50 steps): a section count must not be negative", "(got -1)"}));
    CHECK(throws_with<std::invalid_argument>(
        [] { diffuse::space_timesteps(10, "2,6"); },
        {"section 1 (5 steps): cannot divide a section into more points than it has steps", "(got 6)"}));
    CHECK(throws_with<std::invalid_argument>([] { diffuse::space_timesteps(10, "0,0"); },
                                             {"diffuse::space_timesteps: the section counts keep no step"}));
    CHECK(throws_with<std::invalid_argument>(
        [] { diffuse::space_timesteps(10, "ddim6"); },
        {"no integer stride k gives exactly N = len(range(0, T, k)) steps for T = 10", "(got 6)"}));
    for (const char* bad : {"", "ddim", "ddimx", "ddim-5", "10,,5", "10,", "a", "1.5", "-3", "2 2", "1234567890"}) {
      INFO(bad);
      CHECK(
          throws_with<std::invalid_argument>([&] { diffuse::space_timesteps(1000, std::string(bad)); },
                                             {"diffuse::space_timesteps:", "must be a non-negative decimal integer"}));
    }
  }
  SECTION("names") {
    CHECK(diffuse::timestep_spacing_from_name("trailing") == TimestepSpacing::trailing);
    CHECK(std::string(diffuse::timestep_spacing_name(TimestepSpacing::leading)) == "leading");
    CHECK(throws_with<std::invalid_argument>(
        [] { diffuse::timestep_spacing_from_name("Linspace"); },
        {"diffuse::timestep_spacing_from_name: unknown timestep spacing", "(got \"Linspace\")"}));
    CHECK(throws_with<std::invalid_argument>(
        [] { diffuse::ldm_discretization_from_name("linear"); },
        {"diffuse::ldm_discretization_from_name: unknown LDM DDIM discretization", "(got \"linear\")"}));
  }
}
