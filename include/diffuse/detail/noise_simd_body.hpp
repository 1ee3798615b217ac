/// The vectorised noise kernel, written once over the primitives of an instruction-set namespace.
///
/// No include guard on purpose: noise_simd.hpp includes this file inside each instruction-set
/// namespace (avx2, avx512, neon) of simd.hpp, which defines there Int, Float, Double, `lanes`, the
/// primitives and scaled_sum; noise_simd.hpp defines the macro DIFFUSE_SIMD_TARGET. Every function mirrors the scalar code of normal.hpp and
/// noise_task.hpp operation for operation, so that the bits are the same.

#ifndef DIFFUSE_SIMD_TARGET
// clang-format off
#error "a per-target body: include it only inside an instruction-set namespace of simd.hpp, with DIFFUSE_SIMD_TARGET defined"
// clang-format on
#endif

/// Philox4x32-10 counters of `lanes` consecutive blocks (lane l holds block base + l).
struct Counters {
  Int c0, c1, c2, c3;
};

/// The Philox4x32-10 round keys of a key, broadcast: k[2r], k[2r + 1] for round r.
struct RoundKeys {
  Int k[2 * Philox4x32::default_rounds];
};

DIFFUSE_SIMD_TARGET inline RoundKeys round_keys(Philox4x32::Key key) {
  RoundKeys keys;
  for (int r = 0; r < Philox4x32::default_rounds; ++r) {
    if (r > 0) key = Philox4x32::bump(key);
    keys.k[2 * r] = splat32(key[0]);
    keys.k[2 * r + 1] = splat32(key[1]);
  }
  return keys;
}

/// The counters (noise_counter) of blocks base .. base + lanes − 1 of sample id.
DIFFUSE_SIMD_TARGET inline Counters counters(std::uint64_t id, std::uint64_t base) {
  const Product block = block_words(base);
  return {block.lo, block.hi, splat32(static_cast<std::uint32_t>(id)), splat32(static_cast<std::uint32_t>(id >> 32))};
}

/// One round (Philox4x32::round), lane by lane.
DIFFUSE_SIMD_TARGET inline void philox_round(Counters& c, Int k0, Int k1) {
  const Product p0 = mulhilo(c.c0, splat32(Philox4x32::multiplier0));
  const Product p1 = mulhilo(c.c2, splat32(Philox4x32::multiplier1));
  c = {xor3(p1.hi, c.c1, k0), p1.lo, xor3(p0.hi, c.c3, k1), p0.lo};
}

/// Rounds first_round + 1 .. 10 of Philox4x32-10 on `sets` sets of counters, round by round so
/// that their latencies overlap.
DIFFUSE_SIMD_TARGET inline void philox(Counters (&c)[sets], const RoundKeys& keys, int first_round) {
  for (int r = first_round; r < Philox4x32::default_rounds; ++r) {
#pragma GCC unroll 8
    for (int s = 0; s < sets; ++s) philox_round(c[s], keys.k[2 * r], keys.k[2 * r + 1]);
  }
}

