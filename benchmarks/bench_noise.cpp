// Forward noising and standard normals: diffuse's add_noise with drawn noise (registered as e2e/noise_batch), the one-pass
// training batch (e2e/training_batch_eps, _v), fill_noise on every code path,
// batch.hpp's add_noise with the noise given and a plain triad over the same arrays; the same two
// add_noise calls on float, Eigen::half and Eigen::bfloat16 storage (storage/).
//
// Names follow ../shared/bench/baselines.py: group/what/workload/threads. benchmarks/compare.py runs
// this program and the Python baselines in one go and prints ns per element and the ratios.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <Eigen/Core>

#include <diffuse/batch.hpp>
#include <diffuse/noise.hpp>
#include <diffuse/schedule.hpp>
#include <diffuse/training_batch.hpp>

#if defined(_OPENMP)
#include <omp.h>
#endif

namespace {

using diffuse::detail::SimdPath;
using Batch = Eigen::MatrixXf;

struct Workload {
  const char* name;
  Eigen::Index samples;
  Eigen::Index elements;  // per sample
};

const Workload workloads[] = {{"64x4x64x64", 64, 4 * 64 * 64}, {"16x3x256x256", 16, 3 * 256 * 256}};

/// The arrays of one workload, as a training step has them (steps as diffusers draws them).
struct Arrays {
  Batch x0, xt, eps;
  Eigen::VectorXi steps;
  Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1> ids;
  Eigen::RowVectorXf a, b;  // √ᾱ_t and √(1 − ᾱ_t) per sample, for the triad

  Arrays(const Workload& w, const diffuse::Schedule<float>& schedule)
      : x0(Batch::Random(w.elements, w.samples)),
        xt(w.elements, w.samples),
        eps(w.elements, w.samples),
        steps(w.samples),
        ids(w.samples),
        a(w.samples),
        b(w.samples) {
    for (Eigen::Index j = 0; j < w.samples; ++j) {
      steps(j) = static_cast<int>(1 + (j * 7919) % schedule.steps());
      ids(j) = 1000 + j;
      a(j) = schedule.sqrt_alpha_bar(steps(j));
      b(j) = schedule.sqrt_one_minus_alpha_bar(steps(j));
    }
    diffuse::fill_noise(7u, ids, eps);
  }
};

const diffuse::Schedule<float>& schedule() {
  static const auto s = diffuse::Schedule<float>::linear(1000);
  return s;
}

/// Sets the OpenMP thread count; false (and the benchmark skipped) without OpenMP for 2+ threads.
bool use_threads(benchmark::State& state, int threads) {
#if defined(_OPENMP)
  static_cast<void>(state);
  omp_set_num_threads(threads);
  return true;
#else
  if (threads == 1) return true;
  state.SkipWithError("built without OpenMP");
  return false;
#endif
}

void finish(benchmark::State& state, Eigen::Index elements) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * elements);
  state.counters["elements"] = static_cast<double>(elements);
}

void noise_drawn(benchmark::State& state, const Workload& w, int threads, bool with_eps) {
  Arrays arrays(w, schedule());
  if (!use_threads(state, threads)) return;
  std::uint64_t seed = 0;
  for (auto _ : state) {
    if (with_eps) {
      diffuse::add_noise(schedule(), arrays.x0, diffuse::drawn_noise(++seed, arrays.ids), arrays.steps, arrays.xt,
                         arrays.eps);
    } else {
      diffuse::add_noise(schedule(), arrays.x0, diffuse::drawn_noise(++seed, arrays.ids), arrays.steps, arrays.xt);
    }
    benchmark::DoNotOptimize(arrays.xt.data());
    benchmark::ClobberMemory();
  }
  finish(state, arrays.x0.size());
}

/// training_batch.hpp's one-pass training batch: uniform steps drawn per sample, x_t, the target of
/// `prediction` and the min-SNR weight; against e2e/noise_batch_eps (x_t and ε, the steps given).
void training_batch(benchmark::State& state, const Workload& w, int threads, diffuse::Prediction prediction) {
  Arrays arrays(w, schedule());
  if (!use_threads(state, threads)) return;
  const auto sampler = diffuse::uniform_step_sampler(schedule().steps());
  Eigen::VectorXf weights(w.samples);
  const auto min_snr = [prediction](float snr) { return diffuse::min_snr_weight(snr, prediction, 5); };
  std::uint64_t seed = 0;
  for (auto _ : state) {
    diffuse::training_batch(schedule(), sampler, prediction, arrays.x0, ++seed, arrays.ids, arrays.xt, arrays.eps,
                            weights, min_snr);
    benchmark::DoNotOptimize(arrays.xt.data());
    benchmark::ClobberMemory();
  }
  finish(state, arrays.x0.size());
}

