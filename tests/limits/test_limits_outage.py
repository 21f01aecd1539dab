"""Redis killed (SIGKILL) and restarted under load: answers follow the configured mode,
`/readyz` says what docs/limits.md says, budgets are never overdrawn, and settled spend
survives the restart when Redis keeps an append-only file (and is lost when it does not).

The Redis here is our own redis-server on a free port, in a temp dir. Nothing waits on a
clock: the kill happens after a count of answers, probes run while Redis is certainly dead,
and the only waits are for real processes (Redis back up, the gateway seeing it)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from typing import Any

import httpx
import openai
import pytest

from tests.servers import OwnRedis

# A load generator of its own on real connections while Redis dies.
pytestmark = pytest.mark.real_http

BUDGET = 0.05
COST = 8e-6 + 1000 * 2e-6  # one call below: 8 prompt + 1000 completion tokens
CALL = {
    "model": "demo",
    "messages": [{"role": "user", "content": "hello"}],
    "max_tokens": 1000,
    "extra_body": {
        "fake": {"reply": "ok", "usage": {"prompt_tokens": 8, "completion_tokens": 1000}}
    },
}
TOOLS = [{"type": "function", "function": {"name": "search", "parameters": {"type": "object"}}}]


class Load:
    """Concurrent calls from key `loader` in a background thread until `stop()`; every
    answer's (status, code) is kept."""

    def __init__(self, base_url: str, concurrency: int = 6) -> None:
        self.base_url, self.concurrency = base_url, concurrency
        self.answers: list[tuple[int, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    async def _run(self) -> None:
        async with openai.AsyncOpenAI(
            base_url=self.base_url, api_key="sk-loader", max_retries=0, timeout=60
        ) as client:

            async def worker() -> None:
                while not self._stop.is_set():
                    try:
                        await client.chat.completions.create(**CALL)
                        self.answers.append((200, ""))
                    except openai.APIStatusError as exc:
                        self.answers.append(
                            (
                                exc.status_code,
                                str(exc.body.get("code") if isinstance(exc.body, dict) else ""),
                            )
                        )
                    except openai.APIConnectionError:
                        self.answers.append((0, "connection"))

            await asyncio.gather(*[worker() for _ in range(self.concurrency)])

    def start(self) -> "Load":
        self._thread.start()
        return self

    def wait_for(self, answers: int) -> None:
        deadline = time.monotonic() + 120
        while len(self.answers) < answers:
            assert time.monotonic() < deadline, "the load made no progress"
            time.sleep(0.02)

    def stop(self) -> list[tuple[int, str]]:
        self._stop.set()
        self._thread.join(120)
        return list(self.answers)


def _ready(gw) -> httpx.Response:
    return gw.http.get("/readyz", timeout=30)


def _wait_ready(gw) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        r = _ready(gw)
        if r.json()["status"] == "ready":
            return r.json()
        assert time.monotonic() < deadline, r.text
        time.sleep(0.1)


def _wait_limits_on_redis(gw) -> None:
    """Until a call is charged on Redis again: the guard retries Redis only once its
    `retry_backend_after_s` window after the last failure has passed (a state, polled)."""
    loader = gw.client("sk-loader")
    deadline = time.monotonic() + 60
    while True:
        try:
            raw = loader.chat.completions.with_raw_response.create(**CALL)
            if "x-keepgate-limits" not in raw.headers:
                return
        except openai.InternalServerError:  # fail_closed: 503 until Redis is used again
            pass
        assert time.monotonic() < deadline, "the limits guard never went back to Redis"
        time.sleep(0.05)


def _spent(gw) -> dict[str, Any]:
    return gw.http.get(
        "/admin/keys/spender/usage",
        timeout=30,
        headers={"authorization": f"Bearer {gw.master_key}"},
    ).json()


def _tool_turn(client: openai.OpenAI) -> list[dict]:
    res = client.chat.completions.create(
        model="demo",
        messages=[{"role": "user", "content": "go"}],
        tools=TOOLS,
        extra_body={"fake": {"tool_calls": [{"name": "search", "arguments": {"q": "x"}}]}},
    )
    tc = res.choices[0].message.tool_calls[0]
    return [
        {"role": "user", "content": "go"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": tc.id,
                    "type": "function",
                    "function": {"name": "search", "arguments": tc.function.arguments},
                }
            ],
        },
        {"role": "tool", "tool_call_id": tc.id, "content": "result"},
    ]


@pytest.mark.parametrize(
    "mode,aof",
    [("fail_closed", True), ("fallback_local", True), ("fail_closed", False)],
    ids=["fail_closed-aof", "fallback_local-aof", "fail_closed-no-persistence"],
)
def test_redis_killed_and_restarted_mid_load(gateway_factory, mode, aof):
    store = OwnRedis(aof).start()
    try:
        _run(gateway_factory, store, mode, aof)
    finally:
        store.close()


