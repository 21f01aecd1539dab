"""Score held-out batch D with the shipped models and defaults, as the gateway would.

    python -m training.input_guards.heldout_d [--out FILE]

Every row is scanned twice: under its own role (tool results as `tool`, JSON read by its
keys and values as the gateway reads it; user messages as `user`) and under the other one
(a tool result pasted by a user, a user's text returned by a tool). Reported per family and
role: blocked of n. The `own` view is the headline; `cross` shows what the role changes.
Batch D is never tuned on: run this once before a round's changes and once after
(`evalsets/heldout_d.py`).
"""

from __future__ import annotations

import subprocess
from collections import defaultdict

from keepgate.input_guards import extract
from keepgate.input_guards.config import InputSettings
from keepgate.input_guards.scanner import Scanner
from training.input_guards.evalsets import heldout_d as D
from training.input_guards.heldout_c import report_cli


def _read(text: str, role: str) -> str:
    return extract.tool_content_text(text) if role == "tool" else text


def score() -> dict[str, object]:
    scanner = Scanner(InputSettings())
    views: dict[str, dict[str, dict[str, int]]] = {}
    totals: dict[str, dict[str, list[int]]] = {}
    rows = [(f, 1, r, t) for f, r, t in D.attack_rows()] + [
        (f, 0, r, t) for f, r, t in D.benign_rows()
    ]
    for view in ("own", "cross"):
        fam: dict[str, dict[str, int]] = defaultdict(lambda: {"n": 0, "blocked": 0})
        tot = {"attack": [0, 0], "benign": [0, 0]}
        for family, label, own_role, text in rows:
            role = own_role if view == "own" else ("user" if own_role == "tool" else "tool")
            res = scanner.scan(_read(text, role), role=role)
            kind = "attack" if label else "benign"
            key = f"{kind}/{role}/{family}"
            fam[key]["n"] += 1
            fam[key]["blocked"] += int(res.blocked)
            tot[kind][0] += int(res.blocked)
            tot[kind][1] += 1
        views[view] = dict(sorted(fam.items()))
        totals[view] = tot
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "commit": commit,
        "attacks_blocked": {v: f"{t['attack'][0]}/{t['attack'][1]}" for v, t in totals.items()},
        "benign_blocked": {v: f"{t['benign'][0]}/{t['benign'][1]}" for v, t in totals.items()},
        "families": views,
    }


def main(argv: list[str] | None = None) -> int:
    return report_cli(score, __doc__.splitlines()[0], argv)


if __name__ == "__main__":
    raise SystemExit(main())
