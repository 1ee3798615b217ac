// Noise keyed by (seed, sample id, element): the counter layout, bit-identity across code paths,
// pieces, orders, batch sizes, threads and processes; quality; fused noising; bad input.
#include <diffuse/continuous.hpp>
#include <diffuse/noise.hpp>
#include <diffuse/noise_element.hpp>
#include <diffuse/schedule.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <Eigen/Core>

#if defined(_OPENMP)
#include <omp.h>
#endif
#if defined(__unix__) || defined(__APPLE__)
#include <sys/wait.h>
#include <unistd.h>
#define DIFFUSE_TEST_FORK 1
#endif

// Random123 (Debian librandom123-dev), where installed, is used by this test only, as an
// independent Philox; elsewhere diffuse::philox (checked against the published vectors) stands in.
#if __has_include(<Random123/philox.h>)
#include <Random123/philox.h>
#define DIFFUSE_TEST_RANDOM123 1
#endif

#include "catch.hpp"
#include "support/messages.hpp"
#include "support/statistics.hpp"

namespace {

using diffuse::detail::SimdPath;

template <class Scalar>
using Batch =
    Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;  // even under EIGEN_DEFAULT_TO_ROW_MAJOR
using Ids = Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1>;
using Steps = Eigen::VectorXi;

/// The code paths this CPU runs (the portable one always).
std::vector<SimdPath> paths() {
  std::vector<SimdPath> p;
  for (SimdPath path : diffuse::detail::all_simd_paths) {
    if (diffuse::detail::cpu_runs(path)) p.push_back(path);
  }
  return p;
}

/// Runs f() on one path, then goes back to the path that was in use.
template <class F>
void on_path(SimdPath path, F f) {
  const SimdPath before = diffuse::detail::simd_path_in_use();
  diffuse::detail::set_simd_path(path);
  f();
  diffuse::detail::set_simd_path(before);
}

/// Runs f(path) on every path in turn.
template <class F>
void on_every_path(F f) {
  for (SimdPath path : paths()) on_path(path, [&] { f(path); });
}

/// The noise contract of noise.hpp evaluated independently: Random123's Philox4x32-10 with key
/// (seed low, seed high) and counter (block low, block high, id low, id high), then the transform.
template <class Scalar>
Scalar contract_value(std::uint64_t seed, std::uint64_t id, std::uint64_t element) {
  constexpr std::uint64_t per_block = std::is_same<Scalar, float>::value ? 4 : 2;
  const std::uint64_t block = element / per_block;
  const std::uint32_t counter[4] = {static_cast<std::uint32_t>(block), static_cast<std::uint32_t>(block >> 32),
                                    static_cast<std::uint32_t>(id), static_cast<std::uint32_t>(id >> 32)};
  const std::uint32_t key[2] = {static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)};
#if defined(DIFFUSE_TEST_RANDOM123)
  const r123::Philox4x32::ctr_type w =
      r123::Philox4x32()({{counter[0], counter[1], counter[2], counter[3]}}, {{key[0], key[1]}});
#else
  const diffuse::Philox4x32::Counter w =
      diffuse::philox({counter[0], counter[1], counter[2], counter[3]}, {key[0], key[1]});
#endif
  const std::uint32_t words[4] = {w[0], w[1], w[2], w[3]};
  Scalar z[4];
  diffuse::detail::normal_pair(words, z[0], z[1]);
  if (per_block == 4) diffuse::detail::normal_pair(words + 2, z[2], z[3]);
  return z[element % per_block];
}

/// Pearson's correlation of x and y.
template <class Scalar>
double correlation(const std::vector<Scalar>& x, const std::vector<Scalar>& y) {
  const double n = static_cast<double>(x.size());
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxy / std::sqrt(sxx * syy);
}

Ids iota_ids(Eigen::Index n, std::int64_t first = 0) {
  Ids ids(n);
  for (Eigen::Index j = 0; j < n; ++j) ids(j) = first + j;
  return ids;
}

}  // namespace

