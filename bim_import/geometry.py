"""Tessellate the products that need a body, and derive footprints and axes from meshes.

Tessellation runs through ifcopenshell's geometry iterator in world coordinates
(metres). The kernel is chosen by name (`hybrid-cgal-simple-opencascade` by
default: 2–6× faster than the default on real files) and opening subtraction is
off: the twin needs rooms, walls, slabs and services, not holes for windows.
Annotations, grids, openings, furniture and the terrain are never tessellated.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Iterable
from dataclasses import dataclass, field

import ifcopenshell
import ifcopenshell.geom
import numpy as np

from bim_import.meshes import mesh_axis, mesh_footprint, mesh_volume_m3
from models.geometry import Mesh

__all__ = [
    "DEFAULT_KERNEL",
    "TessellationResult",
    "mesh_axis",
    "mesh_footprint",
    "mesh_volume_m3",
    "products_needing_geometry",
    "tessellate",
]

log = logging.getLogger(__name__)

DEFAULT_KERNEL = "hybrid-cgal-simple-opencascade"
_WITH_BODY = ("IfcSpace", "IfcDistributionElement", "IfcBuildingElement", "IfcBuiltElement")
_REPRESENTATION = 6
_WITHOUT_BODY = (
    "IfcOpeningElement",
    "IfcFurnishingElement",
    "IfcVirtualElement",
)


@dataclass
class TessellationResult:
    """Meshes by product step id (GlobalIds may repeat in a damaged file), and failures."""

    meshes: dict[int, Mesh] = field(default_factory=dict)
    failed: list[ifcopenshell.entity_instance] = field(default_factory=list)


def products_needing_geometry(model: ifcopenshell.file) -> list[ifcopenshell.entity_instance]:
    """Products with a representation whose body the twin uses."""
    skipped = {product.id() for class_name in _WITHOUT_BODY for product in _all(model, class_name)}
    wanted: dict[int, ifcopenshell.entity_instance] = {}
    for class_name in _WITH_BODY:
        for product in _all(model, class_name):
            step_id = product.id()
            # IfcProduct.Representation, read by position (faster than by name)
            if step_id in skipped or product.get_argument(_REPRESENTATION) is None:
                continue
            wanted[step_id] = product
    return list(wanted.values())


def _all(model: ifcopenshell.file, class_name: str) -> list[ifcopenshell.entity_instance]:
    try:
        return list(model.by_type(class_name))
    except RuntimeError:  # class not in this schema
        return []


def tessellate(
    model: ifcopenshell.file,
    products: Iterable[ifcopenshell.entity_instance],
    kernel: str = DEFAULT_KERNEL,
    processes: int = 1,
) -> TessellationResult:
    """Tessellate `products` in world coordinates (metres).

    `processes` > 1 spreads the work over that many processes; on small files one
    is faster (start-up costs more than it saves).
    """
    products = list(products)
    result = TessellationResult()
    if not products:
        return result
    settings = ifcopenshell.geom.settings()
    settings.set("use-world-coords", True)
    settings.set("disable-opening-subtractions", True)
    settings.set("weld-vertices", True)
    processes = max(1, min(processes, multiprocessing.cpu_count()))
    iterator = ifcopenshell.geom.iterator(
        settings, model, processes, include=products, geometry_library=kernel
    )
    if iterator.initialize():
        while True:
            shape = iterator.get()
            geometry = shape.geometry
            vertices = np.frombuffer(geometry.verts_buffer, dtype=np.float64).reshape(-1, 3)
            faces = np.frombuffer(geometry.faces_buffer, dtype=np.int32).reshape(-1, 3)
            if len(faces):
                result.meshes[shape.id] = Mesh(vertices.copy(), faces.astype(np.uint32))
            if not iterator.next():
                break
    result.failed = [product for product in products if product.id() not in result.meshes]
    return result
