"""`POST /v1/embeddings`: routed and limited like chat; the input guards scan its text too."""

from __future__ import annotations

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from keepgate.auth.request import require_principal
from keepgate.errors import APIError
from keepgate.pipeline.call import Call, Outcome, Usage
from keepgate.pipeline.guard import GuardBlocked
from keepgate.proxy.body import read_json
from keepgate.proxy.counts import check_embedding_inputs
from keepgate.proxy.shapes import EmbeddingsRequest, check
from keepgate.runtime import Runtime, blocked_error


async def embeddings(request: Request) -> Response:
    rt: Runtime = request.app.state.keepgate
    principal = require_principal(request)
    body = await read_json(request, rt.config.general_settings.max_body_bytes)
    check_embedding_inputs(body, rt.config.general_settings)
    check(EmbeddingsRequest, body)
    deployment = rt.deployment(principal, body.get("model"), mode="embedding")
    call = Call(principal=principal, route="embeddings", model=body["model"], body=body)
    call.deployment = deployment
    try:
        await rt.check_request(call)
        call.upstream_sent = True
        result = await rt.upstream.embeddings(deployment, rt.upstream_body(call))
    except GuardBlocked as exc:
        err = blocked_error(exc, call)
        await rt.finish(call, Outcome("blocked", http_status=err.status))
        return err.response(rt.response_headers(call))
    except APIError as exc:
        await rt.finish(call, Outcome("upstream_error", http_status=exc.status))
        return exc.response(rt.response_headers(call))
    except BaseException as exc:  # the client went away (or a bug): still settle and audit
        with anyio.CancelScope(shield=True):
            await rt.finish(call, Outcome.ended_by(exc))
        raise
    u = rt.clean_usage(call, result.get("usage") or {})
    if "usage" in result:
        result["usage"] = u
    usage = Usage(u.get("prompt_tokens", 0), 0)
    call.usage = usage
    result["model"] = call.model
    await rt.finish(call, Outcome("ok", usage=usage))
    return JSONResponse(result, headers=rt.response_headers(call))
