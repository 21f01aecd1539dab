"""The cache key of a text: one definition, so every cache keys text the same way.

BLAKE2b-128 of the UTF-8 bytes with `surrogatepass` (a lone surrogate from a JSON escape
must key, not raise); the raw text is never kept as a key.
"""

from __future__ import annotations

import hashlib


def text_digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
