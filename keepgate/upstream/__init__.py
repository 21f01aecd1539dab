"""Talking to the real model: a lean aiohttp path for OpenAI-compatible APIs, litellm for the rest.

Both yield the upstream answer as OpenAI `chat.completion.chunk` dicts; errors before the
first chunk become `APIError`s (502 upstream failure, 504 timeout, or the upstream's 4xx).
"""

from keepgate.upstream.client import Upstream, UpstreamError

__all__ = ["Upstream", "UpstreamError"]
