"""`dumps_unicode` writes exactly `json.dumps(value, ensure_ascii=False)`'s text (the
session history's recorded arguments and a result's scanned parts depend on it)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from keepgate.pipeline.jsontext import dumps_unicode

values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()  # NaN and the infinities too
    | st.text(),  # non-ASCII, control characters, lone surrogates
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(values)
def test_the_same_text_as_json_dumps(value: Any) -> None:
    assert dumps_unicode(value) == json.dumps(value, ensure_ascii=False)


def test_the_same_errors_as_json_dumps() -> None:
    for bad in ({1j: 1}, {"x": object()}, [{1, 2}]):
        for dump in (dumps_unicode, lambda v: json.dumps(v, ensure_ascii=False)):
            try:
                dump(bad)
            except TypeError:
                continue
            raise AssertionError(f"{bad!r} was written")
    # a non-str key is written as json.dumps writes it
    assert dumps_unicode({1: "é", None: 2}) == json.dumps({1: "é", None: 2}, ensure_ascii=False)
