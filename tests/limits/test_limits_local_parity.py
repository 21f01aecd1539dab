"""`LocalBackend.reserve` reading each subject once (`_loaded`: the label once, no state
or caps dict per call; ~16 K of its ~63 K instructions per MCP call) answers as the
`_state` / `drained` version it replaced, kept here as the reference: the same results,
bucket views, retry waits and stored state over random sequences of subjects, caps,
overrides, shares, amounts and clock steps (including a clock that goes back)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as hs

from keepgate.limits.backend import Amounts, ReserveResult
from keepgate.limits.local import SLACK, LocalBackend, _State, drained, view
from keepgate.limits.spec import PERIODS, UNIT, Caps, Subject

import pytest

pytestmark = pytest.mark.slow(cpu_s=3.7)  # scheduled first: tests/conftest.py


class Before(LocalBackend):
    """The reservation as it was (`_state`, `_caps`, `drained` per dimension)."""

    def _state_before(self, subject: Subject, now: float) -> tuple[_State, Caps]:
        st = self._states.setdefault(subject.label, _State(ts=now))
        caps = self._caps(subject)
        elapsed = max(0.0, now - st.ts)
        for dim, cap in caps.items():
            if PERIODS[dim]:
                st.used[dim] = drained(dim, cap, st.used.get(dim, 0.0), elapsed)
        st.ts = now
        return st, caps

    async def reserve(self, subjects: Sequence[Subject], need: Amounts) -> ReserveResult:
        now = self.clock()
        loaded = [(s, *self._state_before(s, now)) for s in subjects]
        allowed, failed, retry = True, None, None
        for subject, st, caps in loaded:
            for dim, cap in caps.items():
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
                        failed, retry = (subject.label, dim), wait
                    allowed = False
        buckets = []
        for subject, st, caps in loaded:
            totals = st.totals
            if allowed:
                for dim in caps:
                    if PERIODS[dim]:
                        st.used[dim] = st.used.get(dim, 0.0) + need.of(UNIT[dim])
                totals["requests"] = totals.get("requests", 0) + 1
                totals["budget_used"] = totals.get("budget_used", 0.0) + need.usd
            else:
                totals["blocked"] = totals.get("blocked", 0) + 1
            buckets += [view(subject.label, d, c, self._used(st, d)) for d, c in caps.items()]
        return ReserveResult(
            allowed, buckets, failed[0] if failed else None, failed[1] if failed else None, retry
        )


DIMS = sorted(PERIODS)
caps_st = hs.dictionaries(
    hs.sampled_from(DIMS),
    hs.one_of(hs.sampled_from([0.0, 1.0, 2.0, 5.0, 60.0]), hs.floats(0, 1e4)),
    max_size=4,
)
subject_st = hs.builds(
    lambda kind, id, caps: Subject.of(kind, id, caps),
    hs.sampled_from(["key", "team", "mcp"]),
    hs.sampled_from(["a", "b"]),
    caps_st,
)
step_st = hs.tuples(
    hs.lists(subject_st, min_size=1, max_size=3),
    hs.builds(
        Amounts,
        hs.integers(0, 3),
        hs.integers(0, 50),
        hs.sampled_from([0.0, 0.001, 0.5, 3.0]),
    ),
    hs.one_of(hs.sampled_from([0.0, 0.5, 1.0, 30.0, -2.0]), hs.floats(-5, 120)),
    hs.one_of(hs.none(), hs.tuples(hs.sampled_from(["key:a", "mcp:b"]), caps_st)),
)


@settings(max_examples=300, deadline=None)
@given(hs.lists(step_st, min_size=1, max_size=12), hs.sampled_from([1.0, 0.5, 1 / 3]))
def test_reserve_answers_as_before(steps: list, share: float) -> None:
    clock = [1000.0]
    new, old = (cls(clock=lambda: clock[0], share=share) for cls in (LocalBackend, Before))
    for subjects, need, dt, override in steps:
        clock[0] += dt
        if override is not None:
            label, caps = override
            kind, _, id = label.partition(":")
            for backend in (new, old):
                asyncio.run(backend.set_override(Subject.of(kind, id, {}), caps))
        got = asyncio.run(new.reserve(subjects, need))
        want = asyncio.run(old.reserve(subjects, need))
        assert got == want
        assert new._states == old._states


def test_a_new_subject_starts_empty_and_a_known_one_keeps_its_state() -> None:
    clock = [0.0]
    backend = LocalBackend(clock=lambda: clock[0])
    subject = Subject.of("mcp", "k", {"requests": 2.0})
    state = asyncio.run(backend.reserve([subject], Amounts(1))).buckets
    assert [b.remaining for b in state] == [1.0]
    first = backend._states["mcp:k"]
    clock[0] += 15.0  # a quarter of the minute: half a request back
    assert [b.remaining for b in asyncio.run(backend.reserve([subject], Amounts(1))).buckets] == [
        0.5
    ]
    assert backend._states["mcp:k"] is first
