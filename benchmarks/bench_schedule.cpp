// The extended-precision arithmetic: building schedules, evaluating continuous processes, sigma ramps.
//
// Names: group/what/type/workload. A schedule build is timed whole (Schedule<Scalar>::factory(T),
// µs for T = 1000, ms for T = 100000); the continuous processes and fractional_step are timed per
// sweep over 1000 inputs, with the time per evaluation in the per_eval column (CPU time / 1000).
// Run with --benchmark_repetitions=5 --benchmark_report_aggregates_only=true to compare builds (the
// aggregates include min, the fastest repetition).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include <diffuse/continuous.hpp>
#include <diffuse/presets.hpp>
#include <diffuse/schedule.hpp>
#include <diffuse/sigma_schedules.hpp>
#include <diffuse/time_coordinates.hpp>

namespace {

using Process = diffuse::ContinuousProcess<double>;
using Time = diffuse::ContinuousTime<double>;

constexpr int evaluations = 1000;  // inputs per sweep

/// Items per second, and the time per item (the inverse) as the per_eval column.
void per_item(benchmark::State& state, int items) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * items);
  state.counters["per_eval"] = benchmark::Counter(
      static_cast<double>(items), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

/// The fastest repetition, an aggregate beside mean, median and stddev: the least disturbed by other load.
double minimum(const std::vector<double>& values) { return *std::min_element(values.begin(), values.end()); }

/// Times make() whole: a factory call, a transform of a schedule built outside the loop, a ramp.
template <class Make>
void build(benchmark::State& state, Make make) {
  for (auto _ : state) {
    auto result = make();
    benchmark::DoNotOptimize(result);
    benchmark::ClobberMemory();
  }
}

// --- discrete schedules --------------------------------------------------------------------------

template <class Scalar>
void linear(benchmark::State& state, int steps) {
  build(state, [&] { return diffuse::Schedule<Scalar>::linear(steps); });
}
template <class Scalar>
void scaled_linear(benchmark::State& state, int steps) {
  build(state, [&] { return diffuse::Schedule<Scalar>::scaled_linear(steps); });
}
template <class Scalar>
void cosine(benchmark::State& state, int steps) {
  build(state, [&] { return diffuse::Schedule<Scalar>::cosine(steps); });
}
template <class Scalar>
void sigmoid(benchmark::State& state, int steps) {
  build(state, [&] { return diffuse::Schedule<Scalar>::sigmoid(steps); });
}
void chen_sigmoid(benchmark::State& state, int steps) {
  build(state, [&] { return diffuse::presets::chen_sigmoid<double>(steps); });
}

/// Stable Diffusion 2's schedule: the rescaling alone, the base schedule built once.
void zero_terminal_snr(benchmark::State& state, int steps) {
  const auto base = diffuse::Schedule<double>::scaled_linear(steps);
  build(state, [&] { return base.zero_terminal_snr(); });
}

/// improved-diffusion's space_timesteps(T, "K"): every (T/K)-th step from the first.
void respaced(benchmark::State& state, int steps, int kept_steps) {
  const auto base = diffuse::Schedule<double>::linear(steps);
  std::vector<int> kept(static_cast<std::size_t>(kept_steps));
  for (int k = 0; k < kept_steps; ++k) kept[static_cast<std::size_t>(k)] = 1 + k * (steps / kept_steps);
  build(state, [&] { return base.respaced(kept); });
}

// --- continuous processes ------------------------------------------------------------------------

struct Family {
  const char* name;
  Process (*make)();
};

const Family families[] = {
    {"vp_linear", [] { return Process::vp_linear(); }},
    {"cosine", [] { return Process::cosine(); }},
    {"shifted_cosine", [] { return Process::shifted_cosine(64); }},
    {"interpolated_cosine", [] { return Process::interpolated_cosine(64, 32, 256); }},
    {"vdm_linear", [] { return Process::vdm_linear(); }},
    {"sub_vp", [] { return Process::sub_vp(); }},
    {"ve", [] { return Process::ve(); }},
};

/// The fixed grid t_i = (i + 1)/(n + 1), i = 0..n − 1, inside (0, 1) (no data or noise endpoint).
std::vector<Time> time_grid(int n, double offset = 1) {
  std::vector<Time> times;
  times.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) times.emplace_back((i + offset) / (n + 1));
  return times;
}

/// evaluate(process, t) at every t of the grid, per sweep.
template <class Evaluate>
void at_times(benchmark::State& state, const Family& family, Evaluate evaluate) {
  const Process process = family.make();
  const std::vector<Time> times = time_grid(evaluations);
  for (auto _ : state) {
    for (const Time& t : times) benchmark::DoNotOptimize(evaluate(process, t));
  }
  per_item(state, evaluations);
}

void signal_scale(benchmark::State& state, const Family& family) {
  at_times(state, family, [](const Process& p, Time t) { return p.signal_scale(t); });
}
void noise_scale(benchmark::State& state, const Family& family) {
  at_times(state, family, [](const Process& p, Time t) { return p.noise_scale(t); });
}
void log_snr(benchmark::State& state, const Family& family) {
  at_times(state, family, [](const Process& p, Time t) { return p.log_snr(t).value(); });
}

