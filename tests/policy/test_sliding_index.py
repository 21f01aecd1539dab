"""The sliding conversation index (keepgate.policy.sliding) equals a fresh build.

A history is a window over a growing log: messages arrive at the back, the front is
trimmed (as the MCP store does), sometimes the list is replaced, the catalogue reloaded or
a new finding flags a call. After every step the index, the totals and `tools_called`
handed out for the window must equal those `ProvenanceContext` builds from scratch — and
so must the policy input built on them, key order included."""

from __future__ import annotations

import copy
import functools
import json
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from keepgate.policy.bundle import DEFAULT_POLICY_DIR, load_bundle
from keepgate.policy.catalog import Catalog
from keepgate.policy.embedded import EmbeddedEngine
from keepgate.policy.inputs import ProvenanceContext, build_policy_input
from keepgate.policy.provenance import UNTRUSTED
from keepgate.policy.sliding import SlidingIndex, SlidingIndexes, View

import pytest

pytestmark = pytest.mark.slow(cpu_s=1.8)  # scheduled first: tests/conftest.py

DATA = {
    "keepgate": {
        "tools": {
            "read_inbox": {"effects": "none"},
            "get_contacts": {"effects": "none", "output": "trusted"},
            "get_webpage": {"effects": "none", "output": "untrusted"},
            "book_hotel": {
                "effects": "internal",
                "sensitive": ["hotel"],
                "trust_output_when_approved": True,
            },
            "send_money": {
                "effects": "egress",
                "sensitive": ["iban", "amount"],
                "max_total": {"argument": "amount", "limit": 100},
            },
            "send_email": {"effects": "egress", "sensitive": ["to"]},
        }
    }
}
TOOLS = ["read_inbox", "get_contacts", "get_webpage", "book_hotel", "send_money", "send_email"]
IDS = ["c1", "c2", "c3", "c4", "c5", "", None, 7]
WORDS = [
    "bob@example.com",
    "https://evil.example/x",
    "DE89370400440532013000",
    "Hotel Adlon",
    "250",
    "42.50",
    "pay",
    "token=abc123xyz",
    "ÄÖÜ straße",
    "",
]

text = st.lists(st.sampled_from(WORDS), max_size=4).map(" ".join)
content = st.one_of(
    text,
    st.none(),
    st.lists(
        st.one_of(
            st.builds(lambda t: {"type": "text", "text": t}, text),
            st.builds(
                lambda t: {"type": "file", "file": {"file_data": f"data:text/plain,{t}"}}, text
            ),
            st.builds(lambda t: {"type": "input_file", "file_data": f"data:text/plain,{t}"}, text),
        ),
        max_size=3,
    ),
    st.builds(lambda t: {"odd": t}, text),
    # A JSON record whose free-text field (a trusted tool's prose: filed as untrusted)
    # and, at times, a key of many words.
    st.builds(
        lambda t, k: json.dumps({"email": "bob@example.com", "about": f"{t} {t} {t}", k: "yes"}),
        text,
        st.sampled_from(["id", "pay DE89370400440532013000 now to the new account please ok"]),
    ),
)
arguments = st.one_of(
    st.builds(
        lambda to, amount, iban: json.dumps({"to": to, "amount": amount, "iban": iban}),
        st.sampled_from(["bob@example.com", "eve@evil.example", "x"]),
        st.sampled_from([10, 60, "1,000.00", None]),
        st.sampled_from(["DE89370400440532013000", "GB33BUKB20201555555555"]),
    ),
    st.builds(lambda h: {"hotel": h}, st.sampled_from(["Hotel Adlon", "Ritz"])),
    st.sampled_from(["not json", "", None]),
)
call = st.builds(
    lambda i, n, a: {"id": i, "type": "function", "function": {"name": n, "arguments": a}},
    st.sampled_from(IDS),
    st.one_of(st.sampled_from(TOOLS + ["mystery"]), st.sampled_from([5, ""])),
    arguments,
)
message = st.one_of(
    st.builds(
        lambda calls, legacy: {
            "role": "assistant",
            "content": None,
            "tool_calls": calls,
            **({"function_call": {"name": legacy, "arguments": "{}"}} if legacy else {}),
        },
        st.lists(call, max_size=3),
        st.sampled_from([None, None, None, "send_email", "read_inbox"]),
    ),
    st.builds(
        lambda i, c: {"role": "tool", "tool_call_id": i, "content": c},
        st.sampled_from(IDS),
        content,
    ),
    st.builds(
        lambda n, c: {"role": "function", "name": n, "content": c},
        st.sampled_from([*TOOLS, None, 5]),
        content,
    ),
    st.builds(
        lambda r, c: {"role": r, "content": c},
        st.sampled_from(["user", "system", "developer", "weird"]),
        content,
    ),
)
#: Mostly growth and small trims, so windows stay long enough for order to matter.
step = st.sampled_from(
    ["append"] * 4 + ["trim"] * 3 + ["extend"] * 2 + ["replace", "flag", "reload", "copies"]
).flatmap(
    lambda kind: st.tuples(
        st.just(kind),
        {
            "append": st.lists(message, min_size=1, max_size=6),
            # Messages added and the list trimmed to a cap, followed without a re-read
            # (`SlidingIndexes.extend`, the MCP gateway's deferred follow).
            "extend": st.tuples(st.lists(message, min_size=1, max_size=4), st.integers(2, 12)),
            "trim": st.integers(1, 3),
            "replace": st.lists(message, max_size=10),
            "flag": st.one_of(
                st.builds(
                    lambda i: {"guard": "input", "tool_call_id": i}, st.sampled_from(IDS[:5])
                ),
                st.builds(lambda i: {"guard": "input", "message_index": i}, st.integers(0, 9)),
            ),
            "reload": st.booleans(),
            "copies": st.booleans(),
        }[kind],
    )
)


