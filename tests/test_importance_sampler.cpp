// importance_sampler.hpp: improved-diffusion's LossSecondMomentResampler probabilities on a fixed loss
// history (tests/reference/importance_sampler.txt, from gen_importance_sampler_reference.py, a NumPy
// model of resample.py); save and restore; draws as pure functions of (seed, id) with the law p
// (chi-square) and the weights 1/(T p_t); every argument rule, with the state unchanged after a
// rejected update.
#include <diffuse/importance_sampler.hpp>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "catch.hpp"
#include "support/messages.hpp"
#include "support/references.hpp"

namespace {

bool same_state(const diffuse::LossSecondMomentState& a, const diffuse::LossSecondMomentState& b) {
  return a.steps == b.steps && a.history_length == b.history_length && a.uniform_probability == b.uniform_probability &&
         a.counts == b.counts && a.history == b.history;
}

/// A warmed-up sampler over 6 steps, H = 2: losses 1, 2, 0, 3, 1, 5 at every step, ρ as given.
diffuse::LossSecondMomentSampler warmed(double rho) {
  diffuse::LossSecondMomentSampler s(6, 2, rho);
  const std::vector<double> loss{1, 2, 0, 3, 1, 5};
  for (int round = 0; round < 2; ++round) s.update({1, 2, 3, 4, 5, 6}, loss);
  return s;
}

}  // namespace

// Each run of updates between two probability records is one update() call (several losses of one
// step in a call apply in order). |p − p_ref| ≤ 16 ε p_ref: NumPy sums the squares pairwise, we in
// order; both are within a few ε.
TEST_CASE("the probabilities reproduce improved-diffusion's LossSecondMomentResampler on a fixed loss history",
          "[importance_sampler]") {
  std::ifstream in(test_support::reference_path("importance_sampler.txt"));
  REQUIRE(in);
  std::string line;
  std::vector<diffuse::LossSecondMomentSampler> sampler;
  std::vector<int> steps;
  std::vector<double> losses;
  int records = 0, warmed_records = 0;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string kind;
    fields >> kind;
    if (kind == "sampler") {
      int t = 0, h = 0;
      double rho = 0;
      fields >> t >> h >> rho;
      sampler.assign(1, diffuse::LossSecondMomentSampler(t, h, rho));
    } else if (kind == "update") {
      int t = 0;
      std::string loss;
      fields >> t >> loss;
      steps.push_back(t);
      losses.push_back(std::strtod(loss.c_str(), nullptr));
    } else if (kind == "probabilities") {
      REQUIRE(sampler.size() == 1);
      sampler[0].update(steps, losses);
      steps.clear();
      losses.clear();
      const std::vector<double> p = sampler[0].probabilities();
      std::string value;
      for (double pt : p) {
        REQUIRE(fields >> value);
        const double expected = std::strtod(value.c_str(), nullptr);
        CHECK(std::fabs(pt - expected) <= 16 * std::numeric_limits<double>::epsilon() * expected);
      }
      CHECK_FALSE(fields >> value);
      ++records;
      if (sampler[0].warmed_up()) ++warmed_records;
    }
  }
  CHECK(records == 48);
  CHECK(warmed_records >= 20);
}

TEST_CASE("a saved state restores the sampler: same probabilities, same draws, same future", "[importance_sampler]") {
  diffuse::LossSecondMomentSampler a = warmed(0.01);
  a.update({2, 2, 5}, {7, -1, 0.5});
  const diffuse::LossSecondMomentState saved = a.state();
  diffuse::LossSecondMomentSampler b(saved);
  CHECK(same_state(a.state(), b.state()));
  CHECK(a.probabilities() == b.probabilities());
  for (std::uint64_t id = 0; id < 50; ++id) {
    CHECK(a.draw(9, id).step == b.draw(9, id).step);
    CHECK(a.draw(9, id).weight == b.draw(9, id).weight);
  }
  a.update({3}, {4});
  b.update({3}, {4});
  CHECK(same_state(a.state(), b.state()));
  // A full history drops its oldest loss: step 2 went [2, 2] → [2, 7] → [7, −1]; step 5 [1, 1] → [1, 0.5].
  CHECK(a.state().counts[1] == 2);
  CHECK(a.state().history[2] == 7);
  CHECK(a.state().history[3] == -1);
  CHECK(a.state().history[8] == 1);
  CHECK(a.state().history[9] == 0.5);
}

