from django.urls import path

from channels import views
from channels.tickets import urls as ticket_urls
from helpcenter.pagecache import public_page

app_name = "channels"
urlpatterns = [
    path("channels/", public_page(views.channel_list), name="list"),
    path("channels/verify/", views.contact_verify, name="verify"),
    path("channels/verify/email/", views.email_verify, name="verify_email"),
    path("channels/verify/report/", views.contact_report, name="report"),
    *ticket_urls.urlpatterns,
]
