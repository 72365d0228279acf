from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language, gettext as _

from articles import selectors


class LatestArticlesFeed(Feed):
    """Atom feed of the most recently updated visible articles, per language."""

    feed_type = Atom1Feed

    def title(self):
        return _("%(product)s Help Center: latest articles") % {
            "product": settings.HELPCENTER_PRODUCT_NAME
        }

    def link(self):
        return reverse("articles:home")

    def author_name(self):
        # Atom requires an author for the feed or for every entry; articles
        # are the support team's, so the help center signs the feed.
        return _("%(product_name)s Help Center") % {
            "product_name": settings.HELPCENTER_PRODUCT_NAME
        }

    def subtitle(self):
        return _("Recently updated help articles.")

    def items(self):
        return selectors.article_list_recent(language=get_language())

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.category.name]
