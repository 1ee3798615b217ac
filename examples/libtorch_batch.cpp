// A LibTorch batch noised in place of diffusers' add_noise: a float32 [B, C, H, W] tensor and int64
// diffusers timesteps are read zero-copy (include/diffuse/torch/tensor.hpp), noised with given and
// with drawn noise, and checked against PyTorch's own a·x0 + b·ε bit for bit; float16 and bfloat16
// tensors against PyTorch's (a·x0.float() + b·ε.float()).to(dtype); tensors of the wrong dtype,
// layout or sizes are refused with a message and nothing written. Exits 1 on any mismatch.
#include <diffuse/torch/tensor.hpp>

#include <torch/torch.h>

#include <cstdio>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

int failures = 0;

void expect(bool ok, const std::string& what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAILED", what.c_str());
  if (!ok) ++failures;
}

/// Whether two tensors (float32, or both float16, or both bfloat16) hold the same bits.
bool same_bits(const torch::Tensor& a, const torch::Tensor& b) {
  const auto word = a.element_size() == 2 ? torch::kShort : torch::kInt;
  return a.sizes() == b.sizes() && a.scalar_type() == b.scalar_type() &&
         torch::equal(a.contiguous().view(word), b.contiguous().view(word));
}

/// Runs f, which must throw Exception with a message containing `rule`, and leave `out` unchanged.
template <class Exception>
void expect_refused(const std::string& what, const std::string& rule, const torch::Tensor& out,
                    const std::function<void()>& f) {
  const torch::Tensor before = out.clone();
  std::string message = "<no exception>";
  try {
    f();
  } catch (const Exception& e) {
    message = e.what();
  }
  expect(message.find(rule) != std::string::npos && same_bits(out, before), what + " -> " + message);
}

}  // namespace

