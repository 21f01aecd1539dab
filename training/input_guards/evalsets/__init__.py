"""Evaluation sets written for Keepgate's dev protocol (`python -m training.input_guards.evaluate`).

They are never used for training. Each function returns (family, label, texts) groups; the
protocol scores them with models trained on every shared source, so they measure transfer to
text written by someone other than the training data's authors.
"""

from __future__ import annotations

from training.input_guards.evalsets import attacks_optimiser as O
from training.input_guards.evalsets import attacks_written as A
from training.input_guards.evalsets import benign_data as D
from training.input_guards.evalsets import benign_framed as F
from training.input_guards.evalsets import benign_written as B
from training.input_guards.evalsets import generate as G
from training.input_guards.evalsets import hidden_plain as P


def written_sets() -> list[tuple[str, str, int, str, list[str]]]:
    """(source, family, label, kind, texts); kind is "prompt" (a user message) or "data"
    (a tool result / document)."""
    return [
        ("keepgate:eval/game_human", "game_human", 1, "prompt", A.GAME_HUMAN),
        ("keepgate:eval/multilingual_attacks", "multilingual", 1, "prompt", A.MULTILINGUAL_ATTACKS),
        ("keepgate:eval/suffix_attacks", "adversarial_suffix", 1, "prompt", G.suffix_attacks()),
        (
            "keepgate:eval/hidden_instructions",
            "indirect_in_data",
            1,
            "data",
            G.hidden_instructions(),
        ),
        # Round 5: bare instructions (no "AI, …") in 12 more formats, and their benign twins.
        ("keepgate:eval/hidden_plain", "indirect_plain", 1, "data", P.hidden_plain()),
        ("keepgate:eval/optimiser_fluent", "optimiser_fluent", 1, "prompt", O.OPTIMISER_FLUENT),
        ("keepgate:eval/framed_benign", "framed_benign", 0, "prompt", F.FRAMED_BENIGN),
        ("keepgate:eval/trigger_word", "trigger_word", 0, "prompt", B.TRIGGER_WORD),
        ("keepgate:eval/harmful_but_safe", "harmful_but_safe", 0, "prompt", B.HARMFUL_BUT_SAFE),
        (
            "keepgate:eval/agent_system_prompts",
            "persona_system",
            0,
            "prompt",
            B.AGENT_SYSTEM_PROMPTS,
        ),
        (
            "keepgate:eval/multilingual_benign",
            "multilingual_benign",
            0,
            "prompt",
            B.MULTILINGUAL_BENIGN,
        ),
        ("keepgate:eval/code_and_data", "code_data", 0, "data", D.CODE_AND_DATA),
        ("keepgate:eval/clean_carriers", "documents", 0, "data", G.clean_carriers()),
        ("keepgate:eval/human_requests", "documents_requests", 0, "data", P.human_requests()),
        (
            "keepgate:eval/multilingual_trigger_word",
            "multilingual_trigger_word",
            0,
            "prompt",
            B.MULTILINGUAL_TRIGGER_WORD,
        ),
    ]
