"""The detector's prefilters never hide a match Presidio's recognizer would report.

Each recognizer is run unfiltered over real text (the labelled PII set, prose prompts and
the sample values); wherever it matches, its trigger and the stream's gate must match too,
the match must lie inside a window the detector analyses (signal windows, or the windows
around a located trigger), and the windowed phone recognizers must find exactly what they
find on the whole text.
"""

from __future__ import annotations

import functools
import itertools
import json
from pathlib import Path

import pytest

from keepgate.scrubbing.engine import WORD_ENTITIES, Detector, _widen, _windows, signal_windows
from bench.pii_cases import CASES as LLM_CASES
from tests.scrubbing.cases import CASES, FORMATS, format_sentence, sentence

pytestmark = pytest.mark.slow(cpu_s=3.8)  # scheduled first: tests/conftest.py

DATA = Path(__file__).resolve().parents[3] / "shared" / "datasets"


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping spans joined: the reference the engine's windows are checked against."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def corpus() -> list[str]:
    """The texts (read once: the first test walks them once per recognizer)."""
    return list(_corpus())


@functools.cache
def _corpus() -> tuple[str, ...]:
    if not DATA.is_dir():
        pytest.fail(
            f"{DATA} is missing: these tests read the shared data sets, which live "
            "beside the checkout (../shared/datasets), as in CI"
        )
    texts = [sentence(e)[1] for e in CASES] + [format_sentence(c)[1] for c in FORMATS]
    texts += [t for t, _ in LLM_CASES]
    for path in (DATA / "pii").glob("*.jsonl"):
        texts += _head(path, 600)
    texts += _head(DATA / "injection" / "train_selfinstruct_benign.jsonl", 300)
    return tuple(texts)


def _head(path: Path, lines: int) -> list[str]:
    """The "text" of the first `lines` records (without reading the rest of the file)."""
    with path.open(encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in itertools.islice(f, lines)]


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector(None)  # patterns only: the prefilters are what is checked


Unfiltered = list[tuple[int, int, str, float]]


@pytest.fixture(scope="module")
def unfiltered(detector: Detector) -> list[list[Unfiltered]]:
    """Per detector entry, per text: what its recognizer finds on the whole text with no
    prefilter (the reference both tests check against; computed once, it is most of their
    cost). One recognizer over every text, then the next: ~1.5x faster than the other way
    round (each recognizer's patterns and caches stay warm)."""
    texts = corpus()
    return [[e._analyze(text, e.entities) for text in texts] for e in detector.entries]


def test_the_corpus_is_there() -> None:
    assert len(corpus()) > 1000


def test_triggers_hold_wherever_a_recognizer_matches(
    detector: Detector, unfiltered: list[list[Unfiltered]]
) -> None:
    matched = 0
    texts = corpus()
    for i, entry in enumerate(detector.entries):
        for text, results in zip(texts, unfiltered[i], strict=True):
            if not results:
                continue
            matched += 1
            name = type(entry.recognizer).__name__
            assert entry.trigger is None or entry.trigger.search(text), (name, text)
            assert entry.prefilter is None or entry.prefilter(text), (name, text)
            assert detector.last_signal(text) not in (None, -1), (name, text)
            for s, e, *_ in results:
                assert any(a <= s and e <= b for a, b in _analysed(detector, entry, text)), (
                    name,
                    text[s:e],
                )
            if entry.window is not None:
                windowed = {(s, e) for s, e, *_ in entry.run(text, entry.entities)}
                full = {(s, e) for s, e, ent, score in results}
                wins = _windows(entry.window, text)
                # a match the windows miss has fewer than 6 digits (a ZIP, not a phone)
                for s, e in full - windowed:
                    assert sum(c.isdigit() for c in text[s:e]) < 6, (name, text[s:e])
                    assert not any(a <= s and e <= b for a, b in wins)
    assert matched > 500


def _analysed(detector: Detector, entry, text: str) -> list[tuple[int, int]]:
    """The windows `Detector.analyze` runs `entry` on."""
    if entry.reach is None:
        return [(0, len(text))]
    if entry.reach == "signal":
        if entry.entities[0] not in WORD_ENTITIES:
            return signal_windows(text)
        return _merge(
            [
                _widen(text, m.start(), m.end())
                for a, b in signal_windows(text)
                for m in entry.trigger.finditer(text, a, b)
            ]
        )  # the plain way
    hay = text.lower() if entry.lower else text
    before, after = entry.reach
    return _merge(
        [_widen(text, m.start() - before, m.end() + after) for m in entry.locator.finditer(hay)]
    )


def test_windowed_analysis_finds_what_whole_text_analysis_finds(
    detector: Detector, unfiltered: list[list[Unfiltered]]
) -> None:
    """End to end: the same spans as every (triggered) recognizer on the whole text.

    Only the texts where some recognizer matches unfiltered can have a span to miss (the
    unfiltered detector finds spans only through those recognizers, on the whole text): 625
    of the 3,438. Every 20th of the rest is still analysed both ways, and the unfiltered
    detector must find nothing there, which checks that reading of it."""
    from keepgate.scrubbing.engine import resolve_overlaps
    from keepgate.scrubbing.settings import parse_settings

    entities = parse_settings({}).entity_set()
    whole = Detector(None, prefilter=False)
    checked = 0
    for n, text in enumerate(corpus()):
        matches = any(found[n] for found in unfiltered)
        if not matches and n % 20:
            continue
        checked += 1
        got = {(s.start, s.end) for s in resolve_overlaps(detector.analyze(text, entities, 0.35))}
        want = {(s.start, s.end) for s in resolve_overlaps(whole.analyze(text, entities, 0.35))}
        assert matches or not want, text
        for s, e in want - got:  # phonenumbers' short finds outside digit windows only
            assert sum(c.isdigit() for c in text[s:e]) < 6, text[s:e]
    assert checked > 700
