"""One call through the gateway: the request, who made it, and what the guards decided."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from keepgate.auth.principal import Principal
from keepgate.config.model import ModelDeployment
from keepgate.jsontypes import JsonObject
from keepgate.pipeline.verdict import Verdict


@dataclass(slots=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(slots=True)
class Facts:
    """What the guards learned about the conversation; the tool-call policy reads it.

    `tainted` is set when any message or tool result was flagged as injected.
    """

    tainted: bool = False
    taint_sources: list[JsonObject] = field(default_factory=list)
    tools_called: list[str] = field(default_factory=list)
    issued_tool_call_ids: set[str] = field(default_factory=set)


@dataclass(slots=True)
class Outcome:
    """How the call ended; guards settle accounts from it in `finish`."""

    status: Literal["ok", "blocked", "upstream_error", "cancelled", "error"]
    usage: Usage | None = None
    #: Completion tokens actually generated, estimated when the stream was cut short.
    generated_tokens: int = 0
    http_status: int = 200

    @staticmethod
    def ended_by(exc: BaseException) -> Outcome:
        """A call stopped by something other than a guard's block or an upstream error:
        its client went away (`cancelled`, 499: the request was cancelled, or a stream's
        reader closed it) or a bug (`error`, 500)."""
        if isinstance(exc, (asyncio.CancelledError, GeneratorExit)):
            return Outcome("cancelled", http_status=499)
        return Outcome("error", http_status=500)


@dataclass(slots=True)
class ResponseMeter:
    """Per-guard response-side timing of one sampled call (`keepgate.pipeline.chain`):
    `seconds[k]` is the time spent upstream of the k-th layer, guards named in stream order."""

    names: tuple[str, ...]
    seconds: list[float]
    #: What the layers read the time from (a seam: tests move a manual clock instead).
    clock: Callable[[], float] = time.perf_counter


@dataclass(slots=True)
class Call:
    principal: Principal
    route: str  # "chat.completions", "embeddings", "responses", "messages", "agent"
    model: str  # the alias the client asked for
    body: JsonObject  # the request body; guards may rewrite it
    stream: bool = False
    id: str = field(default_factory=lambda: "kg-" + os.urandom(12).hex())
    started: float = field(default_factory=time.perf_counter)
    verdicts: list[Verdict] = field(default_factory=list)
    facts: Facts = field(default_factory=Facts)
    usage: Usage | None = None
    #: x-keepgate-* headers the guards want on the response (sent when headers still can be).
    headers: dict[str, str] = field(default_factory=dict)
    #: What the call cost in USD, set by the limits guard when it settles (read by the audit
    #: line and the hosted agent); None when no limits guard metered it.
    cost_usd: float | None = None
    #: Characters of text and tool-call arguments the upstream generated so far (the runtime
    #: counts them as the stream arrives); estimates completion tokens for a stream cut short.
    generated_chars: int = 0
    #: Set once the request is on its way to the upstream model: a call cancelled before
    #: that (its client left during the request guards) is charged nothing.
    upstream_sent: bool = False
    #: The error code of the guard stop that ended the call (its metrics label), if any.
    error_code: str | None = None
    #: Set on the calls whose response-side guard time is measured (a sample).
    response_meter: ResponseMeter | None = None
    #: Route-specific fields added to the call's audit record as they are (the MCP server,
    #: tool and session; an upstream's invalid usage). A mapping on purpose: these are JSON
    #: fields of one log line, open-ended by route, and nothing reads them back.
    audit: JsonObject = field(default_factory=dict)
    #: The model deployment the alias resolved to (None for calls with no model: MCP).
    deployment: ModelDeployment | None = None
    #: The client's `x-keepgate-session` header, as sent: one conversation across the model
    #: routes and MCP (the MCP session link and held tool calls key on it).
    session: str | None = None
    #: Texts of attached documents the route's adapter inlined as plain text parts (an
    #: Anthropic text `document`), which the chat body alone cannot tell from the user's own
    #: text: the tool-call policy's provenance files them as untrusted output.
    documents: list[str] = field(default_factory=list)
    #: Scratch space private to one module, keyed by its name (the limits guard's
    #: reservation, the tracer's span). Nothing outside that module reads a key: what
    #: crosses a module boundary is a typed field above (tests/core/test_core_typed_seams.py
    #: holds each key to one module).
    state: dict[str, Any] = field(default_factory=dict)

    def target(self) -> ModelDeployment:
        """The deployment of a model call (every model route resolves it before any guard
        runs; only MCP calls have none, and they never reach an upstream model)."""
        if self.deployment is None:
            raise RuntimeError(f"call {self.id} on {self.route} has no model deployment")
        return self.deployment

    def add(self, verdict: Verdict) -> Verdict:
        self.verdicts.append(verdict)
        return verdict
