#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into tests/fuzz/corpus/<name>/ (run from anywhere).

The binary seeds of fuzz_schedule and fuzz_timesteps use the encodings of diffuse_fuzz::Bytes
(tests/fuzz/fuzz_support.hpp): u8, little-endian u16, int_in(lo, hi) as the u16 value - lo,
number() as a tag byte (0 raw IEEE bits, 1 a special value, 2 m * 10^-k, 3 -m * 10^-k), text() as a
length byte and the bytes, int_list() as mode, count and values. The example seeds are arguments
separated by NUL bytes; the config seeds are JSON texts.
"""
import pathlib
import shutil
import struct

HERE = pathlib.Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
CONFIGS = HERE.parent / "reference" / "configs"


def u8(x):
    return bytes([x & 0xFF])


def u16(x):
    return struct.pack("<H", x & 0xFFFF)


def int_in(value, lo):
    return u16(value - lo)


def steps(t):
    """steps(): a count, small ones directly, others with bit 15 set."""
    return u16(t + 2) if t <= 64 else u16(0x8000 | (t + 2))


def dec(m, k):
    """number(): the decimal m * 10^-k."""
    return u8(2) + u16(m) + u8(k)


def raw(x):
    """number(): the double x, bit for bit."""
    return u8(0) + struct.pack("<d", x)


SPECIAL = {"0": 0, "-0": 1, "1": 2, "-1": 3, "nan": 19, "inf": 17, "-inf": 18, "denorm_min": 13, "1+ulp": 12}


def special(name):
    return u8(1) + u8(SPECIAL[name])


def text(s):
    b = s.encode()
    return u8(len(b)) + b


def run_list(lo, start, steps):
    """int_list() mode 1: start, then increments."""
    out = u8(1) + u8(len(steps) + 1) + u8(start - lo)
    for step in steps:
        out += u8(step - 1)
    return out


def raw_list(lo, values):
    """int_list() mode 0: the values as given."""
    return u8(0) + u8(len(values)) + b"".join(int_in(v, lo) for v in values)


def schedule_seeds():
    double, flt, longd = u8(0), u8(1), u8(2)
    T = steps
    zero, cast = u8(0), u8(3)
    respace_text = lambda s: u8(1) + u8(0) + text(s)  # noqa: E731
    respace_list = lambda lst: u8(1) + u8(1) + lst  # noqa: E731
    ddpm = dec(1, 4) + dec(2, 2)
    sd = dec(85, 5) + dec(12, 3)
    minus3 = u8(3) + u16(3) + u8(0)  # number(): -3
    return {
        "linear_ddpm": double + u8(0) + T(1000) + ddpm,
        "linear_float_T1": flt + u8(0) + T(1) + ddpm,
        "linear_nan_end": double + u8(0) + T(10) + dec(1, 4) + special("nan"),
        "linear_end_above_1": double + u8(0) + T(10) + dec(1, 4) + special("1+ulp"),
        "linear_T0": double + u8(0) + T(0) + ddpm,
        "scaled_linear_sd_zero_snr_ddim50": double + u8(1) + T(1000) + sd + zero + respace_text("ddim50"),
        "sigmoid_long_double": longd + u8(2) + T(1000) + ddpm + cast,
        "constant_udl": double + u8(3) + T(100) + dec(1511, 5) + zero,
        "constant_beta_1_T1": double + u8(3) + T(1) + special("1"),
        "cosine_default_zero_snr": flt + u8(4) + T(1000) + dec(8, 3) + dec(999, 3) + zero + cast,
        "cosine_s_zero_cap_1": double + u8(4) + T(50) + special("0") + special("1"),
        "cosine_respace_sections": double + u8(4) + T(1000) + dec(8, 3) + dec(999, 3) + respace_text("10,15,20"),
        "cosine_respace_list": double + u8(4) + T(100) + dec(8, 3) + dec(999, 3)
        + respace_list(run_list(-1, 1, [10, 10, 20, 30, 25])),
        "from_betas_tiny": double + u8(5) + T(64) + u8(2) + raw(1e-300) + dec(5, 1) + raw(2.5e-310) + u8(1),
        "from_betas_float_last_one": flt + u8(5) + T(3) + u8(2) + dec(1, 1) + dec(2, 1) + special("1") + u8(0),
        "from_alpha_bars_product": double + u8(6) + T(500) + u8(1) + dec(9999, 4) + dec(99, 2) + u8(1),
        "from_alpha_bars_not_decreasing": double + u8(6) + T(4) + u8(1) + dec(5, 1) + dec(5, 1) + u8(0),
        "from_alpha_bar_function_cosine": double + u8(7) + T(1000) + u8(0) + u8(0) + dec(8, 3) + dec(999, 3) + u8(1),
        "from_alpha_bar_function_table": double + u8(7) + T(30) + u8(4) + u8(4)
        + dec(1, 0) + dec(8, 1) + dec(5, 1) + dec(1, 1) + dec(0, 0) + dec(999, 3) + u8(0),
        "diffusers_scaled_linear_rescale": double + u8(8) + T(1000) + sd + u8(1) + u8(1) + u8(0),
        "diffusers_trained_betas": flt + u8(8) + T(8) + ddpm + u8(0) + u8(0) + u8(1) + u8(1) + u8(1) + dec(1, 2) + dec(2, 2),
        "diffusers_unknown_name": double + u8(8) + T(10) + ddpm + u8(0xF0) + text("squaredcos") + u8(0) + u8(0),
        "improved_linear_T20": double + u8(9) + T(20) + u8(0) + zero,
        "ldm_sqrt": double + u8(10) + T(1000) + u8(2) + dec(1, 4) + dec(2, 2) + dec(8, 3),
        "chen_sigmoid_default": longd + u8(11) + T(1000) + minus3 + dec(3, 0) + dec(1, 0),
        "chen_sigmoid_tau_small": double + u8(11) + T(256) + minus3 + dec(3, 0) + dec(1, 2),
        # A fuzzer's find, kept byte for byte: zero_terminal_snr once changed alpha_bar_1 of this
        # long double schedule in its last bit. constant(63, 0.02) (kind 0x0f, steps 0x0b82, special
        # 6), respaced to run_list 10, 12, 19, 29, 39, 55, cast, a rejected respace (the empty
        # string), then zero_terminal_snr.
        "constant_respaced_zero_snr_long_double": bytes.fromhex("020f820b010609091fe80b010609091f1f1f82620000"),
        # Fuzzer finds that reach code the seeds above do not.
        "improved_linear_float_respaced_one_step": flt + u8(9) + T(1000) + u8(0) + respace_list(raw_list(-1, [43])),
        "improved_cosine_long_double_zero_snr_empty_respace": longd + u8(9) + T(43) + u8(1) + cast + zero
        + respace_list(raw_list(-1, [])),
        "from_alpha_bars_halving_float_T721": flt + u8(6) + T(721) + u8(0) + special("1+ulp") + u8(1) + cast,
        "from_alpha_bars_zero_long_double_T1": longd + u8(6) + T(1) + u8(0) + raw(0.0) + u8(0),
    }


def timesteps_seeds():
    T = steps
    return {
        "diffusers_leading_offset": u8(0) + T(1000) + int_in(50, -2) + u8(1) + int_in(1, -2),
        "diffusers_linspace": u8(0) + T(1000) + int_in(50, -2) + u8(0) + int_in(0, -2),
        "diffusers_trailing_drift": u8(0) + T(999) + int_in(13, -2) + u8(2) + int_in(0, -2),
        "diffusers_leading_N_T": u8(0) + T(1000) + int_in(1000, -2) + u8(1) + int_in(1, -2),
        "custom": u8(1) + T(1000) + raw_list(-2, [999, 800, 500, 2, 0]),
        "custom_not_descending": u8(1) + T(10) + raw_list(-2, [3, 5]),
        "ldm_uniform": u8(2) + T(1000) + int_in(7, -2) + u8(0),
        "ldm_quad": u8(2) + T(1000) + int_in(50, -2) + u8(1),
        "ldm_uniform_N_T": u8(2) + T(10) + int_in(10, -2) + u8(0),
        "space_counts": u8(3) + T(1000) + raw_list(-1, [10, 0, 20]),
        "space_count_too_big": u8(3) + T(10) + raw_list(-1, [6, 1]),
        "space_ddim": u8(4) + T(1000) + text("ddim50"),
        "space_ddim_impossible": u8(4) + T(1000) + text("ddim999"),
        "space_string_blanks": u8(4) + T(300) + text(" 10 , 20,5"),
        "space_string_bad": u8(4) + T(300) + text("10,,x"),
        "from_steps_ascending": u8(5) + T(100) + u8(1) + u8(1) + run_list(-2, 1, [5, 5, 5]),
        "from_indices_descending": u8(5) + T(100) + u8(0) + u8(0) + u8(2) + u8(4) + u8(20) + u8(4) + u8(4) + u8(4),
        "spacing_name": u8(6) + T(1) + text("trailing"),
        "ldm_name": u8(7) + T(1) + text("quad"),
        "diffusers_linspace_large_T": u8(0) + T(27136) + int_in(13951, -2) + u8(0) + int_in(-2, -2),
        "ldm_T_int_min": u8(2) + u16(0xFFFF),
    }


def example_seeds():
    def args(*a):
        return b"\0".join(x.encode() for x in a)

    return {
        "schedule_table": {
            "cosine_zero_snr_ddim": args("--schedule", "cosine", "--steps", "1000", "--zero-terminal-snr", "--respace",
                                         "ddim50", "--type", "float"),
            "linear": args("--schedule", "linear", "--steps", "100", "--beta-start", "0.0001", "--beta-end", "0.02"),
            "constant": args("--schedule", "constant", "--steps", "100", "--beta", "0.01511"),
            "sigmoid_sections": args("--schedule", "sigmoid", "--steps", "300", "--respace", "10,20,30"),
            "cosine_options": args("--schedule", "cosine", "--steps", "20", "--s", "0", "--max-beta", "1"),
            "bad_steps": args("--schedule", "linear", "--steps", "0"),
            "help": args("--help"),
            "linear_float_T4": args("--schedule", "linear", "--steps", "4", "--type", "float"),
            "constant_bad_beta": args("--schedule", "constant", "--steps", "02", "--beta", "51"),
            "respace_empty": args("--schedule", "scaled_linear", "--steps", "345", "--respace", ""),
        },
        "timesteps": {
            "leading": args("--train-steps", "1000", "--inference-steps", "50", "--spacing", "leading", "--steps-offset",
                            "1"),
            "trailing": args("--train-steps", "999", "--inference-steps", "13", "--spacing", "trailing"),
            "respace": args("--train-steps", "1000", "--respace", "ddim50"),
            "ldm": args("--train-steps", "1000", "--inference-steps", "7", "--ldm", "uniform"),
            "config": args("--config", (CONFIGS / "sd15_pndm.json").read_text(), "--inference-steps", "50"),
            "bad_combination": args("--train-steps", "10", "--respace", "5", "--ldm", "quad"),
            "help": args("--help"),
            "config_not_json": args("--config", "m"),
            "config_empty_object": args("--config", "{\n\t\t\t\t\t\t\t\n}\n", "--inference-steps", "53"),
            "config_number": args("--config", "555555555555555555555555555556", "--inference-steps", "50"),
        },
        "continuous_processes": {
            "points": args("--points", "11"),
            "float": args("--points", "5", "--type", "float"),
            "bad_points": args("--points", "1"),
            "help": args("--help"),
            "points_empty": args("--points", ""),
            "lone_dash": args("-"),
        },
        "sampler_sigmas": {
            "sd15_karras": args("--preset", "sd15", "--schedule", "karras", "--steps", "4"),
            "sd15_denoise": args("--preset", "sd15", "--schedule", "simple", "--steps", "10", "--denoise", "0.6"),
            "sdxl_beta": args("--preset", "sdxl", "--schedule", "beta", "--steps", "28"),
            "sd3_shift": args("--preset", "sd3", "--shift", "3", "--schedule", "sgm_uniform", "--steps", "28"),
            "flux_mu": args("--preset", "flux-dev", "--mu", "1.15", "--schedule", "simple", "--steps", "20"),
            "flux2_bong": args("--preset", "flux2", "--schedule", "bong_tangent", "--steps", "10"),
            "wan22_lq": args("--preset", "wan22-t2v-a14b", "--schedule", "linear_quadratic", "--steps", "40"),
            "cascade_shift": args("--preset", "stable-cascade-c", "--shift", "1", "--schedule", "simple", "--steps", "2"),
            "cosmos_kl": args("--preset", "cosmos-predict2", "--schedule", "kl_optimal", "--steps", "35"),
            "edm_exponential": args("--preset", "svd", "--schedule", "exponential", "--steps", "25", "--denoise",
                                    "0.3"),
            "v_ddim": args("--preset", "sd2-v", "--schedule", "ddim_uniform", "--steps", "50"),
            "audio_laplace": args("--preset", "stable-audio", "--schedule", "laplace", "--steps", "100"),
            "lcm": args("--preset", "sd15", "--schedule", "lcm", "--steps", "4"),
            "turbo": args("--preset", "sdxl", "--schedule", "sd_turbo", "--steps", "1"),
            "logit_normal": args("--preset", "sd3", "--schedule", "logit_normal", "--steps", "8"),
            "smoothstep": args("--preset", "auraflow", "--schedule", "smoothstep", "--steps", "16"),
            "list": args("--list"),
            "help": args("--help"),
            "unknown_preset": args("--preset", "sd4"),
            "shift_for_vp": args("--preset", "sd15", "--shift", "3"),
            "bad_denoise": args("--preset", "sd15", "--denoise", "1.5"),
        },
    }


def config_seeds():
    seeds = {p.stem: p.read_bytes() for p in sorted(CONFIGS.glob("*.json"))}
    seeds.update({
        "empty_object": b"{}",
        "not_an_object": b"[1, 2]",
        "python_constants": b'{"beta_start": NaN, "lambda_min_clipped": -Infinity, "sigma_max": Infinity}',
        "duplicate_key": b'{"num_train_timesteps": 10, "num_train_timesteps": 20}',
        "trained_betas_length": b'{"num_train_timesteps": 3, "trained_betas": [0.1, 0.2]}',
        "leading_offset_at_T": b'{"_class_name": "DDIMScheduler", "num_train_timesteps": 4, "steps_offset": 1}',
        "unknown_key_nested": b'{"_class_name": "EulerDiscreteScheduler", "x": {"y": [1, {"z": null}]}}',
        "truncated_literal": b"t",
        "trained_beta_above_1_misspelt_key": (CONFIGS / "trained_betas_ddpm.json").read_bytes()
        .replace(b'"beta_start"', b'"beta_sthrt"').replace(b"[0.0001,", b"[5.0001,"),
    })
    return seeds


def write(name, seeds):
    directory = CORPUS / name
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    for seed, data in seeds.items():
        (directory / seed).write_bytes(data)


def main():
    write("schedule", schedule_seeds())
    write("timesteps", timesteps_seeds())
    write("scheduler_config", config_seeds())
    for program, seeds in example_seeds().items():
        write("example_" + program, seeds)


if __name__ == "__main__":
    main()
