"""Remembered decisions of the embedded engine, keyed by what the policy can read.

Why: evaluating the shipped policy is the largest single cost of a guarded MCP
`tools/call` (about 0.5 ms of the interpreter's work per call, more with its input's
parsing), and agents repeat calls — polling a status, re-reading a file, listing the same
directory. A decision is a pure function of the policy, its data and the parts of the
input the policy can read (`keepgate.policy.reads`), so a repeated call whose readable
parts are identical gets the very decision the engine gave.

Keys: a JSON text of those parts (its BLAKE2b-128 past `RAW_KEY_BYTES`) (`keepgate.pipeline.jsontext`: one that parses
to exactly those values, so two inputs share a key only if the engine would parse the
same values there) — plus the caller's key id and session, so a hit is never shared
across keys or sessions (nothing is learnt from another caller's calls, not even by
timing). One cache per loaded bundle: a reload starts an empty one. Failed evaluations
are never remembered. A hit with rewritten arguments returns its own copy (a caller may
change them); any other hit is the remembered (frozen) decision itself, whose reason
lists nobody changes (copying it was ~5 K instructions per hit). Bounded, LRU,
thread-safe.

A short text is its own key: digesting it cost about as much as writing it (~15 K
instructions for the ~800 bytes of an MCP call's readable parts), and two texts then
share a key exactly when they are equal. Digests are 16 bytes and no text kept raw is
that short, so the two kinds never meet. At most `SIZE` × `RAW_KEY_BYTES` (4 MiB) of key
text per cache.
"""

from __future__ import annotations

import copy
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from keepgate.pipeline.jsontext import exact_json
from keepgate.policy.decision import PolicyDecision
from keepgate.policy.reads import InputReads

SIZE = 4096
#: Key texts up to this long are kept as they are (`DecisionCache.key`).
RAW_KEY_BYTES = 1024


class DecisionCache:
    def __init__(self, reads: InputReads, size: int = SIZE) -> None:
        self.reads = reads
        self.size = size
        self._entries: OrderedDict[bytes, PolicyDecision] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def key(self, doc: Mapping[str, Any]) -> bytes | None:
        """The key of an input, or None when it cannot be keyed (it is then evaluated)."""
        principal = doc.get("principal")
        metadata = doc.get("metadata")
        who = [
            principal.get("key_id") if isinstance(principal, Mapping) else None,
            metadata.get("session_id") if isinstance(metadata, Mapping) else None,
        ]
        try:
            text = exact_json([who, self.reads.project(doc)])
        except (TypeError, ValueError, RecursionError):
            return None
        if 16 < len(text) <= RAW_KEY_BYTES:
            return text
        return hashlib.blake2b(text, digest_size=16).digest()

    def get(self, key: bytes) -> PolicyDecision | None:
        with self._lock:
            hit = self._entries.get(key)
            if hit is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
        # A decision is frozen and nobody changes its lists: only rewritten arguments
        # (which callers pass on as the call's arguments) get a copy per hit.
        return hit if hit.rewritten_arguments is None else _copy(hit)

    def put(self, key: bytes, decision: PolicyDecision) -> None:
        if decision.error is not None:
            return
        kept = _copy(decision)
        with self._lock:
            self._entries[key] = kept
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


def _copy(d: PolicyDecision) -> PolicyDecision:
    return PolicyDecision(
        allow=d.allow,
        deny=list(d.deny),
        require_approval=d.require_approval,
        rewritten_arguments=(
            None if d.rewritten_arguments is None else copy.deepcopy(d.rewritten_arguments)
        ),
        policy=d.policy,
        approval=list(d.approval),
        error=d.error,
    )
