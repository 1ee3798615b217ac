// diffuse's extended arithmetic, Wide (detail/wide.hpp, wide_math.hpp, wide_decimal.hpp), against
// tests/reference/wide_functions.txt (gen_wide_reference.py, mpmath): every function within the error
// bound that wide_math.hpp states, +, −, ×, ÷ correctly rounded to the bit, special values,
// conversions to and from float, double and long double as IEEE rounds them, parse_decimal,
// nearest_integer and floor_to_integer, and a digest of result bits that must not
// depend on the 128-bit integer path of uint128.hpp. The file is also built as test_wide_portable
// (DIFFUSE_PORTABLE_UINT128), and CTest compares the two digests (wide_digest.cmake).
//
// Only bounds and exact properties are checked, never particular output bits of exp, log, …: the
// implementation may change within its stated bounds.
#include <diffuse/detail/uint128.hpp>
#include <diffuse/detail/wide.hpp>
#include <diffuse/detail/wide_decimal.hpp>
#include <diffuse/detail/wide_math.hpp>

#include <cfloat>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "catch.hpp"

namespace {

namespace dd = diffuse::detail;
using dd::Wide;

// ---- Wide as text: the reference file's format ---------------------------------------------------

/// sign,exponent,hi,lo (value (hi·2⁶⁴ + lo)·2^(exponent − 127)), or 0, -0, inf, -inf, nan.
std::string token(const Wide& x) {
  if (x.is_nan()) return "nan";
  if (x.is_infinite()) return x.negative() ? "-inf" : "inf";
  if (x.is_zero()) return x.negative() ? "-0" : "0";
  char buf[80];
  std::snprintf(buf, sizeof buf, "%c,%" PRId32 ",%016" PRIx64 ",%016" PRIx64, x.negative() ? '-' : '+', x.exponent(),
                x.significand_high(), x.significand_low());
  return buf;
}

Wide from_token(const std::string& text) {
  if (text == "nan") return Wide::nan();
  if (text == "inf" || text == "-inf") return Wide::infinity(text[0] == '-');
  if (text == "0") return Wide();
  if (text == "-0") return -Wide();
  std::vector<std::string> parts;
  std::istringstream in(text);
  for (std::string part; std::getline(in, part, ',');) parts.push_back(part);
  if (parts.size() != 4 || (parts[0] != "+" && parts[0] != "-")) throw std::runtime_error("not a Wide: " + text);
  const auto exponent = static_cast<std::int32_t>(std::stol(parts[1]));
  const std::uint64_t hi = std::stoull(parts[2], nullptr, 16), lo = std::stoull(parts[3], nullptr, 16);
  if ((hi >> 63) == 0 || exponent > Wide::max_exponent || exponent < -Wide::max_exponent) {
    throw std::runtime_error("not a normalised Wide: " + text);
  }
  return Wide::from_parts(parts[0] == "-", exponent, hi, lo);
}

/// Whether a and b are the same Wide, sign of zero included.
bool same(const Wide& a, const Wide& b) { return token(a) == token(b); }

/// 2ⁿ.
Wide power_of_two(long long n) { return ldexp(Wide(1), n); }

// ---- the reference table ---------------------------------------------------------------------------

/// One line of wide_functions.txt.
struct Reference {
  std::string op;
  std::vector<Wide> args;  // empty for decimal and complement lines
  std::string text;        // the numeral of a decimal or complement line
  std::string decimal;     // the exact value, 45 digits
  Wide nearest;            // the exact value rounded to nearest, ties to even
  double residual = 0;     // (exact − nearest)/ulp(nearest)
  std::string where() const {
    std::string s = op + "(";
    for (std::size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + token(args[i]);
    return s + text + ") = " + decimal;
  }
};

const std::vector<Reference>& reference_table() {
  static const std::vector<Reference> table = [] {
    const std::string path = std::string(DIFFUSE_TEST_REFERENCE_DIR) + "/wide_functions.txt";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::vector<Reference> lines;
    for (std::string line; std::getline(in, line);) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream words(line);
      std::vector<std::string> w;
      for (std::string word; words >> word;) w.push_back(word);
      if (w.size() < 5) throw std::runtime_error("short line in " + path + ": " + line);
      Reference r;
      r.op = w[0];
      if (r.op == "decimal" || r.op == "complement") {
        if (w.size() != 5) throw std::runtime_error("bad line: " + line);
        r.text = w[1];
      } else {
        for (std::size_t i = 1; i + 3 < w.size(); ++i) r.args.push_back(from_token(w[i]));
      }
      r.decimal = w[w.size() - 3];
      r.nearest = from_token(w[w.size() - 2]);
      r.residual = std::stod(w[w.size() - 1]);
      lines.push_back(r);
    }
    return lines;
  }();
  return table;
}

std::vector<Reference> lines_of(const std::string& op) {
  std::vector<Reference> out;
  for (const Reference& r : reference_table()) {
    if (r.op == op) out.push_back(r);
  }
  return out;
}

/// |got − exact| in units of the last bit of the reference's nearest Wide: (got − nearest) is exact
/// when the two are within a factor 2 of each other (and a gross error stays gross otherwise).
/// 0 when got is the same infinity, zero or NaN as the reference; +∞ when only one of them is.
double error_ulps(const Wide& got, const Reference& r) {
  const double inf = std::numeric_limits<double>::infinity();
  const Wide& n = r.nearest;
  if (n.is_nan()) return got.is_nan() ? 0 : inf;
  if (n.is_infinite()) return got.is_infinite() && got.negative() == n.negative() ? 0 : inf;
  if (n.is_zero()) return got.is_zero() ? 0 : inf;
  if (!got.is_finite() || got.is_zero()) return inf;
  const double d = static_cast<double>(ldexp(got - n, 127LL - n.exponent()));
  return std::fabs(d - r.residual);
}

/// The significand of a finite non-zero Wide over 2¹²⁸, in [½, 1): an error of e units of its last
/// bit is e/that units of 2⁻¹²⁸ relative.
double significand_fraction(const Wide& x) {
  return std::ldexp(static_cast<double>(x.significand_high()), -64) +
         std::ldexp(static_cast<double>(x.significand_low()), -128);
}

// ---- the functions and their stated bounds ------------------------------------------------------

/// A function of the table, and its error bound (wide_math.hpp's comment): relative, in units of
/// u = 2⁻¹²⁸, at the arguments, plus an absolute allowance (sin, cos: 2⁻¹⁶⁰|x| from the reduction).
/// wide_math.hpp states sin's and cos's bound for |x| ≤ 2²⁰; the table goes on to 2³⁰ (the
/// reduction's range) and holds them to the same.
struct Function {
  std::function<Wide(const std::vector<Wide>&)> f;
  std::function<double(const std::vector<Wide>&)> bound_u;
  std::function<Wide(const std::vector<Wide>&)> allowance;
};

Wide none(const std::vector<Wide>&) { return Wide(); }

const std::map<std::string, Function>& functions() {
  static const std::map<std::string, Function> table = [] {
    auto unary = [](Wide (*f)(const Wide&), double bound) {
      return Function{[f](const std::vector<Wide>& a) { return f(a.at(0)); },
                      [bound](const std::vector<Wide>&) { return bound; }, none};
    };
    std::map<std::string, Function> m;
    m["exp"] = unary(dd::exp, 12);
    m["expm1"] = unary(dd::expm1, 24);
    m["log"] = unary(dd::log, 16);
    m["log1p"] = unary(dd::log1p, 16);
    m["sqrt"] = unary(dd::sqrt, 8);
    m["sin"] = unary(dd::sin, 24);
    m["cos"] = unary(dd::cos, 24);
    const auto reduction = [](const std::vector<Wide>& a) { return ldexp(abs(a.at(0)), -160); };
    m["sin"].allowance = reduction;
    m["cos"].allowance = reduction;
    m["atan"] = unary(dd::atan, 24);
    m["sinh"] = unary(dd::sinh, 64);
    m["tanh"] = unary(dd::tanh, 64);
    m["asinh"] = unary(dd::asinh, 64);
    m["softplus"] = unary(dd::softplus, 64);
    m["sigmoid"] = unary(dd::sigmoid, 64);
    m["pow"] = Function{[](const std::vector<Wide>& a) { return dd::pow(a.at(0), a.at(1)); },
                        [](const std::vector<Wide>& a) {  // (16|y log x| + 12)u
                          const double ylogx = static_cast<double>(abs(a.at(1) * dd::log(a.at(0))));
                          return std::isfinite(ylogx) ? 16 * ylogx + 12 : 12;
                        },
                        none};
    return m;
  }();
  return table;
}

/// The worst error of one function over the table.
struct Worst {
  double u = 0;         // relative error beyond the allowance, in units of 2⁻¹²⁸, where error/bound is largest
  double of_bound = 0;  // that largest error/bound
  std::string where;
  long checked = 0;
  std::vector<std::string> violations;
};

Worst measure(const std::string& name) {
  const Function& fn = functions().at(name);
  Worst w;
  for (const Reference& r : lines_of(name)) {
    const Wide got = fn.f(r.args);
    const double ulps = error_ulps(got, r);
    double u = 0, allowed = 0;
    const double bound = fn.bound_u(r.args);
    if (r.nearest.is_finite() && !r.nearest.is_zero() && std::isfinite(ulps)) {
      const double fraction = significand_fraction(r.nearest);
      allowed = static_cast<double>(ldexp(fn.allowance(r.args), 127LL - r.nearest.exponent()));  // in ulps
      u = std::max(0.0, ulps - allowed) / fraction;
    } else {
      u = ulps;  // 0 or ∞
    }
    ++w.checked;
    const std::string where =
        r.where() + ", got " + token(got) + ": " + std::to_string(u) + " u (bound " + std::to_string(bound) + ")";
    if (!(u / bound <= w.of_bound) || w.where.empty()) {  // the worst relative to the bound (pow's varies)
      w.u = u;
      w.of_bound = u / bound;
      w.where = where;
    }
    if (!(u <= bound)) w.violations.push_back(where);
  }
  return w;
}

const char* const function_names[] = {"exp",  "expm1", "log",  "log1p", "sqrt",  "sin",      "cos",
                                      "atan", "pow",   "sinh", "tanh",  "asinh", "softplus", "sigmoid"};

Wide arithmetic(const std::string& op, const Wide& a, const Wide& b) {
  if (op == "add") return a + b;
  if (op == "sub") return a - b;
  if (op == "mul") return a * b;
  return a / b;
}

}  // namespace

