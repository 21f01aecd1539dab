"""Run as `python -m tests.serving.first_request <config.json>` (a fresh interpreter, so no
earlier test has imported litellm): serve the config with uvicorn, send the chat request in
the config's `_request` over a real socket, and print one JSON line saying in which phase
litellm was first in `sys.modules` ("start", "request" or "never") and the answer's status.

litellm takes seconds of CPU to import; a first import inside a request runs on the event
loop and every other request waits for it (the route fuzzer's stall,
docs/development.md "What the route fuzzer found")."""

from __future__ import annotations

import http.client
import json
import os
import sys
from typing import Any


def main(path: str) -> None:
    with open(path, encoding="utf-8") as fh:
        cfg: dict[str, Any] = json.load(fh)
    request = cfg.pop("_request")
    fake_app = cfg.pop("_fake", False)

    from keepgate.config.load import parse_config
    from tests.servers import ThreadServer

    fake = None
    if fake_app:
        from keepgate.fake_model import create_fake_app

        fake = ThreadServer(create_fake_app()).start()
        for d in cfg["model_list"]:
            d["litellm_params"]["api_base"] = fake.url + d["litellm_params"]["api_base"]
    from keepgate.app import create_app

    app = create_app(parse_config(json.dumps(cfg), path, environ=dict(os.environ)))
    server = ThreadServer(app).start()  # the lifespan (the app's start-up parts) has run
    phase = "start" if "litellm" in sys.modules else None
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
    conn.request(
        "POST",
        "/v1/chat/completions",
        body=json.dumps(request),
        headers={
            "content-type": "application/json",
            "authorization": "Bearer " + cfg["general_settings"]["master_key"],
        },
    )
    resp = conn.getresponse()
    body = resp.read()
    if phase is None:
        phase = "request" if "litellm" in sys.modules else "never"
    conn.close()
    server.stop()
    if fake is not None:
        fake.stop()
    print(json.dumps({"litellm": phase, "status": resp.status, "body": body[:300].decode()}))


if __name__ == "__main__":
    main(sys.argv[1])
