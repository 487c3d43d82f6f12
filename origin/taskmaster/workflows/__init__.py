"""Workflows: pipeline runs, their ordered stages and their progress (same layout as ``tasks``).

The workflow's ``total_stages`` / ``completed_stages`` / ``current_stage`` are maintained from its
stages by the service, in the transaction that changes a stage.
"""
