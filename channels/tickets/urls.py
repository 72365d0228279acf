# Included by channels/urls.py into the "channels" namespace, so the names
# stay channels:contact, channels:ticket_status and channels:attachment.
from django.urls import path

from channels.tickets import views

urlpatterns = [
    path("contact/", views.contact, name="contact"),
    path(
        "contact/tickets/<str:reference>/<str:token>/",
        views.ticket_status,
        name="ticket_status",
    ),
    path("contact/attachments/<str:name>/", views.attachment, name="attachment"),
]
