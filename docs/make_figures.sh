#!/usr/bin/env bash
# Makes every picture in docs/ from the examples' output. Usage: docs/make_figures.sh BUILD_DIR
# (a configured build tree of this repository). Needs Debian's python3-matplotlib and python3-pil.
set -euo pipefail
build=${1:?usage: docs/make_figures.sh BUILD_DIR}
docs=$(cd "$(dirname "$0")" && pwd)
cmake --build "$build" -j2 --target schedule_table forward_1d noise_image continuous_processes flow_matching training_batch \
  sampler_sigmas
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

/usr/bin/python3 "$docs/plot_schedules.py" "$build" "$docs/schedules.png"
"$build/examples/forward_1d" --out-dir "$scratch" --trajectories 8 >/dev/null
/usr/bin/python3 "$docs/plot_forward_1d.py" "$scratch" "$docs/forward_1d.png"
"$build/examples/noise_image" --output "$scratch/strip.ppm" >/dev/null
/usr/bin/python3 -c "import sys; from PIL import Image; Image.open(sys.argv[1]).save(sys.argv[2])" \
  "$scratch/strip.ppm" "$docs/noise_image.png"
/usr/bin/python3 "$docs/plot_continuous.py" "$build" "$docs/continuous_processes.png"
/usr/bin/python3 "$docs/plot_flow_steps.py" "$build" "$docs/flow_steps.png"
/usr/bin/python3 "$docs/plot_training_times.py" "$build" "$docs/training_times.png"
/usr/bin/python3 "$docs/plot_sampler_sigmas.py" "$build" "$docs/sampler_sigmas.png"
echo "wrote $docs/{schedules,forward_1d,noise_image,continuous_processes,flow_steps,training_times,sampler_sigmas}.png"
