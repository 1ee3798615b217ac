// Fuzz target: examples/timesteps.hpp's run() on arbitrary arguments (the bytes split at NUL
// bytes). It must print its CSV and status 0, or status 1 and one documented message. The value
// after --config is taken as the file's text: it is written to a scratch file whose path replaces
// it (so that no input names /dev/zero or a FIFO).
#include <diffuse/io/scheduler_config.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "../../examples/timesteps.hpp"

#include "fuzz_examples.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> args = diffuse_fuzz::split_arguments(data, size);
  if (diffuse_fuzz::asks_too_much(args, {"--train-steps"}, 65000)) return 0;
  const std::string scratch = "/tmp/diffuse_fuzz_timesteps_" + std::to_string(getpid()) + ".json";
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] != "--config") continue;
    const nlohmann::json j =
        nlohmann::json::parse(diffuse::io::detail::quote_python_constants(args[i + 1]), nullptr, false);
    if (j.is_object() && j.contains("num_train_timesteps") && j["num_train_timesteps"].is_number_integer() &&
        j["num_train_timesteps"].get<long long>() > 4096) {
      return 0;  // as in fuzz_scheduler_config: a huge T is slow by design
    }
    std::ofstream(scratch, std::ios::binary) << args[i + 1];
    args[i + 1] = scratch;
  }
  diffuse_fuzz::run_example("timesteps", diffuse_examples::timesteps::run, args, 1, "timesteps: note: ");
  std::remove(scratch.c_str());
  return 0;
}
