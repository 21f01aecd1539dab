"""The detector: Presidio's recognizers, called directly, behind cheap prefilters.

Presidio's `AnalyzerEngine` runs the NLP pipeline, every recognizer and the context
enhancer on each text (~2-9 ms per 500 characters pattern-only). The recognizers are the
valuable part (their regexes, Luhn/IBAN/checksum validation, phonenumbers), so the
detector keeps them and drops the rest of the ceremony:

* each recognizer has a *trigger*: a regex every one of its matches must contain (a digit,
  an `@`, a `word.tld`, a key prefix). No trigger in the text, no call. Most prose has no
  digits, which skips most recognizers at once;
* no NLP artifacts are computed for pattern recognizers; Presidio's context boost (a
  context word among the five words before a match, and here also the two after) is
  reproduced on plain words;
* a spaCy NER model runs only when configured and only for the NER entity types.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import regex as re

from gateway.scrubbing.offline import use_bundled_suffix_list
from gateway.scrubbing.patterns import extra_recognizers
from gateway.scrubbing.secrets import secret_recognizers

if TYPE_CHECKING:
    from presidio_analyzer import EntityRecognizer
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

log = logging.getLogger("keepgate.pii")

_DIGIT = r"\d"
#: A regex every match of the entity type contains (or, for SECRET, its keyword); None
#: means "always run". tests/scrubbing/test_pii_triggers.py checks them on real text.
TRIGGERS: dict[str, str | None] = {
    "EMAIL_ADDRESS": "@",
    "URL": r"(?i)[a-z0-9.\-]\.[a-z]{2}",
    "IP_ADDRESS": r"\d\.\d|::|[0-9A-Fa-f]:[0-9A-Fa-f]",
    "MAC_ADDRESS": r"[0-9A-Fa-f]{2}[:\-.][0-9A-Fa-f]{2}",
    "UUID": r"[0-9A-Fa-f]{8}-",
    "CREDIT_CARD": r"\d{4}[- ]?\d{3}",
    "US_BANK_NUMBER": r"\d{8}",
    "US_PASSPORT": r"\d{8}",
    "US_DRIVER_LICENSE": r"\d\d",
    "US_ITIN": r"9\d\d",
    "US_SSN": r"\d{3}[- .]?\d{2}",
    "UK_NHS": r"\d{3}[- ]?\d{3}",
    "MEDICAL_LICENSE": r"\d{7}",
    "IBAN_CODE": r"(?i)[a-z]{2}\d\d",
    "CRYPTO": r"(?i)(?:bc1|[13])[a-z0-9]{25}",
    "PHONE_NUMBER": r"\d\d",
    "DATE_TIME": _DIGIT,
    "OPENAI_API_KEY": "sk-",
    "ANTHROPIC_API_KEY": "sk-ant-",
    "AWS_ACCESS_KEY": r"A(?:KIA|SIA|BIA|CCA|GPA|IDA|ROA|NPA|NVA|IPA)",
    "GITHUB_TOKEN": r"gh[pousr]_|github_pat_",
    "SLACK_TOKEN": r"xox|hooks\.slack",
    "STRIPE_KEY": r"_live_|_test_",
    "JWT": "eyJ",
    "PRIVATE_KEY": "-----BEGIN",
    "SECRET": r"(?i)key|token|secret|passw|pwd|passphrase|credential|bearer",
}
#: Recognizers that are slow per character of input (phonenumbers runs one matcher per
#: region over the whole text) see only windows around candidate digit runs: the run
#: (with `x1234` / `ext. 12` extensions) plus a margin, and only runs with >= 6 digits.
WINDOWS: dict[str, str] = {
    "PHONE_NUMBER": r"[+(]?\d[\d \t().\-/]{4,}\d(?:\s?(?:x|ext\.?|extension)\s?\d{1,6})?",
}
WINDOW_MARGIN = 12
WINDOW_MIN_DIGITS = 6
#: Windowed results are memoised by window text: a stream re-analyses the same tail.
WINDOW_CACHE_SIZE = 4096
#: A regex that runs longer than this raises, and the guard fails closed (Presidio: 60 s).
REGEX_TIMEOUT_S = 0.5
#: Presidio's LemmaContextAwareEnhancer defaults.
CONTEXT_FACTOR = 0.35
CONTEXT_MIN_SCORE = 0.4
CONTEXT_WORDS_BEFORE = 5
#: Keepgate also reads two words after a match (`481 7531 office`, `... fax`).
CONTEXT_WORDS_AFTER = 2
_WORD = re.compile(r"[\w#]+")


class ModelNotInstalled(RuntimeError):
    """`nlp_model` names a spaCy model that is not installed (Keepgate never downloads)."""


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    entity: str
    score: float


@dataclass(slots=True)
class _Entry:
    recognizer: "EntityRecognizer"
    entities: list[str]
    trigger: "re.Pattern[str] | None"
    context: tuple[str, ...]
    window: "re.Pattern[str] | None" = None
    cache: dict[tuple[str, tuple[str, ...]], list[tuple[int, int, str, float]]] | None = None

    #: (score, compiled regex) for a plain PatternRecognizer; None for one with its own
    #: analyze() (phone, IBAN), which is called as Presidio calls it.
    patterns: list[tuple[float, "re.Pattern[str]"]] | None = None

    def run(self, text: str, wanted: list[str]) -> list[tuple[int, int, str, float]]:
        """(start, end, entity, score) for the recognizer's matches in `text`."""
        if self.window is None:
            return self._analyze(text, wanted)
        out: dict[tuple[int, int], tuple[int, int, str, float]] = {}
        for a, b in _windows(self.window, text):
            for s, e, ent, score in self._cached(text[a:b], tuple(wanted)):
                out.setdefault((s + a, e + a), (s + a, e + a, ent, score))
        return list(out.values())

    def _cached(self, piece: str, wanted: tuple[str, ...]) -> list[tuple[int, int, str, float]]:
        assert self.cache is not None
        key = (piece, wanted)
        hit = self.cache.get(key)
        if hit is None:
            if len(self.cache) >= WINDOW_CACHE_SIZE:
                self.cache.clear()
            hit = self.cache[key] = self._analyze(piece, list(wanted))
        return hit

    def _analyze(self, text: str, wanted: list[str]) -> list[tuple[int, int, str, float]]:
        rec = self.recognizer
        if self.patterns is None:
            return [(r.start, r.end, r.entity_type, r.score) for r in rec.analyze(text, wanted, None)]
        # PatternRecognizer.analyze without its per-pattern timing, debug logging and
        # explanation objects (~30 µs a call): same regexes, same validate/invalidate rules.
        entity = rec.supported_entities[0]
        out = []
        for base, rx in self.patterns:
            for m in rx.finditer(text, timeout=REGEX_TIMEOUT_S):
                s, e = m.span()
                if s == e:
                    continue
                value = text[s:e]
                valid = rec.validate_result(value)
                score = base if valid is None else (1.0 if valid else 0.0)
                if rec.invalidate_result(value):
                    score = 0.0
                if score > 0.0:
                    out.append((s, e, entity, score))
        return out


