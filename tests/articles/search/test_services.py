import datetime

from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from articles.search import services
from articles.search.models import SearchQuery

PHRASE = (
    "abandon abandon abandon abandon abandon abandon "
    "abandon abandon abandon abandon abandon about"
)


def rows():
    return sorted(
        SearchQuery.objects.values_list(
            "query", "language", "result_count", "opened_article_id"
        )
    )


def test_record_writes_no_row_until_flush(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        slot = services.search_query_record(
            query=" 轉帳 ", language="zh-hans", result_count=3
        )
    assert slot == 1
    assert SearchQuery.objects.count() == 0
    assert services.search_flush_analytics() == 1
    assert rows() == [("转账", "zh-hans", 3, None)]


def test_flush_writes_each_search_once(db):
    for query, count in [("wallet", 2), ("wallet", 2), ("zzz", 0)]:
        services.search_query_record(query=query, language="en", result_count=count)
    assert services.search_flush_analytics() == 3
    assert services.search_flush_analytics() == 0
    call_command("flush_search_analytics")
    assert rows() == [
        ("wallet", "en", 2, None),
        ("wallet", "en", 2, None),
        ("zzz", "en", 0, None),
    ]


def test_every_flush_every_th_search_writes_the_batch(db, monkeypatch):
    monkeypatch.setattr(services, "FLUSH_EVERY", 3)
    for number in range(5):
        services.search_query_record(query=f"q{number}", language="en", result_count=1)
    assert SearchQuery.objects.count() == 3
    assert services.search_flush_analytics() == 2
    assert SearchQuery.objects.count() == 5


def test_entry_claimed_by_another_flush_is_not_written_twice(db):
    services.search_query_record(query="a", language="en", result_count=1)
    services.search_query_record(query="b", language="en", result_count=1)
    real_get_many = cache.get_many

    def racing_get_many(keys):
        found = real_get_many(keys)
        # Another server's flush claims slot 1 between the read and the claim.
        cache.delete(services.LOG_ENTRY_KEY.format(1))
        return found

    cache.get_many = racing_get_many
    try:
        assert services.search_flush_analytics() == 1
    finally:
        del cache.get_many
    assert rows() == [("b", "en", 1, None)]


def test_slot_taken_but_not_yet_written_is_kept_for_the_next_flush(db):
    # A search on another server took slot 1 and has not stored it yet.
    cache.add(services.LOG_NEXT_KEY, 1, timeout=None)
    services.search_query_record(query="later", language="en", result_count=1)
    assert services.search_flush_analytics() == 1
    cache.set(services.LOG_ENTRY_KEY.format(1), ("first", "en", 1, None, None))
    assert services.search_flush_analytics() == 1
    assert rows() == [("first", "en", 1, None), ("later", "en", 1, None)]


def test_flush_view_counts_command_also_flushes_searches(db, capsys):
    services.search_query_record(query="wallet", language="en", result_count=1)
    call_command("flush_view_counts")
    assert "flushed 1 search(es)" in capsys.readouterr().out
    assert SearchQuery.objects.count() == 1


def test_phrase_is_never_buffered_or_written(db):
    assert (
        services.search_query_record(query=PHRASE, language="en", result_count=0)
        is None
    )
    assert (
        services.instant_search_token(query=PHRASE, language="en", result_count=0) == ""
    )
    assert cache.get(services.LOG_NEXT_KEY) is None
    assert services.search_flush_analytics() == 0
    assert SearchQuery.objects.count() == 0


def test_open_before_flush_is_written_with_the_search(db, article):
    slot = services.search_query_record(
        query="转账", language="zh-hans", result_count=1
    )
    token = services.search_token(slot)
    assert services.search_query_record_open(token=token, article_id=article.pk, rank=1)
    assert not services.search_query_record_open(
        token=token, article_id=article.pk, rank=2
    )
    services.search_flush_analytics()
    recorded = SearchQuery.objects.get()
    assert (recorded.opened_article, recorded.opened_rank) == (article, 1)


def test_row_carries_the_time_of_the_search_not_of_the_flush(db, monkeypatch):
    searched = timezone.now() - datetime.timedelta(minutes=40)
    monkeypatch.setattr(services.timezone, "now", lambda: searched)
    services.search_query_record(query="wallet", language="en", result_count=2)
    monkeypatch.undo()
    before_flush = timezone.now()
    services.search_flush_analytics()
    assert SearchQuery.objects.get().created_at == searched
    assert searched < before_flush - datetime.timedelta(minutes=39)


def test_opened_instant_search_carries_the_time_it_was_shown(db, article, monkeypatch):
    shown = (timezone.now() - datetime.timedelta(minutes=20)).replace(microsecond=0)
    monkeypatch.setattr(services.timezone, "now", lambda: shown)
    token = services.instant_search_token(
        query="转账", language="zh-hans", result_count=1
    )
    monkeypatch.undo()
    assert services.search_query_record_open(token=token, article_id=article.pk, rank=1)
    services.search_flush_analytics()
    recorded = SearchQuery.objects.get()
    assert (recorded.created_at, recorded.opened_article) == (shown, article)


def test_entry_buffered_without_its_time_gets_the_flush_time(db):
    # Buffered by the code before entries carried their time.
    cache.set(services.LOG_NEXT_KEY, 1, timeout=None)
    cache.set(services.LOG_ENTRY_KEY.format(1), ("old", "en", 1, None, None))
    before = timezone.now()
    assert services.search_flush_analytics() == 1
    assert SearchQuery.objects.get().created_at >= before
