/// Splitting batch work into chunks and running them, on OpenMP threads when the program is built with OpenMP.
#pragma once

#include <cstddef>
#include <vector>

namespace diffuse {
namespace detail {

/// Splits every task (a type with `std::size_t count` and `Task part(k, n)`, the elements
/// [k, k + n) of it) into parts of at most 16384 elements and runs `run` on each part: on OpenMP
/// threads when compiled with OpenMP and the work is at least two parts, else in order. Every
/// element belongs to exactly one part, so the results do not depend on the thread count.
template <class Task, class Run>
inline void run_in_chunks(const std::vector<Task>& tasks, Run run) {
  constexpr std::size_t chunk = 16384;
  std::vector<Task> parts;
  std::size_t total = 0;
  for (const Task& task : tasks) {
    total += task.count;
    for (std::size_t k = 0; k < task.count; k += chunk) {
      parts.push_back(task.part(k, task.count - k < chunk ? task.count - k : chunk));
    }
  }
  const long n = static_cast<long>(parts.size());
#if defined(_OPENMP)
#pragma omp parallel for schedule(dynamic) if (n > 1 && total >= 2 * chunk)
#endif
  for (long i = 0; i < n; ++i) run(parts[static_cast<std::size_t>(i)]);
  static_cast<void>(total);
}

}  // namespace detail
}  // namespace diffuse
