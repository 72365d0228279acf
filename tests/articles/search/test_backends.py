"""The contract every search backend meets, run against each engine."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import (
    HealthCheck,
    given,
    settings as hypothesis_settings,
    strategies as st,
)

from articles.models import Article
from articles.search.backends.reference import ReferenceSearchBackend
from articles.search.models import SearchDocument, SynonymGroup
from tests.factories import make_article, make_category

HOSTILE = [
    '"',
    "'",
    "*",
    "-",
    "%",
    "^",
    "NEAR(",
    "NEAR(转账 到账, 2)",
    "title:转账",
    "转账 AND",
    "OR",
    "NOT 转账",
    "AND OR NOT",
    "((转账",
    "转账))",
    '"转账',
    "\x00",
    "转\x00账",
    "转账" * 5000,
    "😀🔥转账😀",
    "مرحبا بالعالم",
    "שלום ‏转账",
    "（转账）！？。",
    "\\",
    "'; DROP TABLE articles_article; --",
    ":*",
    "a & b | !c",
    "<mark>x</mark>",
]


def ids(result):
    return [hit.article_id for hit in result.hits]


@pytest.fixture
def corpus(db):
    transfers = make_category(slug="transfers")
    security = make_category(slug="security")
    return {
        "transfer": make_article(
            category=transfers,
            title="转账显示成功但对方没收到",
            summary="转账已完成却迟迟未到账时的排查步骤。",
            body="核对地址、网络和交易哈希。",
            tags=["转账", "到账"],
        ),
        "password": make_article(
            category=security,
            title="忘记登录密码",
            summary="通过邮箱重置密码。",
            body="在登录页点击忘记密码。",
        ),
        "crash": make_article(
            category=security,
            language="en",
            title="The app crashes on start",
            summary="What to do when the app closes by itself.",
            body="Update the app, then restart your phone. Reinstalling keeps your wallet.",
        ),
        "kyc": make_article(
            category=security,
            title="如何完成实名认证",
            summary="上传证件照片。",
            body="认证通常在一个工作日内完成。",
        ),
    }


def test_backend_finds_two_character_chinese_word(backend, corpus):
    assert ids(backend.search("密码", language="zh-hans")) == [corpus["password"].pk]


def test_backend_finds_phrase_sentence(backend, corpus):
    result = backend.search("转账未到账怎么办", language="zh-hans")
    assert ids(result)[0] == corpus["transfer"].pk


def test_backend_finds_traditional_query(backend, corpus):
    assert ids(backend.search("轉帳", language="zh-hans")) == [corpus["transfer"].pk]


def test_backend_applies_default_synonyms(backend, corpus):
    assert ids(backend.search("KYC", language="zh-hans")) == [corpus["kyc"].pk]
    assert ids(backend.search("登入", language="zh-hans")) == [corpus["password"].pk]


def test_backend_synonym_edit_takes_effect_without_reindex(backend, corpus):
    assert ids(backend.search("闪退", language="en")) == [corpus["crash"].pk]
    assert backend.search("罢工", language="en").total == 0
    SynonymGroup.objects.create(terms="罢工, crash")
    assert ids(backend.search("罢工", language="en")) == [corpus["crash"].pk]


def test_backend_stems_english(backend, corpus):
    assert ids(backend.search("crashing", language="en")) == [corpus["crash"].pk]


def test_backend_corrects_typos(backend, corpus):
    result = backend.search("reinstal walet", language="en")
    assert result.corrected_query == "reinstal wallet"
    assert ids(result) == [corpus["crash"].pk]


def test_backend_never_corrects_a_real_word_the_index_lacks(backend, db):
    # "support" is one letter from "sport", but it is an English word.
    article = make_article(title="Sport mode", language="en")
    result = backend.search("support", language="en")
    assert (result.corrected_query, result.suggested_query) == (None, None)
    assert result.total == 0
    assert backend.search("spoort", language="en").corrected_query == "sport"
    assert ids(backend.search("spoort", language="en")) == [article.pk]


def test_backend_corrects_when_typed_words_match_only_part(backend, db):
    category = make_category()
    backup = make_article(category=category, title="Backup", language="en")
    wallet = make_article(category=category, title="Wallet", language="en")
    result = backend.search("walet backup", language="en")
    assert result.corrected_query == "wallet backup"
    assert result.suggested_query is None
    assert set(ids(result)) == {backup.pk, wallet.pk}


def test_backend_offers_correction_when_typed_query_matches(backend, db):
    # A synonym makes the misspelling match as typed: the results stand,
    # and the correction is offered, not applied.
    SynonymGroup.objects.create(terms="walet, purse")
    purse = make_article(title="Purse", language="en")
    make_article(title="Wallet", language="en")
    result = backend.search("walet", language="en")
    assert (result.corrected_query, result.suggested_query) == (None, "wallet")
    assert ids(result) == [purse.pk]


def test_backend_corrects_nothing_when_the_correction_finds_nothing(backend, db):
    make_article(title="Wallet", language="en", status="draft")
    result = backend.search("walet", language="en")
    assert (result.corrected_query, result.total) == (None, 0)


def test_backend_skips_correction_when_asked(backend, corpus):
    result = backend.search("walet", language="en", use_correction=False)
    assert result.corrected_query is None
    assert result.total == 0


def test_backend_ranks_title_hit_above_body_only_hit(backend, db):
    category = make_category()
    body_hit = make_article(
        category=category, title="其他问题", body="这里提到钱包一次。"
    )
    title_hit = make_article(category=category, title="钱包备份", body="备份说明。")
    for number in range(3):
        make_article(
            category=category, title=f"无关文章{number}", body="没有相关内容。"
        )
    assert ids(backend.search("钱包", language="zh-hans")) == [
        title_hit.pk,
        body_hit.pk,
    ]


def test_backend_requires_every_term_when_some_article_has_all(backend, db):
    category = make_category()
    both = make_article(category=category, title="USDT fee", language="en")
    make_article(category=category, title="USDT only", language="en")
    make_article(category=category, title="fee only", language="en")
    result = backend.search("usdt fee", language="en")
    assert (ids(result), result.mode) == ([both.pk], "and")


def test_backend_drops_junction_bigrams_before_falling_back(backend, db):
    category = make_category()
    both = make_article(category=category, title="价格和确认")
    make_article(category=category, title="只有价格")
    result = backend.search("价格确认", language="zh-hans")
    assert (ids(result), result.mode) == ([both.pk], "cover")


def test_backend_falls_back_to_any_term_title_first(backend, db):
    category = make_category()
    usdt = make_article(category=category, title="USDT deposits", language="en")
    body = make_article(
        category=category, title="Fees", body="USDT in the body", language="en"
    )
    make_article(category=category, title="Cards", body="Nothing here", language="en")
    result = backend.search("usdt zebra", language="en", use_correction=False)
    # "zebra" is in no article: the page says it matched part of the query.
    assert (ids(result), result.mode, result.is_partial, result.total) == (
        [usdt.pk, body.pk],
        "partial",
        True,
        2,
    )


def test_backend_ranks_the_article_covering_most_of_a_long_question(backend, db):
    category = make_category()
    common = "Open the app and check your wallet settings."
    make_article(
        category=category,
        language="en",
        title="Wallet settings",
        body=common,
    )
    best = make_article(
        category=category,
        language="en",
        title="Withdrawal pending for hours",
        body=common + " A withdrawal waits for network confirmations.",
    )
    make_article(
        category=category,
        language="en",
        title="Network fees",
        body=common + " Fees depend on the network.",
    )
    for number in range(4):
        make_article(
            category=category,
            language="en",
            title=f"App guide {number}",
            body=common,
        )
    question = (
        "hi, I opened the app yesterday and my withdrawal has been pending "
        "for hours, is the network slow or is my wallet broken??"
    )
    result = backend.search(question, language="en", use_correction=False)
    assert result.is_partial
    assert ids(result)[0] == best.pk
    # Every article has some word of the question, none every word.
    assert (result.total, result.with_every_word) == (7, 0)


def test_backend_lists_part_matches_after_the_few_having_every_word(backend, db):
    """A question of three words or more that fewer than ``fill_below``
    articles contain in full: those come first, then the articles covering
    part of it, so the page never stops at two or three results."""
    category = make_category()
    full = [
        make_article(
            category=category,
            language="en",
            title=f"Withdrawal pending network {number}",
            published_at=timezone.now() - timedelta(days=number + 1),
        )
        for number in range(backend.fill_below - 1)
    ]
    part = make_article(category=category, language="en", title="Withdrawal limits")
    make_article(category=category, language="en", title="Card design")
    result = backend.search(
        "withdrawal pending network", language="en", use_correction=False
    )
    assert not result.is_partial
    assert set(ids(result)[: len(full)]) == {article.pk for article in full}
    assert ids(result)[len(full) :] == [part.pk]
    assert result.total == len(full) + 1
    # The page tells the two apart.
    assert result.with_every_word == len(full)
    # So does the second page, and a category search.
    second = backend.search(
        "withdrawal pending network",
        language="en",
        use_correction=False,
        limit=2,
        offset=2,
    )
    assert second.with_every_word == len(full) and len(second.hits) == 2
    in_category = backend.search(
        "withdrawal pending network",
        language="en",
        use_correction=False,
        category=category,
    )
    assert (in_category.total, in_category.with_every_word) == (
        len(full) + 1,
        len(full),
    )
    # With fill_below articles having every word, nothing else is listed.
    make_article(category=category, language="en", title="Withdrawal pending network")
    result = backend.search(
        "withdrawal pending network", language="en", use_correction=False
    )
    assert result.total == result.with_every_word == backend.fill_below


def test_backend_partial_chinese_question_finds_the_covering_article(backend, db):
    category = make_category()
    best = make_article(
        category=category, title="提现一直显示处理中", body="请耐心等待。"
    )
    make_article(category=category, title="充值说明", body="充值后一直等待确认。")
    result = backend.search("我的提现一直处理中火星人怎么办", language="zh-hans")
    assert result.is_partial
    assert ids(result)[0] == best.pk


def test_backend_partial_respects_language_category_and_visibility(backend, db):
    category, other = make_category(), make_category()
    found = make_article(category=category, language="en", title="USDT deposits")
    make_article(category=other, language="en", title="USDT fees")
    make_article(category=category, language="en", title="USDT draft", status="draft")
    make_article(category=category, title="USDT 充值")
    result = backend.search(
        "usdt zebra", language="en", category=category, use_correction=False
    )
    assert (ids(result), result.total, result.facets, result.is_partial) == (
        [found.pk],
        1,
        {category.pk: 1, other.pk: 1},
        True,
    )


def test_backend_nonsense_returns_zero(backend, corpus):
    for nonsense in ["zxqv blorpt", "火星人外星飞碟", "qqqq 火星人"]:
        result = backend.search(nonsense, language="zh-hans", use_correction=False)
        assert (ids(result), result.total, result.is_partial) == ([], 0, False)


def test_backend_blank_query_returns_nothing(backend, corpus):
    for blank in ["", "   ", "\x00", "。！？", "了吗"]:
        result = backend.search(blank, language="zh-hans")
        assert (ids(result), result.total) == ([], 0)


def test_backend_never_finds_drafts_archived_or_early_scheduled(backend, db):
    category = make_category()
    make_article(
        category=category,
        title="钱包草稿",
        status=Article.Status.DRAFT,
        published_at=None,
    )
    make_article(category=category, title="钱包归档", status=Article.Status.ARCHIVED)
    scheduled = make_article(
        category=category,
        title="钱包预告",
        published_at=timezone.now() + timedelta(hours=2),
    )
    assert backend.search("钱包", language="zh-hans").total == 0
    later = timezone.now() + timedelta(hours=3)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert ids(backend.search("钱包", language="zh-hans")) == [scheduled.pk]


def test_backend_follows_publish_unpublish_and_edits(backend, corpus):
    article = corpus["password"]
    article.status = Article.Status.DRAFT
    article.save()
    assert backend.search("密码", language="zh-hans").total == 0
    article.status = Article.Status.PUBLISHED
    article.title = "找回钱包"
    article.slug = "recover-wallet"
    article.summary = article.body = ""
    article.save()
    assert backend.search("密码", language="zh-hans").total == 0
    assert ids(backend.search("钱包", language="zh-hans")) == [article.pk]


def test_backend_follows_updates_that_bypass_the_receivers(backend, corpus):
    """A QuerySet.update() sends no signal: PostgreSQL's copy of the status,
    publish time and category (migration 0004) follows it by a trigger, and
    so does SQLite's narrow copy of them (migration 0005)."""
    article, other = corpus["password"], corpus["transfer"].category
    Article.objects.filter(pk=article.pk).update(status=Article.Status.ARCHIVED)
    backend.clear_cache()
    assert backend.search("密码", language="zh-hans").total == 0
    Article.objects.filter(pk=article.pk).update(
        status=Article.Status.PUBLISHED, category=other
    )
    backend.clear_cache()
    result = backend.search("密码", language="zh-hans", category=other)
    assert (ids(result), result.facets) == ([article.pk], {other.pk: 1})
    Article.objects.filter(pk=article.pk).update(
        published_at=timezone.now() + timedelta(hours=1)
    )
    backend.clear_cache()
    assert backend.search("密码", language="zh-hans").total == 0


