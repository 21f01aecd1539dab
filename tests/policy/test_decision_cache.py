"""The embedded engine's decision cache: the same decision as a fresh evaluation for every
input, keyed only by what the policy can read (keepgate.policy.reads)."""

from __future__ import annotations

import asyncio
import copy
import datetime
import enum
import hashlib
import json
import uuid
from pathlib import Path
from types import MappingProxyType

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keepgate.policy.bundle import DEFAULT_POLICY_DIR, load_bundle
from keepgate.policy.decisions import RAW_KEY_BYTES
from keepgate.policy.embedded import EmbeddedEngine, compile_engine
from keepgate.pipeline.jsontext import exact_json
from keepgate.policy.reads import InputReads, _at, analyse
from tests.policy.test_policy_engines import _inputs

pytestmark = pytest.mark.slow(cpu_s=3.4)  # scheduled first: tests/conftest.py


def _fresh(inp: dict, n: int) -> dict:
    """The same call again, as a later call would carry it: new call and request ids."""
    out = copy.deepcopy(inp)
    out["tool"]["call_id"] = f"call_{n}_{uuid.uuid4().hex}"
    out["metadata"] = {**out.get("metadata", {}), "request_id": uuid.uuid4().hex}
    out["facts"]["taint_sources"] = [
        {"source": "untrusted_tool", "tool": "x", "tool_call_id": uuid.uuid4().hex}
    ] * (n % 3)
    out["facts"]["tools_called"] = ["x"] * n
    return out


def test_the_shipped_policy_reads_neither_ids_nor_history_lists():
    reads = analyse(compile_engine(load_bundle([DEFAULT_POLICY_DIR])))
    assert reads is not None
    read = set(reads.whole)
    assert ("tool", "name") in read and ("facts", "provenance") in read
    assert ("principal", "role") in read and ("facts", "tool_counts") in read
    for path in read:  # none of the per-call ids or the raw history lists
        assert path[:2] not in {
            ("tool", "call_id"),
            ("metadata", "request_id"),
            ("facts", "taint_sources"),
            ("facts", "tools_called"),
        }
        assert path and path[0] != "metadata"
    assert reads.keys == (("facts",),)  # taint.rego: `"detected" in object.keys(input.facts)`


def test_cached_decisions_equal_fresh_evaluations_for_every_shipped_case():
    bundle = load_bundle([DEFAULT_POLICY_DIR])
    cached = EmbeddedEngine(bundle)
    plain = EmbeddedEngine(bundle, cache_entries=0)
    assert cached.cache is not None and plain.cache is None
    inputs = _inputs()
    for round_ in range(3):  # the first round fills the cache, later ones hit it
        for inp in inputs:
            again = _fresh(inp, round_)
            assert cached.evaluate(again) == plain.evaluate(again), (inp["tool"], round_)
    assert cached.cache.hits >= 2 * len(inputs) - len(inputs) // 10
    outcomes = {plain.evaluate(i).outcome for i in inputs}
    assert outcomes == {"allow", "deny", "require_approval"}


def _policy(tmp_path: Path, body: str) -> Path:
    root = tmp_path / "p"
    root.mkdir(exist_ok=True)
    (root / "main.rego").write_text(
        "package toolcall.main\nimport rego.v1\n\n" + body + "\n", encoding="utf-8"
    )
    return root


def _input(call_id: str, key: str = "k", session: str = "s", **tool: object) -> dict:
    return {
        "principal": {"key_id": key, "role": "user", "team": None, "metadata": {}},
        "tool": {"name": "search", "arguments": {"q": "x"}, "call_id": call_id, **tool},
        "facts": {"tainted": False},
        "metadata": {"request_id": call_id, "session_id": session},
    }


