"""Helpers for the agent tests: a gateway with the agent on, SSE parsing, a local web server."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
from typing import Any

import httpx
import yaml
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

REPO = Path(__file__).resolve().parents[2]
KEYS = [
    {"key_id": "dev", "key": "sk-dev-agent", "role": "developer"},
    {"key_id": "other", "key": "sk-other-agent", "role": "developer"},
]
DEV = "sk-dev-agent"


def policy_data(tmp: Path, extra_hosts: list[str]) -> Path:
    """The repository's policy data with the test web server's host on the URL allowlist."""
    out = tmp / "policy-data"
    out.mkdir(exist_ok=True)
    for f in (REPO / "policies" / "data").glob("*.yaml"):
        data = yaml.safe_load(f.read_text())
        if f.name == "constraints.yaml":
            hosts = data["keepgate"]["constraints"]["url_host"]["http_get"]["allowed_hosts"]
            hosts.extend(extra_hosts)
        (out / f.name).write_text(yaml.safe_dump(data))
    return out


def agent_config(
    tmp: Path,
    *,
    backend: str = "sqlite",
    redis_url: str | None = None,
    prefix: str = "kgtest:unset:",
    web_host: str = "127.0.0.1",
    input_guard: bool = True,
    agent: dict[str, Any] | None = None,
    extra_guards: dict[str, Any] | None = None,
) -> dict[str, Any]:
    checkpoints: dict[str, Any] = {"backend": backend, "path": str(tmp / "runs.db")}
    if backend == "redis":
        checkpoints.update(redis_url=redis_url, prefix=prefix)
    section = {
        "checkpoints": checkpoints,
        "tools": {
            "http_get": {
                "timeout_s": 30.0,  # tests about timeouts hang the tool, not race this
                "retries": 2,
                "backoff_s": 0.01,
                "options": {"allowed_hosts": [web_host]},
            },
            "send_email": {"options": {"outbox": str(tmp / "outbox.jsonl")}},
            "sql_query": {"options": {"db_path": str(tmp / "demo.db")}},
        },
    }
    for k, v in (agent or {}).items():
        section[k] = {**section.get(k, {}), **v} if isinstance(v, dict) else v
    guards: dict[str, Any] = {
        "policy": {
            "enabled": True,
            "hot_reload": False,
            "data_dirs": [str(policy_data(tmp, [web_host]))],
        },
        "input": {"enabled": input_guard},
    }
    guards.update(extra_guards or {})
    return {"keys": KEYS, "guards": guards, "agent": section}


def fake(*turns: dict[str, Any]) -> dict[str, Any]:
    """model_params that script the fake model turn by turn."""
    return {"fake": {"turns": list(turns)}}


def call(name: str, id: str | None = None, **arguments: Any) -> dict[str, Any]:
    return {
        "name": name,
        "id": id or f"call_{name}_{abs(hash(json.dumps(arguments))) % 10**8}",
        "arguments": arguments,
    }


def parse_sse(lines: list[str]) -> list[dict[str, Any]]:
    events = []
    for line in lines:
        if line.startswith("data: ") and line != "data: [DONE]":
            events.append(json.loads(line[6:]))
    return events


def run(
    gw: Any,
    key: str,
    body: dict[str, Any] | None,
    path: str = "/v1/agent/runs",
    until: str | None = None,
) -> list[dict[str, Any]]:
    """Start (or resume, or with body None re-attach to) a run on gateway `gw` (a `Gateway`,
    or the URL of a real server); read its SSE stream to the end (or to event `until`)."""
    lines: list[str] = []
    client = (
        httpx.Client(base_url=gw, timeout=30) if isinstance(gw, str) else gw.http_client(timeout=30)
    )
    with client as c:
        with c.stream(
            "GET" if body is None else "POST",
            path,
            json=body,
            headers={"authorization": f"Bearer {key}"},
        ) as r:
            assert r.status_code == 200, r.read()
            assert r.headers["content-type"].startswith("text/event-stream")
            for line in r.iter_lines():
                lines.append(line)
                if until and line.startswith("data: {") and json.loads(line[6:])["type"] == until:
                    break
    return parse_sse(lines)


def types(events: list[dict[str, Any]]) -> list[str]:
    return [e["type"] for e in events if e["type"] != "model.delta"]


def of(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == kind]


def web_app(state: dict[str, Any]) -> Starlette:
    """/slow-once hangs on its first request (longer than the tool timeout), then answers;
    `state["on_first_hit"]`, if set, is called when that first request arrives."""

    async def slow_once(request: Request) -> PlainTextResponse:
        state["hits"] = state.get("hits", 0) + 1
        if state["hits"] == 1:
            if "on_first_hit" in state:
                state["on_first_hit"]()
            released = state["released"] = asyncio.Event()  # set when the server stops
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(released.wait(), float(state.get("hang_s", 2.0)))
        return PlainTextResponse("weather: sunny, 21C")

    async def hang(request: Request) -> PlainTextResponse:
        """Hangs until the test sets state["hang_ok"]."""
        state["hang_hits"] = state.get("hang_hits", 0) + 1
        for _ in range(600):
            if state.get("hang_ok"):
                break
            await asyncio.sleep(0.05)
        return PlainTextResponse("all systems operational")

    async def page(request: Request) -> PlainTextResponse:
        state["page_hits"] = state.get("page_hits", 0) + 1
        return PlainTextResponse("the status page says: all systems operational")

    return Starlette(
        routes=[Route("/slow-once", slow_once), Route("/hang", hang), Route("/page", page)]
    )
