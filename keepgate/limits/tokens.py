"""Prompt tokens as `litellm.token_counter` counts them, with tiktoken and without importing
litellm (3.5-5 s of CPU per process).

litellm counts OpenAI-style models with tiktoken (o200k_base / cl100k_base) and a chat-template
arithmetic of its own: 3 tokens per message (4 and -1 per name for gpt-3.5-turbo-0301), every
string field of a message (role, name +1, content, tool_call_id), the arguments of tool calls,
text parts of content lists, 3 tokens of reply priming, and the tools rendered as a TypeScript
namespace (+9, -4 with a system message). Texts are encoded in 1,024-character chunks. This
module does the same arithmetic; `count_messages` / `count_text` return None for anything else
(models litellm counts with a Hugging Face tokenizer or a chat template of its own, images,
files, documents, Anthropic blocks, odd shapes, litellm's tuning variables set), and the caller
asks litellm. tests/limits/test_limits_litellm_parity.py holds the counts to litellm's.

tiktoken reads its BPE files from the copy litellm ships (litellm_core_utils/tokenizers, the
directory litellm points TIKTOKEN_CACHE_DIR at, or CUSTOM_TIKTOKEN_CACHE_DIR as litellm does),
so counting never touches the network.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache

import tiktoken
from tiktoken.model import MODEL_TO_ENCODING

from keepgate.limits import model_map

#: litellm's TIKTOKEN_ENCODE_CHUNK_SIZE_CHARS default: texts are encoded in chunks this long.
_CHUNK = 1024
#: litellm's TOKEN_COUNTER_MAX_EXACT_CHARS default: longer texts are sampled by litellm.
_MAX_EXACT = 4_000_000
#: Variables that change litellm's counting: with any set, litellm counts.
_LITELLM_TUNING = (
    "TIKTOKEN_ENCODE_CHUNK_SIZE_CHARS",
    "TOKEN_COUNTER_MAX_EXACT_CHARS",
    "DEFAULT_IMAGE_TOKEN_COUNT",
    "LITELLM_RUST",
)
#: The encodings whose BPE files litellm ships (others would be downloaded).
_SHIPPED = ("cl100k_base", "o200k_base")
#: litellm's `azure_llms` (names Azure spells differently).
_AZURE_LLMS = frozenset(
    {
        "gpt-35-turbo",
        "gpt-35-turbo-instruct",
        "azure/gpt-41",
        "azure/gpt-41-mini",
        "azure/gpt-41-nano",
    }
)
_OPENAI_CHAT_MODES = frozenset({"chat", "responses"})
_TEXT_MODES = frozenset({"chat", "completion", "responses", "realtime"})
#: Names litellm counts with a Hugging Face tokenizer or a chat template of its own (a superset
#: of its `huggingface_tokenizer_kind` and `chat_template_tool_section` patterns).
_OWN_TOKENIZER = re.compile(r"command-r|deepseek|llama|replicate|qwen|grok", re.IGNORECASE)
_VERSIONED_OPENAI = re.compile(r"(?:gpt-(?:[5-9]|[1-9]\d+)|o[1-9]\d*)(?:[.-]|$)")
_TEXT_FIELD = {
    "text": "text",
    "thinking": "thinking",
    "redacted_thinking": "thinking",
    "compaction": "content",
}


class _Unsupported(Exception):
    """A shape or model litellm counts by rules this module does not reproduce."""


def _tiktoken_cache_dir() -> str | None:
    custom = os.environ.get("CUSTOM_TIKTOKEN_CACHE_DIR")
    if custom:
        return custom
    root = model_map.litellm_dir()
    return str(root / "litellm_core_utils" / "tokenizers") if root else None


@cache
def _encoding(name: str) -> tiktoken.Encoding:
    cache_dir = _tiktoken_cache_dir()
    if cache_dir is None:
        raise _Unsupported("litellm's copy of the BPE files is not installed")
    # What litellm's default_encoding does on import; the same value it would set.
    os.environ["TIKTOKEN_CACHE_DIR"] = cache_dir
    return tiktoken.get_encoding(name)


# --- which encoding and message constants litellm picks for a model -------------------------


def _fix_model_name(model: str) -> str:
    if model in _AZURE_LLMS:
        return model.replace("-35", "-3.5")
    return model if model in model_map.provider_models("openai") else "gpt-3.5-turbo"


def _tiktoken_name(model: str) -> str | None:
    try:
        return tiktoken.encoding_name_for_model(model)
    except KeyError:
        return None


def _mode(model: str) -> object:
    e = model_map.entry(model)
    return e.get("mode") if e is not None else None


def _openai_model_name_like(name: str) -> bool:
    listed = model_map.provider_models("openai")
    return (
        name in listed
        or _tiktoken_name(name) is not None
        or any(name.startswith(f"{x}-") or x.startswith(f"{name}-") for x in listed)
    )


def _is_openai_cost_map_model(model: str) -> bool:
    if model in _AZURE_LLMS or model in model_map.provider_models("openai"):
        return True
    e = model_map.entry(model) or {}
    return (
        e.get("litellm_provider") == "azure"
        and e.get("mode") in _TEXT_MODES
        and _openai_model_name_like(model.rsplit("/", 1)[-1])
    )


def _deployment_name(model: str) -> str:
    name = model.rpartition("/")[2]
    return name.split(":")[1] if name.startswith("ft:") else name


def _openai_model_name(model: str) -> str | None:
    segments = model.split("/")
    suffixes = ["/".join(segments[i:]) for i in range(len(segments))]
    if any(
        _is_openai_cost_map_model(s) or _is_openai_cost_map_model(f"azure/{s}") for s in suffixes
    ):
        return segments[-1]
    last = model.rsplit("/", 1)[-1]
    if _tiktoken_name(last) == "o200k_base" or _VERSIONED_OPENAI.match(last):
        return last
    name = _deployment_name(model)
    e = model_map.entry(f"azure/{name}") or {}
    if (
        e.get("litellm_provider") == "azure"
        and e.get("mode") in _OPENAI_CHAT_MODES
        and (e.get("supports_pdf_input") is True or name.startswith("gpt-"))
    ):
        return name
    return None


def _listed_non_chat(model: str) -> bool:
    modes = (_mode(n) for n in (model, f"azure/{model}"))
    return any(m is not None and m not in _OPENAI_CHAT_MODES for m in modes)


def _encoding_name(model: str) -> str:
    """litellm's `openai_tokenizer_encoding_name`."""
    name = _openai_model_name(model) or _fix_model_name(model)
    if "gpt-4o" in name:
        return "o200k_base"
    known = _tiktoken_name(name)
    if known is not None:
        return known
    variants = [n for n in MODEL_TO_ENCODING if name.startswith(f"{n}-")]
    if variants:
        return MODEL_TO_ENCODING[max(variants, key=len)]
    return "cl100k_base" if _listed_non_chat(name) else "o200k_base"


