"""The MCP result scrub cache (keepgate/mcp/scrubcache.py) with the real PII guard
(Presidio recognisers and the shipped NER): a remembered scrub is exactly the scrub, and
it is never shared between scrubbers (role/key PII settings), keys or sessions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import mcp_types as types
import pytest

from keepgate.auth.principal import Principal
from keepgate.mcp.results import inspect
from keepgate.mcp.scrubcache import ScrubCache
from keepgate.scrubbing.guard import PiiGuard, build
from tests.scrubbing.cases import CASES, FORMATS, format_sentence, sentence

REPORT = (
    Path(__file__).resolve().parents[2] / "keepgate/agent/demo_data/docs/quarterly_report.txt"
).read_text()
#: Every labelled case of the scrubbing suite, and texts with nothing to scrub.
CORPUS: list[str] = (
    [sentence(e)[1] for e in CASES]
    + [format_sentence(c)[1] for c in FORMATS]
    + [
        REPORT,
        json.dumps(
            {"rows": [["Ada Byron", "ada@example.com"], ["Grace Hopper", "+1 415 555 0134"]]}
        ),
        "42",
        "3.14159",
        '{"count": 17, "ok": true}',
        "mcp_0123456789abcdef01234567",
        "",
        "Nothing personal here, just the weather: sunny, 21 C.",
    ]
)
SECTION: dict[str, Any] = {
    # A role whose answers mask e-mail addresses instead of replacing them.
    "roles": {"support": {"operators": {"EMAIL_ADDRESS": {"type": "mask", "keep_last": 4}}}},
}
ALICE = Principal("alice", "user")
BOB = Principal("bob", "user")
SUPPORT = Principal("carol", "support")


@pytest.fixture(scope="module")
def guard() -> PiiGuard:
    return build(SECTION)


def result_of(text: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=text)])


@pytest.mark.parametrize("text", CORPUS)
def test_a_remembered_scrub_is_the_scrub(guard: PiiGuard, text: str) -> None:
    scrubber = guard.scrubber_for(ALICE)
    assert scrubber is not None
    cache = ScrubCache()
    expected = scrubber.scrub(text)
    first = cache.scrub(scrubber, "alice", "s1", text)
    second = cache.scrub(scrubber, "alice", "s1", text)
    assert first == expected and second == expected
    if expected[0] is text:  # unchanged: the caller's own object, as the scrubber gives it
        assert first[0] is text and second[0] is text
    if len(text) <= cache.max_chars:
        assert (cache.misses, cache.hits) == (1, 1)
    expected_json = scrubber.scrub_arguments(json.dumps({"value": text}))
    for _ in range(2):
        assert cache.scrub_arguments(scrubber, "alice", "s1", json.dumps({"value": text})) == (
            expected_json
        )


async def test_results_through_the_cache_are_identical_to_a_full_scrub(guard: PiiGuard) -> None:
    """`inspect` with the cache, first and second time, against `inspect` without one, on
    every text of the corpus as a text block and as structured content."""
    cache = ScrubCache()
    for text in CORPUS:
        result = types.CallToolResult(
            content=[types.TextContent(text=text)], structured_content={"text": text, "n": 7}
        )
        full = await inspect(result, ALICE, None, guard)
        for _ in range(2):
            cached = await inspect(result, ALICE, None, guard, cache, "s1")
            assert cached.result.model_dump() == full.result.model_dump()
            assert cached.redactions == full.redactions
    assert cache.hits >= len(CORPUS)


async def test_blocks_with_nothing_to_scrub_are_handed_on_as_they_came(guard: PiiGuard) -> None:
    """A clean block is the very block the upstream sent (not a copy), with and without the
    cache, next to one that is scrubbed; a clean result is the result itself."""
    email = sentence("EMAIL_ADDRESS")[1]
    clean = types.TextContent(text=REPORT)
    link = types.ResourceLink(name="r", uri="file:///r.txt", title="Report", description="Q1")
    result = types.CallToolResult(content=[clean, types.TextContent(text=email), link])
    cache = ScrubCache()
    for kwargs in ({}, {"cache": cache, "session": "s1"}, {"cache": cache, "session": "s1"}):
        checked = await inspect(result, ALICE, None, guard, **kwargs)
        assert checked.redactions["EMAIL_ADDRESS"] == 1
        out = checked.result.content
        assert out[0] is clean and out[2] is link
        assert out[1] is not result.content[1] and out[1].text != email
        alone = types.CallToolResult(content=[clean])
        assert (await inspect(alone, ALICE, None, guard, **kwargs)).result is alone


def test_roles_with_other_pii_settings_never_share_a_remembered_scrub(guard: PiiGuard) -> None:
    text = sentence("EMAIL_ADDRESS")[1]
    user, support = guard.scrubber_for(ALICE), guard.scrubber_for(SUPPORT)
    assert user is not None and support is not None and user is not support
    cache = ScrubCache()
    as_user = cache.scrub(user, "k", "s", text)
    as_support = cache.scrub(support, "k", "s", text)  # same key and session, other settings
    assert as_user == user.scrub(text) and "<EMAIL_ADDRESS>" in as_user[0]
    assert as_support == support.scrub(text) and "<EMAIL_ADDRESS>" not in as_support[0]
    assert "*" in as_support[0] and as_support[0] != as_user[0]
    assert cache.misses == 2 and cache.hits == 0


def test_keys_and_sessions_never_share_a_remembered_scrub(guard: PiiGuard) -> None:
    scrubber = guard.scrubber_for(ALICE)
    assert scrubber is not None and guard.scrubber_for(BOB) is scrubber
    cache = ScrubCache()
    text = sentence("PHONE_NUMBER")[1]
    for key_id, session in [("alice", "s1"), ("bob", "s1"), ("alice", "s2"), ("bob", "s2")]:
        assert cache.scrub(scrubber, key_id, session, text) == scrubber.scrub(text)
    assert cache.misses == 4 and cache.hits == 0
    cache.scrub(scrubber, "alice", "s1", text)
    assert cache.hits == 1
    # A text block and a JSON value with the same characters are different questions.
    raw = json.dumps({"phone": "+1 (212) 555-1234"})
    cache.scrub(scrubber, "alice", "s1", raw)
    assert cache.scrub_arguments(scrubber, "alice", "s1", raw) == scrubber.scrub_arguments(raw)


def test_the_cache_is_bounded_and_skips_long_texts(guard: PiiGuard) -> None:
    scrubber = guard.scrubber_for(ALICE)
    assert scrubber is not None
    cache = ScrubCache(size=3, max_chars=100)
    for i in range(5):
        cache.scrub(scrubber, "alice", "s", f"Call +1 (212) 555-12{i:02d} now.")
    assert len(cache) == 3
    long = "Write to john.smith@acme.io. " * 10
    assert cache.scrub(scrubber, "alice", "s", long) == scrubber.scrub(long)
    assert cache.scrub(scrubber, "alice", "s", long) == scrubber.scrub(long)
    assert len(cache) == 3 and cache.hits == 0


def test_a_failed_scrub_is_not_remembered(guard: PiiGuard, monkeypatch: pytest.MonkeyPatch) -> None:
    """The detector fails once (the guard then fails closed): nothing is remembered, and
    the next call scrubs for real."""
    scrubber = guard.scrubber_for(ALICE)
    assert scrubber is not None
    text = sentence("EMAIL_ADDRESS")[1]
    real = type(scrubber).analyze
    failures = []

    def analyze_failing_once(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not failures:
            failures.append(1)
            raise RuntimeError("detector down")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(type(scrubber), "analyze", analyze_failing_once)
    cache = ScrubCache()
    with pytest.raises(RuntimeError):
        cache.scrub(scrubber, "alice", "s", text)
    assert len(cache) == 0
    out = cache.scrub(scrubber, "alice", "s", text)
    assert "<EMAIL_ADDRESS>" in out[0] and cache.misses == 1


@pytest.mark.parametrize("entries", [0, 16])
def test_mcp_scrub_cache_entries_sizes_or_turns_off_the_cache(tmp_path: Path, entries: int) -> None:
    from keepgate.app import create_app
    from keepgate.config.load import parse_config
    from keepgate.mcp.api import McpService

    text = (
        "general_settings: {master_key: sk-test-master-0123456789, "
        f"audit_log: {tmp_path / 'audit.jsonl'}}}\n"
        "mcp_servers: {demo: {url: 'http://127.0.0.1:9/mcp'}}\n"
        f"mcp: {{store: {{backend: memory}}, scrub_cache_entries: {entries}}}\n"
    )
    rt = create_app(parse_config(text, "keepgate.yaml", environ={})).state.keepgate
    gw = next(s for s in rt.services if isinstance(s, McpService)).gw
    if entries:
        assert gw.scrub_cache is not None and gw.scrub_cache.size == entries
    else:
        assert gw.scrub_cache is None


async def test_a_single_text_block_is_scrubbed_as_with_the_join(guard: PiiGuard) -> None:
    """One text block (next to a link, or alone) is not handed to the join (nothing to join
    it with): the same result and counts as a caller that never joins, on every text of
    the corpus."""
    link = types.ResourceLink(name="r", uri="file:///r.txt", title="Report", description="Q1")
    for text in CORPUS:
        for content in ([types.TextContent(text=text)], [link, types.TextContent(text=text)]):
            result = types.CallToolResult(content=content)
            joined = await inspect(result, ALICE, None, guard)
            alone = await inspect(result, ALICE, None, guard, rejoin=False)
            assert joined.result.model_dump() == alone.result.model_dump()
            assert joined.redactions == alone.redactions


async def test_a_result_text_is_hashed_once_for_the_scan_and_the_scrub_cache(
    guard: PiiGuard, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The input guard's scan cache and the scrub cache key the same text object: one
    BLAKE2b per result (`keepgate.pipeline.digests`), and both caches still work (a second
    text is hashed anew, the first again only once it is not the last)."""
    from keepgate.input_guards.guard import build as build_input
    from keepgate.pipeline import digests

    hashed: list[str] = []
    real = digests._digest

    def counted(text: str) -> bytes:
        hashed.append(text)
        return real(text)

    monkeypatch.setattr(digests, "_digest", counted)
    scanner = build_input({})
    text = "Call Ada Byron at ada@example.com about the quarterly figures."
    first = await inspect(result_of(text), ALICE, scanner, guard, ScrubCache())
    assert hashed == [text] and "ada@example.com" not in str(first.result.content)
    other = "Nothing personal here, just the weather: sunny, 21 C."
    await inspect(result_of(other), ALICE, scanner, guard, ScrubCache())
    assert hashed == [text, other]
    again = await inspect(result_of(text), ALICE, scanner, guard, ScrubCache())
    assert hashed == [text, other, text] and again.result == first.result
