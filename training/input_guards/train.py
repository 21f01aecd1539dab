"""Train the input guard's three local models and write their artefacts.

    python -m training.input_guards.train [--data DIR] [--out rules/classifier]

1. the first-stage **classifier** (hashed n-grams, `injection_classifier.npz`);
2. the **gibberish** detector for adversarial suffixes (`gibberish_detector.npz`);
3. the **instruction-in-data** detector for tool results (`instruction_detector.npz`);
4. the **prompt-cue** head (`cue_detector.npz`): knowledge-written weights over the cue
   categories of `cue_lexicon`, nudged by the data.

Needs scikit-learn and scipy (the `[train]` extra); serving is numpy only. Reads the shared
data (`dataset.DEFAULT_DATA`), applies the label policy, adds Keepgate's templated training
text (`synthetic.py`), and trains on every shared source: how well that generalises is what
`python -m training.input_guards.evaluate` measures, holding out whole sources and families.
The hand-written evaluation sets (`evalsets/`) are never trained on. Deterministic: fixed
seeds and liblinear with a fixed random_state, so the same data gives the same arrays.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from training.input_guards import corpus, dataset, injected, synthetic
from keepgate.input_guards.classifier import Classifier
from keepgate.input_guards.config import DEFAULT_CLASSIFIER
from keepgate.input_guards.features import featurize
from keepgate.input_guards.gibberish import GibberishDetector, window_rows
from keepgate.input_guards.gibberish import tail as gibberish_tail
from keepgate.input_guards import cue_lexicon
from keepgate.input_guards.cues import CueDetector, CueMatcher
from keepgate.input_guards.cues import feature_values as cue_feature_values
from keepgate.input_guards.instructions import (
    InstructionDetector,
    document_slots,
    none_slots,
    segment_features,
)
from keepgate.input_guards.normalize import Normalizer

SEED = 1234
CLASSIFIER_BITS = 16
CLASSIFIER_C = 2.0
GIBBERISH_BITS = 18
GIBBERISH_C = 1.0
INSTRUCTION_BITS = 16
INSTRUCTION_C = 0.3
CUE_LAMBDA = 5.0

ARTEFACTS = {
    "classifier": "injection_classifier.npz",
    "gibberish": "gibberish_detector.npz",
    "instructions": "instruction_detector.npz",
    "cues": "cue_detector.npz",
}


# -- first-stage classifier ----------------------------------------------------------------


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


def synthetic_items(shared: Sequence[corpus.Item], seed: int = SEED) -> list[corpus.Item]:
    """Keepgate's templated training text, plus attacks spliced into the given documents."""

    def item(t: str, label: int, src: str, kind: str = "prompt") -> corpus.Item:
        return corpus.Item(t, label, "keepgate:" + src, "synthetic", kind, "synthetic")

    out = [item(t, 0, "synthetic/hard_negatives") for t in synthetic.hard_negatives(600, seed=seed)]
    out += [
        item(t, 0, "synthetic/casual_questions") for t in synthetic.casual_questions(600, seed=seed)
    ]
    out += [
        item(t, 1, "synthetic/indirect_attacks", "data")
        for t in synthetic.indirect_attacks(400, seed=seed)
    ]
    out += [
        item(t, 1, "synthetic/direct_attacks") for t in synthetic.direct_attacks(600, seed=seed)
    ]
    attacks = [
        i.text for i in shared if i.label == 1 and i.kind == "prompt" and i.family != "multilingual"
    ]
    docs = [i.text for i in shared if i.label == 0 and i.kind == "data"]
    if attacks and docs:
        out += [
            item(t, 1, "augmented/embedded_attacks", "data")
            for t in embedded_attacks(attacks, docs, 500, seed)
        ]
    out += [
        item(t, 1, "augmented/embedded_attacks_intl", "data")
        for t in embedded_attacks_intl(shared, INTL_EMBEDDED, seed)
    ]
    return out


#: Machine-translated attacks spliced into benign documents of the same script (round 8).
INTL_EMBEDDED = 300


