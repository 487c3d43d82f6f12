"""The pool's admission gate (db/pool.py, ``Gate``): at most ``limit`` holders, first come first
served, a bounded wait that ends in PoolUnavailable (503), and no slot lost to a waiter that
timed out or was cancelled."""

from __future__ import annotations

import asyncio

import pytest
from taskmaster.db.pool import ConnectionPool, Gate, PoolUnavailable
from taskmaster.settings import Settings, SettingsError


async def _hold(
    gate: Gate, name: str, entered: list[str], inside: list[int], release: asyncio.Event
) -> None:
    async with gate:
        entered.append(name)
        inside[0] += 1
        inside[1] = max(inside[1], inside[0])
        await release.wait()
        inside[0] -= 1


async def test_no_more_than_the_limit_hold_it_and_they_enter_in_arrival_order() -> None:
    gate = Gate(2, timeout_s=5)
    entered: list[str] = []
    inside = [0, 0]  # now, most at once
    release = asyncio.Event()
    holders = []
    for n in range(6):
        holders.append(asyncio.create_task(_hold(gate, f"c{n}", entered, inside, release)))
        await asyncio.sleep(0)  # each arrives after the one before
    await asyncio.sleep(0.01)
    assert entered == ["c0", "c1"] and gate.held == 2 and gate.waiting == 4
    release.set()
    await asyncio.gather(*holders)
    assert entered == [f"c{n}" for n in range(6)]
    assert inside[1] == 2
    assert gate.held == 0 and gate.waiting == 0


async def test_a_wait_longer_than_the_timeout_is_refused_and_the_slot_is_not_lost() -> None:
    gate = Gate(1, timeout_s=0.05)
    release = asyncio.Event()
    holder = asyncio.create_task(_hold(gate, "holder", [], [0, 0], release))
    await asyncio.sleep(0.01)
    with pytest.raises(PoolUnavailable, match=r"no claim slot free within 0\.05s"):
        async with gate:
            pytest.fail("entered a full gate")
    assert gate.waiting == 0
    release.set()
    await holder
    assert gate.held == 0
    async with gate:  # free again
        assert gate.held == 1


async def test_a_cancelled_waiter_leaves_the_queue_and_the_next_one_gets_the_slot() -> None:
    gate = Gate(1, timeout_s=5)
    release = asyncio.Event()
    entered: list[str] = []
    holder = asyncio.create_task(_hold(gate, "holder", entered, [0, 0], release))
    await asyncio.sleep(0.01)
    cancelled = asyncio.create_task(_hold(gate, "cancelled", entered, [0, 0], asyncio.Event()))
    after = asyncio.create_task(_hold(gate, "after", entered, [0, 0], release))
    await asyncio.sleep(0.01)
    cancelled.cancel()
    await asyncio.sleep(0)
    release.set()
    await asyncio.gather(holder, after)
    assert cancelled.cancelled()
    assert entered == ["holder", "after"]
    assert gate.held == 0 and gate.waiting == 0


async def test_a_waiter_cancelled_as_it_is_handed_the_slot_passes_it_on() -> None:
    gate = Gate(1, timeout_s=5)
    entered: list[str] = []
    first = asyncio.Event()
    holder = asyncio.create_task(_hold(gate, "holder", entered, [0, 0], first))
    await asyncio.sleep(0.01)
    unlucky = asyncio.create_task(_hold(gate, "unlucky", entered, [0, 0], asyncio.Event()))
    last = asyncio.create_task(_hold(gate, "last", entered, [0, 0], asyncio.Event()))
    await asyncio.sleep(0.01)
    first.set()
    await asyncio.sleep(0)  # the holder leaves and hands the slot to "unlucky"'s future …
    unlucky.cancel()  # … which is cancelled before it runs
    await asyncio.sleep(0.01)
    assert unlucky.cancelled()
    assert entered == ["holder", "last"]  # the slot went on to the next waiter
    assert gate.held == 1
    last.cancel()
    await asyncio.gather(holder, last, return_exceptions=True)
    assert gate.held == 0


async def test_limit_zero_admits_everyone() -> None:
    gate = Gate(0, timeout_s=0.01)
    inside = [0, 0]
    release = asyncio.Event()
    holders = [asyncio.create_task(_hold(gate, str(n), [], inside, release)) for n in range(20)]
    await asyncio.sleep(0.01)
    assert inside[0] == 20
    release.set()
    await asyncio.gather(*holders)


def test_the_claim_gate_is_set_from_the_environment_and_refuses_a_negative_limit() -> None:
    base = {"DATABASE_URL": "postgresql://x/y"}
    assert Settings.from_env(base).database.claim_concurrency == 1
    assert (
        Settings.from_env(base | {"DATABASE_CLAIM_CONCURRENCY": "3"}).database.claim_concurrency
        == 3
    )
    with pytest.raises(SettingsError, match="DATABASE_CLAIM_CONCURRENCY"):
        Settings.from_env(base | {"DATABASE_CLAIM_CONCURRENCY": "-1"})
    pool = ConnectionPool("postgresql://nowhere/none", claim_concurrency=4, acquire_timeout_s=0.5)
    assert pool.claims.limit == 4
    with pytest.raises(ValueError):
        Gate(-1, timeout_s=1)
