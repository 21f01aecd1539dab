"""Decisions are data: one record feeds the error body, headers, audit log and metrics."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Decision = Literal[
    "allow", "flag", "redact", "rewrite", "block", "deny", "require_approval", "error"
]

#: Decisions that stop the request (or, for tool calls, the call).
STOPPING: frozenset[str] = frozenset({"block", "deny"})


@dataclass(frozen=True, slots=True)
class Verdict:
    """What one guard decided, and why. Never carries the offending text itself."""

    guard: str
    decision: Decision
    rule: str | None = None
    reason: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"guard": self.guard, "decision": self.decision}
        if self.rule:
            out["rule"] = self.rule
        if self.reason:
            out["reason"] = self.reason
        if self.detail:
            out["detail"] = self.detail
        return out
