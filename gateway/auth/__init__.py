"""Who is calling: API keys resolved to principals."""

from gateway.auth.principal import Principal

__all__ = ["Principal"]
