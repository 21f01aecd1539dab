"""Output scrubbing: PII and secrets removed from every answer, streamed or not.

`Scrubber.scrub(text) -> (text, counts)` is the reusable API; `guard.build` wires it into
the response pipeline as the "pii" guard; `StreamScrubber` holds back only what a split
entity could still need.
"""

from keepgate.scrubbing.engine import Detector, ModelNotInstalled, Span
from keepgate.scrubbing.scrubber import Scrubber
from keepgate.scrubbing.settings import PiiSettings, SettingsError, parse_settings

__all__ = [
    "Detector",
    "ModelNotInstalled",
    "PiiSettings",
    "Scrubber",
    "SettingsError",
    "Span",
    "parse_settings",
]
