"""Choices shared by the article tables and the search tables.

Its own module so that ``articles.models`` and ``articles.search.models``
both read it without importing each other.
"""

from django.db import models


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"
