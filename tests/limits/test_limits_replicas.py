"""Several gateway processes share one Redis budget: 200 concurrent calls, no overdraw."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import openai
import pytest
import yaml

from keepgate.auth.keys import hash_key
from tests.servers import free_port

pytestmark = pytest.mark.asyncio(loop_scope="session")

MASTER = "sk-test-master-replicas"
USD_PER_HOUR = 0.05
REPLICAS = 3


def _config(fake_model_url: str, redis_url: str, namespace: str) -> dict:
    return {
        "model_list": [
            {
                "model_name": "demo",
                "litellm_params": {"model": "openai/demo", "api_base": fake_model_url},
                "model_info": {"input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6},
            }
        ],
        "general_settings": {
            "master_key": MASTER,
            "num_retries": 0,
            "audit_log": None,
            "log_level": "WARNING",
        },
        "keys": [
            {
                "key_id": "alice",
                "key_hash": "sha256:" + hash_key("sk-alice"),
                "limits": {"usd_per_hour": USD_PER_HOUR, "requests_per_minute": 10_000},
            },
            {"key_id": "warm", "key_hash": "sha256:" + hash_key("sk-warm")},
        ],
        "guards": {
            "input": {"enabled": False},
            "pii": {"enabled": False},
            "policy": {"enabled": False},
            "limits": {"backend": "redis", "redis_url": redis_url, "namespace": namespace},
        },
    }


@pytest.fixture
def replicas(tmp_path: Path, fake_model_url: str, redis_url: str, redis_prefix: str):
    namespace = redis_prefix.rstrip(":")
    path = tmp_path / "keepgate.yaml"
    path.write_text(yaml.safe_dump(_config(fake_model_url, redis_url, namespace)))
    exe = Path(sys.executable).with_name("keepgate")
    procs, urls = [], []
    for _ in range(REPLICAS):
        port = free_port()
        procs.append(
            subprocess.Popen(
                [str(exe), "serve", "--config", str(path), "--port", str(port)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env={**os.environ, "KEEPGATE_CONFIG": ""},
            )
        )
        urls.append(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 300  # three processes starting at once on a loaded 2-core box
    for proc, url in zip(procs, urls):
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=0.5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                err = proc.stderr.read().decode() if proc.poll() is not None else "timeout"
                for p in procs:
                    p.kill()
                pytest.fail(f"gateway replica did not start: {err[-2000:]}")
            time.sleep(0.1)
    yield urls
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
    import redis

    r = redis.Redis.from_url(redis_url)
    keys = list(r.scan_iter(f"{namespace}:*"))
    if keys:
        r.delete(*keys)


async def _warm_up(urls: list[str]) -> None:
    """One call per replica first (tokenizer and connections loaded), so no replica is
    seconds behind the others when the burst starts and the budget race is a real one."""

    async def one(url: str) -> None:
        async with openai.AsyncOpenAI(
            base_url=url + "/v1", api_key="sk-warm", max_retries=0, timeout=30
        ) as c:
            await c.chat.completions.create(
                model="demo", max_tokens=5, messages=[{"role": "user", "content": "hi"}]
            )

    await asyncio.gather(*[one(u) for u in urls])


async def test_200_concurrent_calls_on_three_replicas_never_overdraw(replicas):
    await _warm_up(replicas)
    clients = [
        openai.AsyncOpenAI(base_url=u + "/v1", api_key="sk-alice", max_retries=0, timeout=30)
        for u in replicas
    ]

    async def one(i: int) -> tuple[int, str]:
        try:
            await clients[i % REPLICAS].chat.completions.create(
                model="demo",
                messages=[{"role": "user", "content": "hello"}],
                max_tokens=1000,
                extra_body={
                    "fake": {
                        "reply": "ok",
                        "usage": {"prompt_tokens": 8, "completion_tokens": 1000},
                    }
                },
            )
            return 200, replicas[i % REPLICAS]
        except openai.APIStatusError as exc:  # 429 expected; anything else fails below
            return exc.status_code, f"{replicas[i % REPLICAS]}: {exc.message}"

    t0 = time.monotonic()
    results = await asyncio.gather(*[one(i) for i in range(200)])
    elapsed = time.monotonic() - t0
    for c in clients:
        await c.close()
    ok = [url for status, url in results if status == 200]
    unexpected = [(s, why) for s, why in results if s not in (200, 429)]
    assert not unexpected, unexpected[:3]
    usage = httpx.get(
        replicas[0] + "/admin/keys/alice/usage", headers={"Authorization": f"Bearer {MASTER}"}
    ).json()
    spend = usage["totals"]["spend_usd"]
    # Each call costs ~$0.002008; the hour's $0.05 allows 24 (plus what refilled meanwhile).
    refill = USD_PER_HOUR / 3600 * (elapsed + 1)
    assert spend <= USD_PER_HOUR + refill
    assert spend == pytest.approx(len(ok) * (8e-6 + 1000 * 2e-6))
    assert 20 <= len(ok) <= 25
    assert usage["totals"]["requests"] == len(ok)
    assert usage["totals"]["blocked"] == 200 - len(ok)
    # The budget really is shared between the processes: whichever replicas spent it (one
    # fast replica may win the whole race), every replica now refuses the next call.
    for url in replicas:
        async with openai.AsyncOpenAI(
            base_url=url + "/v1", api_key="sk-alice", max_retries=0, timeout=30
        ) as c:
            with pytest.raises(openai.RateLimitError):
                await c.chat.completions.create(
                    model="demo",
                    max_tokens=1000,
                    messages=[{"role": "user", "content": "one more"}],
                )