TEMPLATE_TEST_CASE("noise_value follows the documented key and counter layout", "[noise]", float, double) {
  const std::uint64_t seeds[] = {0u, 1u, 0x0123456789abcdefull, ~std::uint64_t{0}};
  const std::uint64_t ids[] = {0u, 7u, 0xffffffffull, 0x100000000ull, ~std::uint64_t{0}};
  const std::uint64_t elements[] = {
      0u, 1u, 2u, 3u, 4u, 5u, 1000003u, 0x3ffffffffull, 0x400000005ull, ~std::uint64_t{0}};
  for (std::uint64_t seed : seeds) {
    for (std::uint64_t id : ids) {
      for (std::uint64_t element : elements) {
        CHECK(diffuse::noise_value<TestType>(seed, id, element) == contract_value<TestType>(seed, id, element));
      }
    }
  }
}

TEMPLATE_TEST_CASE("fill_noise gives every element its noise_value on every code path", "[noise][ieee]", float,
                   double) {
  // Offsets that start inside a block, and one whose blocks cross 2^32 (the carry into counter word 1).
  const std::uint64_t firsts[] = {0u, 3u, 4u * 0xffffffffull - 41};
  const Ids ids = (Ids(5) << 0, 1, 99, 0x100000001ll, 3).finished();
  for (std::uint64_t first : firsts) {
    on_every_path([&](SimdPath path) {
      Batch<TestType> eps(203, 5);
      diffuse::fill_noise(12345u, ids, eps, first);
      int wrong = 0;
      for (Eigen::Index j = 0; j < 5; ++j) {
        for (Eigen::Index i = 0; i < 203; ++i) {
          wrong += eps(i, j) != diffuse::noise_value<TestType>(12345u, static_cast<std::uint64_t>(ids(j)),
                                                               first + static_cast<std::uint64_t>(i));
        }
      }
      INFO("path " << static_cast<int>(path) << ", first element " << first);
      CHECK(wrong == 0);
    });
  }
}

TEMPLATE_TEST_CASE("every code path gives the same bits on a large batch", "[noise][ieee]", float, double) {
  const Ids ids = iota_ids(3, 40);
  Batch<TestType> reference(100003, 3);
  on_path(SimdPath::portable, [&] { diffuse::fill_noise(777u, ids, reference, 1); });
  on_every_path([&](SimdPath path) {
    Batch<TestType> eps(100003, 3);
    diffuse::fill_noise(777u, ids, eps, 1);
    INFO("path " << static_cast<int>(path));
    CHECK((eps.array() == reference.array()).all());
  });
}

TEST_CASE("the vectorised paths this architecture has are run", "[noise]") {
  // So that the same-bits tests above cannot silently test the portable path alone.
#if defined(__aarch64__) && !defined(DIFFUSE_NO_NEON)
  CHECK(diffuse::detail::cpu_runs(SimdPath::neon));
  CHECK(diffuse::detail::simd_path_in_use() == SimdPath::neon);
#else
  CHECK_FALSE(diffuse::detail::cpu_runs(SimdPath::neon));
#endif
  CHECK(paths().front() == SimdPath::portable);
}

// The element path of noise_element.hpp (what a device kernel calls) against the batch functions,
// on every element of a batch of 7 samples whose ids straddle 2^32 and whose elements cross the
// carry of the block counter into its high word, on every code path.
TEMPLATE_TEST_CASE("the element path gives every element of fill_noise, block by block and one by one",
                   "[noise][element][ieee]", float, double) {
  using S = TestType;
  constexpr int per_block = diffuse::noise_values_per_block<S>;
  const Ids ids = iota_ids(7, (std::int64_t{1} << 32) - 3);
  const std::uint64_t first = (std::uint64_t{1} << 32) * per_block - 5000;  // block 2^32 − 1250 onward
  const Eigen::Index rows = 10007;
  Batch<S> element_path(rows, ids.size());
  for (Eigen::Index j = 0; j < ids.size(); ++j) {
    const std::uint64_t id = static_cast<std::uint64_t>(ids(j));
    S block[per_block];
    for (Eigen::Index i = 0; i < rows; ++i) {
      const std::uint64_t element = first + static_cast<std::uint64_t>(i);
      if (i == 0 || element % per_block == 0) diffuse::noise_block_values(777u, id, element / per_block, block);
      element_path(i, j) = block[element % per_block];
      if (i % 97 == 0) CHECK(diffuse::noise_value<S>(777u, id, element) == element_path(i, j));
    }
  }
  on_every_path([&](SimdPath path) {
    Batch<S> eps(rows, ids.size());
    diffuse::fill_noise(777u, ids, eps, first);
    INFO("path " << static_cast<int>(path));
    CHECK((eps.array() == element_path.array()).all());
  });
}

