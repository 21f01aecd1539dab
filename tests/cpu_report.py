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
"""

from __future__ import annotations

import collections
import json
import os
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

_out: IO[str] | None = None


def _cpu() -> tuple[float, float]:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def _write(record: dict[str, Any]) -> None:
    global _out
    where = os.environ.get("KEEPGATE_CPU_REPORT")
    if not where:
        return
    if _out is None:
        Path(where).mkdir(parents=True, exist_ok=True)
        _out = open(Path(where) / f"cpu-{os.getpid()}.jsonl", "a", encoding="utf-8")
    _out.write(json.dumps(record) + "\n")
    _out.flush()


def pytest_collection_finish(session: pytest.Session) -> None:
    me, kids = _cpu()
    _write({"phase": "startup", "self": me, "children": kids})


def _phase(item: pytest.Item, phase: str) -> Iterator[None]:
    (me0, kids0), t0 = _cpu(), time.monotonic()
    yield
    (me1, kids1), wall = _cpu(), time.monotonic() - t0
    _write(
        {
            "id": item.nodeid,
            "phase": phase,
            "self": me1 - me0,
            "children": kids1 - kids0,
            "wall": wall,
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
    _write({"phase": "end", "self": me, "children": kids})


def summary(where: Path, top: int = 40) -> str:
    """Per file: CPU (own + children), wall, test count; and each process's start-up."""
    files: dict[str, list[float]] = collections.defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
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
    total = sum(f[0] + f[1] for f in files.values())
    lines = [
        f"tests: {total:.1f} s CPU; start-up (imports, collection) per process: "
        + ", ".join(f"{s:.1f}" for s in startup)
        + " s",
        "   cpu    own  child    wall  tests  file",
    ]
    ranked = sorted(files.items(), key=lambda kv: -(kv[1][0] + kv[1][1]))
    for name, (own, child, wall, n) in ranked[:top]:
        lines.append(f"{own + child:6.1f} {own:6.1f} {child:6.1f} {wall:7.1f} {int(n):6d}  {name}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(summary(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 40))
