"""The `keepgate` command. Subcommands owned by other parts are imported lazily."""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

app = typer.Typer(
    help="Keepgate: a guardrail gateway for AI agents.", no_args_is_help=True, add_completion=False
)
keys_app = typer.Typer(help="Virtual API keys.", no_args_is_help=True)
config_app = typer.Typer(help="Configuration.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(config_app, name="config")

ConfigOpt = Annotated[
    Optional[Path],
    typer.Option("--config", "-c", envvar="KEEPGATE_CONFIG", help="Path to keepgate.yaml."),
]


def _worker_count(value: str) -> int:
    """`--workers`: a positive number, or `auto` for one per CPU this process may use."""
    if value.strip().lower() == "auto":
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # not Linux
            return max(1, os.cpu_count() or 1)
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise typer.BadParameter(
            f"expected a positive number or 'auto', not {value!r}", param_hint="--workers"
        )
    return n


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 4000,
    config: ConfigOpt = None,
    workers: Annotated[
        str,
        typer.Option(
            help="Worker processes sharing the port: a number, or 'auto' (one per CPU). "
            "More than one needs shared (Redis) state; see docs/kubernetes.md."
        ),
    ] = "1",
) -> None:
    """Run the gateway (embedded defaults when there is no config)."""
    import uvicorn

    from keepgate.auth.keys import new_key
    from keepgate.config.load import ConfigError, load_config
    from keepgate.observability.logs import setup_logging
    from keepgate.serving import factory
    from keepgate.serving.http import uvicorn_options
    from keepgate.serving.shared_state import refusal

    count = _worker_count(workers)
    try:
        cfg = load_config(config)
        refused = refusal(cfg, count)
    except ConfigError as exc:
        typer.echo(f"keepgate: {exc}", err=True)
        raise typer.Exit(2) from None
    if refused:
        typer.echo(f"keepgate: {refused}", err=True)
        raise typer.Exit(2)
    setup_logging(cfg.general_settings.log_level)
    demo_key = None
    if cfg.master_key() is None and cfg.demo:
        demo_key = cfg.general_settings.master_key = new_key()
        typer.echo(
            f"Keepgate demo mode: no config found, model 'demo' is the built-in fake "
            f"model.\nMaster key (shown once): {demo_key}\n",
            err=True,
        )
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    # uvicorn.run's keyword arguments, shared by the one-process and the worker forms.
    common: dict[str, Any] = dict(
        host=host,
        port=port,
        loop=loop,
        **uvicorn_options(),
        access_log=False,
        log_level="warning",
        timeout_graceful_shutdown=10,
    )
    if count == 1:
        from keepgate.app import create_app

        try:
            asgi = create_app(cfg)
        except Exception as exc:  # noqa: BLE001 - a bad rule/policy file stops start-up clearly
            typer.echo(f"keepgate: cannot start: {exc}", err=True)
            raise typer.Exit(2) from None
        typer.echo(f"Keepgate listening on http://{host}:{port}/v1", err=True)
        uvicorn.run(asgi, **common)
        return
    # Workers are fresh interpreters: they rebuild the app from the same config file.
    if cfg.source:
        os.environ[factory.CONFIG_ENV] = str(Path(cfg.source).resolve())
    if demo_key:
        os.environ[factory.DEMO_KEY_ENV] = demo_key
    os.environ[factory.WORKERS_ENV] = str(count)  # each worker says when it is ready
    from keepgate.observability.metrics import multiprocess_dir
    from keepgate.serving.supervisor import serve as serve_workers

    import shutil
    import tempfile

    failed = tempfile.mkdtemp(prefix="keepgate-serve-")
    os.environ[factory.FAILED_DIR_ENV] = failed
    try:
        with multiprocess_dir():
            typer.echo(f"Keepgate listening on http://{host}:{port}/v1 ({count} workers)", err=True)
            # A worker building its app on a loaded box may not answer the supervisor's
            # health ping for a while; 5 s (uvicorn's default) got healthy ones killed.
            # The supervisor notices a worker's exit without waiting that out.
            serve_workers(
                uvicorn.Config(
                    f"{factory.__name__}:create",
                    factory=True,
                    workers=count,
                    timeout_worker_healthcheck=60,
                    **common,
                )
            )
        if os.listdir(failed):
            raise typer.Exit(factory.STARTUP_FAILURE)
    finally:
        shutil.rmtree(failed, ignore_errors=True)


