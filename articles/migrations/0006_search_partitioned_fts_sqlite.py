"""SQLite: key the FTS5 index by language, listing, category and article.

Measured on 100,000 synthetic articles, a common word's matches cost
0.23 µs each to join to the visibility table, so counting and faceting
55,000 matches took 15-27 ms, before any ranking. Here the FTS5 rowid
itself carries what counting needs:

    key = language slot << 53 | listed << 52 | category id << 32 | article id

(``listed``: status published with a publish time, ``ArticleQuerySet.listed()``).
The listed matches of one language and category are then one contiguous
rowid range, which FTS5 seeks to: the facets of a query are one range
count per category (2-4 ms for the same queries), and the most recent
matches of a category are the top of its range, which bounds ranking (see
the backend). The publish time is still compared with the clock at query
time through ``articles_search_scheduled``, so a scheduled article becomes
findable at its publish time with no job.

The FTS5 table becomes contentless: its rowids are no longer the
``articles_searchdocument`` primary keys, and it never returns column
values (bm25() needs none). Deletes pass the old values, which
``articles_searchdocument`` keeps.

The keys follow the article table however it is written: 0005's triggers
copy the visibility columns to ``articles_search_visibility`` (now updated
in place, and only when one of them changed), and triggers on that table
move an article's index entry to its new key. The layout limits article
ids to 32 bits and category ids to 20 bits; a write beyond them fails with
a message instead of filing the article under a wrong key.

PostgreSQL is unchanged (migration 0007 is its counterpart).
"""

from django.db import migrations

FTS_TABLE = "articles_searchdocument_fts"
# Frozen copy of the backend's LANGUAGE_SLOTS (a test checks they agree).
LANGUAGE_SLOTS = {"zh-hans": 0, "en": 1}
UNKNOWN_LANGUAGE_SLOT = 3
MAX_ARTICLE_ID = (1 << 32) - 1
MAX_CATEGORY_ID = (1 << 20) - 1
COLUMNS = "title, tags, summary, body"


def key_sql(row: str) -> str:
    """Return the SQL of the index key of visibility row ``row``."""
    cases = " ".join(
        f"WHEN '{code}' THEN {slot}" for code, slot in LANGUAGE_SLOTS.items()
    )
    return (
        f"(((CASE {row}.language {cases} ELSE {UNKNOWN_LANGUAGE_SLOT} END) << 53)"
        f" | (({row}.status = 'published' AND {row}.published_at IS NOT NULL) << 52)"
        f" | (COALESCE({row}.category_id, 0) << 32) | {row}.id)"
    )


def _entry(action: str, key: str, source: str, where: str, values: str = "d") -> str:
    """INSERT the FTS5 entry, or its 'delete', of each row ``source`` finds.

    ``values`` names the row holding the document's columns: ``d`` (the
    joined articles_searchdocument), ``new`` or ``old``.
    """
    columns = f"{values}.title, {values}.tags, {values}.summary, {values}.body"
    if action == "delete":
        return (
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {COLUMNS}) "
            f"SELECT 'delete', {key}, {columns} FROM {source} WHERE {where};"
        )
    return (
        f"INSERT INTO {FTS_TABLE}(rowid, {COLUMNS}) "
        f"SELECT {key}, {columns} FROM {source} WHERE {where};"
    )


def _guard(row: str) -> str:
    return (
        "SELECT RAISE(ABORT, 'search index: article id above 2^32 or category "
        f"id above 2^20 does not fit the SQLite search key') WHERE {row}.id > "
        f"{MAX_ARTICLE_ID} OR COALESCE({row}.category_id, 0) > {MAX_CATEGORY_ID};"
    )


KEY = "articles_search_key k"
DOCUMENT = "articles_searchdocument d"
KEYED_DOCUMENT = (
    "articles_searchdocument d "
    "JOIN articles_search_key k ON k.article_id = d.article_id"
)

