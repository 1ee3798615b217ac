// ContinuousProcess: every reference value (40 digits from mpmath) within the precision contract in
// float, double and long double, round trips of t ↔ λ ↔ σ, Chapman–Kolmogorov, the posterior as a
// Bayes product (exactly and by simulation), the DDPM discretisation, Euler–Maruyama simulations of
// the three SDEs, and every argument check.
#include <diffuse/continuous.hpp>
#include <diffuse/detail/wide_math.hpp>
#include <diffuse/normal.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "catch.hpp"
#include "support/continuous_reference.hpp"
#include "support/messages.hpp"
#include "support/references.hpp"
#include "support/statistics.hpp"
#include "support/ulps.hpp"

template class diffuse::ContinuousProcess<float>;
template class diffuse::ContinuousProcess<double>;
template class diffuse::ContinuousProcess<long double>;

namespace {

using continuous_reference::parameter_weight;
using continuous_reference::process;
using diffuse::detail::Wide;
using test_support::exact;
using test_support::input;
using test_support::judge;
using test_support::judge_relative;
using test_support::throws_with;
using test_support::Verdict;

const char* const processes_file = "continuous_processes.txt";

/// |λ(t)| of the reference at each (family, t) of the marginal records (0 where λ is infinite: the
/// values at the data and noise ends are exact).
class LambdaSizes {
 public:
  LambdaSizes() {
    for (const auto& r : continuous_reference::marginals(processes_file)) {
      const Wide lambda = exact(r.log_snr);
      size_[{r.family, r.t}] = lambda.is_finite() ? std::fabs(static_cast<double>(lambda)) : 0;
    }
  }
  double operator()(const std::string& family, const std::string& t) const { return size_.at({family, t}); }

 private:
  std::map<std::pair<std::string, std::string>, double> size_;
};

/// The contract's weight 1 + Σ|λ| for `family` with the log-SNR sizes at the times involved.
double weight(const std::string& family, double lambda_sizes) { return 1 + lambda_sizes + parameter_weight(family); }

/// The worst error of one quantity, and where.
struct Worst {
  double ulps = -1;
  std::string where;
};

/// What comparing ContinuousProcess<T> with the reference found: per family and quantity the worst
/// error, the values outside the contract (as text) and how many values were checked.
struct Findings {
  std::map<std::string, Worst> worst;
  std::vector<std::string> violations;
  long checked = 0;

  template <class T>
  void add(const std::string& family, const std::string& quantity, const std::string& at, T got,
           const std::string& expected, const Verdict& v) {
    ++checked;
    Worst& w = worst[family + " " + quantity];
    if (v.ok() && v.ulps <= w.ulps) return;
    char figures[96];
    std::snprintf(figures, sizeof figures, ", %.4g ulp (allowed %.4g)", v.ulps, v.bound);
    const std::string where =
        family + " " + quantity + "(" + at + "): got " + test_support::digits(got) + ", expected " + expected + figures;
    if (v.ulps > w.ulps) w = {v.ulps, where};
    if (!v.ok()) violations.push_back(where);
  }
};

template <class T>
diffuse::ContinuousTime<T> at(T t) {
  return diffuse::ContinuousTime<T>(t);
}

/// The contract's bound on the Wide evaluation error, 2⁻¹¹⁸(1 + Σ|λ| + parameters), as a long
/// double (relative, or for λ relative to max(1, |λ|)).
long double evaluation(const std::string& family, long double lambda_sizes) {
  return std::ldexp(static_cast<long double>(weight(family, static_cast<double>(lambda_sizes))), -118);
}

/// Every record of continuous_processes.txt but the discretisations against ContinuousProcess<T>:
/// each value rounded once from a Wide value within 2⁻¹¹⁸ times the weight 1 + Σ|λ| (log-SNRs at
/// the times involved and the parameters of parameter_weight) relative; λ relative to max(1, |λ|);
/// the times of time(·) absolute, relative to t + (1 + |λ|)/|λ'(t)|.
template <class T>
Findings compare_with_reference() {
  Findings out;
  const LambdaSizes lambda;
  for (const auto& r : continuous_reference::marginals(processes_file)) {
    const auto p = process<T>(r.family);
    const auto t = at(input<T>(r.t));
    const double w = weight(r.family, lambda(r.family, r.t));
    const std::pair<const char*, std::pair<T, const std::string*>> relative[] = {
        {"signal_scale", {p.signal_scale(t), &r.signal_scale}},
        {"noise_scale", {p.noise_scale(t), &r.noise_scale}},
        {"signal_variance", {p.signal_variance(t), &r.signal_variance}},
        {"noise_variance", {p.noise_variance(t), &r.noise_variance}},
        {"log_signal_variance", {p.log_signal_variance(t), &r.log_signal_variance}},
        {"snr", {p.snr(t), &r.snr}},
        {"noise_level", {p.noise_level(t).value(), &r.noise_level}}};
    for (const auto& [name, value] : relative) {
      const auto& [got, expected] = value;
      out.add(r.family, name, r.t, got, *expected, judge_relative(got, exact(*expected), w));
    }
    const Wide x = exact(r.log_snr);  // λ crosses zero: relative to max(1, |λ|)
    const Wide scale = max(Wide(1), abs(x));
    const T lambda_t = p.log_snr(t).value();
    out.add(r.family, "log_snr", r.t, lambda_t, r.log_snr,
            judge(lambda_t, x, test_support::contract(w) * scale, scale));
  }
  for (const auto& r : continuous_reference::derivatives(processes_file)) {
    const auto p = process<T>(r.family);
    const auto t = at(input<T>(r.t));
    const double w = weight(r.family, lambda(r.family, r.t));
    out.add(r.family, "log_snr_derivative", r.t, p.log_snr_derivative(t), r.log_snr_derivative,
            judge_relative(p.log_snr_derivative(t), exact(r.log_snr_derivative), w));
    out.add(r.family, "drift", r.t, p.drift(t), r.drift, judge_relative(p.drift(t), exact(r.drift), w));
    out.add(r.family, "diffusion_squared", r.t, p.diffusion_squared(t), r.diffusion_squared,
            judge_relative(p.diffusion_squared(t), exact(r.diffusion_squared), w));
  }
  for (const auto& r : continuous_reference::transitions(processes_file)) {
    const auto p = process<T>(r.family);
    const auto k = p.transition_coefficients(at(input<T>(r.s)), at(input<T>(r.t)));
    const double w = weight(r.family, lambda(r.family, r.s) + lambda(r.family, r.t));
    const std::string where = r.s + ", " + r.t;
    out.add(r.family, "transition mean", where, k.mean, r.mean, judge_relative(k.mean, exact(r.mean), w));
    out.add(r.family, "transition variance", where, k.variance, r.variance,
            judge_relative(k.variance, exact(r.variance), w));
    out.add(r.family, "transition stddev", where, k.stddev, r.stddev, judge_relative(k.stddev, exact(r.stddev), w));
  }
  for (const auto& r : continuous_reference::posteriors(processes_file)) {
    const auto p = process<T>(r.family);
    const auto c = p.posterior_coefficients(at(input<T>(r.s)), at(input<T>(r.t)));
    const double w = weight(r.family, lambda(r.family, r.s) + lambda(r.family, r.t));
    const std::string where = r.s + ", " + r.t;
    out.add(r.family, "posterior x0", where, c.x0, r.x0, judge_relative(c.x0, exact(r.x0), w));
    out.add(r.family, "posterior xt", where, c.xt, r.xt, judge_relative(c.xt, exact(r.xt), w));
    out.add(r.family, "posterior variance", where, c.variance, r.variance,
            judge_relative(c.variance, exact(r.variance), w));
    out.add(r.family, "posterior stddev", where, c.stddev, r.stddev, judge_relative(c.stddev, exact(r.stddev), w));
  }
  // prior_kl at x0 = 0 (the constant alone) and at (0.5, −1.25, 2), Σx² = 5.8125: the terms' own bound
  // (the family's weight at t = 1; for sub_vp times b²/|r − 1|, as r − 1 = b² − 1 is formed from b²)
  // times the condition number 2.6 of the KL in them (kernels.hpp), + (n + 64)·2⁻¹²⁸ < 2⁻¹¹⁸.
  for (const auto& r : continuous_reference::prior_kls(processes_file)) {
    const auto p = process<T>(r.family);
    double w = weight(r.family, lambda(r.family, "1"));
    if (r.family == "sub_vp") w *= 1 / (1 - static_cast<double>(p.noise_variance(at(T(1)))));
    const Wide signal = exact(r.signal), constant = exact(r.constant);
    using Vector = Eigen::Matrix<T, 3, 1>;
    const T at_zero = diffuse::prior_kl(p, Vector::Zero().eval());
    out.add(r.family, "prior_kl", "x0 = 0", at_zero, r.constant + " x 3",
            judge_relative(at_zero, 3 * constant, 2.6 * w + 1));
    const T at_x = diffuse::prior_kl(p, Vector(T(0.5), T(-1.25), T(2)));
    out.add(r.family, "prior_kl", "x0 = (0.5, -1.25, 2)", at_x, "from " + r.signal,
            judge_relative(at_x, ldexp(signal * Wide(5.8125), -1) + 3 * constant, 2.6 * w + 1));
  }
  // The inverses: t from λ (or from λ = −2 log σ), so the error is that of λ seen through 1/|λ'|
  // plus a relative error in t: absolute, within 2⁻¹¹⁸(1 + |λ| + parameters)(t + (1 + |λ|)/|λ'(t)|).
  for (const std::string kind : {"time_of_log_snr", "time_of_sigma"}) {
    for (const auto& r : continuous_reference::times_of(processes_file, kind)) {
      const auto p = process<T>(r.family);
      const T argument = input<T>(r.argument);
      const Wide lambda_w = kind == "time_of_log_snr" ? Wide(argument) : -2 * log(Wide(argument));
      const double size = std::fabs(static_cast<double>(lambda_w));
      const Wide t = exact(r.t), slope = abs(exact(r.log_snr_derivative));
      const Wide scale = t + Wide(1 + size) / slope;
      const T got = kind == "time_of_log_snr" ? p.time(diffuse::LogSnr<T>(argument)).value()
                                              : p.time(diffuse::NoiseLevel<T>(argument)).value();
      out.add(r.family, kind, r.argument, got, r.t,
              judge(got, t, test_support::contract(weight(r.family, size)) * scale, t));
    }
  }
  return out;
}

}  // namespace

