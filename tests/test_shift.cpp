// LogSnrShift (shift.hpp): every tool's shift against 50-digit mpmath references written from the
// tool's own formula (tests/reference/gen_shift_reference.py), in float, double and long double, within
// the bound each function states; the same bits as the functions it replaces (static, exponential
// and linear time shift, FlowSampling, Schedule::snr_shifted) and what StableCascadeSampling's σ
// shift gives; composition, inverse and identity; and every argument rule.
#include <diffuse/flow.hpp>
#include <diffuse/model_sampling.hpp>
#include <diffuse/schedule.hpp>
#include <diffuse/shift.hpp>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include "catch.hpp"
#include "support/messages.hpp"
#include "support/references.hpp"
#include "support/ulps.hpp"

namespace {

using diffuse::LogSnrShift;
using diffuse::detail::Wide;
using test_support::exact;
using test_support::input;
using test_support::throws_with;

const char* const reference_file = "shift.txt";

/// Whether the record's inputs are values of T ("f": float values, for every type; "d": doubles).
template <class T>
bool takes(const std::string& tag) {
  return tag == "f" || std::numeric_limits<T>::digits > 24;
}

double parameter(const std::string& text) { return std::strtod(text.c_str(), nullptr); }

/// The shift a record names: <kind> <a> <b> (gen_shift_reference.py's list).
LogSnrShift shift_of(const std::string& kind, const std::string& a, const std::string& b) {
  const double x = parameter(a), y = parameter(b);
  if (kind == "sd3") return LogSnrShift::sd3(x);
  if (kind == "flux") return LogSnrShift::flux(x, y);
  if (kind == "exponential") return LogSnrShift::diffusers_exponential(x, y);
  if (kind == "linear") return LogSnrShift::diffusers_linear(x, y);
  if (kind == "stable_cascade") return LogSnrShift::stable_cascade(x);
  if (kind == "cogvideox") return LogSnrShift::cogvideox(x);
  if (kind == "flux2") return LogSnrShift::flux2(x, static_cast<int>(y));
  if (kind == "flux_resolution") return LogSnrShift::flux_resolution(x);
  REQUIRE(kind == "raw");
  return LogSnrShift::from_mu_power(x, y);
}

/// k units of u = 2⁻¹²⁸.
Wide units(double k) { return ldexp(Wide(k), -128); }

/// got, rounded once from a Wide value within `bound` relative of the exact x: within ½ ulp + that.
template <class T>
bool within(T got, const Wide& x, const Wide& bound, const std::string& what) {
  const test_support::Verdict v = test_support::judge(got, x, bound * abs(x), x.is_zero() ? Wide(1) : abs(x));
  if (!v.ok()) {
    UNSCOPED_INFO(what << ": got " << test_support::digits(got) << ", " << v.ulps << " ulp (allowed " << v.bound
                       << ")");
  }
  return v.ok();
}

bool is_infinite_text(const std::string& text) { return text == "inf" || text == "-inf"; }

// The records of shift.txt (gen_shift_reference.py lists their formats).
struct LogSnrRecord {
  std::string tag, kind, a, b, lambda, shifted;
};
struct FlowRecord {
  std::string tag, kind, a, b, t, shifted, half_lambda;
};
struct SigmaRecord {
  std::string tag, kind, a, b, sigma, shifted, log_sigma;
};
struct AlphaBarRecord {
  std::string tag, kind, a, b, alpha_bar, shifted, shifted_complement, lambda;
};
struct AlphaBarPairRecord {
  std::string tag, kind, a, b, alpha_bar, complement, shifted, shifted_complement, lambda;
};
struct ScheduleRecord {
  std::string kind, a, b, t, alpha_bar, one_minus_alpha_bar;
};

bool rational_flow(const std::string& kind) { return kind == "sd3" || kind == "stable_cascade" || kind == "cogvideox"; }

/// The bounds shift.hpp states, in u: the flow time by the rational form 3u + the error of e^μ (8u
/// for CogVideoX's √s), by the sigmoid (64 + 20(|μ| + p|log((1 − t)/t)|))u (80 and |ln μ_lin| for
/// diffusers' linear shift, whose μ is a logarithm of its own).
double flow_units(const std::string& kind, const LogSnrShift& s, double half_lambda) {
  if (rational_flow(kind)) return 3 + 8;
  return 80 + 20 * (std::fabs(s.mu()) + s.power() * half_lambda);
}

/// σ: the product 1u + the error of e^μ (8u for CogVideoX's √s); exp(μ + p log σ) (16 + 20(|μ| + p|log σ|))u.
double sigma_units(const LogSnrShift& s, double log_sigma) {
  if (s.power() == 1) return 1 + 8;
  return 16 + 20 * (std::fabs(s.mu()) + s.power() * log_sigma);
}

/// ᾱ: the rational form 3u (CogVideoX's s and SD3's s² exact); the sigmoid (64 + 20(2|μ| + p|λ|))u.
double alpha_bar_units(const LogSnrShift& s, double lambda) {
  if (s.power() == 1) return 3;
  return 64 + 20 * (2 * std::fabs(s.mu()) + s.power() * lambda);
}

/// λ' = pλ − 2μ: u(2|pλ| + 4|μ|), plus 2·16u|μ| where μ is a logarithm (SD3, CogVideoX; 0 otherwise
/// would do, the bound is kept for all).
Wide log_snr_bound(const LogSnrShift& s, double lambda) {
  return units(2 * s.power() * std::fabs(lambda) + 4 * std::fabs(s.mu()) + 32 * std::fabs(s.mu()));
}

template <class T>
int check_finite_records() {
  using test_support::load;
  int checked = 0;
  for (const auto& r :
       load<LogSnrRecord>(reference_file, "log_snr", &LogSnrRecord::tag, &LogSnrRecord::kind, &LogSnrRecord::a,
                          &LogSnrRecord::b, &LogSnrRecord::lambda, &LogSnrRecord::shifted)) {
    if (!takes<T>(r.tag) || is_infinite_text(r.lambda)) continue;
    const LogSnrShift s = shift_of(r.kind, r.a, r.b);
    const T lambda = input<T>(r.lambda), got = s.shifted_log_snr(lambda);
    const Wide x = exact(r.shifted);
    const test_support::Verdict v = test_support::judge(got, x, log_snr_bound(s, static_cast<double>(lambda)), abs(x));
    CHECK(v.ok());
    if (!v.ok()) UNSCOPED_INFO("log_snr " << r.kind << " " << r.a << " " << r.lambda);
    ++checked;
  }
  for (const auto& r :
       load<FlowRecord>(reference_file, "flow", &FlowRecord::tag, &FlowRecord::kind, &FlowRecord::a, &FlowRecord::b,
                        &FlowRecord::t, &FlowRecord::shifted, &FlowRecord::half_lambda)) {
    if (!takes<T>(r.tag)) continue;
    const LogSnrShift s = shift_of(r.kind, r.a, r.b);
    const double k = flow_units(r.kind, s, parameter(r.half_lambda));
    CHECK(within(s.shifted_flow_time(input<T>(r.t)), exact(r.shifted), units(k), "flow " + r.kind + " " + r.t));
    ++checked;
  }
  for (const auto& r :
       load<SigmaRecord>(reference_file, "sigma", &SigmaRecord::tag, &SigmaRecord::kind, &SigmaRecord::a,
                         &SigmaRecord::b, &SigmaRecord::sigma, &SigmaRecord::shifted, &SigmaRecord::log_sigma)) {
    if (!takes<T>(r.tag) || is_infinite_text(r.sigma)) continue;
    const T sigma = input<T>(r.sigma);
    if (sigma == 0 && r.sigma != "0") continue;  // below T's range (1e-30 in float is a float: never)
    const LogSnrShift s = shift_of(r.kind, r.a, r.b);
    const Wide x = exact(r.shifted);
    if (!(abs(x) < Wide(std::numeric_limits<T>::max())) ||
        (abs(x) < Wide(std::numeric_limits<T>::min()) && !x.is_zero()))
      continue;  // overflows or is subnormal in T: the [ieee] case
    CHECK(within(s.shifted_sigma(sigma), x, units(sigma_units(s, parameter(r.log_sigma))),
                 "sigma " + r.kind + " " + r.sigma));
    ++checked;
  }
  for (const auto& r :
       load<AlphaBarRecord>(reference_file, "alpha_bar", &AlphaBarRecord::tag, &AlphaBarRecord::kind,
                            &AlphaBarRecord::a, &AlphaBarRecord::b, &AlphaBarRecord::alpha_bar,
                            &AlphaBarRecord::shifted, &AlphaBarRecord::shifted_complement, &AlphaBarRecord::lambda)) {
    if (!takes<T>(r.tag)) continue;
    const LogSnrShift s = shift_of(r.kind, r.a, r.b);
    const auto got = s.shifted_alpha_bar(input<T>(r.alpha_bar));
    const Wide bound = units(alpha_bar_units(s, parameter(r.lambda)));
    CHECK(within(got.alpha_bar, exact(r.shifted), bound, "alpha_bar " + r.kind + " " + r.alpha_bar));
    CHECK(within(got.one_minus_alpha_bar, exact(r.shifted_complement), bound,
                 "1 - alpha_bar " + r.kind + " " + r.alpha_bar));
    ++checked;
  }
  for (const auto& r :
       load<AlphaBarPairRecord>(reference_file, "alpha_bar_pair", &AlphaBarPairRecord::tag, &AlphaBarPairRecord::kind,
                                &AlphaBarPairRecord::a, &AlphaBarPairRecord::b, &AlphaBarPairRecord::alpha_bar,
                                &AlphaBarPairRecord::complement, &AlphaBarPairRecord::shifted,
                                &AlphaBarPairRecord::shifted_complement, &AlphaBarPairRecord::lambda)) {
    if (!takes<T>(r.tag)) continue;
    const LogSnrShift s = shift_of(r.kind, r.a, r.b);
    const auto got = s.shifted_alpha_bar(input<T>(r.alpha_bar), input<T>(r.complement));
    const Wide bound = units(alpha_bar_units(s, parameter(r.lambda)));
    CHECK(within(got.alpha_bar, exact(r.shifted), bound, "pair alpha_bar " + r.kind + " " + r.complement));
    CHECK(within(got.one_minus_alpha_bar, exact(r.shifted_complement), bound,
                 "pair 1 - alpha_bar " + r.kind + " " + r.complement));
    ++checked;
  }
  return checked;
}

}  // namespace

