"""MCP gateway: upstream MCP servers behind Keepgate's keys, policy, scans and audit.

Clients speak MCP (Streamable HTTP or SSE, the official `mcp` SDK on both sides) to
`/mcp/{server}` or the aggregated `/mcp`; every `tools/list` is filtered by role, scanned
and pinned, every `tools/call` is decided by the same Rego policy as model tool calls, and
every result is scanned and scrubbed before the client sees it. See docs/mcp.md.
"""