TEMPLATE_TEST_CASE("every reference value of the continuous processes is within the precision contract",
                   "[continuous][ieee]", float, double, long double) {
  using T = TestType;
  if (!continuous_reference::contract_tested<T>()) {
    WARN("long double has " << std::numeric_limits<T>::digits
                            << " significand bits: neither x87 nor binary128, not checked");
    return;
  }
  const Findings found = compare_with_reference<T>();
  CHECK(found.checked >= 1848);  // every record: a forgotten kind or a lost file shows here
  std::string first;
  for (std::size_t i = 0; i < std::min<std::size_t>(found.violations.size(), 20); ++i)
    first += "\n" + found.violations[i];
  INFO(found.violations.size() << " values outside the contract; the first ones:" << first);
  CHECK(found.violations.empty());
}

// The worst error per family and quantity, with where it occurs (in ulps of T at the value, or at
// max(1, |λ|) for the log-SNR). Run: build/tests/test_continuous "[.report]"
TEMPLATE_TEST_CASE("worst error per continuous family and quantity (precision report)", "[.report]", float, double,
                   long double) {
  const Findings found = compare_with_reference<TestType>();
  std::printf("%s: %ld values, %zu outside the contract\n", continuous_reference::type_name<TestType>(), found.checked,
              found.violations.size());
  for (const auto& entry : found.worst)
    std::printf("  %-42s %9.3g  %s\n", entry.first.c_str(), entry.second.ulps, entry.second.where.c_str());
  CHECK(found.checked > 0);
}

TEMPLATE_TEST_CASE("the literal SDEs of score_sde: f = -beta/2 and g^2 = beta or beta(1 - e^{-2B}) or d sigma^2/dt",
                   "[continuous][ieee]", float, double, long double) {
  using T = TestType;
  using P = diffuse::ContinuousProcess<T>;
  if (!continuous_reference::contract_tested<T>()) return;
  // β(t) = 0.1 + 19.9 t, B(t) = 0.1 t + 9.95 t², σ(t) = 0.01·5000^t written here in Wide from the
  // decimals: within 2⁻¹¹⁸ relative (a few roundings and an expm1, or a pow with |y log x| ≤ 8.6
  // squared: under 350 units of 2⁻¹²⁸), added to the contract's 2⁻¹¹⁸(1 + |λ(t)| + parameters).
  const Wide beta_min = exact("0.1"), beta_slope = exact("19.9"), half_slope = exact("9.95");
  for (const T t_value : {T(0), T(0.125), T(0.5), T(0.75), T(1)}) {
    const auto t = at(t_value);
    const Wide tw(t_value);
    const Wide beta = beta_min + beta_slope * tw, integral = tw * (beta_min + half_slope * tw);
    const Wide sigma = exact("0.01") * pow(Wide(5000), tw), sigma2 = sigma * sigma;
    INFO("t = " << static_cast<double>(t_value));
    for (const std::string name : {"vp_linear", "sub_vp", "ve"}) {
      const P p = process<T>(name);
      const double lambda = std::fabs(static_cast<double>(p.log_snr(t).value()));
      const double w = weight(name, std::isfinite(lambda) ? lambda : 0) + 1;  // + 2⁻¹¹⁸ for the expressions here
      INFO(name);
      if (name == "ve") {
        CHECK(p.drift(t) == 0);
        CHECK(judge_relative(p.diffusion_squared(t), 2 * log(Wide(5000)) * sigma2, w).ok());
        continue;
      }
      CHECK(judge_relative(p.drift(t), -beta / 2, w).ok());
      const Wide g2 = name == "vp_linear" ? beta : beta * -expm1(-2 * integral);
      CHECK(judge_relative(p.diffusion_squared(t), g2, w).ok());
    }
  }
}