/// x_t of add_noise with drawn noise, element by element through the element path: the process's
/// a and b at the sample's coordinate, noise_value and noised_value.
template <class Process, class Coordinates, class S>
Batch<S> noised_by_elements(const Process& process, const Coordinates& coordinates, const Batch<S>& x0,
                            const Ids& ids) {
  using Traits = diffuse::ProcessTraits<Process>;
  Batch<S> xt(x0.rows(), x0.cols());
  for (Eigen::Index j = 0; j < x0.cols(); ++j) {
    const auto c = Traits::coordinate("test", process, j, coordinates[static_cast<std::size_t>(j)]);
    const S a = Traits::signal_scale(process, c);
    const S b = Traits::noise_scale(process, c);
    for (Eigen::Index i = 0; i < x0.rows(); ++i) {
      const S z = diffuse::noise_value<S>(2024u, static_cast<std::uint64_t>(ids(j)), static_cast<std::uint64_t>(i));
      xt(i, j) = diffuse::noised_value(a, x0(i, j), b, z);
    }
  }
  return xt;
}

TEMPLATE_TEST_CASE(
    "the element path noises every element as add_noise with drawn noise, for a schedule and a continuous process",
    "[noise][element][ieee]", float, double) {
  using S = TestType;
  const Eigen::Index rows = 4 * 64 * 64 + 3, cols = 9;
  std::mt19937_64 rng(5);
  std::normal_distribution<double> normal;
  Batch<S> x0(rows, cols);
  for (Eigen::Index k = 0; k < x0.size(); ++k) x0.data()[k] = static_cast<S>(normal(rng));
  const Ids ids = iota_ids(cols, 40);
  const diffuse::Schedule<S> schedule = diffuse::Schedule<S>::cosine(1000);
  const std::vector<int> steps = {0, 1, 2, 10, 250, 500, 999, 1000, 37};
  const diffuse::ContinuousProcess<S> vp = diffuse::ContinuousProcess<S>::vp_linear();
  std::vector<S> times;
  for (double t : {0.0, 1e-6, 0.001, 0.25, 0.5, 0.75, 0.999, 1.0, 0.3}) times.push_back(static_cast<S>(t));
  const Batch<S> by_elements_schedule = noised_by_elements(schedule, steps, x0, ids);
  const Batch<S> by_elements_vp = noised_by_elements(vp, times, x0, ids);
  on_every_path([&](SimdPath path) {
    INFO("path " << static_cast<int>(path));
    Batch<S> xt(rows, cols);
    diffuse::add_noise(schedule, x0, diffuse::drawn_noise(2024u, ids), steps, xt);
    CHECK((xt.array() == by_elements_schedule.array()).all());
    diffuse::add_noise(vp, x0, diffuse::drawn_noise(2024u, ids), times, xt);
    CHECK((xt.array() == by_elements_vp.array()).all());
  });
}

