"""Hypothesis strategies for hostile JSON: wrong types, nulls, deep nesting, huge numbers,
unicode junk, duplicate keys, bodies that are not JSON objects, and near-valid mutations of a
valid body (one field swapped for junk, dropped, or a junk field added).

The request strategies in `routes.py` mix these with valid bodies, so a run exercises both
the validation seam and the code behind it.
"""

from __future__ import annotations

from typing import Any

import sys

import orjson
from hypothesis import strategies as st

#: json.dumps of the deepest values (orjson stops writing at 254 levels) recurses per level.
sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))

#: Text that tends to break things: controls, surrogate-adjacent planes, RTL, zero-width,
#: combining marks, NUL, very long runs.
WEIRD_TEXT = st.one_of(
    st.text(max_size=40),
    # No `codec="utf-8"`: these categories hold no surrogate (Cs) for it to exclude, and
    # with a codec Hypothesis encodes every code point to map it (~2 s of CPU wherever its
    # .hypothesis/unicode_data cache is not yet written: a fresh clone, every CI run).
    st.text(alphabet=st.characters(categories=("Cc", "Cf", "Mn", "Zs", "Co")), max_size=40),
    st.sampled_from(
        [
            "\x00",
            "\u202e",
            "\ufeff",
            "\u200b" * 50,
            "🧨" * 20,
            "a\u0301" * 30,
            "\U0010fffd",
            "null",
            "true",
            "[]",
            "{}",
            "-1",
            "NaN",
            "1e999",
            " ",
            "user",
            "assistant",
            "tool",
            "function",
            "auto",
            "none",
        ]
    ),
)

#: Numbers around the edges: negatives, zero, huge (beyond int64 and float), floats.
NUMBERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 1, 2**31, 2**63, -(2**63) - 1, 2**64, 10**30]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.5, -0.0, 1e308, -1e308, 5e-324, 1.5]),
)

SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, WEIRD_TEXT)

#: Any JSON value, a few levels deep.
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(WEIRD_TEXT, inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def deep(draw: st.DrawFn, lo: int = 255, hi: int = 1023) -> Any:
    """A value nested `lo`..`hi` levels deep (orjson reads up to 1,024, writes only 254)."""
    depth = draw(st.integers(min_value=lo, max_value=hi))
    leaf: Any = draw(SCALARS)
    as_list = draw(st.booleans())
    for _ in range(depth):
        leaf = [leaf] if as_list else {"a": leaf}
    return leaf


JUNK = st.one_of(JSON, JSON, JSON, deep())


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a JSON value (capped so a deep value does not explode the list)."""
    out = [prefix]
    if len(prefix) > 6:
        return out
    if isinstance(value, dict):
        for k, v in value.items():
            out.extend(paths(v, prefix + (k,)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.extend(paths(v, prefix + (i,)))
    return out


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replace(value[head], rest, new)}
    copy = list(value)
    copy[head] = _replace(copy[head], rest, new)
    return copy


def _drop(value: Any, path: tuple[Any, ...]) -> Any:
    head, rest = path[0], path[1:]
    if rest:
        if isinstance(value, dict):
            return {**value, head: _drop(value[head], rest)}
        copy = list(value)
        copy[head] = _drop(copy[head], rest)
        return copy
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k != head}
    return [v for i, v in enumerate(value) if i != head]


@st.composite
def mutated(draw: st.DrawFn, valid: st.SearchStrategy[Any]) -> Any:
    """A valid value with 1-3 mutations: a node swapped for junk, a key dropped, a junk
    key added to an object."""
    value = draw(valid)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        ps = paths(value)
        path = draw(st.sampled_from(ps))
        kind = draw(st.sampled_from(["replace", "replace", "drop", "add"]))
        if kind == "drop" and path:
            value = _drop(value, path)
        elif kind == "add":
            objs = [p for p in ps if isinstance(_get(value, p), dict)]
            if objs:
                where = draw(st.sampled_from(objs))
                key = draw(
                    st.one_of(
                        WEIRD_TEXT,
                        st.sampled_from(
                            [
                                "stream",
                                "stream_options",
                                "tools",
                                "tool_calls",
                                "function",
                                "usage",
                                "input",
                                "messages",
                                "model",
                                "content",
                                "role",
                                "fake",
                                "keepgate",
                            ]
                        ),
                    )
                )
                obj = _get(value, where)
                value = _replace(value, where, {**obj, key: draw(JUNK)})
        else:
            value = _replace(value, path, draw(JUNK))
    return value


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        value = value[p]
    return value


def dump(value: Any) -> bytes:
    """JSON bytes for any value, including ones nested deeper than orjson writes."""
    try:
        return orjson.dumps(value)
    except (TypeError, orjson.JSONEncodeError):
        import json

        return json.dumps(value).encode()


@st.composite
def raw_body(draw: st.DrawFn, valid: st.SearchStrategy[Any]) -> bytes:
    """Bytes that are not a plain JSON object: non-object JSON, broken JSON, duplicate keys,
    invalid UTF-8, an object with a deep value at the top."""
    kind = draw(
        st.sampled_from(["scalar", "array", "broken", "dupe", "bytes", "empty", "deep", "bigint"])
    )
    if kind == "scalar":
        return dump(draw(SCALARS))
    if kind == "array":
        return dump([draw(valid)])
    if kind == "broken":
        text = dump(draw(valid))
        cut = draw(st.integers(min_value=0, max_value=max(len(text) - 1, 0)))
        return text[:cut] + draw(st.sampled_from([b"", b"}", b",", b"\xff", b"'", b"NaN"]))
    if kind == "dupe":
        # The same key twice: JSON parsers keep the last one, so the first can smuggle a
        # value past a check that reads a different parser's answer.
        text = dump(draw(valid))
        if text.startswith(b"{") and len(text) > 2:
            key = draw(st.sampled_from([b"model", b"messages", b"input", b"stream", b"task"]))
            return b'{"' + key + b'": ' + dump(draw(JUNK)) + b", " + text[1:]
        return text
    if kind == "bytes":
        return draw(st.binary(max_size=64))
    if kind == "empty":
        return b""
    if kind == "bigint":
        return b'{"model": 1' + b"0" * draw(st.integers(min_value=20, max_value=5000)) + b"}"
    return dump({"model": "demo", "x": draw(deep())})