@cache
def _profile(model: str) -> tuple[str, int, int] | None:
    """(encoding, tokens per message, tokens per name) as litellm counts `model`, or None when
    litellm counts it some other way."""
    if not model or _OWN_TOKENIZER.search(model):
        return None
    if model in model_map.provider_models("anthropic") and "claude-3" not in model:
        return None  # litellm's packaged Anthropic tokenizer
    if model in model_map.provider_models("cohere") and "command-r" in model:
        return None
    enc = _encoding_name(model)
    if enc not in _SHIPPED:
        return None
    if _fix_model_name(model) == "gpt-3.5-turbo-0301":
        return enc, 4, -1
    return enc, 3, 1


def _counter(model: str) -> tuple[Callable[[str], int], tuple[str, int, int]] | None:
    """The local count for `model` and its profile (looked up once), or None."""
    if any(v in os.environ for v in _LITELLM_TUNING):
        return None
    profile = _profile(model)
    if profile is None:
        return None
    try:
        enc = _encoding(profile[0])
    except (_Unsupported, OSError, ValueError):
        return None  # no local BPE file: litellm's own fallbacks decide

    def count(text: str) -> int:
        if len(text) > _MAX_EXACT:
            raise _Unsupported("litellm samples texts this long")
        chunks = [text[i : i + _CHUNK] for i in range(0, len(text), _CHUNK)]
        return sum(len(t) for t in enc.encode_ordinary_batch(chunks)) if chunks else 0

    return count, profile


# --- the message arithmetic (litellm's _count_messages / _count_extra) ----------------------


def _content_list(count: Callable[[str], int], parts: list[object]) -> int:
    n = 0
    for c in parts:
        if isinstance(c, str):
            n += count(c)
            continue
        if not isinstance(c, dict) or not isinstance(c.get("type"), str):
            raise _Unsupported("content part")
        kind = c["type"]
        if kind in _TEXT_FIELD:
            text = str(c.get(_TEXT_FIELD[kind]) or "")
            if text:
                n += count(text)
        elif kind == "tool_reference":
            name = str(c.get("tool_name") or "")
            if name:
                n += count(name)
        else:
            raise _Unsupported(kind)  # images, files, documents, Anthropic blocks
    return n


def _call_arguments(count: Callable[[str], int], key: str, value: object) -> int:
    if key == "tool_calls":
        if not isinstance(value, list):
            raise _Unsupported("tool_calls")
        n = 0
        for call in value:
            if not isinstance(call, dict) or not isinstance(call.get("function"), dict):
                raise _Unsupported("tool call")
            n += count(str(call["function"].get("arguments", "")))
        return n
    if not isinstance(value, dict):
        raise _Unsupported("function_call")
    return count(str(value.get("arguments", "")))