TEMPLATE_TEST_CASE("a batch equals its pieces filled in any order and any batch size", "[noise]", float, double) {
  const Eigen::Index elements = 1001, samples = 24;
  const std::uint64_t seed = 2024u;
  Ids ids(samples);
  std::mt19937 shuffle(31u);
  for (Eigen::Index j = 0; j < samples; ++j) ids(j) = 1000 + 37 * j;
  Batch<TestType> whole(elements, samples);
  diffuse::fill_noise(seed, ids, whole);

  SECTION("one sample at a time, in shuffled order") {
    std::vector<Eigen::Index> order(static_cast<std::size_t>(samples));
    std::iota(order.begin(), order.end(), Eigen::Index{0});
    std::shuffle(order.begin(), order.end(), shuffle);
    Batch<TestType> pieces(elements, samples);
    for (Eigen::Index j : order) diffuse::fill_noise(seed, ids.segment(j, 1), pieces.col(j));
    CHECK((pieces.array() == whole.array()).all());
  }
  SECTION("element ranges of every sample, in shuffled order") {
    std::vector<Eigen::Index> cuts = {0, 1, 2, 7, 64, 65, 333, 334, 999, elements};
    Batch<TestType> pieces(elements, samples);
    std::vector<std::size_t> order(cuts.size() - 1);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::shuffle(order.begin(), order.end(), shuffle);
    for (std::size_t piece : order) {
      const Eigen::Index from = cuts[piece], count = cuts[piece + 1] - cuts[piece];
      diffuse::fill_noise(seed, ids, pieces.middleRows(from, count), static_cast<std::uint64_t>(from));
    }
    CHECK((pieces.array() == whole.array()).all());
  }
  SECTION("another batch size: any subset of the samples, by id") {
    const Ids subset = (Ids(3) << ids(17), ids(2), ids(9)).finished();
    Batch<TestType> small(elements, 3);
    diffuse::fill_noise(seed, subset, small);
    CHECK(small.col(0) == whole.col(17));
    CHECK(small.col(1) == whole.col(2));
    CHECK(small.col(2) == whole.col(9));
  }
  SECTION("the transpose of a row-major B x D map over the same memory is the same batch") {
    std::vector<TestType> memory(static_cast<std::size_t>(elements * samples));
    Eigen::Map<Eigen::Matrix<TestType, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> rows(memory.data(), samples,
                                                                                              elements);
    diffuse::fill_noise(seed, ids, rows.transpose());
    CHECK((rows.transpose().array() == whole.array()).all());
    CHECK(std::equal(memory.begin(), memory.end(), whole.data()));
  }
  SECTION("the storage order does not matter: noise depends on (row, column) only") {
    Eigen::Matrix<TestType, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> row_major(elements, samples);
    diffuse::fill_noise(seed, ids, row_major);
    CHECK((row_major.array() == whole.array()).all());
  }
  SECTION("strided outputs (inner stride 3, outer stride 3D + 1)") {
    std::vector<TestType> memory(static_cast<std::size_t>((3 * elements + 1) * samples));
    Eigen::Map<Batch<TestType>, 0, Eigen::Stride<Eigen::Dynamic, 3>> strided(
        memory.data(), elements, samples, Eigen::Stride<Eigen::Dynamic, 3>(3 * elements + 1, 3));
    diffuse::fill_noise(seed, ids, strided);
    CHECK((strided.array() == whole.array()).all());
  }
}

TEMPLATE_TEST_CASE("threads give the same bits as one thread", "[noise]", float, double) {
  const Eigen::Index elements = 3 * 64 * 64, samples = 16;
  const Ids ids = iota_ids(samples, 5);
  Batch<TestType> whole(elements, samples);
  diffuse::fill_noise(99u, ids, whole);
  SECTION("two std::threads, each filling half of the samples") {
    Batch<TestType> shared(elements, samples);
    std::thread first([&] { diffuse::fill_noise(99u, ids.head(8), shared.leftCols(8)); });
    std::thread second([&] { diffuse::fill_noise(99u, ids.tail(8), shared.rightCols(8)); });
    first.join();
    second.join();
    CHECK((shared.array() == whole.array()).all());
  }
#if defined(_OPENMP)
  SECTION("OpenMP with 1 and 2 threads") {
    const int before = omp_get_max_threads();
    for (int threads : {1, 2}) {
      omp_set_num_threads(threads);
      Batch<TestType> eps(elements, samples);
      diffuse::fill_noise(99u, ids, eps);
      CHECK((eps.array() == whole.array()).all());
    }
    omp_set_num_threads(before);
  }
#endif
}

