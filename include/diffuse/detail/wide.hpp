/// diffuse's own extended-precision number, Wide: a 128-bit significand held in two 64-bit integers.
///
/// Every schedule and process is computed in Wide and rounded once to float, double or long
/// double. Wide is integer arithmetic throughout: its results are the same bits on every CPU,
/// compiler, standard library and operating system, with or without FMA hardware, under any
/// rounding mode and under -ffast-math (the compiler has no floating-point operation to reorder).
/// Floating-point values enter and leave it by their bits.
///
/// Arithmetic (+, −, ×, ÷) is correctly rounded to 128 bits (round to nearest, ties to even):
/// relative error at most u = 2⁻¹²⁸. Conversions from float, double and long double are exact;
/// conversions to them round to nearest, ties to even, once, subnormals included. The exponent
/// range is ±2³⁰ (beyond it a result is ±∞ or ±0). The functions exp, log, sin, … are in
/// wide_math.hpp, decimal input in wide_decimal.hpp; their error bounds are stated there.
#pragma once

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>

#include "error.hpp"
#include "float_class.hpp"
#include "uint128.hpp"

namespace diffuse {
namespace detail {

/// A 256-bit unsigned integer, w[3] the most significant word.
struct U256 {
  std::uint64_t w[4];
};

/// x >> shift (0 ≤ shift), returning whether a non-zero bit was shifted out.
inline bool shift_right(U256& x, int shift) {
  if (shift <= 0) return false;
  if (shift >= 256) {
    const bool lost = (x.w[0] | x.w[1] | x.w[2] | x.w[3]) != 0;
    x = U256{{0, 0, 0, 0}};
    return lost;
  }
  const int words = shift >> 6, bits = shift & 63;
  std::uint64_t out = 0;  // the bits shifted out, ORed together
  switch (words) {        // move whole words first
    case 3:
      out = x.w[0] | x.w[1] | x.w[2];
      x = U256{{x.w[3], 0, 0, 0}};
      break;
    case 2:
      out = x.w[0] | x.w[1];
      x = U256{{x.w[2], x.w[3], 0, 0}};
      break;
    case 1:
      out = x.w[0];
      x = U256{{x.w[1], x.w[2], x.w[3], 0}};
      break;
    default: break;
  }
  if (bits != 0) {
    out |= x.w[0] << (64 - bits);
    x.w[0] = (x.w[0] >> bits) | (x.w[1] << (64 - bits));
    x.w[1] = (x.w[1] >> bits) | (x.w[2] << (64 - bits));
    x.w[2] = (x.w[2] >> bits) | (x.w[3] << (64 - bits));
    x.w[3] >>= bits;
  }
  return out != 0;
}

/// x << shift, 0 ≤ shift < 256 (the caller knows no set bit leaves the top).
inline void shift_left(U256& x, int shift) {
  if (shift <= 0) return;
  const int words = shift >> 6, bits = shift & 63;
  switch (words) {
    case 3: x = U256{{0, 0, 0, x.w[0]}}; break;
    case 2: x = U256{{0, 0, x.w[0], x.w[1]}}; break;
    case 1: x = U256{{0, x.w[0], x.w[1], x.w[2]}}; break;
    default: break;
  }
  if (bits != 0) {
    x.w[3] = (x.w[3] << bits) | (x.w[2] >> (64 - bits));
    x.w[2] = (x.w[2] << bits) | (x.w[1] >> (64 - bits));
    x.w[1] = (x.w[1] << bits) | (x.w[0] >> (64 - bits));
    x.w[0] <<= bits;
  }
}

/// The number of leading zero bits of x (256 if x = 0).
inline int leading_zeros(const U256& x) {
  for (int i = 3; i >= 0; --i) {
    if (x.w[i] != 0) return (3 - i) * 64 + leading_zeros(x.w[i]);
  }
  return 256;
}

/// An extended-precision number: ±(hi·2⁶⁴ + lo)·2^(exponent − 127) with bit 63 of hi set, or ±0,
/// ±∞, NaN. See the file comment.
class Wide {
 public:
  /// The largest |exponent| of a finite Wide.
  static constexpr std::int32_t max_exponent = 1 << 30;

