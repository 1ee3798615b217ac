"""The EulerDiscreteScheduler configurations of the euler_steps references (shared by
gen_euler_steps_reference.py and spot_check_euler_diffusers.py): name -> scheduler_config keys."""

SD15 = dict(num_train_timesteps=1000, beta_start=0.00085, beta_end=0.012, beta_schedule='scaled_linear')
ZSNR = dict(SD15, timestep_spacing='trailing', rescale_betas_zero_snr=True)

CASES = {
    'sd15': dict(SD15),
    'sd15_leading': dict(SD15, timestep_spacing='leading', steps_offset=1),
    'sd15_leading_no_offset': dict(SD15, timestep_spacing='leading'),
    'sd15_trailing': dict(SD15, timestep_spacing='trailing'),
    'sd15_sigma_min': dict(SD15, final_sigmas_type='sigma_min'),
    'sd15_karras': dict(SD15, use_karras_sigmas=True),
    'sd15_karras_leading': dict(SD15, use_karras_sigmas=True, timestep_spacing='leading', steps_offset=1),
    'sd15_karras_trailing_sigma_min': dict(SD15, use_karras_sigmas=True, timestep_spacing='trailing',
                                           final_sigmas_type='sigma_min'),
    'sd15_karras_range': dict(SD15, use_karras_sigmas=True, sigma_min=0.03, sigma_max=14.6),
    'sd15_exponential': dict(SD15, use_exponential_sigmas=True),
    'sd15_exponential_leading': dict(SD15, use_exponential_sigmas=True, timestep_spacing='leading', steps_offset=1),
    'sd15_beta': dict(SD15, use_beta_sigmas=True),
    'sd15_beta_trailing': dict(SD15, use_beta_sigmas=True, timestep_spacing='trailing'),
    'sd15_log_linear': dict(SD15, interpolation_type='log_linear'),
    'sd15_log_linear_karras': dict(SD15, interpolation_type='log_linear', use_karras_sigmas=True),
    'zsnr': dict(ZSNR),
    'zsnr_linspace_sigma_min': dict(ZSNR, timestep_spacing='linspace', final_sigmas_type='sigma_min'),
    'zsnr_karras': dict(ZSNR, use_karras_sigmas=True),
    'zsnr_exponential': dict(ZSNR, use_exponential_sigmas=True),
    'zsnr_beta': dict(ZSNR, use_beta_sigmas=True, final_sigmas_type='sigma_min'),
}

STEPS = (1, 2, 4, 10, 20, 28, 50)
