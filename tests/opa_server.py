"""A stand-in OPA server for tests and benchmarks: the parts of OPA's REST API that
opa-python-client uses, evaluating Rego in-process.

No `opa` binary can be installed on the CI machine (not on PyPI, npm or Debian; GitHub
downloads fail), so this speaks the same protocol over real HTTP:
`PUT/GET/DELETE /v1/policies/{id}` (400 with OPA's error shape on parse/compile errors),
`PUT /v1/data/{path}` (204), `POST /v1/data/{path}` (200 `{"result": ...}`, or `{}` when
undefined), `GET /v1/data/{path}` and `GET /health`.

The evaluator is the real OPA engine when `opa-golib-python-bindings` is installed (OPA's Go
`rego` package in a shared library: same compiler, same built-ins, same error messages),
else regorus. `OpaTestServer.engine` says which one answered. To run the same tests against
a real OPA, start `opa run --server` and set KEEPGATE_TEST_OPA_URL (see README).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import threading
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from keepgate.policy import rego_errors

#: The real OPA engine (Go) when installed, else None (typed Any: the bindings are optional
#: and installed outside the lock, so mypy may or may not see them).
OpaEngine: Any
try:
    from opa_bindings import OpaEngine as _OpaEngine
    from opa_bindings.engine import OpaError, OpaUndefinedError

    OpaEngine = _OpaEngine
except ImportError:  # pragma: no cover - exercised where the bindings are absent
    OpaEngine = None

# "1 error occurred: b.rego:4: rego_parse_error: unexpected eof token\n\t<src>\n\t   ^"
_OPA_ERR = re.compile(
    r"(?P<file>[^\s:]+):(?P<row>\d+): (?P<code>rego_\w+): (?P<msg>[^\n]*)"
    r"(?:\n\t[^\n]*\n\t(?P<caret> *)\^)?"
)


class CompileError(Exception):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(e["message"] for e in errors))
        self.errors = errors


class _OpaBackend:
    """OPA's own evaluator. A module that fails to compile poisons an OpaEngine, so every
    change builds a fresh one and only swaps it in after a probe evaluation succeeds."""

    name = "opa"

    def __init__(self, policies: dict[str, str], data: dict[str, Any]) -> None:
        engine = OpaEngine()
        try:
            for pid, src in policies.items():
                engine.add_policy(pid, src)
            engine.add_data(data)
            engine.eval_query("x = 1")  # forces compilation of every module
        except OpaError as exc:
            engine.close()
            raise CompileError(_opa_errors(exc.message)) from None
        self.engine = engine

    def eval(self, path: str, input: Any) -> Any:
        try:
            return self.engine.eval_document(path, input)
        except OpaUndefinedError:
            return None

    def close(self) -> None:
        self.engine.close()


class _RegorusBackend:
    name = "regorus"

    def __init__(self, policies: dict[str, str], data: dict[str, Any]) -> None:
        import regorus

        from keepgate.policy.embedded import _fill

        engine = regorus.Engine()
        error = _fill(engine, tuple(policies.items()), data)
        if error:
            del engine  # see keepgate.policy.embedded.compile_engine
            raise CompileError([_location(error)])
        self.engine = engine
        self.lock = threading.Lock()  # regorus engines are not shared across threads

    def eval(self, path: str, input: Any) -> Any:
        with self.lock:
            self.engine.set_input(input if input is not None else {})
            try:
                return self.engine.eval_rule("data." + path if path else "data")
            except RuntimeError as exc:
                if "not a valid rule path" in str(exc):
                    return None  # OPA: an undefined document
                raise

    def close(self) -> None:
        self.engine = None  # freed in the server's thread, where it was made


def _location(short: str) -> dict[str, Any]:
    """ "file:row:col: message" (regorus, via rego_errors.short) -> an OPA error object."""
    m = re.match(r"(?P<file>.+?):(?P<row>\d+):(?P<col>\d+): (?P<msg>.*)", short)
    if not m:
        return {"code": "rego_parse_error", "message": short}
    return {
        "code": "rego_parse_error",
        "message": m["msg"],
        "location": {"file": m["file"], "row": int(m["row"]), "col": int(m["col"])},
    }


def _opa_errors(message: str) -> list[dict[str, Any]]:
    out = []
    for m in _OPA_ERR.finditer(message):
        loc = {"file": m["file"], "row": int(m["row"])}
        if m["caret"] is not None:
            loc["col"] = len(m["caret"]) + 1
        out.append({"code": m["code"], "message": m["msg"].strip(), "location": loc})
    return out or [{"code": "rego_compile_error", "message": message.strip()}]


class OpaTestServer:
    """Holds policies and data like an OPA server; `app()` serves the REST API."""

    def __init__(self, engine: str | None = None) -> None:
        if engine is None:
            engine = "opa" if OpaEngine is not None else "regorus"
        if engine == "opa" and OpaEngine is None:
            raise RuntimeError("the real OPA engine needs opa-golib-python-bindings")
        self.engine = engine
        self._backend_cls = _OpaBackend if engine == "opa" else _RegorusBackend
        self.policies: dict[str, str] = {}
        self.data: dict[str, Any] = {}
        self.queries = 0
        #: While set, every query waits until it is cleared (tests of the client's timeout:
        #: the server does not answer in time, whatever the box's speed).
        self.hold = threading.Event()
        self._backend: _OpaBackend | _RegorusBackend | None = None

    def _rebuild(self, policies: dict[str, str], data: dict[str, Any]) -> None:
        backend = self._backend_cls(policies, data)  # raises CompileError; state unchanged
        old, self._backend = self._backend, backend
        self.policies, self.data = policies, data
        if old is not None:
            old.close()

    # -- policies -----------------------------------------------------------------------
    async def put_policy(self, request: Request) -> Response:
        pid = request.path_params["id"]
        src = (await request.body()).decode("utf-8", "replace")
        try:
            self._rebuild(dict(self.policies, **{pid: src}), self.data)
        except CompileError as exc:
            return JSONResponse(
                {
                    "code": "invalid_parameter",
                    "message": "error(s) occurred while compiling module(s)",
                    "errors": exc.errors,
                },
                status_code=400,
            )
        return JSONResponse({})

    async def list_policies(self, request: Request) -> Response:
        return JSONResponse({"result": [{"id": k, "raw": v} for k, v in self.policies.items()]})

    async def get_policy(self, request: Request) -> Response:
        pid = request.path_params["id"]
        if pid not in self.policies:
            return _not_found(f"policy id {pid!r}")
        return JSONResponse({"result": {"id": pid, "raw": self.policies[pid]}})

    async def delete_policy(self, request: Request) -> Response:
        pid = request.path_params["id"]
        if pid not in self.policies:
            return _not_found(f"policy id {pid!r}")
        policies = {k: v for k, v in self.policies.items() if k != pid}
        try:
            self._rebuild(policies, self.data)
        except CompileError as exc:
            return JSONResponse(
                {"code": "invalid_parameter", "message": str(exc), "errors": exc.errors},
                status_code=400,
            )
        return JSONResponse({})

    # -- data -----------------------------------------------------------------------------
    async def put_data(self, request: Request) -> Response:
        parts = [p for p in request.path_params["path"].split("/") if p]
        try:
            value = json.loads(await request.body() or b"null")
        except json.JSONDecodeError as exc:
            return JSONResponse({"code": "invalid_parameter", "message": str(exc)}, status_code=400)
        data = json.loads(json.dumps(self.data))
        if not parts:
            if not isinstance(value, dict):
                return JSONResponse(
                    {"code": "invalid_parameter", "message": "root must be object"}, status_code=400
                )
            data = value
        else:
            node = data
            for p in parts[:-1]:
                node = node.setdefault(p, {})
            node[parts[-1]] = value
        try:
            self._rebuild(self.policies, data)
        except CompileError as exc:
            return JSONResponse(
                {"code": "invalid_parameter", "message": str(exc), "errors": exc.errors},
                status_code=400,
            )
        return Response(status_code=204)

    async def query(self, request: Request) -> Response:
        self.queries += 1
        while self.hold.is_set():
            await asyncio.sleep(0.01)
        path = ".".join(p for p in request.path_params["path"].split("/") if p)
        body: dict[str, Any] = {}
        if request.method == "POST":
            try:
                body = json.loads(await request.body() or b"{}")
            except json.JSONDecodeError as exc:
                return JSONResponse(
                    {"code": "invalid_parameter", "message": str(exc)}, status_code=400
                )
        if self._backend is None:
            self._rebuild(self.policies, self.data)
        assert self._backend is not None
        try:
            result = self._backend.eval(path, body.get("input"))
        except Exception as exc:  # noqa: BLE001 - OPA answers 500 on evaluation errors
            return JSONResponse(
                {"code": "internal_error", "message": rego_errors.short(exc)}, status_code=500
            )
        return JSONResponse({} if result is None else {"result": _jsonable(result)})

    async def health(self, request: Request) -> Response:
        return JSONResponse({})

    def app(self) -> Starlette:
        @contextlib.asynccontextmanager
        async def lifespan(app: Starlette) -> AsyncIterator[None]:
            yield
            if self._backend is not None:
                self._backend.close()
                self._backend = None

        return Starlette(
            lifespan=lifespan,
            routes=[
                Route("/health", self.health),
                Route("/v1/policies", self.list_policies),
                Route("/v1/policies/{id:path}", self.put_policy, methods=["PUT"]),
                Route("/v1/policies/{id:path}", self.get_policy, methods=["GET"]),
                Route("/v1/policies/{id:path}", self.delete_policy, methods=["DELETE"]),
                Route("/v1/data/{path:path}", self.put_data, methods=["PUT"]),
                Route("/v1/data/{path:path}", self.query, methods=["POST", "GET"]),
                Route("/v1/data", self.query, methods=["POST", "GET"]),
            ],
        )


#: Kept for callers of the earlier name.
FakeOpa = OpaTestServer


def _not_found(what: str) -> Response:
    return JSONResponse(
        {"code": "resource_not_found", "message": f"storage_not_found_error: {what}"},
        status_code=404,
    )


def _jsonable(v: Any) -> Any:
    if isinstance(v, (set, frozenset)):
        return sorted((_jsonable(x) for x in v), key=json.dumps)
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return v


def main() -> None:  # pragma: no cover - `python -m tests.opa_server`
    import argparse

    import uvicorn

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=8181)
    ap.add_argument("--engine", choices=["opa", "regorus"], default=None)
    ns = ap.parse_args()
    server = OpaTestServer(ns.engine)
    print(f"OPA REST stand-in ({server.engine} engine) on http://127.0.0.1:{ns.port}")
    uvicorn.run(server.app(), host="127.0.0.1", port=ns.port, log_level="warning")


if __name__ == "__main__":  # pragma: no cover
    main()