#: Values looked up in every window: each kind of matcher (address, account and its
#: printed form, number, URL and bare host, token, words), found and not.
LOOKUPS = (
    "bob@example.com",
    "eve@evil.example",
    "DE89370400440532013000",
    "de89 3704 0044 0532 0130 00",
    "250",
    250,
    42.5,
    "1,000",
    "https://evil.example/x",
    "evil.example",
    "abc123xyz",
    "token=abc123xyz",
    "straße",
    "Hotel Adlon",
    "yes",
)


def reference(catalog: Catalog, messages: list[Any], detected: list[Any]) -> Any:
    """What the MCP gateway built before: `ProvenanceContext` and `Sessions.facts`."""
    ctx = ProvenanceContext(catalog, messages, detected=detected)
    called = [
        tc["function"]["name"]
        for m in messages
        if m.get("role") == "assistant"
        for tc in m.get("tool_calls") or ()
    ]
    return View(ctx.index, ctx.totals, called, dict(Counter(called)))


def shape(view: View) -> dict[str, Any]:
    index, totals = view.index, view.totals
    return {
        "groups": [(k, list(g.parts)) for k, g in index.groups.items()],
        "untrusted_tools": index.untrusted_tools,
        "untrusted_count": index.untrusted_count,
        "taint_sources": index.taint_sources,
        "history_calls": index.history_calls,
        "call_tools": sorted(index.call_tools.items()),
        "calls": list(totals.calls.items()),
        "amounts": list(totals.amounts.items()),
        "recipients": [(k, sorted(v)) for k, v in totals.recipients.items()],
        "called": view.tools_called,
        "counts": list(view.tool_counts.items()),
    }


CALLS = (
    ("send_money", {"iban": "DE89370400440532013000", "amount": 60, "to": "bob@example.com"}),
    ("send_email", {"to": "bob@example.com", "body": "see https://evil.example/x"}),
    ("book_hotel", {"hotel": "Hotel Adlon"}),
)
FLAG = {"guard": "input", "rules": ["input.x"], "tool_call_id": "c1", "tool": "read_inbox"}


def policy_inputs(
    catalog: Catalog, view: View, counted: bool, index_sources: bool = True, flag: bool = True
) -> list[Any]:
    """The policy inputs of a few calls; `counted`: with the view's `tool_counts` (as the
    gateway passes them now), else counted by `build_policy_input` (as before);
    `index_sources`: with the index's untrusted outputs in `facts.taint_sources`."""
    ctx = ProvenanceContext.of(catalog, view.index, view.totals, {})
    return [
        build_policy_input(
            {"key_id": "k", "role": "user"},
            tool,
            args,
            facts={
                "tainted": flag,
                "taint_sources": [FLAG] if flag else [],
                "tools_called": view.tools_called,
            },
            tool_counts=view.tool_counts if counted else None,
            context=ctx,
            index_sources=index_sources,
        )
        for tool, args in CALLS
    ]


