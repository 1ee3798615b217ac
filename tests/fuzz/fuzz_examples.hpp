// Runs an example program (its run function, examples/<name>.hpp) on fuzzed arguments (the bytes
// split at NUL bytes) with its output and error streams captured, and checks what it printed:
// either status 0 with output, or the program's documented failure status and "<program>: <message>"
// on standard error, whose message is the library's ("diffuse::…") or the example's own argument
// error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_support.hpp"

namespace diffuse_fuzz {

/// The fuzz bytes as arguments: split at every NUL byte (at most 32 arguments).
inline std::vector<std::string> split_arguments(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> args(1);
  for (std::size_t i = 0; i < size && args.size() <= 32; ++i) {
    if (data[i] == 0) {
      args.emplace_back();
    } else {
      args.back() += static_cast<char>(data[i]);
    }
  }
  if (size == 0) args.clear();
  return args;
}

/// True if an option in `counts` has a value above `limit` (such runs are skipped: a schedule of
/// 10^9 steps takes its time and memory by design, not by a bug).
inline bool asks_too_much(const std::vector<std::string>& args, std::initializer_list<const char*> counts, long limit) {
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    for (const char* name : counts) {
      if (args[i] == name && std::strtol(args[i + 1].c_str(), nullptr, 10) > limit) return true;
    }
  }
  return false;
}

/// The first lines an example may print on error, after "<program>: ": the library's message or
/// one of the example's argument errors (all of which start with an option name, "unknown
/// argument" or "choose one of").
inline bool known_error(const std::string& message) {
  for (const char* prefix : {"diffuse::", "--", "unknown argument '", "choose one of "}) {
    if (message.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

/// Runs an example's `run` function on the arguments and checks its status and what it printed.
/// `failure` is the status the program documents for bad arguments; `notes` is the prefix of the
/// notes a run may print to standard error before its output or its error. Returns the standard
/// output, for a target's own checks of it.
inline std::string run_example(const char* program, int (*run)(int, const char* const*, std::ostream&, std::ostream&),
                               std::vector<std::string> args, int failure, const char* notes = nullptr) {
  args.insert(args.begin(), program);
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);

  std::ostringstream out, err;
  const int status = run(static_cast<int>(args.size()), argv.data(), out, err);

  // Notes (which may quote text with line breaks) come first; each runs up to the next line that
  // starts with "<program>: ".
  const std::string prefix = std::string(program) + ": ";
  std::string text = err.str();
  while (notes != nullptr && text.rfind(notes, 0) == 0) {
    const std::size_t next = text.find("\n" + prefix);
    text = next == std::string::npos ? std::string() : text.substr(next + 1);
  }
  if (status == 0) {
    require(!out.str().empty(), std::string(program) + " succeeded without output");
    require(text.empty(), std::string(program) + " succeeded with an error message: " + text);
    return out.str();
  }
  require(status == failure, std::string(program) + " returned an undocumented status " + std::to_string(status));
  require(text.rfind(prefix, 0) == 0 && text.back() == '\n' && known_error(text.substr(prefix.size())),
          std::string(program) + " failed with an unexpected message: " + text);
  if (text.rfind(prefix + "diffuse::", 0) == 0) {
    require(text.find("(got ") != std::string::npos, "a library message without \"(got \": " + text);
  }
  return out.str();
}

}  // namespace diffuse_fuzz
