/// Reproducible noise keyed by (seed, sample id, element), and add_noise with that noise drawn in the same pass.
///
/// The noise contract (normative text: docs/noise_contract.md). Under seed k, element i of the
/// sample with id j is a pure function of (k, j, i): Philox4x32-10 keyed by k, block b of sample j
/// at counter (b, j), and the library's Box–Muller transform (detail::normal_pair) giving elements
/// 4b .. 4b + 3 (float) or 2b, 2b + 1 (double). So a batch, any split of it into pieces filled in
/// any order, another batch size, any number of threads or processes, and every code path give the
/// same bits. Ids are any 64-bit values (a data-set index, or an index mixed with the epoch); the
/// seed names the run.
///
/// Batches. As in batch.hpp (whose conventions hold here), column j of a batch is one sample (the one with id ids(j)) and row i
/// is its element i, whatever the storage order: the noise of coefficient (i, j) depends on
/// (seed, ids(j), i) only. A contiguous (B, C, H, W) tensor of PyTorch or NumPy is an Eigen::Map
/// of a column-major (C·H·W) × B matrix over its memory (or the .transpose() of a row-major
/// B × (C·H·W) map). Contiguous columns take the vectorised writes; other layouts give the same
/// bits, more slowly.
///
/// Speed and threads. The kernels run on the widest of AVX-512F, AVX2+FMA or portable C++ that
/// the CPU offers, chosen at run time (no compiler flag needed), and on NEON on aarch64; every path performs the same
/// IEEE operations, so the bits do not depend on it. Compiled with OpenMP (-fopenmp), a batch is
/// split into chunks of 16384 elements across threads; the bits do not depend on the thread count.
/// Bits are the same with every compiler that evaluates float and double in IEEE single and
/// double precision with round-to-nearest (not -ffast-math, not the x87 unit).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include "batch.hpp"
#include "detail/checks.hpp"
#include "detail/layout.hpp"
#include "detail/noise_simd.hpp"
#include "detail/shape.hpp"
#include "detail/storage16.hpp"
#include "detail/tasks.hpp"
#include "noise_element.hpp"
#include "process.hpp"