TEMPLATE_TEST_CASE("values at the ends: infinities and zeros and exact ones", "[continuous][ieee]", float, double,
                   long double) {
  using T = TestType;
  using P = diffuse::ContinuousProcess<T>;
  const T inf = std::numeric_limits<T>::infinity();
  const auto zero = at(T(0)), one = at(T(1));
  for (const P& p : {P::vp_linear(), P::sub_vp(), P::cosine()}) {  // b(0) = 0: the data end
    INFO(p.name());
    CHECK(p.signal_scale(zero) == 1);
    CHECK(p.noise_scale(zero) == 0);
    CHECK(p.log_snr(zero).value() == inf);
    CHECK(p.snr(zero) == inf);
    CHECK(p.noise_level(zero).value() == 0);
    CHECK(p.log_snr_derivative(zero) == -inf);
    CHECK(p.time(diffuse::LogSnr<T>(inf)).value() == 0);
    CHECK(p.time(diffuse::NoiseLevel<T>(0)).value() == 0);
    const auto c = p.posterior_coefficients(zero, at(T(0.5)));  // the point mass at x_0
    CHECK(c.x0 == 1);
    CHECK(c.xt == 0);
    CHECK(c.variance == 0);
  }
  const P cosine = P::cosine();  // a(1) = 0: pure noise
  CHECK(cosine.signal_scale(one) == 0);
  CHECK(cosine.noise_scale(one) == 1);
  CHECK(cosine.log_snr(one).value() == -inf);
  CHECK(cosine.noise_level(one).value() == inf);
  CHECK(cosine.diffusion_squared(one) == inf);
  CHECK(cosine.diffusion_squared(zero) == 0);  // β(t) = π tan(πt/2)
  CHECK(cosine.time(diffuse::LogSnr<T>(-inf)).value() == 1);
  CHECK(cosine.time(diffuse::NoiseLevel<T>(inf)).value() == 1);
  const auto k = cosine.transition_coefficients(at(T(0.25)), one);
  CHECK(k.mean == 0);
  CHECK(k.variance == 1);
  // The exact ends make two rules fire: β(0) = 0 cannot be a discrete β, and a(1) = 0 cannot be
  // divided by.
  CHECK(throws_with<std::invalid_argument>([&] { cosine.discretize_betas(10); },
                                           {"discretize_betas: beta(0)/N must be in (0, 1) (got 0)"}));
  const Eigen::Matrix<T, 2, 1> x(T(0.5), T(-1));
  CHECK(throws_with<std::domain_error>([&] { diffuse::to_ve(cosine, one, x); },
                                       {"diffuse::to_ve: a(t) must be positive, which fails at t (got 1)"}));
  const P ve = P::ve();  // a ≡ 1: the transition mean is exactly 1
  CHECK(ve.transition_coefficients(at(T(0.25)), at(T(0.5))).mean == 1);
  CHECK(ve.signal_scale(at(T(0.3))) == 1);
}

TEMPLATE_TEST_CASE(
    "t -> lambda -> t and t -> sigma -> t and lambda -> t -> lambda round-trip within their condition bounds",
    "[continuous][ieee]", float, double) {
  using T = TestType;
  using W = long double;
  const W u = std::numeric_limits<T>::epsilon() / 2;  // unit roundoff
  for (const std::string& name : continuous_reference::family_names()) {
    const auto p = process<T>(name);
    for (int i = 1; i < 256; ++i) {
      // t = i/256 and t = i·2⁻²⁰: the middle and the data end, exact in float and double
      for (const T t : {static_cast<T>(i) / 256, static_cast<T>(std::ldexp(static_cast<double>(i), -20))}) {
        const auto time = at(t);
        const W lambda = p.log_snr(time).value(), slope = std::fabs(static_cast<W>(p.log_snr_derivative(time)));
        const W delta = evaluation(name, std::fabs(lambda));  // the Wide evaluation error, relative to max(1, |λ|)
        INFO(name << " t = " << static_cast<double>(t) << " lambda = " << static_cast<double>(lambda));
        // t → λ̂ = λ(1 + θu) (+δ) → t(λ̂) = t + (λ̂ − λ)/λ' → rounded: |Δt| ≤ u t + (u|λ| + δ(1 + |λ|))/|λ'| + δ t
        const W back = p.time(p.log_snr(time)).value();
        CHECK(std::fabs(back - t) <=
              (u + delta) * t + (u * std::fabs(lambda) + delta * (1 + std::fabs(lambda))) / slope);
        // σ̂ = σ(1 + θu): log σ moves by u, λ by 2u; t by 2u/|λ'|
        const W via_sigma = p.time(p.noise_level(time)).value();
        CHECK(std::fabs(via_sigma - t) <= (u + delta) * t + (2 * u + delta * (1 + std::fabs(lambda))) / slope);
        // λ → t̂ = t(1 + θu) (+δ) → λ(t̂) = λ + λ'(t̂ − t) → rounded: |Δλ| ≤ u|λ| + |λ'|(u + δ)t + 2δ(1 + |λ|)
        if (std::isfinite(lambda)) {
          const W again = p.log_snr(p.time(diffuse::LogSnr<T>(static_cast<T>(lambda)))).value();
          CHECK(std::fabs(again - lambda) <=
                u * std::fabs(lambda) + slope * (u + delta) * t + 2 * delta * (1 + std::fabs(lambda)));
        }
      }
    }
  }
}

