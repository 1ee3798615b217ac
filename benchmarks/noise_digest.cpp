// Prints FNV-1a digests of the noise diffuse draws (fill_noise on every code path this CPU runs,
// and StandardNormal driven by std::mt19937 / std::mt19937_64), so that builds with different
// compilers, flags and machines can be compared: the digests must be equal everywhere.
#include <cstdint>
#include <cstdio>
#include <random>

#include <Eigen/Core>

#include <diffuse/noise.hpp>
#include <diffuse/normal.hpp>

namespace {

template <class Derived>
std::uint64_t digest(const Eigen::MatrixBase<Derived>& m) {
  std::uint64_t h = 1469598103934665603ull;
  const auto* bytes = reinterpret_cast<const unsigned char*>(m.derived().data());
  const std::size_t n = static_cast<std::size_t>(m.size()) * sizeof(typename Derived::Scalar);
  for (std::size_t i = 0; i < n; ++i) {
    h ^= bytes[i];
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

int main() {
  using diffuse::detail::SimdPath;
  Eigen::MatrixXf f(100003, 5);
  Eigen::MatrixXd d(100003, 5);
  const Eigen::VectorXi ids = (Eigen::VectorXi(5) << 0, 1, 2, 3, 1 << 30).finished();
  for (SimdPath path : {SimdPath::portable, SimdPath::avx2, SimdPath::avx512}) {
    if (!diffuse::detail::cpu_runs(path)) continue;
    diffuse::detail::set_simd_path(path);
    diffuse::fill_noise(42u, ids, f, 7);
    diffuse::fill_noise(42u, ids, d, 7);
    std::printf("fill_noise float  %016llx\nfill_noise double %016llx\n", static_cast<unsigned long long>(digest(f)),
                static_cast<unsigned long long>(digest(d)));
  }
  std::mt19937 engine32(1u);
  diffuse::StandardNormal<float> normal_f;
  Eigen::MatrixXf u(1000, 10);
  normal_f.fill(engine32, u);
  std::mt19937_64 engine64(1u);
  diffuse::StandardNormal<double> normal_d;
  Eigen::MatrixXd v(1000, 10);
  normal_d.fill(engine64, v);
  std::printf("StandardNormal float  mt19937    %016llx\nStandardNormal double mt19937_64 %016llx\n",
              static_cast<unsigned long long>(digest(u)), static_cast<unsigned long long>(digest(v)));
  return 0;
}
