"""API keys for gateways and administrators: create, check, list, revoke.

A key is a random 256-bit token shown once and stored only as its SHA-256. A slow,
salted hash (scrypt, PBKDF2) protects passwords people choose, which are guessable;
a 256-bit random token cannot be guessed or looked up in a dictionary, so one
SHA-256 is as safe and lets every request find its key by an indexed lookup of the
hash instead of spending tens of milliseconds on key stretching per request.

Roles: `gateway` may send readings and register sensors; `admin` may do that and
every other write.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, bindparam, insert, select, update

from layers.mqtt_passwd import mosquitto_hash
from models.errors import BadInput
from twin.store import schema as t

__all__ = ["ROLES", "KeyInfo", "check_key", "create_key", "list_keys", "revoke_key"]

ROLES = ("gateway", "admin")
_PREFIX = "twin_"


@dataclass(frozen=True)
class KeyInfo:
    """Who a valid key belongs to: its public id and its role."""

    key_id: str
    role: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_key(engine: Engine, role: str) -> str:
    """A new key for `role`, stored hashed; the returned token is the only copy."""
    if role not in ROLES:
        raise BadInput(f"unknown role {role!r}; one of: {', '.join(ROLES)}")
    token = _PREFIX + secrets.token_urlsafe(32)
    digest = _digest(token)
    with engine.begin() as conn:
        conn.execute(
            insert(t.api_keys).values(
                key_id=digest[:12],
                role=role,
                token_sha256=digest,
                mqtt_hash=mosquitto_hash(token),
                created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            )
        )
    return token


# Built once: every request checks a key, and building the statement each time cost
# several times more than running it.
_CHECK = select(t.api_keys.c.key_id, t.api_keys.c.role).where(
    t.api_keys.c.token_sha256 == bindparam("digest"), t.api_keys.c.revoked_at.is_(None)
)


def check_key(engine: Engine, token: str) -> KeyInfo | None:
    """The key's owner, or None when the twin never issued it or it was revoked."""
    if not token.startswith(_PREFIX):
        return None
    with engine.connect() as conn:
        row = conn.execute(_CHECK, {"digest": _digest(token)}).first()
    return None if row is None else KeyInfo(row.key_id, row.role)


def list_keys(engine: Engine) -> list[dict[str, Any]]:
    """Every key's id, role and dates (never the token: the twin does not have it)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                t.api_keys.c.key_id,
                t.api_keys.c.role,
                t.api_keys.c.created_at,
                t.api_keys.c.revoked_at,
            ).order_by(t.api_keys.c.created_at, t.api_keys.c.key_id)
        ).all()
    return [dict(row._mapping) for row in rows]


def revoke_key(engine: Engine, key_id: str) -> None:
    """Revoke the key with this id; it is refused from the next request on."""
    with engine.begin() as conn:
        done = conn.execute(
            update(t.api_keys)
            .where(t.api_keys.c.key_id == key_id, t.api_keys.c.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC).isoformat(timespec="seconds"))
        ).rowcount
    if not done:
        raise BadInput(f"no active key with id {key_id!r}; `twin keys list` shows them")
