// schedule_table: print a noise schedule as CSV, one row per step, every value round-trippable.
//
//   schedule_table --schedule linear --steps 1000
//   schedule_table --schedule cosine --steps 1000 --zero-terminal-snr --respace ddim50 --type float
#include <iostream>

#include "schedule_table.hpp"

int main(int argc, char** argv) { return diffuse_examples::schedule_table::run(argc, argv, std::cout, std::cerr); }
