"""The durable local notification queue: SQS semantics on a folder."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from c360.landing.events import parse_message
from c360.landing.queue import LocalNotificationQueue
from c360.storage.local import LocalObjectStore
from tests.unit.pipe_harness import Clock


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def queue(tmp_path: Path, clock: Clock) -> LocalNotificationQueue:
    return LocalNotificationQueue(tmp_path / "queue", clock=clock.epoch)


def test_messages_are_delivered_oldest_first_and_deleted_on_ack(
    queue: LocalNotificationQueue, clock: Clock
) -> None:
    for i in range(3):
        queue.send(f"m{i}")
        clock.advance(0.001)
    first = queue.receive(2)
    assert [m.body for m in first] == ["m0", "m1"] and all(m.receive_count == 1 for m in first)
    assert [m.body for m in queue.receive(10)] == ["m2"]
    assert queue.receive() == []
    assert queue.depth().in_flight == 3
    assert all(queue.delete(m) for m in first)
    assert queue.depth().in_flight == 1


def test_unacknowledged_messages_come_back_after_the_visibility_timeout(
    queue: LocalNotificationQueue, clock: Clock
) -> None:
    queue.send("event")
    (message,) = queue.receive(visibility_timeout=30)
    clock.advance(29)
    assert queue.receive() == []
    clock.advance(2)
    (again,) = queue.receive(visibility_timeout=30)
    assert again.message_id == message.message_id and again.receive_count == 2
    assert not queue.delete(message), "the first receipt expired when the message was delivered again"
    assert queue.delete(again)
    assert queue.depth() == queue.depth().__class__(0, 0, 0, None)


def test_change_visibility_releases_or_extends(queue: LocalNotificationQueue, clock: Clock) -> None:
    queue.send("event")
    (message,) = queue.receive(visibility_timeout=30)
    queue.change_visibility(message, 0)  # a nack: visible again at once
    (again,) = queue.receive(visibility_timeout=5)
    queue.change_visibility(again, 600)
    clock.advance(300)
    assert queue.receive() == []


def test_the_queue_survives_a_restart(tmp_path: Path, clock: Clock) -> None:
    first = LocalNotificationQueue(tmp_path / "q", clock=clock.epoch)
    first.send("kept")
    first.receive(visibility_timeout=10)
    first.send("also kept")
    del first
    reopened = LocalNotificationQueue(tmp_path / "q", clock=clock.epoch)
    assert [m.body for m in reopened.receive()] == ["also kept"]
    clock.advance(11)
    assert [m.body for m in reopened.receive()] == ["kept"]
    assert not list((tmp_path / "q" / "tmp").iterdir()), "no half-written messages left behind"


def test_concurrent_consumers_never_receive_the_same_message(tmp_path: Path) -> None:
    producer = LocalNotificationQueue(tmp_path / "q")
    sent = {producer.send(f"body-{i}") for i in range(300)}
    received: list[str] = []
    lock = threading.Lock()

    def consume() -> None:
        mine = LocalNotificationQueue(tmp_path / "q")
        while batch := mine.receive(10, visibility_timeout=600):
            with lock:
                received.extend(m.message_id for m in batch)

    threads = [threading.Thread(target=consume) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(received) == len(set(received)) == 300 and set(received) == sent


def test_dead_letters_after_max_receives_and_redrive(tmp_path: Path, clock: Clock) -> None:
    queue = LocalNotificationQueue(tmp_path / "q", max_receives=2, clock=clock.epoch)
    queue.send("poison")
    for _ in range(2):
        assert len(queue.receive(visibility_timeout=1)) == 1
        clock.advance(2)
    assert queue.receive() == []
    assert queue.depth().dead == 1 and [m.body for m in queue.dead_letters()] == ["poison"]
    assert queue.redrive() == 1
    (message,) = queue.receive()
    assert message.receive_count == 1


def test_redrive_covers_a_message_whose_last_allowed_delivery_expired(tmp_path: Path, clock: Clock) -> None:
    """A consumer died holding a message's last allowed delivery: the next receive would dead-letter it,
    so an operator's redrive already moves it back (no second redrive after the next run); a message still
    within its visibility timeout stays in flight."""
    queue = LocalNotificationQueue(tmp_path / "q", max_receives=2, clock=clock.epoch)
    queue.send("exhausted")
    clock.advance(0.001)
    queue.send("held")
    first, _ = queue.receive(visibility_timeout=60)
    queue.change_visibility(first, 0)  # its consumer gave it back (as a dead consumer's expires)
    (last,) = queue.receive(visibility_timeout=60)
    assert last.body == "exhausted" and last.receive_count == 2
    queue.change_visibility(last, 0)
    assert queue.depth().dead == 0 and queue.depth().in_flight == 2
    assert queue.redrive() == 1
    assert queue.depth().in_flight == 1 and queue.depth().dead == 0
    (message,) = queue.receive()
    assert message.body == "exhausted" and message.receive_count == 1


def test_depth_reports_the_oldest_waiting_message(queue: LocalNotificationQueue, clock: Clock) -> None:
    queue.send("old")
    clock.advance(90)
    queue.send("new")
    depth = queue.depth()
    assert depth.visible == 2 and depth.oldest_age_seconds == pytest.approx(90, abs=0.01)


def test_the_object_store_notifies_only_for_new_objects_under_the_prefix(
    tmp_path: Path, clock: Clock
) -> None:
    queue = LocalNotificationQueue(tmp_path / "q", clock=clock.epoch)
    store = LocalObjectStore(tmp_path / "lake", listeners=[queue.listener("transactions/streaming/")])
    store.put_bytes("transactions/streaming/2026/10/15/09/a b+c.csv", b"x")
    store.put_bytes("transactions/historical/part-0.csv", b"x")
    store.put_bytes("customers/customers.csv", b"x")
    (message,) = queue.receive()
    record = json.loads(message.body)["Records"][0]
    assert (
        record["s3"]["object"]["key"] == "transactions/streaming/2026/10/15/09/a+b%2Bc.csv"
    )  # URL-encoded like S3
    (event,) = parse_message(message.body).events
    assert event.key == "transactions/streaming/2026/10/15/09/a b+c.csv" and event.size == 1


def test_receive_validates_its_arguments(queue: LocalNotificationQueue) -> None:
    with pytest.raises(ValueError, match="between 1 and 10"):
        queue.receive(11)


def test_a_killed_consumers_messages_come_back_at_once_and_still_count(tmp_path: Path) -> None:
    """SQS would wait for the visibility timeout; locally nobody can acknowledge a dead process's
    message, so the next receive takes it back (the delivery still counts towards max_receives)."""
    import os
    import signal

    queue = LocalNotificationQueue(tmp_path / "q", max_receives=2)
    queue.send("event")
    pid = os.fork()
    if pid == 0:  # the consumer: receives with a long visibility timeout, then dies without cleanup
        LocalNotificationQueue(tmp_path / "q").receive(visibility_timeout=3600)
        os.kill(os.getpid(), signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and queue.depth().in_flight == 1
    (again,) = queue.receive(visibility_timeout=3600)
    assert again.body == "event" and again.receive_count == 2
    assert queue.receive() == [], "a live consumer's message stays invisible"


def test_a_receive_never_returns_more_than_ten(queue: LocalNotificationQueue) -> None:
    for i in range(25):
        queue.send(f"m{i}")
    with pytest.raises(ValueError, match="between 1 and 10"):
        queue.receive(11)
    sizes = []
    while batch := queue.receive(10):
        sizes.append(len(batch))
    assert sizes == [10, 10, 5]


def test_an_unreadable_message_is_delivered_as_raw_text(tmp_path: Path) -> None:
    queue = LocalNotificationQueue(tmp_path / "q")
    (tmp_path / "q" / "ready" / "00000000000000042-abc~0.json").write_bytes(b"\xffnot json")
    (message,) = queue.receive()
    assert message.message_id == "00000000000000042-abc" and "not json" in message.body
    assert [m.state for m in queue.messages()] == ["in flight"]


def test_status_counts_only_messages_a_live_consumer_holds_as_in_flight(
    queue: LocalNotificationQueue, clock: Clock
) -> None:
    """A run that failed hands its messages back (visibility 0): `c360 status` shows them waiting, not in
    flight, as does a message whose visibility timed out; one this (live) process holds stays in flight."""
    for body in ("handed back", "timed out", "held"):
        queue.send(body)
        clock.advance(0.001)
    handed, timed, held = queue.receive(3, visibility_timeout=30)
    queue.change_visibility(handed, 0)
    queue.change_visibility(held, 600)
    clock.advance(31)
    states = {m.body: m.state for m in queue.messages()}
    assert states == {"handed back": "waiting", "timed out": "waiting", "held": "in flight"}, states
    assert timed.body == "timed out"
