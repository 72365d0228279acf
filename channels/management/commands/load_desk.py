import datetime
from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from articles.models import Category
from channels.tickets.models import (
    CannedReply,
    IncidentNotice,
    Priority,
    SlaTarget,
    Topic,
)

NOTICE_TEXT_FIELDS = ("title_zh_hans", "title_en", "body_zh_hans", "body_en")


class Command(BaseCommand):
    help = (
        "Add response-time targets, canned replies and incident notices from a "
        "YAML file. Safe to run again: rows already there (matched by topic and "
        "priority, topic and title, or Chinese title) are kept as staff left them."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    @transaction.atomic
    def handle(self, *args, path, **options):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        topics = {topic.slug: topic for topic in Topic.objects.all()}
        added = [
            self._targets_add(data.get("sla_targets", []), topics),
            self._canned_add(data.get("canned_replies", []), topics),
            self._notices_add(data.get("notices", []), topics),
        ]
        self.stdout.write(
            "Added {} response-time target(s), {} canned replies and {} "
            "incident notice(s).".format(*added)
        )

    def _topic(self, topics, slug):
        if slug is None:
            return None
        if slug not in topics:
            raise CommandError(f"No topic {slug!r} (load the channels first).")
        return topics[slug]

    def _targets_add(self, items, topics) -> int:
        added = 0
        for item in items:
            if item["priority"] not in Priority.values:
                raise CommandError(f"Unknown priority {item['priority']!r}.")
            hours = datetime.timedelta(hours=1)
            _target, created = SlaTarget.objects.get_or_create(
                topic=self._topic(topics, item["topic"]),
                priority=item["priority"],
                defaults={
                    "first_response": item["first_response_hours"] * hours,
                    "resolution": item["resolution_hours"] * hours,
                },
            )
            added += created
        return added

    def _canned_add(self, items, topics) -> int:
        added = 0
        for order, item in enumerate(items):
            _reply, created = CannedReply.objects.get_or_create(
                topic=self._topic(topics, item["topic"]),
                title=item["title"],
                defaults={"body": item["body"].strip(), "order": order},
            )
            added += created
        return added

    def _notices_add(self, items, topics) -> int:
        categories = {category.slug: category for category in Category.objects.all()}
        now = timezone.now()
        added = 0
        for item in items:
            if IncidentNotice.objects.filter(
                title_zh_hans=item["title_zh_hans"]
            ).exists():
                continue
            missing = [
                slug for slug in item.get("categories", []) if slug not in categories
            ]
            if missing:
                raise CommandError(f"No categories {missing}.")
            hour = datetime.timedelta(hours=1)
            ends_in = item.get("ends_in_hours")
            notice = IncidentNotice.objects.create(
                **{name: item.get(name, "") for name in NOTICE_TEXT_FIELDS},
                starts_at=now - item.get("starts_hours_ago", 0) * hour,
                ends_at=now + ends_in * hour if ends_in else None,
            )
            notice.categories.set(
                categories[slug] for slug in item.get("categories", [])
            )
            notice.topics.set(
                self._topic(topics, slug) for slug in item.get("topics", [])
            )
            added += 1
        return added