// ---- a. the elementary functions and the four operations against the reference ------------------

TEST_CASE("every function of wide_math.hpp is within its stated error bound", "[wide][reference]") {
  for (const char* name : function_names) {
    const Worst w = measure(name);
    std::string first;
    for (std::size_t i = 0; i < std::min<std::size_t>(w.violations.size(), 10); ++i) first += "\n  " + w.violations[i];
    INFO(name << ": " << w.checked << " values, worst " << w.where << "; " << w.violations.size()
              << " outside the bound" << first);
    CHECK(w.checked >= 150);
    CHECK(w.violations.empty());
  }
}

TEST_CASE("+, -, * and / are correctly rounded, ties to even, to the bit", "[wide][reference]") {
  for (const char* op : {"add", "sub", "mul", "div"}) {
    const std::vector<Reference> lines = lines_of(op);
    CHECK(lines.size() >= 150);
    long ties = 0;
    std::vector<std::string> wrong;
    for (const Reference& r : lines) {
      const Wide& a = r.args.at(0);
      const Wide& b = r.args.at(1);
      const Wide got = arithmetic(op, a, b);
      if (std::fabs(r.residual) == 0.5) ++ties;
      // An exact zero is +0 or −0 (the sign of a cancellation is not part of the contract).
      const bool ok = r.nearest.is_zero() ? got.is_zero() : same(got, r.nearest);
      if (!ok) wrong.push_back(r.where() + ": got " + token(got) + ", expected " + token(r.nearest));
      // The same value with the operands the other way round.
      const std::string name(op);
      if (name == "add" || name == "mul") {
        const Wide swapped = arithmetic(op, b, a);
        if (got.is_zero() ? !swapped.is_zero() : !same(swapped, got)) wrong.push_back(r.where() + ": not commutative");
      } else if (name == "sub" && !got.is_zero()) {
        if (!same(b - a, -got)) wrong.push_back(r.where() + ": b - a is not -(a - b)");
      }
      // Rounding to nearest is symmetric: negating the operands negates the result.
      const Wide mirrored = name == "add" ? -a + -b : name == "sub" ? -a - -b : name == "mul" ? -a * b : a / -b;
      if (!got.is_zero() && !same(mirrored, -got)) wrong.push_back(r.where() + ": not symmetric under negation");
    }
    std::string first;
    for (std::size_t i = 0; i < std::min<std::size_t>(wrong.size(), 10); ++i) first += "\n  " + wrong[i];
    INFO(op << ": " << wrong.size() << " of " << lines.size() << " wrong" << first);
    CHECK(wrong.empty());
    if (std::string(op) == "add" || std::string(op) == "mul") CHECK(ties >= 8);  // the table holds exact ties
  }
}

TEST_CASE("one_minus_exp is -expm1, and the odd functions are odd, bit for bit", "[wide][reference]") {
  for (const Reference& r : lines_of("expm1")) {
    const Wide& x = r.args.at(0);
    const Wide e = dd::expm1(x);
    INFO("x = " << token(x));
    CHECK(same(dd::one_minus_exp(x), e.is_zero() ? Wide() : -e));
  }
  for (const char* name : {"atan", "sinh", "tanh", "asinh"}) {
    const Function& fn = functions().at(name);
    for (const Reference& r : lines_of(name)) {
      const Wide& x = r.args.at(0);
      INFO(name << "(" << token(x) << ")");
      CHECK(same(fn.f({-x}), -fn.f({x})));
    }
  }
}

