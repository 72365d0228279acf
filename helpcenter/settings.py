"""Helpcenter's one settings module.

Production differs from development only in its environment variables; each
one is listed in the README's configuration table (a test enforces it).
"""

import hashlib
import tempfile
import warnings
from datetime import timedelta
from pathlib import Path

import dj_database_url
import dj_email_url
from csp.constants import NONE as CSP_NONE, SELF as CSP_SELF
from pythonjsonlogger.core import RESERVED_ATTRS as JSON_LOG_RESERVED_ATTRS

from helpcenter.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = env_str(
    "DJANGO_SECRET_KEY",
    "django-insecure-local-development-key-change-me-in-production",
)
DEBUG = env_bool("DJANGO_DEBUG")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # django.contrib.admin, with the staff admin site of helpcenter/accounts/sites.py
    # (two-factor sign-in) as the default site every @admin.register uses.
    "helpcenter.accounts.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "taggit",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    # django-ninja: in INSTALLED_APPS so /api/v1/docs loads Swagger UI from
    # this site's static files, not from a CDN.
    "ninja",
    # django-csp: its system checks flag settings of the old (v3) form.
    "csp",
    "health_check",
    "articles",
    "channels",
    "helpcenter.accounts",
]

MIDDLEWARE = [
    # Outermost: the request id and the one JSON log line cover every answer,
    # even one a middleware below gives without reaching a view.
    "helpcenter.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # The security headers sit above everything that can answer on its own
    # (whitenoise's static files, the 413 of the size limit, the CSRF 403),
    # so every response carries them.
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "helpcenter.middleware.CrossOriginResourcePolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "helpcenter.middleware.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into our 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "helpcenter.urls"
WSGI_APPLICATION = "helpcenter.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "helpcenter.context_processors.site",
            ],
        },
    },
]

# Database: SQLite by default; DATABASE_URL switches to PostgreSQL.
# WAL, IMMEDIATE transactions and a busy timeout let concurrent writers
# queue instead of failing with "database is locked". Connections are kept
# between requests on SQLite too: closing the last one checkpoints the WAL
# and syncs the file, which cost every write request (a ticket) ~15 ms.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
    ),
}
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=600,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
    DATABASES["default"]["TEST"] = {"NAME": None}
# PostgreSQL: no JIT compilation and no parallel workers per query. A page's
# queries are short and many run at once; at 100,000 articles JIT compiled
# search statements on every uncached search and parallel workers competed
# with the other requests for the cores (the load benchmark's distinct
# searches: 70 -> 82 pages/s, p95 180 -> 150 ms). Options in DATABASE_URL
# (?options=...) replace these.
POSTGRESQL_SESSION = "-c jit=off -c max_parallel_workers_per_gather=0"
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", POSTGRESQL_SESSION
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis shared by every app server when REDIS_URL is set.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "helpcenter",
        }
    }
else:
    # Local memory is per process. The page cache's content generation must
    # be seen by every process serving the same database (gunicorn workers,
    # manage.py commands), or an edit made through one would show on the
    # others only when their copies expire: it lives in a small file cache
    # named after the database, read in microseconds.
    _database_tag = hashlib.sha256(
        str(DATABASES["default"].get("NAME", "")).encode()
    ).hexdigest()[:12]
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "helpcenter",
        },
        "shared": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(
                Path(tempfile.gettempdir()) / f"helpcenter-shared-{_database_tag}"
            ),
        },
    }

# Email: DJANGO_EMAIL_URL (smtp://user:pw@host:587/?tls=True), else the
# standard EMAIL_* variables with DJANGO_EMAIL_BACKEND, else the console.
EMAIL_URL = env_str("DJANGO_EMAIL_URL")
if EMAIL_URL:
    vars().update(dj_email_url.parse(EMAIL_URL))
else:
    EMAIL_BACKEND = env_str(
        "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
    )
    EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
# Seconds an SMTP connection may wait on the mail server: a server that
# accepts and never answers must not hold a request (or the outbox run).
# DJANGO_EMAIL_URL's ?timeout= sets it too; EMAIL_TIMEOUT wins.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", vars().get("EMAIL_TIMEOUT") or 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Helpcenter <support@localhost>")
# Requests send the e-mails they keep in the outbox right after their commit;
# off, they only keep them and `send_pending_email` sends them all, so no
# request spends its time on the mail server.
HELPCENTER_EMAIL_FROM_REQUESTS = env_bool("HELPCENTER_EMAIL_FROM_REQUESTS", True)
# DKIM-sign outgoing mail when a key is given: the wrapper signs, then hands
# each message to the backend configured above.
HELPCENTER_DKIM_PRIVATE_KEY = env_str("HELPCENTER_DKIM_PRIVATE_KEY")
HELPCENTER_DKIM_KEY_FILE = env_str("HELPCENTER_DKIM_KEY_FILE")
HELPCENTER_DKIM_SELECTOR = env_str("HELPCENTER_DKIM_SELECTOR", "helpcenter")
HELPCENTER_DKIM_DOMAIN = env_str("HELPCENTER_DKIM_DOMAIN")
HELPCENTER_DKIM_INNER_BACKEND = EMAIL_BACKEND
if HELPCENTER_DKIM_PRIVATE_KEY or HELPCENTER_DKIM_KEY_FILE:
    EMAIL_BACKEND = "helpcenter.mail.DkimSigningBackend"
