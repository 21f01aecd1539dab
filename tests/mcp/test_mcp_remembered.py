"""What the MCP gateway remembers between calls gives the answers it would compute afresh:
valid arguments (remembered per key and session by their exact JSON text) never let
arguments of another JSON type, or another caller's, through unchecked."""

from __future__ import annotations

import math
from collections import OrderedDict
from types import SimpleNamespace
from typing import Any

import mcp_types as types
import pytest

from keepgate.mcp.service import McpGateway

SCHEMA = {
    "type": "object",
    "properties": {
        "n": {"type": "integer"},
        "x": {"type": "null"},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
    "additionalProperties": False,
}
TOOL = types.Tool(name="t", input_schema=SCHEMA)


def gateway() -> Any:
    return SimpleNamespace(_validators={}, _valid=OrderedDict())


def validate(gw: Any, args: Any, who: tuple[str, str] = ("k", "s")) -> list[str]:
    return McpGateway._validate(gw, TOOL, "d1", args, who)


@pytest.mark.parametrize(
    "valid,invalid",
    [
        ({"n": 1}, {"n": True}),  # true == 1 in Python, not in JSON Schema
        ({"n": 1}, {"n": 1.5}),
        ({"x": None}, {"x": math.nan}),  # orjson would write NaN as null
        ({"x": None}, {"x": math.inf}),
        ({"tags": ["a"]}, {"tags": ["a", 1]}),
        ({"tags": ["a"]}, {"tags": "a"}),
    ],
)
def test_remembered_valid_arguments_never_pass_other_values(valid: Any, invalid: Any) -> None:
    gw = gateway()
    assert validate(gw, valid) == [] and len(gw._valid) == 1
    assert validate(gw, valid) == []  # remembered
    assert validate(gw, invalid) != []
    assert validate(gw, invalid) != []  # refusals are not remembered
    assert len(gw._valid) == 1


def test_remembered_per_key_and_session_and_definition() -> None:
    gw = gateway()
    assert validate(gw, {"n": 1}) == []
    assert validate(gw, {"n": 1}, ("other", "s")) == []
    assert validate(gw, {"n": 1}, ("k", "other")) == []
    assert McpGateway._validate(gw, TOOL, "d2", {"n": 1}, ("k", "s")) == []
    assert len(gw._valid) == 4
