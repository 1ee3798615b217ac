// Test support for the schedule tests: the precision contract and the reference schedules of
// tests/reference/schedules (made by tests/reference/gen_schedule_reference.py); ulp distances and
// exact reference values are in ulp_support.hpp.
#pragma once

#include <diffuse/schedule.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "ulp_support.hpp"

namespace reference {

/// The precision contract of schedule.hpp, in ulps of T at the exact value x: the value is rounded
/// once from a Wide one within 2⁻¹¹⁸(1 + |log ᾱ_t|)·scale of x (scale = |x|, or for the log-SNR
/// |log ᾱ_t| + |log(1 − ᾱ_t)|: see Schedule's comment), so it is within ½ ulp + that; plus the
/// reference's own precision as read into Wide, 2⁻¹²⁶|x|. For float, double and x87 long double
/// this is ½ ulp and a tiny fraction: correctly rounded unless x lies that close to a tie.
template <class T>
double contract_ulps(const diffuse::detail::Wide& x, long double log_alpha_bar, const diffuse::detail::Wide& scale) {
  using diffuse::detail::Wide;
  if (x.is_zero() || !x.is_finite()) return 0;
  const Wide unit = ulp_at<T>(x);
  const Wide evaluation = ldexp(Wide(1) + Wide(std::fabs(log_alpha_bar)), -118) * scale;
  return 0.5 + static_cast<double>((evaluation + ldexp(abs(x), -126)) / unit);
}

/// The same with scale = |x|, in relative terms: ½ + 2⁻¹¹⁸(1 + |log ᾱ_t|)·2^p + 2⁻¹²⁶·2^p ulp
/// (|x| < 2^(e+1) = 2^p ulp), the bound a test can use before it knows the exact value.
template <class T>
double contract_ulps(long double log_alpha_bar) {
  const double p = std::numeric_limits<T>::digits;
  return 0.5 + std::ldexp(1.0 + static_cast<double>(std::fabs(log_alpha_bar)), static_cast<int>(p) - 118) +
         std::ldexp(1.0, static_cast<int>(p) - 126);
}

inline std::string directory() { return std::string(DIFFUSE_TEST_REFERENCE_DIR) + "/schedules/"; }

inline std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, separator)) parts.push_back(part);
  if (!text.empty() && text.back() == separator) parts.emplace_back();
  return parts;
}

/// The lines of a file under tests/reference/schedules that are not empty or comments.
inline std::vector<std::string> data_lines(const std::string& relative_path) {
  std::ifstream in(directory() + relative_path);
  if (!in) throw std::runtime_error("cannot open reference file " + directory() + relative_path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != '#') lines.push_back(line);
  }
  return lines;
}

/// A CSV with a header line, kept as text so that each scalar type parses it with its own rounding.
struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::size_t column(const std::string& name) const {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return i;
    }
    throw std::runtime_error("no column " + name);
  }
};

inline Csv read_csv(const std::string& relative_path) {
  const std::vector<std::string> lines = data_lines(relative_path);
  Csv csv;
  csv.header = split(lines.at(0), ',');
  for (std::size_t i = 1; i < lines.size(); ++i) csv.rows.push_back(split(lines[i], ','));
  return csv;
}

/// One line of index.txt: a case name, its factory and the factory's arguments.
struct Case {
  std::string name;
  std::string factory;
  std::vector<std::string> arguments;
};

inline std::vector<Case> read_index() {
  std::vector<Case> cases;
  for (const std::string& line : data_lines("index.txt")) {
    std::istringstream in(line);
    Case c;
    in >> c.name >> c.factory;
    for (std::string word; in >> word;) c.arguments.push_back(word);
    cases.push_back(c);
  }
  return cases;
}

/// The doubles of an input file: column `column` of every line (hex, read exactly).
inline std::vector<double> read_doubles(const std::string& relative_path, std::size_t column) {
  std::vector<double> values;
  for (const std::string& line : data_lines(relative_path)) {
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
      for (const std::string& k : split(a.at(1), ',')) kept.push_back(integer(k));
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

}  // namespace reference
