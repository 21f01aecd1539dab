"""What a limit is: a named dimension, a capacity and how fast it refills.

Every limit is a token bucket whose capacity is the configured amount and whose refill
rate is that amount per period, continuously (a key with `requests_per_minute: 60` may
burst 60 requests at once, then gets one more each second). The hard budget is a bucket
that never refills.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from keepgate.config.limitmap import NAMES as LIMIT_NAMES

#: Dimension → refill period in seconds (0: never refills). Mirrored in the Lua scripts.
PERIODS: dict[str, float] = {
    "requests": 60.0,
    "tokens": 60.0,
    "usd_minute": 60.0,
    "usd_hour": 3600.0,
    "usd_day": 86400.0,
    "usd_month": 30 * 86400.0,
    "budget": 0.0,
}

#: What each dimension is charged in.
UNIT: dict[str, str] = {
    "requests": "requests",
    "tokens": "tokens",
    "usd_minute": "usd",
    "usd_hour": "usd",
    "usd_day": "usd",
    "usd_month": "usd",
    "budget": "usd",
}

#: Config names (and LiteLLM-style aliases) → dimension: in the config package, which types
#: every limits mapping with them at load time.
NAMES = LIMIT_NAMES

#: Dimension → the canonical config name, for output.
CONFIG_NAME: dict[str, str] = {
    "requests": "requests_per_minute",
    "tokens": "tokens_per_minute",
    "usd_minute": "usd_per_minute",
    "usd_hour": "usd_per_hour",
    "usd_day": "usd_per_day",
    "usd_month": "usd_per_month",
    "budget": "budget_usd",
}

Caps = dict[str, float]


class LimitSpecError(ValueError):
    """A limits mapping that cannot be used; the message names the offending entry."""


def parse_caps(raw: Mapping[str, Any] | None, where: str = "limits") -> Caps:
    """`{requests_per_minute: 60, budget_usd: 5}` → `{"requests": 60.0, "budget": 5.0}`.

    `null` means "no limit" (useful to lift a default for one key); 0 blocks everything.
    """
    caps: Caps = {}
    for name, value in (raw or {}).items():
        dim = NAMES.get(name)
        if dim is None:
            known = ", ".join(sorted(CONFIG_NAME.values()))
            raise LimitSpecError(f"{where}.{name}: unknown limit (known: {known})")
        if value is None:
            caps.pop(dim, None)
            continue
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
            or value < 0
        ):
            raise LimitSpecError(f"{where}.{name}: must be a number >= 0 or null, got {value!r}")
        caps[dim] = float(value)
    return caps


def merge_raw(base: Mapping[str, Any] | None, over: Mapping[str, Any] | None) -> dict[str, Any]:
    """Overlay two raw limit mappings by dimension, so `rpm` in one replaces
    `requests_per_minute` in the other and `null` lifts a limit."""
    out: dict[str, Any] = {}
    for raw in (base or {}, over or {}):
        for name, value in raw.items():
            out[CONFIG_NAME.get(NAMES.get(name, ""), name)] = value
    return out


def rate_of(dim: str, cap: float) -> float:
    """Refill per second."""
    period = PERIODS[dim]
    return cap / period if period else 0.0


def to_config(caps: Caps) -> dict[str, float]:
    return {CONFIG_NAME[d]: v for d, v in sorted(caps.items())}


@dataclass(frozen=True, slots=True)
class Subject:
    """Who a bucket set belongs to: a key or a team, with its configured capacities.

    Caps may be replaced at run time by an override the backend stores (admin API).
    """

    kind: str  # "key" | "team"
    id: str
    caps: tuple[tuple[str, float], ...]

    @classmethod
    def of(cls, kind: str, id: str, caps: Caps) -> "Subject":
        return cls(kind, id, tuple(sorted(caps.items())))

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.id}"
