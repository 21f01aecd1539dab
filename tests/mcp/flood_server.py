"""A stdio MCP server whose `flood` tool writes one line without end to stdout (tests of
the bound on a stdio line). Its pid and the bytes it has written so far (each write
completes only once the reader has taken all but a pipe's worth) go to the file named by
`KG_FLOOD_LOG`, one `pid bytes` line rewritten per write."""

import os

from mcp.server.mcpserver import MCPServer

server = MCPServer("flood")
PIECE = b"x" * (256 * 1024)
#: The protocol pipe, kept before the SDK points fd 1 away from tool code.
PROTOCOL = os.fdopen(os.dup(1), "wb", buffering=0)


def _log(written: int) -> None:
    with open(os.environ["KG_FLOOD_LOG"], "w") as f:
        f.write(f"{os.getpid()} {written}\n")


@server.tool(description="Echo the text back.")
def echo(text: str) -> str:
    return text


@server.tool(description="Write one line that never ends.")
def flood(query: str) -> str:
    out = PROTOCOL
    written = 0
    out.write(b'{"jsonrpc": "2.0", "method": "notifications/message", "params": {"data": "')
    while True:
        out.write(PIECE)
        written += len(PIECE)
        _log(written)


if __name__ == "__main__":
    _log(0)
    server.run("stdio")
