// Golden digests: a hash of the bits of every value of every schedule factory and preset, the
// continuous families on a grid and the σ ramps, committed below. The reference tests prove these
// values right (correctly rounded); this test proves them the same on every machine and build: it
// runs in every CI build (-ffast-math ones included) and on aarch64 under qemu, against the same
// constants. A change of any bit anywhere fails it. After a deliberate change of results, print the
// new digests with `test_digest "[.print]"`, check them with the reference tests, and update.
#include <diffuse/diffuse.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <type_traits>
#include <vector>

#include "catch.hpp"

namespace {

/// FNV-1a over the IEEE bits of each value (as an integer, so the byte order does not matter).
class Digest {
 public:
  template <class T>
  void add(T x) {
    static_assert(std::is_same<T, float>::value || std::is_same<T, double>::value, "float or double");
    using Bits = typename std::conditional<sizeof(T) == 4, std::uint32_t, std::uint64_t>::type;
    Bits bits;
    std::memcpy(&bits, &x, sizeof bits);
    for (std::size_t i = 0; i < sizeof bits; ++i) mix(static_cast<unsigned char>(bits >> (8 * i)));
  }
  template <class Vector>
  void add_all(const Vector& v) {
    for (Eigen::Index i = 0; i < v.size(); ++i) add(v(i));
  }
  void add(int x) {
    for (int i = 0; i < 4; ++i) mix(static_cast<unsigned char>(static_cast<std::uint32_t>(x) >> (8 * i)));
  }
  std::uint64_t value() const { return hash_; }

