"""A limits mapping (`keys[].limits`, `teams[].limits`, `guards.limits.defaults`...) as a
type, so a misspelt limit name or a bad amount fails at load time with the file and line,
whether or not the limits guard is on.

The names live here, not in the limits package, because the config package must not import
a guard package (every guard package imports the config); `keepgate.limits.spec` reads them
from here. The mapping keeps the names and amounts as written: the limits guard overlays
mappings by dimension (`keepgate.limits.spec.merge_raw`), so `rpm` and
`requests_per_minute` are the same limit and `null` lifts one.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

__all__ = ["NAMES", "LimitsMap"]

#: Config names (and LiteLLM-style aliases) → dimension.
NAMES: dict[str, str] = {
    "requests_per_minute": "requests",
    "rpm": "requests",
    "rpm_limit": "requests",
    "tokens_per_minute": "tokens",
    "tpm": "tokens",
    "tpm_limit": "tokens",
    "usd_per_minute": "usd_minute",
    "usd_per_hour": "usd_hour",
    "usd_per_day": "usd_day",
    "usd_per_month": "usd_month",
    "budget_usd": "budget",
    "max_budget": "budget",
}


def _known(name: str) -> str:
    if name not in NAMES:
        raise ValueError(f"unknown limit (known: {', '.join(sorted(NAMES))})")
    return name


def _amount(value: Any) -> Any:
    if value is None:
        return value
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value < 0
    ):
        raise ValueError(f"must be a number >= 0 or null, got {value!r}")
    return value


#: Limit name → amount (`null`: no limit, to lift a default for one key; 0 blocks all).
LimitsMap = dict[
    Annotated[str, AfterValidator(_known)],
    Annotated[int | float | None, BeforeValidator(_amount)],
]
