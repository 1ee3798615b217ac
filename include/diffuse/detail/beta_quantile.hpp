/// The quantile of the beta distribution (the inverse of the regularized incomplete beta function), in a working type Work.
///
/// beta_quantile(p, a, b) is the x ∈ [0, 1] with I_x(a, b) = p: scipy.stats.beta.ppf(p, a, b), which
/// diffusers' `_convert_to_beta` (use_beta_sigmas) calls with a = b = 0.6 (Lee et al. 2024, "Beta
/// Sampling is All You Need"), and ComfyUI's "beta" scheduler with its own α, β.
///
/// Method: I_x(a, b) = x^a (1 − x)^b/(a B(a, b)) · K(x) with K the continued fraction of Abramowitz
/// & Stegun 26.5.8, evaluated by the modified Lentz method in Work; K converges fast for
/// x < (a + 1)/(a + b + 2), and above that point the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) is used.
/// The quantile is solved in the lower tail only — for p > ½ it is 1 − Q(1 − p; b, a), so that a
/// quantile near 1 keeps its distance from 1 — by Newton's method on log I_x(a, b) − log p in
/// log x, safeguarded by bisection of a bracket, to a relative change below Work's epsilon. Both
/// logs keep their relative precision however small p is. B(a, b) comes from std::lgamma in Work.
///
/// Accuracy. log I is computed with an absolute error of about ε(|log p| + C) (ε Work's epsilon: the
/// logs, lgamma and the continued fraction), and d log I/d log x ≈ a' near 0 (a' = a in the lower
/// tail solved, b for p > ½), so the relative error of x is about ε(|log p'| + C)/a', p' = min(p, 1 − p).
/// Stated bound, in ulps of the double result: ½ + 4(|log p'| + 16)/a' · 2^(53 − w), w = Work's
/// significand bits (64 for x87 long double: at most 5 ulp for a' ≥ 0.3 and p' ≥ 1e-300, 0.7 ulp
/// for diffusers' a = b = 0.6 and p' ≥ 1e-4). Measured against 40-digit mpmath
/// (tests/test_flow_steps.cpp, a, b ∈ {0.3, 0.5, 0.6, 2, 3, 5}, p from 1e-300 to 1 − 2⁻⁵³): at most
/// 0.58 ulp with long double, 291 ulp with Work = double (where long double is double). Note:
/// std::lgamma writes the global signgam
/// on glibc.
#pragma once

#include <cmath>
#include <limits>