// The figures for README: the worst error of every function over the table, in units of 2⁻¹²⁸
// relative (beyond sin's and cos's absolute allowance), and where it occurs.
// Run: build/tests/test_wide "[.report]"
TEST_CASE("worst error per function (precision report)", "[.report]") {
  for (const char* name : function_names) {
    const Worst w = measure(name);
    std::printf("%-9s %4ld values  worst %7.3f u  (%.2f of the bound)  %s\n", name, w.checked, w.u, w.of_bound,
                w.where.c_str());
  }
  for (const char* op : {"add", "sub", "mul", "div"}) {
    double worst = 0;
    for (const Reference& r : lines_of(op)) {
      const double ulps = error_ulps(arithmetic(op, r.args.at(0), r.args.at(1)), r);
      if (r.nearest.is_finite() && !r.nearest.is_zero())
        worst = std::max(worst, ulps / significand_fraction(r.nearest));
    }
    std::printf("%-9s worst %.6f u\n", op, worst);
  }
  CHECK(true);
}

// ---- b. special values ---------------------------------------------------------------------------

// The special values of C's Annex F where they apply (exp(±0) = 1, log(1) = +0, pow(x, ±0) = 1, …),
// and the ones wide_math.hpp names (one_minus_exp(0) = +0, sin and cos NaN beyond 2³⁰).
TEST_CASE("special values of the functions", "[wide][special]") {
  const Wide inf = Wide::infinity(), ninf = Wide::infinity(true), nan = Wide::nan(), zero, nzero = -Wide(), one(1);
  const Wide half_pi = Wide::from_parts(false, 0, 0xc90fdaa22168c234u, 0xc4c6628b80dc1cd1u);  // π/2 rounded
  // exp, expm1
  CHECK(same(dd::exp(ninf), zero));
  CHECK(same(dd::exp(inf), inf));
  CHECK(dd::exp(nan).is_nan());
  CHECK(same(dd::exp(zero), one));
  CHECK(same(dd::exp(nzero), one));
  CHECK(same(dd::exp(power_of_two(30)), inf));  // beyond the exponent range
  CHECK(same(dd::exp(-power_of_two(30)), zero));
  CHECK(same(dd::expm1(ninf), Wide(-1)));
  CHECK(same(dd::expm1(inf), inf));
  CHECK(same(dd::expm1(zero), zero));
  CHECK(same(dd::expm1(nzero), nzero));
  CHECK(same(dd::expm1(-power_of_two(30)), Wide(-1)));
  CHECK(dd::expm1(nan).is_nan());
  // log, log1p
  CHECK(same(dd::log(zero), ninf));
  CHECK(same(dd::log(nzero), ninf));
  CHECK(same(dd::log(inf), inf));
  CHECK(same(dd::log(one), zero));
  CHECK(dd::log(Wide(-1)).is_nan());
  CHECK(dd::log(ninf).is_nan());
  CHECK(dd::log(nan).is_nan());
  CHECK(same(dd::log1p(Wide(-1)), ninf));
  CHECK(dd::log1p(Wide(-2)).is_nan());
  CHECK(dd::log1p(ninf).is_nan());
  CHECK(same(dd::log1p(inf), inf));
  CHECK(same(dd::log1p(zero), zero));
  CHECK(same(dd::log1p(nzero), nzero));
  CHECK(dd::log1p(nan).is_nan());
  // sqrt
  CHECK(same(dd::sqrt(nzero), nzero));
  CHECK(same(dd::sqrt(zero), zero));
  CHECK(same(dd::sqrt(inf), inf));
  CHECK(dd::sqrt(Wide(-1)).is_nan());
  CHECK(dd::sqrt(ninf).is_nan());
  CHECK(dd::sqrt(nan).is_nan());
  // sin, cos, atan
  CHECK(same(dd::sin(zero), zero));
  CHECK(same(dd::sin(nzero), nzero));
  CHECK(same(dd::cos(zero), one));
  CHECK(same(dd::cos(nzero), one));
  CHECK(dd::sin(inf).is_nan());
  CHECK(dd::cos(ninf).is_nan());
  CHECK(dd::sin(nan).is_nan());
  CHECK(dd::cos(nan).is_nan());
  CHECK(dd::sin(power_of_two(30)).is_nan());  // outside the reduction's range
  CHECK(same(dd::atan(zero), zero));
  CHECK(same(dd::atan(nzero), nzero));
  CHECK(dd::atan(nan).is_nan());
  CHECK(abs(dd::atan(inf) - half_pi) <= ldexp(half_pi, -128));
  CHECK(same(dd::atan(ninf), -dd::atan(inf)));
  // pow
  CHECK(same(dd::pow(zero, Wide(3)), zero));
  CHECK(same(dd::pow(zero, ldexp(one, -100)), zero));
  CHECK(same(dd::pow(Wide(7), zero), one));
  CHECK(same(dd::pow(one, Wide(12345)), one));
  // the derived functions
  CHECK(same(dd::one_minus_exp(zero), zero));  // +0, not −0
  CHECK(same(dd::one_minus_exp(nzero), zero));
  CHECK(same(dd::one_minus_exp(ninf), one));
  CHECK(same(dd::one_minus_exp(inf), ninf));
  CHECK(same(dd::tanh(inf), one));
  CHECK(same(dd::tanh(ninf), Wide(-1)));
  CHECK(same(dd::tanh(zero), zero));
  CHECK(same(dd::tanh(nzero), nzero));
  CHECK(same(dd::sinh(zero), zero));
  CHECK(same(dd::sinh(nzero), nzero));
  CHECK(same(dd::asinh(zero), zero));
  CHECK(same(dd::asinh(nzero), nzero));
  CHECK(same(dd::sigmoid(zero), ldexp(one, -1)));
  CHECK(same(dd::sigmoid(inf), one));
  CHECK(same(dd::sigmoid(ninf), zero));
  CHECK(same(dd::softplus(inf), inf));
  CHECK(same(dd::softplus(ninf), zero));
  CHECK(dd::sigmoid(nan).is_nan());
  CHECK(dd::softplus(nan).is_nan());
  CHECK(dd::tanh(nan).is_nan());
  // the operations
  CHECK((inf - inf).is_nan());
  CHECK((zero * inf).is_nan());
  CHECK((zero / zero).is_nan());
  CHECK((inf / inf).is_nan());
  CHECK(same(one / zero, inf));
  CHECK(same(one / nzero, ninf));
  CHECK(same(one / inf, zero));
  CHECK(same(nzero + nzero, nzero));
  CHECK(same(zero + nzero, zero));
  CHECK(same(ldexp(power_of_two(Wide::max_exponent), 1), inf));  // ldexp beyond the range
  CHECK(same(ldexp(-power_of_two(-Wide::max_exponent), -1), nzero));
  CHECK(same(power_of_two(Wide::max_exponent) * Wide(2), inf));
  CHECK(same(power_of_two(-Wide::max_exponent) / Wide(-2), nzero));
  CHECK(nan != nan);
  CHECK(zero == nzero);
  CHECK_FALSE(nan < one);
  CHECK_FALSE(nan >= one);
}

