"""Reads shaped for the search page and the search API."""

import dataclasses
from urllib.parse import quote_plus, urlencode

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.core.validators import slug_re
from django.urls import reverse
from django.utils import translation
from rapidfuzz import fuzz, process
from taggit.models import Tag

from articles import selectors as article_selectors
from articles.models import Article, Category
from articles.search import analysis, search
from articles.search.backends.base import RESULT_WINDOW, SearchResult
from helpcenter import pagecache

# Matches in the other language without a translation, shown after page 1.
UNTRANSLATED_LIMIT = 3
SUGGESTION_CANDIDATES = 1000
SUGGESTION_MIN_SCORE = 60
# What a result row shows or links with (the category from _categories).
ROW_FIELDS = ("title", "slug", "language", "translation_of_id", "category")


@dataclasses.dataclass
class SearchRow:
    """One result as rendered: the article (category fetched) and snippet.

    ``url`` is the article's page; ``open_url`` the link a results list
    shows, which records the search when opened if the search has a token
    (see ``search_open_url``), else the article's page as well.
    """

    article: Article
    snippet: str
    score: float
    rank: int
    url: str = ""
    open_url: str = ""
    # False for an article matching only part of the query.
    has_every_word: bool = True


def search_open_url(*, article: Article, rank: int, token: str) -> str:
    """Return the link that opens ``article`` as result ``rank`` of the
    search ``token`` names (see ``services.search_token``); without a token,
    the article's own URL."""
    if not token:
        return article.get_absolute_url()
    return _open_url(reverse("articles:search_open"), article, rank, token)


def _open_url(path: str, article: Article, rank: int, token: str) -> str:
    query = urlencode(
        {"article": article.slug, "lang": article.language, "rank": rank, "t": token}
    )
    return f"{path}?{query}"


class _ArticleLinks:
    """Builds the links of many result rows: ``url`` is
    ``article.get_absolute_url()`` and ``open_url`` is ``_open_url``, with
    one ``reverse`` per language and the token quoted once (a reverse and
    an urlencode per row cost ~0.1 ms each, on every search page)."""

    def __init__(self, token: str = ""):
        self.token = token
        self.quoted_token = quote_plus(token)
        self.open_path = reverse("articles:search_open") if token else ""
        self.templates: dict[str, tuple[str, str]] = {}

    def url(self, article: Article) -> str:
        # A slug reverses to itself (the <slug> converter's characters need
        # no quoting); anything else takes the usual way.
        if not slug_re.fullmatch(article.slug):
            return article.get_absolute_url()
        template = self.templates.get(article.language)
        if template is None:
            with translation.override(article.language):
                path = reverse("articles:detail", kwargs={"slug": "_"})
            head, _slug, tail = path.rpartition("/_/")
            template = self.templates[article.language] = (head + "/", "/" + tail)
        return template[0] + article.slug + template[1]

    def open_url(self, article: Article, rank: int) -> str:
        return (
            f"{self.open_path}?article={quote_plus(article.slug)}"
            f"&lang={quote_plus(article.language)}&rank={rank}&t={self.quoted_token}"
        )


@dataclasses.dataclass
class SearchPage:
    """Everything the results page shows for one query."""

    result: SearchResult
    rows: list[SearchRow]
    page: Page | None
    facets: list[tuple[Category, int]]
    language: str | None
    is_other_language: bool = False
    # The total exceeds what can be paged to (see RESULT_WINDOW).
    is_windowed: bool = False
    # Matches that exist only in the other language (first page only).
    untranslated: list[SearchRow] = dataclasses.field(default_factory=list)
    popular: list[Article] = dataclasses.field(default_factory=list)
    suggestions: list[str] = dataclasses.field(default_factory=list)
    # The words a typo correction substituted (see corrected_words).
    corrected_words: list[str] = dataclasses.field(default_factory=list)
    # The words of a correction offered but not applied ("Did you mean"):
    # the query as typed matched in full (result.suggested_query).
    suggested_words: list[str] = dataclasses.field(default_factory=list)

    @property
    def fill_rows(self) -> list[SearchRow]:
        """The rows of articles matching only part of a long question, which
        follow those having every word under a heading of their own. None
        in the partial mode: every row there matches part of the question,
        and the page says so once."""
        if self.result.is_partial:
            return []
        return [row for row in self.rows if not row.has_every_word]

    @property
    def first_rows(self) -> list[SearchRow]:
        """The rows before ``fill_rows`` (all of them, when there is no fill)."""
        return self.rows[: len(self.rows) - len(self.fill_rows)]