int main() {
  torch::manual_seed(0);
  const auto schedule = diffuse::Schedule<float>::linear(1000);
  const std::int64_t B = 8;
  const torch::Tensor x0 = torch::rand({B, 4, 16, 16}) * 2 - 1;
  const torch::Tensor eps = torch::randn({B, 4, 16, 16});
  const torch::Tensor timesteps = torch::randint(0, 1000, {B}, torch::kLong);
  timesteps[0] = 0;    // our t = 1
  timesteps[1] = 999;  // our t = 1000

  // PyTorch's own: the coefficients gathered at the timesteps, broadcast over [C, H, W].
  std::vector<float> a_table(1000), b_table(1000);
  for (int s = 0; s < 1000; ++s) {
    a_table[static_cast<std::size_t>(s)] = schedule.sqrt_alpha_bar(s + 1);
    b_table[static_cast<std::size_t>(s)] = schedule.sqrt_one_minus_alpha_bar(s + 1);
  }
  const torch::Tensor a = torch::tensor(a_table).index_select(0, timesteps).view({B, 1, 1, 1});
  const torch::Tensor b = torch::tensor(b_table).index_select(0, timesteps).view({B, 1, 1, 1});
  const torch::Tensor want = a * x0 + b * eps;

  torch::Tensor out = torch::empty_like(x0);
  diffuse::add_noise_tensors(schedule, x0, eps, timesteps, out);
  expect(same_bits(out, want), "given noise: the bits of PyTorch's a x0 + b eps");
  torch::Tensor in_place = x0.clone();
  diffuse::add_noise_tensors(schedule, in_place, eps, timesteps, in_place);
  expect(same_bits(in_place, want), "given noise in place");

  // Drawn noise: the noise of ids 100.. under seed 7, the same bits as that noise given.
  const torch::Tensor ids = torch::arange(100, 100 + B, torch::kLong);
  torch::Tensor drawn = torch::empty_like(x0);
  diffuse::add_noise_tensors(schedule, x0, 7, ids, timesteps, drawn);
  torch::Tensor noise = torch::empty_like(x0);
  Eigen::Map<Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>> noise_matrix(
      noise.data_ptr<float>(), 4 * 16 * 16, B);
  diffuse::fill_noise(7,
                      Eigen::Map<const Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1>>(ids.data_ptr<std::int64_t>(), B),
                      noise_matrix);
  expect(same_bits(drawn, a * x0 + b * noise), "drawn noise: the bits of PyTorch's a x0 + b eps with that noise");

  // float16 and bfloat16 tensors: PyTorch's float arithmetic on the widened values, rounded once.
  for (const auto dtype : {torch::kHalf, torch::kBFloat16}) {
    const std::string name = dtype == torch::kHalf ? "float16" : "bfloat16";
    const torch::Tensor x0_16 = x0.to(dtype), eps_16 = eps.to(dtype);
    torch::Tensor out_16 = torch::empty_like(x0_16);
    diffuse::add_noise_tensors(schedule, x0_16, eps_16, timesteps, out_16);
    expect(same_bits(out_16, (a * x0_16.to(torch::kFloat) + b * eps_16.to(torch::kFloat)).to(dtype)),
           name + ", given noise: PyTorch's (a x0 + b eps in float).to(dtype)");
    diffuse::add_noise_tensors(schedule, x0_16, 7, ids, timesteps, out_16);
    expect(same_bits(out_16, (a * x0_16.to(torch::kFloat) + b * noise).to(dtype)),
           name + ", drawn noise: PyTorch's (a x0 + b eps in float).to(dtype) with that noise");
  }

  // Bad tensors: refused, nothing written.
  using IA = std::invalid_argument;
  expect_refused<IA>("float64 x0", "x0 must have dtype Float, Half or BFloat16 (got \"Double\")", out,
                     [&] { diffuse::add_noise_tensors(schedule, x0.to(torch::kDouble), eps, timesteps, out); });
  expect_refused<IA>("float16 eps with float32 x0", "eps must have dtype Float (got \"Half\")", out,
                     [&] { diffuse::add_noise_tensors(schedule, x0, eps.to(torch::kHalf), timesteps, out); });
  expect_refused<IA>("x0 on another device", "x0 must be on the CPU (got \"meta\")", out, [&] {
    diffuse::add_noise_tensors(schedule, torch::empty_like(x0, torch::kMeta), eps, timesteps, out);
  });
  expect_refused<IA>("an undefined out", "out must be a defined tensor", out,
                     [&] { diffuse::add_noise_tensors(schedule, x0, eps, timesteps, torch::Tensor()); });
  expect_refused<IA>("non-contiguous eps", "eps must be contiguous", out,
                     [&] { diffuse::add_noise_tensors(schedule, x0, eps.transpose(2, 3), timesteps, out); });
  expect_refused<IA>("eps of other sizes", "eps must have the sizes of x0, [8, 4, 16, 16] (got \"[8, 16, 4, 16]\")",
                     out, [&] {
                       diffuse::add_noise_tensors(schedule, x0, eps.view({B, 16, 4, 16}), timesteps, out);
                     });
  expect_refused<IA>("int32 timesteps", "timesteps must have dtype Long (got \"Int\")", out,
                     [&] { diffuse::add_noise_tensors(schedule, x0, eps, timesteps.to(torch::kInt), out); });
  expect_refused<IA>("B - 1 timesteps", "timesteps must have one entry per column, 8 (got 7)", out,
                     [&] { diffuse::add_noise_tensors(schedule, x0, eps, timesteps.slice(0, 0, B - 1), out); });
  expect_refused<IA>("2-D timesteps", "timesteps must be one-dimensional, [B] (got \"[8, 1]\")", out, [&] {
    diffuse::add_noise_tensors(schedule, x0, eps, timesteps.view({B, 1}), out);
  });
  expect_refused<std::out_of_range>(
      "timestep 1000", "timesteps(3) must be a diffusers timestep in [0, T - 1], T = 1000 (got 1000)", out, [&] {
        torch::Tensor late = timesteps.clone();
        late[3] = 1000;
        diffuse::add_noise_tensors(schedule, x0, eps, late, out);
      });
  expect_refused<IA>("float64 ids", "ids must have dtype Long (got \"Double\")", out,
                     [&] { diffuse::add_noise_tensors(schedule, x0, 7, ids.to(torch::kDouble), timesteps, out); });
  expect_refused<IA>("a scalar x0", "x0 must have a batch dimension, [B, ...] (got 0)", out,
                     [&] { diffuse::add_noise_tensors(schedule, torch::zeros({}), eps, timesteps, out); });
  return failures == 0 ? 0 : 1;
}
