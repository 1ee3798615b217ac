// The references of the model-sampling and sampler-schedule tests: the model samplings that
// tests/reference/sampler_schedules.txt names (made by gen_sampler_schedules_reference.py), and the
// precision contract of model_sampling.hpp and sampler_schedules.hpp.
#pragma once

#include <diffuse/model_sampling.hpp>

#include <stdexcept>
#include <string>

#include "references.hpp"
#include "ulps.hpp"

namespace model_sampling_reference {

/// The reference file of both tests.
inline const char* const file = "sampler_schedules.txt";

/// The contract: within 2⁻¹⁰⁰ relative before the one rounding (model_sampling.hpp), as a weight of
/// test_support::contract's 2⁻¹¹⁸.
inline constexpr double weight = 262144;  // 2¹⁸

/// got against a 40-digit reference: ½ ulp + 2⁻¹⁰⁰ relative (+ the reference's own error).
template <class T>
test_support::Verdict judge(T got, const std::string& expected) {
  return test_support::judge_relative(got, test_support::exact(expected), weight);
}

/// Calls f with the model sampling a family name of the reference file stands for (built once).
template <class T, class F>
void with_family(const std::string& name, F&& f) {
  static const diffuse::DiscreteVpSampling<T> sd15(diffuse::Schedule<T>::scaled_linear(1000));
  static const diffuse::DiscreteEdmSampling<T> dedm(diffuse::Schedule<T>::scaled_linear(1000));
  static const diffuse::EdmSampling<T> edm(0.002, 120);
  static const diffuse::ContinuousVSampling<T> v(0.03, 500);
  static const diffuse::FlowSampling<T> sd3(3, 1000), aura(1.73, 1);
  static const diffuse::FlowSampling<T> flux = diffuse::FlowSampling<T>::flux(1.15);
  if (name == "sd15") return f(sd15);
  if (name == "dedm") return f(dedm);
  if (name == "edm") return f(edm);
  if (name == "v") return f(v);
  if (name == "sd3") return f(sd3);
  if (name == "aura") return f(aura);
  if (name == "flux") return f(flux);
  throw std::runtime_error("unknown family " + name);
}

}  // namespace model_sampling_reference
