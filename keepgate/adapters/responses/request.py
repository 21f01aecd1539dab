"""A Responses API request as the chat-completions body every guard reads.

Input items map one to one: messages keep their role (`developer` reads as `system`, which
every chat server knows), `function_call` items become the assistant's `tool_calls`,
`function_call_output` items become `tool` messages (a tool result: scanned, tainting),
`reasoning` items are passed to a native upstream and left out of a chat one. What a guard
could not see or stop is refused with a 400 naming the field: built-in tools (they run inside
the provider, out of the tool-call policy's reach), stored prompts, conversations, background
mode, item references.
"""

from __future__ import annotations

import json
from typing import Any

from keepgate.echo import shown
from keepgate.adapters.base import Translated, invalid, unsupported
from keepgate.jsontypes import JsonObject

#: Request fields this adapter reads; any other field is forwarded like on chat completions.
KNOWN = frozenset(
    {
        "model",
        "input",
        "instructions",
        "tools",
        "tool_choice",
        "parallel_tool_calls",
        "text",
        "max_output_tokens",
        "metadata",
        "stream",
        "stream_options",
        "temperature",
        "top_p",
        "store",
        "previous_response_id",
        "reasoning",
        "include",
        "truncation",
        "service_tier",
        "user",
        "prompt_cache_key",
        "prompt_cache_retention",
        "prompt_cache_options",
        "safety_identifier",
        "background",
        "conversation",
        "prompt",
        "max_tool_calls",
        "top_logprobs",
        "context_management",
    }
)
#: Passed to a chat upstream under the same name.
SAME_NAME = (
    "temperature",
    "top_p",
    "user",
    "service_tier",
    "prompt_cache_key",
    "safety_identifier",
)
ROLES = {"user": "user", "assistant": "assistant", "system": "system", "developer": "system"}
TEXT_PARTS = frozenset({"input_text", "output_text", "text"})


def check_refusals(body: JsonObject) -> None:
    """Features the gateway cannot put through its guards: a clear 400, never a bypass."""
    if body.get("background"):
        raise unsupported(
            "Background responses are not supported: Keepgate guards an answer "
            "while it streams to the caller.",
            "background",
        )
    if body.get("conversation") is not None:
        raise unsupported(
            "The Conversations API is not supported: send the conversation's "
            "items in 'input', or continue with 'previous_response_id'.",
            "conversation",
        )
    if body.get("prompt") is not None:
        raise unsupported(
            "Stored prompt templates are not supported: their text lives at the "
            "provider, where Keepgate's input guards cannot read it. Send the "
            "prompt as 'instructions' and 'input'.",
            "prompt",
        )


def to_chat(body: JsonObject, items: list[JsonObject] | str | None = None) -> Translated:
    """Validate and translate; `items` replaces `input` (a conversation continued from the
    gateway's store)."""
    check_refusals(body)
    inp = body.get("input") if items is None else items
    if inp is None or inp == "" or inp == []:
        raise invalid("Missing required parameter: 'input'.", "input", "missing_required_parameter")
    if not isinstance(inp, (str, list)):
        raise invalid("Invalid 'input': expected a string or an array of input items.", "input")
    if "stream" in body and not isinstance(body["stream"], bool):
        raise invalid("Invalid 'stream': expected a boolean.", "stream")
    instructions = body.get("instructions")
    if instructions is not None and not isinstance(instructions, str):
        raise invalid("Invalid 'instructions': expected a string.", "instructions")
    messages: list[dict[str, Any]] = []
    if instructions:
        messages.append({"role": "system", "content": instructions})
    if isinstance(inp, str):
        messages.append({"role": "user", "content": inp})
    else:
        messages.extend(items_to_messages(inp))
    chat: dict[str, Any] = {"model": body.get("model"), "messages": messages}
    tools = _tools(body.get("tools"))
    choice = body.get("tool_choice")
    if choice is not None:
        tools, choice = _tool_choice(choice, tools)
    if tools:  # chat servers refuse tool_choice / parallel_tool_calls without tools
        chat["tools"] = tools
        if choice is not None:
            chat["tool_choice"] = choice
        if isinstance(body.get("parallel_tool_calls"), bool):
            chat["parallel_tool_calls"] = body["parallel_tool_calls"]
    for name in SAME_NAME:
        if body.get(name) is not None:
            chat[name] = body[name]
    cap = body.get("max_output_tokens")
    if cap is not None:
        if not isinstance(cap, int) or isinstance(cap, bool) or cap < 1:
            raise invalid(
                "Invalid 'max_output_tokens': expected a positive integer.", "max_output_tokens"
            )
        chat["max_tokens"] = cap
    effort = (
        (body.get("reasoning") or {}).get("effort")
        if isinstance(body.get("reasoning"), dict)
        else None
    )
    if isinstance(effort, str) and effort != "none":
        chat["reasoning_effort"] = effort
    fmt = _response_format(body.get("text"))
    if fmt is not None:
        chat["response_format"] = fmt
    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise invalid("Invalid 'metadata': expected an object of strings.", "metadata")
    for key, value in body.items():
        if key not in KNOWN:
            chat[key] = value  # vendor fields and the fake model's script, as on chat
    stream = bool(body.get("stream"))
    if stream:
        chat["stream"] = True
    return Translated(chat=chat, stream=stream)