@pytest.mark.parametrize(
    "bad",
    [
        # direct field access
        'bad if startswith(input.tool.call_id, "bad")',
        # through iteration over the tool object
        'bad if { some _, v in input.tool; v == "bad-1" }',
        # through object.get with a literal path
        'bad if object.get(input, ["metadata", "request_id"], "") == "bad-1"',
        # through a variable bound to a parent object
        'bad if { t := input.tool; t.call_id == "bad-1" }',
        # through a dynamic index
        'k := "call_id"\nbad if input.tool[k] == "bad-1"',
        # through a function argument
        'f(x) := x.call_id\nbad if f(input.tool) == "bad-1"',
    ],
)
def test_a_policy_that_reads_the_call_id_gets_a_decision_per_call_id(tmp_path, bad):
    body = bad + '\ndefault allow := true\nallow := false if bad\ndecision := {"allow": allow}'
    engine = EmbeddedEngine(load_bundle([_policy(tmp_path, body)]))
    assert engine.cache is not None
    assert engine.evaluate(_input("good-1")).allow
    assert not engine.evaluate(_input("bad-1")).allow
    assert engine.evaluate(_input("good-2")).allow


def test_import_aliases_count_as_reads(tmp_path):
    body = 'import input.tool as t\ndecision := {"allow": t.call_id != "bad-1"}'
    engine = EmbeddedEngine(load_bundle([_policy(tmp_path, body)]))
    assert engine.evaluate(_input("good-1")).allow
    assert not engine.evaluate(_input("bad-1")).allow


def test_a_policy_that_reads_the_clock_is_never_cached(tmp_path):
    body = 'decision := {"allow": time.now_ns() > 0}'
    engine = EmbeddedEngine(load_bundle([_policy(tmp_path, body)]))
    assert engine.cache is None
    assert engine.evaluate(_input("a")).allow


def test_the_clock_policy_stays_uncached_when_built_again(tmp_path, caplog):
    """The analysis is remembered per syntax tree (every gateway built with the same policy
    reuses it): a second build of the clock policy is uncached too, and says why again."""
    body = 'decision := {"allow": time.now_ns() > 0}'
    for _ in range(2):
        caplog.clear()
        with caplog.at_level("INFO", logger="keepgate.policy"):
            assert EmbeddedEngine(load_bundle([_policy(tmp_path, body)])).cache is None
        assert "the policy calls time.now_ns" in caplog.text


def test_the_analysis_is_remembered_per_syntax_tree():
    bundle = load_bundle([DEFAULT_POLICY_DIR])
    first = analyse(compile_engine(bundle))
    assert first is not None and analyse(compile_engine(bundle)) is first


def test_an_engine_for_the_same_sources_skips_the_syntax_tree(monkeypatch):
    """A gateway start or reload with the policy files unchanged reuses the analysis by the
    sources: regorus is not asked to write the ~1 MB syntax tree out again (~3 ms)."""
    from keepgate.policy import reads

    first = EmbeddedEngine(load_bundle([DEFAULT_POLICY_DIR])).reads
    assert first is not None

    def walked(ast_json: str) -> None:
        raise AssertionError("the syntax tree was written out and read again")

    monkeypatch.setattr(reads, "_reads_of_ast", walked)
    assert EmbeddedEngine(load_bundle([DEFAULT_POLICY_DIR])).reads is first


def test_hits_stay_within_one_key_and_session_and_hand_out_copies(tmp_path):
    body = 'decision := {"allow": true, "rewritten_arguments": {"q": input.tool.arguments.q}}'
    engine = EmbeddedEngine(load_bundle([_policy(tmp_path, body)]))
    assert engine.cache is not None
    first = engine.evaluate(_input("1"))
    first.rewritten_arguments["q"] = "changed by a caller"  # type: ignore[index]
    assert engine.evaluate(_input("2")).rewritten_arguments == {"q": "x"}
    assert engine.cache.hits == 1
    engine.evaluate(_input("3", key="other"))
    engine.evaluate(_input("4", session="other"))
    assert engine.cache.hits == 1 and engine.cache.misses == 3


