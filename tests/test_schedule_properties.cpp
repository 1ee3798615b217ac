// Process-level properties of Schedule: monotone ᾱ, exact respacing and zero terminal SNR, cast,
// cheap copies, the multi-step kernel and posterior against 50-digit references.
#include <diffuse/schedule.hpp>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <iomanip>
#include <limits>
#include <new>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "catch.hpp"
#include "support/references.hpp"
#include "support/schedule_reference.hpp"
#include "support/ulps.hpp"

template class diffuse::Schedule<float>;
template class diffuse::Schedule<double>;
template class diffuse::Schedule<long double>;

// Bytes allocated so far, so that a test can show that copying allocates nothing: counted by our
// operator new, or under AddressSanitizer (which keeps its own operator new) asked of it.
#if defined(__SANITIZE_ADDRESS__)
#define SCHEDULE_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SCHEDULE_TEST_ASAN 1
#endif
#endif

#if defined(SCHEDULE_TEST_ASAN)
#include <sanitizer/allocator_interface.h>
namespace {
long allocated_bytes() { return static_cast<long>(__sanitizer_get_current_allocated_bytes()); }
}  // namespace
#else
namespace {
std::atomic<long> allocated{0};
long allocated_bytes() { return allocated.load(); }
}  // namespace

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // our operator new is malloc
#endif
void* operator new(std::size_t size) {
  allocated += static_cast<long>(size);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#endif

namespace {

template <class T>
using Schedule = diffuse::Schedule<T>;

/// Every reference schedule of tests/reference/schedules, built once as Schedule<T>, with its name.
template <class T>
const std::vector<std::pair<std::string, Schedule<T>>>& reference_schedules() {
  static const std::vector<std::pair<std::string, Schedule<T>>> schedules = [] {
    const std::vector<schedule_reference::Case> cases = schedule_reference::read_index();
    schedule_reference::Builder<T> builder(cases);
    std::vector<std::pair<std::string, Schedule<T>>> out;
    for (const schedule_reference::Case& c : cases) out.emplace_back(c.name, builder.build(c));
    return out;
  }();
  return schedules;
}

/// The reference schedule called `name`.
template <class T>
const Schedule<T>& reference_schedule(const std::string& name) {
  for (const auto& named : reference_schedules<T>()) {
    if (named.first == name) return named.second;
  }
  throw std::runtime_error("no reference schedule " + name);
}

/// True if every whole-schedule vector of a and b is the same bit for bit (and the steps agree).
template <class T>
bool identical(const Schedule<T>& a, const Schedule<T>& b) {
  if (a.steps() != b.steps()) return false;
  for (const schedule_reference::Column<T>& column : schedule_reference::columns<T>()) {
    const typename Schedule<T>::Vector x = (a.*column.whole)(), y = (b.*column.whole)();
    for (Eigen::Index i = 0; i < x.size(); ++i) {
      if (test_support::ulp_distance(x(i), y(i)) != 0) return false;
    }
  }
  for (int t = 0; t <= a.steps(); ++t) {
    if (a.source_step(t) != b.source_step(t)) return false;
  }
  return true;
}

/// The columns that depend on ᾱ_t alone (and so are equal wherever ᾱ_t is the same number).
template <class T>
std::vector<schedule_reference::Column<T>> alpha_bar_columns() {
  std::vector<schedule_reference::Column<T>> out;
  for (const schedule_reference::Column<T>& c : schedule_reference::columns<T>()) {
    if (c.first == 0) out.push_back(c);
  }
  return out;
}

/// The steps a slow check visits: all of them up to T = 1000; for longer schedules the first and
/// last 1000 and every 97th in between.
inline std::vector<int> sample_steps(int steps) {
  std::vector<int> out;
  for (int t = 1; t <= steps; ++t) {
    if (steps <= 1000 || t <= 1000 || t > steps - 1000 || t % 97 == 0) out.push_back(t);
  }
  return out;
}

/// The contract in ulps of T (relative form, see schedule_reference.hpp) at step t; at a
/// zero-terminal end (log ᾱ_T = −∞) that of the step before.
template <class T>
double contract(const Schedule<T>& s, int t) {
  const long double L = s.log_alpha_bar(t);
  return test_support::schedule_contract_ulps<T>(std::isfinite(L) ? L
                                                                  : static_cast<long double>(s.log_alpha_bar(t - 1)));
}

}  // namespace

TEMPLATE_TEST_CASE("alpha_bar starts at 1 and decreases strictly", "[schedule][properties][ieee]", float, double,
                   long double) {
  using T = TestType;
  const T eps = std::numeric_limits<T>::epsilon();
  for (const auto& named : reference_schedules<T>()) {
    const Schedule<T>& s = named.second;
    INFO(named.first);
    CHECK(s.alpha_bar(0) == T(1));
    CHECK(s.log_alpha_bar(0) == T(0));
    int not_decreasing_wide = 0, not_decreasing = 0, unresolved = 0;
    for (int t = 1; t <= s.steps(); ++t) {
      // In the working precision: L_t − L_{t−1} = log α_t < 0 at every step.
      if (!(diffuse::detail::wide_schedule(s).log_alpha_bar_difference(t - 1, t) < 0)) ++not_decreasing_wide;
      if (!(s.alpha_bar(t) <= s.alpha_bar(t - 1))) ++not_decreasing;
      // Strict where T resolves it: with both values within K ulp of exact, a drop of β_t > 2Kε
      // cannot round away (normal range only).
      const double K = contract(s, t);
      if (s.beta(t) > T(2 * K) * eps && s.alpha_bar(t) >= std::numeric_limits<T>::min() &&
          !(s.alpha_bar(t) < s.alpha_bar(t - 1))) {
        ++unresolved;
      }
    }
    CHECK(not_decreasing_wide == 0);
    CHECK(not_decreasing == 0);
    CHECK(unresolved == 0);
  }
}

TEMPLATE_TEST_CASE("respaced keeps the marginals bit for bit and remembers the steps", "[schedule][properties][ieee]",
                   float, double, long double) {
  using T = TestType;
  const std::vector<int> kept = {1, 2, 7, 100, 101, 555, 999, 1000};
  for (const Schedule<T>& base :
       {Schedule<T>::linear(1000), Schedule<T>::cosine(1000), Schedule<T>::scaled_linear(1000).zero_terminal_snr()}) {
    const Schedule<T> r = base.respaced(kept);
    REQUIRE(r.steps() == static_cast<int>(kept.size()));
    CHECK(r.source_step(0) == 0);
    for (int k = 1; k <= r.steps(); ++k) {
      const int t = kept[static_cast<std::size_t>(k - 1)];
      CHECK(r.source_step(k) == t);
      for (const schedule_reference::Column<T>& column : alpha_bar_columns<T>()) {
        INFO(column.name << " at k = " << k << ", t = " << t);
        CHECK(test_support::ulp_distance((r.*column.step)(k), (base.*column.step)(t)) == 0);
      }
    }
    // Adjacent kept steps keep their β bit for bit (1 → 2 and 100 → 101).
    CHECK(r.beta(2) == base.beta(2));
    CHECK(r.beta(5) == base.beta(101));
    // Respacing a respaced schedule numbers its steps in the original schedule.
    const Schedule<T> twice = r.respaced({2, 4, 8});
    CHECK(twice.source_step(1) == 2);
    CHECK(twice.source_step(2) == 100);
    CHECK(twice.source_step(3) == 1000);
    CHECK(twice.alpha_bar(2) == base.alpha_bar(100));
    // Keeping every step gives the same schedule.
    std::vector<int> all(static_cast<std::size_t>(base.steps()));
    for (int t = 1; t <= base.steps(); ++t) all[static_cast<std::size_t>(t - 1)] = t;
    CHECK(identical(base.respaced(all), base));
  }
}

TEMPLATE_TEST_CASE("zero terminal SNR has an exact endpoint and keeps the first step", "[schedule][properties]", float,
                   double, long double) {
  using T = TestType;
  const T inf = std::numeric_limits<T>::infinity();
  for (const Schedule<T>& base :
       {Schedule<T>::linear(2), Schedule<T>::linear(1000), Schedule<T>::scaled_linear(1000), Schedule<T>::cosine(1000),
        Schedule<T>::sigmoid(100000), Schedule<T>::constant(100, 0.01511)}) {
    const Schedule<T> z = base.zero_terminal_snr();
    const int last = z.steps();
    INFO("T = " << last);
    CHECK(z.alpha_bar(last) == T(0));
    CHECK(z.sqrt_alpha_bar(last) == T(0));
    CHECK(z.one_minus_alpha_bar(last) == T(1));
    CHECK(z.sqrt_one_minus_alpha_bar(last) == T(1));
    CHECK(z.beta(last) == T(1));
    CHECK(z.alpha(last) == T(0));
    CHECK(z.snr(last) == T(0));
    CHECK(z.log_snr(last) == -inf);
    CHECK(z.log_alpha_bar(last) == -inf);
    CHECK(z.sigma(last) == inf);
    // β̃_T = β_T (1 − ᾱ_{T−1})/(1 − ᾱ_T) = 1 − ᾱ_{T−1}.
    CHECK(z.posterior_variance(last) == z.one_minus_alpha_bar(last - 1));
    // ᾱ'_1 = ᾱ_1: the first step is unchanged.
    CHECK(z.alpha_bar(1) == base.alpha_bar(1));
    CHECK(z.beta(1) == base.beta(1));
    CHECK(z.log_snr(1) == base.log_snr(1));
    // Only the last step reaches ᾱ = 0 (in the working precision; T may underflow earlier).
    int zero_before_last = 0;
    for (int t = 1; t < last; ++t) {
      if (!diffuse::detail::wide_schedule(z).log_alpha_bar(t).is_finite()) ++zero_before_last;
    }
    CHECK(zero_before_last == 0);
  }
}

// The schedule of tests/fuzz/corpus/schedule/constant_respaced_zero_snr_long_double, on which
// zero_terminal_snr once changed ᾱ_1 of long double in its last bit (0.817072806887546890264 became
// 0.81707280688754689021): the rescaled sum of log α' must start from this schedule's own L_1.
TEMPLATE_TEST_CASE("zero terminal SNR keeps the first step of a respaced constant schedule bit for bit",
                   "[schedule][properties]", float, double, long double) {
  using T = TestType;
  const Schedule<T> base = Schedule<T>::constant(63, 0.02).respaced({10, 12, 19, 29, 39, 55});
  REQUIRE(base.steps() == 6);
  const Schedule<T> z = base.zero_terminal_snr();
  REQUIRE(z.steps() == 6);
  INFO(std::setprecision(std::numeric_limits<T>::max_digits10)
       << "alpha_bar(1): before " << base.alpha_bar(1) << ", after " << z.alpha_bar(1));
  CHECK(test_support::ulp_distance(z.alpha_bar(1), base.alpha_bar(1)) == 0);
  CHECK(test_support::ulp_distance(z.beta(1), base.beta(1)) == 0);
  CHECK(test_support::ulp_distance(z.log_snr(1), base.log_snr(1)) == 0);
  CHECK(test_support::ulp_distance(z.sqrt_alpha_bar(1), base.sqrt_alpha_bar(1)) == 0);
  CHECK(z.alpha_bar(6) == T(0));
  CHECK(z.beta(6) == T(1));
}

TEMPLATE_TEST_CASE("cast<Other>() equals the schedule built in Other", "[schedule][properties][ieee]", float, double,
                   long double) {
  using T = TestType;
  const auto doubles = reference_schedules<double>();
  const auto direct = reference_schedules<T>();
  REQUIRE(doubles.size() == direct.size());
  for (std::size_t i = 0; i < direct.size(); ++i) {
    if (direct[i].second.steps() > 1000 && direct[i].first != "cosine_100000") continue;  // time
    INFO(direct[i].first);
    CHECK(identical(doubles[i].second.template cast<T>(), direct[i].second));
    CHECK(identical(direct[i].second.template cast<double>(), doubles[i].second));
  }
}

TEMPLATE_TEST_CASE("copies share the tables: copying allocates nothing", "[schedule][properties][ieee]", float, double,
                   long double) {
  using T = TestType;
  static_assert(std::is_nothrow_copy_constructible<Schedule<T>>::value, "copying shares, never throws");
  static_assert(std::is_nothrow_move_constructible<Schedule<T>>::value, "moving never throws");
  const Schedule<T> original = reference_schedule<T>("cosine_100000");
  std::vector<Schedule<T>> copies;
  copies.reserve(100);
  Schedule<T> assigned = Schedule<T>::linear(1);
  const long before = allocated_bytes();
  for (int i = 0; i < 100; ++i) copies.push_back(original);
  assigned = original;
  const long after = allocated_bytes();
  CHECK(after - before <= 0);  // (ASan counts bytes in use: the assignment frees linear(1))
  CHECK(identical(copies.back(), original));
  CHECK(identical(assigned, original));
}

TEMPLATE_TEST_CASE("factory defaults are the ones of the issue", "[schedule][properties]", float, double) {
  using T = TestType;
  CHECK(identical(Schedule<T>::linear(1000), Schedule<T>::linear(1000, 1e-4, 0.02)));
  CHECK(identical(Schedule<T>::scaled_linear(1000), Schedule<T>::scaled_linear(1000, 0.00085, 0.012)));
  CHECK(identical(Schedule<T>::cosine(1000), Schedule<T>::cosine(1000, 0.008, 0.999)));
  CHECK(identical(Schedule<T>::sigmoid(1000), Schedule<T>::sigmoid(1000, 1e-4, 0.02)));
  const auto exp12 = [](double u) { return std::exp(-12 * u); };
  CHECK(identical(Schedule<T>::from_alpha_bar_function(1000, exp12),
                  Schedule<T>::from_alpha_bar_function(1000, exp12, 0.999)));
}

TEMPLATE_TEST_CASE("alpha_bar_ratio, its square root and 1 - ratio, and the posterior, against references",
                   "[schedule][properties][ieee]", float, double, long double) {
  using T = TestType;
  const test_support::Csv pairs = schedule_reference::read_table("pairs.csv");
  struct Quantity {
    const char* column;
    T (*get)(const Schedule<T>&, int, int);
  };
  const Quantity quantities[] = {
      {"alpha_bar_ratio", [](const Schedule<T>& s, int a, int b) { return s.alpha_bar_ratio(a, b); }},
      {"sqrt_alpha_bar_ratio", [](const Schedule<T>& s, int a, int b) { return s.sqrt_alpha_bar_ratio(a, b); }},
      {"one_minus_alpha_bar_ratio",
       [](const Schedule<T>& s, int a, int b) { return s.one_minus_alpha_bar_ratio(a, b); }},
      {"posterior_x0", [](const Schedule<T>& s, int a, int b) { return s.posterior_coefficients(a, b).x0; }},
      {"posterior_xt", [](const Schedule<T>& s, int a, int b) { return s.posterior_coefficients(a, b).xt; }},
      {"posterior_variance",
       [](const Schedule<T>& s, int a, int b) { return s.posterior_coefficients(a, b).variance; }},
  };
  int compared = 0;
  const std::size_t case_column = pairs.column("case"), s_column = pairs.column("s"), t_column = pairs.column("t");
  for (const std::vector<std::string>& row : pairs.rows) {
    const Schedule<T>* s = &reference_schedule<T>(row.at(case_column));
    const int from = std::atoi(row.at(s_column).c_str()), to = std::atoi(row.at(t_column).c_str());
    for (const Quantity& q : quantities) {
      const std::string& text = row.at(pairs.column(q.column));
      if (text.empty()) continue;  // the posterior needs s < t
      const T got = q.get(*s, from, to);
      const diffuse::detail::Wide x = test_support::exact(text);
      const double ulps = test_support::ulp_error(got, x);
      // The pair quantities come from L_t − L_s, whose error is relative to the difference plus
      // the representation error of the two sums, relative to |L_t|: scale by 1 + |L_t|/|L_t − L_s|.
      const long double L_to = s->log_alpha_bar(to), L_from = s->log_alpha_bar(from);
      const long double growth =
          from == to || !std::isfinite(L_to) ? 1 : 1 + std::fabs(L_to) / std::fabs(L_to - L_from);
      const double bound = test_support::schedule_contract_ulps<T>(x, std::isfinite(L_to) ? L_to : 0,
                                                                   abs(x) * diffuse::detail::Wide(growth));
      INFO(row.at(0) << " " << q.column << "(" << from << ", " << to << "): got " << test_support::digits(got)
                     << ", expected " << text << ", " << ulps << " ulp > " << bound);
      CHECK(ulps <= bound);
      ++compared;
    }
  }
  CHECK(compared > 100);
}

TEMPLATE_TEST_CASE("the one-step kernel and posterior agree with the per-step tables", "[schedule][properties][ieee]",
                   float, double, long double) {
  using T = TestType;
  for (const auto& named : reference_schedules<T>()) {
    const Schedule<T>& s = named.second;
    INFO(named.first);
    int bad = 0, bad_identity = 0;
    for (const int t : sample_steps(s.steps())) {
      const double K = contract(s, t);
      // Two roundings of the same exact number, each within K ulp of it.
      if (!(test_support::ulp_distance(s.posterior_coefficients(t - 1, t).variance, s.posterior_variance(t)) <= 2 * K))
        ++bad;
      if (!(test_support::ulp_distance(s.one_minus_alpha_bar_ratio(t - 1, t), s.beta(t)) <= 2 * K)) ++bad;
      if (!(test_support::ulp_distance(s.alpha_bar_ratio(t - 1, t), s.alpha(t)) <= 2 * K)) ++bad;
      // From t = 0 the kernel is the marginal, computed from the same L_t: bit for bit.
      if (s.alpha_bar_ratio(0, t) != s.alpha_bar(t) || s.sqrt_alpha_bar_ratio(0, t) != s.sqrt_alpha_bar(t) ||
          s.one_minus_alpha_bar_ratio(0, t) != s.one_minus_alpha_bar(t)) {
        ++bad_identity;
      }
      // q(x_0 | x_t, x_0) is x_0 itself.
      const auto p = s.posterior_coefficients(0, t);
      if (!(p.x0 == T(1) && p.xt == T(0) && p.variance == T(0))) ++bad_identity;
    }
    CHECK(bad == 0);
    CHECK(bad_identity == 0);
  }
}

TEMPLATE_TEST_CASE("variance is preserved: alpha_bar + (1 - alpha_bar) = 1 and the other identities",
                   "[schedule][properties][ieee]", float, double, long double) {
  using T = TestType;
  const T eps = std::numeric_limits<T>::epsilon();
  for (const auto& named : reference_schedules<T>()) {
    const Schedule<T>& s = named.second;
    INFO(named.first);
    int bad = 0;
    for (int t = 1; t <= s.steps(); ++t) {
      // Each value within K ulp (≤ Kε relative) of the exact one; computed in long double.
      const long double K = contract(s, t), e = eps;
      const long double a = s.alpha_bar(t), om = s.one_minus_alpha_bar(t);
      const long double ra = s.sqrt_alpha_bar(t), rom = s.sqrt_one_minus_alpha_bar(t);
      // (+ a few ε for the roundings of the check itself when T is long double)
      if (!(std::fabs(a + om - 1) <= (K + 1) * e)) ++bad;
      if (!(std::fabs(ra * ra + rom * rom - 1) <= (2 * K + 2) * e)) ++bad;
      if (a < std::numeric_limits<T>::min() || !std::isfinite(s.sigma(t)) ||
          !(s.snr(t) >= std::numeric_limits<T>::min()))
        continue;
      const long double snr = s.snr(t), sigma = s.sigma(t);
      if (!(std::fabs(snr * om / a - 1) <= (3 * K + 2) * e)) ++bad;         // SNR = ᾱ/(1 − ᾱ)
      if (!(std::fabs(sigma * sigma * snr - 1) <= (3 * K + 2) * e)) ++bad;  // σ² = 1/SNR
    }
    CHECK(bad == 0);
  }
}

// Terms log α_s below 2⁻¹⁹² (β below about 1e-58) lie under the resolution of the fixed-point sum
// of log ᾱ; they once vanished (1 − ᾱ_1 = 0 for chen_sigmoid(256, -3, 3, 0.01), a fuzz seed). The
// expectations follow from the definitions: 1 − ᾱ_1 = β_1 exactly and log ᾱ_1 = log1p(−β_1) =
// −β_1 − β_1²/2 − …, whose nearest float/double is −β_1; n equal β give 1 − (1 − β)^n =
// nβ(1 − (n − 1)β/2 + …), whose nearest value is that of nβ (a tie of nβ is impossible: n·β is a
// product of a power of two times 125 and β's odd significand, checked below through fl(nβ)/n).
TEMPLATE_TEST_CASE("steps with betas far below 2^-192 keep their weight", "[schedule][properties][ieee]", float,
                   double) {
  using S = TestType;
  using Schedule = diffuse::Schedule<S>;
  const S b1 = std::is_same<S, float>::value ? S(1e-40f) : S(1e-130),
          b2 = std::is_same<S, float>::value ? S(3e-41f) : S(3e-140);
  const Schedule s = Schedule::from_betas(std::vector<double>{static_cast<double>(b1), static_cast<double>(b2), 0.5});
  CHECK(s.one_minus_alpha_bar(1) == b1);
  CHECK(s.log_alpha_bar(1) == -b1);
  CHECK(s.one_minus_alpha_bar(2) > b1);
  CHECK(s.respaced({2, 3}).beta(1) == s.one_minus_alpha_bar(2));
  CHECK(s.one_minus_alpha_bar_ratio(1, 2) == b2);
  const double b = 1e-70;
  const int n = 1000;
  const diffuse::Schedule<double> many = diffuse::Schedule<double>::constant(n, b);
  CHECK(many.one_minus_alpha_bar(n) == n * b);
  CHECK(many.one_minus_alpha_bar(1) == b);
  CHECK(many.one_minus_alpha_bar(n / 2) == (n / 2) * b);
}
