"""Every string a model will read in a chat request, as items for the input guard to scan.

A model reads more than message `content`: the message `name`, the tool calls an assistant
turn replays (names and arguments), tool results as raw JSON text (keys as well as values,
and every duplicate key: the model sees them all), the tool definitions (function names,
descriptions, parameter names and descriptions, nested schemas: the classic poisoned-tool
vector) and a `response_format` JSON schema. Each becomes one `Item` with a scan role:

| scan role | what |
|---|---|
| system, developer, user, assistant, tool, function | message content and `name` (assistant: with its tool calls) |
| tool_definition | one per entry of `tools` / `functions`, reported with the tool's name |
| tool | each of `documents` (vLLM / SGLang passages the chat template renders) |
| user | `prediction` (Predicted Outputs) and the keys and strings of `chat_template_kwargs` |
| response_format | the `json_schema` of `response_format` |

JSON is read as "key: value" lines (escapes decoded, so `\\u0049gnore` hides nothing, and a
key is read like a value); rendering is iterative, so deep nesting cannot exhaust the stack.
JSON text longer than `STRUCTURED_MAX` is read as its raw text with escapes decoded instead
(every key and duplicate is in the raw text): the C parser holds the interpreter for the
whole of one big object, which would stall the event loop from a worker thread.
Rendering is lazy (`Item.text()`), so the guard can do it off the event loop for big items.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_to_bytes

from keepgate.jsontypes import JsonMapping
from keepgate.pipeline.offload import size_hint
from keepgate.pipeline.textbytes import decoded_text

#: Message roles a chat request may carry (the OpenAI API's set); anything else is a 400.
MESSAGE_ROLES = ("system", "developer", "user", "assistant", "tool", "function")
TOOL_ROLES = frozenset({"tool", "function"})
#: Every scan role, in the order the docs list them.
SCAN_ROLES = (*MESSAGE_ROLES, "tool_definition", "response_format")


#: Longest JSON text parsed into "key: value" lines; longer ones are read raw, unescaped.
STRUCTURED_MAX = 256 * 1024
_SIMPLE_ESCAPES = (("\\n", "\n"), ("\\t", "\t"), ("\\r", "\n"), ("\\/", "/"), ('\\"', '"'))
#: Fixed width: a `\\uXXXX` escape (each start position is tried once).
_UNICODE_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def unescape_json(text: str) -> str:
    """Raw JSON text with its string escapes decoded, in a few C-speed passes."""
    if "\\" not in text:
        return text
    for esc, char in _SIMPLE_ESCAPES:
        text = text.replace(esc, char)
    text = _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return text.replace("\\\\", "\\")


class _Object(list[tuple[str, Any]]):
    """A JSON object as the list of its (key, value) pairs: duplicates kept, in order."""


def _pairs(pairs: list[tuple[str, Any]]) -> _Object:
    return _Object(pairs)


def render_json(value: Any) -> str:
    """Keys and string values of a JSON value, one "key: value" line each, in document
    order; iterative, so nesting depth costs no stack."""
    lines: list[str] = []
    stack: list[tuple[str | None, Any]] = [(None, value)]
    while stack:
        key, v = stack.pop()
        if isinstance(v, str):
            lines.append(v if key is None else f"{key}: {v}")
            continue
        if key is not None:
            lines.append(f"{key}:")
        if isinstance(v, dict):
            stack.extend(reversed([(str(k), x) for k, x in v.items()]))
        elif isinstance(v, _Object):
            stack.extend(reversed([(str(k), x) for k, x in v]))
        elif isinstance(v, list):
            stack.extend(reversed([(None, x) for x in v]))
    return "\n".join(lines)


def json_text(text: str) -> str:
    """A string the model reads that may be JSON (tool results, tool-call arguments): its
    keys and values as lines when it parses, else the text itself."""
    s = text.lstrip()
    if s[:1] in ("{", "[", '"') and len(s) > STRUCTURED_MAX:
        return unescape_json(text)
    if s[:1] in ("{", "[", '"'):
        try:
            return render_json(json.loads(s, object_pairs_hook=_pairs))
        except (ValueError, RecursionError):  # not JSON, or nested past the parser's limit
            pass
    return text


def file_text(file: Any) -> str | None:
    """The text of a file sent inline (`file_data`, a data URL or bare base64), when it is
    text: a model reads a plain-text, Markdown, CSV, JSON or code file as text, so it is
    scanned like the message it rides in. Whatever the declared media type says (the
    sender chooses it): bytes that decode as UTF-8 (or UTF-16 with a BOM) are text. Binary
    files (PDFs with compressed streams, office documents) are not read here."""
    data = file.get("file_data") if isinstance(file, dict) else None
    if not isinstance(data, str) or not data:
        return None
    head, comma, payload = data.partition(",")
    try:
        if not comma:
            raw = base64.b64decode(data)
        elif ";base64" in head.lower():
            raw = base64.b64decode(payload)
        else:
            raw = unquote_to_bytes(payload)
    except (binascii.Error, ValueError):
        return None
    return decoded_text(raw)


#: Content part types that carry a file: chat's `file` (under `file`) and a
#: Responses-shaped `input_file` (on the part itself).
FILE_PARTS = ("file", "input_file")


def part_file_text(part: JsonMapping) -> str | None:
    """The text of the file a content part carries inline (`file_text`), or None."""
    kind = part.get("type")
    if kind == "file":
        return file_text(part.get("file"))
    if kind == "input_file":
        return file_text(part)
    return None


def part_file_name(part: JsonMapping) -> str | None:
    """The `filename` of a file part: a provider shows it to the model beside the file."""
    kind = part.get("type")
    holder = part.get("file") if kind == "file" else part if kind == "input_file" else None
    name = holder.get("filename") if isinstance(holder, dict) else None
    return name if isinstance(name, str) else None


def content_text(content: Any) -> str:
    """The text of a message `content`: a string, or the text of its content parts (and of
    inline text files, with their file names)."""
    if isinstance(content, str):
        return content
    parts: list[str] = []
    if isinstance(content, list):
        for part in content:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict):
                for k in ("text", "refusal", "output"):
                    if isinstance(part.get(k), str):
                        parts.append(part[k])
                        break
                else:
                    name = part_file_name(part)
                    if name:
                        parts.append(name)
                    text = part_file_text(part)
                    if text:
                        parts.append(text)
    return "\n".join(parts)


def tool_content_text(content: Any) -> str:
    return json_text(content_text(content))


def _calls_text(msg: dict[str, Any]) -> str:
    """An assistant turn as the model reads it back: content, refusal, tool calls."""
    parts = [content_text(msg.get("content")), msg.get("refusal") or ""]
    calls = msg.get("tool_calls")
    fns = (
        [c.get("function") for c in calls if isinstance(c, dict)] if isinstance(calls, list) else []
    )
    if isinstance(msg.get("function_call"), dict):
        fns.append(msg["function_call"])
    for fn in fns:
        if isinstance(fn, dict):
            if isinstance(fn.get("name"), str):
                parts.append(fn["name"])
            if isinstance(fn.get("arguments"), str):
                parts.append(json_text(fn["arguments"]))
    return "\n".join(p for p in parts if isinstance(p, str) and p)


@dataclass(frozen=True, slots=True)
class Item:
    """One thing the model reads; `text()` renders it (lazily: it may be big)."""

    role: str  # the scan role
    where: str  # "messages[3].content", "tools[0]", "response_format"
    value: Any
    render: Callable[[Any], str]
    message_index: int | None = None
    tool_call_id: str | None = None
    tool: str | None = None  # a tool_definition's function name

    def text(self) -> str:
        return self.render(self.value)

    def size(self, cap: int) -> int:
        """Characters of string data in the raw value, counted up to `cap` only."""
        return size_hint(self.value, cap)

    @property
    def label(self) -> str:
        """Where, for error messages: 'message 3, role tool', "tools[0] 'send', ..."."""
        if self.message_index is not None:
            field = "" if self.where.endswith(".content") else f" {self.where.rsplit('.', 1)[-1]}"
            return f"message {self.message_index}{field}, role {self.role}"
        if self.tool:
            return f"{self.where} {self.tool!r}, role {self.role}"
        return f"{self.where}, role {self.role}"

    def detail(self) -> dict[str, Any]:
        out: dict[str, Any] = {"role": self.role, "field": self.where}
        if self.message_index is not None:
            out["message_index"] = self.message_index
        if self.tool is not None:
            out["tool"] = self.tool
        return out


def _messages(body: dict[str, Any]) -> list[Any]:
    messages = body.get("messages")
    if messages is None and "input" in body:  # the Responses API shape
        inp = body["input"]
        messages = [{"role": "user", "content": inp}] if isinstance(inp, str) else inp
        if isinstance(body.get("instructions"), str) and body["instructions"]:
            messages = [
                {"role": "system", "content": body["instructions"]},
                *(messages if isinstance(messages, list) else []),
            ]
    return messages if isinstance(messages, list) else []


def _role(msg: dict[str, Any]) -> str:
    kind = msg.get("type")
    if kind == "function_call_output":
        return "tool"
    if kind == "function_call":
        return "assistant"
    role = msg.get("role")
    # Unknown roles are refused before the guards run (400); anywhere else (the hosted
    # agent, a future route) they are read as the least trusted author, the user.
    return role if role in MESSAGE_ROLES else "user"


def items(body: dict[str, Any]) -> Iterator[Item]:
    """Every item of a chat request (or a Responses-API `input`) in reading order."""
    for i, msg in enumerate(_messages(body)):
        if not isinstance(msg, dict):
            continue
        role = _role(msg)
        call_id = msg.get("tool_call_id") or msg.get("call_id")
        call_id = call_id if isinstance(call_id, str) else None
        if role in TOOL_ROLES:
            content = msg.get("content", msg.get("output"))
            yield Item(role, f"messages[{i}].content", content, tool_content_text, i, call_id)
        elif role == "assistant":
            yield Item(role, f"messages[{i}].content", msg, _calls_text, i)
        else:
            yield Item(role, f"messages[{i}].content", msg.get("content"), content_text, i)
        if isinstance(msg.get("name"), str) and msg["name"]:
            yield Item(role, f"messages[{i}].name", msg["name"], str, i, call_id)
    for group in ("tools", "functions"):
        tools = body.get(group)
        for k, tool in enumerate(tools if isinstance(tools, list) else ()):
            fn = tool.get("function") if isinstance(tool, dict) else None
            fn = fn if isinstance(fn, dict) else tool
            name = fn.get("name") if isinstance(fn, dict) else None
            yield Item(
                "tool_definition",
                f"{group}[{k}]",
                tool,
                render_json,
                tool=name if isinstance(name, str) else None,
            )
    # vLLM / SGLang render `documents` (retrieved passages) into the prompt: data from
    # elsewhere, read like a tool result (enforced, tainting).
    docs = body.get("documents")
    for k, doc in enumerate(docs if isinstance(docs, list) else ()):
        yield Item("tool", f"documents[{k}]", doc, render_json)
    # Predicted Outputs and a vLLM / SGLang template's arguments: the client's own text,
    # which a model server may write into the prompt (a template may print any string
    # argument): read like the user's messages. Numbers and flags render as nothing.
    prediction = body.get("prediction")
    if isinstance(prediction, dict):
        yield Item("user", "prediction", prediction.get("content"), content_text)
    kwargs = body.get("chat_template_kwargs")
    if isinstance(kwargs, dict) and kwargs:
        yield Item("user", "chat_template_kwargs", kwargs, render_json)
    rf = body.get("response_format")
    if isinstance(rf, dict) and rf.get("type") == "json_schema":
        yield Item("response_format", "response_format", rf.get("json_schema"), render_json)