def _run(gateway_factory, store: OwnRedis, mode: str, aof: bool) -> None:
    gw = gateway_factory(
        {
            "general_settings": {"redis_url": store.url},
            "keys": [
                {
                    "key_id": "spender",
                    "key": "sk-spender",
                    "limits": {"budget_usd": BUDGET, "requests_per_minute": 100_000},
                },
                {"key_id": "loader", "key": "sk-loader"},
                {"key_id": "alice", "key": "sk-alice", "role": "user"},
            ],
            "guards": {
                "limits": {
                    "enabled": True,
                    "backend": "redis",
                    "on_backend_error": mode,
                    "fallback_share": 0.5,
                    # A killed Redis refuses or resets at once; this only bounds a hang
                    # (an fsync-always AOF on a loaded box can take over 0.5 s).
                    "timeout_ms": 10_000,
                    "retry_backend_after_s": 0.2,
                },
                "policy": {"enabled": True},
            },
        }
    )
    spender, alice = gw.client("sk-spender"), gw.client("sk-alice")
    assert _ready(gw).json()["status"] == "ready"
    conversation = _tool_turn(alice)  # released while Redis is up
    for _ in range(6):
        spender.chat.completions.create(**CALL)
    before = _spent(gw)
    assert before["totals"]["spend_usd"] == pytest.approx(6 * COST)

    load = Load(gw.base_url).start()
    load.wait_for(20)
    store.kill()  # mid-load
    during = len(load.answers)

    # -- while Redis is down: the configured mode, every time --------------------------
    ready = _ready(gw)
    body = ready.json()
    limits_check = body["checks"]["guard:limits"]
    if mode == "fail_closed":
        assert ready.status_code == 503 and body["status"] == "not_ready"
        assert limits_check["state"] == "down" and "unreachable" in limits_check["detail"]
        with pytest.raises(openai.InternalServerError) as exc:
            spender.chat.completions.create(**CALL)
        assert exc.value.status_code == 503 and exc.value.body["code"] == "limits_unavailable"
        with pytest.raises(openai.InternalServerError) as exc:
            alice.chat.completions.create(model="demo", tools=TOOLS, messages=conversation)
        assert exc.value.status_code == 503
    else:
        assert ready.status_code == 200 and body["status"] == "degraded"
        assert limits_check["state"] == "degraded"
        assert body["checks"]["guard:policy"]["state"] == "degraded"  # tool ids: local
        raw = spender.chat.completions.with_raw_response.create(**CALL)
        assert raw.headers["x-keepgate-limits"] == "degraded-local"
        # A conversation released before the outage goes on (the replica kept its ids).
        answer = alice.chat.completions.create(model="demo", tools=TOOLS, messages=conversation)
        assert answer.choices[0].message.content == "go"
        # The local buckets hold fallback_share of the budget, then refuse.
        local_ok = 1
        with pytest.raises(openai.RateLimitError) as exc:
            for _ in range(100):
                spender.chat.completions.create(**CALL)
                local_ok += 1
        assert exc.value.body["code"] == "budget_exceeded"
        assert local_ok * COST <= 0.5 * BUDGET + 1e-9
    load.wait_for(during + 6)  # the load ran on through the outage
    assert "/" not in str(body)  # no paths or URLs in the readiness body

    # -- Redis back (same dir): the gateway sees it and is ready again -----------------
    store.start()
    _wait_ready(gw)
    answers = load.stop()
    _wait_limits_on_redis(gw)
    allowed = {200, 503} if mode == "fail_closed" else {200}
    tally = Counter(s for s, _ in answers)
    assert set(tally) <= allowed, tally  # never a 500 or a reset
    if mode == "fail_closed":
        assert {c for s, c in answers if s == 503} <= {"limits_unavailable"}

    after = _spent(gw)
    spent = after["totals"]["spend_usd"]
    if aof:
        # Settled spend survived the kill; nothing was charged on Redis while it was down.
        assert spent == pytest.approx(before["totals"]["spend_usd"])
        assert after["remaining"]["budget_usd"] == pytest.approx(BUDGET - 6 * COST)
        # The conversation released before the outage is still known.
        answer = alice.chat.completions.create(model="demo", tools=TOOLS, messages=conversation)
        assert answer.choices[0].message.content == "go"
    else:
        # No persistence: the restarted Redis is empty; the spend record is gone.
        assert spent == 0 and after["remaining"]["budget_usd"] == pytest.approx(BUDGET)
    spender.chat.completions.create(**CALL)  # and calls are charged on Redis again
    assert _spent(gw)["totals"]["spend_usd"] == pytest.approx(spent + COST)
    assert _spent(gw)["totals"]["spend_usd"] <= BUDGET
