/// Reproducible noise keyed by (seed, sample id, element) and fused batched forward noising.
///
/// The noise contract. Under seed k (64 bits), element i of the sample with id j is a pure
/// function of (k, j, i): with Philox4x32-10 key (k mod 2^32, ⌊k/2^32⌋) and, for block b, the
/// counter (b mod 2^32, ⌊b/2^32⌋, j mod 2^32, ⌊j/2^32⌋), the four output words of block b give, by
/// the transform of normal.hpp (detail::normal_pair), the float normals of elements 4b .. 4b + 3
/// (pairs from words (w0, w1) and (w2, w3)) or the double normals of elements 2b, 2b + 1 (one pair
/// from w0..w3). So a batch, any split of it into pieces filled in any order, another batch
/// size, any number of threads or processes, and every code path give the same bits. Elements
/// are numbered 0, 1, … within a sample, up to 2^64 − 1; ids are any 64-bit values (a data-set
/// index, or an index mixed with the epoch); the seed names the run.
///
/// Batches. As in batch.hpp, column j of a batch is one sample (the one with id ids(j)) and row i
/// is its element i, whatever the storage order: the noise of coefficient (i, j) depends on
/// (seed, ids(j), i) only. A contiguous (B, C, H, W) tensor of PyTorch or NumPy is an Eigen::Map
/// of a column-major (C·H·W) × B matrix over its memory (or the .transpose() of a row-major
/// B × (C·H·W) map). Contiguous columns take the vectorised writes; other layouts give the same
/// bits, more slowly.
///
/// Speed and threads. The kernels run on the widest of AVX-512F, AVX2+FMA or portable C++ that
/// the CPU offers, chosen at run time (no compiler flag needed); every path performs the same
/// IEEE operations, so the bits do not depend on it. Compiled with OpenMP (-fopenmp), a batch is
/// split into chunks of 16384 elements across threads; the bits do not depend on the thread count.
/// Bits are the same with every compiler that evaluates float and double in IEEE single and
/// double precision with round-to-nearest (not -ffast-math, not the x87 unit).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include "detail/error.hpp"
#include "detail/noise_simd.hpp"
#include "schedule.hpp"

