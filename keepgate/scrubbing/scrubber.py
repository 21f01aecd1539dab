"""`Scrubber`: text in, scrubbed text and counts per entity type out.

The reusable API (the gateway's stream guard and the agent loop both use it):

```python
from keepgate.scrubbing.scrubber import Scrubber
scrubber = Scrubber.from_section({"allowlist": ["support@company.com"]})
text, counts = scrubber.scrub("Mail john@acme.io or support@company.com")
# text == "Mail <EMAIL_ADDRESS> or support@company.com", counts == {"EMAIL_ADDRESS": 1}
```

Counts carry entity types only; the values never leave the function. `analyze(text)`
returns the spans (on the original text) without rewriting, and `detect_arguments(json)`
the counts in tool-call arguments, for callers that decide rather than redact.
"""

from __future__ import annotations

import fnmatch
import json
from collections import Counter
from typing import Any

import regex as re

from keepgate.jsontypes import JsonValue
from keepgate.scrubbing import operators
from keepgate.scrubbing.engine import Detector, Span, clip_names, resolve_overlaps
from keepgate.scrubbing.normalize import fold
from keepgate.scrubbing.settings import (
    SPACY_NER_ENTITIES,
    PiiSettings,
    SettingsError,
    parse_settings,
)
from keepgate.scrubbing.urls import sensitive_url


