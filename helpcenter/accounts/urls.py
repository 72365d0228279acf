from django.urls import path

from helpcenter.accounts import views

app_name = "accounts"

urlpatterns = [
    path("two-factor/", views.two_factor, name="two_factor"),
    path("recent-actions/", views.recent_actions, name="recent_actions"),
]