// sinh and asinh at and near infinity (once NaN: ∞/∞ inside their formulas).
TEST_CASE("sinh of a large x overflows to infinity", "[wide][special]") {
  const Wide inf = Wide::infinity();
  for (const Wide& x : {inf, Wide(800000000), power_of_two(31)}) {
    INFO("sinh(" << token(x) << ") = " << token(dd::sinh(x)));
    CHECK(same(dd::sinh(x), inf));
    CHECK(same(dd::sinh(-x), -inf));
  }
}

TEST_CASE("asinh of infinity is infinity", "[wide][special]") {
  INFO("asinh(inf) = " << token(dd::asinh(Wide::infinity())));
  CHECK(same(dd::asinh(Wide::infinity()), Wide::infinity()));
  CHECK(same(dd::asinh(Wide::infinity(true)), Wide::infinity(true)));
}

// For |x| ≥ 2^(2^29 + 1) x² leaves the exponent range, but the value is a modest log(2|x|):
// asinh(2^(2^29 + 1)) = (2^29 + 2) ln 2 + O(2^-2^30).
TEST_CASE("asinh of a huge x is finite", "[wide][special]") {
  const Wide x = power_of_two(Wide::max_exponent / 2 + 1);
  const Wide ln2 = Wide::from_parts(false, -1, 0xb17217f7d1cf79abu, 0xc9e3b39803f2f6afu);
  const Wide expected = Wide(Wide::max_exponent / 2 + 2) * ln2;
  INFO("asinh(" << token(x) << ") = " << token(dd::asinh(x)) << ", expected " << token(expected)
                << " within 64 units of 2^-128");
  CHECK(abs(dd::asinh(x) - expected) <= ldexp(expected, -122));
}

// ---- c. conversions ---------------------------------------------------------------------------------

