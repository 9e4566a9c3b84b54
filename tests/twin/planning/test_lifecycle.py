"""Room lifecycle: events with who and why, kept in order, folded into the room's state."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, func, select

from models.codes import RoomCode
from models.errors import BadInput, InvalidRoomCode, UnknownRoomCode
from twin.planning.lifecycle import lifecycle_states, record_lifecycle_event, room_lifecycle
from twin.rooms import list_rooms, room_detail
from twin.store import schema as t


@pytest.fixture
def room(campus: Engine) -> str:
    return str(list_rooms(campus, usage="office")[0]["room_code"])


LEASE = {
    "lease_start": "2025-01-01",
    "lease_end": "2027-06-30",
    "rent_amount": 4200,
    "rent_period": "month",
    "paid_until": "2026-10-31",
    "counterparty": "Landlord Ltd",
}


def test_events_build_the_state_and_the_trail_keeps_who_and_why(campus: Engine, room: str) -> None:
    record_lifecycle_event(campus, room, "lease", LEASE, by="alice", why="annex under works")
    record_lifecycle_event(
        campus, room, "rent_paid", {"paid_until": "2026-12-31"}, by="bob", why="Q4 invoice"
    )
    record_lifecycle_event(
        campus,
        room,
        "maintenance",
        {"description": "repainted"},
        by="carol",
        why="wear",
        today=date(2026, 11, 2),
    )
    found = room_lifecycle(campus, room.lower())
    assert found["state"] == {
        "ownership": "leased",
        "counterparty": "Landlord Ltd",
        "lease_start": "2025-01-01",
        "lease_end": "2027-06-30",
        "rent_amount": 4200.0,
        "rent_period": "month",
        "paid_until": "2026-12-31",
        "last_maintenance": "2026-11-02",
        "disposed_on": None,
    }
    assert [(e["event"], e["by"], e["why"]) for e in found["events"]] == [
        ("lease", "alice", "annex under works"),
        ("rent_paid", "bob", "Q4 invoice"),
        ("maintenance", "carol", "wear"),
    ]
    assert found["events"][0]["fields"]["paid_until"] == "2026-10-31"
    # The room's own history shows the same events.
    kinds = [h["event"] for h in room_detail(campus, room)["history"]]
    assert kinds[-3:] == ["lifecycle.lease", "lifecycle.rent_paid", "lifecycle.maintenance"]
    assert lifecycle_states(campus, "WZ01")[room]["paid_until"] == "2026-12-31"


def test_disposal_ends_the_life_and_nothing_follows(campus: Engine, room: str) -> None:
    record_lifecycle_event(
        campus, room, "disposal", {"on": "2026-05-01", "how": "sold"}, by="a", why="surplus"
    )
    with pytest.raises(BadInput, match="was disposed of on 2026-05-01"):
        record_lifecycle_event(campus, room, "ownership", {"ownership": "owned"}, by="a", why="x")
    assert room_lifecycle(campus, room)["state"]["disposed_on"] == "2026-05-01"


@pytest.mark.parametrize(
    ("event", "fields", "by", "why", "problem"),
    [
        ("lease", {**LEASE, "lease_end": "2024-12-31"}, "a", "w", "ends .2024-12-31. before it"),
        ("lease", {**LEASE, "rent_amount": -5}, "a", "w", "rent_amount must be ≥ 0"),
        ("lease", {**LEASE, "lease_start": "1st May"}, "a", "w", "not a date"),
        ("lease", {**LEASE, "rent_period": "week"}, "a", "w", "unknown rent_period"),
        ("ownership", {"ownership": "rented"}, "a", "w", "unknown ownership 'rented'"),
        ("ownership", {"owner": "x"}, "a", "w", "no field 'owner'"),
        ("rent_paid", {"paid_until": "2026-01-01"}, "a", "w", "no lease with rent"),
        ("repainting", {}, "a", "w", "unknown lifecycle event"),
        ("maintenance", {}, "a", "w", "needs description"),
        ("maintenance", {"description": "x"}, "a", " ", "a reason is needed"),
        ("maintenance", {"description": "x"}, "", "w", "who made the change"),
    ],
)
def test_bad_events_are_refused_and_nothing_is_written(
    campus: Engine,
    room: str,
    event: str,
    fields: dict[str, object],
    by: str,
    why: str,
    problem: str,
) -> None:
    with campus.connect() as conn:
        before = conn.execute(select(func.count()).select_from(t.room_events)).scalar_one()
    with pytest.raises(BadInput, match=problem):
        record_lifecycle_event(campus, room, event, fields, by=by, why=why)
    with campus.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.room_events)).scalar_one() == before
    assert room_lifecycle(campus, room)["events"] == []


def test_mistyped_and_unknown_room_codes(campus: Engine, room: str) -> None:
    wrong_check = room[:-1] + ("A" if room[-1] != "A" else "B")
    with pytest.raises(InvalidRoomCode):
        room_lifecycle(campus, wrong_check)
    with pytest.raises(UnknownRoomCode):
        room_lifecycle(campus, str(RoomCode.make("WZ01", "B09", "F01", 1)))
    with pytest.raises(InvalidRoomCode):
        record_lifecycle_event(campus, "nonsense", "maintenance", {"description": "x"}, "a", "w")
