import datetime

from django import template
from django.utils.html import format_html_join
from django.utils.translation import gettext as _, pgettext

register = template.Library()


@register.filter
def duration(value: datetime.timedelta | None) -> str:
    """Return a timedelta as "2 h 05 min" (or "45 min"); "" for None."""
    if value is None:
        return ""
    minutes = max(int(value.total_seconds() // 60), 0)
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return _("%(minutes)d min") % {"minutes": minutes}
    return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}


@register.filter
def contact_list(pairs) -> str:
    """Return the contacts of ``(as written, verdict)`` pairs as one phrase.

    Each is escaped and wrapped in a span (a phone number is kept on one
    line), joined with the language's list separator ("、" in Chinese).
    """
    return format_html_join(
        pgettext("list separator", ", "),
        '<span class="contact-text contact-{}">{}</span>',
        ((verdict.contact.kind, written) for written, verdict in pairs),
    )


@register.filter
def share(value: float | None) -> str:
    """Return a fraction as a whole percentage ("87%"); "–" for None."""
    if value is None:
        return "–"
    return _("%(percent)d%%") % {"percent": round(value * 100)}


@register.filter
def rating(value: float | None) -> str:
    """Return an average rating with one decimal ("4.3 / 5"); "–" for None."""
    if value is None:
        return "–"
    return _("%(rating).1f / 5") % {"rating": value}


@register.filter
def asks_sentence(kinds) -> str:
    """Return "It asks for your recovery phrase, a private key." in the active
    language, for the request kinds the e-mail check found; one sentence so
    each language keeps its own word order and punctuation."""
    names = {
        "phrase": _("your recovery phrase"),
        "key": _("a private key"),
        "code": _("a verification code"),
    }
    what = pgettext("list separator", ", ").join(
        str(names.get(kind, _("a payment or a transfer"))) for kind in kinds
    )
    return _("It asks for %(what)s.") % {"what": what}
