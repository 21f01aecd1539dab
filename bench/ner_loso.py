"""Leave-one-source-out evaluation of the NER recipe: `python -m bench.ner_loso`.

Why: the shipped tagger's dev scores (`metrics.json`) come from sources whose style its
training data shares (BTC section F beside sections A-H). An evaluation on text we never
saw is closer to this: train the recipe on every source but one (plus the templates),
score on the held-out source, for each source in turn. Never a random split of a source
(its rows share templates, authors and topics).

Two views per held-out source, scored as `bench/pii_dev.py` does (a value is found when
every letter and digit of it is redacted, whatever the label; a redaction is right when
it overlaps a labelled value):

* `model`: the tagger through the recognizer's filter (`kept`) and the default per-entity
  thresholds, without the precision checks or structural recognisers;
* `pipeline`: the whole `Scrubber` (patterns, the NER recognizer with its precision checks,
  sign-offs, titles, tables), with this fold's tagger in place of the shipped one.

And hard benign text (no personal data to speak of), through the pipeline: the share of
texts with any name redaction (non-English tldr pages and opensource.guide translations,
deepset's benign questions, self-instruct prompts, the benign parts of held-out sets 4-10)
and NER redactions per 10k characters of standard-library code.

    python -m bench.ner_loso --variant baseline --fold btc --out /tmp/loso   # one fold
    python -m bench.ner_loso --variant shipped --fold btc --out /tmp/loso    # no training
    python -m bench.ner_loso --report /tmp/loso                               # the table

Variants are recipes (`VARIANTS`): `baseline` is the shipped recipe. Each fold trains a
full model (~5-10 minutes on two shared cores); run folds in parallel processes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from training.ner import data as D

SOURCES = ("btc", "ewt", "pud", "presidio_large", "presidio_synth")
#: Recipes: keyword arguments of `training.ner.train.train`.
VARIANTS: dict[str, dict[str, Any]] = {
    "baseline": {},
    # casing: upper-cased copies (headers, shouted tweets), more lower-cased ones (chat)
    "casing": {"lower_share": 0.3, "upper_share": 0.1},
    # casing, and PERSON's entity offset tuned with the others (it was fixed at 0)
    "casing_person": {
        "lower_share": 0.3,
        "upper_share": 0.1,
        "tuned_labels": ("PERSON", "LOCATION", "ORGANIZATION"),
    },
    "person": {"tuned_labels": ("PERSON", "LOCATION", "ORGANIZATION")},
}
TYPES = ("PERSON", "LOCATION", "ORGANIZATION")


def docs_of(data_dir: Path, name: str) -> list[Any]:
    """Every row of one source file, with all its labels (patterns' types too)."""
    from bench.pii_dev import Doc

    out = []
    with open(data_dir / D.FILES[name], encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                r = json.loads(line)
                gold = tuple((s["start"], s["end"], s["type"]) for s in r["spans"])
                out.append(Doc(r["text"], gold, name))
    return out


def train_rows(data_dir: Path, held: str) -> list[D.Example]:
    return [ex for name in SOURCES if name != held for ex in D.load(data_dir, name)]


def _model_spans(tagger: Any) -> Any:
    from keepgate.scrubbing.ner.recognizer import kept
    from keepgate.scrubbing.ner.tagger import LABELS
    from keepgate.scrubbing.settings import DEFAULT_THRESHOLDS

    def spans_of(text: str) -> list[tuple[int, int, str]]:
        ents = kept(text, tagger.entities(text), set(LABELS))
        return [
            (e.start, e.end, e.label)
            for e in ents
            if e.score >= DEFAULT_THRESHOLDS.get(e.label, 0.0)
        ]

    return spans_of


def _pipeline_spans(tagger: Any) -> Any:
    import keepgate.scrubbing.ner.shipped as shipped
    from bench.pii import keepgate_scrubber

    shipped._TAGGER = tagger  # this fold's tagger wherever the package asks for the shipped one
    _, scrubber = keepgate_scrubber({})

    def spans_of(text: str) -> list[tuple[int, int, str]]:
        return [(s.start, s.end, s.entity) for s in scrubber.analyze(text)]

    return spans_of


def _scores(docs: list[Any], spans_of: Any) -> dict[str, dict[str, float]]:
    from bench.pii_dev import f2, score

    sc = score(docs, spans_of)
    out = {}
    for t in TYPES:
        r, p = sc.recall(t), sc.precision(t)
        out[t] = {
            "n": sc.gold[t],
            "recall": round(r, 4),
            "precision": round(p, 4),
            "f2": round(f2(p, r), 4),
            "pred": sc.pred[t],
        }
    return out


def _benign(spans_of: Any) -> dict[str, float]:
    from bench.pii_heldout import (
        NER,
        STDLIB,
        _chunks,
        heldout_docs,
        ner_benign_texts,
    )

    texts = [t for ts in ner_benign_texts().values() for t in ts]
    for name in ("benign4", "benign5", "benign6", "benign7", "benign8", "benign9", "benign10"):
        texts += [d.text for d in heldout_docs(name) if not d.gold]
    hit = sum(any(ent in NER for *_, ent in spans_of(t)) for t in texts)
    import sysconfig

    lib = Path(sysconfig.get_paths()["stdlib"])
    chars = names = 0
    for f in STDLIB:
        if (lib / f).exists():
            for piece in _chunks((lib / f).read_text(encoding="utf-8")):
                chars += len(piece)
                names += sum(ent in NER for *_, ent in spans_of(piece))
    return {
        "texts": len(texts),
        "share_with_name": round(hit / max(1, len(texts)), 4),
        "code_names_per_10k": round(names * 1e4 / max(1, chars), 2),
    }


def run_fold(data_dir: Path, variant: str, held: str, out: Path) -> dict[str, Any]:
    from keepgate.scrubbing.ner.shipped import MODEL
    from keepgate.scrubbing.ner.tagger import Tagger
    from training.ner.train import save, train

    t0 = time.process_time()
    if variant == "shipped":
        tagger = Tagger.load(MODEL)
        meta: dict[str, Any] = {
            "note": "shipped weights (trained on btc A,B,E,G,H, ewt, "
            "presidio_large: in-sample there)"
        }
    else:
        tagger, meta = train(
            data_dir,
            rows=train_rows(data_dir, held),
            log=lambda *a: print(*a, flush=True),
            **VARIANTS[variant],
        )
        path = out / f"{variant}-{held}.npz"
        save(tagger, path)
        tagger = Tagger.load(path)  # score what would ship (quantised weights)
    docs = docs_of(data_dir, held)
    result = {
        "variant": variant,
        "held_out": held,
        "rows": len(docs),
        "model": _scores(docs, _model_spans(tagger)),
        "pipeline": _scores(docs, _pipeline_spans(tagger)),
        "benign": _benign(_pipeline_spans(tagger)),
        "meta": {k: v for k, v in meta.items() if k != "dev_exact_span"},
        "cpu_s": round(time.process_time() - t0),
        "utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "load": round(os.getloadavg()[0], 1),
    }
    (out / f"{variant}-{held}.json").write_text(json.dumps(result, indent=1) + "\n")
    return result


def report(out: Path) -> str:
    results = [json.loads(p.read_text()) for p in sorted(out.glob("*.json"))]
    lines = [
        "| held-out source | recipe | view | PERSON R / P / F2 | LOCATION R / P / F2 "
        "| ORGANIZATION R / P / F2 |",
        "|---|---|---|---|---|---|",
    ]
    order = {s: i for i, s in enumerate(SOURCES)}
    results.sort(key=lambda r: (order[r["held_out"]], r["variant"]))
    for r in results:
        for view in ("model", "pipeline"):
            cells = [
                f"{r[view][t]['recall']:.2f} / {r[view][t]['precision']:.2f} / "
                f"**{r[view][t]['f2']:.2f}** (n {r[view][t]['n']})"
                for t in TYPES
            ]
            lines.append(
                f"| {r['held_out']} | {r['variant']} | {view} | " + " | ".join(cells) + " |"
            )
    lines += [
        "",
        "| recipe | held-out model | benign texts with a name | NER names / 10k chars of code |",
        "|---|---|---|---|",
    ]
    for r in results:
        b = r["benign"]
        lines.append(
            f"| {r['variant']} | {r['held_out']} | {b['share_with_name']:.3f} ({b['texts']} texts) "
            f"| {b['code_names_per_10k']:.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--data", type=Path, default=D.default_data_dir())
    ap.add_argument("--variant", choices=("shipped", *VARIANTS), default="baseline")
    ap.add_argument("--fold", choices=SOURCES)
    ap.add_argument("--out", type=Path, default=Path("/tmp/keepgate_loso"))
    ap.add_argument("--report", type=Path, help="print the table of a results directory")
    args = ap.parse_args(argv)
    if args.report:
        print(report(args.report))
        return
    args.out.mkdir(parents=True, exist_ok=True)
    folds = [args.fold] if args.fold else list(SOURCES)
    for held in folds:
        r = run_fold(args.data, args.variant, held, args.out)
        print(json.dumps({k: r[k] for k in ("held_out", "model", "pipeline", "benign")}))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
