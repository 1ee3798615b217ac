#!/usr/bin/python3
"""Reference probabilities for include/diffuse/importance_sampler.hpp.

Run from the repository root:  /usr/bin/python3 tests/reference/gen_importance_sampler_reference.py
Writes tests/reference/importance_sampler.txt.

A NumPy model of improved-diffusion's LossSecondMomentResampler (improved_diffusion/resample.py),
written from its definition, not from the C++ code: per index i = 0..T-1 the last H losses
(history_per_term); update_with_all_losses records each (i, loss) in turn, shifting out the oldest
once H are kept; weights() is all ones until every index has H losses, then
w = sqrt(mean(history**2, axis=-1)), w /= sum(w), w *= 1 - uniform_prob, w += uniform_prob / T.
The probabilities are weights / sum(weights), as ScheduleSampler.sample takes them. The losses are
drawn here with NumPy's PCG64 (seeded) and written with the records, so the C++ test replays them.

Record formats (one per line; '#' starts a comment; the C++ step is i + 1):
  sampler <T> <H> <uniform_prob>     a new, empty sampler
  update <step> <loss>               record one loss (17 significant digits)
  probabilities <p_1> ... <p_T>      the probabilities now (17 significant digits)
"""
import numpy as np


class Model:
    def __init__(self, steps, history, uniform_prob):
        self.history = np.zeros([steps, history], dtype=np.float64)
        self.counts = np.zeros([steps], dtype=np.int64)
        self.h = history
        self.uniform_prob = uniform_prob

    def update(self, i, loss):
        if self.counts[i] == self.h:
            self.history[i, :-1] = self.history[i, 1:].copy()
            self.history[i, -1] = loss
        else:
            self.history[i, self.counts[i]] = loss
            self.counts[i] += 1

    def weights(self):
        if not (self.counts == self.h).all():
            return np.ones([len(self.counts)], dtype=np.float64)
        w = np.sqrt(np.mean(self.history ** 2, axis=-1))
        w /= np.sum(w)
        w *= 1 - self.uniform_prob
        w += self.uniform_prob / len(w)
        return w

    def probabilities(self):
        w = self.weights()
        return w / np.sum(w)


def digits(x):
    return f"{float(x):.17g}"


def main():
    rng = np.random.Generator(np.random.PCG64(20210218))
    lines = [__doc__.strip().splitlines()[0].join(["# ", ""])]
    for steps, history, uniform_prob, batches in [(8, 10, 0.001, 30), (5, 3, 0.25, 12), (1, 1, 0.0, 3)]:
        model = Model(steps, history, uniform_prob)
        lines.append(f"sampler {steps} {history} {digits(uniform_prob)}")
        lines.append("probabilities " + " ".join(digits(p) for p in model.probabilities()))
        for _ in range(batches):
            for _ in range(7):
                i = int(rng.integers(0, steps))
                # Losses that grow with the index and vary over several orders of magnitude; some negative.
                loss = (i + 1) * float(rng.lognormal(0.0, 1.5)) * (1 if rng.random() < 0.9 else -1)
                model.update(i, loss)
                lines.append(f"update {i + 1} {digits(loss)}")
            lines.append("probabilities " + " ".join(digits(p) for p in model.probabilities()))
    with open("tests/reference/importance_sampler.txt", "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
