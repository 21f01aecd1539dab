"""A typo anywhere under `guards:` stops start-up and says where it is (file:line).

Per-role and per-key overrides are where typos used to hide: `roles.support.on_deni: reject`
built without error and the role silently kept the default. Each guard's override section
is validated when the gateway starts, by the same models that read it."""

from __future__ import annotations

from pathlib import Path

import pytest

from keepgate.app import build_runtime
from keepgate.config.guards import GUARDS, GuardSpec
from keepgate.config.load import ConfigError, load_config
from keepgate.limits.settings import LimitsSettings
from keepgate.policy.settings import PolicySettings

HEAD = "model_list: []\nguards:\n"


def start(tmp_path: Path, body: str) -> None:
    path = tmp_path / "keepgate.yaml"
    path.write_text(HEAD + body)
    runtime = build_runtime(load_config(path, environ={}))
    pytest.fail(f"started with a bad config: {runtime!r}")


def located(tmp_path: Path, line: int) -> str:
    return rf"{tmp_path / 'keepgate.yaml'}:{line}\b"


@pytest.mark.parametrize(
    "guard, override",
    [
        ("policy", "on_deni: reject"),
        ("policy", "engine: opa"),  # a whole-gateway option is not a per-role one
        ("limits", "defults: {requests_per_minute: 5}"),
        ("input", "moed: monitor"),
        ("pii", "entitys: [EMAIL_ADDRESS]"),
    ],
)
@pytest.mark.parametrize("group", ["roles", "keys"])
def test_an_unknown_field_in_a_role_or_key_override_names_file_and_line(
    tmp_path: Path, guard: str, override: str, group: str
) -> None:
    field = override.split(":")[0]
    with pytest.raises(ConfigError, match=located(tmp_path, 6)) as err:
        start(tmp_path, f"  {guard}:\n    {group}:\n      support:\n        {override}\n")
    assert field in str(err.value)


@pytest.mark.parametrize(
    "guard, override",
    [
        ("policy", "on_deny: rejct"),
        ("limits", "defaults: {requests_per_minute: lots}"),
        ("input", "classifier: {threshold: high}"),
        ("pii", "entities: [NOT_AN_ENTITY]"),
    ],
)
def test_a_bad_value_in_a_role_override_names_file_and_line(
    tmp_path: Path, guard: str, override: str
) -> None:
    with pytest.raises(ConfigError, match=located(tmp_path, 6)):
        start(tmp_path, f"  {guard}:\n    roles:\n      support:\n        {override}\n")


def test_an_unknown_guard_names_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=located(tmp_path, 4)) as err:
        start(tmp_path, "  polcy:\n    on_deny: reject\n")
    assert "guards.polcy: no such guard" in str(err.value)


def test_valid_overrides_start(tmp_path: Path) -> None:
    path = tmp_path / "keepgate.yaml"
    path.write_text(
        HEAD + "  policy:\n    roles: {support: {on_deny: reject}}\n"
        "    keys: {ci: {check_tool_messages: false}}\n"
        "  limits:\n    roles: {support: {defaults: {requests_per_minute: 5}}}\n"
        "  input:\n    roles: {support: {mode: monitor, classifier: {threshold: 0.9}}}\n"
        "  pii:\n    roles: {support: {entities: [EMAIL_ADDRESS]}}\n"
    )
    runtime = build_runtime(load_config(path, environ={}))
    assert {g.name for g in runtime.guards} >= {"policy", "limits", "input", "pii"}


@pytest.mark.parametrize(
    "body, line, field",
    [
        ("  policy:\n    opa:\n      urll: http://opa:8181\n", 5, "urll"),
        ("  policy:\n    tool_ids:\n      ttl: 5\n", 5, "ttl"),
        ("  input:\n    classifier:\n      threshhold: 0.9\n", 5, "threshhold"),
        ("  input:\n    judge:\n      modle: demo\n", 5, "modle"),
        ("  pii:\n    operators:\n      EMAIL_ADDRESS: {typ: hash}\n", 5, "typ"),
        ("  limits:\n    defaults:\n      requests_per_minut: 5\n", 5, "requests_per_minut"),
    ],
)
def test_an_unknown_nested_field_in_a_guard_section_names_file_and_line(
    tmp_path: Path, body: str, line: int, field: str
) -> None:
    with pytest.raises(ConfigError, match=located(tmp_path, line)) as err:
        start(tmp_path, body)
    assert field in str(err.value)


@pytest.mark.parametrize("spec", GUARDS, ids=lambda s: s.name)
@pytest.mark.parametrize("group", ["roles", "keys"])
def test_every_registered_guard_refuses_an_unknown_override_field_when_the_config_loads(
    tmp_path: Path, spec: GuardSpec, group: str
) -> None:
    """Typed from the registry, so a guard added there is covered without a new case here:
    the loader itself refuses the typo (before any guard is built), with file and line."""
    path = tmp_path / "keepgate.yaml"
    path.write_text(
        f"{HEAD}  {spec.name}:\n    {group}:\n      support:\n        no_such_option: 1\n"
    )
    with pytest.raises(ConfigError, match=located(tmp_path, 6)) as err:
        load_config(path, environ={})
    assert f"guards.{spec.name}.{group}.support.no_such_option" in str(err.value)


def test_a_typo_in_a_disabled_guard_section_is_refused_too(tmp_path: Path) -> None:
    path = tmp_path / "keepgate.yaml"
    path.write_text(HEAD + "  pii:\n    enabled: false\n    entitys: [EMAIL_ADDRESS]\n")
    with pytest.raises(ConfigError, match=located(tmp_path, 5)):
        load_config(path, environ={})


