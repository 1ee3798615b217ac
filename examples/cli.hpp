// A small strict command-line parser shared by the example programs.
#pragma once

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace diffuse_examples {

/// Arguments of the form `--name value` and `--flag`; anything unknown, repeated or malformed throws
/// std::invalid_argument with a message that names the argument.
class Arguments {
 public:
  Arguments(int argc, const char* const* argv, const std::set<std::string>& options,
            const std::set<std::string>& flags) {
    for (int i = 1; i < argc; ++i) {
      const std::string name = argv[i];
      if (flags.count(name)) {
        store(name, "");
      } else if (options.count(name)) {
        if (i + 1 >= argc) throw std::invalid_argument(name + " needs a value");
        store(name, argv[++i]);
      } else {
        throw std::invalid_argument("unknown argument '" + name + "' (see --help)");
      }
    }
  }

  bool has(const std::string& name) const { return values_.count(name) != 0; }

  std::string text(const std::string& name, const std::string& fallback) const {
    const auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
  }

  /// The value of `name` as an int (the whole text must be a decimal integer), or `fallback`.
  int integer(const std::string& name, int fallback) const {
    if (!has(name)) return fallback;
    const std::string& s = values_.at(name);
    char* end = nullptr;
    errno = 0;
    const long v = std::strtol(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0' || errno == ERANGE || v < std::numeric_limits<int>::min() ||
        v > std::numeric_limits<int>::max()) {
      throw std::invalid_argument(name + " needs an integer (got '" + s + "')");
    }
    return static_cast<int>(v);
  }

  /// The value of `name` as a finite double (the whole text must be a number), or `fallback`.
  double number(const std::string& name, double fallback) const {
    if (!has(name)) return fallback;
    const std::string& s = values_.at(name);
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || *end != '\0' || !std::isfinite(v)) {
      throw std::invalid_argument(name + " needs a finite number (got '" + s + "')");
    }
    return v;
  }

 private:
  void store(const std::string& name, const std::string& value) {
    if (!values_.emplace(name, value).second) throw std::invalid_argument(name + " is given twice");
  }
  std::map<std::string, std::string> values_;
};

}  // namespace diffuse_examples
