// 16-bit storage (Eigen::half, Eigen::bfloat16): every entry point gives, bit for bit, the float
// result on the widened input rounded once to the storage type, on every code path, on long columns
// (several chunks of 16384), in place; and checks its arguments as the float path does.
#include <diffuse/batch.hpp>
#include <diffuse/continuous.hpp>
#include <diffuse/flow.hpp>
#include <diffuse/noise.hpp>
#include <diffuse/schedule.hpp>
#include <diffuse/training_batch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <vector>

#include <Eigen/Core>

#include "catch.hpp"

namespace {

using diffuse::detail::SimdPath;
using FloatBatch = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;
template <class Storage>
using Batch = Eigen::Matrix<Storage, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;
using Ids = Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1>;

/// Runs f() on every code path this CPU runs, then goes back to the path that was in use.
template <class F>
void on_every_path(F f) {
  const SimdPath before = diffuse::detail::simd_path_in_use();
  for (SimdPath path : diffuse::detail::all_simd_paths) {
    if (!diffuse::detail::cpu_runs(path)) continue;
    INFO("path " << static_cast<int>(path));
    diffuse::detail::set_simd_path(path);
    f();
  }
  diffuse::detail::set_simd_path(before);
}

/// The bits of a 16-bit value.
template <class Storage>
std::uint16_t bits(Storage x) {
  std::uint16_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

/// Whether two 16-bit batches hold the same bits everywhere.
template <class A, class B>
bool same_bits(const Eigen::MatrixBase<A>& a, const Eigen::MatrixBase<B>& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
  for (Eigen::Index j = 0; j < a.cols(); ++j) {
    for (Eigen::Index i = 0; i < a.rows(); ++i) {
      if (bits(a(i, j)) != bits(b(i, j))) return false;
    }
  }
  return true;
}

/// A batch of 16-bit values spread over several binades (drawn noise of seed `seed`, times 3).
template <class Storage>
Batch<Storage> some_batch(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed) {
  FloatBatch values(rows, cols);
  diffuse::fill_noise(seed, Ids::LinSpaced(cols, 0, cols - 1), values);
  return (3.0f * values).template cast<Storage>();
}

}  // namespace

TEMPLATE_TEST_CASE("16-bit storage: Eigen's float conversion rounds to nearest, ties to even", "[half]", Eigen::half,
                   Eigen::bfloat16) {
  using Storage = TestType;
  const int mantissa = std::is_same<Storage, Eigen::half>::value ? 10 : 7;
  const float ulp = std::ldexp(1.0f, -mantissa);                  // the spacing of the storage type in [1, 2)
  CHECK(static_cast<float>(Storage(1.0f + 0.5f * ulp)) == 1.0f);  // a tie, down to even
  CHECK(static_cast<float>(Storage(1.0f + 1.5f * ulp)) == 1.0f + 2.0f * ulp);    // a tie, up to even
  CHECK(static_cast<float>(Storage(1.0f + 0.5f * ulp + 1e-6f)) == 1.0f + ulp);   // above the tie: up
  CHECK(static_cast<float>(Storage(-1.0f - 1.5f * ulp)) == -1.0f - 2.0f * ulp);  // symmetric
}

TEMPLATE_TEST_CASE("16-bit storage: given noise, every batch function is the float result rounded once", "[half]",
                   Eigen::half, Eigen::bfloat16) {
  using Storage = TestType;
  const auto schedule = diffuse::Schedule<float>::linear(1000);
  const Eigen::Index rows = 40000, cols = 3;  // several chunks of 16384 per column
  const Batch<Storage> x0 = some_batch<Storage>(rows, cols, 1), eps = some_batch<Storage>(rows, cols, 2);
  const FloatBatch x0f = x0.template cast<float>(), epsf = eps.template cast<float>();
  const Eigen::VectorXi t = (Eigen::VectorXi(cols) << 1, 500, 999).finished();
  on_every_path([&] {
    Batch<Storage> out(rows, cols);
    FloatBatch expected(rows, cols);
    diffuse::add_noise(schedule, x0, eps, t, out);
    diffuse::add_noise(schedule, x0f, epsf, t, expected);
    CHECK(same_bits(out, expected.cast<Storage>()));
    diffuse::velocity(schedule, x0, eps, t, out);
    diffuse::velocity(schedule, x0f, epsf, t, expected);
    CHECK(same_bits(out, expected.cast<Storage>()));
    diffuse::x0_from_eps(schedule, x0, eps, t, out);
    diffuse::x0_from_eps(schedule, x0f, epsf, t, expected);
    CHECK(same_bits(out, expected.cast<Storage>()));
    diffuse::flow_velocity(x0, eps, out);
    diffuse::flow_velocity(x0f, epsf, expected);
    CHECK(same_bits(out, expected.cast<Storage>()));
    CHECK(same_bits(diffuse::add_noise(schedule, x0, eps, t),
                    diffuse::add_noise(schedule, x0f, epsf, t).cast<Storage>()));
  });
}

TEMPLATE_TEST_CASE("16-bit storage: drawn noise is the float result rounded once, and eps the float noise rounded once",
                   "[half][ieee]", Eigen::half, Eigen::bfloat16) {
  using Storage = TestType;
  const auto schedule = diffuse::Schedule<float>::cosine(1000);
  const Eigen::Index rows = 40000, cols = 3;
  const Batch<Storage> x0 = some_batch<Storage>(rows, cols, 3);
  const FloatBatch x0f = x0.template cast<float>();
  const Ids ids = (Ids(cols) << 7, 0, 123456789).finished();
  const Eigen::VectorXi t = (Eigen::VectorXi(cols) << 1, 300, 1000).finished();
  FloatBatch expected_xt(rows, cols), expected_eps(rows, cols);
  diffuse::add_noise(schedule, x0f, diffuse::drawn_noise(11u, ids), t, expected_xt, expected_eps);
  on_every_path([&] {
    Batch<Storage> xt(rows, cols), eps(rows, cols);
    diffuse::add_noise(schedule, x0, diffuse::drawn_noise(11u, ids), t, xt, eps);
    CHECK(same_bits(xt, expected_xt.cast<Storage>()));
    CHECK(same_bits(eps, expected_eps.cast<Storage>()));
    diffuse::add_noise(schedule, x0, diffuse::drawn_noise(11u, ids), t, xt);
    CHECK(same_bits(xt, expected_xt.cast<Storage>()));
    Batch<Storage> noise(rows, cols);
    diffuse::fill_noise(11u, ids, noise);
    CHECK(same_bits(noise, expected_eps.cast<Storage>()));
  });
}

/// training_batch on a 16-bit batch against the float training_batch on the widened batch, rounded once.
template <class Storage, class Process, class Sampler>
void check_training_batch(const Process& process, const Sampler& sampler, diffuse::Prediction prediction) {
  const Eigen::Index rows = 20000, cols = 3;  // a column longer than a chunk of 16384
  const Batch<Storage> x0 = some_batch<Storage>(rows, cols, 12);
  const Ids ids = (Ids(cols) << 3, 0, 98765).finished();
  const auto min_snr = [prediction](float snr) { return diffuse::min_snr_weight(snr, prediction, 5.0f); };
  FloatBatch xt_f(rows, cols), target_f(rows, cols);
  Eigen::VectorXf w_f(cols);
  const auto c_f = diffuse::training_batch(process, sampler, prediction, FloatBatch(x0.template cast<float>()), 21u,
                                           ids, xt_f, target_f, w_f, min_snr);
  on_every_path([&] {
    Batch<Storage> xt(rows, cols), target(rows, cols);
    Eigen::VectorXf w(cols);
    const auto c = diffuse::training_batch(process, sampler, prediction, x0, 21u, ids, xt, target, w, min_snr);
    CHECK(c == c_f);
    CHECK(same_bits(xt, xt_f.cast<Storage>()));
    CHECK(same_bits(target, target_f.cast<Storage>()));
    CHECK(w == w_f);
  });
}

TEMPLATE_TEST_CASE("16-bit storage: training_batch is the float training batch rounded once, every target",
                   "[half][training_batch][ieee]", Eigen::half, Eigen::bfloat16) {
  using diffuse::Prediction;
  const auto schedule = diffuse::Schedule<float>::linear(1000);
  const diffuse::RectifiedFlow<float> flow{};
  for (Prediction p : {Prediction::epsilon, Prediction::x0, Prediction::v, Prediction::flow_velocity}) {
    INFO("prediction " << static_cast<int>(p));
    check_training_batch<TestType>(schedule, diffuse::uniform_step_sampler(1000), p);
    if (p != Prediction::v) check_training_batch<TestType>(flow, diffuse::logit_normal_time_sampler(), p);
  }
}

TEMPLATE_TEST_CASE("16-bit storage: x_t may be x0 itself, as in float", "[half]", Eigen::half, Eigen::bfloat16) {
  using Storage = TestType;
  const auto schedule = diffuse::Schedule<float>::linear(1000);
  const Eigen::Index rows = 20000, cols = 2;
  const Batch<Storage> x0 = some_batch<Storage>(rows, cols, 4), eps = some_batch<Storage>(rows, cols, 5);
  const Ids ids = (Ids(cols) << 1, 2).finished();
  const Eigen::VectorXi t = (Eigen::VectorXi(cols) << 10, 900).finished();
  Batch<Storage> expected(rows, cols), in_place = x0;
  diffuse::add_noise(schedule, x0, eps, t, expected);
  diffuse::add_noise(schedule, in_place, eps, t, in_place);
  CHECK(same_bits(in_place, expected));
  in_place = x0;
  diffuse::add_noise(schedule, x0, diffuse::drawn_noise(5u, ids), t, expected);
  diffuse::add_noise(schedule, in_place, diffuse::drawn_noise(5u, ids), t, in_place);
  CHECK(same_bits(in_place, expected));
}

TEMPLATE_TEST_CASE("16-bit storage: bad shapes and eps aliasing x_t throw as in float, and nothing is written",
                   "[half]", Eigen::half, Eigen::bfloat16) {
  using Storage = TestType;
  const auto schedule = diffuse::Schedule<float>::linear(1000);
  const Batch<Storage> x0 = some_batch<Storage>(8, 2, 6), eps = some_batch<Storage>(8, 2, 7);
  const Ids ids = (Ids(2) << 1, 2).finished();
  const Eigen::VectorXi t = (Eigen::VectorXi(2) << 10, 900).finished();
  Batch<Storage> out = Batch<Storage>::Constant(8, 2, Storage(42.0f)),
                 wrong = Batch<Storage>::Constant(8, 3, Storage(42.0f));
  const Batch<Storage> untouched = out;
  CHECK_THROWS_WITH(diffuse::add_noise(schedule, x0, eps, t, wrong),
                    "diffuse::add_noise: out must have the shape 8 x 2 (got \"8 x 3\")");
  CHECK_THROWS_AS(diffuse::add_noise(schedule, x0, eps.topRows(7), t, out), std::invalid_argument);
  CHECK_THROWS_AS(diffuse::add_noise(schedule, x0, eps, Eigen::VectorXi::Constant(2, 1001), out), std::out_of_range);
  CHECK_THROWS_AS(diffuse::add_noise(schedule, x0, diffuse::drawn_noise(1u, ids), t, wrong), std::invalid_argument);
  CHECK_THROWS_WITH(diffuse::add_noise(schedule, x0, diffuse::drawn_noise(1u, ids), t, out, out),
                    "diffuse::add_noise: eps and x_t must be different memory (got \"the same pointer\")");
  CHECK_THROWS_AS(diffuse::add_noise(schedule, x0, diffuse::drawn_noise(1u, Ids(Ids::Constant(2, -1))), t, out),
                  std::out_of_range);
  CHECK_THROWS_AS(diffuse::fill_noise(1u, Ids(Ids::Constant(3, 1)), out), std::invalid_argument);
  CHECK_THROWS_AS(diffuse::flow_velocity(x0, eps, wrong), std::invalid_argument);
  CHECK(same_bits(out, untouched));
}

TEMPLATE_TEST_CASE("16-bit storage: strided and row-major layouts and a continuous process give the same bits",
                   "[half][ieee]", Eigen::half, Eigen::bfloat16) {
  using Storage = TestType;
  using RowMajor = Eigen::Matrix<Storage, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const auto process = diffuse::ContinuousProcess<float>::cosine();
  const Eigen::Index rows = 3000, cols = 3;
  const Batch<Storage> x0 = some_batch<Storage>(rows, cols, 8), eps = some_batch<Storage>(rows, cols, 9);
  const Ids ids = (Ids(cols) << 4, 5, 6).finished();
  const std::vector<float> times = {0.1f, 0.5f, 0.9f};
  FloatBatch expected(rows, cols), expected_eps(rows, cols);
  diffuse::add_noise(process, FloatBatch(x0.template cast<float>()), diffuse::drawn_noise(3u, ids), times, expected,
                     expected_eps);
  on_every_path([&] {
    const RowMajor x0_rows = x0;  // a row-major D × B batch: element stride B
    RowMajor xt_rows(rows, cols);
    Batch<Storage> wide = Batch<Storage>::Zero(rows, 2 * cols);  // every other column: a strided output
    Eigen::Map<Batch<Storage>, 0, Eigen::OuterStride<>> every_other(wide.data(), rows, cols,
                                                                    Eigen::OuterStride<>(2 * rows));
    diffuse::add_noise(process, x0_rows, diffuse::drawn_noise(3u, ids), times, xt_rows, every_other);
    CHECK(same_bits(xt_rows, expected.cast<Storage>()));
    CHECK(same_bits(every_other, expected_eps.cast<Storage>()));
    diffuse::add_noise(process, x0_rows, eps, times, every_other);
    FloatBatch given(rows, cols);
    diffuse::add_noise(process, FloatBatch(x0.template cast<float>()), FloatBatch(eps.template cast<float>()), times,
                       given);
    CHECK(same_bits(every_other, given.cast<Storage>()));
  });
}

TEST_CASE("16-bit storage: the bfloat16 conversions give the bits of Eigen's, NaN, infinity and ties included",
          "[half][ieee]") {
  std::vector<float> values;
  for (std::uint32_t bits :
       {0x00000000u, 0x80000000u, 0x7f800000u, 0xff800000u, 0x7fc00000u, 0xffc00001u, 0x7f800001u, 0x7f7fffffu,
        0x7f7f7fffu, 0x7f7f8000u, 0x3f808000u, 0x3f818000u, 0x00008000u, 0x00018000u, 0x807fffffu, 0x3f807fffu}) {
    float f;
    std::memcpy(&f, &bits, sizeof f);
    values.push_back(f);
  }
  std::uint32_t state = 12345u;
  for (int k = 0; k < 100000; ++k) {  // every kind of bit pattern (a xorshift generator)
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    float f;
    std::memcpy(&f, &state, sizeof f);
    values.push_back(f);
  }
  std::vector<Eigen::bfloat16> narrowed(values.size());
  diffuse::detail::narrow(values.data(), values.size(), narrowed.data(), 1);
  std::vector<float> widened(values.size());
  diffuse::detail::widen(narrowed.data(), 1, narrowed.size(), widened.data());
  bool same = true;
  for (std::size_t k = 0; k < values.size(); ++k) {
    const Eigen::bfloat16 eigen(values[k]);
    same = same && bits(narrowed[k]) == bits(eigen);
    const float eigen_wide = static_cast<float>(eigen);
    same = same && std::memcmp(&widened[k], &eigen_wide, sizeof(float)) == 0;
  }
  CHECK(same);
}

namespace {

/// The float with these bits, and the bits of a float.
float float_of(std::uint32_t b) {
  float f;
  std::memcpy(&f, &b, sizeof f);
  return f;
}
std::uint32_t bits_of(float f) {
  std::uint32_t b;
  std::memcpy(&b, &f, sizeof b);
  return b;
}

/// The value of a 16-bit pattern.
template <class Storage>
float value_of(std::uint32_t pattern) {
  return static_cast<float>(Eigen::numext::bit_cast<Storage>(static_cast<std::uint16_t>(pattern)));
}

/// Floats at and next to every rounding boundary of Storage: for each of the 65536 patterns, its
/// value and the midpoint to the next pattern (the largest finite value's midpoint to infinity
/// included), each with the 4 floats on either side; ±0, infinities, float subnormals of every
/// binade, NaNs of every sign, quiet bit and payload shape; and 200000 arbitrary bit patterns.
template <class Storage>
std::vector<float> narrowing_inputs() {
  std::vector<std::uint32_t> centres;
  for (std::uint32_t p = 0; p < 0x10000u; ++p) {
    const float v = value_of<Storage>(p);
    if (!std::isfinite(v)) continue;
    centres.push_back(bits_of(v));
    const float next = value_of<Storage>(p + 1 == 0x8000u ? p : p + 1);  // 0x7fff + 1 would cross the sign
    const double mid = std::isfinite(next) ? 0.5 * (double(v) + double(next))
                                           : double(v) + 0.5 * (double(v) - double(value_of<Storage>(p - 1)));
    if (p != 0x7fffu) centres.push_back(bits_of(static_cast<float>(mid)));  // exact: 12 bits at most
  }
  std::vector<float> values;
  for (std::uint32_t c : centres) {
    for (std::uint32_t d = 0; d <= 4; ++d) {
      values.push_back(float_of(c + d));
      values.push_back(float_of(c - d));
    }
  }
  for (std::uint32_t e = 0; e < 24; ++e) {  // float subnormals, one and all-ones mantissas per binade
    values.push_back(float_of(1u << e));
    values.push_back(float_of(0x80000000u | ((2u << e) - 1u)));
  }
  for (std::uint32_t sign : {0u, 0x80000000u}) {
    values.push_back(float_of(sign | 0x7f800000u));  // ±infinity
    for (std::uint32_t payload : {1u, 2u, 0x1000u, 0x2000u, 0x8000u, 0xffffu, 0x10000u, 0x3fffffu, 0x400000u, 0x400001u,
                                  0x7fe000u, 0x7fffffu}) {
      values.push_back(float_of(sign | 0x7f800000u | payload));  // signalling and quiet NaNs
    }
  }
  std::uint32_t state = 2463534242u;
  for (int k = 0; k < 200000; ++k) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    values.push_back(float_of(state));
  }
  return values;
}

}  // namespace

