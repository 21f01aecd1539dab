"""The keepgate.yaml the chart renders is one the gateway accepts: the real
`keepgate config check` (which builds every guard, loading rules and policies) runs on it,
with the rules and policies ConfigMaps projected to disk as the pod would see them and the
container's environment as the Deployment and Secret define it."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from helm_chart_support import VALUE_SETS, Rendered

pytestmark = pytest.mark.slow(cpu_s=4.8)  # scheduled first: tests/conftest.py

KEEPGATE = str(Path(sys.executable).with_name("keepgate"))
#: Values of Secrets the chart does not create (existingSecret set-ups).
EXTERNAL_SECRETS = {
    ("redis-creds", "url"): "redis://redis.db:6379/1",
    ("kg-redis", "redis-password"): "p4ss",  # made by the redis subchart
    ("keepgate-creds", "KEEPGATE_MASTER_KEY"): "sk-kg-from-existing-secret",
}


@dataclass(frozen=True)
class Case:
    values: dict[str, Any]
    base: dict[str, Any] | None = None  # None: the external-Redis base of every value set
    ok: bool = True
    says: str = ""  # expected in the output
    subchart: bool = False  # render with charts/redis present (redis.enabled)


CASES: dict[str, Case] = {
    "bundled_redis_subchart": Case({}, base={}, subchart=True),
    "opa_sidecar_and_redis": Case(VALUE_SETS["defaults_external_redis"]),
    "embedded_single_replica": Case(VALUE_SETS["single_replica_embedded"], base={}),
    "redis_url_from_existing_secret": Case(VALUE_SETS["external_redis_existing_secret"]),
    "existing_secret": Case(VALUE_SETS["existing_secret"]),
    "full_config": Case(VALUE_SETS["full_config"], says="1 model(s), 1 key(s)"),
    "pii_patterns_only": Case(VALUE_SETS["pii_patterns_only"]),
    # pii.nlpModel reaches guards.pii.nlp_model: a model the image lacks fails the check.
    "pii_spacy_model_not_in_image": Case(
        {"pii": {"nlpModel": "en_core_web_sm"}}, ok=False, says="guards.pii.nlp_model"
    ),
    # Negative controls: a bad guard key and a bad extra rule pack must fail the check,
    # so a passing check means the rendered config and mounted files were really read.
    "bad_guard_option": Case(
        {"config": {"guards": {"policy": {"engine": "wasm"}}}}, ok=False, says="engine"
    ),
    "bad_mcp_server": Case(
        {
            "config": {
                "mcp_servers": {"files": {"url": "https://files-mcp.internal/mcp", "heders": {}}}
            }
        },
        ok=False,
        says="heders",
    ),
    "bad_rule_pack": Case(
        {"rules": {"extraPacks": {"broken.yaml": "rules:\n  - id: Bad Id\n    pattern: x\n"}}},
        ok=False,
        says="broken.yaml",
    ),
}


#: This case also runs through the installed `keepgate` executable, in its own process.
EXECUTABLE_CASE = "opa_sidecar_and_redis"


Prepared = tuple[Rendered, list[str], dict[str, str]]


def _prepare(render, chart_obj: Any, case: Case, root: Path) -> Prepared:
    """Render with the mounts pointed at `root`, project them there, write keepgate.yaml;
    return the render, the CLI arguments and the container's environment."""
    mounts = {
        "rules": {"mountPath": str(root / "rules")},
        "policies": {"mountPath": str(root / "policies")},
    }
    values = dict(case.values)
    for key, section in mounts.items():
        values[key] = {**values.get(key, {}), **section}
    out = render(values, base=case.base, chart_obj=chart_obj if case.subchart else None)
    mounted = {m["mountPath"] for m in out.container("keepgate")["volumeMounts"]}
    for section in mounts.values():
        if section["mountPath"] in mounted:
            out.write_mount("keepgate", section["mountPath"])
    config = root / "keepgate.yaml"
    config.write_text(out.keepgate_yaml(), encoding="utf-8")
    env = out.pod_env(external=EXTERNAL_SECRETS)
    env.update(KEEPGATE_CONFIG=str(config), HOME=str(root))
    return out, ["config", "check", "--config", str(config)], env


def _check_in_process(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """`keepgate ARGS` through the CLI's typer app with exactly the pod's KEEPGATE_*
    environment (the others unset), as the console script would see it."""
    from keepgate import cli

    cli._register_lazy()
    case_env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("KEEPGATE")}
    case_env.update(env)
    result = CliRunner().invoke(cli.app, args, env=case_env)
    output = result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        output += f"\n{type(result.exception).__name__}: {result.exception}"
    return result.exit_code, output


