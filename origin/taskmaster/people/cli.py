"""``taskmaster users|roles|members …``: people from the command line, against ``DATABASE_URL``.

The bootstrap path (the first admin user is made here: ``taskmaster users create --username me
--email me@example.com --role admin``, password read from ``--password-stdin`` or prompted) and
the ops tool for unlocking or deactivating an account. It runs the same service code as the
routes, so the same rules and audit rows (request id ``cli-…``) apply.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import msgspec

from taskmaster.db.cli_pool import run_with_pool
from taskmaster.db.pool import ConnectionPool
from taskmaster.errors import ApiError
from taskmaster.people import service

T = TypeVar("T")
Subparsers = "argparse._SubParsersAction[argparse.ArgumentParser]"


def _run(work: Callable[[ConnectionPool, service.Actor], Awaitable[T]]) -> T:
    actor = service.Actor(None, None, f"cli-{uuid.uuid4().hex}")
    try:
        return run_with_pool(lambda pool: work(pool, actor), "taskmaster")
    except ApiError as exc:
        print(f"taskmaster: {exc.detail}", file=sys.stderr)
        raise SystemExit(1) from exc


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
    if not password:
        raise SystemExit("taskmaster: an empty password is not allowed")
    return password


def _print(value: Any) -> None:
    print(json.dumps(msgspec.to_builtins(value)))


def _with_user(
    ref: str, work: Callable[[ConnectionPool, service.Actor, str], Awaitable[None]]
) -> None:
    async def go(pool: ConnectionPool, actor: service.Actor) -> None:
        await work(pool, actor, await service.find_user_id(pool, ref))

    _run(go)


def _users_create(args: argparse.Namespace) -> None:
    password = None if args.no_password else _password(args)

    async def go(pool: ConnectionPool, actor: service.Actor) -> Any:
        return await service.create_user(
            pool, actor, username=args.username, email=args.email, password=password, role=args.role
        )

    _print(_run(go))


def _users_list(args: argparse.Namespace) -> None:
    for user in _run(lambda pool, _: service.list_users(pool)):
        _print(user)


def _users_set_password(args: argparse.Namespace) -> None:
    password = _password(args)
    _with_user(args.user, lambda pool, actor, uid: service.set_password(pool, actor, uid, password))


def _users_set_role(args: argparse.Namespace) -> None:
    role = None if args.role == "none" else args.role
    _with_user(args.user, lambda pool, actor, uid: service.set_global_role(pool, actor, uid, role))


def register_users(subparsers: Subparsers) -> None:
    users = subparsers.add_parser("users", help="people who log in").add_subparsers(
        dest="users_command", required=True
    )
    create = users.add_parser("create", help="create a user (password from stdin or a prompt)")
    create.add_argument("--username", required=True)
    create.add_argument("--email", required=True)
    create.add_argument("--role", help="global role (admin, developer, viewer, api_client, …)")
    create.add_argument("--password-stdin", action="store_true")
    create.add_argument("--no-password", action="store_true", help="Cloudflare Access only")
    create.set_defaults(run=_users_create)
    users.add_parser("list", help="every user, one JSON object a line").set_defaults(
        run=_users_list
    )
    set_password = users.add_parser("set-password", help="set a password (also unlocks)")
    set_password.add_argument("user", help="id, username or email")
    set_password.add_argument("--password-stdin", action="store_true")
    set_password.set_defaults(run=_users_set_password)
    set_role = users.add_parser("set-role", help="set the global role ('none' removes it)")
    set_role.add_argument("user")
    set_role.add_argument("role")
    set_role.set_defaults(run=_users_set_role)
    for name, helptext, work in (
        ("unlock", "clear a lockout", service.unlock),
        ("deactivate", "deactivate and end every session", _deactivate),
        ("activate", "activate again", _activate),
    ):
        sub = users.add_parser(name, help=helptext)
        sub.add_argument("user")
        sub.set_defaults(run=lambda args, work=work: _with_user(args.user, work))


async def _deactivate(pool: ConnectionPool, actor: service.Actor, user_id: str) -> None:
    await service.set_active(pool, actor, user_id, False)


async def _activate(pool: ConnectionPool, actor: service.Actor, user_id: str) -> None:
    await service.set_active(pool, actor, user_id, True)


def _roles_list(args: argparse.Namespace) -> None:
    for name, description, permissions, builtin in _run(lambda pool, _: service.list_roles(pool)):
        print(json.dumps({"name": name, "description": description,
                          "permissions": permissions, "builtin": builtin}))  # fmt: skip


def register_roles(subparsers: Subparsers) -> None:
    roles = subparsers.add_parser("roles", help="roles: named sets of scopes").add_subparsers(
        dest="roles_command", required=True
    )
    roles.add_parser("list").set_defaults(run=_roles_list)
    upsert = roles.add_parser("set", help="create or change a custom role")
    upsert.add_argument("name")
    upsert.add_argument("--permissions", required=True, help="comma-separated scopes")
    upsert.add_argument("--description")
    upsert.set_defaults(
        run=lambda args: _run(
            lambda pool, actor: service.upsert_role(
                pool, actor, args.name, args.description, args.permissions.split(",")
            )
        )
    )
    remove = roles.add_parser("delete", help="delete a custom role")
    remove.add_argument("name")
    remove.set_defaults(
        run=lambda args: _run(lambda pool, actor: service.delete_role(pool, actor, args.name))
    )


def register_members(subparsers: Subparsers) -> None:
    members = subparsers.add_parser("members", help="project memberships").add_subparsers(
        dest="members_command", required=True
    )
    add = members.add_parser("add", help="give a user a role in a project (or change it)")
    add.add_argument("project", help="project id or slug")
    add.add_argument("user", help="user id, username or email")
    add.add_argument("--role", required=True)
    add.set_defaults(
        run=lambda args: _with_user(
            args.user,
            lambda pool, actor, uid: service.add_member(pool, actor, args.project, uid, args.role),
        )
    )
    remove = members.add_parser("remove", help="take a user out of a project")
    remove.add_argument("project")
    remove.add_argument("user")
    remove.set_defaults(
        run=lambda args: _with_user(
            args.user,
            lambda pool, actor, uid: service.remove_member(pool, actor, args.project, uid),
        )
    )
