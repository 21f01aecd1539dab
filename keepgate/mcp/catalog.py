"""What a key sees of the upstream servers: every tool's definition scanned, pinned and
filtered by role (the `tools/list` half of the MCP gateway; calls check the same verdicts).

- Scan: the input guard reads the whole served definition, as a host hands it to the
  model (`_definition_texts`: property names, schema prose, vendor keywords, `_meta`); any
  finding quarantines it.
- Pin: the definition's digest at first sight (`keepgate.mcp.pins`); a change is withheld
  until an operator approves it.
- Role: the tool-call policy's own role rules, asked with the tool's name (a tool is
  visible when the policy raises no `role.*` reason for it).

Everything is computed once per upstream listing, per definition digest and per
(key, tool, policy version), and the whole answer is remembered per (server, key, role)
while every piece of it would come from those caches unchanged (`_Listed`), so a call
pays one lookup instead of three awaits per tool (the call's `tools_offered` reads them).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from typing import Any, NamedTuple

import mcp_types as types

from keepgate.auth.principal import Principal
from keepgate.mcp import pins as pinning
from keepgate.mcp.pins import PinVerdict, Pins
from keepgate.mcp.settings import McpSettings
from keepgate.mcp.upstream import Upstream
from keepgate.policy.decision import reason_id
from keepgate.pipeline.capabilities import ResultScanner, ToolPolicy
from keepgate.policy.inputs import build_policy_input

log = logging.getLogger("keepgate.mcp")
ROUTE = "mcp"


class _Listed(NamedTuple):
    """A remembered `server_tools` answer and what it was computed from: it stands while
    the listing object, the policy version and both caches' generations are the same and
    no pin verdict in it has expired (`until`)."""

    tools: list[types.Tool]
    version: object
    generation: tuple[int, int]
    until: float
    out: list[tuple[types.Tool, PinVerdict, bool]]
    #: The names `out` offers the caller (`Catalog.offered`).
    offered: list[str]


class Catalog:
    def __init__(
        self,
        settings: McpSettings,
        upstreams: dict[str, Upstream],
        pins: Pins,
        input_guard: ResultScanner | None,
        policy: ToolPolicy | None,
    ) -> None:
        self.settings = settings
        self.upstreams = upstreams
        self.pins = pins
        self.input_guard = input_guard
        self.policy = policy
        self._scans: dict[str, tuple[list[str], bool]] = {}
        self._roles: dict[tuple[Any, ...], bool] = {}
        self._defs: dict[str, tuple[list[types.Tool], dict[str, tuple[dict[str, Any], str]]]] = {}
        self._listed: dict[tuple[str, str, str], _Listed] = {}
        #: Moves when `_scans` or `_roles` is emptied (their size caps).
        self._generation = 0

    async def _definition_rules(self, defn: dict[str, Any], d: str) -> tuple[list[str], bool]:
        """Input-guard findings on what the model would read of a tool: (rules, transient).
        Transient: the scan could not decide (not remembered in the pin)."""
        if not self.settings.scan_descriptions or self.input_guard is None:
            return [], False
        hit = self._scans.get(d)
        if hit is not None:
            return hit
        text = "\n".join(_definition_texts(defn))
        await asyncio.sleep(0)  # a first listing scans every tool: let other requests in
        try:
            # Scanned as a tool definition (its own scan role), off the event loop when long.
            result = await self.input_guard.scan_text(None, text, "tool_definition")
        except Exception as exc:  # noqa: BLE001 - cannot decide: withhold, do not pin
            log.error("mcp: tool description scan failed: %s", type(exc).__name__)
            return ["input.internal_error"], True
        if result is None:  # guards.input does not read tool definitions
            return [], False
        rules = list(dict.fromkeys(f.rule for f in result.findings if f.stage != "error"))
        if any(f.stage == "error" for f in result.findings) and not rules:
            # A stage could not run: withhold for now (fail closed) without pinning the
            # verdict, or pass when the guard is configured to fail open.
            return (["input.stage_unavailable"], True) if result.blocked else ([], True)
        self._scans[d] = (rules, False)
        if len(self._scans) > 20_000:
            self._scans.clear()
            self._generation += 1
        return rules, False

    async def scan_definition(self, defn: dict[str, Any]) -> list[str]:
        """Input-guard rules on what the model reads of a listed entry (a resource, resource
        template or prompt, given as `name`/`title`/`description` and an `inputSchema`-shaped
        tree of argument texts): the tool-definition scan, cached by digest. Any rule (the
        scan failing closed included) withholds the entry; nothing is pinned."""
        rules, _ = await self._definition_rules(defn, pinning.digest(defn))
        return rules

    def _definitions(
        self, server: str, tools: list[types.Tool]
    ) -> dict[str, tuple[dict[str, Any], str]]:
        """name -> (definition, digest), computed once per upstream listing (the listing
        object is reused until it is fetched again)."""
        hit = self._defs.get(server)
        if hit is None or hit[0] is not tools:
            hit = (tools, {t.name: (d := pinning.definition(t), pinning.digest(d)) for t in tools})
            self._defs[server] = hit
        return hit[1]

    async def _verdict(self, server: str, defn: dict[str, Any], d: str) -> PinVerdict:
        rules, transient = await self._definition_rules(defn, d)
        if transient and rules:
            return PinVerdict("quarantined", d, tuple(rules))
        if not self.settings.pin_tools:
            return PinVerdict("quarantined" if rules else "approved", d, tuple(rules))
        return await self.pins.check(server, defn, rules, d)

    async def _role_allows(self, principal: Principal, server: str, tool: str) -> bool:
        """The tool policy's role rules, asked once per (key, tool, policy version)."""
        if self.policy is None:
            return True
        key = (principal.key_id, principal.role, server, tool, self.policy.policy_version)
        hit = self._roles.get(key)
        if hit is None:
            inp = build_policy_input(
                principal,
                tool,
                {},
                metadata={"route": ROUTE, "mcp_server": server, "mcp_method": "tools/list"},
            )
            try:
                decision = await self.policy.decide_tool(inp)
            except Exception:  # noqa: BLE001 - cannot decide: hide (the call would be denied)
                return False
            hit = not any(reason_id(r).startswith("role.") for r in decision.deny)
            self._roles[key] = hit
            if len(self._roles) > 50_000:
                self._roles.clear()
                self._generation += 1
        return hit

    async def server_tools(
        self, principal: Principal, server: str
    ) -> list[tuple[types.Tool, PinVerdict, bool]]:
        """Every upstream tool with its pin verdict and whether the caller's role sees it
        (the same list object while it stands: callers do not change it)."""
        tools = await self.upstreams[server].list_tools()
        version = self.policy.policy_version if self.policy is not None else None
        who = (server, principal.key_id, principal.role)
        generation = (self._generation, self.pins.generation)
        hit = self._listed.get(who)
        if (
            hit is not None
            and hit.tools is tools
            and hit.version == version
            and hit.generation == generation
            and hit.until > time.monotonic()
        ):
            return hit.out
        out = []
        defs = self._definitions(server, tools)
        for tool in tools:
            verdict = await self._verdict(server, *defs[tool.name])
            out.append((tool, verdict, await self._role_allows(principal, server, tool.name)))
        until = self._standing(principal, server, tools, defs, version)
        if until > time.monotonic() and generation == (self._generation, self.pins.generation):
            if len(self._listed) > 10_000:
                self._listed.clear()
            self._listed[who] = _Listed(tools, version, generation, until, out, offered(out))
        return out

    def offered(
        self, principal: Principal, server: str, listed: list[tuple[types.Tool, PinVerdict, bool]]
    ) -> list[str]:
        """The tool names `listed` (a `server_tools` answer) offers the caller: approved and
        visible. Written out once per remembered answer; the same list object while it
        stands (callers do not change it)."""
        hit = self._listed.get((server, principal.key_id, principal.role))
        if hit is not None and hit.out is listed:
            return hit.offered
        return offered(listed)

    def _standing(
        self,
        principal: Principal,
        server: str,
        tools: list[types.Tool],
        defs: dict[str, tuple[dict[str, Any], str]],
        version: object,
    ) -> float:
        """Until when asking again would give the same answer: every scan and role verdict
        is remembered (a transient one is not), and the pins' cached verdicts last that
        long (no pinning: for ever). 0 when something was not remembered."""
        scanning = self.settings.scan_descriptions and self.input_guard is not None
        until = math.inf
        for tool in tools:
            d = defs[tool.name][1]
            if scanning and d not in self._scans:
                return 0.0
            key = (principal.key_id, principal.role, server, tool.name, version)
            if self.policy is not None and key not in self._roles:
                return 0.0
            if self.settings.pin_tools:
                until = min(until, self.pins.cached_until(server, tool.name, d))
        return until


