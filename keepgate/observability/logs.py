"""Structured JSON logs. A filter masks anything shaped like a key before it is written."""

from __future__ import annotations

import json
import logging
import re
import time

#: Bearer tokens, sk-... keys and long opaque tokens never reach a log line.
SECRET_RE = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._\-]+|\bsk-[A-Za-z0-9_\-]{8,}")


def mask_secrets(text: str) -> str:
    return SECRET_RE.sub(lambda m: (m.group(1) or "") + "[REDACTED]", text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": round(time.time(), 3),
            "level": record.levelname,
            "logger": record.name,
            "msg": mask_secrets(record.getMessage()),
        }
        for field in ("request_id", "key_id", "route", "model"):
            if hasattr(record, field):
                out[field] = getattr(record, field)
        if record.exc_info:
            out["exc"] = mask_secrets(self.formatException(record.exc_info))
        return json.dumps(out, default=str)


def setup_logging(level: str = "INFO") -> None:
    root = logging.getLogger("keepgate")
    if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
    root.setLevel(level.upper())
    root.propagate = False
