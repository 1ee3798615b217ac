// Fuzz target: examples/continuous_processes.hpp's run() on arbitrary arguments (the bytes split
// at NUL bytes). It must print its table and status 0, or status 2 and one documented message.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "../../examples/continuous_processes.hpp"

#include "fuzz_examples.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::string> args = diffuse_fuzz::split_arguments(data, size);
  if (diffuse_fuzz::asks_too_much(args, {"--points"}, 4096)) return 0;
  diffuse_fuzz::run_example("continuous_processes", diffuse_examples::continuous_processes::run, args, 2);
  return 0;
}
