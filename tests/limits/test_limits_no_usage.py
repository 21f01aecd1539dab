"""An upstream that reports no usage is still charged: litellm's token counter on the
prompt and on the generated text (as LiteLLM Proxy counts it), marked in the audit line."""

from __future__ import annotations

import asyncio
import functools
import time
from typing import Any

import openai
import pytest

from tests.clock import ManualClock
from tests.limits import known

PRICE_IN, PRICE_OUT = 1e-6, 2e-6  # the base test config's prices for "demo"
MSG = known.LISBON
REPLY = known.REPLY
NO_USAGE = {"fake": {"reply": REPLY, "omit_usage": True}}

pytestmark = pytest.mark.real_http


@pytest.fixture(params=["local", "redis"])
def gw(request, gateway_factory, redis_url, redis_prefix):
    sec: dict[str, Any] = {"enabled": True, "backend": request.param}
    if request.param == "redis":
        sec.update(redis_url=redis_url, namespace=redis_prefix.rstrip(":"))
    gw = gateway_factory(
        {
            "guards": {"limits": sec},
            "keys": [
                {
                    "key_id": "alice",
                    "key": "sk-alice",
                    "role": "developer",
                    "limits": {"tokens_per_minute": 1_000_000, "usd_per_day": 10.0},
                }
            ],
        }
    )
    # The buckets refill on a clock that stands still: what was taken is what remains taken
    # (on the wall clock the daily budget refilled the few hundred micro-dollars of a call
    # in a second or two of a loaded box). Whole seconds: the bucket scripts store times to
    # 14 significant digits.
    guard = next(g for g in gw.app.state.keepgate.guards if g.name == "limits")
    guard.backend.clock = ManualClock(start=float(int(time.time())))
    return gw


@functools.cache
def expected() -> tuple[int, int]:
    """What LiteLLM Proxy would count (its token counter on the messages and the reply),
    with the gateway's floor of one completion token per 4 characters generated.

    The counts are tests/limits/known.py's, which the parity tests check against litellm
    itself: importing litellm here cost this file's xdist worker ~3.5 s of CPU."""
    prompt = known.prompt_tokens("demo", MSG)
    completion = known.reply_tokens("demo", REPLY)
    return int(prompt), max(int(completion), (len(REPLY) + 3) // 4)


def totals(gw) -> dict:
    r = gw.http.get("/v1/keys/self/usage", headers={"Authorization": "Bearer sk-alice"})
    assert r.status_code == 200, r.text
    return r.json()


def check_charged(gw, calls: int) -> None:
    prompt, completion = expected()
    assert completion > 0
    u = totals(gw)
    assert u["totals"]["prompt_tokens"] == calls * prompt
    assert u["totals"]["completion_tokens"] == calls * completion
    cost = calls * (prompt * PRICE_IN + completion * PRICE_OUT)
    assert u["totals"]["spend_usd"] == pytest.approx(cost)
    assert u["remaining"]["usd_per_day"] == pytest.approx(10.0 - cost, abs=1e-9)
    line = gw.audit_lines()[-1]
    assert line["usage_source"] == "estimated"
    assert line["usage"] == {"prompt_tokens": prompt, "completion_tokens": completion}
    assert line["cost_usd"] == pytest.approx(prompt * PRICE_IN + completion * PRICE_OUT)


def test_a_json_answer_without_usage_is_charged_by_the_token_counter(gw):
    out = gw.client("sk-alice").chat.completions.create(
        model="demo", messages=MSG, extra_body=NO_USAGE
    )
    assert out.choices[0].message.content == REPLY
    assert out.usage is None or out.usage.completion_tokens == expected()[1]
    check_charged(gw, 1)


@pytest.mark.parametrize("include_usage", [True, False])
def test_a_stream_without_a_usage_chunk_is_charged_by_the_token_counter(gw, include_usage):
    kw: dict[str, Any] = {"stream_options": {"include_usage": True}} if include_usage else {}
    stream = gw.client("sk-alice").chat.completions.create(
        model="demo", messages=MSG, stream=True, extra_body=NO_USAGE, **kw
    )
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert text == REPLY
    check_charged(gw, 1)


def test_an_upstream_usage_is_marked_as_such(gw):
    gw.client("sk-alice").chat.completions.create(
        model="demo",
        messages=MSG,
        extra_body={"fake": {"reply": "ok", "usage": {"prompt_tokens": 7, "completion_tokens": 3}}},
    )
    line = gw.audit_lines()[-1]
    assert line["usage_source"] == "upstream"
    assert line["usage"] == {"prompt_tokens": 7, "completion_tokens": 3}


def test_concurrent_calls_without_usage_are_each_charged_exactly(gw):
    async def run() -> None:
        client = openai.AsyncOpenAI(base_url=gw.base_url, api_key="sk-alice", max_retries=0)
        try:

            async def one(i: int) -> None:
                if i % 2:
                    stream = await client.chat.completions.create(
                        model="demo", messages=MSG, stream=True, extra_body=NO_USAGE
                    )
                    async for _ in stream:
                        pass
                else:
                    await client.chat.completions.create(
                        model="demo", messages=MSG, extra_body=NO_USAGE
                    )

            await asyncio.gather(*(one(i) for i in range(12)))
        finally:
            await client.close()

    asyncio.run(run())
    check_charged(gw, 12)
