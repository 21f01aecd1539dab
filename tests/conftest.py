"""Shared fixtures: the fake model, a real Redis, and real gateways on free ports."""

from __future__ import annotations

import copy
import io
import json
import threading
import logging
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import keepgate as _offline  # noqa: F401 - offline switches before litellm/presidio import
import pytest

# Hypothesis runs every "hypothesis" entry point when it is imported: the only one installed
# is trio's (trio comes with a dependency; no test uses it), which imports trio, ~0.16 s of
# CPU in every xdist worker at collection. Set before any test module imports hypothesis.
os.environ.setdefault("HYPOTHESIS_NO_PLUGINS", "1")


if TYPE_CHECKING:
    # Imported where used instead: pytest's xdist controller imports this file before it
    # starts the workers, and runs no test, so what it imports here delays every worker's
    # start (the openai SDK and the in-process host: ~1 s of CPU; keepgate's config models
    # and the test servers, with redis and uvicorn: ~0.3 s more, 2026-12-07 21:16 UTC).
    # The workers import them anyway, with the test modules.
    import httpx
    import openai

    from tests.inprocess import AppHost
    from tests.servers import ThreadServer

MASTER_KEY = "sk-test-master-0123456789"
REPO = Path(__file__).resolve().parent.parent
#: Every guard off. A test that turns one on keeps these: its timeouts are bounds on a hang
#: (a Redis answer or a scan on a loaded box may take seconds); tests about a timeout set
#: their own.
ALL_GUARDS_OFF = {
    "limits": {"enabled": False, "timeout_ms": 30_000},
    "input": {"enabled": False, "scan_budget_s": 3600},
    "pii": {"enabled": False},
    "policy": {"enabled": False, "tool_ids": {"timeout_ms": 30_000}},
}
#: Every Redis key a test makes starts with this, one per test session: the check at the
#: session's end finds exactly this run's leftovers, even with other runs on the same Redis.
SESSION_PREFIX = f"kgtest:{uuid.uuid4().hex[:8]}:"


#: How the current test reached its gateways ("in-process", "real HTTP"); reported per test.
_GATEWAYS_USED: set[str] = set()
_LAYER_COUNTS: dict[str, int] = {}


