/// Batches of any forward process with a coordinate per sample: add_noise with given noise, the velocity target and the x_0 / ε / v conversions.
#pragma once

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "detail/error.hpp"
#include "detail/layout.hpp"
#include "detail/scaled_sum.hpp"
#include "detail/shape.hpp"
#include "detail/simd.hpp"
#include "detail/storage16.hpp"
#include "detail/tasks.hpp"
#include "process.hpp"

// Conventions of every batch function here and in noise.hpp. The process is any forward process
// (process.hpp): a Schedule with integer timesteps, a ContinuousProcess with times in [0, 1]. One
// sample per column of x0, eps, x_t, v and out; the coordinates are an Eigen vector or a
// std::vector with one entry per column (integers for a Schedule, float or double times for a
// ContinuousProcess, each rounded to the process's scalar type). Every argument is checked before
// anything is written: on an exception `out` is untouched. `out` is any writable Eigen object with
// direct memory access and the shape of the inputs (a Matrix, a Block, an Eigen::Map over another
// library's buffer, row- or column-major, with strides): it is written in place, never resized. It
// may be one of the inputs itself (the same memory with the same layout); any other overlap is
// undefined. Inputs may be expressions (evaluated first).
//
// Rounding: each output coefficient is p_j u + q_j w for two per-column coefficients p_j, q_j of
// the process at the sample's coordinate, computed by detail::scaled_sum as fl(fl(p_j u) + fl(q_j w))
// — the three roundings of PyTorch's and NumPy's `p * u + q * w`, never contracted into a fused
// multiply-add, so the bits are the same with every compiler flag, on every vectorised path
// (chosen at run time) and with any number of OpenMP threads, and add_noise gives the bits of
// diffusers' add_noise for the same coefficients. p_j, q_j are the process's values (correctly
// rounded: within kε relative, k = ½ + 2⁻¹⁰⁰·2^p, ε machine epsilon) or, for the two conversions
// that divide, one more rounding: error within (k + 1)ε(|p_j u| + |q_j w|), (k + 1½)ε(…) for those two
// (to first order; tests/test_batch.cpp checks these bounds against 40-digit references).

namespace diffuse {
namespace detail {

/// The coordinates argument: an Eigen vector or a std::vector.
template <class Derived>
Eigen::Index coordinate_count(const Eigen::DenseBase<Derived>& coordinates) {
  return coordinates.size();
}
template <class Derived>
typename Derived::Scalar coordinate_at(const Eigen::DenseBase<Derived>& coordinates, Eigen::Index j) {
  return coordinates.derived().coeff(j);
}
template <class T>
Eigen::Index coordinate_count(const std::vector<T>& coordinates) {
  return static_cast<Eigen::Index>(coordinates.size());
}
template <class T>
T coordinate_at(const std::vector<T>& coordinates, Eigen::Index j) {
  return coordinates[static_cast<std::size_t>(j)];
}

/// The number a coordinate shows in a message: the step, or the time's value.
inline int coordinate_number(int t) { return t; }
template <class Coordinate>
auto coordinate_number(const Coordinate& c) -> decltype(c.value()) {
  return c.value();
}

/// The per-sample coordinates, one per column, each checked by the process's traits.
template <class Process, class Coordinates>
std::vector<typename ProcessTraits<Process>::coordinate_type> checked_coordinates(const char* function,
                                                                                  const Process& process,
                                                                                  const Coordinates& coordinates,
                                                                                  Eigen::Index columns) {
  using Traits = ProcessTraits<Process>;
  check_count(function, Traits::coordinates_name, coordinate_count(coordinates), columns);
  std::vector<typename Traits::coordinate_type> c;
  c.reserve(static_cast<std::size_t>(columns));
  for (Eigen::Index j = 0; j < columns; ++j) {
    c.push_back(Traits::coordinate(function, process, static_cast<long long>(j), coordinate_at(coordinates, j)));
  }
  return c;
}

/// Throws std::invalid_argument unless the process is variance preserving (the velocity needs it).
template <class Process>
void check_variance_preserving(const char* function, const Process& process) {
  if (!ProcessTraits<Process>::variance_preserving(process)) {
    fail<std::invalid_argument>(function, "needs a variance-preserving process (a² + b² = 1: v = a eps − b x_0)",
                                "a process with a² + b² != 1");
  }
}

/// One column's work: out = scaled_sum(p, x, q, y) element by element over `count` elements;
/// the arrays hold Stored values (Scalar, or 16-bit storage of a float Scalar).
template <class Scalar, class Stored = Scalar>
struct ScaledSumTask {
  Scalar p = 0, q = 0;
  const Stored* x = nullptr;
  const Stored* y = nullptr;
  Stored* out = nullptr;
  std::ptrdiff_t x_stride = 1, y_stride = 1, out_stride = 1;
  std::size_t count = 0;

