"""The search backend interface, and the behaviour both engines share.

``SearchBackend`` is the interface. ``DocumentSearchBackend`` implements it
over the ``SearchDocument`` table: analysis, synonyms, typo correction, AND
first with an OR fallback, the visibility rule, facets and snippets are the
same for every engine; subclasses only render the parsed query into their
syntax and run the engine-specific SQL.
"""

import dataclasses
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable

from django.db.models import Model

from articles.search import analysis, query as query_module, snippets

# Analyzed body tokens kept for ranking on engines that rank a compact copy.
RANK_BODY_TOKENS = 60
INDEX_BATCH = 500
# How deep results can be paged: the total is always exact, but like every
# web search engine only the first RESULT_WINDOW results can be browsed.
RESULT_WINDOW = 1000
# At most this many matches of a tier are ranked, the most recent ones (see
# DocumentSearchBackend). Never below RESULT_WINDOW, so a tier with more
# matches than this always fills the whole window by itself.
RANK_CANDIDATES = 1000
# In the partial mode a term found in the title, tags or summary counts this
# many times its weight; found only in the body, once.
HEAD_FACTOR = 2
# Term weights are whole numbers (100 x idf), so both engines sum them
# exactly and order ties the same way.
WEIGHT_SCALE = 100


@dataclasses.dataclass(frozen=True)
class Hit:
    """One matching article: its id, engine score (higher is better), snippet."""

    article_id: int
    score: float
    snippet: str


@dataclasses.dataclass
class SearchResult:
    """A page of hits, best first, with the total and the category facets.

    ``corrected_query`` is the query actually searched when a typo was fixed
    (the query as typed found nothing, or only part of it matched), else
    None; ``suggested_query`` is a spelling correction offered, not applied,
    because the query as typed matched in full. ``facets`` maps category id
    to the number of matches. ``total`` counts every match; only the first
    ``RESULT_WINDOW`` can be paged to.
    """

    query: str
    hits: list[Hit]
    total: int
    corrected_query: str | None = None
    suggested_query: str | None = None
    facets: dict[int, int] = dataclasses.field(default_factory=dict)
    mode: str = "and"

    @property
    def is_partial(self) -> bool:
        """Whether the hits match only part of the query (``mode="partial"``)."""
        return self.mode == "partial"

    def __iter__(self):
        return iter(self.hits)

    def __len__(self):
        return len(self.hits)


@dataclasses.dataclass
class IndexedDocument:
    """The analyzed columns of one article, ready to store."""

    article_id: int
    language: str
    title: list[str]
    tags: list[str]
    summary: list[str]
    body: list[str]
    words: dict[str, str]
    # Copied into the index row by engines that filter there (PostgreSQL);
    # the publish time is still compared with the clock at query time.
    status: str = ""
    published_at: object = None
    category_id: int | None = None


class SearchBackend:
    """The interface every search backend implements."""

    def search(
        self,
        query: str,
        *,
        language: str | None,
        category=None,
        limit: int = 20,
        offset: int = 0,
        use_correction: bool = True,
        prefix: bool = False,
    ) -> SearchResult:
        """Return the visible articles matching ``query``, best first.

        ``language`` restricts the results to one language (None: all);
        ``category`` (a Category or its id) to one category. ``prefix``
        matches the last word as a prefix (instant search, see
        ``query.parse_query``). A blank query returns an empty result.
        Never raises for any input text.
        """
        raise NotImplementedError

    def index(self, articles: Iterable) -> None:
        """Insert or replace the index entries of ``articles``."""
        raise NotImplementedError

    def remove(self, article_ids: Iterable[int]) -> None:
        """Remove the index entries of these article ids (missing ones ignored)."""
        raise NotImplementedError

    def clear(self) -> None:
        """Remove every index entry."""
        raise NotImplementedError

    def optimize(self) -> None:
        """Compact the index after a bulk write (nothing to do by default)."""