TEMPLATE_TEST_CASE("every shift matches the tools' own formulas in mpmath within its stated bound", "[shift]", float,
                   double, long double) {
  CHECK(check_finite_records<TestType>() > 300);
}

TEMPLATE_TEST_CASE("a shifted Schedule matches CogVideoX's formula and the log-SNR shift in mpmath", "[shift]", float,
                   double, long double) {
  using T = TestType;
  const auto base = diffuse::Schedule<T>::scaled_linear(1000);
  int checked = 0;
  for (const auto& r : test_support::load<ScheduleRecord>(
           reference_file, "schedule", &ScheduleRecord::kind, &ScheduleRecord::a, &ScheduleRecord::b,
           &ScheduleRecord::t, &ScheduleRecord::alpha_bar, &ScheduleRecord::one_minus_alpha_bar)) {
    const LogSnrShift s = shift_of(r.kind, r.a, r.b);
    const auto shifted = s.shifted_schedule(base);
    const int t = std::stoi(r.t);
    // schedule.hpp: 2⁻¹¹⁸(1 + |log ᾱ'_t|)(1 + |μ| + 2p·max|λ_s|), |λ_s| ≤ 7.1 for scaled_linear(1000)
    const double log_abar = std::fabs(static_cast<double>(shifted.log_alpha_bar(t)));
    const Wide bound = ldexp(Wide((1 + log_abar) * (1 + std::fabs(s.mu()) + 2 * s.power() * 7.1)), -118);
    CHECK(within(shifted.alpha_bar(t), exact(r.alpha_bar), bound, "schedule alpha_bar " + r.kind + " t=" + r.t));
    CHECK(within(shifted.one_minus_alpha_bar(t), exact(r.one_minus_alpha_bar), bound,
                 "schedule 1 - alpha_bar " + r.kind + " t=" + r.t));
    ++checked;
  }
  CHECK(checked == 28);
}

