"""A run's whole state, as plain JSON: what a checkpoint stores and a resume reloads.

The conversation (`messages`) is the source of truth for tool calls: a call whose `tool`
message is in the history has completed and is never executed again.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["running", "waiting_approval", "interrupted", "completed", "failed", "cancelled"]
#: Statuses a run can be resumed from (a process that died leaves "running").
RESUMABLE = frozenset({"running", "waiting_approval", "interrupted"})
TERMINAL = frozenset({"completed", "failed", "cancelled"})


@dataclass
class RunState:
    task: str
    model: str
    key_id: str
    tools: list[str]
    limits: dict[str, Any]
    id: str = field(default_factory=lambda: "run_" + uuid.uuid4().hex[:24])
    session_id: str | None = None
    status: Status = "running"
    messages: list[dict[str, Any]] = field(default_factory=list)
    step: int = 0
    spent_usd: float = 0.0
    #: Seconds of active work so far (survives resume; approvals waits excluded).
    elapsed_s: float = 0.0
    tainted: bool = False
    taint_sources: list[dict[str, Any]] = field(default_factory=list)
    tools_called: list[str] = field(default_factory=list)
    #: "name\x00canonical-args" -> times requested (loop detection).
    repeats: dict[str, int] = field(default_factory=dict)
    #: tool_call_id -> {"tool", "arguments", "reasons", "decision"?: approve|deny}
    approvals: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Extra fields sent with every model call (temperature, the fake model's script...).
    model_params: dict[str, Any] = field(default_factory=dict)
    result: str | None = None
    reason: str | None = None
    message: str | None = None
    created_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)

    def to_dict(self) -> dict[str, Any]:
        """Shallow (fields are JSON-ready already); `dataclasses.asdict` deep-copied the whole
        conversation on every checkpoint and dominated the loop's overhead."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "RunState":
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in known})

    def public(self) -> dict[str, Any]:
        """What GET /v1/agent/runs/{id} returns."""
        pending = [
            {"tool_call_id": k, **{f: v[f] for f in ("tool", "arguments", "reasons")}}
            for k, v in self.approvals.items()
            if "decision" not in v
        ]
        return {
            "id": self.id,
            "object": "agent.run",
            "status": self.status,
            "task": self.task,
            "model": self.model,
            "session_id": self.session_id,
            "tools": self.tools,
            "step": self.step,
            "limits": self.limits,
            "spent_usd": round(self.spent_usd, 9),
            "elapsed_s": round(self.elapsed_s, 3),
            "tainted": self.tainted,
            "pending_approvals": pending,
            "result": self.result,
            "reason": self.reason,
            "message": self.message,
            "messages": self.messages,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }
