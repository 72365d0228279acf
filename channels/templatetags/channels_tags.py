import datetime

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

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

    Plain text, joined with the language's list separator ("、" in Chinese);
    the template escapes it.
    """
    return pgettext("list separator", ", ").join(written for written, _v in pairs)
