// What every fuzz target shares: a reader of the fuzz bytes, the documented-exception rule, and
// the invariants of a Schedule and of a Timesteps sequence. A broken invariant aborts (libFuzzer
// then saves the input as a crash).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <diffuse/schedule.hpp>
#include <diffuse/spacing.hpp>

namespace diffuse_fuzz {

/// Stops the run with a message: libFuzzer reports the abort and keeps the input.
[[noreturn]] inline void broken(const std::string& what) {
  std::fprintf(stderr, "diffuse fuzz: invariant broken: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

inline void require(bool condition, const std::string& what) {
  if (!condition) broken(what);
}

/// require for the hot loops: the message is only built when the condition fails.
inline void require(bool condition, const char* what, long long step = -1) {
  if (!condition) broken(std::string(what) + (step >= 0 ? " at t = " + std::to_string(step) : std::string()));
}

/// The fuzz bytes read from the front; past the end every read gives zeros. The encodings are
/// those of tests/fuzz/make_seeds.py, which writes the seed corpora.
class Bytes {
 public:
  Bytes(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  bool empty() const { return size_ == 0; }
  std::size_t left() const { return size_; }

  std::uint8_t u8() {
    if (size_ == 0) return 0;
    --size_;
    return *data_++;
  }
  std::uint16_t u16() {
    const unsigned low = u8();
    return static_cast<std::uint16_t>(low | (static_cast<unsigned>(u8()) << 8));
  }
  std::uint32_t u32() {
    const std::uint32_t low = u16();
    return low | (static_cast<std::uint32_t>(u16()) << 16);
  }
  std::uint64_t u64() {
    const std::uint64_t low = u32();
    return low | (static_cast<std::uint64_t>(u32()) << 32);
  }
  bool flag() { return (u8() & 1) != 0; }

  /// An int in [lo, hi] (a u16 folded into the range), or INT_MIN when the u16 is 0xFFFF.
  int int_in(int lo, int hi) {
    const std::uint16_t raw = u16();
    if (raw == 0xFFFF) return std::numeric_limits<int>::min();
    if (hi < lo) return lo;
    const long long span = static_cast<long long>(hi) - lo + 1;
    return static_cast<int>(lo + static_cast<long long>(raw) % span);
  }

  /// A step count: a u16 r gives INT_MIN (r = 0xFFFF), r − 2 for r < 67, (r mod 2^15) mod (hi + 3) − 2
  /// when bit 15 is set, otherwise (r mod 67) − 2. Small counts come often, which keeps runs fast.
  int steps(int hi) {
    const std::uint16_t raw = u16();
    if (raw == 0xFFFF) return std::numeric_limits<int>::min();
    if (raw & 0x8000) return static_cast<int>((raw & 0x7FFF) % (hi + 3)) - 2;
    return static_cast<int>(raw % 67) - 2;
  }

  /// A double: tag 0 raw IEEE bits (8 bytes), 1 a special value, 2 a decimal m·10^−k
  /// (m a u16, k < 24), 3 the negative of a decimal.
  double number() {
    static const double specials[] = {0.0,
                                      -0.0,
                                      1.0,
                                      -1.0,
                                      0.5,
                                      1e-4,
                                      0.02,
                                      0.00085,
                                      0.012,
                                      0.008,
                                      0.999,
                                      1.0 - 1e-16,
                                      std::nextafter(1.0, 2.0),
                                      std::numeric_limits<double>::denorm_min(),
                                      std::numeric_limits<double>::min(),
                                      std::numeric_limits<double>::epsilon(),
                                      std::numeric_limits<double>::max(),
                                      std::numeric_limits<double>::infinity(),
                                      -std::numeric_limits<double>::infinity(),
                                      std::numeric_limits<double>::quiet_NaN(),
                                      1e-300,
                                      1e300,
                                      3.0,
                                      -3.0};
    switch (u8() % 4) {
      case 0: {
        const std::uint64_t bits = u64();
        double x;
        std::memcpy(&x, &bits, sizeof x);
        return x;
      }
      case 1: return specials[u8() % (sizeof specials / sizeof specials[0])];
      case 2: return static_cast<double>(u16()) * std::pow(10.0, -static_cast<double>(u8() % 24));
      default: return -static_cast<double>(u16()) * std::pow(10.0, -static_cast<double>(u8() % 24));
    }
  }

  /// A string of up to 255 bytes (a length byte, then the bytes).
  std::string text() {
    const std::size_t n = u8();
    std::string s;
    for (std::size_t k = 0; k < n && size_ > 0; ++k) s += static_cast<char>(u8());
    return s;
  }

  /// A list of up to 255 ints: mode 0 raw values in [lo, hi]; mode 1 a run from lo + u8 with
  /// increments 1 + (u8 mod 16) (mostly valid increasing lists); mode 2 the reverse of mode 1.
  std::vector<int> int_list(int lo, int hi) {
    const int mode = u8() % 3;
    const std::size_t n = u8();
    std::vector<int> v;
    if (mode == 0) {
      for (std::size_t k = 0; k < n && size_ > 0; ++k) v.push_back(int_in(lo, hi));
      return v;
    }
    long long x = static_cast<long long>(lo) + u8();
    for (std::size_t k = 0; k < n && x <= hi; ++k) {
      v.push_back(static_cast<int>(x));
      x += 1 + u8() % 16;
    }
    if (mode == 2) v.assign(v.rbegin(), v.rend());
    return v;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
};

/// A library exception must have the documented form "diffuse::<function>: <rule> (got <value>)"
/// (a string value has its control bytes escaped, so what() always reaches the value).
inline void check_message(const std::exception& e) {
  const std::string what = e.what();
  require(what.rfind("diffuse::", 0) == 0 && what.find(": ") != std::string::npos &&
              what.find("(got ") != std::string::npos,
          "an exception message without the form \"diffuse::<function>: <rule> (got <value>)\": " + what);
}

/// Runs f; true if it returned, false if it threw one of the documented exception types with a
/// well-formed message. Any other exception leaves the fuzz target, which aborts the run.
template <class Function>
bool documented(Function f) {
  try {
    f();
    return true;
  } catch (const std::invalid_argument& e) {
    check_message(e);
  } catch (const std::out_of_range& e) {
    check_message(e);
  } catch (const std::domain_error& e) {
    check_message(e);
  }
  return false;
}

/// Runs f and requires that it throws std::out_of_range or std::invalid_argument (a rejected query).
template <class Function>
void rejected(Function f, const std::string& what) {
  require(!documented(f), what + " was accepted");
}

/// The invariants of every schedule, whatever made it: T = `steps` (unless −1); ᾱ_0 = 1; ᾱ
/// non-increasing inside [0, 1] and, in the working type (detail::Wide, the schedule's own table),
/// strictly decreasing wherever β_t is not negligible against log ᾱ_{t−1}; β and α in [0, 1]
/// (β > 0 in the working type);
/// every value that the documentation promises finite is finite and none is NaN; the pairwise
/// quantities in [0, 1]; out-of-range steps rejected.
template <class Scalar>
void check_schedule(const diffuse::Schedule<Scalar>& s, int steps = -1) {
  const int T = s.steps();
  require(T >= 1, "T >= 1");
  if (steps >= 0) require(T == steps, "T is the requested number of steps");
  const Scalar eps = std::numeric_limits<Scalar>::epsilon();
  const Scalar inf = std::numeric_limits<Scalar>::infinity();
  using diffuse::detail::Wide;
  const diffuse::detail::WideSchedule& w = diffuse::detail::wide_schedule(s);  // the working values
  require(s.alpha_bar(0) == 1 && s.one_minus_alpha_bar(0) == 0 && s.log_alpha_bar(0) == 0, "t = 0 is the data");
  require(s.snr(0) == inf && s.log_snr(0) == inf && s.sigma(0) == 0, "SNR(0) = +inf, sigma(0) = 0");
  for (int t = 1; t <= T; ++t) {
    const Scalar beta = s.beta(t), alpha = s.alpha(t), abar = s.alpha_bar(t), prev = s.alpha_bar(t - 1);
    require(beta >= 0 && beta <= 1 && alpha >= 0 && alpha <= 1, "beta and alpha in [0, 1]", t);
    const Wide wide_beta = w.beta[static_cast<std::size_t>(t)], wide_log_abar = w.log_alpha_bar(t);
    require(wide_beta > Wide(), "beta > 0 in the working type", t);
    require(abar >= 0 && abar <= prev, "alpha_bar non-increasing in [0, 1]", t);
    const Wide step = w.log_alpha_bar_difference(t - 1, t);  // log α_t in the working type
    require(step <= Wide(), "log alpha_bar non-increasing in the working type", t);
    if (wide_beta > ldexp(Wide(1), -96) * (Wide(1) + abs(w.log_alpha_bar(t - 1)))) {
      require(step < Wide(), "alpha_bar strictly decreasing in the working type", t);
    }
    const Scalar one_minus = s.one_minus_alpha_bar(t);
    require(one_minus >= s.one_minus_alpha_bar(t - 1) && one_minus <= 1 && wide_log_abar < Wide(),
            "1 - alpha_bar non-decreasing in [0, 1], positive in the working type", t);
    require(s.sqrt_alpha_bar(t) >= 0 && s.sqrt_alpha_bar(t) <= 1 && s.sqrt_one_minus_alpha_bar(t) >= 0 &&
                s.sqrt_one_minus_alpha_bar(t) <= 1,
            "square roots in [0, 1]", t);
    const Scalar log_abar = s.log_alpha_bar(t);
    require(!std::isnan(log_abar) && log_abar <= 0, "log alpha_bar <= 0", t);
    if (!std::isfinite(log_abar)) {
      require(t == T && wide_log_abar.is_infinite() && s.log_snr(t) == -inf && s.snr(t) == 0 && s.beta(t) == 1,
              "log alpha_bar = -inf only at the last step, with alpha_bar = 0, log-SNR = -inf, beta = 1", t);
    }
    require(!std::isnan(s.snr(t)) && s.snr(t) >= 0 && s.snr(t) <= s.snr(t - 1), "SNR non-increasing, >= 0", t);
    require(!std::isnan(s.log_snr(t)) && s.log_snr(t) <= s.log_snr(t - 1), "log-SNR non-increasing", t);
    require(!std::isnan(s.sigma(t)) && s.sigma(t) >= s.sigma(t - 1), "sigma non-decreasing", t);
    if (wide_log_abar.is_finite()) require(std::isfinite(s.log_snr(t)), "log-SNR finite where alpha_bar > 0", t);
    const Scalar pv = s.posterior_variance(t);
    require(std::isfinite(pv) && pv >= 0 && pv <= beta * (1 + 4 * eps) + std::numeric_limits<Scalar>::denorm_min(),
            "posterior variance in [0, beta]", t);
    for (int from : {0, t - 1}) {
      const Scalar ratio = s.alpha_bar_ratio(from, t), complement = s.one_minus_alpha_bar_ratio(from, t);
      require(ratio >= 0 && ratio <= 1 && complement >= 0 && complement <= 1 && s.sqrt_alpha_bar_ratio(from, t) <= 1,
              "ratios in [0, 1]", t);
      const auto c = s.posterior_coefficients(from, t);
      require(std::isfinite(c.x0) && std::isfinite(c.xt) && std::isfinite(c.variance) && c.x0 >= 0 && c.xt >= 0 &&
                  c.variance >= 0 && c.x0 <= 1 + 4 * eps && c.xt <= 1 + 4 * eps && c.variance <= 1 + 4 * eps,
              "posterior coefficients in [0, 1] (from s = 0 and s = t - 1)", t);
    }
    require(s.source_step(t) > s.source_step(t - 1), "source steps strictly increasing", t);
  }
  require(s.source_step(0) == 0, "source step 0 is 0");
  require(s.betas().size() == T && s.alpha_bars().size() == T && s.log_snrs().size() == T, "vectors have length T");
  rejected([&] { s.alpha_bar(T + 1); }, "alpha_bar(T + 1)");
  rejected([&] { s.alpha_bar(-1); }, "alpha_bar(-1)");
  rejected([&] { s.beta(0); }, "beta(0)");
  rejected([&] { s.alpha_bar_ratio(T, T - 1); }, "alpha_bar_ratio(T, T - 1)");
  rejected([&] { s.posterior_coefficients(0, 0); }, "posterior_coefficients(0, 0)");
}

/// The invariants of a Timesteps sequence: non-empty; T as given; every t in [1, T] and
/// index = t − 1; strictly monotone in its order; previous_t follows the sequence, then 0 or 1;
/// out-of-range queries rejected.
inline void check_timesteps(const diffuse::Timesteps& ts, int train_steps) {
  require(ts.size() >= 1 && ts.size() == ts.t().size() && ts.size() == ts.index().size(), "sizes agree, non-empty");
  require(ts.train_steps() == train_steps, "train_steps() is T");
  const bool descending = ts.order() == diffuse::StepOrder::descending;
  for (std::size_t k = 0; k < ts.size(); ++k) {
    const int t = ts.t()[k];
    require(t >= 1 && t <= train_steps && ts.index()[k] == t - 1, "t in [1, T], index = t - 1");
    if (k > 0) require(descending ? t < ts.t()[k - 1] : t > ts.t()[k - 1], "strictly monotone");
    if (descending) {
      const int next = ts.previous_t(k);
      require(k + 1 < ts.size() ? next == ts.t()[k + 1] : next == 0, "previous_t follows the sequence to 0");
      require(k + 1 < ts.size() || ts.previous_t(k, false) == 1, "previous_t(last, false) = 1");
    }
  }
  if (descending) {
    rejected([&] { ts.previous_t(ts.size()); }, "previous_t(size())");
  } else {
    rejected([&] { ts.previous_t(0); }, "previous_t on an ascending sequence");
  }
}

}  // namespace diffuse_fuzz