// The law of the draws: χ² of 2^15 draws against T p_t, and each weight is 1/(T p_t) of its step.
TEST_CASE("draws follow p, are pure functions of (seed, id), and carry the weight 1/(T p_t)",
          "[importance_sampler][statistical]") {
  const diffuse::LossSecondMomentSampler s = warmed(0.01);
  const std::vector<double> p = s.probabilities();
  const std::size_t n = 1 << 15;
  std::vector<std::uint64_t> ids(n);
  for (std::size_t k = 0; k < n; ++k) ids[k] = 3 * k + 1;
  const std::vector<diffuse::ImportanceDraw> d = s.draw(77, ids);
  std::vector<double> counts(p.size(), 0);
  for (std::size_t k = 0; k < n; ++k) {
    REQUIRE(d[k].step >= 1);
    REQUIRE(d[k].step <= 6);
    // 1/(T p_t) rounded once under IEEE arithmetic (the [ieee] case below checks the exact bits);
    // -ffast-math may form it as a reciprocal times p, one more rounding.
    CHECK_THAT(d[k].weight, Catch::Matchers::WithinULP(1 / (6 * p[static_cast<std::size_t>(d[k].step - 1)]), 1));
    if (k % 4096 == 0) {
      CHECK(s.draw(77, ids[k]).step == d[k].step);
      CHECK(s.draw(77, std::vector<std::uint64_t>{ids[k]})[0].step == d[k].step);
    }
    counts[static_cast<std::size_t>(d[k].step - 1)] += 1;
  }
  double chi = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const double e = p[i] * static_cast<double>(n);
    chi += (counts[i] - e) * (counts[i] - e) / e;
  }
  CHECK(chi <= 20.515);  // χ² with 5 degrees of freedom at α = 1e-3
}

TEST_CASE("the weight of a draw is 1/(T p_t) correctly rounded", "[importance_sampler][ieee]") {
  const diffuse::LossSecondMomentSampler s = warmed(0.01);
  const std::vector<double> p = s.probabilities();
  for (std::uint64_t id = 0; id < 4096; ++id) {
    const diffuse::ImportanceDraw d = s.draw(77, id);
    CHECK(d.weight == 1 / (6 * p[static_cast<std::size_t>(d.step - 1)]));
  }
}

TEST_CASE("uniform before warm-up, with all losses 0 and with rho = 1, and a step with p = 0 is never drawn",
          "[importance_sampler]") {
  diffuse::LossSecondMomentSampler s(4, 2, 0.001);
  s.update({1, 2, 3, 4, 1, 2, 3}, {1, 2, 3, 4, 5, 6, 7});
  CHECK_FALSE(s.warmed_up());
  CHECK(s.probabilities() == std::vector<double>(4, 0.25));
  s.update({4}, {8});
  CHECK(s.warmed_up());
  CHECK(s.probabilities() != std::vector<double>(4, 0.25));
  diffuse::LossSecondMomentSampler zero(3, 1, 0);
  zero.update({1, 2, 3}, {0, 0, 0});
  CHECK(zero.probabilities() == std::vector<double>(3, 1.0 / 3));
  CHECK(warmed(1).probabilities() == std::vector<double>(6, 1.0 / 6));
  const diffuse::LossSecondMomentSampler gap = warmed(0);  // step 3 has only zero losses
  CHECK(gap.probabilities()[2] == 0);
  for (std::uint64_t id = 0; id < 20000; ++id) CHECK(gap.draw(5, id).step != 3);
}