TEMPLATE_TEST_CASE("the ends and infinities of every coordinate stay", "[shift][ieee]", float, double, long double) {
  using T = TestType;
  const T inf = std::numeric_limits<T>::infinity();
  for (const LogSnrShift& s : {LogSnrShift::sd3(3), LogSnrShift::flux(1.15), LogSnrShift::from_mu_power(-0.5, 2.5),
                               LogSnrShift::cogvideox(0.5), LogSnrShift::diffusers_linear(0.3, 0.5)}) {
    CHECK(s.shifted_flow_time(T(0)) == 0);
    CHECK(!std::signbit(s.shifted_flow_time(-T(0))));
    CHECK(s.shifted_flow_time(T(1)) == 1);
    CHECK(s.shifted_sigma(T(0)) == 0);
    CHECK(s.shifted_sigma(inf) == inf);
    CHECK(s.shifted_log_snr(inf) == inf);
    CHECK(s.shifted_log_snr(-inf) == -inf);
    const auto one = s.shifted_alpha_bar(T(1)), zero = s.shifted_alpha_bar(T(0));
    CHECK((one.alpha_bar == 1 && one.one_minus_alpha_bar == 0));
    CHECK((zero.alpha_bar == 0 && zero.one_minus_alpha_bar == 1));
  }
  // the infinite and out-of-range records of shift.txt
  for (const auto& r : test_support::load<SigmaRecord>(reference_file, "sigma", &SigmaRecord::tag, &SigmaRecord::kind,
                                                       &SigmaRecord::a, &SigmaRecord::b, &SigmaRecord::sigma,
                                                       &SigmaRecord::shifted, &SigmaRecord::log_sigma)) {
    if (!takes<T>(r.tag)) continue;
    const T sigma = input<T>(r.sigma);
    const Wide x = exact(r.shifted);
    const T got = shift_of(r.kind, r.a, r.b).shifted_sigma(sigma);
    if (!x.is_finite()) CHECK(got == inf);
    if (!(abs(x) < Wide(std::numeric_limits<T>::max())) && sigma != 0) CHECK(got == inf);
  }
  for (const auto& r : test_support::load<LogSnrRecord>(reference_file, "log_snr", &LogSnrRecord::tag,
                                                        &LogSnrRecord::kind, &LogSnrRecord::a, &LogSnrRecord::b,
                                                        &LogSnrRecord::lambda, &LogSnrRecord::shifted)) {
    if (!is_infinite_text(r.lambda)) continue;
    CHECK(shift_of(r.kind, r.a, r.b).shifted_log_snr(input<T>(r.lambda)) == input<T>(r.shifted));
  }
}

