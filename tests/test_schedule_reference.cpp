// Every column of every reference schedule (tests/reference/schedules) within the precision contract.
#include <diffuse/schedule.hpp>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <map>
#include <type_traits>
#include <string>
#include <vector>

#include "catch.hpp"
#include "schedule_reference.hpp"

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

template <class T>
Findings compare_with_reference() {
  Findings out;
  const std::vector<reference::Case> cases = reference::read_index();
  reference::Builder<T> builder(cases);
  const std::vector<reference::Column<T>> columns = reference::columns<T>();
  for (const reference::Case& c : cases) {
    const diffuse::Schedule<T> schedule = builder.build(c);
    const reference::Csv csv = reference::read_csv(c.name + ".csv");
    const std::size_t log_alpha_bar_column = csv.column("log_alpha_bar");
    const int last_t = std::atoi(csv.rows.back()[0].c_str());
    if (last_t != schedule.steps() || csv.rows.front()[0] != "0") {
      out.violations.push_back(c.name + ": the reference rows do not run from t = 0 to T = " +
                               std::to_string(schedule.steps()));
    }
    std::vector<std::size_t> position;  // of each column in the CSV
    for (const reference::Column<T>& column : columns) position.push_back(csv.column(column.name));
    long double log_alpha_bar = 0;  // of the current row, or of the last finite one (ᾱ_T = 0)
    for (const std::vector<std::string>& row : csv.rows) {
      const int t = std::atoi(row[0].c_str());
      const long double L = reference::parse<long double>(row.at(log_alpha_bar_column));
      if (std::isfinite(L)) log_alpha_bar = L;
      const double bound = reference::contract_ulps<T>(log_alpha_bar);
      for (std::size_t k = 0; k < columns.size(); ++k) {
        const reference::Column<T>& column = columns[k];
        const std::string& text = row.at(position[k]);
        if (t < column.first) {
          if (!text.empty()) out.violations.push_back(c.name + ": a value before the first step of " + column.name);
          continue;
        }
        const T got = (schedule.*column.step)(t);
        const T expected = reference::parse<T>(text);
        const double ulps = column.name == "log_snr" ? reference::log_snr_error(got, text)
                                                     : reference::ulp_distance(got, expected);
        ++out.checked;
        Worst& w = out.worst[column.name];
        const bool violation = !(ulps <= bound);
        if (!(ulps <= w.ulps) || w.where.empty() || violation) {
          const std::string where = c.name + " " + column.name + "(" + std::to_string(t) + "): got " +
                                    reference::digits(got) + ", expected " + reference::digits(expected) +
                                    " (" + text + "), " + std::to_string(ulps) + " ulp" +
                                    (column.name == "log_snr" ? " of max(1, |log_snr|)" : "");
          if (!(ulps <= w.ulps) || w.where.empty()) w = {ulps, where};
          if (violation) out.violations.push_back(where + " > " + std::to_string(bound));
        }
      }
    }
    // The whole-schedule vectors hold step t = i + 1 at index i, bit for bit.
    for (const reference::Column<T>& column : columns) {
      const typename diffuse::Schedule<T>::Vector v = (schedule.*column.whole)();
      int mismatches = v.size() == schedule.steps() ? 0 : 1;
      for (int t = 1; mismatches == 0 && t <= schedule.steps(); ++t) {
        if (reference::ulp_distance(v(t - 1), (schedule.*column.step)(t)) != 0) ++mismatches;
      }
      if (mismatches != 0) out.vector_mismatches.push_back(c.name + " " + column.name + "s()");
    }
  }
  return out;
}

template <class T>
bool contract_applies() {
  // On platforms where long double is a double the contract is not promised (wide.hpp).
  return diffuse::detail::wide_is_extended || !std::is_same<T, long double>::value;
}

}  // namespace

TEMPLATE_TEST_CASE("every reference column is within the precision contract", "[schedule][reference][ieee]", float,
                   double, long double) {
  if (!contract_applies<TestType>()) return;
  const Findings found = compare_with_reference<TestType>();
  CHECK(found.checked > 100000);
  for (const std::string& v : found.vector_mismatches) CHECK(v == "");
  std::string first;
  for (std::size_t i = 0; i < std::min<std::size_t>(found.violations.size(), 20); ++i) first += "\n" + found.violations[i];
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
  for (const auto& entry : found.worst) std::printf("  %-26s %8.3g  %s\n", entry.first.c_str(), entry.second.ulps, entry.second.where.c_str());
  CHECK(found.checked > 0);
}