# -- input items ------------------------------------------------------------------------------


def items_to_messages(items: list[Any]) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    for i, item in enumerate(items):
        where = f"input[{i}]"
        if not isinstance(item, dict):
            raise invalid(f"Invalid '{where}': expected an object.", where)
        kind = item.get("type") or ("message" if "role" in item else None)
        if kind == "message":
            messages.append(_message(item, where))
        elif kind == "function_call":
            call = {
                "id": _str(item, "call_id", where),
                "type": "function",
                "function": {
                    "name": _str(item, "name", where),
                    "arguments": _arguments(item.get("arguments"), where),
                },
            }
            last = messages[-1] if messages else None
            if last is not None and last["role"] == "assistant":
                last.setdefault("tool_calls", []).append(call)
            else:
                messages.append({"role": "assistant", "content": None, "tool_calls": [call]})
        elif kind == "function_call_output":
            messages.append(
                {
                    "role": "tool",
                    "tool_call_id": _str(item, "call_id", where),
                    "content": _content(item.get("output"), f"{where}.output", "tool"),
                }
            )
        elif kind == "reasoning":
            continue  # opaque to a chat model; a native upstream gets it as sent
        elif kind == "item_reference":
            raise unsupported(
                "Item references are not supported: send the item itself, or "
                "continue a stored response with 'previous_response_id'.",
                where,
            )
        else:
            raise unsupported(
                f"Input items of type {shown(kind)} are not supported: only "
                "messages, function_call, function_call_output and reasoning "
                "items (built-in tools are not proxied).",
                f"{where}.type",
            )
    return messages


def _message(item: dict[str, Any], where: str) -> dict[str, Any]:
    role = item.get("role")
    if not isinstance(role, str) or role not in ROLES:
        raise invalid(
            f"Invalid '{where}.role': expected one of user, assistant, system, developer.",
            f"{where}.role",
        )
    return {
        "role": ROLES[role],
        "content": _content(item.get("content"), f"{where}.content", ROLES[role]),
    }


def _content(content: Any, where: str, role: str) -> Any:
    """A string, or chat content parts; all-text content becomes one string (what every
    chat server accepts for every role)."""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        raise invalid(f"Invalid '{where}': expected a string or an array of content parts.", where)
    parts = [_part(p, f"{where}[{j}]") for j, p in enumerate(content)]
    if all(p["type"] == "text" for p in parts):
        return "\n".join(p["text"] for p in parts)
    if role != "user":
        raise unsupported(
            f"Only text is supported in '{where}' for role '{role}' when the "
            "model speaks chat completions.",
            where,
        )
    return parts


def _part(part: Any, where: str) -> dict[str, Any]:
    if not isinstance(part, dict):
        raise invalid(f"Invalid '{where}': expected a content part object.", where)
    kind = part.get("type")
    if not isinstance(kind, str):
        raise invalid(f"Invalid '{where}.type': expected a content part type.", f"{where}.type")
    if kind in TEXT_PARTS or kind == "refusal":
        text = part.get("refusal" if kind == "refusal" else "text")
        if not isinstance(text, str):
            raise invalid(f"Invalid '{where}': expected a 'text' string.", where)
        return {"type": "text", "text": text}
    if kind == "input_image":
        url = part.get("image_url")
        if not isinstance(url, str) or not url:
            raise unsupported(
                "Images by 'file_id' are not supported: send 'image_url' (a URL or a data URL).",
                where,
            )
        return {
            "type": "image_url",
            "image_url": {"url": url, "detail": part.get("detail") or "auto"},
        }
    if kind == "input_file":
        if part.get("file_id") or part.get("file_url"):
            raise unsupported(
                "Files by 'file_id' or 'file_url' are not supported: their text lives at the "
                "provider (or at a URL it fetches), where Keepgate's input guards cannot read "
                "it. Send the file inline as 'file_data'.",
                where,
            )
        file = {k: part[k] for k in ("file_data", "filename") if part.get(k)}
        if "file_data" not in file:
            raise invalid(f"Invalid '{where}': an input_file needs file_data.", where)
        return {"type": "file", "file": file}
    if kind == "input_audio":
        return {"type": "input_audio", "input_audio": part.get("input_audio")}
    raise invalid(
        f"Invalid '{where}.type': unknown content part type {shown(kind)}.", f"{where}.type"
    )


