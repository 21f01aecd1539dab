"""An upstream's `usage` object, made safe to count before anything reads it.

Usage comes from outside: a buggy or hostile upstream can report negative, fractional,
textual or absurd token counts. Counters (Prometheus refuses to go down), the limits
settlement and the spend records all read these numbers, so they are clamped once, where
the upstream stream enters the pipeline, and the call's audit record keeps what the upstream
actually said.
"""

from __future__ import annotations


from keepgate.jsontypes import JsonObject

#: Counts above this are not token counts (and would overflow an int64 cost in micro-USD).
MAX_TOKENS = 2**40
FIELDS = ("prompt_tokens", "completion_tokens", "total_tokens")
DETAILS = {
    "prompt_tokens_details": ("cached_tokens", "audio_tokens"),
    "completion_tokens_details": (
        "reasoning_tokens",
        "audio_tokens",
        "accepted_prediction_tokens",
        "rejected_prediction_tokens",
    ),
}


def count(value: object) -> tuple[int, bool]:
    """(a token count in 0..MAX_TOKENS, whether `value` had to be changed to get it)."""
    if value is None:
        return 0, False
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return 0, True
    n = int(value)
    clamped = min(max(n, 0), MAX_TOKENS)
    return clamped, clamped != value


def clean(usage: object) -> tuple[JsonObject, JsonObject | None]:
    """(usage with every count clamped, the original when anything was changed, else None)."""
    if not isinstance(usage, dict):
        return {}, {"usage": repr(usage)[:200]}
    out = dict(usage)
    changed = False
    for name in FIELDS:
        if name in out:
            out[name], bad = count(out[name])
            changed |= bad
    for name, parts in DETAILS.items():
        details = out.get(name)
        if details is None:
            continue
        if not isinstance(details, dict):
            out[name], changed = None, True
            continue
        details = dict(details)
        for part in parts:
            if part in details:
                details[part], bad = count(details[part])
                changed |= bad
        out[name] = details
    if changed:
        return out, {k: usage.get(k) for k in (*FIELDS, *DETAILS) if k in usage}
    return out, None
