"""The detector's prefilters never hide a match Presidio's recognizer would report.

Each recognizer is run unfiltered over real text (the labelled PII set, prose prompts and
the sample values); wherever it matches, its trigger and the combined trigger must match
too, and the windowed phone recognizers must find exactly what they find on the whole text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway.scrubbing.engine import Detector, _windows
from tests.scrubbing.cases import CASES, sentence

DATA = Path(__file__).resolve().parents[3] / "shared" / "datasets"


def corpus() -> list[str]:
    texts = [sentence(e)[1] for e in CASES]
    for path in (DATA / "pii").glob("*.jsonl"):
        texts += [json.loads(line)["text"] for line in path.read_text().splitlines()[:600]]
    prose = DATA / "injection" / "train_selfinstruct_benign.jsonl"
    texts += [json.loads(line)["text"] for line in prose.read_text().splitlines()[:300]]
    return texts


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector()


def test_the_corpus_is_there() -> None:
    assert len(corpus()) > 1000


def test_triggers_hold_wherever_a_recognizer_matches(detector: Detector) -> None:
    matched = 0
    for entry in detector.entries:
        for text in corpus():
            results = entry._analyze(text, entry.entities)  # noqa: SLF001 - unfiltered
            if not results:
                continue
            matched += 1
            name = type(entry.recognizer).__name__
            assert entry.trigger is None or entry.trigger.search(text), (name, text)
            assert detector.any_trigger.search(text), (name, text)
            if entry.window is not None:
                windowed = {(s, e) for s, e, *_ in entry.run(text, entry.entities)}
                full = {(s, e) for s, e, ent, score in results}
                wins = _windows(entry.window, text)
                # a match the windows miss has fewer than 6 digits (a ZIP, not a phone)
                for s, e in full - windowed:
                    assert sum(c.isdigit() for c in text[s:e]) < 6, (name, text[s:e])
                    assert not any(a <= s and e <= b for a, b in wins)
    assert matched > 500
