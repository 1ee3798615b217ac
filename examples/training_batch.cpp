// One training step's forward process: a batch of 8 samples (one per column) gets its steps, x_t,
// the v target and its min-SNR weight in one call; the same sample ids under the same seed give
// the same values however the batch is split. Then an importance sampler learns from the losses.
// `training_batch --times N` prints instead N draws of each continuous-time sampler as CSV
// `sampler,t` (EDM's σ as the flow time t = σ/(1 + σ) of equal SNR), for docs/plot_training_times.py.
#include <diffuse/importance_sampler.hpp>
#include <diffuse/schedule.hpp>
#include <diffuse/training_batch.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <Eigen/Core>

namespace {

/// N draws of each timestep sampler (ids 0..N−1, seed 1) as CSV `sampler,t`.
int print_times(std::uint64_t n) {
  std::printf("sampler,t\n");
  auto print = [n](const char* name, const auto& sampler, auto to_time) {
    for (double x : diffuse::sample_coordinates(sampler, 1, diffuse::IdRange{0, n}))
      std::printf("%s,%.9g\n", name, to_time(x));
  };
  const auto same = [](double t) { return t; };
  print("uniform", diffuse::uniform_time_sampler(), same);
  print("logit-normal", diffuse::logit_normal_time_sampler(), same);
  print("mode", diffuse::mode_time_sampler(), same);
  print("cosmap", diffuse::cosmap_time_sampler(), same);
  print("EDM", diffuse::log_normal_sigma_sampler(), [](double sigma) { return sigma / (1 + sigma); });
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--times") == 0) return print_times(std::strtoull(argv[2], nullptr, 10));
  using diffuse::Prediction;
  const auto schedule = diffuse::Schedule<float>::cosine(1000);
  const Eigen::Index batch = 8, elements = 4 * 16 * 16;  // (B, C, H, W) = (8, 4, 16, 16)
  const Eigen::MatrixXf x0 = Eigen::MatrixXf::Constant(elements, batch, 0.5f);
  const Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1> ids =
      Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1>::LinSpaced(batch, 100, 107);
  const std::uint64_t seed = 2024;  // names the run; mix the epoch into the ids for fresh noise

  Eigen::MatrixXf x_t(elements, batch), v(elements, batch);
  Eigen::VectorXf weight(batch);
  const std::vector<int> t =
      diffuse::training_batch(schedule, diffuse::uniform_step_sampler(1000), Prediction::v, x0, seed, ids, x_t, v,
                              weight, [](float snr) { return diffuse::min_snr_weight(snr, Prediction::v, 5); });
  std::printf("sample,t,snr,min_snr_v_weight,x_t[0],v[0]\n");
  for (Eigen::Index j = 0; j < batch; ++j) {
    const int tj = t[static_cast<std::size_t>(j)];
    std::printf("%lld,%d,%.6g,%.6g,%.6g,%.6g\n", static_cast<long long>(ids(j)), tj,
                static_cast<double>(schedule.snr(tj)), static_cast<double>(weight(j)), static_cast<double>(x_t(0, j)),
                static_cast<double>(v(0, j)));
  }

  // The last sample alone, as another worker would make it: the same bits.
  Eigen::MatrixXf x_t_last(elements, 1), v_last(elements, 1);
  Eigen::VectorXf weight_last(1);
  diffuse::training_batch(schedule, diffuse::uniform_step_sampler(1000), Prediction::v,
                          Eigen::MatrixXf(x0.rightCols(1)), seed,
                          Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1>(ids.tail(1)), x_t_last, v_last, weight_last,
                          [](float snr) { return diffuse::min_snr_weight(snr, Prediction::v, 5); });
  const bool same = x_t_last == x_t.rightCols(1) && v_last == v.rightCols(1);
  std::printf("sample %lld alone: %s\n", static_cast<long long>(ids(batch - 1)), same ? "same bits" : "DIFFERENT");

  // Importance sampling of t (improved-diffusion's loss-second-moment resampler) over T = 4 steps.
  diffuse::LossSecondMomentSampler resampler(4, 2);
  resampler.update({1, 2, 3, 4, 1, 2, 3, 4}, {0.1, 0.2, 0.4, 0.8, 0.1, 0.2, 0.4, 0.8});
  const std::vector<double> p = resampler.probabilities();
  const diffuse::ImportanceDraw d = resampler.draw(seed, 100);
  std::printf("p = %.4f %.4f %.4f %.4f; sample 100 draws t = %d with weight %.4f\n", p[0], p[1], p[2], p[3], d.step,
              d.weight);
  return same ? 0 : 1;
}