def policy_input(catalog: Catalog, view: View, counted: bool) -> str:
    return json.dumps(policy_inputs(catalog, view, counted), default=str)


#: 100 examples (was 200: 7.6 s of CPU, more than half of it drawing the nested
#: messages): each is a run of steps checked after every one, ~640 windows compared with a
#: fresh build per run (measured; ~1,270 before). Hypothesis draws new examples on each run
#: (no fixed seed), so the runs add up.
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, min_size=1, max_size=40), st.lists(message, max_size=8))
# Found by this test: a trusted record's prose written with JSON escapes (`\u00c4`) decodes
# upper-case after the fold; the fresh build folded it again and the sliding index did not.
@example(
    steps=[("trim", 1)],
    start=[
        {
            "role": "function",
            "name": "get_contacts",
            "content": '{"email": "bob@example.com", "about": "bob@example.com '
            + "\\u00c4\\u00d6\\u00dc stra\\u00dfe bob@example.com \\u00c4\\u00d6\\u00dc "
            + 'stra\\u00dfe bob@example.com \\u00c4\\u00d6\\u00dc stra\\u00dfe", "id": "yes"}',
        }
    ],
)
def test_the_sliding_index_equals_a_fresh_build(steps: list[Any], start: list[Any]) -> None:
    catalog = Catalog(DATA)
    indexes = SlidingIndexes(4)
    window = list(start)
    detected: list[Any] = []
    copies = False
    late: tuple[View, list[Any], dict[str, Any]] | None = None
    for kind, arg in [("append", []), *steps]:
        if kind == "append":
            window = window + arg
        elif kind == "trim":
            window = window[arg:]
        elif kind == "extend":  # as the store keeps them: equal, not the same objects
            appended, cap = arg
            window = (window + appended)[-cap:]
            indexes.extend("s", catalog, copy.deepcopy(appended), cap)
        elif kind == "replace":
            window = list(arg)
        elif kind == "flag":
            detected = [*detected, arg]
        elif kind == "reload":
            catalog = Catalog(DATA if arg else None)
        else:
            copies = arg
        given_list = copy.deepcopy(window) if copies else list(window)
        got = indexes.view("s", catalog, given_list, copy.deepcopy(detected))
        if late is not None:  # written out only now, after this slide: as they were
            assert late[0].index.taint_sources == late[1]
            assert shape(late[0]) == late[2]  # a view held across a slide stays as it was
        want = reference(catalog, window, detected)
        assert shape(got) == shape(want)
        for value in LOOKUPS:  # on the distinct texts (`_Group.unique_text`) where it may
            assert got.index.locate(value) == want.index.locate(value), value
        docs = policy_inputs(catalog, got, True)
        assert json.dumps(docs, default=str) == policy_input(catalog, want, False)
        # Left out: the same document but for the index's part of `facts.taint_sources`.
        for short, full in zip(policy_inputs(catalog, got, True, index_sources=False), docs):
            sources = full["facts"]["taint_sources"]
            assert sources[1:] == want.index.taint_sources
            assert short["facts"]["taint_sources"] == sources[:1]
            short["facts"]["taint_sources"] = sources
            assert json.dumps(short, default=str) == json.dumps(full, default=str)
        # A second view of the same window, its taint sources not read until the next step.
        late = (
            indexes.view("s", catalog, given_list, copy.deepcopy(detected)),
            want.index.taint_sources,
            shape(want),
        )


@functools.cache
def shipped() -> EmbeddedEngine:
    return EmbeddedEngine(load_bundle([DEFAULT_POLICY_DIR]), cache_entries=0)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(message, max_size=24), st.booleans(), st.booleans())
