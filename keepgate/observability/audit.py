"""The audit log: one JSON line per call with who, what, which rules decided, the outcome.

Records carry ids, rule names, counts and numbers — never message text, keys or PII.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import IO, Protocol

import orjson

from keepgate.jsontypes import JsonObject


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

    def write(self, record: JsonObject) -> None:
        record.setdefault("ts", time.time())
        if self._fd is not None:
            line = orjson.dumps(
                record, default=str, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_APPEND_NEWLINE
            )
            with self._lock:
                os.write(self._fd, line)
        elif self._fh is not None:
            text = orjson.dumps(record, default=str, option=orjson.OPT_NON_STR_KEYS).decode()
            with self._lock:
                self._fh.write(text + "\n")
                self._fh.flush()
        for sink in self.sinks:
            try:
                sink.write(record)
            except Exception:  # noqa: BLE001 - a sink must never break a request
                pass

    def close(self) -> None:
        if self._own and self._fd is not None:
            os.close(self._fd)
            self._fd = None
