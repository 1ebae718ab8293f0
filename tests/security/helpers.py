"""What the security sweeps share: whole-database snapshots and their differences, which programme a row belongs
to, and savepoints that undo whatever a request did.

The sweeps run against the access-matrix world (``tests.test_access_matrix.build_world``: programmes A and B
with one object of every kind), so "B's object of table T" is always at hand.
"""
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import DateTime, select

from planner.models import Base

#: (table, column) pairs that legitimately change on any authenticated call: not a write by the request under test
BOOKKEEPING = frozenset({("api_token", "last_used_at"), ("user_account", "last_login_at")})


def tables():
    return Base.metadata.sorted_tables


def _key_columns(table) -> list[str]:
    return [column.name for column in table.primary_key.columns] or [column.name for column in table.columns]


def snapshot(connection) -> dict[str, dict[tuple, dict]]:
    """Every row of every table of the app, by table name and primary key."""
    result = {}
    for table in tables():
        keys = _key_columns(table)
        rows = connection.execute(select(table)).mappings().all()
        result[table.name] = {tuple(row[key] for key in keys): dict(row) for row in rows}
    return result


@dataclass
class Effect:
    """What changed between two snapshots."""

    #: (table, primary key, column) -> (before, after)
    changed: dict[tuple, tuple] = field(default_factory=dict)
    #: (table, primary key) of rows that went away
    deleted: set[tuple] = field(default_factory=set)
    #: table -> the new rows
    added: dict[str, list[dict]] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not (self.changed or self.deleted or self.added)

    def describe(self, limit: int = 12) -> str:
        lines = [f"changed {table}{key}.{column}: {old!r} -> {new!r}"
                 for (table, key, column), (old, new) in list(self.changed.items())[:limit]]
        lines += [f"deleted {table}{key}" for table, key in sorted(self.deleted, key=repr)[:limit]]
        lines += [f"added {table}: {len(rows)} row(s)" for table, rows in self.added.items()]
        return "; ".join(lines) or "nothing"


def difference(before: dict, after: dict, ignore: Iterable[tuple[str, str]] = BOOKKEEPING) -> Effect:
    """The effect that turned ``before`` into ``after``; ``ignore`` lists (table, column) pairs left out."""
    ignored = set(ignore)
    effect = Effect()
    for table, rows in after.items():
        old_rows = before.get(table, {})
        for key, row in rows.items():
            old = old_rows.get(key)
            if old is None:
                effect.added.setdefault(table, []).append(row)
                continue
            for column, value in row.items():
                if (table, column) not in ignored and old.get(column) != value:
                    effect.changed[(table, key, column)] = (old.get(column), value)
        for key in old_rows.keys() - rows.keys():
            effect.deleted.add((table, key))
    return effect


@contextmanager
def undone(connection) -> Iterator[None]:
    """Run the block in a savepoint of the test's connection and roll it back afterwards, whatever the block
    committed through requests (their sessions nest savepoints inside this one)."""
    savepoint = connection.begin_nested()
    try:
        yield
    finally:
        if savepoint.is_active:
            savepoint.rollback()


# --- comparing a run with added fields against two runs without them --------------------------------------------

def moments() -> set[tuple[str, str]]:
    """(table, column) of every timestamp (a date-time column named ``*_at``): the clock moves between runs, so
    these never compare; a local time such as ``local_start`` is data and still does."""
    found = set()
    for table in tables():
        for column in table.columns:
            kind = getattr(column.type, "impl_instance", column.type)  # a TypeDecorator's underlying type
            if isinstance(kind, DateTime) and column.name.endswith("_at"):
                found.add((table.name, column.name))
    return found


def noise(first, second) -> set[tuple[str, str]]:
    """(table, column) pairs whose values differ between two runs of the same submission, and every moment."""
    noisy = moments()
    for key in first.changed.keys() ^ second.changed.keys():
        noisy.add(key[0::2])
    for key in first.changed.keys() & second.changed.keys():
        if first.changed[key] != second.changed[key]:
            noisy.add(key[0::2])
    for table in first.added.keys() | second.added.keys():
        rows1 = sorted(first.added.get(table, []), key=lambda row: repr(sorted(row.items())))
        rows2 = sorted(second.added.get(table, []), key=lambda row: repr(sorted(row.items())))
        if len(rows1) != len(rows2):
            noisy.add((table, "*"))
            continue
        for row1, row2 in zip(rows1, rows2):
            noisy |= {(table, column) for column in row1 if row1[column] != row2.get(column)}
    return noisy


