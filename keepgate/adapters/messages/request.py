"""An Anthropic Messages request as the chat-completions body every guard reads.

`system` becomes the system message; `text` and `image` blocks become content parts;
`tool_use` blocks become the assistant's `tool_calls` with the same ids; each `tool_result`
block becomes a `tool` message answering its `tool_use_id` (a tool result: scanned, tainting;
`is_error` results read "Error: ..." to a chat model). Refused with a 400 naming the field:
server tools (web search, code execution, ... run inside the provider, out of the tool-call
policy's reach), MCP servers and containers; typed client tools (bash, text editor, computer,
memory) only where the upstream speaks Messages. Extended thinking is switched off: thinking
blocks are signed by the provider, so they can be neither scrubbed nor shown unscrubbed.
"""

from __future__ import annotations

import json
from typing import Any

from keepgate.echo import shown
from keepgate.adapters.base import Translated, invalid, unsupported
from keepgate.jsontypes import JsonObject

KNOWN = frozenset(
    {
        "model",
        "messages",
        "system",
        "max_tokens",
        "metadata",
        "stop_sequences",
        "stream",
        "temperature",
        "top_k",
        "top_p",
        "tools",
        "tool_choice",
        "thinking",
        "service_tier",
        "container",
        "mcp_servers",
        "context_management",
        "output_format",
        "output_config",
    }
)
#: Client tools with a provider-defined schema: executed by the client, so the policy sees
#: their `tool_use` blocks; a chat model does not know their schema.
TYPED_CLIENT_TOOLS = ("bash_", "text_editor_", "computer_", "memory_")


def to_chat(body: JsonObject, *, native: bool) -> Translated:
    if body.get("mcp_servers"):
        raise unsupported(
            "'mcp_servers' is not supported: the provider would call those MCP "
            "tools itself, out of reach of Keepgate's tool-call policy.",
            "mcp_servers",
        )
    if body.get("container"):
        raise unsupported(
            "'container' is not supported (code execution runs inside the provider).", "container"
        )
    cap = body.get("max_tokens")
    if cap is None:
        raise invalid("max_tokens: Field required", "max_tokens", "missing_required_parameter")
    if not isinstance(cap, int) or isinstance(cap, bool) or cap < 1:
        raise invalid("max_tokens: Input should be a positive integer", "max_tokens")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise invalid(
            "messages: Field required (a non-empty array)",
            "messages",
            "missing_required_parameter" if messages is None else "invalid_value",
        )
    if "stream" in body and not isinstance(body["stream"], bool):
        raise invalid("stream: Input should be a valid boolean", "stream")
    chat_messages: list[dict[str, Any]] = []
    system = body.get("system")
    if system is not None:
        text = _system_text(system)
        if text:
            chat_messages.append({"role": "system", "content": text})
    for i, m in enumerate(messages):
        chat_messages.extend(_message(m, f"messages.{i}"))
    chat: dict[str, Any] = {
        "model": body.get("model"),
        "messages": chat_messages,
        "max_tokens": cap,
    }
    tools = _tools(body.get("tools"), native)
    choice = _tool_choice(body["tool_choice"]) if body.get("tool_choice") is not None else {}
    if tools:  # chat servers refuse tool_choice / parallel_tool_calls without tools
        chat["tools"] = tools
        chat.update(choice)
    stops = body.get("stop_sequences")
    if stops is not None:
        if not isinstance(stops, list) or not all(isinstance(s, str) for s in stops):
            raise invalid(
                "stop_sequences: Input should be a valid list of strings", "stop_sequences"
            )
        if stops:
            chat["stop"] = stops
    for name in ("temperature", "top_p"):  # top_k has no chat-completions name: dropped
        if body.get(name) is not None:
            chat[name] = body[name]
    metadata = body.get("metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get("user_id"), str):
        chat["user"] = metadata["user_id"]
    fmt = (
        (body.get("output_config") or {}).get("format")
        if isinstance(body.get("output_config"), dict)
        else None
    )
    fmt = fmt or body.get("output_format")
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        chat["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": "output", "schema": fmt.get("schema") or {}, "strict": True},
        }
    for key, value in body.items():
        if key not in KNOWN:
            chat[key] = value  # vendor fields and the fake model's script, as on chat
    stream = bool(body.get("stream"))
    if stream:
        chat["stream"] = True
    return Translated(chat=chat, stream=stream, documents=_document_texts(messages))


