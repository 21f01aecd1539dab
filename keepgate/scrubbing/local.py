"""The base of Keepgate's own Presidio recognizers: shapes and keywords, nothing to load.

Presidio's `EntityRecognizer` wants its entities and name at construction and a `load`
method; every recognizer here has no model or NLP artefacts, so each one only names the
entities it reports (`SUPPORTED`) and writes `analyze`. Its name is its class name (what
Presidio's decision process and our audit counts show).
"""

from __future__ import annotations

from typing import ClassVar

from presidio_analyzer import EntityRecognizer


class LocalRecognizer(EntityRecognizer):
    """A recognizer that reads the text alone (regexes, checksums, keywords)."""

    SUPPORTED: ClassVar[tuple[str, ...]]

    def __init__(self) -> None:
        super().__init__(
            supported_entities=list(self.SUPPORTED),
            name=type(self).__name__,
            supported_language="en",
        )

    def load(self) -> None:
        """Nothing to load."""
