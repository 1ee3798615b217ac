// continuous_processes: a(t), b(t), log-SNR λ(t) and noise level σ(t) of every continuous-time
// family side by side, as CSV (docs/plot_continuous.py draws it).
//
//   continuous_processes --points 201
//   continuous_processes --points 11 --type float
#include <iostream>

#include "continuous_processes.hpp"

int main(int argc, char** argv) {
  return diffuse_examples::continuous_processes::run(argc, argv, std::cout, std::cerr);
}
