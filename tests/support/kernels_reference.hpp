// The references of the Gaussian, kernel and batch tests (tests/reference/kernels_*.txt, made by
// tests/reference/kernels_reference.py) and the long double error terms these tests compute with.
#pragma once

#include <diffuse/schedule.hpp>

#include <cmath>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "references.hpp"

namespace kernels_reference {

using ld = long double;

/// ε of Scalar as a long double.
template <class Scalar>
constexpr ld eps() {
  return static_cast<ld>(std::numeric_limits<Scalar>::epsilon());
}

/// A unit of 2^−64, the rounding unit of the long double (x86-64) these tests compute in.
inline const ld wide_unit = std::ldexp(1.0L, -64);

/// The error of a reference value as the test reads it: 40 digits rounded to long double and a
/// few long double operations in the test, under 16 units of 2^−64 relative.
inline const ld reference_error = 16 * wide_unit;

/// (1 + x)^n − 1 bounded above: e^{nx} − 1, the growth of a relative error x over n operations.
inline ld compound(ld n, ld x) { return std::expm1(n * x); }

/// |actual − exact| / |exact| (|actual| when exact = 0).
inline ld relative_error(ld actual, ld exact) {
  return exact == 0 ? std::fabs(actual) : std::fabs(actual - exact) / std::fabs(exact);
}

/// A line of kernels_schedules.txt: the coefficients at one step t.
struct ScheduleRow {
  ld beta, alpha, alpha_bar, one_minus_alpha_bar;
};
/// A line of kernels_pairs.txt: the ratio of ᾱ between steps s < t.
struct PairRow {
  int s, t;
  ld one_minus_ratio, ratio;
};

/// Rows t = 0..T of the reference schedule `name` ("linear" or "cosine", T = 1000).
inline const std::vector<ScheduleRow>& reference_schedule(const std::string& name) {
  using test_support::parse;
  static const std::map<std::string, std::vector<ScheduleRow>> tables = [] {
    std::map<std::string, std::vector<ScheduleRow>> out;
    for (const std::string& line : test_support::data_lines("kernels_schedules.txt")) {
      std::istringstream fields(line);
      std::string schedule, t, beta, alpha, alpha_bar, one_minus;
      fields >> schedule >> t >> beta >> alpha >> alpha_bar >> one_minus;
      out[schedule].push_back({parse<ld>(beta), parse<ld>(alpha), parse<ld>(alpha_bar), parse<ld>(one_minus)});
    }
    return out;
  }();
  return tables.at(name);
}

/// The (s, t) pairs of the reference schedule `name`.
inline std::vector<PairRow> reference_pairs(const std::string& name) {
  using test_support::parse;
  std::vector<PairRow> out;
  for (const std::string& line : test_support::data_lines("kernels_pairs.txt")) {
    std::istringstream fields(line);
    std::string schedule, one_minus, ratio;
    int s = 0, t = 0;
    fields >> schedule >> s >> t >> one_minus >> ratio;
    if (schedule == name) out.push_back({s, t, parse<ld>(one_minus), parse<ld>(ratio)});
  }
  return out;
}

/// A value of kernels_values.txt.
inline ld reference_value(const std::string& key) {
  static const std::map<std::string, ld> values = [] {
    std::map<std::string, ld> out;
    for (const std::string& line : test_support::data_lines("kernels_values.txt")) {
      std::istringstream fields(line);
      std::string name, value;
      fields >> name >> value;
      out[name] = test_support::parse<ld>(value);
    }
    return out;
  }();
  return values.at(key);
}

/// The library's schedule that a reference table describes.
template <class Scalar>
diffuse::Schedule<Scalar> named_schedule(const std::string& name) {
  if (name == "linear") return diffuse::Schedule<Scalar>::linear(1000);
  return diffuse::Schedule<Scalar>::cosine(1000);
}

}  // namespace kernels_reference