def _str(item: dict[str, Any], key: str, where: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value:
        raise invalid(f"Invalid '{where}.{key}': expected a non-empty string.", f"{where}.{key}")
    return value


def _arguments(value: Any, where: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return json.dumps(value)
    raise invalid(f"Invalid '{where}.arguments': expected a JSON string.", f"{where}.arguments")


# -- tools, tool_choice, text.format ----------------------------------------------------------


def _tools(tools: Any) -> list[dict[str, Any]]:
    if tools is None:
        return []
    if not isinstance(tools, list):
        raise invalid("Invalid 'tools': expected an array.", "tools")
    out = []
    for i, tool in enumerate(tools):
        where = f"tools[{i}]"
        if not isinstance(tool, dict):
            raise invalid(f"Invalid '{where}': expected an object.", where)
        kind = tool.get("type")
        if kind != "function":
            raise unsupported(
                f"The built-in tool {shown(kind)} is not supported: it runs inside the "
                "provider, where Keepgate's tool-call policy can neither see nor stop its "
                "calls. Offer it to the model as a function tool.",
                f"{where}.type",
            )
        name = tool.get("name")
        if not isinstance(name, str) or not name:
            raise invalid(f"Invalid '{where}.name': expected a non-empty string.", f"{where}.name")
        fn: dict[str, Any] = {"name": name}
        for key in ("description", "parameters", "strict"):
            if tool.get(key) is not None:
                fn[key] = tool[key]
        out.append({"type": "function", "function": fn})
    return out


def _tool_choice(choice: Any, tools: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], Any]:
    if choice in ("auto", "none", "required"):
        return tools, choice
    if isinstance(choice, dict):
        kind = choice.get("type")
        if kind == "function" and isinstance(choice.get("name"), str):
            return tools, {"type": "function", "function": {"name": choice["name"]}}
        if kind == "allowed_tools":
            allowed = choice.get("tools")
            if not isinstance(allowed, list):
                raise invalid(
                    "Invalid 'tool_choice.tools': expected an array.", "tool_choice.tools"
                )
            names = {
                t["name"] for t in allowed if isinstance(t, dict) and isinstance(t.get("name"), str)
            }
            mode = choice.get("mode", "auto")
            if mode not in ("auto", "required"):
                raise invalid(
                    "Invalid 'tool_choice.mode': expected auto or required.", "tool_choice.mode"
                )
            return [t for t in tools if t["function"]["name"] in names], mode
        raise unsupported(
            f"tool_choice of type {shown(kind)} is not supported (built-in tools are not proxied).",
            "tool_choice",
        )
    raise invalid("Invalid 'tool_choice'.", "tool_choice")


def _response_format(text: Any) -> dict[str, Any] | None:
    if text is None:
        return None
    if not isinstance(text, dict):
        raise invalid("Invalid 'text': expected an object.", "text")
    fmt = text.get("format")
    if fmt is None:
        return None
    if not isinstance(fmt, dict):
        raise invalid("Invalid 'text.format': expected an object.", "text.format")
    kind = fmt.get("type")
    if kind == "text":
        return None
    if kind == "json_object":
        return {"type": "json_object"}
    if kind == "json_schema":
        if not isinstance(fmt.get("schema"), dict) or not isinstance(fmt.get("name"), str):
            raise invalid(
                "Invalid 'text.format': json_schema needs 'name' and 'schema'.", "text.format"
            )
        schema = {k: fmt[k] for k in ("name", "schema", "strict", "description") if k in fmt}
        return {"type": "json_schema", "json_schema": schema}
    raise invalid(f"Invalid 'text.format.type': {shown(kind)}.", "text.format.type")
