"""Score held-out batch F with the shipped models and defaults, as the gateway would.

    python -m training.input_guards.heldout_f [--out FILE]

The same reading as batch E's scorer (`heldout_e.score_batch`: each message scanned under
its role, a row blocked when an enforced item is; per family and carrier, recall at the
rows' risk threshold that keeps 0 and at most 5 % of the benign rows). Batch F is never
tuned on: run this once before a round's changes and once after (`evalsets/heldout_f.py`).
"""

from __future__ import annotations

from training.input_guards.evalsets import heldout_f as F
from training.input_guards.heldout_c import report_cli
from training.input_guards.heldout_e import score_batch


def score() -> dict[str, object]:
    return score_batch(F.conversations)


def main(argv: list[str] | None = None) -> int:
    return report_cli(score, __doc__.splitlines()[0], argv)


if __name__ == "__main__":
    raise SystemExit(main())