def _definition_texts(defn: dict[str, Any]) -> list[str]:
    """Every string a model or host may read of a definition: its name, title, description,
    annotations, its schemas as a model reads them (`_schema_texts`), and every key and
    string of anything else the upstream put on it (`_meta`, icons, fields added later).
    Hosts hand the whole served definition to the model; what is served is what is read."""
    out = [defn.get("name") or "", defn.get("title") or "", defn.get("description") or ""]
    for key, value in defn.items():
        if key in ("name", "title", "description"):
            continue
        if key in ("inputSchema", "outputSchema"):
            _schema_texts(value, out)
        else:
            _all_strings(value, out)
    return [t for t in out if t]


#: JSON Schema keywords whose value maps names (a model reads the names) to subschemas.
_NAMED = frozenset(("properties", "patternProperties", "$defs", "definitions", "dependentSchemas"))
#: Keywords whose string values are prose or sample data.
_TEXT = frozenset(("description", "title", "$comment"))
_VALUES = frozenset(("enum", "examples", "default", "const"))
#: Structural keywords: their strings (types, formats, references, patterns) are not prose;
#: subschemas under them are read. Any other keyword is read whole, key included.
_STRUCTURAL = frozenset(
    (
        "type", "format", "$ref", "$id", "$schema", "$anchor", "$dynamicRef", "$dynamicAnchor",
        "pattern", "items", "prefixItems", "additionalItems", "contains", "additionalProperties",
        "unevaluatedItems", "unevaluatedProperties", "propertyNames", "allOf", "anyOf", "oneOf",
        "not", "if", "then", "else", "minimum", "maximum", "exclusiveMinimum",
        "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "minItems", "maxItems",
        "uniqueItems", "minContains", "maxContains", "minProperties", "maxProperties",
        "required", "dependentRequired", "contentEncoding", "contentMediaType",
        "contentSchema", "readOnly", "writeOnly", "deprecated", "nullable", "$vocabulary",
    )
)  # fmt: skip


def _schema_texts(node: Any, out: list[str]) -> None:
    if isinstance(node, list):
        for v in node:
            _schema_texts(v, out)
        return
    if not isinstance(node, dict):
        return
    for k, v in node.items():
        if k in _NAMED and isinstance(v, dict):
            for name, sub in v.items():
                out.append(str(name))
                _schema_texts(sub, out)
        elif k in _TEXT and isinstance(v, str):
            out.append(v)
        elif k in _VALUES:
            out.extend(_strings(v))
        elif k in _STRUCTURAL:
            _schema_texts(v, out)
        else:  # a vendor keyword (`x-instructions`): the model reads it as it is
            out.append(str(k))
            _all_strings(v, out)


def _all_strings(value: Any, out: list[str]) -> None:
    """Every key and string inside `value`."""
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, list):
        for v in value:
            _all_strings(v, out)
    elif isinstance(value, dict):
        for k, v in value.items():
            out.append(str(k))
            _all_strings(v, out)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    return []


def offered(listed: list[tuple[types.Tool, PinVerdict, bool]]) -> list[str]:
    """The names of the approved tools the caller sees in a `server_tools` answer."""
    return [t.name for t, v, visible in listed if v.status == "approved" and visible]
