"""Score held-out batch H with the shipped models and defaults, as the gateway would.

    python -m training.input_guards.heldout_h [--out FILE]

Batch E's reading (`heldout_e.score_batch`: each message scanned under its role, a row
blocked when an enforced item is; blocked of n per family, benign kind and carrier), plus
recall at 0, at most 1 % and at most 5 % FPR for each attack family against all of the
batch's hard benign rows. Batch H is never tuned on: run this once before round 11's changes
and once after (`evalsets/heldout_h.py`).
"""

from __future__ import annotations

from collections import defaultdict

from keepgate.input_guards.config import InputSettings
from keepgate.input_guards.scanner import Scanner
from training.input_guards.evalsets import heldout_h as H
from training.input_guards.heldout_c import report_cli
from training.input_guards.heldout_e import recall_at, risk, score_batch


def per_family_recall() -> dict[str, dict[str, float]]:
    """Each attack family's recall at the thresholds that keep 0, ≤ 1 % and ≤ 5 % of benign."""
    settings = InputSettings()
    scanner = Scanner(settings)
    benign = [risk(scanner, settings, turns) for _, _, turns in H.conversations(0)]
    fams: dict[str, list[float]] = defaultdict(list)
    for family, _, turns in H.conversations(1):
        fams[family].append(risk(scanner, settings, turns))
    fams["all"] = [r for rs in list(fams.values()) for r in rs]
    allowed = {"fpr_0": 0, "fpr_1pct": len(benign) // 100, "fpr_5pct": len(benign) * 5 // 100}
    return {
        f: {k: round(recall_at(a, benign, n), 4) for k, n in allowed.items()}
        for f, a in sorted(fams.items())
    }


def score() -> dict[str, object]:
    out = score_batch(H.conversations)
    out["recall_per_family"] = per_family_recall()
    return out


def main(argv: list[str] | None = None) -> int:
    return report_cli(score, __doc__.splitlines()[0], argv)


if __name__ == "__main__":
    raise SystemExit(main())
