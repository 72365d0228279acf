"""JSON endpoints, outside the language prefix (the language is a parameter)."""

from django.urls import path  # noqa: F401

app_name = "api"
urlpatterns: list = []
