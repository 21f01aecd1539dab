"""Train the shipped NER tagger: `python -m training.ner.train [--out PATH]`.

Reproducible (fixed seeds, one process, ~5 minutes on a shared 2-core box): the same data
and code give the same weights. Needs `faker` (`pip install -e '.[train]'`) and the shared
data sets beside the checkout (`../shared/datasets/pii`). Writes the weights
(`model/keepgate_ner.npz`) and `model/metrics.json` (dev scores per source); the card is
`model/MODEL_CARD.md`.

An averaged structured perceptron (Collins 2002): for each sentence, decode with the
current weights (greedily, as at run time); where the best sequence differs from the gold
one, add the gold features' weights and subtract the predicted ones. The averaged weights
(the mean over every step) generalise much better than the last ones and are what ships.
Training sentences are augmented with lower-cased copies (chat and tweets often come that
way). After training, a per-label offset of the entity tags against `O` is tuned for F2 on
held-back rows of the training sources (`_tune_bias`), then the scores are calibrated.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import keepgate.scrubbing.ner
from keepgate.scrubbing.ner.tagger import (
    ALLOWED,
    BITS,
    G_COMMON,
    G_FIRST,
    G_LAST,
    G_ORG,
    LABELS,
    G_PLACE,
    N_TAGS,
    NEG,
    START_OK,
    TAGS,
    Gazetteer,
    Tagger,
    WordCache,
    _id,
    _spans,
    decode,
    features,
    span_margins,
    tokenize,
)
from training.ner import data as D

#: The shipped weights live beside the runtime tagger, in the package.
MODEL_DIR = Path(keepgate.scrubbing.ner.__file__).resolve().parent / "model"
SEED = 15
EPOCHS = 12
N_TEMPLATES = 12000
LOWER_SHARE = 0.2
#: Words an organisation's name often ends or starts with.
ORG_WORDS = (
    "inc",
    "ltd",
    "llc",
    "plc",
    "gmbh",
    "ag",
    "sa",
    "corp",
    "corporation",
    "company",
    "co",
    "group",
    "holdings",
    "bank",
    "university",
    "college",
    "institute",
    "school",
    "hospital",
    "foundation",
    "association",
    "council",
    "ministry",
    "department",
    "agency",
    "services",
    "solutions",
    "systems",
    "technologies",
    "partners",
    "industries",
    "international",
    "airlines",
    "motors",
    "labs",
    "studio",
    "studios",
    "club",
    "fc",
    "united",
    "party",
    "committee",
    "commission",
    "press",
    "news",
    "times",
    "records",
    "s.l.",
    "srl",
    "bv",
    "nv",
    "ab",
    "as",
    "oy",
    "kg",
    "spa",
)


def gazetteer(
    train: list[D.Example], locales: tuple[str, ...] | None = None
) -> dict[int, set[int]]:
    """Name lists from faker's locales (first names, surnames, places), organisation words,
    and the most common lower-case words of the training text (outside entities)."""
    from faker import Faker

    from training.ner.templates import LOCALES

    firsts: set[str] = set()
    lasts: set[str] = set()
    places: set[str] = set()
    for loc in locales or LOCALES:
        f = Faker(loc)
        for prov in f.providers:
            for attr in ("first_names", "first_names_male", "first_names_female"):
                firsts.update(_words(getattr(prov, attr, ())))
            lasts.update(_words(getattr(prov, "last_names", ())))
            for attr in ("countries", "cities", "states", "city_names"):
                places.update(_words(getattr(prov, attr, ())))
    common: Counter[str] = Counter()
    for ex in train:
        if ex.source == "template":
            continue
        for t in tokenize(ex.text):
            if t.text.islower() and not any(a <= t.start < b for a, b, _ in ex.spans):
                common[t.text] += 1
    frequent = {w for w, _ in common.most_common(3000)}
    return {
        G_FIRST: {_id(w) for w in firsts},
        G_LAST: {_id(w) for w in lasts},
        G_PLACE: {_id(w) for w in places},
        G_ORG: {_id(w) for w in ORG_WORDS},
        G_COMMON: {_id(w) for w in frequent},
    }


def _words(values: Any) -> set[str]:  # lists, tuples or weighted dicts
    out: set[str] = set()
    for v in values:
        for w in tokenize(str(v)):
            if any(c.isalpha() for c in w.text):
                out.add(w.text.lower())
    return out


def _augment(
    train: list[D.Example],
    rnd: random.Random,
    lower_share: float = LOWER_SHARE,
    upper_share: float = 0.0,
) -> list[D.Example]:
    """Lower-cased copies (chat, tweets) and, with `upper_share`, upper-cased ones (headers,
    shouted tweets). The offsets stay valid: a case change keeps the length (`ß` -> `SS`
    does not, so such rows are not upper-cased)."""
    out = list(train)
    for ex in train:
        if ex.source == "template":
            continue
        if rnd.random() < lower_share:
            out.append(D.Example(ex.text.lower(), ex.spans, ex.source + "/lower"))
        if upper_share and rnd.random() < upper_share:
            up = ex.text.upper()
            if len(up) == len(ex.text) and ex.spans:
                out.append(D.Example(up, ex.spans, ex.source + "/upper"))
    return out


class Perceptron:
    def __init__(self) -> None:
        size = 2**BITS
        self.W = np.zeros((size, N_TAGS), dtype=np.float32)
        self.U = np.zeros((size, N_TAGS), dtype=np.float64)  # sum of step * update
        self.T = np.zeros((N_TAGS, N_TAGS), dtype=np.float64)
        self.TU = np.zeros((N_TAGS, N_TAGS), dtype=np.float64)
        self.S = np.zeros(N_TAGS, dtype=np.float64)
        self.SU = np.zeros(N_TAGS, dtype=np.float64)
        self.step = 1

    def predict(self, feats: np.ndarray) -> list[int]:
        emit = self.W[feats].sum(axis=1)
        trans = np.where(ALLOWED, self.T, NEG)
        start = np.where(START_OK, self.S, NEG)
        return decode(emit, trans, start)

    def update(self, feats: np.ndarray, gold: list[int], pred: list[int]) -> None:
        c = self.step
        g, p = np.array(gold), np.array(pred)
        diff = np.nonzero(g != p)[0]
        if len(diff):
            rows = feats[diff]
            k = rows.shape[1]
            for tags, sign in ((g[diff], 1.0), (p[diff], -1.0)):
                r, t = rows.ravel(), np.repeat(tags, k)
                np.add.at(self.W, (r, t), sign)
                np.add.at(self.U, (r, t), sign * c)
            for seq, sign in ((gold, 1.0), (pred, -1.0)):
                self.S[seq[0]] += sign
                self.SU[seq[0]] += sign * c
                for a, b in zip(seq, seq[1:]):
                    self.T[a, b] += sign
                    self.TU[a, b] += sign * c
        self.step += 1

    def averaged(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        c = self.step
        return (self.W - self.U / c).astype(np.float32), self.T - self.TU / c, self.S - self.SU / c


def _prepared(examples: list[D.Example], info: WordCache) -> list[tuple[np.ndarray, list[int]]]:
    out = []
    for ex in examples:
        tokens, tags = D.labelled(ex)
        if tokens:
            out.append((features(ex.text, tokens, info), tags))
    return out


def train(
    data_dir: Path,
    epochs: int = EPOCHS,
    n_templates: int = N_TEMPLATES,
    seed: int = SEED,
    limit: int | None = None,
    log: Callable[..., None] = print,
    locales: tuple[str, ...] | None = None,
    min_precision: float | None = None,
    rows: list[D.Example] | None = None,
    lower_share: float = LOWER_SHARE,
    upper_share: float = 0.0,
    tuned_labels: tuple[str, ...] | None = None,
) -> tuple[Tagger, dict[str, Any]]:
    """Train on `rows` (default: the training sources of `D.split`) plus the templates."""
    from training.ner.templates import LOCALES, generate

    rnd = random.Random(seed)
    train_rows = list(rows) if rows is not None else D.split(data_dir)[0]
    # A calibration slice (rows of the training sources, never trained on) fits the score
    # temperature; the dev sources stay untouched.
    rnd.shuffle(train_rows)
    n_cal = len(train_rows) // 12
    calibration, train_rows = train_rows[:n_cal], train_rows[n_cal:]
    train_rows += generate(n_templates, seed, locales or LOCALES)
    if limit:
        rnd.shuffle(train_rows)
        train_rows = train_rows[:limit]
        calibration = calibration[: max(100, limit // 10)]
    gaz_ids = gazetteer(train_rows, locales)
    gaz = Gazetteer({k: np.array(sorted(v), dtype=np.uint32) for k, v in gaz_ids.items()})
    info = WordCache(gaz, size=10**7)
    train_rows = _augment(train_rows, rnd, lower_share, upper_share)
    t0 = time.perf_counter()
    prepared = _prepared(train_rows, info)
    log(f"{len(prepared)} training sentences, features in {time.perf_counter() - t0:.0f} s")
    model = Perceptron()
    order = list(range(len(prepared)))
    for epoch in range(epochs):
        rnd.shuffle(order)
        wrong = 0
        t0 = time.perf_counter()
        for i in order:
            feats, gold = prepared[i]
            pred = model.predict(feats)
            if pred != gold:
                wrong += 1
                model.update(feats, gold, pred)
            else:
                model.step += 1
        log(
            f"epoch {epoch + 1}: {wrong / len(order):.3f} of sentences wrong "
            f"({time.perf_counter() - t0:.0f} s)"
        )
    W, T, S = model.averaged()
    tagger = Tagger(W, T, S, gaz)
    tagger.platt = _platt(tagger, calibration)
    tagger.bias, tuned = _tune_bias(
        tagger,
        calibration,
        log,
        MIN_PRECISION if min_precision is None else min_precision,
        tuned_labels or TUNED_LABELS,
    )
    tagger.platt = _platt(tagger, calibration)
    log(
        f"score = sigmoid({tagger.platt[0]:.4f} * margin + {tagger.platt[1]:.3f}) "
        f"(fitted on {len(calibration)} held-back rows)"
    )
    return tagger, {
        "train_sentences": len(prepared),
        "epochs": epochs,
        "seed": seed,
        "templates": n_templates,
        "calibration_rows": len(calibration),
        "bias": tuned,
    }


#: Labels whose entity-vs-O offset is tuned, and the grid (in standard deviations of the
#: span margins). PERSON stays at 0: it already meets its target, and its precision is
#: what keeps ordinary capitalised words in answers.
TUNED_LABELS = ("LOCATION", "ORGANIZATION")
BIAS_GRID = tuple(round(0.05 * k, 2) for k in range(-4, 21))
#: F2 keeps rising slowly as the offsets grow while precision falls fast (0.90 -> 0.75 on
#: the held-back rows at the F2 optimum): every capitalised word in an answer would go.
#: The offsets are the best F2 among settings that keep held-back precision at this floor.
MIN_PRECISION = 0.85


def _calibration_f2(
    tagger: Tagger, rows: list[tuple[str, list[Any], np.ndarray, tuple[Any, ...]]], bias: np.ndarray
) -> tuple[float, float, float]:
    """Micro recall / precision / F2 of what the recognizer would redact on held-back rows,
    scored as `bench/pii_dev.py` does: a labelled value counts as found when all its letters
    and digits are redacted, a redaction is right when it overlaps a labelled value."""
    from keepgate.scrubbing.ner.recognizer import kept
    from keepgate.scrubbing.settings import DEFAULT_THRESHOLDS

    found = gold = good = pred = 0
    for text, tokens, emit, spans in rows:
        e = emit + bias
        tags = decode(e, tagger.trans, tagger.start)
        ents = [
            x
            for x in kept(text, _spans(tokens, tags, e, tagger.platt), set(LABELS))
            if x.score >= DEFAULT_THRESHOLDS.get(x.label, 0.0)
        ]
        red: set[int] = set()
        for x in ents:
            red.update(range(x.start, x.end))
        for a, b, _ in spans:
            need = {i for i in range(a, b) if text[i].isalnum()}
            if need:
                gold += 1
                found += need <= red
        pred += len(ents)
        good += sum(any(a < x.end and x.start < b for a, b, _ in spans) for x in ents)
    r, p = found / max(1, gold), good / max(1, pred)
    return r, p, (5 * p * r / (4 * p + r) if p + r else 0.0)


def _tune_bias(
    tagger: Tagger,
    rows: list[D.Example],
    log: Callable[..., None],
    min_precision: float = MIN_PRECISION,
    labels: tuple[str, ...] = TUNED_LABELS,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Per-label offsets of the entity tags against `O`, chosen on held-back rows of the
    training sources (never the dev sources) to maximise F2: a perceptron's decision
    boundary is tuned for accuracy, a scrubber's loss is uneven (a leak costs more than a
    false redaction), under a precision floor (`MIN_PRECISION`). Coordinate ascent over
    `BIAS_GRID`, two rounds."""
    prepared = []
    margins = []
    for ex in rows:
        tokens = tokenize(ex.text)
        if tokens:
            emit = tagger.emissions(ex.text, tokens) - tagger.bias
            prepared.append((ex.text, tokens, emit, ex.spans))
            margins.append(emit[:, 1:].max(axis=1) - emit[:, 0])
    scale = float(np.std(np.concatenate(margins))) or 1.0
    steps = {lab: 0.0 for lab in labels}

    def vector(st: dict[str, float]) -> np.ndarray:
        b = np.zeros(N_TAGS, dtype=np.float32)
        for lab, v in st.items():
            b[TAGS.index(f"B-{lab}")] = b[TAGS.index(f"I-{lab}")] = v * scale
        return b

    base = _calibration_f2(tagger, prepared, vector(steps))
    best = base[2]
    for _ in range(2):
        for lab in labels:
            for v in BIAS_GRID:
                trial = dict(steps, **{lab: v})
                _, p, f = _calibration_f2(tagger, prepared, vector(trial))
                if f > best + 1e-4 and p >= min_precision:
                    best, steps = f, trial
    after = _calibration_f2(tagger, prepared, vector(steps))
    log(
        f"entity offsets {steps} (x {scale:.0f}): held-back R/P/F2 "
        f"{base[0]:.3f}/{base[1]:.3f}/{base[2]:.3f} -> "
        f"{after[0]:.3f}/{after[1]:.3f}/{after[2]:.3f}"
    )
    return vector(steps), {
        "steps": steps,
        "scale": scale,
        "before": [round(x, 4) for x in base],
        "after": [round(x, 4) for x in after],
    }


