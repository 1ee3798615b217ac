#!/usr/bin/python3
"""Digests of NumPy's `a * x + b * y` (two products and a sum, three roundings, as PyTorch and
diffusers' add_noise compute x_t = a x_0 + b eps) on a fixed batch, for tests/test_scaled_sum.cpp.

The batch is 1024 rows x 1024 columns (2^20 values), column-major; every input is an exact
binary fraction made from an integer hash, so that the C++ test builds the same inputs bit for bit:

    h(k)      = splitmix64(k)                        (64-bit)
    float:    x(i, j) = (int(h(2^21 + 1024 j + i) >> 40) - 2^23) / 2^20      (24-bit integers)
              y(i, j) = (int(h(2^22 + 1024 j + i) >> 40) - 2^23) / 2^22
              a_j     = (h(j) >> 40) / 2^24,  b_j = (h(2^20 + j) >> 40) / 2^24
    double:   the same with >> 11, 2^52, 2^50, 2^52 and 2^53 in place of >> 40, 2^23, 2^20, 2^22, 2^24

The digest is FNV-1a (64-bit) over the result bits (uint32 per float, uint64 per double) in
column-major order. Run: /usr/bin/python3 tests/reference/gen_scaled_sum_reference.py
"""
import numpy as np

ROWS = COLS = 1024
MASK = (1 << 64) - 1


def splitmix64(k):
    """splitmix64 of an array of uint64 (NumPy's uint64 arithmetic wraps modulo 2^64)."""
    with np.errstate(over="ignore"):
        z = k + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def inputs(shift, half, x_scale, y_scale, coefficient_scale, dtype):
    k = np.arange(ROWS * COLS, dtype=np.uint64)
    hashes = lambda base: splitmix64(k + np.uint64(base))
    def signed(h, scale):
        return ((h >> np.uint64(shift)).astype(np.int64) - half).astype(dtype) / dtype(scale)
    x = signed(hashes(1 << 21), x_scale).reshape(COLS, ROWS).T  # element (i, j) = index 1024 j + i
    y = signed(hashes(1 << 22), y_scale).reshape(COLS, ROWS).T
    j = np.arange(COLS, dtype=np.uint64)
    a = (splitmix64(j) >> np.uint64(shift)).astype(dtype) / dtype(coefficient_scale)
    b = (splitmix64(j + np.uint64(1 << 20)) >> np.uint64(shift)).astype(dtype) / dtype(coefficient_scale)
    return x, y, a, b


def fnv1a(words):
    """FNV-1a over the little-endian bytes of the words."""
    h = 0xCBF29CE484222325
    for byte in words.astype(words.dtype.newbyteorder("<")).tobytes():
        h = ((h ^ byte) * 0x100000001B3) & MASK
    return h


def digest(dtype, shift, half, x_scale, y_scale, coefficient_scale, uint):
    x, y, a, b = inputs(shift, half, x_scale, y_scale, coefficient_scale, dtype)
    with np.errstate(all="raise"):
        out = a[np.newaxis, :] * x + b[np.newaxis, :] * y  # three roundings in dtype
    assert out.dtype == dtype
    bits = out.T.reshape(-1).view(uint)  # column-major
    return fnv1a(bits)


if __name__ == "__main__":
    print("float  0x%016x" % digest(np.float32, 40, 1 << 23, 1 << 20, 1 << 22, 1 << 24, np.uint32))
    print("double 0x%016x" % digest(np.float64, 11, 1 << 52, 1 << 50, 1 << 52, 1 << 53, np.uint64))
