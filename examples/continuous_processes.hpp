// continuous_processes: a(t), b(t), log-SNR λ(t) and noise level σ(t) of every continuous-time
// family side by side, as CSV (docs/plot_continuous.py draws it).
//
//   continuous_processes --points 201
//   continuous_processes --points 11 --type float
//
// The program is this header's run(), which examples/continuous_processes.cpp calls from main and the fuzz target
// tests/fuzz/fuzz_example_continuous_processes.cpp calls as a function.
#pragma once

#include <diffuse/continuous.hpp>
#include <diffuse/flow.hpp>

#include <exception>
#include <iomanip>
#include <limits>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli.hpp"

namespace diffuse_examples::continuous_processes {

inline const char* const usage =
    "usage: continuous_processes [--points N] [--type float|double]\n"
    "\n"
    "Prints one row per time t = i/(N - 1), i = 0..N - 1 (default N = 201), with the columns\n"
    "<family>.a, <family>.b, <family>.log_snr, <family>.sigma of the marginal q(x_t|x_0) = N(a x_0, b^2 I)\n"
    "(log_snr = log(a^2/b^2), sigma = b/a) for the families vp_linear (beta 0.1..20), sub_vp (same beta),\n"
    "cosine, shifted_cosine (image 512, noise 64, clipped to [-15, 15]), interpolated_cosine (image 512,\n"
    "noise 32..256), vdm_linear (gamma -13.3..5), ve (sigma 0.01..50) and rectified_flow (a = 1 - t,\n"
    "b = t). Values are printed with the digits that read back as the same value; inf and -inf at the\n"
    "ends where they are exact.\n";

template <class Scalar>
void print(int points, std::ostream& out) {
  using P = diffuse::ContinuousProcess<Scalar>;
  const std::vector<P> processes = {
      P::vp_linear(),  P::sub_vp(), P::cosine(), P::shifted_cosine(512), P::interpolated_cosine(512, 32, 256),
      P::vdm_linear(), P::ve()};
  out << 't';
  for (const P& p : processes) {
    for (const char* column : {"a", "b", "log_snr", "sigma"}) out << ',' << p.name() << '.' << column;
  }
  const diffuse::RectifiedFlow<Scalar> flow;  // flow matching: a = 1 − t, b = t (another process type, same members)
  for (const char* column : {"a", "b", "log_snr", "sigma"}) out << ',' << flow.name() << '.' << column;
  out << '\n' << std::setprecision(std::numeric_limits<Scalar>::max_digits10);
  for (int i = 0; i < points; ++i) {
    const diffuse::ContinuousTime<Scalar> t(static_cast<Scalar>(i) /
                                            static_cast<Scalar>(points - 1));  // rounded once; 0 and 1 exact
    out << t.value();
    for (const P& p : processes) {
      out << ',' << p.signal_scale(t) << ',' << p.noise_scale(t) << ',' << p.log_snr(t).value() << ','
          << p.noise_level(t).value();
    }
    out << ',' << flow.signal_scale(t) << ',' << flow.noise_scale(t) << ',' << flow.log_snr(t).value() << ','
        << flow.noise_level(t).value();
    out << '\n';
  }
}

/// The program: parses argv (argv[0] is the program name), prints to `out`, and on bad input prints
/// "continuous_processes: <message>" to `err` and returns 2.
inline int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  try {
    const diffuse_examples::Arguments args(argc, argv, {"--points", "--type"}, {"--help"});
    if (args.has("--help")) {
      out << usage;
      return 0;
    }
    const int points = args.integer("--points", 201);
    if (points < 2) throw std::invalid_argument("--points must be at least 2 (got " + std::to_string(points) + ")");
    const std::string type = args.text("--type", "double");
    if (type == "double") {
      print<double>(points, out);
    } else if (type == "float") {
      print<float>(points, out);
    } else {
      throw std::invalid_argument("--type must be float or double (got '" + type + "')");
    }
  } catch (const std::exception& e) {
    err << "continuous_processes: " << e.what() << '\n';
    return 2;
  }
  return 0;
}

}  // namespace diffuse_examples::continuous_processes
