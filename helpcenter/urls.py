from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from articles.sitemaps import SITEMAPS
from articles.views import robots_txt
from channels.tickets.dashboard import dashboard
from helpcenter.api import api
from helpcenter.health import healthz

urlpatterns = [
    # Outside the language prefix: load balancers probe one fixed URL.
    path("healthz", healthz, name="healthz"),
    # Staff pages of our own under /admin/, before the admin's catch-all.
    path("admin/", include("helpcenter.accounts.urls")),
    path("admin/dashboard/", dashboard, name="dashboard"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("api/v1/", api.urls),
    path("api/", include("helpcenter.api_urls")),
]
urlpatterns += i18n_patterns(
    path("", include("articles.urls")),
    path("", include("channels.urls")),
)

handler404 = "articles.views.page_not_found"
handler500 = "articles.views.server_error"
