"""The detector: Presidio's recognizers, called directly, behind cheap prefilters.

Presidio's `AnalyzerEngine` runs the NLP pipeline, every recognizer and the context
enhancer on each text (~2-9 ms per 500 characters pattern-only). The recognizers are the
valuable part (their regexes, Luhn/IBAN/checksum validation, phonenumbers), so the
detector keeps them and drops the rest of the ceremony:

* the text is looked at once, cheaply (~10 ns a character), for *signals*: a digit run,
  `@`, `_`, a `.` or `:` before a letter or digit, a `-` before hex digits, `sk-`, `xox`.
  Recognizers then run only on windows around them: the signal's word, and for digits
  `DIGIT_REACH` characters either side (a spaced card or IBAN), widened to whole words.
  Prose without signals costs that one pass; a 3 kB answer with an e-mail and a phone
  number costs a few small windows (~0.2 ms instead of ~4 ms on the whole text);
* a few entities need no signal (AWS key ids, the `password`-style keyword secrets, PEM
  blocks): their fast literal-led triggers are searched on the whole text, and they run
  around the matches (or, for PEM blocks, on the whole text);
* inside a window, each recognizer still has a *trigger*: a regex every one of its matches
  must contain (a digit, an `@`, a `word.tld`, a key prefix). No trigger, no call;
* no NLP artifacts are computed for pattern recognizers; Presidio's context boost (a
  context word among the five words before a match, and here also the two after) is
  reproduced on the words of the whole text;
* a spaCy NER model runs only when configured and only for the NER entity types.

tests/scrubbing/test_pii_triggers.py checks on real text that every match of every
unfiltered recognizer lies in a window the detector analyses.
"""

from __future__ import annotations

import logging
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import re as _re

import re2
import regex as re

from keepgate.scrubbing.birth import KEYWORD as BIRTH_KEYWORD
from keepgate.scrubbing.birth import REACH as BIRTH_REACH
from keepgate.scrubbing.birth import DateOfBirthRecognizer, may_hold_birth_date
from keepgate.scrubbing.credentials import KEYWORD as CREDENTIAL_KEYWORD
from keepgate.scrubbing.credentials import REACH as CREDENTIAL_REACH
from keepgate.scrubbing.credentials import CLI_ANCHOR, credential_recognizers, may_hold_credential
from keepgate.scrubbing.credentials import SLOT_ANCHOR, may_hold_pair, may_hold_slot_credential
from keepgate.scrubbing.credentials import ACCESS_CODE_TRIGGER
from keepgate.scrubbing.credentials import may_hold_access_code, may_hold_cli_credential
from keepgate.scrubbing import fields
from keepgate.scrubbing.fields import FIELD_TRIGGER, FieldValueRecognizer, may_hold_field
from keepgate.scrubbing.ids import KEYWORD as ID_KEYWORD
from keepgate.scrubbing.ids import REACH as ID_REACH
from keepgate.scrubbing.ids import id_recognizers, may_hold_id_keyword
from keepgate.scrubbing.offline import use_bundled_suffix_list
from keepgate.scrubbing.patterns import extra_recognizers
from keepgate.scrubbing.re2text import re2_safe
from keepgate.scrubbing.secrets import secret_recognizers
from keepgate.scrubbing.settings import BUILTIN_NER
from keepgate.scrubbing.urls import UrlUserInfoRecognizer
from keepgate.scrubbing.written_email import TRIGGER as WRITTEN_EMAIL_TRIGGER
from keepgate.scrubbing.written_email import WrittenEmailRecognizer, may_hold_written_email

if TYPE_CHECKING:
    from presidio_analyzer import EntityRecognizer
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

log = logging.getLogger("keepgate.pii")

_DIGIT = r"\d"


class Re2(str):
    """A located trigger compiled with RE2 (`_locator`): a long case-insensitive alternation
    costs stdlib `re` ~50x more on prose (FIELD_TRIGGER: ~240 µs against ~5 µs per 500
    characters). Written where the trigger is, so the choice travels with it."""

    __slots__ = ()


