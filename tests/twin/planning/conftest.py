"""Stores for the planning tests: the generated sample campus, with or without an organisation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from tests.campus_stores import copy_store, sample_store
from twin.planning.org import set_site_level
from twin.planning.org_csv import import_org_files
from twin.rooms import list_rooms
from twin.store import open_store


@pytest.fixture(scope="session")
def campus_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample campus (two buildings, site WZ01) with no organisation yet."""
    return sample_store(tmp_path_factory.mktemp("campus"), buildings=2)


@pytest.fixture
def campus(campus_db: Path, tmp_path: Path) -> Iterator[Engine]:
    """A fresh copy of the sample campus that a test may change."""
    engine = open_store(str(copy_store(campus_db, tmp_path)))
    yield engine
    engine.dispose()


DEPARTMENTS = """department_code,name,parent_code
GOV,Mayor's office,
fin,Finance bureau,GOV
FIN-TAX,Tax division,FIN
"""


def offices(engine: Engine) -> list[str]:
    """The office room codes of the campus, in code order."""
    return [room["room_code"] for room in list_rooms(engine, usage="office")]


def write(folder: Path, name: str, text: str) -> Path:
    """A UTF-8 text file in `folder`."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def count(engine: Engine, table: object) -> int:
    """Rows in a table."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


@pytest.fixture
def org(campus: Engine, tmp_path: Path) -> Engine:
    """The campus at the municipal level with three departments, three staff, one allocation."""
    set_site_level(campus, "WZ01", "municipal")
    rooms = offices(campus)
    write(tmp_path, "departments.csv", DEPARTMENTS)
    write(
        tmp_path,
        "staff.csv",
        "staff_id,name,rank,department_code,room_code\n"
        f"S001,Chen Li,mayor,GOV,{rooms[0]}\n"
        f"S002,Wang Fang,Below Bureau,FIN,{rooms[1].lower()}\n"
        "S003,Zhao Min,below_bureau,FIN-TAX,\n",
    )
    write(tmp_path, "allocations.csv", f"room_code,department_code\n{rooms[1]},FIN\n")
    assert import_org_files(campus, [tmp_path]) == {"departments": 3, "allocations": 1, "staff": 3}
    return campus