TEMPLATE_TEST_CASE("Chapman-Kolmogorov: q(x_t|x_s) is q(x_u|x_s) followed by q(x_t|x_u)", "[continuous][ieee]", float,
                   double) {
  using T = TestType;
  using W = long double;
  const W eps = std::numeric_limits<T>::epsilon();
  const std::vector<T> grid = {T(0),    T(0.0009765625), T(0.125), T(0.375), T(0.5), T(0.5009765625),
                               T(0.75), T(0.96875),      T(1)};
  for (const std::string& name : continuous_reference::family_names()) {
    const auto p = process<T>(name);
    for (std::size_t i = 0; i < grid.size(); ++i) {
      for (std::size_t j = i + 1; j < grid.size(); ++j) {
        for (std::size_t k = j + 1; k < grid.size(); ++k) {
          const auto s = at(grid[i]), mid = at(grid[j]), t = at(grid[k]);
          const auto st = p.transition_coefficients(s, t), su = p.transition_coefficients(s, mid),
                     ut = p.transition_coefficients(mid, t);
          W lambda_sum = 0;
          for (const auto time : {s, mid, t}) {
            const W l = p.log_snr(time).value();
            lambda_sum += std::isfinite(l) ? std::fabs(l) : 0;
          }
          // Each coefficient is within u + δ relative (u = ε/2, δ the evaluation error in wide).
          // mean: m(u,t)·m(s,u) rounded once more: 3(u + δ) + u against u + δ: 4u + 4δ = 2ε + 4δ.
          // variance: m(u,t)² v(s,u) + v(u,t) summed in long double (positive terms): 3(u + δ)
          // against u + δ: 2ε + 4δ.
          const W delta = evaluation(name, lambda_sum);
          INFO(name << " s = " << static_cast<double>(grid[i]) << " u = " << static_cast<double>(grid[j])
                    << " t = " << static_cast<double>(grid[k]));
          const T composed_mean = ut.mean * su.mean;
          CHECK(std::fabs(static_cast<W>(composed_mean) - st.mean) <= (2 * eps + 4 * delta) * st.mean);
          const W composed_variance = static_cast<W>(ut.mean) * ut.mean * su.variance + static_cast<W>(ut.variance);
          CHECK(std::fabs(composed_variance - st.variance) <= (2 * eps + 4 * delta) * st.variance);
        }
      }
    }
  }
}

TEMPLATE_TEST_CASE("the posterior is the Bayes product of q(x_s|x_0) and q(x_t|x_s)", "[continuous][ieee]", float,
                   double) {
  using T = TestType;
  using W = long double;
  const W eps = std::numeric_limits<T>::epsilon();
  const std::vector<T> grid = {T(0.0009765625), T(0.125), T(0.375), T(0.5), T(0.5009765625), T(0.75), T(1)};
  for (const std::string& name : continuous_reference::family_names()) {
    const auto p = process<T>(name);
    for (std::size_t i = 0; i < grid.size(); ++i) {
      for (std::size_t j = i + 1; j < grid.size(); ++j) {
        const auto s = at(grid[i]), t = at(grid[j]);
        const W as = p.signal_scale(s), bs2 = p.noise_variance(s);
        const auto k = p.transition_coefficients(s, t);
        const auto c = p.posterior_coefficients(s, t);
        // precisions add: 1/var = 1/b_s² + m²/v; c_0 = var·a_s/b_s², c_t = var·m/v (long double)
        const W m = k.mean, v = k.variance;
        const W var = 1 / (1 / bs2 + m * m / v);
        W lambda_sum = 0;
        for (const auto time : {s, t}) {
          const W l = p.log_snr(time).value();
          lambda_sum += std::isfinite(l) ? std::fabs(l) : 0;
        }
        const W delta = evaluation(name, lambda_sum);
        // Inputs each within u + δ. var depends on b_s² and v with weights in [0, 1] summing to 1
        // and on m with weight ≤ 2: 3(u + δ); against the library's u + δ: 2ε + 4δ.
        // c_0 = var·a_s/b_s² and c_t = var·m/v: 5(u + δ), against u + δ: 3ε + 6δ.
        INFO(name << " s = " << static_cast<double>(grid[i]) << " t = " << static_cast<double>(grid[j]));
        CHECK(std::fabs(c.variance - var) <= (2 * eps + 4 * delta) * var);
        CHECK(std::fabs(c.x0 - var * as / bs2) <= (3 * eps + 6 * delta) * var * as / bs2);
        CHECK(std::fabs(c.xt - var * m / v) <= (3 * eps + 6 * delta) * var * m / v);
      }
    }
  }
}

namespace {

/// STYLE.md's bounds for n samples of N(μ, σ²), widened by a known bias (δμ, δσ²) of the sampler:
/// |mean − μ| < 5σ/√n + |δμ|, |s² − σ²| < 5σ²√(2/(n − 1)) + |δσ²|, KS D_n < 1.9495/√n + the largest
/// distance between the two normal distribution functions, ≤ |δμ|/(σ√(2π)) + |δσ/σ|/√(2πe).
void check_normal_sample(const Eigen::VectorXd& x, double mu, double var, double mean_bias = 0, double var_bias = 0) {
  const double n = static_cast<double>(x.size());
  const double sd = std::sqrt(var);
  const test_support::Moments m = test_support::moments(x);
  CHECK(std::fabs(m.mean - mu) < test_support::mean_bound(sd, n) + mean_bias);
  CHECK(std::fabs(m.variance - var) < test_support::variance_bound(sd, n) + var_bias);
  std::vector<double> z(static_cast<std::size_t>(x.size()));
  for (Eigen::Index i = 0; i < x.size(); ++i) z[static_cast<std::size_t>(i)] = (x(i) - mu) / sd;
  const double pi = 3.14159265358979323846;
  const double sd_bias = std::sqrt(var + var_bias) / sd - 1;
  CHECK(test_support::ks_statistic(z, test_support::normal_cdf<double>) <
        test_support::ks_critical(n) + mean_bias / (sd * std::sqrt(2 * pi)) +
            sd_bias / std::sqrt(2 * pi * std::exp(1.0)));
}

}  // namespace

