"""Score fresh batches A and B (round 6, attacks only) as the gateway would read them.

    python -m training.input_guards.heldout_ab [--out FILE]

Batch E's reading (`heldout_e.score_batch`): the `data` rows as tool results, the `prompt`
rows as user messages; families `a_data`, `a_prompt`, `b_data`, `b_prompt`. A and B have no
benign rows, so only the blocked counts mean anything (the fixed-FPR figures are 1.0 by
construction). They informed round 6's changes, so they are dev batches, not held out.
"""

from __future__ import annotations

from training.input_guards.evalsets import attacks_fresh as R
from training.input_guards.heldout_c import report_cli
from training.input_guards.heldout_e import score_batch

_SETS = (
    ("a_data", "tool", R.FRESH_A_DATA),
    ("a_prompt", "user", R.FRESH_A_PROMPT),
    ("b_data", "tool", R.FRESH_B_DATA),
    ("b_prompt", "user", R.FRESH_B_PROMPT),
)


def conversations(label: int) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """Every attack row as a one-message conversation under its role; no benign rows."""
    if not label:
        return []
    return [(fam, role, [(role, text)]) for fam, role, texts in _SETS for text in texts]


def score() -> dict[str, object]:
    return score_batch(conversations)


def main(argv: list[str] | None = None) -> int:
    return report_cli(score, __doc__.splitlines()[0], argv)


if __name__ == "__main__":
    raise SystemExit(main())