void noise_given(benchmark::State& state, const Workload& w, int threads) {
  Arrays arrays(w, schedule());
  if (!use_threads(state, threads)) return;
  for (auto _ : state) {
    diffuse::add_noise(schedule(), arrays.x0, arrays.eps, arrays.steps, arrays.xt);
    benchmark::DoNotOptimize(arrays.xt.data());
    benchmark::ClobberMemory();
  }
  finish(state, arrays.x0.size());
}

/// add_noise with drawn noise (x_t and ε written) and with given noise on a batch stored as Storage
/// (float, Eigen::half or Eigen::bfloat16; the 16-bit ones computed in float and rounded once).
template <class Storage>
void storage_noise(benchmark::State& state, const Workload& w, bool drawn) {
  using StorageBatch = Eigen::Matrix<Storage, Eigen::Dynamic, Eigen::Dynamic>;
  Arrays arrays(w, schedule());
  if (!use_threads(state, 1)) return;
  const StorageBatch x0 = arrays.x0.template cast<Storage>(), eps = arrays.eps.template cast<Storage>();
  StorageBatch xt(x0.rows(), x0.cols()), eps_out(x0.rows(), x0.cols());
  std::uint64_t seed = 0;
  for (auto _ : state) {
    if (drawn) {
      diffuse::add_noise(schedule(), x0, diffuse::drawn_noise(++seed, arrays.ids), arrays.steps, xt, eps_out);
    } else {
      diffuse::add_noise(schedule(), x0, eps, arrays.steps, xt);
    }
    benchmark::DoNotOptimize(xt.data());
    benchmark::ClobberMemory();
  }
  finish(state, x0.size());
}

/// The memory limit: xt = a x0 + b eps column by column, nothing else.
void triad(benchmark::State& state, const Workload& w) {
  Arrays arrays(w, schedule());
  for (auto _ : state) {
    for (Eigen::Index j = 0; j < w.samples; ++j) {
      arrays.xt.col(j) = arrays.a(j) * arrays.x0.col(j) + arrays.b(j) * arrays.eps.col(j);
    }
    benchmark::DoNotOptimize(arrays.xt.data());
    benchmark::ClobberMemory();
  }
  finish(state, arrays.x0.size());
}

/// The code path diffuse chooses on this CPU (the fastest it runs), as it was before any benchmark set one.
SimdPath best_path() {
  static const SimdPath chosen = diffuse::detail::simd_path_in_use();
  return chosen;
}

/// Standard normals alone: 2^20 of them (64 samples of 2^14), as baselines.py's gauss group.
template <class Scalar>
void normals(benchmark::State& state, int threads, SimdPath path) {
  if (!diffuse::detail::cpu_runs(path)) {
    state.SkipWithError("this CPU does not run the path");
    return;
  }
  if (!use_threads(state, threads)) return;
  diffuse::detail::set_simd_path(path);
  const Eigen::Index samples = 64, elements = path == SimdPath::portable ? 1 << 10 : 1 << 14;
  Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> eps(elements, samples);
  const Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1> ids =
      Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1>::LinSpaced(samples, 0, samples - 1);
  std::uint64_t seed = 0;
  for (auto _ : state) {
    diffuse::fill_noise(++seed, ids, eps);
    benchmark::DoNotOptimize(eps.data());
    benchmark::ClobberMemory();
  }
  diffuse::detail::set_simd_path(best_path());
  finish(state, eps.size());
}

const char* path_name(SimdPath path) {
  switch (path) {
    case SimdPath::avx512: return "avx512";
    case SimdPath::avx2: return "avx2";
    case SimdPath::neon: return "neon";
    default: return "portable";
  }
}