def _platt(tagger: Tagger, rows: list[D.Example]) -> tuple[float, float]:
    """Platt scaling on held-back rows: a logistic fit of "this predicted span overlaps a
    labelled entity" on the span's margin, so scores read as probabilities and per-entity
    thresholds mean something."""
    xs, ys = [], []
    for ex in rows:
        tokens = tokenize(ex.text)
        if not tokens:
            continue
        emit = tagger.emissions(ex.text, tokens)
        tags = decode(emit, tagger.trans, tagger.start)
        for i, j, _, m in span_margins(tokens, tags, emit):
            s, e = tokens[i].start, tokens[j - 1].end
            xs.append(m)
            ys.append(float(any(a < e and s < b for a, b, _ in ex.spans)))
    x, y = np.array(xs), np.array(ys)
    scale = float(np.std(x)) or 1.0
    a, b = 1.0, 0.0
    for _ in range(3000):  # gradient descent on the log loss, x standardised
        p = 1 / (1 + np.exp(-(a * x / scale + b)))
        a -= 0.5 * float(((p - y) * x / scale).mean())
        b -= 0.5 * float((p - y).mean())
    return a / scale, b


def save(tagger: Tagger, path: Path) -> None:
    W = tagger.W
    rows = np.nonzero(np.abs(W).max(axis=1) > 1e-3)[0].astype(np.uint32)
    scale = float(np.abs(W).max()) / 60000 or 1.0
    values = np.round(W[rows] / scale).astype(
        np.int16 if np.abs(W).max() / scale < 32767 else np.int32
    )
    gaz = {
        f"gaz_{flag}": np.array(sorted(s), dtype=np.uint32)
        for flag, s in _gaz_sets(tagger.gaz).items()
    }
    trans = np.where(ALLOWED, tagger.trans, 0).astype(np.float32)
    start = np.where(START_OK, tagger.start, 0).astype(np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, Any] = {
        "rows": rows,
        "values": values,
        "scale": np.float64(scale),
        "trans": trans,
        "start": start,
        "platt": np.array(tagger.platt, dtype=np.float64),
        "bias": tagger.bias.astype(np.float32),
        **gaz,
    }
    np.savez_compressed(path, **arrays)


