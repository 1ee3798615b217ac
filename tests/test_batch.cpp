// Batches with a timestep per sample: add_noise, velocity and the x_0 / ε / v conversions against the
// 50-digit references (bounds of batch.hpp), round trips, output into Maps of either storage order,
// in place, and the argument checks (nothing written on error).
#include <diffuse/batch.hpp>
#include <diffuse/continuous.hpp>
#include <diffuse/kernels.hpp>
#include <diffuse/noise.hpp>
#include <diffuse/normal.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "catch.hpp"
#include "support/kernels_reference.hpp"
#include "support/messages.hpp"
#include "support/ulps.hpp"

namespace {

using kernels_reference::compound;
using kernels_reference::ld;
using kernels_reference::reference_error;

template <class S>
using Matrix =
    Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;  // even under EIGEN_DEFAULT_TO_ROW_MAJOR
template <class S>
using RowMajorMatrix = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using LdMatrix = Eigen::Matrix<ld, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;

template <class S>
Matrix<S> normal_matrix(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Matrix<S> out(rows, cols);
  diffuse::StandardNormal<S>().fill(rng, out);
  return out;
}

/// The largest |actual − exact| / bound over all coefficients (<= 1: within the bound).
template <class A>
ld worst_ratio(const Eigen::MatrixBase<A>& actual, const LdMatrix& exact, const LdMatrix& bound) {
  ld worst = 0;
  for (Eigen::Index j = 0; j < exact.cols(); ++j) {
    for (Eigen::Index i = 0; i < exact.rows(); ++i) {
      worst = std::max(worst, std::fabs(static_cast<ld>(actual(i, j)) - exact(i, j)) / bound(i, j));
    }
  }
  return worst;
}

/// √ᾱ_t and √(1 − ᾱ_t) of the reference schedule, per column (t_j = j).
struct ReferenceCoefficients {
  std::vector<ld> a, b;
  explicit ReferenceCoefficients(const std::string& name) {
    for (const auto& row : kernels_reference::reference_schedule(name)) {
      a.push_back(std::sqrt(row.alpha_bar));
      b.push_back(std::sqrt(row.one_minus_alpha_bar));
    }
  }
};

template <class S>
LdMatrix widen(const Matrix<S>& m) {
  return m.template cast<ld>();
}

}  // namespace

TEMPLATE_TEST_CASE("add_noise column j is marginal(t_j, x0_j).sample_from_noise(eps_j)", "[batch]", float, double) {
  using S = TestType;
  const auto schedule = diffuse::Schedule<S>::cosine(1000);
  const Matrix<S> x0 = normal_matrix<S>(5, 7, 1), eps = normal_matrix<S>(5, 7, 2);
  const std::vector<int> steps{0, 1, 2, 500, 999, 1000, 37};
  const Matrix<S> x_t = diffuse::add_noise(schedule, x0, eps, steps);
  for (Eigen::Index j = 0; j < 7; ++j) {
    const auto g = diffuse::marginal(schedule, steps[static_cast<std::size_t>(j)], x0.col(j));
    CHECK(x_t.col(j) == g.sample_from_noise(eps.col(j)));
  }
  CHECK(x_t.col(0) == x0.col(0));
  // Any integer vector will do for the timesteps.
  const Eigen::VectorXi eigen_steps = Eigen::Map<const Eigen::VectorXi>(steps.data(), 7);
  CHECK(diffuse::add_noise(schedule, x0, eps, eigen_steps) == x_t);
  CHECK(diffuse::add_noise(schedule, x0, eps, eigen_steps.transpose().cast<long long>()) == x_t);
  CHECK(diffuse::add_noise(schedule, x0, eps, std::vector<std::int64_t>(steps.begin(), steps.end())) == x_t);
  CHECK(diffuse::add_noise(schedule, x0, eps, std::vector<unsigned short>(steps.begin(), steps.end())) == x_t);
}

