"""The CPU report's schedule (tests/cpu_report.py): when each xdist worker was ready, how
long its tests ran and how long it sat idle at the end. It was never printed: every
process's last record (its total, written at session end) has no timestamp, and a record
without one made the whole schedule count as "a report from before the timestamps"."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cpu_report import summary


def _write(path: Path, records: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def _test(nodeid: str, at: float, wall: float) -> dict[str, object]:
    return {"id": nodeid, "phase": "call", "at": at, "self": wall, "children": 0.0, "wall": wall}


def test_the_schedule_reads_each_workers_timeline(tmp_path: Path) -> None:
    _write(
        tmp_path / "cpu-1.jsonl",
        [
            {"phase": "startup", "self": 9.0, "children": 0.0, "t0": 100.0, "at": 110.0},
            _test("tests/a.py::t1", at=115.0, wall=5.0),
            _test("tests/a.py::t2", at=121.0, wall=5.0),  # 1 s after the previous one
            {"phase": "end", "self": 20.0, "children": 0.0},  # an old report: no "at"
        ],
    )
    _write(
        tmp_path / "cpu-2.jsonl",
        [
            {"phase": "startup", "self": 9.0, "children": 0.0, "t0": 100.5, "at": 111.0},
            _test("tests/b.py::t1", at=117.0, wall=6.0),
            # a test that fakes time.time: stamped "before" the previous phase
            _test("tests/b.py::clock", at=3.0, wall=0.1),
            {"phase": "end", "self": 15.0, "children": 0.0, "at": 118.0},
        ],
    )
    # what the xdist controller wrote before it stopped recording: a total, nothing else
    _write(tmp_path / "cpu-3.jsonl", [{"phase": "end", "self": 10.5, "children": 278.2}])

    lines = summary(tmp_path).splitlines()

    assert lines[1] == "schedule: first start-up to last test 21.0 s wall"
    assert lines[2] == (
        "  cpu-1: ready at  10.0 s, tests   10.0 s, between tests  1.0 s, done   0.0 s before the end"
    )
    assert lines[3] == (
        "  cpu-2: ready at  11.0 s, tests    6.0 s, between tests  0.0 s, done   4.0 s before the end"
    )
    assert len([line for line in lines if line.startswith("  cpu-")]) == 2