namespace diffuse {
namespace detail {

/// Caps on the two loops of this file, which stop by their tolerances: the continued fraction when a
/// step changes K by a factor within Work's epsilon of 1, Newton when a step changes log x by at most
/// Work's epsilon relative to 1 + |log x|. The caps only bound the work: over a, b ∈ [0.01, 1000] and
/// p ∈ [1e-300, 1), in long double and double, at most 116 terms and 69 Newton steps were needed.
inline constexpr int max_fraction_terms = 1000;
inline constexpr int max_newton_steps = 200;

/// log of I_x(a, b)·(a B(a, b)) / (x^a (1 − x)^b) = log K(x), the continued fraction of A&S 26.5.8
/// (modified Lentz), for 0 < x < (a + 1)/(a + b + 2).
template <class Work>
Work log_incomplete_beta_fraction(Work x, Work a, Work b) {
  using std::fabs;
  using std::log;
  const Work tiny = std::numeric_limits<Work>::min() * 16, eps = std::numeric_limits<Work>::epsilon();
  // K = 1/(1 + d_1/(1 + d_2/(1 + ...))), d_{2m+1} = −(a + m)(a + b + m)x/((a + 2m)(a + 2m + 1)),
  // d_{2m} = m(b − m)x/((a + 2m − 1)(a + 2m)).
  Work c = 1, d = 1 - (a + b) * x / (a + 1);
  if (fabs(d) < tiny) d = tiny;
  d = 1 / d;
  Work k = d;
  for (int m = 1; m <= max_fraction_terms; ++m) {
    const Work two_m = 2 * Work(m);
    Work term = Work(m) * (b - Work(m)) * x / ((a + two_m - 1) * (a + two_m));
    d = 1 + term * d;
    c = 1 + term / c;
    if (fabs(d) < tiny) d = tiny;
    if (fabs(c) < tiny) c = tiny;
    d = 1 / d;
    k *= d * c;
    term = -(a + Work(m)) * (a + b + Work(m)) * x / ((a + two_m) * (a + two_m + 1));
    d = 1 + term * d;
    c = 1 + term / c;
    if (fabs(d) < tiny) d = tiny;
    if (fabs(c) < tiny) c = tiny;
    d = 1 / d;
    const Work step = d * c;
    k *= step;
    if (fabs(step - 1) <= eps) break;
  }
  return log(k);
}

/// log I_x(a, b) for 0 < x < 1 (A&S 26.5.8 with 26.5.2's symmetry above (a + 1)/(a + b + 2));
/// log_beta = log B(a, b).
template <class Work>
Work log_regularized_incomplete_beta(Work x, Work a, Work b, Work log_beta) {
  using std::exp;
  using std::log;
  using std::log1p;
  if (x < (a + 1) / (a + b + 2)) {
    return a * log(x) + b * log1p(-x) - log(a) - log_beta + log_incomplete_beta_fraction(x, a, b);
  }
  const Work y = 1 - x;
  const Work upper = exp(b * log(y) + a * log1p(-y) - log(b) - log_beta + log_incomplete_beta_fraction(y, b, a));
  return log1p(-upper);
}

/// The x ∈ (0, 1) with I_x(a, b) = p, for 0 < p ≤ ½ (see the file comment): Newton in u = log x on
/// f(u) = log I_x − log p, whose derivative is d log I/d log x = x^a (1 − x)^(b − 1)/(B(a, b) I_x),
/// inside a bracket [lo, hi] of u that each evaluation narrows.
template <class Work>
Work lower_beta_quantile(Work p, Work a, Work b) {
  using std::exp;
  using std::fabs;
  using std::lgamma;
  using std::log;
  using std::log1p;
  const Work log_beta = lgamma(a) + lgamma(b) - lgamma(a + b), log_p = log(p);
  // Start from the leading term I_x ≈ x^a/(a B) (exact as x → 0): log x0 = (log p + log a + log B)/a.
  // The bracket [lo, hi] of log x; until an evaluation falls below the root, lo is open (no −∞
  // sentinel, which -ffinite-math-only may fold away).
  Work lo = 0, hi = 0;
  bool has_lo = false;
  Work u = (log_p + log(a) + log_beta) / a;
  if (!(u < 0)) u = log(Work(0.5));
  const Work eps = std::numeric_limits<Work>::epsilon();
  for (int iteration = 0; iteration < max_newton_steps; ++iteration) {
    const Work x = exp(u);
    const Work log_i = log_regularized_incomplete_beta(x, a, b, log_beta);
    const Work f = log_i - log_p;
    if (f == 0) break;
    if (f > 0) {
      hi = u;
    } else {
      lo = u;
      has_lo = true;
    }
    // d log I/d log x = x·(x^(a−1)(1 − x)^(b−1)/B)/I.
    const Work slope = exp(a * u + (b - 1) * log1p(-x) - log_beta - log_i);
    Work next = u - f / slope;
    if (!((!has_lo || next > lo) && next < hi)) next = has_lo ? (lo + hi) / 2 : hi - 1;
    if (fabs(next - u) <= eps * (1 + fabs(u))) {
      u = next;
      break;
    }
    u = next;
  }
  return exp(u);
}

/// The quantile of Beta(a, b): the x ∈ [0, 1] with I_x(a, b) = p (scipy.stats.beta.ppf), 0 at p = 0
/// and 1 at p = 1, computed in Work and rounded once to double; the accuracy is in the file comment.
/// Preconditions (the callers check them): p ∈ [0, 1]; a, b finite and > 0.
template <class Work = long double>
double beta_quantile(double p, double a, double b) {
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  if (p <= 0.5) return static_cast<double>(lower_beta_quantile<Work>(Work(p), Work(a), Work(b)));
  // 1 − p is exact for p ≥ ½ (Sterbenz).
  return static_cast<double>(1 - lower_beta_quantile<Work>(Work(1 - p), Work(b), Work(a)));
}

}  // namespace detail
}  // namespace diffuse