/// exact = p(t_j) u_j + q(t_j) w_j and bound = factor (|p u_j| + |q w_j|), column by column.
struct Expectation {
  LdMatrix exact, bound;
};
template <class P, class Q>
Expectation expectation(const Eigen::VectorXi& steps, const LdMatrix& u, const LdMatrix& w, P p_of, Q q_of, ld factor) {
  Expectation out{LdMatrix(u.rows(), u.cols()), LdMatrix(u.rows(), u.cols())};
  for (Eigen::Index j = 0; j < u.cols(); ++j) {
    const std::size_t t = static_cast<std::size_t>(steps(j));
    const ld p = p_of(t), q = q_of(t);
    out.exact.col(j) = p * u.col(j) + q * w.col(j);
    out.bound.col(j) = factor * ((p * u.col(j)).cwiseAbs() + (q * w.col(j)).cwiseAbs());
  }
  return out;
}
template <class A>
ld worst_ratio(const Eigen::MatrixBase<A>& actual, const Expectation& expected) {
  return worst_ratio(actual, expected.exact, expected.bound);
}

// Known answers for every t of linear and cosine (column j at step j), with the bounds of batch.hpp:
// (k + 1)ε(|p a| + |q b|) for the plain combinations, (k + 1½)ε(…) for the two with reciprocals.
TEMPLATE_TEST_CASE("add_noise, velocity and the conversions match their formulas at every step", "[batch]", float,
                   double) {
  using S = TestType;
  const ld k = test_support::coefficient_contract_ulps<S>(), e = kernels_reference::eps<S>();
  const ld plain = compound(1, (k + 1) * e) + reference_error,
           reciprocal = compound(1, (k + 1.5L) * e) + reference_error;
  for (const char* name : {"linear", "cosine"}) {
    INFO(name);
    const diffuse::Schedule<S> schedule = kernels_reference::named_schedule<S>(name);
    const ReferenceCoefficients c(name);
    const Eigen::Index n = schedule.steps() + 1;
    const Matrix<S> first = normal_matrix<S>(3, n, 3), second = normal_matrix<S>(3, n, 4);
    const Eigen::VectorXi steps = Eigen::VectorXi::LinSpaced(n, 0, schedule.steps());
    const LdMatrix u = widen(first), w = widen(second);
    auto a = [&](std::size_t t) { return c.a[t]; };
    auto b = [&](std::size_t t) { return c.b[t]; };
    auto minus_b = [&](std::size_t t) { return -c.b[t]; };
    CHECK(worst_ratio(diffuse::add_noise(schedule, first, second, steps), expectation(steps, u, w, a, b, plain)) <= 1);
    CHECK(worst_ratio(diffuse::velocity(schedule, first, second, steps), expectation(steps, u, w, minus_b, a, plain)) <=
          1);
    CHECK(worst_ratio(diffuse::x0_from_velocity(schedule, first, second, steps),
                      expectation(steps, u, w, a, minus_b, plain)) <= 1);
    CHECK(worst_ratio(diffuse::eps_from_velocity(schedule, first, second, steps),
                      expectation(steps, u, w, b, a, plain)) <= 1);
    CHECK(worst_ratio(diffuse::x0_from_eps(schedule, first, second, steps),
                      expectation(
                          steps, u, w, [&](std::size_t t) { return 1 / c.a[t]; },
                          [&](std::size_t t) { return -c.b[t] / c.a[t]; }, reciprocal)) <= 1);
    // eps_from_x0 from t = 1 (at t = 0 it is undefined).
    const Eigen::VectorXi later = steps.tail(n - 1);
    const Matrix<S> x_t = first.rightCols(n - 1), x0 = second.rightCols(n - 1);
    CHECK(worst_ratio(diffuse::eps_from_x0(schedule, x_t, x0, later),
                      expectation(
                          later, widen(x_t), widen(x0), [&](std::size_t t) { return 1 / c.b[t]; },
                          [&](std::size_t t) { return -c.a[t] / c.b[t]; }, reciprocal)) <= 1);
  }
}

