/// scaled_sum (scaled_sum.hpp) on whole registers, written once over the primitives of an instruction-set namespace.
///
/// No include guard on purpose: simd.hpp includes this file inside each instruction-set namespace
/// (avx2, avx512, neon), after defining there the vector types, the primitives and DIFFUSE_SIMD_TARGET.

#ifndef DIFFUSE_SIMD_TARGET
// clang-format off
#error "a per-target body: include it only inside an instruction-set namespace of simd.hpp, with DIFFUSE_SIMD_TARGET defined"
// clang-format on
#endif

/// fl(fl(a·x) + fl(b·y)) lane by lane: each product kept opaque, as rounded_product does.
template <class Vector>
DIFFUSE_SIMD_TARGET inline Vector scaled_sum(Vector a, Vector x, Vector b, Vector y) {
  return add(opaque(mul(a, x)), opaque(mul(b, y)));
}

/// scaled_sum_array for contiguous arrays, as many whole registers of the n elements as there are;
/// returns how many elements it did (the caller does the rest).
template <class Scalar>
DIFFUSE_SIMD_TARGET inline std::size_t scaled_sum_of(Scalar a, const Scalar* x, Scalar b, const Scalar* y, Scalar* out,
                                                     std::size_t n) {
  using Vector = decltype(load(x));
  constexpr std::size_t width = sizeof(Vector) / sizeof(Scalar);
  const Vector va = splat(a), vb = splat(b);
  std::size_t k = 0;
  for (; k + 4 * width <= n; k += 4 * width) {
#pragma GCC unroll 4
    for (std::size_t v = 0; v < 4 * width; v += width) {
      store(out + k + v, scaled_sum(va, load(x + k + v), vb, load(y + k + v)));
    }
  }
  for (; k + width <= n; k += width) store(out + k, scaled_sum(va, load(x + k), vb, load(y + k)));
  return k;
}
