"""Running the gateway as a server: one process, or N uvicorn workers sharing one port."""

#: Set by `keepgate serve` for its workers: the worker count; each worker prints
#: `keepgate: worker <pid> ready` once it serves. Here rather than in `factory` because the
#: app reads it too, and `factory` imports the app (no two modules import each other).
WORKERS_ENV = "KEEPGATE_SERVE_WORKERS"