  /// +0.
  constexpr Wide() = default;
  /// An integer, exactly.
  template <class Int, typename std::enable_if<std::is_integral<Int>::value, int>::type = 0>
  Wide(Int value) {  // NOLINT(google-explicit-constructor): integers mix freely with Wide
    const bool negative = value < 0;
    const std::uint64_t magnitude =
        negative ? std::uint64_t(0) - static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value);
    if (magnitude != 0) {
      const int zeros = leading_zeros(magnitude);
      *this = from_parts(negative, 63 - zeros, magnitude << zeros, 0);
    }
  }
  /// A float, exactly.
  explicit Wide(float x) : Wide(from_ieee(bits_of<std::uint32_t>(x), 23, 8)) {}
  /// A double, exactly.
  explicit Wide(double x) : Wide(from_ieee(bits_of<std::uint64_t>(x), 52, 11)) {}
  /// A long double, exactly (x87 extended, IEEE binary128 or double, by frexp and ldexp, which
  /// are exact).
  explicit Wide(long double x);

  /// ±(hi·2⁶⁴ + lo)·2^(exponent − 127), for tables of constants: bit 63 of hi must be set.
  static constexpr Wide from_parts(bool negative, std::int32_t exponent, std::uint64_t hi, std::uint64_t lo) {
    Wide w;
    w.negative_ = negative;
    w.exponent_ = exponent;
    w.hi_ = hi;
    w.lo_ = lo;
    w.kind_ = Kind::finite;
    return w;
  }
  static Wide infinity(bool negative = false) {
    Wide w;
    w.kind_ = Kind::infinite;
    w.negative_ = negative;
    return w;
  }
  static Wide nan() {
    Wide w;
    w.kind_ = Kind::nan;
    return w;
  }

  bool is_zero() const { return kind_ == Kind::zero; }
  bool is_nan() const { return kind_ == Kind::nan; }
  bool is_infinite() const { return kind_ == Kind::infinite; }
  bool is_finite() const { return kind_ == Kind::zero || kind_ == Kind::finite; }
  /// The sign bit (also of −0 and −∞).
  bool negative() const { return negative_; }
  /// e with 2^e ≤ |x| < 2^(e+1), for finite non-zero x.
  std::int32_t exponent() const { return exponent_; }
  /// The significand's words (finite non-zero x).
  std::uint64_t significand_high() const { return hi_; }
  std::uint64_t significand_low() const { return lo_; }

  /// Rounded to nearest, ties to even (once, subnormals and overflow to ±∞ included).
  explicit operator float() const { return from_bits<float>(static_cast<std::uint32_t>(to_ieee(23, 8))); }
  explicit operator double() const { return from_bits<double>(to_ieee(52, 11)); }
  explicit operator long double() const;

  friend Wide operator-(Wide x) {
    if (x.kind_ != Kind::nan) x.negative_ = !x.negative_;
    return x;
  }
  friend Wide operator+(const Wide& a, const Wide& b) { return add(a, b, false); }
  friend Wide operator-(const Wide& a, const Wide& b) { return add(a, b, true); }
  friend Wide operator*(const Wide& a, const Wide& b) {
    const bool negative = a.negative_ != b.negative_;
    if (a.kind_ == Kind::nan || b.kind_ == Kind::nan) return nan();
    if (a.kind_ == Kind::infinite || b.kind_ == Kind::infinite) {
      return a.kind_ == Kind::zero || b.kind_ == Kind::zero ? nan() : infinity(negative);
    }
    if (a.kind_ == Kind::zero || b.kind_ == Kind::zero) return zero(negative);
    U256 m = multiply_words(a.hi_, a.lo_, b.hi_, b.lo_);
    std::int64_t e = static_cast<std::int64_t>(a.exponent_) + b.exponent_ + 1;
    if ((m.w[3] >> 63) == 0) {  // the product of two significands in [2¹²⁷, 2¹²⁸) has 255 or 256 bits
      m.w[3] = (m.w[3] << 1) | (m.w[2] >> 63);
      m.w[2] = (m.w[2] << 1) | (m.w[1] >> 63);
      m.w[1] = (m.w[1] << 1) | (m.w[0] >> 63);
      m.w[0] <<= 1;
      --e;
    }
    return round_and_pack(negative, e, m.w[3], m.w[2], m.w[1], m.w[0] != 0);
  }
  friend Wide operator/(const Wide& a, const Wide& b) { return divide(a, b); }
  Wide& operator+=(const Wide& b) { return *this = *this + b; }
  Wide& operator-=(const Wide& b) { return *this = *this - b; }
  Wide& operator*=(const Wide& b) { return *this = *this * b; }
  Wide& operator/=(const Wide& b) { return *this = *this / b; }

