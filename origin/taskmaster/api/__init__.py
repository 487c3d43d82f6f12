"""Conventions shared by every resource: envelope, pagination, request checks."""
