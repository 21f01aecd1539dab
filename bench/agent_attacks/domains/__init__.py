"""The suite's domains, one module each (system prompt, tools, tasks, injection goals)."""

from __future__ import annotations

from bench.agent_attacks.domains import banking, chat, devops, travel, workspace
from bench.agent_attacks.model import Domain

DOMAINS: tuple[Domain, ...] = (
    workspace.DOMAIN,
    banking.DOMAIN,
    chat.DOMAIN,
    travel.DOMAIN,
    devops.DOMAIN,
)
