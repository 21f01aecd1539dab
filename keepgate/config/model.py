"""The config schema. Model routing follows LiteLLM Proxy's `model_list` format on purpose,
so a LiteLLM Proxy config's model section can be pasted in unchanged."""

from __future__ import annotations

import os
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from keepgate.config.limitmap import LimitsMap
from keepgate.jsontypes import JsonObject

ENV_PREFIX = "os.environ/"


def resolve_secret(value: str | None) -> str | None:
    """`os.environ/NAME` (LiteLLM's syntax) reads NAME from the environment."""
    if value and value.startswith(ENV_PREFIX):
        return os.environ.get(value[len(ENV_PREFIX) :])
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SectionSettings(BaseModel):
    """The base of every section another package owns (`agent`, `mcp`, `mcp_servers.<name>`,
    `observability.tracing` / `audit_redis` / `ui`): unknown keys are an error.

    `KeepgateConfig` types those sections with this empty base, because the config package
    must not import their owners; the loader's model (keepgate.config.tree) puts each
    owner's subclass in its place (registry: keepgate.config.sections), so a typo in any of
    them fails at load time with the file and line, and `section()` hands the owner its
    section already typed."""

    model_config = ConfigDict(extra="forbid")


T = TypeVar("T", bound=SectionSettings)


def section(value: SectionSettings | None, model: type[T], where: str) -> T:
    """An owned section as its owner's model. The loader validated it as `model` already;
    a section left out (None), or a config built without the tree (a bare
    `KeepgateConfig()`, where an owned section can only be empty), is `model`'s defaults."""
    if value is None or type(value) is SectionSettings:
        return model()
    if not isinstance(value, model):
        raise TypeError(f"{where} is {type(value).__name__}, not {model.__name__}")
    return value


class GuardSettings(BaseModel):
    """The base of every guard's settings model (`guards.<name>`): unknown keys are an error,
    and a guard is on unless its section says `enabled: false` (secure by default)."""

    model_config = ConfigDict(extra="forbid")

    #: false: the guard is not built (the input and pii guards also take it in a `roles:` /
    #: `keys:` override, to turn them off for that role or key).
    enabled: bool = True

    def written(self) -> JsonObject:
        """The options as the file set them (normalised by the model; defaults and the
        `roles:` / `keys:` overrides left out): what an override is merged over."""
        return self.model_dump(exclude_unset=True, exclude={"roles", "keys"})


S = TypeVar("S", bound=GuardSettings)


class GuardSections(_Strict):
    """`guards:`, one section per guard.

    This base names no guard, because the config package must not import the guards. The
    loader validates `guards:` with the subclass `keepgate.config.tree` builds from the
    guard registry: one field per registered guard, typed by that guard's settings model,
    so an unknown guard or an unknown key in any section (its `roles:` / `keys:`
    overrides included) fails at load time with the file and line.
    """

    def get(self, name: str) -> GuardSettings | None:
        """Guard `name`'s validated section; None when this config was built without the
        registry (a bare `KeepgateConfig()`), where every guard has its defaults."""
        if name not in type(self).model_fields:
            return None
        section = getattr(self, name)
        return section if isinstance(section, GuardSettings) else None

    def settings(self, name: str, model: type[S]) -> S:
        """Guard `name`'s section as its settings model (defaults when there is none)."""
        section = self.get(name)
        if section is None:
            return model()
        if not isinstance(section, model):
            raise TypeError(f"guards.{name} is {type(section).__name__}, not {model.__name__}")
        return section

    def enabled(self, name: str) -> bool:
        section = self.get(name)
        return section is None or section.enabled


class LiteLLMParams(BaseModel):
    """How to reach the upstream. Unknown keys are passed to litellm as-is."""

    model_config = ConfigDict(extra="allow")

    model: str
    api_base: str | None = None
    #: `os.environ/VAR` names the env var holding the provider key. Clients never send it.
    api_key: str | None = None
    timeout: float | None = None
    #: "auto": OpenAI-compatible upstreams with an api_base take the lean direct (aiohttp)
    #: path, others litellm. "direct" / "litellm" force one.
    transport: Literal["auto", "litellm", "direct"] = "auto"
    #: The wire API the upstream speaks natively besides chat completions: "responses"
    #: (OpenAI Responses) or "messages" (Anthropic Messages) requests are passed through to
    #: it; "chat" translates them to chat completions. "auto": `anthropic/...` models speak
    #: messages, OpenAI's own API (`openai/...` with no api_base) speaks responses.
    api: Literal["auto", "chat", "responses", "messages"] = "auto"

    @field_validator("api_key")
    @classmethod
    def _env_only(cls, v: str | None) -> str | None:
        if v and not v.startswith(ENV_PREFIX):
            raise ValueError(
                "api_key must name an env var as 'os.environ/NAME'; "
                "provider keys do not belong in config files"
            )
        return v

    @property
    def provider(self) -> str:
        return self.model.split("/", 1)[0] if "/" in self.model else "openai"

    @property
    def upstream_model(self) -> str:
        return self.model.split("/", 1)[1] if "/" in self.model else self.model

    def resolved_api_key(self) -> str | None:
        return resolve_secret(self.api_key)

    @property
    def native_api(self) -> str:
        """The non-chat wire API this upstream speaks ("responses", "messages" or "chat")."""
        if self.api != "auto":
            return self.api
        if self.provider == "anthropic":
            return "messages"
        if self.provider == "openai" and not self.api_base:
            return "responses"
        return "chat"


