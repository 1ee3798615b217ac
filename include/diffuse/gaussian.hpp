/// Gaussian<Mean>: the isotropic normal distribution N(μ, σ² I) over an Eigen vector or matrix.
#pragma once

#include <cmath>
#include <limits>
#include <string>
#include <type_traits>

#include <Eigen/Core>

#include "detail/checks.hpp"
#include "detail/scaled_sum.hpp"
#include "detail/shape.hpp"
#include "detail/wide.hpp"
#include "detail/wide_math.hpp"

namespace diffuse {

template <class Scalar>
class StandardNormal;  // normal.hpp: Gaussian::sample(rng) needs it, the rest of this header does not

namespace detail {

/// Whether T is a complete type here (sizeof(T) is well-formed).
template <class T, class = void>
struct is_complete : std::false_type {};
template <class T>
struct is_complete<T, std::void_t<decltype(sizeof(T))>> : std::true_type {};

/// Σ (a_i − b_i)² over every coefficient, in Wide: each difference, square and partial sum rounded
/// to 128 bits (relative error within (n + 2)·2⁻¹²⁸ for n terms, all of one sign; no overflow and
/// no small term lost).
template <class A, class B>
Wide squared_distance(const Eigen::MatrixBase<A>& a, const Eigen::MatrixBase<B>& b) {
  Wide sum;
  for (Eigen::Index j = 0; j < a.cols(); ++j) {
    for (Eigen::Index i = 0; i < a.rows(); ++i) {
      const Wide d = Wide(a.derived().coeff(i, j)) - Wide(b.derived().coeff(i, j));
      sum += d * d;
    }
  }
  return sum;
}

/// Σ x_i² over the coefficients of column j of x (every column when j < 0), as squared_distance.
template <class X>
Wide squared_norm(const Eigen::MatrixBase<X>& x, Eigen::Index column = -1) {
  Wide sum;
  for (Eigen::Index j = column < 0 ? 0 : column; j < (column < 0 ? x.cols() : column + 1); ++j) {
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      const Wide v(x.derived().coeff(i, j));
      sum += v * v;
    }
  }
  return sum;
}

/// r − 1 − ln r from u = r − 1 and ln r, each given accurately, within a few units of 2⁻¹²⁸:
/// Σ_{k≥2} (−u)^k/k where |u| < ½ (the difference u − ln r would cancel), u − ln r otherwise.
inline Wide ratio_divergence(const Wide& u, const Wide& log_r) {
  if (!(abs(u) < ldexp(Wide(1), -1))) return u - log_r;
  Wide power = u * u;  // (−u)^k
  Wide sum;
  for (int k = 2; k < 256; ++k) {
    const Wide term = power / Wide(k);
    sum += term;
    if (abs(term) <= ldexp(abs(sum), -130)) break;
    power *= -u;
  }
  return sum;
}

}  // namespace detail

/// The isotropic normal distribution N(μ, σ² I) whose mean μ is an Eigen matrix or vector.
///
/// Mean is a plain Eigen matrix type (`Eigen::Vector3f`, `Eigen::VectorXd`, `Eigen::MatrixXf`,
/// row- or column-major); the constructors evaluate any expression into it, so a Gaussian never
/// refers to the caller's memory. Every coefficient of μ is an independent normal of variance σ²:
/// a matrix of B stacked samples (one per column) is ONE Gaussian over its rows·cols coefficients,
/// so `dimension()` is rows·cols and `log_prob`, `entropy` and `kl` are totals over all of them,
/// the sums of the per-sample values. σ² = 0 is allowed: the point mass at μ (see each function).
///
/// Precision: `log_prob`, `entropy` and `kl` are evaluated in detail::Wide (128-bit significand,
/// the same bits on every machine) and rounded once: relative error within ½ ulp + (n + 64) units
/// of 2⁻¹²⁸ (n = the dimension) where the result does not cancel; `log_prob` can cancel when it is
/// near 0, and then the bound is that many units of its largest term. `sample_from_noise` rounds twice per
/// coefficient. Sampling (`sample`) needs Scalar float or double (diffuse::StandardNormal).
template <class MeanType>
class Gaussian {
  static_assert(std::is_base_of<Eigen::MatrixBase<MeanType>, MeanType>::value &&
                    std::is_same<MeanType, typename MeanType::PlainObject>::value,
                "diffuse::Gaussian: the mean type must be a plain Eigen matrix type, e.g. Eigen::VectorXd");
  static_assert(std::is_floating_point<typename MeanType::Scalar>::value,
                "diffuse::Gaussian: the scalar type must be float, double or long double");

