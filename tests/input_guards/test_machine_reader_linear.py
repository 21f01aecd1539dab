"""The machine-reader carriers cost work linear in the text (review of round 10).

`directive.machine_segments` looked for the segments a carrier touches by scanning every
segment to the end of the text per carrier span (480 KB of HTML comments: 10 s of CPU),
and `machine.spans` tested each marker against every code fence. Both are counted in
Python lines run (`tests.linecount`), not timed: doubling the text must about double the
work (quadratic work would quadruple it).
"""

from __future__ import annotations

from keepgate.input_guards import directive, instructions, machine
from tests.linecount import lines_run_in

WATCHED = ("input_guards/directive.py", "input_guards/machine.py")


def _segments_work(doc: str) -> int:
    data = doc.encode()
    bounds = instructions.byte_spans(data)
    with lines_run_in(WATCHED) as count:
        forced, _ = directive.machine_segments(data, bounds)
    assert forced  # the carriers were read
    return count[0]


def _spans_work(doc: str) -> int:
    with lines_run_in(WATCHED) as count:
        found = machine.spans(doc.encode())
    assert found["turn"]  # markers outside the fences were kept
    return count[0]


def test_machine_segments_work_grows_linearly() -> None:
    unit = "<!-- a comment here -->\n"
    small, big = _segments_work(unit * 1000), _segments_work(unit * 2000)
    assert big < 2.5 * small, (small, big)


def test_machine_spans_fence_filter_grows_linearly() -> None:
    unit = "```\n```\n<|im_start|>\n"
    small, big = _spans_work(unit * 1000), _spans_work(unit * 2000)
    assert big < 2.5 * small, (small, big)


def test_fence_filter_keeps_markers_outside_fences_only() -> None:
    doc = b"<|im_start|>\n```\n<|im_start|>\n```\nx\n```\n```\n<|im_start|>"
    turns = machine.spans(doc)["turn"]
    assert [a for a, _ in turns] == [0, len(doc) - len(b"<|im_start|>")]
