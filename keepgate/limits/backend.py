"""The store behind the limits: one interface, an in-process and a Redis implementation.

Both run the same algorithm (see reserve.lua / settle.lua): each bucket stores how much
of it is *used*; use drains continuously at cap/period per second. A reservation checks
`used + amount <= cap` on every bucket of every subject and takes from all or none.
Storing use (not level) makes a changed cap take effect at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from keepgate.limits.spec import Caps, Subject


@dataclass(frozen=True, slots=True)
class Amounts:
    """What one call reserves (or, as a delta, what settling adds back)."""

    requests: int = 0
    tokens: int = 0
    usd: float = 0.0

    def of(self, unit: str) -> float:
        return float(getattr(self, unit))


@dataclass(frozen=True, slots=True)
class Actual:
    """What one call really used, for the usage totals."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    usd: float = 0.0
    model: str = ""
    #: Another guard (input, policy, PII) refused the call after the limits admitted it:
    #: it counts in the `blocked` total with the limits' own refusals.
    blocked: bool = False


@dataclass(frozen=True, slots=True)
class BucketView:
    subject: str  # "key:alice"
    dim: str
    cap: float
    remaining: float
    #: Seconds until the bucket is full again; None when it never refills (budget).
    reset_s: float | None


@dataclass(frozen=True, slots=True)
class ReserveResult:
    allowed: bool
    buckets: list[BucketView]
    #: The bucket that refused, and how long until it would have room (None: never).
    failed_subject: str | None = None
    failed_dim: str | None = None
    retry_after_s: float | None = None


@dataclass(slots=True)
class SubjectUsage:
    subject: str
    caps: Caps
    overridden: bool
    buckets: list[BucketView]
    totals: dict[str, float] = field(default_factory=dict)
    by_model: dict[str, dict[str, float]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        from keepgate.limits.spec import CONFIG_NAME, to_config

        return {
            "subject": self.subject,
            "limits": to_config(self.caps),
            "limits_source": "admin" if self.overridden else "config",
            "remaining": {CONFIG_NAME[b.dim]: b.remaining for b in self.buckets},
            "reset_seconds": {CONFIG_NAME[b.dim]: b.reset_s for b in self.buckets},
            "totals": self.totals,
            "by_model": self.by_model,
        }


class BackendUnavailable(Exception):
    """The store cannot be reached; the guard fails closed or falls back, as configured."""


class Backend(Protocol):
    name: str

    async def reserve(self, subjects: Sequence[Subject], need: Amounts) -> ReserveResult: ...

    async def settle(self, subjects: Sequence[Subject], delta: Amounts, actual: Actual) -> None: ...

    async def usage(self, subject: Subject) -> SubjectUsage: ...

    async def set_override(self, subject: Subject, caps: Caps | None) -> None:
        """Replace the subject's configured caps (None: back to config)."""

    async def reset(self, subject: Subject) -> None:
        """Empty the subject's buckets and its spent budget (lifetime totals stay)."""

    async def ping(self) -> None: ...

    async def aclose(self) -> None: ...


def parse_totals(raw: dict[str, str]) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """A usage hash (`spend_usd`, `usd:<model>`, ...) → totals and per-model figures."""
    totals: dict[str, float] = {
        "requests": 0,
        "blocked": 0,
        "prompt_tokens": 0,
        "completion_tokens": 0,
        "spend_usd": 0.0,
    }
    by_model: dict[str, dict[str, float]] = {}
    for k, v in raw.items():
        if k.startswith("usd:"):
            by_model.setdefault(k[4:], {"spend_usd": 0.0, "tokens": 0})["spend_usd"] = float(v)
        elif k.startswith("tok:"):
            by_model.setdefault(k[4:], {"spend_usd": 0.0, "tokens": 0})["tokens"] = int(float(v))
        elif k in totals:
            totals[k] = float(v) if k == "spend_usd" else int(float(v))
    totals["tokens"] = totals["prompt_tokens"] + totals["completion_tokens"]
    return totals, by_model
