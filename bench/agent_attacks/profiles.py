"""Policy profiles the suite is replayed under, as data directories built from the catalogues.

- `defaults`: the shipped policies and guards, with the app's catalogue as written.
- `strict`: the same catalogue, tightened the way a cautious operator would: every argument
  of a side-effecting tool is sensitive (its `sensitive` list is dropped) and its
  allowlists are dropped, so only the user, the system prompt or a trusted tool output can
  vouch for a value (an address in the company's own domain no longer does).
- `no-catalogue`: the shipped policies with no catalogue at all (every tool unknown): what
  an operator gets who never describes their tools.
- `tool-monitor`: `defaults`, with the input guard only flagging tool results
  (`role_modes: {tool: monitor}`) instead of refusing the conversation: what the user's
  task gains when provenance, not the detector, stops the attack.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
CATALOGUE = HERE / "catalogue"
PROFILES = ("defaults", "strict", "no-catalogue", "tool-monitor")


def catalogue(domain: str) -> dict[str, Any]:
    return yaml.safe_load((CATALOGUE / domain / "tools.yaml").read_text())


def _strict(doc: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    for spec in doc["keepgate"]["tools"].values():
        if spec.get("effects", "egress") != "none":
            spec.pop("sensitive", None)
            spec.pop("constraints", None)
    return doc


def data_dir(profile: str, domain: str, workdir: Path) -> Path:
    """Write the profile's data files for `domain` under `workdir` and return the folder."""
    out = workdir / f"data-{profile}-{domain}"
    out.mkdir(parents=True, exist_ok=True)
    (out / "roles.yaml").write_text((CATALOGUE / "roles.yaml").read_text())
    if profile in ("defaults", "tool-monitor"):
        (out / "tools.yaml").write_text(yaml.safe_dump(catalogue(domain), sort_keys=False))
    elif profile == "strict":
        (out / "tools.yaml").write_text(yaml.safe_dump(_strict(catalogue(domain)), sort_keys=False))
    elif profile != "no-catalogue":
        raise ValueError(f"unknown profile {profile!r} (one of {', '.join(PROFILES)})")
    return out


def guard_overrides(profile: str) -> dict[str, Any]:
    """Gateway `guards` settings the profile changes (beyond its policy data)."""
    if profile == "tool-monitor":
        # role_modes replaces the shipped map: keep its entries (system, developer, assistant).
        return {
            "input": {
                "role_modes": {
                    "system": "monitor",
                    "developer": "monitor",
                    "assistant": "monitor",
                    "tool": "monitor",
                    "function": "monitor",
                }
            }
        }
    return {}
