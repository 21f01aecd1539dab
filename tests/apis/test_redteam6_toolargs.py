"""Red team round 6 (2026-12-07): the PII guard holds a streamed tool call until its
arguments are whole JSON. Round 5b made it join and parse them only when the text so far
ends in a closing bracket, but a `}` inside a string ends the text as well: arguments
`{"q": "}}}…}"}` sent a character a delta were joined and parsed at every delta
(quadratic on the event loop). Now `JsonShape` reads each piece once and the arguments
are parsed once, when the top-level container closes.

Measured as an operation count (the characters the guard hands to `json.loads`), never
as time; the upstream is a real uvicorn server, the OpenAI SDK the client."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from keepgate.pipeline.chunks import ToolCallBuffer
from keepgate.pipeline.json_shape import JsonShape
from tests.apis.hostile_upstream import chunk as sse_chunk
from tests.apis.hostile_upstream import deployments, last_user, serving
from tests.conftest import Gateway

KEY = "sk-redteam6-toolargs"
BRACES = 3000
ARGS = json.dumps({"q": "}" * BRACES})


async def _tiny(args: str) -> AsyncIterator[bytes]:
    """One tool call whose arguments come a character a delta."""
    cid = "chatcmpl-braces"
    yield sse_chunk({"role": "assistant"}, cid)
    first = {"index": 0, "id": "call_1", "type": "function"}
    call = {**first, "function": {"name": "search", "arguments": ""}}
    yield sse_chunk({"tool_calls": [call]}, cid)
    for ch in args:
        yield sse_chunk({"tool_calls": [{"index": 0, "function": {"arguments": ch}}]}, cid)
    yield sse_chunk({}, cid, finish="tool_calls")
    yield b"data: [DONE]\n\n"


async def chat(request: Request) -> Response:
    args = last_user(await request.json())
    return StreamingResponse(_tiny(args), media_type="text/event-stream")


async def unused(request: Request) -> Response:
    return Response(status_code=404)


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    with serving(chat, unused, unused) as url:
        yield url


@pytest.fixture(scope="module")
def gw(module_gateway_factory: Any, upstream: str) -> Gateway:
    overrides = {
        "model_list": deployments("braces", upstream),
        "general_settings": {"num_retries": 0},
        "guards": {"pii": {"enabled": True}},
        "keys": [{"key_id": "rt6t", "key": KEY, "role": "user"}],
    }
    return module_gateway_factory(overrides, real_http=True)


TOOLS: Any = [{"type": "function", "function": {"name": "search", "parameters": {}}}]


class _CountingJson:
    """`json` as the PII guard module sees it, counting the characters it parses."""

    def __init__(self) -> None:
        self.parsed = 0

    def loads(self, text: str, **kw: Any) -> Any:
        self.parsed += len(text)
        return json.loads(text, **kw)

    def __getattr__(self, name: str) -> Any:
        return getattr(json, name)


def test_braces_inside_a_string_a_character_a_delta_are_parsed_once(
    gw: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    import keepgate.scrubbing.guard as pii_guard

    counting = _CountingJson()
    monkeypatch.setattr(pii_guard, "json", counting)
    got = ""
    for chunk in gw.client(KEY).chat.completions.create(
        model="braces", messages=[{"role": "user", "content": ARGS}], tools=TOOLS, stream=True
    ):
        for choice in chunk.choices:
            for tc in choice.delta.tool_calls or ():
                got += (tc.function and tc.function.arguments) or ""
    assert got == ARGS
    # Before: every batch of deltas ending in `}` parsed the arguments so far (41 K
    # characters for this 3 K text on one run; quadratic in the batches, and merge_deltas
    # folds only the deltas one network read holds); now the whole text once.
    assert 0 < counting.parsed <= 2 * len(ARGS)


def _closes(text: str, cuts: list[int]) -> list[int]:
    """The pieces (by index) after which a JsonShape fed `text` cut at `cuts` reports a
    close."""
    shape = JsonShape()
    bounds = [0, *cuts, len(text)]
    seen = []
    for i, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False)):
        shape.feed(text[a:b])
        if shape.take_close():
            seen.append(i)
    return seen


CONTAINERS = [
    '{"a": 1}',
    '  [1, {"b": [2, 3]}, "]"]  ',
    '{"s": "a \\"quoted}\\" \\\\", "t": "\\\\"}',
    '{"u": "\\u007d\\\\\\"}"}',
    "{}",
    "[]",
]


@pytest.mark.parametrize("text", CONTAINERS)
def test_a_container_closes_once_wherever_it_is_cut(text: str) -> None:
    json.loads(text)  # the examples are whole JSON
    end = len(text.rstrip())
    for cut in range(1, len(text)):
        for cut2 in (cut, min(len(text) - 1, cut + 3)):
            cuts = sorted({cut, cut2})
            seen = _closes(text, cuts)
            # Exactly one close, in the piece holding the last bracket.
            holder = sum(1 for c in cuts if c < end)
            assert seen == [holder], (text, cuts, seen)


@pytest.mark.parametrize(
    "text", ['"just a string"', "42", 'x{"a": 1}', '{"a": 1} x', '{"a": 1}{"b": 2}', "[" * 5000]
)
def test_text_that_is_no_single_container_never_closes(text: str) -> None:
    for cut in (1, 3):  # before any close: what follows it arrives with it
        assert _closes(text, [cut]) == []


def test_the_held_call_check_answers_once_per_close() -> None:
    """A string of `}` a delta each: the buffer says 'may be complete' once, at the end
    (it said so after every delta: each a join and a parse of the text so far)."""
    buf = ToolCallBuffer()
    buf.add(0, {"index": 0, "id": "call_1", "function": {"name": "f"}})
    answers = []
    for ch in ARGS:
        buf.add(0, {"index": 0, "function": {"arguments": ch}})
        answers.append(buf.may_be_complete((0, 0)))
    assert answers == [False] * (len(ARGS) - 1) + [True]
    buf.add(0, {"index": 0, "function": {"arguments": "  "}})
    assert not buf.may_be_complete((0, 0))
    assert buf.arguments((0, 0)) == ARGS + "  "
