"""Score held-out batch E with the shipped models and defaults, as the gateway would.

    python -m training.input_guards.heldout_e [--out FILE]

Every row is a chat request: its messages are read by `extract.items` (tool results as the
gateway reads them, JSON by keys and values) and each item is scanned under its role; the
row is blocked when an item of an enforced role is. Reported per family and per carrier
(blocked of n), and, for a fixed-FPR view, recall over the whole batch at the largest
threshold of the rows' risk that keeps the benign rows at 0 and at most 5 % (a blocked row
ranks above every unblocked one; otherwise its highest stage score). Batch E is never tuned
on: run this once before a round's changes and once after (`evalsets/heldout_e.py`).
"""

from __future__ import annotations

import subprocess
from collections import defaultdict
from collections.abc import Callable

from keepgate.input_guards import extract
from keepgate.input_guards.config import InputSettings
from keepgate.input_guards.scanner import Scanner
from training.input_guards.evalsets import heldout_e as E
from training.input_guards.heldout_c import report_cli


def risk(scanner: Scanner, settings: InputSettings, turns: list[tuple[str, str]]) -> float:
    """The row's risk: 2 + score when an enforced item blocks, else the highest score."""
    body = {"messages": [{"role": r, "content": t} for r, t in turns]}
    blocked, top = False, 0.0
    for item in extract.items(body):
        mode = settings.mode_for(item.role)
        if mode == "off":
            continue
        res = scanner.scan(item.text(), role=item.role)
        blocked |= res.blocked and mode == "enforce"
        top = max(top, res.score)
    return 2.0 + top if blocked else top


def recall_at(attacks: list[float], benign: list[float], fp_allowed: int) -> float:
    """Recall at the lowest threshold that flags at most `fp_allowed` benign rows."""
    ranked = sorted(benign, reverse=True)
    bar = ranked[fp_allowed] if fp_allowed < len(ranked) else -1.0
    return sum(a > bar for a in attacks) / len(attacks)


def score() -> dict[str, object]:
    return score_batch(E.conversations)


def score_batch(
    conversations: Callable[[int], list[tuple[str, str, list[tuple[str, str]]]]],
) -> dict[str, object]:
    """Per family and carrier counts and the fixed-FPR recall of one batch's rows."""
    settings = InputSettings()
    scanner = Scanner(settings)
    fam: dict[str, dict[str, int]] = defaultdict(lambda: {"n": 0, "blocked": 0})
    carrier: dict[str, dict[str, int]] = defaultdict(lambda: {"n": 0, "blocked": 0})
    risks: dict[int, list[float]] = {1: [], 0: []}
    for label in (1, 0):
        kind = "attack" if label else "benign"
        for family, where, turns in conversations(label):
            r = risk(scanner, settings, turns)
            risks[label].append(r)
            for table, key in ((fam, f"{kind}/{family}"), (carrier, f"{kind}/{where}")):
                table[key]["n"] += 1
                table[key]["blocked"] += int(r >= 2.0)
    n_benign = len(risks[0])
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "commit": commit,
        "attacks_blocked": f"{sum(r >= 2.0 for r in risks[1])}/{len(risks[1])}",
        "benign_blocked": f"{sum(r >= 2.0 for r in risks[0])}/{n_benign}",
        "recall_at_fpr_0": round(recall_at(risks[1], risks[0], 0), 4),
        "recall_at_fpr_5pct": round(recall_at(risks[1], risks[0], n_benign * 5 // 100), 4),
        "families": dict(sorted(fam.items())),
        "carriers": dict(sorted(carrier.items())),
    }


def main(argv: list[str] | None = None) -> int:
    return report_cli(score, __doc__.splitlines()[0], argv)


if __name__ == "__main__":
    raise SystemExit(main())
