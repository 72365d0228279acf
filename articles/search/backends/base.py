"""The search backend interface, and the behaviour every engine shares.

``SearchBackend`` owns the whole search flow once, for every engine:

1. compile the query once (``query.compile_query``: terms, synonyms,
   spelling correction, prefix flag, language, category, clock);
2. tiering: every word (``and``), then every word a Chinese run needs
   (``cover``), then any word, ranked by coverage (``partial``), then the
   spelling correction when the query as typed found nothing or only part;
3. ordering within a tier: articles matching the words as typed before
   synonym-only ones, title/tags/summary matches before body-only ones,
   then the engine's relevance score;
4. paging through those ordered slices, and snippets.

An engine implements two hooks over a ``query.Match`` (one set of
visible articles): ``count`` (matches per category) and ``rank`` (one page
of a set, best first). Both engines and the pure-Python reference backend
return the same shapes, and the same sets of articles.

The result cache is not here: ``cached.CachedSearchBackend`` wraps any
backend. Limits are class attributes, so a test or a subclass changes them
on one backend without touching the others.
"""

import dataclasses
import math
import time
from collections.abc import Iterable

from django.db.models import Model

from articles.search import analysis, query as query_module, snippets

# How deep results can be paged by default (see SearchBackend.result_window);
# the selectors page with it.
RESULT_WINDOW = 1000


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
    ``result_window`` can be paged to.
    """

    query: str
    hits: list[Hit]
    total: int
    corrected_query: str | None = None
    suggested_query: str | None = None
    facets: dict[int, int] = dataclasses.field(default_factory=dict)
    mode: str = "and"
    # How many matches have every word of the query: the first ones in rank
    # order. The rest match part of it (a long question's fill, or every
    # match in the partial mode, where this is 0).
    with_every_word: int = 0

    @property
    def is_partial(self) -> bool:
        """Whether the hits match only part of the query (``mode="partial"``)."""
        return self.mode == "partial"

    def __iter__(self):
        return iter(self.hits)

    def __len__(self):
        return len(self.hits)


def _in_scope(query, facets: dict[int, int]) -> int:
    """The matches counted in ``facets`` that the query lists: all of them,
    or its category's."""
    if query.category_id is None:
        return sum(facets.values())
    return facets.get(query.category_id, 0)


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

    @property
    def head(self) -> list[str]:
        """The title, tags and summary tokens: what the head zone matches."""
        return [*self.title, *self.tags, *self.summary]


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


def visible_articles(now):
    """Return the articles search may show at ``now``: the one visibility
    rule, ``Article.objects.published()``, read at the search's own clock.

    Engines that keep a copy of the rule's columns in their index apply the
    same two conditions (``VISIBLE_STATUS``, and a publish time at or
    before ``now``) to it; the reference backend reads this queryset.
    """
    from articles.models import Article

    return Article.objects.listed().filter(published_at__lte=now)


def visible_status() -> str:
    """The status value of a visible article (see ``visible_articles``)."""
    from articles.models import Article

    return Article.Status.PUBLISHED


