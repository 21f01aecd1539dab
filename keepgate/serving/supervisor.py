"""uvicorn's worker supervisor, noticing a worker's exit while it waits for a health answer.

uvicorn's `Multiprocess` pings each worker every half second over a pipe and waits up to
`timeout_worker_healthcheck` (60 s for `keepgate serve`) for the answer. The supervisor
keeps its own copy of the worker's end of that pipe open, so a worker that exits without
answering (one that cannot build its app exits at once with the start-up failure code)
never closes the pipe: the wait ran out its whole timeout before the supervisor looked at
the exit code. On a loaded box a worker that read the ping and exited before its pong
thread answered held `keepgate serve` for a minute.

`Supervisor` waits for the answer or the worker's exit, whichever comes first
(`multiprocessing.connection.wait` on the pipe and the process's sentinel); the rest
(kill a worker that does not answer in time, stop on the start-up failure code, respawn
one that died after it started) is uvicorn's.
"""

from __future__ import annotations

import enum
import pickle
from multiprocessing.connection import Connection, wait

from uvicorn.config import STARTUP_FAILURE, Config
from uvicorn.supervisors.multiprocess import Multiprocess, Process, logger

__all__ = ["Health", "Supervisor", "health", "serve"]


class Health(enum.Enum):
    ANSWERED = "answered"
    EXITED = "exited"  # the worker is gone (or its pipe is): no answer will come
    SILENT = "silent"  # alive and no answer within the timeout: hung


def health(conn: Connection, sentinel: int, timeout: float) -> Health:
    """Ping the worker at the other end of `conn` and wait for its answer, its exit
    (`sentinel` ready) or `timeout`, whichever comes first."""
    try:
        conn.send(b"ping")
        ready = wait([conn, sentinel], timeout)
        if conn in ready:  # an answer (or the pipe's end, which recv reports)
            conn.recv()
            return Health.ANSWERED
    except (OSError, EOFError, pickle.UnpicklingError):
        return Health.EXITED
    return Health.EXITED if sentinel in ready else Health.SILENT


class Supervisor(Multiprocess):
    """`uvicorn.supervisors.Multiprocess` whose liveness check returns as soon as a worker
    exits (see the module doc)."""

    def keep_subprocess_alive(self) -> None:
        if self.should_exit.is_set():
            return
        for idx, process in enumerate(self.processes):
            if process.process.is_alive() and (
                health(
                    process.parent_conn,
                    process.process.sentinel,
                    self.config.timeout_worker_healthcheck,
                )
                is Health.ANSWERED
            ):
                continue
            process.kill()  # hung, or gone already
            process.join()
            if process.exitcode == STARTUP_FAILURE:
                # The app, TLS or socket is broken and would fail the same way again.
                logger.error(
                    f"Child process [{process.pid}] failed to start, stopping the parent process."
                )
                self.should_exit.set()
                return
            if self.should_exit.is_set():
                return
            logger.info(f"Child process [{process.pid}] died")
            process = Process(self.config, self.sockets)
            process.start()
            self.processes[idx] = process


def serve(config: Config) -> None:
    """`uvicorn.run` for `config.workers` > 1, with `Supervisor`: bind the socket here, the
    workers import the app themselves (`config.app` is an import string)."""
    if not isinstance(config.app, str):
        raise TypeError("workers import their app: pass it as an import string")
    sock = config.bind_socket()
    try:
        Supervisor(config, sockets=[sock]).run()
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
