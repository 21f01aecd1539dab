"""Red team round 4 (2026-12-07): what a broken or hostile upstream sends that the guards
could not read. A malformed structure was a 500 (now `502 upstream_malformed`); text in
the fields no scrubber reads (the chunk `id`, `role`, `finish_reason`, usage extras)
reached the client. One real uvicorn server for the module, the official SDKs as clients,
the fake model scripted through `extra_body={"fake": ...}` (`raw` events verbatim)."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest

from tests.apis.support import model_list
from tests.conftest import Gateway

KEY = "sk-redteam4-upstream"
MESSAGES: Any = [{"role": "user", "content": "Find it."}]
TOOLS: Any = [
    {
        "type": "function",
        "function": {
            "name": "search",
            "parameters": {"type": "object", "properties": {"q": {"type": "string"}}},
        },
    }
]
PII = "jane.doe@example.com"


@pytest.fixture(scope="module")
def gw(module_gateway_factory: Any, fake_model_url: str) -> Gateway:
    """Every response guard on (PII, policy, limits), real HTTP."""
    on = {"enabled": True}
    overrides = {
        "model_list": model_list(fake_model_url),
        "guards": {"pii": on, "policy": on, "limits": on},
        "keys": [{"key_id": "rt4", "key": KEY, "role": "user"}],
    }
    return module_gateway_factory(overrides, real_http=True)


def _chunk(choices: object, **top: object) -> dict[str, Any]:
    return {"id": "chatcmpl-x", "object": "chat.completion.chunk", "created": 1, "model": "m"} | {
        "choices": choices,
        **top,
    }


def _call(**fields: object) -> dict[str, Any]:
    call: dict[str, Any] = {
        "index": 0,
        "id": "call_1",
        "type": "function",
        "function": {"name": "search", "arguments": "{}"},
    }
    call.update(fields)
    return call


#: Structures no guard can read; each was a 500 on a guarded route.
MALFORMED = {
    "choices-object": _chunk({"a": 1}),
    "choice-string": _chunk(["x"]),
    "choice-index-list": _chunk([{"index": [0], "delta": {"content": "hi"}}]),
    "tool-call-id-object": _chunk([{"index": 0, "delta": {"tool_calls": [_call(id={"a": 1})]}}]),
    "tool-call-id-list": _chunk([{"index": 0, "delta": {"tool_calls": [_call(id=[1])]}}]),
    "tool-call-index-list": _chunk([{"index": 0, "delta": {"tool_calls": [_call(index=[0])]}}]),
}


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_upstream_chunk_is_a_502_not_a_500(
    gw: Gateway, case: str, stream: bool
) -> None:
    client = gw.client(KEY)
    fake = {"reply": "hi", "raw": [MALFORMED[case]]}
    if stream:  # the answer has started: the stream ends with an error event
        with pytest.raises(openai.APIError, match="upstream sent a malformed chunk"):
            for _ in client.chat.completions.create(
                model="demo", messages=MESSAGES, tools=TOOLS, stream=True, extra_body={"fake": fake}
            ):
                pass
        return
    with pytest.raises(openai.APIStatusError) as err:
        client.chat.completions.create(
            model="demo", messages=MESSAGES, tools=TOOLS, extra_body={"fake": fake}
        )
    assert err.value.status_code == 502
    assert (err.value.body or {}).get("code") == "upstream_malformed"  # type: ignore[union-attr]


@pytest.mark.parametrize("stream", [False, True])
def test_text_in_the_fields_no_scrubber_reads_does_not_reach_the_client(
    gw: Gateway, stream: bool
) -> None:
    """The chunk `id`, a delta's `role`, a `finish_reason` and fields beside usage's counts
    are the upstream's, copied to the client as they came."""
    raw = [
        _chunk([{"index": 0, "delta": {"role": PII, "content": "a"}}], id=PII),
        _chunk([{"index": 0, "delta": {}, "finish_reason": PII}], id=PII),
        _chunk(
            [],
            id=PII,
            usage={"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4, "note": PII},
        ),
    ]
    body = {"fake": {"reply": "hi", "raw": raw, "omit_usage": True}}
    client = gw.client(KEY)
    if stream:
        events = client.chat.completions.create(
            model="demo",
            messages=MESSAGES,
            stream=True,
            stream_options={"include_usage": True},
            extra_body=body,
        )
        seen = json.dumps([e.model_dump() for e in events])
    else:
        answer = client.chat.completions.create(model="demo", messages=MESSAGES, extra_body=body)
        seen = answer.model_dump_json()
        assert answer.usage is not None and answer.usage.prompt_tokens == 3
    assert "jane" not in seen and "example.com" not in seen
    assert "chatcmpl-" in seen  # ids a provider writes pass as they are


def test_a_huge_usage_count_from_a_responses_upstream_is_clamped_not_a_500(gw: Gateway) -> None:
    """`int(1e30)` (orjson reads an integer past 64 bits as a float) reached the audit line
    as an integer orjson could not write: the call was a 500 and its record lost."""
    answer = gw.client(KEY).responses.create(
        model="demo-responses",
        input="hello",
        extra_body={"fake": {"reply": "hi", "usage": {"prompt_tokens": 1e30}}},
    )
    assert answer.output_text == "hi"
    assert answer.usage is not None and answer.usage.input_tokens == 2**40
    audit = [r for r in gw.audit_lines() if r.get("route") == "responses"][-1]
    assert audit["http_status"] == 200 and audit["usage"]["prompt_tokens"] == 2**40


def test_a_huge_usage_count_from_a_messages_upstream_is_clamped_not_a_500(gw: Gateway) -> None:
    client = gw.anthropic_client(KEY)
    answer = client.messages.create(
        model="claude-demo",
        max_tokens=50,
        messages=[{"role": "user", "content": "hello"}],
        extra_body={"fake": {"reply": "hi", "usage": {"prompt_tokens": 1e30}}},
    )
    assert answer.content[0].text == "hi"  # type: ignore[union-attr]
    assert answer.usage.input_tokens == 2**40


@pytest.mark.parametrize("stream", [False, True])
def test_pii_written_with_json_escapes_in_a_json_mode_answer_is_scrubbed(
    gw: Gateway, stream: bool
) -> None:
    """In JSON mode the client parses the answer: `jane.doe\\u0040example.com` is an e-mail
    and `\\u0031\\u0032\\u0033-45-6789` an SSN once parsed; both passed the scrubber."""
    reply = '{"to": "jane.doe\\u0040example.com", "ssn": "\\u0031\\u0032\\u0033-45-6789"}'
    body = {"fake": {"reply": reply, "chunk_chars": 5}}
    client = gw.client(KEY)
    fmt: Any = {"type": "json_object"}
    if stream:
        text = "".join(
            c.choices[0].delta.content or ""
            for c in client.chat.completions.create(
                model="demo", messages=MESSAGES, stream=True, response_format=fmt, extra_body=body
            )
            if c.choices
        )
    else:
        answer = client.chat.completions.create(
            model="demo", messages=MESSAGES, response_format=fmt, extra_body=body
        )
        text = answer.choices[0].message.content or ""
    parsed = json.loads(text)
    assert parsed == {"to": "<EMAIL_ADDRESS>", "ssn": "<US_SSN>"}
