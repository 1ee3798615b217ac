// Prints the noise levels σ a sampler steps through and the model timestep fed at each, for a model
// family of the preset table (model_presets.hpp), a schedule name, N and a ComfyUI denoise value, as
// CSV `i,sigma,timestep`: hold it against ComfyUI or stable-diffusion.cpp.
#include <iostream>

#include "sampler_sigmas.hpp"

int main(int argc, char** argv) { return diffuse_examples::sampler_sigmas::run(argc, argv, std::cout, std::cerr); }