/// q(x_t|x_s) between the grid's t_i and s_i = t_i − 1/(2(n + 1)), half a grid step before.
void transition_coefficients(benchmark::State& state, const Family& family) {
  const Process process = family.make();
  const std::vector<Time> s = time_grid(evaluations, 0.5), t = time_grid(evaluations);
  for (auto _ : state) {
    for (std::size_t i = 0; i < t.size(); ++i) benchmark::DoNotOptimize(process.transition_coefficients(s[i], t[i]));
  }
  per_item(state, evaluations);
}

/// time(λ) at the log-SNRs of the grid's times: Newton's method for the interpolated cosine.
void time_of_log_snr(benchmark::State& state, const Family& family) {
  const Process process = family.make();
  std::vector<diffuse::LogSnr<double>> lambdas;
  for (const Time& t : time_grid(evaluations)) lambdas.push_back(process.log_snr(t));
  for (auto _ : state) {
    for (const auto& lambda : lambdas) benchmark::DoNotOptimize(process.time(lambda).value());
  }
  per_item(state, evaluations);
}

// --- sigma ramps ---------------------------------------------------------------------------------

void karras_sigmas(benchmark::State& state, int n) {
  build(state, [&] { return diffuse::karras_sigmas<double>(n); });
}
void vp_sigmas(benchmark::State& state, int n) {
  build(state, [&] { return diffuse::vp_sigmas<double>(n); });
}

/// k-diffusion's sigma_to_t over a Karras ramp from σ_1 to σ_T of a linear schedule (the final 0 left out).
void fractional_step(benchmark::State& state, int steps) {
  const auto schedule = diffuse::Schedule<double>::linear(steps);
  const Eigen::VectorXd ramp = diffuse::karras_sigmas<double>(evaluations, schedule.sigma(1), schedule.sigma(steps));
  std::vector<diffuse::NoiseLevel<double>> sigmas;
  for (int i = 0; i < evaluations; ++i) sigmas.emplace_back(ramp(i));
  for (auto _ : state) {
    for (const auto& sigma : sigmas) benchmark::DoNotOptimize(diffuse::fractional_step(schedule, sigma).value());
  }
  per_item(state, evaluations);
}

}  // namespace

int main(int argc, char** argv) {
  using benchmark::kMicrosecond;
  using benchmark::kMillisecond;
  auto add = [](const std::string& name, auto function, benchmark::TimeUnit unit, auto... arguments) {
    benchmark::RegisterBenchmark(name.c_str(), function, arguments...)->Unit(unit)->ComputeStatistics("min", minimum);
  };
  add("schedule/linear/f64/T1000", linear<double>, kMicrosecond, 1000);
  add("schedule/linear/f64/T100000", linear<double>, kMillisecond, 100000);
  add("schedule/scaled_linear/f64/T1000", scaled_linear<double>, kMicrosecond, 1000);
  add("schedule/scaled_linear/f64/T100000", scaled_linear<double>, kMillisecond, 100000);
  add("schedule/cosine/f64/T1000", cosine<double>, kMicrosecond, 1000);
  add("schedule/cosine/f64/T100000", cosine<double>, kMillisecond, 100000);
  add("schedule/sigmoid/f64/T100000", sigmoid<double>, kMillisecond, 100000);
  add("schedule/cosine/f32/T100000", cosine<float>, kMillisecond, 100000);
  add("schedule/linear/f80/T1000", linear<long double>, kMicrosecond, 1000);
  add("schedule/zero_terminal_snr/f64/scaled_linear_T1000", zero_terminal_snr, kMicrosecond, 1000);
  add("schedule/respaced/f64/linear_T1000_K50", respaced, kMicrosecond, 1000, 50);
  add("schedule/chen_sigmoid/f64/T1000", chen_sigmoid, kMicrosecond, 1000);
  const std::string sweep = "/f64/n" + std::to_string(evaluations);
  for (const Family& family : families) {
    const std::string prefix = std::string("continuous/") + family.name + "/";
    add(prefix + "signal_scale" + sweep, signal_scale, kMicrosecond, family);
    add(prefix + "noise_scale" + sweep, noise_scale, kMicrosecond, family);
    add(prefix + "log_snr" + sweep, log_snr, kMicrosecond, family);
    add(prefix + "transition_coefficients" + sweep, transition_coefficients, kMicrosecond, family);
    if (std::string(family.name) == "interpolated_cosine")
      add(prefix + "time_of_log_snr" + sweep, time_of_log_snr, kMicrosecond, family);
  }
  add("sigma/karras_sigmas/f64/N1000", karras_sigmas, kMicrosecond, 1000);
  add("sigma/vp_sigmas/f64/N1000", vp_sigmas, kMicrosecond, 1000);
  add("sigma/fractional_step/f64/linear_T1000_n" + std::to_string(evaluations), fractional_step, kMicrosecond, 1000);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