class Scrubber:
    """One policy (entities, threshold, operators, allowlist) over a shared `Detector`."""

    def __init__(
        self, detector: Detector, settings: PiiSettings, where: tuple[str, ...] = ("guards", "pii")
    ) -> None:
        self.detector = detector
        self.settings = settings
        self.entities = settings.entity_set()
        at = ".".join(where)
        unknown = self.entities - detector.supported
        if unknown:
            raise SettingsError(
                f"{at}.entities: no recognizer for {sorted(unknown)} "
                f"(known: {sorted(detector.supported)})",
                where + ("entities",),
            )
        stray = set(settings.operators) - detector.supported - {"DEFAULT"}
        if stray:
            raise SettingsError(
                f"{at}.operators: unknown entity type(s) {sorted(stray)} "
                "(use an entity type or DEFAULT)",
                where + ("operators",),
            )
        #: Tool-call arguments keep the entity list they had before the shipped NER (names
        #: in arguments are how agents name cities and people to their tools); listing an
        #: NER type in `entities` applies it there too.
        self.argument_entities = self.entities - (
            frozenset(SPACY_NER_ENTITIES) if settings.entities is None else frozenset()
        )
        self.threshold = settings.score_threshold
        self.thresholds = settings.thresholds_for(self.entities)
        self._floor = min(self.thresholds.values(), default=self.threshold)
        self.all_urls = settings.url_policy == "all"
        self.salt = settings.salt()
        values = sorted({v for v in settings.allowlist if v}, key=len, reverse=True)
        self._allow = (
            re.compile("|".join(re.escape(v) for v in values), re.IGNORECASE) if values else None
        )

    @classmethod
    def from_section(
        cls, section: dict[str, Any] | None = None, detector: Detector | None = None
    ) -> "Scrubber":
        """Build from a `guards.pii`-shaped dict (a new Detector unless one is given)."""
        settings = parse_settings(dict(section or {}))
        return cls(detector or Detector(settings.nlp_model), settings)

    def analyze(self, text: str, entities: frozenset[str] | None = None) -> list[Span]:
        """Entity spans to rewrite, on the original text: detected on its folded form
        (`normalize.fold`: NFKC, invisibles, entities, escapes, spaced digits), above each
        entity's threshold, not allowlisted, URLs only when sensitive, overlaps merged."""
        folded = fold(text)
        norm = folded.text
        found = []
        for s in self.detector.analyze(norm, entities or self.entities, self._floor):
            if s.score < self.thresholds.get(s.entity, self.threshold):
                continue
            if s.entity == "URL" and not self.all_urls:
                if not sensitive_url(norm[s.start : s.end]):
                    continue
                # the whole link goes, typed URL, even where a token inside it is also a SECRET
                s = Span(s.start, s.end, s.entity, max(s.score, 0.9))
            found.append(s)
        spans = resolve_overlaps(clip_names(found, norm, self.detector.context_words))
        if spans and self._allow is not None:
            allowed = [(m.start(), m.end()) for m in self._allow.finditer(norm)]
            spans = [s for s in spans if not any(a <= s.start and s.end <= b for a, b in allowed)]
        if folded.map is None or not spans:
            return spans
        out = []
        for s in spans:
            a, b = folded.span(s.start, s.end)
            out.append(Span(a, b, s.entity, s.score))
        return resolve_overlaps(out)

    def redact(self, text: str, spans: list[Span], counts: Counter[str] | None = None) -> str:
        """Rewrite `spans` (sorted, disjoint) in `text`, counting each entity type."""
        if not spans:
            return text
        out, pos = [], 0
        for s in spans:
            out.append(text[pos : s.start])
            out.append(
                operators.apply(
                    self.settings.operator_for(s.entity), s.entity, text[s.start : s.end], self.salt
                )
            )
            pos = s.end
            if counts is not None:
                counts[s.entity] += 1
        out.append(text[pos:])
        return "".join(out)

    def scrub(self, text: str) -> tuple[str, dict[str, int]]:
        """Scrub one complete text; returns (scrubbed text, {entity type: count})."""
        counts: Counter[str] = Counter()
        return self.redact(text, self.analyze(text), counts), dict(counts)

    def _scrub_value(self, value: str, key: str, counts: Counter[str]) -> str:
        """A JSON string value, analysed after its key so `{"password": "..."}` has context."""
        ents = self.argument_entities
        if not key:
            return self.redact(value, self.analyze(value, ents), counts)
        prefix = f"{key}: "
        spans = [
            Span(s.start - len(prefix), s.end - len(prefix), s.entity, s.score)
            for s in self.analyze(prefix + value, ents)
            if s.end > len(prefix)
        ]
        spans = [Span(max(0, s.start), s.end, s.entity, s.score) for s in spans]
        return self.redact(value, spans, counts)

    def redacts_arguments_of(self, tool: str) -> bool:
        """Are `tool`'s call arguments rewritten (settings `tool_arguments` / `redact_tools`)?"""
        if self.settings.tool_arguments == "redact":
            return True
        return any(fnmatch.fnmatchcase(tool, p) for p in self.settings.redact_tools)

    def locate_arguments(self, arguments: JsonValue) -> list[dict[str, str]]:
        """The entities in parsed tool-call arguments as `{"type", "path"}` (a JSON pointer
        to the string that holds it), each string analysed after its key; never the value.
        This is `facts.pii` of the tool-call policy."""
        out: list[dict[str, str]] = []
        seen: set[tuple[str, str]] = set()

        def walk(v: Any, path: str, key: str, depth: int) -> None:
            if len(out) >= 50 or depth > 12:
                return
            if isinstance(v, str):
                prefix = f"{key}: " if key else ""
                for s in self.analyze(prefix + v, self.argument_entities):
                    if s.end > len(prefix) and (s.entity, path) not in seen:
                        seen.add((s.entity, path))
                        out.append({"type": s.entity, "path": path})
            elif isinstance(v, list):
                for i, x in enumerate(v):
                    walk(x, f"{path}/{i}", key, depth + 1)
            elif isinstance(v, dict):
                for k, x in v.items():
                    ks = str(k)
                    walk(x, path + "/" + ks.replace("~", "~0").replace("/", "~1"), ks, depth + 1)

        walk(arguments, "", "", 0)
        return out

    def detect_arguments(self, arguments: str) -> dict[str, int]:
        """Entity types found in tool-call arguments and how often (every JSON string,
        with its key as context), without rewriting them: for a policy that decides on
        the fact that PII is there. Values never leave the function."""
        return self.scrub_arguments(arguments)[1]

    def scrub_arguments(self, arguments: str) -> tuple[str, dict[str, int]]:
        """Scrub tool-call arguments: every string inside the JSON, keeping it valid JSON.

        Arguments that are not JSON are scrubbed as plain text. Unchanged arguments are
        returned byte for byte.
        """
        try:
            value = json.loads(arguments)
        except (ValueError, TypeError, RecursionError):  # not JSON (or too big / deep for it)
            found: Counter[str] = Counter()
            text = self.redact(arguments, self.analyze(arguments, self.argument_entities), found)
            return text, dict(found)
        counts: Counter[str] = Counter()

        def walk(v: Any, key: str = "") -> Any:
            if isinstance(v, str):
                return self._scrub_value(v, key, counts)
            if isinstance(v, list):
                return [walk(x, key) for x in v]
            if isinstance(v, dict):
                return {walk(k): walk(x, k if isinstance(k, str) else "") for k, x in v.items()}
            return v

        scrubbed = walk(value)
        if not counts:
            return arguments, {}
        return json.dumps(scrubbed, ensure_ascii=False), dict(counts)
