// kernel_moments: the derivation of the forward kernel's moments (../shared/SEEDS.md) checked by
// simulation. Prints theory against sample moments, with z = (sample − theory)/standard error.
//
//   kernel_moments [--samples N] [--seed S]
#include <diffuse/diffuse.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <iostream>
#include <random>

#include "cli.hpp"

namespace {

using Matrix = Eigen::MatrixXd;  // one sample (or one chain) per column

/// Sample mean and variance of row `row` of the samples.
struct Moments {
  double mean, variance;
};
Moments row_moments(const Matrix& samples, Eigen::Index row) {
  const double n = static_cast<double>(samples.cols());
  const double mean = samples.row(row).mean();
  const double variance = (samples.row(row).array() - mean).square().sum() / (n - 1);
  return {mean, variance};
}

double worst_z = 0;  // the largest |z| printed: above 5 the simulation contradicts the theory

/// One table row: theory, sample and z for the mean and the variance of one coordinate.
void print_row(const char* what, double mean, double variance, const Moments& m, double n) {
  const double z_mean = (m.mean - mean) / std::sqrt(variance / n);
  const double z_variance = variance > 0 ? (m.variance - variance) / (variance * std::sqrt(2 / (n - 1))) : 0.0;
  worst_z = std::fmax(worst_z, std::fmax(std::fabs(z_mean), std::fabs(z_variance)));
  std::printf("%-38s %12.6f %12.6f %7.2f   %12.6g %12.6g %7.2f\n", what, mean, m.mean, z_mean, variance, m.variance,
              z_variance);
}

void header(const char* title) {
  std::printf("\n%s\n%-38s %12s %12s %7s   %12s %12s %7s\n", title, "", "mean", "sample", "z", "variance", "sample",
              "z");
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const diffuse_examples::Arguments args(argc, argv, {"--samples", "--seed"}, {"--help"});
    if (args.has("--help")) {
      std::cout << "usage: kernel_moments [--samples N] [--seed S]\n"
                   "Checks by simulation that q(x_t|x_{t-1}) = N(sqrt(1-beta_t) x_{t-1}, beta_t I) and that t\n"
                   "single steps give the closed-form marginal q(x_t|x_0) = N(sqrt(abar_t) x_0, (1-abar_t) I).\n"
                   "|z| < 5 everywhere is what the derivation predicts.\n";
      return 0;
    }
    const int n = args.integer("--samples", 20000);
    if (n < 2) throw std::invalid_argument("--samples must be at least 2");
    std::mt19937_64 rng(static_cast<std::uint64_t>(args.integer("--seed", 2020)));
    const auto schedule = diffuse::Schedule<double>::linear(1000);
    const Eigen::Vector3d x{1.0, -0.5, 2.0};
    const Matrix x_columns = x.replicate(1, n);
    const double dn = n;
    std::printf("linear schedule, T = 1000; x = (1, -0.5, 2); %d samples; coordinate 0 shown\n", n);

    header("One step q(x_t | x_{t-1}): mean sqrt(1 - beta_t) x, variance beta_t");
    for (int t : {1, 500, 1000}) {
      const auto step = diffuse::transition(schedule, t, x_columns);
      char what[64];
      std::snprintf(what, sizeof what, "t = %d (beta = %.5f)", t, schedule.beta(t));
      print_row(what, std::sqrt(schedule.alpha(t)) * x(0), schedule.beta(t), row_moments(step.sample(rng), 0), dn);
    }

    header("t single steps from x_0 against q(x_t | x_0) = N(sqrt(abar_t) x_0, (1 - abar_t) I)");
    Matrix chain = x_columns;
    for (int t = 1; t <= schedule.steps(); ++t) {
      chain = diffuse::transition(schedule, t, chain).sample(rng);
      if (t == 10 || t == 100 || t == 1000) {
        char what[64];
        std::snprintf(what, sizeof what, "t = %d (chain of %d steps)", t, t);
        print_row(what, schedule.sqrt_alpha_bar(t) * x(0), schedule.one_minus_alpha_bar(t), row_moments(chain, 0), dn);
      }
    }

    header("The limits of a single step");
    const Matrix same = diffuse::transition(0.0, x_columns).sample(rng);
    std::printf("beta = 0: every sample equals x_{t-1} exactly: %s\n", same == x_columns ? "yes" : "NO");
    print_row("beta = 0.999999: mean -> 0, variance -> 1", std::sqrt(1 - 0.999999) * x(0), 0.999999,
              row_moments(diffuse::transition(0.999999, x_columns).sample(rng), 0), dn);

    header("Variance preservation and conditional versus marginal variance (data variance v)");
    for (double v : {1.0, 4.0}) {
      Matrix x0(1, n);  // data of variance v
      diffuse::StandardNormal<double>().fill(rng, x0);
      x0 *= std::sqrt(v);
      for (int t : {100, 1000}) {
        const double abar = schedule.alpha_bar(t);
        char what[64];
        std::snprintf(what, sizeof what, "v = %g, t = %d: abar v + 1 - abar", v, t);
        print_row(what, 0.0, abar * v + schedule.one_minus_alpha_bar(t),
                  row_moments(diffuse::marginal(schedule, t, x0).sample(rng), 0), dn);
      }
    }
    const auto conditional = diffuse::marginal(schedule, 100, x_columns);
    print_row("given x_0 (t = 100): variance 1 - abar", schedule.sqrt_alpha_bar(100) * x(0),
              schedule.one_minus_alpha_bar(100), row_moments(conditional.sample(rng), 0), dn);
    std::printf("\nlargest |z| = %.2f (the theory holds if it is below 5)\n", worst_z);
    if (worst_z >= 5) return 1;
  } catch (const std::exception& e) {
    std::cerr << "kernel_moments: " << e.what() << '\n';
    return 2;
  }
  return 0;
}