namespace diffuse {

namespace detail {

/// "R x C", for messages about shapes.
inline std::string shape_text(Eigen::Index rows, Eigen::Index cols) {
  return std::to_string(rows) + "x" + std::to_string(cols);
}

/// Throws unless an output has the batch's shape (nothing is written).
template <class Derived>
inline void check_noise_output(const char* function, const char* name,
                               const Eigen::MatrixBase<Derived>& out, Eigen::Index rows,
                               Eigen::Index cols) {
  static_assert(static_cast<bool>(Derived::Flags & Eigen::DirectAccessBit) &&
                    static_cast<bool>(Derived::Flags & Eigen::LvalueBit),
                "diffuse: outputs must be writable objects with direct memory access (a Matrix, "
                "Map, Ref, Block or transpose of one)");
  if (out.rows() != rows || out.cols() != cols) {
    fail<std::invalid_argument>(function,
                                std::string(name) + " must have the shape of the batch, " +
                                    shape_text(rows, cols),
                                shape_text(out.rows(), out.cols()));
  }
}

/// A batch in memory: coefficient (i, j) at data[i·row_stride + j·col_stride].
template <class Pointer>
struct StridedBatch {
  Pointer data;
  std::ptrdiff_t row_stride;
  std::ptrdiff_t col_stride;
  Pointer column(Eigen::Index j) const { return data + static_cast<std::ptrdiff_t>(j) * col_stride; }
};

/// The memory layout of an object with direct access.
template <class Derived>
inline StridedBatch<const typename Derived::Scalar*> strided(const Eigen::MatrixBase<Derived>& m) {
  return {m.derived().data(), static_cast<std::ptrdiff_t>(m.derived().rowStride()),
          static_cast<std::ptrdiff_t>(m.derived().colStride())};
}

/// The memory layout of an output (a const reference, as Eigen passes outputs).
template <class Derived>
inline StridedBatch<typename Derived::Scalar*> strided_output(const Eigen::MatrixBase<Derived>& m) {
  Derived& out = const_cast<Derived&>(m.derived());
  return {out.data(), static_cast<std::ptrdiff_t>(out.rowStride()), static_cast<std::ptrdiff_t>(out.colStride())};
}

/// The sample ids as 64-bit counters words, checked: one per sample, none negative.
template <class Derived>
inline std::vector<std::uint64_t> checked_ids(const char* function,
                                              const Eigen::MatrixBase<Derived>& ids,
                                              Eigen::Index samples) {
  using Id = typename Derived::Scalar;
  static_assert(std::is_integral<Id>::value, "diffuse: sample ids must be integers");
  if (ids.size() != samples) {
    fail<std::invalid_argument>(function, "ids must have one entry per sample, " +
                                              std::to_string(samples),
                                static_cast<long long>(ids.size()));
  }
  std::vector<std::uint64_t> out(static_cast<std::size_t>(samples));
  for (Eigen::Index j = 0; j < samples; ++j) {
    const Id id = ids.derived().coeff(j);
    if constexpr (std::is_signed<Id>::value) {
      if (id < 0) {
        fail<std::out_of_range>(function, "ids must be non-negative",
                                static_cast<long long>(id));
      }
    }
    out[static_cast<std::size_t>(j)] = static_cast<std::uint64_t>(id);
  }
  return out;
}

/// Throws unless elements [first, first + count) stay below 2^64.
inline void check_element_range(const char* function, std::uint64_t first, Eigen::Index count) {
  if (count > 0 &&
      static_cast<std::uint64_t>(count - 1) > std::numeric_limits<std::uint64_t>::max() - first) {
    fail<std::out_of_range>(function,
                            "the last element, first_element + count − 1, must be below 2^64; "
                            "first_element",
                            first);
  }
}

/// Splits every sample into tasks of at most `chunk` elements and runs them (on OpenMP threads
/// when compiled with OpenMP and the batch is large enough to gain from it).
template <class Scalar>
inline void run_noise_tasks(const std::vector<NoiseTask<Scalar>>& samples) {
  constexpr std::size_t chunk = 16384;
  std::vector<NoiseTask<Scalar>> tasks;
  std::size_t total = 0;
  for (const NoiseTask<Scalar>& sample : samples) {
    total += sample.count;
    for (std::size_t k = 0; k < sample.count; k += chunk) {
      tasks.push_back(sample.part(k, sample.count - k < chunk ? sample.count - k : chunk));
    }
  }
  const long n = static_cast<long>(tasks.size());
#if defined(_OPENMP)
#pragma omp parallel for schedule(dynamic) if (n > 1 && total >= 2 * chunk)
#endif
  for (long i = 0; i < n; ++i) run_noise_task(tasks[static_cast<std::size_t>(i)]);
  static_cast<void>(total);
}

}  // namespace detail

/// The standard normal of element `element` of sample `id` under `seed`: the noise contract above,
/// one value at a time (fill_noise fills whole batches far faster). Scalar is float or double.
template <class Scalar>
Scalar noise_value(std::uint64_t seed, std::uint64_t id, std::uint64_t element) {
  static_assert(std::is_same<Scalar, float>::value || std::is_same<Scalar, double>::value,
                "diffuse::noise_value: Scalar must be float or double");
  constexpr int per_block = detail::normals_per_block<Scalar>;
  Scalar z[per_block];
  detail::noise_block(detail::noise_key(seed), id, element / per_block, z);
  return z[element % per_block];
}

/// Fills `eps` with the noise of its samples: column j gets elements first_element,
/// first_element + 1, … (row by row) of sample ids(j) under `seed` (the noise contract above).
/// Preconditions: ids has one integer entry per column of eps, none negative; eps has direct
/// memory access (any strides); first_element + rows − 1 < 2^64.
/// @throws std::invalid_argument on a count mismatch, std::out_of_range on a negative id or an
/// element range beyond 2^64; nothing is written then.
template <class DerivedIds, class DerivedEps>
void fill_noise(std::uint64_t seed, const Eigen::MatrixBase<DerivedIds>& ids,
                const Eigen::MatrixBase<DerivedEps>& eps, std::uint64_t first_element = 0) {
  using Scalar = typename DerivedEps::Scalar;
  static_assert(std::is_same<Scalar, float>::value || std::is_same<Scalar, double>::value,
                "diffuse::fill_noise: eps must hold float or double");
  const char* fn = "fill_noise";
  detail::check_noise_output(fn, "eps", eps, eps.rows(), eps.cols());
  const std::vector<std::uint64_t> id = detail::checked_ids(fn, ids, eps.cols());
  detail::check_element_range(fn, first_element, eps.rows());
  const detail::StridedBatch<Scalar*> out = detail::strided_output(eps);
  std::vector<detail::NoiseTask<Scalar>> samples(id.size());
  for (std::size_t j = 0; j < id.size(); ++j) {
    samples[j].seed = seed;
    samples[j].id = id[j];
    samples[j].first = first_element;
    samples[j].count = static_cast<std::size_t>(eps.rows());
    samples[j].eps = out.column(static_cast<Eigen::Index>(j));
    samples[j].eps_stride = out.row_stride;
  }
  detail::run_noise_tasks(samples);
}

namespace detail {

/// The shared body of both noise_batch overloads; eps_data is null when ε is not asked for.
template <class Scalar, class DerivedX0, class DerivedSteps, class DerivedIds, class DerivedXt,
          class DerivedEps>
void noise_batch_impl(const Schedule<Scalar>& schedule, const Eigen::MatrixBase<DerivedX0>& x0,
                      const Eigen::MatrixBase<DerivedSteps>& steps, std::uint64_t seed,
                      const Eigen::MatrixBase<DerivedIds>& ids,
                      const Eigen::MatrixBase<DerivedXt>& xt,
                      const Eigen::MatrixBase<DerivedEps>* eps) {
  static_assert(std::is_same<typename DerivedX0::Scalar, Scalar>::value &&
                    std::is_same<typename DerivedXt::Scalar, Scalar>::value &&
                    std::is_same<typename DerivedEps::Scalar, Scalar>::value,
                "diffuse::noise_batch: x0, x_t and eps must have the schedule's scalar type");
  using Step = typename DerivedSteps::Scalar;
  static_assert(std::is_integral<Step>::value, "diffuse::noise_batch: steps must be integers");
  const char* fn = "noise_batch";
  check_noise_output(fn, "x_t", xt, x0.rows(), x0.cols());
  if (eps) check_noise_output(fn, "eps", *eps, x0.rows(), x0.cols());
  const Eigen::Index samples = x0.cols();
  const Eigen::Index elements = x0.rows();
  if (steps.size() != samples) {
    fail<std::invalid_argument>(fn, "steps must have one entry per sample, " +
                                        std::to_string(samples),
                                static_cast<long long>(steps.size()));
  }
  const std::vector<std::uint64_t> id = checked_ids(fn, ids, samples);
  std::vector<int> step(static_cast<std::size_t>(samples));
  for (Eigen::Index j = 0; j < samples; ++j) {
    const Step t = steps.derived().coeff(j);
    if constexpr (std::is_signed<Step>::value) {
      check_step(fn, "steps", static_cast<long long>(t), 0, schedule.steps());
    } else {
      constexpr unsigned long long largest = std::numeric_limits<long long>::max();
      check_step(fn, "steps", static_cast<long long>(t < largest ? t : largest), 0,
                 schedule.steps());
    }
    step[static_cast<std::size_t>(j)] = static_cast<int>(t);
  }
  const StridedBatch<Scalar*> out = strided_output(xt);
  if (eps && samples > 0 && elements > 0 && eps->derived().data() == out.data) {
    fail<std::invalid_argument>(fn, "eps and x_t must be different memory", "the same pointer");
  }
  // x0 is read where it lies, or evaluated first if it is an expression.
  using X0Data = std::conditional_t<static_cast<bool>(DerivedX0::Flags & Eigen::DirectAccessBit),
                                    const DerivedX0&, const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>>;
  X0Data x0_data(x0.derived());
  const StridedBatch<const Scalar*> in = strided(x0_data);
  const StridedBatch<Scalar*> eps_out = eps ? strided_output(*eps) : StridedBatch<Scalar*>{nullptr, 0, 0};
  std::vector<NoiseTask<Scalar>> tasks(id.size());
  for (std::size_t j = 0; j < id.size(); ++j) {
    const Eigen::Index jj = static_cast<Eigen::Index>(j);
    NoiseTask<Scalar>& task = tasks[j];
    task.seed = seed;
    task.id = id[j];
    task.count = static_cast<std::size_t>(elements);
    task.a = schedule.sqrt_alpha_bar(step[j]);
    task.b = schedule.sqrt_one_minus_alpha_bar(step[j]);
    task.x0 = in.column(jj);
    task.x0_stride = in.row_stride;
    task.xt = out.column(jj);
    task.xt_stride = out.row_stride;
    task.eps = eps ? eps_out.column(jj) : nullptr;
    task.eps_stride = eps_out.row_stride;
  }
  run_noise_tasks(tasks);
}

}  // namespace detail

/// Forward noising of a batch with noise drawn, in one pass: for every sample j (column j),
/// x_t = √ᾱ_{t_j} x0_j + √(1 − ᾱ_{t_j}) ε_j (Ho et al. 2020, eq. 4 reparameterised), with ε_j
/// the noise of sample ids(j) under `seed` (the noise contract above) and the coefficients
/// schedule.sqrt_alpha_bar(t_j), schedule.sqrt_one_minus_alpha_bar(t_j). Each coefficient is
/// fma(a, x0, b·ε): within one rounding of the exact a·x0 + b·ε of the same ε (≤ ½ ulp + ½ ulp of
/// b·ε). x_t may be x0 itself (in place). Preconditions: x_t has the shape of x0 and direct
/// memory access; steps and ids have one integer entry per sample; 0 ≤ t_j ≤ T; ids non-negative.
/// @throws std::invalid_argument on a shape or count mismatch, std::out_of_range on a step
/// outside [0, T] or a negative id; nothing is written then.
template <class Scalar, class DerivedX0, class DerivedSteps, class DerivedIds, class DerivedXt>
void noise_batch(const Schedule<Scalar>& schedule, const Eigen::MatrixBase<DerivedX0>& x0,
                 const Eigen::MatrixBase<DerivedSteps>& steps, std::uint64_t seed,
                 const Eigen::MatrixBase<DerivedIds>& ids, const Eigen::MatrixBase<DerivedXt>& xt) {
  detail::noise_batch_impl(schedule, x0, steps, seed, ids, xt,
                           static_cast<const Eigen::MatrixBase<DerivedXt>*>(nullptr));
}

/// noise_batch that also writes the noise ε it drew into `eps` (the usual training target).
/// Preconditions as above, and eps has the shape of x0, direct memory access, and is not x_t.
/// @throws as above, and std::invalid_argument if eps is x_t; nothing is written then.
template <class Scalar, class DerivedX0, class DerivedSteps, class DerivedIds, class DerivedXt,
          class DerivedEps>
void noise_batch(const Schedule<Scalar>& schedule, const Eigen::MatrixBase<DerivedX0>& x0,
                 const Eigen::MatrixBase<DerivedSteps>& steps, std::uint64_t seed,
                 const Eigen::MatrixBase<DerivedIds>& ids, const Eigen::MatrixBase<DerivedXt>& xt,
                 const Eigen::MatrixBase<DerivedEps>& eps) {
  detail::noise_batch_impl(schedule, x0, steps, seed, ids, xt, &eps);
}

}  // namespace diffuse