#if defined(DIFFUSE_TEST_FORK)
TEMPLATE_TEST_CASE("processes each taking a share of the data set give the same bits", "[noise]", float, double) {
  // Three child processes fill samples j ≡ p (mod 3) of a data set and send them back in a pipe.
  const Eigen::Index elements = 4096, samples = 12;
  const Ids ids = iota_ids(samples, 100);
  Batch<TestType> whole(elements, samples);
  diffuse::fill_noise(31337u, ids, whole);
  Batch<TestType> gathered = Batch<TestType>::Zero(elements, samples);
  const std::size_t column_bytes = static_cast<std::size_t>(elements) * sizeof(TestType);
  for (int process = 0; process < 3; ++process) {
    int fd[2];
    REQUIRE(pipe(fd) == 0);
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      close(fd[0]);
      for (Eigen::Index j = process; j < samples; j += 3) {
        Batch<TestType> mine(elements, 1);
        diffuse::fill_noise(31337u, ids.segment(j, 1), mine);
        const char* bytes = reinterpret_cast<const char*>(mine.data());
        for (std::size_t sent = 0; sent < column_bytes;) {
          const ssize_t n = write(fd[1], bytes + sent, column_bytes - sent);
          if (n <= 0) _exit(1);
          sent += static_cast<std::size_t>(n);
        }
      }
      close(fd[1]);
      _exit(0);
    }
    close(fd[1]);
    for (Eigen::Index j = process; j < samples; j += 3) {
      char* bytes = reinterpret_cast<char*>(gathered.col(j).data());
      for (std::size_t got = 0; got < column_bytes;) {
        const ssize_t n = read(fd[0], bytes + got, column_bytes - got);
        REQUIRE(n > 0);
        got += static_cast<std::size_t>(n);
      }
    }
    close(fd[0]);
    int status = 0;
    waitpid(child, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  CHECK((gathered.array() == whole.array()).all());
}
#endif

TEMPLATE_TEST_CASE("fill_noise has the moments and distribution of N(0, 1)", "[noise][statistics]", float, double) {
  const Eigen::Index elements = 1 << 15, samples = 32;
  Batch<TestType> eps(elements, samples);
  diffuse::fill_noise(20240611u, iota_ids(samples), eps);
  const std::vector<double> z(eps.data(), eps.data() + eps.size());
  const double n = static_cast<double>(z.size());
  const test_support::Moments m = test_support::moments(z);
  CHECK(std::fabs(m.mean) < test_support::mean_bound(1, n));
  CHECK(std::fabs(m.variance - 1) < test_support::variance_bound(1, n));
  CHECK(test_support::ks_statistic(z, test_support::normal_cdf<double>) < test_support::ks_critical(n));
}

TEMPLATE_TEST_CASE("no correlation between neighbouring elements, samples, streams or seeds", "[noise][statistics]",
                   float, double) {
  // |r| < 5/√n: five standard errors of the correlation of independent variables.
  const Eigen::Index elements = 1 << 17, samples = 8;
  Batch<TestType> a(elements, samples), b(elements, samples), c(elements, samples);
  diffuse::fill_noise(1000u, iota_ids(samples), a);
  diffuse::fill_noise(1001u, iota_ids(samples), b);           // the next seed
  diffuse::fill_noise(1000u, iota_ids(samples, 1 << 20), c);  // other streams (ids) of the same seed
  const auto column = [](const Batch<TestType>& m, Eigen::Index j, Eigen::Index from, Eigen::Index count) {
    return std::vector<TestType>(m.col(j).data() + from, m.col(j).data() + from + count);
  };
  const auto squares = [](std::vector<TestType> v) {
    for (TestType& x : v) x *= x;
    return v;
  };
  const Eigen::Index n = elements - 8;
  const double bound = 5 / std::sqrt(static_cast<double>(n));
  for (Eigen::Index lag = 1; lag <= 8; ++lag) {
    INFO("lag " << lag);
    const std::vector<TestType> x = column(a, 0, 0, n), y = column(a, 0, lag, n);
    CHECK(std::fabs(correlation(x, y)) < bound);
    // Squares too: a radius shared by two pairs would correlate them.
    CHECK(std::fabs(correlation(squares(x), squares(y))) < bound);
  }
  for (Eigen::Index j = 0; j + 1 < samples; ++j) {
    INFO("sample " << j);
    CHECK(std::fabs(correlation(column(a, j, 0, n), column(a, j + 1, 0, n))) < bound);
    CHECK(std::fabs(correlation(squares(column(a, j, 0, n)), squares(column(a, j + 1, 0, n)))) < bound);
    CHECK(std::fabs(correlation(column(a, j, 0, n), column(b, j, 0, n))) < bound);
    CHECK(std::fabs(correlation(column(a, j, 0, n), column(c, j, 0, n))) < bound);
  }
}

TEMPLATE_TEST_CASE("tails beyond 4 and 5 sigma have Poisson counts", "[.long][noise][statistics]", float, double) {
  // 2^30 normals; the counts beyond 4σ and 5σ must be within 5√λ of λ = n P(|Z| > k).
  const Eigen::Index elements = 1 << 24, samples = 64;
  const double n = static_cast<double>(elements) * static_cast<double>(samples);
  const double p4 = 6.334248366623996e-05, p5 = 5.733031437583878e-07;  // erfc(k/√2)
  long long beyond4 = 0, beyond5 = 0;
  Batch<TestType> eps(elements, 1);
  for (Eigen::Index j = 0; j < samples; ++j) {
    diffuse::fill_noise(4242u, iota_ids(1, j), eps);
    for (Eigen::Index i = 0; i < elements; ++i) {
      const TestType a = std::fabs(eps(i, 0));
      beyond4 += a > 4;
      beyond5 += a > 5;
    }
  }
  INFO("beyond 4: " << beyond4 << " (expected " << n * p4 << "), beyond 5: " << beyond5 << " (expected " << n * p5
                    << ")");
  CHECK(std::fabs(static_cast<double>(beyond4) - n * p4) < 5 * std::sqrt(n * p4));
  CHECK(std::fabs(static_cast<double>(beyond5) - n * p5) < 5 * std::sqrt(n * p5));
}

/// fl(fl(a x) + fl(b y)) computed here independently of the library: each product stored through a
/// volatile, which no compiler may fuse into the sum.
template <class T>
T three_roundings(T a, T x, T b, T y) {
  volatile T ax = a * x;
  volatile T by = b * y;
  return ax + by;
}

TEMPLATE_TEST_CASE(
    "add_noise with drawn noise rounds as PyTorch, fl(fl(a x0) + fl(b eps)), on every path: the bits of add_noise given that eps",
    "[noise][batch][ieee]", float, double) {
  const auto schedule = diffuse::Schedule<TestType>::linear(1000);
  const Eigen::Index elements = 4 * 16 * 16 + 3, samples = 9;
  std::mt19937 data(17u);
  std::normal_distribution<double> gauss;
  Batch<TestType> x0(elements, samples);
  for (Eigen::Index k = 0; k < x0.size(); ++k) x0.data()[k] = static_cast<TestType>(3 * gauss(data));
  const Steps steps = (Steps(samples) << 0, 1, 2, 10, 250, 500, 999, 1000, 731).finished();
  const Ids ids = iota_ids(samples, 7000);
  Batch<TestType> portable(elements, samples), given_portable(elements, samples), expected_eps(elements, samples);
  diffuse::fill_noise(55u, ids, expected_eps);
  on_path(SimdPath::portable, [&] {
    diffuse::add_noise(schedule, x0, diffuse::drawn_noise(55u, ids), steps, portable);
    diffuse::add_noise(schedule, x0, expected_eps, steps, given_portable);
  });
  Batch<TestType> expected(elements, samples);
  for (Eigen::Index j = 0; j < samples; ++j) {
    const TestType a = schedule.sqrt_alpha_bar(steps(j)), b = schedule.sqrt_one_minus_alpha_bar(steps(j));
    for (Eigen::Index i = 0; i < elements; ++i) expected(i, j) = three_roundings(a, x0(i, j), b, expected_eps(i, j));
  }
  CHECK((portable.array() == expected.array()).all());
  CHECK((given_portable.array() == expected.array()).all());
  on_every_path([&](SimdPath path) {
    INFO("path " << static_cast<int>(path));
    Batch<TestType> xt(elements, samples), eps(elements, samples), xt_alone(elements, samples),
        given(elements, samples);
    diffuse::add_noise(schedule, x0, diffuse::drawn_noise(55u, ids), steps, xt, eps);
    diffuse::add_noise(schedule, x0, diffuse::drawn_noise(55u, ids), steps, xt_alone);
    diffuse::add_noise(schedule, x0, expected_eps, steps, given);
    CHECK((eps.array() == expected_eps.array()).all());
    CHECK((xt_alone.array() == expected.array()).all());
    CHECK((xt.array() == expected.array()).all());
    CHECK((given.array() == expected.array()).all());
    // t = 0 is the data itself.
    CHECK(xt.col(0) == x0.col(0));
  });
}

TEMPLATE_TEST_CASE("add_noise with drawn noise at a zero-terminal-SNR endpoint is the noise itself", "[noise][batch]",
                   float, double) {
  const auto schedule = diffuse::Schedule<TestType>::linear(100).zero_terminal_snr();
  Batch<TestType> x0 = Batch<TestType>::Constant(67, 2, TestType(2.5)), xt(67, 2), eps(67, 2);
  diffuse::add_noise(schedule, x0, diffuse::drawn_noise(3u, iota_ids(2)), (Steps(2) << 100, 100).finished(), xt, eps);
  CHECK(xt == eps);
}

TEMPLATE_TEST_CASE("add_noise with drawn noise works in place and on row-major maps of tensors", "[noise][batch]",
                   float, double) {
  const auto schedule = diffuse::Schedule<TestType>::cosine(1000);
  const Eigen::Index elements = 3 * 8 * 8, samples = 4;
  const Steps steps = (Steps(samples) << 1, 400, 999, 1000).finished();
  const Ids ids = iota_ids(samples, 12);
  Batch<TestType> x0 = Batch<TestType>::Random(elements, samples);
  Batch<TestType> xt(elements, samples), eps(elements, samples);
  diffuse::add_noise(schedule, x0, diffuse::drawn_noise(8u, ids), steps, xt, eps);
  SECTION("x_t written over x0") {
    Batch<TestType> data = x0;
    diffuse::add_noise(schedule, data, diffuse::drawn_noise(8u, ids), steps, data);
    CHECK(data == xt);
  }
  SECTION("a (B, C, H, W) tensor as a column-major CHW x B map, or a row-major B x CHW map transposed") {
    using RowMap = Eigen::Map<Eigen::Matrix<TestType, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
    using ColMap = Eigen::Map<Batch<TestType>>;
    std::vector<TestType> x0_memory(x0.data(), x0.data() + x0.size()), xt_memory(x0_memory.size()),
        eps_memory(x0_memory.size());
    diffuse::add_noise(schedule, ColMap(x0_memory.data(), elements, samples), diffuse::drawn_noise(8u, ids), steps,
                       ColMap(xt_memory.data(), elements, samples), ColMap(eps_memory.data(), elements, samples));
    CHECK(ColMap(xt_memory.data(), elements, samples) == xt);
    CHECK(ColMap(eps_memory.data(), elements, samples) == eps);
    RowMap x0_rows(x0_memory.data(), samples, elements), xt_rows(xt_memory.data(), samples, elements),
        eps_rows(eps_memory.data(), samples, elements);
    xt_rows.setZero();
    eps_rows.setZero();
    diffuse::add_noise(schedule, x0_rows.transpose(), diffuse::drawn_noise(8u, ids), steps, xt_rows.transpose(),
                       eps_rows.transpose());
    CHECK(xt_rows.transpose() == xt);
    CHECK(eps_rows.transpose() == eps);
  }
  SECTION("row-major storage of the same D x B batch gives the same bits") {
    using RowMajor = Eigen::Matrix<TestType, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const RowMajor x0_rows = x0;
    RowMajor xt_rows(elements, samples), eps_rows(elements, samples);
    diffuse::add_noise(schedule, x0_rows, diffuse::drawn_noise(8u, ids), steps, xt_rows, eps_rows);
    CHECK(xt_rows == xt);
    CHECK(eps_rows == eps);
  }
  SECTION("an expression as x0 is evaluated first") {
    Batch<TestType> out(elements, samples);
    diffuse::add_noise(schedule, x0 * TestType(1), diffuse::drawn_noise(8u, ids), steps, out);
    CHECK(out == xt);
  }
}

TEMPLATE_TEST_CASE("bad input throws with the rule and the value, and writes nothing", "[noise][errors]", float,
                   double) {
  const auto schedule = diffuse::Schedule<TestType>::linear(1000);
  const Batch<TestType> x0 = Batch<TestType>::Ones(10, 3);
  const Steps steps = (Steps(3) << 1, 2, 3).finished();
  const Ids ids = iota_ids(3);
  Batch<TestType> xt = Batch<TestType>::Constant(10, 3, 42), eps = Batch<TestType>::Constant(10, 3, 42);
  const auto untouched = [&] { return (xt.array() == 42).all() && (eps.array() == 42).all(); };

  SECTION("x_t of another shape") {
    Batch<TestType> small = Batch<TestType>::Constant(9, 3, 42);
    CHECK(test_support::throws_with<std::invalid_argument>(
        [&] { diffuse::add_noise(schedule, x0, diffuse::drawn_noise(1u, ids), steps, small); },
        {"diffuse::add_noise: x_t must have the shape 10 x 3", "(got \"9 x 3\")"}));
    CHECK((small.array() == 42).all());
    Batch<TestType> transposed = Batch<TestType>::Constant(3, 10, 42);  // as many coefficients
    CHECK(test_support::throws_with<std::invalid_argument>(
        [&] { diffuse::add_noise(schedule, x0, diffuse::drawn_noise(1u, ids), steps, transposed); },
        {"diffuse::add_noise: x_t must have the shape 10 x 3", "(got \"3 x 10\")"}));
    CHECK((transposed.array() == 42).all());
  }
  SECTION("eps of another shape") {
    Batch<TestType> wide = Batch<TestType>::Constant(10, 4, 42);
    CHECK(test_support::throws_with<std::invalid_argument>(
        [&] { diffuse::add_noise(schedule, x0, diffuse::drawn_noise(1u, ids), steps, xt, wide); },
        {"diffuse::add_noise: eps must have the shape 10 x 3", "(got \"10 x 4\")"}));
    CHECK((wide.array() == 42).all());
  }
  SECTION("steps count") {
    CHECK(test_support::throws_with<std::invalid_argument>(
        [&] { diffuse::add_noise(schedule, x0, diffuse::drawn_noise(1u, ids), steps.head(2), xt, eps); },
        {"diffuse::add_noise: timesteps must have one entry per column, 3", "(got 2)"}));
  }
  SECTION("ids count") {
    CHECK(test_support::throws_with<std::invalid_argument>(
        [&] { diffuse::add_noise(schedule, x0, diffuse::drawn_noise(1u, iota_ids(4)), steps, xt, eps); },
        {"diffuse::add_noise: ids must have one entry per column, 3", "(got 4)"}));
    CHECK(test_support::throws_with<std::invalid_argument>(
        [&] { diffuse::fill_noise(1u, iota_ids(2), eps); },
        {"diffuse::fill_noise: ids must have one entry per column, 3", "(got 2)"}));
  }
  SECTION("a step below 0 or above T") {
    CHECK(test_support::throws_with<std::out_of_range>(
        [&] {
          diffuse::add_noise(schedule, x0, diffuse::drawn_noise(1u, ids), (Steps(3) << 1, -1, 3).finished(), xt, eps);
        },
        {"diffuse::add_noise: timesteps(1) must be in [0, 1000]", "(got -1)"}));
    CHECK(test_support::throws_with<std::out_of_range>(
        [&] {
          diffuse::add_noise(schedule, x0, diffuse::drawn_noise(1u, ids), (Steps(3) << 1, 2, 1001).finished(), xt, eps);
        },
        {"diffuse::add_noise: timesteps(2) must be in [0, 1000]", "(got 1001)"}));
    const Eigen::Matrix<unsigned, 3, 1> big(1, 2, 4000000000u);
    CHECK(test_support::throws_with<std::out_of_range>(
        [&] { diffuse::add_noise(schedule, x0, diffuse::drawn_noise(1u, ids), big, xt, eps); },
        {"diffuse::add_noise: timesteps(2) must be in [0, 1000]", "(got 4000000000)"}));
  }
  SECTION("a negative id") {
    CHECK(test_support::throws_with<std::out_of_range>(
        [&] {
          diffuse::add_noise(schedule, x0, diffuse::drawn_noise(1u, (Ids(3) << 0, -5, 2).finished()), steps, xt, eps);
        },
        {"diffuse::add_noise: ids must be non-negative", "(got -5)"}));
    CHECK(test_support::throws_with<std::out_of_range>(
        [&] { diffuse::fill_noise(1u, (Ids(3) << 0, 1, -2).finished(), eps); },
        {"diffuse::fill_noise: ids must be non-negative", "(got -2)"}));
  }
  SECTION("eps and x_t the same memory") {
    CHECK(test_support::throws_with<std::invalid_argument>(
        [&] { diffuse::add_noise(schedule, x0, diffuse::drawn_noise(1u, ids), steps, xt, xt); },
        {"diffuse::add_noise: eps and x_t must be different memory"}));
  }
  SECTION("an element range that would pass 2^64") {
    CHECK(test_support::throws_with<std::out_of_range>(
        [&] { diffuse::fill_noise(1u, ids, eps, ~std::uint64_t{0} - 8); },
        {"diffuse::fill_noise: the last element", "must be below 2^64", "(got 18446744073709551607)"}));
    // The very last elements are fine.
    Batch<TestType> last(10, 3);
    diffuse::fill_noise(1u, ids, last, ~std::uint64_t{0} - 9);
    const TestType expected = diffuse::noise_value<TestType>(1u, 1u, ~std::uint64_t{0});
#ifdef __FAST_MATH__  // -ffast-math gives up bit-identical code paths (README, "What -ffast-math costs")
    CHECK(std::abs(last(9, 1) - expected) <= TestType(1e-4) * std::abs(expected));
#else
    CHECK(last(9, 1) == expected);
#endif
  }
  CHECK(untouched());
}
