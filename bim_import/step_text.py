"""Ports, their placements' origins and port connections, read from a file's STEP text.

On a campus-sized services model the ports are the bulk of what the import reads
through ifcopenshell's binding: on the 20-building sample 26k ports, each with its
GlobalId, flow direction and a placement whose origin is three entities away, and
13k IfcRelConnectsPorts, ~200k attribute reads that each make a new Python proxy.
`read_port_text(path)` takes the same attributes from the text instead, in one pass
over the file in 256 KiB blocks, with strict patterns: a record that does not match
its pattern exactly (a string with a quote in it, a record across lines, another
writer's spacing) is not taken, and the reader asks the binding for it. It is meant
to run in a second process while ifcopenshell parses the file (`bim_import.forked`).

What it gives is checked where it is used (`bim_import.ports`): a port the text did
not give, or whose placement chain it could not follow, is read through the binding;
the connections are taken from the text only when every IFCRELCONNECTSPORTS of the
file matched and every port they join is known. A file with a comment (which could
hold text that looks like a record) or with two records of one step id gives nothing.

    >>> import tempfile, pathlib
    >>> text = (
    ...     "DATA;\\n#1=IFCCARTESIANPOINT((1.,2.5,-3.E-1));\\n#2=IFCAXIS2PLACEMENT3D(#1,$,$);\\n"
    ...     "#3=IFCLOCALPLACEMENT($,#2);\\n"
    ...     "#4=IFCDISTRIBUTIONPORT('0123456789abcdefghijkl',$,'P1',$,$,#3,$,.SINK.,$,$);\\n"
    ... )
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "ports.ifc"
    ...     _ = path.write_text(text)
    ...     found = read_port_text(path)
    >>> found.port(4)
    ('0123456789abcdefghijkl', 'SINK', -1, (1.0, 2.5, -0.3))
"""

from __future__ import annotations

import bisect
import re
from array import array
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bim_import.structure import placement_matrix
from models.geometry import FloatArray

__all__ = ["PortText", "read_port_text"]

_BLOCK_BYTES = 1 << 18
_NONE = -1  # a reference that is `$`, or a port whose placement chain was not followed

# One record per line, as ifcopenshell and most exporters write them; the arguments are
# matched by the pattern of each type below.
_RECORD = re.compile(
    rb"^#(\d+)=(IFCDISTRIBUTIONPORT|IFCRELCONNECTSPORTS|IFCLOCALPLACEMENT|"
    rb"IFCAXIS2PLACEMENT3D|IFCAXIS2PLACEMENT2D|IFCCARTESIANPOINT|IFCDIRECTION)"
    rb"\((.*)\);[ \t\r]*$",
    re.MULTILINE,
)
# a record's keyword anywhere, in any case: the count the strict records must reach
_ANY_CONNECTION = re.compile(rb"IFCRELCONNECTSPORTS", re.IGNORECASE)
# an attribute: unset, derived, a reference, a string ('' is a quote), an enumeration,
# a number
_ARG = rb"(?:\$|\*|#\d+|'(?:[^']|'')*'|\.[A-Z0-9_]+\.|[-+]?[0-9][0-9.]*(?:E[-+]?[0-9]+)?)"
_REF = rb"(?:#(\d+)|\$)"
_GUID = rb"'([0-9A-Za-z_$]{22})'"
_REAL = rb"[-+]?[0-9]+\.[0-9]*(?:E[-+]?[0-9]+)?"
# IfcDistributionPort: GlobalId, OwnerHistory, Name, Description, ObjectType,
# ObjectPlacement 5, Representation, FlowDirection 7, then (IFC4) two more enumerations
_PORT = re.compile(
    _GUID + rb"," + rb",".join([_ARG] * 4) + rb"," + _REF + rb"," + _ARG
    + rb",(?:\.([A-Z]+)\.|\$)(?:," + _ARG + rb")*"
)  # fmt: skip
# IfcRelConnectsPorts: GlobalId, OwnerHistory, Name, Description, RelatingPort 4,
# RelatedPort 5, RealizingElement
_CONNECTION = re.compile(
    _GUID + rb"," + rb",".join([_ARG] * 3) + rb"," + _REF + rb"," + _REF + rb"," + _ARG
)
_LOCAL_PLACEMENT = re.compile(_REF + rb",#(\d+)")  # PlacementRelTo, RelativePlacement
# IfcAxis2Placement3D: Location, Axis, RefDirection; 2D: Location, RefDirection
_AXIS2PLACEMENT_3D = re.compile(_REF + rb"," + _REF + rb"," + _REF)
_AXIS2PLACEMENT_2D = re.compile(_REF + rb"," + _REF)
# IfcCartesianPoint.Coordinates, IfcDirection.DirectionRatios: two or three reals
_TRIPLE = re.compile(rb"\((" + _REAL + rb"),(" + _REAL + rb")(?:,(" + _REAL + rb"))?\)")