TEST_CASE("posterior samples reproduce the forward joint of x_s and x_t", "[continuous][random][ieee]") {
  // x_t ~ q(x_t|x_0), then x_s ~ q(x_s|x_t, x_0): if the posterior is right, x_s ~ q(x_s|x_0) =
  // N(a_s x_0, b_s²) and Cov(x_s, x_t) = m b_s² (x_t = m x_s + noise under the forward process).
  // The sample covariance of n pairs has standard error √((b_s² b_t² + c²)/n) (bivariate normal).
  using P = diffuse::ContinuousProcess<double>;
  struct Case {
    P process;
    double s, t;
    std::uint64_t seed;
  };
  const std::vector<Case> cases = {
      {P::vp_linear(), 0.3, 0.6, 20250801},  {P::sub_vp(), 0.25, 0.5, 20250802},
      {P::cosine(), 0.2, 0.9, 20250803},     {P::interpolated_cosine(512, 32, 256), 0.1, 0.4, 20250804},
      {P::vdm_linear(), 0.5, 0.8, 20250805}, {P::ve(), 0.1, 0.5, 20250806}};
  const Eigen::Index n = 20000;
  const Eigen::VectorXd x0 = Eigen::VectorXd::Constant(n, 0.7);
  for (const Case& c : cases) {
    INFO(c.process.name() << " s = " << c.s << " t = " << c.t);
    std::mt19937_64 rng(c.seed);
    const auto s = at(c.s), t = at(c.t);
    const Eigen::VectorXd xt = diffuse::marginal(c.process, t, x0).sample(rng);
    const Eigen::VectorXd xs = diffuse::posterior(c.process, s, t, xt, x0).sample(rng);
    const double as = c.process.signal_scale(s), bs2 = c.process.noise_variance(s), bt2 = c.process.noise_variance(t);
    check_normal_sample(xs, as * 0.7, bs2);
    const double cov = ((xs.array() - xs.mean()) * (xt.array() - xt.mean())).sum() / static_cast<double>(n - 1);
    const double expected = c.process.transition_coefficients(s, t).mean * bs2;
    CHECK(std::fabs(cov - expected) < 5 * std::sqrt((bs2 * bt2 + expected * expected) / static_cast<double>(n)));
  }
}

namespace {

/// The SDE dx = f(t) x dt + g(t) dW written literally from score_sde (Song et al. 2021, eq. 9, 11, 12)
/// with its constants, independently of continuous.hpp: f and g² in long double.
struct LiteralSde {
  std::function<long double(long double)> f, g2;
  long double initial_sd;    ///< the standard deviation of x(0) around x_0 (σ_min for VE)
  long double max_variance;  ///< an upper bound of the variance added by the noise on [0, 1]
  long double max_g2;        ///< max g² on [0, 1]
};

LiteralSde literal_sde(const std::string& name) {
  const auto beta = [](long double t) { return 0.1L + 19.9L * t; };
  const auto integral = [](long double t) { return 0.1L * t + 9.95L * t * t; };
  if (name == "vp_linear") return {[=](long double t) { return -beta(t) / 2; }, beta, 0, 1, 20};
  if (name == "sub_vp") {
    return {[=](long double t) { return -beta(t) / 2; },
            [=](long double t) { return beta(t) * (1 - std::exp(-2 * integral(t))); }, 0, 1, 20};
  }
  const long double ell = std::log(50.0L / 0.01L);  // VE: σ(t) = 0.01·5000^t, g² = dσ²/dt = 2ℓσ²
  return {[](long double) { return 0.0L; },
          [=](long double t) { return 2 * ell * std::pow(0.01L * std::exp(ell * t), 2); }, 0.01L, 2500, 2 * ell * 2500};
}

/// A mean and a variance, in double.
struct MeanVariance {
  double mean, variance;
};

/// The exact mean and variance of the Euler–Maruyama chain x_{k+1} = (1 + f_k h) x_k + √(g_k² h) z_k
/// from x(0) ~ N(x0, initial_sd²) at `steps` steps of h = t_end/steps (its moments obey the same
/// linear recursion, evaluated in long double).
MeanVariance euler_maruyama_moments(const LiteralSde& sde, long double x0, long double t_end, long steps) {
  const long double h = t_end / static_cast<long double>(steps);
  long double m = x0, v = sde.initial_sd * sde.initial_sd;
  for (long k = 0; k < steps; ++k) {
    const long double t = static_cast<long double>(k) * h, c = 1 + sde.f(t) * h;
    m *= c;
    v = c * c * v + sde.g2(t) * h;
  }
  return {static_cast<double>(m), static_cast<double>(v)};
}

/// A rigorous bound on |EM moment − exact moment| at step h (derivation): with c_k = 1 + f_k h,
/// |f_k h| ≤ ½, f monotone, C = |f(t_end) − f(0)| + Σ f_k² h and F(u) = g(u)² Φ(t_end, u)² ≥ 0
/// increasing (true for the three SDEs: Φ ≤ 1, g² and Φ increasing in u):
///   mean: |log(∏ c_k / e^{∫f})| ≤ h|Δf| (left Riemann sum of a monotone f) + Σ (f_k h)²
///         (|log(1 + y) − y| ≤ y² for |y| ≤ ½), so |δm| ≤ |x0|(e^{hC} − 1);
///   variance: V_EM = Σ F̃_k h with F̃_k = F(t_k) e^{η_k}, |η_k| ≤ 2hC + 2h max|f|, and the left
///         Riemann sum of F is within h·TV(F) ≤ h max g² of ∫F, so |δV| ≤ (e^{hD} − 1)(V + h max g²)
///         + h max g², D = 2C + 2 max|f|, V ≤ max_variance.
MeanVariance euler_maruyama_bias_bound(const LiteralSde& sde, long double x0, long double t_end, long steps) {
  const long double h = t_end / static_cast<long double>(steps);
  long double c = std::fabs(sde.f(t_end) - sde.f(0)), max_f = 0;
  for (long k = 0; k < steps; ++k) {
    const long double f = sde.f(static_cast<long double>(k) * h);
    c += f * f * h;
    max_f = std::max(max_f, std::fabs(f));
  }
  const long double d = 2 * c + 2 * max_f;
  return {static_cast<double>(std::fabs(x0) * std::expm1(h * c)),
          static_cast<double>(std::expm1(h * d) * (sde.max_variance + h * sde.max_g2) + h * sde.max_g2)};
}

/// Simulates `paths` Euler–Maruyama paths of `steps` steps (h = 1/steps, a multiple of 4) and checks
/// the samples at t = ¼ (where VP and sub-VP differ most: b² = 0.48 and 0.23), ½ and 1 against the closed-form marginal N(a x0, b²) of the process: bounds from the
/// standard error plus the discretisation bias, which is |EM(h) − EM(h/1000)| (both exact
/// recursions) + the rigorous bound at h/1000.
void check_euler_maruyama(const std::string& name, Eigen::Index paths, long steps, std::uint64_t seed) {
  using P = diffuse::ContinuousProcess<double>;
  const P p = continuous_reference::process<double>(name);
  const LiteralSde sde = literal_sde(name);
  const double x0 = 1.5;
  std::mt19937_64 rng(seed);
  diffuse::StandardNormal<double> normal;
  Eigen::VectorXd x(paths), z(paths);
  normal.fill(rng, z);
  x = Eigen::VectorXd::Constant(paths, x0) + static_cast<double>(sde.initial_sd) * z;
  const long double h = 1.0L / static_cast<long double>(steps);
  for (long k = 0; k < steps; ++k) {
    const long double t = static_cast<long double>(k) * h;
    normal.fill(rng, z);
    x = (1 + static_cast<double>(sde.f(t) * h)) * x + static_cast<double>(std::sqrt(sde.g2(t) * h)) * z;
    if (4 * (k + 1) == steps || 2 * (k + 1) == steps || k + 1 == steps) {
      const long double t_end = static_cast<long double>(k + 1) * h;
      const auto time = at(static_cast<double>(t_end));
      const MeanVariance coarse = euler_maruyama_moments(sde, x0, t_end, k + 1);
      const MeanVariance fine = euler_maruyama_moments(sde, x0, t_end, 1000 * (k + 1));
      const MeanVariance fine_bound = euler_maruyama_bias_bound(sde, x0, t_end, 1000 * (k + 1));
      const double mean_bias = std::fabs(coarse.mean - fine.mean) + fine_bound.mean;
      const double var_bias = std::fabs(coarse.variance - fine.variance) + fine_bound.variance;
      INFO(name << " at t = " << static_cast<double>(t_end) << ": bias allowance mean " << mean_bias << ", variance "
                << var_bias);
      check_normal_sample(x, p.signal_scale(time) * x0, p.noise_variance(time), mean_bias, var_bias);
    }
  }
}

}  // namespace

