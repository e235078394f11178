"""Damage in the progress file: finding it, and reading every row that can still be read.

SQLite's `quick_check` finds damage to the file's structure, but 16 overwritten bytes inside a row
pass it and only fail when that row is read; `healthy` therefore also reads every row. `salvage`
reads a damaged table in one go if it can, else by rowid ranges, else row by row, and keeps each
row that reads back whole with the types the course writes.
"""
from __future__ import annotations

import contextlib
import json
import math
import sqlite3

from course.store_schema import TABLES, Rows, rollback, tables

_CHUNK = 64  # rows read at once around damage; a failing range is read again row by row


def sound(table: str, row: tuple) -> bool:
    """Tell whether a row read back has the types the course writes (a garbled row may read without error)."""
    if not all(isinstance(v, str) for name, v in zip(TABLES[table], row) if name not in ("correct", "score", "value")):
        return False
    if table == "attempts":
        try:
            json.loads(row[3])
        except (ValueError, RecursionError):
            return False
        return isinstance(row[4], int) and isinstance(row[5], (int, float)) and math.isfinite(row[5])
    return table != "ratings" or row[3] is None or isinstance(row[3], int)


def healthy(conn: sqlite3.Connection) -> bool:
    """Tell whether the file passes SQLite's quick check and every row of the course's tables reads back sound."""
    if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
        return False
    present = tables(conn)
    return all(sound(table, row) for table in TABLES if table in present
               for row in conn.execute(f"SELECT {', '.join(TABLES[table])} FROM {table}"))


def _read_table(conn: sqlite3.Connection, db: str, table: str) -> list[tuple]:
    select = f"SELECT {', '.join(TABLES[table])} FROM {db}.{table}"
    try:
        return conn.execute(select + " ORDER BY rowid").fetchall()
    except sqlite3.DatabaseError:
        pass  # damaged somewhere: read around the damage below
    try:
        top = conn.execute(f"SELECT max(rowid) FROM {db}.{table}").fetchone()[0] or 0
    except sqlite3.DatabaseError:  # the last page is damaged: no rowid lies past one row per 8 bytes of the file
        pages = conn.execute(f"PRAGMA {db}.page_count").fetchone()[0]
        top = pages * conn.execute(f"PRAGMA {db}.page_size").fetchone()[0] // 8
    rows: list[tuple] = []
    for start in range(1, top + 1, _CHUNK):
        try:
            rows += conn.execute(select + " WHERE rowid BETWEEN ? AND ? ORDER BY rowid",
                                 (start, start + _CHUNK - 1)).fetchall()
            continue
        except sqlite3.DatabaseError:
            pass  # this range touches the damage: read its rows one by one
        for rowid in range(start, min(start + _CHUNK, top + 1)):
            with contextlib.suppress(sqlite3.DatabaseError):  # a row on the damaged page is lost; the rest are kept
                rows += conn.execute(select + " WHERE rowid = ?", (rowid,)).fetchall()
    return rows


def salvage(conn: sqlite3.Connection, db: str = "main") -> tuple[Rows, int | None]:
    """Return every sound row of the course's tables that can still be read, and how many rows the file says it holds.

    The count is None when the file cannot say. A table that is missing, or lacks a column the course
    needs (a newer course may have changed it), is skipped. Never raises sqlite3.DatabaseError.
    """
    try:
        present = tables(conn, db)
    except sqlite3.DatabaseError:
        return {}, None
    rows: Rows = {}
    total: int | None = 0
    for table, columns in TABLES.items():
        if not set(columns) <= set(present.get(table, ())):
            continue
        rows[table] = [r for r in _read_table(conn, db, table) if sound(table, r)]
        try:
            count = conn.execute(f"SELECT count(*) FROM {db}.{table}").fetchone()[0]
            total = None if total is None else total + count
        except sqlite3.DatabaseError:
            total = None
    return rows, total


def fill(conn: sqlite3.Connection, rows: Rows) -> int:
    """Insert rows in their order into a prepared store, in one transaction; return how many were added.

    A row whose uid (or key) is already there is skipped, and so is one garbled into a missing value.
    """
    added = 0
    if not any(rows.values()):
        return added  # nothing to write, so no lock to wait for
    try:
        conn.execute("BEGIN IMMEDIATE")
        for table, items in rows.items():
            columns = TABLES[table]
            sql = (f"INSERT INTO main.{table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
                   "ON CONFLICT DO NOTHING")
            for row in items:
                with contextlib.suppress(sqlite3.IntegrityError):  # a value garbled into NULL: that row is lost
                    added += conn.execute(sql, row).rowcount
        conn.execute("COMMIT")
    except BaseException:
        rollback(conn)
        raise
    return added
