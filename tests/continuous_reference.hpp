// Test support for the continuous-time tests: the records of tests/reference/continuous_*.txt
// (made by tests/reference/gen_continuous_reference.py), the processes they name, a half-ulp
// closeness check and an exception-message check.
#pragma once

#include <diffuse/continuous.hpp>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "messages.hpp"

namespace continuous_reference {

using Record = std::vector<std::string>;

/// Every record of `kind` in tests/reference/<file>, split into words (the kind dropped).
inline std::vector<Record> load(const std::string& file, const std::string& kind) {
  std::ifstream in(std::string(DIFFUSE_TEST_REFERENCE_DIR) + "/" + file);
  if (!in) throw std::runtime_error("cannot open reference file " + file);
  std::vector<Record> records;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string first;
    if (!(words >> first) || first != kind) continue;
    Record r;
    for (std::string w; words >> w;) r.push_back(w);
    records.push_back(r);
  }
  if (records.empty()) throw std::runtime_error("no '" + kind + "' records in " + file);
  return records;
}

/// A reference value (40 digits, "inf", "-inf") rounded to long double.
inline long double exact(const std::string& text) { return std::strtold(text.c_str(), nullptr); }

/// An input of the reference (a float32 value written exactly) as T: exact in float and double.
template <class T>
T input(const std::string& text) {
  return static_cast<T>(std::strtold(text.c_str(), nullptr));
}

/// 2⁻⁶⁴, the unit of the evaluation error in detail::wide.
constexpr long double unit = 1.0L / 18446744073709551616.0L;

/// The spacing of T above |x|.
template <class T>
long double ulp(T x) {
  const T a = std::fabs(x);
  return static_cast<long double>(std::nextafter(a, std::numeric_limits<T>::infinity())) - static_cast<long double>(a);
}

/// |x − exact| ≤ ½ ulp(x) + units·2⁻⁶⁴·max(|exact|, floor): x is exact rounded once, give or take an
/// evaluation error of `units` units of 2⁻⁶⁴ relative to max(|exact|, floor). Infinities must match.
template <class T>
bool close(T x, long double exact_value, long double units, long double floor = 0) {
  if (std::isinf(exact_value) || std::isinf(x)) return static_cast<long double>(x) == exact_value;
  const long double error = std::fabs(static_cast<long double>(x) - exact_value);
  return error <= ulp(x) / 2 + units * unit * std::max(std::fabs(exact_value), floor);
}

/// The process a reference file names, with the parameters the generator used.
template <class Scalar>
diffuse::ContinuousProcess<Scalar> process(const std::string& name) {
  using P = diffuse::ContinuousProcess<Scalar>;
  if (name == "vp_linear") return P::vp_linear();
  if (name == "sub_vp") return P::sub_vp();
  if (name == "cosine") return P::cosine();
  if (name == "shifted_cosine") return P::shifted_cosine(512);
  if (name == "interpolated_cosine") return P::interpolated_cosine(512, 32, 256);
  if (name == "vdm_linear") return P::vdm_linear();
  if (name == "ve") return P::ve();
  throw std::runtime_error("unknown process " + name);
}

/// The families, in the order of the reference file.
inline std::vector<std::string> family_names() {
  return {"vp_linear", "sub_vp", "cosine", "shifted_cosine", "interpolated_cosine", "vdm_linear", "ve"};
}

using test_support::throws_with;

}  // namespace continuous_reference
