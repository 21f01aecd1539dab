"""The embedded default holds its SQLite store alone (`mcp.store.exclusive: auto`).

Real `keepgate serve` processes on real files: one gateway process with the SQLite store
and no setting holds the file (so its session writes may follow the answer); a second
gateway on the same file stops at start-up with an error naming the setting and the file
(never serving calls that would all fail closed, never waiting on the lock for ever),
whether it would hold the file too or share it; the `keepgate mcp` commands still work
while it runs (they talk to its admin API, not to the file); `--workers 2` shares it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from keepgate.config.load import parse_config
from keepgate.mcp.routes import build_store
from keepgate.mcp.settings import parse_settings
from keepgate.serving import WORKERS_ENV
from tests.serving.support import KEEPGATE, Served

MASTER = "sk-test-exclusive-master-0123456789"


def _config(db: Path, **store: Any) -> dict[str, Any]:
    return {
        "general_settings": {"master_key": MASTER, "log_level": "WARNING"},
        "mcp": {"store": {"backend": "sqlite", "path": str(db), **store}},
    }


def _serve(config: dict[str, Any], tmp: Path) -> Served:
    """One `keepgate serve` process (`--workers 1`), ready."""
    served = Served(config, tmp, workers=1)
    served.workers = 0  # one process prints no "worker ... ready" line: /readyz says it
    return served.wait_ready()


def _second(config: dict[str, Any], tmp: Path, port: int) -> subprocess.CompletedProcess[str]:
    """Another `keepgate serve` on the same file: it must stop by itself (on the first's
    port, so one that got past the store would stop too, at the bind, saying why)."""
    path = tmp / "second.yaml"
    path.write_text(yaml.safe_dump(config))
    return subprocess.run(
        [KEEPGATE, "serve", "--config", str(path), "--port", str(port)],
        capture_output=True,
        text=True,
        timeout=300,  # a guard against a hang, far above the lock's 5 s busy wait
    )


def test_one_gateway_holds_its_sqlite_file_and_a_second_stops_at_start(
    tmp_path: Path,
) -> None:
    db = tmp_path / "mcp.db"
    first = _serve(_config(db), tmp_path)
    try:
        for store in ({}, {"exclusive": False}):  # would hold it too / would share it
            second = _second(_config(db, **store), tmp_path, first.port)
            assert second.returncode == 2, second.stderr[-2000:]
            assert "mcp.store.exclusive" in second.stderr and str(db) in second.stderr
        # The first is untouched, and the CLI reaches the store through it.
        assert first.http.get(first.url + "/readyz").json()["status"] == "ready"
        cli = subprocess.run(
            [KEEPGATE, "mcp", "approvals", "--all", "--url", first.url, "--key", MASTER],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert cli.returncode == 0, cli.stderr
    finally:
        first.stop()
    # Stopped, the file is free: another gateway opens it (and holds it in turn).
    again = _serve(_config(db), tmp_path)
    again.stop()


async def test_the_default_holds_the_file_for_one_process_and_shares_it_for_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """auto: one process holds the file (its session writes may follow the answer);
    `serve --workers 2` shares it (each writes before the answer), and `true` with
    several workers still refuses."""
    cfg_path = tmp_path / "keepgate.yaml"
    for store, workers, local in (
        ({}, "1", True),
        ({}, "2", False),
        ({"exclusive": False}, "1", False),
    ):
        cfg_path.write_text(yaml.safe_dump(_config(tmp_path / "mcp.db", **store)))
        config = parse_config(cfg_path.read_text(), str(cfg_path), environ={})
        monkeypatch.setenv(WORKERS_ENV, workers)
        built = build_store(parse_settings(config), config)
        assert built.local is local, (store, workers)
        await built.aclose()
    cfg_path.write_text(yaml.safe_dump(_config(tmp_path / "mcp.db", exclusive=True)))
    config = parse_config(cfg_path.read_text(), str(cfg_path), environ={})
    monkeypatch.setenv(WORKERS_ENV, "2")
    with pytest.raises(RuntimeError, match="several"):
        build_store(parse_settings(config), config)
