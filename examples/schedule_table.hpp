// schedule_table: print a noise schedule as CSV, one row per step, every value round-trippable.
//
//   schedule_table --schedule linear --steps 1000
//   schedule_table --schedule cosine --steps 1000 --zero-terminal-snr --respace ddim50 --type float
//
// The program is this header's run(), which examples/schedule_table.cpp calls from main and the fuzz target
// tests/fuzz/fuzz_example_schedule_table.cpp calls as a function.
#pragma once

#include <diffuse/diffuse.hpp>

#include <cmath>
#include <cstdio>
#include <exception>
#include <limits>
#include <ostream>
#include <stdexcept>
#include <string>

#include "cli.hpp"

namespace diffuse_examples::schedule_table {

inline const char* const usage =
    "usage: schedule_table --schedule linear|scaled_linear|cosine|sigmoid|constant --steps T\n"
    "                      [--beta-start X] [--beta-end Y] [--beta B] [--s S] [--max-beta M]\n"
    "                      [--zero-terminal-snr] [--respace ddimN|C1,C2,...] [--type float|double]\n"
    "\n"
    "Prints t,beta,alpha_bar,one_minus_alpha_bar,sqrt_alpha_bar,sqrt_one_minus_alpha_bar,snr,log_snr,\n"
    "posterior_variance for t = 1..T (t = 0 is the data, alpha_bar_0 = 1; a Python array's index i is\n"
    "t = i + 1). With --respace the kept steps (improved-diffusion's space_timesteps) become steps\n"
    "k = 1..K and a leading column source_t gives the original step of each. Defaults: linear 1e-4..0.02,\n"
    "scaled_linear 0.00085..0.012, sigmoid 1e-4..0.02, cosine s = 0.008, max_beta = 0.999.\n";

/// x with the digits that read back as the same value of its type; "inf", "-inf" when infinite.
template <class Scalar>
std::string round_trip(Scalar x) {
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", std::numeric_limits<Scalar>::max_digits10, static_cast<double>(x));
  return buf;
}

template <class Scalar>
diffuse::Schedule<Scalar> build(const diffuse_examples::Arguments& args) {
  using S = diffuse::Schedule<Scalar>;
  const std::string name = args.text("--schedule", "");
  const int steps = args.integer("--steps", 0);
  auto unused = [&](const char* option) {
    if (args.has(option)) throw std::invalid_argument(std::string(option) + " does not apply to --schedule " + name);
  };
  if (name == "linear" || name == "scaled_linear" || name == "sigmoid") {
    unused("--beta");
    unused("--s");
    unused("--max-beta");
    const bool scaled = name == "scaled_linear";
    const double start = args.number("--beta-start", scaled ? 0.00085 : 1e-4);
    const double end = args.number("--beta-end", scaled ? 0.012 : 0.02);
    if (name == "linear") return S::linear(steps, start, end);
    if (scaled) return S::scaled_linear(steps, start, end);
    return S::sigmoid(steps, start, end);
  }
  unused("--beta-start");
  unused("--beta-end");
  if (name == "cosine") {
    unused("--beta");
    return S::cosine(steps, args.number("--s", 0.008), args.number("--max-beta", 0.999));
  }
  unused("--s");
  unused("--max-beta");
  if (name == "constant") {
    if (!args.has("--beta")) throw std::invalid_argument("--schedule constant needs --beta");
    return S::constant(steps, args.number("--beta", 0));
  }
  throw std::invalid_argument("--schedule must be linear, scaled_linear, cosine, sigmoid or constant (got '" + name +
                              "')");
}

template <class Scalar>
void print(const diffuse_examples::Arguments& args, std::ostream& out) {
  diffuse::Schedule<Scalar> schedule = build<Scalar>(args);
  if (args.has("--zero-terminal-snr")) schedule = schedule.zero_terminal_snr();
  const bool respace = args.has("--respace");
  if (respace) schedule = schedule.respaced(diffuse::space_timesteps(schedule.steps(), args.text("--respace", "")).t());
  if (respace) out << "source_t,";
  out << "t,beta,alpha_bar,one_minus_alpha_bar,sqrt_alpha_bar,sqrt_one_minus_alpha_bar,snr,log_snr,"
         "posterior_variance\n";
  for (int t = 1; t <= schedule.steps(); ++t) {
    if (respace) out << schedule.source_step(t) << ',';
    out << t << ',' << round_trip(schedule.beta(t)) << ',' << round_trip(schedule.alpha_bar(t)) << ','
        << round_trip(schedule.one_minus_alpha_bar(t)) << ',' << round_trip(schedule.sqrt_alpha_bar(t)) << ','
        << round_trip(schedule.sqrt_one_minus_alpha_bar(t)) << ',' << round_trip(schedule.snr(t)) << ','
        << round_trip(schedule.log_snr(t)) << ',' << round_trip(schedule.posterior_variance(t)) << '\n';
  }
}

/// The program: parses argv (argv[0] is the program name), prints to `out`, and on bad input prints
/// "schedule_table: <message>" to `err` and returns 2.
inline int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  try {
    const diffuse_examples::Arguments args(
        argc, argv,
        {"--schedule", "--steps", "--beta-start", "--beta-end", "--beta", "--s", "--max-beta", "--respace", "--type"},
        {"--zero-terminal-snr", "--help"});
    if (args.has("--help")) {
      out << usage;
      return 0;
    }
    if (!args.has("--schedule") || !args.has("--steps"))
      throw std::invalid_argument("--schedule and --steps are required");
    const std::string type = args.text("--type", "double");
    if (type == "double") {
      print<double>(args, out);
    } else if (type == "float") {
      print<float>(args, out);
    } else {
      throw std::invalid_argument("--type must be float or double (got '" + type + "')");
    }
  } catch (const std::exception& e) {
    err << "schedule_table: " << e.what() << '\n';
    return 2;
  }
  return 0;
}

}  // namespace diffuse_examples::schedule_table
