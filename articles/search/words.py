"""The English word list typo correction checks before changing a word.

A word of the list is a real word: the user meant it, even when no article
uses it ("stolen", "pending"), so it is never "corrected" into another one.
The list is symspellpy's frequency dictionary (82,765 English words with
their Google Books n-gram counts, the intersection of SCOWL and the n-grams,
so it holds no common misspellings), read from the installed package: never
downloaded at run time. Only the text file is read; symspellpy's own
spelling engine is not used, so importing it costs nothing.
"""

import functools
import importlib.util
from pathlib import Path

DICTIONARY = "frequency_dictionary_en_82_765.txt"
# Rarer entries are mostly archaic forms and names ("forfend", "lither"),
# which a user is likelier to reach by mistyping than to mean.
MIN_COUNT = 20_000


def _dictionary_path() -> Path | None:
    spec = importlib.util.find_spec("symspellpy")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / DICTIONARY


@functools.cache
def frequencies() -> dict[str, int]:
    """Return {word: count} for the words counted at least ``MIN_COUNT``.

    Loaded once per process (about 30 ms, 8.5 MB kept). An empty dict when the
    package is missing: correction then falls back to the index vocabulary.
    """
    path = _dictionary_path()
    try:
        text = path.read_text(encoding="utf-8") if path else ""
    except OSError:
        return {}
    fields = text.split()
    pairs = zip(fields[::2], map(int, fields[1::2]), strict=True)
    return {word: count for word, count in pairs if count >= MIN_COUNT}


def frequency(word: str) -> int:
    """Return the count of a lower-case word, 0 when it is not a real word."""
    return frequencies().get(word, 0)


def is_real_word(word: str) -> bool:
    """Return whether a lower-case word is an English word of the list."""
    return word in frequencies()
