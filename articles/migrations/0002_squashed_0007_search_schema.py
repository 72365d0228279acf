"""The search schema, as migrations 0002-0007 left it, in one place.

Django creates the four tables from the models (``articles.search.models``
declares every column, PostgreSQL's vectors and visibility copy included);
the statements below add what Django cannot express, per database vendor.
An existing database that applied 0002-0007 has all of this already: Django
marks this migration applied and runs nothing (``replaces``). Migration
0010 then brings such a database to exactly what this one builds: it drops
the index nothing reads any more and gives SQLite the model's columns.

SQLite (FTS5)
-------------
- ``articles_search_visibility``: a narrow rowid copy of each article's
  language, status, publish time and category, kept in step with
  ``articles_article`` by triggers, including writes that bypass the ORM.
- ``articles_searchdocument_fts``: a contentless FTS5 table over the
  analyzed columns, whose rowid is the article's key::

      key = language slot << 53 | listed << 52 | category id << 32 | article id

  (``listed``: published with a publish time). The listed matches of one
  language and category are one contiguous rowid range, so facets are one
  range count per category and the most recent matches are the top of a
  range. The analyzer emits letters and digits only: FTS5 must not fold
  them further (``remove_diacritics 0``). Triggers move an entry to its new
  key when the article's visibility changes, and rewrite it when the text
  changes; the layout limits article ids to 32 bits and category ids to 20,
  and a write beyond them fails with a message.
- ``articles_search_key`` and ``articles_search_scheduled`` (views): the
  key of each article, and the listed articles whose publish time the
  backend compares with the clock at query time.

PostgreSQL
----------
- ``toast_tuple_target = 128``: long values (the text and the vectors) move
  to TOAST, so an index row is ~170 bytes and a GIN bitmap over a common
  word reads few heap pages; only ranking de-TOASTs ``rank_vector``.
- GIN indexes on ``search_vector`` and ``head_vector`` (what matches).
- ``articles_article_search_sync``: copies status, publish time and category
  to the index row on any UPDATE of the article, however it is written.
- ``articles_search_facets`` and ``articles_search_page``: the two calls the
  backend makes, over visible rows (``Article.objects.published()``'s rule,
  the status and the clock passed in by the backend). Their ``SET
  enable_seqscan = off`` keeps the GIN bitmap scan, which the planner would
  price above a sequential scan that de-TOASTs every vector.

Without FTS5, SQLite gets the visibility table only; the search_fts5 system
check reports the missing module.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

# The default synonym groups (migration 0003): the words users say for the
# same action, feature, error or scam. Staff edit them in the admin; the
# reverse only deletes groups still exactly as installed.
DEFAULT_GROUPS = [
    "登录, 登入, 登陆, 登不上, sign in, log in, login, signin",
    "退出登录, 登出, 注销登录, sign out, log out, logout",
    "注册, 开户, 创建账户, sign up, register, registration, create account",
    "账户, 账号, 帐户, account",
    "密码, 登录密码, password, passcode",
    "忘记密码, 找回密码, 重置密码, forgot password, reset password",
    "实名认证, 身份认证, 身份验证, KYC, identity verification, verify identity",
    "双重验证, 二次验证, 两步验证, 谷歌验证, 2FA, two-factor, authenticator, MFA",
    "验证码, 短信验证码, 动态码, verification code, SMS code, OTP",
    "助记词, 恢复短语, 种子词, 私钥, recovery phrase, seed phrase, mnemonic, private key",
    "备份, 备份钱包, backup, back up",
    "恢复钱包, 导入钱包, 找回钱包, restore wallet, import wallet, recover wallet",
    "转账, 转币, 转出, 发送, 汇款, transfer, send, payment",
    "收款, 接收, 转入, receive, incoming",
    "充值, 充币, 存入, 入金, deposit, top up",
    "提现, 提币, 取出, 出金, withdraw, withdrawal, cash out",
    "到账, 入账, 收到, arrive, arrived, credited, received",
    "未到账, 没到账, 没收到, 没有到账, 不到账, not received, not arrived, missing",
    "闪兑, 兑换, 换币, swap, exchange, convert",
    "手续费, 矿工费, 网络费, 燃料费, gas, gas fee, network fee, fee, fees",
    "地址, 钱包地址, 收款地址, address, wallet address",
    "转错地址, 地址错误, 填错地址, wrong address",
    "选错网络, 网络错误, 链错了, 转错链, wrong network, wrong chain",
    "网络, 主网, 链, network, chain, blockchain",
    "交易哈希, 哈希, 交易ID, TxID, TxHash, transaction hash, hash",
    "区块浏览器, 浏览器查询, block explorer, explorer",
    "卡住, 待处理, 处理中, 一直确认中, 未确认, pending, stuck, unconfirmed",
    "加速, 取消交易, speed up, cancel transaction, accelerate",
    "余额, 资产, 币不见了, 余额不显示, balance, assets, funds",
    "代币, 币种, 币, token, coin, crypto",
    "USDT, 泰达币, tether",
    "TRC20, 波场, TRON, TRX",
    "ERC20, 以太坊, Ethereum, ETH",
    "备注, 标签, memo, tag, destination tag",
    "最小金额, 最低限额, 限额, minimum, limit, limits",
    "客服, 人工客服, 在线客服, 联系客服, 支持, customer service, support, contact support, agent",
    "假客服, 冒充客服, 骗子客服, fake support, fake customer service, impersonation",
    "诈骗, 骗局, 被骗, 骗子, scam, fraud, scammer",
    "钓鱼, 钓鱼网站, 假网站, 仿冒网站, phishing, fake website",
    "被盗, 被黑, 盗号, 资产被盗, stolen, hacked, compromised",
    "冻结, 锁定, 封号, 账户锁定, locked, frozen, suspended",
    "闪退, 崩溃, 打不开, 卡死, crash, crashes, freezes, won't open",
    "更新, 升级, 新版本, update, upgrade, new version",
    "下载, 安装, 官方下载, download, install",
    "官方, 正版, 官方应用, official, genuine, official app",
    "网络错误, 连接失败, 网络异常, 连不上, network error, connection failed, offline",
    "清除缓存, 清缓存, 缓存, clear cache, cache",
    "手机号, 手机, 电话, 邮箱, phone number, phone, email",
    "换手机, 新设备, 新手机, 更换设备, new device, new phone, change device",
    "反馈, 建议, 意见, feedback, suggestion",
    "功能建议, 需求, feature request, feature",
    "报告问题, 报错, bug, report bug, issue",
    "评价, 评分, 满意度, rate, rating",
]

# ---------------------------------------------------------------- SQLite --

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

SQLITE_VISIBILITY = [
    """CREATE TABLE articles_search_visibility (
        id INTEGER PRIMARY KEY,
        language varchar(8) NOT NULL,
        status varchar(12) NOT NULL,
        published_at datetime NULL,
        category_id bigint NULL
    )""",
    # A database coming from 0001 may hold articles already.
    """INSERT INTO articles_search_visibility
        (id, language, status, published_at, category_id)
        SELECT id, language, status, published_at, category_id FROM articles_article""",
    """CREATE TRIGGER articles_article_search_visibility_ai AFTER INSERT
        ON articles_article BEGIN
        INSERT OR REPLACE INTO articles_search_visibility
            (id, language, status, published_at, category_id)
        VALUES (new.id, new.language, new.status, new.published_at, new.category_id);
    END""",
    """CREATE TRIGGER articles_article_search_visibility_ad AFTER DELETE
        ON articles_article BEGIN
        DELETE FROM articles_search_visibility WHERE id = old.id;
    END""",
    # Updated in place, and only when a copied column changed.
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
    # Listed articles not yet due are few; the backend excludes them by key.
    """CREATE INDEX articles_search_visibility_scheduled
        ON articles_search_visibility (published_at) WHERE status = 'published'""",
]
SQLITE_FTS = [
    f"""CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(
        {COLUMNS}, content='', tokenize='unicode61 remove_diacritics 0'
    )""",
    f"""CREATE VIEW articles_search_key AS
        SELECT v.id AS article_id, v.language, v.status, v.published_at,
               {key_sql("v")} AS key
        FROM articles_search_visibility v""",
    """CREATE VIEW articles_search_scheduled AS
        SELECT key, language, published_at FROM articles_search_key
        WHERE status = 'published' AND published_at IS NOT NULL""",
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
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS articles_search_visibility_key_ai",
    "DROP TRIGGER IF EXISTS articles_search_visibility_key_au",
    "DROP TRIGGER IF EXISTS articles_search_visibility_key_bd",
    "DROP TRIGGER IF EXISTS articles_searchdocument_ai",
    "DROP TRIGGER IF EXISTS articles_searchdocument_ad",
    "DROP TRIGGER IF EXISTS articles_searchdocument_au",
    "DROP VIEW IF EXISTS articles_search_scheduled",
    "DROP VIEW IF EXISTS articles_search_key",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
    "DROP TRIGGER IF EXISTS articles_article_search_visibility_ai",
    "DROP TRIGGER IF EXISTS articles_article_search_visibility_au",
    "DROP TRIGGER IF EXISTS articles_article_search_visibility_ad",
    "DROP TABLE IF EXISTS articles_search_visibility",
]

# ------------------------------------------------------------ PostgreSQL --

# Visibility of Article.objects.published(), over the copied columns; the
# backend passes the status value and the current time.
VISIBLE = "d.status = published AND d.published_at <= due"

POSTGRES_CREATE = [
    "ALTER TABLE articles_searchdocument SET (toast_tuple_target = 128)",
    """CREATE INDEX articles_searchdocument_vector_gin
        ON articles_searchdocument USING gin (search_vector)""",
    """CREATE INDEX articles_searchdocument_head_gin
        ON articles_searchdocument USING gin (head_vector)""",
    """CREATE FUNCTION articles_searchdocument_sync() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE articles_searchdocument
                SET status = NEW.status, published_at = NEW.published_at, category_id = NEW.category_id
                WHERE article_id = NEW.id;
            RETURN NULL;
        END
        $$""",
    """CREATE TRIGGER articles_article_search_sync
        AFTER UPDATE OF status, published_at, category_id
        ON articles_article FOR EACH ROW
        WHEN (OLD.status IS DISTINCT FROM NEW.status
              OR OLD.published_at IS DISTINCT FROM NEW.published_at
              OR OLD.category_id IS DISTINCT FROM NEW.category_id)
        EXECUTE FUNCTION articles_searchdocument_sync()""",
    # The matches per category among visible rows, without ranking them.
    # ``head`` chooses head_vector (title, tags, summary) over search_vector;
    # the branch not chosen is cut by its one-time filter.
    f"""CREATE FUNCTION articles_search_facets(
            query tsquery, head boolean, published text, due timestamptz)
        RETURNS TABLE (category_id bigint, matches bigint)
        LANGUAGE sql STABLE
        ROWS 20
        SET enable_seqscan = off
        AS $$
            SELECT m.category_id, count(*) FROM (
                SELECT d.category_id FROM articles_searchdocument d
                WHERE head AND d.head_vector @@ query AND {VISIBLE}
                UNION ALL
                SELECT d.category_id FROM articles_searchdocument d
                WHERE NOT head AND d.search_vector @@ query AND {VISIBLE}
            ) m
            GROUP BY m.category_id
        $$""",
    # One ranked page of a tier: the visible rows matching ``query`` (in
    # ``category`` when given) and not ``exclude`` (head matches, NULL:
    # none), of which the ``candidates`` most recent are ranked with ts_rank
    # over rank_vector, weights D 0.1, C 0.3, B 0.5, A 1.0. The matches are
    # materialized so the planner cannot walk the primary key backwards and
    # test every row's vector to find the most recent ones. Candidates
    # whose rank_vector matches ``typed`` (the query as typed; NULL when no
    # synonym was added) come first: synonyms must not outrank the words the
    # user chose. rank_vector is de-TOASTed once (``|| ''``) for both uses.
    f"""CREATE FUNCTION articles_search_page(
            query tsquery, head boolean, rank_query tsquery, exclude tsquery,
            typed tsquery, published text, due timestamptz, category bigint,
            candidates integer, page_size integer, skip integer)
        RETURNS TABLE (article_id bigint, rank real)
        LANGUAGE sql STABLE
        ROWS 20
        SET enable_seqscan = off
        AS $$
            WITH matches AS MATERIALIZED (
                SELECT d.article_id FROM articles_searchdocument d
                WHERE head AND d.head_vector @@ query AND {VISIBLE}
                  AND (category IS NULL OR d.category_id = category)
                UNION ALL
                SELECT d.article_id FROM articles_searchdocument d
                WHERE NOT head AND d.search_vector @@ query AND {VISIBLE}
                  AND (category IS NULL OR d.category_id = category)
            ), excluded AS MATERIALIZED (
                SELECT d.article_id FROM articles_searchdocument d
                WHERE exclude IS NOT NULL AND d.head_vector @@ exclude
            ), recent AS (
                SELECT m.article_id FROM matches m
                WHERE m.article_id NOT IN (SELECT e.article_id FROM excluded e)
                ORDER BY m.article_id DESC
                LIMIT candidates
            )
            SELECT c.article_id,
                   ts_rank('{{0.1, 0.3, 0.5, 1.0}}', c.vector, rank_query) AS rank
            FROM (
                SELECT r.article_id, d.rank_vector || ''::tsvector AS vector
                FROM recent r
                JOIN articles_searchdocument d ON d.article_id = r.article_id
                OFFSET 0
            ) c
            ORDER BY coalesce(c.vector @@ typed, false) DESC, rank DESC, c.article_id
            LIMIT page_size OFFSET skip
        $$""",
]
POSTGRES_DROP = [
    (
        "DROP FUNCTION IF EXISTS articles_search_page(tsquery, boolean, tsquery, "
        "tsquery, tsquery, text, timestamptz, bigint, integer, integer, integer)"
    ),
    "DROP FUNCTION IF EXISTS articles_search_facets(tsquery, boolean, text, timestamptz)",
    "DROP TRIGGER IF EXISTS articles_article_search_sync ON articles_article",
    "DROP FUNCTION IF EXISTS articles_searchdocument_sync()",
    # The table, its indexes and options go with DeleteModel.
]


def has_fts5(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA compile_options")
        return "ENABLE_FTS5" in {row[0] for row in cursor.fetchall()}


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def create_engine_structures(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        _run(schema_editor, SQLITE_VISIBILITY)
        if has_fts5(connection):
            _run(schema_editor, SQLITE_FTS)
    elif connection.vendor == "postgresql":
        _run(schema_editor, POSTGRES_CREATE)


def drop_engine_structures(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_DROP)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_DROP)


def install_synonyms(apps, schema_editor):
    SynonymGroup = apps.get_model("articles", "SynonymGroup")
    SynonymGroup.objects.bulk_create(
        SynonymGroup(terms=terms, note="default") for terms in DEFAULT_GROUPS
    )


def uninstall_synonyms(apps, schema_editor):
    SynonymGroup = apps.get_model("articles", "SynonymGroup")
    SynonymGroup.objects.filter(terms__in=DEFAULT_GROUPS, note="default").delete()


class Migration(migrations.Migration):

    replaces = [
        ("articles", "0002_search"),
        ("articles", "0003_default_synonyms"),
        ("articles", "0004_search_visibility_columns"),
        ("articles", "0005_search_visibility_sqlite"),
        ("articles", "0006_search_partitioned_fts_sqlite"),
        ("articles", "0007_search_narrow_rows_postgres"),
    ]

    dependencies = [
        ("articles", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "article",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="articles.article",
                    ),
                ),
                ("title", models.TextField(default="")),
                ("tags", models.TextField(default="")),
                ("summary", models.TextField(default="")),
                ("body", models.TextField(default="")),
                (
                    "search_vector",
                    django.contrib.postgres.search.SearchVectorField(db_default=""),
                ),
                (
                    "rank_vector",
                    django.contrib.postgres.search.SearchVectorField(db_default=""),
                ),
                (
                    "head_vector",
                    django.contrib.postgres.search.SearchVectorField(db_default=""),
                ),
                ("status", models.CharField(max_length=12, null=True)),
                ("published_at", models.DateTimeField(null=True)),
                (
                    "category",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="articles.category",
                    ),
                ),
            ],
            options={
                "verbose_name": "search document",
                "verbose_name_plural": "search documents",
            },
        ),
        migrations.CreateModel(
            name="SearchTerm",
            fields=[
                (
                    "term",
                    models.CharField(max_length=64, primary_key=True, serialize=False),
                ),
                ("surface", models.CharField(max_length=64)),
            ],
            options={
                "verbose_name": "search term",
                "verbose_name_plural": "search terms",
            },
        ),
        migrations.CreateModel(
            name="SynonymGroup",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "terms",
                    models.TextField(
                        help_text="Words or phrases that mean the same, in any language, one per line or separated by commas, e.g. 登录, 登入, sign in, log in.",
                        verbose_name="terms",
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                (
                    "note",
                    models.CharField(blank=True, max_length=200, verbose_name="note"),
                ),
                (
                    "updated_at",
                    models.DateTimeField(auto_now=True, verbose_name="updated"),
                ),
            ],
            options={
                "verbose_name": "synonym group",
                "verbose_name_plural": "synonym groups",
                "ordering": ["pk"],
            },
        ),
        migrations.CreateModel(
            name="SearchQuery",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "query",
                    models.CharField(
                        db_index=True, max_length=200, verbose_name="query"
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        choices=[("zh-hans", "简体中文"), ("en", "English")],
                        max_length=8,
                        verbose_name="language",
                    ),
                ),
                ("result_count", models.PositiveIntegerField(verbose_name="results")),
                (
                    "opened_rank",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="rank opened"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        auto_now_add=True, db_index=True, verbose_name="searched at"
                    ),
                ),
                (
                    "opened_article",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="articles.article",
                        verbose_name="opened result",
                    ),
                ),
            ],
            options={
                "verbose_name": "search query",
                "verbose_name_plural": "search queries",
                "ordering": ["-created_at"],
            },
        ),
        migrations.RunPython(install_synonyms, uninstall_synonyms),
        migrations.RunPython(create_engine_structures, drop_engine_structures),
    ]