namespace {

template <class T>
std::vector<T> flow_grid() {
  std::vector<T> out{T(0),
                     T(1),
                     std::numeric_limits<T>::denorm_min(),
                     std::numeric_limits<T>::min(),
                     std::nextafter(T(1), T(0)),
                     std::nextafter(T(0.5), T(0)),
                     T(0.5)};
  for (int i = 1; i < 200; ++i) out.push_back(T(i) / T(200));
  for (int e = 1; e < 40; ++e) out.push_back(std::ldexp(T(1), -e));
  for (int e = 1; e < 20; ++e) out.push_back(T(1) - std::ldexp(T(1), -e));
  // odd significands near T's smallest normal: 1.5t is a tie of T there, and 1 − t rounds in Wide,
  // so the rational form (round half even) and the sigmoid (an exp) can round differently: these
  // points tell which form a function takes.
  const T epsilon = std::numeric_limits<T>::epsilon();
  for (int k = 0; k < 64; ++k) out.push_back(std::numeric_limits<T>::min() * (1 + T(2 * k + 1) * epsilon));
  return out;
}

}  // namespace

TEMPLATE_TEST_CASE("the old shift functions and FlowSampling are the same code: the same bits", "[shift]", float,
                   double, long double) {
  using T = TestType;
  for (const T t : flow_grid<T>()) {
    for (const double s : {3.0, 1.73, 0.3, 8.0, 1.5}) {
      CHECK(diffuse::static_time_shift(t, s) == LogSnrShift::sd3(s).shifted_flow_time(t));
      CHECK(diffuse::static_time_shift(t, s) == LogSnrShift::stable_cascade(s).shifted_flow_time(t));
    }
    for (const double mu : {1.15, -0.7, 0.5}) {
      for (const double p : {1.0, 2.0, 0.5}) {
        CHECK(diffuse::exponential_time_shift(t, mu, p) == LogSnrShift::flux(mu, p).shifted_flow_time(t));
        CHECK(diffuse::exponential_time_shift(t, mu, p) ==
              LogSnrShift::diffusers_exponential(mu, p).shifted_flow_time(t));
        CHECK(diffuse::exponential_time_shift(t, mu, p) == LogSnrShift::from_mu_power(mu, p).shifted_flow_time(t));
        CHECK(diffuse::linear_time_shift(t, mu + 1, p) ==
              LogSnrShift::diffusers_linear(mu + 1, p).shifted_flow_time(t));
      }
    }
    const double flux2_mu = diffuse::flux2_empirical_mu(4096, 28);
    CHECK(diffuse::exponential_time_shift(t, flux2_mu) == LogSnrShift::flux2(4096, 28).shifted_flow_time(t));
    const double resolution_mu = diffuse::resolution_shift_mu(1024);
    CHECK(diffuse::exponential_time_shift(t, resolution_mu) == LogSnrShift::flux_resolution(1024).shifted_flow_time(t));
  }
  // FlowSampling reads its shift as the decimal the double spells: the same value for 3, 6 and 8
  // (SD3, Lumina 2, Wan 2.1), the same rational form, the same bits: its table over 1024 entries
  // (where (i + 1)/T is a T) and σ(τ) with multiplier 1 (τ/m = τ).
  for (const double s : {3.0, 6.0, 8.0}) {
    const diffuse::FlowSampling<T> sampling(s, 1, 1024);
    const LogSnrShift shift = LogSnrShift::sd3(s);
    for (int i = 0; i < sampling.table_size(); ++i)
      CHECK(sampling.table_sigma(i) == shift.shifted_flow_time(T(i + 1) / T(1024)));
    for (const T t : flow_grid<T>()) CHECK(sampling.sigma(t) == shift.shifted_flow_time(t));
  }
}

