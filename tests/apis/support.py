"""Shared set-up for the Responses / Messages route tests: deployments and clients.

Three deployments of the same fake model: `demo` speaks chat completions only (the
gateway translates), `demo-responses` is declared to speak the Responses API and
`claude-demo` is an `anthropic/...` model (both get requests passed through natively; the
fake model answers those APIs with its own implementation).
"""

from __future__ import annotations

import copy
import time
from typing import Any

import anthropic

PRICES = {"input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6}
#: Which deployment exercises which upstream leg, per route.
RESPONSES_MODELS = ["demo", "demo-responses"]
MESSAGES_MODELS = ["demo", "claude-demo"]
TOOLS_OPENAI = [
    {
        "type": "function",
        "name": n,
        "description": f"the {n} tool",
        "parameters": {"type": "object", "properties": {"q": {"type": "string"}}},
    }
    for n in ("search", "send_email", "get_weather", "transfer_money")
]
TOOLS_ANTHROPIC = [
    {
        "name": n,
        "description": f"the {n} tool",
        "input_schema": {"type": "object", "properties": {"q": {"type": "string"}}},
    }
    for n in ("search", "send_email", "get_weather", "transfer_money")
]
KEYS = [
    {"key_id": "alice", "key": "sk-alice", "role": "user", "team": "t1"},
    {"key_id": "gus", "key": "sk-gus", "role": "guest"},
]


def model_list(fake_url: str) -> list[dict[str, Any]]:
    return [
        {
            "model_name": "demo",
            "litellm_params": {"model": "openai/demo", "api_base": fake_url},
            "model_info": dict(PRICES),
        },
        {
            "model_name": "demo-responses",
            "litellm_params": {"model": "openai/demo", "api_base": fake_url, "api": "responses"},
            "model_info": dict(PRICES),
        },
        {
            "model_name": "claude-demo",
            "litellm_params": {"model": "anthropic/demo", "api_base": fake_url},
            "model_info": dict(PRICES),
        },
    ]


def start(gateway_factory: Any, fake_url: str, overrides: dict[str, Any] | None = None) -> Any:
    cfg = copy.deepcopy(overrides or {})
    cfg["model_list"] = model_list(fake_url)
    return gateway_factory(cfg)


def claude(gw: Any, key: str | None = None, **kw: Any) -> anthropic.Anthropic:
    return gw.anthropic_client(key, **kw)


def audit_for(gw: Any, route: str) -> list[dict[str, Any]]:
    return [line for line in gw.audit_lines() if line["route"] == route]


def wait_audit(gw: Any, n: int) -> list[dict[str, Any]]:
    """The audit lines once there are `n` (a streamed call's line is written just after its
    last byte, so it may trail the client a little)."""
    deadline = time.monotonic() + 60  # a bound on a hang, not a timing assert
    while len(gw.audit_lines()) < n and time.monotonic() < deadline:
        time.sleep(0.01)
    return gw.audit_lines()
