"""``taskmaster keys …``: key lifecycle from the command line, straight against ``DATABASE_URL``.

This is the bootstrap path (the first admin key is made here, never by an open endpoint) and the
ops tool for revoking or rotating a key when the API is unreachable. It runs the same service code
as the HTTP routes, so the same rules, audit rows (request id ``cli-…``) and notifications apply.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import re
import sys
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import msgspec

from taskmaster.api.pagination import CursorCodec, parse_sort
from taskmaster.db.cli_pool import run_with_pool
from taskmaster.db.pool import ConnectionPool
from taskmaster.errors import ApiError
from taskmaster.keys import service
from taskmaster.keys.schemas import ApiKey, KeyCreate

T = TypeVar("T")
_DURATION = re.compile(r"^(\d+)([smhdw])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def duration(text: str) -> timedelta:
    """``30d``, ``1h``, ``90m``, ``45s``, ``2w`` → timedelta."""
    match = _DURATION.match(text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration like 30d, 12h, 90m, 45s")
    return timedelta(seconds=int(match[1]) * _UNITS[match[2]])


def cidr(text: str) -> str:
    try:
        return str(ipaddress.ip_network(text, strict=False))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not an IP address or CIDR") from exc


def _run(work: Callable[[ConnectionPool, service.Actor], Awaitable[T]]) -> T:
    actor = service.Actor(None, f"cli-{uuid.uuid4().hex}")
    return run_with_pool(lambda pool: work(pool, actor), "taskmaster keys")


def _print_key(key: ApiKey, as_json: bool, plain: str | None = None) -> None:
    if as_json:
        payload: dict[str, Any] = {
            "id": str(key.id),
            "prefix": key.prefix,
            "name": key.name,
            "scopes": key.scopes,
            "status": key.status,
            "expires_at": key.expires_at.astimezone(UTC).isoformat() if key.expires_at else None,
        }
        if plain is not None:
            payload["key"] = plain
        if key.grace_expires_at is not None:
            payload["grace_expires_at"] = key.grace_expires_at.astimezone(UTC).isoformat()
        print(json.dumps(payload))
        return
    print(f"id:       {key.id}")
    print(f"name:     {key.name}")
    print(f"prefix:   {key.prefix}")
    print(f"scopes:   {','.join(key.scopes)}")
    print(f"status:   {key.status}")
    print(f"expires:  {key.expires_at.isoformat() if key.expires_at else 'never'}")
    if plain is not None:
        print(f"key:      {plain}")
        print("Store the key now: it is not shown again.", file=sys.stderr)


def cmd_create(args: argparse.Namespace) -> int:
    body = msgspec.convert(
        {
            "name": args.name,
            "scopes": [s.strip() for s in args.scopes.split(",") if s.strip()],
            "owner": args.owner,
            "description": args.description,
            "expires_at": (
                (datetime.now(UTC) + args.expires_in).isoformat() if args.expires_in else None
            ),
            "rate_limit_per_minute": args.rate_limit_per_minute,
            "rate_limit_per_hour": args.rate_limit_per_hour,
            "rate_limit_per_day": args.rate_limit_per_day,
            "rate_limit_burst": args.burst,
            "allowed_ips": args.allow_ip or [],
            "allowed_endpoints": args.allow_endpoint or [],
        },
        KeyCreate,
    )
    key = _run(lambda pool, actor: service.create_key(pool, actor, body))
    _print_key(key, args.json, key.key)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    async def work(pool: ConnectionPool, actor: service.Actor) -> list[ApiKey]:
        keys = parse_sort(None, service.SORT_FIELDS, service.DEFAULT_SORT)
        codec = CursorCodec(uuid.uuid4().hex)  # cursors never leave this process
        found: list[ApiKey] = []
        cursor = None
        while True:
            page = await service.list_keys(pool, actor, codec, keys, cursor, 200)
            found.extend(page.keys)
            if not page.has_more:
                return found
            cursor = page.next_cursor

    found = _run(work)
    if args.json:
        print(msgspec.json.encode(found).decode())
        return 0
    for key in found:
        print(f"{key.id}  {key.prefix}  {key.status:<8}  {','.join(key.scopes):<30}  {key.name}")
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    key = _run(lambda pool, actor: service.revoke_key(pool, actor, args.id, args.reason))
    _print_key(key, args.json)
    return 0


def cmd_rotate(args: argparse.Namespace) -> int:
    grace = int(args.grace.total_seconds())
    key = _run(lambda pool, actor: service.rotate_key(pool, actor, args.id, grace))
    _print_key(key, args.json, key.key)
    return 0


def _guard(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except (ApiError, msgspec.ValidationError) as exc:
            print(f"taskmaster keys: {getattr(exc, 'detail', exc)}", file=sys.stderr)
            return 1

    return run


def register_keys(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("keys", help="create, list, revoke and rotate API keys")
    keys = parser.add_subparsers(dest="keys_command", required=True)

    create = keys.add_parser("create", help="create a key (prints the plain key once)")
    create.add_argument("--name", required=True)
    create.add_argument("--scopes", required=True, help="comma-separated, e.g. tasks:read,admin")
    create.add_argument("--owner")
    create.add_argument("--description")
    create.add_argument("--expires-in", type=duration, help="e.g. 30d, 12h")
    create.add_argument("--rate-limit-per-minute", type=int)
    create.add_argument("--rate-limit-per-hour", type=int)
    create.add_argument("--rate-limit-per-day", type=int)
    create.add_argument("--burst", type=int)
    create.add_argument("--allow-ip", type=cidr, nargs="+", action="extend", metavar="CIDR")
    create.add_argument("--allow-endpoint", nargs="+", action="extend", metavar="GLOB")
    create.add_argument("--json", action="store_true", help="print one JSON object")
    create.set_defaults(run=_guard(cmd_create))

    listing = keys.add_parser("list", help="list keys (prefix and metadata only)")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=_guard(cmd_list))

    revoke = keys.add_parser("revoke", help="revoke a key (effective on its next request)")
    revoke.add_argument("id", type=uuid.UUID)
    revoke.add_argument("--reason")
    revoke.add_argument("--json", action="store_true")
    revoke.set_defaults(run=_guard(cmd_revoke))

    rotate = keys.add_parser("rotate", help="mint a successor; the old key lives for --grace")
    rotate.add_argument("id", type=uuid.UUID)
    rotate.add_argument("--grace", type=duration, default=timedelta(hours=1))
    rotate.add_argument("--json", action="store_true")
    rotate.set_defaults(run=_guard(cmd_rotate))