def test_backend_follows_tag_changes(backend, corpus):
    corpus["kyc"].tags.add("护照")
    assert ids(backend.search("护照", language="zh-hans")) == [corpus["kyc"].pk]
    corpus["kyc"].tags.clear()
    assert backend.search("护照", language="zh-hans").total == 0


def test_backend_drops_deleted_articles(backend, corpus):
    pk = corpus["password"].pk
    corpus["password"].delete()
    assert backend.search("密码", language="zh-hans").total == 0
    assert not SearchDocument.objects.filter(article_id=pk).exists()


def test_backend_remove_and_clear_empty_the_index(backend, corpus):
    backend.remove([corpus["password"].pk])
    assert backend.search("密码", language="zh-hans").total == 0
    backend.clear()
    assert backend.search("转账", language="zh-hans").total == 0


def test_backend_filters_by_language_and_category(backend, corpus):
    assert backend.search("app", language="zh-hans").total == 0
    assert ids(backend.search("app", language=None)) == [corpus["crash"].pk]
    category = corpus["transfer"].category
    result = backend.search("转账 OR 密码", language="zh-hans", category=category)
    assert ids(result) == [corpus["transfer"].pk]
    assert result.facets == {category.pk: 1, corpus["password"].category_id: 1}


def test_backend_paginates_with_offset(backend, db):
    category = make_category()
    for number in range(5):
        make_article(category=category, title=f"钱包{number}")
    first = backend.search("钱包", language="zh-hans", limit=3)
    second = backend.search("钱包", language="zh-hans", limit=3, offset=3)
    assert (first.total, len(first.hits), len(second.hits)) == (5, 3, 2)
    assert not set(ids(first)) & set(ids(second))


