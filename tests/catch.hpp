// The only Catch2 include of the tests: Catch2 v3's split headers or v2.13's single header. The tests
// use only what both have: TEST_CASE, TEMPLATE_TEST_CASE, SECTION, REQUIRE, CHECK, CHECK_FALSE,
// CHECK_THROWS_AS, CHECK_NOTHROW, INFO, CAPTURE, and CHECK_THAT with WithinULP and WithinRel.
#pragma once

#if defined(DIFFUSE_CATCH2_V3)
#include <catch2/catch_message.hpp>
#include <catch2/catch_template_test_macros.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>
#else
#include <catch2/catch.hpp>
#endif