def _messages(
    count: Callable[[str], int], per_message: int, per_name: int, messages: list[object]
) -> int:
    n = 0
    for message in messages:
        if not isinstance(message, dict):
            raise _Unsupported("message")
        n += per_message
        for key, value in message.items():
            if value is None:
                continue
            if key in ("tool_calls", "function_call"):
                n += _call_arguments(count, key, value)
            elif isinstance(value, str):
                n += count(value) + (per_name if key == "name" else 0)
            elif key == "content" and isinstance(value, list):
                n += _content_list(count, value)
            elif key in ("provider_specific_fields", "search_results"):
                raise _Unsupported(key)
    return n


def _function_definitions(tools: Iterable[object]) -> Iterable[Mapping[str, object]]:
    for tool in tools:
        if not isinstance(tool, Mapping):
            continue
        function = tool.get("function")
        if isinstance(function, Mapping):
            yield function
            continue
        declarations = tool.get("function_declarations") or tool.get("functionDeclarations")
        if isinstance(declarations, list):
            yield from (d for d in declarations if isinstance(d, Mapping))
            continue
        input_schema = tool.get("input_schema")
        parameters = input_schema or tool.get("parameters") or {}
        normalized = parameters if isinstance(parameters, Mapping) else {}
        unmapped = (
            {k: v for k, v in tool.items() if k not in _ANTHROPIC_TOOL_KEYS}
            if input_schema is not None
            else {}
        )
        description = tool.get("description")
        strict = tool.get("strict")
        yield {
            "name": tool.get("name"),
            "parameters": {**normalized, **unmapped},
            **({"description": description} if description is not None else {}),
            **({"strict": bool(strict)} if strict is not None else {}),
        }


_ANTHROPIC_TOOL_KEYS = frozenset(
    (
        "name",
        "input_schema",
        "description",
        "cache_control",
        "strict",
        "type",
        "eager_input_streaming",
        "custom",
    )
)


def _format_type(props: object, indent: int) -> str:
    if not isinstance(props, Mapping):
        return "any"
    kind = props.get("type")
    enum = props.get("enum")
    if kind == "string":
        return " | ".join(f'"{item}"' for item in enum) if isinstance(enum, list) else "string"
    if kind == "array":
        return f"{_format_type(props.get('items'), indent)}[]"
    if kind == "object":
        return f"{{\n{_format_object(props, indent + 2)}\n}}"
    if kind in ("integer", "number"):
        return " | ".join(f'"{item}"' for item in enum) if isinstance(enum, list) else "number"
    if kind == "boolean":
        return "boolean"
    if kind == "null":
        return "null"
    return "any"


def _format_object(parameters: Mapping[str, object], indent: int) -> str:
    properties = parameters.get("properties")
    if not isinstance(properties, Mapping) or not properties:
        return ""
    required = parameters.get("required")
    required_params = tuple(required) if isinstance(required, list) else ()
    lines = []
    for key, props in properties.items():
        description = props.get("description") if isinstance(props, Mapping) else None
        if description:
            lines.append(f"// {description}")
        question = "" if required_params and key in required_params else "?"
        lines.append(f"{key}{question}: {_format_type(props, indent)},")
    return "\n".join(" " * max(0, indent) + line for line in lines)


def _format_function(function: Mapping[str, object]) -> list[str]:
    name = function.get("name")
    if not name:
        return []
    description = function.get("description")
    value = function.get("parameters") or {}
    parameters = value if isinstance(value, Mapping) else {}
    properties = parameters.get("properties")
    head = [f"// {description}"] if description else []
    if isinstance(properties, Mapping) and properties:
        return [*head, f"type {name} = (_: {{", _format_object(parameters, 0), "}) => any;", ""]
    return [*head, f"type {name} = () => any;", ""]


def _format_tools(tools: Sequence[object]) -> str:
    lines = ["namespace functions {", ""]
    for function in _function_definitions(tools):
        lines.extend(_format_function(function))
    lines.append("} // namespace functions")
    return "\n".join(lines)


# --- the entry points -----------------------------------------------------------------------


def count_messages(model: str, messages: object, tools: object = None) -> int | None:
    """`litellm.token_counter(model=model, messages=messages, tools=tools)`, or None when
    litellm has to count (see the module docstring)."""
    counter = _counter(model)
    if counter is None or not isinstance(messages, list):
        return None
    if tools is not None and not isinstance(tools, list):
        return None
    count, (_, per_message, per_name) = counter
    try:
        n = _messages(count, per_message, per_name, messages)
        n += 3  # reply priming
        if tools:
            system = any(m.get("role") == "system" for m in messages)
            n += count(_format_tools(tools)) + 9 - (4 if system else 0)
    except _Unsupported:
        return None
    return n


def count_text(model: str, text: str) -> int | None:
    """`litellm.token_counter(model=model, text=text)`, or None when litellm has to count."""
    counter = _counter(model)
    if counter is None:
        return None
    try:
        return counter[0](text)
    except _Unsupported:
        return None
