#!/usr/bin/env bash
# Formats every tracked C++ and CUDA source (*.hpp *.cpp *.cu *.cuh *.h under include/, tests/,
# examples/ and benchmarks/) with clang-format and the root .clang-format.
#
# Usage: bash cmake/format.sh            format the files in place
#        bash cmake/format.sh --check    change nothing; name each file that is not formatted, show
#                                        what would change, and exit 1 if there is one (CI)
#
# The layout is that of Debian bookworm's clang-format 14, which CI runs: another major version
# formats some constructs differently. The script takes $CLANG_FORMAT if set, else clang-format-14,
# else clang-format, and warns when that is not version 14.
set -euo pipefail
cd "$(dirname "$0")/.."

check=0
case "${1:-}" in
  --check) check=1 ;;
  "") ;;
  *) echo "usage: bash cmake/format.sh [--check]" >&2; exit 2 ;;
esac

if [ -n "${CLANG_FORMAT:-}" ]; then
  tool=$CLANG_FORMAT
elif command -v clang-format-14 >/dev/null; then
  tool=clang-format-14
elif command -v clang-format >/dev/null; then
  tool=clang-format
else
  echo "format.sh: clang-format not found (Debian: apt-get install clang-format)" >&2
  exit 2
fi
version=$("$tool" --version)
if ! [[ $version =~ version\ 14\. ]]; then
  echo "format.sh: warning: $tool is not clang-format 14 ($version); CI's clang-format 14 may disagree" >&2
fi

files=()
while IFS= read -r -d '' file; do files+=("$file"); done < <(
  git ls-files -z -- 'include/*.hpp' 'include/*.cpp' 'include/*.cu' 'include/*.cuh' 'include/*.h' \
    'tests/*.hpp' 'tests/*.cpp' 'tests/*.cu' 'tests/*.cuh' 'tests/*.h' \
    'examples/*.hpp' 'examples/*.cpp' 'examples/*.cu' 'examples/*.cuh' 'examples/*.h' \
    'benchmarks/*.hpp' 'benchmarks/*.cpp' 'benchmarks/*.cu' 'benchmarks/*.cuh' 'benchmarks/*.h')
if [ "${#files[@]}" -eq 0 ]; then
  echo "format.sh: no files to format (not a git checkout?)" >&2
  exit 2
fi

if [ "$check" = 0 ]; then
  "$tool" -i --style=file "${files[@]}"
  echo "format.sh: formatted ${#files[@]} files with $tool"
  exit 0
fi

# One clang-format for all the files (fast); its violations name the files.
report=$(mktemp)
trap 'rm -f "$report"' EXIT
status=0
"$tool" --dry-run --Werror --style=file "${files[@]}" 2>"$report" || status=$?
if [ "$status" = 0 ]; then
  echo "format.sh: all ${#files[@]} files formatted ($tool)"
  exit 0
fi
unformatted=()
while IFS= read -r file; do unformatted+=("$file"); done < <(
  sed -nE 's/^(.+):[0-9]+:[0-9]+: (error|warning): code should be clang-formatted.*/\1/p' "$report" | sort -u)
if [ "${#unformatted[@]}" -eq 0 ]; then
  cat "$report" >&2
  echo "format.sh: $tool failed (exit status $status)" >&2
  exit 2
fi
for file in "${unformatted[@]:0:10}"; do
  # What clang-format would change (the first 40 lines of the diff, for the first 10 files).
  "$tool" --style=file "$file" | diff -u --label "$file" --label "$file (formatted)" "$file" - | head -n 40 || true
done
echo "format.sh: ${#unformatted[@]} of ${#files[@]} files are not formatted:" >&2
printf '  %s\n' "${unformatted[@]}" >&2
echo "format.sh: run 'bash cmake/format.sh' (clang-format 14) and commit the result" >&2
exit 1
