"""What the gateway did: Prometheus metrics, the audit log, structured logs."""
