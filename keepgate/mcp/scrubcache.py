"""Scrubbed texts of recent tool results, so the same result is not scrubbed twice.

Why: agents re-read the same file, poll the same status, list the same directory; each
result then costs the PII scrub again (pattern recognisers and the NER tagger, about a
millisecond on a few hundred characters of prose, most of the guards' time on an MCP
call). A scrub is a pure function of the scrubber (its settings, operators and salt) and
the text, so a remembered answer is exactly the answer the scrubber would give.

Keys: the scrubber object itself (each role/key override with different PII settings has
its own, so one never gets another's redaction), the caller's key id and MCP session (a
hit is never shared across keys or sessions, so nothing is learnt from another caller's
results, not even by timing), the kind of text (a text block, or `structuredContent`
scrubbed as JSON values), and a BLAKE2b digest of the text: raw text is never kept, only
what the client was sent anyway. Entries are bounded in number and in size; a scrub that
raises is not remembered (the caller fails closed as before). Thread-safe: long results
are scrubbed in a worker thread.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from keepgate.pipeline.capabilities import TextScrubber
from keepgate.pipeline.digests import text_digest

#: Texts longer than this are scrubbed every time (memory: entries x this, at worst).
MAX_CHARS = 16_000
SIZE = 1024

#: (scrubber, key id, session, kind, digest)
Key = tuple[object, str, str, str, bytes]


class ScrubCache:
    def __init__(self, size: int = SIZE, max_chars: int = MAX_CHARS) -> None:
        self.size = size
        self.max_chars = max_chars
        #: key -> (scrubbed text, or None when unchanged; entity type -> count)
        self._entries: OrderedDict[Key, tuple[str | None, dict[str, int]]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def scrub(
        self, scrubber: TextScrubber, key_id: str, session: str, text: str
    ) -> tuple[str, dict[str, int]]:
        """`scrubber.scrub(text)`, remembered per caller and session."""
        return self._get(scrubber.scrub, scrubber, key_id, session, "text", text)

    def scrub_arguments(
        self, scrubber: TextScrubber, key_id: str, session: str, raw: str
    ) -> tuple[str, dict[str, int]]:
        """`scrubber.scrub_arguments(raw)` (JSON values), remembered per caller and session."""
        return self._get(scrubber.scrub_arguments, scrubber, key_id, session, "json", raw)

    def _get(
        self,
        fn: Callable[[str], tuple[str, dict[str, int]]],
        scrubber: TextScrubber,
        key_id: str,
        session: str,
        kind: str,
        text: str,
    ) -> tuple[str, dict[str, int]]:
        if len(text) > self.max_chars:
            return fn(text)
        digest = text_digest(text)
        key: Key = (scrubber, key_id, session, kind, digest)
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None:
                self._entries.move_to_end(key)
                self.hits += 1
        if hit is not None:
            out, counts = hit
            # Unchanged text comes back as the caller's own object, as the scrubber returns it.
            return (text if out is None else out), dict(counts)
        scrubbed, counts = fn(text)  # raises: nothing remembered
        with self._lock:
            self.misses += 1
            self._entries[key] = (None if scrubbed is text else scrubbed, dict(counts))
            if len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return scrubbed, counts

    def __len__(self) -> int:
        return len(self._entries)