  /// IEEE comparisons: NaN is unordered, −0 == +0.
  friend bool operator<(const Wide& a, const Wide& b) { return compare(a, b) == Order::less; }
  friend bool operator>(const Wide& a, const Wide& b) { return compare(a, b) == Order::greater; }
  friend bool operator<=(const Wide& a, const Wide& b) {
    const Order o = compare(a, b);
    return o == Order::less || o == Order::equal;
  }
  friend bool operator>=(const Wide& a, const Wide& b) {
    const Order o = compare(a, b);
    return o == Order::greater || o == Order::equal;
  }
  friend bool operator==(const Wide& a, const Wide& b) { return compare(a, b) == Order::equal; }
  friend bool operator!=(const Wide& a, const Wide& b) { return compare(a, b) != Order::equal; }

  /// x·2ⁿ, exactly (unless it leaves the exponent range).
  friend Wide ldexp(Wide x, long long n) {
    if (x.kind_ != Kind::finite) return x;
    const long long e = x.exponent_ + n;
    if (e > max_exponent) return infinity(x.negative_);
    if (e < -max_exponent) return zero(x.negative_);
    x.exponent_ = static_cast<std::int32_t>(e);
    return x;
  }

  /// ⌊x⌋ for |x| < 2⁶², as an integer.
  friend long long floor_to_integer(const Wide& x) {
    if (x.kind_ != Kind::finite || x.exponent_ < 0) return x.kind_ == Kind::finite && x.negative_ ? -1 : 0;
    U256 m{{0, 0, x.lo_, x.hi_}};
    const bool fraction = shift_right(m, 255 - x.exponent_);
    const long long magnitude = static_cast<long long>(m.w[0]);
    return x.negative_ ? -magnitude - (fraction ? 1 : 0) : magnitude;
  }

  /// The value M·2^(e − 255) of a 256-bit magnitude M (plus a non-zero remainder below it when
  /// `sticky`), rounded to nearest, ties to even.
  static Wide from_magnitude(bool negative, std::int64_t e, U256 m, bool sticky) {
    int zeros;
    if (m.w[3] != 0) {
      zeros = leading_zeros(m.w[3]);
      if (zeros != 0) {
        m.w[3] = (m.w[3] << zeros) | (m.w[2] >> (64 - zeros));
        m.w[2] = (m.w[2] << zeros) | (m.w[1] >> (64 - zeros));
        m.w[1] = (m.w[1] << zeros) | (m.w[0] >> (64 - zeros));
        m.w[0] <<= zeros;
      }
    } else {
      zeros = leading_zeros(m);
      if (zeros == 256) return zero(negative);
      shift_left(m, zeros);
    }
    // The remainder lies below the rounding position (see add and divide): it only says "not 0".
    return round_and_pack(negative, e - zeros, m.w[3], m.w[2], m.w[1], sticky || m.w[0] != 0);
  }

  /// ±(hi, lo)·2^(e − 127) with bit 63 of hi set, rounded to nearest (ties to even) by the next 64
  /// bits `below` and whether anything non-zero lies further down (`sticky`).
  static Wide round_and_pack(bool negative, std::int64_t e, std::uint64_t hi, std::uint64_t lo, std::uint64_t below,
                             bool sticky) {
    const bool guard = (below >> 63) != 0;
    const bool rest = (below << 1) != 0 || sticky;
    if (guard && (rest || (lo & 1) != 0)) {
      if (++lo == 0 && ++hi == 0) {
        hi = std::uint64_t(1) << 63;
        ++e;
      }
    }
    if (e > max_exponent) return infinity(negative);
    if (e < -max_exponent) return zero(negative);
    return from_parts(negative, static_cast<std::int32_t>(e), hi, lo);
  }

 private:
  enum class Kind : std::uint8_t { zero, finite, infinite, nan };
  enum class Order { less, equal, greater, unordered };

  std::uint64_t hi_ = 0;
  std::uint64_t lo_ = 0;
  std::int32_t exponent_ = 0;
  bool negative_ = false;
  Kind kind_ = Kind::zero;

  static Wide zero(bool negative) {
    Wide w;
    w.negative_ = negative;
    return w;
  }

