"""A subcommand whose module is not installed (e.g. `keepgate bench` from a wheel, where bench/
is not shipped) stays listed and says why, instead of silently disappearing."""

from __future__ import annotations

import os
import subprocess
import sys

HIDE_BENCH = "import sys; sys.modules['bench'] = None\nfrom keepgate.cli import main\nmain()\n"


def keepgate(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-c", HIDE_BENCH, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_a_missing_subcommand_says_why_and_exits_2() -> None:
    out = keepgate("bench", "--rounds", "3")
    assert out.returncode == 2
    assert "keepgate bench: not available in this install" in out.stderr
    assert "from a checkout" in out.stderr


def test_it_stays_listed_in_help() -> None:
    out = keepgate("--help")
    assert out.returncode == 0, out.stderr
    assert "bench" in out.stdout and "not available here" in out.stdout
