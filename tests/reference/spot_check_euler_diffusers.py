#!/usr/bin/python3
"""Prints diffusers' own EulerDiscreteScheduler σ and timesteps for tests/reference/euler_diffusers.txt.

NEEDS DIFFUSERS (not run by the tests; its output is committed):
    /usr/bin/python3 tests/reference/spot_check_euler_diffusers.py <diffusers checkout> \
        > tests/reference/euler_diffusers.txt
Needs torch, numpy, scipy (Debian: python3-torch python3-scipy). It loads the real
src/diffusers/schedulers/scheduling_euler_discrete.py of the checkout (read at 58eb52c0) with the few
diffusers modules it imports replaced by stand-ins (spot_check_diffusers.py's loader: ConfigMixin and
register_to_config keep the constructor's arguments in `config`, nothing else), calls
set_timesteps(N) for every case of euler_cases.py and prints what the scheduler holds, float32:
`diffusers <case> <N> sigma <i> <sigma>` for i = 0..len(sigmas) - 1 and
`diffusers <case> <N> timestep <i> <timestep>` for i = 0..len(timesteps) - 1 (repr of the float32
value as a Python float: exact), and for the cases with a Karras/exponential/beta ramp
`rounded_log <case> <N> timestep <i> <timestep>`: the same scheduler with its `_sigma_to_t` given
the float32 log σ table correctly rounded instead of numpy's SIMD float32 log (within 3.83 ulps),
the arithmetic that euler_steps.hpp's diffusers_float32 mode replays.
"""
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import spot_check_diffusers  # noqa: E402  (the module stand-ins)
from euler_cases import CASES, STEPS  # noqa: E402


def main():
    checkout = sys.argv[1]
    spot_check_diffusers.load_scheduler(checkout)  # installs the stand-in modules (loads the flow scheduler too)
    import importlib.util
    path = os.path.join(checkout, 'src/diffusers/schedulers/scheduling_euler_discrete.py')
    sys.modules['diffusers.schedulers.scheduling_utils'].KarrasDiffusionSchedulers = ()
    spec = importlib.util.spec_from_file_location('diffusers.schedulers.scheduling_euler_discrete', path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    print('# diffusers EulerDiscreteScheduler.set_timesteps(N), 58eb52c0, torch %s, numpy %s; printed by'
          % (torch.__version__, np.__version__))
    print('# tests/reference/spot_check_euler_diffusers.py (needs diffusers); cases in euler_cases.py')
    class CorrectlyRoundedLog(module.EulerDiscreteScheduler):
        """diffusers' scheduler whose _sigma_to_t reads the float32 log σ table correctly rounded
        (np.log of the float32 table in float64, then float32) instead of numpy's SIMD float32 log."""

        def _sigma_to_t(self, sigma, log_sigmas):
            table = np.array(((1 - self.alphas_cumprod) / self.alphas_cumprod) ** 0.5)
            return super()._sigma_to_t(sigma, np.log(table.astype(np.float64)).astype(np.float32))

    for name, config in CASES.items():
        for n in STEPS:
            s = module.EulerDiscreteScheduler(**config)
            s.set_timesteps(n)
            for i, v in enumerate(s.sigmas.numpy().astype(np.float32)):
                print('diffusers %s %d sigma %d %r' % (name, n, i, float(v)))
            for i, v in enumerate(s.timesteps.numpy().astype(np.float32)):
                print('diffusers %s %d timestep %d %r' % (name, n, i, float(v)))
            if any(config.get('use_%s_sigmas' % k) for k in ('karras', 'exponential', 'beta')):
                s = CorrectlyRoundedLog(**config)
                s.set_timesteps(n)
                for i, v in enumerate(s.timesteps.numpy().astype(np.float32)):
                    print('rounded_log %s %d timestep %d %r' % (name, n, i, float(v)))


if __name__ == '__main__':
    main()