def _document_texts(messages: list[Any]) -> list[str]:
    """The texts `_user_parts` inlined from `document` blocks of user messages (their
    title/context label and a text source): someone else's words, not the user's. A base64
    document stays a `file` part, which provenance reads as a document by itself."""
    out: list[str] = []
    for m in messages:
        content = m.get("content") if isinstance(m, dict) and m.get("role") == "user" else None
        for block in content if isinstance(content, list) else ():
            if not isinstance(block, dict) or block.get("type") != "document":
                continue
            label = "\n".join(v for v in (block.get("title"), block.get("context")) if v)
            if label:
                out.append(label)
            source = block.get("source")
            if isinstance(source, dict) and source.get("type") == "text":
                data = source.get("data")
                if isinstance(data, str) and data:
                    out.append(data)
    return out


def _system_text(system: Any) -> str:
    if isinstance(system, str):
        return system
    if isinstance(system, list):
        texts = []
        for j, block in enumerate(system):
            if (
                not isinstance(block, dict)
                or block.get("type") != "text"
                or not isinstance(block.get("text"), str)
            ):
                raise invalid(f"system.{j}: expected a text block", f"system.{j}")
            texts.append(block["text"])
        return "\n".join(texts)
    raise invalid("system: Input should be a valid string or a list of text blocks", "system")