namespace {

template <class T>
bool same_value(T a, T b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return a == b && std::signbit(a) == std::signbit(b);
}

template <class T>
std::string show(T x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*Lg", std::numeric_limits<T>::max_digits10, static_cast<long double>(x));
  return buf;
}

/// Wide(x) is exactly x: its parts are those of frexp (sign, exponent, significand bits), computed
/// with T's own exact operations.
template <class T>
bool converts_exactly(T x) {
  const Wide w(x);
  if (std::isnan(x)) return w.is_nan();
  if (std::isinf(x)) return w.is_infinite() && w.negative() == std::signbit(x);
  if (x == 0) return w.is_zero() && w.negative() == std::signbit(x);
  int e = 0;
  const T f = std::frexp(std::fabs(x), &e);  // |x| = f·2^e, f in [½, 1), at most 113 bits
  const T top = std::ldexp(f, 64);
  const auto hi = static_cast<std::uint64_t>(top);
  const auto lo = static_cast<std::uint64_t>(std::ldexp(top - static_cast<T>(hi), 64));
  return w.is_finite() && w.negative() == std::signbit(x) && w.exponent() == e - 1 && w.significand_high() == hi &&
         w.significand_low() == lo;
}

/// A random value of T, every bit of its significand random, over the whole exponent range
/// (subnormals and overflow to ±∞ included).
template <class T>
T random_value(std::mt19937_64& rng) {
  using limits = std::numeric_limits<T>;
  T m = 1;  // the leading bit, then `digits − 1` random ones, 32 at a time (exact)
  for (int bits = 1; bits < limits::digits;) {
    const int take = std::min(32, limits::digits - bits);
    m = std::ldexp(m, take) + static_cast<T>(rng() >> (64 - take));
    bits += take;
  }
  std::uniform_int_distribution<int> exponent(limits::min_exponent - limits::digits - 3, limits::max_exponent + 1);
  const T x = std::ldexp(m, exponent(rng) - limits::digits);
  return (rng() & 1) != 0 ? -x : x;
}

template <class T>
T from_bits_of(std::uint64_t bits) {
  using Bits = typename std::conditional<sizeof(T) == 4, std::uint32_t, std::uint64_t>::type;
  static_assert(sizeof(T) == sizeof(Bits), "float or double");
  const auto b = static_cast<Bits>(bits);
  T x;
  std::memcpy(&x, &b, sizeof x);
  return x;
}

/// Whether T's integer significand of a finite x ≥ 0 is even (0 counts as even).
template <class T>
bool even_significand(T x) {
  using limits = std::numeric_limits<T>;
  if (x == 0) return true;
  const int e = std::max(std::ilogb(x), limits::min_exponent - 1);  // the exponent of x's last bit: e − digits + 1
  return std::fmod(std::ldexp(x, limits::digits - 1 - e), T(2)) == 0;
}

/// The Wide 2^(exponent − 127)·1, one unit of the last bit of x's significand (finite non-zero x).
Wide last_bit(const Wide& x) { return power_of_two(static_cast<long long>(x.exponent()) - 127); }

/// Checks that rounding Wide to T gives, for a and its T-neighbour above b = nextafter(a, +∞),
/// a ≥ 0: the midpoint m → the one with the even significand; m ± one Wide unit → b, a; and the same
/// mirrored for −m. Returns the failures as text.
template <class T>
void check_between(T a, T b, std::vector<std::string>& failures) {
  const Wide wa(a);
  const Wide half = ldexp(Wide(b) - wa, -1);  // exact: two values of T
  const Wide mid = wa + half;                 // exact: one bit more than T has
  const Wide above = mid + last_bit(mid), below = mid - last_bit(mid);
  const T even = even_significand(a) ? a : b;
  const struct {
    const Wide& x;
    T expected;
    const char* what;
  } cases[] = {{mid, even, "midpoint"}, {above, b, "just above the midpoint"}, {below, a, "just below the midpoint"}};
  for (const auto& c : cases) {
    for (const bool negate : {false, true}) {
      const Wide x = negate ? -c.x : c.x;
      const T expected = negate ? -c.expected : c.expected;
      const T got = static_cast<T>(x);
      if (!same_value(got, expected)) {
        failures.push_back(std::string(c.what) + (negate ? " (negated)" : "") + " between " + show(a) + " and " +
                           show(b) + " (" + token(x) + "): got " + show(got) + ", expected " + show(expected));
      }
    }
  }
}

__extension__ typedef unsigned __int128 u128;

/// x rounded to T by integer reasoning: the top bits of its significand that T keeps (fewer below
/// T's normal range), the rest compared with one half, ties to the even one; ±∞ past the largest
/// value (ldexp of the rounded integer, exact or overflowing as T's own values do).
template <class T>
T round_by_integers(const Wide& x) {
  using limits = std::numeric_limits<T>;
  if (x.is_nan()) return limits::quiet_NaN();
  if (x.is_infinite()) return x.negative() ? -limits::infinity() : limits::infinity();
  if (x.is_zero()) return x.negative() ? -T(0) : T(0);
  const long long e = x.exponent();
  const long long lowest_normal = limits::min_exponent - 1;  // T's normals are ≥ 2^lowest_normal
  const long long kept = e >= lowest_normal ? limits::digits : limits::digits - (lowest_normal - e);
  const u128 s = (static_cast<u128>(x.significand_high()) << 64) | x.significand_low();
  u128 m = 0;
  bool up = false;
  if (kept <= 0) {  // below half the smallest subnormal, or between half of it and it
    up = kept == 0 && s > (static_cast<u128>(1) << 127);
  } else {
    const int dropped = static_cast<int>(128 - kept);
    m = s >> dropped;
    const u128 rest = s & ((static_cast<u128>(1) << dropped) - 1), half = static_cast<u128>(1) << (dropped - 1);
    up = rest > half || (rest == half && (m & 1) != 0);
  }
  if (up) ++m;
  // x ≈ m·2^(e − kept + 1); m ≤ 2^digits converts to T exactly.
  const T mt = std::ldexp(static_cast<T>(static_cast<std::uint64_t>(m >> 64)), 64) +
               static_cast<T>(static_cast<std::uint64_t>(m));
  const T value =
      kept <= 0
          ? (up ? limits::denorm_min() : T(0))
          : std::ldexp(mt, static_cast<int>(std::max<long long>(std::min<long long>(e - kept + 1, 100000), -100000)));
  return x.negative() ? -value : value;
}

template <class T>
void check_conversions(std::uint64_t seed) {
  using limits = std::numeric_limits<T>;
  std::mt19937_64 rng(seed);
  std::vector<std::string> failures;
  auto fail = [&](const std::string& what) {
    if (failures.size() < 20) failures.push_back(what);
  };
  // Into Wide: exact, and back unchanged.
  std::vector<T> values = {T(0),
                           -T(0),
                           T(1),
                           T(-1),
                           limits::max(),
                           -limits::max(),
                           limits::min(),
                           -limits::min(),
                           limits::denorm_min(),
                           -limits::denorm_min(),
                           limits::infinity(),
                           -limits::infinity(),
                           limits::quiet_NaN(),
                           std::nextafter(limits::min(), T(0)),
                           std::nextafter(limits::max(), T(0)),
                           T(0.1),
                           T(1) / T(3)};
  for (int i = 0; i < 3000; ++i) values.push_back(random_value<T>(rng));
  if constexpr (std::is_same<T, float>::value ||
                std::is_same<T, double>::value) {  // random bit patterns, NaNs included
    for (int i = 0; i < 3000; ++i) values.push_back(from_bits_of<T>(rng()));
  }
  for (const T x : values) {
    if (!converts_exactly(x)) fail("Wide(" + show(x) + ") is not exact: " + token(Wide(x)));
    if (!same_value(static_cast<T>(Wide(x)), x)) fail(show(x) + " does not come back from Wide");
  }
  // Out of Wide: halfway cases and their neighbours, normal and subnormal.
  for (int i = 0; i < 1000; ++i) {
    T a = std::fabs(random_value<T>(rng));
    if (std::isinf(a) || a == limits::max()) a = limits::min();
    check_between(a, std::nextafter(a, limits::infinity()), failures);
  }
  for (int i = 0; i < 300; ++i) {  // subnormals: a = k·denorm_min
    const T a = std::ldexp(static_cast<T>(rng() >> (64 - std::min(limits::digits - 1, 60))),
                           limits::min_exponent - limits::digits) *
                (limits::digits - 1 > 60 ? std::ldexp(T(1), limits::digits - 1 - 60) : T(1));
    if (a < limits::min()) check_between(a, std::nextafter(a, limits::infinity()), failures);
  }
  for (const T a : {T(0), limits::denorm_min(), std::nextafter(limits::min(), T(0)), limits::min(),
                    std::nextafter(limits::max(), T(0)), T(1), std::nextafter(T(1), T(0))}) {
    check_between(a, std::nextafter(a, limits::infinity()), failures);
  }
  // Half of the smallest subnormal rounds to 0 (even), anything above it to the smallest subnormal.
  const Wide tiny_half = ldexp(Wide(limits::denorm_min()), -1);
  CHECK(same_value(static_cast<T>(tiny_half), T(0)));
  CHECK(same_value(static_cast<T>(-tiny_half), -T(0)));
  CHECK(same_value(static_cast<T>(tiny_half + last_bit(tiny_half)), limits::denorm_min()));
  CHECK(same_value(static_cast<T>(tiny_half - last_bit(tiny_half)), T(0)));
  CHECK(same_value(static_cast<T>(-power_of_two(-100000)), -T(0)));
  CHECK(same_value(static_cast<T>(power_of_two(-Wide::max_exponent)), T(0)));
  // Overflow: the largest value plus half its ulp (a tie; the largest significand is odd) is ∞.
  const Wide largest(limits::max());
  const Wide half_ulp = power_of_two(static_cast<long long>(limits::max_exponent) - limits::digits - 1);
  const Wide threshold = largest + half_ulp;
  CHECK(same_value(static_cast<T>(threshold), limits::infinity()));
  CHECK(same_value(static_cast<T>(-threshold), -limits::infinity()));
  CHECK(same_value(static_cast<T>(threshold - last_bit(threshold)), limits::max()));
  CHECK(same_value(static_cast<T>(-(threshold - last_bit(threshold))), -limits::max()));
  CHECK(same_value(static_cast<T>(threshold + last_bit(threshold)), limits::infinity()));
  CHECK(same_value(static_cast<T>(power_of_two(limits::max_exponent)), limits::infinity()));
  CHECK(same_value(static_cast<T>(power_of_two(100000)), limits::infinity()));
  CHECK(same_value(static_cast<T>(Wide::infinity(true)), -limits::infinity()));
  CHECK(std::isnan(static_cast<T>(Wide::nan())));
  CHECK(same_value(static_cast<T>(-Wide()), -T(0)));
  // Random Wide values over T's range and a little beyond, against the integer rounding above.
  std::uniform_int_distribution<int> exponent(limits::min_exponent - limits::digits - 4, limits::max_exponent + 2);
  for (int i = 0; i < 5000; ++i) {
    std::uint64_t hi = rng() | (std::uint64_t(1) << 63), lo = rng();
    if (i % 4 == 1) lo = 0;  // short significands: exact values and ties
    if (i % 4 == 2) hi = (hi & ~((std::uint64_t(1) << 20) - 1)) | (std::uint64_t(1) << 63);
    const Wide x = Wide::from_parts((i & 1) != 0, exponent(rng) - 1, hi, lo);
    const T got = static_cast<T>(x), expected = round_by_integers<T>(x);
    if (!same_value(got, expected)) fail(token(x) + ": got " + show(got) + ", expected " + show(expected));
  }
  std::string first;
  for (const std::string& f : failures) first += "\n  " + f;
  INFO(failures.size() << " failures" << first);
  CHECK(failures.empty());
}

}  // namespace