@dataclass
class PortText:
    """What the text says about ports, by step id, and about port connections.

    Arrays and lists rather than a record per port: they go through a pipe and are
    held by the reader while it works.
    """

    port_ids: list[int] = field(default_factory=list)  # ascending
    global_ids: list[str] = field(default_factory=list)
    directions: list[str | None] = field(default_factory=list)  # enumeration names
    relative_to: list[int] = field(default_factory=list)  # step id, `_NONE`: world
    origins: FloatArray = field(default_factory=lambda: np.empty((0, 3)))  # file units
    resolved: list[bool] = field(default_factory=list)  # placement and origin found
    # each IfcRelConnectsPorts by step id: GlobalId, relating and related port step ids
    # (`_NONE`: unset); None when not every relation of the file matched its pattern
    connection_ids: list[str] | None = None
    relating: list[int] = field(default_factory=list)
    related: list[int] = field(default_factory=list)
    # world matrices (file units) of the placements the ports are relative to and of
    # theirs, worked out as `ModelIndex.world_matrix` does: `(k, 4, 4) float`
    placement_ids: list[int] = field(default_factory=list)
    placement_matrices: FloatArray = field(default_factory=lambda: np.empty((0, 4, 4)))

    def _row(self, step_id: int) -> int | None:
        row = bisect.bisect_left(self.port_ids, step_id)
        return row if row < len(self.port_ids) and self.port_ids[row] == step_id else None

    def port(self, step_id: int) -> tuple[str, str | None, int, tuple[float, float, float]] | None:
        """A port's GlobalId, flow direction (the enumeration's name, or None), the step id
        of the placement its own is relative to (`_NONE`: none) and its origin there
        (file units); None when the text did not give all of that."""
        row = self._row(step_id)
        if row is None or not self.resolved[row]:
            return None
        x, y, z = self.origins[row].tolist()
        return self.global_ids[row], self.directions[row], self.relative_to[row], (x, y, z)

    def port_identity(self, step_id: int) -> tuple[str, str | None] | None:
        """A port's GlobalId and flow direction, placed or not."""
        row = self._row(step_id)
        return None if row is None else (self.global_ids[row], self.directions[row])

    def connections(self) -> list[tuple[str, int, int]] | None:
        """(GlobalId, relating port, related port) of every IfcRelConnectsPorts, by step
        id; None when the text did not give them all."""
        if self.connection_ids is None:
            return None
        return list(zip(self.connection_ids, self.relating, self.related, strict=True))

    def world_matrices(self) -> dict[int, FloatArray]:
        """The placements' world matrices by step id."""
        return dict(zip(self.placement_ids, self.placement_matrices, strict=True))