// The flow-velocity conversions (u = ε − x_0) at every t of linear and cosine, against the reference
// a and b, with the bounds of batch.hpp: each coefficient formed from the rounded a, b (within kε)
// and rounded once, so within (2k + ½)ε for a quotient of two of them; then (2k + 1½)ε(|p u| + |q w|).
// flow_velocity_from_velocity's p = b − a and velocity_from_flow_velocity's (a − b)/(a + b) can
// cancel: their bounds are absolute, (k + 1½)ε(a + b)(|x_t| + |v|) and (2k + 1½)ε(|x_t| + |u|).
TEMPLATE_TEST_CASE("the flow-velocity conversions match their formulas at every step", "[batch][flow]", float, double) {
  using S = TestType;
  const ld k = test_support::coefficient_contract_ulps<S>(), e = kernels_reference::eps<S>();
  const ld quotient = compound(1, (2 * k + 1.5L) * e) + reference_error;
  for (const char* name : {"linear", "cosine"}) {
    INFO(name);
    const diffuse::Schedule<S> schedule = kernels_reference::named_schedule<S>(name);
    const ReferenceCoefficients c(name);
    const Eigen::Index n = schedule.steps() + 1;
    const Matrix<S> first = normal_matrix<S>(3, n, 7), second = normal_matrix<S>(3, n, 8);
    const Eigen::VectorXi steps = Eigen::VectorXi::LinSpaced(n, 0, schedule.steps());
    const LdMatrix u = widen(first), w = widen(second);
    auto a = [&](std::size_t t) { return c.a[t]; };
    auto b = [&](std::size_t t) { return c.b[t]; };
    auto s = [&](std::size_t t) { return c.a[t] + c.b[t]; };
    CHECK(diffuse::flow_velocity(first, second) == Matrix<S>(second - first));
    CHECK(worst_ratio(diffuse::x0_from_flow_velocity(schedule, first, second, steps),
                      expectation(
                          steps, u, w, [&](std::size_t t) { return 1 / s(t); },
                          [&](std::size_t t) { return -b(t) / s(t); }, quotient)) <= 1);
    CHECK(worst_ratio(diffuse::eps_from_flow_velocity(schedule, first, second, steps),
                      expectation(
                          steps, u, w, [&](std::size_t t) { return 1 / s(t); },
                          [&](std::size_t t) { return a(t) / s(t); }, quotient)) <= 1);
    CHECK(worst_ratio(diffuse::flow_velocity_from_eps(schedule, first, second, steps),
                      expectation(
                          steps, u, w, [&](std::size_t t) { return -1 / a(t); },
                          [&](std::size_t t) { return s(t) / a(t); }, quotient)) <= 1);
    // flow_velocity_from_x0 from t = 1 (b = 0 at t = 0).
    const Eigen::VectorXi later = steps.tail(n - 1);
    const Matrix<S> x_t = first.rightCols(n - 1), x0 = second.rightCols(n - 1);
    CHECK(worst_ratio(diffuse::flow_velocity_from_x0(schedule, x_t, x0, later),
                      expectation(
                          later, widen(x_t), widen(x0), [&](std::size_t t) { return 1 / b(t); },
                          [&](std::size_t t) { return -s(t) / b(t); }, quotient)) <= 1);
    // flow_velocity_from_velocity: the bound on the cancelling b − a is absolute.
    Expectation from_v = expectation(
        steps, u, w, [&](std::size_t t) { return b(t) - a(t); }, s, quotient);
    for (Eigen::Index j = 0; j < n; ++j) {
      const std::size_t t = static_cast<std::size_t>(j);
      from_v.bound.col(j) =
          (compound(1, (k + 1.5L) * e) + reference_error) * s(t) * (u.col(j).cwiseAbs() + w.col(j).cwiseAbs());
    }
    CHECK(worst_ratio(diffuse::flow_velocity_from_velocity(schedule, first, second, steps), from_v) <= 1);
    // velocity_from_flow_velocity: p = (a − b)/(a + b) cancels too; its bound (2k + 1½)ε(|x_t| + |u|).
    Expectation to_v = expectation(
        steps, u, w, [&](std::size_t t) { return (a(t) - b(t)) / s(t); }, [&](std::size_t t) { return 1 / s(t); },
        quotient);
    to_v.bound = quotient * (u.cwiseAbs() + w.cwiseAbs());
    CHECK(worst_ratio(diffuse::velocity_from_flow_velocity(schedule, first, second, steps), to_v) <= 1);
  }
}

