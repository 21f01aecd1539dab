"""The "pii" guard: every answer's text and tool-call arguments pass the scrubber.

One transformer for streamed and non-streamed answers (the core assembles the latter).
Per choice, text goes through a `StreamScrubber` (holds back only what a split entity could
need; for a non-streamed answer, which the core assembles before the client sees anything,
it keeps the whole text and scrubs it once at the end); tool calls are held until
complete — when their arguments parse as JSON, when the choice finishes, or when an
upstream guard ("policy") already released the whole call — then scrubbed value by value.
Findings become one `redact` verdict with counts per entity type, the
`x-keepgate-redactions` header and, for streams whose headers are already sent, a
`keepgate.redactions` field on the finishing chunk.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from keepgate.auth.principal import Principal
from keepgate.config.model import KeepgateConfig
from keepgate.jsontypes import Chunk, JsonObject
from keepgate.pipeline.call import Call
from keepgate.pipeline.capabilities import Redactor
from keepgate.pipeline.chunks import TEXT_FIELDS, ToolCallBuffer, make_chunk
from keepgate.pipeline.deps import GuardDeps
from keepgate.pipeline.guard import Guard, GuardBlocked
from keepgate.pipeline.overrides import merged, override_key
from keepgate.pipeline.verdict import Verdict
from keepgate.scrubbing.engine import Detector, ModelNotInstalled
from keepgate.scrubbing.posts import AnswerFilters, AnswerReport, Reported
from keepgate.scrubbing.metrics import PiiMetrics
from keepgate.scrubbing.scrubber import Scrubber
from keepgate.config.load import config_error
from keepgate.scrubbing.settings import PiiSettings, SettingsError, checked, parse_settings
from keepgate.scrubbing.stream import StreamScrubber

log = logging.getLogger("keepgate.pii")
NAME = "pii"
HEADER = "x-keepgate-redactions"
ERROR_HEADER = "x-keepgate-pii"


def format_counts(counts: dict[str, int]) -> str:
    """`EMAIL_ADDRESS=2,PHONE_NUMBER=1`: types and counts only."""
    return ",".join(f"{k}={v}" for k, v in sorted(counts.items()))


@dataclass
class _CallState:
    scrubber: Scrubber
    hold_all_words: bool
    whole: bool = False  # a non-streamed answer: scrub each choice's text once, at its end
    counts: Counter[str] = field(default_factory=Counter)
    #: (choice index, text field) -> its scrubber (`chunks.TEXT_FIELDS`).
    streams: dict[tuple[int, str], StreamScrubber] = field(default_factory=dict)
    tools: ToolCallBuffer = field(default_factory=ToolCallBuffer)
    released: set[tuple[int, int]] = field(default_factory=set)
    #: Released calls whose arguments pass unrewritten (`tool_arguments: report`).
    unredacted: set[tuple[int, int]] = field(default_factory=set)
    #: Arguments that keep arriving after a call was released whole (`{"q": "x"} 123-45-`
    #: `6789`: concatenated objects, a sloppy upstream): scrubbed as a stream, so an entity
    #: split across pieces is still read whole.
    tails: dict[tuple[int, int], StreamScrubber] = field(default_factory=dict)
    reported: dict[str, int] = field(default_factory=dict)
    headed: int = 0  # redactions the header counted last time
    logprobs_dropped: bool = False
    template: Chunk | None = None
    #: The answer filters (remote images, links) of this call, when any applies.
    filters: AnswerFilters | None = None
    #: Hosts of the images removed and of the links neutralised or flagged (the audit).
    report: AnswerReport = field(default_factory=AnswerReport.empty)

    def tail(self, key: tuple[int, int]) -> StreamScrubber:
        if key not in self.tails:
            self.tails[key] = StreamScrubber.of(
                self.scrubber,
                hold_all_words=self.hold_all_words,
                counts=self.counts,
                whole=self.whole,
            )
        return self.tails[key]

    def stream(self, i: int, name: str = "content") -> StreamScrubber:
        key = (i, name)
        if key not in self.streams:
            stream = StreamScrubber.of(
                self.scrubber,
                hold_all_words=self.hold_all_words,
                counts=self.counts,
                whole=self.whole,
            )
            if self.filters is not None:  # content, and refusal / reasoning a client shows
                stream.post = self.filters.new()
            self.streams[key] = stream
        return self.streams[key]


class _Failed(Exception):
    """The scrubber raised; wraps the cause so upstream errors are never mistaken for it.

    `fed` names the choices of the current chunk whose text is already in the held buffer.
    """

    def __init__(self, fed: frozenset[int] = frozenset()) -> None:
        super().__init__("pii scrubber failed")
        self.fed = fed


class PiiGuard(Guard, Redactor):
    name = NAME

    def __init__(self, settings: PiiSettings, detector: Detector) -> None:
        self.settings = settings
        #: Its options as written, without the overrides: scrubbers are cached by them.
        self.section = settings.written()
        self.detector = detector
        self.fail_closed = not settings.fail_open
        self.metrics: PiiMetrics | None = None
        self._scrubbers: dict[str, Scrubber | None] = {}
        #: (role, key_id) override pair -> its scrubber: one lookup per request, no merge.
        self._by_override: dict[tuple[str | None, str | None], Scrubber | None] = {}
        # Check every per-role / per-key override now, merged as a request will see it,
        # scrubber included: a bad one must fail start-up, not a live request.
        for group, overrides in (("roles", settings.roles), ("keys", settings.keys)):
            for name in overrides:
                where = ("guards", "pii", group, str(name))
                pair = (name, None) if group == "roles" else (None, name)
                variant = parse_settings(merged(settings, *pair), where=".".join(where))
                if variant.enabled:
                    Scrubber(detector, variant, where)
        self.scrubber_for_section(self.section)

    def scrubber_for_section(self, section: Mapping[str, Any]) -> Scrubber | None:
        """The scrubber for an effective section (cached; None when it says enabled: false)."""
        key = json.dumps(section, sort_keys=True, default=str)
        if key not in self._scrubbers:
            settings = parse_settings(section)
            self._scrubbers[key] = Scrubber(self.detector, settings) if settings.enabled else None
        return self._scrubbers[key]

    def scrubber_for(self, principal: Principal) -> Scrubber | None:
        """The scrubber for `principal` (its role / key overrides applied; None when they
        turn scrubbing off). Public so other parts (the hosted agent) scrub what they show
        with exactly the policy a proxied answer gets."""
        which = override_key(self.settings, principal)
        if which not in self._by_override:
            self._by_override[which] = self.scrubber_for_section(merged(self.settings, *which))
        return self._by_override[which]

    def stream_scrubber(
        self, scrubber: Scrubber, counts: Counter[str] | None = None
    ) -> StreamScrubber:
        """A `StreamScrubber` for text arriving in pieces, held back as this guard holds it."""
        return StreamScrubber.of(scrubber, hold_all_words=self.detector.has_ner, counts=counts)

    def stream_for(
        self, principal: Principal, counts: Counter[str] | None = None
    ) -> StreamScrubber | None:
        """`stream_scrubber` over the principal's scrubber (None when it has none)."""
        scrubber = self.scrubber_for(principal)
        return None if scrubber is None else self.stream_scrubber(scrubber, counts)

    def answer_stream_for(
        self, principal: Principal, call: Call, counts: Counter[str] | None = None
    ) -> StreamScrubber | None:
        """`stream_for`, with the answer filters (remote images, links) that `call`'s
        conversation calls for, as a proxied answer gets them: the hosted agent shows the
        model's text through it. What the filters removed goes to `call.audit` at flush."""
        stream = self.stream_for(principal, counts)
        if stream is None:
            return None
        s = stream.scrubber.settings
        if s.images.mode == "off" and s.links.mode == "off":
            return stream
        report = AnswerReport.empty()
        tainted = "tainted" in (s.images.mode, s.links.mode) and read_untrusted(call)
        filters = AnswerFilters(s, tainted, call.body, stream.counts, report)
        post = filters.new()
        if post is not None:
            stream.post = Reported(post, report, call.audit)
        return stream

    def answer_text_for(self, principal: Principal, body: JsonObject, text: str) -> str:
        """`text`, an answer to the conversation `body`, through the answer filters alone
        (no scrub): the hosted agent's run state shows stored answers so."""
        scrubber = self.scrubber_for(principal)
        if scrubber is None:
            return text
        s = scrubber.settings
        if s.images.mode == "off" and s.links.mode == "off":
            return text
        call = Call(principal, "agent", "", body)
        tainted = "tainted" in (s.images.mode, s.links.mode) and read_untrusted(call)
        filters = AnswerFilters(s, tainted, body, Counter(), AnswerReport.empty())
        post = filters.new()
        return text if post is None else post.feed(text) + post.flush()

    def record_redactions(self, counts: Mapping[str, int]) -> None:
        if self.metrics is not None and counts:
            self.metrics.redacted(counts)

    def transform(self, call: Call, chunks: AsyncIterator[Chunk]) -> AsyncIterator[Chunk]:
        scrubber = self.scrubber_for(call.principal)
        if scrubber is None:
            return chunks
        st = _CallState(scrubber, hold_all_words=self.detector.has_ner, whole=not call.stream)
        s = scrubber.settings
        if s.images.mode != "off" or s.links.mode != "off":
            tainted = "tainted" in (s.images.mode, s.links.mode) and read_untrusted(call)
            filters = AnswerFilters(s, tainted, call.body, st.counts, st.report)
            st.filters = filters if filters.active else None
        return self._run(call, chunks, st)

    async def _run(
        self, call: Call, chunks: AsyncIterator[Chunk], st: _CallState
    ) -> AsyncIterator[Chunk]:
        bypass = False
        try:
            async for chunk in chunks:
                if bypass:
                    yield chunk
                    continue
                st.template = st.template or chunk
                try:
                    out = self._process(chunk, st, call)
                except _Failed as exc:
                    bypass = True
                    yield self._fail(call, st, exc.__cause__ or exc, chunk, exc.fed)
                    continue
                if out is not None:
                    yield out
            if not bypass:
                try:
                    tail = self._flush(st, call)
                except _Failed as exc:
                    tail = self._fail(call, st, exc.__cause__ or exc, None)
                if tail is not None:
                    yield tail
        finally:
            if st.logprobs_dropped:
                call.audit["logprobs_dropped"] = True
            call.audit.update(st.report.audit())
            if st.counts:
                call.add(Verdict.redaction(st.counts))
                if self.metrics is not None:
                    self.metrics.redacted(st.counts)

    # -- one chunk ---------------------------------------------------------------------

    def _process(self, chunk: Chunk, st: _CallState, call: Call) -> Chunk | None:
        report = chunk.get("keepgate")
        if isinstance(report, dict) and isinstance(report.get("policy"), list):
            chunk = {**chunk, "keepgate": {**report, "policy": _ids_scrubbed(report["policy"], st)}}
        choices = chunk.get("choices")
        if not choices:
            return chunk
        if len(choices) == 1:
            fast = self._text_only(chunk, choices[0], st, call)
            if fast is not _SLOW:
                return fast  # type: ignore[return-value]
        out_choices = []
        finished = False
        fed: set[int] = set()
        for ch in choices:
            i = ch.get("index", 0)
            fed.add(i)
            delta = dict(ch.get("delta") or {})
            reason = ch.get("finish_reason")
            try:
                for name in TEXT_FIELDS:
                    text = delta.get(name)
                    if text:
                        delta[name] = st.stream(i, name).feed(text)
                        if not delta[name]:
                            del delta[name]
                if reason:  # this choice's streams only (all of them: quadratic in choices)
                    for name in TEXT_FIELDS:
                        stream = st.streams.get((i, name))
                        rest = stream.flush() if stream is not None else ""
                        if rest:
                            delta[name] = (delta.get(name) or "") + rest
                calls = self._tool_calls(st, i, delta.pop("tool_calls", None) or (), bool(reason))
            except Exception as exc:  # any scrubber failure is decided below
                raise _Failed(frozenset(fed)) from exc
            if calls:
                delta["tool_calls"] = calls
            if ch.get("logprobs") is not None:
                # Token strings (and their bytes) repeat the text piece by piece, where no
                # scrub can read an entity whole: they do not pass a scrubbed answer.
                st.logprobs_dropped = True
            if delta or reason:
                out_choices.append({**ch, "delta": delta, "logprobs": None})
            finished = finished or bool(reason)
        if not out_choices and not chunk.get("usage"):
            return None
        out = {**chunk, "choices": out_choices}
        self._report(st, call, out if finished else None)
        return out

    def _text_only(
        self, chunk: Chunk, ch: dict[str, Any], st: _CallState, call: Call
    ) -> Chunk | None | object:
        """The common chunk — one choice, a text delta, nothing else — without copies."""
        delta = ch.get("delta")
        if (
            ch.get("finish_reason")
            or ch.get("logprobs") is not None
            or not delta
            or not delta.keys() <= {"content", "role"}
        ):
            return _SLOW
        text = delta.get("content")
        if not text:
            return chunk
        try:
            out = st.stream(ch.get("index", 0)).feed(text)
        except Exception as exc:  # decided by the caller, as in _process
            raise _Failed(frozenset({ch.get("index", 0)})) from exc
        self._report(st, call, None)
        if out == text:
            return chunk
        if out:
            return {**chunk, "choices": [{**ch, "delta": {**delta, "content": out}}]}
        if "role" in delta:
            return {**chunk, "choices": [{**ch, "delta": {"role": delta["role"]}}]}
        return {**chunk, "choices": []} if chunk.get("usage") else None

    def _tool_calls(
        self, st: _CallState, i: int, deltas: Any, finished: bool
    ) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        touched: dict[tuple[int, int], None] = {}
        for d in deltas:
            key = (i, d.get("index", 0))
            if key in st.released:  # more arguments after a released call: a stream
                args = (d.get("function") or {}).get("arguments") or ""
                if key in st.unredacted:
                    out.append(d)
                    continue
                text = st.tail(key).feed(args) if isinstance(args, str) and args else ""
                if text:
                    out.append({"index": key[1], "function": {"arguments": text}})
                continue
            st.tools.add(i, d)
            touched[key] = None
        # A held call can be released only by a delta of its own, or by the choice's end:
        # looking at every held call per chunk was quadratic in the calls (red team 6).
        for key in st.tools.keys_for_choice(i) if finished else sorted(touched):
            # The arguments are joined only when they could be complete (they end in a
            # closing bracket): joining them at every delta was quadratic (red team 5b).
            if key in st.released or not (
                finished or (st.tools.may_be_complete(key) and _complete(st.tools.arguments(key)))
            ):
                continue
            st.released.add(key)
            # Held calls only: with every released one still here, each chunk re-read all
            # the calls so far (quadratic in a response with thousands of calls).
            call = st.tools.pop(key)
            # The model chose the id and the name: either may carry an entity, and neither
            # is an argument the tool needs (a changed id is refused as unknown next turn).
            call = {
                **call,
                "id": _scrubbed(call["id"], st),
                "function": {**call["function"], "name": _scrubbed(call["function"]["name"], st)},
            }
            if not st.scrubber.redacts_arguments_of(call["function"]["name"]):
                # Reported, not rewritten: the policy guard put the entities in facts.pii.
                st.unredacted.add(key)
                out.append(
                    {
                        "index": call["index"],
                        "id": call["id"],
                        "type": call["type"],
                        "function": dict(call["function"]),
                    }
                )
                continue
            args, counts = st.scrubber.scrub_arguments(call["function"]["arguments"])
            st.counts.update(counts)
            out.append(
                {
                    "index": call["index"],
                    "id": call["id"],
                    "type": call["type"],
                    "function": {"name": call["function"]["name"], "arguments": args},
                }
            )
        if finished:
            for key in [k for k in st.tails if k[0] == i]:
                rest = st.tails.pop(key).flush()
                if rest:
                    out.append({"index": key[1], "function": {"arguments": rest}})
        return out

    # -- end of stream -----------------------------------------------------------------

    def _flush(self, st: _CallState, call: Call) -> Chunk | None:
        """Upstream ended without a finish_reason for some choice: release what is held."""
        choices = []
        try:
            # Each choice's streams, found once (per choice, every stream: quadratic).
            by_choice: dict[int, list[tuple[str, StreamScrubber]]] = {}
            for (ci, name), stream in st.streams.items():
                by_choice.setdefault(ci, []).append((name, stream))
            for i in sorted(by_choice):
                delta: dict[str, Any] = {}
                for name, stream in by_choice[i]:
                    rest = stream.flush()
                    if rest:
                        delta[name] = rest
                calls = self._tool_calls(st, i, (), True)
                if delta or calls:
                    if calls:
                        delta["tool_calls"] = calls
                    choices.append({"index": i, "delta": delta, "finish_reason": None})
            streamed = {ci for ci, _ in st.streams}
            for ci in sorted({ci for ci, _ in [*st.tools.calls, *st.tails]}):
                if ci not in streamed:
                    calls = self._tool_calls(st, ci, (), True)
                    if calls:
                        choices.append(
                            {"index": ci, "delta": {"tool_calls": calls}, "finish_reason": None}
                        )
        except Exception as exc:
            raise _Failed() from exc
        if not choices and dict(st.counts) == st.reported:
            return None
        out = make_chunk(st.template)
        out["choices"] = choices
        self._report(st, call, out)
        return out

    def _report(self, st: _CallState, call: Call, final: Chunk | None) -> None:
        if not st.counts:
            return
        total = st.counts.total()
        if final is None and total == st.headed:
            return  # the header already says this
        st.headed = total
        counts = dict(st.counts)
        call.headers[HEADER] = format_counts(counts)
        if final is not None:
            final["keepgate"] = {**(final.get("keepgate") or {}), "redactions": counts}
            st.reported = counts

    # -- failure -----------------------------------------------------------------------

    def _fail(
        self,
        call: Call,
        st: _CallState,
        exc: BaseException,
        chunk: Chunk | None,
        fed: frozenset[int] = frozenset(),
    ) -> Chunk:
        """Fail closed (stop the answer) unless `fail_open`, then pass the rest unscrubbed."""
        log.error("pii scrubber failed: %s", type(exc).__name__)  # never the text
        verdict = call.add(
            Verdict(
                guard=NAME,
                decision="error",
                rule="scrubber_error",
                reason=f"PII scrubber failed ({type(exc).__name__})",
                detail={
                    "fail_open": not self.fail_closed,
                    "mode": "closed" if self.fail_closed else "open",
                },
            )
        )
        if self.fail_closed:
            call.headers[ERROR_HEADER] = "error"
            raise GuardBlocked(
                verdict,
                status=503,
                code="pii_scrubber_unavailable",
                type="api_error",
                message="the PII scrubber failed; the answer "
                "was withheld (guards.pii.fail_open is false)",
                headers={ERROR_HEADER: "error"},
            )
        call.headers[ERROR_HEADER] = "error; failed open"
        held = [
            {"index": i, "delta": {name: s.held_text()}, "finish_reason": None}
            for (i, name), s in sorted(st.streams.items())
            if s.held
        ]
        st.streams.clear()
        out = chunk or make_chunk(st.template)
        rest = [
            {
                **ch,
                "delta": {
                    k: v
                    for k, v in (ch.get("delta") or {}).items()
                    if k not in TEXT_FIELDS or ch.get("index", 0) not in fed
                },
            }
            for ch in (out.get("choices") or [])
            if chunk is not None
        ]
        return {**out, "choices": held + rest}


