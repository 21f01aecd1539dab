"""The guard seam: a test guard blocks, rewrites streamed chunks, and allows — one code path."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator

import httpx
import openai
import pytest

from keepgate.jsontypes import Chunk
from keepgate.pipeline import Call, Guard, GuardBlocked, Outcome, Verdict
from tests.clock import ManualClock


class ShoutGuard(Guard):
    """Blocks 'forbidden' input, upper-cases every streamed content delta, settles a count."""

    name = "shout"

    def __init__(self) -> None:
        self.finished: list[Outcome] = []
        #: The rewrite verdict of each settled call, and a signal per settled call: a
        #: streamed call settles after its last byte left, so tests wait for this instead
        #: of sleeping.
        self.rewrites: list[int | None] = []
        self.settled = threading.Semaphore(0)

    async def check_request(self, call: Call) -> None:
        text = str(call.body["messages"][-1].get("content"))
        if "forbidden" in text:
            raise GuardBlocked(
                Verdict("shout", "block", rule="no-forbidden", reason="forbidden word"),
                status=400,
                code="input_blocked",
                message="blocked by rule no-forbidden",
            )
        call.add(Verdict("shout", "allow"))
        call.headers["x-keepgate-shout"] = "on"

    async def transform(self, call: Call, chunks: AsyncIterator[Chunk]) -> AsyncIterator[Chunk]:
        rewrote = 0
        async for chunk in chunks:
            for ch in chunk.get("choices") or ():
                delta = ch.get("delta") or {}
                if delta.get("content"):
                    delta["content"] = delta["content"].upper()
                    rewrote += 1
                if "STOP-HERE" in (delta.get("content") or ""):
                    # What came before the stop word still goes out first, so a streamed
                    # answer has started however the upstream's pieces were merged.
                    delta["content"] = delta["content"].split("STOP-HERE", 1)[0]
                    yield chunk
                    raise GuardBlocked(
                        Verdict("shout", "block", rule="mid-stream"),
                        status=403,
                        code="output_blocked",
                        message="blocked mid-stream",
                    )
            yield chunk
        call.add(Verdict("shout", "rewrite", rule="upper", detail={"chunks": rewrote}))

    async def finish(self, call: Call, outcome: Outcome) -> None:
        self.finished.append(outcome)
        upper = [v for v in call.verdicts if v.rule == "upper"]
        self.rewrites.append(upper[0].detail["chunks"] if upper else None)
        self.settled.release()


@pytest.fixture
def shout(gateway_factory):
    guard = ShoutGuard()
    return gateway_factory(extra_guards=[guard]), guard


def test_allow_and_rewrite_non_streamed(shout):
    gw, guard = shout
    raw = gw.client().chat.completions.with_raw_response.create(
        model="demo", messages=[{"role": "user", "content": "quiet please"}]
    )
    assert raw.parse().choices[0].message.content == "QUIET PLEASE"
    assert raw.headers["x-keepgate-shout"] == "on"
    assert "shout:rewrite:upper" in raw.headers["x-keepgate-verdicts"]
    assert guard.finished[-1].status == "ok"


def test_rewrite_streamed_chunks(shout):
    gw, guard = shout
    stream = gw.client().chat.completions.create(
        model="demo",
        messages=[{"role": "user", "content": "every chunk"}],
        stream=True,
        extra_body={"fake": {"chunk_chars": 2, "delay_ms": 2}},
    )  # each piece a read of its own
    deltas = [
        c.choices[0].delta.content for c in stream if c.choices and c.choices[0].delta.content
    ]
    # Pieces that reach the gateway in one read are merged first (how many depends on the
    # machine's load, so no count is asserted): every chunk the guard saw was rewritten,
    # none was lost, and every one the client got is one the guard rewrote.
    assert "".join(deltas) == "EVERY CHUNK"
    assert all(d == d.upper() for d in deltas)
    assert guard.settled.acquire(timeout=60), "the call never settled"
    assert guard.finished[-1].status == "ok"
    assert guard.rewrites[-1] == len(deltas)


@pytest.mark.parametrize("stream", [False, True])
def test_block_before_upstream(shout, stream):
    gw, guard = shout
    with pytest.raises(openai.BadRequestError) as exc:
        r = gw.client().chat.completions.create(
            model="demo", messages=[{"role": "user", "content": "a forbidden thing"}], stream=stream
        )
        list(r) if stream else None
    body = exc.value.body
    assert body["code"] == "input_blocked"
    assert body["keepgate"] == {"guard": "shout", "rule": "no-forbidden", "decision": "block"}
    assert "forbidden thing" not in exc.value.message
    assert guard.finished[-1].status == "blocked"
    audit = gw.audit_lines()[-1]
    assert audit["status"] == "blocked" and audit["verdicts"][0]["rule"] == "no-forbidden"


def test_block_mid_stream_becomes_error_event(shout):
    gw, guard = shout
    stream = gw.client().chat.completions.create(
        model="demo",
        messages=[{"role": "user", "content": "go go stop-here now"}],
        stream=True,
        extra_body={"fake": {"chunk_chars": 100, "delay_ms": 2}},
    )  # the text after the role
    with pytest.raises(openai.APIError) as exc:
        list(stream)
    assert "blocked mid-stream" in str(exc.value)
    # The call settles after the error event left: wait for it, not for a while.
    assert guard.settled.acquire(timeout=60), "the call never settled"
    assert guard.finished[-1].status == "blocked"


def test_block_mid_response_non_streamed_is_http_error(shout):
    gw, _ = shout
    with pytest.raises(openai.PermissionDeniedError) as exc:
        gw.client().chat.completions.create(
            model="demo", messages=[{"role": "user", "content": "stop-here"}]
        )
    assert exc.value.body["code"] == "output_blocked"


@pytest.mark.real_http  # a socket-level property
def test_client_disconnect_cancels_upstream(gateway, fake_model_url):
    stats_url = fake_model_url.removesuffix("/v1") + "/_fake/stats"
    before = httpx.get(stats_url).json()
    with gateway.http.stream(
        "POST",
        "/v1/chat/completions",
        headers={"authorization": f"Bearer {gateway.master_key}"},
        json={
            "model": "demo",
            "stream": True,
            "messages": [{"role": "user", "content": "x" * 400}],
            "fake": {"chunk_chars": 1, "delay_ms": 20},
        },
    ) as r:
        for line in r.iter_lines():
            if line.startswith("data:"):
                break
    deadline = time.monotonic() + 60  # a bound on a hang, not a timing assert
    while time.monotonic() < deadline:
        after = httpx.get(stats_url).json()
        if after["streams_cancelled"] > before["streams_cancelled"]:
            break
        time.sleep(0.05)
    assert after["streams_cancelled"] == before["streams_cancelled"] + 1
    assert after["streams_completed"] == before["streams_completed"]
    deadline = time.monotonic() + 60  # a bound on a hang, not a timing assert
    while time.monotonic() < deadline and not gateway.audit_lines():
        time.sleep(0.05)
    assert gateway.audit_lines()[-1]["status"] == "cancelled"


class BusyGuard(Guard):
    """Spends a known time on every content chunk of the answer: it moves the meter's
    manual clock by `per_chunk` (its own work, on the clock that is read)."""

    name = "busy"
    per_chunk = 0.004

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.worked = 0  # content chunks (the upstream's pieces may arrive merged)

    async def transform(self, call: Call, chunks: AsyncIterator[Chunk]) -> AsyncIterator[Chunk]:
        async for chunk in chunks:
            if any((ch.get("delta") or {}).get("content") for ch in chunk.get("choices") or ()):
                self.clock.advance(self.per_chunk)
                self.worked += 1
            yield chunk


class PauseGuard(BusyGuard):
    """Nearer the upstream than `busy`: 40 ms before every chunk, as a slow upstream's
    pauses look from `busy`'s side."""

    name = "pause"
    per_chunk = 0.040


