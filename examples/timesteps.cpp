// Prints the steps a sampler visits, as diffusers, improved-diffusion or LDM choose them: CSV `index,t`.
#include <iostream>

#include "timesteps.hpp"

int main(int argc, char** argv) { return diffuse_examples::timesteps::run(argc, argv, std::cout, std::cerr); }
