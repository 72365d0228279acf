"""``SearchForm``: the one parser of the search page's and the API's parameters.

``/search/``, ``/api/search`` and ``/api/v1/search`` read the same names
(``q``, ``lang``, ``category``, ``limit``, ``page``, ``spell``) through this
form, so they cannot drift. The APIs answer 400 with the form's errors; the
results page, which a person reached by a link or by editing the URL, shows
the search with each unusable parameter at its default instead
(``SearchForm.search_params``), as ``Paginator.get_page`` treats a bad page.
"""

import dataclasses

from django import forms
from django.conf import settings
from django.core.validators import slug_re
from django.utils.translation import get_language, gettext_lazy as _

from articles.models import Category
from helpcenter import params

ALL_LANGUAGES = "all"
DEFAULT_LIMIT = 8
MAX_LIMIT = 20


@dataclasses.dataclass(frozen=True)
class SearchParams:
    """What a search request asks for, parsed.

    ``language`` None searches every language (``lang=all``); ``lang`` is the
    parameter as given when it was usable ("" otherwise), for the page's
    links to keep.
    """

    query: str
    language: str | None
    lang: str
    category: Category | None
    page: int
    limit: int
    use_correction: bool
    prefix: bool


class ParameterField(forms.CharField):
    """A parameter's text exactly as sent, NUL characters included: each
    ``clean_<name>`` decides what it accepts (a query holding a NUL is
    still a query, which the analyzer cleans)."""

    def __init__(self):
        super().__init__(required=False, strip=False)
        self.validators = []


class SearchForm(forms.Form):
    """The parameters of a search, all optional.

    ``instant``: the request comes from the instant box or the contact
    form's suggestions, which search as the visitor types, so the last word
    is matched as a prefix ("withdr", 转).
    """

    q = ParameterField()
    lang = ParameterField()
    limit = ParameterField()
    category = ParameterField()
    page = ParameterField()
    spell = ParameterField()

    def __init__(self, data=None, *, instant: bool = False):
        super().__init__(data if data is not None else {})
        self.instant = instant

    def clean_lang(self) -> str:
        value = self.cleaned_data["lang"]
        codes = {code for code, _name in settings.LANGUAGES}
        if value and value != ALL_LANGUAGES and value not in codes:
            raise forms.ValidationError(_("Unknown language."), code="invalid")
        return value

    def clean_limit(self) -> int:
        value = self.cleaned_data["limit"]
        if not value:
            return DEFAULT_LIMIT
        number = params.ascii_int(value)
        if number is None or not 1 <= number <= MAX_LIMIT:
            raise forms.ValidationError(
                _("Choose a whole number from 1 to 20."), code="invalid"
            )
        return number

    def clean_category(self) -> Category | None:
        value = self.cleaned_data["category"]
        if not value:
            return None
        # A value that is not a slug matches nothing and is not looked up: a
        # NUL character would make PostgreSQL fail the query.
        category = (
            Category.objects.filter(slug=value).first()
            if slug_re.fullmatch(value)
            else None
        )
        if category is None:
            raise forms.ValidationError(_("Unknown category."), code="invalid")
        return category

    def clean_page(self) -> int:
        # Any text is a page: a bad number is the first (Paginator.get_page).
        return params.page_number(self.cleaned_data["page"])

    def clean_spell(self) -> bool:
        return self.cleaned_data["spell"] != "0"

    def search_params(self) -> SearchParams:
        """Return the parameters, each invalid one at its default.

        The APIs call this after ``is_valid()``; the results page calls it
        whatever the outcome, so a stale or edited link still shows results.
        """
        self.is_valid()
        cleaned = self.cleaned_data
        lang = cleaned.get("lang", "")
        if lang == ALL_LANGUAGES:
            language = None
        else:
            language = lang or get_language()
        return SearchParams(
            query=cleaned.get("q", ""),
            language=language,
            lang=lang,
            category=cleaned.get("category"),
            page=cleaned.get("page", 1),
            limit=cleaned.get("limit", DEFAULT_LIMIT),
            use_correction=cleaned.get("spell", True),
            prefix=self.instant,
        )

    def first_error_field(self) -> str | None:
        """The first parameter (in field order) that is not usable."""
        return next(iter(self.errors), None)