  template <class Float, class Bits>
  static Float from_bits(Bits bits) {
    Float x;
    std::memcpy(&x, &bits, sizeof x);
    return x;
  }

  /// An IEEE binary format's value from its bits (`fraction_bits`, `exponent_bits` wide).
  static Wide from_ieee(std::uint64_t bits, int fraction_bits, int exponent_bits) {
    const bool negative = (bits >> (fraction_bits + exponent_bits)) != 0;
    const std::uint64_t field = (bits >> fraction_bits) & ((std::uint64_t(1) << exponent_bits) - 1);
    const std::uint64_t fraction = bits & ((std::uint64_t(1) << fraction_bits) - 1);
    const int bias = (1 << (exponent_bits - 1)) - 1;
    if (field == (std::uint64_t(1) << exponent_bits) - 1) return fraction == 0 ? infinity(negative) : nan();
    const std::uint64_t significand = field == 0 ? fraction : fraction | (std::uint64_t(1) << fraction_bits);
    const long long e =
        (field == 0 ? 1 : static_cast<long long>(field)) - bias - fraction_bits;  // value = significand·2^e
    return from_magnitude(negative, e + 255, U256{{significand, 0, 0, 0}}, false);
  }

  /// ⌊S/2^shift⌉ (nearest, ties to even) of the significand S, for 0 < shift ≤ 256.
  /// ⌊S/2^shift⌉ (nearest, ties to even) of the significand S, for 64 ≤ shift (a result of at most
  /// 64 bits): q = ⌊S/2^shift⌋, up by one if the bits below are above half, or half and q is odd.
  std::uint64_t round_significand(int shift) const {
    if (shift > 128) return 0;  // S/2^shift < ½
    const int b = shift - 64;   // the first b bits of hi are dropped, then lo
    const std::uint64_t q = b == 64 ? 0 : hi_ >> b;
    const std::uint64_t guard = b == 0 ? lo_ >> 63 : (hi_ >> (b - 1)) & 1;
    const std::uint64_t below = b == 0 ? lo_ << 1 : (lo_ | (b >= 2 ? hi_ << (65 - b) : 0));
    return guard != 0 && (below != 0 || (q & 1) != 0) ? q + 1 : q;
  }

  /// The bits of this value in an IEEE binary format, rounded to nearest, ties to even.
  std::uint64_t to_ieee(int fraction_bits, int exponent_bits) const {
    const std::uint64_t sign = negative_ ? std::uint64_t(1) << (fraction_bits + exponent_bits) : 0;
    const std::uint64_t all_ones = (std::uint64_t(1) << exponent_bits) - 1;
    if (kind_ == Kind::nan) return (all_ones << fraction_bits) | (std::uint64_t(1) << (fraction_bits - 1));
    if (kind_ == Kind::infinite) return sign | (all_ones << fraction_bits);
    if (kind_ == Kind::zero) return sign;
    const int bias = (1 << (exponent_bits - 1)) - 1;
    if (exponent_ > bias) return sign | (all_ones << fraction_bits);
    // Normal: keep fraction_bits + 1 bits; subnormal: fewer, the last one worth 2^(1 − bias − fraction_bits).
    const int kept = exponent_ >= 1 - bias ? fraction_bits + 1 : fraction_bits + 1 - (1 - bias - exponent_);
    const std::uint64_t m = round_significand(128 - kept);
    // m·2^(exponent − kept + 1). Normal: the field is exponent + bias, and m = 2^(fraction_bits + 1)
    // after rounding up carries into it; subnormal: the field is 0, and a carry to 2^fraction_bits
    // makes it the smallest normal. Both are the sum below.
    const std::uint64_t field = exponent_ >= 1 - bias ? static_cast<std::uint64_t>(exponent_ + bias - 1) : 0;
    const std::uint64_t bits = (field << fraction_bits) + m;
    return (bits >> fraction_bits) >= all_ones ? sign | (all_ones << fraction_bits) : sign | bits;
  }

