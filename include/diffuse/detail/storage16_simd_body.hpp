/// The vectorised 16-bit conversions, written once over the primitives of an instruction-set namespace.
///
/// No include guard on purpose: storage16_simd.hpp includes this file inside each x86 instruction-set
/// namespace (avx2, avx512) of simd.hpp, after defining there Halves (the 16-bit words of `lanes`
/// elements), load_halves, store_halves, any_half_nan, half_to_float, float_to_half, any_nan,
/// widen16, narrow16 and select_above, and the macros DIFFUSE_SIMD_TARGET (the instruction set) and
/// DIFFUSE_HALF_TARGET (the instruction set with its half conversions). Each function converts whole
/// registers from the start of the arrays and returns how many elements it did.

#if !defined(DIFFUSE_SIMD_TARGET) || !defined(DIFFUSE_HALF_TARGET)
// clang-format off
#error "a per-target body: include it only inside an instruction-set namespace, with DIFFUSE_SIMD_TARGET and DIFFUSE_HALF_TARGET defined"
// clang-format on
#endif

/// `lanes` halves widened per register (exact); a group holding a NaN goes through the scalar conversion.
DIFFUSE_HALF_TARGET inline std::size_t widen_halves(const Eigen::half* from, std::size_t n, float* to) {
  const std::size_t step = static_cast<std::size_t>(lanes);
  std::size_t k = 0;
  for (; k + step <= n; k += step) {
    const Halves h = load_halves(from + k);
    if (any_half_nan(h)) {
      widen_half_scalar(from, k, k + step, to);
    } else {
      store(to + k, half_to_float(h));
    }
  }
  return k;
}

/// `lanes` floats rounded to halves per register (to nearest, ties to even); a group holding a NaN
/// goes through the scalar conversion.
DIFFUSE_HALF_TARGET inline std::size_t narrow_halves(const float* from, std::size_t n, Eigen::half* to) {
  const std::size_t step = static_cast<std::size_t>(lanes);
  std::size_t k = 0;
  for (; k + step <= n; k += step) {
    const Float f = load(from + k);
    if (any_nan(f)) {
      narrow_half_scalar(from, k, k + step, to);
    } else {
      store_halves(to + k, float_to_half(f));
    }
  }
  return k;
}

/// `lanes` bfloat16 widened per register: the 16 bits shifted into the high half.
DIFFUSE_SIMD_TARGET inline std::size_t widen_bfloat16s(const Eigen::bfloat16* from, std::size_t n, float* to) {
  const std::size_t step = static_cast<std::size_t>(lanes);
  std::size_t k = 0;
  for (; k + step <= n; k += step) store(to + k, as_float(shl32<16>(widen16(load_halves(from + k)))));
  return k;
}

/// `lanes` floats narrowed to bfloat16 per register: bfloat16_bits lane by lane.
DIFFUSE_SIMD_TARGET inline std::size_t narrow_bfloat16s(const float* from, std::size_t n, Eigen::bfloat16* to) {
  const std::size_t step = static_cast<std::size_t>(lanes);
  const Int one = splat32(1), bias = splat32(0x7fff), magnitude_mask = splat32(0x7fffffff);
  const Int infinity = splat32(0x7f800000), sign = splat32(0x8000), quiet = splat32(0x7fc0);
  std::size_t k = 0;
  for (; k + step <= n; k += step) {
    const Int bits = load_words(from + k);
    const Int high = shr32<16>(bits);
    const Int rounded = shr32<16>(add32(add32(bits, bias), bit_and(high, one)));
    const Int nan_bits = and_or(high, sign, quiet);
    store_halves(to + k, narrow16(select_above(bit_and(bits, magnitude_mask), infinity, nan_bits, rounded)));
  }
  return k;
}
