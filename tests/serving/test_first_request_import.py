"""A gateway whose deployments need litellm imports it when the served app starts, never
inside a request: a first import there ran on the event loop, and every request the gateway
was serving, /healthz too, waited for its seconds of CPU (the route fuzzer's first Responses
call to an `anthropic/` deployment held the loop 14-25 s at load 12, past the fuzzer's 60 s
at load 45). A config that needs no litellm never imports it.

Each case runs in a fresh interpreter (tests/serving/first_request.py): this process has
imported litellm long ago. No time is measured: only in which phase the import happened."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ALL_GUARDS_OFF, MASTER_KEY

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow(cpu_s=12)

CHAT = {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 8}


def _served(
    tmp_path: Path, models: list[dict[str, Any]], model: str, **guards: Any
) -> dict[str, Any]:
    cfg = {
        "model_list": models,
        "general_settings": {
            "master_key": MASTER_KEY,
            "num_retries": 0,
            "offload": {"prestart": False},
        },
        "guards": {**json.loads(json.dumps(ALL_GUARDS_OFF)), **guards},
        "_request": {"model": model, **CHAT},
        "_fake": True,
    }
    path = tmp_path / "keepgate.json"
    path.write_text(json.dumps(cfg))
    out = subprocess.run(
        [sys.executable, "-m", "tests.serving.first_request", str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,  # a bound on a hang, not a timing assert
        env={**os.environ, "KG_FIRST_REQUEST_KEY": "sk-ant-test"},
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_a_deployment_through_litellm_imports_it_at_start_not_in_the_first_request(
    tmp_path: Path,
) -> None:
    models = [
        {
            "model_name": "claude-demo",
            "litellm_params": {
                "model": "anthropic/demo",
                "api_base": "",
                "api_key": "os.environ/KG_FIRST_REQUEST_KEY",
            },
            "model_info": {"input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6},
        }
    ]
    got = _served(tmp_path, models, "claude-demo")
    assert got["status"] == 200, got
    assert got["litellm"] == "start", got


def test_a_config_that_needs_no_litellm_never_imports_it(tmp_path: Path) -> None:
    models = [
        {
            "model_name": "demo",
            "litellm_params": {"model": "openai/demo", "api_base": "/v1"},
            "model_info": {"input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6},
        }
    ]
    got = _served(tmp_path, models, "demo")
    assert got["status"] == 200, got
    assert got["litellm"] == "never", got


def test_the_limits_guard_looks_up_a_deferred_output_ceiling_at_start(tmp_path: Path) -> None:
    """A direct deployment whose name litellm's map alone cannot place ('gpt-' names are
    generalised by litellm's rules): the limits guard's default max_tokens asks litellm."""
    models = [
        {
            "model_name": "demo",
            "litellm_params": {"model": "openai/gpt-zz-test", "api_base": "/v1"},
            "model_info": {"input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6},
        }
    ]
    got = _served(tmp_path, models, "demo", limits={"enabled": True, "backend": "local"})
    assert got["status"] == 200, got
    assert got["litellm"] == "start", got
