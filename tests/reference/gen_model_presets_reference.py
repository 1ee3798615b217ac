"""Reference values for test_model_presets: every family of model_presets.hpp, its prediction, its
model-sampling class and its σ table as ComfyUI builds it, in mpmath (60 digits).

The parameters below are typed from Comfy-Org/ComfyUI @a125cd84, not from diffuse:
comfy/supported_models.py (each class's sampling_settings and get_model's ModelType),
comfy/model_base.py (the ModelType of each model class: EPS, V_PREDICTION, V_PREDICTION_EDM,
V_PREDICTION_CONTINUOUS, FLOW, FLUX) and comfy/model_sampling.py (the defaults a class does not set
and the formulas):
  ModelSamplingDiscrete       betas = linspace(sqrt(0.00085), sqrt(0.012), 1000)**2 (LDM "linear"),
                              sigmas = sqrt((1 - cumprod(1 - betas)) / cumprod(1 - betas))
  ModelSamplingContinuousEDM  sigmas = exp(linspace(log(sigma_min), log(sigma_max), 1000)); sigma = exp(4 t)
  ModelSamplingContinuousV    the same table; sigma = tan(t pi / 2)
  ModelSamplingDiscreteFlow   sigmas = time_snr_shift(shift, arange(1, 1001) / 1000);
                              sigma(t) = time_snr_shift(shift, t / multiplier), timestep = sigma * multiplier
  ModelSamplingFlux           sigmas = flux_time_shift(mu, 1, arange(1, 10001) / 10000) = e^mu / (e^mu + 1/t - 1)
  ModelSamplingCosmosRFlow    the EDM table; timestep = sigma/(sigma + 1);
                              sigma(t) = sigma_max if t >= sigma_max/(sigma_max + 1) else t/(1 - t)
  StableCascadeSampling       alpha_cumprod = cos((t + s)/(1 + s) pi/2)^2 / cos(s/(1 + s) pi/2)^2, s = 0.008;
                              logSNR = log(a/(1 - a)) + 2 log(1/shift), a = sigmoid(logSNR) (when shift != 1);
                              a clamped to [0.0001, 0.9999]; sigma = sqrt((1 - a)/a);
                              timestep(sigma) = acos(sqrt(var * min_var))/(pi/2) (1 + s) - s, var = 1/(sigma^2 + 1),
                              min_var = cos(s/(1 + s) pi/2)^2 (no shift, no clamp); table sigma((x + 1)/10000)
Python's sigmas[i] is the noise level of diffuse's step t = i + 1.

Output (tests/reference/model_presets.txt):
  row NAME KIND PREDICTION TABLE_SIZE
  table NAME INDEX SIGMA
  sigma NAME TIMESTEP SIGMA          (ComfyUI's sigma(timestep))
  timestep NAME SIGMA TIMESTEP       (ComfyUI's timestep(sigma); not for the discrete VP argmin)
  sigma_data NAME SIGMA_DATA         (the continuous classes)
  boundary NAME B                    (the two experts' boundary; 0 for a single model)
Run: /usr/bin/python3 tests/reference/gen_model_presets_reference.py
"""
import os

import mpmath as mp

from reference_digits import fmt

mp.mp.dps = 60
D = mp.mpf

