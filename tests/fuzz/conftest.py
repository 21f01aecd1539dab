"""One gateway with every part on (all guards, limits on Redis, the agent, MCP, the UI,
the response store) in front of the fake model, for the whole fuzz module."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.conftest import SESSION_PREFIX, Gateway, base_config
from tests.mcp.conftest import start_gateway

DEV = "sk-fuzz-dev-0123456789"


@pytest.fixture(scope="module")
def fuzz_gateway(
    fake_model_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Gateway]:
    tmp: Path = tmp_path_factory.mktemp("fuzz")
    namespace = f"{SESSION_PREFIX}fuzz:{uuid.uuid4().hex[:8]}"
    models = base_config(fake_model_url)["model_list"] + [
        # Deployments that speak Responses / Messages natively: the request passes through
        # and the native events (and their usage) are read back.
        {
            "model_name": "demo-responses",
            "litellm_params": {
                "model": "openai/demo",
                "api_base": fake_model_url,
                "api": "responses",
            },
            "model_info": {"input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6},
        },
        {
            "model_name": "claude-demo",
            "litellm_params": {"model": "anthropic/demo", "api_base": fake_model_url},
            "model_info": {"input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6},
        },
    ]
    cfg = {
        "model_list": models,
        "keys": [{"key_id": "dev", "key": DEV, "role": "developer"}],
        "general_settings": {
            "forward_unknown_fields": True,
            "response_store": {"backend": "memory"},
        },
        "guards": {
            "input": {"enabled": True},
            "pii": {"enabled": True},
            "policy": {"enabled": True},
            "limits": {
                "enabled": True,
                "backend": "redis",
                "redis_url": redis_url,
                "namespace": namespace,
                "usage_ttl_days": 0.01,
            },
        },
        "agent": {
            "checkpoints": {"backend": "sqlite", "path": str(tmp / "runs.db")},
            "tools": {
                "send_email": {"options": {"outbox": str(tmp / "outbox.jsonl")}},
                "sql_query": {"options": {"db_path": str(tmp / "demo.db")}},
            },
        },
        "mcp_servers": {"demo": {"url": "builtin://demo-mcp"}},
        "mcp": {"store": {"backend": "memory"}},
        "observability": {"ui": {"enabled": True}},
    }
    gw = start_gateway(fake_model_url, tmp, cfg)
    yield gw
    gw.stop()
    r = redis.Redis.from_url(redis_url)
    keys = list(r.scan_iter(match=namespace + "*", count=1000))
    if keys:
        r.delete(*keys)
