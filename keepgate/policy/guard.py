"""The "policy" guard: every tool call the model asks for is decided before the client sees it.

Response side (one path for streamed and non-streamed answers, since the core always streams):
tool-call deltas are held until the call is complete — the next call of the same choice
starts, the choice finishes, or the stream ends — then decided one by one, and released as
one whole-call delta (allowed), or replaced by assistant text (denied, `on_deny: replace`),
or the response fails with 403 `tool_call_denied` (`on_deny: reject`: a proper HTTP error
when no output was sent yet, else the final SSE error event).

`require_approval`: with `on_approval: hold` (default) the call is held back like a denial,
the text says it awaits approval and the response carries the decision in
`keepgate.policy` and `x-keepgate-policy`; nothing the client can execute reaches it. The
held call gets an approval id (`keepgate.policy.held`, the approvals API shared with MCP);
once a human approves it, the client's retry of the same conversation releases the same
call once. With `on_approval: pass` the call is released and only flagged.

Request side: `tool` (and `function`) messages must answer a call this gateway released to
the same principal (forged or denied ids are rejected), an assistant turn carrying an issued
id must carry the name and arguments released under it (400 `tool_call_mismatch`), and the
history's tool calls become facts for the policy (tools called before, counts).

Provenance: on the first tool call of a response the request's messages are indexed by
source (`keepgate.policy.provenance`, off the event loop past 64 KB), so each call's input
says where each argument value appears; the PII guard's findings in the arguments become
`facts.pii`.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from functools import partial
from pathlib import Path
from typing import Any

import anyio
from pydantic import ValidationError

from keepgate.config.load import config_error, validation_error
from keepgate.config.model import KeepgateConfig
from keepgate.jsontypes import Chunk, JsonValue
from keepgate.limits.settings import LimitsSettings
from keepgate.pipeline import offload
from keepgate.pipeline.call import Call
from keepgate.pipeline.capabilities import Redactor, ToolPolicy
from keepgate.pipeline.chunks import ToolCallBuffer, make_chunk, parse_arguments
from keepgate.pipeline.deps import GuardDeps
from keepgate.pipeline.guard import Guard, GuardBlocked
from keepgate.pipeline.offload import HEAVY_CHARS, size_hint
from keepgate.pipeline.verdict import Verdict
from keepgate.policy.bundle import PolicyLoadError
from keepgate.policy.catalog import Catalog, catalog_for
from keepgate.policy.decision import PolicyDecision, reason_id, reason_text
from keepgate.policy.engine import PolicyService
from keepgate.policy.held import APPROVED, DENIED, HeldCalls
from keepgate.policy.inputs import ProvenanceContext, build_policy_input, offered_tool_names
from keepgate.policy.settings import PolicySettings
from keepgate.policy.tool_ids import (
    FallbackToolCalls,
    IssuedToolCalls,
    RedisToolCalls,
    ToolCallStore,
    ToolIdsUnavailable,
    call_digest,
)

log = logging.getLogger("keepgate.policy")

NAME = "policy"
#: Stored beside the digests of a call released after a human approved it (never a
#: digest: those are hex), so a later request can treat its output as `approved_tool`
#: when the catalogue says `trust_output_when_approved`. Older replicas see one more
#: digest that nothing matches.
APPROVED_MARK = "approved"
APPROVED_IDS = "_policy_approved_ids"
_SAFE = re.compile(r"[^A-Za-z0-9_.\-]")


#: The name shown for a tool call the request's `tools` did not offer.
NOT_OFFERED = "(not offered)"


def _safe(text: str, limit: int = 64) -> str:
    return _SAFE.sub("_", text)[:limit]


class PolicyGuard(Guard, ToolPolicy):
    name = NAME

    def __init__(self, service: PolicyService, issued: ToolCallStore | None = None) -> None:
        self.service = service
        self.fail_closed = not service.settings.fail_open
        self.issued: ToolCallStore = issued or IssuedToolCalls(service.settings.max_tracked_ids)
        #: The PII guard, when configured: entities in arguments become `facts.pii`.
        self.pii: Redactor | None = None
        #: Approval records for held calls (`use_approvals`, called by keepgate.mcp.routes
        #: when the approvals store exists); None: held calls are only held.
        self.held: HeldCalls | None = None

    # -- the ToolPolicy capability (the hosted agent and the MCP gateway) -------------
    @property
    def policy_version(self) -> int:
        return self.service.reloads

    def tool_catalog(self) -> Catalog:
        return catalog_for(self.service.bundle.data)

    def may_read(self, path: tuple[str, ...]) -> bool:
        return self.service.may_read(path)

    async def decide_tool(self, input: dict[str, Any]) -> PolicyDecision:
        return await self.service.decide(input)

    def use_approvals(self, held: HeldCalls) -> None:
        self.held = held

    def shown_arguments(self, call: Call, raw_arguments: str) -> JsonValue:
        """The arguments as an approval record shows them: PII-scrubbed when the PII guard
        runs (never shown at all if the scrubber fails)."""
        args, err = parse_arguments(raw_arguments)
        if err is not None:
            return raw_arguments[:2000]
        scrubber = self.pii.scrubber_for(call.principal) if self.pii is not None else None
        if scrubber is None:
            return args
        try:
            out, _ = scrubber.scrub_arguments(json.dumps(args, ensure_ascii=False))
            shown: JsonValue = json.loads(out)
            return shown
        except Exception:  # noqa: BLE001 - never show what could not be scrubbed
            return "<withheld: the PII scrubber failed>"

    def digests(self, call: Call, name: str, arguments: str) -> tuple[str, ...]:
        """The digests a released call may come back with: as released, and as the PII
        guard rewrites it when it redacts this tool's arguments."""
        out = [call_digest(name, arguments)]
        scrubber = self.pii.scrubber_for(call.principal) if self.pii is not None else None
        if scrubber is not None and scrubber.redacts_arguments_of(name):
            try:
                out.append(call_digest(name, scrubber.scrub_arguments(arguments)[0]))
            except Exception:
                log.exception("policy: could not compute the redacted call's digest")
        return tuple(dict.fromkeys(out))

    def pii_entities(self, call: Call, tool: str, raw_arguments: str) -> list[dict[str, str]]:
        """Entity types and paths in the call's arguments (never values); [] without PII guard."""
        if self.pii is None:
            return []
        scrubber = self.pii.scrubber_for(call.principal)
        if scrubber is None:
            return []
        args, err = parse_arguments(raw_arguments)
        if err is not None:
            return []
        try:
            return scrubber.locate_arguments(args)
        except Exception:  # a detector failure must not decide the call
            log.exception("policy: PII detection in tool-call arguments failed")
            return [{"type": "DETECTION_FAILED", "path": ""}]

    # -- request side ---------------------------------------------------------------
    async def check_request(self, call: Call) -> None:
        messages = call.body.get("messages")
        if not isinstance(messages, list):
            return
        p = call.principal
        check = self.service.settings.choices_for(p.role, p.key_id).check_tool_messages
        tool_messages: list[dict[str, Any]] = []
        #: id -> (name, arguments) of each tool call in the history's assistant turns.
        history_calls: dict[str, tuple[str, Any]] = {}
        for m in messages:
            if not isinstance(m, dict):
                continue
            role = m.get("role")
            if role == "assistant":
                for tc in m.get("tool_calls") or ():
                    fn = (tc or {}).get("function") or {}
                    if isinstance(fn.get("name"), str):
                        call.facts.tools_called.append(fn["name"][:200])
                        if isinstance(tc.get("id"), str):
                            history_calls[tc["id"]] = (fn["name"], fn.get("arguments"))
            elif role in ("tool", "function") and check:
                if role == "function" and not isinstance(m.get("tool_call_id"), str):
                    _refuse_function_message(call)
                tool_messages.append(m)
        if tool_messages or (check and history_calls):
            await self._check_history(call, tool_messages, history_calls)

    async def _check_history(
        self, call: Call, messages: list[dict[str, Any]], history_calls: dict[str, tuple[str, Any]]
    ) -> None:
        """Each `tool` message must answer a call released to this key, and each assistant
        turn carrying an issued id must carry the call that was released (one store lookup)."""
        ids = [m["tool_call_id"] for m in messages if isinstance(m.get("tool_call_id"), str)]
        ids = list(dict.fromkeys(ids + list(history_calls)))
        try:
            entries = await self.issued.entries(call.principal.key_id, ids)
        except ToolIdsUnavailable as exc:
            v = call.add(
                Verdict(
                    NAME,
                    "error",
                    rule="tool_message.store_unavailable",
                    reason=f"tool-call id store unreachable ({exc})",
                    detail={"mode": "closed" if self.fail_closed else "open"},
                )
            )
            if not self.fail_closed:
                return
            raise GuardBlocked(
                v,
                status=503,
                code="policy_unavailable",
                type="api_error",
                message="Keepgate cannot check this tool message right now "
                "(its tool-call id store is unreachable).",
            ) from None
        approved = [
            i for i, e in entries.items() if e and e[0] == "allowed" and APPROVED_MARK in e[1]
        ]
        if approved:
            call.state[APPROVED_IDS] = approved
        for tcid, (name, arguments) in history_calls.items():
            entry = entries.get(tcid)
            if entry is None or not entry[1]:
                continue  # not issued here (or recorded before digests): nothing to compare
            if call_digest(name, arguments) not in entry[1]:
                v = call.add(
                    Verdict(
                        NAME,
                        "block",
                        rule="tool_message.call_mismatch",
                        reason="an assistant turn carries an issued tool-call id "
                        "with a different tool name or arguments",
                        detail={"tool_call_id": tcid[:100]},
                    )
                )
                raise GuardBlocked(
                    v,
                    status=400,
                    code="tool_call_mismatch",
                    message="An assistant message carries a tool_call_id this "
                    "gateway issued, but with a different tool name or "
                    "arguments than the call it released. Send the "
                    "assistant turn back as it was received.",
                )
        for m in messages:
            answered = m.get("tool_call_id")
            entry = entries.get(answered) if isinstance(answered, str) else None
            status = entry[0] if entry else None
            if status != "allowed":
                _refuse_tool_message(call, status)

    # -- response side --------------------------------------------------------------
    def transform(self, call: Call, chunks: AsyncIterator[Chunk]) -> AsyncIterator[Chunk]:
        return _Enforcer(self, call).run(chunks)

    async def ready(self) -> tuple[bool | str, str]:
        """Not ready when the engine or the id store cannot decide and the guard fails
        closed; `degraded` when it fails open or the id store uses its local fallback."""
        ok, detail = await self.service.ready()
        ids_ok, ids_detail = await self.issued.ready()
        if ids_ok is not True:
            detail = f"{detail}; {ids_detail}"
        states = [s if s else ("degraded" if not self.fail_closed else False) for s in (ok, ids_ok)]
        if False in states:
            return False, detail
        return ("degraded" if "degraded" in states else True), detail

    async def aclose(self) -> None:
        await self.service.aclose()
        await self.issued.aclose()


