"""The gateway's running state, and one chat call's life: guards → upstream → guards → settle.

The HTTP handlers and the hosted agent loop both drive calls through `Runtime`, so an agent's
model calls pass exactly the guards a client's do.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from typing import Any

import anyio

from keepgate.echo import shown
from keepgate.adapters.responses.store import ResponseStore
from keepgate.auth.keys import KeyStore
from keepgate.auth.principal import Principal
from keepgate.config.model import KeepgateConfig, ModelDeployment
from keepgate.errors import APIError
from keepgate.jsontypes import Chunk, JsonObject
from keepgate.observability.audit import AuditLog
from keepgate.observability.metrics import Metrics
from keepgate.observability.refusals import mark_recorded
from keepgate.observability.tracing import NoTracer
from keepgate.pipeline import chain
from keepgate.pipeline import usage as usage_mod
from keepgate.pipeline.call import Call, Outcome, Usage
from keepgate.pipeline.chunks import keep_read_fields
from keepgate.pipeline.upstream_shape import MalformedChunk, check_chunk
from keepgate.pipeline.guard import Guard, GuardBlocked
from keepgate.services import ReadyCheck, Services
from keepgate.upstream.client import Upstream, UpstreamError

log = logging.getLogger("keepgate")

#: Request fields the gateway consumes itself and never forwards upstream.
GATEWAY_FIELDS = {"keepgate"}


class Runtime:
    def __init__(
        self,
        config: KeepgateConfig,
        guards: list[Guard],
        upstream: Upstream,
        metrics: Metrics,
        audit: AuditLog,
    ) -> None:
        self.config = config
        self.keys = KeyStore(config)
        self.guards = guards
        self.upstream = upstream
        self.metrics = metrics
        self.audit = audit
        self.started = time.time()
        #: Extra readiness checks by the name /readyz shows them under.
        self.ready_checks: dict[str, ReadyCheck] = {}
        #: Checks of one feature's own store (responses, MCP, agent runs): when one is down
        #: only that feature's calls are refused, so the pod stays ready, `degraded`.
        self.feature_checks: set[str] = set()
        #: Parts other modules attach (agent runner, MCP gateway, response store, UI...),
        #: found by type and started / closed with the app.
        self.services = Services()
        #: Where `POST /v1/responses` keeps answers (None: `response_store.backend: off`).
        self.response_store: ResponseStore | None = None
        #: OpenTelemetry spans; a no-op unless observability.tracing is on.
        self.tracer: NoTracer = NoTracer()
        #: Share of calls whose response-side guard time is measured per guard.
        self.response_timing_sample = config.observability.response_timing_sample
        #: The clock those measurements read (a seam: tests move a manual clock).
        self.response_timing_clock: Callable[[], float] = time.perf_counter

    # -- routing ------------------------------------------------------------------------

    def deployment(
        self, principal: Principal, model: object, mode: str = "chat"
    ) -> ModelDeployment:
        if not isinstance(model, str) or not model:
            raise APIError(
                400,
                "Missing required parameter: 'model'.",
                code="missing_required_parameter",
                param="model",
            )
        d = self.config.deployment(model)
        # A model this key may not use gets the very answer of one that does not exist, so
        # a key cannot enumerate the gateway's model names (as OpenAI answers).
        if d is None or d.model_info.mode != mode or not self.keys.may_use(principal, model):
            raise APIError(
                404,
                f"The model {shown(model, 200, digits=True)} does not exist or you do not have access to it.",
                code="model_not_found",
                param="model",
            )
        return d

    # -- one chat call --------------------------------------------------------------------

    def active_guards(self, skip: Collection[str] = ()) -> list[Guard]:
        return [g for g in self.guards if g.name not in skip] if skip else self.guards

    async def check_request(self, call: Call, skip: Collection[str] = ()) -> None:
        for guard in self.active_guards(skip):
            t0 = time.perf_counter()
            try:
                with self.tracer.stage(
                    call,
                    f"guard {guard.name}",
                    **{"keepgate.guard": guard.name, "keepgate.stage": "request"},
                ):
                    await guard.check_request(call)
            finally:
                self.metrics.child(self.metrics.stage_seconds, guard.name, "request").observe(
                    time.perf_counter() - t0
                )

    def upstream_body(self, call: Call) -> JsonObject:
        body = {k: v for k, v in call.body.items() if k not in GATEWAY_FIELDS}
        if not self.config.general_settings.forward_unknown_fields:
            body.pop("fake", None)
        return body

    async def open_chat(
        self,
        call: Call,
        skip: Collection[str] = (),
        upstream: Callable[[Call], Awaitable[AsyncIterator[Chunk]]] | None = None,
    ) -> AsyncIterator[Chunk]:
        """Run request guards, open the upstream stream, wrap it in the response guards.

        Raises GuardBlocked or APIError before anything is streamed. `skip` names guards
        left out of this call (the hosted agent decides tool calls with the policy itself,
        at execution time, and scrubs what it shows its client itself). `upstream` opens
        the upstream instead of chat completions (a route adapter passing its request to an
        upstream that speaks the route's API natively); it runs after the request guards and
        returns chunks like chat's, so the response guards are the same.
        """
        await self.check_request(call, skip)
        try:
            t0 = time.perf_counter()
            with self.tracer.stage(call, "upstream", **{"gen_ai.request.model": call.model}):
                call.upstream_sent = True
                if upstream is not None:
                    stream = await upstream(call)
                else:
                    stream = await self.upstream.stream_chat(
                        call.target(), self.upstream_body(call)
                    )
            m = self.metrics
            m.child(m.upstream_seconds, call.model).observe(time.perf_counter() - t0)
        except UpstreamError as exc:
            self.metrics.child(self.metrics.upstream_errors, call.model, exc.kind).inc()
            raise
        guards = self.active_guards(skip)
        meter = None
        if guards and (self.tracer.enabled or random.random() < self.response_timing_sample):
            meter = call.response_meter = chain.new_meter(guards, self.response_timing_clock)
        return chain.wrap_response(guards, call, self._count_upstream(call, stream), meter)

    async def _count_upstream(
        self, call: Call, stream: AsyncIterator[Chunk]
    ) -> AsyncIterator[Chunk]:
        """Record usage and the text generated, as the upstream sent it; delta fields no
        response guard reads are dropped first (`chunks.keep_read_fields`), a structure no
        guard can read is a 502 (`upstream_shape.check_chunk`)."""
        generated = 0
        fallback_id = "chatcmpl-" + call.id  # the id a chunk without one is given
        max_calls = self.config.general_settings.max_answer_tool_calls
        try:
            async for chunk in stream:
                try:
                    dropped = check_chunk(chunk, fallback_id, max_calls)
                except MalformedChunk as exc:
                    raise UpstreamError(
                        502, f"upstream sent a malformed chunk: {exc}", "upstream_malformed"
                    ) from None
                dropped += keep_read_fields(chunk)
                if dropped:
                    seen = call.audit.setdefault("upstream_fields_dropped", [])
                    seen.extend(k for k in dropped if k not in seen)
                if chunk.get("usage"):
                    u = chunk["usage"] = self.clean_usage(call, chunk["usage"])
                    call.usage = Usage(u.get("prompt_tokens", 0), u.get("completion_tokens", 0))
                for ch in chunk.get("choices") or ():
                    d = ch.get("delta") or {}
                    generated += len(d.get("content") or "")
                    for tc in d.get("tool_calls") or ():
                        generated += len((tc.get("function") or {}).get("arguments") or "")
                call.generated_chars = generated
                yield chunk
        except UpstreamError as exc:
            self.metrics.child(self.metrics.upstream_errors, call.model, exc.kind).inc()
            raise

    def clean_usage(self, call: Call, usage: object) -> JsonObject:
        """The upstream's usage with every count clamped to 0..2**40; what the upstream
        really said goes to the call's audit record (and a warning to the log)."""
        clean, original = usage_mod.clean(usage)
        if original is not None:
            call.audit["upstream_usage_invalid"] = original
            log.warning(
                "upstream %s reported invalid usage; counted as %s",
                call.model,
                {k: clean.get(k) for k in ("prompt_tokens", "completion_tokens")},
                extra={"request_id": call.id},
            )
        return clean

    async def settle(self, call: Call, outcome: Outcome) -> None:
        """End an in-flight call: shielded, so a cancelled request still refunds and audits."""
        self.metrics.in_flight.dec()
        with anyio.CancelScope(shield=True):
            await self.finish(call, outcome)

    async def finish(self, call: Call, outcome: Outcome) -> None:
        """Settle every guard, then record metrics and the audit line. Never raises."""
        if outcome.usage is None:
            outcome.usage = call.usage
        if not outcome.generated_tokens:
            outcome.generated_tokens = (call.generated_chars + 3) // 4

        def on_error(guard: Guard, exc: BaseException) -> None:
            log.error(
                "guard %s failed to settle: %s",
                guard.name,
                type(exc).__name__,
                extra={"request_id": call.id},
            )

        with self.tracer.stage(call, "settle"):
            await chain.finish(self.guards, call, outcome, on_error)
        self.record(call, outcome)
        self.tracer.end(call, outcome)

    def record(self, call: Call, outcome: Outcome) -> None:
        elapsed = time.perf_counter() - call.started
        mark_recorded()  # the refusal middleware leaves this request to this record
        self.audit.write(self._recorded(call, outcome, elapsed))

    def record_later(self, call: Call, outcome: Outcome) -> None:
        """`record`, with the metrics and the audit line written once the running task's
        step ends (`AuditLog.later`: after an MCP answer is sent, in order, flushed at
        shutdown). The latency is the call's as it ends here. `call` must not change any
        more."""
        elapsed = time.perf_counter() - call.started
        mark_recorded()
        self.audit.later(lambda: self._recorded(call, outcome, elapsed))

    def _recorded(self, call: Call, outcome: Outcome, elapsed: float) -> dict[str, Any]:
        """The call's metrics (counted here) and its audit record (returned)."""
        m = self.metrics
        code = "" if outcome.http_status < 400 else str(call.error_code or outcome.status)
        kid = m.child
        kid(m.requests, call.route, call.model, str(outcome.http_status), code).inc()
        kid(m.request_seconds, call.route).observe(elapsed)
        if call.response_meter is not None:
            spent = chain.guard_self_times(call.response_meter)
            for name, seconds in spent.items():
                kid(m.stage_seconds, name, "response").observe(seconds)
            self.tracer.annotate(
                call,
                {
                    f"keepgate.guard.{name}.response_ms": round(s * 1e3, 3)
                    for name, s in spent.items()
                },
            )
        for v in call.verdicts:
            kid(m.verdicts, v.guard, v.decision, v.rule or "").inc()
            if v.decision == "error":
                kid(m.guard_failures, v.guard, str(v.detail.get("mode", "closed"))).inc()
        usage = outcome.usage
        if usage:
            kid(m.tokens, call.principal.key_id, call.model, "prompt").inc(usage.prompt_tokens)
            kid(m.tokens, call.principal.key_id, call.model, "completion").inc(
                usage.completion_tokens
            )
        record: dict[str, Any] = {
            "request_id": call.id,
            "route": call.route,
            "model": call.model,
            "key_id": call.principal.key_id,
            "role": call.principal.role,
            "team": call.principal.team,
            "stream": call.stream,
            "status": outcome.status,
            "http_status": outcome.http_status,
            "latency_ms": round(elapsed * 1000, 3),
            "verdicts": [v.as_dict() for v in call.verdicts],
        }
        if usage:
            record["usage"] = {
                "prompt_tokens": usage.prompt_tokens,
                "completion_tokens": usage.completion_tokens,
            }
            record["usage_source"] = "upstream"  # the limits guard marks its own count
        if call.cost_usd is not None:
            record["cost_usd"] = call.cost_usd
        if call.facts.tainted:
            record["tainted"] = True
        record.update(call.audit)  # route-specific fields (MCP server, tool, session...)
        return record

    def response_headers(self, call: Call) -> dict[str, str]:
        headers = {"x-keepgate-request-id": call.id}
        headers.update(call.headers)
        stops = [v for v in call.verdicts if v.decision not in ("allow",)]
        if stops:
            headers["x-keepgate-verdicts"] = ",".join(
                f"{v.guard}:{v.decision}" + (f":{v.rule}" if v.rule else "") for v in stops
            )[:2000]
        return headers


def blocked_error(exc: GuardBlocked, call: Call | None = None) -> APIError:
    """A guard's stop as an OpenAI-shaped error, naming the guard and rule, never the text.

    The stopping verdict is recorded on the call (once) for headers, audit and metrics.
    """
    if call is not None:
        if call.error_code is None:
            call.error_code = exc.code
        if exc.verdict not in call.verdicts:
            call.add(exc.verdict)
    extra = {
        "keepgate": {
            "guard": exc.verdict.guard,
            "rule": exc.verdict.rule,
            "decision": exc.verdict.decision,
        }
    }
    return APIError(
        exc.status, exc.message, code=exc.code, type=exc.type, headers=exc.headers, extra=extra
    )
