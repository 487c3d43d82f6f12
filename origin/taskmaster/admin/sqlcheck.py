"""A conservative pre-check of admin SQL: one read statement, no write keyword, no risky function.

This is a first filter with clear error messages, not the guard: the statement then runs in a
``READ ONLY`` transaction as ``taskmaster_readonly`` with a statement timeout, and the transaction
is rolled back. The scanner skips string literals (``'…'``, ``E'…'``, ``$tag$…$tag$``), quoted
identifiers and comments, and looks at what is left: a ``;`` that is followed by anything but
whitespace or comments means a second statement; the first word must start a read; a write or
session keyword anywhere is refused (quote an identifier that happens to be one, e.g. ``"update"``).
"""

from __future__ import annotations

import re

READ_STARTS = frozenset({"select", "with", "values", "table", "explain", "show"})
# Statements that run on a server-side cursor (DECLARE accepts only these), so the row cap also
# caps what crosses the wire; EXPLAIN and SHOW answer a few rows on a plain cursor.
CURSOR_STARTS = frozenset({"select", "with", "values", "table"})
REFUSED_WORDS = frozenset(
    {
        "insert", "update", "delete", "merge", "truncate", "create", "alter", "drop", "grant",
        "revoke", "copy", "vacuum", "cluster", "reindex", "lock", "call", "do", "set", "reset",
        "listen", "notify", "unlisten", "prepare", "execute", "deallocate", "discard", "comment",
        "security", "refresh", "import", "load", "checkpoint", "begin", "commit", "rollback",
        "savepoint", "release", "start", "abort", "into",
    }
)  # fmt: skip
REFUSED_FUNCTIONS = re.compile(
    r"^(set_config|pg_read_file|pg_read_binary_file|pg_ls_\w+|pg_stat_file|lo_\w+|dblink\w*"
    r"|pg_terminate_backend|pg_cancel_backend|pg_reload_conf|pg_rotate_logfile|pg_notify"
    r"|pg_advisory\w*|pg_try_advisory\w*|query_to_xml\w*|cursor_to_xml\w*|pg_logical_\w+"
    r"|pg_replication_\w+|pg_create_\w+|pg_drop_\w+|pg_switch_wal|pg_promote)$"
)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")


class RefusedQuery(ValueError):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def _code_only(sql: str) -> str:
    """``sql`` with literals, quoted identifiers and comments blanked out (same offsets)."""
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        start = i
        ch = sql[i]
        nxt = sql[i + 1] if i + 1 < n else ""
        if ch == "-" and nxt == "-":
            end = sql.find("\n", i)
            i = n if end < 0 else end + 1
            out.append(" " * (i - start))
        elif ch == "/" and nxt == "*":
            depth, i = 1, i + 2
            while i < n and depth:
                if sql.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif sql.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
            if depth:
                raise RefusedQuery("invalid-query", "unterminated comment")
            out.append(" " * (i - start))
        elif ch == "'" or (ch in "eE" and nxt == "'" and not (out and out[-1][-1:].isalnum())):
            backslash = ch in "eE"
            i += 2 if backslash else 1
            while True:
                if i >= n:
                    raise RefusedQuery("invalid-query", "unterminated string literal")
                if backslash and sql[i] == "\\":
                    i += 2
                    continue
                if sql[i] == "'":
                    if i + 1 < n and sql[i + 1] == "'":
                        i += 2
                        continue
                    i += 1
                    break
                i += 1
            out.append(" " * (i - start))
        elif ch == '"':
            end = sql.find('"', i + 1)
            while end >= 0 and end + 1 < n and sql[end + 1] == '"':
                end = sql.find('"', end + 2)
            if end < 0:
                raise RefusedQuery("invalid-query", "unterminated quoted identifier")
            i = end + 1
            out.append(" " * (i - start))
        elif (
            ch == "$"
            and (tag := _DOLLAR_TAG.match(sql, i))
            and not (out and (out[-1][-1:].isalnum() or out[-1][-1:] == "_"))
        ):
            end = sql.find(tag.group(0), tag.end())
            if end < 0:
                raise RefusedQuery("invalid-query", "unterminated dollar-quoted string")
            i = end + len(tag.group(0))
            out.append(" " * (i - start))
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def check(sql: str) -> tuple[str, str]:
    """``(statement without a trailing ';', first keyword)``; raises :class:`RefusedQuery`."""
    if "\x00" in sql:
        raise RefusedQuery("invalid-query", "the query contains a NUL character")
    code = _code_only(sql)
    semicolon = code.find(";")
    if semicolon >= 0:
        if code[semicolon + 1 :].strip():
            raise RefusedQuery("multiple-statements", "only one statement may be sent")
        sql, code = sql[:semicolon], code[:semicolon]  # same offsets: drop the trailing ';'…
    words = [w.lower() for w in _WORD.findall(code)]
    if not words:
        raise RefusedQuery("invalid-query", "the query is empty")
    if words[0] not in READ_STARTS:
        raise RefusedQuery(
            "read-only-query",
            f"only read statements are allowed ({', '.join(sorted(READ_STARTS)).upper()}), "
            f"not {words[0].upper()}",
        )
    for word in words:
        if word in REFUSED_WORDS:
            raise RefusedQuery("read-only-query", f"{word.upper()} is not allowed in admin queries")
        if REFUSED_FUNCTIONS.match(word):
            raise RefusedQuery("read-only-query", f"the function {word} is not allowed")
    return sql.strip(), words[0]