/// Philox4x32-10 (the words of noise_block) of the sets · lanes blocks base, base + 1, … of
/// sample id. When they share the high counter word (no carry inside the group), half of round 1
/// (M1·c2) and of round 2 (M0·c0) is the same in every lane: computed once in scalar code, with
/// the same results.
DIFFUSE_SIMD_TARGET inline void philox_blocks(std::uint64_t id, std::uint64_t base, const Philox4x32::Key& key,
                                              const RoundKeys& keys, Counters (&c)[sets]) {
  constexpr std::uint32_t span = sets * lanes;
  const std::uint32_t low = static_cast<std::uint32_t>(base);
  if (low > 0xffffffffu - (span - 1)) {
#pragma GCC unroll 8
    for (int s = 0; s < sets; ++s) c[s] = counters(id, base + static_cast<std::uint64_t>(s * lanes));
    philox(c, keys, 0);
    return;
  }
  const std::uint32_t high = static_cast<std::uint32_t>(base >> 32);
  const std::uint32_t id_low = static_cast<std::uint32_t>(id), id_high = static_cast<std::uint32_t>(id >> 32);
  const Philox4x32::Key key2 = Philox4x32::bump(key);
  // Round 1: (c0, high, id_low, id_high) → (hi(M1 id_low) ⊕ high ⊕ k0, lo(M1 id_low), hi(M0 c0) ⊕ id_high ⊕ k1, lo(M0 c0)).
  const std::uint64_t p1 = std::uint64_t{Philox4x32::multiplier1} * id_low;
  const std::uint32_t round1_c0 = static_cast<std::uint32_t>(p1 >> 32) ^ high ^ key[0];
  const std::uint32_t round1_c1 = static_cast<std::uint32_t>(p1);
  // Round 2: the product M0 · round1_c0 is the same in every lane too.
  const std::uint64_t p0 = std::uint64_t{Philox4x32::multiplier0} * round1_c0;
  const Int round1_c2_mask = splat32(id_high ^ key[1]);
  const Int round2_c0_mask = splat32(round1_c1 ^ key2[0]);
  const Int round2_c2_mask = splat32(static_cast<std::uint32_t>(p0 >> 32) ^ key2[1]);
  const Int round2_c3 = splat32(static_cast<std::uint32_t>(p0));
#pragma GCC unroll 8
  for (int s = 0; s < sets; ++s) {
    const Int c0 = add32(splat32(low + static_cast<std::uint32_t>(s * lanes)), lane_index());
    const Product a = mulhilo(c0, splat32(Philox4x32::multiplier0));
    const Product b = mulhilo(bit_xor(a.hi, round1_c2_mask), splat32(Philox4x32::multiplier1));
    c[s] = {bit_xor(b.hi, round2_c0_mask), b.lo, bit_xor(a.lo, round2_c2_mask), round2_c3};
  }
  philox(c, keys, 2);
}

/// horner of normal.hpp.
template <int N>
DIFFUSE_SIMD_TARGET inline Float horner(Float x, const float (&c)[N]) {
  Float y = splat(c[N - 1]);
  for (int k = N - 2; k >= 0; --k) y = fmadd(y, x, splat(c[k]));
  return y;
}

template <int N>
DIFFUSE_SIMD_TARGET inline Double horner(Double x, const double (&c)[N]) {
  Double y = splat(c[N - 1]);
  for (int k = N - 2; k >= 0; --k) y = fmadd(y, x, splat(c[k]));
  return y;
}

/// log_uniform<float> of normal.hpp.
DIFFUSE_SIMD_TARGET inline Float log_uniform(Float n) {
  using C = NormalConstants<float>;
  const Int bits = as_int(n);
  const Int k = shr32<C::mantissa_bits>(sub32(bits, splat32(C::sqrt_half_bits)));
  const Float m = as_float(sub32(bits, shl32<C::mantissa_bits>(k)));
  const Float e = to_float(sub32(k, splat32(C::uniform_bits)));
  const Float f = sub(m, splat(1.0f));
  const Float s = div(f, add(splat(2.0f), f));
  const Float z = mul(s, s);
  const Float r = mul(z, horner(z, C::log_k));
  const Float half_f = mul(splat(0.5f), f);
  Float y = fmadd(s, fmadd(half_f, f, r), mul(e, splat(C::ln2_low)));
  y = fnmadd(half_f, f, y);
  y = add(y, f);
  return fmadd(e, splat(C::ln2_high), y);
}

