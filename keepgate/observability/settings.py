"""The `observability:` sub-sections' models (tracing, the Redis audit stream, the UI).

Apart from the modules that use them, so the config loader (keepgate.config.tree) can type
those sections without importing the UI's routes or the runtime.
"""

from __future__ import annotations

from pydantic import Field

from keepgate.config.model import SectionSettings

__all__ = ["AuditRedisSettings", "TracingSettings", "UISettings"]


class TracingSettings(SectionSettings):
    """OpenTelemetry spans per call and per guard stage (off by default)."""

    enabled: bool = False
    exporter: str = Field("otlp", pattern="^(otlp|console|none)$")
    endpoint: str | None = None
    service_name: str = "keepgate"
    sample_ratio: float = Field(1.0, ge=0.0, le=1.0)


class AuditRedisSettings(SectionSettings):
    """The audit log also as a Redis stream (keepgate.observability.audit_redis)."""

    enabled: bool = True
    url: str | None = None
    stream: str = "keepgate:audit"
    maxlen: int = Field(100_000, gt=0)
    #: Records held in memory while Redis is slow or down.
    buffer: int = Field(10_000, gt=0)


class UISettings(SectionSettings):
    """The admin UI at `/ui` (log in with the master key)."""

    enabled: bool = True
    session_hours: float = Field(8.0, gt=0)