def _message(m: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(m, dict):
        raise invalid(f"{where}: Input should be a valid dictionary", where)
    role = m.get("role")
    if role not in ("user", "assistant"):
        raise invalid(f"{where}.role: Input should be 'user' or 'assistant'", f"{where}.role")
    content = m.get("content")
    if isinstance(content, str):
        return [{"role": role, "content": content}]
    if not isinstance(content, list):
        raise invalid(
            f"{where}.content: Input should be a valid string or list of content blocks",
            f"{where}.content",
        )
    if role == "assistant":
        return [_assistant(content, where)]
    out: list[dict[str, Any]] = []
    parts: list[dict[str, Any]] = []
    for j, block in enumerate(content):
        here = f"{where}.content.{j}"
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "tool_result":
            if parts:
                out.append(_user(parts))
                parts = []
            tool_use_id = block.get("tool_use_id")
            if not isinstance(tool_use_id, str) or not tool_use_id:
                raise invalid(f"{here}.tool_use_id: Field required", f"{here}.tool_use_id")
            text = _tool_result_text(block.get("content"), here)
            if block.get("is_error"):
                text = "Error: " + text
            out.append({"role": "tool", "tool_call_id": tool_use_id, "content": text})
        else:
            parts.extend(_user_parts(block, here))
    if parts:
        out.append(_user(parts))
    return out


def _user(parts: list[dict[str, Any]]) -> dict[str, Any]:
    if all(p["type"] == "text" for p in parts):
        return {"role": "user", "content": "\n".join(p["text"] for p in parts)}
    return {"role": "user", "content": parts}


def _user_parts(block: Any, where: str) -> list[dict[str, Any]]:
    """A user block as chat content parts. A document's `title` and `context` are text the
    model reads beside the document (a native upstream gets them as sent), so they become a
    text part of their own: the input guard reads it, and a chat model sees them too. So do
    the quoted text and titles of a text block's `citations`."""
    if isinstance(block, dict) and block.get("type") == "text" and block.get("citations"):
        quoted = _citation_text(block["citations"], f"{where}.citations")
        return [_user_part(block, where), *([{"type": "text", "text": quoted}] if quoted else [])]
    if isinstance(block, dict) and block.get("type") == "document":
        about = [block.get(k) for k in ("title", "context")]
        for key, value in zip(("title", "context"), about, strict=True):
            if value is not None and not isinstance(value, str):
                raise invalid(f"{where}.{key}: Input should be a valid string", f"{where}.{key}")
        label = "\n".join(v for v in about if v)
        if label:
            return [{"type": "text", "text": label}, _user_part(block, where)]
    return [_user_part(block, where)]


#: The fields of a citation that are text a model may read back (the rest are indices).
CITATION_TEXT = ("cited_text", "document_title", "title", "url", "source")


def _citation_text(citations: Any, where: str) -> str:
    if not isinstance(citations, list):
        raise invalid(f"{where}: Input should be a valid list", where)
    out: list[str] = []
    for i, cite in enumerate(citations):
        if not isinstance(cite, dict):
            raise invalid(f"{where}.{i}: Input should be a valid citation", f"{where}.{i}")
        for key in CITATION_TEXT:
            value = cite.get(key)
            if value is not None and not isinstance(value, str):
                raise invalid(
                    f"{where}.{i}.{key}: Input should be a valid string", f"{where}.{i}.{key}"
                )
            if value:
                out.append(value)
    return "\n".join(out)


def _user_part(block: Any, where: str) -> dict[str, Any]:
    if not isinstance(block, dict):
        raise invalid(f"{where}: Input should be a valid content block", where)
    kind = block.get("type")
    if kind == "text":
        if not isinstance(block.get("text"), str):
            raise invalid(f"{where}.text: Field required", f"{where}.text")
        return {"type": "text", "text": block["text"]}
    if kind == "image":
        return {"type": "image_url", "image_url": {"url": _source_url(block.get("source"), where)}}
    if kind == "document":
        source = block.get("source")
        source = source if isinstance(source, dict) else {}
        if source.get("type") == "text" and isinstance(source.get("data"), str):
            return {"type": "text", "text": source["data"]}
        if source.get("type") == "base64" and isinstance(source.get("data"), str):
            return {
                "type": "file",
                "file": {
                    "file_data": f"data:{source.get('media_type') or 'application/pdf'};base64,"
                    f"{source['data']}",
                    "filename": block.get("title") or "document.pdf",
                },
            }
        raise unsupported("Documents are supported as text or base64 sources only.", where)
    if kind in ("thinking", "redacted_thinking"):
        raise invalid(f"{where}: thinking blocks belong to assistant messages", where)
    raise unsupported(
        f"Content blocks of type {shown(kind)} are not supported in user messages.",
        f"{where}.type",
    )


def _source_url(source: Any, where: str) -> str:
    if isinstance(source, dict):
        if source.get("type") == "base64" and isinstance(source.get("data"), str):
            return f"data:{source.get('media_type') or 'image/png'};base64,{source['data']}"
        if source.get("type") == "url" and isinstance(source.get("url"), str):
            return str(source["url"])
    raise unsupported(
        "Images are supported as base64 or url sources (not file ids).", f"{where}.source"
    )


def _tool_result_text(content: Any, where: str) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for k, block in enumerate(content):
            if (
                isinstance(block, dict)
                and block.get("type") == "text"
                and isinstance(block.get("text"), str)
            ):
                texts.append(block["text"])
            elif isinstance(block, dict) and block.get("type") == "image":
                raise unsupported(
                    "Images inside tool_result are not supported: a chat-"
                    "completions tool message carries text only.",
                    f"{where}.content.{k}",
                )
            else:
                raise invalid(f"{where}.content.{k}: expected a text block", f"{where}.content.{k}")
        return "\n".join(texts)
    raise invalid(
        f"{where}.content: Input should be a string or a list of blocks", f"{where}.content"
    )


def _assistant(content: list[Any], where: str) -> dict[str, Any]:
    texts: list[str] = []
    calls: list[dict[str, Any]] = []
    for j, block in enumerate(content):
        here = f"{where}.content.{j}"
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "text" and isinstance(block.get("text"), str):
            texts.append(block["text"])
        elif kind == "tool_use":
            tid, name, args = block.get("id"), block.get("name"), block.get("input")
            if not isinstance(tid, str) or not tid or not isinstance(name, str) or not name:
                raise invalid(f"{here}: tool_use needs 'id' and 'name'", here)
            if not isinstance(args, dict):
                raise invalid(f"{here}.input: Input should be a valid dictionary", f"{here}.input")
            calls.append(
                {
                    "id": tid,
                    "type": "function",
                    "function": {"name": name, "arguments": json.dumps(args)},
                }
            )
        elif kind in ("thinking", "redacted_thinking"):
            continue  # extended thinking is off (see the module docstring)
        else:
            raise unsupported(
                f"Content blocks of type {shown(kind)} are not supported in assistant messages.",
                f"{here}.type",
            )
    msg: dict[str, Any] = {"role": "assistant", "content": "".join(texts) if texts else None}
    if calls:
        msg["tool_calls"] = calls
    return msg


def _tools(tools: Any, native: bool) -> list[dict[str, Any]]:
    if tools is None:
        return []
    if not isinstance(tools, list):
        raise invalid("tools: Input should be a valid list", "tools")
    out = []
    for i, tool in enumerate(tools):
        where = f"tools.{i}"
        if not isinstance(tool, dict) or not isinstance(tool.get("name"), str) or not tool["name"]:
            raise invalid(f"{where}.name: Field required", f"{where}.name")
        kind = tool.get("type")
        if kind not in (None, "custom"):
            if not (native and str(kind).startswith(TYPED_CLIENT_TOOLS)):
                raise unsupported(
                    f"The tool type {shown(kind)} is not supported"
                    + (
                        " with this model: a chat-completions model does not know its schema."
                        if str(kind).startswith(TYPED_CLIENT_TOOLS)
                        else ": server tools run inside the provider, where Keepgate's tool-call "
                        "policy can neither see nor stop their calls."
                    ),
                    f"{where}.type",
                )
            out.append(
                {
                    "type": "function",
                    "function": {"name": tool["name"], "parameters": {"type": "object"}},
                }
            )
            continue
        schema = tool.get("input_schema")
        if not isinstance(schema, dict):
            raise invalid(f"{where}.input_schema: Field required", f"{where}.input_schema")
        fn: dict[str, Any] = {"name": tool["name"], "parameters": schema}
        description = _tool_description(tool, where)
        if description:
            fn["description"] = description
        out.append({"type": "function", "function": fn})
    return out


def _tool_description(tool: dict[str, Any], where: str) -> str:
    """The description, and the `input_examples` a model also reads (a native upstream
    gets them as sent): the input guard reads both, and a chat model gets the examples
    in the description, the only place a chat tool has for them."""
    description = tool.get("description")
    text = description if isinstance(description, str) else ""
    examples = tool.get("input_examples")
    if examples is None:
        return text
    if not isinstance(examples, list) or not all(isinstance(e, dict) for e in examples):
        raise invalid(
            f"{where}.input_examples: Input should be a list of objects", f"{where}.input_examples"
        )
    lines = "\n".join(json.dumps(e, ensure_ascii=False) for e in examples)
    return f"{text}\n\nExample inputs:\n{lines}" if lines else text


def _tool_choice(choice: Any) -> dict[str, Any]:
    if not isinstance(choice, dict):
        raise invalid("tool_choice: Input should be a valid dictionary", "tool_choice")
    kind = choice.get("type")
    out: dict[str, Any] = {}
    if kind == "auto":
        out["tool_choice"] = "auto"
    elif kind == "any":
        out["tool_choice"] = "required"
    elif kind == "none":
        out["tool_choice"] = "none"
    elif kind == "tool" and isinstance(choice.get("name"), str):
        out["tool_choice"] = {"type": "function", "function": {"name": choice["name"]}}
    else:
        raise invalid(
            "tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'", "tool_choice.type"
        )
    if choice.get("disable_parallel_tool_use"):
        out["parallel_tool_calls"] = False
    return out
