"""Text an upstream sends outside `content` (red team, 2026-12-07, round 2).

The PII guard scrubbed `content` and tool calls and the policy guard read `tool_calls`;
every other delta field passed as the upstream sent it: a streamed legacy `function_call`
reached the client past the tool-call policy, and `refusal`, `reasoning_content`,
`audio.transcript`, `annotations`, `logprobs` token strings and vendor fields past the PII
scrubber. Now the text fields are scrubbed like `content`, logprobs do not pass a scrubbed
answer, and the fields no guard reads are dropped (and named in the audit).
"""

from __future__ import annotations

import re
import json
from typing import Any

import openai
import pytest

SSN, EMAIL = "123-45-6789", "jane.doe@example.com"
PII = f"The SSN is {SSN} and the address {EMAIL}."
TOKENS = ["jane", ".doe", "@example", ".com", " 123", "-45", "-6789"]
LOGPROBS = {
    "content": [
        {
            "token": t,
            "logprob": -0.1,
            "bytes": list(t.encode()),
            "top_logprobs": [{"token": t, "logprob": -0.1, "bytes": list(t.encode())}],
        }
        for t in TOKENS
    ]
}
KEYS = [{"key_id": "dev", "key": "sk-dev", "role": "developer"}]
TOOLS = [{"type": "function", "function": {"name": "search", "parameters": {"type": "object"}}}]


def leaks(text: str) -> list[str]:
    # Random hex ids (request id, completion id) may hold "6789" by chance: not a leak.
    text = re.sub(r"[0-9a-f]{12,}", "", text)
    return [v for v in (SSN, EMAIL, "jane", "6789") if v in text]


def answer(client: openai.OpenAI, extra: list[dict[str, Any]], stream: bool) -> str:
    """Everything the client receives, as text (the raw body: no SDK field is skipped)."""
    kw: dict[str, Any] = dict(
        model="demo",
        messages=[{"role": "user", "content": "hi"}],
        tools=TOOLS,
        extra_body={"fake": {"reply": "ok", "extra": extra, "chunk_chars": 5}},
    )
    if not stream:
        return client.chat.completions.with_raw_response.create(**kw).text
    with client.chat.completions.with_streaming_response.create(stream=True, **kw) as raw:
        return "".join(raw.iter_text())


@pytest.fixture
def gw(gateway_factory):
    return gateway_factory(
        {"keys": KEYS, "guards": {"pii": {"enabled": True}, "policy": {"enabled": True}}}
    )


def pieces(name: str, text: str, size: int = 7) -> list[dict[str, Any]]:
    """`text` streamed in `name` deltas of `size` characters (entities split across them)."""
    return [{"delta": {name: text[i : i + size]}} for i in range(0, len(text), size)]


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
@pytest.mark.parametrize("name", ["refusal", "reasoning_content", "reasoning"])
def test_text_fields_beside_content_are_scrubbed(gw, name: str, stream: bool) -> None:
    body = answer(gw.client("sk-dev"), pieces(name, PII), stream)
    assert not leaks(body), body
    assert "<US_SSN>" in body and "<EMAIL_ADDRESS>" in body


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
def test_logprobs_do_not_pass_a_scrubbed_answer(gw, stream: bool) -> None:
    body = answer(gw.client("sk-dev"), [{"delta": {"content": " x"}, "logprobs": LOGPROBS}], stream)
    assert not leaks(body), body
    assert any(a.get("logprobs_dropped") for a in gw.audit_lines())


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
@pytest.mark.parametrize(
    "delta",
    [
        {"audio": {"id": "a1", "data": "", "expires_at": 0, "transcript": PII}},
        {
            "annotations": [
                {"type": "url_citation", "url_citation": {"url": "https://x", "title": PII}}
            ]
        },
        {"custom_text": PII},
        {"content": {"text": PII}},
    ],
    ids=["audio", "annotations", "vendor", "non-string content"],
)
def test_fields_no_guard_reads_are_dropped(gw, delta: dict[str, Any], stream: bool) -> None:
    body = answer(gw.client("sk-dev"), [{"delta": delta}], stream)
    assert not leaks(body), body
    dropped = [a.get("upstream_fields_dropped") for a in gw.audit_lines()]
    assert [next(iter(delta))] in dropped


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
def test_a_legacy_function_call_does_not_pass_the_tool_policy(gw, stream: bool) -> None:
    # The developer role may not call transfer_money: as a tool call it is denied; as a
    # streamed legacy function_call it reached the client.
    call = {"name": "transfer_money", "arguments": json.dumps({"to": "DE89", "amount": 5000})}
    body = answer(gw.client("sk-dev"), [{"delta": {"function_call": call}}], stream)
    assert "transfer_money" not in body
    assert ["function_call"] in [a.get("upstream_fields_dropped") for a in gw.audit_lines()]


def test_legacy_functions_are_refused(gw) -> None:
    with pytest.raises(openai.BadRequestError) as err:
        gw.client("sk-dev").chat.completions.create(
            model="demo",
            messages=[{"role": "user", "content": "hi"}],
            extra_body={"functions": [{"name": "transfer_money", "parameters": {}}]},
        )
    assert err.value.body["code"] == "unsupported_feature"
    assert err.value.body["param"] == "functions"
