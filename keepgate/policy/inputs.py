"""The policy input: one JSON document per tool call (documented in policies/README.md).

The agent loop and the proxy guard both build it here, so policies see the same shape.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from keepgate.auth.principal import Principal
from keepgate.jsontypes import JsonMapping, JsonObject, JsonValue
from keepgate.pipeline.call import Facts
from keepgate.pipeline.chunks import parse_arguments
from keepgate.policy.catalog import Catalog
from keepgate.policy.provenance import (
    ConversationIndex,
    Totals,
    arguments_ci,
    call_facts,
    schema_check,
)

MAX_NAME = 200


def principal_input(principal: Principal | Mapping[str, Any] | None) -> dict[str, Any]:
    if principal is None:
        return {"key_id": None, "role": None, "team": None, "metadata": {}}
    if type(principal) is not Principal and isinstance(principal, Mapping):
        return {
            "key_id": principal.get("key_id"),
            "role": principal.get("role"),
            "team": principal.get("team"),
            "metadata": dict(principal.get("metadata") or {}),
        }
    return {
        "key_id": principal.key_id,
        "role": principal.role,
        "team": principal.team,
        "metadata": dict(principal.metadata or {}),
    }


def offered_tool_names(tools: Iterable[Any] | None) -> list[str]:
    """Names from an OpenAI `tools` list (function tools) or a plain list of names."""
    out = []
    for t in tools or ():
        if isinstance(t, str):
            out.append(t)
        elif isinstance(t, Mapping):
            fn = t.get("function") or {}
            name = fn.get("name") if isinstance(fn, Mapping) else None
            if isinstance(name, str):
                out.append(name)
    return out


def offered_schemas(tools: Iterable[Any] | None) -> dict[str, Mapping[str, Any]]:
    """Tool name -> JSON-schema `parameters` from an OpenAI `tools` list."""
    out: dict[str, Mapping[str, Any]] = {}
    for t in tools or ():
        if isinstance(t, Mapping):
            fn = t.get("function") or {}
            if (
                isinstance(fn, Mapping)
                and isinstance(fn.get("name"), str)
                and isinstance(fn.get("parameters"), Mapping)
            ):
                out[fn["name"]] = fn["parameters"]
    return out


class ProvenanceContext:
    """What one request (or one agent step, or one MCP session) knows about where values
    came from: the conversation index, the conversation totals, the offered tool schemas.

    Built once per request; `record` adds each call released in the same response, so the
    next call of that response sees it in the totals. `executed_ids` (the hosted agent)
    limits the totals to calls that ran; the proxy counts every call in the history (each
    was released by the gateway)."""

    def __init__(
        self,
        catalog: Catalog,
        messages: Iterable[object] | None = None,
        *,
        tools: Iterable[object] | None = None,
        schemas: Mapping[str, JsonMapping] | None = None,
        approved_ids: Iterable[str] = (),
        detected: Iterable[JsonMapping] = (),
        executed_ids: Iterable[str] | None = None,
        documents: Iterable[str] = (),
    ) -> None:
        self.catalog = catalog
        detected = [d for d in detected if isinstance(d, Mapping)]
        self.index = ConversationIndex(
            messages, catalog, approved_ids=approved_ids, detected=detected, documents=documents
        )
        self.schemas = dict(schemas) if schemas is not None else offered_schemas(tools)
        self.totals = Totals(catalog)
        executed = set(executed_ids) if executed_ids is not None else None
        for tcid, name, args in self.index.history_calls:
            if executed is None or tcid in executed:
                self.totals.add(name, args)

    @classmethod
    def of(
        cls,
        catalog: Catalog,
        index: ConversationIndex,
        totals: Totals,
        schemas: Mapping[str, JsonMapping],
    ) -> ProvenanceContext:
        """A context from an index and totals built elsewhere (`keepgate.policy.sliding`:
        equal to those `__init__` builds from the same messages, every call counted)."""
        out = cls.__new__(cls)
        out.catalog, out.index, out.totals, out.schemas = catalog, index, totals, dict(schemas)
        return out

    def record(self, name: str, arguments: JsonValue) -> None:
        """A call released earlier in this response (counts towards the totals)."""
        self.totals.add(name, arguments)


def build_policy_input(
    principal: Principal | JsonMapping | None,
    tool_name: str,
    arguments: str | JsonMapping | None,
    *,
    offered_tools: Iterable[object] | None = None,
    model: str = "",
    facts: Facts | JsonMapping | None = None,
    metadata: JsonMapping | None = None,
    call_id: str | None = None,
    tool_counts: Mapping[str, int] | None = None,
    context: ProvenanceContext | None = None,
    pii: list[JsonObject] | None = None,
    index_sources: bool = True,
) -> JsonObject:
    """Build the input for one tool call.

    `arguments` is the raw JSON string from the model (unparseable -> `arguments_valid:
    false`, which the policy denies) or an already-parsed mapping. `facts` is a
    `keepgate.pipeline.call.Facts` or a mapping with the same fields; `tool_counts`
    overrides the counts derived from `facts.tools_called`. `context` supplies the
    provenance facts (without one: an empty conversation and an empty catalogue, i.e.
    every value model-made and every tool side-effecting); `pii` the entities the PII
    guard found in the arguments (type and path, never the value). `index_sources=False`
    leaves the conversation index's untrusted outputs out of `facts.taint_sources` (the
    `facts` sources stay): only for a policy that cannot read them (`ToolPolicy.may_read`),
    which then decides exactly as on the whole document, without writing them out.
    """
    args: JsonValue
    if type(arguments) is dict or isinstance(arguments, Mapping):
        args, valid = dict(arguments), True
    else:
        args, err = parse_arguments(arguments if isinstance(arguments, str) else "")
        valid = err is None
    name = (tool_name or "")[:MAX_NAME]
    tools_called = list(_get(facts, "tools_called") or [])
    counts = dict(tool_counts) if tool_counts is not None else dict(Counter(tools_called))
    if context is None:
        context = ProvenanceContext(Catalog(None), tools=offered_tools)
    index = context.index
    entry = context.catalog.get(name)
    pinput = principal_input(principal)
    taint_sources, detected = _detections(
        bool(_get(facts, "tainted")), _get(facts, "taint_sources") or [], index
    )
    per_call = call_facts(index, entry, args if valid else None, pinput)
    extra, missing = schema_check(entry, args if valid else None, context.schemas.get(name))
    return {
        "principal": pinput,
        "tool": {
            "name": name,
            "arguments": args if valid else None,
            "arguments_valid": valid,
            "call_id": call_id,
            "arguments_ci": arguments_ci(args) if valid else None,
            "effects": entry.effects,
            "known": entry.known,
            "schema_known": extra is not None,
            "extra_arguments": extra or [],
            "missing_arguments": missing or [],
        },
        "tools_offered": offered_tool_names(offered_tools),
        "model": model,
        "facts": {
            "tainted": detected or index.untrusted_count > 0,
            "detected": detected,
            "taint_sources": taint_sources + index.taint_sources
            if index_sources
            else taint_sources,
            "untrusted_outputs": {
                "count": index.untrusted_count,
                "tools": index.untrusted_tools[:20],
            },
            **per_call,
            "totals": context.totals.facts(name, args if valid else None),
            "pii": list(pii or []),
            "tools_called": tools_called,
            "tool_counts": counts,
        },
        "metadata": dict(metadata or {}),
    }


def _detections(
    tainted: bool, sources: Iterable[Any], index: ConversationIndex
) -> tuple[list[Any], bool]:
    """The taint sources as reported, and whether they amount to a detection.

    A finding on the output of a tool the catalogue declares `output: trusted` is reported
    (marked `trusted_output: true`) but does not count: outsiders cannot write into such an
    output, so the finding is a false positive of the detector, and counting it would hold
    every side effect of the conversation. Any other source (a message, a tool definition,
    an untrusted output, a source the index cannot place) counts as before."""
    out: list[Any] = []
    counted = False
    for s in sources:
        if (
            isinstance(s, Mapping)
            and s.get("guard") == "input"
            and index.finding_on_trusted_output(s)
        ):
            out.append({**s, "trusted_output": True})
        else:
            out.append(s)
            counted = True
    # `tainted` with no source at all (an older caller's facts) still counts.
    return out, tainted and (counted or not out)


def _get(facts: Facts | JsonMapping | None, name: str) -> Any:
    if facts is None:
        return None
    if type(facts) is dict or isinstance(facts, Mapping):
        return facts.get(name)
    return getattr(facts, name, None)