 private:
  void mix(unsigned char byte) {
    hash_ ^= byte;
    hash_ *= 0x100000001b3u;
  }
  std::uint64_t hash_ = 0xcbf29ce484222325u;
};

/// Every per-step table, some pairs (s, t) and the posterior coefficients of a schedule.
template <class T>
void add_schedule(Digest& d, const diffuse::Schedule<T>& s) {
  d.add(s.steps());
  d.add_all(s.betas());
  d.add_all(s.alphas());
  d.add_all(s.alpha_bars());
  d.add_all(s.one_minus_alpha_bars());
  d.add_all(s.sqrt_alpha_bars());
  d.add_all(s.sqrt_one_minus_alpha_bars());
  d.add_all(s.log_alpha_bars());
  d.add_all(s.snrs());
  d.add_all(s.log_snrs());
  d.add_all(s.sigmas());
  d.add_all(s.posterior_variances());
  const int last = s.steps();
  for (const int t : {1, 2, last / 3, last / 2, last - 1, last}) {
    for (const int from : {0, t / 2, t - 1}) {
      if (t < 1 || from < 0 || from >= t) continue;
      d.add(s.alpha_bar_ratio(from, t));
      d.add(s.sqrt_alpha_bar_ratio(from, t));
      d.add(s.one_minus_alpha_bar_ratio(from, t));
      const auto p = s.posterior_coefficients(from, t);
      d.add(p.x0);
      d.add(p.xt);
      d.add(p.variance);
    }
  }
}

/// Inputs for the array factories, exact whatever the floating-point flags (integers times 2⁻²⁰).
std::vector<double> some_betas(int n) {
  std::vector<double> b;
  for (int i = 1; i <= n; ++i) b.push_back(std::ldexp(105.0 + 20 * i, -20));
  return b;
}
std::vector<double> some_alpha_bars(int n) {
  std::vector<double> a;
  for (int i = 1; i <= n; ++i) a.push_back(std::ldexp(1048576.0 - 700 * i, -20));
  return a;
}
double quadratic_alpha_bar(double u) { return (1 - u) * (1 - u); }  // no a·b + c to contract

template <class T>
std::vector<std::pair<std::string, diffuse::Schedule<T>>> schedules() {
  using S = diffuse::Schedule<T>;
  namespace presets = diffuse::presets;
  std::vector<std::pair<std::string, S>> out;
  for (const int steps : {1000, 100000}) {
    const std::string n = std::to_string(steps);
    out.emplace_back("linear " + n, S::linear(steps));
    out.emplace_back("scaled_linear " + n, S::scaled_linear(steps));
    out.emplace_back("cosine " + n, S::cosine(steps));
    out.emplace_back("sigmoid " + n, S::sigmoid(steps));
    out.emplace_back("linear " + n + " zero terminal SNR", S::linear(steps).zero_terminal_snr());
  }
  out.emplace_back("constant 100", S::constant(100, 0.01511));
  out.emplace_back("cosine 50 capped at 0.5", S::cosine(50, 0.008, 0.5));
  out.emplace_back("from_betas 1000", S::from_betas(some_betas(1000)));
  out.emplace_back("from_alpha_bars 1000", S::from_alpha_bars(some_alpha_bars(1000)));
  out.emplace_back("from_alpha_bar_function 1000", S::from_alpha_bar_function(1000, quadratic_alpha_bar));
  out.emplace_back("scaled_linear 1000 zero terminal SNR", S::scaled_linear(1000).zero_terminal_snr());
  out.emplace_back("cosine 1000 zero terminal SNR", S::cosine(1000).zero_terminal_snr());
  std::vector<int> kept;
  for (int t = 1; t <= 1000; t += 20) kept.push_back(t);
  kept.push_back(1000);
  out.emplace_back("linear 1000 respaced", S::linear(1000).respaced(kept));
  out.emplace_back("linear 1000 zero terminal SNR respaced", S::linear(1000).zero_terminal_snr().respaced(kept));
  out.emplace_back("ddim50 of scaled_linear 1000",
                   S::scaled_linear(1000).respaced(diffuse::space_timesteps(1000, "ddim50").t()));
  presets::DiffusersBetas sd;
  sd.beta_schedule = "scaled_linear";
  sd.beta_start = 0.00085;
  sd.beta_end = 0.012;
  sd.rescale_betas_zero_snr = true;
  out.emplace_back("diffusers scaled_linear zero SNR", presets::diffusers<T>(sd));
  out.emplace_back("improved_diffusion linear 4000", presets::improved_diffusion<T>("linear", 4000));
  out.emplace_back("improved_diffusion cosine 4000", presets::improved_diffusion<T>("cosine", 4000));
  out.emplace_back("ldm sqrt 1000", presets::ldm<T>("sqrt", 1000));
  out.emplace_back("chen_sigmoid 1000", presets::chen_sigmoid<T>(1000));
  return out;
}

template <class T>
std::vector<std::pair<std::string, std::uint64_t>> schedule_digests() {
  std::vector<std::pair<std::string, std::uint64_t>> out;
  for (const auto& named : schedules<T>()) {
    Digest d;
    add_schedule(d, named.second);
    out.emplace_back(named.first, d.value());
  }
  return out;
}

template <class T>
std::vector<std::pair<std::string, diffuse::ContinuousProcess<T>>> processes() {
  using P = diffuse::ContinuousProcess<T>;
  return {{"vp_linear", P::vp_linear()},
          {"sub_vp", P::sub_vp()},
          {"cosine", P::cosine()},
          {"shifted_cosine 64", P::shifted_cosine(64)},
          {"interpolated_cosine 64 32 256", P::interpolated_cosine(64, 32, 256)},
          {"vdm_linear", P::vdm_linear()},
          {"ve", P::ve()}};
}

/// Every quantity of a continuous process at t = k/64 and near the ends, the transition and
/// posterior between neighbouring grid points, and the inverses at the grid's λ and σ.
template <class T>
std::uint64_t process_digest(const diffuse::ContinuousProcess<T>& p) {
  using Time = diffuse::ContinuousTime<T>;
  std::vector<T> grid;
  for (int k = 0; k <= 64; ++k) grid.push_back(static_cast<T>(k) / 64);
  for (const T tiny : {T(1e-6), T(1e-3), T(1) - T(1e-3)}) grid.push_back(tiny);
  Digest d;
  for (const T t : grid) {
    const Time time(t);
    d.add(p.signal_scale(time));
    d.add(p.noise_scale(time));
    d.add(p.signal_variance(time));
    d.add(p.noise_variance(time));
    d.add(p.log_signal_variance(time));
    d.add(p.log_snr(time).value());
    d.add(p.snr(time));
    d.add(p.noise_level(time).value());
    d.add(p.log_snr_derivative(time));
    d.add(p.drift(time));
    d.add(p.diffusion_squared(time));
  }
  for (int k = 1; k <= 64; ++k) {
    const Time s(static_cast<T>(k - 1) / 64), t(static_cast<T>(k) / 64);
    const auto m = p.transition_coefficients(s, t);
    d.add(m.mean);
    d.add(m.variance);
    d.add(m.stddev);
    const auto q = p.posterior_coefficients(s, t);
    d.add(q.x0);
    d.add(q.xt);
    d.add(q.variance);
    d.add(q.stddev);
  }
  for (int k = 1; k < 64; ++k) {
    const Time t(static_cast<T>(k) / 64);
    d.add(p.time(p.log_snr(t)).value());
    d.add(p.time(p.noise_level(t)).value());
  }
  return d.value();
}

/// The σ ramps, the σ ↔ step maps of a schedule, and λ ↔ σ.
template <class T>
std::uint64_t sigma_digest() {
  Digest d;
  for (const int n : {1, 2, 10, 1000}) {
    d.add_all(diffuse::karras_sigmas<T>(n));
    d.add_all(diffuse::exponential_sigmas<T>(n));
    d.add_all(diffuse::polyexponential_sigmas<T>(n, 0.002, 80, 2));
    d.add_all(diffuse::vp_sigmas<T>(n));
  }
  const auto s = diffuse::Schedule<T>::scaled_linear(1000);
  const auto ramp = diffuse::karras_sigmas<T>(200, static_cast<double>(s.sigma(1)), static_cast<double>(s.sigma(1000)));
  for (Eigen::Index i = 0; i < ramp.size(); ++i) {
    const diffuse::NoiseLevel<T> sigma(ramp(i));
    d.add(diffuse::fractional_step(s, sigma).value());
    d.add(diffuse::nearest_step(s, sigma));
    d.add(diffuse::log_snr(sigma).value());
  }
  for (int k = 0; k <= 999; k += 7) {
    const diffuse::FractionalStep<T> u(static_cast<T>(k) + T(0.375));
    if (u.value() >= 1) d.add(diffuse::noise_level(s, u).value());
    d.add(diffuse::noise_level(diffuse::LogSnr<T>(std::ldexp(static_cast<T>(k - 500), -5))).value());
  }
  return d.value();
}

template <class T>
std::vector<std::pair<std::string, std::uint64_t>> all_digests() {
  auto out = schedule_digests<T>();
  for (const auto& named : processes<T>()) out.emplace_back("process " + named.first, process_digest(named.second));
  out.emplace_back("sigma ramps and maps", sigma_digest<T>());
  return out;
}

struct Expected {
  const char* name;
  std::uint64_t float_digest;
  std::uint64_t double_digest;
};

// Made by `test_digest "[.print]"` on x86-64; the same on aarch64 (CI runs it under qemu).
const Expected expected[] = {
#include "digests.inc"
};

}  // namespace

TEST_CASE("every schedule, process and ramp has its committed digest", "[digest]") {
  const auto floats = all_digests<float>();
  const auto doubles = all_digests<double>();
  REQUIRE(floats.size() == sizeof expected / sizeof expected[0]);
  REQUIRE(doubles.size() == floats.size());
  for (std::size_t i = 0; i < floats.size(); ++i) {
    INFO(floats[i].first);
    CHECK(floats[i].first == expected[i].name);
    CHECK(floats[i].second == expected[i].float_digest);
    CHECK(doubles[i].second == expected[i].double_digest);
  }
}

// Prints the lines of tests/digests.inc for the current build.
TEST_CASE("print the digests", "[.print]") {
  const auto floats = all_digests<float>();
  const auto doubles = all_digests<double>();
  for (std::size_t i = 0; i < floats.size(); ++i) {
    std::printf("    {\"%s\", 0x%016llxu, 0x%016llxu},\n", floats[i].first.c_str(),
                static_cast<unsigned long long>(floats[i].second), static_cast<unsigned long long>(doubles[i].second));
  }
  CHECK(!floats.empty());
}
