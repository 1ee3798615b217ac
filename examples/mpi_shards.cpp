// Data parallelism over MPI ranks with the noise contract: every rank noises its share of a batch
// with drawn noise, rank 0 gathers the shares, and the result is the single-process result bit for
// bit, whatever the number of ranks.
//
//   mpirun -np 4 mpi_shards [--batch 64] [--elements 4096] [--seed 2024]
//
// Sample j (id j, 0 ≤ j < batch) belongs to rank j mod size. Its x_0 and timestep are functions of
// j alone, and its noise is the noise of sample id j under the seed (docs/noise_contract.md), so a
// rank needs nothing from the others. Rank 0 compares an FNV-1a hash of the gathered x_t with that
// of add_noise over the whole batch in one process, and every rank exits 0 only if they agree. The
// ranks first check that they were given the same batch; if not, each one says so and exits 1.
#define OMPI_SKIP_MPICXX 1  // Open MPI's deprecated C++ bindings warn under -Wextra
#include <mpi.h>

#include <diffuse/noise.hpp>
#include <diffuse/schedule.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli.hpp"

namespace {

/// A batch, one sample per column, column-major whatever Eigen's default (the gather relies on it).
using Batch = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;

/// The batch every rank must agree on.
struct BatchSpec {
  long long batch;
  long long elements;
  long long seed;
};

/// x_0 of sample id j (a smooth pattern in [−1, 1]) and its timestep in [1, 1000]: functions of j only.
Batch x0_of(const std::vector<std::int64_t>& ids, Eigen::Index elements) {
  Batch x0(elements, static_cast<Eigen::Index>(ids.size()));
  for (Eigen::Index c = 0; c < x0.cols(); ++c) {
    const auto j = static_cast<double>(ids[static_cast<std::size_t>(c)]);
    for (Eigen::Index i = 0; i < elements; ++i)
      x0(i, c) = static_cast<float>(std::sin(0.01 * static_cast<double>(i) + 0.7 * j));
  }
  return x0;
}
Eigen::VectorXi timesteps_of(const std::vector<std::int64_t>& ids) {
  Eigen::VectorXi t(static_cast<Eigen::Index>(ids.size()));
  for (Eigen::Index c = 0; c < t.size(); ++c)
    t(c) = static_cast<int>((ids[static_cast<std::size_t>(c)] * 37) % 1000 + 1);
  return t;
}

/// x_t of the samples `ids` under `seed`: add_noise with the noise drawn in the same pass.
Batch noised(const std::vector<std::int64_t>& ids, Eigen::Index elements, std::uint64_t seed) {
  static const auto schedule = diffuse::Schedule<float>::linear(1000);
  const Batch x0 = x0_of(ids, elements);
  const Eigen::Map<const Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1>> id_vector(
      ids.data(), static_cast<Eigen::Index>(ids.size()));
  Batch xt(x0.rows(), x0.cols());
  diffuse::add_noise(schedule, x0, diffuse::drawn_noise(seed, id_vector), timesteps_of(ids), xt);
  return xt;
}

/// FNV-1a over the IEEE bits of every value, column by column.
std::uint64_t fnv1a(const Batch& x) {
  std::uint64_t hash = 0xcbf29ce484222325u;
  for (Eigen::Index k = 0; k < x.size(); ++k) {
    std::uint32_t bits;
    std::memcpy(&bits, x.data() + k, sizeof bits);
    for (int byte = 0; byte < 4; ++byte) hash = (hash ^ ((bits >> (8 * byte)) & 0xffu)) * 0x100000001b3u;
  }
  return hash;
}

/// The first field on which the ranks disagree ("" if none): min and max of each over all ranks.
std::string disagreement(const BatchSpec& spec) {
  const long long mine[3] = {spec.batch, spec.elements, spec.seed};
  long long low[3];
  long long high[3];
  MPI_Allreduce(mine, low, 3, MPI_LONG_LONG, MPI_MIN, MPI_COMM_WORLD);
  MPI_Allreduce(mine, high, 3, MPI_LONG_LONG, MPI_MAX, MPI_COMM_WORLD);
  const char* names[3] = {"--batch", "--elements", "--seed"};
  for (int f = 0; f < 3; ++f) {
    if (low[f] != high[f])
      return std::string(names[f]) + " ranges from " + std::to_string(low[f]) + " to " + std::to_string(high[f]) +
             " over the ranks";
  }
  return "";
}

/// One line on standard error, written at once so that the lines of several ranks do not interleave.
void say_error(int rank, int size, const std::string& what) {
  const std::string line =
      "mpi_shards: rank " + std::to_string(rank) + " of " + std::to_string(size) + ": " + what + "\n";
  std::fputs(line.c_str(), stderr);
}

int run(int argc, char** argv, int rank, int size) {
  BatchSpec spec{0, 0, 0};
  std::string problem;
  try {
    const diffuse_examples::Arguments args(argc, argv, {"--batch", "--elements", "--seed"}, {});
    spec = {args.integer("--batch", 64), args.integer("--elements", 4096), args.integer("--seed", 2024)};
    if (spec.batch < 1 || spec.elements < 1 || spec.seed < 0)
      problem = "--batch and --elements must be positive, --seed not negative";
  } catch (const std::exception& e) {
    problem = e.what();
  }
  // Every rank takes part in the same collective calls, whatever its arguments.
  int bad = problem.empty() ? 0 : 1;
  MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (bad != 0) {
    say_error(rank, size, problem.empty() ? "another rank was given bad arguments" : problem);
    return 1;
  }
  const std::string differ = disagreement(spec);
  if (!differ.empty()) {
    say_error(rank, size, "ranks disagree on the batch: " + differ);
    return 1;
  }

  // This rank's share: ids rank, rank + size, ...
  std::vector<std::int64_t> my_ids;
  for (long long j = rank; j < spec.batch; j += size) my_ids.push_back(j);
  const auto elements = static_cast<Eigen::Index>(spec.elements);
  const auto seed = static_cast<std::uint64_t>(spec.seed);
  const Batch share = noised(my_ids, elements, seed);

  // Gather the shares on rank 0: rank r's block holds its samples in id order.
  std::vector<int> counts(static_cast<std::size_t>(size));
  std::vector<int> offsets(static_cast<std::size_t>(size));
  for (int r = 0, offset = 0; r < size; ++r) {
    const long long samples = r < spec.batch ? (spec.batch - r + size - 1) / size : 0;
    counts[static_cast<std::size_t>(r)] = static_cast<int>(samples * spec.elements);
    offsets[static_cast<std::size_t>(r)] = offset;
    offset += counts[static_cast<std::size_t>(r)];
  }
  Batch gathered(rank == 0 ? elements : 0, rank == 0 ? static_cast<Eigen::Index>(spec.batch) : 0);
  MPI_Gatherv(share.data(), static_cast<int>(share.size()), MPI_FLOAT, gathered.data(), counts.data(), offsets.data(),
              MPI_FLOAT, 0, MPI_COMM_WORLD);

  int agree = 0;
  if (rank == 0) {
    // Back to id order: the c-th sample of rank r is id r + c·size.
    Batch batch(elements, static_cast<Eigen::Index>(spec.batch));
    for (int r = 0; r < size; ++r) {
      const Eigen::Index first = offsets[static_cast<std::size_t>(r)] / elements;
      for (Eigen::Index c = 0; r + c * size < spec.batch; ++c) batch.col(r + c * size) = gathered.col(first + c);
    }
    std::vector<std::int64_t> all_ids(static_cast<std::size_t>(spec.batch));
    for (std::size_t j = 0; j < all_ids.size(); ++j) all_ids[j] = static_cast<std::int64_t>(j);
    const std::uint64_t sharded = fnv1a(batch);
    const std::uint64_t single = fnv1a(noised(all_ids, elements, seed));
    agree = sharded == single ? 1 : 0;
    std::printf("ranks %d, batch %lld x %lld elements: hash %016llx sharded, %016llx in one process: %s\n", size,
                spec.batch, spec.elements, static_cast<unsigned long long>(sharded),
                static_cast<unsigned long long>(single), agree ? "identical" : "DIFFERENT");
  }
  MPI_Bcast(&agree, 1, MPI_INT, 0, MPI_COMM_WORLD);
  return agree ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  int size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const int status = run(argc, argv, rank, size);
  MPI_Finalize();
  return status;
}
