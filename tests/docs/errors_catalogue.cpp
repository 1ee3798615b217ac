// docs.errors_catalogue_matches_code: docs/errors.md lists exactly the rules the code can throw.
//
// Usage: errors_catalogue <source dir> [--list]
//
// The code side. Every header under include/diffuse/ is read as C++ tokens (comments and
// preprocessor lines dropped, adjacent string literals joined). A message is what detail::raise
// is given; its rule is the part between "diffuse::<function>: " and " (got ". A message is an
// expression of `+`-joined operands, read as a pattern: a string literal is its text, a decimal
// integer is its digits, a parameter of the enclosing function stays a parameter, a local variable
// is read from its initialiser (a loop variable is a placeholder), std::string(x),
// std::to_string(x) and detail::name_text(x) are x, a lambda is what it returns, and anything else
// (a conditional, a sum without a string in it, a member, a call) is a placeholder. A pattern that
// still holds a parameter makes its function a rule template (detail::fail, each function of
// detail/checks.hpp, io's reject, ...), and every call of that function by name (not as a member,
// obj.f()) fills the parameters in from its arguments, or their defaults; this repeats until
// nothing new appears. Every pattern without parameters is a rule the code can throw, with the
// place of the call that completed it; a template that no call completes (a member function's)
// counts too, its parameters as placeholders.
//
// The doc side. In every table of docs/errors.md whose header has a column starting with "rule",
// each backticked text of that column that contains a space is a rule; <...> and … in it are
// placeholders.
//
// A code rule and a doc rule match when some message fits both: a placeholder of the code stands
// for any text, one of the doc for a value or a name (letters, digits, _ . + − and the like, no
// blanks or brackets) or a placeholder of the code. The test fails, naming the line, for a code
// rule that matches no doc rule (undocumented) and for a doc rule that matches no code rule
// (stale). --list prints both lists, and the first code rule each doc rule matched.
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

// ---------------------------------------------------------------------------------------------
// Tokens

enum class Kind { identifier, number, string, character, punctuation };

struct Token {
  Kind kind;
  std::string text;  // a string literal: its value, escapes decoded
  int line;
};

bool is_identifier_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_identifier_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