TEST_CASE("bad arguments throw and a rejected update leaves the state unchanged", "[importance_sampler][errors]") {
  using test_support::error_message;
  CHECK(error_message<std::invalid_argument>([] { diffuse::LossSecondMomentSampler(0); }) ==
        "diffuse::LossSecondMomentSampler: the number of steps T must be at least 1 (got 0)");
  CHECK(error_message<std::invalid_argument>([] { diffuse::LossSecondMomentSampler(10, 0); }) ==
        "diffuse::LossSecondMomentSampler: the history length H must be at least 1 (got 0)");
  CHECK(error_message<std::invalid_argument>([] { diffuse::LossSecondMomentSampler(10, 10, 1.5); }) ==
        "diffuse::LossSecondMomentSampler: uniform_probability must be in [0, 1] (got 1.5)");
  CHECK(error_message<std::invalid_argument>([] { diffuse::LossSecondMomentSampler(10, 10, -0.1); }) ==
        "diffuse::LossSecondMomentSampler: uniform_probability must be in [0, 1] (got -0.1)");
  CHECK(error_message<std::invalid_argument>([] { diffuse::LossSecondMomentSampler(10, 10, std::nan("")); }) ==
        "diffuse::LossSecondMomentSampler: uniform_probability must be in [0, 1] (got nan)");
  diffuse::LossSecondMomentState bad = diffuse::LossSecondMomentSampler(3, 2).state();
  bad.counts.pop_back();
  CHECK(error_message<std::invalid_argument>([&] { diffuse::LossSecondMomentSampler{bad}; }) ==
        "diffuse::LossSecondMomentSampler: counts must have T = 3 entries (got 2)");
  bad = diffuse::LossSecondMomentSampler(3, 2).state();
  bad.history.push_back(0);
  CHECK(error_message<std::invalid_argument>([&] { diffuse::LossSecondMomentSampler{bad}; }) ==
        "diffuse::LossSecondMomentSampler: history must have T·H = 6 entries (got 7)");
  bad = diffuse::LossSecondMomentSampler(3, 2).state();
  bad.counts[1] = 3;
  CHECK(error_message<std::out_of_range>([&] { diffuse::LossSecondMomentSampler{bad}; }) ==
        "diffuse::LossSecondMomentSampler: counts(1) must be in [0, 2] (got 3)");
  bad = diffuse::LossSecondMomentSampler(3, 2).state();
  bad.history[4] = std::numeric_limits<double>::infinity();
  CHECK(error_message<std::invalid_argument>([&] { diffuse::LossSecondMomentSampler{bad}; }) ==
        "diffuse::LossSecondMomentSampler: history(4) must be finite (got inf)");

  diffuse::LossSecondMomentSampler s = warmed(0.001);
  const diffuse::LossSecondMomentState before = s.state();
  CHECK(error_message<std::out_of_range>([&] {
          s.update({1, 2, 7}, {4, 4, 4});
        }) == "diffuse::LossSecondMomentSampler::update: steps(2) must be in [1, 6] (got 7)");
  CHECK(error_message<std::out_of_range>([&] { s.update({0}, {1}); }) ==
        "diffuse::LossSecondMomentSampler::update: steps(0) must be in [1, 6] (got 0)");
  CHECK(error_message<std::invalid_argument>([&] {
          s.update({1, 2, 3}, {5, 6, std::nan("")});
        }) == "diffuse::LossSecondMomentSampler::update: losses(2) must be finite (got nan)");
  CHECK(error_message<std::invalid_argument>([&] {
          s.update({1, 2}, {9, -std::numeric_limits<double>::infinity()});
        }) == "diffuse::LossSecondMomentSampler::update: losses(1) must be finite (got -inf)");
  CHECK(error_message<std::invalid_argument>([&] {
          s.update({1, 2}, {1});
        }) == "diffuse::LossSecondMomentSampler::update: losses must have one entry per step, 2 (got 1)");
  CHECK(same_state(s.state(), before));
}