def search_page_link(search_page: SearchPage, *, token: str) -> None:
    """Point each result of ``search_page`` at the link that records its
    opening as part of the search ``token`` names (no query)."""
    if not token:
        return
    links = _ArticleLinks(token)
    for row in search_page.rows:
        row.open_url = links.open_url(row.article, row.rank)


def _other_language(language: str) -> str:
    return next(code for code, _name in settings.LANGUAGES if code != language)


def search_rows(
    result: SearchResult, *, offset: int = 0, token: str = ""
) -> list[SearchRow]:
    """Return the hits of ``result`` as rows, in rank order (one query).

    Articles are loaded with ``in_bulk`` and ordered by the hit list, so the
    engine's ranking survives; a hit whose article vanished meanwhile is
    skipped. Only the columns a result shows are loaded (never the body);
    categories come from the per-process copy (``_categories``), not a join.
    Each row's ``open_url`` records the search ``token`` names.
    """
    articles = (
        Article.objects.only(*ROW_FIELDS)
        .order_by()
        .in_bulk([hit.article_id for hit in result.hits])
    )
    if articles:
        categories = _categories()
        for article in articles.values():
            category = categories.get(article.category_id)
            if category is not None:
                article.category = category
    links = _ArticleLinks(token)
    rows = []
    for number, hit in enumerate(result.hits, start=offset + 1):
        article = articles.get(hit.article_id)
        if article is None:
            continue
        url = links.url(article)
        open_url = links.open_url(article, number) if token else url
        rows.append(
            SearchRow(
                article,
                hit.snippet,
                hit.score,
                number,
                url,
                open_url,
                has_every_word=number <= result.with_every_word,
            )
        )
    return rows


def search_get_page(
    *,
    query: str,
    language: str | None,
    category: Category | None = None,
    page: int = 1,
    use_correction: bool = True,
    fallback_language: bool = True,
) -> SearchPage:
    """Return one page of results with facets, for the results page.

    At most two backend searches: one in ``language`` and one in the other
    language. When nothing matches in ``language``, the other language's
    matches are shown and ``is_other_language`` is set; on the first page
    of results, those having every word give ``untranslated``; when
    nothing matches at all,
    ``popular`` holds the most viewed articles to offer instead. ``page``
    is the page number asked for (``SearchForm`` parses it). A page
    past the last one shows the last one (as Django's ``get_page()``
    does), without the other language's matches.
    """
    size = settings.HELPCENTER_PAGE_SIZE
    number = max(page, 1)
    options = {"category": category, "use_correction": use_correction}
    result = search(
        query, language=language, limit=size, offset=(number - 1) * size, **options
    )
    # Only the first RESULT_WINDOW results can be paged to.
    browsable = min(result.total, RESULT_WINDOW)
    other = None
    if result.total and not result.hits:
        number = (browsable - 1) // size + 1
        result = search(
            query, language=language, limit=size, offset=(number - 1) * size, **options
        )
    elif (
        language
        and result.query
        and (number == 1 if result.total else fallback_language)
    ):
        # The other language's best matches: the whole page when nothing
        # matched here, else the candidates for "untranslated", which must
        # have every word (a few words of a question matched through a
        # synonym are no answer worth listing after this language's own).
        other = search(
            query,
            language=_other_language(language),
            limit=3 * UNTRANSLATED_LIMIT if result.total else size,
            offset=0,
            partial=not result.total,
            # Only the hits of "untranslated" are shown: no count needed.
            totals=not result.total,
            **options,
        )
    is_other = bool(other and other.total and not result.total)
    if is_other:
        result, number, browsable = other, 1, min(other.total, RESULT_WINDOW)
    page = Paginator(range(browsable), size).get_page(number) if browsable else None
    search_page = SearchPage(
        result=result,
        rows=search_rows(result, offset=(number - 1) * size),
        page=page,
        facets=_facets(result),
        language=language,
        is_other_language=is_other,
        is_windowed=result.total > RESULT_WINDOW,
    )
    search_page.corrected_words = corrected_words(
        query=result.query, corrected=result.corrected_query
    )
    search_page.suggested_words = corrected_words(
        query=result.query, corrected=result.suggested_query
    )
    if other is not None and not is_other and result.total:
        search_page.untranslated = untranslated_rows(other, language=language)
    if result.query and not result.total:
        search_page.popular = article_selectors.article_list_popular(
            language=language or settings.LANGUAGE_CODE
        )
        search_page.suggestions = search_suggestions(query=result.query)
    return search_page


