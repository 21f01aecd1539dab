"""The import-string app factory uvicorn workers call: `keepgate.serving.factory:create`.

uvicorn's supervisor spawns fresh interpreters, so a worker cannot be handed an app object;
it imports this factory and builds its own app from the config the supervisor chose, passed
through the environment (the path in `KEEPGATE_CONFIG`; in demo mode the master key the
supervisor printed, in `KEEPGATE_SERVE_MASTER_KEY`, so every worker accepts the same key).
A worker that cannot build its app exits with uvicorn's start-up failure code, which stops
the supervisor instead of having it restart the worker forever. It exits at once
(`os._exit`, no interpreter shutdown); the supervisor (`keepgate.serving.supervisor`) sees
the exit even when the worker had read a health ping it never answered.
"""

from __future__ import annotations

import os
import sys

from starlette.applications import Starlette

from keepgate.serving import WORKERS_ENV

__all__ = [
    "CONFIG_ENV",
    "DEMO_KEY_ENV",
    "FAILED_DIR_ENV",
    "STARTUP_FAILURE",
    "WORKERS_ENV",
    "create",
]

#: Set by `keepgate serve` for its workers.
CONFIG_ENV = "KEEPGATE_CONFIG"
DEMO_KEY_ENV = "KEEPGATE_SERVE_MASTER_KEY"
#: A directory the supervisor watches: a worker that cannot start leaves its error there,
#: so `keepgate serve` exits non-zero with it (uvicorn's supervisor itself exits 0).
FAILED_DIR_ENV = "KEEPGATE_SERVE_FAILED_DIR"
#: uvicorn.config.STARTUP_FAILURE: the supervisor stops rather than respawning the worker.
STARTUP_FAILURE = 3


def create() -> Starlette:
    from keepgate.app import create_app
    from keepgate.config.load import load_config
    from keepgate.observability.logs import setup_logging

    try:
        cfg = load_config(os.environ.get(CONFIG_ENV) or None)
        setup_logging(cfg.general_settings.log_level)
        key = os.environ.get(DEMO_KEY_ENV)
        if key and cfg.master_key() is None and cfg.demo:
            cfg.general_settings.master_key = key
        return create_app(cfg)
    except Exception as exc:  # noqa: BLE001 - a bad config/rule file stops every worker
        message = f"keepgate: worker {os.getpid()} cannot start: {exc}"
        print(message, file=sys.stderr, flush=True)
        failed = os.environ.get(FAILED_DIR_ENV)
        if failed:
            with open(os.path.join(failed, str(os.getpid())), "w", encoding="utf-8") as fh:
                fh.write(message)
        os._exit(STARTUP_FAILURE)
