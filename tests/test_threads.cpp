// Thread safety: std::threads share one Schedule (by reference and by copy) and at the same time
// draw noise, fill noise batches, noise batches in one pass, draw samples, use the kernels and the
// batch functions, and build schedules of their own. Every result must equal, bit for bit, the one
// computed afterwards on one thread. Run under ThreadSanitizer by .ci/run (clang++,
// -DDIFFUSE_SANITIZE=thread): a data race anywhere on these paths fails the run there.
#include <diffuse/diffuse.hpp>

#include <cstdint>
#include <cstring>
#include <exception>
#include <random>
#include <thread>
#include <vector>

#include <Eigen/Core>

#if defined(_OPENMP)
#include <omp.h>
#endif

#include "catch.hpp"

namespace {

constexpr int thread_count = 4;
constexpr int task_count = 12;

using Ids = Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1>;

/// Everything one task computes.
struct Result {
  Eigen::MatrixXf noise_float;
  Eigen::MatrixXd noise_double;
  Eigen::MatrixXf fused_xt, fused_eps;
  Eigen::MatrixXd noised, velocity, x0_back;
  Eigen::VectorXd marginal_mean, posterior_mean, sample, normals;
  std::vector<double> scalars;  // variances, KLs, log-densities, single noise values, own schedule
};

/// Bit-for-bit equality of two dense matrices of the same type.
template <class Matrix>
bool same_bits(const Matrix& a, const Matrix& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         (a.size() == 0 ||  // an empty matrix has no data pointer to give memcmp
          std::memcmp(a.data(), b.data(), static_cast<std::size_t>(a.size()) * sizeof(typename Matrix::Scalar)) == 0);
}

bool same_bits(const Result& a, const Result& b) {
  return same_bits(a.noise_float, b.noise_float) && same_bits(a.noise_double, b.noise_double) &&
         same_bits(a.fused_xt, b.fused_xt) && same_bits(a.fused_eps, b.fused_eps) && same_bits(a.noised, b.noised) &&
         same_bits(a.velocity, b.velocity) && same_bits(a.x0_back, b.x0_back) &&
         same_bits(a.marginal_mean, b.marginal_mean) && same_bits(a.posterior_mean, b.posterior_mean) &&
         same_bits(a.sample, b.sample) && same_bits(a.normals, b.normals) && a.scalars.size() == b.scalars.size() &&
         (a.scalars.empty() || std::memcmp(a.scalars.data(), b.scalars.data(), a.scalars.size() * sizeof(double)) == 0);
}

/// One task: its inputs depend on `task` only; `shared` is the schedule every thread reads.
Result run_task(int task, const diffuse::Schedule<double>& shared, diffuse::Schedule<float> copied) {
  const Eigen::Index elements = 3 * 16 * 16, samples = 6;
  const std::uint64_t seed = 1000u + static_cast<std::uint64_t>(task);
  Ids ids(samples);
  for (Eigen::Index j = 0; j < samples; ++j) ids(j) = 7 * task + j;
  Eigen::VectorXi steps(samples);
  for (Eigen::Index j = 0; j < samples; ++j) steps(j) = static_cast<int>((97 * task + 131 * j) % (shared.steps() + 1));

  Result r;
  r.noise_float.resize(elements, samples);
  r.noise_double.resize(elements, samples);
  diffuse::fill_noise(seed, ids, r.noise_float);
  diffuse::fill_noise(seed, ids, r.noise_double, 5u);

  const Eigen::MatrixXf x0_float = Eigen::MatrixXf::Constant(elements, samples, 0.25f * static_cast<float>(task));
  r.fused_xt.resize(elements, samples);
  r.fused_eps.resize(elements, samples);
  diffuse::add_noise(copied, x0_float, diffuse::drawn_noise(seed, ids), steps, r.fused_xt, r.fused_eps);

  const Eigen::MatrixXd x0 = r.noise_double * 0.5 + Eigen::MatrixXd::Constant(elements, samples, 1.0);
  r.noised = diffuse::add_noise(shared, x0, r.noise_double, steps);
  r.velocity = diffuse::velocity(shared, x0, r.noise_double, steps);
  Eigen::VectorXi early(samples);
  for (Eigen::Index j = 0; j < samples; ++j) early(j) = 1 + static_cast<int>(steps(j)) % (shared.steps() - 1);
  r.x0_back =
      diffuse::x0_from_eps(shared, diffuse::add_noise(shared, x0, r.noise_double, early), r.noise_double, early);

  const int t = 1 + (37 * task) % shared.steps();
  const Eigen::VectorXd x = x0.col(0);
  const auto q = diffuse::marginal(shared, t, x);
  r.marginal_mean = q.mean();
  const auto post = diffuse::posterior(shared, t, r.noised.col(0), x);
  r.posterior_mean = post.mean();
  std::mt19937_64 rng(4242u + static_cast<std::uint64_t>(task));
  r.sample = q.sample(rng);
  r.normals.resize(999);
  diffuse::StandardNormal<double> normal;
  normal.fill(rng, r.normals);
  r.scalars = {q.variance(),
               post.variance(),
               q.log_prob(r.sample),
               q.kl(post),
               diffuse::prior_kl(shared, x),
               diffuse::noise_value<double>(seed, 3, 12345),
               static_cast<double>(diffuse::noise_value<float>(seed, 3, 12345)),
               shared.alpha_bar_ratio(t / 2, t),
               shared.posterior_coefficients(t - 1, t).variance};

  // A schedule of its own, built from the shared one and from scratch.
  const auto respaced =
      shared.respaced(diffuse::space_timesteps(shared.steps(), "ddim" + std::to_string(5 + task)).t());
  const auto own = diffuse::Schedule<double>::cosine(100 + task).zero_terminal_snr();
  for (int k = 1; k <= respaced.steps(); ++k) r.scalars.push_back(respaced.log_snr(k));
  for (int k = 0; k <= own.steps(); ++k) r.scalars.push_back(own.sqrt_alpha_bar(k));
  r.scalars.push_back(static_cast<double>(shared.cast<float>().sigma(shared.steps() / 2)));
  return r;
}

/// Runs every task on `thread_count` threads at once (thread k takes tasks k, k + thread_count, …),
/// each thread with its own copy of the float schedule and the double schedule shared by reference.
template <class Task>
std::vector<Result> run_concurrently(Task task) {
  std::vector<Result> results(task_count);
  std::vector<std::exception_ptr> errors(thread_count);
  std::vector<std::thread> threads;
  for (int k = 0; k < thread_count; ++k) {
    threads.emplace_back([&, k] {
      try {
        for (int i = k; i < task_count; i += thread_count) results[static_cast<std::size_t>(i)] = task(i);
      } catch (...) {
        errors[static_cast<std::size_t>(k)] = std::current_exception();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::exception_ptr& error : errors) {
    if (error) std::rethrow_exception(error);
  }
  return results;
}

}  // namespace

TEST_CASE("threads sharing a schedule get the bits of one thread", "[threads]") {
  // The threads run first, so that they also race to initialise the library's function-local
  // statics (the noise kernel's code path).
  const auto shared = diffuse::Schedule<double>::cosine(1000).zero_terminal_snr();
  const auto shared_float = shared.cast<float>();
  const std::vector<Result> concurrent =
      run_concurrently([&](int task) { return run_task(task, shared, shared_float); });
  for (int task = 0; task < task_count; ++task) {
    CHECK(same_bits(concurrent[static_cast<std::size_t>(task)], run_task(task, shared, shared_float)));
  }
}

TEST_CASE("threads filling large batches get the bits of one thread", "[threads]") {
  // Batches of 2 x 16384 elements and more take the OpenMP path when built with -fopenmp: each
  // std::thread then runs its own parallel region.
  const auto schedule = diffuse::Schedule<float>::linear(1000);
  const Eigen::Index elements = 40000, samples = 2;
  const auto big = [&](int task) {
    Ids ids(samples);
    ids << 2 * task, 2 * task + 1;
    Eigen::VectorXi steps(samples);
    steps << 10 * task, 999 - task;
    Result r;
    r.noise_float.resize(elements, samples);
    diffuse::fill_noise(77u, ids, r.noise_float);
    r.fused_xt = Eigen::MatrixXf::Constant(elements, samples, 1.5f);
    r.fused_eps.resize(elements, samples);
    diffuse::add_noise(schedule, r.fused_xt, diffuse::drawn_noise(77u, ids), steps, r.fused_xt,
                       r.fused_eps);  // in place
    return r;
  };
#if defined(_OPENMP)
  const int before = omp_get_max_threads();
  omp_set_num_threads(2);
#endif
  const std::vector<Result> concurrent = run_concurrently(big);
#if defined(_OPENMP)
  omp_set_num_threads(1);
#endif
  for (int task = 0; task < task_count; ++task) CHECK(same_bits(concurrent[static_cast<std::size_t>(task)], big(task)));
#if defined(_OPENMP)
  omp_set_num_threads(before);
#endif
}