SERVER_EMAIL = DEFAULT_FROM_EMAIL

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: Simplified Chinese first, English second.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("HELPCENTER_TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("HELPCENTER_MEDIA_ROOT", str(BASE_DIR / "media")))
STATIC_MANIFEST = env_bool("HELPCENTER_STATIC_MANIFEST")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Without the manifest, whitenoise serves straight from the finders, so
# development and tests never need collectstatic; it would still warn on
# every start that STATIC_ROOT does not exist yet.
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
# With DEBUG on, pick up edited static files without a restart.
WHITENOISE_AUTOREFRESH = DEBUG
if WHITENOISE_USE_FINDERS:
    warnings.filterwarnings("ignore", message="No directory at: ", category=UserWarning)

# Security headers. HTTPS-only settings follow HELPCENTER_HTTPS so that the
# local server keeps working over plain HTTP.
HTTPS = env_bool("HELPCENTER_HTTPS")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# "preload" consents to browsers hard-coding HTTPS for the whole domain once
# it is submitted to their preload list; HELPCENTER_HSTS_PRELOAD=0 leaves
# it out (check --deploy then says so, as for any weaker choice).
SECURE_HSTS_PRELOAD = HTTPS and env_bool("HELPCENTER_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Every cookie: HTTPS-only behind HTTPS, out of reach of scripts (the pages'
# scripts read the CSRF token from the form), and not sent on cross-site
# subrequests or POSTs.
SESSION_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# Django's page, with the request id to quote (templates/403_csrf.html).
CSRF_FAILURE_VIEW = "articles.views.csrf_failure"
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Content-Security-Policy (django-csp 4): nothing is allowed unless listed.
# No inline script or style anywhere: the pages' scripts and styles are
# static files, and the JSON-LD blocks are data, which CSP does not run.
# /api/v1/docs widens img-src for Swagger UI's data: images (helpcenter/api.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_NONE],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF],
        "img-src": [CSP_SELF],
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],
        "manifest-src": [CSP_SELF],
        "form-action": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
        "base-uri": [CSP_NONE],
        "object-src": [CSP_NONE],
    },
}
# Permissions-Policy (django-permissions-policy): the site uses none of
# these powerful features, so no page (nor anything injected into one) may.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

LOGIN_URL = "admin:login"
# Where a login lands when its ?next= is missing or off-site (refused by
# Django); the default, /accounts/profile/, does not exist here.
LOGIN_REDIRECT_URL = "admin:index"

# Staff sign-in. django-axes refuses a username from one client address
# for AXES_COOLOFF_TIME after AXES_FAILURE_LIMIT failed passwords or codes,
# counted in the database (shared by every app server, SQLite or
# PostgreSQL). The address is the one HELPCENTER_TRUSTED_PROXIES vouch for,
# so a load balancer's address never locks everyone out.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "helpcenter.accounts.signin.lockout_client_ip"
AXES_LOCKOUT_CALLABLE = "helpcenter.accounts.views.lockout"
AXES_RESET_ON_SUCCESS = True
# Attempts during a lockout do not restart it, so "try again in 15
# minutes" stays true for the person who mistyped.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token"]
AXES_VERBOSE = False  # no banner on every manage.py command; lockouts still log
# Two-factor sign-in (TOTP) for the admin: required unless switched off,
# and off by default only with DEBUG; `make run` switches it off for the demo.
HELPCENTER_REQUIRE_2FA = env_bool("HELPCENTER_REQUIRE_2FA", not DEBUG)
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Logs are JSON lines on stderr, each with the id of the request it belongs
# to; helpcenter.middleware.RequestLogMiddleware writes one line per request
# (method, path, status, duration_ms, request_id). Django's own records keep
# their message but never the request object, whose text holds the query
# string. Its 4xx warnings repeat the request line, so only errors remain.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "helpcenter.middleware.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": ["levelname", "name", "message"],
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
            "reserved_attrs": [*JSON_LOG_RESERVED_ATTRS, "request", "server_time"],
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("HELPCENTER_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.security.DisallowedHost": {"level": "ERROR"},
    },
}

# Helpcenter's own settings.
# The product the help center supports, shown as "<product> Help Center".
HELPCENTER_PRODUCT_NAME = env_str("HELPCENTER_PRODUCT_NAME", "Cobalt")
HELPCENTER_SITE_URL = env_str("HELPCENTER_SITE_URL", "http://127.0.0.1:8000")
HELPCENTER_PAGE_SIZE = env_int("HELPCENTER_PAGE_SIZE", 20)
# A page view bumps a cache counter; every Nth view of an article moves N
# views to the database in one UPDATE.
HELPCENTER_VIEW_FLUSH_EVERY = env_int("HELPCENTER_VIEW_FLUSH_EVERY", 20)
# Each process holds its page views this long, then adds them to the cache
# counter in one command per article; 0 adds each view at once.
HELPCENTER_VIEW_BUFFER_MS = env_int("HELPCENTER_VIEW_BUFFER_MS", 1000)
# Longest time a public page stays in the full-page cache (helpcenter/pagecache.py);
# staff edits empty it at once. 0 turns the page cache off.
HELPCENTER_PAGE_CACHE_SECONDS = env_int("HELPCENTER_PAGE_CACHE_SECONDS", 600)
# How many proxies (load balancers) in front of the app servers append to
# X-Forwarded-For; rate limits key on the client address they report.
HELPCENTER_TRUSTED_PROXIES = env_int("HELPCENTER_TRUSTED_PROXIES", 0)
HELPCENTER_SEARCH_BACKEND = env_str("HELPCENTER_SEARCH_BACKEND", "auto")
# Shown as the account's name in authenticator apps.
OTP_TOTP_ISSUER = f"{HELPCENTER_PRODUCT_NAME} Help Center"
# Largest request body read at all: three 5 MB screenshots, the form and the
# multipart overhead. Larger bodies get a 413 before a byte is read.
HELPCENTER_MAX_REQUEST_BYTES = env_int("HELPCENTER_MAX_REQUEST_BYTES", 16 * 1024 * 1024)
