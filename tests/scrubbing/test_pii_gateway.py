"""The "pii" guard through the real gateway, with the official openai SDK as the client.

The fake model replies with scripted text and tool calls; `chunk_chars=k` makes its first
chunk boundary fall at character k, so a few k split each value at its edges and middle
(every position is test_pii_stream_splits.py, in-process). The expected text is the
scrubber's output on the whole answer.
"""

from __future__ import annotations

import json
import re
from typing import Any

import openai
import pytest

from keepgate.scrubbing.guard import build
from tests.scrubbing.cases import CASES, CJK_NAMES, FIELDS, NEW_SHAPES, format_sentence, sentence

pytestmark = pytest.mark.slow(cpu_s=2)  # scheduled first: tests/conftest.py

SCRUBBER = build({}, None, None).scrubber_for_section({})
PII_ON = {"guards": {"pii": {"enabled": True, "tool_arguments": "redact"}}}


def ask(client: openai.OpenAI, fake: dict[str, Any], **kw: Any) -> Any:
    return client.chat.completions.with_raw_response.create(
        model="demo", messages=[{"role": "user", "content": "hi"}], extra_body={"fake": fake}, **kw
    )


def streamed_text(client: openai.OpenAI, fake: dict[str, Any]) -> tuple[str, list[Any]]:
    chunks = list(
        client.chat.completions.create(
            model="demo",
            messages=[{"role": "user", "content": "hi"}],
            stream=True,
            extra_body={"fake": fake},
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    return text, chunks


def first_boundaries(text: str, value: str) -> list[int]:
    """`chunk_chars` values for the gateway's streamed tests: one character per chunk (a
    boundary everywhere), and the first boundary just before the value, after its first
    character, in its middle, before its last character and just after it.

    Not every position inside the value: test_pii_stream_splits.py splits these same
    answers at every position (in-process, both detector configurations), and what the
    gateway adds (SSE in and out, the count on the final chunk) does not depend on where
    inside a value a boundary falls; a streamed request here costs ~7 ms of CPU, and every
    position made ~900 of them."""
    start = text.index(value)
    end = start + len(value)
    return sorted({1, start, start + 1, start + len(value) // 2, end - 1, end})


@pytest.fixture(scope="module")
def gw(module_gateway_factory):
    """One gateway for the tests that only read answers (the scrubber keeps no state between
    requests but a cache of pure results); a test that reads the audit log, the log or the
    metrics, or breaks the scrubber, starts its own (`own_gw`)."""
    return module_gateway_factory(PII_ON)


@pytest.fixture
def own_gw(gateway_factory):
    return gateway_factory(PII_ON)


@pytest.mark.parametrize("entity", sorted(CASES))
def test_each_entity_is_redacted_in_a_non_streamed_answer(gw, entity: str) -> None:
    value, text = sentence(entity)
    expected, _ = SCRUBBER.scrub(text)
    raw = ask(gw.client(), {"reply": text})
    body = raw.parse()
    assert body.choices[0].message.content == expected
    assert value not in raw.text and f"<{entity}>" in expected
    assert raw.headers["x-keepgate-redactions"] == f"{entity}=1"
    assert body.model_extra["keepgate"]["redactions"] == {entity: 1}


CODE = (
    "Call threading.Thread(target=run), then current.get() and os.path.join(a, b); "
    "send_email.to is the recipient field. Docs at https://docs.python.org/3/ help; "
    "the report is at https://files.acme.io/r?token=Zk8Qw2Lm9Xv4Tp7R now."
)


@pytest.mark.parametrize("chunk_chars", [0, 1, 5])
def test_dotted_code_names_are_not_urls(gw, chunk_chars: int) -> None:
    """A URL match starting or ending inside a word (`threading.Th|read`, `send_|email.to`)
    is code, not a link; a plain link passes (url_policy: sensitive) and a link with a
    token in the same text is redacted."""
    expected = CODE.replace("https://files.acme.io/r?token=Zk8Qw2Lm9Xv4Tp7R", "<URL>")
    if chunk_chars:
        text, _ = streamed_text(gw.client(), {"reply": CODE, "chunk_chars": chunk_chars})
    else:
        text = ask(gw.client(), {"reply": CODE}).parse().choices[0].message.content
    assert text == expected


def test_every_entity_streamed_split_at_its_edges(gw) -> None:
    """Each value split at its edges, in its middle (the first chunk boundary there), and
    one character per chunk (`first_boundaries`). Every two-chunk split of the whole answer
    is test_pii_stream_splits.py (in-process, both detector configurations), so this is the
    gateway's wiring: SSE in and out, the count on the final chunk."""
    client = gw.client()
    for entity in sorted(CASES):
        value, text = sentence(entity)
        expected, _ = SCRUBBER.scrub(text)
        for k in first_boundaries(text, value):
            got, chunks = streamed_text(client, {"reply": text, "chunk_chars": k})
            assert got == expected, (entity, k)
            final = [c for c in chunks if (c.model_extra or {}).get("keepgate")]
            assert final[-1].model_extra["keepgate"]["redactions"] == {entity: 1}, (entity, k)


@pytest.mark.parametrize("case", FIELDS + CJK_NAMES, ids=[c[0] for c in FIELDS + CJK_NAMES])
def test_field_values_through_the_gateway_streamed_and_not(gw, case) -> None:
    """Round 7: a value only its field name identifies (`"first_name": "Hope"`, a
    `door_pin`, `DB_PASS=correcthorse`), through real HTTP with the openai SDK: redacted
    when not streamed, and streamed with the first chunk boundary at the value's edges and
    middle (`first_boundaries`) the client sees exactly the scrub of the whole answer."""
    value, text = format_sentence(case)
    entity = case[1]
    expected, counts = SCRUBBER.scrub(text)
    assert value not in expected and counts == {entity: 1}, (expected, counts)
    raw = ask(gw.client(), {"reply": text})
    assert raw.parse().choices[0].message.content == expected
    assert value not in raw.text
    assert raw.headers["x-keepgate-redactions"] == f"{entity}=1"
    client = gw.client()
    for k in first_boundaries(text, value):
        got, chunks = streamed_text(client, {"reply": text, "chunk_chars": k})
        assert got == expected, (case[0], k)


THINGS = (
    '{"name": "get_weather", "description": "Current weather", "parameters": '
    '{"type": "object", "properties": {"city": {"type": "string"}}}}\n'
    '{"tool_name": "search_docs", "model": "gpt-4o-mini", "filename": "report.pdf"}\n'
    '{"name": "keepgate", "version": "1.4.0", "queue_name": "emails"}'
)


SOFTWARE = "Then upgrade Django 4.2 on the server.\nTeléfono: (obligatorio)\n" + "X" * 3000


def test_versions_labels_and_padding_pass_the_gateway(gw) -> None:
    """Round 8: a product before its version, a form's label and a run of one letter are not
    names (the NER read `Django`, `Teléfono` and 200,000 `X` as places): the answer passes
    unchanged, streamed at several chunk sizes or not."""
    raw = ask(gw.client(), {"reply": SOFTWARE})
    assert raw.parse().choices[0].message.content == SOFTWARE
    assert "x-keepgate-redactions" not in raw.headers
    for k in (1, 3, 7):
        got, _ = streamed_text(gw.client(), {"reply": SOFTWARE[:200], "chunk_chars": k})
        assert got == SOFTWARE[:200], k


LATE_SIBLING = (
    '{"name": "Gold", "plan": "pro", "seats": 12, "renewal": "monthly", "region": "north", '
    '"email": "gold.m@example.org"}'
)


def test_a_late_sibling_key_decides_a_bare_name_through_the_gateway(gw) -> None:
    """Round 8: streamed through real HTTP with the openai SDK, a bare `name` is redacted
    when the `email` that makes the record a person's arrives later than the hold: the
    client sees the whole answer's scrub at every chunk size."""
    expected, counts = SCRUBBER.scrub(LATE_SIBLING)
    assert counts == {"PERSON": 1, "EMAIL_ADDRESS": 1}
    client = gw.client()
    for k in (1, 2, 5, 9, 17, 40):
        got, _ = streamed_text(client, {"reply": LATE_SIBLING, "chunk_chars": k})
        assert got == expected, k


def test_names_of_things_in_json_pass_the_gateway(gw) -> None:
    """A tool schema's, a package's and a queue's `name`, `tool_name`, `model`, `filename`
    are not people: the answer passes unchanged, streamed or not."""
    raw = ask(gw.client(), {"reply": THINGS})
    assert raw.parse().choices[0].message.content == THINGS
    assert "x-keepgate-redactions" not in raw.headers
    got, _ = streamed_text(gw.client(), {"reply": THINGS, "chunk_chars": 7})
    assert got == THINGS


@pytest.mark.parametrize("case", NEW_SHAPES, ids=[c[0] for c in NEW_SHAPES])
def test_new_shapes_through_the_gateway_streamed_and_not(gw, case) -> None:
    """The secret, id and date-of-birth shapes added on 2026-12-07, through real HTTP with
    the openai SDK: redacted whole when not streamed, and streamed with the first chunk
    boundary at the value's edges and middle (and one character per chunk:
    `first_boundaries`) the client sees exactly the scrub of the whole answer, with the
    count on the final chunk."""
    value, text = format_sentence(case)
    entity = case[1]
    expected, counts = SCRUBBER.scrub(text)
    assert value not in expected and counts.get(entity) == 1, (expected, counts)
    raw = ask(gw.client(), {"reply": text})
    assert raw.parse().choices[0].message.content == expected
    assert value not in raw.text
    assert f"{entity}=1" in raw.headers["x-keepgate-redactions"]
    client = gw.client()
    for k in first_boundaries(text, value):
        got, chunks = streamed_text(client, {"reply": text, "chunk_chars": k})
        assert got == expected, (case[0], k)
        final = [c for c in chunks if (c.model_extra or {}).get("keepgate")]
        assert final[-1].model_extra["keepgate"]["redactions"] == counts, (case[0], k)


def test_no_piece_of_a_value_reaches_the_client_before_it_is_whole(gw) -> None:
    """One character per chunk: every prefix the client has seen is free of the value."""
    value, text = sentence("EMAIL_ADDRESS")
    seen = ""
    stream = gw.client().chat.completions.create(
        model="demo",
        messages=[{"role": "user", "content": "hi"}],
        stream=True,
        extra_body={"fake": {"reply": text, "chunk_chars": 1}},
    )
    for chunk in stream:
        seen += (chunk.choices[0].delta.content or "") if chunk.choices else ""
        assert "john" not in seen and "acme" not in seen
    assert seen == SCRUBBER.scrub(text)[0]


TOOL_VALUES = {
    "to": CASES["EMAIL_ADDRESS"][0],
    "card": CASES["CREDIT_CARD"][0],
    "password": CASES["SECRET"][0],
    "note": "call " + CASES["PHONE_NUMBER"][0],
}
TOOL_EXPECTED = {
    "to": "<EMAIL_ADDRESS>",
    "card": "<CREDIT_CARD>",
    "password": "<SECRET>",
    "note": "call <PHONE_NUMBER>",
}


def tool_fake(chunk_chars: int = 16) -> dict[str, Any]:
    return {
        "tool_calls": [
            {"name": "send", "arguments": TOOL_VALUES},
            {"name": "noop", "arguments": {"n": 1}},
        ],
        "chunk_chars": chunk_chars,
    }


def test_tool_call_arguments_are_scrubbed_when_not_streamed(gw) -> None:
    raw = ask(gw.client(), tool_fake())
    calls = raw.parse().choices[0].message.tool_calls
    assert [c.function.name for c in calls] == ["send", "noop"]
    assert json.loads(calls[0].function.arguments) == TOOL_EXPECTED
    assert json.loads(calls[1].function.arguments) == {"n": 1}
    assert all(v not in raw.text for v in TOOL_VALUES.values())
    assert raw.headers["x-keepgate-redactions"] == (
        "CREDIT_CARD=1,EMAIL_ADDRESS=1,PHONE_NUMBER=1,SECRET=1"
    )


def test_streamed_tool_call_arguments_split_at_every_position(gw) -> None:
    client = gw.client()
    n = len(json.dumps(TOOL_VALUES))
    for k in range(1, n + 1):
        stream = client.chat.completions.create(
            model="demo",
            messages=[{"role": "user", "content": "hi"}],
            stream=True,
            extra_body={"fake": tool_fake(k)},
        )
        args: dict[int, str] = {}
        names: dict[int, str] = {}
        for chunk in stream:
            for tc in (chunk.choices[0].delta.tool_calls or []) if chunk.choices else []:
                args[tc.index] = args.get(tc.index, "") + (tc.function.arguments or "")
                names[tc.index] = names.get(tc.index, "") + (tc.function.name or "")
        assert names == {0: "send", 1: "noop"}, k
        assert json.loads(args[0]) == TOOL_EXPECTED, k
        assert json.loads(args[1]) == {"n": 1}, k


def test_allowlisted_values_pass(gateway_factory) -> None:
    gw = gateway_factory(
        {"guards": {"pii": {"enabled": True, "allowlist": ["support@keepgate.dev"]}}}
    )
    text = "Write to support@keepgate.dev, not to john.smith@acme.io."
    for k in (1, 5, 16):
        got, _ = streamed_text(gw.client(), {"reply": text, "chunk_chars": k})
        assert got == "Write to support@keepgate.dev, not to <EMAIL_ADDRESS>."
    raw = ask(gw.client(), {"reply": "Mail support@keepgate.dev."})
    assert raw.parse().choices[0].message.content == "Mail support@keepgate.dev."
    assert "x-keepgate-redactions" not in raw.headers


def test_values_never_reach_logs_audit_or_metrics(own_gw) -> None:
    gw = own_gw
    text = " ".join(sentence(e)[1] for e in sorted(CASES))
    client = gw.client()
    ask(client, {"reply": text})
    streamed_text(client, {"reply": text, "chunk_chars": 7})
    ask(client, tool_fake())
    audit = gw.audit_lines()
    pii = [v for line in audit for v in line["verdicts"] if v["guard"] == "pii"]
    assert len(pii) == 3 and all(v["decision"] == "redact" for v in pii)
    assert pii[0]["detail"]["counts"] == SCRUBBER.scrub(text)[1]
    exposed = gw.http.get("/metrics").text
    emails = re.search(r'keepgate_pii_redactions_total\{entity="EMAIL_ADDRESS"\} (\S+)', exposed)
    assert emails and float(emails.group(1)) == 3.0  # two answers + one tool call
    everything = json.dumps(audit) + gw.log_text() + exposed
    for value, _ in CASES.values():
        assert value not in everything
        for part in value.split():
            if len(part) >= 8:
                assert part not in everything


def test_role_and_key_overrides_choose_operators(gateway_factory, monkeypatch) -> None:
    monkeypatch.setenv("KEEPGATE_PII_SALT", "a-salt-of-at-least-16-bytes")
    gw = gateway_factory(
        {
            "keys": [
                {"key_id": "billing", "key": "sk-billing-0123456789", "role": "billing"},
                {"key_id": "ci", "key": "sk-ci-0123456789abc", "role": "billing"},
            ],
            "guards": {
                "pii": {
                    "enabled": True,
                    "roles": {
                        "billing": {
                            "operators": {
                                "CREDIT_CARD": {"type": "mask", "keep_last": 4},
                                "EMAIL_ADDRESS": {"type": "hash"},
                                "PHONE_NUMBER": "drop",
                            }
                        }
                    },
                    "keys": {"ci": {"enabled": False}},
                }
            },
        }
    )
    text = (
        "Card 4111 1111 1111 1111, mail john.smith@acme.io, again john.smith@acme.io, "
        "call +1 (212) 555-1234."
    )
    out = ask(gw.client("sk-billing-0123456789"), {"reply": text}).parse()
    content = out.choices[0].message.content
    assert "***************1111" in content and "4111" not in content
    tokens = [w.rstrip(",") for w in content.split() if w.startswith("<EMAIL_ADDRESS:")]
    assert len(tokens) == 2 and tokens[0] == tokens[1]  # salted hash: equal values link
    assert "212" not in content and content.endswith("call .")
    streamed, _ = streamed_text(
        gw.client("sk-billing-0123456789"), {"reply": text, "chunk_chars": 3}
    )
    assert streamed == content
    # the master key gets the default (replace); the "ci" key is not scrubbed at all
    plain = ask(gw.client(), {"reply": text}).parse().choices[0].message.content
    assert "<CREDIT_CARD>" in plain and "<EMAIL_ADDRESS>" in plain
    raw = ask(gw.client("sk-ci-0123456789abc"), {"reply": text})
    assert raw.parse().choices[0].message.content == text


def _break_scrubber(monkeypatch) -> None:
    from keepgate.scrubbing.scrubber import Scrubber

    def boom(self, text):
        raise RuntimeError("detector down")

    monkeypatch.setattr(Scrubber, "analyze", boom)


def test_fails_closed_when_the_scrubber_errors(own_gw, monkeypatch) -> None:
    gw = own_gw
    _break_scrubber(monkeypatch)
    value, text = sentence("EMAIL_ADDRESS")
    with pytest.raises(openai.APIStatusError) as exc:
        ask(gw.client(), {"reply": text})
    assert exc.value.status_code == 503
    assert exc.value.body["code"] == "pii_scrubber_unavailable"
    assert value not in exc.value.response.text
    with pytest.raises(openai.APIError) as exc2:
        streamed_text(gw.client(), {"reply": text, "chunk_chars": 4})
    assert "PII scrubber" in str(exc2.value) or "scrubber" in str(exc2.value)
    audit = gw.audit_lines()
    assert audit[-1]["verdicts"][0]["decision"] == "error"
    assert value not in json.dumps(audit) + gw.log_text()


def test_fail_open_passes_the_answer_and_says_so(gateway_factory, monkeypatch) -> None:
    gw = gateway_factory({"guards": {"pii": {"enabled": True, "fail_open": True}}})
    _break_scrubber(monkeypatch)
    raw = ask(gw.client(), {"reply": "hello there, world"})
    assert raw.parse().choices[0].message.content == "hello there, world"
    assert raw.headers["x-keepgate-pii"] == "error; failed open"
    got, _ = streamed_text(gw.client(), {"reply": "hello there, world", "chunk_chars": 3})
    assert got == "hello there, world"
