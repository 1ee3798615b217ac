// The reference schedules of tests/reference/schedules (made by
// tests/reference/gen_schedule_reference.py): the cases of index.txt rebuilt as Schedule<T>, their
// CSV tables and the per-step quantities the tables hold.
#pragma once

#include <diffuse/schedule.hpp>

#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "references.hpp"

namespace schedule_reference {

/// The table of a file under tests/reference/schedules.
inline test_support::Csv read_table(const std::string& file) { return test_support::read_csv("schedules/" + file); }

/// One line of index.txt: a case name, its factory and the factory's arguments.
struct Case {
  std::string name;
  std::string factory;
  std::vector<std::string> arguments;
};

inline std::vector<Case> read_index() {
  std::vector<Case> cases;
  for (const std::string& line : test_support::data_lines("schedules/index.txt")) {
    std::istringstream in(line);
    Case c;
    in >> c.name >> c.factory;
    for (std::string word; in >> word;) c.arguments.push_back(word);
    cases.push_back(c);
  }
  return cases;
}

/// The doubles of an input file: column `column` of every line (hex, read exactly).
inline std::vector<double> read_doubles(const std::string& file, std::size_t column) {
  std::vector<double> values;
  for (const std::string& line : test_support::data_lines("schedules/" + file)) {
    std::istringstream in(line);
    std::string word;
    for (std::size_t i = 0; i <= column; ++i) in >> word;
    values.push_back(std::strtod(word.c_str(), nullptr));
  }
  return values;
}

/// Rebuilds the cases of index.txt as Schedule<T>, keeping the ones other cases start from.
template <class T>
class Builder {
 public:
  using Schedule = diffuse::Schedule<T>;

  explicit Builder(const std::vector<Case>& cases) {
    for (const Case& c : cases) {
      if (c.factory == "zero_terminal_snr" || c.factory == "respaced") bases_.insert(c.arguments.at(0));
    }
  }

  Schedule build(const Case& c) {
    const Schedule s = make(c);
    if (bases_.count(c.name) != 0) built_.emplace(c.name, s);
    return s;
  }

 private:
  static double number(const std::string& text) { return std::strtod(text.c_str(), nullptr); }
  static int integer(const std::string& text) { return std::atoi(text.c_str()); }

  Schedule make(const Case& c) const {
    const std::vector<std::string>& a = c.arguments;
    if (c.factory == "linear") return Schedule::linear(integer(a.at(0)), number(a.at(1)), number(a.at(2)));
    if (c.factory == "scaled_linear")
      return Schedule::scaled_linear(integer(a.at(0)), number(a.at(1)), number(a.at(2)));
    if (c.factory == "sigmoid") return Schedule::sigmoid(integer(a.at(0)), number(a.at(1)), number(a.at(2)));
    if (c.factory == "cosine") return Schedule::cosine(integer(a.at(0)), number(a.at(1)), number(a.at(2)));
    if (c.factory == "constant") return Schedule::constant(integer(a.at(0)), number(a.at(1)));
    if (c.factory == "from_betas") return Schedule::from_betas(read_doubles(a.at(0), 0));
    if (c.factory == "from_alpha_bars") return Schedule::from_alpha_bars(read_doubles(a.at(0), 0));
    if (c.factory == "from_alpha_bar_function") {
      // f returns the doubles the script wrote for each u = t/T; an unexpected u throws.
      const std::vector<double> u = read_doubles(a.at(2), 0);
      const std::vector<double> f = read_doubles(a.at(2), 2);
      std::map<double, double> table;
      for (std::size_t i = 0; i < u.size(); ++i) table.emplace(u[i], f[i]);
      return Schedule::from_alpha_bar_function(
          integer(a.at(0)), [table](double x) { return table.at(x); }, number(a.at(1)));
    }
    if (c.factory == "zero_terminal_snr") return built_.at(a.at(0)).zero_terminal_snr();
    if (c.factory == "respaced") {
      std::vector<int> kept;
      for (const std::string& k : test_support::split(a.at(1), ',')) kept.push_back(integer(k));
      return built_.at(a.at(0)).respaced(kept);
    }
    throw std::runtime_error("unknown factory " + c.factory + " in index.txt");
  }

  std::set<std::string> bases_;
  std::map<std::string, Schedule> built_;
};

/// A per-step quantity of Schedule<T>: its CSV column, the step query, the whole-schedule vector
/// and the first step it is defined at.
template <class T>
struct Column {
  using Schedule = diffuse::Schedule<T>;
  std::string name;
  T (Schedule::*step)(int) const;
  typename Schedule::Vector (Schedule::*whole)() const;
  int first;
};

template <class T>
std::vector<Column<T>> columns() {
  using S = diffuse::Schedule<T>;
  return {{"beta", &S::beta, &S::betas, 1},
          {"alpha", &S::alpha, &S::alphas, 1},
          {"alpha_bar", &S::alpha_bar, &S::alpha_bars, 0},
          {"one_minus_alpha_bar", &S::one_minus_alpha_bar, &S::one_minus_alpha_bars, 0},
          {"sqrt_alpha_bar", &S::sqrt_alpha_bar, &S::sqrt_alpha_bars, 0},
          {"sqrt_one_minus_alpha_bar", &S::sqrt_one_minus_alpha_bar, &S::sqrt_one_minus_alpha_bars, 0},
          {"log_alpha_bar", &S::log_alpha_bar, &S::log_alpha_bars, 0},
          {"snr", &S::snr, &S::snrs, 0},
          {"log_snr", &S::log_snr, &S::log_snrs, 0},
          {"sigma", &S::sigma, &S::sigmas, 0},
          {"posterior_variance", &S::posterior_variance, &S::posterior_variances, 1}};
}

}  // namespace schedule_reference