TEST_CASE("Euler-Maruyama paths of the VP and sub-VP and VE SDEs have the closed-form marginal moments",
          "[continuous][random]") {
  check_euler_maruyama("vp_linear", 10000, 400, 424242);
  check_euler_maruyama("sub_vp", 10000, 400, 434343);
  check_euler_maruyama("ve", 10000, 400, 444444);
}

TEST_CASE("Euler-Maruyama long run: 100000 paths of 2000 steps", "[continuous][random][.long]") {
  check_euler_maruyama("vp_linear", 100000, 2000, 525252);
  check_euler_maruyama("sub_vp", 100000, 2000, 535353);
  check_euler_maruyama("ve", 100000, 2000, 545454);
}

TEMPLATE_TEST_CASE("the VP SDE discretised with N = 1000 is the DDPM linear schedule 1e-4..0.02", "[continuous]", float,
                   double, long double) {
  using T = TestType;
  if (!continuous_reference::contract_tested<T>()) return;
  const auto process = diffuse::ContinuousProcess<T>::vp_linear();
  const auto vp = process.discretize_betas(1000);
  const auto ddpm = diffuse::Schedule<T>::linear(1000);
  REQUIRE(vp.steps() == 1000);
  // Both build β_t in Wide from the same exact value (β(u)/N here, β_start + (β_end − β_start)u
  // there: a few roundings of 2⁻¹²⁸ each) and log ᾱ from them, so every rounded quantity is equal
  // or, when the exact value lies that close to a rounding boundary, 1 ulp apart.
  for (int t = 1; t <= 1000; ++t) {
    INFO("t = " << t);
    CHECK(test_support::ulp_distance(vp.beta(t), ddpm.beta(t)) <= 1);
    CHECK(test_support::ulp_distance(vp.alpha_bar(t), ddpm.alpha_bar(t)) <= 1);
    CHECK(test_support::ulp_distance(vp.one_minus_alpha_bar(t), ddpm.one_minus_alpha_bar(t)) <= 1);
    CHECK(test_support::ulp_distance(vp.log_alpha_bar(t), ddpm.log_alpha_bar(t)) <= 1);
    CHECK(test_support::ulp_distance(vp.sigma(t), ddpm.sigma(t)) <= 1);
    // and score_sde's formula β_i = β_min/N + i(β_max − β_min)/(N(N − 1)), i = t − 1, in Wide from
    // the decimals: β(u)/N at u = i/(N − 1) rounded once from within 2⁻¹¹⁸(1 + |λ(u)|)
    const Wide i(t - 1);
    const Wide expected = exact("0.1") / Wide(1000) + i * exact("19.9") / Wide(999000);
    const double lambda = std::fabs(static_cast<double>(process.log_snr(at(static_cast<T>(t - 1) / T(999))).value()));
    CHECK(judge_relative(vp.beta(t), expected, weight("vp_linear", std::isfinite(lambda) ? lambda : 0)).ok());
  }
  CHECK(test_support::ulp_distance(vp.beta(1), static_cast<T>(exact("1e-4"))) <= 1);
  CHECK(test_support::ulp_distance(vp.beta(1000), static_cast<T>(exact("0.02"))) <= 1);
}

TEMPLATE_TEST_CASE("discretize_marginals samples the marginal at t/N", "[continuous][ieee]", float, double,
                   long double) {
  using T = TestType;
  if (!continuous_reference::contract_tested<T>()) return;
  // β_t is the transition variance from (t − 1)/N to t/N (b(1/N)² for t = 1): a Wide value within
  // 2⁻¹¹⁸w_t relative, w_t = 1 + |λ((t − 1)/N)| + |λ(t/N)| + parameters (the grid t/N, rounded in
  // Wide, moves λ by |λ'|t·2⁻¹²⁸, far inside that). So log ᾱ_t = Σ_{s ≤ t} log(1 − β_s) carries
  // E_t = Σ_s 2⁻¹¹⁸w_s β_s/(1 − β_s) absolute on top of the Schedule's own 2⁻¹¹⁸(1 + |log ᾱ_t|)
  // relative: ᾱ_t is within that + E_t relative, 1 − ᾱ_t within that + E_t ᾱ_t/(1 − ᾱ_t).
  std::string current;
  diffuse::Schedule<T> schedule = diffuse::Schedule<T>::linear(1);
  Wide previous_alpha_bar = 1;
  double carried = 0, previous_lambda = 0;  // E_t/2⁻¹¹⁸, and |λ((t − 1)/N)| (0 at t = 1: not involved)
  for (const auto& r : continuous_reference::discretizations(processes_file)) {
    if (r.family + " " + r.steps != current) {
      current = r.family + " " + r.steps;
      schedule = process<T>(r.family).discretize_marginals(std::stoi(r.steps));
      previous_alpha_bar = 1;
      carried = previous_lambda = 0;
    }
    const int t = std::stoi(r.t);
    const Wide alpha_bar = exact(r.alpha_bar), one_minus = exact(r.one_minus_alpha_bar);
    INFO(r.family << " N = " << r.steps << " t = " << t << ": got " << test_support::digits(schedule.alpha_bar(t))
                  << " and " << test_support::digits(schedule.one_minus_alpha_bar(t)) << ", expected " << r.alpha_bar
                  << " and " << r.one_minus_alpha_bar);
    if (alpha_bar.is_zero()) {  // a(1) = 0: β_N = 1 exactly
      CHECK(schedule.alpha_bar(t) == 0);
      CHECK(schedule.one_minus_alpha_bar(t) == 1);
      continue;
    }
    const double lambda = std::fabs(static_cast<double>(log(alpha_bar / one_minus)));
    const double odds = static_cast<double>(previous_alpha_bar / alpha_bar) - 1;  // β_t/(1 − β_t)
    carried += weight(r.family, previous_lambda + lambda) * odds;
    const double own = 1 + std::fabs(static_cast<double>(log(alpha_bar)));
    CHECK(judge_relative(schedule.alpha_bar(t), alpha_bar, own + carried).ok());
    CHECK(judge_relative(schedule.one_minus_alpha_bar(t), one_minus,
                         own + carried * static_cast<double>(alpha_bar / one_minus))
              .ok());
    previous_alpha_bar = alpha_bar;
    previous_lambda = lambda;
  }
  const auto cosine = diffuse::ContinuousProcess<T>::cosine().discretize_marginals(8);
  CHECK(cosine.beta(8) == 1);  // a(1) = 0
  CHECK(cosine.alpha_bar(8) == 0);
}

