"""Train the injection classifier and write its artefact and dev-split metrics.

    python -m gateway.input_guards.train [--data DIR] [--out rules/classifier] [--bits 16]

Needs scikit-learn and scipy (training only; inference is numpy). Reads the shared data
(`dataset.DEFAULT_DATA`, i.e. ../shared/datasets/injection next to the repo), applies the
label policy, adds Keepgate's templated hard negatives and indirect injections, and holds
out `dataset.DEV_FILES` entirely. Writes `injection_classifier.npz` (plain arrays, no
pickle) and `metrics.json`, whose numbers the card quotes.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from gateway.input_guards import dataset, synthetic
from gateway.input_guards.classifier import Classifier
from gateway.input_guards.config import DEFAULT_CLASSIFIER, InputSettings
from gateway.input_guards.features import featurize
from gateway.input_guards.metrics import auc, metrics
from gateway.input_guards.normalize import Normalizer

SEED = 1234


def embedded_attacks(attacks: list[str], carriers: list[str], n: int, seed: int) -> list[str]:
    """Short attacks spliced into benign documents, as indirect injection arrives in tool results."""
    rng = random.Random(seed)
    short = [a for a in attacks if len(a) < 400]
    docs = [c for c in carriers if 200 < len(c) < 3000]
    out = []
    for _ in range(n):
        a, d = rng.choice(short), rng.choice(docs)
        cut = rng.randrange(len(d))
        cut = d.rfind(" ", 0, cut) + 1
        out.append(d[:cut] + "\n" + a + "\n" + d[cut:])
    return out


def training_rows(data: dict[str, list[dataset.Row]]) -> list[dataset.Row]:
    # Machine-translated attacks are dropped: with no non-English benign rows to match, they
    # teach "not English" = "attack" (see the card).
    rows = [r for name, rs in data.items() if name not in dataset.DEV_FILES for r in rs
            if not r.machine_translated]
    attacks = [r.text for r in rows if r.label == 1]
    benign_docs = [r.text for r in rows if r.label == 0]
    rows += [dataset.Row(t, 0, "keepgate:synthetic/hard_negatives")
             for t in synthetic.hard_negatives(600, seed=SEED)]
    rows += [dataset.Row(t, 0, "keepgate:synthetic/casual_questions")
             for t in synthetic.casual_questions(600, seed=SEED)]
    rows += [dataset.Row(t, 1, "keepgate:synthetic/indirect_attacks")
             for t in synthetic.indirect_attacks(400, seed=SEED)]
    rows += [dataset.Row(t, 1, "keepgate:synthetic/direct_attacks")
             for t in synthetic.direct_attacks(600, seed=SEED)]
    rows += [dataset.Row(t, 1, "keepgate:augmented/embedded_attacks")
             for t in embedded_attacks(attacks, benign_docs, 500, SEED)]
    return rows


def matrix(texts: list[str], bits: int, normalizer: Normalizer):
    from scipy.sparse import csr_matrix

    indptr, indices, values = [0], [], []
    for t in texts:
        idx, vals = featurize(normalizer.normalize(t).text, bits)
        indices.append(idx)
        values.append(vals)
        indptr.append(indptr[-1] + len(idx))
    return csr_matrix((np.concatenate(values), np.concatenate(indices), np.asarray(indptr)),
                      shape=(len(texts), 1 << bits))


def weights_for(rows: list[dataset.Row]) -> np.ndarray:
    """Each source counts by the square root of its size, and the classes weigh the same."""
    per_source = Counter(r.source for r in rows)
    w = np.array([1.0 / np.sqrt(per_source[r.source]) for r in rows])
    y = np.array([r.label for r in rows])
    for label in (0, 1):
        w[y == label] *= len(rows) / (2 * w[y == label].sum())
    return w


def fit(rows: list[dataset.Row], bits: int, c: float, normalizer: Normalizer) -> Classifier:
    from sklearn.linear_model import LogisticRegression

    x = matrix([r.text for r in rows], bits, normalizer)
    y = np.array([r.label for r in rows])
    model = LogisticRegression(C=c, max_iter=2000, solver="liblinear")
    model.fit(x, y, sample_weight=weights_for(rows))
    return Classifier(model.coef_[0].astype(np.float32), float(model.intercept_[0]), bits)


def evaluate(clf: Classifier, rows: list[dataset.Row], settings: InputSettings) -> dict:
    """Dev metrics for rules alone, classifier alone and both, using the gateway's scanner."""
    from gateway.input_guards.scanner import Scanner

    scanner = Scanner(settings.model_copy(update={"checks": settings.checks.model_copy(
        update={"classifier": False})}))
    normalizer = scanner.normalizer
    labels = [r.label for r in rows]
    rule_hits = [bool(scanner.scan(r.text).findings) for r in rows]
    scores = [clf.score(normalizer.normalize(r.text).text) for r in rows]
    thr = settings.classifier.threshold
    cls_hits = [s >= thr for s in scores]
    out = {"threshold": thr, "auc": round(auc(labels, scores), 4),
           "rules": metrics(labels, rule_hits).as_dict(),
           "classifier": metrics(labels, cls_hits).as_dict(),
           "combined": metrics(labels, [a or b for a, b in zip(rule_hits, cls_hits)]).as_dict()}
    out["per_source"] = {}
    for src in sorted({r.source for r in rows}):
        idx = [i for i, r in enumerate(rows) if r.source == src]
        out["per_source"][src] = {
            "rows": len(idx), "attacks": sum(labels[i] for i in idx),
            "rules_hit_rate": round(sum(rule_hits[i] for i in idx) / len(idx), 4),
            "classifier_hit_rate": round(sum(cls_hits[i] for i in idx) / len(idx), 4)}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", help="directory of injection/*.jsonl (default ../shared/datasets/injection)")
    ap.add_argument("--out", default=str(DEFAULT_CLASSIFIER.parent))
    ap.add_argument("--bits", type=int, default=16)
    ap.add_argument("--C", type=float, default=2.0, dest="c")
    ap.add_argument("--loso", action="store_true", help="also report leave-one-source-out AUCs")
    args = ap.parse_args(argv)

    t0 = time.time()
    data = dataset.load(args.data)
    normalizer = Normalizer()
    rows = training_rows(data)
    dev = dataset.dev_rows(args.data)
    counts = Counter((r.source, r.label) for r in rows)
    print(f"training rows: {len(rows)}  dev rows: {len(dev)}", file=sys.stderr)
    clf = fit(rows, args.bits, args.c, normalizer)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    clf.save(out / "injection_classifier.npz", trained_on=",".join(sorted({r.source for r in rows})))
    # Score with the artefact as saved (float16 weights), exactly as the gateway will.
    saved = Classifier.load(out / "injection_classifier.npz")
    report = {
        "trained": time.strftime("%Y-%m-%d"), "bits": args.bits, "C": args.c, "seed": SEED,
        "dev_files": list(dataset.DEV_FILES),
        "train_sources": {f"{s} [{'attack' if y else 'benign'}]": n
                          for (s, y), n in sorted(counts.items())},
        "relabelled_rows": sum(r.relabelled for rs in data.values() for r in rs),
        "dev": evaluate(saved, dev, InputSettings()),
    }
    if args.loso:
        report["loso_auc"] = {}
        for name in sorted(data):
            if name in dataset.DEV_FILES:
                continue
            train = [r for r in rows if r.source != name]
            held = data[name]
            m = fit(train, args.bits, args.c, normalizer)
            labels = [r.label for r in held]
            scores = [m.score(normalizer.normalize(r.text).text) for r in held]
            thr = InputSettings().classifier.threshold
            report["loso_auc"][name] = ({"auc": round(auc(labels, scores), 4)}
                                        if 0 < sum(labels) < len(labels) else
                                        {"hit_rate_at_threshold": round(
                                            sum(s >= thr for s in scores) / len(scores), 4),
                                         "label": labels[0]})
    (out / "metrics.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report["dev"], indent=2))
    print(f"done in {time.time() - t0:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
