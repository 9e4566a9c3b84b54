"""Settings come from `TWIN_*` variables, the same ones the command line reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.settings import Settings


def test_reads_the_store_base_url_and_cache_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TWIN_DATABASE_URL", "sqlite:////srv/twin/campus.db")
    monkeypatch.setenv("TWIN_PUBLIC_BASE_URL", "https://twin.campus.example/")
    monkeypatch.setenv("TWIN_CACHE_DIR", str(tmp_path))
    settings = Settings()
    assert settings.database_url == "sqlite:////srv/twin/campus.db"
    assert settings.base_url == "https://twin.campus.example"
    assert settings.cache_dir == tmp_path


def test_no_public_address_is_assumed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TWIN_PUBLIC_BASE_URL", raising=False)
    monkeypatch.delenv("TWIN_DATABASE_URL", raising=False)
    settings = Settings()
    assert settings.base_url is None
    assert settings.database_url == "twin.db"
