"""One call through the gateway: the request, who made it, and what the guards decided."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from keepgate.auth.principal import Principal
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
    taint_sources: list[dict[str, Any]] = field(default_factory=list)
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


@dataclass(slots=True)
class Call:
    principal: Principal
    route: str  # "chat.completions", "embeddings", "responses", "messages", "agent"
    model: str  # the alias the client asked for
    body: dict[str, Any]  # the request body; guards may rewrite it
    stream: bool = False
    id: str = field(default_factory=lambda: "kg-" + uuid.uuid4().hex[:24])
    started: float = field(default_factory=time.perf_counter)
    verdicts: list[Verdict] = field(default_factory=list)
    facts: Facts = field(default_factory=Facts)
    usage: Usage | None = None
    #: x-keepgate-* headers the guards want on the response (sent when headers still can be).
    headers: dict[str, str] = field(default_factory=dict)
    #: What the call cost in USD, set by the limits guard when it settles (read by the audit
    #: line and the hosted agent); None when no limits guard metered it.
    cost_usd: float | None = None
    #: Per-guard scratch space, keyed by guard name. What another package reads belongs in a
    #: typed field above instead.
    state: dict[str, Any] = field(default_factory=dict)
    #: The model deployment the alias resolved to (keepgate.config.ModelDeployment).
    deployment: Any = None

    def add(self, verdict: Verdict) -> Verdict:
        self.verdicts.append(verdict)
        return verdict