namespace diffuse {

namespace detail {

/// The sample ids as 64-bit counters words, checked: one per sample, none negative.
template <class Derived>
inline std::vector<std::uint64_t> checked_ids(const char* function, const Eigen::MatrixBase<Derived>& ids,
                                              Eigen::Index samples) {
  using Id = typename Derived::Scalar;
  static_assert(std::is_integral<Id>::value, "diffuse: sample ids must be integers");
  check_count(function, "ids", ids.size(), samples);
  std::vector<std::uint64_t> out(static_cast<std::size_t>(samples));
  for (Eigen::Index j = 0; j < samples; ++j) {
    const Id id = ids.derived().coeff(j);
    if constexpr (std::is_signed<Id>::value) {
      if (id < 0) {
        fail<std::out_of_range>(function, "ids must be non-negative", static_cast<long long>(id));
      }
    }
    out[static_cast<std::size_t>(j)] = static_cast<std::uint64_t>(id);
  }
  return out;
}

/// Runs a NoiseTask: the kernel of the code path in use; for 16-bit storage, by blocks of
/// storage_block elements widened into float buffers, run by that kernel and rounded once.
template <class Scalar, class Stored>
inline void run_stored_noise_task(const NoiseTask<Scalar, Stored>& task) {
  if constexpr (std::is_same<Scalar, Stored>::value) {
    run_noise_task(task);
  } else {
    float x0[storage_block], xt[storage_block], eps[storage_block], target[storage_block];
    for (std::size_t k = 0; k < task.count; k += storage_block) {
      const NoiseTask<Scalar, Stored> part = task.part(k, std::min(storage_block, task.count - k));
      NoiseTask<float> block;
      block.seed = part.seed;
      block.id = part.id;
      block.first = part.first;
      block.count = part.count;
      block.a = part.a;
      block.b = part.b;
      block.target_a = part.target_a;
      block.target_b = part.target_b;
      if (part.xt || part.target) {
        widen(part.x0, part.x0_stride, part.count, x0);
        block.x0 = x0;
      }
      if (part.xt) block.xt = xt;
      if (part.eps) block.eps = eps;
      if (part.target) block.target = target;
      run_noise_task(block);
      if (part.xt) narrow(xt, part.count, part.xt, part.xt_stride);
      if (part.eps) narrow(eps, part.count, part.eps, part.eps_stride);
      if (part.target) narrow(target, part.count, part.target, part.target_stride);
    }
  }
}

/// Throws unless elements [first, first + count) stay below 2^64.
inline void check_element_range(const char* function, std::uint64_t first, Eigen::Index count) {
  if (count > 0 && static_cast<std::uint64_t>(count - 1) > std::numeric_limits<std::uint64_t>::max() - first) {
    fail<std::out_of_range>(function,
                            "the last element, first_element + count − 1, must be below 2^64; "
                            "first_element",
                            first);
  }
}

}  // namespace detail

/// Fills `eps` with the noise of its samples: column j gets elements first_element,
/// first_element + 1, … (row by row) of sample ids(j) under `seed` (the noise contract above).
/// Preconditions: ids has one integer entry per column of eps, none negative; eps has direct
/// memory access (any strides); first_element + rows − 1 < 2^64. An Eigen::half or
/// Eigen::bfloat16 eps gets the float noise rounded once (detail/storage16.hpp).
/// @throws std::invalid_argument on a count mismatch, std::out_of_range on a negative id or an
/// element range beyond 2^64; nothing is written then.
template <class DerivedIds, class DerivedEps>
void fill_noise(std::uint64_t seed, const Eigen::MatrixBase<DerivedIds>& ids, const Eigen::MatrixBase<DerivedEps>& eps,
                std::uint64_t first_element = 0) {
  using Stored = typename DerivedEps::Scalar;
  using Scalar = std::conditional_t<detail::is_storage16_v<Stored>, float, Stored>;
  detail::check_float_or_double<Scalar>();
  const char* fn = "fill_noise";
  static_cast<void>(detail::strided_output(eps));  // a compile-time check: writable, direct access
  const std::vector<std::uint64_t> id = detail::checked_ids(fn, ids, eps.cols());
  detail::check_element_range(fn, first_element, eps.rows());
  const detail::StridedBatch<Stored*> out = detail::strided_output(eps);
  std::vector<detail::NoiseTask<Scalar, Stored>> samples(id.size());
  for (std::size_t j = 0; j < id.size(); ++j) {
    samples[j].seed = seed;
    samples[j].id = id[j];
    samples[j].first = first_element;
    samples[j].count = static_cast<std::size_t>(eps.rows());
    samples[j].eps = out.column(static_cast<Eigen::Index>(j));
    samples[j].eps_stride = out.row_stride;
  }
  detail::run_in_chunks(samples,
                        [](const detail::NoiseTask<Scalar, Stored>& task) { detail::run_stored_noise_task(task); });
}

/// The noise of the samples ids(j) under `seed` (the noise contract above), as the noise argument of
/// add_noise: `add_noise(process, x0, drawn_noise(seed, ids), timesteps, x_t)`. Holds a reference to
/// ids: use it in the call that it is made for.
template <class DerivedIds>
struct DrawnNoise {
  std::uint64_t seed;
  const Eigen::MatrixBase<DerivedIds>& ids;
};

/// DrawnNoise from a seed and the sample ids (an Eigen vector of non-negative integers, one per column).
template <class DerivedIds>
DrawnNoise<DerivedIds> drawn_noise(std::uint64_t seed, const Eigen::MatrixBase<DerivedIds>& ids) {
  return {seed, ids};
}

namespace detail {

/// The checked work of add_noise with drawn noise, one NoiseTask per column (eps null when ε is not
/// asked for), handed to run(tasks, coordinates) with the checked coordinates; `fn` names the caller.
template <class Process, class X0, class Ids, class Coordinates, class Xt, class Eps, class Run>
void with_drawn_noise_tasks(const char* fn, const Process& process, const Eigen::MatrixBase<X0>& x0,
                            const DrawnNoise<Ids>& noise, const Coordinates& coordinates,
                            const Eigen::MatrixBase<Xt>& xt, const Eigen::MatrixBase<Eps>* eps, Run run) {
  check_stored_arguments<Process, X0, Xt, Eps>();
  using Scalar = typename ProcessTraits<Process>::scalar_type;
  using Stored = typename X0::Scalar;
  check_float_or_double<Scalar>();
  const Eigen::Index rows = x0.rows(), cols = x0.cols();
  check_shape(fn, "x_t", xt, rows, cols);
  if (eps) check_shape(fn, "eps", *eps, rows, cols);
  const auto c = checked_coordinates(fn, process, coordinates, cols);
  const std::vector<std::uint64_t> id = checked_ids(fn, noise.ids, cols);
  const StridedBatch<Stored*> out = strided_output(xt);
  const StridedBatch<Stored*> eps_out = eps ? strided_output(*eps) : StridedBatch<Stored*>{nullptr, 0, 0};
  if (eps && rows > 0 && cols > 0 && eps_out.data == out.data) {
    fail<std::invalid_argument>(fn, "eps and x_t must be different memory", "the same pointer");
  }
  Readable<X0> x0_data(x0.derived());
  const StridedBatch<const Stored*> in = strided(x0_data);
  const BatchCoefficients<Process> k{process};
  std::vector<NoiseTask<Scalar, Stored>> tasks(id.size());
  for (std::size_t j = 0; j < id.size(); ++j) {
    const Eigen::Index jj = static_cast<Eigen::Index>(j);
    NoiseTask<Scalar, Stored>& task = tasks[j];
    task.seed = noise.seed;
    task.id = id[j];
    task.count = static_cast<std::size_t>(rows);
    const std::pair<Scalar, Scalar> ab = k.add_noise(c[j], jj);
    task.a = ab.first;
    task.b = ab.second;
    task.x0 = in.column(jj);
    task.x0_stride = in.row_stride;
    task.xt = out.column(jj);
    task.xt_stride = out.row_stride;
    task.eps = eps ? eps_out.column(jj) : nullptr;
    task.eps_stride = eps_out.row_stride;
  }
  run(tasks, c);
}

/// The body of add_noise with drawn noise; eps is null when ε is not asked for.
template <class Process, class X0, class Ids, class Coordinates, class Xt, class Eps>
void add_drawn_noise(const Process& process, const Eigen::MatrixBase<X0>& x0, const DrawnNoise<Ids>& noise,
                     const Coordinates& coordinates, const Eigen::MatrixBase<Xt>& xt,
                     const Eigen::MatrixBase<Eps>* eps) {
  with_drawn_noise_tasks("add_noise", process, x0, noise, coordinates, xt, eps, [](const auto& tasks, const auto&) {
    using Task = typename std::decay_t<decltype(tasks)>::value_type;
    run_in_chunks(tasks, [](const Task& task) { run_stored_noise_task(task); });
  });
}

}  // namespace detail

/// Forward noising of a batch with the noise drawn in the same pass: for every sample j (column j),
/// x_t = a(c_j) x0_j + b(c_j) ε_j (for a Schedule √ᾱ_t x_0 + √(1 − ᾱ_t) ε, Ho et al. 2020, eq. 4),
/// ε_j the noise of sample ids(j) under the seed (the noise contract above). The same bits as
/// batch.hpp's add_noise given that ε (one rounding rule: detail::scaled_sum), on every path and
/// thread count. x_t may be x0 itself (in place). Scalar float or double, or Eigen::half or
/// Eigen::bfloat16 storage with a float process: the float result rounded once (detail/storage16.hpp).
/// @throws std::invalid_argument on a shape or count mismatch, std::out_of_range on a coordinate
/// outside the process's range or a negative id; nothing is written then.
template <class Process, class X0, class Ids, class Coordinates, class Xt>
void add_noise(const Process& process, const Eigen::MatrixBase<X0>& x0, const DrawnNoise<Ids>& noise,
               const Coordinates& coordinates, const Eigen::MatrixBase<Xt>& x_t) {
  detail::add_drawn_noise(process, x0, noise, coordinates, x_t, static_cast<const Eigen::MatrixBase<Xt>*>(nullptr));
}

/// add_noise with drawn noise that also writes the noise ε it drew into `eps` (the usual training
/// target); eps has the shape of x0 and is not x_t.
/// @throws as above, and std::invalid_argument if eps is x_t; nothing is written then.
template <class Process, class X0, class Ids, class Coordinates, class Xt, class Eps>
void add_noise(const Process& process, const Eigen::MatrixBase<X0>& x0, const DrawnNoise<Ids>& noise,
               const Coordinates& coordinates, const Eigen::MatrixBase<Xt>& x_t, const Eigen::MatrixBase<Eps>& eps) {
  detail::add_drawn_noise(process, x0, noise, coordinates, x_t, &eps);
}

}  // namespace diffuse
