// The CUDA launchers of <diffuse/cuda/noise.cuh> give the CPU's bits: drawn noise, x_t and every
// training target against fill_noise, add_noise with drawn noise, velocity and flow_velocity, for a
// schedule and a continuous process, float and double, sizes that are and are not whole Philox
// blocks, aligned and unaligned memory, whole batches and batches split by samples, in place; and
// bad input throws before anything is launched. The bad-input checks run on any machine; the rest
// needs a GPU and is skipped (exit code 77, CTest's SKIP_RETURN_CODE) without one.
#include <diffuse/cuda/noise.cuh>
#include <diffuse/diffuse.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "device_support.cuh"

namespace {

using diffuse_cuda_support::DeviceArray;
using diffuse_cuda_support::digest;

int failures = 0;

void expect(bool ok, const std::string& what) {
  if (!ok) {
    ++failures;
    std::printf("FAILED: %s\n", what.c_str());
  }
}

/// Whether two arrays hold the same bits.
template <class T>
bool same_bits(const std::vector<T>& a, const T* b, std::size_t n) {
  return a.size() == n && std::memcmp(a.data(), b, n * sizeof(T)) == 0;
}

/// Expects `call` to throw Exception with exactly `message`.
template <class Exception, class Call>
void expect_throw(const char* name, const std::string& message, Call call) {
  try {
    call();
    expect(false, std::string(name) + ": nothing thrown");
  } catch (const Exception& e) {
    expect(e.what() == message, std::string(name) + ": message \"" + e.what() + "\", expected \"" + message + "\"");
  } catch (const std::exception& e) {
    expect(false, std::string(name) + ": another exception: " + e.what());
  }
}

template <class Matrix>
Matrix deterministic_x0(Eigen::Index rows, Eigen::Index cols) {
  Matrix x0(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j) {
    for (Eigen::Index i = 0; i < rows; ++i) {
      x0(i, j) = static_cast<typename Matrix::Scalar>(((i * 37 + j * 101) % 211) - 105) / 64;
    }
  }
  return x0;
}

/// Every output of one process and batch shape on the device, whole and split, against the CPU.
template <class Process, class Coordinate>
void check_process(const char* label, const Process& process, const std::vector<Coordinate>& coordinates,
                   Eigen::Index rows, Eigen::Index cols, std::size_t offset) {
  using Scalar = typename diffuse::ProcessTraits<Process>::scalar_type;
  using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  const std::uint64_t seed = 0x5eed2024u;
  Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1> ids(cols);
  for (Eigen::Index j = 0; j < cols; ++j) ids(j) = 1000003 * j + 17;
  const Matrix x0 = deterministic_x0<Matrix>(rows, cols);
  Matrix xt(rows, cols), eps(rows, cols);
  diffuse::add_noise(process, x0, diffuse::drawn_noise(seed, ids), coordinates, xt, eps);
  const Matrix v = diffuse::ProcessTraits<Process>::variance_preserving(process)
                       ? diffuse::velocity(process, x0, eps, coordinates)
                       : Matrix();
  const Matrix u = diffuse::flow_velocity(x0, eps);

  const std::size_t n = static_cast<std::size_t>(rows * cols);
  const std::size_t elements = static_cast<std::size_t>(rows), samples = static_cast<std::size_t>(cols);
  DeviceArray<Scalar> x0_d(n + offset), xt_d(n + offset), target_d(n + offset);
  Scalar* const x0_p = x0_d.data() + offset;
  Scalar* const xt_p = xt_d.data() + offset;
  Scalar* const target_p = target_d.data() + offset;
  diffuse_cuda_support::check(cudaMemcpy(x0_p, x0.data(), n * sizeof(Scalar), cudaMemcpyHostToDevice), "cudaMemcpy");
  const auto read = [n](const Scalar* p) {
    std::vector<Scalar> host(n);
    diffuse_cuda_support::check(cudaMemcpy(host.data(), p, n * sizeof(Scalar), cudaMemcpyDeviceToHost), "cudaMemcpy");
    return host;
  };
  const std::string where = std::string(label) + " " + std::to_string(rows) + "x" + std::to_string(cols) +
                            (offset ? " unaligned" : " aligned");

  diffuse::cuda_fill_noise(seed, ids, target_p, elements, samples, nullptr);
  expect(same_bits(read(target_p), eps.data(), n), where + ": cuda_fill_noise equals fill_noise");

  diffuse::cuda_add_noise(process, x0_p, elements, samples, seed, ids, coordinates, xt_p, nullptr);
  const std::vector<Scalar> xt_gpu = read(xt_p);
  expect(same_bits(xt_gpu, xt.data(), n), where + ": x_t equals add_noise");
  std::printf("%s: x_t digest gpu %016llx cpu %016llx\n", where.c_str(),
              static_cast<unsigned long long>(digest(xt_gpu.data(), n)),
              static_cast<unsigned long long>(digest(xt.data(), n)));

  const std::pair<diffuse::Prediction, const Matrix*> targets[] = {{diffuse::Prediction::epsilon, &eps},
                                                                   {diffuse::Prediction::x0, &x0},
                                                                   {diffuse::Prediction::v, &v},
                                                                   {diffuse::Prediction::flow_velocity, &u}};
  for (const auto& target : targets) {
    if (target.second->size() == 0) continue;  // v of a process that is not variance preserving
    diffuse_cuda_support::check(cudaMemset(xt_p, 0, n * sizeof(Scalar)), "cudaMemset");
    diffuse::cuda_add_noise(process, x0_p, elements, samples, seed, ids, coordinates, xt_p, target.first, target_p,
                            nullptr);
    const std::string kind = std::to_string(static_cast<int>(target.first));
    expect(same_bits(read(xt_p), xt.data(), n), where + ": x_t with target " + kind + " equals add_noise");
    expect(same_bits(read(target_p), target.second->data(), n), where + ": target " + kind + " equals the CPU's");
  }

  // Split by samples: the first and the last columns in two calls give the whole batch's bits.
  const Eigen::Index first = cols / 2;
  diffuse_cuda_support::check(cudaMemset(xt_p, 0, n * sizeof(Scalar)), "cudaMemset");
  const std::vector<Coordinate> head(coordinates.begin(), coordinates.begin() + first);
  const std::vector<Coordinate> tail(coordinates.begin() + first, coordinates.end());
  diffuse::cuda_add_noise(process, x0_p, elements, static_cast<std::size_t>(first), seed, ids.head(first), head, xt_p,
                          nullptr);
  diffuse::cuda_add_noise(process, x0_p + first * rows, elements, static_cast<std::size_t>(cols - first), seed,
                          ids.tail(cols - first), tail, xt_p + first * rows, nullptr);
  expect(same_bits(read(xt_p), xt.data(), n), where + ": split by samples equals the whole batch");

  // In place: x_t written over x_0.
  diffuse::cuda_add_noise(process, x0_p, elements, samples, seed, ids, coordinates, x0_p, nullptr);
  expect(same_bits(read(x0_p), xt.data(), n), where + ": in place equals add_noise");
}

template <class Scalar>
void check_type(const char* type) {
  const auto schedule = diffuse::Schedule<Scalar>::scaled_linear(1000);
  const auto vp = diffuse::ContinuousProcess<Scalar>::vp_linear();
  const diffuse::RectifiedFlow<Scalar> flow;
  struct Shape {
    Eigen::Index rows, cols;
  };
  for (const Shape shape : {Shape{4 * 64 * 64, 8}, Shape{1001, 7}, Shape{3, 5}, Shape{4096, 1}, Shape{2, 300}}) {
    std::vector<int> steps;
    std::vector<Scalar> times;
    for (Eigen::Index j = 0; j < shape.cols; ++j) {
      steps.push_back(static_cast<int>((j * 379) % 1001));  // 0..1000, both ends included
      times.push_back(static_cast<Scalar>(j) / static_cast<Scalar>(shape.cols));
    }
    for (const std::size_t offset : {std::size_t{0}, std::size_t{1}}) {
      check_process((std::string(type) + " schedule").c_str(), schedule, steps, shape.rows, shape.cols, offset);
      check_process((std::string(type) + " vp_linear").c_str(), vp, times, shape.rows, shape.cols, offset);
      check_process((std::string(type) + " rectified flow").c_str(), flow, times, shape.rows, shape.cols, offset);
    }
  }
}

/// Bad input: each rule throws on the host before any CUDA call, so these run without a GPU.
void check_bad_input() {
  const auto schedule = diffuse::Schedule<float>::linear(1000);
  const diffuse::RectifiedFlow<float> flow;
  const Eigen::VectorXi ids = Eigen::VectorXi::LinSpaced(4, 0, 3);
  const std::vector<int> steps{1, 2, 3, 4};
  const std::vector<float> times{0.0f, 0.25f, 0.5f, 1.0f};
  alignas(16) static float memory[64];
  float* const a = memory;
  float* const b = memory + 32;
  float* const misaligned = reinterpret_cast<float*>(reinterpret_cast<char*>(memory) + 2);
  const std::string add = "diffuse::cuda_add_noise: ";
  expect_throw<std::invalid_argument>("null x0", add + "x0 must not be null (got \"a null pointer\")", [&] {
    diffuse::cuda_add_noise(schedule, nullptr, 8, 4, 1u, ids, steps, b, nullptr);
  });
  expect_throw<std::invalid_argument>("null x_t", add + "x_t must not be null (got \"a null pointer\")", [&] {
    diffuse::cuda_add_noise(schedule, a, 8, 4, 1u, ids, steps, nullptr, nullptr);
  });
  expect_throw<std::invalid_argument>("null target", add + "target must not be null (got \"a null pointer\")", [&] {
    diffuse::cuda_add_noise(schedule, a, 8, 4, 1u, ids, steps, b, diffuse::Prediction::epsilon, nullptr, nullptr);
  });
  expect_throw<std::invalid_argument>(
      "misaligned x0", add + "x0 must be aligned to its scalar type (address mod 4 = 0) (got 2)",
      [&] { diffuse::cuda_add_noise(schedule, misaligned, 8, 4, 1u, ids, steps, b, nullptr); });
  expect_throw<std::out_of_range>(
      "batch too large",
      add + "elements × samples × the scalar's size must fit in a std::ptrdiff_t; elements (got 4611686018427387904)",
      [&] { diffuse::cuda_add_noise(schedule, a, std::size_t{1} << 62, 4, 1u, ids, steps, b, nullptr); });
  expect_throw<std::invalid_argument>(
      "ids of another count", add + "ids must have one entry per column, 3 (got 4)", [&] {
        diffuse::cuda_add_noise(schedule, a, 8, 3, 1u, ids, std::vector<int>{1, 2, 3}, b, nullptr);
      });
  expect_throw<std::invalid_argument>(
      "steps of another count", add + "timesteps must have one entry per column, 4 (got 3)", [&] {
        diffuse::cuda_add_noise(schedule, a, 8, 4, 1u, ids, std::vector<int>{1, 2, 3}, b, nullptr);
      });
  expect_throw<std::out_of_range>("step beyond T", add + "timesteps(2) must be in [0, 1000] (got 1001)", [&] {
    diffuse::cuda_add_noise(schedule, a, 8, 4, 1u, ids, std::vector<int>{1, 2, 1001, 4}, b, nullptr);
  });
  expect_throw<std::out_of_range>("negative id", add + "ids must be non-negative (got -1)", [&] {
    const Eigen::VectorXi negative = -Eigen::VectorXi::Ones(4);
    diffuse::cuda_add_noise(schedule, a, 8, 4, 1u, negative, steps, b, nullptr);
  });
  expect_throw<std::invalid_argument>(
      "v of a flow",
      add +
          "needs a variance-preserving process (a² + b² = 1: v = a eps − b x_0) (got \"a process with a² + b² != 1\")",
      [&] { diffuse::cuda_add_noise(flow, a, 8, 4, 1u, ids, times, b, diffuse::Prediction::v, a, nullptr); });
  expect_throw<std::invalid_argument>(
      "target is x_t", add + "eps and x_t must be different memory (got \"the same pointer\")",
      [&] { diffuse::cuda_add_noise(schedule, a, 8, 4, 1u, ids, steps, b, diffuse::Prediction::epsilon, b, nullptr); });
  expect_throw<std::invalid_argument>(
      "null eps", "diffuse::cuda_fill_noise: eps must not be null (got \"a null pointer\")",
      [&] { diffuse::cuda_fill_noise(1u, ids, static_cast<float*>(nullptr), 8, 4, nullptr); });
  expect_throw<std::invalid_argument>("fill ids of another count",
                                      "diffuse::cuda_fill_noise: ids must have one entry per column, 5 (got 4)",
                                      [&] { diffuse::cuda_fill_noise(1u, ids, a, 8, 5, nullptr); });
}

}  // namespace

int main() {
  try {
    check_bad_input();
    if (!diffuse_cuda_support::device_present()) {
      std::printf("bad-input checks: %s\n", failures == 0 ? "passed" : "FAILED");
      return failures == 0 ? diffuse_cuda_support::skip_code : 1;
    }
    check_type<float>("float");
    check_type<double>("double");
  } catch (const std::exception& e) {
    std::printf("FAILED: %s\n", e.what());
    return 1;
  }
  std::printf("%s\n",
              failures == 0 ? "all CUDA noise checks passed: device bits equal CPU bits" : "CUDA noise checks FAILED");
  return failures == 0 ? 0 : 1;
}
