// Fuzz target: every schedule factory and preset with arbitrary parameters, then a chain of
// zero_terminal_snr, respaced and cast. Each result must satisfy check_schedule and the documented
// relations of the transformations, or the call must throw a documented exception.
//
// Input (tests/fuzz/make_seeds.py writes seeds): scalar type byte, factory byte, its parameters
// (Bytes::int_in / number / text / int_list), then up to 4 transformation bytes with theirs.
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include <diffuse/presets.hpp>
#include <diffuse/schedule.hpp>
#include <diffuse/spacing.hpp>

#include "fuzz_support.hpp"

namespace {

using diffuse_fuzz::Bytes;
using diffuse_fuzz::documented;
using diffuse_fuzz::require;

/// T is kept small enough for thousands of runs a second; the rules do not depend on its size.
constexpr int max_steps = 1024;

/// A list of `count` numbers cycling through up to 16 fuzzed ones (empty if count <= 0).
std::vector<double> cycled_numbers(Bytes& in, int count) {
  std::vector<double> pool(1 + in.u8() % 16);
  for (double& x : pool) x = in.number();
  std::vector<double> v;
  for (int k = 0; k < count; ++k) v.push_back(pool[static_cast<std::size_t>(k) % pool.size()]);
  return v;
}

/// A name from `known`, or an arbitrary string when the selector byte says so.
std::string name(Bytes& in, std::initializer_list<const char*> known) {
  const std::uint8_t which = in.u8();
  if (which >= 0xF0) return in.text();
  return *(known.begin() + which % known.size());
}

template <class Scalar>
std::optional<diffuse::Schedule<Scalar>> make(Bytes& in) {
  using S = diffuse::Schedule<Scalar>;
  std::optional<S> out;
  const int kind = in.u8() % 12;
  const int T = in.steps(max_steps);
  documented([&] {
    switch (kind) {
      case 0: {
        const double a = in.number(), b = in.number();
        out = S::linear(T, a, b);
        break;
      }
      case 1: {
        const double a = in.number(), b = in.number();
        out = S::scaled_linear(T, a, b);
        break;
      }
      case 2: {
        const double a = in.number(), b = in.number();
        out = S::sigmoid(T, a, b);
        break;
      }
      case 3: out = S::constant(T, in.number()); break;
      case 4: {
        const double s = in.number(), cap = in.number();
        out = S::cosine(T, s, cap);
        break;
      }
      case 5: {
        const std::vector<double> betas = cycled_numbers(in, T);
        if (in.flag()) {
          out = S::from_betas(betas);
        } else {  // a float vector through the Eigen overload
          Eigen::VectorXf f(static_cast<Eigen::Index>(betas.size()));
          for (Eigen::Index i = 0; i < f.size(); ++i) f(i) = static_cast<float>(betas[static_cast<std::size_t>(i)]);
          out = S::from_betas(f);
        }
        break;
      }
      case 6: {
        std::vector<double> values = cycled_numbers(in, T);
        if (in.flag()) {  // a running product of the values: mostly a valid decreasing sequence
          double product = 1;
          for (double& x : values) x = product *= std::fabs(x) < 1 ? std::fabs(x) : 1 / (1 + std::fabs(x));
        }
        out = S::from_alpha_bars(values);
        break;
      }
      case 7: {
        const std::vector<double> table = cycled_numbers(in, 1 + in.u8() % 64);
        const double cap = in.number();
        const bool cosine = in.flag();
        const double s = table[0];
        out = S::from_alpha_bar_function(
            T,
            [&](double u) {
              if (cosine) return std::pow(std::cos((u + s) / (1 + s) * 3.14159265358979323846 / 2), 2.0);
              const double position = u * static_cast<double>(table.size() - 1);
              if (!(position >= 0 && position <= static_cast<double>(table.size() - 1))) return position;
              return table[static_cast<std::size_t>(position + 0.5)];
            },
            cap);
        break;
      }
      case 8: {
        diffuse::presets::DiffusersBetas b;
        b.num_train_timesteps = T;
        b.beta_start = in.number();
        b.beta_end = in.number();
        b.beta_schedule = name(in, {"linear", "scaled_linear", "squaredcos_cap_v2", "sigmoid"});
        b.rescale_betas_zero_snr = in.flag();
        if (in.flag()) b.trained_betas = cycled_numbers(in, in.flag() ? T : in.int_in(0, max_steps));
        out = diffuse::presets::diffusers<Scalar>(b);
        break;
      }
      case 9: out = diffuse::presets::improved_diffusion<Scalar>(name(in, {"linear", "cosine"}), T); break;
      case 10: {
        const std::string n = name(in, {"linear", "sqrt_linear", "sqrt", "cosine"});
        const double a = in.number(), b = in.number(), c = in.number();
        out = diffuse::presets::ldm<Scalar>(n, T, a, b, c);
        break;
      }
      default: {
        const double a = in.number(), b = in.number(), c = in.number();
        out = diffuse::presets::chen_sigmoid<Scalar>(T, a, b, c);
        break;
      }
    }
  });
  if (out && kind != 5 && kind != 6 && kind != 8) require(out->steps() == T, "a factory gives T steps");
  return out;
}

template <class Scalar>
void transform(Bytes& in, diffuse::Schedule<Scalar> s) {
  using S = diffuse::Schedule<Scalar>;
  for (int round = 0; round < 4 && !in.empty(); ++round) {
    const int T = s.steps();
    switch (in.u8() % 4) {
      case 0: {
        std::optional<S> z;
        if (!documented([&] { z = s.zero_terminal_snr(); })) break;
        diffuse_fuzz::check_schedule(*z, T);
        require(z->alpha_bar(T) == 0 && z->beta(T) == 1 && z->alpha_bar(1) == s.alpha_bar(1),
                "zero terminal SNR: alpha_bar_T = 0, beta_T = 1, alpha_bar_1 kept");
        s = *z;
        break;
      }
      case 1:
      case 2: {
        std::vector<int> kept;
        if (!documented(
                [&] { kept = in.flag() ? in.int_list(-1, T + 1) : diffuse::space_timesteps(T, in.text()).t(); }))
          break;
        std::optional<S> r;
        if (!documented([&] { r = s.respaced(kept); })) break;
        diffuse_fuzz::check_schedule(*r, static_cast<int>(kept.size()));
        for (int k = 1; k <= r->steps(); ++k) {
          const int t = kept[static_cast<std::size_t>(k - 1)];
          require(r->alpha_bar(k) == s.alpha_bar(t) && r->log_alpha_bar(k) == s.log_alpha_bar(t) &&
                      r->source_step(k) == s.source_step(t),
                  "respaced keeps alpha_bar and the source step of each kept step bit for bit");
        }
        s = *r;
        break;
      }
      default: {
        const auto f = s.template cast<float>();
        const auto d = s.template cast<double>();
        diffuse_fuzz::check_schedule(f, T);
        diffuse_fuzz::check_schedule(d, T);
        const auto same = s.template cast<Scalar>();
        for (int t = 0; t <= T; ++t)
          require(same.alpha_bar(t) == s.alpha_bar(t), "cast to the same type changes nothing");
        break;
      }
    }
  }
}

template <class Scalar>
void run(Bytes& in) {
  const std::optional<diffuse::Schedule<Scalar>> s = make<Scalar>(in);
  if (!s) return;
  diffuse_fuzz::check_schedule(*s);
  transform(in, *s);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Bytes in(data, size);
  switch (in.u8() % 3) {
    case 0: run<double>(in); break;
    case 1: run<float>(in); break;
    default: run<long double>(in); break;
  }
  return 0;
}
