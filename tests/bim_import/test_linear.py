"""The BLAS-free products agree with numpy's `@`, `np.linalg.norm` and `np.linalg.det`."""

from __future__ import annotations

import numpy as np
import pytest

from bim_import.linear import apply, det3, dot, matmul, matvec, norm

RNG = np.random.default_rng(7)


@pytest.mark.parametrize(
    ("a_shape", "b_shape"),
    [((4, 4), (4, 4)), ((7, 3), (3, 2)), ((5, 3, 2), (2, 3)), ((3,), (3, 4))],
)
def test_matmul_is_the_matrix_product(a_shape: tuple[int, ...], b_shape: tuple[int, ...]) -> None:
    a, b = RNG.normal(size=a_shape) * 1e3, RNG.normal(size=b_shape)
    assert matmul(a, b).shape == (a @ b).shape
    np.testing.assert_allclose(matmul(a, b), a @ b, rtol=1e-13, atol=1e-10)


@pytest.mark.parametrize("shape", [(4, 4), (9, 3), (6, 3, 3), (3,)])
def test_matvec_is_one_dot_product_per_row(shape: tuple[int, ...]) -> None:
    a, v = RNG.normal(size=shape), RNG.normal(size=shape[-1])
    assert np.shape(matvec(a, v)) == np.shape(a @ v)
    np.testing.assert_allclose(matvec(a, v), a @ v, rtol=1e-13, atol=1e-12)


def test_apply_moves_points_by_an_affine_matrix() -> None:
    matrix = np.eye(4)
    matrix[:3, :3] = [[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 2.0]]  # turn, stretch z
    matrix[:3, 3] = [10.0, 20.0, 30.0]
    points = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]])
    np.testing.assert_array_equal(apply(points, matrix), [[10.0, 21.0, 30.0], [9.0, 20.0, 32.0]])
    plan = RNG.normal(size=(5, 2))
    np.testing.assert_allclose(apply(plan, matrix), plan @ matrix[:2, :2].T + matrix[:2, 3])


def test_dot_norm_and_determinant() -> None:
    a, b = RNG.normal(size=3), RNG.normal(size=3)
    assert dot(a, b) == pytest.approx(float(a @ b), rel=1e-14)
    assert norm(np.array([3.0, 4.0, 12.0])) == 13.0
    assert isinstance(dot(a, b), float)
    rotation = np.array([[0.0, -1.0, 0.0, 5.0], [1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]])
    assert det3(rotation) == 1.0
    mirrored = rotation * np.array([[-1.0], [1.0], [1.0]])
    assert det3(mirrored) == -1.0
    m = RNG.normal(size=(4, 4))
    assert det3(m) == pytest.approx(float(np.linalg.det(m[:3, :3])), rel=1e-12)