# name, ModelSampling class, prediction (diffuse::Prediction's spelling: EPS epsilon, V_PREDICTION v, CONST flow_velocity), parameters (ComfyUI's literals as strings)
FAMILIES = [
    ('sd15', 'discrete_vp', 'epsilon', {}),
    ('sd2-v', 'discrete_vp', 'v', {}),
    ('sdxl', 'discrete_vp', 'epsilon', {}),
    ('sd3', 'discrete_flow', 'flow_velocity', {'shift': '3.0', 'multiplier': '1000'}),
    ('auraflow', 'discrete_flow', 'flow_velocity', {'shift': '1.73', 'multiplier': '1.0'}),
    ('flux-dev', 'flux', 'flow_velocity', {'mu': '1.15'}),
    ('flux-schnell', 'discrete_flow', 'flow_velocity', {'shift': '1.0', 'multiplier': '1.0'}),
    ('flux2', 'flux', 'flow_velocity', {'mu': '2.02'}),  # Flux2 of supported_models.py @e3c35527 (a125cd84 has none)
    ('wan21', 'discrete_flow', 'flow_velocity', {'shift': '8.0', 'multiplier': '1000'}),
    # Wan 2.2 A14B: ComfyUI loads each expert as WAN21_T2V / WAN21_I2V (shift 8.0); the boundary is the
    # Wan team's wan/configs/wan_{t2v,i2v}_A14B.py `boundary` (0.875, 0.900), written as a record.
    ('wan22-t2v-a14b', 'discrete_flow', 'flow_velocity', {'shift': '8.0', 'multiplier': '1000', 'boundary': '0.875'}),
    ('wan22-i2v-a14b', 'discrete_flow', 'flow_velocity', {'shift': '8.0', 'multiplier': '1000', 'boundary': '0.900'}),
    ('hunyuan-video', 'discrete_flow', 'flow_velocity', {'shift': '7.0', 'multiplier': '1000'}),
    ('ltxv', 'flux', 'flow_velocity', {'mu': '2.37'}),
    ('mochi', 'discrete_flow', 'flow_velocity', {'shift': '6.0', 'multiplier': '1.0'}),
    ('lumina2', 'discrete_flow', 'flow_velocity', {'shift': '6.0', 'multiplier': '1.0'}),
    ('stable-cascade-c', 'stable_cascade', 'epsilon', {'shift': '2.0'}),
    ('stable-cascade-b', 'stable_cascade', 'epsilon', {'shift': '1.0'}),
    ('cosmos-predict2', 'cosmos_rflow', 'flow_velocity', {'sigma_min': '0.002', 'sigma_max': '80.0'}),
    ('svd', 'continuous_edm', 'v', {'sigma_min': '0.002', 'sigma_max': '700.0'}),
    ('stable-audio', 'continuous_v', 'v', {'sigma_min': '0.03', 'sigma_max': '500.0'}),
]


class DiscreteVp:
    def __init__(self, p):
        T = 1000
        a, b = mp.sqrt(D('0.00085')), mp.sqrt(D('0.012'))
        cumulative = D(1)
        self.sigmas = []
        for i in range(T):
            beta = ((T - 1 - i) * a + i * b) / (T - 1)
            cumulative *= 1 - beta ** 2
            self.sigmas.append(mp.sqrt((1 - cumulative) / cumulative))

    def sigma(self, t):  # log-linear between floor and ceil
        lo = int(mp.floor(t))
        w = t - lo
        if w == 0:
            return self.sigmas[lo]
        return mp.exp((1 - w) * mp.log(self.sigmas[lo]) + w * mp.log(self.sigmas[lo + 1]))

    def probes(self):
        return [D('250.25'), D(999)], []


class ContinuousEdm:
    def __init__(self, p):
        lo, hi = mp.log(D(p['sigma_min'])), mp.log(D(p['sigma_max']))
        self.sigmas = [mp.exp(lo + i * (hi - lo) / 999) for i in range(1000)]

    def sigma(self, t):
        return mp.exp(4 * t)

    def timestep(self, s):
        return mp.log(s) / 4

    def probes(self):
        return [D('0.5'), D(-1)], [D('0.5'), D(100)]


class ContinuousV(ContinuousEdm):
    def sigma(self, t):
        return mp.tan(t * mp.pi / 2)

    def timestep(self, s):
        return mp.atan(s) / mp.pi * 2

    def probes(self):
        return [D('0.5'), D('0.875')], [D('0.5'), D(100)]


