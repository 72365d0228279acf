from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from articles.models import Category
from channels import services
from channels.models import ChannelIdentifier, SupportChannel
from channels.tickets.models import Topic

CHANNEL_FIELDS = {field.name for field in SupportChannel._meta.concrete_fields} - {
    "id",
    "slug",
}
IDENTIFIER_FIELDS = {"platform", "value", "includes_subdomains"}
TOPIC_FIELDS = {"kind", "name_zh_hans", "name_en", "order", "is_active"}


class Command(BaseCommand):
    help = (
        "Create or update contact-form topics, support channels and known scam "
        "contacts from a YAML file. Safe to run again: rows are matched by "
        "slug or contact."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    @transaction.atomic
    def handle(self, *args, path, **options):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        categories = {category.slug: category for category in Category.objects.all()}
        self._topics_load(data.get("topics", []), categories)
        for order, item in enumerate(data.get("channels", [])):
            item = dict(item)
            slug = item.pop("slug")
            best_for = item.pop("best_for", [])
            identifiers = item.pop("identifiers", [])
            unknown = set(item) - CHANNEL_FIELDS
            if unknown:
                raise CommandError(f"Channel {slug}: unknown fields {sorted(unknown)}")
            item.setdefault("order", order)
            channel, _created = SupportChannel.objects.update_or_create(
                slug=slug, defaults=item
            )
            missing = [name for name in best_for if name not in categories]
            if missing:
                self.stderr.write(f"Channel {slug}: no categories {missing}, skipped.")
            channel.best_for.set(
                [categories[name] for name in best_for if name in categories]
            )
            self._identifiers_set(channel, identifiers)
        for item in data.get("known_scams", []):
            scam = services.known_scam_add(
                contact=item["contact"], note=item.get("note", "")
            )
            if item.get("note") and scam.note != item["note"]:
                scam.note = item["note"]
                scam.save(update_fields=["note"])
        self.stdout.write(
            f"Loaded {len(data.get('topics', []))} topic(s), "
            f"{len(data.get('channels', []))} channel(s) and "
            f"{len(data.get('known_scams', []))} known scam contact(s)."
        )

    def _topics_load(self, items, categories):
        for order, item in enumerate(items):
            item = dict(item)
            slug = item.pop("slug")
            category = item.pop("category", None)
            unknown = set(item) - TOPIC_FIELDS
            if unknown:
                raise CommandError(f"Topic {slug}: unknown fields {sorted(unknown)}")
            if category and category not in categories:
                raise CommandError(f"Topic {slug}: no category {category!r}")
            item.setdefault("order", order)
            item["category"] = categories.get(category)
            topic = Topic(slug=slug, **item)
            try:
                topic.full_clean(exclude=["slug"])
            except ValidationError as error:
                raise CommandError(f"Topic {slug}: {error.messages}") from None
            Topic.objects.update_or_create(slug=slug, defaults=item)

    def _identifiers_set(self, channel, items):
        """Replace the channel's official identifiers with ``items``."""
        channel.official_identifiers.all().delete()
        for item in items:
            item = dict(item)
            paths = item.pop("user_content_paths", [])
            if isinstance(paths, str):
                paths = paths.split()
            unknown = set(item) - IDENTIFIER_FIELDS
            if unknown:
                raise CommandError(
                    f"Channel {channel.slug}: unknown identifier fields "
                    f"{sorted(unknown)}"
                )
            identifier = ChannelIdentifier(
                channel=channel, user_content_paths="\n".join(paths), **item
            )
            try:
                identifier.full_clean()
            except ValidationError as error:
                raise CommandError(
                    f"Channel {channel.slug}, identifier {item.get('value')!r}: "
                    + "; ".join(error.messages)
                ) from error
            identifier.save()
