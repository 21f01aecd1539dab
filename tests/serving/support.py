"""`keepgate serve` as a real subprocess (its own workers), for the multi-process tests."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests.servers import free_port

KEEPGATE = str(Path(sys.executable).with_name("keepgate"))
#: Generous: two workers each load the guards, on a box other people load too.
START_DEADLINE_S = 240.0


class Served:
    """`keepgate serve --workers N --config <tmp>` on a free port; stopped with `stop()`."""

    def __init__(
        self,
        config: dict[str, Any],
        tmp: Path,
        workers: int | str = 2,
        extra_args: tuple[str, ...] = (),
    ) -> None:
        self.path = tmp / f"keepgate-{free_port()}.yaml"
        self.path.write_text(yaml.safe_dump(config))
        self.workers = workers if isinstance(workers, int) else 1
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.base_url = self.url + "/v1"
        self.stderr = tempfile.TemporaryFile()
        #: For plain requests: no keep-alive, so each opens a new connection (the kernel
        #: hands it to either worker), and one client rather than `httpx.get` per request,
        #: which builds a TLS context each time (~30 ms of CPU; the /readyz poll below makes
        #: hundreds of requests on a loaded box).
        self.http = httpx.Client(timeout=60, limits=httpx.Limits(max_keepalive_connections=0))
        self.proc = subprocess.Popen(
            [
                KEEPGATE,
                "serve",
                "--config",
                str(self.path),
                "--port",
                str(self.port),
                "--workers",
                str(workers),
                *extra_args,
            ],
            stdout=subprocess.DEVNULL,
            stderr=self.stderr,
            env={**os.environ, "KEEPGATE_CONFIG": ""},
        )

    def errors(self) -> str:
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")

    def wait_ready(self) -> "Served":
        """Poll /readyz until it says ready (the only wait: real processes must start)."""
        deadline = time.monotonic() + START_DEADLINE_S
        while True:
            try:
                r = self.http.get(self.url + "/readyz", timeout=5)
                # Every worker says when it serves; all must, or one would take every
                # connection opened before the others were up.
                if (
                    r.status_code == 200
                    and r.json()["status"] == "ready"
                    and self.errors().count(" ready\n") >= self.workers
                ):
                    return self
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"keepgate serve exited {self.proc.returncode}: {self.errors()[-3000:]}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"keepgate serve not ready in {START_DEADLINE_S} s: {self.errors()[-3000:]}"
                )
            time.sleep(0.2)

    def stop(self) -> None:
        self.http.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
