"""The MCP gateway's decisions: which tools a key sees (`keepgate.mcp.catalog`), and what
happens to each call.

`tools/call`: server access → calls-per-minute bucket → the tool must be listed for the
caller (and its pin approved) → arguments validated against its input schema → the same
Rego decision as a model's tool call (`build_policy_input`, `metadata.route: "mcp"`, the
session's taint facts) → allow / deny / require_approval (held until approved through the
approvals API, then run once when the client retries) → upstream → result scanned (taints
the session) and scrubbed → the client. Every refusal is a `CallToolResult` with `isError`
and `_meta.keepgate` (`decision`, `rule`, `code`...): MCP clients hand it to the model as
the tool's answer, so an agent run goes on and the model can adapt. Every request is one
audit record, metrics and a trace, like a chat call (`route: "mcp"`).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import mcp_types as types
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from prometheus_client import Counter, Histogram

from keepgate.auth.principal import Principal
from keepgate.limits.backend import Amounts, BackendUnavailable
from keepgate.limits.local import LocalBackend
from keepgate.limits.spec import Subject
from keepgate.mcp.approvals import Approvals, call_digest
from keepgate.mcp.catalog import ROUTE, Catalog
from keepgate.mcp.content import Content
from keepgate.mcp.pins import PinVerdict, Pins
from keepgate.mcp.results import cap, inspect, notice, scrubbed_tree, texts
from keepgate.mcp.scrubcache import ScrubCache
from keepgate.mcp.sessions import Sessions, call_message
from keepgate.mcp.settings import McpServerSettings, McpSettings
from keepgate.mcp.store import Store, StoreUnavailable
from keepgate.mcp.upstream import Upstream, UpstreamError
from keepgate.mcp.wire import STAMP_PREFIX
from keepgate.observability.metrics import LATENCY_BUCKETS
from keepgate.pipeline import capabilities
from keepgate.pipeline.call import Call, Outcome
from keepgate.pipeline.guard import GuardBlocked
from keepgate.pipeline.jsontext import json_digest
from keepgate.pipeline.verdict import Verdict
from keepgate.policy.decision import PolicyDecision, reason_id, reason_text
from keepgate.policy.catalog import Catalog as ToolCatalog
from keepgate.policy.catalog import ToolEntry
from keepgate.policy.inputs import ProvenanceContext, build_policy_input
from keepgate.policy.sliding import SlidingIndexes

if TYPE_CHECKING:
    from keepgate.runtime import Runtime

log = logging.getLogger("keepgate.mcp")
#: Valid arguments remembered (`McpGateway._validate`).
VALID_ENTRIES = 4096
#: The policy input's path the index's untrusted outputs go to (`McpGateway._decide`).
TAINT_SOURCES = ("facts", "taint_sources")
#: The calls made so far, one name per call (~100 at the history's cap): `tool_counts`
#: says the same per name, and the shipped policy reads only that.
TOOLS_CALLED = ("facts", "tools_called")


#: What one tools/call takes from the key's bucket.
ONE_CALL = Amounts(1, 0, 0.0)


class McpMetrics:
    def __init__(self, registry: Any) -> None:
        self.calls = Counter(
            "keepgate_mcp_tool_calls_total",
            "MCP tools/call by outcome",
            ["server", "decision"],
            registry=registry,
        )
        self.upstream_seconds = Histogram(
            "keepgate_mcp_upstream_duration_seconds",
            "Time an upstream MCP server took per request",
            ["server", "method"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.upstream_errors = Counter(
            "keepgate_mcp_upstream_errors_total",
            "Upstream MCP failures",
            ["server", "kind"],
            registry=registry,
        )
        self.withheld = Counter(
            "keepgate_mcp_tools_withheld_total",
            "Tools left out of a listing (changed, quarantined)",
            ["server", "reason"],
            registry=registry,
        )


class Refusal(Exception):
    """A call the gateway answers itself (an isError result), with its verdict."""

    def __init__(self, verdict: Verdict, text: str, code: str, **meta: Any) -> None:
        super().__init__(text)
        self.verdict, self.text, self.code, self.meta = verdict, text, code, meta


class McpGateway:
    def __init__(
        self,
        rt: Runtime,
        settings: McpSettings,
        servers: dict[str, McpServerSettings],
        store: Store,
    ) -> None:
        self.rt = rt
        self.settings = settings
        self.servers = {n: s for n, s in servers.items() if s.enabled}
        self.metrics = McpMetrics(rt.metrics.registry)
        self.upstreams = {
            n: Upstream(
                n,
                s,
                self.metrics.upstream_seconds.labels(n, "tools/list"),
                self.metrics.upstream_seconds.labels(n, "tools/call"),
            )
            for n, s in self.servers.items()
        }
        self.store = store
        self.pins = Pins(store, self._audit_event)
        self.sessions = Sessions(
            store,
            settings.session_ttl_s,
            settings.session_max_messages,
            settings.history_chars,
            defer=settings.defer_session_writes,
        )
        self.approvals = Approvals(store, settings.approvals.ttl_s)
        self.input_guard = capabilities.result_scanner(rt.guards)
        self.pii_guard = capabilities.redactor(rt.guards)
        #: Scrubbed result texts per key and session (keepgate.mcp.scrubcache).
        self.scrub_cache = (
            ScrubCache(settings.scrub_cache_entries) if settings.scrub_cache_entries else None
        )
        self.limits_guard = capabilities.limiter(rt.guards)
        self.policy = capabilities.tool_policy(rt.guards)
        self.local_limits = LocalBackend() if self.limits_guard is None else None
        self.catalog = Catalog(settings, self.upstreams, self.pins, self.input_guard, self.policy)
        self._validators: dict[str, Draft202012Validator | None] = {}
        #: (key id, session, definition digest, arguments digest) of valid arguments.
        self._valid: OrderedDict[tuple[str, str, str, bytes], None] = OrderedDict()
        #: resources/* and prompts/* (keepgate.mcp.content).
        self.content = Content(self)
        #: (role, key id) -> (calls per minute, the limits subjects; None: unlimited)
        self._caps: dict[tuple[str, str], tuple[float | None, list[Subject] | None]] = {}
        #: Each session's history index (keepgate.policy.sliding).
        self.indexes = SlidingIndexes(settings.index_sessions)
        #: The policy catalogue, and its overlays per read-only tool (`_catalog`).
        self._overlays: tuple[ToolCatalog | None, dict[str, ToolCatalog]] = (None, {})

    # -- lifecycle -----------------------------------------------------------------------

    async def aclose(self) -> None:
        self.sessions.work.aclose()  # the session writes still waiting (keepgate.mcp.deferred)
        for up in self.upstreams.values():
            await up.aclose()
        await self.store.aclose()

    # -- who may reach what --------------------------------------------------------------

    def may_reach(self, principal: Principal, server: str) -> bool:
        s = self.servers.get(server)
        if s is None:
            return False
        if principal.is_admin or not (s.roles or s.keys):
            return True
        return principal.role in s.roles or principal.key_id in s.keys

    def reachable(self, principal: Principal, endpoint: str | None) -> list[str]:
        names = [endpoint] if endpoint is not None else list(self.servers)
        return [n for n in names if self.may_reach(principal, n)]

    def exposed(self, endpoint: str | None, server: str, tool: str) -> str:
        return tool if endpoint is not None else f"{server}{self.settings.separator}{tool}"

    def resolve(self, endpoint: str | None, name: str) -> tuple[str, str] | None:
        """(server, tool) for a tool name as the endpoint exposes it."""
        if endpoint is not None:
            return endpoint, name
        for server in self.servers:
            prefix = server + self.settings.separator
            if name.startswith(prefix) and len(name) > len(prefix):
                return server, name[len(prefix) :]
        return None

    # -- tools/list ----------------------------------------------------------------------

    async def server_tools(
        self, principal: Principal, server: str
    ) -> list[tuple[types.Tool, PinVerdict, bool]]:
        return await self.catalog.server_tools(principal, server)

    async def list_tools(
        self, principal: Principal, endpoint: str | None, session: str
    ) -> list[types.Tool]:
        call = self.start_call(principal, endpoint or "*", "tools/list", session)
        listed: list[types.Tool] = []
        outcome = Outcome("ok")
        try:
            for server in self.reachable(principal, endpoint):
                try:
                    with self.rt.tracer.stage(
                        call,
                        "mcp upstream",
                        **{"keepgate.mcp.server": server, "keepgate.mcp.method": "tools/list"},
                    ):
                        found = await self.server_tools(principal, server)
                except UpstreamError as exc:
                    call.add(exc.verdict(server))
                    if endpoint is not None:
                        outcome = Outcome("upstream_error", http_status=502)
                        raise
                    continue  # the aggregate endpoint still lists the other servers
                for tool, verdict, visible in found:
                    if verdict.status != "approved":
                        self.metrics.withheld.labels(server, verdict.status).inc()
                        call.add(
                            Verdict(
                                "mcp",
                                "block",
                                rule=f"mcp.tool_{verdict.status}",
                                reason=f"tool definition {verdict.status}",
                                detail={
                                    "server": server,
                                    "tool": tool.name[:200],
                                    "rules": list(verdict.rules)[:10],
                                },
                            )
                        )
                        continue
                    if not visible:
                        continue
                    name = self.exposed(endpoint, server, tool.name)
                    listed.append(
                        tool if name == tool.name else tool.model_copy(update={"name": name})
                    )
            call.audit.update(tools_listed=len(listed))
            return listed
        except StoreUnavailable as exc:
            call.add(
                Verdict(
                    "mcp",
                    "error",
                    rule="mcp.store_unavailable",
                    reason=str(exc),
                    detail={"mode": "closed"},
                )
            )
            outcome = Outcome("error", http_status=503)
            raise
        finally:
            await self.finish_call(call, outcome)

    def input_schema(self, endpoint: str | None, name: str) -> dict[str, Any] | None:
        """For the SDK's Mcp-Param header check: the upstream schema, from the last listing."""
        found = self.resolve(endpoint, name)
        if found is None:
            return None
        cached = self.upstreams[found[0]].cached_tools
        return next((t.input_schema for t in cached if t.name == found[1]), None)

    # -- tools/call ----------------------------------------------------------------------

    async def call_tool(
        self,
        principal: Principal,
        endpoint: str | None,
        session: str,
        name: str,
        arguments: dict[str, Any],
    ) -> types.CallToolResult:
        found = self.resolve(endpoint, name)
        server, tool = found if found else (endpoint or "*", name)
        call = self.start_call(principal, server, "tools/call", session, tool=tool[:200])
        outcome = Outcome("ok")
        try:
            result = await self._call_tool(
                call, principal, server, tool, session, arguments, known=found is not None
            )
            decision = call.audit.get("decision", "allow")
            self.rt.metrics.child(
                self.metrics.calls, server if server in self.servers else "*", decision
            ).inc()
            return result
        except Refusal as r:
            call.add(r.verdict)
            call.audit.setdefault("decision", r.verdict.decision)
            self.rt.metrics.child(
                self.metrics.calls, server if server in self.servers else "*", r.verdict.decision
            ).inc()
            outcome = Outcome(
                "upstream_error" if r.code == "upstream_error" else "blocked",
                http_status=_status(r.code),
            )
            return notice(
                r.text,
                {
                    "decision": r.verdict.decision,
                    "code": r.code,
                    "rule": r.verdict.rule,
                    "request_id": call.id,
                    **r.meta,
                },
            )
        except StoreUnavailable as exc:
            call.add(
                Verdict(
                    "mcp",
                    "error",
                    rule="mcp.store_unavailable",
                    reason=str(exc),
                    detail={"mode": "closed"},
                )
            )
            outcome = Outcome("error", http_status=503)
            return notice(
                "Keepgate cannot check this call right now (its MCP store is "
                "unreachable); it was not run.",
                {
                    "decision": "error",
                    "code": "store_unavailable",
                    "rule": "mcp.store_unavailable",
                    "request_id": call.id,
                },
            )
        except BaseException as exc:
            outcome = Outcome.ended_by(exc)
            raise
        finally:
            await self.finish_call(call, outcome)

    async def _call_tool(
        self,
        call: Call,
        principal: Principal,
        server: str,
        tool: str,
        session: str,
        arguments: dict[str, Any],
        known: bool,
    ) -> types.CallToolResult:
        audit = call.audit
        if not known or server not in self.servers:
            raise Refusal(
                Verdict(
                    "mcp", "deny", rule="mcp.unknown_tool", reason="no such tool on this endpoint"
                ),
                f"There is no tool named '{_safe(tool)}' here.",
                "unknown_tool",
            )
        if not self.may_reach(principal, server):
            raise Refusal(
                Verdict(
                    "mcp",
                    "deny",
                    rule="mcp.server_not_allowed",
                    reason=f"key may not use MCP server {server}",
                ),
                f"This key may not use the MCP server '{server}'.",
                "server_not_allowed",
            )
        await self._take_call(call, principal)
        try:
            listed = await self.server_tools(principal, server)
        except UpstreamError as exc:
            raise self._upstream_refusal(server, exc) from None
        entry = next(((t, v, vis) for t, v, vis in listed if t.name == tool), None)
        if entry is None:
            raise Refusal(
                Verdict(
                    "mcp",
                    "deny",
                    rule="mcp.unknown_tool",
                    reason="the server does not list this tool",
                ),
                f"The MCP server '{server}' has no tool named '{_safe(tool)}'.",
                "unknown_tool",
            )
        definition, verdict, visible = entry
        if verdict.status == "changed":
            raise Refusal(
                Verdict(
                    "mcp",
                    "deny",
                    rule="mcp.tool_changed",
                    reason="tool definition changed since it was pinned",
                ),
                f"The definition of '{_safe(tool)}' changed since Keepgate pinned it; "
                "calls are refused until an operator approves the new definition "
                f"(keepgate mcp approve {server} {_safe(tool)}).",
                "tool_changed",
                digest=verdict.digest,
            )
        if verdict.status == "quarantined":
            raise Refusal(
                Verdict(
                    "mcp",
                    "deny",
                    rule="mcp.tool_quarantined",
                    reason="tool definition flagged by the input guard",
                    detail={"rules": list(verdict.rules)[:10]},
                ),
                f"The definition of '{_safe(tool)}' was flagged as a prompt injection "
                f"({', '.join(verdict.rules[:5])}); the tool is withheld until an "
                "operator approves it.",
                "tool_quarantined",
            )
        problems = self._validate(
            definition, verdict.digest, arguments, (principal.key_id, session)
        )
        if problems:
            raise Refusal(
                Verdict(
                    "mcp",
                    "block",
                    rule="mcp.invalid_arguments",
                    reason="arguments do not match the tool's input schema",
                ),
                "Invalid arguments: " + "; ".join(problems),
                "invalid_arguments",
                problems=problems,
            )
        offered = self.catalog.offered(principal, server, listed)
        # The whole history is read for the policy only (no policy: nothing decides on it);
        # `_decide` indexes it (and lists `tools_called`).
        if self.policy is not None:
            sources, history = await self.sessions.read(principal.key_id, session)
            facts = {"tainted": bool(sources), "taint_sources": sources, "messages": history}
        else:
            facts = {"tainted": await self.sessions.tainted(principal.key_id, session)}
        tcid = "mcp_" + os.urandom(12).hex()
        audit.update(tool_call_id=tcid, tainted=facts["tainted"])
        decision = await self._decide(
            call,
            principal,
            server,
            tool,
            arguments,
            offered,
            facts,
            session,
            tcid,
            schema=definition.input_schema,
            read_only=bool(definition.annotations and definition.annotations.read_only_hint),
        )
        args = arguments
        if (
            decision.allow
            and decision.rewritten_arguments is not None
            and decision.rewritten_arguments != arguments
        ):
            changed = sorted(
                set(arguments) ^ set(decision.rewritten_arguments)
                | {
                    k
                    for k in arguments
                    if k in decision.rewritten_arguments
                    and arguments[k] != decision.rewritten_arguments[k]
                }
            )
            if self.settings.on_rewrite == "refuse":
                raise Refusal(
                    Verdict(
                        "policy",
                        "deny",
                        rule="mcp.rewrite_refused",
                        reason="the policy would rewrite the arguments",
                        detail={"fields": changed[:20]},
                    ),
                    f"The policy does not allow '{_safe(tool)}' with these arguments "
                    f"as sent: call it again without or with other values for "
                    f"{', '.join(map(_safe, changed[:20]))}.",
                    "arguments_rewritten",
                    fields=changed[:20],
                )
            args = decision.rewritten_arguments
            audit["rewritten_fields"] = changed[:20]
        return await self._execute(
            call,
            principal,
            server,
            tool,
            session,
            tcid,
            args,
            rewritten=audit.get("rewritten_fields"),
            schema=definition.input_schema,
            read_only=bool(definition.annotations and definition.annotations.read_only_hint),
        )

    async def _decide(
        self,
        call: Call,
        principal: Principal,
        server: str,
        tool: str,
        arguments: dict[str, Any],
        offered: list[str],
        facts: dict[str, Any],
        session: str,
        tcid: str,
        schema: Any = None,
        read_only: bool = False,
    ) -> PolicyDecision:
        audit = call.audit
        if self.policy is None:
            if self.settings.allow_without_policy:
                return PolicyDecision(True, policy="policy.off")
            raise Refusal(
                Verdict(
                    "policy",
                    "deny",
                    rule="policy.unavailable",
                    reason="no tool-call policy is configured",
                ),
                "Keepgate refuses MCP tool calls: no tool-call policy is configured "
                "(mcp.allow_without_policy is false).",
                "denied",
            )
        # The session's history (calls and results, MCP and linked chat, and the linked chat
        # requests' system and user messages) is the conversation whose values the call's
        # arguments are looked up in. Without a linked chat no prompt is seen on this
        # route, so a value only the user typed counts as model-made here. Its index follows
        # the history from call to call (keepgate.policy.sliding): equal to a fresh build.
        catalog = self._catalog(tool, read_only)
        view = self.indexes.view(
            (principal.key_id, session),
            catalog,
            facts.get("messages") or [],
            facts.get("taint_sources") or (),
        )
        context = ProvenanceContext.of(
            catalog, view.index, view.totals, {tool: schema} if isinstance(schema, dict) else {}
        )
        metadata = {
            "route": ROUTE,
            "request_id": call.id,
            "mcp_server": server,
            "mcp_method": "tools/call",
            "session_id": session,
        }
        # The index's untrusted outputs in `facts.taint_sources` and the list of calls in
        # `facts.tools_called` are written out only for a policy that can read them (the
        # shipped one does not: ~20 dicts and ~100 names per call at the history's cap,
        # which the engine would parse); if the policy is reloaded meanwhile, the call is
        # decided again on all of them.
        version = self.policy.policy_version
        sources = self.policy.may_read(TAINT_SOURCES)
        called = self.policy.may_read(TOOLS_CALLED)
        while True:
            facts["tools_called"] = view.tools_called if called else []
            inp = build_policy_input(
                principal,
                tool,
                arguments,
                offered_tools=offered,
                facts=facts,
                call_id=tcid,
                tool_counts=view.tool_counts,
                metadata=metadata,
                context=context,
                index_sources=sources,
            )
            with self.rt.tracer.stage(call, "guard policy", **{"keepgate.guard": "policy"}):
                try:
                    d = await self.policy.decide_tool(inp)
                except Exception as exc:  # noqa: BLE001 - the engine could not decide
                    d = PolicyDecision.failed(
                        f"policy.error: {type(exc).__name__}",
                        fail_open=not self.policy.fail_closed,
                    )
            if (sources and called) or self.policy.policy_version == version:
                break
            sources = called = True
        reasons = d.deny or d.approval
        outcome = "error" if d.error is not None and not d.allow else d.outcome
        verdict = Verdict(
            "policy",
            outcome,
            rule=d.rule,
            reason=(reason_text(reasons[0]) if reasons else "")[:300],
            detail={
                "tool": tool[:200],
                "tool_call_id": tcid,
                "server": server,
                "reasons": [reason_id(r) for r in reasons][:10],
            },
        )
        audit["decision"] = outcome
        if d.allow:
            call.add(verdict)
            return d
        if d.require_approval and not d.deny:
            return await self._approval(
                call, principal, server, tool, arguments, session, tcid, d, verdict
            )
        why = "; ".join(reason_text(r) for r in d.deny) or "denied by policy"
        raise Refusal(
            verdict,
            f"The call to tool '{_safe(tool)}' was blocked by policy: {why}.",
            "policy_error" if outcome == "error" else "denied",
            reasons=[reason_id(r) for r in d.deny][:10],
        )

    async def _approval(
        self,
        call: Call,
        principal: Principal,
        server: str,
        tool: str,
        arguments: dict[str, Any],
        session: str,
        tcid: str,
        d: PolicyDecision,
        verdict: Verdict,
    ) -> PolicyDecision:
        audit = call.audit
        digest = call_digest(principal.key_id, session, server, tool, arguments)
        record = await self.approvals.lookup(principal.key_id, digest)
        if (
            record is not None
            and record["status"] == "approved"
            and await self.approvals.consume(record)
        ):
            await self.approvals.forget(record)
            call.add(verdict)
            call.add(
                Verdict(
                    "policy",
                    "allow",
                    rule="approval",
                    reason="approved by a human",
                    detail={
                        "approval_id": record["id"],
                        "tool": tool[:200],
                        "decided_by": record.get("decided_by"),
                    },
                )
            )
            audit.update(decision="allow", approval_id=record["id"], decided_by="human")
            return PolicyDecision(True, policy=d.policy, rewritten_arguments=d.rewritten_arguments)
        if record is not None and record["status"] == "denied":
            await self.approvals.forget(record)
            audit.update(decision="deny", approval_id=record["id"], decided_by="human")
            raise Refusal(
                Verdict("policy", "deny", rule="approval.denied", reason="a human denied the call"),
                f"A human denied the call to '{_safe(tool)}'"
                + (f": {record.get('comment')}" if record.get("comment") else "")
                + ".",
                "denied_by_approver",
                approval_id=record["id"],
            )
        if record is None or record["status"] != "pending":
            shown = self._scrubbed_value(principal, arguments)
            record = await self.approvals.create(
                key_id=principal.key_id,
                role=principal.role,
                session=session,
                server=server,
                tool=tool,
                shown_arguments=shown,
                reasons=[reason_text(r) for r in d.approval],
                rule=d.rule,
                digest=digest,
                tool_call_id=tcid,
            )
            audit["approval_created"] = True
        audit["approval_id"] = record["id"]
        why = "; ".join(reason_text(r) for r in d.approval) or "the policy requires approval"
        raise Refusal(
            verdict,
            f"The call to tool '{_safe(tool)}' needs approval before it can "
            f"run ({why}). Approval id: {record['id']}. Retry the same call once it "
            "is approved.",
            "approval_required",
            approval_id=record["id"],
            status="pending",
            reasons=[reason_id(r) for r in d.approval][:10],
        )

    async def _execute(
        self,
        call: Call,
        principal: Principal,
        server: str,
        tool: str,
        session: str,
        tcid: str,
        args: dict[str, Any],
        rewritten: list[str] | None,
        schema: Any = None,
        read_only: bool = False,
    ) -> types.CallToolResult:
        # The session's bookkeeping decides nothing about this answer: with a local store
        # it runs after the answer, before the session's next reader (keepgate.mcp.deferred).
        kid, sessions = principal.key_id, self.sessions
        defers = sessions.defers
        #: The history messages as the store keeps them, for the index's follow.
        kept: list[Any] = []
        if defers:
            called = call_message(tcid, tool, args, server)
            sessions.later(
                kid, session, functools.partial(sessions.add_message, kid, session, called, kept)
            )
        else:
            await sessions.record_call(kid, session, tcid, tool, args, server)
        try:
            with self.rt.tracer.stage(
                call,
                "mcp upstream",
                **{"keepgate.mcp.server": server, "keepgate.mcp.method": "tools/call"},
            ):
                result = await self.upstreams[server].call_tool(tool, args, schema)
        except UpstreamError as exc:
            raise self._upstream_refusal(server, exc) from None
        except Exception as exc:  # noqa: BLE001 - a JSON-RPC error from the upstream
            message = str(getattr(exc, "message", "") or type(exc).__name__)[:300]
            call.audit["upstream_error"] = "jsonrpc"
            raise Refusal(
                Verdict(
                    "mcp",
                    "error",
                    rule="mcp.upstream_error",
                    reason="the upstream answered with an error",
                ),
                f"The MCP server '{server}' answered with an error: {message}",
                "upstream_error",
            ) from None
        if result.meta and any(k.startswith(STAMP_PREFIX) for k in result.meta):
            # The upstream's protocol stamps (its serverInfo...) are not ours to relay.
            result = result.model_copy(
                update={
                    "meta": {k: v for k, v in result.meta.items() if not k.startswith(STAMP_PREFIX)}
                    or None
                }
            )
        result, truncated = cap(result, self.settings.max_result_chars)
        if truncated:
            call.audit["truncated"] = True
        with self.rt.tracer.stage(call, "guard result", **{"keepgate.guard": "input,pii"}):
            checked = await inspect(
                result, principal, self.input_guard, self.pii_guard, self.scrub_cache, session
            )
        if checked.tainting:
            source = {
                "guard": "input",
                "rules": checked.rules[:10],
                "tool_call_id": tcid,
                "tool": tool[:200],
                "server": server,
                "route": ROUTE,
            }
            if defers:
                sessions.later(
                    kid, session, functools.partial(sessions.add_taint, kid, session, source)
                )
            else:
                await sessions.taint(kid, session, source)
            call.facts.tainted = True
            call.facts.taint_sources.append(source)
            call.add(
                Verdict(
                    "input",
                    "block" if checked.blocked else "flag",
                    rule=(checked.rules or ["input.internal_error"])[0],
                    reason="tool result " + ("withheld" if checked.blocked else "flagged"),
                    detail={"rules": checked.rules[:10], "tool_call_id": tcid},
                )
            )
            call.audit["tainted"] = True
        if checked.redactions:
            call.add(Verdict.redaction(checked.redactions))
        out = checked.result
        if rewritten:
            meta = dict(out.meta or {})
            meta["keepgate"] = {**(meta.get("keepgate") or {}), "rewritten_fields": rewritten}
            out = out.model_copy(update={"meta": meta})
        if truncated and not out.is_error:
            meta = dict(out.meta or {})
            meta["keepgate"] = {**(meta.get("keepgate") or {}), "truncated": True}
            out = out.model_copy(update={"meta": meta})
        if checked.tainting and not checked.blocked:
            meta = dict(out.meta or {})
            meta["keepgate"] = {
                **(meta.get("keepgate") or {}),
                "flagged": checked.rules[:10],
                "tainted": True,
            }
            out = out.model_copy(update={"meta": meta})
        text = "\n".join(texts(out))
        if defers:
            answered = sessions.result_message(tcid, text, server, tool)
            sessions.later(
                kid,
                session,
                functools.partial(sessions.add_message, kid, session, answered, kept),
            )
            if self.policy is not None and self.indexes.size > 0:
                # After both appends (the queue's order): `kept` holds the two messages.
                sessions.later(
                    kid,
                    session,
                    functools.partial(self._follow, kid, session, tool, read_only, kept),
                )
        else:
            await sessions.record_result(kid, session, tcid, text, server, tool)
        call.audit["is_error"] = bool(out.is_error)
        return out

    async def _follow(
        self, kid: str, session: str, tool: str, read_only: bool, appended: list[Any]
    ) -> None:
        """The session's history index brought up to its new history ahead of the next
        call (a deferred job: `SlidingIndexes.view` then only checks the list is the
        same): by the call's two messages, without reading the history again (only when
        there is no index to extend). A cache: whatever fails here, the next call's
        `view` indexes afresh."""
        try:
            key, catalog = (kid, session), self._catalog(tool, read_only)
            if self.indexes.extend(key, catalog, appended, self.sessions.max_messages):
                return
            history = await self.sessions.history_unsettled(kid, session)
            self.indexes.follow(key, catalog, history)
        except Exception:  # a cache: the next view builds it
            log.debug("mcp: the history index could not follow", exc_info=True)

    # -- parts ---------------------------------------------------------------------------

    def _catalog(self, tool: str, read_only: bool) -> ToolCatalog:
        """The policy's tool catalogue; a tool it does not describe whose pinned
        (operator-approved) definition says readOnlyHint counts as `effects: none` (its
        output stays untrusted). One overlaid catalogue per tool and catalogue, so the
        session indexes built on it are reused (they follow one catalogue object)."""
        assert self.policy is not None
        catalog = self.policy.tool_catalog()
        if not read_only or tool in catalog.entries:
            return catalog
        base, overlays = self._overlays
        if base is not catalog:
            overlays = {}
            self._overlays = (catalog, overlays)
        found = overlays.get(tool)
        if found is None:
            if len(overlays) > 1000:
                overlays.clear()
            found = overlays[tool] = catalog.overlay(
                {tool: ToolEntry(name=tool, known=False, effects="none", extra_arguments="allow")}
            )
        return found

    def _validate(
        self, tool: types.Tool, d: str, arguments: dict[str, Any], who: tuple[str, str]
    ) -> list[str]:
        """Problems of `arguments` against the pinned definition `d`'s input schema. Valid
        arguments are remembered per key and session (`who`), by the digest of their exact
        JSON text: validity is a function of the schema and the values (~0.03 ms of
        jsonschema per call), and a repeated call sends the same ones."""
        if d not in self._validators:
            try:
                Draft202012Validator.check_schema(tool.input_schema)
                self._validators[d] = Draft202012Validator(tool.input_schema)
            except SchemaError:
                self._validators[d] = None  # the upstream validates its own odd schema
        validator = self._validators[d]
        if validator is None:
            return []
        try:
            seen: tuple[str, str, str, bytes] | None = (*who, d, json_digest(arguments))
        except (TypeError, ValueError, RecursionError):
            seen = None
        if seen is not None and seen in self._valid:
            self._valid.move_to_end(seen)
            return []
        if validator.is_valid(arguments):
            if seen is not None:
                self._valid[seen] = None
                if len(self._valid) > VALID_ENTRIES:
                    self._valid.popitem(last=False)
            return []
        errors = sorted(validator.iter_errors(arguments), key=lambda e: list(e.path))[:5]
        return [
            f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:200]}" for e in errors
        ]

    async def _take_call(self, call: Call, principal: Principal) -> None:
        who = (principal.role, principal.key_id)
        found = self._caps.get(who)
        if found is None:  # the settings are fixed for the process's life
            if len(self._caps) > 10_000:
                self._caps.clear()
            limit = self.settings.calls_per_minute_for(*who)
            # The subject with it: one per key, not a frozen dataclass built per call.
            found = self._caps[who] = (
                limit,
                None
                if limit is None
                else [Subject.of("mcp", principal.key_id, {"requests": float(limit)})],
            )
        cap, subjects = found
        if subjects is None:
            return
        guard = self.limits_guard
        try:
            if guard is not None:
                backend, res = await guard.reserve(call, subjects, ONE_CALL)
            else:
                assert self.local_limits is not None
                res = await self.local_limits.reserve(subjects, ONE_CALL)
        except (GuardBlocked, BackendUnavailable):
            raise Refusal(
                Verdict(
                    "limits",
                    "error",
                    rule="backend_unavailable",
                    reason="limits store unreachable",
                    detail={"mode": "closed"},
                ),
                "Keepgate cannot check this key's MCP call limit right now; retry shortly.",
                "limits_unavailable",
            ) from None
        if not res.allowed:
            retry = res.retry_after_s
            raise Refusal(
                Verdict(
                    "limits",
                    "block",
                    rule="key.mcp_calls_per_minute",
                    reason=f"MCP call limit ({cap:g}/min) reached",
                ),
                f"This key reached its limit of {cap:g} MCP tool calls per minute"
                + (f"; retry in {retry:.1f}s." if retry is not None else "."),
                "rate_limited",
                retry_after_s=round(retry, 3) if retry else None,
            )

    def _upstream_refusal(self, server: str, exc: UpstreamError) -> Refusal:
        self.metrics.upstream_errors.labels(server, exc.kind).inc()
        return Refusal(
            exc.verdict(server),
            f"{exc.message}. The call was not completed; it may be retried.",
            "upstream_error",
            kind=exc.kind,
        )

    def _scrubbed_value(self, principal: Principal, value: Any) -> Any:
        scrubber = self.pii_guard.scrubber_for(principal) if self.pii_guard is not None else None
        if scrubber is None:
            return value
        try:
            return scrubbed_tree(value, scrubber.scrub_arguments)[0]
        except Exception:  # noqa: BLE001 - never show what could not be scrubbed
            return "<withheld: the PII scrubber failed>"

    # -- audit, metrics, traces ----------------------------------------------------------

    def start_call(
        self, principal: Principal, server: str, method: str, session: str, **extra: Any
    ) -> Call:
        """An audited MCP request: in-flight gauge, trace span, audit fields; each one ends
        with `finish_call` (also used by keepgate.mcp.content for resources and prompts)."""
        call = Call(principal=principal, route=ROUTE, model=f"mcp/{server}", body={})
        call.audit.update(
            mcp_method=method, mcp_server=server, session=_session_label(session), **extra
        )
        self.rt.metrics.in_flight.inc()
        self.rt.tracer.start(call)
        self.rt.tracer.annotate(
            call, {"keepgate.mcp.method": method, "keepgate.mcp.server": server}
        )
        return call

    async def finish_call(self, call: Call, outcome: Outcome) -> None:
        """The call's span ends here; its metrics and audit record are written right after
        the answer is sent (`Runtime.record_later`: nothing changes the call after this)."""
        self.rt.metrics.in_flight.dec()
        self.rt.record_later(call, outcome)
        self.rt.tracer.end(call, outcome)

    def _audit_event(self, record: dict[str, Any]) -> None:
        self.rt.audit.write({"route": ROUTE, **record})


def _safe(text: str, limit: int = 100) -> str:
    return "".join(c if c.isalnum() or c in "_-." else "_" for c in text)[:limit]


#: session -> its audit label (`_session_label`): a client sends the same one per call.
_LABELS: dict[str, str] = {}


def _session_label(session: str) -> str:
    """Audit records name a session by a short digest (a client's id could be anything)."""
    label = _LABELS.get(session)
    if label is None:
        if len(_LABELS) > 4096:
            _LABELS.clear()
        label = _LABELS[session] = (
            session
            if session == "default"
            else "sha256:" + hashlib.sha256(session.encode()).hexdigest()[:16]
        )
    return label


def _status(code: str) -> int:
    return {
        "rate_limited": 429,
        "limits_unavailable": 503,
        "upstream_error": 502,
        "unknown_tool": 404,
        "invalid_arguments": 400,
        "approval_required": 202,
    }.get(code, 403)
