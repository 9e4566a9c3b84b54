"""How fast readings go in over HTTP and latest values come out, against raw sqlite3.

In one run, on fresh stores in a temp dir with 10,000 temperature sensors:

- ``http``: `twin serve` (real uvicorn, a child process) takes `POST /api/readings`
  with 1,000 readings per request (a JSON array) from `--clients` client threads,
  each on one keep-alive TCP socket, with a gateway key. Every request (request line,
  headers, body) is built as bytes before the clock starts; the clients send it,
  read the answer by its Content-Length and take the stored count from its head (a
  non-200 answer or a short count fails the run). Readings/s counts stored readings.
- ``raw``: `sqlite3.executemany` of the same rows into the same `readings` table
  (same schema, indexes and PRAGMAs: WAL, synchronous=FULL), `INSERT OR IGNORE` and
  a commit per 1,000 rows, once before and once after ``http`` (each into a fresh
  store), averaged. Goal: http ≥ 0.5× raw. The served app judges the readings
  against the default alarm rules in its background worker (`layers.alarm_worker`)
  meanwhile and after; ``judged_readings_per_s`` counts from the first request until
  the worker has judged the last reading, which it waits for before the next part.
- ``latest``: the newest value of each of the 10,000 sensors, through
  `layers.readings.latest_by_sensor` and through `GET /api/readings/latest`,
  against the same query run raw (median of `--repeat`). Goal: ≤ 3× raw.

Absolute numbers mean little on a shared machine; the ratios, measured in one run, do.
Exits 0 whether or not a goal is met, 1 when a run failed.

    .venv/bin/python bench/ingest_bench.py [--requests 200] [--clients 2] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from layers.alarm_worker import settle  # noqa: E402
from layers.keys import create_key  # noqa: E402
from layers.readings import latest_by_sensor  # noqa: E402
from twin.store import open_store  # noqa: E402
from twin.store import schema as t  # noqa: E402

SENSORS = 10_000
BATCH = 1_000
RAW_LATEST = (
    "SELECT r.sensor_id, r.ts_us, r.value FROM readings r JOIN "
    "(SELECT sensor_id, max(ts_us) AS ts_us FROM readings GROUP BY sensor_id) m "
    "ON r.sensor_id = m.sensor_id AND r.ts_us = m.ts_us"
)


def _store(path: Path) -> str:
    """A fresh store with the sensors registered; returns a gateway key."""
    engine = open_store(str(path))
    with engine.begin() as conn:
        conn.execute(
            insert(t.sensors),
            [
                {
                    "sensor_id": f"bench-{i:05d}",
                    "kind": "temperature",
                    "code": "BENCH",
                    "placed_by": "code",
                    "registered_at": "2026-01-01T00:00:00+00:00",
                }
                for i in range(SENSORS)
            ],
        )
    key = create_key(engine, "gateway")
    engine.dispose()
    return key


def _batches(requests: int) -> list[list[tuple[str, str, float]]]:
    """Readings round-robin over the sensors, one per sensor per minute, in batches."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    out = []
    for b in range(requests):
        batch = []
        for j in range(BATCH):
            n = b * BATCH + j
            ts = (start + timedelta(minutes=n // SENSORS)).isoformat().replace("+00:00", "Z")
            batch.append((f"bench-{n % SENSORS:05d}", ts, 15.0 + (n % 97) / 10))
        out.append(batch)
    return out


def _raw(db: Path, batches: list[list[tuple[str, str, float]]]) -> float:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    rows = [
        [
            (s, (datetime.fromisoformat(ts) - epoch) // timedelta(microseconds=1), v)
            for s, ts, v in b
        ]
        for b in batches
    ]
    began = time.perf_counter()
    for batch in rows:
        conn.executemany("INSERT OR IGNORE INTO readings VALUES (?, ?, ?)", batch)
        conn.commit()
    elapsed = time.perf_counter() - began
    conn.close()
    return sum(map(len, rows)) / elapsed


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(db: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWIN_")}
    with log.open("w") as stream:
        server = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--db", str(db)],
            stdout=stream,
            stderr=subprocess.STDOUT,
            env={**env, "TWIN_WEB_DIR": str(log.parent / "none")},
            cwd=ROOT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"twin serve did not start:\n{log.read_text()}")
        try:
            httpx.get(f"{url}/api/ingest/stats", timeout=5)
            return server, url
        except httpx.TransportError:
            time.sleep(0.2)


def _requests(host: str, key: str, batches: list[list[tuple[str, str, float]]]) -> list[bytes]:
    """Each batch as the whole HTTP/1.1 request on the wire: request line, headers, JSON body."""
    out = []
    for batch in batches:
        body = json.dumps([{"sensor": s, "ts": ts, "value": v} for s, ts, v in batch]).encode()
        head = (
            f"POST /api/readings HTTP/1.1\r\nHost: {host}\r\n"
            f"Authorization: Bearer {key}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        out.append(head.encode() + body)
    return out


def _answer(reader: Any) -> tuple[int, bytes]:
    """Status and body of one HTTP/1.1 response, read by its Content-Length."""
    status = int(reader.readline().split(b" ", 2)[1])
    length = 0
    while (line := reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return status, reader.read(length)


def _http(
    url: str, key: str, batches: list[list[tuple[str, str, float]]], clients: int
) -> tuple[float, float]:
    host, port = url.removeprefix("http://").split(":")
    requests = _requests(host, key, batches)
    stored = [0] * clients
    failures: list[str] = []

    def send(worker: int) -> None:
        # The load generator shares the 2 cores with the server, so it spends as little
        # of them as it can: one keep-alive socket per client, requests built before the
        # clock starts, each answer read by its Content-Length and checked for its count.
        with socket.create_connection((host, int(port)), timeout=60) as conn:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            reader = conn.makefile("rb")
            for request in requests[worker::clients]:
                conn.sendall(request)
                status, text = _answer(reader)
                if status != 200:
                    failures.append(text[:200].decode())
                    return
                stored[worker] += json.loads(text[: text.index(b',"results"')] + b"}")["stored"]

    threads = [threading.Thread(target=send, args=(w,)) for w in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if failures or sum(stored) != sum(map(len, batches)):
        raise RuntimeError(f"ingest incomplete: {sum(stored)} stored; {failures[:1]}")
    return sum(stored) / elapsed, began


def _judged(db: Path, began: float) -> float:
    """Seconds from the first request until the server's alarm worker has judged all."""
    engine = open_store(str(db))
    settle(engine, timeout_s=600)
    engine.dispose()
    return time.perf_counter() - began


def _median_s(run: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def _latest(db: Path, url: str, key: str, repeat: int) -> dict[str, float]:
    engine = open_store(str(db))
    raw = sqlite3.connect(db)
    assert len(raw.execute(RAW_LATEST).fetchall()) == SENSORS
    assert len(latest_by_sensor(engine)) == SENSORS
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}) as client:
        assert len(client.get("/api/readings/latest").json()) == SENSORS
        times = {
            "raw_s": _median_s(lambda: raw.execute(RAW_LATEST).fetchall(), repeat),
            "layers_s": _median_s(lambda: latest_by_sensor(engine), repeat),
            "http_s": _median_s(lambda: client.get("/api/readings/latest").content, repeat),
        }
    raw.close()
    engine.dispose()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="requests of 1,000 readings")
    parser.add_argument("--clients", type=int, default=2, help="concurrent client threads")
    parser.add_argument("--repeat", type=int, default=7, help="runs per latest-value timing")
    parser.add_argument("--json", action="store_true", help="print only JSON")
    args = parser.parse_args()
    batches = _batches(args.requests)
    with tempfile.TemporaryDirectory(prefix="ingest-bench-") as folder:
        ours, before, after = (Path(folder) / f"{n}.db" for n in ("http", "raw1", "raw2"))
        key = _store(ours)
        _store(before)
        _store(after)
        raw_before = _raw(before, batches)
        server, url = _serve(ours, Path(folder) / "serve.log")
        try:
            http_rate, began = _http(url, key, batches, args.clients)
            judged_s = _judged(ours, began)
            latest = _latest(ours, url, key, args.repeat)
        except (RuntimeError, AssertionError, httpx.HTTPError) as exc:
            print(f"run failed: {exc}", file=sys.stderr)
            return 1
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        raw_after = _raw(after, batches)
    # the baseline before and after ours, averaged: the machine's load drifts meanwhile
    raw_rate = (raw_before + raw_after) / 2
    result: dict[str, Any] = {
        "readings": sum(map(len, batches)),
        "http_readings_per_s": round(http_rate),
        "raw_readings_per_s": round(raw_rate),
        "raw_before_after": [round(raw_before), round(raw_after)],
        "http_vs_raw": round(http_rate / raw_rate, 3),
        "judged_readings_per_s": round(sum(map(len, batches)) / judged_s),
        **{k: round(v, 5) for k, v in latest.items()},
        "latest_layers_vs_raw": round(latest["layers_s"] / latest["raw_s"], 2),
        "latest_http_vs_raw": round(latest["http_s"] / latest["raw_s"], 2),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    for name, value in result.items():
        print(f"{name:24} {value}")
    met = "met" if result["http_vs_raw"] >= 0.5 else "NOT met"
    print(f"goal http ingest ≥ 0.5× raw executemany: {met}")
    met = "met" if result["latest_http_vs_raw"] <= 3 else "NOT met"
    print(f"goal latest for {SENSORS} sensors ≤ 3× raw query (over HTTP): {met}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