class ModelInfo(BaseModel):
    model_config = ConfigDict(extra="allow")

    mode: Literal["chat", "embedding"] = "chat"
    #: Custom prices (USD per token) override litellm's price map.
    input_cost_per_token: float | None = None
    output_cost_per_token: float | None = None
    max_input_tokens: int | None = None
    max_output_tokens: int | None = None


class ModelDeployment(_Strict):
    model_name: str
    litellm_params: LiteLLMParams
    model_info: ModelInfo = Field(default_factory=ModelInfo)


class KeyEntry(_Strict):
    """A virtual key, stored only as its SHA-256 (`keepgate keys create` prints one)."""

    key_id: str
    key_hash: str
    role: str = "user"
    team: str | None = None
    metadata: JsonObject = Field(default_factory=dict)
    #: Limits for this key (read by the limits guard).
    limits: LimitsMap = Field(default_factory=dict)
    #: Model aliases this key may use; empty means all.
    models: list[str] = Field(default_factory=list)

    @field_validator("key_hash")
    @classmethod
    def _sha256(cls, v: str) -> str:
        v = v.removeprefix("sha256:").lower()
        if len(v) != 64 or any(c not in "0123456789abcdef" for c in v):
            raise ValueError("key_hash must be a hex SHA-256 digest ('sha256:<64 hex>')")
        return v


class TeamEntry(_Strict):
    team: str
    #: Limits for this team (read by the limits guard).
    limits: LimitsMap = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)


class ResponseStoreSettings(_Strict):
    """The gateway's store of Responses API answers, per API key.

    `auto`: Redis when `general_settings.redis_url` is set, else memory; `off`: nothing is
    kept, so `previous_response_id` is refused and `GET /v1/responses/{id}` is 404.
    """

    backend: Literal["auto", "memory", "redis", "off"] = "auto"
    redis_url: str | None = None
    prefix: str = "keepgate:resp:"
    #: How long a stored response can be continued or read (seconds; default 30 days).
    ttl_s: int = Field(30 * 86400, gt=0)
    #: Memory backend: responses kept per replica, and their size (least recently used go
    #: first when either is reached).
    max_responses: int = Field(10_000, gt=0)
    max_memory_mb: int = Field(256, gt=0)
    #: Longest chain of `previous_response_id` accepted (items, after expansion).
    max_items: int = Field(10_000, gt=0)


class OffloadSettings(_Strict):
    """`general_settings.offload`: where CPU-heavy work on big bodies runs."""

    #: Worker processes for input scans and token counting of big bodies (per gateway
    #: worker: `--workers 2` with 1 here runs 2 + 2 processes). 0: worker threads only,
    #: which keep the loop free only where the work releases the interpreter lock.
    processes: int = Field(1, ge=0, le=64)
    #: Niceness the processes add to their own (0-19): the OS then runs the event loop
    #: before them when the cores are busy, so big requests wait, not everyone else.
    nice: int = Field(10, ge=0, le=19)
    #: Start the processes and load their models (rules, classifier, tokenizers) with the
    #: app; false: on the first big request, which then waits seconds for them.
    prestart: bool = True


