#!/usr/bin/env bash
# Compile time of `#include <diffuse/X.hpp>` alone, against `#include <Eigen/Core>` alone: the best of
# N runs of `$CXX -std=c++17 -O2 -c` (an empty translation unit but for the include), in seconds, as
# a Markdown table. Usage: benchmarks/include_cost.sh [N=5]   (CXX, EIGEN_INCLUDE override the defaults)
set -euo pipefail
runs=${1:-5}
cxx=${CXX:-g++}
eigen=${EIGEN_INCLUDE:-/usr/include/eigen3}
root=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

best_of() {  # best wall time of $runs compilations of "#include <$1>"
  printf '#include <%s>\n' "$1" > "$scratch/unit.cpp"
  local best=""
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s%N)
    "$cxx" -std=c++17 -O2 -I"$root/include" -I"$eigen" -c "$scratch/unit.cpp" -o "$scratch/unit.o"
    end=$(date +%s%N)
    local took=$(( (end - start) / 1000000 ))
    if [ -z "$best" ] || [ "$took" -lt "$best" ]; then best=$took; fi
  done
  echo "$best"
}

eigen_ms=$(best_of Eigen/Core)
echo "$("$cxx" --version | head -1), -O2, best of $runs"
echo
echo "| header | seconds | over <Eigen/Core> |"
echo "|---|---|---|"
printf '| `<Eigen/Core>` | %d.%03d | |\n' $((eigen_ms / 1000)) $((eigen_ms % 1000))
for header in "$root"/include/diffuse/*.hpp; do
  name=diffuse/$(basename "$header")
  ms=$(best_of "$name")
  over=$((ms - eigen_ms))
  sign=""; [ "$over" -lt 0 ] && { sign="-"; over=$((-over)); }
  printf '| `<%s>` | %d.%03d | %s%d.%03d |\n' "$name" $((ms / 1000)) $((ms % 1000)) "$sign" $((over / 1000)) $((over % 1000))
done
