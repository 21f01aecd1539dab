"""The agent loop: model turn → tool calls (policy, approval, execute, scan) → checkpoint.

A step is one model turn plus the tool calls it asked for. The state is checkpointed after
the model turn and after every tool result, so a resumed run continues where it stopped:
tool calls whose result is in the history are never executed again (a call that was running
when the process died is executed again, hence `send_email`'s idempotency key).

The state holds the raw conversation (tools get the arguments the model produced); every
event passes the run's `Redactor` first (`redact.py`), so the client sees only scrubbed text.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from keepgate.agent.approval_bus import ApprovalBus
from keepgate.agent.checkpoint import CheckpointStore
from keepgate.agent.gate import PolicyGate, ResultScanner, ToolDecision, withheld
from keepgate.agent.live import LiveRun
from keepgate.agent.memory import trim
from keepgate.agent.model_call import AgentStop, model_turn
from keepgate.agent.redact import OutputScrubber, Redactor, ScrubFailed
from keepgate.agent.settings import AgentSettings
from keepgate.agent.tools.base import ToolContext
from keepgate.agent.tools.engine import ToolEngine, ToolOutcome, error
from keepgate.pipeline import offload
from keepgate.pipeline.offload import HEAVY_CHARS, size_hint
from keepgate.policy.decision import reason_text
from keepgate.runtime import Runtime

log = logging.getLogger("keepgate.agent")
PREVIEW = 400
#: After a failed read of the store while waiting for an approval, the next read this
#: soon (seconds, doubling up to `approval_poll_s`).
STORE_RETRY_S = 0.1


@dataclass
class Loop:
    rt: Runtime
    settings: AgentSettings
    engine: ToolEngine
    store: CheckpointStore
    policy: PolicyGate
    scanner: ResultScanner
    scrub: OutputScrubber
    #: Wake-ups for approvals posted to another replica (Redis pub/sub, or local only).
    bus: ApprovalBus = field(default_factory=ApprovalBus)
    #: The monotonic clock a run's wall-clock limit is measured on: a seam so tests can
    #: advance time instead of sleeping (the real one in production).
    clock: Callable[[], float] = time.monotonic

    # -- bookkeeping --------------------------------------------------------------------

    async def checkpoint(self, live: LiveRun) -> None:
        if live.lease_lost:  # another process drives the run now: its checkpoints win
            return
        live.state.updated_at = time.time()
        await self.store.save(live.state)

    def view(self, live: LiveRun) -> Redactor:
        """The run owner's scrubbing policy, for everything emitted (built once per run)."""
        if live.redactor is None:
            live.redactor = self.scrub.for_principal(live.principal)
        return live.redactor

    def context_budget(self, deployment: Any) -> int:
        window = (
            getattr(deployment.model_info, "max_input_tokens", None)
            or self.settings.default_context_tokens
        )
        return max(256, window - self.settings.reserve_output_tokens)

    # -- the run ------------------------------------------------------------------------

    async def drive(self, live: LiveRun, resumed: bool = False) -> None:
        st = live.state
        clock = _Clock(st.elapsed_s, self.clock)
        deployment = self.rt.config.deployment(st.model)
        live.emit(
            "run.started",
            task=st.task,
            model=st.model,
            tools=st.tools,
            resumed=resumed,
            step=st.step,
            limits=st.limits,
        )
        try:
            if deployment is None:
                raise AgentStop("model_not_found", f"The model '{st.model}' is not configured.")
            st.status = "running"
            await self.checkpoint(live)
            while True:
                pending = _unanswered(st.messages)
                if pending:
                    await self._tools(live, pending, clock)
                    continue
                last = st.messages[-1] if st.messages else {}
                if last.get("role") == "assistant":
                    await self._complete(live, last.get("content") or "")
                    return
                await self._model(live, deployment, clock)
        except AgentStop as stop:
            await self._fail(
                live,
                stop.reason,
                stop.message,
                stop.detail,
                scrub=not isinstance(stop, ScrubFailed),
            )
        except asyncio.CancelledError:
            st.elapsed_s = clock.elapsed()
            if live.stop_reason == "cancelled":
                await self._fail(live, "cancelled", "The run was cancelled.", status="cancelled")
            else:
                st.status = "interrupted"
                await _quiet(self.checkpoint(live))
            raise
        except Exception as exc:  # a bug must end the run, not hang it
            log.exception("agent run %s crashed", st.id)
            await self._fail(
                live, "internal_error", f"The run hit an internal error ({type(exc).__name__})."
            )
        finally:
            st.elapsed_s = clock.elapsed()

    async def _complete(self, live: LiveRun, text: str) -> None:
        st = live.state
        shown = live.shown_result if live.shown_result is not None else self.view(live).text(text)
        st.status, st.result = "completed", text
        await self.checkpoint(live)
        live.emit("run.completed", result=shown, steps=st.step, spent_usd=round(st.spent_usd, 9))

    async def _fail(
        self,
        live: LiveRun,
        reason: str,
        message: str,
        detail: dict[str, Any] | None = None,
        status: str = "failed",
        scrub: bool = True,
    ) -> None:
        st = live.state
        st.status, st.reason, st.message = status, reason, message  # type: ignore[assignment]
        await _quiet(self.checkpoint(live))
        if scrub:  # messages may quote upstream text or a model-made tool name
            try:
                message = self.view(live).text(message)
            except ScrubFailed:
                message = "The run failed; its message is withheld (the PII scrubber failed)."
        live.emit(
            "run.failed",
            reason=reason,
            message=message,
            steps=st.step,
            spent_usd=round(st.spent_usd, 9),
            **({"detail": detail} if detail else {}),
        )

    # -- one model turn -----------------------------------------------------------------

    async def _model(self, live: LiveRun, deployment: Any, clock: "_Clock") -> None:
        st = live.state
        lim = st.limits
        if st.step >= lim["max_steps"]:
            raise AgentStop("max_steps", f"The run reached its limit of {lim['max_steps']} steps.")
        if st.spent_usd >= lim["max_spend_usd"] > 0 or lim["max_spend_usd"] == 0:
            raise AgentStop(
                "max_spend",
                f"The run spent ${st.spent_usd:.6f}, its limit is ${lim['max_spend_usd']:g}.",
            )
        st.step += 1
        messages, dropped = trim(st.messages, self.context_budget(deployment))
        if dropped:
            live.emit("memory.trimmed", dropped=dropped, step=st.step)
        live.shown_result = None
        turn = await clock.within(
            lim["timeout_s"],
            model_turn(
                self.rt,
                live.principal,
                deployment,
                st,
                messages,
                self.engine.schemas(st.tools),
                self.view(live),
                lambda text: live.emit("model.delta", step=st.step, text=text),
            ),
        )
        st.spent_usd += turn.cost_usd
        if turn.tainted and not st.tainted:
            st.tainted = True
        for src in turn.taint_sources:
            if src not in st.taint_sources:
                st.taint_sources.append(src)
        seen = {tc["id"] for m in st.messages for tc in m.get("tool_calls") or ()}
        for i, tc in enumerate(turn.tool_calls):
            if tc["id"] in seen:  # ids key approvals and idempotency: keep them unique per run
                tc["id"] = f"{tc['id']}_s{st.step}_{i}"
            seen.add(tc["id"])
        for tc, shown in zip(turn.tool_calls, turn.shown_arguments):
            live.shown[tc["id"]] = shown
        if not turn.tool_calls:
            live.shown_result = turn.shown_content
        st.messages.append(turn.message())
        st.elapsed_s = clock.elapsed()
        await self.checkpoint(live)
        live.model_s += turn.model_s
        if st.spent_usd > lim["max_spend_usd"]:
            raise AgentStop(
                "max_spend",
                f"The run spent ${st.spent_usd:.6f}, over its limit of ${lim['max_spend_usd']:g}.",
            )

    # -- tool calls ---------------------------------------------------------------------

    async def _tools(self, live: LiveRun, calls: list[dict[str, Any]], clock: "_Clock") -> None:
        for tc in calls:
            await self._tool(live, tc, clock)
            await self.checkpoint(live)

    async def _tool(self, live: LiveRun, tc: dict[str, Any], clock: "_Clock") -> None:
        st = live.state
        tcid = tc["id"]
        name = tc["function"]["name"]
        raw = tc["function"]["arguments"] or ""
        view = self.view(live)
        shown = live.shown.pop(tcid, None)
        prior = st.approvals.get(tcid)
        if prior is None:
            if shown is None:  # resumed: the model turn ran in another process
                shown = view.arguments(raw)
            live.emit(
                "tool.requested",
                step=st.step,
                tool_call_id=tcid,
                tool=self._name(view, name),
                arguments=shown[:2000],
            )
            repeats = _repeats(st.messages, name, raw)
            if repeats >= st.limits["max_repeats"]:
                label = self._name(view, name)[:100]
                raise AgentStop(
                    "loop_detected",
                    f"The model asked for '{label}' with the same arguments {repeats} times.",
                    {"tool": label},
                )
        args, bad = self.engine.check(name, raw, st.tools)
        if bad is not None:
            return await self._result(live, tcid, name, bad, scan=False)
        assert args is not None
        decision = await self._decide(live, tcid, name, args, prior, clock)
        if decision.outcome != "allow":
            code = {
                "deny": "denied_by_policy",
                "error": "policy_error",
                "human_deny": "denied_by_approver",
            }.get(decision.outcome, "denied")
            out = error(
                code,
                f"The call to '{name}' was not run: "
                + ("; ".join(reason_text(r) for r in decision.reasons) or decision.rule)
                + ".",
                rule=decision.rule,
            )
            return await self._result(live, tcid, name, out, scan=False)
        if decision.rewritten_arguments is not None:
            args = decision.rewritten_arguments
        st.tools_called.append(name)
        ctx = ToolContext(st.id, tcid, st.key_id)
        out = await clock.within(st.limits["timeout_s"], self.engine.execute(name, args, ctx))
        live.tool_s += out.tool_s
        await self._result(live, tcid, name, out, scan=True)

    async def _decide(
        self,
        live: LiveRun,
        tcid: str,
        name: str,
        args: dict[str, Any],
        prior: dict[str, Any] | None,
        clock: "_Clock",
    ) -> ToolDecision:
        st = live.state
        if prior is None:
            # Every message but the current turn's own call is history: the call's values
            # are looked up in what the system, the user and the tools said before it.
            heavy = size_hint(st.messages, HEAVY_CHARS) > HEAVY_CHARS
            context = await offload.run(
                partial(
                    self.policy.context,
                    st.messages,
                    self.engine.schemas(st.tools),
                    approved_ids=[
                        i for i, a in st.approvals.items() if a.get("decision") == "approve"
                    ],
                    detected=st.taint_sources,
                ),
                heavy=heavy,
            )
            d = await self.policy.decide(
                live.principal,
                name,
                args,
                offered=st.tools,
                model=st.model,
                facts={
                    "tainted": st.tainted,
                    "taint_sources": st.taint_sources,
                    "tools_called": st.tools_called,
                },
                call_id=tcid,
                metadata={
                    "route": "agent",
                    "run_id": st.id,
                    "session_id": st.session_id,
                    "step": st.step,
                },
                context=context,
            )
            self._audit(live, tcid, name, d.outcome, d.rule, by="policy")
            view = self.view(live)
            live.emit(
                "tool.decided",
                step=st.step,
                tool_call_id=tcid,
                tool=self._name(view, name),
                decision=d.outcome,
                rule=d.rule,
                reasons=[view.text(r) for r in d.reasons],
                by="policy",
            )
            if d.outcome != "require_approval":
                return d
            st.approvals[tcid] = {
                "tool": name,
                "arguments": args,
                "reasons": d.reasons,
                "rule": d.rule,
                "rewritten_arguments": d.rewritten_arguments,
            }
            prior = st.approvals[tcid]
        if "decision" not in prior:
            with clock.stopped():  # a human's think time is not the run's
                prior["decision"], prior["comment"] = await self._wait_approval(live, tcid, prior)
        approved = prior["decision"] == "approve"
        outcome = "allow" if approved else "human_deny"
        self._audit(live, tcid, name, "allow" if approved else "deny", "approval", by="human")
        live.emit(
            "tool.decided",
            step=st.step,
            tool_call_id=tcid,
            tool=name,
            decision="allow" if approved else "deny",
            rule="approval",
            by="human",
            comment=prior.get("comment") or "",
        )
        reasons = [f"approval.denied: {prior.get('comment') or 'a human denied the call'}"]
        if approved:
            return ToolDecision("allow", "approval", [], prior.get("rewritten_arguments"))
        return ToolDecision(outcome, "approval", reasons)

    async def _wait_approval(
        self, live: LiveRun, tcid: str, pending: dict[str, Any]
    ) -> tuple[str, str]:
        st = live.state
        fut: asyncio.Future[tuple[bool, str]] = asyncio.get_running_loop().create_future()
        live.waiting[tcid] = fut
        try:
            with self.bus.waiter(st.id) as notified:
                # Subscribed before the wait is announced (checkpoint, event): a decision
                # posted to another replica after it is then always notified here.
                await self.bus.ready(timeout=2.0)
                st.status = "waiting_approval"
                await self.checkpoint(live)
                view = self.view(live)
                live.emit(
                    "approval.required",
                    step=st.step,
                    tool_call_id=tcid,
                    tool=self._name(view, pending["tool"]),
                    arguments=view.value(pending["arguments"]),
                    reasons=[view.text(r) for r in pending["reasons"]],
                    rule=pending.get("rule"),
                )
                approve, comment = await self._approval(live, tcid, fut, notified)
        finally:
            live.waiting.pop(tcid, None)
        live.settled.clear()
        st.status = "running"
        return ("approve" if approve else "deny"), comment

    async def _approval(
        self,
        live: LiveRun,
        tcid: str,
        fut: asyncio.Future[tuple[bool, str]],
        notified: asyncio.Event,
    ) -> tuple[bool, str]:
        """The decision: posted to this process (the future), or to another replica, which
        records it in the checkpoint store and notifies (`approval_bus.py`: Redis pub/sub);
        the store is also re-read every `approval_poll_s` in case a notification was lost.
        Denied at the timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.approval_timeout_s
        poll = self.settings.checkpoints.approval_poll_s
        retry = 0.0  # after a failed read: the next one this soon (doubling up to `poll`)
        owed = ""  # a notification whose read failed: still owed its read
        while (left := deadline - loop.time()) > 0:
            source = await _first(fut, notified, min(retry or poll, poll, left))
            if source == "local":
                self.rt.metrics.approval_wakes.labels("local").inc()
                return fut.result()
            notified.clear()
            source = owed or source
            try:
                stored = await self.store.load(live.state.id)
            except Exception:  # noqa: BLE001 - the store is down: keep waiting on the future
                # The wake-up is not used up by a read that failed: read again soon (a
                # decision notified now would otherwise wait for the next poll, an hour
                # with a long `approval_poll_s`).
                self.rt.metrics.approval_bus.labels("store_error").inc()
                retry = min(poll, max(STORE_RETRY_S, retry * 2))
                owed = source if source == "notify" else owed
                continue
            retry, owed = 0.0, ""
            posted = (stored.approvals.get(tcid) or {}) if stored else {}
            if "decision" in posted:
                self.rt.metrics.approval_wakes.labels(source).inc()
                return posted["decision"] == "approve", str(posted.get("comment") or "")
        return False, "approval timed out"

    async def _result(
        self, live: LiveRun, tcid: str, name: str, out: ToolOutcome, scan: bool
    ) -> None:
        st = live.state
        content = out.content()
        blocked_rules: list[str] = []
        if scan:
            verdict = await self.scanner.scan(live.principal, content)
            if verdict.tainting:
                st.tainted = True
                st.taint_sources.append(
                    {"guard": "input", "tool_call_id": tcid, "tool": name, "rules": verdict.rules}
                )
            if verdict.blocked:
                blocked_rules = verdict.rules
                content = withheld(verdict)
        st.messages.append({"role": "tool", "tool_call_id": tcid, "content": content})
        view = self.view(live)
        # Scrub the whole text, then cut: a cut first could split an entity past recognition.
        event: dict[str, Any] = {
            "step": st.step,
            "tool_call_id": tcid,
            "tool": self._name(view, name),
            "ok": out.ok and not blocked_rules,
            "attempts": out.attempts,
            "truncated": out.truncated,
            "preview": view.text(content)[:PREVIEW],
        }
        if out.error:
            event["error"] = {**out.error, "message": view.text(out.error.get("message", ""))}
        if blocked_rules:
            event["withheld"] = {"guard": "input", "rules": blocked_rules}
        if st.tainted:
            event["tainted"] = True
        live.emit("tool.result", **event)

    def _name(self, view: Redactor, name: str) -> str:
        """A registered tool's name as is; a name the model made up is model output."""
        return name if name in self.engine.tools else view.text(name[:200])

    def _audit(
        self, live: LiveRun, tcid: str, tool: str, decision: str, rule: str, by: str
    ) -> None:
        st = live.state
        self.rt.metrics.verdicts.labels("policy", decision, rule).inc()
        self.rt.audit.write(
            {
                "route": "agent.tool",
                "run_id": st.id,
                "key_id": st.key_id,
                "role": live.principal.role,
                "model": st.model,
                "step": st.step,
                "tool": tool[:200],
                "tool_call_id": tcid,
                "decision": decision,
                "rule": rule,
                "decided_by": by,
                "tainted": st.tainted,
            }
        )


