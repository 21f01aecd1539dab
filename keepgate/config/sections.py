"""Which config sections other packages own, and where each one's settings model lives.

Plain data (`module:Class` strings) and no imports, like the guard registry
(keepgate.config.guards): the loader's model (keepgate.config.tree) imports each model by
that name and types the section with it, so a typo in `agent:`, `mcp:`, `mcp_servers:` or
an `observability:` sub-section fails at load time with the file and line. Each model is a
`keepgate.config.model.SectionSettings`; its module must not import the loader.
"""

from __future__ import annotations

#: Where each owned section sits (`mcp_servers.*`: every value of that mapping) and the
#: model that types it.
SECTIONS: dict[str, str] = {
    "agent": "keepgate.agent.settings:AgentSettings",
    "mcp": "keepgate.mcp.settings:McpSettings",
    "mcp_servers.*": "keepgate.mcp.settings:McpServerSettings",
    "observability.tracing": "keepgate.observability.settings:TracingSettings",
    "observability.audit_redis": "keepgate.observability.settings:AuditRedisSettings",
    "observability.ui": "keepgate.observability.settings:UISettings",
}