SQLITE_CREATE = [
    "DROP TRIGGER IF EXISTS articles_searchdocument_ai",
    "DROP TRIGGER IF EXISTS articles_searchdocument_ad",
    "DROP TRIGGER IF EXISTS articles_searchdocument_au",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
    f"""CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(
        {COLUMNS}, content='', tokenize='unicode61 remove_diacritics 0'
    )""",
    f"""CREATE VIEW articles_search_key AS
        SELECT v.id AS article_id, v.language, v.status, v.published_at,
               {key_sql("v")} AS key
        FROM articles_search_visibility v""",
    # Listed articles not yet due are few; the backend excludes them by key.
    """CREATE VIEW articles_search_scheduled AS
        SELECT key, language, published_at FROM articles_search_key
        WHERE status = 'published' AND published_at IS NOT NULL""",
    """CREATE INDEX articles_search_visibility_scheduled
        ON articles_search_visibility (published_at) WHERE status = 'published'""",
    # The document's text changes: its entry is rewritten under its key.
    f"""CREATE TRIGGER articles_searchdocument_ai AFTER INSERT
        ON articles_searchdocument BEGIN
        SELECT RAISE(ABORT, 'search index: the article has no visibility row')
            WHERE NOT EXISTS (
                SELECT 1 FROM articles_search_visibility WHERE id = new.article_id);
        {_entry("insert", "k.key", KEY, "k.article_id = new.article_id", "new")}
    END""",
    f"""CREATE TRIGGER articles_searchdocument_ad AFTER DELETE
        ON articles_searchdocument BEGIN
        {_entry("delete", "k.key", KEY, "k.article_id = old.article_id", "old")}
    END""",
    f"""CREATE TRIGGER articles_searchdocument_au AFTER UPDATE
        ON articles_searchdocument BEGIN
        {_entry("delete", "k.key", KEY, "k.article_id = old.article_id", "old")}
        {_entry("insert", "k.key", KEY, "k.article_id = new.article_id", "new")}
    END""",
    # The article's visibility changes: its entry moves to the new key.
    "DROP TRIGGER IF EXISTS articles_article_search_visibility_au",
    """CREATE TRIGGER articles_article_search_visibility_au AFTER UPDATE
        OF id, language, status, published_at, category_id
        ON articles_article
        WHEN old.id IS NOT new.id OR old.language IS NOT new.language
            OR old.status IS NOT new.status
            OR old.published_at IS NOT new.published_at
            OR old.category_id IS NOT new.category_id
        BEGIN
        UPDATE articles_search_visibility
            SET id = new.id, language = new.language, status = new.status,
                published_at = new.published_at, category_id = new.category_id
            WHERE id = old.id;
    END""",
    f"""CREATE TRIGGER articles_search_visibility_key_ai AFTER INSERT
        ON articles_search_visibility BEGIN
        {_guard("new")}
        {_entry("insert", key_sql("new"), DOCUMENT, "d.article_id = new.id")}
    END""",
    f"""CREATE TRIGGER articles_search_visibility_key_au AFTER UPDATE
        ON articles_search_visibility
        WHEN {key_sql("old")} IS NOT {key_sql("new")}
        BEGIN
        {_guard("new")}
        {_entry("delete", key_sql("old"), DOCUMENT, "d.article_id = old.id")}
        {_entry("insert", key_sql("new"), DOCUMENT, "d.article_id = new.id")}
    END""",
    f"""CREATE TRIGGER articles_search_visibility_key_bd BEFORE DELETE
        ON articles_search_visibility BEGIN
        {_entry("delete", key_sql("old"), DOCUMENT, "d.article_id = old.id")}
    END""",
    # Backfill an existing index, then merge it into one segment.
    _entry("insert", "k.key", KEYED_DOCUMENT, "1").rstrip(";"),
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')",
]

# Back to 0002's external-content table and 0005's update trigger.
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS articles_search_visibility_key_ai",
    "DROP TRIGGER IF EXISTS articles_search_visibility_key_au",
    "DROP TRIGGER IF EXISTS articles_search_visibility_key_bd",
    "DROP TRIGGER IF EXISTS articles_searchdocument_ai",
    "DROP TRIGGER IF EXISTS articles_searchdocument_ad",
    "DROP TRIGGER IF EXISTS articles_searchdocument_au",
    "DROP INDEX IF EXISTS articles_search_visibility_scheduled",
    "DROP VIEW IF EXISTS articles_search_scheduled",
    "DROP VIEW IF EXISTS articles_search_key",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
    f"""CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(
        {COLUMNS},
        content='articles_searchdocument', content_rowid='article_id',
        tokenize='unicode61 remove_diacritics 0'
    )""",
    f"""CREATE TRIGGER articles_searchdocument_ai AFTER INSERT
        ON articles_searchdocument BEGIN
        INSERT INTO {FTS_TABLE}(rowid, {COLUMNS})
        VALUES (new.article_id, new.title, new.tags, new.summary, new.body);
    END""",
    f"""CREATE TRIGGER articles_searchdocument_ad AFTER DELETE
        ON articles_searchdocument BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {COLUMNS})
        VALUES ('delete', old.article_id, old.title, old.tags, old.summary, old.body);
    END""",
    f"""CREATE TRIGGER articles_searchdocument_au AFTER UPDATE
        ON articles_searchdocument BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {COLUMNS})
        VALUES ('delete', old.article_id, old.title, old.tags, old.summary, old.body);
        INSERT INTO {FTS_TABLE}(rowid, {COLUMNS})
        VALUES (new.article_id, new.title, new.tags, new.summary, new.body);
    END""",
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
    "DROP TRIGGER IF EXISTS articles_article_search_visibility_au",
    """CREATE TRIGGER articles_article_search_visibility_au AFTER UPDATE
        OF id, language, status, published_at, category_id
        ON articles_article BEGIN
        DELETE FROM articles_search_visibility WHERE id = old.id;
        INSERT OR REPLACE INTO articles_search_visibility
            (id, language, status, published_at, category_id)
        VALUES (new.id, new.language, new.status, new.published_at, new.category_id);
    END""",
]


def _has_fts5(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA compile_options")
        return "ENABLE_FTS5" in {row[0] for row in cursor.fetchall()}


def _run(schema_editor, statements):
    # Without FTS5 migration 0002 created nothing; the search_fts5 system
    # check reports it.
    connection = schema_editor.connection
    if connection.vendor == "sqlite" and _has_fts5(connection):
        for statement in statements:
            schema_editor.execute(statement)


def create(apps, schema_editor):
    _run(schema_editor, SQLITE_CREATE)


def drop(apps, schema_editor):
    _run(schema_editor, SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [("articles", "0005_search_visibility_sqlite")]

    operations = [migrations.RunPython(create, drop)]