  static Order compare(const Wide& a, const Wide& b) {
    if (a.kind_ == Kind::nan || b.kind_ == Kind::nan) return Order::unordered;
    const int sa = a.signum(), sb = b.signum();
    if (sa != sb) return sa < sb ? Order::less : Order::greater;
    if (sa == 0) return Order::equal;
    const int magnitude = compare_magnitudes(a, b);
    if (magnitude == 0) return Order::equal;
    return (magnitude < 0) == (sa > 0) ? Order::less : Order::greater;
  }
  int signum() const { return kind_ == Kind::zero ? 0 : (negative_ ? -1 : 1); }
  /// −1, 0, 1 as |a| <, =, > |b| (both non-zero, not NaN).
  static int compare_magnitudes(const Wide& a, const Wide& b) {
    if (a.kind_ == Kind::infinite || b.kind_ == Kind::infinite) {
      return a.kind_ == b.kind_ ? 0 : (a.kind_ == Kind::infinite ? 1 : -1);
    }
    if (a.exponent_ != b.exponent_) return a.exponent_ < b.exponent_ ? -1 : 1;
    if (a.hi_ != b.hi_) return a.hi_ < b.hi_ ? -1 : 1;
    if (a.lo_ != b.lo_) return a.lo_ < b.lo_ ? -1 : 1;
    return 0;
  }

  /// a + b, or a − b when `subtract`.
  static Wide add(const Wide& a, Wide b, bool subtract) {
    if (subtract && b.kind_ != Kind::nan) b.negative_ = !b.negative_;
    if (a.kind_ == Kind::nan || b.kind_ == Kind::nan) return nan();
    if (a.kind_ == Kind::infinite || b.kind_ == Kind::infinite) {
      if (a.kind_ == Kind::infinite && b.kind_ == Kind::infinite && a.negative_ != b.negative_) return nan();
      return a.kind_ == Kind::infinite ? a : b;
    }
    if (b.kind_ == Kind::zero) return a.kind_ == Kind::zero ? zero(a.negative_ && b.negative_) : a;
    if (a.kind_ == Kind::zero) return b;
    const bool a_larger = compare_magnitudes(a, b) >= 0;
    const Wide& big = a_larger ? a : b;
    const Wide& small = a_larger ? b : a;
    // A 192-bit window: x = (hi, lo, 0) of the larger, y the smaller shifted right by d. Bits of
    // y below the window (only when d > 64) set `sticky`: the true y then lies strictly between y
    // and y + 1 (in units of the window's last bit).
    const std::int64_t d = static_cast<std::int64_t>(big.exponent_) - small.exponent_;
    std::uint64_t y2 = 0, y1 = 0, y0 = 0;
    bool sticky = false;
    if (d == 0) {
      y2 = small.hi_;
      y1 = small.lo_;
    } else if (d < 64) {
      y2 = small.hi_ >> d;
      y1 = (small.hi_ << (64 - d)) | (small.lo_ >> d);
      y0 = small.lo_ << (64 - d);
    } else if (d == 64) {
      y1 = small.hi_;
      y0 = small.lo_;
    } else if (d < 128) {
      y1 = small.hi_ >> (d - 64);
      y0 = (small.hi_ << (128 - d)) | (small.lo_ >> (d - 64));
      sticky = (small.lo_ << (128 - d)) != 0;
    } else if (d == 128) {
      y0 = small.hi_;
      sticky = small.lo_ != 0;
    } else if (d < 192) {
      y0 = small.hi_ >> (d - 128);
      sticky = true;  // small.lo_ or the low bits of hi are non-zero: hi has its top bit set
    } else {
      sticky = true;
    }
    std::int64_t e = big.exponent_;
    if (big.negative_ == small.negative_) {
      std::uint64_t carry = 0;
      std::uint64_t w0 = add_with_carry(0, y0, carry);
      std::uint64_t w1 = add_with_carry(big.lo_, y1, carry);
      std::uint64_t w2 = add_with_carry(big.hi_, y2, carry);
      if (carry != 0) {  // 193 bits: shift right by one
        sticky = sticky || (w0 & 1) != 0;
        w0 = (w0 >> 1) | (w1 << 63);
        w1 = (w1 >> 1) | (w2 << 63);
        w2 = (w2 >> 1) | (std::uint64_t(1) << 63);
        ++e;
      }
      return round_and_pack(big.negative_, e, w2, w1, w0, sticky);
    }
    // x − y_true lies strictly between x − y − 1 and x − y: subtract one more and keep it sticky.
    std::uint64_t borrow = sticky ? 1 : 0;
    const std::uint64_t w0 = subtract_with_borrow(0, y0, borrow);
    const std::uint64_t w1 = subtract_with_borrow(big.lo_, y1, borrow);
    const std::uint64_t w2 = subtract_with_borrow(big.hi_, y2, borrow);
    if ((w2 >> 63) != 0) return round_and_pack(big.negative_, e, w2, w1, w0, sticky);
    if ((w0 | w1 | w2) == 0 && !sticky) return zero(false);                  // x − x is +0, as in IEEE arithmetic
    return from_magnitude(big.negative_, e, U256{{0, w0, w1, w2}}, sticky);  // cancellation: exact
  }

