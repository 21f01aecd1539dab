"""OpenAI-style rate-limit headers (`x-ratelimit-*`, `Retry-After`) from bucket views."""

from __future__ import annotations

import math
from collections.abc import Iterable

from keepgate.limits.backend import BucketView

#: Bucket dimension → the suffix OpenAI uses in its header names.
HEADER_DIMS = {"requests": "requests", "tokens": "tokens"}


def duration(seconds: float) -> str:
    """Seconds as OpenAI writes them: "20ms", "1s", "6m0s", "1h2m3s"."""
    if seconds < 1:
        return f"{max(0, math.ceil(seconds * 1000))}ms"
    s = math.ceil(seconds * 1000) / 1000
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    sec_txt = f"{sec:.3f}".rstrip("0").rstrip(".") + "s"
    if h:
        return f"{int(h)}h{int(m)}m{sec_txt}"
    if m:
        return f"{int(m)}m{sec_txt}"
    return sec_txt


def tightest(buckets: Iterable[BucketView], dim: str) -> BucketView | None:
    """Of a key's and its team's bucket for `dim`, the one with the least left."""
    found = [b for b in buckets if b.dim == dim]
    return min(found, key=lambda b: b.remaining) if found else None


def ratelimit_headers(buckets: list[BucketView]) -> dict[str, str]:
    out: dict[str, str] = {}
    for dim, suffix in HEADER_DIMS.items():
        b = tightest(buckets, dim)
        if b is None:
            continue
        out[f"x-ratelimit-limit-{suffix}"] = str(int(b.cap))
        out[f"x-ratelimit-remaining-{suffix}"] = str(max(0, math.floor(b.remaining)))
        out[f"x-ratelimit-reset-{suffix}"] = duration(b.reset_s or 0.0)
    budget = tightest(buckets, "budget")
    if budget is not None:
        out["x-keepgate-budget-remaining-usd"] = f"{budget.remaining:.6f}"
    return out


def retry_headers(retry_after_s: float | None) -> dict[str, str]:
    """`Retry-After` (whole seconds) and `retry-after-ms` (read by the OpenAI SDKs);
    `x-should-retry: false` when waiting cannot help (budget spent, request too large)."""
    if retry_after_s is None:
        return {"x-should-retry": "false"}
    return {
        "Retry-After": str(max(1, math.ceil(retry_after_s))),
        "retry-after-ms": str(max(1, math.ceil(retry_after_s * 1000))),
    }
