"""Conditional requests (RFC 9110 §13): pure functions over ``If-Match`` / ``If-None-Match`` values.

The API issues strong ETags ``"<row version>"`` (``etags.etag``). The rules applied here:

- a field value is ``*`` or a comma-separated list of entity-tags ``[W/]"<etagc>*"``; anything else
  is unparseable (400), never silently ignored;
- ``If-Match`` uses the *strong* comparison (§8.8.3.2): a weak tag never matches, and a well-formed
  tag we never issued simply does not match (412), like a stale one;
- ``If-None-Match`` uses the *weak* comparison: ``W/"3"`` matches version 3;
- any listed tag may match.

To add a validator (e.g. ``Last-Modified``), add its parsing here and keep the routes calling one
function each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from taskmaster.errors import FieldError, bad_request

# etagc = %x21 / %x23-7E / obs-text; a list separated by commas with optional whitespace.
_TAG = r'(?:W/)?"[\x21\x23-\x7e\x80-\xff]*"'
# What the OpenAPI document promises for If-Match / If-None-Match (Litestar checks it too).
ENTITY_TAGS_PATTERN = rf"^(\*|{_TAG}([ \t]*,[ \t]*{_TAG})*)$"
_LIST = re.compile(rf"\*|{_TAG}(?:[ \t]*,[ \t]*{_TAG})*")
_ONE = re.compile(r'(W/)?"([^"]*)"')


@dataclass(frozen=True, slots=True)
class EntityTag:
    opaque: str  # between the quotes
    weak: bool


class Versions(frozenset[int]):
    """Several row versions an ``If-Match`` list accepts; the write resolves which one is current
    (``db.table.Table.guarded``)."""


# A version no row ever has (versions start at 1): the guarded write then reports 404 or 412.
NO_VERSION = -1


def parse_entity_tags(name: str, value: str) -> list[EntityTag] | None:
    """The tags of a field value; None for ``*``. Unparseable values are a 400 naming the header."""
    value = value.strip(" \t")
    if _LIST.fullmatch(value) is None:
        raise bad_request(
            "invalid-precondition",
            f'{name} must be "*" or a comma-separated list of entity tags such as "3".',
            [FieldError(field=name, message='not "*" or a list of entity tags')],
        )
    if value == "*":
        return None
    return [EntityTag(m.group(2), m.group(1) is not None) for m in _ONE.finditer(value)]


def _version(tag: EntityTag) -> int | None:
    text = tag.opaque
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def if_match_versions(value: str | None) -> int | Versions | None:
    """What ``If-Match`` demands of a write: None (no precondition, or ``*`` on an existing row),
    one version, several (:class:`Versions`), or :data:`NO_VERSION` when no listed tag can match."""
    if value is None:
        return None
    tags = parse_entity_tags("If-Match", value)
    if tags is None:
        return None
    # Strong comparison: weak tags and tags that are not one of our versions never match.
    versions = {v for tag in tags if not tag.weak and (v := _version(tag)) is not None}
    if not versions:
        return NO_VERSION
    if len(versions) == 1:
        return versions.pop()
    return Versions(versions)


def resolve(demand: int | Versions | None, current: int) -> int | None:
    """The single version to guard a write with, given the row's current version."""
    if isinstance(demand, Versions):
        return current if current in demand else NO_VERSION
    return demand


def if_none_match_hits(value: str | None, version: int) -> bool:
    """True when ``If-None-Match`` matches the current version (weak comparison): answer 304."""
    if value is None:
        return False
    tags = parse_entity_tags("If-None-Match", value)
    return tags is None or any(_version(tag) == version for tag in tags)
