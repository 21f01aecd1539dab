"""The audit log: one JSON line per call with who, what, which rules decided, the outcome.

Records carry ids, rule names, counts and numbers — never message text, keys or PII.

`later`: a record (and whatever builds it: metrics) written once the current task step
ends — after an MCP `tools/call`'s response is sent — instead of before it (~75 K
instructions per call off the response path). Nothing is lost or reordered: every record
is written in the order it was handed in (a `write` first writes the ones waiting), and
`flush`/`close` write those still waiting (the app's shutdown closes the log).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import IO, Protocol

import orjson

from keepgate.jsontypes import JsonObject

log = logging.getLogger("keepgate.audit")


def _line(record: JsonObject) -> bytes:
    """One JSON line (newline included); a record orjson refuses (an integer past 64 bits,
    a lone surrogate, nesting past 254 levels: values an upstream or an MCP server chose)
    through the standard library's encoder, which writes all three (ASCII escapes,
    `default=str`)."""
    try:
        return orjson.dumps(
            record, default=str, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_APPEND_NEWLINE
        )
    except (orjson.JSONEncodeError, RecursionError):
        return json.dumps(record, default=str, ensure_ascii=True).encode() + b"\n"


class AuditSink(Protocol):
    """Somewhere else each audit record goes (a Redis stream, the UI's live view)."""

    def write(self, record: JsonObject) -> None: ...


class AuditLog:
    def __init__(self, target: str | None) -> None:
        self._lock = threading.Lock()
        self._own = False
        self._fh: IO[str] | None = None
        #: A file is appended to with one write() per record on an O_APPEND descriptor, so
        #: the workers of `keepgate serve --workers N` sharing it never interleave lines.
        self._fd: int | None = None
        if target == "-":
            self._fh = sys.stdout
        elif target is not None:
            self._fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
            self._own = True
        #: Extra sinks each record is written to too (a Redis stream, the UI's live view).
        self.sinks: list[AuditSink] = []
        #: Builders of records handed to `later`, in order; `flush` writes them.
        self._later: deque[Callable[[], JsonObject]] = deque()
        self._flushing = threading.RLock()

    def later(self, build: Callable[[], JsonObject]) -> None:
        """Write the record `build()` returns once the running task's step ends (right
        away without a running event loop). `build` runs then too, so it reads the call as
        it is then: hand it a call nothing changes any more."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None:
            self.write(build())
            return
        self._later.append(build)
        if len(self._later) == 1:
            loop.call_soon(self.flush)

    def flush(self) -> None:
        """Write every record waiting for `later`, in order."""
        with self._flushing:
            while self._later:
                build = self._later.popleft()
                try:
                    record = build()
                except Exception:
                    log.exception("audit: a deferred record could not be built")
                    continue
                try:
                    self._write(record)
                except Exception:  # one record must not stall the rest
                    # raised out of the loop's callback, the records after it stayed
                    # queued and no flush was scheduled again: audit stopped (red team 8)
                    log.exception("audit: a deferred record could not be written")

    def write(self, record: JsonObject) -> None:
        if self._later:  # the records handed in before this one go first
            self.flush()
        self._write(record)

    def _write(self, record: JsonObject) -> None:
        record.setdefault("ts", time.time())
        if self._fd is not None:
            line = _line(record)
            with self._lock:
                os.write(self._fd, line)
        elif self._fh is not None:
            text = _line(record)[:-1].decode()
            with self._lock:
                self._fh.write(text + "\n")
                self._fh.flush()
        for sink in self.sinks:
            try:
                sink.write(record)
            except Exception:  # noqa: BLE001 - a sink must never break a request
                pass

    def close(self) -> None:
        self.flush()
        if self._own and self._fd is not None:
            os.close(self._fd)
            self._fd = None