class SearchBackend:
    """The interface and the shared flow; engines implement the hooks."""

    vendor = ""
    # Only the first result_window results can be paged to, as in every web
    # search engine; the total and the facets are always exact.
    result_window = RESULT_WINDOW
    # At most this many of a set's most recent matches are ranked (never
    # fewer than result_window, so a capped set fills the whole window).
    rank_candidates = 1000
    # Partial mode: a term's weight counts once for a match anywhere, once
    # more in the head, twice more as typed (see coverage_factors).
    head_factor = 1
    typed_factor = 2
    # Term weights are whole numbers (weight_scale x idf), so every engine
    # sums them exactly and orders coverage ties the same way.
    weight_scale = 100
    # A question of fill_min_terms words or more with fewer than fill_below
    # articles having them all gets partial matches after those (see _fill).
    fill_min_terms = 3
    fill_below = 5
    index_batch = 500
    # Counts remembered with the search state (see statistic): for how
    # long (as the result cache's cache_seconds), and how many at most.
    statistics_seconds = 60
    statistics_limit = 10_000
    # Whether ``rank`` orders a set without its count (``total`` unused):
    # a search asked for ``totals=False`` then skips counting.
    ranks_uncounted = False

    # --- engine hooks ---------------------------------------------------
    def count(self, match: query_module.Match) -> dict[int, int]:
        """Return {category_id: matches} of the set ``match`` describes.

        Every category is counted (``match.category_id`` does not apply);
        categories without matches are left out.
        """
        raise NotImplementedError

    def rank(
        self, match: query_module.Match, *, limit: int, offset: int, total: int
    ) -> list[tuple[int, float]]:
        """Return [(article_id, score)], the ``offset``-th to the
        ``offset + limit``-th best of the set in ``match.category_id`` (all
        categories when None).

        AND sets are ordered by the engine's relevance score, then article
        id; partial sets by coverage, then relevance, then article id.
        ``total`` is an upper bound on the set's size (the query's count):
        above ``rank_candidates`` an engine may rank only the most recent
        ``rank_candidates`` of it.
        """
        raise NotImplementedError

    def write_documents(self, documents: list[IndexedDocument]) -> None:
        """Replace the stored rows of these documents (a ``SearchDocument``
        each, with the analyzed text). SQLite's triggers copy them into its
        FTS5 table; PostgreSQL writes its vectors itself."""
        from articles.search.models import SearchDocument

        SearchDocument.objects.filter(
            article_id__in=[document.article_id for document in documents]
        ).delete()
        SearchDocument.objects.bulk_create(
            [
                SearchDocument(
                    article_id=document.article_id,
                    title=" ".join(document.title),
                    tags=" ".join(document.tags),
                    summary=" ".join(document.summary),
                    body=" ".join(document.body),
                )
                for document in documents
            ]
        )

    # --- the interface --------------------------------------------------
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
        partial: bool = True,
        totals: bool = True,
    ) -> SearchResult:
        """Return the visible articles matching ``query``, best first.

        ``language`` restricts the results to one language (None: all);
        ``category`` (a Category or its id) to one category. ``prefix``
        matches the last word as a prefix (instant search, see
        ``query.parse_query``). ``partial=False`` finds only articles having
        every word (a Chinese run's characters: the ``cover`` mode), never
        ranked by coverage (the results page's "only in the other language"
        list). ``totals=False`` with ``partial=False``: the caller shows
        the hits of the first page alone, so an engine that ranks a set
        without counting it (``ranks_uncounted``) does not count: ``total``
        is then the number of hits and ``facets`` is empty; the hits, mode
        and correction are those of the counted search. A blank query
        returns an empty result. Never raises for any input text.
        """
        category_id = category.pk if isinstance(category, Model) else category
        compiled = query_module.compile_query(
            query,
            language=language,
            category_id=int(category_id) if category_id is not None else None,
            use_correction=use_correction,
            prefix=prefix,
            partial=partial,
            totals=totals,
        )
        offset = max(0, offset)
        limit = max(0, min(limit, self.result_window - offset))
        return self.execute(compiled, limit=limit, offset=offset)

    def execute(self, query, *, limit: int, offset: int) -> SearchResult:
        """Return one page of results of a compiled query.

        A word that is not a real word may be a typo of an indexed one. The
        query as typed goes first: when it matches in full, the correction
        is only offered ("Did you mean"); when it finds nothing or only part
        of the query, the corrected query is searched and, if it finds
        anything, shown instead.
        """
        result = self._search_terms(query, query.terms, limit, offset)
        if query.prefix and not result.total:
            # Nothing starts with the last word: it may be a finished word
            # with a typo ("walet"), so search it as a word.
            return self.execute(query.without_prefix(), limit=limit, offset=offset)
        if query.correction is None:
            return result
        if result.total and result.mode != "partial":
            result.suggested_query = query.correction
            return result
        corrected = self._search_terms(query, query.corrected_terms, limit, offset)
        if not corrected.total:
            return result
        corrected.corrected_query = query.correction
        return corrected

    def index(self, articles: Iterable) -> None:
        """Insert or replace the index entries of ``articles``, in batches.

        Tags are read through ``article.tags.all()``: prefetch them when
        passing many articles.
        """
        batch: list[IndexedDocument] = []
        for article in articles:
            batch.append(analyze_article(article))
            if len(batch) >= self.index_batch:
                self._write_batch(batch)
                batch = []
        if batch:
            self._write_batch(batch)
        query_module.bump_generation()

    def remove(self, article_ids: Iterable[int]) -> None:
        """Remove the index entries of these article ids (missing ones ignored)."""
        from articles.search.models import SearchDocument

        SearchDocument.objects.filter(article_id__in=list(article_ids)).delete()
        query_module.bump_generation()

    def clear(self) -> None:
        """Remove every index entry and the typo vocabulary."""
        from articles.search.models import SearchDocument, SearchTerm

        SearchDocument.objects.all().delete()
        SearchTerm.objects.all().delete()
        query_module.bump_generation()

    def optimize(self) -> None:
        """Compact the index after a bulk write (nothing to do by default)."""

    # --- the shared flow ------------------------------------------------
    @staticmethod
    def relaxations(terms):
        """Yield (mode, terms) to try in order until one finds something.

        Every term; then every term a CJK run needs to cover its characters
        (价格 and 确认 without the junction 格确); then any of those terms,
        ranked by coverage (only when there are two or more).
        """
        yield "and", terms
        cover = [term for term in terms if term.in_cover]
        if len(cover) < len(terms):
            yield "cover", cover
        if len(cover) > 1:
            yield "partial", cover

    def _search_terms(self, query, terms, limit, offset) -> SearchResult:
        result = SearchResult(query=query.text, hits=[], total=0)
        if not terms:
            return result
        for mode, relaxed in self.relaxations(terms):
            if mode == "partial":
                if not query.partial:
                    return result
                match = self._weighted(query, relaxed)
                if match is None:
                    continue
            else:
                match = query.match(relaxed)
            if self._uncounted(query, limit, offset):
                ranked = self._page(
                    self.slices(match), limit=limit, offset=0, total=None
                )
                if ranked:
                    result.mode, result.total = mode, len(ranked)
                    result.with_every_word = 0 if mode == "partial" else len(ranked)
                    result.hits = self._with_snippets(ranked, query.tokens)
                    return result
                continue
            facets = self.counted(query, match)
            if facets:
                break
        else:
            return result
        slices = self.slices(match)
        result.with_every_word = 0 if mode == "partial" else _in_scope(query, facets)
        if mode != "partial" and query.partial:
            extra = self._fill(query, terms, match, facets)
            if extra is not None:
                slices.append(extra[0])
                for category_id, matches in extra[1].items():
                    facets[category_id] = facets.get(category_id, 0) + matches
                facets = dict(sorted(facets.items()))
        total = _in_scope(query, facets)
        result.mode, result.facets, result.total = mode, facets, total
        if total and limit > 0 and offset < total:
            ranked = self._page(slices, limit=limit, offset=offset, total=total)
            result.hits = self._with_snippets(ranked, query.tokens)
        return result

    def _uncounted(self, query, limit, offset) -> bool:
        """Whether to rank without counting (see ``search``'s ``totals``):
        only a first page of articles having every word, which is empty
        exactly when the set is; the partial mode and the fill need counts.
        """
        return (
            self.ranks_uncounted
            and not query.totals
            and not query.partial
            and limit > 0
            and offset == 0
        )

    def _fill(self, query, terms, match, facets):
        """Return (partial match, its facets) to list after the few articles
        having every word of a long question, or None.

        A question of ``fill_min_terms`` words or more rarely has all of them
        in the one article that answers it ("手机丢了谷歌验证码收不到了"):
        when fewer than ``fill_below`` articles have every word, the
        articles covering part of it follow them, ranked by coverage.
        """
        cover = [term for term in terms if term.in_cover]
        found = _in_scope(query, facets)
        if len(cover) < self.fill_min_terms or found >= self.fill_below:
            return None
        weighted = self._weighted(query, cover)
        if weighted is None:
            return None
        extra = dataclasses.replace(weighted, exclude=(match.terms,))
        extra_facets = self.counted(query, extra)
        return (extra, extra_facets) if extra_facets else None

    def slices(self, match) -> list:
        """Return the sub-sets of an AND match, in the order they are shown.

        Articles matching the words as typed come before those matching only
        through a synonym ("transfer" must not put "How to send us feedback"
        first because "send" is rarer), even when the typed word is only in
        a body and the synonym in a title (issue #11: what the reader typed
        outranks what we guessed they meant); within each, title/tags/summary
        matches come before body-only ones. A partial match is one slice:
        its coverage already counts typed and head matches.
        """
        if match.is_partial:
            return [match]
        if match.has_synonyms:
            typed = dataclasses.replace(
                match, terms=match.typed_terms, scored=match.terms
            )
            groups = [typed, dataclasses.replace(match, exclude=(typed.terms,))]
        else:
            groups = [match]
        return [
            dataclasses.replace(group, zone=zone)
            for group in groups
            for zone in ("head", "body")
        ]

    def _page(self, slices, *, limit, offset, total) -> list[tuple[int, float]]:
        """Return one page, walking the slices in order.

        Each slice but the last is asked for everything up to the end of
        the page: what it cannot fill, the next one fills. Slices after a
        full page, or after every match was seen, are never ranked
        (``total`` None: unknown, so only a full page stops the walk).
        """
        page: list[tuple[int, float]] = []
        before = 0  # articles of the earlier slices
        for number, piece in enumerate(slices):
            need = offset + limit - before
            if number == len(slices) - 1:
                page += self.rank(
                    piece,
                    limit=limit - len(page),
                    offset=max(0, offset - before),
                    total=total,
                )
                break
            rows = self.rank(piece, limit=need, offset=0, total=total)
            page += rows[max(0, offset - before) :]
            before += len(rows)
            if len(rows) >= need or (total is not None and before >= total):
                break
        return page[:limit]

    def coverage_factors(self, *, head: bool, typed: bool) -> int:
        """How many times its weight a term adds to a partial match's
        coverage: once anywhere, ``head_factor`` more in the title, tags or
        summary, ``typed_factor`` more matched as typed (a term without
        synonyms always is). So a typed body match outranks a synonym-only
        title match of the same term."""
        return 1 + self.head_factor * head + self.typed_factor * typed

    def counted(self, query, match) -> dict[int, int]:
        """Return ``count(match)``, a ``statistic``: a set's facets only
        change with an index write (or a scheduled article coming due), so
        a word shared by many questions is counted once, not per search."""
        key = ("count", dataclasses.replace(match, now=None, category_id=None))
        return dict(self.statistic(query, key, lambda: self.count(match)))

    def statistic(self, query, key, compute):
        """Return ``compute()``, remembered under ``key`` with the query's
        shared state (``query.current_state``) for ``statistics_seconds``.

        For counts that only an index write changes: every write starts a
        new state, and a scheduled article coming due reloads it, so a
        remembered count is the one the search would make now; a write that
        bypasses the receivers (a bulk ``UPDATE``) shows within
        ``statistics_seconds``, as in the result cache. Remembered per
        engine, so the contract suite compares each engine's own counts.
        """
        if query.state is None:
            return compute()
        statistics = query.state.statistics
        key = (self.vendor, query.language, key)
        now = time.monotonic()
        entry = statistics.get(key)
        if entry is None or now - entry[0] >= self.statistics_seconds:
            if len(statistics) >= self.statistics_limit:
                statistics.clear()
            entry = statistics[key] = (now, compute())
        return entry[1]

    def _weighted(self, query, terms):
        """Return the partial ``Match`` of ``terms``, or None.

        Each term that matches some visible article is weighted by its
        rarity, ``idf = ln(1 + N / matches)`` over the N visible articles of
        the language, so a chatty question's rare words ("withdrawal")
        outweigh its common ones ("app"); a term nothing matches is left
        out. None when no term matches anything. Both counts are
        ``statistic``s.
        """
        counted = []
        for term in terms:
            matches = sum(self.counted(query, query.match([term])).values())
            if matches:
                counted.append((term, matches))
        if not counted:
            return None

        def visible_count():
            visible = visible_articles(query.now)
            if query.language:
                visible = visible.filter(language=query.language)
            return visible.count()

        documents = max(
            self.statistic(query, "visible", visible_count),
            max(matches for _t, matches in counted),
        )
        weights = [
            max(1, round(self.weight_scale * math.log(1 + documents / matches)))
            for _term, matches in counted
        ]
        return query.match([term for term, _matches in counted], weights=tuple(weights))

    def _with_snippets(self, ranked, tokens: set[str]) -> list[Hit]:
        from django.db.models.functions import Left

        from articles.models import Article

        # Only the part of the body a snippet can come from is read.
        texts = {
            pk: (summary, snippets.plain_text(body_html))
            for pk, summary, body_html in Article.objects.filter(
                pk__in=[pk for pk, _score in ranked]
            )
            .order_by()
            .values_list("pk", "summary", Left("body_html", snippets.HTML_SCAN_CHARS))
        }
        return [
            Hit(pk, score, snippets.make_snippet(list(texts.get(pk, ("", ""))), tokens))
            for pk, score in ranked
        ]

    def _write_batch(self, batch: list[IndexedDocument]) -> None:
        from articles.search.models import SearchTerm

        self.write_documents(batch)
        words: dict[str, str] = {}
        for document in batch:
            for term, surface in document.words.items():
                words.setdefault(term, surface)
        SearchTerm.objects.bulk_create(
            [SearchTerm(term=term, surface=surface) for term, surface in words.items()],
            ignore_conflicts=True,
        )
