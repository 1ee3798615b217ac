// Test support for the Gaussian, kernel and batch tests: the references made by
// tests/reference/kernels_reference.py, the precision contract, error messages, sample statistics.
#pragma once

#include <diffuse/schedule.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "messages.hpp"

namespace kernels_test {

using ld = long double;

/// The schedule's precision contract in ulps: every coefficient correctly rounded from a value
/// within 2⁻¹⁰⁰ relative of the exact one (README "Precision"; the T of these tests keep
/// 2⁻¹¹⁸(1 + |log ᾱ_t|) below that), so within ½ ulp + 2⁻¹⁰⁰·2^p ulp, and k·ε relative.
template <class Scalar>
ld contract_ulps() {
  return 0.5L + std::ldexp(1.0L, std::numeric_limits<Scalar>::digits - 100);
}

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

struct ScheduleRow {
  ld beta, alpha, alpha_bar, one_minus_alpha_bar;
};
struct PairRow {
  int s, t;
  ld one_minus_ratio, ratio;
};

inline std::string reference_path(const std::string& file) {
  return std::string(DIFFUSE_TEST_REFERENCE_DIR) + "/" + file;
}

inline std::ifstream open_reference(const std::string& file) {
  std::ifstream in(reference_path(file));
  if (!in) throw std::runtime_error("cannot open " + reference_path(file));
  return in;
}

inline ld parse(const std::string& text) { return std::strtold(text.c_str(), nullptr); }

/// Rows t = 0..T of the reference schedule `name` ("linear" or "cosine", T = 1000).
inline const std::vector<ScheduleRow>& reference_schedule(const std::string& name) {
  static const std::map<std::string, std::vector<ScheduleRow>> tables = [] {
    std::map<std::string, std::vector<ScheduleRow>> out;
    std::ifstream in = open_reference("kernels_schedules.txt");
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream fields(line);
      std::string schedule, t, beta, alpha, alpha_bar, one_minus;
      fields >> schedule >> t >> beta >> alpha >> alpha_bar >> one_minus;
      out[schedule].push_back({parse(beta), parse(alpha), parse(alpha_bar), parse(one_minus)});
    }
    return out;
  }();
  return tables.at(name);
}

/// The (s, t) pairs of the reference schedule `name`.
inline std::vector<PairRow> reference_pairs(const std::string& name) {
  std::vector<PairRow> out;
  std::ifstream in = open_reference("kernels_pairs.txt");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string schedule, one_minus, ratio;
    int s = 0, t = 0;
    fields >> schedule >> s >> t >> one_minus >> ratio;
    if (schedule == name) out.push_back({s, t, parse(one_minus), parse(ratio)});
  }
  return out;
}

/// A value of kernels_values.txt.
inline ld reference_value(const std::string& key) {
  static const std::map<std::string, ld> values = [] {
    std::map<std::string, ld> out;
    std::ifstream in = open_reference("kernels_values.txt");
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream fields(line);
      std::string name, value;
      fields >> name >> value;
      out[name] = parse(value);
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

/// |actual − exact| / |exact| (|actual| when exact = 0).
inline ld relative_error(ld actual, ld exact) {
  return exact == 0 ? std::fabs(actual) : std::fabs(actual - exact) / std::fabs(exact);
}

using test_support::error_message;

/// Sample mean and unbiased sample variance, accumulated in long double.
struct Moments {
  ld mean = 0, variance = 0;
};
template <class Range>
Moments moments(const Range& values) {
  ld n = 0, sum = 0;
  for (auto v : values) {
    sum += static_cast<ld>(v);
    n += 1;
  }
  Moments m;
  m.mean = sum / n;
  ld squares = 0;
  for (auto v : values) squares += (static_cast<ld>(v) - m.mean) * (static_cast<ld>(v) - m.mean);
  m.variance = squares / (n - 1);
  return m;
}

/// The bounds of STYLE.md for n samples of a distribution with standard deviation sigma.
inline ld mean_bound(ld sigma, ld n) { return 5 * sigma / std::sqrt(n); }
inline ld variance_bound(ld sigma, ld n) { return 5 * sigma * sigma * std::sqrt(2 / (n - 1)); }
/// The covariance of two independent coordinates: its estimate has standard error σ_a σ_b/√n.
inline ld covariance_bound(ld sigma_a, ld sigma_b, ld n) { return 5 * sigma_a * sigma_b / std::sqrt(n); }
/// Kolmogorov–Smirnov critical value at α = 1e-3.
inline double ks_critical(double n) { return 1.9495 / std::sqrt(n); }

/// Φ(x), the standard normal CDF.
inline double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

/// The KS statistic D_n = sup |F_n − F| of sorted samples against the CDF F.
template <class Cdf>
double ks_statistic_sorted(const std::vector<double>& sorted, Cdf cdf) {
  const double n = static_cast<double>(sorted.size());
  double d = 0;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    const double f = cdf(sorted[i]);
    d = std::max(d, std::max(static_cast<double>(i + 1) / n - f, f - static_cast<double>(i) / n));
  }
  return d;
}
template <class Cdf>
double ks_statistic(std::vector<double> values, Cdf cdf) {
  std::sort(values.begin(), values.end());
  return ks_statistic_sorted(values, cdf);
}

/// A uniform double in [0, 1) from the top 53 bits of a 64-bit generator's draw (specified, unlike
/// std::uniform_real_distribution).
template <class Rng>
double uniform01(Rng& rng) {
  return static_cast<double>(rng() >> 11) * 0x1p-53;
}

}  // namespace kernels_test
