"""`keepgate.serving.supervisor.health`: the supervisor's ping of a worker ends on the
worker's answer or on its exit, whichever comes first, not on the timeout.

Each worker is a real spawned process at the other end of a real pipe, the supervisor
keeping its own copy of the worker's end open as uvicorn's does (so the worker's exit does
not close the pipe). The timeouts are bounds on a hang (an hour): what is asserted is which
event ended the wait, never how long it took. The whole served form (a worker that cannot
build its app stops `keepgate serve --workers 2`) is in test_workers.py."""

from __future__ import annotations

import functools
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection

from keepgate.serving.supervisor import Health, health

HOUR = 3600.0
spawn = multiprocessing.get_context("spawn")


@contextmanager
def worker(
    target: Callable[[Connection], Callable[[], object]],
) -> Iterator[tuple[Connection, multiprocessing.process.BaseProcess]]:
    """A spawned process running `target(its end of the pipe)`; the pipe's two ends both
    stay open here, as in uvicorn's supervisor."""
    parent, child = multiprocessing.Pipe()
    process = spawn.Process(target=target(child))
    process.start()
    try:
        yield parent, process
    finally:
        process.kill()
        process.join()
        parent.close()
        child.close()


def test_a_worker_that_reads_the_ping_and_exits_without_answering_is_seen_exited() -> None:
    # The failing worker's case: its pong thread read the ping, then the process exited.
    with worker(lambda end: end.recv) as (conn, process):
        assert health(conn, process.sentinel, HOUR) is Health.EXITED
        process.join()
        assert process.exitcode == 0  # it returned from recv: it had read the ping


def test_a_worker_that_exits_before_the_ping_is_seen_exited() -> None:
    with worker(lambda end: functools.partial(os._exit, 3)) as (conn, process):
        assert health(conn, process.sentinel, HOUR) is Health.EXITED
        process.join()
        assert process.exitcode == 3


def test_an_answer_counts_even_when_the_worker_has_exited_since() -> None:
    with worker(lambda end: functools.partial(end.send, True)) as (conn, process):
        process.join()  # answered, then gone: the answer is still read
        assert health(conn, process.sentinel, HOUR) is Health.ANSWERED


def test_a_live_worker_that_does_not_answer_in_time_is_silent() -> None:
    # Never answers and never exits (killed at the end): the timeout decides. 0 s: the
    # outcome cannot depend on how long the check waits.
    with worker(lambda end: functools.partial(time.sleep, HOUR)) as (conn, process):
        assert health(conn, process.sentinel, 0) is Health.SILENT
        assert process.is_alive()
