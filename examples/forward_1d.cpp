// forward_1d: the 1-D diffusion of Understanding Deep Learning, chapter 18 (a mixture of four
// Gaussians, constant β = 0.01511, T = 100): sample trajectories and the exact marginal density
// q(x_t) on a grid for every t, as two CSV files.
//
//   forward_1d [--out-dir DIR] [--trajectories N] [--seed S]
#include <diffuse/diffuse.hpp>

#include <cmath>
#include <cstdint>
#include <exception>
#include <fstream>
#include <iostream>
#include <random>
#include <string>

#include "cli.hpp"

namespace {

struct Component {
  double weight, mean, sd;
};
// Prince, Understanding Deep Learning (2023), notebook 18.1.
const Component mixture[] = {{0.2, 1.5, 0.3}, {0.3, -0.216, 0.15}, {0.35, 0.45, 0.525}, {0.15, -1.875, 0.075}};

/// The exact q(x_t) = Σ_k w_k N(x; √ᾱ_t μ_k, ᾱ_t σ_k² + 1 − ᾱ_t) (marginal of the data mixture).
double density(const diffuse::Schedule<double>& schedule, int t, double x) {
  const double pi = 3.14159265358979323846;
  double p = 0;
  for (const Component& c : mixture) {
    const double mean = schedule.sqrt_alpha_bar(t) * c.mean;
    const double variance = schedule.alpha_bar(t) * c.sd * c.sd + schedule.one_minus_alpha_bar(t);
    p += c.weight * std::exp(-(x - mean) * (x - mean) / (2 * variance)) / std::sqrt(2 * pi * variance);
  }
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const diffuse_examples::Arguments args(argc, argv, {"--out-dir", "--trajectories", "--seed"}, {"--help"});
    if (args.has("--help")) {
      std::cout << "usage: forward_1d [--out-dir DIR] [--trajectories N] [--seed S]\n"
                   "Writes DIR/forward_1d_density.csv (t,x,density: the exact q(x_t) on a grid, t = 0..100)\n"
                   "and DIR/forward_1d_trajectories.csv (t, then one column per trajectory).\n";
      return 0;
    }
    const std::string dir = args.text("--out-dir", ".");
    const int n = args.integer("--trajectories", 5);
    if (n < 1) throw std::invalid_argument("--trajectories must be at least 1");
    std::mt19937_64 rng(static_cast<std::uint64_t>(args.integer("--seed", 18)));
    const auto schedule = diffuse::Schedule<double>::constant(100, 0.01511);

    std::ofstream density_csv(dir + "/forward_1d_density.csv");
    density_csv << "t,x,density\n";
    for (int t = 0; t <= schedule.steps(); ++t) {
      for (int i = 0; i <= 300; ++i) {
        const double x = -3.0 + 0.02 * i;
        density_csv << t << ',' << x << ',' << density(schedule, t, x) << '\n';
      }
    }

    // Draw x_0 from the mixture, then run every trajectory through the chain one step at a time.
    std::discrete_distribution<int> pick({mixture[0].weight, mixture[1].weight, mixture[2].weight, mixture[3].weight});
    diffuse::StandardNormal<double> unit;
    Eigen::RowVectorXd x(n);
    for (Eigen::Index j = 0; j < n; ++j) {
      const Component& c = mixture[pick(rng)];
      x(j) = c.mean + c.sd * unit(rng);
    }
    std::ofstream trajectories_csv(dir + "/forward_1d_trajectories.csv");
    trajectories_csv << 't';
    for (int j = 0; j < n; ++j) trajectories_csv << ",x" << j;
    trajectories_csv << '\n';
    for (int t = 0; t <= schedule.steps(); ++t) {
      if (t > 0) x = diffuse::transition(schedule, t, x).sample(rng);
      trajectories_csv << t;
      for (Eigen::Index j = 0; j < n; ++j) trajectories_csv << ',' << x(j);
      trajectories_csv << '\n';
    }
    if (!density_csv || !trajectories_csv) throw std::runtime_error("cannot write the CSV files into '" + dir + "'");
    std::cout << "wrote " << dir << "/forward_1d_density.csv and " << dir << "/forward_1d_trajectories.csv\n";
  } catch (const std::exception& e) {
    std::cerr << "forward_1d: " << e.what() << '\n';
    return 2;
  }
  return 0;
}