def _windows(candidate: "re.Pattern[str]", text: str) -> list[tuple[int, int]]:
    """Merged [start, end) windows around candidate runs with enough digits."""
    out: list[tuple[int, int]] = []
    for m in candidate.finditer(text):
        if sum(c.isdigit() for c in m.group()) < WINDOW_MIN_DIGITS:
            continue
        a, b = max(0, m.start() - WINDOW_MARGIN), min(len(text), m.end() + WINDOW_MARGIN)
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _scoped(trigger: str) -> str:
    """A trigger as a group that can join an alternation (inline flags made local)."""
    if trigger.startswith("(?i)"):
        return "(?i:" + trigger[4:] + ")"
    return "(?:" + trigger + ")"


def _compiled_patterns(rec: "EntityRecognizer") -> list[tuple[float, "re.Pattern[str]"]] | None:
    from presidio_analyzer import PatternRecognizer
    if not isinstance(rec, PatternRecognizer) or type(rec).analyze is not PatternRecognizer.analyze:
        return None
    return [(p.score, re.compile(p.regex, flags=rec.global_regex_flags)) for p in rec.patterns]


def blank_nlp_engine() -> "SpacyNlpEngine":
    """A Presidio spaCy engine over `spacy.blank("en")`: tokenizer only, nothing downloaded."""
    return _engine_with(_blank())


def _blank():  # noqa: ANN202
    import spacy
    return spacy.blank("en")


def _engine_with(nlp) -> "SpacyNlpEngine":  # noqa: ANN001
    from presidio_analyzer.nlp_engine import SpacyNlpEngine
    engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": "blank"}])
    engine.nlp = {"en": nlp}  # set, never `load()`: load() downloads missing models
    return engine


def load_ner_engine(model: str) -> "SpacyNlpEngine":
    """A Presidio spaCy engine over an installed model (package name or path)."""
    import spacy
    if not (spacy.util.is_package(model) or Path(model).exists()):
        raise ModelNotInstalled(
            f"guards.pii.nlp_model: spaCy model {model!r} is not installed. Install it into "
            f"the image (e.g. `python -m spacy download {model}` at build time) or remove "
            f"nlp_model to scrub with pattern recognizers only.")
    return _engine_with(spacy.load(model))


