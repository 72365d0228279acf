import datetime

from django import template
from django.utils.translation import gettext as _

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
