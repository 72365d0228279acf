"""The full-page cache (helpcenter/pagecache.py): what readers see, on the spot."""

import datetime
import re
import time
from types import SimpleNamespace

import pytest
import redis
from django.conf import settings, settings as django_settings
from django.core.cache import cache, caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from articles.models import Article
from articles.search.models import SearchQuery
from articles.search.services import search_flush_analytics
from channels.models import SupportChannel
from channels.tickets.models import IncidentNotice
from helpcenter import pagecache, sharedcache
from helpcenter.pagecache import CSRF_PLACEHOLDER, STATE_KEY
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def url(name, language="zh-hans", **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


def token_in(response) -> str:
    return re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()
    ).group(1)


def test_repeated_page_is_served_without_a_query(
    client, article, django_assert_num_queries
):
    first = client.get(url("articles:home"))
    with django_assert_num_queries(0):
        again = client.get(url("articles:home"))
    assert again.status_code == 200
    assert again.content == first.content
    assert article.title in again.content.decode()


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("articles:home", {}),
        ("articles:category", {"slug": "transfers"}),
        ("articles:detail", {"slug": "transfer-not-arrived"}),
        ("articles:tag", {"slug": "转账"}),
        ("channels:list", {}),
    ],
)
def test_every_public_page_is_cached_per_language(
    client, article, name, kwargs, django_assert_num_queries
):
    for language in ("zh-hans", "en"):
        client.get(url(name, language, **kwargs))
    for language in ("zh-hans", "en"):
        with django_assert_num_queries(0):
            response = client.get(url(name, language, **kwargs))
        assert response["Content-Language"] == language


def test_staff_edit_shows_on_the_next_request(client, article):
    client.get(article.get_absolute_url())
    client.get(url("articles:home"))
    article.title = "转账到账慢的新说明"
    article.save()
    assert (
        "转账到账慢的新说明" in client.get(article.get_absolute_url()).content.decode()
    )
    assert "转账到账慢的新说明" in client.get(url("articles:home")).content.decode()


def test_unpublished_article_leaves_every_cached_page(client, article):
    assert client.get(article.get_absolute_url()).status_code == 200
    Article.objects.get(pk=article.pk).delete()
    assert client.get(article.get_absolute_url()).status_code == 404
    assert article.title not in client.get(url("articles:home")).content.decode()


def test_tag_change_shows_on_the_tag_page(client, article):
    assert (
        article.title in client.get(url("articles:tag", slug="到账")).content.decode()
    )
    article.tags.remove("到账")
    page = client.get(url("articles:tag", slug="到账"))
    assert article.title not in page.content.decode()


def test_scheduled_article_appears_on_time(client, category):
    soon = timezone.now() + datetime.timedelta(seconds=1.5)
    scheduled = make_article(
        category=category, title="定时发布的文章", published_at=soon
    )
    assert scheduled.title not in client.get(url("articles:home")).content.decode()
    time.sleep(max(0, (soon - timezone.now()).total_seconds()) + 0.1)
    assert scheduled.title in client.get(url("articles:home")).content.decode()


def test_incident_notice_ends_on_time(client, article):
    ends = timezone.now() + datetime.timedelta(seconds=1.5)
    IncidentNotice.objects.create(
        title_zh_hans="以太坊提现延迟", body_zh_hans="正在处理。", ends_at=ends
    )
    assert "以太坊提现延迟" in client.get(url("articles:home")).content.decode()
    time.sleep(max(0, (ends - timezone.now()).total_seconds()) + 0.1)
    assert "以太坊提现延迟" not in client.get(url("articles:home")).content.decode()


@pytest.mark.urls("tests.form_page_urls")
def test_cached_page_gives_each_reader_a_working_token_of_their_own():
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    page_one = first.get("/form/")
    page_two = second.get("/form/")
    assert CSRF_PLACEHOLDER not in page_two.content.decode()
    assert page_one.cookies["csrftoken"].value != page_two.cookies["csrftoken"].value
    # The second reader's page came from the cache, with a token for its
    # cookie: the form posts without JavaScript.
    response = second.post("/form/sent/", {"csrfmiddlewaretoken": token_in(page_two)})
    assert response.status_code == 200
    # The first reader's token is refused with the second reader's cookie.
    refused = second.post("/form/sent/", {"csrfmiddlewaretoken": token_in(page_one)})
    assert refused.status_code == 403