/// The bits of add_noise with drawn noise with every thread count and code path, compared with one thread on
/// the portable path: the reproducibility contract, checked on the benchmark's own workload.
bool same_bits_everywhere() {
  const Workload small = {"4x4x64x64", 4, 4 * 64 * 64};
  Arrays reference(small, schedule());
  diffuse::detail::set_simd_path(SimdPath::portable);
  diffuse::add_noise(schedule(), reference.x0, diffuse::drawn_noise(99u, reference.ids), reference.steps, reference.xt,
                     reference.eps);
  bool same = true;
  for (SimdPath path : diffuse::detail::all_simd_paths) {
    if (!diffuse::detail::cpu_runs(path)) continue;
    diffuse::detail::set_simd_path(path);
    for (int threads = 1; threads <= 2; ++threads) {
#if defined(_OPENMP)
      omp_set_num_threads(threads);
#endif
      Arrays arrays = reference;
      diffuse::add_noise(schedule(), arrays.x0, diffuse::drawn_noise(99u, arrays.ids), arrays.steps, arrays.xt,
                         arrays.eps);
      same = same && (arrays.xt.array() == reference.xt.array()).all() &&
             (arrays.eps.array() == reference.eps.array()).all();
    }
  }
  diffuse::detail::set_simd_path(best_path());
  return same;
}

}  // namespace

int main(int argc, char** argv) {
  best_path();  // remember the path diffuse chose before anything sets another
#if defined(_OPENMP)
  const bool openmp = true;
#else
  const bool openmp = false;
#endif
  const bool same = same_bits_everywhere();
  std::fprintf(stderr, "diffuse bench_noise: path %s, OpenMP %s; same bits on every path and thread count: %s\n",
               path_name(best_path()), openmp ? "on" : "off", same ? "yes" : "NO");
  for (const Workload& w : workloads) {
    for (int threads : {1, 2}) {
      const std::string suffix = std::string(w.name) + "/t" + std::to_string(threads);
      benchmark::RegisterBenchmark(("e2e/noise_batch/" + suffix).c_str(), noise_drawn, w, threads, false)
          ->UseRealTime();
      benchmark::RegisterBenchmark(("e2e/noise_batch_eps/" + suffix).c_str(), noise_drawn, w, threads, true)
          ->UseRealTime();
      benchmark::RegisterBenchmark(("given/add_noise/" + suffix).c_str(), noise_given, w, threads)->UseRealTime();
      benchmark::RegisterBenchmark(("e2e/training_batch_eps/" + suffix).c_str(), training_batch, w, threads,
                                   diffuse::Prediction::epsilon)
          ->UseRealTime();
      benchmark::RegisterBenchmark(("e2e/training_batch_v/" + suffix).c_str(), training_batch, w, threads,
                                   diffuse::Prediction::v)
          ->UseRealTime();
    }
    benchmark::RegisterBenchmark(("given/triad/" + std::string(w.name) + "/t1").c_str(), triad, w)->UseRealTime();
  }
  for (const char* kind : {"noise_batch_eps", "add_noise"}) {
    const bool drawn = kind[0] == 'n';
    const std::string tail = std::string("/") + workloads[0].name + "/t1";
    benchmark::RegisterBenchmark(("storage/" + std::string(kind) + "_f32" + tail).c_str(), storage_noise<float>,
                                 workloads[0], drawn)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("storage/" + std::string(kind) + "_f16" + tail).c_str(), storage_noise<Eigen::half>,
                                 workloads[0], drawn)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("storage/" + std::string(kind) + "_bf16" + tail).c_str(),
                                 storage_noise<Eigen::bfloat16>, workloads[0], drawn)
        ->UseRealTime();
  }
  for (int threads : {1, 2}) {
    const std::string t = "/t" + std::to_string(threads);
    benchmark::RegisterBenchmark(("gauss/fill_noise/f32" + t).c_str(), normals<float>, threads, best_path())
        ->UseRealTime();
    benchmark::RegisterBenchmark(("gauss/fill_noise/f64" + t).c_str(), normals<double>, threads, best_path())
        ->UseRealTime();
  }
  for (SimdPath path : diffuse::detail::all_simd_paths) {
    if (path == SimdPath::neon && !diffuse::detail::cpu_runs(path)) continue;  // x86-64 lists its own paths, run or not
    for (const char* type : {"f32", "f64"}) {
      const std::string name = std::string("path/fill_noise_") + path_name(path) + "/" + type + "/t1";
      if (type[1] == '3') {
        benchmark::RegisterBenchmark(name.c_str(), normals<float>, 1, path)->UseRealTime();
      } else {
        benchmark::RegisterBenchmark(name.c_str(), normals<double>, 1, path)->UseRealTime();
      }
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return same ? 0 : 1;
}
