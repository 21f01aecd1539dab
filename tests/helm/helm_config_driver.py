"""Run `keepgate config check` for many rendered configs in one interpreter.

Usage: python helm_config_driver.py CASES.json  →  prints {name: [exit code, output]} as JSON.

Each case is {"args": [...], "env": {...}}: the `keepgate` command's own typer app runs with
exactly that environment for the KEEPGATE_* variables (others unset), as the console script
would. One process pays the gateway's imports (litellm, Presidio: seconds) once instead of
once per case; the tests still start the real `keepgate` executable for one case.
"""

from __future__ import annotations

import json
import os
import sys

from typer.testing import CliRunner

from keepgate.cli import app


def main(path: str) -> None:
    with open(path, encoding="utf-8") as fh:
        cases = json.load(fh)
    runner = CliRunner()
    results = {}
    for name, case in cases.items():
        env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("KEEPGATE")}
        env.update(case["env"])
        result = runner.invoke(app, case["args"], env=env)
        output = result.output
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            output += f"\n{type(result.exception).__name__}: {result.exception}"
        results[name] = [result.exit_code, output]
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