def test_a_short_key_is_its_text_and_a_long_one_its_digest(tmp_path):
    """Both kinds hit for the same readable parts and miss for others; a long key is the
    BLAKE2b-128 of the text a short one would be."""
    body = 'decision := {"allow": true, "rewritten_arguments": {"q": input.tool.arguments.q}}'
    engine = EmbeddedEngine(load_bundle([_policy(tmp_path, body)]))
    cache = engine.cache
    assert cache is not None
    short, long = _input("1"), _input("2", arguments={"q": "y" * RAW_KEY_BYTES})
    text = exact_json([["k", "s"], cache.reads.project(short)])
    assert cache.key(short) == text and len(text) <= RAW_KEY_BYTES
    whole = exact_json([["k", "s"], cache.reads.project(long)])
    assert cache.key(long) == hashlib.blake2b(whole, digest_size=16).digest()
    for inp in (short, long):
        assert engine.evaluate(inp).allow
        assert engine.evaluate(_fresh(inp, 3)).rewritten_arguments == inp["tool"]["arguments"]
    assert cache.hits == 2 and cache.misses == 2
    engine.evaluate(_input("3", arguments={"q": "y" * (RAW_KEY_BYTES - 1)}))
    assert cache.misses == 3


def test_evaluation_errors_are_not_remembered_and_a_reload_empties_the_cache(tmp_path):
    root = _policy(tmp_path, 'decision := {"allow": input.tool.arguments.q + 1 > 0}')
    engine = EmbeddedEngine(load_bundle([root]))
    assert engine.cache is not None
    assert not engine.evaluate(_input("1")).allow  # a string plus a number: eval error, deny
    assert len(engine.cache) == 0
    assert engine.evaluate(_input("2", arguments={"q": 1})).allow
    assert len(engine.cache) == 1
    root.joinpath("main.rego").write_text(
        "package toolcall.main\nimport rego.v1\n\n"
        'decision := {"allow": input.tool.arguments.q > 5}\n'
    )
    asyncio.run(engine.load(load_bundle([root])))
    assert engine.cache is not None and len(engine.cache) == 0
    assert not engine.evaluate(_input("3", arguments={"q": 1})).allow


def test_off_with_zero_entries():
    engine = EmbeddedEngine(load_bundle([DEFAULT_POLICY_DIR]), cache_entries=0)
    assert engine.cache is None


TAINT_SOURCES = ("facts", "taint_sources")


@pytest.mark.parametrize(
    "body, reads",
    [
        # the shipped shape: other facts, and the key set of `facts` only
        ('decision := {"allow": input.facts.tainted == false}', False),
        ('decision := {"allow": "detected" in object.keys(input.facts)}', False),
        ('decision := {"allow": object.get(input, ["facts", "tainted"], false) == false}', False),
        # into it, or a whole value that holds it, or the key set of something inside it
        ('decision := {"allow": count(input.facts.taint_sources) == 0}', True),
        ('decision := {"allow": input.facts.taint_sources[0].tool != "x"}', True),
        ('decision := {"allow": object.get(input.facts, "taint_sources", []) == []}', True),
        ('decision := {"allow": count(input.facts) > 0}', True),
        (
            "default ok := false\nok if { t := input; t.facts.taint_sources == [] }\n"
            'decision := {"allow": ok}',
            True,
        ),
        ('f(x) := x.taint_sources\ndecision := {"allow": f(input.facts) == []}', True),
        ('import input.facts as f\ndecision := {"allow": f.taint_sources == []}', True),
        # a policy that cannot be analysed (it reads the clock) may read anything
        ('decision := {"allow": time.now_ns() > 0}', True),
    ],
)
def test_may_read_follows_the_analysis(tmp_path, body, reads):
    """`may_read` is False only where the analysis shows the policy cannot see the value
    (what the MCP gateway leaves out of the input then), with or without the cache."""
    for entries in (4096, 0):
        engine = EmbeddedEngine(load_bundle([_policy(tmp_path, body)]), cache_entries=entries)
        assert engine.may_read(TAINT_SOURCES) is reads, (body, entries)
        assert engine.may_read(("facts",)) is ("facts" in body or "time" in body)


