// Fuzz target: timestep selection with arbitrary T, N, offsets, lists and section strings
// (diffusers_timesteps, diffusers_custom_timesteps, ldm_ddim_timesteps, space_timesteps,
// Timesteps::from_steps/from_indices, the name parsers). Each result must satisfy
// check_timesteps and the documented size and end points, or the call must throw a documented
// exception.
//
// Input (tests/fuzz/make_seeds.py writes seeds): a kind byte, then T and that kind's parameters.
#include <cstdint>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include <diffuse/spacing.hpp>

#include "fuzz_support.hpp"

namespace {

using diffuse_fuzz::Bytes;
using diffuse_fuzz::documented;
using diffuse_fuzz::require;

constexpr int max_steps = 32000;

void run(Bytes& in) {
  std::optional<diffuse::Timesteps> ts;
  const int kind = in.u8() % 8;
  const int T = in.steps(max_steps);
  switch (kind) {
    case 0: {
      const int N = in.int_in(-2, T + 2);
      const auto spacing = static_cast<diffuse::TimestepSpacing>(in.u8() % 3);
      const int offset = in.int_in(-2, 64);
      if (!documented([&] { ts = diffuse::diffusers_timesteps(T, N, spacing, offset); })) return;
      require(static_cast<int>(ts->size()) == N, "diffusers_timesteps gives N steps");
      const std::vector<int>& index = ts->index();
      if (spacing == diffuse::TimestepSpacing::leading) {
        for (int k = 0; k < N; ++k) {
          require(index[static_cast<std::size_t>(k)] == (N - 1 - k) * (T / N) + offset,
                  "leading: index = j (T // N) + offset");
        }
      } else {
        require(index.front() == (N == 1 && spacing == diffuse::TimestepSpacing::linspace ? 0 : T - 1),
                "linspace and trailing start at index T - 1");
        if (spacing == diffuse::TimestepSpacing::linspace) require(index.back() == 0, "linspace ends at index 0");
      }
      break;
    }
    case 1: {
      const std::vector<int> list = in.int_list(-2, T + 1);
      if (!documented([&] { ts = diffuse::diffusers_custom_timesteps(T, list); })) return;
      require(ts->index() == list, "custom timesteps keep the list");
      break;
    }
    case 2: {
      const int N = in.int_in(-2, T + 2);
      const bool quad = in.flag();
      const auto d = quad ? diffuse::LdmDiscretization::quad : diffuse::LdmDiscretization::uniform;
      if (!documented([&] { ts = diffuse::ldm_ddim_timesteps(T, N, d); })) return;
      const int c = T / N;
      require(static_cast<int>(ts->size()) == (quad ? N : (T + c - 1) / c),
              "LDM: N steps (quad), ceil(T / (T // N)) (uniform)");
      require(ts->index().back() == 1, "LDM's last index is grid value 0 plus 1");
      break;
    }
    case 3: {
      const std::vector<int> counts = in.int_list(-1, 64);
      if (!documented([&] { ts = diffuse::space_timesteps(T, counts); })) return;
      require(static_cast<long long>(ts->size()) == std::accumulate(counts.begin(), counts.end(), 0LL),
              "space_timesteps keeps the sum of the counts");
      break;
    }
    case 4: {
      const std::string spec = in.text();
      if (!documented([&] { ts = diffuse::space_timesteps(T, std::string_view(spec)); })) return;
      if (spec.rfind("ddim", 0) == 0) {
        require(static_cast<int>(ts->size()) == std::stoi(spec.substr(4)), "\"ddimN\" keeps N steps");
        require(ts->index().front() == 0, "\"ddimN\" starts at index 0");
      }
      break;
    }
    case 5: {
      const bool steps = in.flag();
      const auto order = in.flag() ? diffuse::StepOrder::ascending : diffuse::StepOrder::descending;
      const std::vector<int> list = in.int_list(-2, T + 1);
      if (!documented([&] {
            ts = steps ? diffuse::Timesteps::from_steps(list, T, order)
                       : diffuse::Timesteps::from_indices(list, T, order);
          })) {
        return;
      }
      require((steps ? ts->t() : ts->index()) == list, "from_steps/from_indices keep the list");
      require(ts->order() == order, "the order is kept");
      break;
    }
    case 6: {
      const std::string text = in.text();
      diffuse::TimestepSpacing spacing{};
      if (documented([&] { spacing = diffuse::timestep_spacing_from_name(text); })) {
        require(text == diffuse::timestep_spacing_name(spacing), "a spacing name reads back");
      }
      return;
    }
    default: {
      const std::string text = in.text();
      if (documented([&] { diffuse::ldm_discretization_from_name(text); })) {
        require(text == "uniform" || text == "quad", "only uniform and quad are LDM discretizations");
      }
      return;
    }
  }
  diffuse_fuzz::check_timesteps(*ts, T);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Bytes in(data, size);
  run(in);
  return 0;
}
