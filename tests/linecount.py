"""Count the Python lines executed in given files while a block runs: a measure of work
that does not move with the machine's load, for tests that show work grows linearly."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any


@contextmanager
def lines_run_in(files: tuple[str, ...]) -> Iterator[list[int]]:
    """Yields a one-item list whose item is the count so far (path suffixes in `files`)."""
    count = [0]

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            count[0] += 1
        return local

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        if frame.f_code.co_filename.replace("\\", "/").endswith(files):
            return local
        return None

    sys.settrace(tracer)
    try:
        yield count
    finally:
        sys.settrace(None)
