"""Training and dev data for the NER tagger: which rows of which source, BIO labels.

Sources are kept apart by *file / section*, never by a random split of rows (rows inside a
file share templates, authors and topics):

* train: Broad Twitter Corpus sections A, B, E, G, H (CC-BY-4.0); UNER English-EWT web
  text, all splits (CC-BY-SA-4.0); presidio-research `generated_large` (MIT); Keepgate's
  own templated sentences (`templates.py`, names from `faker`'s locale lists, MIT);
* dev (never trained on): BTC section F (BTC's own test section), UNER English-PUD news
  and Wikipedia (CC-BY-SA-3.0), presidio-research `synth_dataset_v2` (MIT).

Labels: PERSON, LOCATION (also GPE and street addresses: a user wants an address gone as
much as a city), ORGANIZATION. Handles (`@jane_doe`) keep the label BTC gives them (mostly
PERSON); the `@` itself is never inside a span.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from keepgate.scrubbing.ner.tagger import TAGS, Token, tokenize

#: Data-set label -> tagger label (anything else is O for the tagger).
LABEL_MAP = {
    "PERSON": "PERSON",
    "PER": "PERSON",
    "LOCATION": "LOCATION",
    "GPE": "LOCATION",
    "LOC": "LOCATION",
    "ADDRESS": "LOCATION",
    "STREET_ADDRESS": "LOCATION",
    "ORGANIZATION": "ORGANIZATION",
    "ORG": "ORGANIZATION",
}
FILES = {
    "btc": "train_btc_tweets_ner.jsonl",
    "ewt": "train_uner_ewt_web_ner.jsonl",
    "pud": "train_uner_pud_news_wiki_ner.jsonl",
    "presidio_large": "train_presidio_generated_large.jsonl",
    "presidio_synth": "train_presidio_synth_dataset_v2.jsonl",
}
DEV_BTC_SECTIONS = frozenset({"section_f"})


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    spans: tuple[tuple[int, int, str], ...]  # tagger labels only
    source: str  # e.g. "btc/section_a", "ewt", "template"


def default_data_dir() -> Path:
    """`../shared/datasets/pii` beside the checkout."""
    return Path(__file__).resolve().parents[4] / "shared" / "datasets" / "pii"


def _rows(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def load(data_dir: Path, name: str) -> list[Example]:
    out = []
    for r in _rows(data_dir / FILES[name]):
        spans = tuple(
            (s["start"], s["end"], LABEL_MAP[s["type"]])
            for s in r["spans"]
            if s["type"] in LABEL_MAP
        )
        source = name
        if name == "btc":
            source = "btc/" + r["category"].split("/")[1]
        out.append(Example(r["text"], spans, source))
    return out


def split(data_dir: Path) -> tuple[list[Example], list[Example]]:
    """(train, dev) from the shared files, by source (templates are added by the trainer)."""
    train: list[Example] = []
    dev: list[Example] = []
    for ex in load(data_dir, "btc"):
        (dev if ex.source.split("/")[1] in DEV_BTC_SECTIONS else train).append(ex)
    train += load(data_dir, "ewt") + load(data_dir, "presidio_large")
    dev += load(data_dir, "pud") + load(data_dir, "presidio_synth")
    return train, dev


def bio(tokens: list[Token], spans: tuple[tuple[int, int, str], ...]) -> list[int]:
    """Tag ids per token: B- on the first token inside a span, I- on the rest."""
    tags = [0] * len(tokens)
    for start, end, label in spans:
        first = True
        for i, t in enumerate(tokens):
            if t.end <= start or t.start >= end:
                continue
            if not any(c.isalnum() for c in t.text) and first:
                continue  # leading punctuation inside a span
            tags[i] = TAGS.index(("B-" if first else "I-") + label)
            first = False
    return tags


def labelled(ex: Example) -> tuple[list[Token], list[int]]:
    tokens = tokenize(ex.text)
    return tokens, bio(tokens, ex.spans)