TEMPLATE_TEST_CASE("marginal and transition and posterior kernels return Gaussians with the coefficients",
                   "[continuous]", float, double) {
  using T = TestType;
  using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;
  using Matrix = Eigen::Matrix<T, 2, 3>;
  const auto p = diffuse::ContinuousProcess<T>::vdm_linear();
  const auto s = at(T(0.25)), t = at(T(0.75));
  Vector x0(3), xt(3);
  x0 << T(1), T(-2), T(0.5);
  xt << T(0.3), T(0.1), T(-1);
  const diffuse::Gaussian<Vector> m = diffuse::marginal(p, t, x0);
  CHECK(m.variance() == p.noise_variance(t));
  CHECK(m.stddev() == p.noise_scale(t));
  for (Eigen::Index i = 0; i < 3; ++i) CHECK(m.mean()(i) == p.signal_scale(t) * x0(i));
  const auto k = p.transition_coefficients(s, t);
  const diffuse::Gaussian<Vector> tr = diffuse::transition(p, s, t, x0);
  CHECK(tr.variance() == k.variance);
  CHECK(tr.stddev() == k.stddev);
  for (Eigen::Index i = 0; i < 3; ++i) CHECK(tr.mean()(i) == k.mean * x0(i));
  const auto c = p.posterior_coefficients(s, t);
  const diffuse::Gaussian<Vector> post = diffuse::posterior(p, s, t, xt, x0);
  CHECK(post.variance() == c.variance);
  CHECK(post.stddev() == c.stddev);
  for (Eigen::Index i = 0; i < 3; ++i) CHECK(post.mean()(i) == c.x0 * x0(i) + c.xt * xt(i));
  // any Eigen dense type: a fixed-size matrix and an expression
  const Matrix x0m = Matrix::Constant(T(2));
  const diffuse::Gaussian<Matrix> mm = diffuse::marginal(p, t, x0m * T(0.5));
  CHECK(mm.mean()(1, 2) == p.signal_scale(t));
}

TEMPLATE_TEST_CASE("to_ve divides by a(t) and from_ve multiplies back", "[continuous][ieee]", float, double) {
  using T = TestType;
  using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;
  Vector x(4);
  x << T(1), T(-3), T(0.25), T(7);
  for (const std::string& name : continuous_reference::family_names()) {
    const auto p = process<T>(name);
    const auto t = at(T(0.625));
    const T a = p.signal_scale(t);
    const Vector scaled = diffuse::to_ve(p, t, x);
    const Vector back = diffuse::from_ve(p, t, scaled);
    INFO(name);
    for (Eigen::Index i = 0; i < 4; ++i) {
      CHECK(scaled(i) == x(i) / a);
      CHECK(back(i) == a * scaled(i));
      CHECK_THAT(back(i), Catch::Matchers::WithinULP(x(i), 2));  // two roundings
    }
    // The marginal rescaled has noise level σ = b/a (Karras et al. 2022, eq. 4): within 2 roundings.
    CHECK_THAT(p.noise_scale(t) / a,
               Catch::Matchers::WithinRel(p.noise_level(t).value(), std::numeric_limits<T>::epsilon() * 2));
  }
}

TEST_CASE("cast gives the process of the other scalar type rounded once from the same definition", "[continuous]") {
  const auto d = diffuse::ContinuousProcess<double>::interpolated_cosine(512, 32, 256);
  const auto f = d.cast<float>();
  const auto direct = diffuse::ContinuousProcess<float>::interpolated_cosine(512, 32, 256);
  for (float t : {0.0f, 0.1f, 0.5f, 0.9f, 1.0f}) {
    CHECK(f.log_snr(at(t)).value() == direct.log_snr(at(t)).value());
    CHECK(f.noise_variance(at(t)) == direct.noise_variance(at(t)));
  }
  // The definition stays in Wide: a float process cast to double or long double is the
  // double or long double process itself, bit for bit (nothing went through float).
  const auto from_float = direct.cast<double>();
  const auto wide = direct.cast<long double>();
  const auto wide_direct = diffuse::ContinuousProcess<long double>::interpolated_cosine(512, 32, 256);
  for (int i = 0; i <= 64; ++i) {
    const double t = i / 64.0;
    const auto tw = diffuse::ContinuousTime<long double>(static_cast<long double>(t));
    CHECK(from_float.log_snr(at(t)).value() == d.log_snr(at(t)).value());
    CHECK(from_float.noise_variance(at(t)) == d.noise_variance(at(t)));
    CHECK(wide.log_snr(tw).value() == wide_direct.log_snr(tw).value());
    CHECK(wide.signal_scale(tw) == wide_direct.signal_scale(tw));
    if (i < 64)
      CHECK(wide.transition_coefficients(tw, diffuse::ContinuousTime<long double>(1)).variance ==
            wide_direct.transition_coefficients(tw, diffuse::ContinuousTime<long double>(1)).variance);
  }
  CHECK(std::string(f.name()) == "interpolated_cosine");
  CHECK(d.variance_preserving());
  CHECK_FALSE(diffuse::ContinuousProcess<double>::sub_vp().variance_preserving());
  CHECK_FALSE(diffuse::ContinuousProcess<double>::ve().variance_preserving());
}

