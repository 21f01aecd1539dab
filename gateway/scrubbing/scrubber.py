"""`Scrubber`: text in, scrubbed text and counts per entity type out.

The reusable API (the gateway's stream guard and the agent loop both use it):

```python
from gateway.scrubbing import Scrubber
scrubber = Scrubber.from_section({"allowlist": ["support@company.com"]})
text, counts = scrubber.scrub("Mail john@acme.io or support@company.com")
# text == "Mail <EMAIL_ADDRESS> or support@company.com", counts == {"EMAIL_ADDRESS": 1}
```

Counts carry entity types only; the values never leave the function.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import regex as re

from gateway.scrubbing import operators
from gateway.scrubbing.engine import Detector, Span, resolve_overlaps
from gateway.scrubbing.settings import PiiSettings, SettingsError, parse_settings


class Scrubber:
    """One policy (entities, threshold, operators, allowlist) over a shared `Detector`."""

    def __init__(self, detector: Detector, settings: PiiSettings,
                 where: tuple[str, ...] = ("guards", "pii")) -> None:
        self.detector = detector
        self.settings = settings
        self.entities = settings.entity_set()
        at = ".".join(where)
        unknown = self.entities - detector.supported
        if unknown:
            raise SettingsError(f"{at}.entities: no recognizer for {sorted(unknown)} "
                                f"(known: {sorted(detector.supported)})", where + ("entities",))
        stray = set(settings.operators) - detector.supported - {"DEFAULT"}
        if stray:
            raise SettingsError(f"{at}.operators: unknown entity type(s) {sorted(stray)} "
                                "(use an entity type or DEFAULT)", where + ("operators",))
        self.threshold = settings.score_threshold
        self.salt = settings.salt()
        values = sorted({v for v in settings.allowlist if v}, key=len, reverse=True)
        self._allow = (re.compile("|".join(re.escape(v) for v in values), re.IGNORECASE)
                       if values else None)

    @classmethod
    def from_section(cls, section: dict[str, Any] | None = None,
                     detector: Detector | None = None) -> "Scrubber":
        """Build from a `guards.pii`-shaped dict (a new Detector unless one is given)."""
        settings = parse_settings(dict(section or {}))
        return cls(detector or Detector(settings.nlp_model), settings)

    def analyze(self, text: str) -> list[Span]:
        """Entity spans to rewrite: above threshold, not allowlisted, overlaps merged."""
        spans = resolve_overlaps(self.detector.analyze(text, self.entities, self.threshold))
        if spans and self._allow is not None:
            allowed = [(m.start(), m.end()) for m in self._allow.finditer(text)]
            spans = [s for s in spans
                     if not any(a <= s.start and s.end <= b for a, b in allowed)]
        return spans

    def redact(self, text: str, spans: list[Span], counts: Counter[str] | None = None) -> str:
        """Rewrite `spans` (sorted, disjoint) in `text`, counting each entity type."""
        if not spans:
            return text
        out, pos = [], 0
        for s in spans:
            out.append(text[pos:s.start])
            out.append(operators.apply(self.settings.operator_for(s.entity), s.entity,
                                       text[s.start:s.end], self.salt))
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
        if not key:
            return self.redact(value, self.analyze(value), counts)
        prefix = f"{key}: "
        spans = [Span(s.start - len(prefix), s.end - len(prefix), s.entity, s.score)
                 for s in self.analyze(prefix + value) if s.end > len(prefix)]
        spans = [Span(max(0, s.start), s.end, s.entity, s.score) for s in spans]
        return self.redact(value, spans, counts)

    def scrub_arguments(self, arguments: str) -> tuple[str, dict[str, int]]:
        """Scrub tool-call arguments: every string inside the JSON, keeping it valid JSON.

        Arguments that are not JSON are scrubbed as plain text. Unchanged arguments are
        returned byte for byte.
        """
        try:
            value = json.loads(arguments)
        except (json.JSONDecodeError, TypeError):
            return self.scrub(arguments)
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
