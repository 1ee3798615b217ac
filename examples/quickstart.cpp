#include <diffuse/diffuse.hpp>
#include <iostream>

int main() {
  const auto schedule = diffuse::Schedule<double>::linear(1000);  // DDPM: β from 1e-4 to 0.02
  const int t = 500;
  std::cout << "alpha_bar(" << t << ") = " << schedule.alpha_bar(t)
            << ", 1 - alpha_bar = " << schedule.one_minus_alpha_bar(t)
            << ", log-SNR = " << schedule.log_snr(t) << '\n';
}
