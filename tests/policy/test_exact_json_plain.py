"""`exact_json`'s marshal check (`_plain`) against the read-back it skips.

The decision key's text is orjson's when it reads back equal to the value; for a value
`_plain` accepts, the read-back is not run. These tests keep the read-back-only function
as the reference: for every value, the two give the same text, or (tuples, which orjson
writes as arrays and the reference hands to `json.dumps`) texts that parse to the same
values the engine's own `json.dumps` text does.
"""

from __future__ import annotations

import enum
import json
import uuid

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keepgate.pipeline.jsontext import _ENCODER, _plain, exact_json


def reference(value: object) -> bytes:
    """`exact_json` as it was before `_plain`: orjson's text only when it reads back."""
    try:
        raw = orjson.dumps(value)
        if orjson.loads(raw) == value:
            return raw
    except (TypeError, ValueError):
        pass
    return _ENCODER.encode(value).encode("utf-8", "surrogatepass")


def engine(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), default=str)


class _Colour(enum.Enum):
    RED = "red"


class _Level(enum.IntEnum):
    ONE = 1


class _Str(str):
    pass


class _Float(float):
    pass


ODD = [
    float("nan"),
    float("inf"),
    -float("inf"),
    _Colour.RED,
    _Level.ONE,
    _Str("x"),
    _Float(1.5),
    uuid.UUID(int=1),
    orjson.Fragment(b"1"),
    b"x",
    {1, 2},
    2**70,
    "\ud800",
    1j,
]

VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=8),  # non-ASCII (bytes that look like marshal codes), surrogates
        st.sampled_from(ODD),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.one_of(st.text(max_size=3), st.integers(0, 3)), inner, max_size=4),
    ),
    max_leaves=14,
)


def _has_tuple(value: object) -> bool:
    if isinstance(value, tuple):
        return True
    if isinstance(value, list):
        return any(_has_tuple(v) for v in value)
    if isinstance(value, dict):
        return any(_has_tuple(v) for v in value.values())
    return False


@settings(max_examples=400, deadline=None)
@given(VALUES)
def test_the_same_text_as_the_read_back(value):
    new, old = exact_json(value), reference(value)
    if not _has_tuple(value):
        assert new == old
    else:  # both parse to the arrays the engine's own text holds
        assert json.loads(new) == json.loads(old) == json.loads(engine(value))


@pytest.mark.parametrize("odd", ODD, ids=[f"{type(v).__name__}{i}" for i, v in enumerate(ODD)])
def test_no_inexact_leaf_is_taken_as_plain(odd):
    """What `_plain` accepts is what orjson refuses (bytes, sets, big ints, complex, lone
    surrogates: `json.dumps` writes them) or writes as the value itself."""
    for wrap in (lambda v: v, lambda v: [1.5, v], lambda v: {"k": [None, v, "é"]}):
        value = wrap(odd)
        try:
            raw = orjson.dumps(value)
        except TypeError:
            raw = None
        assert not _plain(value) or raw is None or orjson.loads(raw) == value
        assert exact_json(value) == reference(value)


def test_plain_values_skip_the_read_back():
    key = [["k", "c:s"], [["value", {"path": "/srv/é.txt"}], ["value", [1, 2.5, True, None]]]]
    assert _plain(key)
    assert exact_json(key) == orjson.dumps(key)
    # a NaN, an infinity, a float subclass anywhere: the read-back decides (null != NaN)
    for odd in (float("nan"), float("inf"), _Float(2.0)):
        assert not _plain([key, {"x": [odd]}])
    assert exact_json([key, float("nan")]) != exact_json([key, None])