// Round trips. x̂_t = add_noise(x_0, ε) and v̂ = velocity(x_0, ε) are within E1 = (k + 1)ε(a|x_0| + b|ε|)
// and E2 = (k + 1)ε(a|ε| + b|x_0|) (a = √ᾱ, b = √(1 − ᾱ)). A conversion applied to them is off by its own
// bound plus the propagated input errors: x0_from_eps by E1/a, eps_from_x0 by E1/b, x0_from_velocity
// by aE1 + bE2 (a² + b² = 1), eps_from_velocity by bE1 + aE2.
TEMPLATE_TEST_CASE("the conversions recover x0 and eps from add_noise and velocity", "[batch]", float, double) {
  using S = TestType;
  const ld k = test_support::coefficient_contract_ulps<S>(), e = kernels_reference::eps<S>();
  const ld plain = compound(1, (k + 1) * e) + reference_error,
           reciprocal = compound(1, (k + 1.5L) * e) + reference_error;
  for (const char* name : {"linear", "cosine"}) {
    INFO(name);
    const diffuse::Schedule<S> schedule = kernels_reference::named_schedule<S>(name);
    const ReferenceCoefficients c(name);
    const Eigen::Index n = schedule.steps() + 1;
    const Matrix<S> x0 = normal_matrix<S>(3, n, 5), eps = normal_matrix<S>(3, n, 6);
    const Eigen::VectorXi steps = Eigen::VectorXi::LinSpaced(n, 0, schedule.steps());
    const Matrix<S> x_t = diffuse::add_noise(schedule, x0, eps, steps);
    const Matrix<S> v = diffuse::velocity(schedule, x0, eps, steps);
    const Matrix<S> x0_eps = diffuse::x0_from_eps(schedule, x_t, eps, steps);
    const Matrix<S> x0_v = diffuse::x0_from_velocity(schedule, x_t, v, steps);
    const Matrix<S> eps_v = diffuse::eps_from_velocity(schedule, x_t, v, steps);
    const Matrix<S> eps_x0 =
        diffuse::eps_from_x0(schedule, x_t.rightCols(n - 1), x0.rightCols(n - 1), steps.tail(n - 1));
    ld worst = 0;
    for (Eigen::Index j = 0; j < n; ++j) {
      const ld a = c.a[static_cast<std::size_t>(j)], b = c.b[static_cast<std::size_t>(j)];
      for (Eigen::Index i = 0; i < 3; ++i) {
        const ld x = x0(i, j), z = eps(i, j), xt = x_t(i, j), vt = v(i, j);
        const ld e1 = plain * (a * std::fabs(x) + b * std::fabs(z)), e2 = plain * (a * std::fabs(z) + b * std::fabs(x));
        const ld slack = reference_error * (std::fabs(x) + std::fabs(z));
        worst = std::max(worst, std::fabs(x0_eps(i, j) - x) /
                                    (e1 / a + reciprocal * (std::fabs(xt) + b * std::fabs(z)) / a + slack));
        worst = std::max(worst, std::fabs(x0_v(i, j) - x) /
                                    (a * e1 + b * e2 + plain * (a * std::fabs(xt) + b * std::fabs(vt)) + slack));
        worst = std::max(worst, std::fabs(eps_v(i, j) - z) /
                                    (b * e1 + a * e2 + plain * (b * std::fabs(xt) + a * std::fabs(vt)) + slack));
        if (j > 0) {
          worst = std::max(worst, std::fabs(eps_x0(i, j - 1) - z) /
                                      (e1 / b + reciprocal * (std::fabs(xt) + a * std::fabs(x)) / b + slack));
        }
      }
    }
    INFO("worst error / bound = " << static_cast<double>(worst));
    CHECK(worst <= 1);
  }
}

