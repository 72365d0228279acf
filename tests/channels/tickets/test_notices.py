import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from pytest_django.asserts import assertContains, assertNotContains

from channels.tickets import notices
from channels.tickets.models import IncidentNotice
from channels.tickets.services import ticket_create
from tests.channels.conftest import Kind, contact_data
from tests.factories import make_article, make_category

HOUR = datetime.timedelta(hours=1)


def _notice(*, categories=(), topics=(), starts=-HOUR, ends=None):
    now = timezone.now()
    notice = IncidentNotice.objects.create(
        title_zh_hans="提现延迟",
        title_en="Withdrawals delayed",
        body_zh_hans="以太坊网络拥堵，提现可能延迟数小时。",
        body_en="The Ethereum network is congested: withdrawals may take hours.",
        starts_at=now + starts,
        ends_at=None if ends is None else now + ends,
    )
    notice.categories.set(categories)
    notice.topics.set(topics)
    return notice


def _url(name, language="zh-hans", **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


@pytest.mark.parametrize(
    "language,title",
    [("zh-hans", "提现延迟"), ("en", "Withdrawals delayed")],
)
def test_notice_shows_on_home_in_each_language(client, db, language, title):
    _notice()

    response = client.get(_url("articles:home", language))

    assertContains(response, title)


def test_notice_shows_on_affected_category_and_its_articles(client, topics):
    category = topics[Kind.TRANSFER].category
    article = make_article(category=category, slug="stuck")
    other = make_article(category=make_category(), slug="unrelated")
    _notice(categories=[category])

    assertContains(client.get(category.get_absolute_url()), "提现延迟")
    assertContains(client.get(article.get_absolute_url()), "以太坊网络拥堵")
    assertNotContains(client.get(other.get_absolute_url()), "提现延迟")
    assertNotContains(client.get(other.category.get_absolute_url()), "提现延迟")


def test_topic_notice_shows_on_the_topics_category(client, topics):
    _notice(topics=[topics[Kind.TRANSFER]])

    response = client.get(topics[Kind.TRANSFER].category.get_absolute_url())

    assertContains(response, "提现延迟")


def test_notice_not_shown_before_start_or_after_end(client, topics):
    category = topics[Kind.TRANSFER].category
    _notice(categories=[category], starts=HOUR)
    _notice(categories=[category], starts=-2 * HOUR, ends=-HOUR)

    assertNotContains(client.get(category.get_absolute_url()), "提现延迟")
    assertNotContains(client.get(_url("articles:home")), "提现延迟")


def test_notice_disappears_at_its_end_time(topics):
    notice = _notice(topics=[topics[Kind.TRANSFER]], ends=HOUR)
    topic = topics[Kind.TRANSFER]

    before = notices.incident_notice_list_for_topic(
        topic=topic, now=notice.ends_at - datetime.timedelta(seconds=1)
    )
    at_end = notices.incident_notice_list_for_topic(topic=topic, now=notice.ends_at)

    assert [n.pk for n in before] == [notice.pk]
    assert at_end == []


def test_contact_form_shows_notice_for_preselected_topic(client, topics):
    _notice(topics=[topics[Kind.TRANSFER]])

    response = client.get(_url("channels:contact", "en") + "?category=topic-transfer")

    assertContains(response, 'data-topics="topic-transfer"')
    assertContains(response, "Withdrawals delayed")
    assertNotContains(response, 'data-topics="topic-transfer" hidden')


def test_contact_form_hides_notice_until_its_topic_is_chosen(client, topics):
    _notice(topics=[topics[Kind.TRANSFER]])

    response = client.get(_url("channels:contact") + "?category=topic-login")

    assertContains(response, 'data-topics="topic-transfer" hidden')


def test_contact_form_keeps_notice_after_post_with_errors(client, topics):
    _notice(categories=[topics[Kind.TRANSFER].category])

    response = client.post(
        _url("channels:contact"), contact_data(topics[Kind.TRANSFER], email="")
    )

    assert response.status_code == 200
    assertContains(response, 'data-topics="topic-transfer"')
    assertNotContains(response, 'data-topics="topic-transfer" hidden')


def test_contact_form_without_notices_for_unaffected_topics(client, topics):
    _notice()

    response = client.get(_url("channels:contact"))

    assertNotContains(response, "data-topics=")


def _file(topic, language):
    return ticket_create(
        topic=topic,
        email="li.lei@example.com",
        subject="Withdrawal",
        message="My withdrawal has not arrived.",
        language=language,
        submission_key=f"key-{language}-{topic.slug}",
    )


@pytest.mark.parametrize(
    "language,text",
    [("zh-hans", "以太坊网络拥堵"), ("en", "The Ethereum network is congested")],
)
def test_acknowledgement_mail_carries_notice_of_the_topic(
    topics, mailoutbox, django_capture_on_commit_callbacks, language, text
):
    _notice(topics=[topics[Kind.TRANSFER]])

    with django_capture_on_commit_callbacks(execute=True):
        _file(topics[Kind.TRANSFER], language)

    assert len(mailoutbox) == 1
    assert text in mailoutbox[0].body


def test_acknowledgement_mail_of_other_topic_has_no_notice(
    topics, mailoutbox, django_capture_on_commit_callbacks
):
    _notice(topics=[topics[Kind.TRANSFER]])

    with django_capture_on_commit_callbacks(execute=True):
        _file(topics[Kind.LOGIN], "zh-hans")

    assert len(mailoutbox) == 1
    assert "以太坊网络拥堵" not in mailoutbox[0].body


def test_acknowledgement_mail_carries_a_notice_posted_after_an_earlier_ticket(
    topics, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _file(topics[Kind.TRANSFER], "en")
    _notice(topics=[topics[Kind.TRANSFER]])
    with django_capture_on_commit_callbacks(execute=True):
        _file(topics[Kind.TRANSFER], "zh-hans")

    assert len(mailoutbox) == 2
    assert "The Ethereum network is congested" not in mailoutbox[0].body
    assert "以太坊网络拥堵" in mailoutbox[1].body


def test_acknowledgement_mail_drops_a_notice_once_it_has_ended(
    topics, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    _notice(topics=[topics[Kind.TRANSFER]], ends=HOUR)
    with django_capture_on_commit_callbacks(execute=True):
        _file(topics[Kind.TRANSFER], "en")
    later = timezone.now() + 2 * HOUR
    monkeypatch.setattr(timezone, "now", lambda: later)
    with django_capture_on_commit_callbacks(execute=True):
        _file(topics[Kind.TRANSFER], "zh-hans")

    assert len(mailoutbox) == 2
    assert "The Ethereum network is congested" in mailoutbox[0].body
    assert "以太坊网络拥堵" not in mailoutbox[1].body
