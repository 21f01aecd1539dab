"""The tagger shipped in the package, loaded once per process.

Its own module so that both the NER recognizer and the field recognizer (which asks the
gazetteers whether a user name is a person's) can load it without importing each other.
"""

from __future__ import annotations

import threading
from pathlib import Path

from keepgate.scrubbing.ner.tagger import Tagger

MODEL = Path(__file__).resolve().parent / "model" / "keepgate_ner.npz"
_LOCK = threading.Lock()
_TAGGER: Tagger | None = None


def shipped_tagger() -> Tagger:
    """The tagger in the package, loaded once per process."""
    global _TAGGER
    with _LOCK:
        if _TAGGER is None:
            _TAGGER = Tagger.load(MODEL)
        return _TAGGER
