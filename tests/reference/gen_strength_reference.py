"""Reference values for test_strength and test_renoise (strength.hpp, renoise.hpp), written from the tools' definitions.

Step counts: the tools' own Python (double) arithmetic (diffusers get_timesteps, ComfyUI set_steps /
BasicScheduler) and stable-diffusion.cpp's float32 product (numpy.float32). Noise levels and
coefficients: mpmath at 60 digits, from the formulas of k-diffusion get_ancestral_step, ComfyUI
sample_euler_ancestral_RF, diffusers TCDScheduler.step, SD 1.5's scaled_linear schedule.
Run: /usr/bin/python3 tests/reference/gen_strength_reference.py > tests/reference/strength_reference.txt
"""
import mpmath as mp
import numpy as np

from reference_digits import fmt

mp.mp.dps = 60
T = 1000


def sd15_alpha_bar():
    """diffusers scaled_linear: betas = linspace(sqrt(0.00085), sqrt(0.012), T)**2; ᾱ_t = Π_{k≤t}(1 − β_k), t = 1..T."""
    lo, hi = mp.sqrt(mp.mpf('0.00085')), mp.sqrt(mp.mpf('0.012'))
    out, prod = [mp.mpf(1)], mp.mpf(1)
    for i in range(T):
        b = (lo + (hi - lo) * i / (T - 1)) ** 2
        prod *= 1 - b
        out.append(prod)
    return out


abar = sd15_alpha_bar()
table = [mp.sqrt((1 - abar[t]) / abar[t]) for t in range(1, T + 1)]  # 0-based index i holds our step i + 1

print('# Made by tests/reference/gen_strength_reference.py (mpmath, 60 digits; tools\' step arithmetic); do not edit.')
print('sqrt_alpha_bar_T sd15', fmt(mp.sqrt(abar[T])))

for n in (1, 2, 4, 10, 20, 28, 50):
    for s in (0.0, 0.1, 0.3, 0.55, 0.6, 0.7, 0.75, 0.9, 1.0):
        init = min(int(n * s), n)  # StableDiffusionImg2ImgPipeline
        sd = max(n - init, 0)
        flow = int(max(n - min(n * s, n), 0))  # StableDiffusion3 / Flux img2img
        st = np.float32(s)
        if st < np.float32(1):
            t_enc = int(np.float32(n) * st)
            if t_enc == n:
                t_enc -= 1
            sdcpp = n - t_enc - 1
        else:
            sdcpp = 0
        print('start', n, repr(s), sd, flow, sdcpp)


def simple(m):
    """ComfyUI simple_scheduler on the SD 1.5 table: table[L − 1 − ⌊i·L/m⌋], i < m, then 0."""
    return [table[T - 1 - (i * T) // m] for i in range(m)] + [mp.mpf(0)]


for n, d in ((10, 0.6), (20, 0.75), (4, 0.3), (28, 0.5), (10, 0.99995), (10, 0.9999)):
    for node in ('ksampler', 'basic_scheduler'):
        full = d > 0.9999 if node == 'ksampler' else d >= 1.0
        total = n if full else int(n / d)
        sig = simple(total)[-(n + 1):]
        print('comfy', n, repr(d), node, total, len(simple(total)) - len(sig), ' '.join(fmt(x) for x in sig))

for level in (0.1, 0.5, 0.9):
    nl = mp.mpf(float(np.float32(level)))
    print('noise_level', repr(level), fmt(nl / (1 - nl)))

for sf, st, eta in (('14.625', '9.5', 1.0), ('3.0', '1.25', 0.5), ('1.0', '0.03125', 1.0), ('2.0', '1.875', 2.0), ('2.0', '1.0', 2.0)):  # exact in float
    a, b, e = mp.mpf(sf), mp.mpf(st), mp.mpf(eta)
    up = min(b, e * mp.sqrt(b ** 2 * (a ** 2 - b ** 2) / a ** 2))
    down = mp.sqrt(b ** 2 - up ** 2)
    print('ve_ancestral', sf, st, repr(eta), fmt(up), fmt(down), fmt(down / a), fmt(1 - down / a))

for sf, st, eta in (('1.0', '0.75', 1.0), ('0.875', '0.5', 0.5), ('0.5', '0.125', 1.0), ('0.3125', '0.25', 0.0)):  # exact in float
    s, sn, e = mp.mpf(sf), mp.mpf(st), mp.mpf(eta)
    down = sn * (1 + (sn / s - 1) * e)
    scale = (1 - sn) / (1 - down)
    renoise = mp.sqrt(sn ** 2 - down ** 2 * (1 - sn) ** 2 / (1 - down) ** 2)
    print('rf_ancestral', sf, st, repr(eta), fmt(scale * down / s), fmt(scale * (1 - down / s)), fmt(renoise))

for prev, gamma in ((499, 0.3), (759, 0.0), (259, 1.0), (999, 0.5)):
    s = int(mp.floor((1 - mp.mpf(gamma)) * prev))  # torch.floor((1 − γ)·prev), 0-based indices
    ap, as_ = abar[prev + 1], abar[s + 1]
    ratio = ap / as_
    print('tcd', prev, repr(gamma), s, fmt(mp.sqrt(ratio) * mp.sqrt(as_)), fmt(mp.sqrt(ratio) * mp.sqrt(1 - as_)), fmt(1 - ratio))
