// One of two translation units that include everything: together they must link (no ODR clash).
#include <diffuse/diffuse.hpp>

double alpha_bar_from_unit_b(int t);

int main() {
  const auto schedule = diffuse::Schedule<double>::linear(1000);
  return schedule.alpha_bar(500) == alpha_bar_from_unit_b(500) ? 0 : 1;
}