def test_the_shipped_policy_decides_the_same_without_the_index_sources(
    messages: list[Any], ours: bool, flag: bool
) -> None:
    """What the MCP gateway leaves out for a policy that cannot read it changes no decision
    of the shipped policy (evaluated afresh, no cache), in its catalogue or the test's."""
    engine = shipped()
    assert not engine.may_read(("facts", "taint_sources"))
    catalog = Catalog(DATA) if ours else Catalog(engine.bundle.data)
    view = SlidingIndexes(1).view("s", catalog, messages)
    full = policy_inputs(catalog, view, True, flag=flag)
    short = policy_inputs(catalog, view, True, index_sources=False, flag=flag)
    assert not engine.may_read(("facts", "tools_called"))
    for a, b in zip(short, full):
        a["facts"]["tools_called"] = []  # nor the calls' list (`tool_counts` stays)
        assert engine.evaluate(a) == engine.evaluate(b)  # allow, deny and approval all occur


def test_a_slide_follows_instead_of_rebuilding() -> None:
    """The common case takes the incremental path (the property above covers both)."""
    catalog = Catalog(DATA)
    indexes = SlidingIndexes(4)
    log = []
    for i in range(60):
        log.append(
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": f"c{i}", "function": {"name": "get_webpage", "arguments": "{}"}}
                ],
            }
        )
        log.append({"role": "tool", "tool_call_id": f"c{i}", "content": f"page {i}"})
    for end in range(20, len(log) + 1):
        window = log[max(0, end - 9) : end]  # odd length: outputs lose their call in front
        got = indexes.view("s", catalog, window, [])
        assert shape(got) == shape(reference(catalog, window, []))
    assert indexes.builds == 1 and indexes.follows == len(log) - 20


def test_extend_follows_without_a_reread_and_a_message_it_missed_rebuilds() -> None:
    """The deferred follow extends by the call's own messages (copies: the store keeps its
    own); the next view only checks and takes the store's objects; a message another writer
    added in between does not continue the extended list, so that view builds afresh."""
    catalog = Catalog(DATA)
    indexes = SlidingIndexes(4)

    def call(i: int) -> list[Any]:
        return [
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": f"c{i}", "function": {"name": "get_webpage", "arguments": "{}"}}
                ],
            },
            {"role": "tool", "tool_call_id": f"c{i}", "content": f"page {i}"},
        ]

    window = call(0) + call(1)
    indexes.view("s", catalog, window, [])
    window = (window + call(2))[-5:]
    assert indexes.extend("s", catalog, copy.deepcopy(call(2)), 5)
    assert (indexes.builds, indexes.follows) == (1, 1)
    got = indexes.view("s", catalog, window, [])
    assert shape(got) == shape(reference(catalog, window, []))
    assert (indexes.builds, indexes.follows) == (1, 2)
    assert all(a is b for a, b in zip(indexes._states["s"].msgs, window))  # the store's
    missed = {"role": "user", "content": "a linked chat's prompt"}
    window = (window + [missed] + call(3))[-5:]
    assert indexes.extend("s", catalog, copy.deepcopy(call(3)), 5)
    got = indexes.view("s", catalog, window, [])
    assert indexes.builds == 2
    assert shape(got) == shape(reference(catalog, window, []))
    assert not indexes.extend("t", catalog, call(4), 5)  # nothing to extend: no state


def test_an_output_leaving_with_its_call_is_not_filed_again(monkeypatch: Any) -> None:
    """The gateway's steady state at the history cap: each call drops a call and its
    output from the front. The output is not filed again as `unknown` on its way out
    (one `_file` per output that arrives), and the index equals a fresh build at each
    step, also when slides of 1 and 3 leave an output without its call, and when a
    repeated call id names an output from further back."""
    catalog = Catalog(DATA)
    indexes = SlidingIndexes(4)
    filed = []
    original = SlidingIndex._file

    def counting(self: SlidingIndex, pos: int, out: Any, name: Any) -> None:
        filed.append(pos)
        original(self, pos, out, name)

    monkeypatch.setattr(SlidingIndex, "_file", counting)
    log = []
    for i in range(40):
        tcid = f"c{i % 7}" if i % 5 == 0 else f"c{i}"  # some ids come again
        log.append(
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": tcid, "function": {"name": "get_webpage", "arguments": "{}"}}
                ],
            }
        )
        log.append({"role": "tool", "tool_call_id": tcid, "content": f"page {i}"})
    start = 0
    for end in range(10, 40, 2):  # slide by two: a call and its output leave together
        window = log[start:end]
        got = indexes.view("s", catalog, window, [])
        assert shape(got) == shape(reference(catalog, window, []))
        start += 2
    assert indexes.builds == 1
    assert len(filed) == 40 // 2 - 1  # each output filed once, on arrival
    for step in (1, 3, 2, 1, 3):  # odd slides: an output stays without its call
        start += step
        window = log[start : start + 10]
        got = indexes.view("s", catalog, window, [])
        assert shape(got) == shape(reference(catalog, window, []))