/// The tokens of a C++ header: comments and preprocessor lines dropped, adjacent string literals joined.
std::vector<Token> tokenize(const std::string& s) {
  std::vector<Token> out;
  std::size_t i = 0;
  int line = 1;
  bool line_start = true;
  const std::size_t n = s.size();
  auto advance = [&](std::size_t to) {
    for (; i < to && i < n; ++i) {
      if (s[i] == '\n') ++line;
    }
  };
  while (i < n) {
    const char c = s[i];
    if (c == '\n') {
      ++line;
      ++i;
      line_start = true;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
      continue;
    }
    if (c == '#' && line_start) {  // a preprocessor line, with its continuations
      while (i < n && s[i] != '\n') {
        if (s[i] == '\\' && i + 1 < n && s[i + 1] == '\n')
          advance(i + 2);
        else
          ++i;
      }
      continue;
    }
    line_start = false;
    if (s.compare(i, 2, "//") == 0) {
      while (i < n && s[i] != '\n') ++i;
      continue;
    }
    if (s.compare(i, 2, "/*") == 0) {
      const std::size_t end = s.find("*/", i + 2);
      advance(end == std::string::npos ? n : end + 2);
      continue;
    }
    // String literals, with an encoding prefix or raw.
    std::size_t j = i;
    while (j < n && (s[j] == 'u' || s[j] == '8' || s[j] == 'L' || s[j] == 'U') && j - i < 2) ++j;
    const bool raw = j < n && s[j] == 'R' && j + 1 < n && s[j + 1] == '"';
    if (raw || (j < n && s[j] == '"')) {
      const int start_line = line;
      std::string value;
      if (raw) {
        const std::size_t open = s.find('(', j + 2);
        const std::string close = ")" + s.substr(j + 2, open - j - 2) + "\"";
        const std::size_t end = s.find(close, open);
        value = s.substr(open + 1, end - open - 1);
        advance(end + close.size());
      } else {
        std::size_t k = j + 1;
        while (k < n && s[k] != '"') {
          if (s[k] == '\\' && k + 1 < n) {
            const char e = s[k + 1];
            value += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == '0' ? '\0' : e;
            k += 2;
          } else {
            value += s[k++];
          }
        }
        advance(k + 1);
      }
      if (!out.empty() && out.back().kind == Kind::string) {
        out.back().text += value;
      } else {
        out.push_back({Kind::string, value, start_line});
      }
      continue;
    }
    if (c == '\'') {
      std::size_t k = i + 1;
      while (k < n && s[k] != '\'') k += s[k] == '\\' ? 2 : 1;
      out.push_back({Kind::character, s.substr(i, k + 1 - i), line});
      advance(k + 1);
      continue;
    }
    if (is_identifier_start(c)) {
      std::size_t k = i;
      while (k < n && is_identifier_char(s[k])) ++k;
      out.push_back({Kind::identifier, s.substr(i, k - i), line});
      i = k;
      continue;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) {
      std::size_t k = i;
      while (k < n && (is_identifier_char(s[k]) || s[k] == '.' || s[k] == '\'')) ++k;
      out.push_back({Kind::number, s.substr(i, k - i), line});
      i = k;
      continue;
    }
    for (const char* two : {"::", "->", "&&", "||", "==", "!=", "<=", ">="}) {
      if (s.compare(i, 2, two) == 0) {
        out.push_back({Kind::punctuation, two, line});
        i += 2;
        goto next;
      }
    }
    out.push_back({Kind::punctuation, std::string(1, c), line});
    ++i;
  next:;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Patterns: literal text, placeholders and parameters of the enclosing function

struct Part {
  enum Type { literal, placeholder, parameter } type;
  std::string text;  // literal
  int index = -1;    // parameter
};
using Pattern = std::vector<Part>;

void append(Pattern& p, const Part& part) {
  if (part.type == Part::literal && part.text.empty()) return;
  if (!p.empty() && part.type == Part::literal && p.back().type == Part::literal) {
    p.back().text += part.text;
  } else if (!p.empty() && part.type == Part::placeholder && p.back().type == Part::placeholder) {
    // one placeholder stands for any text already
  } else {
    p.push_back(part);
  }
}
void append(Pattern& p, const Pattern& q) {
  for (const Part& part : q) append(p, part);
}
Pattern placeholder() { return {Part{Part::placeholder, "", -1}}; }
bool has_parameter(const Pattern& p) {
  return std::any_of(p.begin(), p.end(), [](const Part& x) { return x.type == Part::parameter; });
}
/// The pattern as text: a placeholder is shown as *, parameter i as {i}.
std::string show(const Pattern& p) {
  std::string s;
  for (const Part& part : p) {
    s += part.type == Part::literal       ? part.text
         : part.type == Part::placeholder ? "*"
                                          : "{" + std::to_string(part.index) + "}";
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// The code: function definitions, calls, and the pattern of an expression

struct Function {
  std::string name;
  std::vector<std::string> parameters;
  std::size_t body_begin, body_end;                           // tokens of the body, braces excluded
  std::vector<std::pair<std::size_t, std::size_t>> defaults;  // the default argument of each parameter (empty if none)
};

struct Source {
  std::string path;  // relative to the source dir
  std::vector<Token> tokens;
  std::vector<Function> functions;
};

const std::set<std::string> keywords = {
    "if",    "for",  "while", "switch", "catch", "return", "sizeof",   "decltype", "alignof", "static_assert",
    "throw", "else", "do",    "case",   "new",   "delete", "noexcept", "alignas",  "typeid",  "co_return"};

/// The index just past the bracket that closes the one at `open` ( ( [ { or < ).
std::size_t close_of(const std::vector<Token>& t, std::size_t open) {
  const std::string o = t[open].text;
  const std::string c = o == "(" ? ")" : o == "[" ? "]" : o == "{" ? "}" : ">";
  int depth = 0;
  for (std::size_t k = open; k < t.size(); ++k) {
    if (t[k].kind != Kind::punctuation) continue;
    if (t[k].text == o) ++depth;
    if (t[k].text == c && --depth == 0) return k + 1;
  }
  return t.size();
}

bool is(const std::vector<Token>& t, std::size_t k, const char* text) {
  return k < t.size() && t[k].kind == Kind::punctuation && t[k].text == text;
}

/// The ranges of the comma-separated items in [b, e), split at depth 0 of () [] {} (and <> if angle).
std::vector<std::pair<std::size_t, std::size_t>> split(const std::vector<Token>& t, std::size_t b, std::size_t e,
                                                       const char* separator, bool angle) {
  std::vector<std::pair<std::size_t, std::size_t>> items;
  int depth = 0;
  std::size_t start = b;
  for (std::size_t k = b; k < e; ++k) {
    if (t[k].kind != Kind::punctuation) continue;
    const std::string& x = t[k].text;
    if (x == "(" || x == "[" || x == "{" || (angle && x == "<")) ++depth;
    if (x == ")" || x == "]" || x == "}" || (angle && x == ">")) --depth;
    if (depth == 0 && x == separator) {
      items.emplace_back(start, k);
      start = k + 1;
    }
  }
  if (start < e || !items.empty()) items.emplace_back(start, e);
  return items;
}

/// Where a definition's body opens, if the ( at `open` starts its parameter list; 0 otherwise.
std::size_t body_of_definition(const std::vector<Token>& t, std::size_t open) {
  std::size_t k = close_of(t, open);
  while (k < t.size() && t[k].kind == Kind::identifier &&
         (t[k].text == "const" || t[k].text == "noexcept" || t[k].text == "override" || t[k].text == "final")) {
    ++k;
  }
  if (is(t, k, "->")) {  // a trailing return type
    while (k < t.size() && !is(t, k, "{") && !is(t, k, ";")) k = is(t, k, "(") ? close_of(t, k) : k + 1;
  }
  if (is(t, k, ":")) {  // a constructor's member initialisers
    ++k;
    while (k < t.size()) {
      while (k < t.size() && (t[k].kind == Kind::identifier || is(t, k, "::"))) ++k;
      if (is(t, k, "(") || is(t, k, "{")) k = close_of(t, k);
      if (!is(t, k, ",")) break;
      ++k;
    }
  }
  return is(t, k, "{") ? k : 0;
}

void find_functions(Source& src) {
  const std::vector<Token>& t = src.tokens;
  for (std::size_t k = 0; k + 1 < t.size(); ++k) {
    if (t[k].kind != Kind::identifier || keywords.count(t[k].text) || !is(t, k + 1, "(")) continue;
    if (k > 0 && (is(t, k - 1, ".") || is(t, k - 1, "->"))) continue;
    const std::size_t body = body_of_definition(t, k + 1);
    if (body == 0) continue;
    Function f{t[k].text, {}, body + 1, close_of(t, body) - 1, {}};
    for (const auto& item : split(t, k + 2, close_of(t, k + 1) - 1, ",", true)) {
      std::string name;
      std::size_t m = item.first;
      for (; m < item.second && !is(t, m, "="); ++m) {
        if (t[m].kind == Kind::identifier) name = t[m].text;
      }
      f.parameters.push_back(name);
      f.defaults.emplace_back(m < item.second ? m + 1 : item.second, item.second);
    }
    src.functions.push_back(f);
  }
}

/// The innermost function whose body holds token k, or null.
const Function* enclosing(const Source& src, std::size_t k) {
  const Function* best = nullptr;
  for (const Function& f : src.functions) {
    if (f.body_begin <= k && k < f.body_end && (!best || f.body_begin > best->body_begin)) best = &f;
  }
  return best;
}

Pattern pattern_of(const Source& src, const Function* context, std::size_t b, std::size_t e, int depth);

/// The pattern of a lambda at [b, e): what its body returns.
Pattern lambda_pattern(const Source& src, const Function* context, std::size_t b, std::size_t e, int depth) {
  const std::vector<Token>& t = src.tokens;
  std::size_t k = close_of(t, b);  // past the captures
  if (is(t, k, "(")) k = close_of(t, k);
  while (k < e && !is(t, k, "{")) ++k;
  if (k >= e) return placeholder();
  const std::size_t end = close_of(t, k) - 1;
  for (std::size_t m = k + 1; m < end; ++m) {
    if (t[m].kind == Kind::identifier && t[m].text == "return") {
      std::size_t stop = m + 1;
      while (stop < end && !is(t, stop, ";"))
        stop = is(t, stop, "(") || is(t, stop, "[") || is(t, stop, "{") ? close_of(t, stop) : stop + 1;
      return pattern_of(src, context, m + 1, stop, depth + 1);
    }
  }
  return placeholder();
}

/// The pattern of the initialiser of local variable `name` declared before token `use`.
Pattern local_pattern(const Source& src, const Function* context, const std::string& name, std::size_t use, int depth) {
  const std::vector<Token>& t = src.tokens;
  if (!context || depth > 4) return placeholder();
  for (std::size_t k = use; k-- > context->body_begin;) {
    if (t[k].kind == Kind::identifier && t[k].text == name && is(t, k + 1, "=") &&
        !(k > 0 && (is(t, k - 1, ".") || is(t, k - 1, "->")))) {
      std::size_t m = k;  // a loop variable takes many values: for (int t = 1; ...)
      while (m > context->body_begin && (t[m - 1].kind == Kind::identifier || is(t, m - 1, "::") || is(t, m - 1, "<") ||
                                         is(t, m - 1, ">") || is(t, m - 1, "*") || is(t, m - 1, "&"))) {
        --m;
      }
      if (m >= 2 && is(t, m - 1, "(") && t[m - 2].text == "for") return placeholder();
      std::size_t stop = k + 2;
      while (stop < t.size() && !is(t, stop, ";"))
        stop = is(t, stop, "(") || is(t, stop, "[") || is(t, stop, "{") ? close_of(t, stop) : stop + 1;
      return pattern_of(src, context, k + 2, stop, depth + 1);
    }
  }
  return placeholder();
}

/// The pattern of the expression [b, e) inside `context`.
Pattern pattern_of(const Source& src, const Function* context, std::size_t b, std::size_t e, int depth) {
  const std::vector<Token>& t = src.tokens;
  Pattern p;
  if (depth > 8) return placeholder();
  for (std::size_t k = b; k < e; ++k) {  // a conditional expression: any of its values
    if (is(t, k, "(") || is(t, k, "[") || is(t, k, "{"))
      k = close_of(t, k) - 1;
    else if (is(t, k, "?"))
      return placeholder();
  }
  const auto operands = split(t, b, e, "+", false);
  bool text = operands.size() < 2;  // a sum of several operands is text only if one of them is
  for (const auto& operand : operands) {
    std::size_t ob = operand.first, oe = operand.second;
    if (ob >= oe) continue;
    if (oe - ob == 1 && t[ob].kind == Kind::string) {
      append(p, Part{Part::literal, t[ob].text, -1});
      text = true;
      continue;
    }
    if (oe - ob == 1 && t[ob].kind == Kind::number && t[ob].text.find_first_not_of("0123456789") == std::string::npos) {
      append(p, Part{Part::literal, t[ob].text, -1});
      continue;
    }
    if (oe - ob == 1 && t[ob].kind == Kind::identifier) {
      const std::string& name = t[ob].text;
      int index = -1;
      if (context) {
        for (std::size_t i = 0; i < context->parameters.size(); ++i) {
          if (context->parameters[i] == name) index = static_cast<int>(i);
        }
      }
      if (index >= 0) {
        append(p, Part{Part::parameter, "", index});
      } else {
        const Pattern local = local_pattern(src, context, name, ob, depth);
        text = text || std::any_of(local.begin(), local.end(), [](const Part& x) { return x.type == Part::literal; });
        append(p, local);
      }
      continue;
    }
    if (is(t, ob, "[")) {
      append(p, lambda_pattern(src, context, ob, oe, depth));
      text = true;
      continue;
    }
    // std::string(x), std::to_string(x), detail::name_text(x): x.
    std::size_t k = ob;
    while (k + 1 < oe && (t[k].kind == Kind::identifier || is(t, k, "::")) && !is(t, k + 1, "(")) ++k;
    if (t[k].kind == Kind::identifier && is(t, k + 1, "(") && close_of(t, k + 1) == oe &&
        (t[k].text == "string" || t[k].text == "to_string" || t[k].text == "name_text")) {
      append(p, pattern_of(src, context, k + 2, oe - 1, depth + 1));
      text = true;
      continue;
    }
    append(p, placeholder());
  }
  return text ? p : placeholder();
}

/// The rule of a message: what follows "diffuse::<function>: ", up to " (got ".
Pattern rule_of_message(const Pattern& message) {
  Pattern rule;
  bool started = false, ended = false;
  for (const Part& part : message) {
    if (ended) break;
    Part x = part;
    if (!started) {
      if (x.type != Part::literal) continue;
      const std::size_t colon = x.text.find(": ");
      if (colon == std::string::npos) continue;
      started = true;
      x.text = x.text.substr(colon + 2);
    }
    if (x.type == Part::literal) {
      const std::size_t got = x.text.find(" (got ");
      if (got != std::string::npos) {
        x.text = x.text.substr(0, got);
        ended = true;
      }
    }
    append(rule, x);
  }
  return started ? rule : placeholder();
}

/// p with parameter i replaced by args[i] (a placeholder where no argument is given).
Pattern substitute(const Pattern& p, const std::vector<Pattern>& args) {
  Pattern out;
  for (const Part& part : p) {
    if (part.type != Part::parameter)
      append(out, part);
    else if (part.index < static_cast<int>(args.size()))
      append(out, args[static_cast<std::size_t>(part.index)]);
    else
      append(out, placeholder());
  }
  return out;
}

struct Rule {
  Pattern pattern;
  std::string where;
};

/// A function whose messages depend on its parameters: each message's rule as a pattern of them,
/// and the patterns of its default arguments.
struct Template {
  std::map<std::string, Pattern> rules;
  std::string where;              // the first place a rule of it was found
  bool called = false;            // whether a call filled in all its parameters
  std::vector<Pattern> defaults;  // an empty pattern where a parameter has no default
  std::size_t least_arguments = 0;
};

// ---------------------------------------------------------------------------------------------
// Matching: is there a message that fits both patterns?

/// A pattern as symbols: bytes, and -1 for a placeholder (parameters too).
std::vector<int> symbols(const Pattern& p) {
  std::vector<int> s;
  for (const Part& part : p) {
    if (part.type == Part::literal) {
      for (const char c : part.text) s.push_back(static_cast<unsigned char>(c));
    } else {
      s.push_back(-1);
    }
  }
  return s;
}

/// Whether c can be part of a value or a name: a letter, a digit, _ . + - or a byte of a UTF-8 sequence (−).
bool value_char(int c) { return c >= 0x80 || std::isalnum(c) || c == '_' || c == '.' || c == '+' || c == '-'; }

/// Whether some message fits both the code's pattern a and the doc's pattern b: a placeholder of the
/// code stands for any text, one of the doc (<t>, <R> x <C>, …) for a placeholder of the code or for
/// a value or a name (value_char).
bool overlap(const std::vector<int>& a, const std::vector<int>& b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<char>> reach(n + 1, std::vector<char>(m + 1, 0));
  reach[0][0] = 1;
  for (std::size_t i = 0; i <= n; ++i) {
    for (std::size_t j = 0; j <= m; ++j) {
      if (!reach[i][j]) continue;
      if (i < n && a[i] < 0) {
        reach[i + 1][j] = 1;             // the placeholder stands for nothing more
        if (j < m) reach[i][j + 1] = 1;  // or takes b's next symbol
      }
      if (j < m && b[j] < 0) {
        reach[i][j + 1] = 1;
        if (i < n && (a[i] < 0 || value_char(a[i]))) reach[i + 1][j] = 1;
      }
      if (i < n && j < m && a[i] >= 0 && a[i] == b[j]) reach[i + 1][j + 1] = 1;
    }
  }
  return reach[n][m] != 0;
}

// ---------------------------------------------------------------------------------------------
// The doc

struct DocRule {
  std::string text;
  int line;
  Pattern pattern;
};

std::vector<std::string> cells_of(const std::string& row) {
  std::vector<std::string> cells;
  std::string cell;
  bool code = false;
  for (std::size_t k = 0; k < row.size(); ++k) {
    const char c = row[k];
    if (c == '`') code = !code;
    if (c == '|' && !code) {
      cells.push_back(cell);
      cell.clear();
    } else {
      cell += c;
    }
  }
  cells.push_back(cell);
  if (!cells.empty()) cells.erase(cells.begin());  // before the first |
  if (!cells.empty()) cells.pop_back();            // after the last |
  return cells;
}

std::string trim(const std::string& s) {
  const std::size_t a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t") - a + 1);
}

/// <...> and … are placeholders.
Pattern doc_pattern(const std::string& text) {
  Pattern p;
  const std::string ellipsis = "\xe2\x80\xa6";
  for (std::size_t k = 0; k < text.size();) {
    if (text[k] == '<') {
      const std::size_t close = text.find('>', k);
      if (close != std::string::npos && text.find('<', k + 1) > close) {
        append(p, placeholder());
        k = close + 1;
        continue;
      }
    }
    if (text.compare(k, ellipsis.size(), ellipsis) == 0) {
      append(p, placeholder());
      k += ellipsis.size();
      continue;
    }
    append(p, Part{Part::literal, std::string(1, text[k]), -1});
    ++k;
  }
  return p;
}

std::vector<DocRule> read_doc(const std::string& path) {
  std::ifstream in(path);
  std::vector<DocRule> rules;
  std::string line;
  int number = 0, column = -1;
  bool in_table = false;
  std::string previous;
  while (std::getline(in, line)) {
    ++number;
    const std::string row = trim(line);
    if (row.empty() || row[0] != '|') {
      in_table = false;
      column = -1;
      previous = row;
      continue;
    }
    if (!in_table) {  // the header row
      in_table = true;
      const std::vector<std::string> header = cells_of(row);
      for (std::size_t c = 0; c < header.size(); ++c) {
        if (trim(header[c]).rfind("rule", 0) == 0) column = static_cast<int>(c);
      }
      continue;
    }
    if (row.rfind("|---", 0) == 0 || row.rfind("| ---", 0) == 0) continue;
    const std::vector<std::string> cells = cells_of(row);
    if (column < 0 || column >= static_cast<int>(cells.size())) continue;
    const std::string& cell = cells[static_cast<std::size_t>(column)];
    for (std::size_t a = cell.find('`'); a != std::string::npos; a = cell.find('`', a)) {
      const std::size_t b = cell.find('`', a + 1);
      if (b == std::string::npos) break;
      const std::string text = cell.substr(a + 1, b - a - 1);
      if (text.find(' ') != std::string::npos) rules.push_back({text, number, doc_pattern(text)});
      a = b + 1;
    }
  }
  return rules;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: errors_catalogue <source dir> [--list]\n";
    return 2;
  }
  namespace fs = std::filesystem;
  const fs::path root = argv[1];
  const bool list = argc > 2 && std::string(argv[2]) == "--list";

  std::vector<Source> sources;
  std::vector<fs::path> paths;
  for (const auto& entry : fs::recursive_directory_iterator(root / "include" / "diffuse")) {
    if (entry.is_regular_file() && entry.path().extension() == ".hpp") paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  for (const fs::path& path : paths) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    Source src{fs::relative(path, root).generic_string(), tokenize(text.str()), {}};
    find_functions(src);
    sources.push_back(std::move(src));
  }

  // Rule templates (function name -> patterns with parameters) and rules, to a fixed point.
  std::map<std::string, Rule> rules;                       // keyed by pattern and place
  std::map<std::string, std::vector<Template>> templates;  // by function name; one per overload
  auto template_of = [&](const Source& src, const Function& f) -> Template& {
    std::vector<Template>& overloads = templates[f.name];
    for (Template& candidate : overloads) {
      if (candidate.defaults.size() == f.parameters.size()) return candidate;
    }
    Template made;
    for (const auto& range : f.defaults)
      made.defaults.push_back(pattern_of(src, nullptr, range.first, range.second, 0));
    made.least_arguments = f.parameters.size();
    while (made.least_arguments > 0 && !made.defaults[made.least_arguments - 1].empty()) --made.least_arguments;
    overloads.push_back(made);
    return overloads.back();
  };
  auto count_all = [&] {
    std::size_t count = rules.size();
    for (const auto& entry : templates) {
      for (const Template& overload : entry.second) count += overload.rules.size();
    }
    return count;
  };
  for (int pass = 0; pass < 16; ++pass) {
    const std::size_t before = count_all();
    for (const Source& src : sources) {
      const std::vector<Token>& t = src.tokens;
      for (std::size_t k = 0; k + 1 < t.size(); ++k) {
        if (t[k].kind != Kind::identifier) continue;
        const std::string& name = t[k].text;
        const bool is_raise = name == "raise";
        const auto found = templates.find(name);
        if (!is_raise && found == templates.end()) continue;
        std::size_t open = k + 1;
        if (is(t, open, "<")) open = close_of(t, open);
        if (!is(t, open, "(")) continue;
        if (open == k + 1 && body_of_definition(t, open) != 0) continue;  // its definition
        std::size_t q = k;                                                // the start of the qualified name
        while (q >= 2 && is(t, q - 1, "::") && t[q - 2].kind == Kind::identifier) q -= 2;
        if (q > 0 && ((t[q - 1].kind == Kind::identifier && !keywords.count(t[q - 1].text)) || is(t, q - 1, ">"))) {
          continue;  // a declaration
        }
        if (q > 0 && (is(t, q - 1, ".") || is(t, q - 1, "->"))) continue;  // a member function
        const Function* context = enclosing(src, k);
        std::vector<Pattern> args;
        for (const auto& item : split(t, open + 1, close_of(t, open) - 1, ",", false)) {
          args.push_back(pattern_of(src, context, item.first, item.second, 0));
        }
        std::vector<Pattern> results;
        if (is_raise) {
          if (!args.empty()) results.push_back(rule_of_message(args[0]));
        } else {
          for (Template& overload : found->second) {
            if (args.size() < overload.least_arguments || args.size() > overload.defaults.size()) continue;
            std::vector<Pattern> filled = args;
            for (std::size_t i = args.size(); i < overload.defaults.size(); ++i) filled.push_back(overload.defaults[i]);
            for (const auto& entry : overload.rules) {
              results.push_back(substitute(entry.second, filled));
              if (!has_parameter(results.back())) overload.called = true;
            }
          }
        }
        for (const Pattern& r : results) {
          if (has_parameter(r)) {
            if (context) {
              Template& made = template_of(src, *context);
              if (made.where.empty()) made.where = src.path + ":" + std::to_string(t[k].line);
              made.rules.emplace(show(r), r);
            }
          } else {
            const std::string where = src.path + ":" + std::to_string(t[k].line);
            rules.emplace(show(r) + "\n" + where, Rule{r, where});
          }
        }
      }
    }
    if (count_all() == before && pass > 0) break;
  }

  // A function only ever called as a member (schedule.alpha_bar_ratio(s, t)) keeps its parameters:
  // its rules count with placeholders for them.
  for (const auto& entry : templates) {
    for (const Template& overload : entry.second) {
      if (overload.called) continue;
      for (const auto& r : overload.rules) {
        const Pattern open = substitute(r.second, {});
        rules.emplace(show(open) + "\n" + overload.where, Rule{open, overload.where});
      }
    }
  }

  const std::vector<DocRule> doc = read_doc((root / "docs" / "errors.md").string());
  if (list) {
    std::cout << "rule templates:\n";
    for (const auto& entry : templates) {
      for (const Template& overload : entry.second) {
        for (const auto& p : overload.rules) std::cout << "  " << entry.first << ": " << p.first << "\n";
      }
    }
    std::cout << "rules in the code:\n";
    for (const auto& entry : rules)
      std::cout << "  " << entry.second.where << ": " << show(entry.second.pattern) << "\n";
    std::cout << "rules in docs/errors.md:\n";
    for (const DocRule& d : doc) std::cout << "  docs/errors.md:" << d.line << ": " << d.text << "\n";
  }

  int failures = 0;
  std::vector<std::vector<int>> doc_symbols;
  for (const DocRule& d : doc) doc_symbols.push_back(symbols(d.pattern));
  std::vector<std::string> doc_found_at(doc.size());
  for (const auto& entry : rules) {
    const std::vector<int> code = symbols(entry.second.pattern);
    bool documented = false;
    for (std::size_t i = 0; i < doc.size(); ++i) {
      if (overlap(code, doc_symbols[i])) {
        documented = true;
        if (doc_found_at[i].empty()) doc_found_at[i] = entry.second.where + ": " + show(entry.second.pattern);
      }
    }
    if (!documented) {
      std::cout << entry.second.where << ": the rule \"" << show(entry.second.pattern)
                << "\" is not in docs/errors.md (* stands for a value)\n";
      ++failures;
    }
  }
  for (std::size_t i = 0; i < doc.size(); ++i) {
    if (list)
      std::cout << "docs/errors.md:" << doc[i].line << ": `" << doc[i].text << "` <- " << doc_found_at[i] << "\n";
    if (doc_found_at[i].empty()) {
      std::cout << "docs/errors.md:" << doc[i].line << ": the rule `" << doc[i].text
                << "` is thrown nowhere in include/diffuse\n";
      ++failures;
    }
  }
  if (rules.empty() || doc.empty()) {
    std::cout << "found " << rules.size() << " rules in the code and " << doc.size()
              << " in docs/errors.md: the reader is broken\n";
    return 1;
  }
  std::cout << rules.size() << " rule sites in include/diffuse, " << doc.size() << " rules in docs/errors.md, "
            << failures << " mismatches\n";
  return failures == 0 ? 0 : 1;
}