def test_backend_snippet_is_escaped_then_marked(backend, db):
    make_article(title="x", summary="<script>alert(1)</script> 钱包 & more")
    snippet = backend.search("钱包", language="zh-hans").hits[0].snippet
    assert (
        snippet == "&lt;script&gt;alert(1)&lt;/script&gt; <mark>钱包</mark> &amp; more"
    )


@pytest.mark.parametrize("hostile", HOSTILE)
def test_backend_survives_hostile_input(backend, corpus, hostile):
    result = backend.search(hostile, language="zh-hans")
    assert result.total >= 0
    assert len(result.query) <= 200


def test_rebuild_command_reindexes_everything(backend, corpus, capsys):
    SearchDocument.objects.all().delete()
    call_command("rebuild_search_index", batch_size=2)
    assert ids(backend.search("密码", language="zh-hans")) == [corpus["password"].pk]
    assert "Indexed 4/4 articles (100%)" in capsys.readouterr().out


def reference_ids(query: str, language: str | None, **options) -> set[int]:
    """The articles the reference backend finds: the contract's oracle."""
    result = ReferenceSearchBackend().search(
        query, language=language, limit=1000, **options
    )
    return set(ids(result))


MATCH_QUERIES = [
    "转账",
    "转账未到账",
    "轉帳沒收到",
    "忘记密码怎么办",
    "登入",
    "KYC",
    "实名认证",
    "app crash",
    "the app closes",
    "phone wallet",
    "钱包 app",
    "usdt",
    "网络 交易哈希",
]


