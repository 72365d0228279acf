# Included by channels/urls.py into the "channels" namespace, so the names
# stay channels:contact, channels:ticket_status and channels:attachment;
# the status page's forms post to channels:ticket_<action>.
from django.urls import path

from channels.tickets import status_views, views
from helpcenter.pagecache import public_page

urlpatterns = [
    # The page cache fills in each reader's own submission key and tokens.
    path("contact/", public_page(views.contact, per_reader=True), name="contact"),
    path(
        "contact/tickets/<str:reference>/<str:token>/",
        status_views.ticket_status,
        name="ticket_status",
    ),
    path(
        "contact/tickets/<str:reference>/<str:token>/reply/",
        status_views.ticket_reply,
        name="ticket_reply",
    ),
    path(
        "contact/tickets/<str:reference>/<str:token>/close/",
        status_views.ticket_close,
        name="ticket_close",
    ),
    path(
        "contact/tickets/<str:reference>/<str:token>/nudge/",
        status_views.ticket_nudge,
        name="ticket_nudge",
    ),
    path(
        "contact/tickets/<str:reference>/<str:token>/rate/",
        status_views.ticket_rate,
        name="ticket_rate",
    ),
    path(
        "contact/tickets/<str:reference>/<str:token>/phrase/",
        status_views.ticket_phrase,
        name="ticket_phrase",
    ),
    path(
        "contact/tickets/<str:reference>/<str:token>/screenshots/<str:name>/",
        status_views.ticket_screenshot,
        name="ticket_screenshot",
    ),
    path("contact/lookup/", status_views.ticket_lookup, name="ticket_lookup"),
    path("contact/attachments/<str:name>/", views.attachment, name="attachment"),
]
