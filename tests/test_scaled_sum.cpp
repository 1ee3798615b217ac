// The one rounding of every batch function, fl(fl(a x) + fl(b y)) (detail/scaled_sum.hpp): the bits
// of NumPy's `a * x + b * y` on 2^20 values (digests from tests/reference/gen_scaled_sum_reference.py),
// on every vectorised path, for given and drawn noise alike. CMake builds this file a second time
// with -mfma -mavx2 where the machine runs them (test_scaled_sum_fma): the bits must not change.
#include <diffuse/batch.hpp>
#include <diffuse/noise.hpp>
#include <diffuse/schedule.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "catch.hpp"

namespace {

/// A minimal forward process for the test: column j of a batch uses the pair (a_j, b_j) of a table
/// (coordinate = the column's index into it). It is also the smallest example of a type that
/// joins the process concept (docs/processes.md).
template <class Scalar>
struct PairTable {
  std::vector<Scalar> a, b;
};

}  // namespace

namespace diffuse {
template <class Scalar>
struct ProcessTraits<PairTable<Scalar>> {
  static constexpr bool is_process = true;
  using scalar_type = Scalar;
  using coordinate_type = int;
  static constexpr const char* coordinates_name = "rows";
  template <class Raw>
  static int coordinate(const char* function, const PairTable<Scalar>& p, long long j, Raw raw) {
    if (raw < 0 || raw >= static_cast<Raw>(p.a.size())) {
      detail::fail<std::out_of_range>(function, "rows(" + std::to_string(j) + ") must index the table", raw);
    }
    return static_cast<int>(raw);
  }
  static Scalar signal_scale(const PairTable<Scalar>& p, int c) { return p.a[static_cast<std::size_t>(c)]; }
  static Scalar noise_scale(const PairTable<Scalar>& p, int c) { return p.b[static_cast<std::size_t>(c)]; }
  static Scalar noise_variance(const PairTable<Scalar>& p, int c) { return noise_scale(p, c) * noise_scale(p, c); }
  static Scalar noise_level(const PairTable<Scalar>& p, int c) { return noise_scale(p, c) / signal_scale(p, c); }
  static Scalar log_snr(const PairTable<Scalar>& p, int c) {
    return 2 * std::log(signal_scale(p, c) / noise_scale(p, c));
  }
  static bool variance_preserving(const PairTable<Scalar>&) { return false; }
};
}  // namespace diffuse

