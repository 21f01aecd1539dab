"""The demo MCP server: the hosted agent's demo tools (read_file, sql_query, http_get,
send_email), served over MCP with the official SDK's low-level `Server`.

`keepgate serve` in demo mode starts it on a loopback port and declares it as the
upstream `demo`; `keepgate mcp demo-server` runs it alone (Streamable HTTP, or stdio with
`--stdio`). Tools are the agent's own implementations (sandbox, read-only SQL, host
allowlist, an outbox file instead of mail), with their JSON schemas and the agent's tool
engine (validation, timeouts, retries), so the demo behaves the same over both paths.
"""

from __future__ import annotations

import asyncio
import json
import socket
import tempfile
import uuid
from pathlib import Path
from typing import Any

import mcp_types as types
import uvicorn
from mcp.server.lowlevel import Server

from keepgate.agent.settings import AgentSettings
from keepgate.agent.tools.base import ToolContext
from keepgate.agent.tools.demo import demo_tools
from keepgate.agent.tools.engine import ToolEngine
from keepgate.serving.prompt_stop import PromptServer


def default_settings(outbox: str | Path | None = None) -> AgentSettings:
    path = Path(outbox) if outbox else Path(tempfile.gettempdir()) / "keepgate-demo-outbox.jsonl"
    return AgentSettings.model_validate(
        {"tools": {"send_email": {"options": {"outbox": str(path)}}}}
    )


#: Hex digits to letters: a call id is 16 random letters a-p, a shape no PII recognizer reads
#: as a value (a hex id held a phone number or a DEA number's shape once in a few thousand,
#: so the PII guard altered a sent mail's `message_id` at random).
_LETTERS = str.maketrans("0123456789", "ghijklmnop")


def _call_id() -> str:
    return "mcp_" + uuid.uuid4().hex[:16].translate(_LETTERS)


def build_demo_server(settings: AgentSettings | None = None) -> Server:
    tools = demo_tools(settings or default_settings())
    engine = ToolEngine(tools)
    listing = [
        types.Tool(
            name=t.name,
            description=t.description,
            input_schema=t.parameters,
            annotations=types.ToolAnnotations(read_only_hint=t.name != "send_email"),
        )
        for t in tools.values()
    ]

    async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        return types.ListToolsResult(tools=listing)

    async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        args, bad = engine.check(params.name, json.dumps(params.arguments or {}), list(tools))
        out = (
            bad
            if bad is not None
            else await engine.execute(
                params.name, args or {}, ToolContext("mcp", _call_id(), "mcp")
            )
        )
        if not out.ok:
            error = out.error or {}
            return types.CallToolResult(
                is_error=True,
                content=[
                    types.TextContent(
                        text=f"{error.get('type', 'error')}: {error.get('message', '')}"
                    )
                ],
            )
        result = out.result
        text = (
            result
            if isinstance(result, str)
            else json.dumps(result, ensure_ascii=False, default=str)
        )
        return types.CallToolResult(content=[types.TextContent(text=text)])

    server = Server(
        "keepgate-demo",
        version="1",
        instructions="Keepgate's demo tools.",
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )
    server.middleware = []
    return server


def demo_app(settings: AgentSettings | None = None) -> Any:
    """The demo server as an ASGI app (Streamable HTTP at /mcp, stateless, JSON answers)."""
    from mcp.server.transport_security import TransportSecuritySettings

    return build_demo_server(settings).streamable_http_app(
        json_response=True,
        stateless_http=True,
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )


class BackgroundDemoMcp:
    """The demo upstream inside the gateway's process, on 127.0.0.1:<ephemeral>/mcp."""

    def __init__(self) -> None:
        # proto IPPROTO_TCP: asyncio sets TCP_NODELAY only on accepted sockets whose proto
        # says TCP; with 0, a response sent in two writes waits 40 ms for a delayed ACK.
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/mcp"
        cfg = uvicorn.Config(demo_app(), log_level="warning", access_log=False, lifespan="on")
        self.server = PromptServer(cfg)
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.task = asyncio.create_task(self.server.serve(sockets=[self.sock]))
        while not self.server.started:
            if self.task.done():
                self.task.result()
            await asyncio.sleep(0.005)

    async def stop(self) -> None:
        self.server.request_exit()
        if self.task:
            await self.task


def run_stdio(settings: AgentSettings | None = None) -> None:
    """Serve the demo tools over stdin/stdout (an MCP `command` upstream)."""
    import anyio
    from mcp.server.stdio import stdio_server

    server = build_demo_server(settings)

    async def main() -> None:
        async with stdio_server() as (read, write):
            await server.run(read, write, server.create_initialization_options())

    anyio.run(main)


if __name__ == "__main__":  # python -m keepgate.mcp.demo_server  (stdio)
    run_stdio()
