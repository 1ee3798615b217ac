// The references of the continuous-time tests (tests/reference/continuous_*.txt and the files of
// the headers that follow continuous.hpp, made by the gen_*_reference.py next to them): the
// processes they name, the weights of their contracts, and the floating-point types tested.
#pragma once

#include <diffuse/continuous.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "references.hpp"

namespace continuous_reference {

/// The long double formats the contract is tested in: x87 (64 significand bits) and IEEE binary128
/// (113, aarch64 Linux); float and double always.
template <class T>
constexpr bool contract_tested() {
  return std::numeric_limits<T>::digits == 24 || std::numeric_limits<T>::digits == 53 ||
         std::numeric_limits<T>::digits == 64 || std::numeric_limits<T>::digits == 113;
}

/// The name of T in reports.
template <class T>
const char* type_name() {
  return std::numeric_limits<T>::digits == 24   ? "float"
         : std::numeric_limits<T>::digits == 53 ? "double"
                                                : "long double";
}

/// The process a reference file names, with the parameters the generator used.
template <class Scalar>
diffuse::ContinuousProcess<Scalar> process(const std::string& name) {
  using P = diffuse::ContinuousProcess<Scalar>;
  if (name == "vp_linear") return P::vp_linear();
  if (name == "sub_vp") return P::sub_vp();
  if (name == "cosine") return P::cosine();
  if (name == "shifted_cosine") return P::shifted_cosine(512);
  if (name == "interpolated_cosine") return P::interpolated_cosine(512, 32, 256);
  if (name == "vdm_linear") return P::vdm_linear();
  if (name == "ve") return P::ve();
  throw std::runtime_error("unknown process " + name);
}

/// The parameters of process(name) that act as log-SNRs, Σ of their sizes (the contract's weight
/// counts them with the log-SNRs at the times): |γ_min| + |γ_max| (vdm_linear), 2|log σ_min| +
/// 2|log σ_max| (ve), 2|log d| for each resolution d (shifted and interpolated cosines; 512, 64 and
/// 512, 32, 256 here), none for vp_linear, sub_vp and the cosine.
inline double parameter_weight(const std::string& name) {
  if (name == "shifted_cosine") return 2 * (std::log(512.0) + std::log(64.0));
  if (name == "interpolated_cosine") return 2 * (std::log(512.0) + std::log(32.0) + std::log(256.0));
  if (name == "vdm_linear") return 13.3 + 5;
  if (name == "ve") return 2 * (std::fabs(std::log(0.01)) + std::log(50.0));
  return 0;
}

/// The families, in the order of the reference file.
inline std::vector<std::string> family_names() {
  return {"vp_linear", "sub_vp", "cosine", "shifted_cosine", "interpolated_cosine", "vdm_linear", "ve"};
}

// The records of continuous_processes.txt (gen_continuous_reference.py lists their formats): the
// inputs as written (floats written exactly, read with test_support::input), the values as 40-digit
// decimals (read with test_support::exact).

/// `marginal <family> <t> <a> <b> <a2> <b2> <log_a2> <lambda> <snr> <sigma>`
struct Marginal {
  std::string family, t, signal_scale, noise_scale, signal_variance, noise_variance, log_signal_variance, log_snr, snr,
      noise_level;
};
inline std::vector<Marginal> marginals(const std::string& file) {
  using M = Marginal;
  return test_support::load<M>(file, "marginal", &M::family, &M::t, &M::signal_scale, &M::noise_scale,
                               &M::signal_variance, &M::noise_variance, &M::log_signal_variance, &M::log_snr, &M::snr,
                               &M::noise_level);
}

/// `derivative <family> <t> <dlambda_dt> <drift f> <diffusion g^2>`
struct Derivative {
  std::string family, t, log_snr_derivative, drift, diffusion_squared;
};
inline std::vector<Derivative> derivatives(const std::string& file) {
  using D = Derivative;
  return test_support::load<D>(file, "derivative", &D::family, &D::t, &D::log_snr_derivative, &D::drift,
                               &D::diffusion_squared);
}

/// `transition <family> <s> <t> <mean a_t/a_s> <variance> <stddev>`
struct Transition {
  std::string family, s, t, mean, variance, stddev;
};
inline std::vector<Transition> transitions(const std::string& file) {
  using R = Transition;
  return test_support::load<R>(file, "transition", &R::family, &R::s, &R::t, &R::mean, &R::variance, &R::stddev);
}

/// `posterior <family> <s> <t> <c0> <ct> <variance> <stddev>`
struct Posterior {
  std::string family, s, t, x0, xt, variance, stddev;
};
inline std::vector<Posterior> posteriors(const std::string& file) {
  using R = Posterior;
  return test_support::load<R>(file, "posterior", &R::family, &R::s, &R::t, &R::x0, &R::xt, &R::variance, &R::stddev);
}

/// `time_of_log_snr <family> <lambda> <t> <dlambda_dt at t>` and `time_of_sigma <family> <sigma> …`
struct TimeOf {
  std::string family, argument, t, log_snr_derivative;
};
inline std::vector<TimeOf> times_of(const std::string& file, const std::string& kind) {
  using R = TimeOf;
  return test_support::load<R>(file, kind, &R::family, &R::argument, &R::t, &R::log_snr_derivative);
}

/// `discretized <family> <N> <t> <alpha_bar_t> <one_minus_alpha_bar_t>`
struct Discretized {
  std::string family, steps, t, alpha_bar, one_minus_alpha_bar;
};
inline std::vector<Discretized> discretizations(const std::string& file) {
  using R = Discretized;
  return test_support::load<R>(file, "discretized", &R::family, &R::steps, &R::t, &R::alpha_bar,
                               &R::one_minus_alpha_bar);
}

/// `prior_kl <family> <a(1)²/sp²> <(r − 1 − ln r)/2, r = b(1)²/sp²>`: the signal term and the constant
/// of the KL to the prior N(0, sp² I).
struct PriorKl {
  std::string family, signal, constant;
};
inline std::vector<PriorKl> prior_kls(const std::string& file) {
  using R = PriorKl;
  return test_support::load<R>(file, "prior_kl", &R::family, &R::signal, &R::constant);
}

// The records of continuous_sigmas.txt (gen_continuous_reference.py lists their formats).

/// The reference file of the σ ramps and coordinates.
inline const char* const sigmas_file = "continuous_sigmas.txt";

/// `ramp <kind> <N> <p1> <p2> <p3> : <sigma_0> … <sigma_N>` (the last is 0)
struct Ramp {
  std::string kind, steps, first, second, third, separator;
  std::vector<std::string> sigmas;
};
inline std::vector<Ramp> ramps() {
  using R = Ramp;
  return test_support::load_into<R>(sigmas_file, "ramp", &R::sigmas, &R::kind, &R::steps, &R::first, &R::second,
                                    &R::third, &R::separator);
}

/// `fractional_step <sigma> <u> <nearest step>` (Schedule::linear(1000), our step numbering)
struct FractionalStep {
  std::string sigma, u, nearest_step;
};
inline std::vector<FractionalStep> fractional_steps() {
  using R = FractionalStep;
  return test_support::load<R>(sigmas_file, "fractional_step", &R::sigma, &R::u, &R::nearest_step);
}

/// `noise_level <u> <sigma>` (Schedule::linear(1000)), `log_snr_of_sigma <sigma> <lambda = −2 log sigma>`,
/// `sigma_of_log_snr <lambda> <sigma = exp(−lambda/2)>`: a function's argument and value.
struct Mapping {
  std::string argument, value;
};
inline std::vector<Mapping> mappings(const std::string& kind) {
  return test_support::load<Mapping>(sigmas_file, kind, &Mapping::argument, &Mapping::value);
}

}  // namespace continuous_reference