TEMPLATE_TEST_CASE("the output overloads write into Maps of either storage order, blocks and in place", "[batch]",
                   float, double) {
  using S = TestType;
  const auto schedule = diffuse::Schedule<S>::linear(1000);
  const Eigen::Index rows = 4, cols = 6;
  const Matrix<S> x0 = normal_matrix<S>(rows, cols, 7), eps = normal_matrix<S>(rows, cols, 8);
  const std::vector<int> steps{3, 1000, 0, 250, 1, 999};
  const Matrix<S> expected = diffuse::add_noise(schedule, x0, eps, steps);
  const S sentinel = S(12345);

  SECTION("a column-major Map with padding between columns: the padding is untouched") {
    std::vector<S> buffer(static_cast<std::size_t>(5 * cols), sentinel);
    Eigen::Map<Matrix<S>, 0, Eigen::OuterStride<>> out(buffer.data(), rows, cols, Eigen::OuterStride<>(5));
    diffuse::add_noise(schedule, x0, eps, steps, out);
    CHECK(out == expected);
    for (Eigen::Index j = 0; j < cols; ++j) CHECK(buffer[static_cast<std::size_t>(5 * j + 4)] == sentinel);
  }
  SECTION("row-major Maps over another library's buffers, inputs and output") {
    std::vector<S> x0_buffer(static_cast<std::size_t>(rows * cols)), eps_buffer(x0_buffer.size()),
        out_buffer(x0_buffer.size());
    Eigen::Map<RowMajorMatrix<S>>(x0_buffer.data(), rows, cols) = x0;
    Eigen::Map<RowMajorMatrix<S>>(eps_buffer.data(), rows, cols) = eps;
    const Eigen::Map<const RowMajorMatrix<S>> x0_view(x0_buffer.data(), rows, cols),
        eps_view(eps_buffer.data(), rows, cols);
    Eigen::Map<RowMajorMatrix<S>> out(out_buffer.data(), rows, cols);
    diffuse::add_noise(schedule, x0_view, eps_view, steps, out);
    CHECK(out == expected);
    CHECK(out_buffer[1] == expected(0, 1));  // row-major: the second element is row 0, column 1
    const RowMajorMatrix<S> returned = diffuse::add_noise(schedule, x0_view, eps_view, steps);
    CHECK(returned == expected);
  }
  SECTION("a block of a larger matrix") {
    Matrix<S> big = Matrix<S>::Constant(rows + 2, cols + 3, sentinel);
    diffuse::velocity(schedule, x0, eps, steps, big.block(1, 2, rows, cols));
    CHECK(big.block(1, 2, rows, cols) == diffuse::velocity(schedule, x0, eps, steps));
    CHECK(big.row(0).isConstant(sentinel));
    CHECK(big.col(0).isConstant(sentinel));
  }
  SECTION("in place: the output may be an input") {
    Matrix<S> work = x0;
    diffuse::add_noise(schedule, work, eps, steps, work);
    CHECK(work == expected);
    diffuse::x0_from_eps(schedule, work, eps, steps, work);
    CHECK(work == diffuse::x0_from_eps(schedule, expected, eps, steps));
    Matrix<S> noise = eps;
    diffuse::add_noise(schedule, x0, noise, steps, noise);
    CHECK(noise == expected);
  }
  SECTION("an empty batch") {
    const Matrix<S> empty(rows, 0);
    CHECK(diffuse::add_noise(schedule, empty, empty, std::vector<int>{}).cols() == 0);
  }
}

