"""API keys: format, lifecycle (create, list, get, revoke, rotate, expiry), routes and the ops CLI."""
