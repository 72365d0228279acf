"""An index for "has this article a visible translation in this language?",
asked for each other-language row of the category and tag lists."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("articles", "0008_remove_category_contact_form_kind")]

    operations = [
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                fields=["translation_of", "language", "status", "published_at"],
                name="article_translation_lookup",
            ),
        ),
    ]