@pytest.mark.parametrize("text", MATCH_QUERIES)
def test_backend_matches_reference_documents(backend, corpus, text):
    """Both engines match exactly the documents the reference evaluator does,
    so they match the same documents as each other; only the order differs."""
    for language in ("zh-hans", "en"):
        result = backend.search(text, language=language, limit=100)
        assert set(ids(result)) == reference_ids(text, language)


QUERY_ALPHABET = st.sampled_from(
    list("转账到未密码登录钱包网络的了吗app crash wallet phone")
    + [
        '"',
        "*",
        "(",
        ")",
        ":",
        "^",
        "-",
        "NEAR",
        "AND",
        "OR",
        "\x00",
        "'",
        "\\",
        "😀",
        "轉",
        "Ｅ",
    ]
)


@given(text=st.lists(QUERY_ALPHABET, max_size=30).map("".join))
@hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_backend_property_matches_reference_for_any_query(backend, corpus, text):
    result = backend.search(text, language="zh-hans", limit=100)
    assert set(ids(result)) == reference_ids(text, "zh-hans")


@given(text=st.text(max_size=300))
@hypothesis_settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_backend_property_never_fails_on_any_text(backend, corpus, text):
    result = backend.search(
        text, language="zh-hans", category=corpus["transfer"].category
    )
    assert 0 <= len(result.hits) <= result.total


def test_backend_serves_repeated_query_from_cache(
    backend, corpus, django_assert_num_queries
):
    first = backend.search("密码", language="zh-hans")
    with django_assert_num_queries(0):
        again = backend.search("密码", language="zh-hans")
    assert ids(again) == ids(first) == [corpus["password"].pk]


def test_backend_cache_never_hides_a_newly_due_article(backend, db):
    scheduled = make_article(
        title="钱包预告", published_at=timezone.now() + timedelta(minutes=5)
    )
    assert backend.search("钱包", language="zh-hans").total == 0
    later = timezone.now() + timedelta(minutes=6)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert ids(backend.search("钱包", language="zh-hans")) == [scheduled.pk]