def test_may_read_key_sets():
    """The key set of a value that holds the path does not show the value; the key set
    of the value, or of one inside it, does."""
    assert not InputReads((), (("facts",),)).may_read(TAINT_SOURCES)
    assert not InputReads((), ((),)).may_read(TAINT_SOURCES)
    assert InputReads((), (TAINT_SOURCES,)).may_read(TAINT_SOURCES)
    assert InputReads((), ((*TAINT_SOURCES, "x"),)).may_read(TAINT_SOURCES)
    assert InputReads(((),), ()).may_read(TAINT_SOURCES)
    assert not InputReads((("facts", "tainted"), ("tool",)), ()).may_read(TAINT_SOURCES)


def test_the_shipped_policy_cannot_read_the_taint_sources_and_a_reload_asks_again(tmp_path):
    engine = EmbeddedEngine(load_bundle([DEFAULT_POLICY_DIR]))
    assert not engine.may_read(TAINT_SOURCES)
    assert engine.may_read(("facts", "provenance")) and engine.may_read(("tool",))
    root = _policy(tmp_path, 'decision := {"allow": input.facts.taint_sources == []}')
    asyncio.run(engine.load(load_bundle([root])))
    assert engine.may_read(TAINT_SOURCES)


# -- the key's text and the projection, against the plain forms they replace ------------

JSONISH = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=6),
        st.sampled_from(["\ud800", "é", "x"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.one_of(st.text(max_size=3), st.integers(0, 3)), inner, max_size=4),
    ),
    max_leaves=12,
)


#: 200 pairs (was 400; 4.5 s of CPU, nearly all of it Hypothesis drawing the nested
#: values): 400 values a run of every leaf kind the key text treats apart (NaN and the
#: infinities, ints past 2**53, lone surrogates, tuples, int keys); new ones each run.
@settings(max_examples=200, deadline=None)
@given(JSONISH, JSONISH)
def test_key_texts_are_equal_only_where_the_engine_reads_the_same(a, b):
    """Two values share a key text only if the engine's own serialisation of them (what
    it parses) is the same; every value json.dumps accepts gets a text."""

    def engine(v):
        return json.dumps(v, separators=(",", ":"), default=str)

    ta, tb = exact_json(a), exact_json(b)
    assert (engine(a) == engine(b)) or ta != tb
    assert json.loads(ta) == json.loads(engine(a)) or ta == engine(a).encode(
        "utf-8", "surrogatepass"
    )


class _Colour(enum.Enum):
    RED = "red"


class _Level(enum.IntEnum):
    ONE = 1


class _Name(str, enum.Enum):
    A = "a"


class _Str(str):
    def __str__(self) -> str:
        return "other"


class _Float(float):
    pass


#: Values orjson writes, natively or through a passthrough, as text that does not read
#: back as them: each must keep the read-back's answer.
INEXACT = [
    _Colour.RED,
    _Level.ONE,
    _Name.A,
    orjson.Fragment(b'"red"'),
    orjson.Fragment(b"1"),
    uuid.UUID(int=1),
    datetime.date(2020, 1, 1),
    MappingProxyType({"a": 1}),
    _Str("x"),
    _Float(1.5),
    float("nan"),
    float("inf"),
    -float("inf"),
    b"x",
    {1, 2},
]

WIDER = st.recursive(
    st.one_of(JSONISH, st.sampled_from(INEXACT), st.sampled_from(["null", "a null b"])),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.one_of(st.text(max_size=3), st.integers(0, 3)), inner, max_size=4),
    ),
    max_leaves=12,
)


#: 300 pairs a run (~1 s): the plain leaves mixed with every inexact kind above.
@settings(max_examples=300, deadline=None)
@given(WIDER, WIDER)
def test_inexact_values_share_a_key_text_only_where_the_engine_reads_the_same(a, b):
    """As the test above, with Enum members, Fragments, UUIDs, dates, mapping proxies,
    subclasses, bytes and sets among the leaves (and `null` in strings): the read-back is
    what keeps each of them apart from the plain value orjson writes for it."""

    def engine(v):
        return json.dumps(v, separators=(",", ":"), default=str)

    ta, tb = exact_json(a), exact_json(b)
    assert (engine(a) == engine(b)) or ta != tb
    assert ta == engine(a).encode("utf-8", "surrogatepass") or json.loads(ta) == json.loads(
        engine(a)
    )


