"""Output scrubbing: PII and secrets removed from every answer, streamed or not.

`keepgate.scrubbing.scrubber.Scrubber.scrub(text) -> (text, counts)` is the reusable API;
`guard.build` wires it into the response pipeline as the "pii" guard; `StreamScrubber`
(`stream`) holds back only what a split entity could still need; `settings` is the
`guards.pii` section.

Nothing is re-exported here: the config loader imports `keepgate.scrubbing.settings` to type
`guards.pii`, and importing this package must not load Presidio and spaCy for that.
"""
