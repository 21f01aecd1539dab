"""The cache key of a text: one definition, so every cache keys text the same way.

BLAKE2b-128 of the UTF-8 bytes with `surrogatepass` (a lone surrogate from a JSON escape
must key, not raise); the raw text is never kept as a key.

The last text digested is remembered by identity: a tool result's text is keyed by the
input guard's scan cache and then by the scrub cache, the same string object both times,
so it is encoded and hashed once per call instead of twice (the string is held until the
next digest, so its identity cannot pass to another string meanwhile).
"""

from __future__ import annotations

import hashlib


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


#: (the last text, its digest); replaced whole, so a reader in another thread sees a pair
_last: tuple[str, bytes] = ("", _digest(""))


def text_digest(text: str) -> bytes:
    global _last
    last = _last
    if text is last[0]:
        return last[1]
    digest = _digest(text)
    _last = (text, digest)
    return digest
