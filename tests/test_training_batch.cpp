// training_batch.hpp: the one-pass training batch equals, bit for bit, sample_coordinates +
// noise.hpp's add_noise with drawn noise + batch.hpp's target functions, for every prediction type,
// process kind, scalar and layout (columns longer than a chunk, a strided target); a split batch
// gives the same columns; the weights are weight(SNR); bad input throws and writes nothing.
#include <diffuse/training_batch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <vector>

#include <Eigen/Core>

#include <diffuse/continuous.hpp>
#include <diffuse/flow.hpp>
#include <diffuse/schedule.hpp>

#include "catch.hpp"
#include "support/messages.hpp"

namespace {

using diffuse::Prediction;
using Ids = Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1>;

template <class M>
bool same_bits(const M& a, const M& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.eval().data(), b.eval().data(),
                     sizeof(typename M::Scalar) * static_cast<std::size_t>(a.size())) == 0;
}

/// training_batch against the separate calls, for one process, sampler and prediction. `rows` above
/// 16384 spans several chunks; a strided target (every other column of a wider matrix) too.
template <class Process, class Sampler, class Weight>
void check_against_separate_calls(const Process& process, const Sampler& sampler, Prediction prediction,
                                  const Weight& weight, Eigen::Index rows) {
  using Scalar = typename diffuse::ProcessTraits<Process>::scalar_type;
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
  const Eigen::Index cols = 5;
  const std::uint64_t seed = 0x5EED;
  const Matrix x0 = Matrix::Random(rows, cols);
  const Ids ids = (Ids(cols) << 4, 900, 17, 0, 123456789012LL).finished();
  Matrix x_t(rows, cols), wide(rows, 2 * cols);
  Vector w(cols);
  const auto c =
      diffuse::training_batch(process, sampler, prediction, x0, seed, ids, x_t, wide.leftCols(cols), w, weight);
  // Column-major whatever Eigen's default (EIGEN_DEFAULT_TO_ROW_MAJOR): the outer stride is a column's.
  using ColumnMajor = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;
  ColumnMajor strided_target(rows, 2 * cols);
  Matrix strided_xt(rows, cols);
  Vector strided_w(cols);
  Eigen::Map<ColumnMajor, 0, Eigen::OuterStride<>> every_other(strided_target.data(), rows, cols,
                                                               Eigen::OuterStride<>(2 * rows));
  diffuse::training_batch(process, sampler, prediction, x0, seed, ids, strided_xt, every_other, strided_w, weight);

  const auto expected_c = diffuse::sample_coordinates(sampler, seed, ids);
  REQUIRE(c == expected_c);
  Matrix xt_ref(rows, cols), eps(rows, cols), target_ref(rows, cols);
  diffuse::add_noise(process, x0, diffuse::drawn_noise(seed, ids), expected_c, xt_ref, eps);
  switch (prediction) {
    case Prediction::epsilon: target_ref = eps; break;
    case Prediction::x0: target_ref = x0; break;
    case Prediction::v: diffuse::velocity(process, x0, eps, expected_c, target_ref); break;
    default: diffuse::flow_velocity(x0, eps, target_ref);
  }
  CHECK(same_bits(x_t, xt_ref));
  CHECK(same_bits(Matrix(wide.leftCols(cols)), target_ref));
  CHECK(same_bits(strided_xt, xt_ref));
  CHECK(same_bits(Matrix(every_other), target_ref));
  using Traits = diffuse::ProcessTraits<Process>;
  for (Eigen::Index j = 0; j < cols; ++j) {
    const auto cj = Traits::coordinate("test", process, j, expected_c[static_cast<std::size_t>(j)]);
    const Scalar snr = static_cast<Scalar>(exp(diffuse::detail::Wide(Traits::log_snr(process, cj))));
    CHECK(w(j) == weight(snr));
    CHECK(strided_w(j) == w(j));
  }

  // A split batch: the first two columns, then the last three, give the same columns.
  Matrix xt_a(rows, 2), target_a(rows, 2), xt_b(rows, 3), target_b(rows, 3);
  Vector w_a(2), w_b(3);
  diffuse::training_batch(process, sampler, prediction, Matrix(x0.leftCols(2)), seed, Ids(ids.head(2)), xt_a, target_a,
                          w_a, weight);
  diffuse::training_batch(process, sampler, prediction, Matrix(x0.rightCols(3)), seed, Ids(ids.tail(3)), xt_b, target_b,
                          w_b, weight);
  CHECK(same_bits(xt_a, Matrix(x_t.leftCols(2))));
  CHECK(same_bits(xt_b, Matrix(x_t.rightCols(3))));
  CHECK(same_bits(target_a, Matrix(wide.leftCols(2))));
  CHECK(same_bits(target_b, Matrix(wide.middleCols(2, 3))));
  CHECK(w_a == w.head(2));
  CHECK(w_b == w.tail(3));
}

/// Every prediction type on four processes (float and double, steps and times, VP and flow).
void check_every_prediction() {
  const auto schedule_f = diffuse::Schedule<float>::linear(1000);
  const auto schedule_d = diffuse::Schedule<double>::cosine(1000);
  const auto continuous = diffuse::ContinuousProcess<double>::cosine();
  const diffuse::RectifiedFlow<float> flow{};
  const Eigen::Index long_columns = 20000, short_columns = 37;
  for (Prediction p : {Prediction::epsilon, Prediction::x0, Prediction::v, Prediction::flow_velocity}) {
    const auto min_snr = [p](auto snr) { return diffuse::min_snr_weight(snr, p, 5); };
    check_against_separate_calls(schedule_f, diffuse::uniform_step_sampler(1000), p, min_snr, long_columns);
    check_against_separate_calls(schedule_d, diffuse::uniform_step_sampler(1000), p, diffuse::UnitWeight{},
                                 short_columns);
    check_against_separate_calls(continuous, diffuse::logit_normal_time_sampler(), p, min_snr, short_columns);
    if (p != Prediction::v) {
      const auto sigma_sqrt = [p](float snr) {
        // t = 1/(1 + √SNR) for rectified flow.
        return diffuse::sigma_sqrt_weight(diffuse::ContinuousTime<float>(1 / (1 + std::sqrt(snr))), p);
      };
      check_against_separate_calls(flow, diffuse::logit_normal_time_sampler(), p, sigma_sqrt, long_columns);
    }
  }
}

}  // namespace

