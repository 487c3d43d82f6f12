"""ETags from row versions, and the If-Match / If-None-Match headers that compare against them."""

from __future__ import annotations

from taskmaster.errors import ApiError

# What the OpenAPI document promises for If-Match: "*" or one (weak or strong) ETag we issued.
IF_MATCH_PATTERN = r'^(\*|(W/)?"[0-9]{1,18}")$'


def etag(version: int) -> str:
    return f'"{version}"'


def parse_if_match(header: str | None) -> int | None:
    """The version a conditional write requires, or None when there is no precondition.

    A value that cannot match any version (malformed, or several ETags) is refused with 412 rather
    than ignored: a client that sent a precondition must never get an unconditional write.
    """
    if header is None or header.strip() == "*":
        return None
    value = header.strip().removeprefix("W/")
    if len(value) >= 3 and value[0] == value[-1] == '"' and value[1:-1].isdigit():
        return int(value[1:-1])
    raise ApiError(
        412,
        "precondition-failed",
        "Precondition failed",
        'If-Match must be a single ETag this API issued, such as "3".',
    )


def matches_if_none_match(header: str | None, version: int) -> bool:
    if header is None:
        return False
    tags = {part.strip().removeprefix("W/") for part in header.split(",")}
    return "*" in tags or etag(version) in tags
