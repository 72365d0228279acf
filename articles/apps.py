from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Articles")

    def import_models(self):
        # The search tables belong to this app but live with the search code
        # (articles/search/models.py). Registered here, in the models phase,
        # with the app's own models, so every other app's ready() and the
        # migration autodetector see them; neither models module imports
        # the other.
        super().import_models()
        import_module(f"{self.name}.search.models")

    def ready(self):
        # Search-index sync is the one cross-cutting reaction done by signals.
        from articles.search import checks, receivers  # noqa: F401

        receivers.connect()
        # The full-page cache starts a new content generation on any change
        # of what a public page shows.
        from helpcenter import pagecache

        pagecache.connect()
