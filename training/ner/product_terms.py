"""Build the product/tech vocabulary the NER recognizer does not redact (`product_terms.txt`).

Why: the tagger reads a capitalised product in a short question as a name or a place
("How do I change my password in Windows?" -> "in <LOCATION>?"). A span that is exactly a
known product or tech term is not a person's, place's or organisation's name. The terms
come from general sources, not from any benign evaluation set:

* Pygments (pinned in `requirements.lock`, BSD-2-Clause): the names of its ~600 lexers
  (languages, formats, tools: `Docker`, `JavaScript`, `Nginx configuration file`); a
  one-word name only when one of the documents below also writes it (not `Shen`, `Boo`);
* tldr-pages (CC-BY-4.0, English pages), ohmyzsh plugin READMEs (MIT) and the public-apis
  tables (MIT), as sampled in `../shared/datasets/injection/` (see its README for commits):
  words written with a capital *inside* a sentence (`Manage Docker containers`, `on
  macOS`, `for WhatsApp`) seen in at least `MIN_DOCS` documents, link texts of the
  public-apis tables (API names) and the titles of the ohmyzsh READMEs.

Collisions with real names are left out, so those spans are judged by the tagger as before:
a term any of whose words the tagger's gazetteers know as a first name, surname, place or
organisation word (`Ruby`, `Julia`, `Swift`, `Zoom`, `Jordan`), and a term that people
annotating real text mostly labelled as a name where it appears (a company is an
organisation's name: `Microsoft`, `Google`, `Apple`, `YouTube`; places the gazetteers
miss: `Scotland`, `Oxford`): labelled at least `NAME_SHARE` of (its occurrences + 1) in
the tagger's human-labelled training corpora (Broad Twitter Corpus sections other than
F, UNER English-EWT; `../shared/datasets/pii/`). `Android` (4 labelled of 9) stays. Matching is
case-sensitive, as the term is written in its source.

Run: `PYTHONPATH=. .venv/bin/python -m training.ner.product_terms` (rewrites the file).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import regex as re

from keepgate.scrubbing.ner.tagger import G_FIRST, G_LAST, G_ORG, G_PLACE, _id
from keepgate.scrubbing.ner.recognizer import PRODUCT_TERMS_FILE, shipped_tagger

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "datasets" / "injection"
#: A prose word must be written capitalised mid-sentence in this many documents.
MIN_DOCS = 2
#: A term labelled a name in at least this share of (its occurrences + 1) is a name.
NAME_SHARE = 0.5
PII = DATA.parent / "pii"
_NAME = G_FIRST | G_LAST | G_PLACE | G_ORG
_CODE = re.compile(
    r"```.*?```|`[^`\n]*`|\{\{.*?\}\}|<https?://[^>]*>|\(https?://[^)]*\)|https?://\S+", re.S
)
_WORD = re.compile(r"(?<![\w.\-/@$])[A-Za-z][A-Za-z0-9+#]*(?:[.\-][A-Za-z0-9+#]+)*(?![\w/@])")
_LINK = re.compile(r"\[([^\]\n]{3,40})\]\(")
_TITLE = re.compile(r"^#\s+([^\n]+?)(?:\s+plugin)?\s*$", re.M | re.I)
#: What ends a sentence or starts a line item: the word after it is capitalised anyway.
_STARTS = ".!?:;>|-*#\n"


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _mid_sentence_capitals(text: str) -> set[str]:
    """Words with a capital letter that do not start a sentence, a line or an item."""
    text = _CODE.sub(" . ", text)
    out = set()
    for m in _WORD.finditer(text):
        w = m.group()
        if w.islower() or not any(c.isupper() for c in w):
            continue
        before = text[: m.start()].rstrip(" \t([\"'*_")
        if not before or before[-1] in _STARTS:
            continue
        out.add(w)
    return out


def _capitalised_name(term: str) -> bool:
    words = term.split()
    return 0 < len(words) <= 4 and all(w[:1].isupper() or w[:1].isdigit() for w in words)


def labelled_as_names(terms: set[str]) -> set[str]:
    """The terms the human-labelled NER training corpora mostly label as names."""
    labelled: dict[str, int] = defaultdict(int)
    seen: dict[str, int] = defaultdict(int)
    multi = [t for t in terms if " " in t]
    for name in ("train_btc_tweets_ner.jsonl", "train_uner_ewt_web_ner.jsonl"):
        with (PII / name).open(encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                if "section_f" in str(r["category"]):
                    continue  # BTC's test section: the tagger's dev set
                text = str(r["text"])
                for s in r["spans"]:
                    if (v := text[s["start"] : s["end"]]) in terms:
                        labelled[v] += 1
                for w in _TOKEN.findall(text):
                    if w in terms:
                        seen[w] += 1
                for t in multi:
                    if t in text:
                        seen[t] += text.count(t)
    return {t for t, n in labelled.items() if n >= NAME_SHARE * (seen[t] + 1)}


_TOKEN = re.compile(r"[^\W_][\w+#.\-]*[^\W_]|[^\W_]")


def build() -> tuple[list[str], dict[str, int]]:
    """The vocabulary (sorted) and how many terms each source gave before the filters."""
    from pygments.lexers import get_all_lexers  # type: ignore[import-untyped]

    docs: dict[str, set[str]] = defaultdict(set)
    direct: set[str] = set()
    counts: dict[str, int] = {}
    lexers = {name for name, *_ in get_all_lexers()}
    counts["pygments lexer names"] = len(lexers)
    sources = {
        "tldr-pages (English)": [
            r for r in _rows("train_tldr_pages_benign.jsonl") if "/en/" in f"{r['category']}/"
        ],
        "ohmyzsh plugin READMEs": _rows("train_ohmyzsh_plugin_readmes_benign.jsonl"),
        "public-apis tables": _rows("train_public_apis_tables_benign.jsonl"),
    }
    for source, rows in sources.items():
        before = len(docs) + len(direct)
        for i, r in enumerate(rows):
            text = str(r["text"])
            for w in _mid_sentence_capitals(text):
                docs[w].add(f"{source}:{i}")
            if source == "public-apis tables":
                direct |= {t.strip() for t in _LINK.findall(text) if _capitalised_name(t)}
            if source == "ohmyzsh plugin READMEs":
                direct |= {t.strip() for t in _TITLE.findall(text) if _capitalised_name(t)}
        counts[source] = len(docs) + len(direct) - before
    # a one-word lexer name must also be written capitalised in a document: `Shen`, `Boo`,
    # `Alloy` name obscure languages more rarely than they name people and things
    direct |= {n for n in lexers if " " in n or n in docs}
    terms = direct | {w for w, d in docs.items() if len(d) >= MIN_DOCS}
    flags = shipped_tagger().gaz.flags
    names = labelled_as_names(terms)
    counts["labelled as names in the NER corpora"] = len(names)
    kept = sorted(
        t
        for t in terms - names
        if sum(c.isalnum() for c in t) >= 3
        and "\t" not in t
        and not any(flags(_id(w.lower())) & _NAME for w in re.findall(r"[^\W_]+", t))
    )
    return kept, counts


def main() -> None:
    terms, counts = build()
    header = [
        "# Product and tech terms the NER recognizer does not redact when a span is exactly one.",
        "# Built by `python -m training.ner.product_terms` (see its docstring); do not edit.",
        "# Sources: Pygments lexer names (pygments==2.21.0, BSD-2-Clause); tldr-pages English",
        "# pages (tldr-pages/tldr @ 08e345f42639, CC-BY-4.0), ohmyzsh plugin READMEs",
        "# (ohmyzsh/ohmyzsh @ 830a5bcfd29f, MIT), public-apis tables (public-apis/public-apis",
        "# @ c045a2eb505f, MIT), as sampled in shared/datasets/injection.",
        "# Candidates per source: " + ", ".join(f"{k} {v}" for k, v in counts.items()) + ".",
        "# Dropped: terms mostly labelled as names in BTC (not section F) and UNER English-EWT,",
        f"# and terms with a gazetteer first/last/place/org word. {len(terms)} terms.",
    ]
    PRODUCT_TERMS_FILE.write_text("\n".join([*header, *terms]) + "\n", encoding="utf-8")
    print(f"{len(terms)} terms -> {PRODUCT_TERMS_FILE}")


if __name__ == "__main__":
    main()
