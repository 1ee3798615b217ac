#!/usr/bin/python3
"""Spot checks against the real ComfyUI functions, run with torch: prints the records of
tests/reference/comfyui_spot_checks.txt (the tests compare them; they do not run this script).

Needs Debian's python3-torch, python3-numpy, python3-scipy and a ComfyUI checkout, not installed:
  /usr/bin/python3 tests/reference/comfyui_spot_check.py <ComfyUI checkout> > tests/reference/comfyui_spot_checks.txt
It takes, by name, the definitions it needs out of ComfyUI's own source files (comfy/model_sampling.py,
comfy/samplers.py, comfy/k_diffusion/sampling.py, make_beta_schedule of
comfy/ldm/modules/diffusionmodules/util.py) and runs them unchanged, without importing the rest of
ComfyUI (its other imports need a GPU stack and a UI). Each record holds float32 values exactly as
ComfyUI returned them (the result of its FloatTensor or float32 buffers, printed with repr of the
Python float).

Record formats:
  comfy_sigma <family> <timestep> <sigma>                 ModelSampling*.sigma(torch.tensor(timestep))
  comfy_timestep <family> <sigma> <timestep>              ModelSampling*.timestep(torch.tensor(sigma))
  comfy_schedule <family> <name> <N> : <sigma_0> ...      calculate_sigmas(model_sampling, name, N)
"""
import ast
import math
import sys
from functools import partial

import numpy
import scipy.stats
import torch


def definitions(path, names):
    """The source of the top-level functions and classes called `names` in a file."""
    source = open(path).read()

    def named(node):
        if isinstance(node, ast.Assign):
            return any(getattr(target, 'id', None) in names for target in node.targets)
        return getattr(node, 'name', None) in names
    return '\n\n'.join(ast.get_source_segment(source, node) for node in ast.parse(source).body if named(node))


def load(root):
    env = {'torch': torch, 'math': math, 'numpy': numpy, 'np': numpy, 'scipy': scipy, 'partial': partial,
           'NamedTuple': __import__('typing').NamedTuple, 'Callable': __import__('typing').Callable}

    class KDiffusion:  # the module object samplers.py calls k_diffusion_sampling
        pass
    exec(definitions(f'{root}/comfy/ldm/modules/diffusionmodules/util.py', {'make_beta_schedule'}), env)
    exec(definitions(f'{root}/comfy/k_diffusion/sampling.py', {'append_zero', 'get_sigmas_karras', 'get_sigmas_exponential',
                                                                 'get_sigmas_laplace'}), env)
    for name in ('get_sigmas_karras', 'get_sigmas_exponential'):
        setattr(KDiffusion, name, staticmethod(env[name]))
    env['k_diffusion_sampling'] = KDiffusion
    exec(definitions(f'{root}/comfy/model_sampling.py', {
        'rescale_zero_terminal_snr_sigmas', 'reshape_sigma', 'EPS', 'V_PREDICTION', 'EDM', 'CONST', 'ModelSamplingDiscrete',
        'ModelSamplingContinuousEDM', 'ModelSamplingContinuousV', 'time_snr_shift', 'ModelSamplingDiscreteFlow',
        'flux_time_shift', 'ModelSamplingFlux'}), env)
    exec(definitions(f'{root}/comfy/samplers.py', {
        'simple_scheduler', 'ddim_scheduler', 'normal_scheduler', 'linear_quadratic_schedule', 'kl_optimal_scheduler',
        'SchedulerHandler', 'SCHEDULER_HANDLERS', 'calculate_sigmas', 'beta_scheduler'}).replace('logging.error(err)', 'pass'), env)
    return env


class Config:
    def __init__(self, **settings):
        self.sampling_settings = settings


def main():
    env = load(sys.argv[1])

    def discrete(model_config):  # ModelSamplingDiscrete with EPS, as ComfyUI composes it
        return type('MS', (env['ModelSamplingDiscrete'], env['EPS']), {})(model_config)

    def flow(model_config):
        return type('MS', (env['ModelSamplingDiscreteFlow'], env['CONST']), {})(model_config)

    def flux(model_config):
        return type('MS', (env['ModelSamplingFlux'], env['CONST']), {})(model_config)

    def edm(model_config):
        return type('MS', (env['ModelSamplingContinuousEDM'], env['EDM']), {})(model_config)

    families = {
        'sd15': discrete(Config(beta_schedule='linear', linear_start=0.00085, linear_end=0.012)),
        'sd3': flow(Config(shift=3.0, multiplier=1000)),
        'flux': flux(Config(shift=1.15)),
        'edm': edm(Config(sigma_min=0.002, sigma_max=120.0, sigma_data=1.0)),
    }
    print(f'# Made by tests/reference/comfyui_spot_check.py from ComfyUI a125cd84 with torch {torch.__version__} '
          f'(CPU, float32), numpy {numpy.__version__}; do not edit.')
    timesteps = {'sd15': [0.0, 0.5, 123.25, 500.5, 998.75], 'sd3': [1.0, 250.5, 999.0], 'flux': [0.0001220703125, 0.5],
                 'edm': [-1.5, 0.5]}
    for name, ts in timesteps.items():
        for t in ts:
            print(f'comfy_sigma {name} {t!r} {float(families[name].sigma(torch.tensor(t))):.9g}')
    for s in [0.5, 1.0, 14.0]:
        print(f'comfy_timestep sd15 {s!r} {float(families["sd15"].timestep(torch.tensor(s))):.9g}')
    for name, ms in families.items():
        for scheduler in ['simple', 'sgm_uniform', 'karras', 'exponential', 'ddim_uniform', 'normal', 'linear_quadratic',
                          'kl_optimal', 'beta']:
            for n in [4, 10]:
                sigmas = env['calculate_sigmas'](ms, scheduler, n)
                print(f'comfy_schedule {name} {scheduler} {n} : ' + ' '.join(f'{float(v):.9g}' for v in sigmas))


if __name__ == '__main__':
    main()