TEMPLATE_TEST_CASE("batch functions check every argument before writing", "[batch][checks]", float, double) {
  using S = TestType;
  using test_support::error_message;
  const auto schedule = diffuse::Schedule<S>::linear(1000);
  const Matrix<S> x0 = normal_matrix<S>(4, 6, 9), eps = normal_matrix<S>(4, 6, 10);
  const std::vector<int> steps{3, 1000, 0, 250, 1, 999};
  const S sentinel = S(-7);
  Matrix<S> out = Matrix<S>::Constant(4, 6, sentinel);
  const Matrix<S> narrow = Matrix<S>::Zero(4, 5);
  CHECK(error_message<std::invalid_argument>([&] { diffuse::add_noise(schedule, x0, narrow, steps, out); }) ==
        "diffuse::add_noise: eps must have the shape 4 x 6 (got \"4 x 5\")");
  CHECK(error_message<std::invalid_argument>([&] { diffuse::velocity(schedule, x0, narrow, steps, out); }) ==
        "diffuse::velocity: eps must have the shape 4 x 6 (got \"4 x 5\")");
  CHECK(error_message<std::invalid_argument>([&] { diffuse::eps_from_x0(schedule, x0, narrow, steps, out); }) ==
        "diffuse::eps_from_x0: x0 must have the shape 4 x 6 (got \"4 x 5\")");
  CHECK(error_message<std::invalid_argument>([&] { diffuse::x0_from_velocity(schedule, x0, narrow, steps, out); }) ==
        "diffuse::x0_from_velocity: v must have the shape 4 x 6 (got \"4 x 5\")");
  Matrix<S> small_out(3, 6);
  CHECK(error_message<std::invalid_argument>([&] { diffuse::add_noise(schedule, x0, eps, steps, small_out); }) ==
        "diffuse::add_noise: out must have the shape 4 x 6 (got \"3 x 6\")");
  CHECK(error_message<std::invalid_argument>([&] {
          diffuse::add_noise(schedule, x0, eps, std::vector<int>{1, 2, 3}, out);
        }) == "diffuse::add_noise: timesteps must have one entry per column, 6 (got 3)");
  CHECK(error_message<std::out_of_range>([&] {
          diffuse::add_noise(schedule, x0, eps, std::vector<int>{3, 1000, 0, -1, 1, 2}, out);
        }) == "diffuse::add_noise: timesteps(3) must be in [0, 1000] (got -1)");
  CHECK(error_message<std::out_of_range>([&] {
          diffuse::eps_from_velocity(schedule, x0, eps, std::vector<int>{3, 1000, 0, 1, 1, 1001}, out);
        }) == "diffuse::eps_from_velocity: timesteps(5) must be in [0, 1000] (got 1001)");
  CHECK(error_message<std::out_of_range>([&] {
          diffuse::add_noise(schedule, x0, eps, std::vector<long long>{3, 1000, 0, 1, 1, 4294967297LL}, out);
        }) == "diffuse::add_noise: timesteps(5) must be in [0, 1000] (got 4294967297)");
  CHECK(error_message<std::domain_error>([&] { diffuse::eps_from_x0(schedule, x0, eps, steps, out); }) ==
        "diffuse::eps_from_x0: b must be positive at timesteps(2): x_t = x_0 carries no noise there (got 0)");
  CHECK(out.isConstant(sentinel));
}

// ᾱ_T = 0 exactly: the endpoint that -ffast-math gives up (README), hence [ieee].
TEMPLATE_TEST_CASE("x0_from_eps refuses a zero-terminal-SNR step but the velocity conversions accept it",
                   "[batch][checks][ieee]", float, double) {
  using S = TestType;
  const auto zero_terminal = diffuse::Schedule<S>::linear(1000).zero_terminal_snr();
  const Matrix<S> x0 = normal_matrix<S>(4, 6, 9), eps = normal_matrix<S>(4, 6, 10);
  const std::vector<int> steps{3, 1000, 0, 250, 1, 999};
  Matrix<S> out = Matrix<S>::Constant(4, 6, S(-7));
  CHECK(test_support::error_message<std::domain_error>(
            [&] { diffuse::x0_from_eps(zero_terminal, x0, eps, steps, out); }) ==
        "diffuse::x0_from_eps: a must be positive at timesteps(1): x_0 cannot be recovered from eps where the "
        "signal is gone (zero terminal SNR) (got 1000)");
  CHECK(out.isConstant(S(-7)));
  CHECK_NOTHROW(diffuse::x0_from_velocity(zero_terminal, x0, eps, steps, out));
  CHECK(diffuse::x0_from_velocity(zero_terminal, x0, eps, steps).col(1) == -eps.col(1));
}

