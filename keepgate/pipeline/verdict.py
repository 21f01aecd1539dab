"""Decisions are data: one record feeds the error body, headers, audit log and metrics."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from keepgate.jsontypes import JsonObject

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
    detail: JsonObject = field(default_factory=dict)

    @staticmethod
    def redaction(counts: Mapping[str, int]) -> Verdict:
        """The PII scrubber's record of one call: how many values of each kind it hid
        (the proxy, the hosted agent and the MCP gateway all report it the same way)."""
        return Verdict(
            "pii",
            "redact",
            reason=f"redacted {sum(counts.values())} value(s)",
            detail={"counts": dict(counts)},
        )

    def as_dict(self) -> JsonObject:
        out: dict[str, Any] = {"guard": self.guard, "decision": self.decision}
        if self.rule:
            out["rule"] = self.rule
        if self.reason:
            out["reason"] = self.reason
        if self.detail:
            out["detail"] = self.detail
        return out
