"""What operators see: Prometheus metrics, JSON logs with request ids, health and readiness."""
