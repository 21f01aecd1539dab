"""Spend limits: what the limiter costs per call, per backend, and whether it overspends.

    .venv/bin/python bench/limits.py [--quick] [--redis-url redis://127.0.0.1:6379/0]

Everything runs in one process, interleaved, against the same fake upstream:

1. store operations: reserve and settle latency (p50/p99) for the in-process and the Redis
   backend, and the Redis commands each operation sends (target: one EVALSHA);
2. per chat call through the gateway app (ASGI, in process; the fake model on loopback):
   no limiter (the baseline) vs the limiter on each backend: p50 (best of 5 interleaved
   rounds, as the box may be busy) and p99; and the limiter's own time in those calls;
3. overshoot: 200 concurrent calls against one key's `usd_per_hour`, on each backend, and
   on Redis shared by three gateway runtimes (replicas) — money charged past the limit.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import keepgate  # noqa: E402,F401 - offline switches before litellm imports

import httpx  # noqa: E402
import uvloop  # noqa: E402

from bench.stats import pct, table  # noqa: E402
from keepgate.auth.keys import hash_key  # noqa: E402
from keepgate.config.load import validate_config  # noqa: E402
from keepgate.config.model import KeepgateConfig  # noqa: E402
from keepgate.fake_model.serve import BackgroundFakeModel  # noqa: E402
from keepgate.limits.backend import Actual, Amounts  # noqa: E402
from keepgate.limits.local import LocalBackend  # noqa: E402
from keepgate.limits.redis_backend import RedisBackend  # noqa: E402
from keepgate.limits.spec import Subject, parse_caps  # noqa: E402

MASTER = "sk-bench-master"
MSG = [{"role": "user", "content": "Summarise the quarterly report in three bullet points."}]


async def cleanup(url: str, prefix: str) -> None:
    b = RedisBackend(url, prefix=prefix)
    keys = [k async for k in b.client.scan_iter(f"{prefix}:*")]
    if keys:
        await b.client.delete(*keys)
    await b.aclose()


# -- 1. store operations --------------------------------------------------------------------


class CountingRedis(RedisBackend):
    """Counts the commands the backend sends, to show one round trip per operation."""

    commands = 0

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        original = self.client.execute_command

        async def counted(*args: Any, **kwargs: Any) -> Any:
            CountingRedis.commands += 1
            return await original(*args, **kwargs)

        self.client.execute_command = counted  # type: ignore[method-assign]


async def store_ops(redis_url: str, n: int) -> list[list[Any]]:
    prefix = f"kgbench:{uuid.uuid4().hex[:8]}"
    backends = {"memory": LocalBackend(), "redis": CountingRedis(redis_url, prefix=prefix)}
    subjects = [
        Subject.of(
            "key",
            "alice",
            parse_caps({"requests_per_minute": 1e9, "tokens_per_minute": 1e12, "usd_per_day": 1e9}),
        ),
        Subject.of("team", "t1", parse_caps({"usd_per_month": 1e9})),
    ]
    need, delta = Amounts(1, 1200, 0.0024), Amounts(0, -600, -0.0012)
    actual = Actual(200, 400, 0.0012, "demo")
    times: dict[str, dict[str, list[float]]] = {k: {"reserve": [], "settle": []} for k in backends}
    for b in backends.values():  # warm: script loaded, connection open
        await b.reserve(subjects, need)
        await b.settle(subjects, delta, actual)
    CountingRedis.commands = 0
    for _ in range(n):
        for name, b in backends.items():
            t0 = time.perf_counter()
            r = await b.reserve(subjects, need)
            t1 = time.perf_counter()
            await b.settle(subjects, delta, actual)
            t2 = time.perf_counter()
            assert r.allowed
            times[name]["reserve"].append(t1 - t0)
            times[name]["settle"].append(t2 - t1)
    per_op = CountingRedis.commands / (2 * n)
    rows = []
    for name in backends:
        for op in ("reserve", "settle"):
            s = times[name][op]
            rows.append(
                [
                    name,
                    op,
                    f"{pct(s, 50) * 1e3:.3f}",
                    f"{pct(s, 99) * 1e3:.3f}",
                    f"{per_op:g}" if name == "redis" else "0",
                ]
            )
    await backends["redis"].aclose()
    await cleanup(redis_url, prefix)
    return rows


# -- 2. per call through the gateway --------------------------------------------------------


def config(
    upstream: str, limits: dict[str, Any] | None, key_limits: dict[str, Any]
) -> KeepgateConfig:
    guards: dict[str, Any] = {g: {"enabled": False} for g in ("input", "pii", "policy")}
    guards["limits"] = limits or {"enabled": False}
    return validate_config(
        {
            "model_list": [
                {
                    "model_name": "demo",
                    "litellm_params": {"model": "openai/gpt-4o-mini", "api_base": upstream},
                    "model_info": {"input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6},
                }
            ],
            "general_settings": {"master_key": MASTER, "num_retries": 0, "audit_log": None},
            "keys": [
                {
                    "key_id": "alice",
                    "key_hash": "sha256:" + hash_key("sk-alice"),
                    "team": "t1",
                    "limits": key_limits,
                }
            ],
            "teams": [{"team": "t1", "limits": {"usd_per_month": 1000}}],
            "guards": guards,
        }
    )


class InProcessGateway:
    """The real app, driven over ASGI in this process (no sockets between client and app)."""

    def __init__(self, cfg: KeepgateConfig) -> None:
        from keepgate.app import create_app

        self.app = create_app(cfg)
        self.rt = self.app.state.keepgate
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),
            base_url="http://gw",
            timeout=60,
            headers={"Authorization": "Bearer sk-alice"},
        )

    async def chat(self, **body: Any) -> httpx.Response:
        return await self.client.post(
            "/v1/chat/completions", json={"model": "demo", "messages": MSG, **body}
        )

    async def aclose(self) -> None:
        await self.client.aclose()
        for g in self.rt.guards:
            await g.aclose()
        await self.rt.upstream.aclose()


async def per_call(
    upstream: str, redis_url: str, n: int, rounds: int = 5
) -> tuple[list[list[Any]], list[list[Any]]]:
    """End to end per call (best-of-rounds p50, overall p99) and the limiter's own work
    (its request and settle hooks, timed inside the same calls)."""
    generous = {"requests_per_minute": 1e9, "tokens_per_minute": 1e12, "usd_per_day": 1e9}
    prefix = f"kgbench:{uuid.uuid4().hex[:8]}"
    gws = {
        "no limiter": InProcessGateway(config(upstream, None, generous)),
        "memory": InProcessGateway(config(upstream, {"backend": "local"}, generous)),
        "redis": InProcessGateway(
            config(
                upstream,
                {"backend": "redis", "redis_url": redis_url, "namespace": prefix},
                generous,
            )
        ),
    }
    hooks: dict[str, list[float]] = {"memory": [], "redis": []}
    for name in hooks:
        timed(gws[name].rt.guards[0], hooks[name])
    body = {
        "max_tokens": 64,
        "fake": {
            "reply": "three bullets " * 8,
            "usage": {"prompt_tokens": 20, "completion_tokens": 30},
        },
    }
    for gw in gws.values():
        for _ in range(20):
            assert (await gw.chat(**body)).status_code == 200
    for h in hooks.values():
        h.clear()
    samples: dict[str, list[float]] = {k: [] for k in gws}
    best50: dict[str, float] = {k: float("inf") for k in gws}
    hook50: dict[str, float] = {k: float("inf") for k in hooks}
    for _ in range(rounds):
        marks = {k: len(h) for k, h in hooks.items()}
        this: dict[str, list[float]] = {k: [] for k in gws}
        for _ in range(max(1, n // rounds)):
            for name, gw in gws.items():
                t0 = time.perf_counter()
                r = await gw.chat(**body)
                this[name].append(time.perf_counter() - t0)
                assert r.status_code == 200, r.text
        for name, s in this.items():
            samples[name] += s
            best50[name] = min(best50[name], statistics.median(s))
        for name, h in hooks.items():
            hook50[name] = min(hook50[name], statistics.median(h[marks[name] :]))
    base50, base99 = best50["no limiter"], pct(samples["no limiter"], 99)
    e2e = []
    for name, s in samples.items():
        p50, p99 = best50[name], pct(s, 99)
        e2e.append(
            [
                name,
                f"{p50 * 1e3:.3f}",
                f"{p99 * 1e3:.3f}",
                f"{(p50 - base50) * 1e3:+.3f}",
                f"{p50 / base50:.2f}x",
                f"{(p99 - base99) * 1e3:+.3f}",
            ]
        )
    own = [
        [
            name,
            f"{hook50[name] * 1e3:.3f}",
            f"{pct(h, 99) * 1e3:.3f}",
            f"{hook50[name] / base50 * 100:.1f}%",
        ]
        for name, h in hooks.items()
    ]
    for gw in gws.values():
        await gw.aclose()
    await cleanup(redis_url, prefix)
    return e2e, own


def timed(guard: Any, out: list[float]) -> None:
    """Wrap the limits guard's hooks to add up its own time per call."""
    check, finish = guard.check_request, guard.finish
    started: dict[int, float] = {}

    async def check_request(call: Any) -> None:
        t0 = time.perf_counter()
        try:
            await check(call)
        finally:
            started[id(call)] = time.perf_counter() - t0

    async def settle(call: Any, outcome: Any) -> None:
        t0 = time.perf_counter()
        await finish(call, outcome)
        out.append(started.pop(id(call), 0.0) + time.perf_counter() - t0)

    guard.check_request, guard.finish = check_request, settle