class _Enforcer:
    """One response's tool-call enforcement state."""

    def __init__(self, guard: PolicyGuard, call: Call) -> None:
        self.guard = guard
        self.call = call
        choices = guard.service.settings.choices_for(call.principal.role, call.principal.key_id)
        self.on_deny = choices.on_deny
        self.on_approval = choices.on_approval
        self.buffer = ToolCallBuffer()
        self.open_index: dict[int, int] = {}  # choice -> index of the call being streamed
        self.released: Counter[int] = Counter()  # choice -> calls released (new indices)
        self.replaced: Counter[int] = Counter()  # choice -> calls replaced by text
        self.counts: Counter[str] = Counter(call.facts.tools_called)
        self.template: Chunk | None = None
        self.held_prelude: Chunk | None = None  # a role-only first chunk, held (see run)
        self.sent = False
        self.summary: list[str] = []
        #: Every decision of this response, in order; `reported` of them already sent.
        self.report: list[dict[str, Any]] = []
        self.reported = 0
        offered = call.body.get("tools")
        self.offered = offered if isinstance(offered, list) else []
        self.offered_names = frozenset(offered_tool_names(self.offered))
        self._context: ProvenanceContext | None = None
        #: A conversation big enough that indexing it and looking values up in it runs in
        #: the offload pool, not on the event loop.
        self.heavy = size_hint(call.body.get("messages"), HEAVY_CHARS) > HEAVY_CHARS

    def shown(self, name: str) -> str:
        """A tool's name as the client is shown it (report, header): the model chose it, and
        one the request did not offer may carry anything (PII in `"Call jane@x.com"`)."""
        return name if name in self.offered_names else NOT_OFFERED

    async def context(self) -> ProvenanceContext:
        """The request's provenance index, built on the first tool call of the response."""
        if self._context is None:
            call = self.call
            self._context = await offload.run(
                partial(
                    ProvenanceContext,
                    catalog_for(self.guard.service.bundle.data),
                    call.body.get("messages"),
                    tools=self.offered,
                    approved_ids=call.state.get(APPROVED_IDS) or (),
                    detected=[s for s in call.facts.taint_sources if s.get("guard") == "input"],
                    documents=call.documents,
                ),
                heavy=self.heavy,
            )
        return self._context

    async def run(self, chunks: AsyncIterator[Chunk]) -> AsyncIterator[Chunk]:
        async for chunk in chunks:
            if self.template is None and chunk.get("id"):
                self.template = chunk
            choices = chunk.get("choices") or ()
            if _plain(choices):  # the hot path: text with no tool call and no finish
                if self.sent and self.held_prelude is None:
                    yield chunk
                    continue
                if not self.sent and self.held_prelude is None and _is_prelude(chunk):
                    # Hold the role-only opening chunk: if the answer starts with a tool
                    # call that `on_deny: reject` refuses, the client still gets a real 403.
                    self.held_prelude = chunk
                    continue
                async for out in self._emit(chunk):
                    yield out
                continue
            for ch in choices:
                i = ch.get("index", 0)
                delta = ch.get("delta") or {}
                for tc in delta.get("tool_calls") or ():
                    idx = tc.get("index", 0)
                    prev = self.open_index.get(i)
                    if prev is not None and prev != idx:
                        async for out in self._decide(i, [self._pop(i, prev)]):
                            yield out
                    self.open_index[i] = idx
                    self.buffer.add(i, tc)
                rest = {k: v for k, v in delta.items() if k != "tool_calls"}
                if rest.get("content") or rest.get("refusal"):
                    async for out in self._emit(make_chunk(chunk, index=i, delta=rest)):
                        yield out
                if ch.get("finish_reason"):
                    async for out in self._decide(i, self.buffer.pop_choice(i)):
                        yield out
                    self.open_index.pop(i, None)
                    fin = make_chunk(
                        chunk, index=i, finish_reason=self._finish_reason(i, ch["finish_reason"])
                    )
                    self._attach_report(fin)
                    async for out in self._emit(fin):
                        yield out
            if chunk.get("usage"):
                # Usage riding on a tool-call chunk: pass it on by itself (limits meter it).
                async for out in self._emit(chunk):
                    yield out
        # The stream ended without a finish_reason: decide what is still held.
        for i in sorted({ci for ci, _ in self.buffer.calls}):
            async for out in self._decide(i, self.buffer.pop_choice(i)):
                yield out
        if self.held_prelude is not None:
            yield self.held_prelude
        if self.report:
            # Decisions not yet reported on a finishing chunk ride on a last, empty one.
            tail = make_chunk(self.template, index=0)
            tail["choices"] = []
            if self._attach_report(tail):
                yield tail

    def _attach_report(self, chunk: Chunk) -> bool:
        """Put the decisions made so far (and not yet sent) on `chunk` as `keepgate.policy`:
        streamed clients see them in the SSE data, non-streamed ones in the completion."""
        fresh = self.report[self.reported :]
        if not fresh:
            return False
        self.reported = len(self.report)
        chunk["keepgate"] = {"policy": list(fresh)}
        return True

    def _pop(self, choice: int, index: int) -> dict[str, Any]:
        return self.buffer.pop((choice, index))

    def _finish_reason(self, choice: int, upstream: str) -> str:
        if upstream == "tool_calls" and not self.released[choice]:
            return "stop"
        return upstream

    async def _emit(self, chunk: Chunk) -> AsyncIterator[Chunk]:
        if self.held_prelude is not None:
            prelude, self.held_prelude = self.held_prelude, None
            self.sent = True
            yield prelude
        self.sent = True
        yield chunk

    async def _decide(self, choice: int, calls: list[dict[str, Any]]) -> AsyncIterator[Chunk]:
        for tc in calls:
            async for out in self._decide_one(choice, tc):
                yield out

    async def _decide_one(self, choice: int, tc: dict[str, Any]) -> AsyncIterator[Chunk]:
        # A decision is ~1 ms of CPU on the event loop (Rego, PII in the arguments): let
        # other requests run between two, or a model that asks for thousands of calls at
        # once stalls every other request until its last call is decided.
        await anyio.sleep(0)
        call, guard = self.call, self.guard
        name = tc["function"]["name"]
        tcid = tc.get("id") or "call_kg" + uuid.uuid4().hex[:20]
        raw_args = tc["function"]["arguments"]
        context = await self.context()
        inp = await offload.run(
            partial(
                build_policy_input,
                call.principal,
                name,
                raw_args,
                offered_tools=self.offered,
                model=call.model,
                facts=call.facts,
                call_id=tcid,
                tool_counts=dict(self.counts),
                metadata={
                    "route": call.route,
                    "request_id": call.id,
                    "stream": call.stream,
                    "choice": choice,
                },
                context=context,
                pii=guard.pii_entities(call, name, raw_args),
            ),
            heavy=self.heavy,
        )
        decision = await guard.service.decide(inp)
        if not inp["tool"]["arguments_valid"] and decision.allow:
            # Whatever the policy says, unparseable arguments are never released.
            decision = PolicyDecision(
                False,
                ["input.arguments_invalid_json: the tool-call arguments are not valid JSON"],
                policy=decision.policy,
            )
        outcome = decision.outcome
        if decision.error is not None:
            outcome = "error"
        release = decision.allow or (decision.require_approval and self.on_approval == "pass")
        reasons = decision.deny or decision.approval
        human: str | None = None
        approval: dict[str, Any] | None = None
        if (
            decision.require_approval
            and not decision.deny
            and not release
            and guard.held is not None
        ):
            human, approval = await guard.held.settle(
                call, name, raw_args, decision, tcid, guard.shown_arguments(call, raw_args)
            )
            release = human == APPROVED
        aid = {"approval_id": approval["id"]} if approval else {}
        verdict = call.add(
            Verdict(
                NAME,
                outcome,
                rule=decision.rule,
                reason=(reason_text(reasons[0]) if reasons else "")[:300],
                detail={
                    "tool": name[:200],
                    "tool_call_id": tcid,
                    "policy": decision.policy,
                    "reasons": [reason_id(r) for r in reasons][:10],
                    **aid,
                    **({"fail_open": True} if decision.error and decision.allow else {}),
                },
            )
        )
        entry: dict[str, Any] = {
            "tool_call_id": tcid,
            "tool": self.shown(name),
            "decision": outcome,
            "reasons": [reason_id(r) for r in reasons][:10],
        }
        shown_rule = decision.rule
        if approval is not None:
            entry.update(approval_id=approval["id"], approval_status=human)
            if human in (APPROVED, DENIED):
                outcome, shown_rule = (
                    ("allow", "approval") if human == APPROVED else ("deny", "approval.denied")
                )
                entry["decision"] = outcome
                verdict = call.add(
                    Verdict(
                        NAME,
                        outcome,
                        rule=shown_rule,
                        reason=f"{human} by a human",
                        detail={
                            "tool": name[:200],
                            "tool_call_id": tcid,
                            **aid,
                            "decided_by": approval.get("decided_by"),
                        },
                    )
                )
        self.report.append(entry)
        self.summary.append(
            f"{_safe(self.shown(name))}={outcome}" + (f":{_safe(shown_rule)}" if reasons else "")
        )
        call.headers["x-keepgate-policy"] = ",".join(self.summary)[:1000]
        if release:
            args = raw_args
            if decision.rewritten_arguments is not None:
                args = json.dumps(decision.rewritten_arguments, separators=(",", ":"))
            digests = guard.digests(call, name, args)
            if human == APPROVED:  # its output may count as trusted later (see _check_history)
                digests += (APPROVED_MARK,)
            await _remember(guard, call, tcid, "allowed", digests)
            self.counts[name] += 1
            context.record(name, inp["tool"]["arguments"])
            call.facts.tools_called.append(name)
            call.facts.issued_tool_call_ids.add(tcid)
            new_index = self.released[choice]
            self.released[choice] += 1
            async for out in self._emit(
                make_chunk(
                    self.template,
                    index=choice,
                    delta={
                        "tool_calls": [
                            {
                                "index": new_index,
                                "id": tcid,
                                "type": tc.get("type") or "function",
                                "function": {"name": name, "arguments": args},
                            }
                        ]
                    },
                )
            ):
                yield out
            return
        held = decision.require_approval and not decision.deny and human != DENIED
        await _remember(guard, call, tcid, "held" if held else "denied")
        if not held and self.on_deny == "reject":
            raise GuardBlocked(
                verdict,
                status=403,
                code="tool_call_denied",
                type="permission_error",
                message=f"The model's call to tool '{_safe(name)}' was denied by "
                f"policy ({shown_rule}).",
                headers={"x-keepgate-policy": call.headers["x-keepgate-policy"]},
            )
        self.replaced[choice] += 1
        text = _explain(name if name in self.offered_names else None, decision, held, approval)
        chunk = make_chunk(self.template, index=choice, delta={"content": text})
        async for out in self._emit(chunk):
            yield out