#: A regex every match of the entity type contains (or, for SECRET, its keyword); None
#: means "always run". tests/scrubbing/test_pii_triggers.py checks them on real text.
TRIGGERS: dict[str, str | Re2 | None] = {
    "EMAIL_ADDRESS": "@",
    "URL": r"(?i)[a-z0-9.\-]\.[a-z]{2}",
    "IP_ADDRESS": r"\d\.\d|::|[0-9A-Fa-f]:[0-9A-Fa-f]",
    "MAC_ADDRESS": r"[0-9A-Fa-f]{2}[:\-.][0-9A-Fa-f]{2}",
    "UUID": r"[0-9A-Fa-f]{8}-",
    "CREDIT_CARD": r"\d{4}[- ]?\d{3}",
    "US_BANK_NUMBER": r"\d{8}",
    "US_PASSPORT": r"\d{8}",
    "US_DRIVER_LICENSE": _DIGIT,  # presidio >= 2.2.366 also matches a letter + one digit ("F1")
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
    "GOOGLE_API_KEY": "AIza",
    "AZURE_CLIENT_SECRET": r"\dQ~",
    "AZURE_STORAGE_KEY": r"(?:AccountKey|SharedAccessKey|SharedAccessSignature)=",
    "AWS_SECRET_KEY": r"[A-Za-z0-9/+]{40}",
    # Presidio's country recognizers (keepgate.scrubbing.ids)
    "IN_PAN": r"[A-Za-z]{5}\d{4}",
    "IN_AADHAAR": r"\d{4}[- :]?\d{4}[- :]?\d{4}",
    "UK_NINO": r"(?i)[a-z]{2}[ \-]?\d\d[ \-]?\d\d",
    "ES_NIF": r"(?i)\d{7}-?[a-z]",
    "ES_NIE": r"(?i)\d{7}-?[a-z]",
    "IT_FISCAL_CODE": r"(?i)[a-z]{6}[\dlmnp-v]{2}[a-z][\dlmnp-v]{2}[a-z]",
    "PL_PESEL": r"\d{11}",
    "FI_PERSONAL_IDENTITY_CODE": r"(?i)\d{6}[-+a-fu-y]\d{3}",
    "SE_PERSONNUMMER": r"\d{6}",
    "CA_SIN": r"\d{3}",
    "SG_NRIC_FIN": r"\d{7}",
    # By recognizer name (several recognizers of one entity type, or several types):
    # a keyword they all need.
    "CredentialRecognizer": CREDENTIAL_KEYWORD.pattern,
    "AccessCodeRecognizer": ACCESS_CODE_TRIGGER,
    "CredentialPairRecognizer": r"@[\w\-]{1,63}\.[\w.\-]{1,200}[ \t]{0,3}[/|:]|[ \t]/[ \t]"
    r"|(?i:\b(?:user|username|login|account|creds?|credentials)\b)",
    "CommandLineCredentialRecognizer": CLI_ANCHOR.pattern,
    "PositionalCredentialRecognizer": SLOT_ANCHOR.pattern,
    "ProsePairRecognizer": r"[a-z][a-z0-9_.\-]{0,31}:[^\s:/@]{6}",
    "QueryCredentialRecognizer": r"[?&;][ \t]{0,2}[A-Za-z0-9_\-. ]{0,40}=",
    "MastercardSeries2Recognizer": r"2\d{3}[- ]?\d{4}",
    "EmailAnyDomainRecognizer": "@",
    "PasswordShapeRecognizer": r"[!#$%^&*?~][A-Za-z0-9!#$%^&*?~+\-_.]",
    "PrefixedTokenRecognizer": r"[_\-.][A-Za-z0-9][A-Za-z0-9_\-.]{18}",
    "UrlUserInfoRecognizer": r"://[^\s/?#@]{1,200}@",
    "KeywordIdRecognizer": ID_KEYWORD.pattern,
    "ChecksumIdRecognizer": r"\d{3}\.\d{3}\.\d{3}-\d\d|\d{17}|\d\.\d{3}\.\d{3}-[\dKk]"
    r"|\d\d\.\d\d\.\d\d-\d{3}\.\d\d",
    "DATE_OF_BIRTH": BIRTH_KEYWORD.pattern,
    "FieldValueRecognizer": Re2(FIELD_TRIGGER),
    "WrittenEmailRecognizer": Re2(WRITTEN_EMAIL_TRIGGER),
}
#: Located triggers that are costly alternations run only on texts that pass a cheap check
#: first (words or substrings every match contains; tests/scrubbing/test_pii_triggers.py
#: checks them where the recognizers match).
PREFILTERS: dict[str, "Callable[[str], bool]"] = {
    "CredentialRecognizer": may_hold_credential,
    "AccessCodeRecognizer": may_hold_access_code,
    "KeywordIdRecognizer": may_hold_id_keyword,
    "CredentialPairRecognizer": lambda t: "/" in t or ("@" in t and ("|" in t or ":" in t)),
    "CommandLineCredentialRecognizer": may_hold_cli_credential,
    "PositionalCredentialRecognizer": may_hold_slot_credential,
    "ProsePairRecognizer": may_hold_pair,
    "QueryCredentialRecognizer": lambda t: "=" in t and may_hold_credential(t),
    "DATE_OF_BIRTH": may_hold_birth_date,
    "FieldValueRecognizer": may_hold_field,
    "WrittenEmailRecognizer": may_hold_written_email,
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
#: Every match of a "signal" entity contains one of these (test_pii_triggers.py checks it
#: against the unwindowed recognizers). The alternatives start with rare characters (but
#: `sk-`, `xox`), so one pass over prose costs ~10 ns a character.
SIGNAL = re.compile(
    r"(\d+)|[@_\uff20\ufe6b]|:[:0-9A-Fa-f]|\.[A-Za-z0-9]|&#|&[A-Za-z]{2,8};"
    r"|-(?:----|[0-9A-Fa-f]{2}(?:[-:.]|[0-9A-Fa-f]{2}))|sk-|xox"
)

#: How far a spaced entity reaches from a digit in it (a 34-char IBAN with 8 spaces).
DIGIT_REACH = 48
#: Entities found through their own trigger on the whole text, with the reach of their
#: window around it ((before, after) characters, then widened to whole words); None = the
#: whole text (a PEM block spans lines).
LOCATED: dict[str, tuple[int, int] | None] = {
    "AWS_ACCESS_KEY": (0, 0),
    "GOOGLE_API_KEY": (0, 0),
    "AZURE_STORAGE_KEY": (0, 0),
    # `the password for the admin account is ...`: the keyword's identifier, a few words
    "CredentialRecognizer": (40, CREDENTIAL_REACH + 8),
    "CredentialPairRecognizer": (72, 140),
    # `the code for the front door of the building is 4711`: the word before it, 5 words
    "AccessCodeRecognizer": (24, 200),
    # `mysql -h db -p'…' -u app`: the `-p` may come before or after the user flag
    "CommandLineCredentialRecognizer": (200, 200),
    # `echo 'X' | docker login … --password-stdin`: the literal may come before the anchor
    "PositionalCredentialRecognizer": (200, 200),
    "ProsePairRecognizer": (40, 80),
    "QueryCredentialRecognizer": (0, 300),
    "KeywordIdRecognizer": (0, ID_REACH + 8),
    "DATE_OF_BIRTH": (0, BIRTH_REACH + 8),
    # `{"email": …, "name": "Will Hope"}`: the object's other keys either side; a CSV's rows
    "FieldValueRecognizer": (400, 2000),
    # `jane.doe at gmail dot com`: the local part's word, an article before it, and after
    # it a whole domain (the trigger may end early: `me at kofi.mensah @ proton . me`)
    "WrittenEmailRecognizer": (16, 80),
    "PRIVATE_KEY": None,
}
#: Entities that never contain whitespace: they run on the words around their trigger's
#: matches only, not on whole signal windows (an `@` next to a 30 kB base64 blob must not
#: send Presidio's email regex, quadratic on long words, over the blob).
WORD_ENTITIES = frozenset(
    {
        "EMAIL_ADDRESS",
        "URL",
        "IP_ADDRESS",
        "MAC_ADDRESS",
        "UUID",
        "CRYPTO",
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "GITHUB_TOKEN",
        "SLACK_TOKEN",
        "STRIPE_KEY",
        "JWT",
        "AWS_SECRET_KEY",
        "AZURE_CLIENT_SECRET",
        "SECRET",  # the prefixed token; the keyword recognizers are located, not signal
    }
)
#: Ids whose checksum one number in ten (or eleven) passes: where a phone recognizer also
#: matched, they are phones unless their own word precedes them (`Detector.analyze`).
WEAK_CHECKSUM_IDS = frozenset({"UK_NHS", "CA_SIN", "IN_AADHAAR"})
_WS = _re.compile(r"\s")
_LAST_WS = re.compile(r"(?r)\s")


class GateScan(NamedTuple):
    """What `Detector.gate` found: the end of the last match (-1: none) and where the
    earliest trigger that may still be arriving starts (`len(text)`: none)."""

    end: int
    open: int


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
    #: "signal": runs on the signal windows; (before, after): on windows around its own
    #: trigger's matches in the whole text; None: on the whole text.
    reach: "str | tuple[int, int] | None" = None
    #: the trigger for `reach != "signal"`, matched on the lower-cased text when `lower`.
    locator: "_re.Pattern[str] | None" = None
    lower: bool = False
    cache: dict[tuple[str, tuple[str, ...]], list[tuple[int, int, str, float]]] | None = None

    #: (score, compiled regex) for a plain PatternRecognizer; None for one with its own
    #: analyze() (phone, IBAN), which is called as Presidio calls it.
    patterns: list[tuple[float, "re.Pattern[str]"]] | None = None
    #: a cheap test a text must pass before the locator runs (PREFILTERS)
    prefilter: "Callable[[str], bool] | None" = None

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
            return [
                (r.start, r.end, r.entity_type, r.score) for r in rec.analyze(text, wanted, None)
            ]
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


def _reach(key: str, trigger: str | None) -> "str | tuple[int, int] | None":
    if trigger is None:
        return None
    return LOCATED[key] if key in LOCATED else "signal"


def _locator(trigger: str | None, reach: object) -> tuple["_re.Pattern[str] | None", bool]:
    """The whole-text trigger of a located entry; `(?i)` literals match the lower-cased text."""
    if trigger is None or reach == "signal":
        return None, False
    if isinstance(trigger, Re2):
        return re2.compile(trigger), False  # type: ignore[return-value]  # same finditer API
    if trigger.startswith("(?i)") and trigger[4:].replace("|", "").isalpha():
        return _re.compile(trigger[4:]), True
    return _re.compile(trigger), False


def _widen(text: str, a: int, b: int) -> tuple[int, int]:
    """[a, b) widened to whole words, with the whitespace on either side (for look-arounds)."""
    n = len(text)
    a, b = max(0, a), min(n, b)
    m = _LAST_WS.search(text, 0, a) if a > 0 else None
    a = m.start() if m else 0
    m = _WS.search(text, b)
    return a, (m.end() if m else n)


def _widened(text: str, spans: "Iterable[tuple[int, int]]") -> list[tuple[int, int]]:
    """Sorted spans widened to words and merged, each character searched about once (a
    30 kB blob with thousands of trigger matches must not be re-scanned per match)."""
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if out and a < out[-1][1]:
            if b > out[-1][1]:
                m = _WS.search(text, b)
                out[-1] = (out[-1][0], m.end() if m else len(text))
            continue
        a, b = _widen(text, a, b)
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


def signal_windows(text: str) -> list[tuple[int, int]]:
    """Disjoint [start, end) windows that hold every match of a "signal" entity."""
    raw: list[tuple[int, int]] = []
    for m in SIGNAL.finditer(text):
        a, b = m.span()
        if m.lastindex:  # a digit run: a spaced entity can reach further
            a, b = a - DIGIT_REACH, b + DIGIT_REACH
        if raw and a <= raw[-1][1]:
            raw[-1] = (raw[-1][0], max(b, raw[-1][1]))
        else:
            raw.append((a, b))
    return _widened(text, raw)


def _compiled_patterns(rec: "EntityRecognizer") -> list[tuple[float, "re.Pattern[str]"]] | None:
    from presidio_analyzer import PatternRecognizer

    if not isinstance(rec, PatternRecognizer) or type(rec).analyze is not PatternRecognizer.analyze:
        return None
    return [(p.score, re.compile(p.regex, flags=rec.global_regex_flags)) for p in rec.patterns]


def blank_nlp_engine() -> "SpacyNlpEngine":
    """A Presidio spaCy engine over `spacy.blank("en")`: tokenizer only, nothing downloaded."""
    return _engine_with(_blank())


def _blank():
    import spacy

    return spacy.blank("en")


def _engine_with(nlp) -> "SpacyNlpEngine":
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine

    # Nothing ignored: ORGANIZATION (spaCy's ORG) is reported like PERSON and LOCATION.
    engine = SpacyNlpEngine(
        models=[{"lang_code": "en", "model_name": "blank"}],
        ner_model_configuration=NerModelConfiguration(labels_to_ignore=[]),
    )
    engine.nlp = {"en": nlp}  # set, never `load()`: load() downloads missing models
    return engine


def load_ner_engine(model: str) -> "SpacyNlpEngine":
    """A Presidio spaCy engine over an installed model (package name or path)."""
    import spacy

    if not (spacy.util.is_package(model) or Path(model).exists()):
        raise ModelNotInstalled(
            f"guards.pii.nlp_model: spaCy model {model!r} is not installed. Install it into "
            f"the image (e.g. `docker build --build-arg SPACY_MODEL={model}`) or use "
            f"nlp_model: {BUILTIN_NER} (the NER shipped in the package)."
        )
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

    def __init__(self, nlp_model: str | None = BUILTIN_NER, prefilter: bool = True) -> None:
        use_bundled_suffix_list()
        recognizers = (
            presidio_pattern_recognizers()
            + extra_recognizers()
            + secret_recognizers()
            + credential_recognizers()
            + id_recognizers()
            + [UrlUserInfoRecognizer(), DateOfBirthRecognizer(), FieldValueRecognizer()]
            + [WrittenEmailRecognizer()]
        )
        self.entries: list[_Entry] = []
        for rec in recognizers:
            entity = rec.supported_entities[0]
            key = rec.name if rec.name in TRIGGERS else entity
            trig = TRIGGERS.get(key) if prefilter else None
            window = WINDOWS.get(entity) if prefilter else None
            reach = _reach(key, trig)
            self.entries.append(
                _Entry(
                    rec,
                    list(rec.supported_entities),
                    re.compile(trig) if trig else None,
                    tuple(w.lower() for w in (getattr(rec, "context", None) or ())),
                    re.compile(window) if window else None,
                    reach,
                    *_locator(trig, reach),
                    {} if window else None,
                    _compiled_patterns(rec),
                    PREFILTERS.get(key) if prefilter else None,
                )
            )
        #: ids with a one-in-ten checksum that a phone number passes, and their words
        #: every word of the recognizers' context words: a value's label (`clip_names`)
        self.context_words = frozenset(
            w for e in self.entries for c in e.context for w in c.split()
        )
        self._weak_context = {
            e.entities[0]: e.context for e in self.entries if e.entities[0] in WEAK_CHECKSUM_IDS
        }
        self.ner_engine: SpacyNlpEngine | None = None
        self.ner_recognizer: EntityRecognizer | None = None
        if nlp_model == BUILTIN_NER:
            from keepgate.scrubbing.ner.recognizer import KeepgateNerRecognizer

            self.ner_recognizer = KeepgateNerRecognizer()
        elif nlp_model:
            from presidio_analyzer.predefined_recognizers import SpacyRecognizer

            self.ner_engine = load_ner_engine(nlp_model)
            self.ner_recognizer = SpacyRecognizer(supported_language="en")
        #: Matches wherever `analyze` could find anything (see `last_signal`).
        located = [
            e.trigger.pattern
            for e in self.entries
            if e.reach not in ("signal", None) and not e.lower and e.prefilter is None
        ]
        #: The gate's patterns, each searched with `regex`'s partial matching (`gate`): the
        #: signal and located triggers as one alternation, and each of the others (a
        #: `(?i)` literal, a prefiltered alternation) as its trigger (`regex` reads them all;
        #: on a stream's new text and open triggers they stay short).
        self._gate = re.compile("|".join([SIGNAL.pattern] + [_scoped(t) for t in located]))
        self._gate_others = [
            e.trigger
            for e in self.entries
            if e.trigger is not None
            and e.reach not in ("signal", None)
            and (e.lower or e.prefilter is not None)
        ]
        self.gated = not self.has_ner and all(
            e.reach is not None or e.entities == ["PRIVATE_KEY"] for e in self.entries
        )
        self.supported = frozenset(e for x in self.entries for e in x.entities) | (
            frozenset(self.ner_recognizer.supported_entities)
            if self.ner_recognizer
            else frozenset()
        )

    @property
    def has_ner(self) -> bool:
        """Is a NER model on (names have no shape: the stream holds every recent word)?"""
        return self.ner_recognizer is not None

    def last_signal(self, text: str) -> int | None:
        """End of the last gate match in `text`, -1 if none: `analyze` finds nothing in a
        text without one. None when it cannot tell (NER, unfiltered recognizers)."""
        scan = self.gate(text)
        return None if scan is None else scan.end

    def gate(self, text: str, since: int = 0) -> "GateScan | None":
        """The gate on `text` from `since`; None when it cannot tell (NER, unfiltered
        recognizers).

        A stream searches each piece once: `text[:since]` was searched before, and a match
        that ends in the new text starts either in it or at an *open* trigger, a prefix of
        a match that reached the end of the text searched before (`regex`'s partial
        matching). So the stream passes `since` = the earliest open trigger or the new
        text, whichever comes first, and keeps `GateScan.open` for the next piece:
        `olaf [at] pos` | `teo [dot] de` is found whatever the split, and a piece costs
        its new text and its open triggers, not a trigger's longest match (red team 7)."""
        if not self.gated:
            return None
        n = len(text)
        end, first_open = -1, n
        for rx in (self._gate, *self._gate_others):
            for m in rx.finditer(text, since, partial=True):  # type: ignore[call-overload]
                if m.partial:
                    first_open = min(first_open, m.start())
                else:
                    end = max(end, m.end())
                    if m.end() == n:  # a match at the end may still run on
                        first_open = min(first_open, m.start())
        return GateScan(end, first_open)

    def analyze(self, text: str, entities: frozenset[str], threshold: float) -> list[Span]:
        """Spans of `entities` scoring at least `threshold`, overlaps not yet resolved."""
        out: list[Span] = []
        words: list[tuple[int, str]] | None = None
        signals: list[tuple[int, int]] | None = None
        joined = ""
        lowered: str | None = None
        for entry in self.entries:
            wanted = [e for e in entry.entities if e in entities]
            if not wanted:
                continue
            if entry.reach == "signal":
                if signals is None:
                    signals = signal_windows(text)
                    joined = "\n".join(text[a:b] for a, b in signals)
                trigger = entry.trigger
                assert trigger is not None
                if not signals or trigger.search(joined) is None:
                    continue
                spans = [(a, b) for a, b in signals if trigger.search(text, a, b)]
                if entry.entities[0] in WORD_ENTITIES:
                    spans = _widened(
                        text, (m.span() for a, b in spans for m in trigger.finditer(text, a, b))
                    )
            elif entry.reach is None:
                if entry.trigger is not None and entry.trigger.search(text) is None:
                    continue
                spans = [(0, len(text))]
            else:
                if entry.prefilter is not None and not entry.prefilter(text):
                    continue
                if entry.lower and lowered is None:
                    lowered = text.lower()
                    if len(lowered) != len(text):  # a letter that lower-cases to two
                        lowered = text
                hay = lowered if entry.lower else text
                assert entry.locator is not None
                before, after = entry.reach
                try:
                    found = [m.span() for m in entry.locator.finditer(hay)]
                except UnicodeEncodeError:  # an RE2 locator and a lone surrogate (re2text)
                    found = [m.span() for m in entry.locator.finditer(re2_safe(hay))]
                spans = _widened(text, ((a - before, b + after) for a, b in found))
                if hay is text and entry.lower:  # fell back: match case-insensitively
                    found = entry.trigger is not None and entry.trigger.search(text)
                    spans = [(0, len(text))] if found else []
            for a, b in spans:
                piece = text if (a, b) == (0, len(text)) else text[a:b]
                for start, end, entity, score in entry.run(piece, wanted):
                    start, end = start + a, end + a
                    if score < 1.0 and entry.context:
                        # as Presidio's context enhancer: any result with a context word
                        # near it gains (per-entity thresholds may sit above the global one)
                        if words is None:
                            words = [(m.start(), m.group().lower()) for m in _WORD.finditer(text)]
                        score = self._with_context(score, start, end, words, entry.context)
                    if score >= threshold and entity in entities:
                        if entity in WHOLE_WORD_ENTITIES and _inside_word(text, start, end):
                            continue
                        out.append(Span(start, end, entity, score))
        if len(out) > 1:
            out = self._phones_over_weak_ids(text, out)
        return self._ner(text, entities, threshold, out)

    def _phones_over_weak_ids(self, text: str, spans: list[Span]) -> list[Span]:
        """A phone number read as an id whose checksum any tenth number passes.

        `phone: 401 023 2137` passes the NHS check digit (mod 11), so the NHS recognizer
        scores it 1.0 and its label used to win the overlap with the phone recognizer's
        0.4-0.75. Where a phone recognizer also matched, the span is a phone unless one of
        the id's own words (`NHS`, `SIN`, `Aadhaar`) is among the few words before it."""
        phones = [s for s in spans if s.entity == "PHONE_NUMBER"]
        if not phones:
            return spans
        out = []
        for s in spans:
            context = self._weak_context.get(s.entity)
            if context is not None and any(p.start < s.end and s.start < p.end for p in phones):
                before = text[max(0, s.start - 48) : s.start].lower()
                if not any(
                    re.search(rf"(?<![a-z]){re.escape(c)}(?![a-z])", before) for c in context
                ):
                    s = Span(s.start, s.end, "PHONE_NUMBER", s.score)
            out.append(s)
        return out

    def _ner(
        self, text: str, entities: frozenset[str], threshold: float, out: list[Span]
    ) -> list[Span]:
        if self.ner_recognizer is not None:
            ner_wanted = [e for e in self.ner_recognizer.supported_entities if e in entities]
            if ner_wanted:
                artifacts = (
                    self.ner_engine.process_text(text, "en")
                    if self.ner_engine is not None
                    else None
                )
                for r in self.ner_recognizer.analyze(text, ner_wanted, artifacts):
                    if r.score >= threshold and r.entity_type in entities:
                        out.append(Span(r.start, r.end, r.entity_type, r.score))
        return out

    @staticmethod
    def _with_context(
        score: float, start: int, end: int, words: list[tuple[int, str]], context: tuple[str, ...]
    ) -> float:
        i = bisect_left(words, (start, ""))
        j = bisect_left(words, (end, ""))
        near = [w for _, w in words[max(0, i - CONTEXT_WORDS_BEFORE) : i]] + [
            w for _, w in words[j : j + CONTEXT_WORDS_AFTER]
        ]
        if any(c in w for w in near for c in context):
            return min(1.0, max(score + CONTEXT_FACTOR, CONTEXT_MIN_SCORE))
        return score


#: Types whose Presidio pattern has no word boundaries: a match starting or ending inside a
#: word is a fragment of something else (a DEA number's letter, letter/9 and seven digits
#: turn up in one hex id in a few hundred, e.g. a tool's `message_id`).
WHOLE_WORD_ENTITIES = frozenset({"URL", "MEDICAL_LICENSE", "CRYPTO"})


def _inside_word(text: str, start: int, end: int) -> bool:
    """A URL match that starts or ends inside a word is code, not a link: Presidio's
    recognizer sees `threading.Th` in `threading.Thread` and `email.to` in `send_email.to`
    (`.th`, `.to` are country domains). A match ending where the text ends is kept: in a
    stream the word may still be arriving."""
    after = text[end : end + 1]
    before = text[start - 1 : start] if start else ""
    return (after.isalnum() or after == "_") or (before.isalnum() or before == "_")


#: Types the NER gives: where one overlaps a pattern's find, the pattern names the span.
_NAME_TYPES = frozenset({"PERSON", "LOCATION", "ORGANIZATION", "NRP"})


_WORDCHAR = re.compile(r"\w")
_WORDCHAR_REV = re.compile(r"(?r)\w")
#: A name's leftover shorter than this (in word characters) is dropped (as the NER does).
MIN_NAME_CHARS = 3


#: A leftover this short, all digits, right after a pattern span that ends in a digit is
#: the value's last group (`1 85 05 78 006 084 36`: the id's pattern stops at `084`).
_TAIL_DIGITS = re.compile(r"[ \t]?\d{1,3}")
#: Words a label writes after the value's name (`Passport no.`, `ID nr`, `card #`).
_LABEL_TAIL = frozenset({"no", "nr", "num", "number", "nummer", "numero", "número", "numéro"})
_LETTERS = re.compile(r"[^\W\d_]+")
#: The keywords the recognizers themselves look for before a value.
_VALUE_KEYWORDS = (CREDENTIAL_KEYWORD, ID_KEYWORD, BIRTH_KEYWORD)


#: Field kinds whose label stands before a name or a place, not before a pattern's value
#: (a login's does: `login maria@outlook.com`).
_NAME_FIELDS = frozenset(
    {fields.PERSON, fields.AMBIGUOUS_NAME, fields.LOCATION, fields.AMBIGUOUS_PLACE}
)


def _field_label(key: str) -> bool:
    return fields.is_label(key) and fields.classify(key) not in _NAME_FIELDS


def value_label(piece: str, context_words: frozenset[str]) -> bool:
    """Is `piece` (a name leftover next to a pattern span) only that value's label:
    `password`, `PESEL`, `SIN`, `iban`, `auth token`, `Tel.`, `DOB`, `Passport no`? A keyword
    a value recognizer looks for, or words each a value's field label (`fields.is_label`,
    not a name's or a place's: `Name`, `Street`), such a keyword or one of the recognizers' context words (`fax`, `mobile`, `codice fiscale`).
    Word by word: `is_label` judges a key by its last word, and `Berlin Tel` is a place."""
    words = [w.lower() for w in _LETTERS.findall(piece)]
    while len(words) > 1 and words[-1] in _LABEL_TAIL:
        words.pop()
    if not words or len(words) > 4:
        return False
    if any(k.fullmatch(" ".join(words)) is not None for k in _VALUE_KEYWORDS):
        return True
    if len(piece.split()) == 1 and _field_label(piece):  # `E-mail`, `Tel.`
        return True
    return all(
        w in context_words
        or _field_label(w)
        or any(k.fullmatch(w) is not None for k in _VALUE_KEYWORDS)
        for w in words
    )


def clip_names(
    spans: list[Span], text: str, context_words: frozenset[str] = frozenset()
) -> list[Span]:
    """Name spans (the NER's) cut to what lies outside the pattern spans they overlap.

    The tagger reads an address's words as words: in `mail olaf [at] posteo [dot] de, 王小明
    x` it tagged `de, 王小明 x` a place, and merging that with the e-mail swallowed the rest
    of the line into `<EMAIL_ADDRESS>`. A pattern's span is exact, the tagger's is not, so a
    name keeps only its parts outside every pattern span, trimmed to word characters and
    kept when they still hold `MIN_NAME_CHARS` (a real name after the address is still
    redacted, on its own). Two leftovers are the value's, not a name: its label (the tagger
    reads `PESEL 88072314575` as one place; `value_label`), dropped, and a short digit
    group right after a value ending in a digit (`… 084 36`), which joins the value. One
    sorted pass over the pattern spans per name span's overlaps."""
    exact = sorted((s for s in spans if s.entity not in _NAME_TYPES), key=lambda s: s.start)
    if not exact or len(exact) == len(spans):
        return spans
    union: list[tuple[int, int]] = []
    last: list[Span] = []  # the pattern span ending each union interval
    for s in exact:
        if union and s.start <= union[-1][1]:
            if s.end > union[-1][1]:
                last[-1] = s
            union[-1] = (union[-1][0], max(union[-1][1], s.end))
        else:
            union.append((s.start, s.end))
            last.append(s)
    ends = [b for _, b in union]
    out = list(exact)
    for s in spans:
        if s.entity not in _NAME_TYPES:
            continue
        a = s.start
        i = bisect_left(ends, a + 1)  # the first pattern span ending after the name starts
        # (start, end, the interval just before it or -1, is an interval just after it)
        pieces: list[tuple[int, int, int, bool]] = []
        while i < len(union) and union[i][0] < s.end:
            pieces.append((a, union[i][0], i - 1 if i and a == union[i - 1][1] else -1, True))
            a = max(a, union[i][1])
            i += 1
        pieces.append((a, s.end, i - 1 if i and a == union[i - 1][1] else -1, False))
        for x, y, before, after in pieces:
            m = _WORDCHAR.search(text, x, y)
            if m is None:
                continue
            x, y = m.start(), _WORDCHAR_REV.search(text, x, y).end()  # type: ignore[union-attr]
            if before >= 0 and x - union[before][1] <= 1 and text[union[before][1] - 1].isdigit():
                tail = _TAIL_DIGITS.fullmatch(text, union[before][1], y)
                if tail is not None:
                    v = last[before]
                    out.append(Span(v.end - 1, y, v.entity, v.score))  # merges with the value
                    continue
            if after or before >= 0:
                x, y = _without_label(text, x, y, context_words, after, before >= 0)
            if y > x and len(_WORDCHAR.findall(text, x, y)) >= MIN_NAME_CHARS:
                out.append(Span(x, y, s.entity, s.score))
    return out


_WORDS = re.compile(r"\w+")


def _without_label(
    text: str, x: int, y: int, context_words: frozenset[str], end: bool, start: bool
) -> tuple[int, int]:
    """[x, y) without the value's label at the end next to a value after it (`Berlin\nTel`
    before a phone keeps `Berlin`) or at the start next to a value before it (`office`);
    at most four words are looked at on each side."""
    words = [(m.start(), m.end()) for m in _WORDS.finditer(text, x, y)]
    if end:
        for k in range(min(4, len(words)), 0, -1):
            if value_label(text[words[-k][0] : y], context_words):
                y = words[-k - 1][1] if k < len(words) else x
                words = words[:-k]
                break
    if start and words:
        for k in range(min(4, len(words)), 0, -1):
            if value_label(text[x : words[k - 1][1]], context_words):
                x = words[k][0] if k < len(words) else y
                break
    return x, y


def resolve_overlaps(spans: list[Span]) -> list[Span]:
    """Merge overlapping spans into one, typed by the strongest (score, then length).

    A scrubber must cover the union: `john.smith@acme.io` is an email and, inside it,
    Presidio also sees the URL `john.sm`; the reader should see one `<EMAIL_ADDRESS>`.
    A pattern's type (with its checksum or shape) beats a name type from the NER, whatever
    the scores: `QQ 12 34 56 C` is a `<UK_NINO>` even where the tagger reads a place.
    """
    if len(spans) < 2:
        return spans
    spans = sorted(spans, key=lambda s: (s.start, -s.end))
    merged: list[Span] = []
    for s in spans:
        if merged and s.start < merged[-1].end:
            m = merged[-1]
            best = max(
                (m, s), key=lambda x: (x.entity not in _NAME_TYPES, x.score, x.end - x.start)
            )
            merged[-1] = Span(m.start, max(m.end, s.end), best.entity, best.score)
        else:
            merged.append(s)
    return merged
