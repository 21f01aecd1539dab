"""`keepgate scan`: the input guard's verdict on a text, outside the gateway.

The command loads the same `keepgate.yaml` and builds the same `InputGuard` the gateway
builds (rule packs, classifier, per-role/per-key overrides, judge), so a text gets the
verdict here that it would get as a message. Findings never print the text itself.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from keepgate.auth.principal import Principal


def _principal(role: str, key: Optional[str]) -> Principal:
    return Principal(key_id=key or "scan", role=role)


def _as_role(text: str, role: str) -> str:
    """Text is read as the gateway reads it: tool results, tool definitions and response
    schemas that are JSON by their keys and string values."""
    from keepgate.input_guards import extract

    if role in extract.TOOL_ROLES:
        return extract.tool_content_text(text)
    if role in ("tool_definition", "response_format"):
        return extract.json_text(text)
    return text


def _human(result: dict[str, Any], out: Any) -> None:
    verdict = "BLOCKED" if result["blocked"] else ("FLAGGED" if result["findings"] else "PASSED")
    out.write(f"{verdict}  classifier score {result['score']:.3f}\n")
    for f in result["findings"]:
        extra = f"  score={f['score']}" if "score" in f else ""
        count = f"  x{f['count']}" if "count" in f else ""
        out.write(
            f"  {f['action']:<5} {f['rule']:<36} {f['stage']:<10} {f['severity']}{extra}{count}\n"
        )


def scan(
    file: Annotated[
        Optional[str], typer.Argument(help="Text file to scan, or '-' for stdin.")
    ] = None,
    jsonl: Annotated[
        Optional[Path],
        typer.Option(
            "--jsonl", help='Read lines {"text": ...}; write one JSON verdict per line to stdout.'
        ),
    ] = None,
    config: Annotated[
        Optional[Path],
        typer.Option("--config", "-c", envvar="KEEPGATE_CONFIG", help="Path to keepgate.yaml."),
    ] = None,
    role: Annotated[
        str, typer.Option(help="Message role to scan the text as (user, tool, ...).")
    ] = "user",
    as_role: Annotated[
        str, typer.Option("--as-role", help="Key role whose overrides apply.")
    ] = "user",
    key: Annotated[
        Optional[str], typer.Option("--key-id", help="Key id whose overrides apply.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the verdict as JSON.")] = False,
) -> None:
    """Scan a text (or a JSONL file of texts) with the input guard; exit 1 when blocked."""
    from keepgate.config.load import ConfigError, load_config
    from keepgate.input_guards.config import InputSettings
    from keepgate.input_guards.guard import InputGuard

    try:
        cfg = load_config(config)
        section = cfg.guards.settings("input", InputSettings)
        guard = InputGuard(section, cfg)
    except ConfigError as exc:
        typer.echo(f"keepgate: {exc}", err=True)
        raise typer.Exit(2) from None
    except Exception as exc:  # noqa: BLE001 - bad rule pack / classifier: say which and stop
        typer.echo(f"keepgate: cannot build the input guard: {exc}", err=True)
        raise typer.Exit(2) from None
    if not section.enabled:
        typer.echo(
            "keepgate: note: guards.input is disabled in this config; scanning anyway", err=True
        )
    scanner = guard.scanner(_principal(as_role, key))
    try:
        if jsonl is not None:
            asyncio.run(_scan_jsonl(scanner, jsonl, role))
            return
        if file in (None, "-"):
            text = sys.stdin.read()
        else:
            try:
                # Undecodable bytes kept as lone surrogates, as stdin reads them: the
                # scan reports them (unicode.lone_surrogates) instead of a traceback.
                text = Path(file).read_text(encoding="utf-8", errors="surrogateescape")
            except OSError as exc:
                typer.echo(f"keepgate: cannot read {file}: {exc.strerror}", err=True)
                raise typer.Exit(2) from None
        result = asyncio.run(scanner.ascan(_as_role(text, role), role=role)).as_dict()
    finally:
        asyncio.run(guard.aclose())
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        _human(result, sys.stdout)
    if result["blocked"]:
        raise typer.Exit(1)


async def _scan_jsonl(scanner: Any, path: Path, role: str) -> None:
    from rich.progress import Progress

    from rich.console import Console

    try:
        lines = (sys.stdin if str(path) == "-" else path.open(encoding="utf-8")).read().splitlines()
    except OSError as exc:
        typer.echo(f"keepgate: cannot read {path}: {exc.strerror}", err=True)
        raise typer.Exit(2) from None
    out = sys.stdout
    with Progress(console=Console(stderr=True), transient=False) as progress:
        task = progress.add_task("scanning", total=len(lines))
        for n, line in enumerate(lines, 1):
            if not line.strip():
                progress.advance(task)
                continue
            try:
                row = json.loads(line)
                text = row["text"]
                if not isinstance(text, str):
                    raise TypeError
            except (ValueError, KeyError, TypeError):
                typer.echo(
                    f"keepgate: {path}:{n}: expected a JSON object with a string 'text'", err=True
                )
                raise typer.Exit(2) from None
            r = row.get("role") or role
            result = await scanner.ascan(_as_role(text, r), role=r)
            out.write(json.dumps(result.as_dict()) + "\n")
            progress.advance(task)
    out.flush()
