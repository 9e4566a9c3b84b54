"""MQTT ingest end to end: readings stored per second through a real mosquitto.

20,000 temperature sensors are registered in the duplex (../shared/ifc/duplex.ifc,
site DX01), spread over its rooms. A publisher process (paho, QoS 1, up to 1,000
messages in flight) sends `--messages` readings `campus/DX01/<room>/<sensor>` as a
gateway while the receiver is away, so they wait at the broker in the receiver's
persistent session; the clock runs from the receiver's connect to the last message
decoded (bare) or stored (twin). Timing the drain of a backlog measures the receiving
side alone: a Python publisher on the same 2 cores is slower than either receiver and
would otherwise set both rates. Two receivers take turns, each on a fresh broker:

- ``bare``: a paho subscriber (QoS 1, automatic PUBACK) that only decodes the JSON;
- ``twin``: our `MqttSubscriber`, which stores every reading through `ingest_readings`
  (SQLite, WAL, synchronous=FULL) and acknowledges only after the commit.

The ratio twin/bare is the figure of merit (goal ≥ 0.6×). It exits 0 whether
or not the goal is met (2 when it cannot start: mosquitto or the IFC file missing).

    .venv/bin/python bench/mqtt_bench.py [--sensors 20000] [--messages 60000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import paho.mqtt.client as mqtt  # noqa: E402
from paho.mqtt.enums import CallbackAPIVersion  # noqa: E402
from sqlalchemy import Engine, select  # noqa: E402

from layers.ingest_mqtt import MqttConnection, MqttSubscriber  # noqa: E402
from layers.mqtt_broker import Broker, find_mosquitto  # noqa: E402
from layers.sensors import import_sensors_csv  # noqa: E402
from twin.importer import import_models  # noqa: E402
from twin.store import open_store  # noqa: E402
from twin.store import schema as t  # noqa: E402

DUPLEX = ROOT.parent / "shared" / "ifc" / "duplex.ifc"
GATEWAY = ("gw-bench", "bench-key")
GOAL = 0.6


def make_store(folder: Path, sensors: int) -> tuple[Path, list[tuple[str, str]]]:
    """A store of the duplex with `sensors` sensors; their (room code, sensor id)."""
    db = folder / "twin.db"
    engine = open_store(str(db))
    import_models(engine, [DUPLEX], site_code="DX01")
    with engine.connect() as conn:
        rooms = list(conn.execute(select(t.rooms.c.room_code)).scalars())
    placed = [(rooms[i % len(rooms)], f"b-{i:05d}") for i in range(sensors)]
    csv_path = folder / "sensors.csv"
    lines = ["id,kind,room_code"] + [f"{sid},temperature,{room}" for room, sid in placed]
    csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_sensors_csv(engine, csv_path)
    if report.rejected:
        raise SystemExit(f"sensor registration failed: {report.rejected[:3]}")
    engine.dispose()
    return db, placed


def publish(port: int, placed: list[tuple[str, str]], messages: int) -> None:
    """Child process: publish `messages` readings with QoS 1, waiting for every PUBACK."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
    client.username_pw_set(*GATEWAY)
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect("127.0.0.1", port)
    client.loop_start()
    infos = []
    for n in range(messages):
        room, sensor = placed[n % len(placed)]
        second = n // len(placed)
        ts = f"2026-03-01T{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}Z"
        payload = json.dumps({"ts": ts, "value": 20.0 + (n % 50) / 10})
        infos.append(client.publish(f"campus/DX01/{room}/{sensor}", payload, qos=1))
    for info in infos:
        info.wait_for_publish(120)
    client.disconnect()
    client.loop_stop()


