"""RFC 9110 §13.1 rules of api/conditional.py, as pure functions."""

from __future__ import annotations

import pytest
from taskmaster.api.conditional import (
    NO_VERSION,
    EntityTag,
    Versions,
    if_match_versions,
    if_none_match_hits,
    parse_entity_tags,
    resolve,
)
from taskmaster.errors import ApiError


def test_a_list_of_strong_and_weak_tags_parses() -> None:
    assert parse_entity_tags("If-Match", ' "a", W/"b",""') == [
        EntityTag("a", False),
        EntityTag("b", True),
        EntityTag("", False),
    ]
    assert parse_entity_tags("If-Match", "*") is None


@pytest.mark.parametrize("value", ["3", "'3'", '"3', "W/3", '"3",', '*, "3"', '"a"b"', 'W/ "3"'])
def test_an_unparseable_value_is_a_400(value: str) -> None:
    with pytest.raises(ApiError) as raised:
        if_match_versions(value)
    assert raised.value.status == 400
    assert raised.value.code == "invalid-precondition"


def test_if_match_absent_or_star_sets_no_precondition() -> None:
    assert if_match_versions(None) is None
    assert if_match_versions("*") is None


def test_if_match_one_current_tag() -> None:
    assert if_match_versions('"7"') == 7


def test_if_match_a_tag_we_never_issued_guards_with_no_version() -> None:
    assert if_match_versions('"stale-etag"') == NO_VERSION


def test_if_match_uses_strong_comparison_so_a_weak_tag_never_matches() -> None:
    assert if_match_versions('W/"1"') == NO_VERSION
    assert if_match_versions('W/"1", "2"') == 2


def test_if_match_any_listed_tag_may_match() -> None:
    assert if_match_versions('"nope", "1"') == 1
    several = if_match_versions('"1", "4"')
    assert isinstance(several, Versions) and several == {1, 4}
    assert resolve(several, 4) == 4
    assert resolve(several, 2) == NO_VERSION
    assert resolve(5, 2) == 5


def test_if_none_match_uses_weak_comparison() -> None:
    assert if_none_match_hits('W/"3"', 3)
    assert if_none_match_hits('"1", "3"', 3)
    assert if_none_match_hits("*", 3)
    assert not if_none_match_hits('"2"', 3)
    assert not if_none_match_hits(None, 3)


def test_if_none_match_unparseable_is_a_400() -> None:
    with pytest.raises(ApiError) as raised:
        if_none_match_hits("3", 3)
    assert raised.value.status == 400
