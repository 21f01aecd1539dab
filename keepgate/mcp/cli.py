"""`keepgate mcp ...`: pinned tool definitions and held calls on a running gateway.

    keepgate mcp pins [--server S]          what is pinned, what changed (with the diff)
    keepgate mcp approve SERVER TOOL        accept a changed or flagged tool definition
    keepgate mcp approvals [--all]          calls held for a human
    keepgate mcp decide ID approve|deny     decide one
    keepgate mcp demo-server [--stdio]      the demo MCP server on its own

Commands talk to the gateway's admin API (`--url`, `--key` or KEEPGATE_URL and
KEEPGATE_API_KEY / KEEPGATE_MASTER_KEY), so they work whatever store the gateway uses.
"""

from __future__ import annotations

import json
import os
from typing import Annotated, Any, Optional

import typer

app = typer.Typer(help="MCP gateway: pinned tools and held calls.", no_args_is_help=True)

Url = Annotated[str, typer.Option(envvar="KEEPGATE_URL", help="Gateway base URL.")]
Key = Annotated[
    Optional[str],
    typer.Option(envvar="KEEPGATE_API_KEY", help="Admin (master) key; or KEEPGATE_MASTER_KEY."),
]
DEFAULT_URL = "http://127.0.0.1:4000"


def _call(method: str, url: str, key: str | None, path: str, **kw: Any) -> Any:
    import httpx

    key = key or os.environ.get("KEEPGATE_MASTER_KEY")
    if not key:
        typer.echo("keepgate mcp: pass --key or set KEEPGATE_API_KEY", err=True)
        raise typer.Exit(2)
    base = url.rstrip("/")
    try:
        r = httpx.request(
            method, base + path, headers={"authorization": f"Bearer {key}"}, timeout=30, **kw
        )
    except httpx.HTTPError as exc:
        typer.echo(
            f"keepgate mcp: cannot reach the gateway at {base} ({type(exc).__name__}; "
            "is `keepgate serve` running?)",
            err=True,
        )
        raise typer.Exit(1) from None
    if r.status_code >= 400:
        try:
            message = r.json()["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = r.reason_phrase
        typer.echo(f"keepgate mcp: HTTP {r.status_code}: {message}", err=True)
        raise typer.Exit(1)
    return r.json()


@app.command("pins")
def pins(
    server: Annotated[Optional[str], typer.Option(help="Only this server.")] = None,
    url: Url = DEFAULT_URL,
    key: Key = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List pinned tool definitions; changed ones show the diff to approve."""
    data = _call("GET", url, key, "/v1/mcp/pins", params={"server": server} if server else None)
    if as_json:
        typer.echo(json.dumps(data["data"], indent=2))
        return
    for pin in data["data"]:
        rules = f" ({', '.join(pin['rules'])})" if pin.get("rules") else ""
        typer.echo(f"{pin['server']}/{pin['tool']}: {pin['status']}{rules} {pin['digest'][:19]}")
        pending = pin.get("pending")
        if pending:
            extra = f" ({', '.join(pending['rules'])})" if pending.get("rules") else ""
            typer.echo(
                f"  changed to {pending['digest'][:19]}{extra}; "
                f"approve with: keepgate mcp approve {pin['server']} {pin['tool']}"
            )
            for line in pending["diff"].splitlines():
                typer.echo("    " + line)


@app.command("approve")
def approve(
    server: Annotated[str, typer.Argument(help="MCP server name.")],
    tool: Annotated[str, typer.Argument(help="Tool name (as the server lists it).")],
    url: Url = DEFAULT_URL,
    key: Key = None,
) -> None:
    """Accept a changed (or flagged) tool definition as it is listed now."""
    pin = _call("POST", url, key, "/v1/mcp/pins/approve", json={"server": server, "tool": tool})
    typer.echo(f"approved {pin['server']}/{pin['tool']} at {pin['digest']}")


@app.command("approvals")
def approvals(
    show_all: Annotated[bool, typer.Option("--all", help="Decided ones too.")] = False,
    url: Url = DEFAULT_URL,
    key: Key = None,
) -> None:
    """Calls the policy held for a human (MCP calls and the model's proxied tool calls)."""
    params = None if show_all else {"status": "pending"}
    for r in _call("GET", url, key, "/v1/approvals", params=params)["data"]:
        where = r.get("server") or r.get("route") or "mcp"
        typer.echo(
            f"{r['id']} {r['status']} {r['key_id']} {where}/{r['tool']} "
            f"{json.dumps(r['arguments'])[:200]} — {'; '.join(r['reasons'])}"
        )


@app.command("decide")
def decide(
    approval_id: Annotated[str, typer.Argument(help="Approval id (mcpap_... or tcap_...).")],
    decision: Annotated[str, typer.Argument(help="approve | deny")],
    comment: Annotated[str, typer.Option(help="Why.")] = "",
    url: Url = DEFAULT_URL,
    key: Key = None,
) -> None:
    """Approve or deny a held call; the client's retry then runs it (or gets the denial)."""
    if decision not in ("approve", "deny"):
        raise typer.BadParameter("expected approve or deny", param_hint="DECISION")
    r = _call(
        "POST",
        url,
        key,
        f"/v1/approvals/{approval_id}",
        json={"decision": decision, "comment": comment},
    )
    typer.echo(f"{r['id']}: {r['status']}")


@app.command("demo-server")
def demo_server(
    host: str = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (Streamable HTTP at /mcp).")] = 4020,
    stdio: Annotated[bool, typer.Option(help="Serve over stdin/stdout.")] = False,
    outbox: Annotated[
        Optional[str],
        typer.Option(help="Where send_email appends (default: a file in the temp dir)."),
    ] = None,
) -> None:
    """Run the demo MCP server (the hosted agent's demo tools) on its own."""
    from keepgate.mcp.demo_server import default_settings, demo_app, run_stdio

    settings = default_settings(outbox)
    if stdio:
        run_stdio(settings)
        return
    import uvicorn

    typer.echo(f"demo MCP server on http://{host}:{port}/mcp", err=True)
    uvicorn.run(demo_app(settings), host=host, port=port, log_level="warning", access_log=False)
