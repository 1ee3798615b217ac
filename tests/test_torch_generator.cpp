// torch_generator.hpp: bit equality with what torch 1.13 itself returned (tests/reference/torch_randn.txt,
// written by gen_torch_randn.py): float32 on both of PyTorch's block paths, float64, every size class,
// consecutive calls on one generator, one generator per sample, and the seeds-per-column rule.
#include <diffuse/torch_generator.hpp>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "catch.hpp"
#include "support/messages.hpp"

namespace {

/// One torch.randn call of the reference file.
struct Call {
  std::string dtype;  // f32, f32portable or f64
  std::uint64_t seed = 0;
  std::vector<long> shape;
  std::vector<double> values;  // exact: each float32 value is a double too
};

/// The calls of tests/reference/torch_randn.txt by case, in file order.
const std::map<std::string, std::vector<Call>>& reference_cases() {
  static const std::map<std::string, std::vector<Call>> cases = [] {
    std::map<std::string, std::vector<Call>> out;
    std::ifstream in(std::string(DIFFUSE_TEST_REFERENCE_DIR) + "/torch_randn.txt");
    REQUIRE(in.good());
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream fields(line);
      std::string kind, name, shape, colon, value;
      Call call;
      fields >> kind >> name >> call.dtype >> call.seed >> shape >> colon;
      REQUIRE(kind == "randn");
      REQUIRE(colon == ":");
      std::istringstream dims(shape);
      for (std::string dim; std::getline(dims, dim, 'x');) call.shape.push_back(std::stol(dim));
      while (fields >> value) call.values.push_back(std::strtod(value.c_str(), nullptr));
      out[name].push_back(call);
    }
    REQUIRE(out.size() > 90);
    return out;
  }();
  return cases;
}

template <class Scalar>
std::uint64_t bits(Scalar x) {
  std::uint64_t b = 0;
  std::memcpy(&b, &x, sizeof x);
  return b;
}

/// How many elements of `got` (column-major) differ in any bit from `want`, and where the first is.
template <class Derived>
std::string mismatches(const Eigen::MatrixBase<Derived>& got, const std::vector<double>& want) {
  using Scalar = typename Derived::Scalar;
  if (static_cast<std::size_t>(got.size()) != want.size()) return "size " + std::to_string(got.size());
  long count = 0;
  std::string first;
  for (Eigen::Index k = 0; k < got.size(); ++k) {
    const Scalar g = got(k % got.rows(), k / got.rows());
    const auto w = static_cast<Scalar>(want[static_cast<std::size_t>(k)]);
    if (bits(g) != bits(w)) {
      if (count++ == 0) {
        std::ostringstream s;
        s.precision(10);
        s << "element " << k << ": " << g << " instead of " << w;
        first = s.str();
      }
    }
  }
  return count == 0 ? "" : std::to_string(count) + " of " + std::to_string(got.size()) + " differ, first " + first;
}

/// Replays every call of the cases of one dtype on one generator per case; each call's [d0, rest]
/// shape goes into a (rest) × d0 matrix, so that column j is torch's row j.
template <class Scalar>
void replay(const std::string& dtype, diffuse::TorchFloat32Path path) {
  int calls = 0;
  for (const auto& [name, sequence] : reference_cases()) {
    if (sequence.front().dtype != dtype) continue;
    diffuse::TorchGenerator generator(sequence.front().seed);
    for (std::size_t c = 0; c < sequence.size(); ++c) {
      const Call& call = sequence[c];
      long rest = 1;
      for (std::size_t d = 1; d < call.shape.size(); ++d) rest *= call.shape[d];
      Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> out(rest, call.shape[0]);
      generator.randn(out, path);
      INFO(name << " call " << c);
      CHECK(mismatches(out, call.values) == "");
      ++calls;
    }
  }
  CHECK(calls > 40);
}

}  // namespace

TEST_CASE(
    "float64 normals are torch.randn's bit for bit: every size, seeds past 2^32, consecutive calls, the global generator",
    "[torch][ieee]") {
  replay<double>("f64", diffuse::TorchFloat32Path::avx2);
}

TEST_CASE("float32 normals on the avx2 path are torch.randn's on a CPU with AVX2, bit for bit", "[torch][ieee]") {
  replay<float>("f32", diffuse::TorchFloat32Path::avx2);
}

