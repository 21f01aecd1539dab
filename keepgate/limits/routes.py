"""Usage and limits over HTTP: a key sees its own; the admin key sees and changes any.

GET    /v1/keys/self/usage            the caller's spend and remaining limits
GET    /admin/usage                   every configured key
GET    /admin/keys/{key_id}/usage     one key (and its team)
PUT    /admin/keys/{key_id}/limits    replace the key's own limits (defaults still apply)
DELETE /admin/keys/{key_id}/limits    back to the config file's limits
POST   /admin/keys/{key_id}/reset     refill the key's buckets and its budget (totals stay)
GET    /admin/teams/{team}/usage, PUT/DELETE /admin/teams/{team}/limits,
POST   /admin/teams/{team}/reset
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from keepgate.echo import shown
from keepgate.auth.principal import Principal
from keepgate.auth.request import require_principal
from keepgate.errors import APIError
from keepgate.limits.backend import BackendUnavailable, SubjectUsage
from keepgate.limits.spec import LimitSpecError, Subject

if TYPE_CHECKING:
    from keepgate.limits.guard import LimitsGuard


def limits_routes(guard: "LimitsGuard") -> list[Route]:
    async def _usage(subject: Subject) -> SubjectUsage:
        try:
            return await guard.backend.usage(subject)
        except BackendUnavailable:
            if guard.fallback is None:
                raise APIError(
                    503, "The limits store is unreachable.", code="limits_unavailable"
                ) from None
            return await guard.fallback.usage(subject)

    async def _key_report(principal: Principal) -> dict[str, Any]:
        subjects = guard.subjects(principal)
        out: dict[str, Any] = {
            "object": "keepgate.usage",
            "key_id": principal.key_id,
            "team": principal.team,
            "backend": guard.backend.name,
        }
        key = (await _usage(subjects[0])).as_dict()
        key.pop("subject")
        out.update(key)
        if len(subjects) > 1:
            team = (await _usage(subjects[1])).as_dict()
            team.pop("subject")
            out["team_usage"] = team
        return out

    def _principal_of(key_id: str) -> Principal:
        entry = guard.key_entry(key_id)
        if entry is None:
            raise APIError(
                404,
                f"No key with id {shown(key_id, 80, digits=True)}.",
                code="key_not_found",
                param="key_id",
            )
        return Principal(
            key_id=entry.key_id, role=entry.role, team=entry.team, is_admin=entry.role == "admin"
        )

    def _team_subject(team: str) -> Subject:
        if not guard.knows_team(team):
            raise APIError(404, f"No team '{team}'.", code="team_not_found", param="team")
        return Subject.of("team", team, guard.team_caps(team))

    async def _body_limits(request: Request) -> dict[str, Any]:
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError:
            raise APIError(400, "The body must be JSON.", code="invalid_json") from None
        if isinstance(body, dict) and isinstance(body.get("limits"), dict):
            body = body["limits"]
        if not isinstance(body, dict):
            raise APIError(
                400,
                'Send a JSON object of limits, e.g. {"limits": {"tokens_per_minute": 10000}}.',
                code="invalid_value",
            )
        return body

    async def _set(subject: Subject, caps: dict[str, float] | None) -> None:
        try:
            await guard.backend.set_override(subject, caps)
        except BackendUnavailable:
            raise APIError(
                503, "The limits store is unreachable; nothing changed.", code="limits_unavailable"
            ) from None
        if guard.fallback is not None:
            await guard.fallback.set_override(subject, caps)

    async def _reset(subject: Subject) -> None:
        try:
            await guard.backend.reset(subject)
        except BackendUnavailable:
            raise APIError(
                503, "The limits store is unreachable; nothing changed.", code="limits_unavailable"
            ) from None
        if guard.fallback is not None:
            await guard.fallback.reset(subject)

    async def key_reset(request: Request) -> JSONResponse:
        require_principal(request, admin=True)
        principal = _principal_of(request.path_params["key_id"])
        await _reset(guard.subjects(principal)[0])
        return JSONResponse(await _key_report(principal))

    async def team_reset(request: Request) -> JSONResponse:
        require_principal(request, admin=True)
        await _reset(_team_subject(request.path_params["team"]))
        return await team_usage(request)

    async def self_usage(request: Request) -> JSONResponse:
        return JSONResponse(await _key_report(require_principal(request)))

    async def all_usage(request: Request) -> JSONResponse:
        require_principal(request, admin=True)
        data = [await _key_report(_principal_of(k)) for k in guard.key_ids()]
        return JSONResponse({"object": "list", "data": data})

    async def key_usage(request: Request) -> JSONResponse:
        require_principal(request, admin=True)
        return JSONResponse(await _key_report(_principal_of(request.path_params["key_id"])))

    async def key_limits(request: Request) -> JSONResponse:
        require_principal(request, admin=True)
        principal = _principal_of(request.path_params["key_id"])
        subject = guard.subjects(principal)[0]
        if request.method == "DELETE":
            await _set(subject, None)
        else:
            raw = await _body_limits(request)
            try:
                caps = guard.key_caps(principal, raw)
            except LimitSpecError as exc:
                raise APIError(400, str(exc), code="invalid_limits") from None
            await _set(subject, caps)
        return JSONResponse(await _key_report(principal))

    async def team_usage(request: Request) -> JSONResponse:
        require_principal(request, admin=True)
        subject = _team_subject(request.path_params["team"])
        return JSONResponse(
            {
                "object": "keepgate.usage",
                "team": subject.id,
                "backend": guard.backend.name,
                **(await _usage(subject)).as_dict(),
            }
        )

    async def team_limits(request: Request) -> JSONResponse:
        require_principal(request, admin=True)
        subject = _team_subject(request.path_params["team"])
        if request.method == "DELETE":
            await _set(subject, None)
        else:
            raw = await _body_limits(request)
            try:
                caps = guard.team_caps(subject.id, raw)
            except LimitSpecError as exc:
                raise APIError(400, str(exc), code="invalid_limits") from None
            await _set(subject, caps)
        return await team_usage(request)

    return [
        Route("/v1/keys/self/usage", self_usage, methods=["GET"]),
        Route("/keys/self/usage", self_usage, methods=["GET"]),
        Route("/admin/usage", all_usage, methods=["GET"]),
        Route("/admin/keys/{key_id}/usage", key_usage, methods=["GET"]),
        Route("/admin/keys/{key_id}/limits", key_limits, methods=["PUT", "DELETE"]),
        Route("/admin/teams/{team}/usage", team_usage, methods=["GET"]),
        Route("/admin/teams/{team}/limits", team_limits, methods=["PUT", "DELETE"]),
        Route("/admin/keys/{key_id}/reset", key_reset, methods=["POST"]),
        Route("/admin/teams/{team}/reset", team_reset, methods=["POST"]),
    ]
