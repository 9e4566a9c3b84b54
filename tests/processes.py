"""Running the `twin` command as a user does: one-off commands and a real `twin serve`.

Every test that starts a process goes through here, so they all clear the caller's
`TWIN_*` variables, pick free ports and stop servers the same way.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

__all__ = ["PROJECT_ROOT", "TWIN", "free_port", "run_twin", "serve_twin", "twin_env"]

PROJECT_ROOT = Path(__file__).resolve().parents[1]
TWIN = [sys.executable, "-m", "api.cli"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def twin_env(db: Path | None = None, **extra: str) -> dict[str, str]:
    """This process's environment without `TWIN_*`, wide columns, the store if given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWIN_")}
    env["COLUMNS"] = "200"
    if db is not None:
        env["TWIN_DATABASE_URL"] = f"sqlite:///{db}"
    return {**env, **extra}


def run_twin(
    *args: str, db: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`twin ARGS…` to completion, output captured; `env` adds variables."""
    return subprocess.run(
        [*TWIN, *args],
        capture_output=True,
        text=True,
        env=twin_env(db, **(env or {})),
        cwd=PROJECT_ROOT,
        timeout=300,
    )


@contextmanager
def serve_twin(
    db: Path, log: Path, *args: str, host: str = "127.0.0.1", **env: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`twin serve` on a free port over `db` until the block ends; yields (base URL, process).

    Output goes to `log`. Waits until `/api/buildings` answers; on leaving, stops the
    server with Ctrl-C (SIGINT) as a user would, killing it if it does not stop.
    """
    port = free_port()
    with log.open("wb") as stream:
        server = subprocess.Popen(
            [*TWIN, "serve", "--host", host, "--port", str(port), "--db", str(db), *args],
            stdout=stream,
            stderr=subprocess.STDOUT,
            env=twin_env(None, **env),
            cwd=PROJECT_ROOT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                output = log.read_text()
                raise RuntimeError(f"twin serve exited with {server.returncode}:\n{output}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"twin serve did not answer in 60 s:\n{log.read_text()}")
            try:
                if httpx.get(f"{base}/api/buildings", timeout=5).status_code < 500:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield base, server
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
