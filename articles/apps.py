from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Articles")

    def ready(self):
        # Search-index sync is the one cross-cutting reaction done by signals.
        from articles.search import checks, receivers  # noqa: F401

        receivers.connect()
        # The full-page cache starts a new content generation on any change
        # of what a public page shows.
        from helpcenter import pagecache

        pagecache.connect()
