"""Prompt templates: content with ``{{name}}`` placeholders, declared variables, and rendering
(``POST /{id}/render``) that refuses missing or unknown variables and counts each use."""
