/// The noise work unit: the counter layout of noise.hpp, NoiseTask and the portable path that runs it.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "../noise_element.hpp"
#include "error.hpp"

namespace diffuse {
namespace detail {

/// One unit of work: elements [first, first + count) of the sample `id`; for k = 0..count−1,
/// eps[k·eps_stride] = z (when eps is given), xt[k·xt_stride] = scaled_sum(a, x0[k·x0_stride], b, z)
/// (when xt is given) and target[k·target_stride] = scaled_sum(target_a, x0[k·x0_stride], target_b, z) (when
/// target is given: a training target such as v = −b x_0 + a ε, in the same pass). xt may be x0
/// (with the same stride); eps and target must not overlap xt, x0 or each other. The arrays hold
/// Stored values: Scalar, or 16-bit storage of a float Scalar (run by run_stored_noise_task, noise.hpp).
template <class Scalar, class Stored = Scalar>
struct NoiseTask {
  std::uint64_t seed = 0;
  std::uint64_t id = 0;
  std::uint64_t first = 0;
  std::size_t count = 0;
  Scalar a = 0;
  Scalar b = 0;
  const Stored* x0 = nullptr;
  Stored* xt = nullptr;
  Stored* eps = nullptr;
  std::ptrdiff_t x0_stride = 1;
  std::ptrdiff_t xt_stride = 1;
  std::ptrdiff_t eps_stride = 1;
  Stored* target = nullptr;
  Scalar target_a = 0;
  Scalar target_b = 0;
  std::ptrdiff_t target_stride = 1;

  /// Whether every array the task touches is contiguous (the vectorised writes apply).
  bool contiguous() const {
    return (!xt || (x0_stride == 1 && xt_stride == 1)) && (!eps || eps_stride == 1) &&
           (!target || (x0_stride == 1 && target_stride == 1));
  }

  /// The task for elements [first + k, first + k + n) of this one.
  NoiseTask part(std::size_t k, std::size_t n) const {
    NoiseTask p = *this;
    const std::ptrdiff_t offset = static_cast<std::ptrdiff_t>(k);
    p.first = first + k;
    p.count = n;
    if (x0) p.x0 += offset * x0_stride;
    if (xt) p.xt += offset * xt_stride;
    if (eps) p.eps += offset * eps_stride;
    if (target) p.target += offset * target_stride;
    return p;
  }
};

/// Writes the outputs of element k of a task from its normal z.
template <class Scalar>
inline void apply_noise(const NoiseTask<Scalar>& task, std::size_t k, Scalar z) {
  const std::ptrdiff_t at = static_cast<std::ptrdiff_t>(k);
  if (task.xt) task.xt[at * task.xt_stride] = scaled_sum(task.a, task.x0[at * task.x0_stride], task.b, z);
  if (task.eps) task.eps[at * task.eps_stride] = z;
  if (task.target)
    task.target[at * task.target_stride] = scaled_sum(task.target_a, task.x0[at * task.x0_stride], task.target_b, z);
}

/// The portable path: one Philox block at a time, the scalar transform of normal.hpp.
template <class Scalar>
inline void run_noise_task_portable(const NoiseTask<Scalar>& task) {
  constexpr int per_block = normals_per_block<Scalar>;
  const Philox4x32::Key key = noise_key(task.seed);
  std::uint64_t element = task.first;
  std::size_t k = 0;
  while (k < task.count) {
    Scalar z[per_block];
    noise_block(key, task.id, element / per_block, z);
    for (int j = static_cast<int>(element % per_block); j < per_block && k < task.count; ++j) {
      apply_noise(task, k, z[j]);
      ++k;
      ++element;
    }
  }
}

}  // namespace detail
}  // namespace diffuse
