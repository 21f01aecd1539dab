"""The request shapes the gateway reads, checked once at the route seam.

Only the fields the gateway itself reads (to route, guard, limit or forward) are typed here;
everything else passes through untouched (`extra="allow"`), so a client's new or provider-
specific fields still reach the upstream. Types are strict (no `"1"` → 1, no `1` → True),
because a value the gateway reads one way and the upstream another is how a check gets
skipped. A failure becomes one `400 invalid_request_error` naming the field in `param`
(`messages[2].tool_calls[0].function`), the way OpenAI's own API answers.

The validated model is thrown away: handlers keep the client's dict, so nothing is
re-serialised differently from what the client sent.

A big chat request (thousands of messages or tools, up to `general_settings.max_*`) is
validated in slices of about `turns.EVERY` items with a turn of the event loop between
them (`acheck`): pydantic-core holds the interpreter lock while it validates, so a worker
thread would stall the loop just the same.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, Literal, NoReturn

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    TypeAdapter,
    ValidationError,
)

from keepgate.errors import APIError
from keepgate.input_guards.extract import MESSAGE_ROLES
from keepgate.pipeline import turns
from keepgate.pipeline.upstream_shape import MAX_CHOICES
from keepgate.proxy.counts import parts_of

#: Counts the gateway reads (token budgets, choices): within what a Redis script, a
#: Prometheus counter and an int64 all hold.
Count = Annotated[StrictInt, Field(ge=0, le=2**53)]
Number = StrictInt | float


class _Open(BaseModel):
    """A shape that allows fields it does not name (they pass through to the upstream)."""

    model_config = ConfigDict(extra="allow", strict=True)


class Function(_Open):
    name: StrictStr
    arguments: StrictStr | None = None


class ToolCall(_Open):
    id: StrictStr | None = None
    type: StrictStr | None = None
    function: Function


class ContentPart(_Open):
    """A content part: the input guard reads `text` and `refusal` from any part, so they are
    strings (an object or list there reached a lenient upstream unread)."""

    type: StrictStr
    text: StrictStr | None = None
    refusal: StrictStr | None = None


Content = StrictStr | list[ContentPart] | None


class Message(_Open):
    role: Literal[MESSAGE_ROLES]  # type: ignore[valid-type]
    content: Content = None
    name: StrictStr | None = None
    tool_calls: list[ToolCall] | None = None
    tool_call_id: StrictStr | None = None
    function_call: dict[str, Any] | None = None


class StreamOptions(_Open):
    include_usage: StrictBool | None = None


class ToolFunction(_Open):
    name: StrictStr
    parameters: dict[str, Any] | None = None
    description: StrictStr | None = None


class Tool(_Open):
    type: StrictStr
    function: ToolFunction | None = None


class Prediction(_Open):
    """OpenAI's Predicted Outputs: the text the answer is expected to repeat (a file being
    edited). The input guard reads it like a user message."""

    type: Literal["content"]
    content: StrictStr | list[ContentPart]


#: A `chat_template_kwargs` value (vLLM, SGLang): a flag or a word for the template
#: (`enable_thinking: false`, `reasoning_effort: "low"`). Strings are scanned like user
#: text; lists and objects are refused (`_refuse_fields`).
TemplateArg = StrictStr | StrictBool | Number | None


class ChatRequest(_Open):
    model: StrictStr
    messages: Annotated[list[Message], Field(min_length=1)]
    stream: StrictBool | None = None
    stream_options: StreamOptions | None = None
    tools: list[Tool] | None = None
    tool_choice: StrictStr | dict[str, Any] | None = None
    n: Annotated[StrictInt, Field(ge=1, le=MAX_CHOICES)] | None = None
    max_tokens: Count | None = None
    max_completion_tokens: Count | None = None
    temperature: Number | None = None
    top_p: Number | None = None
    user: StrictStr | None = None
    response_format: dict[str, Any] | None = None
    prediction: Prediction | None = None
    chat_template_kwargs: dict[str, TemplateArg] | None = None


#: Token ids: an embeddings input may be text, texts, token ids, or arrays of token ids.
TokenId = Annotated[StrictInt, Field(ge=0, le=2**32)]


class EmbeddingsRequest(_Open):
    model: StrictStr
    input: (
        Annotated[StrictStr, Field(min_length=1)]
        | Annotated[list[StrictStr], Field(min_length=1)]
        | Annotated[list[TokenId], Field(min_length=1)]
        | Annotated[list[Annotated[list[TokenId], Field(min_length=1)]], Field(min_length=1)]
    )
    encoding_format: Literal["float", "base64"] | None = None
    dimensions: Annotated[StrictInt, Field(ge=1, le=65536)] | None = None
    user: StrictStr | None = None


def param(loc: tuple[int | str, ...]) -> str:
    """A pydantic location as OpenAI writes a parameter path: `messages[0].tool_calls`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _UNION_TAG.match(part):
            continue  # which branch of a union failed: not part of the client's path
        else:
            out += ("." if out else "") + part
    return out


#: Pydantic's names for union branches in an error location: types, not field names (the
#: fields here are all lower_snake_case, the model classes CamelCase).
_UNION_TAG = re.compile(
    r"^(str|int|bool|float|none|bytes|[a-z-]+\[.*\]|function-\S+|"
    r"constrained-\S+|[A-Z]\w*)$"
)
_REQUIRED = {"missing"}


