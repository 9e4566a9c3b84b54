"""The event bus: sequence numbers, thread-safe publishing to asyncio listeners."""

from __future__ import annotations

import asyncio
import threading

from layers.events import EventBus


def test_callbacks_see_events_in_order_with_sequence_numbers() -> None:
    bus = EventBus()
    seen: list[dict[str, object]] = []
    bus.add_callback(seen.append)
    for n in range(3):
        bus.publish({"type": "reading", "n": n})
    assert [(e["seq"], e["n"]) for e in seen] == [(1, 0), (2, 1), (3, 2)]


def test_a_failing_callback_does_not_stop_the_others() -> None:
    bus = EventBus()
    seen: list[dict[str, object]] = []

    def broken(_event: dict[str, object]) -> None:
        raise RuntimeError("listener bug")

    bus.add_callback(broken)
    bus.add_callback(seen.append)
    bus.publish({"type": "alarm"})
    assert len(seen) == 1


def test_events_published_from_threads_reach_an_asyncio_listener() -> None:
    async def scenario() -> list[int]:
        bus = EventBus()
        listener = bus.listen()
        threads = [
            threading.Thread(target=bus.publish, args=({"type": "reading", "n": n},))
            for n in range(20)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        got = [await asyncio.wait_for(listener.next(), timeout=5) for _ in range(20)]
        bus.remove(listener)
        return sorted(int(e["seq"]) for e in got)

    assert asyncio.run(scenario()) == list(range(1, 21))


def test_a_slow_listener_drops_beyond_its_queue_and_counts() -> None:
    async def scenario() -> tuple[int, int]:
        bus = EventBus()
        listener = bus.listen(max_queued=5)
        for n in range(8):
            bus.publish({"type": "reading", "n": n})
        await asyncio.sleep(0.05)
        return listener.queue.qsize(), listener.dropped

    assert asyncio.run(scenario()) == (5, 3)


def test_listening_says_whether_anyone_listens() -> None:
    local = EventBus()
    assert not local.listening
    seen: list[object] = []
    local.add_callback(seen.append)
    assert local.listening
    local.remove_callback(seen.append)
    assert not local.listening
