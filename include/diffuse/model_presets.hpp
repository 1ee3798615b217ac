/// Model families and the model sampling ComfyUI runs each with: a table of presets (prediction type, σ table, timestep map), each row citing its source.
///
/// A preset is a plain struct, ModelPreset: the family's name, what the model predicts (Prediction
/// of training_time.hpp: ComfyUI's EPS is epsilon, V_PREDICTION v, CONST flow_velocity), which
/// model sampling of model_sampling.hpp it uses (`kind`) and that sampling's parameters. Look one
/// up by family or by name, change a field if you need to (an override is an assignment you can
/// see), then build it:
///
///     diffuse::ModelPreset preset = diffuse::model_preset("flux-dev");
///     preset.mu = diffuse::resolution_shift_mu(1024.0 * 1024.0 / 256.0);  // ComfyUI's ModelSamplingFlux node
///     const auto ms = diffuse::make_model_sampling<double>(preset);      // an AnyModelSampling<double>
///     std::visit([](const auto& m) { /* m.sigma_max(), sampler_sigmas(m, "karras", 20), ... */ }, ms);
///
/// Source of every default: Comfy-Org/ComfyUI @a125cd84, `comfy/supported_models.py` (each family's
/// `sampling_settings` and model class), `comfy/model_base.py` (the ModelType each model class
/// passes, hence the model-sampling class and the prediction: EPS = ε, V_PREDICTION = v, FLOW and
/// FLUX = CONST, the flow velocity), and `comfy/model_sampling.py` (the defaults a family does not
/// set: ModelSamplingDiscrete LDM "linear" 0.00085–0.012 over 1000 steps, ModelSamplingContinuousEDM
/// σ_data 1, ModelSamplingDiscreteFlow shift 1 and multiplier 1000 over 1000 steps, ModelSamplingFlux
/// over 10000 steps). Where diffusers' scheduler_config.json on the Hugging Face hub says otherwise,
/// the row keeps ComfyUI's value and its comment names the other.
///
/// Index convention: as in model_sampling.hpp, the σ table holds at 0-based index i the noise level
/// of our step t = i + 1 (t = 0 is the data).
///
/// Not yet supported, because diffuse has no model-sampling type for them:
/// CogVideoX (V_PREDICTION_DDPM with an SNR shift), and the zero
/// terminal SNR tables of "ztsnr" checkpoints (ComfyUI's terminal ᾱ is 4.897·10⁻⁸).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "detail/error.hpp"
#include "model_sampling.hpp"
#include "presets.hpp"
#include "schedule.hpp"
#include "training_time.hpp"