TEST_CASE("every factory holds its own family: its name, whether it is variance preserving, kept by cast",
          "[continuous]") {
  using P = diffuse::ContinuousProcess<double>;
  struct Case {
    P process;
    const char* name;
    bool variance_preserving;
  };
  const Case cases[] = {{P::vp_linear(), "vp_linear", true},
                        {P::sub_vp(), "sub_vp", false},
                        {P::cosine(), "cosine", true},
                        {P::shifted_cosine(512), "shifted_cosine", true},
                        {P::interpolated_cosine(512, 32, 256), "interpolated_cosine", true},
                        {P::vdm_linear(), "vdm_linear", true},
                        {P::ve(), "ve", false}};
  const double eps = std::numeric_limits<double>::epsilon();
  for (const Case& c : cases) {
    INFO(c.name);
    CHECK(std::string(c.process.name()) == c.name);
    CHECK(c.process.variance_preserving() == c.variance_preserving);
    const auto f = c.process.cast<float>();
    CHECK(std::string(f.name()) == c.name);
    CHECK(f.variance_preserving() == c.variance_preserving);
    // The flag is the family's formulas: a² + b² = 1 (each rounded once) exactly when it is set.
    const double sum = c.process.signal_variance(at(0.5)) + c.process.noise_variance(at(0.5));
    CHECK((std::fabs(sum - 1) <= 2 * eps) == c.variance_preserving);
    if (c.variance_preserving) {
      CHECK(c.process.discretize_marginals(4).steps() == 4);
    } else {
      CHECK_THROWS_AS(c.process.discretize_marginals(4), std::invalid_argument);
    }
  }
}

TEST_CASE("bad arguments throw with the function and the rule and the value", "[continuous][errors]") {
  using P = diffuse::ContinuousProcess<double>;
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  using IA = std::invalid_argument;
  using OR = std::out_of_range;
  // factories, one check per rule
  CHECK(throws_with<IA>([] { P::vp_linear(-0.1, 20); },
                        {"diffuse::ContinuousProcess::vp_linear: beta_min must be finite and >= 0 (got -0.1)"}));
  CHECK(throws_with<IA>([] { P::vp_linear(1, 0.5); },
                        {"ContinuousProcess::vp_linear: beta_max must be finite, >= beta_min and > 0 (got 0.5)"}));
  CHECK(throws_with<IA>([] { P::vp_linear(0, 0); }, {"beta_max must be finite, >= beta_min and > 0 (got 0)"}));
  CHECK(throws_with<IA>([&] { P::sub_vp(0.1, inf); }, {"ContinuousProcess::sub_vp: beta_max", "(got inf)"}));
  CHECK(throws_with<IA>([&] { P::vdm_linear(nan, 5); },
                        {"ContinuousProcess::vdm_linear: gamma_min must be finite (got nan)"}));
  CHECK(throws_with<IA>([] { P::vdm_linear(5, 5); }, {"gamma_max must be finite and greater than gamma_min (got 5)"}));
  CHECK(throws_with<IA>([] { P::ve(0, 50); }, {"ContinuousProcess::ve: sigma_min must be finite and > 0 (got 0)"}));
  CHECK(throws_with<IA>([] { P::ve(50, 49.5); },
                        {"ContinuousProcess::ve: sigma_max must be finite and greater than sigma_min (got 49.5)"}));
  CHECK(throws_with<IA>([] { P::shifted_cosine(0); },
                        {"ContinuousProcess::shifted_cosine: image_d must be finite and > 0 (got 0)"}));
  CHECK(throws_with<IA>([] { P::shifted_cosine(512, -64); },
                        {"shifted_cosine: noise_d must be finite and > 0 (got -64)"}));
  CHECK(throws_with<IA>([] { P::shifted_cosine(512, 64, 15, 15); },
                        {"log_snr_max must be greater than log_snr_min (got 15)"}));
  CHECK(throws_with<IA>([&] { P::shifted_cosine(512, 64, inf, inf); },
                        {"log_snr_min must be a number below +inf (got inf)"}));
  CHECK(throws_with<IA>(
      [] { P::interpolated_cosine(512, 256, 32); },
      {"ContinuousProcess::interpolated_cosine: noise_d_high must be finite and >= noise_d_low (got 32)"}));
  // order and ranges (the checks of ContinuousTime itself are in test_time_coordinates.cpp)
  const P vp = P::vp_linear();
  const auto half = at(0.5), quarter = at(0.25);
  CHECK(
      throws_with<IA>([&] { vp.transition_coefficients(half, half); },
                      {"diffuse::ContinuousProcess::transition_coefficients: s must be less than t = 0.5 (got 0.5)"}));
  CHECK(throws_with<IA>([&] { vp.posterior_coefficients(half, quarter); },
                        {"ContinuousProcess::posterior_coefficients: s must be less than t = 0.25 (got 0.5)"}));
  const Eigen::VectorXd x = Eigen::VectorXd::Ones(3);
  CHECK(throws_with<IA>([&] { diffuse::transition(vp, half, quarter, x); },
                        {"diffuse::transition: s must be less than t = 0.25 (got 0.5)"}));
  CHECK(throws_with<IA>([&] { diffuse::posterior(vp, half, half, x, x); }, {"s must be less than t"}));
  CHECK(throws_with<IA>([&] { diffuse::posterior(vp, quarter, half, x, Eigen::VectorXd::Ones(4)); },
                        {"diffuse::posterior: x0 must have the shape 3 x 1 (got \"4 x 1\")"}));
  CHECK(throws_with<OR>([&] { vp.time(diffuse::LogSnr<double>(-11)); },
                        {"diffuse::ContinuousProcess::time: log-SNR must be in [-10.049956813318408, inf] (got -11)"}));
  CHECK(throws_with<OR>(
      [&] { vp.time(diffuse::NoiseLevel<double>(200.5)); },
      {"diffuse::ContinuousProcess::time: noise level must be in [0, 152.16697028394648] (got 200.5)"}));
  CHECK(throws_with<OR>([&] { P::ve().time(diffuse::NoiseLevel<double>(0.005)); },
                        {"noise level must be in [0.01, 50] (got 0.005)"}));
  CHECK(throws_with<OR>([&] { P::vdm_linear().time(diffuse::LogSnr<double>(14)); },
                        {"log-SNR must be in [-5, 13.3] (got 14)"}));
  // discretisation
  CHECK(throws_with<IA>(
      [&] { vp.discretize_betas(0); },
      {"diffuse::ContinuousProcess::discretize_betas: the number of steps T must be at least 1 (got 0)"}));
  CHECK(
      throws_with<IA>([&] { vp.discretize_marginals(-3); },
                      {"ContinuousProcess::discretize_marginals: the number of steps T must be at least 1 (got -3)"}));
  CHECK(throws_with<IA>(
      [&] { P::sub_vp().discretize_marginals(10); },
      {"discretize_marginals: needs a variance-preserving process (a Schedule has a² + b² = 1) (got \"sub_vp\")"}));
  CHECK(throws_with<IA>([&] { P::ve().discretize_betas(10); },
                        {"discretize_betas: needs a variance-preserving process", "(got \"ve\")"}));
  CHECK(throws_with<IA>([&] { vp.discretize_betas(10); },
                        {"beta(0.5555555555555556)/N must be in (0, 1) (got 1.1155555555555556)"}));
}
