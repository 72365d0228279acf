"""The one analyzer, used at index time and at query time by every backend.

It is a pure function of its input, with no database access: both engines
only ever see the space-separated tokens it emits, so they match the same
documents and differ only in scoring.

- Unicode NFKC, lower case, Latin diacritics removed (``café`` -> ``cafe``).
- Traditional Chinese folded to Simplified with OpenCC (``轉帳`` -> ``转账``).
- Runs of CJK characters become overlapping two-character tokens
  (``转账未到账`` -> ``转账 账未 未到 到账``); a lone character stays a token.
  No dictionary segmenter: one that cuts ``到账`` differently in context
  loses the documents containing it.
- Latin and digit runs stay whole (``usdt``, ``trc20``, ``2fa``); purely
  alphabetic ones are stemmed with the Snowball English stemmer.
- Everything else (punctuation, emoji, symbols, NUL) separates tokens.

At query time, question fillers (``怎么办``, ``吗``, ``how do i``) split the
text and are dropped, so they neither join two words into a bogus bigram nor
make an AND query fail.
"""

import functools
import re
import unicodedata
from pathlib import Path

import opencc
import snowballstemmer

# A query longer than this is cut: nobody types more, and every extra token
# costs index lookups.
MAX_QUERY_CHARS = 200
MAX_QUERY_TOKENS = 32
# Longer letter runs (hashes, keys, garbage) are cut, in the index and in
# queries alike, so they still match and never exceed engine limits.
MAX_TOKEN_CHARS = 64

_CJK = (
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3400-\u4dbf"  # CJK Extension A
    "\u4e00-\u9fff"  # CJK Unified Ideographs
    "\uf900-\ufaff"  # CJK Compatibility Ideographs
    "\U00020000-\U0002ebef"  # Extensions B-F
)
_TOKEN_RE = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<word>[^\W_{_CJK}]+)")
_LATIN_WITH_MARKS = re.compile("[\u00c0-\u024f\u1e00-\u1eff]")
# Characters OpenCC's ``t2s`` would change, so text without any of them (all
# Simplified Chinese and all English) skips the slow converter.
_TS_CHARACTERS = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
# Variant forms OpenCC leaves alone but users mix freely in this domain:
# Traditional 帳 becomes 帐, while Simplified text writes 账 (转账, 账户).
_VARIANTS = str.maketrans({"帐": "账"})

# Query-only fillers. Longer ones first, so 怎么办 wins over 怎么.
ZH_FILLERS = (
    "在哪里",
    "在哪儿",
    "是多少",
    "好几个",
    "怎么回事",
    "怎么处理",
    "怎么解决",
    "怎么办",
    "怎么样",
    "为什么",
    "是不是",
    "能不能",
    "可不可以",
    "有没有",
    "请问",
    "怎么",
    "如何",
    "为何",
    "什么",
    "怎样",
    "一直",
    "总是",
    "老是",
    "还是",
    "可以",
    "我的",
    "你们",
    "我们",
    "一下",
    "已经",
    "有人",
    "哪里",
    "哪儿",
    "在哪",
    "多少",
    "吗",
    "呢",
    "吧",
    "啊",
    "呀",
    "了",
    "的",
    "我",
    "你",
)
_ZH_FILLER_RE = re.compile("|".join(map(re.escape, ZH_FILLERS)))
EN_FILLERS = frozenset(
    "a an the i me my mine you your we our it its is are was were be been am "
    "do does did doing done how what why when where which who can could "
    "should would will shall to of for on at by with from about as and or "
    "not no this that these those there here please help get got have has "
    "had just still any some so if then than he she they him her them his "
    "their now cannot cant hi hello thanks ago someone somebody anyone "
    # Spelled-out numbers say how long or how many ("two hours ago"), not
    # what the question is about; digits stay searchable.
    "one two three four five six seven eight nine ten".split()
)

# Words too common to be highlighted on their own in a snippet: the fillers
# plus short function words that queries keep (see ``STOP_TOKENS``).
EN_STOP_WORDS = EN_FILLERS | frozenset(
    "in into onto up out off over via per all also very too but both each "
    "own same only more most such nor".split()
)


@functools.cache
def _stemmer():
    return snowballstemmer.stemmer("english")


@functools.cache
def _converter():
    return opencc.OpenCC("t2s")


@functools.cache
def _traditional_chars() -> frozenset[str] | None:
    try:
        lines = _TS_CHARACTERS.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    chars = set()
    for line in lines:
        source, _tab, targets = line.partition("\t")
        if source and source not in targets.split():
            chars.add(source)
    return frozenset(chars)


def _strip_latin_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", kept)


