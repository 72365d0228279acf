from django.urls import path

from articles import views
from articles.feeds import LatestArticlesFeed

app_name = "articles"
urlpatterns = [
    path("", views.home, name="home"),
    path("categories/<slug:slug>/", views.category_detail, name="category"),
    path("articles/<slug:slug>/", views.article_detail, name="detail"),
    path("articles/<slug:slug>/vote/", views.article_vote, name="vote"),
    path("tags/<str:slug>/", views.tag_detail, name="tag"),
    path("feed/", LatestArticlesFeed(), name="feed"),
]