TEST_CASE("Wide from float and to float: exact in, rounded to nearest even out", "[wide][conversion][ieee]") {
  check_conversions<float>(1);
}
TEST_CASE("Wide from double and to double: exact in, rounded to nearest even out", "[wide][conversion][ieee]") {
  check_conversions<double>(2);
}
TEST_CASE("Wide from long double and to long double: exact in, rounded to nearest even out",
          "[wide][conversion][ieee]") {
  // x87 extended (64 bits), IEEE binary128 (113) or double (53): numeric_limits describes each.
  static_assert(LDBL_MANT_DIG == 64 || LDBL_MANT_DIG == 113 || LDBL_MANT_DIG == 53, "an unexpected long double");
  check_conversions<long double>(3);
#if LDBL_MANT_DIG == 64
  // x87: 1 + 2⁻⁶⁴ is halfway between 1 and 1 + 2⁻⁶³; 1 + 3·2⁻⁶⁴ halfway between that and 1 + 2⁻⁶².
  CHECK(static_cast<long double>(Wide::from_parts(false, 0, std::uint64_t(1) << 63, std::uint64_t(1) << 63)) == 1.0L);
  CHECK(static_cast<long double>(Wide::from_parts(false, 0, (std::uint64_t(1) << 63) | 1, std::uint64_t(1) << 63)) ==
        1.0L + std::ldexp(1.0L, -62));
  CHECK(static_cast<long double>(Wide::from_parts(false, 0, std::uint64_t(1) << 63, (std::uint64_t(1) << 63) | 1)) ==
        1.0L + std::ldexp(1.0L, -63));
  CHECK(static_cast<long double>(Wide::from_parts(false, 0, ~std::uint64_t(0), std::uint64_t(1) << 63)) == 2.0L);
#endif
}

// ---- d. decimals -------------------------------------------------------------------------------------

namespace {

/// The significant digits and the power of ten of a numeral [−]digits[.digits][e[±]digits].
struct Numeral {
  int digits = 0;
  long scale = 0;
};

Numeral numeral(const std::string& text) {
  Numeral n;
  bool point = false, leading = true;
  std::size_t i = text[0] == '-' || text[0] == '+' ? 1 : 0;
  for (; i < text.size() && text[i] != 'e' && text[i] != 'E'; ++i) {
    if (text[i] == '.') {
      point = true;
      continue;
    }
    if (point) --n.scale;
    if (leading && text[i] == '0') continue;
    leading = false;
    ++n.digits;
  }
  if (i < text.size()) n.scale += std::stol(text.substr(i + 1));
  return n;
}

/// parse_decimal's error bound, in units of 2⁻¹²⁸ relative: the first 38 digits exact, 1 for each
/// further digit (two roundings, tail·10 and + d), 2 log₂ n + 1 for a power of ten 10ⁿ beyond 10⁵⁵
/// (wide_decimal.hpp: 1 + the bits set in n, at most that), ½ for the last rounding.
double parse_bound(const Numeral& n) {
  const double digits = std::max(0, n.digits - 38);
  const long power = std::labs(n.scale);
  return digits + (power > 55 ? 2 * std::log2(static_cast<double>(power)) + 1 : 0) + 0.5;
}

/// The largest power of ten whose numerals the tests hold to parse_bound.
constexpr long checked_powers = 1000;

}  // namespace

TEST_CASE("parse_decimal: exact where the contract says, within its bound elsewhere", "[wide][decimal]") {
  long checked = 0;
  double worst_exact = 0, worst_long = 0;
  for (const Reference& r : lines_of("decimal")) {
    Wide got;
    REQUIRE(dd::parse_decimal(r.text, got));
    const Numeral n = numeral(r.text);
    INFO(r.text << " (" << n.digits << " digits, 10^" << n.scale << "): got " << token(got) << ", nearest "
                << token(r.nearest));
    if (n.digits <= 38 && std::labs(n.scale) <= 55) {
      CHECK(same(got, r.nearest));  // one rounding of exact integers
    } else if (std::labs(n.scale) <= checked_powers) {
      const double u = error_ulps(got, r) / significand_fraction(r.nearest);
      worst_long = std::max(worst_long, u);
      CHECK(u <= parse_bound(n));
    }
    ++checked;
  }
  CHECK(checked >= 30);
  // The 45-digit decimals of the whole table read back within the same bound (the >38-digit path,
  // and powers of ten up to 10^±1000).
  for (const Reference& r : reference_table()) {
    if (r.op == "decimal" || r.op == "complement" || !r.nearest.is_finite() || r.nearest.is_zero()) continue;
    const Numeral n = numeral(r.decimal);
    if (std::labs(n.scale) > checked_powers) continue;
    Wide got;
    INFO(r.decimal);
    REQUIRE(dd::parse_decimal(r.decimal, got));
    const double u = error_ulps(got, r) / significand_fraction(r.nearest);
    worst_exact = std::max(worst_exact, u);
    CHECK(u <= parse_bound(n));
    ++checked;
  }
  CHECK(checked >= 2000);
  INFO("worst: " << worst_long << " u (the table's numerals), " << worst_exact << " u (45-digit decimals)");
  CHECK(checked > 0);
}

// Powers of ten far beyond 10⁵⁵: a product of tabled 10^(2ᵏ) (once repeated squaring, whose error
// doubled each time: "3e30000" was 550 units off).
TEST_CASE("parse_decimal: large powers of ten within 2 log2 n units", "[wide][decimal]") {
  long checked = 0;
  for (const Reference& r : reference_table()) {
    const std::string& text = r.op == "decimal" ? r.text : r.decimal;
    if (r.op == "complement" || !r.nearest.is_finite() || r.nearest.is_zero()) continue;
    const Numeral n = numeral(text);
    if (std::labs(n.scale) <= checked_powers || std::labs(n.scale) > 100000) continue;
    Wide got;
    REQUIRE(dd::parse_decimal(text, got));
    const double u = error_ulps(got, r) / significand_fraction(r.nearest);
    INFO(text << ": " << u << " units of 2^-128, bound " << parse_bound(n));
    CHECK(u <= parse_bound(n));
    ++checked;
  }
  CHECK(checked >= 10);
}

