"""A stand-in OPA server for tests and benchmarks: the parts of OPA's REST API that
opa-python-client uses, evaluating Rego with regorus in-process.

No OPA binary can be installed on the CI machine; this speaks the same protocol:
`PUT/GET/DELETE /v1/policies/{id}` (400 with OPA's error shape on parse errors),
`PUT /v1/data/{path}` (204), `POST /v1/data/{path}` (200 `{"result": ...}`, or `{}` when
undefined), `GET /v1/data/{path}` and `GET /health`.
"""

from __future__ import annotations

import json
from typing import Any

import regorus
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.policy import rego_errors


class FakeOpa:
    def __init__(self) -> None:
        self.policies: dict[str, str] = {}
        self.data: dict[str, Any] = {}
        self.requests = 0
        self._engine: regorus.Engine | None = None  # built in the server's thread

    def _build(self, policies: dict[str, str]) -> regorus.Engine:
        engine = regorus.Engine()
        for pid, src in policies.items():
            engine.add_policy(pid, src)
        engine.add_data(self.data)
        return engine

    async def put_policy(self, request: Request) -> Response:
        pid = request.path_params["id"]
        src = (await request.body()).decode("utf-8", "replace")
        candidate = dict(self.policies, **{pid: src})
        try:
            engine = self._build(candidate)
        except Exception as exc:  # noqa: BLE001
            loc = rego_errors.location(exc)
            err = {"code": "rego_parse_error", "message": rego_errors.short(exc)}
            if loc:
                err["location"] = {"file": pid, "row": loc[1], "col": loc[2]}
            return JSONResponse({"code": "invalid_parameter",
                                 "message": "error(s) occurred while compiling module(s)",
                                 "errors": [err]}, status_code=400)
        self.policies, self._engine = candidate, engine
        return JSONResponse({})

    async def get_policies(self, request: Request) -> Response:
        return JSONResponse({"result": [{"id": k, "raw": v} for k, v in self.policies.items()]})

    async def delete_policy(self, request: Request) -> Response:
        if self.policies.pop(request.path_params["id"], None) is None:
            return JSONResponse({"code": "resource_not_found", "message": "policy not found"},
                                status_code=404)
        self._engine = self._build(self.policies)
        return JSONResponse({})

    async def put_data(self, request: Request) -> Response:
        parts = [p for p in request.path_params["path"].split("/") if p]
        value = json.loads(await request.body() or b"null")
        if not parts:
            self.data = value
        else:
            node = self.data
            for p in parts[:-1]:
                node = node.setdefault(p, {})
            node[parts[-1]] = value
        self._engine = self._build(self.policies)
        return Response(status_code=204)

    async def query(self, request: Request) -> Response:
        self.requests += 1
        path = ".".join(p for p in request.path_params["path"].split("/") if p)
        body = json.loads(await request.body() or b"{}") if request.method == "POST" else {}
        engine = self._engine = self._engine or self._build(self.policies)
        engine.set_input(body.get("input") or {})
        try:
            result = engine.eval_rule("data." + path if path else "data")
        except Exception as exc:  # noqa: BLE001
            return JSONResponse({"code": "internal_error", "message": rego_errors.short(exc)},
                                status_code=500)
        return JSONResponse({} if result is None else {"result": _jsonable(result)})

    async def health(self, request: Request) -> Response:
        return JSONResponse({})

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/health", self.health),
            Route("/v1/policies", self.get_policies),
            Route("/v1/policies/{id:path}", self.put_policy, methods=["PUT"]),
            Route("/v1/policies/{id:path}", self.delete_policy, methods=["DELETE"]),
            Route("/v1/data/{path:path}", self.put_data, methods=["PUT"]),
            Route("/v1/data/{path:path}", self.query, methods=["POST", "GET"]),
        ])


def _jsonable(v: Any) -> Any:
    if isinstance(v, set):
        return sorted((_jsonable(x) for x in v), key=json.dumps)
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_jsonable(x) for x in v]
    return v
