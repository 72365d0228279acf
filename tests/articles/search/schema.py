"""What the database holds, read back from its catalog, for comparing schemas.

``snapshot()`` describes every table (columns with type, nullability and
default; foreign keys), index, view, trigger and function of the project's
tables, in a form that two databases built by different migration paths can
be compared with (whitespace normalised, no object ids).
"""

import re

from django.db import connection


def _sql(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def _sqlite(cursor) -> dict:
    cursor.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master "
        "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
    )
    objects = cursor.fetchall()
    tables = {}
    others = {}
    for kind, name, table, sql in objects:
        if kind == "table":
            cursor.execute(f'PRAGMA table_xinfo("{name}")')
            columns = [
                (column, kind_, bool(notnull), default, pk)
                for _cid, column, kind_, notnull, default, pk, _hidden in cursor.fetchall()
            ]
            cursor.execute(f'PRAGMA foreign_key_list("{name}")')
            foreign = sorted((row[3], row[2], row[4]) for row in cursor.fetchall())
            # A virtual table's definition is its CREATE statement.
            virtual = _sql(sql) if sql and sql.startswith("CREATE VIRTUAL") else None
            tables[name] = {"columns": columns, "foreign": foreign, "virtual": virtual}
        else:
            others[(kind, name)] = (table, _sql(sql))
    return {"tables": tables, "objects": others}


def _postgres(cursor) -> dict:
    cursor.execute(
        "SELECT c.relname, c.relkind, coalesce(c.reloptions, '{}') FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'v', 'p')"
    )
    tables = {}
    for name, kind, options in cursor.fetchall():
        cursor.execute(
            "SELECT column_name, data_type, is_nullable, column_default "
            "FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = %s "
            "ORDER BY ordinal_position",
            [name],
        )
        columns = [
            (column, type_, nullable, re.sub(r"_seq'::regclass", "", default or ""))
            for column, type_, nullable, default in cursor.fetchall()
        ]
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass ORDER BY conname",
            [name],
        )
        constraints = sorted(
            # Django names foreign keys with a hash of the columns; keep the
            # definition only.
            (_sql(definition),)
            for _name, definition in cursor.fetchall()
        )
        tables[name] = {
            "kind": kind,
            "options": sorted(options),
            "columns": columns,
            "constraints": constraints,
        }
    objects = {}
    cursor.execute(
        "SELECT indexname, tablename, indexdef FROM pg_indexes "
        "WHERE schemaname = current_schema()"
    )
    for name, table, definition in cursor.fetchall():
        objects[("index", name)] = (table, _sql(definition))
    cursor.execute(
        "SELECT viewname, definition FROM pg_views WHERE schemaname = current_schema()"
    )
    for name, definition in cursor.fetchall():
        objects[("view", name)] = ("", _sql(definition))
    cursor.execute(
        "SELECT t.tgname, c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
        "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal"
    )
    for name, table, definition in cursor.fetchall():
        objects[("trigger", name)] = (table, _sql(definition))
    cursor.execute(
        "SELECT p.proname, pg_get_function_identity_arguments(p.oid), "
        "pg_get_functiondef(p.oid) FROM pg_proc p "
        "JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = current_schema()"
    )
    for name, arguments, definition in cursor.fetchall():
        objects[("function", f"{name}({arguments})")] = ("", _sql(definition))
    return {"tables": tables, "objects": objects}


def snapshot(using=connection) -> dict:
    """Return ``{"tables": {...}, "objects": {(kind, name): (table, sql)}}``.

    Django's own bookkeeping (``django_migrations`` rows) is not schema and
    is left out; its table is kept.
    """
    with using.cursor() as cursor:
        if using.vendor == "sqlite":
            return _sqlite(cursor)
        return _postgres(cursor)


def differences(first: dict, second: dict) -> list[tuple]:
    """Return ``(part, name, in first, in second)`` for each object that differs."""
    return [
        (part, name, first[part].get(name), second[part].get(name))
        for part in ("tables", "objects")
        for name in sorted(set(first[part]) | set(second[part]), key=str)
        if first[part].get(name) != second[part].get(name)
    ]