  ScaledSumTask part(std::size_t k, std::size_t n) const {
    ScaledSumTask t = *this;
    const std::ptrdiff_t offset = static_cast<std::ptrdiff_t>(k);
    t.x += offset * x_stride;
    t.y += offset * y_stride;
    t.out += offset * out_stride;
    t.count = n;
    return t;
  }
};

/// out_j = p_j u_j + q_j w_j for every column j (scaled_sum), where coefficients(c_j, j) returns
/// the pair (p_j, q_j) at the coordinate c_j of column j (and may throw for one it cannot serve).
/// Checks the shapes, the coordinates and every coefficient first, then writes out. Batches stored
/// as Eigen::half or Eigen::bfloat16 are combined in float and rounded once (storage16.hpp).
template <class Process, class U, class W, class Coordinates, class Out, class Coefficients>
void combine_columns(const char* function, const char* w_name, const Process& process, const Eigen::MatrixBase<U>& u,
                     const Eigen::MatrixBase<W>& w, const Coordinates& coordinates, const Eigen::MatrixBase<Out>& out,
                     Coefficients coefficients) {
  using Scalar = typename ProcessTraits<Process>::scalar_type;
  using Stored = typename U::Scalar;
  check_stored_arguments<Process, U, W, Out>();
  const Eigen::Index rows = u.rows(), cols = u.cols();
  check_shape(function, w_name, w, rows, cols);
  check_shape(function, "out", out, rows, cols);
  const auto c = checked_coordinates(function, process, coordinates, cols);
  std::vector<ScaledSumTask<Scalar, Stored>> tasks(static_cast<std::size_t>(cols));
  for (Eigen::Index j = 0; j < cols; ++j) {
    const std::pair<Scalar, Scalar> pq = coefficients(c[static_cast<std::size_t>(j)], j);
    tasks[static_cast<std::size_t>(j)].p = pq.first;
    tasks[static_cast<std::size_t>(j)].q = pq.second;
  }
  Readable<U> u_data(u.derived());
  Readable<W> w_data(w.derived());
  const StridedBatch<const Stored*> x = strided(u_data), y = strided(w_data);
  const StridedBatch<Stored*> o = strided_output(out);
  for (Eigen::Index j = 0; j < cols; ++j) {
    ScaledSumTask<Scalar, Stored>& t = tasks[static_cast<std::size_t>(j)];
    t.x = x.column(j);
    t.y = y.column(j);
    t.out = o.column(j);
    t.x_stride = x.row_stride;
    t.y_stride = y.row_stride;
    t.out_stride = o.row_stride;
    t.count = static_cast<std::size_t>(rows);
  }
  run_in_chunks(tasks, [](const ScaledSumTask<Scalar, Stored>& t) {
    if constexpr (std::is_same<Stored, Scalar>::value) {
      scaled_sum_array(t.p, t.x, t.x_stride, t.q, t.y, t.y_stride, t.out, t.out_stride, t.count);
    } else {
      // 16-bit storage: blocks widened into float buffers on the stack, combined, rounded once.
      float x_block[storage_block], y_block[storage_block], out_block[storage_block];
      for (std::size_t k = 0; k < t.count; k += storage_block) {
        const ScaledSumTask<Scalar, Stored> part = t.part(k, std::min(storage_block, t.count - k));
        widen(part.x, part.x_stride, part.count, x_block);
        widen(part.y, part.y_stride, part.count, y_block);
        scaled_sum_array(t.p, x_block, 1, t.q, y_block, 1, out_block, 1, part.count);
        narrow(out_block, part.count, part.out, part.out_stride);
      }
    }
  });
}

/// The coefficients (p, q) of each batch function at coordinate c of `process` (j names the
/// column in messages).
template <class Process>
struct BatchCoefficients {
  using Traits = ProcessTraits<Process>;
  using Scalar = typename Traits::scalar_type;
  using Coordinate = typename Traits::coordinate_type;
  using Pair = std::pair<Scalar, Scalar>;
  using Wide = detail::Wide;
  const Process& process;