def test_article_page_is_the_same_for_every_reader_without_a_vote(article):
    # The vote form carries no token (articles.views.article_vote): no
    # cookie is set and the page is not per reader.
    first, second = Client(), Client()
    page_one = first.get(article.get_absolute_url())
    page_two = second.get(article.get_absolute_url())
    assert 'class="vote-form"' in page_two.content.decode()
    assert "csrfmiddlewaretoken" not in page_two.content.decode()
    assert "csrftoken" not in page_one.cookies and "csrftoken" not in page_two.cookies
    assert page_one.content == page_two.content
    assert page_one["ETag"] == page_two["ETag"]


def test_conditional_get_answers_304(client, article):
    page = client.get(url("articles:category", slug="transfers"))
    etag = page["ETag"]
    again = client.get(
        url("articles:category", slug="transfers"), HTTP_IF_NONE_MATCH=etag
    )
    assert again.status_code == 304
    assert again.content == b""
    article.title = "新的标题"
    article.save()
    changed = client.get(
        url("articles:category", slug="transfers"), HTTP_IF_NONE_MATCH=etag
    )
    assert changed.status_code == 200
    assert "新的标题" in changed.content.decode()


@pytest.mark.urls("tests.form_page_urls")
def test_tokened_page_etag_follows_the_readers_csrf_cookie():
    reader = Client()
    page = reader.get("/form/")
    same = reader.get("/form/", HTTP_IF_NONE_MATCH=page["ETag"])
    assert same.status_code == 304
    other = Client().get("/form/", HTTP_IF_NONE_MATCH=page["ETag"])
    assert other.status_code == 200


def test_staff_are_never_served_a_cached_page(
    client, article, staff_user, django_assert_max_num_queries
):
    client.get(url("articles:home"))
    client.force_login(staff_user)
    with django_assert_max_num_queries(20) as captured:
        client.get(url("articles:home"))
    assert len(captured) > 0


def test_page_with_a_message_is_not_cached(client, article):
    with translation.override("zh-hans"):
        thanks = gettext("Thank you for your feedback.")
    client.post(article.get_vote_url(), {"helpful": "yes"})
    assert thanks in client.get(article.get_absolute_url()).content.decode()
    for _reader in range(2):
        assert thanks not in Client().get(article.get_absolute_url()).content.decode()


def test_voter_sees_their_own_vote_not_a_cached_page(client, article):
    Client().get(article.get_absolute_url())
    client.post(article.get_vote_url(), {"helpful": "yes"})
    page = client.get(article.get_absolute_url())
    assert 'class="vote-change"' in page.content.decode()
    assert (
        'class="vote-form"' in Client().get(article.get_absolute_url()).content.decode()
    )


def test_cached_search_page_records_each_search_with_its_own_token(client, article):
    first = client.get(url("articles:search"), {"q": "转账"})
    second = client.get(url("articles:search"), {"q": "转账"})
    tokens = {
        re.search(r"[?&]amp;t=([^\"&]+)", page.content.decode()).group(1)
        for page in (first, second)
    }
    assert len(tokens) == 2
    search_flush_analytics()
    assert SearchQuery.objects.filter(query="转账").count() == 2


def test_channel_page_lasts_until_the_next_opening_or_closing():
    channel = SupportChannel(
        opens_at=datetime.time(9, 0),
        closes_at=datetime.time(18, 0),
        time_zone="Asia/Shanghai",
    )
    shanghai = datetime.timezone(datetime.timedelta(hours=8))
    morning = datetime.datetime(2026, 12, 4, 8, 30, tzinfo=shanghai)
    evening = datetime.datetime(2026, 12, 4, 19, 0, tzinfo=shanghai)
    assert channel.next_hours_change(morning) == morning.replace(hour=9, minute=0)
    assert channel.next_hours_change(evening) == datetime.datetime(
        2026, 12, 5, 9, 0, tzinfo=shanghai
    )
    assert SupportChannel(time_zone="UTC").next_hours_change(morning) is None


def test_a_readers_vote_does_not_empty_the_cache(
    client, article, django_assert_num_queries
):
    # Votes, tickets, searches and sign-ins are written all day and shown on
    # no public page: they must not make every reader's next page a miss.
    client.get(article.get_absolute_url())
    Client().post(article.get_vote_url(), {"helpful": "yes"})
    assert article.votes.count() == 1
    with django_assert_num_queries(0):
        Client().get(article.get_absolute_url())


def test_a_new_ticket_does_not_empty_the_cache(
    client, article, django_assert_num_queries
):
    # A ticket writes the ticket, its event and their history rows, the
    # outbox: none is on a public page.
    from channels.tickets.services import ticket_create
    from tests.factories import make_topic

    topic = make_topic()  # topics are shown (the contact form): made first
    client.get(article.get_absolute_url())
    receipt = ticket_create(
        topic=topic,
        email="reader@example.com",
        subject="转账没到账",
        message="昨天的转账还没有到账。",
        language="zh-hans",
        submission_key="pagecache-ticket-test",
    )
    assert receipt.created
    with django_assert_num_queries(0):
        Client().get(article.get_absolute_url())


