"""The NER shipped with the PII guard: tagger (inference) and recognizer (Presidio). Its
training data and the reproducible training script are in the checkout's `training/ner/`
(not in the wheel)."""
