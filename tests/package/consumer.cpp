// A program that uses diffuse the way another project would: through the umbrella header only.
#include <diffuse/diffuse.hpp>

#include <iostream>

int main() {
  const auto schedule = diffuse::Schedule<double>::linear(1000);
  const double abar = schedule.alpha_bar(schedule.steps());
  std::cout << "diffuse " << diffuse::version << ": alpha_bar(T) = " << abar << '\n';
  return abar > 0 && abar < 1e-4 ? 0 : 1;
}