/// log_uniform<double> of normal.hpp; the exponent k is converted exactly through 2^52 + k.
DIFFUSE_SIMD_TARGET inline Double log_uniform(Double n) {
  using C = NormalConstants<double>;
  const Int bits = as_int(n);
  const Int k = shr64<C::mantissa_bits>(sub64(bits, splat64(C::sqrt_half_bits)));
  const Double m = as_double(sub64(bits, shl64<C::mantissa_bits>(k)));
  const Double e = sub(as_double(bit_or(k, splat64(0x4330000000000000ull))), splat(0x1p52 + C::uniform_bits));
  const Double f = sub(m, splat(1.0));
  const Double s = div(f, add(splat(2.0), f));
  const Double z = mul(s, s);
  const Double r = mul(z, horner(z, C::log_k));
  const Double half_f = mul(splat(0.5), f);
  Double y = fmadd(s, fmadd(half_f, f, r), mul(e, splat(C::ln2_low)));
  y = fnmadd(half_f, f, y);
  y = add(y, f);
  return fmadd(e, splat(C::ln2_high), y);
}

/// normal_pair<float> of normal.hpp for every lane: radius words w0, angle words w1. The bit
/// manipulations are regrouped (the same bits): v's bits are ((t >> 7) & (2^23 − 1)) | bits(1) | 1;
/// the quarter q = t >> 30 is read from the sign bits of t (q ≥ 2) and of t << 1 (q odd).
DIFFUSE_SIMD_TARGET inline void normal_pairs(Int w0, Int w1, Float& z0, Float& z1) {
  using C = NormalConstants<float>;
  const Float n = to_float(bit_or(shr32<1>(w0), splat32(1)));
  const Float r = sqrt(mul(splat(-2.0f), log_uniform(n)));
  const Int t = add32(w1, splat32(0x20000000u));
  const Float v = sub(as_float(and_or(shr32<7>(t), splat32(0x007fffffu), splat32(0x3f800001u))), splat(1.5f));
  const Float v2 = mul(v, v);
  const Float s = mul(v, horner(v2, C::sin_k));
  const Float c = horner(v2, C::cos_k);
  const Int odd = shl32<1>(t);
  const Int sign = splat32(0x80000000u);
  // cos θ is negative for q = 1, 2 (bit 31 ⊕ bit 30 of t), sin θ for q = 2, 3 (bit 31).
  z0 = mul(r, flip_sign(select_sign(odd, c, s), xor_and(t, odd, sign)));
  z1 = mul(r, flip_sign(select_sign(odd, s, c), bit_and(t, sign)));
}

/// normal_pair<double> of normal.hpp for every 64-bit lane: radius words x, angle words a (bits
/// regrouped as in the float version).
DIFFUSE_SIMD_TARGET inline void normal_pairs(Int x, Int a, Double& z0, Double& z1) {
  using C = NormalConstants<double>;
  // n = (x >> 12) | 1 < 2^52: exact through 2^52 + n.
  const Double n = sub(as_double(bit_or(shr64<12>(x), splat64(0x4330000000000001ull))), splat(0x1p52));
  const Double r = sqrt(mul(splat(-2.0), log_uniform(n)));
  const Int t = add64(a, splat64(std::uint64_t{1} << 61));
  const Double v =
      sub(as_double(and_or(shr64<10>(t), splat64(0x000fffffffffffffull), splat64(0x3ff0000000000001ull))), splat(1.5));
  const Double v2 = mul(v, v);
  const Double s = mul(v, horner(v2, C::sin_k));
  const Double c = horner(v2, C::cos_k);
  const Int odd = shl64<1>(t);
  const Int sign = splat64(0x8000000000000000ull);
  z0 = mul(r, flip_sign(select_sign(odd, c, s), xor_and(t, odd, sign)));
  z1 = mul(r, flip_sign(select_sign(odd, s, c), bit_and(t, sign)));
}

/// Stores the normals of the `lanes` blocks of w in element order (noise_block, block by block).
DIFFUSE_SIMD_TARGET inline void store_normals(const Counters& w, float* out) {
  Float a0, a1, b0, b1;
  normal_pairs(w.c0, w.c1, a0, a1);
  normal_pairs(w.c2, w.c3, b0, b1);
  store_block_normals(a0, a1, b0, b1, out);
}

