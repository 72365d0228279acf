from django.urls import path

from channels import views

app_name = "channels"
urlpatterns = [
    path("channels/", views.channel_list, name="list"),
    path("channels/verify/", views.contact_verify, name="verify"),
    path("channels/verify/report/", views.contact_report, name="report"),
    path("contact/", views.contact, name="contact"),
    path(
        "contact/tickets/<str:reference>/<str:token>/",
        views.ticket_status,
        name="ticket_status",
    ),
    path("contact/attachments/<str:name>/", views.attachment, name="attachment"),
]
