"""OpenTelemetry traces: one span per call, a child per guard stage and per upstream call.

Off by default, and then free: the runtime calls the same methods on `NoTracer`, whose
context managers do nothing. With `observability.tracing.enabled: true` the gateway needs
the `otel` extra (`pip install 'keepgate[otel]'`); a missing package is a start-up error,
not a silent no-op. The gateway keeps its own `TracerProvider` (not the global one) so
several gateways in one process, as in the tests, never share spans.

    observability:
      tracing:
        enabled: true
        exporter: otlp            # otlp (HTTP/protobuf) | console | none
        endpoint: http://otel-collector:4318/v1/traces   # or OTEL_EXPORTER_OTLP_ENDPOINT
        service_name: keepgate
        sample_ratio: 1.0

Span attributes carry ids, names and numbers only (model alias, key id, guard, decision,
rule): never message text.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from keepgate.observability.settings import TracingSettings

if TYPE_CHECKING:
    from keepgate.pipeline.call import Call, Outcome

_SPAN = "_otel_span"
#: `NoTracer.stage`: nullcontext keeps no state, so one serves every stage.
_NULL: contextlib.nullcontext[None] = contextlib.nullcontext()
#: A span attribute's value, as OpenTelemetry takes it (`opentelemetry.util.types`).
AttrValue = str | bool | int | float | Sequence[str] | Sequence[int] | Sequence[float]


class NoTracer:
    """Tracing off: every hook is a no-op (the hot path pays one attribute lookup)."""

    enabled = False

    def start(self, call: "Call") -> None:
        pass

    def stage(
        self, call: "Call", name: str, **attrs: AttrValue
    ) -> contextlib.AbstractContextManager[object]:
        return _NULL

    def annotate(self, call: "Call", attrs: Mapping[str, AttrValue]) -> None:
        pass

    def end(self, call: "Call", outcome: "Outcome") -> None:
        pass

    def shutdown(self) -> None:
        pass


class OtelTracer(NoTracer):
    """Spans through an OpenTelemetry SDK `TracerProvider` owned by this gateway."""

    enabled = True

    def __init__(self, settings: TracingSettings, exporter: Any | None = None) -> None:
        try:
            from opentelemetry.sdk.resources import Resource
            from opentelemetry.sdk.trace import TracerProvider
            from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
        except ImportError as exc:
            raise RuntimeError(
                "observability.tracing.enabled needs OpenTelemetry: pip install 'keepgate[otel]'"
            ) from exc
        self.provider = TracerProvider(
            resource=Resource.create({"service.name": settings.service_name}),
            sampler=ParentBased(TraceIdRatioBased(settings.sample_ratio)),
        )
        if exporter is None:
            exporter = _exporter(settings)
        if exporter is not None:
            from opentelemetry.sdk.trace.export import BatchSpanProcessor

            self.provider.add_span_processor(BatchSpanProcessor(exporter))
        self.tracer = self.provider.get_tracer("keepgate")

    def add_processor(self, processor: Any) -> None:
        """Extra span processor (tests attach an in-memory exporter this way)."""
        self.provider.add_span_processor(processor)

    def start(self, call: "Call") -> None:
        if _SPAN in call.state:
            return
        span = self.tracer.start_span(
            f"keepgate {call.route}",
            attributes={
                "keepgate.request_id": call.id,
                "keepgate.route": call.route,
                "gen_ai.request.model": call.model,
                "keepgate.key_id": call.principal.key_id,
                "keepgate.role": call.principal.role,
                "keepgate.stream": call.stream,
            },
        )
        call.state[_SPAN] = span

    @contextlib.contextmanager
    def stage(self, call: "Call", name: str, **attrs: AttrValue) -> Iterator[object]:
        from opentelemetry import trace
        from opentelemetry.trace import Status, StatusCode

        self.start(call)
        ctx = trace.set_span_in_context(call.state[_SPAN])
        with self.tracer.start_as_current_span(
            name,
            context=ctx,
            attributes=attrs,
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            before = len(call.verdicts)
            try:
                yield span
            except BaseException as exc:
                # Name the exception type only: messages may quote request text.
                span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
                raise
            finally:
                for v in call.verdicts[before:]:
                    span.add_event(
                        "verdict", {"guard": v.guard, "decision": v.decision, "rule": v.rule or ""}
                    )

    def annotate(self, call: "Call", attrs: Mapping[str, AttrValue]) -> None:
        """Attributes on the call's root span (response-side guard times: the guards run
        interleaved over the stream, so they are totals rather than child spans)."""
        span = call.state.get(_SPAN)
        if span is not None:
            span.set_attributes(attrs)

    def end(self, call: "Call", outcome: "Outcome") -> None:
        from opentelemetry.trace import Status, StatusCode

        span = call.state.pop(_SPAN, None)
        if span is None:
            return
        span.set_attribute("keepgate.outcome", outcome.status)
        span.set_attribute("http.response.status_code", outcome.http_status)
        stops = [v for v in call.verdicts if v.decision != "allow"]
        if stops:
            span.set_attribute(
                "keepgate.verdicts", [f"{v.guard}:{v.decision}:{v.rule or ''}" for v in stops]
            )
        if outcome.usage:
            span.set_attribute("gen_ai.usage.input_tokens", outcome.usage.prompt_tokens)
            span.set_attribute("gen_ai.usage.output_tokens", outcome.usage.completion_tokens)
        if outcome.http_status >= 500:
            span.set_status(Status(StatusCode.ERROR, outcome.status))
        span.end()

    def shutdown(self) -> None:
        self.provider.shutdown()


def _exporter(settings: TracingSettings) -> Any | None:
    if settings.exporter == "none":
        return None
    if settings.exporter == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    except ImportError as exc:
        raise RuntimeError(
            "observability.tracing.exporter 'otlp' needs "
            "opentelemetry-exporter-otlp-proto-http: pip install "
            "'keepgate[otel]'"
        ) from exc
    return OTLPSpanExporter(endpoint=settings.endpoint) if settings.endpoint else OTLPSpanExporter()


def tracer_for(settings: TracingSettings) -> NoTracer:
    return OtelTracer(settings) if settings.enabled else NoTracer()