@pytest.mark.parametrize(
    "odd", INEXACT, ids=[f"{type(v).__name__}{i}" for i, v in enumerate(INEXACT)]
)
def test_an_inexact_value_and_its_json_twin_get_different_keys(odd):
    """Each inexact value against the plain value orjson writes for it: the same text in
    orjson, different ones for the engine, so different keys."""
    try:
        twin = orjson.loads(orjson.dumps(odd))
    except TypeError:  # bytes, sets: orjson refuses them; json.dumps' str() text is the key
        twin = str(odd)
    alike = json.dumps(odd, default=str) == json.dumps(twin, default=str)
    for wrap in (lambda v: v, lambda v: [v], lambda v: {"k": [1, v]}, lambda v: [None, v]):
        # the engine reads a str or float subclass as its value: one key, not a split cache
        assert (exact_json(wrap(odd)) == exact_json(wrap(twin))) is alike


#: 200 documents (was 300; drawing them is most of the cost), each read at up to five
#: paths as values and as key lists.
@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        JSONISH,
        lambda inner: st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3).map(
            lambda d: d if len(d) % 2 else MappingProxyType(d)
        ),
        max_leaves=10,
    ),
    st.lists(st.lists(st.sampled_from(["a", "b", "c"]), max_size=3).map(tuple), max_size=5),
)
def test_the_projection_reads_as_the_plain_walk(doc, paths):
    reads = InputReads(tuple(paths), tuple(paths))
    plain = [_at(doc, p, keys_only=False) for p in paths] + [
        _at(doc, p, keys_only=True) for p in paths
    ]
    assert engine_text(reads.project(doc)) == engine_text(plain)


def engine_text(v):
    return json.dumps(v, separators=(",", ":"), default=str)


def test_a_hit_shares_the_frozen_decision_and_copies_rewritten_arguments(tmp_path):
    """A plain hit is the remembered decision itself (nobody changes a frozen decision's
    lists; the copy per hit was ~5 K instructions); one with rewritten arguments is a copy
    a caller may change without changing the next hit."""
    plain = EmbeddedEngine(load_bundle([_policy(tmp_path, 'decision := {"allow": true}')]))
    assert plain.cache is not None
    key = plain.cache.key(_input("1"))
    assert key is not None
    plain.evaluate(_input("1"))
    assert plain.cache.get(key) is plain.cache.get(key)
    body = 'decision := {"allow": true, "rewritten_arguments": {"q": input.tool.arguments.q}}'
    (tmp_path / "r").mkdir()
    rewriting = EmbeddedEngine(load_bundle([_policy(tmp_path / "r", body)]))
    assert rewriting.cache is not None
    rewriting.evaluate(_input("1"))
    key = rewriting.cache.key(_input("1"))
    assert key is not None
    first = rewriting.cache.get(key)
    assert first is not None and first.rewritten_arguments is not None
    first.rewritten_arguments["q"] = "changed"
    again = rewriting.cache.get(key)
    assert again is not None and again.rewritten_arguments != first.rewritten_arguments


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.dictionaries(st.sampled_from(["a", "b", "c", "d", "ab"]), st.none()), max_size=6),
    st.randoms(use_true_random=False),
)
def test_a_key_set_is_one_id_per_set_of_names(docs, rnd):
    """An object the policy only enumerates reads as an id of its set of names: the same id
    exactly when the sorted names are the same, whatever the order the object holds them."""
    for doc in docs:
        names = list(doc)
        rnd.shuffle(names)
        again = dict.fromkeys(names)
        assert _at(doc, (), keys_only=True) == _at(again, (), keys_only=True)
    for x in docs:
        for y in docs:
            same = _at(x, (), keys_only=True) == _at(y, (), keys_only=True)
            assert same == (sorted(x) == sorted(y))
    mixed = {1: None, "1": None}  # keys that are not all strings: written out, as before
    assert _at(mixed, (), keys_only=True) == ["keys", ["1", "1"]]
