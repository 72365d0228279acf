"""The Chinese interface is complete and the committed .mo matches its .po."""

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

CATALOG = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_chinese_catalog_has_no_untranslated_or_fuzzy_entries():
    po = polib.pofile(str(CATALOG / "django.po"))
    assert [entry.msgid for entry in po.untranslated_entries()] == []
    assert [entry.msgid for entry in po.fuzzy_entries()] == []


def test_compiled_catalog_matches_its_source():
    po = polib.pofile(str(CATALOG / "django.po"))
    mo = polib.mofile(str(CATALOG / "django.mo"))
    compiled = {
        (entry.msgctxt, entry.msgid): (entry.msgstr, entry.msgstr_plural)
        for entry in mo
    }
    source = {
        (entry.msgctxt, entry.msgid): (entry.msgstr, entry.msgstr_plural)
        for entry in po.translated_entries()
    }
    assert compiled.keys() >= source.keys(), "run: msgfmt -o django.mo django.po"
    stale = [key for key in source if compiled[key] != source[key]]
    assert stale == []


@pytest.mark.parametrize(
    ("message", "expected"),
    [("Submit a request", "提交工单"), ("Is this really support?", "这是真的客服吗？")],
)
def test_interface_strings_are_translated_at_run_time(message, expected):
    with translation.override("zh-hans"):
        assert translation.gettext(message) == expected
