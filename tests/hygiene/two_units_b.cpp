// The second translation unit that includes everything (see two_units_a.cpp).
#include <diffuse/diffuse.hpp>

double alpha_bar_from_unit_b(int t) { return diffuse::Schedule<double>::linear(1000).alpha_bar(t); }
