import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.safestring import mark_safe

register = template.Library()

# The same escapes as django.utils.html.json_script: the JSON can then sit
# inside <script> without any value closing the element.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def jsonld(value: dict) -> str:
    """Return ``value`` as JSON safe to place inside a ``<script>`` element."""
    text = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    return mark_safe(text.translate(_JSON_ESCAPES))


@register.filter
def html_datetime(value) -> str:
    """Return an aware datetime as a valid HTML ``datetime`` value.

    In the current time zone and to the second ("2026-12-05T01:31:39+08:00"):
    HTML allows at most three digits of a fraction of a second, and
    ``date:"c"`` prints six. ``""`` for ``None``.
    """
    if value is None:
        return ""
    return timezone.localtime(value).isoformat(timespec="seconds")


@register.simple_tag(takes_context=True)
def page_query(context, number) -> str:
    """Return the current query string with ``page`` set to ``number``.

    Keeps every other parameter (``q``, ``category``, ``lang``), so one
    pagination partial serves category, tag and search pages.
    """
    params = context["request"].GET.copy()
    params["page"] = number
    return "?" + params.urlencode()
