"""Helpcenter's one settings module.

Production differs from development only in its environment variables; each
one is listed in the README's configuration table (a test enforces it).
"""

import warnings
from datetime import timedelta
from pathlib import Path

import dj_database_url
import dj_email_url

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
    "articles",
    "channels",
    "helpcenter.accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "helpcenter.middleware.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
# queue instead of failing with "database is locked".
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA foreign_keys=ON;"
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
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
    DATABASES["default"]["TEST"] = {"NAME": None}

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
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "helpcenter",
        }
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
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Helpcenter <support@localhost>")
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
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("HELPCENTER_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.security.DisallowedHost": {"handlers": ["console"], "level": "ERROR"},
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
HELPCENTER_MAX_REQUEST_BYTES = env_int(
    "HELPCENTER_MAX_REQUEST_BYTES", 16 * 1024 * 1024
)