 public:
  using Mean = MeanType;
  using Scalar = typename Mean::Scalar;
  /// The dense covariance type (always dynamic-size: it has dimension()² coefficients).
  using Covariance = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

  /// N(mean, variance·I), with σ = √variance (correctly rounded).
  /// @throws std::invalid_argument if variance is negative, NaN or infinite.
  template <class Derived>
  Gaussian(const Eigen::MatrixBase<Derived>& mean, Scalar variance)
      : mean_(mean), variance_(checked_variance(variance)), stddev_(root(variance_)) {}

  /// N(mean, variance·I) with σ given too, for callers that have both to full precision (the
  /// kernels take σ² and σ from the schedule, each rounded once).
  /// @throws std::invalid_argument if variance is negative, NaN or infinite, or if stddev is not
  /// its square root to within 8 ulp (|σ² − variance| ≤ 16ε·variance).
  template <class Derived>
  Gaussian(const Eigen::MatrixBase<Derived>& mean, Scalar variance, Scalar stddev)
      : mean_(mean), variance_(checked_variance(variance)), stddev_(stddev) {
    const detail::Wide s(stddev), v(variance_);
    const detail::Wide tolerance = detail::Wide(16) * detail::Wide(std::numeric_limits<Scalar>::epsilon()) * v +
                                   detail::Wide(16) * detail::Wide(std::numeric_limits<Scalar>::denorm_min());
    if (detail::is_nan(stddev) || !(stddev >= 0 && abs(s * s - v) <= tolerance)) {
      detail::fail<std::invalid_argument>(
          "Gaussian", "stddev must be the square root of the variance " + detail::to_message_value(variance_), stddev);
    }
  }

  /// μ.
  const Mean& mean() const { return mean_; }
  /// σ², the variance of every coefficient.
  Scalar variance() const { return variance_; }
  /// σ.
  Scalar stddev() const { return stddev_; }
  /// ln σ² (−∞ when σ² = 0).
  Scalar log_variance() const { return static_cast<Scalar>(log(detail::Wide(variance_))); }
  /// n = rows·cols of the mean: the number of independent coefficients.
  Eigen::Index dimension() const { return mean_.size(); }

  /// ln N(x; μ, σ² I) = −½ (n ln 2πσ² + ‖x − μ‖²/σ²), summed over all n coefficients, evaluated in
  /// Wide (no overflow of ‖x − μ‖²/σ² for tiny σ²). At σ² = 0 (a point mass) it is the limit of the
  /// density: +∞ at x = μ, −∞ elsewhere. n = 0 gives 0.
  /// @throws std::invalid_argument if x does not have the shape of the mean.
  template <class Derived>
  Scalar log_prob(const Eigen::MatrixBase<Derived>& x) const {
    check_scalar<Derived>();
    detail::check_shape("Gaussian::log_prob", "x", x, mean_.rows(), mean_.cols());
    if (dimension() == 0) return 0;
    const detail::Wide d2 = detail::squared_distance(x, mean_);
    if (variance_ == 0) {
      if (detail::is_nan(d2)) return std::numeric_limits<Scalar>::quiet_NaN();
      return d2.is_zero() ? std::numeric_limits<Scalar>::infinity() : -std::numeric_limits<Scalar>::infinity();
    }
    const detail::Wide v(variance_);
    return static_cast<Scalar>(-ldexp(n_wide() * (detail::wide_constants::log_two_pi + log(v)) + d2 / v, -1));
  }

  /// The differential entropy ½ n (1 + ln 2πσ²); −∞ when σ² = 0 (the limit), 0 when n = 0.
  Scalar entropy() const {
    if (dimension() == 0) return 0;
    if (variance_ == 0) return -std::numeric_limits<Scalar>::infinity();
    return static_cast<Scalar>(
        ldexp(n_wide() * (1 + detail::wide_constants::log_two_pi + log(detail::Wide(variance_))), -1));
  }

