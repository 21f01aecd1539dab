"""Resources and prompts of one upstream server, passed through with the result scans.

A resource's text and a prompt's messages are text a model reads, like a tool result: each
read or get is scanned by the input guard (a blocking finding withholds it, any finding
taints the session) and scrubbed by the PII guard, with `keepgate.mcp.results.inspect`
(the same rules, the same fail-closed behaviour); a prompt's resource links are read as a
tool result's are. A listing's entries (resources, templates, prompts) follow the rules of a
tool definition in `tools/list`: what the model reads of each is scanned as a definition and
an entry with a finding is dropped and audited; their titles and descriptions are then
PII-scrubbed like a tool result. Who may reach them: the keys and roles that may reach the
server (`mcp_servers.<name>.roles/keys`); on the aggregate `/mcp` endpoint they are not
offered (a URI does not say which server it belongs to).
Every request is one audit record (`mcp_method`).
"""

from __future__ import annotations

from typing import Any

import mcp_types as types
from mcp import MCPError
from mcp_types.jsonrpc import INTERNAL_ERROR

from keepgate.auth.principal import Principal
from keepgate.mcp.results import inspect
from keepgate.mcp.results import texts as result_texts
from keepgate.mcp.upstream import UpstreamError
from keepgate.pipeline.call import Outcome
from keepgate.pipeline.verdict import Verdict

#: Pages of a listing read from one upstream before it counts as misbehaving.
MAX_PAGES = 50


