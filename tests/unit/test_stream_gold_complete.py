"""When the stream publishes a refresh's gold: as soon as every node of the dbt invocation reported success
(c360/steps/streaming.py NodeCompletion), never after a failed or skipped node (then the Streamer
publishes after the refresh returns, or not at all when it failed)."""

from __future__ import annotations

from c360.steps.streaming import NodeCompletion


def _run(reports: list[tuple[int, int, str]]) -> int:
    calls: list[int] = []
    completion = NodeCompletion(lambda: calls.append(1))
    for index, total, message in reports:
        completion.finished(float(index), float(total), message)
    return len(calls)


def test_published_once_when_the_last_node_succeeded() -> None:
    assert (
        _run(
            [(1, 3, "stg_transactions OK"), (2, 3, "fct_transactions OK"), (3, 3, "customer_360_profile OK")]
        )
        == 1
    )
    # reported twice (dbt's result events repeat nothing, but the count is by node index)
    assert _run([(1, 2, "a OK"), (1, 2, "a OK"), (2, 2, "b OK"), (2, 2, "b OK")]) == 1


def test_not_published_after_a_failed_node() -> None:
    assert _run([(1, 3, "stg_transactions error"), (2, 3, "fct_transactions OK"), (3, 3, "other OK")]) == 0
    assert _run([(1, 2, "a OK"), (2, 2, "b ERROR")]) == 0


def test_not_published_when_a_node_never_reported() -> None:
    # a skipped node (downstream of a failure) fires no result event: the count never reaches the total
    assert _run([(1, 3, "a OK"), (3, 3, "c OK")]) == 0


def test_without_a_callback_nothing_happens() -> None:
    completion = NodeCompletion(None)
    completion.finished(1.0, 1.0, "a OK")
    assert completion.succeeded == {1} and not completion.called
