"""Typo correction: only words that are not real words are changed."""

import pytest
from hypothesis import given, strategies as st

from articles.search import analysis, words
from articles.search.query import correct

# Stems of indexed words -> their surface, as SearchTerm stores them.
VOCABULARY = {
    analysis.stem(word): word
    for word in (
        "transfers withdrawal password wallet sport spending stole free gap "
        "fees suppose pen gaas"
    ).split()
}


@pytest.mark.parametrize(
    "word",
    ["transfer", "pending", "stolen", "support", "fee", "gas", "spend", "phishing"],
)
def test_real_english_word_is_never_corrected(word):
    assert words.is_real_word(word)
    assert correct(f"{word} wallet", VOCABULARY) is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("withdrawl", "withdrawal"),
        ("tranfser", "transfers"),
        ("pasword", "password"),
        ("walet backup", "wallet backup"),
        ("Withdrawl pending", "withdrawal pending"),
    ],
)
def test_misspelling_is_corrected_to_an_indexed_word(typed, expected):
    assert correct(typed, VOCABULARY) == expected


def test_correction_prefers_a_frequent_real_word_among_the_closest():
    # "gass" is one edit from the code "gaas" and from "gas" alike.
    vocabulary = {"gaas": "GAAS", "gas": "gas"}
    assert correct("gass", vocabulary) == "gas"


def test_chinese_text_is_left_as_typed():
    assert correct("转帐没到 walet", VOCABULARY) == "转帐没到 wallet"
    assert correct("转帐没到", VOCABULARY) is None


def test_word_list_is_read_from_the_installed_package():
    counts = words.frequencies()
    assert len(counts) > 50_000
    assert min(counts.values()) >= words.MIN_COUNT
    assert not any(words.is_real_word(typo) for typo in ("withdrawl", "pasword"))


@given(st.text(max_size=60))
def test_correction_never_changes_a_real_word_of_any_text(text):
    corrected = correct(text, VOCABULARY)
    if corrected is None:
        return
    kept = {word for word in analysis.latin_words(text) if words.is_real_word(word)}
    assert kept <= set(analysis.latin_words(corrected))
