"""Validation results: the outcome of one validator run against a task (same layout as ``tasks``)."""
