"""`keepgate config schema` describes every key of keepgate.yaml, and the reference in
docs/configuration.md is generated from it (and must be regenerated when settings change).

The schema is checked against the configs the docs show (each ```yaml block that is a whole
config), so a doc example that the gateway would refuse fails here too."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from keepgate.config.load import demo_config
from keepgate.config.schema import config_schema

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = config_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_the_cli_prints_the_schema() -> None:
    from keepgate import cli

    cli._register_lazy()
    out = CliRunner().invoke(cli.app, ["config", "schema"])  # the CLI's typer app, in-process
    assert out.exit_code == 0, out.output[-2000:]
    schema = json.loads(out.stdout)
    assert schema["title"] == "keepgate.yaml"
    guards = schema["$defs"]["Guards"]["properties"]
    assert set(guards) == {"limits", "input", "pii", "policy"}


def test_the_committed_reference_is_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    """`scripts/config_docs.py --check`, its own main() run in this process."""
    spec = importlib.util.spec_from_file_location(
        "config_docs", REPO / "scripts" / "config_docs.py"
    )
    assert spec is not None and spec.loader is not None
    config_docs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(config_docs)
    assert config_docs.main(["--check"]) == 0, capsys.readouterr().err


def test_the_reference_has_a_section_for_every_guard_and_override() -> None:
    text = (REPO / "docs" / "configuration.md").read_text()
    for name in ("limits", "input", "pii", "policy"):
        assert f"\n## guards.{name}\n" in text
        assert f"\n## guards.{name}.roles.\\<name\\>\n" in text  # escaped: not an HTML tag
    assert "\n## agent\n" in text and "\n## mcp_servers.\\<name\\>\n" in text


def test_the_demo_config_and_every_whole_config_in_the_docs_validate(validator) -> None:
    assert not list(validator.iter_errors(demo_config()))
    top = set(config_schema()["properties"])
    checked = 0
    for md in sorted((REPO / "docs").glob("*.md")) + [REPO / "README.md"]:
        for block in re.findall(r"```yaml\n(.*?)```", md.read_text(), re.S):
            try:
                data = yaml.safe_load(block)
            except yaml.YAMLError:
                continue  # a fragment with placeholders, not a config
            if not isinstance(data, dict) or not data or not set(data) <= top:
                continue
            errors = [
                f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
                for e in validator.iter_errors(data)
            ]
            assert not errors, f"{md.name}: {errors}"
            checked += 1
    assert checked >= 5


@pytest.mark.parametrize(
    "path, value",
    [
        (("guards", "policy", "roles", "support", "on_deni"), "reject"),
        (("guards", "limits", "keys", "ci", "defults"), {}),
        (("guards", "input", "roles", "support", "moed"), "monitor"),
        (("guards", "pii", "roles", "support", "entitys"), []),
        (("guards", "polcy"), {}),
        (("mcp_servers", "docs", "urll"), "http://x"),
    ],
)
def test_the_schema_refuses_unknown_keys_where_start_up_does(validator, path, value) -> None:
    doc: dict = {}
    node = doc
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value
    if path[0] == "mcp_servers":
        doc["mcp_servers"]["docs"]["url"] = "http://127.0.0.1:1/mcp"
    assert list(validator.iter_errors(doc)), path
