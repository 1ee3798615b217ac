/// The messages of the exceptions diffuse throws and how they are thrown; the rules that raise them are in checks.hpp.
#pragma once

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include "float_class.hpp"

namespace diffuse {
namespace detail {

/// The shortest decimal that reads back as x: the fewest significant digits p that round-trip,
/// printed without an exponent when |x| is in [1e-4, 1e17) (50, not 5e+01).
inline std::string shortest_decimal(double x) {
  if (detail::is_nan(x)) return "nan";
  if (!detail::is_finite(x)) return std::signbit(x) ? "-inf" : "inf";
  char buf[40];
  int digits = 1;
  for (;; ++digits) {  // 17 digits always read back
    std::snprintf(buf, sizeof buf, "%.*e", digits - 1, x);
    if (digits == 17 || std::strtod(buf, nullptr) == x) break;
  }
  const int exponent = x == 0 ? 0 : std::atoi(std::strchr(buf, 'e') + 1);
  const int precision = exponent >= 0 && exponent < 17 && exponent + 1 > digits ? exponent + 1 : digits;
  std::snprintf(buf, sizeof buf, "%.*g", precision, x);
  return buf;
}

inline std::string to_message_value(double x) { return shortest_decimal(x); }
inline std::string to_message_value(long double x) { return shortest_decimal(static_cast<double>(x)); }
inline std::string to_message_value(float x) { return shortest_decimal(static_cast<double>(x)); }
inline std::string to_message_value(int x) { return std::to_string(x); }
inline std::string to_message_value(long x) { return std::to_string(x); }
inline std::string to_message_value(long long x) { return std::to_string(x); }
inline std::string to_message_value(unsigned x) { return std::to_string(x); }
inline std::string to_message_value(unsigned long x) { return std::to_string(x); }
inline std::string to_message_value(unsigned long long x) { return std::to_string(x); }
/// A string in double quotes with JSON's escapes (\" \\ \n \r \t, other control bytes as \u00XX), so
/// a message shows every byte of it and a NUL byte cannot end what() early.
inline std::string to_message_value(const std::string& x) {
  std::string quoted = "\"";
  for (const char c : x) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      quoted += '\\';
      quoted += c;
    } else if (c == '\n') {
      quoted += "\\n";
    } else if (c == '\r') {
      quoted += "\\r";
    } else if (c == '\t') {
      quoted += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(byte));
      quoted += escape;
    } else {
      quoted += c;
    }
  }
  return quoted + "\"";
}
inline std::string to_message_value(const char* x) { return to_message_value(std::string(x)); }

/// Throws Exception (or, built with -fno-exceptions, prints the message and aborts).
template <class Exception>
[[noreturn]] inline void raise(const std::string& message) {
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS) || defined(_CPPUNWIND)
  throw Exception(message);
#else
  std::fprintf(stderr, "%s\n", message.c_str());
  std::fflush(stderr);
  std::abort();
#endif
}

/// Throws Exception with "diffuse::<function>: <rule> (got <value>)".
template <class Exception, class Value>
[[noreturn]] inline void fail(const char* function, const std::string& rule, const Value& value) {
  raise<Exception>(std::string("diffuse::") + function + ": " + rule + " (got " + to_message_value(value) + ")");
}

}  // namespace detail
}  // namespace diffuse
