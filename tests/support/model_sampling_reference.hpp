// The references of the model-sampling and sampler-schedule tests: the model samplings that
// tests/reference/sampler_schedules.txt names (made by gen_sampler_schedules_reference.py), and the
// precision contract of model_sampling.hpp and sampler_schedules.hpp.
#pragma once

#include <diffuse/model_sampling.hpp>

#include <stdexcept>
#include <string>
#include <vector>

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

// The records of sampler_schedules.txt (gen_sampler_schedules_reference.py lists their formats) and
// of comfyui_spot_checks.txt (comfyui_spot_check.py).

/// `table <family> <index> <sigma>`, `percent <family> <p> <sigma>`, `sigma32 <family> <timestep>
/// <sigma>`, `comfy_sigma <family> <timestep> <sigma>`, `comfy_timestep <family> <sigma> <timestep>`:
/// a value of a family's model sampling at an argument.
struct Value {
  std::string family, argument, value;
};
inline std::vector<Value> values(const std::string& reference, const std::string& kind) {
  return test_support::load<Value>(reference, kind, &Value::family, &Value::argument, &Value::value);
}

/// `sigma <family> <convention> <timestep> <sigma>`, `timestep <family> <convention> <sigma> <timestep>`.
struct ConventionValue {
  std::string family, convention, argument, value;
};
inline std::vector<ConventionValue> convention_values(const std::string& kind) {
  using R = ConventionValue;
  return test_support::load<R>(file, kind, &R::family, &R::convention, &R::argument, &R::value);
}

/// `schedule <family> <name> <N> : <sigma_0> …` (the schedule's values, its final 0 included),
/// `tabled <ays|oss|gits> <model type or coeff> <N> : …` and `comfy_schedule <family> <name> <N> : …`.
struct Sequence {
  std::string family, name, steps, separator;
  std::vector<std::string> sigmas;
};
inline std::vector<Sequence> sequences(const std::string& reference, const std::string& kind) {
  using R = Sequence;
  return test_support::load_into<R>(reference, kind, &R::sigmas, &R::family, &R::name, &R::steps, &R::separator);
}

}  // namespace model_sampling_reference
