"""Red team round 6 (2026-12-07): a chat answer through litellm (every provider that does
not speak the OpenAI wire protocol, here `anthropic/...` pointed at a hostile server) had
neither bound the HTTP transport gives its own answers: an endless answer filled the
gateway's memory (`general_settings.max_answer_bytes`) and an answer dripping a chunk at
a time held the call without end (`general_settings.max_answer_seconds`). Now litellm's
chunks are counted (their JSON text) and read against the same deadline, on a clock seam.

The hostile upstream is a real uvicorn server speaking the Anthropic Messages protocol;
the official OpenAI SDK is the client, over real HTTP. The flood and the drip are bounded
(so a gateway without the bound ends the call with a 200 and the test fails, not hangs);
no test waits for time to pass: the upstream moves the gateway's clock on cue."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import openai
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from tests.apis.hostile_upstream import serving
from tests.clock import ManualClock
from tests.conftest import Gateway

KEY = "sk-redteam6-litellm"
LIMIT = 1024 * 1024
FLOOD = 4 * LIMIT
PIECE = 32 * 1024
SECONDS = 600.0
DRIPS = 200
CLOCK = ManualClock()


def _event(kind: str, data: dict[str, Any]) -> bytes:
    return f"event: {kind}\ndata: ".encode() + json.dumps(data).encode() + b"\n\n"


def _text(text: str) -> bytes:
    delta = {"type": "content_block_delta", "index": 0}
    return _event("content_block_delta", delta | {"delta": {"type": "text_delta", "text": text}})


async def _answer(kind: str) -> AsyncIterator[bytes]:
    """An Anthropic Messages stream: a flood of text (4 MiB), or a drip past the deadline."""
    usage = {"input_tokens": 1, "output_tokens": 1}
    message = {"id": "msg_1", "type": "message", "role": "assistant", "model": "m"}
    message |= {"content": [], "stop_reason": None, "usage": usage}
    yield _event("message_start", {"type": "message_start", "message": message})
    block = {"type": "content_block_start", "index": 0}
    yield _event("content_block_start", block | {"content_block": {"type": "text", "text": ""}})
    if kind == "flood":
        for _ in range(FLOOD // PIECE):
            yield _text("a" * PIECE)
    else:
        yield _text("first")
        if kind == "late":
            CLOCK.advance(SECONDS + 1)
        for _ in range(DRIPS):
            yield _text(".")
    yield _event("content_block_stop", {"type": "content_block_stop", "index": 0})
    stop = {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": usage}
    yield _event("message_delta", stop)
    yield _event("message_stop", {"type": "message_stop"})


def _kind(body: dict[str, Any]) -> str:
    content = body["messages"][-1]["content"]
    return content if isinstance(content, str) else content[0]["text"]


async def messages(request: Request) -> Response:
    body = await request.json()
    return StreamingResponse(_answer(_kind(body)), media_type="text/event-stream")


async def unused(request: Request) -> Response:
    return JSONResponse({"error": "not served"}, status_code=404)


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    with serving(unused, messages, unused) as url:
        yield url


@pytest.fixture(scope="module")
def provider_key() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KG_RT6_UPSTREAM_KEY", "sk-upstream")
        yield


@pytest.fixture(scope="module")
def gw(module_gateway_factory: Any, upstream: str, provider_key: None) -> Gateway:
    on = {"enabled": True}
    overrides = {
        "model_list": [
            {
                "model_name": "lt-claude",
                "litellm_params": {
                    "model": "anthropic/m",
                    "api_base": upstream,
                    "api_key": "os.environ/KG_RT6_UPSTREAM_KEY",
                },
            }
        ],
        "general_settings": {"max_answer_bytes": LIMIT, "num_retries": 0},
        "guards": {"pii": on, "limits": on},
        "keys": [{"key_id": "rt6", "key": KEY, "role": "user"}],
    }
    g: Gateway = module_gateway_factory(overrides, real_http=True)
    g.app.state.keepgate.upstream.litellm.clock = CLOCK
    return g


def _ask(gw: Gateway, kind: str, stream: bool) -> str:
    client = gw.client(KEY)
    msgs: Any = [{"role": "user", "content": kind}]
    if not stream:
        done = client.chat.completions.create(model="lt-claude", messages=msgs)
        return done.choices[0].message.content or ""
    got = []
    for chunk in client.chat.completions.create(model="lt-claude", messages=msgs, stream=True):
        got.extend(c.delta.content or "" for c in chunk.choices)
    return "".join(got)


def test_the_litellm_path_serves_an_ordinary_answer(gw: Gateway) -> None:
    assert _ask(gw, "on time", stream=False) == "first" + "." * DRIPS
    assert _ask(gw, "on time", stream=True) == "first" + "." * DRIPS


def test_an_endless_litellm_answer_to_a_non_streaming_client_is_a_502(gw: Gateway) -> None:
    with pytest.raises(openai.APIStatusError) as info:
        _ask(gw, "flood", stream=False)
    assert info.value.status_code == 502
    assert info.value.body["code"] == "upstream_too_large"  # type: ignore[index]


def test_an_endless_streamed_litellm_answer_ends_with_an_error_event(gw: Gateway) -> None:
    with pytest.raises(openai.APIError) as info:
        _ask(gw, "flood", stream=True)
    assert "larger than" in str(info.value)


@pytest.mark.parametrize("stream", [False, True])
def test_a_litellm_answer_past_its_deadline_is_cut(gw: Gateway, stream: bool) -> None:
    with pytest.raises(openai.APIError) as info:
        _ask(gw, "late", stream=stream)
    assert "timed out" in str(info.value)
    if not stream:
        assert isinstance(info.value, openai.APIStatusError)
        assert info.value.status_code == 504
