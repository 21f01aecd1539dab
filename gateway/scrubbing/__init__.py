"""Output scrubbing: PII and secrets removed from every answer, streamed or not.

`Scrubber.scrub(text) -> (text, counts)` is the reusable API; `guard.build` wires it into
the response pipeline as the "pii" guard; `StreamScrubber` holds back only what a split
entity could still need.
"""

from gateway.scrubbing.engine import Detector, ModelNotInstalled, Span
from gateway.scrubbing.scrubber import Scrubber
from gateway.scrubbing.settings import PiiSettings, SettingsError, parse_settings

__all__ = ["Detector", "ModelNotInstalled", "PiiSettings", "Scrubber", "SettingsError", "Span",
           "parse_settings"]