def normalize(text: str) -> str:
    """Return ``text`` folded for matching: NFKC, lower case, Simplified.

    NUL bytes are removed; the length is preserved except where NFKC or
    OpenCC change it (ligatures, some phrases).
    """
    text = unicodedata.normalize("NFKC", text.replace("\x00", "")).lower()
    if _LATIN_WITH_MARKS.search(text):
        text = _LATIN_WITH_MARKS.sub(lambda m: _strip_latin_marks(m.group()), text)
    traditional = _traditional_chars()
    # A set test runs in C and is ~10x faster than a 4,000-character class.
    if traditional is None or not traditional.isdisjoint(text):
        text = _converter().convert(text)
    return text.translate(_VARIANTS)


def _bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


# Irregular English forms Snowball leaves apart from their base word ("sent"
# is not "send"), folded before stemming, in the index and in queries alike.
IRREGULAR_FORMS = {
    "sent": "send",
    "lost": "lose",
    "stole": "steal",
    "stolen": "steal",
    "forgot": "forget",
    "forgotten": "forget",
    "gotten": "get",
    "paid": "pay",
    "bought": "buy",
    "sold": "sell",
    "took": "take",
    "taken": "take",
    "gave": "give",
    "given": "give",
    "went": "go",
    "gone": "go",
    "made": "make",
    "wrote": "write",
    "written": "write",
    "froze": "freeze",
    "frozen": "freeze",
    "broke": "break",
    "broken": "break",
    "chose": "choose",
    "chosen": "choose",
}


# Snowball in pure Python costs ~60 µs a word, and the vocabulary of a help
# center is small, so memoizing turns stemming into a dictionary lookup.
@functools.lru_cache(maxsize=200_000)
def _word_token(word: str) -> str:
    word = word[:MAX_TOKEN_CHARS]
    if word.isascii() and word.isalpha():
        return _stemmer().stemWord(IRREGULAR_FORMS.get(word, word))
    return word


def tokenize_normalized(text: str) -> list[str]:
    """Return the tokens of already-normalized text, in order."""
    tokens: list[str] = []
    for match in _TOKEN_RE.finditer(text):
        if match.lastgroup == "cjk":
            tokens.extend(_bigrams(match.group()))
        else:
            tokens.append(_word_token(match.group()))
    return tokens


def analyze(text: str) -> list[str]:
    """Return the index tokens of ``text``, in order (duplicates kept).

    >>> analyze("轉帳未到賬 USDT crashes!")
    ['转账', '账未', '未到', '到账', 'usdt', 'crash']
    """
    return tokenize_normalized(normalize(text))


def analyze_to_text(text: str) -> str:
    """Return the tokens of ``text`` joined by spaces, as stored in the index."""
    return " ".join(analyze(text))


def clean_query(raw: str) -> str:
    """Return the user's query with NULs removed, whitespace collapsed, cut.

    This is the form shown back to the user and recorded in analytics.
    """
    text = " ".join(raw.replace("\x00", "").split())
    return text[:MAX_QUERY_CHARS].strip()


def query_chunks(query: str) -> list[list[str]]:
    """Return the tokens of a query, grouped by filler-free chunk.

    Fillers split the text: ``转账了吗`` gives ``[["转账"]]``, and English
    fillers are dropped only when they are not the whole query. Tokens
    are capped at ``MAX_QUERY_TOKENS`` in total.
    """
    text = _ZH_FILLER_RE.sub("\x00", normalize(clean_query(query)))
    chunks = [tokenize_normalized(part) for part in text.split("\x00")]
    chunks = [chunk for chunk in chunks if chunk]
    kept_total = 0
    capped: list[list[str]] = []
    for chunk in chunks:
        room = MAX_QUERY_TOKENS - kept_total
        if room <= 0:
            break
        capped.append(chunk[:room])
        kept_total += len(capped[-1])
    return capped


def is_latin_word(token: str) -> bool:
    """Return whether a token is an alphabetic Latin word (a typo candidate)."""
    return token.isascii() and token.isalpha()


def latin_words(text: str) -> list[str]:
    """Return the unstemmed alphabetic Latin words of ``text``, normalized."""
    return [
        match.group()
        for match in _TOKEN_RE.finditer(normalize(text))
        if match.lastgroup == "word" and is_latin_word(match.group())
    ]


def stem(word: str) -> str:
    """Return the index token of one normalized Latin word."""
    return _word_token(word)


# The index tokens of the stop words: English stems and one-character Chinese
# fillers (的, 了, 吗…). Used by snippets, never by matching.
STOP_TOKENS = frozenset(
    [stem(word) for word in EN_STOP_WORDS]
    + [word for word in ZH_FILLERS if len(word) == 1]
)
