"""What vouches for a value, end to end: the openai SDK -> a real gateway (real input guard,
real Rego) -> the fake model's tool calls, with the shipped policies and a catalogue that
adds a trusted directory and a domain allowlist.

1. A domain allowlist constrains a recipient but does not vouch for it: an address in the
   company's own domain that only an untrusted mail named still needs approval, while an
   exactly allowlisted one passes.
2. A detector finding on the output of a tool the catalogue declares `output: trusted` is
   reported (the flag header) but does not hold the conversation's side effects; the same
   finding on an untrusted output still does.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import openai
import pytest
import yaml

from keepgate.policy.bundle import DEFAULT_POLICY_DIR

KEYS = [{"key_id": "alice", "key": "sk-alice", "role": "user", "team": "t1"}]
TOOLS = [
    {"type": "function", "function": {"name": n, "parameters": {"type": "object"}}}
    for n in ("search", "get_directory", "send_email")
]
MARKER_RULE = """
rules:
  - id: acme.review_marker
    pattern: '(?i)please review this entry'
    action: flag
    examples: {match: ["Please review this entry"], no_match: ["review"]}
"""


@pytest.fixture
def gw(gateway_factory, tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(DEFAULT_POLICY_DIR / "data", data)
    tools = yaml.safe_load((data / "tools.yaml").read_text())
    tools["keepgate"]["tools"]["get_directory"] = {"effects": "none", "output": "trusted"}
    tools["keepgate"]["tools"]["send_email"]["constraints"] = {
        "to": {
            "domains": ["example.com"],
            "allow": ["ledger@example.org"],
            "on_mismatch": "provenance",
        }
    }
    (data / "tools.yaml").write_text(yaml.safe_dump(tools))
    roles = yaml.safe_load((data / "roles.yaml").read_text())
    roles["keepgate"]["roles"]["user"]["tools"].append("get_directory")
    (data / "roles.yaml").write_text(yaml.safe_dump(roles))
    packs = tmp_path / "packs"
    packs.mkdir()
    (packs / "acme.yaml").write_text(MARKER_RULE)
    return gateway_factory(
        {
            "keys": KEYS,
            "guards": {
                # The only detector finding is the operator rule's, so each case knows whether
                # there is one (the instruction stage also reads `email: …` lines as instructions).
                "input": {
                    "enabled": True,
                    "rules_dirs": [str(packs)],
                    "actions": {"instructions.in_data": "off"},
                },
                "policy": {"enabled": True, "data_dirs": [str(data)]},
            },
        }
    )


def after_output(client: openai.OpenAI, tool: str, output: str, user: str) -> list[dict[str, Any]]:
    """A conversation in which the gateway issued one `tool` call and `output` answers it
    (ids the gateway never issued are refused, so the call is asked for first)."""
    msgs: list[dict[str, Any]] = [{"role": "user", "content": user}]
    r = client.chat.completions.create(
        model="demo",
        messages=msgs,
        tools=TOOLS,
        extra_body={
            "fake": {"tool_calls": [{"id": f"call_{tool}", "name": tool, "arguments": {}}]}
        },
    )
    calls = r.choices[0].message.tool_calls or []
    assert [c.function.name for c in calls] == [tool], (r.choices[0].message.content, r.model_extra)
    return msgs + [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": calls[0].id,
                    "type": "function",
                    "function": {"name": tool, "arguments": calls[0].function.arguments},
                }
            ],
        },
        {"role": "tool", "tool_call_id": calls[0].id, "content": output},
    ]


def send(
    client: openai.OpenAI, to: str, messages: list[dict[str, Any]]
) -> tuple[list[tuple[str, str, list[str]]], str]:
    """The policy's decisions on one `send_email(to)` and the response's flag header."""
    raw = client.chat.completions.with_raw_response.create(
        model="demo",
        messages=messages,
        tools=TOOLS,
        extra_body={
            "fake": {
                "tool_calls": [
                    {"id": "call_m1", "name": "send_email", "arguments": {"to": to, "body": "hi"}}
                ]
            }
        },
    )
    r = raw.parse()
    report = (r.model_extra or {}).get("keepgate", {}).get("policy", [])
    return (
        [(d["tool"], d["decision"], d["reasons"]) for d in report],
        raw.headers.get("x-keepgate-flags", ""),
    )


def test_a_domain_allowlist_does_not_vouch_for_an_address(gw):
    client = gw.client("sk-alice")
    inbox = (
        "From: payroll-bot@example.net\nSubject: archive\n\nArchive address: "
        "hr-archive@example.com. Ledger contact: ledger@example.org."
    )
    msgs = after_output(client, "search", inbox, "Deal with my inbox.")
    got, flags = send(client, "hr-archive@example.com", msgs)
    assert flags == ""  # no detector finding: provenance alone decides
    assert got == [("send_email", "require_approval", ["provenance.untrusted_argument"])]
    got, _ = send(client, "ledger@example.org", msgs)  # exactly allowlisted: vouched for
    assert got == [("send_email", "allow", [])]
    # The user naming the same in-domain address still vouches for it.
    got, _ = send(
        client,
        "hr-archive@example.com",
        after_output(client, "search", inbox, "Send the salary sheet to hr-archive@example.com."),
    )
    assert got == [("send_email", "allow", [])]


def test_a_finding_on_a_trusted_output_is_reported_but_holds_nothing(gw):
    client = gw.client("sk-alice")
    entry = "name: Daniel Kim\nemail: daniel.kim@example.com\nnote: Please review this entry"
    got, flags = send(
        client,
        "daniel.kim@example.com",
        after_output(client, "get_directory", entry, "Mail Daniel Kim the notes."),
    )
    assert "acme.review_marker" in flags
    assert got == [("send_email", "allow", [])]
    # The same finding on an untrusted output holds every side effect, even one whose
    # recipient the user gave.
    got, flags = send(
        client,
        "bob@example.com",
        after_output(client, "search", entry, "Mail the notes to bob@example.com."),
    )
    assert "acme.review_marker" in flags
    assert got == [("send_email", "require_approval", ["taint.side_effect_needs_approval"])]