TEMPLATE_TEST_CASE("FlowSampling's Flux table is the Flux shift of (i + 1)/T within both bounds", "[shift]", float,
                   double) {
  using T = TestType;
  // FlowSampling::flux takes the rational form with e^μ, LogSnrShift::flux the sigmoid: both correctly
  // rounded from within 2⁻¹⁰⁰ of the same exact value (μ = 0.5 and 1.25: decimal and double agree),
  // so at most 1 ulp apart.
  for (const double mu : {0.5, 1.25}) {
    const auto sampling = diffuse::FlowSampling<T>::flux(mu, 1024);  // (i + 1)/1024 is a T
    const LogSnrShift shift = LogSnrShift::flux(mu);
    int differ = 0;
    for (int i = 0; i < sampling.table_size(); ++i) {
      const T expected = shift.shifted_flow_time(T(i + 1) / T(1024));
      const T got = sampling.table_sigma(i);
      CHECK(test_support::ulp_distance(got, expected) <= 1);
      differ += got != expected;
    }
    CHECK(differ <= 2);
  }
}

TEMPLATE_TEST_CASE("StableCascadeSampling's shift k is sigma -> k sigma inside its clamp", "[shift]", float, double) {
  using T = TestType;
  const diffuse::StableCascadeSampling<T> unshifted(1);
  const T low = T(0.0100006), high = T(99.994);
  for (const double k : {2.0, 0.5, 1.5}) {
    const diffuse::StableCascadeSampling<T> shifted(k);
    const LogSnrShift shift = LogSnrShift::stable_cascade(k);
    for (int i = 0; i < unshifted.table_size(); i += 7) {
      const T sigma = unshifted.table_sigma(i), expected = shifted.table_sigma(i);
      if (!(sigma > low && sigma < high && expected > low && expected < high)) continue;  // the clamp
      const T got = shift.shifted_sigma(sigma);
      // k = 2 and ½ commute with rounding: the same bits; k = 1.5 rounds σ first: within 1 ulp of σ
      // times 1.5, plus ½ ulp each side.
      if (k != 1.5) {
        CHECK(got == expected);
      } else {
        CHECK(test_support::ulp_distance(got, expected) <= 2);
      }
    }
  }
}

