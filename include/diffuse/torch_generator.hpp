/// TorchGenerator: the normals of PyTorch's CPU generator (torch.manual_seed(s); torch.randn(shape)), bit for bit.
///
/// Outside the noise contract (docs/noise_contract.md): this generator is sequential, as PyTorch's
/// is, and exists so that a C++ port of a Python pipeline can start from exactly the initial latents
/// the Python code draws, and be compared with it image for image. PyTorch 1.13 on the CPU
/// (aten/src/ATen/core/MT19937RNGEngine.h, CPUGeneratorImpl.cpp, core/TransformationHelper.h,
/// core/DistributionsHelper.h, native/cpu/DistributionTemplates.h, native/cpu/avx_mathfun.h):
///  - an MT19937 engine seeded with the low 32 bits of the seed (detail/mt19937.hpp: the sequence of
///    the standard's std::mt19937);
///  - float uniforms (w & (2^24 − 1))·2^−24 from one 32-bit draw w; double uniforms
///    (v & (2^53 − 1))·2^−53 from v = 2^32·w1 + w2, the first draw the high word;
///  - torch.randn of n ≥ 16 elements: all n uniforms first, then Box–Muller per block of 16
///    (u1 = 1 − d[j], u2 = d[j + 8] for j < 8; d[j] = r cos θ, d[j + 8] = r sin θ, r = √(−2 ln u1),
///    θ = 2π u2); when 16 does not divide n, 16 fresh uniforms replace the last 16 elements and are
///    transformed as one more block;
///  - n < 16: per element, a double Box–Muller pair from two double uniforms u1, u2
///    (r = √(−2 ln(1 − u2)), θ = 2π u1) returns r cos θ and keeps r sin θ for the next element, on
///    this and later calls, until a reseed (the 16-block path neither uses nor clears it); float
///    results are the double ones rounded.
/// float32 blocks have two answers in PyTorch itself: CPUs with AVX2 run Pommier's cephes-style
/// log256_ps and sincos256_ps (avx_mathfun.h, compiled by GCC with -mfma, which fuses each
/// multiply into the add that follows it), other builds and CPUs the C library's logf, cosf and
/// sinf in float. TorchFloat32Path::avx2 (the default) redoes the first lane by lane with explicit
/// std::fma, so it gives those bits on every CPU and compiler; TorchFloat32Path::portable calls
/// the C library and matches PyTorch where both use the same one (glibc on Linux). double blocks
/// use the C library's log, cos and sin in double on every path, as PyTorch does.
/// Bits need IEEE float and double with round-to-nearest (not -ffast-math, not the x87 unit).
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include <Eigen/Core>

#include "detail/mt19937.hpp"
#include "detail/shape.hpp"

