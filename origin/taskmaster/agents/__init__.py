"""Agent configurations (Claude Code, Codegen, AgentAPI …): settings, capabilities and health."""
