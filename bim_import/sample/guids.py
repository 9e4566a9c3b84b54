"""GlobalIds of the sample campus, derived from the seed and a stable logical key.

The same logical object (a room, a pipe, a port, a system) gets the same GlobalId
in the single file and in the split files, and on every run with the same seed;
another seed gives other GlobalIds for the same layout. The keys of the objects
that exist only in the split MEP files, and of relationships, are spelled here.
"""

from __future__ import annotations

import hashlib

import ifcopenshell.guid

__all__ = [
    "SITE_KEY",
    "global_id",
    "joint_key",
    "mep_key",
    "system_key",
]

SITE_KEY = "site"


def global_id(seed: int, key: str) -> str:
    """The IFC GlobalId (22 characters) of the object with logical key `key`."""
    digest = hashlib.sha1(f"{seed}:{key}".encode()).hexdigest()[:32]
    return str(ifcopenshell.guid.compress(digest))


def mep_key(key: str) -> str:
    """Key of the split MEP file's own copy of a building or storey."""
    return f"{key}/mep"


def system_key(name: str) -> str:
    return f"system/{name}"


def joint_key(source_port: str, sink_port: str) -> str:
    return f"joint/{source_port}>{sink_port}"