TEST_CASE("parse_decimal: signs, zeros, inf and nan, and what it rejects", "[wide][decimal]") {
  Wide x;
  REQUIRE(dd::parse_decimal("0", x));
  CHECK(same(x, Wide()));
  REQUIRE(dd::parse_decimal("-0", x));
  CHECK(same(x, -Wide()));
  REQUIRE(dd::parse_decimal("0.000e5", x));
  CHECK(same(x, Wide()));
  REQUIRE(dd::parse_decimal("+12", x));
  CHECK(same(x, Wide(12)));
  REQUIRE(dd::parse_decimal("-12.5E-1", x));
  CHECK(same(x, -Wide(5) / Wide(4)));
  REQUIRE(dd::parse_decimal("1e+2", x));
  CHECK(same(x, Wide(100)));
  REQUIRE(dd::parse_decimal("000123", x));
  CHECK(same(x, Wide(123)));
  REQUIRE(dd::parse_decimal("18446744073709551616", x));  // 2⁶⁴
  CHECK(same(x, power_of_two(64)));
  REQUIRE(dd::parse_decimal("340282366920938463463374607431768211455", x));  // 2¹²⁸ − 1, 39 digits: exact
  CHECK(same(x, Wide::from_parts(false, 127, ~std::uint64_t(0), ~std::uint64_t(0))));
  REQUIRE(dd::parse_decimal("340282366920938463463374607431768211457", x));  // 2¹²⁸ + 1: a tie, to 2¹²⁸ (even)
  CHECK(same(x, power_of_two(128)));
  REQUIRE(dd::parse_decimal("inf", x));
  CHECK(same(x, Wide::infinity()));
  REQUIRE(dd::parse_decimal("-inf", x));
  CHECK(same(x, Wide::infinity(true)));
  REQUIRE(dd::parse_decimal("nan", x));
  CHECK(x.is_nan());
  for (const char* bad : {"",   "1e", "--1", "1.2.3", "abc",  "-",    "+",   ".",     "e5",   "1e+", "1e-",
                          "1x", " 1", "1 ",  "+-1",   "1e5.", "0x10", "1,5", "1e2e3", "inf1", "nan2"}) {
    INFO("\"" << bad << "\"");
    Wide untouched(7);
    CHECK_FALSE(dd::parse_decimal(bad, untouched));
  }
}

TEST_CASE("decimal_value and decimal_complement are the decimals a double spells, rounded once", "[wide][decimal]") {
  std::map<std::string, Reference> decimals, complements;
  for (const Reference& r : lines_of("decimal")) decimals[r.text] = r;
  for (const Reference& r : lines_of("complement")) complements[r.text] = r;
  // Each is the shortest decimal of its double (so denorm_min is 5e-324, not 4.94…e-324).
  for (const char* text : {"1e-4", "0.00085", "0.012", "0.999", "8e-3", "0.02", "0.5", "0.1", "17", "2.5e-7",
                           "6.02214076e23", "7e22", "1.7976931348623157e308", "5e-324"}) {
    const double x = std::strtod(text, nullptr);
    const Reference& r = decimals.at(text);
    const Numeral n = numeral(text);
    INFO(text << ": got " << token(dd::decimal_value(x)) << ", nearest " << token(r.nearest));
    if (std::labs(n.scale) <= 55) {  // one rounding
      CHECK(same(dd::decimal_value(x), r.nearest));
      CHECK(same(dd::decimal_value(-x), -r.nearest));
    } else {
      CHECK(error_ulps(dd::decimal_value(x), r) / significand_fraction(r.nearest) <= parse_bound(n));
    }
  }
  for (const auto& entry : complements) {
    const double x = std::strtod(entry.first.c_str(), nullptr);
    INFO("1 - " << entry.first << ": got " << token(dd::decimal_complement(x)) << ", expected "
                << token(entry.second.nearest));
    if (entry.second.nearest.is_zero()) {
      CHECK(dd::decimal_complement(x).is_zero());
    } else {
      CHECK(same(dd::decimal_complement(x), entry.second.nearest));
    }
  }
  // 1 − 0.999 is 0.001 to the last bit, and so is the decimal 0.001.
  CHECK(same(dd::decimal_complement(0.999), dd::decimal_value(0.001)));
  CHECK(same(dd::decimal_value(std::numeric_limits<double>::infinity()), Wide::infinity()));
}

// ---- e. nearest_integer and floor_to_integer -------------------------------------------------------

TEST_CASE("nearest_integer rounds halves away from zero, floor_to_integer rounds down", "[wide][integer]") {
  const Wide half = ldexp(Wide(1), -1);
  const Wide below_half = half - power_of_two(-129), above_half = half + power_of_two(-128);  // neighbours of ½
  const Wide unit60 = power_of_two(60 - 127);  // the last bit of a Wide in [2⁶⁰, 2⁶¹)
  struct Case {
    Wide x;
    long long nearest, floor;
  };
  const long long big = 1LL << 60;
  const Case cases[] = {
      {Wide(), 0, 0},
      {-Wide(), 0, 0},
      {half, 1, 0},
      {-half, -1, -1},
      {Wide(3) * half, 2, 1},
      {-Wide(3) * half, -2, -2},
      {Wide(5) * half, 3, 2},
      {-Wide(5) * half, -3, -3},
      {below_half, 0, 0},
      {-below_half, 0, -1},
      {above_half, 1, 0},
      {-above_half, -1, -1},
      {Wide(3), 3, 3},
      {Wide(-3), -3, -3},
      {power_of_two(-300), 0, 0},
      {-power_of_two(-300), 0, -1},
      {Wide(big) + half, big + 1, big},
      {-(Wide(big) + half), -big - 1, -big - 1},
      {Wide(big) - half, big, big - 1},
      {Wide(big) + half - unit60, big, big},
      {-(Wide(big) + half - unit60), -big, -big - 1},
      {Wide(big) + half + unit60, big + 1, big},
      {Wide(1) - power_of_two(-128), 1, 0},
      {Wide(-1) + power_of_two(-128), -1, -1},
      {Wide((1LL << 61) - 1) + half - unit60, (1LL << 61) - 1, (1LL << 61) - 1},
      {Wide((1LL << 62) - 1), (1LL << 62) - 1, (1LL << 62) - 1},
      {-Wide((1LL << 62) - 1) - half, -(1LL << 62), -(1LL << 62)},
  };
  for (const Case& c : cases) {
    INFO("x = " << token(c.x));
    if (abs(c.x) < power_of_two(61)) CHECK(dd::nearest_integer(c.x) == c.nearest);
    CHECK(floor_to_integer(c.x) == c.floor);
  }
  // Random x = ±(m + q/2⁶⁴), exact in Wide: nearest is m + (q ≥ 2⁶³), floor is m or −m − (q > 0).
  std::mt19937_64 rng(5);
  for (int i = 0; i < 20000; ++i) {
    const std::uint64_t shift = 4 + rng() % 60;
    const auto m = static_cast<long long>(rng() >> shift);
    std::uint64_t q = rng();
    if (i % 5 == 0) q = std::uint64_t(1) << 63;
    if (i % 5 == 1) q = (std::uint64_t(1) << 63) + (rng() & 1 ? 1 : std::uint64_t(0) - 1);
    if (i % 5 == 2) q = 0;
    const bool negative = (rng() & 1) != 0;
    Wide x = Wide(m) + ldexp(Wide(q), -64);
    if (negative) x = -x;
    const long long n = m + (q >= (std::uint64_t(1) << 63) ? 1 : 0);
    INFO("x = " << token(x));
    CHECK(dd::nearest_integer(x) == (negative ? -n : n));
    CHECK(floor_to_integer(x) == (negative ? -m - (q != 0 ? 1 : 0) : m));
  }
}

