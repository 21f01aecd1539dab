"""Per-step overhead of the hosted agent loop, excluding model and tool time.

The upstream model is replaced by an in-process stub that yields a scripted tool call at once,
and the tool is a no-op; time spent inside both is measured and subtracted. What remains is
the loop's own work per step: the gateway pipeline (guards), the policy decision, the scan of
the tool result, memory trimming, events and checkpoints. The baseline is a bare
"tutorial" loop (call model, run tool, append messages) over the same stub, in this process.

    .venv/bin/python bench/agent.py [--steps 40] [--runs 5] [--redis redis://127.0.0.1:6379/0]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import keepgate  # noqa: F401 - offline switches first
from keepgate.agent.live import LiveRun
from keepgate.agent.service import AgentService
from keepgate.agent.settings import ToolSettings, parse_settings
from keepgate.agent.state import RunState
from keepgate.agent.tools.base import Tool
from keepgate.app import build_runtime
from keepgate.auth.principal import Principal
from keepgate.config.load import validate_config
from keepgate.config.model import KeepgateConfig

PRINCIPAL = Principal(key_id="bench", role="developer")


class Stub:
    """A scripted upstream: a tool call per turn until `steps`, then a reply."""

    def __init__(self, steps: int) -> None:
        self.steps = steps
        self.seconds = 0.0

    async def stream_chat(self, d: Any, body: dict[str, Any]) -> Any:
        t0 = time.perf_counter()
        turn = sum(1 for m in body["messages"] if m.get("role") == "assistant")
        self.seconds += time.perf_counter() - t0
        return self._chunks(turn)

    async def _chunks(self, turn: int) -> Any:
        t0 = time.perf_counter()
        base = {"id": "stub", "object": "chat.completion.chunk", "created": 0, "model": "m"}
        if turn + 1 < self.steps:
            delta = {
                "tool_calls": [
                    {
                        "index": 0,
                        "id": f"c{turn}",
                        "type": "function",
                        "function": {"name": "search", "arguments": json.dumps({"q": f"q{turn}"})},
                    }
                ]
            }
            finish = "tool_calls"
        else:
            delta, finish = {"content": "done"}, "stop"
        chunks = [
            {**base, "choices": [{"index": 0, "delta": {"role": "assistant"}}]},
            {**base, "choices": [{"index": 0, "delta": delta}]},
            {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]},
            {**base, "choices": [], "usage": {"prompt_tokens": 50, "completion_tokens": 5}},
        ]
        self.seconds += time.perf_counter() - t0
        for c in chunks:
            yield c

    async def aclose(self) -> None:
        return None


async def noop(args: dict[str, Any], ctx: Any) -> Any:
    return {"hits": [args["q"]]}


def tools() -> dict[str, Tool]:
    schema = {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]}
    return {"search": Tool("search", "search", schema, noop, ToolSettings(), True)}


def config(guards: dict[str, Any], agent: dict[str, Any]) -> KeepgateConfig:
    return validate_config(
        {
            "model_list": [
                {
                    "model_name": "m",
                    "litellm_params": {"model": "openai/m", "api_base": "http://stub"},
                    "model_info": {"input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6},
                }
            ],
            "general_settings": {"audit_log": None},
            "guards": {n: {"enabled": False} for n in ("limits", "input", "pii", "policy")}
            | guards,
            "agent": agent,
        }
    )


async def agent_once(cfg: KeepgateConfig, steps: int) -> float:
    rt = build_runtime(cfg)
    stub = Stub(steps)
    rt.upstream = stub  # type: ignore[assignment]
    svc = AgentService(rt, parse_settings(cfg), tools=tools())
    state = RunState(
        task="bench",
        model="m",
        key_id="bench",
        tools=["search"],
        limits={"max_steps": steps + 1, "timeout_s": 600, "max_spend_usd": 100, "max_repeats": 3},
    )
    state.messages = [{"role": "system", "content": "s"}, {"role": "user", "content": "bench"}]
    live = LiveRun(state, PRINCIPAL)
    t0 = time.perf_counter()
    await svc.loop.drive(live)
    total = time.perf_counter() - t0
    assert state.status == "completed", (state.status, state.reason, state.message)
    await svc.aclose()
    for g in rt.guards:
        await g.aclose()
    return (total - stub.seconds - live.tool_s) / steps


async def baseline_once(steps: int) -> float:
    """The loop a tutorial writes: no guards, no policy, no checkpoints, no events."""
    stub = Stub(steps)
    handler = tools()["search"].handler
    messages: list[dict[str, Any]] = [{"role": "user", "content": "bench"}]
    tool_s = 0.0
    t0 = time.perf_counter()
    while True:
        calls: dict[int, dict[str, Any]] = {}
        text = []
        async for chunk in await stub.stream_chat(None, {"messages": messages}):
            for ch in chunk.get("choices") or ():
                d = ch.get("delta") or {}
                text.append(d.get("content") or "")
                for tc in d.get("tool_calls") or ():
                    calls[tc["index"]] = tc
        messages.append(
            {
                "role": "assistant",
                "content": "".join(text) or None,
                "tool_calls": list(calls.values()) or None,
            }
        )
        if not calls:
            break
        for tc in calls.values():
            t1 = time.perf_counter()
            out = await handler(json.loads(tc["function"]["arguments"]), None)
            tool_s += time.perf_counter() - t1
            messages.append({"role": "tool", "tool_call_id": tc["id"], "content": json.dumps(out)})
    return (time.perf_counter() - t0 - stub.seconds - tool_s) / steps


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="kg-bench-agent-"))
    policy = {"policy": {"hot_reload": False}}
    guarded = {**policy, "input": {}, "pii": {}}

    def agent(backend: str) -> dict[str, Any]:
        cp: dict[str, Any] = {"backend": backend, "path": str(tmp / "runs.db")}
        if backend == "redis":
            cp.update(redis_url=a.redis, prefix=f"kg-bench-{uuid.uuid4().hex[:6]}:")
        return {"checkpoints": cp, "allow_without_policy": True}

    cases: list[tuple[str, Any]] = [
        ("bare tutorial loop (baseline)", lambda: baseline_once(a.steps)),
        (
            "agent, no guards, SQLite checkpoints",
            lambda: agent_once(config({}, agent("sqlite")), a.steps),
        ),
        (
            "agent + policy (embedded Rego)",
            lambda: agent_once(config(policy, agent("sqlite")), a.steps),
        ),
        (
            "agent + policy + input + pii guards",
            lambda: agent_once(config(guarded, agent("sqlite")), a.steps),
        ),
        (
            "agent + policy + input + pii, Redis checkpoints",
            lambda: agent_once(config(guarded, agent("redis")), a.steps),
        ),
    ]
    rows = []
    for name, fn in cases:
        try:
            await fn()  # warm-up: imports, rule packs, Rego compile
            samples = [await fn() for _ in range(a.runs)]
        except Exception as exc:  # noqa: BLE001 - e.g. no Redis here
            rows.append((name, None, f"skipped: {type(exc).__name__}: {exc}"[:60]))
            continue
        rows.append((name, statistics.median(samples), ""))
    base = rows[0][1] or 1e-9
    print(
        f"\nAgent loop overhead per step (model and tool time excluded), "
        f"{a.steps} steps x {a.runs} runs, median\n"
    )
    print(f"| {'configuration':<50} | {'µs/step':>9} | {'× baseline':>10} |")
    print(f"|{'-' * 52}|{'-' * 11}|{'-' * 12}|")
    for name, value, note in rows:
        if value is None:
            print(f"| {name:<50} | {'-':>9} | {note:>10} |")
        else:
            print(f"| {name:<50} | {value * 1e6:>9.1f} | {value / base:>10.1f} |")


if __name__ == "__main__":
    asyncio.run(main())