TEMPLATE_TEST_CASE("16-bit storage: the vectorised widening gives the scalar bits for all 65536 patterns",
                   "[half][ieee]", Eigen::half, Eigen::bfloat16) {
  using Storage = TestType;
  std::vector<Storage> patterns(0x10000u + 1);  // one more: the first element at an odd offset
  for (std::uint32_t p = 0; p < 0x10000u; ++p) {
    patterns[p + 1] = Eigen::numext::bit_cast<Storage>(static_cast<std::uint16_t>(p));
  }
  std::vector<float> expected(0x10000u);
  for (std::uint32_t p = 0; p < 0x10000u; ++p) expected[p] = static_cast<float>(patterns[p + 1]);  // Eigen's
  on_every_path([&] {
    for (std::size_t offset : {std::size_t(0), std::size_t(1)}) {  // a tail of 1 and of 15 (16-lane registers)
      std::vector<float> widened(0x10000u - offset);
      diffuse::detail::widen(patterns.data() + 1 + offset, 1, widened.size(), widened.data());
      CHECK(std::memcmp(widened.data(), expected.data() + offset, widened.size() * sizeof(float)) == 0);
    }
  });
}

TEMPLATE_TEST_CASE("16-bit storage: the vectorised narrowing gives the scalar bits next to every rounding boundary",
                   "[half][ieee]", Eigen::half, Eigen::bfloat16) {
  using Storage = TestType;
  const std::vector<float> values = narrowing_inputs<Storage>();
  std::vector<std::uint16_t> expected(values.size());
  for (std::size_t k = 0; k < values.size(); ++k) expected[k] = bits(Storage(values[k]));  // Eigen's
  on_every_path([&] {
    for (std::size_t offset : {std::size_t(0), std::size_t(3)}) {
      std::vector<Storage> narrowed(values.size() - offset);
      diffuse::detail::narrow(values.data() + offset, narrowed.size(), narrowed.data(), 1);
      std::size_t differ = 0;
      for (std::size_t k = 0; k < narrowed.size(); ++k) differ += bits(narrowed[k]) != expected[k + offset];
      CHECK(differ == 0);
    }
  });
}
