"""External services (Linear, GitHub, AgentAPI …): configuration, status, health, usage and the
append-only record of calls to and events from them (``/{id}/events``)."""
