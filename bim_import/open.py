"""Open an IFC file only after checking it is one we can read, whole.

ifcopenshell opens truncated files and files whose DATA section a stray comment
swallowed without complaint, so the checks here look at the text itself (the
STEP header, the schema, the closing `END-ISO-10303-21;`) and at what was read.
Every refusal is a `ModelImportError` naming the file and the problem.
"""

from __future__ import annotations

import re
from pathlib import Path

import ifcopenshell

from bim_import.attributes import attribute_or
from models.errors import ModelImportError

__all__ = ["SUPPORTED_SCHEMAS", "open_model", "read_header_schema"]

SUPPORTED_SCHEMAS = ("IFC2X3", "IFC4", "IFC4X3", "IFC4X3_ADD1", "IFC4X3_ADD2")
_SCHEMA_RE = re.compile(rb"FILE_SCHEMA\s*\(\s*\(\s*'([^']*)'", re.IGNORECASE)
_ENTITY_RE = re.compile(rb"#\d+\s*=\s*IFC", re.IGNORECASE)
_HEAD_BYTES = 64 * 1024
_TAIL_BYTES = 4 * 1024


def read_header_schema(path: Path) -> str:
    """The schema named in the file's STEP header, checked before parsing."""
    head = _read_head(path)
    match = _SCHEMA_RE.search(head)
    if match is None:
        raise ModelImportError(str(path), "no FILE_SCHEMA in the header; not a complete IFC file")
    return match.group(1).decode("ascii", "replace").strip().upper()


def _read_head(path: Path) -> bytes:
    with path.open("rb") as stream:
        return stream.read(_HEAD_BYTES)


def _read_tail(path: Path) -> bytes:
    with path.open("rb") as stream:
        stream.seek(0, 2)
        size = stream.tell()
        stream.seek(max(0, size - _TAIL_BYTES))
        return stream.read()


def _check_text(path: Path) -> str:
    if not path.exists():
        raise ModelImportError(str(path), "no such file")
    if not path.is_file():
        raise ModelImportError(str(path), "not a file")
    head = _read_head(path).lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"ISO-10303-21;") and _ENTITY_RE.search(head):
        raise ModelImportError(
            str(path),
            "not a complete IFC file: the ISO-10303-21; line and HEADER section are missing",
        )
    if not head.startswith(b"ISO-10303-21;"):
        raise ModelImportError(str(path), "not an IFC file (it does not start with ISO-10303-21;)")
    if b"HEADER;" not in head:
        raise ModelImportError(str(path), "not a complete IFC file: the HEADER section is missing")
    schema = read_header_schema(path)
    if schema not in SUPPORTED_SCHEMAS:
        raise ModelImportError(
            str(path),
            f"unsupported schema {schema} (supported: {', '.join(SUPPORTED_SCHEMAS)})",
        )
    if b"END-ISO-10303-21;" not in _read_tail(path):
        raise ModelImportError(str(path), "truncated file: END-ISO-10303-21; is missing at the end")
    return schema


def open_model(path: Path) -> ifcopenshell.file:
    """Open `path` as IFC, or raise `ModelImportError` saying why it cannot be read.

    Besides the text checks, a file must contain an IfcBuilding or site-level
    service segments; one that contains neither was most likely damaged (a stray
    comment can hide the whole DATA section from the parser).
    """
    _check_text(path)
    try:
        model = ifcopenshell.open(str(path))
    except Exception as exc:  # ifcopenshell raises plain Exceptions for parse errors
        raise ModelImportError(str(path), f"cannot parse: {exc}") from exc
    if not model.by_type("IfcBuilding") and not _site_level_segments(model):
        size = path.stat().st_size
        count = len(list(model))
        raise ModelImportError(
            str(path),
            f"no IfcBuilding and no site-level service segments; only {count} entities "
            f"were read from {size} bytes, so the file is damaged or empty",
        )
    return model


def _site_level_segments(model: ifcopenshell.file) -> bool:
    for segment in model.by_type("IfcFlowSegment"):
        for rel in attribute_or(segment, "ContainedInStructure", ()) or ():
            if rel.RelatingStructure.is_a("IfcSite"):
                return True
    return False
