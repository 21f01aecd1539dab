"""Health, readiness, metrics, the audit log, config loading and the CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from keepgate.app import create_app
from keepgate.auth.keys import hash_key
from keepgate.config.load import ConfigError, load_config, parse_config

REPO = Path(__file__).resolve().parents[2]


def keepgate(*args: str) -> Result:
    """The `keepgate` CLI's own typer app, in this process (the console script itself runs
    in tests/serving, tests/helm and the packaging test)."""
    from keepgate import cli

    cli._register_lazy()
    return CliRunner().invoke(cli.app, list(args), env={"KEEPGATE_MASTER_KEY": None})


def test_health_ready_metrics(gateway):
    assert gateway.http.get("/healthz").json() == {"status": "ok"}
    ready = gateway.http.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    gateway.client().chat.completions.create(
        model="demo", messages=[{"role": "user", "content": "m"}]
    )
    text = gateway.http.get("/metrics").text
    assert re.search(
        r'keepgate_requests_total\{code="",model="demo",route="chat.completions",status="200"\} 1.0',
        text,
    )
    assert 'keepgate_tokens_total{key_id="master",kind="prompt",model="demo"}' in text
    assert "keepgate_request_duration_seconds_bucket" in text


def test_audit_line_per_call(gateway):
    gateway.client().chat.completions.create(
        model="demo", messages=[{"role": "user", "content": "secret text"}]
    )
    line = gateway.audit_lines()[-1]
    assert line["route"] == "chat.completions" and line["status"] == "ok"
    assert line["key_id"] == "master" and line["usage"]["completion_tokens"] > 0
    assert "secret text" not in gateway.audit_path.read_text()


def test_config_errors_name_file_and_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "model_list:\n  - model_name: x\n    litellm_params:\n      model: openai/x\n"
        "general_settings:\n  max_body_bytes: -5\n"
    )
    with pytest.raises(ConfigError) as exc:
        load_config(path, environ={})
    assert f"{path}:6" in str(exc.value) and "max_body_bytes" in str(exc.value)
    path.write_text("model_list: [\n")
    with pytest.raises(ConfigError, match=r"bad.yaml:\d+: invalid YAML"):
        load_config(path, environ={})
    path.write_text("observability:\n  tracing: {enabled: false}\n  tracng: {}\n")
    with pytest.raises(ConfigError) as exc:
        load_config(path, environ={})
    assert f"{path}:3" in str(exc.value) and "tracng" in str(exc.value)
    path.write_text("observability:\n  tracing:\n    sample_ratio: 7\n")
    with pytest.raises(ConfigError, match=rf"{path}:3: observability\.tracing\.sample_ratio"):
        create_app(load_config(path, environ={}))


def test_config_refuses_literal_provider_key():
    with pytest.raises(ConfigError, match="os.environ/NAME"):
        parse_config(
            "model_list:\n  - model_name: x\n    litellm_params:\n      model: openai/x\n"
            "      api_key: sk-literal\n",
            "k.yaml",
            environ={},
        )


def test_env_overrides():
    cfg = parse_config(
        "general_settings: {max_body_bytes: 10}\n",
        "k.yaml",
        environ={
            "KEEPGATE_MASTER_KEY": "sk-m",
            "KEEPGATE__GENERAL_SETTINGS__MAX_BODY_BYTES": "99",
            "KEEPGATE__GUARDS__PII__ENABLED": "false",
        },
    )
    assert cfg.master_key() == "sk-m"
    assert cfg.general_settings.max_body_bytes == 99
    assert cfg.guards.enabled("pii") is False


def test_demo_config_when_nothing_given():
    cfg = load_config(None, environ={})
    assert cfg.demo and cfg.deployment("demo") is not None


def test_cli_keys_create_prints_key_once_and_hash():
    res = keepgate("keys", "create", "--role", "support", "--id", "sup1")
    assert res.exit_code == 0, res.output
    out = res.stdout
    key = re.search(r"(sk-kg-\S+)", out).group(1)
    assert out.count(key) == 1
    assert f"sha256:{hash_key(key)}" in out and '"role": "support"' in out


def test_cli_config_check(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(
        "model_list:\n  - model_name: x\n    litellm_params: {model: openai/x, api_base: http://127.0.0.1:9/v1}\n"
        "guards: {input: {enabled: false}, pii: {enabled: false}, policy: {enabled: false}, limits: {enabled: false}}\n"
    )
    ok = keepgate("config", "check", "--config", str(good))
    assert ok.exit_code == 0, ok.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("keys:\n  - key_id: a\n    key_hash: nothex\n")
    res = keepgate("config", "check", "--config", str(bad))
    assert res.exit_code == 2 and f"{bad}:3" in res.stderr
    # Sections the agent and observability own are checked too, with their file:line.
    for text, where in (
        ("agent:\n  limits:\n    max_stepz: 3\n", "agent.limits.max_stepz"),
        ("observability:\n  tracing:\n    exporter: zipkin\n", "observability.tracing.exporter"),
    ):
        bad.write_text(good.read_text() + text)
        res = keepgate("config", "check", "--config", str(bad))
        assert res.exit_code == 2 and f"{bad}:7: {where}" in res.stderr, res.stderr