  /// KL(this ‖ other) = ½ [n (r − 1 − ln r) + ‖μ − μ'‖²/σ'²], r = σ²/σ'², summed over all n
  /// coefficients (improved-diffusion's `normal_kl` is the per-coefficient term). r − 1 − ln r is
  /// evaluated without cancellation when σ² ≈ σ'². With a zero variance: 0 if both are point masses
  /// at the same μ, +∞ otherwise (the point mass and the normal are not absolutely continuous, and
  /// +∞ is the limit of the formula).
  /// @throws std::invalid_argument if the means do not have the same shape.
  template <class OtherMean>
  Scalar kl(const Gaussian<OtherMean>& other) const {
    detail::check_same_scalar<Scalar, typename OtherMean::Scalar>();
    detail::check_shape("Gaussian::kl", "the other mean", other.mean(), mean_.rows(), mean_.cols());
    if (dimension() == 0) return 0;
    const detail::Wide d2 = detail::squared_distance(mean_, other.mean());
    const detail::Wide v1(variance_), v2(other.variance());
    const Scalar inf = std::numeric_limits<Scalar>::infinity();
    if (v2.is_zero()) return v1.is_zero() && d2.is_zero() ? Scalar(0) : inf;
    if (v1.is_zero()) return inf;
    const detail::Wide per_coefficient = detail::ratio_divergence((v1 - v2) / v2, log(v1) - log(v2));
    return static_cast<Scalar>(ldexp(n_wide() * per_coefficient + d2 / v2, -1));
  }

  /// The sample μ + σ ε for given standard-normal noise ε (deterministic): fl(μ + fl(σ ε)), the
  /// product never fused into the sum (detail::scaled_sum's rule), so that a marginal's sample has
  /// the bits of add_noise. σ² = 0 returns μ exactly for finite ε.
  /// @throws std::invalid_argument if eps does not have the shape of the mean.
  template <class Derived>
  Mean sample_from_noise(const Eigen::MatrixBase<Derived>& eps) const {
    check_scalar<Derived>();
    detail::check_shape("Gaussian::sample_from_noise", "eps", eps, mean_.rows(), mean_.cols());
    const Scalar sigma = stddev_;
    return mean_.binaryExpr(eps.derived(),
                            [sigma](Scalar mu, Scalar e) { return mu + detail::rounded_product(sigma, e); });
  }

  /// A sample μ + σ ε, ε drawn by diffuse::StandardNormal<Scalar> from `rng` (any C++
  /// UniformRandomBitGenerator) in the storage order of Mean; the same engine state gives the same
  /// sample on every platform. Scalar must be float or double. Needs `#include <diffuse/normal.hpp>`
  /// (or the umbrella): this header leaves the vectorised normal engine out, so that the kernels
  /// compile fast.
  template <class URBG>
  Mean sample(URBG& rng) const {
    static_assert(detail::is_complete<StandardNormal<Scalar>>::value,
                  "diffuse::Gaussian::sample(rng) draws with diffuse::StandardNormal: #include <diffuse/normal.hpp> "
                  "(or <diffuse/diffuse.hpp>)");
    Mean eps = Mean::Zero(mean_.rows(), mean_.cols());  // zeroed: g++ cannot see that fill writes all
    StandardNormal<Scalar>().fill(rng, eps);
    return sample_from_noise(eps);
  }

  /// The dense covariance σ² I of size n x n: O(n²) memory and time, only for small n (isotropic,
  /// so it is the same whatever order the coefficients of a matrix mean are stacked in).
  Covariance covariance() const { return variance_ * Covariance::Identity(dimension(), dimension()); }

 private:
  static Scalar checked_variance(Scalar variance) {
    detail::check_finite_non_negative("Gaussian", "variance", variance);
    return variance;
  }
  static Scalar root(Scalar x) {
    using std::sqrt;
    return sqrt(x);
  }
  template <class Derived>
  static void check_scalar() {
    detail::check_same_scalar<Scalar, typename Derived::Scalar>();
  }
  detail::Wide n_wide() const { return detail::Wide(static_cast<long long>(dimension())); }

  Mean mean_;
  Scalar variance_;
  Scalar stddev_;
};

/// Deduces Gaussian<PlainObject> from any expression: `diffuse::Gaussian g(x.head(3), 0.5);`.
template <class Derived>
Gaussian(const Eigen::MatrixBase<Derived>&, typename Derived::Scalar) -> Gaussian<typename Derived::PlainObject>;
template <class Derived>
Gaussian(const Eigen::MatrixBase<Derived>&, typename Derived::Scalar, typename Derived::Scalar)
    -> Gaussian<typename Derived::PlainObject>;

}  // namespace diffuse
