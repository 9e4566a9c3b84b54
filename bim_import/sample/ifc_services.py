"""Distribution elements, ports, joints and systems of the sample campus, in IFC.

Each planned element becomes its IFC class with a body (a run extruded along its
axis, or a box) placed relative to its storey, or to the site for underground site
pipes. Its ports are nested with `system.add_port` and given a placement, flow
direction, port type and system type. Each planned joint becomes one
IfcRelConnectsPorts from the SOURCE port to the SINK port; joints whose other end
is not in this file (split mode) are left out. Systems are IfcDistributionSystems
with their predefined type, and get the elements of this file that belong to them.
"""

from __future__ import annotations

from collections import defaultdict

import ifcopenshell.api.attribute
import ifcopenshell.api.pset
import ifcopenshell.api.spatial
import ifcopenshell.api.system

from bim_import.sample.geometry import Point3
from bim_import.sample.guids import joint_key, system_key
from bim_import.sample.ifc_file import Entity, IfcWriter, box_origin, run_frame
from bim_import.sample.ifc_spatial import Container
from bim_import.sample.mep import SYSTEMS, ConnectionPlan, ElementPlan

__all__ = ["write_services"]


def _dot(a: Point3, b: Point3) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def _element(w: IfcWriter, plan: ElementPlan, container: Container) -> tuple[Entity, list[Entity]]:
    """The element with its body and its ports (in plan order)."""
    entity = w.create(plan.ifc_class, plan.key, plan.name, plan.predefined_type)
    if plan.run is not None:
        x_axis, y_axis, z_axis = run_frame(plan.run)
        origin = plan.run.start
        placement = w.placement(container.placement, container.relative(origin), x_axis, z_axis)
        entity.Representation = w.run_shape(plan.run)
    elif plan.box is not None:
        x_axis, y_axis, z_axis = (1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)
        origin = box_origin(plan.box)
        placement = w.placement(container.placement, container.relative(origin))
        entity.Representation = w.box_shape(plan.box)
    else:
        raise ValueError(f"{plan.key} has no shape")
    ports = []
    for port in plan.ports:
        ifc_port = ifcopenshell.api.system.add_port(w.file, element=entity)
        w.tag(ifc_port, port.key)
        ifc_port.Name = port.key.rsplit("/", 1)[1]
        ifc_port.FlowDirection = port.flow.value
        ifc_port.PredefinedType = port.port_type
        ifc_port.SystemType = port.system_type
        d = (port.point[0] - origin[0], port.point[1] - origin[1], port.point[2] - origin[2])
        local = (_dot(d, x_axis), _dot(d, y_axis), _dot(d, z_axis))
        ifc_port.ObjectPlacement = w.placement(placement, local)
        ports.append(ifc_port)
    w.place_later(entity, placement)
    if ports:  # add_port collects ports in a set; keep them in plan order
        entity.IsNestedBy[0].RelatedObjects = ports
    if plan.ifc_class == "IfcValve" and plan.predefined_type == "ISOLATING":
        pset = ifcopenshell.api.pset.add_pset(
            w.file, product=entity, name="Pset_ValveTypeIsolating"
        )
        ifcopenshell.api.pset.edit_pset(
            w.file, pset=pset, properties={"IsNormallyOpen": bool(plan.normally_open)}
        )
    return entity, ports


def write_services(
    w: IfcWriter,
    elements: list[ElementPlan],
    containers: dict[str | None, Container],
    connections: list[ConnectionPlan],
) -> None:
    """Write `elements` into their containers (storey key, or None for the site)."""
    ports: dict[str, Entity] = {}
    contents: dict[str | None, list[Entity]] = defaultdict(list)
    members: dict[str, list[Entity]] = defaultdict(list)
    for plan in elements:
        container = containers[plan.storey_key]
        entity, element_ports = _element(w, plan, container)
        contents[plan.storey_key].append(entity)
        for name in plan.systems:
            members[name].append(entity)
        for port_plan, port in zip(plan.ports, element_ports, strict=True):
            ports[port_plan.key] = port
    for key, products in contents.items():
        ifcopenshell.api.spatial.assign_container(
            w.file, products=products, relating_structure=containers[key].entity
        )
    w.apply_placements()
    for name, system in SYSTEMS.items():
        if not members[name]:
            continue
        group = ifcopenshell.api.system.add_system(w.file)
        w.tag(group, system_key(name))
        ifcopenshell.api.attribute.edit_attributes(
            w.file,
            product=group,
            attributes={"Name": name, "PredefinedType": system.predefined_type},
        )
        ifcopenshell.api.system.assign_system(w.file, products=members[name], system=group)
    for joint in connections:
        source, sink = ports.get(joint.source_port), ports.get(joint.sink_port)
        if source is None or sink is None:
            continue
        ifcopenshell.api.system.connect_port(w.file, port1=source, port2=sink, direction="SOURCE")
        w.tag(source.ConnectedTo[0], joint_key(joint.source_port, joint.sink_port))
