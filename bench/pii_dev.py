"""PII efficacy on data the detector was not built from: per-entity recall, precision, F2.

Dev sets (none of them is trained on; see training/ner/data.py):

* `btc_f`: Broad Twitter Corpus section F (noisy social text; names, places, orgs, handles);
* `pud`: UNER English-PUD (news and Wikipedia);
* `presidio_synth`: presidio-research `synth_dataset_v2` (templated, all PII types);
* `llm_style`: `bench/pii_cases.py`, hand-written assistant-style sentences with passwords,
  keys, ids, reformatted values and names, plus hard benign sentences.

Scoring (a scrubber's view: what leaks, what is destroyed):

* recall of a type: the share of its labelled values whose every letter and digit is
  inside some redaction (any type: an address redacted as LOCATION is not a leak);
  `token recall` is the share of the values' letters and digits covered (partial credit);
* precision of a type: the share of its redactions that overlap a labelled value (of any
  type, labelled or not scored: redacting a job title next to a name is not scored as a
  false alarm);
* F2 weights recall twice as much as precision (a leak costs more than a false redaction).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "datasets" / "pii"

#: Labelled type -> scored type (anything else is not scored, but still not a false alarm).
GOLD = {
    "PERSON": "PERSON",
    "PER": "PERSON",
    "LOCATION": "LOCATION",
    "GPE": "LOCATION",
    "LOC": "LOCATION",
    "ADDRESS": "LOCATION",
    "STREET_ADDRESS": "LOCATION",
    "ORGANIZATION": "ORGANIZATION",
    "ORG": "ORGANIZATION",
    "EMAIL_ADDRESS": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "CREDIT_CARD": "CREDIT_CARD",
    "IBAN_CODE": "IBAN",
    "US_SSN": "ID_NUMBER",
    "US_DRIVER_LICENSE": "ID_NUMBER",
    "NATIONAL_ID": "ID_NUMBER",
    "PASSPORT": "ID_NUMBER",
    "DRIVER_LICENSE": "ID_NUMBER",
    "TAX_ID": "ID_NUMBER",
    "IP_ADDRESS": "IP_ADDRESS",
    "PASSWORD": "SECRET",
    "API_KEY": "SECRET",
    "URL": "URL",
    "DATE_OF_BIRTH": "DOB",
}
#: Detected entity -> scored type.
FAMILY = {
    "PERSON": "PERSON",
    "LOCATION": "LOCATION",
    "ORGANIZATION": "ORGANIZATION",
    "NRP": "NRP",
    "EMAIL_ADDRESS": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "CREDIT_CARD": "CREDIT_CARD",
    "IBAN_CODE": "IBAN",
    "IP_ADDRESS": "IP_ADDRESS",
    "URL": "URL",
    "US_SSN": "ID_NUMBER",
    "US_DRIVER_LICENSE": "ID_NUMBER",
    "US_PASSPORT": "ID_NUMBER",
    "US_ITIN": "ID_NUMBER",
    "US_BANK_NUMBER": "ID_NUMBER",
    "UK_NHS": "ID_NUMBER",
    "MEDICAL_LICENSE": "ID_NUMBER",
    "PASSPORT": "ID_NUMBER",
    "DRIVER_LICENSE": "ID_NUMBER",
    "NATIONAL_ID": "ID_NUMBER",
    "TAX_ID": "ID_NUMBER",
    "UK_NINO": "ID_NUMBER",
    "IN_PAN": "ID_NUMBER",
    "IN_AADHAAR": "ID_NUMBER",
    "ES_NIF": "ID_NUMBER",
    "ES_NIE": "ID_NUMBER",
    "IT_FISCAL_CODE": "ID_NUMBER",
    "PL_PESEL": "ID_NUMBER",
    "FI_PERSONAL_IDENTITY_CODE": "ID_NUMBER",
    "SE_PERSONNUMMER": "ID_NUMBER",
    "CA_SIN": "ID_NUMBER",
    "SG_NRIC_FIN": "ID_NUMBER",
    "DATE_OF_BIRTH": "DOB",
}
ORDER = (
    "PERSON",
    "LOCATION",
    "ORGANIZATION",
    "EMAIL",
    "PHONE",
    "CREDIT_CARD",
    "IBAN",
    "ID_NUMBER",
    "IP_ADDRESS",
    "SECRET",
    "DOB",
    "URL",
)


@dataclass(frozen=True, slots=True)
class Doc:
    text: str
    gold: tuple[tuple[int, int, str], ...]  # labelled type as in the source
    source: str


def _jsonl(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def dev_sets() -> dict[str, list[Doc]]:
    from bench.pii_cases import CASES

    btc = [
        Doc(r["text"], tuple((s["start"], s["end"], s["type"]) for s in r["spans"]), "btc_f")
        for r in _jsonl("train_btc_tweets_ner.jsonl")
        if "/section_f/" in r["category"]
    ]
    pud = [
        Doc(r["text"], tuple((s["start"], s["end"], s["type"]) for s in r["spans"]), "pud")
        for r in _jsonl("train_uner_pud_news_wiki_ner.jsonl")
    ]
    synth = [
        Doc(
            r["text"],
            tuple((s["start"], s["end"], s["type"]) for s in r["spans"]),
            "presidio_synth",
        )
        for r in _jsonl("train_presidio_synth_dataset_v2.jsonl")
    ]
    llm = []
    for text, values in CASES:
        gold = []
        for value, typ in values:
            i = text.index(value)
            gold.append((i, i + len(value), typ))
        llm.append(Doc(text, tuple(gold), "llm_style"))
    return {"btc_f (social)": btc, "pud (news)": pud, "presidio_synth": synth, "llm_style": llm}


def _alnum(text: str, a: int, b: int) -> set[int]:
    return {i for i in range(a, b) if text[i].isalnum()}


@dataclass
class Score:
    gold: Counter
    found: Counter
    chars: Counter
    covered: Counter
    pred: Counter
    good: Counter

    @classmethod
    def new(cls) -> "Score":
        return cls(Counter(), Counter(), Counter(), Counter(), Counter(), Counter())

    def recall(self, t: str) -> float:
        return self.found[t] / self.gold[t] if self.gold[t] else float("nan")

    def token_recall(self, t: str) -> float:
        return self.covered[t] / self.chars[t] if self.chars[t] else float("nan")

    def precision(self, t: str) -> float:
        return self.good[t] / self.pred[t] if self.pred[t] else float("nan")

    def micro(self) -> tuple[float, float, float]:
        scored = [t for t in ORDER if self.gold[t]]
        r = sum(self.found[t] for t in scored) / max(1, sum(self.gold[t] for t in scored))
        p = sum(self.good.values()) / max(1, sum(self.pred.values()))
        return r, p, f2(p, r)


def f2(p: float, r: float) -> float:
    return 5 * p * r / (4 * p + r) if p + r else 0.0


def score(docs: Iterable[Doc], spans_of: Callable[[str], list[tuple[int, int, str]]]) -> Score:
    sc = Score.new()
    for d in docs:
        spans = spans_of(d.text)
        red: set[int] = set()
        for a, b, _ in spans:
            red.update(range(a, b))
        for a, b, typ in d.gold:
            t = GOLD.get(typ)
            if t is None:
                continue
            need = _alnum(d.text, a, b)
            if not need:
                continue
            sc.gold[t] += 1
            sc.chars[t] += len(need)
            sc.covered[t] += len(need & red)
            sc.found[t] += need <= red
        for a, b, ent in spans:
            fam = FAMILY.get(ent, "SECRET")
            sc.pred[fam] += 1
            sc.good[fam] += any(a < gb and ga < b for ga, gb, _ in d.gold)
    return sc


def url_redactions(
    docs: Iterable[Doc], spans_of: Callable[[str], list[tuple[int, int, str]]]
) -> int:
    return sum(1 for d in docs for *_, ent in spans_of(d.text) if ent == "URL")