namespace diffuse {

/// Which of PyTorch's two float32 block transforms to reproduce (double has one).
enum class TorchFloat32Path {
  avx2,  ///< avx_mathfun.h's log256_ps and sincos256_ps with GCC's fused multiply-adds: PyTorch on x86-64 CPUs with AVX2
  portable  ///< the C library's logf, cosf, sinf: PyTorch without AVX2 (aarch64, ATEN_CPU_CAPABILITY=default) on the same C library
};

namespace detail {

/// Float from its IEEE bits, and back.
inline float torch_float_from_bits(std::uint32_t bits) {
  float x;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}
inline std::uint32_t torch_bits_of(float x) {
  std::uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  return bits;
}

/// ln x for x in [2^−24, 1], as PyTorch's log256_ps lane by lane (avx_mathfun.h, after cephes logf):
/// x = 2^e m, m ∈ [√½, √2), ln x = e·q2 + (m − 1) + P(m − 1) (m − 1)³ + e·q1 − (m − 1)²/2, with each
/// multiply-add of Horner's rule and the e·q1 term fused as GCC fuses them. The clamp to the
/// smallest normal and the NaN for x ≤ 0 of the original never act on this range and are left out.
inline float torch_avx2_log(float x) {
  using std::fma;
  constexpr float sqrt_half = static_cast<float>(0.707106781186547524);
  // clang-format off
  constexpr float p[9] = {7.0376836292E-2f, -1.1514610310E-1f, 1.1676998740E-1f,
                          -1.2420140846E-1f, +1.4249322787E-1f, -1.6668057665E-1f,
                          +2.0000714765E-1f, -2.4999993993E-1f, +3.3333331174E-1f};
  // clang-format on
  constexpr float q1 = -2.12194440e-4f;
  constexpr float q2 = 0.693359375f;
  const std::uint32_t bits = torch_bits_of(x);
  const auto biased = static_cast<std::int32_t>(bits >> 23);
  float m = torch_float_from_bits((bits & ~0x7f800000u) | torch_bits_of(0.5f));  // m ∈ [0.5, 1)
  float e = static_cast<float>(biased - 0x7f) + 1.0f;
  const bool below = m < sqrt_half;
  const float keep = below ? m : 0.0f;
  m = m - 1.0f;
  e = e - (below ? 1.0f : 0.0f);
  m = m + keep;
  const float z = m * m;
  float y = p[0];
  for (int k = 1; k < 9; ++k) y = fma(y, m, p[k]);
  y = y * m;
  y = fma(y, z, e * q1);
  y = fma(-z, 0.5f, y);
  m = m + y;
  return fma(e, q2, m);
}

/// sin θ and cos θ for θ ∈ [0, 2π), as PyTorch's sincos256_ps lane by lane (avx_mathfun.h, after
/// cephes sinf/cosf): j = the even integer nearest above ⌊4θ/π⌋, x = θ − j·π/4 in three fused steps
/// (DP1 + DP2 + DP3 = π/4), then cos x = 1 − x²/2 + x⁴ C(x²) and sin x = x + x³ S(x²) (Horner with
/// fused multiply-adds), swapped and signed by j.
inline void torch_avx2_sincos(float theta, float& sin_theta, float& cos_theta) {
  using std::fma;
  constexpr float four_over_pi = static_cast<float>(1.27323954473516);
  constexpr float minus_dp1 = -0.78515625f;
  constexpr float minus_dp2 = -2.4187564849853515625e-4f;
  constexpr float minus_dp3 = static_cast<float>(-3.77489497744594108e-8);
  constexpr float sin_p[3] = {-1.9515295891E-4f, 8.3321608736E-3f, -1.6666654611E-1f};
  constexpr float cos_p[3] = {static_cast<float>(2.443315711809948E-005), static_cast<float>(-1.388731625493765E-003),
                              static_cast<float>(4.166664568298827E-002)};
  const std::uint32_t sign_sin_in = torch_bits_of(theta) & 0x80000000u;
  float x = std::fabs(theta);
  auto j = static_cast<std::int32_t>(x * four_over_pi);  // truncation, as cvttps
  j = (j + 1) & ~1;
  const float y = static_cast<float>(j);
  const std::uint32_t sign_sin = sign_sin_in ^ (static_cast<std::uint32_t>(j & 4) << 29);
  const std::uint32_t sign_cos = static_cast<std::uint32_t>(~(j - 2) & 4) << 29;
  const bool sin_polynomial = (j & 2) == 0;
  x = fma(y, minus_dp1, x);
  x = fma(y, minus_dp2, x);
  x = fma(y, minus_dp3, x);
  const float z = x * x;
  float c = fma(fma(cos_p[0], z, cos_p[1]), z, cos_p[2]);
  c = c * z;
  c = fma(c, z, -(z * 0.5f));
  c = c + 1.0f;
  float s = fma(fma(sin_p[0], z, sin_p[1]), z, sin_p[2]);
  s = s * z;
  s = fma(s, x, x);
  // The branch-free selection of the original, with its additions of +0.
  const float s_part = sin_polynomial ? s : 0.0f;
  const float c_part = sin_polynomial ? 0.0f : c;
  s = s - s_part;
  c = c - c_part;
  sin_theta = torch_float_from_bits(torch_bits_of(c_part + s_part) ^ sign_sin);
  cos_theta = torch_float_from_bits(torch_bits_of(c + s) ^ sign_cos);
}

/// PyTorch's normal_fill_16 (and normal_fill_16_AVX2 for float on the avx2 path) on 16 uniforms d:
/// d[j] ← r cos θ, d[j + 8] ← r sin θ, r = √(−2 ln(1 − d[j])), θ = 2π d[j + 8], for j < 8, with
/// mean 0 and standard deviation 1 applied as PyTorch does (n·1 + 0, which turns −0 into +0).
template <class Scalar>
void torch_normal_block(std::array<Scalar, 16>& d, TorchFloat32Path path) {
  using std::cos;
  using std::log;
  using std::sin;
  using std::sqrt;
  constexpr double two_pi = 2.0 * 3.14159265358979323846;
  for (std::size_t j = 0; j < 8; ++j) {
    const Scalar u1 = Scalar(1) - d[j];
    const Scalar u2 = d[j + 8];
    if constexpr (std::is_same_v<Scalar, float>) {
      if (path == TorchFloat32Path::avx2) {
        const float radius = sqrt(-2.0f * torch_avx2_log(u1));
        float sin_theta = 0.0f;
        float cos_theta = 0.0f;
        torch_avx2_sincos(static_cast<float>(two_pi) * u2, sin_theta, cos_theta);
        d[j] = radius * cos_theta + 0.0f;
        d[j + 8] = radius * sin_theta + 0.0f;
        continue;
      }
    }
    const Scalar radius = sqrt(Scalar(-2) * log(u1));
    const auto theta = static_cast<Scalar>(two_pi * static_cast<double>(u2));
    d[j] = radius * cos(theta) * Scalar(1) + Scalar(0);
    d[j + 8] = radius * sin(theta) * Scalar(1) + Scalar(0);
  }
}

}  // namespace detail

/// PyTorch's CPU generator (torch.Generator(), torch.manual_seed) and its torch.randn, bit for bit
/// (the steps are listed at the top of torch_generator.hpp). Not thread-safe; one per thread or
/// one per sample (torch_randn_per_sample).
class TorchGenerator {
 public:
  /// The generator of torch.Generator().manual_seed(seed) or torch.manual_seed(seed): MT19937
  /// seeded with seed mod 2^32, no cached normal.
  explicit TorchGenerator(std::uint64_t seed) { manual_seed(seed); }

