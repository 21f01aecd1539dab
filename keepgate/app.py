"""Build the ASGI app from a config: guards, upstream, routes, lifespan."""

from __future__ import annotations

import contextlib
import functools
import importlib
import logging
import os
import sys
from collections.abc import AsyncIterator, Sequence

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from keepgate.config.load import BUILTIN_FAKE, load_config
from keepgate.config.model import KeepgateConfig
from keepgate.errors import APIError
from keepgate.observability.audit import AuditLog
from keepgate.observability.metrics import Metrics
from keepgate.observability.refusals import RefusalAudit
from keepgate.pipeline import capabilities
from keepgate.pipeline.deps import GuardDeps
from keepgate.limits import estimate
from keepgate.pipeline.guard import Guard, guard_routes
from keepgate.pipeline.procpool import ProcPool
from keepgate.pipeline.registry import build_guards
from keepgate.adapters.messages.errors import error_response as anthropic_error
from keepgate.adapters.responses.store import build_store
from keepgate.proxy import messages, meta, responses
from keepgate.proxy.chat import chat_completions
from keepgate.proxy.embeddings import embeddings
from keepgate.proxy.disconnect import model_route
from keepgate.runtime import Runtime
from keepgate.serving import WORKERS_ENV, heap
from keepgate.services import Closable, Startable
from keepgate.upstream.client import Upstream
from keepgate.upstream.inprocess import in_process
from keepgate.upstream.litellm_transport import LitellmImport
from keepgate.upstream.protocol import Transport

log = logging.getLogger("keepgate")

#: Parts that add routes and services to the app: modules with `attach(app, runtime)` and
#: `check(config)` (validates their config sections without building anything).
#: Missing modules are skipped, so the core runs while they are built.
EXTENSIONS = ("keepgate.agent.routes", "keepgate.observability.ui", "keepgate.mcp.routes")


#: Routes whose clients expect Anthropic's error shape.
ANTHROPIC_PATHS = ("/v1/messages",)


def _shaped(request: Request, err: APIError) -> Response:
    """An error in the shape the route's clients expect (OpenAI's, or Anthropic's)."""
    if request.url.path.startswith(ANTHROPIC_PATHS):
        return anthropic_error(err)
    return err.response()


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, APIError)
    return _shaped(request, exc)


async def _server_error(request: Request, exc: Exception) -> Response:
    log.error("unhandled error on %s: %s", request.url.path, type(exc).__name__)
    return _shaped(
        request,
        APIError(
            500,
            "The gateway hit an internal error; the request was not completed.",
            code="internal_error",
        ),
    )


