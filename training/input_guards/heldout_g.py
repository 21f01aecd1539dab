"""Score held-out batch G with the shipped models and defaults, as the gateway would.

    python -m training.input_guards.heldout_g [--out FILE]

Batch E's reading (`heldout_e.score_batch`), plus recall at 0 and at most 5 % FPR for each
attack family against all of the batch's hard benign rows, since a round's gain on one
family can hide behind another's. Batch G is never tuned on: run this once before round
11's changes and once after (`evalsets/heldout_g.py`).
"""

from __future__ import annotations

from collections import defaultdict

from keepgate.input_guards.config import InputSettings
from keepgate.input_guards.scanner import Scanner
from training.input_guards.evalsets import heldout_g as G
from training.input_guards.heldout_c import report_cli
from training.input_guards.heldout_e import recall_at, risk, score_batch


def per_family_recall() -> dict[str, dict[str, float]]:
    """Each attack family's recall at the thresholds that keep 0 and ≤ 5 % of benign."""
    settings = InputSettings()
    scanner = Scanner(settings)
    benign = [risk(scanner, settings, turns) for _, _, turns in G.conversations(0)]
    fams: dict[str, list[float]] = defaultdict(list)
    for family, _, turns in G.conversations(1):
        fams[family].append(risk(scanner, settings, turns))
    five = len(benign) * 5 // 100
    return {
        f: {
            "fpr_0": round(recall_at(a, benign, 0), 4),
            "fpr_5pct": round(recall_at(a, benign, five), 4),
        }
        for f, a in sorted(fams.items())
    }


def score() -> dict[str, object]:
    out = score_batch(G.conversations)
    out["recall_per_family"] = per_family_recall()
    return out


def main(argv: list[str] | None = None) -> int:
    return report_cli(score, __doc__.splitlines()[0], argv)


if __name__ == "__main__":
    raise SystemExit(main())