def _gaz_sets(gaz: Gazetteer) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    for word, flags in gaz.table.items():
        for flag in (G_FIRST, G_LAST, G_PLACE, G_ORG, G_COMMON):
            if flags & flag:
                out.setdefault(flag, set()).add(word)
    return out


def evaluate(tagger: Tagger, rows: list[D.Example]) -> dict[str, dict[str, float]]:
    """Exact-span precision/recall/F1 per label (the usual NER score), per source."""
    by: dict[str, Counter[str]] = {}
    for ex in rows:
        src = ex.source.split("/")[0]
        c = by.setdefault(src, Counter())
        gold = {(a, b, lab) for a, b, lab in ex.spans}
        gold = {(a + len(ex.text[a:b]) - len(ex.text[a:b].lstrip()), b, lab) for a, b, lab in gold}
        tokens = tokenize(ex.text)
        pred = set()
        if tokens:
            emit = tagger.emissions(ex.text, tokens)
            tags = decode(emit, tagger.trans, tagger.start)
            pred = {(s.start, s.end, s.label) for s in _spans(tokens, tags, emit, (1.0, 0.0))}
        for lab in ("PERSON", "LOCATION", "ORGANIZATION"):
            gl = {g for g in gold if g[2] == lab}
            pl = {p for p in pred if p[2] == lab}
            c[f"{lab}_tp"] += len(gl & pl)
            c[f"{lab}_gold"] += len(gl)
            c[f"{lab}_pred"] += len(pl)
    out: dict[str, dict[str, float]] = {}
    for src, c in by.items():
        for lab in ("PERSON", "LOCATION", "ORGANIZATION"):
            r = c[f"{lab}_tp"] / max(1, c[f"{lab}_gold"])
            p = c[f"{lab}_tp"] / max(1, c[f"{lab}_pred"])
            out[f"{src}/{lab}"] = {
                "recall": round(r, 3),
                "precision": round(p, 3),
                "n": c[f"{lab}_gold"],
            }
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=D.default_data_dir())
    ap.add_argument("--out", type=Path, default=MODEL_DIR / "keepgate_ner.npz")
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    ap.add_argument("--templates", type=int, default=N_TEMPLATES)
    ap.add_argument("--limit", type=int, default=None, help="train on this many rows (smoke)")
    ap.add_argument(
        "--min-precision",
        type=float,
        default=MIN_PRECISION,
        help="precision floor on held-back rows when tuning the entity offsets "
        "(0: best F2 whatever the precision)",
    )
    args = ap.parse_args(argv)
    tagger, meta = train(
        args.data, args.epochs, args.templates, limit=args.limit, min_precision=args.min_precision
    )
    save(tagger, args.out)
    loaded = Tagger.load(args.out)
    _, dev = D.split(args.data)
    scores = evaluate(loaded, dev)
    meta.update(platt=list(loaded.platt), dev_exact_span=scores)
    (args.out.parent / "metrics.json").write_text(json.dumps(meta, indent=1) + "\n")
    for k, v in scores.items():
        print(f"{k:32s} R {v['recall']:.3f} P {v['precision']:.3f} n={v['n']}")


if __name__ == "__main__":
    main()