@pytest.fixture(autouse=True)
def _gateway_layer(request: pytest.FixtureRequest) -> Iterator[None]:
    """Record on the test's report whether it talked to a gateway in-process or over real
    HTTP, for the summary line (pytest_terminal_summary)."""
    _GATEWAYS_USED.clear()
    yield
    if _GATEWAYS_USED:
        layer = "real HTTP" if "real HTTP" in _GATEWAYS_USED else "in-process"
        request.node.user_properties.append(("gateway_layer", layer))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "teardown":
        layer = dict(report.user_properties).get("gateway_layer", "no gateway")
        _LAYER_COUNTS[layer] = _LAYER_COUNTS.get(layer, 0) + 1


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _LAYER_COUNTS:
        terminalreporter.write_line(
            "tests by gateway layer: "
            + ", ".join(f"{n} {layer}" for layer, n in sorted(_LAYER_COUNTS.items()))
        )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Longest files first: `scripts/test` hands whole files to the xdist workers in this
    order (`--dist loadfile --no-loadscope-reorder`), so a file that takes half a minute
    starts at the beginning instead of being the run's serial tail. A file declares its
    cost with `pytestmark = pytest.mark.slow(cpu_s=N)` (CPU seconds, measured: see
    docs/development.md); the sort is stable, so the rest keep their collection order."""
    cost: dict[str, float] = {}
    for item in items:
        mark = item.get_closest_marker("slow")
        weight = float(mark.kwargs.get("cpu_s", 1)) if mark is not None else 0.0
        path = item.nodeid.split("::", 1)[0]
        cost[path] = max(cost.get(path, 0.0), weight)
    items.sort(key=lambda item: -cost[item.nodeid.split("::", 1)[0]])


def _test_redis_url() -> str:
    return os.environ.get("KEEPGATE_TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A fresh key prefix under SESSION_PREFIX; its keys are deleted after the test."""
    import redis

    prefix = f"{SESSION_PREFIX}{uuid.uuid4().hex[:10]}:"
    yield prefix
    r = redis.Redis.from_url(redis_url)
    keys = list(r.scan_iter(match=prefix + "*", count=1000))
    if keys:
        r.delete(*keys)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when a test left keys in Redis (and delete them)."""
    import redis

    url = _test_redis_url()
    if not _redis_ping(url):
        return
    r = redis.Redis.from_url(url)
    leaked = sorted(k.decode() for k in r.scan_iter(match=SESSION_PREFIX + "*", count=1000))
    if not leaked:
        return
    r.delete(*leaked)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    msg = (
        f"{len(leaked)} Redis key(s) left by this run (now deleted): "
        + ", ".join(leaked[:10])
        + ("..." if len(leaked) > 10 else "")
    )
    if reporter is not None:
        reporter.write_line("ERROR: " + msg, red=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def fake_model_url() -> Iterator[str]:
    from keepgate.fake_model import create_fake_app
    from tests.servers import ThreadServer

    server = ThreadServer(create_fake_app()).start()
    yield server.url + "/v1"
    server.stop()


def _redis_ping(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except Exception:  # noqa: BLE001
        return False


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real Redis: $KEEPGATE_TEST_REDIS_URL, else 127.0.0.1:6379, else one we start."""
    for url in (os.environ.get("KEEPGATE_TEST_REDIS_URL"), "redis://127.0.0.1:6379/0"):
        if url and _redis_ping(url):
            yield url
            return
    exe = shutil.which("redis-server")
    if not exe:
        pytest.fail("no Redis reachable and no redis-server to start (run ./scripts/test)")
    from tests.servers import free_port

    port = free_port()
    tmp = tempfile.mkdtemp(prefix="kg-redis-")
    proc = subprocess.Popen(
        [
            exe,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            tmp,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 60  # a bound on a hang, not a timing assert
    while not _redis_ping(url):
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("redis-server did not start")
        time.sleep(0.05)
    yield url
    proc.terminate()
    proc.wait(5)


def base_config(fake_url: str) -> dict[str, Any]:
    return {
        "model_list": [
            {
                "model_name": "demo",
                "litellm_params": {"model": "openai/demo", "api_base": fake_url},
                "model_info": {"input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6},
            },
            {
                "model_name": "demo-embedding",
                "litellm_params": {"model": "openai/demo-embedding", "api_base": fake_url},
                "model_info": {"mode": "embedding", "input_cost_per_token": 1e-7},
            },
        ],
        # The offload processes start on the first big request only: most tests send none.
        "general_settings": {
            "master_key": MASTER_KEY,
            "num_retries": 0,
            "offload": {"prestart": False},
        },
        "guards": copy.deepcopy(ALL_GUARDS_OFF),
    }


class Gateway:
    """A gateway and the clients to talk to it: in-process by default (the app on a loop
    thread, reached through httpx transports: tests/inprocess.py), or a real uvicorn server
    on a free port for tests marked `real_http`. Tests use the clients made here, never
    `url` with a client of their own, so they run the same either way."""

    def __init__(
        self,
        app: Any,
        config: Any,
        audit_path: Path,
        log_buffer: io.StringIO,
        *,
        server: ThreadServer | None = None,
        host: AppHost | None = None,
    ) -> None:
        self.app = app
        self.server = server
        self.host = host
        if server is None:
            from tests.inprocess import BASE_URL

        self._url = server.url if server else BASE_URL
        self.master_key = MASTER_KEY
        self.config = config
        self.audit_path = audit_path
        self._log = log_buffer
        self._http: httpx.Client | None = None

    @property
    def in_process(self) -> bool:
        return self.host is not None

    def _used(self) -> None:
        _GATEWAYS_USED.add("in-process" if self.host is not None else "real HTTP")

    @property
    def url(self) -> str:
        self._used()
        return self._url

    @property
    def base_url(self) -> str:
        return self.url + "/v1"

    def http_client(self, **kw: Any) -> httpx.Client:
        """An httpx client for this gateway (base URL set); pass it as an SDK's http_client."""
        self._used()
        if self.host is not None:
            kw.setdefault("transport", self.host.sync_transport())
        kw.setdefault("base_url", self._url)
        from tests import tls

        return tls.http_client(**kw)

    def async_http_client(self, **kw: Any) -> httpx.AsyncClient:
        self._used()
        if self.host is not None:
            kw.setdefault("transport", self.host.async_transport())
        kw.setdefault("base_url", self._url)
        from tests import tls

        return tls.async_http_client(**kw)

    @property
    def http(self) -> httpx.Client:
        """A shared raw HTTP client: `gw.http.get("/healthz")`."""
        if self._http is None:
            self._http = self.http_client(timeout=60)
        return self._http

    def client(self, key: str | None = None, **kw: Any) -> openai.OpenAI:
        if self.host is not None and "http_client" not in kw:
            kw["http_client"] = self.http_client(timeout=kw.get("timeout", 600))
        from tests import tls

        return tls.openai_client(
            base_url=self.base_url, api_key=key or self.master_key, max_retries=0, **kw
        )

    def async_client(self, key: str | None = None, **kw: Any) -> openai.AsyncOpenAI:
        if self.host is not None and "http_client" not in kw:
            kw["http_client"] = self.async_http_client(timeout=kw.get("timeout", 600))
        from tests import tls

        return tls.async_openai_client(
            base_url=self.base_url, api_key=key or self.master_key, max_retries=0, **kw
        )

    def anthropic_client(self, key: str | None = None, **kw: Any) -> Any:
        import anthropic
        import httpx2  # the anthropic SDK's HTTP client

        if self.host is not None and "http_client" not in kw:
            kw["http_client"] = httpx2.Client(
                transport=self.host.sync_transport(httpx2), base_url=self._url, timeout=600
            )
        return anthropic.Anthropic(
            base_url=self.url, api_key=key or self.master_key, max_retries=0, **kw
        )

    def settle(self) -> None:
        """Let the gateway's loop run what it queued before now: an MCP call's audit record
        is written right after its answer is sent (`AuditLog.later`, a callback already on
        the loop when the client has the answer), so a callback queued behind it runs
        after it. An order on the loop, not a wait for time to pass."""
        loop = self.host.loop if self.host is not None else getattr(self.server, "loop", None)
        if loop is None or loop.is_closed() or not loop.is_running():
            return
        done = threading.Event()
        loop.call_soon_threadsafe(done.set)
        done.wait(60)  # a bound on a hang, not a timing assert

    def audit_lines(self) -> list[dict[str, Any]]:
        self.settle()
        if not self.audit_path.exists():
            return []
        return [json.loads(line) for line in self.audit_path.read_text().splitlines() if line]

    def log_text(self) -> str:
        return self._log.getvalue()

    def stop(self) -> None:
        if self._http is not None:
            self._http.close()
        if self.server is not None:
            self.server.stop()
        if self.host is not None:
            self.host.stop()


def _hash_keys(cfg: dict[str, Any]) -> dict[str, Any]:
    from keepgate.auth.keys import hash_key

    keys = []
    for k in cfg.get("keys") or []:
        k = dict(k)
        if "key" in k:
            k["key_hash"] = "sha256:" + hash_key(k.pop("key"))
        keys.append(k)
    if keys:
        cfg["keys"] = keys
    return cfg


def wants_real_http(request: pytest.FixtureRequest) -> bool:
    """A test (or its module, via `pytestmark`) marked `real_http` gets real sockets."""
    return request.node.get_closest_marker("real_http") is not None


class _Starter:
    """`start(config_overrides)` → a started `Gateway`; `stop_all()` stops what it started.
    Behind `gateway_factory` (per test) and `module_gateway_factory` (per module)."""

    def __init__(self, request: pytest.FixtureRequest, fake_model_url: str, tmp: Path) -> None:
        self.request = request
        self.fake_model_url = fake_model_url
        self.tmp = tmp
        self.started: list[Gateway] = []

    def __call__(
        self,
        overrides: dict[str, Any] | None = None,
        *,
        extra_guards: Any = (),
        real_http: bool | None = None,
    ) -> Gateway:
        from keepgate.config.load import parse_config
        from keepgate.observability.logs import JsonFormatter
        from keepgate.pipeline.overrides import deep_merge

        fake_model_url, tmp_path, started = self.fake_model_url, self.tmp, self.started
        cfg = deep_merge(base_config(fake_model_url), _hash_keys(copy.deepcopy(overrides or {})))
        if "model_list" in (overrides or {}):
            cfg["model_list"] = overrides["model_list"]  # type: ignore[index]
        audit = tmp_path / f"audit-{len(started)}.jsonl"
        cfg["general_settings"].setdefault("audit_log", str(audit))
        if cfg["general_settings"]["audit_log"] == "-":
            cfg["general_settings"]["audit_log"] = str(audit)
        audit = Path(cfg["general_settings"]["audit_log"])
        import yaml

        path = tmp_path / f"keepgate-{len(started)}.yaml"
        path.write_text(yaml.safe_dump(cfg))
        config = parse_config(path.read_text(), str(path), environ={})
        buf = io.StringIO()
        handler = logging.StreamHandler(buf)
        handler.setFormatter(JsonFormatter())
        logging.getLogger("keepgate").addHandler(handler)
        logging.getLogger("keepgate").setLevel(logging.DEBUG)
        real = wants_real_http(self.request) if real_http is None else real_http
        gw = serve(config, fake_model_url, audit, buf, real_http=real, extra_guards=extra_guards)
        gw._handler = handler  # type: ignore[attr-defined]
        started.append(gw)
        return gw

    def stop_all(self) -> None:
        for gw in self.started:
            gw.stop()
            logging.getLogger("keepgate").removeHandler(gw._handler)  # type: ignore[attr-defined]


@pytest.fixture
def gateway_factory(request: pytest.FixtureRequest, fake_model_url: str, tmp_path: Path):
    """`gateway_factory(config_overrides)` → a started `Gateway`; stopped after the test.

    In-process unless the test is marked `real_http` (or `real_http=True` is passed): then
    a uvicorn server in front of the fake model's real HTTP server."""
    start = _Starter(request, fake_model_url, tmp_path)
    yield start
    start.stop_all()


@pytest.fixture(scope="module")
def module_gateway_factory(
    request: pytest.FixtureRequest, fake_model_url: str, tmp_path_factory: pytest.TempPathFactory
):
    """`gateway_factory` for a module: its gateways are stopped after the module's last
    test. For tests that only send requests and read their answers; a test that reads the
    audit log, the log or the metrics, or changes the gateway's state (budgets, held calls,
    reloads), starts its own with `gateway_factory` so another test's requests cannot
    change what it sees. Starting a gateway with every guard on costs ~80 ms of CPU."""
    start = _Starter(request, fake_model_url, tmp_path_factory.mktemp("gw"))
    yield start
    start.stop_all()


def serve(
    config: Any,
    fake_model_url: str,
    audit: Path,
    log: io.StringIO | None = None,
    *,
    real_http: bool = False,
    extra_guards: Any = (),
) -> Gateway:
    """Start a gateway for `config`: in-process (its upstream, the fake model, too), or
    with `real_http` a uvicorn server in front of the fake model's HTTP server."""
    from keepgate.app import create_app

    log = log or io.StringIO()
    if real_http:
        from tests.servers import ThreadServer

        app = create_app(config, extra_guards=extra_guards)
        return Gateway(app, config, audit, log, server=ThreadServer(app).start())
    app = create_app(
        config, extra_guards=extra_guards, upstream_transport=fake_upstream(fake_model_url, config)
    )
    from tests.inprocess import AppHost

    return Gateway(app, config, audit, log, host=AppHost(app).start())


def fake_upstream(fake_model_url: str, config: Any) -> Any:
    """The fake model in-process for URLs under `fake_model_url`; others use the network."""
    from keepgate.fake_model import create_fake_app
    from keepgate.upstream.aiohttp_sender import AiohttpSender
    from keepgate.upstream.inprocess import in_process

    timeout = config.general_settings.request_timeout
    return in_process(
        create_fake_app(), timeout, only=fake_model_url, fallback=AiohttpSender(timeout)
    )


@pytest.fixture
def gateway(gateway_factory) -> Gateway:
    """A gateway with every guard off, in front of the fake model."""
    return gateway_factory()
