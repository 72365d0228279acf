from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from articles.models import Article, Category


class ArticleSitemap(Sitemap):
    """Every visible article, in whichever language it is written."""

    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return (
            Article.objects.published()
            .only("slug", "language", "updated_at")
            .order_by("pk")
        )

    def lastmod(self, item):
        return item.updated_at


class CategorySitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.6
    i18n = True
    alternates = True

    def items(self):
        return Category.objects.order_by("pk")


class HomeSitemap(Sitemap):
    changefreq = "daily"
    priority = 1.0
    i18n = True
    alternates = True

    def items(self):
        return ["articles:home"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {
    "home": HomeSitemap,
    "categories": CategorySitemap,
    "articles": ArticleSitemap,
}