# -- 3. overshoot under concurrency ---------------------------------------------------------


async def overshoot(upstream: str, redis_url: str, calls: int) -> list[list[Any]]:
    """Money charged past the limit. Reserved amounts never overdraw; what the upstream
    reports beyond the reservation (here: a prompt far longer than the tokenizer counted)
    can, by at most (calls in flight) x (excess per call) — the last row shows that bound."""
    from keepgate.limits.estimate import prompt_tokens

    limit = 0.05  # USD per hour; each call reserves ~$0.002008
    estimated = prompt_tokens("gpt-4o-mini", {"messages": MSG})
    key_limits = {"usd_per_hour": limit, "requests_per_minute": 1e6}
    rows = []
    for label, backend, replicas, prompt in (
        ("memory", "local", 1, 8),
        ("redis", "redis", 1, 8),
        ("redis, 3 replicas", "redis", 3, 8),
        ("redis, 3 replicas, prompt 600 > est.", "redis", 3, 600),
    ):
        body = {
            "max_tokens": 1000,
            "fake": {"reply": "ok", "usage": {"prompt_tokens": prompt, "completion_tokens": 1000}},
        }
        prefix = f"kgbench:{uuid.uuid4().hex[:8]}"
        section = {"backend": backend, "redis_url": redis_url, "namespace": prefix}
        gws = [InProcessGateway(config(upstream, section, key_limits)) for _ in range(replicas)]
        t0 = time.perf_counter()
        res = await asyncio.gather(*[gws[i % replicas].chat(**body) for i in range(calls)])
        elapsed = time.perf_counter() - t0
        ok = sum(r.status_code == 200 for r in res)
        refused = sum(r.status_code == 429 for r in res)
        assert ok + refused == calls, {r.status_code for r in res}
        usage = (await gws[0].client.get("/v1/keys/self/usage")).json()
        spent = usage["totals"]["spend_usd"]
        excess = max(0, prompt - estimated) * 1e-6  # input price $1e-6 a token
        refill = limit / 3600 * elapsed
        over = max(0.0, spent - limit - refill)
        rows.append(
            [
                label,
                calls,
                ok,
                refused,
                f"{spent:.6f}",
                f"{limit:.6f}",
                f"{refill:.6f}",
                f"{over:.6f}",
                f"{ok * excess:.6f}",
            ]
        )
        for gw in gws:
            await gw.aclose()
        if backend == "redis":
            await cleanup(redis_url, prefix)
    return rows


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer iterations")
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    args = ap.parse_args()
    n_ops, n_calls = (300, 100) if args.quick else (3000, 600)
    logging.getLogger("keepgate").setLevel(logging.ERROR)  # start-up notices of other parts
    fake = BackgroundFakeModel()
    await fake.start()
    try:
        print(f"\n## 1. Store operations ({n_ops} reserve+settle pairs, key + team, ms)\n")
        print(
            table(
                ["backend", "op", "p50 ms", "p99 ms", "redis cmds/op"],
                await store_ops(args.redis_url, n_ops),
            )
        )
        print(
            f"\n## 2. Per chat call through the gateway ({n_calls} calls each, interleaved, ms)\n"
        )
        e2e, own = await per_call(fake.url, args.redis_url, n_calls)
        print(
            table(["limiter", "p50 ms", "p99 ms", "p50 overhead", "p50 ratio", "p99 overhead"], e2e)
        )
        print("\nThe limiter's own work in those calls (reserve hook + settle hook):\n")
        print(table(["backend", "p50 ms", "p99 ms", "share of baseline p50"], own))
        print("\n## 3. Overshoot: 200 concurrent calls, usd_per_hour $0.05, ~$0.002 each\n")
        print(
            table(
                [
                    "backend",
                    "calls",
                    "200",
                    "429",
                    "spent $",
                    "limit $",
                    "refill $",
                    "overshoot $",
                    "bound $",
                ],
                await overshoot(fake.url, args.redis_url, 200),
            )
        )
    finally:
        await fake.stop()


if __name__ == "__main__":
    uvloop.run(main())  # the loop `keepgate serve` uses
