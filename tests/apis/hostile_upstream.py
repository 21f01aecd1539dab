"""The pieces of a hostile model upstream that the red-team API files share: an OpenAI
chat chunk as an SSE line, the last user message a route answers to, the one server with
the three routes (chat, Anthropic messages, embeddings), and the three deployments that
point the gateway at it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from tests.servers import ThreadServer

Endpoint = Callable[[Request], Any]


def chunk(delta: dict[str, Any], cid: str, finish: str | None = None) -> bytes:
    """One `chat.completion.chunk` as an SSE `data:` line."""
    body = {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return b"data: " + json.dumps(body).encode() + b"\n\n"


def last_user(body: dict[str, Any]) -> str:
    """The text of the last user message (string or content parts): what the hostile
    routes read as their instruction."""
    for m in reversed(body.get("messages") or []):
        if m.get("role") == "user":
            c = m.get("content")
            if isinstance(c, str):
                return c
            return "".join(p.get("text", "") for p in c or [] if isinstance(p, dict))
    return ""


@contextmanager
def serving(chat: Endpoint, messages: Endpoint, embeddings: Endpoint) -> Iterator[str]:
    """A real uvicorn server with the three upstream routes; yields its base URL."""
    app = Starlette(
        routes=[
            Route("/chat/completions", chat, methods=["POST"]),
            Route("/v1/messages", messages, methods=["POST"]),
            Route("/embeddings", embeddings, methods=["POST"]),
        ]
    )
    server = ThreadServer(app).start()
    try:
        yield server.url
    finally:
        server.stop()


def deployments(name: str, upstream: str) -> list[dict[str, Any]]:
    """`name` (chat), `name-embedding` and `name-claude` (Anthropic), all at `upstream`."""
    return [
        {"model_name": name, "litellm_params": {"model": "openai/m", "api_base": upstream}},
        {
            "model_name": f"{name}-embedding",
            "litellm_params": {"model": "openai/e", "api_base": upstream},
            "model_info": {"mode": "embedding"},
        },
        {
            "model_name": f"{name}-claude",
            "litellm_params": {"model": "anthropic/m", "api_base": upstream},
        },
    ]
