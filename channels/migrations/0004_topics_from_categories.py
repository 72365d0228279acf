"""Each category's contact-form kind becomes a topic, and tickets follow it.

The topic keeps the category's slug (the contact form's ``category`` field
sends topic slugs, so old links still choose the same topic), names and
order, and links back to the category for article suggestions.
"""

from django.db import migrations


def categories_to_topics(apps, schema_editor):
    Category = apps.get_model("articles", "Category")
    Topic = apps.get_model("channels", "Topic")
    Ticket = apps.get_model("channels", "Ticket")
    for category in Category.objects.order_by("pk"):
        topic, _created = Topic.objects.get_or_create(
            slug=category.slug,
            defaults={
                "name_zh_hans": category.name_zh_hans,
                "name_en": category.name_en,
                "kind": category.contact_form_kind or "general",
                "category": category,
                "order": category.order,
            },
        )
        Ticket.objects.filter(category=category).update(topic=topic)


def topics_to_categories(apps, schema_editor):
    Topic = apps.get_model("channels", "Topic")
    Ticket = apps.get_model("channels", "Ticket")
    for topic in Topic.objects.exclude(category=None):
        topic.category.contact_form_kind = topic.kind
        topic.category.save(update_fields=["contact_form_kind"])
        Ticket.objects.filter(topic=topic).update(category=topic.category)


class Migration(migrations.Migration):
    dependencies = [("channels", "0003_topic")]

    operations = [migrations.RunPython(categories_to_topics, topics_to_categories)]
