"""A gateway start pays only for what it uses: the test suite starts hundreds of gateways,
and a deployment restarts its workers, so per-start work that gives the same answer every
time (the agent's tool schemas, a CA bundle for a tool nobody calls) is done once or late.
YAML goes through libyaml, with the same documents and `file:line` marks."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
import regorus
import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from keepgate.agent.settings import ToolSettings
from keepgate.agent.tools import engine as tool_engine
from keepgate.agent.tools.base import Tool, ToolContext
from keepgate.agent.tools.demo import HttpGet
from keepgate.config import yamlio
from keepgate.policy import reads

REPO = Path(__file__).resolve().parents[2]
CTX = ToolContext("run_1", "call_1", "dev")


async def test_http_get_makes_its_client_on_the_first_get_and_closes_it(
    fake_model_url: str,
) -> None:
    host = fake_model_url.split("/")[2]  # 127.0.0.1:<port> of the fake model's server
    tool = HttpGet(ToolSettings(options={"allowed_hosts": [host]}))
    assert tool._client is None  # built, no CA bundle loaded yet
    await tool.aclose()  # nothing to close: still none made
    assert tool._client is None
    out = await tool({"url": fake_model_url + "/models"}, CTX)
    assert out["status"] == 200 and '"object":"list"' in out["body"]
    client = tool._client
    assert client is not None and not client.is_closed
    await tool.aclose()
    assert client.is_closed


def _tool(name: str, parameters: dict[str, Any]) -> Tool:
    async def handler(args: dict[str, Any], ctx: ToolContext) -> Any:
        return args

    return Tool(name, "a test tool", parameters, handler, ToolSettings())


def test_a_tool_schema_is_checked_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[Any] = []
    real = Draft202012Validator.check_schema
    monkeypatch.setattr(
        Draft202012Validator,
        "check_schema",
        classmethod(lambda cls, schema, *a, **kw: checked.append(schema) or real(schema)),
    )
    tool_engine._check_schema.cache_clear()
    params = {"type": "object", "properties": {"q": {"type": "string"}}}
    for _ in range(3):
        engine = tool_engine.ToolEngine({"t": _tool("t", params)})
        args, problem = engine.check("t", '{"q": 1}', ["t"])
        assert args is None and problem is not None  # the validator still validates
    assert checked == [params]


def test_a_bad_tool_schema_fails_every_start() -> None:
    bad = {"type": "object", "properties": {"q": {"type": "no-such-type"}}}
    for _ in range(2):  # a failure is not remembered as a pass
        with pytest.raises(SchemaError):
            tool_engine.ToolEngine({"t": _tool("t", bad)})


def test_yaml_is_read_through_libyaml_when_pyyaml_has_it() -> None:
    if not yaml.__with_libyaml__:
        pytest.skip("this PyYAML was built without libyaml")
    assert yamlio.Loader is yaml.CSafeLoader


def test_every_yaml_file_the_gateway_reads_loads_the_same_as_before() -> None:
    files = [
        *sorted((REPO / "rules").rglob("*.yaml")),
        *sorted((REPO / "policies").rglob("*.yaml")),
    ]
    assert len(files) > 5
    for path in files:
        text = path.read_text(encoding="utf-8")
        node, data = yamlio.compose_and_load(text)
        assert data == yaml.safe_load(text), path
        assert yamlio.safe_load(text) == data, path
        if node is not None:
            assert node.start_mark.line == yaml.compose(text).start_mark.line


def test_a_yaml_error_keeps_its_line() -> None:
    with pytest.raises(yaml.MarkedYAMLError) as info:
        yamlio.compose_and_load("a: 1\nb: [1,\nc: 2\n")
    assert info.value.problem_mark is not None and info.value.problem_mark.line >= 1


def test_a_policy_is_analysed_once_and_an_uncacheable_one_is_logged_at_each_load(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The decision cache's input analysis walks the policy's syntax tree: remembered per
    tree, while the log line that says why a policy is not cached still comes every load."""
    src = "package t\nimport rego.v1\nallow if { time.now_ns() > input.x }\n"
    reads._reads_of_ast.cache_clear()
    with caplog.at_level(logging.INFO, logger="keepgate.policy"):
        for _ in range(2):
            engine = regorus.Engine()
            engine.add_policy("t.rego", src)
            assert reads.analyse(engine) is None
            del engine
    assert caplog.text.count("the policy calls time.now_ns") == 2
    assert reads._reads_of_ast.cache_info().hits == 1