TEST_CASE("float32 normals on the portable path are torch.randn's without AVX2, bit for bit, on glibc",
          "[torch][ieee]") {
  // The portable path calls the C library's logf, cosf and sinf, as PyTorch's does: the reference
  // was made with glibc, so other C libraries may differ in the last bit of a few elements.
#if defined(__GLIBC__)
  replay<float>("f32portable", diffuse::TorchFloat32Path::portable);
#else
  SUCCEED("not glibc: the C library's float functions may round differently");
#endif
}

TEST_CASE(
    "the uniforms and the 64-bit draw are torch's: float from 24 low bits, double from 53 bits of two draws, high word first",
    "[torch][ieee]") {
  // std::mt19937 with seed 5489 gives 3499211612 first (C++ [rand.predef]); torch's engine is the same.
  diffuse::TorchGenerator generator(5489);
  CHECK(generator.random() == 3499211612u);
  generator.manual_seed(5489);
  const std::uint64_t v = generator.random64();
  CHECK(v >> 32 == 3499211612u);
  generator.manual_seed(5489);
  CHECK(generator.uniform<float>() == static_cast<float>(3499211612u & 0xffffffu) * 0x1p-24f);
  generator.manual_seed(5489 + (std::uint64_t{1} << 32));  // the low 32 bits seed the engine
  CHECK(generator.uniform<double>() == static_cast<double>(v & 0x1fffffffffffffu) * 0x1p-53);
}

TEST_CASE("the engine is MT19937: the standard's 10000th draw and std::mt19937's sequence", "[torch]") {
  diffuse::detail::Mt19937 engine;  // default seed 5489
  std::uint32_t draw = 0;
  for (int i = 0; i < 10000; ++i) draw = engine();
  CHECK(draw == 4123659995u);  // C++ [rand.predef]
  for (const std::uint32_t seed : {0u, 1u, 2024u, 0xffffffffu}) {
    INFO("seed " << seed);
    diffuse::detail::Mt19937 ours(seed);
    std::mt19937 standard(seed);
    int differ = 0;
    for (int i = 0; i < 2000; ++i) differ += ours() != standard() ? 1 : 0;  // past the first twist
    CHECK(differ == 0);
  }
}

TEST_CASE("reseeding drops the cached second normal of the scalar path", "[torch][ieee]") {
  // torch: g.manual_seed(7); randn(3); g.manual_seed(7); randn(1) equals the first element of randn(3).
  const std::vector<double>& want = reference_cases().at("f64_s42_n7").front().values;
  diffuse::TorchGenerator generator(42);
  Eigen::VectorXd out(3);
  generator.randn(out);  // leaves r sin θ of the second pair cached
  generator.manual_seed(42);
  out.resize(7);
  generator.randn(out);
  CHECK(mismatches(out, want) == "");
}

TEST_CASE(
    "one generator per sample: column j is torch.randn of one sample from its own seed, as diffusers' list of generators",
    "[torch][ieee]") {
  const std::vector<std::uint64_t> seeds = {0, 42, (std::uint64_t{1} << 32) + 7, 123456789};
  for (long n : {7L, 17L, 100L}) {
    Eigen::MatrixXf batch(n, 4);
    diffuse::torch_randn_per_sample(batch, seeds);
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> batch64(n, 4);  // any storage order
    diffuse::torch_randn_per_sample(batch64,
                                    Eigen::Matrix<std::uint64_t, 4, 1>(seeds[0], seeds[1], seeds[2], seeds[3]));
    for (Eigen::Index j = 0; j < 4; ++j) {
      const std::string name = "_s" + std::to_string(seeds[static_cast<std::size_t>(j)]) + "_n" + std::to_string(n);
      INFO(name);
      CHECK(mismatches(batch.col(j), reference_cases().at("f32" + name).front().values) == "");
      CHECK(mismatches(batch64.col(j), reference_cases().at("f64" + name).front().values) == "");
    }
  }
}

TEST_CASE("torch_randn_per_sample needs one seed per column and writes nothing otherwise", "[torch][errors]") {
  Eigen::MatrixXf batch = Eigen::MatrixXf::Constant(16, 3, 5.0f);
  const std::vector<std::uint64_t> two_seeds = {1, 2};
  CHECK(test_support::throws_with<std::invalid_argument>(
      [&] { diffuse::torch_randn_per_sample(batch, two_seeds); },
      {"diffuse::torch_randn_per_sample: seeds must have one entry per column, 3 (got 2)"}));
  CHECK((batch.array() == 5.0f).all());
}
