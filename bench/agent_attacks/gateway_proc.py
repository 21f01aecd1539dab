"""A real Keepgate for the replay: `keepgate serve` in its own process, the fake model upstream.

Started like `bench/targets.py` starts its targets. The only setting that differs from the
shipped defaults besides the app's catalogue is `on_approval: pass`: a call that needs
approval is released *flagged* (its decision is in `keepgate.policy`) instead of held, so
the replay can play the human who approves the user's calls and rejects the attacker's.
The decision itself is the same either way.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bench import targets
from bench.agent_attacks import profiles
from keepgate.auth.keys import hash_key

KEY = "sk-agentbench-app-0123456789"


@dataclass
class Running:
    profile: str
    domain: str
    base_url: str
    proc: targets.Proc

    def stop(self) -> None:
        self.proc.stop()


def config(
    fake_base: str, data_dir: Path, audit: Path, guards: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "model_list": [
            {
                "model_name": "demo",
                "litellm_params": {"model": "openai/demo", "api_base": fake_base},
                "model_info": {"input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6},
            }
        ],
        "general_settings": {
            "master_key": targets.MASTER,
            "audit_log": str(audit),
            "log_level": "WARNING",
            "num_retries": 0,
        },
        "keys": [
            {
                "key_id": "agent-app",
                "key_hash": "sha256:" + hash_key(KEY),
                "role": "user",
                "limits": {
                    "requests_per_minute": 10**9,
                    "tokens_per_minute": 10**12,
                    "usd_per_day": 10**9,
                },
            }
        ],
        "guards": {
            "policy": {"data_dirs": [str(data_dir)], "on_approval": "pass", "hot_reload": False},
            **(guards or {}),
            **EXTRA_GUARDS,
        },
    }


#: Guard sections every profile gets on top (the CLI's `--pii-images`).
EXTRA_GUARDS: dict[str, Any] = {}


def start(profile: str, domain: str, fake_base: str, workdir: Path) -> Running:
    data = profiles.data_dir(profile, domain, workdir)
    name = f"keepgate-{profile}-{domain}"
    path = workdir / f"{name}.yaml"
    path.write_text(
        yaml.safe_dump(
            config(
                fake_base, data, workdir / f"{name}-audit.jsonl", profiles.guard_overrides(profile)
            )
        )
    )
    port = targets._free_port()
    proc = targets.spawn(
        name,
        [sys.executable, "-m", "keepgate.cli", "serve", "--config", str(path), "--port", str(port)],
        workdir,
        f"http://127.0.0.1:{port}/healthz",
        timeout=180,
    )
    return Running(profile, domain, f"http://127.0.0.1:{port}/v1", proc)
