"""A JSON text that stands for exactly one value: the key of caches over JSON values.

Why: `json.dumps` is the text the policy engine parses, but it costs ~50x orjson's on the
hot path. orjson's text is used when it reads back equal to the value: it writes NaN and
the infinities as null and some non-JSON types (dataclasses, dates, enums) natively, and
none of those reads back equal, so a text that does parses to exactly the value's JSON
values, as `json.dumps`'s own text of it would. Anything else gets `json.dumps`'s text
(`default=str`, as the engine's input is written); raises where that raises.
"""

from __future__ import annotations

import hashlib
import json

import orjson

_ENCODER = json.JSONEncoder(separators=(",", ":"), default=str)
#: `json.dumps(value, ensure_ascii=False)` builds this encoder on every call.
_UNICODE = json.JSONEncoder(ensure_ascii=False)


def dumps_unicode(value: object) -> str:
    """`json.dumps(value, ensure_ascii=False)`, the same text, without making an encoder
    per call (several per MCP call: the recorded arguments, a result's parts)."""
    return _UNICODE.encode(value)


def exact_json(value: object) -> bytes:
    try:
        raw = orjson.dumps(value)
        if orjson.loads(raw) == value:
            return raw
    except (TypeError, ValueError):  # non-str keys, big ints, lone surrogates...
        pass
    return _ENCODER.encode(value).encode("utf-8", "surrogatepass")


def json_digest(value: object) -> bytes:
    """BLAKE2b-128 of `exact_json(value)`."""
    return hashlib.blake2b(exact_json(value), digest_size=16).digest()
