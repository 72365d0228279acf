from django.urls import path

from articles import views
from articles.feeds import LatestArticlesFeed
from articles.search import views as search_views

app_name = "articles"
urlpatterns = [
    path("", views.home, name="home"),
    path("categories/<slug:slug>/", views.category_detail, name="category"),
    path("articles/<slug:slug>/", views.article_detail, name="detail"),
    path("articles/<slug:slug>/vote/", views.article_vote, name="vote"),
    path("tags/<str:slug>/", views.tag_detail, name="tag"),
    path("feed/", LatestArticlesFeed(), name="feed"),
    path("search/", search_views.search, name="search"),
    path("search/open/", search_views.search_open, name="search_open"),
]