def test_backend_pages_through_title_then_body_hits(backend, db):
    category = make_category()
    for number in range(2):
        make_article(category=category, title=f"钱包{number}")
    for number in range(3):
        make_article(category=category, title=f"其他{number}", body="正文提到钱包。")
    first = backend.search("钱包", language="zh-hans", limit=3)
    second = backend.search("钱包", language="zh-hans", limit=3, offset=3)
    assert (first.total, len(first.hits), len(second.hits)) == (5, 3, 2)
    assert len(set(ids(first)) | set(ids(second))) == 5


def test_backend_ranks_past_many_hidden_best_matches(backend, db):
    """The best matches may all be hidden (drafts, the other language):
    the page still holds the best visible ones, in order."""
    category = make_category()
    for number in range(30):
        make_article(
            category=category,
            title=f"钱包钱包{number}",
            status=Article.Status.DRAFT,
            published_at=None,
        )
    for number in range(30):
        make_article(category=category, title=f"钱包钱包{number}", language="en")
    visible = [
        make_article(category=category, title=f"钱包说明{number}", body="钱包" * number)
        for number in range(3)
    ]
    result = backend.search("钱包", language="zh-hans", limit=2)
    assert result.total == 3 and len(result.hits) == 2
    assert set(ids(result)) < {article.pk for article in visible}
    rest = backend.search("钱包", language="zh-hans", limit=2, offset=2)
    assert set(ids(result) + ids(rest)) == {article.pk for article in visible}


def test_postgres_migration_backfills_an_existing_index(corpus):
    """Migration 0004 fills the copied columns of rows indexed before it."""
    from importlib import import_module

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the copied columns exist on PostgreSQL only")
    migration = import_module("articles.migrations.0004_search_visibility_columns")
    with connection.cursor() as cursor:
        # The corpus's deferred foreign-key checks would block ALTER TABLE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with connection.schema_editor() as editor:
        migration.drop(None, editor)
        migration.create(None, editor)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT article_id, status, published_at, category_id "
            "FROM articles_searchdocument ORDER BY article_id"
        )
        rows = cursor.fetchall()
    expected = list(
        Article.objects.order_by("pk").values_list(
            "pk", "status", "published_at", "category_id"
        )
    )
    assert rows == expected and len(rows) == 4


def test_sqlite_migration_backfills_and_follows_the_article_table(corpus):
    """Migration 0005 copies existing articles; its triggers follow inserts,
    updates and deletes, however they are made."""
    from importlib import import_module
    from types import SimpleNamespace

    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the narrow visibility table exists on SQLite only")
    migration = import_module("articles.migrations.0005_search_visibility_sqlite")
    # SQLite's schema editor refuses to open inside the test's transaction;
    # the operations only need a vendor and execute().
    with connection.cursor() as cursor:
        editor = SimpleNamespace(connection=connection, execute=cursor.execute)
        migration.drop(None, editor)
        migration.create(None, editor)

    def copied():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, language, status, published_at, category_id "
                "FROM articles_search_visibility ORDER BY id"
            )
            return [tuple(row) for row in cursor.fetchall()]

    def expected():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, language, status, published_at, category_id "
                "FROM articles_article ORDER BY id"
            )
            return [tuple(row) for row in cursor.fetchall()]

    assert copied() == expected() and len(copied()) == 4
    article = corpus["password"]
    Article.objects.filter(pk=article.pk).update(
        status=Article.Status.ARCHIVED, language="en"
    )
    assert copied() == expected()
    Article.objects.filter(pk=article.pk).delete()
    assert copied() == expected() and len(copied()) == 3


def test_backend_ranks_only_the_most_recent_candidates_of_a_large_tier(
    backend, engine, db, monkeypatch
):
    """Past rank_candidates matches in a set, only the most recent are
    scored; the total still counts every match. (SQLite shares the
    candidates out among categories, rounding up: at most one more each.)"""
    if engine.vendor == "reference":
        pytest.skip("the reference backend ranks every match")
    monkeypatch.setattr(engine, "rank_candidates", 4)
    monkeypatch.setattr(engine, "rank_outright", 1, raising=False)
    monkeypatch.setattr(engine, "result_window", 4)
    categories = [make_category(), make_category()]
    # The oldest match is the best one: it would win if everything were ranked.
    oldest = make_article(category=categories[0], title="钱包钱包钱包", body="钱包")
    articles = [oldest] + [
        make_article(category=categories[number % 2], title=f"钱包说明{number}")
        for number in range(8)
    ]
    result = backend.search("钱包", language="zh-hans", limit=4)
    assert result.total == 9
    assert result.facets == {categories[0].pk: 5, categories[1].pk: 4}
    assert oldest.pk not in ids(result)
    assert set(ids(result)) <= {article.pk for article in articles[-4 - 2 :]}
    # The window ends at result_window results: deeper pages are empty.
    deeper = backend.search("钱包", language="zh-hans", limit=4, offset=4)
    assert (deeper.total, ids(deeper)) == (9, [])
    # Without the cap the oldest comes first.
    monkeypatch.setattr(engine, "result_window", 1000)
    monkeypatch.setattr(engine, "rank_candidates", 1000)
    backend.clear_cache()
    assert ids(backend.search("钱包", language="zh-hans", limit=1)) == [oldest.pk]


