"""The offload pool stops its processes at once on close, through public means only.

`ProcessPoolExecutor` cannot stop a busy process (shutdown waits for the task or leaves it
running), so `ProcPool.aclose` terminates its processes itself: each one reports its pid as
it starts (the executor's initializer), and the pool terminates those of its live children
(`multiprocessing.active_children()`), rather than reading the executor's private map."""

from __future__ import annotations

import asyncio
import concurrent.futures
import multiprocessing
import os
from typing import Any

import pytest

from keepgate.config.model import OffloadSettings
from keepgate.pipeline.procpool import ProcPool


def _hold(started: Any, release: Any) -> None:
    """A task that runs until released (never, here): says it started, then waits."""
    started.set()
    release.wait()


async def test_each_process_reports_its_pid_and_close_stops_a_busy_one() -> None:
    manager = multiprocessing.get_context("spawn").Manager()
    started, release = manager.Event(), manager.Event()
    pool = ProcPool(OffloadSettings(processes=1, prestart=False))
    await pool.start()
    try:
        assert pool.worker_pids() == []  # no process yet (prestart off)
        pid = await pool.run(os.getpid)
        assert pool.worker_pids() == [pid] and pid != os.getpid()
        busy = asyncio.ensure_future(pool.run(_hold, started, release))
        assert await asyncio.to_thread(started.wait, 120)
        await pool.aclose()
        # Terminated mid-task: the task fails (without the terminate it would wait for
        # `release`, which nobody sets, and this wait would time out).
        with pytest.raises(concurrent.futures.process.BrokenProcessPool):
            await asyncio.wait_for(busy, 120)
        assert not pool.running
    finally:
        release.set()
        await pool.aclose()
        manager.shutdown()