def test_the_loaded_sections_are_the_guards_settings_models(tmp_path: Path) -> None:
    path = tmp_path / "keepgate.yaml"
    path.write_text(HEAD + "  policy:\n    roles: {support: {on_deny: reject}}\n")
    cfg = load_config(path, environ={})
    policy = cfg.guards.settings("policy", PolicySettings)
    assert policy.choices_for("support", "k").on_deny == "reject"
    assert policy.choices_for("user", "k").on_deny == "replace"
    # an absent section is the guard's defaults, and on
    assert cfg.guards.settings("limits", LimitsSettings) == LimitsSettings()
    assert cfg.guards.enabled("limits")


# The sections other packages own (keepgate.config.sections) are typed at load too: before,
# each was a plain mapping checked only when its owner was built, so a typo in a section
# whose part was not started (or a line an owner never read) went through.
@pytest.mark.parametrize(
    "body, line, where",
    [
        ("agent:\n  limits:\n    max_stpes: 3\n", 4, "agent.limits.max_stpes"),
        ("agent:\n  enabled: false\n  sytem_prompt: hi\n", 4, "agent.sytem_prompt"),
        ("mcp:\n  calls_per_minte: 5\n", 3, "mcp.calls_per_minte"),
        ("mcp:\n  store:\n    bakend: redis\n", 4, "mcp.store.bakend"),
        ("mcp:\n  keys:\n    ci: {calls_per_minte: 5}\n", 4, "mcp.keys.ci"),
        ("mcp_servers:\n  files:\n    url: http://a/mcp\n    hedaers: {}\n", 5, "hedaers"),
        ("observability:\n  tracing:\n    sample_rate: 0.5\n", 4, "tracing.sample_rate"),
        ("observability:\n  audit_redis:\n    streem: x\n", 4, "audit_redis.streem"),
        ("observability:\n  ui:\n    session_hour: 2\n", 4, "ui.session_hour"),
        ("observability:\n  metrics_prot: 9000\n", 3, "observability.metrics_prot"),
    ],
)
def test_an_unknown_field_in_an_owned_section_fails_the_load_with_file_and_line(
    tmp_path: Path, body: str, line: int, where: str
) -> None:
    path = tmp_path / "keepgate.yaml"
    path.write_text("model_list: []\n" + body)
    with pytest.raises(ConfigError, match=located(tmp_path, line)) as err:
        load_config(path, environ={})
    assert where in str(err.value)


def test_the_owned_sections_are_loaded_as_their_owners_models(tmp_path: Path) -> None:
    from keepgate.agent.settings import AgentSettings, parse_settings
    from keepgate.config.model import section
    from keepgate.mcp.settings import McpServerSettings, parse_all
    from keepgate.observability.settings import AuditRedisSettings, TracingSettings, UISettings

    path = tmp_path / "keepgate.yaml"
    path.write_text(
        "model_list: []\nagent: {limits: {max_steps: 7}}\nmcp: {roles: {ci: {calls_per_minute: 3}}}\n"
        "mcp_servers: {files: {url: 'http://a/mcp'}}\n"
        "observability: {tracing: {sample_ratio: 0.5}, ui: {enabled: false}}\n"
    )
    cfg = load_config(path, environ={})
    assert isinstance(cfg.agent, AgentSettings) and parse_settings(cfg).limits.max_steps == 7
    settings, servers = parse_all(cfg)
    assert settings.calls_per_minute_for("ci", "k") == 3
    assert isinstance(servers["files"], McpServerSettings) and servers["files"].kind == (
        "streamable_http"
    )
    obs = cfg.observability
    assert section(obs.tracing, TracingSettings, "t").sample_ratio == 0.5
    assert section(obs.ui, UISettings, "u").enabled is False
    # absent: no Redis audit stream; `section` gives the defaults where one is wanted
    assert obs.audit_redis is None
    assert section(obs.audit_redis, AuditRedisSettings, "a") == AuditRedisSettings()
    # null sections stay their defaults, as before they were typed
    path.write_text("model_list: []\nagent:\nmcp:\n")
    assert parse_settings(load_config(path, environ={})) == AgentSettings()


KEY = "keys:\n  - key_id: ci\n    key_hash: '" + "0" * 64 + "'\n"


@pytest.mark.parametrize(
    "body, line, where",
    [
        (KEY + "    limits: {rpmm: 5}\n", 6, "keys.0.limits.rpmm"),
        (KEY + "    limits:\n      tpm: lots\n", 7, "keys.0.limits.tpm"),
        ("teams:\n  - team: t\n    limits:\n      budget_usd: -1\n", 6, "teams.0.limits"),
        (
            "guards:\n  limits:\n    enabled: false\n    defaults:\n      requests_per_minut: 5\n",
            6,
            "guards.limits.defaults.requests_per_minut",
        ),
    ],
)
def test_a_bad_limits_mapping_fails_the_load_even_with_the_limits_guard_off(
    tmp_path: Path, body: str, line: int, where: str
) -> None:
    """Limits mappings are typed (keepgate.config.limitmap): before, a key's `limits:` was
    a plain mapping checked only when the limits guard was built, so with the guard off a
    typo there went unnoticed until the guard was turned on."""
    path = tmp_path / "keepgate.yaml"
    path.write_text("model_list: []\nguards: {limits: {enabled: false}}\n" + body)
    if body.startswith("guards:"):
        path.write_text("model_list: []\n" + body)
    with pytest.raises(ConfigError, match=located(tmp_path, line)) as err:
        load_config(path, environ={})
    assert where in str(err.value)
