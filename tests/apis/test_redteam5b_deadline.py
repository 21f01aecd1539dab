"""Red team round 5b (2026-12-07): an upstream answer had no overall time limit.
`request_timeout` bounds each read, so an upstream sending a byte every 59 s held the call,
its connection and its limits reservation without end. Now one answer has
`general_settings.max_answer_seconds` (default 600 s): a 504 `upstream_timeout` before the
first byte to the client, a final error event mid-stream.

No test waits for time to pass: the gateway's upstream transport reads its deadline on a
clock seam (`HttpTransport.clock`), a `ManualClock` here, and the hostile upstream (a real
uvicorn server) moves it past the deadline on cue, then keeps dripping chunks (a bounded
number, so a gateway without the bound ends the call with a 200 and the test fails rather
than hangs). The official SDKs are the clients, over real HTTP."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anthropic
import openai
import pytest
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from tests.clock import ManualClock
from tests.conftest import Gateway
from tests.apis.hostile_upstream import chunk as sse_chunk
from tests.apis.hostile_upstream import deployments, last_user, serving

KEY = "sk-redteam5b-deadline"
SECONDS = 600.0
DRIPS = 200


class Cues:
    """The clock the gateway reads, and the cue the test gives mid-stream."""

    def __init__(self) -> None:
        self.clock = ManualClock()
        self.first_seen = threading.Event()

    def expire(self) -> None:
        self.clock.advance(SECONDS + 1)


CUES = Cues()


def _chunk(delta: dict[str, Any]) -> bytes:
    return sse_chunk(delta, "chatcmpl-drip")


async def _drip(kind: str) -> AsyncIterator[bytes]:
    if kind == "late":  # past the deadline before the first byte
        CUES.expire()
    yield _chunk({"role": "assistant", "content": "first"})
    if kind == "mid":  # the client has the first chunk; then the deadline passes
        # Bounded wait (a failing gateway that never forwards the chunk ends the test).
        await asyncio.to_thread(CUES.first_seen.wait, 60)
        CUES.expire()
    for _ in range(DRIPS):
        yield _chunk({"content": "."})
    yield b"data: [DONE]\n\n"


_last_user = last_user


async def chat(request: Request) -> Response:
    kind = _last_user(await request.json())
    return StreamingResponse(_drip(kind), media_type="text/event-stream")


async def _events() -> AsyncIterator[bytes]:
    CUES.expire()
    start = {"type": "message_start", "message": {"id": "msg_1", "usage": {"input_tokens": 1}}}
    yield b"event: message_start\ndata: " + json.dumps(start).encode() + b"\n\n"
    block = {"type": "content_block_start", "index": 0, "content_block": {"type": "text"}}
    yield b"event: content_block_start\ndata: " + json.dumps(block).encode() + b"\n\n"
    for _ in range(DRIPS):
        delta = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta"}}
        delta["delta"]["text"] = "."  # type: ignore[index]
        yield b"event: content_block_delta\ndata: " + json.dumps(delta).encode() + b"\n\n"
    yield b'event: message_stop\ndata: {"type": "message_stop"}\n\n'


async def messages(request: Request) -> Response:
    return StreamingResponse(_events(), media_type="text/event-stream")


async def embeddings(request: Request) -> Response:
    async def body() -> AsyncIterator[bytes]:
        CUES.expire()
        yield b'{"object": "list", "data": [{"index": 0, "embedding": [0.5'
        for _ in range(DRIPS):
            yield b", 0.5"
        yield b"]}]}"

    return StreamingResponse(body(), media_type="application/json")


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    with serving(chat, messages, embeddings) as url:
        yield url


@pytest.fixture(scope="module")
def gw(module_gateway_factory: Any, upstream: str) -> Gateway:
    overrides = {
        "model_list": deployments("drip", upstream),
        "general_settings": {"num_retries": 0},
        "guards": {"limits": {"enabled": True}},
        "keys": [{"key_id": "rt5b", "key": KEY, "role": "user"}],
    }
    g: Gateway = module_gateway_factory(overrides, real_http=True)
    g.app.state.keepgate.upstream.direct.clock = CUES.clock
    return g


@pytest.fixture(autouse=True)
def fresh_cue() -> None:
    CUES.first_seen.clear()


def test_the_default_bound_is_documented_and_generous(gw: Gateway) -> None:
    assert gw.config.general_settings.max_answer_seconds == SECONDS
    assert gw.app.state.keepgate.upstream.direct.max_answer_seconds == SECONDS


@pytest.mark.parametrize("stream", [False, True])
def test_an_answer_past_its_deadline_before_the_first_byte_is_a_504(
    gw: Gateway, stream: bool
) -> None:
    client = gw.client(KEY)
    with pytest.raises(openai.APIStatusError) as info:
        out = client.chat.completions.create(
            model="drip", messages=[{"role": "user", "content": "late"}], stream=stream
        )
        for _ in out if stream else ():  # type: ignore[union-attr]
            pass
    assert info.value.status_code == 504
    assert info.value.body["code"] == "upstream_timeout"  # type: ignore[index]


def test_an_answer_past_its_deadline_mid_stream_ends_with_an_error_event(gw: Gateway) -> None:
    client = gw.client(KEY)
    got: list[str] = []
    with pytest.raises(openai.APIError) as info:
        for chunk in client.chat.completions.create(
            model="drip", messages=[{"role": "user", "content": "mid"}], stream=True
        ):
            for choice in chunk.choices:
                got.append(choice.delta.content or "")
            if "".join(got) == "first":
                CUES.first_seen.set()
    assert "timed out" in str(info.value)
    assert "".join(got).startswith("first")
    assert len("".join(got)) < len("first") + DRIPS


def test_a_messages_answer_past_its_deadline_is_a_504(gw: Gateway) -> None:
    client = anthropic.Anthropic(base_url=gw.url, api_key=KEY, max_retries=0)
    with pytest.raises(anthropic.APIStatusError) as info:
        client.messages.create(
            model="drip-claude", max_tokens=100, messages=[{"role": "user", "content": "hi"}]
        )
    assert info.value.status_code == 504
    assert "upstream_timeout" in json.dumps(info.value.body)


def test_an_embeddings_body_past_its_deadline_is_a_504(gw: Gateway) -> None:
    client = gw.client(KEY)
    with pytest.raises(openai.APIStatusError) as info:
        client.embeddings.create(model="drip-embedding", input="hello")
    assert info.value.status_code == 504
    assert info.value.body["code"] == "upstream_timeout"  # type: ignore[index]


def test_an_answer_within_its_deadline_is_served(gw: Gateway) -> None:
    client = gw.client(KEY)
    done = client.chat.completions.create(
        model="drip", messages=[{"role": "user", "content": "on time"}]
    )
    assert done.choices[0].message.content == "first" + "." * DRIPS
