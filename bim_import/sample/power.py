"""Electrical services of one building: boards, feeders, cable trays, cables, outlets.

Each storey has a distribution board in the riser shaft, fed by a cable rising from
the board below (the lowest board is the building's source). A cable tray runs the
length of every corridor ceiling void. Each office, meeting room and pantry gets a
socket outlet in the wall it shares with the corridor, on its own cable from the
storey's board: up out of the board, through the corridor wall, along the tray,
and down inside the corridor wall to the outlet.
"""

from __future__ import annotations

import math

from bim_import.sample.geometry import Box, point, rect, rounded
from bim_import.sample.layout import BuildingPlan
from bim_import.sample.mep import MepPlan, NetworkBuilder, Profile, Tip
from bim_import.sample.runs import TRAY_M, ShaftSpots, corridor_line_y, corridor_wall_y

__all__ = ["OUTLET_KINDS", "lay_power"]

OUTLET_KINDS = {"office", "shared_office", "meeting", "pantry"}
BOARD_HEIGHT_M = 1.8
OUTLET_HEIGHT_M = 0.3
TRAY_PIECE_M = 6.0
CABLE = Profile("round", 0.02)
FEEDER = Profile("round", 0.04)
TRAY = Profile("rect", 0.3, 0.06)


def lay_power(mep: MepPlan, building: BuildingPlan) -> None:
    """Boards, feeders, trays, cables and outlets of one building."""
    cables = NetworkBuilder(
        mep,
        "Electrical",
        building.key,
        segment_class="IfcCableSegment",
        segment_type="CABLESEGMENT",
        port_type="CABLE",
        fittings=False,
    )
    trays = NetworkBuilder(
        mep,
        "Electrical",
        building.key,
        segment_class="IfcCableCarrierSegment",
        segment_type="CABLETRAYSEGMENT",
        port_type="CABLECARRIER",
        fittings=False,
    )
    bx, by = ShaftSpots.of(building).board
    boards = [
        cables.new(
            "IfcElectricDistributionBoard",
            "DISTRIBUTIONBOARD",
            f"Distribution board {storey.name}",
            room_key=storey.shaft.key,
            box=Box.around((bx, by, storey.elevation_m), (0.5, 0.3, BOARD_HEIGHT_M), bottom=True),
        )
        for storey in building.storeys
    ]
    mep.sources.add(boards[0])
    levels = building.storeys
    for number in range(len(boards) - 1):
        tip = Tip(boards[number], point(bx, by - 0.05, levels[number].elevation_m + BOARD_HEIGHT_M))
        tip = cables.pipe_to(
            tip, point(bx, by - 0.05, levels[number + 1].elevation_m), FEEDER, "Feeder cable"
        )
        cables.join(tip, boards[number + 1])
    for storey, board in zip(building.storeys, boards, strict=True):
        z_top = rounded(storey.elevation_m + TRAY_M)
        corridor = storey.corridor.rect
        y_tray = corridor_line_y(storey, 0.45)
        x0, x1 = corridor.x0 + 0.3, corridor.x1 - 0.3
        pieces = math.ceil((x1 - x0) / TRAY_PIECE_M)
        xs = [rounded(x0 + (x1 - x0) * i / pieces) for i in range(pieces + 1)]
        tip = trays.start(
            point(xs[0], y_tray, z_top), point(xs[1], y_tray, z_top), TRAY, "Cable tray"
        )
        for x in xs[2:]:
            tip = trays.pipe_to(tip, point(x, y_tray, z_top), TRAY, "Cable tray")
        rooms = sorted((r for r in storey.rooms if r.kind in OUTLET_KINDS), key=lambda r: r.key)
        for number, room in enumerate(rooms):
            share = number / max(len(rooms) - 1, 1)
            x_out = rounded(bx - 0.2 + 0.4 * share)
            y_lane = rounded(y_tray - 0.12 + 0.24 * share)
            x_socket = rounded(room.rect.x1 - 0.4)
            y_wall = corridor_wall_y(room, storey)
            z_board = rounded(storey.elevation_m + BOARD_HEIGHT_M)
            z_socket = rounded(storey.elevation_m + OUTLET_HEIGHT_M)
            tip = cables.route(
                Tip(board, point(x_out, by + 0.05, z_board)),
                [
                    point(x_out, by + 0.05, z_top),
                    point(x_out, y_lane, z_top),
                    point(x_socket, y_lane, z_top),
                    point(x_socket, y_wall, z_top),
                    point(x_socket, y_wall, z_socket),
                ],
                CABLE,
                "Power cable",
            )
            # the outlet stands 5 cm proud of the wall face, into the room
            front = room.rect.y1 - 0.05 if room.band == "south" else room.rect.y0 + 0.05
            y0, y1 = sorted((y_wall, front))
            box = Box(
                rect(x_socket - 0.04, y0, x_socket + 0.04, y1),
                rounded(z_socket - 0.05),
                rounded(z_socket + 0.05),
            )
            cables.terminal(tip, "IfcOutlet", "POWEROUTLET", "Socket outlet", box, room.key)