#: An id or name made of identifier characters only is an opaque handle, passed as is: the
#: client sends the id back (a `tool` message, a Responses `function_call_output`), and the
#: gateway's and the provider's records know only the original. Providers' random ids
#: (`fc_` + 48 hex digits, UUIDs, `call_` + hex) hold digit runs that the number
#: recognizers read as licences, phones or national ids in ~1-3 % of ids: scrubbing them
#: broke the next turn (`unknown_tool_call_id`). Readable text (`@`, spaces, dots, commas)
#: is still scrubbed; digits alone inside an identifier pass (docs/pii.md). One character
#: class, so `re` cannot backtrack.
_PLAIN_ID = re.compile(r"[A-Za-z0-9_\-]{1,128}")


def _scrubbed(text: Any, st: _CallState) -> Any:
    """A short model-chosen string (a tool call's id or name) scrubbed whole, unless it is
    an identifier (`_PLAIN_ID`)."""
    if not isinstance(text, str) or not text:
        return text
    if _PLAIN_ID.fullmatch(text):
        return text
    out, counts = st.scrubber.scrub(text)
    st.counts.update(counts)
    return out


def _ids_scrubbed(entries: list[Any], st: _CallState) -> list[Any]:
    """The policy guard's per-call report with each call's id scrubbed (`_scrubbed`)."""
    return [
        {**e, "tool_call_id": _scrubbed(e.get("tool_call_id"), st)} if isinstance(e, dict) else e
        for e in entries
    ]


