"""Training the shipped PII NER tagger (`python -m training.ner.train`); the tagger and its
weights are in `keepgate/scrubbing/ner/`."""