// On every code path this CPU runs (the fused target of the vectorised kernels and the portable one).
TEST_CASE("a training batch is sample_coordinates + add_noise + the target, bit for bit, and splits",
          "[training_batch]") {
  using diffuse::detail::SimdPath;
  const SimdPath before = diffuse::detail::simd_path_in_use();
  for (SimdPath path : {SimdPath::portable, SimdPath::avx2, SimdPath::avx512}) {
    if (!diffuse::detail::cpu_runs(path)) continue;
    diffuse::detail::set_simd_path(path);
    check_every_prediction();
  }
  diffuse::detail::set_simd_path(before);
}

TEST_CASE("the default weight is 1", "[training_batch]") {
  const auto schedule = diffuse::Schedule<float>::linear(1000);
  const Eigen::MatrixXf x0 = Eigen::MatrixXf::Random(8, 3);
  Eigen::MatrixXf x_t(8, 3), target(8, 3);
  Eigen::VectorXf w = Eigen::VectorXf::Zero(3);
  diffuse::training_batch(schedule, diffuse::uniform_step_sampler(1000), Prediction::epsilon, x0, 1,
                          Ids::LinSpaced(3, 0, 2), x_t, target, w);
  CHECK(w == Eigen::VectorXf::Ones(3));
}

TEST_CASE("bad input to training_batch throws and writes nothing", "[training_batch][errors]") {
  using test_support::error_message;
  const auto schedule = diffuse::Schedule<float>::linear(1000);
  const diffuse::RectifiedFlow<float> flow{};
  Eigen::MatrixXf x0 = Eigen::MatrixXf::Random(8, 3);
  Eigen::MatrixXf x_t = Eigen::MatrixXf::Constant(8, 3, 7), target = Eigen::MatrixXf::Constant(8, 3, 7);
  Eigen::VectorXf w = Eigen::VectorXf::Constant(3, 7);
  const Ids ids = Ids::LinSpaced(3, 0, 2);
  const auto steps = diffuse::uniform_step_sampler(1000);
  CHECK(
      error_message<std::invalid_argument>([&] {
        diffuse::training_batch(flow, diffuse::uniform_time_sampler(), Prediction::v, x0, 1, ids, x_t, target, w);
      }) ==
      "diffuse::training_batch: needs a variance-preserving process (a² + b² = 1: v = a eps − b x_0) (got \"a process with a² + b² != 1\")");
  CHECK(error_message<std::invalid_argument>([&] {
          Eigen::VectorXf two(2);
          diffuse::training_batch(schedule, steps, Prediction::epsilon, x0, 1, ids, x_t, target, two);
        }) == "diffuse::training_batch: weights must have one entry per column, 3 (got 2)");
  CHECK(error_message<std::invalid_argument>([&] {
          diffuse::training_batch(schedule, steps, Prediction::epsilon, x0, 1, Ids::LinSpaced(2, 0, 1), x_t, target, w);
        }) == "diffuse::training_batch: ids must have one entry per column, 3 (got 2)");
  CHECK(error_message<std::out_of_range>([&] {
          diffuse::training_batch(schedule, steps, Prediction::epsilon, x0, 1, Ids::Constant(3, -1), x_t, target, w);
        }) == "diffuse::training_batch: ids must be non-negative (got -1)");
  CHECK(error_message<std::invalid_argument>([&] {
          diffuse::training_batch(schedule, steps, Prediction::x0, x0, 1, ids, x0, target, w);
        }) == "diffuse::training_batch: x_t and target must be different memory from x0 (got \"the same pointer\")");
  CHECK(error_message<std::invalid_argument>([&] {
          diffuse::training_batch(schedule, steps, Prediction::x0, x0, 1, ids, x_t, x0, w);
        }) == "diffuse::training_batch: x_t and target must be different memory from x0 (got \"the same pointer\")");
  CHECK(error_message<std::invalid_argument>([&] {
          diffuse::training_batch(schedule, steps, Prediction::x0, x0, 1, ids, x_t, x_t, w);
        }) == "diffuse::training_batch: eps and x_t must be different memory (got \"the same pointer\")");
  CHECK(error_message<std::invalid_argument>([&] {
          Eigen::MatrixXf small(4, 3);
          diffuse::training_batch(schedule, steps, Prediction::epsilon, x0, 1, ids, x_t, small, w);
        }) == "diffuse::training_batch: eps must have the shape 8 x 3 (got \"4 x 3\")");
  CHECK_THROWS_AS(diffuse::training_batch(diffuse::Schedule<float>::linear(10), steps, Prediction::epsilon, x0, 1, ids,
                                          x_t, target, w),
                  std::out_of_range);
  CHECK_THROWS_AS(
      diffuse::training_batch(schedule, diffuse::uniform_step_sampler(1000), Prediction::epsilon, x0, 1, ids, x_t,
                              target, w, [](float) -> float { throw std::domain_error("no weight here"); }),
      std::domain_error);
  CHECK((x_t.array() == 7).all());
  CHECK((target.array() == 7).all());
  CHECK((w.array() == 7).all());
}
