from django.urls import path

from articles import views
from articles.feeds import LatestArticlesFeed
from articles.search import views as search_views
from helpcenter.pagecache import public_page

app_name = "articles"
urlpatterns = [
    path("", public_page(views.home), name="home"),
    path(
        "categories/<slug:slug>/", public_page(views.category_detail), name="category"
    ),
    path("articles/<slug:slug>/", public_page(views.article_detail), name="detail"),
    path("articles/<slug:slug>/vote/", views.article_vote, name="vote"),
    path("tags/<str:slug>/", public_page(views.tag_detail), name="tag"),
    path("feed/", LatestArticlesFeed(), name="feed"),
    path("search/", public_page(search_views.search), name="search"),
    path("search/open/", search_views.search_open, name="search_open"),
]
