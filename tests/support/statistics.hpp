// The statistics of the sampler tests (STYLE.md "Tests"): sample moments and their 5σ bounds, the
// normal distribution function, the Kolmogorov–Smirnov statistic and its critical value.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace test_support {

/// Sample mean and unbiased sample variance, accumulated in long double.
struct Moments {
  long double mean = 0, variance = 0;
};
template <class Range>
Moments moments(const Range& values) {
  long double n = 0, sum = 0;
  for (auto v : values) {
    sum += static_cast<long double>(v);
    n += 1;
  }
  Moments m;
  m.mean = sum / n;
  long double squares = 0;
  for (auto v : values) squares += (static_cast<long double>(v) - m.mean) * (static_cast<long double>(v) - m.mean);
  m.variance = squares / (n - 1);
  return m;
}

/// The bounds of STYLE.md for n samples of a distribution with standard deviation sigma: five
/// standard errors of the mean, σ/√n, and of the sample variance, σ²√(2/(n − 1)) (normal samples).
inline long double mean_bound(long double sigma, long double n) { return 5 * sigma / std::sqrt(n); }
inline long double variance_bound(long double sigma, long double n) {
  return 5 * sigma * sigma * std::sqrt(2 / (n - 1));
}
/// The covariance of two independent coordinates: its estimate has standard error σ_a σ_b/√n.
inline long double covariance_bound(long double sigma_a, long double sigma_b, long double n) {
  return 5 * sigma_a * sigma_b / std::sqrt(n);
}

/// The Kolmogorov–Smirnov critical value at α = 10⁻³, times √n: the c with P(√n·D_n > c) = α in
/// Kolmogorov's limit distribution, 1 − K(c) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²c²} = 10⁻³ (c = 1.9495;
/// Kolmogorov 1933, and the tables of Smirnov 1948). Each KS check then fails by chance once in a
/// thousand seeds; the tests fix their seeds.
inline constexpr double ks_critical_coefficient = 1.9495;

/// The critical value of D_n for n samples at α = 10⁻³: 1.9495/√n.
inline double ks_critical(double n) { return ks_critical_coefficient / std::sqrt(n); }

/// Φ(x), the standard normal distribution function, ½ erfc(−x/√2), in Real (double or long double).
template <class Real = double>
Real normal_cdf(Real x) {
  return Real(0.5) * std::erfc(-x / std::sqrt(Real(2)));
}

/// The KS statistic D_n = sup |F_n − F| of sorted samples against the distribution function F.
template <class Real, class Cdf>
Real ks_statistic_sorted(const std::vector<Real>& sorted, Cdf cdf) {
  const Real n = static_cast<Real>(sorted.size());
  Real d = 0;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    const Real f = cdf(sorted[i]);
    d = std::max({d, static_cast<Real>(i + 1) / n - f, f - static_cast<Real>(i) / n});
  }
  return d;
}
/// The same of samples in any order.
template <class Real, class Cdf>
Real ks_statistic(std::vector<Real> values, Cdf cdf) {
  std::sort(values.begin(), values.end());
  return ks_statistic_sorted(values, cdf);
}

/// A uniform double in [0, 1) from the top 53 bits of a 64-bit generator's draw (specified, unlike
/// std::uniform_real_distribution).
template <class Rng>
double uniform01(Rng& rng) {
  return static_cast<double>(rng() >> 11) * 0x1p-53;
}

}  // namespace test_support
