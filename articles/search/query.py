"""From what the user typed to engine-neutral terms: synonyms and typos.

A parsed query is a list of ``Term``s. A term is satisfied by any one of its
alternatives, and an alternative by all of its tokens; AND mode requires
every term, OR mode any. Backends render this structure into their own
syntax with every token quoted, so user input is never read as syntax.

Synonym groups and the Latin vocabulary come from the database and are kept
in process memory, reloaded when the shared generation number in the cache
changes (a synonym edit or an index write bumps it), so a staff edit is
effective on the next search without any rebuild.
"""

import dataclasses
import datetime
import re
import threading
import time
import uuid
from collections import Counter

from django.core.cache import cache
from django.db.models import Min
from django.utils import timezone
from rapidfuzz import process
from rapidfuzz.distance import OSA

from articles.search import analysis, words

GENERATION_KEY = "search:generation"
# Even without a bump, reload now and then: a cache flush on another
# server must not leave this process on stale synonyms for long.
MAX_STATE_AGE = 300
MIN_CORRECTABLE = 4
# Indexed words at the smallest edit distance compared for the best one.
CORRECTION_CANDIDATES = 20
_STEMMED_FILLERS = frozenset(analysis.stem(word) for word in analysis.EN_FILLERS)


@dataclasses.dataclass(frozen=True)
class Term:
    """One query concept: any alternative matches; each needs all its tokens."""

    alternatives: tuple[tuple[str, ...], ...]
    # False for a bigram straddling two words of a CJK run (格确 in 价格确认):
    # the "cover" mode, tried after AND, drops these and still requires
    # every character through the other bigrams.
    in_cover: bool = True
    # The tokens as typed, when the alternatives came from a synonym group.
    typed: tuple[str, ...] = ()
    # Each token is a prefix (the word being typed into the instant box).
    prefix: bool = False

    @property
    def literal(self) -> tuple[str, ...]:
        """The tokens the user typed for this term (before synonyms)."""
        return self.typed or self.alternatives[0]

    @property
    def tokens(self) -> set[str]:
        return {token for alternative in self.alternatives for token in alternative}

    @property
    def has_synonyms(self) -> bool:
        """Whether a synonym group added spellings the user did not type,
        and the spelling typed is worth ranking first.

        Not when it is a phrase with a stop word ("log in", "top up"): the
        engines match its words anywhere in any order, so "log" and "in"
        apart in a bug report would outrank "sign in" in a title.
        """
        if not self.typed or self.alternatives == (self.typed,):
            return False
        loose = len(self.typed) > 1 and not analysis.STOP_TOKENS.isdisjoint(self.typed)
        return not loose

    def as_typed(self) -> "Term":
        """Return this term with only the spelling the user typed."""
        return Term((self.literal,), prefix=self.prefix)

    def expression(self) -> "Node":
        """Return the alternatives as a factored AND/OR tree (see ``factor``)."""
        return factor(self.alternatives)


# A match expression: a token, or ("and" | "or", [Node, ...]).
Node = str | tuple[str, list]


def factor(alternatives) -> Node:
    """Return "any alternative, each needing all its tokens" as a small tree.

    Logically the same, but a token shared by several alternatives is taken
    out of them ("到账" AND ("未到" OR "没到" OR "不到")). Engines pay per
    occurrence of a token in the expression: FTS5's bm25() reads each
    occurrence's whole doclist to weigh it, and scores a repeated token
    several times. A one-token alternative stays as it is, even where it
    makes a longer one redundant for matching ("support" OR "contact
    support"): the longer one still adds to the score of what it matches.
    """
    sets = list(dict.fromkeys(frozenset(alternative) for alternative in alternatives))
    if len(sets) == 1:
        return _conjunction(sorted(sets[0]))
    shared = Counter(token for one in sets if len(one) > 1 for token in one)
    best = min(shared.items(), key=lambda item: (-item[1], item[0]), default=None)
    if best is None or best[1] < 2:
        return ("or", [_conjunction(sorted(one)) for one in sets])
    token = best[0]
    grouped = [one for one in sets if token in one and len(one) > 1]
    group = ("and", [token, factor([one - {token} for one in grouped])])
    rest = [one for one in sets if one not in grouped]
    if not rest:
        return group
    remainder = factor(rest)
    if isinstance(remainder, tuple) and remainder[0] == "or":
        return ("or", [group, *remainder[1]])
    return ("or", [group, remainder])