def analyze_article(article) -> IndexedDocument:
    """Return the analyzed columns of an article (tags from its prefetch)."""
    tag_text = " ".join(tag.name for tag in article.tags.all())
    words: dict[str, str] = {}
    for text in (article.title, tag_text, article.summary, article.body):
        for word in analysis.latin_words(text):
            if len(word) <= 64:
                words.setdefault(analysis.stem(word), word)
    return IndexedDocument(
        article_id=article.pk,
        language=article.language,
        title=analysis.analyze(article.title),
        tags=analysis.analyze(tag_text),
        summary=analysis.analyze(article.summary),
        body=analysis.analyze(article.body),
        words=words,
        status=article.status,
        published_at=article.published_at,
        category_id=article.category_id,
    )


class DocumentSearchBackend(SearchBackend):
    """Shared search flow over the analyzed-document table.

    The OR fallback only matches the title, tags and summary: any one word
    of a long sentence occurs in the body of most articles, so matching
    bodies would return nearly everything, slowly, ranked by noise.

    Ranking goes by tiers. Matches in the title, tags or summary ("head")
    come first, ranked by the engine's score; matches only in the body
    follow, ranked the same way, and are only looked at when the head tier
    runs out before the page is full. When a tier has more than
    ``RANK_CANDIDATES`` matches (a common word in a large help center),
    only the most recent ``RANK_CANDIDATES`` of them are scored: at 100,000
    articles, scoring all 20,000 whose title, tags or summary has "转账"
    took 25 ms and ordered them by little more than title length. Since
    ``RANK_CANDIDATES >= RESULT_WINDOW``, such a tier fills the whole
    browsable window, so no page ever mixes capped and uncapped orders.
    (An engine may rank more outright where that is cheaper than finding
    the most recent: SQLite does up to five times as many.)

    Results are kept in a small per-process LRU cache keyed by the search
    generation (bumped by every index write and synonym edit, and renewed
    when a scheduled article comes due), so a repeated popular query costs
    no database work and can never show a stale or early result.
    """

    vendor = ""
    cache_size = 1024
    # Bounds staleness after writes that bypass the receivers (bulk UPDATE).
    cache_seconds = 60
    # The tiers a page is ranked from, in order (see rank_tiers).
    HEAD, BODY, ALL = "head", "body", "all"
    # Result modes in which every word of the query matched (see search).
    FULL_MODES = frozenset({"and", "cover"})

    def __init__(self):
        self._cache: OrderedDict = OrderedDict()
        self._cache_lock = threading.Lock()

    # --- engine hooks ---------------------------------------------------
    def render_query(self, terms: list[query_module.Term], mode: str, language=None):
        """Return the engine's match expression for the terms ("and"/"or")."""
        raise NotImplementedError

    def match_page(self, match, *, language, category, limit, offset, state):
        """Return ({category_id: matches}, [(article_id, score)] best first).

        Only articles visible under ``Article.objects.published()`` count,
        in ``language`` when given (None: every language). The counts cover
        every category; the page only ``category`` when given. Engines rank
        the page with ``rank_tiers``. ``state`` is the query state in use.
        """
        raise NotImplementedError

    def cover_page(self, weighted, *, language, category, limit, offset, state):
        """Return ({category_id: matches}, [(article_id, score)] best first)
        for the partial mode.

        ``weighted`` is [(term, weight)]: an article matches when any term
        matches it anywhere; its score is the sum of the weights of the terms
        it has, ``HEAD_FACTOR`` times a weight for a term in its title, tags
        or summary. Ties go to the lower article id. Visibility, language and
        category as in ``match_page``.
        """
        raise NotImplementedError

    def write_documents(self, documents: list[IndexedDocument]) -> None:
        """Insert or replace the stored rows of these documents."""
        raise NotImplementedError

    # --- shared behaviour -----------------------------------------------
    def search(
        self,
        query,
        *,
        language,
        category=None,
        limit=20,
        offset=0,
        use_correction=True,
        prefix=False,
    ) -> SearchResult:
        """Return the visible articles matching ``query``, best first.

        AND semantics first. When nothing matches every term, the junction
        bigrams of Chinese runs are dropped (``mode="cover"``), and when that
        still finds nothing, articles are ranked by how much of the query
        they cover (``mode="partial"``, see ``_partial``). Hits stop at
        ``RESULT_WINDOW``; the total and facets never do.
        """
        state = query_module.current_state()
        category_id = category.pk if isinstance(category, Model) else category
        category_id = int(category_id) if category_id is not None else None
        offset = max(0, offset)
        limit = max(0, min(limit, RESULT_WINDOW - offset))
        # loaded_at identifies this load of the state: a new generation or a
        # scheduled article coming due reloads it and so retires the entries.
        key = (
            state.loaded_at,
            query,
            language,
            category_id,
            limit,
            offset,
            use_correction,
            prefix,
        )
        now = time.monotonic()
        with self._cache_lock:
            cached = self._cache.get(key)
            if cached is not None and now - cached[0] < self.cache_seconds:
                self._cache.move_to_end(key)
                return dataclasses.replace(cached[1], hits=list(cached[1].hits))
        result = self._search(
            query, state, language, category_id, limit, offset, use_correction, prefix
        )
        if self.cache_size:
            with self._cache_lock:
                self._cache[key] = (now, result)
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return dataclasses.replace(result, hits=list(result.hits))

    def _search(
        self, query, state, language, category, limit, offset, use_correction, prefix
    ):
        # A word that is not a real word may be a typo of an indexed one. The
        # query as typed goes first: when it matches in full, the correction
        # is only offered ("Did you mean"); when it finds nothing or only
        # part of the query, the corrected query is searched and, if it finds
        # anything, shown instead, saying so.
        parsed = query_module.parse_query(
            query, use_correction=use_correction, state=state, prefix=prefix
        )
        result = self._search_terms(
            parsed.text, parsed.terms, state, language, category, limit, offset
        )
        if prefix and not result.total:
            # Nothing starts with the last word: it may be a finished word
            # with a typo ("walet"), so search it as a word.
            return self._search(
                query, state, language, category, limit, offset, use_correction, False
            )
        if parsed.correction is None:
            return result
        if result.total and result.mode in self.FULL_MODES:
            result.suggested_query = parsed.correction
            return result
        corrected = self._search_terms(
            parsed.text,
            parsed.corrected_terms,
            state,
            language,
            category,
            limit,
            offset,
        )
        if not corrected.total:
            return result
        corrected.corrected_query = parsed.correction
        return corrected

    def _search_terms(self, text, terms, state, language, category, limit, offset):
        result = SearchResult(query=text, hits=[], total=0)
        if not terms:
            return result
        for mode, relaxed in self._relaxations(terms):
            if mode == "partial":
                facets, ranked = self._partial(
                    relaxed, language, category, limit, offset, state
                )
            else:
                facets, ranked = self.match_page(
                    self.render_query(relaxed, "and", language),
                    language=language,
                    category=category,
                    limit=limit,
                    offset=offset,
                    state=state,
                )
            if facets:
                break
        if not facets:
            return result
        result.mode, result.facets = mode, facets
        result.total = (
            sum(facets.values()) if category is None else facets.get(category, 0)
        )
        tokens = {token for term in terms for token in term.tokens}
        result.hits = self._with_snippets(ranked, tokens) if ranked else []
        return result

    def rank_tiers(self, fetch, *, head_only, total, limit, offset):
        """Return one ranked page of ``total`` matches, tier by tier.

        ``fetch(tier, size, skip)`` returns [(article_id, score)] best first
        from one tier: ``ALL`` (a query that only matches heads already),
        ``HEAD``, or ``BODY`` (matches outside the head), each ranking at most
        ``RANK_CANDIDATES`` of the tier's most recent matches.
        """
        if total == 0 or limit <= 0 or offset >= total:
            return []
        if head_only:
            return fetch(self.ALL, limit, offset)
        head = fetch(self.HEAD, offset + limit, 0)
        page = head[offset:]
        # Body-only matches are needed only if the head ones fall short.
        if len(head) < offset + limit and len(head) < total:
            page += fetch(self.BODY, limit - len(page), max(0, offset - len(head)))
        return page

    @staticmethod
    def _relaxations(terms):
        # Every term; then every term a CJK run needs to cover its characters
        # (价格 and 确认 without the junction 格确); then any term.
        yield "and", terms
        cover = [term for term in terms if term.in_cover]
        if len(cover) < len(terms):
            yield "cover", cover
        if len(cover) > 1:
            yield "partial", cover

    def _partial(self, terms, language, category, limit, offset, state):
        """Rank the articles by how much of the query they cover.

        Each term that matches some visible article is weighted by its
        rarity, ``idf = ln(1 + N / matches)`` over the N visible articles of
        the language, so a chatty question's rare words ("withdrawal")
        outweigh its common ones ("app"); a term nothing matches is left
        out. Nothing is found only when no term matches anything.
        """
        from articles.models import Article

        counted = []
        for term in terms:
            facets, _ranked = self.match_page(
                self.render_query([term], "and", language),
                language=language,
                category=None,
                limit=0,
                offset=0,
                state=state,
            )
            matches = sum(facets.values())
            if matches:
                counted.append((term, matches))
        if not counted:
            return {}, []
        visible = Article.objects.published()
        if language:
            visible = visible.filter(language=language)
        documents = max(visible.count(), max(matches for _t, matches in counted))
        weighted = [
            (term, max(1, round(WEIGHT_SCALE * math.log(1 + documents / matches))))
            for term, matches in counted
        ]
        return self.cover_page(
            weighted,
            language=language,
            category=category,
            limit=limit,
            offset=offset,
            state=state,
        )

    def _with_snippets(self, ranked, tokens: set[str]) -> list[Hit]:
        from articles.models import Article

        texts = {
            pk: (summary, snippets.plain_text(body_html))
            for pk, summary, body_html in Article.objects.filter(
                pk__in=[pk for pk, _score in ranked]
            ).values_list("pk", "summary", "body_html")
        }
        return [
            Hit(pk, score, snippets.make_snippet(list(texts.get(pk, ("", ""))), tokens))
            for pk, score in ranked
        ]

    def index(self, articles) -> None:
        """Insert or replace the index entries of ``articles``, in batches.

        Tags are read through ``article.tags.all()``: prefetch them when
        passing many articles.
        """
        from articles.search.models import SearchTerm

        batch: list[IndexedDocument] = []
        for article in articles:
            batch.append(analyze_article(article))
            if len(batch) >= INDEX_BATCH:
                self._write_batch(batch, SearchTerm)
                batch = []
        if batch:
            self._write_batch(batch, SearchTerm)
        query_module.bump_generation()

    def _write_batch(self, batch: list[IndexedDocument], term_model) -> None:
        self.write_documents(batch)
        words: dict[str, str] = {}
        for document in batch:
            for term, surface in document.words.items():
                words.setdefault(term, surface)
        term_model.objects.bulk_create(
            [term_model(term=term, surface=surface) for term, surface in words.items()],
            ignore_conflicts=True,
        )

    def remove(self, article_ids) -> None:
        """Remove the index entries of these article ids (missing ones ignored)."""
        from articles.search.models import SearchDocument

        SearchDocument.objects.filter(article_id__in=list(article_ids)).delete()

    def clear(self) -> None:
        """Remove every index entry and the typo vocabulary."""
        from articles.search.models import SearchDocument, SearchTerm

        SearchDocument.objects.all().delete()
        SearchTerm.objects.all().delete()
        query_module.bump_generation()
