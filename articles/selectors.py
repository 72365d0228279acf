"""Reads shaped for one page each.

Every read of articles starts from ``Article.objects.published()``, the one
visibility rule, and fetches the related rows its page renders, so templates
never query inside a loop.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from taggit.models import Tag, TaggedItem

from articles.models import Article, ArticleVote, Category
from channels import verify
from channels.selectors import contacts_judged_in
from helpcenter import pagecache


def _published(language: str) -> QuerySet:
    return Article.objects.published().in_language(language).select_related("category")


def category_list_with_counts(*, language: str) -> list[Category]:
    """Return every category, each with ``article_count`` of visible articles.

    Categories without a visible article in ``language`` are left out. Each
    count is a range of the (category, language, status, ...) index; the
    counts are also kept in the cache for the current content generation
    (``helpcenter.pagecache``), so a new one costs this query once.
    """
    counts = (
        Article.objects.published()
        .in_language(language)
        .filter(category=OuterRef("pk"))
        .order_by()
        .values("category")
        .annotate(total=Count("pk"))
        .values("total")
    )

    def compute() -> list[Category]:
        categories = Category.objects.annotate(
            article_count=Coalesce(Subquery(counts, output_field=IntegerField()), 0)
        )
        return [category for category in categories if category.article_count]

    return pagecache.remember(f"category-counts:{language}", compute)


# What the home page's lists show (``_article_list.html``).
HOME_LIST_COLUMNS = ("title", "slug", "summary", "language", "published_at", "category")


def article_list_promoted(*, language: str, limit: int = 6) -> list[Article]:
    """Return up to ``limit`` promoted visible articles, newest first."""
    return list(
        # ``__in``: SQLite reads a bare boolean test as no equality and would
        # not use the (language, is_promoted, status, published_at) index.
        _published(language)
        .filter(is_promoted__in=[True])
        .only(*HOME_LIST_COLUMNS)[:limit]
    )


def article_list_popular(*, language: str, limit: int = 6) -> list[Article]:
    """Return the ``limit`` most viewed visible articles (flushed view counts)."""
    return list(
        _published(language)
        .order_by("-view_count", "-published_at")
        .only(*HOME_LIST_COLUMNS)[:limit]
    )


# The columns an article list page (``_article_list.html`` and the FAQ
# structured data) shows, and nothing else.
LIST_PAGE_COLUMNS = ("title", "slug", "summary", "language", "published_at")


def _published_with_fallbacks(language: str) -> QuerySet:
    """Visible articles in ``language``, then those in another language that
    have no visible translation in ``language``, each marked ``is_fallback``.

    A reader of either language then sees every topic the help center has
    written about, the way ``article_get_for_language`` shows a fallback.
    The translation group is the one the article page's language switcher
    uses: the original (``translation_of`` empty) and every row pointing at
    it. The EXISTS probes the primary key and the ``translation_of`` index
    for the few rows of one group, so it costs the same at any table size.
    """
    in_language = Article.objects.published().in_language(language)
    # Two EXISTS rather than one with OR: SQLite would answer the OR by
    # scanning every visible article of the language for each candidate.
    original_visible = Exists(in_language.filter(pk=OuterRef("group_id")))
    translation_visible = Exists(
        in_language.filter(translation_of_id=OuterRef("group_id"))
    )
    return (
        Article.objects.published()
        .annotate(
            group_id=Coalesce("translation_of_id", "pk", output_field=IntegerField()),
            is_fallback=ExpressionWrapper(
                ~Q(language=language), output_field=BooleanField()
            ),
        )
        .filter(Q(language=language) | ~(original_visible | translation_visible))
        .only(*LIST_PAGE_COLUMNS)
    )


def article_list_for_category(*, category: Category, language: str) -> QuerySet:
    """Return the visible articles of a category for a reader of ``language``.

    Articles in ``language`` come first (promoted first, then newest), then
    the articles that exist only in another language, in the same order;
    one queryset, so the paginator counts and slices both.
    """
    return (
        _published_with_fallbacks(language)
        .in_category(category)
        .order_by("is_fallback", "-is_promoted", "-published_at", "-pk")
    )


def article_list_for_tag(*, tag: Tag, language: str) -> QuerySet:
    """Return the visible articles carrying ``tag`` for a reader of
    ``language``: those in ``language`` newest first, then those that exist
    only in another language, newest first.

    A fallback article's tags link to the tag pages of the page's language;
    the article is listed there, so such a link never opens an empty page.
    """
    return (
        _published_with_fallbacks(language)
        .filter(tags=tag)
        .order_by("is_fallback", "-published_at", "-pk")
    )


def article_list_recent(*, language: str, limit: int = 30) -> list[Article]:
    """Return the most recently updated visible articles, for the feed."""
    return list(_published(language).order_by("-updated_at")[:limit])


@dataclass
class ArticleLookup:
    """What ``/<lang>/articles/<slug>/`` should show.

    Exactly one of ``article`` and ``redirect_to`` is set, or neither (404).
    ``is_fallback`` means the article is in the other language because the
    requested one has no version of it.
    """

    article: Article | None = None
    redirect_to: str = ""
    is_fallback: bool = False
    alternate_urls: dict[str, str] = field(default_factory=dict)


def article_get_for_language(*, slug: str, language: str) -> ArticleLookup:
    """Resolve a slug in a language, following translations and old slugs.

    1. A visible article with this slug in ``language`` is shown.
    2. A visible article with this slug in another language redirects to its
       visible translation in ``language`` if there is one, else is shown as
       a fallback.
    3. A slug an article used to have (from its revision history) redirects
       to the article's current URL.
    """
    candidates = list(
        Article.objects.published()
        .filter(slug=slug)
        .select_related("category")
        .prefetch_related("tags")
    )
    for article in candidates:
        if article.language == language:
            return ArticleLookup(article=article, alternate_urls=_alternates(article))
    if candidates:
        article = candidates[0]
        alternates = _alternates(article)
        if language in alternates:
            return ArticleLookup(redirect_to=alternates[language])
        return ArticleLookup(
            article=article, is_fallback=True, alternate_urls=alternates
        )
    return ArticleLookup(redirect_to=_current_url_for_old_slug(slug, language))


def _alternates(article: Article) -> dict[str, str]:
    root_id = article.translation_of_id or article.pk
    # The group is found by its two indexed keys, and the visibility rule
    # (``is_published``, the row form of ``published()``) applied to its few
    # rows: with the rule in SQL, SQLite walks the publish-time index instead.
    group = Article.objects.filter(
        Q(pk=root_id) | Q(translation_of_id=root_id)
    ).order_by()
    urls = {
        member.language: member.get_absolute_url()
        for member in group.only("slug", "language", "status", "published_at")
        if member.is_published
    }
    urls.setdefault(article.language, article.get_absolute_url())
    # The switcher lists languages in the order of settings.LANGUAGES.
    return {code: urls[code] for code, _name in settings.LANGUAGES if code in urls}


def _current_url_for_old_slug(slug: str, language: str) -> str:
    article_ids = (
        Article.history.filter(slug=slug).values_list("id", flat=True).distinct()
    )
    current = list(
        Article.objects.published()
        .filter(pk__in=list(article_ids))
        .only("slug", "language")
    )
    current.sort(key=lambda article: article.language != language)
    for article in current:
        if article.slug != slug:
            return article.get_absolute_url()
    return ""


def article_list_related(*, article: Article, limit: int = 5) -> list[Article]:
    """Return visible articles sharing tags or the category with ``article``.

    More shared tags rank first, then views. Uses the article's prefetched
    tags, so it costs one query, and ranks only a few candidates: articles
    carrying one of its tags (at most ``TAG_CANDIDATES``) and the ``limit``
    most viewed of its category (an index range), whatever the size of the
    category.
    """
    tag_ids = [tag.pk for tag in article.tags.all()]
    visible = _published(article.language).exclude(pk=article.pk)
    most_viewed = (
        visible.filter(category_id=article.category_id)
        .order_by("-view_count", "-published_at")
        .values("pk")[:limit]
    )
    sharing = (
        TaggedItem.objects.filter(
            tag_id__in=tag_ids,
            content_type__app_label="articles",
            content_type__model="article",
        )
        .exclude(object_id=article.pk)
        .values("object_id")[:TAG_CANDIDATES]
    )
    related = (
        visible.filter(Q(pk__in=most_viewed) | Q(pk__in=sharing))
        .annotate(shared_tags=Count("tags", filter=Q(tags__in=tag_ids), distinct=True))
        .order_by("-shared_tags", "-view_count", "-published_at")
        .only(*HOME_LIST_COLUMNS)
    )
    return list(related[:limit])


# Articles sharing a tag considered for "related": enough to rank, bounded.
TAG_CANDIDATES = 50


def article_get_vote(*, article: Article, voter: str) -> ArticleVote | None:
    """Return this browser's vote on the article, or None."""
    if not voter:
        return None
    return ArticleVote.objects.filter(article=article, voter=voter).first()


