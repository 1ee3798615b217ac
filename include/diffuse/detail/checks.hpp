/// The argument rules that more than one function checks, each written once: a broken rule throws "diffuse::<function>: <rule> (got <value>)".
///
/// In the style of Boost.Math's common_error_handling.hpp: one small function per rule, whose `///`
/// line gives the rule text. `function` names the caller as the message shows it ("Schedule::cosine");
/// `name` is the argument's name as the rule shows it: a string, or a callable returning one
/// (`[&] { return "times(" + std::to_string(j) + ")"; }`), called only when the rule is broken so
/// that a check in a loop builds no string. The floating-point checks test NaN and ±∞ with
/// detail::is_nan and detail::is_finite, which read the bits, so that they still fire in code
/// compiled with -ffast-math; they take float, double, long double and detail::Wide. Shapes and
/// per-column counts of Eigen arguments are in shape.hpp. docs/errors.md lists every rule, and
/// the test docs.errors_catalogue_matches_code keeps it true.
#pragma once

#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "error.hpp"
#include "float_class.hpp"

namespace diffuse {
namespace detail {

/// The text of an argument's name: the string itself, or what the callable returns.
inline std::string name_text(const char* name) { return name; }
inline const std::string& name_text(const std::string& name) { return name; }
template <class Name, class = decltype(std::declval<const Name&>()())>
std::string name_text(const Name& name) {
  return name();
}

/// a < b and a > b for an integer a of any type and a long long b, without overflow.
template <class Integer>
bool integer_less(Integer a, long long b) {
  if constexpr (std::is_signed<Integer>::value) {
    return static_cast<long long>(a) < b;
  } else {
    return b > 0 && static_cast<unsigned long long>(a) < static_cast<unsigned long long>(b);
  }
}
template <class Integer>
bool integer_greater(Integer a, long long b) {
  if constexpr (std::is_signed<Integer>::value) {
    return static_cast<long long>(a) > b;
  } else {
    return b < 0 || static_cast<unsigned long long>(a) > static_cast<unsigned long long>(b);
  }
}

/// Rule "<name> must be at least <least>" (std::invalid_argument): a count n ≥ least.
template <class Name, class Integer>
void check_at_least(const char* function, const Name& name, Integer n, long long least) {
  if (integer_less(n, least))
    fail<std::invalid_argument>(function, name_text(name) + " must be at least " + std::to_string(least), n);
}

/// Rule "the number of steps T must be at least <least>" (std::invalid_argument): the T of a
/// schedule, 1 unless said otherwise.
inline void check_steps(const char* function, int steps, int least = 1) {
  check_at_least(function, "the number of steps T", steps, least);
}

/// Rule "<name> must be in [<lo>, <hi>]" (std::out_of_range): an integer step or index lo ≤ t ≤ hi,
/// of any integer type.
template <class Name, class Integer>
void check_step(const char* function, const Name& name, Integer t, long long lo, long long hi) {
  if (integer_less(t, lo) || integer_greater(t, hi)) {
    fail<std::out_of_range>(
        function, name_text(name) + " must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]", t);
  }
}

/// Rule "<name> must be finite" (std::invalid_argument): x is neither NaN nor ±∞.
template <class Name, class Real>
void check_finite(const char* function, const Name& name, const Real& x) {
  if (!is_finite(x)) fail<std::invalid_argument>(function, name_text(name) + " must be finite", x);
}

/// Rule "<name> must be finite and > 0" (std::invalid_argument).
template <class Name, class Real>
void check_finite_positive(const char* function, const Name& name, const Real& x) {
  if (!(x > 0 && is_finite(x))) fail<std::invalid_argument>(function, name_text(name) + " must be finite and > 0", x);
}

/// Rule "<name> must be finite and >= 0" (std::invalid_argument, or Exception).
template <class Exception = std::invalid_argument, class Name, class Real>
void check_finite_non_negative(const char* function, const Name& name, const Real& x) {
  if (!(x >= 0 && is_finite(x))) fail<Exception>(function, name_text(name) + " must be finite and >= 0", x);
}

/// Rule "<name> must be finite and greater than <other_name>" (std::invalid_argument): other < x < +∞,
/// for an `other` already checked.
template <class Name, class Real>
void check_finite_above(const char* function, const Name& name, const Real& x, const char* other_name,
                        const Real& other) {
  if (!(x > other && is_finite(x))) {
    fail<std::invalid_argument>(function, name_text(name) + " must be finite and greater than " + other_name, x);
  }
}

/// Rule "<name> must be finite and >= <other_name>" (std::invalid_argument): other ≤ x < +∞, for an
/// `other` already checked.
template <class Name, class Real>
void check_finite_at_least(const char* function, const Name& name, const Real& x, const char* other_name,
                           const Real& other) {
  if (!(x >= other && is_finite(x)))
    fail<std::invalid_argument>(function, name_text(name) + " must be finite and >= " + other_name, x);
}

/// Rule "<name> must be greater than <other_name>" (std::invalid_argument): x > other, ±∞ allowed,
/// NaN not.
template <class Name, class Real>
void check_above(const char* function, const Name& name, const Real& x, const char* other_name, const Real& other) {
  if (is_nan(x) || !(x > other))
    fail<std::invalid_argument>(function, name_text(name) + " must be greater than " + other_name, x);
}

/// Rule "<name> must be less than <other_name> = <other>" (std::invalid_argument): x < other, NaN not.
template <class Name, class Real>
void check_below(const char* function, const Name& name, const Real& x, const char* other_name, const Real& other) {
  if (is_nan(x) || !(x < other)) {
    fail<std::invalid_argument>(
        function, name_text(name) + " must be less than " + other_name + " = " + to_message_value(other), x);
  }
}

/// Rule "<name> must be > 0" (std::invalid_argument): x > 0, +∞ allowed, NaN not.
template <class Name, class Real>
void check_positive(const char* function, const Name& name, const Real& x) {
  if (is_nan(x) || !(x > 0)) fail<std::invalid_argument>(function, name_text(name) + " must be > 0", x);
}

/// Rule "<name> must be >= 0" (std::invalid_argument): x ≥ 0, +∞ allowed, NaN not.
template <class Name, class Real>
void check_non_negative(const char* function, const Name& name, const Real& x) {
  if (is_nan(x) || !(x >= 0)) fail<std::invalid_argument>(function, name_text(name) + " must be >= 0", x);
}

/// Rule "<name> must be in [0, 1]" (std::invalid_argument, or Exception): 0 ≤ x ≤ 1, NaN not.
template <class Exception = std::invalid_argument, class Name, class Real>
void check_in_closed_unit_interval(const char* function, const Name& name, const Real& x) {
  if (is_nan(x) || !(x >= 0 && x <= 1)) fail<Exception>(function, name_text(name) + " must be in [0, 1]", x);
}

/// Rule "<name> must be in (0, 1]" (std::invalid_argument): 0 < x ≤ 1, NaN not.
template <class Name, class Real>
void check_in_half_open_unit_interval(const char* function, const Name& name, const Real& x) {
  if (is_nan(x) || !(x > 0 && x <= 1)) fail<std::invalid_argument>(function, name_text(name) + " must be in (0, 1]", x);
}

/// Rule "<name> must be in (0, 1)" (std::invalid_argument): 0 < x < 1, NaN not.
template <class Name, class Real>
void check_in_open_unit_interval(const char* function, const Name& name, const Real& x) {
  if (is_nan(x) || !(x > 0 && x < 1)) fail<std::invalid_argument>(function, name_text(name) + " must be in (0, 1)", x);
}

/// Compile-time rule: an Eigen argument of scalar type Got goes with a process, schedule or
/// Gaussian of scalar type Expected (no silent mixing of float and double).
template <class Expected, class Got>
constexpr void check_same_scalar() {
  static_assert(std::is_same<Expected, Got>::value,
                "diffuse: an Eigen argument must have the scalar type of the process, schedule or Gaussian it goes "
                "with (convert it with .template cast<Scalar>())");
}

/// Compile-time rule: normals are drawn in float or double (StandardNormal, the noise of
/// noise.hpp). True, so that a class can check it too: static_assert(check_float_or_double<S>()).
template <class Scalar>
constexpr bool check_float_or_double() {
  static_assert(std::is_same<Scalar, float>::value || std::is_same<Scalar, double>::value,
                "diffuse: normals and noise are drawn in float or double only");
  return true;
}

}  // namespace detail
}  // namespace diffuse
