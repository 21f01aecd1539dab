"""The audit log: one JSON line per call with who, what, which rules decided, the outcome.

Records carry ids, rule names, counts and numbers — never message text, keys or PII.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import IO, Any

import orjson


class AuditLog:
    def __init__(self, target: str | None) -> None:
        self._lock = threading.Lock()
        self._own = False
        self._fh: IO[str] | None
        if target is None:
            self._fh = None
        elif target == "-":
            self._fh = sys.stdout
        else:
            self._fh = open(target, "a", encoding="utf-8", buffering=1)  # noqa: SIM115
            self._own = True
        self.sinks: list[Any] = []  # extra sinks with .write(record) (e.g. a Redis stream, the UI)

    def write(self, record: dict[str, Any]) -> None:
        record.setdefault("ts", time.time())
        if self._fh is not None:
            line = orjson.dumps(record, default=str, option=orjson.OPT_NON_STR_KEYS).decode()
            with self._lock:
                self._fh.write(line + "\n")
                if not self._own:
                    self._fh.flush()
        for sink in self.sinks:
            try:
                sink.write(record)
            except Exception:  # noqa: BLE001 - a sink must never break a request
                pass

    def close(self) -> None:
        if self._own and self._fh:
            self._fh.close()
