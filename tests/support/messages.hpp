// What an exception says: error_message and throws_with, the helpers every test of an argument rule uses.
#pragma once

#include <exception>
#include <string>
#include <vector>

namespace test_support {

/// The message of the Exception that f throws, or a description of what happened instead.
template <class Exception, class F>
std::string error_message(F&& f) {
  try {
    f();
  } catch (const Exception& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("<another exception type: ") + e.what() + ">";
  }
  return "<no exception>";
}

/// True if f throws Exception with a message that contains every one of `fragments`.
template <class Exception, class F>
bool throws_with(F&& f, const std::vector<std::string>& fragments) {
  const std::string message = error_message<Exception>(f);
  if (message.rfind("<", 0) == 0) return false;  // another type, or nothing thrown
  for (const std::string& fragment : fragments) {
    if (message.find(fragment) == std::string::npos) return false;
  }
  return true;
}

}  // namespace test_support
