/// 16-bit storage (Eigen::half, Eigen::bfloat16): widened to float, computed by the float path, rounded once.
///
/// A batch stored in 16 bits (the layout of PyTorch's half and bfloat16) is widened to float
/// (exact), the float path runs on it with the float process (a Schedule<float>; there is no
/// Schedule<Eigen::half>), and each result is rounded once to the storage type by Eigen's
/// conversion (round to nearest, ties to even). So a 16-bit result is, bit for bit,
/// `(float result on x0.cast<float>()).cast<Storage>()`. The float copies are whole batches
/// (4 bytes per element for each input and output), made after the checks of the caller.
#pragma once

#include <type_traits>

#include <Eigen/Core>

namespace diffuse {
namespace detail {

/// Whether T is a 16-bit storage type: Eigen::half or Eigen::bfloat16.
template <class T>
inline constexpr bool is_storage16_v = std::is_same<T, Eigen::half>::value || std::is_same<T, Eigen::bfloat16>::value;

/// Compile-time rules of a call on 16-bit storage: every Eigen argument has the one storage type
/// Storage, and the arithmetic type is float.
template <class Float, class Storage, class... Arguments>
constexpr void check_storage16_call() {
  static_assert(std::is_same<Float, float>::value,
                "diffuse: Eigen::half and Eigen::bfloat16 batches go with a float process (a Schedule<float>; "
                "there is no Schedule<Eigen::half>)");
  static_assert((std::is_same<Storage, typename Arguments::Scalar>::value && ...),
                "diffuse: the Eigen arguments of a 16-bit call must all have the same storage type "
                "(Eigen::half or Eigen::bfloat16)");
}

/// The float column-major copy of a batch (each 16-bit value is exact in float).
template <class Derived>
Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor> widened(const Eigen::MatrixBase<Derived>& m) {
  return m.template cast<float>();
}

/// Writes the float batch `value` into the 16-bit `out`, each coefficient rounded once to nearest, ties to even.
template <class Out>
void store_rounded(const Eigen::MatrixBase<Out>& out,
                   const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>& value) {
  const_cast<Out&>(out.derived()) = value.template cast<typename Out::Scalar>();
}

}  // namespace detail
}  // namespace diffuse
