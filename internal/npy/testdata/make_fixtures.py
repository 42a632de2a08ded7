#!/usr/bin/python3
"""Writes the .npy fixtures of internal/npy's tests with NumPy itself.

Run from anywhere: /usr/bin/python3 internal/npy/testdata/make_fixtures.py
Each array's values are a simple function of its index, which the Go tests
recompute, so the files need no second copy of their contents.
"""
import os
import struct

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))


def values(n, dtype):
    # (k % 7) - 3 + k/8: negative, positive, fractional; integers keep k % 7 - 3.
    k = np.arange(n, dtype=np.float64)
    v = (k % 7) - 3
    if np.dtype(dtype).kind == 'f':
        v = v + k / 8
    if np.dtype(dtype).kind == 'u':
        v = k % 251
    if np.dtype(dtype).kind == 'b':
        v = (k % 3) == 0
    return v.astype(dtype)


def save(name, shape, dtype, **kw):
    n = int(np.prod(shape)) if len(shape) else 1
    a = values(n, dtype).reshape(shape)
    np.save(os.path.join(here, name), a, **kw)


save("f4_2x3", (2, 3), '<f4')
save("f8_4", (4,), '<f8')
save("i8_3x2", (3, 2), '<i8')
save("i4_2x2x2", (2, 2, 2), '<i4')
save("i2_5", (5,), '<i2')
save("i1_5", (5,), 'i1')
save("u1_2x3x4", (2, 3, 4), 'u1')
save("u2_3", (3,), '<u2')
save("b1_6", (6,), '?')
save("f4_scalar", (), '<f4')
save("f4_empty", (0, 3), '<f4')
save("f4_1x3x8x8", (1, 3, 8, 8), '<f4')

# Fortran order and big-endian: refused.
a = values(6, '<f4').reshape(2, 3)
np.save(os.path.join(here, "f4_fortran"), np.asfortranarray(a))
np.save(os.path.join(here, "f4_big"), a.astype('>f4'))

# Versions 2.0 and 3.0: numpy picks them only when it must, so write the
# same array's header under each by hand, in numpy's layout.
def write_version(name, a, major):
    d = "{'descr': '%s', 'fortran_order': False, 'shape': %r, }" % (a.dtype.str, a.shape)
    prefix = 12
    total = (prefix + len(d) + 1 + 63) // 64 * 64
    d = d + ' ' * (total - prefix - len(d) - 1) + '\n'
    with open(os.path.join(here, name), 'wb') as f:
        f.write(b'\x93NUMPY' + bytes([major, 0]) + struct.pack('<I', len(d)))
        f.write(d.encode('utf-8' if major == 3 else 'latin1'))
        f.write(a.tobytes())
write_version("f4_2x3_v2.npy", a, 2)
write_version("f4_2x3_v3.npy", a, 3)

# The check of numpy.load on a file Go wrote is in the Go test: it compares
# Write's bytes with these files' bytes (f4_2x3, f4_scalar, f8_4, f4_1x3x8x8 in f4).
np.save(os.path.join(here, "f4_4"), values(4, '<f8').astype('<f4'))