def canonical(effect, noisy):
    changed = frozenset((key, values[1]) for key, values in effect.changed.items() if key[0::2] not in noisy)
    added = {table: sorted(repr(sorted((column, value) for column, value in row.items()
                                       if (table, column) not in noisy)) for row in rows)
             for table, rows in effect.added.items() if (table, "*") not in noisy}
    added_counts = {table: len(rows) for table, rows in effect.added.items()}
    return changed, frozenset(effect.deleted), added, added_counts


def _holds(value, forged: str) -> bool:
    """Whether a stored value is the forged one (a moment compared by its text: "2000-01-01 00:00:00+00:00")."""
    text = str(value)
    return text == forged or (isinstance(value, datetime) and text.replace(" ", "T").startswith(forged.rstrip("Z")))


def forged_values_written(effect, forged: dict[str, str]) -> list[str]:
    """Cells of the effect that hold a forged value in the column of the forged field's name."""
    found = []
    for (table, key, column), (_old, new) in effect.changed.items():
        if column in forged and _holds(new, forged[column]):
            found.append(f"{table}{key}.{column} = {new!r}")
    for table, rows in effect.added.items():
        for row in rows:
            found += [f"new {table}.{column} = {row[column]!r}" for column in forged
                      if column in row and column != "id" and _holds(row[column], forged[column])]
    return found


def _mask(location: str | None) -> str | None:
    return re.sub(r"\d+", "#", location) if location else location


def compare(first, second, attacked, added: dict[str, str]) -> list[str]:
    """What the added fields did: each run is (status, Location, Effect); ``first`` and ``second`` without them."""
    status, location, effect = attacked
    if status >= 400 and effect.is_empty():
        return []  # refusing a field is as good as ignoring it
    problems = []
    noisy = noise(first[2], second[2])
    same_location = first[1] == location or (first[1] != second[1] and _mask(first[1]) == _mask(location))
    if first[0] != status or not same_location:
        problems.append(f"{first[0]} {first[1]} without the added fields, {status} {location} with them")
    elif canonical(first[2], noisy) != canonical(effect, noisy):
        problems.append(f"the added fields changed what was written: {effect.describe()} instead of "
                        f"{first[2].describe()}")
    forged = set(forged_values_written(effect, added)) - set(forged_values_written(first[2], added))
    if forged:
        problems.append(f"stored forged values: {sorted(forged)}")
    return problems


# --- which programme a row belongs to --------------------------------------------------------------------------

class Ownership:
    """Finds the programme of any row by following foreign keys to a table with ``programme_id`` (a deliverable
    through its stage, an invitee through its meeting ...). Users belong to the programmes they hold roles in."""

    def __init__(self, connection):
        self.connection = connection
        self.snap = snapshot(connection)
        self._by_table = {table.name: table for table in tables()}
        self._cache: dict[tuple[str, tuple], frozenset[int]] = {}

    def programmes_of(self, table_name: str, key: tuple) -> frozenset[int]:
        cache_key = (table_name, key)
        if cache_key in self._cache:
            return self._cache[cache_key]
        self._cache[cache_key] = frozenset()  # cycles (user -> person -> ...) resolve to nothing
        row = self.snap[table_name].get(key)
        found: set[int] = set()
        if row is not None:
            if table_name == "programme":
                found = {row["id"]}
            elif table_name == "user_account":
                found = {membership["programme_id"] for membership in self.snap["membership"].values()
                         if membership["user_id"] == row["id"]}
            elif row.get("programme_id") is not None:
                found = {row["programme_id"]}
            else:
                for column in self._by_table[table_name].columns:
                    for foreign_key in column.foreign_keys:
                        value = row.get(column.name)
                        if value is not None:
                            found |= self.programmes_of(foreign_key.column.table.name, (value,))
        self._cache[cache_key] = frozenset(found)
        return self._cache[cache_key]

    def ids_in(self, table_name: str, programme_id: int, *, only: bool = True) -> list[int]:
        """Ids of the rows of ``table_name`` that belong to ``programme_id`` (``only``: to no other programme)."""
        ids = []
        for key in sorted(self.snap[table_name]):
            owners = self.programmes_of(table_name, key)
            if programme_id in owners and (not only or owners == {programme_id}):
                ids.append(key[0])
        return ids
