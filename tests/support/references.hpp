// Reading the reference files of tests/reference (DIFFUSE_TEST_REFERENCE_DIR): paths, lines, records
// of words into named structs, CSV tables, and reference numbers read exactly.
#pragma once

#include <diffuse/detail/wide_decimal.hpp>

#include <cstddef>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace test_support {

/// The path of a file under tests/reference.
inline std::string reference_path(const std::string& file) {
  return std::string(DIFFUSE_TEST_REFERENCE_DIR) + "/" + file;
}

/// A file under tests/reference, open for reading.
inline std::ifstream open_reference(const std::string& file) {
  std::ifstream in(reference_path(file));
  if (!in) throw std::runtime_error("cannot open reference file " + reference_path(file));
  return in;
}

/// The lines of a file under tests/reference that are not empty or comments.
inline std::vector<std::string> data_lines(const std::string& file) {
  std::ifstream in = open_reference(file);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != '#') lines.push_back(line);
  }
  return lines;
}

/// text split at every separator (a trailing separator gives a last empty part).
inline std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, separator)) parts.push_back(part);
  if (!text.empty() && text.back() == separator) parts.emplace_back();
  return parts;
}

/// The words of every line of `file` whose first word is `kind` (the kind dropped).
inline std::vector<std::vector<std::string>> load_words(const std::string& file, const std::string& kind) {
  std::ifstream in = open_reference(file);
  std::vector<std::vector<std::string>> records;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string first;
    if (!(words >> first) || first != kind) continue;
    std::vector<std::string> r;
    for (std::string w; words >> w;) r.push_back(w);
    records.push_back(r);
  }
  if (records.empty()) throw std::runtime_error("no '" + kind + "' records in " + file);
  return records;
}

/// Every record of `kind` in `file` read into a Record, its words in the order of `fields` (pointers
/// to std::string members); words after them go into `rest` when it is given (a record of
/// variable length), else a record with another number of words throws.
template <class Record, class... Fields>
std::vector<Record> load_into(const std::string& file, const std::string& kind, std::vector<std::string> Record::*rest,
                              Fields... fields) {
  std::vector<Record> out;
  for (const std::vector<std::string>& words : load_words(file, kind)) {
    const bool short_record = words.size() < sizeof...(fields);
    if (short_record || (rest == nullptr && words.size() != sizeof...(fields))) {
      throw std::runtime_error("a '" + kind + "' record of " + file + " has " + std::to_string(words.size()) +
                               " words, not " + std::to_string(sizeof...(fields)));
    }
    Record r{};
    std::size_t i = 0;
    ((r.*fields = words[i++]), ...);
    if (rest != nullptr) (r.*rest).assign(words.begin() + static_cast<std::ptrdiff_t>(i), words.end());
    out.push_back(r);
  }
  return out;
}

/// Every record of `kind` in `file`, of exactly the words `fields` name.
template <class Record, class... Fields>
std::vector<Record> load(const std::string& file, const std::string& kind, Fields... fields) {
  return load_into<Record>(file, kind, static_cast<std::vector<std::string> Record::*>(nullptr), fields...);
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

inline Csv read_csv(const std::string& file) {
  const std::vector<std::string> lines = data_lines(file);
  Csv csv;
  csv.header = split(lines.at(0), ',');
  for (std::size_t i = 1; i < lines.size(); ++i) csv.rows.push_back(split(lines[i], ','));
  return csv;
}

/// A decimal (or "inf", "-inf", a C99 hex float) rounded correctly to T.
template <class T>
T parse(const std::string& text);
template <>
inline float parse<float>(const std::string& text) {
  return std::strtof(text.c_str(), nullptr);
}
template <>
inline double parse<double>(const std::string& text) {
  return std::strtod(text.c_str(), nullptr);
}
template <>
inline long double parse<long double>(const std::string& text) {
  return std::strtold(text.c_str(), nullptr);
}

/// The exact value of a reference number (40 significant digits, "inf", "-inf"), read into
/// diffuse's 128-bit Wide: within 4 units of 2⁻¹²⁸ relative of the decimal (parse_decimal takes 38
/// digits exactly and rounds the rest and the scaling; 3.2 units measured on 40-digit decimals), so
/// a value that lies exactly halfway between two values of T (1 − β for a double β, say) reads as
/// within that of halfway, and a contract's slack must cover it.
inline diffuse::detail::Wide exact(const std::string& text) {
  diffuse::detail::Wide w;
  if (!diffuse::detail::parse_decimal(text, w)) throw std::runtime_error("not a number: " + text);
  return w;
}

/// An input of a reference (a float32 value written exactly) as T: exact in float, double and long double.
template <class T>
T input(const std::string& text) {
  return static_cast<T>(exact(text));
}

}  // namespace test_support
