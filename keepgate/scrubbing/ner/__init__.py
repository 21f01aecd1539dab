"""The NER shipped with the PII guard: tagger (inference), recognizer (Presidio), data and
templates (what it is trained on), train (the reproducible training script)."""
