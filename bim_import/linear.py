"""Products of small float arrays without BLAS: placements, rotations, dot products.

numpy hands a float64 `@`, `np.dot` and the norm of a vector to OpenBLAS; on the
import's tiny matrices (4x4 placements, 3x3 rotations of a few hundred vertices)
that only costs the process OpenBLAS's code pages (~0.45 MiB of RSS, a third of what
the import may add on a small file) and saves nothing measurable. These are the
same sums of products in order: `np.einsum` without `optimize` loops in C and never
calls BLAS. Results may differ from OpenBLAS's in the last bit (its kernels fuse the
multiply and the add).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

__all__ = ["apply", "det3", "dot", "matmul", "matvec", "norm"]

_Array = npt.NDArray[np.float64]


def matmul(a: _Array, b: _Array) -> _Array:
    """`a @ b` for a 2-D `b` (`a` a vector or a stack of rows of any depth)."""
    return np.einsum("...j,jk->...k", a, b)


def matvec(a: _Array, v: _Array) -> _Array:
    """`a @ v` for a vector `v`: one dot product per row of `a` (of any depth)."""
    return np.einsum("...j,j->...", a, v)


def apply(points: _Array, matrix: _Array) -> _Array:
    """`points` ((n, k) rows) moved by the affine `matrix` ((k+1, k+1) or more rows):
    `points @ matrix[:k, :k].T + matrix[:k, -1]`."""
    k = points.shape[1]
    return np.einsum("ij,kj->ik", points, matrix[:k, :k]) + matrix[:k, -1]


def dot(a: _Array, b: _Array) -> float:
    """`a @ b` for two short vectors."""
    return float(sum(x * y for x, y in zip(a.tolist(), b.tolist(), strict=True)))


def norm(v: _Array) -> float:
    """`np.linalg.norm(v)` of a short vector."""
    return math.sqrt(dot(v, v))


def det3(m: _Array) -> float:
    """The determinant of the upper-left 3x3 of `m`."""
    (a, b, c), (d, e, f), (g, h, i) = (row[:3] for row in m[:3].tolist())
    return a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
