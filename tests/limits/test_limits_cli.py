"""`keepgate keys usage` against a real gateway."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from keepgate import cli

pytestmark = pytest.mark.real_http  # the CLI is a separate process / HTTP client

MSG = [{"role": "user", "content": "hello"}]


@pytest.fixture(scope="module")
def keepgate():
    cli._register_lazy()
    runner = CliRunner()

    def run(*args: str, env: dict | None = None):
        return runner.invoke(
            cli.app,
            list(args),
            env={"KEEPGATE_API_KEY": None, "KEEPGATE_MASTER_KEY": None, **(env or {})},
        )

    return run


@pytest.fixture
def gw(gateway_factory):
    gw = gateway_factory(
        {
            "guards": {"limits": {"enabled": True}},
            "keys": [
                {
                    "key_id": "alice",
                    "key": "sk-alice",
                    "team": "t1",
                    "limits": {"requests_per_minute": 10, "budget_usd": 1.5},
                },
                {"key_id": "bob", "key": "sk-bob"},
            ],
            "teams": [{"team": "t1", "limits": {"tokens_per_minute": 100_000}}],
        }
    )
    gw.client("sk-alice").chat.completions.create(
        model="demo",
        messages=MSG,
        max_tokens=10,
        extra_body={"fake": {"usage": {"prompt_tokens": 100, "completion_tokens": 10}}},
    )
    return gw


def test_lists_every_key_with_spend_and_limits(keepgate, gw):
    r = keepgate("keys", "usage", "--url", gw.base_url, "--api-key", gw.master_key)
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].split()[:5] == ["subject", "requests", "blocked", "tokens", "spend_usd"]
    alice = next(line for line in lines if line.startswith("key:alice")).split()
    assert alice[1:5] == ["1", "0", "110", "0.00012"]  # 100 * $1e-6 + 10 * $2e-6
    assert "requests_per_minute 9/10" in r.output
    assert "budget_usd 1.49988/1.5" in r.output
    assert any(line.strip().startswith("team:t1") and "tokens_per_minute" in line for line in lines)
    assert any(line.startswith("key:bob") and "no limits" in line for line in lines)


def test_one_key_as_json_and_self_with_a_plain_key(keepgate, gw):
    r = keepgate(
        "keys",
        "usage",
        "alice",
        "--json",
        "--url",
        gw.url,
        env={"KEEPGATE_MASTER_KEY": gw.master_key},
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["totals"]["spend_usd"] == pytest.approx(0.00012)
    r = keepgate("keys", "usage", "self", "--url", gw.url, "--api-key", "sk-alice")
    assert r.exit_code == 0 and r.output.startswith("subject")
    assert "key:alice" in r.output


def test_errors_are_clear(keepgate, gw):
    r = keepgate("keys", "usage", "--url", gw.url, "--api-key", "sk-alice")
    assert r.exit_code == 1 and "403" in r.output and "admin" in r.output
    r = keepgate("keys", "usage", "nobody", "--url", gw.url, "--api-key", gw.master_key)
    assert r.exit_code == 1 and "No key with id 'nobody'" in r.output
    r = keepgate("keys", "usage", "--url", gw.url)
    assert r.exit_code == 2 and "--api-key" in r.output