@app.command("fake-model")
def fake_model(
    host: str = "127.0.0.1", port: Annotated[int, typer.Option(help="Port to listen on.")] = 4010
) -> None:
    """Run the scriptable fake OpenAI-protocol model (tests, benchmarks, demos)."""
    import uvicorn

    from keepgate.fake_model import create_fake_app

    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    typer.echo(f"fake model on http://{host}:{port}/v1", err=True)
    uvicorn.run(
        create_fake_app(), host=host, port=port, loop=loop, access_log=False, log_level="warning"
    )


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="Role the key runs as.")] = "user",
    key_id: Annotated[Optional[str], typer.Option("--id", help="Key id.")] = None,
    team: Annotated[Optional[str], typer.Option(help="Team.")] = None,
) -> None:
    """Print a new key once, and the config entry that stores only its hash."""
    import secrets

    from keepgate.auth.keys import hash_key, new_key

    key = new_key()
    kid = key_id or f"key-{secrets.token_hex(4)}"
    entry = {"key_id": kid, "key_hash": f"sha256:{hash_key(key)}", "role": role}
    if team:
        entry["team"] = team
    typer.echo(f"New key (shown once, store it now): {key}\n")
    typer.echo("Add to keepgate.yaml under `keys:`")
    typer.echo("  - " + json.dumps(entry))


@config_app.command("check")
def config_check(
    config: ConfigOpt = None,
    build: Annotated[
        bool, typer.Option(help="Also build every guard (loads rules and policies).")
    ] = True,
) -> None:
    """Validate a config file (and the rules and policies it loads); exit 2 on errors."""
    from keepgate.config.load import ConfigError, load_config

    try:
        cfg = load_config(config)
        if build:
            from keepgate.app import build_runtime, check_extensions

            build_runtime(cfg)
            check_extensions(cfg)
    except ConfigError as exc:
        typer.echo(f"keepgate: {exc}", err=True)
        raise typer.Exit(2) from None
    except Exception as exc:  # noqa: BLE001
        typer.echo(f"keepgate: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(
        f"ok: {cfg.source or 'demo config'}: {len(cfg.model_list)} model(s), {len(cfg.keys)} key(s)"
    )


@config_app.command("schema")
def config_schema() -> None:
    """Print the JSON Schema of keepgate.yaml, every section and guard included."""
    from keepgate.config.schema import config_schema as schema

    typer.echo(json.dumps(schema(), indent=2))


#: Subcommands owned by other parts: (name, "module:attr", kind) — kind "command" for a
#: function, "group" for a typer app, "keys" for a command under `keepgate keys`.
LAZY = (
    ("scan", "keepgate.input_guards.cli:scan", "command"),
    ("policy", "keepgate.policy.cli:app", "group"),
    ("usage", "keepgate.limits.cli:usage", "keys"),
    ("agent", "keepgate.agent.cli:agent", "command"),
    ("mcp", "keepgate.mcp.cli:app", "group"),
    ("bench", "bench.__main__:cli", "command"),
)


#: What installs the module a missing subcommand needs.
HINTS = {
    "bench": "bench/ lives in the repository, not the wheel: run it from a checkout "
    "(pip install -e '.[bench]')",
}


def _unavailable(name: str, reason: str) -> Any:
    """A stand-in for a subcommand whose module cannot be imported here: it stays listed and
    says why instead of disappearing from `keepgate --help`."""

    def command(ctx: typer.Context) -> None:
        typer.echo(f"keepgate {name}: not available in this install: {reason}", err=True)
        raise typer.Exit(2)

    command.__doc__ = f"(not available here: {reason})"
    return command


def _register_lazy() -> None:
    for name, target, kind in LAZY:
        module, _, attr = target.partition(":")
        try:
            obj = getattr(importlib.import_module(module), attr)
        except ModuleNotFoundError as exc:
            reason = f"module {exc.name!r} is missing"
            own = (exc.name or "").split(".")[0] == module.split(".")[0]
            hint = HINTS.get(name, "") if own else ""
            obj = _unavailable(name, f"{reason}; {hint}" if hint else reason)
            kind = "keys" if kind == "keys" else "command"
            extra = {"allow_extra_args": True, "ignore_unknown_options": True}
            (keys_app if kind == "keys" else app).command(name, context_settings=extra)(obj)
            continue
        if kind == "group":
            app.add_typer(obj, name=name)
        elif kind == "keys":
            keys_app.command(name)(obj)
        else:
            app.command(name)(obj)


def main() -> None:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import keepgate  # noqa: F401 - sets offline switches before anything imports litellm

    _register_lazy()
    app(prog_name="keepgate")


if __name__ == "__main__":
    main()