#: Vendor fields (vLLM, SGLang) that change how the prompt is built from the messages: a
#: client's chat template can write any text into the prompt, where no guard reads it.
PROMPT_OVERRIDES = ("chat_template",)
#: The deprecated function-calling fields: the answer's `function_call` is not a tool call
#: the policy guard decides (the gateway drops it from answers), so they are refused.
LEGACY_FUNCTIONS = ("functions", "function_call")


def check(model: type[BaseModel], body: dict[str, Any]) -> None:
    """Validate `body` against `model` (an embeddings request); the first problem as a 400
    with `param`."""
    _validate(model, body)


async def acheck(body: dict[str, Any]) -> None:
    """Validate a chat request (`ChatRequest`, after refusing the prompt-override and
    legacy function-calling fields), with many messages or tools in slices of about
    `turns.EVERY` items, the event loop taking a turn between them. The top-level fields
    (with the first message and tool) are checked first, so a missing `model` is still the
    error named, as one validation of the whole body would."""
    _refuse_fields(body)
    lists = {
        name: value
        for name in _SLICED
        if isinstance(value := body.get(name), list) and len(value) > 1
    }
    if sum(map(_weight, lists.get("messages", ()))) + len(lists.get("tools", ())) <= turns.EVERY:
        _validate(ChatRequest, body)
        return
    _validate(ChatRequest, {**body, **{name: value[:1] for name, value in lists.items()}})
    for name, value in lists.items():
        start = 1
        while start < len(value):
            end, weight = start, 0
            while end < len(value) and weight < turns.EVERY:
                weight += _weight(value[end]) if name == "messages" else 1
                end += 1
            await turns.turn()
            try:
                _SLICED[name].validate_python(value[start:end])
            except ValidationError as exc:
                _raise(exc, _shifted(name, start))
            start = end


#: The lists `acheck` validates in slices, each by the type of one slice.
_SLICED: dict[str, TypeAdapter[Any]] = {
    "messages": TypeAdapter(list[Message]),
    "tools": TypeAdapter(list[Tool]),
}


def _shifted(name: str, start: int) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    """Maps a location in a slice starting at `start` to one in the body's `name` list."""
    return lambda loc: (name, start + int(loc[0]), *loc[1:])


def _weight(message: Any) -> int:
    """A message's share of a slice: itself, its content parts and its tool calls."""
    return 1 + parts_of(message)


def _refuse_fields(body: dict[str, Any]) -> None:
    kwargs = body.get("chat_template_kwargs")
    if isinstance(kwargs, dict):
        _refuse_template_kwargs(kwargs)
    for name in PROMPT_OVERRIDES:
        if body.get(name) is not None:
            raise APIError(
                400,
                f"'{name}' is not supported: a client-supplied template builds the prompt "
                "outside Keepgate's input guards. Configure the template on the model server.",
                code="unsupported_feature",
                param=name,
            )
    for name in LEGACY_FUNCTIONS:
        if body.get(name) is not None:
            raise APIError(
                400,
                f"'{name}' is not supported (deprecated function calling): use 'tools' "
                "and 'tool_choice'; Keepgate's tool-call policy decides 'tool_calls'.",
                code="unsupported_feature",
                param=name,
            )


def _refuse_template_kwargs(kwargs: dict[str, Any]) -> None:
    """A template argument is a flag or a word. A `chat_template` among them replaces the
    template (vLLM reads it there too), and a list or object (`documents`, `tools`,
    `messages`, a custom `system`) is content the template renders that no guard reads."""
    for key, value in kwargs.items():
        where = f"chat_template_kwargs.{key}"
        if key in PROMPT_OVERRIDES and value is not None:
            raise APIError(
                400,
                f"'{where}' is not supported: a client-supplied template builds the prompt "
                "outside Keepgate's input guards. Configure the template on the model server.",
                code="unsupported_feature",
                param=where,
            )
        if isinstance(value, (list, dict)):
            raise APIError(
                400,
                f"'{where}' is not supported: a template argument that is a list or an object "
                "is content the template writes into the prompt, outside Keepgate's input "
                "guards. Send messages, tools and documents in their own fields; template "
                "arguments may be strings (scanned like user text), numbers, booleans or null.",
                code="unsupported_feature",
                param=where,
            )


def _validate(model: type[BaseModel], body: dict[str, Any]) -> None:
    try:
        model.model_validate(body)
    except ValidationError as exc:
        _raise(exc, lambda loc: loc)


def _raise(
    exc: ValidationError, where_in_body: Callable[[tuple[Any, ...]], tuple[Any, ...]]
) -> NoReturn:
    """The first problem of `exc` as a 400 with `param`; `where_in_body` maps a location
    in the validated value to one in the request body."""
    errors: list[dict[str, Any]] = [
        {**e, "loc": where_in_body(tuple(e["loc"]))}
        for e in exc.errors(include_url=False, include_input=False)
    ]
    # The shortest path is the one the client can act on (a union's branches each
    # report a deeper one).
    first = min(errors, key=lambda e: len(e["loc"]))
    where = param(first["loc"]) or None
    if first["type"] in _REQUIRED:
        raise APIError(
            400,
            f"Missing required parameter: '{where}'.",
            code="missing_required_parameter",
            param=where,
        ) from None
    raise APIError(
        400, f"Invalid '{where}': {_reason(first, errors)}.", code="invalid_value", param=where
    ) from None


def _reason(first: Mapping[str, Any], errors: Sequence[Mapping[str, Any]]) -> str:
    same = [e for e in errors if e["loc"][: len(first["loc"])] == first["loc"]]
    if len(same) > 1:
        return "not one of the accepted types"
    return str(first["msg"]).lower()[:200]
