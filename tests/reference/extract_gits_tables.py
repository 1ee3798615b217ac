#!/usr/bin/python3
"""Copies the published GITS noise-level tables (Chen et al. 2024, "On the Trajectory Regularity of
ODE-based Diffusion Sampling"; zju-pi/diff-sampler gits-main) as ComfyUI ships them in
comfy_extras/nodes_gits.py (Comfy-Org/ComfyUI @a125cd84, file last changed in 7eb7160d) into
  include/diffuse/detail/gits_tables.hpp   (for sampler_schedules.hpp)
  tests/reference/gits_tables.py           (for gen_sampler_schedules_reference.py)
The numbers are data: copied digit for digit as their decimal text, never through a float.

Run from the repository root:  /usr/bin/python3 tests/reference/extract_gits_tables.py <path to nodes_gits.py>
(for example: git -C <ComfyUI clone> show a125cd84:comfy_extras/nodes_gits.py > /tmp/nodes_gits.py).
"""
import ast
import re
import sys


def main():
    source = open(sys.argv[1]).read()
    start = source.index('NOISE_LEVELS = {')
    end = source.index('\n}\n', start) + 2
    block = source[start + len('NOISE_LEVELS = '):end]
    # Keep every number as written: the keys (0.80 ...) and values as decimal strings.
    texts = re.sub(r'(?<![\w.])(\d+\.\d+)', r"'\1'", block)
    table = ast.literal_eval(texts)
    coeffs = sorted(table, key=float)
    assert [round(float(c) * 100) for c in coeffs] == list(range(80, 151, 5)), coeffs
    for c in coeffs:
        rows = table[c]
        assert [len(r) for r in rows] == [n + 1 for n in range(2, 21)], (c, [len(r) for r in rows])
    with open('include/diffuse/detail/gits_tables.hpp', 'w') as out:
        out.write('/// The GITS noise-level tables as ComfyUI ships them (comfy_extras/nodes_gits.py), copied by tests/reference/extract_gits_tables.py; do not edit.\n')
        out.write('#pragma once\n\nnamespace diffuse {\nnamespace detail {\n\n')
        out.write('/// gits_table[c][N − 2] holds the N + 1 noise levels of coefficient 0.80 + 0.05c (c = 0..14) for N = 2..20,\n')
        out.write('/// each row padded with zeros to 21 entries.\n')
        out.write('// clang-format off\n')
        out.write('inline constexpr double gits_table[15][19][21] = {\n')
        for c in coeffs:
            out.write(f'    {{  // coeff {c}\n')
            for row in table[c]:
                out.write('        {' + ', '.join(row) + '},\n')
            out.write('    },\n')
        out.write('};\n// clang-format on\n\n}  // namespace detail\n}  // namespace diffuse\n')
    with open('tests/reference/gits_tables.py', 'w') as out:
        out.write('"""The GITS tables of ComfyUI comfy_extras/nodes_gits.py as decimal strings, copied by extract_gits_tables.py; do not edit."""\n')
        out.write('GITS = {\n')
        for c in coeffs:
            out.write(f"    '{c}': [\n")
            for row in table[c]:
                out.write('        [' + ', '.join(f"'{v}'" for v in row) + '],\n')
            out.write('    ],\n')
        out.write('}\n')


if __name__ == '__main__':
    main()
