#include <diffuse/diffuse.hpp>
#include <iostream>
#include <random>

int main() {
  const auto schedule = diffuse::Schedule<double>::linear(1000);  // DDPM: β from 1e-4 to 0.02
  const Eigen::Vector3d x0(1.0, -0.5, 2.0);
  const auto q = diffuse::marginal(schedule, 500, x0);  // q(x_500 | x_0) = N(√ᾱ x_0, (1 − ᾱ) I)
  std::cout << "mean " << q.mean().transpose() << ", variance " << q.variance() << '\n';
  std::mt19937_64 rng(42);
  std::cout << "a sample " << q.sample(rng).transpose() << '\n';
}
