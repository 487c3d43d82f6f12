"""The replica read policy (db/consistency.py) as a pure function: which database serves a read."""

from __future__ import annotations

from taskmaster.db.consistency import ReplicaStatus, parse_lsn, read_source, wants_strong

NOW = 1000.0
UP = ReplicaStatus(
    up=True, replay_lsn=parse_lsn("1/00000100") or 0, lag_ms=20, checked_at=NOW - 0.1
)


def decide(status: ReplicaStatus = UP, last: int | None = None, strong: bool = False) -> str:
    return read_source(
        strong=strong, status=status, last_write_lsn=last, max_lag_ms=1000, now=NOW, stale_after_s=1
    )


def test_lsn_text_orders_like_the_wal() -> None:
    assert parse_lsn("0/16B3748") == 0x16B3748
    assert parse_lsn("1/0") == 1 << 32
    assert parse_lsn("0/FFFFFFFF") < parse_lsn("1/0")  # type: ignore[operator]
    assert parse_lsn(None) is None and parse_lsn("") is None


def test_a_caught_up_standby_serves_callers_without_newer_writes() -> None:
    assert decide() == "replica"
    assert decide(last=UP.replay_lsn) == "replica"  # that write is replayed
    assert decide(last=UP.replay_lsn - 1) == "replica"


def test_a_write_the_standby_has_not_replayed_reads_the_primary() -> None:
    assert decide(last=UP.replay_lsn + 1) == "primary"


def test_lag_staleness_a_down_standby_and_strong_reads_go_to_the_primary() -> None:
    lagging = ReplicaStatus(up=True, replay_lsn=UP.replay_lsn, lag_ms=1001, checked_at=NOW)
    assert decide(lagging) == "primary"
    stale = ReplicaStatus(up=True, replay_lsn=UP.replay_lsn, lag_ms=0, checked_at=NOW - 1.5)
    assert decide(stale) == "primary"
    assert decide(ReplicaStatus()) == "primary"
    assert decide(strong=True) == "primary"


def test_consistency_header() -> None:
    assert wants_strong([(b"consistency", b"Strong ")])
    assert not wants_strong([(b"consistency", b"eventual")])
    assert not wants_strong([(b"x-other", b"strong")])
