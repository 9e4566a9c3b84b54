"""`/api/org`: sites' standards levels, departments, staff, room allocations, CSV import.

Reads are open (unless the settings close them); every write needs an admin key and
is logged with the key's id.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import AdminKey, EngineDep
from api.schemas.common import ERROR_RESPONSES
from twin.planning import org

__all__ = ["router"]

router = APIRouter(prefix="/org", tags=["org"])

DepartmentCode = Annotated[str, Path(description="Department code, any case.", examples=["FIN"])]
StaffId = Annotated[str, Path(description="Staff id, any case.", examples=["S0001"])]


class LevelChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    level: str = Field(examples=["municipal"])
    standards_toml: str | None = Field(
        None, max_length=100_000, description="The site's own standards TOML (overrides)."
    )


class DepartmentChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    parent_code: str | None = None
    site_code: str | None = None


class StaffChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    rank: str = Field(examples=["below_bureau"])
    department_code: str = Field(examples=["FIN"])
    room_code: str | None = Field(None, description="The room they sit in; null: no seat.")


class Allocation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    department_code: str | None = Field(description="null clears the allocation.")


def _by(key_id: str) -> str:
    return f"key:{key_id}"


@router.get("/sites/{site_code}/standards", responses=ERROR_RESPONSES)
def standards(engine: EngineDep, site_code: str) -> dict[str, Any]:
    """The site's level, the m² per rank it uses, and the check settings."""
    return org.site_standards_info(engine, site_code)


@router.put("/sites/{site_code}/standards", responses=ERROR_RESPONSES)
def set_standards(
    engine: EngineDep, key: AdminKey, site_code: str, change: LevelChange
) -> dict[str, Any]:
    """Choose the site's level (and its own standards TOML); admin key."""
    return org.set_site_level(
        engine, site_code, change.level, change.standards_toml, by=_by(key.key_id)
    )


@router.get("/departments", responses=ERROR_RESPONSES)
def departments(
    engine: EngineDep, site: Annotated[str | None, Query(description="Site code.")] = None
) -> list[dict[str, Any]]:
    """Departments with their parent, staff count and allocated rooms."""
    return org.list_departments(engine, site)


@router.get("/departments/{code}", responses=ERROR_RESPONSES)
def department(engine: EngineDep, code: DepartmentCode) -> dict[str, Any]:
    """One department, its members and the units under it."""
    return org.department_detail(engine, code)


@router.put("/departments/{code}", responses=ERROR_RESPONSES)
def put_department(
    engine: EngineDep, key: AdminKey, code: DepartmentCode, change: DepartmentChange
) -> dict[str, Any]:
    """Create or change a department; admin key."""
    return org.put_department(engine, code, change.model_dump(), by=_by(key.key_id))


@router.get("/staff", responses=ERROR_RESPONSES)
def staff(
    engine: EngineDep,
    department: Annotated[str | None, Query(description="Department code.")] = None,
    site: Annotated[str | None, Query(description="Site code.")] = None,
) -> list[dict[str, Any]]:
    """Staff with rank, department and seat."""
    return org.list_staff(engine, department, site)


@router.get("/staff/{staff_id}", responses=ERROR_RESPONSES)
def person(engine: EngineDep, staff_id: StaffId) -> dict[str, Any]:
    """One member of staff, with the m² their rank allows."""
    return org.staff_detail(engine, staff_id)


@router.put("/staff/{staff_id}", responses=ERROR_RESPONSES)
def put_person(
    engine: EngineDep, key: AdminKey, staff_id: StaffId, change: StaffChange
) -> dict[str, Any]:
    """Create or change a member of staff (rank, department, seat); admin key."""
    return org.put_staff(engine, staff_id, change.model_dump(), by=_by(key.key_id))


@router.delete("/staff/{staff_id}", status_code=204, responses=ERROR_RESPONSES)
def remove_person(engine: EngineDep, key: AdminKey, staff_id: StaffId) -> Response:
    """Take a member of staff off the roll; admin key."""
    org.remove_staff(engine, staff_id, by=_by(key.key_id))
    return Response(status_code=204)


@router.put("/rooms/{room_code}", responses=ERROR_RESPONSES)
def allocate(
    engine: EngineDep,
    key: AdminKey,
    room_code: Annotated[str, Path(examples=["WZ01-B01-F02-003K"])],
    allocation: Allocation,
) -> dict[str, Any]:
    """Allocate a room to a department (null clears it); admin key."""
    return org.allocate_room(engine, room_code, allocation.department_code, by=_by(key.key_id))


@router.post("/import/{kind}", responses=ERROR_RESPONSES)
def import_csv(
    engine: EngineDep,
    key: AdminKey,
    kind: Annotated[str, Path(description="departments, allocations or staff.")],
    body: Annotated[str, Body(media_type="text/csv", max_length=10_000_000)],
) -> dict[str, int]:
    """Import one CSV (the layout of `twin org import`); nothing is written on any bad row."""
    rows = org.read_org_csv(body, kind, f"{kind}.csv")
    return org.import_org(engine, rows, by=_by(key.key_id))