@pytest.mark.parametrize("range_counts", [16, 0])
def test_backend_counts_every_language_and_category_when_unfiltered(
    backend, engine, db, monkeypatch, range_counts
):
    """(On SQLite, 0 makes counting group by partition instead of counting
    each range, as it does with many categories.)"""
    monkeypatch.setattr(engine, "range_counts", range_counts, raising=False)
    categories = [make_category() for _ in range(3)]
    # Not due yet: counted nowhere.
    make_article(
        category=categories[0],
        title="usdt later",
        published_at=timezone.now() + timedelta(hours=1),
    )
    for number, category in enumerate(categories):
        for language in ("zh-hans", "en"):
            for copy in range(number + 1):
                make_article(
                    category=category,
                    language=language,
                    title=f"usdt {language} {number} {copy}",
                )
    everything = backend.search("usdt", language=None, limit=20)
    assert everything.total == 12 and len(everything.hits) == 12
    assert everything.facets == {
        categories[0].pk: 2,
        categories[1].pk: 4,
        categories[2].pk: 6,
    }
    chinese = backend.search("usdt", language="zh-hans", category=categories[2])
    assert chinese.total == 3
    assert chinese.facets == {
        categories[0].pk: 1,
        categories[1].pk: 2,
        categories[2].pk: 3,
    }
    assert {Article.objects.get(pk=pk).category for pk in ids(chinese)} == {
        categories[2]
    }