class GeneralSettings(_Strict):
    #: The admin key, accepted on every route. `os.environ/NAME` allowed.
    master_key: str | None = None
    max_body_bytes: int = Field(4 * 1024 * 1024, gt=0)
    #: Seconds a client has to send a whole JSON request body once its headers are in; a
    #: body still unfinished then (a slow-loris client holding a connection) is a 408.
    body_timeout_s: float = Field(60.0, gt=0, le=3600)
    #: Messages a request may hold (`input` items on the Responses API): counted before
    #: any per-item work, a 400 `too_many_items` past it (docs/proxy.md, "Item limits").
    max_messages: int = Field(10_000, gt=0)
    #: Content parts (and assistant tool calls) across a request's messages, Anthropic
    #: `system` blocks included.
    max_content_parts: int = Field(20_000, gt=0)
    #: Tool definitions a request may hold (OpenAI's own API accepts 128).
    max_tools: int = Field(512, gt=0)
    #: Inputs an embeddings request may hold (texts, or arrays of token ids; a flat list of
    #: token ids is one input): OpenAI's own API accepts 2,048.
    max_embedding_inputs: int = Field(2048, gt=0)
    #: Seconds to wait for the upstream (connect + each read).
    request_timeout: float = Field(600.0, gt=0)
    #: Bytes one upstream answer may have (the SSE stream of a chat, Responses or
    #: Messages call, an embeddings body, an error body): past it the call ends with a 502
    #: `upstream_too_large` (mid-stream: a final error event). An upstream that streams
    #: without end would otherwise fill the gateway's memory for a non-streaming client,
    #: whose answer is assembled before it is sent. Through litellm, counted as the JSON
    #: text of its chunks (docs/proxy.md, "Upstream answers").
    max_answer_bytes: int = Field(256 * 1024 * 1024, ge=64 * 1024)
    #: Tool calls one choice of an upstream answer may open: a call `index` at or past it
    #: is a 502 `upstream_malformed` before any guard holds the call (a choice `index` at
    #: or past 128, OpenAI's and this gateway's most for `n`, likewise). Each held call
    #: costs several times the bytes that opened it, so `max_answer_bytes` alone admitted
    #: millions; a hijacked model asking for hundreds of calls is still decided call by
    #: call (docs/proxy.md, "Upstream answers").
    max_answer_tool_calls: int = Field(1024, ge=1, le=100_000)
    #: Seconds one upstream answer may take, from the request to its last byte (a chat,
    #: Responses or Messages stream, an embeddings body; through litellm too): past it the
    #: call ends with a 504
    #: `upstream_timeout` (mid-stream: a final error event). `request_timeout` bounds each
    #: read only, so an upstream sending a byte a minute would otherwise hold the call, its
    #: connection and its limits reservation without end (docs/proxy.md, "Upstream answers").
    max_answer_seconds: float = Field(600.0, gt=0)
    #: Retries on upstream 5xx / connection errors before the first byte.
    num_retries: int = Field(2, ge=0)
    retry_backoff: float = Field(0.25, ge=0)
    #: Shared by limits and agent checkpoints when they use Redis.
    redis_url: str | None = None
    #: Audit log of every decision: a file path, "-" for stdout, or null for off.
    audit_log: str | None = "-"
    log_level: str = "INFO"
    #: Forward request fields the gateway does not know to the upstream.
    forward_unknown_fields: bool = True
    #: Where `POST /v1/responses` keeps responses for `previous_response_id` and
    #: `GET /v1/responses/{id}` (keepgate.adapters.responses.store).
    response_store: ResponseStoreSettings = Field(default_factory=ResponseStoreSettings)
    #: Worker processes for CPU-heavy work on big bodies (keepgate.pipeline.procpool).
    offload: OffloadSettings = Field(default_factory=OffloadSettings)


class ObservabilitySettings(_Strict):
    """Unknown keys fail at load time with the file and line. The sub-sections are typed by
    their owners' models (keepgate.observability.settings, put in place by
    keepgate.config.tree)."""

    tracing: SectionSettings | None = None
    #: Absent: no Redis audit stream.
    audit_redis: SectionSettings | None = None
    ui: SectionSettings | None = None
    #: Share of calls whose response-side time is measured per guard (each such call pays
    #: about 0.5 µs a chunk a guard); every call is measured when tracing is on.
    response_timing_sample: float = Field(0.05, ge=0.0, le=1.0)
    #: `/metrics` answers only `Authorization: Bearer <token>` (`os.environ/NAME` allowed).
    #: Unset: no token (the metrics list key ids and their spend; see metrics_port).
    metrics_token: str | None = None
    #: Serve `/metrics` on its own listener on this port (and not on the API port), so a
    #: Service / NetworkPolicy can expose the API without the metrics.
    metrics_port: int | None = Field(None, ge=1, le=65535)
    #: Interface of that listener (0.0.0.0 in a pod, for the Prometheus scraper).
    metrics_host: str = "127.0.0.1"

    def metrics_secret(self) -> str | None:
        return resolve_secret(self.metrics_token)


class KeepgateConfig(_Strict):
    model_list: list[ModelDeployment] = Field(default_factory=list)
    general_settings: GeneralSettings = Field(default_factory=GeneralSettings)
    keys: list[KeyEntry] = Field(default_factory=list)
    teams: list[TeamEntry] = Field(default_factory=list)
    #: One section per guard (input, pii, policy, limits), each typed by the guard's settings
    #: model (keepgate.config.tree); a guard is on unless its section says `enabled: false`.
    guards: GuardSections = Field(default_factory=GuardSections)
    #: The hosted agent loop's settings (keepgate.agent.settings).
    agent: SectionSettings | None = None
    #: Upstream MCP servers by name (keepgate.mcp.settings).
    mcp_servers: dict[str, SectionSettings] = Field(default_factory=dict)
    #: The MCP gateway's settings (keepgate.mcp.settings).
    mcp: SectionSettings | None = None
    #: Observability: metrics, tracing, UI.
    observability: ObservabilitySettings = Field(default_factory=ObservabilitySettings)
    #: Set by the loader: the file this came from (None in demo mode) and demo mode flag.
    source: str | None = None
    demo: bool = False

    @model_validator(mode="after")
    def _unique(self) -> "KeepgateConfig":
        ids = [k.key_id for k in self.keys]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(f"duplicate key_id(s): {sorted(dup)}")
        return self

    def master_key(self) -> str | None:
        return resolve_secret(self.general_settings.master_key)

    def deployment(self, alias: str) -> ModelDeployment | None:
        for d in self.model_list:
            if d.model_name == alias:
                return d
        return None