def embedded_attacks_intl(shared: Sequence[corpus.Item], n: int, seed: int) -> list[str]:
    """Indirect injection in other languages: a machine-translated attack (the CyberSecEval
    translations) spliced into a benign document in the same script group (the tldr and
    opensource.guide translations), so the classifier sees other-language attacks inside
    data and not only as whole prompts. Built from the fold's own rows, so a held-out fold
    gives none of its attacks to the others."""
    attacks: dict[str, list[str]] = {}
    for i in shared:
        if i.label == 1 and i.family == "multilingual" and len(i.text) < 400:
            attacks.setdefault(script_group(i.text), []).append(i.text)
    docs: dict[str, list[str]] = {}
    for i in shared:
        if i.label == 0 and i.kind == "data" and 200 < len(i.text) < 3000:
            g = script_group(i.text)
            if g != "ascii" and g in attacks:
                docs.setdefault(g, []).append(i.text)
    groups = sorted(docs)
    if not groups:
        return []
    rng = random.Random(seed + 8)
    out = []
    for k in range(n):
        g = groups[k % len(groups)]
        out += embedded_attacks(attacks[g], docs[g], 1, rng.randrange(1 << 30))
    return out


#: Unicode ranges of the scripts a text is grouped by for the classifier's language balance
#: (round 8). Latin letters with diacritics count as one group: most European languages
#: write some, English text almost never.
_SCRIPTS: tuple[tuple[int, int, str], ...] = (
    (0x00C0, 0x024F, "latin_ext"),
    (0x0370, 0x03FF, "greek"),
    (0x0400, 0x052F, "cyrillic"),
    (0x0590, 0x05FF, "hebrew"),
    (0x0600, 0x06FF, "arabic"),
    (0x0900, 0x097F, "devanagari"),
    (0x0980, 0x0DFF, "indic"),
    (0x0E00, 0x0EFF, "thai_lao"),
    (0x1100, 0x11FF, "hangul"),
    (0x3040, 0x30FF, "kana"),
    (0x4E00, 0x9FFF, "han"),
    (0xAC00, 0xD7AF, "hangul"),
)


def script_group(text: str) -> str:
    """The text's language group by script: "ascii" unless at least 2 % of its letters are
    in one of `_SCRIPTS` (then the commonest of them; kana beats Han, Japanese writes both)."""
    counts: Counter[str] = Counter()
    letters = 0
    for ch in text:
        if not ch.isalpha():
            continue
        letters += 1
        o = ord(ch)
        if o < 0xC0:
            continue
        for lo, hi, name in _SCRIPTS:
            if lo <= o <= hi:
                counts[name] += 1
                break
    if not counts or sum(counts.values()) < 0.02 * letters:
        return "ascii"
    if counts["kana"] >= 0.05 * letters:
        return "kana"
    return counts.most_common(1)[0][0]


def classifier_training(items: Sequence[corpus.Item]) -> list[corpus.Item]:
    """Machine-translated attacks are dropped as whole prompts: with almost no non-English
    benign *prompts* they teach "not English" = "attack" (see the card). Since round 8 they
    reach the classifier spliced into documents of their own script
    (`embedded_attacks_intl`), beside the same documents clean: there only the attack's
    words tell the two apart."""
    return [i for i in items if i.family != "multilingual"]


def language_balance(texts: Sequence[str], labels: Sequence[int], w: np.ndarray) -> np.ndarray:
    """Weights under which no script group other than ASCII leans to "attack" more than the
    whole set does: in a group whose attack weight exceeds its benign weight times the
    global ratio, the attacks are scaled down to it (benign-heavy groups are left alone).
    Then the language of a text carries no net evidence; within a language the model has
    only the words that differ between its attacks and its benign text (machine-translated
    CyberSecEval attacks against tldr pages, opensource.guide translations, casual
    questions and spliced documents in the same script)."""
    y = np.asarray(labels)
    out = w.copy()
    ratio = out[y == 1].sum() / max(out[y == 0].sum(), 1e-9)
    groups = np.array([script_group(t) for t in texts])
    for g in set(groups.tolist()) - {"ascii"}:
        att = (groups == g) & (y == 1)
        ben = (groups == g) & (y == 0)
        a, b = out[att].sum(), out[ben].sum()
        if a > ratio * b and a > 0:
            out[att] *= ratio * b / a
    return out