  /// a/b: Knuth's algorithm D (The Art of Computer Programming, vol. 2, §4.3.1) on 64-bit digits
  /// for a quotient of at least 192 bits, then one rounding with the remainder as sticky bit.
  static Wide divide(const Wide& a, const Wide& b) {
    const bool negative = a.negative_ != b.negative_;
    if (a.kind_ == Kind::nan || b.kind_ == Kind::nan) return nan();
    if (a.kind_ == Kind::infinite) return b.kind_ == Kind::infinite ? nan() : infinity(negative);
    if (b.kind_ == Kind::infinite) return zero(negative);
    if (b.kind_ == Kind::zero) return a.kind_ == Kind::zero ? nan() : infinity(negative);
    if (a.kind_ == Kind::zero) return zero(negative);
    if (b.hi_ == std::uint64_t(1) << 63 && b.lo_ == 0) {  // a power of two: exact
      Wide q = ldexp(a, -static_cast<long long>(b.exponent_));
      q.negative_ = negative;
      return q;
    }
    return divide_significands(negative, static_cast<std::int64_t>(a.exponent_) - b.exponent_, a.hi_, a.lo_, b.hi_,
                               b.lo_);
  }

  /// ±(A/B)·2^e for significands A, B in [2¹²⁷, 2¹²⁸), correctly rounded. The quotient
  /// Q = ⌊A·2¹²⁸/B⌋ comes from a reciprocal X ≈ 2²⁵⁵/B (one 128/64-bit division for 64 bits, one
  /// Newton step X + X(2²⁵⁵ − BX)/2²⁵⁵ for about 124), then Q is corrected until the exact
  /// remainder A·2¹²⁸ − QB lies in [0, B), which also gives the rounding bits.
  static Wide divide_significands(bool negative, std::int64_t e, std::uint64_t a1, std::uint64_t a0, std::uint64_t b1,
                                  std::uint64_t b0) {
    // r = ⌊2¹²⁷/(b1 + 1)⌋, so X0 = r·2⁶⁴ lies below 2²⁵⁵/B by a relative 2⁻⁶² at most.
    std::uint64_t unused = 0;
    const std::uint64_t r =
        b1 == ~std::uint64_t(0) ? std::uint64_t(1) << 63 : divide_128_by_64(std::uint64_t(1) << 63, 0, b1 + 1, unused);
    // E/2⁶⁴ = 2¹⁹¹ − B·r (≥ 0, below 2¹²⁹), three words.
    const U128 p0 = multiply_full(b0, r), p1 = multiply_full(b1, r);
    std::uint64_t carry = 0;
    const std::uint64_t br1 = add_with_carry(p0.hi, p1.lo, carry);
    const std::uint64_t br2 = p1.hi + carry;
    std::uint64_t borrow = 0;
    const std::uint64_t e0 = subtract_with_borrow(0, p0.lo, borrow);
    const std::uint64_t e1 = subtract_with_borrow(0, br1, borrow);
    const std::uint64_t e2 = subtract_with_borrow(std::uint64_t(1) << 63, br2, borrow);
    // X1 = X0 + X0·E/2²⁵⁵ = r·2⁶⁴ + r·⌊E/2¹²⁷⌋/2⁶⁴ (relative error about 2⁻¹²⁴, X1 < 2¹²⁸).
    const std::uint64_t eh = (e2 << 1) | (e1 >> 63), el = (e1 << 1) | (e0 >> 63);
    const U128 c1 = multiply_full(r, eh), c0 = multiply_full(r, el);
    carry = 0;
    const std::uint64_t x0 = add_with_carry(c1.lo, c0.hi, carry);
    const std::uint64_t x1 = r + c1.hi + carry;
    // Q = ⌊A·X1/2¹²⁷⌋, a few units from ⌊A·2¹²⁸/B⌋: three words, the top one 0 or 1.
    const U256 ax = multiply_words(a1, a0, x1, x0);
    std::uint64_t q0 = (ax.w[2] << 1) | (ax.w[1] >> 63), q1 = (ax.w[3] << 1) | (ax.w[2] >> 63), q2 = ax.w[3] >> 63;
    // ρ = A·2¹²⁸ − Q·B, signed, five words; then Q ± 1 until 0 ≤ ρ < B.
    const U256 qb = multiply_words(q1, q0, b1, b0);
    std::uint64_t product[5] = {qb.w[0], qb.w[1], qb.w[2], qb.w[3], 0};
    if (q2 != 0) {  // + B·2¹²⁸
      carry = 0;
      product[2] = add_with_carry(product[2], b0, carry);
      product[3] = add_with_carry(product[3], b1, carry);
      product[4] = carry;
    }
    const std::uint64_t numerator[5] = {0, 0, a0, a1, 0};
    std::uint64_t rho[5];
    borrow = 0;
    for (int i = 0; i < 5; ++i) rho[i] = subtract_with_borrow(numerator[i], product[i], borrow);
    while ((rho[4] >> 63) != 0) {  // ρ < 0: Q − 1, ρ + B
      borrow = 0;
      q0 = subtract_with_borrow(q0, 1, borrow);
      q1 = subtract_with_borrow(q1, 0, borrow);
      q2 -= borrow;
      carry = 0;
      rho[0] = add_with_carry(rho[0], b0, carry);
      rho[1] = add_with_carry(rho[1], b1, carry);
      for (int i = 2; i < 5; ++i) rho[i] = add_with_carry(rho[i], 0, carry);
    }
    while ((rho[4] | rho[3] | rho[2]) != 0 || rho[1] > b1 || (rho[1] == b1 && rho[0] >= b0)) {  // ρ ≥ B
      carry = 0;
      q0 = add_with_carry(q0, 1, carry);
      q1 = add_with_carry(q1, 0, carry);
      q2 += carry;
      borrow = 0;
      rho[0] = subtract_with_borrow(rho[0], b0, borrow);
      rho[1] = subtract_with_borrow(rho[1], b1, borrow);
      for (int i = 2; i < 5; ++i) rho[i] = subtract_with_borrow(rho[i], 0, borrow);
    }
    const bool remainder = (rho[0] | rho[1]) != 0;
    if (q2 != 0) {  // Q in [2¹²⁸, 2¹²⁹): its top 128 bits, the last one the guard bit
      return round_and_pack(negative, e, (q2 << 63) | (q1 >> 1), (q1 << 63) | (q0 >> 1), q0 << 63, remainder);
    }
    // Q in (2¹²⁷, 2¹²⁸): the guard bit is ⌊2ρ/B⌋, the rest whether 2ρ − guard·B is non-zero.
    const std::uint64_t top = rho[1] >> 63, d1 = (rho[1] << 1) | (rho[0] >> 63), d0 = rho[0] << 1;  // 2ρ
    const bool guard = top != 0 || d1 > b1 || (d1 == b1 && d0 >= b0);
    const bool rest = guard ? !(top == 0 && d1 == b1 && d0 == b0) : remainder;
    return round_and_pack(negative, e - 1, q1, q0, guard ? std::uint64_t(1) << 63 : 0, rest);
  }

