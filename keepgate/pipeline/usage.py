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


def native_count(value: object) -> int:
    """A count from a Responses or Messages upstream's usage: a number, clamped like
    `count`; anything else raises ValueError (the event is malformed: a 502). `int(1e308)`
    made an integer the audit line could not write, and the call was a 500."""
    if not _number(value) or value != value:
        raise ValueError("usage count is not a number")
    return count(value)[0]


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def clean(usage: object) -> tuple[JsonObject, JsonObject | None]:
    """(usage with every count clamped, the original when anything was changed, else None)."""
    if not isinstance(usage, dict):
        return {}, {"usage": repr(usage)[:200]}
    # A provider's own counts (`cost`, `prompt_cache_hit_tokens`) pass; text, lists and
    # other objects do not: no scrubber reads usage, so PII rode on it to the client.
    out = {k: v for k, v in usage.items() if k in DETAILS or k in FIELDS or _number(v)}
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
        details = {k: v for k, v in details.items() if k in parts or _number(v)}
        for part in parts:
            if part in details:
                details[part], bad = count(details[part])
                changed |= bad
        out[name] = details
    if changed:
        return out, {k: _loggable(usage.get(k)) for k in (*FIELDS, *DETAILS) if k in usage}
    return out, None


def _loggable(value: object) -> object:
    """What the upstream said, as the audit line can write it: an integer past 64 bits (which
    orjson refuses: the record was lost and the call a 500) as its text, cut short."""
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**64:
        return str(value)[:40]
    if isinstance(value, dict):
        return {k: _loggable(v) for k, v in value.items()}
    return value