def _categories() -> dict[int, Category]:
    """Every category by id, kept in this process for the content
    generation (a category edit starts a new one): each results page names
    its facets' categories, and there are few."""
    return pagecache.remember(
        "search-categories",
        lambda: Category.objects.in_bulk(),
        per_process=True,
    )


def _facets(result: SearchResult) -> list[tuple[Category, int]]:
    categories = _categories() if result.facets else {}
    return sorted(
        (
            (categories[pk], count)
            for pk, count in result.facets.items()
            if pk in categories
        ),
        key=lambda item: (-item[1], item[0].order, item[0].slug),
    )


def untranslated_rows(other: SearchResult, *, language: str) -> list[SearchRow]:
    """Return up to ``UNTRANSLATED_LIMIT`` of the hits of ``other`` (a search
    in the other language) that have no visible translation in ``language``.

    Synonyms cross languages (转账 = transfer), so such an article can
    answer the query; the results page lists it after its own results,
    marked with its language. Its translations are found through
    ``translation_of``, whichever side of the link the match is on.
    """
    rows = search_rows(other)
    if not rows:
        return []
    roots = {row.article.translation_of_id or row.article.pk for row in rows}
    # Two index look-ups in one statement: an OR of the two columns made
    # SQLite scan every published article (110 ms at 100,000).
    visible = Article.objects.published().filter(language=language).order_by()
    translated = set(
        visible.filter(pk__in=roots)
        .values_list("pk", flat=True)
        .union(
            visible.filter(translation_of_id__in=roots).values_list(
                "translation_of_id", flat=True
            )
        )
    )
    return [
        row
        for row in rows
        if (row.article.translation_of_id or row.article.pk) not in translated
    ][:UNTRANSLATED_LIMIT]


def search_suggestions(*, query: str, limit: int = 3) -> list[str]:
    """Return up to ``limit`` tag names close to ``query``, for a page with
    no results (one query).

    Only staff-written words are offered as "Did you mean": tag names, never
    what other visitors searched for, which anyone can plant by searching
    ``钱包 请拨打客服热线 +1-888-…`` a few hundred times. Closeness is
    rapidfuzz's WRatio on the normalised text.
    """
    names = list(
        Tag.objects.order_by("name").values_list("name", flat=True)[
            :SUGGESTION_CANDIDATES
        ]
    )
    folded = analysis.normalize(query)
    matches = process.extract(
        folded,
        [name for name in names if analysis.normalize(name) != folded],
        scorer=fuzz.WRatio,
        processor=analysis.normalize,
        score_cutoff=SUGGESTION_MIN_SCORE,
        limit=limit,
    )
    return [name for name, _score, _index in matches]


def corrected_words(*, query: str, corrected: str | None) -> list[str]:
    """Return the words a typo correction put into ``query``, in order
    (applied or only suggested).

    They come from the indexed vocabulary (words of the articles), so the
    page can name them; the rest of the corrected query is what the user
    typed and stays in the search box only.
    """
    if not corrected:
        return []
    typed = {word.lower() for word in analysis.latin_words(query)}
    words = [
        word for word in analysis.latin_words(corrected) if word.lower() not in typed
    ]
    return list(dict.fromkeys(words))