def render(node: Node, *, token, conjunction: str, disjunction: str) -> str:
    """Return ``node`` in an engine's syntax: ``token(t)`` renders a token
    (quoted), the two operators join the children, parentheses group."""
    if isinstance(node, str):
        return token(node)
    operator, children = node
    joiner = conjunction if operator == "and" else disjunction
    rendered = [
        render(child, token=token, conjunction=conjunction, disjunction=disjunction)
        for child in children
    ]
    return "(" + joiner.join(rendered) + ")"


def _conjunction(tokens: list[str]) -> Node:
    return tokens[0] if len(tokens) == 1 else ("and", tokens)


@dataclasses.dataclass
class ParsedQuery:
    """The terms as typed, and the spelling correction with its own terms.

    The backend searches the typed terms first; ``correction`` (the text
    with misspelt words replaced, or None) is applied only when they find
    nothing or only part of the query, and is offered otherwise.
    """

    text: str
    terms: list[Term]
    correction: str | None = None
    corrected_terms: list[Term] = dataclasses.field(default_factory=list)

    @property
    def tokens(self) -> set[str]:
        """Every token any alternative needs (for highlighting)."""
        return {token for term in self.terms for token in term.tokens}


@dataclasses.dataclass
class _State:
    generation: str
    loaded_at: float
    # first token -> [(token sequence, group alternatives)], longest first
    synonyms: dict[str, list[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]]]
    vocabulary: dict[str, str]
    # The next publish time still in the future: when it passes, a scheduled
    # article becomes visible, so cached results from before are stale.
    next_due: datetime.datetime | None = None
    # Every category id: engines that partition the index by category read
    # one partition each (a new category's first article bumps the generation).
    category_ids: tuple[int, ...] = ()
    # Counts a search reads but that only an index write changes (visible
    # articles per language, matches per term: the partial mode's weights),
    # kept for as long as this state; see ``SearchBackend.statistic``.
    statistics: dict = dataclasses.field(default_factory=dict)


_state: _State | None = None
_lock = threading.Lock()


