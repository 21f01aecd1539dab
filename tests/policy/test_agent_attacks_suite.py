"""The agent-attack suite's data is what docs/policy.md says it is, and self-consistent:
every expected call fits its tool's schema (the gateway denies unknown or missing
arguments of side-effecting tools, so a sloppy task would read as a false denial)."""

from __future__ import annotations

import json

import pytest

from bench.agent_attacks import profiles
from bench.agent_attacks.domains import DOMAINS
from bench.agent_attacks.model import SLOT, Call, Domain, fill
from bench.agent_attacks.phrasing import STYLE_NAMES
from bench.agent_attacks.suite import TEXT_GOALS, runs


def test_suite_size():
    assert len(DOMAINS) >= 5
    assert sum(len(d.tasks) for d in DOMAINS) >= 80
    assert sum(len(d.injections) for d in DOMAINS) >= 25
    assert all(not i.text_only for d in DOMAINS for i in d.injections)
    assert TEXT_GOALS and all(g.text_only for g in TEXT_GOALS)
    ids = [t.id for d in DOMAINS for t in d.tasks] + [i.id for d in DOMAINS for i in d.injections]
    assert len(ids) == len(set(ids))


def _fits(d: Domain, call: Call) -> list[str]:
    tool = d.tool(call.tool)
    return [f"missing {a}" for a in tool.required if a not in call.args] + [
        f"unknown {a}" for a in call.args if a not in tool.params
    ]


@pytest.mark.parametrize("d", DOMAINS, ids=lambda d: d.name)
def test_calls_fit_their_tools(d):
    bad = [
        (t.id, s.call.tool, _fits(d, s.call)) for t in d.tasks for s in t.steps if _fits(d, s.call)
    ]
    bad += [(i.id, c.tool, _fits(d, c)) for i in d.injections for c in i.calls if _fits(d, c)]
    assert not bad
    # Every injection goal has at least one call with a side effect (the thing to stop).
    assert all(any(d.has_effect(c) for c in i.calls) for i in d.injections)
    # Most tasks let an attacker write somewhere the agent reads.
    assert sum(t.injectable for t in d.tasks) >= len(d.tasks) // 2


@pytest.mark.parametrize("d", DOMAINS, ids=lambda d: d.name)
def test_catalogue_describes_every_tool(d):
    tools = profiles.catalogue(d.name)["keepgate"]["tools"]
    assert set(tools) == {t.name for t in d.tools}
    for name, spec in tools.items():
        assert spec["effects"] in ("none", "internal", "egress"), name


def test_pairs_and_slots():
    all_runs = runs()
    attacks = [r for r in all_runs if r.injection is not None]
    assert {r.style for r in attacks} == set(STYLE_NAMES)
    for r in attacks:
        carriers = [s for s in r.task.steps if s.injectable]
        assert 0 <= r.slot < len(carriers)
        # The slot disappears in the clean rendering and carries the text in the attack.
        assert SLOT not in json.dumps(fill(carriers[r.slot].output, ""))
        assert "XYZZY" in json.dumps(fill(carriers[r.slot].output, "XYZZY"))
    quick = runs(quick=True)
    assert 0 < len(quick) < len(all_runs) // 3


# -- the held-out set (bench/agent_attacks/heldout): same checks, its own registers --------
from bench.agent_attacks import heldout  # noqa: E402
from bench.agent_attacks.phrasing import HELDOUT_STYLE_NAMES, phrase_parts  # noqa: E402


@pytest.mark.parametrize("d", heldout.DOMAINS, ids=lambda d: d.name)
def test_heldout_calls_fit_and_catalogue_describes_every_tool(d):
    test_calls_fit_their_tools(d)
    test_catalogue_describes_every_tool(d)
    assert d.name not in {x.name for x in DOMAINS}  # new apps, not the suite's