class _Scan:
    """The records of one pass, in arrays (a few bytes each) rather than objects."""

    def __init__(self) -> None:
        self.port_ids = array("q")
        self.port_placements = array("q")
        self.port_global_ids: list[str] = []
        self.port_directions: list[str | None] = []
        self.connection_ids = array("q")
        self.connection_ports = array("q")  # relating, related
        self.connection_global_ids: list[str] = []
        self.connection_keywords = 0
        self.local = array("q")  # id, relative to, relative placement
        self.axes = array("q")  # id, location, axis, ref direction, 2D (1) or 3D (0)
        self.triple_ids = array("q")  # points and directions
        self.triples = array("d")  # their coordinates or ratios, made three
        self.texts: dict[bytes, str] = {}  # enumerations, each decoded once
        self.commented = False
        self.in_data = False

    def block(self, text: bytes) -> None:
        # a comment in the data could hold text that looks like a record: then none is
        # trusted (the header's comments, as some exporters write them, do not count)
        data = self.in_data or text.find(b"DATA;") >= 0
        start = 0 if self.in_data else max(text.find(b"DATA;"), 0)
        self.commented = self.commented or (data and b"/*" in text[start:])
        self.in_data = data
        self.connection_keywords += len(_ANY_CONNECTION.findall(text))
        for record in _RECORD.finditer(text):
            self._record(int(record[1]), record[2], record[3])

    def _record(self, step_id: int, keyword: bytes, arguments: bytes) -> None:
        if keyword == b"IFCCARTESIANPOINT" or keyword == b"IFCDIRECTION":
            triple = _TRIPLE.fullmatch(arguments)
            if triple is not None:
                x, y, z = triple.groups()
                self.triple_ids.append(step_id)
                self.triples.extend((float(x), float(y), float(z) if z is not None else 0.0))
        elif keyword == b"IFCLOCALPLACEMENT":
            local = _LOCAL_PLACEMENT.fullmatch(arguments)
            if local is not None:
                relative_to, relative = local.groups()
                self.local.extend((step_id, _ref(relative_to), int(relative)))
        elif keyword == b"IFCAXIS2PLACEMENT3D":
            axes = _AXIS2PLACEMENT_3D.fullmatch(arguments)
            if axes is not None:
                self.axes.extend((step_id, *map(_ref, axes.groups()), 0))
        elif keyword == b"IFCAXIS2PLACEMENT2D":
            axes = _AXIS2PLACEMENT_2D.fullmatch(arguments)
            if axes is not None:
                location, ref_direction = axes.groups()
                self.axes.extend((step_id, _ref(location), _NONE, _ref(ref_direction), 1))
        elif keyword == b"IFCDISTRIBUTIONPORT":
            port = _PORT.fullmatch(arguments)
            if port is not None:
                global_id, placement, direction = port.groups()
                self.port_ids.append(step_id)
                self.port_placements.append(_ref(placement))
                self.port_global_ids.append(global_id.decode("ascii"))
                self.port_directions.append(self._text(direction))
        else:  # IFCRELCONNECTSPORTS
            connection = _CONNECTION.fullmatch(arguments)
            if connection is not None:
                global_id, relating, related = connection.groups()
                self.connection_ids.append(step_id)
                self.connection_ports.extend((_ref(relating), _ref(related)))
                self.connection_global_ids.append(global_id.decode("ascii"))

    def _repeated_ids(self) -> bool:
        """True when two records read have one step id (the file is not as it seems)."""
        ids = np.concatenate(
            [
                np.frombuffer(self.port_ids, dtype=np.int64),
                np.frombuffer(self.connection_ids, dtype=np.int64),
                np.frombuffer(self.local, dtype=np.int64)[::3],
                np.frombuffer(self.axes, dtype=np.int64)[::5],
                np.frombuffer(self.triple_ids, dtype=np.int64),
            ]
        )
        return len(ids) != len(np.unique(ids))

    def _text(self, value: bytes | None) -> str | None:
        if value is None:
            return None
        found = self.texts.get(value)
        if found is None:
            found = self.texts[value] = value.decode("ascii")
        return found

    def result(self) -> PortText:
        if self.commented or self._repeated_ids():
            return PortText()  # everything through the binding
        order = np.argsort(np.frombuffer(self.port_ids, dtype=np.int64), kind="stable")
        placements = _Placements(self.local, self.axes, self.triple_ids, self.triples)
        relative_to, origins, resolved = placements.port_parts(
            np.frombuffer(self.port_placements, dtype=np.int64)[order]
        )
        ids, matrices = placements.world_matrices(relative_to[resolved])
        text = PortText(
            port_ids=np.frombuffer(self.port_ids, dtype=np.int64)[order].tolist(),
            global_ids=[self.port_global_ids[row] for row in order.tolist()],
            directions=[self.port_directions[row] for row in order.tolist()],
            relative_to=relative_to.tolist(),
            origins=origins,
            resolved=resolved.tolist(),
            placement_ids=ids,
            placement_matrices=matrices,
        )
        if len(self.connection_global_ids) == self.connection_keywords:
            order = np.argsort(np.frombuffer(self.connection_ids, dtype=np.int64), kind="stable")
            ports = np.frombuffer(self.connection_ports, dtype=np.int64).reshape(-1, 2)[order]
            text.connection_ids = [self.connection_global_ids[row] for row in order.tolist()]
            text.relating, text.related = ports[:, 0].tolist(), ports[:, 1].tolist()
        return text


