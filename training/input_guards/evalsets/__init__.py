"""Evaluation sets written for Keepgate's dev protocol (`python -m training.input_guards.evaluate`).

They are never used for training. Each function returns (family, label, texts) groups; the
protocol scores them with models trained on every shared source, so they measure transfer to
text written by someone other than the training data's authors.
"""

from __future__ import annotations

from training.input_guards.evalsets import attacks_fresh as R
from training.input_guards.evalsets import attacks_optimiser as O
from training.input_guards.evalsets import attacks_written as A
from training.input_guards.evalsets import benign_data as D
from training.input_guards.evalsets import benign_framed as F
from training.input_guards.evalsets import benign_topics_intl as T
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
        # Round 6: two fresh held-out batches (A written before the round's changes, B after),
        # instructions in e-mails / pages / tool JSON and prompts in several languages.
        ("keepgate:eval/fresh_a_data", "fresh_a", 1, "data", R.FRESH_A_DATA),
        ("keepgate:eval/fresh_a_prompt", "fresh_a", 1, "prompt", R.FRESH_A_PROMPT),
        ("keepgate:eval/fresh_b_data", "fresh_b", 1, "data", R.FRESH_B_DATA),
        ("keepgate:eval/fresh_b_prompt", "fresh_b", 1, "prompt", R.FRESH_B_PROMPT),
        # Round 6: short benign questions about passwords, keys and secrets in 15 languages.
        (
            "keepgate:eval/multilingual_secret_topic",
            "multilingual_secret_topic",
            0,
            "prompt",
            T.MULTILINGUAL_SECRET_TOPIC,
        ),
    ]
