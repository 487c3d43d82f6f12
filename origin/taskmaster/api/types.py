"""Reusable constrained string types for request bodies (msgspec ``Annotated`` + ``Meta``).

Every required human-readable field (titles, names, messages) uses one of these, so "blank" and
"control character" mean the same thing everywhere and the OpenAPI document states the rule as a
``pattern``. The patterns avoid ``$`` (Python's ``$`` also matches before a trailing newline) and
are valid in both Python and ECMAScript regex, so clients and fuzzers read them the same way.

To add a field: ``title: Line(500)`` (one line) or ``message: Lines(100_000)`` (newlines allowed).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

# C0 controls (U+0000-U+001F), DEL and the C1 block (U+007F-U+009F); PostgreSQL text cannot hold
# NUL at all, and the others only hide in logs and terminals.
CONTROL = "\\x00-\\x1f\\x7f-\\x9f"
# Multi-line text keeps tab, LF and CR.
CONTROL_EXCEPT_NEWLINES = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f"
# Anchored at the start: no forbidden character anywhere, then at least one non-space character.
LINE_PATTERN = f"^(?![\\s\\S]*[{CONTROL}])[\\s\\S]*\\S"
LINES_PATTERN = f"^(?![\\s\\S]*[{CONTROL_EXCEPT_NEWLINES}])[\\s\\S]*\\S"

RULES = {
    LINE_PATTERN: "one line of text: not blank, no control characters",
    LINES_PATTERN: "text: not blank, no control characters other than tab and newlines",
}


def Line(max_length: int) -> Any:
    """A required single-line text: not blank, no control characters."""
    return Annotated[str, msgspec.Meta(min_length=1, max_length=max_length, pattern=LINE_PATTERN)]


def Lines(max_length: int) -> Any:
    """A required multi-line text: not blank, no control characters but tab, LF and CR."""
    return Annotated[str, msgspec.Meta(min_length=1, max_length=max_length, pattern=LINES_PATTERN)]


# Body field types that mean the same in every resource that has them.
Name = Line(200)
ShortText = Annotated[str, msgspec.Meta(max_length=255)]
Description = Annotated[str, msgspec.Meta(max_length=10_000)]
ErrorText = Annotated[str, msgspec.Meta(max_length=10_000)]
Message = Annotated[str, msgspec.Meta(max_length=100_000)]
Order = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]
Retries = Annotated[int, msgspec.Meta(ge=0, le=100)]
Timeout = Annotated[int, msgspec.Meta(ge=1, le=86_400)]
Timestamp = Annotated[datetime, msgspec.Meta(tz=True)]
Object = dict[str, Any]
