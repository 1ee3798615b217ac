// Built with -fno-exceptions: valid calls work; a broken rule prints diffuse's message and aborts.
#include <diffuse/diffuse.hpp>

#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
  const auto schedule = diffuse::Schedule<float>::cosine(100);
  if (!(schedule.alpha_bar(100) < schedule.alpha_bar(99))) return 1;
  if (argc > 1 && std::strcmp(argv[1], "--break-a-rule") == 0) {
    (void)diffuse::Schedule<float>::linear(0);  // T = 0: prints the message, then aborts
    std::puts("not reached");
  }
  return 0;
}