def _complete(arguments: str) -> bool:
    """Do the arguments already form a whole JSON value? (An object cannot grow further.)"""
    if not arguments or arguments.rstrip()[-1:] not in ("}", "]"):
        return False
    try:
        json.loads(arguments)
    except (ValueError, RecursionError):  # not JSON, an int past 4300 digits, too deep
        return False
    return True


def read_untrusted(call: Call) -> bool:
    """Has the conversation read untrusted output? A tool result (chat `tool` / `function`
    messages, Responses `function_call_output` items), or a message an input guard flagged
    (`facts.tainted`). Every tool result counts, trusted ones too: what a trusted record's
    free-text fields say is someone else's text as well (docs/policy.md, held-out set)."""
    if call.facts.tainted:
        return True
    body = call.body
    for key in ("messages", "input"):
        items = body.get(key)
        if not isinstance(items, list):
            continue
        for m in items:
            if isinstance(m, dict) and (
                m.get("role") in ("tool", "function")
                or m.get("type") in ("function_call_output", "mcp_call", "tool_result")
            ):
                return True
            content = m.get("content") if isinstance(m, dict) else None
            if isinstance(content, list) and any(
                isinstance(b, dict) and b.get("type") == "tool_result" for b in content
            ):
                return True  # Anthropic-shaped tool results
    return False


