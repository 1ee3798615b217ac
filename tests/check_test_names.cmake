# Fails when a test name in tests/test_*.cpp would break catch_discover_tests, which reads the names
# back into a CMake list: a `;` splits a name in two, and an unbalanced `[` or `]` stops the
# splitting, so the names that follow merge into one entry that matches no test case (Catch2 v3
# fails it, v2.13 runs nothing and passes it). Catch2 v2.13's discovery does not escape `\`, and a
# leading `~` or a leading or trailing `*` makes the name an exclusion or a wildcard. Brackets are
# out altogether, balanced or not; the tags (the second argument) keep theirs.
#   cmake -DTEST_DIR=<the tests folder> -P check_test_names.cmake
set(macro "[A-Z_]*(TEST_CASE|SCENARIO)\\([ \t\r\n]*")
set(bad_name "\"([^\"]*[][;\\\\][^\"]*|[~*][^\"]*|[^\"]*[*])\"")
file(GLOB sources "${TEST_DIR}/test_*.cpp")
set(report "")
foreach(source IN LISTS sources)
  get_filename_component(file "${source}" NAME)
  file(READ "${source}" text)
  while(text MATCHES "${macro}(${bad_name})")
    string(APPEND report "\n  ${file}: ${CMAKE_MATCH_2}")
    string(REPLACE "${CMAKE_MATCH_0}" "" text "${text}")
  endwhile()
endforeach()
if(report)
  message(FATAL_ERROR "Test names that catch_discover_tests cannot register one by one (with [ ] ; \\ "
                      "anywhere, ~ or * first, or * last); say it in words:${report}")
endif()
list(LENGTH sources count)
message(STATUS "The test names of ${count} files are safe for catch_discover_tests")