  Scalar a(Coordinate c) const { return Traits::signal_scale(process, c); }
  Scalar b(Coordinate c) const { return Traits::noise_scale(process, c); }

  Pair add_noise(Coordinate c, Eigen::Index) const { return {a(c), b(c)}; }
  Pair velocity(Coordinate c, Eigen::Index) const { return {-b(c), a(c)}; }
  Pair x0_from_velocity(Coordinate c, Eigen::Index) const { return {a(c), -b(c)}; }
  Pair eps_from_velocity(Coordinate c, Eigen::Index) const { return {b(c), a(c)}; }
  Pair x0_from_eps(Coordinate c, Eigen::Index j) const {
    const Scalar signal = positive_signal("x0_from_eps", c, j);
    return {Scalar(1) / signal, -Traits::noise_level(process, c)};
  }
  Pair eps_from_x0(Coordinate c, Eigen::Index j) const {
    const Scalar noise = positive_noise("eps_from_x0", c, j);
    return {Scalar(1) / noise, -Scalar(1) / Traits::noise_level(process, c)};
  }

  // The flow velocity u = ε − x_0, with s = a + b: x_t = a x_0 + b ε gives x_0 = (x_t − b u)/s and
  // ε = (x_t + a u)/s. Each coefficient is formed in Wide from the rounded a and b and rounded once.
  Pair x0_from_flow_velocity(Coordinate c, Eigen::Index) const {
    const Wide wa(a(c)), wb(b(c));
    return {rounded(1 / (wa + wb)), rounded(-wb / (wa + wb))};
  }
  Pair eps_from_flow_velocity(Coordinate c, Eigen::Index) const {
    const Wide wa(a(c)), wb(b(c));
    return {rounded(1 / (wa + wb)), rounded(wa / (wa + wb))};
  }
  /// u = ((a + b) ε − x_t)/a.
  Pair flow_velocity_from_eps(Coordinate c, Eigen::Index j) const {
    const Wide wa(positive_signal("flow_velocity_from_eps", c, j)), wb(b(c));
    return {rounded(-1 / wa), rounded((wa + wb) / wa)};
  }
  /// u = (x_t − (a + b) x_0)/b.
  Pair flow_velocity_from_x0(Coordinate c, Eigen::Index j) const {
    const Wide wa(a(c)), wb(positive_noise("flow_velocity_from_x0", c, j));
    return {rounded(1 / wb), rounded(-(wa + wb) / wb)};
  }
  /// u = (b − a) x_t + (a + b) v (variance preserving: x_0 = a x_t − b v, ε = b x_t + a v).
  Pair flow_velocity_from_velocity(Coordinate c, Eigen::Index) const {
    const Wide wa(a(c)), wb(b(c));
    return {rounded(wb - wa), rounded(wa + wb)};
  }
  /// v = ((a − b) x_t + u)/(a + b) (variance preserving: v = a ε − b x_0 with a² + b² = 1).
  Pair velocity_from_flow_velocity(Coordinate c, Eigen::Index) const {
    const Wide wa(a(c)), wb(b(c));
    return {rounded((wa - wb) / (wa + wb)), rounded(1 / (wa + wb))};
  }

 private:
  static Scalar rounded(const Wide& x) { return static_cast<Scalar>(x); }

