"""`keepgate agent "task"`: start a run on a running gateway and render its events live."""

from __future__ import annotations

import json
import os
import sys
from typing import Annotated, Any, Optional

import typer


def _render(console: Any, event: dict[str, Any], state: dict[str, Any]) -> None:
    from rich.markup import escape as e

    kind = event["type"]
    if kind == "model.delta":
        if not state.get("in_text"):
            console.print("[bold]model[/]: ", end="")
            state["in_text"] = True
        console.print(event["text"], end="", markup=False, highlight=False)
        return
    if state.pop("in_text", False):
        console.print()
    if kind == "run.started":
        console.print(
            f"[dim]run {event['run_id']} · model {event['model']} · tools "
            f"{', '.join(event['tools'])}{' · resumed' if event.get('resumed') else ''}"
            "[/]"
        )
    elif kind == "tool.requested":
        console.print(f"[cyan]→ {e(event['tool'])}[/] {e(event['arguments'][:200])}")
    elif kind == "tool.decided":
        color = {"allow": "green", "require_approval": "yellow"}.get(event["decision"], "red")
        console.print(f"  [{color}]{event['decision']}[/] by {event['by']} ({event['rule']})")
    elif kind == "tool.result":
        if event.get("withheld"):
            console.print(
                f"  [red]result withheld[/] (input guard: "
                f"{', '.join(event['withheld']['rules'])}); run is now tainted"
            )
        elif event["ok"]:
            console.print(f"  [green]ok[/] [dim]{e(repr(event['preview'][:160]))}[/]")
        else:
            err = event.get("error") or {}
            console.print(f"  [red]error[/] {err.get('type')}: {e(err.get('message', '')[:200])}")
    elif kind == "approval.required":
        console.print(
            f"[yellow]approval required[/] for {e(event['tool'])} "
            f"{e(json.dumps(event['arguments'])[:300])}: "
            f"{e(', '.join(event['reasons']))}"
        )
    elif kind == "run.completed":
        console.print(
            f"[bold green]completed[/] in {event['steps']} step(s), ${event['spent_usd']:.6f}"
        )
    elif kind == "run.failed":
        console.print(f"[bold red]failed[/]: {event['reason']}: {e(event['message'])}")


def agent(
    task: Annotated[str, typer.Argument(help="What the agent should do.")],
    url: Annotated[
        str, typer.Option(envvar="KEEPGATE_URL", help="Gateway base URL.")
    ] = "http://127.0.0.1:4000",
    key: Annotated[
        Optional[str], typer.Option(envvar="KEEPGATE_API_KEY", help="Keepgate key (Bearer).")
    ] = None,
    model: Annotated[str, typer.Option(help="Model alias.")] = "demo",
    tool: Annotated[
        Optional[list[str]], typer.Option(help="Allowed tool (repeat); default: all.")
    ] = None,
    max_steps: Annotated[Optional[int], typer.Option(help="Step limit for this run.")] = None,
    on_approval: Annotated[str, typer.Option(help="ask | approve | deny")] = "ask",
    model_params: Annotated[
        Optional[str],
        typer.Option(
            help="JSON object merged into every model call (e.g. the fake model's script)."
        ),
    ] = None,
) -> None:
    """Run the hosted agent on a task, with its events rendered live."""
    import httpx
    from rich.console import Console

    console = Console(highlight=False)
    key = key or os.environ.get("OPENAI_API_KEY")
    if not key:
        typer.echo("keepgate agent: pass --key or set KEEPGATE_API_KEY", err=True)
        raise typer.Exit(2)
    if on_approval not in ("ask", "approve", "deny"):
        raise typer.BadParameter("expected ask, approve or deny", param_hint="--on-approval")
    body: dict[str, Any] = {"task": task, "model": model}
    if tool:
        body["tools"] = tool
    if max_steps:
        body["limits"] = {"max_steps": max_steps}
    if model_params:
        try:
            body["model_params"] = json.loads(model_params)
        except json.JSONDecodeError as exc:
            raise typer.BadParameter(f"not JSON: {exc.msg}", param_hint="--model-params") from None
    headers = {"authorization": f"Bearer {key}"}
    base = url.rstrip("/")
    payload: dict[str, Any] | None = body
    path, after, run_id = "/v1/agent/runs", 0, None
    end: dict[str, Any] = {}
    try:
        with httpx.Client(timeout=httpx.Timeout(30, read=None)) as client:
            while True:
                method = "POST" if payload is not None else "GET"
                pending = None
                with client.stream(method, base + path, json=payload, headers=headers) as r:
                    if r.status_code != 200:
                        err = json.loads(r.read() or b"{}").get("error", {})
                        typer.echo(
                            f"keepgate agent: HTTP {r.status_code}: "
                            f"{err.get('message', r.reason_phrase)}",
                            err=True,
                        )
                        raise typer.Exit(1)
                    shown: dict[str, Any] = {}
                    for line in r.iter_lines():
                        if not line.startswith("data: {"):
                            continue
                        event = json.loads(line[6:])
                        run_id, after = event["run_id"], event["seq"]
                        _render(console, event, shown)
                        if event["type"] in ("run.completed", "run.failed"):
                            end = event
                        if event["type"] == "approval.required":
                            pending = event
                            break
                if pending is None:
                    break
                decision = on_approval
                if decision == "ask":
                    decision = (
                        "approve"
                        if sys.stdin.isatty()
                        and typer.confirm(f"Approve {pending['tool']}?", default=False)
                        else "deny"
                    )
                client.post(
                    f"{base}/v1/agent/runs/{run_id}/approvals",
                    headers=headers,
                    json={"tool_call_id": pending["tool_call_id"], "decision": decision},
                ).raise_for_status()
                path, payload = f"/v1/agent/runs/{run_id}/events?after={after}", None
    except httpx.ConnectError:
        typer.echo(
            f"keepgate agent: cannot reach the gateway at {base} (is `keepgate serve` running?)",
            err=True,
        )
        raise typer.Exit(1) from None
    if end.get("type") == "run.completed":
        console.print(end["result"], markup=False)
        return
    raise typer.Exit(1)
