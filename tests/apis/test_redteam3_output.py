"""Red team round 3 (2026-12-07), the answer side: what an upstream sends that leaked past
the PII scrubber. One real uvicorn server for the module, the official SDK as the client,
the fake model scripted through `extra_body={"fake": ...}`."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import Gateway

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
ALICE = "sk-redteam3-alice"


def _serve(start: Any, guards: dict[str, Any]) -> Gateway:
    """Real HTTP, alice's key; `guards` merged over base_config's (its hang bounds kept)."""
    keys = [{"key_id": "alice", "key": ALICE, "role": "user"}]
    return start({"guards": guards, "keys": keys}, real_http=True)


@pytest.fixture(scope="module")
def gw(module_gateway_factory: Any) -> Gateway:
    return _serve(module_gateway_factory, {"pii": {"enabled": True, "tool_arguments": "redact"}})


@pytest.fixture(scope="module")
def guarded(module_gateway_factory: Any) -> Gateway:
    """PII and policy on, tool arguments reported (the defaults)."""
    return _serve(module_gateway_factory, {"pii": {"enabled": True}, "policy": {"enabled": True}})


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
        # Random hex ids (request id, completion id) may hold "6789" by chance: not a leak.
        text = re.sub(r"[0-9a-f]{12,}", "", text)
        assert "jane" not in text and "6789" not in text, text
        assert "example.com" not in text


def test_an_offered_tools_name_and_a_plain_id_pass_unchanged(guarded: Gateway) -> None:
    answer = guarded.client().chat.completions.create(
        model="demo", messages=MESSAGES, tools=TOOLS, extra_body=_named("search", "call_abc123")
    )
    calls = answer.choices[0].message.tool_calls or []
    assert [(c.id, c.function.name) for c in calls] == [("call_abc123", "search")]  # type: ignore[union-attr]


PAY: Any = [
    {
        "type": "function",
        "function": {
            "name": "transfer_money",
            "parameters": {
                "type": "object",
                "properties": {"to": {"type": "string"}, "amount": {"type": "number"}},
            },
        },
    }
]


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(
    "arguments",
    [
        {"to": "bob@example.com", "amount": 100000},  # an object, not a JSON string
        '{"to": "bob@example.com", "amount": NaN}',
        '{"to": "bob@example.com", "amount": Infinity}',
        '{"to": "bob@example.com", "amount": 1e400}',
        '{"to": "bob@example.com", "amount": -1e400}',
        '{"to": "bob@example.com", "amount": ' + "9" * 5000 + "}",
    ],
    ids=["object", "nan", "infinity", "huge", "minus-huge", "5000-digits"],
)
def test_odd_tool_call_arguments_from_upstream_are_a_deny_not_a_500(
    guarded: Gateway, arguments: Any, stream: bool
) -> None:
    """An upstream's tool call whose `arguments` is not a JSON string, or whose numbers
    JSON cannot hold (NaN, Infinity, 1e400 read as inf), gave a 500: the call is denied."""
    extra = [
        {
            "delta": {
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "transfer_money", "arguments": arguments},
                    }
                ]
            }
        }
    ]
    raw = guarded.client(ALICE).chat.completions.with_raw_response.create(
        model="demo",
        messages=[{"role": "user", "content": "Pay Bob."}],
        tools=PAY,
        max_tokens=50,
        stream=stream,
        extra_body={"fake": {"reply": "", "extra": extra}},
    )
    assert raw.http_response.status_code == 200
    body = raw.http_response.read().decode()
    assert "transfer_money=deny" in raw.headers.get("x-keepgate-policy", "") or (
        stream and "was blocked by policy" in body
    )
    # Denied for what it is, not because the policy engine choked on it (which a
    # `fail_open: true` policy would have let through).
    assert "could not be evaluated" not in body
    assert '"tool_calls"' not in body


@pytest.fixture(scope="module")
def bare(module_gateway_factory: Any) -> Gateway:
    """Every guard off: the answer reaches the route adapters as the upstream sent it."""
    return _serve(module_gateway_factory, {})


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("route", ["chat", "responses", "messages"])
def test_arguments_sent_as_an_object_reach_every_route_as_json_text(
    bare: Gateway, guarded: Gateway, route: str, stream: bool
) -> None:
    extra = [
        {
            "delta": {
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "search", "arguments": {"q": "weather"}},
                    }
                ]
            }
        }
    ]
    body = {"fake": {"reply": "", "extra": extra}}
    for server in (bare, guarded):
        client = server.client()
        if route == "chat":
            raw: Any = client.chat.completions.with_raw_response.create(
                model="demo", messages=MESSAGES, tools=TOOLS, stream=stream, extra_body=body
            )
        elif route == "responses":
            raw = client.responses.with_raw_response.create(
                model="demo",
                input="Find it.",
                tools=[{"type": "function", "name": "search", "parameters": {"type": "object"}}],
                stream=stream,
                extra_body=body,
            )
        else:
            raw = server.anthropic_client().messages.with_raw_response.create(
                model="demo",
                max_tokens=50,
                messages=MESSAGES,
                tools=[{"name": "search", "input_schema": {"type": "object"}}],
                stream=stream,
                extra_body=body,
            )
        assert raw.http_response.status_code == 200
        text = raw.http_response.read().decode()
        assert "weather" in text and "internal_error" not in text and "api_error" not in text


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(
    "arguments",
    ['{"q": ' + "9" * 5000 + "}", "[" * 100_000 + "]" * 100_000],
    ids=["5000-digits", "deep"],
)
def test_arguments_json_cannot_read_are_scrubbed_as_text(
    gw: Gateway, arguments: str, stream: bool
) -> None:
    """Python's JSON refuses an int past 4300 digits (ValueError, not JSONDecodeError) and
    deep nesting (RecursionError): the PII guard failed closed with a 503 on them."""
    raw = gw.client().chat.completions.with_raw_response.create(
        model="demo",
        messages=MESSAGES,
        tools=TOOLS,
        stream=stream,
        extra_body={"fake": {"tool_calls": [{"name": "search", "arguments": arguments}]}},
    )
    assert raw.http_response.status_code == 200
    body = raw.http_response.read().decode()
    assert "pii_scrubber_unavailable" not in body
    assert ("9" * 20 if "9" in arguments else "[" * 20) in body


#: Provider-shaped random ids that the recognizers read as entities when analysed (found by
#: scrubbing 3,000 random ids of each shape: `fc_` ids 2.6 %, UUIDs 0.8 %, the fake model's
#: `call_<hex>_<i>` 0.3 %): a scrubbed id came back from the client as an id the gateway
#: never issued, and the agent's next turn was refused (`unknown_tool_call_id`).
RANDOM_IDS = [
    "call_db825480332e_0",
    "fc_c60a9d689d762ab2ba7beaadfd59f7d6a5f6bfa854231102",
    "90f4abb8-1a87-44b2-a927-87c309d3bb32",
]


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("call_id", RANDOM_IDS)
def test_a_random_provider_id_round_trips(guarded: Gateway, call_id: str, stream: bool) -> None:
    """An id made of identifier characters reaches the client unchanged, whatever digits it
    holds, and the client's answer to it is accepted on the next turn."""
    client = guarded.client()
    first = client.chat.completions.with_raw_response.create(
        model="demo",
        messages=MESSAGES,
        tools=TOOLS,
        stream=stream,
        extra_body=_named("search", call_id),
    )
    assert call_id in first.http_response.read().decode()
    follow = [
        *MESSAGES,
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": "search", "arguments": "{}"},
                }
            ],
        },
        {"role": "tool", "tool_call_id": call_id, "content": "no results"},
    ]
    answer = client.chat.completions.create(model="demo", messages=follow, tools=TOOLS)
    assert answer.choices[0].message.content is not None
