#!/usr/bin/python3
"""Spot check of tests/reference/flow_steps_reference.txt against diffusers' own code (not run by the tests).

Usage:  /usr/bin/python3 tests/reference/spot_check_diffusers.py <diffusers checkout>
Needs torch, numpy, scipy (Debian: python3-torch python3-scipy). It loads the real
src/diffusers/schedulers/scheduling_flow_match_euler_discrete.py of the checkout with the few
diffusers modules it imports replaced by stand-ins (ConfigMixin/register_to_config keep the
constructor's arguments in `config`, nothing else), calls set_timesteps for every case and N of the
reference file as diffusers and its pipelines do, and compares the float32 sigmas and timesteps with
the file's float32 columns (which gen_flow_steps_reference.py computes with numpy alone). Prints the
number of values compared and every difference.

Known, documented differences: N = 1 with shift_terminal (diffusers: NaN, diffuse: 1; the case
sd3_terminal and ltx_terminal at N = 1) and, under numpy < 2, the float32 stretch of custom sigmas
(ltx_terminal), whose scale factor numpy 1.x computes in float64.
"""
import importlib.util
import inspect
import math
import os
import sys
import types

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_flow_steps_reference as ref  # noqa: E402  (the cases and calculate_shift)


def load_scheduler(checkout):
    """The real FlowMatchEulerDiscreteScheduler class, its package imports stood in for."""
    package = types.ModuleType('diffusers')
    package.__path__ = []
    schedulers = types.ModuleType('diffusers.schedulers')
    schedulers.__path__ = []
    configuration = types.ModuleType('diffusers.configuration_utils')

    class ConfigMixin:
        pass

    def register_to_config(init):
        def wrapped(self, *args, **kwargs):
            bound = inspect.signature(init).bind(self, *args, **kwargs)
            bound.apply_defaults()
            values = dict(bound.arguments)
            values.pop('self')
            self.config = types.SimpleNamespace(**values)
            self.config.get = lambda key, default=None: values.get(key, default)
            init(self, *args, **kwargs)
        return wrapped

    configuration.ConfigMixin, configuration.register_to_config = ConfigMixin, register_to_config
    utils = types.ModuleType('diffusers.utils')
    utils.__path__ = []
    utils.BaseOutput = object
    utils.is_scipy_available = lambda: True
    utils.logging = types.SimpleNamespace(get_logger=lambda name: None)
    torch_utils = types.ModuleType('diffusers.utils.torch_utils')
    torch_utils.randn_tensor = None
    scheduling_utils = types.ModuleType('diffusers.schedulers.scheduling_utils')
    scheduling_utils.SchedulerMixin = type('SchedulerMixin', (), {})
    for module in (package, schedulers, configuration, utils, torch_utils, scheduling_utils):
        sys.modules[module.__name__] = module
    path = os.path.join(checkout, 'src/diffusers/schedulers/scheduling_flow_match_euler_discrete.py')
    spec = importlib.util.spec_from_file_location('diffusers.schedulers.scheduling_flow_match_euler_discrete', path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.FlowMatchEulerDiscreteScheduler


def main():
    scheduler_class = load_scheduler(sys.argv[1])
    expected = {}
    with open(os.path.join(HERE, 'flow_steps_reference.txt')) as f:
        for line in f:
            w = line.split()
            if w and w[0] == 'step':
                expected[(w[1], int(w[2]), int(w[3]))] = (float(w[6]), float(w[7]))
    compared, differences = 0, []
    for name, overrides, base, convention, seq_len in ref.CASES:
        if convention != 'diffusers':
            continue  # the single shift is not diffusers'
        cfg = dict(ref.DEFAULTS, **overrides)
        for n in ref.NS:
            scheduler = scheduler_class(**cfg)
            mu = None
            if seq_len is not None:
                mu = ref.calculate_shift(seq_len, cfg['base_image_seq_len'], cfg['max_image_seq_len'],
                                         cfg['base_shift'], cfg['max_shift'])
            sigmas = None if base == 'scheduler' else np.linspace(1.0, 1 / n, n)
            with np.errstate(all='ignore'):
                scheduler.set_timesteps(num_inference_steps=n, sigmas=sigmas, mu=mu)
            for i in range(n):
                got = (float(scheduler.sigmas[i]), float(scheduler.timesteps[i]))
                want = expected[(name, n, i)]
                compared += 1
                if got != want and not (math.isnan(got[0]) and n == 1):
                    differences.append('%s N=%d i=%d: diffusers %r, reference %r' % (name, n, i, got, want))
                elif got != want:
                    differences.append('%s N=%d i=%d: diffusers %r (NaN, documented), reference %r' % (name, n, i, got, want))
    print('compared %d sigma/timestep pairs with diffusers (torch %s, numpy %s): %d differ'
          % (compared, sys.modules['torch'].__version__, np.__version__, len(differences)))
    for d in differences:
        print('  ' + d)


if __name__ == '__main__':
    main()