def _explain(
    name: str | None, decision: PolicyDecision, held: bool, approval: dict[str, Any] | None = None
) -> str:
    """The text that replaces a call; `name` None for a tool the request did not offer."""
    tool = f"tool '{_safe(name)}'" if name is not None else "a tool the request did not offer"
    if approval is not None and not held:
        comment = " ".join(str(approval.get("comment") or "").split())[:200]
        return (
            f"\n[keepgate] A human denied the call to {tool} (approval "
            f"{approval['id']}){': ' + comment if comment else ''}.\n"
        )
    if held:
        why = "; ".join(reason_text(r) for r in decision.approval) or "policy requires approval"
        if approval is not None:
            return (
                f"\n[keepgate] The call to {tool} needs approval before it can run "
                f"({why}). Approval id: {approval['id']}. Send the same request again "
                "once it is approved.\n"
            )
        return f"\n[keepgate] The call to {tool} needs approval before it can run ({why}).\n"
    why = "; ".join(reason_text(r) for r in decision.deny) or "denied by policy"
    return f"\n[keepgate] The call to {tool} was blocked by policy: {why}.\n"


def _is_prelude(chunk: Chunk) -> bool:
    """A chunk that carries nothing but the assistant role (and no usage)."""
    if chunk.get("usage"):
        return False
    for ch in chunk.get("choices") or ():
        d = ch.get("delta") or {}
        if any(v for k, v in d.items() if k != "role") or ch.get("finish_reason"):
            return False
    return bool(chunk.get("choices"))


