"""ETags from row versions, and the If-Match / If-None-Match headers that compare against them
(the RFC 9110 rules themselves live in ``api/conditional.py``)."""

from __future__ import annotations

from taskmaster.api.conditional import (
    ENTITY_TAGS_PATTERN,
    Versions,
    if_match_versions,
    if_none_match_hits,
)

# What the OpenAPI document promises for If-Match / If-None-Match: "*" or a list of entity tags.
IF_MATCH_PATTERN = ENTITY_TAGS_PATTERN


def etag(version: int) -> str:
    return f'"{version}"'


def parse_if_match(header: str | None) -> int | Versions | None:
    """The version(s) a conditional write requires, or None when there is no precondition.

    A well-formed tag that cannot match (stale, weak, or never issued) still guards the write, so
    it answers 412; a malformed header is a 400. Never an unconditional write.
    """
    return if_match_versions(header)


def matches_if_none_match(header: str | None, version: int) -> bool:
    return if_none_match_hits(header, version)
