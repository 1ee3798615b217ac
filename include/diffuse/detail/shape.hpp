/// Shape and count checks of Eigen arguments and the text of their messages.
#pragma once

#include <stdexcept>
#include <string>

#include <Eigen/Core>

#include "error.hpp"

namespace diffuse {
namespace detail {

/// "rows x cols", for messages about shapes.
inline std::string shape_string(Eigen::Index rows, Eigen::Index cols) {
  return std::to_string(rows) + " x " + std::to_string(cols);
}

/// Throws std::invalid_argument unless `value` has the shape rows x cols.
template <class Derived>
void check_shape(const char* function, const char* name, const Eigen::EigenBase<Derived>& value, Eigen::Index rows,
                 Eigen::Index cols) {
  if (value.rows() != rows || value.cols() != cols) {
    fail<std::invalid_argument>(function, std::string(name) + " must have the shape " + shape_string(rows, cols),
                                shape_string(value.rows(), value.cols()));
  }
}

/// Throws std::invalid_argument unless a per-column argument has one entry per column.
inline void check_count(const char* function, const char* name, Eigen::Index count, Eigen::Index columns) {
  if (count != columns) {
    fail<std::invalid_argument>(function,
                                std::string(name) + " must have one entry per column, " + std::to_string(columns),
                                static_cast<long long>(count));
  }
}

}  // namespace detail
}  // namespace diffuse
