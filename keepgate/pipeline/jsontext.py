"""A JSON text that stands for exactly one value: the key of caches over JSON values.

Why: `json.dumps` is the text the policy engine parses, but it costs ~50x orjson's on the
hot path. orjson's text is used when it reads back equal to the value: it writes NaN and
the infinities as null and some non-JSON types (dataclasses, dates, enums) natively, and
none of those reads back equal, so a text that does parses to exactly the value's JSON
values, as `json.dumps`'s own text of it would. Anything else gets `json.dumps`'s text
(`default=str`, as the engine's input is written); raises where that raises.

The read-back (orjson's `loads` and a deep `==`, ~55 K instructions for the ~850 bytes of
an MCP call's decision key) is skipped for a value `marshal` (format 2) accepts whose
floats are all finite: marshal refuses every type but exact None, bool, int, float,
complex, str, bytes-like, tuple, list, dict, set and frozenset (no subclass, no Enum
member, Fragment, UUID, date or mapping proxy), orjson refuses the complex numbers,
bytes, sets, non-str keys, lone surrogates and ints past 64 bits among those (so they
still get `json.dumps`'s text), and writes the rest as the values themselves — except
NaN and the infinities (written `null`), which the scan of marshal's binary floats finds,
and tuples, written as the arrays `json.dumps` writes for them too (the same values for
the engine). In the gateway (the key's objects shared with the policy input) the key's
text took 67 K instructions with the read-back, 55 K with this check (`_plain`; format
2: the later formats keep a table of every object referenced twice, ~8 K more).
"""

from __future__ import annotations

import hashlib
import json
import marshal
import math
import struct

import orjson

_ENCODER = json.JSONEncoder(separators=(",", ":"), default=str)
#: `json.dumps(value, ensure_ascii=False)` builds this encoder on every call.
_UNICODE = json.JSONEncoder(ensure_ascii=False)


def dumps_unicode(value: object) -> str:
    """`json.dumps(value, ensure_ascii=False)`, the same text, without making an encoder
    per call (several per MCP call: the recorded arguments, a result's parts)."""
    return _UNICODE.encode(value)


#: marshal's binary float (`TYPE_BINARY_FLOAT`; format 2 writes no reference flags).
_FLOAT_CODES = (b"g",)
_DOUBLE = struct.Struct("<d")


def _plain(value: object) -> bool:
    """Whether `value` is built only of the exact types marshal writes, with finite floats
    (then orjson's text of it, when orjson writes one, reads back as it: see the module
    docstring). A byte that only looks like a float's code (inside a string, a length)
    at worst sends the value the read-back's way."""
    try:
        buf = marshal.dumps(value, 2)  # type: ignore[arg-type]  # refuses what it cannot write
    except ValueError:  # another type or a subclass; too deep
        return False
    for code in _FLOAT_CODES:
        i = buf.find(code)
        while i >= 0:
            if i + 9 > len(buf) or not math.isfinite(_DOUBLE.unpack_from(buf, i + 1)[0]):
                return False
            i = buf.find(code, i + 1)
    return True


def exact_json(value: object) -> bytes:
    try:
        raw = orjson.dumps(value)
        if _plain(value) or orjson.loads(raw) == value:
            return raw
    except (TypeError, ValueError):  # non-str keys, big ints, lone surrogates...
        pass
    return _ENCODER.encode(value).encode("utf-8", "surrogatepass")


def json_digest(value: object) -> bytes:
    """BLAKE2b-128 of `exact_json(value)`."""
    return hashlib.blake2b(exact_json(value), digest_size=16).digest()
