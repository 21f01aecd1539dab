"""An upstream chunk's structure, checked where the stream enters the pipeline.

Every response guard, the assembler and the encoders index choices and tool calls by
their `index`, key buffers by a call's `id` and copy `role` / `finish_reason` to the
client. An upstream (buggy, or a hostile server behind a model name) that sends a choice
as a string, an index as a list or a call id as an object made one of them raise (a 500);
one that writes text into the fields no scrubber reads (the chunk `id`, `role`,
`finish_reason`) got it to the client unscrubbed (red team round 4). So: a structure no
guard can read is `502 upstream_malformed`, and the model-independent fields are held to
what a provider puts there.
"""

from __future__ import annotations

import re2

from keepgate.jsontypes import Chunk

#: A provider's response id (`chatcmpl-…`, `resp_…`, `msg_…`): letters first, then
#: letters, digits and `_ . : -`. Anything else (an e-mail, free text) is replaced.
_ID = re2.compile(r"[A-Za-z][A-Za-z0-9_.:\-]{0,127}")
#: A finish reason: `stop`, `length`, `tool_calls`, `content_filter`, a vendor's own word
#: (`MAX_TOKENS`).
_REASON = re2.compile(r"[A-Za-z][A-Za-z_]{0,39}")
#: Choices an answer may have: OpenAI's most for `n`, and the most a request here may ask
#: for (`shapes.ChatRequest.n`). A choice index past it is no answer to this request.
MAX_CHOICES = 128


class MalformedChunk(ValueError):
    """The chunk's structure is not one the guards can read."""


def _index(value: object, where: str, limit: int) -> None:
    if value is None:
        return
    if type(value) is not int or value < 0:
        raise MalformedChunk(f"{where} index is not a non-negative integer")
    if value >= limit:
        raise MalformedChunk(f"{where} index {value} is past this gateway's limit of {limit}")


def check_chunk(chunk: Chunk, fallback_id: str, max_calls: int) -> list[str]:
    """Raise `MalformedChunk` for a structure no guard can read (a choice index past
    `MAX_CHOICES`, a tool-call index past `max_calls`: each one a guard holds costs memory,
    so they are refused before any is held); replace, in place, an `id`, `role` or
    `finish_reason` that is not what a provider writes there. The names replaced (for the
    audit's `upstream_fields_dropped`)."""
    replaced: list[str] = []
    cid = chunk.get("id")
    if cid is not None and not (isinstance(cid, str) and (not cid or _ID.fullmatch(cid))):
        chunk["id"] = fallback_id
        replaced.append("id")
    choices = chunk.get("choices")
    if choices is None:
        return replaced
    if type(choices) is not list:
        raise MalformedChunk("choices is not a list")
    for ch in choices:
        if type(ch) is not dict:
            raise MalformedChunk("a choice is not an object")
        _index(ch.get("index"), "a choice's", MAX_CHOICES)
        reason = ch.get("finish_reason")
        if reason is not None and not (isinstance(reason, str) and _REASON.fullmatch(reason)):
            if not isinstance(reason, str):
                raise MalformedChunk("finish_reason is not a string")
            ch["finish_reason"] = "stop"
            replaced.append("finish_reason")
        delta = ch.get("delta")
        if type(delta) is not dict:
            continue  # keep_read_fields empties a delta that is not an object
        role = delta.get("role")
        if role is not None and role != "assistant":
            delta["role"] = "assistant"
            replaced.append("role")
        calls = delta.get("tool_calls")
        if type(calls) is not list:
            continue
        for call in calls:
            if type(call) is not dict:
                continue  # keep_read_fields drops it
            _index(call.get("index"), "a tool call's", max_calls)
            for key in ("id", "type"):
                if not isinstance(call.get(key), (str, type(None))):
                    raise MalformedChunk(f"a tool call's {key} is not a string")
    return replaced
