"""Plain geometry values shared by the importer and the twin: meshes and footprints.

Arrays are numpy; `Mesh.vertices` is `(n, 3) float64` in site coordinates (metres,
z up; float64 because real models sit at map coordinates of 10⁶ m, where float32
loses centimetres) and `Mesh.faces` is `(m, 3) uint32` indices into it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["FloatArray", "Mesh", "SourceRef"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a record came from: model file name, IFC GlobalId and entity type."""

    file: str
    global_id: str
    ifc_class: str


@dataclass(frozen=True, slots=True)
class Mesh:
    """A triangle mesh: `vertices` `(n, 3) float64`, `faces` `(m, 3) uint32`."""

    vertices: npt.NDArray[np.float64]
    faces: npt.NDArray[np.uint32]

    @property
    def is_empty(self) -> bool:
        return len(self.faces) == 0

    @property
    def z_range_m(self) -> tuple[float, float]:
        """Lowest and highest z of the mesh."""
        return float(self.vertices[:, 2].min()), float(self.vertices[:, 2].max())

    def to_bytes(self) -> tuple[bytes, bytes]:
        """The arrays as little-endian bytes, for the store."""
        return (
            np.ascontiguousarray(self.vertices, dtype="<f8").tobytes(),
            np.ascontiguousarray(self.faces, dtype="<u4").tobytes(),
        )

    @classmethod
    def from_bytes(cls, vertices: bytes, faces: bytes) -> Mesh:
        return cls(
            np.frombuffer(vertices, dtype="<f8").reshape(-1, 3),
            np.frombuffer(faces, dtype="<u4").reshape(-1, 3),
        )
