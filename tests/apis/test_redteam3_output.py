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


@pytest.fixture(scope="module")
def gw(fake_model_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    tmp: Path = tmp_path_factory.mktemp("redteam3-out")
    cfg = base_config(fake_model_url)
    cfg["guards"]["pii"] = {"enabled": True, "tool_arguments": "redact"}
    cfg["general_settings"]["audit_log"] = str(tmp / "audit.jsonl")
    path = tmp / "keepgate.yaml"
    path.write_text(yaml.safe_dump(cfg))
    config = parse_config(path.read_text(), str(path), environ={})
    server = serve(config, fake_model_url, tmp / "audit.jsonl", real_http=True)
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