DIFFUSE_SIMD_TARGET inline void store_normals(const Counters& w, double* out) {
  Double a0, a1, b0, b1;
  normal_pairs(join_first(w.c0, w.c1), join_first(w.c2, w.c3), a0, a1);
  normal_pairs(join_second(w.c0, w.c1), join_second(w.c2, w.c3), b0, b1);
  store_block_normals(a0, a1, b0, b1, out);
}

/// normal_pair for the first pairs of arrays of radius and angle words, a whole number of
/// registers of them; returns how many pairs it did (the caller does the rest).
DIFFUSE_SIMD_TARGET inline std::size_t normal_pairs_of(const std::uint32_t* radius, const std::uint32_t* angle,
                                                       std::size_t n, float* z0, float* z1) {
  constexpr std::size_t width = lanes;
  std::size_t p = 0;
  for (; p + width <= n; p += width) {
    Float a, b;
    normal_pairs(load_words(radius + p), load_words(angle + p), a, b);
    store(z0 + p, a);
    store(z1 + p, b);
  }
  return p;
}

DIFFUSE_SIMD_TARGET inline std::size_t normal_pairs_of(const std::uint64_t* radius, const std::uint64_t* angle,
                                                       std::size_t n, double* z0, double* z1) {
  constexpr std::size_t width = lanes / 2;
  std::size_t p = 0;
  for (; p + width <= n; p += width) {
    Double a, b;
    normal_pairs(load_words(radius + p), load_words(angle + p), a, b);
    store(z0 + p, a);
    store(z1 + p, b);
  }
  return p;
}

/// run_noise_task_portable of noise_task.hpp, sets × lanes blocks at a time.
template <class Scalar>
DIFFUSE_SIMD_TARGET inline void run_noise_task(const NoiseTask<Scalar>& task) {
  using Vector = decltype(load(static_cast<const Scalar*>(nullptr)));
  constexpr std::size_t width = sizeof(Vector) / sizeof(Scalar);
  constexpr std::size_t per_block = static_cast<std::size_t>(normals_per_block<Scalar>);
  constexpr std::size_t group = sets * lanes * per_block;
  const Philox4x32::Key key = noise_key(task.seed);
  const RoundKeys keys = round_keys(key);
  const std::uint64_t first_block = task.first / per_block;
  // Element k of the task is element skip + k counted from the first block.
  const std::size_t skip = static_cast<std::size_t>(task.first % per_block);
  const std::size_t end = skip + task.count;
  const Vector a = splat(task.a);
  const Vector b = splat(task.b);
  alignas(64) Scalar z[group];
  for (std::size_t start = 0; start < end; start += group) {
    Counters c[sets];
    philox_blocks(task.id, first_block + start / per_block, key, keys, c);
#pragma GCC unroll 8
    for (int s = 0; s < sets; ++s) store_normals(c[s], z + static_cast<std::size_t>(s * lanes) * per_block);
    if (start >= skip && start + group <= end && task.contiguous()) {
      const std::size_t k = start - skip;
      if (task.xt) {
        for (std::size_t v = 0; v < group; v += width) {
          store(task.xt + k + v, scaled_sum(a, load(task.x0 + k + v), b, load(z + v)));
        }
      }
      if (task.eps) {
        for (std::size_t v = 0; v < group; v += width) store(task.eps + k + v, load(z + v));
      }
      if (task.target) {
        const Vector ta = splat(task.target_a), tb = splat(task.target_b);
        for (std::size_t v = 0; v < group; v += width) {
          store(task.target + k + v, scaled_sum(ta, load(task.x0 + k + v), tb, load(z + v)));
        }
      }
    } else {  // the edges of the task, and strided arrays
      const std::size_t from = start < skip ? skip : start;
      const std::size_t to = start + group < end ? start + group : end;
      for (std::size_t e = from; e < to; ++e) apply_noise(task, e - skip, z[e - start]);
    }
  }
}
