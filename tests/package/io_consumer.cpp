// A program that reads a diffusers scheduler_config.json the way another project would: through the
// target diffuse::io (the io/ headers and nlohmann-json), which find_package and add_subdirectory give.
#include <diffuse/io/scheduler_config.hpp>

#include <iostream>

int main() {
  const diffuse::io::SchedulerConfig config = diffuse::io::parse_scheduler_config(
      R"({"_class_name": "DDIMScheduler", "num_train_timesteps": 1000, "beta_schedule": "scaled_linear",
          "beta_start": 0.00085, "beta_end": 0.012, "timestep_spacing": "leading", "steps_offset": 1})");
  const int first = config.timesteps(50).t().front();  // diffusers' timestep 981 is our step t = 982
  std::cout << "diffuse::io: " << config.class_name << ", first of 50 steps t = " << first << '\n';
  return first == 982 ? 0 : 1;
}