@pytest.fixture(scope="module")
def checked(render, chart_with_redis, tmp_path_factory) -> dict[str, tuple[Rendered, int, str]]:
    """Every case's (render, exit code, output). All cases run in this process through the
    CLI's typer app (the gateway's imports, litellm and Presidio, are seconds: paid once,
    not once per case); one also runs as the `keepgate` executable, side by side, and both
    ways must agree."""
    subchart, _ = chart_with_redis
    prepared = {
        name: _prepare(render, subchart, case, tmp_path_factory.mktemp(name))
        for name, case in CASES.items()
    }
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KEEPGATE")}
    _, args, env = prepared[EXECUTABLE_CASE]
    exe = subprocess.Popen(
        [KEEPGATE, *args],
        env={**clean, **env},
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    results = {name: _check_in_process(args, env) for name, (_, args, env) in prepared.items()}
    exe_output, _ = exe.communicate(timeout=300)
    assert [exe.returncode, exe_output.strip()] == [
        results[EXECUTABLE_CASE][0],
        results[EXECUTABLE_CASE][1].strip(),
    ]
    return {name: (prepared[name][0], *results[name]) for name in CASES}


@pytest.mark.parametrize("name", sorted(CASES))
def test_keepgate_config_check_on_the_rendered_config(checked, name: str) -> None:
    case = CASES[name]
    _, code, output = checked[name]
    assert (code, output.startswith("ok: ")) == ((0, True) if case.ok else (2, False)), output
    assert case.says in output, output


def test_rendered_config_is_minimal_and_wired(checked) -> None:
    out = checked["opa_sidecar_and_redis"][0]
    config = out.config()
    assert set(config) == {"general_settings", "guards", "agent", "mcp"}
    # MCP pins, sessions and approvals: shared by the replicas in Redis, else on /tmp.
    assert config["mcp"] == {"store": {"backend": "redis"}}
    assert checked["embedded_single_replica"][0].config()["mcp"] == {
        "store": {"path": "/tmp/keepgate-mcp.db"}
    }
    full = checked["full_config"][0].config()
    assert full["mcp_servers"]["files"]["headers"] == {
        "Authorization": "Bearer os.environ/FILES_MCP_TOKEN"
    }
    assert full["mcp"] == {"calls_per_minute": 60, "store": {"backend": "redis"}}
    assert config["general_settings"] == {"master_key": "os.environ/KEEPGATE_MASTER_KEY"}
    # 2 replicas (the default): each may spend half a limit if it ever falls back to local
    # buckets during a Redis outage (on_backend_error: fallback_local).
    assert config["guards"]["limits"] == {"backend": "redis", "fallback_share": 0.5}
    # Agent runs checkpoint where every replica sees them (and lease them there).
    assert config["agent"] == {"checkpoints": {"backend": "redis"}}
    policy = config["guards"]["policy"]
    assert policy["engine"] == "opa" and policy["opa"]["push"] is False
    opa_addr = next(a for a in out.container("opa")["args"] if a.startswith("--addr="))
    assert policy["opa"]["url"] == "http://" + opa_addr.removeprefix("--addr=")
    env = out.pod_env()
    assert env["KEEPGATE_MASTER_KEY"].startswith("sk-kg-")
    assert env["KEEPGATE_REDIS_URL"] == "redis://redis.db:6379/0"
    embedded = checked["embedded_single_replica"][0]
    assert "limits" not in embedded.config()["guards"]
    # No Redis: a SQLite file on the pod's writable /tmp, not beside the read-only config.
    assert embedded.config()["agent"] == {"checkpoints": {"path": "/tmp/keepgate-agent.db"}}
    tmp = next(
        m for m in embedded.container("keepgate")["volumeMounts"] if m["mountPath"] == "/tmp"
    )
    assert not tmp.get("readOnly")
    assert "KEEPGATE_REDIS_URL" not in embedded.pod_env()
    assert "pii" not in config["guards"]  # the shipped NER is the default: nothing to say
    assert checked["pii_patterns_only"][0].config()["guards"]["pii"] == {"nlp_model": "none"}
    bundled = checked["bundled_redis_subchart"][0]
    assert bundled.config()["guards"]["limits"] == {"backend": "redis", "fallback_share": 0.5}
    assert (
        bundled.pod_env(external=EXTERNAL_SECRETS)["KEEPGATE_REDIS_URL"]
        == "redis://:p4ss@kg-redis-master:6379/0"
    )
