"""One model turn of the agent, driven through the gateway's own pipeline.

The same `Runtime.open_chat` → guards → `Runtime.finish` path as `/v1/chat/completions`, so
limits (key budgets), input guards (on the task and on every tool result) and PII scrubbing
apply to the agent as to a client. Two guards are left out of the pipeline and applied by
the agent itself, at its own boundary:

- "policy": the agent decides each tool call with the same policy right before executing it,
  which also lets it pause for a human approval (the proxy can only hold such a call back);
- "pii": tools must run with the arguments the model produced (the policy governs where data
  may go), so the model's output is scrubbed only where the client sees it: the `model.delta`
  text here (with the guard's own stream hold-back) and everything else in `redact.py`.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import anyio

from keepgate.agent.state import RunState
from keepgate.auth.principal import Principal
from keepgate.errors import APIError
from keepgate.limits.estimate import price_of
from keepgate.pipeline import capabilities
from keepgate.pipeline.call import Call, Facts, Outcome
from keepgate.pipeline.chunks import ToolCallBuffer
from keepgate.pipeline.guard import GuardBlocked
from keepgate.pipeline.verdict import Verdict
from keepgate.runtime import Runtime, blocked_error

if TYPE_CHECKING:
    from keepgate.agent.redact import Redactor

#: The capabilities the agent applies itself rather than through the pipeline (see above).
SKIPPED_CAPABILITIES = (capabilities.ToolPolicy, capabilities.Redactor)


def skipped(rt: Runtime) -> tuple[str, ...]:
    """Names of the guards the agent's model calls leave out of the pipeline."""
    return tuple(g.name for g in rt.guards if isinstance(g, SKIPPED_CAPABILITIES))


class AgentStop(Exception):
    """Ends the run with a reason (limits, blocked input, upstream failure, loop...)."""

    def __init__(self, reason: str, message: str, detail: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.detail = detail or {}


@dataclass
class Turn:
    content: str = ""
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    cost_usd: float = 0.0
    request_id: str = ""
    tainted: bool = False
    taint_sources: list[dict[str, Any]] = field(default_factory=list)
    #: Seconds from opening the call to the end of the stream (model + guards).
    model_s: float = 0.0
    #: What the client may see of `content` and of each tool call's arguments (scrubbed).
    shown_content: str = ""
    shown_arguments: list[str] = field(default_factory=list)

    def message(self) -> dict[str, Any]:
        msg: dict[str, Any] = {"role": "assistant", "content": self.content or None}
        if self.tool_calls:
            msg["tool_calls"] = self.tool_calls
        return msg


def _stop_for(exc: GuardBlocked | APIError, call: Call) -> AgentStop:
    if isinstance(exc, GuardBlocked):
        err = blocked_error(exc, call)
        reason = {"limits": "limits"}.get(exc.verdict.guard, f"{exc.verdict.guard}_blocked")
        return AgentStop(
            reason,
            err.message,
            {
                "code": err.code,
                "status": err.status,
                "guard": exc.verdict.guard,
                "rule": exc.verdict.rule,
            },
        )
    return AgentStop("upstream_error", exc.message, {"code": exc.code, "status": exc.status})


async def model_turn(
    rt: Runtime,
    principal: Principal,
    deployment: Any,
    state: RunState,
    messages: list[dict[str, Any]],
    tools: list[dict[str, Any]],
    redactor: "Redactor",
    on_delta: Callable[[str], object],
) -> Turn:
    """One streamed model call. `on_delta` gets the text as the client may see it."""
    body: dict[str, Any] = {
        **state.model_params,
        "model": state.model,
        "messages": messages,
        "stream": True,
    }
    if tools:
        body["tools"] = tools
    call = Call(principal=principal, route="agent", model=state.model, body=body, stream=True)
    call.deployment = deployment
    call.facts = Facts(
        tainted=state.tainted,
        taint_sources=list(state.taint_sources),
        tools_called=list(state.tools_called),
    )
    turn = Turn(request_id=call.id)
    t0 = time.perf_counter()
    rt.metrics.in_flight.inc()
    outcome = Outcome("ok")
    try:
        buffer = ToolCallBuffer()
        text: list[str] = []
        shown: list[str] = []
        counts: Counter[str] = Counter()
        scrub = redactor.stream(counts, call)

        def show(piece: str) -> None:
            if piece:
                shown.append(piece)
                on_delta(piece)

        stream = None
        try:
            stream = await rt.open_chat(call, skip=skipped(rt))
            async for chunk in stream:
                for ch in chunk.get("choices") or ():
                    if ch.get("index", 0) != 0:
                        continue
                    delta = ch.get("delta") or {}
                    if delta.get("content"):
                        text.append(delta["content"])
                        show(scrub.feed(delta["content"]))
                    for tc in delta.get("tool_calls") or ():
                        buffer.add(0, tc)
            show(scrub.flush())
            turn.shown_arguments = [
                redactor.arguments(tc["function"]["arguments"] or "", counts)
                for tc in buffer.for_choice(0)
            ]
        except AgentStop as failed:  # the scrubber failed (fail closed)
            call.add(
                Verdict(
                    guard="pii",
                    decision="error",
                    rule="scrubber_error",
                    reason="PII scrubber failed",
                    detail={"mode": "closed"},
                )
            )
            outcome = Outcome("blocked", http_status=503)
            raise failed from None
        except GuardBlocked as exc:
            stop = _stop_for(exc, call)
            outcome = Outcome("blocked", http_status=stop.detail["status"])
            raise stop from None
        except APIError as exc:
            outcome = Outcome("upstream_error", http_status=exc.status)
            raise _stop_for(exc, call) from None
        finally:
            aclose = getattr(stream, "aclose", None)
            if aclose:
                with anyio.CancelScope(shield=True):
                    await aclose()
        turn.content = "".join(text)
        turn.shown_content = "".join(shown)
        if counts:
            call.add(Verdict.redaction(counts))
            if redactor.guard is not None:
                redactor.guard.record_redactions(counts)
        for i, tc in enumerate(buffer.for_choice(0)):
            turn.tool_calls.append(
                {
                    "id": tc["id"] or f"call_{call.id}_{i}",
                    "type": "function",
                    "function": dict(tc["function"]),
                }
            )
    except BaseException as exc:
        if not isinstance(exc, AgentStop):
            outcome = Outcome("cancelled", http_status=499)
        raise
    finally:
        await rt.settle(call, outcome)
        turn.model_s = time.perf_counter() - t0
    if call.cost_usd is not None:
        turn.cost_usd = call.cost_usd
    elif call.usage:
        turn.cost_usd = price_of(deployment).cost(
            call.usage.prompt_tokens, call.usage.completion_tokens
        )
    turn.tainted = call.facts.tainted
    turn.taint_sources = call.facts.taint_sources
    return turn
