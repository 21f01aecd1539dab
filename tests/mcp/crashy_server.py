"""A stdio MCP server that dies in the middle of a call (tests of a disconnecting upstream)."""

import os

from mcp.server.mcpserver import MCPServer

server = MCPServer("crashy")


@server.tool(description="Echo the text back.")
def echo(text: str) -> str:
    return text


@server.tool(description="Look something up (the process exits before it answers).")
def lookup(query: str) -> str:
    os._exit(3)


if __name__ == "__main__":
    server.run("stdio")