  /// Reseeds as torch's manual_seed(seed) does, dropping the cached normal.
  void manual_seed(std::uint64_t seed) {
    engine_.seed(static_cast<std::uint32_t>(seed & 0xffffffffu));
    has_cached_normal_ = false;
  }

  /// One 32-bit draw of the engine (CPUGeneratorImpl::random).
  std::uint32_t random() { return engine_(); }

  /// 2^32·w1 + w2 from two draws, the first the high word (CPUGeneratorImpl::random64).
  std::uint64_t random64() {
    const std::uint64_t high = random();
    return (high << 32) | random();
  }

  /// The uniform in [0, 1) of at::uniform_real_distribution: float (w & (2^24 − 1))·2^−24,
  /// double (v & (2^53 − 1))·2^−53 (TransformationHelper.h, uniform_real).
  template <class Scalar>
  Scalar uniform() {
    static_assert(std::is_same_v<Scalar, float> || std::is_same_v<Scalar, double>, "float or double");
    if constexpr (std::is_same_v<Scalar, float>) {
      return static_cast<float>(random() & 0xffffffu) * 0x1p-24f;
    } else {
      return static_cast<double>(random64() & 0x1fffffffffffffu) * 0x1p-53;
    }
  }

  /// torch.randn(n, generator = this) for n = rows·cols, written into out in column-major order
  /// (element k at (k mod rows, k div rows)), so that column j is sample j of a contiguous
  /// torch.randn([B, C, H, W]) when out is (C·H·W) × B. float or double. Every element is written.
  template <class Derived>
  void randn(const Eigen::MatrixBase<Derived>& out, TorchFloat32Path path = TorchFloat32Path::avx2) {
    using Scalar = typename Derived::Scalar;
    static_assert(std::is_same_v<Scalar, float> || std::is_same_v<Scalar, double>,
                  "TorchGenerator::randn fills float or double");
    auto& o = const_cast<Eigen::MatrixBase<Derived>&>(out).derived();
    const Eigen::Index rows = o.rows();
    const Eigen::Index n = o.size();
    Scalar* const contiguous = column_major_data(o);
    const auto at = [&o, rows, contiguous](Eigen::Index k) -> Scalar& {
      return contiguous != nullptr ? contiguous[k] : o.coeffRef(k % rows, k / rows);
    };
    if (n < 16) {
      for (Eigen::Index k = 0; k < n; ++k) at(k) = static_cast<Scalar>(scalar_normal());
      return;
    }
    for (Eigen::Index k = 0; k < n; ++k) at(k) = uniform<Scalar>();
    std::array<Scalar, 16> block;
    const auto transform = [&](Eigen::Index first, bool fresh) {
      for (Eigen::Index k = 0; k < 16; ++k)
        block[static_cast<std::size_t>(k)] = fresh ? uniform<Scalar>() : at(first + k);
      detail::torch_normal_block(block, path);
      for (Eigen::Index k = 0; k < 16; ++k) at(first + k) = block[static_cast<std::size_t>(k)];
    };
    for (Eigen::Index first = 0; first + 16 <= n; first += 16) transform(first, false);
    if (n % 16 != 0) transform(n - 16, true);
  }

