"""``python -m service_catalog agents …``: agent accounts from the shell.

agents add NAME --role agent|supervisor   password from stdin (asked twice on a terminal)
agents passwd NAME                        a new password from stdin; ends the agent's sessions
agents disable NAME / agents enable NAME  disabling ends the agent's sessions at once
agents list                               name, role, enabled or disabled
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import re
import sys
from typing import TextIO

from ..db import Database
from .passwords import WeakPassword, hash_password

__all__ = ["NAME", "read_password", "run"]

NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


def read_password(stdin: TextIO) -> str:
    """The password: asked twice on a terminal, else the first line of standard input."""
    if stdin.isatty():
        first = getpass.getpass("password (at least 12 characters): ")
        if getpass.getpass("again: ") != first:
            raise WeakPassword("the two passwords differ")
        return first
    return stdin.readline().rstrip("\r\n")


async def _run(args: argparse.Namespace, database_url: str, stdin: TextIO) -> int:
    action = args.action
    if action != "list" and not NAME.match(args.name):
        print("error: NAME must be 1-64 letters, digits, '_', '.' or '-'", file=sys.stderr)
        return 2
    password_hash = ""
    if action in {"add", "passwd"}:
        try:
            password_hash = await asyncio.to_thread(hash_password, read_password(stdin))
        except WeakPassword as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    db = await Database.open(database_url)
    try:
        if action == "list":
            for agent in await db.list_agents():
                print(f"{agent.name}\t{agent.role}\t{'disabled' if agent.disabled else 'enabled'}")
            return 0
        if action == "add":
            if not await db.add_agent(args.name, args.role, password_hash):
                print(f"error: an agent called {args.name} exists; use `agents passwd {args.name}` to set a new password", file=sys.stderr)
                return 1
            print(f"added {args.role} {args.name}")
            return 0
        if action == "passwd":
            done = await db.set_agent_password(args.name, password_hash)
        else:
            done = await db.set_agent_disabled(args.name, action == "disable")
        if not done:
            print(f"error: no agent called {args.name}", file=sys.stderr)
            return 1
        print(f"{action}: {args.name} (open sessions ended)")
        return 0
    finally:
        await db.close()


def run(args: argparse.Namespace, database_url: str, stdin: TextIO | None = None) -> int:
    """Run one ``agents`` sub-command; the exit status. The password is read from ``stdin`` (default: ``sys.stdin``)."""
    return asyncio.run(_run(args, database_url, stdin or sys.stdin))


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser], func: object) -> None:
    """The ``agents`` command and its sub-commands, calling ``func(args)``."""
    agents = sub.add_parser("agents", help="agent console accounts").add_subparsers(dest="action", required=True)
    add = agents.add_parser("add", help="create an account; the password is read from standard input")
    add.add_argument("name")
    add.add_argument("--role", choices=["agent", "supervisor"], required=True)
    for action, text in (("passwd", "set a new password (standard input)"), ("disable", "disable an account"), ("enable", "enable an account again")):
        agents.add_parser(action, help=text).add_argument("name")
    agents.add_parser("list", help="list the accounts")
    for parser in agents.choices.values():
        # SUPPRESS: without it the sub-command's unset option would overwrite `--data-dir X agents ...`.
        parser.add_argument("--data-dir", dest="data_dir", default=argparse.SUPPRESS, help="folder of the catalogue database")
        parser.set_defaults(func=func)