TEMPLATE_TEST_CASE("Schedule::snr_shifted is the CogVideoX shift, bit for bit, and generalises to any power", "[shift]",
                   float, double, long double) {
  using T = TestType;
  const auto base = diffuse::Schedule<T>::scaled_linear(1000);
  const auto zero = base.zero_terminal_snr();
  for (const double s : {3.0, 0.5, 1.0 / 3}) {
    const auto a = base.snr_shifted(s), b = LogSnrShift::cogvideox(s).shifted_schedule(base);
    CHECK((a.alpha_bars().array() == b.alpha_bars().array()).all());
    CHECK((a.betas().array() == b.betas().array()).all());
    const auto c = zero.snr_shifted(s), d = LogSnrShift::cogvideox(s).shifted_schedule(zero);
    CHECK((c.one_minus_alpha_bars().array() == d.one_minus_alpha_bars().array()).all());
    CHECK(d.alpha_bar(1000) == 0);
  }
  // each step's level is the shifted level of the unshifted one: λ'_t = pλ_t − 2μ
  const LogSnrShift general = LogSnrShift::from_mu_power(0.4, 1.5);
  const auto shifted = general.shifted_schedule(base);
  for (const int t : {1, 2, 50, 500, 1000}) {
    const T expected = general.shifted_log_snr(base.log_snr(t));
    // λ_t itself is rounded (½ ulp of max(1, |λ|) times p = 1.5), then both sides once more
    CHECK(std::fabs(static_cast<double>(shifted.log_snr(t) - expected)) <=
          4 * static_cast<double>(std::numeric_limits<T>::epsilon()) *
              std::fmax(1.0, std::fabs(static_cast<double>(expected))));
  }
  CHECK(shifted.alpha_bar(0) == 1);
}

