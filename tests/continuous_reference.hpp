// Test support for the continuous-time tests: the records of tests/reference/continuous_*.txt
// (made by tests/reference/gen_continuous_reference.py), the processes they name, the precision
// contract of continuous.hpp, sigma_schedules.hpp and time_coordinates.hpp in ulps of the result
// type, and an exception-message check.
#pragma once

#include <diffuse/continuous.hpp>

#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "messages.hpp"
#include "ulp_support.hpp"

namespace continuous_reference {

using diffuse::detail::Wide;
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

/// A reference value (40 digits, "inf", "-inf") read into Wide: reference::exact.
using reference::exact;

/// An input of the reference (a float32 value written exactly) as T: exact in float, double and long double.
template <class T>
T input(const std::string& text) {
  return static_cast<T>(exact(text));
}

/// The spacing of T above |x|.
template <class T>
long double ulp(T x) {
  const T a = std::fabs(x);
  return static_cast<long double>(std::nextafter(a, std::numeric_limits<T>::infinity())) - static_cast<long double>(a);
}

/// The long double formats the contract is tested in: x87 (64 significand bits) and IEEE binary128
/// (113, aarch64 Linux); float and double always.
template <class T>
constexpr bool contract_tested() {
  return std::numeric_limits<T>::digits == 24 || std::numeric_limits<T>::digits == 53 ||
         std::numeric_limits<T>::digits == 64 || std::numeric_limits<T>::digits == 113;
}

/// The name of T in reports.
template <class T>
const char* type_name() {
  return std::numeric_limits<T>::digits == 24   ? "float"
         : std::numeric_limits<T>::digits == 53 ? "double"
                                                : "long double";
}

/// The evaluation bound of continuous.hpp and sigma_schedules.hpp: 2⁻¹¹⁸ relative per unit of
/// weight (1 + Σ|λ| and its like; see the file comments).
inline Wide contract(double weight) { return ldexp(Wide(weight), -118); }

/// The reference's own error: its 40 significant digits (2⁻¹³⁰·⁵ relative) read into Wide (a few
/// units of 2⁻¹²⁸ more: the digits after the 38th and the scaling are rounded), 2⁻¹²⁴ with margin.
inline Wide reference_error(const Wide& x) { return ldexp(abs(x), -124); }

/// A value against the contract: its error and the allowed error, both in ulps of T at `scale`.
struct Verdict {
  double ulps = 0;
  double bound = 0;
  bool ok() const { return ulps <= bound; }
};

/// got, a Wide value rounded once to T, against the exact x: allowed ½ ulp at x (the rounding)
/// + `evaluation` (the bound on the Wide value's error, absolute) + the reference's own error.
/// Both figures in ulps of T at `scale` (|x| itself, or max(1, |λ|) for a log-SNR, which crosses
/// zero). An infinite x or got must be matched exactly (reference::ulp_error).
template <class T>
Verdict judge(T got, const Wide& x, const Wide& evaluation, const Wide& scale) {
  Verdict v;
  if (!x.is_finite() || std::isinf(got) || std::isnan(got)) {
    v.ulps = reference::ulp_error(got, x);
    return v;
  }
  const Wide unit = reference::ulp_at<T>(scale);
  const Wide half_ulp = x.is_zero() ? Wide() : ldexp(reference::ulp_at<T>(x), -1);
  v.ulps = static_cast<double>(abs(Wide(got) - x) / unit);
  v.bound = static_cast<double>((half_ulp + evaluation + reference_error(x)) / unit);
  return v;
}

/// The same with the error relative to |x|: within ½ ulp + 2⁻¹¹⁸·weight·|x| (+ the reference's).
template <class T>
Verdict judge_relative(T got, const Wide& x, double weight) {
  return judge(got, x, contract(weight) * abs(x), x.is_zero() ? Wide(1) : abs(x));
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

/// The parameters of process(name) that act as log-SNRs, Σ of their sizes (the contract's weight
/// counts them with the log-SNRs at the times): |γ_min| + |γ_max| (vdm_linear), 2|log σ_min| +
/// 2|log σ_max| (ve), 2|log d| for each resolution d (shifted and interpolated cosines; 512, 64 and
/// 512, 32, 256 here), none for vp_linear, sub_vp and the cosine.
inline double parameter_weight(const std::string& name) {
  if (name == "shifted_cosine") return 2 * (std::log(512.0) + std::log(64.0));
  if (name == "interpolated_cosine") return 2 * (std::log(512.0) + std::log(32.0) + std::log(256.0));
  if (name == "vdm_linear") return 13.3 + 5;
  if (name == "ve") return 2 * (std::fabs(std::log(0.01)) + std::log(50.0));
  return 0;
}

/// The families, in the order of the reference file.
inline std::vector<std::string> family_names() {
  return {"vp_linear", "sub_vp", "cosine", "shifted_cosine", "interpolated_cosine", "vdm_linear", "ve"};
}

using test_support::throws_with;

}  // namespace continuous_reference