class ContainErrors:
    """An unexpected exception becomes the shaped 500 *without* tearing down the connection.

    Starlette's own last-resort handler sends the 500 and then re-raises, and the server
    closes the keep-alive connection, so the client's next request on it is reset. Here the
    error is logged and answered, and the connection stays usable. An error after the
    response started cannot be answered any more; it propagates as before.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:  # the last line before the server
            if started:
                raise
            response = await _server_error(Request(scope), exc)
            await response(scope, receive, send)


async def _not_found(request: Request, exc: Exception) -> Response:
    return _shaped(
        request,
        APIError(404, f"Unknown route: {request.method} {request.url.path}", code="unknown_route"),
    )


async def _method_not_allowed(request: Request, exc: Exception) -> Response:
    return _shaped(
        request,
        APIError(
            405,
            f"Method {request.method} is not allowed on {request.url.path}",
            code="method_not_allowed",
            type="invalid_request_error",
        ),
    )


def _routes(config: KeepgateConfig) -> list[BaseRoute]:
    r: list[BaseRoute] = [
        model_route("/v1/chat/completions", chat_completions),
        model_route("/chat/completions", chat_completions),
        model_route("/v1/embeddings", embeddings),
        model_route("/embeddings", embeddings),
        Route("/v1/models", meta.list_models, methods=["GET"]),
        Route("/models", meta.list_models, methods=["GET"]),
        Route("/v1/models/{model:path}", meta.get_model, methods=["GET"]),
        model_route("/v1/responses", responses.create),
        model_route("/responses", responses.create),
        Route("/v1/responses/{response_id}", responses.retrieve, methods=["GET"]),
        Route("/v1/responses/{response_id}", responses.delete, methods=["DELETE"]),
        Route("/v1/responses/{response_id}/input_items", responses.input_items, methods=["GET"]),
        model_route("/v1/messages", messages.create),
        model_route("/v1/messages/count_tokens", messages.count_tokens),
        Route("/healthz", meta.healthz, methods=["GET"]),
        Route("/readyz", meta.readyz, methods=["GET"]),
    ]
    if config.observability.metrics_port is None:  # else only on its own listener
        r.append(Route("/metrics", meta.metrics, methods=["GET"]))
    return r


def build_upstream(config: KeepgateConfig, direct: Transport | None = None) -> Upstream:
    """The upstream; deployments on the built-in fake model reach it in-process.

    `direct` replaces the network transport of OpenAI-compatible deployments (the tests
    pass the fake model in-process)."""
    gs = config.general_settings
    builtin = [d.model_name for d in config.model_list if d.litellm_params.api_base == BUILTIN_FAKE]
    pinned: dict[str, Transport] = {}
    if builtin:
        from keepgate.fake_model import create_fake_app

        fake = in_process(create_fake_app(), gs.request_timeout)
        pinned = dict.fromkeys(builtin, fake)
    return Upstream(
        timeout=gs.request_timeout,
        num_retries=gs.num_retries,
        retry_backoff=gs.retry_backoff,
        direct=direct,
        pinned=pinned,
        max_answer_bytes=gs.max_answer_bytes,
        max_answer_seconds=gs.max_answer_seconds,
    )


def build_runtime(
    config: KeepgateConfig,
    extra_guards: Sequence[Guard] = (),
    upstream_transport: Transport | None = None,
) -> Runtime:
    """Everything that can fail on a bad config or rule file fails here, before serving."""
    check_secrets(config)
    metrics = Metrics()
    audit = AuditLog(config.general_settings.audit_log)
    upstream = build_upstream(config, upstream_transport)
    guards = build_guards(
        config, GuardDeps(config, metrics=metrics, audit=audit, upstream=upstream)
    )
    guards.extend(extra_guards)
    rt = Runtime(config, guards, upstream, metrics, audit)
    if any(upstream.transport(d) is upstream.litellm for d in config.model_list):
        rt.services.add(LitellmImport())  # at start-up: a request's import blocks the loop
    if capabilities.limiter(guards) is not None:  # tokenizers load at start-up, not here
        rt.services.add(
            estimate.TokenizerWarmup(tuple(tokenizer_models(config)), tuple(config.model_list))
        )
    rt.services.add(offload_pool(config, guards))
    obs = config.observability
    if obs.metrics_port is not None:
        from keepgate.observability.metrics_listener import MetricsListener

        rt.services.add(MetricsListener(rt, obs.metrics_host, obs.metrics_port))
    store = build_store(config)
    if store is not None:
        rt.response_store = rt.services.add(store)
        rt.ready_checks["response_store"] = store.ready
        rt.feature_checks.add("response_store")
    return rt


def check_secrets(config: KeepgateConfig) -> None:
    """Secrets the config names from the environment, checked before any guard is built:
    a missing one fails in milliseconds, not after seconds of model and rule loading (in
    every worker of `keepgate serve --workers N`)."""
    obs = config.observability
    if obs.metrics_token and not obs.metrics_secret():
        # Fail closed: a token named but not set must not leave /metrics open.
        from keepgate.config.load import config_error

        raise config_error(
            config,
            ("observability", "metrics_token"),
            f"observability.metrics_token: {obs.metrics_token} is not set or empty",
        )


def tokenizer_models(config: KeepgateConfig) -> list[str]:
    """The tokenizers the limiter counts with, one per distinct model."""
    return sorted({estimate.tokenizer_model(d) for d in config.model_list})


def offload_pool(config: KeepgateConfig, guards: Sequence[Guard]) -> ProcPool:
    """The process pool for big bodies, told what its processes should load at start."""
    from keepgate.pipeline import procwork

    scanner = capabilities.pool_scanner(guards)
    scan = scanner.pool_settings() if scanner is not None else None
    # The limiter (the limits guard) counts big prompts' tokens in the pool.
    tokenizers = tokenizer_models(config) if capabilities.limiter(guards) is not None else []
    return ProcPool(
        config.general_settings.offload, functools.partial(procwork.warm, scan, tokenizers)
    )


def check_extensions(config: KeepgateConfig) -> None:
    """Validate the sections the extensions own (for `keepgate config check`)."""
    for name in EXTENSIONS:
        importlib.import_module(name).check(config)


def create_app(
    config: KeepgateConfig | None = None,
    *,
    extra_guards: Sequence[Guard] = (),
    runtime: Runtime | None = None,
    upstream_transport: Transport | None = None,
) -> Starlette:
    """The gateway's ASGI app. `upstream_transport` replaces the network transport to
    OpenAI-compatible upstreams (see `build_upstream`)."""
    config = config or load_config()
    rt = runtime or build_runtime(config, extra_guards, upstream_transport)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        for part in rt.services:
            if isinstance(part, Startable):
                await part.start()
        heap.freeze_startup()  # full GC passes walk only what requests allocate
        if os.environ.get(WORKERS_ENV):  # one of `keepgate serve --workers N`'s processes
            print(f"keepgate: worker {os.getpid()} ready", file=sys.stderr, flush=True)
        try:
            yield
        finally:
            rt.audit.flush()  # records still waiting (`AuditLog.later`) reach every sink
            for part in rt.services:
                if isinstance(part, Closable):
                    with contextlib.suppress(Exception):
                        await part.aclose()
            for guard in rt.guards:
                with contextlib.suppress(Exception):
                    await guard.aclose()
            await rt.upstream.aclose()
            rt.audit.close()
            rt.metrics.process_exit()

    routes = _routes(config)
    for guard in rt.guards:
        routes.extend(guard_routes(guard))
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[Middleware(ContainErrors)],
        exception_handlers={
            APIError: _api_error,
            404: _not_found,
            405: _method_not_allowed,
            Exception: _server_error,
        },
    )
    app.state.keepgate = rt
    for name in EXTENSIONS:
        importlib.import_module(name).attach(app, rt)
    # Outermost of the app's own middleware: sees every response, including extensions'.
    app.add_middleware(RefusalAudit, router=app, runtime=rt)
    return app
