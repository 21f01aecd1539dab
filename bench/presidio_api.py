"""Presidio's REST API (`/analyze`, `/anonymize`), as LiteLLM Proxy's presidio guardrail needs it.

LiteLLM does not run Presidio in process: its guardrail calls the analyzer and anonymizer
services over HTTP (in production, Microsoft's two containers). For the benchmark they run
here in one small process with the same pattern recognizers Keepgate uses (no spaCy model:
the containers' default NER model would only make LiteLLM's side slower). Its CPU is
charged to LiteLLM's side, since LiteLLM cannot guard without it.

Run: `python -m bench.presidio_api PORT`.
"""

from __future__ import annotations

import sys
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


def create_app() -> Starlette:
    import keepgate  # noqa: F401 - offline switches
    from keepgate.scrubbing.offline import use_bundled_suffix_list

    use_bundled_suffix_list()
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry, RecognizerResult
    from presidio_anonymizer import AnonymizerEngine
    from presidio_anonymizer.entities import OperatorConfig

    from keepgate.scrubbing.engine import blank_nlp_engine, presidio_pattern_recognizers

    registry = RecognizerRegistry(recognizers=presidio_pattern_recognizers())
    analyzer = AnalyzerEngine(
        nlp_engine=blank_nlp_engine(), registry=registry, supported_languages=["en"]
    )
    anonymizer = AnonymizerEngine()

    async def analyze(request: Request) -> JSONResponse:
        body: dict[str, Any] = await request.json()
        results = analyzer.analyze(
            text=body.get("text", ""),
            language=body.get("language", "en"),
            entities=body.get("entities") or None,
            score_threshold=body.get("score_threshold"),
        )
        return JSONResponse([r.to_dict() for r in results])

    async def anonymize(request: Request) -> JSONResponse:
        body: dict[str, Any] = await request.json()
        found = [
            RecognizerResult(r["entity_type"], r["start"], r["end"], r["score"])
            for r in body.get("analyzer_results") or []
        ]
        ops = {
            k: OperatorConfig(v.get("type", "replace"), {p: q for p, q in v.items() if p != "type"})
            for k, v in (body.get("anonymizers") or {}).items()
        }
        out = anonymizer.anonymize(
            text=body.get("text", ""), analyzer_results=found, operators=ops or None
        )
        return JSONResponse(
            {
                "text": out.text,
                "items": [
                    {
                        "operator": i.operator,
                        "entity_type": i.entity_type,
                        "start": i.start,
                        "end": i.end,
                        "text": i.text,
                    }
                    for i in out.items
                ],
            }
        )

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[
            Route("/analyze", analyze, methods=["POST"]),
            Route("/anonymize", anonymize, methods=["POST"]),
            Route("/health", health),
        ]
    )


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(
        create_app(), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False
    )