def _histogram(metrics: str, name: str, labels: str) -> tuple[float, float]:
    def value(suffix: str) -> float:
        line = next(x for x in metrics.splitlines() if x.startswith(f"{name}_{suffix}{{{labels}}}"))
        return float(line.rsplit(" ", 1)[1])

    return value("count"), value("sum")


def test_response_side_guard_time_is_measured_without_upstream_waits(gateway_factory):
    """Each guard's own time on the response stream, excluding time spent waiting upstream.
    The meter reads a manual clock that only the guards' work moves: exact, on any box."""
    clock = ManualClock()
    guards = [BusyGuard(clock), PauseGuard(clock)]
    gw = gateway_factory({"observability": {"response_timing_sample": 1.0}}, extra_guards=guards)
    gw.app.state.keepgate.response_timing_clock = clock
    stream = gw.client().chat.completions.create(
        model="demo",
        messages=[{"role": "user", "content": "x"}],
        stream=True,
        extra_body={"fake": {"reply": "abcde", "chunk_chars": 1, "delay_ms": 40}},
    )
    assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices) == "abcde"
    text = gw.http.get("/metrics").text
    for guard in guards:
        count, total = _histogram(
            text, "keepgate_guard_duration_seconds", f'guard="{guard.name}",stage="response"'
        )
        # Each chunk x the guard's own work; what the stream spent upstream of it is not.
        assert guard.worked >= 1 and count == 1, guard.name
        assert total == pytest.approx(guard.worked * guard.per_chunk), guard.name
