"""Running the gateway as a server: one process, or N uvicorn workers sharing one port."""
