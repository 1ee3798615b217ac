/// Python's round() and NumPy's rint / np.round on a double, whatever the rounding mode.
#pragma once

#include <cmath>

namespace diffuse {
namespace detail {

/// x to the nearest integer, ties to even (Python round(), NumPy rint and np.round), whatever the
/// floating-point environment's rounding mode.
inline double round_half_even(double x) {
  if (std::fabs(x - std::trunc(x)) == 0.5) return 2 * std::round(x / 2);  // x − trunc(x) is exact
  return std::round(x);
}

}  // namespace detail
}  // namespace diffuse
