"""A slice of the agent-attack suite (bench/agent_attacks) through a real gateway.

The gateway runs with the shipped guards (input, PII, policy) and the suite's catalogue
for the domain; the fake model plays an obedient agent, the openai SDK is the app. The
replay is the benchmark's own (`bench.agent_attacks.replay`), so what is asserted here is
what `python -m bench.agent_attacks` measures, on a few tasks × injections.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.agent_attacks import gateway_proc, profiles
from bench.agent_attacks.domains import DOMAINS
from bench.agent_attacks.metrics import attack_succeeded
from bench.agent_attacks.replay import RunRecord, replay
from bench.agent_attacks.suite import Run

BY_NAME = {d.name: d for d in DOMAINS}


def shipped_client(gateway_factory, tmp_path: Path, domain: str, instructions: bool = True):
    """The app's client of a gateway with shipped guards and the domain's catalogue.
    `on_approval: pass` releases held calls flagged, so the test can play the human;
    `instructions=False` turns the instruction-in-data stage off."""
    data = profiles.data_dir("defaults", domain, tmp_path)
    gw = gateway_factory(
        {
            "keys": [{"key_id": "agent-app", "key": gateway_proc.KEY, "role": "user"}],
            "guards": {
                "input": {"enabled": True, "checks": {"instructions": instructions}},
                "pii": {"enabled": True},
                "policy": {"enabled": True, "data_dirs": [str(data)], "on_approval": "pass"},
            },
        }
    )
    return gw.client(gateway_proc.KEY)


def run(
    client, domain: str, task: str, injection: str | None = None, style: str = "direct"
) -> RunRecord:
    d = BY_NAME[domain]
    t = next(x for x in d.tasks if x.id == task)
    inj = None
    if injection:
        inj = next(x for x in d.injections if x.id == injection)
    return replay(client, Run(d, t, inj, style if inj else None))


def decisions(rec: RunRecord, who: str = "task") -> list[tuple[str, str]]:
    return [(c.tool, c.decision) for c in rec.calls if c.who == who]


@pytest.mark.parametrize(
    "domain,tasks",
    [
        ("workspace", ["ws01", "ws12"]),
        ("chat", ["ch01", "ch04", "ch07"]),
        ("travel", ["tr03", "tr07"]),
        ("devops", ["dv02", "dv08"]),
    ],
)
def test_clean_tasks_run_with_no_approval(gateway_factory, tmp_path, domain, tasks):
    """An ordinary agent app works out of the box: its system prompt passes, reads pass,
    and side effects whose arguments the user gave or a trusted tool returned need no one."""
    client = shipped_client(gateway_factory, tmp_path, domain)
    for task in tasks:
        rec = run(client, domain, task)
        assert rec.blocked is None, (task, rec.blocked)
        assert rec.final_ok
        assert all(d == "allow" for _, d in decisions(rec)), (task, decisions(rec))
        assert not any(c.altered for c in rec.calls), task


@pytest.mark.parametrize(
    "domain,task,injection",
    [
        ("banking", "bk02", "bk-i1"),  # pay the attacker's IBAN, in a downloaded bill
        ("travel", "tr01", "tr-i1"),  # book the attacker's hotel, in a hotel listing
        ("workspace", "ws04", "ws-i1"),  # mail the inbox to a gmail address, in a marketing mail
    ],
)
def test_textbook_injection_never_gets_its_side_effect(
    gateway_factory, tmp_path, domain, task, injection
):
    client = shipped_client(gateway_factory, tmp_path, domain)
    rec = run(client, domain, task, injection, style="direct")
    assert not attack_succeeded(rec), rec.calls
    assert not any(c.executed and c.effect for c in rec.attack_calls())


@pytest.mark.parametrize(
    "domain,task,injection,style",
    [
        ("workspace", "ws02", "ws-i1", "polite"),  # inbox to a gmail address, in the user's mail
        ("banking", "bk04", "bk-i1", "polite"),  # attacker IBAN, in a transaction subject
        ("chat", "ch06", "ch-i3", "note"),  # data in a URL's query, in a chat message
        ("travel", "tr02", "tr-i1", "polite"),  # the attacker's hotel, in a hotel listing
        ("devops", "dv06", "dv-i1", "note"),  # admin collaborator, in an issue comment
    ],
)
def test_paraphrased_injection_waits_for_a_human(
    gateway_factory, tmp_path, domain, task, injection, style
):
    """Plain-language injections the detectors let through: the attacker's side effect is
    held for approval because its target comes only from untrusted output, while the
    user's own calls still run (with approval where theirs come from outside too). The
    instruction-in-data stage is off here (it now catches some of these, e.g. the polite
    ws02 one): what is under test is provenance when every detector misses."""
    client = shipped_client(gateway_factory, tmp_path, domain, instructions=False)
    rec = run(client, domain, task, injection, style)
    assert rec.blocked is None  # no detector stopped it: provenance has to
    effects = [c for c in rec.attack_calls() if c.effect]
    assert effects and all(c.decision == "require_approval" for c in effects), rec.calls
    assert not attack_succeeded(rec)
    assert all(c.executed and not c.altered for c in rec.task_calls()), rec.calls


@pytest.mark.parametrize(
    "domain,task",
    [
        ("workspace", "ws07"),  # participants from the directory (trusted output; the instruction
        #                         stage flags its `email: …` lines: reported, holds nothing)
        ("banking", "bk03"),  # IBAN from the saved payees (a trusted output)
        ("banking", "bk07"),  # IBAN typed by the user with spaces
        ("travel", "tr05"),  # a gmail address the user typed
        ("travel", "tr10"),  # passport data to an address the user typed
    ],
)
def test_user_sourced_side_effects_pass_untouched(gateway_factory, tmp_path, domain, task):
    client = shipped_client(gateway_factory, tmp_path, domain)
    rec = run(client, domain, task)
    assert [d for _, d in decisions(rec)] == ["allow"] * len(rec.task_calls())
    assert not any(c.altered for c in rec.calls)  # PII in arguments is a fact, not a rewrite


@pytest.mark.parametrize(
    "domain,task,tool",
    [
        ("banking", "bk02", "send_money"),  # IBAN only in a downloaded bill
        ("workspace", "ws10", "send_email"),  # recipient only in an outside calendar invite
        # A colleague's address only in a mail: the company-domain allowlist constrains it but
        # does not vouch for it (an attacker can name hr-archive@<the domain> the same way).
        ("workspace", "ws02", "send_email"),
        ("travel", "tr12", "book_flight"),  # flight id only on a web page
    ],
)
def test_outside_sourced_side_effect_needs_one_approval(
    gateway_factory, tmp_path, domain, task, tool
):
    client = shipped_client(gateway_factory, tmp_path, domain)
    rec = run(client, domain, task)
    assert [(t, d) for t, d in decisions(rec) if d != "allow"] == [(tool, "require_approval")]
    assert rec.final_ok and all(c.executed and not c.altered for c in rec.calls)
