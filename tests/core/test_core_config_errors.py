"""One ConfigError hierarchy: whatever part of the configuration is bad (the YAML, a guard's
section, a rule pack, a policy), start-up raises a `keepgate.config.ConfigError` whose message
names the file, so `keepgate serve` and embedders catch one type."""

from __future__ import annotations

from pathlib import Path

import pytest

from keepgate.app import build_runtime
from keepgate.config.errors import ConfigError
from keepgate.config.load import ConfigError as LoadConfigError
from keepgate.config.load import load_config
from keepgate.input_guards.config import InputConfigError
from keepgate.input_guards.judge import JudgeConfigError
from keepgate.input_guards.linear import LinearRegexError
from keepgate.input_guards.rules import RuleError
from keepgate.policy.bundle import PolicyLoadError
from keepgate.scrubbing.settings import SettingsError


def test_every_config_error_type_is_a_config_error() -> None:
    assert LoadConfigError is ConfigError
    for cls in (
        InputConfigError,
        JudgeConfigError,
        LinearRegexError,
        RuleError,
        PolicyLoadError,
        SettingsError,
    ):
        assert issubclass(cls, ConfigError), cls


def start(tmp_path: Path, body: str) -> None:
    path = tmp_path / "keepgate.yaml"
    path.write_text("model_list: []\n" + body)
    build_runtime(load_config(path, environ={}))


def test_a_bad_rule_pack_is_a_config_error_naming_its_file(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "bad.yaml").write_text(
        "rules:\n  - id: x.lookaround\n    pattern: '(?=a)b'\n    action: block\n"
    )
    with pytest.raises(ConfigError, match="bad.yaml"):
        start(tmp_path, f"guards:\n  input:\n    rules_dirs: [{rules}]\n")


def test_a_bad_policy_is_a_config_error_naming_its_file(tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "broken.rego").write_text("package keepgate.tools\n\nallow if {\n")
    with pytest.raises(ConfigError, match="broken.rego"):
        start(tmp_path, f"guards:\n  policy:\n    policy_dirs: [{policies}]\n")
