"""Red team round 3 (2026-12-07), the answer side: what an upstream sends that leaked past
the PII scrubber. One real uvicorn server for the module, the official SDK as the client,
the fake model scripted through `extra_body={"fake": ...}`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from keepgate.config.load import parse_config
from tests.conftest import Gateway, base_config, serve

TOOLS: Any = [
    {
        "type": "function",
        "function": {
            "name": "search",
            "parameters": {"type": "object", "properties": {"q": {"type": "string"}}},
        },
    }
]
MESSAGES: Any = [{"role": "user", "content": "Find it."}]


def _serve(fake_model_url: str, tmp: Path, guards: dict[str, Any]) -> Gateway:
    cfg = base_config(fake_model_url)
    cfg["guards"].update(guards)
    cfg["general_settings"]["audit_log"] = str(tmp / "audit.jsonl")
    path = tmp / "keepgate.yaml"
    path.write_text(yaml.safe_dump(cfg))
    config = parse_config(path.read_text(), str(path), environ={})
    return serve(config, fake_model_url, tmp / "audit.jsonl", real_http=True)


@pytest.fixture(scope="module")
def gw(fake_model_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    tmp: Path = tmp_path_factory.mktemp("redteam3-out")
    server = _serve(fake_model_url, tmp, {"pii": {"enabled": True, "tool_arguments": "redact"}})
    yield server
    server.stop()


@pytest.fixture(scope="module")
def guarded(fake_model_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    """PII and policy on, tool arguments reported (the defaults)."""
    tmp: Path = tmp_path_factory.mktemp("redteam3-policy")
    server = _serve(fake_model_url, tmp, {"pii": {"enabled": True}, "policy": {"enabled": True}})
    yield server
    server.stop()


def _continued(pieces: list[str]) -> dict[str, Any]:
    """A call whose arguments are a whole JSON object, then more argument deltas (objects
    concatenated, as some open models write parallel calls): the call was released at the
    object's end and each later piece was scrubbed on its own. Each piece carries provider
    metadata (Azure's `content_filter_results`), so no network read merges them."""
    extra = [
        {
            "delta": {"tool_calls": [{"index": 0, "function": {"arguments": p}}]},
            "content_filter_results": {},
        }
        for p in pieces
    ]
    return {"fake": {"tool_calls": [{"name": "search", "arguments": {"q": "x"}}], "extra": extra}}


PIECES = [' {"to": "jane.d', "oe@exam", 'ple.com"}']


def test_arguments_after_a_released_call_are_scrubbed_whole_when_streamed(gw: Gateway) -> None:
    args = ""
    for chunk in gw.client().chat.completions.create(
        model="demo", messages=MESSAGES, tools=TOOLS, stream=True, extra_body=_continued(PIECES)
    ):
        for choice in chunk.choices:
            for call in choice.delta.tool_calls or ():
                args += (call.function and call.function.arguments) or ""
    assert "jane" not in args and "example.com" not in args
    assert args == '{"q": "x"} {"to": "<EMAIL_ADDRESS>"}'


def test_arguments_after_a_released_call_are_scrubbed_whole(gw: Gateway) -> None:
    answer = gw.client().chat.completions.create(
        model="demo", messages=MESSAGES, tools=TOOLS, extra_body=_continued(PIECES)
    )
    calls = answer.choices[0].message.tool_calls or []
    assert [c.function.arguments for c in calls] == ['{"q": "x"} {"to": "<EMAIL_ADDRESS>"}']  # type: ignore[union-attr]


def test_a_released_call_with_no_more_arguments_is_unchanged(gw: Gateway) -> None:
    answer = gw.client().chat.completions.create(
        model="demo", messages=MESSAGES, tools=TOOLS, extra_body=_continued([])
    )
    calls = answer.choices[0].message.tool_calls or []
    assert [c.function.arguments for c in calls] == ['{"q": "x"}']  # type: ignore[union-attr]


PII = "Call me at jane.doe@example.com, SSN 123-45-6789"


def _named(name: str, call_id: str) -> dict[str, Any]:
    return {"fake": {"reply": "ok", "tool_calls": [{"id": call_id, "name": name, "arguments": {}}]}}


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("policy", [False, True])
def test_pii_in_a_tool_calls_name_or_id_is_scrubbed(
    gw: Gateway, guarded: Gateway, policy: bool, stream: bool
) -> None:
    """The model chooses a call's name and id; either reached the client as written: in the
    call, in the policy guard's notice (its name sanitised so no recognizer read it), in the
    `keepgate.policy` report and in the `x-keepgate-policy` header."""
    server = guarded if policy else gw
    for body in (_named(PII, "call_1"), _named("search", PII)):
        raw = server.client().chat.completions.with_raw_response.create(
            model="demo", messages=MESSAGES, tools=TOOLS, stream=stream, extra_body=body
        )
        text = raw.http_response.read().decode() + str(raw.headers)
        assert "jane" not in text and "6789" not in text, text
        assert "example.com" not in text


def test_an_offered_tools_name_and_a_plain_id_pass_unchanged(guarded: Gateway) -> None:
    answer = guarded.client().chat.completions.create(
        model="demo", messages=MESSAGES, tools=TOOLS, extra_body=_named("search", "call_abc123")
    )
    calls = answer.choices[0].message.tool_calls or []
    assert [(c.id, c.function.name) for c in calls] == [("call_abc123", "search")]  # type: ignore[union-attr]
