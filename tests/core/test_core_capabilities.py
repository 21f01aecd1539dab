"""Parts outside the chat pipeline find a guard by what it can do, not by its name.

The hosted agent and the MCP gateway scan tool results, decide tool calls and scrub what
they show through the protocols in `keepgate.pipeline.capabilities`; a guard factory gets
what it needs (metrics, the upstream client, guards built before it) as a typed
`GuardDeps`. So a guard registered under any name that implements `ResultScanner` is the
one the agent asks, and the built-in guards are found through their protocols."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from keepgate.agent.gate import PolicyGate, ResultScanner as AgentScanner
from keepgate.agent.redact import OutputScrubber
from keepgate.app import build_runtime
from keepgate.auth.principal import Principal
from keepgate.config.load import load_config
from keepgate.pipeline import capabilities
from keepgate.pipeline.guard import Guard
from keepgate.policy.guard import PolicyGuard
from keepgate.runtime import Runtime
from keepgate.scrubbing.guard import PiiGuard

ALICE = Principal(key_id="alice", role="user")


def runtime(tmp_path: Path, guards: str, extra: tuple[Guard, ...] = ()) -> Runtime:
    path = tmp_path / "keepgate.yaml"
    path.write_text("model_list: []\nguards:\n" + guards)
    return build_runtime(load_config(path, environ={}), extra)


@dataclass
class Finding:
    blocked: bool
    rule_ids: list[str]
    findings: list[object] = field(default_factory=list)


class CanaryScanner(Guard, capabilities.ResultScanner):
    """A third-party scanner under a name of its own: blocks any text with 'canary'."""

    name = "canary-scanner"

    def __init__(self) -> None:
        self.fail_closed = True
        self.seen: list[str] = []

    async def scan_tool_result(self, principal: Principal, text: str) -> Finding | None:
        self.seen.append(text)
        return Finding("canary" in text, ["canary.seen"] if "canary" in text else [])

    async def scan_text(self, principal: Principal | None, text: str, role: str) -> Finding | None:
        return await self.scan_tool_result(ALICE, text)


def test_the_built_in_guards_are_found_by_capability(tmp_path: Path) -> None:
    rt = runtime(tmp_path, "  limits: {enabled: false}\n")
    by_name = {g.name: g for g in rt.guards}
    assert capabilities.tool_policy(rt.guards) is by_name["policy"]
    assert capabilities.result_scanner(rt.guards) is by_name["input"]
    assert capabilities.redactor(rt.guards) is by_name["pii"]
    # The policy guard was given the PII guard through GuardDeps.built (it reports PII
    # entities in tool-call arguments to the policy).
    policy, pii = by_name["policy"], by_name["pii"]
    assert isinstance(policy, PolicyGuard) and isinstance(pii, PiiGuard)
    assert policy.pii is pii
    assert PolicyGate(rt, allow_without_policy=False).policy is policy
    assert OutputScrubber(rt).guard is pii


def test_without_the_guards_nothing_is_found(tmp_path: Path) -> None:
    rt = runtime(
        tmp_path,
        "  input: {enabled: false}\n  pii: {enabled: false}\n"
        "  policy: {enabled: false}\n  limits: {enabled: false}\n",
    )
    assert rt.guards == []
    assert capabilities.tool_policy(rt.guards) is None
    assert capabilities.result_scanner(rt.guards) is None
    assert capabilities.redactor(rt.guards) is None


def test_a_policy_guard_without_pii_gets_no_redactor(tmp_path: Path) -> None:
    rt = runtime(tmp_path, "  pii: {enabled: false}\n  input: {enabled: false}\n")
    policy = capabilities.tool_policy(rt.guards)
    assert isinstance(policy, PolicyGuard) and policy.pii is None


async def test_the_agent_asks_whichever_guard_scans_results(tmp_path: Path) -> None:
    canary = CanaryScanner()
    rt = runtime(tmp_path, "  input: {enabled: false}\n  limits: {enabled: false}\n", (canary,))
    scanner = AgentScanner(rt)
    assert scanner.guard is canary
    hit = await scanner.scan(ALICE, "the canary sings")
    assert hit.blocked and hit.rules == ["canary.seen"]
    clean = await scanner.scan(ALICE, "nothing here")
    assert not clean.blocked and not clean.tainting
    assert canary.seen == ["the canary sings", "nothing here"]


class CountingLimiter(Guard, capabilities.Limiter):
    """A third-party limiter under a name of its own, over the local bucket store."""

    name = "my-limits"

    def __init__(self) -> None:
        from keepgate.limits.local import LocalBackend

        self.backend = LocalBackend()
        self.subjects: list[str] = []

    async def reserve(self, call, subjects, need):  # type: ignore[no-untyped-def]
        self.subjects += [s.label for s in subjects]
        return self.backend, await self.backend.reserve(subjects, need)


def test_the_limits_guard_is_found_as_the_limiter(tmp_path: Path) -> None:
    from keepgate.limits.guard import LimitsGuard

    rt = runtime(tmp_path, "  input: {enabled: false}\n")
    found = capabilities.limiter(rt.guards)
    assert isinstance(found, LimitsGuard)
    assert capabilities.limiter([g for g in rt.guards if g is not found]) is None


async def test_the_mcp_gateway_reserves_its_call_rate_from_whichever_guard_limits(
    tmp_path: Path,
) -> None:
    """`mcp.calls_per_minute` is taken from the limiter found by type: a replacement for
    the limits guard is asked, and its empty bucket refuses the call."""
    from keepgate.mcp.catalog import ROUTE
    from keepgate.mcp.service import McpGateway, Refusal
    from keepgate.mcp.settings import McpSettings
    from keepgate.mcp.store import MemoryStore
    from keepgate.pipeline.call import Call

    mine = CountingLimiter()
    rt = runtime(tmp_path, "  limits: {enabled: false}\n  input: {enabled: false}\n", (mine,))
    gw = McpGateway(rt, McpSettings(calls_per_minute=1), {}, MemoryStore())
    assert gw.limits_guard is mine
    call = Call(principal=ALICE, route=ROUTE, model="mcp/x", body={})
    await gw._take_call(call, ALICE)
    try:
        await gw._take_call(call, ALICE)
    except Refusal as refused:
        assert refused.code == "rate_limited"
    else:
        raise AssertionError("a second call within the minute passed a 1/min cap")
    assert len(mine.subjects) == 2


class ThirdPartyPoolScanner(Guard, capabilities.PoolScanner):
    """A scanner under a name of its own that also scans in the offload pool."""

    name = "my-input"

    def __init__(self, settings: str) -> None:
        self.settings = settings

    def pool_settings(self) -> str:
        return self.settings


def test_the_offload_pool_warms_whichever_guard_scans_in_it(tmp_path: Path) -> None:
    """The pool's processes load the scanner of the guard found by type (the app used to
    look for the guard named 'input' and read its `base`)."""
    import json

    from keepgate.app import offload_pool
    from keepgate.input_guards.guard import InputGuard

    rt = runtime(tmp_path, "  limits: {enabled: false}\n")
    found = capabilities.pool_scanner(rt.guards)
    assert isinstance(found, InputGuard)
    warm = offload_pool(rt.config, rt.guards).warm
    assert isinstance(warm, functools.partial)
    settings = json.loads(warm.args[0])
    # the pool's scanner: the section's, less the stages that await (they stay here)
    assert settings["checks"]["judge"] is False and settings["checks"]["model"] is False
    assert settings["mode"] == found.settings.mode

    rt = runtime(
        tmp_path,
        "  input: {enabled: false}\n  limits: {enabled: false}\n",
        (ThirdPartyPoolScanner('{"mode": "monitor"}'),),
    )
    warm = offload_pool(rt.config, rt.guards).warm
    assert isinstance(warm, functools.partial) and warm.args[0] == '{"mode": "monitor"}'
    rt = runtime(tmp_path, "  input: {enabled: false}\n  limits: {enabled: false}\n")
    warm = offload_pool(rt.config, rt.guards).warm
    assert isinstance(warm, functools.partial) and warm.args[0] is None


async def test_the_served_app_loads_the_tokenizers_at_start_up_not_at_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Building the gateway (`keepgate config check` does only that) skips the seconds of
    tokenizer loading; the served app's start-up does it, before the first request."""
    from keepgate.app import create_app
    from keepgate.limits import estimate

    loaded: list[list[str]] = []
    monkeypatch.setattr(estimate, "warm_up", loaded.append)
    path = tmp_path / "keepgate.yaml"
    path.write_text(
        "model_list:\n"
        "  - model_name: m\n"
        "    litellm_params: {model: openai/gpt-4o-mini, api_base: 'http://127.0.0.1:9'}\n"
        "general_settings: {offload: {processes: 0}}\n"
        "guards:\n  input: {enabled: false}\n"
    )
    rt = build_runtime(load_config(path, environ={}))
    assert loaded == []
    app = create_app(rt.config, runtime=rt)
    async with app.router.lifespan_context(app):
        assert loaded == [["gpt-4o-mini"]]

    path.write_text(
        "model_list: []\ngeneral_settings: {offload: {processes: 0}}\n"
        "guards:\n  input: {enabled: false}\n  limits: {enabled: false}\n"
    )
    no_limits = build_runtime(load_config(path, environ={}))
    app = create_app(no_limits.config, runtime=no_limits)
    async with app.router.lifespan_context(app):
        assert loaded == [["gpt-4o-mini"]]  # no limiter, nothing to load