TEMPLATE_TEST_CASE("the flow-velocity conversions refuse what they cannot recover and write nothing",
                   "[batch][flow][checks][ieee]", float, double) {
  using S = TestType;
  using test_support::error_message;
  const auto zero_terminal = diffuse::Schedule<S>::linear(1000).zero_terminal_snr();
  const Matrix<S> x0 = normal_matrix<S>(4, 6, 9), eps = normal_matrix<S>(4, 6, 10);
  const std::vector<int> steps{3, 1000, 0, 250, 1, 999};
  Matrix<S> out = Matrix<S>::Constant(4, 6, S(-7));
  CHECK(
      error_message<std::domain_error>([&] { diffuse::flow_velocity_from_eps(zero_terminal, x0, eps, steps, out); }) ==
      "diffuse::flow_velocity_from_eps: a must be positive at timesteps(1): x_0 cannot be recovered from eps where the "
      "signal is gone (zero terminal SNR) (got 1000)");
  CHECK(error_message<std::domain_error>([&] { diffuse::flow_velocity_from_x0(zero_terminal, x0, eps, steps, out); }) ==
        "diffuse::flow_velocity_from_x0: b must be positive at timesteps(2): x_t = x_0 carries no noise there (got 0)");
  const auto ve = diffuse::ContinuousProcess<S>::ve();
  const std::vector<S> times{0, 0.25, 0.5, 0.75, 1, 1};
  const std::string not_vp =
      "needs a variance-preserving process (a² + b² = 1: v = a eps − b x_0) (got \"a process with a² + b² != 1\")";
  CHECK(error_message<std::invalid_argument>([&] { diffuse::flow_velocity_from_velocity(ve, x0, eps, times, out); }) ==
        "diffuse::flow_velocity_from_velocity: " + not_vp);
  CHECK(error_message<std::invalid_argument>([&] { diffuse::velocity_from_flow_velocity(ve, x0, eps, times, out); }) ==
        "diffuse::velocity_from_flow_velocity: " + not_vp);
  CHECK(error_message<std::invalid_argument>([&] { diffuse::flow_velocity(x0, eps.leftCols(5), out); }) ==
        "diffuse::flow_velocity: eps must have the shape 4 x 6 (got \"4 x 5\")");
  CHECK(out.isConstant(S(-7)));
  // Where a = 0 the flow view still exists: x_0 and ε from u, and u from v, at every step.
  const Matrix<S> u = diffuse::flow_velocity(x0, eps);
  CHECK_NOTHROW(diffuse::x0_from_flow_velocity(zero_terminal, eps, u, steps, out));
  CHECK(diffuse::eps_from_flow_velocity(zero_terminal, eps, u, steps).col(1) == eps.col(1));  // x_T = ε: ε = x_T + 0·u
  CHECK_NOTHROW(diffuse::flow_velocity_from_velocity(zero_terminal, x0, eps, steps, out));
}