namespace {

using diffuse::detail::SimdPath;
template <class S>
using Matrix = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;

std::uint64_t splitmix64(std::uint64_t k) {
  std::uint64_t z = k + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// The constants of gen_scaled_sum_reference.py for each type.
template <class S>
struct Layout;
template <>
struct Layout<float> {
  static constexpr int shift = 40;
  static constexpr std::int64_t half = std::int64_t{1} << 23;
  static constexpr float x_scale = 0x1p20f, y_scale = 0x1p22f, coefficient_scale = 0x1p24f;
  static constexpr std::uint64_t numpy_digest = 0xbce08d7e647a24b5ull;
  using Bits = std::uint32_t;
};
template <>
struct Layout<double> {
  static constexpr int shift = 11;
  static constexpr std::int64_t half = std::int64_t{1} << 52;
  static constexpr double x_scale = 0x1p50, y_scale = 0x1p52, coefficient_scale = 0x1p53;
  static constexpr std::uint64_t numpy_digest = 0x9f2b8c582f082b7eull;
  using Bits = std::uint64_t;
};

constexpr Eigen::Index rows = 1024, cols = 1024;

template <class S>
Matrix<S> hashed(std::uint64_t base, S scale) {
  using L = Layout<S>;
  Matrix<S> m(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j) {
    for (Eigen::Index i = 0; i < rows; ++i) {
      const std::uint64_t h = splitmix64(base + static_cast<std::uint64_t>(1024 * j + i));
      m(i, j) = static_cast<S>(static_cast<std::int64_t>(h >> L::shift) - L::half) / scale;
    }
  }
  return m;
}

template <class S>
PairTable<S> hashed_pairs() {
  using L = Layout<S>;
  PairTable<S> p;
  for (std::uint64_t j = 0; j < static_cast<std::uint64_t>(cols); ++j) {
    p.a.push_back(static_cast<S>(splitmix64(j) >> L::shift) / L::coefficient_scale);
    p.b.push_back(static_cast<S>(splitmix64(j + (std::uint64_t{1} << 20)) >> L::shift) / L::coefficient_scale);
  }
  return p;
}

/// FNV-1a over the little-endian bytes of the result bits, column by column.
template <class S>
std::uint64_t digest(const Matrix<S>& m) {
  std::uint64_t h = 0xCBF29CE484222325ull;
  for (Eigen::Index k = 0; k < m.size(); ++k) {
    typename Layout<S>::Bits bits;
    std::memcpy(&bits, m.data() + k, sizeof bits);
    for (std::size_t byte = 0; byte < sizeof bits; ++byte) {
      h = (h ^ ((bits >> (8 * byte)) & 0xFF)) * 0x100000001B3ull;
    }
  }
  return h;
}

/// fl(fl(a x) + fl(b y)) computed here independently of the library: each product stored through a
/// volatile, which no compiler may fuse into the sum.
template <class S>
S three_roundings(S a, S x, S b, S y) {
  volatile S ax = a * x;
  volatile S by = b * y;
  return ax + by;
}

std::vector<SimdPath> paths() {
  std::vector<SimdPath> p;
  for (SimdPath path : diffuse::detail::all_simd_paths) {
    if (diffuse::detail::cpu_runs(path)) p.push_back(path);
  }
  return p;
}

}  // namespace

TEMPLATE_TEST_CASE("add_noise rounds as NumPy's a * x + b * y: the digest of 2^20 values on every path",
                   "[scaled_sum][batch][ieee]", float, double) {
  using S = TestType;
  using L = Layout<S>;
  const Matrix<S> x = hashed<S>(std::uint64_t{1} << 21, L::x_scale), y = hashed<S>(std::uint64_t{1} << 22, L::y_scale);
  const PairTable<S> pairs = hashed_pairs<S>();
  std::vector<int> columns(static_cast<std::size_t>(cols));
  for (int j = 0; j < cols; ++j) columns[static_cast<std::size_t>(j)] = j;
  Matrix<S> expected(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j) {
    for (Eigen::Index i = 0; i < rows; ++i) {
      expected(i, j) =
          three_roundings(pairs.a[static_cast<std::size_t>(j)], x(i, j), pairs.b[static_cast<std::size_t>(j)], y(i, j));
    }
  }
  CHECK(digest(expected) == L::numpy_digest);
  const SimdPath before = diffuse::detail::simd_path_in_use();
  for (SimdPath path : paths()) {
    INFO("path " << static_cast<int>(path));
    diffuse::detail::set_simd_path(path);
    const Matrix<S> out = diffuse::add_noise(pairs, x, y, columns);
    CHECK(digest(out) == L::numpy_digest);
    CHECK((out.array() == expected.array()).all());
    Matrix<S> in_place = x;  // out may be x itself
    diffuse::add_noise(pairs, in_place, y, columns, in_place);
    CHECK((in_place.array() == expected.array()).all());
  }
  diffuse::detail::set_simd_path(before);
}

TEMPLATE_TEST_CASE("drawn noise and given noise give the same bits on every path", "[scaled_sum][noise][ieee]", float,
                   double) {
  using S = TestType;
  const auto schedule = diffuse::Schedule<S>::cosine(1000);
  const Eigen::Index elements = 1000 + 5, samples = 12;
  const Matrix<S> x0 = hashed<S>(7, Layout<S>::x_scale).topLeftCorner(elements, samples);
  Eigen::VectorXi steps(samples);
  for (Eigen::Index j = 0; j < samples; ++j) steps(j) = static_cast<int>(1 + 83 * j);
  Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1> ids(samples);
  for (Eigen::Index j = 0; j < samples; ++j) ids(j) = 1000 + j;
  const SimdPath before = diffuse::detail::simd_path_in_use();
  for (SimdPath path : paths()) {
    INFO("path " << static_cast<int>(path));
    diffuse::detail::set_simd_path(path);
    Matrix<S> drawn(elements, samples), eps(elements, samples), given(elements, samples);
    diffuse::add_noise(schedule, x0, diffuse::drawn_noise(99u, ids), steps, drawn, eps);
    diffuse::add_noise(schedule, x0, eps, steps, given);
    CHECK((drawn.array() == given.array()).all());
    for (Eigen::Index j = 0; j < samples; ++j) {
      const S a = schedule.sqrt_alpha_bar(steps(j)), b = schedule.sqrt_one_minus_alpha_bar(steps(j));
      for (Eigen::Index i = 0; i < elements; ++i) {
        if (drawn(i, j) != three_roundings(a, x0(i, j), b, eps(i, j))) {
          FAIL_CHECK("element (" << i << ", " << j << ") differs from fl(fl(a x0) + fl(b eps))");
          j = samples;
          break;
        }
      }
    }
  }
  diffuse::detail::set_simd_path(before);
}
