"""Score held-out batch C with the shipped models and defaults, as the gateway would.

    python -m training.input_guards.heldout_c [--out FILE]

Tool-result rows are read as role `tool` (JSON by its keys and values, as the gateway reads
it), user-message rows as `user` (agent system prompts too: stricter than the default
`system` role, which only monitors). Reported per family: blocked of n, and flagged (a
finding without a block). Batch C is never tuned on: run this once before a round's changes
and once after (`evalsets/heldout_c.py`).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable

from keepgate.input_guards import extract
from keepgate.input_guards.config import InputSettings
from keepgate.input_guards.scanner import Scanner
from training.input_guards.evalsets import heldout_c as C

Row = tuple[str, int, str, str]  # family, label, role, text


def rows() -> list[Row]:
    out: list[Row] = []
    out += [(f, 1, "tool", t) for f, t in C.C_ATTACK_DATA]
    out += [(f, 1, "user", t) for f, t in C.C_ATTACK_PROMPT]
    out += [(f, 0, "tool", t) for f, t in C.C_BENIGN_DATA]
    out += [(f, 0, "user", t) for f, t in C.C_BENIGN_PROMPT]
    return out


def score() -> dict[str, object]:
    scanner = Scanner(InputSettings())
    fam: dict[str, dict[str, int]] = defaultdict(lambda: {"n": 0, "blocked": 0, "flagged": 0})
    totals = {1: {"n": 0, "blocked": 0}, 0: {"n": 0, "blocked": 0}}
    for family, label, role, text in rows():
        read = extract.tool_content_text(text) if role == "tool" else text
        res = scanner.scan(read, role=role)
        key = f"{'attack' if label else 'benign'}/{role}/{family}"
        fam[key]["n"] += 1
        fam[key]["blocked"] += int(res.blocked)
        fam[key]["flagged"] += int(res.flagged)
        totals[label]["n"] += 1
        totals[label]["blocked"] += int(res.blocked)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "commit": commit,
        "attacks_blocked": f"{totals[1]['blocked']}/{totals[1]['n']}",
        "benign_blocked": f"{totals[0]['blocked']}/{totals[0]['n']}",
        "families": dict(sorted(fam.items())),
    }


def report_cli(
    score_fn: Callable[[], dict[str, object]], description: str, argv: list[str] | None
) -> int:
    """Print a held-out batch's score as JSON (and write it to `--out`): batches C and D."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--out", default="")
    args = ap.parse_args(argv)
    text = json.dumps(score_fn(), indent=1, ensure_ascii=False)
    sys.stdout.write(text + "\n")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    return report_cli(score, __doc__.splitlines()[0], argv)


if __name__ == "__main__":
    raise SystemExit(main())