class Bare:
    """The yardstick: decode every message, count it, nothing else (persistent session)."""

    def __init__(self, port: int, app: tuple[str, str], target: int) -> None:
        self.port = port
        self.count = 0
        self.target = target
        self.done = threading.Event()
        self.subscribed = threading.Event()
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id="bench-bare",
            clean_session=False,
            protocol=mqtt.MQTTv311,
        )
        self.client.username_pw_set(*app)
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda *_a: self.subscribed.set()

    def _on_message(self, _c: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        json.loads(msg.payload)
        self.count += 1
        if self.count >= self.target:
            self.done.set()

    def start(self) -> None:
        self.client.connect("127.0.0.1", self.port)
        self.client.subscribe("campus/#", qos=1)
        self.client.loop_start()

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def _fill_backlog(port: int, placed: list[tuple[str, str]], messages: int) -> None:
    child = multiprocessing.Process(target=publish, args=(port, placed, messages))
    child.start()
    child.join(600)


def run_bare(port: int, app: tuple[str, str], placed: list[tuple[str, str]], n: int) -> float:
    bare = Bare(port, app, n)
    bare.start()
    bare.subscribed.wait(10)
    bare.stop()
    _fill_backlog(port, placed, n)
    began = time.perf_counter()
    bare.start()
    ok = bare.done.wait(600)
    elapsed = time.perf_counter() - began
    bare.stop()
    if not ok:
        raise SystemExit(f"bare: {bare.count} of {n} messages arrived")
    return n / elapsed


def run_twin(
    port: int, app: tuple[str, str], placed: list[tuple[str, str]], n: int, engine: Engine
) -> float:
    connection = MqttConnection("127.0.0.1", port, *app)
    first = MqttSubscriber(engine, connection).start()
    first.wait_subscribed()
    first.stop()
    _fill_backlog(port, placed, n)
    sub = MqttSubscriber(engine, connection)
    began = time.perf_counter()
    sub.start()
    deadline = time.monotonic() + 600
    while sub.outcomes["stored"] < n and time.monotonic() < deadline:
        time.sleep(0.002)
    elapsed = time.perf_counter() - began
    sub.stop()
    if sub.outcomes["stored"] < n:
        raise SystemExit(f"twin: {sub.outcomes} of {n} readings stored")
    return n / elapsed


def run_once(kind: str, db: Path, placed: list[tuple[str, str]], messages: int) -> float:
    """Readings per second for one receiver on a fresh broker (and a fresh store copy)."""
    folder = Path(tempfile.mkdtemp(prefix=f"mqtt-bench-{kind}-"))
    try:
        with Broker(folder / "broker") as broker:
            broker.add_login(*GATEWAY)
            app = (broker.app_username, broker.app_password)
            if kind == "bare":
                return run_bare(broker.port, app, placed, messages)
            shutil.copyfile(db, folder / "twin.db")
            engine = open_store(str(folder / "twin.db"))
            try:
                return run_twin(broker.port, app, placed, messages, engine)
            finally:
                engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sensors", type=int, default=20_000)
    parser.add_argument("--messages", type=int, default=60_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if find_mosquitto() is None:
        print("mosquitto is not installed: apt-get install -y mosquitto", file=sys.stderr)
        return 2
    if not DUPLEX.exists():
        print(f"{DUPLEX} not found (../shared/ifc beside the project)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="mqtt-bench-") as tmp:
        db, placed = make_store(Path(tmp), args.sensors)
        rates: dict[str, list[float]] = {"bare": [], "twin": []}
        for r in range(args.repeat):
            for kind in ("bare", "twin") if r % 2 == 0 else ("twin", "bare"):
                rates[kind].append(run_once(kind, db, placed, args.messages))
                print(f"run {r + 1} {kind}: {rates[kind][-1]:,.0f} readings/s", flush=True)
    bare, twin = (statistics.median(rates[k]) for k in ("bare", "twin"))
    ratio = twin / bare
    print(f"{args.sensors:,} sensors, {args.messages:,} messages, median of {args.repeat}")
    print(f"bare paho subscriber (decode only): {bare:,.0f} msg/s")
    print(f"twin MQTT ingest (stored, acked):   {twin:,.0f} readings/s")
    verdict = "met" if ratio >= GOAL else "NOT met"
    print(f"ratio twin/bare: {ratio:.2f}x (goal >= {GOAL}x: {verdict})")
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    sys.exit(main())
