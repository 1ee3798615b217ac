// Fuzz target: examples/schedule_table.hpp's run() on arbitrary arguments (the bytes split at NUL
// bytes). It must print a table with T rows and status 0, or status 2 and one documented message.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "../../examples/schedule_table.hpp"

#include "fuzz_examples.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::string> args = diffuse_fuzz::split_arguments(data, size);
  if (diffuse_fuzz::asks_too_much(args, {"--steps"}, 4096)) return 0;
  diffuse_fuzz::run_example("schedule_table", diffuse_examples::schedule_table::run, args, 2);
  return 0;
}
