"""`keepgate policy test`, `keepgate policy eval --input FILE`, and the held tool calls of a
running gateway: `keepgate policy approvals [--all]`, `keepgate policy decide ID approve|deny`
(the same commands as `keepgate mcp approvals` / `decide`: one approvals API)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, Optional

import typer

from keepgate.policy.bundle import DEFAULT_POLICY_DIR, PolicyLoadError
from keepgate.policy.decision import PolicyDecision

app = typer.Typer(
    help="Tool-call policies (Rego): run their tests, evaluate a decision.", no_args_is_help=True
)

DirsOpt = typer.Option(
    None,
    "--policies",
    "-p",
    help="Policy directory (repeatable); default: the repository's policies/.",
)
DataOpt = typer.Option(
    None, "--data", "-d", help="Data directory or file (repeatable); default: <policy dir>/data."
)


@app.command("test")
def test(
    policies: Optional[list[Path]] = DirsOpt,
    data: Optional[list[Path]] = DataOpt,
    run: Optional[str] = typer.Option(None, "--run", "-r", help="Only tests matching this regex."),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
) -> None:
    """Run every test_* rule of the *_test.rego files in-process (like `opa test`)."""
    from keepgate.policy.runner import run as run_tests

    try:
        results = run_tests(policies or [DEFAULT_POLICY_DIR], data, match=run)
    except PolicyLoadError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    failed = [r for r in results if r.status in ("fail", "error")]
    for r in results:
        if verbose or r.status in ("fail", "error"):
            extra = f" ({r.detail})" if r.detail else ""
            typer.echo(f"{r.status.upper():5} {r.id}{extra}  [{r.file}]")
    passed = sum(r.status == "pass" for r in results)
    skipped = sum(r.status == "skip" for r in results)
    typer.echo("-" * 60)
    typer.echo(
        f"PASS: {passed}/{len(results)}"
        + (f", SKIP: {skipped}" if skipped else "")
        + (f", FAIL: {len(failed)}" if failed else "")
    )
    if failed or not results:
        raise typer.Exit(1)


@app.command("eval")
def eval_(
    input: Path = typer.Option(..., "--input", "-i", help="JSON file with the policy input."),
    policies: Optional[list[Path]] = DirsOpt,
    data: Optional[list[Path]] = DataOpt,
    opa_url: Optional[str] = typer.Option(None, "--opa", help="Ask this OPA server instead."),
) -> None:
    """Print the decision for one policy input (see policies/README.md for its shape)."""
    from keepgate.policy.engine import PolicyService
    from keepgate.policy.settings import PolicySettings

    try:
        doc = json.loads(input.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        typer.echo(f"error: {input}: {exc}", err=True)
        raise typer.Exit(2) from None
    section: dict[str, Any] = {"hot_reload": False, "policy_dirs": policies or [DEFAULT_POLICY_DIR]}
    if data:
        section["data_dirs"] = data
    if opa_url:
        section.update(engine="opa", opa={"url": opa_url})
    try:
        service = PolicyService(PolicySettings.model_validate(section))
    except PolicyLoadError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None

    async def go() -> PolicyDecision:
        try:
            return await service.decide(doc)
        finally:
            await service.aclose()

    decision = asyncio.run(go())
    typer.echo(json.dumps(decision.as_dict(), indent=2))
    raise typer.Exit(0 if decision.allow else 1)


def _approval_commands() -> None:
    from keepgate.mcp import cli as mcp_cli

    app.command("approvals")(mcp_cli.approvals)
    app.command("decide")(mcp_cli.decide)


_approval_commands()
