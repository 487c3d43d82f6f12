"""``taskmaster``: the ops command line (installed by ``make`` into .venv/bin).

Each command group is a function that registers its sub-parser; to add a group, write
``register_<group>(subparsers)`` and call it from :func:`build_parser`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from taskmaster.backup.cli import register_db
from taskmaster.devdb import main as devdb_main
from taskmaster.keys.cli import register_keys
from taskmaster.maintenance.cli import register_maintenance
from taskmaster.people.cli import register_members, register_roles, register_users


def register_devdb(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("devdb", help="start/stop the embedded development PostgreSQL")
    parser.add_argument("action", choices=["start", "stop", "url"])
    parser.add_argument("data_dir")
    parser.add_argument("port", nargs="?", default="0")
    parser.set_defaults(run=lambda args: devdb_main([args.action, args.data_dir, args.port]))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="taskmaster", description="TaskMaster API operations")
    subparsers = parser.add_subparsers(dest="command", required=True)
    register_devdb(subparsers)
    register_keys(subparsers)
    register_maintenance(subparsers)
    register_db(subparsers)
    register_users(subparsers)
    register_roles(subparsers)
    register_members(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