_SLOW = object()  # _text_only: "not the common case, take the general path"

_DETECTORS: dict[str | None, Detector] = {}


def shared_detector(nlp_model: str | None) -> Detector:
    """One Detector per NLP model per process: it is read-only once built (~0.25 s)."""
    if nlp_model not in _DETECTORS:
        _DETECTORS[nlp_model] = Detector(nlp_model)
    return _DETECTORS[nlp_model]


def build(
    section: PiiSettings | Mapping[str, Any],
    config: KeepgateConfig | None = None,
    deps: GuardDeps | None = None,
) -> PiiGuard:
    """Registry entry point: check `guards.pii` (as loaded, or a mapping, validated here),
    load Presidio once, return the guard.

    A bad section (or a configured NER model that is not installed) stops start-up with
    a ConfigError naming the file and line.
    """
    try:
        settings = checked(section) if isinstance(section, PiiSettings) else parse_settings(section)
        guard = PiiGuard(settings, shared_detector(settings.nlp_model))
    except SettingsError as exc:
        raise config_error(config, exc.path, str(exc)) from None
    except ModelNotInstalled as exc:
        raise config_error(config, ("guards", "pii", "nlp_model"), str(exc)) from None
    guard.metrics = PiiMetrics.of(deps.metrics if deps is not None else None)
    return guard
