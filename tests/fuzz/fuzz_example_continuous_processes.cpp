// Fuzz target: examples/continuous_processes.cpp's main() on arbitrary arguments (the bytes split
// at NUL bytes). It must print its table and status 0, or status 2 and one documented message.
#include <diffuse/continuous.hpp>

#include <exception>
#include <iomanip>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

#define main continuous_processes_main
#include "../../examples/continuous_processes.cpp"
#undef main

#include "fuzz_examples.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::string> args = diffuse_fuzz::split_arguments(data, size);
  if (diffuse_fuzz::asks_too_much(args, {"--points"}, 4096)) return 0;
  diffuse_fuzz::run_example("continuous_processes", continuous_processes_main, args, 2);
  return 0;
}