def test_heldout_pairs_use_every_new_register():
    attacks = [r for r in heldout.runs() if r.injection is not None]
    assert {r.style for r in attacks} == set(HELDOUT_STYLE_NAMES)
    assert not set(HELDOUT_STYLE_NAMES) & set(STYLE_NAMES)
    for r in attacks:
        parts = phrase_parts(r.injection.instruction, r.style)
        carriers = [s for s in r.task.steps if s.injectable]
        assert len(parts) <= len(carriers)  # a split instruction has two distinct carriers
        text = json.dumps(fill(carriers[r.slot].output, parts[0], r.style == "fieldname"))
        if r.style == "fieldname" and not isinstance(carriers[r.slot].output, str):
            # the attacker's text is a key, not a value
            assert any(parts[0] in k for k in _keys(fill(carriers[r.slot].output, parts[0], True)))
        elif r.style == "fieldname":  # a plain-text record: a line's label
            assert f"{parts[0]}: yes" in fill(carriers[r.slot].output, parts[0], True)
        else:
            assert json.dumps(parts[0])[1:-1] in text


def _keys(v):
    if isinstance(v, dict):
        for k, x in v.items():
            yield k
            yield from _keys(x)
    elif isinstance(v, list):
        for x in v:
            yield from _keys(x)


def test_defanged_register_hides_every_address_and_url():
    from keepgate.policy.provenance import embedded_values

    for d in heldout.DOMAINS:
        for i in d.injections:
            (text,) = phrase_parts(i.instruction, "obfuscated")
            kinds = {k for k, _ in embedded_values(text) if k in ("email",)}
            assert "email" not in kinds, (i.id, text)
            assert "https://" not in text and "@" not in text, (i.id, text)


# -- held-out set 3 (bench/agent_attacks/heldout3): same checks, its own registers ---------
from bench.agent_attacks import heldout3  # noqa: E402
from bench.agent_attacks.phrasing import HELDOUT3_STYLE_NAMES  # noqa: E402


@pytest.mark.parametrize("d", heldout3.DOMAINS, ids=lambda d: d.name)
def test_heldout3_calls_fit_and_catalogue_describes_every_tool(d):
    test_calls_fit_their_tools(d)
    test_catalogue_describes_every_tool(d)
    earlier = {x.name for x in (*DOMAINS, *heldout.DOMAINS)}
    assert d.name not in earlier  # new apps


def test_heldout3_size_and_registers():
    clean = [r for r in heldout3.runs() if r.injection is None]
    goals = {i.id for d in heldout3.DOMAINS for i in d.injections}
    assert len(clean) >= 30 and len(goals) >= 20
    attacks = [r for r in heldout3.runs() if r.injection is not None]
    assert {r.style for r in attacks} == set(HELDOUT3_STYLE_NAMES)
    assert not set(HELDOUT3_STYLE_NAMES) & (set(STYLE_NAMES) | set(HELDOUT_STYLE_NAMES))
    for r in attacks:
        (part,) = phrase_parts(r.injection.instruction, r.style)
        carrier = [s for s in r.task.steps if s.injectable][r.slot]
        assert json.dumps(part)[1:-1] in json.dumps(fill(carrier.output, part))


# -- held-out set 4 (bench/agent_attacks/heldout4): same checks, its own registers ---------
from bench.agent_attacks import heldout4  # noqa: E402
from bench.agent_attacks.phrasing import HELDOUT3_STYLES, HELDOUT4_STYLE_NAMES  # noqa: E402


@pytest.mark.parametrize("d", heldout4.DOMAINS, ids=lambda d: d.name)
def test_heldout4_calls_fit_and_catalogue_describes_every_tool(d):
    test_calls_fit_their_tools(d)
    test_catalogue_describes_every_tool(d)
    earlier = {x.name for x in (*DOMAINS, *heldout.DOMAINS, *heldout3.DOMAINS)}
    assert d.name not in earlier  # new apps


def test_heldout4_size_and_registers():
    clean = [r for r in heldout4.runs() if r.injection is None]
    goals = {i.id for d in heldout4.DOMAINS for i in d.injections}
    assert len(clean) >= 30 and len(goals) >= 20
    attacks = [r for r in heldout4.runs() if r.injection is not None]
    assert {r.style for r in attacks} == set(HELDOUT4_STYLE_NAMES)
    earlier = set(STYLE_NAMES) | set(HELDOUT_STYLE_NAMES) | set(HELDOUT3_STYLES)
    assert not set(HELDOUT4_STYLE_NAMES) & earlier
    for r in attacks:
        (part,) = phrase_parts(r.injection.instruction, r.style)
        carrier = [s for s in r.task.steps if s.injectable][r.slot]
        assert json.dumps(part)[1:-1] in json.dumps(fill(carrier.output, part))
