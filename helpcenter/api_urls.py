"""JSON endpoints, outside the language prefix (the language is a parameter)."""

from django.urls import path

from articles.search import api as search_api

app_name = "api"
urlpatterns: list = [
    path("search", search_api.search, name="search"),
]