def _refuse_function_message(call: Call) -> None:
    """A legacy `function` message: it names a function but answers no issued id."""
    v = call.add(
        Verdict(
            NAME,
            "block",
            rule="tool_message.function_role",
            reason="function-role message answers no issued tool call",
        )
    )
    raise GuardBlocked(
        v,
        status=400,
        code="unknown_tool_call_id",
        message="A 'function' message answers no tool_call_id this gateway "
        "issued; send tool results as 'tool' messages with the "
        "tool_call_id of the call they answer.",
    )


def _refuse_tool_message(call: Call, status: str | None) -> None:
    """A `tool` message answering an id never issued (400) or not released (403)."""
    if status is None:
        v = call.add(
            Verdict(
                NAME,
                "block",
                rule="tool_message.unknown_call_id",
                reason="tool message answers a tool call this gateway did not issue",
            )
        )
        raise GuardBlocked(
            v,
            status=400,
            code="unknown_tool_call_id",
            message="A 'tool' message answers a tool_call_id that this "
            "gateway never issued to this key.",
        )
    v = call.add(
        Verdict(
            NAME,
            "deny",
            rule=f"tool_message.{status}_call",
            reason="tool message answers a tool call the policy did not release",
        )
    )
    raise GuardBlocked(
        v,
        status=403,
        code="tool_call_denied",
        type="permission_error",
        message="A 'tool' message answers a tool call that policy denied or held for approval.",
    )