  /// (a1, a0)·(b1, b0), the full 256-bit product.
  static U256 multiply_words(std::uint64_t a1, std::uint64_t a0, std::uint64_t b1, std::uint64_t b0) {
    const U128 hh = multiply_full(a1, b1), hl = multiply_full(a1, b0), lh = multiply_full(a0, b1),
               ll = multiply_full(a0, b0);
    U256 m{{ll.lo, 0, 0, 0}};
    std::uint64_t c1 = 0, c2 = 0;
    m.w[1] = add_with_carry(ll.hi, hl.lo, c1);
    m.w[1] = add_with_carry(m.w[1], lh.lo, c2);
    std::uint64_t c3 = c1 + c2, c4 = 0;
    m.w[2] = add_with_carry(hh.lo, hl.hi, c3);
    m.w[2] = add_with_carry(m.w[2], lh.hi, c4);
    m.w[3] = hh.hi + c3 + c4;
    return m;
  }
};

inline Wide::Wide(long double x) {
  if (detail::is_nan(x)) {
    *this = nan();
    return;
  }
  if (!detail::is_finite(x)) {
    *this = infinity(x < 0);
    return;
  }
  if (x == 0) {
    *this = zero(std::signbit(x));
    return;
  }
  // |x| = f·2^e, f in [½, 1); f·2¹²⁸ is an integer (at most 113 significant bits).
  int e = 0;
  const long double f = std::frexp(std::fabs(x), &e);
  const long double top = std::ldexp(f, 64);
  const auto hi = static_cast<std::uint64_t>(top);
  const auto lo = static_cast<std::uint64_t>(std::ldexp(top - static_cast<long double>(hi), 64));
  *this =
      from_magnitude(x < 0, static_cast<std::int64_t>(e) - 1, U256{{0, 0, lo, hi}}, false);  // f·2²⁵⁶·2^(e − 1 − 255)
}

inline Wide::operator long double() const {
#if LDBL_MANT_DIG == 53
  return static_cast<long double>(static_cast<double>(*this));
#else
  if (kind_ == Kind::nan) return std::numeric_limits<long double>::quiet_NaN();
  if (kind_ == Kind::infinite)
    return negative_ ? -std::numeric_limits<long double>::infinity() : std::numeric_limits<long double>::infinity();
  if (kind_ == Kind::zero) return negative_ ? -0.0L : 0.0L;
  if (exponent_ >= LDBL_MAX_EXP)
    return negative_ ? -std::numeric_limits<long double>::infinity() : std::numeric_limits<long double>::infinity();
  // Keep LDBL_MANT_DIG bits (fewer for a subnormal), rounded once in the integers; then assemble
  // the long double from two exactly representable parts with ldexp (exact).
  const int min_exponent = LDBL_MIN_EXP - 1;
  const int kept = exponent_ >= min_exponent ? LDBL_MANT_DIG : LDBL_MANT_DIG - (min_exponent - exponent_);
  if (kept <= 0) {  // below the smallest subnormal u: 0, or u when above u/2
    const bool up = kept == 0 && (hi_ > (std::uint64_t(1) << 63) || lo_ != 0);
    const long double v = up ? std::ldexp(1.0L, exponent_ + 1) : 0.0L;
    return negative_ ? -v : v;
  }
  const int shift = 128 - kept;
  U256 m{{0, 0, lo_, hi_}};
  const bool below = shift_right(m, shift + 127);  // m = ⌊S/2^(shift − 1)⌋, guard in bit 0
  const bool guard = (m.w[0] & 1) != 0;
  shift_right(m, 1);
  if (guard && (below || (m.w[0] & 1) != 0)) {
    std::uint64_t carry = 1;
    m.w[0] = add_with_carry(m.w[0], 0, carry);
    m.w[1] += carry;
  }
  const long double high = std::ldexp(static_cast<long double>(m.w[1]), 64);
  const long double value = std::ldexp(high + static_cast<long double>(m.w[0]), exponent_ - 127 + shift);
  return negative_ ? -value : value;
#endif
}

inline bool is_nan(const Wide& x) { return x.is_nan(); }
/// A Wide in an error message: its double value.
inline std::string to_message_value(const Wide& x) { return shortest_decimal(static_cast<double>(x)); }
inline bool is_finite(const Wide& x) { return x.is_finite(); }
inline Wide abs(Wide x) { return x.negative() ? -x : x; }
inline const Wide& min(const Wide& a, const Wide& b) { return b < a ? b : a; }
inline const Wide& max(const Wide& a, const Wide& b) { return a < b ? b : a; }
/// x rounded to Scalar (float, double or long double), once.
template <class Scalar>
Scalar round_to(const Wide& x) {
  return static_cast<Scalar>(x);
}
/// The nearest integer to x (ties away from zero), |x| < 2⁶¹: ⌊(⌊2|x|⌋ + 1)/2⌋ with x's sign.
inline long long nearest_integer(const Wide& x) {
  if (!x.is_finite() || x.is_zero() || x.exponent() < -1) return 0;
  U256 m{{0, 0, x.significand_low(), x.significand_high()}};
  shift_right(m, 254 - x.exponent());
  const auto magnitude = static_cast<long long>((m.w[0] + 1) >> 1);
  return x.negative() ? -magnitude : magnitude;
}

}  // namespace detail
}  // namespace diffuse