TEMPLATE_TEST_CASE("a shift after a shift is one shift, the inverse undoes it, the identity does nothing", "[shift]",
                   float, double) {
  using T = TestType;
  using Long = long double;
  const LogSnrShift shifts[] = {LogSnrShift::sd3(3), LogSnrShift::flux(1.15), LogSnrShift::from_mu_power(-0.4, 1.7),
                                LogSnrShift::cogvideox(0.5), LogSnrShift::diffusers_linear(0.3, 0.6)};
  // The parameters: p = p₂p₁, μ = p₂μ₁ + μ₂ (exact for these), and the inverse p' = 1/p, μ' = −μ/p.
  const LogSnrShift two = LogSnrShift::flux(0.5, 2).then(LogSnrShift::flux(0.25, 3));
  CHECK(two.power() == 6);
  CHECK(two.mu() == 1.75);
  const LogSnrShift back = LogSnrShift::flux(1, 4).inverse();
  CHECK(back.power() == 0.25);
  CHECK(back.mu() == -0.25);
  CHECK(LogSnrShift::sd3(2).then(LogSnrShift::sd3(3)).scale() == 6);
  CHECK(std::fabs(LogSnrShift::sd3(3).mu() - std::log(3.0)) <= 1e-16);
  CHECK(std::fabs(LogSnrShift::cogvideox(3).mu() - 0.5 * std::log(3.0)) <= 1e-16);
  // SD3 2 then 3 is SD3 6 exactly: the same bits.
  for (const T t : flow_grid<T>())
    CHECK(LogSnrShift::sd3(2).then(LogSnrShift::sd3(3)).shifted_flow_time(t) ==
          LogSnrShift::sd3(6).shifted_flow_time(t));
  // Applied one after the other in long double (11 or more bits beyond T, condition numbers below 10
  // on these grids) and rounded to T, against the composite in T: at most 1 ulp apart.
  for (const LogSnrShift& a : shifts) {
    for (const LogSnrShift& b : shifts) {
      const LogSnrShift ab = a.then(b);
      for (int i = 1; i < 100; ++i) {
        const T t = T(i) / T(100);
        CHECK(test_support::ulp_distance(ab.shifted_flow_time(t),
                                         static_cast<T>(b.shifted_flow_time(a.shifted_flow_time(Long(t))))) <= 1);
        const T sigma = std::ldexp(T(i), -20 + i / 5);
        CHECK(test_support::ulp_distance(ab.shifted_sigma(sigma),
                                         static_cast<T>(b.shifted_sigma(a.shifted_sigma(Long(sigma))))) <= 1);
        const auto level = ab.shifted_alpha_bar(t);
        const auto first = a.shifted_alpha_bar(Long(t));
        const auto second = b.shifted_alpha_bar(first.alpha_bar, first.one_minus_alpha_bar);
        CHECK(test_support::ulp_distance(level.alpha_bar, static_cast<T>(second.alpha_bar)) <= 1);
        CHECK(test_support::ulp_distance(level.one_minus_alpha_bar, static_cast<T>(second.one_minus_alpha_bar)) <= 1);
        const T lambda = T(i - 50) / T(4);
        const T composite = ab.shifted_log_snr(lambda);
        const Long two_steps = b.shifted_log_snr(a.shifted_log_snr(Long(lambda)));
        CHECK(std::fabs(static_cast<double>(Long(composite) - two_steps)) <=
              2 * static_cast<double>(std::numeric_limits<T>::epsilon()) *
                  (1 + std::fabs(static_cast<double>(two_steps))));
      }
      // the inverse: round trip in long double, rounded to T, gives the input back
      for (int i = 1; i < 100; ++i) {
        const T t = T(i) / T(100);
        CHECK(static_cast<T>(a.inverse().shifted_flow_time(a.shifted_flow_time(Long(t)))) == t);
        const T sigma = std::ldexp(T(i), -20 + i / 5);
        CHECK(static_cast<T>(a.inverse().shifted_sigma(a.shifted_sigma(Long(sigma)))) == sigma);
        const auto there = a.shifted_alpha_bar(Long(t));
        CHECK(static_cast<T>(a.inverse().shifted_alpha_bar(there.alpha_bar, there.one_minus_alpha_bar).alpha_bar) == t);
      }
    }
  }
  // the identity, and a default LogSnrShift, change nothing: the same bits
  for (const LogSnrShift& identity : {LogSnrShift::identity(), LogSnrShift(), LogSnrShift::from_mu_power(0, 1)}) {
    CHECK(identity.mu() == 0);
    CHECK(identity.power() == 1);
    for (const T t : flow_grid<T>()) {
      CHECK(identity.shifted_flow_time(t) == t);
      CHECK(identity.shifted_alpha_bar(t).alpha_bar == t);
      CHECK(identity.shifted_sigma(t) == t);
      CHECK(identity.shifted_log_snr(t - T(0.5)) == t - T(0.5));
    }
  }
}