 private:
  /// The data pointer of out when its elements lie in column-major order without gaps, else null.
  template <class Derived>
  static typename Derived::Scalar* column_major_data(Derived& out) {
    if constexpr ((Derived::Flags & Eigen::DirectAccessBit) != 0 && !Derived::IsRowMajor) {
      if (out.innerStride() == 1 && (out.cols() <= 1 || out.outerStride() == out.rows())) return out.data();
    }
    return nullptr;
  }

  /// at::normal_distribution<double> with mean 0, sd 1 (DistributionsHelper.h): the cached
  /// r sin θ if there is one, else r cos θ of a new pair, r = √(−2 ln(1 − u2)), θ = 2π u1, caching r sin θ.
  double scalar_normal() {
    if (has_cached_normal_) {
      has_cached_normal_ = false;
      return cached_normal_ * 1.0 + 0.0;
    }
    const double u1 = uniform<double>();
    const double u2 = uniform<double>();
    const double r = std::sqrt(-2.0 * std::log(1.0 - u2));
    const double theta = 2.0 * 3.14159265358979323846 * u1;
    cached_normal_ = r * std::sin(theta);
    has_cached_normal_ = true;
    return r * std::cos(theta) * 1.0 + 0.0;
  }

  detail::Mt19937 engine_;
  double cached_normal_ = 0.0;
  bool has_cached_normal_ = false;
};

/// One generator per sample, as diffusers' randn_tensor with a list of generators: column j of out
/// becomes torch.randn(sample shape, generator = torch.Generator().manual_seed(seeds[j])), i.e. the
/// column's rows·1 elements drawn by TorchGenerator(seeds[j]). Seeds is any container with size()
/// and operator[] (std::vector<std::uint64_t>, an Eigen vector of integers).
/// @throws std::invalid_argument unless seeds has one entry per column of out (nothing is written).
template <class Derived, class Seeds>
void torch_randn_per_sample(const Eigen::MatrixBase<Derived>& out, const Seeds& seeds,
                            TorchFloat32Path path = TorchFloat32Path::avx2) {
  detail::check_count("torch_randn_per_sample", "seeds", static_cast<Eigen::Index>(seeds.size()), out.cols());
  auto& o = const_cast<Eigen::MatrixBase<Derived>&>(out);
  for (Eigen::Index j = 0; j < o.cols(); ++j) {
    TorchGenerator generator(static_cast<std::uint64_t>(seeds[static_cast<decltype(seeds.size())>(j)]));
    generator.randn(o.col(j), path);
  }
}

}  // namespace diffuse
