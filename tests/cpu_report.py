"""CPU seconds per test file, to find what makes the suite slow (an opt-in pytest plugin).

On a shared box wall time says more about the neighbours than about the tests; CPU (user +
system of the test process and of every child it reaped: servers, pool processes, CLIs)
does not. Each process (every xdist worker) appends one JSON line per test phase to
`$KEEPGATE_CPU_REPORT/cpu-<pid>.jsonl`, plus its start-up (interpreter, imports,
collection) and its total at the end:

    KEEPGATE_CPU_REPORT=/tmp/cpu scripts/test -p tests.cpu_report
    .venv/bin/python -m tests.cpu_report /tmp/cpu        # per file, heaviest first

A module fixture's set-up and tear-down count to the first and the last test of its file,
so read the per-file figures, not the per-test ones. No test reads these numbers.

The `idle` column is wall time in which nothing of the test's was running or waiting for a
CPU: no thread of the test process (but this report's sampler) and none of its child
processes in state R, sampled every 10 ms from /proc (Linux only; 0 elsewhere). Unlike
wall minus CPU it does not grow with the box's load: it is the test's own waiting (sleeps,
timeouts that expire, a delayed ACK, a child starting up off the CPU...), the part of the
wall time that more cores would not win back.lists the test phases that waited longest:

    .venv/bin/python -m tests.cpu_report /tmp/cpu 40 --idle
"""

from __future__ import annotations

import collections
import json
import os
import resource
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

_out: IO[str] | None = None
#: When this plugin was imported (`-p` loads it as pytest starts): the process's start, near enough.
_T0 = time.time()


class _IdleSampler:
    """Adds up the wall time in which no thread of this process (other than the sampler)
    and none of its descendants is runnable, by reading thread states from /proc."""

    INTERVAL = 0.01

    def __init__(self) -> None:
        self.idle = 0.0
        self._pid = os.getpid()
        self._tid = 0
        self._thread = threading.Thread(target=self._run, name="cpu-report-idle", daemon=True)

    def start(self) -> _IdleSampler:
        if Path(f"/proc/{self._pid}/task").is_dir():
            self._thread.start()
        return self

    def _runnable(self, pid: int, own: bool) -> bool | None:
        """True if a thread of `pid` or of its descendants is runnable; None if gone."""
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            return None
        kids: list[int] = []
        for tid in tids:
            if own and int(tid) == self._tid:
                continue
            try:
                with open(f"/proc/{pid}/task/{tid}/stat", "rb") as f:
                    stat = f.read()
                with open(f"/proc/{pid}/task/{tid}/children", "rb") as f:
                    kids += [int(k) for k in f.read().split()]
            except OSError:
                continue
            if stat[stat.rindex(b")") + 2 : stat.rindex(b")") + 3] == b"R":
                return True
        return any(self._runnable(kid, False) for kid in kids)

    def _run(self) -> None:
        self._tid = threading.get_native_id()
        last = time.monotonic()
        while True:
            time.sleep(self.INTERVAL)
            busy = self._runnable(self._pid, True)
            now = time.monotonic()
            if busy is False:
                # At most two intervals: a sample that comes late came late because this
                # process held the GIL (or the box had no CPU for it), so the time before
                # it was not idle; counting it all put idle time in CPU-bound tests.
                self.idle += min(now - last, 2 * self.INTERVAL)
            last = now


_sampler: _IdleSampler | None = None


#: False in pytest-xdist's controller: it runs no test, so it records nothing. Its sampler
#: walked the whole process tree (both workers' threads and their children) every 10 ms:
#: ~17 ms of CPU a second, 2.9 s over a 170 s run (2026-12-07 21:00 UTC), taken from the
#: workers it was measuring.
_recording = True


def pytest_configure(config: pytest.Config) -> None:
    global _sampler, _recording
    _recording = bool(os.environ.get("KEEPGATE_CPU_REPORT")) and not _is_xdist_controller(config)
    if _recording and _sampler is None:
        _sampler = _IdleSampler().start()


def _is_xdist_controller(config: pytest.Config) -> bool:
    """True in the process that hands tests to xdist workers (and runs none itself)."""
    return not hasattr(config, "workerinput") and getattr(config.option, "dist", "no") != "no"


def _idle() -> float:
    return _sampler.idle if _sampler is not None else 0.0


def _cpu() -> tuple[float, float]:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def _write(record: dict[str, Any]) -> None:
    global _out
    where = os.environ.get("KEEPGATE_CPU_REPORT")
    if not where or not _recording:
        return
    if _out is None:
        Path(where).mkdir(parents=True, exist_ok=True)
        _out = open(Path(where) / f"cpu-{os.getpid()}.jsonl", "a", encoding="utf-8")
    _out.write(json.dumps(record) + "\n")
    _out.flush()


