"""The detector: Presidio's recognizers, called directly, behind cheap prefilters.

Presidio's `AnalyzerEngine` runs the NLP pipeline, every recognizer and the context
enhancer on each text (~2-9 ms per 500 characters pattern-only). The recognizers are the
valuable part (their regexes, Luhn/IBAN/checksum validation, phonenumbers), so the
detector keeps them and drops the rest of the ceremony:

* each recognizer has a *trigger*: a regex every one of its matches must contain (a digit,
  an `@`, a `word.tld`, a key prefix). No trigger in the text, no call. Most prose has no
  digits, which skips most recognizers at once;
* no NLP artifacts are computed for pattern recognizers; Presidio's context boost (a
  context word among the five words before a match) is reproduced on plain words;
* a spaCy NER model runs only when configured and only for the NER entity types.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import regex as re

from gateway.scrubbing.offline import use_bundled_suffix_list
from gateway.scrubbing.secrets import secret_recognizers

if TYPE_CHECKING:
    from presidio_analyzer import EntityRecognizer
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

log = logging.getLogger("keepgate.pii")

_DIGIT = r"\d"
#: A regex every match of the entity type contains; None means "always run".
TRIGGERS: dict[str, str | None] = {
    "EMAIL_ADDRESS": "@",
    "URL": r"(?i)[a-z0-9.\-]\.[a-z]{2}",
    "IP_ADDRESS": r"\d|::|[0-9A-Fa-f]:[0-9A-Fa-f]",
    "MAC_ADDRESS": r"[0-9A-Fa-f]{2}[:\-.][0-9A-Fa-f]{2}",
    "UUID": r"[0-9A-Fa-f]{8}-",
    **{e: _DIGIT for e in ("CREDIT_CARD", "PHONE_NUMBER", "IBAN_CODE", "US_SSN", "US_ITIN",
                           "US_BANK_NUMBER", "US_DRIVER_LICENSE", "US_PASSPORT", "UK_NHS",
                           "MEDICAL_LICENSE", "CRYPTO", "DATE_TIME")},
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
#: Presidio's LemmaContextAwareEnhancer defaults.
CONTEXT_FACTOR = 0.35
CONTEXT_MIN_SCORE = 0.4
CONTEXT_WORDS_BEFORE = 5
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
        recognizers = presidio_pattern_recognizers() + secret_recognizers()
        self.entries: list[_Entry] = []
        for rec in recognizers:
            trig = TRIGGERS.get(rec.supported_entities[0]) if prefilter else None
            self.entries.append(_Entry(
                rec, list(rec.supported_entities), re.compile(trig) if trig else None,
                tuple(w.lower() for w in (getattr(rec, "context", None) or ()))))
        self.ner_engine: SpacyNlpEngine | None = None
        self.ner_recognizer: EntityRecognizer | None = None
        if nlp_model:
            from presidio_analyzer.predefined_recognizers import SpacyRecognizer
            self.ner_engine = load_ner_engine(nlp_model)
            self.ner_recognizer = SpacyRecognizer(supported_language="en")
        self.supported = frozenset(e for x in self.entries for e in x.entities) | (
            frozenset(self.ner_recognizer.supported_entities) if self.ner_recognizer else frozenset())

    def analyze(self, text: str, entities: frozenset[str], threshold: float) -> list[Span]:
        """Spans of `entities` scoring at least `threshold`, overlaps not yet resolved."""
        out: list[Span] = []
        words: list[tuple[int, str]] | None = None
        for entry in self.entries:
            if entry.trigger is not None and entry.trigger.search(text) is None:
                continue
            wanted = [e for e in entry.entities if e in entities]
            if not wanted:
                continue
            for r in entry.recognizer.analyze(text, wanted, None):
                score = r.score
                if score < threshold and entry.context:
                    if words is None:
                        words = [(m.start(), m.group().lower()) for m in _WORD.finditer(text)]
                    score = self._with_context(score, r.start, words, entry.context)
                if score >= threshold and r.entity_type in entities:
                    out.append(Span(r.start, r.end, r.entity_type, score))
        if self.ner_engine is not None and self.ner_recognizer is not None:
            ner_wanted = [e for e in self.ner_recognizer.supported_entities if e in entities]
            if ner_wanted:
                artifacts = self.ner_engine.process_text(text, "en")
                for r in self.ner_recognizer.analyze(text, ner_wanted, artifacts):
                    if r.score >= threshold and r.entity_type in entities:
                        out.append(Span(r.start, r.end, r.entity_type, r.score))
        return out

    @staticmethod
    def _with_context(score: float, start: int, words: list[tuple[int, str]],
                      context: tuple[str, ...]) -> float:
        before = [w for pos, w in words if pos < start][-CONTEXT_WORDS_BEFORE:]
        if any(c in w for w in before for c in context):
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