TEST_CASE("every LogSnrShift rule throws with the function and the rule and the value", "[shift][errors]") {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  using IA = std::invalid_argument;
  using OOR = std::out_of_range;
  const std::string d = "diffuse::LogSnrShift::";
  CHECK(
      throws_with<IA>([&] { LogSnrShift::from_mu_power(nan); }, {d + "from_mu_power: mu must be finite", "(got nan)"}));
  CHECK(throws_with<IA>([&] { LogSnrShift::from_mu_power(1, 0); },
                        {d + "from_mu_power: power must be finite and > 0", "(got 0)"}));
  CHECK(throws_with<IA>([&] { LogSnrShift::from_mu_power(1, inf); },
                        {d + "from_mu_power: power must be finite and > 0", "(got inf)"}));
  CHECK(throws_with<IA>([&] { LogSnrShift::sd3(-1); }, {d + "sd3: shift must be finite and > 0", "(got -1)"}));
  CHECK(throws_with<IA>([&] { LogSnrShift::flux(inf); }, {d + "flux: mu must be finite", "(got inf)"}));
  CHECK(throws_with<IA>([&] { LogSnrShift::flux(1, -2); }, {d + "flux: exponent must be finite and > 0", "(got -2)"}));
  CHECK(throws_with<IA>([&] { LogSnrShift::diffusers_exponential(-inf); },
                        {d + "diffusers_exponential: mu must be finite", "(got -inf)"}));
  CHECK(throws_with<IA>([&] { LogSnrShift::diffusers_exponential(1, nan); },
                        {d + "diffusers_exponential: sigma must be finite and > 0", "(got nan)"}));
  CHECK(throws_with<IA>([&] { LogSnrShift::diffusers_linear(0); },
                        {d + "diffusers_linear: mu must be finite and > 0", "(got 0)"}));
  CHECK(throws_with<IA>([&] { LogSnrShift::diffusers_linear(1, 0); },
                        {d + "diffusers_linear: sigma must be finite and > 0", "(got 0)"}));
  CHECK(throws_with<IA>([&] { LogSnrShift::stable_cascade(nan); },
                        {d + "stable_cascade: shift must be finite and > 0", "(got nan)"}));
  CHECK(throws_with<IA>([&] { LogSnrShift::cogvideox(0); },
                        {d + "cogvideox: snr_shift_scale must be finite and > 0", "(got 0)"}));
  CHECK(throws_with<IA>([&] { LogSnrShift::flux2(-1, 28); },
                        {"diffuse::flux2_empirical_mu: image_seq_len must be finite and > 0", "(got -1)"}));
  CHECK(throws_with<IA>([&] { LogSnrShift::flux_resolution(0); },
                        {"diffuse::resolution_shift_mu: image_seq_len must be finite and > 0", "(got 0)"}));
  const LogSnrShift s = LogSnrShift::sd3(3);
  CHECK(throws_with<IA>([&] { s.shifted_log_snr(nan); }, {d + "shifted_log_snr: lambda must not be NaN", "(got nan)"}));
  CHECK(throws_with<OOR>([&] { s.shifted_flow_time(1.5f); },
                         {d + "shifted_flow_time: t must be in [0, 1]", "(got 1.5)"}));
  CHECK(throws_with<OOR>([&] { s.shifted_flow_time(-0.25); },
                         {d + "shifted_flow_time: t must be in [0, 1]", "(got -0.25)"}));
  CHECK(
      throws_with<OOR>([&] { s.shifted_flow_time(nan); }, {d + "shifted_flow_time: t must be in [0, 1]", "(got nan)"}));
  CHECK(throws_with<OOR>([&] { s.shifted_sigma(-1.0); }, {d + "shifted_sigma: sigma must be >= 0", "(got -1)"}));
  CHECK(throws_with<OOR>([&] { s.shifted_sigma(nan); }, {d + "shifted_sigma: sigma must be >= 0", "(got nan)"}));
  CHECK(throws_with<OOR>([&] { s.shifted_alpha_bar(1.25); },
                         {d + "shifted_alpha_bar: alpha_bar must be in [0, 1]", "(got 1.25)"}));
  CHECK(throws_with<OOR>([&] { s.shifted_alpha_bar(nan); },
                         {d + "shifted_alpha_bar: alpha_bar must be in [0, 1]", "(got nan)"}));
  CHECK(throws_with<OOR>([&] { s.shifted_alpha_bar(0.5, -0.5); },
                         {d + "shifted_alpha_bar: one_minus_alpha_bar must be in [0, 1]", "(got -0.5)"}));
}
