/// Shape checks of Eigen arguments and the text of their messages.
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
void check_shape(const char* function, const char* name, const Eigen::EigenBase<Derived>& value,
                 Eigen::Index rows, Eigen::Index cols) {
  if (value.rows() != rows || value.cols() != cols) {
    fail<std::invalid_argument>(function, std::string(name) + " must have the shape " + shape_string(rows, cols),
                                shape_string(value.rows(), value.cols()));
  }
}

}  // namespace detail
}  // namespace diffuse