def sqlite_index_keys() -> set[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT rowid FROM articles_searchdocument_fts")
        return {row[0] for row in cursor.fetchall()}


def expected_sqlite_keys() -> set[int]:
    from articles.search.backends.sqlite import (
        CATEGORY_SHIFT,
        LANGUAGE_SHIFT,
        LANGUAGE_SLOTS,
        LISTED_SHIFT,
    )

    listed = set(Article.objects.listed().values_list("pk", flat=True))
    return {
        LANGUAGE_SLOTS[language] << LANGUAGE_SHIFT
        | (pk in listed) << LISTED_SHIFT
        | category_id << CATEGORY_SHIFT
        | pk
        for pk, language, category_id in Article.objects.values_list(
            "pk", "language", "category_id"
        )
    }


def test_sqlite_index_keys_follow_every_write(corpus):
    """Migration 0006's trigger SQL and the backend's key layout agree, for
    saves and for updates that bypass the receivers."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the partitioned FTS5 keys exist on SQLite only")
    assert sqlite_index_keys() == expected_sqlite_keys()
    article = corpus["password"]
    other = corpus["transfer"].category
    Article.objects.filter(pk=article.pk).update(
        language="en", category=other, status=Article.Status.DRAFT
    )
    assert sqlite_index_keys() == expected_sqlite_keys()
    Article.objects.filter(pk=article.pk).update(status=Article.Status.PUBLISHED)
    assert sqlite_index_keys() == expected_sqlite_keys()
    article.refresh_from_db()
    article.title = "新的标题"
    article.save()
    assert sqlite_index_keys() == expected_sqlite_keys()
    Article.objects.filter(pk=corpus["kyc"].pk).delete()
    assert sqlite_index_keys() == expected_sqlite_keys()
    assert len(sqlite_index_keys()) == 3


def test_sqlite_key_layout_matches_the_migration():
    from importlib import import_module

    from articles.models import Language
    from articles.search.backends.sqlite import LANGUAGE_SLOTS

    migration = import_module("articles.migrations.0006_search_partitioned_fts_sqlite")
    assert set(LANGUAGE_SLOTS) == set(Language.values)
    assert migration.LANGUAGE_SLOTS == {
        str(code): slot for code, slot in LANGUAGE_SLOTS.items()
    }
    assert migration.UNKNOWN_LANGUAGE_SLOT not in LANGUAGE_SLOTS.values()


def test_sqlite_refuses_ids_beyond_the_key_layout(db):
    from django.db import IntegrityError, connection, transaction

    if connection.vendor != "sqlite":
        pytest.skip("the partitioned FTS5 keys exist on SQLite only")
    category = make_category()
    with pytest.raises(IntegrityError, match="does not fit the SQLite search key"):
        with transaction.atomic():
            make_article(category=category, pk=1 << 32)
    assert not Article.objects.filter(pk=1 << 32).exists()


def test_backend_fills_a_capped_page_with_head_matches_first(
    backend, engine, db, monkeypatch
):
    """The candidates follow where the tier's matches are: a category with
    few matches but every title match still fills the page before any
    body-only match."""
    monkeypatch.setattr(engine, "rank_candidates", 4)
    monkeypatch.setattr(engine, "rank_outright", 1, raising=False)
    monkeypatch.setattr(engine, "result_window", 4)
    titles, bodies = make_category(), make_category()
    in_title = [
        make_article(category=titles, title=f"钱包{number}") for number in range(6)
    ]
    for number in range(20):
        make_article(category=bodies, title=f"其他{number}", body="正文提到钱包。")
    result = backend.search("钱包", language="zh-hans", limit=4)
    assert result.total == 26
    assert set(ids(result)) <= {article.pk for article in in_title}
    assert len(result.hits) == 4


def test_backend_ranks_the_words_typed_above_their_synonyms(backend, db):
    """ "send" is a synonym of "transfer" and rarer: it must still not
    outrank the word the user typed."""
    category = make_category()
    synonym_only = make_article(
        category=category, language="en", title="How to send us feedback"
    )
    typed = make_article(
        category=category,
        language="en",
        title="My transfer is pending",
        body="Transfers wait for the network. " * 5,
    )
    result = backend.search("transfer", language="en")
    assert ids(result) == [typed.pk, synonym_only.pk]
    result = backend.search("send", language="en")
    assert ids(result) == [synonym_only.pk, typed.pk]


def test_backend_prefix_finds_articles_from_one_chinese_character(backend, db):
    category = make_category()
    transfer = make_article(category=category, title="转账未到账", body="核对地址。")
    make_article(category=category, title="提现说明", body="提现需要审核。")
    result = backend.search("转", language="zh-hans", prefix=True)
    assert ids(result) == [transfer.pk]
    # A lone character is the start of a word on the results page too.
    assert ids(backend.search("转", language="zh-hans")) == [transfer.pk]


def test_backend_prefix_finds_a_partial_english_word(backend, db):
    category = make_category()
    withdrawal = make_article(
        category=category, language="en", title="Withdrawal pending", body="Wait."
    )
    make_article(category=category, language="en", title="Deposits", body="Wait.")
    for typed in ["withdr", "withdra", "withdraw", "withdrawa", "Withdrawal"]:
        result = backend.search(typed, language="en", prefix=True)
        assert ids(result) == [withdrawal.pk], typed
    # Without the prefix flag (the search page), a partial word is not a word.
    assert backend.search("withdr", language="en", use_correction=False).total == 0
    # A space after the word means it is finished.
    finished = backend.search(
        "withdr ", language="en", prefix=True, use_correction=False
    )
    assert finished.total == 0


def test_backend_prefix_never_reads_input_as_query_syntax(backend, corpus):
    for hostile in HOSTILE + ['转"', "wal*", "wal'", "wal:*", "转\\"]:
        result = backend.search(hostile, language="zh-hans", prefix=True)
        assert 0 <= len(result.hits) <= result.total


def test_backend_ranks_a_typed_body_match_above_a_synonym_title_match(backend, db):
    """A synonym in a title must not outrank the word the user typed, even
    when the typed word is only in the body."""
    category = make_category()
    synonym_title = make_article(
        category=category, language="en", title="Send money abroad", body="Steps."
    )
    typed_body = make_article(
        category=category,
        language="en",
        title="Pending payments",
        body="A transfer waits for confirmations.",
    )
    result = backend.search("transfer", language="en")
    assert ids(result) == [typed_body.pk, synonym_title.pk]


def test_backend_ranks_typed_words_first_then_title_before_body(backend, db):
    """The word as typed outranks its synonyms ("send" is rarer than
    "transfer"); within each, title/tags/summary before body."""
    category = make_category()
    synonym_title = make_article(
        category=category, language="en", title="Send money abroad", body="Steps."
    )
    typed_title = make_article(
        category=category, language="en", title="Transfer money", body="Steps."
    )
    synonym_body = make_article(
        category=category,
        language="en",
        title="Waiting times",
        body="To send, wait for confirmations.",
    )
    typed_body = make_article(
        category=category,
        language="en",
        title="Waiting times",
        body="A transfer waits for confirmations.",
    )
    result = backend.search("transfer", language="en")
    assert ids(result) == [
        typed_title.pk,
        typed_body.pk,
        synonym_title.pk,
        synonym_body.pk,
    ]


def test_backend_breaks_coverage_ties_by_relevance_not_age(backend, db):
    category = make_category()
    make_article(
        category=category,
        language="en",
        title="Fees",
        body="Deposits of usdt and many other coins, tokens and assets arrive.",
    )
    strong = make_article(
        category=category, language="en", title="Notes", body="usdt usdt usdt"
    )
    result = backend.search("usdt zebra", language="en", use_correction=False)
    assert result.is_partial
    assert ids(result)[0] == strong.pk


def test_backend_without_partial_finds_only_articles_having_every_word(backend, db):
    both = make_article(language="en", title="Wallet zebra", body="Stripes.")
    make_article(language="en", title="Wallet guide", body="Keep it safe.")
    make_article(language="en", title="Zebra facts", body="Stripes.")
    result = backend.search("wallet zebra", language="en", partial=False)
    assert (ids(result), result.total, result.mode) == ([both.pk], 1, "and")
    both.delete()
    backend.clear_cache()
    result = backend.search("wallet zebra", language="en", partial=False)
    assert (ids(result), result.total) == ([], 0)
    assert backend.search("wallet zebra", language="en").is_partial


def test_backend_lists_partial_matches_after_the_few_having_every_word(backend, db):
    """A long question whose words are all in one unrelated article still
    shows the articles covering most of it, after that one."""
    category = make_category()
    every = make_article(
        category=category,
        language="en",
        title="Phone codes",
        body="Change the phone, then the authenticator codes come back.",
    )
    most = make_article(
        category=category,
        language="en",
        title="Lost authenticator",
        body="When the phone is gone, use a recovery code.",
    )
    make_article(category=category, language="en", title="Deposits", body="Fees.")
    result = backend.search(
        "changed phone authenticator code", language="en", use_correction=False
    )
    assert (result.mode, ids(result)) == ("and", [every.pk, most.pk])
    assert result.total == 2


def test_backend_finds_a_lone_chinese_character_as_a_word_start(backend, db):
    category = make_category()
    lost = make_article(category=category, title="验证器丢失", body="使用恢复码。")
    make_article(category=category, title="验证码说明", body="短信验证码。")
    assert ids(backend.search("验证器丢了", language="zh-hans")) == [lost.pk]


ORDERED_QUERIES = ["密码", "转账", "app crash", "实名认证", "轉帳", "crashing"]


@pytest.mark.parametrize("text", ORDERED_QUERIES)
def test_backend_puts_the_reference_top_result_first(backend, corpus, text):
    """Where one article clearly answers, every engine puts it first, as
    the reference backend does."""
    for language in ("zh-hans", "en"):
        expected = ReferenceSearchBackend().search(text, language=language)
        result = backend.search(text, language=language)
        assert ids(result)[:1] == ids(expected)[:1]


def test_backend_default_synonyms_of_migration_0014(backend, db):
    """The groups 0014 installs: "转错成" (sent as the wrong chain) finds the
    wrong-network answer as its title says it ("选错了网络"), and "收不到"
    finds "拿不到" (can't get the code)."""
    category = make_category()
    network = make_article(
        category=category, title="转账选错了网络怎么办", body="核对。"
    )
    device = make_article(
        category=category, title="换机后拿不到动态码", body="使用恢复码。"
    )
    make_article(category=category, title="提现说明", body="提现需要审核。")
    assert ids(backend.search("转错成", language="zh-hans")) == [network.pk]
    assert ids(backend.search("动态码收不到", language="zh-hans")) == [device.pk]


UNCOUNTED_QUERIES = ["transfer", "send", "转账", "tranfser", "wallet backup", "zzzqqq"]


@pytest.mark.parametrize("text", UNCOUNTED_QUERIES)
def test_backend_uncounted_search_has_the_counted_hits(backend, db, text):
    """``totals=False`` (the results page's other-language list) finds the
    same first page, mode and correction as the counted search; an engine
    that ranks without counting reports only the hits it found."""
    category = make_category()
    for number in range(3):
        make_article(category=category, language="en", title=f"Transfer {number}")
        make_article(
            category=category, language="en", title=f"Note {number}", body="Send it."
        )
    make_article(category=category, language="en", title="Wallet", body="Transfer.")
    make_article(category=category, language="en", title="Wallet backup")
    for limit in (1, 2, 5, 20):
        options = {"language": "en", "limit": limit, "partial": False}
        counted = backend.search(text, **options)
        uncounted = backend.search(text, totals=False, **options)
        assert ids(uncounted) == ids(counted)
        assert (
            uncounted.mode,
            uncounted.corrected_query,
            uncounted.suggested_query,
        ) == (
            counted.mode,
            counted.corrected_query,
            counted.suggested_query,
        )
        if backend.ranks_uncounted:
            assert (uncounted.total, uncounted.facets) == (len(counted.hits), {})
        else:
            assert uncounted.total == counted.total