def presidio_pattern_recognizers() -> list["EntityRecognizer"]:
    """Presidio's default English recognizers (as `AnalyzerEngine` loads them), minus NER."""
    from presidio_analyzer import RecognizerRegistry
    from presidio_analyzer.predefined_recognizers import SpacyRecognizer
    registry = RecognizerRegistry()
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=blank_nlp_engine())
    return [r for r in registry.recognizers if not isinstance(r, SpacyRecognizer)]


class Detector:
    """Finds entity spans in text with Presidio recognizers; thread-safe, reusable."""

    def __init__(self, nlp_model: str | None = None, prefilter: bool = True) -> None:
        use_bundled_suffix_list()
        recognizers = presidio_pattern_recognizers() + extra_recognizers() + secret_recognizers()
        self.entries: list[_Entry] = []
        for rec in recognizers:
            entity = rec.supported_entities[0]
            trig = TRIGGERS.get(entity) if prefilter else None
            window = WINDOWS.get(entity) if prefilter else None
            self.entries.append(_Entry(
                rec, list(rec.supported_entities), re.compile(trig) if trig else None,
                tuple(w.lower() for w in (getattr(rec, "context", None) or ())),
                re.compile(window) if window else None, {} if window else None,
                _compiled_patterns(rec)))
        self.ner_engine: SpacyNlpEngine | None = None
        self.ner_recognizer: EntityRecognizer | None = None
        if nlp_model:
            from presidio_analyzer.predefined_recognizers import SpacyRecognizer
            self.ner_engine = load_ner_engine(nlp_model)
            self.ner_recognizer = SpacyRecognizer(supported_language="en")
        triggers = [e.trigger.pattern for e in self.entries if e.trigger is not None]
        #: One pass that rules out every recognizer at once (most prose has no trigger).
        self.any_trigger = (re.compile("|".join(_scoped(t) for t in triggers))
                            if len(triggers) == len(self.entries) else None)
        self.supported = frozenset(e for x in self.entries for e in x.entities) | (
            frozenset(self.ner_recognizer.supported_entities) if self.ner_recognizer else frozenset())

    def analyze(self, text: str, entities: frozenset[str], threshold: float) -> list[Span]:
        """Spans of `entities` scoring at least `threshold`, overlaps not yet resolved."""
        out: list[Span] = []
        words: list[tuple[int, str]] | None = None
        if self.any_trigger is not None and self.any_trigger.search(text) is None:
            return self._ner(text, entities, threshold, out)
        for entry in self.entries:
            if entry.trigger is not None and entry.trigger.search(text) is None:
                continue
            wanted = [e for e in entry.entities if e in entities]
            if not wanted:
                continue
            for start, end, entity, score in entry.run(text, wanted):
                if score < threshold and entry.context:
                    if words is None:
                        words = [(m.start(), m.group().lower()) for m in _WORD.finditer(text)]
                    score = self._with_context(score, start, end, words, entry.context)
                if score >= threshold and entity in entities:
                    out.append(Span(start, end, entity, score))
        return self._ner(text, entities, threshold, out)

    def _ner(self, text: str, entities: frozenset[str], threshold: float,
             out: list[Span]) -> list[Span]:
        if self.ner_engine is not None and self.ner_recognizer is not None:
            ner_wanted = [e for e in self.ner_recognizer.supported_entities if e in entities]
            if ner_wanted:
                artifacts = self.ner_engine.process_text(text, "en")
                for r in self.ner_recognizer.analyze(text, ner_wanted, artifacts):
                    if r.score >= threshold and r.entity_type in entities:
                        out.append(Span(r.start, r.end, r.entity_type, r.score))
        return out

    @staticmethod
    def _with_context(score: float, start: int, end: int, words: list[tuple[int, str]],
                      context: tuple[str, ...]) -> float:
        near = ([w for pos, w in words if pos < start][-CONTEXT_WORDS_BEFORE:]
                + [w for pos, w in words if pos >= end][:CONTEXT_WORDS_AFTER])
        if any(c in w for w in near for c in context):
            return min(1.0, max(score + CONTEXT_FACTOR, CONTEXT_MIN_SCORE))
        return score


def resolve_overlaps(spans: list[Span]) -> list[Span]:
    """Merge overlapping spans into one, typed by the strongest (score, then length).

    A scrubber must cover the union: `john.smith@acme.io` is an email and, inside it,
    Presidio also sees the URL `john.sm`; the reader should see one `<EMAIL_ADDRESS>`.
    """
    if len(spans) < 2:
        return spans
    spans = sorted(spans, key=lambda s: (s.start, -s.end))
    merged: list[Span] = []
    for s in spans:
        if merged and s.start < merged[-1].end:
            m = merged[-1]
            best = max((m, s), key=lambda x: (x.score, x.end - x.start))
            merged[-1] = Span(m.start, max(m.end, s.end), best.entity, best.score)
        else:
            merged.append(s)
    return merged
