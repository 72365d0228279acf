"""Reads of incident notices for the public pages and the acknowledgement mail.

A notice is current from ``starts_at`` until ``ends_at``, decided by the time
of each request (no job switches it off). It concerns a category when it
names the category or one of the category's topics, and a topic when it
names the topic or the topic's category, so staff may pick either. Each
read is one query; the articles views call these (articles already depends
on channels for the contact checker), never the other way round.
"""

import datetime

from django.db.models import Q
from django.utils import timezone

from channels.tickets.models import IncidentNotice, Topic
from helpcenter import pagecache

NOTICE_FIELDS = ("pk", "title_zh_hans", "title_en", "body_zh_hans", "body_en")


def incident_notice_list_current(*, now: datetime.datetime) -> list[IncidentNotice]:
    """Return every notice current at ``now``, newest first (home page)."""
    return list(IncidentNotice.objects.current(now).only(*NOTICE_FIELDS))


def incident_notice_list_for_category(
    *, category_id: int, now: datetime.datetime
) -> list[IncidentNotice]:
    """Return the notices current at ``now`` that concern a category."""
    return list(
        IncidentNotice.objects.current(now)
        .filter(Q(categories=category_id) | Q(topics__category=category_id))
        .only(*NOTICE_FIELDS)
        .distinct()
    )


def incident_notice_list_for_topic(
    *, topic: Topic, now: datetime.datetime
) -> list[IncidentNotice]:
    """Return the notices current at ``now`` that concern a topic."""
    concerns = Q(topics=topic)
    if topic.category_id:
        concerns |= Q(categories=topic.category_id)
    return list(
        IncidentNotice.objects.current(now)
        .filter(concerns)
        .only(*NOTICE_FIELDS)
        .distinct()
    )


def incident_notice_list_for_topic_now(*, topic: Topic) -> tuple[IncidentNotice, ...]:
    """Return the notices current now that concern a topic (the confirmation
    e-mail's), read once per content generation: no notice starts or ends
    within one (``helpcenter.pagecache``), so most calls make no query."""
    return pagecache.remember(
        f"topic-notices:{topic.pk}:{topic.category_id}",
        lambda: tuple(incident_notice_list_for_topic(topic=topic, now=timezone.now())),
        per_process=True,
    )


def incident_notice_list_for_topics(
    *, topics: list[Topic], now: datetime.datetime
) -> list[IncidentNotice]:
    """Return the notices current at ``now`` that concern any of ``topics``.

    Each notice gets ``topic_slugs``: the slugs of the given topics it
    concerns, so the contact form can show it for the chosen topic (and
    script can show it when the choice changes). One query: the pairs of
    notice and named topic or category are read, and matched in Python
    against the topics already loaded.
    """
    rows = (
        IncidentNotice.objects.current(now)
        .filter(Q(topics__isnull=False) | Q(categories__isnull=False))
        .values_list(*NOTICE_FIELDS, "topics", "categories")
        .order_by("-starts_at", "pk")
    )
    notices: dict[int, IncidentNotice] = {}
    for *fields, topic_id, category_id in rows:
        notice = notices.get(fields[0])
        if notice is None:
            notice = notices[fields[0]] = IncidentNotice(
                **dict(zip(("id", *NOTICE_FIELDS[1:]), fields, strict=True))
            )
            notice.topic_slugs = []
        for topic in topics:
            concerned = topic.pk == topic_id or (
                category_id is not None and topic.category_id == category_id
            )
            if concerned and topic.slug not in notice.topic_slugs:
                notice.topic_slugs.append(topic.slug)
    return [notice for notice in notices.values() if notice.topic_slugs]
