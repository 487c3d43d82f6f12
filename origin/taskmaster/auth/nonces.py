"""Replay protection of edge-signed calls: each signature's nonce is usable once.

The origin records the nonce of every signature it accepts in ``edge_nonces`` (PostgreSQL), so a
call replayed byte for byte is refused by every worker of every origin process, not only by the
one that saw it first. A nonce is kept until its signature's timestamp leaves the freshness window
(``edge.MAX_SKEW_SECONDS``); maintenance deletes older rows.
"""

from __future__ import annotations

from pathlib import Path

from taskmaster.db.pool import ConnectionPool, statement_cursor
from taskmaster.db.sql import load_queries

QUERIES = load_queries(Path(__file__).with_name("nonces.sql"))


async def claim(pool: ConnectionPool, nonce: str, expires_at: int) -> bool:
    """True on the nonce's first use, False for a replay (one INSERT either way)."""
    async with pool.connection() as conn:
        cur = await statement_cursor(conn).execute(
            QUERIES["claim_edge_nonce"], {"nonce": nonce, "expires_at": expires_at}
        )
        return await cur.fetchone() is not None
