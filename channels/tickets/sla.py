"""Response-time targets used when staff have set none for a priority."""

import datetime

from channels.tickets.models import Priority

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)

# (first response, resolution) per priority. Migration 0007 stores the same
# values as editable rows; these apply only if staff delete those rows.
DEFAULT_SLA = {
    Priority.URGENT: (1 * HOUR, 1 * DAY),
    Priority.HIGH: (4 * HOUR, 2 * DAY),
    Priority.NORMAL: (24 * HOUR, 5 * DAY),
    Priority.LOW: (48 * HOUR, 10 * DAY),
}