class Content:
    """resources/list, resources/templates/list, resources/read, prompts/list, prompts/get."""

    def __init__(self, gw: Any) -> None:
        self.gw = gw

    async def _run(
        self, principal: Principal, server: str, session: str, method: str, fn: Any, **extra: Any
    ) -> Any:
        gw = self.gw
        call = gw.start_call(principal, server, method, session, **extra)
        outcome = Outcome("ok")
        try:
            if not gw.may_reach(principal, server):
                outcome = Outcome("blocked", http_status=403)
                raise MCPError(INTERNAL_ERROR, f"This key may not use the MCP server '{server}'.")
            try:
                return await fn(call)
            except UpstreamError as exc:
                call.add(exc.verdict(server))
                outcome = Outcome("upstream_error", http_status=502)
                raise MCPError(INTERNAL_ERROR, f"{exc.message}; nothing was read") from None
        except MCPError:
            if outcome.status == "ok":
                outcome = Outcome("upstream_error", http_status=502)
            raise
        except BaseException as exc:
            outcome = Outcome.ended_by(exc)
            raise
        finally:
            await gw.finish_call(call, outcome)

    async def _listing(self, server: str, method: str, field: str) -> list[Any]:
        async def walk(client: Any) -> list[Any]:
            found: list[Any] = []
            cursor: str | None = None
            for _ in range(MAX_PAGES):
                page = await getattr(client.session, method)(
                    params=types.PaginatedRequestParams(cursor=cursor)
                )
                found.extend(getattr(page, field))
                cursor = page.next_cursor
                if not cursor:
                    return found
            raise UpstreamError(
                "protocol", f"MCP server '{server}' paginated {method} past {MAX_PAGES} pages"
            )

        result: list[Any] = await self.gw.upstreams[server]._request(method, walk)
        return result

    async def _listed(
        self,
        principal: Principal,
        server: str,
        session: str,
        rpc: str,
        method: str,
        field: str,
        kind: str,
    ) -> list[Any]:
        """One audited, limited listing request (`rpc`), every page of the upstream's answer,
        each entry screened like a tool definition (`_screen`)."""

        async def listed(call: Any) -> list[Any]:
            found = await self._listing(server, method, field)
            return await self._screen(call, principal, server, session, found, kind)

        out: list[Any] = await self._run(principal, server, session, rpc, listed)
        return out

    async def _screen(
        self,
        call: Any,
        principal: Principal,
        server: str,
        session: str,
        entries: list[Any],
        kind: str,
    ) -> list[Any]:
        """What a model reads of a listed resource, template or prompt (name, title,
        description, a prompt's argument titles and descriptions) follows the rules of a tool
        definition: the input guard's tool-definition scan (`Catalog.scan_definition`)
        drops an entry with any finding, audited as `mcp.<kind>_quarantined`; then the PII
        guard scrubs titles and descriptions (names and URIs stay: they address it) with the
        tool-result scrub, and a scrub that fails closed lists nothing."""
        gw = self.gw
        kept: list[Any] = []
        for entry in entries:
            rules = await gw.catalog.scan_definition(_definition(entry))
            if not rules:
                kept.append(entry)
                continue
            gw.metrics.withheld.labels(server, "quarantined").inc()
            call.add(
                Verdict(
                    "mcp",
                    "block",
                    rule=f"mcp.{kind}_quarantined",
                    reason=f"{kind} definition quarantined",
                    detail={"server": server, kind: str(entry.name)[:200], "rules": rules[:10]},
                )
            )
        slots = _readable(kept)
        if not slots:
            return kept
        as_result = types.CallToolResult(
            content=[types.TextContent(text=text) for _, _, text in slots]
        )
        checked = await inspect(
            as_result, principal, None, gw.pii_guard, gw.scrub_cache, session, rejoin=False
        )
        if checked.result.is_error:
            raise MCPError(INTERNAL_ERROR, "the PII scrubber failed; nothing was listed")
        if not checked.redactions:
            return kept
        call.add(Verdict.redaction(checked.redactions))
        updates: dict[tuple[int, int], dict[str, str]] = {}
        for (i, (j, attr), _), block in zip(slots, checked.result.content):
            updates.setdefault((i, j), {})[attr] = _text(block)
        out = []
        for i, entry in enumerate(kept):
            args = list(getattr(entry, "arguments", None) or [])
            for j, arg in enumerate(args):
                if (i, j) in updates:
                    args[j] = arg.model_copy(update=updates[(i, j)])
            update: dict[str, Any] = dict(updates.get((i, -1), {}))
            if args:
                update["arguments"] = args
            out.append(entry.model_copy(update=update) if update else entry)
        return out

    async def list_resources(
        self, principal: Principal, server: str, session: str
    ) -> list[types.Resource]:
        return await self._listed(
            principal, server, session, "resources/list", "list_resources", "resources", "resource"
        )

    async def list_resource_templates(
        self, principal: Principal, server: str, session: str
    ) -> list[types.ResourceTemplate]:
        return await self._listed(
            principal,
            server,
            session,
            "resources/templates/list",
            "list_resource_templates",
            "resource_templates",
            "resource_template",
        )

    async def list_prompts(
        self, principal: Principal, server: str, session: str
    ) -> list[types.Prompt]:
        return await self._listed(
            principal, server, session, "prompts/list", "list_prompts", "prompts", "prompt"
        )

    async def read_resource(
        self, principal: Principal, server: str, session: str, uri: str
    ) -> types.ReadResourceResult:
        async def read(call: Any) -> types.ReadResourceResult:
            result: types.ReadResourceResult = await self.gw.upstreams[server]._request(
                "resources/read", lambda client: client.session.read_resource(uri)
            )
            # Each contents item read as an embedded resource of a tool result: its URI, its
            # text (or a blob whose bytes are text) and its `_meta`; the result's `_meta` too.
            blocks = [types.EmbeddedResource(resource=c) for c in result.contents]
            # One group: the contents' texts are scrubbed as one text, positions kept (red
            # team round 6: each was scrubbed alone, so a value cut between two passed).
            checked = await self._inspect(
                call,
                principal,
                server,
                session,
                blocks,
                f"resource {uri[:200]}",
                result.meta,
                groups=[0] * len(blocks),
            )
            if checked is None:
                return result
            blocked, scrubbed_blocks, meta, upstream_meta = checked
            if blocked is not None:
                return types.ReadResourceResult(
                    contents=[types.TextResourceContents(uri=uri, text=blocked)],
                    _meta={"keepgate": meta},
                )
            return result.model_copy(
                update={
                    "contents": [b.resource for b in scrubbed_blocks],
                    "meta": {**(upstream_meta or {}), "keepgate": meta} if meta else upstream_meta,
                }
            )

        out: types.ReadResourceResult = await self._run(
            principal, server, session, "resources/read", read, resource=uri[:200]
        )
        return out

    async def get_prompt(
        self,
        principal: Principal,
        server: str,
        session: str,
        name: str,
        arguments: dict[str, str] | None,
    ) -> types.GetPromptResult:
        async def get(call: Any) -> types.GetPromptResult:
            result: types.GetPromptResult = await self.gw.upstreams[server]._request(
                "prompts/get", lambda client: client.session.get_prompt(name, arguments)
            )
            # Every message's block as a tool-result block (text, embedded resource,
            # resource link, image...), then the description: one result's scan and scrub.
            blocks: list[Any] = [m.content for m in result.messages]
            if result.description:
                blocks.append(types.TextContent(text=result.description))
            # Consecutive text messages of one role are scrubbed as one text too (PII split
            # across them: red team round 5b); a run never crosses roles (its words would
            # move into another role's message) nor takes in the description.
            groups = _role_runs(result.messages)
            if result.description:
                groups.append(groups[-1] + 1 if groups else 0)
            checked = await self._inspect(
                call,
                principal,
                server,
                session,
                blocks,
                f"prompt {name[:200]}",
                result.meta,
                groups=groups,
            )
            if checked is None:
                return result
            blocked, scrubbed, meta, upstream_meta = checked
            if blocked is not None:
                return types.GetPromptResult(
                    messages=[
                        types.PromptMessage(role="user", content=types.TextContent(text=blocked))
                    ],
                    _meta={"keepgate": meta},
                )
            slots = len(result.messages)
            # A message emptied by a joined run (its text now ends the run's first message)
            # is dropped; one the upstream sent empty is kept.
            messages = [
                m if m.content is c else m.model_copy(update={"content": c})
                for m, c in zip(result.messages, scrubbed[:slots])
                if not (_text(c) == "" and _text(m.content) != "")
            ]
            description = _text(scrubbed[slots]) if result.description else None
            return result.model_copy(
                update={
                    "messages": messages,
                    "description": description,
                    "meta": {**(upstream_meta or {}), "keepgate": meta} if meta else upstream_meta,
                }
            )

        out: types.GetPromptResult = await self._run(
            principal, server, session, "prompts/get", get, prompt=name[:200]
        )
        return out

    async def _inspect(
        self,
        call: Any,
        principal: Principal,
        server: str,
        session: str,
        blocks: list[Any],
        what: str,
        upstream_meta: dict[str, Any] | None = None,
        groups: list[int] | None = None,
    ) -> tuple[str | None, list[Any], dict[str, Any], dict[str, Any] | None] | None:
        """(the notice when withheld, the scrubbed blocks in order, `_meta.keepgate`, the
        scrubbed `upstream_meta`), or None when there is nothing to read. The blocks and
        `upstream_meta` (the answer's own `_meta`) go through the tool-result scan and scrub
        (`keepgate.mcp.results.inspect`) as one result. `groups`: text blocks of one group
        may be scrubbed as one text, positions kept (`inspect`'s `groups`)."""
        as_result = types.CallToolResult(content=blocks, _meta=upstream_meta)
        if not result_texts(as_result):
            return None
        gw = self.gw
        checked = await inspect(
            as_result,
            principal,
            gw.input_guard,
            gw.pii_guard,
            gw.scrub_cache,
            session,
            # Blocks are mapped back to messages and resources by position: joined only
            # within `groups`, which keeps positions.
            rejoin=groups is not None,
            groups=groups,
        )
        meta: dict[str, Any] = {}
        if checked.tainting:
            source = {
                "guard": "input",
                "rules": checked.rules[:10],
                "server": server,
                "what": what,
                "route": "mcp",
            }
            await gw.sessions.taint(principal.key_id, session, source)
            call.facts.tainted = True
            call.facts.taint_sources.append(source)
            call.add(
                Verdict(
                    "input",
                    "block" if checked.blocked else "flag",
                    rule=(checked.rules or ["input.internal_error"])[0],
                    reason=what + (" withheld" if checked.blocked else " flagged"),
                    detail={"rules": checked.rules[:10]},
                )
            )
            call.audit["tainted"] = True
            if not checked.blocked:
                meta.update(flagged=checked.rules[:10], tainted=True)
        out = checked.result
        if out.is_error:  # withheld (a finding, or a guard that failed closed)
            text = out.content[0].text if isinstance(out.content[0], types.TextContent) else ""
            return text, [], dict((out.meta or {}).get("keepgate") or {}), None
        if checked.redactions:
            call.add(Verdict.redaction(checked.redactions))
            meta["redactions"] = dict(checked.redactions)
        scrubbed_meta = {k: v for k, v in (out.meta or {}).items() if k != "keepgate"}
        return None, list(out.content), meta, scrubbed_meta or None