class _Placements:
    """Local placements followed to the world, as `ModelIndex.world_matrix` does."""

    def __init__(
        self, local: array[int], axes: array[int], triple_ids: array[int], triples: array[float]
    ) -> None:
        self._local = _Table(np.frombuffer(local, dtype=np.int64).reshape(-1, 3))
        self._axes = _Table(np.frombuffer(axes, dtype=np.int64).reshape(-1, 5))
        self._triple_rows = _Table(np.frombuffer(triple_ids, dtype=np.int64).reshape(-1, 1))
        self._triples = np.frombuffer(triples, dtype=np.float64).reshape(-1, 3)

    def port_parts(self, placements: np.ndarray) -> tuple[np.ndarray, FloatArray, np.ndarray]:
        """What `ModelIndex.placement_parts` reads of each placement: the placement it is
        relative to and its origin there; `resolved` is False where the text does not
        give all of it."""
        local, has_local = self._local.rows(placements)
        axes, has_axes = self._axes.rows(np.where(has_local, local[:, 2], _NONE))
        location = np.where(has_axes, axes[:, 1], _NONE)
        point, has_point = self._triple_rows.found(location)
        resolved = has_local & has_axes & ((location == _NONE) | has_point)
        origins = np.zeros((len(placements), 3))
        origins[resolved & has_point] = self._triples[point[resolved & has_point]]
        relative_to = np.where(resolved, local[:, 1], _NONE)
        return relative_to, origins, resolved

    def world_matrices(self, placements: np.ndarray) -> tuple[list[int], FloatArray]:
        """World matrices of `placements` and of the placements they are relative to,
        those the text gives whole.

        Each is written into one `(k, 4, 4)` array as it is worked out, the placement's
        own matrix and the product being dropped at once: a Python object per matrix
        would hold three times their size.
        """
        # step id -> (relative to, own matrices of its level, row there; -1: none)
        needed: dict[int, tuple[int, FloatArray, int]] = {}
        wanted = np.unique(placements[placements != _NONE])
        while len(wanted):
            local, has_local = self._local.rows(wanted)
            own, complete = self._own_matrices(np.where(has_local, local[:, 2], _NONE))
            usable = (has_local & complete).tolist()
            for k, (step_id, relative_to) in enumerate(
                zip(wanted.tolist(), local[:, 1].tolist(), strict=True)
            ):
                needed[step_id] = (relative_to, own, k if usable[k] else -1)
            parents = np.unique(local[has_local, 1])
            wanted = np.array(
                [p for p in parents.tolist() if p != _NONE and p not in needed], dtype=np.int64
            )
        world = np.empty((len(needed), 4, 4))
        rows: dict[int, int] = {}
        filled = 0

        def of(step_id: int) -> int:
            """The row of the placement's world matrix in `world`, -1 if unknown."""
            nonlocal filled
            if step_id not in rows:
                rows[step_id] = -1  # a cycle ends here, unresolved
                relative_to, own, k = needed[step_id]
                parent = -1 if relative_to == _NONE else of(relative_to)
                if k >= 0 and (relative_to == _NONE or parent >= 0):
                    # standalone copies, as `ModelIndex.world_matrix` multiplies them
                    base = np.eye(4) if parent < 0 else world[parent].copy()
                    world[filled] = base @ own[k].copy()
                    rows[step_id] = filled
                    filled += 1
            return rows[step_id]

        for step_id in needed:
            of(step_id)
        known = [step_id for step_id, row in rows.items() if row >= 0]
        return known, world[[rows[step_id] for step_id in known]]

    def _own_matrices(self, axis_placements: np.ndarray) -> tuple[FloatArray, np.ndarray]:
        """The placements' own matrices, `(n, 4, 4)`, and whether the text gave each whole."""
        axes, has_axes = self._axes.rows(axis_placements)
        references = np.where(has_axes[:, None], axes[:, 1:4], _NONE)
        rows, found = self._triple_rows.found(references.ravel())
        rows, found = rows.reshape(-1, 3), found.reshape(-1, 3)
        complete = has_axes & ((references == _NONE) | found).all(axis=1)
        matrices = np.zeros((len(axis_placements), 4, 4))
        for k in np.flatnonzero(complete).tolist():
            location, axis, ref_direction = (
                self._triples[rows[k, i]].tolist() if found[k, i] else None for i in range(3)
            )
            matrices[k] = placement_matrix(
                location or [], axis, ref_direction, two_d=bool(axes[k, 4])
            )
        return matrices, complete


class _Table:
    """Rows of an `(n, w)` int array looked up by their first column (a step id)."""

    def __init__(self, rows: np.ndarray) -> None:
        self._order = np.argsort(rows[:, 0], kind="stable")
        self._ids = rows[self._order, 0]
        self._rows = rows

    def found(self, step_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The row number of each id and whether it is there (-1 never is)."""
        at = np.minimum(np.searchsorted(self._ids, step_ids), max(len(self._ids) - 1, 0))
        hit = (
            (self._ids[at] == step_ids) & (step_ids != _NONE)
            if len(self._ids)
            else np.zeros(len(step_ids), dtype=bool)
        )
        return (self._order[at] if len(self._ids) else np.zeros(len(step_ids), int)), hit

    def rows(self, step_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The rows of the ids (garbage where not there) and whether each is there."""
        number, hit = self.found(step_ids)
        if not len(self._rows):
            return np.full((len(step_ids), self._rows.shape[1]), _NONE), hit
        return self._rows[number], hit


def _ref(value: bytes | None) -> int:
    return int(value) if value else _NONE


def read_port_text(path: Path) -> PortText:
    """The ports and port connections of the IFC file at `path`, from its text."""
    scan = _Scan()
    with path.open("rb") as stream:
        rest = b""
        while block := stream.read(_BLOCK_BYTES):
            text = rest + block
            # up to the last record start: a record is never cut in two
            cut = text.rfind(b"\n#")
            if cut < 0:
                rest = text
                continue
            scan.block(text[: cut + 1])
            rest = text[cut + 1 :]
        scan.block(rest)
    return scan.result()
