// detail::is_nan and detail::is_finite read the bits, so they classify every kind of value the same
// way with and without -ffast-math (CI runs this file in its -ffast-math build too): zeros,
// subnormals, the largest finite values, both infinities, quiet and signalling NaNs of either sign,
// each as a constant and as a value read from memory.
#include <diffuse/detail/float_class.hpp>

#include <limits>

#include "catch.hpp"

namespace {

/// x as a value read from memory at run time (like data from another library), so the compiler
/// cannot fold the classification of a known constant.
template <class S>
S from_memory(S x) {
  volatile S stored = x;
  return stored;
}

}  // namespace

TEMPLATE_TEST_CASE("is_nan and is_finite classify by the bits", "[float_class]", float, double, long double) {
  using S = TestType;
  using L = std::numeric_limits<S>;
  using diffuse::detail::is_finite;
  using diffuse::detail::is_nan;
  for (const S finite :
       {S(0), -S(0), S(1), -S(0.5), L::min(), L::denorm_min(), -L::denorm_min(), L::max(), L::lowest()}) {
    CAPTURE(finite);
    CHECK(is_finite(finite));
    CHECK(is_finite(from_memory(finite)));
    CHECK_FALSE(is_nan(finite));
    CHECK_FALSE(is_nan(from_memory(finite)));
  }
  for (const S infinite : {L::infinity(), -L::infinity()}) {
    CHECK_FALSE(is_finite(infinite));
    CHECK_FALSE(is_finite(from_memory(infinite)));
    CHECK_FALSE(is_nan(infinite));
    CHECK_FALSE(is_nan(from_memory(infinite)));
  }
  for (const S nan : {L::quiet_NaN(), -L::quiet_NaN(), L::signaling_NaN(), -L::signaling_NaN()}) {
    CHECK_FALSE(is_finite(nan));
    CHECK_FALSE(is_finite(from_memory(nan)));
    CHECK(is_nan(nan));
    CHECK(is_nan(from_memory(nan)));
  }
}