// ---- the 128-bit integer primitives, and the digest of native and portable results ----------------

TEST_CASE("multiply_full and divide_128_by_64 agree with the compiler's 128-bit integers", "[wide][uint128]") {
  std::mt19937_64 rng(6);
  const std::uint64_t edges[] = {0,
                                 1,
                                 2,
                                 3,
                                 0xffffffffu,
                                 0x100000000u,
                                 std::uint64_t(1) << 63,
                                 ~std::uint64_t(0),
                                 ~std::uint64_t(0) - 1,
                                 (std::uint64_t(1) << 63) + 1,
                                 0x8000000080000000u,
                                 0xffffffff00000000u};
  std::vector<std::uint64_t> values(std::begin(edges), std::end(edges));
  for (int i = 0; i < 200; ++i) {
    const std::uint64_t shift = rng() % 64;
    values.push_back(rng() >> shift);
  }
  long failures = 0;
  for (const std::uint64_t a : values) {
    for (const std::uint64_t b : values) {
      const dd::U128 p = dd::multiply_full(a, b);
      const u128 expected = static_cast<u128>(a) * b;
      if (p.hi != static_cast<std::uint64_t>(expected >> 64) || p.lo != static_cast<std::uint64_t>(expected))
        ++failures;
      if (b == 0) continue;
      // (hi, lo)/d with hi < d: hi = a mod b, and the extremes hi = d − 1.
      for (const std::uint64_t hi : {a % b, b - 1, std::uint64_t(0)}) {
        for (const std::uint64_t lo : {a, ~a, ~std::uint64_t(0)}) {
          std::uint64_t r = 0;
          const std::uint64_t q = dd::divide_128_by_64(hi, lo, b, r);
          const u128 n = (static_cast<u128>(hi) << 64) | lo;
          if (q != static_cast<std::uint64_t>(n / b) || r != static_cast<std::uint64_t>(n % b)) ++failures;
        }
      }
    }
  }
  CHECK(failures == 0);
}

namespace {

/// FNV-1a, 64 bits.
struct Fnv {
  std::uint64_t h = 0xcbf29ce484222325u;
  void byte(unsigned b) {
    h ^= b & 0xffu;
    h *= 0x100000001b3u;
  }
  void word(std::uint64_t w) {
    for (int i = 0; i < 8; ++i) byte(static_cast<unsigned>(w >> (8 * i)));
  }
  /// The exact result bits: kind, sign, exponent, significand.
  void wide(const Wide& x) {
    const unsigned kind = x.is_nan() ? 3 : x.is_infinite() ? 2 : x.is_zero() ? 0 : 1;
    byte(kind);
    if (kind == 3) return;
    byte(x.negative() ? 1 : 0);
    if (kind != 1) return;
    word(static_cast<std::uint64_t>(static_cast<std::int64_t>(x.exponent())));
    word(x.significand_high());
    word(x.significand_low());
  }
};

/// The digest of every function, operation and conversion to float and double at `count`
/// deterministic pseudo-random inputs (splitmix64): the same on every machine, compiler and 128-bit
/// integer path.
std::uint64_t digest(int count) {
  std::uint64_t state = 0x5eed;
  auto next = [&state] {  // splitmix64
    std::uint64_t z = (state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
  };
  auto random_wide = [&next](int low, int high) {  // one call of next() per statement: a fixed order
    const std::uint64_t r = next();
    const std::uint64_t hi = next() | (std::uint64_t(1) << 63);
    const std::uint64_t lo = next();
    const auto e = static_cast<std::int32_t>(low + static_cast<int>(r % static_cast<std::uint64_t>(high - low + 1)));
    return Wide::from_parts(((r >> 32) & 1) != 0, e, hi, lo);
  };
  Fnv fnv;
  for (int i = 0; i < count; ++i) {
    const int band = i % 4;  // tiny, moderate, large and near-1 arguments
    const Wide x = band == 0   ? random_wide(-140, -8)
                   : band == 1 ? random_wide(-8, 4)
                   : band == 2 ? random_wide(5, 29)
                               : random_wide(-1, 0);
    const Wide y = random_wide(-40, 40), ax = abs(x);
    const Wide small_y = random_wide(-8, 3);
    fnv.wide(dd::exp(x));
    fnv.wide(dd::expm1(x));
    fnv.wide(dd::log(ax));
    fnv.wide(dd::log(y));
    fnv.wide(dd::log1p(x));
    fnv.wide(dd::sqrt(ax));
    fnv.wide(dd::sqrt(abs(y)));
    const dd::SinCos sc = dd::sin_cos(x);
    fnv.wide(sc.sin);
    fnv.wide(sc.cos);
    fnv.wide(dd::atan(x));
    fnv.wide(dd::atan(y));
    fnv.wide(dd::pow(abs(y), small_y));
    fnv.wide(dd::sinh(x));
    fnv.wide(dd::tanh(x));
    fnv.wide(dd::asinh(y));
    fnv.wide(dd::softplus(x));
    fnv.wide(dd::sigmoid(x));
    fnv.wide(dd::one_minus_exp(x));
    fnv.wide(x + y);
    fnv.wide(x - y);
    fnv.wide(x * y);
    fnv.wide(x / y);
    fnv.wide(y / x);
    fnv.word(dd::nearest_integer(x) < 0 ? 1 : 0);
    std::uint64_t bits = 0;
    const double d = static_cast<double>(y);
    std::memcpy(&bits, &d, sizeof d);
    fnv.word(bits);
    std::uint32_t fbits = 0;
    const float f = static_cast<float>(ldexp(x, static_cast<long long>(next() % 300) - 150));
    std::memcpy(&fbits, &f, sizeof f);
    fnv.word(fbits);
  }
  return fnv.h;
}

#if defined(DIFFUSE_PORTABLE_UINT128) || !defined(__SIZEOF_INT128__)
const char* const integer_path = "portable 64-bit path";
#else
const char* const integer_path = "native unsigned __int128 path";
#endif

std::string hex(std::uint64_t x) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, x);
  return buf;
}

}  // namespace

TEST_CASE("the digest of result bits is deterministic (CTest compares it with the portable path's)", "[wide][digest]") {
  const std::uint64_t first = digest(2000);
  INFO("wide digest: " << hex(first) << " (" << integer_path << ")");
  CHECK(digest(2000) == first);
  CHECK(first != Fnv().h);
}

// Prints only the digest line, for wide_digest.cmake: test_wide and test_wide_portable must agree.
TEST_CASE("print the digest of result bits", "[.digest]") {
  std::printf("wide digest: %s\n", hex(digest(2000)).c_str());
  CHECK(true);
}
