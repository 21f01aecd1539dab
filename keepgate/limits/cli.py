"""`keepgate keys usage`: spend and remaining limits, read from a running gateway.

It asks the gateway's HTTP API (not Redis) so it works the same for both backends and
never needs the store's credentials: with the admin key it lists every key (or one), with
any other key it shows that key's own usage.
"""

from __future__ import annotations

import json
import math
from typing import Annotated, Any, Optional

import typer


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".") if value else "0"
    return str(value)


def _limit_cells(report: dict[str, Any]) -> str:
    """`requests_per_minute 58/60, budget_usd 4.2/5` — remaining over limit."""
    limits = report.get("limits") or {}
    remaining = report.get("remaining") or {}

    def left(name: str) -> str:
        value = float(remaining.get(name, 0.0))
        return _fmt(round(value, 6)) if "usd" in name else str(math.floor(value))

    return (
        ", ".join(f"{name} {left(name)}/{_fmt(cap)}" for name, cap in limits.items()) or "no limits"
    )


def render(reports: list[dict[str, Any]]) -> str:
    """A plain table: one row per key, and one per team it belongs to."""
    rows = [("subject", "requests", "blocked", "tokens", "spend_usd", "remaining/limit")]
    for r in reports:
        t = r.get("totals") or {}
        rows.append(
            (
                f"key:{r.get('key_id')}",
                _fmt(t.get("requests")),
                _fmt(t.get("blocked")),
                _fmt(t.get("tokens")),
                _fmt(t.get("spend_usd")),
                _limit_cells(r),
            )
        )
        team = r.get("team_usage")
        if team:
            tt = team.get("totals") or {}
            rows.append(
                (
                    f"  team:{r.get('team')}",
                    _fmt(tt.get("requests")),
                    _fmt(tt.get("blocked")),
                    _fmt(tt.get("tokens")),
                    _fmt(tt.get("spend_usd")),
                    _limit_cells(team),
                )
            )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row[:-1], widths)) + "  " + row[-1] for row in rows
    ]
    return "\n".join(lines)


def usage(
    key_id: Annotated[
        Optional[str],
        typer.Argument(help="Key id to show (admin key needed); omit for every key, or 'self'."),
    ] = None,
    url: Annotated[
        str, typer.Option(envvar="KEEPGATE_URL", help="The gateway's address.")
    ] = "http://127.0.0.1:4000",
    api_key: Annotated[
        Optional[str],
        typer.Option(
            "--api-key",
            envvar=["KEEPGATE_API_KEY", "KEEPGATE_MASTER_KEY"],
            help="Admin key (any key for 'self').",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the raw JSON.")] = False,
) -> None:
    """Show spend, token use and remaining limits per key (and its team)."""
    import httpx

    if not api_key:
        typer.echo(
            "keepgate: pass --api-key or set KEEPGATE_API_KEY / KEEPGATE_MASTER_KEY", err=True
        )
        raise typer.Exit(2)
    base = url.rstrip("/").removesuffix("/v1")
    path = (
        "/v1/keys/self/usage"
        if key_id == "self"
        else f"/admin/keys/{key_id}/usage"
        if key_id
        else "/admin/usage"
    )
    try:
        resp = httpx.get(base + path, headers={"Authorization": f"Bearer {api_key}"}, timeout=10)
    except httpx.HTTPError as exc:
        typer.echo(f"keepgate: cannot reach {base}: {type(exc).__name__}", err=True)
        raise typer.Exit(1) from None
    try:
        data = resp.json()
    except ValueError:
        data = {}
    if resp.status_code != 200:
        msg = (data.get("error") or {}).get("message") if isinstance(data, dict) else None
        typer.echo(f"keepgate: {resp.status_code} from {path}: {msg or resp.text[:200]}", err=True)
        raise typer.Exit(1)
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    reports = data["data"] if data.get("object") == "list" else [data]
    typer.echo(render(reports))
