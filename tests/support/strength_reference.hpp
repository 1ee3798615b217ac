// The records of tests/reference/strength_reference.txt (made by gen_strength_reference.py), read by
// the strength and renoise tests: each kind a struct with the fields the script prints.
#pragma once

#include <string>
#include <vector>

#include "references.hpp"

namespace strength_reference {

/// The reference file of both tests.
inline const char* const file = "strength_reference.txt";

/// `start <N> <strength> <diffusers SD start> <diffusers flow start> <sd.cpp start>`
struct Start {
  std::string steps, strength, diffusers_start, flow_start, sdcpp_start;
};
inline std::vector<Start> starts() {
  using R = Start;
  return test_support::load<R>(file, "start", &R::steps, &R::strength, &R::diffusers_start, &R::flow_start,
                               &R::sdcpp_start);
}

/// `comfy <N> <denoise> <node> <total steps> <skipped> <sigma_0> …` (ComfyUI's denoise)
struct Comfy {
  std::string steps, denoise, node, total, skipped;
  std::vector<std::string> sigmas;
};
inline std::vector<Comfy> comfy() {
  using R = Comfy;
  return test_support::load_into<R>(file, "comfy", &R::sigmas, &R::steps, &R::denoise, &R::node, &R::total,
                                    &R::skipped);
}

/// `noise_level <n> <sigma* = n/(1 − n)>` (stable-diffusion.cpp)
struct NoiseLevel {
  std::string level, sigma;
};
inline std::vector<NoiseLevel> noise_levels() {
  return test_support::load<NoiseLevel>(file, "noise_level", &NoiseLevel::level, &NoiseLevel::sigma);
}

/// `sqrt_alpha_bar_T <model> <√ᾱ_T>`
struct SqrtAlphaBarT {
  std::string model, value;
};
inline SqrtAlphaBarT sqrt_alpha_bar_T() {
  return test_support::load<SqrtAlphaBarT>(file, "sqrt_alpha_bar_T", &SqrtAlphaBarT::model, &SqrtAlphaBarT::value)
      .at(0);
}

/// `ve_ancestral <from> <to> <eta> <sigma_up> <sigma_down> <mean coefficient of x> <of d>`
struct VeAncestral {
  std::string from, to, eta, sigma_up, sigma_down, mean_x, mean_d;
};
inline std::vector<VeAncestral> ve_ancestral() {
  using R = VeAncestral;
  return test_support::load<R>(file, "ve_ancestral", &R::from, &R::to, &R::eta, &R::sigma_up, &R::sigma_down,
                               &R::mean_x, &R::mean_d);
}

/// `rf_ancestral <from> <to> <eta> <mean coefficient of x> <of d> <stddev>`
struct RfAncestral {
  std::string from, to, eta, mean_x, mean_d, stddev;
};
inline std::vector<RfAncestral> rf_ancestral() {
  using R = RfAncestral;
  return test_support::load<R>(file, "rf_ancestral", &R::from, &R::to, &R::eta, &R::mean_x, &R::mean_d, &R::stddev);
}

/// `tcd <prev> <gamma> <s> <mean coefficient of x0> <of eps> <variance>` (0-based steps)
struct Tcd {
  std::string previous, gamma, s, mean_x0, mean_eps, variance;
};
inline std::vector<Tcd> tcd() {
  using R = Tcd;
  return test_support::load<R>(file, "tcd", &R::previous, &R::gamma, &R::s, &R::mean_x0, &R::mean_eps, &R::variance);
}

}  // namespace strength_reference