class DiscreteFlow:
    def __init__(self, p):
        self.shift, self.multiplier = D(p['shift']), D(p['multiplier'])
        self.sigmas = [self.shifted(D(i) / 1000) for i in range(1, 1001)]

    def shifted(self, t):  # time_snr_shift
        return self.shift * t / (1 + (self.shift - 1) * t)

    def sigma(self, t):
        return self.shifted(t / self.multiplier)

    def timestep(self, s):
        return s * self.multiplier

    def probes(self):
        return [self.multiplier / 4, self.multiplier], [D('0.5')]


class Flux:
    def __init__(self, p):
        self.e = mp.exp(D(p['mu']))
        self.sigmas = [self.sigma(D(i) / 10000) for i in range(1, 10001)]

    def sigma(self, t):  # flux_time_shift(mu, 1.0, t)
        return self.e / (self.e + (1 / t - 1))

    def timestep(self, s):
        return s

    def probes(self):
        return [D('0.25'), D(1)], [D('0.5')]


class CosmosRFlow(ContinuousEdm):
    def sigma(self, t):
        top = self.sigmas[-1]
        if t >= top / (top + 1):
            return top
        return t / (1 - t)

    def timestep(self, s):
        return s / (s + 1)

    def probes(self):
        return [D('0.5'), D('0.25'), D('0.9921875'), D(1)], [D('0.5'), D(3), D(80), D(1024)]


class StableCascade:
    def __init__(self, p):
        self.shift, self.s = D(p['shift']), D('0.008')
        self.min_var = mp.cos(self.s / (1 + self.s) * mp.pi / 2) ** 2
        self.sigmas = [self.sigma(D(x + 1) / 10000) for x in range(10000)]

    def sigma(self, t):
        a = mp.cos((t + self.s) / (1 + self.s) * mp.pi / 2) ** 2 / self.min_var
        if self.shift != 1 and 0 < a < 1:
            log_snr = mp.log(a / (1 - a)) + 2 * mp.log(1 / self.shift)
            a = 1 / (1 + mp.exp(-log_snr))
        a = min(max(a, D('0.0001')), D('0.9999'))
        return mp.sqrt((1 - a) / a)

    def timestep(self, sigma):
        var = 1 / (sigma * sigma + 1)
        return mp.acos(mp.sqrt(var * self.min_var)) / (mp.pi / 2) * (1 + self.s) - self.s

    def probes(self):
        # inside the clamp and at its two ends (binary fractions: exact in float too)
        return [D('0.5'), D('0.0625'), D('0.875'), D(0), D(1)], [D(2) ** -10, D('0.5'), D(3), D(50)]


CLASSES = {'discrete_vp': DiscreteVp, 'continuous_edm': ContinuousEdm, 'continuous_v': ContinuousV,
           'discrete_flow': DiscreteFlow, 'flux': Flux, 'stable_cascade': StableCascade,
           'cosmos_rflow': CosmosRFlow}


def main():
    lines = ['# Made by tests/reference/gen_model_presets_reference.py (mpmath, 60 digits) from ComfyUI @a125cd84; do not edit.']
    for name, kind, prediction, p in FAMILIES:
        ms = CLASSES[kind](p)
        n = len(ms.sigmas)
        lines.append(f'row {name} {kind} {prediction} {n}')
        lines.append(f"boundary {name} {p.get('boundary', '0')}")
        if kind.startswith('continuous') or kind == 'cosmos_rflow':
            lines.append(f'sigma_data {name} 1.0')  # ModelSamplingContinuousEDM's default; neither class sets it
        for i in sorted({0, 1, n // 2 - 1, n - 1}):
            lines.append(f'table {name} {i} {fmt(ms.sigmas[i])}')
        taus, sigmas = ms.probes()
        for t in taus:
            lines.append(f'sigma {name} {mp.nstr(t, 10)} {fmt(ms.sigma(t))}')
        for s in sigmas:
            lines.append(f'timestep {name} {mp.nstr(s, 10)} {fmt(ms.timestep(s))}')
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'model_presets.txt')
    with open(out, 'w') as f:
        f.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
    main()