class _Clock:
    """Active wall-clock time of a run, across resumes; approval waits are not counted."""

    def __init__(self, base: float, now: Callable[[], float] = time.monotonic) -> None:
        self.base = base
        self.now = now
        self.t0 = now()
        self.paused = 0.0

    def elapsed(self) -> float:
        return self.base + self.now() - self.t0 - self.paused

    @contextlib.contextmanager
    def stopped(self) -> Iterator[None]:
        """Time inside the block is not counted (waiting for an approval)."""
        t = self.now()
        try:
            yield
        finally:
            self.paused += self.now() - t

    async def within(self, limit: float, aw: Any) -> Any:
        left = limit - self.elapsed()
        if left <= 0:
            aw.close()
            raise AgentStop("timeout", f"The run reached its wall-clock limit of {limit:g}s.")
        try:
            async with asyncio.timeout(left):
                return await aw
        except TimeoutError:
            raise AgentStop(
                "timeout", f"The run reached its wall-clock limit of {limit:g}s."
            ) from None


def _unanswered(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tool calls of the last assistant message that have no tool result yet."""
    for i in range(len(messages) - 1, -1, -1):
        m = messages[i]
        if m.get("role") == "assistant":
            done = {t.get("tool_call_id") for t in messages[i + 1 :] if t.get("role") == "tool"}
            return [tc for tc in m.get("tool_calls") or () if tc["id"] not in done]
    return []


def _canonical(raw: str) -> str:
    try:
        return json.dumps(json.loads(raw or "{}"), sort_keys=True, separators=(",", ":"))
    except json.JSONDecodeError:
        return raw


def _repeats(messages: list[dict[str, Any]], name: str, raw: str) -> int:
    """How often the model asked for this tool with these arguments in this run."""
    key = _canonical(raw)
    return sum(
        1
        for m in messages
        if m.get("role") == "assistant"
        for tc in m.get("tool_calls") or ()
        if tc["function"]["name"] == name and _canonical(tc["function"]["arguments"]) == key
    )


async def _quiet(aw: Any) -> None:
    try:
        await aw
    except Exception:  # a failing store must not hide the run's own error
        log.exception("agent: checkpoint failed")


async def _first(fut: asyncio.Future[Any], notified: asyncio.Event, timeout: float) -> str:
    """What ended the wait: `local` (the future: decided in this process), `notify` (another
    replica's notification) or `poll` (the timeout: time to re-read the store)."""
    if fut.done():
        return "local"
    if notified.is_set():
        return "notify"
    waiter = asyncio.ensure_future(notified.wait())
    try:
        await asyncio.wait([fut, waiter], timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
    if fut.done():
        return "local"
    return "notify" if notified.is_set() else "poll"
