"""Request ids (contract: accepted when `^[A-Za-z0-9._:-]{8,128}$`, else generated here)."""

from __future__ import annotations

import re
from collections.abc import Callable

_VALID = re.compile(r"[A-Za-z0-9._:-]{8,128}")


def is_valid(value: str | None) -> bool:
    return value is not None and _VALID.fullmatch(value) is not None


def choose(offered: str | None, new_id: Callable[[], str]) -> str:
    """The caller's id when well-formed, else a fresh one (uuid4 hex, made inside the handler)."""
    return offered if is_valid(offered) else new_id()
