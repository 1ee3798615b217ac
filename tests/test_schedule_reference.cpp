// Every column of every reference schedule (tests/reference/schedules) within the precision contract.
#include <diffuse/detail/wide_math.hpp>
#include <diffuse/schedule.hpp>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

#include "catch.hpp"
#include "support/references.hpp"
#include "support/schedule_reference.hpp"
#include "support/ulps.hpp"

namespace {

/// The largest error seen in one column, and where.
struct Worst {
  double ulps = 0;
  std::string where;
};

/// What comparing Schedule<T> with the reference tables found: per column the worst error, the
/// contract violations (the first few, as text) and how many values were checked.
struct Findings {
  std::map<std::string, Worst> worst;
  std::vector<std::string> violations;
  std::vector<std::string> vector_mismatches;
  long checked = 0;
};

using diffuse::detail::Wide;

template <class T>
Findings compare_with_reference() {
  Findings out;
  const std::vector<schedule_reference::Case> cases = schedule_reference::read_index();
  schedule_reference::Builder<T> builder(cases);
  const std::vector<schedule_reference::Column<T>> columns = schedule_reference::columns<T>();
  for (const schedule_reference::Case& c : cases) {
    const diffuse::Schedule<T> schedule = builder.build(c);
    const test_support::Csv csv = schedule_reference::read_table(c.name + ".csv");
    const std::size_t log_alpha_bar_column = csv.column("log_alpha_bar");
    const int last_t = std::atoi(csv.rows.back()[0].c_str());
    if (last_t != schedule.steps() || csv.rows.front()[0] != "0") {
      out.violations.push_back(c.name +
                               ": the reference rows do not run from t = 0 to T = " + std::to_string(schedule.steps()));
    }
    std::vector<std::size_t> position;  // of each column in the CSV
    for (const schedule_reference::Column<T>& column : columns) position.push_back(csv.column(column.name));
    const std::size_t one_minus_column = csv.column("one_minus_alpha_bar");
    long double log_alpha_bar = 0;  // of the current row, or of the last finite one (ᾱ_T = 0)
    for (const std::vector<std::string>& row : csv.rows) {
      const int t = std::atoi(row[0].c_str());
      const Wide L = test_support::exact(row.at(log_alpha_bar_column));
      if (L.is_finite()) log_alpha_bar = static_cast<long double>(L);
      // The log-SNR λ = L − log(1 − ᾱ) is computed as that difference: its error scales with both.
      const Wide log_snr_scale =
          (L.is_finite() ? abs(L) : Wide()) + abs(log(test_support::exact(row.at(one_minus_column))));
      for (std::size_t k = 0; k < columns.size(); ++k) {
        const schedule_reference::Column<T>& column = columns[k];
        const std::string& text = row.at(position[k]);
        if (t < column.first) {
          if (!text.empty()) out.violations.push_back(c.name + ": a value before the first step of " + column.name);
          continue;
        }
        const T got = (schedule.*column.step)(t);
        const Wide x = test_support::exact(text);
        const double ulps = test_support::ulp_error(got, x);
        const double bound = test_support::schedule_contract_ulps<T>(
            x, log_alpha_bar,
            column.name == "log_snr" && log_snr_scale.is_finite() ? max(abs(x), log_snr_scale) : abs(x));
        ++out.checked;
        Worst& w = out.worst[column.name];
        const bool violation = !(ulps <= bound);
        if (!(ulps <= w.ulps) || w.where.empty() || violation) {
          const std::string where = c.name + " " + column.name + "(" + std::to_string(t) + "): got " +
                                    test_support::digits(got) + ", expected " + text + ", " + std::to_string(ulps) +
                                    " ulp";
          if (!(ulps <= w.ulps) || w.where.empty()) w = {ulps, where};
          if (violation) out.violations.push_back(where + " > " + std::to_string(bound));
        }
      }
    }
    // The whole-schedule vectors hold step t = i + 1 at index i, bit for bit.
    for (const schedule_reference::Column<T>& column : columns) {
      const typename diffuse::Schedule<T>::Vector v = (schedule.*column.whole)();
      int mismatches = v.size() == schedule.steps() ? 0 : 1;
      for (int t = 1; mismatches == 0 && t <= schedule.steps(); ++t) {
        if (test_support::ulp_distance(v(t - 1), (schedule.*column.step)(t)) != 0) ++mismatches;
      }
      if (mismatches != 0) out.vector_mismatches.push_back(c.name + " " + column.name + "s()");
    }
  }
  return out;
}

}  // namespace

TEMPLATE_TEST_CASE("every reference column is within the precision contract", "[schedule][reference][ieee]", float,
                   double, long double) {
  const Findings found = compare_with_reference<TestType>();
  CHECK(found.checked > 100000);
  for (const std::string& v : found.vector_mismatches) CHECK(v == "");
  std::string first;
  for (std::size_t i = 0; i < std::min<std::size_t>(found.violations.size(), 20); ++i)
    first += "\n" + found.violations[i];
  INFO(found.violations.size() << " values outside the contract; the first ones:" << first);
  CHECK(found.violations.empty());
}

// The figures of README's precision table: the worst error per column and type, with where it occurs.
// Run: build/tests/test_schedule_reference "[.report]"
TEMPLATE_TEST_CASE("worst error per column (precision report)", "[.report]", float, double, long double) {
  const Findings found = compare_with_reference<TestType>();
  std::printf("%s: %ld values, %zu outside the contract\n",
              std::is_same<TestType, float>::value    ? "float"
              : std::is_same<TestType, double>::value ? "double"
                                                      : "long double",
              found.checked, found.violations.size());
  for (const auto& entry : found.worst)
    std::printf("  %-26s %8.3g  %s\n", entry.first.c_str(), entry.second.ulps, entry.second.where.c_str());
  CHECK(found.checked > 0);
}
