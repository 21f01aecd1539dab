"""Held-out PII sets and false alarms on benign text: `python bench/pii_heldout.py`.

* `heldout1` (`bench/pii_cases_heldout.py`), written before the 2026-12-07 changes,
  `heldout2` (`bench/pii_cases_heldout2.py`), written after the first round, and
  `heldout3` (`bench/pii_cases_heldout3.py`), written after the second, and `heldout4`
  (`bench/pii_cases_heldout4.py`), written before the fourth, and `heldout5`
  (`bench/pii_cases_heldout5.py`), written before the sixth, and `heldout6`/`benign6`
  (`bench/pii_cases_heldout6.py`, structured text), written before the seventh, and
  `heldout7`/`benign7` (`bench/pii_cases_heldout7.py`), written before the eighth,
  `heldout8`/`benign8` (`bench/pii_cases_heldout8.py`), written before the ninth, and
  `heldout9`/`benign9` (`bench/pii_cases_heldout9.py`), written after the ninth's rules, and
  `heldout10`/`benign10` (`bench/pii_cases_heldout10.py`), written before the tenth, and
  `heldout11`/`benign11` (`bench/pii_cases_heldout11.py`), written before the eleventh: recall and precision per
  type (scored as `bench/pii_dev.py` does), and every value missed or partly missed. Each
  set was scored once before anything was changed after it;
* `ner-benign`: the share of texts that get any name redaction, on benign sources in
  `../shared/datasets/injection` with no personal data to speak of: the non-English tldr
  pages and opensource.guide translations, deepset's benign questions (English and
  German) and the self-instruct prompts (the dev sources of round 4's NER checks);
* `benign4`, `benign5`: sets 4's and 5's hard benign parts (short questions and
  product/tech text in several languages): the share of texts with any redaction that overlaps no label;
* false alarms per 10k characters on benign text nobody labelled as PII: Python standard
  library modules (code about passwords, tokens, hosts), the package descriptions of the
  installed dependencies (config docs with placeholders and example calls), and news
  (UNER PUD: a pattern-type redaction that overlaps no labelled name is an alarm). Names the
  NER finds in code and docs are counted apart (`ner`): they are real words, often names.

Nothing here is trained or tuned on; `--set` picks one set, `--misses` lists what leaked.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import sysconfig
from collections import Counter
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import keepgate  # noqa: F401 - offline switches before Presidio imports
from bench.pii_dev import DATA, ORDER, Doc, _jsonl, f2, score
from bench.stats import table

Spans = Callable[[str], list[tuple[int, int, str]]]
NER = {"PERSON", "LOCATION", "ORGANIZATION", "NRP"}

#: Standard-library modules full of the words a secret recognizer looks for.
STDLIB = (
    "smtplib.py",
    "ftplib.py",
    "getpass.py",
    "secrets.py",
    "hmac.py",
    "base64.py",
    "netrc.py",
    "imaplib.py",
    "urllib/request.py",
    "urllib/parse.py",
    "http/cookiejar.py",
    "ipaddress.py",
    "email/utils.py",
    "logging/handlers.py",
    "uuid.py",
)
#: Installed distributions whose descriptions are config and API docs.
PACKAGES = (
    "openai",
    "anthropic",
    "redis",
    "httpx",
    "starlette",
    "uvicorn",
    "presidio-analyzer",
    "pydantic",
    "phonenumbers",
    "tldextract",
    "PyJWT",
    "cryptography",
)


def heldout_docs(name: str) -> list[Doc]:
    if name == "heldout1":
        from bench.pii_cases_heldout import CASES
    elif name == "heldout2":
        from bench.pii_cases_heldout2 import CASES
    elif name == "heldout3":
        from bench.pii_cases_heldout3 import CASES
    elif name == "heldout4":
        from bench.pii_cases_heldout4 import CASES
    elif name == "heldout5":
        from bench.pii_cases_heldout5 import CASES
    elif name == "benign5":
        from bench.pii_cases_heldout5 import BENIGN as CASES
    elif name == "heldout6":
        from bench.pii_cases_heldout6 import CASES
    elif name == "benign6":
        from bench.pii_cases_heldout6 import BENIGN as CASES
    elif name == "heldout7":
        from bench.pii_cases_heldout7 import CASES
    elif name == "benign7":
        from bench.pii_cases_heldout7 import BENIGN as CASES
    elif name == "heldout8":
        from bench.pii_cases_heldout8 import CASES
    elif name == "benign8":
        from bench.pii_cases_heldout8 import BENIGN as CASES
    elif name == "heldout9":
        from bench.pii_cases_heldout9 import CASES
    elif name == "benign9":
        from bench.pii_cases_heldout9 import BENIGN as CASES
    elif name == "heldout10":
        from bench.pii_cases_heldout10 import CASES
    elif name == "benign10":
        from bench.pii_cases_heldout10 import BENIGN as CASES
    elif name == "heldout11":
        from bench.pii_cases_heldout11 import CASES
    elif name == "benign11":
        from bench.pii_cases_heldout11 import BENIGN as CASES
    else:
        from bench.pii_cases_heldout4 import BENIGN as CASES
    docs = []
    for text, values in CASES:
        gold = []
        for value, typ in values:
            i = text.index(value)
            gold.append((i, i + len(value), typ))
        docs.append(Doc(text, tuple(gold), name))
    return docs


def benign_texts() -> dict[str, list[str]]:
    lib = Path(sysconfig.get_paths()["stdlib"])
    code = [(lib / f).read_text(encoding="utf-8") for f in STDLIB if (lib / f).exists()]
    docs = []
    for pkg in PACKAGES:
        try:
            body = metadata.metadata(pkg).get_payload()  # type: ignore[attr-defined]
        except metadata.PackageNotFoundError:
            continue
        if body:
            docs.append(str(body))
    return {"stdlib code": code, "package docs": docs}


def _chunks(text: str, size: int = 4000) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def alarms(texts: list[str], spans_of: Spans) -> tuple[int, Counter[str], Counter[str]]:
    chars, pattern, ner = 0, Counter[str](), Counter[str]()
    for text in texts:
        for piece in _chunks(text):
            chars += len(piece)
            for *_, ent in spans_of(piece):
                (ner if ent in NER else pattern)[ent] += 1
    return chars, pattern, ner


def news_alarms(spans_of: Spans) -> tuple[int, Counter[str]]:
    chars, out = 0, Counter[str]()
    for r in _jsonl("train_uner_pud_news_wiki_ner.jsonl"):
        chars += len(r["text"])
        gold = [(s["start"], s["end"]) for s in r["spans"]]
        for a, b, ent in spans_of(r["text"]):
            if ent in NER:
                continue
            if not any(a < gb and ga < b for ga, gb in gold):
                out[ent] += 1
    return chars, out


INJECTION = DATA.parent / "injection"


def ner_benign_texts() -> dict[str, list[str]]:
    def rows(name: str) -> list[dict[str, object]]:
        with open(INJECTION / name, encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]

    tldr = rows("train_tldr_pages_benign.jsonl")
    guide = rows("train_opensource_guide_benign.jsonl")
    return {
        "tldr pages, not English": [
            str(r["text"]) for r in tldr if "/en/" not in f"{r['category']}/"
        ],
        "opensource.guide, translations": [
            str(r["text"]) for r in guide if "/en" not in str(r["category"])
        ],
        "deepset benign questions": [
            str(r["text"]) for r in rows("train_deepset_prompt_injections.jsonl") if r["label"] == 0
        ],
        "self-instruct prompts": [str(r["text"]) for r in rows("train_selfinstruct_benign.jsonl")],
    }


def report_ner_benign(spans_of: Spans) -> str:
    rows = []
    for name, texts in ner_benign_texts().items():
        hit = sum(any(ent in NER for *_, ent in spans_of(t)) for t in texts)
        rows.append([name, len(texts), f"{hit / max(1, len(texts)):.3f}"])
    return "### Benign texts with a name redaction\n\n" + table(
        ["source", "texts", "share with a name redaction"], rows
    )


def report_benign(docs: list[Doc], spans_of: Spans, name: str = "benign4") -> str:
    """Text-level false-alarm rate: a benign text with any unlabelled redaction is an alarm."""
    alarmed = []
    for d in docs:
        false = [
            f"{ent}: {d.text[a:b]!r}"
            for a, b, ent in spans_of(d.text)
            if not any(a < gb and ga < b for ga, gb, _ in d.gold)
        ]
        if false:
            alarmed.append(f"  {d.text!r} -> {', '.join(false)}")
    rate = len(alarmed) / max(1, len(docs))
    head = f"### {name} ({len(docs)} texts): false-alarm rate {rate:.3f} ({len(alarmed)} texts)\n"
    return "\n".join([head, *alarmed])


def report_set(name: str, docs: list[Doc], spans_of: Spans, misses: bool) -> str:
    sc = score(docs, spans_of)
    rows = []
    for t in ORDER:
        if sc.gold[t] or sc.pred[t]:
            r, p = sc.recall(t), sc.precision(t)
            rows.append(
                [
                    t,
                    sc.gold[t],
                    f"{sc.found[t]}",
                    f"{r:.2f}",
                    f"{sc.token_recall(t):.2f}",
                    f"{sc.pred[t] - sc.good[t]}",
                    f"{p:.2f}",
                    f"{f2(p, r):.2f}" if sc.gold[t] and sc.pred[t] else "",
                ]
            )
    r, p, f = sc.micro()
    rows.append(
        ["micro", sum(sc.gold[t] for t in ORDER), "", f"{r:.2f}", "", "", f"{p:.2f}", f"{f:.3f}"]
    )
    out = [
        f"### {name} ({len(docs)} texts), micro F2 {f:.3f}\n",
        table(["type", "n", "found", "recall", "token recall", "false", "precision", "F2"], rows),
    ]
    if misses:
        out.append("\nMissed or partly missed (value -> type), and false alarms:")
        for d in docs:
            spans = spans_of(d.text)
            red = {i for a, b, _ in spans for i in range(a, b)}
            for a, b, typ in d.gold:
                need = {i for i in range(a, b) if d.text[i].isalnum()}
                if need and not need <= red:
                    left = "".join(d.text[i] for i in sorted(need - red))
                    out.append(f"  MISS {typ}: {d.text[a:b]!r} (left: {left[:40]!r})")
            for a, b, ent in spans:
                if not any(a < gb and ga < b for ga, gb, _ in d.gold):
                    out.append(f"  FALSE {ent}: {d.text[a:b]!r}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    from bench.pii import keepgate_scrubber

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--set",
        choices=(
            "heldout1",
            "heldout2",
            "heldout3",
            "heldout4",
            "heldout5",
            "heldout6",
            "heldout7",
            "heldout8",
            "heldout9",
            "heldout10",
            "heldout11",
            "benign4",
            "benign5",
            "benign6",
            "benign7",
            "benign8",
            "benign9",
            "benign10",
            "benign11",
            "ner-benign",
            "benign",
            "all",
        ),
        default="all",
    )
    ap.add_argument("--misses", action="store_true", help="list every missed value")
    ap.add_argument("--patterns-only", action="store_true", help="nlp_model: none")
    args = ap.parse_args(argv)
    section = {"nlp_model": "none"} if args.patterns_only else {}
    _, scrubber = keepgate_scrubber(section)

    def spans_of(t: str) -> list[tuple[int, int, str]]:
        return [(s.start, s.end, s.entity) for s in scrubber.analyze(t)]

    for name in (
        "heldout1",
        "heldout2",
        "heldout3",
        "heldout4",
        "heldout5",
        "heldout6",
        "heldout7",
        "heldout8",
        "heldout9",
        "heldout10",
        "heldout11",
    ):
        if args.set in (name, "all"):
            try:
                docs = heldout_docs(name)
            except ImportError:
                continue
            print(report_set(name, docs, spans_of, args.misses), "\n")
    if args.set in ("ner-benign", "all"):
        print(report_ner_benign(spans_of), "\n")
    if args.set in ("benign4", "all"):
        print(report_benign(heldout_docs("benign4"), spans_of), "\n")
    if args.set in ("benign5", "all"):
        print(report_benign(heldout_docs("benign5"), spans_of, "benign5"), "\n")
    if args.set in ("benign6", "all"):
        print(report_benign(heldout_docs("benign6"), spans_of, "benign6"), "\n")
    if args.set in ("benign7", "all"):
        print(report_benign(heldout_docs("benign7"), spans_of, "benign7"), "\n")
    if args.set in ("benign8", "all"):
        print(report_benign(heldout_docs("benign8"), spans_of, "benign8"), "\n")
    if args.set in ("benign9", "all"):
        print(report_benign(heldout_docs("benign9"), spans_of, "benign9"), "\n")
    if args.set in ("benign10", "all"):
        print(report_benign(heldout_docs("benign10"), spans_of, "benign10"), "\n")
    if args.set in ("benign11", "all"):
        print(report_benign(heldout_docs("benign11"), spans_of, "benign11"), "\n")
    if args.set in ("benign", "all"):
        rows = []
        for name, texts in benign_texts().items():
            chars, pattern, ner = alarms(texts, spans_of)
            rows.append(
                [
                    name,
                    chars,
                    f"{sum(pattern.values()) * 1e4 / chars:.2f}",
                    ", ".join(f"{k} {v}" for k, v in pattern.most_common(6)),
                    f"{sum(ner.values()) * 1e4 / chars:.1f}",
                ]
            )
        chars, news = news_alarms(spans_of)
        rows.append(
            [
                "news (UNER PUD)",
                chars,
                f"{sum(news.values()) * 1e4 / chars:.2f}",
                ", ".join(f"{k} {v}" for k, v in news.most_common(6)),
                "(labelled)",
            ]
        )
        print("### False alarms per 10k characters of benign text\n")
        print(table(["text", "chars", "pattern alarms", "by type", "ner"], rows))
    print(f"\nload average: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
