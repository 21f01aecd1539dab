"""Red team round 6 (2026-12-07): N concurrent calls against a budget of k admit exactly k.

The race is real without sleeps: the upstream (a real uvicorn server) holds every call it
is sent until the test opens a gate, so no admitted call settles (or refunds) while the
others are still being decided. The test opens the gate once every call is decided: it
either reached the upstream or came back refused. On real Redis and on the local
backend; requests-per-minute and tokens-per-minute buckets; the buckets' clock stands
still, so nothing refills during the race."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import openai
import pytest
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from tests.apis.hostile_upstream import chunk, serving
from tests.clock import ManualClock

pytestmark = pytest.mark.asyncio(loop_scope="session")

N, K = 24, 5
MAX_TOKENS = 1000


class Gate:
    """Counts the calls that reach the upstream, tells the test, holds them until open."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.arrived = 0
        self.lock = threading.Lock()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.decided: asyncio.Queue[str] | None = None

    def arrive(self) -> None:
        with self.lock:
            self.arrived += 1
        assert self.loop is not None and self.decided is not None
        self.loop.call_soon_threadsafe(self.decided.put_nowait, "admitted")


GATE = Gate()


async def _held() -> AsyncIterator[bytes]:
    await asyncio.to_thread(GATE.open.wait, 120)  # bounded: a failing test ends
    yield chunk({"role": "assistant", "content": "ok"}, "chatcmpl-gate")
    yield chunk({}, "chatcmpl-gate", finish="stop")
    usage = {"prompt_tokens": 8, "completion_tokens": 1, "total_tokens": 9}
    body = {"id": "chatcmpl-gate", "object": "chat.completion.chunk", "created": 1}
    body |= {"model": "m", "choices": [], "usage": usage}
    yield b"data: " + json.dumps(body).encode() + b"\n\n"
    yield b"data: [DONE]\n\n"


async def chat(request: Request) -> Response:
    await request.body()
    GATE.arrive()
    return StreamingResponse(_held(), media_type="text/event-stream")


async def unused(request: Request) -> Response:
    return Response(status_code=404)


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    with serving(chat, unused, unused) as url:
        yield url


@pytest.fixture(params=["local", "redis"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _gateway(
    gateway_factory: Any,
    upstream: str,
    backend: str,
    redis_url: str,
    prefix: str,
    limits: dict[str, Any],
) -> Any:
    sec: dict[str, Any] = {"enabled": True, "backend": backend}
    if backend == "redis":
        sec |= {"redis_url": redis_url, "namespace": prefix.rstrip(":")}
    cfg = {
        "model_list": [
            {"model_name": "gated", "litellm_params": {"model": "openai/m", "api_base": upstream}}
        ],
        "general_settings": {"num_retries": 0},
        "guards": {"limits": sec},
        "keys": [{"key_id": "racer", "key": "sk-racer", "role": "user", "limits": limits}],
    }
    gw = gateway_factory(cfg)
    guard = next(g for g in gw.app.state.keepgate.guards if g.name == "limits")
    guard.backend.clock = ManualClock(start=float(int(time.time())))
    return gw


async def _race(gw: Any) -> tuple[int, list[int]]:
    """N calls at once; once each is decided, the gate opens. (calls that reached the
    upstream, statuses)."""
    GATE.open.clear()
    GATE.arrived = 0
    GATE.loop = asyncio.get_running_loop()
    GATE.decided = asyncio.Queue()
    client = gw.async_client("sk-racer", timeout=120)

    async def one() -> int:
        try:
            await client.chat.completions.create(
                model="gated",
                messages=[{"role": "user", "content": "hello"}],
                max_tokens=MAX_TOKENS,
            )
            return 200
        except openai.APIStatusError as exc:
            assert GATE.decided is not None
            GATE.decided.put_nowait("refused")
            return exc.status_code

    tasks = [asyncio.create_task(one()) for _ in range(N)]
    try:
        for _ in range(N):  # every call admitted (at the upstream) or refused
            await asyncio.wait_for(GATE.decided.get(), 120)
        arrived = GATE.arrived
    finally:
        GATE.open.set()
    statuses = await asyncio.gather(*tasks)
    await client.close()
    return arrived, statuses


@pytest.mark.parametrize(
    "limits",
    [
        {"requests_per_minute": K},
        # Each call reserves its prompt (a few tokens) and max_tokens: room for K, not K+1.
        {"tokens_per_minute": K * MAX_TOKENS + MAX_TOKENS // 2, "requests_per_minute": 10_000},
    ],
    ids=["requests", "tokens"],
)
async def test_n_concurrent_calls_against_a_budget_of_k_admit_exactly_k(
    gateway_factory: Any,
    upstream: str,
    backend: str,
    redis_url: str,
    redis_prefix: str,
    limits: dict[str, Any],
) -> None:
    gw = _gateway(gateway_factory, upstream, backend, redis_url, redis_prefix, limits)
    arrived, statuses = await _race(gw)
    assert arrived == K
    assert sorted(statuses) == [200] * K + [429] * (N - K)
