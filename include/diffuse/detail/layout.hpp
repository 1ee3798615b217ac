/// The memory of a batch: coefficient (i, j) at data[i·row_stride + j·col_stride], for the kernels that walk it.
#pragma once

#include <cstddef>
#include <type_traits>

#include <Eigen/Core>

namespace diffuse {
namespace detail {

/// A batch in memory: coefficient (i, j) at data[i·row_stride + j·col_stride].
template <class Pointer>
struct StridedBatch {
  Pointer data;
  std::ptrdiff_t row_stride;
  std::ptrdiff_t col_stride;
  Pointer column(Eigen::Index j) const { return data + static_cast<std::ptrdiff_t>(j) * col_stride; }
};

/// Whether an Eigen object lies in memory with strides (a Matrix, Map, Ref, Block, transpose of one).
template <class Derived>
inline constexpr bool has_direct_access = static_cast<bool>(Derived::Flags& Eigen::DirectAccessBit);

/// An input read where it lies (a reference) or, for an expression, evaluated first (a matrix).
template <class Derived>
using Readable = std::conditional_t<has_direct_access<Derived>, const Derived&, const typename Derived::PlainObject>;

/// The memory layout of an object with direct access.
template <class Derived>
inline StridedBatch<const typename Derived::Scalar*> strided(const Eigen::MatrixBase<Derived>& m) {
  return {m.derived().data(), static_cast<std::ptrdiff_t>(m.derived().rowStride()),
          static_cast<std::ptrdiff_t>(m.derived().colStride())};
}

/// The memory layout of an output, which must be writable with direct access (Eigen passes outputs
/// as const references).
template <class Derived>
inline StridedBatch<typename Derived::Scalar*> strided_output(const Eigen::MatrixBase<Derived>& m) {
  static_assert(has_direct_access<Derived> && static_cast<bool>(Derived::Flags & Eigen::LvalueBit),
                "diffuse: outputs must be writable objects with direct memory access (a Matrix, Map, Ref, Block or "
                "transpose of one)");
  Derived& out = const_cast<Derived&>(m.derived());
  return {out.data(), static_cast<std::ptrdiff_t>(out.rowStride()), static_cast<std::ptrdiff_t>(out.colStride())};
}

}  // namespace detail
}  // namespace diffuse