def tag_get(*, slug: str) -> Tag | None:
    """Return the tag with this slug, or None."""
    return Tag.objects.filter(slug=slug).first()


@dataclass(frozen=True)
class ArticleContacts:
    """Contacts written in an article that are not official channels."""

    scams: list[str]  # known scams, as written: the article is refused
    unconfirmed: list[str]  # not official and new: staff must confirm them


def article_contacts_to_confirm(
    *, texts: list[str], saved_texts: list[str] = ()
) -> ArticleContacts:
    """Judge the contacts in an article's ``texts`` (title, summary, body).

    A known scam is always reported. A contact that is not an official
    channel is reported unless ``saved_texts`` (the article as saved before
    this edit) already had it, so a confirmed contact is not asked about at
    every later save. A handle that is ours on some platform passes: the
    article names the platform, which the checker cannot read from prose.
    Two queries when the texts contain a contact, none otherwise.
    """
    verdicts = contacts_judged_in(text="\n".join(texts))
    saved = {
        contact.key
        for raw in verify.find_contacts("\n".join(saved_texts))
        if (contact := verify.normalize(raw)) is not None
    }
    return ArticleContacts(
        scams=[v.raw for v in verdicts if v.verdict == verify.KNOWN_SCAM],
        unconfirmed=[
            v.raw
            for v in verdicts
            if v.verdict == verify.NOT_OFFICIAL
            and v.reason != verify.REASON_PLATFORM_UNKNOWN
            and v.contact.key not in saved
        ],
    )


# The columns an article list in the API shows, and nothing else.
ARTICLE_LIST_COLUMNS = (
    "slug",
    "title",
    "summary",
    "language",
    "published_at",
    "updated_at",
    "category__slug",
)


def article_list_for_api(
    *, language: str, category: Category | None = None, tag: Tag | None = None
) -> QuerySet:
    """Return the visible articles in ``language``, newest first, of one
    category and carrying one tag when given.

    Loads only ``ARTICLE_LIST_COLUMNS``; the ordering follows the
    (language, status, published_at) index, so a page costs the same
    whatever the number of articles.
    """
    articles = _published(language)
    if category is not None:
        articles = articles.in_category(category)
    if tag is not None:
        articles = articles.filter(tags=tag)
    return articles.only(*ARTICLE_LIST_COLUMNS).order_by("-published_at", "-pk")