@pytest.mark.urls("tests.form_page_urls")
def test_returning_readers_token_from_a_cached_page_matches_their_cookie():
    reader = Client(enforce_csrf_checks=True)
    Client().get("/form/")  # the page is now cached
    first = reader.get("/form/")
    second = reader.get("/form/")
    # Same cookie, freshly masked tokens: different strings, both accepted.
    assert second.cookies["csrftoken"].value == first.cookies["csrftoken"].value
    assert token_in(first) != token_in(second)
    for page in (first, second):
        response = reader.post("/form/sent/", {"csrfmiddlewaretoken": token_in(page)})
        assert response.status_code == 200


def _generation_written_elsewhere():
    """Start a new generation as another process (a worker, a server,
    manage.py) would: through its own connection or its own file."""
    if sharedcache.uses_redis():
        other = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
        other.set(cache.make_key(STATE_KEY), "elsewhere")
        other.ping()  # as sharedcache.tracked_set does
    else:
        caches["shared"].set(STATE_KEY, ("elsewhere", None), timeout=None)


def test_generation_started_by_another_process_shows_on_the_next_request(
    client, article
):
    assert article.title in client.get(url("articles:home")).content.decode()
    # A change this process does not hear of (no signal): the page stays...
    Article.objects.filter(pk=article.pk).update(title="别处改过的标题")
    assert "别处改过的标题" not in client.get(url("articles:home")).content.decode()
    # ...until some process starts a new generation.
    _generation_written_elsewhere()
    assert "别处改过的标题" in client.get(url("articles:home")).content.decode()


def test_search_token_is_filled_in_every_link_of_a_cached_page(client, article):
    client.get(url("articles:search"), {"q": "转账"})
    page = client.get(url("articles:search"), {"q": "转账"}).content.decode()
    tokens = re.findall(r"[?&]amp;t=([^\"&]+)", page)
    assert tokens
    assert len(set(tokens)) == 1


def test_value_kept_per_process_is_computed_once_per_generation(article):
    computed = []

    def compute():
        computed.append(len(computed))
        return len(computed)

    first = pagecache.remember("test-value", compute, per_process=True)
    again = pagecache.remember("test-value", compute, per_process=True)
    article.title = "改过的标题"
    article.save()
    after_edit = pagecache.remember("test-value", compute, per_process=True)
    assert (first, again, after_edit) == (1, 1, 2)
    assert computed == [0, 1]


def test_value_kept_per_process_is_not_kept_without_the_page_cache(settings):
    settings.HELPCENTER_PAGE_CACHE_SECONDS = 0
    values = iter([1, 2])
    assert pagecache.remember("test-off", lambda: next(values), per_process=True) == 1
    assert pagecache.remember("test-off", lambda: next(values), per_process=True) == 2


def test_value_kept_per_process_expires_with_the_page_cache(db, settings, monkeypatch):
    # Edits made without signals (QuerySet.update) show after this long, as
    # they do on the cached pages.
    settings.HELPCENTER_PAGE_CACHE_SECONDS = 600
    clock = [1000.0]
    monkeypatch.setattr(
        pagecache, "time", SimpleNamespace(monotonic=lambda: clock[0], time=time.time)
    )
    values = iter([1, 2])
    first = pagecache.remember("test-expiry", lambda: next(values), per_process=True)
    clock[0] += 599
    kept = pagecache.remember("test-expiry", lambda: next(values), per_process=True)
    clock[0] += 2
    expired = pagecache.remember("test-expiry", lambda: next(values), per_process=True)
    assert (first, kept, expired) == (1, 1, 2)


def test_a_request_reads_the_content_generation_once(client, article, monkeypatch):
    # The contact form's POST looks up five values kept per generation.
    from channels.tickets.models import Topic
    from tests.channels.conftest import FORM_SESSION_ID, contact_data
    from tests.factories import make_topic

    topic = make_topic(slug="general", kind=Topic.Kind.GENERAL)
    client.cookies[django_settings.CSRF_COOKIE_NAME] = FORM_SESSION_ID
    contact = url("channels:contact", "en")
    client.post(contact, contact_data(topic, subject="First"))
    read_state, reads = pagecache._read_state, []

    def counting():
        reads.append(1)
        return read_state()

    monkeypatch.setattr(pagecache, "_read_state", counting)
    response = client.post(contact, contact_data(topic))
    article.title = "改过的标题"
    article.save()
    outside = [pagecache._state(), pagecache._state()]
    assert response.status_code == 302
    assert len(reads) == 3
    assert outside[0] == outside[1]
