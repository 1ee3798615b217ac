/// Which steps a sampler visits: diffusers' set_timesteps, improved-diffusion's space_timesteps, LDM's DDIM grids.
#pragma once

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "detail/checks.hpp"
#include "detail/round_half_even.hpp"
#include "detail/scaled_sum.hpp"

namespace diffuse {

namespace detail {

inline void check_train_steps(const char* function, int train_steps) {
  check_at_least(function, "the number of training steps T", train_steps, 1);
}

inline void check_inference_steps(const char* function, int inference_steps, int train_steps) {
  if (inference_steps < 1 || inference_steps > train_steps) {
    fail<std::invalid_argument>(
        function, "the number of inference steps N must be in [1, T] = [1, " + std::to_string(train_steps) + "]",
        inference_steps);
  }
}

}  // namespace detail

/// The order of a Timesteps sequence: ascending (a kept set) or descending (the order a sampler visits).
enum class StepOrder { ascending, descending };

class Timesteps;

namespace detail {
inline Timesteps make_timesteps(const char* function, const std::vector<int>& values, int first, int train_steps,
                                StepOrder order);
}  // namespace detail

/// A sequence of distinct steps in a stated order, held both as our steps t ∈ [1, T] (t = 0 is the
/// data) and as the 0-based index i = t − 1 that a model trained with diffusers, improved-diffusion
/// or LDM is conditioned on. Read `t()` to query a diffuse::Schedule, `index()` to feed the model.
class Timesteps {
 public:
  /// From our steps t_1, …, t_K, each in [1, T], strictly monotone in `order`.
  /// @throws std::invalid_argument if T < 1, the list is empty, a step is outside [1, T] or the
  /// order is broken.
  static Timesteps from_steps(const std::vector<int>& t, int train_steps, StepOrder order) {
    return detail::make_timesteps("Timesteps::from_steps", t, 1, train_steps, order);
  }

  /// From 0-based model indices i_1, …, i_K, each in [0, T − 1], strictly monotone in `order`
  /// (t = i + 1).
  /// @throws std::invalid_argument as from_steps, with the range [0, T − 1].
  static Timesteps from_indices(const std::vector<int>& index, int train_steps, StepOrder order) {
    return detail::make_timesteps("Timesteps::from_indices", index, 0, train_steps, order);
  }

  /// Our steps t, in [1, T].
  const std::vector<int>& t() const { return t_; }
  /// The 0-based model indices, index()[k] = t()[k] − 1.
  const std::vector<int>& index() const { return index_; }
  /// The number of steps K.
  std::size_t size() const { return t_.size(); }
  /// T, the number of training steps the sequence is drawn from.
  int train_steps() const { return train_steps_; }
  /// Ascending (a kept set, improved-diffusion) or descending (sampler order, diffusers and LDM).
  StepOrder order() const { return order_; }

  /// The step a sampler moves to from t()[k]: t()[k + 1], and after the last step 0 (the data,
  /// ᾱ_0 = 1) when `set_alpha_to_one`, else 1 (ᾱ_1: diffusers' `set_alpha_to_one = false`,
  /// Stable Diffusion's configs, and LDM's DDIM sampler). With `set_alpha_to_one = false` and a last
  /// step of t = 1 the move is from step 1 to step 1, as diffusers does it.
  /// diffusers' DDIMScheduler.step uses `timestep − T // N` instead; that is this relation for
  /// "leading" spacing (and "trailing" when N divides T) but not for "linspace", where diffusers'
  /// DDIM jumps to a step that is not in its own sequence; DDPMScheduler.previous_timestep follows
  /// the sequence as this function does.
  /// @throws std::invalid_argument for an ascending sequence; std::out_of_range unless k < size().
  int previous_t(std::size_t k, bool set_alpha_to_one = true) const {
    const char* fn = "Timesteps::previous_t";
    if (order_ != StepOrder::descending) {
      detail::fail<std::invalid_argument>(
          fn, "needs a descending (sampler-order) sequence; this one is ascending of size", t_.size());
    }
    detail::check_step(fn, "k", static_cast<long long>(k), 0, static_cast<long long>(t_.size()) - 1);
    if (k + 1 < t_.size()) return t_[k + 1];
    return set_alpha_to_one ? 0 : 1;
  }

