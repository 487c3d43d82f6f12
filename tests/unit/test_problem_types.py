"""Every problem code raised anywhere (origin and edge) has a page in the catalogue."""

from __future__ import annotations

import re
from pathlib import Path

from taskmaster.problem_types.catalog import CATALOG

ROOT = Path(__file__).resolve().parents[2]
# A code is a kebab-case literal given to the one error type of each runtime, or a row of the
# constraint / HTTP-status tables of errors.py.
RAISED = re.compile(
    r"(?:ApiError\(\s*\d{3},\s*|bad_request\(\s*|Problem\(\s*|\(\s*\d{3},\s*|\d{3}: \(\s*"
    r'|_unauthorized\(\s*|unauthorized\(\s*)"([a-z]+(?:-[a-z]+)+)"'
)
VERDICT_CODES = re.compile(r'"[a-z]+": \("([a-z]+(?:-[a-z]+)+)",')


def raised_codes() -> set[str]:
    found: set[str] = set()
    for folder in (ROOT / "origin" / "taskmaster", ROOT / "edge" / "src" / "tm_edge"):
        for path in folder.rglob("*.py"):
            text = path.read_text()
            found |= set(RAISED.findall(text)) | set(VERDICT_CODES.findall(text))
    return found


def test_every_raised_code_is_in_the_catalogue() -> None:
    codes = raised_codes()
    assert {"not-found", "validation-failed", "precondition-failed", "revoked-api-key"} <= codes
    assert codes - CATALOG.keys() == set()


def test_catalogue_entries_are_complete() -> None:
    for code, entry in CATALOG.items():
        assert entry.code == code
        assert entry.title and entry.description and entry.statuses
        assert all(400 <= status <= 599 for status in entry.statuses)