def _role_runs(messages: list[types.PromptMessage]) -> list[int]:
    """A group id per message: consecutive text messages of one role share one."""
    out: list[int] = []
    for n, m in enumerate(messages):
        prev = messages[n - 1] if n else None
        same = (
            prev is not None
            and prev.role == m.role
            and isinstance(prev.content, types.TextContent)
            and isinstance(m.content, types.TextContent)
        )
        out.append(out[-1] if same else (out[-1] + 1 if out else 0))
    return out


def _text(block: Any) -> str:
    """A text block's text."""
    return block.text if isinstance(block, types.TextContent) else ""


#: Fields of a listed entry that `_definition` places itself.
_ADDRESSED = frozenset(("name", "title", "description", "uri", "uriTemplate", "arguments"))


def _definition(entry: Any) -> dict[str, Any]:
    """What the model reads of a listed entry, shaped like a tool definition for
    `Catalog.scan_definition` (a prompt's arguments as the properties of an input schema)."""
    args = getattr(entry, "arguments", None) or []
    uri = getattr(entry, "uri", None) or getattr(entry, "uri_template", None)
    # The URI (the model reads it too, as it does a resource link's) rides as the schema's
    # `$comment`, one of the strings the definition scan reads.
    # Anything else served with it (`_meta`, icons, annotations) is read whole.
    rest = {
        k: v
        for k, v in entry.model_dump(mode="json", by_alias=True, exclude_none=True).items()
        if k not in _ADDRESSED
    }
    return {
        **rest,
        "name": entry.name,
        "title": entry.title,
        "description": entry.description,
        "inputSchema": {
            "$comment": str(uri or ""),
            "properties": {
                a.name: {"title": a.title or "", "description": a.description or ""} for a in args
            },
        },
    }


def _readable(entries: list[Any]) -> list[tuple[int, tuple[int, str], str]]:
    """(entry index, (argument index or -1, field), text) of every title and description
    the PII scrub reads in a listing."""
    out: list[tuple[int, tuple[int, str], str]] = []
    for i, entry in enumerate(entries):
        for attr in ("title", "description"):
            if getattr(entry, attr):
                out.append((i, (-1, attr), getattr(entry, attr)))
        for j, arg in enumerate(getattr(entry, "arguments", None) or []):
            for attr in ("title", "description"):
                if getattr(arg, attr, None):
                    out.append((i, (j, attr), getattr(arg, attr)))
    return out
