"""API keys: shown once, stored only hashed, checked, revoked."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import Engine, select

from layers.keys import KeyInfo, check_key, create_key, list_keys, revoke_key
from models.errors import BadInput
from twin.store import schema as t


def test_key_is_stored_only_as_its_hash_and_checks(store: Engine) -> None:
    token = create_key(store, "gateway")
    with store.connect() as conn:
        stored = conn.execute(select(t.api_keys)).one()
    assert token not in [str(v) for v in stored]
    assert stored.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert check_key(store, token) == KeyInfo(stored.key_id, "gateway")
    assert check_key(store, token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert check_key(store, "") is None


def test_two_keys_differ_and_a_revoked_key_stops_working(store: Engine) -> None:
    admin, gateway = create_key(store, "admin"), create_key(store, "gateway")
    assert admin != gateway and len(admin) > 40
    admin_id = next(k["key_id"] for k in list_keys(store) if k["role"] == "admin")
    revoke_key(store, admin_id)
    assert check_key(store, admin) is None
    assert check_key(store, gateway) is not None
    with pytest.raises(BadInput, match="no active key"):
        revoke_key(store, admin_id)


def test_unknown_role_is_refused(store: Engine) -> None:
    with pytest.raises(BadInput, match="gateway, admin"):
        create_key(store, "root")
