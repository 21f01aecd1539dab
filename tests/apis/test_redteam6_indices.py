"""Red team round 6b (2026-12-07): an upstream's choice and tool-call indices had no cap
below 2**31. Every response guard and the assemblers hold one buffer per choice and per
tool call, each several times the bytes that opened it, so `max_answer_bytes` (256 MB)
admitted millions of held calls; an index of 2**31 - 1 was passed to the client as it came.

Now a choice index at or past 128 (OpenAI's most for `n`, and this gateway's) and a
tool-call index at or past `general_settings.max_answer_tool_calls` (1024) are a
`502 upstream_malformed` (mid-stream: the error event) before any guard holds them. The
upstream is a real uvicorn server, the clients the official SDKs over real HTTP: chat
(streamed and not), Responses and Anthropic Messages."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anthropic
import openai
import pytest
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from tests.apis.hostile_upstream import chunk as sse_chunk
from tests.apis.hostile_upstream import deployments, last_user, serving
from tests.conftest import Gateway

KEY = "sk-redteam6-indices"
SPARSE = 2**31 - 1
TOOLS: Any = [{"type": "function", "function": {"name": "search", "parameters": {}}}]


def _with_index(line: bytes, choice: int) -> bytes:
    body = json.loads(line[len(b"data: ") :])
    body["choices"][0]["index"] = choice
    return b"data: " + json.dumps(body).encode() + b"\n\n"


async def _answer(order: dict[str, int]) -> AsyncIterator[bytes]:
    """Choice `choice` (0) opening tool call `call` (absent: a text answer)."""
    cid = "chatcmpl-indices"
    choice = order.get("choice", 0)
    yield _with_index(sse_chunk({"role": "assistant", "content": "ok"}, cid), choice)
    if "call" in order:
        tc = {"index": order["call"], "id": "call_1", "type": "function"}
        tc["function"] = {"name": "search", "arguments": "{}"}
        yield _with_index(sse_chunk({"tool_calls": [tc]}, cid), choice)
    finish = "tool_calls" if "call" in order else "stop"
    yield _with_index(sse_chunk({}, cid, finish=finish), choice)
    yield b"data: [DONE]\n\n"


async def chat(request: Request) -> Response:
    order = json.loads(last_user(await request.json()))
    return StreamingResponse(_answer(order), media_type="text/event-stream")


async def unused(request: Request) -> Response:
    return Response(status_code=404)


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    with serving(chat, unused, unused) as url:
        yield url


@pytest.fixture(scope="module")
def gw(module_gateway_factory: Any, upstream: str) -> Gateway:
    on = {"enabled": True}
    overrides = {
        "model_list": deployments("indices", upstream),
        "general_settings": {"num_retries": 0},
        "guards": {"pii": on, "policy": on},
        "keys": [{"key_id": "rt6i", "key": KEY, "role": "user"}],
    }
    return module_gateway_factory(overrides, real_http=True)


PAST = {
    "choice-128": {"choice": 128},
    "choice-sparse": {"choice": SPARSE},
    "call-1024": {"call": 1024},
    "call-sparse": {"call": SPARSE},
}


def _chat(gw: Gateway, order: dict[str, int], stream: bool) -> Any:
    messages: Any = [{"role": "user", "content": json.dumps(order)}]
    client = gw.client(KEY)
    if stream:
        return list(
            client.chat.completions.create(
                model="indices", messages=messages, tools=TOOLS, stream=True
            )
        )
    return client.chat.completions.create(model="indices", messages=messages, tools=TOOLS)


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("case", sorted(PAST))
def test_an_index_past_the_cap_is_a_502_on_chat(gw: Gateway, case: str, stream: bool) -> None:
    if stream:  # the answer has started: the stream ends with an error event
        with pytest.raises(openai.APIError, match="past this gateway's limit of"):
            _chat(gw, PAST[case], stream=True)
        return
    with pytest.raises(openai.APIStatusError) as err:
        _chat(gw, PAST[case], stream=False)
    assert err.value.status_code == 502
    assert (err.value.body or {}).get("code") == "upstream_malformed"  # type: ignore[union-attr]


@pytest.mark.parametrize("stream", [False, True])
def test_the_last_index_under_the_cap_passes(gw: Gateway, stream: bool) -> None:
    """Index 1023 of a tool call, and a choice 127, are answers the gateway passes on."""
    got = _chat(gw, {"call": 1023}, stream)
    if stream:
        calls = [tc for c in got for ch in c.choices for tc in ch.delta.tool_calls or ()]
        assert [tc.id for tc in calls if tc.id] == ["call_1"]  # renumbered from 0
    else:
        assert [tc.id for tc in got.choices[0].message.tool_calls] == ["call_1"]
    got = _chat(gw, {"choice": 127}, stream)
    if stream:
        assert {ch.index for c in got for ch in c.choices} == {127}
    else:
        assert [ch.index for ch in got.choices] == [127]


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("case", ["call-1024", "call-sparse"])
def test_an_index_past_the_cap_is_an_error_on_responses(
    gw: Gateway, case: str, stream: bool
) -> None:
    client = gw.client(KEY)
    text = json.dumps(PAST[case])
    if stream:
        events = list(client.responses.create(model="indices", input=text, stream=True))
        assert events[-1].type == "response.failed"
        assert events[-1].response.error is not None
        assert events[-1].response.error.code == "upstream_malformed"
        return
    with pytest.raises(openai.APIStatusError) as err:
        client.responses.create(model="indices", input=text)
    assert err.value.status_code == 502


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("case", ["call-1024", "call-sparse"])
def test_an_index_past_the_cap_is_an_error_on_messages(
    gw: Gateway, case: str, stream: bool
) -> None:
    client = gw.anthropic_client(KEY)
    messages: Any = [{"role": "user", "content": json.dumps(PAST[case])}]
    with pytest.raises(anthropic.APIStatusError) as err:
        if stream:
            with client.messages.stream(model="indices", max_tokens=5, messages=messages) as s:
                list(s)
        else:
            client.messages.create(model="indices", max_tokens=5, messages=messages)
    body: Any = err.value.body
    assert body["error"]["code"] == "upstream_malformed"


def test_a_request_for_more_choices_than_the_cap_is_a_400(gw: Gateway) -> None:
    with pytest.raises(openai.BadRequestError):
        gw.client(KEY).chat.completions.create(
            model="indices", messages=[{"role": "user", "content": "{}"}], n=129
        )
