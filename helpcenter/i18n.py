"""Per-language text fields on models.

Models that carry staff-written text in both languages (category names,
channel descriptions) store one column per language, ``<field>_zh_hans`` and
``<field>_en``. ``localized`` picks the active language's column and falls
back to the other one when it is blank.
"""

from django.conf import settings
from django.utils import translation


def language_suffix(language: str) -> str:
    """Return the column suffix for a language code: ``zh-hans`` -> ``zh_hans``."""
    return language.replace("-", "_")


def localized(obj, field: str, language: str | None = None) -> str:
    """Return ``obj.<field>_<lang>`` for the active language, else any non-blank."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    codes = [language] + [
        code for code, _name in settings.LANGUAGES if code != language
    ]
    for code in codes:
        suffix = language_suffix(code)
        value = getattr(obj, f"{field}_{suffix}", "")
        if value:
            return value
    return ""