 private:
  friend Timesteps detail::make_timesteps(const char*, const std::vector<int>&, int, int, StepOrder);
  Timesteps() = default;

  std::vector<int> t_;
  std::vector<int> index_;
  int train_steps_ = 0;
  StepOrder order_ = StepOrder::descending;
};

namespace detail {

/// Builds a Timesteps from values in [first, first + T − 1] (first = 1: steps t; first = 0: model indices),
/// checking each value and the order; `function` names the caller in the error message.
inline Timesteps make_timesteps(const char* function, const std::vector<int>& values, int first, int train_steps,
                                StepOrder order) {
  check_train_steps(function, train_steps);
  if (values.empty()) fail<std::invalid_argument>(function, "the sequence must not be empty", 0);
  const char* what = first == 1 ? " must be a step t in [" : " must be an index in [";
  const int last = first + train_steps - 1;
  Timesteps result;
  result.train_steps_ = train_steps;
  result.order_ = order;
  for (std::size_t k = 0; k < values.size(); ++k) {
    const int v = values[k];
    const std::string entry = "entry " + std::to_string(k);
    if (v < first || v > last) {
      fail<std::invalid_argument>(function, entry + what + std::to_string(first) + ", " + std::to_string(last) + "]",
                                  v);
    }
    const bool descending = order == StepOrder::descending;
    if (k > 0 && (descending ? v >= values[k - 1] : v <= values[k - 1])) {
      fail<std::invalid_argument>(function,
                                  entry + " must be " + (descending ? "below" : "above") + " entry " +
                                      std::to_string(k - 1) + " = " + std::to_string(values[k - 1]) + " (strictly " +
                                      (descending ? "descending" : "ascending") + ")",
                                  v);
    }
    result.t_.push_back(v - first + 1);
    result.index_.push_back(v - first);
  }
  return result;
}

}  // namespace detail

/// diffusers' `timestep_spacing` (Lin et al. 2023, "Common Diffusion Noise Schedules and Sample
/// Steps are Flawed", Table 2).
enum class TimestepSpacing { linspace, leading, trailing };

/// The spacing named "linspace", "leading" or "trailing".
/// @throws std::invalid_argument naming any other string.
inline TimestepSpacing timestep_spacing_from_name(const std::string& name) {
  if (name == "linspace") return TimestepSpacing::linspace;
  if (name == "leading") return TimestepSpacing::leading;
  if (name == "trailing") return TimestepSpacing::trailing;
  detail::fail<std::invalid_argument>("timestep_spacing_from_name",
                                      "unknown timestep spacing; known: linspace, leading, trailing", name);
}

/// The diffusers name of a spacing.
inline const char* timestep_spacing_name(TimestepSpacing spacing) {
  switch (spacing) {
    case TimestepSpacing::linspace: return "linspace";
    case TimestepSpacing::leading: return "leading";
    case TimestepSpacing::trailing: return "trailing";
  }
  return "";
}

/// The N steps diffusers' DDPMScheduler/DDIMScheduler `set_timesteps(N)` selects from T training
/// steps, in sampler order (descending), reproducing NumPy's float64 arithmetic bit for bit:
/// - linspace: index_j = round((T − 1)/(N − 1)·j), the last forced to T − 1 (N = 1: index 0);
/// - leading: index_j = j·(T // N) + steps_offset;
/// - trailing: index_j = round(T + j·δ) − 1 with δ = (T − T/N) − T (NumPy's arange), keeping the
///   first N values where float drift gives NumPy N + 1 (T = 999, N = 13 ends with index −1 there);
/// rounding half to even. `steps_offset` acts on "leading" only, as in diffusers.
/// Unlike diffusers, an index outside [0, T − 1] is rejected rather than used (leading with
/// steps_offset = 1 and N = T would give index T).
/// @throws std::invalid_argument if T < 1, N is outside [1, T], or leading's steps_offset puts an
/// index outside [0, T − 1].
inline Timesteps diffusers_timesteps(int train_steps, int inference_steps, TimestepSpacing spacing,
                                     int steps_offset = 0) {
  const char* fn = "diffusers_timesteps";
  detail::check_train_steps(fn, train_steps);
  detail::check_inference_steps(fn, inference_steps, train_steps);
  const int n = inference_steps;
  const double big_t = static_cast<double>(train_steps);
  std::vector<int> index(static_cast<std::size_t>(n));
  switch (spacing) {
    case TimestepSpacing::linspace: {
      // np.linspace(0, T − 1, N): step = (T − 1)/(N − 1), y_j = j·step. NumPy sets the last point to
      // T − 1 exactly; (N − 1)·step is within an ulp of it and rounds to the same integer.
      const double step = n > 1 ? (big_t - 1) / static_cast<double>(n - 1) : 0.0;
      for (int j = 0; j < n; ++j) {
        const double y = detail::rounded_product(static_cast<double>(j), step);
        index[static_cast<std::size_t>(n - 1 - j)] = static_cast<int>(detail::round_half_even(y));
      }
      break;
    }
    case TimestepSpacing::leading: {
      const int ratio = train_steps / n;
      const long long highest = static_cast<long long>(n - 1) * ratio + steps_offset;
      if (steps_offset < 0 || highest > train_steps - 1) {
        detail::fail<std::invalid_argument>(
            fn,
            "leading spacing with T = " + std::to_string(train_steps) + ", N = " + std::to_string(n) +
                " needs steps_offset in [0, " +
                std::to_string(train_steps - 1 - static_cast<long long>(n - 1) * ratio) +
                "] to keep every index in [0, T - 1] (diffusers would use index " + std::to_string(highest) + ")",
            steps_offset);
      }
      for (int j = 0; j < n; ++j) index[static_cast<std::size_t>(n - 1 - j)] = j * ratio + steps_offset;
      break;
    }
    case TimestepSpacing::trailing: {
      // np.arange(T, 0, −T/N): element j = T + j·δ, δ = (T + (−T/N)) − T.
      const double delta = (big_t + -(big_t / static_cast<double>(n))) - big_t;
      for (int j = 0; j < n; ++j) {
        const double y = j == 0 ? big_t : big_t + detail::rounded_product(static_cast<double>(j), delta);
        index[static_cast<std::size_t>(j)] = static_cast<int>(detail::round_half_even(y)) - 1;
      }
      break;
    }
  }
  return detail::make_timesteps(fn, index, 0, train_steps, StepOrder::descending);
}

/// A custom list of model indices in sampler order (diffusers `set_timesteps(timesteps=[…])`).
/// Unlike diffusers, which accepts negative entries and fails later on an empty list, both are
/// rejected here.
/// @throws std::invalid_argument if T < 1, the list is empty, not strictly descending, or has an
/// index outside [0, T − 1].
inline Timesteps diffusers_custom_timesteps(int train_steps, const std::vector<int>& indices) {
  return detail::make_timesteps("diffusers_custom_timesteps", indices, 0, train_steps, StepOrder::descending);
}

/// LDM's DDIM discretisation (`make_ddim_timesteps`).
enum class LdmDiscretization { uniform, quad };

/// The discretisation named "uniform" or "quad".
/// @throws std::invalid_argument naming any other string.
inline LdmDiscretization ldm_discretization_from_name(const std::string& name) {
  if (name == "uniform") return LdmDiscretization::uniform;
  if (name == "quad") return LdmDiscretization::quad;
  detail::fail<std::invalid_argument>("ldm_discretization_from_name",
                                      "unknown LDM DDIM discretization; known: uniform, quad", name);
}

/// The steps LDM's DDIMSampler visits (`make_ddim_timesteps`, Rombach et al. 2022), descending.
/// LDM builds a grid g and returns g + 1, which its sampler uses directly as 0-based indices into
/// `alphas_cumprod`, so index = g + 1 and our t = g + 2:
/// - uniform: c = T // N, g = range(0, T, c) — ⌈T/c⌉ values, which can exceed N (T = 1000, N = 7: 8);
/// - quad: g_j = ⌊(j·√(0.8·T)/(N − 1))²⌋ in float64 (np.linspace, the last point exactly √(0.8·T)).
/// LDM's last step moves to ᾱ at index 0 (our t = 1): previous_t(k, false).
/// @throws std::invalid_argument if T < 1, N is outside [1, T], an index g + 1 reaches T (LDM would
/// read past `alphas_cumprod`, e.g. uniform with N = T), or quad repeats a step (N too large for T).
inline Timesteps ldm_ddim_timesteps(int train_steps, int inference_steps, LdmDiscretization discretization) {
  const char* fn = "ldm_ddim_timesteps";
  detail::check_train_steps(fn, train_steps);
  detail::check_inference_steps(fn, inference_steps, train_steps);
  std::vector<int> grid;
  if (discretization == LdmDiscretization::uniform) {
    const int c = train_steps / inference_steps;
    for (int g = 0; g < train_steps; g += c) grid.push_back(g);
  } else {
    const int n = inference_steps;
    const double stop = std::sqrt(static_cast<double>(train_steps) * 0.8);
    const double step = n > 1 ? stop / static_cast<double>(n - 1) : 0.0;
    for (int j = 0; j < n; ++j) {
      const double y = j == n - 1 && n > 1 ? stop : detail::rounded_product(static_cast<double>(j), step);
      grid.push_back(static_cast<int>(y * y));  // .astype(int) truncates
    }
  }
  std::vector<int> index;
  for (auto g = grid.rbegin(); g != grid.rend(); ++g) {
    const int i = *g + 1;
    if (i > train_steps - 1) {
      detail::fail<std::invalid_argument>(fn,
                                          "LDM's grid value + 1 is the model index and must be at most T - 1 = " +
                                              std::to_string(train_steps - 1) + " (use a smaller N)",
                                          i);
    }
    if (!index.empty() && i == index.back()) {
      detail::fail<std::invalid_argument>(fn,
                                          "quad discretization repeats index " + std::to_string(i) +
                                              " for N = " + std::to_string(inference_steps) + " (use a smaller N)",
                                          i);
    }
    index.push_back(i);
  }
  return detail::make_timesteps(fn, index, 0, train_steps, StepOrder::descending);
}

/// The steps improved-diffusion keeps (`respace.space_timesteps`, Nichol & Dhariwal 2021), ascending,
/// ready for Schedule::respaced(kept.t()). The T steps are cut into K = counts.size() sections of
/// T // K steps, the first T mod K one longer; a section of n steps starting at index s with c ≥ 1
/// points keeps s + round(x_j), x_0 = 0, x_{j+1} = x_j + (n − 1)/(c − 1) (stride 1 if c = 1), summed
/// in double and rounded half to even exactly as Python does. A count may be 0 (the section is
/// skipped). improved-diffusion's kept index i is our step i + 1.
/// @throws std::invalid_argument if T < 1, the list is empty, a count is negative or larger than its
/// section, or all counts are 0.
inline Timesteps space_timesteps(int train_steps, const std::vector<int>& section_counts) {
  const char* fn = "space_timesteps";
  detail::check_train_steps(fn, train_steps);
  if (section_counts.empty()) detail::fail<std::invalid_argument>(fn, "needs at least one section count", 0);
  const int sections = static_cast<int>(section_counts.size());
  const int size_per = train_steps / sections;
  const int extra = train_steps % sections;
  std::vector<int> kept;
  int start = 0;
  for (int k = 0; k < sections; ++k) {
    const int size = size_per + (k < extra ? 1 : 0);
    const int count = section_counts[static_cast<std::size_t>(k)];
    const std::string which = "section " + std::to_string(k) + " (" + std::to_string(size) + " steps)";
    if (count < 0) detail::fail<std::invalid_argument>(fn, which + ": a section count must not be negative", count);
    if (count > size)
      detail::fail<std::invalid_argument>(fn, which + ": cannot divide a section into more points than it has steps",
                                          count);
    const double stride = count <= 1 ? 1.0 : static_cast<double>(size - 1) / static_cast<double>(count - 1);
    double x = 0.0;
    for (int j = 0; j < count; ++j) {
      kept.push_back(start + static_cast<int>(detail::round_half_even(x)));
      x += stride;
    }
    start += size;
  }
  if (kept.empty()) detail::fail<std::invalid_argument>(fn, "the section counts keep no step; their sum", 0);
  return detail::make_timesteps(fn, kept, 0, train_steps, StepOrder::ascending);
}

/// space_timesteps from improved-diffusion's string forms (a std::string_view, so that a braced list
/// of counts picks the overload above): "C1,C2,…" (section counts: digits, blanks
/// around them allowed)
/// or "ddimN": the smallest stride k ≥ 1 with len(range(0, T, k)) = N, keeping range(0, T, k).
/// improved-diffusion tries strides up to T − 1 only, so it rejects "ddim1"; here stride T gives
/// the single index 0 (t = 1).
/// @throws std::invalid_argument for a malformed string, "ddimN" with N outside [1, T] or no
/// stride giving exactly N steps, and as the list form.
inline Timesteps space_timesteps(int train_steps, std::string_view spec) {
  const std::string section_counts(spec);
  const char* fn = "space_timesteps";
  detail::check_train_steps(fn, train_steps);
  auto parse_count = [&](std::string text, const std::string& what) {
    const std::size_t first = text.find_first_not_of(" \t");  // Python's int() allows surrounding blanks
    text = first == std::string::npos ? std::string() : text.substr(first, text.find_last_not_of(" \t") - first + 1);
    const bool digits = !text.empty() && text.size() <= 9 && text.find_first_not_of("0123456789") == std::string::npos;
    if (!digits)
      detail::fail<std::invalid_argument>(
          fn, what + " must be a non-negative decimal integer in " + detail::to_message_value(section_counts), text);
    return std::stoi(text);
  };
  if (section_counts.compare(0, 4, "ddim") == 0) {
    const int n = parse_count(section_counts.substr(4), "the count after \"ddim\"");
    detail::check_inference_steps(fn, n, train_steps);
    for (int stride = 1; stride <= train_steps; ++stride) {
      const int count = (train_steps + stride - 1) / stride;  // len(range(0, T, stride))
      if (count == n) {
        std::vector<int> kept;
        for (int i = 0; i < train_steps; i += stride) kept.push_back(i);
        return detail::make_timesteps(fn, kept, 0, train_steps, StepOrder::ascending);
      }
      if (count < n) break;  // the count only falls as the stride grows
    }
    detail::fail<std::invalid_argument>(fn,
                                        "no integer stride k gives exactly N = len(range(0, T, k)) steps for T = " +
                                            std::to_string(train_steps) + "; N",
                                        n);
  }
  std::vector<int> counts;
  std::size_t begin = 0;
  while (true) {
    const std::size_t comma = section_counts.find(',', begin);
    const std::string item =
        section_counts.substr(begin, comma == std::string::npos ? std::string::npos : comma - begin);
    counts.push_back(parse_count(item, "section count " + std::to_string(counts.size())));
    if (comma == std::string::npos) break;
    begin = comma + 1;
  }
  return space_timesteps(train_steps, counts);
}

}  // namespace diffuse
