"""Names for the JSON the gateway carries but does not own, so a signature says what it holds.

Request bodies, stream chunks, messages and tool calls of the OpenAI, Responses and
Anthropic APIs, error bodies, Rego input and decision documents, audit lines, the
operator's free-form key metadata: these stay the parsed JSON (`dict[str, Any]`), named
here, rather than one pydantic model per API field. On purpose:

- the gateway forwards what it does not read: a client's new or vendor-specific field must
  reach the upstream as sent (`extra="allow"` shapes would still re-serialise it), and
  models of every field of three evolving APIs would be a rewrite that lags them;
- what the gateway does read is checked once at the route seam (`keepgate.proxy.shapes`,
  the adapters for Responses and Messages) and read after that with `.get` and
  `isinstance`, which is how a hostile body can never make a guard raise;
- every stream chunk passes every response guard: building models there costs on the hot
  path for nothing the guards need.

Wiring between the gateway's own parts is never one of these: it is a dataclass, a pydantic
model or a Protocol (`tests/core/test_core_typed_seams.py` refuses `Any` in signatures that
cross a package boundary; these names, and a short list of reasoned exceptions, aside).
This module imports nothing from keepgate, so any part can use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: A parsed JSON object the gateway passes on or serialises: a request or response body, a
#: message, a tool call, an error body, a Rego document, an audit record.
JsonObject = dict[str, Any]

#: A parsed JSON object the callee only reads (a `JsonObject`, or a read-only view of one).
JsonMapping = Mapping[str, Any]

#: One OpenAI `chat.completion.chunk`: what the upstream streams and every response guard
#: transforms (`keepgate.pipeline.guard.Guard.transform`).
Chunk = JsonObject

#: Any parsed JSON value (tool-call arguments, a message's content): its shape is the
#: model's or the client's choice, so mypy has it narrowed with `isinstance` before use.
JsonValue = None | bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"]