def test_a_list_that_does_not_continue_the_last_one_is_not_followed() -> None:
    index = SlidingIndex(Catalog(DATA))
    a = {"role": "user", "content": "a"}
    b = {"role": "user", "content": "b"}
    c = {"role": "user", "content": "c"}
    assert index.update([a, b])
    assert not index.update([a, c])  # a was followed by b
    assert index.msgs == [a, b]
    assert index.update([b, a])  # a left the front and came again at the back
    assert index.msgs == [b, a]


def test_bounded_by_sessions_and_characters() -> None:
    catalog = Catalog(DATA)
    indexes = SlidingIndexes(2, max_chars=1000)
    for s in range(5):
        indexes.view(s, catalog, [{"role": "user", "content": "x" * 100}], [])
    assert len(indexes) == 2
    indexes.view("big", catalog, [{"role": "user", "content": "y" * 600}], [])
    assert "big" not in indexes._states  # larger than a quarter of the budget
    off = SlidingIndexes(0)
    off.view("s", catalog, [{"role": "user", "content": "x"}], [])
    assert len(off) == 0


def test_a_repeated_text_is_looked_up_once_per_distinct_text() -> None:
    """200 copies of one result (an agent re-reading a file): a lookup reads the distinct
    texts, and finds what a fresh build finds, also once the copies have slid out."""
    catalog = Catalog(DATA)
    indexes = SlidingIndexes(4)
    result = "q3 report: revenue grew 12% at /srv/data/report.txt; contact bob@example.com"
    log: list[Any] = [{"role": "user", "content": "read the report, then pay 250"}]
    for i in range(100):
        log += [
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": f"c{i}",
                        "type": "function",
                        "function": {"name": "read_inbox", "arguments": "{}"},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": f"c{i}", "content": result if i < 99 else "other"},
        ]
    for start in (0, 1, 150, 199):
        window = log[start:]
        got = indexes.view("s", catalog, window)
        want = reference(catalog, window, [])
        group = got.index.groups[(UNTRUSTED, "read_inbox")]
        if start < 199:  # copies of the result, then "other"
            assert group.distinct == [result, "other"]
            assert group.unique_text == result + "\nother"
        else:  # "other" alone: nothing repeats, the parts are read as they are
            assert group.distinct is None and group.unique_text == group.text == "other"
        for value in ("srv/data/report.txt", "bob@example.com", 250, 12, "other", "nowhere"):
            assert got.index.locate(value) == want.index.locate(value), (start, value)


def test_an_index_held_across_slides_keeps_its_call_ids() -> None:
    """The index hands out the live id -> tool map (`call_tools`) and copies it for each
    index still held when the history moves: a held one reads the ids of its window."""
    catalog = Catalog(DATA)
    state = SlidingIndex(catalog)

    def turn(i: int) -> list[Any]:
        call = {"id": f"c{i}", "type": "function", "function": {"name": TOOLS[i % 6]}}
        return [
            {"role": "assistant", "content": None, "tool_calls": [call]},
            {"role": "tool", "tool_call_id": f"c{i}", "content": "ok"},
        ]

    log = turn(0) + turn(1)
    assert state.update(log)
    held, twice = state.index(), state.index()
    assert held.call_tools is state._named  # shared while the history stays
    for i in range(2, 6):
        log = log[2:] + turn(i)
        assert state.update(log)
        assert held.call_tools == twice.call_tools == {"c0": TOOLS[0], "c1": TOOLS[1]}
        assert state.index().call_tools == {f"c{i - 1}": TOOLS[i - 1], f"c{i}": TOOLS[i % 6]}
    assert not state._handed[1:]  # one per index handed out since the last update