class FeatureCache:
    """Hashed classifier features per text, computed once (training and every fold reuse them)."""

    def __init__(self, bits: int = CLASSIFIER_BITS) -> None:
        self.bits = bits
        self.normalizer = Normalizer()
        self._rows: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def row(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        hit = self._rows.get(text)
        if hit is None:
            hit = self._rows[text] = featurize(self.normalizer.normalize(text).text, self.bits)
        return hit

    def matrix(self, texts: Sequence[str]):
        return sparse_matrix([self.row(t) for t in texts], self.bits)


def sparse_matrix(rows: Sequence[tuple[np.ndarray, np.ndarray]], bits: int):
    from scipy.sparse import csr_matrix

    indptr = np.cumsum([0] + [len(i) for i, _ in rows])
    ind = np.concatenate([i for i, _ in rows]) if rows else np.zeros(0, dtype=np.int64)
    val = np.concatenate([v for _, v in rows]) if rows else np.zeros(0, dtype=np.float32)
    return csr_matrix((val, ind, indptr), shape=(len(rows), 1 << bits))


def source_weights(sources: Sequence[str], labels: Sequence[int]) -> np.ndarray:
    """Each source counts by the square root of its size, and the classes weigh the same."""
    per_source = Counter(sources)
    w = np.array([1.0 / np.sqrt(per_source[s]) for s in sources])
    y = np.asarray(labels)
    for label in (0, 1):
        if (y == label).any():
            w[y == label] *= len(y) / (2 * w[y == label].sum())
    return w


def fit_classifier(
    items: Sequence[corpus.Item], cache: FeatureCache, c: float = CLASSIFIER_C
) -> Classifier:
    from sklearn.linear_model import LogisticRegression

    rows = classifier_training(items)
    y = np.array([i.label for i in rows])
    model = LogisticRegression(C=c, max_iter=2000, solver="liblinear", random_state=SEED)
    texts = [i.text for i in rows]
    w = language_balance(texts, y, source_weights([i.source for i in rows], y))
    model.fit(cache.matrix(texts), y, sample_weight=w)
    return Classifier(model.coef_[0].astype(np.float32), float(model.intercept_[0]), cache.bits)


# -- gibberish detector ------------------------------------------------------------------

_SALAD_TOKEN = re.compile(r"\s?[A-Za-z]+|\s?[^\w\s]+|\s?\d+|\s?[^\W\d_]+")
_PUNCT = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"


def salad_vocabulary(texts: Sequence[str], rng: random.Random) -> list[str]:
    """Tokens and word pieces of benign text: the raw material optimisers glue together."""
    vocab: set[str] = set()
    for t in texts:
        for tok in _SALAD_TOKEN.findall(t):
            vocab.add(tok)
            if len(tok) > 5 and rng.random() < 0.3:
                cut = rng.randrange(2, len(tok) - 1)
                vocab.update((tok[:cut], tok[cut:]))
    return sorted(vocab)


def salad(vocab: Sequence[str], rng: random.Random) -> str:
    """10–30 tokens: corpus tokens, word pieces and punctuation clusters, randomly cased and
    glued (the training generator; the evaluation generator in evalsets/ is a separate one)."""
    out = []
    for _ in range(rng.randint(10, 30)):
        r = rng.random()
        if r < 0.45:
            tok = rng.choice(vocab).strip()
        elif r < 0.75:
            tok = "".join(rng.choice(_PUNCT) for _ in range(rng.randint(1, 3)))
        else:
            tok = rng.choice(vocab).strip()
            if len(tok) > 3:
                cut = rng.randrange(1, len(tok))
                tok = tok[:cut] if rng.random() < 0.5 else tok[cut:]
        if rng.random() < 0.2:
            tok = tok.capitalize() if rng.random() < 0.6 else tok.upper()
        out.append((" " if rng.random() < 0.5 else "") + tok)
    return "".join(out).strip()


def fit_gibberish(
    benign: Sequence[str],
    seed: int = SEED,
    n_negative: int = 24000,
    n_salad: int = 3000,
    c: float = GIBBERISH_C,
) -> GibberishDetector:
    """Benign windows of every kind of text vs generated salad windows."""
    from sklearn.linear_model import LogisticRegression

    rng = random.Random(seed)
    texts = sorted(set(benign))
    vocab = salad_vocabulary(texts[::5], rng)
    per_text = max(1, n_negative // max(len(texts), 1) + 1)
    neg = [r for t in texts for r in window_rows(t, GIBBERISH_BITS, per_text, rng)]
    rng.shuffle(neg)
    neg = neg[:n_negative]
    # The detector scores tails (gibberish.tail): every benign text's last windows are
    # negatives too (placeholder lists, signatures, closing code lines end many prompts).
    neg += [r for t in texts for r in window_rows(gibberish_tail(t), GIBBERISH_BITS)[-2:]]
    pos = []
    for _ in range(n_salad):
        pos += window_rows(salad(vocab, rng), GIBBERISH_BITS)[:2]
    y = np.array([0] * len(neg) + [1] * len(pos))
    model = LogisticRegression(
        C=c, solver="liblinear", max_iter=2000, class_weight="balanced", random_state=seed
    )
    model.fit(sparse_matrix(neg + pos, GIBBERISH_BITS), y)
    return GibberishDetector(
        model.coef_[0].astype(np.float32), float(model.intercept_[0]), GIBBERISH_BITS
    )


# -- instruction-in-data detector ----------------------------------------------------------


def fit_instructions(
    benign_docs: Sequence[str], attack_docs: Sequence[str], c: float = INSTRUCTION_C
) -> InstructionDetector:
    """Segments of clean documents are negatives; segments of injected documents that appear
    in no clean document (the injected instruction, as far as can be told) are positives."""
    from sklearn.linear_model import LogisticRegression

    rows, y = [], []
    clean: set[str] = set()
    # A positive is a segment with at least one cue: the injected documents' other new
    # sentences ("She's my financial advisor.") are noise, not instructions.
    none = none_slots(INSTRUCTION_BITS)
    for t in benign_docs:
        segs, slots = document_slots(t, INSTRUCTION_BITS)
        clean.update(segs)
        rows += segment_features(slots)
        y += [0] * len(segs)
    for t in attack_docs:
        segs, slots = document_slots(t, INSTRUCTION_BITS)
        for seg, row, idx in zip(segs, segment_features(slots), slots):
            if seg not in clean and len(seg.split()) >= 4 and idx != none:
                rows.append(row)
                y.append(1)
    ya = np.array(y)
    w = np.where(ya == 1, 0.5 / ya.mean(), 0.5 / (1 - ya.mean()))
    model = LogisticRegression(C=c, solver="liblinear", max_iter=2000, random_state=SEED)
    model.fit(sparse_matrix(rows, INSTRUCTION_BITS), ya, sample_weight=w)
    return InstructionDetector(
        model.coef_[0].astype(np.float32), float(model.intercept_[0]), INSTRUCTION_BITS
    )


#: Contact lines addressed to the human reader (hard negatives for send-to-a-target: the
#: shared documents have almost none, and every README, e-mail footer and prompt template
#: has one).
_CONTACT_LINES = [
    f"{lead}\n{verb} {what} to {addr}{tail}"
    for lead in ("Project notes.", "Summarise the handbook.", "Release 2.1 is out.")
    for verb, what in (
        ("Send", "questions"),
        ("Email", "feedback"),
        ("Forward", "bug reports"),
        ("Send", "your application"),
        ("Post", "issues"),
    )
    for addr, tail in (
        ("help@project.example", "."),
        ("support@acme-corp.com", " with your order number."),
        ("https://forum.example.org/c/help", "."),
    )
]


#: Documents of the training folds with a bare instruction / a request for the human
#: reader hidden in them (`injected.py`).
INJECTED_DOCS = 1500
HUMAN_REQUEST_DOCS = 800


def instruction_training(items: Sequence[corpus.Item]) -> tuple[list[str], list[str]]:
    data = [i for i in items if i.kind == "data"]
    clean = [i.text for i in data if i.label == 0 and i.source.startswith("train_")]
    benign = [i.text for i in data if i.label == 0]
    benign += [t.replace("{{", "{").replace("}}", "}") for t in synthetic._BENIGN_DOCS]
    benign += _CONTACT_LINES
    benign += injected.human_request_documents(clean, HUMAN_REQUEST_DOCS)
    attacks = [i.text for i in data if i.label == 1]
    attacks += injected.injected_documents(clean, INJECTED_DOCS)
    return benign, attacks


# -- prompt-cue head ----------------------------------------------------------------------


def cue_categories(
    texts: Sequence[str], matcher: CueMatcher | None = None, normalizer: Normalizer | None = None
) -> list[tuple[list[str], int]]:
    """The cue categories and the length of each text, read after normalisation as the
    scanner does."""
    m = matcher or CueMatcher()
    norm = normalizer or Normalizer()
    out = []
    for t in texts:
        n = norm.normalize(t).text
        out.append((m.categories(n), len(n)))
    return out


def cue_training(items: Sequence[corpus.Item]) -> list[corpus.Item]:
    """Prompts only (the stage reads user messages); machine-translated attacks are held out
    by the label policy, like for the classifier."""
    return [i for i in items if i.kind == "prompt" and i.family != "multilingual"]


def fit_cues(
    items: Sequence[corpus.Item],
    cats: dict[str, tuple[list[str], int]] | None = None,
    lam: float = CUE_LAMBDA,
) -> CueDetector:
    """The cue head: the knowledge prior (`cue_lexicon.PRIOR_WEIGHTS`) moved by the data under
    a penalty `lam` on the distance to it (weighted logistic loss, sources weighted as for the
    classifier). `cats` caches `cue_categories` by text."""
    from scipy.optimize import minimize

    rows = cue_training(items)
    names = list(cue_lexicon.PRIOR_WEIGHTS)
    index = {n: k for k, n in enumerate(names)}
    w0 = np.array([cue_lexicon.PRIOR_WEIGHTS[n] for n in names])
    matcher = CueMatcher()
    x = np.zeros((len(rows), len(names)))
    for r, i in enumerate(rows):
        found, length = (
            cats[i.text]
            if cats is not None and i.text in cats
            else cue_categories([i.text], matcher)[0]
        )
        for n, v in cue_feature_values(
            found,
            length,
            cue_lexicon.DAMP,
            cue_lexicon.STRONG,
            cue_lexicon.FADING,
            cue_lexicon.FADE,
        ):
            if n in index:
                x[r, index[n]] = v
    y = np.array([i.label for i in rows], dtype=np.float64)
    sw = source_weights([i.source for i in rows], y)
    sw = sw / sw.sum()

    def loss(p: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = p[:-1], p[-1]
        z = x @ w + b
        g = sw * (1.0 / (1.0 + np.exp(-z)) - y)
        value = float(
            np.sum(sw * (np.logaddexp(0.0, z) - y * z)) + lam * np.sum((w - w0) ** 2) / len(w)
        )
        return value, np.append(x.T @ g + 2.0 * lam * (w - w0) / len(w), g.sum())

    p = minimize(loss, np.append(w0, cue_lexicon.PRIOR_BIAS), jac=True, method="L-BFGS-B").x
    return CueDetector(
        dict(zip(names, p[:-1].tolist())),
        float(p[-1]),
        cue_lexicon.DAMP,
        cue_lexicon.STRONG,
        matcher,
        cue_lexicon.FADING,
        cue_lexicon.FADE,
    )


# -- all three -----------------------------------------------------------------------------


def fit_all(
    items: Sequence[corpus.Item],
    cache: FeatureCache,
    seed: int = SEED,
    stages: Sequence[str] = ("classifier", "gibberish", "instructions", "cues"),
) -> dict:
    """The models trained on `items` (shared rows of the training folds + synthetic)."""
    out: dict = {}
    if "classifier" in stages:
        out["classifier"] = fit_classifier(items, cache)
    if "gibberish" in stages:
        out["gibberish"] = fit_gibberish([i.text for i in items if i.label == 0], seed)
    if "instructions" in stages:
        out["instructions"] = fit_instructions(*instruction_training(items))
    if "cues" in stages:
        out["cues"] = fit_cues(items)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--data", help="directory of injection/*.jsonl (default ../shared/datasets/injection)"
    )
    ap.add_argument("--out", default=str(DEFAULT_CLASSIFIER.parent))
    ap.add_argument(
        "--stages",
        default=",".join(ARTEFACTS),
        help="comma-separated subset of " + ",".join(ARTEFACTS) + " (metrics.json is "
        "rewritten only with all of them)",
    )
    args = ap.parse_args(argv)
    stages = [s for s in args.stages.split(",") if s]
    if set(stages) - set(ARTEFACTS):
        ap.error(f"unknown stage(s) {sorted(set(stages) - set(ARTEFACTS))}")

    t0 = time.time()
    shared = corpus.shared_items(args.data)
    items = shared + synthetic_items(shared)
    models = fit_all(items, FeatureCache(), stages=stages)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    sources = ",".join(sorted({i.source for i in items}))
    for name, model in models.items():
        model.save(out / ARTEFACTS[name], trained_on=sources)
    counts = Counter((i.source, i.label) for i in items)
    if set(stages) != set(ARTEFACTS):
        print(
            f"trained {', '.join(models)} in {time.time() - t0:.0f}s -> {out} (metrics.json kept)",
            file=sys.stderr,
        )
        return 0
    report = {
        "seed": SEED,
        "classifier": {"bits": CLASSIFIER_BITS, "C": CLASSIFIER_C},
        "gibberish": {"bits": GIBBERISH_BITS, "C": GIBBERISH_C},
        "instructions": {"bits": INSTRUCTION_BITS, "C": INSTRUCTION_C},
        "cues": {"lambda": CUE_LAMBDA, "prior": cue_lexicon.PRIOR_WEIGHTS},
        "train_sources": {
            f"{s} [{'attack' if y else 'benign'}]": n for (s, y), n in sorted(counts.items())
        },
        "relabelled_rows": sum(r.relabelled for rs in dataset.load(args.data).values() for r in rs),
    }
    (out / "metrics.json").write_text(json.dumps(report, indent=2) + "\n")
    print(
        f"trained {', '.join(models)} on {len(items)} rows in {time.time() - t0:.0f}s -> {out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