  /// a(c), or std::domain_error where it is 0 (x_0 is then not in x_t).
  Scalar positive_signal(const char* function, Coordinate c, Eigen::Index j) const {
    const Scalar signal = a(c);
    if (!(signal > 0)) {
      fail<std::domain_error>(function,
                              std::string("a must be positive at ") + Traits::coordinates_name + "(" +
                                  std::to_string(j) +
                                  "): x_0 cannot be recovered from eps where the signal is gone (zero terminal SNR)",
                              coordinate_number(c));
    }
    return signal;
  }
  /// b(c), or std::domain_error where it is 0 (x_t is then x_0).
  Scalar positive_noise(const char* function, Coordinate c, Eigen::Index j) const {
    const Scalar noise = b(c);
    if (!(noise > 0)) {
      fail<std::domain_error>(function,
                              std::string("b must be positive at ") + Traits::coordinates_name + "(" +
                                  std::to_string(j) + "): x_t = x_0 carries no noise there",
                              coordinate_number(c));
    }
    return noise;
  }
};

}  // namespace detail

/// Forward noising of a batch with given noise, x_t = a(c_j) x_0 + b(c_j) ε column by column (for
/// a Schedule √ᾱ_t x_0 + √(1 − ᾱ_t) ε, Ho et al. 2020, eq. 4; diffusers `add_noise`), written into
/// `out`; the bits of diffusers' add_noise and of noise.hpp's add_noise with drawn noise for the
/// same ε. Error within (k + 1)ε(|a x_0| + |b ε|) per coefficient.
/// @throws std::invalid_argument if eps or out does not have the shape of x0, or the coordinates
/// do not have one entry per column; std::out_of_range if a coordinate is outside the process's
/// range (or NaN).
template <class Process, class X0, class Eps, class Coordinates, class Out>
void add_noise(const Process& process, const Eigen::MatrixBase<X0>& x0, const Eigen::MatrixBase<Eps>& eps,
               const Coordinates& coordinates, const Eigen::MatrixBase<Out>& out) {
  const detail::BatchCoefficients<Process> k{process};
  detail::combine_columns("add_noise", "eps", process, x0, eps, coordinates, out,
                          [&](auto c, Eigen::Index j) { return k.add_noise(c, j); });
}

/// add_noise into a new matrix of the shape and storage order of x0.
template <class Process, class X0, class Eps, class Coordinates>
typename X0::PlainObject add_noise(const Process& process, const Eigen::MatrixBase<X0>& x0,
                                   const Eigen::MatrixBase<Eps>& eps, const Coordinates& coordinates) {
  typename X0::PlainObject out(x0.rows(), x0.cols());
  add_noise(process, x0, eps, coordinates, out);
  return out;
}

/// The velocity target v = a ε − b x_0 per column (Salimans & Ho 2022, §4; diffusers
/// `get_velocity`), written into `out`. Error within (k + 1)ε(|a ε| + |b x_0|).
/// @throws as add_noise; std::invalid_argument if the process is not variance preserving.
template <class Process, class X0, class Eps, class Coordinates, class Out>
void velocity(const Process& process, const Eigen::MatrixBase<X0>& x0, const Eigen::MatrixBase<Eps>& eps,
              const Coordinates& coordinates, const Eigen::MatrixBase<Out>& out) {
  detail::check_variance_preserving("velocity", process);
  const detail::BatchCoefficients<Process> k{process};
  detail::combine_columns("velocity", "eps", process, x0, eps, coordinates, out,
                          [&](auto c, Eigen::Index j) { return k.velocity(c, j); });
}

/// velocity into a new matrix of the shape and storage order of x0.
template <class Process, class X0, class Eps, class Coordinates>
typename X0::PlainObject velocity(const Process& process, const Eigen::MatrixBase<X0>& x0,
                                  const Eigen::MatrixBase<Eps>& eps, const Coordinates& coordinates) {
  typename X0::PlainObject out(x0.rows(), x0.cols());
  velocity(process, x0, eps, coordinates, out);
  return out;
}

/// x_0 from x_t and the noise: x_0 = (x_t − b ε)/a = x_t/a − σ ε (Ho et al. 2020, eq. 15; σ = b/a),
/// written into `out`. Error within (k + 1½)ε(|x_t/a| + |σ ε|).
/// @throws as add_noise; std::domain_error where a = 0 (zero terminal SNR), where x_t carries
/// nothing of x_0.
template <class Process, class Xt, class Eps, class Coordinates, class Out>
void x0_from_eps(const Process& process, const Eigen::MatrixBase<Xt>& x_t, const Eigen::MatrixBase<Eps>& eps,
                 const Coordinates& coordinates, const Eigen::MatrixBase<Out>& out) {
  const detail::BatchCoefficients<Process> k{process};
  detail::combine_columns("x0_from_eps", "eps", process, x_t, eps, coordinates, out,
                          [&](auto c, Eigen::Index j) { return k.x0_from_eps(c, j); });
}

/// x0_from_eps into a new matrix of the shape and storage order of x_t.
template <class Process, class Xt, class Eps, class Coordinates>
typename Xt::PlainObject x0_from_eps(const Process& process, const Eigen::MatrixBase<Xt>& x_t,
                                     const Eigen::MatrixBase<Eps>& eps, const Coordinates& coordinates) {
  typename Xt::PlainObject out(x_t.rows(), x_t.cols());
  x0_from_eps(process, x_t, eps, coordinates, out);
  return out;
}

/// The noise from x_t and x_0: ε = (x_t − a x_0)/b = x_t/b − x_0/σ, written into `out`. Error within
/// (k + 1½)ε(|x_t/b| + |x_0/σ|).
/// @throws as add_noise; std::domain_error where b = 0 (t = 0 of a Schedule), where x_t = x_0
/// carries no noise.
template <class Process, class Xt, class X0, class Coordinates, class Out>
void eps_from_x0(const Process& process, const Eigen::MatrixBase<Xt>& x_t, const Eigen::MatrixBase<X0>& x0,
                 const Coordinates& coordinates, const Eigen::MatrixBase<Out>& out) {
  const detail::BatchCoefficients<Process> k{process};
  detail::combine_columns("eps_from_x0", "x0", process, x_t, x0, coordinates, out,
                          [&](auto c, Eigen::Index j) { return k.eps_from_x0(c, j); });
}

/// eps_from_x0 into a new matrix of the shape and storage order of x_t.
template <class Process, class Xt, class X0, class Coordinates>
typename Xt::PlainObject eps_from_x0(const Process& process, const Eigen::MatrixBase<Xt>& x_t,
                                     const Eigen::MatrixBase<X0>& x0, const Coordinates& coordinates) {
  typename Xt::PlainObject out(x_t.rows(), x_t.cols());
  eps_from_x0(process, x_t, x0, coordinates, out);
  return out;
}

/// x_0 from x_t and the velocity: x_0 = a x_t − b v (Salimans & Ho 2022, §4), written into `out`;
/// valid at every coordinate. Error within (k + 1)ε(|a x_t| + |b v|).
/// @throws as velocity.
template <class Process, class Xt, class V, class Coordinates, class Out>
void x0_from_velocity(const Process& process, const Eigen::MatrixBase<Xt>& x_t, const Eigen::MatrixBase<V>& v,
                      const Coordinates& coordinates, const Eigen::MatrixBase<Out>& out) {
  detail::check_variance_preserving("x0_from_velocity", process);
  const detail::BatchCoefficients<Process> k{process};
  detail::combine_columns("x0_from_velocity", "v", process, x_t, v, coordinates, out,
                          [&](auto c, Eigen::Index j) { return k.x0_from_velocity(c, j); });
}

/// x0_from_velocity into a new matrix of the shape and storage order of x_t.
template <class Process, class Xt, class V, class Coordinates>
typename Xt::PlainObject x0_from_velocity(const Process& process, const Eigen::MatrixBase<Xt>& x_t,
                                          const Eigen::MatrixBase<V>& v, const Coordinates& coordinates) {
  typename Xt::PlainObject out(x_t.rows(), x_t.cols());
  x0_from_velocity(process, x_t, v, coordinates, out);
  return out;
}

/// The noise from x_t and the velocity: ε = b x_t + a v (Salimans & Ho 2022, §4), written into
/// `out`; valid at every coordinate. Error within (k + 1)ε(|b x_t| + |a v|).
/// @throws as velocity.
template <class Process, class Xt, class V, class Coordinates, class Out>
void eps_from_velocity(const Process& process, const Eigen::MatrixBase<Xt>& x_t, const Eigen::MatrixBase<V>& v,
                       const Coordinates& coordinates, const Eigen::MatrixBase<Out>& out) {
  detail::check_variance_preserving("eps_from_velocity", process);
  const detail::BatchCoefficients<Process> k{process};
  detail::combine_columns("eps_from_velocity", "v", process, x_t, v, coordinates, out,
                          [&](auto c, Eigen::Index j) { return k.eps_from_velocity(c, j); });
}

/// eps_from_velocity into a new matrix of the shape and storage order of x_t.
template <class Process, class Xt, class V, class Coordinates>
typename Xt::PlainObject eps_from_velocity(const Process& process, const Eigen::MatrixBase<Xt>& x_t,
                                           const Eigen::MatrixBase<V>& v, const Coordinates& coordinates) {
  typename Xt::PlainObject out(x_t.rows(), x_t.cols());
  eps_from_velocity(process, x_t, v, coordinates, out);
  return out;
}

/// The flow velocity u = ε − x_0 per column: the target of rectified flow (x_t = (1 − t) x_0 + t ε,
/// dx_t/dt = u; Liu et al. 2022, Lipman et al. 2023, Esser et al. 2024), and for any process the
/// velocity of its rectified-flow view at equal log-SNR (x_t/(a + b) at flow time b/(a + b)), so it
/// needs no process or coordinate. fl(ε − x_0): one rounding, ½ε|u|.
/// @throws std::invalid_argument if eps or out does not have the shape of x0.
template <class X0, class Eps, class Out>
void flow_velocity(const Eigen::MatrixBase<X0>& x0, const Eigen::MatrixBase<Eps>& eps,
                   const Eigen::MatrixBase<Out>& out) {
  using Stored = typename X0::Scalar;
  static_assert(std::is_same<Stored, typename Eps::Scalar>::value && std::is_same<Stored, typename Out::Scalar>::value,
                "diffuse::flow_velocity: x0, eps and out must have one scalar type");
  detail::check_shape("flow_velocity", "eps", eps, x0.rows(), x0.cols());
  detail::check_shape("flow_velocity", "out", out, x0.rows(), x0.cols());
  if constexpr (detail::is_storage16_v<Stored>) {  // in float, rounded once
    const_cast<Out&>(out.derived()) =
        (eps.derived().template cast<float>() - x0.derived().template cast<float>()).template cast<Stored>();
  } else {
    const_cast<Out&>(out.derived()) = eps.derived() - x0.derived();
  }
}

/// flow_velocity into a new matrix of the shape and storage order of x0.
template <class X0, class Eps>
typename X0::PlainObject flow_velocity(const Eigen::MatrixBase<X0>& x0, const Eigen::MatrixBase<Eps>& eps) {
  typename X0::PlainObject out(x0.rows(), x0.cols());
  flow_velocity(x0, eps, out);
  return out;
}

/// x_0 from x_t and a flow velocity u = ε − x_0: x_0 = (x_t − b u)/(a + b) (for rectified flow
/// x_t − t u), written into `out`; valid at every coordinate. The coefficients are formed from the
/// process's a and b and rounded once: error within (2k + 1½)ε(|x_t| + b|u|)/(a + b).
/// @throws as add_noise.
template <class Process, class Xt, class U, class Coordinates, class Out>
void x0_from_flow_velocity(const Process& process, const Eigen::MatrixBase<Xt>& x_t, const Eigen::MatrixBase<U>& u,
                           const Coordinates& coordinates, const Eigen::MatrixBase<Out>& out) {
  const detail::BatchCoefficients<Process> k{process};
  detail::combine_columns("x0_from_flow_velocity", "u", process, x_t, u, coordinates, out,
                          [&](auto c, Eigen::Index j) { return k.x0_from_flow_velocity(c, j); });
}

/// x0_from_flow_velocity into a new matrix of the shape and storage order of x_t.
template <class Process, class Xt, class U, class Coordinates>
typename Xt::PlainObject x0_from_flow_velocity(const Process& process, const Eigen::MatrixBase<Xt>& x_t,
                                               const Eigen::MatrixBase<U>& u, const Coordinates& coordinates) {
  typename Xt::PlainObject out(x_t.rows(), x_t.cols());
  x0_from_flow_velocity(process, x_t, u, coordinates, out);
  return out;
}

/// The noise from x_t and a flow velocity: ε = (x_t + a u)/(a + b) (for rectified flow
/// x_t + (1 − t) u), written into `out`; valid at every coordinate. Error within
/// (2k + 1½)ε(|x_t| + a|u|)/(a + b).
/// @throws as add_noise.
template <class Process, class Xt, class U, class Coordinates, class Out>
void eps_from_flow_velocity(const Process& process, const Eigen::MatrixBase<Xt>& x_t, const Eigen::MatrixBase<U>& u,
                            const Coordinates& coordinates, const Eigen::MatrixBase<Out>& out) {
  const detail::BatchCoefficients<Process> k{process};
  detail::combine_columns("eps_from_flow_velocity", "u", process, x_t, u, coordinates, out,
                          [&](auto c, Eigen::Index j) { return k.eps_from_flow_velocity(c, j); });
}

/// eps_from_flow_velocity into a new matrix of the shape and storage order of x_t.
template <class Process, class Xt, class U, class Coordinates>
typename Xt::PlainObject eps_from_flow_velocity(const Process& process, const Eigen::MatrixBase<Xt>& x_t,
                                                const Eigen::MatrixBase<U>& u, const Coordinates& coordinates) {
  typename Xt::PlainObject out(x_t.rows(), x_t.cols());
  eps_from_flow_velocity(process, x_t, u, coordinates, out);
  return out;
}

/// The flow velocity from x_t and a predicted noise: u = ((a + b) ε − x_t)/a, written into `out`
/// (an ε-prediction model seen as a flow model). Error within (2k + 1½)ε(|x_t| + (a + b)|ε|)/a.
/// @throws as add_noise; std::domain_error where a = 0, as x0_from_eps.
template <class Process, class Xt, class Eps, class Coordinates, class Out>
void flow_velocity_from_eps(const Process& process, const Eigen::MatrixBase<Xt>& x_t, const Eigen::MatrixBase<Eps>& eps,
                            const Coordinates& coordinates, const Eigen::MatrixBase<Out>& out) {
  const detail::BatchCoefficients<Process> k{process};
  detail::combine_columns("flow_velocity_from_eps", "eps", process, x_t, eps, coordinates, out,
                          [&](auto c, Eigen::Index j) { return k.flow_velocity_from_eps(c, j); });
}

/// flow_velocity_from_eps into a new matrix of the shape and storage order of x_t.
template <class Process, class Xt, class Eps, class Coordinates>
typename Xt::PlainObject flow_velocity_from_eps(const Process& process, const Eigen::MatrixBase<Xt>& x_t,
                                                const Eigen::MatrixBase<Eps>& eps, const Coordinates& coordinates) {
  typename Xt::PlainObject out(x_t.rows(), x_t.cols());
  flow_velocity_from_eps(process, x_t, eps, coordinates, out);
  return out;
}

/// The flow velocity from x_t and a predicted x_0: u = (x_t − (a + b) x_0)/b, written into `out`.
/// Error within (2k + 1½)ε(|x_t| + (a + b)|x_0|)/b.
/// @throws as add_noise; std::domain_error where b = 0, as eps_from_x0.
template <class Process, class Xt, class X0, class Coordinates, class Out>
void flow_velocity_from_x0(const Process& process, const Eigen::MatrixBase<Xt>& x_t, const Eigen::MatrixBase<X0>& x0,
                           const Coordinates& coordinates, const Eigen::MatrixBase<Out>& out) {
  const detail::BatchCoefficients<Process> k{process};
  detail::combine_columns("flow_velocity_from_x0", "x0", process, x_t, x0, coordinates, out,
                          [&](auto c, Eigen::Index j) { return k.flow_velocity_from_x0(c, j); });
}

/// flow_velocity_from_x0 into a new matrix of the shape and storage order of x_t.
template <class Process, class Xt, class X0, class Coordinates>
typename Xt::PlainObject flow_velocity_from_x0(const Process& process, const Eigen::MatrixBase<Xt>& x_t,
                                               const Eigen::MatrixBase<X0>& x0, const Coordinates& coordinates) {
  typename Xt::PlainObject out(x_t.rows(), x_t.cols());
  flow_velocity_from_x0(process, x_t, x0, coordinates, out);
  return out;
}

/// The flow velocity from x_t and a predicted v (Salimans & Ho 2022): u = (b − a) x_t + (a + b) v,
/// written into `out`; valid at every coordinate. Error within (k + 1½)ε(a + b)(|x_t| + |v|).
/// @throws as velocity (a variance-preserving process).
template <class Process, class Xt, class V, class Coordinates, class Out>
void flow_velocity_from_velocity(const Process& process, const Eigen::MatrixBase<Xt>& x_t,
                                 const Eigen::MatrixBase<V>& v, const Coordinates& coordinates,
                                 const Eigen::MatrixBase<Out>& out) {
  detail::check_variance_preserving("flow_velocity_from_velocity", process);
  const detail::BatchCoefficients<Process> k{process};
  detail::combine_columns("flow_velocity_from_velocity", "v", process, x_t, v, coordinates, out,
                          [&](auto c, Eigen::Index j) { return k.flow_velocity_from_velocity(c, j); });
}

/// flow_velocity_from_velocity into a new matrix of the shape and storage order of x_t.
template <class Process, class Xt, class V, class Coordinates>
typename Xt::PlainObject flow_velocity_from_velocity(const Process& process, const Eigen::MatrixBase<Xt>& x_t,
                                                     const Eigen::MatrixBase<V>& v, const Coordinates& coordinates) {
  typename Xt::PlainObject out(x_t.rows(), x_t.cols());
  flow_velocity_from_velocity(process, x_t, v, coordinates, out);
  return out;
}

/// v from x_t and a flow velocity: v = ((a − b) x_t + u)/(a + b), written into `out`; valid at every
/// coordinate. Error within (2k + 1½)ε(|x_t| + |u|) (a + b ≥ 1 where a² + b² = 1).
/// @throws as velocity (a variance-preserving process).
template <class Process, class Xt, class U, class Coordinates, class Out>
void velocity_from_flow_velocity(const Process& process, const Eigen::MatrixBase<Xt>& x_t,
                                 const Eigen::MatrixBase<U>& u, const Coordinates& coordinates,
                                 const Eigen::MatrixBase<Out>& out) {
  detail::check_variance_preserving("velocity_from_flow_velocity", process);
  const detail::BatchCoefficients<Process> k{process};
  detail::combine_columns("velocity_from_flow_velocity", "u", process, x_t, u, coordinates, out,
                          [&](auto c, Eigen::Index j) { return k.velocity_from_flow_velocity(c, j); });
}

/// velocity_from_flow_velocity into a new matrix of the shape and storage order of x_t.
template <class Process, class Xt, class U, class Coordinates>
typename Xt::PlainObject velocity_from_flow_velocity(const Process& process, const Eigen::MatrixBase<Xt>& x_t,
                                                     const Eigen::MatrixBase<U>& u, const Coordinates& coordinates) {
  typename Xt::PlainObject out(x_t.rows(), x_t.cols());
  velocity_from_flow_velocity(process, x_t, u, coordinates, out);
  return out;
}

}  // namespace diffuse