// The batch functions are written once for every forward process: a ContinuousProcess takes a time per
// sample (float or double, rounded to the process's type), with given or drawn noise alike.
TEMPLATE_TEST_CASE("a continuous process takes a float or double time per sample", "[batch][continuous][checks]", float,
                   double) {
  using S = TestType;
  using test_support::error_message;
  using Process = diffuse::ContinuousProcess<S>;
  using Time = diffuse::ContinuousTime<S>;
  const Process process = Process::vp_linear();
  const Matrix<S> x0 = normal_matrix<S>(33, 5, 3), eps = normal_matrix<S>(33, 5, 4);
  const std::vector<S> times{S(0), S(0.25), S(0.5), S(0.999), S(1)};
  const Matrix<S> x_t = diffuse::add_noise(process, x0, eps, times);
  for (Eigen::Index j = 0; j < 5; ++j) {
    const Time t(times[static_cast<std::size_t>(j)]);
    CHECK(x_t.col(j) == diffuse::marginal(process, t, x0.col(j)).sample_from_noise(eps.col(j)));
  }
  CHECK(x_t.col(0) == x0.col(0));
  // Double times for a float process are rounded to float, as the Eigen vectors of either type are read.
  const Eigen::VectorXd double_times =
      Eigen::Map<const Eigen::Matrix<S, Eigen::Dynamic, 1>>(times.data(), 5).template cast<double>();
  CHECK(diffuse::add_noise(process, x0, eps, double_times) == x_t);
  // Drawn noise works out of the box, with the bits of the given-noise path.
  const Eigen::VectorXi ids = Eigen::VectorXi::LinSpaced(5, 10, 14);
  Matrix<S> drawn(33, 5), drawn_eps(33, 5);
  diffuse::add_noise(process, x0, diffuse::drawn_noise(5u, ids), times, drawn, drawn_eps);
  CHECK(drawn == diffuse::add_noise(process, x0, drawn_eps, times));
  // The velocity of a VP process: v = a eps − b x0 with the process's a, b (the same rounding).
  const Matrix<S> v = diffuse::velocity(process, x0, eps, times);
  for (Eigen::Index j = 0; j < 5; ++j) {
    const Time t(times[static_cast<std::size_t>(j)]);
    const S a = process.signal_scale(t), b = process.noise_scale(t);
    for (Eigen::Index i = 0; i < 33; ++i) {
      volatile S a_eps = a * eps(i, j), b_x0 = -b * x0(i, j);
      CHECK(v(i, j) == b_x0 + a_eps);
    }
  }
  // Bad times, and a process without a² + b² = 1 for the velocity; nothing written.
  const S sentinel = S(-7);
  Matrix<S> out = Matrix<S>::Constant(33, 5, sentinel);
  const S nan = std::numeric_limits<S>::quiet_NaN();
  CHECK(error_message<std::out_of_range>([&] {
          diffuse::add_noise(process, x0, eps, std::vector<S>{0, nan, 1, 1, 1}, out);
        }) == "diffuse::add_noise: times(1) must be in [0, 1] (got nan)");
  CHECK(error_message<std::out_of_range>([&] {
          diffuse::add_noise(process, x0, diffuse::drawn_noise(5u, ids), std::vector<double>{0, 0, 1, 1.5, 1}, out);
        }) == "diffuse::add_noise: times(3) must be in [0, 1] (got 1.5)");
  CHECK(error_message<std::out_of_range>([&] {
          diffuse::add_noise(process, x0, eps, std::vector<S>{0, 0, -0.25, 1, 1}, out);
        }) == "diffuse::add_noise: times(2) must be in [0, 1] (got -0.25)");
  CHECK(error_message<std::invalid_argument>([&] {
          diffuse::add_noise(process, x0, eps, std::vector<S>{0, 1}, out);
        }) == "diffuse::add_noise: times must have one entry per column, 5 (got 2)");
  CHECK(
      error_message<std::invalid_argument>([&] { diffuse::velocity(Process::ve(), x0, eps, times, out); }) ==
      "diffuse::velocity: needs a variance-preserving process (a² + b² = 1: v = a eps − b x_0) (got \"a process with a² + b² != 1\")");
  CHECK(
      error_message<std::domain_error>([&] { diffuse::x0_from_eps(Process::cosine(), x_t, eps, times, out); }) ==
      "diffuse::x0_from_eps: a must be positive at times(4): x_0 cannot be recovered from eps where the signal is gone "
      "(zero terminal SNR) (got 1)");
  CHECK(out.isConstant(sentinel));
}
