"""In-process buckets: the embedded default for one replica, and Redis's fallback.

The same algorithm as reserve.lua/settle.lua, in Python. Operations never await between
reading and writing a bucket, so on one event loop each is atomic.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from keepgate.limits.backend import (
    Actual,
    Amounts,
    BucketView,
    ReserveResult,
    SubjectUsage,
    parse_totals,
)
from keepgate.limits.spec import PERIODS, UNIT, Caps, Subject, rate_of


@dataclass(slots=True)
class _State:
    ts: float = 0.0
    used: dict[str, float] = field(default_factory=dict)
    #: The usage hash of the Redis backend: counters and per-model figures.
    totals: dict[str, float] = field(default_factory=dict)


#: How far over a cap the sum of reservations may round (relative): fifty $0.001 calls fit
#: a $0.05 cap although their float sum is 0.05000000000000004. Same in reserve.lua.
SLACK = 1e-9

#: A subject's caps as (dimension, cap) pairs.
Pairs = tuple[tuple[str, float], ...]


def drained(dim: str, cap: float, used: float, elapsed: float) -> float:
    """A bucket's use after `elapsed` seconds of refill."""
    return max(0.0, used - elapsed * rate_of(dim, cap))


def view(subject: str, dim: str, cap: float, used: float) -> BucketView:
    rate = rate_of(dim, cap)
    return BucketView(subject, dim, cap, max(0.0, cap - used), used / rate if rate else None)


class LocalBackend:
    name = "local"

    def __init__(self, clock: Callable[[], float] = time.monotonic, share: float = 1.0) -> None:
        #: What the buckets refill on (a seam: tests pass or set a manual clock).
        self.clock = clock
        self._states: dict[str, _State] = {}
        self._overrides: dict[str, Caps] = {}
        #: The part of every cap this process may use: 1 alone; 1/N as the fallback of N
        #: replicas during a Redis outage, so together they stay within the limit.
        self.share = share

    def _caps(self, subject: Subject) -> Caps:
        over = self._overrides.get(subject.label)
        caps = dict(over) if over is not None else dict(subject.caps)
        if self.share != 1.0:
            caps = {dim: cap * self.share for dim, cap in caps.items()}
        return caps

    def _state(self, subject: Subject, now: float) -> tuple[_State, Caps]:
        st = self._states.setdefault(subject.label, _State(ts=now))
        caps = self._caps(subject)
        elapsed = max(0.0, now - st.ts)
        for dim, cap in caps.items():
            if PERIODS[dim]:
                st.used[dim] = drained(dim, cap, st.used.get(dim, 0.0), elapsed)
        st.ts = now
        return st, caps

    def _used(self, st: _State, dim: str) -> float:
        return st.totals.get("budget_used", 0.0) if not PERIODS[dim] else st.used.get(dim, 0.0)

    def _loaded(self, subject: Subject, now: float) -> tuple[str, _State, Pairs]:
        """`_state` for a reservation: the label read once, the state made only for a new
        subject and the caps as (dimension, cap) pairs in `_caps`' order (`Subject.of`'s
        dimensions are unique), not a dict per call (~70 K instructions per MCP call
        before, mostly allocations; the same arithmetic as `drained`)."""
        label = subject.label
        st = self._states.get(label)
        if st is None:
            st = self._states[label] = _State(ts=now)
        over = self._overrides.get(label)
        pairs: Pairs = tuple(over.items()) if over is not None else subject.caps
        if self.share != 1.0:
            share = self.share
            pairs = tuple((dim, cap * share) for dim, cap in pairs)
        elapsed = now - st.ts
        if not elapsed > 0.0:  # max(0.0, elapsed)
            elapsed = 0.0
        used = st.used
        for dim, cap in pairs:
            period = PERIODS[dim]
            if period:
                left = used.get(dim, 0.0) - elapsed * (cap / period)
                used[dim] = left if left > 0.0 else 0.0  # max(0.0, left)
        st.ts = now
        return label, st, pairs

    async def reserve(self, subjects: Sequence[Subject], need: Amounts) -> ReserveResult:
        now = self.clock()
        loaded = [self._loaded(s, now) for s in subjects]
        allowed, failed, retry = True, None, None
        for label, st, pairs in loaded:
            for dim, cap in pairs:
                amount = need.of(UNIT[dim])
                used = self._used(st, dim)
                if amount > 0 and used + amount > cap * (1 + SLACK):
                    period = PERIODS[dim]
                    wait = (
                        (used + amount - cap) * period / cap
                        if period and 0 < amount <= cap
                        else None
                    )
                    if allowed or (retry is not None and (wait is None or wait > retry)):
                        failed, retry = (label, dim), wait
                    allowed = False
        buckets = []
        for label, st, pairs in loaded:
            totals = st.totals
            if allowed:
                for dim, _ in pairs:
                    if PERIODS[dim]:
                        st.used[dim] = st.used.get(dim, 0.0) + need.of(UNIT[dim])
                totals["requests"] = totals.get("requests", 0) + 1
                totals["budget_used"] = totals.get("budget_used", 0.0) + need.usd
            else:
                totals["blocked"] = totals.get("blocked", 0) + 1
            for dim, cap in pairs:
                buckets.append(view(label, dim, cap, self._used(st, dim)))
        return ReserveResult(
            allowed, buckets, failed[0] if failed else None, failed[1] if failed else None, retry
        )

    async def settle(self, subjects: Sequence[Subject], delta: Amounts, actual: Actual) -> None:
        now = self.clock()
        for subject in subjects:
            st, caps = self._state(subject, now)
            for dim in caps:
                if PERIODS[dim]:
                    st.used[dim] = max(0.0, st.used.get(dim, 0.0) + delta.of(UNIT[dim]))
            t = st.totals
            t["budget_used"] = t.get("budget_used", 0.0) + delta.usd
            t["spend_usd"] = t.get("spend_usd", 0.0) + actual.usd
            t["prompt_tokens"] = t.get("prompt_tokens", 0) + actual.prompt_tokens
            t["completion_tokens"] = t.get("completion_tokens", 0) + actual.completion_tokens
            if actual.blocked:
                t["blocked"] = t.get("blocked", 0) + 1
            if actual.usd:
                t["usd:" + actual.model] = t.get("usd:" + actual.model, 0.0) + actual.usd
            tokens = actual.prompt_tokens + actual.completion_tokens
            if tokens:
                t["tok:" + actual.model] = t.get("tok:" + actual.model, 0) + tokens

    async def usage(self, subject: Subject) -> SubjectUsage:
        st, caps = self._state(subject, self.clock())
        totals, by_model = parse_totals({k: str(v) for k, v in st.totals.items()})
        return SubjectUsage(
            subject.label,
            caps,
            subject.label in self._overrides,
            [view(subject.label, d, c, self._used(st, d)) for d, c in caps.items()],
            totals,
            by_model,
        )

    async def set_override(self, subject: Subject, caps: Caps | None) -> None:
        if caps is None:
            self._overrides.pop(subject.label, None)
        else:
            self._overrides[subject.label] = dict(caps)

    async def reset(self, subject: Subject) -> None:
        st = self._states.get(subject.label)
        if st is not None:
            st.used.clear()
            st.totals.pop("budget_used", None)

    async def ping(self) -> None:
        return None

    async def aclose(self) -> None:
        return None