namespace diffuse {

/// The model sampling a family uses, named after ComfyUI's class in comfy/model_sampling.py.
enum class ModelSamplingKind {
  discrete_vp,  ///< ModelSamplingDiscrete: DiscreteVpSampling of presets::diffusers(beta_schedule, beta_start, beta_end, steps)
  continuous_edm,  ///< ModelSamplingContinuousEDM: EdmSampling(sigma_min, sigma_max, sigma_data)
  continuous_v,    ///< ModelSamplingContinuousV: ContinuousVSampling(sigma_min, sigma_max, sigma_data)
  discrete_flow,   ///< ModelSamplingDiscreteFlow: FlowSampling(shift, multiplier, steps)
  flux,            ///< ModelSamplingFlux: FlowSampling::flux(mu, steps)
  stable_cascade,  ///< StableCascadeSampling: StableCascadeSampling(shift)
  cosmos_rflow,    ///< ModelSamplingCosmosRFlow: CosmosRFlowSampling(sigma_min, sigma_max, sigma_data)
};

/// The families of the preset table, in its order (model_presets()[i].family is ModelFamily(i)).
enum class ModelFamily {
  sd15,
  sd2_v,
  sdxl,
  sd3,
  auraflow,
  flux_dev,
  flux_schnell,
  flux2,
  wan21,
  wan22_t2v_a14b,
  wan22_i2v_a14b,
  hunyuan_video,
  ltxv,
  mochi,
  lumina2,
  stable_cascade_c,
  stable_cascade_b,
  cosmos_predict2,
  svd,
  stable_audio
};

/// Any model sampling a preset can build.
template <class Scalar>
using AnyModelSampling = std::variant<DiscreteVpSampling<Scalar>, EdmSampling<Scalar>, ContinuousVSampling<Scalar>,
                                      FlowSampling<Scalar>, StableCascadeSampling<Scalar>, CosmosRFlowSampling<Scalar>>;

/// One row of the table: a family's prediction type and model-sampling parameters. The fields that
/// `kind` does not read keep ComfyUI's class defaults and are ignored.
struct ModelPreset {
  std::string name;  ///< the lookup name, e.g. "sd15", "flux-dev"
  ModelFamily family = ModelFamily::sd15;
  Prediction prediction = Prediction::epsilon;  ///< epsilon, v or flow_velocity (ComfyUI's EPS, V_PREDICTION, CONST)
  ModelSamplingKind kind = ModelSamplingKind::discrete_vp;
  /// T: the number of β (discrete_vp) or of σ-table entries (discrete_flow, flux); the continuous
  /// kinds always have ComfyUI's 1000 table entries, stable_cascade its 10000.
  int steps = 1000;
  std::string beta_schedule =
      "scaled_linear";          ///< discrete_vp, in diffusers' names (LDM's and ComfyUI's "linear" is "scaled_linear")
  double beta_start = 0.00085;  ///< discrete_vp: β_1
  double beta_end = 0.012;      ///< discrete_vp: β_T
  double sigma_min = 0.002;     ///< continuous_edm, continuous_v, cosmos_rflow: the first table entry
  double sigma_max = 120;       ///< continuous_edm, continuous_v, cosmos_rflow: the last table entry
  double sigma_data = 1;        ///< continuous_edm, continuous_v, cosmos_rflow: the data's standard deviation
  double shift = 1;             ///< discrete_flow: s of shift_s(u) = s·u/(1 + (s − 1)u); stable_cascade: k, SNR/k²
  double multiplier = 1000;     ///< discrete_flow: m, the model timestep is m·σ
  double mu = 1.15;             ///< flux: μ, s = e^μ (what ComfyUI's ModelSamplingFlux calls "shift")
  /// Two experts (Wan 2.2 A14B): the boundary b of high_noise_expert_steps; 0 for a single model.
  double expert_boundary = 0;
  std::string source;  ///< where the row's values come from
};

namespace detail {

inline ModelPreset preset_row(ModelFamily family, const char* name, Prediction prediction, ModelSamplingKind kind,
                              const char* source) {
  ModelPreset row;
  row.name = name;
  row.family = family;
  row.prediction = prediction;
  row.kind = kind;
  row.source = source;
  return row;
}
/// A ModelSamplingDiscrete row with ComfyUI's default β (no sampling_settings for the schedule).
inline ModelPreset discrete_vp_row(ModelFamily family, const char* name, Prediction prediction, const char* source) {
  return preset_row(family, name, prediction, ModelSamplingKind::discrete_vp, source);
}
inline ModelPreset continuous_row(ModelFamily family, const char* name, Prediction prediction, ModelSamplingKind kind,
                                  double sigma_min, double sigma_max, const char* source) {
  ModelPreset row = preset_row(family, name, prediction, kind, source);
  row.sigma_min = sigma_min;
  row.sigma_max = sigma_max;
  return row;
}
inline ModelPreset flow_row(ModelFamily family, const char* name, double shift, double multiplier, const char* source) {
  ModelPreset row = preset_row(family, name, Prediction::flow_velocity, ModelSamplingKind::discrete_flow, source);
  row.shift = shift;
  row.multiplier = multiplier;
  return row;
}
inline ModelPreset wan22_row(ModelFamily family, const char* name, double boundary, const char* source) {
  ModelPreset row = flow_row(family, name, 8.0, 1000, source);
  row.expert_boundary = boundary;
  return row;
}
inline ModelPreset stable_cascade_row(ModelFamily family, const char* name, double shift, const char* source) {
  ModelPreset row = preset_row(family, name, Prediction::epsilon, ModelSamplingKind::stable_cascade, source);
  row.shift = shift;
  row.steps = 10000;
  return row;
}
inline ModelPreset flux_row(ModelFamily family, const char* name, double mu, const char* source) {
  ModelPreset row = preset_row(family, name, Prediction::flow_velocity, ModelSamplingKind::flux, source);
  row.mu = mu;
  row.steps = 10000;
  return row;
}

}  // namespace detail

/// The preset table, one row per ModelFamily in its order. "C-sm X" is class X of ComfyUI
/// comfy/supported_models.py @a125cd84; "hub" is diffusers' scheduler_config.json of the model's
/// Hugging Face repository.
inline const std::vector<ModelPreset>& model_presets() {
  using detail::continuous_row;
  using detail::discrete_vp_row;
  using detail::flow_row;
  using detail::flux_row;
  using detail::stable_cascade_row;
  using detail::wan22_row;
  using F = ModelFamily;
  using K = ModelSamplingKind;
  static const std::vector<ModelPreset> table = {
      /// SD 1.x: C-sm SD15 sets nothing, so ModelSamplingDiscrete's LDM "linear" (= diffusers
      /// scaled_linear) 0.00085–0.012, T = 1000; EPS (model_base BaseModel). Hub
      /// runwayml/stable-diffusion-v1-5 agrees (tests/reference/configs/sd15_pndm.json).
      discrete_vp_row(F::sd15, "sd15", Prediction::epsilon,
                      "ComfyUI supported_models.py@a125cd84 SD15 + model_sampling.py ModelSamplingDiscrete defaults"),
      /// SD 2.x 768-v: C-sm SD20, the same β, V_PREDICTION (ComfyUI guesses v from the weights; the
      /// 512-pixel SD 2.x base models are ε: use "sd15"'s row). Hub stabilityai/stable-diffusion-2-1
      /// agrees: scaled_linear 0.00085–0.012, v_prediction (tests/reference/configs/sd21_ddim_v.json).
      discrete_vp_row(F::sd2_v, "sd2-v", Prediction::v,
                      "ComfyUI supported_models.py@a125cd84 SD20 (V_PREDICTION) + ModelSamplingDiscrete defaults"),
      /// SDXL base: C-sm SDXL, the same β, EPS (v-prediction and EDM variants are chosen by checkpoint
      /// keys). Hub stabilityai/stable-diffusion-xl-base-1.0 agrees (tests/reference/configs/sdxl_euler.json).
      discrete_vp_row(F::sdxl, "sdxl", Prediction::epsilon,
                      "ComfyUI supported_models.py@a125cd84 SDXL + ModelSamplingDiscrete defaults"),
      /// SD3 and SD 3.5: C-sm SD3 shift 3.0; multiplier 1000 (ModelSamplingDiscreteFlow default);
      /// model_base SD3 FLOW. Hub stabilityai/stable-diffusion-3-medium: shift 3.0, T = 1000, agrees.
      flow_row(F::sd3, "sd3", 3.0, 1000, "ComfyUI supported_models.py@a125cd84 SD3 {shift: 3.0}"),
      /// AuraFlow: C-sm AuraFlow multiplier 1.0, shift 1.73; FLOW. (Hub fal/AuraFlow not checked.)
      flow_row(F::auraflow, "auraflow", 1.73, 1,
               "ComfyUI supported_models.py@a125cd84 AuraFlow {multiplier: 1.0, shift: 1.73}"),
      /// Flux.1 dev: C-sm Flux sets nothing, model_base Flux is FLUX, so ModelSamplingFlux with μ = 1.15
      /// and 10000 entries. ComfyUI's ModelSamplingFlux node makes μ follow the resolution, linear in
      /// W·H/256 between (256, 0.5) and (4096, 1.15): set mu = resolution_shift_mu(W·H/256.0).
      /// Hub black-forest-labs/FLUX.1-dev: use_dynamic_shifting with base_shift 0.5, max_shift 1.15
      /// (its static shift 3.0 is unused) (tests/reference/configs/flux_dev_flow_match.json).
      flux_row(
          F::flux_dev, "flux-dev", 1.15,
          "ComfyUI supported_models.py@a125cd84 Flux + model_sampling.py ModelSamplingFlux default shift (mu) 1.15"),
      /// Flux.1 schnell: C-sm FluxSchnell multiplier 1.0, shift 1.0, and get_model passes FLOW, so
      /// ModelSamplingDiscreteFlow (no shift, 1000 entries), not ModelSamplingFlux. Hub
      /// black-forest-labs/FLUX.1-schnell: shift 1.0, use_dynamic_shifting false, agrees.
      flow_row(F::flux_schnell, "flux-schnell", 1.0, 1,
               "ComfyUI supported_models.py@a125cd84 FluxSchnell {multiplier: 1.0, shift: 1.0}, FLOW"),
      /// Flux.2 (dev and klein): C-sm Flux2 (Comfy-Org/ComfyUI @e3c35527, newer than a125cd84, which has
      /// no Flux.2) sets shift 2.02, and model_base Flux2 is a Flux, hence FLUX: ModelSamplingFlux with
      /// μ = 2.02 and 10000 entries. ComfyUI's Flux2Scheduler node and diffusers' Flux2Pipeline instead
      /// take μ from the image sequence length and the step count: set mu = flux2_empirical_mu(W·H/256, N)
      /// (flow.hpp; 2.02 is its value at 1024², L = 4096, with N = 50: 2.0234).
      flux_row(F::flux2, "flux2", 2.02, "ComfyUI supported_models.py@e3c35527 Flux2 {shift: 2.02}, FLUX"),
      /// Wan 2.1 (text and image to video; Wan 2.2 inherits it): C-sm WAN21_T2V shift 8.0, multiplier
      /// 1000; FLOW. Hub Wan-AI/Wan2.1-*-Diffusers: UniPCMultistepScheduler flow_shift 3.0 (diffusers'
      /// docs suggest 3.0 at 480p, 5.0 at 720p).
      flow_row(F::wan21, "wan21", 8.0, 1000, "ComfyUI supported_models.py@a125cd84 WAN21_T2V {shift: 8.0}"),
      /// Wan 2.2 A14B, text to video: two 14B experts, the high-noise one for the steps whose model
      /// timestep is at least b·1000, the low-noise one after (high_noise_expert_steps). ComfyUI loads
      /// each expert as a Wan 2.1 model (C-sm WAN21_T2V: shift 8.0, FLOW) and leaves the split to the
      /// user's two samplers. The boundary b = 0.875 and the official sampling (UniPC, 40 steps, shift
      /// 12.0) are the Wan team's wan/configs/wan_t2v_A14B.py (Wan-Video/Wan2.2, as copied in
      /// ml-explore/mlx-examples video/Wan2.2 @5dae592b); diffusers' WanPipeline calls b boundary_ratio.
      wan22_row(F::wan22_t2v_a14b, "wan22-t2v-a14b", 0.875,
                "ComfyUI supported_models.py@a125cd84 WAN21_T2V {shift: 8.0}; boundary 0.875: Wan2.2 "
                "wan/configs/wan_t2v_A14B.py"),
      /// Wan 2.2 A14B, image to video: ComfyUI's WAN21_I2V (a WAN21_T2V: shift 8.0, FLOW); b = 0.900 and
      /// the official UniPC, 40 steps, shift 5.0 from the Wan team's wan/configs/wan_i2v_A14B.py.
      wan22_row(F::wan22_i2v_a14b, "wan22-i2v-a14b", 0.9,
                "ComfyUI supported_models.py@a125cd84 WAN21_I2V {shift: 8.0}; boundary 0.900: Wan2.2 "
                "wan/configs/wan_i2v_A14B.py"),
      /// HunyuanVideo: C-sm HunyuanVideo shift 7.0, multiplier 1000; FLOW. Hub
      /// hunyuanvideo-community/HunyuanVideo (as its copy jbilcke-hf/HunyuanVideo-HFIE shows): shift 7.0,
      /// use_dynamic_shifting false, agrees.
      flow_row(F::hunyuan_video, "hunyuan-video", 7.0, 1000,
               "ComfyUI supported_models.py@a125cd84 HunyuanVideo {shift: 7.0}"),
      /// LTX-Video: C-sm LTXV shift 2.37, and model_base LTXV passes FLUX, so ModelSamplingFlux with
      /// μ = 2.37 (s = e^2.37 ≈ 10.7), 10000 entries. Hub Lightricks/LTX-Video: use_dynamic_shifting,
      /// μ from 0.95 to 2.05 over 1024–4096 tokens, shift_terminal 0.1
      /// (tests/reference/configs/ltx_video_flow_match.json).
      flux_row(F::ltxv, "ltxv", 2.37, "ComfyUI supported_models.py@a125cd84 LTXV {shift: 2.37}, FLUX"),
      /// Mochi: C-sm GenmoMochi multiplier 1.0, shift 6.0; FLOW. Hub genmo/mochi-1-preview: shift 1.0
      /// with invert_sigmas (its pipeline passes its own linear-quadratic σ).
      flow_row(F::mochi, "mochi", 6.0, 1,
               "ComfyUI supported_models.py@a125cd84 GenmoMochi {multiplier: 1.0, shift: 6.0}"),
      /// Lumina Image 2.0: C-sm Lumina2 multiplier 1.0, shift 6.0; FLOW. (Hub not checked.)
      flow_row(F::lumina2, "lumina2", 6.0, 1,
               "ComfyUI supported_models.py@a125cd84 Lumina2 {multiplier: 1.0, shift: 6.0}"),
      /// Stable Cascade stage C (the prior): C-sm Stable_Cascade_C shift 2.0; model_base StableCascade_C
      /// passes STABLE_CASCADE, so StableCascadeSampling with EPS (ε-prediction), 10000 entries.
      stable_cascade_row(F::stable_cascade_c, "stable-cascade-c", 2.0,
                         "ComfyUI supported_models.py@a125cd84 Stable_Cascade_C {shift: 2.0}, STABLE_CASCADE"),
      /// Stable Cascade stage B (the decoder): C-sm Stable_Cascade_B shift 1.0, STABLE_CASCADE.
      stable_cascade_row(F::stable_cascade_b, "stable-cascade-b", 1.0,
                         "ComfyUI supported_models.py@a125cd84 Stable_Cascade_B {shift: 1.0}, STABLE_CASCADE"),
      /// Cosmos Predict2 (text and image to image/video): C-sm CosmosT2IPredict2 σ_data 1.0, σ_max 80.0,
      /// σ_min 0.002; model_base CosmosPredict2 passes FLOW_COSMOS: ModelSamplingCosmosRFlow with
      /// COSMOS_RFLOW, x̂₀ = (1 − τ)x − τ·out, a flow-velocity model. (Cosmos 1, CosmosT2V, is
      /// ModelSamplingContinuousEDM with σ_data 0.5, σ_max 80 and ComfyUI's EDM denoiser, whose
      /// output is neither ε, x₀, v nor a velocity: not a row; EdmSampling(0.002, 80, 0.5) builds it.)
      continuous_row(F::cosmos_predict2, "cosmos-predict2", Prediction::flow_velocity, K::cosmos_rflow, 0.002, 80.0,
                     "ComfyUI supported_models.py@a125cd84 CosmosT2IPredict2 {sigma_data: 1.0, sigma_max: 80.0, "
                     "sigma_min: 0.002}, FLOW_COSMOS"),
      /// Stable Video Diffusion: C-sm SVD_img2vid σ_max 700.0, σ_min 0.002; model_base SVD_img2vid
      /// V_PREDICTION_EDM, so ModelSamplingContinuousEDM with v-prediction, σ_data 1. Hub
      /// stabilityai/stable-video-diffusion-img2vid: EulerDiscreteScheduler σ 0.002–700, v_prediction.
      continuous_row(
          F::svd, "svd", Prediction::v, K::continuous_edm, 0.002, 700.0,
          "ComfyUI supported_models.py@a125cd84 SVD_img2vid {sigma_max: 700.0, sigma_min: 0.002}, V_PREDICTION_EDM"),
      /// Stable Audio Open: C-sm StableAudio σ_max 500.0, σ_min 0.03; model_base StableAudio1
      /// V_PREDICTION_CONTINUOUS, σ_data 1. diffusers' CosineDPMSolverMultistepScheduler defaults to
      /// σ_min 0.3, σ_max 500.
      continuous_row(
          F::stable_audio, "stable-audio", Prediction::v, K::continuous_v, 0.03, 500.0,
          "ComfyUI supported_models.py@a125cd84 StableAudio {sigma_max: 500.0, sigma_min: 0.03}, V_PREDICTION_CONTINUOUS"),
  };
  return table;
}

/// The preset of a family (a copy: change a field to override it).
/// @throws std::invalid_argument if `family` is not one of ModelFamily's enumerators.
inline ModelPreset model_preset(ModelFamily family) {
  const auto index = static_cast<std::size_t>(family);
  if (index >= model_presets().size())
    detail::fail<std::invalid_argument>("model_preset", "family must be a ModelFamily", static_cast<int>(family));
  return model_presets()[index];
}

/// The preset of the family named `name` (ModelPreset::name, e.g. "sd15", "sdxl", "sd3", "flux-dev").
/// @throws std::invalid_argument naming the known names if no row has that name.
inline ModelPreset model_preset(const std::string& name) {
  for (const ModelPreset& row : model_presets()) {
    if (row.name == name) return row;
  }
  detail::fail<std::invalid_argument>(
      "model_preset",
      "unknown model family; known: sd15, sd2-v, sdxl, sd3, auraflow, flux-dev, flux-schnell, flux2, wan21, "
      "wan22-t2v-a14b, wan22-i2v-a14b, hunyuan-video, ltxv, mochi, lumina2, stable-cascade-c, stable-cascade-b, cosmos-predict2, svd, stable-audio",
      name);
}

/// How many of the leading sampling steps go to the high-noise expert of a two-expert model (Wan 2.2
/// A14B; ModelPreset::expert_boundary): the steps whose model timestep τ is at least b·T, given the
/// steps' timesteps in sampling order (non-increasing), T = num_train_timesteps. This is diffusers'
/// WanPipeline (`t >= boundary_ratio * num_train_timesteps`, pipelines/wan/pipeline_wan.py @58eb52c0)
/// and the Wan team's generate code (`t >= boundary * num_train_timesteps`). Both compare the
/// scheduler's timesteps, which their UniPC flow scheduler truncates to integers (int64 of σ·T): pass
/// those to match them step for step (with b·T an integer, as 875 and 900, truncation changes
/// nothing). b·T is the double product, as in Python.
/// @throws std::invalid_argument unless boundary is in [0, 1] and num_train_timesteps ≥ 1;
/// std::out_of_range unless every timestep is finite and the sequence non-increasing.
template <class Derived>
int high_noise_expert_steps(const Eigen::MatrixBase<Derived>& timesteps, double boundary,
                            int num_train_timesteps = 1000) {
  constexpr const char* fn = "high_noise_expert_steps";
  if (!(boundary >= 0 && boundary <= 1))
    detail::fail<std::invalid_argument>(fn, "boundary must be in [0, 1]", boundary);
  detail::check_steps(fn, num_train_timesteps);
  const double threshold = boundary * num_train_timesteps;
  int high = 0;
  for (Eigen::Index i = 0; i < timesteps.size(); ++i) {
    const double tau = static_cast<double>(timesteps(i));
    if (!detail::is_finite(tau)) detail::fail<std::out_of_range>(fn, "timesteps must be finite", tau);
    if (i > 0 && tau > static_cast<double>(timesteps(i - 1)))
      detail::fail<std::out_of_range>(fn, "timesteps must be non-increasing (sampling order)", tau);
    if (tau >= threshold) high = static_cast<int>(i) + 1;
  }
  return high;
}

/// The model sampling a preset describes, as the type its `kind` names (see ModelSamplingKind).
/// @throws std::invalid_argument as that type's constructor (or presets::diffusers) for parameters it
/// rejects, or if `kind` is not one of ModelSamplingKind's enumerators.
template <class Scalar>
AnyModelSampling<Scalar> make_model_sampling(const ModelPreset& preset) {
  switch (preset.kind) {
    case ModelSamplingKind::discrete_vp: {
      presets::DiffusersBetas betas;
      betas.num_train_timesteps = preset.steps;
      betas.beta_start = preset.beta_start;
      betas.beta_end = preset.beta_end;
      betas.beta_schedule = preset.beta_schedule;
      return DiscreteVpSampling<Scalar>(presets::diffusers<Scalar>(betas));
    }
    case ModelSamplingKind::continuous_edm:
      return EdmSampling<Scalar>(preset.sigma_min, preset.sigma_max, preset.sigma_data);
    case ModelSamplingKind::continuous_v:
      return ContinuousVSampling<Scalar>(preset.sigma_min, preset.sigma_max, preset.sigma_data);
    case ModelSamplingKind::discrete_flow: return FlowSampling<Scalar>(preset.shift, preset.multiplier, preset.steps);
    case ModelSamplingKind::flux: return FlowSampling<Scalar>::flux(preset.mu, preset.steps);
    case ModelSamplingKind::stable_cascade: return StableCascadeSampling<Scalar>(preset.shift);
    case ModelSamplingKind::cosmos_rflow:
      return CosmosRFlowSampling<Scalar>(preset.sigma_min, preset.sigma_max, preset.sigma_data);
  }
  detail::fail<std::invalid_argument>("make_model_sampling", "kind must be a ModelSamplingKind",
                                      static_cast<int>(preset.kind));
}

}  // namespace diffuse