def pytest_collection_finish(session: pytest.Session) -> None:
    me, kids = _cpu()
    _write({"phase": "startup", "self": me, "children": kids, "t0": _T0, "at": time.time()})


def _phase(item: pytest.Item, phase: str) -> Iterator[None]:
    (me0, kids0), t0, idle0 = _cpu(), time.monotonic(), _idle()
    yield
    (me1, kids1), wall = _cpu(), time.monotonic() - t0
    _write(
        {
            "id": item.nodeid,
            "phase": phase,
            "at": time.time(),
            "self": me1 - me0,
            "children": kids1 - kids0,
            "wall": wall,
            "idle": _idle() - idle0,
        }
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    yield from _phase(item, "setup")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    yield from _phase(item, "call")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    yield from _phase(item, "teardown")


def pytest_sessionfinish(session: pytest.Session) -> None:
    me, kids = _cpu()
    _write({"phase": "end", "self": me, "children": kids, "at": time.time()})


def summary(where: Path, top: int = 40, idle: bool = False) -> str:
    """Per file: CPU (own + children), wall, idle, test count; each process's start-up;
    with `idle`, the test phases that waited longest instead."""
    files: dict[str, list[float]] = collections.defaultdict(lambda: [0.0] * 5)
    phases: list[tuple[float, float, float, str]] = []
    startup: list[float] = []
    for path in sorted(where.glob("cpu-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            if r["phase"] == "startup":
                startup.append(r["self"])
            if "id" not in r:
                continue
            f = files[r["id"].split("::", 1)[0]]
            f[0] += r["self"]
            f[1] += r["children"]
            f[2] += r["wall"]
            f[3] += r["phase"] == "call"
            f[4] += r.get("idle", 0.0)
            cpu, name = r["self"] + r["children"], f"{r['phase']:8s} {r['id']}"
            phases.append((r.get("idle", 0.0), r["wall"], cpu, name))
    total = sum(f[0] + f[1] for f in files.values())
    lines = [
        f"tests: {total:.1f} s CPU; start-up (imports, collection) per process: "
        + ", ".join(f"{s:.1f}" for s in startup)
        + " s",
    ]
    if idle:
        lines.append("  idle    wall     cpu  phase    test")
        for waited, wall, cpu, name in sorted(phases, reverse=True)[:top]:
            lines.append(f"{waited:6.1f} {wall:7.1f} {cpu:7.1f}  {name}")
        return "\n".join(lines)
    lines += _schedule(where)
    lines.append("   cpu    own  child    wall    idle  tests  file")
    ranked = sorted(files.items(), key=lambda kv: -(kv[1][0] + kv[1][1]))
    for name, (own, child, wall, n, waited) in ranked[:top]:
        lines.append(
            f"{own + child:6.1f} {own:6.1f} {child:6.1f} {wall:7.1f} {waited:7.1f} {int(n):6d}  {name}"
        )
    return "\n".join(lines)


def _schedule(where: Path) -> list[str]:
    """Per process (xdist worker): when it was ready to run tests, how long its tests ran
    (wall), how long it waited between them (for the controller to send work) and how long
    it sat at the end while another process still ran tests: the run's tail imbalance."""
    procs: list[tuple[str, float, float, float, float, float]] = []
    for path in sorted(where.glob("cpu-*.jsonl")):
        t0 = ready = last = 0.0
        busy = gaps = 0.0
        for line in path.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            if r["phase"] == "end":
                continue
            if "at" not in r:
                return []  # a report from before the timestamps
            if r["phase"] == "startup":
                t0, ready = r.get("t0", r["at"]), r["at"]
                last = ready
            elif "id" in r and r["at"] >= last:
                # A test that fakes the clock (time.time, time.monotonic) skews its phase's
                # timestamps: a phase stamped before the previous one is skipped.
                wall = min(max(r["wall"], 0.0), r["at"] - last)
                busy += wall
                gaps += r["at"] - wall - last
                last = r["at"]
        if ready:  # a process that collected nothing (an old report of the xdist controller)
            procs.append((path.stem, t0, ready, busy, gaps, last))
    if not procs:
        return []
    start = min(p[1] for p in procs)
    end = max(p[5] for p in procs)
    out = [f"schedule: first start-up to last test {end - start:.1f} s wall"]
    for name, _t0, ready, busy, gaps, last in procs:
        out.append(
            f"  {name}: ready at {ready - start:5.1f} s, tests {busy:6.1f} s, "
            f"between tests {gaps:4.1f} s, done {end - last:5.1f} s before the end"
        )
    return out


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--idle"]
    print(summary(Path(args[0]), int(args[1]) if len(args) > 1 else 40, "--idle" in sys.argv))
