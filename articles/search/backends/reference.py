"""The reference search backend: plain Python over the article rows.

Its index is only a list of which articles are indexed (a
``SearchDocument`` row each, so ``remove`` and ``clear`` behave as on the
engines). Each count or ranking reads the visible indexed articles
(``base.visible_articles``, the one visibility rule) with their tags,
analyzes them with the same ``analysis.analyze`` the engines index
with, and evaluates the ``query.Match`` by set logic. That makes it:

- the oracle of the contract suite: for any query, SQLite and PostgreSQL
  must return the same set of articles as this backend, and the same order
  wherever the scores below decide it unambiguously;
- a working backend where SQLite lacks FTS5, for a small help center (every
  search reads every visible article of the language: fine for hundreds,
  not for 100,000).

Scoring, chosen to be simple and to agree with the engines' column
weights (title 10, tags 5, summary 3, body 1):

    relevance = sum over the query's tokens t of
                idf(t) x sum over fields f of weight(f) x tf(t, f) / (tf(t, f) + 1)
    idf(t)    = ln(1 + N / df(t)), over the N visible articles in scope

An AND set is ordered by relevance, then article id; a partial set by
coverage (``SearchBackend.coverage_factors``), then relevance, then id.
"""

import math

from articles.search.backends.base import (
    IndexedDocument,
    SearchBackend,
    analyze_article,
    visible_articles,
)

FIELD_WEIGHTS = {"title": 10.0, "tags": 5.0, "summary": 3.0, "body": 1.0}


class _Document:
    """One analyzed article, with its token sets for matching."""

    def __init__(self, document: IndexedDocument):
        self.article_id = document.article_id
        self.category_id = document.category_id
        self.fields = {
            "title": document.title,
            "tags": document.tags,
            "summary": document.summary,
            "body": document.body,
        }
        self.head = frozenset(document.head)
        self.tokens = self.head | frozenset(document.body)


def _has(tokens: frozenset[str], token: str, prefix: bool) -> bool:
    if not prefix:
        return token in tokens
    return any(candidate.startswith(token) for candidate in tokens)


def satisfies(term, tokens: frozenset[str]) -> bool:
    """Return whether a set of tokens satisfies a term: all the tokens of
    any one of its alternatives (each a prefix when the term is one)."""
    return any(
        all(_has(tokens, token, term.prefix) for token in alternative)
        for alternative in term.alternatives
    )


class ReferenceSearchBackend(SearchBackend):
    """Search by evaluating each match over the analyzed visible articles."""

    vendor = "reference"

    def _documents(self, match) -> list[_Document]:
        articles = (
            visible_articles(match.now)
            .filter(search_document__isnull=False)
            .prefetch_related("tags")
        )
        if match.language:
            articles = articles.filter(language=match.language)
        return [_Document(analyze_article(article)) for article in articles]

    def _in_set(self, match, document: _Document) -> bool:
        if any(
            all(satisfies(term, document.tokens) for term in group)
            for group in match.exclude
        ):
            return False
        if match.is_partial:
            return any(satisfies(term, document.tokens) for term in match.terms)
        if not all(satisfies(term, document.tokens) for term in match.terms):
            return False
        in_head = all(satisfies(term, document.head) for term in match.terms)
        return {"any": True, "head": in_head, "body": not in_head}[match.zone]

    def count(self, match) -> dict[int, int]:
        """Return {category_id: matches}, every category."""
        facets: dict[int, int] = {}
        for document in self._documents(match):
            if self._in_set(match, document):
                facets[document.category_id] = facets.get(document.category_id, 0) + 1
        return dict(sorted(facets.items()))

    def rank(self, match, *, limit, offset, total):
        """Return one page ordered as the module docstring says (no cap)."""
        documents = self._documents(match)
        found = [
            document
            for document in documents
            if self._in_set(match, document)
            and match.category_id in (None, document.category_id)
        ]
        idf = self._idf(match, documents)
        scored = []
        for document in found:
            relevance = self.relevance(match, document, idf)
            coverage = self.coverage(match, document) if match.is_partial else 0
            score = coverage if match.is_partial else relevance
            key = (-coverage, -relevance, document.article_id)
            scored.append((key, document.article_id, float(score)))
        scored.sort()
        return [(pk, score) for _key, pk, score in scored[offset : offset + limit]]

    @staticmethod
    def _idf(match, documents) -> dict[str, float]:
        terms = match.scored or match.terms
        prefixes = {token for term in terms if term.prefix for token in term.tokens}
        idf = {}
        for token in match.tokens:
            prefix = token in prefixes
            frequency = sum(_has(doc.tokens, token, prefix) for doc in documents)
            idf[token] = math.log(1 + len(documents) / frequency) if frequency else 0.0
        return idf

    @staticmethod
    def relevance(match, document: _Document, idf: dict[str, float]) -> float:
        """Return the relevance of a document to the match's tokens."""
        terms = match.scored or match.terms
        prefixes = {token for term in terms if term.prefix for token in term.tokens}
        score = 0.0
        for token, weight in idf.items():
            for field, tokens in document.fields.items():
                if token in prefixes:
                    frequency = sum(t.startswith(token) for t in tokens)
                else:
                    frequency = tokens.count(token)
                if frequency:
                    score += weight * FIELD_WEIGHTS[field] * frequency / (frequency + 1)
        return score

    def coverage(self, match, document: _Document) -> int:
        """Return a partial match's coverage of the document."""
        total = 0
        for term, weight in zip(match.terms, match.weights, strict=True):
            if not satisfies(term, document.tokens):
                continue
            typed = not term.has_synonyms or satisfies(term.as_typed(), document.tokens)
            head = satisfies(term, document.head)
            total += weight * self.coverage_factors(head=head, typed=typed)
        return total