def bump_generation() -> None:
    """Make every process reload synonyms and vocabulary on its next search."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def _load_state(generation: str) -> _State:
    from articles.models import Article, Category
    from articles.search.models import SearchTerm, SynonymGroup

    synonyms: dict = {}
    for group in SynonymGroup.objects.filter(is_active=True).only("terms"):
        alternatives = tuple(
            dict.fromkeys(
                tuple(tokens)
                for tokens in (analysis.analyze(term) for term in group.term_list())
                if tokens
            )
        )
        if len(alternatives) < 2:
            continue
        for sequence in alternatives:
            synonyms.setdefault(sequence[0], []).append((sequence, alternatives))
    for entries in synonyms.values():
        entries.sort(key=lambda entry: -len(entry[0]))
    vocabulary = dict(SearchTerm.objects.values_list("term", "surface"))
    next_due = Article.objects.filter(published_at__gt=timezone.now()).aggregate(
        due=Min("published_at")
    )["due"]
    category_ids = tuple(Category.objects.order_by("pk").values_list("pk", flat=True))
    return _State(
        generation, time.monotonic(), synonyms, vocabulary, next_due, category_ids
    )


def current_state() -> _State:
    """Return the synonyms and vocabulary, reloading them when stale."""
    global _state
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = uuid.uuid4().hex
        cache.add(GENERATION_KEY, generation, timeout=None)
        generation = cache.get(GENERATION_KEY, generation)
    state = _state
    if (
        state is None
        or state.generation != generation
        or time.monotonic() - state.loaded_at > MAX_STATE_AGE
        or (state.next_due is not None and timezone.now() >= state.next_due)
    ):
        with _lock:
            state = _state = _load_state(generation)
    return state


def correct(text: str, vocabulary: dict[str, str]) -> str | None:
    """Return ``text`` with misspelt Latin words replaced by indexed words.

    Returns None when nothing was changed. Only a word that is not a real
    word is a candidate: alphabetic, at least ``MIN_CORRECTABLE`` letters,
    its stem not in the index ``vocabulary`` and the word not in the English
    word list (``words``), so "stolen" stays "stolen" even when no article
    says it. The replacement is an indexed word within edit distance 1 (2
    for words of eight letters or more; a swap of two letters is one edit);
    among the closest, the word nearest as typed wins, then the more
    frequent real word.
    """
    if not vocabulary:
        return None
    replacements: dict[str, str] = {}
    for word in analysis.latin_words(text):
        stem = analysis.stem(word)
        if (
            len(word) < MIN_CORRECTABLE
            or stem in vocabulary
            or stem in _STEMMED_FILLERS
            or words.is_real_word(word)
        ):
            continue
        limit = 2 if len(word) >= 8 else 1
        replacement = _closest(word, stem, vocabulary, limit=limit)
        if replacement is not None:
            replacements[word] = replacement
    if not replacements:
        return None
    pattern = re.compile(
        r"(?<![^\W_])(" + "|".join(map(re.escape, replacements)) + r")(?![^\W_])",
        re.IGNORECASE,
    )
    corrected = pattern.sub(
        lambda m: replacements.get(m.group().lower(), m.group()), text
    )
    return corrected if corrected != text else None


def _closest(
    word: str, stem: str, vocabulary: dict[str, str], *, limit: int
) -> str | None:
    # Optimal string alignment counts a swap of two letters as one edit
    # ("tranfser", "recieved"), the commonest typing slip.
    matches = process.extract(
        stem,
        vocabulary.keys(),
        scorer=OSA.distance,
        score_cutoff=limit,
        limit=CORRECTION_CANDIDATES,
    )
    if not matches:
        return None
    # Stems are short and alike ("verif", "verifi"): among the closest, the
    # word nearest as typed wins, then a frequent real word over codes and
    # names ("trc", "cobalt").
    best = min(
        matches,
        key=lambda match: (
            match[1],
            OSA.distance(word, vocabulary[match[0]].lower()),
            -words.frequency(vocabulary[match[0]].lower()),
            match[0],
        ),
    )
    return vocabulary[best[0]]


def _overlaps(left: str, right: str) -> bool:
    # Two adjacent bigrams of one CJK run share a character: 登入 + 入钱.
    return (
        len(left) == 2
        and len(right) == 2
        and left[1] == right[0]
        and not left.isascii()
    )


def _chunk_terms(chunk: list[str], synonyms) -> list[Term]:
    spans: list[tuple[int, int, tuple]] = []
    i = 0
    while i < len(chunk):
        for sequence, alternatives in synonyms.get(chunk[i], ()):
            if tuple(chunk[i : i + len(sequence)]) == sequence:
                spans.append((i, i + len(sequence), alternatives))
                i += len(sequence)
                break
        else:
            i += 1
    # A bigram straddling a synonym's edge (入钱 in 登入钱包) would make the
    # synonym's other spellings fail, so it is dropped.
    dropped: set[int] = set()
    for start, end, _alternatives in spans:
        if start > 0 and _overlaps(chunk[start - 1], chunk[start]):
            dropped.add(start - 1)
        if end < len(chunk) and _overlaps(chunk[end - 1], chunk[end]):
            dropped.add(end)
    junctions: set[int] = set()
    run_start = 0
    for i in range(1, len(chunk) + 1):
        if i < len(chunk) and _overlaps(chunk[i - 1], chunk[i]):
            continue
        # chunk[run_start:i] is one run of overlapping bigrams: every other
        # bigram, plus the last, covers all of its characters.
        junctions.update(range(run_start + 1, i - 1, 2))
        run_start = i
    terms: list[Term] = []
    starts = {start: (end, alternatives) for start, end, alternatives in spans}
    i = 0
    while i < len(chunk):
        if i in starts:
            end, alternatives = starts[i]
            terms.append(Term(alternatives, typed=tuple(chunk[i:end])))
            i = end
            continue
        if i not in dropped:
            terms.append(Term(((chunk[i],),), in_cover=i not in junctions))
        i += 1
    return terms


def _lone_character(term: Term) -> bool:
    if term.typed or len(term.alternatives) != 1 or len(term.alternatives[0]) != 1:
        return False
    token = term.alternatives[0][0]
    return len(token) == 1 and not token.isascii()


def parse(text: str, *, synonyms) -> list[Term]:
    """Return the distinct terms of a query, synonyms expanded, fillers dropped.

    English fillers are dropped unless the query has nothing else. A lone
    Chinese character ("2FA丢了": 丢) is matched as the start of a word (丢失):
    the index holds two-character words, so as a word it would match only
    texts where it stands alone.
    """
    terms: list[Term] = []
    for chunk in analysis.query_chunks(text):
        terms.extend(_chunk_terms(chunk, synonyms))
    terms = [
        Term(term.alternatives, prefix=True) if _lone_character(term) else term
        for term in terms
    ]
    meaningful = [
        term
        for term in terms
        if not (
            len(term.alternatives) == 1
            and term.alternatives[0][0] in _STEMMED_FILLERS
            and len(term.alternatives[0]) == 1
        )
    ]
    return list(dict.fromkeys(meaningful or terms))


# A Latin word being typed is searched as a prefix from this many letters.
MIN_PREFIX = 3


def _prefix_term(text: str, terms: list[Term]) -> list[Term]:
    """Return ``terms`` with the last one searched as a prefix, when the
    query ends in a word being typed: one Chinese character (转 finds 转账)
    or a Latin word of ``MIN_PREFIX`` letters or more (withdr finds
    withdrawal). A word that a synonym group knows is a whole word.

    The prefix is the typed word's stem, or that of the word without its
    last letter: "withdrawa" stems to itself, which no indexed stem
    ("withdraw") starts with.
    """
    chunks = analysis.query_chunks(text)
    if not terms or not chunks:
        return terms
    last, term = chunks[-1][-1], terms[-1]
    if term.typed or term.alternatives != ((last,),):
        return terms
    if len(last) == 1 and not last.isascii():
        alternatives = ((last,),)
    else:
        words = analysis.latin_words(text)
        word = words[-1] if words else ""
        if len(word) < MIN_PREFIX or analysis.stem(word) != last:
            return terms
        shorter = analysis.stem(word[:-1])
        alternatives = tuple(
            dict.fromkeys([(last,)] + [(shorter,)] * (len(shorter) >= MIN_PREFIX))
        )
    return [*terms[:-1], Term(alternatives, prefix=True)]


def parse_query(
    raw: str, *, use_correction: bool = True, state=None, prefix: bool = False
) -> ParsedQuery:
    """Return the parsed form of a raw query (which may be anything at all).

    ``prefix``: the query is being typed (instant search), so its last word
    is matched as a prefix (see ``_prefix_term``), unless a space follows it;
    that word is never typo-corrected, being unfinished.
    """
    text = analysis.clean_query(raw)
    if not text:
        return ParsedQuery(text="", terms=[])
    state = state or current_state()
    prefix = prefix and not raw[-1:].isspace()
    terms = parse(text, synonyms=state.synonyms)
    if prefix:
        terms = _prefix_term(text, terms)
    correction = None
    if use_correction:
        if prefix:
            # Only the finished words: "walet withdr" -> "wallet withdr".
            head, _space, last = text.rpartition(" ")
            fixed = correct(head, state.vocabulary) if head else None
            correction = f"{fixed} {last}" if fixed else None
        else:
            correction = correct(text, state.vocabulary)
    if correction is None:
        return ParsedQuery(text=text, terms=terms)
    corrected_terms = parse(correction, synonyms=state.synonyms)
    if prefix:
        corrected_terms = _prefix_term(correction, corrected_terms)
    return ParsedQuery(text, terms, correction, corrected_terms)


@dataclasses.dataclass(frozen=True)
class Match:
    """One set of visible articles an engine counts or ranks (see backends).

    An article is in the set when it is visible at ``now`` (the rule of
    ``Article.objects.published()``), in ``language`` (None: any), and:

    - without ``weights``: it has every term (AND); with ``zone="head"``
      all of them within its title, tags and summary; with ``zone="body"``
      not so (the rest of the AND matches);
    - with ``weights`` (the partial mode): it has any term, and its
      coverage is the sum, over the terms it has, of the term's weight,
      once more if the term is in the head, twice more if it matches as
      typed (see ``SearchBackend.coverage_factors``);
    - in neither case does it have every term of any group in ``exclude``.

    ``category_id`` restricts ranking, never counting (facets cover every
    category).
    """

    terms: tuple[Term, ...]
    language: str | None
    category_id: int | None
    now: datetime.datetime
    weights: tuple[int, ...] = ()
    zone: str = "any"
    exclude: tuple[tuple[Term, ...], ...] = ()
    # Every category id (for engines that partition their index by it).
    categories: tuple[int, ...] = ()
    # The terms whose tokens the relevance score weighs, when not ``terms``
    # (the typed slice is scored with its synonyms, as the whole query is).
    scored: tuple[Term, ...] = ()

    @property
    def is_partial(self) -> bool:
        return bool(self.weights)

    @property
    def tokens(self) -> set[str]:
        """Every token of every alternative of the scored terms (what
        relevance scores weigh)."""
        return {token for term in self.scored or self.terms for token in term.tokens}

    @property
    def typed_terms(self) -> tuple[Term, ...]:
        """The terms with only the spellings the user typed."""
        return tuple(term.as_typed() for term in self.terms)

    @property
    def has_synonyms(self) -> bool:
        return any(term.has_synonyms for term in self.terms)


@dataclasses.dataclass(frozen=True)
class CompiledQuery:
    """Everything one search needs, parsed once: the text as shown, the
    terms as typed (synonyms attached), the spelling correction and its
    terms, the language and category filters, the instant-search prefix
    flag, the options, and the clock the visibility rule is read at.

    The backends never see the raw text: only ``Match`` objects built from
    this (``match()``), so user input is never read as query syntax.
    """

    raw: str
    text: str
    terms: tuple[Term, ...]
    language: str | None
    category_id: int | None
    now: datetime.datetime
    state: "_State | None"
    prefix: bool = False
    use_correction: bool = True
    # False: only articles having every word (no partial mode, no fill).
    partial: bool = True
    # False: the caller shows no total nor facets (see SearchBackend.search).
    totals: bool = True
    correction: str | None = None
    corrected_terms: tuple[Term, ...] = ()

    @property
    def tokens(self) -> set[str]:
        """Every token any alternative needs (for highlighting)."""
        return {token for term in self.terms for token in term.tokens}

    def match(self, terms, **options) -> Match:
        """Return the ``Match`` of ``terms`` under this query's filters."""
        categories = self.state.category_ids if self.state else ()
        return Match(
            tuple(terms),
            self.language,
            self.category_id,
            self.now,
            categories=categories,
            **options,
        )

    def without_prefix(self) -> "CompiledQuery":
        """Return the same search with the last word taken as finished."""
        return compile_query(
            self.raw,
            language=self.language,
            category_id=self.category_id,
            use_correction=self.use_correction,
            prefix=False,
            partial=self.partial,
            totals=self.totals,
            now=self.now,
            state=self.state,
        )


def compile_query(
    raw: str,
    *,
    language: str | None,
    category_id: int | None = None,
    use_correction: bool = True,
    prefix: bool = False,
    partial: bool = True,
    totals: bool = True,
    now: datetime.datetime | None = None,
    state: "_State | None" = None,
) -> CompiledQuery:
    """Return the compiled form of a raw query (which may be anything).

    A blank query compiles to no terms, without loading the shared state.
    """
    now = now or timezone.now()
    if not analysis.clean_query(raw):
        return CompiledQuery(
            raw, "", (), language, category_id, now, state, prefix, totals=totals
        )
    state = state or current_state()
    parsed = parse_query(raw, use_correction=use_correction, state=state, prefix=prefix)
    return CompiledQuery(
        raw=raw,
        text=parsed.text,
        terms=tuple(parsed.terms),
        language=language,
        category_id=category_id,
        now=now,
        state=state,
        prefix=prefix,
        use_correction=use_correction,
        partial=partial,
        totals=totals,
        correction=parsed.correction,
        corrected_terms=tuple(parsed.corrected_terms),
    )
