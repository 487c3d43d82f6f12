"""Deployments and their scripts (run in ``execution_order``, with status, exit code and logs)."""
