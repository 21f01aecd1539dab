"""Who is calling: API keys resolved to principals."""

from keepgate.auth.principal import Principal

__all__ = ["Principal"]
