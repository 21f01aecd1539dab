"""Resources and prompts of one upstream server, passed through with the result scans.

A resource's text and a prompt's messages are text a model reads, like a tool result: each
read or get is scanned by the input guard (a blocking finding withholds it, any finding
taints the session) and scrubbed by the PII guard, with `keepgate.mcp.results.inspect`
(the same rules, the same fail-closed behaviour). Listings pass as the upstream sends
them. Who may reach them: the keys and roles that may reach the server (`mcp_servers.<name>
.roles/keys`); on the aggregate `/mcp` endpoint they are not offered (a URI does not say
which server it belongs to). Every request is one audit record (`mcp_method`).
"""

from __future__ import annotations

from typing import Any

import mcp_types as types
from mcp import MCPError
from mcp_types.jsonrpc import INTERNAL_ERROR

from keepgate.auth.principal import Principal
from keepgate.mcp.results import inspect
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
        self, principal: Principal, server: str, session: str, rpc: str, method: str, field: str
    ) -> list[Any]:
        """One audited, limited listing request (`rpc`), every page of the upstream's answer."""
        found: list[Any] = await self._run(
            principal, server, session, rpc, lambda call: self._listing(server, method, field)
        )
        return found

    async def list_resources(
        self, principal: Principal, server: str, session: str
    ) -> list[types.Resource]:
        return await self._listed(
            principal, server, session, "resources/list", "list_resources", "resources"
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
        )

    async def list_prompts(
        self, principal: Principal, server: str, session: str
    ) -> list[types.Prompt]:
        return await self._listed(
            principal, server, session, "prompts/list", "list_prompts", "prompts"
        )

    async def read_resource(
        self, principal: Principal, server: str, session: str, uri: str
    ) -> types.ReadResourceResult:
        async def read(call: Any) -> types.ReadResourceResult:
            result: types.ReadResourceResult = await self.gw.upstreams[server]._request(
                "resources/read", lambda client: client.session.read_resource(uri)
            )
            texts = [c.text for c in result.contents if isinstance(c, types.TextResourceContents)]
            checked = await self._inspect(
                call, principal, server, session, texts, f"resource {uri[:200]}"
            )
            if checked is None:
                return result
            blocked, scrubbed, meta = checked
            if blocked is not None:
                return types.ReadResourceResult(
                    contents=[types.TextResourceContents(uri=uri, text=blocked)],
                    _meta={"keepgate": meta},
                )
            it = iter(scrubbed)
            contents = [
                c.model_copy(update={"text": next(it)})
                if isinstance(c, types.TextResourceContents)
                else c
                for c in result.contents
            ]
            return result.model_copy(
                update={
                    "contents": contents,
                    "meta": {**(result.meta or {}), "keepgate": meta} if meta else result.meta,
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
            slots = [
                (i, m.content)
                for i, m in enumerate(result.messages)
                if isinstance(m.content, types.TextContent)
                or (
                    isinstance(m.content, types.EmbeddedResource)
                    and isinstance(m.content.resource, types.TextResourceContents)
                )
            ]
            texts = [_text(c) for _, c in slots]
            if result.description:
                texts.append(result.description)
            checked = await self._inspect(
                call, principal, server, session, texts, f"prompt {name[:200]}"
            )
            if checked is None:
                return result
            blocked, scrubbed, meta = checked
            if blocked is not None:
                return types.GetPromptResult(
                    messages=[
                        types.PromptMessage(role="user", content=types.TextContent(text=blocked))
                    ],
                    _meta={"keepgate": meta},
                )
            messages = list(result.messages)
            for (i, c), text in zip(slots, scrubbed):
                content = (
                    c.model_copy(update={"text": text})
                    if isinstance(c, types.TextContent)
                    else c.model_copy(
                        update={"resource": c.resource.model_copy(update={"text": text})}
                    )
                )
                messages[i] = messages[i].model_copy(update={"content": content})
            description = scrubbed[len(slots)] if result.description else None
            return result.model_copy(
                update={
                    "messages": messages,
                    "description": description,
                    "meta": {**(result.meta or {}), "keepgate": meta} if meta else result.meta,
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
        texts: list[str],
        what: str,
    ) -> tuple[str | None, list[str], dict[str, Any]] | None:
        """(the notice when withheld, the scrubbed texts in order, `_meta.keepgate`), or
        None when there is nothing to read. The texts go through the tool-result scan and
        scrub as the text blocks of one result."""
        if not texts:
            return None
        gw = self.gw
        as_result = types.CallToolResult(content=[types.TextContent(text=t) for t in texts])
        checked = await inspect(
            as_result, principal, gw.input_guard, gw.pii_guard, gw.scrub_cache, session
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
            return text, [], dict((out.meta or {}).get("keepgate") or {})
        if checked.redactions:
            call.add(
                Verdict(
                    "pii",
                    "redact",
                    reason=f"redacted {sum(checked.redactions.values())} value(s)",
                    detail={"counts": dict(checked.redactions)},
                )
            )
            meta["redactions"] = dict(checked.redactions)
        scrubbed = [b.text if isinstance(b, types.TextContent) else "" for b in out.content]
        return None, scrubbed, meta


def _text(block: Any) -> str:
    """A prompt message's text (a text block, or an embedded text resource)."""
    return block.text if isinstance(block, types.TextContent) else block.resource.text