def build(
    section: PolicySettings | Mapping[str, Any],
    config: KeepgateConfig,
    deps: GuardDeps | None = None,
) -> PolicyGuard:
    """Build the guard from `guards.policy` as loaded (or a mapping, validated here); a bad
    policy or data file fails start-up naming file:line:col."""
    base = Path(config.source).resolve().parent if config.source else None
    try:
        settings = (
            section
            if isinstance(section, PolicySettings)
            else PolicySettings.model_validate(section)
        )
    except ValidationError as exc:
        raise validation_error(config, ("guards", "policy"), exc) from None
    try:
        service = PolicyService(settings, base)
    except PolicyLoadError as exc:
        raise PolicyLoadError(f"guards.policy: {exc}") from None
    guard = PolicyGuard(service, _tool_call_store(settings, config))
    guard.pii = deps.redactor() if deps is not None else None
    return guard


def _tool_call_store(settings: PolicySettings, config: KeepgateConfig) -> ToolCallStore:
    ids = settings.tool_ids
    url = ids.redis_url or config.general_settings.redis_url
    if ids.backend == "redis" and not url:
        raise config_error(
            config,
            ("guards", "policy", "tool_ids", "backend"),
            "guards.policy.tool_ids.backend is redis but no redis_url is set "
            "(tool_ids.redis_url or general_settings.redis_url)",
        )
    if ids.backend == "redis" or (ids.backend == "auto" and url):
        shared = RedisToolCalls(
            url,  # type: ignore[arg-type]
            prefix=ids.prefix,
            ttl_s=ids.ttl_s,
            timeout=ids.timeout_ms / 1000,
        )
        mode = (
            ids.on_backend_error
            or config.guards.settings("limits", LimitsSettings).on_backend_error
        )
        if mode == "fallback_local":
            return FallbackToolCalls(
                shared,
                IssuedToolCalls(settings.max_tracked_ids),
                retry_after_s=ids.retry_backend_after_s,
            )
        return shared
    return IssuedToolCalls(settings.max_tracked_ids)


async def _remember(
    guard: PolicyGuard, call: Call, tcid: str, status: str, digests: tuple[str, ...] = ()
) -> None:
    """Record a decided id; if the store is down, a later `tool` message answering it is
    refused (closed) rather than the answer being held up now."""
    try:
        await guard.issued.record(call.principal.key_id, tcid, status, digests)  # type: ignore[arg-type]
    except ToolIdsUnavailable as exc:
        log.warning(
            "policy: could not record tool call id (%s); a tool message answering "
            "it will be refused",
            exc,
            extra={"request_id": call.id},
        )


def _plain(choices: Any) -> bool:
    """No tool-call delta and no finish_reason in any choice: pass the chunk through."""
    for c in choices:
        if c.get("finish_reason") or (c.get("delta") or {}).get("tool_calls"):
            return False
    return True
