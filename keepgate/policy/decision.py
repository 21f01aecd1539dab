"""What a policy decided about one tool call, in the shape every engine returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from keepgate.jsontypes import JsonObject

#: The document every engine evaluates (package toolcall.main, rule decision).
DECISION_PATH = "toolcall.main.decision"


@dataclass(frozen=True, slots=True)
class PolicyDecision:
    allow: bool
    deny: list[str] = field(default_factory=list)
    require_approval: bool = False
    rewritten_arguments: JsonObject | None = None
    policy: str = DECISION_PATH
    #: Reasons the call needs approval (from the policy's `approval` set).
    approval: list[str] = field(default_factory=list)
    #: Set when the engine could not decide (error, timeout, unreachable OPA).
    error: str | None = None

    @property
    def outcome(self) -> Literal["allow", "deny", "require_approval", "error"]:
        """ "allow", "deny", "require_approval" or "error" (a verdict decision)."""
        if self.error is not None and not self.allow:
            return "error"
        if self.deny or not (self.allow or self.require_approval):
            return "deny"
        return "require_approval" if self.require_approval else "allow"

    @property
    def rule(self) -> str:
        """The id of the first reason ("role.tool_not_allowed"), or the policy's name."""
        reasons = self.deny or self.approval
        if reasons:
            return reason_id(reasons[0])
        return self.policy

    def as_dict(self) -> JsonObject:
        return {
            "allow": self.allow,
            "deny": list(self.deny),
            "require_approval": self.require_approval,
            "approval": list(self.approval),
            "rewritten_arguments": self.rewritten_arguments,
            "policy": self.policy,
            **({"error": self.error} if self.error else {}),
        }

    @classmethod
    def from_result(cls, result: object, policy: str = DECISION_PATH) -> "PolicyDecision":
        """From the policy's `decision` object; anything malformed or undefined denies."""
        if not isinstance(result, dict):
            return cls.failed("policy.undefined: the policy produced no decision", policy)
        deny = sorted(str(r) for r in (result.get("deny") or ()))
        approval = sorted(str(r) for r in (result.get("approval") or ()))
        rewritten = result.get("rewritten_arguments")
        allow = result.get("allow") is True and not deny
        return cls(
            allow=allow and result.get("require_approval") is not True,
            deny=deny,
            require_approval=result.get("require_approval") is True and not deny,
            rewritten_arguments=rewritten if isinstance(rewritten, dict) else None,
            policy=str(result.get("policy") or policy),
            approval=approval,
        )

    @classmethod
    def failed(
        cls, reason: str, policy: str = DECISION_PATH, *, fail_open: bool = False
    ) -> "PolicyDecision":
        """The engine could not decide: deny (fail closed) unless configured to fail open."""
        if fail_open:
            return cls(allow=True, policy=policy, error=reason)
        return cls(allow=False, deny=[reason], policy=policy, error=reason)


def reason_id(reason: str) -> str:
    """ "args.url_invalid: ..." -> "args.url_invalid"."""
    return reason.split(":", 1)[0].strip()


def reason_text(reason: str) -> str:
    """A reason without its id prefix, for the user-facing explanation."""
    return reason.split(":", 1)[1].strip() if ":" in reason else reason
